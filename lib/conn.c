/* The library's side of the wire protocol: one call at a time over the
 * socket that qemu's virtio-serial chardev connected to.  While waiting we
 * also read qemu's console (for debug messages and error reports) and
 * notice when qemu dies.  Everything the daemon sends is bounded and
 * checked: it may be hostile. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"

static void
console_append (guestfs_h *g, const char *buf, size_t n)
{
  g->console_total += n;
  for (size_t i = 0; i < n; ++i) {
    g->console_tail[g->console_pos++] = buf[i];
    if (g->console_pos == CONSOLE_TAIL_SIZE) {
      g->console_pos = 0;
      g->console_wrapped = true;
    }
  }
  /* Appliance events go out line by line. */
  for (size_t i = 0; i < n; ++i) {
    char c = buf[i];
    if (c == '\r')
      continue;
    g->console_line[g->console_line_len++] = c;
    if (c == '\n' || g->console_line_len == sizeof g->console_line) {
      guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_APPLIANCE,
                                          g->console_line, g->console_line_len);
      g->console_line_len = 0;
    }
  }
}

void
guestfs_int_drain_console (guestfs_h *g)
{
  if (g->console_fd < 0)
    return;
  char buf[4096];
  for (;;) {
    ssize_t r = read (g->console_fd, buf, sizeof buf);
    if (r > 0) {
      console_append (g, buf, (size_t) r);
      continue;
    }
    if (r == 0) {
      close (g->console_fd);
      g->console_fd = -1;
    }
    return;   /* EAGAIN or error */
  }
}

/* Forget what the console said (a failed boot's lines), before the next
 * boot. */
void
guestfs_int_console_reset (guestfs_h *g)
{
  g->console_pos = 0;
  g->console_wrapped = false;
  g->console_line_len = 0;
}

char *
guestfs_int_console_tail (guestfs_h *g, int max_lines)
{
  char buf[CONSOLE_TAIL_SIZE + 1];
  size_t n = 0;
  if (g->console_wrapped) {
    memcpy (buf, g->console_tail + g->console_pos, CONSOLE_TAIL_SIZE - g->console_pos);
    n = CONSOLE_TAIL_SIZE - g->console_pos;
  }
  memcpy (buf + n, g->console_tail, g->console_pos);
  n += g->console_pos;
  buf[n] = '\0';
  /* Keep the last max_lines lines, but never lose a kernel panic line:
   * the stack trace that follows it would push it out. */
  char *panic = NULL;
  for (char *p = strstr (buf, "Kernel panic"); p; p = strstr (p + 1, "Kernel panic"))
    panic = p;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    buf[--n] = '\0';
  size_t start = n;
  int lines = 0;
  while (start > 0) {
    if (buf[start - 1] == '\n' && ++lines == max_lines)
      break;
    start--;
  }
  /* Drop control characters other than newline. */
  char *r;
  if (panic && panic < buf + start) {
    size_t plen = strcspn (panic, "\n");
    if (asprintf (&r, "%.*s\n...\n%s", (int) plen, panic, buf + start) == -1)
      r = NULL;
  }
  else
    r = strdup (buf + start);
  if (r)
    for (char *p = r; *p; ++p)
      if ((unsigned char) *p < 32 && *p != '\n')
        *p = ' ';
  return r;
}

/* Error for a dead or silent appliance, quoting its console. */
static void
appliance_died (guestfs_h *g, const char *what)
{
  guestfs_int_drain_console (g);
  char *tail = guestfs_int_console_tail (g, 12);
  int status;
  char why[128] = "";
  if (g->qemu_pid > 0 && waitpid (g->qemu_pid, &status, WNOHANG) == g->qemu_pid) {
    g->qemu_pid = 0;
    if (WIFEXITED (status))
      snprintf (why, sizeof why, " (qemu exited with status %d)", WEXITSTATUS (status));
    else if (WIFSIGNALED (status))
      snprintf (why, sizeof why, " (qemu killed by signal %d)", WTERMSIG (status));
  }
  error (g, "%s%s%s%s", what, why,
         tail && *tail ? "\nlast lines of the appliance console:\n" : "",
         tail && *tail ? tail : "");
  free (tail);
}

struct reader {
  guestfs_h *g;
  int timeout_ms;      /* -1: a call (bounded by g->call_deadline if set); else launch */
};

/* Milliseconds from now until t (0 once passed). */
static int
ms_until (const struct timespec *t)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  long long ms = (long long) (t->tv_sec - now.tv_sec) * 1000 +
                 (t->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int) ms;
}

/* Milliseconds left before the call's deadline (LIBGUESTFS_CALL_TIMEOUT),
 * or -1 when the call has none. */
static int
call_ms_left (guestfs_h *g)
{
  return g->call_deadline.tv_sec == 0 ? -1 : ms_until (&g->call_deadline);
}

