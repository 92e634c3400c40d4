"""Generate guestfish's command table (fish/cmds-gen.c): one run_NAME per
action that parses guestfish arguments, calls the API and prints the result
in guestfish's formats."""
from generator.cdecl import c_string, ret_type, err_value, decl, opt_bitmask_macro


def dashed(name):
    return name.replace("_", "-")


def synopsis(a):
    parts = [dashed(a.name)]
    # Key arguments are asked for, not typed (fish_read_key).
    parts += [x.name for x in a.args if x.kind != "Key"]
    for x in a.optargs:
        v = {"OBool": "true|false", "OInt": "N", "OInt64": "N",
             "OString": "..", "OStringList": ".."}[x.kind]
        parts.append("[%s:%s]" % (x.name, v))
    return " ".join(parts)


def _struct_printer(s):
    out = ["static void", "print_%s_indent (const struct guestfs_%s *v, const char *indent)" % (s.name, s.name), "{"]
    for f, k in s.fields:
        if k == "int32":
            out.append("  printf (\"%%s%s: %%\" PRIi32 \"\\n\", indent, v->%s);" % (f, f))
        elif k == "uint32":
            out.append("  printf (\"%%s%s: %%\" PRIu32 \"\\n\", indent, v->%s);" % (f, f))
        elif k == "int64":
            out.append("  printf (\"%%s%s: %%\" PRIi64 \"\\n\", indent, v->%s);" % (f, f))
        elif k == "uint64":
            out.append("  printf (\"%%s%s: %%\" PRIu64 \"\\n\", indent, v->%s);" % (f, f))
        elif k == "string":
            out.append("  printf (\"%%s%s: %%s\\n\", indent, v->%s);" % (f, f))
        elif k == "uuid":
            out.append("  printf (\"%%s%s: %%.32s\\n\", indent, v->%s);" % (f, f))
        elif k == "char":
            out.append("  printf (\"%%s%s: %%c\\n\", indent, v->%s);" % (f, f))
        elif k == "optpercent":
            out.append("  if (v->%s >= 0) printf (\"%%s%s: %%g %%%%\\n\", indent, (double) v->%s);" % (f, f, f))
            out.append("  else printf (\"%%s%s: \\n\", indent);" % f)
        elif k == "buffer":
            out.append("  printf (\"%%s%s: \", indent);" % f)
            out.append("  fish_print_buffer_escaped (v->%s, v->%s_len);" % (f, f))
            out.append("  printf (\"\\n\");")
    out += ["}", "",
            "static void __attribute__((unused))",
            "print_%s (const struct guestfs_%s *v)" % (s.name, s.name), "{",
            "  print_%s_indent (v, \"\");" % s.name, "}", "",
            "static void __attribute__((unused))",
            "print_%s_list (const struct guestfs_%s_list *l)" % (s.name, s.name), "{",
            "  for (uint32_t i = 0; i < l->len; ++i) {",
            "    printf (\"[%\" PRIu32 \"] = {\\n\", i);",
            "    print_%s_indent (&l->val[i], \"  \");" % s.name,
            "    printf (\"}\\n\");",
            "  }", "}", ""]
    return out


def _parse_arg(a, x, src, dst, cleanup):
    k = x.kind
    if k in ("String", "Device", "Mountable", "Dev_or_Path", "OString"):
        return ["  %s = %s;" % (dst, src)]
    if k == "Pathname":
        return ["  %s = fish_win_path (%s);" % (dst, src),
                "  if (%s == NULL) goto out;" % dst], ["free (%s);" % dst]
    if k == "OptString":
        return ["  %s = strcmp (%s, \"\") != 0 ? %s : NULL;" % (dst, src, src)]
    if k == "FileIn":
        return ["  %s = fish_file_in (%s);" % (dst, src),
                "  if (%s == NULL) goto out;" % dst], ["fish_free_file_in (%s);" % dst]
    if k == "FileOut":
        return ["  %s = fish_file_out (%s);" % (dst, src),
                "  if (%s == NULL) goto out;" % dst], ["free (%s);" % dst]
    if k in ("StringList", "DeviceList", "OStringList"):
        return ["  %s = fish_parse_string_list (%s);" % (dst, src),
                "  if (%s == NULL) goto out;" % dst], ["fish_free_strings (%s);" % dst]
    if k in ("Bool", "OBool"):
        return ["  switch (fish_is_true (%s)) {" % src,
                "  case -1: fprintf (stderr, \"guestfish: '%%s': invalid boolean value, use 'true' or 'false'\\n\", %s); goto out;" % src,
                "  case 0: %s = 0; break;" % dst,
                "  default: %s = 1; break;" % dst,
                "  }"]
    if k in ("Int", "OInt"):
        return ["  if (fish_parse_int (cmd, \"%s\", %s, &%s) == -1) goto out;" % (x.name, src, dst)]
    if k in ("Int64", "OInt64"):
        return ["  if (fish_parse_int64 (cmd, \"%s\", %s, &%s) == -1) goto out;" % (x.name, src, dst)]
    if k == "BufferIn":
        return ["  %s = %s;" % (dst, src), "  %s_size = strlen (%s);" % (dst, src)]
    raise SystemExit(k)


