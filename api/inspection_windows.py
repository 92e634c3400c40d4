"""Daemon actions for Windows guests: case_sensitive_path.

Windows inspection itself (inspect_os on an NTFS root, the
inspect_get_windows_* getters, drive mappings and the Windows programs of
inspect_list_applications2) lives in daemon/inspection/windows.c behind the
actions of api/inspection.py; tests/shell/inspect-windows.sh checks it on the
images made by tests/data/make-guest-windows.sh."""
from generator.types import *

# A tree with names in mixed case, on the shared scratch filesystem.
_TREE = ["mkdir_p /CSPath/Windows/System32",
         "touch /CSPath/Windows/System32/netkvm.sys"]

ACTIONS = [
    Action("case_sensitive_path", RString(), [Pathname("path")], proc=880,
           shortdesc="return true path on case-insensitive filesystem",
           longdesc="""Windows paths ignore case, but Linux filesystem
drivers such as ntfs-3g show each name with the case it was stored with,
so C:\\windows may be /WINDOWS, /Windows or /windows in the guest tree.
This looks up path one element at a time, matching each element against
the directory entries without regard to (ASCII) case, and returns the path
with the case found on disk.  An exact match is preferred when several
names differ only in case.

If everything but the last element exists, the last element is appended
as given, so the result can name a file about to be created.  If a
directory before it is missing, it is an error.  This is therefore no way
to test whether a file exists.

A path with "." or ".." elements is an error, as is a trailing "/" after
an element that is not a directory; doubled slashes are allowed.  Drive
letters and backslashes are not understood: convert them first.  Symbolic
links are followed inside the guest tree.""",
           tests=[Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system32/NETKVM.SYS"],
                       ExpectString("/CSPath/Windows/System32/netkvm.sys")),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system32/NoSuchFile"],
                       ExpectString("/CSPath/Windows/System32/NoSuchFile"),
                       name="missing last element kept as given"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system33/netkvm.sys"],
                       ExpectFail(), name="missing directory"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/WINDOWS/system32/netkvm.sys/x"],
                       ExpectFail(), name="file used as a directory"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath//windows///system32/"],
                       ExpectString("/CSPath/Windows/System32"),
                       name="doubled and trailing slashes"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/../WINDOWS/system32"],
                       ExpectFail(), name="dot-dot element"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system32/.."],
                       ExpectFail(), name="dot-dot last"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/./windows"],
                       ExpectFail(), name="dot element"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system32/NETKVM.SYS/"],
                       ExpectFail(), name="trailing slash after a file"),
                  Test("scratchfs", _TREE + ["case_sensitive_path /cspath/windows/system32/newdir/"],
                       ExpectString("/CSPath/Windows/System32/newdir"),
                       name="trailing slash after a missing last element"),
                  Test("scratchfs", ["mkdir_p /CSExact/abc", "mkdir_p /CSExact/ABC",
                                     "case_sensitive_path /csexact/ABC"],
                       ExpectString("/CSExact/ABC"), name="exact match wins"),
                  Test("scratchfs", ["case_sensitive_path /"], ExpectString("/")),
                  Test("scratchfs", ["case_sensitive_path relative"], ExpectFail(),
                       name="relative path")]),
]
