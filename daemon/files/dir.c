/* Directory actions: list, create, remove (recursively), copy, move.
 *
 * The guest tree is hostile.  Paths given by the caller are resolved with
 * sysroot_open / sysroot_open_parent (openat2 RESOLVE_IN_ROOT).  Recursive
 * walks (rm_rf, cp_a) then only ever use names read from a directory (one
 * component, never "." or "..") with *at() calls and O_NOFOLLOW on
 * directory fds, so a symlink met during a walk is handled as a link and
 * never followed.  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* ---- small helpers ---- */

/* Last component of a path, trailing slashes ignored (malloc'd). */
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

/* dest, or dest/basename(src) when dest is an existing directory (symlinks
 * followed, as cp and mv do).  */
static char *
target_path (const char *src, const char *dest)
{
  struct stat st;
  if (sysroot_stat (dest, &st, true) == 0 && S_ISDIR (st.st_mode)) {
    CLEANUP_FREE char *name = last_component (src);
    if (name == NULL)
      return NULL;
    if (*name == '\0' || strcmp (name, "/") == 0 || strcmp (name, ".") == 0 ||
        strcmp (name, "..") == 0)
      return strdup (dest);
    char *r;
    size_t dl = strlen (dest);
    if (asprintf (&r, "%s%s%s", dest, dl && dest[dl - 1] == '/' ? "" : "/",
                  name) == -1)
      return NULL;
    return r;
  }
  return strdup (dest);
}

/* The names in a directory fd, without . and .. (fd is not consumed).  */
static char **
read_names (int dirfd, size_t *n_r)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL) {
    int e = errno;
    close (fd);
    errno = e;
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  struct dirent *de;
  errno = 0;
  while ((de = readdir (d)) != NULL) {
    if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
      continue;
    if (add_string (&sb, de->d_name) == -1) {
      closedir (d);
      free_stringsbuf (&sb);
      errno = ENOMEM;
      return NULL;
    }
    errno = 0;
  }
  int e = errno;
  closedir (d);
  if (e != 0 || end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    errno = e ? e : ENOMEM;
    return NULL;
  }
  *n_r = sb.size - 1;
  return take_stringsbuf (&sb);
}

/* ---- ls, ll ---- */

char **
do_ls (const char *directory)
{
  CLEANUP_CLOSE int fd = sysroot_open (directory, O_RDONLY | O_DIRECTORY |
                                       O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", directory);
    return NULL;
  }
  size_t n;
  char **names = read_names (fd, &n);
  if (names == NULL) {
    reply_with_perror ("%s", directory);
    return NULL;
  }
  sort_strings (names, n);
  return names;
}

/* ls -la with numeric owners (flags "-lanH"), or with SELinux contexts
 * too (llz), of a guest directory or file. */
static char *
list_long (const char *directory, const char *flags)
{
  CLEANUP_CLOSE int fd = sysroot_open (directory, O_PATH | O_CLOEXEC, 0);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    reply_with_perror ("%s", directory);
    return NULL;
  }
  /* ls runs outside the guest, on the already resolved directory: the path
   * names this daemon's fd (valid in the child whatever its own fds), a
   * trailing slash makes ls list the directory's contents, and -H shows a
   * non-directory itself rather than the /proc link.  */
  CLEANUP_FREE char *p = NULL;
  if (asprintf (&p, "/proc/%ld/fd/%d%s", (long) getpid (), fd,
                S_ISDIR (st.st_mode) ? "/" : "") == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command (&out, &err, "ls", flags, "--", p, NULL);
  if (r != 0) {
    reply_with_error ("%s: %s", directory, err ? trim_newlines (err) : "ls failed");
    free (out);
    return NULL;
  }
  /* A non-directory is listed under its /proc name: show the guest path. */
  size_t pl = strlen (p), ol = strlen (out);
  if (!S_ISDIR (st.st_mode) && ol > pl && out[ol - 1] == '\n' &&
      memcmp (out + ol - 1 - pl, p, pl) == 0) {
    char *fixed;
    out[ol - pl - 1] = '\0';
    if (asprintf (&fixed, "%s%s\n", out, directory) == -1) {
      free (out);
      reply_with_perror ("asprintf");
      return NULL;
    }
    free (out);
    out = fixed;
  }
  return out;
}

