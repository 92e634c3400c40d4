/* Launcher for a shell test: runs "sh SCRIPT BUILDDIR", so that a script
 * in the source tree appears as an executable test-* in the build tree.  */
#include <stdio.h>
#include <unistd.h>

int
main (void)
{
  execl ("/bin/sh", "sh", SCRIPT, BUILDDIR, (char *) NULL);
  perror ("/bin/sh");
  return 1;
}
