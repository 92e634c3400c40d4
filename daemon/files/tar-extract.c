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
 * archive ends that child, not the daemon.
 *
 * With more than one vCPU, small regular files are written by worker
 * threads (see "Workers" below): the main thread still reads the archive,
 * resolves every directory and does every other kind of member itself, in
 * archive order, and waits for the workers (a barrier) before any member
 * whose outcome could depend on a file they have not written yet.  */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
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
LAZY_PRELOAD

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
  struct dirref *parent_ref;    /* parent_fd shared with queued files
                                 * (workers only) */
  struct workers *w;            /* NULL: everything in this thread */
};

/* Workers and the main thread report through here. */
static pthread_mutex_t error_lock = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((format (printf, 2, 3)))
member_error (struct extract *x, const char *fmt, ...)
{
  int e = errno;                /* for %m */
  va_list ap;
  va_start (ap, fmt);
  pthread_mutex_lock (&error_lock);
  fputs ("tar_in: ", stderr);
  errno = e;
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  x->failures++;
  pthread_mutex_unlock (&error_lock);
  va_end (ap);
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

/* A member's access and modification times.  An archive without an
 * access time (GNU and ustar headers hold none) leaves the member's atime
 * at the time it was created, as GNU tar does: a file unpacked now has
 * just been accessed, and a later read of it (tar_out, copy_out) then
 * does not make relatime write its inode again. */
static void
entry_times (struct archive_entry *e, struct timespec t[2])
{
  if (lib.archive_entry_atime_is_set (e)) {
    t[0].tv_sec = lib.archive_entry_atime (e);
    t[0].tv_nsec = lib.archive_entry_atime_nsec (e);
  }
  else {
    t[0].tv_sec = 0;
    t[0].tv_nsec = UTIME_OMIT;
  }
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

/* ---- Workers ----
 *
 * A tree of small files is mostly the guest kernel creating inodes, and
 * under TCG one vCPU does that at a fixed pace; with two, two busybox tars
 * unpacking into different directories ran 2.2 times as fast, and this
 * tar_in of 10 000 small files took 1.38 s at smp 2 against 1.89 s at
 * smp 1.  So with more than one CPU online, a regular file of at most
 * WORKER_MAX_FILE bytes (without xattrs, SELinux labels or ACLs to
 * restore) is read into memory and queued; a worker creates it in the
 * directory the main thread resolved (O_EXCL|O_NOFOLLOW, as below),
 * writes it, sets owner, mode and times, closes it.  What a worker does
 * touches only that new file.
 *
 * The main thread keeps archive order where it matters by waiting for the
 * queue to drain (workers_wait) before:
 *  - a member whose name is one queued since the last wait (a later
 *    member of the same name replaces the earlier one);
 *  - resolving a directory one of whose leading components is a queued
 *    name (a file "a" then a member "a/b": "a/b" must meet the file);
 *  - a hard link (its target may be queued);
 *  - the end of the archive (then the deferred symlinks and directories).
 * Directory descriptors are shared with the queued files by reference.  */
#define WORKER_MAX_FILE   (1024 * 1024)
#define WORKERS_MAX       4
#define QUEUE_MAX_BYTES   (8 * 1024 * 1024)
#define QUEUE_MAX_FILES   512
#define NAMES_MAX         65536   /* names remembered between two waits */
#define NAMES_SLOTS       (2 * NAMES_MAX)

struct dirref {
  int fd;
  unsigned refs;                /* under the workers' lock */
};

struct segment {
  int64_t off;                  /* in the file */
  size_t len;                   /* bytes of data, in order in the job */
};

struct file_job {
  struct file_job *next;
  struct dirref *dir;
  char *raw;                    /* the member's name in the archive */
  const char *base;             /* its last component, inside member */
  char *member;                 /* normalized */
  mode_t perm;
  uid_t uid;
  gid_t gid;
  bool owned;                   /* creation gives the owner already */
  struct timespec times[2];
  int64_t size;
  struct segment *seg;
  size_t nseg;
  char *data;
  size_t len;
};

struct workers;

struct worker_arg {
  struct workers *w;
  int i;                        /* which queue */
};

struct workers {
  struct extract *x;
  pthread_mutex_t lock;
  pthread_cond_t work[WORKERS_MAX], room, idle;
  /* One queue per worker, filled in turn (next): each worker waits on
   * its own condition, so queuing a file wakes one thread.  (Giving all
   * the files of a directory to one worker was slower.) */
  struct file_job *head[WORKERS_MAX], *tail[WORKERS_MAX];
  size_t queued_bytes, queued;  /* queued: not yet written */
  bool stop;
  pthread_t th[WORKERS_MAX];
  struct worker_arg arg[WORKERS_MAX];
  int n, next;
  /* The names queued since the last wait: an open-addressing set of fixed
   * size (the main thread waits when it is half full), and which of its
   * slots are used, so that forgetting them costs what they were. */
  char *names[NAMES_SLOTS];
  uint32_t used[NAMES_MAX];
  size_t nnames;
};

static uint64_t
name_hash (const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char) s[i]) * 1099511628211ULL;
  return h;
}

