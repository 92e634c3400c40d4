/* isoinfo, isoinfo_device: the ISO 9660 primary volume descriptor.
 *
 * The descriptor is parsed here rather than by running a tool: it is a
 * fixed 2048-byte record, and every field is read at a fixed offset, so
 * a hostile image can do no more than give us odd strings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

#define ISO_SECTOR 2048
#define ISO_FIRST_DESCRIPTOR 16
#define ISO_MAX_DESCRIPTORS 64   /* stop looking after this many */

/* Copy a fixed-width, space-padded text field, without the padding. */
static char *
iso_string (const unsigned char *p, size_t n)
{
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\0'))
    --n;
  char *s = malloc (n + 1);
  if (s == NULL)
    return NULL;
  for (size_t i = 0; i < n; ++i)
    /* NUL inside the field would cut the string short: show it as a space. */
    s[i] = p[i] ? (char) p[i] : ' ';
  s[n] = '\0';
  return s;
}

static uint32_t
le32 (const unsigned char *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint32_t
le16 (const unsigned char *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8;
}

static int
digits (const unsigned char *p, int n, int *v)
{
  *v = 0;
  for (int i = 0; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9')
      return -1;
    *v = *v * 10 + (p[i] - '0');
  }
  return 0;
}

/* The 17-byte date of a volume descriptor as seconds since the epoch
 * (UTC).  An unset date (all zero digits) or one that cannot be read
 * gives -1. */
static int64_t
iso_time (const unsigned char *p)
{
  int year, mon, day, hour, min, sec;
  if (digits (p, 4, &year) == -1 || digits (p + 4, 2, &mon) == -1 ||
      digits (p + 6, 2, &day) == -1 || digits (p + 8, 2, &hour) == -1 ||
      digits (p + 10, 2, &min) == -1 || digits (p + 12, 2, &sec) == -1)
    return -1;
  if (year == 0 || mon < 1 || mon > 12 || day < 1 || day > 31 ||
      hour > 23 || min > 59 || sec > 60)
    return -1;
  struct tm tm = {
    .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
    .tm_hour = hour, .tm_min = min, .tm_sec = sec,
  };
  int64_t t = (int64_t) timegm (&tm);
  /* Offset from GMT in 15-minute steps, -48 (west) to +52 (east). */
  signed char off = (signed char) p[16];
  if (off >= -48 && off <= 52)
    t -= (int64_t) off * 15 * 60;
  return t;
}

static struct guestfs_isoinfo *
parse_pvd (const unsigned char *d)
{
  struct guestfs_isoinfo *r = calloc (1, sizeof *r);
  if (r == NULL)
    return NULL;
  r->iso_system_id = iso_string (d + 8, 32);
  r->iso_volume_id = iso_string (d + 40, 32);
  r->iso_volume_space_size = le32 (d + 80);
  r->iso_volume_set_size = le16 (d + 120);
  r->iso_volume_sequence_number = le16 (d + 124);
  r->iso_logical_block_size = le16 (d + 128);
  r->iso_volume_set_id = iso_string (d + 190, 128);
  r->iso_publisher_id = iso_string (d + 318, 128);
  r->iso_data_preparer_id = iso_string (d + 446, 128);
  r->iso_application_id = iso_string (d + 574, 128);
  r->iso_copyright_file_id = iso_string (d + 702, 37);
  r->iso_abstract_file_id = iso_string (d + 739, 37);
  r->iso_bibliographic_file_id = iso_string (d + 776, 37);
  r->iso_volume_creation_t = iso_time (d + 813);
  r->iso_volume_modification_t = iso_time (d + 830);
  r->iso_volume_expiration_t = iso_time (d + 847);
  r->iso_volume_effective_t = iso_time (d + 864);
  if (!r->iso_system_id || !r->iso_volume_id || !r->iso_volume_set_id ||
      !r->iso_publisher_id || !r->iso_data_preparer_id ||
      !r->iso_application_id || !r->iso_copyright_file_id ||
      !r->iso_abstract_file_id || !r->iso_bibliographic_file_id) {
    free (r->iso_system_id); free (r->iso_volume_id); free (r->iso_volume_set_id);
    free (r->iso_publisher_id); free (r->iso_data_preparer_id);
    free (r->iso_application_id); free (r->iso_copyright_file_id);
    free (r->iso_abstract_file_id); free (r->iso_bibliographic_file_id);
    free (r);
    return NULL;
  }
  return r;
}

/* Find and parse the primary volume descriptor of the ISO open on fd. */
static struct guestfs_isoinfo *
isoinfo_fd (int fd, const char *what)
{
  unsigned char d[ISO_SECTOR];
  for (int i = 0; i < ISO_MAX_DESCRIPTORS; ++i) {
    off_t off = (off_t) (ISO_FIRST_DESCRIPTOR + i) * ISO_SECTOR;
    ssize_t n = pread (fd, d, sizeof d, off);
    if (n == -1) {
      reply_with_perror ("%s: read", what);
      return NULL;
    }
    if ((size_t) n < sizeof d || memcmp (d + 1, "CD001", 5) != 0) {
      reply_with_error_errno (EINVAL, "%s: not an ISO 9660 image "
                              "(no volume descriptor at sector %d)",
                              what, ISO_FIRST_DESCRIPTOR + i);
      return NULL;
    }
    if (d[0] == 255)            /* set terminator */
      break;
    if (d[0] == 1) {            /* primary volume descriptor */
      struct guestfs_isoinfo *r = parse_pvd (d);
      if (r == NULL)
        reply_with_perror ("%s", what);
      return r;
    }
  }
  reply_with_error_errno (EINVAL, "%s: ISO 9660 image has no primary volume descriptor", what);
  return NULL;
}

struct guestfs_isoinfo *
do_isoinfo_device (const char *device)
{
  CLEANUP_CLOSE int fd = open (device, O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("%s", device);
    return NULL;
  }
  return isoinfo_fd (fd, device);
}

struct guestfs_isoinfo *
do_isoinfo (const char *isofile)
{
  CLEANUP_CLOSE int fd = sysroot_open_data (isofile, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  return isoinfo_fd (fd, isofile);
}
