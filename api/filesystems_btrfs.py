"""Daemon actions: btrfs -- making the filesystem, subvolumes and
snapshots, devices, balance, scrub, quota groups, check and rescue, and
the "btrfsvol:" mountables that name a subvolume."""
from generator.types import *

# A fresh btrfs on /dev/sda1 (scenario "partition"), mounted at /.
BTRFS = ["mkfs_btrfs /dev/sda1", "mount /dev/sda1 /"]
# Two partitions of 128 MiB on /dev/sda (scenario "empty").
TWO = ["part_init /dev/sda mbr", "part_add /dev/sda p 64 262143",
       "part_add /dev/sda p 262144 -64"]
# An ext2 filesystem: the wrong kind for every btrfs action.
EXT2 = ["mkfs ext2 /dev/sda1", "mount /dev/sda1 /"]


def _has(key, value):
    """ExpectC over an RHashtable: key maps to value."""
    return ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                   "if (strcmp (r[i], \"%s\") == 0 && strcmp (r[i+1], \"%s\") == 0) ok = 1; ok; })"
                   % (key, value))


def _qgroup(qid, present=True):
    """ExpectC over a btrfsqgroup list: qgroup qid is (not) listed."""
    return ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i) "
                   "if (strcmp (r->val[i].btrfsqgroup_id, \"%s\") == 0) ok = 1; ok == %d; })"
                   % (qid, 1 if present else 0))


SUBVOL_ONE = ("r->len == 1 && r->val[0].btrfssubvolume_id >= 256 && "
              "r->val[0].btrfssubvolume_top_level_id == 5 && "
              "strcmp (r->val[0].btrfssubvolume_path, \"%s\") == 0")

G = "btrfs"

