/* Growing what a partition or logical volume holds after the partition
 * or volume itself was made bigger: written once for virt-resize and
 * virt-builder (which grows a template in place when it can). */
#ifndef HATCH_TOOLS_GROW_H
#define HATCH_TOOLS_GROW_H

#include <stdbool.h>
#include "guestfs.h"

enum tool_content { TOOL_CONTENT_UNKNOWN, TOOL_CONTENT_FS, TOOL_CONTENT_PV,
                    TOOL_CONTENT_SWAP, TOOL_CONTENT_EXTENDED };

/* The method that grows content C (FSTYPE: its vfs_type for a
 * filesystem), or NULL when none can: "resize2fs", "xfs_growfs",
 * "btrfs-filesystem-resize", "ntfsresize", "resize.f2fs", "pvresize",
 * "mkswap". */
const char *tool_grow_method (guestfs_h *g, enum tool_content c, const char *fstype);

struct tool_grow_opts {
  const char *swap_label, *swap_uuid;   /* kept by "mkswap" (NULL: none) */
  bool ntfsresize_force;
};

/* Grow the content of DEV with METHOD (nothing mounted; xfs and btrfs
 * are mounted on / for the time it takes).  Returns 0 or -1 (the
 * library's error has been reported). */
int tool_grow_content (guestfs_h *g, const char *dev, const char *method,
                       const struct tool_grow_opts *o);

#endif
