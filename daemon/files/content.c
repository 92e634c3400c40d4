/* The contents of guest files: reading lines (head, tail, read_lines),
 * grep, counting, strings, hexdump, file(1) and zfile, filling files and
 * reading or writing parts of files and devices.
 *
 * Guest paths go through sysroot_open / sysroot_open_parent (openat2
 * RESOLVE_IN_ROOT) and *at() calls; file data is opened with f2_open_data,
 * which refuses device nodes found in the guest.  */
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

#define BLOCK (1024 * 1024)

/* ---- a list of strings with a size budget ---- */

struct linelist {
  struct stringsbuf sb;
  size_t bytes;
  bool too_big;
};

static int
ll_add (struct linelist *l, const char *s, size_t len)
{
  l->bytes += len + 8;
  if (l->bytes > F2_REPLY_LIMIT || l->sb.size >= XDR_MAX_LIST - 1) {
    l->too_big = true;
    errno = EFBIG;
    return -1;
  }
  char *c = strndup (s, len);
  if (c == NULL || add_string_nodup (&l->sb, c) == -1) {
    free (c);
    return -1;
  }
  return 0;
}

/* Finish the list, or reply with the error that stopped it. */
static char **
ll_finish (struct linelist *l, const char *path, int err)
{
  if (err == 0 && end_stringsbuf (&l->sb) == -1)
    err = errno ? errno : ENOMEM;
  if (err) {
    free_stringsbuf (&l->sb);
    if (l->too_big || err == EFBIG)
      reply_with_error_errno (EFBIG, "%s: the result is too large for the "
                              "protocol; use download instead", path);
    else
      reply_with_error_errno (err, "%s: %s", path, strerror (err));
    return NULL;
  }
  return take_stringsbuf (&l->sb);
}

/* A window of the last `max` lines seen (max > 0). */
struct ring {
  char **v;
  size_t cap, start, n, max;
};

/* Add a line (ownership taken); *evicted gets the oldest one if the
 * window was full, else NULL.  */
static int
ring_push (struct ring *r, char *line, char **evicted)
{
  *evicted = NULL;
  if (r->n == r->max) {
    *evicted = r->v[r->start];
    r->v[r->start] = line;
    r->start = (r->start + 1) % r->cap;
    return 0;
  }
  if (r->n == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 64;
    if (ncap > r->max)
      ncap = r->max;
    char **nv = malloc (ncap * sizeof *nv);
    if (nv == NULL)
      return -1;
    for (size_t i = 0; i < r->n; i++)
      nv[i] = r->v[(r->start + i) % r->cap];
    free (r->v);
    r->v = nv;
    r->cap = ncap;
    r->start = 0;
  }
  r->v[(r->start + r->n) % r->cap] = line;
  r->n++;
  return 0;
}

static void
ring_free (struct ring *r)
{
  for (size_t i = 0; i < r->n; i++)
    free (r->v[(r->start + i) % r->cap]);
  free (r->v);
}

/* Open a guest file as a stream of lines (replies on failure). */
static FILE *
open_lines (const char *path)
{
  int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  FILE *fp = fdopen (fd, "r");
  if (fp == NULL) {
    reply_with_perror ("fdopen");
    close (fd);
  }
  return fp;
}

/* Read one line without its newline; NULL at end (errno 0) or on error.
 * A line longer than a reply can carry is an error (EFBIG), so a huge
 * file without newlines cannot exhaust the appliance's memory.  */
static char *
next_line (FILE *fp, size_t *len)
{
  size_t alloc = 128, n = 0;
  char *line = malloc (alloc);
  if (line == NULL)
    return NULL;
  int c;
  errno = 0;
  while ((c = getc_unlocked (fp)) != EOF && c != '\n') {
    if (n + 1 >= alloc) {
      if (alloc >= F2_REPLY_LIMIT) {
        free (line);
        errno = EFBIG;
        return NULL;
      }
      char *nl = realloc (line, alloc * 2);
      if (nl == NULL) {
        free (line);
        return NULL;
      }
      line = nl;
      alloc *= 2;
    }
    line[n++] = (char) c;
  }
  if (c == EOF && (ferror (fp) || n == 0)) {
    int e = ferror (fp) ? (errno ? errno : EIO) : 0;
    free (line);
    errno = e;
    return NULL;
  }
  line[n] = '\0';
  *len = n;
  return line;
}

