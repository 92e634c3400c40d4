/* hivex_*: read and edit Windows Registry hive files with libhivex.
 *
 * The hive is a guest file: it is opened with sysroot_open (symlinks stay
 * inside the guest) and libhivex is given /proc/PID/fd/N of that
 * descriptor.  libhivex is always asked for a writable handle, because then
 * it reads the whole file into memory and closes it: a read-only handle
 * would mmap the file, and truncating the file later (say, with another
 * action) would kill the daemon with SIGBUS; holding the file open would
 * also make umount fail.  Whether the caller asked for write access is
 * checked here instead.  hivex_commit with no file name reopens the guest
 * path given to hivex_open.
 *
 * Node and value handles are hivex's own (offsets in the file); libhivex
 * checks every handle it is given, so bad numbers give an error. */
#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* Real hives stay well under this (a large SOFTWARE hive is ~200 MiB). */
#define HIVE_MAX_SIZE (512 << 20)

static hive_h *hive;
static char *hive_filename;     /* the guest path given to hivex_open */
static bool hive_writable;      /* the caller asked for write access */

static void
close_hive (void)
{
  if (hive)
    hivex_close (hive);
  hive = NULL;
  free (hive_filename);
  hive_filename = NULL;
  hive_writable = false;
}

#define NEED_WRITABLE(errval)                                           \
  do {                                                                  \
    if (!hive_writable) {                                               \
      reply_with_error_errno (EROFS, "the hive was not opened for writing (use hivex-open write:true)"); \
      return (errval);                                                  \
    }                                                                   \
  } while (0)

/* Write the in-memory hive to a guest file (created if needed). */
static int
commit_to (const char *filename)
{
  CLEANUP_CLOSE int fd = sysroot_open_data (filename, O_WRONLY | O_CREAT, 0644);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *path = fd_path (fd);
  if (!path || hivex_commit (hive, path, 0) == -1) {
    reply_with_perror ("%s", filename);
    return -1;
  }
  return 0;
}

#define NEED_HIVE(errval)                                               \
  do {                                                                  \
    if (!hive) {                                                        \
      reply_with_error ("you must call 'hivex-open' first to open a hive"); \
      return (errval);                                                  \
    }                                                                   \
  } while (0)

int
do_hivex_open (const char *filename, int verbose_, int debug, int write, int unsafe)
{
  int flags = 0;
  if ((optargs_bitmask & GUESTFS_HIVEX_OPEN_VERBOSE_BITMASK) && verbose_)
    flags |= HIVEX_OPEN_VERBOSE;
  if ((optargs_bitmask & GUESTFS_HIVEX_OPEN_DEBUG_BITMASK) && debug)
    flags |= HIVEX_OPEN_DEBUG;
  bool want_write = (optargs_bitmask & GUESTFS_HIVEX_OPEN_WRITE_BITMASK) && write;
  flags |= HIVEX_OPEN_WRITE;     /* read into memory: see the top of the file */
#ifdef HIVEX_OPEN_UNSAFE
  if ((optargs_bitmask & GUESTFS_HIVEX_OPEN_UNSAFE_BITMASK) && unsafe)
    flags |= HIVEX_OPEN_UNSAFE;
#else
  (void) unsafe;
#endif

  close_hive ();

  CLEANUP_CLOSE int fd = sysroot_open_data (filename, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  /* The whole hive is read into the appliance's memory: refuse what could
   * not be a hive before that exhausts it. */
  struct stat st;
  if (fstat (fd, &st) == -1) {
    reply_with_perror ("%s", filename);
    return -1;
  }
  if (!S_ISREG (st.st_mode)) {
    reply_with_error_errno (EINVAL, "%s: not a regular file", filename);
    return -1;
  }
  if (st.st_size > HIVE_MAX_SIZE) {
    reply_with_error_errno (EFBIG, "%s: %lld bytes is too large for a registry hive (limit %d MiB)",
                            filename, (long long) st.st_size, HIVE_MAX_SIZE >> 20);
    return -1;
  }
  CLEANUP_FREE char *path = fd_path (fd);
  if (!path) {
    reply_with_perror ("%s", filename);
    return -1;
  }
  hive_filename = strdup (filename);
  if (!hive_filename) {
    reply_with_perror ("strdup");
    return -1;
  }
  hive = hivex_open (path, flags);
  if (!hive) {
    int e = errno;
    close_hive ();
    reply_with_error_errno (e, "%s: %s", filename,
                            (e == ENOTSUP || e == EINVAL) ? "not a Windows Registry hive file, or a damaged one" : strerror (e));
    return -1;
  }
  hive_writable = want_write;
  return 0;
}

int
do_hivex_close (void)
{
  NEED_HIVE (-1);
  close_hive ();
  return 0;
}

int64_t
do_hivex_root (void)
{
  NEED_HIVE (-1);
  hive_node_h r = hivex_root (hive);
  if (r == 0) {
    reply_with_perror ("root");
    return -1;
  }
  return (int64_t) r;
}

char *
do_hivex_node_name (int64_t nodeh)
{
  NEED_HIVE (NULL);
  char *r = hivex_node_name (hive, (hive_node_h) nodeh);
  if (!r)
    reply_with_perror ("node %" PRIi64, nodeh);
  return r;
}

/* hivex returns 0-terminated arrays of handles. */
static size_t
count_handles (const size_t *a)
{
  size_t n = 0;
  while (a[n])
    n++;
  return n;
}

struct guestfs_hivex_node_list *
do_hivex_node_children (int64_t nodeh)
{
  NEED_HIVE (NULL);
  hive_node_h *children = hivex_node_children (hive, (hive_node_h) nodeh);
  if (!children) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return NULL;
  }
  size_t n = count_handles (children);
  struct guestfs_hivex_node_list *l = malloc (sizeof *l);
  if (l)
    l->val = calloc (n ? n : 1, sizeof *l->val);
  if (!l || !l->val) {
    reply_with_perror ("malloc");
    free (l);
    free (children);
    return NULL;
  }
  l->len = (uint32_t) n;
  for (size_t i = 0; i < n; ++i)
    l->val[i].hivex_node_h = (int64_t) children[i];
  free (children);
  return l;
}

