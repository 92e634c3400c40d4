/* Extended attributes: getxattrs, lgetxattrs, getxattr, lgetxattr,
 * setxattr, lsetxattr, removexattr, lremovexattr, lxattrlist.
 *
 * The *xattr(2) calls take a path, and an O_PATH descriptor is not
 * accepted by fgetxattr and friends.  So a guest path is first resolved
 * safely, then named through /proc:
 *  - the following variants open the file itself with sysroot_open (every
 *    symlink resolved inside the guest) and use /proc/self/fd/N, a magic
 *    link that leads straight to that file;
 *  - the l* variants open the parent directory with sysroot_open_parent and
 *    use /proc/self/fd/P/NAME: NAME is one component, looked up in that
 *    directory, and the l* calls do not follow it if it is a symlink.
 * "/proc/self/fd/P/.." would climb out of the guest at its root, so
 * neither ".." nor "/" may appear in a name given to the l* variants
 * (sysroot_open_parent never produces one). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "files-common.h"
#include "actions-gen.h"

/* A guest file named for the *xattr(2) calls. */
struct xpath {
  int fd;
  char *path;                   /* /proc/self/fd/N[/NAME] */
};

static void
xpath_free (struct xpath *x)
{
  if (x->fd >= 0)
    close (x->fd);
  free (x->path);
}

/* Resolve path; follow: whether a final symlink is followed.  Replies on
 * failure. */
