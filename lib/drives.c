/* add_drive_opts and friends: collect the drives the appliance will see
 * as /dev/sda, /dev/sdb, ... in order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* Free what a drive holds; it becomes an empty slot. */
static void
clear_drive (struct drive *d)
{
  free (d->filename);
  free (d->format);
  free (d->cachemode);
  free (d->discard);
  free (d->name);
  free (d->label);
  guestfs_int_drive_free_remote (d);
  *d = (struct drive) { .secret_fd = -1, .removed = true, .generation = d->generation };
}

void
guestfs_int_free_drives (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_drives; ++i)
    clear_drive (&g->drives[i]);
  free (g->drives);
  g->drives = NULL;
  g->nr_drives = 0;
}

/* Letters valid in a format or cache name: keep qemu's -drive option
 * parser from seeing commas or '=' smuggled in through a value. */
static bool
valid_word (const char *s)
{
  if (!*s)
    return false;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
      return false;
  return true;
}

static bool
valid_label (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 20)
    return false;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

static int
add_drive (guestfs_h *g, struct drive *d)
{
  /* On a running appliance, a slot a removed drive left empty is taken
   * first: the kernel gives the new disk the lowest free sd name, which
   * is that slot's. */
  size_t slot = g->nr_drives;
  bool reuse = false;
  if (g->state != CONFIG)
    for (size_t i = 0; i < g->nr_drives && !reuse; ++i)
      if (g->drives[i].removed && !g->drives[i].detach_failed) {
        slot = i;
        reuse = true;
      }
  if (!reuse) {
    if (g->nr_drives >= 255) {  /* one virtio-scsi target per drive */
      error (g, "too many drives have been added");
      return -1;
    }
    struct drive *p = realloc (g->drives, (g->nr_drives + 1) * sizeof *p);
    if (!p) {
      guestfs_int_perrorf (g, "realloc");
      return -1;
    }
    g->drives = p;
    g->nr_drives++;
  }
  struct drive empty = { .removed = false };
  if (reuse) {
    empty = g->drives[slot];
    d->generation = empty.generation + 1;
  }
  g->drives[slot] = *d;
  if (g->state == CONFIG)
    return 0;
  /* A launched handle: hot-add the drive, or refuse it. */
  const char *why = NULL;
  if (g->state != READY || !g->backend_ops)
    why = "the appliance is not running";
  else if (!g->backend_ops->hot_add_drive)
    why = "the backend cannot hot-add drives";
  else if (d->protocol || d->scratch_size > 0)
    why = "only local files and devices can be hot-added";
  if (why) {
    error (g, "add_drive: %s: drives can only be added before launch", why);
    errno = ENOTSUP;
  }
  else if (guestfs_int_check_drive_format (g, &g->drives[slot]) == 0 &&
           g->backend_ops->hot_add_drive (g, slot) == 0)
    return 0;
  if (g->drives[slot].format != d->format)   /* the guessed one */
    free (g->drives[slot].format);
  if (reuse)
    g->drives[slot] = empty;
  else
    g->nr_drives--;
  return -1;
}

int
guestfs_impl_add_drive (guestfs_h *g, const char *filename,
                        const struct guestfs_add_drive_opts_argv *o)
{
  struct drive d = { .secret_fd = -1 };
  uint64_t m = o->bitmask;

  if ((m & GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK) && !valid_word (o->format)) {
    error (g, "%s parameter is empty or contains disallowed characters", "format");
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_IFACE_BITMASK) && !valid_word (o->iface)) {
    error (g, "%s parameter is empty or contains disallowed characters", "iface");
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_CACHEMODE_BITMASK) &&
      strcmp (o->cachemode, "writeback") != 0 && strcmp (o->cachemode, "unsafe") != 0) {
    error (g, "cachemode parameter must be 'writeback' (default) or 'unsafe'");
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK) &&
      strcmp (o->discard, "disable") != 0 && strcmp (o->discard, "enable") != 0 &&
      strcmp (o->discard, "besteffort") != 0) {
    error (g, "discard parameter must be 'disable', 'enable' or 'besteffort'");
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_LABEL_BITMASK) && !valid_label (o->label)) {
    error (g, "label parameter is empty, too long, or contains disallowed characters");
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK) &&
      o->blocksize != 0 && o->blocksize != 512 && o->blocksize != 4096) {
    error (g, "invalid value for blocksize: %d, it can only be 512 or 4096", o->blocksize);
    return -1;
  }
  bool readonly = (m & GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK) && o->readonly;
  bool discard_enable = (m & GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK) &&
                        strcmp (o->discard, "enable") == 0;
  if (readonly && discard_enable) {
    error (g, "discard support cannot be enabled on read-only drives");
    return -1;
  }
  d.filename = guestfs_int_safe_strdup (g, filename);
  if (guestfs_int_drive_set_remote (g, &d, o) == -1) {
    free (d.filename);
    guestfs_int_drive_free_remote (&d);
    return -1;
  }
  /* /dev/null is allowed (guestfish -a /dev/null run is the classic test). */
  if (!d.protocol && access (filename, readonly ? R_OK : R_OK | W_OK) != 0) {
    guestfs_int_error_errno (g, errno, "%s: %s", filename, strerror (errno));
    free (d.filename);
    return -1;
  }
  d.readonly = readonly;
  if (m & GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK)
    d.format = guestfs_int_safe_strdup (g, o->format);
  if (m & GUESTFS_ADD_DRIVE_OPTS_CACHEMODE_BITMASK)
    d.cachemode = guestfs_int_safe_strdup (g, o->cachemode);
  if (m & GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK)
    d.discard = guestfs_int_safe_strdup (g, o->discard);
  if (m & GUESTFS_ADD_DRIVE_OPTS_NAME_BITMASK)
    d.name = guestfs_int_safe_strdup (g, o->name);
  if (m & GUESTFS_ADD_DRIVE_OPTS_LABEL_BITMASK)
    d.label = guestfs_int_safe_strdup (g, o->label);
  if (m & GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK)
    d.blocksize = o->blocksize;
  if (add_drive (g, &d) == -1) {
    free (d.filename); free (d.format); free (d.cachemode);
    free (d.discard); free (d.name); free (d.label);
    guestfs_int_drive_free_remote (&d);
    return -1;
  }
  return 0;
}

