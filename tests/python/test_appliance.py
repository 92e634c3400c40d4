#!/usr/bin/env python3
"""The Python binding against a real appliance, one launch shared by every
check: a scratch disk partitioned, formatted, mounted, written and read;
structures and hashtables from the daemon; upload progress events;
errors with errno; a fake Linux root inspected; and two threads with two
handles running at the same time (the GIL is released during a daemon
call).  Prints TAP."""
import errno
import hashlib
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Tap, import_guestfs, raises, skip_all  # noqa: E402

guestfs = import_guestfs()

tmpdir = tempfile.mkdtemp(prefix="hatch-pyapp-")
disk = os.path.join(tmpdir, "disk.img")
g = guestfs.GuestFS(python_return_dict=True)
launch_events = []


def test_launch():
    """disk_create, add_drive_opts with keyword arguments, launch"""
    g.disk_create(disk, "raw", 256 * 1024 * 1024)
    g.set_event_callback(lambda ev, *a: launch_events.append(ev),
                         guestfs.EVENT_LAUNCH_DONE)
    g.add_drive_opts(disk, format="raw", readonly=False)
    g.launch()
    assert launch_events == [guestfs.EVENT_LAUNCH_DONE], launch_events
    assert g.list_devices() == ["/dev/sda"], g.list_devices()


def test_partition():
    """part_disk, list_partitions, part_list (a list of dicts)"""
    g.part_disk("/dev/sda", "mbr")
    assert g.list_partitions() == ["/dev/sda1"]
    parts = g.part_list("/dev/sda")
    assert len(parts) == 1 and parts[0]["part_num"] == 1, parts
    assert parts[0]["part_size"] > 200 * 1024 * 1024, parts
    assert g.part_get_parttype("/dev/sda") == "msdos"


def test_mkfs_mount():
    """mkfs with an optional argument, mount, list_filesystems as a dict"""
    g.mkfs("ext4", "/dev/sda1", blocksize=4096)
    g.mount("/dev/sda1", "/")
    fs = g.list_filesystems()
    assert fs == {"/dev/sda": "unknown", "/dev/sda1": "ext4"} or \
        fs == {"/dev/sda1": "ext4"}, fs
    assert g.vfs_type("/dev/sda1") == "ext4"
    assert g.mounts() == ["/dev/sda1"]


def test_write_read():
    """write (str and bytes), read_file (bytes), cat, read_lines, ls"""
    g.write("/hello", "hello, world\n")
    g.write("/bin.dat", b"\x00\x01\xfe\xff")
    assert g.read_file("/hello") == b"hello, world\n"
    assert g.read_file("/bin.dat") == b"\x00\x01\xfe\xff"
    assert g.cat("/hello") == "hello, world\n"
    assert g.read_lines("/hello") == ["hello, world"]
    g.mkdir_p("/a/b/c")
    assert "hello" in g.ls("/") and g.is_dir("/a/b/c") == 1
    assert g.is_file("/hello") == 1 and g.exists("/nope") == 0
    g.touch("/caf\u00e9")
    assert "caf\u00e9" in g.ls("/")


def test_structs():
    """statvfs and statns come back as dicts of the daemon's numbers"""
    st = g.statns("/hello")
    assert st["st_size"] == 13 and st["st_mode"] & 0o170000 == 0o100000, st
    vfs = g.statvfs("/")
    assert vfs["bsize"] == 4096 and vfs["blocks"] > 0, vfs
    ver = g.version()
    assert set(ver) == {"major", "minor", "release", "extra"}, ver


def test_upload_progress():
    """upload sends progress events ending at the file's size; download gets it back"""
    src = os.path.join(tmpdir, "up.bin")
    data = os.urandom(1024 * 1024) * 24          # 24 MiB
    with open(src, "wb") as f:
        f.write(data)
    progress = []
    eh = g.set_event_callback(lambda ev, eh, buf, arr: progress.append(arr),
                              guestfs.EVENT_PROGRESS)
    g.upload(src, "/up.bin")
    g.delete_event_callback(eh)
    assert progress, "no progress event"
    assert all(len(a) == 4 for a in progress), progress
    assert progress[-1][2] == progress[-1][3] == len(data), progress[-1]
    positions = [a[2] for a in progress]
    assert positions == sorted(positions), positions
    dst = os.path.join(tmpdir, "down.bin")
    g.download("/up.bin", dst)
    with open(dst, "rb") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()
    assert g.checksum("sha256", "/up.bin") == hashlib.sha256(data).hexdigest()


