/* The error model of the C API: last_error/last_errno per handle, and an
 * error handler (a stack of them) called for every error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"

static void
default_error_handler (guestfs_h *g, void *opaque, const char *msg)
{
  (void) g;
  (void) opaque;
  fprintf (stderr, "libguestfs: error: %s\n", msg);
}

void
guestfs_int_init_error_handler (guestfs_h *g)
{
  g->error_handler.cb = default_error_handler;
  g->error_handler.opaque = NULL;
  g->error_handler.next = NULL;
}

static void
set_last_error (guestfs_h *g, int errnum, char *msg)
{
  free (g->last_error);
  g->last_error = msg;
  g->last_errnum = errnum;
  if (g->error_handler.cb)
    g->error_handler.cb (g, g->error_handler.opaque, msg);
}

void
guestfs_int_error_errno (guestfs_h *g, int errnum, const char *fmt, ...)
{
  char *msg;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = strdup ("(error message could not be formatted)");
  va_end (ap);
  if (!msg)
    return;
  set_last_error (g, errnum, msg);
}

void
guestfs_int_perrorf (guestfs_h *g, const char *fmt, ...)
{
  int errnum = errno;
  char *msg, *full;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = NULL;
  va_end (ap);
  if (asprintf (&full, "%s: %s", msg ? msg : "", strerror (errnum)) == -1)
    full = strdup (strerror (errnum));
  free (msg);
  if (full)
    set_last_error (g, errnum, full);
}

GUESTFS_DLL_PUBLIC const char *
guestfs_last_error (guestfs_h *g)
{
  return g->last_error;
}

GUESTFS_DLL_PUBLIC int
guestfs_last_errno (guestfs_h *g)
{
  return g->last_errnum;
}

GUESTFS_DLL_PUBLIC void
guestfs_set_error_handler (guestfs_h *g, guestfs_error_handler_cb cb, void *opaque)
{
  g->error_handler.cb = cb;
  g->error_handler.opaque = opaque;
}

GUESTFS_DLL_PUBLIC guestfs_error_handler_cb
guestfs_get_error_handler (guestfs_h *g, void **opaque_rtn)
{
  if (opaque_rtn)
    *opaque_rtn = g->error_handler.opaque;
  return g->error_handler.cb;
}

GUESTFS_DLL_PUBLIC void
guestfs_push_error_handler (guestfs_h *g, guestfs_error_handler_cb cb, void *opaque)
{
  struct error_handler *saved = malloc (sizeof *saved);
  if (!saved) {
    if (g->abort_cb) g->abort_cb ();
    abort ();
  }
  *saved = g->error_handler;
  g->error_handler.cb = cb;
  g->error_handler.opaque = opaque;
  g->error_handler.next = saved;
}

GUESTFS_DLL_PUBLIC void
guestfs_pop_error_handler (guestfs_h *g)
{
  struct error_handler *saved = g->error_handler.next;
  if (!saved) {
    guestfs_int_warning (g, "pop_error_handler called with an empty stack");
    return;
  }
  g->error_handler = *saved;
  free (saved);
}

GUESTFS_DLL_PUBLIC void
guestfs_set_out_of_memory_handler (guestfs_h *g, guestfs_abort_cb cb)
{
  g->abort_cb = cb;
}

GUESTFS_DLL_PUBLIC guestfs_abort_cb
guestfs_get_out_of_memory_handler (guestfs_h *g)
{
  return g->abort_cb;
}
