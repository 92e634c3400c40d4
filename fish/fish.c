/* Hatch guestfish: options, the dispatcher, and the command loops.
 *
 * This is the top of guestfish: it uses every other module, and none of
 * them uses it.  They reach the handle, the shared flags and the
 * dispatcher through the small session interface of fish.h (session.c);
 * main() registers this file's dispatcher there before anything runs.
 *
 * Commands come from one of three places:
 *   - the program arguments, separated by ":" words (command-line mode);
 *   - a script: standard input when it is not a terminal, or -f FILE;
 *   - an interactive prompt (rl.c) when standard input is a terminal.
 * In the first two the first error that is not ignored ends guestfish
 * with exit status 1; at the prompt errors are only reported.  */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fish.h"
#include "options.h"         /* tools/common: --key selectors, LUKS for -i */
#include "uri.h"             /* tools/common: -a URIs */

static int pipe_error;          /* --pipe-error */
static int first_argv_command;  /* running the first command-line command */

static int execute (const struct fish_line *l);

/* The dispatcher: a builtin or a table command by name. */
static int
dispatch (const char *cmd, size_t argc, char *argv[])
{
  const struct fish_builtin *b = fish_find_builtin (cmd);
  if (b != NULL)
    return b->run (cmd, argc, argv);

  const struct fish_command *c = fish_find_command (cmd);
  if (c != NULL)
    return c->run (cmd, argc, argv);

  fprintf (stderr, "%s: unknown command\n", cmd);
  /* "guestfish disk.img": the first word of the command line was
   * probably meant as a disk image.  */
  if (first_argv_command)
    fprintf (stderr, "Did you mean to open a disk image?  "
             "guestfish -a disk.img\n");
  return -1;
}

/* Run `cmd args` with its standard output going into `sh -c PIPELINE`. */
static int
dispatch_to_pipe (const struct fish_line *l)
{
  fflush (stdout);
  FILE *pp = popen (l->pipe, "w");
  if (pp == NULL) {
    perror ("popen");
    return -1;
  }
  int saved = dup (STDOUT_FILENO);
  if (saved == -1 || dup2 (fileno (pp), STDOUT_FILENO) == -1) {
    perror ("dup");
    if (saved >= 0)
      close (saved);
    pclose (pp);
    return -1;
  }

  int r = dispatch (l->cmd, l->argc, l->argv);

  /* With --pipe-error a failed write into the pipeline (it ended before
   * reading everything) fails the command; how the pipeline itself
   * exits does not matter, as in libguestfs's guestfish.  */
  int werr = fflush (stdout) == EOF || ferror (stdout) ? errno : 0;
  if (werr && pipe_error) {
    fprintf (stderr, "guestfish: writing to the pipe: %s\n",
             strerror (werr ? werr : EIO));
    r = -1;
  }
  clearerr (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  pclose (pp);
  return r;
}

/* "<!cmd": run the shell command and then its output, line by line, as
 * guestfish commands.  The first failing line ends it.  */
static int
execute_inline (const char *shell)
{
  fflush (stdout);
  FILE *pp = popen (shell, "r");
  if (pp == NULL) {
    perror ("popen");
    return -1;
  }
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int r = 0;
  while (r == 0 && !fish_quit && (len = getline (&line, &n, pp)) != -1) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    struct fish_line l;
    char *err;
    if (fish_parse_line (line, &l, &err) == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      if (l.ignore_errors)
        continue;
      r = -1;
      break;
    }
    r = execute (&l);
    fish_line_free (&l);
  }
  free (line);
  int status = pclose (pp);
  if (r == 0 && (status == -1 || !WIFEXITED (status) ||
                 WEXITSTATUS (status) != 0))
    r = -1;
  return r;
}

