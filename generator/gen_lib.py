"""Generate the library's action stubs (lib/actions-gen.c): argument
checks, tracing, optional-argument plumbing, and the daemon round trip."""
from generator.cdecl import (c_params, c_call_args, ret_type, err_value,
                             opt_bitmask_macro, ARG_C, decl)
from generator.gen_header import params_text


def _null_checks(a, fn):
    out = []
    for x in a.args:
        if ARG_C[x.kind].startswith("const char") and x.kind != "OptString" or \
                x.kind in ("StringList", "DeviceList"):
            out.append("  if (%s == NULL) {" % x.name)
            out.append("    guestfs_int_error_errno (g, EINVAL, \"%s: %s: parameter cannot be NULL\");" % (fn, x.name))
            out.append("    return %s;" % err_value(a))
            out.append("  }")
    for x in a.optargs:
        if x.kind in ("OString", "OStringList"):
            out.append("  if ((optargs->bitmask & %s) && optargs->%s == NULL) {" % (opt_bitmask_macro(a, x), x.name))
            out.append("    guestfs_int_error_errno (g, EINVAL, \"%s: %s: optional parameter cannot be NULL\");" % (fn, x.name))
            out.append("    return %s;" % err_value(a))
            out.append("  }")
    if a.optargs:
        out.append("  if (optargs->bitmask & ~UINT64_C(0x%x)) {" % ((1 << len(a.optargs)) - 1))
        out.append("    guestfs_int_error_errno (g, EINVAL, \"%s: unknown option in optargs bitmask (this can happen if a program is compiled against a newer version of libguestfs, then dynamically linked to an older version)\");" % fn)
        out.append("    return %s;" % err_value(a))
        out.append("  }")
    return out


def _trace_call(a):
    out = ["  if (trace_flag) {",
           "    struct trace_buf *tb = guestfs_int_trace_open (g, \"%s\");" % a.name]
    for x in a.args:
        k = x.kind
        if k in ("Bool",):
            out.append("    guestfs_int_trace_bool (tb, %s);" % x.name)
        elif k in ("Int",):
            out.append("    guestfs_int_trace_int (tb, %s);" % x.name)
        elif k == "Int64":
            out.append("    guestfs_int_trace_int64 (tb, %s);" % x.name)
        elif k in ("StringList", "DeviceList"):
            out.append("    guestfs_int_trace_strings (tb, %s);" % x.name)
        elif k == "BufferIn":
            out.append("    guestfs_int_trace_buffer (tb, %s, %s_size);" % (x.name, x.name))
        elif k == "Key":
            out.append("    guestfs_int_trace_str (tb, \"***\");")
        elif k == "Pointer":
            out.append("    guestfs_int_trace_int64 (tb, (int64_t) (intptr_t) %s);" % x.name)
        else:
            out.append("    guestfs_int_trace_str (tb, %s);" % x.name)
    for x in a.optargs:
        m = opt_bitmask_macro(a, x)
        out.append("    if (optargs->bitmask & %s)" % m)
        k = x.kind
        fn = {"OBool": "bool", "OInt": "int", "OInt64": "int64",
              "OString": "str", "OStringList": "strings"}[k]
        out.append("      guestfs_int_trace_opt_%s (tb, \"%s\", optargs->%s);" % (fn, x.name, x.name))
    out.append("    guestfs_int_trace_send (g, tb);")
    out.append("  }")
    return out


def _trace_ret(a, var):
    k = a.ret.kind
    n = a.name
    if k in ("RErr", "RInt", "RBool"):
        return ["  guestfs_int_trace_ret_int (g, \"%s\", %s);" % (n, var)]
    if k == "RInt64":
        return ["  guestfs_int_trace_ret_int64 (g, \"%s\", %s);" % (n, var)]
    if k in ("RString", "RConstString", "RConstOptString"):
        return ["  guestfs_int_trace_ret_str (g, \"%s\", %s);" % (n, var)]
    if k in ("RStringList", "RHashtable"):
        return ["  guestfs_int_trace_ret_strings (g, \"%s\", %s);" % (n, var)]
    if k == "RBufferOut":
        return ["  guestfs_int_trace_ret_buffer (g, \"%s\", %s, %s ? *size_r : 0);" % (n, var, var)]
    if k == "RStruct":
        return ["  guestfs_int_trace_ret_ptr (g, \"%s\", \"struct guestfs_%s *\", %s);" % (n, a.ret.struct, var)]
    if k == "RStructList":
        return ["  guestfs_int_trace_ret_ptr (g, \"%s\", \"struct guestfs_%s_list *\", %s);" % (n, a.ret.struct, var)]
    raise SystemExit(k)


