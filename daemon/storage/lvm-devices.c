/* Which devices LVM sees and uses: the device filter (lvm_set_filter,
 * lvm_clear_filter), list_dm_devices, and the activation of LVM and MD at
 * daemon start-up.  Shared LVM helpers are declared in lvm.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"
#include "lvm.h"

/* ---- device filter ---- */

/* Regex for LVM's filter accepting device (and, for a whole disk, its
 * partitions).  Characters outside a safe set are refused rather than
 * escaped: device names never need them. */
static char *
filter_regex (const char *device)
{
  size_t len = strlen (device);
  char *r = malloc (len * 3 + 32);
  if (r == NULL)
    return NULL;
  char *w = r;
  w += sprintf (w, "\"a|^");
  for (const char *p = device; *p; ++p) {
    if (*p == '.' || *p == '+') {
      *w++ = '[';
      *w++ = *p;
      *w++ = ']';
    }
    else
      *w++ = *p;
  }
  /* A whole disk: /sys/block/NAME exists. */
  char sys[PATH_MAX];
  const char *base = strrchr (device, '/');
  snprintf (sys, sizeof sys, "/sys/block/%s", base ? base + 1 : device);
  bool whole = strncmp (device, "/dev/sd", 7) == 0 && access (sys, F_OK) == 0;
  w += sprintf (w, "%s$|\"", whole ? "[0-9]*" : "");
  return r;
}

static int
apply_filter (char *const *devices)
{
  /* Deactivate with the old view, so VGs about to be hidden go too. */
  if (lvm_vgchange_activate (0, NULL) == -1)
    return -1;
  if (devices == NULL) {
    unsetenv ("LVM_SYSTEM_DIR");
  }
  else {
    struct stringsbuf conf = { 0 };
    size_t total = 64;
    for (size_t i = 0; devices[i]; ++i) {
      for (const char *p = devices[i]; *p; ++p)
        if (!isalnum ((unsigned char) *p) && !strchr ("/_-.+:", *p)) {
          reply_with_error_errno (EINVAL, "%s: device name not usable in a filter",
                                  devices[i]);
          free_stringsbuf (&conf);
          return -1;
        }
      char *re = filter_regex (devices[i]);
      if (re == NULL || add_string_nodup (&conf, re) == -1) {
        reply_with_perror ("malloc");
        free_stringsbuf (&conf);
        return -1;
      }
      total += strlen (re) + 2;
    }
    char *text = malloc (total + 64);
    if (text == NULL) {
      reply_with_perror ("malloc");
      free_stringsbuf (&conf);
      return -1;
    }
    char *w = text;
    w += sprintf (w, "devices {\n  filter = [ ");
    for (size_t i = 0; i < conf.size; ++i)
      w += sprintf (w, "%s, ", conf.argv[i]);
    w += sprintf (w, "\"r|.*|\" ]\n}\n");
    free_stringsbuf (&conf);

    /* A private copy of the appliance's configuration, plus the filter in
     * lvmlocal.conf (read after lvm.conf and overriding it). */
    mkdir (FILTER_DIR, 0755);
    int ret = 0;
    CLEANUP_FREE char *out = NULL, *err = NULL;
    if (command (&out, &err, "cp", "/etc/lvm/lvm.conf", FILTER_DIR "/lvm.conf", NULL) != 0) {
      reply_with_error ("lvm_set_filter: copying lvm.conf: %s", err ? trim_newlines (err) : "failed");
      ret = -1;
    }
    else {
      int fd = open (FILTER_DIR "/lvmlocal.conf.tmp",
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      size_t len = strlen (text);
      if (fd == -1 || write (fd, text, len) != (ssize_t) len || close (fd) == -1 ||
          rename (FILTER_DIR "/lvmlocal.conf.tmp", FILTER_DIR "/lvmlocal.conf") == -1) {
        reply_with_perror ("lvm_set_filter: writing " FILTER_DIR "/lvmlocal.conf");
        ret = -1;
      }
    }
    free (text);
    if (ret == -1)
      return -1;
    setenv ("LVM_SYSTEM_DIR", FILTER_DIR, 1);
  }
  if (LVM (NULL, "vgscan", "vgscan", "--mknodes") == -1)
    return -1;
  return lvm_vgchange_activate (1, NULL);
}

int
do_lvm_set_filter (char *const *devices)
{
  if (devices[0] == NULL) {
    reply_with_error_errno (EINVAL, "lvm_set_filter: no devices given "
                            "(use lvm_clear_filter to see every device)");
    return -1;
  }
  return apply_filter (devices);
}

int
do_lvm_clear_filter (void)
{
  /* No filter set: nothing to deactivate, only scan. */
  if (getenv ("LVM_SYSTEM_DIR") == NULL)
    return LVM (NULL, "vgscan", "vgscan", "--mknodes");
  return apply_filter (NULL);
}

/* ---- list_dm_devices ---- */

char **
do_list_dm_devices (void)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/sys/block");
  if (d == NULL) {
    reply_with_perror ("opendir: /sys/block");
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "dm-", 3) != 0)
      continue;
    char dmdir[PATH_MAX], name[256];
    snprintf (dmdir, sizeof dmdir, "/sys/block/%s/dm", e->d_name);
    if (lvm_dm_dir_is_lv (dmdir) || !lvm_read_sysfs_line (dmdir, "name", name, sizeof name) ||
        name[0] == '\0')
      continue;
    /* LVM's internal layers (uuid "LVM-...-suffix") are not for users. */
    char uuid[256];
    if (lvm_read_sysfs_line (dmdir, "uuid", uuid, sizeof uuid) && strncmp (uuid, "LVM-", 4) == 0)
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/mapper/%s", name) == -1 || add_string_nodup (&sb, dev) == -1) {
      closedir (d);
      free_stringsbuf (&sb);
      reply_with_perror ("malloc");
      return NULL;
    }
  }
  closedir (d);
  sort_strings (sb.argv, sb.size);
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- start-up ---- */

