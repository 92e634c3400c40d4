"""Generate the wire codec shared by the library and the daemon:
argument structs with encode/decode/free, and struct codecs."""
from generator.cdecl import ARG_STORE, decl


WIRE_MIN = {"int32": 4, "uint32": 4, "char": 4, "optpercent": 4,
            "int64": 8, "uint64": 8, "string": 4, "uuid": 32, "buffer": 4}


def wire_min_size(s):
    """Smallest encoding of one struct: bounds list counts before allocating."""
    return sum(WIRE_MIN[k] for _, k in s.fields)


def _struct_codec(s):
    n = s.name
    enc = ["int", "hatch_enc_%s (struct xdr *x, const struct guestfs_%s *v)" % (n, n), "{"]
    dec = ["int", "hatch_dec_%s (struct xdr *x, struct guestfs_%s *v)" % (n, n), "{"]
    free = ["void", "hatch_free_%s_fields (struct guestfs_%s *v)" % (n, n), "{"]
    for f, k in s.fields:
        if k == "int32":
            enc.append("  xdr_put_i32 (x, v->%s);" % f)
            dec.append("  if (xdr_get_i32 (x, &v->%s) == -1) return -1;" % f)
        elif k == "uint32":
            enc.append("  xdr_put_u32 (x, v->%s);" % f)
            dec.append("  if (xdr_get_u32 (x, &v->%s) == -1) return -1;" % f)
        elif k == "int64":
            enc.append("  xdr_put_i64 (x, v->%s);" % f)
            dec.append("  if (xdr_get_i64 (x, &v->%s) == -1) return -1;" % f)
        elif k == "uint64":
            enc.append("  xdr_put_u64 (x, v->%s);" % f)
            dec.append("  if (xdr_get_u64 (x, &v->%s) == -1) return -1;" % f)
        elif k == "string":
            enc.append("  xdr_put_string (x, v->%s ? v->%s : \"\");" % (f, f))
            dec.append("  if (xdr_get_string (x, &v->%s) == -1) return -1;" % f)
            free.append("  free (v->%s); v->%s = NULL;" % (f, f))
        elif k == "uuid":
            enc.append("  xdr_put_fixed (x, v->%s, 32);" % f)
            dec.append("  if (xdr_get_fixed (x, v->%s, 32) == -1) return -1;" % f)
        elif k == "char":
            enc.append("  xdr_put_i32 (x, v->%s);" % f)
            dec.append("  { int32_t c; if (xdr_get_i32 (x, &c) == -1) return -1; v->%s = (char) c; }" % f)
        elif k == "optpercent":
            enc.append("  xdr_put_float (x, v->%s);" % f)
            dec.append("  if (xdr_get_float (x, &v->%s) == -1) return -1;" % f)
        elif k == "buffer":
            enc.append("  xdr_put_opaque (x, v->%s, v->%s_len);" % (f, f))
            dec.append("  { size_t l; if (xdr_get_opaque (x, &v->%s, &l) == -1) return -1; v->%s_len = l; }" % (f, f))
            free.append("  free (v->%s); v->%s = NULL;" % (f, f))
        else:
            raise SystemExit("unknown field kind " + k)
    enc += ["  return x->error ? -1 : 0;", "}", ""]
    dec += ["  return 0;", "}", ""]
    free += ["}", ""]
    lst = """int
hatch_enc_%(n)s_list (struct xdr *x, const struct guestfs_%(n)s_list *v)
{
  xdr_put_u32 (x, v->len);
  for (uint32_t i = 0; i < v->len; ++i)
    hatch_enc_%(n)s (x, &v->val[i]);
  return x->error ? -1 : 0;
}

/* Decode a list; on error everything decoded so far is freed. */
int
hatch_dec_%(n)s_list (struct xdr *x, struct guestfs_%(n)s_list **ret)
{
  uint32_t len;
  if (xdr_get_count (x, &len, %(min)d) == -1) return -1;
  struct guestfs_%(n)s_list *l = calloc (1, sizeof *l);
  if (!l) { x->error = XDR_ENOMEM; return -1; }
  l->val = calloc (len ? len : 1, sizeof l->val[0]);
  if (!l->val) { free (l); x->error = XDR_ENOMEM; return -1; }
  for (uint32_t i = 0; i < len; ++i) {
    if (hatch_dec_%(n)s (x, &l->val[i]) == -1) {
      l->len = i + 1;
      hatch_free_%(n)s_list (l);
      return -1;
    }
  }
  l->len = len;
  *ret = l;
  return 0;
}

void
hatch_free_%(n)s_list (struct guestfs_%(n)s_list *l)
{
  if (!l) return;
  for (uint32_t i = 0; i < l->len; ++i)
    hatch_free_%(n)s_fields (&l->val[i]);
  free (l->val);
  free (l);
}

""" % {"n": n, "min": wire_min_size(s)}
    return enc + dec + free + [lst]


