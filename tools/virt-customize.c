/* virt-customize: change a guest in place (see virt-customize(1)).  The
 * operations and their order are the customization engine's
 * (tools/customize/); this file is the command line around it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customize.h"
#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-customize";

enum {
  OPT_HELP = 0x200, OPT_ATTACH, OPT_ATTACH_FORMAT, OPT_COLORS, OPT_NETWORK,
  OPT_NO_NETWORK, OPT_SMP, OPT_WRAP,
};

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: customize a virtual machine\n"
          "\n"
          " %s [--options] -d domname\n"
          "\n"
          " %s [--options] -a disk.img [-a disk.img ...]\n"
          "\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("  --attach iso         Attach a disk (or ISO) to the appliance for --run\n"
          "  --attach-format fmt  Format of the next --attach disk\n"
          "  --colors             Colour the progress messages even if not a tty\n"
          "  -n|--dry-run         Make the changes on a throw-away overlay only\n"
          "  -m|--memsize mb      Memory of the appliance (for --run, --install)\n"
          "  --network            Give guest commands the appliance network (default)\n"
          "  --no-network         No network for guest commands\n"
          "  -q|--quiet           No progress messages\n"
          "  --smp vcpus          Virtual CPUs of the appliance\n"
          "  --wrap               Accepted for compatibility (messages are not wrapped)\n"
          "Customization options, applied in command-line order:\n");
  customize_print_help ();
  printf ("See virt-customize(1) for more.\n");
  exit (EXIT_SUCCESS);
}

struct attach {
  char *file, *format;
};

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program };
  struct customize cz = { .program = program, .network = true,
                          .colors = isatty (STDOUT_FILENO) };
  bool dry_run = false;
  int memsize = 0, smp = 0;
  struct attach *attach = NULL;
  size_t nr_attach = 0;
  char *attach_format = NULL;

  static const char short_options[] = "a:c:d:m:nqvVx";
  static const struct option tool_long_options[] = {
    /* --format takes its value as the next argument too, as in 1.48
     * (listed before the shared optional-value form, so it wins). */
    { "format", required_argument, NULL, TOOL_OPT_FORMAT },
    TOOL_LONG_OPTIONS,
    { "attach", required_argument, NULL, OPT_ATTACH },
    { "attach-format", required_argument, NULL, OPT_ATTACH_FORMAT },
    TOOL_COLOUR_LONG_OPTIONS (OPT_COLORS),
    TOOL_OCAML_LONG_OPTIONS (OPT_WRAP),
    { "dryrun", no_argument, NULL, 'n' },
    { "dry-run", no_argument, NULL, 'n' },
    { "help", no_argument, NULL, OPT_HELP },
    { "memsize", required_argument, NULL, 'm' },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "no-network", no_argument, NULL, OPT_NO_NETWORK },
    { "quiet", no_argument, NULL, 'q' },
    { "smp", required_argument, NULL, OPT_SMP },
    { NULL, 0, NULL, 0 },
  };
  struct option *long_options = customize_long_options (tool_long_options);
  o.long_options = long_options;
  o.short_options = short_options;

  int c;
  while ((c = customize_getopt (&cz, argc, argv, short_options, long_options)) != -1) {
    /* -m is --memsize here, not the shared --mount. */
    if (c != 'm') {
      int r = tool_option (&o, c, optarg);
      if (r == -1)
        exit (EXIT_FAILURE);
      if (r == 1)
        continue;
    }
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case 'm': case OPT_SMP: {
      char *end;
      long v = strtol (optarg, &end, 10);
      if (*end || end == optarg || v < (c == 'm' ? 128 : 1) || v > 1048576) {
        fprintf (stderr, "%s: --%s: invalid value ‘%s’\n", program,
                 c == 'm' ? "memsize" : "smp", optarg);
        exit (EXIT_FAILURE);
      }
      if (c == 'm')
        memsize = (int) v;
      else
        smp = (int) v;
      break;
    }
    case 'n': dry_run = true; break;
    case 'q': cz.quiet = true; break;
    case OPT_COLORS: cz.colors = true; break;
    case OPT_NETWORK: cz.network = true; break;
    case OPT_NO_NETWORK: cz.network = false; break;
    case OPT_WRAP: break;
    case OPT_ATTACH:
      attach = realloc (attach, (nr_attach + 1) * sizeof *attach);
      if (!attach) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      attach[nr_attach++] = (struct attach) { strdup (optarg),
                                              attach_format ? strdup (attach_format) : NULL };
      break;
    case OPT_ATTACH_FORMAT:
      free (attach_format);
      attach_format = strdup (optarg);
      break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra parameter on the command line: ‘%s’\n", program,
             argv[optind]);
    tool_try_help (program);
  }
  tool_require_drives (&o);
  cz.verbose = o.verbose;
  o.read_only = dry_run;        /* writes go to a throw-away overlay */
  o.inspector = true;

  customize_message (&cz, "Examining the guest ...");
  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    exit (EXIT_FAILURE);
  if (guestfs_set_network (g, cz.network) == -1 ||
      (memsize && guestfs_set_memsize (g, memsize) == -1) ||
      (smp && guestfs_set_smp (g, smp) == -1))
    exit (EXIT_FAILURE);
  for (size_t i = 0; i < nr_attach; ++i) {
    struct guestfs_add_drive_opts_argv a = {
      .bitmask = GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK, .readonly = 1 };
    if (attach[i].format) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
      a.format = attach[i].format;
    }
    if (guestfs_add_drive_opts_argv (g, attach[i].file, &a) == -1)
      exit (EXIT_FAILURE);
  }
  /* The drives are read-only (a throw-away overlay) with --dry-run, but
   * the filesystems are mounted for writing either way. */
  o.read_only = false;
  if (guestfs_launch (g) == -1 || tool_mount (g, &o) == -1)
    exit (EXIT_FAILURE);

  int status = customize_apply (g, o.root, &cz) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  if (status == EXIT_SUCCESS)
    customize_message (&cz, "Finishing off");
  customize_free (&cz);
  for (size_t i = 0; i < nr_attach; ++i) {
    free (attach[i].file);
    free (attach[i].format);
  }
  free (attach);
  free (attach_format);
  status = tool_finish (g, &o, status);
  free (long_options);
  return status;
}
