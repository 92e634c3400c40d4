"""Daemon actions: LVM (daemon/storage/lvm*.c) -- physical volumes, volume
groups, logical volumes, reports, UUIDs, the device filter and
device-mapper listings.

Test disks: /dev/sda is 256 MiB (the 'partition' scenario gives one
partition of about 255.9 MiB), /dev/sdb holds the shared scratch filesystem
and must not be touched, /dev/sdc is a spare 16 MiB disk.  LVM's default
extent is 4 MiB.  Each LVM test assumes the scenario setup removed every
VG/PV left by the previous test (lvm_remove_all)."""
from generator.types import *

ONE_VG = ["pvcreate /dev/sda1", "vgcreate VG /dev/sda1"]

# Two PVs and a VG "VG" on /dev/sda1 and /dev/sda2 (each about 127 MiB).
TWO_PVS = ["part_init /dev/sda mbr",
           "part_add /dev/sda p 2048 262143",
           "part_add /dev/sda p 262144 -2048",
           "pvcreate /dev/sda1", "pvcreate /dev/sda2"]

ACTIONS = [
    # ------------------------------------------------------------ LVM: create
    Action("pvcreate", RErr(), [Device("device")], proc=200, group="lvm2",
           shortdesc="create an LVM physical volume",
           longdesc="""Initialise device (usually a partition such as
/dev/sda1, but a whole disk works too) as an LVM physical volume, ready to
be put into a volume group with vgcreate.  Signatures of filesystems found on
the device are wiped; a device that already belongs to a volume group is
refused.""",
           tests=[Test("partition", ["pvcreate /dev/sda1", "pvs"],
                       ExpectList(["/dev/sda1"])),
                  Test("empty", TWO_PVS[:3] + ["pvcreate /dev/sda1",
                                               "pvcreate /dev/sda2", "pvs"],
                       ExpectList(["/dev/sda1", "/dev/sda2"])),
                  Test("partition", ONE_VG + ["pvcreate /dev/sda1"],
                       ExpectFail()),
                  Test("none", ["pvcreate /dev/nosuchdev"], ExpectFail())]),
    Action("vgcreate", RErr(), [String("volgroup"), DeviceList("physvols")],
           proc=201, group="lvm2",
           shortdesc="create an LVM volume group",
           longdesc="""Create a volume group named volgroup out of the
physical volumes in the (non-empty) list physvols.  Devices that are not yet
physical volumes are initialised as such.""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG1 \"/dev/sda1 /dev/sda2\"",
                                           "vgs"],
                       ExpectList(["VG1"])),
                  Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "vgcreate VG2 /dev/sda2", "vgs"],
                       ExpectList(["VG1", "VG2"])),
                  Test("partition", ["pvcreate /dev/sda1", "vgcreate VG \"\""],
                       ExpectFail()),
                  Test("partition", ["pvcreate /dev/sda1",
                                     "vgcreate -ff /dev/sda1"], ExpectFail()),
                  Test("partition", ["pvcreate /dev/sda1",
                                     "vgcreate \"bad/name\" /dev/sda1"],
                       ExpectFail()),
                  Test("partition", ["pvcreate /dev/sda1",
                                     "vgcreate /dev/VG /dev/sda1", "vgs"],
                       ExpectList(["VG"]))]),
    Action("lvcreate", RErr(),
           [String("logvol"), String("volgroup"), Int("mbytes")],
           proc=202, group="lvm2",
           shortdesc="create an LVM logical volume",
           longdesc="""Create a logical volume named logvol of mbytes
megabytes (MiB; rounded up to a whole number of extents) in the volume group
volgroup.  It appears as /dev/volgroup/logvol.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV1 VG 64",
                                              "lvcreate LV2 VG 32", "lvs"],
                       ExpectList(["/dev/VG/LV1", "/dev/VG/LV2"])),
                  Test("partition", ONE_VG + ["lvcreate LV VG 6",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV VG 64",
                                              "mkfs ext4 /dev/VG/LV",
                                              "vfs_type /dev/VG/LV"],
                       ExpectString("ext4")),
                  # A VG whose name starts like the appliance's own disks.
                  Test("partition", ["pvcreate /dev/sda1",
                                     "vgcreate vdata /dev/sda1",
                                     "lvcreate LV vdata 8",
                                     "blockdev_getsize64 /dev/vdata/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV /dev/VG 8",
                                              "lvcreate_free LV2 /dev/VG 100",
                                              "lvs"],
                       ExpectList(["/dev/VG/LV", "/dev/VG/LV2"])),
                  Test("partition", ONE_VG + ["lvcreate LV VG 0"], ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate LV VG 1000"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate LV NOVG 8"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate --help VG 8"],
                       ExpectFail())]),
    Action("lvcreate_free", RErr(),
           [String("logvol"), String("volgroup"), Int("percent")],
           proc=203, group="lvm2",
           shortdesc="create an LVM logical volume in % remaining free space",
           longdesc="""Create a logical volume /dev/volgroup/logvol that takes
about percent % (1 to 100) of the space still free in the volume group;
100 makes the largest volume that fits.""",
           tests=[Test("partition", ONE_VG + ["lvcreate_free LV1 VG 50",
                                              "lvcreate_free LV2 VG 100",
                                              "vgs_full"],
                       ExpectC("r->len == 1 && r->val[0].vg_free == 0 && "
                               "r->val[0].lv_count == 2")),
                  Test("partition", ONE_VG + ["lvcreate_free LV VG 101"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate_free LV VG 0"],
                       ExpectFail())]),
    # ------------------------------------------------------------ LVM: list
    Action("pvs", RStringList(), [], proc=204, group="lvm2",
           shortdesc="list the LVM physical volumes (PVs)",
           longdesc="""Return the device names of all LVM physical volumes
found (for example /dev/sda2), like the pvs(8) command.  See also
pvs_full.""",
           tests=[Test("empty", ["pvs"], ExpectList([])),
                  Test("empty", TWO_PVS + ["pvs"],
                       ExpectList(["/dev/sda1", "/dev/sda2"]))]),
    Action("vgs", RStringList(), [], proc=205, group="lvm2",
           shortdesc="list the LVM volume groups (VGs)",
           longdesc="""Return the names of all LVM volume groups found (for
example "VolGroup00"), like the vgs(8) command.  See also vgs_full.""",
           tests=[Test("empty", ["vgs"], ExpectList([])),
                  Test("partition", ONE_VG + ["vgs"], ExpectList(["VG"]))]),
    Action("lvs", RStringList(), [], proc=206, group="lvm2",
           shortdesc="list the LVM logical volumes (LVs)",
           longdesc="""Return the device names (/dev/VG/LV) of all LVM
logical volumes found, active or not, like the lvs(8) command.  Volumes
that LVM uses internally (thin pool data, RAID images, ...) are not listed.
See also lvs_full and list_filesystems.""",
           tests=[Test("empty", ["lvs"], ExpectList([])),
                  Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "vgcreate VG2 /dev/sda2",
                                           "lvcreate B VG2 8",
                                           "lvcreate A VG2 8",
                                           "lvcreate Z VG1 8", "lvs"],
                       ExpectList(["/dev/VG1/Z", "/dev/VG2/A", "/dev/VG2/B"]))]),
    Action("pvs_full", RStructList("lvm_pv"), [], proc=207, group="lvm2",
           shortdesc="list the LVM physical volumes (PVs)",
           longdesc="""Like pvs, but return every field of each physical
volume (sizes in bytes, UUIDs as 32 characters without dashes).""",
           tests=[Test("partition", ["pvcreate /dev/sda1", "pvs_full"],
                       ExpectC("r->len == 1 && "
                               "strcmp (r->val[0].pv_name, \"/dev/sda1\") == 0 && "
                               "strcmp (r->val[0].pv_fmt, \"lvm2\") == 0 && "
                               "r->val[0].dev_size == 256*1048576 - 65536 - 127*512 && "
                               "r->val[0].pv_used == 0 && r->val[0].pv_mda_count == 1 && "
                               "strlen (r->val[0].pv_attr) == 3")),
                  Test("partition", ONE_VG + ["lvcreate LV VG 16", "pvs_full"],
                       ExpectC("r->len == 1 && r->val[0].pv_used == 16 << 20 && "
                               "r->val[0].pv_pe_alloc_count == 4 && "
                               "r->val[0].pv_free + r->val[0].pv_used == r->val[0].pv_size && "
                               "r->val[0].pv_attr[0] == 'a'")),
                  Test("empty", ["pvs_full"], ExpectC("r->len == 0"))]),
    Action("vgs_full", RStructList("lvm_vg"), [], proc=208, group="lvm2",
           shortdesc="list the LVM volume groups (VGs)",
           longdesc="""Like vgs, but return every field of each volume group
(sizes in bytes, UUIDs as 32 characters without dashes).""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 16", "vgs_full"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].vg_name, \"VG\") == 0 && "
                               "r->val[0].vg_extent_size == 4 << 20 && "
                               "r->val[0].vg_size == (uint64_t) r->val[0].vg_extent_count * (4 << 20) && "
                               "r->val[0].vg_free_count == r->val[0].vg_extent_count - 4 && "
                               "r->val[0].pv_count == 1 && r->val[0].lv_count == 1 && "
                               "strncmp (r->val[0].vg_attr, \"wz--n\", 5) == 0"))]),
    Action("lvs_full", RStructList("lvm_lv"), [], proc=209, group="lvm2",
           shortdesc="list the LVM logical volumes (LVs)",
           longdesc="""Like lvs, but return every field of each logical
volume (sizes in bytes, UUIDs as 32 characters without dashes; percentages
are -1 when they do not apply).  lv_name is the bare name of the volume.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 16", "lvs_full"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].lv_name, \"LV\") == 0 && "
                               "r->val[0].lv_size == 16 << 20 && r->val[0].seg_count == 1 && "
                               "r->val[0].lv_kernel_major > 0 && r->val[0].lv_major == -1 && "
                               "r->val[0].snap_percent == -1 && r->val[0].copy_percent == -1 && "
                               "strncmp (r->val[0].lv_attr, \"-wi-a-\", 6) == 0 && "
                               "strlen (r->val[0].origin) == 0"))]),
    # ------------------------------------------------------------ LVM: remove
    Action("pvremove", RErr(), [Device("device")], proc=210, group="lvm2",
           shortdesc="remove an LVM physical volume",
           longdesc="""Wipe the LVM physical volume label from device so that
LVM no longer sees it.  A physical volume that still belongs to a volume
group is refused: remove the volume group first.""",
           tests=[Test("partition", ["pvcreate /dev/sda1", "pvremove /dev/sda1",
                                     "pvs"], ExpectList([])),
                  Test("partition", ONE_VG + ["pvremove /dev/sda1"],
                       ExpectFail()),
                  Test("partition", ["pvremove /dev/sda1"], ExpectFail())]),
    Action("vgremove", RErr(), [String("vgname")], proc=211, group="lvm2",
           shortdesc="remove an LVM volume group",
           longdesc="""Remove the volume group vgname (for example "VG") and,
forcibly, every logical volume in it.  The physical volumes remain.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "vgremove VG", "lvs"],
                       ExpectList([])),
                  Test("partition", ONE_VG + ["vgremove VG", "pvs"],
                       ExpectList(["/dev/sda1"])),
                  Test("partition", ONE_VG + ["vgremove /dev/VG", "vgs"],
                       ExpectList([])),
                  Test("partition", ONE_VG + ["vgremove NOVG"], ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate LV VG 16",
                                              "mkfs ext2 /dev/VG/LV",
                                              "mount /dev/VG/LV /",
                                              "vgremove VG"], ExpectFail())]),
    Action("lvremove", RErr(), [String("device")], proc=212, group="lvm2",
           shortdesc="remove an LVM logical volume",
           longdesc="""Remove the logical volume device (/dev/VG/LV).  Given
a volume group directory /dev/VG instead, remove every logical volume in
that group.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "lvremove /dev/VG/LV1", "lvs"],
                       ExpectList(["/dev/VG/LV2"])),
                  Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "lvremove /dev/VG", "lvs"],
                       ExpectList([])),
                  Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvremove /dev/VG", "vgs"],
                       ExpectList(["VG"])),
                  Test("partition", ONE_VG + ["lvremove /dev/VG/NOLV"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvremove /dev/sda1"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8", "lvremove VG/LV"],
                       ExpectFail())]),
    Action("lvm_remove_all", RErr(), [], proc=213, group="lvm2",
           shortdesc="remove all LVM LVs, VGs and PVs",
           longdesc="""Remove every LVM logical volume, volume group and
physical volume found on the attached disks.  Succeeds (doing nothing) when
there are none.  Fails if a logical volume is in use (mounted).""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG \"/dev/sda1 /dev/sda2\"",
                                           "lvcreate LV1 VG 8",
                                           "lvcreate LV2 VG 8",
                                           "lvm_remove_all", "pvs"],
                       ExpectList([])),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "lvm_remove_all", "vgs"],
                       ExpectList([])),
                  Test("empty", ["lvm_remove_all"], ExpectRun())]),
    # ------------------------------------------------------------ LVM: resize
    Action("pvresize", RErr(), [Device("device")], proc=214, group="lvm2",
           shortdesc="resize an LVM physical volume",
           longdesc="""Grow or shrink the LVM physical volume on device to
the current size of the device (after the partition has been resized).""",
           tests=[Test("partition", ONE_VG + ["pvresize_size /dev/sda1 100000000",
                                              "pvresize /dev/sda1",
                                              "vgs_full"],
                       ExpectC("r->len == 1 && r->val[0].vg_extent_count == 63"))]),
    Action("pvresize_size", RErr(), [Device("device"), Int64("size")],
           proc=215, group="lvm2",
           shortdesc="resize an LVM physical volume (with size)",
           longdesc="""Like pvresize, but set the size of the physical volume
to size bytes instead of the size of the device.  Growing beyond the device
is refused.""",
           tests=[Test("partition", ONE_VG + ["pvresize_size /dev/sda1 100000000",
                                              "vgs_full"],
                       ExpectC("r->len == 1 && r->val[0].vg_extent_count == 23")),
                  Test("partition", ONE_VG + ["pvresize_size /dev/sda1 1000000000"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["pvresize_size /dev/sda1 -1"],
                       ExpectFail())]),
    Action("lvresize", RErr(), [Device("device"), Int("mbytes")],
           proc=216, group="lvm2",
           shortdesc="resize an LVM logical volume",
           longdesc="""Grow or shrink the logical volume device to mbytes
megabytes (MiB).  Shrinking throws away the data past the new end, and the
filesystem inside is not resized.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 16",
                                              "lvresize /dev/VG/LV 40",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(40 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV VG 40",
                                              "lvresize /dev/VG/LV 8",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV VG 16",
                                              "lvresize /dev/VG/LV 0"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvresize /dev/sda1 16"],
                       ExpectFail())]),
    Action("lvresize_free", RErr(), [Device("lv"), Int("percent")],
           proc=217, group="lvm2",
           shortdesc="expand an LV to fill free space",
           longdesc="""Grow the logical volume lv by percent % (1 to 100) of
the space still free in its volume group; 100 uses all of it.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 16",
                                              "lvresize_free /dev/VG/LV 100",
                                              "vgs_full"],
                       ExpectC("r->len == 1 && r->val[0].vg_free == 0")),
                  Test("partition", ONE_VG + ["lvcreate LV VG 16",
                                              "lvresize_free /dev/VG/LV 0"],
                       ExpectFail())]),
    # ------------------------------------------------------------ LVM: rename
    Action("lvrename", RErr(), [String("logvol"), String("newlogvol")],
           proc=218,
           shortdesc="rename an LVM logical volume",
           longdesc="""Rename the logical volume logvol (/dev/VG/LV) to
newlogvol, given either as /dev/VG/NEWNAME or as NEWNAME alone.  The volume
stays in the same volume group.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "lvrename /dev/VG/LV1 /dev/VG/LV3",
                                              "lvs"],
                       ExpectList(["/dev/VG/LV2", "/dev/VG/LV3"])),
                  Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvrename /dev/VG/LV1 NEW",
                                              "blockdev_getsize64 /dev/VG/NEW"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "lvrename /dev/VG/LV1 LV2"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["lvrename /dev/VG/NOLV NEW"],
                       ExpectFail())]),
    Action("vgrename", RErr(), [String("volgroup"), String("newvolgroup")],
           proc=219,
           shortdesc="rename an LVM volume group",
           longdesc="""Rename the volume group volgroup to newvolgroup; its
logical volumes then appear under /dev/newvolgroup/.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vgrename VG NEWVG", "lvs"],
                       ExpectList(["/dev/NEWVG/LV"])),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vgrename VG NEWVG",
                                              "blockdev_getsize64 /dev/NEWVG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["vgrename /dev/VG /dev/NEWVG",
                                              "vgs"],
                       ExpectList(["NEWVG"])),
                  Test("partition", ONE_VG + ["vgrename NOVG NEWVG"],
                       ExpectFail())]),
    # ------------------------------------------------------------ LVM: UUIDs
    Action("vgchange_uuid", RErr(), [String("vg")], proc=220, group="lvm2",
           shortdesc="generate a new random UUID for a volume group",
           longdesc="""Give the volume group vg a new random UUID.  LVM
refuses this while logical volumes in the group are active.

Like every call here that takes a volume group name, vg may be given as
"VG" or as "/dev/VG".""",
           tests=[Test("partition", ONE_VG + ["vgchange_uuid VG"], ExpectRun()),
                  # The /dev/VG form, as LVM's tools and libguestfs take it.
                  Test("partition", ONE_VG + ["vguuid VG", "vgchange_uuid /dev/VG",
                                              "vguuid /dev/VG"],
                       ExpectC("strlen (r) == 38")),
                  Test("partition", ONE_VG + ["vgchange_uuid /dev/NOVG"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["vgchange_uuid /dev/-VG"],
                       ExpectFail()),
                  Test("partition", ONE_VG + ["vgchange_uuid NOVG"],
                       ExpectFail())]),
    Action("vgchange_uuid_all", RErr(), [], proc=221, group="lvm2",
           shortdesc="generate new random UUIDs for all volume groups",
           longdesc="""Give every volume group a new random UUID (see
vgchange_uuid).""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "vgcreate VG2 /dev/sda2",
                                           "vgchange_uuid_all"], ExpectRun())]),
    Action("pvchange_uuid", RErr(), [Device("device")], proc=222, group="lvm2",
           shortdesc="generate a new random UUID for a physical volume",
           longdesc="""Give the LVM physical volume on device a new random
UUID.""",
           tests=[Test("partition", ONE_VG + ["pvchange_uuid /dev/sda1"],
                       ExpectRun()),
                  Test("partition", ["pvchange_uuid /dev/sda1"], ExpectFail())]),
    Action("pvchange_uuid_all", RErr(), [], proc=223, group="lvm2",
           shortdesc="generate new random UUIDs for all physical volumes",
           longdesc="""Give every LVM physical volume a new random UUID.""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG /dev/sda1",
                                           "pvchange_uuid_all"], ExpectRun())]),
    Action("pvuuid", RString(), [Device("device")], proc=226,
           shortdesc="get the UUID of a physical volume",
           longdesc="""Return the UUID of the LVM physical volume on device,
in LVM's form (with dashes).""",
           tests=[Test("partition", ["pvcreate /dev/sda1", "pvuuid /dev/sda1"],
                       ExpectC("strlen (r) == 38 && r[6] == '-'")),
                  Test("partition", ["pvuuid /dev/sda1"], ExpectFail())]),
    Action("vguuid", RString(), [String("vgname")], proc=227,
           shortdesc="get the UUID of a volume group",
           longdesc="""Return the UUID of the volume group vgname, in LVM's
form (with dashes).""",
           tests=[Test("partition", ONE_VG + ["vguuid VG"],
                       ExpectC("strlen (r) == 38")),
                  Test("partition", ONE_VG + ["vguuid NOVG"], ExpectFail())]),
    Action("lvuuid", RString(), [Device("device")], proc=228,
           shortdesc="get the UUID of a logical volume",
           longdesc="""Return the UUID of the logical volume device, in LVM's
form (with dashes).""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "lvuuid /dev/VG/LV"],
                       ExpectC("strlen (r) == 38")),
                  Test("partition", ONE_VG + ["lvuuid /dev/sda1"],
                       ExpectFail())]),
    Action("vglvuuids", RStringList(), [String("vgname")], proc=229,
           shortdesc="get the LV UUIDs of all LVs in the volume group",
           longdesc="""Return the UUIDs of the logical volumes in the volume
group vgname, to match against lvuuid.  See also vgpvuuids.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV1 VG 8",
                                              "lvcreate LV2 VG 8",
                                              "vglvuuids VG"],
                       ExpectC("r[0] && r[1] && !r[2] && strlen (r[0]) == 38")),
                  Test("partition", ONE_VG + ["vglvuuids /dev/VG"],
                       ExpectList([])),
                  Test("partition", ONE_VG + ["vglvuuids NOVG"],
                       ExpectFail())]),
    Action("vgpvuuids", RStringList(), [String("vgname")], proc=230,
           shortdesc="get the PV UUIDs containing the volume group",
           longdesc="""Return the UUIDs of the physical volumes the volume
group vgname lives on, to match against pvuuid.  See also vglvuuids.""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG \"/dev/sda1 /dev/sda2\"",
                                           "vgpvuuids VG"],
                       ExpectC("r[0] && r[1] && !r[2] && strlen (r[1]) == 38")),
                  Test("partition", ONE_VG + ["vgpvuuids /dev/VG"],
                       ExpectC("r[0] && !r[1] && strlen (r[0]) == 38")),
                  Test("partition", ONE_VG + ["vgpvuuids NOVG"],
                       ExpectFail())]),
    # ------------------------------------------------------------ LVM: activation
    Action("vg_activate", RErr(), [Bool("activate"), StringList("volgroups")],
           proc=224, group="lvm2",
           shortdesc="activate or deactivate some volume groups",
           longdesc="""Activate (activate true) or deactivate (false) every
logical volume in the volume groups listed in volgroups, as "vgchange -a y|n"
does.  An empty list means all volume groups.  Active logical volumes have
device nodes /dev/VG/LV.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate false /dev/VG",
                                              "vg_activate true /dev/VG",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate false VG",
                                              "is_lv /dev/sda1",
                                              "list_dm_devices",
                                              "lvs_full"],
                       ExpectC("r->len == 1 && r->val[0].lv_kernel_major == -1 && "
                               "r->val[0].lv_attr[4] == '-'")),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate false VG",
                                              "vg_activate true VG",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate false \"\"",
                                              "lvs_full"],
                       ExpectC("r->len == 1 && r->val[0].lv_kernel_major == -1")),
                  Test("partition", ONE_VG + ["vg_activate true NOVG"],
                       ExpectFail())]),
    Action("vg_activate_all", RErr(), [Bool("activate")], proc=225,
           group="lvm2",
           shortdesc="activate or deactivate all volume groups",
           longdesc="""Activate (activate true) or deactivate (false) every
logical volume of every volume group, as "vgchange -a y|n" does.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate_all false",
                                              "vg_activate_all true",
                                              "lvs_full"],
                       ExpectC("r->len == 1 && r->val[0].lv_kernel_major > 0")),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate_all false",
                                              "lvs"],
                       ExpectList(["/dev/VG/LV"]))]),
    Action("lvm_scan", RErr(), [Bool("activate")], proc=237,
           shortdesc="scan for LVM physical volumes, volume groups and logical volumes",
           longdesc="""Look at every block device again for LVM physical
volumes, volume groups and logical volumes, for example after a LUKS device
was opened.  With activate true, the logical volumes found are also
activated so that their /dev/VG/LV devices appear.  Launch already does a
scan, so this is only needed after the set of devices changed.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "vg_activate_all false",
                                              "lvm_scan true",
                                              "blockdev_getsize64 /dev/VG/LV"],
                       ExpectInt(8 << 20)),
                  Test("partition", ONE_VG + ["lvm_scan false", "vgs"],
                       ExpectList(["VG"]))]),
    Action("vgscan", RErr(), [], proc=234, deprecated_by="lvm_scan",
           shortdesc="rescan for LVM physical volumes, volume groups and logical volumes",
           longdesc="""Deprecated: use lvm_scan.  Look at every block device
again for LVM physical volumes, volume groups and logical volumes, without
activating anything.""",
           tests=[Test("partition", ONE_VG + ["vgscan", "vgs"],
                       ExpectList(["VG"]))]),
    # ------------------------------------------------------------ LVM: naming, misc
    Action("lvm_canonical_lv_name", RString(), [Device("lvname")], proc=231,
           shortdesc="get canonical name of an LV",
           longdesc="""Return the canonical name /dev/VG/LV of a logical
volume given under another name, such as /dev/mapper/VG-LV.  Fails with
errno EINVAL if lvname is not a logical volume.  See also is_lv.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "lvm_canonical_lv_name /dev/mapper/VG-LV"],
                       ExpectString("/dev/VG/LV")),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "lvm_canonical_lv_name /dev/VG/LV"],
                       ExpectString("/dev/VG/LV")),
                  Test("partition", ["pvcreate /dev/sda1",
                                     "vgcreate my-vg /dev/sda1",
                                     "lvcreate a-b-c my-vg 8",
                                     "lvm_canonical_lv_name /dev/mapper/my--vg-a--b--c"],
                       ExpectString("/dev/my-vg/a-b-c")),
                  Test("partition", ["lvm_canonical_lv_name /dev/sda1"],
                       ExpectFail())]),
    Action("is_lv", RBool(), [Mountable("mountable")], proc=236,
           shortdesc="test if mountable is a logical volume",
           longdesc="""Return true if mountable is an LVM logical volume
(under any of its names), false otherwise.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "is_lv /dev/VG/LV"], ExpectTrue()),
                  Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "is_lv /dev/mapper/VG-LV"],
                       ExpectTrue()),
                  Test("partition", ["is_lv /dev/sda1"], ExpectFalse()),
                  Test("partition", ["is_lv /dev/sda"], ExpectFalse())]),
    Action("vgmeta", RBufferOut(), [String("vgname")], proc=235, group="lvm2",
           shortdesc="get volume group metadata",
           longdesc="""Return the LVM metadata of the volume group vgname, in
LVM's own text format (as written by vgcfgbackup).  The format belongs to
LVM and may change; use it for information only.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8", "vgmeta VG"],
                       ExpectC("r_size > 0 && memmem (r, r_size, \"VG {\", 4) && "
                               "memmem (r, r_size, \"LV {\", 4)")),
                  Test("partition", ONE_VG + ["vgmeta /dev/VG"],
                       ExpectC("r_size > 0 && memmem (r, r_size, \"VG {\", 4)")),
                  Test("partition", ONE_VG + ["vgmeta NOVG"], ExpectFail())]),
    Action("lvm_set_filter", RErr(), [DeviceList("devices")], proc=233,
           group="lvm2",
           shortdesc="set LVM device filter",
           longdesc="""Make LVM see only the block devices in the list
devices (whole disks, which include their partitions, or single partitions)
and ignore every other device, for example to hide cloned physical volumes
with duplicate UUIDs.  All volume groups are deactivated, the devices are
scanned again and the volume groups found are activated.  This fails if a
logical volume is in use (mounted).  lvm_clear_filter undoes it.""",
           tests=[Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "vgcreate VG2 /dev/sda2",
                                           "lvm_set_filter /dev/sda2",
                                           "vgs"],
                       ExpectList(["VG2"])),
                  Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "lvm_set_filter /dev/sda", "pvs"],
                       ExpectList(["/dev/sda1", "/dev/sda2"])),
                  Test("empty", TWO_PVS + ["vgcreate VG1 /dev/sda1",
                                           "lvm_set_filter /dev/sdc", "pvs"],
                       ExpectList([])),
                  Test("empty", TWO_PVS + ["lvm_set_filter /dev/sdc",
                                           "lvm_clear_filter", "pvs"],
                       ExpectList(["/dev/sda1", "/dev/sda2"])),
                  Test("none", ["lvm_set_filter /dev/nosuchdev"], ExpectFail())]),
    Action("lvm_clear_filter", RErr(), [], proc=232,
           shortdesc="clear LVM device filter",
           longdesc="""Undo lvm_set_filter: LVM sees every block device
again.  The devices are scanned again and the volume groups found are
activated.""",
           tests=[Test("partition", ONE_VG + ["lvm_set_filter /dev/sdc",
                                              "lvm_clear_filter", "vgs"],
                       ExpectList(["VG"]))]),
    Action("list_dm_devices", RStringList(), [], proc=238,
           shortdesc="list device mapper devices",
           longdesc="""Return the device-mapper devices (/dev/mapper/NAME),
such as opened LUKS devices, sorted.  Logical volumes are left out: use lvs
for them.""",
           tests=[Test("partition", ONE_VG + ["lvcreate LV VG 8",
                                              "list_dm_devices"],
                       ExpectList([]))]),
]
