/* Running "fusermount3 -u", shared by the library (umount_local) and
 * guestunmount.  It is compiled into both rather than exported from
 * libguestfs.so: it is not part of the libguestfs API. */
#ifndef HATCH_FUSERMOUNT_H
#define HATCH_FUSERMOUNT_H

#include <stddef.h>

/* Run "fusermount3 -u -- MOUNTPOINT" and wait for it.  Its output
 * (stdout and stderr; stdin is /dev/null) is put in ERR (ERRSIZE bytes,
 * truncated, final newlines removed).  Returns its exit status, 128+N
 * if signal N killed it, or -1 if it could not be run: then ERR says why,
 * or is empty and errno is set. */
int hatch_fusermount_unmount (const char *mountpoint, char *err, size_t errsize);

#endif