def _args_struct(a):
    out = ["struct hatch_%s_args {" % a.name]
    for x in a.wire_args:
        if x.kind == "BufferIn":
            out.append("  char *%s;" % x.name)
            out.append("  size_t %s_size;" % x.name)
        else:
            out.append("  " + decl(ARG_STORE[x.kind], x.name) + ";")
    for x in a.optargs:
        out.append("  " + decl(ARG_STORE[x.kind], x.name) + ";")
    out.append("  uint64_t optargs_bitmask;")
    out.append("};")
    return out


def _enc_one(x, src):
    k = x.kind
    if k in ("OptString",):
        return ["  xdr_put_optstring (x, %s);" % src]
    if k in ("OString",):
        return ["  xdr_put_optstring (x, %s);" % src]
    if k in ("StringList", "DeviceList", "OStringList"):
        return ["  xdr_put_stringlist (x, %s);" % src]
    if k in ("Bool", "OBool"):
        return ["  xdr_put_u32 (x, %s ? 1 : 0);" % src]
    if k in ("Int", "OInt"):
        return ["  xdr_put_i32 (x, %s);" % src]
    if k in ("Int64", "OInt64"):
        return ["  xdr_put_i64 (x, %s);" % src]
    if k == "BufferIn":
        return ["  xdr_put_opaque (x, %s, %s_size);" % (src, src)]
    return ["  xdr_put_string (x, %s);" % src]


def _dec_one(x, dst):
    k = x.kind
    if k in ("OptString", "OString"):
        return ["  if (xdr_get_optstring (x, &%s) == -1) return -1;" % dst]
    if k in ("StringList", "DeviceList", "OStringList"):
        return ["  if (xdr_get_stringlist (x, &%s) == -1) return -1;" % dst]
    if k in ("Bool", "OBool"):
        return ["  { uint32_t b; if (xdr_get_u32 (x, &b) == -1) return -1;",
                "    if (b > 1) { x->error = XDR_EINVAL; return -1; }",
                "    %s = (int) b; }" % dst]
    if k in ("Int", "OInt"):
        return ["  { int32_t i; if (xdr_get_i32 (x, &i) == -1) return -1; %s = i; }" % dst]
    if k in ("Int64", "OInt64"):
        return ["  if (xdr_get_i64 (x, &%s) == -1) return -1;" % dst]
    if k == "BufferIn":
        return ["  if (xdr_get_opaque (x, &%s, &%s_size) == -1) return -1;" % (dst, dst)]
    return ["  if (xdr_get_string (x, &%s) == -1) return -1;" % dst]


def _free_one(x, dst):
    k = x.kind
    if k in ("StringList", "DeviceList", "OStringList"):
        return ["  xdr_free_stringlist (%s);" % dst]
    if k in ("Bool", "OBool", "Int", "OInt", "Int64", "OInt64"):
        return []
    return ["  free (%s);" % dst]


