/* tar_in's extraction: libarchive reads the archive, our code writes it,
 * member by member, with every path resolved inside the guest.
 *
 * Why not GNU tar: tar opens paths itself, so a guest symlink met during
 * extraction is followed by the kernel from the appliance's root, not the
 * guest's.  Here every directory a member goes into is opened with
 * sysroot_open (openat2 RESOLVE_IN_ROOT from /sysroot), and the member
 * itself is created by a *at() call on its own last name in that
 * directory, never through a path.  So:
 *
 *  - a member name is relative to the target directory: leading "/" are
 *    dropped, "." components ignored, and a name with a ".." component is
 *    refused (the member is skipped and the call fails at the end);
 *  - a symlink already in the guest (absolute, relative, chains) resolves
 *    inside the guest, as the guest itself would see it;
 *  - a symlink in the archive is created last: until the end of the
 *    archive its place holds an empty regular file, so a later member
 *    "link/x" cannot be written through it (ENOTDIR), whatever it names;
 *  - a hard link's target is resolved the same way as a member name
 *    (inside the target directory, no ".."), and linked by descriptor;
 *  - an existing non-directory at a member's place is removed first and
 *    the member created afresh (O_EXCL|O_NOFOLLOW): nothing is ever
 *    written through an existing symlink, device node or hard link;
 *  - device nodes and FIFOs are created (a restored root filesystem needs
 *    them) but guest mounts are nodev, so they never reach a device here.
 *
 * Directory modes and times are set after all members (a directory
 * archived read-only must still receive its files).  Runs in a child of
 * the daemon (tar_extract_child), so a fault in libarchive on a broken
 * archive ends that child, not the daemon.  */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon.h"
#include "lazylib.h"

#define ARCHIVE_FUNCTIONS(X) \
  X (archive_entry_acl_count) \
  X (archive_entry_acl_to_text) \
  X (archive_entry_atime) \
  X (archive_entry_atime_is_set) \
  X (archive_entry_atime_nsec) \
  X (archive_entry_filetype) \
  X (archive_entry_gid) \
  X (archive_entry_hardlink) \
  X (archive_entry_mtime) \
  X (archive_entry_mtime_nsec) \
  X (archive_entry_pathname) \
  X (archive_entry_perm) \
  X (archive_entry_rdev) \
  X (archive_entry_size) \
  X (archive_entry_symlink) \
  X (archive_entry_uid) \
  X (archive_entry_xattr_next) \
  X (archive_entry_xattr_reset) \
  X (archive_error_string) \
  X (archive_read_data_block) \
  X (archive_read_free) \
  X (archive_read_new) \
  X (archive_read_next_header) \
  X (archive_read_open_fd) \
  X (archive_read_support_filter_all) \
  X (archive_read_support_format_empty) \
  X (archive_read_support_format_gnutar) \
  X (archive_read_support_format_tar)
LAZY_LIBRARY (HATCH_LIBARCHIVE_SONAME, ARCHIVE_FUNCTIONS)

struct deferred_dir {
  char *path;                   /* guest path */
  mode_t mode;
  struct timespec times[2];
};

struct deferred_link {
  char *path;                   /* guest path of the placeholder */
  char *target;                 /* the symlink's contents */
  char *member;                 /* normalized member name (for hard links to it) */
  dev_t dev;
  ino_t ino;
  uid_t uid;
  gid_t gid;
  struct timespec times[2];
};

struct extract {
  const char *directory;        /* the guest target directory */
  int flags;                    /* TAR_EXTRACT_* */
  int failures;
  struct deferred_dir *dirs;
  size_t ndirs, adirs;
  struct deferred_link *links;
  size_t nlinks, alinks;
  /* The directory the last member went into: archives list a
   * directory's members together, so it is resolved once for all of
   * them (a directory, once resolved, stays the same one: nothing here
   * removes or replaces a directory). */
  char *parent;                 /* relative to directory; NULL: none yet */
  int parent_fd;                /* O_PATH */
  bool parent_setgid;           /* new files there take its group */
};

static void __attribute__((format (printf, 2, 3)))
member_error (struct extract *x, const char *fmt, ...)
{
  int e = errno;                /* for %m */
  va_list ap;
  va_start (ap, fmt);
  fputs ("tar_in: ", stderr);
  errno = e;
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  x->failures++;
}

/* Normalize a member (or hard link target) name: drop leading "/",
 * empty and "." components.  NULL (errno EPERM) if a ".." component is
 * present.  "" names the target directory itself.  */