def _print_ret(a):
    k = a.ret.kind
    if k == "RErr":
        return []
    if k in ("RInt",):
        if a.fish_output == "hex":
            return ["  printf (\"%s%x\\n\", r != 0 ? \"0x\" : \"\", (unsigned) r);"]
        if a.fish_output == "octal":
            return ["  printf (\"%s%o\\n\", r != 0 ? \"0\" : \"\", (unsigned) r);"]
        return ["  printf (\"%d\\n\", r);"]
    if k == "RInt64":
        if a.fish_output == "hex":
            return ["  printf (\"%s%\" PRIx64 \"\\n\", r != 0 ? \"0x\" : \"\", (uint64_t) r);"]
        if a.fish_output == "octal":
            return ["  printf (\"%s%\" PRIo64 \"\\n\", r != 0 ? \"0\" : \"\", (uint64_t) r);"]
        return ["  printf (\"%\" PRIi64 \"\\n\", r);"]
    if k == "RBool":
        return ["  puts (r ? \"true\" : \"false\");"]
    if k == "RConstString":
        return ["  printf (\"%s\\n\", r);"]
    if k == "RConstOptString":
        return ["  printf (\"%s\\n\", r ? r : \"(null)\");"]
    if k == "RString":
        return ["  printf (\"%s\\n\", r);", "  free (r);"]
    if k == "RStringList":
        return ["  fish_print_strings (r);", "  fish_free_strings (r);"]
    if k == "RHashtable":
        return ["  fish_print_table (r);", "  fish_free_strings (r);"]
    if k == "RBufferOut":
        return ["  if (fwrite (r, 1, size, stdout) != size) { free (r); goto out; }",
                "  free (r);"]
    if k == "RStruct":
        return ["  print_%s (r);" % a.ret.struct, "  guestfs_free_%s (r);" % a.ret.struct]
    if k == "RStructList":
        return ["  print_%s_list (r);" % a.ret.struct,
                "  guestfs_free_%s_list (r);" % a.ret.struct]
    raise SystemExit(k)


KEY_NOTE = ("\n\nThe key or passphrase arguments of this command are not typed "
            "on the command line: guestfish asks for each of them on the "
            "terminal (or reads them from standard input with "
            "--keys-from-stdin).")


def _longdesc(a):
    d = a.longdesc.strip()
    if any(x.kind == "Key" for x in a.args):
        d += KEY_NOTE
    if isinstance(a.deprecated_by, str) and a.deprecated_by:
        d += ("\n\nThis command is deprecated: use %s in new scripts."
              % a.deprecated_by.replace("_", "-"))
    return d


