"""Structures returned by the system-level and forensic actions (same
names, fields and types as libguestfs's guestfs.h)."""
from generator.types import Struct

STRUCTS = [
    Struct("utsname", [("uts_sysname", "string"), ("uts_release", "string"),
                       ("uts_version", "string"), ("uts_machine", "string")]),
    Struct("isoinfo", [
        ("iso_system_id", "string"), ("iso_volume_id", "string"),
        ("iso_volume_space_size", "uint32"), ("iso_volume_set_size", "uint32"),
        ("iso_volume_sequence_number", "uint32"),
        ("iso_logical_block_size", "uint32"),
        ("iso_volume_set_id", "string"), ("iso_publisher_id", "string"),
        ("iso_data_preparer_id", "string"), ("iso_application_id", "string"),
        ("iso_copyright_file_id", "string"), ("iso_abstract_file_id", "string"),
        ("iso_bibliographic_file_id", "string"),
        ("iso_volume_creation_t", "int64"), ("iso_volume_modification_t", "int64"),
        ("iso_volume_expiration_t", "int64"), ("iso_volume_effective_t", "int64")]),
    Struct("inotify_event", [("in_wd", "int64"), ("in_mask", "uint32"),
                             ("in_cookie", "uint32"), ("in_name", "string")]),
    Struct("tsk_dirent", [
        ("tsk_inode", "uint64"), ("tsk_type", "char"), ("tsk_size", "int64"),
        ("tsk_name", "string"), ("tsk_flags", "uint32"),
        ("tsk_atime_sec", "int64"), ("tsk_atime_nsec", "int64"),
        ("tsk_mtime_sec", "int64"), ("tsk_mtime_nsec", "int64"),
        ("tsk_ctime_sec", "int64"), ("tsk_ctime_nsec", "int64"),
        ("tsk_crtime_sec", "int64"), ("tsk_crtime_nsec", "int64"),
        ("tsk_nlink", "int64"), ("tsk_link", "string"), ("tsk_spare1", "int64")]),
    Struct("yara_detection", [("yara_name", "string"), ("yara_rule", "string")]),
]