/* ---- user_cancel while waiting ----
 * guestfs_user_cancel writes to g->cancel_fd, which every wait below
 * polls.  From then on the call has CANCEL_GRACE_MS to end: a download
 * is told to stop (a CHUNK_CANCEL frame, which the daemon looks for
 * between chunks), an upload sends CHUNK_CANCEL itself; a call that does
 * not reply in time (a long command) is abandoned and the appliance
 * stopped, so the caller always gets control back. */
#define CANCEL_GRACE_MS 3000

/* Empty the eventfd; when a cancel is pending, start its grace. */
static void
note_cancel (guestfs_h *g)
{
  uint64_t v;
  while (g->cancel_fd >= 0 && read (g->cancel_fd, &v, sizeof v) > 0)
    ;
  if (g->user_cancel && g->state == BUSY && g->cancel_deadline.tv_sec == 0) {
    clock_gettime (CLOCK_MONOTONIC, &g->cancel_deadline);
    g->cancel_deadline.tv_sec += CANCEL_GRACE_MS / 1000;
  }
}

/* The poll timeout of a wait inside a call: the sooner of the call's
 * deadline and the cancel grace; -1 when there is neither. */
static int
wait_ms_left (guestfs_h *g)
{
  note_cancel (g);
  int ms = call_ms_left (g);
  if (g->cancel_deadline.tv_sec != 0) {
    int c = ms_until (&g->cancel_deadline);
    if (ms < 0 || c < ms)
      ms = c;
  }
  return ms;
}

/* errno for a wait that ran out of time. */
static int
expired_errno (guestfs_h *g)
{
  return g->cancel_deadline.tv_sec != 0 && ms_until (&g->cancel_deadline) == 0
         ? ECANCELED : ETIMEDOUT;
}

/* frame_read_fn: read exactly n bytes from the daemon socket, servicing
 * the console meanwhile. */
static ssize_t
read_sock (void *opaque, void *buf, size_t n)
{
  struct reader *rd = opaque;
  guestfs_h *g = rd->g;
  size_t got = 0;
  while (got < n) {
    ssize_t r = read (g->sock, (char *) buf + got, n - got);
    if (r > 0) {
      got += (size_t) r;
      continue;
    }
    if (r == 0) {
      if (got == 0)
        return 0;
      errno = EPROTO;
      return -1;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN)
      return -1;
    struct pollfd p[3] = {
      { .fd = g->sock, .events = POLLIN },
      { .fd = g->console_fd, .events = POLLIN },
      { .fd = g->cancel_fd, .events = POLLIN },
    };
    /* (wait_ms_left empties the eventfd: a wake-up left over from a call
     * that ended anyway must not make a launch's wait spin.) */
    int wait_ms = wait_ms_left (g);
    if (rd->timeout_ms >= 0)
      wait_ms = rd->timeout_ms;
    int pr = poll (p, 3, wait_ms);
    if (pr == 0) {
      errno = rd->timeout_ms >= 0 ? ETIMEDOUT : expired_errno (g);
      return -1;
    }
    if (pr == -1 && errno != EINTR)
      return -1;
    if (g->console_fd >= 0 && p[1].revents)
      guestfs_int_drain_console (g);
  }
  return (ssize_t) n;
}

/* write_all into a download's destination, which may be a pipe (copy_out
 * feeds the host's tar through one, and a caller may name /dev/stdout):
 * a reader that has gone away must give the caller an error (EPIPE), not
 * kill its process with SIGPIPE.  SIGPIPE is blocked in this thread for
 * the write, and one it raised is taken back unless it was already
 * pending before. */
static int
write_all_nosigpipe (int fd, const void *buf, size_t n)
{
  sigset_t pipe_set, old, pending;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  bool was_pending = sigpending (&pending) == 0 && sigismember (&pending, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old);
  int r = write_all (fd, buf, n);
  int e = errno;
  if (r == -1 && e == EPIPE && !was_pending) {
    struct timespec zero = { 0, 0 };
    while (sigtimedwait (&pipe_set, NULL, &zero) == -1 && errno == EINTR)
      ;
  }
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  errno = e;
  return r;
}

