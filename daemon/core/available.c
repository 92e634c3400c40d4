/* available, feature_available: which optional groups of the API this
 * appliance supports.  A group is available when the program (or kernel
 * interface) its actions need is present; the answer is computed once. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* The groups listed in guestfs(3) "AVAILABILITY", each with what must
 * exist in the appliance for it (NULL: built into the daemon/kernel). */
static const struct group {
  const char *name;
  const char *need[3];          /* all of these programs; {NULL}: always */
  bool never;                   /* known, but this appliance lacks it */
} groups[] = {
  { "acl",              { "getfacl", "setfacl" } },
  { "augeas",           { "augtool" } },
  { "blkdiscard",       { "blkdiscard" } },
  { "blkdiscardzeroes", { "blkdiscard" } },
  { "btrfs",            { "btrfs", "mkfs.btrfs" } },
  { "clevisluks",       { "clevis", "clevis-luks-unlock", "cryptsetup" } },
  { "extlinux",         { "extlinux" } },
  { "f2fs",             { "mkfs.f2fs", "resize.f2fs" } },
  { "fstrim",           { "fstrim" } },
  { "gdisk",            { "sgdisk" } },
  { "grub",             { "grub-install" } },
  { "hivex",            { "hivexsh" } },
  { "inotify",          { NULL } },
  { "journal",          { NULL } },          /* libsystemd, linked */
  { "ldm",              { "ldmtool" } },
  { "libtsk",           { NULL } },          /* libtsk, linked */
  { "libyara",          { NULL } },          /* libyara, linked */
  { "linuxcaps",        { "getcap", "setcap" } },
  { "linuxfsuuid",      { "mke2fs", "mkswap" } },
  { "linuxmodules",     { "modprobe" } },
  { "linuxxattrs",      { NULL } },
  { "luks",             { "cryptsetup" } },
  { "lvm2",             { "lvm" } },
  { "mdadm",            { "mdadm" } },
  { "mknod",            { NULL } },
  { "ntfs3g",           { "ntfs-3g", "ntfsfix" } },
  { "ntfsprogs",        { "ntfsresize", "mkntfs" } },
  { "realpath",         { NULL } },
  { "rsync",            { "rsync" } },
  { "scrub",            { "scrub" } },
  { "selinux",          { NULL }, true },
  { "selinuxrelabel",   { "setfiles" } },
  { "sleuthkit",        { "icat", "blkls" } },
  { "squashfs",         { "mksquashfs" } },
  { "syslinux",         { "syslinux" } },
  { "wipefs",           { "wipefs" } },
  { "xfs",              { "mkfs.xfs", "xfs_repair" } },
  { "xz",               { "xz" } },
  { "zerofree",         { "zerofree" } },
};
#define NGROUPS (sizeof groups / sizeof groups[0])

/* -1 unknown group, 0 unavailable, 1 available. */
static int
group_available (const char *name)
{
  static signed char cache[NGROUPS];    /* 0 unknown yet, 1 yes, -1 no */
  for (size_t i = 0; i < NGROUPS; ++i) {
    if (strcmp (groups[i].name, name) != 0)
      continue;
    if (cache[i] == 0) {
      bool ok = !groups[i].never;
      for (size_t j = 0; ok && j < 3 && groups[i].need[j]; ++j)
        ok = program_exists (groups[i].need[j]);
      cache[i] = ok ? 1 : -1;
    }
    return cache[i] == 1;
  }
  return -1;
}

/* 1 all available, 0 one is not, -1 an unknown group (replied). */
static int
check_groups (char *const *names)
{
  int ret = 1;
  for (size_t i = 0; names[i] != NULL; ++i) {
    /* guestfish splits "" into no words; tolerate empty names. */
    if (names[i][0] == '\0')
      continue;
    int a = group_available (names[i]);
    if (a == -1) {
      reply_with_error ("%s: unknown group", names[i]);
      return -1;
    }
    if (a == 0)
      ret = 0;
  }
  return ret;
}

int
do_available (char *const *groups_arg)
{
  int r = check_groups (groups_arg);
  if (r == -1)
    return -1;
  if (r == 0) {
    /* Name the missing ones. */
    char msg[1024] = "";
    size_t len = 0;
    for (size_t i = 0; groups_arg[i] != NULL; ++i) {
      if (groups_arg[i][0] && group_available (groups_arg[i]) == 0) {
        int n = snprintf (msg + len, sizeof msg - len, "%s%s", len ? " " : "", groups_arg[i]);
        if (n < 0 || (size_t) n >= sizeof msg - len)
          break;
        len += n;
      }
    }
    reply_with_error ("not available in this appliance: %s", msg);
    return -1;
  }
  return 0;
}

int
do_feature_available (char *const *groups_arg)
{
  return check_groups (groups_arg);
}

/* The one-group form the library's feature_available could use:
 * 0 available, 1 not available, 2 no such group. */
int
do_internal_feature_available (const char *group)
{
  int a = group_available (group);
  return a == 1 ? 0 : a == 0 ? 1 : 2;
}