char *
do_ll (const char *directory)
{
  return list_long (directory, "-lanH");
}

char *
do_llz (const char *directory)
{
  return list_long (directory, "-lanHZ");
}

/* ---- mkdir, mkdir_p, rmdir, rm_rf ---- */

int
do_mkdir (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 || mkdirat (dfd, base, 0777) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

int
do_mkdir_p (const char *path)
{
  /* Create each prefix in turn; each is resolved afresh inside the root. */
  CLEANUP_FREE char *buf = strdup (path);
  if (buf == NULL) {
    reply_with_perror ("strdup");
    return -1;
  }
  size_t len = strlen (buf);
  size_t i = 1;
  while (i <= len) {
    while (i < len && buf[i] == '/')
      i++;
    if (i >= len)
      break;
    size_t j = i;
    while (j < len && buf[j] != '/')
      j++;
    char saved = buf[j];
    buf[j] = '\0';
    const char *comp = buf + i;
    if (strcmp (comp, ".") != 0 && strcmp (comp, "..") != 0) {
      CLEANUP_FREE char *base = NULL;
      CLEANUP_CLOSE int dfd = sysroot_open_parent (buf, &base);
      if (dfd == -1) {
        reply_with_perror ("%s", buf);
        return -1;
      }
      if (mkdirat (dfd, base, 0777) == -1) {
        int e = errno;
        struct stat st;
        if (e != EEXIST) {
          reply_with_error_errno (e, "%s: %s", buf, strerror (e));
          return -1;
        }
        if (sysroot_stat (buf, &st, true) == -1 || !S_ISDIR (st.st_mode)) {
          reply_with_error_errno (ENOTDIR, "%s: exists but is not a directory", buf);
          return -1;
        }
      }
    }
    buf[j] = saved;
    i = j + 1;
  }
  return 0;
}

int
do_rmdir (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1 || unlinkat (dfd, base, AT_REMOVEDIR) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  return 0;
}

/* Remove name (in dirfd) and everything below it; symlinks are removed,
 * never followed.  Missing is fine.  Returns 0, or -1 with errno and the
 * failing name in *failed (malloc'd, relative to the top).  */
static int
remove_tree_at (int dirfd, const char *name, char **failed)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
    if (errno == ENOENT)
      return 0;
    goto fail;
  }
  if (S_ISDIR (st.st_mode)) {
    int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1)
      goto fail;
    size_t n;
    char **names = read_names (fd, &n);
    if (names == NULL) {
      int e = errno;
      close (fd);
      errno = e;
      goto fail;
    }
    for (size_t i = 0; i < n; i++) {
      if (remove_tree_at (fd, names[i], failed) == -1) {
        int e = errno;
        char *f = NULL;
        if (*failed && asprintf (&f, "%s/%s", name, *failed) != -1) {
          free (*failed);
          *failed = f;
        }
        free_strings (names);
        close (fd);
        errno = e;
        return -1;
      }
    }
    free_strings (names);
    close (fd);
    if (unlinkat (dirfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
      goto fail;
    return 0;
  }
  if (unlinkat (dirfd, name, 0) == -1 && errno != ENOENT)
    goto fail;
  return 0;

 fail:;
  int e = errno;
  free (*failed);
  *failed = strdup (name);
  errno = e;
  return -1;
}

int
do_rm_rf (const char *path)
{
  CLEANUP_FREE char *norm = last_component (path);
  if (norm && (*norm == '\0' || strcmp (norm, ".") == 0 ||
               strcmp (norm, "..") == 0)) {
    reply_with_error_errno (EINVAL, "%s: cannot remove the root directory "
                            "(or a path ending in . or ..)", path);
    return -1;
  }
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1) {
    if (errno == ENOENT || errno == ENOTDIR)
      return 0;              /* like rm -f: nothing to remove */
    reply_with_perror ("%s", path);
    return -1;
  }
  CLEANUP_FREE char *failed = NULL;
  if (remove_tree_at (dfd, base, &failed) == -1) {
    int e = errno;
    /* failed starts with base; show it under the parent of path. */
    reply_with_error_errno (e, "%s: %s: %s", path,
                            failed ? failed : base, strerror (e));
    return -1;
  }
  return 0;
}

