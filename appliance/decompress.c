/* Decompression for the kernel payload and compressed kernel modules.
 * xz (Debian's kernel and module format) and gzip are done in-process with
 * liblzma and zlib; zstd, lz4 and bzip2 go through the programs of the same
 * name, which is rare enough not to justify more libraries.  Output is
 * always bounded by the caller's MAX.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

enum comp
comp_from_name (const char *name)
{
  size_t n = strlen (name);
#define ENDS(s) (n >= sizeof s - 1 && !strcmp (name + n - (sizeof s - 1), s))
  if (ENDS (".xz")) return COMP_XZ;
  if (ENDS (".gz")) return COMP_GZIP;
  if (ENDS (".zst")) return COMP_ZSTD;
  if (ENDS (".lz4")) return COMP_LZ4;
  if (ENDS (".bz2")) return COMP_BZIP2;
#undef ENDS
  return COMP_NONE;
}

static int
grow (void **buf, size_t *cap, size_t used, size_t max)
{
  if (*cap >= max)
    return -1;
  size_t ncap = *cap ? *cap * 2 : 1 << 20;
  if (ncap > max) ncap = max;
  (void) used;
  *buf = xrealloc (*buf, ncap);
  *cap = ncap;
  return 0;
}

static int
unxz (const void *data, size_t len, size_t max, void **out, size_t *outlen)
{
  lzma_stream s = LZMA_STREAM_INIT;
  /* No LZMA_CONCATENATED: stop at the end of the first stream, since a
   * kernel payload is followed by other bytes.  */
  if (lzma_stream_decoder (&s, UINT64_MAX, 0) != LZMA_OK)
    return -1;
  void *buf = NULL;
  size_t cap = 0;
  s.next_in = data;
  s.avail_in = len;
  int ret = -1;
  for (;;) {
    if (s.avail_out == 0) {
      size_t used = s.total_out;
      if (grow (&buf, &cap, used, max) < 0) break;
      s.next_out = (uint8_t *) buf + used;
      s.avail_out = cap - used;
    }
    lzma_ret r = lzma_code (&s, LZMA_FINISH);
    if (r == LZMA_STREAM_END) { ret = 0; break; }
    if (r != LZMA_OK) break;
  }
  *outlen = s.total_out;
  lzma_end (&s);
  if (ret < 0) { free (buf); return -1; }
  *out = buf;
  return 0;
}

static int
ungzip (const void *data, size_t len, size_t max, void **out, size_t *outlen)
{
  z_stream s;
  memset (&s, 0, sizeof s);
  if (inflateInit2 (&s, 16 + MAX_WBITS) != Z_OK)   /* gzip header */
    return -1;
  void *buf = NULL;
  size_t cap = 0;
  int ret = -1;
  size_t in_left = len;
  s.next_in = (Bytef *) data;
  for (;;) {
    if (s.avail_in == 0) {      /* avail_in is 32-bit: feed in slices */
      size_t k = in_left > (1u << 30) ? (1u << 30) : in_left;
      s.avail_in = k;
      in_left -= k;
    }
    if (s.avail_out == 0) {
      size_t used = s.total_out;
      if (grow (&buf, &cap, used, max) < 0) break;
      size_t room = cap - used;
      s.next_out = (Bytef *) buf + used;
      s.avail_out = room > (1u << 30) ? (1u << 30) : room;
    }
    int r = inflate (&s, Z_NO_FLUSH);
    if (r == Z_STREAM_END) { ret = 0; break; }
    if (r != Z_OK && !(r == Z_BUF_ERROR && s.avail_out == 0))
      break;
    if (r == Z_BUF_ERROR && s.avail_in == 0 && in_left == 0)
      break;
  }
  *outlen = s.total_out;
  inflateEnd (&s);
  if (ret < 0) { free (buf); return -1; }
  *out = buf;
  return 0;
}

/* Run "PROG -dc" with DATA on stdin, reading its stdout.  Both go through
 * memfds so neither side can block the other.  The exit status is ignored
 * when output was produced: these tools complain about the trailing bytes
 * that follow a kernel payload.  */
static int
unprog (const char *prog, const void *data, size_t len, size_t max,
        void **out, size_t *outlen)
{
  int in = memfd_create ("hatch-in", MFD_CLOEXEC);
  int ofd = memfd_create ("hatch-out", MFD_CLOEXEC);
  int ret = -1;
  if (in < 0 || ofd < 0)
    goto done;
  const char *p = data;
  for (size_t left = len; left > 0; ) {
    ssize_t r = write (in, p, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) goto done;
    p += r;
    left -= r;
  }
  lseek (in, 0, SEEK_SET);
  char *argv[] = { (char *) prog, (char *) "-dc", NULL };
  run_cmd (argv, ofd, in);
  struct stat st;
  if (fstat (ofd, &st) < 0 || st.st_size == 0 || (uint64_t) st.st_size > max)
    goto done;
  void *buf = xmalloc (st.st_size);
  if (pread (ofd, buf, st.st_size, 0) != st.st_size) { free (buf); goto done; }
  *out = buf;
  *outlen = st.st_size;
  ret = 0;
 done:
  if (in >= 0) close (in);
  if (ofd >= 0) close (ofd);
  return ret;
}

int
decompress (enum comp type, const void *data, size_t len, size_t max,
            void **out, size_t *outlen)
{
  switch (type) {
  case COMP_XZ:    return unxz (data, len, max, out, outlen);
  case COMP_GZIP:  return ungzip (data, len, max, out, outlen);
  case COMP_ZSTD:  return unprog ("zstd", data, len, max, out, outlen);
  case COMP_LZ4:   return unprog ("lz4", data, len, max, out, outlen);
  case COMP_BZIP2: return unprog ("bzip2", data, len, max, out, outlen);
  case COMP_NONE:  break;
  }
  return -1;
}