def _run(a):
    nreq = len([x for x in a.args if x.kind != "Key"])
    nopt = len(a.optargs)
    out = ["static int", "run_%s (const char *cmd, size_t argc, char *argv[])" % a.name, "{",
           "  int ret = -1;"]
    decls = []
    body = []
    cleanups = []
    argi = 0
    for x in a.args:
        ctype = {"Bool": "int", "Int": "int", "Int64": "int64_t",
                 "StringList": "char **", "DeviceList": "char **", "Key": "char *",
                 "Pathname": "char *", "FileIn": "char *", "FileOut": "char *"}.get(x.kind, "const char *")
        init = " = NULL" if ctype.endswith("*") else " = 0"
        decls.append("  " + decl(ctype, x.name) + init + ";")
        if x.kind == "BufferIn":
            decls.append("  size_t %s_size = 0;" % x.name)
        if x.kind == "Key":
            # Read after the argument count was checked, in order.
            body += ["  %s = fish_read_key (%s);" % (x.name, c_string(x.name)),
                     "  if (%s == NULL) goto out;" % x.name]
            cleanups.append("fish_free_key (%s);" % x.name)
            continue
        r = _parse_arg(a, x, "argv[%d]" % argi, x.name, cleanups)
        argi += 1
        if isinstance(r, tuple):
            body += r[0]
            cleanups += r[1]
        else:
            body += r
    if a.optargs:
        decls.append("  struct guestfs_%s_argv optargs_s = { .bitmask = 0 };" % a.c_name)
        decls.append("  struct guestfs_%s_argv *optargs = &optargs_s;" % a.c_name)
        body.append("  for (size_t i = %d; i < argc; ++i) {" % nreq)
        first = True
        for x in a.optargs:
            n = x.name
            body.append("    %sif (strncmp (argv[i], \"%s:\", %d) == 0) {" % ("" if first else "else ", n, len(n) + 1))
            first = False
            r = _parse_arg(a, x, "&argv[i][%d]" % (len(n) + 1), "optargs_s." + n, cleanups)
            if isinstance(r, tuple):
                body += ["  " + l for l in r[0]]
                cleanups += r[1]
            else:
                body += ["  " + l for l in r]
            body.append("      optargs_s.bitmask |= %s;" % opt_bitmask_macro(a, x))
            body.append("    }")
        body.append("    else {")
        body.append("      fprintf (stderr, \"%s: unknown optional argument \\\"%s\\\"\\n\", cmd, argv[i]);")
        body.append("      goto out;")
        body.append("    }")
        body.append("  }")
    out += decls
    rt = ret_type(a)
    if a.ret.kind == "RBufferOut":
        out.append("  size_t size;")
    if nopt == 0:
        out.append("  if (argc != %d) {" % nreq)
    elif nreq == 0:
        out.append("  if (argc > %d) {" % nopt)
    else:
        out.append("  if (argc < %d || argc > %d) {" % (nreq, nreq + nopt))
    out.append("    fish_usage_error (cmd, %s);" % c_string(synopsis(a)))
    out.append("    return -1;")
    out.append("  }")
    out += body
    call = ["g"]
    for x in a.args:
        call.append(x.name)
        if x.kind == "BufferIn":
            call.append(x.name + "_size")
    fname = a.name
    if a.ret.kind == "RBufferOut":
        call.append("&size")
    if a.optargs:
        fname = a.c_name + "_argv"
        call.append("optargs")
    out.append("  {")
    out.append("  " + decl(rt, "r") + " = guestfs_%s (%s);" % (fname, ", ".join(call)))
    # A NULL RConstOptString is a result ("(null)"), not an error.
    if a.ret.kind != "RConstOptString":
        out.append("  if (r == %s) goto out;" % err_value(a))
    out += ["  " + l for l in _print_ret(a)]
    out.append("  }")
    out.append("  ret = 0;")
    out.append(" out:")
    out += ["  " + c for c in cleanups]
    out.append("  return ret;")
    out.append("}")
    out.append("")
    # Quiet unused-label warnings when there is nothing that can fail.
    return out


# Internal actions stay in the C API but are not guestfish commands, except
# the one the real guestfish offers.  A few public calls that only make sense
# in a C program (handle state polling) are not commands either.
FISH_INTERNAL_COMMANDS = {"internal_exit"}
NOT_IN_FISH = {"is_busy", "is_launching", "is_ready", "wait_ready", "get_state"}


def in_fish(a):
    # An action taking a C pointer cannot be typed in a shell.
    if any(x.kind == "Pointer" for x in a.args):
        return False
    internal = a.internal or a.name.startswith("internal_")
    if internal and a.name not in FISH_INTERNAL_COMMANDS:
        return False
    return a.name not in NOT_IN_FISH


def filein_index(a):
    """The position of the FileIn argument among the typed ones, or -1:
    guestfish --remote reads a '-<<END' document there on the client."""
    typed = [x for x in a.args if x.kind != "Key"]
    for i, x in enumerate(typed):
        if x.kind == "FileIn":
            return i
    return -1


def nreq_of(a):
    return len([x for x in a.args if x.kind != "Key"])


def generate(table):
    out = ["/* Generated by generator/ from api/ -- do not edit. */",
           "#include <inttypes.h>", "#include <stdio.h>", "#include <stdlib.h>",
           "#include <string.h>", "#include \"guestfs.h\"", "#include \"fish.h\"", "",
           "#pragma GCC diagnostic ignored \"-Wunused-label\"", ""]
    for s in table.structs:
        out += _struct_printer(s)
    actions = [a for a in table.actions if in_fish(a)]
    for a in actions:
        out += _run(a)
    out.append("const struct fish_command fish_commands[] = {")
    for a in actions:
        aliases = [dashed(x) for x in a.fish_alias]
        al = "{ " + "".join(c_string(x) + ", " for x in aliases) + "NULL }"
        out.append("  { %s, %s, %s, %s, %s, run_%s, %d, %d, %d, %s }," % (
            c_string(dashed(a.name)), al, c_string(a.shortdesc),
            c_string(synopsis(a)), c_string(_longdesc(a)), a.name,
            nreq_of(a), len(a.optargs), filein_index(a),
            c_string(" ".join(x.name for x in a.args if x.kind == "Key"))))
    out.append("};")
    out.append("const size_t fish_commands_len = sizeof fish_commands / sizeof fish_commands[0];")
    return "\n".join(out) + "\n"