/* ---- copying ---- */

/* Copy the data of one open file to another. */
static int
copy_data (int in, int out)
{
  bool use_cfr = true;
  for (;;) {
    if (use_cfr) {
      ssize_t r = copy_file_range (in, NULL, out, NULL, 1u << 30, 0);
      if (r > 0)
        continue;
      if (r == 0)
        return 0;
      if (errno == EINTR)
        continue;
      if (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
          errno == EOPNOTSUPP || errno == EBADF || errno == EPERM) {
        use_cfr = false;
        continue;
      }
      return -1;
    }
    static char buf[1 << 20];
    ssize_t r = read (in, buf, sizeof buf);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0)
      return 0;
    for (ssize_t done = 0; done < r; ) {
      ssize_t w = write (out, buf + done, (size_t) (r - done));
      if (w == -1) {
        if (errno == EINTR)
          continue;
        return -1;
      }
      done += w;
    }
  }
}

int
do_cp (const char *src, const char *dest)
{
  struct stat sst, dst;
  if (sysroot_stat (src, &sst, true) == 0 && S_ISDIR (sst.st_mode)) {
    reply_with_error_errno (EISDIR, "%s: is a directory (omitting it; use cp_a)", src);
    return -1;
  }
  CLEANUP_CLOSE int in = sysroot_open_data (src, O_RDONLY, 0);
  if (in == -1)
    return -1;
  if (fstat (in, &sst) == -1) {
    reply_with_perror ("%s", src);
    return -1;
  }
  CLEANUP_FREE char *dpath = target_path (src, dest);
  if (dpath == NULL) {
    reply_with_perror ("%s", dest);
    return -1;
  }
  /* Not O_TRUNC yet: src and dest may be the same file.  */
  CLEANUP_CLOSE int out = sysroot_open_data (dpath, O_WRONLY | O_CREAT,
                                             sst.st_mode & 0777);
  if (out == -1)
    return -1;
  if (fstat (out, &dst) == -1) {
    reply_with_perror ("%s", dpath);
    return -1;
  }
  if (sst.st_dev == dst.st_dev && sst.st_ino == dst.st_ino) {
    reply_with_error ("'%s' and '%s' are the same file", src, dpath);
    return -1;
  }
  if ((S_ISREG (dst.st_mode) && ftruncate (out, 0) == -1) ||
      copy_data (in, out) == -1) {
    reply_with_perror ("%s", dpath);
    return -1;
  }
  int fd = out;
  out = -1;
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", dpath);
    return -1;
  }
  return 0;
}

/* Copy extended attributes between two fds; failures are ignored, as
 * cp -a does (the target filesystem may not support them).  */
static void
copy_xattrs (int in, int out)
{
  ssize_t len = flistxattr (in, NULL, 0);
  if (len <= 0)
    return;
  CLEANUP_FREE char *list = malloc ((size_t) len);
  if (list == NULL)
    return;
  len = flistxattr (in, list, (size_t) len);
  if (len <= 0)
    return;
  for (char *k = list; k < list + len; k += strlen (k) + 1) {
    ssize_t vl = fgetxattr (in, k, NULL, 0);
    if (vl < 0)
      continue;
    CLEANUP_FREE char *v = malloc ((size_t) vl + 1);
    if (v == NULL)
      continue;
    vl = fgetxattr (in, k, v, (size_t) vl);
    if (vl < 0)
      continue;
    (void) fsetxattr (out, k, v, (size_t) vl, 0);
  }
}

struct copy_state {
  dev_t top_dev;      /* the directory created at the top of the copy */
  ino_t top_ino;
  bool have_top;
  bool plain;         /* cp_r: contents and links only; new entries get the
                         source's permission bits less the umask, no owner,
                         times or xattrs (as cp -r without -p) */
  char *failed;       /* name that failed (malloc'd) */
  /* cp_a keeps hard links inside the copied tree, as cp -a: each source
   * file with several links, by (dev, ino), and an O_PATH descriptor of
   * its first copy, which later links are made to. */
  struct copy_link { dev_t dev; ino_t ino; int fd; } *links;
  size_t nlinks;
};

/* At most this many multiply-linked files are remembered (one descriptor
 * each); beyond, further links become separate copies. */