/* mode: 'h' head, 't' tail. */
static char **
head_tail (char mode, int nrlines, const char *path)
{
  FILE *fp = open_lines (path);
  if (fp == NULL)
    return NULL;
  struct linelist l = { 0 };
  struct ring ring = { 0 };
  int err = 0;
  long lineno = 0;
  char *line;
  size_t len;

  if (nrlines != 0) {
    bool keep_window = (mode == 'h' && nrlines < 0) || (mode == 't' && nrlines > 0);
    if (keep_window)
      ring.max = nrlines < 0 ? (size_t) -(long) nrlines : (size_t) nrlines;
    while ((line = next_line (fp, &len)) != NULL) {
      lineno++;
      if (mode == 'h' && nrlines > 0) {
        int r = ll_add (&l, line, len);
        free (line);
        if (r == -1) { err = errno; break; }
        if (lineno >= nrlines)
          break;
      }
      else if (mode == 't' && nrlines < 0) {
        /* From line -nrlines onwards. */
        if (lineno >= -(long) nrlines && ll_add (&l, line, len) == -1) {
          err = errno;
          free (line);
          break;
        }
        free (line);
      }
      else {
        char *old;
        if (ring_push (&ring, line, &old) == -1) {
          err = errno;
          free (line);
          break;
        }
        /* head: a line leaving the window is not among the last ones;
         * tail: it is dropped.  */
        int r = old && mode == 'h' ? ll_add (&l, old, strlen (old)) : 0;
        free (old);
        if (r == -1) { err = errno; break; }
      }
    }
    if (err == 0 && errno != 0)
      err = errno;
    if (err == 0 && mode == 't' && nrlines > 0) {
      for (size_t i = 0; i < ring.n && err == 0; i++) {
        const char *s = ring.v[(ring.start + i) % ring.cap];
        if (ll_add (&l, s, strlen (s)) == -1)
          err = errno;
      }
    }
  }
  ring_free (&ring);
  fclose (fp);
  return ll_finish (&l, path, err);
}

char **
do_head (const char *path)
{
  return head_tail ('h', 10, path);
}

char **
do_head_n (int nrlines, const char *path)
{
  return head_tail ('h', nrlines, path);
}

char **
do_tail (const char *path)
{
  return head_tail ('t', 10, path);
}

char **
do_tail_n (int nrlines, const char *path)
{
  return head_tail ('t', nrlines, path);
}

char **
do_read_lines (const char *path)
{
  FILE *fp = open_lines (path);
  if (fp == NULL)
    return NULL;
  struct linelist l = { 0 };
  int err = 0;
  char *line;
  size_t len;
  while ((line = next_line (fp, &len)) != NULL) {
    /* The content ends at the first NUL byte. */
    size_t nul = strlen (line);
    bool stop = nul < len;
    len = nul;
    if (len > 0 && line[len - 1] == '\r')
      len--;
    if (ll_add (&l, line, len) == -1) {
      err = errno;
      free (line);
      break;
    }
    free (line);
    if (stop)
      break;
  }
  if (err == 0 && errno != 0)
    err = errno;
  fclose (fp);
  return ll_finish (&l, path, err);
}

/* ---- grep ---- */

