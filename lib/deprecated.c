/* Deprecated calls libguestfs still provides, each a thin wrapper of
 * the call that replaced it (api/library.py). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

int
guestfs_impl_add_cdrom (guestfs_h *g, const char *filename)
{
  return guestfs_add_drive_ro (g, filename);
}

int
guestfs_impl_add_drive_ro_with_if (guestfs_h *g, const char *filename, const char *iface)
{
  return guestfs_add_drive_opts (g, filename, GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                 GUESTFS_ADD_DRIVE_OPTS_IFACE, iface, -1);
}

int
guestfs_impl_add_drive_with_if (guestfs_h *g, const char *filename, const char *iface)
{
  return guestfs_add_drive_opts (g, filename, GUESTFS_ADD_DRIVE_OPTS_IFACE, iface, -1);
}

int guestfs_impl_set_attach_method (guestfs_h *g, const char *b) { return guestfs_set_backend (g, b); }
/* As libguestfs: the direct backend was called "appliance" then. */
char *
guestfs_impl_get_attach_method (guestfs_h *g)
{
  return strcmp (g->backend, "direct") == 0 ? strdup ("appliance") : guestfs_get_backend (g);
}

int
guestfs_impl_set_qemu (guestfs_h *g, const char *hv)
{
  if (hv)
    return guestfs_set_hv (g, hv);
  char *def = guestfs_int_default_hv ();
  int r = def ? guestfs_set_hv (g, def) : -1;
  free (def);
  return r;
}

const char *
guestfs_impl_get_qemu (guestfs_h *g)
{
  /* A const result: the handle's own string, valid until set_hv. */
  return g->hv;
}

int guestfs_impl_kill_subprocess (guestfs_h *g) { return guestfs_shutdown (g); }
int guestfs_impl_wait_ready (guestfs_h *g) { return 0; }

/* dd and copy_size take a device or a guest file for either end, as
 * libguestfs's do: pick the copy_* call that fits the two (a name under
 * /dev/ is a device, as for every Dev_or_Path argument).  size < 0 means
 * the whole source. */
static int
copy_dev_or_path (guestfs_h *g, const char *src, const char *dest, int64_t size)
{
  bool src_dev = strncmp (src, "/dev/", 5) == 0;
  bool dest_dev = strncmp (dest, "/dev/", 5) == 0;
  uint64_t bitmask = size >= 0 ? GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE_BITMASK : 0;
  if (src_dev && dest_dev) {
    struct guestfs_copy_device_to_device_argv o = { .bitmask = bitmask, .size = size };
    return guestfs_copy_device_to_device_argv (g, src, dest, &o);
  }
  if (src_dev) {
    struct guestfs_copy_device_to_file_argv o = { .bitmask = bitmask, .size = size };
    return guestfs_copy_device_to_file_argv (g, src, dest, &o);
  }
  if (dest_dev) {
    struct guestfs_copy_file_to_device_argv o = { .bitmask = bitmask, .size = size };
    return guestfs_copy_file_to_device_argv (g, src, dest, &o);
  }
  struct guestfs_copy_file_to_file_argv o = { .bitmask = bitmask, .size = size };
  return guestfs_copy_file_to_file_argv (g, src, dest, &o);
}

int
guestfs_impl_dd (guestfs_h *g, const char *src, const char *dest)
{
  return copy_dev_or_path (g, src, dest, -1);
}

int
guestfs_impl_copy_size (guestfs_h *g, const char *src, const char *dest, int64_t size)
{
  if (size < 0) {
    error (g, "copy_size: size must not be negative");
    return -1;
  }
  return copy_dev_or_path (g, src, dest, size);
}

int
guestfs_impl_fallocate (guestfs_h *g, const char *path, int len)
{
  return guestfs_fallocate64 (g, path, len);
}

int
guestfs_impl_mkfs_b (guestfs_h *g, const char *fstype, int blocksize, const char *device)
{
  return guestfs_mkfs_opts (g, fstype, device, GUESTFS_MKFS_OPTS_BLOCKSIZE, blocksize, -1);
}

int
guestfs_impl_mke2journal (guestfs_h *g, int blocksize, const char *device)
{
  return guestfs_mke2fs (g, device, GUESTFS_MKE2FS_JOURNALDEV, 1,
                         GUESTFS_MKE2FS_BLOCKSIZE, (int64_t) blocksize, -1);
}

int
guestfs_impl_mke2journal_L (guestfs_h *g, int blocksize, const char *label, const char *device)
{
  return guestfs_mke2fs (g, device, GUESTFS_MKE2FS_JOURNALDEV, 1,
                         GUESTFS_MKE2FS_BLOCKSIZE, (int64_t) blocksize,
                         GUESTFS_MKE2FS_LABEL, label, -1);
}

int
guestfs_impl_mke2journal_U (guestfs_h *g, int blocksize, const char *uuid, const char *device)
{
  return guestfs_mke2fs (g, device, GUESTFS_MKE2FS_JOURNALDEV, 1,
                         GUESTFS_MKE2FS_BLOCKSIZE, (int64_t) blocksize,
                         GUESTFS_MKE2FS_UUID, uuid, -1);
}

static int
mke2fs_journal (guestfs_h *g, const char *fstype, int blocksize, const char *device,
                const char *prefix, const char *journal)
{
  char *j;
  if (asprintf (&j, "%s%s", prefix, journal) == -1) {
    guestfs_int_perrorf (g, "mke2fs");
    return -1;
  }
  int r = guestfs_mke2fs (g, device, GUESTFS_MKE2FS_FSTYPE, fstype,
                          GUESTFS_MKE2FS_BLOCKSIZE, (int64_t) blocksize,
                          GUESTFS_MKE2FS_JOURNALDEVICE, j, -1);
  free (j);
  return r;
}

int
guestfs_impl_mke2fs_J (guestfs_h *g, const char *fstype, int blocksize,
                       const char *device, const char *journal)
{
  return mke2fs_journal (g, fstype, blocksize, device, "", journal);
}

int
guestfs_impl_mke2fs_JL (guestfs_h *g, const char *fstype, int blocksize,
                        const char *device, const char *label)
{
  return mke2fs_journal (g, fstype, blocksize, device, "LABEL=", label);
}

int
guestfs_impl_mke2fs_JU (guestfs_h *g, const char *fstype, int blocksize,
                        const char *device, const char *uuid)
{
  return mke2fs_journal (g, fstype, blocksize, device, "UUID=", uuid);
}

int
guestfs_impl_ntfsresize_size (guestfs_h *g, const char *device, int64_t size)
{
  return guestfs_ntfsresize_opts (g, device, GUESTFS_NTFSRESIZE_OPTS_SIZE, size, -1);
}