#define COPY_MAX_LINKS 4096

static struct copy_link *
find_link (struct copy_state *cs, const struct stat *st)
{
  for (size_t i = 0; i < cs->nlinks; ++i)
    if (cs->links[i].dev == st->st_dev && cs->links[i].ino == st->st_ino)
      return &cs->links[i];
  return NULL;
}

static void
remember_link (struct copy_state *cs, const struct stat *st, int ddir, const char *dname)
{
  if (cs->nlinks >= COPY_MAX_LINKS)
    return;
  int fd = openat (ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd == -1)
    return;
  struct copy_link *n = realloc (cs->links, (cs->nlinks + 1) * sizeof *n);
  if (n == NULL) {
    close (fd);
    return;
  }
  cs->links = n;
  cs->links[cs->nlinks++] = (struct copy_link) { st->st_dev, st->st_ino, fd };
}

static void
free_links (struct copy_state *cs)
{
  for (size_t i = 0; i < cs->nlinks; ++i)
    close (cs->links[i].fd);
  free (cs->links);
}

static int
copy_fail (struct copy_state *cs, const char *name)
{
  int e = errno;
  if (cs->failed == NULL)
    cs->failed = strdup (name);
  errno = e;
  return -1;
}

static int copy_tree_at (int sdir, const char *sname, int ddir, const char *dname,
                         struct copy_state *cs);

/* Set owner, mode and times of an open copy (after the data: chown clears
 * set-id bits, writing changes mtime).  */
static int
copy_metadata (int fd, const struct stat *st, const struct copy_state *cs)
{
  if (cs->plain) {
    mode_t mask = umask (0);
    umask (mask);
    return fchmod (fd, st->st_mode & 0777 & ~mask);
  }
  if (fchown (fd, st->st_uid, st->st_gid) == -1)
    return -1;
  if (fchmod (fd, st->st_mode & 07777) == -1)
    return -1;
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  return futimens (fd, ts);
}

static int
copy_dir_at (int sdir, const char *sname, int ddir, const char *dname,
             const struct stat *st, struct copy_state *cs)
{
  if (cs->have_top && st->st_dev == cs->top_dev && st->st_ino == cs->top_ino) {
    errno = ELOOP;
    cs->failed = strdup ("cannot copy a directory into itself");
    return -1;
  }
  if (mkdirat (ddir, dname, 0700) == -1) {
    struct stat dst;
    if (errno != EEXIST)
      return copy_fail (cs, dname);
    if (fstatat (ddir, dname, &dst, AT_SYMLINK_NOFOLLOW) == -1)
      return copy_fail (cs, dname);
    if (!S_ISDIR (dst.st_mode)) {
      errno = ENOTDIR;
      return copy_fail (cs, dname);
    }
  }
  CLEANUP_CLOSE int sfd = openat (sdir, sname, O_RDONLY | O_DIRECTORY |
                                  O_NOFOLLOW | O_CLOEXEC);
  if (sfd == -1)
    return copy_fail (cs, sname);
  CLEANUP_CLOSE int dfd = openat (ddir, dname, O_RDONLY | O_DIRECTORY |
                                  O_NOFOLLOW | O_CLOEXEC);
  if (dfd == -1)
    return copy_fail (cs, dname);
  if (!cs->have_top) {
    struct stat dst;
    if (fstat (dfd, &dst) == -1)
      return copy_fail (cs, dname);
    cs->top_dev = dst.st_dev;
    cs->top_ino = dst.st_ino;
    cs->have_top = true;
  }
  size_t n;
  CLEANUP_FREE_STRINGS char **names = read_names (sfd, &n);
  if (names == NULL)
    return copy_fail (cs, sname);
  for (size_t i = 0; i < n; i++)
    if (copy_tree_at (sfd, names[i], dfd, names[i], cs) == -1)
      return -1;
  if (!cs->plain)
    copy_xattrs (sfd, dfd);
  if (copy_metadata (dfd, st, cs) == -1)
    return copy_fail (cs, dname);
  return 0;
}

