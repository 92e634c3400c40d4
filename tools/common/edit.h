/* Edit one guest file: download it to a private temporary file, change
 * it there (with the Perl expression EXPR applied to each line, run by
 * the host's perl as virt-edit(1) documents: $_ is the line with its
 * newline, $lineno its number; or, when EXPR is NULL, in $EDITOR), and
 * upload it back only if it changed, after copying the original to
 * PATH+BACKUP when BACKUP is not NULL.  PROGRAM names the tool in
 * messages and temporary file names.  Returns 0 or -1 (message printed). */
#ifndef HATCH_TOOLS_EDIT_H
#define HATCH_TOOLS_EDIT_H

#include "guestfs.h"

int tool_edit_file (guestfs_h *g, const char *program, const char *path,
                    const char *expr, const char *backup);

#endif
