/* The error model of the C API.  As in libguestfs >= 1.38, the last
 * error (message and errno) and the error handler stack belong to the
 * calling thread: two threads sharing a handle each see their own
 * errors.  A thread's state is created the first time it needs one,
 * starting from the handle's base handler (the default one, or the last
 * one set with guestfs_set_error_handler), and is freed when the thread
 * exits or the handle is closed.
 *
 * This file also holds the handle's lock, taken by every API call. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"

struct error_data {
  guestfs_h *g;
  char *last_error;
  int last_errnum;
  struct error_handler handler;         /* the current one (top of stack) */
  struct error_data *next, **prevp;     /* the handle's list */
};

static void
default_error_handler (guestfs_h *g, void *opaque, const char *msg)
{
  (void) g;
  (void) opaque;
  fprintf (stderr, "libguestfs: error: %s\n", msg);
}

static void
free_handler_stack (struct error_handler *h)
{
  for (struct error_handler *s = h->next, *n; s; s = n) {
    n = s->next;
    free (s);
  }
  h->next = NULL;
}

static void
free_error_data (struct error_data *d)
{
  free_handler_stack (&d->handler);
  free (d->last_error);
  free (d);
}

/* pthread key destructor: the thread exits. */
static void
thread_exit (void *p)
{
  struct error_data *d = p;
  guestfs_h *g = d->g;
  pthread_mutex_lock (&g->error_lock);
  *d->prevp = d->next;
  if (d->next)
    d->next->prevp = d->prevp;
  pthread_mutex_unlock (&g->error_lock);
  free_error_data (d);
}

int
guestfs_int_init_errors (guestfs_h *g)
{
  pthread_mutexattr_t attr;
  pthread_mutexattr_init (&attr);
  pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_RECURSIVE);
  int r = pthread_mutex_init (&g->lock, &attr);
  pthread_mutexattr_destroy (&attr);
  if (r != 0)
    return -1;
  pthread_mutex_init (&g->error_lock, NULL);
  g->base_handler.cb = default_error_handler;
  g->base_handler.opaque = NULL;
  g->base_handler.next = NULL;
  g->error_data = NULL;
  if (pthread_key_create (&g->error_key, thread_exit) != 0) {
    pthread_mutex_destroy (&g->lock);
    pthread_mutex_destroy (&g->error_lock);
    return -1;
  }
  return 0;
}

void
guestfs_int_free_errors (guestfs_h *g)
{
  /* Other threads' states too: their destructors must no longer run
   * for this handle, hence the key goes first. */
  pthread_key_delete (g->error_key);
  for (struct error_data *d = g->error_data, *n; d; d = n) {
    n = d->next;
    free_error_data (d);
  }
  g->error_data = NULL;
  pthread_mutex_destroy (&g->error_lock);
  pthread_mutex_destroy (&g->lock);
}

void
guestfs_int_lock (guestfs_h *g)
{
  pthread_mutex_lock (&g->lock);
}

void
guestfs_int_unlock_cleanup (guestfs_h **gp)
{
  pthread_mutex_unlock (&(*gp)->lock);
}

/* This thread's state; NULL only when out of memory. */
static struct error_data *
get_error_data (guestfs_h *g)
{
  struct error_data *d = pthread_getspecific (g->error_key);
  if (d)
    return d;
  d = calloc (1, sizeof *d);
  if (!d)
    return NULL;
  d->g = g;
  pthread_mutex_lock (&g->error_lock);
  d->handler.cb = g->base_handler.cb;
  d->handler.opaque = g->base_handler.opaque;
  d->next = g->error_data;
  d->prevp = &g->error_data;
  if (d->next)
    d->next->prevp = &d->next;
  g->error_data = d;
  pthread_mutex_unlock (&g->error_lock);
  if (pthread_setspecific (g->error_key, d) != 0) {
    pthread_mutex_lock (&g->error_lock);
    *d->prevp = d->next;
    if (d->next)
      d->next->prevp = d->prevp;
    pthread_mutex_unlock (&g->error_lock);
    free (d);
    return NULL;
  }
  return d;
}

static void
out_of_memory (guestfs_h *g)
{
  if (g->abort_cb)
    g->abort_cb ();
  abort ();
}

static void
set_last_error (guestfs_h *g, int errnum, char *msg)
{
  struct error_data *d = get_error_data (g);
  if (!d) {
    free (msg);
    out_of_memory (g);
  }
  free (d->last_error);
  d->last_error = msg;
  d->last_errnum = errnum;
  if (d->handler.cb)
    d->handler.cb (g, d->handler.opaque, msg);
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
  struct error_data *d = pthread_getspecific (g->error_key);
  return d ? d->last_error : NULL;
}

GUESTFS_DLL_PUBLIC int
guestfs_last_errno (guestfs_h *g)
{
  struct error_data *d = pthread_getspecific (g->error_key);
  return d ? d->last_errnum : 0;
}

GUESTFS_DLL_PUBLIC void
guestfs_set_error_handler (guestfs_h *g, guestfs_error_handler_cb cb, void *opaque)
{
  struct error_data *d = get_error_data (g);
  if (!d)
    out_of_memory (g);
  d->handler.cb = cb;
  d->handler.opaque = opaque;
  /* Threads that have not used the handle yet start with this one. */
  pthread_mutex_lock (&g->error_lock);
  g->base_handler.cb = cb;
  g->base_handler.opaque = opaque;
  pthread_mutex_unlock (&g->error_lock);
}

GUESTFS_DLL_PUBLIC guestfs_error_handler_cb
guestfs_get_error_handler (guestfs_h *g, void **opaque_rtn)
{
  struct error_data *d = get_error_data (g);
  if (!d)
    out_of_memory (g);
  if (opaque_rtn)
    *opaque_rtn = d->handler.opaque;
  return d->handler.cb;
}

GUESTFS_DLL_PUBLIC void
guestfs_push_error_handler (guestfs_h *g, guestfs_error_handler_cb cb, void *opaque)
{
  struct error_data *d = get_error_data (g);
  struct error_handler *saved = malloc (sizeof *saved);
  if (!d || !saved)
    out_of_memory (g);
  *saved = d->handler;
  d->handler.cb = cb;
  d->handler.opaque = opaque;
  d->handler.next = saved;
}

GUESTFS_DLL_PUBLIC void
guestfs_pop_error_handler (guestfs_h *g)
{
  struct error_data *d = get_error_data (g);
  if (!d)
    out_of_memory (g);
  struct error_handler *saved = d->handler.next;
  if (!saved) {
    guestfs_int_warning (g, "pop_error_handler called with an empty stack");
    return;
  }
  d->handler = *saved;
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