static int
copy_file_at (int sdir, const char *sname, int ddir, const char *dname,
              const struct stat *st, struct copy_state *cs)
{
  struct copy_link *l = !cs->plain && st->st_nlink > 1 ? find_link (cs, st) : NULL;
  if (l) {
    /* Another name of a file already copied: link to the copy. */
    if (linkat (l->fd, "", ddir, dname, AT_EMPTY_PATH) == 0)
      return 0;
    if (errno != EEXIST || unlinkat (ddir, dname, 0) == -1 ||
        linkat (l->fd, "", ddir, dname, AT_EMPTY_PATH) == -1)
      return copy_fail (cs, dname);
    return 0;
  }
  CLEANUP_CLOSE int in = openat (sdir, sname, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
                                 O_NONBLOCK | O_CLOEXEC);
  if (in == -1)
    return copy_fail (cs, sname);
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
  CLEANUP_CLOSE int out = openat (ddir, dname, flags, 0600);
  if (out == -1 && errno == EEXIST) {
    if (unlinkat (ddir, dname, 0) == -1)
      return copy_fail (cs, dname);
    out = openat (ddir, dname, flags, 0600);
  }
  if (out == -1)
    return copy_fail (cs, dname);
  if (copy_data (in, out) == -1)
    return copy_fail (cs, dname);
  if (!cs->plain)
    copy_xattrs (in, out);
  if (copy_metadata (out, st, cs) == -1)
    return copy_fail (cs, dname);
  int fd = out;
  out = -1;
  if (close (fd) == -1)
    return copy_fail (cs, dname);
  if (!cs->plain && st->st_nlink > 1)
    remember_link (cs, st, ddir, dname);
  return 0;
}