/* Run one parsed line: shell escape, pipe, error-ignoring prefix. */
static int
execute (const struct fish_line *l)
{
  if (l->shell != NULL && l->shell_inline)
    return execute_inline (l->shell) == -1 && !l->ignore_errors ? -1 : 0;
  if (l->shell != NULL) {
    fflush (stdout);
    int status = system (l->shell);
    if (status == -1) {
      perror ("system");
      return l->ignore_errors ? 0 : -1;
    }
    return (WIFEXITED (status) && WEXITSTATUS (status) == 0) ||
      l->ignore_errors ? 0 : -1;
  }
  if (l->cmd == NULL)
    return 0;

  int r;
  fish_progress_begin ();
  if (l->pipe != NULL)
    r = dispatch_to_pipe (l);
  else
    r = dispatch (l->cmd, l->argc, l->argv);
  fish_progress_end ();
  fflush (stdout);
  if (r == -1 && l->ignore_errors)
    r = 0;
  return r;
}

/* A script: stops at the first error.  Returns 0 or -1. */
static int
run_script (FILE *fp, const char *name)
{
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int r = 0;

  fish_location.file = name;
  fish_location.line = 0;
  fish_input = fp;
  while (!fish_quit && (len = getline (&line, &n, fp)) != -1) {
    fish_location.line++;
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';

    struct fish_line l;
    char *err;
    if (fish_parse_line (line, &l, &err) == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      if (l.ignore_errors)
        continue;
      r = -1;
      break;
    }
    int rr = execute (&l);
    fish_line_free (&l);
    if (rr == -1) {
      r = -1;
      break;
    }
  }
  free (line);
  return r;
}

/* Commands from the program arguments.  Returns 0 or -1. */
static int
run_argv_commands (char *const *words, size_t nwords)
{
  size_t pos = 0;
  struct fish_line l;
  char *err;
  int r;

  size_t nr_run = 0;
  fish_location.file = "*stdin*";
  fish_location.line = 0;
  while (!fish_quit &&
         (r = fish_next_argv_command (words, nwords, &pos, &l, &err)) != 0) {
    if (r == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      return -1;
    }
    first_argv_command = nr_run++ == 0;
    r = execute (&l);
    first_argv_command = 0;
    fish_line_free (&l);
    if (r == -1)
      return -1;
  }
  return 0;
}

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS) {
    /* libguestfs's quotes (its messages use ‘ ’ in every locale). */
    fprintf (stderr, "Try ‘guestfish --help’ for more information.\n");
    exit (status);
  }
  printf (
"guestfish: a shell for looking inside and changing disk images\n"
"\n"
"Usage:\n"
"  guestfish [--options] [cmd [args...] [: cmd [args...] ...]]\n"
"\n"
"Options:\n"
"  -a|--add IMAGE|URI   Add a disk image (repeat for more disks)\n"
"  --blocksize[=512|4096]\n"
"                       Sector size of the following -a disks\n"
"  -c|--connect URI     libvirt URI for -d\n"
"  --csh                With --listen, print a csh-style command\n"
"  -d|--domain GUEST    Add the disks of a libvirt guest\n"
"  --echo-keys          Show the passphrases typed for encrypted disks\n"
"  -f|--file FILE       Run the commands in FILE\n"
"  --format[=raw|qcow2|..]\n"
"                       Image format of the following -a disks (no value:\n"
"                       detect it again)\n"
"  -h|--cmd-help        List the commands\n"
"  -h|--cmd-help CMD    Show the help for one command\n"
"  --help               Show this help\n"
"  -i|--inspector       Automatically mount the guest filesystems\n"
"  --key SELECTOR       Key for an encrypted device (with -i)\n"
"  --keys-from-stdin    Read the passphrases from standard input\n"
"  --listen             Start a server in the background for --remote\n"
"  -m|--mount DEV[:MNT[:OPTS[:FSTYPE]]]\n"
"                       Mount DEV on MNT (default /) after launching\n"
"  -n|--no-sync         Do not sync the disks when closing\n"
"  -N|--new [FILE=]TYPE Create a prepared disk (-N help lists the types)\n"
"  --network            Give the appliance a network\n"
"  --no-dest-paths      Do not complete guest paths with the tab key\n"
"  --pipe-error         Fail a 'cmd | pipeline' line when writing into the\n"
"                       pipeline fails\n"
"  --progress-bars      Draw progress bars even when not interactive\n"
"  --no-progress-bars   Never draw progress bars\n"
"  --remote[=PID]       Send the commands to the --listen server\n"
"  -r|--ro              Add the -a disks read-only and mount read-only\n"
"  --selinux            Accepted for old scripts; has no effect\n"
"  -v|--verbose         Print debugging messages\n"
"  -V|--version         Print the version and exit\n"
"  -w|--rw              Add the -a disks for writing (the default)\n"
"  -x                   Trace each API call on standard error\n"
"\n"
"Commands separated by ':' run one after the other.  Without commands,\n"
"guestfish reads them from standard input, with a prompt when it is a\n"
"terminal.\n"
"\n"
"Example:\n"
"  guestfish --ro -a disk.img run : list-filesystems\n"
"\n"
"The manual page is guestfish(1).\n");
  exit (status);
}

