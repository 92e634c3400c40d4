/* Helpers shared by the file actions in this folder (content.c,
 * metadata.c, walk.c, transfer.c, initrd.c, coreutils.c, upload.c).
 * Same rules as everywhere in the daemon: guest
 * paths only through sysroot_open / sysroot_open_parent, programs only
 * with an argv.  */
#ifndef HATCH_FILES_COMMON_H
#define HATCH_FILES_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "daemon.h"

/* Rough ceiling for what one reply may carry (the frame limit less room
 * for headers); lists and buffers are refused beyond it.  */
#define F2_REPLY_LIMIT (HATCH_MAX_FRAME - 256 * 1024)



/* Open a guest path to read or write its data: sysroot_open_data
 * (daemon.h), which refuses anything but a regular file.  */
int f2_open_data (const char *path, int flags, mode_t mode);

/* Open a user block device (already validated by the dispatch). */
int f2_open_device (const char *device, int flags);

/* A guest path or a device (a Dev_or_Path argument) for reading/writing. */
int f2_open_dev_or_path (const char *s, int flags, mode_t mode);

/* Size of an open regular file or block device (0 for others). */
uint64_t f2_fd_size (int fd);

/* read/write everything, retrying on EINTR and short transfers.
 * f2_read_full returns the bytes read (< len only at end of file). */
ssize_t f2_read_full (int fd, void *buf, size_t len);
int f2_write_full (int fd, const void *buf, size_t len);
ssize_t f2_pread_full (int fd, void *buf, size_t len, off_t off);
int f2_pwrite_full (int fd, const void *buf, size_t len, off_t off);

/* Turn O_DIRECT on or off for fd: 0, or -1 (the filesystem has no
 * direct I/O). */
int f2_set_direct (int fd, bool on);

/* Writes of a FileIn stream into a guest file or device at pos, past
 * the guest's page cache (O_DIRECT) whenever the piece allows it (buffer,
 * length and position sector-aligned: the bulk chunks are), through it
 * otherwise (a filesystem without O_DIRECT, a file's unaligned tail).
 * Under TCG the page cache's work per page costs far more than handing
 * whole chunks to the disk. */
struct f2_stream_writer {
  int fd;
  uint64_t pos;
  bool direct_failed;   /* O_DIRECT refused once: buffered from then on */
  bool direct;          /* fd has O_DIRECT now */
  int write_errno;      /* errno of a failed write (0: none) */
};
void f2_stream_writer_init (struct f2_stream_writer *w, int fd, uint64_t pos);
int f2_stream_write (struct f2_stream_writer *w, const void *buf, size_t len);
/* A receive_cb (daemon.h) writing the stream with f2_stream_write; opaque
 * is the struct f2_stream_writer; sets write_errno when a write fails. */
int f2_stream_receive_cb (void *opaque, const void *buf, size_t len);
/* Receive the call's FileIn into fd from pos on (f2_stream_write), fsync
 * a device, close fd.  0, or -1 after replying with the error (name is
 * the guest path or device for messages). */
int f2_receive_into (const char *name, int fd, uint64_t pos, bool is_device);

/* true if the buffer holds only zero bytes */
bool f2_is_zero (const void *buf, size_t len);

/* ---- child processes (spawn_program etc. are in daemon.h) ---- */
/* A memfd for a child's stderr or output. */
int f2_memfd (const char *name);
/* Everything in a memfd (NUL-terminated, length in *len if not NULL),
 * at most limit bytes (more: errno EFBIG).  malloc'd.  */
char *f2_memfd_contents (int fd, size_t limit, size_t *len);

/* A FileOut stream filled by the daemon itself, in full chunks. */
struct f2_out {
  char *buf;
  size_t len;
  bool started;      /* a chunk has been sent */
  bool broken;       /* the channel failed */
};
int f2_out_init (struct f2_out *o);
int f2_out_write (struct f2_out *o, const void *data, size_t len);   /* -1: broken */
/* Send the rest and the end marker.  Replies on failure (-1). */
int f2_out_finish (struct f2_out *o, const char *what);
/* Abandon the stream after an error (cancel marker if anything was sent);
 * the caller then replies with the error.  */
void f2_out_abort (struct f2_out *o);

/* lstatnslist, readlinklist, lxattrlist: each of NAMES must be one name in
 * the directory (no '/'), as in libguestfs.  0, or -1 after replying with
 * an error naming the first bad one. */
int f2_check_names (char *const *names);

/* ---- the tree walk shared by find, find0, checksums_out, cpio_out ---- */
/* Calls cb for every entry below dirfd (depth first, directory order), with
 * its path relative to the top ("a", "a/b") and lstat information.
 * Directories are entered after their own callback; symlinks are never
 * followed.  cb returns 0 to go on, -1 to stop (errno set).  Returns 0
 * or -1 with errno and, for walk errors, the failing relative path in
 * *failed (malloc'd).  */
typedef int (*f2_walk_cb) (void *opaque, const char *relpath,
                           const struct stat *st);
int f2_walk (int dirfd, f2_walk_cb cb, void *opaque, char **failed);

/* Checksum programs by csumtype (crc md5 sha1 sha224 sha256 sha384
 * sha512); NULL if unknown.  */

/* ---- decompression by magic (initrd.c) ---- */
/* The argv of a program decompressing stdin to stdout for data starting
 * with these bytes, NULL for data not compressed in a known format.  */
const char *const *f2_decompressor (const unsigned char *magic, size_t len);

/* Architecture name from an ELF header, NULL if not ELF or unknown. */
const char *f2_elf_arch (const unsigned char *hdr, size_t len);


#endif
