/* See progress.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static bool mr, bar_on, active;
static uint64_t bar_serial;
static double bar_start;

static double
now_s (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static double program_start = -1;
static uint64_t span_done, span_total;

void
tool_progress_span (uint64_t done, uint64_t total)
{
  span_done = done;
  span_total = total;
}

void
tool_step (bool quiet, const char *fmt, ...)
{
  if (program_start < 0)
    program_start = now_s ();
  if (quiet)
    return;
  tool_progress_done ();
  printf ("[%6.1f] ", now_s () - program_start);
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static void
draw (uint64_t pos, uint64_t total)
{
  const int width = 40;
  double frac = total ? (double) pos / (double) total : 1.0;
  if (frac > 1.0) frac = 1.0;
  int filled = (int) (frac * width);
  printf ("\r%3d%% [", (int) (frac * 100));
  for (int i = 0; i < width; ++i)
    putchar (i < filled ? '#' : '-');
  double spent = now_s () - bar_start;
  if (pos >= total)
    printf ("] %02d:%02d\n", (int) spent / 60, (int) spent % 60);
  else if (frac > 0.01) {
    int left = (int) (spent / frac - spent);
    printf ("] %02d:%02d", left / 60, left % 60);
  }
  else
    printf ("] --:--");
  fflush (stdout);
}

static void
callback (guestfs_h *g, void *opaque, uint64_t event, int event_handle,
          int flags, const char *buf, size_t buf_len,
          const uint64_t *array, size_t array_len)
{
  (void) g; (void) opaque; (void) event; (void) event_handle; (void) flags;
  (void) buf; (void) buf_len;
  if (array_len < 4)
    return;
  uint64_t serial = array[1], pos = array[2], total = array[3];
  if (span_total) {
    serial = 0;               /* one bar for all the calls */
    pos = span_done + (pos < total ? pos : total);
    total = span_total;
  }
  if (mr) {
    printf ("%" PRIu64 "/%" PRIu64 "\n", pos, total);
    fflush (stdout);
    return;
  }
  if (!bar_on)
    return;
  if (active && serial != bar_serial)
    putchar ('\n');
  if (!active || serial != bar_serial) {
    active = true;
    bar_serial = serial;
    bar_start = now_s ();
  }
  draw (pos, total);
  if (pos >= total)
    active = false;
}

void
tool_progress_register (guestfs_h *g, bool machine_readable, bool quiet)
{
  mr = machine_readable;
  bar_on = !quiet && isatty (1);
  guestfs_set_event_callback (g, callback, GUESTFS_EVENT_PROGRESS, 0, NULL);
}

void
tool_progress_done (void)
{
  if (active) {
    putchar ('\n');
    fflush (stdout);
    active = false;
  }
}

static void
report (const char *program, const char *what, const char *fmt, va_list ap)
{
  tool_progress_done ();
  fflush (stdout);
  fprintf (stderr, "%s: %s: ", program, what);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
}

void
tool_die (const char *program, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report (program, "error", fmt, ap);
  va_end (ap);
  exit (EXIT_FAILURE);
}

void
tool_warn (const char *program, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report (program, "warning", fmt, ap);
  va_end (ap);
}
