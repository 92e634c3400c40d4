/* The shared body of virt-copy-in, virt-copy-out, virt-tar-in and
 * virt-tar-out (see their man pages): the guest is found with -i (or
 * mounted with -m), then files go in or out as tar streams. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copy.h"
#include "progress.h"
#include "util.h"

static const char *const names[] = {
  [TOOL_COPY_IN] = "virt-copy-in", [TOOL_COPY_OUT] = "virt-copy-out",
  [TOOL_TAR_IN] = "virt-tar-in", [TOOL_TAR_OUT] = "virt-tar-out",
};

static void
usage (enum tool_copy_kind k, int status)
{
  const char *p = names[k];
  if (status != EXIT_SUCCESS)
    tool_try_help (p);
  switch (k) {
  case TOOL_COPY_IN:
    printf ("%s: copy files and directories into a virtual machine\n"
            "Usage:\n  %s -a disk.img file|dir [file|dir ...] /destination\n"
            "  %s -d domain file|dir [file|dir ...] /destination\n", p, p, p);
    break;
  case TOOL_COPY_OUT:
    printf ("%s: copy files and directories out of a virtual machine\n"
            "Usage:\n  %s -a disk.img /file|dir [/file|dir ...] localdir\n"
            "  %s -d domain /file|dir [/file|dir ...] localdir\n", p, p, p);
    break;
  case TOOL_TAR_IN:
    printf ("%s: unpack a tarball into a virtual machine\n"
            "Usage:\n  %s -a disk.img data.tar /destination\n"
            "  %s -d domain data.tar /destination\n"
            "  (data.tar may be - for standard input)\n", p, p, p);
    break;
  case TOOL_TAR_OUT:
    printf ("%s: pack a directory of a virtual machine into a tarball\n"
            "Usage:\n  %s -a disk.img /directory files.tar\n"
            "  %s -d domain /directory files.tar\n"
            "  (files.tar may be - for standard output)\n", p, p, p);
    break;
  }
  printf ("Options:\n");
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_INSPECTOR | TOOL_HELP_KEYS |
                           TOOL_HELP_RO_RW);
  if (k == TOOL_TAR_IN || k == TOOL_TAR_OUT)
    printf ("  -z|--gzip            The tarball is compressed with gzip\n");
  printf ("guestfish's options, as libguestfs's %s takes them:\n"
          "  --network            Enable the appliance's network\n"
          "  -n|--no-sync         Do not sync the disks at the end\n"
          "  --progress-bars      Progress bars on a terminal\n"
          "  --no-progress-bars   No progress bars (the default)\n"
          "  --pipe-error, --no-dest-paths, --selinux\n"
          "                       Accepted, and do nothing here\n", p);
  printf ("See %s(1) for more.\n", p);
  exit (EXIT_SUCCESS);
}

/* Start ARGV with its stdin or stdout (WHICH) on a new pipe; *FD gets our
 * end. */
static pid_t
start (const char *program, char *const argv[], int which, int *fd)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1) {
    perror ("pipe");
    return -1;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    close (p[0]); close (p[1]);
    return -1;
  }
  if (pid == 0) {
    if (dup2 (which == 0 ? p[0] : p[1], which) == -1)
      _exit (127);
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s: %s\n", program, argv[0], strerror (errno));
    _exit (127);
  }
  if (which == 0) { close (p[0]); *fd = p[1]; }
  else { close (p[1]); *fd = p[0]; }
  return pid;
}

static int
finish (const char *program, pid_t pid, const char *what)
{
  int st;
  while (waitpid (pid, &st, 0) == -1)
    if (errno != EINTR)
      return -1;
  if (!WIFEXITED (st) || WEXITSTATUS (st) != 0) {
    fprintf (stderr, "%s: %s failed\n", program, what);
    return -1;
  }
  return 0;
}

static char *
fd_name (int fd)
{
  char *s;
  if (asprintf (&s, "/dev/fd/%d", fd) == -1) {
    perror ("asprintf");
    exit (EXIT_FAILURE);
  }
  return s;
}

