"""Daemon actions: comparing guest files, and the one-group feature
probe."""
from generator.types import *

ACTIONS = [
    Action("equal", RBool(), [Pathname("file1"), Pathname("file2")], proc=920,
           shortdesc="test if two files have equal contents",
           longdesc="""True if the two guest files have exactly the same
bytes, false if they differ (cmp(1) does the comparison).  Comparing
something that is not a readable file, such as a directory, is an
error.""",
           tests=[Test("scratchfs", ["write /eq-a \"same bytes\"", "write /eq-b \"same bytes\"",
                                     "equal /eq-a /eq-b"], ExpectTrue()),
                  Test("scratchfs", ["write /eq-c \"one\"", "write /eq-d \"one!\"",
                                     "equal /eq-c /eq-d"], ExpectFalse()),
                  Test("scratchfs", ["write /eq-e \"\"", "write /eq-f \"\\x00\"",
                                     "equal /eq-e /eq-f"], ExpectFalse()),
                  Test("scratchfs", ["write /eq-g \"x\"", "equal /eq-g /eq-missing"],
                       ExpectFail()),
                  Test("scratchfs", ["mkdir /eq-dir", "write /eq-h \"x\"", "equal /eq-dir /eq-h"],
                       ExpectFail())]),
    Action("internal_feature_available", RInt(), [String("group")], proc=921,
           internal=True,
           shortdesc="test availability of one feature group",
           longdesc="""Internal: 0 if the optional group of actions is
available in this appliance, 1 if the group is known but not available, 2
if there is no such group.  Programs use guestfs_feature_available.""",
           tests=[Test("none", ["internal_feature_available lvm2"], ExpectInt(0)),
                  Test("none", ["internal_feature_available selinux"], ExpectInt(1)),
                  Test("none", ["internal_feature_available nosuchgroup"], ExpectInt(2))]),
]

ACTIONS += [
    Action("internal_list_rpm_applications", RStructList("application2"), [], proc=922,
           internal=True,
           shortdesc="list the rpm packages of the mounted guest",
           longdesc="""Internal: the packages recorded in the rpm database
(sqlite, ndb or Berkeley DB) of the guest filesystem mounted on /, sorted
by name.  A guest without an rpm database gives an empty list.  Programs
use guestfs_inspect_list_applications2.""",
           tests=[Test("basicfs", ["internal_list_rpm_applications"],
                       ExpectC("r->len == 0"))]),
]

# ---- deprecated calls old scripts still use ----
ACTIONS += [
    Action("llz", RString(), [Pathname("directory")], proc=923,
           deprecated_by="lgetxattrs",
           shortdesc="list the files in a directory (long format with SELinux contexts)",
           longdesc="""Like guestfs_ll, with each file's SELinux context as
well (ls -Z).  Meant for people; programs should read the security.selinux
attribute with guestfs_lgetxattrs.""",
           tests=[Test("scratchfs", ["mkdir /llz1", "touch /llz1/zfile", "llz /llz1"],
                       ExpectC("strstr (r, \" zfile\\n\") != NULL")),
                  Test("scratchfs", ["llz /llz-missing"], ExpectFail())]),
    Action("zfile", RString(), [String("meth"), Pathname("path")], proc=924,
           deprecated_by="file",
           shortdesc="determine file type inside a compressed file",
           longdesc="""Decompress the guest file path with meth ("gzip",
"compress", "bzip2" or "xz") and return what file(1) says about the
decompressed content.""",
           tests=[Test("scratchfs", ["write /zf1 \"hello world\\n\"", "compress_out gzip /zf1 /tmp/hatch-zf1.gz",
                                     "upload /tmp/hatch-zf1.gz /zf1.gz", "zfile gzip /zf1.gz"],
                       ExpectString("ASCII text")),
                  Test("scratchfs", ["write /zf2 \"plain\"", "zfile gzip /zf2"], ExpectFail()),
                  Test("scratchfs", ["write /zf3 \"x\"", "zfile lzma /zf3"], ExpectFail())]),
    Action("list_9p", RStringList(), [], proc=925, deprecated_by=NO_REPLACEMENT,
           shortdesc="list 9p filesystems",
           longdesc="""The mount tags of the virtio-9p devices in the
appliance.  Hatch attaches none (mount_9p is not supported), so the list is
empty.""",
           tests=[Test("none", ["list_9p"], ExpectList([]))]),
]

ACTIONS += [
    Action("sfdisk", RErr(), [Device("device"), Int("cyls"), Int("heads"), Int("sectors"),
                              StringList("lines")], proc=926, deprecated_by="part_add",
           shortdesc="create partitions on a block device",
           longdesc="""Feed lines to sfdisk(8) to write a partition table on
device (sfdisk's "start,size,type" input, in sectors).  Today's sfdisk has
no geometry options: cyls, heads and sectors must be 0.""",
           tests=[Test("empty", ["sfdisk /dev/sda 0 0 0 \"2048,102400,L 104448,,L\"",
                                 "part_list /dev/sda"],
                       ExpectC("r->len == 2 && r->val[0].part_start == 1048576 && "
                               "r->val[0].part_size == 52428800")),
                  Test("empty", ["sfdisk /dev/sda 1024 16 63 \",\""], ExpectFail())]),
    Action("sfdiskM", RErr(), [Device("device"), StringList("lines")], proc=927,
           deprecated_by="part_add",
           shortdesc="create partitions on a block device",
           longdesc="""Like guestfs_sfdisk, with the start and size of each
line in megabytes.""",
           tests=[Test("empty", ["sfdiskM /dev/sda \",64 ,\"", "part_list /dev/sda"],
                       ExpectC("r->len == 2 && r->val[0].part_size == 64 * 1048576"))]),
    Action("sfdisk_N", RErr(), [Device("device"), Int("partnum"), Int("cyls"), Int("heads"),
                                Int("sectors"), String("line")], proc=928,
           deprecated_by="part_add",
           shortdesc="modify a single partition on a block device",
           longdesc="""Change or create just partition partnum (from 1) with
one sfdisk(8) input line.  cyls, heads and sectors must be 0.""",
           tests=[Test("partition", ["sfdisk_N /dev/sda 1 0 0 0 \"2048,20480\"",
                                     "part_list /dev/sda"],
                       ExpectC("r->len == 1 && r->val[0].part_size == 20480 * 512")),
                  Test("partition", ["sfdisk_N /dev/sda 0 0 0 0 \",\""], ExpectFail())]),
    Action("sfdisk_l", RString(), [Device("device")], proc=929, deprecated_by="part_list",
           shortdesc="display the partition table",
           longdesc="""sfdisk -l's human-readable listing of device's
partition table.  Not meant to be parsed.""",
           tests=[Test("partition", ["sfdisk_l /dev/sda"],
                       ExpectC("strstr (r, \"/dev/sda1\") != NULL")),
                  Test("none", ["sfdisk_l /dev/sdz"], ExpectFail())]),
]
