"""Structures returned by actions (same names and fields as libguestfs)."""
from generator.types import Struct

STRUCTS = [
    Struct("int_bool", [("i", "int32"), ("b", "int32")]),
    Struct("version", [("major", "int64"), ("minor", "int64"),
                       ("release", "int64"), ("extra", "string")]),
    Struct("partition", [("part_num", "int32"), ("part_start", "uint64"),
                         ("part_end", "uint64"), ("part_size", "uint64")]),
    Struct("statns", [(f, "int64") for f in (
        "st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid",
        "st_rdev", "st_size", "st_blksize", "st_blocks",
        "st_atime_sec", "st_atime_nsec", "st_mtime_sec", "st_mtime_nsec",
        "st_ctime_sec", "st_ctime_nsec",
        "st_spare1", "st_spare2", "st_spare3", "st_spare4", "st_spare5",
        "st_spare6")]),
]
