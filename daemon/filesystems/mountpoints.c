/* More mounting: mount_loop, mount_9p, mkmountpoint, rmmountpoint,
 * remount.  mount, mount_vfs, umount and the mount table are in mount.c.
 *
 * mount_loop attaches the image file (resolved inside the guest tree) to
 * a free loop device with LOOP_CONFIGURE and the autoclear flag, so the
 * loop device disappears by itself when the filesystem is unmounted (or
 * when the mount fails and we close it).  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <linux/loop.h>

#include "daemon.h"
#include "actions-gen.h"

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* ---- mount_loop ---- */

/* /dev/loop-control, loading the loop module on first use. */
static int
open_loop_control (void)
{
  int fd = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (fd == -1 && errno == ENOENT) {
    (void) command (NULL, NULL, "modprobe", "-q", "loop", NULL);
    fd = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  }
  return fd;
}

/* Attach ffd to a free loop device; returns the open loop device (which
 * keeps it alive) and its name in dev.  -1 with errno on failure.  */
static int
attach_loop (int ffd, bool readonly, const char *file, char *dev, size_t devlen)
{
  CLEANUP_CLOSE int ctl = open_loop_control ();
  if (ctl == -1)
    return -1;
  for (int attempt = 0; attempt < 16; ++attempt) {
    int n = ioctl (ctl, LOOP_CTL_GET_FREE);
    if (n < 0)
      return -1;
    snprintf (dev, devlen, "/dev/loop%d", n);
    int lfd = open (dev, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (lfd == -1)
      return -1;
    struct loop_config cfg;
    memset (&cfg, 0, sizeof cfg);
    cfg.fd = (unsigned) ffd;
    cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (readonly ? LO_FLAGS_READ_ONLY : 0);
    snprintf ((char *) cfg.info.lo_file_name, sizeof cfg.info.lo_file_name, "%s", file);
    if (ioctl (lfd, LOOP_CONFIGURE, &cfg) == 0)
      return lfd;
    int e = errno;
    close (lfd);
    if (e != EBUSY) {           /* EBUSY: another user took it first */
      errno = e;
      return -1;
    }
  }
  errno = EBUSY;
  return -1;
}

int
do_mount_loop (const char *file, const char *mountpoint)
{
  bool readonly = false;
  const char *why = NULL;
  CLEANUP_CLOSE int ffd = sysroot_open_data_quiet (file, O_RDWR, 0, &why);
  if (ffd == -1 && (errno == EROFS || errno == EACCES)) {
    readonly = true;
    ffd = sysroot_open_data_quiet (file, O_RDONLY, 0, &why);
  }
  if (ffd == -1) {
    if (why)
      reply_with_error_errno (EINVAL, "%s: not a regular file (%s)", file, why);
    else
      reply_with_perror ("%s", file);
    return -1;
  }
  char dev[64];
  CLEANUP_CLOSE int lfd = attach_loop (ffd, readonly, file, dev, sizeof dev);
  if (lfd == -1) {
    reply_with_perror ("%s: attaching a loop device", file);
    return -1;
  }
  /* On failure it replied; closing lfd then frees the loop device. */
  return do_mount_options (readonly ? "ro" : "", dev, mountpoint);
}

/* ---- mount_9p ---- */

int
do_mount_9p (const char *mounttag, const char *mountpoint, const char *options)
{
  reply_with_error_errno (ENOTSUP, "%s: the appliance has no 9p transport "
                          "(this deprecated call always fails)", mounttag);
  return -1;
}

/* ---- mkmountpoint, rmmountpoint ---- */

/* The directory that holds exemptpath, and its last component. */
static int
open_mountpoint_parent (const char *exemptpath, char **base)
{
  if (exemptpath[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", exemptpath);
    return -1;
  }
  int dfd = sysroot_open_parent (exemptpath, base);
  if (dfd == -1) {
    reply_with_perror ("%s", exemptpath);
    return -1;
  }
  if (strcmp (*base, ".") == 0) {
    close (dfd);
    free (*base);
    *base = NULL;
    reply_with_error_errno (EINVAL, "%s: not a possible mount point", exemptpath);
    return -1;
  }
  return dfd;
}

int
do_mkmountpoint (const char *exemptpath)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = open_mountpoint_parent (exemptpath, &base);
  if (dfd == -1)
    return -1;
  if (mkdirat (dfd, base, 0755) == -1) {
    reply_with_perror ("%s", exemptpath);
    return -1;
  }
  return 0;
}

int
do_rmmountpoint (const char *exemptpath)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = open_mountpoint_parent (exemptpath, &base);
  if (dfd == -1)
    return -1;
  if (unlinkat (dfd, base, AT_REMOVEDIR) == -1) {
    if (errno == EBUSY)
      reply_with_error_errno (EBUSY, "%s: a filesystem is still mounted on it", exemptpath);
    else
      reply_with_perror ("%s", exemptpath);
    return -1;
  }
  return 0;
}

