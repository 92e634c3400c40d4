/* Mounting guest filesystems under SYSROOT: mount, mount_ro,
 * mount_options, umount, umount_all, mounts, mountpoints.
 *
 * The mountpoint is resolved inside the guest tree (sysroot_open), and the
 * filesystem is mounted onto that very directory through its
 * /proc/self/fd/N name, so a guest symlink cannot redirect the mount.
 * Kernel filesystems are mounted with mount(2) directly (no fork); types
 * with a userspace helper (/sbin/mount.TYPE, e.g. ntfs -> ntfs-3g) and
 * unrecognised content go through mount(8), which knows about helpers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* ---- the mount table ---- */

struct mnt {
  char *source, *target, *fstype;
  dev_t dev;
};

static void
free_mnts (struct mnt *m, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free (m[i].source);
    free (m[i].target);
    free (m[i].fstype);
  }
  free (m);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape (const char *s)
{
  char *r = malloc (strlen (s) + 1), *o = r;
  if (r == NULL)
    return NULL;
  while (*s) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
        s[3] >= '0' && s[3] <= '7') {
      *o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
      s += 4;
    }
    else
      *o++ = *s++;
  }
  *o = '\0';
  return r;
}

static bool
is_guest_target (const char *t)
{
  size_t l = strlen (SYSROOT);
  return strncmp (t, SYSROOT, l) == 0 && (t[l] == '\0' || t[l] == '/');
}

/* The mounts at or under SYSROOT, in mount order (parents before their
 * children).  Returns -1 with errno on failure. */
static int
guest_mounts (struct mnt **ret, size_t *nret)
{
  *ret = NULL;
  *nret = 0;
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -1;
  struct mnt *m = NULL;
  size_t n = 0, alloc = 0;
  char *line = NULL;
  size_t llen = 0;
  while (getline (&line, &llen, f) != -1) {
    /* id parent maj:min root target options [optional...] - fstype source super */
    char *fields[64];
    size_t nf = 0;
    for (char *tok = strtok (line, " \n"); tok && nf < 64; tok = strtok (NULL, " \n"))
      fields[nf++] = tok;
    size_t dash = 0;
    for (size_t i = 6; i < nf; ++i)
      if (strcmp (fields[i], "-") == 0) {
        dash = i;
        break;
      }
    if (nf < 7 || dash == 0 || dash + 2 >= nf)
      continue;
    CLEANUP_FREE char *target = unescape (fields[4]);
    if (target == NULL || !is_guest_target (target))
      continue;
    if (n == alloc) {
      alloc = alloc ? alloc * 2 : 16;
      struct mnt *nm = realloc (m, alloc * sizeof *m);
      if (nm == NULL)
        goto fail;
      m = nm;
    }
    unsigned ma = 0, mi = 0;
    sscanf (fields[2], "%u:%u", &ma, &mi);
    m[n].dev = makedev (ma, mi);
    m[n].target = target;
    target = NULL;
    m[n].fstype = unescape (fields[dash + 1]);
    m[n].source = unescape (fields[dash + 2]);
    n++;
    if (!m[n - 1].fstype || !m[n - 1].source)
      goto fail;
  }
  free (line);
  fclose (f);
  *ret = m;
  *nret = n;
  return 0;
 fail:
  free (line);
  fclose (f);
  free_mnts (m, n);
  errno = ENOMEM;
  return -1;
}

/* The guest's name for the target: "/sysroot/boot" -> "/boot". */
static const char *
guest_path (const char *target)
{
  const char *p = target + strlen (SYSROOT);
  return *p ? p : "/";
}

/* The name to show for a mounted device: /dev/mapper/VG-LV becomes
 * /dev/VG/LV when that exists (as LVM names it). */
static char *
canonical_device (const char *source)
{
  const char *pfx = "/dev/mapper/";
  if (strncmp (source, pfx, strlen (pfx)) == 0) {
    const char *name = source + strlen (pfx);
    char vg[256], lv[256];
    size_t vi = 0, li = 0;
    bool in_lv = false;
    for (size_t i = 0; name[i] && vi < sizeof vg - 1 && li < sizeof lv - 1; ++i) {
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
    }
    vg[vi] = lv[li] = '\0';
    if (in_lv && vi && li) {
      char *p;
      struct stat st;
      if (asprintf (&p, "/dev/%s/%s", vg, lv) != -1) {
        if (stat (p, &st) == 0 && S_ISBLK (st.st_mode))
          return p;
        free (p);
      }
    }
  }
  return strdup (source);
}

