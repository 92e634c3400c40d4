/* Runs the tests written in the API table against one real appliance.
 *
 * The appliance has three disks: /dev/sda (256 MiB, reset per test
 * according to the test's scenario), /dev/sdb (128 MiB, an ext4 on
 * /dev/sdb1 made once and shared by "scratchfs" tests, which use unique
 * names) and /dev/sdc (16 MiB, left alone).  Output is TAP.
 *
 *   table-tests [-v] [--shard I/N] [ACTION...]
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "table-runner.h"

static const char *current_test;
static int verbose;

void
table_report (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  printf ("# %s: %s: ", current_test, cmd);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
}

int
table_compare_strings (char **got, const char *const *want)
{
  size_t i;
  for (i = 0; got[i] && want[i]; ++i)
    if (strcmp (got[i], want[i]) != 0)
      return -1;
  return got[i] || want[i] ? -1 : 0;
}

void
table_report_strings (const char *cmd, char **got, const char *const *want)
{
  printf ("# %s: %s: list differs\n#   got:", current_test, cmd);
  for (size_t i = 0; got[i]; ++i) printf (" \"%s\"", got[i]);
  printf ("\n#   expected:");
  for (size_t i = 0; want[i]; ++i) printf (" \"%s\"", want[i]);
  printf ("\n");
}

void
table_free_strings (char **l)
{
  if (!l) return;
  for (size_t i = 0; l[i]; ++i) free (l[i]);
  free (l);
}

void
table_note_error (guestfs_h *g)
{
  if (verbose)
    printf ("#   (expected error: %s)\n", guestfs_last_error (g));
}

/* The action of the test that ran before this one (NULL for the first):
 * the clean-up below only undoes what that test can have left. */
static const char *prev_action;

/* Undo what a test may have left holding /dev/sda busy: swap, LUKS
 * mappings, volume groups, RAID arrays.  Errors are ignored here: the
 * scenario's own steps fail clearly if the disk is still busy.  Each LVM
 * command costs a few tenths of a second under TCG, times a thousand
 * tests: they run only when they can matter. */
static void
release_disks (guestfs_h *g)
{
  guestfs_push_error_handler (g, NULL, NULL);
  /* Only the filter's own tests hide devices from LVM. */
  if (!prev_action || strstr (prev_action, "lvm_set_filter") ||
      strstr (prev_action, "lvm_clear_filter"))
    guestfs_lvm_clear_filter (g);
  for (const char *const *d = (const char *const[]) { "/dev/sda", "/dev/sda1", "/dev/sda2", NULL }; *d; ++d)
    guestfs_swapoff_device (g, *d);
  /* Device-mapper devices (active logical volumes, LUKS mappings) are
   * what keeps a partition busy: only with some is LVM asked to remove
   * what is left. */
  char *blocks = guestfs_debug (g, "ls", (char *[]) { (char *) "/sys/block", NULL });
  bool any_dm = !blocks || strstr (blocks, "dm-") != NULL;
  free (blocks);
  if (any_dm) {
    /* Active logical volumes keep their PV busy, and a leftover volume
     * group confuses the next pvcreate. */
    char **vgs = guestfs_vgs (g);
    if (vgs && vgs[0])
      guestfs_lvm_remove_all (g);
    table_free_strings (vgs);
    /* Other device-mapper devices (LUKS mappings). */
    char **dm = guestfs_list_dm_devices (g);
    for (size_t i = 0; dm && dm[i]; ++i)
      guestfs_cryptsetup_close (g, dm[i]);
    table_free_strings (dm);
  }
  else {
    /* An inactive volume group is harmless once its PV labels are gone
     * (pvcreate refuses a partition that still has one). */
    char **parts = guestfs_list_partitions (g);
    for (size_t i = 0; parts && parts[i]; ++i)
      if (strncmp (parts[i], "/dev/sdb", 8) != 0)   /* sdb: the shared scratch fs */
        guestfs_wipefs (g, parts[i]);
    table_free_strings (parts);
  }
  char **md = guestfs_list_md_devices (g);
  for (size_t i = 0; md && md[i]; ++i)
    guestfs_md_stop (g, md[i]);
  table_free_strings (md);
  guestfs_pop_error_handler (g);
}

/* What /dev/sda looked like right after the runner's own part_disk: the
 * first 64 KiB (MBR and the gap before the partition), the last 64 KiB
 * (outside the partition, where whole-disk metadata such as an MD 0.90
 * superblock would go), and the partition's size.  A test that changed
 * any of it (a new table, a type byte, a bootable flag, a whole-disk
 * filesystem or PV) makes the next setup re-partition. */
#define CANON_SPAN 65536
static struct {
  bool valid;
  unsigned reused, made;        /* setups that kept / redid the table */
  char head[CANON_SPAN], tail[CANON_SPAN];
  int64_t disk_size, part_size;
} canonical;

static bool
read_span (guestfs_h *g, char *buf, int64_t offset)
{
  size_t len = 0;
  char *b = guestfs_pread_device (g, "/dev/sda", CANON_SPAN, offset, &len);
  bool ok = b && len == CANON_SPAN;
  if (ok)
    memcpy (buf, b, CANON_SPAN);
  free (b);
  return ok;
}

