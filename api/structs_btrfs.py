"""Structures returned by the btrfs actions and by internal_parse_mountable
(same names, fields and types as libguestfs's guestfs.h)."""
from generator.types import Struct

STRUCTS = [
    Struct("btrfsbalance", [
        ("btrfsbalance_status", "string"),
        ("btrfsbalance_total", "uint64"),
        ("btrfsbalance_balanced", "uint64"),
        ("btrfsbalance_considered", "uint64"),
        ("btrfsbalance_left", "uint64")]),
    Struct("btrfsqgroup", [
        ("btrfsqgroup_id", "string"),
        ("btrfsqgroup_rfer", "uint64"),
        ("btrfsqgroup_excl", "uint64")]),
    Struct("btrfsscrub", [
        ("btrfsscrub_data_extents_scrubbed", "uint64"),
        ("btrfsscrub_tree_extents_scrubbed", "uint64"),
        ("btrfsscrub_data_bytes_scrubbed", "uint64"),
        ("btrfsscrub_tree_bytes_scrubbed", "uint64"),
        ("btrfsscrub_read_errors", "uint64"),
        ("btrfsscrub_csum_errors", "uint64"),
        ("btrfsscrub_verify_errors", "uint64"),
        ("btrfsscrub_no_csum", "uint64"),
        ("btrfsscrub_csum_discards", "uint64"),
        ("btrfsscrub_super_errors", "uint64"),
        ("btrfsscrub_malloc_errors", "uint64"),
        ("btrfsscrub_uncorrectable_errors", "uint64"),
        ("btrfsscrub_unverified_errors", "uint64"),
        ("btrfsscrub_corrected_errors", "uint64"),
        ("btrfsscrub_last_physical", "uint64")]),
    Struct("internal_mountable", [
        ("im_type", "int32"),
        ("im_device", "string"),
        ("im_volume", "string")]),
]
