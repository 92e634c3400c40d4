"""Library-side actions: exporting the guest filesystem on a host directory
through FUSE (mount_local, mount_local_run, umount_local)."""
from generator.types import *

ACTIONS = [
    Action("mount_local", RErr(), [String("localmountpoint")],
           [OBool("readonly"), OString("options"), OInt("cachetimeout"),
            OBool("debugcalls")],
           shortdesc="mount on the local filesystem",
           longdesc="""Make the filesystems mounted in the appliance visible
on the host directory localmountpoint with FUSE, so that ordinary programs can
use them with normal system calls: every request the kernel sends to the FUSE
filesystem becomes one or more calls on this handle.  The appliance must be
launched and the guest filesystems mounted first.

readonly: refuse every change with EROFS (the kernel mount is read-only too).
options: extra comma-separated FUSE mount options (see guestmount(1)).
cachetimeout: how many seconds the attributes, extended attributes and link
targets read in bulk while listing a directory stay valid (default 60).
debugcalls: print a line on stderr for every FUSE request and its result.

When this call returns the mount exists, but nothing answers the kernel yet:
accesses block until guestfs_mount_local_run is called.  A program that starts
another process to use the mount should start it between the two calls.""",
           tests=[Test("none", ["mount_local /nonexistent-dir-for-mount-local"],
                       ExpectFail()),
                  Test("none", ["mount_local /dev/null"], ExpectFail(),
                       name="the mount point must be a directory")]),
    Action("mount_local_run", RErr(), [],
           shortdesc="run main loop of mount on the local filesystem",
           longdesc="""Answer the kernel's requests for the filesystem set up
by guestfs_mount_local, and return only when it has been unmounted (by
guestfs_umount_local, guestunmount(1) or fusermount3 -u).  Requests are served
one at a time, on the calling thread.  It holds the handle's lock while it
runs: calls from other threads on this handle wait until it returns, except
guestfs_umount_local, which is made for that.""",
           tests=[Test("none", ["mount_local_run"], ExpectFail(),
                       name="fails without mount_local")]),
    Action("umount_local", RErr(), [], [OBool("retry")], nolock=True,
           shortdesc="unmount a locally mounted filesystem",
           longdesc="""Unmount the filesystem that guestfs_mount_local put on
the host, with fusermount3 -u.  The loop in guestfs_mount_local_run then
returns.  retry: if the mount point is busy, try again up to five times, one
second apart.""",
           tests=[Test("none", ["umount_local"], ExpectFail(),
                       name="fails when nothing is mounted")]),
]
