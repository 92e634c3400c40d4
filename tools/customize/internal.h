/* Pieces of the customization engine shared between its files (not part
 * of the interface in customize.h). */
#ifndef HATCH_CUSTOMIZE_INTERNAL_H
#define HATCH_CUSTOMIZE_INTERNAL_H

#include "customize.h"

/* Set the shadow password field of each USERS[i] from SELECTORS[i]
 * (--root-password / --password, in command-line order; the last one
 * for a user wins), in one Augeas pass. */
int customize_set_passwords (guestfs_h *g, const char *root, struct customize *cz,
                             char **users, char **selectors, size_t n);
/* --ssh-inject USER[:file:F|:string:KEY] */
int customize_ssh_inject (guestfs_h *g, struct customize *cz, const char *arg);
/* LINE and a newline at the end of PATH (created if missing), after a
 * newline if the file does not end with one; CRLF if the file uses it. */
int customize_append_line (guestfs_h *g, const char *path, const char *line);

#endif