/* Disks, in command-line order: -a files and -N prepared disks. */
struct drive {
  const char *filename;
  const char *domain;      /* -d: a libvirt guest instead of a file */
  const char *format;      /* NULL: let qemu detect it */
  int blocksize;           /* 0: default */
  void *prep;              /* -N: the prepared disk; else NULL */
};

struct mount {
  char *device, *mountpoint, *options, *fstype;
};

static struct drive *drives;
static size_t nr_drives;
static struct mount *mounts;
static size_t nr_mounts;
static int readonly;

static const char *libvirt_uri;    /* -c */

/* -d GUEST: every disk of the libvirt guest (add-domain).  */
static int
add_domain (const struct drive *d)
{
#ifdef GUESTFS_HAVE_ADD_DOMAIN
  struct guestfs_add_domain_argv o = { .bitmask = 0 };
  if (libvirt_uri) {
    o.bitmask |= GUESTFS_ADD_DOMAIN_LIBVIRTURI_BITMASK;
    o.libvirturi = libvirt_uri;
  }
  if (readonly) {
    o.bitmask |= GUESTFS_ADD_DOMAIN_READONLY_BITMASK;
    o.readonly = 1;
  }
  return guestfs_add_domain_argv (g, d->domain, &o) == -1 ? -1 : 0;
#else
  fprintf (stderr, "guestfish: -d %s: libvirt guests are not supported by "
           "this build; add the guest's disk images with -a instead\n",
           d->domain);
  return -1;
#endif
}

static int
add_drive (const struct drive *d)
{
  struct guestfs_add_drive_opts_argv o = { .bitmask = 0 };
  if (readonly) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
    o.readonly = 1;
  }
  if (d->format) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
    o.format = d->format;
  }
  if (d->blocksize) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
    o.blocksize = d->blocksize;
  }
  if (d->domain)
    return add_domain (d);
  /* A file or a remote-storage URI (tools/common/uri.c). */
  struct hatch_uri u;
  char *err;
  if (hatch_uri_parse (d->filename, &u, &err) == -1) {
    fprintf (stderr, "guestfish: -a %s: %s\n", d->filename, err);
    free (err);
    return -1;
  }
  if (u.protocol == NULL && access (u.path, R_OK) == -1) {
    fprintf (stderr, "guestfish: access: %s: %s\n", u.path, strerror (errno));
    hatch_uri_free (&u);
    return -1;
  }
  hatch_uri_free (&u);
  return hatch_uri_add_drive (g, "guestfish", d->filename, &o);
}

