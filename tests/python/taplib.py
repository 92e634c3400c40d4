"""A small TAP producer for the Python binding's tests.

Each test is a function; `run` calls them in order and prints "ok N - name"
or "not ok N - name" (with the traceback as # comments), then the plan.
The exit status is 1 when anything failed, so tests/run-tests.sh counts
the lines and still sees a crash."""
import os
import sys
import traceback


def import_guestfs():
    """Import the binding from the build tree, never an installed one."""
    import guestfs
    build = os.environ.get("HATCH_BUILDDIR")
    where = os.path.realpath(guestfs.__file__)
    if build and not where.startswith(os.path.realpath(build) + os.sep):
        print("Bail out! guestfs imported from %s, not from %s" % (where, build))
        sys.exit(1)
    return guestfs


def skip_all(reason):
    print("1..0 # SKIP %s" % reason)
    sys.exit(77)


def launch_guest_and_disk(g, tmp):
    """Launch g on two new raw disks in tmp: an ext4 guest filesystem on
    /dev/sda (64 MiB) mounted on /, and a blank /dev/sdb (4 MiB) that
    must stay untouched, marked at its start with DISK-B-ORIGINAL.
    Returns the sha256 of /dev/sdb."""
    g.disk_create(os.path.join(tmp, "a.img"), "raw", 64 << 20)
    g.disk_create(os.path.join(tmp, "b.img"), "raw", 4 << 20)
    g.add_drive_opts(os.path.join(tmp, "a.img"), format="raw")
    g.add_drive_opts(os.path.join(tmp, "b.img"), format="raw")
    g.launch()
    g.mkfs("ext4", "/dev/sda")
    g.mount("/dev/sda", "/")
    g.pwrite_device("/dev/sdb", "DISK-B-ORIGINAL", 0)
    return g.checksum_device("sha256", "/dev/sdb")


class Skip(Exception):
    """Raised by a test that cannot run here (the reason is its message)."""


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, name, good, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, name))
        if not good:
            self.failed += 1
            for line in str(detail).splitlines():
                print("#   " + line)
        sys.stdout.flush()

    def skip(self, name, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, name, reason))

    def run(self, tests):
        for fn in tests:
            name = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
            try:
                fn()
            except Skip as e:
                self.skip(name, str(e))
            except Exception:  # noqa: BLE001 - every failure is reported
                self.result(name, False, traceback.format_exc())
            else:
                self.result(name, True)

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def raises(exc_type, fn, *args, **kwargs):
    """Call fn and return the exception of exc_type it raised (else fail)."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    raise AssertionError("%s did not raise %s" % (
        getattr(fn, "__name__", fn), exc_type.__name__))