def test_errors():
    """daemon errors are GuestFSException with the daemon's errno"""
    e = raises(guestfs.GuestFSException, g.read_file, "/nonexistent")
    assert e.errno == errno.ENOENT, (e.errno, str(e))
    assert "/nonexistent" in str(e), str(e)
    e = raises(RuntimeError, g.mkdir, "/hello")
    assert e.errno == errno.EEXIST, (e.errno, str(e))
    e = raises(guestfs.GuestFSException, g.mount, "/dev/sdz9", "/")
    assert str(e), e
    # The handle still works after errors.
    assert g.cat("/hello") == "hello, world\n"


def test_inspect():
    """a fake Linux root is inspected: type, distro, version, mountpoints"""
    g.mkdir_p("/etc")
    g.mkdir_p("/bin")
    g.mkdir_p("/usr/lib")
    g.write("/etc/os-release",
            'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'
            'VERSION="12 (bookworm)"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    g.write("/etc/debian_version", "12.4\n")
    g.write("/etc/fstab", "/dev/sda1 / ext4 defaults 0 1\n")
    g.write("/etc/hostname", "pyhost\n")
    g.umount_all()
    roots = g.inspect_os()
    assert roots == ["/dev/sda1"], roots
    r = roots[0]
    assert g.inspect_get_type(r) == "linux"
    assert g.inspect_get_distro(r) == "debian", g.inspect_get_distro(r)
    assert g.inspect_get_major_version(r) == 12, g.inspect_get_major_version(r)
    assert g.inspect_get_hostname(r) == "pyhost", g.inspect_get_hostname(r)
    assert g.inspect_get_mountpoints(r) == {"/": "/dev/sda1"}, g.inspect_get_mountpoints(r)
    # As libguestfs: a Debian product name is its /etc/debian_version.
    assert g.inspect_get_product_name(r) == "12.4", g.inspect_get_product_name(r)
    g.mount_ro("/dev/sda1", "/")
    assert g.cat("/etc/hostname") == "pyhost\n"
    g.umount_all()
    g.mount("/dev/sda1", "/")


def test_two_threads():
    """two threads, two handles: a 2 s daemon call does not stop the other thread"""
    other = guestfs.GuestFS()
    done = {}

    def slow():
        t = time.monotonic()
        g.sleep(2)
        done["slow"] = time.monotonic() - t

    def fast():
        for _ in range(20000):
            assert other.internal_test_rint("5") == 5
        done["fast_at"] = time.monotonic()
    start = time.monotonic()
    ts = threading.Thread(target=slow)
    ts.start()
    time.sleep(0.2)
    tf = threading.Thread(target=fast)
    tf.start()
    tf.join(30)
    fast_took = done.get("fast_at", 1e9) - start
    ts.join(30)
    other.close()
    assert done["slow"] >= 2, done
    assert fast_took < done["slow"], (fast_took, done)


def test_shutdown_close():
    """shutdown and close: the close event fires once"""
    closes = []
    g.set_event_callback(lambda ev, *a: closes.append(ev), guestfs.EVENT_CLOSE)
    g.umount_all()
    g.shutdown()
    g.close()
    assert closes == [guestfs.EVENT_CLOSE], closes
    raises(guestfs.ClosedHandle, g.list_devices)


def main():
    if not os.path.exists("/dev/kvm") and not shutil.which("qemu-system-x86_64"):
        skip_all("no qemu")
    tap = Tap()
    tests = [v for k, v in globals().items() if k.startswith("test_") and callable(v)]
    try:
        tap.run(tests[:1])
        if tap.failed:
            print("Bail out! launch failed")
            sys.exit(1)
        tap.run(tests[1:])
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
