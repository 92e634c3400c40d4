/* virt-builder's parallel xz decompression (tools/builder/pxzcat.c),
 * no appliance: multi-block and multi-stream files come out byte for
 * byte; truncated, corrupt and mutated files fail with a message,
 * never a crash (run under ASan+UBSan when the compiler has them).
 * TAP. */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxzcat.h"

static int n, failed;

static void
ok (int cond, const char *what)
{
  printf ("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
  if (!cond) failed = 1;
}

/* DATA compressed with blocks of BLOCK bytes (several threads). */
static unsigned char *
compress (const unsigned char *data, size_t len, uint64_t block, size_t *out_len)
{
  lzma_mt mt = { .threads = 2, .block_size = block, .preset = 0, .check = LZMA_CHECK_CRC64 };
  lzma_stream s = LZMA_STREAM_INIT;
  if (lzma_stream_encoder_mt (&s, &mt) != LZMA_OK)
    abort ();
  size_t cap = len + len / 2 + 65536;
  unsigned char *out = malloc (cap);
  s.next_in = data; s.avail_in = len;
  s.next_out = out; s.avail_out = cap;
  while (lzma_code (&s, LZMA_FINISH) == LZMA_OK)
    ;
  *out_len = cap - s.avail_out;
  lzma_end (&s);
  return out;
}

static void
put (const char *path, const unsigned char *p, size_t len)
{
  FILE *fp = fopen (path, "w");
  if (!fp || fwrite (p, 1, len, fp) != len || fclose (fp) != 0)
    abort ();
}

/* Decompress FILE; 0 and the output equal to WANT, or -1. */
static int
run (const char *file, const unsigned char *want, size_t want_len, unsigned threads)
{
  char out[] = "/tmp/test-pxzcat-out.XXXXXX";
  int fd = mkstemp (out);
  uint64_t size = 0;
  int r = builder_xz_decompress ("test-pxzcat", file, fd, threads, &size);
  int same = -1;
  if (r == 0 && want && size == want_len) {
    unsigned char *got = malloc (want_len + 1);
    ssize_t g = pread (fd, got, want_len + 1, 0);
    same = g == (ssize_t) want_len && memcmp (got, want, want_len) == 0 ? 0 : -1;
    free (got);
  }
  close (fd);
  unlink (out);
  return r == 0 ? same : -1;
}

int
main (void)
{
  char in[] = "/tmp/test-pxzcat-in.XXXXXX";
  close (mkstemp (in));
  /* 3 MiB: text, then zeroes (holes), then pseudo-random bytes. */
  size_t len = 3 << 20;
  unsigned char *data = calloc (len, 1);
  for (size_t i = 0; i < len / 3; ++i)
    data[i] = "the quick brown fox "[i % 20];
  unsigned x = 12345;
  for (size_t i = 2 * (len / 3); i < len; ++i)
    data[i] = (unsigned char) ((x = x * 1103515245 + 12345) >> 16);

  size_t clen;
  unsigned char *c = compress (data, len, 256 << 10, &clen);
  put (in, c, clen);
  ok (builder_is_xz (in), "the xz magic is recognised");
  ok (run (in, data, len, 4) == 0, "12 blocks, 4 threads: the same bytes");
  ok (run (in, data, len, 1) == 0, "the same with one thread");

  /* Two streams one after the other (as `cat a.xz b.xz`). */
  size_t c2len;
  unsigned char *c2 = compress (data, len / 2, 128 << 10, &c2len);
  unsigned char *both = malloc (clen + c2len);
  memcpy (both, c, clen);
  memcpy (both + clen, c2, c2len);
  unsigned char *want = malloc (len + len / 2);
  memcpy (want, data, len);
  memcpy (want + len, data, len / 2);
  put (in, both, clen + c2len);
  ok (run (in, want, len + len / 2, 0) == 0, "two concatenated streams");

  put (in, c, clen - 100);
  ok (run (in, NULL, 0, 2) == -1, "a truncated file fails");
  unsigned char *bad = malloc (clen);
  memcpy (bad, c, clen);
  bad[clen / 2] ^= 0x55;
  put (in, bad, clen);
  ok (run (in, NULL, 0, 2) == -1, "a corrupt byte in the data fails");
  put (in, (const unsigned char *) "hello, not xz\n", 14);
  ok (!builder_is_xz (in) && run (in, NULL, 0, 2) == -1, "not an xz file: refused");

  /* Random mutations of a small file: an answer every time, no crash. */
  size_t slen;
  unsigned char *small = compress (data, 200000, 32 << 10, &slen);
  int answered = 0;
  fflush (stderr);
  FILE *quiet = freopen ("/dev/null", "w", stderr);   /* one message per file */
  (void) quiet;
  for (int i = 0; i < 150; ++i) {
    memcpy (bad, small, slen);
    for (int k = 0; k < 1 + i % 4; ++k) {
      x = x * 1103515245 + 12345;
      bad[x % slen] = (unsigned char) (x >> 8);
    }
    put (in, bad, slen);
    int r = run (in, data, 200000, 2);
    answered += r == 0 || r == -1;
  }
  ok (answered == 150, "150 mutated files: each decoded or refused");
  free (small);
  free (bad);
  free (want);
  free (both);
  free (c2);
  free (c);
  free (data);
  unlink (in);
  printf ("1..%d\n", n);
  return failed;
}
