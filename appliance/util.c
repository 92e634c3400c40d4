/* Small helpers for the appliance builder: errors, memory, files, hashing,
 * string sets, running programs.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

void
logmsg (struct ctx *c, const char *fmt, ...)
{
  if (!c->in->verbose || !c->in->log_fn)
    return;
  va_list ap;
  char *msg;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) >= 0) {
    c->in->log_fn (c->in->log_opaque, msg);
    free (msg);
  }
  va_end (ap);
}

static int
vseterr (struct ctx *c, int errnum, const char *fmt, va_list ap)
{
  char *msg;
  if (c->errmsg)                /* keep the first (root-cause) error */
    return -1;
  if (vasprintf (&msg, fmt, ap) < 0)
    return -1;
  if (errnum) {
    char *m2 = xasprintf ("%s: %s", msg, strerror (errnum));
    free (msg);
    msg = m2;
  }
  c->errmsg = msg;
  return -1;
}

int
seterr (struct ctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vseterr (c, 0, fmt, ap);
  va_end (ap);
  return -1;
}

int
seterr_errno (struct ctx *c, const char *fmt, ...)
{
  int e = errno;
  va_list ap;
  va_start (ap, fmt);
  vseterr (c, e, fmt, ap);
  va_end (ap);
  return -1;
}

void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (!p) { perror ("malloc"); abort (); }
  return p;
}

void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (!p) { perror ("realloc"); abort (); }
  return p;
}

char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (!r) { perror ("strdup"); abort (); }
  return r;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *r;
  va_start (ap, fmt);
  if (vasprintf (&r, fmt, ap) < 0) { perror ("asprintf"); abort (); }
  va_end (ap);
  return r;
}

double
now_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
read_file_bounded (const char *path, size_t max, char **data, size_t *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0) { close (fd); return -1; }
  if (!S_ISREG (st.st_mode) || (uint64_t) st.st_size > max) {
    close (fd);
    errno = S_ISREG (st.st_mode) ? EFBIG : EINVAL;
    return -1;
  }
  size_t cap = st.st_size, n = 0;
  char *buf = xmalloc (cap + 1);
  for (;;) {
    if (n == cap) {               /* the file grew while we read it */
      if (cap >= max) { free (buf); close (fd); errno = EFBIG; return -1; }
      cap = cap * 2 + 4096 < max ? cap * 2 + 4096 : max;
      buf = xrealloc (buf, cap + 1);
    }
    ssize_t r = read (fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      free (buf); close (fd); return -1;
    }
    if (r == 0) break;
    n += r;
  }
  close (fd);
  buf[n] = '\0';                  /* callers may treat text as a string */
  *data = buf;
  *len = n;
  return 0;
}

static int
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;
  while (len > 0) {
    ssize_t r = write (fd, p, len);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += r;
    len -= r;
  }
  return 0;
}

int
write_file (const char *path, const void *data, size_t len, mode_t mode)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                 mode);
  if (fd < 0)
    return -1;
  if (write_all (fd, data, len) < 0) { int e = errno; close (fd); errno = e; return -1; }
  if (fchmod (fd, mode) < 0) { int e = errno; close (fd); errno = e; return -1; }
  return close (fd);
}

int
mkdir_p (const char *path, mode_t mode)
{
  char *p = xstrdup (path);
  for (char *s = p + 1; ; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char saved = *s;
    *s = '\0';
    struct stat st;
    if (lstat (p, &st) == 0) {
      /* An existing symlink here could point anywhere (even to the host's
       * /usr); refuse rather than write through it.  */
      if (!S_ISDIR (st.st_mode)) { free (p); errno = ENOTDIR; return -1; }
    }
    else if (errno != ENOENT || (mkdir (p, mode) < 0 && errno != EEXIST)) {
      free (p);
      return -1;
    }
    *s = saved;
    if (saved == '\0')
      break;
  }
  free (p);
  return 0;
}

/* Recursive delete without following symlinks.  */
static int
rm_rf_at (int dirfd, const char *name)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR (st.st_mode))
    return unlinkat (dirfd, name, 0);
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  DIR *d = fdopendir (fd);
  if (!d) { close (fd); return -1; }
  struct dirent *e;
  int r = 0;
  while ((e = readdir (d)) != NULL) {
    if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
      continue;
    if (rm_rf_at (fd, e->d_name) < 0)
      r = -1;
  }
  closedir (d);
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0)
    r = -1;
  return r;
}

int
rm_rf (const char *path)
{
  return rm_rf_at (AT_FDCWD, path);
}

