"""Generate the Python binding from the API table:

  python-c   actions-gen.c: one METH_FASTCALL wrapper per action for the
             extension module libguestfsmod (argument conversion, the call
             with the GIL released, the result as Python objects), plus a
             dict converter per returned structure;
  python-py  guestfs.py: class GuestFS with every action as a method
             (optional arguments as keyword arguments defaulting to None),
             the EVENT_* constants, and the exceptions.

The hand-written half (handles, errors, events, conversions) is
python/handle.c; this module only walks the table."""
import keyword
import re

from generator.cdecl import ret_type, opt_bitmask_macro

STRINGISH = {"String", "Device", "Mountable", "Pathname", "Dev_or_Path",
             "Key", "FileIn", "FileOut"}

# Names the generated method bodies use themselves.
RESERVED = {"self", "libguestfsmod", "warnings", "dict", "r"}


def _check_names(a):
    for x in a.args + a.optargs:
        if keyword.iskeyword(x.name) or x.name in RESERVED:
            raise SystemExit("%s: argument name %s cannot be a Python "
                             "parameter" % (a.name, x.name))


# ---------------------------------------------------------------- C side

def _field_conv(kind, fname):
    v = "s->" + fname
    return {
        "int32": "PyLong_FromLong (%s)" % v,
        "int64": "PyLong_FromLongLong (%s)" % v,
        "uint32": "PyLong_FromUnsignedLong (%s)" % v,
        "uint64": "PyLong_FromUnsignedLongLong (%s)" % v,
        "string": "py_from_optstr (%s)" % v,
        "uuid": "py_from_strn (%s, 32)" % v,
        "char": "py_from_strn (&%s, 1)" % v,
        "optpercent": "py_from_optpercent (%s)" % v,
        "buffer": "PyBytes_FromStringAndSize (%s, %s_len)" % (v, v),
    }[kind]


def _struct_converters(s, with_list):
    n = s.name
    out = ["static PyObject *",
           "py_from_struct_%s (const struct guestfs_%s *s)" % (n, n),
           "{",
           "  PyObject *d = PyDict_New ();",
           "  if (d == NULL)",
           "    return NULL;"]
    for fname, kind in s.fields:
        out.append("  if (py_dict_put (d, \"%s\", %s) == -1)" % (fname, _field_conv(kind, fname)))
        out.append("    goto fail;")
    out += ["  return d;",
            " fail:",
            "  Py_DECREF (d);",
            "  return NULL;",
            "}",
            ""]
    if not with_list:
        return out
    out += ["static PyObject *",
            "py_from_struct_%s_list (const struct guestfs_%s_list *l)" % (n, n),
            "{",
            "  PyObject *r = PyList_New (l->len);",
            "  if (r == NULL)",
            "    return NULL;",
            "  for (uint32_t i = 0; i < l->len; ++i) {",
            "    PyObject *d = py_from_struct_%s (&l->val[i]);" % n,
            "    if (d == NULL) {",
            "      Py_DECREF (r);",
            "      return NULL;",
            "    }",
            "    PyList_SET_ITEM (r, i, d);",
            "  }",
            "  return r;",
            "}",
            ""]
    return out


