/* virt-edit: edit files in a disk image or libvirt guest (see
 * virt-edit(1)).  The file is downloaded to a private temporary file,
 * edited there ($EDITOR, or a Perl expression applied to each line with
 * -e, run by the host's perl exactly as documented: $_ is the line with
 * its newline, $lineno its number), and uploaded back only if changed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"
#include "edit.h"

static const char *program = "virt-edit";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: edit a file in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname file [file ...]\n"
          "  %s [--options] -a disk.img [-a disk.img ...] file [file ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_KEYS);
  printf ("  -b|--backup .ext     Keep the original as file.ext\n"
          "  -e|--edit|--expr expr\n"
          "                       Apply the Perl expression to each line ($_)\n"
          "See virt-edit(1) for more.\n");
  exit (EXIT_SUCCESS);
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = false };
  const char *expr = NULL, *backup = NULL;
  static const char short_options[] = "a:b:c:d:e:m:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    { "backup", required_argument, NULL, 'b' },
    { "edit", required_argument, NULL, 'e' },
    { "expr", required_argument, NULL, 'e' },
    { "help", no_argument, NULL, 0x200 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS); break;
    case 'b':
      if (backup) {
        fprintf (stderr, "%s: -b option given multiple times\n", program);
        exit (EXIT_FAILURE);
      }
      backup = optarg;
      break;
    case 'e':
      if (expr) {
        fprintf (stderr, "%s: -e option given multiple times\n", program);
        exit (EXIT_FAILURE);
      }
      expr = optarg;
      break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (tool_old_style_args (&o, argc, argv, &optind, 1) == -1)
    exit (EXIT_FAILURE);
  tool_require_drives (&o);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing filename on the command line.\n", program);
    usage (EXIT_FAILURE);
  }
  if (backup && (*backup == '\0' || strchr (backup, '/'))) {
    fprintf (stderr, "%s: -b %s: the backup extension must not be empty or "
             "contain '/'\n", program, backup);
    exit (EXIT_FAILURE);
  }
  o.inspector = o.nr_mounts == 0;

  guestfs_h *g = tool_launch (&o, true);

  int status = EXIT_SUCCESS;
  for (int i = optind; i < argc && status == EXIT_SUCCESS; ++i) {
    char *path = tool_windows_path (g, &o, argv[i]);
    if (!path || tool_edit_file (g, program, path, expr, backup) == -1)
      status = EXIT_FAILURE;
    free (path);
  }
  return tool_finish (g, &o, status);
}