int
tool_copy_in (guestfs_h *g, const char *program, const char *local, const char *dest)
{
  if (access (local, R_OK) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, local, strerror (errno));
    return -1;
  }
  char *copy = strdup (local);
  if (!copy) return -1;
  /* tar -C DIR -cf - NAME, so the tree lands as DEST/NAME. */
  size_t l = strlen (copy);
  while (l > 1 && copy[l - 1] == '/')
    copy[--l] = '\0';
  char *slash = strrchr (copy, '/');
  const char *dir = ".", *name = copy;
  if (slash) {
    *slash = '\0';
    dir = slash == copy ? "/" : copy;
    name = slash + 1;
  }
  char *argv[] = { (char *) "tar", (char *) "-C", (char *) dir, (char *) "-cf", (char *) "-",
                   (char *) "--", (char *) name, NULL };
  int fd;
  pid_t pid = start (program, argv, 1, &fd);
  if (pid == -1) {
    free (copy);
    return -1;
  }
  char *f = fd_name (fd);
  int r = guestfs_tar_in (g, f, dest);
  free (f);
  close (fd);
  if (finish (program, pid, "tar (reading the local files)") == -1)
    r = -1;
  free (copy);
  return r;
}

/* One guest file or directory into the local directory LOCALDIR. */
static int
copy_out (guestfs_h *g, const char *program, const char *remote, const char *localdir)
{
  const char *base = strrchr (remote, '/');
  base = base && base[1] ? base + 1 : remote;
  int isdir = guestfs_is_dir (g, remote);
  if (isdir == -1)
    return -1;
  if (!isdir) {
    if (guestfs_is_file (g, remote) != 1) {
      fprintf (stderr, "%s: %s: not a regular file or directory (or missing)\n",
               program, remote);
      return -1;
    }
    char *out;
    if (asprintf (&out, "%s/%s", localdir, base) == -1) return -1;
    int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd == -1) {
      fprintf (stderr, "%s: %s: %s\n", program, out, strerror (errno));
      free (out);
      return -1;
    }
    int r = tool_download_fd (g, remote, fd);
    if (close (fd) == -1) r = -1;
    free (out);
    return r;
  }
  /* A directory: LOCALDIR/NAME (or LOCALDIR itself for "/"), unpacked
   * by the library's copy_out as an ordinary user would (names kept inside
   * the directory, no owners, no setuid/setgid, no device nodes).  */
  return guestfs_copy_out (g, remote, localdir);
}

static const char *tar_out_compress;

static int
tar_out_call (guestfs_h *g, const char *dir, const char *file)
{
  struct guestfs_tar_out_opts_argv a = { .bitmask = 0 };
  if (tar_out_compress) {
    a.bitmask |= GUESTFS_TAR_OUT_OPTS_COMPRESS_BITMASK;
    a.compress = tar_out_compress;
  }
  return guestfs_tar_out_opts_argv (g, dir, file, &a);
}