int
guestfs_impl_add_drive_ro (guestfs_h *g, const char *filename)
{
  struct guestfs_add_drive_opts_argv o = {
    .bitmask = GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK, .readonly = 1,
  };
  return guestfs_impl_add_drive (g, filename, &o);
}

/* A scratch drive is created at launch in the handle's temporary
 * directory and deleted with it. */
int
guestfs_impl_add_drive_scratch (guestfs_h *g, int64_t size,
                                const struct guestfs_add_drive_scratch_argv *o)
{
  if (size <= 0) {
    error (g, "add_drive_scratch: size must be greater than zero");
    return -1;
  }
  struct drive d = { .secret_fd = -1 };
  d.scratch_size = size;
  d.format = guestfs_int_safe_strdup (g, "raw");
  d.cachemode = guestfs_int_safe_strdup (g, "unsafe");
  if (o->bitmask & GUESTFS_ADD_DRIVE_SCRATCH_NAME_BITMASK)
    d.name = guestfs_int_safe_strdup (g, o->name);
  if (o->bitmask & GUESTFS_ADD_DRIVE_SCRATCH_LABEL_BITMASK) {
    if (!valid_label (o->label)) {
      error (g, "label parameter is empty, too long, or contains disallowed characters");
      free (d.format); free (d.cachemode); free (d.name);
      return -1;
    }
    d.label = guestfs_int_safe_strdup (g, o->label);
  }
  if (o->bitmask & GUESTFS_ADD_DRIVE_SCRATCH_BLOCKSIZE_BITMASK)
    d.blocksize = o->blocksize;
  if (add_drive (g, &d) == -1) {
    free (d.format); free (d.cachemode); free (d.name); free (d.label);
    return -1;
  }
  return 0;
}

/* Before launch the drive is dropped and the later ones move up a
 * letter.  After launch the appliance first lets go of the disk (it
 * refuses while the disk is mounted or held by LVM, LUKS or md), then the
 * backend detaches it; its slot (and so its /dev/sd name) stays empty
 * until a later add_drive takes it, so no other drive changes name. */
int
guestfs_impl_remove_drive (guestfs_h *g, const char *label)
{
  size_t i;
  for (i = 0; i < g->nr_drives; ++i)
    if (!g->drives[i].removed && g->drives[i].label &&
        strcmp (g->drives[i].label, label) == 0)
      break;
  if (i == g->nr_drives) {
    error (g, "remove_drive: there is no drive with label '%s'", label);
    return -1;
  }
  if (g->state == CONFIG) {
    clear_drive (&g->drives[i]);
    memmove (&g->drives[i], &g->drives[i + 1], (g->nr_drives - i - 1) * sizeof g->drives[i]);
    g->nr_drives--;
    return 0;
  }
  if (g->state != READY || !g->backend_ops || !g->backend_ops->hot_remove_drive) {
    error (g, "remove_drive: the %s backend cannot remove drives from a running "
           "appliance: drives can only be removed before launch",
           g->backend_ops ? g->backend_ops->name : "current");
    errno = ENOTSUP;
    return -1;
  }
  char why[600];
  g->drives[i].removed = true;
  if (guestfs_int_daemon_resume (g, 30000, why, sizeof why) == -1) {
    int e = errno;
    g->drives[i].removed = false;
    guestfs_int_error_errno (g, e, "remove_drive: %s: %s", label, why);
    return -1;
  }
  if (g->backend_ops->hot_remove_drive (g, i) == -1) {
    g->drives[i].detach_failed = true;
    return -1;
  }
  debug (g, "removed drive %zu (%s)", i, label);
  clear_drive (&g->drives[i]);
  return 0;
}

void
guestfs_int_drop_removed_drives (guestfs_h *g)
{
  size_t k = 0;
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (!g->drives[i].removed)
      g->drives[k++] = g->drives[i];
    else
      clear_drive (&g->drives[i]);
  g->nr_drives = k;
}
