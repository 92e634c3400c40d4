#!/usr/bin/env python3
"""Unit tests of the Python binding's generator (generator/gen_python.py),
on the real API table and on small made-up tables.  No build needed.

    python3 tests/unit/test_gen_python.py        (prints TAP)"""
import os
import sys
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, TOP)

from generator import load, gen_python  # noqa: E402
from generator.types import (Action, RErr, RHashtable, RInt, String, OInt,  # noqa: E402
                             OString, Int)

PREAMBLE = open(os.path.join(TOP, "include", "guestfs.h.in")).read()
_real = load.load(os.path.join(TOP, "api"))


def fake(*actions):
    return load.Table(list(actions), [])


def act(name, ret=None, args=(), optargs=(), **kw):
    return Action(name, ret or RErr(), list(args), list(optargs),
                  shortdesc="s", longdesc=kw.pop("longdesc", "doc"), **kw)


def py_namespace(table):
    """Compile the generated guestfs.py with a stand-in libguestfsmod that
    records the calls, and return its globals."""
    calls = []

    class Mod:
        GuestFSException = type("GuestFSException", (RuntimeError,), {})
        ClosedHandle = type("ClosedHandle", (ValueError,), {})
        GUESTFS_CREATE_NO_ENVIRONMENT = 1
        GUESTFS_CREATE_NO_CLOSE_ON_EXIT = 2

        def __getattr__(self, name):
            return lambda *a: calls.append((name,) + a) or [("k", "v")]
    src = gen_python.generate_py(table, PREAMBLE)
    code = compile(src, "guestfs.py", "exec")
    saved = sys.modules.get("libguestfsmod")
    sys.modules["libguestfsmod"] = Mod()
    try:
        ns = {"__name__": "guestfs_under_test"}
        exec(code, ns)
    finally:
        if saved is None:
            del sys.modules["libguestfsmod"]
        else:
            sys.modules["libguestfsmod"] = saved
    return ns, calls


def test_real_table_py():
    """the real table's guestfs.py compiles and has one method per action"""
    src = gen_python.generate_py(_real, PREAMBLE)
    compile(src, "guestfs.py", "exec")
    for a in _real.actions:
        assert "\n    def %s(self" % a.name in src, a.name
    assert "EVENT_PROGRESS = 8\n" in src and "EVENT_ALL = 1023\n" in src


def test_real_table_c():
    """the real table's C wrappers: one per action, all in the method table"""
    src = gen_python.generate_c(_real)
    for a in _real.actions:
        assert "py_guestfs_%s (PyObject *self" % a.name in src, a.name
        assert '{ "%s", (PyCFunction)' % a.name in src, a.name
    assert "Py_BEGIN_ALLOW_THREADS" in src


def test_optargs_and_alias():
    """optional arguments default to None and are passed in order; _opts alias"""
    t = fake(act("frob", RInt(), [String("dev")], [OInt("size"), OString("label")],
                 once_had_no_optargs=True))
    ns, calls = py_namespace(t)
    G = ns["GuestFS"]
    g = G.__new__(G)
    g._o = "H"
    g.frob("/dev/sda", label="x")
    assert calls[-1] == ("frob", "H", "/dev/sda", None, "x"), calls
    assert G.frob_opts is G.frob


def test_hashtable_dict():
    """hashtables become a dict only with python_return_dict"""
    t = fake(act("h", RHashtable()))
    ns, _ = py_namespace(t)
    G = ns["GuestFS"]
    g = G.__new__(G)
    g._o, g._python_return_dict = "H", False
    assert g.h() == [("k", "v")]
    g._python_return_dict = True
    assert g.h() == {"k": "v"}


def test_deprecated():
    """deprecated actions warn: with a replacement, and without one"""
    import warnings
    t = fake(act("old", deprecated_by="new"), act("gone", deprecated_by=True),
             act("new"))
    ns, _ = py_namespace(t)
    G = ns["GuestFS"]
    g = G.__new__(G)
    g._o = "H"
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g.old()
        g.gone()
        g.new()
    assert [str(x.message) for x in w] == [
        "use GuestFS.new() instead of GuestFS.old()", "do not use GuestFS.gone()"], w


def test_docstring_escaping():
    """docs with quotes and backslashes survive; guestfs_x becomes g.x"""
    doc = 'A """quoted""" \\n backslash; see guestfs_launch.'
    ns, _ = py_namespace(fake(act("d", longdesc=doc)))
    got = ns["GuestFS"].d.__doc__
    assert 'A """quoted""" \\n backslash; see g.launch.' in got, got


def test_bad_names():
    """an argument that cannot be a Python parameter stops the generator"""
    for bad in ("lambda", "self", "libguestfsmod"):
        try:
            gen_python.generate_py(fake(act("x", args=[Int(bad)])), PREAMBLE)
        except SystemExit as e:
            assert bad in str(e), str(e)
        else:
            raise AssertionError("%s accepted" % bad)


def test_no_event_constants():
    """a header preamble without GUESTFS_EVENT_ constants is an error"""
    try:
        gen_python.generate_py(fake(act("x")), "/* nothing */")
    except SystemExit:
        return
    raise AssertionError("accepted")


def main():
    n = failed = 0
    for name, fn in list(globals().items()):
        if not name.startswith("test_") or not callable(fn):
            continue
        n += 1
        try:
            fn()
            print("ok %d - %s" % (n, fn.__doc__))
        except Exception:  # noqa: BLE001
            failed += 1
            print("not ok %d - %s" % (n, fn.__doc__))
            for line in traceback.format_exc().splitlines():
                print("#   " + line)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
