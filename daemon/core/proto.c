/* The daemon's side of the wire protocol: replies, progress, file streams.
 * One call is handled at a time, so the per-call state is global. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

int chan_fd = -1;
uint64_t optargs_bitmask;

/* State of the call being handled. */
static uint32_t cur_proc, cur_serial;
static bool replied;
static bool receive_open;     /* FileIn stream not yet fully read */
static bool send_open;        /* FileOut stream started but not ended */
static struct timespec last_progress;
static struct timespec call_start;

static char *chunk_buf;       /* reused receive buffer */
/* FileOut: the host's cancel seen, the bulk slots it has not acknowledged
 * yet (bit s: slot s), the slot to use next. */
static bool host_cancel_seen;
static unsigned bulk_in_flight;
static unsigned bulk_next;
static char *send_staging;    /* aligned copy of an unaligned chunk */

void
proto_begin_call (uint32_t proc, uint32_t serial)
{
  cur_proc = proc;
  cur_serial = serial;
  replied = false;
  receive_open = proc_has_filein ((int) proc);
  send_open = false;
  host_cancel_seen = false;
  bulk_in_flight = 0;
  optargs_bitmask = 0;
  clock_gettime (CLOCK_MONOTONIC, &call_start);
  last_progress = call_start;
}

bool
proto_replied (void)
{
  return replied;
}

static void
send_frame (uint32_t type, uint32_t status, const void *body, size_t len)
{
  struct frame_header h = {
    .proc = cur_proc, .type = type, .serial = cur_serial, .status = status,
  };
  if (frame_write (chan_fd, &h, body, len) == -1) {
    /* The host went away: nothing more we can tell it. */
    fprintf (stderr, "guestfsd: write to channel: %s\n", strerror (errno));
  }
}

void
proto_send_hello (const char *api_hash, const char *version, uint64_t bulk_size)
{
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_string (&x, api_hash);
  xdr_put_string (&x, version);
  xdr_put_u64 (&x, bulk_size);
  struct frame_header h = { .type = FRAME_HELLO };
  if (frame_write (chan_fd, &h, x.buf, x.len) == -1)
    fprintf (stderr, "guestfsd: hello: %s\n", strerror (errno));
  xdr_free_buf (&x);
}

static void
send_error (int err, const char *msg)
{
  if (replied) {
    fprintf (stderr, "guestfsd: second reply for one call (proc %u): %s\n", cur_proc, msg);
    return;
  }
  if (send_open)
    send_file_end (1);
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u32 (&x, (uint32_t) err);
  /* Bound the message: a tool may print megabytes on stderr. */
  char *m = strndup (msg, 65536);
  xdr_put_string (&x, m ? m : "out of memory");
  free (m);
  if (verbose)
    fprintf (stderr, "guestfsd: error: %s\n", msg);
  send_frame (FRAME_REPLY, STATUS_ERROR, x.buf, x.len);
  xdr_free_buf (&x);
  replied = true;
}

static void
vreply_error (int err, const char *fmt, va_list ap)
{
  char *msg;
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = NULL;
  send_error (err, msg ? msg : "(error message could not be formatted)");
  free (msg);
}

void
reply_with_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vreply_error (0, fmt, ap);
  va_end (ap);
}

void
reply_with_error_errno (int err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vreply_error (err, fmt, ap);
  va_end (ap);
}

void
reply_with_perror (const char *fmt, ...)
{
  int err = errno;
  char *msg;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = NULL;
  va_end (ap);
  char *full;
  if (asprintf (&full, "%s: %s", msg ? msg : "", strerror (err)) == -1)
    full = NULL;
  send_error (err, full ? full : strerror (err));
  free (full);
  free (msg);
}

void
reply (struct xdr *ret)
{
  if (replied) {
    fprintf (stderr, "guestfsd: proc %u replied twice\n", cur_proc);
    return;
  }
  if (ret && ret->error) {
    send_error (EOVERFLOW, "reply could not be encoded (too large for the protocol?)");
    return;
  }
  /* A reply the host would refuse as a frame must become an error reply:
   * dropping it would leave the host waiting for an answer forever.  */
  if (ret && ret->len > HATCH_MAX_FRAME) {
    char msg[160];
    snprintf (msg, sizeof msg, "the reply is too large (%zu bytes; the protocol "
              "limit is %u bytes)", (size_t) ret->len, (unsigned) HATCH_MAX_FRAME);
    send_error (EOVERFLOW, msg);
    return;
  }
  send_frame (FRAME_REPLY, STATUS_OK, ret ? ret->buf : NULL, ret ? ret->len : 0);
  replied = true;
}

