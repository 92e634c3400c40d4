"""Daemon actions: Linux MD RAID (daemon/storage/md.c)."""
from generator.types import *

# Two partitions for RAID members, placed apart from the LVM tests'
# partitions so that RAID superblocks left behind are not found there.
TWO_PARTS = ["part_init /dev/sda mbr",
             "part_add /dev/sda p 4096 200000",
             "part_add /dev/sda p 200001 -4096"]

ACTIONS = [
    # ------------------------------------------------------------ MD RAID
    Action("md_create", RErr(), [String("name"), DeviceList("devices")],
           [OInt64("missingbitmap"), OInt("nrdevices"), OInt("spare"),
            OInt64("chunk"), OString("level")], proc=270, group="mdadm",
           shortdesc="create a Linux md (RAID) device",
           longdesc="""Create a Linux software RAID array /dev/md/name from
the devices in the list devices.

missingbitmap: bit i set puts a missing member at position i of the array
(bit 0 is the first position); the devices fill the other positions in
order.  Default 0.
nrdevices: the number of active members; by default the number of devices
plus the bits set in missingbitmap.
spare: the number of spare members, default 0.  The devices plus the
missing members must add up to nrdevices + spare.
chunk: the chunk size in bytes (not for raid1).
level: "linear", "raid0" (or 0, "stripe"), "raid1" (the default, or 1,
"mirror"), "raid4" (4), "raid5" (5), "raid6" (6) or "raid10" (10).""",
           tests=[Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x2",
                                "list_md_devices"],
                       ExpectC("r[0] && !r[1] && strncmp (r[0], \"/dev/md\", 7) == 0")),
                  Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x1",
                                "md_stat /dev/md/r1"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].mdstat_device, \"/dev/sda1\") == 0 && "
                               "r->val[0].mdstat_index == 1")),
                  Test("empty", TWO_PARTS + ["md_create r0 \"/dev/sda1\" level:linear",
                                "md_detail /dev/md/r0"],
                       ExpectC("r[0] != NULL")),
                  Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" nrdevices:3"],
                       ExpectFail()),
                  Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x4"],
                       ExpectFail()),
                  Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" level:foo"],
                       ExpectFail()),
                  Test("empty", TWO_PARTS + ["md_create ../r1 \"/dev/sda1\" missingbitmap:1"],
                       ExpectFail()),
                  Test("empty", TWO_PARTS + ["md_create r1 \"\""], ExpectFail())]),
    Action("md_detail", RHashtable(), [Device("md")], proc=271, group="mdadm",
           shortdesc="obtain metadata for an MD device",
           longdesc="""Return what "mdadm -D --export" says about the array md,
as a table of lower-case keys without the MD_ prefix.  Usually present:
level (e.g. "raid1"), devices (number of members), metadata (version), uuid
and name.""",
           tests=[Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x2",
                                "md_detail /dev/md/r1"],
                       ExpectC("r[0] && strcmp (r[0], \"level\") == 0 && "
                               "strcmp (r[1], \"raid1\") == 0 && "
                               "strcmp (r[2], \"devices\") == 0 && "
                               "strcmp (r[3], \"2\") == 0")),
                  Test("partition", ["md_detail /dev/sda1"], ExpectFail())]),
    Action("md_stat", RStructList("mdstat"), [Device("md")], proc=272,
           group="mdadm",
           shortdesc="get underlying devices from an MD device",
           longdesc="""Return the members of the array md: device name, index
in the array, and flags, a string of zero or more of "W" (write-mostly), "F"
(faulty), "S" (spare), "R" (replacement).  list_md_devices lists the
arrays.""",
           tests=[Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x2",
                                "md_stat /dev/md/r1"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].mdstat_device, \"/dev/sda1\") == 0 && "
                               "r->val[0].mdstat_index == 0 && "
                               "strcmp (r->val[0].mdstat_flags, \"\") == 0")),
                  Test("partition", ["md_stat /dev/sda1"], ExpectFail())]),
    Action("md_stop", RErr(), [Device("md")], proc=273, group="mdadm",
           shortdesc="stop a Linux md (RAID) device",
           longdesc="""Stop (deactivate) the array md.  Its members keep their
RAID metadata and data.""",
           tests=[Test("empty", TWO_PARTS + ["md_create r1 \"/dev/sda1\" missingbitmap:0x2",
                                "md_stop /dev/md/r1", "list_md_devices"],
                       ExpectList([])),
                  Test("partition", ["md_stop /dev/sda1"], ExpectFail())]),
    Action("list_md_devices", RStringList(), [], proc=274,
           shortdesc="list Linux md (RAID) devices",
           longdesc="""Return the active Linux software RAID arrays
(/dev/mdN), sorted.""",
           tests=[Test("none", ["list_md_devices"], ExpectList([]))]),
]
