/* mount_local, mount_local_run, umount_local: the guest filesystem on a
 * host directory through FUSE (libfuse3, high-level path-based API).
 *
 * Every FUSE request becomes calls on the handle.  The loop is
 * single-threaded (the handle allows one call at a time), so requests are
 * answered in order.  Listing a directory fetches the attributes, extended
 * attributes and link targets of all its entries in a few batched calls
 * (lstatnslist, lxattrlist, readlinklist) and keeps them in a small cache
 * for cachetimeout seconds, because the kernel asks for them one by one
 * right after a listing (ls -l).  Every change drops the cached entries it
 * may affect.
 *
 * The per-handle state lives in the handle's private data area under a key
 * starting with an underscore (reserved for the library), and a close
 * callback tears the mount down if the handle goes away while mounted. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"
#include "fusermount.h"

#ifdef HAVE_FUSE

#include <sys/xattr.h>
#include "fuse-internal.h"

#define PRIVATE_KEY "_hatch_mount_local"
#define UMOUNT_RETRIES 5

/* Guards the creation and release of the state against umount_local
 * running on another thread while the loop ends. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;

static struct mount_local *
get_state (guestfs_h *g)
{
  return guestfs_get_private (g, PRIVATE_KEY);
}

/* ---- helpers for the operations ---- */

static struct mount_local *
state (void)
{
  return fuse_get_context ()->private_data;
}

/* The negative errno of the handle's last failure, for FUSE. */
static int
last_error (struct mount_local *ml)
{
  int e = guestfs_last_errno (ml->g);
  if (ml->debugcalls) {
    const char *msg = guestfs_last_error (ml->g);
    fprintf (stderr, "mount_local: error: %s\n", msg ? msg : "(no message)");
  }
  return -(e > 0 ? e : EIO);
}

static int
done (struct mount_local *ml, const char *op, const char *path, int r)
{
  if (ml->debugcalls)
    fprintf (stderr, "mount_local: %s %s = %d%s%s\n", op, path ? path : "", r,
             r < 0 ? " " : "", r < 0 ? strerror (-r) : "");
  return r;
}

static void
statns_to_stat (const struct guestfs_statns *s, struct stat *st)
{
  memset (st, 0, sizeof *st);
  st->st_dev = (dev_t) s->st_dev;
  st->st_ino = (ino_t) s->st_ino;
  st->st_mode = (mode_t) s->st_mode;
  st->st_nlink = (nlink_t) s->st_nlink;
  st->st_uid = (uid_t) s->st_uid;
  st->st_gid = (gid_t) s->st_gid;
  st->st_rdev = (dev_t) s->st_rdev;
  st->st_size = (off_t) s->st_size;
  st->st_blksize = (blksize_t) s->st_blksize;
  st->st_blocks = (blkcnt_t) s->st_blocks;
  st->st_atim.tv_sec = s->st_atime_sec;
  st->st_atim.tv_nsec = s->st_atime_nsec;
  st->st_mtim.tv_sec = s->st_mtime_sec;
  st->st_mtim.tv_nsec = s->st_mtime_nsec;
  st->st_ctim.tv_sec = s->st_ctime_sec;
  st->st_ctim.tv_nsec = s->st_ctime_nsec;
}

/* The attributes of path: from the cache, else one lstatns call. */
static int
get_statns (struct mount_local *ml, const char *path, struct guestfs_statns *out)
{
  struct centry *e = cache_find (ml, path);
  if (e && e->have_stat) {
    *out = e->st;
    return 0;
  }
  struct guestfs_statns *s = guestfs_lstatns (ml->g, path);
  if (!s)
    return last_error (ml);
  *out = *s;
  guestfs_free_statns (s);
  return 0;
}

#define CHECK_WRITABLE(ml, op, path) \
  do { if ((ml)->readonly) return done ((ml), (op), (path), -EROFS); } while (0)