static double
elapsed (const struct timespec *a, const struct timespec *b)
{
  return (double) (b->tv_sec - a->tv_sec) + (double) (b->tv_nsec - a->tv_nsec) / 1e9;
}

void
notify_progress (uint64_t position, uint64_t total)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  /* First message after a short delay (quick calls send none), then at
   * most ~10 per second, plus the final one. */
  if (position != total &&
      (elapsed (&call_start, &now) < 0.5 || elapsed (&last_progress, &now) < 0.1))
    return;
  last_progress = now;
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u64 (&x, position);
  xdr_put_u64 (&x, total);
  send_frame (FRAME_PROGRESS, STATUS_OK, x.buf, x.len);
  xdr_free_buf (&x);
}

static ssize_t
read_chan (void *opaque, void *buf, size_t n)
{
  (void) opaque;
  return frame_read_fd (&chan_fd, buf, n);
}

/* chunk_buf holds the body of one chunk, from a frame or from a slot of
 * the bulk disk (hence aligned for O_DIRECT). */
static bool
have_chunk_buf (void)
{
  if (!chunk_buf)
    chunk_buf = bulk_alloc (HATCH_CHUNK_SIZE > HATCH_BULK_SLOT_SIZE
                            ? HATCH_CHUNK_SIZE : HATCH_BULK_SLOT_SIZE);
  return chunk_buf != NULL;
}

static void
send_ack (unsigned slot)
{
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u32 (&x, slot);
  send_frame (FRAME_CHUNK, CHUNK_ACK, x.buf, x.len);
  xdr_free_buf (&x);
}

/* The slot and length of a BULK chunk's body; -1 if they are not valid. */
static int
decode_bulk (const char *body, size_t len, unsigned *slot, size_t *n)
{
  struct xdr x;
  uint32_t s, l;
  xdr_dec_init (&x, body, len);
  if (xdr_get_u32 (&x, &s) == -1 || xdr_get_u32 (&x, &l) == -1 ||
      s >= HATCH_BULK_SLOTS || l == 0 || l > HATCH_BULK_SLOT_SIZE)
    return -1;
  *slot = s;
  *n = l;
  return 0;
}

/* Read the next chunk frame of the incoming stream; its data lands in
 * chunk_buf.  Returns the status (CHUNK_*; a BULK chunk, once read from
 * its slot and acknowledged, is CHUNK_DATA) and sets *len, -2 for a bulk
 * chunk whose slot could not be read (the stream is still in step), or
 * -1 on a broken stream. */
static int
read_chunk (size_t *len)
{
  struct frame_header h;
  if (!have_chunk_buf ())
    return -1;
  int r = frame_read_header (read_chan, NULL, &h, len, HATCH_CHUNK_SIZE);
  if (r <= 0 || h.type != FRAME_CHUNK) {
    fprintf (stderr, "guestfsd: broken file stream (%s)\n", r <= 0 ? strerror (errno) : "not a chunk");
    return -1;
  }
  if (*len && read_chan (NULL, chunk_buf, *len) <= 0)
    return -1;
  if (h.status != CHUNK_BULK)
    return (int) h.status;
  unsigned slot;
  size_t n;
  if (decode_bulk (chunk_buf, *len, &slot, &n) == -1) {
    fprintf (stderr, "guestfsd: broken file stream (bad bulk chunk)\n");
    return -1;
  }
  r = bulk_read_slot (slot, chunk_buf, n);
  int e = errno;
  send_ack (slot);
  if (r == -1) {
    fprintf (stderr, "guestfsd: reading bulk slot %u: %s\n", slot, strerror (e));
    errno = e;
    return -2;
  }
  *len = n;
  return CHUNK_DATA;
}

int
receive_file (receive_cb cb, void *opaque)
{
  bool failed = false;
  int saved_errno = 0;
  if (!receive_open) {
    errno = EINVAL;
    return -1;
  }
  for (;;) {
    size_t len;
    int st = read_chunk (&len);
    if (st == -1) {
      receive_open = false;
      errno = EIO;
      return -1;
    }
    if (st == -2) {
      if (!failed) {
        failed = true;
        saved_errno = errno;
      }
      continue;
    }
    if (st == CHUNK_END || st == CHUNK_CANCEL) {
      receive_open = false;
      if (st == CHUNK_CANCEL) {
        errno = ECANCELED;
        return -1;
      }
      if (failed) {
        errno = saved_errno;
        return -1;
      }
      return 0;
    }
    if (!failed && len && cb (opaque, chunk_buf, len) == -1) {
      failed = true;      /* keep draining so the stream stays in step */
      saved_errno = errno;
    }
  }
}

void
drain_receive (void)
{
  while (receive_open) {
    size_t len;
    int st = read_chunk (&len);
    if (st == -1 || st == CHUNK_END || st == CHUNK_CANCEL)
      receive_open = false;
  }
}

