"""Generate the runner for the tests written in the API table
(tests/table-tests-gen.c).  Each test becomes a C function that sets up its
scenario, calls the C API directly, and checks the last result."""
from generator.cdecl import c_string, ret_type, err_value, decl, opt_bitmask_macro
from generator import types as T


def tokenize(line):
    """Split a guestfish-style test line.  Double quotes group words and
    understand C escapes (\\n, \\t, \\\\, \\", \\xHH); returns bytes tokens."""
    toks = []
    i = 0
    n = len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        cur = bytearray()
        while i < n and not line[i].isspace():
            if line[i] == '"':
                i += 1
                while i < n and line[i] != '"':
                    c = line[i]
                    if c == "\\" and i + 1 < n:
                        e = line[i + 1]
                        if e == "x":
                            cur.append(int(line[i + 2:i + 4], 16))
                            i += 4
                            continue
                        esc = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", '"': b'"'}
                        if e not in esc:
                            raise SystemExit("bad escape \\%s in test: %s" % (e, line))
                        cur += esc[e]
                        i += 2
                        continue
                    cur += c.encode()
                    i += 1
                if i >= n:
                    raise SystemExit("unterminated quote in test: " + line)
                i += 1
            else:
                cur += line[i].encode()
                i += 1
        toks.append(bytes(cur))
    return toks


def _int(tok):
    s = tok.decode()
    if len(s) > 1 and s.startswith("0") and s[1] not in "xX":
        return int(s, 8)
    return int(s, 0)


def _bool(tok):
    s = tok.decode().lower()
    if s in ("true", "yes", "on", "1"):
        return 1
    if s in ("false", "no", "off", "0"):
        return 0
    raise SystemExit("bad bool in test: %s" % s)


def _c_value(kind, tok, pre, tmpname):
    """C expression for one argument; may append declarations to pre."""
    if kind in ("Bool", "OBool"):
        return str(_bool(tok))
    if kind in ("Int", "OInt"):
        return str(_int(tok))
    if kind in ("Int64", "OInt64"):
        v = _int(tok)
        if v > 2**63 - 1:
            # e.g. GPT attribute bit 63: written as unsigned, passed as int64
            return "(int64_t) UINT64_C(%d)" % v
        return "INT64_C(%d)" % v
    if kind in ("StringList", "DeviceList", "OStringList"):
        items = [w for w in tok.split(b" ") if w]
        pre.append("  char *%s[] = { %s NULL };" % (
            tmpname, "".join("(char *) %s, " % c_string(w) for w in items)))
        return tmpname
    if kind == "OptString" and tok == b"NULL":
        return "NULL"
    return c_string(tok)


def _call(table, line, idx):
    """Returns (pre-statements, call expression, action)."""
    toks = tokenize(line)
    a = table.lookup(toks[0].decode())
    rest = toks[1:]
    nreq = len(a.args)
    if len(rest) < nreq:
        raise SystemExit("test line has too few arguments: %s" % line)
    pre = []
    args = ["g"]
    for j, x in enumerate(a.args):
        v = _c_value(x.kind, rest[j], pre, "t%d_%d" % (idx, j))
        args.append(v)
        if x.kind == "BufferIn":
            args.append(str(len(rest[j])))
    fname = a.name
    if a.ret.kind == "RBufferOut":
        args.append("&r_size")
    if a.optargs:
        fname = a.c_name + "_argv"
        pre.append("  struct guestfs_%s_argv o%d = { .bitmask = 0 };" % (a.c_name, idx))
        for tok in rest[nreq:]:
            name, _, val = tok.partition(b":")
            name = name.decode()
            opt = [o for o in a.optargs if o.name == name]
            if not opt:
                raise SystemExit("unknown optarg %s in test: %s" % (name, line))
            o = opt[0]
            pre.append("  o%d.%s = %s;" % (idx, name, _c_value(o.kind, val, pre, "t%d_%s" % (idx, name))))
            pre.append("  o%d.bitmask |= %s;" % (idx, opt_bitmask_macro(a, o)))
        args.append("&o%d" % idx)
    elif len(rest) > nreq:
        raise SystemExit("test line has too many arguments: %s" % line)
    return pre, "guestfs_%s (%s)" % (fname, ", ".join(args)), a


def _free(a, var):
    k = a.ret.kind
    if k in ("RString", "RBufferOut"):
        return "free (%s);" % var
    if k in ("RStringList", "RHashtable"):
        return "table_free_strings (%s);" % var
    if k == "RStruct":
        return "guestfs_free_%s (%s);" % (a.ret.struct, var)
    if k == "RStructList":
        return "guestfs_free_%s_list (%s);" % (a.ret.struct, var)
    return ""


