/* Filesystem probes and whole-device helpers: vfs_type, vfs_label,
 * vfs_uuid, list_filesystems, findfs_label/uuid, wipefs, zero, df, df_h,
 * sync. */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"
#include "btrfs.h"

/* A mountable is a device, or "btrfsvol:DEVICE/SUBVOLUME": return the
 * device (malloc'd). */
static char *
mountable_device (const char *mountable)
{
  const char *pfx = "btrfsvol:";
  if (strncmp (mountable, pfx, strlen (pfx)) != 0)
    return strdup (mountable);
  const char *s = mountable + strlen (pfx);
  /* The device is the longest prefix ending before a '/' that is a block
   * device: /dev/sda1/sub, /dev/vg/lv/sub. */
  for (const char *p = s + strlen (s); p > s; --p) {
    if (*p != '/' && *p != '\0')
      continue;
    char *dev = strndup (s, p - s);
    if (dev == NULL)
      return NULL;
    struct stat st;
    if (stat (dev, &st) == 0 && S_ISBLK (st.st_mode))
      return dev;
    free (dev);
  }
  return strdup (s);
}

/* blkid's value of one tag, "" if none.  Replies on failure. */
static char *
blkid_tag (const char *mountable, const char *tag)
{
  CLEANUP_FREE char *dev = mountable_device (mountable);
  if (dev == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-o", "value", "-s", tag, dev, NULL);
  /* Exit status 2: nothing found on the device (or no such tag). */
  if (r == 2)
    return strdup ("");
  if (r != 0) {
    reply_with_error ("blkid: %s: %s", dev, err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  trim_newlines (out);
  char *ret = out;
  out = NULL;
  return ret;
}

char *
do_vfs_type (const char *mountable)
{
  return blkid_tag (mountable, "TYPE");
}

char *
do_vfs_label (const char *mountable)
{
  return blkid_tag (mountable, "LABEL");
}

char *
do_vfs_uuid (const char *mountable)
{
  return blkid_tag (mountable, "UUID");
}

/* ---- list_filesystems ---- */

/* Does /sys/block/NAME have partitions? */
static bool
has_partitions (const char *device)
{
  const char *name = strrchr (device, '/');
  name = name ? name + 1 : device;
  char dir[PATH_MAX];
  snprintf (dir, sizeof dir, "/sys/block/%s", name);
  DIR *d = opendir (dir);
  if (d == NULL)
    return false;
  bool found = false;
  struct dirent *e;
  size_t nlen = strlen (name);
  while (!found && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, name, nlen) != 0)
      continue;
    char p[PATH_MAX + 512];
    snprintf (p, sizeof p, "%s/%s/partition", dir, e->d_name);
    found = access (p, F_OK) == 0;
  }
  closedir (d);
  return found;
}

/* The kernel shows an MBR extended partition as a 1 KiB stub (2 sectors)
 * numbered 1-4: it holds no filesystem, only the chain of logicals. */
static bool
is_extended_partition (const char *part)
{
  const char *name = strrchr (part, '/');
  name = name ? name + 1 : part;
  char p[PATH_MAX];
  snprintf (p, sizeof p, "/sys/class/block/%s/partition", name);
  FILE *f = fopen (p, "re");
  if (f == NULL)
    return false;
  int num = 0;
  if (fscanf (f, "%d", &num) != 1)
    num = 0;
  fclose (f);
  if (num < 1 || num > 4)
    return false;
  snprintf (p, sizeof p, "/sys/class/block/%s/size", name);
  f = fopen (p, "re");
  if (f == NULL)
    return false;
  unsigned long long size = 0;
  if (fscanf (f, "%llu", &size) != 1)
    size = 0;
  fclose (f);
  return size > 0 && size <= 2;
}

/* Active logical volumes (as /dev/VG/LV) and MD arrays, from sysfs. */
static int
add_dm_and_md (struct stringsbuf *lvs, struct stringsbuf *mds)
{
  DIR *d = opendir ("/sys/block");
  if (d == NULL)
    return 0;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    char p[PATH_MAX];
    if (strncmp (e->d_name, "md", 2) == 0) {
      snprintf (p, sizeof p, "/sys/block/%s/md", e->d_name);
      if (access (p, F_OK) == 0) {
        char *dev;
        if (asprintf (&dev, "/dev/%s", e->d_name) == -1 || add_string_nodup (mds, dev) == -1)
          goto fail;
      }
      continue;
    }
    if (strncmp (e->d_name, "dm-", 3) != 0)
      continue;
    char uuid[256] = "", name[256] = "";
    snprintf (p, sizeof p, "/sys/block/%s/dm/uuid", e->d_name);
    FILE *f = fopen (p, "re");
    if (f) {
      if (fgets (uuid, sizeof uuid, f) == NULL)
        uuid[0] = '\0';
      fclose (f);
    }
    if (strncmp (uuid, "LVM-", 4) != 0)
      continue;
    snprintf (p, sizeof p, "/sys/block/%s/dm/name", e->d_name);
    f = fopen (p, "re");
    if (f) {
      if (fgets (name, sizeof name, f) == NULL)
        name[0] = '\0';
      fclose (f);
    }
    name[strcspn (name, "\n")] = '\0';
    /* dm name "vg-lv" with '-' inside either part doubled. */
    char vg[256], lv[256];
    size_t vi = 0, li = 0;
    bool in_lv = false;
    for (size_t i = 0; name[i]; ++i) {
      if (name[i] == '-' && name[i + 1] == '-') {
        if (in_lv) lv[li++] = '-'; else vg[vi++] = '-';
        i++;
      }
      else if (name[i] == '-' && !in_lv)
        in_lv = true;
      else if (in_lv)
        lv[li++] = name[i];
      else
        vg[vi++] = name[i];
      if (vi >= sizeof vg - 1 || li >= sizeof lv - 1)
        break;
    }
    vg[vi] = lv[li] = '\0';
    if (!in_lv || vi == 0 || li == 0)
      continue;
    /* Skip LVM's internal volumes (thin pool data, mirror logs ...). */
    if (strchr (lv, '_') && (strstr (lv, "_tdata") || strstr (lv, "_tmeta") ||
                             strstr (lv, "_rimage") || strstr (lv, "_rmeta") ||
                             strstr (lv, "_mlog") || strstr (lv, "_mimage")))
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/%s/%s", vg, lv) == -1 || add_string_nodup (lvs, dev) == -1)
      goto fail;
  }
  closedir (d);
  return 0;
 fail:
  closedir (d);
  return -1;
}

