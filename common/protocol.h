/* Hatch wire protocol between the library and the daemon.
 *
 * Every message is a frame:  u32 length (big-endian, of what follows),
 * then a fixed header of six big-endian u32 (struct frame_header), then a
 * body whose meaning depends on the frame type:
 *
 *   CALL      host->daemon  XDR arguments (generated codec)
 *   REPLY     daemon->host  status OK: XDR return value;
 *                           status ERROR: u32 errno, string message
 *   PROGRESS  daemon->host  u64 position, u64 total (for the call `serial`)
 *   HELLO     daemon->host  string api hash, string daemon version, u64
 *                           size of the bulk data disk (0: none): sent
 *                           once when the daemon starts (and on reconnect)
 *   CHUNK     both ways     raw bytes of a file stream; status DATA, END
 *                           (empty, stream finished) or CANCEL (empty);
 *                           BULK (u32 slot, u32 length: the bytes are in
 *                           that slot of the bulk data disk, below) and
 *                           ACK (u32 slot: the receiver is done with it)
 *   LOG       daemon->host  raw text for the debug log
 *
 * The receiver checks the length against HATCH_MAX_FRAME before reading
 * the body, and the magic and version before trusting anything else.  */
#ifndef HATCH_PROTOCOL_H
#define HATCH_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HATCH_MAGIC 0x48415443u          /* "HATC" */
#define HATCH_PROTOCOL_VERSION 1
#define HATCH_HEADER_SIZE 24
#define HATCH_MAX_FRAME (16u * 1024 * 1024)
#define HATCH_CHUNK_SIZE (2u * 1024 * 1024)
#define HATCH_CHANNEL_NAME "org.libguestfs.channel.0"

/* The bulk data disk.  virtio-serial moves host->guest data in 4 KiB
 * pieces (the guest driver's receive buffers and qemu's chardev reads
 * are one page each), which caps uploads at a few tens of MB/s under
 * TCG.  So the direct backend gives the appliance a second virtio-blk
 * disk (serial HATCH_BULK_SERIAL), backed by a small file in the
 * handle's temporary directory, and big chunks of a file stream go
 * through it: the sender writes the bytes into a slot (the host with
 * pwrite, the daemon with O_DIRECT so nothing is cached in the guest),
 * then sends a CHUNK frame with status BULK naming the slot and length
 * over the channel; the receiver reads the slot, answers ACK (slot),
 * and the slot may be used again.  Up to HATCH_BULK_SLOTS chunks are in
 * flight, so the sender fills one slot while the receiver drains
 * another.  The slots sit between two unused guards (holes in the sparse
 * file) so that nothing that probes disks in the appliance (LVM and md
 * labels, blkid's superblock offsets, up to LUKS2's secondary header at
 * 4 MiB) ever finds a signature the user's data might hold.  The
 * daemon says in its HELLO (and its reply to RESUME) how big the disk
 * it found is; 0: none (then everything goes in DATA frames). */
#define HATCH_BULK_SERIAL "hatch-bulk"
#define HATCH_BULK_GUARD (8u * 1024 * 1024)
#define HATCH_BULK_SLOT_SIZE HATCH_CHUNK_SIZE
#define HATCH_BULK_SLOTS 4u
#define HATCH_BULK_DISK_SIZE \
  (2ull * HATCH_BULK_GUARD + (unsigned long long) HATCH_BULK_SLOTS * HATCH_BULK_SLOT_SIZE)
/* Chunks smaller than this go in DATA frames (a slot costs a disk
 * request and an ACK). */
#define HATCH_BULK_MIN (64u * 1024)
/* Where slot s starts on the bulk disk. */
#define HATCH_BULK_SLOT_OFFSET(s) \
  ((unsigned long long) HATCH_BULK_GUARD + (unsigned long long) (s) * HATCH_BULK_SLOT_SIZE)

/* Procedures outside the API table (the table's numbers start at 1). */
#define HATCH_PROC_EXIT 0          /* the daemon syncs, replies, exits */
/* The host changed the appliance's disks: after a restore from saved
 * state, a hot-add, or before a hot-remove.  Arguments u64 seconds, u32
 * nanoseconds (the host's real-time clock), opaque entropy (up to 512
 * bytes), opaque the set of virtio-scsi targets that hold user drives
 * (HATCH_TARGET_BITMAP bytes, bit t of byte t/8 for target t).  The daemon
 * sets its clock, reseeds the kernel RNG, releases the disks not in the
 * set (refusing if one is in use: then nothing changes), waits until the
 * kernel shows exactly the set, then replies u64 the size of its bulk
 * data disk (as in HELLO). */
#define HATCH_PROC_RESUME 0x7fffff01u
#define HATCH_RESUME_MAX_ENTROPY 512
#define HATCH_TARGET_BITMAP 32

enum frame_type {
  FRAME_CALL = 1,
  FRAME_REPLY = 2,
  FRAME_PROGRESS = 3,
  FRAME_HELLO = 4,
  FRAME_CHUNK = 5,
  FRAME_LOG = 6,
};

enum frame_status {
  STATUS_OK = 0,
  STATUS_ERROR = 1,
  CHUNK_DATA = 0,
  CHUNK_END = 1,
  CHUNK_CANCEL = 2,
  CHUNK_BULK = 3,
  CHUNK_ACK = 4,
};

struct frame_header {
  uint32_t magic;
  uint32_t version;
  uint32_t proc;
  uint32_t type;
  uint32_t serial;
  uint32_t status;
};

/* Reads exactly n bytes or fails: returns n, 0 at a clean end of stream
 * before any byte, or -1 with errno set.  */
typedef ssize_t (*frame_read_fn) (void *opaque, void *buf, size_t n);

/* Read one frame.  *body is malloc'd (NULL when empty).  Returns 1 for a
 * frame, 0 for end of stream at a frame boundary, -1 on error with errno
 * (EPROTO for a malformed frame, EFBIG for one over max_len). */
int frame_read (frame_read_fn rd, void *opaque, struct frame_header *h,
                char **body, size_t *len, size_t max_len);

/* Read one frame header; the caller then reads *body_len bytes itself
 * (used to read big chunks straight into place).  Same returns. */
int frame_read_header (frame_read_fn rd, void *opaque, struct frame_header *h,
                       size_t *body_len, size_t max_len);

/* Write one frame with writev; loops over partial writes and EINTR.
 * Returns 0 or -1 with errno. */
int frame_write (int fd, const struct frame_header *h,
                 const void *body, size_t len);

/* Fill in the 28 bytes (length + header) in front of an encoded body. */
void frame_encode_prefix (unsigned char *p, const struct frame_header *h,
                          size_t body_len);

/* A frame_read_fn for a plain blocking fd. */
ssize_t frame_read_fd (void *opaque, void *buf, size_t n);

/* Write all of buf (loops over partial writes and EINTR). */
int write_all (int fd, const void *buf, size_t n);

#endif
