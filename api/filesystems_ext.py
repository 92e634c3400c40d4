"""Daemon actions: filesystem tools -- swap, ext2/3/4, labels and UUIDs,
XFS, btrfs, NTFS, and whole-filesystem helpers (fsck, zerofree, fstrim,
minimum size, squashfs)."""
from generator.types import *

# A fresh ext4 on /dev/sda1 (sda1 is about 255 MiB).
EXT4 = "mkfs ext4 /dev/sda1"


def _has(key, value):
    """ExpectC over an RHashtable: key maps to value."""
    return ExpectC("({ int ok = 0; for (size_t i = 0; r[i] && r[i+1]; i += 2) "
                   "if (strcmp (r[i], \"%s\") == 0 && strcmp (r[i+1], \"%s\") == 0) ok = 1; ok; })"
                   % (key, value))


ACTIONS = [
    # ---- swap ----
    Action("mkswap", RErr(), [Device("device")],
           [OString("label"), OString("uuid")], proc=430,
           once_had_no_optargs=True, fish_alias=["mkswap_opts"],
           shortdesc="create a swap partition",
           longdesc="Write a Linux swap signature on the device, optionally "
           "with a label and a UUID.",
           tests=[Test("partition", ["mkswap /dev/sda1", "vfs_type /dev/sda1"],
                       ExpectString("swap")),
                  Test("partition", ["mkswap /dev/sda1 label:SWAPLBL",
                                     "vfs_label /dev/sda1"], ExpectString("SWAPLBL")),
                  Test("partition", ["mkswap /dev/sda1 uuid:4d2f5a8e-0d8c-4c56-a0c7-1b0d3f6a8b2e",
                                     "vfs_uuid /dev/sda1"],
                       ExpectString("4d2f5a8e-0d8c-4c56-a0c7-1b0d3f6a8b2e")),
                  Test("partition", ["mkswap /dev/sda1 uuid:nonsense"], ExpectFail())]),
    Action("mkswap_file", RErr(), [Pathname("path")], proc=431,
           shortdesc="create a swap file",
           longdesc="Write a swap signature into an existing guest file (make "
           "the file first, e.g. with fill).",
           tests=[Test("basicfs", ["fill 0 8388608 /swapf", "mkswap_file /swapf",
                                   "swapon_file /swapf", "swapoff_file /swapf"],
                       ExpectRun()),
                  Test("basicfs", ["mkswap_file /nosuchfile"], ExpectFail())]),
    Action("swapon_device", RErr(), [Device("device")], proc=432,
           shortdesc="enable swap on device",
           longdesc="Start using the swap signature on the device as swap "
           "space in the appliance.",
           tests=[Test("partition", ["mkswap /dev/sda1", "swapon_device /dev/sda1",
                                     "swapoff_device /dev/sda1"], ExpectRun()),
                  Test("basicfs", ["swapon_device /dev/sda1"], ExpectFail())]),
    Action("swapoff_device", RErr(), [Device("device")], proc=433,
           shortdesc="disable swap on device",
           longdesc="Stop using the device as swap.",
           tests=[Test("partition", ["mkswap /dev/sda1", "swapoff_device /dev/sda1"],
                       ExpectFail())]),
    Action("swapon_file", RErr(), [Pathname("file")], proc=434,
           shortdesc="enable swap on file",
           longdesc="Start using a guest file holding a swap signature as "
           "swap space.",
           tests=[Test("basicfs", ["fill 0 8388608 /swapf2", "swapon_file /swapf2"],
                       ExpectFail())]),
    Action("swapoff_file", RErr(), [Pathname("file")], proc=435,
           shortdesc="disable swap on file",
           longdesc="Stop using a guest file as swap.",
           tests=[Test("basicfs", ["touch /swapf3", "swapoff_file /swapf3"],
                       ExpectFail())]),
    Action("swapon_label", RErr(), [String("label")], proc=436,
           shortdesc="enable swap on labeled swap partition",
           longdesc="Start using the swap space with this label, found on "
           "the added drives.",
           tests=[Test("partition", ["mkswap /dev/sda1 label:SWLBL",
                                     "swapon_label SWLBL", "swapoff_label SWLBL"],
                       ExpectRun()),
                  Test("partition", ["swapon_label NOSUCHLABEL"], ExpectFail())]),
    Action("swapoff_label", RErr(), [String("label")], proc=437,
           shortdesc="disable swap on labeled swap partition",
           longdesc="Stop using the swap space with this label.",
           tests=[Test("partition", ["swapoff_label NOSUCHLABEL"], ExpectFail())]),
    Action("swapon_uuid", RErr(), [String("uuid")], proc=438, group="linuxfsuuid",
           shortdesc="enable swap on swap partition by UUID",
           longdesc="Start using the swap space with this UUID.",
           tests=[Test("partition", ["mkswap /dev/sda1 uuid:8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c",
                                     "swapon_uuid 8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c",
                                     "swapoff_uuid 8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c"],
                       ExpectRun())]),
    Action("swapoff_uuid", RErr(), [String("uuid")], proc=439, group="linuxfsuuid",
           shortdesc="disable swap on swap partition by UUID",
           longdesc="Stop using the swap space with this UUID.",
           tests=[Test("none", ["swapoff_uuid 00000000-1111-2222-3333-444444444444"],
                       ExpectFail())]),

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
           [OBool("correct"), OBool("forceall")], proc=441,
           shortdesc="check an ext2/ext3 filesystem",
           longdesc="""Force a full check of an unmounted ext2/3/4 filesystem
(e2fsck -f).  correct: fix problems that are safe to fix without asking
(-p).  forceall: answer yes to every question (-y), which can lose data.
They cannot both be set.  Fails when errors remain.""",
           tests=[Test("partition", [EXT4, "e2fsck /dev/sda1"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 correct:true"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 forceall:true"], ExpectRun()),
                  Test("partition", [EXT4, "e2fsck /dev/sda1 correct:true forceall:true"],
                       ExpectFail()),
                  Test("partition", ["mkfs vfat /dev/sda1", "e2fsck /dev/sda1"],
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
without the dashes ("" when none is set), e.g. "ia" for immutable and
append-only, "e" for a file using extents.  Works on filesystems that
support the attribute ioctls (ext2/3/4, XFS, btrfs and some others).""",
           tests=[Test("basicfs", ["touch /e2a", "get_e2attrs /e2a"], ExpectString("")),
                  Test("scratchfs", ["touch /e2a1", "get_e2attrs /e2a1"], ExpectString("e")),
                  Test("basicfs", ["get_e2attrs /nosuchfile"], ExpectFail())]),
    Action("set_e2attrs", RErr(), [Pathname("file"), String("attrs")],
           [OBool("clear")], proc=449,
           shortdesc="set ext2 file attributes of a file",
           longdesc="""Set (or with clear:true, clear) the attribute flags
named by the letters in attrs, leaving the others alone.  Letters as
chattr(1): A a c D d i j S s T t u and others the filesystem accepts.
Unknown letters are an error.""",
           tests=[Test("basicfs", ["touch /e2b", "set_e2attrs /e2b aAd",
                                   "get_e2attrs /e2b"], ExpectString("adA")),
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

    # ---- XFS ----
    Action("xfs_info", RStruct("xfsinfo"), [Dev_or_Path("pathordevice")],
           proc=456, group="xfs",
           shortdesc="get geometry of XFS filesystem",
           longdesc="Return the geometry of an XFS filesystem, given its "
           "device or a path where it is mounted, as xfs_info prints it.",
           tests=[Test("basicfs", ["xfs_info /dev/sda1"], ExpectFail()),
                  Test("basicfs", ["xfs_info /"], ExpectFail())]),
    Action("xfs_growfs", RErr(), [Pathname("path")],
           [OBool("datasec"), OBool("logsec"), OBool("rtsec"), OInt64("datasize"),
            OInt64("logsize"), OInt64("rtsize"), OInt64("rtextsize"),
            OInt("maxpct")], proc=457, group="xfs",
           shortdesc="expand an existing XFS filesystem",
           longdesc="""Grow the mounted XFS filesystem at path: datasec (-d),
logsec (-l), rtsec (-r) grow those sections to the largest size possible;
datasize (-D), logsize (-L), rtsize (-R) to a size in filesystem blocks;
rtextsize (-e) sets the realtime extent size; maxpct (-m) the share of
space for inodes.""",
           tests=[Test("basicfs", ["xfs_growfs / datasec:true"], ExpectFail())]),
    Action("xfs_admin", RErr(), [Device("device")],
           [OBool("extunwritten"), OBool("imgfile"), OBool("v2log"),
            OBool("projid32bit"), OBool("lazycounter"), OString("label"),
            OString("uuid")], proc=458, group="xfs",
           shortdesc="change parameters of an XFS filesystem",
           longdesc="""Change parameters of an unmounted XFS filesystem with
xfs_admin: lazycounter (-c 1/0), label (-L), uuid (-U: a UUID, "generate"
or "nil").  extunwritten, v2log and projid32bit are features every
current XFS has (setting them is accepted, turning them off is not);
imgfile is rejected (the device is always a device here).""",
           tests=[Test("basicfs", ["xfs_admin /dev/sda1 label:x"], ExpectFail())]),
    Action("xfs_repair", RInt(), [Dev_or_Path("device")],
           [OBool("forcelogzero"), OBool("nomodify"), OBool("noprefetch"),
            OBool("forcegeometry"), OInt64("maxmem"), OInt64("ihashsize"),
            OInt64("bhashsize"), OInt64("agstride"), OString("logdev"),
            OString("rtdev")], proc=459, group="xfs",
           shortdesc="repair an XFS filesystem",
           longdesc="""Check and repair an unmounted XFS filesystem with
xfs_repair.  Returns 0 when it is clean or was repaired; with nomodify
(-n, check only), 1 means corruption was found.  forcelogzero (-L),
noprefetch (-P), forcegeometry (-o force_geometry), maxmem (-m, MiB),
ihashsize and bhashsize (-o ihash=, bhash=), agstride (-o ag_stride=),
logdev (-l), rtdev (-r).""",
           tests=[Test("partition", [EXT4, "xfs_repair /dev/sda1 nomodify:true"],
                       ExpectFail())]),

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

    # ---- library-side (thin deprecated spellings) ----
    Action("mkswap_L", RErr(), [String("label"), Device("device")],
           deprecated_by="mkswap",
           shortdesc="create a swap partition with a label",
           longdesc="Deprecated: mkswap with the label optional argument.",
           tests=[Test("partition", ["mkswap_L SWL /dev/sda1", "vfs_label /dev/sda1"],
                       ExpectString("SWL"))]),
    Action("mkswap_U", RErr(), [String("uuid"), Device("device")],
           deprecated_by="mkswap", group="linuxfsuuid",
           shortdesc="create a swap partition with an explicit UUID",
           longdesc="Deprecated: mkswap with the uuid optional argument.",
           tests=[Test("partition", ["mkswap_U 8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c /dev/sda1",
                                     "vfs_uuid /dev/sda1"],
                       ExpectString("8a4c2b6e-1f3d-4e5a-9b7c-0d2e4f6a8b1c"))]),
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
