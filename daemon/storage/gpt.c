/* GPT details (type and unique GUIDs, attributes, names, disk GUID,
 * moving the backup header), part_resize, part_to_dev/partnum,
 * part_get_mbr_part_type, the remaining blockdev_* ioctls, blkid,
 * blkdiscard, device_index, is_whole_device.
 *
 * sgdisk does the GPT work.  It never refuses to act on a disk without a
 * GPT (it would happily convert an MBR disk in memory and write it back),
 * and it "succeeds" on partitions that do not exist, so every call here
 * checks both things first.  Partition resizing goes through sfdisk,
 * which (unlike parted in script mode) also shrinks, and tells the kernel
 * the new size of the partition itself. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

/* ---- small helpers ---- */

static const char *
base_name (const char *device)
{
  const char *s = strrchr (device, '/');
  return s ? s + 1 : device;
}

/* The kernel's name of the device (sda1 for /dev/sda1; for a symlink such
 * as /dev/VG/LV, the node it points to). */
static int
kernel_name (const char *device, char *buf, size_t len)
{
  char *real = realpath (device, NULL);
  if (real == NULL)
    return -1;
  snprintf (buf, len, "%s", base_name (real));
  free (real);
  return 0;
}

static bool
is_partition (const char *kname)
{
  char p[PATH_MAX];
  snprintf (p, sizeof p, "/sys/class/block/%s/partition", kname);
  return access (p, F_OK) == 0;
}

/* "01234567-89ab-CDEF-0123-456789abcdef": 8-4-4-4-12 hex digits. */
static bool
valid_guid (const char *s)
{
  static const int groups[] = { 8, 4, 4, 4, 12 };
  for (size_t g = 0; g < 5; ++g) {
    for (int i = 0; i < groups[g]; ++i, ++s)
      if (!isxdigit ((unsigned char) *s))
        return false;
    if (g < 4 && *s++ != '-')
      return false;
  }
  return *s == '\0';
}

static int
check_guid (const char *guid)
{
  if (!valid_guid (guid)) {
    reply_with_error_errno (EINVAL, "%s: not a GUID (expected the form "
                            "01234567-89AB-CDEF-0123-456789ABCDEF)", guid);
    return -1;
  }
  return 0;
}

/* The partition table type blkid sees on the whole device ("gpt", "dos",
 * or "" for none).  NULL after replying on failure. */
static char *
table_type (const char *device)
{
  CLEANUP_FREE char *err = NULL;
  char *out = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-p", "-o", "value",
                   "-s", "PTTYPE", device, NULL);
  if (r == 2) {                 /* nothing found */
    free (out);
    return strdup ("");
  }
  if (r != 0) {
    free (out);
    reply_with_error ("blkid: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  trim_newlines (out);
  return out;
}

/* 0 if T (table_type's answer for device) is GPT, else -1 after replying. */
static int
table_is_gpt (const char *device, const char *t)
{
  if (strcmp (t, "gpt") == 0)
    return 0;
  reply_with_error ("%s: not a GPT disk (partition table: %s)", device,
                    *t ? (strcmp (t, "dos") == 0 ? "msdos" : t) : "none");
  return -1;
}

static int
need_gpt (const char *device)
{
  CLEANUP_FREE char *t = table_type (device);
  return t ? table_is_gpt (device, t) : -1;
}

/* sgdisk --info=N of a disk known to be GPT.  Returns its output
 * (malloc'd), or NULL after replying (also when the partition does not
 * exist). */
static char *
partition_info (const char *device, int partnum)
{
  if (partnum < 1 || partnum > 128) {
    reply_with_error_errno (EINVAL, "%s: partition number %d out of range", device, partnum);
    return NULL;
  }
  char opt[32];
  snprintf (opt, sizeof opt, "--info=%d", partnum);
  CLEANUP_FREE char *err = NULL;
  char *out = NULL;
  int r = command (&out, &err, "sgdisk", opt, "--", device, NULL);
  if (r != 0) {
    reply_with_error ("sgdisk: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  if (strstr (out, "does not exist") || strstr (out, "Partition GUID code:") == NULL) {
    reply_with_error_errno (ENOENT, "%s: partition %d does not exist", device, partnum);
    free (out);
    return NULL;
  }
  return out;
}

/* partition_info after checking that the disk is GPT. */
static char *
gpt_info (const char *device, int partnum)
{
  return need_gpt (device) == -1 ? NULL : partition_info (device, partnum);
}

/* The text after "key" up to the end of its line (malloc'd), or NULL. */
static char *
field (const char *out, const char *key)
{
  const char *p = out;
  size_t kl = strlen (key);
  while (p && *p) {
    if (strncmp (p, key, kl) == 0) {
      p += kl;
      return strndup (p, strcspn (p, "\n"));
    }
    p = strchr (p, '\n');
    if (p)
      p++;
  }
  return NULL;
}

/* The first word of a field ("0FC6... (Linux filesystem)" -> "0FC6..."). */
static char *
field_word (const char *out, const char *key, const char *device)
{
  char *v = field (out, key);
  if (v == NULL) {
    reply_with_error ("sgdisk: %s: no \"%s\" in its output", device, key);
    return NULL;
  }
  v[strcspn (v, " \t")] = '\0';
  return v;
}

/* Run sgdisk with one changing option.  sgdisk then asks the kernel to
 * re-read the table; the warning it prints when a partition is in use is
 * not an error for these changes (the kernel does not care about GUIDs,
 * attributes or names). */
static int
sgdisk_change (const char *device, const char *opt)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "sgdisk", opt, "--", device, NULL);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : (out ? trim_newlines (out) : "");
    reply_with_error ("sgdisk %s: %s: %s", opt, device, msg);
    return -1;
  }
  return 0;
}