static mode_t
ftyp_mode (char t)
{
  switch (t) {
  case 'b': return S_IFBLK;
  case 'c': return S_IFCHR;
  case 'd': return S_IFDIR;
  case 'f': return S_IFIFO;
  case 'l': return S_IFLNK;
  case 'r': return S_IFREG;
  case 's': return S_IFSOCK;
  default: return 0;
  }
}

/* ---- FUSE operations ---- */

static void *
op_init (struct fuse_conn_info *conn, struct fuse_config *cfg)
{
  /* Whether the kernel sends O_TRUNC to open() (atomic_o_trunc) or a
   * separate truncate, both are handled (op_open, op_truncate). */
  return state ();
}

static int
op_getattr (const char *path, struct stat *st, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  struct guestfs_statns s;
  int r = get_statns (ml, path, &s);
  if (r == 0)
    statns_to_stat (&s, st);
  return done (ml, "getattr", path, r);
}

static int
op_access (const char *path, int mask)
{
  struct mount_local *ml = state ();
  if (ml->readonly && (mask & W_OK))
    return done (ml, "access", path, -EROFS);
  struct guestfs_statns s;
  int r = get_statns (ml, path, &s);
  if (r < 0 || mask == F_OK)
    return done (ml, "access", path, r);

  struct fuse_context *ctx = fuse_get_context ();
  mode_t m = (mode_t) s.st_mode;
  bool ok = true;
  if (ctx->uid == 0) {
    /* root may read and write anything, and execute anything that has an
     * execute bit (or is a directory). */
    if ((mask & X_OK) && !S_ISDIR (m) && !(m & (S_IXUSR | S_IXGRP | S_IXOTH)))
      ok = false;
  }
  else {
    mode_t bits;
    bool in_group = (gid_t) s.st_gid == ctx->gid;
    if (!in_group) {
      gid_t groups[64];
      int ng = fuse_getgroups (64, groups);
      for (int i = 0; i < ng && i < 64; i++)
        if (groups[i] == (gid_t) s.st_gid)
          in_group = true;
    }
    if ((uid_t) s.st_uid == ctx->uid)
      bits = (m >> 6) & 7;
    else if (in_group)
      bits = (m >> 3) & 7;
    else
      bits = m & 7;
    if (((mask & R_OK) && !(bits & 4)) || ((mask & W_OK) && !(bits & 2)) ||
        ((mask & X_OK) && !(bits & 1)))
      ok = false;
  }
  return done (ml, "access", path, ok ? 0 : -EACCES);
}

static int
op_readlink (const char *path, char *buf, size_t size)
{
  struct mount_local *ml = state ();
  if (size == 0)
    return done (ml, "readlink", path, -EINVAL);
  struct centry *e = cache_find (ml, path);
  char *target;
  if (e && e->link)
    target = strdup (e->link);
  else {
    target = guestfs_readlink (ml->g, path);
    if (!target)
      return done (ml, "readlink", path, last_error (ml));
  }
  if (!target)
    return done (ml, "readlink", path, -ENOMEM);
  /* FUSE wants a NUL-terminated string, truncated to fit. */
  size_t n = strlen (target);
  if (n >= size)
    n = size - 1;
  memcpy (buf, target, n);
  buf[n] = '\0';
  free (target);
  return done (ml, "readlink", path, 0);
}

static int
op_readdir (const char *path, void *buf, fuse_fill_dir_t filler, off_t offset,
            struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
  struct mount_local *ml = state ();
  struct guestfs_dirent_list *d = guestfs_readdir (ml->g, path);
  if (!d)
    return done (ml, "readdir", path, last_error (ml));
  cache_sweep (ml);
  fill_cache (ml, path, d);

  for (uint32_t i = 0; i < d->len; i++) {
    const char *name = d->val[i].name;
    /* The daemon is not trusted: no empty names, none with a slash. */
    if (name[0] == '\0' || strchr (name, '/'))
      continue;
    struct stat st;
    enum fuse_fill_dir_flags fill = 0;
    memset (&st, 0, sizeof st);
    st.st_ino = (ino_t) d->val[i].ino;
    st.st_mode = ftyp_mode (d->val[i].ftyp);
    if ((flags & FUSE_READDIR_PLUS) && strcmp (name, ".") != 0 &&
        strcmp (name, "..") != 0) {
      char *p = join_path (path, name);
      struct centry *e = p ? cache_find (ml, p) : NULL;
      if (e && e->have_stat) {
        statns_to_stat (&e->st, &st);
        fill = FUSE_FILL_DIR_PLUS;
      }
      free (p);
    }
    if (filler (buf, name, &st, 0, fill))
      break;
  }
  guestfs_free_dirent_list (d);
  return done (ml, "readdir", path, 0);
}

