/* Deterministic fuzz test of the decoders: valid encodings of replies,
 * call arguments and frame streams are mutated (bit flips, byte changes,
 * truncation, length and count fields set to huge or boundary values,
 * inserted and deleted bytes) and fed to the decoders, 100000 times in all.
 *
 * Built with AddressSanitizer + UBSan when the compiler has them, so a
 * crash, an out-of-bounds read or undefined behaviour aborts the test.  The
 * allocation tracker (unit-util.h) checks that nothing leaks and that no
 * single allocation is much larger than the input.  Prints TAP, one line
 * per decoder.
 *
 * usage: test-xdr-fuzz [ITERATIONS [SEED]]  */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit-util.h"
#include "fuzz-decoders.h"

#define ALLOC_BOUND(inlen) (4 * (size_t) (inlen) + 256)
#define MAX_INPUT 8192

static uint32_t
get32 (const unsigned char *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void
put32 (unsigned char *p, uint32_t v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* Apply one random mutation to buf[0..*len). */
static void
mutate (unsigned char *buf, size_t *len)
{
  size_t n = *len;
  switch (rng_below (8)) {
  case 0:                               /* flip 1-4 bits */
    if (n) for (int i = 1 + rng_below (4); i > 0; --i)
      buf[rng_below (n)] ^= (unsigned char) (1u << rng_below (8));
    break;
  case 1:                               /* set a byte */
    if (n) buf[rng_below (n)] = (unsigned char) rng ();
    break;
  case 2:                               /* truncate */
    *len = rng_below (n + 1);
    break;
  case 3: case 4: {                     /* a length or count field */
    if (n < 4) break;
    size_t off = rng_below (n / 4) * 4;
    uint32_t rem = (uint32_t) (n - off - 4);
    static const uint32_t fixed[] = { 0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff,
                                      XDR_MAX_LIST, XDR_MAX_LIST + 1, XDR_MAX_STRING,
                                      XDR_MAX_STRING + 1, HATCH_MAX_FRAME + 25, 0, 1, 2, 3 };
    uint32_t v;
    switch (rng_below (5)) {
    case 0: v = rem; break;
    case 1: v = rem + 1; break;
    case 2: v = rem / 4; break;
    case 3: v = rem / 4 + 1; break;
    default: v = fixed[rng_below (sizeof fixed / sizeof fixed[0])]; break;
    }
    put32 (buf + off, v);
    break;
  }
  case 5: {                             /* insert random bytes */
    size_t k = 1 + rng_below (8);
    if (n + k > MAX_INPUT) break;
    size_t at = rng_below (n + 1);
    size_t tail = n - at;
    if (at > n || at + k + tail > MAX_INPUT) break;
    memmove (buf + at + k, buf + at, tail);
    for (size_t i = 0; i < k; ++i) buf[at + i] = (unsigned char) rng ();
    *len = n + k;
    break;
  }
  case 6: {                             /* delete a chunk */
    if (!n) break;
    size_t at = rng_below (n);
    size_t k = 1 + rng_below (n - at);
    memmove (buf + at, buf + at + k, n - at - k);
    *len = n - k;
    break;
  }
  default: {                            /* duplicate a chunk (repeat list items) */
    if (!n) break;
    size_t at = rng_below (n);
    size_t k = 1 + rng_below (n - at);
    size_t tail = n - at;
    if (at + k + tail > MAX_INPUT) break;
    memmove (buf + at + k, buf + at, tail);
    *len = n + k;
    /* bump the first word if it looks like a count */
    if (n >= 4 && get32 (buf) < 64) put32 (buf, get32 (buf) + 1);
    break;
  }
  }
}

struct stats {
  long runs, accepted, leaks, big_allocs;
  size_t worst_alloc, worst_len;
};

int
main (int argc, char **argv)
{
  long iterations = argc > 1 ? atol (argv[1]) : 100000;
  if (argc > 2) rng_state = strtoull (argv[2], NULL, 0) | 1;
  static unsigned char buf[MAX_INPUT];
  struct stats st[N_FUZZ_DECODERS + 1];
  memset (st, 0, sizeof st);

  /* The samples themselves must decode (else the fuzzing proves little). */
  for (size_t i = 0; i < N_FUZZ_DECODERS; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    fuzz_decoders[i].sample (&e);
    struct xdr x;
    xdr_dec_init (&x, e.buf, e.len);
    int r = fuzz_decoders[i].decode (&x);
    ok (e.error == 0 && r == 0 && xdr_at_end (&x), "sample %s decodes", fuzz_decoders[i].name);
    xdr_free_buf (&e);
  }
  struct xdr fe;
  xdr_enc_init (&fe);
  fuzz_sample_frames (&fe);
  int ferr;
  ok (fuzz_frames ((unsigned char *) fe.buf, fe.len, &ferr) == 4 && ferr == 0,
      "sample frame stream reads as 4 frames");

  for (long it = 0; it < iterations; ++it) {
    size_t which = (size_t) it % (N_FUZZ_DECODERS + 1);
    size_t len;
    if (which == N_FUZZ_DECODERS) {
      len = fe.len;
      memcpy (buf, fe.buf, len);
    } else {
      struct xdr e;
      xdr_enc_init (&e);
      fuzz_decoders[which].sample (&e);
      len = e.len;
      memcpy (buf, e.buf, len);
      xdr_free_buf (&e);
    }
    for (int m = 1 + rng_below (3); m > 0; --m)
      mutate (buf, &len);

    /* Decode from an exact-size heap copy so ASan sees reads past the end. */
    unsigned char *in = malloc (len ? len : 1);
    memcpy (in, buf, len);
    long live = alloc_live;
    alloc_reset ();
    int r;
    if (which == N_FUZZ_DECODERS) {
      int err;
      fuzz_frames (in, len, &err);
      r = err ? -1 : 0;
    } else {
      struct xdr x;
      xdr_dec_init (&x, (char *) in, len);
      r = fuzz_decoders[which].decode (&x);
      /* A failed decode must say why. */
      if (r == -1 && x.error == 0) {
        printf ("# %s: failed without setting an error\n", fuzz_decoders[which].name);
        st[which].leaks++;
      }
    }
    struct stats *s = &st[which];
    s->runs++;
    if (r == 0) s->accepted++;
    if (alloc_live != live) {
      if (s->leaks < 3)
        printf ("# leak in %s (iteration %ld)\n",
                which < N_FUZZ_DECODERS ? fuzz_decoders[which].name : "frames", it);
      s->leaks++;
    }
    /* frame_read may allocate a body as large as the (64 KiB) limit it
       was given before finding the stream short; that is by design. */
    size_t bound = which == N_FUZZ_DECODERS ? 64 * 1024 + 64 : ALLOC_BOUND (len);
    if (alloc_max > bound) {
      s->big_allocs++;
      if (alloc_max > s->worst_alloc) {
        s->worst_alloc = alloc_max;
        s->worst_len = len;
      }
    }
    free (in);
  }

  for (size_t i = 0; i <= N_FUZZ_DECODERS; ++i) {
    const char *name = i < N_FUZZ_DECODERS ? fuzz_decoders[i].name : "frame stream";
    ok (st[i].leaks == 0 && st[i].big_allocs == 0,
        "%s: %ld mutated inputs (%ld accepted), %ld leaks, %ld oversized allocations%s",
        name, st[i].runs, st[i].accepted, st[i].leaks, st[i].big_allocs,
        st[i].big_allocs ? "" : "");
    if (st[i].big_allocs)
      diag ("worst: %zu bytes allocated for %zu bytes of input", st[i].worst_alloc,
            st[i].worst_len);
  }
  xdr_free_buf (&fe);
  return tap_done ();
}