static char *
normalize_name (const char *name)
{
  size_t len = strlen (name);
  char *out = malloc (len + 1);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  const char *p = name;
  while (*p) {
    while (*p == '/')
      p++;
    const char *e = p;
    while (*e && *e != '/')
      e++;
    size_t n = (size_t) (e - p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      free (out);
      errno = EPERM;
      return NULL;
    }
    if (n > 0 && !(n == 1 && p[0] == '.')) {
      if (o > 0)
        out[o++] = '/';
      memcpy (out + o, p, n);
      o += n;
    }
    p = e;
  }
  out[o] = '\0';
  return out;
}

static char *
guest_join (const char *dir, const char *rel)
{
  char *p;
  if (asprintf (&p, "%s%s%s", dir, *rel && dir[strlen (dir) - 1] != '/' ? "/" : "", rel) == -1)
    return NULL;
  return p;
}

/* Open (O_PATH) the directory at guest path DIR + "/" + PARENT (PARENT
 * relative, no ".."), creating missing components as directories.  */
static int
open_parent_dir (struct extract *x, const char *parent)
{
  char *full = guest_join (x->directory, parent);
  if (full == NULL)
    return -1;
  int fd = sysroot_open (full, O_PATH | O_DIRECTORY, 0);
  free (full);
  if (fd >= 0 || errno != ENOENT)
    return fd;
  /* Create what is missing, one component at a time; each step opens
   * the new directory by its own name in the previous one.  */
  fd = sysroot_open (x->directory, O_PATH | O_DIRECTORY, 0);
  const char *p = parent;
  while (fd >= 0 && *p) {
    const char *e = strchr (p, '/');
    size_t n = e ? (size_t) (e - p) : strlen (p);
    char comp[NAME_MAX + 1];
    if (n > NAME_MAX) {
      close (fd);
      errno = ENAMETOOLONG;
      return -1;
    }
    memcpy (comp, p, n);
    comp[n] = '\0';
    if (mkdirat (fd, comp, 0755) == -1 && errno != EEXIST) {
      int e2 = errno;
      close (fd);
      errno = e2;
      return -1;
    }
    /* Existing component: resolve prefix so far inside the guest (it may
     * be a guest symlink to a directory). */
    size_t plen = (size_t) ((e ? e : p + n) - parent);
    char *prefix = strndup (parent, plen);
    char *g = prefix ? guest_join (x->directory, prefix) : NULL;
    free (prefix);
    int nfd = g ? sysroot_open (g, O_PATH | O_DIRECTORY, 0) : -1;
    int e2 = errno;
    free (g);
    close (fd);
    fd = nfd;
    errno = e2;
    p = e ? e + 1 : p + n;
  }
  return fd;
}

/* Make room for a new non-directory BASE in DFD: remove what is there
 * unless it is a directory.  */
static void
clear_place (int dfd, const char *base)
{
  struct stat st;
  if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (st.st_mode))
    unlinkat (dfd, base, 0);
}

static void
set_xattrs_fd (struct extract *x, const char *member, int fd, struct archive_entry *e)
{
  if (!(x->flags & (TAR_EXTRACT_XATTRS | TAR_EXTRACT_SELINUX)))
    return;
  const char *name;
  const void *value;
  size_t size;
  lib.archive_entry_xattr_reset (e);
  while (lib.archive_entry_xattr_next (e, &name, &value, &size) == ARCHIVE_OK) {
    bool selinux = strcmp (name, "security.selinux") == 0;
    if (selinux ? !(x->flags & TAR_EXTRACT_SELINUX) : !(x->flags & TAR_EXTRACT_XATTRS))
      continue;
    if (fsetxattr (fd, name, value, size, 0) == -1)
      member_error (x, "%s: setting extended attribute %s: %m", member, name);
  }
}