static int
write_sock (guestfs_h *g, const struct frame_header *h, const void *body, size_t len)
{
  /* One writev per frame, so qemu takes each call in one read.  The socket
   * is non-blocking (for reads); when full, wait with poll while keeping
   * the console drained. */
  unsigned char prefix[4 + HATCH_HEADER_SIZE];
  frame_encode_prefix (prefix, h, len);
  struct iovec iov[2] = {
    { prefix, sizeof prefix },
    { (void *) body, len },
  };
  struct iovec *v = iov;
  int cnt = len ? 2 : 1;
  while (cnt > 0) {
    /* sendmsg with MSG_NOSIGNAL, not writev: a daemon that died must give
     * the caller an error (EPIPE), not kill it with SIGPIPE. */
    struct msghdr msg = { .msg_iov = v, .msg_iovlen = (size_t) cnt };
    ssize_t r = sendmsg (g->sock, &msg, MSG_NOSIGNAL);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1 && errno == EAGAIN) {
      struct pollfd p[3] = {
        { .fd = g->sock, .events = POLLOUT },
        { .fd = g->console_fd, .events = POLLIN },
        { .fd = g->cancel_fd, .events = POLLIN },
      };
      int pr = poll (p, 3, wait_ms_left (g));
      if (pr == 0) {
        errno = expired_errno (g);
        return -1;
      }
      if (pr > 0 && g->console_fd >= 0 && p[1].revents)
        guestfs_int_drain_console (g);
      continue;
    }
    if (r == -1)
      return -1;
    size_t done = (size_t) r;
    while (cnt > 0 && done >= v->iov_len) {
      done -= v->iov_len;
      v++;
      cnt--;
    }
    if (cnt > 0) {
      v->iov_base = (char *) v->iov_base + done;
      v->iov_len -= done;
    }
  }
  return 0;
}

/* The daemon said how big its bulk data disk is: use it when it is the
 * one we made. */
static void
set_bulk (guestfs_h *g, uint64_t size)
{
  g->bulk_ok = g->bulk_fd >= 0 && size == HATCH_BULK_DISK_SIZE;
  debug (g, "file streams: %s", g->bulk_ok ? "bulk data disk for big chunks"
         : "the channel only (no bulk data disk)");
}

int
guestfs_int_wait_hello (guestfs_h *g, int timeout_ms)
{
  struct reader rd = { g, timeout_ms };
  struct frame_header h;
  char *body = NULL;
  size_t len;
  int r = frame_read (read_sock, &rd, &h, &body, &len, 64 * 1024);
  if (r <= 0) {
    appliance_died (g, r == -1 && errno == ETIMEDOUT
                    ? "timed out waiting for the appliance to start"
                    : "appliance closed the connection before the daemon started");
    return -1;
  }
  if (h.type != FRAME_HELLO) {
    free (body);
    error (g, "launch: protocol error: expected the daemon's greeting");
    return -1;
  }
  struct xdr x;
  char *hash = NULL, *version = NULL;
  uint64_t bulk_size = 0;
  xdr_dec_init (&x, body, len);
  if (xdr_get_string (&x, &hash) == -1 || xdr_get_string (&x, &version) == -1) {
    free (hash);
    free (version);
    free (body);
    error (g, "launch: protocol error: malformed greeting from the daemon");
    return -1;
  }
  /* A daemon older than the bulk data disk says nothing of it (its API
   * hash still decides below whether it may be used at all). */
  if (xdr_get_u64 (&x, &bulk_size) == -1)
    bulk_size = 0;
  set_bulk (g, bulk_size);
  extern const char *guestfs_int_api_hash;
  int ret = 0;
  if (strcmp (hash, guestfs_int_api_hash) != 0) {
    error (g, "launch: the appliance daemon was built from a different API table "
           "(daemon %s, library %s): the cached appliance is stale; remove the "
           "cache directory and try again", hash, guestfs_int_api_hash);
    ret = -1;
  }
  else
    debug (g, "daemon %s ready (api %s)", version, hash);
  free (hash);
  free (version);
  free (body);
  return ret;
}

void
guestfs_int_reply_free (struct hatch_reply *r)
{
  free (r->body);
  r->body = NULL;
}

void
guestfs_int_protocol_error (guestfs_h *g, const char *name, struct xdr *x)
{
  error (g, "%s: protocol error: could not decode the reply (%s)",
         name, xdr_strerror (x->error ? x->error : XDR_EINVAL));
}

/* The handle error from an error reply (unless the call failed on our
 * side first). */
static void
reply_error (guestfs_h *g, const char *name, const char *body, size_t len, bool local_error)
{
  struct xdr x;
  uint32_t err = 0;
  char *msg = NULL;
  xdr_dec_init (&x, body, len);
  if (xdr_get_u32 (&x, &err) == -1 || xdr_get_string (&x, &msg) == -1)
    error (g, "%s: protocol error: malformed error reply", name);
  else if (!local_error)
    guestfs_int_error_errno (g, err < 4096 ? (int) err : 0, "%s: %s", name, msg);
  free (msg);
}

/* Upload progress comes from here, not the daemon: while sending, the
 * library is not reading the channel, and it knows the file's size. */
