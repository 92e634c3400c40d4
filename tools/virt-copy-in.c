/* virt-copy-in (see virt-copy-in(1)); the work is in tools/common/copy.c. */
#include "copy.h"

int
main (int argc, char *argv[])
{
  return tool_copy_main (TOOL_COPY_IN, argc, argv);
}
