/* The file calls named after coreutils programs: du, rm_f, mktemp,
 * fallocate64, copy_attributes (cp --attributes-only), ls0; and
 * mklost_and_found, which runs in a guest directory the way du does.
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