/* -m DEV[:MNT[:OPTS[:FSTYPE]]] */
static int
parse_mount (const char *arg, struct mount *m)
{
  char *s = strdup (arg);
  if (s == NULL) {
    perror ("strdup");
    exit (EXIT_FAILURE);
  }
  m->device = s;
  m->mountpoint = m->options = m->fstype = NULL;
  char **fields[] = { &m->mountpoint, &m->options, &m->fstype };
  char *p = s;
  for (int i = 0; i < 3; ++i) {
    p = strchr (p, ':');
    if (p == NULL)
      break;
    *p++ = '\0';
    *fields[i] = p;
  }
  if (m->mountpoint == NULL || m->mountpoint[0] == '\0')
    m->mountpoint = (char *) "/";
#ifndef GUESTFS_HAVE_MOUNT_VFS
  if (m->fstype && *m->fstype) {
    fprintf (stderr, "guestfish: -m %s: choosing the filesystem type needs "
             "the mount-vfs command, which this build does not have yet\n",
             arg);
    return -1;
  }
#endif
  return 0;
}

static int
do_mount (const struct mount *m)
{
  const char *opts = m->options ? m->options : (readonly ? "ro" : "");
  if (m->fstype && *m->fstype) {
#ifdef GUESTFS_HAVE_MOUNT_VFS
    return guestfs_mount_vfs (g, opts, m->fstype, m->device, m->mountpoint);
#endif
  }
  return guestfs_mount_options (g, opts, m->device, m->mountpoint);
}

/* The read-only default: "read_only = true;" in the tools' configuration
 * files (see libguestfs-tools.conf(5)); later files override earlier
 * ones.  Returns 1, 0, or -1 when no file says.  */
static int
config_value_in (const char *path)
{
  FILE *fp = fopen (path, "r");
  if (fp == NULL)
    return -1;
  char *line = NULL;
  size_t n = 0;
  int r = -1;
  while (getline (&line, &n, fp) != -1) {
    char *p = line + strspn (line, " \t");
    if (*p == '#' || (p[0] == '/' && p[1] == '/'))
      continue;
    if (strncmp (p, "read_only", 9) != 0)
      continue;
    p += 9;
    p += strspn (p, " \t");
    if (*p != '=' && *p != ':')
      continue;
    p++;
    p += strspn (p, " \t");
    if (strncasecmp (p, "true", 4) == 0 || *p == '1')
      r = 1;
    else if (strncasecmp (p, "false", 5) == 0 || *p == '0')
      r = 0;
  }
  free (line);
  fclose (fp);
  return r;
}

static int
config_read_only (void)
{
  int r = 0, v;
  char *path;
  if ((v = config_value_in ("/etc/libguestfs-tools.conf")) != -1)
    r = v;
  const char *home = getenv ("HOME");
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  if (xdg && *xdg) {
    if (asprintf (&path, "%s/libguestfs/libguestfs-tools.conf", xdg) != -1) {
      if ((v = config_value_in (path)) != -1)
        r = v;
      free (path);
    }
  }
  else if (home && *home &&
           asprintf (&path, "%s/.config/libguestfs/libguestfs-tools.conf",
                     home) != -1) {
    if ((v = config_value_in (path)) != -1)
      r = v;
    free (path);
  }
  if (home && *home && asprintf (&path, "%s/.libguestfs-tools.rc", home) != -1) {
    if ((v = config_value_in (path)) != -1)
      r = v;
    free (path);
  }
  return r;
}

/* Launch when -m or -N ask for it, then format the -N disks and mount.
 * Also the startup of a --listen server.  */
static int inspector;

/* --key, --keys-from-stdin, --echo-keys: the selectors and the LUKS
 * step of -i work as in the virt tools (tools/common/options.c). */
static struct tool_options keyopts = { .program = "guestfish" };

/* -i: open the encrypted devices (with the --key selectors, else asking
 * for each passphrase), find the operating system and mount its
 * filesystems where the guest mounts them, parents first (read-only
 * with --ro).  */
