#!/usr/bin/env python3
"""tar_in with hostile tarballs (made here with Python's tarfile), one
appliance launch: absolute member names, "..", a symlink in the archive
then a member written through it (absolute and relative), hard links to
outside the target and through guest symlinks, device nodes, a member that
replaces a device node naming another attached disk, links to /proc, and
corrupt archives.  Nothing may be written outside the target directory
except through symlinks the guest already had, which resolve inside the
guest (never the appliance).  Then a round trip (tar_out -> tar_in) keeps
contents, links, hard links, holes, nodes, modes and owners, and archive
order decides where members meet (same name twice, a file then a member
under it, a hard link to the file just before, a tree of small files with
owners, modes and times), and access times (from a pax header, else the
time of unpacking, as GNU tar).  All of it twice: with one vCPU, and with two,
where the daemon writes small files from worker threads
(daemon/files/tar-extract.c), which must not change any outcome.  Two
launches.  Prints TAP."""
import io
import os
import shutil
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Tap, import_guestfs, launch_guest_and_disk, raises  # noqa: E402

guestfs = import_guestfs()
tmp = tempfile.mkdtemp(prefix="hatch-tarin-")
g = None


def tarball(name, members, compress=""):
    """members: list of (TarInfo kwargs, data or None)."""
    path = os.path.join(tmp, name)
    with tarfile.open(path, "w" + (":" + compress if compress else ""),
                      format=tarfile.GNU_FORMAT) as t:
        for kw, data in members:
            ti = tarfile.TarInfo(kw.pop("name"))
            for k, v in kw.items():
                setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return path


def f(name, data=b"x", **kw):
    kw.setdefault("mode", 0o644)
    return (dict(name=name, **kw), data)


def sym(name, target):
    return (dict(name=name, type=tarfile.SYMTYPE, linkname=target), None)


def hard(name, target):
    return (dict(name=name, type=tarfile.LNKTYPE, linkname=target), None)


def dev(name, kind, major, minor):
    return (dict(name=name, type=kind, devmajor=major, devminor=minor, mode=0o666), None)


def victim_intact():
    assert g.cat("/etc/victim") == "original", g.cat("/etc/victim")
    st = g.statns("/etc/victim")
    assert st["st_nlink"] == 1, st


def test_launch():
    """launch with a guest filesystem and a second disk"""
    global sdb_sum
    sdb_sum = launch_guest_and_disk(g, tmp)
    g.mkdir_p("/etc")
    g.write("/etc/victim", "original")
    g.mkdir_p("/usr/lib")
    g.mkdir("/t")
    g.ln_s("/etc", "/t/glink")              # guest symlinks met on the way
    g.ln_s("../usr/lib", "/t/rlink")
    g.ln_s("/proc/self/root/etc", "/t/plink")


def test_absolute():
    """absolute member names land inside the target directory"""
    g.tar_in(tarball("abs.tar", [f("/abs-file", b"A"), f("//etc/victim", b"PWNED")]), "/t")
    assert g.cat("/t/abs-file") == "A"
    assert g.cat("/t/etc/victim") == "PWNED"
    assert not g.exists("/abs-file")
    victim_intact()


def test_dotdot():
    """".." members are refused by name, the others extracted"""
    e = raises(RuntimeError, g.tar_in, tarball("dd.tar", [
        f("../escape-dd", b"PWNED"), f("a/../../escape-dd2", b"PWNED"),
        f("ok-dd", b"fine"), f("../etc/victim", b"PWNED")]), "/t")
    assert '".."' in str(e) and "escape-dd" in str(e), e
    assert not g.exists("/escape-dd") and not g.exists("/escape-dd2")
    assert g.cat("/t/ok-dd") == "fine"
    victim_intact()


def test_symlink_write_through():
    """a member written through a symlink of the same archive fails"""
    for target in ["/etc", "../etc", "../../../../etc", "glink"]:
        e = raises(RuntimeError, g.tar_in, tarball("sl.tar", [
            sym("sl", target), f("sl/victim", b"PWNED"), f("sl/new", b"PWNED")]), "/t")
        assert "sl/victim" in str(e), e
        victim_intact()
        assert not g.exists("/etc/new"), target
        # The symlink itself is created, at the end.
        assert g.readlink("/t/sl") == target, g.readlink("/t/sl")
        g.rm("/t/sl")


def test_hardlink_outside():
    """hard links to ".." or absolute outside names are refused or stay inside"""
    e = raises(RuntimeError, g.tar_in, tarball("hl.tar", [
        hard("hl1", "../etc/victim"), hard("hl2", "/etc/victim")]), "/t")
    assert "hl1" in str(e) and "outside the target" in str(e), e
    victim_intact()
    assert not g.exists("/t/hl1")
    # The absolute one names the target's own etc/victim (from test_absolute).
    assert g.statns("/t/hl2")["st_ino"] == g.statns("/t/etc/victim")["st_ino"]