static void
upload_progress (guestfs_h *g, int proc, uint32_t serial, uint64_t pos,
                 uint64_t total, struct timespec *last, bool final)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  if (!final && (now.tv_sec - last->tv_sec) * 1000 + (now.tv_nsec - last->tv_nsec) / 1000000 < 100)
    return;
  *last = now;
  uint64_t arr[4] = { (uint64_t) proc, serial, pos, total };
  guestfs_int_call_callbacks_array (g, GUESTFS_EVENT_PROGRESS, arr, 4);
}

/* Open a FileIn / FileOut path.  /dev/stdin, /dev/stdout, /dev/stderr and
 * /dev/fd/N name descriptors the program already has: they are duplicated,
 * not reopened, so a redirected stdout is neither truncated nor rewound
 * ("download /a - : download /b -" into a file keeps both). */
static int
open_file (const char *path, int flags)
{
  int n = -1;
  if (strcmp (path, "/dev/stdin") == 0)
    n = 0;
  else if (strcmp (path, "/dev/stdout") == 0)
    n = 1;
  else if (strcmp (path, "/dev/stderr") == 0)
    n = 2;
  else if (strncmp (path, "/dev/fd/", 8) == 0 && path[8] >= '0' && path[8] <= '9' &&
           strspn (path + 8, "0123456789") == strlen (path + 8) && strlen (path + 8) < 8)
    n = atoi (path + 8);
  if (n >= 0)
    return fcntl (n, F_DUPFD_CLOEXEC, 3);
  return open (path, flags | O_CLOEXEC | O_NOCTTY, 0666);
}

/* The call's deadline passed: the daemon is still busy with it, so the
 * connection is out of step and the appliance is stopped (the caller may
 * launch again). */
static void
call_timed_out (guestfs_h *g, const char *name)
{
  guestfs_int_error_errno (g, ETIMEDOUT,
                           "%s: no reply from the appliance within %d s "
                           "(LIBGUESTFS_CALL_TIMEOUT); the appliance was stopped",
                           name, g->call_timeout);
}

/* A wait inside a call failed with errno: say why (the appliance is then
 * stopped by the caller). */
static void
call_wait_failed (guestfs_h *g, const char *name, const char *what)
{
  if (errno == ETIMEDOUT)
    call_timed_out (g, name);
  else if (errno == ECANCELED)
    guestfs_int_error_errno (g, EINTR, "%s: operation cancelled by user; the "
                             "appliance did not end the call within %d s and was stopped",
                             name, CANCEL_GRACE_MS / 1000);
  else
    appliance_died (g, what);
}

/* An upload in flight: the bulk slots the daemon has not acknowledged
 * yet, and its reply if it came early (a daemon that cannot write the
 * file replies at once, then drains the stream). */
struct upload {
  unsigned in_flight;
  bool have_reply;
  struct frame_header reply_h;
  char *reply_body;
  size_t reply_len;
};

/* Send a BULK (slot, len) or ACK (slot) chunk frame. */
static int
send_chunk_ctl (guestfs_h *g, uint32_t serial, uint32_t status, unsigned slot, size_t len)
{
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u32 (&x, slot);
  if (status == CHUNK_BULK)
    xdr_put_u32 (&x, (uint32_t) len);
  struct frame_header h = { .type = FRAME_CHUNK, .serial = serial, .status = status };
  int r = write_sock (g, &h, x.buf, x.len);
  xdr_free_buf (&x);
  return r;
}

/* Read one frame the daemon sends while an upload is in flight: an ACK
 * of a bulk slot, a log line, or its early reply (kept for later).
 * 0, or -1 with the error set (the appliance is then unusable). */
static int
upload_read_frame (guestfs_h *g, const char *name, uint32_t serial, struct upload *u)
{
  struct reader rd = { g, -1 };
  struct frame_header h;
  char *body = NULL;
  size_t len;
  int r = frame_read (read_sock, &rd, &h, &body, &len, HATCH_MAX_FRAME);
  if (r <= 0) {
    if (r == -1 && (errno == EPROTO || errno == EFBIG))
      error (g, "%s: protocol error: malformed frame from the daemon; closing the connection", name);
    else {
      if (r == 0)
        errno = 0;
      call_wait_failed (g, name, "appliance closed the connection during an upload");
    }
    return -1;
  }
  if (h.type == FRAME_LOG) {
    guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_APPLIANCE, body ? body : "", len);
    free (body);
    return 0;
  }
  if (h.serial == serial && h.type == FRAME_PROGRESS) {
    free (body);
    return 0;
  }
  if (h.serial == serial && h.type == FRAME_CHUNK && h.status == CHUNK_ACK && u->in_flight) {
    u->in_flight--;
    free (body);
    return 0;
  }
  if (h.serial == serial && h.type == FRAME_REPLY && !u->have_reply) {
    u->have_reply = true;
    u->reply_h = h;
    u->reply_body = body;
    u->reply_len = len;
    return 0;
  }
  free (body);
  error (g, "%s: protocol error: unexpected frame (type %u, status %u) during an upload",
         name, h.type, h.status);
  return -1;
}