static int
op_mknod (const char *path, mode_t mode, dev_t rdev)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "mknod", path);
  cache_invalidate_with_parent (ml, path);
  if (guestfs_mknod (ml->g, (int) mode, (int) major (rdev), (int) minor (rdev), path) == -1)
    return done (ml, "mknod", path, last_error (ml));
  return done (ml, "mknod", path, 0);
}

static int
op_create (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "create", path);
  cache_invalidate_with_parent (ml, path);
  if (guestfs_mknod (ml->g, (int) (S_IFREG | (mode & 07777)), 0, 0, path) == -1)
    return done (ml, "create", path, last_error (ml));
  return done (ml, "create", path, 0);
}

static int
op_mkdir (const char *path, mode_t mode)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "mkdir", path);
  cache_invalidate_with_parent (ml, path);
  if (guestfs_mkdir_mode (ml->g, path, (int) (mode & 07777)) == -1)
    return done (ml, "mkdir", path, last_error (ml));
  return done (ml, "mkdir", path, 0);
}

static int
op_unlink (const char *path)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "unlink", path);
  /* Other names of the same inode see their link count change. */
  cache_clear (ml);
  if (guestfs_rm (ml->g, path) == -1)
    return done (ml, "unlink", path, last_error (ml));
  return done (ml, "unlink", path, 0);
}

static int
op_rmdir (const char *path)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "rmdir", path);
  cache_invalidate_with_parent (ml, path);
  if (guestfs_rmdir (ml->g, path) == -1)
    return done (ml, "rmdir", path, last_error (ml));
  return done (ml, "rmdir", path, 0);
}

static int
op_symlink (const char *target, const char *linkpath)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "symlink", linkpath);
  cache_invalidate_with_parent (ml, linkpath);
  if (guestfs_ln_s (ml->g, target, linkpath) == -1)
    return done (ml, "symlink", linkpath, last_error (ml));
  return done (ml, "symlink", linkpath, 0);
}

static int
op_rename (const char *from, const char *to, unsigned int flags)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "rename", from);
  /* Everything under a renamed directory moves: forget it all. */
  cache_clear (ml);
#ifdef RENAME_NOREPLACE
  if (flags & RENAME_NOREPLACE) {
    struct guestfs_statns *s = guestfs_lstatns (ml->g, to);
    if (s) {
      guestfs_free_statns (s);
      return done (ml, "rename", from, -EEXIST);
    }
    if (guestfs_last_errno (ml->g) != ENOENT)
      return done (ml, "rename", from, last_error (ml));
    flags &= ~(unsigned) RENAME_NOREPLACE;
  }
#endif
  if (flags)
    return done (ml, "rename", from, -EINVAL);
  if (guestfs_rename (ml->g, from, to) == -1)
    return done (ml, "rename", from, last_error (ml));
  return done (ml, "rename", from, 0);
}

static int
op_link (const char *from, const char *to)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "link", to);
  cache_invalidate (ml, from);
  cache_invalidate_with_parent (ml, to);
  if (guestfs_ln (ml->g, from, to) == -1)
    return done (ml, "link", to, last_error (ml));
  /* The kernel knows the two names as two inodes: tell it that the old
   * one's link count has changed. */
  fuse_invalidate_path (ml->fuse, from);
  return done (ml, "link", to, 0);
}

