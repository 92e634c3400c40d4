#!/usr/bin/env python3
"""Whole programs using the guestfs module, run as a user would run them:
tests/python/examples/create_disk.py and inspect_vm.py (written for Hatch,
doing what libguestfs's published Python examples do), then, when Debian's
python3-guestfs documentation is installed, libguestfs's own published
examples run unchanged from /usr/share/doc against our binding (they are
not copied into this tree).  Prints TAP."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Tap, import_guestfs  # noqa: E402

guestfs = import_guestfs()          # the build tree's, checked
here = os.path.dirname(os.path.abspath(__file__))
published = "/usr/share/doc/python3-guestfs/examples"


def run(tap, name, argv, cwd, expect_in_stdout=()):
    """Run a program with this interpreter and PYTHONPATH (the build tree)."""
    p = subprocess.run([sys.executable] + argv, cwd=cwd, capture_output=True,
                       text=True, timeout=600)
    good = p.returncode == 0 and all(s in p.stdout for s in expect_in_stdout)
    tap.result(name, good, "status %d\nstdout:\n%s\nstderr:\n%s" % (
        p.returncode, p.stdout, p.stderr[-3000:]))
    return p


def main():
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="hatch-pyexamples-")
    try:
        disk = os.path.join(tmp, "guest.img")
        run(tap, "examples/create_disk.py makes a disk", [
            os.path.join(here, "examples", "create_disk.py"), disk], tmp,
            ["created " + disk])
        run(tap, "examples/inspect_vm.py finds the Debian root in it", [
            os.path.join(here, "examples", "inspect_vm.py"), disk], tmp,
            ["Root: /dev/sda1", "Version: 12.4", "Type:    linux",
             "Distro:  debian", "    Debian GNU/Linux 12\n    welcome\n    third\n"])
        p = subprocess.run([sys.executable, os.path.join(here, "examples", "inspect_vm.py")],
                           capture_output=True, text=True)
        tap.result("examples/inspect_vm.py without arguments: usage, status 1",
                   p.returncode == 1 and "usage" in p.stderr, p.stderr)

        for prog in ("create_disk.py", "inspect_vm.py"):
            if not os.path.isfile(os.path.join(published, prog)):
                tap.skip("libguestfs's published %s" % prog,
                         "python3-guestfs's examples are not installed")
                continue
            if prog == "create_disk.py":
                # It writes disk.img in its working directory.
                run(tap, "libguestfs's published create_disk.py runs unchanged",
                    [os.path.join(published, prog)], tmp)
                tap.result("... and leaves its 512 MiB disk.img",
                           os.path.getsize(os.path.join(tmp, "disk.img")) == 512 * 1024 * 1024)
            else:
                run(tap, "libguestfs's published inspect_vm.py runs unchanged on our disk",
                    [os.path.join(published, prog), disk], tmp,
                    ["Root device: /dev/sda1", "Distro:       debian",
                     "--- /etc/issue.net ---"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


if __name__ == "__main__":
    main()
