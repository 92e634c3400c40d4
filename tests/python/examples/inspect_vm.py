#!/usr/bin/env python3
"""Print what inspection finds in a disk image, opened read-only: each
operating system's root, name, version, type and distribution, then the
first lines of its /etc/issue.net if it has one.

    inspect_vm.py DISK.img"""
import sys

import guestfs

if len(sys.argv) != 2:
    sys.exit("usage: inspect_vm.py DISK.img")

g = guestfs.GuestFS(python_return_dict=True)
g.add_drive_opts(sys.argv[1], readonly=True)
g.launch()

roots = g.inspect_os()
if not roots:
    sys.exit("inspect_vm: no operating system found in %s" % sys.argv[1])

for root in roots:
    print("Root: %s" % root)
    print("  Product: %s" % g.inspect_get_product_name(root))
    print("  Version: %d.%d" % (g.inspect_get_major_version(root),
                                g.inspect_get_minor_version(root)))
    print("  Type:    %s" % g.inspect_get_type(root))
    print("  Distro:  %s" % g.inspect_get_distro(root))

    # Mount the guest's filesystems, parents before children ("/" before
    # "/usr"): sorting the mount points by length does that.
    mountpoints = g.inspect_get_mountpoints(root)
    for mp in sorted(mountpoints, key=len):
        try:
            g.mount_ro(mountpoints[mp], mp)
        except RuntimeError as e:
            print("  (cannot mount %s: %s)" % (mp, e))

    if g.is_file("/etc/issue.net"):
        print("  /etc/issue.net:")
        for line in g.head_n(3, "/etc/issue.net"):
            print("    " + line)
    g.umount_all()

g.close()
