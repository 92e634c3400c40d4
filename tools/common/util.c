#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util.h"
#include "termsafe.h"

#include <json-c/json.h>

void
tool_free_strings (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    free (l[i]);
  free (l);
}

size_t
tool_count_strings (char **l)
{
  size_t n = 0;
  while (l && l[n]) n++;
  return n;
}

void
tool_require_drives (struct tool_options *o)
{
  if (o->nr_drives == 0 && o->nr_domains == 0) {
    fprintf (stderr, "%s: error: you must specify at least one -a or -d option.\n",
             o->program);
    tool_try_help (o->program);
  }
}

int
tool_old_style_args (struct tool_options *o, int argc, char *argv[],
                     int *optind_, int keep)
{
  if (o->nr_drives > 0 || o->nr_domains > 0)
    return 0;
  while (*optind_ < argc - keep) {
    const char *arg = argv[*optind_];
    if (strchr (arg, '/') || access (arg, F_OK) == 0) {
      if (tool_add_drive (o, arg) == -1)
        return -1;
    }
    else if (tool_option (o, 'd', arg) != 1)
      return -1;
    ++*optind_;
  }
  return 0;
}

struct copier {
  int from, to;
  int err;
};

static void *
copy_thread (void *arg)
{
  struct copier *c = arg;
  char buf[65536];
  for (;;) {
    ssize_t r = read (c->from, buf, sizeof buf);
    if (r == 0)
      break;
    if (r == -1) {
      if (errno == EINTR) continue;
      c->err = errno;
      break;
    }
    for (ssize_t off = 0; off < r; ) {
      ssize_t w = write (c->to, buf + off, (size_t) (r - off));
      if (w == -1) {
        if (errno == EINTR) continue;
        if (!c->err) c->err = errno;
        /* Keep draining so the download can finish. */
        break;
      }
      off += w;
    }
  }
  return NULL;
}

/* The download goes through a pipe serviced by a thread, so the library
 * opens /dev/fd/N of the pipe rather than reopening (and truncating)
 * the caller's descriptor. */
int
tool_download_fd (guestfs_h *g, const char *path, int fd)
{
  return tool_fileout_fd (g, guestfs_download, path, fd);
}

int
tool_fileout_fd (guestfs_h *g,
                 int (*call) (guestfs_h *g, const char *arg, const char *fileout),
                 const char *arg, int fd)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1) {
    perror ("pipe");
    return -1;
  }
  struct copier c = { .from = p[0], .to = fd };
  pthread_t t;
  if (pthread_create (&t, NULL, copy_thread, &c) != 0) {
    perror ("pthread_create");
    close (p[0]); close (p[1]);
    return -1;
  }
  char name[64];
  snprintf (name, sizeof name, "/dev/fd/%d", p[1]);
  int r = call (g, arg, name);
  close (p[1]);
  pthread_join (t, NULL);
  close (p[0]);
  if (r == 0 && c.err) {
    fprintf (stderr, "write: %s\n", strerror (c.err));
    r = -1;
  }
  return r;
}

char *
tool_human_size (uint64_t bytes)
{
  static const char suffix[] = "KMGTPE";
  char *s;
  if (bytes < 1024) {
    if (asprintf (&s, "%" PRIu64, bytes) == -1) s = NULL;
  }
  else {
    double v = (double) bytes;
    int i = -1;
    while (v >= 1024.0 && i < 5) {
      v /= 1024.0;
      i++;
    }
    /* One decimal below 10, as ls -h and df -h; rounding may carry to
     * the next unit. */
    if (v < 10.0 && (double) (int) (v * 10.0 + 0.5) / 10.0 < 10.0) {
      if (asprintf (&s, "%.1f%c", v, suffix[i]) == -1) s = NULL;
    }
    else {
      double r = (double) (uint64_t) (v + 0.5);
      if (r >= 1024.0 && i < 5) {
        if (asprintf (&s, "1.0%c", suffix[i + 1]) == -1) s = NULL;
      }
      else if (asprintf (&s, "%.0f%c", r, suffix[i]) == -1) s = NULL;
    }
  }
  if (!s) {
    perror ("asprintf");
    exit (tool_failure_status);
  }
  return s;
}

void
tool_csv_field (FILE *fp, const char *s)
{
  if (s == NULL)
    s = "";
  if (strpbrk (s, "\",\n\r") == NULL && s[0] != ' ' &&
      (s[0] == '\0' || s[strlen (s) - 1] != ' ')) {
    fputs (s, fp);
    return;
  }
  fputc ('"', fp);
  for (; *s; ++s) {
    if (*s == '"')
      fputc ('"', fp);
    fputc (*s, fp);
  }
  fputc ('"', fp);
}

