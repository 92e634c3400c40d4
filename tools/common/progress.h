/* Progress of long appliance calls (copies, sparsify) for the tools that
 * copy disks: a bar on a terminal, "POS/TOTAL" lines on stdout with
 * --machine-readable (the form virt-resize(1) documents), nothing
 * otherwise. */
#ifndef HATCH_TOOLS_PROGRESS_H
#define HATCH_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include "guestfs.h"

/* Register the callback on G.  MACHINE_READABLE: "N/M" lines instead of
 * a bar.  QUIET: no bar (machine-readable lines are still printed). */
void tool_progress_register (guestfs_h *g, bool machine_readable, bool quiet);
/* End a bar left unfinished by a failed call. */
void tool_progress_done (void);
/* One bar over several calls: the calls that follow report DONE bytes
 * already copied out of TOTAL (each call's own progress is added to
 * DONE).  TOTAL 0 goes back to one bar per call. */
void tool_progress_span (uint64_t done, uint64_t total);

/* "[   3.1] TEXT" on stdout (the elapsed time since the program started),
 * as the copying tools print each step; nothing when QUIET. */
void tool_step (bool quiet, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

/* "PROGRAM: error: TEXT" (then exit 1) and "PROGRAM: warning: TEXT" on
 * stderr, after ending any progress bar, as the copying tools report. */
void tool_die (const char *program, const char *fmt, ...)
  __attribute__((noreturn, format (printf, 2, 3)));
void tool_warn (const char *program, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

#endif
