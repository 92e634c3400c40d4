#!/usr/bin/env python3
"""Make a small disk image holding a (fake, tiny) Debian installation,
the way a program would with the guestfs module: a new sparse raw file,
one MBR partition, an ext4 filesystem, some directories and files, one of
them uploaded from the host.

    create_disk.py OUTPUT.img"""
import sys

import guestfs

if len(sys.argv) != 2:
    sys.exit("usage: create_disk.py OUTPUT.img")
output = sys.argv[1]

with guestfs.GuestFS(python_return_dict=True) as g:
    # 256 MiB, sparse: only what is written takes space on the host.
    g.disk_create(output, "raw", 256 * 1024 * 1024)
    g.add_drive_opts(output, format="raw", readonly=False)
    g.launch()

    (device,) = g.list_devices()        # one drive added, one device
    g.part_disk(device, "mbr")
    (partition,) = g.list_partitions()
    g.mkfs("ext4", partition)
    g.set_label(partition, "root")
    g.mount(partition, "/")

    for d in ("/etc", "/bin", "/usr/bin", "/var/lib/dpkg", "/home/user"):
        g.mkdir_p(d)
    g.write("/etc/os-release",
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
            'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')
    g.write("/etc/debian_version", "12.4\n")
    g.write("/etc/hostname", "example\n")
    g.write("/etc/fstab", "LABEL=root / ext4 defaults 0 1\n")
    g.write("/etc/issue.net", "Debian GNU/Linux 12\nwelcome\nthird\nfourth\n")
    g.touch("/home/user/.profile")
    g.upload("/etc/hosts", "/etc/hosts")

    # Flush and stop the appliance now, so a write error is reported here
    # rather than lost in the implicit close.
    g.shutdown()
print("created %s" % output)
