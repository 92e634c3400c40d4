/* virt-format: erase and make a blank disk (see virt-format(1)). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-format";

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: erase and make a blank disk\n"
          "Usage:\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n", program, program);
  tool_print_options_help (0);
  printf ("  --filesystem=..      Create an empty filesystem (none: the default)\n"
          "  --label=..           Set the filesystem label\n"
          "  --lvm=/dev/VG/LV     Create a logical volume (--lvm: /dev/VG/LV;\n"
          "                       none: the default)\n"
          "  --partition=mbr|gpt|none\n"
          "                       Partition table (default: MBR, GPT if >= 2 TB)\n"
          "  --wipe               Write zeroes over the whole disk\n"
          "See virt-format(1) for more.\n");
  exit (EXIT_SUCCESS);
}

/* The MBR type byte for a filesystem (0 when there is no usual one). */
static int
mbr_id (const char *fs, bool lvm)
{
  if (lvm) return 0x8e;
  if (!fs) return 0;
  if (strcmp (fs, "vfat") == 0 || strcmp (fs, "msdos") == 0 ||
      strcmp (fs, "fat") == 0)
    return 0x0c;
  if (strcmp (fs, "ntfs") == 0 || strcmp (fs, "exfat") == 0)
    return 0x07;
  return 0x83;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = false };
  static const char short_options[] = "a:vVx";
  static const struct option long_options[] = {
    { "add", required_argument, NULL, 'a' },
    { "format", optional_argument, NULL, TOOL_OPT_FORMAT },
    { "blocksize", optional_argument, NULL, TOOL_OPT_BLOCKSIZE },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 0x200 },
    { "filesystem", required_argument, NULL, 0x201 },
    { "label", required_argument, NULL, 0x202 },
    { "lvm", optional_argument, NULL, 0x203 },
    { "partition", optional_argument, NULL, 0x204 },
    { "wipe", no_argument, NULL, 0x205 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  const char *filesystem = NULL, *label = NULL, *ptype = "auto";
  char *vg = NULL, *lv = NULL;
  bool wipe = false;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 0x201:
      filesystem = strcmp (optarg, "none") == 0 ? NULL : optarg;
      break;
    case 0x202: label = optarg; break;
    case 0x203:
      free (vg); free (lv);
      vg = lv = NULL;
      if (!optarg || !*optarg) {
        vg = strdup ("VG");
        lv = strdup ("LV");
      }
      else if (strcmp (optarg, "none") != 0) {
        const char *p = optarg;
        if (strncmp (p, "/dev/", 5) == 0)
          p += 5;
        const char *slash = strchr (p, '/');
        if (!slash || slash == p || !slash[1] || strchr (slash + 1, '/')) {
          fprintf (stderr, "%s: cannot parse --lvm option (%s)\n", program, optarg);
          exit (EXIT_FAILURE);
        }
        vg = strndup (p, (size_t) (slash - p));
        lv = strdup (slash + 1);
      }
      break;
    case 0x204:
      if (!optarg || !*optarg)
        ptype = "auto";
      else if (strcmp (optarg, "mbr") == 0 || strcmp (optarg, "msdos") == 0)
        ptype = "mbr";
      else if (strcmp (optarg, "gpt") == 0 || strcmp (optarg, "none") == 0)
        ptype = optarg;
      else {
        fprintf (stderr, "%s: --partition: unknown partition type '%s' "
                 "(use mbr, gpt or none)\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      break;
    case 0x205: wipe = true; break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  if (o.nr_drives == 0) {
    fprintf (stderr, "%s: error: you must specify at least one -a option.\n", program);
    usage (EXIT_FAILURE);
  }
  if (label && !filesystem) {
    fprintf (stderr, "%s: --label can only be used with --filesystem\n", program);
    exit (EXIT_FAILURE);
  }
  if (vg && o.nr_drives > 1) {
    fprintf (stderr, "%s: --lvm can only be used with a single disk\n", program);
    exit (EXIT_FAILURE);
  }

  guestfs_h *g = tool_launch (&o, false);

  /* Forget any LVM on the disks first, so nothing holds them open. */
  guestfs_push_error_handler (g, NULL, NULL);
  guestfs_vg_activate_all (g, 0);
  guestfs_pop_error_handler (g);

  char **devices = guestfs_list_devices (g);
  if (!devices)
    exit (EXIT_FAILURE);
  int status = EXIT_SUCCESS;
  for (size_t i = 0; devices[i] && status == EXIT_SUCCESS; ++i) {
    const char *dev = devices[i];
    if (wipe) {
      if (guestfs_zero_device (g, dev) == -1) { status = EXIT_FAILURE; break; }
    }
    else {
      /* Remove signatures from the old partitions and the disk itself. */
      char **parts = guestfs_list_partitions (g);
      guestfs_push_error_handler (g, NULL, NULL);
      for (size_t j = 0; parts && parts[j]; ++j)
        if (strncmp (parts[j], dev, strlen (dev)) == 0)
          guestfs_wipefs (g, parts[j]);
      guestfs_pop_error_handler (g);
      tool_free_strings (parts);
      if (guestfs_wipefs (g, dev) == -1 || guestfs_zero (g, dev) == -1) {
        status = EXIT_FAILURE; break;
      }
    }
    char *target = strdup (dev);
    if (strcmp (ptype, "none") != 0) {
      const char *pt = ptype;
      if (strcmp (pt, "auto") == 0) {
        int64_t size = guestfs_blockdev_getsize64 (g, dev);
        if (size == -1) { status = EXIT_FAILURE; free (target); break; }
        pt = size >= (INT64_C(2) << 40) ? "gpt" : "mbr";
      }
      if (guestfs_part_disk (g, dev, strcmp (pt, "mbr") == 0 ? "msdos" : pt) == -1) {
        status = EXIT_FAILURE; free (target); break;
      }
      int id = mbr_id (filesystem, vg != NULL);
      if (strcmp (pt, "mbr") == 0 && id != 0 && id != 0x83 &&
          guestfs_part_set_mbr_id (g, dev, 1, id) == -1) {
        status = EXIT_FAILURE; free (target); break;
      }
      free (target);
      if (asprintf (&target, "%s1", dev) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
    }
    if (vg) {
      char *lvdev;
      if (guestfs_pvcreate (g, target) == -1) { status = EXIT_FAILURE; free (target); break; }
      char *pvs[] = { target, NULL };
      if (guestfs_vgcreate (g, vg, pvs) == -1 ||
          guestfs_lvcreate_free (g, lv, vg, 100) == -1) {
        status = EXIT_FAILURE; free (target); break;
      }
      if (asprintf (&lvdev, "/dev/%s/%s", vg, lv) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
      free (target);
      target = lvdev;
    }
    if (filesystem) {
      if (guestfs_mkfs_opts (g, filesystem, target, -1) == -1 ||
          (label && guestfs_set_label (g, target, label) == -1)) {
        status = EXIT_FAILURE; free (target); break;
      }
    }
    free (target);
  }
  tool_free_strings (devices);
  if (guestfs_sync (g) == -1 || guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  free (vg); free (lv);
  tool_free_options (&o);
  return status;
}
