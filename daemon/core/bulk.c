/* The bulk data disk (see common/protocol.h): a virtio-blk disk whose
 * serial is HATCH_BULK_SERIAL, through which big chunks of file streams
 * travel instead of the virtio-serial channel.  It is opened once, with
 * O_DIRECT, so that the guest never caches what the host wrote into a
 * slot (the host rewrites slots behind the guest's back). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"

static int bulk_fd = -1;

/* /dev/vdX whose /sys/block/vdX/serial is HATCH_BULK_SERIAL (malloc'd),
 * or NULL. */
static char *
find_bulk_disk (void)
{
  DIR *d = opendir ("/sys/block");
  if (!d)
    return NULL;
  struct dirent *e;
  char *found = NULL;
  while (!found && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "vd", 2) != 0)
      continue;
    char path[300], serial[64] = "";
    snprintf (path, sizeof path, "/sys/block/%s/serial", e->d_name);
    FILE *f = fopen (path, "re");
    if (!f)
      continue;
    if (fgets (serial, sizeof serial, f)) {
      serial[strcspn (serial, "\n")] = '\0';
      if (strcmp (serial, HATCH_BULK_SERIAL) == 0 &&
          asprintf (&found, "/dev/%s", e->d_name) == -1)
        found = NULL;
    }
    fclose (f);
  }
  closedir (d);
  return found;
}

uint64_t
bulk_open (void)
{
  if (bulk_fd >= 0)
    return HATCH_BULK_DISK_SIZE;
  char *dev = find_bulk_disk ();
  if (!dev)
    return 0;
  int fd = open (dev, O_RDWR | O_DIRECT | O_CLOEXEC);
  uint64_t size = 0;
  if (fd == -1 || ioctl (fd, BLKGETSIZE64, &size) == -1 || size != HATCH_BULK_DISK_SIZE) {
    fprintf (stderr, "guestfsd: bulk data disk %s unusable (%s, %llu bytes): "
             "file streams use the channel only\n", dev,
             fd == -1 ? strerror (errno) : "size", (unsigned long long) size);
    if (fd >= 0)
      close (fd);
    free (dev);
    return 0;
  }
  if (verbose)
    fprintf (stderr, "guestfsd: bulk data disk %s\n", dev);
  free (dev);
  bulk_fd = fd;
  return HATCH_BULK_DISK_SIZE;
}

bool
bulk_available (void)
{
  return bulk_fd >= 0;
}

void *
bulk_alloc (size_t size)
{
  void *p = NULL;
  if (posix_memalign (&p, BULK_ALIGN, size) != 0)
    return NULL;
  return p;
}

/* O_DIRECT wants whole sectors: len rounded up (the buffers are
 * HATCH_BULK_SLOT_SIZE long and aligned, so the padding is inside them). */
static size_t
sectors (size_t len)
{
  return (len + 511) & ~(size_t) 511;
}

static int
bulk_io (bool write, unsigned slot, void *buf, size_t len)
{
  if (bulk_fd < 0 || slot >= HATCH_BULK_SLOTS || len > HATCH_BULK_SLOT_SIZE ||
      (uintptr_t) buf % BULK_ALIGN) {
    errno = EINVAL;
    return -1;
  }
  size_t n = sectors (len), done = 0;
  off_t off = (off_t) HATCH_BULK_SLOT_OFFSET (slot);
  while (done < n) {
    ssize_t r = write ? pwrite (bulk_fd, (char *) buf + done, n - done, off + (off_t) done)
                      : pread (bulk_fd, (char *) buf + done, n - done, off + (off_t) done);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0) {
      if (r == 0)
        errno = EIO;
      return -1;
    }
    done += (size_t) r;
  }
  return 0;
}

int
bulk_read_slot (unsigned slot, void *buf, size_t len)
{
  return bulk_io (false, slot, buf, len);
}

int
bulk_write_slot (unsigned slot, const void *buf, size_t len)
{
  return bulk_io (true, slot, (void *) buf, len);
}
