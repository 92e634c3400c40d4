/* virt-copy-out (see virt-copy-out(1)); the work is in tools/common/copy.c. */
#include "copy.h"

int
main (int argc, char *argv[])
{
  return tool_copy_main (TOOL_COPY_OUT, argc, argv);
}
