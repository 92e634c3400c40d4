/* qemu's machine protocol: see qmp.h.
 *
 * qemu sends a greeting object ({"QMP": ...}), then answers each command
 * with {"return": ...} or {"error": {"class", "desc"}}; asynchronous
 * {"event": ...} objects may come in between and are skipped.  Objects
 * arrive as a byte stream with no framing beyond the JSON itself, so the
 * reader feeds json-c's incremental tokener. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

struct qmp {
  int fd;
  int timeout_ms;
  int unanswered;       /* qmp_send's commands whose reply is still to come */
  json_tokener *tok;
  char buf[65536];
  size_t start, end;      /* unparsed bytes in buf */
};

static char *
dup_err (const char *fmt, const char *arg)
{
  char *s;
  if (asprintf (&s, fmt, arg) == -1)
    return NULL;
  return s;
}

static long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next complete JSON object from qemu, or NULL with *err. */
static json_object *
read_object (struct qmp *q, char **err)
{
  long deadline = now_ms () + q->timeout_ms;
  for (;;) {
    while (q->start < q->end) {
      /* Skip the whitespace between objects: json-c would otherwise
       * report "continue" forever on a trailing newline. */
      if (json_tokener_get_parse_end (q->tok) == 0 &&
          (q->buf[q->start] == '\n' || q->buf[q->start] == '\r' ||
           q->buf[q->start] == ' ')) {
        q->start++;
        continue;
      }
      json_object *o = json_tokener_parse_ex (q->tok, q->buf + q->start,
                                              (int) (q->end - q->start));
      enum json_tokener_error e = json_tokener_get_error (q->tok);
      size_t used = json_tokener_get_parse_end (q->tok);
      if (e == json_tokener_continue) {
        q->start = q->end;
        break;
      }
      q->start += used;
      json_tokener_reset (q->tok);
      if (e != json_tokener_success || !o) {
        *err = dup_err ("QMP: malformed reply from qemu (%s)", json_tokener_error_desc (e));
        return NULL;
      }
      if (!json_object_is_type (o, json_type_object)) {
        json_object_put (o);
        *err = dup_err ("QMP: %s", "reply from qemu is not an object");
        return NULL;
      }
      return o;
    }
    q->start = q->end = 0;
    long left = deadline - now_ms ();
    if (left <= 0) {
      *err = dup_err ("QMP: %s", "qemu did not answer in time");
      return NULL;
    }
    struct pollfd p = { .fd = q->fd, .events = POLLIN };
    int r = poll (&p, 1, (int) left);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      continue;
    ssize_t n = read (q->fd, q->buf, sizeof q->buf);
    if (n == -1 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n <= 0) {
      *err = dup_err ("QMP: %s", n == 0 ? "qemu closed the monitor" : strerror (errno));
      return NULL;
    }
    q->end = (size_t) n;
  }
}

static int
send_all (int fd, const char *s, size_t n)
{
  while (n) {
    /* qemu may have died: an error, not SIGPIPE for the caller */
    ssize_t w = send (fd, s, n, MSG_NOSIGNAL);
    if (w == -1 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    s += w;
    n -= (size_t) w;
  }
  return 0;
}

static int
send_command (struct qmp *q, const char *name, json_object *args, char **err)
{
  *err = NULL;
  json_object *cmd = json_object_new_object ();
  json_object_object_add (cmd, "execute", json_object_new_string (name));
  if (args)
    json_object_object_add (cmd, "arguments", args);
  const char *text = json_object_to_json_string_ext (cmd, JSON_C_TO_STRING_PLAIN);
  int w = send_all (q->fd, text, strlen (text));
  json_object_put (cmd);
  if (w == -1) {
    *err = dup_err ("QMP: writing to qemu: %s", strerror (errno));
    return -1;
  }
  return 0;
}

int
qmp_send (struct qmp *q, const char *name, json_object *args, char **err)
{
  if (send_command (q, name, args, err) == -1)
    return -1;
  q->unanswered++;
  return 0;
}

json_object *
qmp_command (struct qmp *q, const char *name, json_object *args, char **err)
{
  if (send_command (q, name, args, err) == -1)
    return NULL;
  for (;;) {
    json_object *o = read_object (q, err);
    if (!o)
      return NULL;
    json_object *v;
    /* Replies come in order: the first ones answer qmp_send's commands. */
    if (q->unanswered > 0 && (json_object_object_get_ex (o, "return", NULL) ||
                              json_object_object_get_ex (o, "error", NULL))) {
      q->unanswered--;
      json_object_put (o);
      continue;
    }
    if (json_object_object_get_ex (o, "return", &v)) {
      json_object_get (v);
      json_object_put (o);
      return v;
    }
    if (json_object_object_get_ex (o, "error", &v)) {
      json_object *desc;
      const char *d = json_object_object_get_ex (v, "desc", &desc)
        ? json_object_get_string (desc) : "unknown error";
      char *msg;
      if (asprintf (&msg, "%s: %s", name, d) == -1)
        msg = NULL;
      *err = msg;
      json_object_put (o);
      return NULL;
    }
    json_object_put (o);      /* an event */
  }
}

int
qmp_run (struct qmp *q, const char *name, json_object *args, char **err)
{
  json_object *r = qmp_command (q, name, args, err);
  if (!r && *err)
    return -1;
  json_object_put (r);
  return 0;
}

struct qmp *
qmp_open (int fd, int timeout_ms, char **err)
{
  *err = NULL;
  struct qmp *q = calloc (1, sizeof *q);
  if (!q || !(q->tok = json_tokener_new ())) {
    free (q);
    close (fd);
    *err = dup_err ("QMP: %s", strerror (ENOMEM));
    return NULL;
  }
  q->fd = fd;
  q->timeout_ms = timeout_ms;
  json_object *greeting = read_object (q, err);
  json_object *v;
  if (greeting && !json_object_object_get_ex (greeting, "QMP", &v)) {
    *err = dup_err ("QMP: %s", "qemu's monitor did not greet as QMP");
    json_object_put (greeting);
    greeting = NULL;
  }
  if (!greeting || qmp_run (q, "qmp_capabilities", NULL, err) == -1) {
    json_object_put (greeting);
    qmp_close (q);
    return NULL;
  }
  json_object_put (greeting);
  return q;
}

void
qmp_close (struct qmp *q)
{
  if (!q)
    return;
  close (q->fd);
  json_tokener_free (q->tok);
  free (q);
}
