/* File transfers and block copies: base64_in/out, compress_out,
 * compress_device_out, tgz/txz in/out, upload_offset, download_offset,
 * copy_{device,file}_to_{device,file}, zero_device, is_zero_device,
 * checksum_device.  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "files-common.h"
#include "actions-gen.h"

#define BLOCK (1024 * 1024)

/* ---- base64 ---- */

struct b64_in {
  int fd;
  unsigned acc;          /* sextets gathered */
  int nacc;
  int pad;               /* '=' seen: only padding and space may follow */
  int bad;               /* an invalid character was met */
  int write_errno;
  char out[3 * 1024];
  size_t outlen;
};

static int
b64_value (unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

static int
b64_flush (struct b64_in *b)
{
  if (b->outlen && f2_write_full (b->fd, b->out, b->outlen) == -1) {
    b->write_errno = errno;
    return -1;
  }
  b->outlen = 0;
  return 0;
}

static int
b64_in_cb (void *opaque, const void *buf, size_t len)
{
  struct b64_in *b = opaque;
  const unsigned char *p = buf;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = p[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
      continue;
    if (c == '=') {
      /* "xx==" or "xxx=": emit the bytes the partial group holds. */
      if (!b->pad) {
        if (b->nacc == 2)
          b->out[b->outlen++] = (char) (b->acc >> 4);
        else if (b->nacc == 3) {
          b->out[b->outlen++] = (char) (b->acc >> 10);
          b->out[b->outlen++] = (char) (b->acc >> 2);
        }
        else {
          b->bad = 1;
          errno = EINVAL;
          return -1;
        }
        b->pad = 1;
        b->nacc = 0;
        b->acc = 0;
      }
      continue;
    }
    int v = b64_value (c);
    if (v < 0 || b->pad) {
      b->bad = 1;
      errno = EINVAL;
      return -1;
    }
    b->acc = (b->acc << 6) | (unsigned) v;
    if (++b->nacc == 4) {
      b->out[b->outlen++] = (char) (b->acc >> 16);
      b->out[b->outlen++] = (char) (b->acc >> 8);
      b->out[b->outlen++] = (char) b->acc;
      b->nacc = 0;
      b->acc = 0;
    }
    if (b->outlen + 3 > sizeof b->out && b64_flush (b) == -1)
      return -1;
  }
  return b64_flush (b);
}

int
do_base64_in (const char *filename)
{
  struct b64_in b = { .fd = -1 };
  b.fd = f2_open_data (filename, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (b.fd == -1)
    return -1;                  /* the dispatch drains the stream */
  int r = receive_file (b64_in_cb, &b);
  int e = errno;
  if (r == 0 && b.nacc != 0) {
    b.bad = 1;
    r = -1;
  }
  if (r == -1) {
    close (b.fd);
    if (b.bad)
      reply_with_error_errno (EINVAL, "%s: invalid base64 input", filename);
    else if (b.write_errno)
      reply_with_error_errno (b.write_errno, "write: %s: %s", filename,
                              strerror (b.write_errno));
    else if (e == ECANCELED)
      reply_with_error_errno (e, "%s: file upload cancelled", filename);
    else
      reply_with_error_errno (e, "%s: file upload failed: %s", filename, strerror (e));
    return -1;
  }
  if (close (b.fd) == -1) {
    reply_with_perror ("close: %s", filename);
    return -1;
  }
  return 0;
}

int
do_base64_out (const char *filename)
{
  static const char tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  CLEANUP_CLOSE int fd = f2_open_data (filename, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  /* 57 input bytes make one 76-character line. */
  const size_t inblock = 57 * 16384;
  CLEANUP_FREE unsigned char *in = malloc (inblock);
  CLEANUP_FREE char *line = malloc (16384 * 77);
  struct f2_out out;
  if (in == NULL || line == NULL || f2_out_init (&out) == -1) {
    reply_with_perror ("malloc");
    return -1;
  }
  for (;;) {
    ssize_t n = f2_read_full (fd, in, inblock);
    if (n < 0) {
      int e = errno;
      f2_out_abort (&out);
      reply_with_error_errno (e, "read: %s: %s", filename, strerror (e));
      return -1;
    }
    if (n == 0)
      break;
    size_t o = 0;
    for (size_t i = 0; i < (size_t) n; i += 57) {
      size_t m = (size_t) n - i < 57 ? (size_t) n - i : 57;
      for (size_t j = 0; j < m; j += 3) {
        unsigned v = (unsigned) in[i + j] << 16;
        if (j + 1 < m) v |= (unsigned) in[i + j + 1] << 8;
        if (j + 2 < m) v |= in[i + j + 2];
        line[o++] = tab[(v >> 18) & 63];
        line[o++] = tab[(v >> 12) & 63];
        line[o++] = j + 1 < m ? tab[(v >> 6) & 63] : '=';
        line[o++] = j + 2 < m ? tab[v & 63] : '=';
      }
      line[o++] = '\n';
    }
    if (f2_out_write (&out, line, o) == -1) {
      f2_out_abort (&out);
      reply_with_perror ("base64_out: sending the output");
      return -1;
    }
    if ((size_t) n < inblock)
      break;
  }
  return f2_out_finish (&out, "base64_out");
}

/* ---- compression ---- */

/* argv for compressing stdin to stdout with ctype at an optional level.
 * Replies on failure.  */
static int
compressor_argv (const char *ctype, bool have_level, int level,
                 const char *argv[6], char levelbuf[16])
{
  static const struct { const char *ctype, *prog; int lo, hi; } tab[] = {
    { "compress", "compress", 9, 16 },   /* level: maximum bits (-b) */
    { "gzip", "gzip", 1, 9 },
    { "bzip2", "bzip2", 1, 9 },
    { "xz", "xz", 0, 9 },
    { "lzop", "lzop", 1, 9 },
    { "zstd", "zstd", 1, 19 },
  };
  size_t i;
  for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strcmp (ctype, tab[i].ctype) == 0)
      break;
  if (i == sizeof tab / sizeof tab[0]) {
    reply_with_error_errno (EINVAL, "%s: compression type is not supported "
                            "(expecting compress, gzip, bzip2, xz, lzop or zstd)",
                            ctype);
    return -1;
  }
  if (!program_exists (tab[i].prog)) {
    reply_with_error_errno (ENOTSUP, "%s: compression type is not supported by "
                            "this appliance (no %s program)", ctype, tab[i].prog);
    return -1;
  }
  if (have_level && (level < tab[i].lo || level > tab[i].hi)) {
    reply_with_error_errno (EINVAL, "%s: level %d is out of range (%d..%d)",
                            ctype, level, tab[i].lo, tab[i].hi);
    return -1;
  }
  size_t n = 0;
  argv[n++] = tab[i].prog;
  argv[n++] = "-c";
  if (strcmp (ctype, "zstd") == 0)
    argv[n++] = "-q";
  if (have_level) {
    if (strcmp (ctype, "compress") == 0) {
      argv[n++] = "-b";
      snprintf (levelbuf, 16, "%d", level);
    }
    else
      snprintf (levelbuf, 16, "-%d", level);
    argv[n++] = levelbuf;
  }
  argv[n] = NULL;
  return 0;
}

int
do_compress_out (const char *ctype, const char *file, int level)
{
  const char *argv[6];
  char levelbuf[16];
  if (compressor_argv (ctype, optargs_bitmask & GUESTFS_COMPRESS_OUT_LEVEL_BITMASK,
                       level, argv, levelbuf) == -1)
    return -1;
  CLEANUP_CLOSE int fd = f2_open_data (file, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  return command_to_fileout ("compress_out", argv, -1, fd);
}

int
do_compress_device_out (const char *ctype, const char *device, int level)
{
  const char *argv[6];
  char levelbuf[16];
  if (compressor_argv (ctype, optargs_bitmask & GUESTFS_COMPRESS_DEVICE_OUT_LEVEL_BITMASK,
                       level, argv, levelbuf) == -1)
    return -1;
  CLEANUP_CLOSE int fd = f2_open_device (device, O_RDONLY);
  if (fd == -1)
    return -1;
  return command_to_fileout ("compress_device_out", argv, -1, fd);
}

/* ---- tgz / txz: tar_in and tar_out with a fixed compression ---- */

int
do_tgz_in (const char *directory)
{
  optargs_bitmask = GUESTFS_TAR_IN_OPTS_COMPRESS_BITMASK;
  return do_tar_in (directory, "gzip", 0, 0, 0);
}

int
do_txz_in (const char *directory)
{
  optargs_bitmask = GUESTFS_TAR_IN_OPTS_COMPRESS_BITMASK;
  return do_tar_in (directory, "xz", 0, 0, 0);
}

int
do_tgz_out (const char *directory)
{
  optargs_bitmask = GUESTFS_TAR_OUT_OPTS_COMPRESS_BITMASK;
  return do_tar_out (directory, "gzip", 0, NULL, 0, 0, 0);
}

int
do_txz_out (const char *directory)
{
  optargs_bitmask = GUESTFS_TAR_OUT_OPTS_COMPRESS_BITMASK;
  return do_tar_out (directory, "xz", 0, NULL, 0, 0, 0);
}

/* ---- upload_offset, download_offset ---- */

int
do_upload_offset (const char *remotefilename, int64_t offset)
{
  if (offset < 0) {
    reply_with_error_errno (EINVAL, "%s: offset must not be negative", remotefilename);
    return -1;
  }
  int fd = f2_open_dev_or_path (remotefilename, O_WRONLY | O_CREAT, 0666);
  if (fd == -1)
    return -1;
  return f2_receive_into (remotefilename, fd, (uint64_t) offset,
                          strncmp (remotefilename, "/dev/", 5) == 0);
}

int
do_download_offset (const char *remotefilename, int64_t offset, int64_t size)
{
  if (offset < 0 || size < 0) {
    reply_with_error_errno (EINVAL, "%s: %s must not be negative", remotefilename,
                            offset < 0 ? "offset" : "size");
    return -1;
  }
  CLEANUP_CLOSE int fd = f2_open_dev_or_path (remotefilename, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  uint64_t total = f2_fd_size (fd);
  if ((uint64_t) offset > total || (uint64_t) size > total - (uint64_t) offset) {
    reply_with_error_errno (EINVAL, "%s: the region (offset %" PRIi64 ", size %"
                            PRIi64 ") is not inside the file (size %" PRIu64 ")",
                            remotefilename, offset, size, total);
    return -1;
  }
  CLEANUP_FREE char *buf = malloc (HATCH_CHUNK_SIZE);
  struct f2_out out;
  if (buf == NULL || f2_out_init (&out) == -1) {
    reply_with_perror ("malloc");
    return -1;
  }
  uint64_t done = 0, want = (uint64_t) size;
  while (done < want) {
    size_t n = want - done < HATCH_CHUNK_SIZE ? (size_t) (want - done) : HATCH_CHUNK_SIZE;
    ssize_t r = f2_pread_full (fd, buf, n, (off_t) ((uint64_t) offset + done));
    if (r <= 0) {
      int e = r == 0 ? EIO : errno;
      f2_out_abort (&out);
      reply_with_error_errno (e, "%s: read: %s", remotefilename,
                              r == 0 ? "unexpected end of file" : strerror (e));
      return -1;
    }
    if (f2_out_write (&out, buf, (size_t) r) == -1) {
      f2_out_abort (&out);
      reply_with_perror ("%s: sending the file", remotefilename);
      return -1;
    }
    done += (uint64_t) r;
    notify_progress (done, want);
  }
  return f2_out_finish (&out, "download_offset");
}

/* ---- block copies ---- */

struct copy_opts {
  bool have_srcoffset, have_destoffset, have_size;
  int64_t srcoffset, destoffset, size;
  bool sparse, append;
};

static int
copy_data (const char *src, bool src_is_dev, const char *dest, bool dest_is_dev,
           const struct copy_opts *o)
{
  int64_t srcoffset = o->have_srcoffset ? o->srcoffset : 0;
  int64_t destoffset = o->have_destoffset ? o->destoffset : 0;
  if (srcoffset < 0 || destoffset < 0 || (o->have_size && o->size < 0)) {
    reply_with_error_errno (EINVAL, "offsets and size must not be negative");
    return -1;
  }
  if (o->append && dest_is_dev) {
    reply_with_error_errno (EINVAL, "%s: the append flag cannot be used with a "
                            "device", dest);
    return -1;
  }
  if (o->append && o->have_destoffset) {
    reply_with_error_errno (EINVAL, "the append flag and destoffset cannot be "
                            "used together");
    return -1;
  }
  CLEANUP_CLOSE int sfd = src_is_dev ? f2_open_device (src, O_RDONLY)
                                     : f2_open_data (src, O_RDONLY, 0);
  if (sfd == -1)
    return -1;
  uint64_t src_size = f2_fd_size (sfd);
  if ((uint64_t) srcoffset > src_size) {
    reply_with_error_errno (EINVAL, "%s: srcoffset is beyond the end of the "
                            "source (size %" PRIu64 ")", src, src_size);
    return -1;
  }
  uint64_t size = o->have_size ? (uint64_t) o->size : src_size - (uint64_t) srcoffset;
  if (size > src_size - (uint64_t) srcoffset) {
    reply_with_error_errno (EINVAL, "%s: the size to copy goes beyond the end of "
                            "the source (size %" PRIu64 ")", src, src_size);
    return -1;
  }

  int dfd;
  if (dest_is_dev)
    dfd = f2_open_device (dest, O_WRONLY);
  else {
    /* Copying within one file must not truncate the source first. */
    struct stat sst, dst;
    int flags = O_WRONLY | O_CREAT;
    if (!o->append &&
        !(fstat (sfd, &sst) == 0 && sysroot_stat (dest, &dst, true) == 0 &&
          sst.st_dev == dst.st_dev && sst.st_ino == dst.st_ino))
      flags |= O_TRUNC;
    dfd = f2_open_data (dest, flags, 0666);
  }
  if (dfd == -1)
    return -1;
  if (o->append)
    destoffset = (int64_t) f2_fd_size (dfd);
  if (dest_is_dev) {
    uint64_t dsize = f2_fd_size (dfd);
    if ((uint64_t) destoffset > dsize || size > dsize - (uint64_t) destoffset) {
      close (dfd);
      reply_with_error_errno (ENOSPC, "%s: the copy does not fit on the "
                              "destination device (size %" PRIu64 ")", dest, dsize);
      return -1;
    }
  }

  char *buf = malloc (BLOCK);
  if (buf == NULL) {
    close (dfd);
    reply_with_perror ("malloc");
    return -1;
  }
  uint64_t done = 0;
  int ret = 0;
  while (done < size) {
    size_t n = size - done < BLOCK ? (size_t) (size - done) : BLOCK;
    ssize_t r = f2_pread_full (sfd, buf, n, (off_t) ((uint64_t) srcoffset + done));
    if (r <= 0) {
      if (r == 0)
        reply_with_error_errno (EIO, "%s: unexpected end of the source", src);
      else
        reply_with_perror ("read: %s", src);
      ret = -1;
      break;
    }
    if (!(o->sparse && f2_is_zero (buf, (size_t) r)) &&
        f2_pwrite_full (dfd, buf, (size_t) r,
                        (off_t) ((uint64_t) destoffset + done)) == -1) {
      reply_with_perror ("write: %s", dest);
      ret = -1;
      break;
    }
    done += (uint64_t) r;
    notify_progress (done, size);
  }
  if (ret == 0 && !dest_is_dev && o->sparse) {
    /* Skipped zero blocks at the end must still make the file long enough. */
    uint64_t end = (uint64_t) destoffset + size;
    if (f2_fd_size (dfd) < end && ftruncate (dfd, (off_t) end) == -1) {
      reply_with_perror ("truncate: %s", dest);
      ret = -1;
    }
  }
  if (ret == 0 && dest_is_dev && fsync (dfd) == -1) {
    reply_with_perror ("fsync: %s", dest);
    ret = -1;
  }
  free (buf);
  if (close (dfd) == -1 && ret == 0) {
    reply_with_perror ("close: %s", dest);
    ret = -1;
  }
  return ret;
}

#define COPY_OPTS(PREFIX) {                                           \
    .have_srcoffset = optargs_bitmask & PREFIX##_SRCOFFSET_BITMASK,   \
    .have_destoffset = optargs_bitmask & PREFIX##_DESTOFFSET_BITMASK, \
    .have_size = optargs_bitmask & PREFIX##_SIZE_BITMASK,             \
    .srcoffset = srcoffset, .destoffset = destoffset, .size = size,   \
    .sparse = (optargs_bitmask & PREFIX##_SPARSE_BITMASK) && sparse,  \
    .append = (optargs_bitmask & PREFIX##_APPEND_BITMASK) && append,  \
  }

int
do_copy_device_to_device (const char *src, const char *dest, int64_t srcoffset,
                          int64_t destoffset, int64_t size, int sparse, int append)
{
  struct copy_opts o = COPY_OPTS (GUESTFS_COPY_DEVICE_TO_DEVICE);
  return copy_data (src, true, dest, true, &o);
}

int
do_copy_device_to_file (const char *src, const char *dest, int64_t srcoffset,
                        int64_t destoffset, int64_t size, int sparse, int append)
{
  struct copy_opts o = COPY_OPTS (GUESTFS_COPY_DEVICE_TO_FILE);
  return copy_data (src, true, dest, false, &o);
}

int
do_copy_file_to_device (const char *src, const char *dest, int64_t srcoffset,
                        int64_t destoffset, int64_t size, int sparse, int append)
{
  struct copy_opts o = COPY_OPTS (GUESTFS_COPY_FILE_TO_DEVICE);
  return copy_data (src, false, dest, true, &o);
}

int
do_copy_file_to_file (const char *src, const char *dest, int64_t srcoffset,
                      int64_t destoffset, int64_t size, int sparse, int append)
{
  struct copy_opts o = COPY_OPTS (GUESTFS_COPY_FILE_TO_FILE);
  return copy_data (src, false, dest, false, &o);
}

/* ---- whole devices ---- */

int
do_zero_device (const char *device)
{
  CLEANUP_CLOSE int fd = f2_open_device (device, O_RDWR);
  if (fd == -1)
    return -1;
  uint64_t size = f2_fd_size (fd);
  CLEANUP_FREE char *buf = malloc (BLOCK);
  CLEANUP_FREE char *zero = calloc (1, BLOCK);
  if (buf == NULL || zero == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  uint64_t pos = 0;
  while (pos < size) {
    size_t n = size - pos < BLOCK ? (size_t) (size - pos) : BLOCK;
    ssize_t r = f2_pread_full (fd, buf, n, (off_t) pos);
    if (r <= 0) {
      reply_with_error_errno (r == 0 ? EIO : errno, "read: %s: %s", device,
                              r == 0 ? "unexpected end of device" : strerror (errno));
      return -1;
    }
    /* Leave blocks that are already zero alone (keeps thin disks thin). */
    if (!f2_is_zero (buf, (size_t) r) &&
        f2_pwrite_full (fd, zero, (size_t) r, (off_t) pos) == -1) {
      reply_with_perror ("write: %s", device);
      return -1;
    }
    pos += (uint64_t) r;
    notify_progress (pos, size);
  }
  if (fsync (fd) == -1) {
    reply_with_perror ("fsync: %s", device);
    return -1;
  }
  return 0;
}

int
do_is_zero_device (const char *device)
{
  CLEANUP_CLOSE int fd = f2_open_device (device, O_RDONLY);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *buf = malloc (BLOCK);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  for (;;) {
    ssize_t n = f2_read_full (fd, buf, BLOCK);
    if (n == -1) {
      reply_with_perror ("read: %s", device);
      return -1;
    }
    if (n == 0)
      return 1;
    if (!f2_is_zero (buf, (size_t) n))
      return 0;
  }
}

char *
do_checksum_device (const char *csumtype, const char *device)
{
  if (checksum_program (csumtype) == NULL)
    return NULL;
  CLEANUP_CLOSE int fd = f2_open_device (device, O_RDONLY);
  if (fd == -1)
    return NULL;
  return checksum_fd (csumtype, fd, device);
}
