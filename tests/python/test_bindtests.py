#!/usr/bin/env python3
"""The Python binding without an appliance: every argument kind goes
through internal_test (which prints what the library received), every
result kind comes back through internal_test_r* and its err twin, plus
errors, bad input, deprecation warnings, events, closing, threads.

Run with build/python/run-python (tests/run-tests.sh does); prints TAP."""
import errno
import gc
import os
import sys
import tempfile
import threading
import time
import warnings
import weakref

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from taplib import Skip, Tap, import_guestfs, raises  # noqa: E402

guestfs = import_guestfs()
import libguestfsmod  # noqa: E402

tmpdir = tempfile.mkdtemp(prefix="hatch-pytest-")
out_path = os.path.join(tmpdir, "out")
g = guestfs.GuestFS()


def printed(call):
    """What internal_test* printed for one call (bytes)."""
    g.internal_test_set_output(out_path)
    try:
        call()
    finally:
        g.internal_test_close_output()
    with open(out_path, "rb") as f:
        return f.read()


def expect_internal_test(s, optstr, strlist, b, i, i64, fin, fout, buf, opts):
    """The lines internal_test prints (lib/internal-test.c's format)."""
    def lst(l):
        return b"[" + b", ".join(b'"' + x + b'"' for x in l) + b"]"
    e = [b"str: " + s, b"optstr: " + (b"(null)" if optstr is None else optstr),
         b"strlist: " + lst(strlist), b"b: " + (b"true" if b else b"false"),
         b"integer: %d" % i, b"integer64: %d" % i64, b"filein: " + fin,
         b"fileout: " + fout, b"bufferin: " + buf]
    for name in ("obool", "oint", "oint64", "ostring", "ostringlist"):
        v = opts.get(name)
        if v is None:
            e.append(name.encode() + b": unset")
        elif name == "obool":
            e.append(b"obool: " + (b"true" if v else b"false"))
        elif name == "ostringlist":
            e.append(b"ostringlist: " + lst(v))
        elif name == "ostring":
            e.append(b"ostring: " + v)
        else:
            e.append(name.encode() + b": %d" % v)
    return b"\n".join(e) + b"\n"


# ---- arguments ----

def test_args_plain():
    """internal_test: plain values, optional arguments unset"""
    got = printed(lambda: g.internal_test("abc", "def", [], False, 0, 0,
                                          "/in", "/out", b""))
    want = expect_internal_test(b"abc", b"def", [], False, 0, 0, b"/in",
                                b"/out", b"", {})
    assert got == want, (got, want)


def test_args_extremes():
    """internal_test: None, limits, binary buffer, every optional argument"""
    got = printed(lambda: g.internal_test(
        "", None, ["1", "2", "3"], True, -2**31, -2**63, "", "", b"x\0y\xff",
        obool=True, oint=2**31 - 1, oint64=2**63 - 1, ostring="o",
        ostringlist=[]))
    want = expect_internal_test(
        b"", None, [b"1", b"2", b"3"], True, -2**31, -2**63, b"", b"",
        b"x\0y\xff", {"obool": True, "oint": 2**31 - 1, "oint64": 2**63 - 1,
                      "ostring": b"o", "ostringlist": []})
    assert got == want, (got, want)


def test_args_text():
    """internal_test: unicode as UTF-8, surrogateescape bytes, bytes, tuples, bool as int"""
    got = printed(lambda: g.internal_test(
        "h\u00e9llo \u2603", b"raw", ("a b", "\udcff"), 0, 7, 8, "/i", "/o",
        "text buffer", obool=0, oint=-1, ostringlist=("p", "q")))
    want = expect_internal_test(
        "h\u00e9llo \u2603".encode(), b"raw", [b"a b", b"\xff"], False, 7, 8,
        b"/i", b"/o", b"text buffer",
        {"obool": False, "oint": -1, "ostringlist": [b"p", b"q"]})
    assert got == want, (got, want)


def test_args_memoryview():
    """internal_test: a bytearray or memoryview is a buffer too"""
    got = printed(lambda: g.internal_test("s", None, [], True, 1, 2, "/i", "/o",
                                          memoryview(bytearray(b"mv"))))
    assert got.endswith(b"bufferin: mv\nobool: unset\noint: unset\noint64: unset\n"
                        b"ostring: unset\nostringlist: unset\n"), got