/* Whether the first N bytes of NAME are a queued name. */
static bool
name_queued (struct workers *w, const char *name, size_t n)
{
  if (w->nnames == 0)
    return false;
  for (size_t i = name_hash (name, n) % NAMES_SLOTS; w->names[i]; i = (i + 1) % NAMES_SLOTS)
    if (strncmp (w->names[i], name, n) == 0 && w->names[i][n] == '\0')
      return true;
  return false;
}

/* Remember NAME (fewer than NAMES_MAX names are). */
static bool
name_add (struct workers *w, const char *name)
{
  char *c = strdup (name);
  if (c == NULL)
    return false;
  size_t i = name_hash (name, strlen (name)) % NAMES_SLOTS;
  while (w->names[i])
    i = (i + 1) % NAMES_SLOTS;
  w->names[i] = c;
  w->used[w->nnames++] = (uint32_t) i;
  return true;
}

/* Whether PARENT or one of its leading components is a queued name. */
static bool
parent_queued (struct workers *w, const char *parent)
{
  for (const char *p = parent; *p; ) {
    const char *e = strchr (p, '/');
    size_t n = e ? (size_t) (e - parent) : strlen (parent);
    if (name_queued (w, parent, n))
      return true;
    if (!e)
      break;
    p = e + 1;
  }
  return false;
}

static void
dirref_put_locked (struct dirref *d)
{
  if (d && --d->refs == 0) {
    close (d->fd);
    free (d);
  }
}

/* The main thread is done with the cached parent directory. */
static void
release_parent (struct extract *x)
{
  if (x->parent_ref) {
    pthread_mutex_lock (&x->w->lock);
    dirref_put_locked (x->parent_ref);
    pthread_mutex_unlock (&x->w->lock);
    x->parent_ref = NULL;
  }
  else
    close (x->parent_fd);
}

static void
free_job (struct file_job *j)
{
  free (j->raw);
  free (j->member);
  free (j->seg);
  free (j->data);
  free (j);
}

static int create_regular (int dfd, const char *base, mode_t perm, bool special);
static void finish_regular (struct extract *x, const char *raw, int fd, mode_t perm,
                            uid_t uid, gid_t gid, bool owned,
                            const struct timespec times[2], struct archive_entry *e);

static void
run_job (struct extract *x, struct file_job *j)
{
  bool special = j->perm & (S_ISUID | S_ISGID);
  int fd = create_regular (j->dir->fd, j->base, j->perm, special);
  if (fd == -1) {
    member_error (x, "%s: %m", j->raw);
    return;
  }
  const char *p = j->data;
  int64_t end = 0;
  for (size_t i = 0; i < j->nseg; i++) {
    size_t len = j->seg[i].len;
    off_t off = (off_t) j->seg[i].off;
    while (len > 0) {
      ssize_t r = pwrite (fd, p, len, off);
      if (r == -1 && errno == EINTR)
        continue;
      if (r == -1) {
        member_error (x, "%s: writing: %m", j->raw);
        goto written;
      }
      p += r;
      off += r;
      len -= (size_t) r;
    }
    if (off > end)
      end = off;
  }
  if (end != j->size && ftruncate (fd, (off_t) j->size) == -1)
    member_error (x, "%s: writing: %m", j->raw);
 written:
  finish_regular (x, j->raw, fd, j->perm, j->uid, j->gid, j->owned, j->times, NULL);
}