static int
xpath_open (const char *path, bool follow, struct xpath *x)
{
  x->path = NULL;
  if (follow) {
    x->fd = sysroot_open (path, O_PATH, 0);
    if (x->fd == -1) {
      reply_with_perror ("%s", path);
      return -1;
    }
    if (asprintf (&x->path, "/proc/self/fd/%d", x->fd) == -1) {
      reply_with_perror ("asprintf");
      xpath_free (x);
      return -1;
    }
    return 0;
  }
  CLEANUP_FREE char *base = NULL;
  x->fd = sysroot_open_parent (path, &base);
  if (x->fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  if (asprintf (&x->path, "/proc/self/fd/%d/%s", x->fd, base) == -1) {
    reply_with_perror ("asprintf");
    xpath_free (x);
    return -1;
  }
  return 0;
}

/* One component inside the directory dirfd, for lxattrlist. */
static char *
entry_path (int dirfd, const char *name)
{
  if (name[0] == '\0' || strchr (name, '/') || strcmp (name, "..") == 0) {
    errno = EINVAL;
    return NULL;
  }
  char *p;
  if (asprintf (&p, "/proc/self/fd/%d/%s", dirfd, name) == -1)
    return NULL;
  return p;
}

/* listxattr/llistxattr into a malloc'd buffer, growing it when the list
 * changes under us.  Returns the size or -1 (errno set). */
static ssize_t
list_names (const char *p, bool follow, char **buf_r)
{
  for (int tries = 0; tries < 10; ++tries) {
    ssize_t n = follow ? listxattr (p, NULL, 0) : llistxattr (p, NULL, 0);
    if (n == -1)
      return -1;
    char *buf = malloc ((size_t) n + 1);
    if (!buf)
      return -1;
    ssize_t m = follow ? listxattr (p, buf, (size_t) n) : llistxattr (p, buf, (size_t) n);
    if (m >= 0) {
      buf[m] = '\0';
      *buf_r = buf;
      return m;
    }
    free (buf);
    if (errno != ERANGE)
      return -1;
  }
  errno = ERANGE;
  return -1;
}

/* getxattr/lgetxattr into a malloc'd buffer. */
static char *
get_value (const char *p, const char *name, bool follow, size_t *len_r)
{
  for (int tries = 0; tries < 10; ++tries) {
    ssize_t n = follow ? getxattr (p, name, NULL, 0) : lgetxattr (p, name, NULL, 0);
    if (n == -1)
      return NULL;
    char *buf = malloc ((size_t) n + 1);   /* +1: never malloc (0) */
    if (!buf)
      return NULL;
    ssize_t m = follow ? getxattr (p, name, buf, (size_t) n) : lgetxattr (p, name, buf, (size_t) n);
    if (m >= 0) {
      *len_r = (size_t) m;
      return buf;
    }
    free (buf);
    if (errno != ERANGE)
      return NULL;
  }
  errno = ERANGE;
  return NULL;
}

/* A growing xattr list. */
struct xlist {
  struct guestfs_xattr_list *l;
  size_t alloc;
};

static int
xlist_init (struct xlist *x)
{
  x->l = calloc (1, sizeof *x->l);
  x->alloc = 0;
  return x->l ? 0 : -1;
}

/* Takes ownership of name and val. */
static int
xlist_add (struct xlist *x, char *name, char *val, size_t len)
{
  if (x->l->len == x->alloc) {
    size_t na = x->alloc ? x->alloc * 2 : 8;
    struct guestfs_xattr *v = realloc (x->l->val, na * sizeof *v);
    if (!v) {
      free (name);
      free (val);
      return -1;
    }
    x->l->val = v;
    x->alloc = na;
  }
  x->l->val[x->l->len].attrname = name;
  x->l->val[x->l->len].attrval = val;
  x->l->val[x->l->len].attrval_len = (uint32_t) len;
  x->l->len++;
  return 0;
}

static void
xlist_free (struct xlist *x)
{
  if (!x->l)
    return;
  for (uint32_t i = 0; i < x->l->len; ++i) {
    free (x->l->val[i].attrname);
    free (x->l->val[i].attrval);
  }
  free (x->l->val);
  free (x->l);
  x->l = NULL;
}

/* Append every attribute of p to x.  Returns the number added or -1 (errno
 * set). */
static int
add_all (struct xlist *x, const char *p, bool follow)
{
  CLEANUP_FREE char *names = NULL;
  ssize_t n = list_names (p, follow, &names);
  if (n == -1)
    return -1;
  int count = 0;
  for (ssize_t i = 0; i < n; i += (ssize_t) strlen (names + i) + 1) {
    const char *name = names + i;
    if (!*name)
      continue;
    size_t len;
    char *val = get_value (p, name, follow, &len);
    if (!val) {
      if (errno == ENODATA)     /* removed meanwhile */
        continue;
      return -1;
    }
    char *nm = strdup (name);
    if (!nm) {
      free (val);
      return -1;
    }
    if (xlist_add (x, nm, val, len) == -1)
      return -1;
    count++;
  }
  return count;
}

static struct guestfs_xattr_list *
get_all (const char *path, bool follow)
{
  struct xpath xp;
  if (xpath_open (path, follow, &xp) == -1)
    return NULL;
  struct xlist x;
  if (xlist_init (&x) == -1) {
    reply_with_perror ("malloc");
    xpath_free (&xp);
    return NULL;
  }
  if (add_all (&x, xp.path, follow) == -1) {
    reply_with_perror ("%s", path);
    xlist_free (&x);
    xpath_free (&xp);
    return NULL;
  }
  xpath_free (&xp);
  return x.l;
}

struct guestfs_xattr_list *
do_getxattrs (const char *path)
{
  return get_all (path, true);
}

struct guestfs_xattr_list *
do_lgetxattrs (const char *path)
{
  return get_all (path, false);
}

static char *
get_one (const char *path, const char *name, bool follow,
         size_t *size_r)
{
  struct xpath xp;
  if (xpath_open (path, follow, &xp) == -1)
    return NULL;
  size_t len;
  char *val = get_value (xp.path, name, follow, &len);
  if (!val)
    reply_with_perror ("%s: %s", path, name);
  else
    *size_r = len;
  xpath_free (&xp);
  return val;
}

char *
do_getxattr (const char *path, const char *name, size_t *size_r)
{
  return get_one (path, name, true, size_r);
}

char *
do_lgetxattr (const char *path, const char *name, size_t *size_r)
{
  return get_one (path, name, false, size_r);
}

static int
set_one (const char *xattr, const char *val, int vallen,
         const char *path, bool follow)
{
  /* val travels as a string: it has strlen (val) bytes and a NUL. */
  if (vallen < 0 || (size_t) vallen > strlen (val) + 1) {
    reply_with_error_errno (EINVAL, "vallen %d does not fit the %zu-byte value",
                            vallen, strlen (val));
    return -1;
  }
  struct xpath xp;
  if (xpath_open (path, follow, &xp) == -1)
    return -1;
  int r = follow ? setxattr (xp.path, xattr, val, (size_t) vallen, 0)
                 : lsetxattr (xp.path, xattr, val, (size_t) vallen, 0);
  if (r == -1)
    reply_with_perror ("%s: %s", path, xattr);
  xpath_free (&xp);
  return r == -1 ? -1 : 0;
}

int
do_setxattr (const char *xattr, const char *val, int vallen, const char *path)
{
  return set_one (xattr, val, vallen, path, true);
}

int
do_lsetxattr (const char *xattr, const char *val, int vallen, const char *path)
{
  return set_one (xattr, val, vallen, path, false);
}

static int
remove_one (const char *xattr, const char *path, bool follow)
{
  struct xpath xp;
  if (xpath_open (path, follow, &xp) == -1)
    return -1;
  int r = follow ? removexattr (xp.path, xattr) : lremovexattr (xp.path, xattr);
  if (r == -1)
    reply_with_perror ("%s: %s", path, xattr);
  xpath_free (&xp);
  return r == -1 ? -1 : 0;
}

int
do_removexattr (const char *xattr, const char *path)
{
  return remove_one (xattr, path, true);
}

int
do_lremovexattr (const char *xattr, const char *path)
{
  return remove_one (xattr, path, false);
}

/* For each name: a marker entry (empty attrname; attrval the decimal count
 * of attributes that follow, or empty when reading them failed), then the
 * attributes themselves (lgetxattr semantics). */
struct guestfs_xattr_list *
do_lxattrlist (const char *path, char *const *names)
{
  if (f2_check_names (names) == -1)
    return NULL;
  CLEANUP_CLOSE int dirfd = sysroot_open (path, O_PATH | O_DIRECTORY, 0);
  if (dirfd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  struct xlist x;
  if (xlist_init (&x) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  for (size_t i = 0; names[i]; ++i) {
    char *marker_name = strdup ("");
    char *marker_val = strdup ("");
    if (!marker_name || !marker_val || xlist_add (&x, marker_name, marker_val, 0) == -1) {
      if (marker_name) free (marker_name);
      if (marker_val) free (marker_val);
      goto oom;
    }
    size_t marker = x.l->len - 1;
    CLEANUP_FREE char *p = entry_path (dirfd, names[i]);
    if (!p) {
      if (errno == ENOMEM)
        goto oom;
      continue;                 /* bad name: an error entry */
    }
    uint32_t before = x.l->len;
    int n = add_all (&x, p, false);
    if (n == -1) {
      if (errno == ENOMEM)
        goto oom;
      /* Drop what was added for this file; leave the error marker. */
      while (x.l->len > before) {
        x.l->len--;
        free (x.l->val[x.l->len].attrname);
        free (x.l->val[x.l->len].attrval);
      }
      continue;
    }
    char *count;
    if (asprintf (&count, "%d", n) == -1)
      goto oom;
    free (x.l->val[marker].attrval);
    x.l->val[marker].attrval = count;
    x.l->val[marker].attrval_len = (uint32_t) strlen (count) + 1;
  }
  return x.l;

 oom:
  reply_with_perror ("%s", path);
  xlist_free (&x);
  return NULL;
}
