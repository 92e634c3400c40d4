/* Links, special files and metadata of guest files: mknod, mkfifo,
 * mkdir_mode, umask, lchown, ln/ln_f/ln_sf, rename, mkdtemp, realpath,
 * truncate, utimens, the is_* type tests, statvfs, and the deprecated
 * stat family (stat, lstat, lstatlist).
 *
 * Guest paths go through sysroot_open / sysroot_open_parent (openat2
 * RESOLVE_IN_ROOT) and *at() calls.  */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include "files-common.h"
#include "actions-gen.h"
#include "protocol-gen.h"   /* hatch_free_statns_* */

#define BLOCK (1024 * 1024)

/* ---- special files, directories, links ---- */

static int
make_node (const char *path, mode_t mode, dev_t dev)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 || mknodat (dfd, base, mode, dev) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

static int
check_perm_bits (int mode, const char *path)
{
  if (mode < 0 || (mode & ~07777)) {
    reply_with_error_errno (EINVAL, "%s: mode must contain only permission bits "
                            "(got 0%o)", path, (unsigned) mode);
    return -1;
  }
  return 0;
}

static int
check_devnums (int major, int minor, const char *path)
{
  if (major < 0 || minor < 0) {
    reply_with_error_errno (EINVAL, "%s: negative device number", path);
    return -1;
  }
  return 0;
}

int
do_mknod (int mode, int devmajor, int devminor, const char *path)
{
  if (mode < 0 || check_devnums (devmajor, devminor, path) == -1) {
    if (mode < 0)
      reply_with_error_errno (EINVAL, "%s: mode is negative", path);
    return -1;
  }
  return make_node (path, (mode_t) mode, makedev ((unsigned) devmajor, (unsigned) devminor));
}

int
do_mkfifo (int mode, const char *path)
{
  if (check_perm_bits (mode, path) == -1)
    return -1;
  return make_node (path, S_IFIFO | (mode_t) mode, 0);
}

int
do_mknod_b (int mode, int devmajor, int devminor, const char *path)
{
  if (check_perm_bits (mode, path) == -1 ||
      check_devnums (devmajor, devminor, path) == -1)
    return -1;
  return make_node (path, S_IFBLK | (mode_t) mode,
                    makedev ((unsigned) devmajor, (unsigned) devminor));
}

int
do_mknod_c (int mode, int devmajor, int devminor, const char *path)
{
  if (check_perm_bits (mode, path) == -1 ||
      check_devnums (devmajor, devminor, path) == -1)
    return -1;
  return make_node (path, S_IFCHR | (mode_t) mode,
                    makedev ((unsigned) devmajor, (unsigned) devminor));
}

