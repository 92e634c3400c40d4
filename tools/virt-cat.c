/* virt-cat: print files of a disk image or libvirt guest (see virt-cat(1)). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-cat";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: print files of a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname file [file ...]\n"
          "  %s [--options] -a disk.img [-a disk.img ...] file [file ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_KEYS);
  printf ("See virt-cat(1) for more.\n");
  exit (EXIT_SUCCESS);
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:m:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    { "help", no_argument, NULL, 0x200 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    if (c == 0x200)
      usage (EXIT_SUCCESS);
    usage (EXIT_FAILURE);
  }
  /* Old style: virt-cat disk.img [disk.img ...] file */
  if (tool_old_style_args (&o, argc, argv, &optind, 1) == -1)
    exit (EXIT_FAILURE);
  tool_require_drives (&o);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing filenames on the command line.\n", program);
    usage (EXIT_FAILURE);
  }
  /* Without -m, the operating system is found and mounted. */
  o.inspector = o.nr_mounts == 0;

  guestfs_h *g = tool_launch (&o, true);

  int status = EXIT_SUCCESS;
  for (int i = optind; i < argc; ++i) {
    char *path = tool_windows_path (g, &o, argv[i]);
    if (!path || tool_download_fd (g, path, STDOUT_FILENO) == -1)
      status = EXIT_FAILURE;
    free (path);
    if (status != EXIT_SUCCESS)
      break;
  }
  return tool_finish (g, &o, status);
}
