/* See extents.h. */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extents.h"

/* A hostile image must not make the map unbounded in time or size. */
#define MAP_TIMEOUT_S 120
#define MAP_MAX_OUTPUT (256u << 20)

/* qemu-img map's JSON on stdout, or NULL. */
static char *
run_map (const char *file, const char *format)
{
  int out[2];
  if (pipe2 (out, O_CLOEXEC) == -1)
    return NULL;
  pid_t pid = fork ();
  if (pid == -1) {
    close (out[0]);
    close (out[1]);
    return NULL;
  }
  if (pid == 0) {
    struct rlimit as = { 2048UL << 20, 2048UL << 20 }, cpu = { MAP_TIMEOUT_S, MAP_TIMEOUT_S };
    setrlimit (RLIMIT_AS, &as);
    setrlimit (RLIMIT_CPU, &cpu);
    int null = open ("/dev/null", O_RDWR);
    if (null == -1 || dup2 (null, 0) == -1 || dup2 (out[1], 1) == -1 || dup2 (null, 2) == -1)
      _exit (127);
    signal (SIGPIPE, SIG_DFL);
    if (format)
      execlp ("qemu-img", "qemu-img", "map", "--output=json", "-U", "-f", format, "--",
              file, (char *) NULL);
    else
      execlp ("qemu-img", "qemu-img", "map", "--output=json", "-U", "--", file, (char *) NULL);
    _exit (127);
  }
  close (out[1]);
  size_t len = 0, cap = 1 << 16;
  char *buf = malloc (cap + 1);
  struct timespec t0, t;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  bool ok = buf != NULL;
  while (ok) {
    clock_gettime (CLOCK_MONOTONIC, &t);
    long left = (long) (MAP_TIMEOUT_S - (t.tv_sec - t0.tv_sec)) * 1000;
    struct pollfd p = { .fd = out[0], .events = POLLIN };
    int r = left > 0 ? poll (&p, 1, (int) left) : 0;
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0) {
      ok = false;
      break;
    }
    if (len == cap) {
      if (cap >= MAP_MAX_OUTPUT) {
        ok = false;
        break;
      }
      cap *= 2;
      char *nb = realloc (buf, cap + 1);
      if (!nb) {
        ok = false;
        break;
      }
      buf = nb;
    }
    ssize_t k = read (out[0], buf + len, cap - len);
    if (k == -1 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    len += (size_t) k;
  }
  close (out[0]);
  if (!ok)
    kill (pid, SIGKILL);
  int st;
  while (waitpid (pid, &st, 0) == -1 && errno == EINTR)
    ;
  if (!ok || !WIFEXITED (st) || WEXITSTATUS (st) != 0) {
    free (buf);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

static bool
get_bool (json_object *o, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (o, key, &v) && json_object_get_boolean (v);
}

ssize_t
tool_allocated_extents (const char *file, const char *format, struct tool_extent **out)
{
  *out = NULL;
  if (access (file, R_OK) == -1)
    return -1;                  /* a URI, or nothing we can read */
  char *text = run_map (file, format);
  if (!text)
    return -1;
  json_tokener *tok = json_tokener_new_ex (64);
  json_object *map = tok ? json_tokener_parse_ex (tok, text, (int) strlen (text)) : NULL;
  if (tok)
    json_tokener_free (tok);
  free (text);
  if (!map || !json_object_is_type (map, json_type_array)) {
    json_object_put (map);
    return -1;
  }
  size_t n = json_object_array_length (map), k = 0;
  struct tool_extent *e = malloc ((n ? n : 1) * sizeof *e);
  if (!e) {
    json_object_put (map);
    return -1;
  }
  for (size_t i = 0; i < n; ++i) {
    json_object *x = json_object_array_get_idx (map, i), *s, *l;
    if (!json_object_object_get_ex (x, "start", &s) || !json_object_object_get_ex (x, "length", &l)) {
      free (e);
      json_object_put (map);
      return -1;
    }
    /* Data that reads as zeroes is no data to copy. */
    if (!get_bool (x, "data") || get_bool (x, "zero"))
      continue;
    int64_t start = json_object_get_int64 (s), length = json_object_get_int64 (l);
    if (start < 0 || length <= 0)
      continue;
    if (k > 0 && e[k - 1].offset + e[k - 1].length == start)
      e[k - 1].length += length;
    else
      e[k++] = (struct tool_extent) { start, length };
  }
  json_object_put (map);
  *out = e;
  return (ssize_t) k;
}

int64_t
tool_extents_bytes (const struct tool_extent *e, size_t n, int64_t offset, int64_t length)
{
  int64_t sum = 0, end = offset + length;
  for (size_t i = 0; i < n; ++i) {
    int64_t a = e[i].offset > offset ? e[i].offset : offset;
    int64_t b = e[i].offset + e[i].length < end ? e[i].offset + e[i].length : end;
    if (b > a)
      sum += b - a;
  }
  return sum;
}
