/* mkfs: make a filesystem with the right mkfs.* program and flags. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

static bool
is_ext (const char *t)
{
  return strcmp (t, "ext2") == 0 || strcmp (t, "ext3") == 0 || strcmp (t, "ext4") == 0;
}

static bool
is_fat (const char *t)
{
  return strcmp (t, "vfat") == 0 || strcmp (t, "msdos") == 0 || strcmp (t, "fat") == 0;
}

static int
sector_size (const char *device)
{
  int ss = 512;
  int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) {
    if (ioctl (fd, BLKSSZGET, &ss) == -1 || ss <= 0)
      ss = 512;
    close (fd);
  }
  return ss;
}

int
do_mkfs (const char *fstype, const char *device, int blocksize,
         const char *features, int inode, int sectorsize, const char *label)
{
  bool have_bs = optargs_bitmask & GUESTFS_MKFS_OPTS_BLOCKSIZE_BITMASK;
  bool have_feat = optargs_bitmask & GUESTFS_MKFS_OPTS_FEATURES_BITMASK;
  bool have_inode = optargs_bitmask & GUESTFS_MKFS_OPTS_INODE_BITMASK;
  bool have_ss = optargs_bitmask & GUESTFS_MKFS_OPTS_SECTORSIZE_BITMASK;
  bool have_label = optargs_bitmask & GUESTFS_MKFS_OPTS_LABEL_BITMASK;

  /* fstype becomes part of a program name: keep it to a plain word. */
  if (fstype[0] == '\0' || strlen (fstype) > 32 ||
      strspn (fstype, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen (fstype)) {
    reply_with_error ("%s: invalid filesystem type", fstype);
    return -1;
  }

  bool ext = is_ext (fstype), fat = is_fat (fstype);
  bool ntfs = strcmp (fstype, "ntfs") == 0;
  bool xfs = strcmp (fstype, "xfs") == 0;
  bool btrfs = strcmp (fstype, "btrfs") == 0;
  bool ufs = strcmp (fstype, "ufs") == 0;
  bool gfs = strcmp (fstype, "gfs") == 0 || strcmp (fstype, "gfs2") == 0;

  if (have_bs) {
    if (blocksize <= 0 || (blocksize & (blocksize - 1)) != 0) {
      reply_with_error ("block size must be > 0 and a power of 2");
      return -1;
    }
    if (btrfs) {
      reply_with_error ("blocksize cannot be set on btrfs filesystems, use 'mkfs-btrfs'");
      return -1;
    }
  }
  if (have_feat && gfs) {
    reply_with_error ("features cannot be set on %s filesystems", fstype);
    return -1;
  }
  if (have_inode && !ext) {
    reply_with_error ("inode size (-I) can only be set on ext2/3/4 filesystems");
    return -1;
  }
  if (have_ss && !ufs) {
    reply_with_error ("sector size (-S) can only be set on ufs filesystems");
    return -1;
  }

  /* The program and its "don't ask, just do it" flag. */
  char prog[64];
  const char *force = NULL;
  if (ext)
    snprintf (prog, sizeof prog, "mke2fs");
  else if (ntfs)
    snprintf (prog, sizeof prog, "mkntfs");
  else
    snprintf (prog, sizeof prog, "mkfs.%s", fat ? "vfat" : fstype);
  if (ext || ntfs)
    force = "-F";
  else if (fat)
    force = "-I";
  else if (xfs || btrfs || strcmp (fstype, "f2fs") == 0 || strcmp (fstype, "reiserfs") == 0 ||
           strcmp (fstype, "jfs") == 0 || strcmp (fstype, "nilfs2") == 0)
    force = "-f";

  if (!program_exists (prog)) {
    reply_with_error ("%s: %s: unknown or unsupported filesystem type "
                      "(no %s program in the appliance)", fstype, device, prog);
    return -1;
  }

  const char *argv[32];
  size_t n = 0;
  char bsbuf[64], inodebuf[32], ssbuf[32];
  argv[n++] = prog;
  if (ext) {
    argv[n++] = "-t";
    argv[n++] = fstype;
  }
  if (force)
    argv[n++] = force;
  if (ntfs)
    argv[n++] = "-Q";           /* quick: do not zero the whole device */

  if (have_bs) {
    if (fat) {
      int ss = sector_size (device);
      if (blocksize < ss) {
        reply_with_error ("cluster size %d is smaller than the sector size %d", blocksize, ss);
        return -1;
      }
      snprintf (bsbuf, sizeof bsbuf, "%d", blocksize / ss);
      argv[n++] = "-s";
    }
    else if (ntfs) {
      snprintf (bsbuf, sizeof bsbuf, "%d", blocksize);
      argv[n++] = "-c";
    }
    else if (xfs) {
      snprintf (bsbuf, sizeof bsbuf, "size=%d", blocksize);
      argv[n++] = "-b";
    }
    else if (strcmp (fstype, "exfat") == 0) {
      snprintf (bsbuf, sizeof bsbuf, "%d", blocksize);
      argv[n++] = "-c";
    }
    else {
      snprintf (bsbuf, sizeof bsbuf, "%d", blocksize);
      argv[n++] = "-b";
    }
    argv[n++] = bsbuf;
  }
  if (have_feat) {
    argv[n++] = "-O";
    argv[n++] = features;
  }
  if (have_inode) {
    snprintf (inodebuf, sizeof inodebuf, "%d", inode);
    argv[n++] = "-I";
    argv[n++] = inodebuf;
  }
  if (have_ss) {
    snprintf (ssbuf, sizeof ssbuf, "%d", sectorsize);
    argv[n++] = "-S";
    argv[n++] = ssbuf;
  }
  if (have_label) {
    const char *flag;
    if (fat)
      flag = "-n";
    else if (strcmp (fstype, "f2fs") == 0)
      flag = "-l";
    else if (ext || xfs || btrfs || ntfs || strcmp (fstype, "exfat") == 0 ||
             strcmp (fstype, "jfs") == 0 || strcmp (fstype, "nilfs2") == 0)
      flag = "-L";
    else if (strcmp (fstype, "reiserfs") == 0)
      flag = "-l";
    else {
      reply_with_error ("don't know how to set the label for '%s' filesystems", fstype);
      return -1;
    }
    /* Labels that look like options would be taken as one. */
    if (label[0] == '-') {
      reply_with_error ("label: %s: a label cannot start with '-'", label);
      return -1;
    }
    argv[n++] = flag;
    argv[n++] = label;
  }
  argv[n++] = device;
  argv[n] = NULL;

  /* mke2fs, mkfs.xfs and mkfs.btrfs erase other signatures themselves;
   * the others (mkntfs -Q, mkfs.vfat ...) leave e.g. an old btrfs
   * superblock behind, and blkid then finds two filesystems and reports
   * neither.  Erase them first. */
  if (!ext && !xfs && !btrfs) {
    CLEANUP_FREE char *werr = NULL;
    int w = command (NULL, &werr, "wipefs", "-a", "--force", device, NULL);
    if (w != 0) {
      reply_with_error ("wipefs: %s: %s", device, werr && *werr ? trim_newlines (werr) : "failed");
      return -1;
    }
  }

  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("%s: %s: %s", fstype, device, msg);
    return -1;
  }
  return 0;
}