def test_hardlink_then_write():
    """a hard link through a guest symlink, then a file of the same name: the guest file is not written"""
    g.tar_in(tarball("hlw.tar", [hard("hl3", "glink/victim"), f("hl3", b"PWNED")]), "/t")
    assert g.cat("/t/hl3") == "PWNED"
    victim_intact()


def test_guest_symlinks_resolve_in_guest():
    """guest symlinks on a member's path resolve inside the guest"""
    g.tar_in(tarball("gl.tar", [f("glink/from-tar", b"in guest etc"),
                                f("rlink/hatch-tar-lib", b"in guest lib")]), "/t")
    assert g.cat("/etc/from-tar") == "in guest etc"
    assert g.cat("/usr/lib/hatch-tar-lib") == "in guest lib"
    # /t/plink -> /proc/self/root/etc: the guest has no /proc, so it fails.
    e = raises(RuntimeError, g.tar_in, tarball("pl.tar", [f("plink/x", b"PWNED")]), "/t")
    assert "plink/x" in str(e), e


def test_device_nodes():
    """device nodes are created inside, and a later member of the same name replaces the node, not the disk"""
    g.tar_in(tarball("dev.tar", [dev("node-b", tarfile.BLKTYPE, 8, 16),
                                 dev("node-c", tarfile.CHRTYPE, 1, 3),
                                 (dict(name="fifo", type=tarfile.FIFOTYPE, mode=0o644), None)]), "/t")
    st = g.lstatns("/t/node-b")
    assert st["st_mode"] & 0o170000 == 0o060000 and st["st_rdev"] == os.makedev(8, 16), st
    assert g.lstatns("/t/fifo")["st_mode"] & 0o170000 == 0o010000
    g.tar_in(tarball("dev2.tar", [f("node-b", b"OVERWRITE-DISK-B"), f("fifo", b"data")]), "/t")
    assert g.cat("/t/node-b") == "OVERWRITE-DISK-B"
    assert g.checksum_device("sha256", "/dev/sdb") == sdb_sum
    assert g.pread_device("/dev/sdb", 15, 0) == b"DISK-B-ORIGINAL"


def test_corrupt():
    """corrupt and truncated archives fail with a message; the handle still works"""
    good = open(tarball("good.tar", [f("c1", b"y" * 100000), f("c2", b"z")]), "rb").read()
    bad = os.path.join(tmp, "bad.tar")
    for data in [good[:5000], b"\x00garbage" * 1000, good[:512] + b"\xff" * 2048]:
        with open(bad, "wb") as fh:
            fh.write(data)
        raises(RuntimeError, g.tar_in, bad, "/t")
    e = raises(RuntimeError, g.tar_in, bad, "/etc/victim")
    assert "not a directory" in str(e), e
    assert g.cat("/etc/victim") == "original"


def test_round_trip():
    """tar_out then tar_in keeps contents, symlinks, hard links, holes, nodes, modes, owners"""
    g.mkdir_p("/src/sub")
    g.write("/src/sub/plain", "hello")
    g.chown(1234, 5678, "/src/sub/plain")
    g.chmod(0o4755, "/src/sub/plain")
    g.ln("/src/sub/plain", "/src/hard")
    g.ln_s("sub/plain", "/src/rel")
    g.ln_s("/etc/victim", "/src/abs")
    g.touch("/src/sparse")
    g.truncate_size("/src/sparse", 1 << 30)
    g.pwrite("/src/sparse", "end", (1 << 30) - 3)
    g.mknod_c(0o600, 1, 5, "/src/zero")
    g.mkdir("/src/ro")
    g.write("/src/ro/in-ro", "r")
    g.chmod(0o555, "/src/ro")
    out = os.path.join(tmp, "rt.tar.gz")
    g.tar_out("/src", out, compress="gzip")
    g.mkdir("/dst")
    g.tar_in(out, "/dst", compress="gzip")
    assert g.cat("/dst/sub/plain") == "hello"
    st = g.statns("/dst/sub/plain")
    assert st["st_mode"] & 0o7777 == 0o4755, oct(st["st_mode"])
    assert (st["st_uid"], st["st_gid"]) == (1234, 5678), st
    assert st["st_nlink"] == 2 and g.statns("/dst/hard")["st_ino"] == st["st_ino"]
    assert g.readlink("/dst/rel") == "sub/plain"
    assert g.readlink("/dst/abs") == "/etc/victim"
    sp = g.statns("/dst/sparse")
    assert sp["st_size"] == 1 << 30 and sp["st_blocks"] < 1024, sp
    assert g.pread("/dst/sparse", 3, (1 << 30) - 3) == b"end"
    z = g.lstatns("/dst/zero")
    assert z["st_mode"] & 0o170000 == 0o020000 and z["st_rdev"] == os.makedev(1, 5), z
    assert g.statns("/dst/ro")["st_mode"] & 0o7777 == 0o555
    assert g.cat("/dst/ro/in-ro") == "r"
    victim_intact()