/* Only real devices count (not the /dev, /proc binds made for chrooted
 * commands). */
static bool
shown (const struct mnt *m)
{
  return strncmp (m->source, "/dev/", 5) == 0;
}

/* ---- kernel messages, for mount errors ---- */

/* Open /dev/kmsg positioned at its end, to read what the kernel says
 * about a failing mount.  -1 if unavailable. */
static int
kmsg_open (void)
{
  int fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0)
    lseek (fd, 0, SEEK_END);
  return fd;
}

/* Append the new kernel messages (at most a few) to buf as "; msg". */
static void
kmsg_collect (int fd, char *buf, size_t len)
{
  size_t used = strlen (buf);
  if (fd < 0)
    return;
  for (int i = 0; i < 8; ++i) {
    char rec[1024];
    ssize_t r = read (fd, rec, sizeof rec - 1);
    if (r <= 0) {
      if (r == -1 && errno == EPIPE)
        continue;               /* overwritten records: skip */
      break;
    }
    rec[r] = '\0';
    char *msg = strchr (rec, ';');
    if (msg == NULL)
      continue;
    msg++;
    msg[strcspn (msg, "\n")] = '\0';
    int n = snprintf (buf + used, len - used, " [kernel: %s]", msg);
    if (n < 0 || (size_t) n >= len - used) {
      buf[used] = '\0';
      break;
    }
    used += n;
  }
}

/* ---- options ---- */

static const struct {
  const char *name;
  unsigned long flag;
  bool clear;
} flag_opts[] = {
  { "ro", MS_RDONLY, false }, { "rw", MS_RDONLY, true },
  { "nosuid", MS_NOSUID, false }, { "suid", MS_NOSUID, true },
  { "nodev", MS_NODEV, false }, { "dev", MS_NODEV, true },
  { "noexec", MS_NOEXEC, false }, { "exec", MS_NOEXEC, true },
  { "sync", MS_SYNCHRONOUS, false }, { "async", MS_SYNCHRONOUS, true },
  { "dirsync", MS_DIRSYNC, false },
  { "noatime", MS_NOATIME, false }, { "atime", MS_NOATIME, true },
  { "nodiratime", MS_NODIRATIME, false }, { "diratime", MS_NODIRATIME, true },
  { "relatime", MS_RELATIME, false }, { "norelatime", MS_RELATIME, true },
  { "strictatime", MS_STRICTATIME, false },
  { "lazytime", MS_LAZYTIME, false }, { "nolazytime", MS_LAZYTIME, true },
  { "mand", MS_MANDLOCK, false }, { "nomand", MS_MANDLOCK, true },
  { "silent", MS_SILENT, false }, { "loud", MS_SILENT, true },
  { "defaults", 0, false },
};

/* Options only mount(8) and fstab care about: dropped. */
static bool
userspace_option (const char *o)
{
  static const char *const names[] = {
    "auto", "noauto", "user", "nouser", "users", "owner", "group", "nofail",
    "_netdev", "comment", "x-",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    size_t l = strlen (names[i]);
    if (strcmp (o, names[i]) == 0 ||
        (strncmp (o, names[i], l) == 0 && (o[l] == '=' || names[i][l - 1] == '-')))
      return true;
  }
  return false;
}

/* Split "ro,noatime,data=ordered" into flags and the filesystem's own
 * option string (*data, malloc'd). */
static int
parse_options (const char *options, unsigned long *flags, char **data)
{
  *flags = 0;
  size_t len = strlen (options);
  char *d = malloc (len + 1);
  if (d == NULL)
    return -1;
  d[0] = '\0';
  CLEANUP_FREE char *copy = strdup (options);
  if (copy == NULL) {
    free (d);
    return -1;
  }
  char *save;
  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save)) {
    bool done = false;
    for (size_t i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; ++i) {
      if (strcmp (o, flag_opts[i].name) == 0) {
        if (flag_opts[i].clear)
          *flags &= ~flag_opts[i].flag;
        else
          *flags |= flag_opts[i].flag;
        done = true;
        break;
      }
    }
    if (done || userspace_option (o))
      continue;
    if (d[0])
      strcat (d, ",");
    strcat (d, o);
  }
  *data = d;
  return 0;
}

/* ---- mount ---- */