static void *
worker (void *arg)
{
  struct workers *w = ((struct worker_arg *) arg)->w;
  int me = ((struct worker_arg *) arg)->i;
  pthread_mutex_lock (&w->lock);
  for (;;) {
    while (!w->head[me] && !w->stop)
      pthread_cond_wait (&w->work[me], &w->lock);
    struct file_job *j = w->head[me];
    if (!j)
      break;                    /* stop, and nothing left */
    w->head[me] = j->next;
    if (!w->head[me])
      w->tail[me] = NULL;
    pthread_mutex_unlock (&w->lock);
    run_job (w->x, j);
    pthread_mutex_lock (&w->lock);
    dirref_put_locked (j->dir);
    w->queued--;
    w->queued_bytes -= j->len;
    free_job (j);
    pthread_cond_signal (&w->room);
    if (!w->queued)
      pthread_cond_broadcast (&w->idle);
  }
  pthread_mutex_unlock (&w->lock);
  return NULL;
}

/* NULL (everything in the main thread) with one CPU, or when the threads
 * cannot be made. */
static struct workers *
workers_start (struct extract *x)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  if (cpus < 2 || (x->flags & (TAR_EXTRACT_XATTRS | TAR_EXTRACT_SELINUX | TAR_EXTRACT_ACLS)))
    return NULL;
  struct workers *w = calloc (1, sizeof *w);
  if (w == NULL)
    return NULL;
  w->x = x;
  pthread_mutex_init (&w->lock, NULL);
  for (int i = 0; i < WORKERS_MAX; i++)
    pthread_cond_init (&w->work[i], NULL);
  pthread_cond_init (&w->room, NULL);
  pthread_cond_init (&w->idle, NULL);
  int want = cpus > WORKERS_MAX ? WORKERS_MAX : (int) cpus;
  for (; w->n < want; w->n++) {
    w->arg[w->n] = (struct worker_arg) { .w = w, .i = w->n };
    if (pthread_create (&w->th[w->n], NULL, worker, &w->arg[w->n]) != 0)
      break;
  }
  if (w->n == 0) {
    free (w);
    return NULL;
  }
  return w;
}

/* Wait until every queued file is written; forget the queued names. */
static void
workers_wait (struct workers *w)
{
  pthread_mutex_lock (&w->lock);
  while (w->queued)
    pthread_cond_wait (&w->idle, &w->lock);
  pthread_mutex_unlock (&w->lock);
  for (size_t i = 0; i < w->nnames; i++) {
    free (w->names[w->used[i]]);
    w->names[w->used[i]] = NULL;
  }
  w->nnames = 0;
}

static void
workers_stop (struct workers *w)
{
  if (w == NULL)
    return;
  pthread_mutex_lock (&w->lock);
  w->stop = true;
  for (int i = 0; i < w->n; i++)
    pthread_cond_signal (&w->work[i]);
  pthread_mutex_unlock (&w->lock);
  for (int i = 0; i < w->n; i++)
    pthread_join (w->th[i], NULL);
  workers_wait (w);
  free (w);
}

/* Read regular file member E's data into a job and queue it.  false: not
 * queued (too big, or out of memory before anything was read): the caller
 * writes it itself.  */
