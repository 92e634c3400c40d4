/* Actions on single files inside the guest tree: create, read, write, test,
 * stat, link, change mode and owner.
 *
 * Every guest path is resolved by sysroot_open / sysroot_open_parent
 * (openat2 with RESOLVE_IN_ROOT), so absolute symlinks and ".." stay inside
 * the guest.  Operations on the final component use *at() calls on the
 * parent fd, or act on an fd (fstat, futimens, fchownat AT_EMPTY_PATH);
 * nothing here builds "/sysroot" + path.  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* "/proc/self/fd/N": only for system calls made by this process. */
static void
self_fd_path (char *buf, size_t len, int fd)
{
  snprintf (buf, len, "/proc/self/fd/%d", fd);
}

/* Read all of fd into a malloc'd buffer (NUL-terminated, NUL not counted).
 * More than limit bytes: errno EFBIG.  */
static char *
read_all (int fd, size_t limit, size_t *size_r)
{
  struct stat st;
  size_t alloc = 65536, len = 0;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode)) {
    if ((uint64_t) st.st_size > limit) {
      errno = EFBIG;
      return NULL;
    }
    alloc = (size_t) st.st_size + 1;
  }
  char *buf = malloc (alloc);
  if (buf == NULL)
    return NULL;
  for (;;) {
    if (len + 1 >= alloc) {
      if (alloc > limit + 1) {
        free (buf);
        errno = EFBIG;
        return NULL;
      }
      size_t nalloc = alloc * 2;
      if (nalloc > limit + 2)
        nalloc = limit + 2;
      char *nb = realloc (buf, nalloc);
      if (nb == NULL) {
        free (buf);
        return NULL;
      }
      buf = nb;
      alloc = nalloc;
    }
    ssize_t r = read (fd, buf + len, alloc - len - 1);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      int e = errno;
      free (buf);
      errno = e;
      return NULL;
    }
    if (r == 0)
      break;
    len += (size_t) r;
    if (len > limit) {
      free (buf);
      errno = EFBIG;
      return NULL;
    }
  }
  buf[len] = '\0';
  *size_r = len;
  return buf;
}

static int
write_all_fd (int fd, const char *buf, size_t len)
{
  while (len > 0) {
    ssize_t r = write (fd, buf, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    buf += r;
    len -= (size_t) r;
  }
  return 0;
}

int
do_touch (const char *path)
{
  struct stat st;
  if (sysroot_stat (path, &st, false) == 0 && !S_ISREG (st.st_mode)) {
    reply_with_error_errno (EINVAL, "%s: touch can only be used on regular files", path);
    return -1;
  }
  CLEANUP_CLOSE int fd = sysroot_open (path, O_WRONLY | O_CREAT | O_NOCTTY |
                                       O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  if (futimens (fd, NULL) == -1) {
    reply_with_perror ("futimens: %s", path);
    return -1;
  }
  return 0;
}

static int
write_file (const char *path, const char *content, size_t size, int extra_flags)
{
  int fd = sysroot_open_data (path, O_WRONLY | O_CREAT | extra_flags, 0666);
  if (fd == -1)
    return -1;
  if (write_all_fd (fd, content, size) == -1) {
    reply_with_perror ("write: %s", path);
    close (fd);
    return -1;
  }
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", path);
    return -1;
  }
  return 0;
}

int
do_write (const char *path, const char *content, size_t content_size)
{
  return write_file (path, content, content_size, O_TRUNC);
}

int
do_write_append (const char *path, const char *content, size_t content_size)
{
  return write_file (path, content, content_size, O_APPEND);
}

/* Shared by read_file and cat.  */
static char *
read_guest_file (const char *action, const char *path, size_t *size_r)
{
  CLEANUP_CLOSE int fd = sysroot_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  char *buf = read_all (fd, XDR_MAX_STRING, size_r);
  if (buf == NULL) {
    if (errno == EFBIG)
      reply_with_error_errno (EFBIG,
                              "%s: file is too large for %s (the limit is %u bytes); "
                              "use download instead", path, action,
                              (unsigned) XDR_MAX_STRING);
    else
      reply_with_perror ("read: %s", path);
    return NULL;
  }
  return buf;
}

char *
do_read_file (const char *path, size_t *size_r)
{
  return read_guest_file ("read_file", path, size_r);
}

char *
do_cat (const char *path)
{
  size_t size;
  /* The string ends at the first NUL, as documented. */
  return read_guest_file ("cat", path, &size);
}

int
do_exists (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd >= 0)
    return 1;
  switch (errno) {
  case ENOENT: case ENOTDIR: case ELOOP: case ENAMETOOLONG: case EACCES:
  case EXDEV:
    return 0;
  default:
    reply_with_perror ("%s", path);
    return -1;
  }
}

/* 1 if the path has this file type, 0 if not or missing, -1 error. */
static int
is_type (const char *path, mode_t type, bool follow)
{
  struct stat st;
  if (sysroot_stat (path, &st, follow) == -1) {
    if (errno == ENOENT || errno == ENOTDIR || (follow && errno == ELOOP))
      return 0;
    reply_with_perror ("%s", path);
    return -1;
  }
  return (st.st_mode & S_IFMT) == type;
}

