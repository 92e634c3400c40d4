"""Vocabulary of the API table: argument kinds, return kinds, tests.

Every file in api/ builds a list ACTIONS of Action objects from these
constructors.  The generator modules only read these objects."""


class Arg:
    """A required or optional argument.  `kind` names the wire/C type."""
    kind = None

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "%s(%r)" % (self.kind, self.name)


def _arg(kind_name):
    return type(kind_name, (Arg,), {"kind": kind_name})


# Required argument kinds.  Strings of different meaning share the wire type
# but the daemon validates each meaning differently.
String = _arg("String")          # any string
OptString = _arg("OptString")    # string or NULL
Device = _arg("Device")          # /dev/sdX, /dev/sdXN, LV ... (checked in daemon)
Mountable = _arg("Mountable")    # a device, or later btrfsvol:
Pathname = _arg("Pathname")      # absolute path inside the guest tree
Dev_or_Path = _arg("Dev_or_Path")
Key = _arg("Key")                # secret: never traced in clear
StringList = _arg("StringList")
DeviceList = _arg("DeviceList")
Bool = _arg("Bool")
Int = _arg("Int")
Int64 = _arg("Int64")
BufferIn = _arg("BufferIn")      # const char *, size_t
FileIn = _arg("FileIn")          # host file streamed to the daemon
FileOut = _arg("FileOut")        # host file streamed from the daemon


class Pointer(Arg):
    """An opaque C pointer (library-side actions only), e.g. a libvirt
    virDomainPtr passed as void *; `really` names the real type."""
    kind = "Pointer"

    def __init__(self, name, really=None):
        Arg.__init__(self, name)
        self.really = really

# Optional argument kinds.
OBool = _arg("OBool")
OInt = _arg("OInt")
OInt64 = _arg("OInt64")
OString = _arg("OString")
OStringList = _arg("OStringList")

STRING_KINDS = {"String", "OptString", "Device", "Mountable", "Pathname",
                "Dev_or_Path", "Key", "FileIn", "FileOut"}
LIST_KINDS = {"StringList", "DeviceList"}


class Ret:
    kind = None
    struct = None

    def __init__(self, struct=None):
        self.struct = struct


def _ret(kind_name):
    return type(kind_name, (Ret,), {"kind": kind_name})


RErr = _ret("RErr")
RInt = _ret("RInt")
RInt64 = _ret("RInt64")
RBool = _ret("RBool")
RConstString = _ret("RConstString")
RConstOptString = _ret("RConstOptString")
RString = _ret("RString")
RStringList = _ret("RStringList")
RHashtable = _ret("RHashtable")
RStruct = _ret("RStruct")          # RStruct("partition")
RStructList = _ret("RStructList")  # RStructList("partition")
RBufferOut = _ret("RBufferOut")


class Struct:
    """A returned structure.  fields: list of (name, kind) where kind is one
    of int32, int64, uint32, uint64, string, uuid, char, optpercent, buffer."""

    def __init__(self, name, fields):
        self.name = name
        self.fields = fields


class Test:
    """One table test.

    scenario: 'none' (no setup), 'empty' (blank /dev/sda), 'partition'
      (/dev/sda1 spanning sda), 'basicfs' (ext2 on /dev/sda1 mounted at /),
      'scratchfs' (a shared ext4 on /dev/sdb1 mounted at /; use unique paths).
    commands: guestfish-style lines, e.g. 'mkfs ext4 /dev/sda1 blocksize:4096'.
    expect: one of the Expect* objects, applied to the LAST command."""

    def __init__(self, scenario, commands, expect, name=None):
        self.scenario = scenario
        self.commands = commands
        self.expect = expect
        self.name = name


class Expect:
    def __init__(self, value=None):
        self.value = value


class ExpectRun(Expect):
    """Every command succeeds."""


class ExpectFail(Expect):
    """Every command but the last succeeds; the last fails."""


class ExpectString(Expect):
    """The last command returns exactly this string (RString/RConstString)."""


class ExpectBuffer(Expect):
    """The last command returns exactly these bytes (RBufferOut)."""


class ExpectTrue(Expect):
    pass


class ExpectFalse(Expect):
    pass


class ExpectInt(Expect):
    """RInt/RInt64/RBool equal to value."""


class ExpectList(Expect):
    """RStringList/RHashtable (flattened) equal to this Python list."""


class ExpectC(Expect):
    """A C boolean expression over `r` (the result, and `r_size` for
    RBufferOut) that must hold."""


# deprecated_by=NO_REPLACEMENT: deprecated, nothing replaces it.
NO_REPLACEMENT = True


class Action:
    def __init__(self, name, ret, args=(), optargs=(), proc=None,
                 shortdesc="", longdesc="", tests=(), group=None,
                 once_had_no_optargs=False, fish_alias=(), fish_output=None,
                 progress=False, deprecated_by=None, internal=False,
                 visibility="public", fish_only=False, config_only=False,
                 nolock=False):
        self.name = name
        self.ret = ret
        self.args = list(args)
        self.optargs = list(optargs)
        self.proc = proc                  # daemon procedure number, None = library-side
        self.shortdesc = shortdesc
        self.longdesc = longdesc
        self.tests = list(tests)
        self.group = group                # feature group for `available`
        self.once_had_no_optargs = once_had_no_optargs
        self.fish_alias = list(fish_alias)
        self.fish_output = fish_output    # None, 'octal' or 'hex' for RInt
        self.progress = progress
        self.deprecated_by = deprecated_by  # None, a name, or NO_REPLACEMENT
        self.internal = internal
        self.config_only = config_only    # may only be called before launch
        self.nolock = nolock              # does not take the handle's lock

    @property
    def in_daemon(self):
        return self.proc is not None

    @property
    def deprecated(self):
        return self.deprecated_by is not None

    @property
    def c_name(self):
        """Name of the C function with optional arguments."""
        if self.optargs and self.once_had_no_optargs:
            return self.name + "_opts"
        return self.name

    @property
    def filein(self):
        return [a for a in self.args if a.kind == "FileIn"]

    @property
    def fileout(self):
        return [a for a in self.args if a.kind == "FileOut"]

    @property
    def wire_args(self):
        """Arguments that travel in the call frame (files go as streams)."""
        return [a for a in self.args if a.kind not in ("FileIn", "FileOut")]
