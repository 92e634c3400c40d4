/* virt-alignment-scan: report how the partitions of disk images are
 * aligned (see virt-alignment-scan(1)).
 * Exit status: 0 all aligned to at least 64K, 1 error, 2 some below 64K,
 * 3 some below 4K. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs.h"
#include "domains.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-alignment-scan";
static bool show_uuid;          /* --uuid: guests named by UUID */
static bool quiet;

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: check alignment of virtual machine partitions\n"
          "Usage:\n"
          "  %s [--options]                (every libvirt guest)\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n", program, program, program, program);
  tool_print_options_help (0);
  printf ("  -P nr_threads        (accepted; disks are scanned one by one)\n"
          "  -q|--quiet          No output, only the exit status\n"
          "  --uuid               UUIDs instead of names of libvirt guests\n"
          "See virt-alignment-scan(1) for more.\n");
  exit (EXIT_SUCCESS);
}

/* The largest power of two dividing START (START 0 counts as aligned to
 * everything: 2^62). */
static uint64_t
alignment_of (uint64_t start)
{
  uint64_t a = 1;
  if (start == 0)
    return UINT64_C(1) << 62;
  while (a < (UINT64_C(1) << 62) && start % (a * 2) == 0)
    a *= 2;
  return a;
}

/* Scan the partitions of every disk of G; returns the worst status
 * (0, 2 or 3) or 1 on error. */
static int
scan (guestfs_h *g, const char *prefix)
{
  int worst = 0;
  char **devices = guestfs_list_devices (g);
  if (!devices)
    return 1;
  for (size_t i = 0; devices[i]; ++i) {
    /* A disk without a partition table has nothing to check. */
    guestfs_push_error_handler (g, NULL, NULL);
    char *ptype = guestfs_part_get_parttype (g, devices[i]);
    guestfs_pop_error_handler (g);
    if (!ptype)
      continue;
    free (ptype);
    struct guestfs_partition_list *parts = guestfs_part_list (g, devices[i]);
    if (!parts) {
      tool_free_strings (devices);
      return 1;
    }
    for (size_t j = 0; j < parts->len; ++j) {
      const struct guestfs_partition *p = &parts->val[j];
      char *name;
      if (asprintf (&name, "%s%s%" PRIi32, devices[i],
                    strncmp (devices[i], "/dev/md", 7) == 0 ||
                    strncmp (devices[i], "/dev/nvme", 9) == 0 ? "p" : "",
                    p->part_num) == -1) {
        perror ("asprintf");
        exit (EXIT_FAILURE);
      }
      uint64_t start = (uint64_t) p->part_start;
      uint64_t align = alignment_of (start);
      const char *verdict;
      if (align < 4096) {
        verdict = "bad (alignment < 4K)";
        if (worst < 3) worst = 3;
      }
      else if (align < 65536) {
        verdict = "bad (alignment < 64K)";
        if (worst < 2) worst = 2;
      }
      else
        verdict = "ok";
      if (!quiet) {
        if (start == 0)         /* a filesystem on the whole disk ("loop") */
          printf ("%s%s %12" PRIu64 " - %s\n", prefix, name, start, verdict);
        else if (align < 1024)
          printf ("%s%s %12" PRIu64 " %12" PRIu64 "    %s\n",
                  prefix, name, start, align, verdict);
        else
          printf ("%s%s %12" PRIu64 " %12" PRIu64 "K   %s\n",
                  prefix, name, start, align / 1024, verdict);
      }
      free (name);
    }
    guestfs_free_partition_list (parts);
  }
  tool_free_strings (devices);
  return worst;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:P:qvVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 0x200 },
    { "quiet", no_argument, NULL, 'q' },
    { "uuid", no_argument, NULL, 0x201 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 'q': quiet = true; break;
    case 0x201: show_uuid = true; break;
    case 'P': {
      char *end;
      long n = strtol (optarg, &end, 10);
      if (*optarg == '\0' || *end || n < 0) {
        fprintf (stderr, "%s: -P option is not numeric: %s\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      break;
    }
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  if (o.nr_drives == 0 && o.nr_domains == 0) {
    /* Every libvirt guest, each line prefixed with its name (or UUID). */
    struct tool_domain *all;
    size_t nr_all;
    if (tool_all_domains (&o, &all, &nr_all) == -1)
      exit (EXIT_FAILURE);
    int status = 0;
    for (size_t i = 0; i < nr_all; ++i) {
      struct tool_options d = o;
      char *one[2] = { all[i].uuid, NULL };
      d.domains = one;
      d.nr_domains = 1;
      char *prefix;
      if (asprintf (&prefix, "%s:", show_uuid ? all[i].uuid : all[i].name) == -1) {
        perror ("asprintf");
        exit (EXIT_FAILURE);
      }
      guestfs_h *g = tool_open_handle (&d);
      int r = 1;
      if (g && guestfs_launch (g) == 0) {
        r = scan (g, prefix);
        if (guestfs_shutdown (g) == -1)
          r = 1;
      }
      if (g)
        guestfs_close (g);
      free (prefix);
      /* An error (1) outranks the alignment verdicts (2, 3). */
      if (r == 1 || (status != 1 && r > status))
        status = r;
    }
    tool_free_domains (all, nr_all);
    tool_free_options (&o);
    return status;
  }

  guestfs_h *g = tool_launch (&o, false);
  int status = scan (g, "");
  return tool_finish (g, &o, status);
}