static void
set_acls_fd (struct extract *x, const char *member, int fd, struct archive_entry *e,
             bool dir)
{
  if (!(x->flags & TAR_EXTRACT_ACLS))
    return;
  static const struct { int ae; acl_type_t t; } kinds[] = {
    { ARCHIVE_ENTRY_ACL_TYPE_ACCESS, ACL_TYPE_ACCESS },
    { ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, ACL_TYPE_DEFAULT },
  };
  for (size_t i = 0; i < 2; i++) {
    if (kinds[i].t == ACL_TYPE_DEFAULT && !dir)
      continue;
    if (lib.archive_entry_acl_count (e, kinds[i].ae) <= 0)
      continue;
    char *text = lib.archive_entry_acl_to_text (e, NULL, kinds[i].ae);
    acl_t acl = text ? acl_from_text (text) : NULL;
    int r = -1;
    if (acl) {
      if (kinds[i].t == ACL_TYPE_ACCESS)
        r = acl_set_fd (fd, acl);
      else {
        char *p = fd_path (fd);
        r = p ? acl_set_file (p, ACL_TYPE_DEFAULT, acl) : -1;
        free (p);
      }
      acl_free (acl);
    }
    if (r == -1)
      member_error (x, "%s: setting ACL: %m", member);
    free (text);
  }
}

static void
entry_times (struct archive_entry *e, struct timespec t[2])
{
  t[0].tv_sec = lib.archive_entry_atime_is_set (e) ? lib.archive_entry_atime (e) : lib.archive_entry_mtime (e);
  t[0].tv_nsec = lib.archive_entry_atime_is_set (e) ? lib.archive_entry_atime_nsec (e) : lib.archive_entry_mtime_nsec (e);
  t[1].tv_sec = lib.archive_entry_mtime (e);
  t[1].tv_nsec = lib.archive_entry_mtime_nsec (e);
}

/* The data of a regular file member into FD (holes stay holes). */
static int
write_data (struct archive *a, int fd, int64_t size)
{
  const void *buf;
  size_t len;
  la_int64_t off;
  int64_t end = 0;
  int r;
  while ((r = lib.archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK) {
    if (len > 0 && off + (int64_t) len > end)
      end = off + (int64_t) len;
    const char *p = buf;
    while (len > 0) {
      ssize_t w = pwrite (fd, p, len, (off_t) off);
      if (w == -1) {
        if (errno == EINTR)
          continue;
        return -1;
      }
      p += w;
      off += w;
      len -= (size_t) w;
    }
  }
  if (r != ARCHIVE_EOF) {
    errno = EIO;
    return -1;
  }
  /* A new file ends where its last data did; only a trailing hole needs
   * the size set. */
  return end == size ? 0 : ftruncate (fd, (off_t) size);
}

/* The O_PATH descriptor of directory PARENT (see open_parent_dir), kept
 * for the next members; -1 with errno on failure.  Not to be closed by
 * the caller. */
static int
parent_dir (struct extract *x, const char *parent)
{
  if (x->parent && strcmp (x->parent, parent) == 0)
    return x->parent_fd;
  if (x->parent) {
    close (x->parent_fd);
    free (x->parent);
    x->parent = NULL;
  }
  int fd = open_parent_dir (x, parent);
  if (fd == -1)
    return -1;
  x->parent = strdup (parent);
  if (x->parent == NULL) {
    close (fd);
    errno = ENOMEM;
    return -1;
  }
  struct stat st;
  x->parent_setgid = fstat (fd, &st) == -1 || (st.st_mode & S_ISGID);
  x->parent_fd = fd;
  return fd;
}

static void
add_dir (struct extract *x, const char *path, struct archive_entry *e)
{
  if (x->ndirs == x->adirs) {
    size_t na = x->adirs ? x->adirs * 2 : 64;
    struct deferred_dir *nd = realloc (x->dirs, na * sizeof *nd);
    if (nd == NULL)
      return;
    x->dirs = nd;
    x->adirs = na;
  }
  struct deferred_dir *d = &x->dirs[x->ndirs];
  d->path = strdup (path);
  if (d->path == NULL)
    return;
  d->mode = lib.archive_entry_perm (e);
  entry_times (e, d->times);
  x->ndirs++;
}

static void
add_link (struct extract *x, const char *path, const char *member, const char *target,
          int dfd, const char *base, struct archive_entry *e)
{
  struct stat st;
  if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1)
    return;
  if (x->nlinks == x->alinks) {
    size_t na = x->alinks ? x->alinks * 2 : 64;
    struct deferred_link *nl = realloc (x->links, na * sizeof *nl);
    if (nl == NULL)
      return;
    x->links = nl;
    x->alinks = na;
  }
  struct deferred_link *l = &x->links[x->nlinks];
  l->path = strdup (path);
  l->target = strdup (target);
  l->member = strdup (member);
  if (!l->path || !l->target || !l->member) {
    free (l->path); free (l->target); free (l->member);
    return;
  }
  l->dev = st.st_dev;
  l->ino = st.st_ino;
  l->uid = (uid_t) lib.archive_entry_uid (e);
  l->gid = (gid_t) lib.archive_entry_gid (e);
  entry_times (e, l->times);
  x->nlinks++;
}

