/* Minimal writer for the "newc" cpio format the kernel unpacks as an
 * initramfs: a 110-byte ASCII header, the NUL-terminated name, then the
 * data, each padded to 4 bytes, ending with a "TRAILER!!!" entry.  All
 * entries are owned by root, so no privileges are needed to make one.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static void
put (struct cpio *c, const void *data, size_t len)
{
  const char *p = data;
  while (!c->err && len > 0) {
    ssize_t r = write (c->fd, p, len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { c->err = errno; return; }
    p += r;
    len -= r;
  }
}

static void
pad4 (struct cpio *c, size_t len)
{
  static const char zeros[4];
  if (len & 3)
    put (c, zeros, 4 - (len & 3));
}

static int
entry (struct cpio *c, const char *name, mode_t mode, unsigned nlink,
       unsigned major, unsigned minor, const void *data, size_t len)
{
  char hdr[111];
  size_t namelen = strlen (name) + 1;
  if (len > 0xffffffffu || namelen > 4096)
    return -1;
  snprintf (hdr, sizeof hdr,
            "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
            ++c->ino, (unsigned) mode, 0u, 0u, nlink, 0u /* mtime */,
            (unsigned) len, 0u, 0u, major, minor, (unsigned) namelen, 0u);
  put (c, hdr, 110);
  put (c, name, namelen);
  pad4 (c, 110 + namelen);
  put (c, data, len);
  pad4 (c, len);
  return c->err ? -1 : 0;
}

int
cpio_open (struct cpio *c, const char *path)
{
  c->ino = 0;
  c->err = 0;
  c->fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                0644);
  return c->fd < 0 ? -1 : 0;
}

int
cpio_add_dir (struct cpio *c, const char *name, mode_t mode)
{
  return entry (c, name, S_IFDIR | (mode & 07777), 2, 0, 0, NULL, 0);
}

int
cpio_add_file (struct cpio *c, const char *name, mode_t mode,
               const void *data, size_t len)
{
  return entry (c, name, S_IFREG | (mode & 07777), 1, 0, 0, data, len);
}

int
cpio_add_node (struct cpio *c, const char *name, mode_t mode,
               unsigned major, unsigned minor)
{
  return entry (c, name, mode, 1, major, minor, NULL, 0);
}

int
cpio_close (struct cpio *c)
{
  entry (c, "TRAILER!!!", 0, 1, 0, 0, NULL, 0);
  int err = c->err;
  if (close (c->fd) < 0 && !err)
    err = errno;
  c->fd = -1;
  if (err) { errno = err; return -1; }
  return 0;
}