static void
remember_canonical (guestfs_h *g)
{
  guestfs_push_error_handler (g, NULL, NULL);
  canonical.disk_size = guestfs_blockdev_getsize64 (g, "/dev/sda");
  canonical.part_size = guestfs_blockdev_getsize64 (g, "/dev/sda1");
  canonical.valid = canonical.disk_size > 2 * CANON_SPAN && canonical.part_size > 0 &&
    read_span (g, canonical.head, 0) &&
    read_span (g, canonical.tail, canonical.disk_size - CANON_SPAN);
  guestfs_pop_error_handler (g);
}

static bool
disk_is_canonical (guestfs_h *g)
{
  if (!canonical.valid)
    return false;
  static char buf[CANON_SPAN];
  bool same = false;
  guestfs_push_error_handler (g, NULL, NULL);
  /* The kernel's view: /dev/sda1 and no other partition of /dev/sda. */
  char **parts = guestfs_list_partitions (g);
  size_t on_sda = 0;
  bool has_sda1 = false;
  for (size_t i = 0; parts && parts[i]; ++i)
    if (strncmp (parts[i], "/dev/sda", 8) == 0) {
      on_sda++;
      if (strcmp (parts[i], "/dev/sda1") == 0)
        has_sda1 = true;
    }
  table_free_strings (parts);
  /* Whatever wrote past the page cache (device-mapper, md, direct I/O)
   * must be seen: drop /dev/sda's cached pages before reading. */
  if (parts && on_sda == 1 && has_sda1 &&
      guestfs_blockdev_flushbufs (g, "/dev/sda") == 0 &&
      guestfs_blockdev_getsize64 (g, "/dev/sda") == canonical.disk_size &&
      guestfs_blockdev_getsize64 (g, "/dev/sda1") == canonical.part_size &&
      read_span (g, buf, 0) && memcmp (buf, canonical.head, CANON_SPAN) == 0 &&
      read_span (g, buf, canonical.disk_size - CANON_SPAN) &&
      memcmp (buf, canonical.tail, CANON_SPAN) == 0)
    same = true;
  guestfs_pop_error_handler (g);
  return same;
}

int
table_setup (guestfs_h *g, const char *scenario)
{
  /* A test of blockdev_setro leaves its disk read-only for the rest of
   * the appliance's life: make every disk writable again first. */
  guestfs_push_error_handler (g, NULL, NULL);
  for (const char *const *d = (const char *const[]) { "/dev/sda", "/dev/sda1", "/dev/sdb", "/dev/sdc", NULL }; *d; ++d)
    guestfs_blockdev_setrw (g, *d);
  guestfs_pop_error_handler (g);
  if (strcmp (scenario, "none") == 0)
    return 0;
  /* A test of umask must not change the modes later tests create. */
  if (guestfs_umask (g, 022) == -1)
    return -1;
  if (guestfs_umount_all (g) == -1)
    return -1;
  if (strcmp (scenario, "scratchfs") == 0)
    return guestfs_mount (g, "/dev/sdb1", "/");
  release_disks (g);
  /* /dev/sdc is the spare disk tests write images to (an ISO, a
   * filesystem): "empty" and the scenarios above it start it blank. */
  if (guestfs_wipefs (g, "/dev/sdc") == -1)
    return -1;
  bool want_empty = strcmp (scenario, "empty") == 0;
  /* Re-partitioning costs a parted run (about half a second under TCG,
   * times several hundred tests): when /dev/sda still holds exactly the
   * table the last part_disk made, only the partition's signatures need
   * clearing. */
  if (!want_empty && disk_is_canonical (g)) {
    canonical.reused++;
    if (guestfs_wipefs (g, "/dev/sda1") == -1)
      return -1;
  }
  else {
    canonical.valid = false;
    if (guestfs_wipefs (g, "/dev/sda") == -1)
      return -1;
    if (want_empty)
      return 0;
    /* The new partition starts where the last one did: clear what an
     * earlier test left in it. */
    if (guestfs_part_disk (g, "/dev/sda", "mbr") == -1 ||
        guestfs_wipefs (g, "/dev/sda1") == -1)
      return -1;
    canonical.made++;
    remember_canonical (g);
  }
  if (strcmp (scenario, "partition") == 0)
    return 0;
  if (strcmp (scenario, "basicfs") == 0)
    return guestfs_mkfs (g, "ext2", "/dev/sda1") == -1 ? -1 :
      guestfs_mount (g, "/dev/sda1", "/");
  fprintf (stderr, "table-tests: unknown scenario %s\n", scenario);
  return -1;
}

static int
make_disk (const char *dir, const char *name, off_t size, char **path)
{
  if (asprintf (path, "%s/%s", dir, name) == -1)
    return -1;
  FILE *f = fopen (*path, "w");
  if (!f || ftruncate (fileno (f), size) == -1) {
    perror (*path);
    if (f) fclose (f);
    return -1;
  }
  return fclose (f);
}