static int
op_chmod (const char *path, mode_t mode, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "chmod", path);
  cache_invalidate (ml, path);
  if (guestfs_chmod (ml->g, (int) (mode & 07777), path) == -1)
    return done (ml, "chmod", path, last_error (ml));
  return done (ml, "chmod", path, 0);
}

static int
op_chown (const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "chown", path);
  cache_invalidate (ml, path);
  /* (uid_t) -1 means "unchanged" and stays -1 as an int. */
  if (guestfs_lchown (ml->g, (int) uid, (int) gid, path) == -1)
    return done (ml, "chown", path, last_error (ml));
  return done (ml, "chown", path, 0);
}

static int
op_truncate (const char *path, off_t size, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "truncate", path);
  cache_invalidate (ml, path);
  if (guestfs_truncate_size (ml->g, path, (int64_t) size) == -1)
    return done (ml, "truncate", path, last_error (ml));
  return done (ml, "truncate", path, 0);
}

static int64_t
nsec_arg (long nsec)
{
  if (nsec == UTIME_NOW)
    return -1;
  if (nsec == UTIME_OMIT)
    return -2;
  return nsec;
}

static int
op_utimens (const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "utimens", path);
  cache_invalidate (ml, path);
  int64_t as = 0, an = -1, ms = 0, mn = -1;     /* NULL tv: both now */
  if (tv) {
    as = tv[0].tv_sec; an = nsec_arg (tv[0].tv_nsec);
    ms = tv[1].tv_sec; mn = nsec_arg (tv[1].tv_nsec);
  }
  if (guestfs_utimens (ml->g, path, as, an, ms, mn) == -1)
    return done (ml, "utimens", path, last_error (ml));
  return done (ml, "utimens", path, 0);
}

static int
op_open (const char *path, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
    CHECK_WRITABLE (ml, "open", path);
    cache_invalidate (ml, path);
  }
  if ((fi->flags & O_TRUNC) &&
      guestfs_truncate_size (ml->g, path, 0) == -1)
    return done (ml, "open", path, last_error (ml));
  return done (ml, "open", path, 0);
}

static int
op_read (const char *path, char *buf, size_t size, off_t offset,
         struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  size_t got = 0;
  /* FUSE expects a full buffer except at the end of the file. */
  while (got < size) {
    size_t want = size - got;
    if (want > 1024 * 1024)
      want = 1024 * 1024;
    size_t n = 0;
    char *r = guestfs_pread (ml->g, path, (int) want, (int64_t) offset + (int64_t) got, &n);
    if (!r)
      return done (ml, "read", path, got > 0 ? (int) got : last_error (ml));
    if (n > want)
      n = want;
    memcpy (buf + got, r, n);
    free (r);
    got += n;
    if (n == 0)
      break;
  }
  return done (ml, "read", path, (int) got);
}

static int
op_write (const char *path, const char *buf, size_t size, off_t offset,
          struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "write", path);
  cache_invalidate (ml, path);
  size_t put = 0;
  while (put < size) {
    size_t chunk = size - put;
    if (chunk > 1024 * 1024)
      chunk = 1024 * 1024;
    int n = guestfs_pwrite (ml->g, path, buf + put, chunk, (int64_t) offset + (int64_t) put);
    if (n == -1)
      return done (ml, "write", path, put > 0 ? (int) put : last_error (ml));
    if (n == 0)
      break;
    put += (size_t) n;
  }
  return done (ml, "write", path, (int) put);
}