ACTIONS = [
    # ---- making the filesystem ----
    Action("mkfs_btrfs", RErr(), [DeviceList("devices")],
           [OInt64("allocstart"), OInt64("bytecount"), OString("datatype"),
            OInt("leafsize"), OString("label"), OString("metadata"),
            OInt("nodesize"), OInt("sectorsize")], proc=700, group=G,
           shortdesc="create a btrfs filesystem",
           longdesc="""Make a btrfs filesystem spanning all the given devices
(at least one) with mkfs.btrfs, overwriting what they held.  The optional
arguments map to mkfs.btrfs options: bytecount (the size used on each
device, -b), datatype and metadata (the allocation profile for data and
metadata: single, dup, raid0, raid1, raid1c3, raid1c4, raid5, raid6 or
raid10), label (-L), nodesize (-n, the tree block size) and sectorsize
(-s).  leafsize is the old name of nodesize and is treated as such.
allocstart is no longer supported by mkfs.btrfs: giving it is an error.
For a btrfs on a single device with default settings, mkfs works too.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1 label:BTRLBL nodesize:16384 sectorsize:4096",
                                     "vfs_label /dev/sda1"], ExpectString("BTRLBL")),
                  Test("empty", TWO + ["mkfs_btrfs \"/dev/sda1 /dev/sda2\" datatype:raid1 metadata:raid1",
                                       "btrfs_filesystem_show /dev/sda2"],
                       ExpectList(["/dev/sda1", "/dev/sda2"])),
                  Test("partition", ["mkfs_btrfs /dev/sda1 leafsize:4096 nodesize:16384"],
                       ExpectFail()),
                  Test("partition", ["mkfs_btrfs /dev/sda1 datatype:nonsense"], ExpectFail()),
                  Test("partition", ["mkfs_btrfs /dev/sda1 allocstart:0"], ExpectFail()),
                  Test("partition", ["mkfs_btrfs \"\""], ExpectFail())]),

    # ---- subvolumes ----
    Action("btrfs_subvolume_create", RErr(), [Pathname("dest")],
           [OString("qgroupid")], proc=701, group=G,
           once_had_no_optargs=True, fish_alias=["btrfs_subvolume_create_opts"],
           shortdesc="create a btrfs subvolume",
           longdesc="""Create a btrfs subvolume at dest, a path of the form
/path/to/dest/name inside a mounted btrfs: name must not exist yet.  If
qgroupid is given (a quota group such as "1/100"), the new subvolume
becomes a member of that quota group.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /sub1",
                                             "btrfs_subvolume_list /"],
                       ExpectC(SUBVOL_ONE % "sub1")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /sub1",
                                             "write /sub1/f hello", "umount /",
                                             "mount btrfsvol:/dev/sda1/sub1 /",
                                             "cat /f"], ExpectString("hello")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /sv",
                                             "btrfs_subvolume_create /sv/inner",
                                             "list_filesystems"],
                       ExpectC("({ int n = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                               "if ((strcmp (r[i], \"/dev/sda1\") == 0 || "
                               "strcmp (r[i], \"btrfsvol:/dev/sda1/sv\") == 0 || "
                               "strcmp (r[i], \"btrfsvol:/dev/sda1/sv/inner\") == 0) && "
                               "strcmp (r[i+1], \"btrfs\") == 0) n++; n == 3; })")),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_subvolume_create /sub2 qgroupid:1/100",
                                             "btrfs_qgroup_show /"], _qgroup("0/256")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /s qgroupid:bogus"],
                       ExpectFail()),
                  Test("partition", EXT2 + ["btrfs_subvolume_create /sub"], ExpectFail())]),
    Action("btrfs_subvolume_snapshot", RErr(), [Pathname("source"), Pathname("dest")],
           [OBool("ro"), OString("qgroupid")], proc=702, group=G,
           once_had_no_optargs=True, fish_alias=["btrfs_subvolume_snapshot_opts"],
           shortdesc="create a btrfs snapshot",
           longdesc="""Make a snapshot of the btrfs subvolume source at dest
(of the form /path/to/dest/name).  The snapshot is writable unless ro is
true.  If qgroupid is given, the snapshot becomes a member of that quota
group.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /sub",
                                             "write /sub/f snapdata",
                                             "btrfs_subvolume_snapshot /sub /snap",
                                             "cat /snap/f"], ExpectString("snapdata")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /sub",
                                             "btrfs_subvolume_snapshot /sub /snap ro:true",
                                             "touch /snap/g"], ExpectFail()),
                  Test("partition", BTRFS + ["btrfs_subvolume_snapshot /nosuch /snap"],
                       ExpectFail())]),
    Action("btrfs_subvolume_delete", RErr(), [Pathname("subvolume")], proc=703, group=G,
           shortdesc="delete a btrfs subvolume or snapshot",
           longdesc="Delete the btrfs subvolume or snapshot at the given "
           "path, with everything in it.",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /sub",
                                             "btrfs_subvolume_delete /sub",
                                             "btrfs_subvolume_list /"], ExpectC("r->len == 0")),
                  Test("partition", BTRFS + ["mkdir /plain", "btrfs_subvolume_delete /plain"],
                       ExpectFail())]),
    Action("btrfs_subvolume_list", RStructList("btrfssubvolume"), [String("fs")],
           proc=704, group=G,
           shortdesc="list btrfs snapshots and subvolumes",
           longdesc="""List the subvolumes and snapshots of a btrfs
filesystem: fs is a path inside the mounted filesystem, or a device or
mountable holding it (it is then mounted for the time of the call).  Each
entry has the subvolume's ID, the ID of the subvolume it lives in, and its
path from the top of the filesystem.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /a",
                                             "btrfs_subvolume_create /a/b",
                                             "btrfs_subvolume_list /"],
                       ExpectC("r->len == 2 && strcmp (r->val[0].btrfssubvolume_path, \"a\") == 0 && "
                               "strcmp (r->val[1].btrfssubvolume_path, \"a/b\") == 0 && "
                               "r->val[1].btrfssubvolume_top_level_id == r->val[0].btrfssubvolume_id")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /dsub", "umount /",
                                             "btrfs_subvolume_list /dev/sda1"],
                       ExpectC(SUBVOL_ONE % "dsub")),
                  Test("partition", EXT2 + ["btrfs_subvolume_list /"], ExpectFail()),
                  Test("partition", ["btrfs_subvolume_list relative"], ExpectFail())]),
    Action("btrfs_subvolume_set_default", RErr(), [Int64("id"), Pathname("fs")],
           proc=705, group=G,
           shortdesc="set default btrfs subvolume",
           longdesc="""Make the subvolume with this ID (see
btrfs_subvolume_list) the one mounted by default from the btrfs
filesystem mounted at fs.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /dflt",
                                             "write /dflt/inside yes",
                                             "btrfs_subvolume_set_default 256 /",
                                             "umount /", "mount /dev/sda1 /", "cat /inside"],
                       ExpectString("yes")),
                  Test("partition", BTRFS + ["btrfs_subvolume_set_default 9999 /"],
                       ExpectFail())]),
    Action("btrfs_subvolume_get_default", RInt64(), [String("fs")], proc=706, group=G,
           shortdesc="get the default subvolume or snapshot of a filesystem",
           longdesc="""Return the ID of the subvolume mounted by default from
a btrfs filesystem (5, the top level, unless changed).  fs is a path in the
mounted filesystem, or a device or mountable holding it.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_get_default /"], ExpectInt(5)),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /d2",
                                             "btrfs_subvolume_set_default 256 /",
                                             "umount /",
                                             "btrfs_subvolume_get_default /dev/sda1"],
                       ExpectInt(256)),
                  Test("partition", EXT2 + ["btrfs_subvolume_get_default /"], ExpectFail())]),
    Action("btrfs_subvolume_show", RHashtable(), [Pathname("subvolume")], proc=707, group=G,
           shortdesc="return detailed information of the subvolume",
           longdesc="""Return what btrfs knows about the subvolume at this
path, as a table: "path" (its path from the top level, "/" for the top
level itself), then btrfs's own fields ("Name", "UUID", "Parent UUID",
"Subvolume ID", "Generation", "Flags", ...; a field btrfs shows as "-" is
empty), ending with "Snapshot(s)": the paths of the snapshots taken of it,
separated by commas.""",
           tests=[Test("partition", BTRFS + ["btrfs_subvolume_create /shown",
                                             "btrfs_subvolume_show /shown"],
                       _has("Name", "shown")),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /shown",
                                             "btrfs_subvolume_snapshot /shown /s1",
                                             "btrfs_subvolume_snapshot /shown /s2",
                                             "btrfs_subvolume_show /shown"],
                       _has("Snapshot(s)", "s1,s2")),
                  Test("partition", BTRFS + ["mkdir /plain", "btrfs_subvolume_show /plain"],
                       ExpectFail())]),

    # ---- whole filesystem ----
    Action("btrfs_filesystem_resize", RErr(), [Pathname("mountpoint")],
           [OInt64("size")], proc=708, group=G,
           shortdesc="resize a btrfs filesystem",
           longdesc="""Grow or shrink the btrfs filesystem mounted at
mountpoint (btrfs resizes only mounted filesystems: this takes the mount
point, not the device).  size is the new size in bytes; without it the
filesystem grows to fill its device.  The kernel does not resize a btrfs
to less than 256 MiB.""",
           tests=[Test("empty", ["mkfs_btrfs /dev/sda bytecount:134217728",
                                 "mount /dev/sda /",
                                 "btrfs_filesystem_resize / size:268435456", "statvfs /"],
                       ExpectC("r->blocks * r->frsize > 134217728")),
                  Test("empty", ["mkfs_btrfs /dev/sda bytecount:134217728",
                                 "mount /dev/sda /",
                                 "btrfs_filesystem_resize /", "statvfs /"],
                       ExpectC("r->blocks * r->frsize > 134217728")),
                  Test("partition", BTRFS + ["btrfs_filesystem_resize / size:104857600"],
                       ExpectFail()),
                  Test("partition", BTRFS + ["btrfs_filesystem_resize / size:4096"],
                       ExpectFail()),
                  Test("partition", EXT2 + ["btrfs_filesystem_resize /"], ExpectFail())]),
    Action("btrfs_filesystem_sync", RErr(), [Pathname("fs")], proc=709, group=G,
           shortdesc="sync a btrfs filesystem",
           longdesc="Write out everything pending on the btrfs filesystem "
           "mounted at fs.",
           tests=[Test("partition", BTRFS + ["write /f synced", "btrfs_filesystem_sync /",
                                             "cat /f"], ExpectString("synced")),
                  Test("partition", EXT2 + ["btrfs_filesystem_sync /"], ExpectFail())]),
    Action("btrfs_filesystem_balance", RErr(), [Pathname("fs")], proc=710, group=G,
           fish_alias=["btrfs_balance"],
           shortdesc="balance a btrfs filesystem",
           longdesc="""Rewrite every chunk of the btrfs filesystem mounted at
fs, spreading them over its devices.  Returns when the balance is done.""",
           tests=[Test("empty", TWO + ["mkfs_btrfs /dev/sda1", "mount /dev/sda1 /",
                                       "write /f balanced",
                                       "btrfs_device_add /dev/sda2 /",
                                       "btrfs_filesystem_balance /", "cat /f"],
                       ExpectString("balanced")),
                  Test("partition", EXT2 + ["btrfs_filesystem_balance /"], ExpectFail())]),
    Action("btrfs_filesystem_defragment", RErr(), [Pathname("path")],
           [OBool("flush"), OString("compress")], proc=711, group=G,
           shortdesc="defragment a file or directory",
           longdesc="""Defragment a file, or every file under a directory, on
a btrfs filesystem.  flush writes the data out after each file; compress
(zlib, lzo or zstd) recompresses the data with that algorithm.""",
           tests=[Test("partition", BTRFS + ["write /f defrag",
                                             "btrfs_filesystem_defragment /f flush:true compress:zlib",
                                             "cat /f"], ExpectString("defrag")),
                  Test("partition", BTRFS + ["mkdir /d", "write /d/g x",
                                             "btrfs_filesystem_defragment /d"], ExpectRun()),
                  Test("partition", BTRFS + ["write /f x",
                                             "btrfs_filesystem_defragment /f compress:bogus"],
                       ExpectFail()),
                  Test("partition", BTRFS + ["btrfs_filesystem_defragment /nosuch"],
                       ExpectFail())]),
    Action("btrfs_filesystem_show", RStringList(), [Device("device")], proc=712, group=G,
           shortdesc="list devices for btrfs filesystem",
           longdesc="""Return the devices that the btrfs filesystem on this
device spans.  If some of them are missing, this fails with errno set to
ENODEV.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1", "btrfs_filesystem_show /dev/sda1"],
                       ExpectList(["/dev/sda1"])),
                  Test("partition", ["mkfs ext2 /dev/sda1", "btrfs_filesystem_show /dev/sda1"],
                       ExpectFail())]),

    # ---- devices ----
    Action("btrfs_device_add", RErr(), [DeviceList("devices"), Pathname("fs")],
           proc=713, group=G,
           shortdesc="add devices to a btrfs filesystem",
           longdesc="""Add the devices to the btrfs filesystem mounted at fs
(what they held is overwritten).  An empty list does nothing.""",
           tests=[Test("empty", TWO + ["mkfs_btrfs /dev/sda1", "mount /dev/sda1 /",
                                       "btrfs_device_add /dev/sda2 /",
                                       "btrfs_filesystem_show /dev/sda1"],
                       ExpectList(["/dev/sda1", "/dev/sda2"])),
                  Test("partition", BTRFS + ["btrfs_device_add \"\" /"], ExpectRun()),
                  Test("empty", TWO + ["mkfs ext2 /dev/sda1", "mount /dev/sda1 /",
                                       "btrfs_device_add /dev/sda2 /"], ExpectFail())]),
    Action("btrfs_device_delete", RErr(), [DeviceList("devices"), Pathname("fs")],
           proc=714, group=G,
           shortdesc="remove devices from a btrfs filesystem",
           longdesc="""Move the data off the devices and remove them from the
btrfs filesystem mounted at fs.  An empty list does nothing.""",
           tests=[Test("empty", TWO + ["mkfs_btrfs \"/dev/sda1 /dev/sda2\" datatype:single metadata:single",
                                       "mount /dev/sda1 /", "write /f kept",
                                       "btrfs_device_delete /dev/sda2 /",
                                       "btrfs_filesystem_show /dev/sda1"],
                       ExpectList(["/dev/sda1"])),
                  Test("partition", BTRFS + ["btrfs_device_delete /dev/sda1 /"], ExpectFail())]),
    Action("btrfs_replace", RErr(), [Device("srcdev"), Device("targetdev"),
                                     Pathname("mntpoint")], proc=715, group=G,
           shortdesc="replace a btrfs managed device with another device",
           longdesc="""In the btrfs filesystem mounted at mntpoint, copy what
is stored on srcdev to targetdev, then take srcdev out of the filesystem
(its btrfs signature is wiped).  targetdev must be at least as big as
srcdev and must not be in use.""",
           tests=[Test("empty", TWO + ["mkfs_btrfs /dev/sda1 datatype:single metadata:single",
                                       "mount /dev/sda1 /", "write /f moved",
                                       "btrfs_replace /dev/sda1 /dev/sda2 /",
                                       "btrfs_filesystem_show /dev/sda2"],
                       ExpectList(["/dev/sda2"])),
                  Test("empty", TWO + ["mkfs_btrfs /dev/sda1", "mount /dev/sda1 /",
                                       "btrfs_replace /dev/sda1 /dev/sda1 /"], ExpectFail())]),

    # ---- seeding and btrfstune ----
    Action("btrfs_set_seeding", RErr(), [Device("device"), Bool("seeding")],
           proc=716, group=G,
           shortdesc="enable or disable the seeding feature of device",
           longdesc="""Turn the seeding flag of the (unmounted) btrfs
filesystem on device on or off.  A seed filesystem mounts read-only; a
writable filesystem can be built on top of it by adding a device.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfs_set_seeding /dev/sda1 true",
                                     "mount /dev/sda1 /", "touch /f"], ExpectFail()),
                  Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfs_set_seeding /dev/sda1 true",
                                     "btrfs_set_seeding /dev/sda1 false",
                                     "mount /dev/sda1 /", "touch /f", "exists /f"],
                       ExpectTrue()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "btrfs_set_seeding /dev/sda1 true"], ExpectFail())]),
    Action("btrfstune_seeding", RErr(), [Device("device"), Bool("seeding")],
           proc=717, group=G,
           shortdesc="enable or disable seeding of a btrfs device",
           longdesc="""Turn the seeding flag of the unmounted btrfs on device
on or off with btrfstune.  A seed filesystem is read-only; other
filesystems can be built on top of it.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfstune_seeding /dev/sda1 true",
                                     "mount /dev/sda1 /", "touch /f"], ExpectFail()),
                  Test("partition", BTRFS + ["btrfstune_seeding /dev/sda1 true"],
                       ExpectFail())]),
    Action("btrfstune_enable_extended_inode_refs", RErr(), [Device("device")],
           proc=718, group=G,
           shortdesc="enable extended inode refs",
           longdesc="""Turn on the extref feature of the unmounted btrfs on
device (it allows many more hard links to a file in one directory).  New
filesystems have it already.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfstune_enable_extended_inode_refs /dev/sda1",
                                     "btrfs_fsck /dev/sda1"], ExpectRun()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "btrfstune_enable_extended_inode_refs /dev/sda1"],
                       ExpectFail())]),
    Action("btrfstune_enable_skinny_metadata_extent_refs", RErr(), [Device("device")],
           proc=719, group=G,
           shortdesc="enable skinny metadata extent refs",
           longdesc="""Turn on the skinny-metadata feature of the unmounted
btrfs on device (smaller extent references in the metadata).  New
filesystems have it already.""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfstune_enable_skinny_metadata_extent_refs /dev/sda1",
                                     "btrfs_fsck /dev/sda1"], ExpectRun()),
                  Test("partition", BTRFS + ["btrfstune_enable_skinny_metadata_extent_refs /dev/sda1"],
                       ExpectFail())]),

    # ---- check and rescue ----
    Action("btrfs_fsck", RErr(), [Device("device")],
           [OInt64("superblock"), OBool("repair")], proc=720, group=G,
           shortdesc="check a btrfs filesystem",
           longdesc="""Check the unmounted btrfs filesystem on device with
btrfs check; it fails if problems are found.  superblock picks which copy
of the superblock to read (0, 1 or 2); repair tries to fix what is found
(btrfs waits 10 seconds before it starts repairing).""",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1", "btrfs_fsck /dev/sda1"], ExpectRun()),
                  Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfs_fsck /dev/sda1 superblock:1"], ExpectRun()),
                  Test("partition", ["mkfs ext2 /dev/sda1", "btrfs_fsck /dev/sda1"], ExpectFail()),
                  Test("partition", BTRFS + ["btrfs_fsck /dev/sda1"], ExpectFail())]),
    Action("btrfs_rescue_chunk_recover", RErr(), [Device("device")], proc=721, group=G,
           shortdesc="recover the chunk tree of btrfs filesystem",
           longdesc="Rebuild the chunk tree of the unmounted btrfs on device "
           "by scanning the device(s) for chunk items.",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfs_rescue_chunk_recover /dev/sda1",
                                     "btrfs_fsck /dev/sda1"], ExpectRun()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "btrfs_rescue_chunk_recover /dev/sda1"], ExpectFail())]),
    Action("btrfs_rescue_super_recover", RErr(), [Device("device")], proc=722, group=G,
           shortdesc="recover bad superblocks from good copies",
           longdesc="Check the superblock copies of the unmounted btrfs on "
           "device and rewrite damaged ones from a good copy.",
           tests=[Test("partition", ["mkfs_btrfs /dev/sda1",
                                     "btrfs_rescue_super_recover /dev/sda1",
                                     "btrfs_fsck /dev/sda1"], ExpectRun()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "btrfs_rescue_super_recover /dev/sda1"], ExpectFail())]),
    Action("btrfs_image", RErr(), [DeviceList("source"), Pathname("image")],
           [OInt("compresslevel")], proc=723, group=G,
           shortdesc="create an image of a btrfs filesystem",
           longdesc="""Write the metadata of the (unmounted) btrfs filesystem
on source to the file image in the mounted guest tree, with file data
left out (btrfs-image).  source names one device of the filesystem: the
others are found by themselves.  compresslevel (0 to 9) compresses the
image.""",
           tests=[Test("empty", TWO + ["mkfs_btrfs /dev/sda1", "mkfs ext2 /dev/sda2",
                                       "mount /dev/sda2 /",
                                       "btrfs_image /dev/sda1 /btrfs.img compresslevel:9",
                                       "filesize /btrfs.img"], ExpectC("r > 0")),
                  Test("empty", TWO + ["mkfs_btrfs /dev/sda1", "mkfs ext2 /dev/sda2",
                                       "mount /dev/sda2 /",
                                       "btrfs_image /dev/sda1 /btrfs.img compresslevel:10"],
                       ExpectFail()),
                  Test("empty", TWO + ["mkfs ext2 /dev/sda1", "mkfs ext2 /dev/sda2",
                                       "mount /dev/sda2 /",
                                       "btrfs_image /dev/sda1 /btrfs.img"], ExpectFail())]),

    # ---- balance ----
    Action("btrfs_balance_pause", RErr(), [Pathname("path")], proc=724, group=G,
           shortdesc="pause a running balance",
           longdesc="Pause the balance running on the btrfs filesystem "
           "mounted at path.  It fails if no balance is running.",
           tests=[Test("partition", BTRFS + ["btrfs_balance_pause /"], ExpectFail())]),
    Action("btrfs_balance_resume", RErr(), [Pathname("path")], proc=725, group=G,
           shortdesc="resume a paused balance",
           longdesc="Resume the paused balance of the btrfs filesystem "
           "mounted at path.  It fails if no balance is paused.",
           tests=[Test("partition", BTRFS + ["btrfs_balance_resume /"], ExpectFail())]),
    Action("btrfs_balance_cancel", RErr(), [Pathname("path")], proc=726, group=G,
           shortdesc="cancel a running or paused balance",
           longdesc="Stop the running or paused balance of the btrfs "
           "filesystem mounted at path.  It fails if there is none.",
           tests=[Test("partition", BTRFS + ["btrfs_balance_cancel /"], ExpectFail())]),
    Action("btrfs_balance_status", RStruct("btrfsbalance"), [Pathname("path")],
           proc=727, group=G,
           shortdesc="show the status of a running or paused balance",
           longdesc="""Report the balance of the btrfs filesystem mounted at
path: status is "running", "paused" or "none" (no balance; the counts are
then 0); total is the estimated number of chunks to balance, balanced the
number done, considered the number looked at, left the number remaining.""",
           tests=[Test("partition", BTRFS + ["btrfs_filesystem_balance /",
                                             "btrfs_balance_status /"],
                       ExpectC("strcmp (r->btrfsbalance_status, \"none\") == 0 && "
                               "r->btrfsbalance_total == 0")),
                  Test("partition", EXT2 + ["btrfs_balance_status /"], ExpectFail())]),

    # ---- scrub ----
    Action("btrfs_scrub_start", RErr(), [Pathname("path")], proc=728, group=G,
           shortdesc="read all data from all disks and verify checksums",
           longdesc="""Read all data and metadata of the btrfs filesystem
mounted at path, verify their checksums and repair what can be repaired
from good copies.  Returns when the scrub is finished; see
btrfs_scrub_status for what it found.""",
           tests=[Test("partition", BTRFS + ["write /f scrubbed", "btrfs_scrub_start /",
                                             "btrfs_scrub_status /"],
                       ExpectC("r->btrfsscrub_tree_extents_scrubbed > 0 && "
                               "r->btrfsscrub_tree_bytes_scrubbed > 0 && "
                               "r->btrfsscrub_csum_errors == 0 && "
                               "r->btrfsscrub_uncorrectable_errors == 0")),
                  Test("partition", EXT2 + ["btrfs_scrub_start /"], ExpectFail())]),
    Action("btrfs_scrub_full", RErr(), [Pathname("path")], [OBool("readonly")],
           proc=935, group=G,
           shortdesc="run a full scrub of a btrfs filesystem",
           longdesc="""Scrub the whole btrfs filesystem mounted at path (all
its devices) and wait for the end, like a filesystem check: it fails when
the scrub finds errors it could not correct, or cannot run.  readonly:
only verify, repairing nothing (btrfs scrub -r); this is also what works
on a filesystem mounted read-only.  btrfs_scrub_status tells what the
last scrub found.""",
           tests=[Test("partition", BTRFS + ["fill 97 300000 /f", "sync", "btrfs_scrub_full /",
                                             "btrfs_scrub_status /"],
                       ExpectC("r->btrfsscrub_data_bytes_scrubbed >= 300000 && "
                               "r->btrfsscrub_csum_errors == 0 && "
                               "r->btrfsscrub_uncorrectable_errors == 0"),
                       name="a full scrub reads the data"),
                  Test("partition", ["mkfs_btrfs /dev/sda1", "mount /dev/sda1 /",
                                     "write /f ro", "umount /", "mount_ro /dev/sda1 /",
                                     "btrfs_scrub_full / readonly:true"], ExpectRun(),
                       name="readonly on a read-only mount"),
                  Test("partition", EXT2 + ["btrfs_scrub_full /"], ExpectFail())]),
    Action("btrfs_scrub_cancel", RErr(), [Pathname("path")], proc=729, group=G,
           shortdesc="cancel a running scrub",
           longdesc="Cancel the scrub running on the btrfs filesystem mounted "
           "at path.  It fails if none is running.",
           tests=[Test("partition", BTRFS + ["btrfs_scrub_cancel /"], ExpectFail())]),
    Action("btrfs_scrub_resume", RErr(), [Pathname("path")], proc=730, group=G,
           shortdesc="resume a previously canceled or interrupted scrub",
           longdesc="Continue the cancelled or interrupted scrub of the "
           "btrfs filesystem mounted at path, returning when it is done.  It "
           "fails if there is nothing to resume.",
           tests=[Test("partition", BTRFS + ["btrfs_scrub_start /", "btrfs_scrub_resume /"],
                       ExpectFail())]),
    Action("btrfs_scrub_status", RStruct("btrfsscrub"), [Pathname("path")],
           proc=731, group=G,
           shortdesc="show status of running or finished scrub",
           longdesc="""Return the counters of the last (or the running) scrub
of the btrfs filesystem mounted at path: extents and bytes scrubbed, the
kinds of errors found and corrected, and the last physical address
reached.  It fails if the filesystem was never scrubbed.""",
           tests=[Test("partition", BTRFS + ["btrfs_scrub_status /"], ExpectFail())]),

    # ---- quotas ----
    Action("btrfs_quota_enable", RErr(), [String("fs"), Bool("enable")],
           proc=732, group=G,
           shortdesc="enable or disable subvolume quota support",
           longdesc="""Turn quota accounting on or off in a btrfs
filesystem; fs is a path in the mounted filesystem, or a device or
mountable holding it.""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_show /"], _qgroup("0/5")),
                  Test("partition", BTRFS + ["umount /",
                                             "btrfs_quota_enable /dev/sda1 true",
                                             "mount /dev/sda1 /",
                                             "btrfs_qgroup_show /"], _qgroup("0/5")),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_quota_enable / false",
                                             "btrfs_qgroup_show /"], ExpectFail()),
                  Test("partition", EXT2 + ["btrfs_quota_enable / true"], ExpectFail())]),
    Action("btrfs_quota_rescan", RErr(), [String("fs")], proc=733, group=G,
           shortdesc="trash all qgroup numbers and scan the metadata again",
           longdesc="""Recount the usage of every quota group of a btrfs
filesystem from its metadata and wait for the count to finish; fs is a path
in the mounted filesystem, or a device or mountable holding it.""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "write /f 0123456789",
                                             "btrfs_quota_rescan /",
                                             "btrfs_qgroup_show /"],
                       ExpectC("r->len >= 1 && r->val[0].btrfsqgroup_rfer >= 16384")),
                  Test("partition", BTRFS + ["btrfs_quota_rescan /"], ExpectFail())]),
    Action("btrfs_qgroup_limit", RErr(), [Pathname("subvolume"), Int64("size")],
           proc=734, group=G,
           shortdesc="limit the size of a subvolume",
           longdesc="""Set the limit of the data referenced by the subvolume
at this path to size bytes (quotas must be enabled).""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_subvolume_create /lim",
                                             "btrfs_qgroup_limit /lim 1048576",
                                             "fill 0 4194304 /lim/big"], ExpectFail()),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_subvolume_create /lim",
                                             "btrfs_qgroup_limit /lim 8388608",
                                             "fill 0 1048576 /lim/small"], ExpectRun()),
                  Test("partition", BTRFS + ["btrfs_subvolume_create /lim",
                                             "btrfs_qgroup_limit /lim 1048576"], ExpectFail())]),
    Action("btrfs_qgroup_create", RErr(), [String("qgroupid"), Pathname("subvolume")],
           proc=735, group=G,
           shortdesc="create a subvolume quota group",
           longdesc="""Create the quota group qgroupid (LEVEL/ID, e.g. "1/100")
in the btrfs filesystem holding the path subvolume.""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_qgroup_show /"], _qgroup("1/100")),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_create nonsense /"], ExpectFail())]),
    Action("btrfs_qgroup_destroy", RErr(), [String("qgroupid"), Pathname("subvolume")],
           proc=736, group=G,
           shortdesc="destroy a subvolume quota group",
           longdesc="Remove the quota group qgroupid from the btrfs "
           "filesystem holding the path subvolume.",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_qgroup_destroy 1/100 /",
                                             "btrfs_qgroup_show /"], _qgroup("1/100", False)),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_destroy 1/999 /"], ExpectFail())]),
    Action("btrfs_qgroup_show", RStructList("btrfsqgroup"), [Pathname("path")],
           proc=737, group=G,
           shortdesc="show subvolume quota groups",
           longdesc="""List the quota groups of the btrfs filesystem holding
path, with the bytes each refers to (rfer) and holds exclusively (excl).""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_subvolume_create /q",
                                             "btrfs_qgroup_show /"],
                       ExpectC("r->len == 2 && strcmp (r->val[0].btrfsqgroup_id, \"0/5\") == 0 && "
                               "strcmp (r->val[1].btrfsqgroup_id, \"0/256\") == 0 && "
                               "r->val[1].btrfsqgroup_rfer == 16384")),
                  Test("partition", BTRFS + ["btrfs_qgroup_show /"], ExpectFail())]),
    Action("btrfs_qgroup_assign", RErr(), [String("src"), String("dst"), Pathname("path")],
           proc=738, group=G,
           shortdesc="add a qgroup to a parent qgroup",
           longdesc="""Make quota group src a member of the higher-level
quota group dst in the btrfs filesystem holding path, so that a limit on
dst covers them together.""",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_subvolume_create /a",
                                             "write /a/f 0123456789",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_qgroup_assign 0/256 1/100 /",
                                             "btrfs_quota_rescan /",
                                             "btrfs_qgroup_show /"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i) "
                               "if (strcmp (r->val[i].btrfsqgroup_id, \"1/100\") == 0 && "
                               "r->val[i].btrfsqgroup_rfer > 0) ok = 1; ok; })")),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_assign 0/5 1/999 /"], ExpectFail())]),
    Action("btrfs_qgroup_remove", RErr(), [String("src"), String("dst"), Pathname("path")],
           proc=739, group=G,
           shortdesc="remove a qgroup from its parent qgroup",
           longdesc="Take quota group src out of the parent quota group dst "
           "in the btrfs filesystem holding path.",
           tests=[Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_subvolume_create /a",
                                             "write /a/f 0123456789",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_qgroup_assign 0/256 1/100 /",
                                             "btrfs_qgroup_remove 0/256 1/100 /",
                                             "btrfs_quota_rescan /",
                                             "btrfs_qgroup_show /"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i) "
                               "if (strcmp (r->val[i].btrfsqgroup_id, \"1/100\") == 0 && "
                               "r->val[i].btrfsqgroup_rfer == 0) ok = 1; ok; })")),
                  Test("partition", BTRFS + ["btrfs_quota_enable / true",
                                             "btrfs_qgroup_create 1/100 /",
                                             "btrfs_qgroup_remove 0/5 1/100 /"], ExpectFail())]),

    # ---- mountables ----
    Action("mountable_device", RString(), [Mountable("mountable")], proc=740,
           shortdesc="extract the device part of a mountable",
           longdesc="""Return the device of a mountable: the mountable itself
when it is a device, DEVICE when it names a btrfs subvolume as
"btrfsvol:DEVICE/SUBVOLUME".""",
           tests=[Test("partition", ["mountable_device btrfsvol:/dev/sda1/sub/dir"],
                       ExpectString("/dev/sda1")),
                  Test("partition", ["mountable_device /dev/sda1"], ExpectString("/dev/sda1")),
                  Test("partition", ["mountable_device /dev/nosuchdev"], ExpectFail())]),
    Action("mountable_subvolume", RString(), [Mountable("mountable")], proc=741,
           shortdesc="extract the subvolume part of a mountable",
           longdesc="""Return the subvolume path of a mountable naming a btrfs
subvolume ("btrfsvol:DEVICE/SUBVOLUME").  For any other mountable this
fails with errno set to EINVAL.""",
           tests=[Test("partition", ["mountable_subvolume btrfsvol:/dev/sda1/sub/dir"],
                       ExpectString("sub/dir")),
                  Test("partition", ["mountable_subvolume /dev/sda1"], ExpectFail())]),
    Action("internal_parse_mountable", RStruct("internal_mountable"),
           [Mountable("mountable")], proc=742, internal=True,
           shortdesc="parse a mountable string",
           longdesc="""Split a mountable into its kind (im_type: 0 a device,
1 a btrfs subvolume), its device and its subvolume ("" for a device).""",
           tests=[Test("partition", ["internal_parse_mountable btrfsvol:/dev/sda1/a/b"],
                       ExpectC("r->im_type == 1 && strcmp (r->im_device, \"/dev/sda1\") == 0 && "
                               "strcmp (r->im_volume, \"a/b\") == 0")),
                  Test("partition", ["internal_parse_mountable /dev/sda1"],
                       ExpectC("r->im_type == 0 && strcmp (r->im_device, \"/dev/sda1\") == 0 && "
                               "strcmp (r->im_volume, \"\") == 0")),
                  Test("partition", ["internal_parse_mountable btrfsvol:/dev/sda1"], ExpectFail())]),
]
