"""Block devices (daemon/storage/blockdev.c): listing devices and
partitions, blockdev_* sizes and flags, and the library-side disk
helpers (disk_format, disk_virtual_size, canonical_device_name ...)."""
from generator.types import *

ACTIONS = [
    Action("list_devices", RStringList(), [], proc=1,
           shortdesc="list the block devices",
           longdesc="List all the block devices added to the handle, in "
           "order: /dev/sda, /dev/sdb ...",
           tests=[Test("none", ["list_devices"],
                       ExpectList(["/dev/sda", "/dev/sdb", "/dev/sdc"]))]),
    Action("list_partitions", RStringList(), [], proc=2,
           shortdesc="list the partitions",
           longdesc="List all the partitions found on all block devices, "
           "sorted.  Physical volumes used by LVM are included.",
           tests=[Test("partition", ["list_partitions"],
                       ExpectC("r[0] && strcmp (r[0], \"/dev/sda1\") == 0 && "
                               "strcmp (r[1], \"/dev/sdb1\") == 0")),
                  Test("empty", ["part_init /dev/sda mbr",
                                 "part_add /dev/sda p 64 100000",
                                 "part_add /dev/sda e 100001 200000",
                                 "part_add /dev/sda l 100064 150000",
                                 "list_partitions"],
                       ExpectList(["/dev/sda1", "/dev/sda2", "/dev/sda5", "/dev/sdb1"])),
                  Test("partition", ["zero /dev/sda", "list_partitions"],
                       ExpectList(["/dev/sdb1"]))]),
    Action("blockdev_getsize64", RInt64(), [Device("device")], proc=15,
           shortdesc="get total size of device in bytes",
           longdesc="Return the size of the device in bytes.",
           tests=[Test("none", ["blockdev_getsize64 /dev/sdc"],
                       ExpectInt(16 * 1024 * 1024)),
                  Test("partition", ["blockdev_getsize64 /dev/sda1"],
                       ExpectInt(256 * 1024 * 1024 - 65536 - 127 * 512))]),
    Action("blockdev_getss", RInt(), [Device("device")], proc=16,
           shortdesc="get sectorsize of block device",
           longdesc="Return the logical sector size of the device, usually "
           "512.",
           tests=[Test("none", ["blockdev_getss /dev/sda"], ExpectInt(512))]),
    Action("blockdev_setro", RErr(), [Device("device")], proc=17,
           shortdesc="set block device to read-only",
           longdesc="Make the block device read-only in the appliance kernel.",
           tests=[Test("none", ["blockdev_setro /dev/sdc",
                                "blockdev_getro /dev/sdc"], ExpectTrue())]),
    Action("blockdev_setrw", RErr(), [Device("device")], proc=18,
           shortdesc="set block device to read-write",
           longdesc="Make the block device writable again.",
           tests=[Test("none", ["blockdev_setrw /dev/sdc",
                                "blockdev_getro /dev/sdc"], ExpectFalse())]),
    Action("blockdev_getro", RBool(), [Device("device")], proc=19,
           shortdesc="is block device set to read-only",
           longdesc="Return true if the block device is read-only.",
           tests=[Test("none", ["blockdev_getro /dev/nosuchdev"],
                       ExpectFail())]),
    # Library-side.
    Action("list_disk_labels", RHashtable(), [],
           shortdesc="mapping of disk labels to devices",
           longdesc="""Return a table from the labels given to drives with
the label parameter of add_drive_opts to their device names (/dev/sda
...).  Drives added without a label are not listed.""",
           tests=[Test("none", ["list_disk_labels"], ExpectList([]))]),
    Action("canonical_device_name", RString(), [String("device")],
           shortdesc="return canonical device name",
           longdesc="""Turn a device name in one of several spellings into
the form the API uses: /dev/hdX and /dev/vdX (and their partitions) become
/dev/sdX, and /dev/mapper/VG-LV becomes /dev/VG/LV.  Other strings are
returned as they are.  This is done by the library alone.""",
           tests=[Test("none", ["canonical_device_name /dev/hda1"],
                       ExpectString("/dev/sda1")),
                  Test("none", ["canonical_device_name /dev/vdb"],
                       ExpectString("/dev/sdb")),
                  Test("none", ["canonical_device_name /dev/mapper/vg--a-lv"],
                       ExpectString("/dev/vg-a/lv")),
                  Test("none", ["canonical_device_name /dev/sdc2"],
                       ExpectString("/dev/sdc2")),
                  Test("none", ["canonical_device_name foo"],
                       ExpectString("foo"))]),
    Action("blockdev_setbsz", RErr(), [Device("device"), Int("blocksize")],
           deprecated_by="",
           shortdesc="set blocksize of block device",
           longdesc="This call does nothing and never did anything useful "
           "(the block size it would set is chosen by the kernel).  It is "
           "kept so old programs still build and run.",
           tests=[Test("none", ["blockdev_setbsz /dev/sdc 4096"], ExpectRun())]),
    Action("disk_format", RString(), [String("filename")],
           shortdesc="detect the disk format of a disk image",
           longdesc="""Return the format of the local disk image file
("raw", "qcow2", "vmdk" ...) as qemu-img detects it, or "unknown".  Only the
image's header is read, by qemu-img run with a time limit; this works
without launching the appliance.""",
           tests=[Test("none", ["disk_format /etc/hostname"], ExpectString("raw")),
                  Test("none", ["disk_format /nonexistent/disk.img"], ExpectFail())]),
    Action("disk_virtual_size", RInt64(), [String("filename")],
           shortdesc="return virtual size of a disk",
           longdesc="Return the virtual size in bytes of the local disk image "
           "(the size of the disk the guest sees), as qemu-img reports it.",
           tests=[Test("none", ["disk_virtual_size /etc/hostname"], ExpectC("r > 0")),
                  Test("none", ["disk_virtual_size /nonexistent/disk.img"], ExpectFail())]),
    Action("disk_has_backing_file", RBool(), [String("filename")],
           shortdesc="return whether disk has a backing file",
           longdesc="Return true if the local disk image has a backing file "
           "(it is an overlay on another image), as qemu-img reports it.",
           tests=[Test("none", ["disk_has_backing_file /etc/hostname"], ExpectFalse())]),
]
