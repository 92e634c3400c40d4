/* Helpers for the file actions (files-common.h): safe opening of guest
 * files for their data, child processes, FileOut streams, and the tree
 * walk.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include "files-common.h"

int
f2_check_names (char *const *names)
{
  for (size_t i = 0; names[i]; i++)
    if (strchr (names[i], '/')) {
      reply_with_error_errno (EINVAL, "names: '%s' is not a file name", names[i]);
      return -1;
    }
  return 0;
}

int
f2_open_data (const char *path, int flags, mode_t mode)
{
  return sysroot_open_data (path, flags, mode);
}

int
f2_open_device (const char *device, int flags)
{
  int fd = open (device, flags | O_CLOEXEC | O_NOCTTY);
  if (fd == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  return fd;
}

int
f2_open_dev_or_path (const char *s, int flags, mode_t mode)
{
  if (strncmp (s, "/dev/", 5) == 0)
    return f2_open_device (s, flags & ~O_CREAT);
  return f2_open_data (s, flags, mode);
}

uint64_t
f2_fd_size (int fd)
{
  struct stat st;
  if (fstat (fd, &st) == -1)
    return 0;
  if (S_ISREG (st.st_mode))
    return (uint64_t) st.st_size;
  if (S_ISBLK (st.st_mode)) {
    uint64_t sz;
    if (ioctl (fd, BLKGETSIZE64, &sz) == 0)
      return sz;
  }
  return 0;
}

ssize_t
f2_read_full (int fd, void *buf, size_t len)
{
  size_t got = 0;
  while (got < len) {
    ssize_t r = read (fd, (char *) buf + got, len - got);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t) r;
  }
  return (ssize_t) got;
}

int
f2_write_full (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t r = write (fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    len -= (size_t) r;
  }
  return 0;
}

ssize_t
f2_pread_full (int fd, void *buf, size_t len, off_t off)
{
  size_t got = 0;
  while (got < len) {
    ssize_t r = pread (fd, (char *) buf + got, len - got, off + (off_t) got);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t) r;
  }
  return (ssize_t) got;
}

int
f2_pwrite_full (int fd, const void *buf, size_t len, off_t off)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t r = pwrite (fd, p, len, off);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    off += r;
    len -= (size_t) r;
  }
  return 0;
}

void
f2_stream_writer_init (struct f2_stream_writer *w, int fd, uint64_t pos)
{
  memset (w, 0, sizeof *w);
  w->fd = fd;
  w->pos = pos;
}

int
f2_set_direct (int fd, bool on)
{
  int fl = fcntl (fd, F_GETFL);
  if (fl == -1 || fcntl (fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) == -1)
    return -1;
  return 0;
}

static bool
set_direct (struct f2_stream_writer *w, bool on)
{
  if (w->direct == on)
    return true;
  if (f2_set_direct (w->fd, on) == -1)
    return false;
  w->direct = on;
  return true;
}

int
f2_stream_write (struct f2_stream_writer *w, const void *buf, size_t len)
{
  bool aligned = !w->direct_failed && (uintptr_t) buf % BULK_ALIGN == 0 &&
                 len % 512 == 0 && w->pos % 512 == 0;
  if (!set_direct (w, aligned)) {
    if (!aligned)
      return -1;
    w->direct_failed = true;
    if (!set_direct (w, false))
      return -1;
  }
  int r = f2_pwrite_full (w->fd, buf, len, (off_t) w->pos);
  if (r == -1 && errno == EINVAL && w->direct) {
    /* The filesystem or device wants another alignment: buffered. */
    w->direct_failed = true;
    if (!set_direct (w, false))
      return -1;
    r = f2_pwrite_full (w->fd, buf, len, (off_t) w->pos);
  }
  if (r == 0)
    w->pos += len;
  return r;
}

int
f2_stream_receive_cb (void *opaque, const void *buf, size_t len)
{
  struct f2_stream_writer *w = opaque;
  if (f2_stream_write (w, buf, len) == -1) {
    w->write_errno = errno;
    return -1;
  }
  /* No notify_progress here: the host is busy writing the stream and
   * reads only acknowledgements until it ends; the library, which knows
   * the file size, reports upload progress.  */
  return 0;
}

int
f2_receive_into (const char *name, int fd, uint64_t pos, bool is_device)
{
  struct f2_stream_writer w;
  f2_stream_writer_init (&w, fd, pos);
  int r = receive_file (f2_stream_receive_cb, &w);
  int e = errno;
  if (r == -1) {
    close (fd);
    if (w.write_errno)
      reply_with_error_errno (w.write_errno, "write: %s: %s", name, strerror (w.write_errno));
    else if (e == ECANCELED)
      reply_with_error_errno (e, "%s: file upload cancelled", name);
    else
      reply_with_error_errno (e, "%s: file upload failed: %s", name, strerror (e));
    return -1;
  }
  if (is_device && fsync (fd) == -1) {
    reply_with_perror ("fsync: %s", name);
    close (fd);
    return -1;
  }
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", name);
    return -1;
  }
  return 0;
}