def _decode_ret(a):
    """Code decoding the reply body in `x` into `ret`."""
    k = a.ret.kind
    if k == "RErr":
        return ["  if (reply.len != 0) goto protocol_error;", "  ret = 0;"]
    if k == "RInt" or k == "RBool":
        return ["  { int32_t v; if (xdr_get_i32 (&x, &v) == -1) goto protocol_error; ret = v; }"]
    if k == "RInt64":
        return ["  if (xdr_get_i64 (&x, &ret) == -1) goto protocol_error;"]
    if k == "RString":
        return ["  if (xdr_get_string (&x, &ret) == -1) goto protocol_error;"]
    if k in ("RStringList", "RHashtable"):
        out = ["  if (xdr_get_stringlist (&x, &ret) == -1) goto protocol_error;"]
        if k == "RHashtable":
            out.append("  { size_t n = 0; while (ret[n]) n++; if (n & 1) { xdr_free_stringlist (ret); ret = NULL; goto protocol_error; } }")
        return out
    if k == "RBufferOut":
        return ["  { size_t len; if (xdr_get_opaque (&x, &ret, &len) == -1) goto protocol_error; *size_r = len; }"]
    if k == "RStruct":
        return ["  ret = calloc (1, sizeof *ret);",
                "  if (!ret) { guestfs_int_error_errno (g, ENOMEM, \"%s: out of memory\"); goto out; }" % a.name,
                "  if (hatch_dec_%s (&x, ret) == -1) { hatch_free_%s_fields (ret); free (ret); ret = NULL; goto protocol_error; }" % (a.ret.struct, a.ret.struct)]
    if k == "RStructList":
        return ["  if (hatch_dec_%s_list (&x, &ret) == -1) goto protocol_error;" % a.ret.struct]
    raise SystemExit("cannot return %s from the daemon" % k)


