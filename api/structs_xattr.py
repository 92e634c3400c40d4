"""Structures returned by the xattr and hivex actions (same names and
fields as libguestfs)."""
from generator.types import Struct

STRUCTS = [
    Struct("xattr", [("attrname", "string"), ("attrval", "buffer")]),
    Struct("hivex_node", [("hivex_node_h", "int64")]),
    Struct("hivex_value", [("hivex_value_h", "int64")]),
]