bool
f2_is_zero (const void *buf, size_t len)
{
  const unsigned char *p = buf;
  /* Compare the buffer with itself shifted: all equal to the first byte,
   * and the first byte zero.  */
  if (len == 0)
    return true;
  return p[0] == 0 && (len == 1 || memcmp (p, p + 1, len - 1) == 0);
}

/* ---- child processes ---- */

int
f2_memfd (const char *name)
{
  return memfd_create (name, MFD_CLOEXEC);
}

char *
f2_memfd_contents (int fd, size_t limit, size_t *len)
{
  off_t size = lseek (fd, 0, SEEK_END);
  if (size < 0)
    return NULL;
  if ((uint64_t) size > limit) {
    errno = EFBIG;
    return NULL;
  }
  char *buf = malloc ((size_t) size + 1);
  if (buf == NULL)
    return NULL;
  ssize_t r = f2_pread_full (fd, buf, (size_t) size, 0);
  if (r < 0) {
    free (buf);
    return NULL;
  }
  buf[r] = '\0';
  if (len)
    *len = (size_t) r;
  return buf;
}

/* ---- FileOut filled by the daemon ---- */

int
f2_out_init (struct f2_out *o)
{
  memset (o, 0, sizeof *o);
  o->buf = send_file_buffer (HATCH_CHUNK_SIZE);
  return o->buf ? 0 : -1;
}

int
f2_out_write (struct f2_out *o, const void *data, size_t len)
{
  const char *p = data;
  if (o->broken)
    return -1;
  while (len > 0) {
    size_t n = HATCH_CHUNK_SIZE - o->len;
    if (n > len)
      n = len;
    memcpy (o->buf + o->len, p, n);
    o->len += n;
    p += n;
    len -= n;
    if (o->len == HATCH_CHUNK_SIZE) {
      o->started = true;
      if (send_file_write (o->buf, o->len) == -1) {
        o->broken = true;
        return -1;
      }
      o->len = 0;
    }
  }
  return 0;
}

int
f2_out_finish (struct f2_out *o, const char *what)
{
  int r = 0;
  if (o->broken ||
      (o->len > 0 && send_file_write (o->buf, o->len) == -1) ||
      send_file_end (0) == -1) {
    reply_with_error ("%s: sending the output failed", what);
    r = -1;
  }
  free (o->buf);
  o->buf = NULL;
  return r;
}

void
f2_out_abort (struct f2_out *o)
{
  if (o->started && !o->broken)
    send_file_end (1);
  free (o->buf);
  o->buf = NULL;
}

/* ---- tree walk ---- */

static int
walk_dir (int dfd, const char *prefix, f2_walk_cb cb, void *opaque,
          char **failed, int depth)
{
  if (depth > 4096) {
    errno = ELOOP;
    *failed = strdup (prefix);
    return -1;
  }
  int fd = openat (dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL) {
    int e = errno;
    if (fd >= 0)
      close (fd);
    *failed = strdup (*prefix ? prefix : ".");
    errno = e;
    return -1;
  }
  struct dirent *de;
  int ret = 0;
  for (;;) {
    errno = 0;
    de = readdir (d);
    if (de == NULL) {
      if (errno != 0) {
        int e = errno;
        *failed = strdup (*prefix ? prefix : ".");
        errno = e;
        ret = -1;
      }
      break;
    }
    if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
      continue;
    char *rel;
    if (asprintf (&rel, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) == -1) {
      ret = -1;
      break;
    }
    struct stat st;
    if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
      int e = errno;
      *failed = rel;
      errno = e;
      ret = -1;
      break;
    }
    if (cb (opaque, rel, &st) == -1) {
      free (rel);
      ret = -1;
      break;
    }
    if (S_ISDIR (st.st_mode)) {
      int sub = openat (dirfd (d), de->d_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub == -1) {
        int e = errno;
        *failed = rel;
        errno = e;
        ret = -1;
        break;
      }
      int r = walk_dir (sub, rel, cb, opaque, failed, depth + 1);
      int e = errno;
      close (sub);
      if (r == -1) {
        free (rel);
        errno = e;
        ret = -1;
        break;
      }
    }
    free (rel);
  }
  int e = errno;
  closedir (d);
  errno = e;
  return ret;
}

int
f2_walk (int topfd, f2_walk_cb cb, void *opaque, char **failed)
{
  *failed = NULL;
  return walk_dir (topfd, "", cb, opaque, failed, 0);
}

