/* The shared body of virt-copy-in, virt-copy-out, virt-tar-in, virt-tar-out. */
#ifndef HATCH_TOOLS_COPY_H
#define HATCH_TOOLS_COPY_H

#include "guestfs.h"

enum tool_copy_kind { TOOL_COPY_IN, TOOL_COPY_OUT, TOOL_TAR_IN, TOOL_TAR_OUT };
/* One local file or directory LOCAL into the guest directory DEST (as
 * DEST/basename), through tar; messages name PROGRAM. */
int tool_copy_in (guestfs_h *g, const char *program, const char *local, const char *dest);
int tool_copy_main (enum tool_copy_kind kind, int argc, char *argv[]);

#endif
