"""Daemon actions: the appliance itself (utsname, dmesg, modprobe), ISO 9660
descriptors, inotify, Windows dynamic disks (ldmtool), bootloaders,
forensic access below the filesystem (The Sleuth Kit), systemd journals
and Yara scans.  Procedure numbers 760-819."""
from generator.types import *

# IN_ALL_EVENTS, IN_CREATE from <sys/inotify.h>
_IN_ALL = "4095"

# An ISO 9660 primary volume descriptor written by hand: sector 16
# (byte 32768) holds type 1 "CD001", system id at +8, volume id at +40,
# space size at +80, block size at +128, creation date at +813; sector 17
# holds the set terminator (type 255).
def _iso_commands(write, target):
    base = 32768
    return [
        "%s %s \"\\x01CD001\\x01\" %d" % (write, target, base),
        "%s %s \"LINUX\" %d" % (write, target, base + 8),
        "%s %s \"HATCH_TEST_VOL\" %d" % (write, target, base + 40),
        "%s %s \"\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x14\" %d" % (write, target, base + 80),
        "%s %s \"\\x01\\x00\\x00\\x01\\x01\\x00\\x00\\x01\\x00\\x08\\x08\\x00\" %d" % (write, target, base + 120),
        "%s %s \"2020010203040500\\x04\" %d" % (write, target, base + 813),
        "%s %s \"\\xffCD001\\x01\" %d" % (write, target, base + 2048),
    ]

# 2020-01-02 03:04:05 at GMT+1 (offset 4 quarter hours) = 1577930645
_ISO_CHECK = ("strcmp (r->iso_system_id, \"LINUX\") == 0 && "
              "strcmp (r->iso_volume_id, \"HATCH_TEST_VOL\") == 0 && "
              "r->iso_volume_space_size == 20 && r->iso_volume_set_size == 1 && "
              "r->iso_volume_sequence_number == 1 && r->iso_logical_block_size == 2048 && "
              "r->iso_volume_creation_t == 1577930645 && "
              "r->iso_volume_expiration_t == -1 && r->iso_publisher_id[0] == '\\0'")

