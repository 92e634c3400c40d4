/* Block devices: list_devices, list_partitions and the blockdev_* ioctls.
 *
 * Everything here reads sysfs or issues an ioctl on the device node; no
 * program is run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

/* Sort key for a device or partition name like "/dev/sdab12": the letters
 * compare by length first (sdz < sdaa) and the trailing number
 * numerically (sda2 < sda10). */
static int
compare_device_names (const void *pa, const void *pb)
{
  const char *a = *(const char *const *) pa;
  const char *b = *(const char *const *) pb;
  size_t la = strcspn (a, "0123456789"), lb = strcspn (b, "0123456789");
  if (la != lb)
    return la < lb ? -1 : 1;
  int c = strncmp (a, b, la);
  if (c != 0)
    return c;
  /* Same prefix: compare the rest (partition number) numerically. */
  const char *ra = a + la, *rb = b + lb;
  if (*ra && *rb) {
    unsigned long na = strtoul (ra, NULL, 10), nb = strtoul (rb, NULL, 10);
    if (na != nb)
      return na < nb ? -1 : 1;
  }
  return strcmp (ra, rb);
}

char **
do_list_devices (void)
{
  char **devs = list_user_devices ();
  if (devs == NULL) {
    reply_with_perror ("list_user_devices");
    return NULL;
  }
  qsort (devs, count_strings (devs), sizeof (char *), compare_device_names);
  return devs;
}

/* Append the partitions of the whole device "/dev/NAME" found in sysfs. */
static int
add_partitions_of (struct stringsbuf *sb, const char *device)
{
  const char *name = strrchr (device, '/');
  name = name ? name + 1 : device;
  char dir[PATH_MAX];
  snprintf (dir, sizeof dir, "/sys/block/%s", name);
  DIR *d = opendir (dir);
  if (d == NULL)
    return 0;                   /* no sysfs entry: no partitions */
  size_t nlen = strlen (name);
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, name, nlen) != 0 || e->d_name[nlen] == '\0')
      continue;
    char pfile[PATH_MAX + 512];
    snprintf (pfile, sizeof pfile, "%s/%s/partition", dir, e->d_name);
    if (access (pfile, F_OK) != 0)
      continue;
    char *p;
    if (asprintf (&p, "/dev/%s", e->d_name) == -1 || add_string_nodup (sb, p) == -1) {
      closedir (d);
      return -1;
    }
  }
  closedir (d);
  return 0;
}

char **
do_list_partitions (void)
{
  CLEANUP_FREE_STRINGS char **devs = list_user_devices ();
  if (devs == NULL) {
    reply_with_perror ("list_user_devices");
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; devs[i] != NULL; ++i) {
    if (add_partitions_of (&sb, devs[i]) == -1) {
      reply_with_perror ("list_partitions");
      free_stringsbuf (&sb);
      return NULL;
    }
  }
  qsort (sb.argv, sb.size, sizeof (char *), compare_device_names);
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("list_partitions");
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* Open the device for an ioctl; replies on failure. */
static int
open_device (const char *device)
{
  int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    reply_with_perror ("open: %s", device);
  return fd;
}

int64_t
do_blockdev_getsize64 (const char *device)
{
  CLEANUP_CLOSE int fd = open_device (device);
  if (fd == -1)
    return -1;
  uint64_t size;
  if (ioctl (fd, BLKGETSIZE64, &size) == -1) {
    reply_with_perror ("ioctl BLKGETSIZE64: %s", device);
    return -1;
  }
  return (int64_t) size;
}

int
do_blockdev_getss (const char *device)
{
  CLEANUP_CLOSE int fd = open_device (device);
  if (fd == -1)
    return -1;
  int ss;
  if (ioctl (fd, BLKSSZGET, &ss) == -1) {
    reply_with_perror ("ioctl BLKSSZGET: %s", device);
    return -1;
  }
  return ss;
}

static int
set_ro (const char *device, int ro)
{
  CLEANUP_CLOSE int fd = open_device (device);
  if (fd == -1)
    return -1;
  if (ioctl (fd, BLKROSET, &ro) == -1) {
    reply_with_perror ("ioctl BLKROSET: %s", device);
    return -1;
  }
  return 0;
}

int
do_blockdev_setro (const char *device)
{
  return set_ro (device, 1);
}

int
do_blockdev_setrw (const char *device)
{
  return set_ro (device, 0);
}

int
do_blockdev_getro (const char *device)
{
  CLEANUP_CLOSE int fd = open_device (device);
  if (fd == -1)
    return -1;
  int ro;
  if (ioctl (fd, BLKROGET, &ro) == -1) {
    reply_with_perror ("ioctl BLKROGET: %s", device);
    return -1;
  }
  return ro != 0;
}
