"""Structures returned by the file and directory actions
(same names, fields and types as libguestfs's guestfs.h)."""
from generator.types import Struct

STRUCTS = [
    Struct("dirent", [("ino", "int64"), ("ftyp", "char"), ("name", "string")]),
    Struct("statvfs", [(f, "int64") for f in (
        "bsize", "frsize", "blocks", "bfree", "bavail", "files", "ffree",
        "favail", "fsid", "flag", "namemax")]),
]
