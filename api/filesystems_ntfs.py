"""Daemon actions: NTFS tools (daemon/filesystems/ntfs.c)."""
from generator.types import *

# A fresh ext4 on /dev/sda1 (sda1 is about 255 MiB).
EXT4 = "mkfs ext4 /dev/sda1"

ACTIONS = [
    # ---- NTFS ----
    Action("ntfs_3g_probe", RInt(), [Bool("rw"), Device("device")], proc=460,
           group="ntfs3g",
           shortdesc="probe NTFS volume",
           longdesc="""Ask ntfs-3g.probe whether the NTFS volume on the device
could be mounted read-write (rw true) or read-only, and return its exit
status: 0 mountable, 11 not NTFS, 12 inconsistent, 13 hibernated
Windows, 14 unclean journal, 15 in use, and others from ntfs-3g.""",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1", "ntfs_3g_probe true /dev/sda1"],
                       ExpectInt(0)),
                  Test("partition", [EXT4, "ntfs_3g_probe true /dev/sda1"],
                       ExpectInt(12))]),
    Action("ntfsresize", RErr(), [Device("device")],
           [OInt64("size"), OBool("force")], proc=461, group="ntfsprogs",
           once_had_no_optargs=True, fish_alias=["ntfsresize_opts"],
           shortdesc="resize an NTFS filesystem",
           longdesc="""Resize the NTFS filesystem on the device to fill it,
or to size bytes.  force: go ahead even when the volume is marked for a
check by Windows (then boot Windows before resizing again).""",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1",
                                     "ntfsresize /dev/sda1 size:100000000",
                                     "vfs_minimum_size /dev/sda1"],
                       ExpectC("r > 0 && r < 100000000")),
                  Test("partition", [EXT4, "ntfsresize /dev/sda1"], ExpectFail())]),
    Action("ntfsfix", RErr(), [Device("device")], [OBool("clearbadsectors")],
           proc=462, group="ntfs3g",
           shortdesc="fix common errors and force Windows to check NTFS",
           longdesc="Fix common NTFS inconsistencies, reset the journal and "
           "mark the volume for a check at the next Windows boot "
           "(ntfsfix).  clearbadsectors: also clear the bad sector list.",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1", "ntfsfix /dev/sda1"],
                       ExpectRun()),
                  Test("partition", [EXT4, "ntfsfix /dev/sda1"], ExpectFail())]),
    Action("ntfs_chmod", RErr(), [Device("device"), Int("mode"), String("path")],
           [OBool("recursive")], proc=938, group="ntfs3g",
           shortdesc="set NTFS file permissions",
           longdesc="""Give the file path (a path inside the NTFS volume, not a
mounted guest path) of the unmounted NTFS filesystem on device the
permissions mode, as Unix permission bits such as 0755: the file gets a
new Windows security descriptor (ACL) equivalent to them, which both
Windows and ntfs-3g's "permissions" mount option honour.  recursive: also
every file and directory below path.  It runs ntfssecaudit.""",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1", "mount /dev/sda1 /",
                                     "mkdir /d", "touch /d/f", "umount /",
                                     "ntfs_chmod /dev/sda1 0640 /d/f",
                                     "mount_vfs permissions ntfs-3g /dev/sda1 /",
                                     "stat /d/f"],
                       ExpectC("(r->mode & 07777) == 0640"), name="one file"),
                  Test("partition", ["mkfs ntfs /dev/sda1", "mount /dev/sda1 /",
                                     "mkdir /d", "touch /d/f", "umount /",
                                     "ntfs_chmod /dev/sda1 0700 /d recursive:true",
                                     "mount_vfs permissions ntfs-3g /dev/sda1 /",
                                     "stat /d/f"],
                       ExpectC("(r->mode & 07777) == 0700"), name="recursive"),
                  Test("partition", ["mkfs ntfs /dev/sda1",
                                     "ntfs_chmod /dev/sda1 0640 /nosuch"], ExpectFail()),
                  Test("partition", ["mkfs ntfs /dev/sda1",
                                     "ntfs_chmod /dev/sda1 010000 /"], ExpectFail(),
                       name="mode out of range"),
                  Test("partition", [EXT4, "ntfs_chmod /dev/sda1 0640 /"], ExpectFail())]),
    Action("ntfsclone_out", RErr(), [Device("device"), FileOut("backupfile")],
           [OBool("metadataonly"), OBool("rescue"), OBool("ignorefscheck"),
            OBool("preservetimestamps"), OBool("force")], proc=463,
           group="ntfs3g",
           shortdesc="save NTFS to backup file",
           longdesc="""Save the NTFS filesystem on the device to a local file
in ntfsclone's special image format (only used clusters are stored).
metadataonly: leave the file data out (for debugging); rescue: go on past
read errors; ignorefscheck: save even when the volume is marked for a
check; preservetimestamps: keep timestamps in the metadata-only image;
force: as ntfsclone --force.""",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1 label:CLONED",
                                     "ntfsclone_out /dev/sda1 /tmp/hatch-test-ntfsclone.img",
                                     "wipefs /dev/sda1",
                                     "ntfsclone_in /tmp/hatch-test-ntfsclone.img /dev/sda1",
                                     "vfs_label /dev/sda1"], ExpectString("CLONED")),
                  Test("partition", [EXT4, "ntfsclone_out /dev/sda1 /tmp/hatch-test-ntfsclone2.img"],
                       ExpectFail())]),
    Action("ntfsclone_in", RErr(), [FileIn("backupfile"), Device("device")],
           proc=464, group="ntfs3g",
           shortdesc="restore NTFS from backup file",
           longdesc="Write an image made by ntfsclone_out back onto a "
           "device (which must be large enough).",
           tests=[Test("partition", ["ntfsclone_in /etc/hostname /dev/sda1"],
                       ExpectFail())]),
]
