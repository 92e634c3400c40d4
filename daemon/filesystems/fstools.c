/* Filesystem-generic tools: set_label, set_uuid, set_uuid_random, fsck,
 * fstrim, vfs_minimum_size, filesystem_available, mksquashfs; and the
 * stream helpers the NTFS clone actions share.
 *
 * Each label/UUID change goes to the tool of the filesystem found on the
 * device (blkid), with the length limits checked here, because several
 * tools silently truncate a label that is too long. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol.h"

bool fs2_valid_uuid (const char *s);
char *fs2_mountable_device (const char *mountable);
char *fs2_fs_type (const char *device);

bool
fs2_valid_uuid (const char *s)
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

/* The device part of a mountable ("btrfsvol:/dev/sda1/sub" -> /dev/sda1),
 * malloc'd.  validate_mountable has checked it already. */
char *
fs2_mountable_device (const char *mountable)
{
  const char *pfx = "btrfsvol:";
  if (strncmp (mountable, pfx, strlen (pfx)) != 0)
    return strdup (mountable);
  const char *s = mountable + strlen (pfx);
  for (const char *p = s + strlen (s); p > s; --p) {
    if (*p != '/')
      continue;
    char *dev = strndup (s, (size_t) (p - s));
    struct stat st;
    if (dev && stat (dev, &st) == 0 && S_ISBLK (st.st_mode))
      return dev;
    free (dev);
  }
  return strdup (s);
}

/* blkid's TYPE for the device ("" if none), malloc'd; NULL after
 * replying. */
char *
fs2_fs_type (const char *device)
{
  CLEANUP_FREE char *err = NULL;
  char *out = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-o", "value", "-s", "TYPE",
                   "--", device, NULL);
  if (r == 2) {
    free (out);
    return strdup ("");
  }
  if (r != 0) {
    free (out);
    reply_with_error ("blkid: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  return trim_newlines (out);
}

static bool
is_ext (const char *t)
{
  return strcmp (t, "ext2") == 0 || strcmp (t, "ext3") == 0 || strcmp (t, "ext4") == 0;
}

static int
run_argv (const char *const *argv, const char *what)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("%s: %s: %s", argv[0], what, msg);
    return -1;
  }
  return 0;
}

static int
label_too_long (const char *type, const char *label, size_t max)
{
  if (strlen (label) > max) {
    reply_with_error_errno (ERANGE, "%s: %s labels are limited to %zu bytes", label, type, max);
    return -1;
  }
  return 0;
}

/* ---- set_label ---- */

