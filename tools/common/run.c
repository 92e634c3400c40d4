/* See run.h. */
#include <getopt.h>
#include <stdlib.h>

#include "run.h"

int
tool_getopt (struct tool_options *o, int argc, char *argv[])
{
  int c;
  while ((c = getopt_long (argc, argv, o->short_options, o->long_options, NULL)) != -1) {
    int r = tool_option (o, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (tool_failure_status);
    return c;
  }
  return -1;
}

guestfs_h *
tool_launch (struct tool_options *o, bool mount)
{
  guestfs_h *g = tool_open_handle (o);
  if (!g || guestfs_launch (g) == -1 || (mount && tool_mount (g, o) == -1))
    exit (tool_failure_status);
  return g;
}

int
tool_finish (guestfs_h *g, struct tool_options *o, int status)
{
  if (guestfs_shutdown (g) == -1)
    status = tool_failure_status;
  guestfs_close (g);
  tool_free_options (o);
  return status;
}
