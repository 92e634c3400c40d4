/* Events and errors: launch_done, close, subprocess_quit, trace, library
 * (verbose) and appliance messages, progress during zero of a 256 MiB disk,
 * delete_event_callback, the error handler stack and last_errno.  */
#include "tests.h"

#define MAXPROG 4096

struct counts {
  int launch_done, close, subprocess_quit, trace, library, appliance, progress, other;
  char trace_log[8192];
  size_t trace_len;
  bool library_has_text;
  uint64_t pos[MAXPROG], total[MAXPROG];
  int bad_array;
};

static void
cb (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
    const char *buf, size_t buf_len, const uint64_t *array, size_t array_len)
{
  struct counts *c = opaque;
  switch (event) {
  case GUESTFS_EVENT_LAUNCH_DONE: c->launch_done++; break;
  case GUESTFS_EVENT_CLOSE: c->close++; break;
  case GUESTFS_EVENT_SUBPROCESS_QUIT: c->subprocess_quit++; break;
  case GUESTFS_EVENT_TRACE:
    c->trace++;
    if (buf && c->trace_len + buf_len + 2 < sizeof c->trace_log) {
      memcpy (c->trace_log + c->trace_len, buf, buf_len);
      c->trace_len += buf_len;
      c->trace_log[c->trace_len++] = '\n';
      c->trace_log[c->trace_len] = 0;
    }
    break;
  case GUESTFS_EVENT_LIBRARY:
    c->library++;
    if (buf && buf_len > 0) c->library_has_text = true;
    break;
  case GUESTFS_EVENT_APPLIANCE: c->appliance++; break;
  case GUESTFS_EVENT_PROGRESS:
    /* array: proc, serial, position, total */
    if (array_len < 4) { c->bad_array++; break; }
    if (c->progress < MAXPROG) {
      c->pos[c->progress] = array[2];
      c->total[c->progress] = array[3];
    }
    c->progress++;
    break;
  default: c->other++; break;
  }
}

struct errh {
  int calls;
  char last[512];
};

static void
my_error_handler (guestfs_h *g, void *opaque, const char *msg)
{
  struct errh *e = opaque;
  e->calls++;
  snprintf (e->last, sizeof e->last, "%s", msg ? msg : "");
}

/* The deprecated one-callback setters, counted separately. */
struct old_counts { int log, quit, launch_done, close, close_replaced, progress; uint64_t total; };

static void old_log (guestfs_h *g, void *o, char *buf, int len)
{ if (buf && len >= 0) ((struct old_counts *) o)->log++; }
static void old_quit (guestfs_h *g, void *o) { ((struct old_counts *) o)->quit++; }
static void old_launch_done (guestfs_h *g, void *o) { ((struct old_counts *) o)->launch_done++; }
static void old_close (guestfs_h *g, void *o) { ((struct old_counts *) o)->close++; }
static void old_close_replaced (guestfs_h *g, void *o) { ((struct old_counts *) o)->close_replaced++; }
static void old_progress (guestfs_h *g, void *o, int proc, int serial, uint64_t pos, uint64_t total)
{ struct old_counts *c = o; c->progress++; c->total = total; }

static void
test_error_handlers (void)
{
  guestfs_h *g = guestfs_create ();
  struct errh e1 = { 0 }, e2 = { 0 };
  void *data = NULL;

  guestfs_set_error_handler (g, my_error_handler, &e1);
  ok (guestfs_get_error_handler (g, &data) == my_error_handler && data == &e1,
      "get_error_handler returns what set_error_handler set");
  guestfs_add_drive (g, "/nonexistent/disk.img");   /* an error without a daemon */
  ok (e1.calls == 1 && *e1.last, "the error handler is called with the message (%s)", e1.last);

  guestfs_push_error_handler (g, my_error_handler, &e2);
  guestfs_add_drive (g, "/nonexistent/disk.img");
  ok (e1.calls == 1 && e2.calls == 1, "pushed handler replaces the previous one");
  guestfs_push_error_handler (g, NULL, NULL);
  guestfs_add_drive (g, "/nonexistent/disk.img");
  ok (e1.calls == 1 && e2.calls == 1 && guestfs_last_error (g) != NULL,
      "pushed NULL handler silences errors, last_error still set");
  guestfs_pop_error_handler (g);
  guestfs_add_drive (g, "/nonexistent/disk.img");
  ok (e2.calls == 2, "pop restores the pushed handler");
  guestfs_pop_error_handler (g);
  guestfs_add_drive (g, "/nonexistent/disk.img");
  ok (e1.calls == 2 && e2.calls == 2 && guestfs_get_error_handler (g, &data) == my_error_handler
      && data == &e1, "second pop restores the original handler");
  guestfs_pop_error_handler (g);   /* popping the last must not crash */
  guestfs_set_error_handler (g, NULL, NULL);
  guestfs_close (g);
}