static bool
has_mount_helper (const char *fstype)
{
  char p[PATH_MAX];
  static const char *const dirs[] = { "/sbin", "/usr/sbin" };
  for (size_t i = 0; i < 2; ++i) {
    snprintf (p, sizeof p, "%s/mount.%s", dirs[i], fstype);
    if (access (p, X_OK) == 0)
      return true;
  }
  return false;
}

static char *
probe_type (const char *device)
{
  CLEANUP_FREE char *err = NULL;
  char *out = NULL;
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-o", "value", "-s", "TYPE",
                   device, NULL);
  if (r != 0) {
    free (out);
    return strdup ("");
  }
  trim_newlines (out);
  return out;
}

/* Split "btrfsvol:/dev/sda1/sub" into device and subvolume (both
 * malloc'd); plain devices give *subvol NULL. */
static int
split_mountable (const char *mountable, char **device, char **subvol)
{
  const char *pfx = "btrfsvol:";
  *subvol = NULL;
  if (strncmp (mountable, pfx, strlen (pfx)) != 0) {
    *device = strdup (mountable);
    return *device ? 0 : -1;
  }
  const char *s = mountable + strlen (pfx);
  for (const char *p = s + strlen (s); p > s; --p) {
    if (*p != '/')
      continue;
    char *dev = strndup (s, p - s);
    struct stat st;
    if (dev && stat (dev, &st) == 0 && S_ISBLK (st.st_mode)) {
      *device = dev;
      *subvol = strdup (p + 1);
      return *subvol ? 0 : -1;
    }
    free (dev);
  }
  errno = EINVAL;
  return -1;
}

