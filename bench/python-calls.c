/* The C side of bench/python-overhead.py: the time of a few cheap calls
 * made straight from C, the baseline the Python binding's per-call
 * overhead is measured against.
 *   python-calls N     prints "NAME NANOSECONDS-PER-CALL" lines */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "guestfs.h"

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int argc, char **argv)
{
  long n = argc > 1 ? atol (argv[1]) : 1000000;
  if (n <= 0) {
    fprintf (stderr, "usage: python-calls N\n");
    return 2;
  }
  guestfs_h *g = guestfs_create ();
  if (g == NULL) {
    perror ("guestfs_create");
    return 1;
  }
  double t = now ();
  for (long i = 0; i < n; ++i)
    if (guestfs_get_verbose (g) == -1)
      return 1;
  printf ("get_verbose %.1f\n", (now () - t) / n * 1e9);

  t = now ();
  for (long i = 0; i < n; ++i)
    if (guestfs_internal_test_rint (g, "42") != 42)
      return 1;
  printf ("internal_test_rint %.1f\n", (now () - t) / n * 1e9);

  t = now ();
  for (long i = 0; i < n; ++i) {
    char *s = guestfs_internal_test_rstring (g, "hello");
    if (s == NULL)
      return 1;
    free (s);
  }
  printf ("internal_test_rstring %.1f\n", (now () - t) / n * 1e9);

  t = now ();
  for (long i = 0; i < n; ++i) {
    struct guestfs_lvm_pv *pv = guestfs_internal_test_rstruct (g, "pv");
    if (pv == NULL)
      return 1;
    guestfs_free_lvm_pv (pv);
  }
  printf ("internal_test_rstruct %.1f\n", (now () - t) / n * 1e9);
  guestfs_close (g);
  return 0;
}