def _body(a, fn):
    """The implementation with optargs passed as a struct pointer (or none)."""
    out = []
    rt = ret_type(a)
    # Decide once whether this call is traced, so set_trace itself is
    # reported consistently on entry and return.
    if not a.nolock:
        out.append("  GUESTFS_LOCK_SCOPE (g);")
    out.append("  const int trace_flag = g->trace;")
    out += _null_checks(a, fn)
    out += _trace_call(a)
    if not a.in_daemon:
        args = ["g"] + c_call_args(a.args)
        if a.optargs:
            args.append("optargs")
        if a.ret.kind == "RBufferOut":
            args.append("size_r")
        if a.config_only:
            out.append("  if (guestfs_int_check_config (g, \"%s\") == -1) {" % a.name)
            out.append("    if (trace_flag) guestfs_int_trace_ret_error (g, \"%s\");" % a.name)
            out.append("    return %s;" % err_value(a))
            out.append("  }")
        out.append("  " + decl(rt, "ret") + " = guestfs_impl_%s (%s);" % (a.name, ", ".join(args)))
        out.append("  if (trace_flag) {")
        out.append("    if (ret == %s) guestfs_int_trace_ret_error (g, \"%s\");" % (err_value(a), a.name))
        out.append("    else {")
        out += ["    " + l for l in _trace_ret(a, "ret")]
        out.append("    }")
        out.append("  }")
        out.append("  return ret;")
        return out
    # Daemon action.
    out.append("  " + decl(rt, "ret") + " = %s;" % ("-1" if err_value(a) == "-1" else "NULL"))
    out.append("  struct xdr x;")
    out.append("  struct xdr req;")
    out.append("  struct hatch_%s_args args;" % a.name)
    out.append("  memset (&args, 0, sizeof args);")
    for x in a.wire_args:
        if x.kind == "BufferIn":
            out.append("  args.%s = (char *) %s;" % (x.name, x.name))
            out.append("  args.%s_size = %s_size;" % (x.name, x.name))
        elif x.kind in ("StringList", "DeviceList"):
            out.append("  args.%s = (char **) %s;" % (x.name, x.name))
        elif ARG_C[x.kind].startswith("const char"):
            out.append("  args.%s = (char *) %s;" % (x.name, x.name))
        else:
            out.append("  args.%s = %s;" % (x.name, x.name))
    if a.optargs:
        out.append("  args.optargs_bitmask = optargs->bitmask;")
        for x in a.optargs:
            m = opt_bitmask_macro(a, x)
            if x.kind in ("OString",):
                out.append("  args.%s = (optargs->bitmask & %s) ? (char *) optargs->%s : (char *) \"\";" % (x.name, m, x.name))
            elif x.kind == "OStringList":
                out.append("  static char *const empty_%s[] = { NULL };" % x.name)
                out.append("  args.%s = (char **) ((optargs->bitmask & %s) ? optargs->%s : empty_%s);" % (x.name, m, x.name, x.name))
            else:
                out.append("  args.%s = (optargs->bitmask & %s) ? optargs->%s : 0;" % (x.name, m, x.name))
    out.append("  xdr_enc_init (&req);")
    out.append("  if (hatch_enc_%s_args (&req, &args) == -1) {" % a.name)
    out.append("    guestfs_int_error_errno (g, EINVAL, \"%s: arguments too large for the protocol\");" % a.name)
    out.append("    xdr_free_buf (&req);")
    out.append("    goto out;")
    out.append("  }")
    filein = a.filein[0].name if a.filein else "NULL"
    fileout = a.fileout[0].name if a.fileout else "NULL"
    out.append("  struct hatch_reply reply;")
    out.append("  int r = guestfs_int_daemon_call (g, HATCH_PROC_%s, \"%s\", &req, %s, %s, %d, &reply);" % (
        a.name.upper(), a.name, filein, fileout, 1 if a.progress else 0))
    out.append("  xdr_free_buf (&req);")
    out.append("  if (r == -1) goto out;")
    out.append("  xdr_dec_init (&x, reply.body, reply.len);")
    out += _decode_ret(a)
    if a.ret.kind != "RErr":
        # Trailing bytes mean the daemon and we disagree about the reply.
        out.append("  if (!xdr_at_end (&x)) {")
        out.append("    " + _free_ret(a, "ret"))
        out.append("    ret = %s;" % err_value(a))
        out.append("    goto protocol_error;")
        out.append("  }")
    out.append("  guestfs_int_reply_free (&reply);")
    out.append("  goto out;")
    out.append(" protocol_error:")
    out.append("  guestfs_int_reply_free (&reply);")
    out.append("  guestfs_int_protocol_error (g, \"%s\", &x);" % a.name)
    out.append(" out:")
    out.append("  if (trace_flag) {")
    out.append("    if (ret == %s) guestfs_int_trace_ret_error (g, \"%s\");" % (err_value(a), a.name))
    out.append("    else {")
    out += ["    " + l for l in _trace_ret(a, "ret")]
    out.append("    }")
    out.append("  }")
    out.append("  return ret;")
    return out


def _free_ret(a, var):
    k = a.ret.kind
    if k in ("RString", "RBufferOut"):
        return "free (%s);" % var
    if k in ("RStringList", "RHashtable"):
        return "xdr_free_stringlist (%s);" % var
    if k == "RStruct":
        return "guestfs_free_%s (%s);" % (a.ret.struct, var)
    if k == "RStructList":
        return "guestfs_free_%s_list (%s);" % (a.ret.struct, var)
    return "/* nothing to free */"


def _func(a, name, extra, body):
    rt = ret_type(a)
    out = ["GUESTFS_DLL_PUBLIC " + rt + ("" if rt.endswith("*") else " "),
           "guestfs_%s (%s)" % (name, params_text(a, extra)), "{"]
    out += body
    out += ["}", ""]
    return out


