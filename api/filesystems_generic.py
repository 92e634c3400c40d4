"""Daemon actions on any filesystem (daemon/filesystems/): mkfs, mount and
mountpoints, probes (vfs_type/label/uuid, list_filesystems, findfs_*,
df), wiping, and the filesystem-independent tools (fsck, labels, UUIDs,
fstrim, minimum size, squashfs, f2fs_expand)."""
from generator.types import *

_UUID = "8a7c5a3e-1d2f-4b6a-9c0d-2e3f4a5b6c7d"
# A GPT disk with two partitions, for the partition-table lookups.
_GPT2 = ["part_init /dev/sda gpt", "part_add /dev/sda p 64 8191", "part_add /dev/sda p 8192 -64"]

# A fresh ext4 on /dev/sda1 (sda1 is about 255 MiB).
EXT4 = "mkfs ext4 /dev/sda1"

ACTIONS = [
    Action("list_9p", RStringList(), [], proc=925, deprecated_by=NO_REPLACEMENT,
           shortdesc="list 9p filesystems",
           longdesc="""The mount tags of the virtio-9p devices in the
appliance.  Hatch attaches none (mount_9p is not supported), so the list is
empty.""",
           tests=[Test("none", ["list_9p"], ExpectList([]))]),
    Action("df_h", RString(), [], proc=821,
           shortdesc="report file system disk space usage (human readable)",
           longdesc="Return the output of \"df -h\": the space used and "
           "free on each mounted filesystem, with sizes in K, M, G units.  "
           "Meant for people; programs should call statvfs.",
           tests=[Test("scratchfs", ["df_h"],
                       ExpectC("strstr (r, \"Size\") != NULL && "
                               "strstr (r, \"/dev/sdb1\") != NULL"))]),
    # ---- finding filesystems ----
    Action("findfs_label", RString(), [String("label")], proc=823,
           shortdesc="find a filesystem by label",
           longdesc="Return the device holding the filesystem with this "
           "label; it is an error if there is none.  vfs_label gives the "
           "label of a filesystem.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1 label:FINDME",
                                     "findfs_label FINDME"], ExpectString("/dev/sda1")),
                  Test("partition", ["findfs_label NOSUCHLABEL"], ExpectFail())]),
    Action("findfs_partlabel", RString(), [String("label")], proc=930,
           shortdesc="find a partition by its partition label",
           longdesc="Return the partition whose label in the partition "
           "table (the GPT partition name, part_set_name) is label; it is "
           "an error if there is none.",
           tests=[Test("empty", _GPT2 + ["part_set_name /dev/sda 2 hatch-pl2",
                                         "findfs_partlabel hatch-pl2"], ExpectString("/dev/sda2")),
                  Test("empty", _GPT2 + ["findfs_partlabel no-such-partlabel"], ExpectFail())]),
    Action("findfs_partuuid", RString(), [String("uuid")], proc=931,
           shortdesc="find a partition by its partition UUID",
           longdesc="Return the partition whose unique partition GUID "
           "(part_get_gpt_guid; the PARTUUID of blkid, in any case) is "
           "uuid; it is an error if there is none.",
           tests=[Test("empty", _GPT2 + ["part_set_gpt_guid /dev/sda 2 " + _UUID.upper(),
                                         "findfs_partuuid " + _UUID.upper()],
                       ExpectString("/dev/sda2")),
                  Test("empty", _GPT2 + ["findfs_partuuid " + _UUID], ExpectFail())]),
    Action("findfs_uuid", RString(), [String("uuid")], proc=824,
           shortdesc="find a filesystem by UUID",
           longdesc="Return the device holding the filesystem with this "
           "UUID; it is an error if there is none.  vfs_uuid gives the UUID "
           "of a filesystem.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1", "set_uuid /dev/sda1 " + _UUID,
                                     "findfs_uuid " + _UUID], ExpectString("/dev/sda1")),
                  Test("partition", ["findfs_uuid 00000000-1111-2222-3333-444444444444"],
                       ExpectFail())]),
    # ---- mounting ----
    Action("mount_vfs", RErr(),
           [String("options"), String("vfstype"), Mountable("mountable"),
            String("mountpoint")], proc=825,
           shortdesc="mount a guest disk with mount options and vfstype",
           longdesc="Like mount, with the mount options and the filesystem "
           "type given as mount(8) takes them with -o and -t.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs ro ext2 /dev/sda1 /", "touch /mvfs1"],
                       ExpectFail()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs \"\" ext2 /dev/sda1 /", "mounts"],
                       ExpectList(["/dev/sda1"])),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs \"\" xfs /dev/sda1 /"], ExpectFail())]),
    Action("mount_loop", RErr(), [Pathname("file"), Pathname("mountpoint")], proc=826,
           shortdesc="mount a file using the loop device",
           longdesc="Mount the filesystem image held in a file of the guest "
           "tree on mountpoint, through a loop device (like \"mount -o loop "
           "file mountpoint\").  The loop device goes away when the "
           "filesystem is unmounted.",
           tests=[Test("scratchfs", ["mkfs ext2 /dev/sdc",
                                     "copy_device_to_file /dev/sdc /ml1.img",
                                     "mkdir /ml1", "mount_loop /ml1.img /ml1",
                                     "write /ml1/hello hi", "umount /ml1",
                                     "mount_loop /ml1.img /ml1", "cat /ml1/hello"],
                       ExpectString("hi")),
                  Test("scratchfs", ["mkdir /ml2", "mount_loop /ml-nosuch.img /ml2"],
                       ExpectFail()),
                  Test("scratchfs", ["write /ml3.img notafilesystem", "mkdir /ml3",
                                     "mount_loop /ml3.img /ml3"], ExpectFail()),
                  Test("scratchfs", ["mkfs ext2 /dev/sdc",
                                     "copy_device_to_file /dev/sdc /ml4.img", "mkdir /ml4",
                                     "remount / rw:false", "mount_loop /ml4.img /ml4",
                                     "touch /ml4/x"], ExpectFail(),
                       name="an image on a read-only filesystem is mounted read-only")]),
    Action("mount_9p", RErr(), [String("mounttag"), String("mountpoint")],
           [OString("options")], proc=827, deprecated_by=NO_REPLACEMENT,
           shortdesc="mount 9p filesystem",
           longdesc="Kept for compatibility: the appliance has no 9p "
           "transport, so this call always fails.",
           tests=[Test("none", ["mount_9p tag /"], ExpectFail())]),
    Action("mkmountpoint", RErr(), [String("exemptpath")], proc=828,
           shortdesc="create a mountpoint",
           longdesc="Create a directory to mount filesystems on before "
           "anything is mounted on the root, so that several unrelated "
           "(for instance read-only) filesystems can be mounted side by "
           "side: for example an ISO image at /cd and a filesystem image "
           "found in it, with mount_loop, at /sqsh.  Remove it with "
           "rmmountpoint after unmounting.  umount_all does not remove such "
           "directories.",
           tests=[Test("empty", ["mkfs ext2 /dev/sdc", "mkmountpoint /mpt1",
                                 "mount /dev/sdc /mpt1", "write /mpt1/f x",
                                 "cat /mpt1/f"], ExpectString("x")),
                  Test("empty", ["mkfs ext2 /dev/sdc", "mkmountpoint /mpt2",
                                 "mount /dev/sdc /mpt2", "umount /mpt2",
                                 "rmmountpoint /mpt2"], ExpectRun()),
                  Test("empty", ["mkmountpoint relative"], ExpectFail())]),
    Action("rmmountpoint", RErr(), [String("exemptpath")], proc=829,
           shortdesc="remove a mountpoint",
           longdesc="Remove a directory made by mkmountpoint (nothing may "
           "be mounted on it).",
           tests=[Test("empty", ["rmmountpoint /mpt-nosuch"], ExpectFail())]),
    Action("remount", RErr(), [Pathname("mountpoint")], [OBool("rw")], proc=831,
           shortdesc="remount a filesystem with different options",
           longdesc="Change a mounted filesystem between read-only and "
           "read-write: rw true makes it writable, false read-only.  The rw "
           "argument is required for now.",
           tests=[Test("scratchfs", ["remount / rw:false", "touch /rmt1"], ExpectFail()),
                  Test("scratchfs", ["remount / rw:false", "remount / rw:true",
                                     "touch /rmt2", "exists /rmt2"], ExpectTrue()),
                  Test("scratchfs", ["remount /"], ExpectFail()),
                  Test("scratchfs", ["mkdir /rmt3", "remount /rmt3 rw:false"],
                       ExpectFail())]),
    Action("f2fs_expand", RErr(), [Device("device")], proc=844, group="f2fs",
           shortdesc="expand a f2fs filesystem",
           longdesc="Grow the f2fs filesystem on the device to fill the "
           "device (resize.f2fs).",
           tests=[Test("partition", ["mkfs f2fs /dev/sda1", "f2fs_expand /dev/sda1",
                                     "vfs_type /dev/sda1"], ExpectString("f2fs")),
                  Test("partition", ["mkfs ext2 /dev/sda1", "f2fs_expand /dev/sda1"],
                       ExpectFail())]),
    Action("fsck", RInt(), [String("fstype"), Device("device")], proc=442,
           shortdesc="run the filesystem checker",
           longdesc="""Run fsck -a -t fstype on the device and return its exit
status, a bit mask: 0 no errors, 1 errors corrected, 2 reboot needed,
4 errors left uncorrected, 8 operational error, 16 usage error, 32
cancelled, 128 shared library error.  Only a failure to run fsck at all is
an error of the call.""",
           tests=[Test("basicfs", ["umount /dev/sda1", "fsck ext2 /dev/sda1"],
                       ExpectInt(0)),
                  Test("partition", ["fsck \"ext2 -y\" /dev/sda1"], ExpectFail())]),
    # ---- labels and UUIDs ----
    Action("set_label", RErr(), [Mountable("mountable"), String("label")],
           proc=453,
           shortdesc="set filesystem label",
           longdesc="""Set the label of the filesystem: ext2/3/4, XFS (at
most 12 bytes), btrfs, vfat/msdos (at most 11), exfat, NTFS, f2fs and swap
are supported.  Some need the filesystem unmounted (XFS, vfat, NTFS).""",
           tests=[Test("basicfs", ["set_label /dev/sda1 testlabel",
                                   "vfs_label /dev/sda1"], ExpectString("testlabel")),
                  Test("partition", ["mkswap /dev/sda1", "set_label /dev/sda1 swaplbl",
                                     "vfs_label /dev/sda1"], ExpectString("swaplbl")),
                  Test("partition", ["mkfs vfat /dev/sda1", "set_label /dev/sda1 FATLBL",
                                     "vfs_label /dev/sda1"], ExpectString("FATLBL")),
                  Test("partition", ["mkfs btrfs /dev/sda1", "set_label /dev/sda1 btrlbl",
                                     "vfs_label /dev/sda1"], ExpectString("btrlbl")),
                  Test("partition", ["mkfs ntfs /dev/sda1", "set_label /dev/sda1 ntlbl",
                                     "vfs_label /dev/sda1"], ExpectString("ntlbl")),
                  Test("basicfs", ["set_label /dev/sda1 12345678901234567890"], ExpectFail()),
                  Test("partition", ["zero /dev/sda1", "set_label /dev/sda1 nofs"], ExpectFail())]),
    Action("set_uuid", RErr(), [Device("device"), String("uuid")], proc=454,
           group="linuxfsuuid",
           shortdesc="set the filesystem UUID",
           longdesc="Set the UUID of the filesystem on the device: ext2/3/4, "
           "XFS, btrfs and swap are supported.",
           tests=[Test("basicfs", ["set_uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                   "vfs_uuid /dev/sda1"],
                       ExpectString("3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912")),
                  Test("partition", ["mkswap /dev/sda1",
                                     "set_uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                     "vfs_uuid /dev/sda1"],
                       ExpectString("3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912")),
                  Test("partition", ["mkfs btrfs /dev/sda1",
                                     "set_uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                     "vfs_uuid /dev/sda1"],
                       ExpectString("3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912")),
                  Test("basicfs", ["set_uuid /dev/sda1 nonsense"], ExpectFail()),
                  Test("partition", ["mkfs vfat /dev/sda1",
                                     "set_uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912"],
                       ExpectFail())]),
    Action("set_uuid_random", RErr(), [Device("device")], proc=455,
           group="linuxfsuuid",
           shortdesc="set a random UUID for the filesystem",
           longdesc="Give the filesystem a new random UUID (same filesystems "
           "as set_uuid).",
           tests=[Test("basicfs", ["set_uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                   "set_uuid_random /dev/sda1", "vfs_uuid /dev/sda1"],
                       ExpectC("strlen (r) == 36 && strcmp (r, \"3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912\") != 0")),
                  Test("partition", ["mkswap /dev/sda1 uuid:3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                     "set_uuid_random /dev/sda1", "vfs_uuid /dev/sda1"],
                       ExpectC("strlen (r) == 36 && strcmp (r, \"3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912\") != 0"))]),
    # ---- whole-filesystem helpers ----
    Action("fstrim", RErr(), [Pathname("mountpoint")],
           [OInt64("offset"), OInt64("length"), OInt64("minimumfreeextent")],
           proc=465, group="fstrim",
           shortdesc="trim free space in a filesystem",
           longdesc="""Tell the device which blocks of the mounted
filesystem are unused (fstrim).  offset and length (bytes) limit the
range; minimumfreeextent skips free extents smaller than that many bytes.
Whether it frees space in the image depends on the drive's discard
setting and its format.""",
           tests=[Test("scratchfs", ["fstrim /"], ExpectRun()),
                  Test("scratchfs", ["fstrim / offset:0 length:1048576 minimumfreeextent:4096"],
                       ExpectRun()),
                  Test("scratchfs", ["fstrim / offset:-1"], ExpectFail())]),
    Action("vfs_minimum_size", RInt64(), [Mountable("mountable")], proc=466,
           shortdesc="get minimum filesystem size",
           longdesc="""Return the smallest size in bytes the filesystem could
be shrunk to: ext2/3/4 (estimate from resize2fs -P), NTFS (ntfsresize) and
btrfs (which must be mounted) are supported; XFS cannot shrink.""",
           tests=[Test("partition", [EXT4, "vfs_minimum_size /dev/sda1"],
                       ExpectC("r > 0 && r < 256 * 1048576")),
                  Test("partition", ["mkfs btrfs /dev/sda1", "mount /dev/sda1 /",
                                     "vfs_minimum_size /dev/sda1"],
                       ExpectC("r > 0 && r <= 256 * 1048576")),
                  Test("partition", ["mkfs vfat /dev/sda1", "vfs_minimum_size /dev/sda1"],
                       ExpectFail())]),
    Action("filesystem_available", RBool(), [String("filesystem")], proc=467,
           shortdesc="check if filesystem is available",
           longdesc="""Return true if the appliance kernel can mount this
filesystem type (after loading its module if there is one).  A false
answer only means the kernel lacks it: some types (ntfs through ntfs-3g)
are mounted by a userspace helper instead.""",
           tests=[Test("none", ["filesystem_available ext4"], ExpectTrue()),
                  Test("none", ["filesystem_available nosuchfs"], ExpectFalse()),
                  Test("none", ["filesystem_available ../etc"], ExpectFail())]),
    Action("mksquashfs", RErr(), [Pathname("path"), FileOut("filename")],
           [OString("compress"), OStringList("excludes")], proc=468,
           group="squashfs",
           shortdesc="create a squashfs filesystem",
           longdesc="Make a squashfs image of the guest directory path and "
           "download it to a local file.  compress: gzip (default), lz4, "
           "lzma, lzo, xz or zstd; excludes: wildcard patterns of paths to "
           "leave out.",
           tests=[Test("scratchfs", ["mkdir /sq1", "write /sq1/a hello",
                                     "mksquashfs /sq1 /tmp/hatch-test-sq1.sqfs compress:xz excludes:b",
                                     "upload /tmp/hatch-test-sq1.sqfs /sq1.img",
                                     "filesize /sq1.img"], ExpectC("r > 0")),
                  Test("scratchfs", ["mkdir /sq2",
                                     "mksquashfs /sq2 /tmp/hatch-test-sq2.sqfs compress:nosuch"],
                       ExpectFail()),
                  Test("scratchfs", ["mksquashfs /nosuchdir /tmp/hatch-test-sq3.sqfs"],
                       ExpectFail())]),
    Action("list_filesystems", RHashtable(), [], proc=3,
           shortdesc="list filesystems",
           longdesc="""Look at every block device and partition and return a
table mapping each one that holds something mountable (or swap) to its
filesystem type, whole devices first, then partitions, then MD arrays and
logical volumes.  Partitions with no recognisable content are listed as
"unknown"; whole devices that hold a partition table are skipped.  Each btrfs
subvolume is listed as its own mountable "btrfsvol:DEVICE/SUBVOLUME", except
the filesystem's default subvolume, which is what mounting the device itself
gives: it is listed as the device.  This reads the devices, so it can take a
while on many disks.""",
           tests=[Test("basicfs", ["list_filesystems"],
                       ExpectC("r[0] && strcmp (r[0], \"/dev/sdc\") == 0 && r[2] && "
                               "strcmp (r[2], \"/dev/sda1\") == 0 && "
                               "strcmp (r[3], \"ext2\") == 0")),
                  Test("empty", ["part_init /dev/sda mbr",
                                 "part_add /dev/sda p 64 100000",
                                 "part_add /dev/sda e 100001 200000",
                                 "part_add /dev/sda l 100064 150000",
                                 "mkfs vfat /dev/sda5",
                                 "list_filesystems"],
                       ExpectList(["/dev/sdc", "unknown", "/dev/sda1", "unknown",
                                   "/dev/sda5", "vfat", "/dev/sdb1", "ext4"]))]),
    Action("mkfs", RErr(), [String("fstype"), Device("device")],
           [OInt("blocksize"), OString("features"), OInt("inode"),
            OInt("sectorsize"), OString("label")], proc=20,
           once_had_no_optargs=True, fish_alias=["mkfs_opts"],
           shortdesc="make a filesystem",
           longdesc="""Make a filesystem of the given type (ext2, ext3, ext4,
xfs, vfat, ntfs, btrfs, ...) on the device.  blocksize: filesystem block
size (cluster size for vfat and ntfs).  features: ext2/3/4 -O features.
inode: ext2/3/4 inode size.  sectorsize: UFS sector size.  label: filesystem
label.""",
           tests=[Test("partition", ["mkfs ext4 /dev/sda1 blocksize:4096 label:TESTLBL",
                                     "vfs_label /dev/sda1"],
                       ExpectString("TESTLBL")),
                  Test("partition", ["mkfs vfat /dev/sda1",
                                     "vfs_type /dev/sda1"],
                       ExpectString("vfat")),
                  Test("partition", ["mkfs nosuchfs /dev/sda1"],
                       ExpectFail()),
                  Test("partition", ["mkfs btrfs /dev/sda1", "vfs_type /dev/sda1"],
                       ExpectString("btrfs")),
                  Test("partition", ["mkfs ntfs /dev/sda1 label:WIN",
                                     "vfs_label /dev/sda1"], ExpectString("WIN")),
                  Test("partition", ["mkfs vfat /dev/sda1 blocksize:4096 label:FATLBL",
                                     "vfs_label /dev/sda1"], ExpectString("FATLBL")),
                  Test("partition", ["mkfs ext4 /dev/sda1 inode:256 features:^has_journal",
                                     "vfs_type /dev/sda1"], ExpectString("ext4")),
                  Test("partition", ["mkfs ext4 /dev/sda1 blocksize:1000"], ExpectFail()),
                  Test("partition", ["mkfs btrfs /dev/sda1 blocksize:4096"], ExpectFail()),
                  Test("partition", ["mkfs xfs /dev/sda1 inode:256"], ExpectFail()),
                  Test("partition", ["mkfs ext4 /dev/sda1 features:nosuchfeature"],
                       ExpectFail()),
                  Test("partition", ["mkfs ../../bin/sh /dev/sda1"], ExpectFail())]),
    Action("vfs_type", RString(), [Mountable("mountable")], proc=21,
           shortdesc="get the Linux VFS type corresponding to a mounted device",
           longdesc="Return the filesystem type found on the device "
           "(\"ext4\", \"xfs\", \"swap\" ...), or an empty string.",
           tests=[Test("basicfs", ["vfs_type /dev/sda1"],
                       ExpectString("ext2")),
                  Test("none", ["wipefs /dev/sdc", "vfs_type /dev/sdc"], ExpectString("")),
                  Test("partition", ["vfs_type /dev/sda"], ExpectString(""))]),
    Action("vfs_label", RString(), [Mountable("mountable")], proc=22,
           shortdesc="get the filesystem label",
           longdesc="Return the filesystem label, or an empty string.",
           tests=[Test("basicfs", ["vfs_label /dev/sda1"], ExpectString(""))]),
    Action("vfs_uuid", RString(), [Mountable("mountable")], proc=23, fish_alias=["get_uuid"],
           shortdesc="get the filesystem UUID",
           longdesc="Return the filesystem UUID, or an empty string.",
           tests=[Test("basicfs", ["vfs_uuid /dev/sda1"],
                       ExpectC("strlen (r) == 36"))]),
    Action("mount", RErr(), [Mountable("mountable"), String("mountpoint")],
           proc=24, shortdesc="mount a guest disk at a position in the filesystem",
           longdesc="""Mount a device at a mountpoint in the guest tree ("/"
for the first one).  The mountpoint must exist in the already-mounted tree.
No options are added; use mount_options for that.""",
           tests=[Test("basicfs", ["umount /", "mount /dev/sda1 /",
                                   "write /new hello", "cat /new"],
                       ExpectString("hello")),
                  Test("basicfs", ["mount /dev/sda1 /nosuchdir"],
                       ExpectFail()),
                  Test("partition", ["mkfs ntfs /dev/sda1", "mount /dev/sda1 /",
                                     "write /new hello", "cat /new"],
                       ExpectString("hello")),
                  Test("basicfs", ["mkdir /mp", "mount /dev/sdb1 /mp",
                                   "mount /dev/sdb1 /mp"], ExpectFail()),
                  Test("basicfs", ["touch /file", "mount /dev/sdb1 /file"], ExpectFail()),
                  Test("partition", ["zero /dev/sda1", "mount /dev/sda1 /"],
                       ExpectFail())]),
    Action("mount_ro", RErr(), [Mountable("mountable"), String("mountpoint")],
           proc=25, shortdesc="mount a guest disk, read-only",
           longdesc="Like mount, with the ro option.",
           tests=[Test("basicfs", ["umount /", "mount_ro /dev/sda1 /",
                                   "touch /new"], ExpectFail())]),
    Action("mount_options", RErr(), [String("options"), Mountable("mountable"),
                                     String("mountpoint")], proc=26,
           shortdesc="mount a guest disk with mount options",
           longdesc="Like mount, with the comma-separated options given "
           "as in mount -o.",
           tests=[Test("basicfs", ["umount /", "mount_options ro,noatime /dev/sda1 /",
                                   "write /new x"], ExpectFail()),
                  Test("basicfs", ["umount /",
                                   "mount_options nosuchoption /dev/sda1 /"], ExpectFail()),
                  Test("basicfs", ["umount /", "mount_options \"\" /dev/sda1 /",
                                   "mounts"], ExpectList(["/dev/sda1"]))]),
    Action("umount", RErr(), [Dev_or_Path("pathordevice")],
           [OBool("force"), OBool("lazyunmount")], proc=27,
           once_had_no_optargs=True, fish_alias=["unmount", "umount_opts"],
           shortdesc="unmount a filesystem",
           longdesc="Unmount the filesystem mounted at the given guest path, "
           "or the given device.",
           tests=[Test("basicfs", ["umount /dev/sda1", "mounts"],
                       ExpectList([])),
                  Test("basicfs", ["umount /nosuchmount"], ExpectFail()),
                  Test("basicfs", ["umount /"], ExpectRun()),
                  Test("basicfs", ["mkdir /mp", "mount /dev/sdb1 /mp", "umount /"],
                       ExpectFail()),
                  Test("basicfs", ["mkdir /mp", "mount /dev/sdb1 /mp",
                                   "umount /mp lazyunmount:true", "mounts"],
                       ExpectList(["/dev/sda1"])),
                  Test("basicfs", ["mkdir /d", "umount /d"], ExpectFail()),
                  Test("basicfs", ["umount /dev/sdc"], ExpectFail())]),
    Action("umount_all", RErr(), [], proc=28, fish_alias=["unmount_all"],
           shortdesc="unmount all filesystems",
           longdesc="Unmount every mounted guest filesystem, innermost first.",
           tests=[Test("basicfs", ["mkdir /mp", "mount /dev/sdb1 /mp",
                                   "umount_all", "mounts"], ExpectList([]))]),
    Action("mounts", RStringList(), [], proc=29,
           shortdesc="show mounted filesystems",
           longdesc="List the devices mounted in the guest tree, in order of "
           "their mountpoints.",
           tests=[Test("basicfs", ["mounts"], ExpectList(["/dev/sda1"])),
                  Test("basicfs", ["mkdir /mp", "mount /dev/sdb1 /mp", "mounts"],
                       ExpectList(["/dev/sda1", "/dev/sdb1"]))]),
    Action("mountpoints", RHashtable(), [], proc=30,
           shortdesc="show mountpoints",
           longdesc="Return a table of device to mountpoint for every "
           "mounted guest filesystem.",
           tests=[Test("basicfs", ["mountpoints"],
                       ExpectList(["/dev/sda1", "/"])),
                  Test("basicfs", ["mkdir /mp", "mount_ro /dev/sdb1 /mp", "mountpoints"],
                       ExpectList(["/dev/sda1", "/", "/dev/sdb1", "/mp"]))]),
    Action("wipefs", RErr(), [Device("device")], proc=31, group="wipefs",
           shortdesc="wipe a filesystem signature from a device",
           longdesc="Erase the filesystem, RAID and partition table "
           "signatures from the device so it looks blank to probes.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1", "wipefs /dev/sda1",
                                     "vfs_type /dev/sda1"], ExpectString("")),
                  Test("partition", ["wipefs /dev/sda", "list_partitions"],
                       ExpectList(["/dev/sdb1"]))]),
    Action("zero", RErr(), [Device("device")], proc=32, progress=True,
           shortdesc="write zeroes to the device",
           longdesc="Overwrite the first few blocks of the device (32 blocks "
           "of 4 KiB) with zeroes, which is enough to hide partition tables "
           "and filesystem superblocks; blocks that already read as zero "
           "are not written.  Use zero_device to clear the whole device.  "
           "Progress events are sent.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1", "zero /dev/sda1",
                                     "vfs_type /dev/sda1"], ExpectString(""))]),
    Action("sync", RErr(), [], proc=35,
           shortdesc="sync disks, writes are flushed through to the disk image",
           longdesc="Flush all pending writes to the disks.",
           tests=[Test("none", ["sync"], ExpectRun())]),
    Action("df", RString(), [], proc=37,
           shortdesc="report file system disk space usage",
           longdesc="Return the output of df run in the appliance.  For "
           "programs, statvfs is a better interface.",
           tests=[Test("basicfs", ["df"], ExpectC("strstr (r, \"/dev/sda1\") != NULL"))]),
]
