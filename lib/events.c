/* Events: callbacks registered with guestfs_set_event_callback, and the
 * default printing of debug, trace and warning messages when nobody
 * registered for them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"

GUESTFS_DLL_PUBLIC int
guestfs_set_event_callback (guestfs_h *g, guestfs_event_callback cb,
                            uint64_t event_bitmask, int flags, void *opaque)
{
  GUESTFS_LOCK_SCOPE (g);
  if (flags != 0) {
    error (g, "set_event_callback: flags must be 0");
    return -1;
  }
  if (event_bitmask == 0 || (event_bitmask & ~(uint64_t) GUESTFS_EVENT_ALL)) {
    error (g, "set_event_callback: invalid event bitmask");
    return -1;
  }
  size_t i;
  for (i = 0; i < g->nr_events; ++i)
    if (!g->events[i].used)
      break;
  if (i == g->nr_events) {
    struct event_slot *p = realloc (g->events, (g->nr_events + 1) * sizeof *p);
    if (!p) {
      guestfs_int_perrorf (g, "realloc");
      return -1;
    }
    g->events = p;
    g->nr_events++;
  }
  g->events[i] = (struct event_slot) { cb, event_bitmask, opaque, true };
  return (int) i;
}

GUESTFS_DLL_PUBLIC void
guestfs_delete_event_callback (guestfs_h *g, int event_handle)
{
  GUESTFS_LOCK_SCOPE (g);
  if (event_handle < 0 || (size_t) event_handle >= g->nr_events)
    return;
  g->events[event_handle].used = false;
}

static const struct { uint64_t ev; const char *name; } event_names[] = {
  { GUESTFS_EVENT_CLOSE, "close" },
  { GUESTFS_EVENT_SUBPROCESS_QUIT, "subprocess_quit" },
  { GUESTFS_EVENT_LAUNCH_DONE, "launch_done" },
  { GUESTFS_EVENT_PROGRESS, "progress" },
  { GUESTFS_EVENT_APPLIANCE, "appliance" },
  { GUESTFS_EVENT_LIBRARY, "library" },
  { GUESTFS_EVENT_TRACE, "trace" },
  { GUESTFS_EVENT_ENTER, "enter" },
  { GUESTFS_EVENT_LIBVIRT_AUTH, "libvirt_auth" },
  { GUESTFS_EVENT_WARNING, "warning" },
};

GUESTFS_DLL_PUBLIC char *
guestfs_event_to_string (uint64_t event)
{
  /* Every event: "*", as libguestfs writes it (guestfish's list-events
   * shows a handler made with "event NAME * ..." so). */
  if ((event & GUESTFS_EVENT_ALL) == GUESTFS_EVENT_ALL)
    return strdup ("*");
  char buf[256] = "";
  for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; ++i) {
    if (event & event_names[i].ev) {
      if (buf[0])
        strcat (buf, ",");
      strcat (buf, event_names[i].name);
    }
  }
  return strdup (buf);
}

bool
guestfs_int_has_callback (guestfs_h *g, uint64_t event)
{
  for (size_t i = 0; i < g->nr_events; ++i)
    if (g->events[i].used && (g->events[i].mask & event))
      return true;
  return false;
}

static void
call_callbacks (guestfs_h *g, uint64_t event, const char *buf, size_t len,
                const uint64_t *array, size_t alen)
{
  for (size_t i = 0; i < g->nr_events; ++i)
    if (g->events[i].used && (g->events[i].mask & event))
      g->events[i].cb (g, g->events[i].opaque, event, (int) i, 0,
                       buf, len, array, alen);
}

void
guestfs_int_call_callbacks_void (guestfs_h *g, uint64_t event)
{
  call_callbacks (g, event, NULL, 0, NULL, 0);
}

void
guestfs_int_call_callbacks_message (guestfs_h *g, uint64_t event,
                                    const char *buf, size_t len)
{
  bool handled = guestfs_int_has_callback (g, event);
  if (handled) {
    call_callbacks (g, event, buf, len, NULL, 0);
    return;
  }
  /* Nobody listens: print as libguestfs does. */
  switch (event) {
  case GUESTFS_EVENT_APPLIANCE:
    if (g->verbose)
      fwrite (buf, 1, len, stderr);
    break;
  case GUESTFS_EVENT_LIBRARY:
    if (g->verbose)
      fprintf (stderr, "libguestfs: %.*s\n", (int) len, buf);
    break;
  case GUESTFS_EVENT_TRACE:
    if (g->trace)
      fprintf (stderr, "libguestfs: trace: %.*s\n", (int) len, buf);
    break;
  case GUESTFS_EVENT_WARNING:
    fprintf (stderr, "libguestfs: warning: %.*s\n", (int) len, buf);
    break;
  default:
    break;
  }
}