/* Read up to n bytes: fewer only at the end of the file. */
static ssize_t
read_full (int fd, char *buf, size_t n)
{
  size_t got = 0;
  while (got < n) {
    ssize_t r = read (fd, buf + got, n - got);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1)
      return got ? (ssize_t) got : -1;
    if (r == 0)
      break;
    got += (size_t) r;
  }
  return (ssize_t) got;
}

/* Send the FileIn: big chunks through the bulk data disk when there is
 * one (common/protocol.h), the rest in DATA frames.  0, -1 (a local error:
 * the stream was cancelled, the daemon still replies) or -2 (the
 * connection is unusable). */
static int
send_file (guestfs_h *g, int proc, const char *name, const char *filename,
           uint32_t serial, struct upload *u)
{
  int fd = open_file (filename, O_RDONLY);
  int ret = 0;
  struct frame_header h = { .type = FRAME_CHUNK, .serial = serial };
  if (fd == -1) {
    guestfs_int_perrorf (g, "%s: %s", name, filename);
    h.status = CHUNK_CANCEL;
    write_sock (g, &h, NULL, 0);
    return -1;
  }
  size_t bufsize = HATCH_CHUNK_SIZE > HATCH_BULK_SLOT_SIZE ? HATCH_CHUNK_SIZE : HATCH_BULK_SLOT_SIZE;
  char *buf = malloc (bufsize);
  if (!buf) {
    close (fd);
    guestfs_int_perrorf (g, "malloc");
    h.status = CHUNK_CANCEL;
    write_sock (g, &h, NULL, 0);
    return -1;
  }
  struct stat st;
  uint64_t total = fstat (fd, &st) == 0 && S_ISREG (st.st_mode) ? (uint64_t) st.st_size : 0;
  uint64_t sent = 0;
  struct timespec last;
  clock_gettime (CLOCK_MONOTONIC, &last);
  bool want_progress = total > 0 && guestfs_int_has_callback (g, GUESTFS_EVENT_PROGRESS);
  unsigned next_slot = 0;
  for (;;) {
    if (g->user_cancel) {
      guestfs_int_error_errno (g, EINTR, "%s: operation cancelled by user", name);
      h.status = CHUNK_CANCEL;
      ret = -1;
      break;
    }
    if (u->have_reply) {
      /* The daemon has answered already (it could not take the file):
       * the rest would only be drained. */
      h.status = CHUNK_CANCEL;
      break;
    }
    /* Bulk chunks are filled whole; without the bulk disk a pipe's data
     * goes on as it comes. */
    ssize_t r = g->bulk_ok ? read_full (fd, buf, HATCH_BULK_SLOT_SIZE)
                           : read (fd, buf, HATCH_CHUNK_SIZE);
    if (r == -1 && errno == EINTR)
      continue;
    if (r == -1) {
      guestfs_int_perrorf (g, "%s: read: %s", name, filename);
      h.status = CHUNK_CANCEL;
      ret = -1;
      break;
    }
    if (r == 0) {
      h.status = CHUNK_END;
      if (want_progress)
        upload_progress (g, proc, serial, sent, sent > total ? sent : total, &last, true);
      break;
    }
    int w;
    if (g->bulk_ok && (size_t) r >= HATCH_BULK_MIN) {
      /* The daemon acknowledges slots in the order it got them: the next
       * slot is free once fewer than all are in flight. */
      while (u->in_flight == HATCH_BULK_SLOTS)
        if (upload_read_frame (g, name, serial, u) == -1)
          goto broken;
      off_t off = (off_t) HATCH_BULK_SLOT_OFFSET (next_slot);
      if (pwrite (g->bulk_fd, buf, (size_t) r, off) != r) {
        guestfs_int_perrorf (g, "%s: writing the bulk data disk", name);
        h.status = CHUNK_CANCEL;
        ret = -1;
        break;
      }
      w = send_chunk_ctl (g, serial, CHUNK_BULK, next_slot, (size_t) r);
      if (w == 0) {
        u->in_flight++;
        next_slot = (next_slot + 1) % HATCH_BULK_SLOTS;
      }
    }
    else {
      h.status = CHUNK_DATA;
      w = write_sock (g, &h, buf, (size_t) r);
    }
    if (w == -1) {
      call_wait_failed (g, name, "appliance closed the connection during an upload");
      goto broken;
    }
    sent += (uint64_t) r;
    if (want_progress && sent < total)
      upload_progress (g, proc, serial, sent, total, &last, false);
  }
  free (buf);
  close (fd);
  if (write_sock (g, &h, NULL, 0) == -1) {
    call_wait_failed (g, name, "appliance closed the connection during an upload");
    return -2;
  }
  /* Every slot acknowledged before the reply is read. */
  while (u->in_flight)
    if (upload_read_frame (g, name, serial, u) == -1)
      return -2;
  return ret;

 broken:
  free (buf);
  close (fd);
  return -2;
}