static int
op_statfs (const char *path, struct statvfs *sv)
{
  struct mount_local *ml = state ();
  struct guestfs_statvfs *s = guestfs_statvfs (ml->g, "/");
  if (!s)
    return done (ml, "statfs", path, last_error (ml));
  memset (sv, 0, sizeof *sv);
  sv->f_bsize = (unsigned long) s->bsize;
  sv->f_frsize = (unsigned long) s->frsize;
  sv->f_blocks = (fsblkcnt_t) s->blocks;
  sv->f_bfree = (fsblkcnt_t) s->bfree;
  sv->f_bavail = (fsblkcnt_t) s->bavail;
  sv->f_files = (fsfilcnt_t) s->files;
  sv->f_ffree = (fsfilcnt_t) s->ffree;
  sv->f_favail = (fsfilcnt_t) s->favail;
  sv->f_fsid = (unsigned long) s->fsid;
  sv->f_flag = (unsigned long) s->flag;
  sv->f_namemax = (unsigned long) s->namemax;
  guestfs_free_statvfs (s);
  return done (ml, "statfs", path, 0);
}

static int
op_release (const char *path, struct fuse_file_info *fi)
{
  return 0;
}

static int
op_fsync (const char *path, int datasync, struct fuse_file_info *fi)
{
  struct mount_local *ml = state ();
  if (ml->readonly)
    return done (ml, "fsync", path, 0);
  if (guestfs_sync (ml->g) == -1)
    return done (ml, "fsync", path, last_error (ml));
  return done (ml, "fsync", path, 0);
}

static int
op_getxattr (const char *path, const char *name, char *value, size_t size)
{
  struct mount_local *ml = state ();
  struct centry *e = cache_find (ml, path);
  char *owned = NULL;
  const char *v = NULL;
  size_t len = 0;
  if (e && e->have_xattrs) {
    size_t i;
    for (i = 0; i < e->nr_xattrs; i++)
      if (strcmp (e->xattrs[i].name, name) == 0)
        break;
    if (i == e->nr_xattrs)
      return done (ml, "getxattr", path, -ENODATA);
    v = e->xattrs[i].value;
    len = e->xattrs[i].len;
  }
  else {
    owned = guestfs_lgetxattr (ml->g, path, name, &len);
    if (!owned)
      return done (ml, "getxattr", path, last_error (ml));
    v = owned;
  }
  int r;
  if (len > INT_MAX)
    r = -E2BIG;
  else if (size == 0)
    r = (int) len;
  else if (len > size)
    r = -ERANGE;
  else {
    memcpy (value, v, len);
    r = (int) len;
  }
  free (owned);
  return done (ml, "getxattr", path, r);
}

static int
op_listxattr (const char *path, char *list, size_t size)
{
  struct mount_local *ml = state ();
  struct centry *e = cache_find (ml, path);
  struct guestfs_xattr_list *l = NULL;
  size_t n;
  if (e && e->have_xattrs)
    n = e->nr_xattrs;
  else {
    l = guestfs_lgetxattrs (ml->g, path);
    if (!l)
      return done (ml, "listxattr", path, last_error (ml));
    n = l->len;
  }
  size_t need = 0;
  for (size_t i = 0; i < n; i++)
    need += strlen (l ? l->val[i].attrname : e->xattrs[i].name) + 1;
  int r;
  if (need > INT_MAX)
    r = -E2BIG;
  else if (size == 0)
    r = (int) need;
  else if (need > size)
    r = -ERANGE;
  else {
    char *p = list;
    for (size_t i = 0; i < n; i++) {
      const char *nm = l ? l->val[i].attrname : e->xattrs[i].name;
      size_t k = strlen (nm) + 1;
      memcpy (p, nm, k);
      p += k;
    }
    r = (int) need;
  }
  if (l)
    guestfs_free_xattr_list (l);
  return done (ml, "listxattr", path, r);
}