def test_only_optargs():
    """internal_test_only_optargs: unset, then set"""
    assert printed(lambda: g.internal_test_only_optargs()) == b"test: unset\n"
    assert printed(lambda: g.internal_test_only_optargs(test=5)) == b"test: 5\n"


def test_63_optargs():
    """internal_test_63_optargs: all 63 set, then the first and last"""
    allset = {"opt%d" % i: i * 3 for i in range(1, 64)}
    got = printed(lambda: g.internal_test_63_optargs(**allset))
    assert got == b"".join(b"opt%d: %d\n" % (i, i * 3) for i in range(1, 64)), got
    got = printed(lambda: g.internal_test_63_optargs(opt1=1, opt63=63))
    assert got == b"opt1: 1\nopt63: 63\n", got


# ---- results ----

def test_rint():
    """RInt and RInt64 come back as int"""
    assert g.internal_test_rint("42") == 42
    assert g.internal_test_rint("-2147483648") == -2**31
    assert g.internal_test_rint64("-8589934592") == -8589934592
    assert g.internal_test_rint64("9223372036854775807") == 2**63 - 1
    assert type(g.internal_test_rint64("1")) is int


def test_rbool():
    """RBool comes back as an int, 1 or 0 (as libguestfs's binding)"""
    t, f = g.internal_test_rbool("true"), g.internal_test_rbool("false")
    assert (t, f) == (1, 0) and type(t) is int, (t, f)


def test_rconststring():
    """RConstString and RConstOptString (None for no value)"""
    assert g.internal_test_rconststring("x") == "static string"
    assert g.internal_test_rconstoptstring("x") == "static string"
    assert g.internal_test_rconstoptstring("NULL") is None
    # NULL is a valid RConstOptString: the err twin yields None, no exception.
    assert g.internal_test_rconstoptstringerr() is None


def test_rstring():
    """RString: a str, unicode and odd bytes round trip"""
    assert g.internal_test_rstring("hello") == "hello"
    assert g.internal_test_rstring("") == ""
    assert g.internal_test_rstring("\u2603\u00e9") == "\u2603\u00e9"
    assert g.internal_test_rstring("a\udcfeb") == "a\udcfeb"


def test_rstringlist():
    """RStringList: a list of str"""
    assert g.internal_test_rstringlist("3") == ["0", "1", "2"]
    assert g.internal_test_rstringlist("0") == []
    assert len(g.internal_test_rstringlist("1000")) == 1000


def test_rstruct():
    """RStruct: a dict with every field of struct guestfs_lvm_pv"""
    r = g.internal_test_rstruct("abc")
    fields = ["pv_name", "pv_uuid", "pv_fmt", "pv_size", "dev_size", "pv_free",
              "pv_used", "pv_attr", "pv_pe_count", "pv_pe_alloc_count",
              "pv_tags", "pe_start", "pv_mda_count", "pv_mda_free"]
    assert type(r) is dict and sorted(r) == sorted(fields), r
    assert r["pv_name"] == "abc" and r["pv_size"] == 0
    assert type(r["pv_uuid"]) is str and len(r["pv_uuid"]) == 32, r["pv_uuid"]


def test_rstructlist():
    """RStructList: a list of dicts"""
    r = g.internal_test_rstructlist("3")
    assert [x["pv_name"] for x in r] == ["0", "1", "2"], r
    assert g.internal_test_rstructlist("0") == []


def test_rhashtable():
    """RHashtable: pairs by default, a dict with python_return_dict=True"""
    assert g.internal_test_rhashtable("2") == [("0", "0"), ("1", "1")]
    assert g.internal_test_rhashtable("0") == []
    with guestfs.GuestFS(python_return_dict=True) as g2:
        assert g2.internal_test_rhashtable("3") == {"0": "0", "1": "1", "2": "2"}
        assert g2.internal_test_rhashtable("0") == {}


def test_rbufferout():
    """RBufferOut: bytes"""
    r = g.internal_test_rbufferout("abc")
    assert r == b"abc" and type(r) is bytes
    assert g.internal_test_rbufferout("") == b""


