/* Hatch guestfish: -N [FILENAME=]TYPE[:PARAM...] prepared disk images.
 *
 * Each -N creates a sparse raw file before launch (fish_prep_create),
 * which is added as a drive like -a; after launch fish_prep_format lays
 * out partitions, LVM and filesystems on the drive's device.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fish.h"

#define MAX_PARAMS 6

struct prep_type {
  const char *name;
  const char *summary;
  const char *text;                       /* our own description */
  const char *params[MAX_PARAMS];         /* names, in order */
  const char *defaults[MAX_PARAMS];
  const char *param_desc[MAX_PARAMS];
};

static const struct prep_type types[] = {
  { "disk", "create a blank disk",
    "An empty disk image; 1G unless a size is given.",
    { "size" }, { "1G" }, { "the size of the disk image" } },
  { "part", "create a partitioned disk",
    "A disk image holding one partition that covers (almost) the whole\n"
    "  disk, in an MBR partition table unless another type is given.",
    { "size", "partition" }, { "1G", "mbr" },
    { "the size of the disk image", "partition table type" } },
  { "fs", "create a filesystem",
    "A disk image with one partition formatted with a filesystem (ext2\n"
    "  unless another type is given).",
    { "filesystem", "size", "partition" }, { "ext2", "1G", "mbr" },
    { "the type of filesystem to use", "the size of the disk image",
      "partition table type" } },
  { "lv", "create a disk with logical volume",
    "A disk image with one partition made into an LVM physical volume,\n"
    "  holding a volume group and one logical volume that fills it (named\n"
    "  /dev/VG/LV unless another name is given).  No filesystem: see 'lvfs'.",
    { "name", "size", "partition" }, { "/dev/VG/LV", "1G", "mbr" },
    { "the name of the VG and LV to use", "the size of the disk image",
      "partition table type" } },
  { "lvfs", "create a disk with logical volume and filesystem",
    "The same as 'lv', with a filesystem on the logical volume.",
    { "name", "filesystem", "size", "partition" },
    { "/dev/VG/LV", "ext2", "1G", "mbr" },
    { "the name of the VG and LV to use", "the type of filesystem to use",
      "the size of the disk image", "partition table type" } },
  { "bootroot", "create a boot and root filesystem",
    "A disk image with two partitions, a small boot partition and a root\n"
    "  partition using the rest of the disk, each with its own filesystem.",
    { "bootfs", "rootfs", "size", "bootsize", "partition" },
    { "ext2", "ext2", "1G", "128M", "mbr" },
    { "the type of filesystem to use for boot",
      "the type of filesystem to use for root", "the size of the disk image",
      "the size of the boot filesystem", "partition table type" } },
  { "bootrootlv", "create a boot and root filesystem using LVM",
    "Like 'bootroot', but the root filesystem is on a logical volume\n"
    "  (/dev/VG/LV unless another name is given) in the second partition.",
    { "name", "bootfs", "rootfs", "size", "bootsize", "partition" },
    { "/dev/VG/LV", "ext2", "ext2", "1G", "128M", "mbr" },
    { "the name of the VG and LV for root",
      "the type of filesystem to use for boot",
      "the type of filesystem to use for root", "the size of the disk image",
      "the size of the boot filesystem", "partition table type" } },
};
#define NR_TYPES (sizeof types / sizeof types[0])

struct prep {
  const struct prep_type *type;
  char *filename;
  char *values[MAX_PARAMS];
};

void
fish_prep_list (void)
{
  printf ("Prepared disk images (-N TYPE or -N FILENAME=TYPE):\n");
  for (size_t i = 0; i < NR_TYPES; ++i) {
    const struct prep_type *t = &types[i];
    printf ("\nguestfish -N %-10s - %s\n\n  %s\n\n", t->name, t->summary,
            t->text);
    printf ("  Parameters, all optional, separated by ':':\n"
            "    -N %s", t->name);
    for (size_t j = 0; j < MAX_PARAMS && t->params[j]; ++j)
      printf (":<%s>", t->params[j]);
    putchar ('\n');
    for (size_t j = 0; j < MAX_PARAMS && t->params[j]; ++j)
      printf ("      <%s> %s (default: %s)\n", t->params[j],
              t->param_desc[j], t->defaults[j]);
  }
  printf ("\nThe image is written to test1.img in the current directory "
          "(test2.img for\nthe second -N, and so on) unless a file name is "
          "given, as in:\n\n  guestfish -N blank.img=fs\n\n"
          "Existing files are overwritten.  See guestfish(1).\n");
}

