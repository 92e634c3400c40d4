"""Forensic access below or beside the filesystems (daemon/forensic/): The
Sleuth Kit (ntfscat_i, download_inode, download_blocks, filesystem_walk,
find_inode), Yara scans and ISO 9660 descriptors (isoinfo)."""
from generator.types import *

# 2020-01-02 03:04:05 at GMT+1 (offset 4 quarter hours) = 1577930645
_ISO_CHECK = ("strcmp (r->iso_system_id, \"LINUX\") == 0 && "
              "strcmp (r->iso_volume_id, \"HATCH_TEST_VOL\") == 0 && "
              "r->iso_volume_space_size == 20 && r->iso_volume_set_size == 1 && "
              "r->iso_volume_sequence_number == 1 && r->iso_logical_block_size == 2048 && "
              "r->iso_volume_creation_t == 1577930645 && "
              "r->iso_volume_expiration_t == -1 && r->iso_publisher_id[0] == '\\0'")

# An ISO 9660 primary volume descriptor written by hand: sector 16
# (byte 32768) holds type 1 "CD001", system id at +8, volume id at +40,
# space size at +80, block size at +128, creation date at +813; sector 17
# holds the set terminator (type 255).
def _iso_commands(write, target):
    base = 32768
    return [
        "%s %s \"\\x01CD001\\x01\" %d" % (write, target, base),
        "%s %s \"LINUX\" %d" % (write, target, base + 8),
        "%s %s \"HATCH_TEST_VOL\" %d" % (write, target, base + 40),
        "%s %s \"\\x14\\x00\\x00\\x00\\x00\\x00\\x00\\x14\" %d" % (write, target, base + 80),
        "%s %s \"\\x01\\x00\\x00\\x01\\x01\\x00\\x00\\x01\\x00\\x08\\x08\\x00\" %d" % (write, target, base + 120),
        "%s %s \"2020010203040500\\x04\" %d" % (write, target, base + 813),
        "%s %s \"\\xffCD001\\x01\" %d" % (write, target, base + 2048),
    ]

