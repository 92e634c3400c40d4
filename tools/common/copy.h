/* The shared body of virt-copy-in, virt-copy-out, virt-tar-in, virt-tar-out. */
#ifndef HATCH_TOOLS_COPY_H
#define HATCH_TOOLS_COPY_H

enum tool_copy_kind { TOOL_COPY_IN, TOOL_COPY_OUT, TOOL_TAR_IN, TOOL_TAR_OUT };
int tool_copy_main (enum tool_copy_kind kind, int argc, char *argv[]);

#endif
