#!/usr/bin/python3
"""Build a real rpm package database for the inspection test guests.

usage: make-rpmdb.py FORMAT PACKAGES.tsv OUTDIR
  FORMAT   sqlite  OUTDIR/rpmdb.sqlite  (what Fedora 33+ and RHEL 9 have)
           ndb     OUTDIR/Packages.db   (openSUSE)
           bdb     OUTDIR/Packages      (Berkeley DB hash: RHEL/CentOS 7)
  PACKAGES one package a line, tab-separated:
           name epoch version release arch url summary description
           ("-" for an absent epoch or url; "\\n" in the description is a
           newline).

Tiny empty packages are built with Debian's rpmbuild and recorded with
rpm --justdb into a sqlite database, so the header blobs are rpm's own.
For ndb and bdb the same blobs are then written into those containers:
ndb by this script (Debian's rpm has no ndb backend), bdb with
db5.3-util's db5.3_load (db-util's db_load, where installed, is the same
program)."""
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib


def build_rpms(packages, tmp):
    top = os.path.join(tmp, "top")
    rpms = []
    for i, p in enumerate(packages):
        name, epoch, version, release, arch, url, summary, desc = p
        spec = os.path.join(tmp, "p%d.spec" % i)
        with open(spec, "w") as f:
            f.write("Name: %s\n" % name)
            if epoch != "-":
                f.write("Epoch: %s\n" % epoch)
            f.write("Version: %s\nRelease: %s\nSummary: %s\nLicense: MIT\n"
                    % (version, release, summary))
            if url != "-":
                f.write("URL: %s\n" % url)
            if arch == "noarch":
                f.write("BuildArch: noarch\n")
            f.write("%%description\n%s\n%%files\n" % desc.replace("\\n", "\n"))
        argv = ["rpmbuild", "--quiet", "--define", "_topdir " + top,
                "--define", "_build_id_links none", "-bb", spec]
        if arch != "noarch":
            argv[1:1] = ["--target", arch]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        rpms.append(os.path.join(top, "RPMS", arch, "%s-%s-%s.%s.rpm"
                                 % (name, version, release, arch)))
    return rpms


def sqlite_db(rpms, dbdir):
    os.makedirs(dbdir, exist_ok=True)
    subprocess.run(["rpm", "--dbpath", dbdir, "--initdb"], check=True)
    subprocess.run(["rpm", "--dbpath", dbdir, "--justdb", "--nodeps", "--noscripts",
                    "--ignorearch", "--ignoreos", "-i"] + rpms, check=True,
                   stderr=subprocess.DEVNULL)
    return os.path.join(dbdir, "rpmdb.sqlite")


def blobs_of(sqlite_file):
    c = sqlite3.connect(sqlite_file)
    r = [bytes(b) for (b,) in c.execute("SELECT blob FROM Packages ORDER BY hnum")]
    c.close()
    return r


def write_ndb(blobs, path):
    """Packages.db: see daemon/inspection/rpm.c for the layout."""
    page, block, slotpages = 4096, 16, 4
    area = slotpages * page
    out = bytearray(area)
    struct.pack_into("<4sIIII", out, 0, b"RpmP", 0, 1, slotpages, len(blobs) + 1)
    for i, b in enumerate(blobs):
        idx = i + 1
        blkoff = len(out) // block
        head = struct.pack("<4sIII", b"BlbS", idx, 1, len(b))
        body = head + b
        total = len(body) + 12
        nblk = (total + block - 1) // block
        body += b"\0" * (nblk * block - total)
        tail = struct.pack("<II4s", zlib.adler32(body), len(b), b"BlbE")
        out += body + tail
        struct.pack_into("<4sIII", out, 32 + 16 * i, b"Slot", idx, blkoff, nblk)
    with open(path, "wb") as f:
        f.write(out)


def write_bdb(blobs, path, tmp):
    dump = os.path.join(tmp, "dump")
    with open(dump, "w") as f:
        f.write("VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n")
        # Record 0 holds the highest instance number, as rpm writes it.
        f.write(" %s\n %s\n" % (struct.pack("<I", 0).hex(), struct.pack("<I", len(blobs)).hex()))
        for i, b in enumerate(blobs):
            f.write(" %s\n %s\n" % (struct.pack("<I", i + 1).hex(), b.hex()))
        f.write("DATA=END\n")
    if os.path.exists(path):
        os.unlink(path)
    load = shutil.which("db5.3_load") or shutil.which("db_load")
    if not load:
        sys.exit("make-rpmdb.py: db5.3_load not found (install db5.3-util)")
    subprocess.run([load, "-f", dump, path], check=True)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("sqlite", "ndb", "bdb"):
        sys.exit(__doc__)
    fmt, listing, outdir = sys.argv[1:]
    packages = []
    with open(listing) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                fields = line.split("\t")
                if len(fields) != 8:
                    sys.exit("%s: need 8 tab-separated fields: %s" % (listing, line))
                packages.append(fields)
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="make-rpmdb-") as tmp:
        db = sqlite_db(build_rpms(packages, tmp), os.path.join(tmp, "db"))
        if fmt == "sqlite":
            shutil.copy(db, os.path.join(outdir, "rpmdb.sqlite"))
        elif fmt == "ndb":
            write_ndb(blobs_of(db), os.path.join(outdir, "Packages.db"))
        else:
            write_bdb(blobs_of(db), os.path.join(outdir, "Packages"), tmp)


if __name__ == "__main__":
    main()
