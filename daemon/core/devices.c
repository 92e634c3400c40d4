/* Which block devices belong to the user, and argument checks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "daemon.h"

/* The appliance's own disks (root image) are virtio-blk: /dev/vd*.  User
 * disks are on virtio-scsi: /dev/sd*.  */
static bool
is_appliance_device (const char *name)
{
  if (strncmp (name, "/dev/", 5) == 0)
    name += 5;
  /* Exactly vd<letters><digits>: "/dev/vdata/LV" is a user's LV. */
  if (strncmp (name, "vd", 2) != 0)
    return false;
  const char *p = name + 2;
  if (*p < 'a' || *p > 'z')
    return false;
  while (*p >= 'a' && *p <= 'z')
    p++;
  while (*p >= '0' && *p <= '9')
    p++;
  return *p == '\0';
}

/* sda < sdb < ... < sdz < sdaa: shorter names first, then alphabetical. */
static int
compare_device_names (const void *a, const void *b)
{
  const char *x = *(char *const *) a, *y = *(char *const *) b;
  size_t lx = strlen (x), ly = strlen (y);
  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp (x, y);
}

char **
list_user_devices (void)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/sys/block");
  if (!d) {
    reply_with_perror ("opendir: /sys/block");
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "sd", 2) != 0)
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/%s", e->d_name) == -1 || add_string_nodup (&sb, dev) == -1) {
      closedir (d);
      free_stringsbuf (&sb);
      return NULL;
    }
  }
  closedir (d);
  qsort (sb.argv, sb.size, sizeof sb.argv[0], compare_device_names);
  if (end_stringsbuf (&sb) == -1)
    return NULL;
  return take_stringsbuf (&sb);
}

int
validate_device (const char *device)
{
  struct stat st;
  if (strncmp (device, "/dev/", 5) != 0 || strstr (device, "/../") ||
      is_appliance_device (device) ||
      stat (device, &st) == -1 || !S_ISBLK (st.st_mode)) {
    reply_with_error_errno (ENOENT, "%s: No such file or directory", device);
    return -1;
  }
  /* A symlink such as /dev/VG/LV must not lead to the appliance's disk. */
  char *real = realpath (device, NULL);
  if (real && is_appliance_device (real)) {
    free (real);
    reply_with_error_errno (ENOENT, "%s: No such file or directory", device);
    return -1;
  }
  free (real);
  return 0;
}

/* A device, or "btrfsvol:DEVICE/SUBVOLUME" naming a btrfs subvolume. */
int
validate_mountable (const char *mountable)
{
  if (strncmp (mountable, "btrfsvol:", 9) != 0)
    return validate_device (mountable);
  const char *dev = mountable + 9;
  /* The device is the longest prefix that is a block device. */
  size_t len = strlen (dev);
  char *copy = strdup (dev);
  if (!copy) {
    reply_with_perror ("strdup");
    return -1;
  }
  for (size_t n = len; n > 5; --n) {
    if (copy[n] != '/' && copy[n] != '\0')
      continue;
    copy[n] = '\0';
    struct stat st;
    if (stat (copy, &st) == 0 && S_ISBLK (st.st_mode)) {
      int r = n < len ? validate_device (copy) : -1;
      if (n == len)
        reply_with_error_errno (EINVAL, "%s: btrfsvol: needs a subvolume after the device", mountable);
      free (copy);
      return r;
    }
  }
  free (copy);
  reply_with_error_errno (ENOENT, "%s: No such file or directory", mountable);
  return -1;
}

int
validate_dev_or_path (const char *s)
{
  if (strncmp (s, "/dev/", 5) == 0)
    return validate_device (s);
  if (s[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", s);
    return -1;
  }
  return need_root (NULL);
}

/* Is anything mounted below SYSROOT (on a mkmountpoint directory)? */
static bool
mounted_below_sysroot (void)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return false;
  char *line = NULL;
  size_t len = 0;
  bool found = false;
  while (!found && getline (&line, &len, f) != -1) {
    /* id parent maj:min root TARGET ... */
    const char *p = line;
    for (int field = 0; field < 4 && p; ++field) {
      p = strchr (p, ' ');
      if (p)
        p++;
    }
    found = p && strncmp (p, SYSROOT "/", strlen (SYSROOT) + 1) == 0;
  }
  free (line);
  fclose (f);
  return found;
}

bool
is_root_mounted (void)
{
  struct stat a, b;
  if (stat (SYSROOT, &a) == -1 || stat ("/", &b) == -1)
    return false;
  /* Filesystems mounted on mkmountpoint directories count too: they are
   * reached by guest paths although nothing is mounted on "/".  */
  return a.st_dev != b.st_dev || mounted_below_sysroot ();
}