int
do_mkdir_mode (const char *path, int mode)
{
  if (mode < 0) {
    reply_with_error_errno (EINVAL, "%s: mode is negative", path);
    return -1;
  }
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 || mkdirat (dfd, base, (mode_t) mode) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

int
do_umask (int mask)
{
  if (mask < 0 || mask > 0777) {
    reply_with_error_errno (EINVAL, "0%o: umask must be between 0 and 0777",
                            (unsigned) mask);
    return -1;
  }
  return (int) umask ((mode_t) mask);
}

int
do_get_umask (void)
{
  mode_t m = umask (022);
  umask (m);
  return (int) m;
}

int
do_lchown (int owner, int group, const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 ||
      fchownat (dfd, base, (uid_t) owner, (gid_t) group, AT_SYMLINK_NOFOLLOW) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

/* The last component of a path, trailing slashes ignored (malloc'd). */
static char *
last_component (const char *path)
{
  size_t n = strlen (path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  size_t s = n;
  while (s > 0 && path[s - 1] != '/')
    s--;
  return strndup (path + s, n - s);
}

/* ln, ln -f, ln -sf.  As ln(1) does, a linkname that is an existing
 * directory gets the link inside it, named after the target.  */
static int
make_link (const char *target, const char *linkname, bool symbolic, bool force)
{
  if (!symbolic && target[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", target);
    return -1;
  }
  CLEANUP_CLOSE int ddfd = -1;
  CLEANUP_FREE char *dbase = NULL;
  struct stat st;
  if (sysroot_stat (linkname, &st, true) == 0 && S_ISDIR (st.st_mode)) {
    dbase = last_component (target);
    if (dbase == NULL || *dbase == '\0' || strcmp (dbase, "/") == 0 ||
        strcmp (dbase, ".") == 0 || strcmp (dbase, "..") == 0) {
      reply_with_error_errno (EEXIST, "%s: File exists", linkname);
      return -1;
    }
    ddfd = sysroot_open (linkname, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  }
  else
    ddfd = sysroot_open_parent (linkname, &dbase);
  if (ddfd == -1) {
    reply_with_perror ("%s", linkname);
    return -1;
  }
  if (force && unlinkat (ddfd, dbase, 0) == -1 && errno != ENOENT) {
    reply_with_perror ("%s: cannot remove the existing file", linkname);
    return -1;
  }
  if (symbolic) {
    if (symlinkat (target, ddfd, dbase) == -1) {
      reply_with_perror ("%s", linkname);
      return -1;
    }
    return 0;
  }
  CLEANUP_FREE char *tbase = NULL;
  CLEANUP_CLOSE int tdfd = sysroot_open_parent (target, &tbase);
  if (tdfd == -1) {
    reply_with_perror ("%s", target);
    return -1;
  }
  if (linkat (tdfd, tbase, ddfd, dbase, 0) == -1) {
    reply_with_perror ("link %s to %s", linkname, target);
    return -1;
  }
  return 0;
}

int do_ln (const char *t, const char *l) { return make_link (t, l, false, false); }
int do_ln_f (const char *t, const char *l) { return make_link (t, l, false, true); }
int do_ln_sf (const char *t, const char *l) { return make_link (t, l, true, true); }

int
do_rename (const char *oldpath, const char *newpath)
{
  CLEANUP_FREE char *obase = NULL, *nbase = NULL;
  CLEANUP_CLOSE int odfd = sysroot_open_parent (oldpath, &obase);
  if (odfd == -1) {
    reply_with_perror ("%s", oldpath);
    return -1;
  }
  CLEANUP_CLOSE int ndfd = sysroot_open_parent (newpath, &nbase);
  if (ndfd == -1) {
    reply_with_perror ("%s", newpath);
    return -1;
  }
  if (renameat (odfd, obase, ndfd, nbase) == -1) {
    reply_with_perror ("rename %s to %s", oldpath, newpath);
    return -1;
  }
  return 0;
}

char *
do_mkdtemp (const char *tmpl)
{
  size_t len = strlen (tmpl);
  if (len < 7 || strcmp (tmpl + len - 6, "XXXXXX") != 0) {
    reply_with_error_errno (EINVAL, "%s: template must end with XXXXXX", tmpl);
    return NULL;
  }
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (tmpl, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", tmpl);
    return NULL;
  }
  size_t blen = strlen (base);
  if (blen < 6) {
    reply_with_error_errno (EINVAL, "%s: template must end with XXXXXX", tmpl);
    return NULL;
  }
  static const char chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int tries = 0; tries < 100; tries++) {
    unsigned char rnd[6];
    if (getrandom (rnd, sizeof rnd, 0) != (ssize_t) sizeof rnd) {
      reply_with_perror ("getrandom");
      return NULL;
    }
    for (size_t i = 0; i < 6; i++)
      base[blen - 6 + i] = chars[rnd[i] % (sizeof chars - 1)];
    if (mkdirat (dfd, base, 0700) == 0) {
      char *r = strdup (tmpl);
      if (r == NULL) {
        reply_with_perror ("strdup");
        return NULL;
      }
      memcpy (r + len - 6, base + blen - 6, 6);
      return r;
    }
    if (errno != EEXIST) {
      reply_with_perror ("%s", tmpl);
      return NULL;
    }
  }
  reply_with_error_errno (EEXIST, "%s: could not find an unused name", tmpl);
  return NULL;
}

char *
do_realpath (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  char p[64], buf[PATH_MAX + 1];
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (p, buf, sizeof buf - 1);
  if (n == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  buf[n] = '\0';
  size_t sl = strlen (SYSROOT);
  if (strncmp (buf, SYSROOT, sl) != 0 || (buf[sl] != '/' && buf[sl] != '\0')) {
    reply_with_error ("%s: cannot name the resolved path inside the guest", path);
    return NULL;
  }
  return strdup (buf[sl] ? buf + sl : "/");
}

/* ---- sizes and times ---- */

static int
truncate_to (const char *path, int64_t size)
{
  if (size < 0) {
    reply_with_error_errno (EINVAL, "%s: size must not be negative", path);
    return -1;
  }
  CLEANUP_CLOSE int fd = f2_open_data (path, O_WRONLY, 0);
  if (fd == -1)
    return -1;
  if (ftruncate (fd, (off_t) size) == -1) {
    reply_with_perror ("truncate: %s", path);
    return -1;
  }
  return 0;
}

int do_truncate (const char *path) { return truncate_to (path, 0); }
int do_truncate_size (const char *path, int64_t size) { return truncate_to (path, size); }

static int
set_timespec (struct timespec *ts, int64_t secs, int64_t nsecs)
{
  if (nsecs == -1)
    ts->tv_nsec = UTIME_NOW;
  else if (nsecs == -2)
    ts->tv_nsec = UTIME_OMIT;
  else if (nsecs < 0 || nsecs > 999999999)
    return -1;
  else {
    ts->tv_sec = (time_t) secs;
    ts->tv_nsec = (long) nsecs;
  }
  return 0;
}

int
do_utimens (const char *path, int64_t atsecs, int64_t atnsecs,
            int64_t mtsecs, int64_t mtnsecs)
{
  struct timespec ts[2] = { 0 };
  if (set_timespec (&ts[0], atsecs, atnsecs) == -1 ||
      set_timespec (&ts[1], mtsecs, mtnsecs) == -1) {
    reply_with_error_errno (EINVAL, "%s: nanoseconds must be 0..999999999, "
                            "-1 (now) or -2 (unchanged)", path);
    return -1;
  }
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  char p[64];
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  if (utimensat (AT_FDCWD, p, ts, 0) == -1) {
    reply_with_perror ("utimens: %s", path);
    return -1;
  }
  return 0;
}

/* ---- tests on files ---- */

static int
is_type (const char *path, mode_t type, bool follow)
{
  struct stat st;
  if (sysroot_stat (path, &st, follow) == -1) {
    if (errno == ENOENT || errno == ENOTDIR || (follow && errno == ELOOP))
      return 0;
    reply_with_perror ("%s", path);
    return -1;
  }
  return (st.st_mode & S_IFMT) == type;
}

int
do_is_chardev (const char *path, int followsymlinks)
{
  return is_type (path, S_IFCHR, (optargs_bitmask & GUESTFS_IS_CHARDEV_OPTS_FOLLOWSYMLINKS_BITMASK) && followsymlinks);
}

int
do_is_blockdev (const char *path, int followsymlinks)
{
  return is_type (path, S_IFBLK, (optargs_bitmask & GUESTFS_IS_BLOCKDEV_OPTS_FOLLOWSYMLINKS_BITMASK) && followsymlinks);
}

int
do_is_fifo (const char *path, int followsymlinks)
{
  return is_type (path, S_IFIFO, (optargs_bitmask & GUESTFS_IS_FIFO_OPTS_FOLLOWSYMLINKS_BITMASK) && followsymlinks);
}

int
do_is_socket (const char *path, int followsymlinks)
{
  return is_type (path, S_IFSOCK, (optargs_bitmask & GUESTFS_IS_SOCKET_OPTS_FOLLOWSYMLINKS_BITMASK) && followsymlinks);
}

int
do_is_zero (const char *path)
{
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *buf = malloc (BLOCK);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  for (;;) {
    ssize_t n = f2_read_full (fd, buf, BLOCK);
    if (n == -1) {
      reply_with_perror ("read: %s", path);
      return -1;
    }
    if (n == 0)
      return 1;
    if (!f2_is_zero (buf, (size_t) n))
      return 0;
  }
}

struct guestfs_statvfs *
do_statvfs (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  struct statvfs sv;
  if (fd == -1 || fstatvfs (fd, &sv) == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  struct guestfs_statvfs *r = calloc (1, sizeof *r);
  if (r == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  r->bsize = (int64_t) sv.f_bsize;
  r->frsize = (int64_t) sv.f_frsize;
  r->blocks = (int64_t) sv.f_blocks;
  r->bfree = (int64_t) sv.f_bfree;
  r->bavail = (int64_t) sv.f_bavail;
  r->files = (int64_t) sv.f_files;
  r->ffree = (int64_t) sv.f_ffree;
  r->favail = (int64_t) sv.f_favail;
  r->fsid = (int64_t) sv.f_fsid;
  r->flag = (int64_t) sv.f_flag;
  r->namemax = (int64_t) sv.f_namemax;
  return r;
}

/* ---- deprecated stat family ---- */

static void
stat_from_statns (struct guestfs_stat *d, const struct guestfs_statns *s)
{
  d->dev = s->st_dev;
  d->ino = s->st_ino;
  d->mode = s->st_mode;
  d->nlink = s->st_nlink;
  d->uid = s->st_uid;
  d->gid = s->st_gid;
  d->rdev = s->st_rdev;
  d->size = s->st_size;
  d->blksize = s->st_blksize;
  d->blocks = s->st_blocks;
  d->atime = s->st_atime_sec;
  d->mtime = s->st_mtime_sec;
  d->ctime = s->st_ctime_sec;
}

static struct guestfs_stat *
stat_of (struct guestfs_statns *ns)
{
  if (ns == NULL)
    return NULL;                /* replied */
  struct guestfs_stat *r = calloc (1, sizeof *r);
  if (r == NULL)
    reply_with_perror ("calloc");
  else
    stat_from_statns (r, ns);
  hatch_free_statns_fields (ns);
  free (ns);
  return r;
}

struct guestfs_stat *
do_stat (const char *path)
{
  return stat_of (do_statns (path));
}

struct guestfs_stat *
do_lstat (const char *path)
{
  return stat_of (do_lstatns (path));
}

struct guestfs_stat_list *
do_lstatlist (const char *path, char *const *names)
{
  struct guestfs_statns_list *ns = do_lstatnslist (path, names);
  if (ns == NULL)
    return NULL;
  struct guestfs_stat_list *r = calloc (1, sizeof *r);
  if (r == NULL || (ns->len && (r->val = calloc (ns->len, sizeof *r->val)) == NULL)) {
    free (r);
    hatch_free_statns_list (ns);
    reply_with_perror ("calloc");
    return NULL;
  }
  r->len = ns->len;
  for (uint32_t i = 0; i < ns->len; ++i)
    stat_from_statns (&r->val[i], &ns->val[i]);
  hatch_free_statns_list (ns);
  return r;
}