static const char *
value (const struct prep *p, const char *name)
{
  for (size_t j = 0; j < MAX_PARAMS && p->type->params[j]; ++j)
    if (strcmp (p->type->params[j], name) == 0)
      return p->values[j] ? p->values[j] : p->type->defaults[j];
  return NULL;
}

void
fish_prep_free (void *v)
{
  struct prep *p = v;
  if (p == NULL)
    return;
  free (p->filename);
  for (size_t j = 0; j < MAX_PARAMS; ++j)
    free (p->values[j]);
  free (p);
}

int
fish_prep_parse (const char *arg, int index, void **out)
{
  struct prep *p = calloc (1, sizeof *p);
  if (p == NULL) {
    perror ("calloc");
    return -1;
  }
  const char *spec = arg;
  const char *eq = strchr (arg, '=');
  if (eq) {
    p->filename = strndup (arg, eq - arg);
    spec = eq + 1;
  }
  else if (asprintf (&p->filename, "test%d.img", index) == -1)
    p->filename = NULL;
  if (p->filename == NULL) {
    perror ("malloc");
    goto fail;
  }
  if (p->filename[0] == '\0') {
    fprintf (stderr, "guestfish: -N %s: the file name is empty\n", arg);
    goto fail;
  }

  size_t tlen = strcspn (spec, ":");
  for (size_t i = 0; i < NR_TYPES; ++i)
    if (strlen (types[i].name) == tlen &&
        strncmp (types[i].name, spec, tlen) == 0)
      p->type = &types[i];
  if (p->type == NULL) {
    fprintf (stderr, "guestfish: -N parameter '%s': no such prepared disk "
             "image known.\nUse 'guestfish -N help' to list possible values "
             "for the -N parameter.\n", arg);
    goto fail;
  }

  const char *q = spec + tlen;
  size_t j = 0;
  while (*q == ':') {
    q++;
    size_t len = strcspn (q, ":");
    if (j >= MAX_PARAMS || p->type->params[j] == NULL) {
      fprintf (stderr, "guestfish: -N %s: too many parameters for '%s'\n",
               arg, p->type->name);
      goto fail;
    }
    if (len > 0) {       /* an empty parameter keeps the default */
      p->values[j] = strndup (q, len);
      if (p->values[j] == NULL) {
        perror ("strndup");
        goto fail;
      }
    }
    j++;
    q += len;
  }

  /* Check the numbers now, before anything is created. */
  int64_t n;
  const char *s = value (p, "size");
  if (fish_parse_int64 ("-N", "size", s, &n) == -1)
    goto fail;
  if (n <= 0) {
    fprintf (stderr, "guestfish: -N %s: the size must be positive\n", arg);
    goto fail;
  }
  s = value (p, "bootsize");
  if (s) {
    int64_t b;
    if (fish_parse_int64 ("-N", "bootsize", s, &b) == -1)
      goto fail;
    if (b <= 0 || b + 2 * 1024 * 1024 >= n) {
      fprintf (stderr, "guestfish: -N %s: the boot partition does not fit "
               "on the disk\n", arg);
      goto fail;
    }
  }
  s = value (p, "name");
  if (s && (strncmp (s, "/dev/", 5) != 0 || strchr (s + 5, '/') == NULL ||
            strchr (strchr (s + 5, '/') + 1, '/') != NULL ||
            s[5] == '/' || strchr (s + 5, '/')[1] == '\0')) {
    fprintf (stderr, "guestfish: -N %s: the name must look like "
             "/dev/VG/LV\n", arg);
    goto fail;
  }
#if !(defined (GUESTFS_HAVE_PVCREATE) && defined (GUESTFS_HAVE_VGCREATE) && \
      defined (GUESTFS_HAVE_LVCREATE_FREE))
  if (s) {
    fprintf (stderr, "guestfish: -N %s: this build has no LVM commands "
             "(pvcreate, vgcreate, lvcreate-free) yet, so '%s' disks cannot "
             "be made\n", arg, p->type->name);
    goto fail;
  }
#endif
  *out = p;
  return 0;

 fail:
  fish_prep_free (p);
  return -1;
}