static int
mount_common (const char *options, const char *vfstype, const char *mountable,
              const char *mountpoint)
{
  if (mountpoint[0] != '/') {
    reply_with_error ("%s: mount point must be an absolute path", mountpoint);
    return -1;
  }
  CLEANUP_FREE char *device = NULL, *subvol = NULL;
  if (split_mountable (mountable, &device, &subvol) == -1) {
    reply_with_perror ("%s", mountable);
    return -1;
  }
  /* Device nodes in a guest filesystem are never usable as devices unless
   * the user's options say "dev" (which, coming after it, overrides):
   * a node in a hostile guest may name any appliance device.  */
  CLEANUP_FREE char *with_nodev = NULL;
  if (asprintf (&with_nodev, "nodev%s%s", options[0] ? "," : "", options) == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  const char *user_options = options;
  options = with_nodev;
  CLEANUP_FREE char *opts = NULL;
  if (subvol && strchr (subvol, ',')) {
    /* A comma would smuggle extra mount options in. */
    reply_with_error_errno (EINVAL, "%s: subvolume name must not contain ','", mountable);
    return -1;
  }
  if (subvol) {
    if (asprintf (&opts, "%s%ssubvol=%s", options, options[0] ? "," : "", subvol) == -1) {
      reply_with_perror ("asprintf");
      return -1;
    }
  }
  else if ((opts = strdup (options)) == NULL) {
    reply_with_perror ("strdup");
    return -1;
  }

  /* Mounting on "/" uses SYSROOT itself; anything else must exist in the
   * guest tree already mounted there. */
  CLEANUP_CLOSE int fd = sysroot_open (mountpoint, O_PATH | O_DIRECTORY, 0);
  if (fd == -1) {
    if (errno == ENOENT || errno == ENOTDIR)
      reply_with_error_errno (errno, "%s: mount point is not a directory", mountpoint);
    else
      reply_with_perror ("%s", mountpoint);
    return -1;
  }
  CLEANUP_FREE char *target = fd_path (fd);
  if (target == NULL) {
    reply_with_perror ("asprintf");
    return -1;
  }

  CLEANUP_FREE char *type = vfstype ? strdup (vfstype) : probe_type (device);
  if (type == NULL) {
    reply_with_perror ("strdup");
    return -1;
  }

  if (type[0] == '\0' || has_mount_helper (type)) {
    /* mount(8) needs a plain path: this is the directory just resolved
     * safely (nothing else changes the guest tree meanwhile). */
    char real[PATH_MAX];
    ssize_t rl = readlink (target, real, sizeof real - 1);
    if (rl <= 0) {
      reply_with_perror ("readlink: %s", target);
      return -1;
    }
    real[rl] = '\0';
    const char *argv[12];
    size_t n = 0;
    argv[n++] = "mount";
    if (opts[0]) {
      argv[n++] = "-o";
      argv[n++] = opts;
    }
    if (type[0]) {
      argv[n++] = "-t";
      argv[n++] = type;
    }
    argv[n++] = "--";
    argv[n++] = device;
    argv[n++] = real;
    argv[n] = NULL;
    CLEANUP_FREE char *err = NULL;
    int r = command_run (NULL, NULL, &err, argv);
    if (r != 0) {
      reply_with_error ("%s on %s (options: '%s'): %s", mountable, mountpoint, user_options,
                        err && *err ? trim_newlines (err) : "mount failed");
      return -1;
    }
    return 0;
  }

  unsigned long flags;
  CLEANUP_FREE char *data = NULL;
  if (parse_options (opts, &flags, &data) == -1) {
    reply_with_perror ("options");
    return -1;
  }

  /* Linux mounts UFS only when told its flavour: try FreeBSD's UFS2,
   * then the UFS1 of older FreeBSD, NetBSD and OpenBSD. */
  CLEANUP_FREE char *ufs1 = NULL;
  if (strcmp (type, "ufs") == 0 && !strstr (data, "ufstype=")) {
    char *ufs2;
    if (asprintf (&ufs2, "%s%sufstype=ufs2", data, data[0] ? "," : "") == -1 ||
        asprintf (&ufs1, "%s%sufstype=44bsd", data, data[0] ? "," : "") == -1) {
      reply_with_perror ("asprintf");
      return -1;
    }
    free (data);
    data = ufs2;
    (void) command (NULL, NULL, "modprobe", "-q", "ufs", NULL);
  }

  CLEANUP_CLOSE int kfd = kmsg_open ();
  int r = mount (device, target, type, flags, data[0] ? data : NULL);
  if (r == -1 && errno == EINVAL && ufs1) {
    free (data);
    data = ufs1;
    ufs1 = NULL;
    r = mount (device, target, type, flags, data);
  }
  /* A btrfs spread over several devices mounts only once the kernel
   * knows every member.  With no udev in the appliance nothing registers
   * them (and mkfs.btrfs cannot when the btrfs module was not loaded
   * yet): scan the block devices, then try again. */
  if (r == -1 && errno == EINVAL && strcmp (type, "btrfs") == 0) {
    (void) command (NULL, NULL, "btrfs", "device", "scan", NULL);
    r = mount (device, target, type, flags, data[0] ? data : NULL);
  }
  /* ext2/ext3 are often served by the ext4 driver only. */
  if (r == -1 && errno == ENODEV &&
      (strcmp (type, "ext2") == 0 || strcmp (type, "ext3") == 0))
    r = mount (device, target, "ext4", flags, data[0] ? data : NULL);
  /* As mount(8): a write-protected device is mounted read-only. */
  if (r == -1 && (errno == EROFS || errno == EACCES) && !(flags & MS_RDONLY))
    r = mount (device, target, type, flags | MS_RDONLY, data[0] ? data : NULL);
  if (r == -1) {
    int e = errno;
    char msg[2048];
    snprintf (msg, sizeof msg, "%s", strerror (e));
    if (e == ENODEV)
      snprintf (msg, sizeof msg, "unknown filesystem type '%s' (the appliance kernel "
                "cannot mount it)", type);
    else if (e == EBUSY)
      snprintf (msg, sizeof msg, "%s is already mounted or the mount point is busy", device);
    kmsg_collect (kfd, msg, sizeof msg);
    reply_with_error_errno (e, "%s on %s (options: '%s'): %s", mountable, mountpoint,
                            user_options, msg);
    return -1;
  }
  return 0;
}

int
do_mount (const char *mountable, const char *mountpoint)
{
  return mount_common ("", NULL, mountable, mountpoint);
}

int
do_mount_ro (const char *mountable, const char *mountpoint)
{
  return mount_common ("ro", NULL, mountable, mountpoint);
}

int
do_mount_options (const char *options, const char *mountable, const char *mountpoint)
{
  return mount_common (options, NULL, mountable, mountpoint);
}

int
do_mount_vfs (const char *options, const char *vfstype, const char *mountable,
              const char *mountpoint)
{
  return mount_common (options, vfstype[0] ? vfstype : NULL, mountable, mountpoint);
}

/* ---- umount ---- */

int
do_umount (const char *pathordevice, int force, int lazyunmount)
{
  int flags = 0;
  if ((optargs_bitmask & GUESTFS_UMOUNT_OPTS_FORCE_BITMASK) && force)
    flags |= MNT_FORCE;
  if ((optargs_bitmask & GUESTFS_UMOUNT_OPTS_LAZYUNMOUNT_BITMASK) && lazyunmount)
    flags |= MNT_DETACH;

  struct mnt *m;
  size_t n;
  if (guest_mounts (&m, &n) == -1) {
    reply_with_perror ("/proc/self/mountinfo");
    return -1;
  }

  CLEANUP_FREE char *target = NULL;
  if (strncmp (pathordevice, "/dev/", 5) == 0) {
    /* The most recent mount of this device. */
    struct stat st;
    bool have_rdev = stat (pathordevice, &st) == 0 && S_ISBLK (st.st_mode);
    for (size_t i = n; i-- > 0;) {
      if (strcmp (m[i].source, pathordevice) == 0 ||
          (have_rdev && m[i].dev == st.st_rdev && shown (&m[i]))) {
        target = strdup (m[i].target);
        break;
      }
    }
    if (target == NULL) {
      free_mnts (m, n);
      reply_with_error ("%s: not mounted", pathordevice);
      return -1;
    }
  }
  else {
    int fd = sysroot_open (pathordevice, O_PATH | O_DIRECTORY, 0);
    if (fd == -1) {
      free_mnts (m, n);
      reply_with_perror ("%s", pathordevice);
      return -1;
    }
    CLEANUP_FREE char *p = fd_path (fd);
    char real[PATH_MAX];
    ssize_t rl = p ? readlink (p, real, sizeof real - 1) : -1;
    /* An open fd on the mount would keep it busy. */
    close (fd);
    if (rl <= 0) {
      free_mnts (m, n);
      reply_with_perror ("readlink");
      return -1;
    }
    real[rl] = '\0';
    for (size_t i = 0; i < n; ++i)
      if (strcmp (m[i].target, real) == 0) {
        target = strdup (real);
        break;
      }
    if (target == NULL) {
      free_mnts (m, n);
      reply_with_error ("%s: not a mount point", pathordevice);
      return -1;
    }
  }
  free_mnts (m, n);

  if (umount2 (target, flags) == -1) {
    int e = errno;
    if (e == EBUSY)
      reply_with_error_errno (e, "%s: target is busy", pathordevice);
    else
      reply_with_perror ("%s", pathordevice);
    return -1;
  }
  return 0;
}

int
do_umount_all (void)
{
  /* Innermost first: a child mount always comes after its parent in
   * mountinfo, so go backwards.  Loop in case a mount propagated. */
  for (int pass = 0; pass < 4; ++pass) {
    struct mnt *m;
    size_t n;
    if (guest_mounts (&m, &n) == -1) {
      reply_with_perror ("/proc/self/mountinfo");
      return -1;
    }
    if (n == 0) {
      free (m);
      return 0;
    }
    for (size_t i = n; i-- > 0;) {
      if (umount2 (m[i].target, 0) == -1 && errno != EINVAL && errno != ENOENT) {
        int e = errno;
        reply_with_error_errno (e, "umount: %s: %s", guest_path (m[i].target),
                                e == EBUSY ? "target is busy" : strerror (e));
        free_mnts (m, n);
        return -1;
      }
    }
    free_mnts (m, n);
  }
  reply_with_error ("umount_all: mounts remain under %s", SYSROOT);
  return -1;
}

/* ---- mounts, mountpoints ---- */

static int
compare_targets (const void *a, const void *b)
{
  return strcmp (((const struct mnt *) a)->target, ((const struct mnt *) b)->target);
}

static char **
list_mounts (bool with_points)
{
  struct mnt *m;
  size_t n;
  if (guest_mounts (&m, &n) == -1) {
    reply_with_perror ("/proc/self/mountinfo");
    return NULL;
  }
  /* A stable sort would keep overmounts in order; targets equal only when
   * one mount hides another, and then the later one is the visible one. */
  qsort (m, n, sizeof *m, compare_targets);
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; i < n; ++i) {
    if (!shown (&m[i]))
      continue;
    char *dev = canonical_device (m[i].source);
    if (dev == NULL || add_string_nodup (&sb, dev) == -1 ||
        (with_points && add_string (&sb, guest_path (m[i].target)) == -1))
      goto oom;
  }
  free_mnts (m, n);
  if (end_stringsbuf (&sb) == -1)
    goto oom2;
  return take_stringsbuf (&sb);
 oom:
  free_mnts (m, n);
 oom2:
  reply_with_perror ("mounts");
  free_stringsbuf (&sb);
  return NULL;
}

char **
do_mounts (void)
{
  return list_mounts (false);
}

char **
do_mountpoints (void)
{
  return list_mounts (true);
}