def _check(a, e, line):
    """C statements checking r against the expectation; on mismatch they
    report and set failed = 1."""
    k = a.ret.kind
    desc = c_string(line)
    if isinstance(e, T.ExpectRun):
        return []
    if isinstance(e, T.ExpectString):
        return ["if (strcmp (r, %s) != 0) { table_report (%s, \"expected \\\"%%s\\\", got \\\"%%s\\\"\", %s, r); failed = 1; }" % (c_string(e.value), desc, c_string(e.value))]
    if isinstance(e, T.ExpectBuffer):
        return ["if (r_size != %d || memcmp (r, %s, %d) != 0) { table_report (%s, \"buffer differs (size %%zu)\", r_size); failed = 1; }" % (len(e.value), c_string(e.value), len(e.value), desc)]
    if isinstance(e, (T.ExpectTrue, T.ExpectFalse)):
        want = 1 if isinstance(e, T.ExpectTrue) else 0
        return ["if (r != %d) { table_report (%s, \"expected %s, got %%d\", (int) r); failed = 1; }" % (want, desc, "true" if want else "false")]
    if isinstance(e, T.ExpectInt):
        return ["if ((int64_t) r != INT64_C(%d)) { table_report (%s, \"expected %d, got %%\" PRIi64, (int64_t) r); failed = 1; }" % (e.value, desc, e.value)]
    if isinstance(e, T.ExpectList):
        items = "".join("%s, " % c_string(v) for v in e.value)
        return ["{ static const char *const want[] = { %s NULL };" % items,
                "  if (table_compare_strings (r, want) != 0) { table_report_strings (%s, r, want); failed = 1; } }" % desc]
    if isinstance(e, T.ExpectC):
        return ["if (!(%s)) { table_report (%s, \"condition failed: %%s\", %s); failed = 1; }" % (e.value, desc, c_string(e.value))]
    raise SystemExit("bad expectation")


def _test_func(table, a, i, t):
    fn = "test_%s_%d" % (a.name, i)
    out = ["static int", "%s (guestfs_h *g)" % fn, "{",
           "  int failed = 0;", "  size_t r_size = 0; (void) r_size;",
           "  if (table_setup (g, %s) == -1) return -1;" % c_string(t.scenario)]
    for idx, line in enumerate(t.commands):
        pre, call, act = _call(table, line, idx)
        last = idx == len(t.commands) - 1
        out.append("  {")
        out += pre
        rt = ret_type(act)
        out.append("  " + decl(rt, "r") + " = %s;" % call)
        err = err_value(act)
        if last and isinstance(t.expect, T.ExpectFail):
            out.append("  if (r != %s) { table_report (%s, \"expected an error, but it succeeded\"); failed = 1; %s }" % (err, c_string(line), _free(act, "r")))
            out.append("  else table_note_error (g);")
        elif act.ret.kind == "RConstOptString" and last and isinstance(t.expect, T.ExpectC):
            # NULL is a valid result here, not an error: the expression judges.
            out += ["  " + l for l in _check(act, t.expect, line)]
        else:
            out.append("  if (r == %s) { table_report (%s, \"failed: %%s\", guestfs_last_error (g)); return -1; }" % (err, c_string(line)))
            if last:
                out += ["  " + l for l in _check(act, t.expect, line)]
            f = _free(act, "r")
            if f:
                out.append("  " + f)
            if rt == "int" or rt == "int64_t":
                out.append("  (void) r;")
        out.append("  }")
    out += ["  return failed ? -1 : 0;", "}", ""]
    return fn, out


def generate(table):
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#include <inttypes.h>", "#include <stdint.h>", "#include <stdlib.h>",
           "#include <string.h>", "#include <sys/stat.h>",
           "#include \"guestfs.h\"", "#include \"table-runner.h\"", ""]
    entries = []
    for a in table.actions:
        for i, t in enumerate(a.tests):
            fn, body = _test_func(table, a, i, t)
            out += body
            entries.append("  { %s, %d, %s, %s }," % (
                c_string(a.name), i, c_string(t.scenario), fn))
    out.append("const struct table_test table_tests[] = {")
    out += entries
    out.append("};")
    out.append("const size_t table_tests_len = sizeof table_tests / sizeof table_tests[0];")
    return "\n".join(out) + "\n"