static int
inspect_and_mount (void)
{
  keyopts.read_only = readonly;
  if (tool_decrypt (g, &keyopts) == -1)
    return -1;
  char *root = tool_inspect_root (g, &keyopts);
  if (root == NULL)
    return -1;
  int r = tool_mount_root (g, &keyopts, root);
  free (root);
  return r;
}

static int
startup (void)
{
  int need_launch = nr_mounts > 0 || inspector;
  for (size_t i = 0; i < nr_drives; ++i)
    if (drives[i].prep)
      need_launch = 1;
  if (!need_launch)
    return 0;
  if (guestfs_launch (g) == -1)
    return -1;
  for (size_t i = 0; i < nr_drives; ++i)
    if (drives[i].prep && fish_prep_format (drives[i].prep, (int) i) == -1)
      return -1;
  if (inspector && inspect_and_mount () == -1)
    return -1;
  for (size_t i = 0; i < nr_mounts; ++i)
    if (do_mount (&mounts[i]) == -1)
      return -1;
  return 0;
}

static void __attribute__((noreturn))
not_available (const char *opt, const char *why)
{
  fprintf (stderr, "guestfish: %s: %s\n", opt, why);
  exit (EXIT_FAILURE);
}

static void
add_drive_entry (struct drive d)
{
  struct drive *v = realloc (drives, (nr_drives + 1) * sizeof *v);
  if (v == NULL) {
    perror ("realloc");
    exit (EXIT_FAILURE);
  }
  drives = v;
  drives[nr_drives++] = d;
}