int
tool_copy_main (enum tool_copy_kind k, int argc, char *argv[])
{
  const char *program = names[k];
  struct tool_options o = {
    .program = program,
    .read_only = k == TOOL_COPY_OUT || k == TOOL_TAR_OUT,
  };
  bool gzip = false, network = false, no_sync = false, progress = false;
  enum { OPT_HELP = 0x200, OPT_NETWORK, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_IGNORED };
  static const char short_options[] = "a:c:d:im:nrvVwxz";
  /* libguestfs's four tools are guestfish running one command, so they
   * take guestfish's options too: those that mean something for one
   * copy, and, doing nothing, the ones that only concern guestfish's
   * prompt and pipes. */
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    TOOL_INSPECTOR_LONG_OPTIONS,
    TOOL_RO_RW_LONG_OPTIONS,
    { "gzip", no_argument, NULL, 'z' },
    { "help", no_argument, NULL, OPT_HELP },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "no-sync", no_argument, NULL, 'n' },
    { "progress-bars", no_argument, NULL, OPT_PROGRESS },
    { "no-progress-bars", no_argument, NULL, OPT_NO_PROGRESS },
    { "pipe-error", no_argument, NULL, OPT_IGNORED },
    { "no-dest-paths", no_argument, NULL, OPT_IGNORED },
    { "selinux", no_argument, NULL, OPT_IGNORED },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = k == TOOL_TAR_IN || k == TOOL_TAR_OUT ? short_options : "a:c:d:im:nrvVwx";
  int c;
  while ((c = getopt_long (argc, argv, o.short_options, long_options, NULL)) != -1) {
    int r = tool_option (&o, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (EXIT_FAILURE);
    switch (c) {
    case OPT_HELP: usage (k, EXIT_SUCCESS); break;
    case OPT_NETWORK: network = true; continue;
    case 'n': no_sync = true; continue;
    case OPT_PROGRESS: progress = true; continue;
    case OPT_NO_PROGRESS: progress = false; continue;
    case OPT_IGNORED: continue;
    }
    if (c == 'z' && (k == TOOL_TAR_IN || k == TOOL_TAR_OUT)) {
      gzip = true;
      continue;
    }
    usage (k, EXIT_FAILURE);
  }
  tool_require_drives (&o);
  int nargs = argc - optind;
  if (nargs < 2 || ((k == TOOL_TAR_IN || k == TOOL_TAR_OUT) && nargs != 2)) {
    fprintf (stderr, "%s: error: wrong number of arguments on the command line.\n", program);
    tool_try_help (program);
  }
  const char *last = argv[argc - 1];
  if ((k == TOOL_COPY_IN || k == TOOL_TAR_IN) && last[0] != '/') {
    fprintf (stderr, "%s: %s: the destination must be an absolute path in the guest\n",
             program, last);
    exit (EXIT_FAILURE);
  }
  if (k == TOOL_TAR_OUT && argv[optind][0] != '/') {
    fprintf (stderr, "%s: %s: the directory must be an absolute path in the guest\n",
             program, argv[optind]);
    exit (EXIT_FAILURE);
  }
  if (k == TOOL_COPY_OUT) {
    struct stat st;
    if (stat (last, &st) == -1 || !S_ISDIR (st.st_mode)) {
      fprintf (stderr, "%s: %s: the local destination must be an existing directory\n",
               program, last);
      exit (EXIT_FAILURE);
    }
    for (int i = optind; i < argc - 1; ++i)
      if (argv[i][0] != '/') {
        fprintf (stderr, "%s: %s: guest paths must be absolute\n", program, argv[i]);
        exit (EXIT_FAILURE);
      }
  }
  if (k == TOOL_TAR_IN && strcmp (argv[optind], "-") != 0 &&
      access (argv[optind], R_OK) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, argv[optind], strerror (errno));
    exit (EXIT_FAILURE);
  }
  /* Like the guestfish commands they wrap: the OS is found with -i
   * unless filesystems are named with -m. */
  if (o.nr_mounts == 0)
    o.inspector = true;

  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    exit (EXIT_FAILURE);
  if (network && guestfs_set_network (g, 1) == -1)
    exit (EXIT_FAILURE);
  if (no_sync)
    guestfs_set_autosync (g, 0);
  if (progress)
    tool_progress_register (g, false, false);
  if (guestfs_launch (g) == -1 || tool_mount (g, &o) == -1)
    exit (EXIT_FAILURE);

  int r = 0;
  switch (k) {
  case TOOL_COPY_IN:
    if (guestfs_is_dir (g, last) != 1) {
      fprintf (stderr, "%s: %s: not a directory in the guest\n", program, last);
      r = -1;
      break;
    }
    for (int i = optind; i < argc - 1 && r == 0; ++i)
      r = tool_copy_in (g, program, argv[i], last);
    break;
  case TOOL_COPY_OUT:
    for (int i = optind; i < argc - 1 && r == 0; ++i)
      r = copy_out (g, program, argv[i], last);
    break;
  case TOOL_TAR_IN: {
    struct guestfs_tar_in_opts_argv a = { .bitmask = 0 };
    if (gzip) {
      a.bitmask |= GUESTFS_TAR_IN_OPTS_COMPRESS_BITMASK;
      a.compress = "gzip";
    }
    const char *file = strcmp (argv[optind], "-") == 0 ? "/dev/stdin" : argv[optind];
    r = guestfs_tar_in_opts_argv (g, file, last, &a);
    break;
  }
  case TOOL_TAR_OUT:
    tar_out_compress = gzip ? "gzip" : NULL;
    if (strcmp (last, "-") == 0)
      r = tool_fileout_fd (g, tar_out_call, argv[optind], STDOUT_FILENO);
    else
      r = tar_out_call (g, argv[optind], last);
    break;
  }
  int status = r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  if (guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  tool_free_options (&o);
  return status;
}
