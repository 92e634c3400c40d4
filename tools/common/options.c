#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int
tool_add_drive (struct tool_options *o, const char *filename)
{
  struct tool_drive *p = realloc (o->drives, (o->nr_drives + 1) * sizeof *p);
  if (!p) {
    perror ("realloc");
    return -1;
  }
  o->drives = p;
  o->drives[o->nr_drives++] = (struct tool_drive) {
    .filename = strdup (filename),
    .format = o->format ? strdup (o->format) : NULL,
    .blocksize = o->blocksize,
  };
  return 0;
}

int
tool_option (struct tool_options *o, int c, const char *arg)
{
  switch (c) {
  case 'a':
    if (strstr (arg, "://")) {
      fprintf (stderr, "%s: remote drives (URIs) are not supported yet: %s\n", o->program, arg);
      return -1;
    }
    return tool_add_drive (o, arg) == -1 ? -1 : 1;
  case 0x100:                   /* --format[=FMT] */
    free (o->format);
    o->format = arg && *arg && strcmp (arg, "auto") != 0 ? strdup (arg) : NULL;
    return 1;
  case 0x101:                   /* --blocksize[=N] */
    if (!arg || !*arg) {
      o->blocksize = 0;
      return 1;
    }
    o->blocksize = atoi (arg);
    if (o->blocksize != 512 && o->blocksize != 4096) {
      fprintf (stderr, "%s: --blocksize must be 512 or 4096\n", o->program);
      return -1;
    }
    return 1;
  case 'c':
  case 'd':
    fprintf (stderr, "%s: libvirt is not supported yet (option -%c): use -a with the disk images\n",
             o->program, c);
    return -1;
  case 0x102: {                 /* --key SELECTOR */
    size_t n = 0;
    while (o->keys && o->keys[n]) n++;
    char **k = realloc (o->keys, (n + 2) * sizeof *k);
    if (!k) return -1;
    k[n] = strdup (arg);
    k[n + 1] = NULL;
    o->keys = k;
    return 1;
  }
  case 0x103: o->keys_from_stdin = true; return 1;
  case 0x104: o->echo_keys = true; return 1;
  case 'v': o->verbose = true; return 1;
  case 'x': o->trace = true; return 1;
  case 'V':
    tool_print_version (o->program);
    exit (EXIT_SUCCESS);
  default:
    return 0;
  }
}

void
tool_print_version (const char *program)
{
  guestfs_h *g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  struct guestfs_version *v = g ? guestfs_version (g) : NULL;
  if (v)
    printf ("%s %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n", program,
            v->major, v->minor, v->release, v->extra);
  guestfs_free_version (v);
  guestfs_close (g);
}

guestfs_h *
tool_open_handle (struct tool_options *o)
{
  guestfs_h *g = guestfs_create ();
  if (!g) {
    fprintf (stderr, "%s: failed to create libguestfs handle\n", o->program);
    return NULL;
  }
  if (o->verbose) guestfs_set_verbose (g, 1);
  if (o->trace) guestfs_set_trace (g, 1);
  guestfs_set_program (g, o->program);
  for (size_t i = 0; i < o->nr_drives; ++i) {
    struct tool_drive *d = &o->drives[i];
    struct guestfs_add_drive_opts_argv a = { .bitmask = 0 };
    if (o->read_only) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
      a.readonly = 1;
    }
    if (d->format) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
      a.format = d->format;
    }
    if (d->blocksize) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
      a.blocksize = d->blocksize;
    }
    if (guestfs_add_drive_opts_argv (g, d->filename, &a) == -1) {
      guestfs_close (g);
      return NULL;
    }
  }
  return g;
}

void
tool_free_options (struct tool_options *o)
{
  for (size_t i = 0; i < o->nr_drives; ++i) {
    free (o->drives[i].filename);
    free (o->drives[i].format);
  }
  free (o->drives);
  free (o->format);
  for (size_t i = 0; o->keys && o->keys[i]; ++i)
    free (o->keys[i]);
  free (o->keys);
}
