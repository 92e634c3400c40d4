/* guestfs_copy_in / guestfs_copy_out: whole files and directory trees
 * between the host and the guest, as a host tar piped through the
 * daemon's tar_in / tar_out (or download for a single file). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

struct tar_proc {
  pid_t pid;
  int fd;        /* our end of tar's stdin or stdout */
  int errfd;     /* tar's stderr */
};

/* Start tar argv with its stdin (to_tar) or stdout on a pipe. */
static int
start_tar (guestfs_h *g, const char *what, char *const *argv, bool to_tar,
           struct tar_proc *t)
{
  int data[2], err[2];
  if (pipe2 (data, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "%s: pipe", what);
    return -1;
  }
  if (pipe2 (err, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "%s: pipe", what);
    close (data[0]);
    close (data[1]);
    return -1;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "%s: fork", what);
    close (data[0]); close (data[1]); close (err[0]); close (err[1]);
    return -1;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (to_tar ? data[0] : null, 0);
    dup2 (to_tar ? null : data[1], 1);
    dup2 (err[1], 2);
    execvp (argv[0], argv);
    dprintf (2, "%s: %s", argv[0], strerror (errno));
    _exit (127);
  }
  close (to_tar ? data[0] : data[1]);
  close (err[1]);
  t->pid = pid;
  t->fd = to_tar ? data[1] : data[0];
  t->errfd = err[0];
  /* A tar that fails fast must not block on a full stderr pipe while we
   * stream: its stderr is small, but read it without blocking later. */
  return 0;
}

/* Close our end, reap tar; on failure set the error (with tar's stderr)
 * unless report is false. */
static int
finish_tar (guestfs_h *g, const char *what, struct tar_proc *t, bool report)
{
  if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
  char buf[2048];
  size_t len = 0;
  ssize_t r;
  while ((r = read (t->errfd, buf + len, sizeof buf - 1 - len)) > 0 ||
         (r == -1 && errno == EINTR)) {
    if (r > 0)
      len += (size_t) r;
    if (len == sizeof buf - 1)
      break;
  }
  buf[len] = '\0';
  while (len && buf[len - 1] == '\n')
    buf[--len] = '\0';
  close (t->errfd);
  int status;
  while (waitpid (t->pid, &status, 0) == -1)
    if (errno != EINTR) {
      if (report)
        guestfs_int_perrorf (g, "%s: waitpid", what);
      return -1;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    if (report)
      error (g, "%s: tar failed%s%s", what, len ? ": " : "", buf);
    return -1;
  }
  return 0;
}

int
guestfs_impl_copy_in (guestfs_h *g, const char *localpath, const char *remotedir)
{
  struct stat st;
  if (stat (localpath, &st) == -1) {
    guestfs_int_perrorf (g, "copy_in: %s", localpath);
    return -1;
  }
  int d = guestfs_is_dir (g, remotedir);
  if (d == -1)
    return -1;
  if (d == 0) {
    error (g, "copy_in: target '%s' is not a directory", remotedir);
    return -1;
  }
  char *c1 = guestfs_int_safe_strdup (g, localpath);
  char *c2 = guestfs_int_safe_strdup (g, localpath);
  char *dir = dirname (c1), *base = basename (c2);
  char *argv[] = { (char *) "tar", (char *) "-C", dir, (char *) "-cf", (char *) "-",
                   (char *) "--", base, NULL };
  struct tar_proc t;
  int ret = -1;
  if (start_tar (g, "copy_in", argv, false, &t) == 0) {
    char fdpath[64];
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", t.fd);
    int r = guestfs_tar_in (g, fdpath, remotedir);
    /* Report tar's failure only when the transfer itself went well. */
    int tr = finish_tar (g, "copy_in", &t, r == 0);
    ret = r == 0 && tr == 0 ? 0 : -1;
  }
  free (c1);
  free (c2);
  return ret;
}

int
guestfs_impl_copy_out (guestfs_h *g, const char *remotepath, const char *localdir)
{
  struct stat st;
  if (stat (localdir, &st) == -1 || !S_ISDIR (st.st_mode)) {
    error (g, "copy_out: target '%s' is not a directory", localdir);
    return -1;
  }
  int f = guestfs_is_file (g, remotepath);
  if (f == -1)
    return -1;
  char *c = guestfs_int_safe_strdup (g, remotepath);
  char *base = basename (c);
  char *dest = NULL;
  int ret = -1;
  if (f) {
    if (asprintf (&dest, "%s/%s", localdir, base) == -1) {
      dest = NULL;
      guestfs_int_perrorf (g, "copy_out");
      goto out;
    }
    ret = guestfs_download (g, remotepath, dest);
    goto out;
  }
  int d = guestfs_is_dir (g, remotepath);
  if (d == -1)
    goto out;
  if (d == 0) {
    error (g, "copy_out: '%s' is not a file or directory", remotepath);
    goto out;
  }
  /* A directory lands as LOCALDIR/BASENAME (the root: in LOCALDIR). */
  if (strcmp (base, "/") == 0 || !*base)
    dest = guestfs_int_safe_strdup (g, localdir);
  else if (asprintf (&dest, "%s/%s", localdir, base) == -1) {
    dest = NULL;
    guestfs_int_perrorf (g, "copy_out");
    goto out;
  }
  if (mkdir (dest, 0777) == -1 && errno != EEXIST) {
    guestfs_int_perrorf (g, "copy_out: %s", dest);
    goto out;
  }
  char *argv[] = { (char *) "tar", (char *) "-C", dest, (char *) "-xf", (char *) "-", NULL };
  struct tar_proc t;
  if (start_tar (g, "copy_out", argv, true, &t) == 0) {
    char fdpath[64];
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", t.fd);
    int r = guestfs_tar_out (g, remotepath, fdpath);
    int tr = finish_tar (g, "copy_out", &t, r == 0);
    ret = r == 0 && tr == 0 ? 0 : -1;
  }
 out:
  free (dest);
  free (c);
  return ret;
}
