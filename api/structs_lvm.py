"""Structures returned by the LVM and MD actions (names, field order and
types as in libguestfs's guestfs.h)."""
from generator.types import Struct

STRUCTS = [
    Struct("lvm_pv", [
        ("pv_name", "string"), ("pv_uuid", "uuid"), ("pv_fmt", "string"),
        ("pv_size", "uint64"), ("dev_size", "uint64"), ("pv_free", "uint64"),
        ("pv_used", "uint64"), ("pv_attr", "string"),
        ("pv_pe_count", "int64"), ("pv_pe_alloc_count", "int64"),
        ("pv_tags", "string"), ("pe_start", "uint64"),
        ("pv_mda_count", "int64"), ("pv_mda_free", "uint64")]),
    Struct("lvm_vg", [
        ("vg_name", "string"), ("vg_uuid", "uuid"), ("vg_fmt", "string"),
        ("vg_attr", "string"), ("vg_size", "uint64"), ("vg_free", "uint64"),
        ("vg_sysid", "string"), ("vg_extent_size", "uint64"),
        ("vg_extent_count", "int64"), ("vg_free_count", "int64"),
        ("max_lv", "int64"), ("max_pv", "int64"), ("pv_count", "int64"),
        ("lv_count", "int64"), ("snap_count", "int64"), ("vg_seqno", "int64"),
        ("vg_tags", "string"), ("vg_mda_count", "int64"),
        ("vg_mda_free", "uint64")]),
    Struct("lvm_lv", [
        ("lv_name", "string"), ("lv_uuid", "uuid"), ("lv_attr", "string"),
        ("lv_major", "int64"), ("lv_minor", "int64"),
        ("lv_kernel_major", "int64"), ("lv_kernel_minor", "int64"),
        ("lv_size", "uint64"), ("seg_count", "int64"), ("origin", "string"),
        ("snap_percent", "optpercent"), ("copy_percent", "optpercent"),
        ("move_pv", "string"), ("lv_tags", "string"),
        ("mirror_log", "string"), ("modules", "string")]),
    Struct("mdstat", [
        ("mdstat_device", "string"), ("mdstat_index", "int32"),
        ("mdstat_flags", "string")]),
]