int
need_root (const char *action)
{
  if (is_root_mounted ())
    return 0;
  reply_with_error ("you must call 'mount' first to mount the root filesystem");
  return -1;
}

/* ---- disk order ----
 *
 * The API promises that the n-th drive added is /dev/sd<n>: the drive in
 * the host's slot n sits on virtio-scsi target n (a drive removed after
 * launch leaves its slot empty until a later hot-add fills it), but the sd driver
 * probes disks asynchronously, so the kernel may hand out the names in
 * another order.  At startup we check, and if needed unbind every disk
 * and bind them back one at a time in target order, which makes the
 * kernel allocate sda, sdb ... in the order we want.  */

struct scsi_disk {
  char hctl[64];          /* "H:C:T:L" */
  unsigned h, c, t, l;
  char name[32];          /* current kernel name, "sdb" */
};

static int
compare_hctl (const void *a, const void *b)
{
  const struct scsi_disk *x = a, *y = b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  if (x->c != y->c) return x->c < y->c ? -1 : 1;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  if (x->l != y->l) return x->l < y->l ? -1 : 1;
  return 0;
}

static void
index_to_name (size_t i, char *buf, size_t len)
{
  /* 0 -> sda, 25 -> sdz, 26 -> sdaa */
  char letters[8];
  size_t n = 0;
  i++;
  while (i > 0 && n < sizeof letters) {
    letters[n++] = (char) ('a' + (i - 1) % 26);
    i = (i - 1) / 26;
  }
  size_t p = (size_t) snprintf (buf, len, "sd");
  while (n > 0 && p + 1 < len)
    buf[p++] = letters[--n];
  buf[p] = '\0';
}

static size_t
read_scsi_disks (struct scsi_disk *disks, size_t max)
{
  DIR *d = opendir ("/sys/block");
  if (!d)
    return 0;
  size_t n = 0;
  struct dirent *e;
  while (n < max && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "sd", 2) != 0)
      continue;
    char link[512], target[512];
    snprintf (link, sizeof link, "/sys/block/%s/device", e->d_name);
    ssize_t r = readlink (link, target, sizeof target - 1);
    if (r <= 0)
      continue;
    target[r] = '\0';
    const char *base = strrchr (target, '/');
    base = base ? base + 1 : target;
    struct scsi_disk *s = &disks[n];
    if (strlen (base) >= sizeof s->hctl || strlen (e->d_name) >= sizeof s->name ||
        sscanf (base, "%u:%u:%u:%u", &s->h, &s->c, &s->t, &s->l) != 4)
      continue;
    memcpy (s->hctl, base, strlen (base) + 1);
    memcpy (s->name, e->d_name, strlen (e->d_name) + 1);
    n++;
  }
  closedir (d);
  qsort (disks, n, sizeof disks[0], compare_hctl);
  return n;
}

static int
write_sysfs (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  ssize_t r = write (fd, value, strlen (value));
  close (fd);
  return r == (ssize_t) strlen (value) ? 0 : -1;
}