int
main (void)
{
  test_error_handlers ();

  struct counts c;
  memset (&c, 0, sizeof c);
  guestfs_h *g = create_quiet ();
  int all = guestfs_set_event_callback (g, cb,
      GUESTFS_EVENT_LAUNCH_DONE | GUESTFS_EVENT_CLOSE | GUESTFS_EVENT_SUBPROCESS_QUIT |
      GUESTFS_EVENT_LIBRARY | GUESTFS_EVENT_APPLIANCE | GUESTFS_EVENT_PROGRESS, 0, &c);
  int tr = guestfs_set_event_callback (g, cb, GUESTFS_EVENT_TRACE, 0, &c);
  ok (all >= 0 && tr >= 0 && all != tr, "set_event_callback returns distinct handles (%d, %d)",
      all, tr);
  char *es = guestfs_event_to_string (GUESTFS_EVENT_PROGRESS | GUESTFS_EVENT_CLOSE);
  ok (es && strcmp (es, "close,progress") == 0,
      "event_to_string (CLOSE|PROGRESS) = \"close,progress\" (%s)", es ? es : "NULL");
  free (es);

  struct old_counts oc;
  memset (&oc, 0, sizeof oc);
  guestfs_set_log_message_callback (g, old_log, &oc);
  guestfs_set_subprocess_quit_callback (g, old_quit, &oc);
  guestfs_set_launch_done_callback (g, old_launch_done, &oc);
  guestfs_set_close_callback (g, old_close_replaced, &oc);
  guestfs_set_close_callback (g, old_close, &oc);      /* replaces the one above */
  guestfs_set_progress_callback (g, old_progress, &oc);

  guestfs_set_verbose (g, 1);
  guestfs_set_trace (g, 1);
  guestfs_add_drive_scratch (g, 256 * 1024 * 1024, -1);   /* sda: zeroed below */
  guestfs_add_drive_scratch (g, 32 * 1024 * 1024, -1);    /* sdb: a filesystem */
  double t0 = now ();
  int r = guestfs_launch (g);
  if (!ok (r == 0, "launch (%.1f s)", now () - t0)) {
    diag ("%s", errmsg (g));
    return tap_done ();
  }
  ok (c.launch_done == 1, "launch_done fired once (%d)", c.launch_done);
  ok (oc.launch_done == 1, "old set_launch_done_callback called once (%d)", oc.launch_done);
  ok (oc.log == c.appliance, "old set_log_message_callback gets the appliance messages (%d of %d)",
      oc.log, c.appliance);
  ok (c.library > 0 && c.library_has_text, "verbose: library messages (%d)", c.library);
  diag ("appliance messages during launch: %d", c.appliance);
  ok (c.trace > 0 && contains (c.trace_log, "launch"),
      "trace: events for the launch call (%d)", c.trace);

  /* Progress: write data so zero has real work, then zero the disk. */
  guestfs_set_verbose (g, 0);
  if (guestfs_part_disk (g, "/dev/sda", "mbr") == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda1") == -1 ||
      guestfs_mkfs (g, "ext2", "/dev/sdb") == -1 ||
      guestfs_mount (g, "/dev/sdb", "/") == -1)
    diag ("preparing the disks: %s", errmsg (g));
  c.progress = 0;
  oc.progress = 0;
  t0 = now ();
  r = guestfs_zero (g, "/dev/sda");
  double tz = now () - t0;
  if (!ok (r == 0, "zero /dev/sda (256 MiB, %.1f s)", tz))
    diag ("%s", errmsg (g));
  ok (c.bad_array == 0, "progress events carry 4 numbers");
  ok (oc.progress == c.progress && c.progress >= 1 && oc.total == c.total[c.progress - 1],
      "old set_progress_callback sees every progress event (%d of %d)", oc.progress, c.progress);
  if (!ok (c.progress >= 1, "zero sent progress events (%d)", c.progress))
    diag ("(the call took %.1f s; progress is only sent after 0.5 s)", tz);
  if (c.progress > 0) {
    int n = c.progress < MAXPROG ? c.progress : MAXPROG;
    bool mono = true, le = true;
    for (int i = 0; i < n; ++i) {
      if (c.pos[i] > c.total[i]) le = false;
      if (i && c.pos[i] < c.pos[i - 1]) mono = false;
    }
    ok (le, "progress: position <= total in every event");
    ok (mono, "progress: position never goes backwards");
    ok (c.pos[n - 1] == c.total[n - 1] && c.total[n - 1] > 0,
        "progress: the final event has position == total (%llu/%llu)",
        (unsigned long long) c.pos[n - 1], (unsigned long long) c.total[n - 1]);
  }

  /* Trace content and delete_event_callback. */
  c.trace_len = 0;
  c.trace_log[0] = 0;
  c.trace = 0;
  guestfs_touch (g, "/traced");
  int before = c.trace;
  ok (before >= 2 && contains (c.trace_log, "touch"),
      "trace: call and return lines for touch (%d)", before);
  guestfs_delete_event_callback (g, tr);
  guestfs_ping_daemon (g);
  ok (c.trace == before, "no trace events after delete_event_callback (%d -> %d)",
      before, c.trace);

  /* last_errno from a daemon error. */
  char *s = guestfs_cat (g, "/nonexistent-file");
  int e = guestfs_last_errno (g);
  if (!ok (s == NULL && e == ENOENT, "cat of a missing file: last_errno == ENOENT (%d)", e))
    diag ("%s", errmsg (g));
  free (s);
  r = guestfs_mkdir (g, "/no/such/parent");
  e = guestfs_last_errno (g);
  ok (r == -1 && e == ENOENT, "mkdir with a missing parent: last_errno == ENOENT (%d)", e);
  guestfs_ping_daemon (g);
  ok (guestfs_last_errno (g) == e || guestfs_last_errno (g) == 0,
      "a successful call leaves last_errno alone or clears it");

  ok (c.subprocess_quit == 0, "no subprocess_quit before shutdown");
  r = guestfs_shutdown (g);
  ok (c.subprocess_quit == 1, "subprocess_quit fired once on shutdown (%d)", c.subprocess_quit);
  ok (oc.quit == 1, "old set_subprocess_quit_callback called once (%d)", oc.quit);
  ok (c.close == 0, "no close event before close");
  guestfs_close (g);
  ok (c.close == 1, "close fired once on guestfs_close (%d)", c.close);
  ok (oc.close == 1 && oc.close_replaced == 0,
      "old set_close_callback: only the last one set is called (%d, %d)",
      oc.close, oc.close_replaced);
  ok (c.other == 0, "no unexpected event types");
  return tap_done ();
}
