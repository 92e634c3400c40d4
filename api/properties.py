"""Handle properties: library-side actions that configure a handle."""
from generator.types import *


def _prop(name, kind, doc, default_doc, fish_alias=(), tests=(), get_ret=None,
          deprecated_by=None):
    """A get_/set_ pair.  kind: 'bool', 'int', 'string', 'optstring'."""
    argname = {"path": "searchpath"}.get(name, name)
    arg = {"bool": Bool, "int": Int, "string": String,
           "optstring": OptString}[kind](argname)
    get_ret = get_ret or {"bool": RBool(), "int": RInt(), "string": RString(),
                          "optstring": RString()}[kind]
    setter = Action("set_" + name, RErr(), [arg], shortdesc="set " + doc,
                    longdesc="Set " + doc + ".  " + default_doc,
                    fish_alias=list(fish_alias), tests=tests,
                    deprecated_by=deprecated_by)
    getter = Action("get_" + name, get_ret, [], deprecated_by=deprecated_by,
                    shortdesc="get " + doc,
                    longdesc="Return " + doc + ".  " + default_doc)
    return [setter, getter]


ACTIONS = (
    _prop("verbose", "bool", "the verbose messages flag",
          "When true, the library, qemu and the appliance send debug "
          "messages (LIBGUESTFS_DEBUG=1 sets it).", fish_alias=["verbose"])
    + _prop("trace", "bool", "the command trace flag",
            "When true, every API call and its result are reported as "
            "GUESTFS_EVENT_TRACE events, printed on stderr when no callback "
            "takes them (LIBGUESTFS_TRACE=1 sets it).", fish_alias=["trace"])
    + _prop("memsize", "int", "the memory size of the appliance in megabytes",
            "Must be set before launch.  LIBGUESTFS_MEMSIZE sets the initial "
            "value.", fish_alias=["memsize"],
            tests=[Test("none", ["set_memsize 600", "get_memsize"],
                        ExpectInt(600))])
    + _prop("smp", "int", "the number of virtual CPUs of the appliance",
            "Must be set before launch.  The default is 1.  With more, the "
            "appliance boots cold instead of being restored from the saved "
            "appliance, and tar_in (so also copy_in) writes small files from "
            "that many threads (up to 4), which unpacks a tree of small files "
            "faster.", fish_alias=["smp"])
    + _prop("backend", "string", "the backend",
            "One of \"direct\" (run qemu directly), \"libvirt\" (not yet "
            "available) or \"unix:PATH\" (connect to a daemon socket).  The "
            "default comes from LIBGUESTFS_BACKEND, else \"direct\".",
            fish_alias=["backend"])
    + _prop("path", "optstring", "the search path for the appliance",
            "A directory holding a prebuilt appliance (kernel, initrd, "
            "root).  NULL means build and cache one automatically.  "
            "LIBGUESTFS_PATH sets the initial value.", fish_alias=["path"], get_ret=RConstString())
    + _prop("hv", "string", "the hypervisor binary",
            "The qemu binary used by the direct backend.  The default is "
            "qemu-system-x86_64 as found in $PATH, as an absolute path.  "
            "LIBGUESTFS_HV sets the initial value.", fish_alias=["hv"])
    + _prop("append", "optstring", "extra kernel command line arguments",
            "Appended to the appliance kernel command line.  "
            "LIBGUESTFS_APPEND sets the initial value.  The kernel keeps only "
            "the first 2047 bytes of its command line, and the library's own "
            "arguments take about 1000 of them: launch fails with an error "
            "when the whole would be longer.", fish_alias=["append"],
            get_ret=RConstOptString())
    + _prop("program", "string", "the program name",
            "Defaults to the short name of the running program.",
            fish_alias=["program"], get_ret=RConstString())
    + _prop("identifier", "string", "the handle identifier",
            "Shown in trace and debug messages; only letters, digits, '_' "
            "and '-' are allowed.", fish_alias=["identifier"],
            get_ret=RConstString())
    + _prop("selinux", "bool", "the SELinux flag (deprecated)",
            "Recorded for compatibility; the appliance never enables "
            "SELinux.  Use selinux_relabel to label guest files.",
            fish_alias=["selinux"], deprecated_by="selinux_relabel")
    + _prop("autosync", "bool", "the autosync flag",
            "When true (the default), the filesystems are unmounted and "
            "synced when the handle is closed.", fish_alias=["autosync"])
    + _prop("cachedir", "optstring", "the appliance cache directory",
            "LIBGUESTFS_CACHEDIR sets the initial value, else "
            "$XDG_CACHE_HOME, else /var/tmp.  The directory is stored as "
            "an absolute path (realpath); one that does not exist or is not "
            "a directory is an error, and then, as in libguestfs, the "
            "default applies.  NULL restores the default.",
            fish_alias=["cachedir"],
            tests=[Test("none", ["set_cachedir /var/./lib/../tmp", "get_cachedir"],
                        ExpectString("/var/tmp")),
                   Test("none", ["set_cachedir /nonexistent-hatch-dir"], ExpectFail()),
                   Test("none", ["set_cachedir /etc/hostname"], ExpectFail())])
    + _prop("tmpdir", "optstring", "the temporary directory",
            "LIBGUESTFS_TMPDIR or TMPDIR set the initial value, else /tmp.  "
            "The directory is stored as an absolute path (realpath); one "
            "that does not exist or is not a directory is an error, and "
            "then, as in libguestfs, the default applies.  NULL restores "
            "the default.",
            fish_alias=["tmpdir"],
            tests=[Test("none", ["set_tmpdir /usr/../tmp/.", "get_tmpdir"],
                        ExpectString("/tmp")),
                   Test("none", ["set_tmpdir /nonexistent-hatch-dir"], ExpectFail()),
                   Test("none", ["set_tmpdir /etc/hostname"], ExpectFail())])
    + [
        Action("set_backend_settings", RErr(), [StringList("settings")],
               shortdesc="replace per-backend settings strings",
               longdesc="Replace the backend settings with this list.  The "
               "direct backend understands \"force_tcg\" and \"force_kvm\".  "
               "LIBGUESTFS_BACKEND_SETTINGS (colon-separated) sets the "
               "initial value."),
        Action("get_backend_settings", RStringList(), [],
               shortdesc="get per-backend settings",
               longdesc="Return the backend settings list."),
        Action("get_state", RInt(), [], shortdesc="get the current state",
               longdesc="Return the handle state: 0 config, 1 launching, "
               "2 ready, 3 busy, 4 no handle.  Most programs use is_config "
               "and friends instead."),
        Action("is_config", RBool(), [], shortdesc="is in configuration state",
               longdesc="True if the handle has not been launched."),
        Action("is_launching", RBool(), [], shortdesc="is launching subprocess",
               longdesc="True while launch is in progress."),
        Action("is_ready", RBool(), [], shortdesc="is ready to accept commands",
               longdesc="True once launch has finished."),
        Action("is_busy", RBool(), [], shortdesc="is busy processing a command",
               longdesc="True while a command is in progress."),
    ]
)
