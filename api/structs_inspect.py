"""Structures returned by the inspection actions (same names, fields and
types as libguestfs's guestfs.h)."""
from generator.types import Struct

_APP_FIELDS = ["name", "display_name", "epoch", "version", "release",
               "install_path", "trans_path", "publisher", "url",
               "source_package", "summary", "description"]

STRUCTS = [
    Struct("application", [("app_" + f, "int32" if f == "epoch" else "string")
                           for f in _APP_FIELDS]),
    Struct("application2", [("app2_" + f, "int32" if f == "epoch" else "string")
                            for f in _APP_FIELDS[:5] + ["arch"] + _APP_FIELDS[5:]]
           + [("app2_spare%d" % i, "string") for i in range(1, 5)]),
]