/* The last error a test's own steps raised (setup runs with errors
 * silenced and not recorded, so a stale setup error is never reported). */
static char test_error[512];

static void
quiet_errors (guestfs_h *g, void *opaque, const char *msg)
{
  (void) g; (void) opaque;
  snprintf (test_error, sizeof test_error, "%s", msg);
}

int
main (int argc, char *argv[])
{
  /* If our library failed to build, the dynamic linker may find an
   * installed libguestfs instead: refuse to test that one. */
  Dl_info dl;
  if (dladdr ((void *) guestfs_create, &dl) != 0 && dl.dli_fname &&
      (strncmp (dl.dli_fname, "/usr/", 5) == 0 || strncmp (dl.dli_fname, "/lib", 4) == 0)) {
    printf ("Bail out! table-tests: loaded %s, not the library of this build tree\n",
            dl.dli_fname);
    return 1;
  }
  int shard = 0, nshards = 1;
  int argi = 1;
  for (; argi < argc && argv[argi][0] == '-'; ++argi) {
    if (strcmp (argv[argi], "-v") == 0)
      verbose = 1;
    else if (strcmp (argv[argi], "--shard") == 0 && argi + 1 < argc) {
      if (sscanf (argv[++argi], "%d/%d", &shard, &nshards) != 2 || nshards < 1 ||
          shard < 0 || shard >= nshards) {
        fprintf (stderr, "table-tests: bad --shard\n");
        return 2;
      }
    }
    else {
      fprintf (stderr, "usage: table-tests [-v] [--shard I/N] [ACTION...]\n");
      return 2;
    }
  }

  char dir[] = "/tmp/hatch-table-XXXXXX";
  if (!mkdtemp (dir)) {
    perror ("mkdtemp");
    return 1;
  }
  /* Through libvirt as root, qemu runs as another user: it must reach
   * the test disks (libvirt hands it the images, not their directory). */
  const char *backend = getenv ("LIBGUESTFS_BACKEND");
  if (backend && strncmp (backend, "libvirt", 7) == 0)
    chmod (dir, 0711);
  char *sda, *sdb, *sdc;
  if (make_disk (dir, "sda.img", 256 << 20, &sda) == -1 ||
      make_disk (dir, "sdb.img", 128 << 20, &sdb) == -1 ||
      make_disk (dir, "sdc.img", 16 << 20, &sdc) == -1)
    return 1;

  guestfs_h *g = guestfs_create ();
  if (!g) {
    perror ("guestfs_create");
    return 1;
  }
  int ok = guestfs_add_drive_opts (g, sda, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == 0 &&
           guestfs_add_drive_opts (g, sdb, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == 0 &&
           guestfs_add_drive_opts (g, sdc, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == 0 &&
           guestfs_launch (g) == 0 &&
           guestfs_part_disk (g, "/dev/sdb", "mbr") == 0 &&
           guestfs_mkfs (g, "ext4", "/dev/sdb1") == 0;
  if (!ok) {
    printf ("Bail out! could not launch the test appliance\n");
    return 1;
  }

  /* Pick the tests: named actions, or all; then this shard's part. */
  size_t selected = 0, n = 0;
  int failed = 0;
  const struct table_test **list = calloc (table_tests_len, sizeof *list);
  for (size_t i = 0; i < table_tests_len; ++i) {
    bool want = argi == argc;
    for (int j = argi; j < argc; ++j)
      if (strcmp (argv[j], table_tests[i].action) == 0)
        want = true;
    if (want && (int) (selected++ % (size_t) nshards) == shard)
      list[n++] = &table_tests[i];
  }
  printf ("1..%zu\n", n);
  for (size_t i = 0; i < n; ++i) {
    char name[256];
    snprintf (name, sizeof name, "%s[%d] (%s)", list[i]->action, list[i]->index, list[i]->scenario);
    current_test = name;
    prev_action = i > 0 ? list[i - 1]->action : NULL;
    fflush (stdout);
    test_error[0] = '\0';
    struct timespec t0, t1;
    clock_gettime (CLOCK_MONOTONIC, &t0);
    guestfs_push_error_handler (g, quiet_errors, NULL);
    int r = list[i]->run (g);
    guestfs_pop_error_handler (g);
    clock_gettime (CLOCK_MONOTONIC, &t1);
    double secs = (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs >= 2.0)          /* slow tests show in the log, to keep make check short */
      printf ("# %s took %.1f s\n", name, secs);
    if (r == 0)
      printf ("ok %zu - %s\n", i + 1, name);
    else {
      printf ("not ok %zu - %s%s%s\n", i + 1, name,
              test_error[0] ? ": " : "", test_error);
      failed++;
      if (!guestfs_is_ready (g)) {
        printf ("Bail out! the appliance died\n");
        break;
      }
    }
  }
  printf ("# partitioned setups: %u re-partitioned, %u reused the table\n",
          canonical.made, canonical.reused);
  guestfs_close (g);
  unlink (sda); unlink (sdb); unlink (sdc);
  rmdir (dir);
  free (list);
  return failed ? 1 : 0;
}