/* A placeholder where an archive symlink goes (see the top comment). */
static int
make_placeholder (int dfd, const char *base)
{
  clear_place (dfd, base);
  int fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd == -1)
    return -1;
  close (fd);
  return 0;
}

static void
extract_member (struct extract *x, struct archive *a, struct archive_entry *e)
{
  const char *raw = lib.archive_entry_pathname (e);
  if (raw == NULL) {
    member_error (x, "a member without a name");
    return;
  }
  char *member = normalize_name (raw);
  if (member == NULL) {
    member_error (x, "%s: member name contains \"..\": not extracted", raw);
    return;
  }
  char *path = guest_join (x->directory, member);
  char *slash = strrchr (member, '/');
  char *parent = slash ? strndup (member, (size_t) (slash - member)) : strdup ("");
  const char *base = slash ? slash + 1 : member;
  mode_t type = lib.archive_entry_filetype (e);
  const char *hardlink = lib.archive_entry_hardlink (e);
  int dfd = -1;

  if (!path || !parent)
    goto out;
  if (*member == '\0') {                  /* "./": the target directory itself */
    if (type == AE_IFDIR)
      add_dir (x, x->directory, e);
    goto out;
  }
  dfd = parent_dir (x, parent);
  if (dfd == -1) {
    member_error (x, "%s: %s%s%m", raw, *parent ? parent : "", *parent ? ": " : "");
    goto out;
  }
  uid_t uid = (uid_t) lib.archive_entry_uid (e);
  gid_t gid = (gid_t) lib.archive_entry_gid (e);
  struct timespec times[2];
  entry_times (e, times);

  if (hardlink) {
    char *t = normalize_name (hardlink);
    if (t == NULL || *t == '\0') {
      member_error (x, "%s: hard link to \"%s\" outside the target directory: not extracted",
                    raw, hardlink);
      free (t);
      goto out;
    }
    /* A hard link to an archive symlink: one more deferred symlink. */
    for (size_t i = 0; i < x->nlinks; i++)
      if (strcmp (x->links[i].member, t) == 0) {
        if (make_placeholder (dfd, base) == -1)
          member_error (x, "%s: %m", raw);
        else
          add_link (x, path, member, x->links[i].target, dfd, base, e);
        free (t);
        goto out;
      }
    char *tp = guest_join (x->directory, t);
    free (t);
    int tfd = tp ? sysroot_open (tp, O_PATH | O_NOFOLLOW, 0) : -1;
    free (tp);
    if (tfd == -1) {
      member_error (x, "%s: hard link target %s: %m", raw, hardlink);
      goto out;
    }
    clear_place (dfd, base);
    if (linkat (tfd, "", dfd, base, AT_EMPTY_PATH) == -1)
      member_error (x, "%s: hard link to %s: %m", raw, hardlink);
    close (tfd);
    goto out;
  }

  switch (type) {
  case AE_IFDIR: {
    struct stat st;
    if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (st.st_mode))
      unlinkat (dfd, base, 0);
    if (mkdirat (dfd, base, 0700) == -1 && errno != EEXIST) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    int fd = openat (dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    if (fchown (fd, uid, gid) == -1)
      member_error (x, "%s: chown: %m", raw);
    set_xattrs_fd (x, raw, fd, e);
    set_acls_fd (x, raw, fd, e, true);
    close (fd);
    add_dir (x, path, e);
    break;
  }
  case AE_IFREG: {
    /* Small files are most of a big tree, and under emulation every
     * system call counts: the file is created with its final mode (the
     * umask is 0 here), and owner and mode are set again only when
     * creation cannot have given them. */
    mode_t perm = lib.archive_entry_perm (e);
    bool special = perm & (S_ISUID | S_ISGID);
    int fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     special ? 0600 : perm);
    if (fd == -1 && errno == EEXIST) {
      clear_place (dfd, base);
      fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   special ? 0600 : perm);
    }
    if (fd == -1) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    if (write_data (a, fd, lib.archive_entry_size (e)) == -1)
      member_error (x, "%s: writing: %s", raw,
                    errno == EIO ? lib.archive_error_string (a) ?: "read error" : strerror (errno));
    bool owned = uid == geteuid () && gid == getegid () && !x->parent_setgid;
    if (!owned && fchown (fd, uid, gid) == -1)
      member_error (x, "%s: chown: %m", raw);
    if ((special || !owned) && fchmod (fd, perm) == -1)   /* after chown: keeps setuid */
      member_error (x, "%s: chmod: %m", raw);
    set_xattrs_fd (x, raw, fd, e);
    set_acls_fd (x, raw, fd, e, false);
    if (futimens (fd, times) == -1)
      member_error (x, "%s: times: %m", raw);
    if (close (fd) == -1)
      member_error (x, "%s: %m", raw);
    break;
  }
  case AE_IFLNK: {
    const char *target = lib.archive_entry_symlink (e);
    if (target == NULL || make_placeholder (dfd, base) == -1) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    add_link (x, path, member, target, dfd, base, e);
    break;
  }
  case AE_IFCHR: case AE_IFBLK: case AE_IFIFO: {
    clear_place (dfd, base);
    mode_t m = type | lib.archive_entry_perm (e);
    if (mknodat (dfd, base, m, lib.archive_entry_rdev (e)) == -1) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    if (fchownat (dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) == -1 ||
        fchmodat (dfd, base, lib.archive_entry_perm (e), 0) == -1 ||
        utimensat (dfd, base, times, AT_SYMLINK_NOFOLLOW) == -1)
      member_error (x, "%s: %m", raw);
    break;
  }
  default:                                /* sockets: as tar, skipped */
    member_error (x, "%s: cannot extract this file type: skipped", raw);
    break;
  }
 out:
  free (path);
  free (parent);
  free (member);
}