def _action(a):
    out = []
    if not a.optargs:
        return _func(a, a.name, [], _body(a, a.name))
    # _argv: the real one
    out += _func(a, a.c_name + "_argv",
                 ["const struct guestfs_%s_argv *optargs" % a.c_name],
                 ["  struct guestfs_%s_argv optargs_null;" % a.c_name,
                  "  if (!optargs) {",
                  "    optargs_null.bitmask = 0;",
                  "    optargs = &optargs_null;",
                  "  }"] + _body(a, a.name))
    # _va: decode the varargs list
    va = ["  struct guestfs_%s_argv optargs_s;" % a.c_name,
          "  struct guestfs_%s_argv *optargs = &optargs_s;" % a.c_name,
          "  int i;",
          "  optargs_s.bitmask = 0;",
          "  while ((i = va_arg (args, int)) >= 0) {",
          "    switch (i) {"]
    for idx, x in enumerate(a.optargs):
        va.append("    case %d:" % idx)
        t = {"OBool": "int", "OInt": "int", "OInt64": "int64_t",
             "OString": "const char *", "OStringList": "char *const *"}[x.kind]
        va.append("      optargs_s.%s = va_arg (args, %s);" % (x.name, t))
        va.append("      break;")
    va += ["    default:",
           "      guestfs_int_error_errno (g, EINVAL, \"%s: unknown option %%d (this can happen if a program is compiled against a newer version of libguestfs, then dynamically linked to an older version)\", i);" % a.name,
           "      return %s;" % err_value(a),
           "    }",
           "    uint64_t i_mask = UINT64_C(1) << i;",
           "    if (optargs_s.bitmask & i_mask) {",
           "      guestfs_int_error_errno (g, EINVAL, \"%s: same optional argument specified more than once\");" % a.name,
           "      return %s;" % err_value(a),
           "    }",
           "    optargs_s.bitmask |= i_mask;",
           "  }"]
    call = ["g"] + c_call_args(a.args) + (["size_r"] if a.ret.kind == "RBufferOut" else []) + ["optargs"]
    va.append("  return guestfs_%s_argv (%s);" % (a.c_name, ", ".join(call)))
    out += _func(a, a.c_name + "_va", ["va_list args"], va)
    call = ["g"] + c_call_args(a.args) + (["size_r"] if a.ret.kind == "RBufferOut" else []) + ["args"]
    rt = ret_type(a)
    out += _func(a, a.c_name, ["..."],
                 ["  va_list args;",
                  "  va_start (args, %s);" % ("size_r" if a.ret.kind == "RBufferOut" else a.args[-1].name + ("_size" if a.args[-1].kind == "BufferIn" else "") if a.args else "g"),
                  "  " + decl(rt, "r") + " = guestfs_%s_va (%s);" % (a.c_name, ", ".join(call)),
                  "  va_end (args);",
                  "  return r;"])
    if a.once_had_no_optargs:
        call = ["g"] + c_call_args(a.args) + (["size_r"] if a.ret.kind == "RBufferOut" else []) + ["&optargs"]
        out += _func(a, a.name, [],
                     ["  struct guestfs_%s_argv optargs = { .bitmask = 0 };" % a.c_name,
                      "  return guestfs_%s_argv (%s);" % (a.c_name, ", ".join(call))])
    return out


def _impl_decl(a):
    rt = ret_type(a)
    ps = ["guestfs_h *g"] + c_params(a.args)
    if a.optargs:
        ps.append("const struct guestfs_%s_argv *optargs" % a.c_name)
    if a.ret.kind == "RBufferOut":
        ps.append("size_t *size_r")
    return "extern " + decl(rt, "guestfs_impl_%s (%s);" % (a.name, ", ".join(ps)))


