/* virt-tar-out (see virt-tar-out(1)); the work is in tools/common/copy.c. */
#include "copy.h"

int
main (int argc, char *argv[])
{
  return tool_copy_main (TOOL_TAR_OUT, argc, argv);
}
