/* Library-side calls about the added drives: debug_drives, device_name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* One line per added drive: "key=value" pairs for what was set. */
char **
guestfs_impl_debug_drives (guestfs_h *g)
{
  char **r = calloc (g->nr_drives + 1, sizeof *r);
  if (r == NULL) {
    guestfs_int_perrorf (g, "calloc");
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < g->nr_drives; ++i) {
    const struct drive *d = &g->drives[i];
    if (d->removed)
      continue;
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&s, &len);
    if (f == NULL) {
      guestfs_int_perrorf (g, "open_memstream");
      guestfs_int_free_string_list (r);
      return NULL;
    }
    fprintf (f, "path=%s", d->filename ? d->filename : "");
    fprintf (f, " readonly=%d", d->readonly ? 1 : 0);
    if (d->format)
      fprintf (f, " format=%s", d->format);
    if (d->cachemode)
      fprintf (f, " cachemode=%s", d->cachemode);
    if (d->discard)
      fprintf (f, " discard=%s", d->discard);
    if (d->name)
      fprintf (f, " name=%s", d->name);
    if (d->label)
      fprintf (f, " label=%s", d->label);
    if (d->blocksize)
      fprintf (f, " blocksize=%d", d->blocksize);
    if (d->scratch_size > 0)
      fprintf (f, " scratch=%lld", (long long) d->scratch_size);
    if (fclose (f) != 0 || s == NULL) {
      free (s);
      guestfs_int_perrorf (g, "open_memstream");
      guestfs_int_free_string_list (r);
      return NULL;
    }
    r[k++] = s;
  }
  return r;
}

/* The appliance's name of drive INDEX: /dev/sda ... /dev/sdz, /dev/sdaa
 * (the kernel's sd naming).  NULL when out of memory. */
char *
guestfs_int_drive_device_name (size_t index)
{
  char rev[16];
  size_t l = 0;
  do {
    rev[l++] = (char) ('a' + index % 26);
    index = index / 26;
  } while (index-- > 0 && l < sizeof rev);
  char *r = malloc (l + 8);
  if (r == NULL)
    return NULL;
  char *p = stpcpy (r, "/dev/sd");
  while (l > 0)
    *p++ = rev[--l];
  *p = '\0';
  return r;
}

char *
guestfs_impl_device_name (guestfs_h *g, int index)
{
  if (index < 0 || (size_t) index >= g->nr_drives || g->drives[index].removed) {
    guestfs_int_error_errno (g, EINVAL, "drive index out of range");
    return NULL;
  }
  char *r = guestfs_int_drive_device_name ((size_t) index);
  if (r == NULL)
    guestfs_int_perrorf (g, "malloc");
  return r;
}
