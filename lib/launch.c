/* launch and shutdown (library-side actions). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* The formats found for local images (see below). */
#define FORMAT_CACHE "image-formats"
#define FORMAT_CACHE_LINES 256

/* A local drive added without a format gets the one qemu-img finds,
 * given to qemu explicitly, unless the image names other files
 * (guestfs_int_probe_drive_format says why that is refused); one with a
 * format other than raw has its backing chain checked.  At launch, and
 * for a drive hot-added to a launched handle (drives.c). */
int
guestfs_int_check_drive_format (guestfs_h *g, struct drive *d)
{
  if (d->protocol || d->scratch_size > 0 || !d->filename)
    return 0;
  if (d->format)
    return strcmp (d->format, "raw") == 0 ? 0 : guestfs_int_check_backing_chain (g, d->filename);
  /* Nothing to read, nothing to guess: /dev/null and empty files are raw
   * (and running qemu-img costs a process start, much of a launch on a
   * busy host). */
  struct stat st;
  bool have_st = stat (d->filename, &st) == 0;
  if (have_st &&
      ((S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3)) ||
       (S_ISREG (st.st_mode) && st.st_size == 0))) {
    debug (g, "drive %s: no format given; empty, so raw", d->filename);
    d->format = strdup ("raw");
    if (!d->format) {
      guestfs_int_perrorf (g, "strdup");
      return -1;
    }
    return 0;
  }
  /* A regular file's probed format is remembered under what changes
   * whenever its content can have changed (device, inode, size, and the
   * modification and change times to the nanosecond): scripts that run
   * guestfish again and again on one image skip qemu-img (a process
   * start, tens of milliseconds) after the first.  Only a clean verdict
   * (no backing or other files) is ever stored; devices are probed
   * every time, their content changes without a time changing. */
  char key[160] = "";
  if (have_st && S_ISREG (st.st_mode)) {
    guestfs_int_cache_file_stat_key (&st, key, sizeof key);
    char *format = guestfs_int_cache_file_get (g, FORMAT_CACHE, key);
    if (format && *format &&
        strspn (format, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen (format)) {
      debug (g, "drive %s: no format given; %s, as qemu-img found before", d->filename, format);
      d->format = format;
      return 0;
    }
    free (format);
  }
  char *format = NULL;
  if (guestfs_int_probe_drive_format (g, d->filename, &format) == -1)
    return -1;
  debug (g, "drive %s: no format given; qemu-img finds %s", d->filename, format);
  d->format = format;
  if (*key)
    guestfs_int_cache_file_put (g, FORMAT_CACHE, key, format, FORMAT_CACHE_LINES);
  return 0;
}

static int
probe_formats (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (guestfs_int_check_drive_format (g, &g->drives[i]) == -1)
      return -1;
  return 0;
}

int
guestfs_impl_launch (guestfs_h *g)
{
  clock_gettime (CLOCK_MONOTONIC, &g->launch_t0);
  if (probe_formats (g) == -1)
    return -1;
  g->state = LAUNCHING;
  g->backend_ops = strncmp (g->backend, "unix:", 5) == 0 ? &guestfs_int_backend_unix
    : strncmp (g->backend, "libvirt", 7) == 0 ? &guestfs_int_backend_libvirt
    : &guestfs_int_backend_direct;
  if (g->backend_ops->launch (g) == -1) {
    g->backend_ops = NULL;
    g->state = CONFIG;
    return -1;
  }
  g->state = READY;
  guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_LAUNCH_DONE);
  return 0;
}

int
guestfs_impl_shutdown (guestfs_h *g)
{
  if (g->state == CONFIG)
    return 0;
  int ret = 0;
  if (g->autosync && g->state == READY) {
    /* Unmount and flush so that everything written reaches the images. */
    if (guestfs_umount_all (g) == -1 || guestfs_sync (g) == -1)
      ret = -1;
  }
  if (guestfs_int_backend_shutdown (g, true) == -1)
    ret = -1;
  return ret;
}

int
guestfs_int_backend_shutdown (guestfs_h *g, bool check_errors)
{
  const struct backend_ops *b = g->backend_ops;
  if (!b)
    return 0;
  int r = b->shutdown (g, check_errors);
  g->backend_ops = NULL;
  guestfs_int_drop_removed_drives (g);
  return r;
}