def _c_wrapper(a):
    _check_names(a)
    fn = a.name
    n = 1 + len(a.args) + len(a.optargs)
    decls = ["  PyObject *py_r = NULL;",
             "  struct py_handle *h = py_handle_begin (\"%s\", args, nargs, %d);" % (fn, n)]
    conv = []
    cleanup = []
    call = ["h->g"]
    for i, x in enumerate(a.args, 1):
        v = "a_" + x.name
        src = "args[%d]" % i
        k = x.kind
        if k in STRINGISH or k == "OptString":
            decls.append("  struct py_str %s = { NULL, NULL };" % v)
            getter = "py_get_optstr" if k == "OptString" else "py_get_str"
            conv.append("  if (%s (\"%s\", \"%s\", %s, &%s) == -1)" % (getter, fn, x.name, src, v))
            cleanup.append("  py_put_str_free (&%s);" % v)
            call.append("%s.s" % v)
        elif k in ("StringList", "DeviceList"):
            decls.append("  char **%s = NULL;" % v)
            conv.append("  if ((%s = py_get_strlist (\"%s\", \"%s\", %s)) == NULL)" % (v, fn, x.name, src))
            cleanup.append("  py_strlist_free (%s);" % v)
            call.append(v)
        elif k in ("Bool", "Int", "Int64"):
            ctype = "int64_t" if k == "Int64" else "int"
            getter = {"Bool": "py_get_bool", "Int": "py_get_int", "Int64": "py_get_int64"}[k]
            decls.append("  %s %s = 0;" % (ctype, v))
            conv.append("  if (%s (\"%s\", \"%s\", %s, &%s) == -1)" % (getter, fn, x.name, src, v))
            call.append(v)
        elif k == "BufferIn":
            decls.append("  Py_buffer %s = { .obj = NULL };" % v)
            conv.append("  if (py_get_buffer (\"%s\", \"%s\", %s, &%s) == -1)" % (fn, x.name, src, v))
            cleanup.append("  if (%s.obj)" % v)
            cleanup.append("    PyBuffer_Release (&%s);" % v)
            call.append("(const char *) %s.buf" % v)
            call.append("(size_t) %s.len" % v)
        elif k == "Pointer":
            decls.append("  void *%s = NULL;" % v)
            conv.append("  if (py_get_pointer (\"%s\", \"%s\", %s, &%s) == -1)" % (fn, x.name, src, v))
            call.append(v)
        else:
            raise SystemExit("%s: no Python conversion for %s" % (fn, k))
        conv.append("    goto out;")
    if a.ret.kind == "RBufferOut":
        decls.append("  size_t size_r = 0;")
        call.append("&size_r")
    if a.optargs:
        decls.append("  struct guestfs_%s_argv optargs_s = { .bitmask = 0 };" % a.c_name)
        base = 1 + len(a.args)
        for j, x in enumerate(a.optargs):
            src = "args[%d]" % (base + j)
            field = "optargs_s.%s" % x.name
            k = x.kind
            conv.append("  if (%s != Py_None) {" % src)
            if k in ("OBool", "OInt", "OInt64"):
                getter = {"OBool": "py_get_bool", "OInt": "py_get_int", "OInt64": "py_get_int64"}[k]
                conv.append("    if (%s (\"%s\", \"%s\", %s, &%s) == -1)" % (getter, fn, x.name, src, field))
                conv.append("      goto out;")
            elif k == "OString":
                v = "o_" + x.name
                decls.append("  struct py_str %s = { NULL, NULL };" % v)
                conv.append("    if (py_get_str (\"%s\", \"%s\", %s, &%s) == -1)" % (fn, x.name, src, v))
                conv.append("      goto out;")
                conv.append("    %s = %s.s;" % (field, v))
                cleanup.append("  py_put_str_free (&%s);" % v)
            elif k == "OStringList":
                v = "o_" + x.name
                decls.append("  char **%s = NULL;" % v)
                conv.append("    if ((%s = py_get_strlist (\"%s\", \"%s\", %s)) == NULL)" % (v, fn, x.name, src))
                conv.append("      goto out;")
                conv.append("    %s = %s;" % (field, v))
                cleanup.append("  py_strlist_free (%s);" % v)
            else:
                raise SystemExit("%s: no Python conversion for %s" % (fn, k))
            conv.append("    optargs_s.bitmask |= %s;" % opt_bitmask_macro(a, x))
            conv.append("  }")
        call.append("&optargs_s")
        cname = a.c_name + "_argv"
    else:
        cname = a.name

    rt = ret_type(a)
    k = a.ret.kind
    decls.append("  %s%sret;" % (rt, "" if rt.endswith("*") else " "))
    out = ["static PyObject *",
           "py_guestfs_%s (PyObject *self, PyObject *const *args, Py_ssize_t nargs)" % fn,
           "{"]
    out += decls
    out += ["", "  if (h == NULL)", "    return NULL;"]
    out += conv
    out += ["  h->busy++;",
            "  Py_BEGIN_ALLOW_THREADS",
            "  ret = guestfs_%s (%s);" % (cname, ", ".join(call)),
            "  Py_END_ALLOW_THREADS",
            "  h->busy--;"]
    if k in ("RErr", "RInt", "RInt64", "RBool"):
        out += ["  if (ret == -1) {", "    py_raise_error (h->g);", "    goto out;", "  }"]
    elif k != "RConstOptString":
        out += ["  if (ret == NULL) {", "    py_raise_error (h->g);", "    goto out;", "  }"]
    if k == "RErr":
        out += ["  Py_INCREF (Py_None);", "  py_r = Py_None;"]
    elif k in ("RInt", "RBool"):
        # libguestfs's binding returns RBool as an int (0 or 1) too.
        out.append("  py_r = PyLong_FromLong (ret);")
    elif k == "RInt64":
        out.append("  py_r = PyLong_FromLongLong (ret);")
    elif k == "RConstString":
        out.append("  py_r = py_from_str (ret);")
    elif k == "RConstOptString":
        out.append("  py_r = py_from_optstr (ret);")
    elif k == "RString":
        out += ["  py_r = py_from_str (ret);", "  free (ret);"]
    elif k == "RStringList":
        out += ["  py_r = py_from_strlist (ret);", "  py_free_strings (ret);"]
    elif k == "RHashtable":
        out += ["  py_r = py_from_hashtable (ret);", "  py_free_strings (ret);"]
    elif k == "RBufferOut":
        out += ["  py_r = PyBytes_FromStringAndSize (ret, size_r);", "  free (ret);"]
    elif k == "RStruct":
        out += ["  py_r = py_from_struct_%s (ret);" % a.ret.struct,
                "  guestfs_free_%s (ret);" % a.ret.struct]
    elif k == "RStructList":
        out += ["  py_r = py_from_struct_%s_list (ret);" % a.ret.struct,
                "  guestfs_free_%s_list (ret);" % a.ret.struct]
    else:
        raise SystemExit("%s: no Python conversion for %s" % (fn, k))
    out.append(" out:" if conv or k != "RConstOptString" else " out: __attribute__((unused))")
    out += cleanup
    out += ["  return py_r;", "}", ""]
    return out


