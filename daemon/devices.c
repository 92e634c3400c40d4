/* Which block devices belong to the user, and argument checks. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"

/* The appliance's own disks (root image) are virtio-blk: /dev/vd*.  User
 * disks are on virtio-scsi: /dev/sd*.  */
static bool
is_appliance_device (const char *name)
{
  return strncmp (name, "vd", 2) == 0 || strncmp (name, "/dev/vd", 7) == 0;
}

/* sda < sdb < ... < sdz < sdaa: shorter names first, then alphabetical. */
static int
compare_device_names (const void *a, const void *b)
{
  const char *x = *(char *const *) a, *y = *(char *const *) b;
  size_t lx = strlen (x), ly = strlen (y);
  if (lx != ly)
    return lx < ly ? -1 : 1;
  return strcmp (x, y);
}

char **
list_user_devices (void)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/sys/block");
  if (!d) {
    reply_with_perror ("opendir: /sys/block");
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "sd", 2) != 0)
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/%s", e->d_name) == -1 || add_string_nodup (&sb, dev) == -1) {
      closedir (d);
      free_stringsbuf (&sb);
      return NULL;
    }
  }
  closedir (d);
  qsort (sb.argv, sb.size, sizeof sb.argv[0], compare_device_names);
  if (end_stringsbuf (&sb) == -1)
    return NULL;
  return take_stringsbuf (&sb);
}

int
validate_device (const char *device)
{
  struct stat st;
  if (strncmp (device, "/dev/", 5) != 0 || strstr (device, "/../") ||
      is_appliance_device (device) ||
      stat (device, &st) == -1 || !S_ISBLK (st.st_mode)) {
    reply_with_error_errno (ENOENT, "%s: No such file or directory", device);
    return -1;
  }
  /* A symlink such as /dev/VG/LV must not lead to the appliance's disk. */
  char *real = realpath (device, NULL);
  if (real && is_appliance_device (real)) {
    free (real);
    reply_with_error_errno (ENOENT, "%s: No such file or directory", device);
    return -1;
  }
  free (real);
  return 0;
}

/* A device, or "btrfsvol:DEVICE/SUBVOLUME" naming a btrfs subvolume. */
int
validate_mountable (const char *mountable)
{
  if (strncmp (mountable, "btrfsvol:", 9) != 0)
    return validate_device (mountable);
  const char *dev = mountable + 9;
  /* The device is the longest prefix that is a block device. */
  size_t len = strlen (dev);
  char *copy = strdup (dev);
  if (!copy) {
    reply_with_perror ("strdup");
    return -1;
  }
  for (size_t n = len; n > 5; --n) {
    if (copy[n] != '/' && copy[n] != '\0')
      continue;
    copy[n] = '\0';
    struct stat st;
    if (stat (copy, &st) == 0 && S_ISBLK (st.st_mode)) {
      int r = n < len ? validate_device (copy) : -1;
      if (n == len)
        reply_with_error_errno (EINVAL, "%s: btrfsvol: needs a subvolume after the device", mountable);
      free (copy);
      return r;
    }
  }
  free (copy);
  reply_with_error_errno (ENOENT, "%s: No such file or directory", mountable);
  return -1;
}

int
validate_dev_or_path (const char *s)
{
  if (strncmp (s, "/dev/", 5) == 0)
    return validate_device (s);
  if (s[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character", s);
    return -1;
  }
  return need_root (NULL);
}

bool
is_root_mounted (void)
{
  struct stat a, b;
  if (stat (SYSROOT, &a) == -1 || stat ("/", &b) == -1)
    return false;
  return a.st_dev != b.st_dev;
}

int
need_root (const char *action)
{
  if (is_root_mounted ())
    return 0;
  reply_with_error ("you must call 'mount' first to mount the root filesystem");
  return -1;
}