/* The daemon's reply to a call: on success its body goes to REPLY
 * (unless the call already failed on our side), else its error becomes
 * the handle's.  BODY is consumed.  0 or -1. */
static int
take_reply (guestfs_h *g, const char *name, const struct frame_header *h,
            char *body, size_t len, bool local_error, struct hatch_reply *reply)
{
  if (h->status != STATUS_OK) {
    reply_error (g, name, body, len, local_error);
    free (body);
    return -1;
  }
  if (local_error) {
    free (body);
    return -1;
  }
  reply->body = body;
  reply->len = len;
  return 0;
}

int
guestfs_int_daemon_call (guestfs_h *g, int proc, const char *name,
                         struct xdr *req, const char *filein,
                         const char *fileout, int progress,
                         struct hatch_reply *reply)
{
  (void) progress;
  reply->body = NULL;
  reply->len = 0;
  if (g->state != READY) {
    if (g->state == CONFIG)
      error (g, "%s: call launch before using this function\n"
             "(in guestfish, don't forget to use the 'run' command)", name);
    else
      error (g, "%s: the handle is busy or not ready (state %d)", name, (int) g->state);
    return -1;
  }
  guestfs_int_plug_pending_memory (g, proc);
  /* The FileOut is opened when the first chunk arrives, so that a call
   * the daemon refuses (a missing file, a device node) leaves no empty
   * host file behind, and an existing one untouched. */
  int outfd = -1;
  char *bulk_buf = NULL;      /* a bulk chunk of the FileOut */
  bool bulk_copy = true;      /* copy_file_range works for the FileOut */

  g->user_cancel = 0;
  g->cancel_deadline.tv_sec = 0;
  note_cancel (g);            /* a stale wake-up from an earlier cancel */
  g->state = BUSY;
  if (g->call_timeout > 0) {
    clock_gettime (CLOCK_MONOTONIC, &g->call_deadline);
    g->call_deadline.tv_sec += g->call_timeout;
  }
  uint32_t serial = ++g->serial;
  struct frame_header h = { .proc = (uint32_t) proc, .type = FRAME_CALL, .serial = serial };
  int ret = -1;
  bool local_error = false;
  if (write_sock (g, &h, req->buf, req->len) == -1) {
    call_wait_failed (g, name, "appliance closed the connection unexpectedly");
    goto stop;
  }
  struct upload up = { 0 };
  if (filein) {
    int r = send_file (g, proc, name, filein, serial, &up);
    if (r == -2) {
      free (up.reply_body);
      goto stop;
    }
    if (r == -1)
      local_error = true;   /* the daemon still replies; keep its reply */
  }

