/* Hatch guestfish: built-in commands built on top of API calls --
 * alloc/sparse, reopen, supported, glob, copy-in/copy-out, edit,
 * more/less, display, hexedit.  */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fish.h"

/* ---- alloc / sparse --------------------------------------------------- */

static int
make_image (const char *cmd, size_t argc, char *argv[], int sparse)
{
  if (argc != 2) {
    fish_usage_error (cmd, sparse ? "sparse filename size" :
                      "alloc filename size");
    return -1;
  }
  int64_t size;
  if (fish_parse_int64 (cmd, "size", argv[1], &size) == -1)
    return -1;
  if (size <= 0) {
    fprintf (stderr, "%s: size must be greater than zero\n", cmd);
    return -1;
  }
  if (fish_create_image (argv[0], size, sparse) == -1)
    return -1;
  return guestfs_add_drive_opts (g, argv[0],
                                 GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
}

int
fish_create_image (const char *filename, int64_t size, int sparse)
{
  int fd = open (filename, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC,
                 0666);
  if (fd == -1) {
    perror (filename);
    return -1;
  }
  if (sparse) {
    if (ftruncate (fd, size) == -1) {
      perror (filename);
      close (fd);
      unlink (filename);
      return -1;
    }
  }
  else {
    int err = posix_fallocate (fd, 0, size);
    if (err != 0) {
      errno = err;
      perror (filename);
      close (fd);
      unlink (filename);
      return -1;
    }
  }
  if (close (fd) == -1) {
    perror (filename);
    unlink (filename);
    return -1;
  }
  return 0;
}

int
fish_run_alloc (const char *cmd, size_t argc, char *argv[])
{
  return make_image (cmd, argc, argv, 0);
}

int
fish_run_sparse (const char *cmd, size_t argc, char *argv[])
{
  return make_image (cmd, argc, argv, 1);
}

/* ---- reopen ----------------------------------------------------------- */

int
fish_run_reopen (const char *cmd, size_t argc, char *argv[])
{
  (void) argv;
  if (argc != 0) {
    fish_usage_error (cmd, "reopen");
    return -1;
  }
  guestfs_h *h = guestfs_create ();
  if (h == NULL) {
    fprintf (stderr, "reopen: guestfs_create: failed to create handle\n");
    return -1;
  }
  /* Carry the settings guestfish itself sets, as libguestfs's reopen
   * does: the others (memsize, smp ...) go back to their defaults, so
   * the new handle answers and launches with the same values. */
  guestfs_set_verbose (h, guestfs_get_verbose (g));
  guestfs_set_trace (h, guestfs_get_trace (g));
  guestfs_set_autosync (h, guestfs_get_autosync (g));
  const char *p = guestfs_get_path (g);
  if (p)
    guestfs_set_path (h, p);
  int pg = guestfs_get_pgroup (g);
  if (pg >= 0)
    guestfs_set_pgroup (h, pg);

  guestfs_shutdown (g);
  guestfs_close (g);
  fish_forget_event_handlers ();
  g = h;
  fish_setup_handle (g);
  return 0;
}

/* ---- supported -------------------------------------------------------- */

#ifndef GUESTFS_HAVE_AVAILABLE_ALL_GROUPS
/* The optional groups of guestfs(3) "AVAILABILITY". */
static const char *const all_groups[] = {
  "acl", "augeas", "blkdiscard", "blkdiscardzeroes", "btrfs", "clevisluks", "extlinux",
  "f2fs", "fstrim", "gdisk", "grub", "hivex", "inotify", "journal", "ldm",
  "libtsk", "libyara", "linuxcaps", "linuxfsuuid", "linuxmodules",
  "linuxxattrs", "luks", "lvm2", "mdadm", "mknod", "ntfs3g", "ntfsprogs",
  "realpath", "rsync", "scrub", "selinux", "selinuxrelabel", "sleuthkit",
  "squashfs", "syslinux", "wipefs", "xfs", "xz", "zerofree", NULL
};
#endif

int
fish_run_supported (const char *cmd, size_t argc, char *argv[])
{
  (void) argv;
  if (argc != 0) {
    fish_usage_error (cmd, "supported");
    return -1;
  }
#ifdef GUESTFS_HAVE_AVAILABLE_ALL_GROUPS
  char **groups = guestfs_available_all_groups (g);
  if (groups == NULL)
    return -1;
#else
  char *const *groups = (char *const *) all_groups;
#endif
  int width = 0;
  for (size_t i = 0; groups[i]; ++i)
    if ((int) strlen (groups[i]) > width)
      width = strlen (groups[i]);

  int r = 0;
  guestfs_push_error_handler (g, NULL, NULL);
  for (size_t i = 0; groups[i]; ++i) {
    const char *one[] = { groups[i], NULL };
    int ok = guestfs_feature_available (g, (char *const *) one);
    if (ok == -1 && guestfs_is_ready (g) <= 0) {
      guestfs_pop_error_handler (g);
      fprintf (stderr, "supported: the appliance must be running: "
               "use 'run' first\n");
      r = -1;
      goto out;
    }
    printf ("%*s %s\n", width, groups[i], ok == 1 ? "yes" : "no");
  }
  guestfs_pop_error_handler (g);
 out:
#ifdef GUESTFS_HAVE_AVAILABLE_ALL_GROUPS
  fish_free_strings (groups);
#endif
  return r;
}

/* ---- glob ------------------------------------------------------------- */

struct strv {
  char **v;
  size_t n, cap;
};

static int
strv_add (struct strv *s, char *str)
{
  if (str == NULL)
    return -1;
  if (s->n + 2 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    char **v = realloc (s->v, cap * sizeof *v);
    if (v == NULL) {
      free (str);
      return -1;
    }
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = str;
  s->v[s->n] = NULL;
  return 0;
}

static void
strv_free (struct strv *s)
{
  for (size_t i = 0; i < s->n; ++i)
    free (s->v[i]);
  free (s->v);
  s->v = NULL;
  s->n = s->cap = 0;
}

static int
has_magic (const char *s)
{
  return strpbrk (s, "*?[{") != NULL;
}

/* A guest path pattern, expanded in the appliance (glob-expand):
 * matches sorted, directories marked with a trailing '/'.  Appends to
 * *out; returns -1 on error (message printed).  */
static int
glob_guest_path (const char *pattern, struct strv *out)
{
  char **m = guestfs_glob_expand (g, pattern);
  if (m == NULL)
    return -1;
  int r = 0;
  for (size_t i = 0; m[i] && r == 0; ++i)
    r = strv_add (out, strdup (m[i]));
  fish_free_strings (m);
  if (r == -1)
    perror ("glob");
  return r;
}

/* /dev/ patterns match the device, partition (and LV) names. */
static int
glob_devices (const char *pattern, struct strv *out)
{
  char **lists[4] = { NULL, NULL, NULL, NULL };
  lists[0] = guestfs_list_devices (g);
  lists[1] = guestfs_list_partitions (g);
#ifdef GUESTFS_HAVE_LIST_MD_DEVICES
  guestfs_push_error_handler (g, NULL, NULL);
  lists[3] = guestfs_list_md_devices (g);
  guestfs_pop_error_handler (g);
#endif
#ifdef GUESTFS_HAVE_LVS
  guestfs_push_error_handler (g, NULL, NULL);
  lists[2] = guestfs_lvs (g);
  guestfs_pop_error_handler (g);
#endif
  /* Devices first, then partitions, then LVs, then md devices. */
  int r = 0;
  for (int l = 0; l < 4; ++l) {
    if (lists[l] == NULL)
      continue;
    for (size_t i = 0; lists[l][i]; ++i)
      if (r == 0 && fnmatch (pattern, lists[l][i], 0) == 0)
        r = strv_add (out, strdup (lists[l][i]));
    fish_free_strings (lists[l]);
  }
  if (r == -1)
    perror ("glob");
  /* No such device: it may be a path under the guest's own /dev. */
  else if (out->n == 0)
    r = glob_guest_path (pattern, out);
  return r;
}

/* Run the command once for each combination of expansions. */
static int
glob_product (const char *cmd, size_t argc, struct strv *exp, size_t k,
              char **cur)
{
  if (k == argc)
    return fish_dispatch (cmd, argc, cur);
  int r = 0;
  for (size_t i = 0; i < exp[k].n; ++i) {
    cur[k] = exp[k].v[i];
    if (glob_product (cmd, argc, exp, k + 1, cur) == -1)
      r = -1;
  }
  return r;
}

int
fish_run_glob (const char *cmd, size_t argc, char *argv[])
{
  if (argc < 1) {
    fish_usage_error (cmd, "glob command args...");
    return -1;
  }
  size_t n = argc - 1;
  struct strv *exp = calloc (n + 1, sizeof *exp);
  char **cur = calloc (n + 1, sizeof *cur);
  int r = -1;
  if (exp == NULL || cur == NULL) {
    perror ("calloc");
    goto out;
  }
  for (size_t i = 0; i < n; ++i) {
    const char *a = argv[i + 1];
    int e = 0;
    if (has_magic (a) && strncmp (a, "/dev/", 5) == 0)
      e = glob_devices (a, &exp[i]);
    else if (has_magic (a) && a[0] == '/')
      e = glob_guest_path (a, &exp[i]);
    if (e == -1)
      goto out;
    /* No match (or nothing to expand): the word as it is. */
    if (exp[i].n == 0 && strv_add (&exp[i], strdup (a)) == -1) {
      perror ("strdup");
      goto out;
    }
  }
  r = glob_product (argv[0], n, exp, 0, cur);
 out:
  if (exp)
    for (size_t i = 0; i < n; ++i)
      strv_free (&exp[i]);
  free (exp);
  free (cur);
  return r;
}

/* ---- copy-in / copy-out ----------------------------------------------- */

/* Start "tar ARGS..." with its stdin or stdout (which_fd) on a pipe;
 * returns the parent's end of the pipe and sets *pid.  */
static int
start_tar (char *const argv[], int which_fd, pid_t *pid)
{
  int fd[2];
  if (pipe2 (fd, O_CLOEXEC) == -1) {
    perror ("pipe");
    return -1;
  }
  fflush (stdout);
  fflush (stderr);
  *pid = fork ();
  if (*pid == -1) {
    perror ("fork");
    close (fd[0]);
    close (fd[1]);
    return -1;
  }
  if (*pid == 0) {
    int child_end = which_fd == STDOUT_FILENO ? fd[1] : fd[0];
    dup2 (child_end, which_fd);
    execvp ("tar", argv);
    perror ("tar");
    _exit (127);
  }
  if (which_fd == STDOUT_FILENO) {
    close (fd[1]);
    return fd[0];
  }
  close (fd[0]);
  return fd[1];
}

static int
wait_tar (pid_t pid)
{
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR) {
      perror ("waitpid");
      return -1;
    }
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

int
fish_run_copy_in (const char *cmd, size_t argc, char *argv[])
{
  if (argc < 2) {
    fish_usage_error (cmd, "copy-in <localpath> [<localpath> ...] <remotedir>");
    return -1;
  }
  const char *remote = argv[argc - 1];
  int d = guestfs_is_dir (g, remote);
  if (d == -1)
    return -1;
  if (d == 0) {
    fish_error ("target \u2018%s\u2019 is not a directory", remote);
    return -1;
  }

  for (size_t i = 0; i + 1 < argc; ++i) {
    const char *local = argv[i];
    if (access (local, R_OK) == -1) {
      fish_error ("source \u2018%s\u2019 does not exist (or cannot be read)",
                  local);
      return -1;
    }
    char *c1 = strdup (local), *c2 = strdup (local);
    if (c1 == NULL || c2 == NULL) {
      free (c1);
      free (c2);
      perror ("strdup");
      return -1;
    }
    char *dir = dirname (c1), *base = basename (c2);
    char *tar_argv[] = { (char *) "tar", (char *) "-C", dir, (char *) "-cf",
                         (char *) "-", (char *) "--", base, NULL };
    pid_t pid;
    int fd = start_tar (tar_argv, STDOUT_FILENO, &pid);
    free (c1);
    if (fd == -1) {
      free (c2);
      return -1;
    }
    char fdpath[64];
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", fd);
    int r = guestfs_tar_in (g, fdpath, remote);
    close (fd);
    int t = wait_tar (pid);
    free (c2);
    if (r == -1)
      return -1;
    if (t == -1) {
      fprintf (stderr, "copy-in: tar failed on '%s'\n", local);
      return -1;
    }
  }
  return 0;
}

int
fish_run_copy_out (const char *cmd, size_t argc, char *argv[])
{
  if (argc < 2) {
    fish_usage_error (cmd, "copy-out <remotepath> [<remotepath> ...] <localdir>");
    return -1;
  }
  const char *local = argv[argc - 1];
  struct stat st;
  if (stat (local, &st) == -1 || !S_ISDIR (st.st_mode)) {
    fish_error ("target \u2018%s\u2019 is not a directory", local);
    return -1;
  }
  /* The library's copy_out unpacks as an ordinary user would (no owners,
   * no setuid/setgid, no device nodes or FIFOs): one place for that.  */
  for (size_t i = 0; i + 1 < argc; ++i)
    if (guestfs_copy_out (g, argv[i], local) == -1)
      return -1;
  return 0;
}

/* ---- edit, more/less, display, hexedit -------------------------------- */

/* A new empty host file for a copy of a guest file.  suffix (".jpg", for
 * viewers that go by it) comes from a guest name: only a short run of
 * letters, digits, '.', '-' and '_' is kept, so it can never carry a
 * '/' or anything a program could take for syntax.  */
static char *
make_temp (const char *suffix)
{
  const char *tmpdir = getenv ("TMPDIR");
  if (tmpdir == NULL || *tmpdir == '\0')
    tmpdir = "/tmp";
  char safe[17];
  size_t n = 0;
  if (suffix[0] == '.') {
    safe[n++] = '.';
    for (const char *p = suffix + 1; *p && n < sizeof safe - 1; ++p) {
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')) {
        n = 0;                  /* anything else: no suffix at all */
        break;
      }
      safe[n++] = *p;
    }
    if (n == 1)
      n = 0;
  }
  safe[n] = '\0';
  char *path;
  if (asprintf (&path, "%s/guestfishXXXXXX%s", tmpdir, safe) == -1) {
    perror ("asprintf");
    return NULL;
  }
  int fd = mkstemps (path, (int) n);
  if (fd == -1) {
    perror (path);
    free (path);
    return NULL;
  }
  close (fd);
  return path;
}

/* Run "PROGRAM FILE".  The program is the user's ($EDITOR, $PAGER,
 * $GUESTFISH_DISPLAY_IMAGE may carry options, so the shell splits it),
 * but the file goes as a separate argument ("$1"), never into the
 * shell's text: its name may come from the guest.  */
static int
run_on_file (const char *program, const char *file)
{
  char *script;
  if (asprintf (&script, "%s \"$1\"", program) == -1) {
    perror ("asprintf");
    return -1;
  }
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    free (script);
    return -1;
  }
  if (pid == 0) {
    execl ("/bin/sh", "sh", "-c", script, "sh", file, (char *) NULL);
    perror ("/bin/sh");
    _exit (127);
  }
  free (script);
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return -1;
  return 0;
}