/* ---- remount ---- */

int
do_remount (const char *mountpoint, int rw)
{
  if (!(optargs_bitmask & GUESTFS_REMOUNT_RW_BITMASK)) {
    reply_with_error_errno (EINVAL, "%s: the rw argument is required",
                            mountpoint);
    return -1;
  }
  CLEANUP_CLOSE int fd = sysroot_open (mountpoint, O_PATH | O_DIRECTORY, 0);
  if (fd == -1) {
    reply_with_perror ("%s", mountpoint);
    return -1;
  }
  struct statx stx;
  if (statx (fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == -1) {
    reply_with_perror ("%s", mountpoint);
    return -1;
  }
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
      !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
    reply_with_error_errno (EINVAL, "%s: not a mount point", mountpoint);
    return -1;
  }
  /* Keep the other per-mount flags as they are. */
  struct statvfs sv;
  if (fstatvfs (fd, &sv) == -1) {
    reply_with_perror ("%s", mountpoint);
    return -1;
  }
  static const struct { unsigned long st, ms; } keep[] = {
    { ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
    { ST_SYNCHRONOUS, MS_SYNCHRONOUS }, { ST_MANDLOCK, MS_MANDLOCK },
    { ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME },
    { ST_RELATIME, MS_RELATIME },
  };
  unsigned long flags = MS_REMOUNT | (rw ? 0 : MS_RDONLY);
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; ++i)
    if (sv.f_flag & keep[i].st)
      flags |= keep[i].ms;
  CLEANUP_FREE char *target = fd_path (fd);
  if (target == NULL) {
    reply_with_perror ("asprintf");
    return -1;
  }
  if (mount (NULL, target, NULL, flags, NULL) == -1) {
    int e = errno;
    if (e == EBUSY)
      reply_with_error_errno (e, "%s: files are open for writing on it", mountpoint);
    else
      reply_with_error_errno (e, "%s: remounting %s: %s", mountpoint, rw ? "rw" : "ro",
                              strerror (e));
    return -1;
  }
  return 0;
}

char **
do_list_9p (void)
{
  struct stringsbuf sb = { 0 };
  const char *dir = "/sys/bus/virtio/drivers/9pnet_virtio";
  DIR *d = opendir (dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
      if (strncmp (e->d_name, "virtio", 6) != 0)
        continue;
      char path[512];
      snprintf (path, sizeof path, "%s/%s/mount_tag", dir, e->d_name);
      FILE *f = fopen (path, "r");
      if (!f)
        continue;
      char tag[256];
      if (fgets (tag, sizeof tag, f)) {
        trim_newlines (tag);
        if (add_string (&sb, tag) == -1) {
          fclose (f);
          closedir (d);
          free_stringsbuf (&sb);
          return NULL;
        }
      }
      fclose (f);
    }
    closedir (d);
  }
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}