def generate_c(table):
    out = ["/* Generated by generator/gen_python.py from api/ -- do not edit. */",
           "#include \"hatch-python.h\"",
           "#include <stdlib.h>",
           ""]
    used = {a.ret.struct for a in table.actions
            if a.ret.kind in ("RStruct", "RStructList")}
    lists = {a.ret.struct for a in table.actions if a.ret.kind == "RStructList"}
    for s in table.structs:
        if s.name in used:
            out += _struct_converters(s, s.name in lists)
    for a in table.actions:
        out += _c_wrapper(a)
    out.append("PyMethodDef py_action_methods[] = {")
    for a in table.actions:
        out.append("  { \"%s\", (PyCFunction) (void (*) (void)) py_guestfs_%s, METH_FASTCALL, NULL }," % (a.name, a.name))
    out.append("  { NULL, NULL, 0, NULL }")
    out.append("};")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------- Python side

ARG_HINT = {"OptString": "Optional[str]", "StringList": "List[str]",
            "DeviceList": "List[str]", "Bool": "bool", "Int": "int",
            "Int64": "int", "BufferIn": "bytes",
            "OBool": "Optional[bool]", "OInt": "Optional[int]",
            "OInt64": "Optional[int]", "OString": "Optional[str]",
            "OStringList": "Optional[List[str]]"}

RET_HINT = {"RErr": "None", "RInt": "int", "RInt64": "int", "RBool": "bool",
            "RConstString": "str", "RConstOptString": "Optional[str]",
            "RString": "str", "RStringList": "List[str]",
            "RHashtable": "Union[List[Tuple[str, str]], dict]",
            "RStruct": "dict", "RStructList": "List[dict]",
            "RBufferOut": "bytes"}