def _args_codec(a):
    n = a.name
    enc = ["int", "hatch_enc_%s_args (struct xdr *x, const struct hatch_%s_args *a)" % (n, n), "{"]
    dec = ["int", "hatch_dec_%s_args (struct xdr *x, struct hatch_%s_args *a)" % (n, n), "{"]
    fr = ["void", "hatch_free_%s_args (struct hatch_%s_args *a)" % (n, n), "{"]
    for x in a.wire_args:
        enc += _enc_one(x, "a->" + x.name)
        dec += _dec_one(x, "a->" + x.name)
        fr += _free_one(x, "a->" + x.name)
    if a.optargs:
        enc.append("  xdr_put_u64 (x, a->optargs_bitmask);")
        dec.append("  if (xdr_get_u64 (x, &a->optargs_bitmask) == -1) return -1;")
        dec.append("  if (a->optargs_bitmask >> %d) { x->error = XDR_EINVAL; return -1; }" % len(a.optargs))
        for x in a.optargs:
            enc += _enc_one(x, "a->" + x.name)
            dec += _dec_one(x, "a->" + x.name)
            fr += _free_one(x, "a->" + x.name)
    enc += ["  return x->error ? -1 : 0;", "}", ""]
    dec += ["  return 0;", "}", ""]
    fr += ["}", ""]
    return enc + dec + fr


def generate_h(table):
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#ifndef HATCH_PROTOCOL_GEN_H", "#define HATCH_PROTOCOL_GEN_H", "",
           "#include \"xdr.h\"", "#include \"guestfs-structs.h\"", "",
           "#define HATCH_API_HASH \"%s\"" % table.api_hash(), ""]
    for a in table.daemon_actions:
        out.append("#define HATCH_PROC_%s %d" % (a.name.upper(), a.proc))
    out.append("#define HATCH_PROC_MAX %d" % max(a.proc for a in table.daemon_actions))
    out.append("")
    for s in table.structs:
        n = s.name
        out.append("int hatch_enc_%s (struct xdr *x, const struct guestfs_%s *v);" % (n, n))
        out.append("int hatch_dec_%s (struct xdr *x, struct guestfs_%s *v);" % (n, n))
        out.append("void hatch_free_%s_fields (struct guestfs_%s *v);" % (n, n))
        out.append("int hatch_enc_%s_list (struct xdr *x, const struct guestfs_%s_list *v);" % (n, n))
        out.append("int hatch_dec_%s_list (struct xdr *x, struct guestfs_%s_list **ret);" % (n, n))
        out.append("void hatch_free_%s_list (struct guestfs_%s_list *l);" % (n, n))
    out.append("")
    for a in table.daemon_actions:
        out += _args_struct(a)
        n = a.name
        out.append("int hatch_enc_%s_args (struct xdr *x, const struct hatch_%s_args *a);" % (n, n))
        out.append("int hatch_dec_%s_args (struct xdr *x, struct hatch_%s_args *a);" % (n, n))
        out.append("void hatch_free_%s_args (struct hatch_%s_args *a);" % (n, n))
        out.append("")
    out.append("const char *hatch_proc_name (int proc);")
    out.append("#endif")
    return "\n".join(out) + "\n"


def generate_c(table):
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#include <stdlib.h>", "#include <string.h>",
           "#include \"protocol-gen.h\"", ""]
    for s in table.structs:
        out += _struct_codec(s)
    for a in table.daemon_actions:
        out += _args_codec(a)
    out.append("const char *")
    out.append("hatch_proc_name (int proc)")
    out.append("{")
    out.append("  switch (proc) {")
    for a in table.daemon_actions:
        out.append("  case %d: return \"%s\";" % (a.proc, a.name))
    out.append("  default: return NULL;")
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def generate_structs_h(table):
    """The struct definitions alone, for the daemon (which must not see the
    library's function declarations)."""
    from generator.gen_header import struct_decl
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#ifndef HATCH_GUESTFS_STRUCTS_H", "#define HATCH_GUESTFS_STRUCTS_H",
           "#include <stdint.h>",
           "#ifndef GUESTFS_DLL_PUBLIC",
           "#define GUESTFS_DLL_PUBLIC __attribute__((visibility(\"default\")))",
           "#endif", "#ifndef GUESTFS_STRUCTS_DEFINED", "#define GUESTFS_STRUCTS_DEFINED"]
    for s in table.structs:
        out += struct_decl(s)
    out += ["#endif", "#endif"]
    return "\n".join(out) + "\n"
