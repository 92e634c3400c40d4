/* File streams between the host and guest files (upload, download) and
 * checksums of guest files.  Data moves in HATCH_CHUNK_SIZE pieces.  */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"
#include "files-common.h"

int
do_upload (const char *remotefilename)
{
  bool device = strncmp (remotefilename, "/dev/", 5) == 0;
  int fd = device    /* a whole device or partition, as libguestfs allows */
    ? f2_open_device (remotefilename, O_WRONLY)
    : sysroot_open_data (remotefilename, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd == -1)
    return -1;                  /* the dispatch drains the stream */
  return f2_receive_into (remotefilename, fd, 0, device);
}

int
do_download (const char *remotefilename)
{
  CLEANUP_CLOSE int fd = -1;
  if (strncmp (remotefilename, "/dev/", 5) == 0) {
    if ((fd = f2_open_device (remotefilename, O_RDONLY)) == -1)
      return -1;
  }
  else if ((fd = sysroot_open_data (remotefilename, O_RDONLY, 0)) == -1)
    return -1;
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    reply_with_perror ("%s", remotefilename);
    return -1;
  }
  if (S_ISDIR (st.st_mode)) {
    reply_with_error_errno (EISDIR, "%s: is a directory", remotefilename);
    return -1;
  }
  uint64_t total = 0;
  if (S_ISREG (st.st_mode))
    total = (uint64_t) st.st_size;
  else if (S_ISBLK (st.st_mode)) {
    uint64_t sz;
    if (ioctl (fd, BLKGETSIZE64, &sz) == 0)
      total = sz;
  }

  CLEANUP_FREE char *buf = send_file_buffer (HATCH_CHUNK_SIZE);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  uint64_t pos = 0;
  bool started = false;
  /* Read past the guest's page cache (as uploads write): the disk hands
   * whole chunks into buf, where a cached read copies page by page, which
   * TCG makes slow.  Dirty cached pages are written back first by the
   * kernel, so what is read is the file's current content. */
  bool direct = f2_set_direct (fd, true) == 0;
  for (;;) {
    /* Fill a whole chunk before sending: fewer, bigger frames. */
    size_t have = 0;
    bool eof = false;
    while (have < HATCH_CHUNK_SIZE) {
      if (direct && have % 512 && f2_set_direct (fd, false) == 0)
        direct = false;     /* an unaligned piece: the rest is read cached */
      ssize_t r = read (fd, buf + have, HATCH_CHUNK_SIZE - have);
      if (r == -1 && errno == EINVAL && direct && f2_set_direct (fd, false) == 0) {
        direct = false;
        continue;
      }
      if (r == -1) {
        if (errno == EINTR)
          continue;
        int e = errno;
        if (started)
          send_file_end (1);
        reply_with_error_errno (e, "read: %s: %s", remotefilename, strerror (e));
        return -1;
      }
      if (r == 0) {
        eof = true;
        break;
      }
      have += (size_t) r;
    }
    if (have > 0) {
      started = true;
      if (send_file_write (buf, have) == -1) {
        /* The channel is broken; nothing more can be sent. */
        int e = errno;
        reply_with_error_errno (e, "%s: sending file: %s", remotefilename, strerror (e));
        return -1;
      }
      pos += have;
      notify_progress (pos, total > pos ? total : pos);
    }
    if (eof)
      break;
  }
  if (send_file_end (0) == -1) {
    reply_with_perror ("%s: sending file", remotefilename);
    return -1;
  }
  return 0;
}

const char *
checksum_program (const char *csumtype)
{
  static const struct { const char *name, *prog; } progs[] = {
    { "crc", "cksum" }, { "md5", "md5sum" }, { "sha1", "sha1sum" },
    { "sha224", "sha224sum" }, { "sha256", "sha256sum" },
    { "sha384", "sha384sum" }, { "sha512", "sha512sum" },
  };
  for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
    if (strcasecmp (csumtype, progs[i].name) == 0)
      return progs[i].prog;
  reply_with_error_errno (EINVAL, "unknown checksum type '%s', expecting "
                          "crc|md5|sha1|sha224|sha256|sha384|sha512", csumtype);
  return NULL;
}

char *
checksum_fd (const char *csumtype, int fd, const char *what)
{
  const char *prog = checksum_program (csumtype);
  if (prog == NULL)
    return NULL;
  /* The tool reads the already opened file on its stdin. */
  struct command_opts opts = { .flags = CMD_STDIN_FD, .stdin_fd = fd };
  const char *argv[] = { prog, NULL };
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&opts, &out, &err, argv);
  if (r != 0) {
    reply_with_error ("%s: %s: %s", prog, what, err && *err ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  /* "DIGEST  -" or, for cksum, "CRC SIZE": keep the first word. */
  size_t n = strcspn (out, " \t\n");
  if (n == 0) {
    reply_with_error ("%s: %s: unexpected output", prog, what);
    free (out);
    return NULL;
  }
  out[n] = '\0';
  return out;
}

char *
do_checksum (const char *csumtype, const char *path)
{
  if (checksum_program (csumtype) == NULL)
    return NULL;
  CLEANUP_CLOSE int fd = sysroot_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  return checksum_fd (csumtype, fd, path);
}
