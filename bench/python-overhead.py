#!/usr/bin/env python3
"""Per-call overhead of the Python binding: the same cheap calls made N
times from C (BUILD/python/python-calls) and from Python (g.NAME(...)),
and the difference per call.  The target is <= 5 us above the C call.

    BUILD/python/run-python bench/python-overhead.py [BUILD] [N]"""
import os
import subprocess
import sys
import time

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
sys.path.insert(0, os.path.join(build, "python"))
import guestfs  # noqa: E402

CASES = [
    ("get_verbose", "get_verbose", ()),
    ("internal_test_rint", "internal_test_rint", ("42",)),
    ("internal_test_rstring", "internal_test_rstring", ("hello",)),
    ("internal_test_rstruct", "internal_test_rstruct", ("pv",)),
]


def per_call_ns(fn, args):
    t = time.perf_counter()
    for _ in range(n):
        fn(*args)
    return (time.perf_counter() - t) / n * 1e9


def main():
    out = subprocess.run([os.path.join(build, "python", "python-calls"), str(n)],
                         check=True, capture_output=True, text=True).stdout
    c = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()}
    g = guestfs.GuestFS()
    print("Python binding per-call overhead, %d calls each (%s, Python %s)" % (
        n, guestfs.__file__, sys.version.split()[0]))
    print("%-24s %10s %12s %12s" % ("call", "C ns", "Python ns", "overhead ns"))
    worst = 0
    for name, meth, args in CASES:
        py = per_call_ns(getattr(g, meth), args)
        over = py - c[name]
        worst = max(worst, over)
        print("%-24s %10.1f %12.1f %12.1f" % (name, c[name], py, over))
    g.close()
    print("worst overhead %.2f us per call (target <= 5 us): %s" % (
        worst / 1000, "ok" if worst <= 5000 else "OVER"))
    return 0 if worst <= 5000 else 1


if __name__ == "__main__":
    sys.exit(main())
