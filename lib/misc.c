/* Library-side debugging call: debug_drives.  */
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
  for (size_t i = 0; i < g->nr_drives; ++i) {
    const struct drive *d = &g->drives[i];
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
    r[i] = s;
  }
  return r;
}
