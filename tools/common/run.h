/* The steps every virt-* tool's main() goes through, written once:
 *
 *   while ((c = tool_getopt (&o, argc, argv)) != -1)
 *     switch (c) { ...the tool's own options... }
 *   guestfs_h *g = tool_launch (&o, true);     // handle, drives, launch, mount
 *   ...
 *   return tool_finish (g, &o, status);        // shutdown, close, free
 */
#ifndef HATCH_TOOLS_RUN_H
#define HATCH_TOOLS_RUN_H

#include <stdbool.h>
#include "guestfs.h"
#include "options.h"

/* getopt_long over o->short_options and o->long_options.  The shared
 * options (tool_option) are handled here; a bad value of one exits with
 * status 1.  Returns the next option the tool handles itself (getopt's
 * '?' for an unknown one), or -1 at the end. */
int tool_getopt (struct tool_options *o, int argc, char *argv[]);

/* tool_open_handle, guestfs_launch, then tool_mount if MOUNT.  Returns
 * the handle; on failure the message has been printed and the program
 * exits with status 1. */
guestfs_h *tool_launch (struct tool_options *o, bool mount);

/* guestfs_shutdown, guestfs_close and tool_free_options.  Returns STATUS,
 * or EXIT_FAILURE if the shutdown failed. */
int tool_finish (guestfs_h *g, struct tool_options *o, int status);

/* EXPR evaluated with the handle's error messages silenced. */
#define TOOL_QUIET(g, expr) ({ guestfs_push_error_handler ((g), NULL, NULL); \
      __typeof__ (expr) tool_quiet_r_ = (expr); guestfs_pop_error_handler (g); \
      tool_quiet_r_; })

#endif