void
guestfs_int_call_callbacks_array (guestfs_h *g, uint64_t event,
                                  const uint64_t *array, size_t len)
{
  call_callbacks (g, event, NULL, 0, array, len);
}

static void
vmessage (guestfs_h *g, uint64_t event, const char *fmt, va_list ap)
{
  char *msg;
  int n = vasprintf (&msg, fmt, ap);
  if (n < 0)
    return;
  guestfs_int_call_callbacks_message (g, event, msg, (size_t) n);
  free (msg);
}

void
guestfs_int_debug (guestfs_h *g, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vmessage (g, GUESTFS_EVENT_LIBRARY, fmt, ap);
  va_end (ap);
}

void
guestfs_int_warning (guestfs_h *g, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vmessage (g, GUESTFS_EVENT_WARNING, fmt, ap);
  va_end (ap);
}

void
guestfs_int_launch_phase (guestfs_h *g, const char *fmt, ...)
{
  if (!g->verbose)
    return;
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  long ms = (now.tv_sec - g->launch_t0.tv_sec) * 1000 +
            (now.tv_nsec - g->launch_t0.tv_nsec) / 1000000;
  char *msg;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = NULL;
  va_end (ap);
  guestfs_int_debug (g, "[%05ldms] %s", ms, msg ? msg : "");
  free (msg);
}

/* ---- the deprecated one-callback setters, on top of the events ---- */

enum { OLD_LOG, OLD_QUIT, OLD_LAUNCH_DONE, OLD_CLOSE, OLD_PROGRESS };

static void
old_event (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
           const char *buf, size_t buf_len, const uint64_t *array, size_t array_len)
{
  struct old_callback *oc = opaque;
  switch (event) {
  case GUESTFS_EVENT_APPLIANCE:
    ((guestfs_log_message_cb) oc->fn) (g, oc->opaque, (char *) buf, (int) buf_len);
    break;
  case GUESTFS_EVENT_SUBPROCESS_QUIT:
  case GUESTFS_EVENT_LAUNCH_DONE:
  case GUESTFS_EVENT_CLOSE:
    ((guestfs_close_cb) oc->fn) (g, oc->opaque);
    break;
  case GUESTFS_EVENT_PROGRESS:
    if (array_len >= 4)
      ((guestfs_progress_cb) oc->fn) (g, oc->opaque, (int) array[0], (int) array[1],
                                      array[2], array[3]);
    break;
  }
}

static void
set_old_callback (guestfs_h *g, int kind, uint64_t event, void (*fn) (void), void *opaque)
{
  struct old_callback *oc = &g->old_callbacks[kind];
  if (oc->handle) {
    guestfs_delete_event_callback (g, oc->handle - 1);
    oc->handle = 0;
  }
  oc->fn = fn;
  oc->opaque = opaque;
  if (fn) {
    int h = guestfs_set_event_callback (g, old_event, event, 0, oc);
    oc->handle = h >= 0 ? h + 1 : 0;
  }
}

GUESTFS_DLL_PUBLIC void
guestfs_set_log_message_callback (guestfs_h *g, guestfs_log_message_cb cb, void *opaque)
{
  set_old_callback (g, OLD_LOG, GUESTFS_EVENT_APPLIANCE, (void (*) (void)) cb, opaque);
}

GUESTFS_DLL_PUBLIC void
guestfs_set_subprocess_quit_callback (guestfs_h *g, guestfs_subprocess_quit_cb cb, void *opaque)
{
  set_old_callback (g, OLD_QUIT, GUESTFS_EVENT_SUBPROCESS_QUIT, (void (*) (void)) cb, opaque);
}

GUESTFS_DLL_PUBLIC void
guestfs_set_launch_done_callback (guestfs_h *g, guestfs_launch_done_cb cb, void *opaque)
{
  set_old_callback (g, OLD_LAUNCH_DONE, GUESTFS_EVENT_LAUNCH_DONE, (void (*) (void)) cb, opaque);
}

GUESTFS_DLL_PUBLIC void
guestfs_set_close_callback (guestfs_h *g, guestfs_close_cb cb, void *opaque)
{
  set_old_callback (g, OLD_CLOSE, GUESTFS_EVENT_CLOSE, (void (*) (void)) cb, opaque);
}

GUESTFS_DLL_PUBLIC void
guestfs_set_progress_callback (guestfs_h *g, guestfs_progress_cb cb, void *opaque)
{
  set_old_callback (g, OLD_PROGRESS, GUESTFS_EVENT_PROGRESS, (void (*) (void)) cb, opaque);
}
