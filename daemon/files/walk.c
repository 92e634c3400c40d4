/* Directory walks: find, find0, glob_expand, readdir,
 * lstatnslist, readlinklist, fill_dir, checksums_out, cpio_out,
 * zero_free_space.
 *
 * The directory given by the caller is resolved inside the guest
 * (sysroot_open); walks below it use only names read from directories,
 * with *at() calls and O_NOFOLLOW (f2_walk), so symlinks are never
 * followed out of the tree.  glob_expand resolves every path glob(3)
 * looks at through sysroot_open (GLOB_ALTDIRFUNC).  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#include "files-common.h"
#include "actions-gen.h"

/* ---- find, find0 ---- */

struct find_state {
  struct stringsbuf sb;
  size_t bytes;
  struct f2_out *out;       /* find0: stream names instead */
  bool out_slash;           /* find0: a '/' before each name */
};

static int
find_cb (void *opaque, const char *rel, const struct stat *st)
{
  struct find_state *fs = opaque;
  (void) st;
  if (fs->out) {
    if ((fs->out_slash && f2_out_write (fs->out, "/", 1) == -1) ||
        f2_out_write (fs->out, rel, strlen (rel) + 1) == -1) {
      errno = EPIPE;
      return -1;
    }
    return 0;
  }
  fs->bytes += strlen (rel) + 8;
  if (fs->bytes > F2_REPLY_LIMIT || fs->sb.size >= XDR_MAX_LIST - 1) {
    errno = EFBIG;
    return -1;
  }
  return add_string (&fs->sb, rel);
}

static int
open_dir (const char *directory)
{
  int fd = sysroot_open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1)
    reply_with_perror ("%s", directory);
  return fd;
}

static void
reply_walk_error (const char *directory, char *failed)
{
  int e = errno;
  if (e == EFBIG)
    reply_with_error_errno (e, "%s: the result is too large for the protocol", directory);
  else if (failed)
    reply_with_error_errno (e, "%s/%s: %s", strcmp (directory, "/") ? directory : "",
                            failed, strerror (e));
  else
    reply_with_error_errno (e, "%s: %s", directory, strerror (e));
  free (failed);
}

