"""ext2/3/4 tools (daemon/filesystems/ext.c): mke2fs, e2fsck, resize2fs,
tune2fs, file attributes and generations; and their library-side
shorthands (e2fsck_f, set/get_e2label, set/get_e2uuid)."""
from generator.types import *

def _has(key, value):
    """ExpectC over an RHashtable: key maps to value."""
    return ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                   "if (strcmp (r[i], \"%s\") == 0 && strcmp (r[i+1], \"%s\") == 0) ok = 1; ok; })"
                   % (key, value))

# A fresh ext4 on /dev/sda1 (sda1 is about 255 MiB).
EXT4 = "mkfs ext4 /dev/sda1"

ACTIONS = [
    # ---- ext2/3/4 ----
    Action("mke2fs", RErr(), [Device("device")],
           [OInt64("blockscount"), OInt64("blocksize"), OInt64("fragsize"),
            OInt64("blockspergroup"), OInt64("numberofgroups"),
            OInt64("bytesperinode"), OInt64("inodesize"), OInt64("journalsize"),
            OInt64("numberofinodes"), OInt64("stridesize"), OInt64("stripewidth"),
            OInt64("maxonlineresize"), OInt("reservedblockspercentage"),
            OInt("mmpupdateinterval"), OString("journaldevice"), OString("label"),
            OString("lastmounteddir"), OString("creatoros"), OString("fstype"),
            OString("usagetype"), OString("uuid"), OBool("forcecreate"),
            OBool("writesbandgrouponly"), OBool("lazyitableinit"),
            OBool("lazyjournalinit"), OBool("testfs"), OBool("discard"),
            OBool("quotatype"), OBool("extent"), OBool("filetype"),
            OBool("flexbg"), OBool("hasjournal"), OBool("journaldev"),
            OBool("largefile"), OBool("quota"), OBool("resizeinode"),
            OBool("sparsesuper"), OBool("uninitbg")], proc=440,
           shortdesc="create an ext2/ext3/ext4 filesystem on device",
           longdesc="""Run mke2fs on the device with the options given, each
matching one mke2fs option: blockscount (the size, in blocks), blocksize
(-b), fragsize (-f), blockspergroup (-g), numberofgroups (-G),
bytesperinode (-i), inodesize (-I), journalsize (-J size=, in MiB),
numberofinodes (-N), stridesize and stripewidth (-E stride=,
stripe_width=), maxonlineresize (-E resize=), reservedblockspercentage
(-m), mmpupdateinterval (-E mmp_update_interval=), journaldevice (-J
device=, a device or LABEL=/UUID=), label (-L), lastmounteddir (-M),
creatoros (-o), fstype (-t: ext2, ext3, ext4), usagetype (-T), uuid (-U),
forcecreate (-F), writesbandgrouponly (-S), lazyitableinit and
lazyjournalinit (-E lazy_itable_init=, lazy_journal_init=), testfs (-E
test_fs), discard (-E discard or nodiscard), journaldev (-O
journal_dev: make an external journal).  The remaining booleans switch
the filesystem feature of the same name on or off (-O feature or
^feature): quotatype is not a feature and is rejected.""",
           tests=[Test("partition", ["mke2fs /dev/sda1 fstype:ext4 label:MKE2",
                                     "vfs_label /dev/sda1"], ExpectString("MKE2")),
                  Test("partition", ["mke2fs /dev/sda1 blocksize:4096 blockscount:10000",
                                     "tune2fs_l /dev/sda1"], _has("Block count", "10000")),
                  Test("partition", ["mke2fs /dev/sda1 fstype:ext4 hasjournal:false extent:true",
                                     "tune2fs_l /dev/sda1"],
                       ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                               "if (strcmp (r[i], \"Filesystem features\") == 0 && "
                               "strstr (r[i+1], \"extent\") && !strstr (r[i+1], \"has_journal\")) ok = 1; ok; })")),
                  Test("partition", ["mke2fs /dev/sda1 uuid:8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c",
                                     "vfs_uuid /dev/sda1"],
                       ExpectString("8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c")),
                  Test("partition", ["mke2fs /dev/sda1 fstype:vfat"], ExpectFail()),
                  Test("partition", ["mke2fs /dev/sda1 blocksize:1000"], ExpectFail())]),
    Action("e2fsck", RErr(), [Device("device")],
           [OBool("correct"), OBool("forceall"), OBool("forceno")], proc=441,
           shortdesc="check an ext2/ext3 filesystem",
           longdesc="""Force a full check of an unmounted ext2/3/4 filesystem
(e2fsck -f).  correct: fix problems that are safe to fix without asking
(-p).  forceall: answer yes to every question (-y), which can lose data.
forceno: answer no to every question (-n), changing nothing (also what
happens when none of the three is set).  At most one of them may be set.
Fails when errors remain.""",
           tests=[Test("partition", [EXT4, "e2fsck /dev/sda1"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 correct:true"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 forceall:true"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 forceno:true"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 correct:true forceall:true"],
                       ExpectFail()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 forceall:true forceno:true"],
                       ExpectFail()),
                  Test("partition", ["mkfs vfat /dev/sda1", "e2fsck /dev/sda1"],
                       ExpectFail())]),
    Action("resize2fs", RErr(), [Device("device")], proc=443,
           shortdesc="resize an ext2, ext3 or ext4 filesystem",
           longdesc="Grow or shrink the ext2/3/4 filesystem to fill the "
           "device.  Unmounted filesystems must have been checked with "
           "e2fsck first.",
           tests=[Test("partition", ["mke2fs /dev/sda1 blocksize:4096 blockscount:10000",
                                     "e2fsck /dev/sda1", "resize2fs /dev/sda1",
                                     "tune2fs_l /dev/sda1"],
                       ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                               "if (strcmp (r[i], \"Block count\") == 0 && atoi (r[i+1]) > 60000) ok = 1; ok; })")),
                  Test("partition", ["mkfs vfat /dev/sda1", "resize2fs /dev/sda1"],
                       ExpectFail())]),
    Action("resize2fs_size", RErr(), [Device("device"), Int64("size")], proc=444,
           shortdesc="resize an ext2, ext3 or ext4 filesystem (with size)",
           longdesc="Like resize2fs, to the given size in bytes (rounded "
           "down to whole blocks).",
           tests=[Test("partition", ["mke2fs /dev/sda1 blocksize:4096", "e2fsck /dev/sda1",
                                     "resize2fs_size /dev/sda1 100000000",
                                     "tune2fs_l /dev/sda1"], _has("Block count", "24414")),
                  Test("partition", [EXT4, "resize2fs_size /dev/sda1 -1"], ExpectFail())]),
    Action("resize2fs_M", RErr(), [Device("device")], proc=445,
           shortdesc="resize an ext2, ext3 or ext4 filesystem to the minimum size",
           longdesc="Shrink the filesystem as far as it will go (resize2fs "
           "-M).  Check it with e2fsck first.",
           tests=[Test("partition", ["mke2fs /dev/sda1 blocksize:4096", "e2fsck /dev/sda1",
                                     "resize2fs_M /dev/sda1", "tune2fs_l /dev/sda1"],
                       ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                               "if (strcmp (r[i], \"Block count\") == 0 && atoi (r[i+1]) < 30000) ok = 1; ok; })"))]),
    Action("tune2fs", RErr(), [Device("device")],
           [OBool("force"), OInt("maxmountcount"), OInt("mountcount"),
            OString("errorbehavior"), OInt64("group"),
            OInt("intervalbetweenchecks"), OInt("reservedblockspercentage"),
            OString("lastmounteddirectory"), OInt64("reservedblockscount"),
            OInt64("user")], proc=446,
           shortdesc="adjust ext2/ext3/ext4 filesystem parameters",
           longdesc="""Change parameters of an ext2/3/4 filesystem with
tune2fs: force (-f), maxmountcount (-c), mountcount (-C), errorbehavior
(-e: continue, remount-ro or panic), group (-g, the group that may use the
reserved blocks), intervalbetweenchecks (-i, in seconds), reserved blocks
as reservedblockspercentage (-m) or reservedblockscount (-r),
lastmounteddirectory (-M), user (-u).  tune2fs_l shows the result.""",
           tests=[Test("partition", [EXT4, "tune2fs /dev/sda1 maxmountcount:30 mountcount:5 "
                                     "errorbehavior:panic intervalbetweenchecks:86400",
                                     "tune2fs_l /dev/sda1"], _has("Errors behavior", "Panic")),
                  Test("partition", [EXT4, "tune2fs /dev/sda1 maxmountcount:30",
                                     "tune2fs_l /dev/sda1"], _has("Maximum mount count", "30")),
                  Test("partition", [EXT4, "tune2fs /dev/sda1 user:42 group:43",
                                     "tune2fs_l /dev/sda1"],
                       _has("Reserved blocks uid", "42 (user unknown)")),
                  Test("partition", [EXT4, "tune2fs /dev/sda1 errorbehavior:nonsense"],
                       ExpectFail()),
                  Test("partition", [EXT4, "tune2fs /dev/sda1 lastmounteddirectory:/boot",
                                     "tune2fs_l /dev/sda1"], _has("Last mounted on", "/boot"))]),
    Action("tune2fs_l", RHashtable(), [Device("device")], proc=447,
           shortdesc="get ext2/ext3/ext4 superblock details",
           longdesc="""Return the superblock fields that tune2fs -l prints,
as a table from the field name (e.g. "Block count", "Filesystem UUID") to
its value.  "<none>" and "<not available>" become empty strings.""",
           tests=[Test("basicfs", ["tune2fs_l /dev/sda1"], _has("Filesystem magic number", "0xEF53")),
                  Test("basicfs", ["tune2fs_l /dev/sda1"], _has("Filesystem volume name", "")),
                  Test("partition", ["mkfs vfat /dev/sda1", "tune2fs_l /dev/sda1"],
                       ExpectFail())]),
    Action("get_e2attrs", RString(), [Pathname("file")], proc=448,
           shortdesc="get ext2 file attributes of a file",
           longdesc="""Return the file's attribute flags as lsattr letters
without the dashes ("" when none is set), sorted by byte value as
libguestfs sorts them (capitals first): e.g. "ai" for append-only and
immutable, "e" for a file using extents, "Sst" for S, s and t.  Works on
filesystems that support the attribute ioctls (ext2/3/4, XFS, btrfs and
some others).""",
           tests=[Test("basicfs", ["touch /e2a", "get_e2attrs /e2a"], ExpectString("")),
                  Test("basicfs", ["touch /e2a2", "set_e2attrs /e2a2 si",
                                   "get_e2attrs /e2a2"], ExpectString("is")),
                  Test("basicfs", ["touch /e2a3", "set_e2attrs /e2a3 tsS",
                                   "get_e2attrs /e2a3"], ExpectString("Sst")),
                  Test("scratchfs", ["touch /e2a4", "set_e2attrs /e2a4 dA",
                                     "get_e2attrs /e2a4"], ExpectString("Ade")),
                  Test("scratchfs", ["touch /e2a1", "get_e2attrs /e2a1"], ExpectString("e")),
                  Test("basicfs", ["get_e2attrs /nosuchfile"], ExpectFail())]),
    Action("set_e2attrs", RErr(), [Pathname("file"), String("attrs")],
           [OBool("clear")], proc=449,
           shortdesc="set ext2 file attributes of a file",
           longdesc="""Set (or with clear:true, clear) the attribute flags
named by the letters in attrs, leaving the others alone.  Letters as
chattr(1): A a c D d i j S s T t u and others the filesystem accepts.
Unknown letters and a letter given twice are errors.""",
           tests=[Test("basicfs", ["touch /e2b", "set_e2attrs /e2b aAd",
                                   "get_e2attrs /e2b"], ExpectString("Aad")),
                  Test("basicfs", ["touch /e2b1", "set_e2attrs /e2b1 aAa"], ExpectFail()),
                  Test("basicfs", ["touch /e2b2", "set_e2attrs /e2b2 dd clear:true"],
                       ExpectFail()),
                  Test("basicfs", ["touch /e2c", "set_e2attrs /e2c ad",
                                   "set_e2attrs /e2c a clear:true", "get_e2attrs /e2c"],
                       ExpectString("d")),
                  Test("basicfs", ["touch /e2d", "set_e2attrs /e2d +a"], ExpectFail()),
                  Test("basicfs", ["touch /e2e", "set_e2attrs /e2e Z"], ExpectFail()),
                  Test("basicfs", ["touch /e2f", "set_e2attrs /e2f i",
                                   "write /e2f x"], ExpectFail())]),
    Action("get_e2generation", RInt64(), [Pathname("file")], proc=450,
           shortdesc="get ext2 file generation of a file",
           longdesc="Return the file's generation number (used by NFS).",
           tests=[Test("basicfs", ["touch /e2g", "set_e2generation /e2g 123456",
                                   "get_e2generation /e2g"], ExpectInt(123456))]),
    Action("set_e2generation", RErr(), [Pathname("file"), Int64("generation")],
           proc=451,
           shortdesc="set ext2 file generation of a file",
           longdesc="Set the file's generation number (0 to 2^32-1).",
           tests=[Test("basicfs", ["touch /e2h", "set_e2generation /e2h -1"],
                       ExpectFail())]),
    Action("zerofree", RErr(), [Device("device")], proc=452, group="zerofree",
           shortdesc="zero unused inodes and disk blocks on ext2/3 filesystem",
           longdesc="Overwrite the unused blocks of an unmounted (or "
           "read-only mounted) ext2/3/4 filesystem with zeroes, so sparse "
           "images can be made smaller.",
           tests=[Test("basicfs", ["write /zf hello", "umount /dev/sda1",
                                   "zerofree /dev/sda1", "mount /dev/sda1 /",
                                   "cat /zf"], ExpectString("hello")),
                  Test("basicfs", ["zerofree /dev/sda1"], ExpectFail())]),
    Action("e2fsck_f", RErr(), [Device("device")], deprecated_by="e2fsck",
           shortdesc="check an ext2/ext3 filesystem",
           longdesc="Deprecated: e2fsck with correct:true (a forced check "
           "that fixes what is safe to fix).",
           tests=[Test("partition", [EXT4, "e2fsck_f /dev/sda1"], ExpectRun())]),
    Action("set_e2label", RErr(), [Device("device"), String("label")],
           deprecated_by="set_label",
           shortdesc="set the ext2/3/4 filesystem label",
           longdesc="Deprecated: use set_label.",
           tests=[Test("basicfs", ["set_e2label /dev/sda1 e2lbl", "get_e2label /dev/sda1"],
                       ExpectString("e2lbl"))]),
    Action("get_e2label", RString(), [Device("device")], deprecated_by="vfs_label",
           shortdesc="get the ext2/3/4 filesystem label",
           longdesc="Deprecated: use vfs_label.",
           tests=[Test("basicfs", ["set_label /dev/sda1 hatche2l", "get_e2label /dev/sda1"],
                       ExpectString("hatche2l"))]),
    Action("set_e2uuid", RErr(), [Device("device"), String("uuid")],
           deprecated_by="set_uuid",
           shortdesc="set the ext2/3/4 filesystem UUID",
           longdesc="Deprecated: use set_uuid.  \"clear\", \"random\" and "
           "\"time\" are passed to tune2fs -U as such.",
           tests=[Test("basicfs", ["set_e2uuid /dev/sda1 3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912",
                                   "get_e2uuid /dev/sda1"],
                       ExpectString("3b4c5d6e-7f80-4192-a3b4-c5d6e7f80912")),
                  Test("basicfs", ["set_e2uuid /dev/sda1 clear", "get_e2uuid /dev/sda1"],
                       ExpectString(""))]),
    Action("get_e2uuid", RString(), [Device("device")], deprecated_by="vfs_uuid",
           shortdesc="get the ext2/3/4 filesystem UUID",
           longdesc="Deprecated: use vfs_uuid.",
           tests=[Test("partition", ["mke2fs /dev/sda1 uuid:4b4e28ba-2fa1-11d2-883f-0016d3cca427",
                                     "get_e2uuid /dev/sda1"],
                       ExpectString("4b4e28ba-2fa1-11d2-883f-0016d3cca427"))]),
]
