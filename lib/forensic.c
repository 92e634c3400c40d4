/* Library halves of filesystem_walk, find_inode, journal_get and
 * yara_scan.  Each calls its internal_* daemon action, which streams its
 * results into a temporary file as records (a 4-byte big-endian length,
 * then one XDR-encoded struct), and decodes the records here.  This way
 * the result is not limited by the size of one protocol message.  The
 * daemon is not trusted: every length is checked before it is used. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"
#include "protocol-gen.h"

/* A record larger than this is a protocol error. */
#define MAX_RECORD (16u * 1024 * 1024)

/* A temporary file name in the handle's tmpdir (malloc'd, file created
 * empty), or NULL after setting the error. */
static char *
make_tmpfile (guestfs_h *g)
{
  char *dir = guestfs_impl_get_tmpdir (g);
  if (dir == NULL)
    return NULL;
  char *path = NULL;
  if (asprintf (&path, "%s/hatch-recordsXXXXXX", dir) == -1) {
    guestfs_int_perrorf (g, "asprintf");
    free (dir);
    return NULL;
  }
  free (dir);
  int fd = mkostemp (path, O_CLOEXEC);
  if (fd == -1) {
    guestfs_int_perrorf (g, "mkstemp: %s", path);
    free (path);
    return NULL;
  }
  close (fd);
  return path;
}

/* Read the whole file (malloc'd); NULL after setting the error. */
static char *
slurp (guestfs_h *g, const char *name, const char *path, size_t *len_r)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    guestfs_int_perrorf (g, "%s: %s", name, path);
    return NULL;
  }
  struct stat st;
  if (fstat (fd, &st) == -1) {
    guestfs_int_perrorf (g, "%s: %s", name, path);
    close (fd);
    return NULL;
  }
  size_t size = (size_t) st.st_size;
  char *buf = malloc (size ? size : 1);
  if (buf == NULL) {
    guestfs_int_perrorf (g, "%s: malloc", name);
    close (fd);
    return NULL;
  }
  size_t have = 0;
  while (have < size) {
    ssize_t n = read (fd, buf + have, size - have);
    if (n == -1 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == -1)
        guestfs_int_perrorf (g, "%s: read: %s", name, path);
      else
        error (g, "%s: %s: file shrank while reading", name, path);
      free (buf);
      close (fd);
      return NULL;
    }
    have += (size_t) n;
  }
  close (fd);
  *len_r = size;
  return buf;
}

/* Decode the records of one struct type into a growing array. */
typedef int (*decode_fn) (struct xdr *x, void *elem);
typedef void (*free_fn) (void *elem);