RET_DOC = {
    "RInt": "It returns an int.",
    "RInt64": "It returns an int.",
    "RBool": "It returns a truth value (0 or 1).",
    "RConstString": "It returns a str.",
    "RConstOptString": "It returns a str, or None when there is no value.",
    "RString": "It returns a str.",
    "RStringList": "It returns a list of str.",
    "RHashtable": "It returns a dict when the handle was made with "
                  "python_return_dict=True, else a list of (key, value) pairs.",
    "RStruct": "It returns a dict (the fields of struct guestfs_%s).",
    "RStructList": "It returns a list of dicts (the fields of struct guestfs_%s).",
    "RBufferOut": "It returns bytes.",
}


def _arg_hint(x):
    if x.kind in STRINGISH:
        return ": str"
    if x.kind == "Pointer":
        return ""
    return ": " + ARG_HINT[x.kind]


def _py_doc(a):
    text = a.longdesc.strip()
    # Our docs name C functions; in Python they are methods of g.
    text = re.sub(r"\bguestfs_(\w+)", r"g.\1", text)
    paras = [text]
    k = a.ret.kind
    if k in RET_DOC:
        paras.append(RET_DOC[k] % a.ret.struct if "%s" in RET_DOC[k] else RET_DOC[k])
    if a.deprecated:
        if isinstance(a.deprecated_by, str):
            paras.append("Deprecated: use g.%s instead." % a.deprecated_by)
        else:
            paras.append("Deprecated: there is no replacement.")
    if a.group:
        paras.append("This call needs the feature \"%s\" (see g.feature_available)." % a.group)
    doc = "\n\n".join(paras)
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = doc.split("\n")
    return ['        """' + lines[0]] + \
        [("        " + l) if l else "" for l in lines[1:]] + ['        """']


def _py_method(a):
    _check_names(a)
    params = ["self"] + [x.name + _arg_hint(x) for x in a.args] + \
        ["%s: %s = None" % (x.name, ARG_HINT[x.kind]) for x in a.optargs]
    out = ["    def %s(%s) -> %s:" % (a.name, ", ".join(params), RET_HINT[a.ret.kind])]
    out += _py_doc(a)
    if a.deprecated:
        if isinstance(a.deprecated_by, str):
            msg = "use GuestFS.%s() instead of GuestFS.%s()" % (a.deprecated_by, a.name)
        else:
            msg = "do not use GuestFS.%s()" % a.name
        out.append("        warnings.warn(%r, DeprecationWarning, stacklevel=2)" % msg)
    call = "libguestfsmod.%s(%s)" % (
        a.name, ", ".join(["self._o"] + [x.name for x in a.args + a.optargs]))
    if a.ret.kind == "RHashtable":
        out.append("        r = " + call)
        out.append("        if self._python_return_dict:")
        out.append("            r = dict(r)")
        out.append("        return r")
    else:
        out.append("        return " + call)
    out.append("")
    if a.once_had_no_optargs:
        out.append("    %s = %s" % (a.c_name, a.name))
        out.append("")
    return out


PY_HEAD = '''\
# Generated by generator/gen_python.py from api/ -- do not edit.
"""Python binding for Hatch, a libguestfs-compatible library.

    import guestfs
    g = guestfs.GuestFS(python_return_dict=True)
    g.add_drive_opts("disk.img", format="raw", readonly=True)
    g.launch()
    print(g.list_filesystems())

Every call of the C API (see guestfs(3)) is a method of GuestFS, without
the guestfs_ prefix; optional arguments are keyword arguments, and an
optional argument left at None is not passed.  Results come back as
Python values: str, int, bytes (for buffers), lists, dicts (for
structures), and for hashtables a dict when the handle was made with
python_return_dict=True, else a list of (key, value) pairs.

An error raises GuestFSException, a subclass of RuntimeError: str(e) is
the library's message and e.errno its errno (None when there is none).
A method called after close() raises ClosedHandle (a ValueError).

Calls release the GIL, so threads using different handles run at the
same time.  A handle may also be shared by threads (the library takes
the handle's lock around each call).
"""
import atexit
import warnings
import weakref
from typing import List, Optional, Tuple, Union  # noqa: F401 (annotations)

import libguestfsmod

GuestFSException = libguestfsmod.GuestFSException
ClosedHandle = libguestfsmod.ClosedHandle

'''

