/* Formatting of GUESTFS_EVENT_TRACE messages: `name "arg" 1 true` on
 * entry and `name = result` on return, as libguestfs prints them. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"

struct trace_buf {
  char *buf;
  size_t len;
  FILE *fp;
};

struct trace_buf *
guestfs_int_trace_open (guestfs_h *g, const char *name)
{
  (void) g;
  struct trace_buf *tb = calloc (1, sizeof *tb);
  if (!tb)
    return NULL;
  tb->fp = open_memstream (&tb->buf, &tb->len);
  if (!tb->fp) {
    free (tb);
    return NULL;
  }
  fputs (name, tb->fp);
  return tb;
}

#define TB_OK(tb) ((tb) && (tb)->fp)

void
guestfs_int_trace_str (struct trace_buf *tb, const char *s)
{
  if (!TB_OK (tb)) return;
  if (s)
    fprintf (tb->fp, " \"%s\"", s);
  else
    fputs (" NULL", tb->fp);
}

void
guestfs_int_trace_bool (struct trace_buf *tb, int b)
{
  if (TB_OK (tb)) fprintf (tb->fp, " %s", b ? "true" : "false");
}

void
guestfs_int_trace_int (struct trace_buf *tb, int i)
{
  if (TB_OK (tb)) fprintf (tb->fp, " %d", i);
}

void
guestfs_int_trace_int64 (struct trace_buf *tb, int64_t i)
{
  if (TB_OK (tb)) fprintf (tb->fp, " %" PRIi64, i);
}

static void
put_strings (FILE *fp, char *const *l)
{
  fputc ('"', fp);
  for (size_t i = 0; l && l[i]; ++i)
    fprintf (fp, "%s%s", i ? " " : "", l[i]);
  fputc ('"', fp);
}

void
guestfs_int_trace_strings (struct trace_buf *tb, char *const *l)
{
  if (!TB_OK (tb)) return;
  fputc (' ', tb->fp);
  put_strings (tb->fp, l);
}

void
guestfs_int_trace_buffer (struct trace_buf *tb, const char *buf, size_t len)
{
  if (!TB_OK (tb)) return;
  fputs (" \"", tb->fp);
  for (size_t i = 0; i < len && i < 256; ++i) {
    unsigned char c = (unsigned char) buf[i];
    if (c >= 32 && c < 127 && c != '"' && c != '\\')
      fputc (c, tb->fp);
    else
      fprintf (tb->fp, "\\x%02x", c);
  }
  if (len > 256)
    fputs ("...", tb->fp);
  fputc ('"', tb->fp);
}

void
guestfs_int_trace_opt_bool (struct trace_buf *tb, const char *name, int b)
{
  if (TB_OK (tb)) fprintf (tb->fp, " \"%s:%s\"", name, b ? "true" : "false");
}

void
guestfs_int_trace_opt_int (struct trace_buf *tb, const char *name, int i)
{
  if (TB_OK (tb)) fprintf (tb->fp, " \"%s:%d\"", name, i);
}

void
guestfs_int_trace_opt_int64 (struct trace_buf *tb, const char *name, int64_t i)
{
  if (TB_OK (tb)) fprintf (tb->fp, " \"%s:%" PRIi64 "\"", name, i);
}

void
guestfs_int_trace_opt_str (struct trace_buf *tb, const char *name, const char *s)
{
  if (TB_OK (tb)) fprintf (tb->fp, " \"%s:%s\"", name, s ? s : "");
}

void
guestfs_int_trace_opt_strings (struct trace_buf *tb, const char *name, char *const *l)
{
  if (!TB_OK (tb)) return;
  fprintf (tb->fp, " \"%s:", name);
  for (size_t i = 0; l && l[i]; ++i)
    fprintf (tb->fp, "%s%s", i ? " " : "", l[i]);
  fputc ('"', tb->fp);
}

void
guestfs_int_trace_send (guestfs_h *g, struct trace_buf *tb)
{
  if (!tb) return;
  if (tb->fp) {
    fclose (tb->fp);
    guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_TRACE, tb->buf, tb->len);
  }
  free (tb->buf);
  free (tb);
}

static void
trace_fmt (guestfs_h *g, const char *fmt, ...) __attribute__((format (printf, 2, 3)));

static void
trace_fmt (guestfs_h *g, const char *fmt, ...)
{
  char *msg;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (n < 0) return;
  guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_TRACE, msg, (size_t) n);
  free (msg);
}

void
guestfs_int_trace_ret_int (guestfs_h *g, const char *name, int r)
{
  trace_fmt (g, "%s = %d", name, r);
}

void
guestfs_int_trace_ret_int64 (guestfs_h *g, const char *name, int64_t r)
{
  trace_fmt (g, "%s = %" PRIi64, name, r);
}

void
guestfs_int_trace_ret_str (guestfs_h *g, const char *name, const char *r)
{
  trace_fmt (g, "%s = \"%s\"", name, r ? r : "(null)");
}

void
guestfs_int_trace_ret_strings (guestfs_h *g, const char *name, char *const *r)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) return;
  fprintf (fp, "%s = [", name);
  for (size_t i = 0; r && r[i]; ++i)
    fprintf (fp, "%s\"%s\"", i ? ", " : "", r[i]);
  fputc (']', fp);
  fclose (fp);
  guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_TRACE, buf, len);
  free (buf);
}

void
guestfs_int_trace_ret_buffer (guestfs_h *g, const char *name, const char *r, size_t len)
{
  (void) r;
  trace_fmt (g, "%s = <buffer of %zu bytes>", name, len);
}

void
guestfs_int_trace_ret_ptr (guestfs_h *g, const char *name, const char *type, const void *r)
{
  trace_fmt (g, "%s = <%s%p>", name, type, r);
}

void
guestfs_int_trace_ret_error (guestfs_h *g, const char *name)
{
  trace_fmt (g, "%s = -1 (error)", name);
}