def test_err_twins():
    """every *err twin raises GuestFSException (a RuntimeError) with the message"""
    for name in ("rint", "rint64", "rbool", "rconststring", "rstring",
                 "rstringlist", "rstruct", "rstructlist", "rhashtable",
                 "rbufferout"):
        fn = getattr(g, "internal_test_%serr" % name)
        e = raises(guestfs.GuestFSException, fn)
        assert isinstance(e, RuntimeError)
        assert str(e) == "internal_test_%serr: error" % name, str(e)
        assert hasattr(e, "errno")


def test_errno():
    """an error carries the library's errno (ENOENT)"""
    e = raises(guestfs.GuestFSException, g.internal_test_set_output,
               "/nonexistent/hatch/x")
    assert e.errno == errno.ENOENT, e.errno
    assert "/nonexistent/hatch/x" in str(e), str(e)
    e = raises(RuntimeError, g.internal_test_rint, "x")
    assert "expecting an integer" in str(e), str(e)
    assert e.args == (str(e),)


# ---- bad input ----

def test_bad_types():
    """wrong types, NUL bytes and out-of-range numbers raise clear Python errors"""
    cases = [
        (TypeError, "val: expected str", lambda: g.internal_test_rint(5)),
        (TypeError, "val: expected str", lambda: g.internal_test_rint(None)),
        (ValueError, "embedded null", lambda: g.internal_test_rint("4\x002")),
        (TypeError, "strlist: expected a list", lambda: g.internal_test(
            "s", None, "abc", True, 1, 2, "/i", "/o", b"")),
        (TypeError, "strlist: expected str", lambda: g.internal_test(
            "s", None, ["a", 3], True, 1, 2, "/i", "/o", b"")),
        (TypeError, "integer: expected int", lambda: g.internal_test(
            "s", None, [], True, "1", 2, "/i", "/o", b"")),
        (TypeError, "integer: expected int", lambda: g.internal_test(
            "s", None, [], True, 1.5, 2, "/i", "/o", b"")),
        (OverflowError, "integer: 2147483648", lambda: g.internal_test(
            "s", None, [], True, 2**31, 2, "/i", "/o", b"")),
        (OverflowError, "integer64", lambda: g.internal_test(
            "s", None, [], True, 1, 2**63, "/i", "/o", b"")),
        (TypeError, "bufferin: expected bytes", lambda: g.internal_test(
            "s", None, [], True, 1, 2, "/i", "/o", 12)),
        (TypeError, "test: expected int", lambda: g.internal_test_only_optargs(test="x")),
        (TypeError, "ostringlist: expected a list", lambda: g.internal_test(
            "s", None, [], True, 1, 2, "/i", "/o", b"", ostringlist="x")),
        (TypeError, "unexpected keyword", lambda: g.internal_test_only_optargs(nosuch=1)),
        (TypeError, "missing 1 required", lambda: g.internal_test_rint()),
        (TypeError, "expected 2 arguments", lambda: libguestfsmod.internal_test_rint(g._o)),
        (TypeError, "must be a guestfs handle", lambda: libguestfsmod.internal_test_rint(3, "1")),
    ]
    for exc, text, fn in cases:
        e = raises(exc, fn)
        assert text in str(e), (text, str(e))


def test_library_checks():
    """the library's own argument checks surface as GuestFSException"""
    e = raises(guestfs.GuestFSException, g.set_memsize, -5)
    assert e.errno is None or isinstance(e.errno, int)


# ---- deprecation, aliases, surface ----

def test_deprecated_warns():
    """deprecated methods warn as libguestfs's binding does, pointing at the caller"""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g.add_cdrom("/dev/null")
        try:
            g.inspect_get_format("/dev/sda")     # not launched: fails, but warns first
        except RuntimeError:
            pass
        g.get_verbose()
    msgs = [(str(x.message), x.category, os.path.basename(x.filename)) for x in w]
    assert msgs == [
        ("use GuestFS.add_drive_ro() instead of GuestFS.add_cdrom()",
         DeprecationWarning, "test_bindtests.py"),
        ("do not use GuestFS.inspect_get_format()", DeprecationWarning,
         "test_bindtests.py")], msgs


