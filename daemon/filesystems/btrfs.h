/* btrfs helpers shared by btrfs.c, btrfs-maintenance.c and probe.c. */
#ifndef HATCH_BTRFS_H
#define HATCH_BTRFS_H

#include "daemon.h"

/* For list_filesystems: append "btrfsvol:DEVICE/PATH", "btrfs" for every
 * subvolume of the btrfs filesystem on device.  Never replies: a
 * filesystem that cannot be read adds nothing.  -1 only when out of
 * memory. */
int btrfs_add_subvolume_mountables (const char *device, struct stringsbuf *ret);

/* Run a btrfs-progs command; on failure reply with "tool: what: stderr"
 * (stdout if stderr is empty) and return -1.  *outp (if not NULL) gets
 * stdout. */
int btrfs_run (const char *tool, const char *what, const char *const *argv, char **outp);
/* A guest path resolved inside the guest tree, as an appliance path
 * (malloc'd); NULL after replying with an error. */
char *btrfs_real_path (const char *path);
/* A filesystem named by a path, a device or a mountable, as a path to
 * hand to btrfs: fs_acquire mounts the latter two on a private directory
 * for the time of the call, fs_release undoes it. */
struct fs_ref {
  char *path;        /* appliance path to hand to btrfs */
  char *tmpdir;      /* our temporary mount, or NULL */
};
int btrfs_fs_acquire (const char *fs, struct fs_ref *f);
void btrfs_fs_release (struct fs_ref *f);
/* "btrfs SUB CMD [FLAG] PATH" on a guest path. */
int btrfs_path_cmd (const char *sub, const char *cmd, const char *flag, const char *path);
/* First non-space character of s. */
char *btrfs_skip_spaces (char *s);

#endif