/* While a file goes to the host, the host sends nothing but ACK frames
 * for the bulk slots it has read, and a CHUNK_CANCEL frame when its
 * caller cancelled (guestfs_user_cancel), which is looked for, without
 * waiting, before each chunk.  A vanished host counts as a cancel too
 * (the writes would fail anyway). */

/* Read one frame from the host during a FileOut stream (blocking).
 * 0, or -1 when the host has gone. */
static int
read_host_frame (void)
{
  struct frame_header h;
  size_t len;
  if (frame_read_header (read_chan, NULL, &h, &len, HATCH_CHUNK_SIZE) <= 0 ||
      !have_chunk_buf ())
    return -1;
  if (len && read_chan (NULL, chunk_buf, len) <= 0)
    return -1;
  if (h.type != FRAME_CHUNK)
    return 0;
  if (h.status == CHUNK_CANCEL)
    host_cancel_seen = true;
  else if (h.status == CHUNK_ACK) {
    struct xdr x;
    uint32_t slot;
    xdr_dec_init (&x, chunk_buf, len);
    if (xdr_get_u32 (&x, &slot) == 0 && slot < HATCH_BULK_SLOTS)
      bulk_in_flight &= ~(1u << slot);
  }
  return 0;
}

static bool
host_cancelled (void)
{
  for (;;) {
    struct pollfd p = { .fd = chan_fd, .events = POLLIN };
    if (poll (&p, 1, 0) != 1)
      return host_cancel_seen;
    if (read_host_frame () == -1)
      return true;
  }
}

/* Wait for the host to acknowledge every bulk slot in flight (it
 * acknowledges each one it received, even after a cancel). */
static void
bulk_wait_all (void)
{
  while (bulk_in_flight)
    if (read_host_frame () == -1) {
      bulk_in_flight = 0;
      return;
    }
}

/* Send len bytes (len <= HATCH_BULK_SLOT_SIZE) through a slot of the bulk
 * disk.  0, or -1 with errno. */
static int
send_bulk (const char *p, size_t n)
{
  unsigned slot = bulk_next;
  while (bulk_in_flight & (1u << slot)) {
    if (read_host_frame () == -1) {
      errno = EPIPE;
      return -1;
    }
    if (host_cancel_seen) {
      errno = ECANCELED;
      return -1;
    }
  }
  /* O_DIRECT takes an aligned buffer and whole sectors. */
  if ((uintptr_t) p % BULK_ALIGN || n % 512) {
    if (!send_staging && !(send_staging = bulk_alloc (HATCH_BULK_SLOT_SIZE)))
      return -1;
    memcpy (send_staging, p, n);
    p = send_staging;
  }
  if (bulk_write_slot (slot, p, n) == -1)
    return -1;
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u32 (&x, slot);
  xdr_put_u32 (&x, (uint32_t) n);
  struct frame_header h = { .proc = cur_proc, .type = FRAME_CHUNK,
                            .serial = cur_serial, .status = CHUNK_BULK };
  int r = frame_write (chan_fd, &h, x.buf, x.len);
  xdr_free_buf (&x);
  if (r == -1)
    return -1;
  bulk_in_flight |= 1u << slot;
  bulk_next = (slot + 1) % HATCH_BULK_SLOTS;
  return 0;
}

void *
send_file_buffer (size_t size)
{
  return bulk_alloc (size);
}

int
send_file_write (const void *buf, size_t len)
{
  const char *p = buf;
  send_open = true;
  if (host_cancelled ()) {
    errno = ECANCELED;    /* send_open stays: the error reply ends the stream */
    return -1;
  }
  bool bulk = bulk_available () && len >= HATCH_BULK_MIN;
  while (len > 0) {
    size_t max = bulk ? HATCH_BULK_SLOT_SIZE : HATCH_CHUNK_SIZE;
    size_t n = len < max ? len : max;
    if (bulk) {
      if (send_bulk (p, n) == -1)
        return -1;
    }
    else {
      struct frame_header h = { .proc = cur_proc, .type = FRAME_CHUNK,
                                .serial = cur_serial, .status = CHUNK_DATA };
      if (frame_write (chan_fd, &h, p, n) == -1)
        return -1;
    }
    p += n;
    len -= n;
  }
  return 0;
}

int
send_file_end (int cancel)
{
  send_open = false;
  bulk_wait_all ();
  struct frame_header h = { .proc = cur_proc, .type = FRAME_CHUNK,
                            .serial = cur_serial,
                            .status = cancel ? CHUNK_CANCEL : CHUNK_END };
  return frame_write (chan_fd, &h, NULL, 0);
}