ACTIONS = [
    # ---- the appliance ----
    Action("utsname", RStruct("utsname"), [], proc=760,
           shortdesc="appliance kernel version",
           longdesc="Return the name, release, version and machine of the "
           "kernel running the appliance (uname(2)).  Only useful when "
           "debugging; the API gives the fields no meaning.",
           tests=[Test("none", ["utsname"],
                       ExpectC("strcmp (r->uts_sysname, \"Linux\") == 0 && "
                               "r->uts_release[0] != '\\0' && r->uts_machine[0] != '\\0'"))]),
    Action("dmesg", RString(), [], proc=761,
           shortdesc="return kernel messages",
           longdesc="Return the appliance kernel's message buffer, as "
           "dmesg(1) prints it.  Useful when debugging; the same messages "
           "appear in the debug log when verbose is set.",
           tests=[Test("none", ["dmesg"],
                       ExpectC("strstr (r, \"Linux version\") != NULL"))]),
    Action("modprobe", RErr(), [String("modulename")], proc=762,
           group="linuxmodules",
           shortdesc="load a kernel module",
           longdesc="Load the named kernel module (and what it depends on) "
           "into the appliance kernel with modprobe(8).",
           tests=[Test("none", ["modprobe dummy"], ExpectRun()),
                  Test("none", ["modprobe hatch_no_such_module"], ExpectFail()),
                  Test("none", ["modprobe -r"], ExpectFail(),
                       name="a name that looks like an option is refused")]),

    # ---- ISO 9660 ----
    Action("isoinfo_device", RStruct("isoinfo"), [Device("device")], proc=764,
           shortdesc="get ISO information from primary volume descriptor of ISO file",
           longdesc="Read the primary volume descriptor of the ISO 9660 "
           "image on device (the ISO's counterpart of a superblock) and "
           "return its fields.  Text fields lose their padding; a date "
           "that is not set is returned as -1, others as seconds since the "
           "epoch (UTC).",
           tests=[Test("none", _iso_commands("pwrite_device", "/dev/sdc") +
                       ["isoinfo_device /dev/sdc"], ExpectC(_ISO_CHECK)),
                  Test("empty", ["isoinfo_device /dev/sda"], ExpectFail(),
                       name="a blank disk is not an ISO")]),
    Action("isoinfo", RStruct("isoinfo"), [Pathname("isofile")], proc=763,
           shortdesc="get ISO information from primary volume descriptor of ISO file",
           longdesc="Like isoinfo_device, for an ISO image stored as a file "
           "in the mounted filesystem.",
           tests=[Test("scratchfs", ["touch /isoinfo1", "truncate_size /isoinfo1 40960"] +
                       _iso_commands("pwrite", "/isoinfo1") + ["isoinfo /isoinfo1"],
                       ExpectC(_ISO_CHECK)),
                  Test("scratchfs", ["write /isoinfo2 short", "isoinfo /isoinfo2"],
                       ExpectFail()),
                  Test("scratchfs", ["touch /isoinfo3", "truncate_size /isoinfo3 40960",
                                     "pwrite /isoinfo3 \"\\xffCD001\\x01\" 32768",
                                     "isoinfo /isoinfo3"], ExpectFail(),
                       name="no primary volume descriptor"),
                  Test("scratchfs", ["isoinfo /isoinfo-missing"], ExpectFail())]),

    # ---- inotify ----
    Action("inotify_init", RErr(), [Int("maxevents")], proc=765, group="inotify",
           shortdesc="create an inotify handle",
           longdesc="Create the appliance's inotify handle (closing any "
           "previous one).  maxevents, when not 0, sets the kernel's limit "
           "of queued events; events beyond it are dropped and an event "
           "with IN_Q_OVERFLOW says so.  Add watches with "
           "inotify_add_watch, read events with inotify_read or "
           "inotify_files, and finish with inotify_close.  There is one "
           "handle per appliance.",
           tests=[Test("none", ["inotify_init 0"], ExpectRun()),
                  Test("none", ["inotify_init -1"], ExpectFail())]),
    Action("inotify_add_watch", RInt64(), [Pathname("path"), Int("mask")], proc=766,
           group="inotify",
           shortdesc="add an inotify watch",
           longdesc="Watch path for the events in mask (the IN_* values of "
           "<sys/inotify.h>).  For a directory, events on the names in it "
           "are reported, not those deeper down.  Returns the watch "
           "descriptor.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inoaw1",
                                     "inotify_add_watch /inoaw1 " + _IN_ALL],
                       ExpectC("r >= 1")),
                  Test("scratchfs", ["inotify_init 0",
                                     "inotify_add_watch /inoaw-missing " + _IN_ALL],
                       ExpectFail()),
                  Test("scratchfs", ["inotify_init 0", "ln_s /proc/self /inoaw2",
                                     "inotify_add_watch /inoaw2/fd " + _IN_ALL],
                       ExpectFail(), name="symlink to appliance /proc")]),
    Action("inotify_rm_watch", RErr(), [Int("wd")], proc=767, group="inotify",
           shortdesc="remove an inotify watch",
           longdesc="Remove the watch wd returned by inotify_add_watch.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inorm1",
                                     "inotify_add_watch /inorm1 " + _IN_ALL,
                                     "inotify_rm_watch 1"], ExpectRun()),
                  Test("none", ["inotify_init 0", "inotify_rm_watch 12345"],
                       ExpectFail())]),
    Action("inotify_read", RStructList("inotify_event"), [], proc=768,
           group="inotify",
           shortdesc="return list of inotify events",
           longdesc="Return the events queued since the last read (an "
           "empty list if none).  One call returns at most about 1 MiB of "
           "events and leaves the rest queued: call it until it returns "
           "an empty list.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inord1",
                                     "inotify_add_watch /inord1 256",
                                     "touch /inord1/made", "inotify_read"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].in_name, \"made\") == 0 && "
                               "(r->val[0].in_mask & 256) && r->val[0].in_wd == 1")),
                  Test("none", ["inotify_init 0", "inotify_read"],
                       ExpectC("r->len == 0"))]),
    Action("inotify_files", RStringList(), [], proc=769, group="inotify",
           shortdesc="return list of watched files that had events",
           longdesc="Read all queued events (as inotify_read) and return "
           "the names they are about, sorted and without duplicates.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inof1",
                                     "inotify_add_watch /inof1 " + _IN_ALL,
                                     "touch /inof1/b", "write /inof1/a x",
                                     "touch /inof1/b", "inotify_files"],
                       ExpectList(["a", "b"]))]),
    Action("inotify_close", RErr(), [], proc=770, group="inotify",
           shortdesc="close the inotify handle",
           longdesc="Close the inotify handle: its watches and any queued "
           "events go with it.",
           tests=[Test("none", ["inotify_init 0", "inotify_close"], ExpectRun()),
                  Test("none", ["inotify_init 0", "inotify_close", "inotify_close"],
                       ExpectFail()),
                  Test("none", ["inotify_init 0", "inotify_close", "inotify_read"],
                       ExpectFail())]),
]