ACTIONS = [
    # ---- ISO 9660 ----
    Action("isoinfo_device", RStruct("isoinfo"), [Device("device")], proc=764,
           shortdesc="get ISO information from primary volume descriptor of ISO file",
           longdesc="Read the primary volume descriptor of the ISO 9660 "
           "image on device (the ISO's counterpart of a superblock) and "
           "return its fields.  Text fields lose their padding; a date "
           "that is not set is returned as -1, others as seconds since the "
           "epoch (UTC).",
           tests=[Test("none", _iso_commands("pwrite_device", "/dev/sdc") +
                       ["isoinfo_device /dev/sdc"], ExpectC(_ISO_CHECK)),
                  Test("empty", ["isoinfo_device /dev/sda"], ExpectFail(),
                       name="a blank disk is not an ISO")]),
    Action("isoinfo", RStruct("isoinfo"), [Pathname("isofile")], proc=763,
           shortdesc="get ISO information from primary volume descriptor of ISO file",
           longdesc="Like isoinfo_device, for an ISO image stored as a file "
           "in the mounted filesystem.",
           tests=[Test("scratchfs", ["touch /isoinfo1", "truncate_size /isoinfo1 40960"] +
                       _iso_commands("pwrite", "/isoinfo1") + ["isoinfo /isoinfo1"],
                       ExpectC(_ISO_CHECK)),
                  Test("scratchfs", ["write /isoinfo2 short", "isoinfo /isoinfo2"],
                       ExpectFail()),
                  Test("scratchfs", ["touch /isoinfo3", "truncate_size /isoinfo3 40960",
                                     "pwrite /isoinfo3 \"\\xffCD001\\x01\" 32768",
                                     "isoinfo /isoinfo3"], ExpectFail(),
                       name="no primary volume descriptor"),
                  Test("scratchfs", ["isoinfo /isoinfo-missing"], ExpectFail())]),
    # ---- The Sleuth Kit ----
    Action("internal_filesystem_walk", RErr(), [Device("device"), FileOut("filename")],
           proc=789, group="libtsk", internal=True,
           shortdesc="walk through the filesystem content",
           longdesc="Internal half of filesystem_walk: the entries as a "
           "stream of records (a 4-byte big-endian length, then the XDR "
           "encoding of a tsk_dirent).",
           tests=[Test("basicfs", ["internal_filesystem_walk /dev/sda1 /dev/null"],
                       ExpectRun())]),
    Action("filesystem_walk", RStructList("tsk_dirent"), [Device("device")],
           group="libtsk", progress=True,
           shortdesc="walk through the filesystem content",
           longdesc="Read the internal structures of the filesystem on "
           "device (which need not be mounted) and return every file and "
           "directory in it, deleted ones included, in no particular order "
           "(\".\" and \"..\" entries are left out).  Deleted files whose name "
           "is gone are listed as $OrphanFiles/OrphanFile-INODE.\n\n"
           "Fields of tsk_dirent: tsk_inode, the inode number (may be 0 "
           "for a deleted entry); tsk_type, one of b (block device), c "
           "(character device), d (directory), f (FIFO), l (symbolic "
           "link), r (regular file), s (socket), h (Solaris shadow inode), "
           "w (BSD whiteout), u (unknown); tsk_size, the size in bytes (-1 "
           "when unknown); tsk_name, the path below the filesystem's root "
           "without a leading /; tsk_flags, an OR of 0x1 (the name is "
           "allocated: the file is not deleted), 0x2 (the name is deleted "
           "but its inode is allocated again, so the other fields may "
           "describe a newer file) and 0x4 (compressed by the filesystem, "
           "as on NTFS); the access, modification, status change and "
           "creation times in seconds and nanoseconds; tsk_nlink, the "
           "number of names of the inode; tsk_link, the target of a "
           "symbolic link (else empty); tsk_spare1, always 0.",
           tests=[Test("basicfs", ["mkdir /fwd", "write /fwd/hello hi",
                                   "ln_s hello /fwd/lnk", "umount /",
                                   "filesystem_walk /dev/sda1"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i) {"
                               " if (strcmp (r->val[i].tsk_name, \"fwd/hello\") == 0 &&"
                               " r->val[i].tsk_type == 'r' && r->val[i].tsk_size == 2 &&"
                               " r->val[i].tsk_flags == 1 && r->val[i].tsk_nlink == 1) ok |= 1;"
                               " if (strcmp (r->val[i].tsk_name, \"fwd/lnk\") == 0 &&"
                               " r->val[i].tsk_type == 'l' && strcmp (r->val[i].tsk_link, \"hello\") == 0) ok |= 2;"
                               " if (strcmp (r->val[i].tsk_name, \"fwd\") == 0 && r->val[i].tsk_type == 'd') ok |= 4;"
                               " if (strcmp (r->val[i].tsk_name, \".\") == 0) ok |= 8; }"
                               " ok == 7; })")),
                  Test("basicfs", ["write /fwdel gone", "rm /fwdel", "umount /",
                                   "filesystem_walk /dev/sda1"],
                       ExpectC("({ int ok = 0; for (uint32_t i = 0; i < r->len; ++i)"
                               " if (r->val[i].tsk_inode == 12 &&"
                               " strstr (r->val[i].tsk_name, \"OrphanFile-12\") != NULL &&"
                               " (r->val[i].tsk_flags & 1) == 0) ok = 1; ok; })"),
                       name="deleted file listed"),
                  Test("empty", ["filesystem_walk /dev/sda"], ExpectFail(),
                       name="no filesystem")]),
    Action("internal_find_inode", RErr(),
           [Device("device"), Int64("inode"), FileOut("filename")],
           proc=790, group="libtsk", internal=True,
           shortdesc="search the entries associated to the given inode",
           longdesc="Internal half of find_inode, in the record format of "
           "internal_filesystem_walk.",
           tests=[Test("basicfs", ["internal_find_inode /dev/sda1 2 /dev/null"],
                       ExpectRun())]),
    Action("find_inode", RStructList("tsk_dirent"), [Device("device"), Int64("inode")],
           group="libtsk", progress=True,
           shortdesc="search the entries associated to the given inode",
           longdesc="Return the entries (names) of the filesystem on device "
           "that refer to inode, deleted ones included, as tsk_dirent "
           "structures (see filesystem_walk).",
           tests=[Test("basicfs", ["write /fi1 data", "ln /fi1 /fi2", "umount /",
                                   "find_inode /dev/sda1 12"],
                       ExpectC("r->len == 2 && r->val[0].tsk_inode == 12 && "
                               "r->val[0].tsk_nlink == 2 && r->val[1].tsk_inode == 12")),
                  Test("basicfs", ["umount /", "find_inode /dev/sda1 -1"], ExpectFail())]),
    Action("download_inode", RErr(), [Device("device"), Int64("inode"), FileOut("filename")],
           proc=787, group="sleuthkit", progress=True,
           shortdesc="download a file to the local machine given its inode",
           longdesc="Save the content of the file with this inode number in "
           "the filesystem on device (which need not be mounted) as "
           "filename on the host.  This can read deleted files whose data "
           "has not been reused, and files no path reaches.",
           tests=[Test("basicfs", ["write /dli hello", "umount /",
                                   "download_inode /dev/sda1 12 /dev/null"], ExpectRun()),
                  Test("basicfs", ["umount /", "download_inode /dev/sda1 999999 /dev/null"],
                       ExpectFail()),
                  Test("empty", ["download_inode /dev/sda 2 /dev/null"], ExpectFail())]),
    Action("download_blocks", RErr(),
           [Device("device"), Int64("start"), Int64("stop"), FileOut("filename")],
           [OBool("unallocated")], proc=788, group="sleuthkit", progress=True,
           shortdesc="download the given data units from the disk",
           longdesc="Save the data units (blocks on ext2/3/4, clusters on "
           "NTFS) start to stop of the filesystem on device as filename "
           "on the host.  With unallocated true only the units not in use "
           "are saved, which may hold deleted data.  On sparse image formats "
           "the result may be large and mostly zeros.",
           tests=[Test("basicfs", ["umount /", "download_blocks /dev/sda1 0 3 /dev/null"],
                       ExpectRun()),
                  Test("basicfs", ["umount /",
                                   "download_blocks /dev/sda1 0 3 /dev/null unallocated:true"],
                       ExpectRun()),
                  Test("basicfs", ["umount /", "download_blocks /dev/sda1 5 2 /dev/null"],
                       ExpectFail()),
                  Test("empty", ["download_blocks /dev/sda 0 1 /dev/null"], ExpectFail())]),
    Action("ntfscat_i", RErr(), [Mountable("device"), Int64("inode"), FileOut("filename")],
           proc=786, group="ntfs3g", progress=True,
           shortdesc="download a file to the local machine given its inode",
           longdesc="Save the content of the file with this inode (MFT "
           "record number) of the NTFS filesystem on device as filename on "
           "the host; this reaches files such as those under $Extend.  The "
           "filesystem must not be mounted.",
           tests=[Test("partition", ["mkfs ntfs /dev/sda1",
                                     "ntfscat_i /dev/sda1 0 /dev/null"], ExpectRun(),
                       name="the $MFT file"),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "ntfscat_i /dev/sda1 0 /dev/null"], ExpectFail())]),
    # ---- Yara ----
    Action("yara_load", RErr(), [FileIn("filename")], proc=799, group="libyara",
           progress=True,
           shortdesc="load yara rules within libguestfs",
           longdesc="Upload the Yara rules in the local file filename, which "
           "holds either rule source (compiled here) or rules compiled by "
           "yarac, replacing rules loaded before.  Source rules cannot "
           "include other files: compile such rules first.  Scan files "
           "with yara_scan.",
           tests=[Test("none", ["yara_load /dev/null", "yara_destroy"], ExpectRun(),
                       name="an empty rule set")]),
    Action("yara_destroy", RErr(), [], proc=800, group="libyara",
           shortdesc="destroy previously loaded yara rules",
           longdesc="Free the Yara rules loaded by yara_load.",
           tests=[Test("none", ["yara_load /dev/null", "yara_destroy", "yara_destroy"],
                       ExpectFail())]),
    Action("internal_yara_scan", RErr(), [Pathname("path"), FileOut("filename")],
           proc=801, group="libyara", internal=True,
           shortdesc="scan a file with the loaded yara rules",
           longdesc="Internal half of yara_scan: the matches as records (a "
           "4-byte big-endian length, then the XDR encoding of a "
           "yara_detection).",
           tests=[Test("scratchfs", ["yara_load /dev/null", "yara_destroy",
                                     "write /yis1 x", "internal_yara_scan /yis1 /dev/null"],
                       ExpectFail(), name="no rules loaded")]),
    Action("yara_scan", RStructList("yara_detection"), [Pathname("path")],
           group="libyara", progress=True,
           shortdesc="scan a file with the loaded yara rules",
           longdesc="Scan the file with the rules loaded by yara_load and "
           "return one yara_detection for each rule that matched: "
           "yara_name is the path of the file, yara_rule the identifier of "
           "the rule.",
           tests=[Test("scratchfs", ["yara_load /dev/null", "write /ys1 hello",
                                     "yara_scan /ys1"], ExpectC("r->len == 0")),
                  Test("scratchfs", ["yara_load /dev/null", "yara_scan /ys-missing"],
                       ExpectFail())]),
]