static bool
queue_regular (struct extract *x, struct archive *a, struct archive_entry *e,
               const char *raw, const char *member, const char *base,
               mode_t perm, uid_t uid, gid_t gid, bool owned,
               const struct timespec times[2])
{
  struct workers *w = x->w;
  int64_t size = lib.archive_entry_size (e);
  if (!w || !x->parent_ref || size < 0 || size > WORKER_MAX_FILE)
    return false;
  if (w->nnames >= NAMES_MAX)
    workers_wait (w);           /* bounds the memory the names take */
  struct file_job *j = calloc (1, sizeof *j);
  if (j == NULL)
    return false;
  j->raw = strdup (raw);
  j->member = strdup (member);
  j->data = malloc (size ? (size_t) size : 1);
  if (!j->raw || !j->member || !j->data || !name_add (w, member)) {
    free_job (j);
    return false;
  }
  j->base = j->member + (base - member);
  j->perm = perm;
  j->uid = uid;
  j->gid = gid;
  j->owned = owned;
  j->times[0] = times[0];
  j->times[1] = times[1];
  j->size = size;
  const void *buf;
  size_t len;
  la_int64_t off;
  int r;
  while ((r = lib.archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK) {
    if (len == 0)
      continue;
    if (off < 0 || (uint64_t) off + len > (uint64_t) size || j->len + len > (size_t) size) {
      r = ARCHIVE_FATAL;        /* data beyond the member's size */
      break;
    }
    if (j->nseg && j->seg[j->nseg - 1].off + (int64_t) j->seg[j->nseg - 1].len == off)
      j->seg[j->nseg - 1].len += len;
    else {
      struct segment *ns = realloc (j->seg, (j->nseg + 1) * sizeof *ns);
      if (ns == NULL) {
        r = ARCHIVE_FATAL;
        break;
      }
      j->seg = ns;
      j->seg[j->nseg++] = (struct segment) { .off = off, .len = len };
    }
    memcpy (j->data + j->len, buf, len);
    j->len += len;
  }
  if (r != ARCHIVE_EOF) {
    /* As the main thread would: the file is made with what could be read,
     * and the member is reported. */
    member_error (x, "%s: writing: %s", raw, lib.archive_error_string (a) ?: "read error");
  }
  pthread_mutex_lock (&w->lock);
  while (w->queued >= QUEUE_MAX_FILES || (w->queued && w->queued_bytes + j->len > QUEUE_MAX_BYTES))
    pthread_cond_wait (&w->room, &w->lock);
  x->parent_ref->refs++;
  j->dir = x->parent_ref;
  int i = w->next;
  w->next = (w->next + 1) % w->n;
  if (w->tail[i])
    w->tail[i]->next = j;
  else
    w->head[i] = j;
  w->tail[i] = j;
  w->queued++;
  w->queued_bytes += j->len;
  pthread_cond_signal (&w->work[i]);
  pthread_mutex_unlock (&w->lock);
  return true;
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
    release_parent (x);
    free (x->parent);
    x->parent = NULL;
  }
  if (x->w && parent_queued (x->w, parent))
    workers_wait (x->w);
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
  if (x->w && (x->parent_ref = malloc (sizeof *x->parent_ref)) != NULL)
    *x->parent_ref = (struct dirref) { .fd = fd, .refs = 1 };
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

/* Small files are most of a big tree, and under emulation every system
 * call counts: a regular file is created with its final mode (the umask
 * is 0 here), and owner and mode are set again only when creation cannot
 * have given them (finish_regular).  The descriptor, or -1 with errno. */
static int
create_regular (int dfd, const char *base, mode_t perm, bool special)
{
  int fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   special ? 0600 : perm);
  if (fd == -1 && errno == EEXIST) {
    clear_place (dfd, base);
    fd = openat (dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 special ? 0600 : perm);
  }
  return fd;
}

/* Owner, mode, (with E) xattrs and ACLs, times; then close FD. */
static void
finish_regular (struct extract *x, const char *raw, int fd, mode_t perm,
                uid_t uid, gid_t gid, bool owned, const struct timespec times[2],
                struct archive_entry *e)
{
  bool special = perm & (S_ISUID | S_ISGID);
  if (!owned && fchown (fd, uid, gid) == -1)
    member_error (x, "%s: chown: %m", raw);
  if ((special || !owned) && fchmod (fd, perm) == -1)   /* after chown: keeps setuid */
    member_error (x, "%s: chmod: %m", raw);
  if (e) {
    set_xattrs_fd (x, raw, fd, e);
    set_acls_fd (x, raw, fd, e, false);
  }
  if (futimens (fd, times) == -1)
    member_error (x, "%s: times: %m", raw);
  if (close (fd) == -1)
    member_error (x, "%s: %m", raw);
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
  if (x->w && (hardlink || name_queued (x->w, member, strlen (member))))
    workers_wait (x->w);
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
    mode_t perm = lib.archive_entry_perm (e);
    bool special = perm & (S_ISUID | S_ISGID);
    bool owned = uid == geteuid () && gid == getegid () && !x->parent_setgid;
    if (queue_regular (x, a, e, raw, member, base, perm, uid, gid, owned, times))
      break;
    int fd = create_regular (dfd, base, perm, special);
    if (fd == -1) {
      member_error (x, "%s: %m", raw);
      goto out;
    }
    if (write_data (a, fd, lib.archive_entry_size (e)) == -1)
      member_error (x, "%s: writing: %s", raw,
                    errno == EIO ? lib.archive_error_string (a) ?: "read error" : strerror (errno));
    finish_regular (x, raw, fd, perm, uid, gid, owned, times, e);
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
  x.w = workers_start (&x);
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
    release_parent (&x);
    free (x.parent);
  }
  workers_stop (x.w);
  finish (&x);
  lib.archive_read_free (a);
  return x.failures ? 2 : 0;
}