/* Symlinks, devices, fifos, sockets: recreated, never opened.  */
static int
copy_special_at (int sdir, const char *sname, int ddir, const char *dname,
                 const struct stat *st, struct copy_state *cs)
{
  for (int attempt = 0; ; attempt++) {
    int r;
    if (S_ISLNK (st->st_mode)) {
      size_t alloc = (size_t) st->st_size + 1;
      if (alloc < 256)
        alloc = 256;
      if (alloc > 1024 * 1024) {
        errno = ENAMETOOLONG;
        return copy_fail (cs, sname);
      }
      CLEANUP_FREE char *target = malloc (alloc);
      if (target == NULL)
        return copy_fail (cs, sname);
      ssize_t tl = readlinkat (sdir, sname, target, alloc - 1);
      if (tl == -1)
        return copy_fail (cs, sname);
      target[tl] = '\0';
      r = symlinkat (target, ddir, dname);
    }
    else
      r = mknodat (ddir, dname, st->st_mode & (S_IFMT | 0600), st->st_rdev);
    if (r == 0)
      break;
    if (errno != EEXIST || attempt > 0 || unlinkat (ddir, dname, 0) == -1)
      return copy_fail (cs, dname);
  }
  if (cs->plain && S_ISLNK (st->st_mode))
    return 0;
  if (!cs->plain &&
      fchownat (ddir, dname, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) == -1)
    return copy_fail (cs, dname);
  if (!S_ISLNK (st->st_mode)) {
    /* A node we just made, not a link: opening it O_PATH|O_NOFOLLOW and
     * chmod-ing the /proc link never follows anything.  */
    CLEANUP_CLOSE int fd = openat (ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    char p[64];
    if (fd == -1)
      return copy_fail (cs, dname);
    snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
    mode_t mask = 0;
    if (cs->plain) {
      mask = umask (0);
      umask (mask);
      mask |= 07000;
    }
    if (chmod (p, st->st_mode & 07777 & ~mask) == -1)
      return copy_fail (cs, dname);
    if (cs->plain)
      return 0;
  }
  struct timespec ts[2] = { st->st_atim, st->st_mtim };
  if (utimensat (ddir, dname, ts, AT_SYMLINK_NOFOLLOW) == -1)
    return copy_fail (cs, dname);
  return 0;
}

static int
copy_tree_at (int sdir, const char *sname, int ddir, const char *dname,
              struct copy_state *cs)
{
  struct stat st;
  if (fstatat (sdir, sname, &st, AT_SYMLINK_NOFOLLOW) == -1)
    return copy_fail (cs, sname);
  if (S_ISDIR (st.st_mode))
    return copy_dir_at (sdir, sname, ddir, dname, &st, cs);
  if (S_ISREG (st.st_mode))
    return copy_file_at (sdir, sname, ddir, dname, &st, cs);
  return copy_special_at (sdir, sname, ddir, dname, &st, cs);
}

/* Copy src (not followed if a symlink) to the full target path dpath. */
static int
copy_path (const char *src, const char *dpath, bool plain)
{
  CLEANUP_FREE char *sbase = NULL, *dbase = NULL;
  CLEANUP_CLOSE int sdir = sysroot_open_parent (src, &sbase);
  if (sdir == -1) {
    reply_with_perror ("%s", src);
    return -1;
  }
  if (strcmp (sbase, "..") == 0) {
    /* Resolve it instead: the directory itself, named "." in its fd. */
    close (sdir);
    sdir = sysroot_open (src, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (sdir == -1) {
      reply_with_perror ("%s", src);
      return -1;
    }
    free (sbase);
    sbase = strdup (".");
  }
  CLEANUP_CLOSE int ddir = sysroot_open_parent (dpath, &dbase);
  if (ddir == -1) {
    reply_with_perror ("%s", dpath);
    return -1;
  }
  if (strcmp (dbase, ".") == 0) {
    reply_with_error_errno (EEXIST, "%s: cannot overwrite the root directory", dpath);
    return -1;
  }
  struct copy_state cs = { .plain = plain };
  if (copy_tree_at (sdir, sbase, ddir, dbase, &cs) == -1) {
    int e = errno;
    if (e == ELOOP && cs.failed && strstr (cs.failed, "into itself"))
      reply_with_error_errno (e, "cannot copy a directory, '%s', into itself, '%s'",
                              src, dpath);
    else
    {
      /* Name the top level by its full path, deeper entries by name. */
      const char *what = cs.failed ? cs.failed : src;
      if (strcmp (what, sbase) == 0)
        what = src;
      else if (strcmp (what, dbase) == 0)
        what = dpath;
      reply_with_error_errno (e, "%s: %s", what, strerror (e));
    }
    free (cs.failed);
    free_links (&cs);
    return -1;
  }
  free (cs.failed);
  free_links (&cs);
  return 0;
}

int
do_cp_a (const char *src, const char *dest)
{
  CLEANUP_FREE char *dpath = target_path (src, dest);
  if (dpath == NULL) {
    reply_with_perror ("%s", dest);
    return -1;
  }
  return copy_path (src, dpath, false);
}

/* cp -rP: like cp_a without keeping owners, times and xattrs. */
int
do_cp_r (const char *src, const char *dest)
{
  CLEANUP_FREE char *dpath = target_path (src, dest);
  if (dpath == NULL) {
    reply_with_perror ("%s", dest);
    return -1;
  }
  return copy_path (src, dpath, true);
}

int
do_mv (const char *src, const char *dest)
{
  CLEANUP_FREE char *dpath = target_path (src, dest);
  if (dpath == NULL) {
    reply_with_perror ("%s", dest);
    return -1;
  }
  CLEANUP_FREE char *sbase = NULL, *dbase = NULL;
  CLEANUP_CLOSE int sdir = sysroot_open_parent (src, &sbase);
  if (sdir == -1) {
    reply_with_perror ("%s", src);
    return -1;
  }
  CLEANUP_CLOSE int ddir = sysroot_open_parent (dpath, &dbase);
  if (ddir == -1) {
    reply_with_perror ("%s", dpath);
    return -1;
  }
  if (renameat (sdir, sbase, ddir, dbase) == 0)
    return 0;
  if (errno != EXDEV) {
    reply_with_perror ("rename %s to %s", src, dpath);
    return -1;
  }
  /* Across filesystems: copy everything, then remove the source. */
  CLEANUP_FREE char *failed = NULL;
  struct stat dst;
  if (fstatat (ddir, dbase, &dst, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISDIR (dst.st_mode) && unlinkat (ddir, dbase, 0) == -1) {
    reply_with_perror ("replacing %s", dpath);
    return -1;
  }
  if (copy_path (src, dpath, false) == -1)
    return -1;
  if (remove_tree_at (sdir, sbase, &failed) == -1) {
    reply_with_perror ("removing %s after copying", src);
    return -1;
  }
  return 0;
}