/* Wait (bounded) until the disk at hctl has a block device again. */
static bool
wait_for_block (const char *hctl)
{
  char *path;
  if (asprintf (&path, "/sys/bus/scsi/devices/%s/block", hctl) == -1)
    return false;
  bool found = false;
  for (int i = 0; i < 500 && !found; ++i) {
    DIR *d = opendir (path);
    if (d) {
      struct dirent *e;
      while ((e = readdir (d)) != NULL)
        if (e->d_name[0] != '.')
          found = true;
      closedir (d);
    }
    if (!found) {
      struct timespec ts = { 0, 2 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  }
  free (path);
  return found;
}

/* A disk counts once sd's probe has finished with it (its partitions
 * scanned, its device node made): the driver link is set after that. */
static bool
disk_ready (const struct scsi_disk *d)
{
  char path[512];
  struct stat st;
  snprintf (path, sizeof path, "/sys/block/%s/device/driver", d->name);
  return lstat (path, &st) == 0;
}

/* Whether the set of ready user disks is exactly the targets in want
 * (a bitmap, bit t for virtio-scsi target t). */
bool
user_disks_match (const unsigned char want[HATCH_TARGET_BITMAP])
{
  struct scsi_disk disks[256];
  size_t n = read_scsi_disks (disks, 256), ready = 0, wanted = 0;
  for (size_t t = 0; t < 256; ++t)
    if (want[t / 8] & (1u << (t % 8)))
      wanted++;
  for (size_t i = 0; i < n; ++i) {
    if (disks[i].t > 255 || !(want[disks[i].t / 8] & (1u << (disks[i].t % 8))))
      return false;         /* one the host took away is still here */
    if (disk_ready (&disks[i]))
      ready++;
  }
  return ready == wanted;
}

/* "8:16" of /sys/block/NAME[/PART]/dev, or "" */
static void
read_devno (const char *dir, char *buf, size_t len)
{
  char path[600];
  if ((size_t) snprintf (path, sizeof path, "%s/dev", dir) >= sizeof path ||
      read_sysfs (path, buf, len) == -1)
    buf[0] = '\0';
}

static bool
dir_has_entries (const char *path)
{
  DIR *d = opendir (path);
  if (!d)
    return false;
  struct dirent *e;
  bool any = false;
  while (!any && (e = readdir (d)) != NULL)
    any = e->d_name[0] != '.';
  closedir (d);
  return any;
}

/* Whether the major:minor is mounted somewhere (field 3 of mountinfo). */
static bool
devno_mounted (const char *devno)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (!f)
    return false;
  char line[4096];
  bool found = false;
  while (!found && fgets (line, sizeof line, f)) {
    char mm[64];
    if (sscanf (line, "%*s %*s %63s", mm) == 1 && strcmp (mm, devno) == 0)
      found = true;
  }
  fclose (f);
  return found;
}

/* Whether /dev/NAME or one of its partitions is mounted, swapped on, or
 * held by device-mapper (LVM, LUKS) or md: then it cannot go.  Says why
 * in why. */
static bool
disk_in_use (const char *name, char *why, size_t whylen)
{
  char dir[300], sub[600], devno[64];
  snprintf (dir, sizeof dir, "/sys/block/%s", name);
  read_devno (dir, devno, sizeof devno);
  snprintf (sub, sizeof sub, "%s/holders", dir);
  if (dir_has_entries (sub)) {
    snprintf (why, whylen, "/dev/%s is held by device-mapper or md (LVM, LUKS or RAID on it is active)", name);
    return true;
  }
  if (*devno && devno_mounted (devno)) {
    snprintf (why, whylen, "/dev/%s is mounted", name);
    return true;
  }
  DIR *d = opendir (dir);
  if (!d)
    return false;
  struct dirent *e;
  bool busy = false;
  while (!busy && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, name, strlen (name)) != 0)
      continue;               /* partitions are named sdb1, sdb2 ... */
    snprintf (sub, sizeof sub, "%s/%s/holders", dir, e->d_name);
    if (dir_has_entries (sub)) {
      snprintf (why, whylen, "/dev/%s is held by device-mapper or md (LVM, LUKS or RAID on it is active)", e->d_name);
      busy = true;
    }
    snprintf (sub, sizeof sub, "%s/%s", dir, e->d_name);
    read_devno (sub, devno, sizeof devno);
    if (!busy && *devno && devno_mounted (devno)) {
      snprintf (why, whylen, "/dev/%s is mounted", e->d_name);
      busy = true;
    }
  }
  closedir (d);
  if (!busy) {
    FILE *f = fopen ("/proc/swaps", "re");
    char line[1024], dev[300];
    snprintf (dev, sizeof dev, "/dev/%s", name);
    while (f && !busy && fgets (line, sizeof line, f))
      if (strncmp (line, dev, strlen (dev)) == 0) {
        line[strcspn (line, " \t\n")] = '\0';
        snprintf (why, whylen, "swap is on %.300s", line);
        busy = true;
      }
    if (f)
      fclose (f);
  }
  return busy;
}

/* Before the host unplugs the disks not in want: refuse if one is in
 * use, else flush it and delete it from the kernel, so nothing of the
 * guest's writes is lost with it.  -1 with why set. */
int
release_unwanted_disks (const unsigned char want[HATCH_TARGET_BITMAP], char *why, size_t whylen)
{
  struct scsi_disk disks[256];
  size_t n = read_scsi_disks (disks, 256), leaving = 0;
  for (size_t i = 0; i < n; ++i)
    if (disks[i].t > 255 || !(want[disks[i].t / 8] & (1u << (disks[i].t % 8)))) {
      char reason[400];
      if (disk_in_use (disks[i].name, reason, sizeof reason)) {
        snprintf (why, whylen, "the drive is in use: %s; unmount it (and deactivate "
                  "what sits on it) before removing it", reason);
        return -1;
      }
      leaving++;
    }
  /* Every restore comes here with nothing to release: no sync then. */
  if (leaving == 0)
    return 0;
  sync ();
  for (size_t i = 0; i < n; ++i)
    if (disks[i].t > 255 || !(want[disks[i].t / 8] & (1u << (disks[i].t % 8)))) {
      char path[600];
      snprintf (path, sizeof path, "/dev/%s", disks[i].name);
      int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd >= 0) {
        fsync (fd);
        close (fd);
      }
      snprintf (path, sizeof path, "/sys/block/%s/device/delete", disks[i].name);
      if (write_sysfs (path, "1") == -1) {
        snprintf (why, whylen, "could not release /dev/%s: %s", disks[i].name, strerror (errno));
        return -1;
      }
      if (verbose)
        fprintf (stderr, "guestfsd: released /dev/%s (%s) for removal\n", disks[i].name, disks[i].hctl);
    }
  return 0;
}

