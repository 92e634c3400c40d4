/* Miscellaneous file and disk actions: du, df_h, rm_f, mktemp,
 * fallocate64, copy_attributes, ls0, mklost_and_found, findfs_*,
 * sfdisk geometry, f2fs_expand, nr_devices, drop_caches, sleep.
 *
 * Guest paths are resolved with sysroot_open / sysroot_open_parent; the
 * programs that need a guest path (du, mklost+found) run with their
 * working directory set to a safely opened directory and get a single
 * name relative to it.  */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/hdreg.h>

#include "daemon.h"
#include "actions-gen.h"
#include "files-common.h"

/* Run argv with its working directory at cwd_fd (-1: unchanged).  *out
 * (may be NULL) gets stdout and *err stderr, malloc'd and NUL-terminated.
 * Returns the exit status, or -1 with errno if it could not run.  */
static int
run_in_dir (const char *const *argv, int cwd_fd, char **out, char **err)
{
  if (out)
    *out = NULL;
  *err = NULL;
  CLEANUP_CLOSE int ofd = out ? f2_memfd ("stdout") : -1;
  CLEANUP_CLOSE int efd = f2_memfd ("stderr");
  if ((out && ofd == -1) || efd == -1)
    return -1;
  pid_t pid = spawn_program (argv, cwd_fd, -1, ofd, efd);
  if (pid == -1)
    return -1;
  int r = wait_program (pid);
  *err = read_stderr_memfd (efd);
  if (out) {
    *out = f2_memfd_contents (ofd, F2_REPLY_LIMIT, NULL);
    if (*out == NULL)
      return -1;
  }
  return r;
}

/* ---- du ---- */