static int
file_mtime (const char *path, struct timespec *t, off_t *size)
{
  struct stat st;
  if (stat (path, &st) == -1)
    return -1;
  *t = st.st_mtim;
  *size = st.st_size;
  return 0;
}

int
fish_run_edit (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "edit filename");
    return -1;
  }
  const char *editor;
  if (strcasecmp (cmd, "vi") == 0)
    editor = "vi";
  else if (strcasecmp (cmd, "emacs") == 0)
    editor = "emacs -nw";
  else {
    editor = getenv ("EDITOR");
    if (editor == NULL || *editor == '\0')
      editor = "vi";
  }
  char *path = fish_win_path (argv[0]);
  if (path == NULL)
    return -1;
  char *tmp = make_temp ("");
  int r = -1;
  if (tmp == NULL)
    goto out;
  if (guestfs_download (g, path, tmp) == -1)
    goto out;
  struct timespec before, after;
  off_t s1, s2;
  if (file_mtime (tmp, &before, &s1) == -1)
    goto out;
  if (run_on_file (editor, tmp) == -1) {
    fprintf (stderr, "%s: the editor failed; '%s' is unchanged\n", cmd, path);
    goto out;
  }
  if (file_mtime (tmp, &after, &s2) == -1)
    goto out;
  if (before.tv_sec == after.tv_sec && before.tv_nsec == after.tv_nsec &&
      s1 == s2) {
    r = 0;                       /* not changed: nothing to upload */
    goto out;
  }
  r = guestfs_upload (g, tmp, path);
 out:
  if (tmp) {
    unlink (tmp);
    free (tmp);
  }
  free (path);
  return r;
}

