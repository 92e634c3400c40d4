"""Daemon actions: bootloaders (daemon/system/bootloader.c): syslinux,
extlinux, grub_install."""
from generator.types import *

ACTIONS = [
    # ---- bootloaders ----
    Action("syslinux", RErr(), [Device("device")], [OString("directory")], proc=783,
           group="syslinux",
           shortdesc="install the SYSLINUX bootloader",
           longdesc="Install SYSLINUX on device, which holds an unmounted FAT "
           "filesystem (a whole disk or a partition).  For a partition, "
           "also mark it bootable (part_set_bootable) and write a master "
           "boot record to the disk's first sector (the syslinux package "
           "ships some).  directory installs it in that subdirectory of the "
           "filesystem instead of its root.  SYSLINUX reads its "
           "configuration from syslinux.cfg next to it; see syslinux(1).",
           tests=[Test("partition", ["mkfs vfat /dev/sda1", "syslinux /dev/sda1",
                                     "pread_device /dev/sda1 8 3"],
                       ExpectBuffer(b"SYSLINUX"), name="boot sector written"),
                  Test("partition", ["mkfs vfat /dev/sda1", "syslinux /dev/sda1",
                                     "mount /dev/sda1 /", "exists /ldlinux.sys"],
                       ExpectTrue()),
                  Test("partition", ["mkfs vfat /dev/sda1", "mount /dev/sda1 /",
                                     "mkdir /sl", "umount /",
                                     "syslinux /dev/sda1 directory:/sl",
                                     "mount /dev/sda1 /", "exists /sl/ldlinux.sys"],
                       ExpectTrue()),
                  Test("partition", ["mkfs ext2 /dev/sda1", "syslinux /dev/sda1"],
                       ExpectFail(), name="not a FAT filesystem")]),
    Action("extlinux", RErr(), [Pathname("directory")], proc=784, group="extlinux",
           shortdesc="install the SYSLINUX bootloader on an ext2/3/4 or btrfs filesystem",
           longdesc="Install SYSLINUX (as extlinux) in directory, a directory "
           "of a mounted ext2/3/4 or btrfs filesystem (its mount point or "
           "a directory below).  As with syslinux, mark the partition "
           "bootable and write a master boot record yourself.  The "
           "configuration goes in extlinux.conf in that directory; see "
           "extlinux(1).",
           tests=[Test("basicfs", ["mkdir /boot", "extlinux /boot",
                                   "exists /boot/ldlinux.sys"], ExpectTrue()),
                  Test("basicfs", ["mkdir /boot2", "extlinux /boot2",
                                   "pread_device /dev/sda1 4 0"],
                       ExpectC("r_size == 4 && memcmp (r, \"\\x00\\x00\\x00\\x00\", 4) != 0"),
                       name="boot block written"),
                  Test("basicfs", ["extlinux /no-such-dir"], ExpectFail()),
                  Test("basicfs", ["touch /extlfile", "extlinux /extlfile"], ExpectFail())]),
    Action("grub_install", RErr(), [Pathname("root"), Device("device")], proc=785,
           group="grub",
           shortdesc="install GRUB",
           longdesc="Install GRUB on device for BIOS (i386-pc), with its "
           "files under root/boot/grub, using the appliance's "
           "grub-install(8).  Only the BIOS target is supported; GRUB is not "
           "always compatible with other versions of itself, so test with "
           "each guest.  If grub-install cannot map the device, write "
           "a /boot/grub/device.map line such as \"(hd0) /dev/sda\" first.",
           tests=[Test("basicfs", ["mkdir_p /boot/grub", "grub_install / /dev/sda",
                                   "exists /boot/grub/i386-pc/core.img"], ExpectTrue()),
                  Test("basicfs", ["grub_install /no-such-dir /dev/sda"], ExpectFail())]),
]