int64_t
do_du (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  struct stat st;
  if (dfd == -1 || fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  const char *argv[] = { "du", "-s", "-k", "--", base, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = run_in_dir (argv, dfd, &out, &err);
  if (r != 0) {
    reply_with_error ("%s: %s", path,
                      err && *err ? err : r == -1 ? strerror (errno) : "failed");
    return -1;
  }
  char *end;
  errno = 0;
  long long kb = strtoll (out, &end, 10);
  if (errno || end == out || kb < 0) {
    reply_with_error ("%s: could not parse the output '%s'", path, trim_newlines (out));
    return -1;
  }
  return (int64_t) kb;
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

/* ---- rm_f ---- */

int
do_rm_f (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1) {
    if (errno == ENOENT)
      return 0;                 /* a missing parent: nothing to remove */
    reply_with_perror ("%s", path);
    return -1;
  }
  if (strcmp (base, ".") == 0) {
    reply_with_error_errno (EISDIR, "%s: is a directory", path);
    return -1;
  }
  if (unlinkat (dfd, base, 0) == -1 && errno != ENOENT) {
    if (errno == EISDIR)
      reply_with_error_errno (EISDIR, "%s: is a directory (use rmdir or rm_rf)", path);
    else
      reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

/* ---- mktemp ---- */

char *
do_mktemp (const char *tmpl, const char *suffix)
{
  static const char chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (!(optargs_bitmask & GUESTFS_MKTEMP_SUFFIX_BITMASK) || suffix == NULL)
    suffix = "";
  if (strchr (suffix, '/')) {
    reply_with_error_errno (EINVAL, "%s: the suffix must not contain '/'", suffix);
    return NULL;
  }
  size_t tlen = strlen (tmpl);
  if (tlen < 7 || strcmp (tmpl + tlen - 6, "XXXXXX") != 0) {
    reply_with_error_errno (EINVAL, "%s: the template must end with XXXXXX", tmpl);
    return NULL;
  }
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (tmpl, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", tmpl);
    return NULL;
  }
  size_t blen = strlen (base);
  if (blen < 6 || strcmp (base + blen - 6, "XXXXXX") != 0) {
    reply_with_error_errno (EINVAL, "%s: the template must end with XXXXXX", tmpl);
    return NULL;
  }
  CLEANUP_FREE char *name = NULL;
  char *ret = NULL;
  if (asprintf (&name, "%s%s", base, suffix) == -1 ||
      asprintf (&ret, "%s%s", tmpl, suffix) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  for (int attempt = 0; attempt < 1000; ++attempt) {
    unsigned char rnd[6];
    if (getrandom (rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd) {
      reply_with_perror ("getrandom");
      free (ret);
      return NULL;
    }
    for (size_t i = 0; i < 6; ++i) {
      char c = chars[rnd[i] % (sizeof chars - 1)];
      name[blen - 6 + i] = c;
      ret[tlen - 6 + i] = c;
    }
    int fd = openat (dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY |
                     O_CLOEXEC, 0600);
    if (fd == -1 && errno == EEXIST)
      continue;
    if (fd == -1) {
      reply_with_perror ("%s", ret);
      free (ret);
      return NULL;
    }
    /* Exactly 0600 whatever the umask. */
    if (fchmod (fd, 0600) == -1 || close (fd) == -1) {
      reply_with_perror ("%s", ret);
      free (ret);
      return NULL;
    }
    return ret;
  }
  reply_with_error_errno (EEXIST, "%s: could not find an unused name", tmpl);
  free (ret);
  return NULL;
}

/* ---- fallocate64 ---- */

int
do_fallocate64 (const char *path, int64_t len)
{
  if (len < 0) {
    reply_with_error_errno (EINVAL, "%" PRIi64 ": the length must not be negative", len);
    return -1;
  }
  int fd = f2_open_data (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd == -1)
    return -1;
  int e = len > 0 ? posix_fallocate (fd, 0, (off_t) len) : 0;
  if (e != 0) {
    close (fd);
    reply_with_error_errno (e, "%s: %s", path, strerror (e));
    return -1;
  }
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", path);
    return -1;
  }
  return 0;
}

/* ---- copy_attributes ---- */

/* Copy every extended attribute of the file named by spath to dpath
 * (both /proc/PID/fd/N names of resolved guest files).  */
static int
copy_all_xattrs (const char *spath, const char *dpath, const char *src)
{
  ssize_t len = listxattr (spath, NULL, 0);
  if (len == -1) {
    if (errno == ENOTSUP)
      return 0;                 /* nothing to copy from here */
    reply_with_perror ("listxattr: %s", src);
    return -1;
  }
  if (len == 0)
    return 0;
  CLEANUP_FREE char *names = malloc ((size_t) len);
  if (names == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  len = listxattr (spath, names, (size_t) len);
  if (len == -1) {
    reply_with_perror ("listxattr: %s", src);
    return -1;
  }
  for (char *n = names; n < names + len; n += strlen (n) + 1) {
    ssize_t vlen = getxattr (spath, n, NULL, 0);
    if (vlen == -1) {
      reply_with_perror ("getxattr: %s: %s", src, n);
      return -1;
    }
    CLEANUP_FREE char *val = malloc ((size_t) vlen + 1);
    if (val == NULL) {
      reply_with_perror ("malloc");
      return -1;
    }
    vlen = getxattr (spath, n, val, (size_t) vlen);
    if (vlen == -1 || setxattr (dpath, n, val, (size_t) vlen, 0) == -1) {
      reply_with_perror ("%s: %s", vlen == -1 ? "getxattr" : "setxattr", n);
      return -1;
    }
  }
  return 0;
}

int
do_copy_attributes (const char *src, const char *dest, int all, int mode,
                    int xattributes, int ownership)
{
  bool a = (optargs_bitmask & GUESTFS_COPY_ATTRIBUTES_ALL_BITMASK) && all;
  bool cmode = (optargs_bitmask & GUESTFS_COPY_ATTRIBUTES_MODE_BITMASK) ? mode : a;
  bool cxattr = (optargs_bitmask & GUESTFS_COPY_ATTRIBUTES_XATTRIBUTES_BITMASK) ?
    xattributes : a;
  bool cown = (optargs_bitmask & GUESTFS_COPY_ATTRIBUTES_OWNERSHIP_BITMASK) ?
    ownership : a;

  CLEANUP_CLOSE int sfd = sysroot_open (src, O_PATH, 0);
  if (sfd == -1) {
    reply_with_perror ("%s", src);
    return -1;
  }
  CLEANUP_CLOSE int dfd = sysroot_open (dest, O_PATH, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", dest);
    return -1;
  }
  struct stat st;
  if (fstat (sfd, &st) == -1) {
    reply_with_perror ("%s", src);
    return -1;
  }
  CLEANUP_FREE char *spath = fd_path (sfd);
  CLEANUP_FREE char *dpath = fd_path (dfd);
  if (spath == NULL || dpath == NULL) {
    reply_with_perror ("asprintf");
    return -1;
  }
  if (cxattr && copy_all_xattrs (spath, dpath, src) == -1)
    return -1;
  /* The owner before the mode: chown clears the set-id bits. */
  if (cown && fchownat (dfd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) == -1) {
    reply_with_perror ("chown: %s", dest);
    return -1;
  }
  if (cmode && chmod (dpath, st.st_mode & 07777) == -1) {
    reply_with_perror ("chmod: %s", dest);
    return -1;
  }
  return 0;
}

/* ---- ls0 ---- */

int
do_ls0 (const char *dir)
{
  int fd = sysroot_open (dir, O_RDONLY | O_DIRECTORY, 0);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL) {
    reply_with_perror ("%s", dir);
    if (fd >= 0)
      close (fd);
    return -1;
  }
  struct f2_out o;
  if (f2_out_init (&o) == -1) {
    closedir (d);
    reply_with_perror ("malloc");
    return -1;
  }
  for (;;) {
    errno = 0;
    struct dirent *e = readdir (d);
    if (e == NULL) {
      if (errno != 0) {
        int err = errno;
        closedir (d);
        f2_out_abort (&o);
        reply_with_error_errno (err, "readdir: %s: %s", dir, strerror (err));
        return -1;
      }
      break;
    }
    if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
      continue;
    if (f2_out_write (&o, e->d_name, strlen (e->d_name) + 1) == -1) {
      closedir (d);
      f2_out_abort (&o);
      reply_with_error ("%s: sending the output failed", dir);
      return -1;
    }
  }
  closedir (d);
  return f2_out_finish (&o, "ls0");
}

/* ---- mklost_and_found ---- */

int
do_mklost_and_found (const char *mountpoint)
{
  CLEANUP_CLOSE int dfd = sysroot_open (mountpoint, O_PATH | O_DIRECTORY, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", mountpoint);
    return -1;
  }
  const char *argv[] = { "mklost+found", NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = run_in_dir (argv, dfd, &out, &err);
  if (r != 0) {
    reply_with_error ("mklost+found: %s: %s", mountpoint,
                      err && *err ? err : r == -1 ? strerror (errno) : "failed");
    return -1;
  }
  return 0;
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

/* ---- sfdisk geometry ---- */

static char *
format_geometry (const char *device, unsigned long cyls, unsigned heads, unsigned sectors)
{
  char *r;
  if (asprintf (&r, "%s: %lu cylinders, %u heads, %u sectors/track\n", device, cyls,
                heads, sectors) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

char *
do_sfdisk_kernel_geometry (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct hd_geometry geo;
  if (fd == -1 || ioctl (fd, HDIO_GETGEO, &geo) == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  /* geo.cylinders is 16 bits: compute it from the size when possible. */
  unsigned long cyls = geo.cylinders;
  uint64_t size;
  if (geo.heads && geo.sectors && ioctl (fd, BLKGETSIZE64, &size) == 0)
    cyls = (unsigned long) (size / 512 / ((uint64_t) geo.heads * geo.sectors));
  return format_geometry (device, cyls, geo.heads, geo.sectors);
}

/* The geometry the partition table was written for: the heads and sectors
 * per track of the CHS end of the entry that ends furthest (as the
 * kernel's SCSI driver reads it), cylinders from the device size.  A
 * device without one (a partition, a blank disk) gets the kernel's.  */
char *
do_sfdisk_disk_geometry (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_CLOEXEC);
  unsigned char mbr[512];
  uint64_t size;
  if (fd == -1 || ioctl (fd, BLKGETSIZE64, &size) == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  ssize_t n = f2_pread_full (fd, mbr, sizeof mbr, 0);
  if (n == -1) {
    reply_with_perror ("read: %s", device);
    return NULL;
  }
  /* Without a DOS partition table (or its CHS values) there is only the
   * kernel's idea of the geometry, as sfdisk would show.  */
  if (n < (ssize_t) sizeof mbr || mbr[510] != 0x55 || mbr[511] != 0xaa)
    return do_sfdisk_kernel_geometry (device);
  unsigned heads = 0, sectors = 0, best_cyl = 0;
  bool found = false;
  for (int i = 0; i < 4; ++i) {
    const unsigned char *e = mbr + 446 + 16 * i;
    if (e[4] == 0)
      continue;                 /* unused entry */
    unsigned h = e[5], s = e[6] & 0x3f;
    unsigned c = e[7] | ((unsigned) (e[6] & 0xc0) << 2);
    if (s == 0)
      continue;
    if (!found || c > best_cyl) {
      heads = h + 1;
      sectors = s;
      best_cyl = c;
      found = true;
    }
  }
  if (!found)
    return do_sfdisk_kernel_geometry (device);
  return format_geometry (device, (unsigned long) (size / 512 / ((uint64_t) heads * sectors)),
                          heads, sectors);
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

/* ---- nr_devices, drop_caches, sleep ---- */

int
do_nr_devices (void)
{
  char **devs = list_user_devices ();
  if (devs == NULL)
    return -1;
  int n = (int) count_strings (devs);
  free_strings (devs);
  return n;
}

int
do_drop_caches (int whattodrop)
{
  sync ();
  CLEANUP_CLOSE int fd = open ("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("/proc/sys/vm/drop_caches");
    return -1;
  }
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%d", whattodrop);
  if (write (fd, buf, (size_t) len) != len) {
    int e = errno;
    if (e == EINVAL)
      reply_with_error_errno (e, "%d: not a valid value (1: page cache, 2: dentries "
                              "and inodes, 3: both)", whattodrop);
    else
      reply_with_perror ("/proc/sys/vm/drop_caches");
    return -1;
  }
  return 0;
}

int
do_sleep (int secs)
{
  if (secs < 0) {
    reply_with_error_errno (EINVAL, "%d: the number of seconds must not be negative", secs);
    return -1;
  }
  struct timespec ts = { .tv_sec = secs, .tv_nsec = 0 };
  while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
    ;
  return 0;
}
