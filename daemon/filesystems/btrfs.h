/* btrfs helpers used outside btrfs.c. */
#ifndef HATCH_BTRFS_H
#define HATCH_BTRFS_H

#include "daemon.h"

/* For list_filesystems: append "btrfsvol:DEVICE/PATH", "btrfs" for every
 * subvolume of the btrfs filesystem on device.  Never replies: a
 * filesystem that cannot be read adds nothing.  -1 only when out of
 * memory. */
int btrfs_add_subvolume_mountables (const char *device, struct stringsbuf *ret);

#endif