  struct reader rd = { g, -1 };
  for (;;) {
    size_t len;
    if (up.have_reply) {    /* it came during the upload */
      up.have_reply = false;
      h = up.reply_h;
      len = up.reply_len;
      char *body = up.reply_body;
      up.reply_body = NULL;
      ret = take_reply (g, name, &h, body, len, local_error, reply);
      goto out;
    }
    int r = frame_read_header (read_sock, &rd, &h, &len, HATCH_MAX_FRAME);
    if (r <= 0) {
      if (r == -1 && (errno == EPROTO || errno == EFBIG)) {
        error (g, "%s: protocol error: malformed frame from the daemon; closing the connection", name);
        goto stop;
      }
      if (r == 0)
        errno = 0;
      call_wait_failed (g, name, "appliance closed the connection unexpectedly");
      goto stop;
    }
    char *body = NULL;
    if (len) {
      body = malloc (len);
      if (!body) {
        guestfs_int_perrorf (g, "malloc");
        goto stop;
      }
      if (read_sock (&rd, body, len) <= 0) {
        free (body);
        call_wait_failed (g, name, "appliance closed the connection unexpectedly");
        goto stop;
      }
    }
    if (h.serial != serial && h.type != FRAME_LOG) {
      free (body);
      error (g, "%s: protocol error: reply for another call (serial %u, expected %u)",
             name, h.serial, serial);
      goto stop;
    }
    switch (h.type) {
    case FRAME_PROGRESS: {
      struct xdr x;
      uint64_t pos, total;
      xdr_dec_init (&x, body, len);
      if (xdr_get_u64 (&x, &pos) == 0 && xdr_get_u64 (&x, &total) == 0) {
        uint64_t arr[4] = { (uint64_t) proc, serial, pos, total };
        guestfs_int_call_callbacks_array (g, GUESTFS_EVENT_PROGRESS, arr, 4);
      }
      free (body);
      continue;
    }
    case FRAME_LOG:
      guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_APPLIANCE, body ? body : "", len);
      free (body);
      continue;
    case FRAME_CHUNK:
      if (!fileout) {
        free (body);
        error (g, "%s: protocol error: unexpected file data from the daemon", name);
        goto stop;
      }
      const char *data = body;
      size_t dlen = len;
      if (h.status == CHUNK_BULK) {
        /* The bytes are in a slot of the bulk disk: take them, then free
         * the slot (always, so the daemon's stream goes on to its end). */
        struct xdr x;
        uint32_t slot, n;
        xdr_dec_init (&x, body, len);
        if (!g->bulk_ok || xdr_get_u32 (&x, &slot) == -1 || xdr_get_u32 (&x, &n) == -1 ||
            slot >= HATCH_BULK_SLOTS || n == 0 || n > HATCH_BULK_SLOT_SIZE) {
          free (body);
          error (g, "%s: protocol error: bad bulk chunk from the daemon", name);
          goto stop;
        }
        /* Into a regular file the kernel copies the slot itself
         * (copy_file_range: one copy, not two through our buffer). */
        bool copied = false;
        if (!local_error && !g->user_cancel && bulk_copy) {
          if (outfd < 0 && (outfd = open_file (fileout, O_WRONLY | O_CREAT | O_TRUNC)) == -1) {
            guestfs_int_perrorf (g, "%s: %s", name, fileout);
            local_error = true;
          }
          loff_t off = (loff_t) HATCH_BULK_SLOT_OFFSET (slot);
          size_t left = n;
          while (outfd >= 0 && left > 0) {
            ssize_t c = copy_file_range (g->bulk_fd, &off, outfd, NULL, left, 0);
            if (c <= 0)
              break;
            left -= (size_t) c;
          }
          if (outfd >= 0 && left == 0)
            copied = true;
          else if (outfd >= 0 && left < n) {   /* failed half way */
            guestfs_int_perrorf (g, "%s: write: %s", name, fileout);
            local_error = true;
          }
          else
            bulk_copy = false;    /* not a regular file here: read and write */
        }
        if (!copied && !local_error) {
          if (!bulk_buf && !(bulk_buf = malloc (HATCH_BULK_SLOT_SIZE))) {
            free (body);
            guestfs_int_perrorf (g, "malloc");
            goto stop;
          }
          if (pread (g->bulk_fd, bulk_buf, n, (off_t) HATCH_BULK_SLOT_OFFSET (slot)) != (ssize_t) n) {
            guestfs_int_perrorf (g, "%s: reading the bulk data disk", name);
            local_error = true;
          }
        }
        if (send_chunk_ctl (g, serial, CHUNK_ACK, slot, 0) == -1) {
          free (body);
          call_wait_failed (g, name, "appliance closed the connection during a download");
          goto stop;
        }
        if (copied) {
          free (body);
          continue;
        }
        data = bulk_buf;
        dlen = n;
        h.status = CHUNK_DATA;
      }
      if (outfd < 0 && !local_error && h.status != CHUNK_CANCEL) {
        outfd = open_file (fileout, O_WRONLY | O_CREAT | O_TRUNC);
        if (outfd == -1) {
          guestfs_int_perrorf (g, "%s: %s", name, fileout);
          local_error = true;   /* keep reading to stay in step */
        }
      }
      /* After user_cancel the daemon is asked to stop the stream (it
       * looks for this frame between chunks); what it sent meanwhile is
       * read and thrown away, to stay in step. */
      if (g->user_cancel && !local_error) {
        guestfs_int_error_errno (g, EINTR, "%s: operation cancelled by user", name);
        local_error = true;
        struct frame_header c = { .type = FRAME_CHUNK, .serial = serial,
                                  .status = CHUNK_CANCEL };
        if (write_sock (g, &c, NULL, 0) == -1) {
          call_wait_failed (g, name, "appliance closed the connection during a download");
          goto stop;
        }
      }
      if (local_error) {
        free (body);
        continue;
      }
      if (h.status == CHUNK_DATA && dlen && write_all_nosigpipe (outfd, data, dlen) == -1 && !local_error) {
        guestfs_int_perrorf (g, "%s: write: %s", name, fileout);
        local_error = true;   /* keep reading to stay in step */
      }
      free (body);
      continue;
    case FRAME_REPLY:
      if (h.status == STATUS_OK) {
        if (fileout && outfd < 0 && !local_error) {   /* an empty stream */
          outfd = open_file (fileout, O_WRONLY | O_CREAT | O_TRUNC);
          if (outfd == -1) {
            guestfs_int_perrorf (g, "%s: %s", name, fileout);
            local_error = true;
          }
        }
      }
      ret = take_reply (g, name, &h, body, len, local_error, reply);
      goto out;
    default:
      free (body);
      error (g, "%s: protocol error: unexpected frame type %u", name, h.type);
      goto stop;
    }
  }

 stop:
  /* The appliance died, or the stream is out of step (a malformed frame,
   * a timed-out call): either way it cannot be used any more. */
  g->call_deadline.tv_sec = 0;
  g->cancel_deadline.tv_sec = 0;
  guestfs_int_backend_shutdown (g, false);
  goto done;
 out:
  g->call_deadline.tv_sec = 0;
  g->cancel_deadline.tv_sec = 0;
  g->state = READY;
 done:
  free (bulk_buf);
  if (outfd >= 0 && close (outfd) == -1 && ret == 0) {
    guestfs_int_perrorf (g, "%s: close: %s", name, fileout);
    guestfs_int_reply_free (reply);
    ret = -1;
  }
  return ret;
}