static int
view_file (const char *cmd, const char *program, const char *guest_path,
           const char *suffix)
{
  char *path = fish_win_path (guest_path);
  if (path == NULL)
    return -1;
  char *tmp = make_temp (suffix);
  int r = -1;
  if (tmp && guestfs_download (g, path, tmp) == 0) {
    r = run_on_file (program, tmp);
    if (r == -1)
      fprintf (stderr, "%s: '%s' failed\n", cmd, program);
  }
  if (tmp) {
    unlink (tmp);
    free (tmp);
  }
  free (path);
  return r;
}

int
fish_run_more (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "more filename");
    return -1;
  }
  const char *pager;
  if (strcasecmp (cmd, "less") == 0)
    pager = "less";
  else {
    pager = getenv ("PAGER");
    if (pager == NULL || *pager == '\0')
      pager = "more";
  }
  return view_file (cmd, pager, argv[0], "");
}

int
fish_run_display (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "display filename");
    return -1;
  }
  const char *prog = getenv ("GUESTFISH_DISPLAY_IMAGE");
  if (prog == NULL || *prog == '\0')
    prog = "display";
  const char *dot = strrchr (argv[0], '.');
  const char *suffix = dot && !strchr (dot, '/') ? dot : "";
  return view_file (cmd, prog, argv[0], suffix);
}

