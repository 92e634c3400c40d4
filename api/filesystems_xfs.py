"""Daemon actions: XFS tools (daemon/filesystems/xfs.c)."""
from generator.types import *

# A fresh ext4 on /dev/sda1 (sda1 is about 255 MiB).
EXT4 = "mkfs ext4 /dev/sda1"

ACTIONS = [
    # ---- XFS ----
    Action("xfs_info", RStruct("xfsinfo"), [Dev_or_Path("pathordevice")],
           proc=456, group="xfs", deprecated_by="xfs_info2",
           shortdesc="get geometry of XFS filesystem",
           longdesc="Return the geometry of an XFS filesystem, given its "
           "device or a path where it is mounted, as xfs_info prints it.",
           # A real XFS needs 300 MB, more than the table's disks:
           # tests/shell/newest-api-images.sh checks the struct.
           tests=[Test("basicfs", ["xfs_info /dev/sda1"], ExpectFail()),
                  Test("basicfs", ["xfs_info /"], ExpectFail())]),
    Action("xfs_info2", RHashtable(), [Dev_or_Path("pathordevice")],
           proc=940, group="xfs",
           shortdesc="get information about an XFS filesystem",
           longdesc="""Return what xfs_info prints about the XFS filesystem on
a device or mounted at a path, as a table.  Each section of its output
(meta-data, data, naming, log, realtime) gives a key of its own name for
the text after its "=" when there is one ("meta-data" -> the device,
"naming" -> "version 2", "log" -> "internal log", "realtime" -> "none"),
and one key "SECTION.FIELD" for each field=value of the section, such as
"meta-data.crc", "data.bsize" or "log.lazy-count".  Values are the numbers
as printed, keeping a unit that follows ("agsize" -> "16384 blks").  New
xfsprogs fields appear without a change here; unlike xfs_info no field is
required.""",
           # A real XFS needs 300 MB, more than the table's disks:
           # tests/shell/newest-api-images.sh compares every field with the
           # host's xfs_info on the same image.
           tests=[Test("partition", [EXT4, "xfs_info2 /dev/sda1"], ExpectFail()),
                  Test("basicfs", ["xfs_info2 /"], ExpectFail(), name="ext2 mounted at /")]),
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
]