def test_every_action():
    """every action of the API table is a method and a libguestfsmod function"""
    sys.path.insert(0, os.environ.get("HATCH_SRCDIR",
                                      os.path.join(os.path.dirname(__file__), "..", "..")))
    from generator import load
    table = load.load(os.path.join(sys.path[0], "api"))
    missing = [a.name for a in table.actions
               if not callable(getattr(guestfs.GuestFS, a.name, None)) or
               not callable(getattr(libguestfsmod, a.name, None))]
    assert not missing, missing
    assert len(table.actions) > 600
    assert guestfs.GuestFS.add_drive_opts is guestfs.GuestFS.add_drive
    assert guestfs.GuestFS.mkfs_opts is guestfs.GuestFS.mkfs
    doc = guestfs.GuestFS.add_drive.__doc__
    assert doc and "g.launch" in doc or "guestfs_" not in doc, doc


def test_constants():
    """EVENT_* constants and event_to_string"""
    assert (guestfs.EVENT_CLOSE, guestfs.EVENT_PROGRESS, guestfs.EVENT_ALL) == (1, 8, 0x3ff)
    assert guestfs.event_to_string(guestfs.EVENT_CLOSE | guestfs.EVENT_PROGRESS) == "close,progress"
    raises(TypeError, guestfs.event_to_string, "x")
    raises(ValueError, guestfs.event_to_string, -1)


def test_environment():
    """environment=False ignores LIBGUESTFS_* variables"""
    os.environ["LIBGUESTFS_MEMSIZE"] = "777"
    try:
        a = guestfs.GuestFS()
        b = guestfs.GuestFS(environment=False)
        assert a.get_memsize() == 777, a.get_memsize()
        assert b.get_memsize() != 777, b.get_memsize()
        a.close()
        b.close()
    finally:
        del os.environ["LIBGUESTFS_MEMSIZE"]
    c = guestfs.GuestFS(close_on_exit=False)
    assert c.get_verbose() == 0
    c.close()


def test_libvirt_pointer():
    """add_libvirt_dom takes a libvirt-python virDomain (its C pointer)"""
    try:
        import libvirt
    except ImportError:
        raise Skip("python3-libvirt is not installed")
    img = os.path.join(tmpdir, "lv.img")
    with open(img, "wb") as f:
        f.truncate(1024 * 1024)
    libvirt.registerErrorHandler(lambda *a: None, None)
    conn = libvirt.open("test:///default")
    dom = conn.defineXML(
        "<domain type='test'><name>hatch-py</name><memory>65536</memory>"
        "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
        "<driver name='qemu' type='raw'/><source file='%s'/>"
        "<target dev='vda' bus='virtio'/></disk></devices></domain>" % img)
    h = guestfs.GuestFS()
    assert h.add_libvirt_dom(dom, readonly=True) == 1
    e = raises(TypeError, h.add_libvirt_dom, "hatch-py")
    assert "expected a libvirt object" in str(e), str(e)
    h.close()
    dom.undefine()
    conn.close()


# ---- events ----

def test_events():
    """trace events reach the callback; delete stops them; close fires EVENT_CLOSE"""
    h = guestfs.GuestFS()
    seen = []
    eh = h.set_event_callback(lambda *a: seen.append(a),
                              guestfs.EVENT_TRACE | guestfs.EVENT_CLOSE)
    assert isinstance(eh, int)
    h.set_trace(1)
    h.get_verbose()
    assert (guestfs.EVENT_TRACE, eh, "get_verbose", []) in seen, seen
    assert any(e[2].startswith("get_verbose = ") for e in seen if e[0] == guestfs.EVENT_TRACE), seen
    h.delete_event_callback(eh)
    n = len(seen)
    h.get_verbose()
    assert len(seen) == n
    closes = []
    h.set_event_callback(lambda ev, ehh, buf, arr: closes.append((ev, buf, arr)),
                         guestfs.EVENT_CLOSE)
    h.close()
    assert closes == [(guestfs.EVENT_CLOSE, None, [])], closes


def test_event_errors():
    """bad callbacks and masks are refused; an exception in a callback is reported, not raised"""
    h = guestfs.GuestFS()
    e = raises(TypeError, h.set_event_callback, 5, guestfs.EVENT_TRACE)
    assert "callable" in str(e)
    raises(ValueError, h.set_event_callback, print, 1 << 40)
    reported = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: reported.append(u.exc_value)
    try:
        def boom(*a):
            raise KeyError("boom")
        eh = h.set_event_callback(boom, guestfs.EVENT_TRACE)
        h.set_trace(1)
        assert h.get_verbose() == 0
        h.delete_event_callback(eh)
        h.set_trace(0)
    finally:
        sys.unraisablehook = old
    assert reported and isinstance(reported[0], KeyError), reported
    h.close()