int
fish_prep_create (void *v)
{
  struct prep *p = v;
  int64_t size;
  if (fish_parse_int64 ("-N", "size", value (p, "size"), &size) == -1)
    return -1;
  if (fish_create_image (p->filename, size, 1) == -1)
    return -1;
  return guestfs_add_drive_opts (g, p->filename,
                                 GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
}

/* "/dev/VG/LV": the LV on the physical volume PV, filling the VG. */
static int
make_lv (const char *name, const char *pv)
{
#if defined (GUESTFS_HAVE_PVCREATE) && defined (GUESTFS_HAVE_VGCREATE) && \
    defined (GUESTFS_HAVE_LVCREATE_FREE)
  char *vg = strdup (name + 5);
  if (vg == NULL) {
    perror ("strdup");
    return -1;
  }
  char *lv = strchr (vg, '/');
  *lv++ = '\0';
  const char *pvs[] = { pv, NULL };
  int r = -1;
  if (guestfs_pvcreate (g, pv) == 0 &&
      guestfs_vgcreate (g, vg, (char *const *) pvs) == 0 &&
      guestfs_lvcreate_free (g, lv, vg, 100) == 0)
    r = 0;
  free (vg);
  return r;
#else
  (void) pv;
  fprintf (stderr, "guestfish: %s: no LVM commands in this build\n", name);
  return -1;
#endif
}

int
fish_prep_format (void *v, int drive_index)
{
  struct prep *p = v;
  const char *t = p->type->name;
  if (strcmp (t, "disk") == 0)
    return 0;

  char **devices = guestfs_list_devices (g);
  if (devices == NULL)
    return -1;
  size_t n = 0;
  while (devices[n])
    n++;
  if (drive_index < 0 || (size_t) drive_index >= n) {
    fprintf (stderr, "guestfish: -N %s: its disk did not appear in the "
             "appliance\n", p->filename);
    fish_free_strings (devices);
    return -1;
  }
  char *dev = strdup (devices[drive_index]);
  fish_free_strings (devices);
  if (dev == NULL) {
    perror ("strdup");
    return -1;
  }
  char part1[64], part2[64];
  snprintf (part1, sizeof part1, "%s1", dev);
  snprintf (part2, sizeof part2, "%s2", dev);
  const char *ptype = value (p, "partition");
  int r = -1;

  if (strcmp (t, "part") == 0 || strcmp (t, "fs") == 0 ||
      strcmp (t, "lv") == 0 || strcmp (t, "lvfs") == 0) {
    if (guestfs_part_disk (g, dev, ptype) == -1)
      goto out;
    const char *target = part1;
    if (t[0] == 'l') {
      if (make_lv (value (p, "name"), part1) == -1)
        goto out;
      target = value (p, "name");
    }
    const char *fs = value (p, "filesystem");
    if (fs && guestfs_mkfs (g, fs, target) == -1)
      goto out;
    r = 0;
  }
  else {                        /* bootroot, bootrootlv */
    int64_t bootsize;
    int ss = guestfs_blockdev_getss (g, dev);
    int64_t total = guestfs_blockdev_getsize64 (g, dev);
    if (ss <= 0 || total == -1 ||
        fish_parse_int64 ("-N", "bootsize", value (p, "bootsize"),
                          &bootsize) == -1)
      goto out;
    /* libguestfs's layout: the boot partition from sector 64 (32 KiB),
     * bootsize rounded down to whole sectors; the root partition right
     * after it, up to 64 sectors before the end (room for a GPT backup).
     * Users compare these layouts (and virt-alignment-scan's answers). */
    int64_t boot_start = 64;
    int64_t boot_end = boot_start + bootsize / ss - 1;
    int64_t root_start = boot_end + 1;
    int64_t root_end = -64;
    if (bootsize / ss < 1 || root_start >= total / ss - 64) {
      fprintf (stderr, "guestfish: -N %s: the disk is too small\n",
               p->filename);
      goto out;
    }
    if (guestfs_part_init (g, dev, ptype) == -1 ||
        guestfs_part_add (g, dev, "p", boot_start, boot_end) == -1 ||
        guestfs_part_add (g, dev, "p", root_start, root_end) == -1)
      goto out;
    if (guestfs_mkfs (g, value (p, "bootfs"), part1) == -1)
      goto out;
    const char *root = part2;
    if (strcmp (t, "bootrootlv") == 0) {
      if (make_lv (value (p, "name"), part2) == -1)
        goto out;
      root = value (p, "name");
    }
    if (guestfs_mkfs (g, value (p, "rootfs"), root) == -1)
      goto out;
    r = 0;
  }
 out:
  free (dev);
  return r;
}
