"""Structures returned by the filesystem tools (same names and fields as
libguestfs)."""
from generator.types import Struct

STRUCTS = [
    Struct("xfsinfo", [
        ("xfs_mntpoint", "string"), ("xfs_inodesize", "uint32"),
        ("xfs_agcount", "uint32"), ("xfs_agsize", "uint32"),
        ("xfs_sectsize", "uint32"), ("xfs_attr", "uint32"),
        ("xfs_blocksize", "uint32"), ("xfs_datablocks", "uint64"),
        ("xfs_imaxpct", "uint32"), ("xfs_sunit", "uint32"),
        ("xfs_swidth", "uint32"), ("xfs_dirversion", "uint32"),
        ("xfs_dirblocksize", "uint32"), ("xfs_cimode", "uint32"),
        ("xfs_logname", "string"), ("xfs_logblocksize", "uint32"),
        ("xfs_logblocks", "uint32"), ("xfs_logversion", "uint32"),
        ("xfs_logsectsize", "uint32"), ("xfs_logsunit", "uint32"),
        ("xfs_lazycount", "uint32"), ("xfs_rtname", "string"),
        ("xfs_rtextsize", "uint32"), ("xfs_rtblocks", "uint64"),
        ("xfs_rtextents", "uint64")]),
    Struct("btrfssubvolume", [
        ("btrfssubvolume_id", "uint64"),
        ("btrfssubvolume_top_level_id", "uint64"),
        ("btrfssubvolume_path", "string")]),
]