int
copy_file (const char *src, const char *dst, mode_t mode)
{
  int in = open (src, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return -1;
  int out = open (dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
  if (out < 0) { int e = errno; close (in); errno = e; return -1; }
  int r = 0;
  /* copy_file_range lets the kernel clone or copy without a user buffer. */
  for (;;) {
    ssize_t n = copy_file_range (in, NULL, out, NULL, 1 << 30, 0);
    if (n == 0) break;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
      r = -1;
      break;
    }
    /* Fall back to read/write (the offsets carry on where we are).  */
    char buf[65536];
    for (;;) {
      ssize_t k = read (in, buf, sizeof buf);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) { r = -1; break; }
      if (k == 0) break;
      if (write_all (out, buf, k) < 0) { r = -1; break; }
    }
    break;
  }
  int e = errno;
  if (r == 0 && fchmod (out, mode) < 0) { r = -1; e = errno; }
  close (in);
  if (close (out) < 0 && r == 0) { r = -1; e = errno; }
  errno = e;
  return r;
}

int
run_cmd (char *const argv[], int out_fd, int in_fd)
{
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int devnull = open ("/dev/null", O_RDWR);
    dup2 (in_fd >= 0 ? in_fd : devnull, 0);
    dup2 (out_fd >= 0 ? out_fd : devnull, 1);
    execvp (argv[0], argv);
    fprintf (stderr, "hatch-make-appliance: cannot run %s: %s\n",
             argv[0], strerror (errno));
    _exit (127);
  }
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  if (!WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

/* Two independent 64-bit FNV-1a lanes (different offset bases, the second
 * fed a rotated byte) make a 128-bit key: plenty against accidental
 * collisions, which is all a cache key needs.  */
void
hash_init (struct hash *h)
{
  h->a = 0xcbf29ce484222325ULL;
  h->b = 0x84222325cbf29ce4ULL;
}

void
hash_bytes (struct hash *h, const void *p, size_t n)
{
  const unsigned char *s = p;
  uint64_t a = h->a, b = h->b;
  for (size_t i = 0; i < n; i++) {
    a = (a ^ s[i]) * 0x100000001b3ULL;
    b = (b ^ (unsigned char) (s[i] * 31 + 7)) * 0x100000001b3ULL;
    b ^= b >> 29;
  }
  h->a = a;
  h->b = b;
}

void
hash_str (struct hash *h, const char *s)
{
  hash_bytes (h, s ? s : "", s ? strlen (s) + 1 : 1);
}

void
hash_u64 (struct hash *h, uint64_t v)
{
  hash_bytes (h, &v, sizeof v);
}

int
hash_file (struct hash *h, const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  char buf[65536];
  for (;;) {
    ssize_t r = read (fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { int e = errno; close (fd); errno = e; return -1; }
    if (r == 0) break;
    hash_bytes (h, buf, r);
  }
  close (fd);
  return 0;
}

void
hash_hex (const struct hash *h, char out[33])
{
  snprintf (out, 33, "%016llx%016llx",
            (unsigned long long) h->a, (unsigned long long) h->b);
}

static uint64_t
str_hash (const char *s)
{
  uint64_t v = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    v = (v ^ (unsigned char) *s) * 0x100000001b3ULL;
  return v;
}

int
strset_add (struct strset *s, const char *str)
{
  if (s->count * 2 >= s->size) {
    size_t nsize = s->size ? s->size * 2 : 1024;
    char **nslots = calloc (nsize, sizeof *nslots);
    if (!nslots) abort ();
    for (size_t i = 0; i < s->size; i++) {
      if (!s->slots[i]) continue;
      size_t j = str_hash (s->slots[i]) & (nsize - 1);
      while (nslots[j]) j = (j + 1) & (nsize - 1);
      nslots[j] = s->slots[i];
    }
    free (s->slots);
    s->slots = nslots;
    s->size = nsize;
  }
  size_t j = str_hash (str) & (s->size - 1);
  while (s->slots[j]) {
    if (!strcmp (s->slots[j], str))
      return 0;
    j = (j + 1) & (s->size - 1);
  }
  s->slots[j] = xstrdup (str);
  s->count++;
  return 1;
}

bool
strset_has (const struct strset *s, const char *str)
{
  if (!s->size)
    return false;
  size_t j = str_hash (str) & (s->size - 1);
  while (s->slots[j]) {
    if (!strcmp (s->slots[j], str))
      return true;
    j = (j + 1) & (s->size - 1);
  }
  return false;
}

void
strset_free (struct strset *s)
{
  for (size_t i = 0; i < s->size; i++)
    free (s->slots[i]);
  free (s->slots);
  s->slots = NULL;
  s->size = s->count = 0;
}

void
strlist_push (struct strlist *l, char *owned)
{
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->v = xrealloc (l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = owned;
}

void
strlist_free (struct strlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}