int
fish_run_hexedit (const char *cmd, size_t argc, char *argv[])
{
  if (argc < 1 || argc > 3) {
    fish_usage_error (cmd, "hexedit <filename|device> [[<start>] <max>]");
    return -1;
  }
#if defined (GUESTFS_HAVE_DOWNLOAD_OFFSET) && defined (GUESTFS_HAVE_UPLOAD_OFFSET)
  const char *target = argv[0];
  int64_t start = 0, max = -1;
  if (argc == 2 && fish_parse_int64 (cmd, "max", argv[1], &max) == -1)
    return -1;
  if (argc == 3 &&
      (fish_parse_int64 (cmd, "start", argv[1], &start) == -1 ||
       fish_parse_int64 (cmd, "max", argv[2], &max) == -1))
    return -1;
  int64_t size;
  if (strncmp (target, "/dev/", 5) == 0)
    size = guestfs_blockdev_getsize64 (g, target);
  else
    size = guestfs_filesize (g, target);
  if (size == -1)
    return -1;
  if (start < 0 || start > size) {
    fprintf (stderr, "%s: start is beyond the end of %s\n", cmd, target);
    return -1;
  }
  if (max < 0 || start + max > size)
    max = size - start;
  if (max > 16 * 1024 * 1024 && argc == 1) {
    fprintf (stderr, "%s: %s is larger than 16 MiB: give <max> or "
             "<start> <max>\n", cmd, target);
    return -1;
  }
  const char *editor = getenv ("HEXEDITOR");
  if (editor == NULL || *editor == '\0')
    editor = "hexedit";
  char *tmp = make_temp ("");
  int r = -1;
  if (tmp == NULL)
    return -1;
  if (guestfs_download_offset (g, target, tmp, start, max) == -1)
    goto out;
  struct timespec before, after;
  off_t s1, s2;
  if (file_mtime (tmp, &before, &s1) == -1)
    goto out;
  if (run_on_file (editor, tmp) == -1) {
    fprintf (stderr, "%s: '%s' failed\n", cmd, editor);
    goto out;
  }
  if (file_mtime (tmp, &after, &s2) == -1)
    goto out;
  if (before.tv_sec == after.tv_sec && before.tv_nsec == after.tv_nsec) {
    r = 0;
    goto out;
  }
  r = guestfs_upload_offset (g, tmp, target, start);
 out:
  unlink (tmp);
  free (tmp);
  return r;
#else
  fprintf (stderr, "%s: needs the download-offset and upload-offset "
           "commands, which this build does not have yet\n", cmd);
  return -1;
#endif
}