int
do_set_label (const char *mountable, const char *label)
{
  CLEANUP_FREE char *dev = fs2_mountable_device (mountable);
  if (dev == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  CLEANUP_FREE char *t = fs2_fs_type (dev);
  if (t == NULL)
    return -1;
  if (is_ext (t)) {
    if (label_too_long (t, label, 16) == -1)
      return -1;
    const char *argv[] = { "e2label", dev, label, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "xfs") == 0) {
    if (label_too_long (t, label, 12) == -1)
      return -1;
    const char *argv[] = { "xfs_admin", "-L", label[0] ? label : "--", dev, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "btrfs") == 0) {
    if (label_too_long (t, label, 255) == -1)
      return -1;
    const char *argv[] = { "btrfs", "filesystem", "label", "--", dev, label, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "vfat") == 0 || strcmp (t, "msdos") == 0) {
    if (label_too_long (t, label, 11) == -1)
      return -1;
    const char *argv[] = { "fatlabel", "--", dev, label, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "exfat") == 0) {
    if (label_too_long (t, label, 22) == -1)
      return -1;
    const char *argv[] = { "exfatlabel", dev, label, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "ntfs") == 0) {
    if (label_too_long (t, label, 128) == -1)
      return -1;
    const char *argv[] = { "ntfslabel", dev, label, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "swap") == 0) {
    if (label_too_long (t, label, 16) == -1)
      return -1;
    const char *argv[] = { "swaplabel", "-L", label, dev, NULL };
    return run_argv (argv, dev);
  }
  if (strcmp (t, "f2fs") == 0) {
    if (label_too_long (t, label, 512) == -1)
      return -1;
    const char *argv[] = { "f2fslabel", dev, label, NULL };
    return run_argv (argv, dev);
  }
  reply_with_error_errno (ENOTSUP, "%s: setting the label of %s%s is not supported", mountable,
                          t[0] ? "filesystem type " : "a device without a filesystem", t);
  return -1;
}

/* ---- set_uuid, set_uuid_random ---- */

static int
set_uuid (const char *device, const char *uuid, bool random)
{
  CLEANUP_FREE char *t = fs2_fs_type (device);
  if (t == NULL)
    return -1;
  if (is_ext (t)) {
    const char *argv[] = { "tune2fs", "-f", "-U", random ? "random" : uuid, "--", device, NULL };
    return run_argv (argv, device);
  }
  if (strcmp (t, "xfs") == 0) {
    const char *argv[] = { "xfs_admin", "-U", random ? "generate" : uuid, device, NULL };
    return run_argv (argv, device);
  }
  if (strcmp (t, "btrfs") == 0) {
    const char *argv[] = { "btrfstune", "-f", random ? "-u" : "-U", random ? NULL : uuid,
                           NULL, NULL };
    argv[random ? 3 : 4] = device;
    return run_argv (argv, device);
  }
  if (strcmp (t, "swap") == 0) {
    char fresh[64];
    if (random) {
      int fd = open ("/proc/sys/kernel/random/uuid", O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, fresh, sizeof fresh - 1) : -1;
      if (fd >= 0)
        close (fd);
      if (n < 36) {
        reply_with_perror ("/proc/sys/kernel/random/uuid");
        return -1;
      }
      fresh[36] = '\0';
      uuid = fresh;
    }
    const char *argv[] = { "swaplabel", "-U", uuid, device, NULL };
    return run_argv (argv, device);
  }
  reply_with_error_errno (ENOTSUP, "%s: setting the UUID of %s%s is not supported", device,
                          t[0] ? "filesystem type " : "a device without a filesystem", t);
  return -1;
}

int
do_set_uuid (const char *device, const char *uuid)
{
  if (!fs2_valid_uuid (uuid)) {
    reply_with_error_errno (EINVAL, "%s: not a UUID", uuid);
    return -1;
  }
  return set_uuid (device, uuid, false);
}

int
do_set_uuid_random (const char *device)
{
  return set_uuid (device, NULL, true);
}

/* ---- fsck ---- */

static bool
valid_fs_name (const char *s)
{
  if (*s == '\0' || strlen (s) > 64)
    return false;
  for (; *s; ++s)
    if (!(isalnum ((unsigned char) *s) || *s == '_' || *s == '.' || *s == '-'))
      return false;
  return true;
}

int
do_fsck (const char *fstype, const char *device)
{
  if (!valid_fs_name (fstype) || fstype[0] == '-' || fstype[0] == '.') {
    reply_with_error_errno (EINVAL, "%s: not a filesystem type", fstype);
    return -1;
  }
  const char *argv[] = { "fsck", "-a", "-t", fstype, device, NULL };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, NULL, &err, argv);
  if (r < 0) {
    reply_with_error ("fsck: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return r;
}

/* ---- fstrim ---- */

int
do_fstrim (const char *mountpoint, int64_t offset, int64_t length, int64_t minimumfreeextent)
{
  struct fstrim_range range = { .start = 0, .len = UINT64_MAX, .minlen = 0 };
  if (optargs_bitmask & GUESTFS_FSTRIM_OFFSET_BITMASK) {
    if (offset < 0) {
      reply_with_error_errno (EINVAL, "offset must not be negative");
      return -1;
    }
    range.start = (uint64_t) offset;
  }
  if (optargs_bitmask & GUESTFS_FSTRIM_LENGTH_BITMASK) {
    if (length <= 0) {
      reply_with_error_errno (EINVAL, "length must be positive");
      return -1;
    }
    range.len = (uint64_t) length;
  }
  if (optargs_bitmask & GUESTFS_FSTRIM_MINIMUMFREEEXTENT_BITMASK) {
    if (minimumfreeextent < 0) {
      reply_with_error_errno (EINVAL, "minimumfreeextent must not be negative");
      return -1;
    }
    range.minlen = (uint64_t) minimumfreeextent;
  }
  CLEANUP_CLOSE int fd = sysroot_open (mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", mountpoint);
    return -1;
  }
  if (ioctl (fd, FITRIM, &range) == -1) {
    int e = errno;
    if (e == EOPNOTSUPP || e == ENOTTY)
      reply_with_error_errno (e, "fstrim: %s: the filesystem or its device does not "
                              "support discard", mountpoint);
    else
      reply_with_error_errno (e, "fstrim: %s: %s", mountpoint, strerror (e));
    return -1;
  }
  return 0;
}

/* ---- vfs_minimum_size ---- */

/* The number after key in text, or -1. */
static int64_t
number_after (const char *text, const char *key)
{
  const char *p = text ? strstr (text, key) : NULL;
  if (p == NULL)
    return -1;
  p += strlen (key);
  p += strspn (p, " \t");
  char *end;
  errno = 0;
  long long v = strtoll (p, &end, 10);
  if (errno || end == p || v < 0)
    return -1;
  return v;
}

/* Where is device mounted (the appliance's path), malloc'd or NULL.
 * Matched on the mount source: btrfs mounts show an anonymous device
 * number, not the block device's. */
static char *
mount_point_of (const char *device)
{
  struct stat st;
  if (stat (device, &st) == -1)
    return NULL;
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return NULL;
  char *line = NULL, *ret = NULL;
  size_t len = 0;
  while (ret == NULL && getline (&line, &len, f) != -1) {
    char target[4096], source[4096];
    const char *dash = strstr (line, " - ");
    /* id parent maj:min root target ... - fstype source super */
    if (dash == NULL || sscanf (line, "%*d %*d %*s %*s %4095s", target) != 1 ||
        sscanf (dash + 3, "%*s %4095s", source) != 1)
      continue;
    if (strchr (target, '\\') || strncmp (target, SYSROOT, strlen (SYSROOT)) != 0)
      continue;
    struct stat s2;
    if (stat (source, &s2) == 0 && S_ISBLK (s2.st_mode) && s2.st_rdev == st.st_rdev)
      ret = strdup (target);
  }
  free (line);
  fclose (f);
  return ret;
}

int64_t
do_vfs_minimum_size (const char *mountable)
{
  CLEANUP_FREE char *dev = fs2_mountable_device (mountable);
  if (dev == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  CLEANUP_FREE char *t = fs2_fs_type (dev);
  if (t == NULL)
    return -1;
  CLEANUP_FREE char *out = NULL, *err = NULL;
  if (is_ext (t)) {
    if (command (&out, &err, "resize2fs", "-P", "--", dev, NULL) != 0) {
      reply_with_error ("resize2fs -P: %s: %s", dev, err && *err ? trim_newlines (err) : "failed");
      return -1;
    }
    int64_t blocks = number_after (out, "Estimated minimum size of the filesystem:");
    CLEANUP_FREE char *o2 = NULL, *e2 = NULL;
    if (command (&o2, &e2, "tune2fs", "-l", "--", dev, NULL) != 0) {
      reply_with_error ("tune2fs -l: %s: %s", dev, e2 && *e2 ? trim_newlines (e2) : "failed");
      return -1;
    }
    int64_t bs = number_after (o2, "\nBlock size:");
    if (blocks < 0 || bs <= 0 || blocks > INT64_MAX / bs) {
      reply_with_error ("%s: cannot read the minimum size from resize2fs and tune2fs", dev);
      return -1;
    }
    return blocks * bs;
  }
  if (strcmp (t, "ntfs") == 0) {
    int r = command (&out, &err, "ntfsresize", "--info", "--force", "--no-progress-bar",
                     dev, NULL);
    int64_t v = number_after (out, "You might resize at");
    if (r != 0 || v < 0) {
      reply_with_error ("ntfsresize --info: %s: %s", dev,
                        err && *err ? trim_newlines (err) : out ? trim_newlines (out) : "failed");
      return -1;
    }
    return v;
  }
  if (strcmp (t, "btrfs") == 0) {
    CLEANUP_FREE char *mp = mount_point_of (dev);
    if (mp == NULL) {
      reply_with_error_errno (EINVAL, "%s: btrfs must be mounted to find its minimum size",
                              mountable);
      return -1;
    }
    if (command (&out, &err, "btrfs", "inspect-internal", "min-dev-size", "--", mp, NULL) != 0) {
      reply_with_error ("btrfs inspect-internal min-dev-size: %s: %s", dev,
                        err && *err ? trim_newlines (err) : "failed");
      return -1;
    }
    char *end;
    errno = 0;
    long long v = strtoll (out, &end, 10);
    if (errno || end == out || v <= 0) {
      reply_with_error ("btrfs: %s: cannot parse \"%s\"", dev, trim_newlines (out));
      return -1;
    }
    return v;
  }
  if (strcmp (t, "xfs") == 0) {
    reply_with_error_errno (ENOTSUP, "%s: XFS filesystems cannot be shrunk", mountable);
    return -1;
  }
  reply_with_error_errno (ENOTSUP, "%s: minimum size of %s%s is not supported", mountable,
                          t[0] ? "filesystem type " : "a device without a filesystem", t);
  return -1;
}

/* ---- filesystem_available ---- */

static int
in_proc_filesystems (const char *name)
{
  FILE *f = fopen ("/proc/filesystems", "re");
  if (f == NULL)
    return -1;
  char line[256];
  int found = 0;
  while (!found && fgets (line, sizeof line, f)) {
    char *p = strchr (line, '\t');
    p = p ? p + 1 : line;
    p[strcspn (p, "\n")] = '\0';
    found = strcmp (p, name) == 0;
  }
  fclose (f);
  return found;
}

int
do_filesystem_available (const char *filesystem)
{
  if (!valid_fs_name (filesystem) || filesystem[0] == '.' || filesystem[0] == '-') {
    reply_with_error_errno (EINVAL, "%s: not a filesystem type", filesystem);
    return -1;
  }
  int r = in_proc_filesystems (filesystem);
  if (r == 0) {
    /* Maybe a module: ask for it, then look again. */
    (void) command (NULL, NULL, "modprobe", "-q", "--", filesystem, NULL);
    r = in_proc_filesystems (filesystem);
  }
  if (r == -1) {
    reply_with_perror ("/proc/filesystems");
    return -1;
  }
  return r;
}

/* ---- mksquashfs ---- */

/* Stream a local file to the host as the FileOut of the current call,
 * then end the stream.  Replies on failure (cancelling the stream if it
 * had begun). */
int fs2_send_fd (int fd, const char *what);
int
fs2_send_fd (int fd, const char *what)
{
  CLEANUP_FREE char *buf = malloc (HATCH_CHUNK_SIZE);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  bool started = false;
  for (;;) {
    size_t have = 0;
    while (have < HATCH_CHUNK_SIZE) {
      ssize_t r = read (fd, buf + have, HATCH_CHUNK_SIZE - have);
      if (r == -1 && errno == EINTR)
        continue;
      if (r == -1) {
        int e = errno;
        if (started)
          send_file_end (1);
        reply_with_error_errno (e, "%s: %s", what, strerror (e));
        return -1;
      }
      if (r == 0)
        break;
      have += (size_t) r;
    }
    if (have == 0)
      break;
    if (send_file_write (buf, have) == -1) {
      reply_with_perror ("%s: sending", what);
      return -1;
    }
    started = true;
    if (have < HATCH_CHUNK_SIZE)
      break;
  }
  if (send_file_end (0) == -1) {
    reply_with_perror ("%s: sending", what);
    return -1;
  }
  return 0;
}

int
do_mksquashfs (const char *path, const char *compress, char *const *excludes)
{
  static const char *const comps[] = { "gzip", "lz4", "lzma", "lzo", "xz", "zstd" };
  const char *comp = NULL;
  if ((optargs_bitmask & GUESTFS_MKSQUASHFS_COMPRESS_BITMASK) && compress) {
    for (size_t i = 0; i < sizeof comps / sizeof comps[0]; ++i)
      if (strcmp (compress, comps[i]) == 0)
        comp = comps[i];
    if (comp == NULL) {
      reply_with_error_errno (EINVAL, "compress: %s: unknown (use gzip, lz4, lzma, lzo, "
                              "xz or zstd)", compress);
      return -1;
    }
  }
  CLEANUP_CLOSE int dfd = sysroot_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  /* mksquashfs wants a plain path: the directory just resolved inside the
   * guest tree.  It stores symlinks as symlinks, never following them. */
  CLEANUP_FREE char *link = fd_path (dfd);
  char real[PATH_MAX];
  ssize_t rl = link ? readlink (link, real, sizeof real - 1) : -1;
  if (rl <= 0) {
    reply_with_perror ("readlink");
    return -1;
  }
  real[rl] = '\0';

  char tmp[] = "/tmp/squashfs-XXXXXX";
  CLEANUP_CLOSE int tfd = mkostemp (tmp, O_CLOEXEC);
  if (tfd == -1) {
    reply_with_perror ("mkstemp");
    return -1;
  }
  struct stringsbuf sb = { 0 };
  bool ok = add_string (&sb, "mksquashfs") == 0 && add_string (&sb, real) == 0 &&
    add_string (&sb, tmp) == 0 && add_string (&sb, "-noappend") == 0 &&
    add_string (&sb, "-no-progress") == 0 && add_string (&sb, "-quiet") == 0;
  if (comp)
    ok = ok && add_string (&sb, "-comp") == 0 && add_string (&sb, comp) == 0;
  if ((optargs_bitmask & GUESTFS_MKSQUASHFS_EXCLUDES_BITMASK) && excludes && excludes[0]) {
    ok = ok && add_string (&sb, "-wildcards") == 0 && add_string (&sb, "-e") == 0;
    for (size_t i = 0; excludes[i]; ++i)
      ok = ok && add_string (&sb, excludes[i]) == 0;
  }
  ok = ok && end_stringsbuf (&sb) == 0;
  if (!ok) {
    free_stringsbuf (&sb);
    unlink (tmp);
    reply_with_perror ("mksquashfs");
    return -1;
  }
  CLEANUP_FREE_STRINGS char **argv = take_stringsbuf (&sb);
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, (const char *const *) argv);
  if (r != 0) {
    unlink (tmp);
    reply_with_error ("mksquashfs: %s: %s", path,
                      err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed");
    return -1;
  }
  unlink (tmp);                 /* the open fd keeps the data */
  return fs2_send_fd (tfd, "mksquashfs");
}

/* ---- f2fs_expand ---- */

int
do_f2fs_expand (const char *device)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "resize.f2fs", "--", device, NULL);
  if (r != 0) {
    /* resize.f2fs reports some failures on stdout. */
    const char *why = err && *err ? trim_newlines (err) :
      out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("resize.f2fs: %s: %s", device, why);
    return -1;
  }
  return 0;
}
