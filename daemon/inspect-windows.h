/* Windows inspection (inspect-windows.c), called from inspect.c and
 * inspect-apps.c. */
#ifndef HATCH_DAEMON_INSPECT_WINDOWS_H
#define HATCH_DAEMON_INSPECT_WINDOWS_H

#include "inspect.h"
#include "guestfs.h"

/* If the filesystem at rootfd holds a Windows installation, return its
 * systemroot as a path with the case found on disk ("/Windows"), else
 * NULL. */
char *inspect_windows_systemroot (int rootfd);

/* Fill os (whose windows_systemroot is already set) from the registry
 * hives and system files of the filesystem at rootfd.  Never fails: what
 * cannot be read stays "unknown".  Sets mountpoints, filesystems and
 * drive_mappings (left NULL only when memory runs out). */
void inspect_windows (int rootfd, struct inspect_os *os,
                      const struct inspect_fsinfo *fs, size_t nfs);

/* The Uninstall keys of the SOFTWARE hive, read from the guest tree the
 * caller mounted.  An unreadable hive gives an empty list; NULL only after
 * replying with an error. */
struct guestfs_application2_list *inspect_windows_applications2 (struct inspect_os *os);
struct guestfs_application_list *inspect_windows_applications (struct inspect_os *os);

#endif