int64_t
do_hivex_node_get_child (int64_t nodeh, const char *name)
{
  NEED_HIVE (-1);
  errno = 0;
  hive_node_h r = hivex_node_get_child (hive, (hive_node_h) nodeh, name);
  if (r == 0 && errno != 0) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return -1;
  }
  return (int64_t) r;
}

int64_t
do_hivex_node_parent (int64_t nodeh)
{
  NEED_HIVE (-1);
  hive_node_h r = hivex_node_parent (hive, (hive_node_h) nodeh);
  if (r == 0) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return -1;
  }
  return (int64_t) r;
}

struct guestfs_hivex_value_list *
do_hivex_node_values (int64_t nodeh)
{
  NEED_HIVE (NULL);
  hive_value_h *values = hivex_node_values (hive, (hive_node_h) nodeh);
  if (!values) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return NULL;
  }
  size_t n = count_handles (values);
  struct guestfs_hivex_value_list *l = malloc (sizeof *l);
  if (l)
    l->val = calloc (n ? n : 1, sizeof *l->val);
  if (!l || !l->val) {
    reply_with_perror ("malloc");
    free (l);
    free (values);
    return NULL;
  }
  l->len = (uint32_t) n;
  for (size_t i = 0; i < n; ++i)
    l->val[i].hivex_value_h = (int64_t) values[i];
  free (values);
  return l;
}

int64_t
do_hivex_node_get_value (int64_t nodeh, const char *key)
{
  NEED_HIVE (-1);
  errno = 0;
  hive_value_h r = hivex_node_get_value (hive, (hive_node_h) nodeh, key);
  if (r == 0 && errno != 0) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return -1;
  }
  return (int64_t) r;
}

char *
do_hivex_value_key (int64_t valueh)
{
  NEED_HIVE (NULL);
  char *r = hivex_value_key (hive, (hive_value_h) valueh);
  if (!r)
    reply_with_perror ("value %" PRIi64, valueh);
  return r;
}

int64_t
do_hivex_value_type (int64_t valueh)
{
  NEED_HIVE (-1);
  hive_type t;
  size_t len;
  if (hivex_value_type (hive, (hive_value_h) valueh, &t, &len) == -1) {
    reply_with_perror ("value %" PRIi64, valueh);
    return -1;
  }
  return (int64_t) t;
}

char *
do_hivex_value_value (int64_t valueh, size_t *size_r)
{
  NEED_HIVE (NULL);
  hive_type t;
  size_t len;
  char *r = hivex_value_value (hive, (hive_value_h) valueh, &t, &len);
  if (!r) {
    reply_with_perror ("value %" PRIi64, valueh);
    return NULL;
  }
  *size_r = len;
  return r;
}

char *
do_hivex_value_string (int64_t valueh)
{
  NEED_HIVE (NULL);
  char *r = hivex_value_string (hive, (hive_value_h) valueh);
  if (!r)
    reply_with_perror ("value %" PRIi64, valueh);
  return r;
}

char *
do_hivex_value_utf8 (int64_t valueh)
{
  NEED_HIVE (NULL);
  char *r = hivex_value_string (hive, (hive_value_h) valueh);
  if (!r)
    reply_with_perror ("value %" PRIi64, valueh);
  return r;
}

int
do_hivex_commit (const char *filename)
{
  NEED_HIVE (-1);
  NEED_WRITABLE (-1);
  if (filename == NULL)
    return commit_to (hive_filename);
  if (filename[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", filename);
    return -1;
  }
  if (need_root ("hivex_commit") == -1)
    return -1;
  return commit_to (filename);
}

int64_t
do_hivex_node_add_child (int64_t parent, const char *name)
{
  NEED_HIVE (-1);
  NEED_WRITABLE (-1);
  hive_node_h r = hivex_node_add_child (hive, (hive_node_h) parent, name);
  if (r == 0) {
    reply_with_perror ("node %" PRIi64, parent);
    return -1;
  }
  return (int64_t) r;
}

int
do_hivex_node_delete_child (int64_t nodeh)
{
  NEED_HIVE (-1);
  NEED_WRITABLE (-1);
  if (hivex_node_delete_child (hive, (hive_node_h) nodeh) == -1) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return -1;
  }
  return 0;
}

int
do_hivex_node_set_value (int64_t nodeh, const char *key, int64_t t,
                         const char *val, size_t val_size)
{
  NEED_HIVE (-1);
  NEED_WRITABLE (-1);
  if (t < 0 || t > UINT32_MAX) {
    reply_with_error_errno (EINVAL, "%" PRIi64 ": invalid value type", t);
    return -1;
  }
  hive_set_value v = {
    .key = (char *) key,
    .t = (hive_type) t,
    .len = val_size,
    .value = (char *) val,
  };
  if (hivex_node_set_value (hive, (hive_node_h) nodeh, &v, 0) == -1) {
    reply_with_perror ("node %" PRIi64, nodeh);
    return -1;
  }
  return 0;
}