/* A hot-added disk shows in /sys/block, with its driver link, before
 * the kernel has finished reading its partition table (the link is made
 * before sd's probe runs, the scan comes at its end), so a caller could
 * see /dev/sda and no /dev/sda1 yet.  Opening each disk nothing uses
 * waits for that scan: the scan holds the disk's open mutex, and an open
 * that comes before the scan has started does the pending scan itself.
 * (Re-reading the table with BLKRRPART did the same, but read and parsed
 * the table a second time: 25-45 ms of a restored launch under TCG.)
 * The disk is in /sys/block, and its /dev node exists, a little before
 * the kernel makes it openable: until then an open fails with ENXIO and
 * waits for nothing, and the caller would go on to look for LVM on a
 * disk whose partitions are not there yet.  So an open that fails that
 * way is retried (bounded: a heavily loaded host). */
#define SETTLE_OPEN_MS 10000

void
settle_disk_partitions (void)
{
  struct scsi_disk disks[256];
  size_t n = read_scsi_disks (disks, 256);
  for (size_t i = 0; i < n; ++i) {
    char why[400], path[64];
    if (disk_in_use (disks[i].name, why, sizeof why))
      continue;
    snprintf (path, sizeof path, "/dev/%s", disks[i].name);
    int fd, waited = 0;
    while ((fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 &&
           (errno == ENXIO || errno == ENOENT) && waited < SETTLE_OPEN_MS) {
      struct timespec t = { 0, 2 * 1000 * 1000 };
      nanosleep (&t, NULL);
      waited += 2;
    }
    if (verbose && waited > 0)
      fprintf (stderr, "guestfsd: %s became openable after %d ms\n", path, waited);
    if (fd == -1) {
      if (verbose)
        fprintf (stderr, "guestfsd: opening %s: %s\n", path, strerror (errno));
      continue;
    }
    close (fd);
  }
}

/* Before the daemon exits (the host then kills qemu at once): after
 * sync(2), which writes every cache back but only flushes the disks a
 * mounted filesystem sits on, flush each disk's write cache, so that
 * qemu has written what it holds for the guest (a qcow2 image's cached
 * metadata) before it is gone. */
void
flush_disks (void)
{
  struct scsi_disk disks[256];
  size_t n = read_scsi_disks (disks, 256);
  for (size_t i = 0; i < n; ++i) {
    char path[64];
    snprintf (path, sizeof path, "/dev/%s", disks[i].name);
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd == -1)
      continue;
    if (fsync (fd) == -1 && verbose)
      fprintf (stderr, "guestfsd: flushing %s: %s\n", path, strerror (errno));
    close (fd);
  }
}

void
fix_disk_order (void)
{
  struct scsi_disk disks[256];
  size_t n = read_scsi_disks (disks, 256);
  bool ordered = true;
  for (size_t i = 0; i < n; ++i) {
    char want[32];
    index_to_name (disks[i].t, want, sizeof want);
    if (strcmp (disks[i].name, want) != 0)
      ordered = false;
  }
  if (ordered && !getenv ("HATCH_TEST_REBIND"))
    return;
  /* Rebinding renames by probe order, so it can only mend a gapless set
   * of targets 0..n-1 (every launch and restore has one; a hot-remove
   * leaves a gap that the next hot-add fills with the right name), and
   * it must never pull a disk from under a mount. */
  for (size_t i = 0; i < n; ++i) {
    char why[400];
    if (disks[i].t != i || disk_in_use (disks[i].name, why, sizeof why)) {
      fprintf (stderr, "guestfsd: disks are named out of order, and cannot be rebound now\n");
      return;
    }
  }
  fprintf (stderr, "guestfsd: disks were named out of order; rebinding them in drive order\n");
  for (size_t i = 0; i < n; ++i)
    write_sysfs ("/sys/bus/scsi/drivers/sd/unbind", disks[i].hctl);
  for (size_t i = 0; i < n; ++i) {
    if (write_sysfs ("/sys/bus/scsi/drivers/sd/bind", disks[i].hctl) == -1 ||
        !wait_for_block (disks[i].hctl))
      fprintf (stderr, "guestfsd: could not rebind disk %s\n", disks[i].hctl);
  }
}
