/* Windows inspection (windows.c), a per-OS module called from inspect.c
 * and apps.c only. */
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

/* Append to l the programs of the Uninstall keys of the SOFTWARE hive
 * (both registry views), read from the guest tree the caller mounted.
 * An unreadable hive gives no programs; -1 only after replying with an
 * error. */
int inspect_windows_apps (struct inspect_os *os, struct apps *l);

#endif