PY_CLASS = '''

def event_to_string(events):
    """Return the names of the events in the bitmask `events`, comma
    separated (e.g. "close,subprocess_quit")."""
    return libguestfsmod.event_to_string(events)


# Handles with close_on_exit=True still open when the interpreter exits
# are closed here, while Python can still run their close callbacks.
_open_handles = weakref.WeakSet()


@atexit.register
def _close_open_handles():
    for h in list(_open_handles):
        try:
            h.close()
        except Exception:  # noqa: BLE001 - at exit, nothing to report to
            pass


class GuestFS(object):
    """A libguestfs handle: the methods are the calls of guestfs(3)."""

    def __init__(self, python_return_dict=False, environment=True,
                 close_on_exit=True):
        """Create a new handle.

        python_return_dict=True makes the calls that return a hashtable
        return a dict (else a list of (key, value) pairs, as libguestfs
        <= 1.20 did): new code should set it.  environment=False ignores
        the LIBGUESTFS_* environment variables.  close_on_exit=False
        leaves the handle (and its appliance) alone when the program
        exits."""
        flags = 0
        if not environment:
            flags |= libguestfsmod.GUESTFS_CREATE_NO_ENVIRONMENT
        if not close_on_exit:
            flags |= libguestfsmod.GUESTFS_CREATE_NO_CLOSE_ON_EXIT
        self._o = libguestfsmod.create(flags)
        self._python_return_dict = python_return_dict
        if close_on_exit:
            _open_handles.add(self)

    def __del__(self):
        o = getattr(self, "_o", None)
        if o is not None:
            self._o = None
            libguestfsmod.close(o)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if self._o is not None:
            self.close()
        return False

    def _check_not_closed(self):
        if self._o is None:
            raise ClosedHandle("GuestFS: method called on closed handle")

    def close(self):
        """Close the handle now: the appliance is shut down (pending
        writes are flushed) and the close event fires.

        A handle is also closed when it is garbage collected and at
        exit; this call is for closing it at a known moment.  Any later
        method call raises ClosedHandle."""
        self._check_not_closed()
        libguestfsmod.close(self._o)
        self._o = None
        _open_handles.discard(self)

    def set_event_callback(self, cb, event_bitmask):
        """Register cb for the events in event_bitmask (guestfs.EVENT_*
        constants or'd together) and return an event handle for
        delete_event_callback.

        cb is called as cb(event, event_handle, buf, array): the event
        (one EVENT_* value), the event handle, the message (a str, or
        None) and the event's numbers (a list of int; for EVENT_PROGRESS
        proc_nr, serial, position, total).  It runs in the thread of the
        call that caused the event.  An exception it raises is printed
        and otherwise ignored."""
        return libguestfsmod.set_event_callback(self._o, cb, event_bitmask)

    def delete_event_callback(self, event_handle):
        """Remove the callback registered under event_handle."""
        libguestfsmod.delete_event_callback(self._o, event_handle)

'''


def _event_constants(preamble):
    out = []
    for m in re.finditer(r"^#define GUESTFS_EVENT_(\w+)\s+(0x[0-9a-fA-F]+|\d+)",
                         preamble, re.M):
        out.append("EVENT_%s = %d" % (m.group(1), int(m.group(2), 0)))
    if not out:
        raise SystemExit("gen_python: no GUESTFS_EVENT_ constants in the header preamble")
    return out


def generate_py(table, preamble):
    out = [PY_HEAD.rstrip("\n"), ""]
    out += _event_constants(preamble)
    out.append(PY_CLASS.rstrip("\n"))
    out.append("")
    for a in table.actions:
        out += _py_method(a)
    return "\n".join(out).rstrip("\n") + "\n"
