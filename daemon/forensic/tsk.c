/* Forensic access below the filesystem (The Sleuth Kit).
 *
 * internal_filesystem_walk and internal_find_inode read the filesystem
 * with libtsk and stream their entries to the host as a FileOut: one
 * record per entry, a 4-byte big-endian length then the XDR encoding of
 * a tsk_dirent (the library decodes them, lib/forensic.c).
 * download_inode, download_blocks and ntfscat_i stream the output of
 * icat, blkls and ntfscat. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tsk/libtsk.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol.h"
#include "protocol-gen.h"
#include "lazylib.h"

#define TSK_FUNCTIONS(X) \
  X (tsk_error_get) \
  X (tsk_error_reset) \
  X (tsk_fs_close) \
  X (tsk_fs_dir_walk) \
  X (tsk_fs_open_img) \
  X (tsk_img_close) \
  X (tsk_img_open_sing)
LAZY_LIBRARY (HATCH_LIBTSK_SONAME, TSK_FUNCTIONS)
/* Not LAZY_PRELOAD: libtsk brings in gnutls, which seeds its random
 * generator when it is loaded (see lazylib.h). */

/* Entry flags of tsk_dirent (guestfs(3) filesystem_walk). */
#define DIRENT_ALLOCATED   0x1
#define DIRENT_REALLOCATED 0x2
#define DIRENT_COMPRESSED  0x4

struct walk {
  struct xdr out;             /* records not yet sent */
  bool started;               /* a chunk has gone to the host */
  bool failed;                /* sending failed: stop */
  bool want_inode;            /* find_inode: only entries of inode */
  TSK_INUM_T inode;
  uint64_t count;
};

static char
dirent_type (TSK_FS_NAME_TYPE_ENUM t)
{
  switch (t) {
  case TSK_FS_NAME_TYPE_BLK: return 'b';
  case TSK_FS_NAME_TYPE_CHR: return 'c';
  case TSK_FS_NAME_TYPE_DIR: return 'd';
  case TSK_FS_NAME_TYPE_FIFO: return 'f';
  case TSK_FS_NAME_TYPE_LNK: return 'l';
  case TSK_FS_NAME_TYPE_REG: return 'r';
  case TSK_FS_NAME_TYPE_SOCK: return 's';
  case TSK_FS_NAME_TYPE_SHAD: return 'h';
  case TSK_FS_NAME_TYPE_WHT: return 'w';
  default: return 'u';
  }
}

static int
flush_records (struct walk *w, bool all)
{
  while (w->out.len >= HATCH_CHUNK_SIZE || (all && w->out.len > 0)) {
    size_t n = w->out.len < HATCH_CHUNK_SIZE ? w->out.len : HATCH_CHUNK_SIZE;
    w->started = true;
    if (send_file_write (w->out.buf, n) == -1)
      return -1;
    memmove (w->out.buf, w->out.buf + n, w->out.len - n);
    w->out.len -= n;
  }
  return 0;
}

static TSK_WALK_RET_ENUM
walk_cb (TSK_FS_FILE *file, const char *path, void *opaque)
{
  struct walk *w = opaque;
  const TSK_FS_NAME *name = file->name;
  if (name == NULL || name->name == NULL || TSK_FS_ISDOT (name->name))
    return TSK_WALK_CONT;
  if (w->want_inode && name->meta_addr != w->inode)
    return TSK_WALK_CONT;

  const TSK_FS_META *meta = file->meta;
  CLEANUP_FREE char *fullname = NULL;
  if (asprintf (&fullname, "%s%s", path ? path : "", name->name) == -1)
    return TSK_WALK_ERROR;

  struct guestfs_tsk_dirent d = {
    .tsk_inode = name->meta_addr,
    .tsk_type = dirent_type (name->type),
    .tsk_size = meta ? meta->size : -1,
    .tsk_name = fullname,
    .tsk_flags = 0,
    .tsk_nlink = meta ? meta->nlink : 0,
    .tsk_link = (char *) (meta && meta->link ? meta->link : ""),
    .tsk_spare1 = 0,
  };
  if (name->flags & TSK_FS_NAME_FLAG_ALLOC)
    d.tsk_flags |= DIRENT_ALLOCATED;
  else if (meta && (meta->flags & TSK_FS_META_FLAG_ALLOC))
    d.tsk_flags |= DIRENT_REALLOCATED;
  if (meta && (meta->flags & TSK_FS_META_FLAG_COMP))
    d.tsk_flags |= DIRENT_COMPRESSED;
  if (meta) {
    d.tsk_atime_sec = meta->atime;
    d.tsk_atime_nsec = meta->atime_nano;
    d.tsk_mtime_sec = meta->mtime;
    d.tsk_mtime_nsec = meta->mtime_nano;
    d.tsk_ctime_sec = meta->ctime;
    d.tsk_ctime_nsec = meta->ctime_nano;
    d.tsk_crtime_sec = meta->crtime;
    d.tsk_crtime_nsec = meta->crtime_nano;
  }

  /* Length placeholder, then the record, then the length filled in. */
  size_t at = w->out.len;
  xdr_put_u32 (&w->out, 0);
  hatch_enc_tsk_dirent (&w->out, &d);
  if (w->out.error)
    return TSK_WALK_ERROR;
  uint32_t n = (uint32_t) (w->out.len - at - 4);
  unsigned char *p = (unsigned char *) w->out.buf + at;
  p[0] = n >> 24; p[1] = n >> 16; p[2] = n >> 8; p[3] = n;
  w->count++;

  if (flush_records (w, false) == -1) {
    w->failed = true;
    return TSK_WALK_STOP;
  }
  return TSK_WALK_CONT;
}

