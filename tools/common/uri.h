/* The -a argument of guestfish and the virt tools: a local file name or
 * a URI naming remote storage (see "ADDING REMOTE STORAGE" in
 * guestfish(1)), turned into add_drive_opts arguments. */
#ifndef HATCH_TOOLS_URI_H
#define HATCH_TOOLS_URI_H

#include <stdbool.h>

struct hatch_uri {
  char *path;         /* add_drive_opts's filename (export name, path, pool/image) */
  char *protocol;     /* NULL: path is a local file or device */
  char **server;      /* NULL or a one-element, NULL-terminated list */
  char *username;     /* NULL when the URI has none */
  char *password;     /* NULL when the URI has none; becomes the secret */
};

/* Parse ARG.  Returns 0 and fills *uri, or -1 and sets *errmsg to a
 * malloc'd message saying what is wrong (the caller prefixes ARG).
 * A string without "SCHEME://" is a file name, colons and all. */
int hatch_uri_parse (const char *arg, struct hatch_uri *uri, char **errmsg);
void hatch_uri_free (struct hatch_uri *uri);

/* Whether ARG names remote storage (or is a URI that does not parse,
 * which hatch_uri_add_drive will report): the host must not open it. */
bool hatch_uri_is_remote (const char *arg);

/* guestfs_add_drive_opts_argv for the -a argument ARG with the options
 * already set in *o (readonly, format, blocksize ...): a URI adds its
 * protocol, server, username and password (as the secret).  A bad URI
 * is reported on stderr as "PROGRAM: ARG: why" and returns -1. */
struct guestfs_h;
struct guestfs_add_drive_opts_argv;
int hatch_uri_add_drive (struct guestfs_h *g, const char *program, const char *arg,
                         struct guestfs_add_drive_opts_argv *o);

#endif