char **
do_find (const char *directory)
{
  CLEANUP_CLOSE int fd = open_dir (directory);
  if (fd == -1)
    return NULL;
  struct find_state fs = { 0 };
  char *failed;
  if (f2_walk (fd, find_cb, &fs, &failed) == -1) {
    free_stringsbuf (&fs.sb);
    reply_walk_error (directory, failed);
    return NULL;
  }
  size_t n = fs.sb.size;
  if (end_stringsbuf (&fs.sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  char **r = take_stringsbuf (&fs.sb);
  sort_strings (r, n);
  return r;
}

int
do_find0 (const char *directory)
{
  CLEANUP_CLOSE int fd = open_dir (directory);
  if (fd == -1)
    return -1;
  struct f2_out out;
  if (f2_out_init (&out) == -1) {
    reply_with_perror ("malloc");
    return -1;
  }
  /* As libguestfs's find0: the names follow the directory as the
   * caller spelled it, so they start with '/' unless the directory ends
   * with one ("/" gives "bin", "/etc" gives "/fstab"). */
  struct find_state fs = { .out = &out,
                           .out_slash = directory[strlen (directory) - 1] != '/' };
  char *failed;
  if (f2_walk (fd, find_cb, &fs, &failed) == -1) {
    f2_out_abort (&out);
    reply_walk_error (directory, failed);
    return -1;
  }
  return f2_out_finish (&out, "find0");
}

/* ---- glob_expand ---- */

static void *
g_opendir (const char *name)
{
  int fd = sysroot_open (name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL) {
    int e = errno;
    close (fd);
    errno = e;
  }
  return d;
}

static struct dirent *
g_readdir (void *d)
{
  return readdir (d);
}

static void
g_closedir (void *d)
{
  closedir (d);
}

static int
g_lstat (const char *path, struct stat *st)
{
  return sysroot_stat (path, st, false);
}

static int
g_stat (const char *path, struct stat *st)
{
  return sysroot_stat (path, st, true);
}

char **
do_glob_expand (const char *pattern, int directoryslash)
{
  bool slash = !(optargs_bitmask & GUESTFS_GLOB_EXPAND_OPTS_DIRECTORYSLASH_BITMASK) ||
    directoryslash;
  glob_t gl;
  memset (&gl, 0, sizeof gl);
  gl.gl_opendir = g_opendir;
  gl.gl_readdir = g_readdir;
  gl.gl_closedir = g_closedir;
  gl.gl_lstat = g_lstat;
  gl.gl_stat = g_stat;
  int r = glob (pattern, GLOB_BRACE | GLOB_ALTDIRFUNC | (slash ? GLOB_MARK : 0),
                NULL, &gl);
  if (r == GLOB_NOMATCH) {
    globfree (&gl);
    return calloc (1, sizeof (char *));
  }
  if (r != 0) {
    globfree (&gl);
    reply_with_error ("glob_expand: %s: %s", pattern,
                      r == GLOB_NOSPACE ? "out of memory" : "read error");
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  size_t bytes = 0;
  for (size_t i = 0; i < gl.gl_pathc; i++) {
    bytes += strlen (gl.gl_pathv[i]) + 8;
    if (bytes > F2_REPLY_LIMIT || add_string (&sb, gl.gl_pathv[i]) == -1) {
      globfree (&gl);
      free_stringsbuf (&sb);
      reply_with_error_errno (EFBIG, "glob_expand: %s: too many matches", pattern);
      return NULL;
    }
  }
  globfree (&gl);
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- readdir ---- */

static char
type_letter (mode_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFBLK: return 'b';
  case S_IFCHR: return 'c';
  case S_IFDIR: return 'd';
  case S_IFIFO: return 'f';
  case S_IFLNK: return 'l';
  case S_IFREG: return 'r';
  case S_IFSOCK: return 's';
  default: return '?';
  }
}

struct guestfs_dirent_list *
do_readdir (const char *dir)
{
  int fd = open_dir (dir);
  if (fd == -1)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL) {
    reply_with_perror ("%s", dir);
    close (fd);
    return NULL;
  }
  struct guestfs_dirent_list *l = calloc (1, sizeof *l);
  size_t alloc = 0, bytes = 0;
  if (l == NULL)
    goto nomem;
  for (;;) {
    errno = 0;
    struct dirent *de = readdir (d);
    if (de == NULL) {
      if (errno) {
        reply_with_perror ("readdir: %s", dir);
        goto fail;
      }
      break;
    }
    bytes += strlen (de->d_name) + 24;
    if (bytes > F2_REPLY_LIMIT || l->len >= XDR_MAX_LIST - 1) {
      reply_with_error_errno (EFBIG, "%s: too many entries for the protocol", dir);
      goto fail;
    }
    if (l->len == alloc) {
      size_t na = alloc ? alloc * 2 : 64;
      struct guestfs_dirent *nv = realloc (l->val, na * sizeof *nv);
      if (nv == NULL)
        goto nomem;
      l->val = nv;
      alloc = na;
    }
    struct guestfs_dirent *e = &l->val[l->len];
    e->name = strdup (de->d_name);
    if (e->name == NULL)
      goto nomem;
    e->ino = (int64_t) de->d_ino;
    switch (de->d_type) {
    case DT_BLK: e->ftyp = 'b'; break;
    case DT_CHR: e->ftyp = 'c'; break;
    case DT_DIR: e->ftyp = 'd'; break;
    case DT_FIFO: e->ftyp = 'f'; break;
    case DT_LNK: e->ftyp = 'l'; break;
    case DT_REG: e->ftyp = 'r'; break;
    case DT_SOCK: e->ftyp = 's'; break;
    case DT_UNKNOWN: {
      /* Ask the inode (never for "..": at the guest root that is the
       * appliance's directory).  */
      struct stat st;
      if (strcmp (de->d_name, "..") == 0)
        e->ftyp = 'd';
      else if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        e->ftyp = type_letter (st.st_mode);
      else
        e->ftyp = 'u';
      break;
    }
    default: e->ftyp = '?'; break;
    }
    l->len++;
  }
  closedir (d);
  return l;

 nomem:
  reply_with_perror ("malloc");
 fail:
  closedir (d);
  if (l) {
    for (uint32_t i = 0; i < l->len; i++)
      free (l->val[i].name);
    free (l->val);
    free (l);
  }
  return NULL;
}

/* ---- lstatnslist, readlinklist ---- */

/* A name that an *at() call on the directory fd can take as it is (the
 * caller has refused names with '/'; "", "." and ".." are resolved as
 * guest paths, so that ".." of the root stays inside it). */
static bool
simple_name (const char *name)
{
  return *name && strchr (name, '/') == NULL && strcmp (name, ".") != 0 &&
    strcmp (name, "..") != 0;
}

/* path + "/" + name, for names that must be resolved as guest paths. */
static char *
join (const char *path, const char *name)
{
  char *r;
  if (asprintf (&r, "%s/%s", path, name) == -1)
    return NULL;
  return r;
}

struct guestfs_statns_list *
do_lstatnslist (const char *path, char *const *names)
{
  if (f2_check_names (names) == -1)
    return NULL;
  CLEANUP_CLOSE int dfd = sysroot_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  size_t n = count_strings (names);
  struct guestfs_statns_list *l = calloc (1, sizeof *l);
  if (l == NULL || (n && (l->val = calloc (n, sizeof *l->val)) == NULL)) {
    free (l);
    reply_with_perror ("calloc");
    return NULL;
  }
  l->len = (uint32_t) n;
  for (size_t i = 0; i < n; i++) {
    struct guestfs_statns *r = &l->val[i];
    struct stat st;
    int ok;
    if (simple_name (names[i]))
      ok = fstatat (dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0;
    else {
      char *full = join (path, names[i]);
      ok = full && sysroot_stat (full, &st, false) == 0;
      free (full);
    }
    if (!ok) {
      r->st_ino = -1;
      continue;
    }
    r->st_dev = (int64_t) st.st_dev;
    r->st_ino = (int64_t) st.st_ino;
    r->st_mode = (int64_t) st.st_mode;
    r->st_nlink = (int64_t) st.st_nlink;
    r->st_uid = (int64_t) st.st_uid;
    r->st_gid = (int64_t) st.st_gid;
    r->st_rdev = (int64_t) st.st_rdev;
    r->st_size = (int64_t) st.st_size;
    r->st_blksize = (int64_t) st.st_blksize;
    r->st_blocks = (int64_t) st.st_blocks;
    r->st_atime_sec = (int64_t) st.st_atim.tv_sec;
    r->st_atime_nsec = (int64_t) st.st_atim.tv_nsec;
    r->st_mtime_sec = (int64_t) st.st_mtim.tv_sec;
    r->st_mtime_nsec = (int64_t) st.st_mtim.tv_nsec;
    r->st_ctime_sec = (int64_t) st.st_ctim.tv_sec;
    r->st_ctime_nsec = (int64_t) st.st_ctim.tv_nsec;
  }
  return l;
}

/* The link target of name in dfd (or of the guest path), "" on error. */
static char *
read_link (int dfd, const char *path, const char *name)
{
  int fd = -1;
  const char *at = name;
  if (!simple_name (name)) {
    char *full = join (path, name);
    fd = full ? sysroot_open (full, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0) : -1;
    free (full);
    if (fd == -1)
      return strdup ("");
    dfd = fd;
    at = "";
  }
  char buf[PATH_MAX + 1];
  ssize_t r = readlinkat (dfd, at, buf, sizeof buf - 1);
  if (fd >= 0)
    close (fd);
  if (r < 0)
    return strdup ("");
  buf[r] = '\0';
  return strdup (buf);
}

char **
do_readlinklist (const char *path, char *const *names)
{
  if (f2_check_names (names) == -1)
    return NULL;
  CLEANUP_CLOSE int dfd = sysroot_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  size_t bytes = 0;
  for (size_t i = 0; names[i]; i++) {
    char *t = read_link (dfd, path, names[i]);
    if (t)
      bytes += strlen (t) + 8;
    if (t == NULL || bytes > F2_REPLY_LIMIT || add_string_nodup (&sb, t) == -1) {
      free (t);
      free_stringsbuf (&sb);
      reply_with_error_errno (EFBIG, "%s: the result is too large", path);
      return NULL;
    }
  }
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- fill_dir ---- */

int
do_fill_dir (const char *dir, int nr)
{
  if (nr < 0) {
    reply_with_error_errno (EINVAL, "%d: number of files must not be negative", nr);
    return -1;
  }
  CLEANUP_CLOSE int dfd = sysroot_open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", dir);
    return -1;
  }
  for (int i = 0; i < nr; i++) {
    char name[16];
    snprintf (name, sizeof name, "%08d", i);
    /* mknod makes an empty regular file without opening anything that
     * might already be there.  */
    if (mknodat (dfd, name, S_IFREG | 0666, 0) == 0)
      continue;
    struct stat st;
    if (errno != EEXIST ||
        fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG (st.st_mode)) {
      if (errno == 0 || errno == EEXIST)
        errno = EEXIST;
      reply_with_perror ("%s/%s", dir, name);
      return -1;
    }
    int fd = openat (dfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK |
                     O_NOCTTY | O_CLOEXEC);
    if (fd == -1) {
      reply_with_perror ("%s/%s", dir, name);
      return -1;
    }
    close (fd);
  }
  return 0;
}

/* ---- checksums_out ---- */

struct file_list {
  struct stringsbuf sb;
};

static int
regular_files_cb (void *opaque, const char *rel, const struct stat *st)
{
  struct file_list *fl = opaque;
  if (!S_ISREG (st->st_mode))
    return 0;
  char *p;
  if (asprintf (&p, "./%s", rel) == -1)
    return -1;
  return add_string_nodup (&fl->sb, p);
}

int
do_checksums_out (const char *csumtype, const char *directory)
{
  const char *prog = checksum_program (csumtype);
  if (prog == NULL)
    return -1;
  CLEANUP_CLOSE int dfd = open_dir (directory);
  if (dfd == -1)
    return -1;
  struct file_list fl = { 0 };
  char *failed;
  if (f2_walk (dfd, regular_files_cb, &fl, &failed) == -1) {
    free_stringsbuf (&fl.sb);
    reply_walk_error (directory, failed);
    return -1;
  }
  struct f2_out out;
  if (f2_out_init (&out) == -1) {
    free_stringsbuf (&fl.sb);
    reply_with_perror ("malloc");
    return -1;
  }
  /* The tool runs in the directory on the relative names found by the
   * walk: none of their components is a symlink.  */
  const size_t batch = 256;
  const char **argv = malloc ((batch + 3) * sizeof *argv);
  int ret = 0;
  for (size_t i = 0; i < fl.sb.size && ret == 0; i += batch) {
    size_t n = 0;
    argv[n++] = prog;
    argv[n++] = "--";
    for (size_t j = i; j < fl.sb.size && j < i + batch; j++)
      argv[n++] = fl.sb.argv[j];
    argv[n] = NULL;
    CLEANUP_CLOSE int outfd = f2_memfd ("sums");
    CLEANUP_CLOSE int errfd = f2_memfd ("stderr");
    pid_t pid = -1;
    if (outfd == -1 || errfd == -1 ||
        (pid = spawn_program (argv, dfd, -1, outfd, errfd)) == -1) {
      f2_out_abort (&out);
      reply_with_perror ("%s", prog);
      ret = -1;
      break;
    }
    int status = wait_program (pid);
    if (status != 0) {
      CLEANUP_FREE char *err = read_stderr_memfd (errfd);
      f2_out_abort (&out);
      reply_with_error ("%s: %s: %s", prog, directory, err && *err ? err : "failed");
      ret = -1;
      break;
    }
    size_t len;
    CLEANUP_FREE char *sums = f2_memfd_contents (outfd, 1u << 30, &len);
    if (sums == NULL || f2_out_write (&out, sums, len) == -1) {
      f2_out_abort (&out);
      reply_with_perror ("checksums_out");
      ret = -1;
    }
  }
  free (argv);
  free_stringsbuf (&fl.sb);
  if (ret == -1)
    return -1;
  return f2_out_finish (&out, "checksums_out");
}

/* ---- cpio_out ---- */

static int
cpio_list_cb (void *opaque, const char *rel, const struct stat *st)
{
  int fd = *(int *) opaque;
  (void) st;
  if (f2_write_full (fd, "./", 2) == -1 ||
      f2_write_full (fd, rel, strlen (rel) + 1) == -1)
    return -1;
  return 0;
}

int
do_cpio_out (const char *directory, const char *format)
{
  const char *fmt = "newc";
  if ((optargs_bitmask & GUESTFS_CPIO_OUT_FORMAT_BITMASK) && format && *format) {
    if (strcmp (format, "newc") != 0 && strcmp (format, "crc") != 0) {
      reply_with_error_errno (EINVAL, "%s: unknown cpio format (expecting newc or crc)",
                              format);
      return -1;
    }
    fmt = format;
  }
  if (directory[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", directory);
    return -1;
  }
  if (need_root ("cpio_out") == -1)
    return -1;
  CLEANUP_CLOSE int dfd = open_dir (directory);
  if (dfd == -1)
    return -1;
  /* The names for cpio (NUL-separated, the directory itself first), from
   * our own walk: cpio never follows a symlink when archiving.  */
  CLEANUP_CLOSE int listfd = f2_memfd ("cpio-list");
  if (listfd == -1 || f2_write_full (listfd, ".", 2) == -1) {
    reply_with_perror ("memfd");
    return -1;
  }
  char *failed;
  if (f2_walk (dfd, cpio_list_cb, &listfd, &failed) == -1) {
    reply_walk_error (directory, failed);
    return -1;
  }
  if (lseek (listfd, 0, SEEK_SET) == -1) {
    reply_with_perror ("lseek");
    return -1;
  }
  const char *argv[] = { "cpio", "--quiet", "-o", "-0", "-H", fmt, NULL };
  return command_to_fileout ("cpio_out", argv, dfd, listfd);
}

/* ---- zero_free_space ---- */

int
do_zero_free_space (const char *directory)
{
  CLEANUP_CLOSE int dfd = sysroot_open (directory, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1) {
    reply_with_perror ("%s", directory);
    return -1;
  }
  struct statvfs sv;
  uint64_t total = 0;
  if (fstatvfs (dfd, &sv) == 0)
    total = (uint64_t) sv.f_bavail * sv.f_frsize;

  /* An anonymous file where the filesystem allows it; otherwise a named
   * one, removed at once (its blocks stay allocated until close).  */
  int fd = openat (dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd == -1) {
    for (int tries = 0; tries < 100 && fd == -1; tries++) {
      unsigned r;
      if (getrandom (&r, sizeof r, 0) != (ssize_t) sizeof r)
        break;
      char name[32];
      snprintf (name, sizeof name, ".hatch-zero-%08x", r);
      fd = openat (dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        unlinkat (dfd, name, 0);
      else if (errno != EEXIST)
        break;
    }
  }
  if (fd == -1) {
    reply_with_perror ("%s: cannot create a temporary file", directory);
    return -1;
  }
  const size_t block = 1024 * 1024;
  CLEANUP_FREE char *buf = calloc (1, block);
  if (buf == NULL) {
    close (fd);
    reply_with_perror ("calloc");
    return -1;
  }
  uint64_t pos = 0;
  for (;;) {
    ssize_t r = write (fd, buf, block);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      if (errno == ENOSPC || errno == EDQUOT)
        break;
      reply_with_perror ("write: %s", directory);
      close (fd);
      return -1;
    }
    if (r == 0)
      break;
    pos += (uint64_t) r;
    notify_progress (pos < total ? pos : total ? total - 1 : pos, total ? total : pos + 1);
  }
  if (fsync (fd) == -1 && errno != ENOSPC && errno != EINVAL) {
    reply_with_perror ("fsync: %s", directory);
    close (fd);
    return -1;
  }
  close (fd);
  notify_progress (total ? total : pos, total ? total : pos);
  return 0;
}