static int
walk_device (const char *device, struct walk *w)
{
  if (lib_load () == -1)
    return -1;
  xdr_enc_init (&w->out);
  TSK_IMG_INFO *img = lib.tsk_img_open_sing (device, TSK_IMG_TYPE_RAW, 0);
  if (img == NULL) {
    reply_with_error ("%s: %s", device, lib.tsk_error_get ());
    lib.tsk_error_reset ();
    xdr_free_buf (&w->out);
    return -1;
  }
  TSK_FS_INFO *fs = lib.tsk_fs_open_img (img, 0, TSK_FS_TYPE_DETECT);
  if (fs == NULL) {
    reply_with_error ("%s: %s", device, lib.tsk_error_get ());
    lib.tsk_error_reset ();
    lib.tsk_img_close (img);
    xdr_free_buf (&w->out);
    return -1;
  }
  /* Orphans included: on ext2/3/4 a deleted file's name is usually
   * gone, and TSK finds its inode only as $OrphanFiles/OrphanFile-N. */
  int flags = TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC |
              TSK_FS_DIR_WALK_FLAG_RECURSE;
  uint8_t r = lib.tsk_fs_dir_walk (fs, fs->root_inum, (TSK_FS_DIR_WALK_FLAG_ENUM) flags,
                               walk_cb, w);
  int ret = 0;
  if (w->failed) {
    reply_with_error ("%s: sending the entries failed", device);
    ret = -1;
  }
  else if (r != 0) {
    const char *msg = lib.tsk_error_get ();
    if (w->started)
      send_file_end (1);
    reply_with_error ("%s: %s", device, msg ? msg : "filesystem walk failed");
    ret = -1;
  }
  else if (flush_records (w, true) == -1 || send_file_end (0) == -1) {
    reply_with_error ("%s: sending the entries failed", device);
    ret = -1;
  }
  lib.tsk_error_reset ();
  lib.tsk_fs_close (fs);
  lib.tsk_img_close (img);
  xdr_free_buf (&w->out);
  return ret;
}

int
do_internal_filesystem_walk (const char *device)
{
  struct walk w = { .want_inode = false };
  return walk_device (device, &w);
}

int
do_internal_find_inode (const char *device, int64_t inode)
{
  if (inode < 0) {
    reply_with_error_errno (EINVAL, "inode must be >= 0");
    return -1;
  }
  struct walk w = { .want_inode = true, .inode = (TSK_INUM_T) inode };
  return walk_device (device, &w);
}

int
do_download_inode (const char *device, int64_t inode)
{
  if (inode < 0) {
    reply_with_error_errno (EINVAL, "inode must be >= 0");
    return -1;
  }
  char num[32];
  snprintf (num, sizeof num, "%" PRIi64, inode);
  /* -r: recover the content of a deleted file where possible. */
  const char *argv[] = { "icat", "-r", device, num, NULL };
  return command_to_fileout (device, argv, -1, -1);
}

int
do_download_blocks (const char *device, int64_t start, int64_t stop, int unallocated)
{
  if (start < 0 || stop < 0 || stop < start) {
    reply_with_error_errno (EINVAL, "invalid range of data units %" PRIi64 "-%" PRIi64,
                            start, stop);
    return -1;
  }
  char range[64];
  snprintf (range, sizeof range, "%" PRIi64 "-%" PRIi64, start, stop);
  bool only_unalloc = (optargs_bitmask & GUESTFS_DOWNLOAD_BLOCKS_UNALLOCATED_BITMASK) &&
                      unallocated;
  /* blkls -e: every data unit; -A: the unallocated ones. */
  const char *argv[] = { "blkls", only_unalloc ? "-A" : "-e", device, range, NULL };
  return command_to_fileout (device, argv, -1, -1);
}

int
do_ntfscat_i (const char *device, int64_t inode)
{
  if (inode < 0) {
    reply_with_error_errno (EINVAL, "inode must be >= 0");
    return -1;
  }
  char num[32];
  snprintf (num, sizeof num, "%" PRIi64, inode);
  const char *argv[] = { "ntfscat", "-i", num, device, NULL };
  return command_to_fileout (device, argv, -1, -1);
}