def test_callback_released():
    """a deleted callback (and a closed handle's callbacks) are released"""
    class Cb:
        def __call__(self, *a):
            pass
    h = guestfs.GuestFS()
    c1, c2 = Cb(), Cb()
    r1, r2 = weakref.ref(c1), weakref.ref(c2)
    eh = h.set_event_callback(c1, guestfs.EVENT_TRACE)
    h.set_event_callback(c2, guestfs.EVENT_CLOSE)
    del c1, c2
    gc.collect()
    assert r1() is not None and r2() is not None
    h.delete_event_callback(eh)
    gc.collect()
    assert r1() is None
    h.close()
    gc.collect()
    assert r2() is None


def test_callback_reenters():
    """a callback may call the handle, and closing from it is refused"""
    h = guestfs.GuestFS()
    got = []

    def cb(ev, eh, buf, arr):
        if buf == "get_verbose":
            got.append(h.get_memsize())
            try:
                h.close()
            except guestfs.GuestFSException as e:
                got.append(e.errno)
    h.set_event_callback(cb, guestfs.EVENT_TRACE)
    h.set_trace(1)
    h.get_verbose()
    assert len(got) == 2 and got[1] == errno.EBUSY, got
    h.close()


# ---- closing ----

def test_closed():
    """a closed handle raises ClosedHandle (a ValueError); so does a second close"""
    h = guestfs.GuestFS()
    h.close()
    e = raises(guestfs.ClosedHandle, h.get_verbose)
    assert isinstance(e, ValueError)
    raises(guestfs.ClosedHandle, h.close)
    raises(guestfs.ClosedHandle, h.set_event_callback, print, 1)


def test_context_manager():
    """with GuestFS() as g: closes at the end, even after an exception"""
    with guestfs.GuestFS() as h:
        assert h.get_verbose() == 0
    raises(guestfs.ClosedHandle, h.get_verbose)
    try:
        with guestfs.GuestFS() as h2:
            raise KeyError("inside")
    except KeyError:
        pass
    raises(guestfs.ClosedHandle, h2.get_verbose)
    with guestfs.GuestFS() as h3:
        h3.close()          # closing inside the block is fine too


def test_gc_closes():
    """dropping the last reference closes the handle (close event fires)"""
    fired = []
    h = guestfs.GuestFS()
    h.set_event_callback(lambda *a: fired.append(a[0]), guestfs.EVENT_CLOSE)
    del h
    gc.collect()
    assert fired == [guestfs.EVENT_CLOSE], fired


# ---- threads ----

def test_gil_released():
    """a call blocked in C does not hold the GIL: another thread, another handle, runs"""
    fifo = os.path.join(tmpdir, "fifo")
    os.mkfifo(fifo)
    g1, g2 = guestfs.GuestFS(), guestfs.GuestFS()
    errors = []

    def blocked():
        try:
            g1.internal_test_set_output(fifo)   # fopen blocks until a reader
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.3)
    # If the blocked call held the GIL we would never get here (and the
    # alarm set in main() would kill the test).
    assert t.is_alive()
    assert g2.internal_test_rint("7") == 7
    busy = raises(guestfs.GuestFSException, g1.close)
    assert busy.errno == errno.EBUSY, busy.errno
    fd = os.open(fifo, os.O_RDONLY)
    t.join(10)
    os.close(fd)
    assert not t.is_alive() and not errors, errors
    g1.internal_test_close_output()
    g1.close()
    g2.close()


def test_shared_handle():
    """one handle used by four threads at once gives every thread its own results"""
    h = guestfs.GuestFS()
    bad = []

    def work(k):
        for i in range(2000):
            v = "%d" % (k * 100000 + i)
            if h.internal_test_rstring(v) != v or h.internal_test_rint(v) != int(v):
                bad.append((k, i))
                return
    ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not bad, bad[:5]
    h.close()


def main():
    import signal
    signal.alarm(300)           # a deadlock kills the test rather than hanging
    tap = Tap()
    tap.run([v for k, v in globals().items() if k.startswith("test_") and callable(v)])
    g.close()
    tap.done()


if __name__ == "__main__":
    main()