/* Windows guests: "C:\Dir\File" → the drive's filesystem mounted at /
 * and the path with forward slashes, resolved case-insensitively. */
char *
tool_windows_path (guestfs_h *g, struct tool_options *o, const char *path)
{
  char *type = NULL;
  if (o->root) {
    guestfs_push_error_handler (g, NULL, NULL);
    type = guestfs_inspect_get_type (g, o->root);
    guestfs_pop_error_handler (g);
  }
  bool windows = type && strcmp (type, "windows") == 0;
  free (type);
  if (!windows)
    return strdup (path);

  const char *rest = path;
  if (((path[0] >= 'a' && path[0] <= 'z') || (path[0] >= 'A' && path[0] <= 'Z')) &&
      path[1] == ':') {
    char **map = guestfs_inspect_get_drive_mappings (g, o->root);
    if (!map)
      return NULL;
    const char *dev = NULL;
    for (size_t i = 0; map[i] && map[i + 1]; i += 2)
      if (strlen (map[i]) == 1 && (map[i][0] | 0x20) == (path[0] | 0x20))
        dev = map[i + 1];
    if (!dev) {
      fprintf (stderr, "%s: drive '%c:' not found in this guest\n", o->program, path[0]);
      tool_free_strings (map);
      return NULL;
    }
    /* Mount that drive's filesystem in place of the guest's. */
    if (guestfs_umount_all (g) == -1 ||
        (o->read_only ? guestfs_mount_ro (g, dev, "/")
                      : guestfs_mount (g, dev, "/")) == -1) {
      tool_free_strings (map);
      return NULL;
    }
    tool_free_strings (map);
    rest = path + 2;
  }
  char *p;
  if (asprintf (&p, "%s%s", rest[0] == '/' || rest[0] == '\\' ? "" : "/", rest) == -1) {
    perror ("asprintf");
    exit (tool_failure_status);
  }
  for (char *q = p; *q; ++q)
    if (*q == '\\')
      *q = '/';
#ifdef GUESTFS_HAVE_CASE_SENSITIVE_PATH
  char *r = guestfs_case_sensitive_path (g, p);
  free (p);
  return r;
#else
  return p;
#endif
}

/* ---- virt-ls -lR / virt-diff columns ---- */

void
tool_field_next (struct tool_fields *f)
{
  if (f->n++ > 0)
    putchar (f->csv ? ',' : ' ');
}

void
tool_field_string (struct tool_fields *f, const char *s)
{
  tool_field_next (f);
  if (f->csv)
    tool_csv_field (stdout, s);
  else
    term_put_guest (stdout, s, NULL);   /* often a guest name */
}

void
tool_field_size (struct tool_fields *f, int64_t size)
{
  tool_field_next (f);
  if (f->human) {
    char *h = tool_human_size ((uint64_t) (size < 0 ? 0 : size));
    printf (f->csv ? "%s" : "%10s", h);
    free (h);
  }
  else
    printf (f->csv ? "%" PRIi64 : "%10" PRIi64, size);
}

void
tool_field_time (struct tool_fields *f, int64_t secs)
{
  tool_field_next (f);
  switch (f->time_format) {
  case TOOL_TIME_T:
    printf (f->csv ? "%" PRIi64 : "%10" PRIi64, secs);
    break;
  case TOOL_TIME_RELATIVE:
    printf (f->csv ? "%" PRIi64 : "%8" PRIi64, f->now - secs);
    break;
  case TOOL_TIME_DAYS:
    printf (f->csv ? "%" PRIi64 : "%3" PRIi64, (f->now - secs) / 86400);
    break;
  default: {
    time_t t = (time_t) secs;
    struct tm tm;
    char buf[64];
    if (localtime_r (&t, &tm) && strftime (buf, sizeof buf, "%F %T", &tm) > 0)
      fputs (buf, stdout);
    else
      printf ("%" PRIi64, secs);
  }
  }
}

void
tool_field_dev (struct tool_fields *f, int64_t d)
{
  tool_field_next (f);
  printf ("%u:%u", major ((dev_t) d), minor ((dev_t) d));
}

const char *
tool_file_type (int64_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG: return "-";
  case S_IFDIR: return "d";
  case S_IFCHR: return "c";
  case S_IFBLK: return "b";
  case S_IFIFO: return "p";
  case S_IFLNK: return "l";
  case S_IFSOCK: return "s";
  default: return "u";
  }
}

int
tool_json_print (struct json_object *obj)
{
  const char *s = json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_SPACED |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
  if (!s || printf ("%s\n", s) < 0 || fflush (stdout) == EOF) {
    perror ("stdout");
    return -1;
  }
  return 0;
}