static int
op_setxattr (const char *path, const char *name, const char *value,
             size_t size, int flags)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "setxattr", path);
  cache_invalidate (ml, path);
  /* The value travels as a string: it may end with a NUL, not hold one. */
  if (size > INT_MAX || (size > 0 && memchr (value, 0, size - 1)))
    return done (ml, "setxattr", path, -EINVAL);
  if (flags & (XATTR_CREATE | XATTR_REPLACE)) {
    size_t len;
    char *old = guestfs_lgetxattr (ml->g, path, name, &len);
    int err = old ? 0 : guestfs_last_errno (ml->g);
    free (old);
    if (old == NULL && err != ENODATA)
      return done (ml, "setxattr", path, last_error (ml));
    if ((flags & XATTR_CREATE) && old)
      return done (ml, "setxattr", path, -EEXIST);
    if ((flags & XATTR_REPLACE) && !old)
      return done (ml, "setxattr", path, -ENODATA);
  }
  char *v = malloc (size + 1);
  if (!v)
    return done (ml, "setxattr", path, -ENOMEM);
  memcpy (v, value, size);
  v[size] = '\0';
  int r = guestfs_lsetxattr (ml->g, name, v, (int) size, path);
  free (v);
  if (r == -1)
    return done (ml, "setxattr", path, last_error (ml));
  return done (ml, "setxattr", path, 0);
}

static int
op_removexattr (const char *path, const char *name)
{
  struct mount_local *ml = state ();
  CHECK_WRITABLE (ml, "removexattr", path);
  cache_invalidate (ml, path);
  if (guestfs_lremovexattr (ml->g, name, path) == -1)
    return done (ml, "removexattr", path, last_error (ml));
  return done (ml, "removexattr", path, 0);
}

static const struct fuse_operations operations = {
  .init = op_init,
  .getattr = op_getattr,
  .access = op_access,
  .readlink = op_readlink,
  .readdir = op_readdir,
  .mknod = op_mknod,
  .create = op_create,
  .mkdir = op_mkdir,
  .unlink = op_unlink,
  .rmdir = op_rmdir,
  .symlink = op_symlink,
  .rename = op_rename,
  .link = op_link,
  .chmod = op_chmod,
  .chown = op_chown,
  .truncate = op_truncate,
  .utimens = op_utimens,
  .open = op_open,
  .read = op_read,
  .write = op_write,
  .statfs = op_statfs,
  .release = op_release,
  .fsync = op_fsync,
  .setxattr = op_setxattr,
  .getxattr = op_getxattr,
  .listxattr = op_listxattr,
  .removexattr = op_removexattr,
};

/* ---- the actions ---- */

static void
free_state (struct mount_local *ml)
{
  if (ml->fuse) {
    if (ml->mounted)
      fuse_unmount (ml->fuse);
    fuse_destroy (ml->fuse);
  }
  cache_clear (ml);
  free (ml->mountpoint);
  free (ml);
}

static void
release_state (guestfs_h *g, struct mount_local *ml)
{
  guestfs_set_private (g, PRIVATE_KEY, NULL);
  if (ml->close_event >= 0)
    guestfs_delete_event_callback (g, ml->close_event);
  free_state (ml);
}

static void
on_close (guestfs_h *g, void *opaque, uint64_t event, int event_handle,
          int flags, const char *buf, size_t buf_len,
          const uint64_t *array, size_t array_len)
{
  struct mount_local *ml = opaque;
  if (ml->running)
    return;                   /* the loop's thread still uses it */
  guestfs_set_private (g, PRIVATE_KEY, NULL);
  free_state (ml);
}

