/* journal_*: read a guest's systemd journal with libsystemd's sd-journal.
 *
 * One journal handle per appliance.  The journal directory is opened
 * inside the guest tree and handed to sd-journal as a descriptor, so a
 * guest symlink cannot point it at the appliance's own files.
 * internal_journal_get streams the fields of the current entry to the
 * host as records (4-byte big-endian length, XDR of an xattr struct);
 * lib/forensic.c decodes them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol.h"
#include "protocol-gen.h"
#include "lazylib.h"

#define JOURNAL_FUNCTIONS(X) \
  X (sd_journal_close) \
  X (sd_journal_enumerate_data) \
  X (sd_journal_get_data_threshold) \
  X (sd_journal_get_realtime_usec) \
  X (sd_journal_next) \
  X (sd_journal_next_skip) \
  X (sd_journal_open_directory_fd) \
  X (sd_journal_previous_skip) \
  X (sd_journal_restart_data) \
  X (sd_journal_set_data_threshold)
LAZY_LIBRARY (HATCH_LIBSYSTEMD_SONAME, JOURNAL_FUNCTIONS)
LAZY_PRELOAD

static sd_journal *journal;
static int journal_dirfd = -1;

static int
need_journal (void)
{
  if (journal == NULL) {
    reply_with_error_errno (EBADF, "no journal handle is open: call journal_open first");
    return -1;
  }
  return 0;
}

static void
close_journal (void)
{
  if (journal)
    lib.sd_journal_close (journal);
  journal = NULL;
  if (journal_dirfd >= 0)
    close (journal_dirfd);
  journal_dirfd = -1;
}

int
do_journal_open (const char *directory)
{
  if (lib_load () == -1)
    return -1;
  close_journal ();
  int fd = sysroot_open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", directory);
    return -1;
  }
  sd_journal *j = NULL;
  int r = lib.sd_journal_open_directory_fd (&j, fd, 0);
  if (r < 0) {
    close (fd);
    reply_with_error_errno (-r, "%s: %s", directory, strerror (-r));
    return -1;
  }
  journal = j;
  journal_dirfd = fd;
  return 0;
}

int
do_journal_close (void)
{
  if (need_journal () == -1)
    return -1;
  close_journal ();
  return 0;
}

int
do_journal_next (void)
{
  if (need_journal () == -1)
    return -1;
  int r = lib.sd_journal_next (journal);
  if (r < 0) {
    reply_with_error_errno (-r, "sd_journal_next: %s", strerror (-r));
    return -1;
  }
  return r > 0;
}

int64_t
do_journal_skip (int64_t skip)
{
  if (need_journal () == -1)
    return -1;
  uint64_t n = skip >= 0 ? (uint64_t) skip : (uint64_t) -(skip + 1) + 1;
  int r = skip >= 0 ? lib.sd_journal_next_skip (journal, n)
                    : lib.sd_journal_previous_skip (journal, n);
  if (r < 0) {
    reply_with_error_errno (-r, "skipping %" PRIi64 " entries: %s", skip, strerror (-r));
    return -1;
  }
  return r;
}

int64_t
do_journal_get_data_threshold (void)
{
  if (need_journal () == -1)
    return -1;
  size_t sz;
  int r = lib.sd_journal_get_data_threshold (journal, &sz);
  if (r < 0) {
    reply_with_error_errno (-r, "sd_journal_get_data_threshold: %s", strerror (-r));
    return -1;
  }
  return (int64_t) sz;
}

int
do_journal_set_data_threshold (int64_t threshold)
{
  if (need_journal () == -1)
    return -1;
  if (threshold < 0) {
    reply_with_error_errno (EINVAL, "threshold must be >= 0");
    return -1;
  }
  int r = lib.sd_journal_set_data_threshold (journal, (size_t) threshold);
  if (r < 0) {
    reply_with_error_errno (-r, "sd_journal_set_data_threshold: %s", strerror (-r));
    return -1;
  }
  return 0;
}

int64_t
do_journal_get_realtime_usec (void)
{
  if (need_journal () == -1)
    return -1;
  uint64_t usec;
  int r = lib.sd_journal_get_realtime_usec (journal, &usec);
  if (r < 0) {
    reply_with_error_errno (-r, "sd_journal_get_realtime_usec: %s", strerror (-r));
    return -1;
  }
  return (int64_t) usec;
}

int
do_internal_journal_get (void)
{
  if (need_journal () == -1)
    return -1;
  struct xdr out;
  xdr_enc_init (&out);
  bool started = false;
  const void *data;
  size_t len;
  int r;
  lib.sd_journal_restart_data (journal);
  while ((r = lib.sd_journal_enumerate_data (journal, &data, &len)) > 0) {
    const char *eq = memchr (data, '=', len);
    if (eq == NULL)
      continue;                 /* not a FIELD=value pair: skip it */
    size_t klen = (size_t) (eq - (const char *) data);
    if (memchr (data, '\0', klen))
      continue;                 /* a field name cannot hold NUL */
    CLEANUP_FREE char *key = strndup (data, klen);
    if (key == NULL) {
      out.error = XDR_ENOMEM;
      break;
    }
    struct guestfs_xattr x = {
      .attrname = key,
      .attrval = (char *) eq + 1,
      .attrval_len = len - klen - 1,
    };
    size_t at = out.len;
    xdr_put_u32 (&out, 0);
    hatch_enc_xattr (&out, &x);
    if (out.error)
      break;
    uint32_t n = (uint32_t) (out.len - at - 4);
    unsigned char *p = (unsigned char *) out.buf + at;
    p[0] = n >> 24; p[1] = n >> 16; p[2] = n >> 8; p[3] = n;
    while (out.len >= HATCH_CHUNK_SIZE) {
      started = true;
      if (send_file_write (out.buf, HATCH_CHUNK_SIZE) == -1) {
        xdr_free_buf (&out);
        reply_with_error ("sending the journal entry failed");
        return -1;
      }
      memmove (out.buf, out.buf + HATCH_CHUNK_SIZE, out.len - HATCH_CHUNK_SIZE);
      out.len -= HATCH_CHUNK_SIZE;
    }
  }
  if (r < 0 || out.error) {
    xdr_free_buf (&out);
    if (started)
      send_file_end (1);
    if (r < 0)
      reply_with_error_errno (-r, "reading the journal entry: %s", strerror (-r));
    else
      reply_with_error ("reading the journal entry: out of memory");
    return -1;
  }
  if ((out.len > 0 && send_file_write (out.buf, out.len) == -1) || send_file_end (0) == -1) {
    xdr_free_buf (&out);
    reply_with_error ("sending the journal entry failed");
    return -1;
  }
  xdr_free_buf (&out);
  return 0;
}