/* After the last member: the deferred symlinks (each only if its
 * placeholder is still the one we made), then directory modes and times,
 * deepest first.  */
static void
finish (struct extract *x)
{
  for (size_t i = 0; i < x->nlinks; i++) {
    struct deferred_link *l = &x->links[i];
    char *base;
    int dfd = sysroot_open_parent (l->path, &base);
    if (dfd == -1)
      continue;
    struct stat st;
    if (fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode) &&
        st.st_dev == l->dev && st.st_ino == l->ino && st.st_size == 0) {
      if (unlinkat (dfd, base, 0) == -1 || symlinkat (l->target, dfd, base) == -1)
        member_error (x, "%s: symlink: %m", l->path);
      else {
        (void) fchownat (dfd, base, l->uid, l->gid, AT_SYMLINK_NOFOLLOW);
        (void) utimensat (dfd, base, l->times, AT_SYMLINK_NOFOLLOW);
      }
    }
    close (dfd);
    free (base);
  }
  for (size_t i = x->ndirs; i-- > 0; ) {
    struct deferred_dir *d = &x->dirs[i];
    int fd = sysroot_open (d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
    if (fd == -1)
      continue;
    if (fchmod (fd, d->mode) == -1 || futimens (fd, d->times) == -1)
      member_error (x, "%s: %m", d->path);
    close (fd);
  }
}

/* Open libarchive (replying with the error when it is missing): in the
 * daemon, before it forks the extracting child. */
int
tar_extract_prepare (void)
{
  return lib_load ();
}

int
tar_extract (int in_fd, const char *directory, int flags)
{
  struct extract x = { .directory = directory, .flags = flags };
  struct archive *a = lib.archive_read_new ();
  if (a == NULL) {
    fprintf (stderr, "tar_in: out of memory\n");
    return 2;
  }
  lib.archive_read_support_filter_all (a);
  lib.archive_read_support_format_tar (a);
  lib.archive_read_support_format_gnutar (a);
  lib.archive_read_support_format_empty (a);
  umask (0);
  int r = lib.archive_read_open_fd (a, in_fd, 1024 * 1024);
  struct archive_entry *e;
  while (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
    r = lib.archive_read_next_header (a, &e);
    if (r == ARCHIVE_WARN)
      fprintf (stderr, "tar_in: %s\n", lib.archive_error_string (a));
    if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
      extract_member (&x, a, e);
  }
  if (r != ARCHIVE_EOF) {
    fprintf (stderr, "tar_in: the archive is unreadable: %s\n",
             lib.archive_error_string (a) ?: "unknown error");
    x.failures++;
  }
  if (x.parent) {
    close (x.parent_fd);
    free (x.parent);
  }
  finish (&x);
  lib.archive_read_free (a);
  return x.failures ? 2 : 0;
}