int
main (int argc, char *argv[])
{
  static const struct fish_dispatcher dispatcher = { dispatch, execute };
  fish_set_dispatcher (&dispatcher);

  enum {
    OPT_HELP = 256, OPT_FORMAT, OPT_BLOCKSIZE, OPT_PIPE_ERROR, OPT_NOOP,
    OPT_CSH, OPT_KEY, OPT_KEYS_FROM_STDIN, OPT_ECHO_KEYS, OPT_LISTEN,
    OPT_LIVE, OPT_NETWORK, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_REMOTE,
    OPT_LONG_OPTIONS, OPT_SHORT_OPTIONS,
  };
  static const char short_opts[] = "a:c:d:Df:h::im:nN:rvVwx";
  static const struct option long_opts[] = {
    { "add", required_argument, NULL, 'a' },
    { "blocksize", optional_argument, NULL, OPT_BLOCKSIZE },
    { "cmd-help", optional_argument, NULL, 'h' },
    { "connect", required_argument, NULL, 'c' },
    { "csh", no_argument, NULL, OPT_CSH },
    { "domain", required_argument, NULL, 'd' },
    { "echo-keys", no_argument, NULL, OPT_ECHO_KEYS },
    { "file", required_argument, NULL, 'f' },
    { "format", optional_argument, NULL, OPT_FORMAT },
    { "help", no_argument, NULL, OPT_HELP },
    { "inspector", no_argument, NULL, 'i' },
    { "key", required_argument, NULL, OPT_KEY },
    { "keys-from-stdin", no_argument, NULL, OPT_KEYS_FROM_STDIN },
    { "listen", no_argument, NULL, OPT_LISTEN },
    { "live", no_argument, NULL, OPT_LIVE },
    { "mount", required_argument, NULL, 'm' },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "new", required_argument, NULL, 'N' },
    { "no-dest-paths", no_argument, NULL, 'D' },
    { "no-sync", no_argument, NULL, 'n' },
    { "pipe-error", no_argument, NULL, OPT_PIPE_ERROR },
    { "progress-bars", no_argument, NULL, OPT_PROGRESS },
    { "no-progress-bars", no_argument, NULL, OPT_NO_PROGRESS },
    { "remote", optional_argument, NULL, OPT_REMOTE },
    { "ro", no_argument, NULL, 'r' },
    { "rw", no_argument, NULL, 'w' },
    { "selinux", no_argument, NULL, OPT_NOOP },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    /* For bash completion (not in --help): the options, one a line. */
    { "long-options", no_argument, NULL, OPT_LONG_OPTIONS },
    { "short-options", no_argument, NULL, OPT_SHORT_OPTIONS },
    { NULL, 0, NULL, 0 },
  };

  const char *format = NULL;
  int blocksize = 0;
  int format_consumed = 1, blocksize_consumed = 1;
  int ro_flag = -1;          /* -1: the configuration file decides */
  int nr_preps = 0;
  int progress_flag = -1;    /* -1: only at an interactive terminal */
  int listen_flag = 0, csh = 0, remote_flag = 0, remote_pid = 0;
  int network = 0;
  const char *script = NULL;
  int c, option_index;

  /* A closed pipeline must give a write error, not kill us. */
  signal (SIGPIPE, SIG_IGN);

  g = guestfs_create ();
  if (g == NULL) {
    fprintf (stderr, "guestfish: could not create the libguestfs handle\n");
    exit (EXIT_FAILURE);
  }
  guestfs_set_error_handler (g, fish_error_handler, NULL);
  guestfs_set_autosync (g, 1);

  while ((option_index = -1,
          c = getopt_long (argc, argv, short_opts, long_opts,
                           &option_index)) != -1) {
    switch (c) {
    case 'a': {
      /* A missing local file is reported here, as libguestfs does, before
       * any complaint about the options that follow it (-a X --format). */
      struct hatch_uri u;
      char *err;
      if (hatch_uri_parse (optarg, &u, &err) == 0) {
        if (u.protocol == NULL && access (u.path, R_OK) == -1) {
          fprintf (stderr, "guestfish: access: %s: %s\n", u.path, strerror (errno));
          exit (EXIT_FAILURE);
        }
        hatch_uri_free (&u);
      }
      else
        free (err);             /* reported when the drive is added */
      add_drive_entry ((struct drive) {
        .filename = optarg, .format = format, .blocksize = blocksize,
      });
      format_consumed = blocksize_consumed = 1;
      break;
    }
    case 'N': {
      if (strcmp (optarg, "help") == 0 || strcmp (optarg, "list") == 0) {
        fish_prep_list ();
        guestfs_close (g);
        exit (EXIT_SUCCESS);
      }
      void *prep;
      if (fish_prep_parse (optarg, ++nr_preps, &prep) == -1)
        exit (EXIT_FAILURE);
      add_drive_entry ((struct drive) { .prep = prep, .format = "raw" });
      break;
    }
    case OPT_FORMAT:
      format = optarg && *optarg ? optarg : NULL;
      format_consumed = 0;
      break;
    case OPT_BLOCKSIZE:
      if (optarg == NULL)
        blocksize = 0;
      else if (strcmp (optarg, "512") == 0 || strcmp (optarg, "4096") == 0)
        blocksize = atoi (optarg);
      else {
        fprintf (stderr, "guestfish: --blocksize: %s: use 512 or 4096\n",
                 optarg);
        exit (EXIT_FAILURE);
      }
      blocksize_consumed = 0;
      break;
    case 'f':
      if (script) {
        fprintf (stderr, "guestfish: only one -f option can be given\n");
        exit (EXIT_FAILURE);
      }
      script = optarg;
      break;
    case 'h': {
      const char *cmd = optarg;
      if (cmd == NULL && optind < argc)
        cmd = argv[optind];
      int r = 0;
      if (cmd)
        r = fish_display_command_help (cmd);
      else
        fish_list_commands ();
      guestfs_close (g);
      exit (r == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
    }
    case OPT_HELP:
      guestfs_close (g);
      usage (EXIT_SUCCESS);
    case 'i':
      inspector = 1;
      break;
    case 'm': {
      struct mount *m = realloc (mounts, (nr_mounts + 1) * sizeof *m);
      if (m == NULL) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      mounts = m;
      if (parse_mount (optarg, &mounts[nr_mounts++]) == -1)
        exit (EXIT_FAILURE);
      break;
    }
    case 'n':
      guestfs_set_autosync (g, 0);
      break;
    case 'r':
      ro_flag = 1;
      break;
    case 'w':
      ro_flag = 0;
      break;
    case 'v':
      guestfs_set_verbose (g, 1);
      break;
    case 'V': {
      struct guestfs_version *v = guestfs_version (g);
      if (v == NULL)
        exit (EXIT_FAILURE);
      printf ("guestfish %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n",
              v->major, v->minor, v->release, v->extra);
      guestfs_free_version (v);
      guestfs_close (g);
      exit (EXIT_SUCCESS);
    }
    case 'x':
      guestfs_set_trace (g, 1);
      break;
    case OPT_PIPE_ERROR:
      pipe_error = 1;
      break;
    case 'D':
      /* -D is the old spelling: only --no-dest-paths is named. */
      if (option_index == -1 || long_opts[option_index].val != 'D')
        fprintf (stderr, "guestfish: warning: -D is deprecated, use "
                 "--no-dest-paths\n");
      fish_complete_dest_paths = 0;
      break;
    case OPT_LONG_OPTIONS:
      for (size_t i = 0; long_opts[i].name; ++i)
        if (long_opts[i].val != OPT_LONG_OPTIONS &&
            long_opts[i].val != OPT_SHORT_OPTIONS)
          printf ("--%s\n", long_opts[i].name);
      guestfs_close (g);
      exit (EXIT_SUCCESS);
    case OPT_SHORT_OPTIONS:
      for (const char *o = short_opts; *o; ++o)
        if (*o != ':')
          printf ("-%c\n", *o);
      guestfs_close (g);
      exit (EXIT_SUCCESS);
    case OPT_PROGRESS:
      progress_flag = 1;
      break;
    case OPT_NO_PROGRESS:
      progress_flag = 0;
      break;
    case OPT_LISTEN:
      listen_flag = 1;
      break;
    case OPT_CSH:
      csh = 1;
      break;
    case OPT_REMOTE:
      remote_flag = 1;
      if (optarg) {
        char *end;
        long p = strtol (optarg, &end, 10);
        if (*optarg == '\0' || *end != '\0' || p <= 0 || p > INT32_MAX) {
          fprintf (stderr, "guestfish: --remote=%s: not a process ID\n",
                   optarg);
          exit (EXIT_FAILURE);
        }
        remote_pid = (int) p;
      }
      break;
    case OPT_KEY:
      /* Keys are used to open encrypted devices during -i. */
      if (tool_option (&keyopts, TOOL_OPT_KEY, optarg) != 1)
        exit (EXIT_FAILURE);
      break;
    case OPT_KEYS_FROM_STDIN:
      tool_option (&keyopts, TOOL_OPT_KEYS_FROM_STDIN, NULL);
      fish_keys_from_stdin = 1;
      break;
    case OPT_ECHO_KEYS:
      tool_option (&keyopts, TOOL_OPT_ECHO_KEYS, NULL);
      fish_echo_keys = 1;
      break;
    case OPT_NOOP:
      break;
    case OPT_NETWORK:
      network = 1;
      break;
    case 'c':
      libvirt_uri = optarg;
      break;
    case 'd':
      add_drive_entry ((struct drive) { .domain = optarg });
      break;
    case OPT_LIVE:
      not_available ("--live", "live guests are not supported");
    default:
      usage (EXIT_FAILURE);
    }
  }

  /* --format and --blocksize apply to the -a options after them. */
  if (!format_consumed) {
    fprintf (stderr, "guestfish: --format must come before the -a option "
             "it applies to\n");
    exit (EXIT_FAILURE);
  }
  if (!blocksize_consumed) {
    fprintf (stderr, "guestfish: --blocksize must come before the -a option "
             "it applies to\n");
    exit (EXIT_FAILURE);
  }

  /* The old form "guestfish [--ro] -i disk.img|guest": with -i and no
   * -a, -d or -N, the words are disk images (when they name a file or
   * contain a '/') or libvirt guests, not commands.  */
  if (inspector && nr_drives == 0 && optind < argc && !remote_flag) {
    for (; optind < argc; ++optind) {
      const char *w = argv[optind];
      if (strchr (w, '/') || access (w, F_OK) == 0)
        add_drive_entry ((struct drive) { .filename = w });
      else
        add_drive_entry ((struct drive) { .domain = w });
    }
  }

  if (remote_flag) {
    if (listen_flag) {
      fprintf (stderr, "guestfish: cannot use --listen and --remote "
               "options at the same time\n");
      exit (EXIT_FAILURE);
    }
    guestfs_close (g);
    int r = fish_remote_send (remote_pid, &argv[optind], argc - optind);
    exit (r == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
  }

  if (network) {
#ifdef GUESTFS_HAVE_SET_NETWORK
    if (guestfs_set_network (g, 1) == -1)
      exit (EXIT_FAILURE);
#else
    not_available ("--network", "the appliance has no networking in this "
                   "build yet");
#endif
  }

  readonly = ro_flag == -1 ? config_read_only () : ro_flag;

  /* Progress bars: at an interactive terminal unless told otherwise. */
  int interactive = optind >= argc && script == NULL && !listen_flag &&
    isatty (STDIN_FILENO) && isatty (STDOUT_FILENO);
  fish_progress_bars = progress_flag == -1 ? interactive : progress_flag;
  if (fish_progress_bars)
    fish_enable_progress_bars (g);

  /* A script given with -f is read only when there are no commands on
   * the command line, like standard input.  */
  FILE *script_fp = NULL;
  if (script) {
    script_fp = fopen (script, "r");
    if (script_fp == NULL) {
      fprintf (stderr, "guestfish: open: %s: %s\n", script, strerror (errno));
      exit (EXIT_FAILURE);
    }
  }
  int status = EXIT_SUCCESS;


  for (size_t i = 0; i < nr_drives; ++i) {
    int r;
    /* Prepared disks are writable whatever --ro says. */
    if (drives[i].prep)
      r = fish_prep_create (drives[i].prep);
    else
      r = add_drive (&drives[i]);
    if (r == -1) {
      status = EXIT_FAILURE;
      goto out;
    }
  }

  if (listen_flag) {
    if (optind < argc || script) {
      fprintf (stderr, "guestfish: extra parameters on the command line "
               "with --listen flag\n");
      status = EXIT_FAILURE;
      goto out;
    }
    if (fish_remote_listen (csh, startup) == -1)
      status = EXIT_FAILURE;
    goto out;
  }

  if (startup () == -1) {
    status = EXIT_FAILURE;
    goto out;
  }

  fish_location.show = script_fp != NULL || !isatty (STDIN_FILENO);
  fish_input = stdin;
  if (optind < argc) {
    if (run_argv_commands (&argv[optind], argc - optind) == -1)
      status = EXIT_FAILURE;
  }
  else if (script_fp) {
    if (run_script (script_fp, script) == -1)
      status = EXIT_FAILURE;
  }
  else if (isatty (STDIN_FILENO))
    fish_interactive ();
  else if (run_script (stdin, "*stdin*") == -1)
    status = EXIT_FAILURE;

 out:
  if (script_fp)
    fclose (script_fp);
  fish_progress_end ();
  if (fflush (stdout) == EOF)
    status = EXIT_FAILURE;
  /* An error while closing (the appliance died after the last command)
   * keeps the location of the last line, as libguestfs's guestfish does
   * ("*stdin*:0:" after command-line commands).  */
  if (guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  for (size_t i = 0; i < nr_mounts; ++i)
    free (mounts[i].device);
  free (mounts);
  for (size_t i = 0; i < nr_drives; ++i)
    fish_prep_free (drives[i].prep);
  free (drives);
  tool_free_options (&keyopts);
  exit (status);
}