/* Whether the comma-separated OPTIONS hold NAME as a whole option. */
static bool
has_option (const char *options, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = options; p; p = strchr (p, ',')) {
    if (*p == ',')
      p++;
    if (strncmp (p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return true;
  }
  return false;
}

int
guestfs_impl_mount_local (guestfs_h *g, const char *localmountpoint,
                          const struct guestfs_mount_local_argv *o)
{
  if (get_state (g)) {
    error (g, "mount_local: a filesystem is already mounted on %s",
           get_state (g)->mountpoint);
    return -1;
  }
  if (g->state != READY) {
    error (g, "mount_local: call launch (and mount the guest filesystems) first");
    return -1;
  }
  struct stat st;
  if (stat (localmountpoint, &st) == -1) {
    guestfs_int_perrorf (g, "mount_local: %s", localmountpoint);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    guestfs_int_error_errno (g, ENOTDIR, "mount_local: %s: not a directory",
                             localmountpoint);
    return -1;
  }
  if (access ("/dev/fuse", R_OK | W_OK) == -1) {
    guestfs_int_perrorf (g, "mount_local: /dev/fuse (is the fuse module loaded "
                         "and may this user open it?)");
    return -1;
  }
  int timeout = 60;
  if (o->bitmask & GUESTFS_MOUNT_LOCAL_CACHETIMEOUT_BITMASK) {
    if (o->cachetimeout < 0) {
      guestfs_int_error_errno (g, EINVAL, "mount_local: cachetimeout must not be negative");
      return -1;
    }
    timeout = o->cachetimeout;
  }
  const char *options = (o->bitmask & GUESTFS_MOUNT_LOCAL_OPTIONS_BITMASK) ? o->options : NULL;
  if (options && options[0] == '\0')
    options = NULL;

  struct mount_local *ml = calloc (1, sizeof *ml);
  /* Absolute, so that umount_local works whatever the current directory
   * is by then (guestmount changes to / when it goes into the background). */
  if (!ml || !(ml->mountpoint = realpath (localmountpoint, NULL))) {
    guestfs_int_perrorf (g, "mount_local: %s", localmountpoint);
    free (ml);
    return -1;
  }
  ml->g = g;
  ml->close_event = -1;
  ml->cachetimeout = timeout;
  ml->readonly = (o->bitmask & GUESTFS_MOUNT_LOCAL_READONLY_BITMASK) && o->readonly;
  ml->debugcalls = (o->bitmask & GUESTFS_MOUNT_LOCAL_DEBUGCALLS_BITMASK) && o->debugcalls;

  char *argv[10];
  int argc = 0;
  argv[argc++] = (char *) "guestfs";
  argv[argc++] = (char *) "-o";
  argv[argc++] = (char *) (ml->readonly ? "fsname=guestfs,subtype=guestfs,ro"
                           : "fsname=guestfs,subtype=guestfs");
  if (options) {
    argv[argc++] = (char *) "-o";
    argv[argc++] = (char *) options;
    /* With allow_other, other host users reach the guest's files: the
     * kernel must check the guest's owners and modes for them
     * (default_permissions), or any local user could read and write all. */
    if (has_option (options, "allow_other")) {
      argv[argc++] = (char *) "-o";
      argv[argc++] = (char *) "default_permissions";
    }
  }
  argv[argc] = NULL;
  struct fuse_args args = FUSE_ARGS_INIT (argc, argv);
  ml->fuse = fuse_new (&args, &operations, sizeof operations, ml);
  fuse_opt_free_args (&args);
  if (!ml->fuse) {
    guestfs_int_error_errno (g, EINVAL, "mount_local: FUSE did not accept the "
                             "options%s%s (see the message above)",
                             options ? " " : "", options ? options : "");
    free_state (ml);
    return -1;
  }
  if (fuse_mount (ml->fuse, localmountpoint) == -1) {
    error (g, "mount_local: %s: cannot mount the FUSE filesystem (see the "
           "message above)", localmountpoint);
    free_state (ml);
    return -1;
  }
  ml->mounted = true;
  ml->close_event = guestfs_set_event_callback (g, on_close, GUESTFS_EVENT_CLOSE, 0, ml);
  pthread_mutex_lock (&state_lock);
  guestfs_set_private (g, PRIVATE_KEY, ml);
  pthread_mutex_unlock (&state_lock);
  debug (g, "mount_local: %s mounted", localmountpoint);
  return 0;
}

int
guestfs_impl_mount_local_run (guestfs_h *g)
{
  struct mount_local *ml = get_state (g);
  if (!ml) {
    error (g, "mount_local_run: call mount_local first");
    return -1;
  }
  if (ml->running) {
    error (g, "mount_local_run: the loop is already running");
    return -1;
  }
  ml->running = true;

  /* Failed calls become errno values for the kernel; the usual error
   * messages on stderr (ENOENT for every lookup of a new name) would only
   * be noise.  debugcalls prints them. */
  guestfs_push_error_handler (g, NULL, NULL);
  /* The kernel has already applied the caller's umask to the modes it
   * sends; the daemon must not apply its own on top. */
  int old_umask = guestfs_umask (g, 0);

  int r = fuse_loop (ml->fuse);

  if (old_umask >= 0)
    guestfs_umask (g, old_umask);
  guestfs_pop_error_handler (g);
  ml->running = false;
  debug (g, "mount_local_run: the FUSE loop ended (%d)", r);
  pthread_mutex_lock (&state_lock);
  release_state (g, ml);
  pthread_mutex_unlock (&state_lock);
  if (r != 0) {
    guestfs_int_error_errno (g, r < 0 ? -r : EIO, "mount_local_run: the FUSE loop failed");
    return -1;
  }
  return 0;
}

/* fusermount3 -u MOUNTPOINT: the runner shared with guestunmount. */
static int
run_fusermount (const char *mountpoint, char *err, size_t errsize)
{
  return hatch_fusermount_unmount (mountpoint, err, errsize);
}

int
guestfs_impl_umount_local (guestfs_h *g, const struct guestfs_umount_local_argv *o)
{
  pthread_mutex_lock (&state_lock);
  struct mount_local *ml = get_state (g);
  if (!ml || !ml->mounted) {
    pthread_mutex_unlock (&state_lock);
    error (g, "umount_local: no filesystem is mounted with mount_local");
    return -1;
  }
  /* Once fusermount has run, a running loop ends and frees the state at
   * any moment: work on copies. */
  bool running = ml->running;
  char *mountpoint = strdup (ml->mountpoint);
  pthread_mutex_unlock (&state_lock);
  if (!mountpoint) {
    guestfs_int_perrorf (g, "strdup");
    return -1;
  }
  bool retry = (o->bitmask & GUESTFS_UMOUNT_LOCAL_RETRY_BITMASK) && o->retry;
  char err[1024];
  int tries = retry ? 1 + UMOUNT_RETRIES : 1;
  int status = -1;
  for (int i = 0; i < tries; i++) {
    if (i > 0)
      sleep (1);
    status = run_fusermount (mountpoint, err, sizeof err);
    if (status == 0)
      break;
  }
  if (status != 0) {
    if (status == -1 && err[0] == '\0')
      guestfs_int_perrorf (g, "umount_local: fusermount3");
    else
      error (g, "umount_local: fusermount3 -u %s failed: %s", mountpoint,
             err[0] ? err : "(no message)");
    free (mountpoint);
    return -1;
  }
  free (mountpoint);
  /* The kernel has dropped the mount; the loop (if running) sees that and
   * returns.  Without a running loop, tear down now. */
  if (!running) {
    pthread_mutex_lock (&state_lock);
    ml = get_state (g);
    if (ml && !ml->running) {
      ml->mounted = false;
      release_state (g, ml);
    }
    pthread_mutex_unlock (&state_lock);
  }
  return 0;
}

#else /* !HAVE_FUSE */

int
guestfs_impl_mount_local (guestfs_h *g, const char *localmountpoint,
                          const struct guestfs_mount_local_argv *o)
{
  guestfs_int_error_errno (g, ENOTSUP, "mount_local: this library was built "
                           "without FUSE support (libfuse3)");
  return -1;
}

int
guestfs_impl_mount_local_run (guestfs_h *g)
{
  guestfs_int_error_errno (g, ENOTSUP, "mount_local_run: this library was "
                           "built without FUSE support (libfuse3)");
  return -1;
}

int
guestfs_impl_umount_local (guestfs_h *g, const struct guestfs_umount_local_argv *o)
{
  guestfs_int_error_errno (g, ENOTSUP, "umount_local: this library was built "
                           "without FUSE support (libfuse3)");
  return -1;
}

#endif