def test_archive_order():
    """archive order decides: same name twice, a file then a member under it, a hard link to the file before"""
    # With two vCPUs, small files are handed to two workers in turn: each
    # case starts with a 1 MiB file and a small one, so that the earlier
    # member of the case waits behind the big file in the same worker's
    # queue while the main thread reads the later one.
    members = []
    for k in range(3):
        for first, second in [
                (f("o/dup%d" % k, b"first"), f("o/dup%d" % k, b"second")),
                (f("o/a%d" % k, b"a file"), f("o/a%d/b" % k, b"under a file")),
                (f("o/h%d" % k, b"linked"), hard("o/l%d" % k, "o/h%d" % k)),
                (f("o/s%d" % k, b"symlink"), sym("o/s%d" % k, "dup%d" % k))]:
            n = len(members)
            members += [f("o/big%d" % n, b"B" * (1 << 20)), f("o/small%d" % n), first, second]
    members += [f("o/big", b"B" * (3 << 20)), f("o/after-big", b"small")]
    e = raises(RuntimeError, g.tar_in, tarball("order.tar", members), "/t")
    for k in range(3):
        assert "o/a%d/b" % k in str(e), e
        assert g.cat("/t/o/dup%d" % k) == "second", k
        assert g.is_file("/t/o/a%d" % k), k
        assert g.statns("/t/o/l%d" % k)["st_ino"] == g.statns("/t/o/h%d" % k)["st_ino"], k
        assert g.readlink("/t/o/s%d" % k) == "dup%d" % k, k
    assert g.filesize("/t/o/big") == 3 << 20
    assert g.cat("/t/o/after-big") == "small"


def test_small_file_tree():
    """a tree of 600 small files in 6 directories: contents, owners, modes, times"""
    members = []
    for d in range(6):
        for i in range(100):
            members.append(f("tree/d%d/f%d" % (d, i), (b"%d/%d " % (d, i)) * (1 + i % 40),
                             uid=1000 + i % 3, gid=2000 + i % 5, mode=0o600 + i % 0o100,
                             mtime=1500000000 + d * 1000 + i))
    expect = [("/t/" + kw["name"], data, dict(kw)) for kw, data in members]
    g.tar_in(tarball("tree.tar", members), "/t")
    for name, data, kw in expect:
        st = g.statns(name)
        assert g.pread(name, len(data) + 1, 0) == data, name
        assert (st["st_uid"], st["st_gid"]) == (kw["uid"], kw["gid"]), (name, st)
        assert st["st_mode"] & 0o7777 == kw["mode"], (name, oct(st["st_mode"]))
        assert st["st_mtime_sec"] == kw["mtime"], (name, st)


def test_access_times():
    """a member's atime: from a pax header when there is one, else the time it was unpacked (as GNU tar)"""
    g.tar_in(tarball("times.tar", [f("times/plain", mtime=1500000000)]), "/t")
    st = g.statns("/t/times/plain")
    assert st["st_mtime_sec"] == 1500000000, st
    # not the archive's mtime: unpacked just now, so at most the ctime
    # that setting the mtime gave it, and not long before
    assert st["st_ctime_sec"] - 60 <= st["st_atime_sec"] <= st["st_ctime_sec"], st
    path = os.path.join(tmp, "pax.tar")
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("times/pax")
        ti.size, ti.mtime = 1, 1500000000
        ti.pax_headers = {"atime": "1400000000.25"}
        t.addfile(ti, io.BytesIO(b"x"))
    g.tar_in(path, "/t")
    st = g.statns("/t/times/pax")
    assert (st["st_atime_sec"], st["st_atime_nsec"]) == (1400000000, 250000000), st
    assert st["st_mtime_sec"] == 1500000000, st


tap = Tap()
try:
    for smp in (1, 2):
        g = guestfs.GuestFS(python_return_dict=True)
        g.set_smp(smp)
        print("# with %d vCPU(s)" % smp)
        try:
            tap.run([test_launch, test_absolute, test_dotdot, test_symlink_write_through,
                     test_hardlink_outside, test_hardlink_then_write,
                     test_guest_symlinks_resolve_in_guest, test_device_nodes, test_corrupt,
                     test_round_trip, test_archive_order, test_small_file_tree,
                     test_access_times])
        finally:
            g.close()
            for img in ("a.img", "b.img"):
                if os.path.exists(os.path.join(tmp, img)):
                    os.unlink(os.path.join(tmp, img))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
tap.done()
