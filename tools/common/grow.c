/* See grow.h. */
#include <string.h>

#include "grow.h"

const char *
tool_grow_method (guestfs_h *g, enum tool_content c, const char *fstype)
{
  switch (c) {
  case TOOL_CONTENT_PV: return "pvresize";
  case TOOL_CONTENT_SWAP: return "mkswap";
  case TOOL_CONTENT_FS:
    if (strncmp (fstype, "ext", 3) == 0 && fstype[3] >= '2' && fstype[3] <= '4' && !fstype[4])
      return "resize2fs";
    if (strcmp (fstype, "xfs") == 0 && guestfs_feature_available (g, (char *[]) { "xfs", NULL }) == 1)
      return "xfs_growfs";
    if (strcmp (fstype, "btrfs") == 0 && guestfs_feature_available (g, (char *[]) { "btrfs", NULL }) == 1)
      return "btrfs-filesystem-resize";
    if (strcmp (fstype, "ntfs") == 0 && guestfs_feature_available (g, (char *[]) { "ntfs3g", NULL }) == 1)
      return "ntfsresize";
    if (strcmp (fstype, "f2fs") == 0 && guestfs_feature_available (g, (char *[]) { "f2fs", NULL }) == 1)
      return "resize.f2fs";
    return NULL;
  default:
    return NULL;
  }
}

int
tool_grow_content (guestfs_h *g, const char *dev, const char *method,
                   const struct tool_grow_opts *o)
{
  if (strcmp (method, "resize2fs") == 0)
    return guestfs_e2fsck (g, dev, GUESTFS_E2FSCK_FORCEALL, 1, -1) == -1 ||
      guestfs_resize2fs (g, dev) == -1 ? -1 : 0;
  if (strcmp (method, "pvresize") == 0)
    return guestfs_pvresize (g, dev);
  if (strcmp (method, "mkswap") == 0) {
    struct guestfs_mkswap_opts_argv a = { .bitmask = 0 };
    if (o && o->swap_label && *o->swap_label) {
      a.bitmask |= GUESTFS_MKSWAP_OPTS_LABEL_BITMASK;
      a.label = o->swap_label;
    }
    if (o && o->swap_uuid && *o->swap_uuid) {
      a.bitmask |= GUESTFS_MKSWAP_OPTS_UUID_BITMASK;
      a.uuid = o->swap_uuid;
    }
    return guestfs_mkswap_opts_argv (g, dev, &a);
  }
  if (strcmp (method, "ntfsresize") == 0)
    return guestfs_ntfsresize_opts (g, dev, GUESTFS_NTFSRESIZE_OPTS_FORCE,
                                    o ? o->ntfsresize_force : false, -1);
  if (strcmp (method, "resize.f2fs") == 0)
    return guestfs_f2fs_expand (g, dev);
  /* xfs and btrfs grow while mounted. */
  if (guestfs_mount (g, dev, "/") == -1)
    return -1;
  int r = strcmp (method, "xfs_growfs") == 0
    ? guestfs_xfs_growfs (g, "/", GUESTFS_XFS_GROWFS_DATASEC, 1, -1)
    : guestfs_btrfs_filesystem_resize (g, "/", -1);
  if (guestfs_umount (g, "/") == -1)
    r = -1;
  return r;
}