_BAD_DG = "00000000-0000-0000-0000-000000000000"

ACTIONS += [
    # ---- Windows dynamic disks ----
    Action("ldmtool_scan", RStringList(), [], proc=773, group="ldm",
           shortdesc="scan for Windows dynamic disks",
           longdesc="Look for Windows dynamic disk (LDM) metadata on every "
           "disk and return the GUIDs of the disk groups found, for the "
           "other ldmtool_* calls.",
           tests=[Test("empty", ["ldmtool_scan"], ExpectList([]))]),
    Action("ldmtool_scan_devices", RStringList(), [DeviceList("devices")], proc=774,
           group="ldm",
           shortdesc="scan for Windows dynamic disks",
           longdesc="Like ldmtool_scan, looking only at the listed block "
           "devices (all disks if the list is empty).",
           tests=[Test("empty", ["ldmtool_scan_devices /dev/sda"], ExpectList([])),
                  Test("empty", ["ldmtool_scan_devices \"\""], ExpectList([])),
                  Test("empty", ["ldmtool_scan_devices /dev/hatch-nosuch"], ExpectFail())]),
    Action("ldmtool_create_all", RErr(), [], proc=771, group="ldm",
           shortdesc="scan and create Windows dynamic disk volumes",
           longdesc="Find the Windows dynamic disk volumes and partitions on "
           "all disks and make a device-mapper device for each; "
           "list_ldm_volumes and list_ldm_partitions list them.",
           tests=[Test("empty", ["ldmtool_create_all", "list_ldm_volumes"],
                       ExpectList([]))]),
    Action("ldmtool_remove_all", RErr(), [], proc=772, group="ldm",
           shortdesc="remove all Windows dynamic disk volumes",
           longdesc="Remove the device-mapper devices of all Windows dynamic "
           "disk volumes (the reverse of ldmtool_create_all).",
           tests=[Test("empty", ["ldmtool_remove_all", "list_ldm_partitions"],
                       ExpectList([]))]),
    Action("ldmtool_diskgroup_name", RString(), [String("diskgroup")], proc=775,
           group="ldm",
           shortdesc="return the name of a Windows dynamic disk group",
           longdesc="Return the name of the disk group with this GUID (one "
           "of those ldmtool_scan returns).",
           tests=[Test("empty", ["ldmtool_diskgroup_name " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_diskgroup_volumes", RStringList(), [String("diskgroup")], proc=776,
           group="ldm",
           shortdesc="return the volumes in a Windows dynamic disk group",
           longdesc="Return the names of the volumes of the disk group with "
           "this GUID.",
           tests=[Test("empty", ["ldmtool_diskgroup_volumes " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_diskgroup_disks", RStringList(), [String("diskgroup")], proc=777,
           group="ldm",
           shortdesc="return the disks in a Windows dynamic disk group",
           longdesc="Return the names of the disks of the disk group with "
           "this GUID.",
           tests=[Test("empty", ["ldmtool_diskgroup_disks " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_volume_type", RString(), [String("diskgroup"), String("volume")],
           proc=778, group="ldm",
           shortdesc="return the type of a Windows dynamic disk volume",
           longdesc="Return the type of the named volume of the disk group: "
           "simple, spanned, striped, mirrored, raid5 or another type "
           "ldmtool knows.",
           tests=[Test("empty", ["ldmtool_volume_type " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("ldmtool_volume_hint", RString(), [String("diskgroup"), String("volume")],
           proc=779, group="ldm",
           shortdesc="return the hint field of a Windows dynamic disk volume",
           longdesc="Return the mount hint of the named volume of the disk "
           "group, often a drive letter such as E:, or the empty string "
           "when it has none.",
           tests=[Test("empty", ["ldmtool_volume_hint " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("ldmtool_volume_partitions", RStringList(),
           [String("diskgroup"), String("volume")], proc=780, group="ldm",
           shortdesc="return the partitions in a Windows dynamic disk volume",
           longdesc="Return the names of the partitions making up the named "
           "volume of the disk group.",
           tests=[Test("empty", ["ldmtool_volume_partitions " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("list_ldm_volumes", RStringList(), [], proc=781, group="ldm",
           shortdesc="list all Windows dynamic disk volumes",
           longdesc="List the device-mapper devices of the Windows dynamic "
           "disk volumes found (/dev/mapper/ldm_vol_*).",
           tests=[Test("empty", ["list_ldm_volumes"], ExpectList([]))]),
    Action("list_ldm_partitions", RStringList(), [], proc=782, group="ldm",
           shortdesc="list all Windows dynamic disk partitions",
           longdesc="List the device-mapper devices of the Windows dynamic "
           "disk partitions found (/dev/mapper/ldm_part_*).",
           tests=[Test("empty", ["list_ldm_partitions"], ExpectList([]))]),
]

ACTIONS += [
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

ACTIONS += [
    # ---- The Sleuth Kit ----
    Action("internal_filesystem_walk", RErr(), [Device("device"), FileOut("filename")],
           proc=789, group="libtsk", internal=True,
           shortdesc="walk through the filesystem content",
           longdesc="Internal half of filesystem_walk: the entries as a "
           "stream of records (a 4-byte big-endian length, then the XDR "
           "encoding of a tsk_dirent).",
           tests=[Test("basicfs", ["internal_filesystem_walk /dev/sda1 /dev/null"],
                       ExpectRun())]),
    Action("filesystem_walk", RStructList("tsk_dirent"), [Device("device")],
           group="libtsk", progress=True,
           shortdesc="walk through the filesystem content",
           longdesc="Read the internal structures of the filesystem on "
           "device (which need not be mounted) and return every file and "
           "directory in it, deleted ones included, in no particular order "
           "(\".\" and \"..\" entries are left out).  Deleted files whose name "
           "is gone are listed as $OrphanFiles/OrphanFile-INODE.\n\n"
           "Fields of tsk_dirent: tsk_inode, the inode number (may be 0 "
           "for a deleted entry); tsk_type, one of b (block device), c "
           "(character device), d (directory), f (FIFO), l (symbolic "
           "link), r (regular file), s (socket), h (Solaris shadow inode), "
           "w (BSD whiteout), u (unknown); tsk_size, the size in bytes (-1 "
           "when unknown); tsk_name, the path below the filesystem's root "
           "without a leading /; tsk_flags, an OR of 0x1 (the name is "
           "allocated: the file is not deleted), 0x2 (the name is deleted "
           "but its inode is allocated again, so the other fields may "
           "describe a newer file) and 0x4 (compressed by the filesystem, "
           "as on NTFS); the access, modification, status change and "
           "creation times in seconds and nanoseconds; tsk_nlink, the "
           "number of names of the inode; tsk_link, the target of a "
           "symbolic link (else empty); tsk_spare1, always 0.",
           tests=[Test("basicfs", ["mkdir /fwd", "write /fwd/hello hi",
                                   "ln_s hello /fwd/lnk", "umount /",
                                   "filesystem_walk /dev/sda1"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i) {"
                               " if (strcmp (r->val[i].tsk_name, \"fwd/hello\") == 0 &&"
                               " r->val[i].tsk_type == 'r' && r->val[i].tsk_size == 2 &&"
                               " r->val[i].tsk_flags == 1 && r->val[i].tsk_nlink == 1) ok |= 1;"
                               " if (strcmp (r->val[i].tsk_name, \"fwd/lnk\") == 0 &&"
                               " r->val[i].tsk_type == 'l' && strcmp (r->val[i].tsk_link, \"hello\") == 0) ok |= 2;"
                               " if (strcmp (r->val[i].tsk_name, \"fwd\") == 0 && r->val[i].tsk_type == 'd') ok |= 4;"
                               " if (strcmp (r->val[i].tsk_name, \".\") == 0) ok |= 8; }"
                               " ok == 7; })")),
                  Test("basicfs", ["write /fwdel gone", "rm /fwdel", "umount /",
                                   "filesystem_walk /dev/sda1"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i)"
                               " if (r->val[i].tsk_inode == 12 &&"
                               " strstr (r->val[i].tsk_name, \"OrphanFile-12\") != NULL &&"
                               " (r->val[i].tsk_flags & 1) == 0) ok = 1; ok; })"),
                       name="deleted file listed"),
                  Test("empty", ["filesystem_walk /dev/sda"], ExpectFail(),
                       name="no filesystem")]),
    Action("internal_find_inode", RErr(),
           [Device("device"), Int64("inode"), FileOut("filename")],
           proc=790, group="libtsk", internal=True,
           shortdesc="search the entries associated to the given inode",
           longdesc="Internal half of find_inode, in the record format of "
           "internal_filesystem_walk.",
           tests=[Test("basicfs", ["internal_find_inode /dev/sda1 2 /dev/null"],
                       ExpectRun())]),
    Action("find_inode", RStructList("tsk_dirent"), [Device("device"), Int64("inode")],
           group="libtsk", progress=True,
           shortdesc="search the entries associated to the given inode",
           longdesc="Return the entries (names) of the filesystem on device "
           "that refer to inode, deleted ones included, as tsk_dirent "
           "structures (see filesystem_walk).",
           tests=[Test("basicfs", ["write /fi1 data", "ln /fi1 /fi2", "umount /",
                                   "find_inode /dev/sda1 12"],
                       ExpectC("r->len == 2 && r->val[0].tsk_inode == 12 && "
                               "r->val[0].tsk_nlink == 2 && r->val[1].tsk_inode == 12")),
                  Test("basicfs", ["umount /", "find_inode /dev/sda1 -1"], ExpectFail())]),
    Action("download_inode", RErr(), [Device("device"), Int64("inode"), FileOut("filename")],
           proc=787, group="sleuthkit", progress=True,
           shortdesc="download a file to the local machine given its inode",
           longdesc="Save the content of the file with this inode number in "
           "the filesystem on device (which need not be mounted) as "
           "filename on the host.  This can read deleted files whose data "
           "has not been reused, and files no path reaches.",
           tests=[Test("basicfs", ["write /dli hello", "umount /",
                                   "download_inode /dev/sda1 12 /dev/null"], ExpectRun()),
                  Test("basicfs", ["umount /", "download_inode /dev/sda1 999999 /dev/null"],
                       ExpectFail()),
                  Test("empty", ["download_inode /dev/sda 2 /dev/null"], ExpectFail())]),
    Action("download_blocks", RErr(),
           [Device("device"), Int64("start"), Int64("stop"), FileOut("filename")],
           [OBool("unallocated")], proc=788, group="sleuthkit", progress=True,
           shortdesc="download the given data units from the disk",
           longdesc="Save the data units (blocks on ext2/3/4, clusters on "
           "NTFS) start to stop of the filesystem on device as filename "
           "on the host.  With unallocated true only the units not in use "
           "are saved, which may hold deleted data.  On sparse image formats "
           "the result may be large and mostly zeros.",
           tests=[Test("basicfs", ["umount /", "download_blocks /dev/sda1 0 3 /dev/null"],
                       ExpectRun()),
                  Test("basicfs", ["umount /",
                                   "download_blocks /dev/sda1 0 3 /dev/null unallocated:true"],
                       ExpectRun()),
                  Test("basicfs", ["umount /", "download_blocks /dev/sda1 5 2 /dev/null"],
                       ExpectFail()),
                  Test("empty", ["download_blocks /dev/sda 0 1 /dev/null"], ExpectFail())]),
    Action("ntfscat_i", RErr(), [Mountable("device"), Int64("inode"), FileOut("filename")],
           proc=786, group="ntfs3g", progress=True,
           shortdesc="download a file to the local machine given its inode",
           longdesc="Save the content of the file with this inode (MFT "
           "record number) of the NTFS filesystem on device as filename on "
           "the host; this reaches files such as those under $Extend.  The "
           "filesystem must not be mounted.",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1",
                                     "ntfscat_i /dev/sda1 0 /dev/null"], ExpectRun(),
                       name="the $MFT file"),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "ntfscat_i /dev/sda1 0 /dev/null"], ExpectFail())]),
]

ACTIONS += [
    # ---- systemd journal ----
    Action("journal_open", RErr(), [Pathname("directory")], proc=791, group="journal",
           shortdesc="open the systemd journal",
           longdesc="Open the systemd journal files in directory (for example "
           "/var/log/journal/MACHINE-ID in a mounted guest), closing any "
           "journal opened before.  Move through it with journal_next and "
           "journal_skip, read entries with journal_get, and finish with "
           "journal_close.  The open journal keeps its files open, so close it "
           "before unmounting the filesystem it is on.",
           tests=[Test("scratchfs", ["journal_open /no-such-journal-dir"], ExpectFail()),
                  Test("scratchfs", ["mkdir /jo1", "journal_open /jo1",
                                     "journal_next", "journal_close"], ExpectRun(),
                       name="an empty directory is an empty journal")]),
    Action("journal_close", RErr(), [], proc=792, group="journal",
           shortdesc="close the systemd journal",
           longdesc="Close the journal handle opened by journal_open.",
           tests=[Test("scratchfs", ["mkdir /jc1", "journal_open /jc1", "journal_close",
                                     "journal_close"], ExpectFail())]),
    Action("journal_next", RBool(), [], proc=793, group="journal",
           shortdesc="move to the next journal entry",
           longdesc="Move to the next entry of the journal; call it once "
           "after journal_open before reading the first entry.  Returns "
           "true if there is an entry to read, false at the end of the "
           "journal.",
           tests=[Test("scratchfs", ["mkdir /jn1", "journal_open /jn1", "journal_close",
                                     "journal_next"], ExpectFail(),
                       name="no open journal")]),
    Action("journal_skip", RInt64(), [Int64("skip")], proc=794, group="journal",
           shortdesc="skip forwards or backwards in the journal",
           longdesc="Move skip entries forwards (skip >= 0) or backwards "
           "(skip < 0).  Returns how many entries were actually skipped (a "
           "positive number); fewer than |skip| means the end or the start "
           "of the journal was reached.",
           tests=[Test("scratchfs", ["mkdir /js1", "journal_open /js1",
                                     "journal_skip 10", "journal_skip -3",
                                     "journal_close"], ExpectRun())]),
    Action("internal_journal_get", RErr(), [FileOut("filename")], proc=795,
           group="journal", internal=True,
           shortdesc="read the current journal entry",
           longdesc="Internal half of journal_get: the fields of the current "
           "entry as records (a 4-byte big-endian length, then the XDR "
           "encoding of an xattr struct).",
           tests=[Test("scratchfs", ["mkdir /jig1", "journal_open /jig1", "journal_close",
                                     "internal_journal_get /dev/null"], ExpectFail())]),
    Action("journal_get", RStructList("xattr"), [], group="journal",
           shortdesc="read the current journal entry",
           longdesc="Return the fields of the current journal entry as "
           "(attrname, attrval) pairs: attrname is the field name, attrval "
           "its value as bytes (often text, but not always, and not NUL-"
           "terminated).  Values may be cut at the data threshold (see "
           "journal_set_data_threshold); with the threshold 0 an entry of "
           "any size is read.",
           tests=[Test("scratchfs", ["mkdir /jg1", "journal_open /jg1", "journal_close",
                                     "journal_get"], ExpectFail())]),
    Action("journal_get_data_threshold", RInt64(), [], proc=796, group="journal",
           shortdesc="get the data threshold for reading journal entries",
           longdesc="Return the data threshold: journal_get may cut field "
           "values to this many bytes (it may also not cut them).  0 means "
           "no limit.",
           tests=[Test("scratchfs", ["mkdir /jgt1", "journal_open /jgt1",
                                     "journal_get_data_threshold", "journal_close"],
                       ExpectRun())]),
    Action("journal_set_data_threshold", RErr(), [Int64("threshold")], proc=797,
           group="journal",
           shortdesc="set the data threshold for reading journal entries",
           longdesc="Set the data threshold (see journal_get_data_threshold); "
           "0 means no limit.",
           tests=[Test("scratchfs", ["mkdir /jst1", "journal_open /jst1",
                                     "journal_set_data_threshold 1234",
                                     "journal_get_data_threshold", "journal_close"],
                       ExpectRun()),
                  Test("scratchfs", ["mkdir /jst2", "journal_open /jst2", "journal_close",
                                     "journal_set_data_threshold 5"], ExpectFail())]),
    Action("journal_get_realtime_usec", RInt64(), [], proc=798, group="journal",
           shortdesc="get the timestamp of the current journal entry",
           longdesc="Return the wall-clock time of the current journal "
           "entry, in microseconds since the epoch.",
           tests=[Test("scratchfs", ["mkdir /jgr1", "journal_open /jgr1", "journal_close",
                                     "journal_get_realtime_usec"], ExpectFail(),
                       name="no open journal")]),
]

ACTIONS += [
    # ---- Yara ----
    Action("yara_load", RErr(), [FileIn("filename")], proc=799, group="libyara",
           progress=True,
           shortdesc="load yara rules within libguestfs",
           longdesc="Upload the Yara rules in the local file filename, which "
           "holds either rule source (compiled here) or rules compiled by "
           "yarac, replacing rules loaded before.  Source rules cannot "
           "include other files: compile such rules first.  Scan files "
           "with yara_scan.",
           tests=[Test("none", ["yara_load /dev/null", "yara_destroy"], ExpectRun(),
                       name="an empty rule set")]),
    Action("yara_destroy", RErr(), [], proc=800, group="libyara",
           shortdesc="destroy previously loaded yara rules",
           longdesc="Free the Yara rules loaded by yara_load.",
           tests=[Test("none", ["yara_load /dev/null", "yara_destroy", "yara_destroy"],
                       ExpectFail())]),
    Action("internal_yara_scan", RErr(), [Pathname("path"), FileOut("filename")],
           proc=801, group="libyara", internal=True,
           shortdesc="scan a file with the loaded yara rules",
           longdesc="Internal half of yara_scan: the matches as records (a "
           "4-byte big-endian length, then the XDR encoding of a "
           "yara_detection).",
           tests=[Test("scratchfs", ["yara_load /dev/null", "yara_destroy",
                                     "write /yis1 x", "internal_yara_scan /yis1 /dev/null"],
                       ExpectFail(), name="no rules loaded")]),
    Action("yara_scan", RStructList("yara_detection"), [Pathname("path")],
           group="libyara", progress=True,
           shortdesc="scan a file with the loaded yara rules",
           longdesc="Scan the file with the rules loaded by yara_load and "
           "return one yara_detection for each rule that matched: "
           "yara_name is the path of the file, yara_rule the identifier of "
           "the rule.",
           tests=[Test("scratchfs", ["yara_load /dev/null", "write /ys1 hello",
                                     "yara_scan /ys1"], ExpectC("r->len == 0")),
                  Test("scratchfs", ["yara_load /dev/null", "yara_scan /ys-missing"],
                       ExpectFail())]),
]