def _struct_funcs(s):
    n = s.name
    copy_fields = []
    cmp_fields = []
    for f, k in s.fields:
        if k == "string":
            copy_fields.append("  if (src->%s && !(dst->%s = strdup (src->%s))) return -1;" % (f, f, f))
            cmp_fields.append("  r = strcmp (a->%s ? a->%s : \"\", b->%s ? b->%s : \"\"); if (r) return r;" % (f, f, f, f))
        elif k == "buffer":
            copy_fields.append("  if (src->%s) { dst->%s = malloc (src->%s_len ? src->%s_len : 1); if (!dst->%s) return -1; memcpy (dst->%s, src->%s, src->%s_len); }" % ((f,) * 8))
            cmp_fields.append("  if (a->%s_len != b->%s_len) return a->%s_len < b->%s_len ? -1 : 1;" % ((f,) * 4))
            cmp_fields.append("  r = memcmp (a->%s, b->%s, a->%s_len); if (r) return r;" % (f, f, f))
        elif k == "uuid":
            cmp_fields.append("  r = memcmp (a->%s, b->%s, 32); if (r) return r;" % (f, f))
        else:
            cmp_fields.append("  if (a->%s != b->%s) return a->%s < b->%s ? -1 : 1;" % (f, f, f, f))
    return """static int
copy_%(n)s_fields (struct guestfs_%(n)s *dst, const struct guestfs_%(n)s *src)
{
  memcpy (dst, src, sizeof *dst);
%(nulls)s
%(copy)s
  return 0;
}

GUESTFS_DLL_PUBLIC struct guestfs_%(n)s *
guestfs_copy_%(n)s (const struct guestfs_%(n)s *src)
{
  struct guestfs_%(n)s *dst = calloc (1, sizeof *dst);
  if (!dst) return NULL;
  if (copy_%(n)s_fields (dst, src) == -1) { guestfs_free_%(n)s (dst); return NULL; }
  return dst;
}

GUESTFS_DLL_PUBLIC struct guestfs_%(n)s_list *
guestfs_copy_%(n)s_list (const struct guestfs_%(n)s_list *src)
{
  struct guestfs_%(n)s_list *dst = calloc (1, sizeof *dst);
  if (!dst) return NULL;
  dst->val = calloc (src->len ? src->len : 1, sizeof dst->val[0]);
  if (!dst->val) { free (dst); return NULL; }
  for (uint32_t i = 0; i < src->len; ++i) {
    dst->len = i + 1;
    if (copy_%(n)s_fields (&dst->val[i], &src->val[i]) == -1) {
      guestfs_free_%(n)s_list (dst);
      return NULL;
    }
  }
  dst->len = src->len;
  return dst;
}

GUESTFS_DLL_PUBLIC int
guestfs_compare_%(n)s (const struct guestfs_%(n)s *a, const struct guestfs_%(n)s *b)
{
  int r = 0;
%(cmp)s
  return r;
}

GUESTFS_DLL_PUBLIC int
guestfs_compare_%(n)s_list (const struct guestfs_%(n)s_list *a, const struct guestfs_%(n)s_list *b)
{
  for (uint32_t i = 0; i < a->len && i < b->len; ++i) {
    int r = guestfs_compare_%(n)s (&a->val[i], &b->val[i]);
    if (r) return r;
  }
  return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

GUESTFS_DLL_PUBLIC void
guestfs_free_%(n)s (struct guestfs_%(n)s *v)
{
  if (!v) return;
  hatch_free_%(n)s_fields (v);
  free (v);
}

GUESTFS_DLL_PUBLIC void
guestfs_free_%(n)s_list (struct guestfs_%(n)s_list *l)
{
  hatch_free_%(n)s_list (l);
}

""" % {"n": n,
       "nulls": "\n".join("  dst->%s = NULL;" % f for f, k in s.fields if k in ("string", "buffer")),
       "copy": "\n".join(copy_fields),
       "cmp": "\n".join(cmp_fields)}


def generate_impl_h(table):
    out = ["/* Generated by generator/ from api/ -- do not edit.",
           " * Library-side actions are written by hand as guestfs_impl_NAME. */",
           "#ifndef HATCH_ACTIONS_GEN_H", "#define HATCH_ACTIONS_GEN_H", ""]
    for a in table.library_actions:
        out.append(_impl_decl(a))
    out += ["", "/* Every optional feature group named in the table, sorted. */",
            "extern const char *const guestfs_int_feature_groups[];",
            "", "#endif"]
    return "\n".join(out) + "\n"


def generate(table):
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#include <errno.h>", "#include <stdarg.h>", "#include <stdint.h>",
           "#include <stdlib.h>", "#include <string.h>", "",
           "#include \"guestfs.h\"", "#include \"guestfs-internal.h\"",
           "#include \"actions-gen.h\"", "#include \"protocol-gen.h\"", ""]
    for s in table.structs:
        out.append(_struct_funcs(s))
    for a in table.actions:
        out += _action(a)
    groups = sorted({a.group for a in table.actions if a.group})
    out.append("const char *const guestfs_int_feature_groups[] = {")
    out += ["  \"%s\"," % g for g in groups]
    out += ["  NULL", "};"]
    return "\n".join(out) + "\n"
