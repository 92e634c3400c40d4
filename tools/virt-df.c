/* virt-df: free space on the filesystems of disk images or libvirt
 * guests (see virt-df(1)). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guestfs.h"
#include "domains.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-df";
static bool csv, json, human, inodes, show_uuid;
static json_object *json_rows;   /* --json: the rows, printed at the end */

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: display free space on virtual filesystems\n"
          "Usage:\n"
          "  %s [--options]                (every libvirt guest)\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n", program, program, program, program);
  tool_print_options_help (0);
  printf ("  --csv                Comma-separated values\n"
          "  -h|--human-readable  Sizes like 1.5K, 20M\n"
          "  -i|--inodes          Inodes instead of blocks\n"
          "  --json               JSON: one object per filesystem\n"
          "  --one-per-guest      (the default; kept for old scripts)\n"
          "  -P nr_threads        (accepted; guests are examined one by one)\n"
          "  --uuid               UUIDs of libvirt guests instead of names\n"
          "See virt-df(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static void
print_title (void)
{
  if (json)
    return;
  const char *c1 = inodes ? "Inodes" : human ? "Size" : "1K-blocks";
  const char *c2 = inodes ? "IUsed" : "Used";
  const char *c3 = inodes ? "IFree" : "Available";
  const char *c4 = inodes ? "IUse%" : "Use%";
  if (csv)
    printf ("VirtualMachine,Filesystem,%s,%s,%s,%s\n", c1, c2, c3, c4);
  else
    printf ("%-36s%10s %10s %10s %5s\n", "Filesystem", c1, c2, c3, c4);
}

/* FIRST: the column right after the name (no space before it, as in
 * the title's "%-36s%10s"). */
static void
print_number (int64_t v, int64_t unit, bool first)
{
  const char *sep = first ? "" : " ";
  if (human) {
    char *h = tool_human_size ((uint64_t) (v < 0 ? 0 : v) * (uint64_t) unit);
    printf ("%s%10s", sep, h);
    free (h);
  }
  else if (csv)
    printf (",%" PRIi64, v);
  else
    printf ("%s%10" PRIi64, sep, v);
}

static void
print_row (const char *guest, const char *fs, const struct guestfs_statvfs *sv)
{
  int64_t total, used, avail, unit;
  if (inodes) {
    total = sv->files;
    used = sv->files - sv->ffree;
    avail = sv->favail;
    unit = 1;
  }
  else {
    int64_t bs = sv->frsize > 0 ? sv->frsize : sv->bsize;
    total = sv->blocks * bs / 1024;
    used = (sv->blocks - sv->bfree) * bs / 1024;
    avail = sv->bavail * bs / 1024;
    unit = 1024;
  }
  /* Use% is the share of the filesystem's blocks (inodes) not free,
   * from the raw counts: the table rounds it up to a whole percent and
   * --csv (and --json) give it to one decimal, as libguestfs's virt-df
   * does (5% and 4.8 for 1964 of 40823 1K-blocks, where df's
   * used / (used + available) would give 6%). */
  int64_t n_all = inodes ? sv->files : sv->blocks;
  int64_t n_free = inodes ? sv->ffree : sv->bfree;
  double percent = n_all > 0 ? 100.0 * (double) (n_all - n_free) / (double) n_all : 0.0;
  char percent_s[32];
  snprintf (percent_s, sizeof percent_s, "%.1f", percent);
  if (json) {
    /* The --csv columns as keys (docs/virt-df.schema.json). */
    json_object *row = json_object_new_object ();
    if (!row || json_object_array_add (json_rows, row) != 0 ||
        json_object_object_add (row, "virtual_machine", json_object_new_string (guest)) ||
        json_object_object_add (row, "filesystem", json_object_new_string (fs)) ||
        json_object_object_add (row, inodes ? "inodes" : "1k_blocks", json_object_new_int64 (total)) ||
        json_object_object_add (row, inodes ? "iused" : "used", json_object_new_int64 (used)) ||
        json_object_object_add (row, inodes ? "ifree" : "available", json_object_new_int64 (avail)) ||
        json_object_object_add (row, inodes ? "iuse_percent" : "use_percent",
                                json_object_new_double_s (percent, percent_s))) {
      fprintf (stderr, "%s: out of memory\n", program);
      exit (EXIT_FAILURE);
    }
    return;
  }
  if (csv) {
    tool_csv_field (stdout, guest);
    putchar (',');
    tool_csv_field (stdout, fs);
  }
  else {
    char *name;
    if (asprintf (&name, "%s:%s", guest, fs) == -1) {
      perror ("asprintf");
      exit (EXIT_FAILURE);
    }
    /* A long name gets its own line, as df does. */
    if (strlen (name) > 36)
      printf ("%s\n%36s", name, "");
    else
      printf ("%-36s", name);
    free (name);
  }
  if (human && inodes) {
    /* Inode counts are not sizes. */
    printf ("%10" PRIi64 " %10" PRIi64 " %10" PRIi64, total, used, avail);
  }
  else {
    print_number (total, unit, true);
    print_number (used, unit, false);
    print_number (avail, unit, false);
  }
  if (csv)
    printf (",%s\n", percent_s);
  else {
    int whole = (int) percent;  /* rounded up */
    if ((double) whole < percent)
      whole++;
    printf (" %4d%%\n", whole);
  }
}

static bool
mountable_type (const char *type)
{
  static const char *const not[] = {
    "swap", "unknown", "", "crypto_LUKS", "LVM2_member", "linux_raid_member",
    "BitLocker", NULL,
  };
  for (size_t i = 0; not[i]; ++i)
    if (strcmp (type, not[i]) == 0)
      return false;
  return true;
}

/* One guest: launch, then statvfs each mountable filesystem. */
static int
df_guest (struct tool_options *o, const char *name)
{
  guestfs_h *g = tool_open_handle (o);
  if (!g)
    return -1;
  if (guestfs_launch (g) == -1 || tool_decrypt (g, o) == -1) {
    guestfs_close (g);
    return -1;
  }
  char **fses = guestfs_list_filesystems (g);
  if (!fses) {
    guestfs_close (g);
    return -1;
  }
  for (size_t i = 0; fses[i] && fses[i + 1]; i += 2) {
    if (!mountable_type (fses[i + 1]))
      continue;
    if (TOOL_QUIET (g, guestfs_mount_ro (g, fses[i], "/")) == -1)
      continue;                 /* not mountable after all */
    struct guestfs_statvfs *sv = guestfs_statvfs (g, "/");
    if (sv) {
      print_row (name, fses[i], sv);
      guestfs_free_statvfs (sv);
    }
    if (guestfs_umount_all (g) == -1)
      break;
  }
  tool_free_strings (fses);
  int r = guestfs_shutdown (g);
  guestfs_close (g);
  return r;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:hiP:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "csv", no_argument, NULL, 0x201 },
    { "help", no_argument, NULL, 0x200 },
    { "human-readable", no_argument, NULL, 'h' },
    { "inodes", no_argument, NULL, 'i' },
    { "json", no_argument, NULL, 0x204 },
    { "one-per-guest", no_argument, NULL, 0x202 },
    { "uuid", no_argument, NULL, 0x203 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    /* -i here means --inodes, not the inspector. */
    if (c == 'i') {
      inodes = true;
      continue;
    }
    int r = tool_option (&o, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (EXIT_FAILURE);
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS); break;
    case 0x201: csv = true; break;
    case 0x202: break;
    case 0x203: show_uuid = true; break;
    case 0x204: json = true; break;
    case 'h': human = true; break;
    case 'P': {
      char *end;
      long n = strtol (optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || n < 0) {
        fprintf (stderr, "%s: -P %s: not a number of threads\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      break;
    }
    default: usage (EXIT_FAILURE);
    }
  }
  if (tool_old_style_args (&o, argc, argv, &optind, 0) == -1)
    exit (EXIT_FAILURE);
  if (optind != argc) {
    fprintf (stderr, "%s: error: extra argument ‘%s’ on the command line.\n",
             program, argv[optind]);
    tool_try_help (program);
  }
  if (csv && human) {
    fprintf (stderr, "%s: you cannot use -h and --csv options together.\n", program);
    exit (EXIT_FAILURE);
  }
  if (json && (human || csv)) {
    fprintf (stderr, "%s: you cannot use --json with -h or --csv.\n", program);
    exit (EXIT_FAILURE);
  }
  if (json && !(json_rows = json_object_new_array ())) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
  /* No -a or -d: every libvirt guest (of -c), one after another. */
  struct tool_domain *all = NULL;
  size_t nr_all = 0;
  bool every_guest = o.nr_drives == 0 && o.nr_domains == 0;
  if (every_guest && tool_all_domains (&o, &all, &nr_all) == -1)
    exit (EXIT_FAILURE);

  print_title ();
  int status = EXIT_SUCCESS;
  /* The -a disks make up one guest, named after the first disk with a
   * '+' for each further disk; each -d guest is examined on its own. */
  if (o.nr_drives > 0) {
    struct tool_options a = o;
    a.nr_domains = 0;
    const char *first = o.drives[0].filename;
    const char *base = strrchr (first, '/') ? strrchr (first, '/') + 1 : first;
    size_t len = strlen (base);
    char *name = malloc (len + o.nr_drives);
    if (!name) {
      perror ("malloc");
      exit (EXIT_FAILURE);
    }
    memcpy (name, base, len);
    memset (name + len, '+', o.nr_drives - 1);
    name[len + o.nr_drives - 1] = '\0';
    if (df_guest (&a, name) == -1)
      status = EXIT_FAILURE;
    free (name);
  }
  for (size_t i = 0; i < o.nr_domains; ++i) {
    struct tool_options d = o;
    d.nr_drives = 0;
    char *one[2] = { o.domains[i], NULL };
    d.domains = one;
    d.nr_domains = 1;
    char *uuid = show_uuid ? tool_domain_uuid (&o, o.domains[i]) : NULL;
    if (df_guest (&d, uuid ? uuid : o.domains[i]) == -1)
      status = EXIT_FAILURE;
    free (uuid);
  }
  for (size_t i = 0; i < nr_all; ++i) {
    struct tool_options d = o;
    /* By UUID: two guests may have the same name on some drivers. */
    char *one[2] = { all[i].uuid, NULL };
    d.domains = one;
    d.nr_domains = 1;
    if (df_guest (&d, show_uuid ? all[i].uuid : all[i].name) == -1)
      status = EXIT_FAILURE;
  }
  tool_free_domains (all, nr_all);
  if (json) {
    if (tool_json_print (json_rows) == -1)
      status = EXIT_FAILURE;
    json_object_put (json_rows);
  }
  tool_free_options (&o);
  return status;
}
