/* Helpers shared by the codec unit tests: TAP output and an allocation
 * tracker.
 *
 * The tracker works through the linker's --wrap: every malloc, calloc,
 * realloc and free called from the objects linked into the test
 * (common/xdr.c, common/frame.c, protocol-gen.c and the test itself) goes
 * through the __wrap_ functions below, which count live blocks and record
 * the largest single request.  That lets a test say "decoding this hostile
 * input allocated at most N bytes and leaked nothing" without valgrind.
 * Include this header in exactly one file per executable.  */
#ifndef HATCH_UNIT_UTIL_H
#define HATCH_UNIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- TAP ---- */

static int tap_n, tap_failed;

static bool __attribute__((format (printf, 2, 3), unused))
ok (bool cond, const char *fmt, ...)
{
  va_list ap;
  tap_n++;
  printf ("%sok %d - ", cond ? "" : "not ", tap_n);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  if (!cond)
    tap_failed++;
  fflush (stdout);
  return cond;
}

static void __attribute__((format (printf, 1, 2), unused))
diag (const char *fmt, ...)
{
  va_list ap;
  printf ("# ");
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
}

static int __attribute__((unused))
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

/* ---- allocation tracking (needs -Wl,--wrap=malloc,... ) ---- */

void *__real_malloc (size_t n);
void *__real_calloc (size_t a, size_t b);
void *__real_realloc (void *p, size_t n);
void __real_free (void *p);

static long alloc_live;        /* blocks handed out and not yet freed */
static size_t alloc_max;       /* largest single request since reset */
static size_t alloc_total;     /* bytes requested since reset */

static void __attribute__((unused))
alloc_reset (void)
{
  alloc_max = 0;
  alloc_total = 0;
}

static void
alloc_note (size_t n)
{
  if (n > alloc_max) alloc_max = n;
  alloc_total += n;
}

void *
__wrap_malloc (size_t n)
{
  alloc_note (n);
  void *p = __real_malloc (n);
  if (p) alloc_live++;
  return p;
}

void *
__wrap_calloc (size_t a, size_t b)
{
  size_t n;
  if (__builtin_mul_overflow (a, b, &n))
    n = SIZE_MAX;
  alloc_note (n);
  void *p = __real_calloc (a, b);
  if (p) alloc_live++;
  return p;
}

void *
__wrap_realloc (void *old, size_t n)
{
  alloc_note (n);
  void *p = __real_realloc (old, n);
  if (p && !old) alloc_live++;
  if (!p && old && n == 0) alloc_live--;
  return p;
}

void
__wrap_free (void *p)
{
  if (p) alloc_live--;
  __real_free (p);
}

/* ---- deterministic PRNG (xorshift64*) ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t __attribute__((unused))
rng (void)
{
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545f4914f6cdd1dull;
}

static size_t __attribute__((unused))
rng_below (size_t n)
{
  return n ? (size_t) (rng () % n) : 0;
}

#endif
