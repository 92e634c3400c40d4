/* virt-filesystems: list the filesystems, partitions, block devices and
 * LVM objects of a disk image or libvirt guest (see virt-filesystems(1)). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-filesystems";

/* What to list. */
enum {
  OUT_FILESYSTEMS = 1, OUT_LVS = 2, OUT_VGS = 4, OUT_PVS = 8,
  OUT_PARTITIONS = 16, OUT_BLOCKDEVS = 32,
};
/* Columns of the long output, in output order. */
enum { COL_NAME, COL_TYPE, COL_VFS, COL_LABEL, COL_MBR, COL_SIZE,
       COL_PARENT, COL_UUID, NR_COLS };
static const char *const col_titles[NR_COLS] = {
  "Name", "Type", "VFS", "Label", "MBR", "Size", "Parent", "UUID",
};

static bool csv, json, human, long_mode, title = true, show_uuid, extra;
static unsigned columns;        /* bitmask of 1 << COL_* */

/* The rows, kept until the end so the columns can be aligned. */
static char **cells;            /* nr_rows * NR_COLS, NULL: column absent */
static size_t nr_rows;

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: list filesystems, partitions, block devices, LVM in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("  --all                All of the below\n"
          "  --blkdevs|--block-devices\n"
          "                       Block devices\n"
          "  --csv                Comma-separated values\n"
          "  --extra              With filesystems: swap and unknown ones too\n"
          "  --filesystems        Mountable filesystems (the default)\n"
          "  -h|--human-readable  Sizes like 1.5K, 20M\n"
          "  --json               JSON: one object per row, the columns as keys\n"
          "  -l|--long            More columns, with a title row\n"
          "  --lvs|--logvols|--logical-volumes\n"
          "                       LVM logical volumes\n"
          "  --no-title           No title row in --long mode\n"
          "  --parts|--partitions Partitions\n"
          "  --pvs|--physvols|--physical-volumes\n"
          "                       LVM physical volumes\n"
          "  --uuid|--uuids       With --long: UUIDs\n"
          "  --vgs|--volgroups|--volume-groups\n"
          "                       LVM volume groups\n"
          "See virt-filesystems(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static char *
xstrdup (const char *s)
{
  char *r = strdup (s ? s : "");
  if (!r) {
    perror ("strdup");
    exit (EXIT_FAILURE);
  }
  return r;
}

static char *
size_string (int64_t size)
{
  if (size < 0)
    return NULL;
  if (human)
    return tool_human_size ((uint64_t) size);
  char *s;
  if (asprintf (&s, "%" PRIi64, size) == -1) {
    perror ("asprintf");
    exit (EXIT_FAILURE);
  }
  return s;
}

/* Add one row.  Values are taken over (NULL or "": shown as "-", or an
 * empty CSV field).  Only the selected columns are kept. */
static void
add_row (char *name, const char *type, char *vfs, char *label, char *mbr,
         char *size, char *parent, char *uuid)
{
  char *v[NR_COLS] = { name, xstrdup (type), vfs, label, mbr, size, parent, uuid };
  char **p = realloc (cells, (nr_rows + 1) * NR_COLS * sizeof *p);
  if (!p) {
    perror ("realloc");
    exit (EXIT_FAILURE);
  }
  cells = p;
  for (int c = 0; c < NR_COLS; ++c) {
    if (!(columns & (1u << c))) {
      free (v[c]);
      v[c] = NULL;
    }
    else if (!v[c] || !*v[c]) {
      free (v[c]);
      v[c] = xstrdup (csv || json ? "" : "-");
    }
    cells[nr_rows * NR_COLS + c] = v[c];
  }
  nr_rows++;
}

static void
print_rows (void)
{
  size_t width[NR_COLS] = { 0 };
  bool with_title = long_mode && title;
  for (int c = 0; c < NR_COLS; ++c) {
    if (!(columns & (1u << c)))
      continue;
    if (with_title)
      width[c] = strlen (col_titles[c]);
    for (size_t r = 0; r < nr_rows; ++r) {
      size_t l = strlen (cells[r * NR_COLS + c]);
      if (l > width[c]) width[c] = l;
    }
  }
  /* Two spaces between columns, or one when the table would be wide:
   * as libguestfs's virt-filesystems reckons it, every column counts two
   * more than its width, shown or not. */
  size_t total = 0;
  int last = -1;
  for (int c = 0; c < NR_COLS; ++c) {
    total += width[c] + 2;
    if (columns & (1u << c))
      last = c;
  }
  int gap = total > 72 ? 1 : 2;

  for (size_t r = with_title ? 0 : 1; r <= nr_rows; ++r) {
    bool first = true;
    for (int c = 0; c < NR_COLS; ++c) {
      if (!(columns & (1u << c)))
        continue;
      const char *s = r == 0 ? col_titles[c] : cells[(r - 1) * NR_COLS + c];
      if (csv) {
        if (!first) putchar (',');
        tool_csv_field (stdout, s);
      }
      else {
        if (!first) printf ("%*s", gap, "");
        if (c == last)
          fputs (s, stdout);
        else
          printf ("%-*s", (int) width[c], s);
      }
      first = false;
    }
    putchar ('\n');
  }
  for (size_t i = 0; i < nr_rows * NR_COLS; ++i)
    free (cells[i]);
  free (cells);
}

/* --json: an array of objects, one per row, with the selected columns
 * as lower-case keys (docs/virt-filesystems.schema.json); a value that
 * is not known is null, the size a number of bytes. */
static int
print_json (void)
{
  json_object *rows = json_object_new_array ();
  for (size_t r = 0; rows && r < nr_rows; ++r) {
    json_object *row = json_object_new_object ();
    if (!row || json_object_array_add (rows, row) != 0)
      goto oom;
    for (int c = 0; c < NR_COLS; ++c) {
      if (!(columns & (1u << c)))
        continue;
      const char *s = cells[r * NR_COLS + c];
      char key[16];
      size_t k;
      for (k = 0; col_titles[c][k] && k + 1 < sizeof key; ++k)
        key[k] = (char) (col_titles[c][k] | 0x20);    /* ASCII lower case */
      key[k] = '\0';
      json_object *v = NULL;
      if (*s && c == COL_SIZE)
        v = json_object_new_int64 (strtoll (s, NULL, 10));
      else if (*s)
        v = json_object_new_string (s);
      if ((*s && !v) || json_object_object_add (row, key, v) != 0)
        goto oom;
    }
  }
  if (!rows)
    goto oom;
  int r = tool_json_print (rows);
  json_object_put (rows);
  return r;
 oom:
  fprintf (stderr, "%s: out of memory\n", program);
  exit (EXIT_FAILURE);
}

/* Quietly: a string result, or NULL when the call fails. */
static char *
lvm_uuid (const char *u, bool dashes)
{
  char s[40];
  if (!dashes) {
    memcpy (s, u, 32);
    s[32] = '\0';
  }
  else
    /* LVM's own spelling: 6-4-4-4-4-4-6. */
    snprintf (s, sizeof s, "%.6s-%.4s-%.4s-%.4s-%.4s-%.4s-%.6s",
              u, u + 6, u + 10, u + 14, u + 18, u + 22, u + 26);
  return xstrdup (s);
}

/* The filesystem's own size: mounted read-only, statvfs. */
static int64_t
filesystem_size (guestfs_h *g, const char *fs)
{
  int64_t size = -1;
  if (TOOL_QUIET (g, guestfs_mount_ro (g, fs, "/")) == 0) {
    struct guestfs_statvfs *sv = TOOL_QUIET (g, guestfs_statvfs (g, "/"));
    if (sv) {
      size = sv->blocks * sv->bsize;
      guestfs_free_statvfs (sv);
    }
    TOOL_QUIET (g, guestfs_umount_all (g));
  }
  if (size == -1)
    size = TOOL_QUIET (g, guestfs_blockdev_getsize64 (g, fs));
  return size;
}

/* Append NAME to the comma-separated list *LIST of *LEN bytes (a Parent
 * column with more than one parent). */
static void
append_parent (char **list, size_t *len, const char *name)
{
  size_t l = strlen (name);
  char *np = realloc (*list, *len + l + 2);
  if (!np) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
  *list = np;
  if (*len) np[(*len)++] = ',';
  memcpy (np + *len, name, l + 1);
  *len += l;
}

static int
by_slot (const void *a, const void *b)
{
  int32_t x = ((const struct guestfs_mdstat *) a)->mdstat_index;
  int32_t y = ((const struct guestfs_mdstat *) b)->mdstat_index;
  return (x > y) - (x < y);
}

/* The parents of a filesystem on an MD array: its member devices,
 * comma-separated ("/dev/sda1,/dev/sdb1"), as libguestfs's
 * virt-filesystems shows them; NULL for any other device.  In the order
 * of their slots: libguestfs lists them in /proc/mdstat's order, which
 * in its appliance changes from one launch to the next (udev adds the
 * members in parallel). */
static char *
md_parents (guestfs_h *g, char *const *mds, const char *fs)
{
  bool is_md = false;
  for (size_t i = 0; mds && mds[i] && !is_md; ++i)
    is_md = strcmp (mds[i], fs) == 0;
  struct guestfs_mdstat_list *st = is_md ? TOOL_QUIET (g, guestfs_md_stat (g, fs)) : NULL;
  if (!st)
    return NULL;
  qsort (st->val, st->len, sizeof st->val[0], by_slot);
  size_t len = 0;
  char *parents = NULL;
  for (uint32_t i = 0; i < st->len; ++i)
    append_parent (&parents, &len, st->val[i].mdstat_device);
  guestfs_free_mdstat_list (st);
  return parents;
}

static int
output_filesystems (guestfs_h *g)
{
  char **fses = guestfs_list_filesystems (g);
  if (!fses)
    return -1;
  char **mds = (columns & (1u << COL_PARENT)) ? TOOL_QUIET (g, guestfs_list_md_devices (g)) : NULL;
  for (size_t i = 0; fses[i] && fses[i + 1]; i += 2) {
    const char *fs = fses[i], *type = fses[i + 1];
    bool mountable = strcmp (type, "swap") != 0 && strcmp (type, "unknown") != 0 &&
      strcmp (type, "") != 0 && strcmp (type, "crypto_LUKS") != 0 &&
      strcmp (type, "LVM2_member") != 0 && strcmp (type, "linux_raid_member") != 0;
    if (!mountable && !extra)
      continue;
    char *vfs = NULL, *label = NULL, *uuid = NULL, *size = NULL;
    if (columns & (1u << COL_VFS))
      vfs = xstrdup (strcmp (type, "unknown") == 0 ? "" : type);
    if (columns & (1u << COL_LABEL))
      label = TOOL_QUIET (g, guestfs_vfs_label (g, fs));
    if (columns & (1u << COL_UUID))
      uuid = TOOL_QUIET (g, guestfs_vfs_uuid (g, fs));
    if (columns & (1u << COL_SIZE))
      size = size_string (mountable ? filesystem_size (g, fs)
                          : TOOL_QUIET (g, guestfs_blockdev_getsize64 (g, fs)));
    add_row (xstrdup (fs), "filesystem", vfs, label, NULL, size, md_parents (g, mds, fs), uuid);
  }
  tool_free_strings (mds);
  tool_free_strings (fses);
  return 0;
}

static int
output_lvs (guestfs_h *g)
{
  char **lvs = guestfs_lvs (g);
  if (!lvs)
    return -1;
  for (size_t i = 0; lvs[i]; ++i) {
    /* /dev/VG/LV: the parent is /dev/VG. */
    char *parent = xstrdup (lvs[i]);
    char *slash = strrchr (parent, '/');
    if (slash && slash != parent)
      *slash = '\0';
    char *uuid = NULL;
    if (columns & (1u << COL_UUID)) {
      /* As LVM spells it (with dashes). */
      char *u = TOOL_QUIET (g, guestfs_lvuuid (g, lvs[i]));
      if (u && strlen (u) == 32)
        uuid = lvm_uuid (u, true);
      else
        uuid = u, u = NULL;
      free (u);
    }
    add_row (xstrdup (lvs[i]), "lv", NULL, NULL, NULL,
             size_string (TOOL_QUIET (g, guestfs_blockdev_getsize64 (g, lvs[i]))),
             parent, uuid);
  }
  tool_free_strings (lvs);
  return 0;
}

static int
output_vgs (guestfs_h *g)
{
  struct guestfs_lvm_vg_list *vgs = guestfs_vgs_full (g);
  if (!vgs)
    return -1;
  struct guestfs_lvm_pv_list *pvs = guestfs_pvs_full (g);
  if (!pvs) {
    guestfs_free_lvm_vg_list (vgs);
    return -1;
  }
  for (uint32_t i = 0; i < vgs->len; ++i) {
    struct guestfs_lvm_vg *vg = &vgs->val[i];
    char *name;
    if (asprintf (&name, "/dev/%s", vg->vg_name) == -1) {
      perror ("asprintf");
      exit (EXIT_FAILURE);
    }
    /* The parents of a VG are its PVs. */
    char *parent = NULL;
    char **uuids = TOOL_QUIET (g, guestfs_vgpvuuids (g, vg->vg_name));
    size_t len = 0;
    for (size_t u = 0; uuids && uuids[u]; ++u) {
      /* Compare without LVM's dashes. */
      char plain[33];
      size_t k = 0;
      for (const char *q = uuids[u]; *q && k < 32; ++q)
        if (*q != '-')
          plain[k++] = *q;
      plain[k] = '\0';
      for (uint32_t p = 0; p < pvs->len; ++p)
        if (k == 32 && memcmp (plain, pvs->val[p].pv_uuid, 32) == 0)
          append_parent (&parent, &len, pvs->val[p].pv_name);
    }
    tool_free_strings (uuids);
    add_row (name, "vg", NULL, NULL, NULL, size_string ((int64_t) vg->vg_size),
             parent, lvm_uuid (vg->vg_uuid, false));
  }
  guestfs_free_lvm_pv_list (pvs);
  guestfs_free_lvm_vg_list (vgs);
  return 0;
}

static int
output_pvs (guestfs_h *g)
{
  struct guestfs_lvm_pv_list *pvs = guestfs_pvs_full (g);
  if (!pvs)
    return -1;
  for (uint32_t i = 0; i < pvs->len; ++i) {
    struct guestfs_lvm_pv *pv = &pvs->val[i];
    char *name = TOOL_QUIET (g, guestfs_canonical_device_name (g, pv->pv_name));
    add_row (name ? name : xstrdup (pv->pv_name), "pv", NULL, NULL, NULL,
             size_string ((int64_t) pv->pv_size), NULL,
             lvm_uuid (pv->pv_uuid, false));
  }
  guestfs_free_lvm_pv_list (pvs);
  return 0;
}

static int
output_partitions (guestfs_h *g)
{
  char **parts = guestfs_list_partitions (g);
  if (!parts)
    return -1;
  for (size_t i = 0; parts[i]; ++i) {
    char *mbr = NULL, *parent = NULL, *uuid = NULL;
    if (columns & ((1u << COL_MBR) | (1u << COL_PARENT))) {
      parent = TOOL_QUIET (g, guestfs_part_to_dev (g, parts[i]));
      int n = TOOL_QUIET (g, guestfs_part_to_partnum (g, parts[i]));
      char *pt = parent ? TOOL_QUIET (g, guestfs_part_get_parttype (g, parent)) : NULL;
      if (pt && strcmp (pt, "msdos") == 0 && n > 0) {
        int id = TOOL_QUIET (g, guestfs_part_get_mbr_id (g, parent, n));
        if (id >= 0 && asprintf (&mbr, "%02x", id) == -1)
          mbr = NULL;
      }
      free (pt);
    }
    add_row (xstrdup (parts[i]), "partition", NULL, NULL, mbr,
             size_string (TOOL_QUIET (g, guestfs_blockdev_getsize64 (g, parts[i]))),
             parent, uuid);
  }
  tool_free_strings (parts);
  return 0;
}

static int
output_blockdevs (guestfs_h *g)
{
  /* The disks only: an MD array shows as the Parent of its filesystem
   * (as in libguestfs's virt-filesystems), not as a device row. */
  char **devs = guestfs_list_devices (g);
  if (!devs)
    return -1;
  for (size_t i = 0; devs[i]; ++i)
    add_row (xstrdup (devs[i]), "device", NULL, NULL, NULL,
             size_string (TOOL_QUIET (g, guestfs_blockdev_getsize64 (g, devs[i]))),
             NULL, NULL);
  tool_free_strings (devs);
  return 0;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  unsigned output = 0;
  static const char short_options[] = "a:c:d:hlvVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "all", no_argument, NULL, 0x201 },
    { "blkdevs", no_argument, NULL, 0x202 },
    { "block-devices", no_argument, NULL, 0x202 },
    { "csv", no_argument, NULL, 0x203 },
    { "extra", no_argument, NULL, 0x204 },
    { "filesystems", no_argument, NULL, 0x205 },
    { "help", no_argument, NULL, 0x200 },
    { "human-readable", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, 0x20c },
    { "logical-volumes", no_argument, NULL, 0x206 },
    { "logvols", no_argument, NULL, 0x206 },
    { "long", no_argument, NULL, 'l' },
    { "lvs", no_argument, NULL, 0x206 },
    { "no-title", no_argument, NULL, 0x207 },
    { "partitions", no_argument, NULL, 0x208 },
    { "parts", no_argument, NULL, 0x208 },
    { "physical-volumes", no_argument, NULL, 0x209 },
    { "physvols", no_argument, NULL, 0x209 },
    { "pvs", no_argument, NULL, 0x209 },
    { "uuid", no_argument, NULL, 0x20a },
    { "uuids", no_argument, NULL, 0x20a },
    { "vgs", no_argument, NULL, 0x20b },
    { "volgroups", no_argument, NULL, 0x20b },
    { "volume-groups", no_argument, NULL, 0x20b },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS); break;
    case 0x201:
      output = OUT_FILESYSTEMS | OUT_LVS | OUT_VGS | OUT_PVS | OUT_PARTITIONS | OUT_BLOCKDEVS;
      extra = true;
      break;
    case 0x202: output |= OUT_BLOCKDEVS; break;
    case 0x203: csv = true; break;
    case 0x204: extra = true; output |= OUT_FILESYSTEMS; break;
    case 0x205: output |= OUT_FILESYSTEMS; break;
    case 'h': human = true; break;
    case 0x206: output |= OUT_LVS; break;
    case 'l': long_mode = true; break;
    case 0x207: title = false; break;
    case 0x208: output |= OUT_PARTITIONS; break;
    case 0x209: output |= OUT_PVS; break;
    case 0x20a: show_uuid = true; break;
    case 0x20b: output |= OUT_VGS; break;
    case 0x20c: json = true; break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (tool_old_style_args (&o, argc, argv, &optind, 0) == -1)
    exit (EXIT_FAILURE);
  tool_require_drives (&o);
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
  if (output == 0)
    output = OUT_FILESYSTEMS;

  columns = 1u << COL_NAME;
  if (long_mode) {
    columns |= (1u << COL_TYPE) | (1u << COL_SIZE);
    if (output & OUT_FILESYSTEMS)
      columns |= (1u << COL_VFS) | (1u << COL_LABEL);
    if (output & OUT_PARTITIONS)
      columns |= 1u << COL_MBR;
    columns |= 1u << COL_PARENT;    /* always, "-" where there is none */
    if (show_uuid)
      columns |= 1u << COL_UUID;
  }

  guestfs_h *g = tool_open_handle (&o);
  if (!g || guestfs_launch (g) == -1 || tool_decrypt (g, &o) == -1)
    exit (EXIT_FAILURE);

  int r = 0;
  if (r == 0 && (output & OUT_FILESYSTEMS)) r = output_filesystems (g);
  if (r == 0 && (output & OUT_LVS)) r = output_lvs (g);
  if (r == 0 && (output & OUT_VGS)) r = output_vgs (g);
  if (r == 0 && (output & OUT_PVS)) r = output_pvs (g);
  if (r == 0 && (output & OUT_PARTITIONS)) r = output_partitions (g);
  if (r == 0 && (output & OUT_BLOCKDEVS)) r = output_blockdevs (g);
  int status = EXIT_SUCCESS;
  if (r == -1)
    status = EXIT_FAILURE;
  else if (json) {
    if (print_json () == -1)
      status = EXIT_FAILURE;
    for (size_t i = 0; i < nr_rows * NR_COLS; ++i)
      free (cells[i]);
    free (cells);
  }
  else if (long_mode || csv)
    print_rows ();
  else {
    for (size_t i = 0; i < nr_rows; ++i)
      printf ("%s\n", cells[i * NR_COLS + COL_NAME]);
    for (size_t i = 0; i < nr_rows * NR_COLS; ++i)
      free (cells[i]);
    free (cells);
  }
  return tool_finish (g, &o, status);
}
