/* Resolve guest paths inside the mounted guest tree.
 *
 * Every guest path goes through openat2 (RESOLVE_IN_ROOT) relative to
 * /sysroot, so ".." and symlinks (absolute or relative) in a hostile guest
 * resolve inside the guest tree and can never reach the appliance.  The
 * /sysroot fd is opened fresh for each call because mounts on /sysroot
 * change what it refers to.  */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

static int
openat2_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  struct open_how how = {
    .flags = (uint64_t) flags | O_CLOEXEC,
    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  for (;;) {
    long r = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
    if (r >= 0)
      return (int) r;
    /* EAGAIN: a concurrent rename raced the lookup; retry. */
    if (errno != EAGAIN && errno != EINTR)
      return -1;
  }
}

int
sysroot_open (const char *path, int flags, mode_t mode)
{
  int rootfd = open (SYSROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd == -1)
    return -1;
  int fd = openat2_in_root (rootfd, path, flags, mode);
  int saved = errno;
  close (rootfd);
  errno = saved;
  return fd;
}

int
sysroot_open_parent (const char *path, char **base)
{
  size_t len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    len--;                                  /* ignore trailing slashes */
  const char *end = path + len;
  const char *slash = end;
  while (slash > path && slash[-1] != '/')
    slash--;
  size_t blen = (size_t) (end - slash);
  char *b = blen ? strndup (slash, blen) : strdup (".");
  char *parent = strndup (path, (size_t) (slash - path));
  if (!b || !parent) {
    free (b);
    free (parent);
    errno = ENOMEM;
    return -1;
  }
  int fd = sysroot_open (parent, O_PATH | O_DIRECTORY, 0);
  int saved = errno;
  free (parent);
  if (fd == -1) {
    free (b);
    errno = saved;
    return -1;
  }
  if (strcmp (b, "..") == 0) {
    /* "/a/b/.." names a directory: resolve all of it, operate on ".". */
    close (fd);
    free (b);
    b = strdup (".");
    fd = sysroot_open (path, O_PATH | O_DIRECTORY, 0);
    if (fd == -1 || !b) {
      saved = errno;
      free (b);
      if (fd >= 0) close (fd);
      errno = saved;
      return -1;
    }
  }
  *base = b;
  return fd;
}

int
sysroot_stat (const char *path, struct stat *st, bool follow)
{
  int fd = sysroot_open (path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
  if (fd == -1)
    return -1;
  int r = fstat (fd, st);
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

char *
fd_path (int fd)
{
  char *p;
  /* The daemon's pid, not "self": the path is often handed to a child. */
  if (asprintf (&p, "/proc/%d/fd/%d", (int) getpid (), fd) == -1)
    return NULL;
  return p;
}

/* What an object that is not a regular file is, for the error. */
static const char *
not_regular (mode_t mode)
{
  if (S_ISREG (mode))
    return NULL;
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISLNK (mode))
    return "a symbolic link";
  return "an unknown type";
}

int
sysroot_open_data_quiet (const char *path, int flags, mode_t mode,
                         const char **why)
{
  const char *w = NULL;
  struct stat st;
  int data_flags = (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH |
                              O_DIRECTORY | O_TMPFILE))
                   | O_NOCTTY | O_CLOEXEC;
  int pfd = sysroot_open (path, O_PATH | (flags & O_NOFOLLOW), 0);
  if (pfd == -1) {
    if (errno != ENOENT || !(flags & O_CREAT))
      return -1;
    /* Missing: create it.  O_NONBLOCK so that, should something other
     * than a regular file appear at the name meanwhile, opening it cannot
     * block; the type is checked on what was opened.  */
    int fd = sysroot_open (path, (flags & ~O_PATH) | O_NONBLOCK | O_NOCTTY, mode);
    if (fd == -1)
      return -1;
    if (fstat (fd, &st) == -1 || (w = not_regular (st.st_mode)) != NULL) {
      int e = w ? (S_ISDIR (st.st_mode) ? EISDIR : EINVAL) : errno;
      close (fd);
      if (why)
        *why = w;
      errno = e;
      return -1;
    }
    if (!(flags & O_NONBLOCK))
      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  if (fstat (pfd, &st) == -1) {
    int e = errno;
    close (pfd);
    errno = e;
    return -1;
  }
  if ((w = not_regular (st.st_mode)) != NULL) {
    close (pfd);
    if (why)
      *why = w;
    errno = S_ISDIR (st.st_mode) ? EISDIR : EINVAL;
    return -1;
  }
  if ((flags & O_CREAT) && (flags & O_EXCL)) {
    close (pfd);
    errno = EEXIST;
    return -1;
  }
  /* Reopen the very inode that was checked (the O_PATH fd pins it), so
   * nothing can be swapped in between the check and the open.  */
  char p[64];
  snprintf (p, sizeof p, "/proc/self/fd/%d", pfd);
  int fd = open (p, data_flags);
  int e = errno;
  close (pfd);
  errno = e;
  return fd;
}

int
sysroot_open_data (const char *path, int flags, mode_t mode)
{
  const char *why = NULL;
  int fd = sysroot_open_data_quiet (path, flags, mode, &why);
  if (fd == -1) {
    if (why)
      reply_with_error_errno (errno, "%s: not a regular file (%s)", path, why);
    else
      reply_with_perror ("%s", path);
  }
  return fd;
}
