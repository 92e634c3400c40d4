#!/usr/bin/env python3
"""Make tests/data/test.hive, the small Windows Registry hive used by the
hivex_* table tests.

The empty hive (a base block, one 4 KiB bin, a root key "ROOT" and one
security record) is written here from the published layout of the regf
format; keys and values are then added with hivexregedit --merge (Debian
package libwin-hivex-perl) from the .reg text below.  The result is
committed, so the tests do not need hivexregedit; rerun this script only
to change the hive, and update the node/value handles the tests name.

usage: tests/data/make-test-hive.py [OUTPUT]"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

REG = r"""Windows Registry Editor Version 5.00

[\Software]

[\Software\Hatch]
"Greeting"="hello"
"Count"=dword:0000002a
"Blob"=hex:01,02,03,00,ff

[\Software\Hatch\Child]
@="default value"

[\System]
"""


def cell(data):
    """An allocated cell: negative size (header included), 8-byte aligned."""
    size = (4 + len(data) + 7) & ~7
    return struct.pack("<i", -size) + data + b"\0" * (size - 4 - len(data))


def empty_hive():
    bin_start = 0x1000
    root_off = 0x20                        # offsets count from the first bin
    # nk record of the root key, then the sk record it points to.
    name = b"ROOT"
    nk_len = 4 + 76 + len(name)
    nk_size = (nk_len + 7) & ~7
    sk_off = root_off + nk_size
    nk = struct.pack("<2sHQIIIIIIIIIIIIIIIHH",
                     b"nk", 0x2c,          # hive entry | no delete | ASCII name
                     0, 0,                 # timestamp, access bits
                     0xffffffff,           # parent (none)
                     0, 0,                 # subkeys, volatile subkeys
                     0xffffffff, 0xffffffff,
                     0, 0xffffffff,        # values, value list
                     sk_off, 0xffffffff,   # security, class name
                     0, 0, 0, 0, 0,        # max lengths, work var
                     len(name), 0) + name
    # A minimal self-relative security descriptor with no owner, group or ACLs.
    sd = struct.pack("<BBHIIII", 1, 0, 0x8000, 0, 0, 0, 0)
    sk = struct.pack("<2sHIIII", b"sk", 0, sk_off, sk_off, 1, len(sd)) + sd
    cells = cell(nk) + cell(sk)
    free = 0x1000 - 0x20 - len(cells)
    hbin = struct.pack("<4sIIIIQI", b"hbin", 0, 0x1000, 0, 0, 0, 0)
    hbin += cells + struct.pack("<i", free) + b"\0" * (free - 4)
    assert len(hbin) == 0x1000
    base = struct.pack("<4sIIQIIIIIII", b"regf", 1, 1, 0, 1, 3, 0, 1,
                       root_off, len(hbin), 1)
    base += "hatch-test".encode("utf-16-le").ljust(64, b"\0")
    base = base.ljust(508, b"\0")
    csum = 0
    for (w,) in struct.iter_unpack("<I", base):
        csum ^= w
    base += struct.pack("<I", csum)
    base = base.ljust(bin_start, b"\0")
    return base + hbin


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "test.hive")
    with tempfile.TemporaryDirectory() as tmp:
        hive = os.path.join(tmp, "h")
        reg = os.path.join(tmp, "r.reg")
        with open(hive, "wb") as f:
            f.write(empty_hive())
        with open(reg, "w") as f:
            f.write(REG)
        subprocess.run(["hivexregedit", "--merge", hive, reg], check=True)
        shutil.copyfile(hive, out)


if __name__ == "__main__":
    main()
