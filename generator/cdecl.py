"""C spellings of the table's types, shared by every C output."""

ARG_C = {
    "String": "const char *", "OptString": "const char *",
    "Device": "const char *", "Mountable": "const char *",
    "Pathname": "const char *", "Dev_or_Path": "const char *",
    "Key": "const char *", "FileIn": "const char *", "FileOut": "const char *",
    "StringList": "char *const *", "DeviceList": "char *const *",
    "Bool": "int", "Int": "int", "Int64": "int64_t",
    "BufferIn": "const char *", "Pointer": "void *",
    "OBool": "int", "OInt": "int", "OInt64": "int64_t",
    "OString": "const char *", "OStringList": "char *const *",
}

# Types as they are stored in a decoded argument struct (owned memory).
ARG_STORE = {
    "String": "char *", "OptString": "char *", "Device": "char *",
    "Mountable": "char *", "Pathname": "char *", "Dev_or_Path": "char *",
    "Key": "char *", "StringList": "char **", "DeviceList": "char **",
    "Bool": "int", "Int": "int", "Int64": "int64_t",
    "OBool": "int", "OInt": "int", "OInt64": "int64_t",
    "OString": "char *", "OStringList": "char **",
}

RET_C = {
    "RErr": "int", "RInt": "int", "RInt64": "int64_t", "RBool": "int",
    "RConstString": "const char *", "RConstOptString": "const char *",
    "RString": "char *", "RStringList": "char **", "RHashtable": "char **",
    "RBufferOut": "char *",
}

FIELD_C = {"int32": "int32_t", "int64": "int64_t", "uint32": "uint32_t",
           "uint64": "uint64_t", "string": "char *", "uuid": "char",
           "char": "char", "optpercent": "float", "buffer": "char *"}


def ret_type(a):
    k = a.ret.kind
    if k == "RStruct":
        return "struct guestfs_%s *" % a.ret.struct
    if k == "RStructList":
        return "struct guestfs_%s_list *" % a.ret.struct
    return RET_C[k]


def err_value(a):
    """What the function returns on error."""
    k = a.ret.kind
    return "-1" if k in ("RErr", "RInt", "RInt64", "RBool") else "NULL"


def c_params(args, with_buffer_size=True):
    """C parameter list text for required arguments."""
    out = []
    for x in args:
        if x.kind == "BufferIn":
            out.append("const char *%s" % x.name)
            if with_buffer_size:
                out.append("size_t %s_size" % x.name)
        elif x.kind == "Pointer" and x.really:
            out.append("void * /* really %s */ %s" % (x.really, x.name))
        else:
            out.append(ARG_C[x.kind] + x.name
                       if ARG_C[x.kind].endswith("*") else
                       ARG_C[x.kind] + " " + x.name)
    return out


def c_call_args(args, prefix=""):
    out = []
    for x in args:
        out.append(prefix + x.name)
        if x.kind == "BufferIn":
            out.append(prefix + x.name + "_size")
    return out


def decl(type_, name):
    return type_ + name if type_.endswith("*") else type_ + " " + name


def c_string(s):
    """A C string literal for a Python str or bytes."""
    if isinstance(s, str):
        s = s.encode()
    out = []
    for b in s:
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif 32 <= b < 127 and c != "?":
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def upper(s):
    return s.upper()


def opt_index_macro(a, opt):
    return "GUESTFS_%s_%s" % (a.c_name.upper(), opt.name.upper())


def opt_bitmask_macro(a, opt):
    return "GUESTFS_%s_%s_BITMASK" % (a.c_name.upper(), opt.name.upper())
