"""Daemon actions: Windows dynamic disks through ldmtool
(daemon/storage/ldm.c)."""
from generator.types import *

_BAD_DG = "00000000-0000-0000-0000-000000000000"

ACTIONS = [
    # ---- Windows dynamic disks ----
    Action("ldmtool_scan", RStringList(), [], proc=773, group="ldm",
           shortdesc="scan for Windows dynamic disks",
           longdesc="Look for Windows dynamic disk (LDM) metadata on every "
           "disk and return the GUIDs of the disk groups found, for the "
           "other ldmtool_* calls.",
           tests=[Test("empty", ["ldmtool_scan"], ExpectList([]))]),
    Action("ldmtool_scan_devices", RStringList(), [DeviceList("devices")], proc=774,
           group="ldm",
           shortdesc="scan for Windows dynamic disks",
           longdesc="Like ldmtool_scan, looking only at the listed block "
           "devices (all disks if the list is empty).",
           tests=[Test("empty", ["ldmtool_scan_devices /dev/sda"], ExpectList([])),
                  Test("empty", ["ldmtool_scan_devices \"\""], ExpectList([])),
                  Test("empty", ["ldmtool_scan_devices /dev/hatch-nosuch"], ExpectFail())]),
    Action("ldmtool_create_all", RErr(), [], proc=771, group="ldm",
           shortdesc="scan and create Windows dynamic disk volumes",
           longdesc="Find the Windows dynamic disk volumes and partitions on "
           "all disks and make a device-mapper device for each; "
           "list_ldm_volumes and list_ldm_partitions list them.",
           tests=[Test("empty", ["ldmtool_create_all", "list_ldm_volumes"],
                       ExpectList([]))]),
    Action("ldmtool_remove_all", RErr(), [], proc=772, group="ldm",
           shortdesc="remove all Windows dynamic disk volumes",
           longdesc="Remove the device-mapper devices of all Windows dynamic "
           "disk volumes (the reverse of ldmtool_create_all).",
           tests=[Test("empty", ["ldmtool_remove_all", "list_ldm_partitions"],
                       ExpectList([]))]),
    Action("ldmtool_diskgroup_name", RString(), [String("diskgroup")], proc=775,
           group="ldm",
           shortdesc="return the name of a Windows dynamic disk group",
           longdesc="Return the name of the disk group with this GUID (one "
           "of those ldmtool_scan returns).",
           tests=[Test("empty", ["ldmtool_diskgroup_name " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_diskgroup_volumes", RStringList(), [String("diskgroup")], proc=776,
           group="ldm",
           shortdesc="return the volumes in a Windows dynamic disk group",
           longdesc="Return the names of the volumes of the disk group with "
           "this GUID.",
           tests=[Test("empty", ["ldmtool_diskgroup_volumes " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_diskgroup_disks", RStringList(), [String("diskgroup")], proc=777,
           group="ldm",
           shortdesc="return the disks in a Windows dynamic disk group",
           longdesc="Return the names of the disks of the disk group with "
           "this GUID.",
           tests=[Test("empty", ["ldmtool_diskgroup_disks " + _BAD_DG], ExpectFail())]),
    Action("ldmtool_volume_type", RString(), [String("diskgroup"), String("volume")],
           proc=778, group="ldm",
           shortdesc="return the type of a Windows dynamic disk volume",
           longdesc="Return the type of the named volume of the disk group: "
           "simple, spanned, striped, mirrored, raid5 or another type "
           "ldmtool knows.",
           tests=[Test("empty", ["ldmtool_volume_type " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("ldmtool_volume_hint", RString(), [String("diskgroup"), String("volume")],
           proc=779, group="ldm",
           shortdesc="return the hint field of a Windows dynamic disk volume",
           longdesc="Return the mount hint of the named volume of the disk "
           "group, often a drive letter such as E:, or the empty string "
           "when it has none.",
           tests=[Test("empty", ["ldmtool_volume_hint " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("ldmtool_volume_partitions", RStringList(),
           [String("diskgroup"), String("volume")], proc=780, group="ldm",
           shortdesc="return the partitions in a Windows dynamic disk volume",
           longdesc="Return the names of the partitions making up the named "
           "volume of the disk group.",
           tests=[Test("empty", ["ldmtool_volume_partitions " + _BAD_DG + " Volume1"],
                       ExpectFail())]),
    Action("list_ldm_volumes", RStringList(), [], proc=781, group="ldm",
           shortdesc="list all Windows dynamic disk volumes",
           longdesc="List the device-mapper devices of the Windows dynamic "
           "disk volumes found (/dev/mapper/ldm_vol_*).",
           tests=[Test("empty", ["list_ldm_volumes"], ExpectList([]))]),
    Action("list_ldm_partitions", RStringList(), [], proc=782, group="ldm",
           shortdesc="list all Windows dynamic disk partitions",
           longdesc="List the device-mapper devices of the Windows dynamic "
           "disk partitions found (/dev/mapper/ldm_part_*).",
           tests=[Test("empty", ["list_ldm_partitions"], ExpectList([]))]),
]