int
do_is_file (const char *path, int followsymlinks)
{
  bool follow = (optargs_bitmask & GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS_BITMASK) &&
    followsymlinks;
  return is_type (path, S_IFREG, follow);
}

int
do_is_dir (const char *path, int followsymlinks)
{
  bool follow = (optargs_bitmask & GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS_BITMASK) &&
    followsymlinks;
  return is_type (path, S_IFDIR, follow);
}

int
do_is_symlink (const char *path)
{
  return is_type (path, S_IFLNK, false);
}

int64_t
do_filesize (const char *file)
{
  struct stat st;
  if (sysroot_stat (file, &st, true) == -1) {
    reply_with_perror ("%s", file);
    return -1;
  }
  return (int64_t) st.st_size;
}

static struct guestfs_statns *
statns_of (const char *path, bool follow)
{
  struct stat st;
  if (sysroot_stat (path, &st, follow) == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  struct guestfs_statns *r = calloc (1, sizeof *r);
  if (r == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  r->st_dev = (int64_t) st.st_dev;
  r->st_ino = (int64_t) st.st_ino;
  r->st_mode = (int64_t) st.st_mode;
  r->st_nlink = (int64_t) st.st_nlink;
  r->st_uid = (int64_t) st.st_uid;
  r->st_gid = (int64_t) st.st_gid;
  r->st_rdev = (int64_t) st.st_rdev;
  r->st_size = (int64_t) st.st_size;
  r->st_blksize = (int64_t) st.st_blksize;
  r->st_blocks = (int64_t) st.st_blocks;
  r->st_atime_sec = (int64_t) st.st_atim.tv_sec;
  r->st_atime_nsec = (int64_t) st.st_atim.tv_nsec;
  r->st_mtime_sec = (int64_t) st.st_mtim.tv_sec;
  r->st_mtime_nsec = (int64_t) st.st_mtim.tv_nsec;
  r->st_ctime_sec = (int64_t) st.st_ctim.tv_sec;
  r->st_ctime_nsec = (int64_t) st.st_ctim.tv_nsec;
  return r;
}

struct guestfs_statns *
do_statns (const char *path)
{
  return statns_of (path, true);
}

struct guestfs_statns *
do_lstatns (const char *path)
{
  return statns_of (path, false);
}

char *
do_readlink (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  if (!S_ISLNK (st.st_mode)) {
    reply_with_error_errno (EINVAL, "%s: not a symbolic link", path);
    return NULL;
  }
  size_t alloc = 256;
  for (;;) {
    char *buf = malloc (alloc);
    if (buf == NULL) {
      reply_with_perror ("malloc");
      return NULL;
    }
    ssize_t r = readlinkat (fd, "", buf, alloc);
    if (r == -1) {
      reply_with_perror ("%s", path);
      free (buf);
      return NULL;
    }
    if ((size_t) r < alloc) {
      buf[r] = '\0';
      return buf;
    }
    free (buf);
    if (alloc >= 1024 * 1024) {
      reply_with_error ("%s: symbolic link target is too long", path);
      return NULL;
    }
    alloc *= 4;
  }
}

int
do_ln_s (const char *target, const char *linkname)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (linkname, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", linkname);
    return -1;
  }
  if (symlinkat (target, dfd, base) == 0)
    return 0;
  int err = errno;

  /* Like ln -s: an existing directory as linkname gets the link inside it,
   * named after the target's last component.  */
  struct stat st;
  if (err == EEXIST && sysroot_stat (linkname, &st, true) == 0 &&
      S_ISDIR (st.st_mode)) {
    const char *name = strrchr (target, '/');
    name = name ? name + 1 : target;
    if (*name && strcmp (name, ".") != 0 && strcmp (name, "..") != 0) {
      CLEANUP_CLOSE int ddfd = sysroot_open (linkname, O_PATH | O_DIRECTORY |
                                             O_CLOEXEC, 0);
      if (ddfd >= 0 && symlinkat (target, ddfd, name) == 0)
        return 0;
      err = errno;
    }
  }
  reply_with_error_errno (err, "%s: %s", linkname, strerror (err));
  return -1;
}

int
do_rm (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 || unlinkat (dfd, base, 0) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

int
do_chmod (int mode, const char *path)
{
  if (mode < 0) {
    reply_with_error_errno (EINVAL, "%s: mode is negative", path);
    return -1;
  }
  /* chmod follows symlinks; the O_PATH fd is the resolved file and the
   * /proc/self/fd link names exactly it.  */
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  char p[64];
  self_fd_path (p, sizeof p, fd);
  if (chmod (p, (mode_t) mode & 07777) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

int
do_chown (int owner, int group, const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd == -1 ||
      fchownat (fd, "", (uid_t) owner, (gid_t) group, AT_EMPTY_PATH) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}
