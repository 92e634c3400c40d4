/* The deprecated sfdisk calls kept for old scripts (sfdisk, sfdiskM,
 * sfdisk_N, sfdisk_l) and the sfdisk geometry queries
 * (sfdisk_kernel_geometry, sfdisk_disk_geometry). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/hdreg.h>

#include "daemon.h"
#include "actions-gen.h"

/* ---- the old sfdisk interface ---- */

/* Today's sfdisk has no geometry options (-C -H -S were removed). */
static int
check_geometry (int cyls, int heads, int sectors)
{
  if (cyls < 0 || heads < 0 || sectors < 0) {
    reply_with_error ("cyls, heads and sectors must not be negative");
    return -1;
  }
  if (cyls || heads || sectors) {
    reply_with_error_errno (ENOTSUP, "this sfdisk no longer accepts a disk geometry "
                            "(-C/-H/-S): pass 0 for cyls, heads and sectors");
    return -1;
  }
  return 0;
}

/* Feed text to sfdisk [-N partnum] device. */
static int
run_sfdisk (const char *device, int partnum, const char *text)
{
  char num[16];
  const char *argv[8];
  size_t n = 0;
  argv[n++] = "sfdisk";
  argv[n++] = "--no-reread";
  argv[n++] = "--wipe=never";
  if (partnum > 0) {
    snprintf (num, sizeof num, "%d", partnum);
    argv[n++] = "-N";
    argv[n++] = num;
  }
  argv[n++] = device;
  argv[n] = NULL;
  struct command_opts o = { .stdin_data = text, .stdin_len = strlen (text) };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&o, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err && err[0] ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

static char *
join_lines (char *const *lines, bool megabytes)
{
  size_t len = 1;
  for (size_t i = 0; lines[i]; ++i)
    len += strlen (lines[i]) * 2 + 8;
  char *t = malloc (len), *p = t;
  if (t == NULL)
    return NULL;
  for (size_t i = 0; lines[i]; ++i) {
    const char *l = lines[i];
    /* sfdiskM: the start and size fields are megabytes. */
    for (int field = 0; *l; ++l) {
      if (megabytes && field < 2 && *l >= '0' && *l <= '9' &&
          (l[1] == ',' || l[1] == '\0' || l[1] == ' ')) {
        *p++ = *l;
        *p++ = 'M';
        continue;
      }
      if (*l == ',')
        field++;
      *p++ = *l;
    }
    *p++ = '\n';
  }
  *p = '\0';
  return t;
}

int
do_sfdisk (const char *device, int cyls, int heads, int sectors, char *const *lines)
{
  if (check_geometry (cyls, heads, sectors) == -1)
    return -1;
  CLEANUP_FREE char *text = join_lines (lines, false);
  if (text == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  return run_sfdisk (device, 0, text);
}

int
do_sfdiskM (const char *device, char *const *lines)
{
  CLEANUP_FREE char *text = join_lines (lines, true);
  if (text == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  return run_sfdisk (device, 0, text);
}

int
do_sfdisk_N (const char *device, int partnum, int cyls, int heads, int sectors,
             const char *line)
{
  if (partnum < 1) {
    reply_with_error ("partition number must be 1 or more");
    return -1;
  }
  if (check_geometry (cyls, heads, sectors) == -1)
    return -1;
  CLEANUP_FREE char *text = NULL;
  if (asprintf (&text, "%s\n", line) == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  return run_sfdisk (device, partnum, text);
}

char *
do_sfdisk_l (const char *device)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  if (command (&out, &err, "sfdisk", "-l", device, NULL) != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err && err[0] ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  return out;
}

/* ---- sfdisk geometry ---- */

static char *
format_geometry (const char *device, unsigned long cyls, unsigned heads, unsigned sectors)
{
  char *r;
  if (asprintf (&r, "%s: %lu cylinders, %u heads, %u sectors/track\n", device, cyls,
                heads, sectors) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

char *
do_sfdisk_kernel_geometry (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct hd_geometry geo;
  if (fd == -1 || ioctl (fd, HDIO_GETGEO, &geo) == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  /* geo.cylinders is 16 bits: compute it from the size when possible. */
  unsigned long cyls = geo.cylinders;
  uint64_t size;
  if (geo.heads && geo.sectors && ioctl (fd, BLKGETSIZE64, &size) == 0)
    cyls = (unsigned long) (size / 512 / ((uint64_t) geo.heads * geo.sectors));
  return format_geometry (device, cyls, geo.heads, geo.sectors);
}

/* The geometry the partition table was written for: the heads and sectors
 * per track of the CHS end of the entry that ends furthest (as the
 * kernel's SCSI driver reads it), cylinders from the device size.  A
 * device without one (a partition, a blank disk) gets the kernel's.  */
char *
do_sfdisk_disk_geometry (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_CLOEXEC);
  unsigned char mbr[512];
  uint64_t size;
  if (fd == -1 || ioctl (fd, BLKGETSIZE64, &size) == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  ssize_t n;
  do
    n = pread (fd, mbr, sizeof mbr, 0);   /* one sector: never short */
  while (n == -1 && errno == EINTR);
  if (n == -1) {
    reply_with_perror ("read: %s", device);
    return NULL;
  }
  /* Without a DOS partition table (or its CHS values) there is only the
   * kernel's idea of the geometry, as sfdisk would show.  */
  if (n < (ssize_t) sizeof mbr || mbr[510] != 0x55 || mbr[511] != 0xaa)
    return do_sfdisk_kernel_geometry (device);
  unsigned heads = 0, sectors = 0, best_cyl = 0;
  bool found = false;
  for (int i = 0; i < 4; ++i) {
    const unsigned char *e = mbr + 446 + 16 * i;
    if (e[4] == 0)
      continue;                 /* unused entry */
    unsigned h = e[5], s = e[6] & 0x3f;
    unsigned c = e[7] | ((unsigned) (e[6] & 0xc0) << 2);
    if (s == 0)
      continue;
    if (!found || c > best_cyl) {
      heads = h + 1;
      sectors = s;
      best_cyl = c;
      found = true;
    }
  }
  if (!found)
    return do_sfdisk_kernel_geometry (device);
  return format_geometry (device, (unsigned long) (size / 512 / ((uint64_t) heads * sectors)),
                          heads, sectors);
}
