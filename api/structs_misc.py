"""Structures of the miscellaneous file, mount and disk actions (same
names, fields and types as libguestfs's guestfs.h)."""
from generator.types import Struct

STRUCTS = [
    # The old stat structure (whole-second times), returned by the
    # deprecated stat, lstat and lstatlist calls.
    Struct("stat", [(f, "int64") for f in (
        "dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size",
        "blksize", "blocks", "atime", "mtime", "ctime")]),
]
