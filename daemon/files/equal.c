/* equal: compare two guest files byte for byte with cmp(1). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

int
do_equal (const char *file1, const char *file2)
{
  CLEANUP_CLOSE int fd1 = sysroot_open_data (file1, O_RDONLY, 0);
  if (fd1 == -1)
    return -1;
  CLEANUP_CLOSE int fd2 = sysroot_open_data (file2, O_RDONLY, 0);
  if (fd2 == -1)
    return -1;
  CLEANUP_FREE char *p1 = fd_path (fd1), *p2 = fd_path (fd2);
  if (p1 == NULL || p2 == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  /* cmp exits 0 (same), 1 (different) or 2 (trouble, e.g. a directory). */
  CLEANUP_FREE char *err = NULL;
  int r = command (NULL, &err, "cmp", "-s", "--", p1, p2, NULL);
  if (r == 0)
    return 1;
  if (r == 1 && (err == NULL || err[0] == '\0'))
    return 0;
  reply_with_error ("cmp: %s", err && err[0] ? err : "cannot compare the files");
  return -1;
}