int
guestfs_int_daemon_resume (guestfs_h *g, int timeout_ms, char *why, size_t whylen)
{
  /* The set of targets that hold drives: slot i is target i. */
  unsigned char targets[HATCH_TARGET_BITMAP] = { 0 };
  for (size_t i = 0; i < g->nr_drives && i < 8 * HATCH_TARGET_BITMAP; ++i)
    if (!g->drives[i].removed)
      targets[i / 8] |= (unsigned char) (1u << (i % 8));
  unsigned char entropy[64];
  struct timespec now;
  if (getrandom (entropy, sizeof entropy, 0) != (ssize_t) sizeof entropy) {
    snprintf (why, whylen, "getrandom: %s", strerror (errno));
    return -1;
  }
  clock_gettime (CLOCK_REALTIME, &now);
  struct xdr x;
  xdr_enc_init (&x);
  xdr_put_u64 (&x, (uint64_t) now.tv_sec);
  xdr_put_u32 (&x, (uint32_t) now.tv_nsec);
  xdr_put_opaque (&x, entropy, sizeof entropy);
  xdr_put_opaque (&x, targets, sizeof targets);
  explicit_bzero (entropy, sizeof entropy);
  uint32_t serial = ++g->serial;
  struct frame_header h = { .proc = HATCH_PROC_RESUME, .type = FRAME_CALL, .serial = serial };
  int r = write_sock (g, &h, x.buf, x.len);
  explicit_bzero (x.buf, x.len);
  xdr_free_buf (&x);
  if (r == -1) {
    snprintf (why, whylen, "sending the resume call: %s", strerror (errno));
    return -1;
  }
  struct reader rd = { g, timeout_ms };
  for (;;) {
    char *body = NULL;
    size_t len;
    r = frame_read (read_sock, &rd, &h, &body, &len, 65536);
    if (r != 1) {
      snprintf (why, whylen, "no answer to the resume call (%s)",
                r == 0 ? "channel closed" : strerror (errno));
      return -1;
    }
    /* A daemon that saw its channel reconnect greets again: skip it. */
    if (h.type == FRAME_HELLO || h.type == FRAME_PROGRESS || h.serial != serial) {
      free (body);
      continue;
    }
    if (h.type == FRAME_LOG) {
      guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_APPLIANCE, body ? body : "", len);
      free (body);
      continue;
    }
    if (h.type == FRAME_REPLY && h.status == STATUS_OK) {
      struct xdr rx;
      uint64_t bulk_size = 0;
      xdr_dec_init (&rx, body, len);
      if (xdr_get_u64 (&rx, &bulk_size) == -1)
        bulk_size = 0;
      set_bulk (g, bulk_size);
      free (body);
      return 0;
    }
    struct xdr e;
    uint32_t err;
    char *msg = NULL;
    xdr_dec_init (&e, body, len);
    if (h.type == FRAME_REPLY && xdr_get_u32 (&e, &err) == 0 && xdr_get_string (&e, &msg) == 0) {
      snprintf (why, whylen, "%s", msg);
      if (err == 0)
        err = EIO;
    }
    else {
      snprintf (why, whylen, "unexpected answer to the resume call");
      err = EPROTO;
    }
    free (msg);
    free (body);
    errno = (int) err;
    return -1;
  }
}

int
guestfs_int_daemon_exit (guestfs_h *g)
{
  struct frame_header h = { .proc = HATCH_PROC_EXIT, .type = FRAME_CALL, .serial = ++g->serial };
  if (write_sock (g, &h, NULL, 0) == -1)
    return -1;
  struct reader rd = { g, 10000 };
  char *body = NULL;
  size_t len;
  int r = frame_read (read_sock, &rd, &h, &body, &len, 65536);
  free (body);
  return r == 1 && h.type == FRAME_REPLY && h.status == STATUS_OK ? 0 : -1;
}
