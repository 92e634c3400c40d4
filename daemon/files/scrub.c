/* scrub_device, scrub_file, scrub_freespace: scrub(1).
 *
 * scrub takes plain paths: guest paths are resolved inside the guest
 * tree first, and scrub gets the symlink-free appliance path of what was
 * opened (nothing else changes the guest tree meanwhile).  -f scrubs
 * even what an earlier run marked as scrubbed: the caller asked for it.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

static char *
real_path (int fd)
{
  char p[64], buf[PATH_MAX];
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (p, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  return strdup (buf);
}

static int
run_scrub (const char *what, const char *opt, const char *path)
{
  const char *argv[6];
  size_t n = 0;
  argv[n++] = "scrub";
  argv[n++] = opt;
  argv[n++] = "--";
  argv[n++] = path;
  argv[n] = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("scrub: %s: %s", what,
                      err && *err ? trim_newlines (err) : r == -1 ? strerror (errno) :
                      "failed");
    return -1;
  }
  return 0;
}

int
do_scrub_device (const char *device)
{
  return run_scrub (device, "-f", device);
}

int
do_scrub_file (const char *file)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (file, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", file);
    return -1;
  }
  /* The file's data, following a symlink inside the guest. */
  CLEANUP_CLOSE int fd = sysroot_open (file, O_PATH, 0);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    reply_with_perror ("%s", file);
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    reply_with_error_errno (S_ISDIR (st.st_mode) ? EISDIR : EINVAL,
                            "%s: not a regular file", file);
    return -1;
  }
  CLEANUP_FREE char *real = real_path (fd);
  if (real == NULL) {
    reply_with_perror ("%s", file);
    return -1;
  }
  if (run_scrub (file, "-f", real) == -1)
    return -1;
  /* Then remove the name given (a symlink, not its target). */
  if (unlinkat (dfd, base, 0) == -1) {
    reply_with_perror ("%s: scrubbed, but removing it failed", file);
    return -1;
  }
  return 0;
}

int
do_scrub_freespace (const char *dir)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (dir, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", dir);
    return -1;
  }
  struct stat st;
  if (strcmp (base, ".") == 0 || fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    reply_with_error_errno (EEXIST, "%s: already exists (scrub_freespace creates "
                            "the directory)", dir);
    return -1;
  }
  CLEANUP_FREE char *real = real_path (dfd);
  CLEANUP_FREE char *path = NULL;
  if (real == NULL || asprintf (&path, "%s/%s", real, base) == -1) {
    reply_with_perror ("%s", dir);
    return -1;
  }
  /* scrub makes the directory (mkdir: never through a symlink), fills
   * the filesystem with files in it, scrubs and removes them all.  */
  return run_scrub (dir, "-X", path);
}