/* Does the block device at path carry an LVM PV label or an MD superblock?
 * Reading a few sectors is far cheaper than starting lvm or mdadm, which
 * matters at launch when most disks hold neither. */
static bool
has_lvm_or_md_signature (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    return false;
  bool found = false;
  unsigned char buf[8192];
  ssize_t n = pread (fd, buf, sizeof buf, 0);
  /* LVM: "LABELONE" at the start of one of the first four sectors. */
  for (int sect = 0; !found && sect < 4 && (sect + 1) * 512 <= n; ++sect)
    found = memcmp (buf + sect * 512, "LABELONE", 8) == 0;
  /* MD superblock magic a92b4efc (little-endian on disk): version 1.1 at
   * 0, 1.2 at 4 KiB, 1.0 at 8 KiB before the end (4 KiB aligned), 0.90
   * in the last 64 KiB-aligned 64 KiB. */
  static const unsigned char magic[4] = { 0xfc, 0x4e, 0x2b, 0xa9 };
  if (!found && n >= 4)
    found = memcmp (buf, magic, 4) == 0;
  if (!found && n >= 4096 + 4)
    found = memcmp (buf + 4096, magic, 4) == 0;
  uint64_t size = 0;
  if (!found && ioctl (fd, BLKGETSIZE64, &size) == 0 && size >= 128 * 1024) {
    uint64_t offs[2] = { ((size - 8192) & ~(uint64_t) 4095),
                         (size & ~(uint64_t) 65535) - 65536 };
    for (int k = 0; !found && k < 2; ++k)
      found = pread (fd, buf, 4, (off_t) offs[k]) == 4 && memcmp (buf, magic, 4) == 0;
  }
  close (fd);
  return found;
}

/* Any user disk or partition with such a signature? */
static bool
any_lvm_or_md_signature (void)
{
  DIR *d = opendir ("/sys/block");
  if (d == NULL)
    return true;                /* can't tell: let the tools look */
  bool found = false;
  struct dirent *e;
  while (!found && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "sd", 2) != 0)
      continue;
    char path[PATH_MAX];
    snprintf (path, sizeof path, "/dev/%s", e->d_name);
    found = has_lvm_or_md_signature (path);
    char dir[PATH_MAX];
    snprintf (dir, sizeof dir, "/sys/block/%s", e->d_name);
    DIR *pd = found ? NULL : opendir (dir);
    struct dirent *pe;
    while (pd && !found && (pe = readdir (pd)) != NULL) {
      if (strncmp (pe->d_name, e->d_name, strlen (e->d_name)) != 0)
        continue;
      snprintf (path, sizeof path, "/dev/%s", pe->d_name);
      found = has_lvm_or_md_signature (path);
    }
    if (pd)
      closedir (pd);
  }
  closedir (d);
  return found;
}

/* Arrays that could not start even degraded stay "inactive" and keep
 * their members busy: stop them. */
static void
stop_inactive_arrays (void)
{
  DIR *d = opendir ("/sys/block");
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "md", 2) != 0)
      continue;
    char dir[PATH_MAX], state[64];
    snprintf (dir, sizeof dir, "/sys/block/%s/md", e->d_name);
    if (!lvm_read_sysfs_line (dir, "array_state", state, sizeof state) ||
        strcmp (state, "inactive") != 0)
      continue;
    char dev[PATH_MAX];
    snprintf (dev, sizeof dev, "/dev/%s", e->d_name);
    CLEANUP_FREE char *err = NULL;
    if (command (NULL, &err, "mdadm", "--stop", dev, NULL) != 0 && verbose)
      fprintf (stderr, "guestfsd: mdadm --stop %s: %s\n", dev, err ? err : "");
  }
  closedir (d);
}

/* Make what the guest's disks hold visible, as a booting system would:
 * assemble MD arrays found on them, then activate every LVM volume group
 * (which may sit on those arrays).  Failures are only logged: a disk with
 * a damaged VG must not stop the appliance.  Meant to be called once by
 * the daemon before it serves the first call.  Costs nothing measurable
 * when no disk has LVM or MD signatures; about 0.3-0.7 s under TCG when
 * one has. */
void
activate_block_layers (void)
{
  if (!any_lvm_or_md_signature ())
    return;
  lvm_environment ();
  CLEANUP_FREE char *err1 = NULL, *err2 = NULL;
  /* --run: also start arrays with members missing (one disk of a mirror
   * is enough to read the guest's data). */
  int r = command (NULL, &err1, "mdadm", "--assemble", "--scan", "--run", NULL);
  /* mdadm exits 1 when there is nothing to assemble. */
  if (r != 0 && r != 1 && verbose)
    fprintf (stderr, "guestfsd: mdadm --assemble --scan: %s\n", err1 ? err1 : "");
  stop_inactive_arrays ();
  r = command (NULL, &err2, "lvm", "vgchange", "--activate", "ay", "--sysinit", NULL);
  if (r != 0 && verbose)
    fprintf (stderr, "guestfsd: lvm vgchange: %s\n", err2 ? err2 : "");
}
