#!/usr/bin/env python3
"""The Python binding leaks neither memory nor references: 100 000 calls
of each result kind (and of the error path, events and handle creation)
leave the process's resident size where it was, and the arguments'
reference counts unchanged.  No appliance.  Prints TAP."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Tap  # noqa: E402
from taplib import import_guestfs  # noqa: E402

guestfs = import_guestfs()

CALLS = 100000
# A leak of a single small allocation per call (>= 16 bytes) would grow
# the heap by >= 1.6 MB over CALLS calls; allow less than that.
LIMIT_KB = 1024

g = guestfs.GuestFS(python_return_dict=True)
g.internal_test_set_output("/dev/null")


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def err():
    try:
        g.internal_test_rstringerr()
    except guestfs.GuestFSException:
        pass


def events():
    eh = g.set_event_callback(lambda *a: None, guestfs.EVENT_TRACE)
    g.delete_event_callback(eh)


def handles():
    h = guestfs.GuestFS()
    h.close()


def internal_test():
    g.internal_test("s", None, ["a", "b"], True, 1, 2, "/i", "/o", b"buf",
                    obool=True, oint=3, ostring="x", ostringlist=["p"])


CASES = [
    ("get_verbose", g.get_verbose, ()),
    ("internal_test_rint", g.internal_test_rint, ("42",)),
    ("internal_test_rint64", g.internal_test_rint64, ("-8589934592",)),
    ("internal_test_rstring", g.internal_test_rstring, ("hello world",)),
    ("internal_test_rconstoptstring", g.internal_test_rconstoptstring, ("NULL",)),
    ("internal_test_rstringlist", g.internal_test_rstringlist, ("5",)),
    ("internal_test_rstruct", g.internal_test_rstruct, ("pv",)),
    ("internal_test_rstructlist", g.internal_test_rstructlist, ("3",)),
    ("internal_test_rhashtable", g.internal_test_rhashtable, ("3",)),
    ("internal_test_rbufferout", g.internal_test_rbufferout, ("0123456789",)),
    ("internal_test (every argument kind)", internal_test, ()),
    ("errors (GuestFSException)", err, ()),
    ("set/delete_event_callback", events, ()),
]


def run_case(tap, name, fn, args, calls):
    for _ in range(calls // 10):         # warm up: caches, free lists
        fn(*args)
    before_refs = [sys.getrefcount(a) for a in args]
    before = rss_kb()
    for _ in range(calls):
        fn(*args)
    grew = rss_kb() - before
    refs = [sys.getrefcount(a) for a in args]
    tap.result("%s x %d: RSS grew %d KiB (limit %d)" % (name, calls, grew, LIMIT_KB),
               grew < LIMIT_KB)
    if args:
        tap.result("%s: argument reference counts unchanged" % name,
                   refs == before_refs, "%s -> %s" % (before_refs, refs))


def main():
    tap = Tap()
    for name, fn, args in CASES:
        run_case(tap, name, fn, args, CALLS)
    run_case(tap, "create + close a handle", handles, (), CALLS // 10)
    g.internal_test_close_output()
    g.close()
    tap.done()


if __name__ == "__main__":
    main()