/* ---- GPT ---- */

int
do_part_set_gpt_type (const char *device, int partnum, const char *guid)
{
  if (check_guid (guid) == -1)
    return -1;
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return -1;
  char opt[80];
  snprintf (opt, sizeof opt, "--typecode=%d:%s", partnum, guid);
  return sgdisk_change (device, opt);
}

/* The GPT type GUID that stands for an MBR partition type byte, as GPT
 * tools convert an MBR disk: the partition types both schemes know,
 * FAT and NTFS (also hidden) as Microsoft basic data, anything else as
 * a Linux filesystem.  NULL: no GPT partition (empty, extended,
 * protective). */
static const char *
gpt_type_of_mbr_id (int id)
{
  static const struct { unsigned char id; const char *guid; } types[] = {
    { 0x27, "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC" },   /* Windows RE */
    { 0x39, "C91818F9-8025-47AF-89D2-F030D7000C2C" },   /* Plan 9 */
    { 0x41, "9E1A2D38-C612-4316-AA26-8B49521E5A8B" },   /* PowerPC PReP boot */
    { 0x42, "AF9B60A0-1431-4F62-BC68-3311714A69AD" },   /* Windows LDM data */
    { 0x7f, "FE3A2A5D-4F32-41A7-B725-ACCC3285A309" },   /* ChromeOS kernel */
    { 0x82, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" },   /* Linux swap */
    { 0x84, "D3BFE2DE-3DAF-11DF-BA40-E3A556D89593" },   /* Intel Rapid Start */
    { 0x8e, "E6D6D379-F507-44C2-A23C-238F2A3DF928" },   /* Linux LVM */
    { 0xa0, "2568845D-2332-4675-BC39-8FA5A4748D15" },   /* Android bootloader */
    { 0xa5, "516E7CB4-6ECF-11D6-8FF8-00022D09712B" },   /* FreeBSD disklabel */
    { 0xa6, "824CC7A0-36A8-11E3-890A-952519AD3F61" },   /* OpenBSD disklabel */
    { 0xa8, "55465300-0000-11AA-AA11-00306543ECAC" },   /* Apple UFS */
    { 0xa9, "516E7CB4-6ECF-11D6-8FF8-00022D09712B" },   /* NetBSD: a BSD disklabel */
    { 0xab, "426F6F74-0000-11AA-AA11-00306543ECAC" },   /* Apple boot */
    { 0xaf, "48465300-0000-11AA-AA11-00306543ECAC" },   /* Apple HFS+ */
    { 0xbe, "6A82CB45-1DD2-11B2-99A6-080020736631" },   /* Solaris boot */
    { 0xbf, "6A85CF4D-1DD2-11B2-99A6-080020736631" },   /* Solaris root */
    { 0xea, "BC13C2FF-59E6-4262-A352-B275FD6F7172" },   /* Freedesktop $BOOT */
    { 0xeb, "42465331-3BA3-10F1-802A-4861696B7521" },   /* Haiku BFS */
    { 0xef, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" },   /* EFI system */
    { 0xfb, "AA31E02A-400F-11DB-9590-000C2911D1B8" },   /* VMware VMFS */
    { 0xfc, "9D275380-40AD-11DB-BF97-000C2911D1B8" },   /* VMware kcore crash protection */
    { 0xfd, "A19D880F-05FC-4D3B-A006-743F0F84911E" },   /* Linux RAID */
  };
  switch (id) {
  case 0x00: case 0x05: case 0x0f: case 0x85: case 0xee:
    return NULL;
  case 0x01: case 0x04: case 0x06: case 0x07: case 0x0b: case 0x0c: case 0x0e:
  case 0x11: case 0x14: case 0x16: case 0x17: case 0x1b: case 0x1c: case 0x1e:
    return "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";   /* Microsoft basic data */
  }
  for (size_t i = 0; i < sizeof types / sizeof types[0]; ++i)
    if (types[i].id == id)
      return types[i].guid;
  return "0FC63DAF-8483-4772-8E79-3D69D8477DE4";     /* Linux filesystem */
}

char *
do_part_get_gpt_type (const char *device, int partnum)
{
  /* An MBR partition: the GUID of its type (guestfs(3): "an appropriate
   * GUID corresponding to the MBR type"). */
  CLEANUP_FREE char *table = table_type (device);
  if (table == NULL)
    return NULL;
  if (strcmp (table, "dos") == 0) {
    int id = do_part_get_mbr_id (device, partnum);
    if (id == -1)
      return NULL;
    const char *guid = gpt_type_of_mbr_id (id);
    if (guid == NULL) {
      reply_with_error_errno (EINVAL, "%s: partition %d (MBR type 0x%02x) is %s, with no GPT "
                              "type", device, partnum, id,
                              id == 0 ? "empty" : id == 0xee ? "a GPT protective entry"
                              : "an extended partition");
      return NULL;
    }
    return strdup (guid);
  }
  if (table_is_gpt (device, table) == -1)
    return NULL;
  CLEANUP_FREE char *info = partition_info (device, partnum);
  if (info == NULL)
    return NULL;
  return field_word (info, "Partition GUID code: ", device);
}

int
do_part_set_gpt_guid (const char *device, int partnum, const char *guid)
{
  if (check_guid (guid) == -1)
    return -1;
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return -1;
  char opt[80];
  snprintf (opt, sizeof opt, "--partition-guid=%d:%s", partnum, guid);
  return sgdisk_change (device, opt);
}

char *
do_part_get_gpt_guid (const char *device, int partnum)
{
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return NULL;
  return field_word (info, "Partition unique GUID: ", device);
}

int64_t
do_part_get_gpt_attributes (const char *device, int partnum)
{
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return -1;
  CLEANUP_FREE char *v = field_word (info, "Attribute flags: ", device);
  if (v == NULL)
    return -1;
  char *end;
  errno = 0;
  unsigned long long a = strtoull (v, &end, 16);
  if (errno || end == v || *end) {
    reply_with_error ("sgdisk: %s: cannot parse attribute flags \"%s\"", device, v);
    return -1;
  }
  return (int64_t) a;
}

int
do_part_set_gpt_attributes (const char *device, int partnum, int64_t attributes)
{
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return -1;
  char opt[80];
  snprintf (opt, sizeof opt, "--attributes=%d:=:%016" PRIx64, partnum, (uint64_t) attributes);
  return sgdisk_change (device, opt);
}

int
do_part_expand_gpt (const char *device)
{
  if (need_gpt (device) == -1)
    return -1;
  return sgdisk_change (device, "--move-second-header");
}

char *
do_part_get_disk_guid (const char *device)
{
  if (need_gpt (device) == -1)
    return NULL;
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "sgdisk", "--print", "--", device, NULL);
  if (r != 0) {
    reply_with_error ("sgdisk: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  return field_word (out, "Disk identifier (GUID): ", device);
}

int
do_part_set_disk_guid (const char *device, const char *guid)
{
  if (check_guid (guid) == -1 || need_gpt (device) == -1)
    return -1;
  char opt[80];
  snprintf (opt, sizeof opt, "--disk-guid=%s", guid);
  return sgdisk_change (device, opt);
}

int
do_part_set_disk_guid_random (const char *device)
{
  if (need_gpt (device) == -1)
    return -1;
  return sgdisk_change (device, "--disk-guid=R");
}

char *
do_part_get_name (const char *device, int partnum)
{
  CLEANUP_FREE char *info = gpt_info (device, partnum);
  if (info == NULL)
    return NULL;
  /* Partition name: 'the name' -- the name may itself hold quotes. */
  CLEANUP_FREE char *v = field (info, "Partition name: ");
  if (v == NULL) {
    reply_with_error ("sgdisk: %s: no partition name in its output", device);
    return NULL;
  }
  size_t l = strlen (v);
  if (l < 2 || v[0] != '\'' || v[l - 1] != '\'') {
    reply_with_error ("sgdisk: %s: cannot parse partition name \"%s\"", device, v);
    return NULL;
  }
  return strndup (v + 1, l - 2);
}

/* ---- MBR partition kind ---- */

char *
do_part_get_mbr_part_type (const char *device, int partnum)
{
  CLEANUP_FREE char *t = table_type (device);
  if (t == NULL)
    return NULL;
  if (partnum < 1) {
    reply_with_error_errno (EINVAL, "partition number must be >= 1");
    return NULL;
  }
  char kname[NAME_MAX + 1], p[PATH_MAX], pname[NAME_MAX + 16];
  if (kernel_name (device, kname, sizeof kname) == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  size_t kl = strlen (kname);
  snprintf (pname, sizeof pname, "%s%s%d", kname,
            kl && isdigit ((unsigned char) kname[kl - 1]) ? "p" : "", partnum);
  snprintf (p, sizeof p, "/sys/class/block/%s/partition", pname);
  if (access (p, F_OK) != 0) {
    reply_with_error_errno (ENOENT, "%s: partition %d does not exist", device, partnum);
    return NULL;
  }
  if (strcmp (t, "gpt") == 0)
    return strdup ("primary");
  if (strcmp (t, "dos") != 0) {
    reply_with_error ("%s: not an MBR or GPT disk (partition table: %s)", device,
                      *t ? t : "none");
    return NULL;
  }
  if (partnum > 4)
    return strdup ("logical");
  /* The extended container has one of the three extended type bytes. */
  char num[16];
  snprintf (num, sizeof num, "%d", partnum);
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "sfdisk", "--part-type", "--", device, num, NULL);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err ? trim_newlines (err) : "failed");
    return NULL;
  }
  trim_newlines (out);
  unsigned long id = strtoul (out, NULL, 16);
  return strdup (id == 0x05 || id == 0x0f || id == 0x85 ? "extended" : "primary");
}

/* ---- part_resize ---- */

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

int
do_part_resize (const char *device, int partnum, int64_t endsect)
{
  if (partnum < 1) {
    reply_with_error_errno (EINVAL, "partition number must be >= 1");
    return -1;
  }
  char kname[NAME_MAX + 1], pname[NAME_MAX + 16], p[PATH_MAX], buf[64];
  if (kernel_name (device, kname, sizeof kname) == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  size_t kl = strlen (kname);
  snprintf (pname, sizeof pname, "%s%s%d", kname,
            kl && isdigit ((unsigned char) kname[kl - 1]) ? "p" : "", partnum);
  snprintf (p, sizeof p, "/sys/class/block/%s/start", pname);
  if (read_sysfs (p, buf, sizeof buf) == -1) {
    reply_with_error_errno (ENOENT, "%s: partition %d does not exist", device, partnum);
    return -1;
  }
  uint64_t start512 = strtoull (buf, NULL, 10);

  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  int ss = 0;
  uint64_t bytes = 0;
  if (fd == -1 || ioctl (fd, BLKSSZGET, &ss) == -1 || ss < 512 ||
      ioctl (fd, BLKGETSIZE64, &bytes) == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  int64_t total = (int64_t) (bytes / (unsigned) ss);
  int64_t start = (int64_t) (start512 * 512 / (unsigned) ss);
  int64_t end = endsect < 0 ? total + endsect : endsect;
  if (end <= start || end >= total) {
    reply_with_error_errno (EINVAL, "endsect %" PRIi64 " is outside partition %d "
                            "(which starts at sector %" PRIi64 ") or the disk (%" PRIi64
                            " sectors)", endsect, partnum, start, total);
    return -1;
  }
  int64_t size = end - start + 1;

  /* sfdisk: "-N N" with ",SIZE" keeps the start and the type. */
  char num[16], line[64];
  snprintf (num, sizeof num, "%d", partnum);
  snprintf (line, sizeof line, ",%" PRIi64 "\n", size);
  const char *argv[] = { "sfdisk", "--quiet", "--no-reread", "-N", num, "--", device, NULL };
  struct command_opts o = { .stdin_data = line, .stdin_len = strlen (line) };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&o, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }

  /* Wait (bounded) for the kernel's idea of the size to follow. */
  uint64_t want512 = (uint64_t) size * (unsigned) ss / 512;
  snprintf (p, sizeof p, "/sys/class/block/%s/size", pname);
  for (int waited = 0; ; waited += 10) {
    if (read_sysfs (p, buf, sizeof buf) == 0 && strtoull (buf, NULL, 10) == want512)
      return 0;
    if (waited == 200)
      (void) ioctl (fd, BLKRRPART, NULL);
    if (waited >= 5000)
      break;
    sleep_ms (10);
  }
  reply_with_error ("%s: the partition table was changed, but the kernel still uses "
                    "the old size of partition %d (is it in use?)", device, partnum);
  return -1;
}

/* ---- partition <-> device ---- */

char *
do_part_to_dev (const char *partition)
{
  char kname[NAME_MAX + 1];
  if (kernel_name (partition, kname, sizeof kname) == -1) {
    reply_with_perror ("%s", partition);
    return NULL;
  }
  if (!is_partition (kname)) {
    reply_with_error_errno (EINVAL, "%s: device name is not a partition", partition);
    return NULL;
  }
  /* /sys/class/block/sda1 -> .../block/sda/sda1: the parent is the disk. */
  char p[PATH_MAX], link[PATH_MAX];
  snprintf (p, sizeof p, "/sys/class/block/%s", kname);
  ssize_t n = readlink (p, link, sizeof link - 1);
  if (n <= 0) {
    reply_with_perror ("readlink: %s", p);
    return NULL;
  }
  link[n] = '\0';
  char *slash = strrchr (link, '/');
  if (slash == NULL) {
    reply_with_error ("%s: unexpected sysfs link %s", partition, link);
    return NULL;
  }
  *slash = '\0';
  char *r;
  if (asprintf (&r, "/dev/%s", base_name (link)) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

int
do_part_to_partnum (const char *partition)
{
  char kname[NAME_MAX + 1], p[PATH_MAX], buf[32];
  if (kernel_name (partition, kname, sizeof kname) == -1) {
    reply_with_perror ("%s", partition);
    return -1;
  }
  snprintf (p, sizeof p, "/sys/class/block/%s/partition", kname);
  if (read_sysfs (p, buf, sizeof buf) == -1) {
    reply_with_error_errno (EINVAL, "%s: device name is not a partition", partition);
    return -1;
  }
  char *end;
  long n = strtol (buf, &end, 10);
  if (*end || n < 1 || n > INT_MAX) {
    reply_with_error ("%s: bad partition number \"%s\" in sysfs", partition, buf);
    return -1;
  }
  return (int) n;
}

/* ---- blockdev ioctls ---- */

static int
open_dev (const char *device, int flags)
{
  int fd = open (device, flags | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    reply_with_perror ("open: %s", device);
  return fd;
}

int
do_blockdev_flushbufs (const char *device)
{
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  if (ioctl (fd, BLKFLSBUF, 0) == -1) {
    reply_with_perror ("ioctl BLKFLSBUF: %s", device);
    return -1;
  }
  return 0;
}

int
do_blockdev_getbsz (const char *device)
{
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  int bsz;
  if (ioctl (fd, BLKBSZGET, &bsz) == -1) {
    reply_with_perror ("ioctl BLKBSZGET: %s", device);
    return -1;
  }
  return bsz;
}

int64_t
do_blockdev_getsz (const char *device)
{
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  uint64_t bytes;
  if (ioctl (fd, BLKGETSIZE64, &bytes) == -1) {
    reply_with_perror ("ioctl BLKGETSIZE64: %s", device);
    return -1;
  }
  return (int64_t) (bytes / 512);
}

int
do_blockdev_rereadpt (const char *device)
{
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  if (ioctl (fd, BLKRRPART, NULL) == -1) {
    if (errno == EBUSY)
      reply_with_error_errno (EBUSY, "%s: cannot re-read the partition table: "
                              "a partition is in use", device);
    else
      reply_with_perror ("ioctl BLKRRPART: %s", device);
    return -1;
  }
  return 0;
}

int
do_blockdev_setra (const char *device, int sectors)
{
  if (sectors < 0) {
    reply_with_error_errno (EINVAL, "readahead: %d: must not be negative", sectors);
    return -1;
  }
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  if (ioctl (fd, BLKRASET, (unsigned long) sectors) == -1) {
    reply_with_perror ("ioctl BLKRASET: %s", device);
    return -1;
  }
  return 0;
}

int
do_blkdiscardzeroes (const char *device)
{
  CLEANUP_CLOSE int fd = open_dev (device, O_RDONLY);
  if (fd == -1)
    return -1;
  unsigned int z = 0;
  if (ioctl (fd, BLKDISCARDZEROES, &z) == -1) {
    reply_with_perror ("ioctl BLKDISCARDZEROES: %s", device);
    return -1;
  }
  return z != 0;
}

int
do_blkdiscard (const char *device)
{
  CLEANUP_FREE char *err = NULL;
  int r = command (NULL, &err, "blkdiscard", "--", device, NULL);
  if (r != 0) {
    reply_with_error ("blkdiscard: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

/* ---- blkid ---- */

char **
do_blkid (const char *device)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-p", "-i", "-o", "export",
                   "--", device, NULL);
  /* 2: nothing identified -- an empty table, not an error. */
  if (r != 0 && r != 2) {
    reply_with_error ("blkid: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  CLEANUP_FREE_STRINGS char **lines = split_lines (out ? out : "");
  if (lines == NULL) {
    reply_with_perror ("blkid");
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; lines[i]; ++i) {
    char *eq = strchr (lines[i], '=');
    if (eq == NULL || eq == lines[i])
      continue;
    *eq = '\0';
    /* -o export escapes unsafe characters with a backslash. */
    char *v = eq + 1, *o = v;
    for (char *s = v; *s; ++s) {
      if (*s == '\\' && s[1])
        s++;
      *o++ = *s;
    }
    *o = '\0';
    if (add_string (&sb, lines[i]) == -1 || add_string (&sb, v) == -1) {
      free_stringsbuf (&sb);
      reply_with_perror ("blkid");
      return NULL;
    }
  }
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("blkid");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- which device ---- */

int
do_device_index (const char *device)
{
  CLEANUP_FREE_STRINGS char **devs = list_user_devices ();
  if (devs == NULL)
    return -1;
  struct stat a;
  if (stat (device, &a) == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  for (size_t i = 0; devs[i]; ++i) {
    struct stat b;
    if (strcmp (devs[i], device) == 0 ||
        (stat (devs[i], &b) == 0 && b.st_rdev == a.st_rdev))
      return (int) i;
  }
  reply_with_error_errno (ENOENT, "%s: not a device added to the handle", device);
  return -1;
}

int
do_is_whole_device (const char *device)
{
  char kname[NAME_MAX + 1], p[PATH_MAX];
  if (kernel_name (device, kname, sizeof kname) == -1) {
    reply_with_perror ("%s", device);
    return -1;
  }
  /* Whole disks have a "device" link to the hardware; partitions and
   * device-mapper/md devices do not. */
  snprintf (p, sizeof p, "/sys/block/%s/device", kname);
  return access (p, F_OK) == 0;
}