static char **
grep_common (const char *regex, const char *path, bool extended, bool fixed,
             bool insensitive, bool compressed)
{
  if (extended && fixed) {
    reply_with_error_errno (EINVAL, "can't use 'extended' and 'fixed' flags at "
                            "the same time");
    return NULL;
  }
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  const char *argv[8];
  size_t n = 0;
  argv[n++] = compressed ? "zgrep" : "grep";
  if (extended)
    argv[n++] = "-E";
  if (fixed)
    argv[n++] = "-F";
  if (insensitive)
    argv[n++] = "-i";
  argv[n++] = "--";
  argv[n++] = regex;
  argv[n] = NULL;
  struct command_opts opts = { .flags = CMD_STDIN_FD, .stdin_fd = fd };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (&opts, &out, &err, argv);
  if (r == 1)                   /* no lines matched */
    return calloc (1, sizeof (char *));
  if (r != 0) {
    reply_with_error ("%s: %s: %s", argv[0], path,
                      err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  if (strlen (out) > F2_REPLY_LIMIT) {
    reply_with_error_errno (EFBIG, "%s: the result is too large for the protocol", path);
    return NULL;
  }
  char **lines = split_lines (out);
  if (lines == NULL)
    reply_with_perror ("malloc");
  return lines;
}

char **
do_grep (const char *regex, const char *path, int extended, int fixed,
         int insensitive, int compressed)
{
  uint64_t m = optargs_bitmask;
  return grep_common (regex, path,
                      (m & GUESTFS_GREP_OPTS_EXTENDED_BITMASK) && extended,
                      (m & GUESTFS_GREP_OPTS_FIXED_BITMASK) && fixed,
                      (m & GUESTFS_GREP_OPTS_INSENSITIVE_BITMASK) && insensitive,
                      (m & GUESTFS_GREP_OPTS_COMPRESSED_BITMASK) && compressed);
}

char **do_egrep (const char *r, const char *p) { return grep_common (r, p, 1, 0, 0, 0); }
char **do_fgrep (const char *r, const char *p) { return grep_common (r, p, 0, 1, 0, 0); }
char **do_grepi (const char *r, const char *p) { return grep_common (r, p, 0, 0, 1, 0); }
char **do_egrepi (const char *r, const char *p) { return grep_common (r, p, 1, 0, 1, 0); }
char **do_fgrepi (const char *r, const char *p) { return grep_common (r, p, 0, 1, 1, 0); }
char **do_zgrep (const char *r, const char *p) { return grep_common (r, p, 0, 0, 0, 1); }
char **do_zegrep (const char *r, const char *p) { return grep_common (r, p, 1, 0, 0, 1); }
char **do_zfgrep (const char *r, const char *p) { return grep_common (r, p, 0, 1, 0, 1); }
char **do_zgrepi (const char *r, const char *p) { return grep_common (r, p, 0, 0, 1, 1); }
char **do_zegrepi (const char *r, const char *p) { return grep_common (r, p, 1, 0, 1, 1); }
char **do_zfgrepi (const char *r, const char *p) { return grep_common (r, p, 0, 1, 1, 1); }

/* ---- wc ---- */

static int
wc (const char *flag, const char *path)
{
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  struct command_opts opts = { .flags = CMD_STDIN_FD, .stdin_fd = fd };
  const char *argv[] = { "wc", flag, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (&opts, &out, &err, argv);
  if (r != 0) {
    reply_with_error ("wc %s: %s: %s", flag, path, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  char *end;
  errno = 0;
  long long v = strtoll (out, &end, 10);
  if (errno || end == out || v < 0) {
    reply_with_error ("wc %s: %s: unexpected output", flag, path);
    return -1;
  }
  if (v > INT_MAX) {
    reply_with_error_errno (EOVERFLOW, "%s: count is too large (%lld)", path, v);
    return -1;
  }
  return (int) v;
}

int do_wc_l (const char *path) { return wc ("-l", path); }
int do_wc_w (const char *path) { return wc ("-w", path); }
int do_wc_c (const char *path) { return wc ("-c", path); }

/* ---- strings ---- */

/* Append code point c (<= 0xff) as UTF-8. */
static size_t
put_utf8 (char *p, unsigned c)
{
  if (c < 0x80) {
    p[0] = (char) c;
    return 1;
  }
  p[0] = (char) (0xc0 | (c >> 6));
  p[1] = (char) (0x80 | (c & 0x3f));
  return 2;
}

char **
do_strings_e (const char *encoding, const char *path)
{
  size_t unit;
  bool big_endian = false, eight_bit = false;
  if (strcmp (encoding, "s") == 0) unit = 1;
  else if (strcmp (encoding, "S") == 0) { unit = 1; eight_bit = true; }
  else if (strcmp (encoding, "b") == 0) { unit = 2; big_endian = true; }
  else if (strcmp (encoding, "l") == 0) unit = 2;
  else if (strcmp (encoding, "B") == 0) { unit = 4; big_endian = true; }
  else if (strcmp (encoding, "L") == 0) unit = 4;
  else {
    reply_with_error_errno (EINVAL, "%s: unknown encoding (expecting one of "
                            "s, S, b, l, B, L)", encoding);
    return NULL;
  }
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  CLEANUP_FREE unsigned char *buf = malloc (BLOCK);
  /* The current run, in UTF-8 (at most 2 bytes per character). */
  size_t run_alloc = 4096, run_len = 0, run_chars = 0;
  char *run = malloc (run_alloc);
  if (buf == NULL || run == NULL) {
    free (run);
    reply_with_perror ("malloc");
    return NULL;
  }
  struct linelist l = { 0 };
  int err = 0;
  unsigned char part[4];
  size_t part_len = 0;
  for (;;) {
    ssize_t n = f2_read_full (fd, buf, BLOCK);
    if (n < 0) {
      err = errno;
      break;
    }
    /* n == 0: one more pass with nothing to flush the last run. */
    for (ssize_t i = 0; i <= n && err == 0; i++) {
      bool end = i == n;
      unsigned c = 0;
      bool printable = false;
      if (!end) {
        part[part_len++] = buf[i];
        if (part_len < unit)
          continue;
        for (size_t k = 0; k < unit; k++)
          c |= (unsigned) part[big_endian ? k : unit - 1 - k] << (8 * (unit - 1 - k));
        part_len = 0;
        printable = (c >= 0x20 && c < 0x7f) || c == '\t' ||
          (eight_bit && c >= 0x80 && c <= 0xff);
      }
      else if (n > 0)
        break;                  /* block boundary: the run continues */
      if (printable) {
        if (run_len + 3 > run_alloc) {
          if (run_alloc >= F2_REPLY_LIMIT) {
            l.too_big = true;
            err = EFBIG;
            break;
          }
          char *nr = realloc (run, run_alloc * 2);
          if (nr == NULL) { err = errno; break; }
          run = nr;
          run_alloc *= 2;
        }
        run_len += put_utf8 (run + run_len, c);
        run_chars++;
        continue;
      }
      if (run_chars >= 4 && ll_add (&l, run, run_len) == -1)
        err = errno;
      run_len = run_chars = 0;
    }
    if (n == 0 || err)
      break;
  }
  free (run);
  return ll_finish (&l, path, err);
}

char **
do_strings (const char *path)
{
  return do_strings_e ("s", path);
}

/* ---- hexdump -C ---- */

struct strbuf {
  char *s;
  size_t len, alloc;
};

static int
sb_printf (struct strbuf *b, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
static int
sb_printf (struct strbuf *b, const char *fmt, ...)
{
  va_list ap;
  char tmp[256];
  va_start (ap, fmt);
  int n = vsnprintf (tmp, sizeof tmp, fmt, ap);
  va_end (ap);
  if (n < 0 || (size_t) n >= sizeof tmp)
    return -1;
  if (b->len + (size_t) n + 1 > b->alloc) {
    size_t na = b->alloc ? b->alloc * 2 : 4096;
    if (na > F2_REPLY_LIMIT) {
      errno = EFBIG;
      return -1;
    }
    char *ns = realloc (b->s, na);
    if (ns == NULL)
      return -1;
    b->s = ns;
    b->alloc = na;
  }
  memcpy (b->s + b->len, tmp, (size_t) n + 1);
  b->len += (size_t) n;
  return 0;
}

char *
do_hexdump (const char *path)
{
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  struct strbuf b = { 0 };
  if (sb_printf (&b, "%s", "") == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  unsigned char line[16], prev[16];
  bool have_prev = false, squeezing = false;
  uint64_t off = 0;
  for (;;) {
    ssize_t n = f2_read_full (fd, line, sizeof line);
    if (n < 0) {
      reply_with_perror ("read: %s", path);
      free (b.s);
      return NULL;
    }
    if (n == 0)
      break;
    int r = 0;
    if (n == 16 && have_prev && memcmp (line, prev, 16) == 0) {
      if (!squeezing)
        r = sb_printf (&b, "*\n");
      squeezing = true;
    }
    else {
      squeezing = false;
      r = sb_printf (&b, "%08" PRIx64 " ", off);
      for (ssize_t i = 0; i < 16 && r == 0; i++) {
        if (i == 8)
          r = sb_printf (&b, " ");
        if (r == 0)
          r = i < n ? sb_printf (&b, " %02x", line[i]) : sb_printf (&b, "   ");
      }
      if (r == 0)
        r = sb_printf (&b, "  |");
      for (ssize_t i = 0; i < n && r == 0; i++)
        r = sb_printf (&b, "%c", line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '.');
      if (r == 0)
        r = sb_printf (&b, "|\n");
    }
    if (r == -1) {
      if (errno == EFBIG)
        reply_with_error_errno (EFBIG, "%s: the hex dump is too large for the "
                                "protocol", path);
      else
        reply_with_perror ("malloc");
      free (b.s);
      return NULL;
    }
    memcpy (prev, line, sizeof line);
    have_prev = n == 16;
    off += (uint64_t) n;
    if (n < 16)
      break;
  }
  if (off > 0 && sb_printf (&b, "%08" PRIx64 "\n", off) == -1) {
    reply_with_perror ("malloc");
    free (b.s);
    return NULL;
  }
  return b.s;
}

/* ---- file(1) ---- */

static char *
run_file (const char *what, const char *arg, const char *flags)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command (&out, &err, "file", flags, "--", arg, NULL);
  if (r != 0) {
    reply_with_error ("file: %s: %s", what, err && *err ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  return trim_newlines (out);
}

char *
do_file (const char *path)
{
  if (strncmp (path, "/dev/", 5) == 0)
    /* A device (validated by the dispatch): look at its content. */
    return run_file (path, path, "-zbsL");

  CLEANUP_CLOSE int pfd = sysroot_open (path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
  struct stat st;
  if (pfd == -1 || fstat (pfd, &st) == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  const char *type = NULL;
  switch (st.st_mode & S_IFMT) {
  case S_IFDIR: type = "directory"; break;
  case S_IFCHR: type = "character device"; break;
  case S_IFBLK: type = "block device"; break;
  case S_IFIFO: type = "FIFO"; break;
  case S_IFLNK: type = "symbolic link"; break;
  case S_IFSOCK: type = "socket"; break;
  case S_IFREG: break;
  default: type = "unknown"; break;
  }
  if (type)
    return strdup (type);
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  CLEANUP_FREE char *p = fd_path (fd);
  if (p == NULL) {
    reply_with_perror ("fd_path");
    return NULL;
  }
  return run_file (path, p, "-zbL");
}

/* ---- filling files ---- */

static int
fill_file (const char *path, const char *pattern, size_t plen, int len)
{
  if (len < 0) {
    reply_with_error_errno (EINVAL, "%s: length must not be negative", path);
    return -1;
  }
  int fd = f2_open_data (path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *buf = malloc (BLOCK);
  if (buf == NULL) {
    close (fd);
    reply_with_perror ("malloc");
    return -1;
  }
  if (plen == 1)
    memset (buf, pattern[0], BLOCK);
  uint64_t total = (uint64_t) len, pos = 0;
  while (pos < total) {
    size_t n = total - pos < BLOCK ? (size_t) (total - pos) : BLOCK;
    if (plen > 1)
      for (size_t i = 0; i < n; i++)
        buf[i] = pattern[(pos + i) % plen];
    if (f2_write_full (fd, buf, n) == -1) {
      reply_with_perror ("write: %s", path);
      close (fd);
      return -1;
    }
    pos += n;
    notify_progress (pos, total);
  }
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", path);
    return -1;
  }
  return 0;
}

int
do_fill (int c, int len, const char *path)
{
  if (c < 0 || c > 255) {
    reply_with_error_errno (EINVAL, "%d: byte value must be in the range 0..255", c);
    return -1;
  }
  char b = (char) c;
  return fill_file (path, &b, 1, len);
}

int
do_fill_pattern (const char *pattern, int len, const char *path)
{
  size_t plen = strlen (pattern);
  if (plen == 0) {
    reply_with_error_errno (EINVAL, "the pattern must not be empty");
    return -1;
  }
  return fill_file (path, pattern, plen, len);
}

int
do_write_file (const char *path, const char *content, int size)
{
  size_t clen = strlen (content);
  if (size < 0 || (size_t) size > clen) {
    reply_with_error_errno (EINVAL, "%s: size %d does not fit the content "
                            "(%zu bytes)", path, size, clen);
    return -1;
  }
  size_t n = size == 0 ? clen : (size_t) size;
  int fd = f2_open_data (path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd == -1)
    return -1;
  if (f2_write_full (fd, content, n) == -1) {
    reply_with_perror ("write: %s", path);
    close (fd);
    return -1;
  }
  if (close (fd) == -1) {
    reply_with_perror ("close: %s", path);
    return -1;
  }
  return 0;
}

/* ---- parts of files and devices ---- */

static char *
pread_fd (int fd, const char *name, int count, int64_t offset, size_t *size_r)
{
  char *buf = malloc (count > 0 ? (size_t) count : 1);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  ssize_t r = count > 0 ? f2_pread_full (fd, buf, (size_t) count, (off_t) offset) : 0;
  if (r == -1) {
    reply_with_perror ("pread: %s", name);
    free (buf);
    return NULL;
  }
  *size_r = (size_t) r;
  return buf;
}

static int
check_count_offset (const char *name, int64_t count, int64_t offset, bool is_read)
{
  if (count < 0 || offset < 0) {
    reply_with_error_errno (EINVAL, "%s: %s must not be negative", name,
                            count < 0 ? "count" : "offset");
    return -1;
  }
  if (is_read && count > (int64_t) F2_REPLY_LIMIT) {
    reply_with_error_errno (EINVAL, "%s: count is too large for the protocol "
                            "(use download_offset)", name);
    return -1;
  }
  return 0;
}

char *
do_pread (const char *path, int count, int64_t offset, size_t *size_r)
{
  if (check_count_offset (path, count, offset, true) == -1)
    return NULL;
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  return pread_fd (fd, path, count, offset, size_r);
}

char *
do_pread_device (const char *device, int count, int64_t offset, size_t *size_r)
{
  if (check_count_offset (device, count, offset, true) == -1)
    return NULL;
  CLEANUP_CLOSE int fd = f2_open_device (device, O_RDONLY);
  if (fd == -1)
    return NULL;
  return pread_fd (fd, device, count, offset, size_r);
}

static int
pwrite_fd (int fd, const char *name, const char *content, size_t size, int64_t offset)
{
  ssize_t r;
  do
    r = pwrite (fd, content, size, (off_t) offset);
  while (r == -1 && errno == EINTR);
  if (r == -1) {
    reply_with_perror ("pwrite: %s", name);
    return -1;
  }
  return (int) r;
}

int
do_pwrite (const char *path, const char *content, size_t content_size, int64_t offset)
{
  if (check_count_offset (path, 0, offset, false) == -1)
    return -1;
  int fd = f2_open_data (path, O_WRONLY, 0);
  if (fd == -1)
    return -1;
  int r = pwrite_fd (fd, path, content, content_size, offset);
  if (close (fd) == -1 && r >= 0) {
    reply_with_perror ("close: %s", path);
    return -1;
  }
  return r;
}

int
do_pwrite_device (const char *device, const char *content, size_t content_size,
                  int64_t offset)
{
  if (check_count_offset (device, 0, offset, false) == -1)
    return -1;
  int fd = f2_open_device (device, O_WRONLY);
  if (fd == -1)
    return -1;
  int r = pwrite_fd (fd, device, content, content_size, offset);
  if (r >= 0 && fsync (fd) == -1) {
    reply_with_perror ("fsync: %s", device);
    r = -1;
  }
  close (fd);
  return r;
}

char *
do_zfile (const char *meth, const char *path)
{
  const char *unpack;
  if (strcmp (meth, "gzip") == 0 || strcmp (meth, "compress") == 0)
    unpack = "zcat";
  else if (strcmp (meth, "bzip2") == 0)
    unpack = "bzcat";
  else if (strcmp (meth, "xz") == 0)
    unpack = "xzcat";
  else {
    reply_with_error ("unknown method \"%s\": use gzip, compress, bzip2 or xz", meth);
    return NULL;
  }
  CLEANUP_CLOSE int fd = sysroot_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1) {
    reply_with_perror ("pipe");
    return NULL;
  }
  /* unpack < file | file -b -: file(1) sees only the decompressed bytes. */
  const char *unpack_argv[] = { unpack, NULL };
  int devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid = spawn_program (unpack_argv, -1, fd, p[1], devnull);
  close (p[1]);
  if (devnull >= 0)
    close (devnull);
  if (pid == -1) {
    close (p[0]);
    reply_with_perror ("%s", unpack);
    return NULL;
  }
  struct command_opts o = { .flags = CMD_STDIN_FD, .stdin_fd = p[0] };
  const char *file_argv[] = { "file", "-b", "-", NULL };
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&o, &out, &err, file_argv);
  close (p[0]);
  int ur = wait_program (pid);
  if (r != 0) {
    reply_with_error ("file: %s", err && err[0] ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  if (ur != 0) {
    reply_with_error ("%s: %s could not decompress it", path, unpack);
    free (out);
    return NULL;
  }
  return trim_newlines (out);
}