static void *
decode_records (guestfs_h *g, const char *name, const char *buf, size_t len,
                size_t elemsize, decode_fn dec, free_fn fr, uint32_t *count_r)
{
  char *arr = NULL;
  size_t n = 0, alloc = 0, pos = 0;
  while (pos < len) {
    if (len - pos < 4)
      goto bad;
    const unsigned char *p = (const unsigned char *) buf + pos;
    uint32_t rlen = (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 |
                    (uint32_t) p[2] << 8 | p[3];
    pos += 4;
    if (rlen > MAX_RECORD || rlen > len - pos || n >= UINT32_MAX - 1)
      goto bad;
    if (n == alloc) {
      alloc = alloc ? alloc * 2 : 64;
      char *t = realloc (arr, alloc * elemsize);
      if (t == NULL) {
        guestfs_int_perrorf (g, "%s: realloc", name);
        goto fail;
      }
      arr = t;
    }
    void *elem = arr + n * elemsize;
    memset (elem, 0, elemsize);
    struct xdr x;
    xdr_dec_init (&x, buf + pos, rlen);
    if (dec (&x, elem) == -1 || !xdr_at_end (&x)) {
      fr (elem);
      goto bad;
    }
    n++;
    pos += rlen;
  }
  if (arr == NULL && (arr = malloc (elemsize)) == NULL) {
    guestfs_int_perrorf (g, "%s: malloc", name);
    return NULL;
  }
  *count_r = (uint32_t) n;
  return arr;
 bad:
  error (g, "%s: the daemon sent a malformed record", name);
 fail:
  for (size_t i = 0; i < n; ++i)
    fr (arr + i * elemsize);
  free (arr);
  return NULL;
}

/* Run call (the internal action, writing to a temporary file) and decode
 * its records. */
typedef int (*internal_call) (guestfs_h *g, const char *tmpfile, const void *args);

static void *
fetch_records (guestfs_h *g, const char *name, internal_call call, const void *args,
               size_t elemsize, decode_fn dec, free_fn fr, uint32_t *count_r)
{
  char *tmp = make_tmpfile (g);
  if (tmp == NULL)
    return NULL;
  void *arr = NULL;
  if (call (g, tmp, args) == 0) {
    size_t len;
    char *buf = slurp (g, name, tmp, &len);
    if (buf) {
      arr = decode_records (g, name, buf, len, elemsize, dec, fr, count_r);
      free (buf);
    }
  }
  unlink (tmp);
  free (tmp);
  return arr;
}

#define RECORD_TYPE(T)                                                  \
  static int dec_##T (struct xdr *x, void *e) { return hatch_dec_##T (x, e); } \
  static void fr_##T (void *e) { hatch_free_##T##_fields (e); }         \
  static struct guestfs_##T##_list *                                    \
  fetch_##T##_list (guestfs_h *g, const char *name, internal_call call, \
                    const void *args)                                   \
  {                                                                     \
    uint32_t n = 0;                                                     \
    struct guestfs_##T *v = fetch_records (g, name, call, args,         \
                                           sizeof (struct guestfs_##T), \
                                           dec_##T, fr_##T, &n);        \
    if (v == NULL)                                                      \
      return NULL;                                                      \
    struct guestfs_##T##_list *l = malloc (sizeof *l);                  \
    if (l == NULL) {                                                    \
      guestfs_int_perrorf (g, "%s: malloc", name);                      \
      for (uint32_t i = 0; i < n; ++i)                                  \
        fr_##T (&v[i]);                                                 \
      free (v);                                                         \
      return NULL;                                                      \
    }                                                                   \
    l->len = n;                                                         \
    l->val = v;                                                         \
    return l;                                                           \
  }

RECORD_TYPE (tsk_dirent)
RECORD_TYPE (xattr)
RECORD_TYPE (yara_detection)

/* ---- filesystem_walk, find_inode ---- */

struct tsk_args {
  const char *device;
  int64_t inode;
};

static int
call_walk (guestfs_h *g, const char *tmp, const void *args)
{
  const struct tsk_args *a = args;
  return guestfs_internal_filesystem_walk (g, a->device, tmp);
}

static int
call_find_inode (guestfs_h *g, const char *tmp, const void *args)
{
  const struct tsk_args *a = args;
  return guestfs_internal_find_inode (g, a->device, a->inode, tmp);
}

struct guestfs_tsk_dirent_list *
guestfs_impl_filesystem_walk (guestfs_h *g, const char *device)
{
  struct tsk_args a = { device, 0 };
  return fetch_tsk_dirent_list (g, "filesystem_walk", call_walk, &a);
}

struct guestfs_tsk_dirent_list *
guestfs_impl_find_inode (guestfs_h *g, const char *device, int64_t inode)
{
  struct tsk_args a = { device, inode };
  return fetch_tsk_dirent_list (g, "find_inode", call_find_inode, &a);
}

/* ---- journal_get ---- */

static int
call_journal_get (guestfs_h *g, const char *tmp, const void *args)
{
  (void) args;
  return guestfs_internal_journal_get (g, tmp);
}

struct guestfs_xattr_list *
guestfs_impl_journal_get (guestfs_h *g)
{
  return fetch_xattr_list (g, "journal_get", call_journal_get, NULL);
}

/* ---- yara_scan ---- */

static int
call_yara_scan (guestfs_h *g, const char *tmp, const void *args)
{
  return guestfs_internal_yara_scan (g, args, tmp);
}

struct guestfs_yara_detection_list *
guestfs_impl_yara_scan (guestfs_h *g, const char *path)
{
  return fetch_yara_detection_list (g, "yara_scan", call_yara_scan, path);
}