/* As list_devices sorts: sdz < sdaa, sda2 < sda10. */
static int
compare_device_names (const void *pa, const void *pb)
{
  const char *a = *(const char *const *) pa;
  const char *b = *(const char *const *) pb;
  size_t la = strcspn (a, "0123456789"), lb = strcspn (b, "0123456789");
  if (la != lb)
    return la < lb ? -1 : 1;
  int c = strncmp (a, b, la);
  if (c != 0)
    return c;
  unsigned long na = strtoul (a + la, NULL, 10), nb = strtoul (b + lb, NULL, 10);
  if (na != nb)
    return na < nb ? -1 : 1;
  return strcmp (a + la, b + lb);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Probe all candidates with one blkid run; add "device", "type" pairs. */
static int
probe_all (struct stringsbuf *ret, char **cands, size_t n)
{
  if (n == 0)
    return 0;
  const char **argv = calloc (n + 8, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "blkid";
  argv[k++] = "-c";
  argv[k++] = "/dev/null";
  argv[k++] = "-o";
  argv[k++] = "export";
  for (size_t i = 0; i < n; ++i)
    argv[k++] = cands[i];
  argv[k] = NULL;
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  free (argv);
  if (r != 0 && r != 2) {
    reply_with_error ("blkid: %s", err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  CLEANUP_FREE_STRINGS char **lines = split_lines (out ? out : "");
  if (lines == NULL) {
    reply_with_perror ("blkid");
    return -1;
  }
  for (size_t i = 0; i < n; ++i) {
    /* Find this device's block: DEVNAME=dev ... up to a blank line. */
    const char *type = "";
    for (size_t j = 0; lines[j]; ++j) {
      if (strncmp (lines[j], "DEVNAME=", 8) != 0 || strcmp (lines[j] + 8, cands[i]) != 0)
        continue;
      for (size_t m = j + 1; lines[m] && lines[m][0] && strncmp (lines[m], "DEVNAME=", 8) != 0; ++m)
        if (strncmp (lines[m], "TYPE=", 5) == 0)
          type = lines[m] + 5;
      break;
    }
    const char *v = type;
    size_t tl = strlen (type);
    if (tl == 0)
      v = "unknown";
    /* Containers, not filesystems: LVM PVs, RAID members, LUKS. */
    else if ((tl >= 7 && strcmp (type + tl - 7, "_member") == 0) ||
             strcmp (type, "crypto_LUKS") == 0 || strcmp (type, "BitLocker") == 0)
      continue;
    if (add_string (ret, cands[i]) == -1 || add_string (ret, v) == -1) {
      reply_with_perror ("list_filesystems");
      return -1;
    }
    /* Each btrfs subvolume is a mountable of its own. */
    if (strcmp (v, "btrfs") == 0 && btrfs_add_subvolume_mountables (cands[i], ret) == -1) {
      reply_with_perror ("list_filesystems");
      return -1;
    }
  }
  return 0;
}

char **
do_list_filesystems (void)
{
  return list_filesystems_ordered (true);
}

/* DISKS_FIRST: libguestfs's order (see do_list_filesystems); otherwise all
 * disks and partitions in one device order (/dev/sda1 < /dev/sdb), the
 * order inspection finds roots in. */
char **
list_filesystems_ordered (bool disks_first)
{
  CLEANUP_FREE_STRINGS char **devs = do_list_devices ();
  if (devs == NULL)
    return NULL;
  CLEANUP_FREE_STRINGS char **parts = do_list_partitions ();
  if (parts == NULL)
    return NULL;

  struct stringsbuf cands = { 0 }, lvs = { 0 }, mds = { 0 }, ret = { 0 };
  /* The whole disks that hold a filesystem, then the partitions; sorted
   * as two groups (libguestfs's /dev/sdb before /dev/sda1) or as one. */
  for (size_t i = 0; devs[i]; ++i)
    if (!has_partitions (devs[i]) && add_string (&cands, devs[i]) == -1)
      goto oom;
  size_t ndisks = cands.size;
  if (disks_first)
    qsort (cands.argv, ndisks, sizeof (char *), compare_device_names);
  for (size_t i = 0; parts[i]; ++i)
    if (!is_extended_partition (parts[i]) && add_string (&cands, parts[i]) == -1)
      goto oom;
  size_t from = disks_first ? ndisks : 0;
  qsort (cands.argv + from, cands.size - from, sizeof (char *), compare_device_names);
  if (add_dm_and_md (&lvs, &mds) == -1)
    goto oom;
  qsort (mds.argv, mds.size, sizeof (char *), compare_strings);
  qsort (lvs.argv, lvs.size, sizeof (char *), compare_strings);
  for (size_t i = 0; i < mds.size; ++i)
    if (add_string (&cands, mds.argv[i]) == -1)
      goto oom;
  for (size_t i = 0; i < lvs.size; ++i)
    if (add_string (&cands, lvs.argv[i]) == -1)
      goto oom;

  if (probe_all (&ret, cands.argv, cands.size) == -1)
    goto err;
  if (end_stringsbuf (&ret) == -1)
    goto oom;
  free_stringsbuf (&cands);
  free_stringsbuf (&lvs);
  free_stringsbuf (&mds);
  return take_stringsbuf (&ret);

 oom:
  reply_with_perror ("list_filesystems");
 err:
  free_stringsbuf (&cands);
  free_stringsbuf (&lvs);
  free_stringsbuf (&mds);
  free_stringsbuf (&ret);
  return NULL;
}

/* ---- wipefs, zero ---- */

int
do_wipefs (const char *device)
{
  CLEANUP_FREE char *err = NULL;
  int r = command (NULL, &err, "wipefs", "-a", "--force", device, NULL);
  if (r != 0) {
    reply_with_error ("wipefs: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  /* With --force wipefs does not ask the kernel to re-read a wiped
   * partition table: do it (fails harmlessly if a partition is in use). */
  if (has_partitions (device)) {
    int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) {
      ioctl (fd, BLKRRPART, NULL);
      close (fd);
    }
  }
  return 0;
}

/* The first 32 blocks of 4 KiB: enough to wipe partition tables and
 * superblocks (as documented, not a secure erase). */
#define ZERO_BLOCK 4096
#define ZERO_BLOCKS 32

int
do_zero (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDWR | O_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  uint64_t size = UINT64_MAX;
  struct stat st;
  if (fstat (fd, &st) == 0 && S_ISBLK (st.st_mode))
    ioctl (fd, BLKGETSIZE64, &size);
  static const char zeroes[ZERO_BLOCK];
  char buf[ZERO_BLOCK];
  for (int i = 0; i < ZERO_BLOCKS; ++i) {
    off_t off = (off_t) i * ZERO_BLOCK;
    if ((uint64_t) off >= size)
      break;
    size_t len = ZERO_BLOCK;
    if ((uint64_t) off + len > size)
      len = size - off;
    ssize_t n = pread (fd, buf, len, off);
    if (n == -1) {
      reply_with_perror ("pread: %s", device);
      return -1;
    }
    /* Already zero: don't write (keeps sparse images sparse). */
    if ((size_t) n == len && memcmp (buf, zeroes, len) == 0) {
      notify_progress (i + 1, ZERO_BLOCKS);
      continue;
    }
    if (pwrite (fd, zeroes, len, off) != (ssize_t) len) {
      reply_with_perror ("pwrite: %s", device);
      return -1;
    }
    notify_progress (i + 1, ZERO_BLOCKS);
  }
  if (fsync (fd) == -1) {
    reply_with_perror ("fsync: %s", device);
    return -1;
  }
  /* A whole disk may have lost its partition table: let the kernel drop
   * the partitions (fails harmlessly if one is in use). */
  if (S_ISBLK (st.st_mode) && has_partitions (device))
    ioctl (fd, BLKRRPART, NULL);
  return 0;
}

/* ---- df, sync, ping ---- */

char *
do_df (void)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command (&out, &err, "df", NULL);
  if (r != 0) {
    free (out);
    reply_with_error ("%s", err && *err ? trim_newlines (err) : "df failed");
    return NULL;
  }
  return out;
}

int
do_sync (void)
{
  sync ();
  return 0;
}

/* ---- df_h ---- */

char *
do_df_h (void)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command (&out, &err, "df", "-h", NULL);
  if (r != 0) {
    free (out);
    reply_with_error ("df -h: %s", err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  return out;
}

/* ---- findfs_label, findfs_uuid ---- */

/* The device of the filesystem whose TAG (LABEL, UUID) is value: the
 * first of the user's devices that blkid reports, logical volumes named
 * /dev/VG/LV.  */
static char *
findfs (const char *tag, const char *value)
{
  if (value[0] == '\0' || strpbrk (value, "\n\"")) {
    reply_with_error_errno (EINVAL, "'%s' is not a valid %s", value, tag);
    return NULL;
  }
  CLEANUP_FREE char *token = NULL;
  if (asprintf (&token, "%s=%s", tag, value) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-o", "device", "-t", token,
                   NULL);
  /* blkid exits 2 when nothing matches. */
  if (r != 0 && r != 2) {
    reply_with_error ("blkid: %s", err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  CLEANUP_FREE_STRINGS char **lines = split_lines (out ? out : "");
  if (lines == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  for (size_t i = 0; lines[i]; ++i) {
    const char *dev = lines[i];
    /* Never the appliance's own disk (virtio-blk). */
    if (strncmp (dev, "/dev/", 5) != 0 || strncmp (dev, "/dev/vd", 7) == 0)
      continue;
    if (do_is_lv (dev) == 1)
      return do_lvm_canonical_lv_name (dev);
    char *ret = strdup (dev);
    if (ret == NULL)
      reply_with_perror ("strdup");
    return ret;
  }
  reply_with_error_errno (ENOENT, "no filesystem has %s %s", tag, value);
  return NULL;
}

char *
do_findfs_label (const char *label)
{
  return findfs ("LABEL", label);
}

char *
do_findfs_uuid (const char *uuid)
{
  return findfs ("UUID", uuid);
}

char *
do_findfs_partlabel (const char *label)
{
  return findfs ("PARTLABEL", label);
}

/* blkid spells PARTUUIDs in lower case; a GUID may come in either. */
char *
do_findfs_partuuid (const char *uuid)
{
  CLEANUP_FREE char *lower = strdup (uuid);
  if (lower == NULL) {
    reply_with_perror ("strdup");
    return NULL;
  }
  for (char *p = lower; *p; ++p)
    *p = (char) tolower ((unsigned char) *p);
  return findfs ("PARTUUID", lower);
}
