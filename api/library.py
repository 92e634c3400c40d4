"""Library-side actions that never reach the daemon: handle settings,
networking, process control, private data, environment, disk creation,
libvirt, and the internal_test family used to check bindings."""
from generator.types import *

# Actions defined elsewhere in the table that libguestfs deprecates
# (applied by generator/load.py when the entry itself does not say so).
DEPRECATIONS = {
    "blockdev_setbsz": NO_REPLACEMENT,
    "inspect_get_format": NO_REPLACEMENT,
    "inspect_is_live": NO_REPLACEMENT,
    "inspect_is_multipart": NO_REPLACEMENT,
    "inspect_is_netinst": NO_REPLACEMENT,
    "inspect_list_applications": "inspect_list_applications2",
    "list_9p": NO_REPLACEMENT,
    "mount_9p": NO_REPLACEMENT,
    "lstat": "lstatns",
    "lstatlist": "lstatnslist",
    "stat": "statns",
    "llz": "lgetxattrs",
    "dd": "copy_device_to_device",
    "copy_size": "copy_device_to_device",
    "fallocate": "fallocate64",
    "mke2fs_J": "mke2fs",
    "mke2fs_JL": "mke2fs",
    "mke2fs_JU": "mke2fs",
    "mke2journal": "mke2fs",
    "mke2journal_L": "mke2fs",
    "mke2journal_U": "mke2fs",
    "mkfs_b": "mkfs",
    "ntfsresize_size": "ntfsresize",
    "sfdisk": "part_add",
    "sfdiskM": "part_add",
    "sfdisk_N": "part_add",
    "sfdisk_l": "part_list",
    "zfile": "file",
}

_TWO_PARTS = ["part_init /dev/sda mbr", "part_add /dev/sda p 64 65599",
              "part_add /dev/sda p 65600 -64"]


def _bool_prop(name, argname, doc, default_doc, fish_alias=()):
    return [
        Action("set_" + name, RErr(), [Bool(argname)], fish_alias=list(fish_alias),
               shortdesc="set " + doc, longdesc="Set " + doc + ".  " + default_doc),
        Action("get_" + name, RBool(), [],
               shortdesc="get " + doc, longdesc="Return " + doc + ".  " + default_doc),
    ]


ACTIONS = _bool_prop(
    "network", "network", "enable or disable the appliance network",
    "When true, launch gives the appliance a virtio network card on qemu's "
    "user-mode network: the appliance gets the address 10.0.2.15/24, the "
    "gateway 10.0.2.2 and the DNS server 10.0.2.3, and can reach whatever "
    "the host can (commands such as sh or virt-customize's installs need "
    "it).  When false (the default) the appliance has no network card at "
    "all.  It takes effect at the next launch.", fish_alias=["network"],
) + _bool_prop(
    "pgroup", "pgroup", "whether qemu runs in its own process group",
    "When true, qemu is put in a process group of its own, so that a "
    "signal sent to the program's process group (^C in a terminal) does not "
    "reach it; the program must then shut the handle down itself.  The "
    "default is false.  It takes effect at the next launch.",
    fish_alias=["pgroup"],
) + _bool_prop(
    "recovery_proc", "recoveryproc", "whether a recovery process watches qemu",
    "When true (the default), launch also starts a tiny process that kills "
    "qemu if the program dies without closing the handle (for example on "
    "SIGKILL), so no qemu is left running behind it.  It takes effect at "
    "the next launch.", fish_alias=["recovery-proc"],
) + [
    Action("config", RErr(), [String("hvparam"), OptString("hvvalue")],
           config_only=True,
           shortdesc="add hypervisor parameters",
           longdesc="""Add a parameter to the qemu command line: hvparam, which
must begin with "-", followed by hvvalue unless it is NULL.  Parameters are
added after the ones the backend itself uses, in the order given.  Parameters
that the backend needs to control itself (-kernel, -initrd, -append, -machine,
-m, -smp and the like) are refused.  Only for experts: the appliance may fail
to start."""),
    Action("get_backend_setting", RString(), [String("name")],
           shortdesc="get a single per-backend settings string",
           longdesc="""Look for a backend setting "name" or "name=value" and
return "value" (or "1" when it has no value).  When no such setting exists,
the call fails with errno ESRCH.""",
           tests=[Test("none", ["set_backend_setting hatch_t1 abc",
                                "get_backend_setting hatch_t1"], ExpectString("abc")),
                  Test("none", ["get_backend_setting hatch_t_missing"], ExpectFail())]),
    Action("set_backend_setting", RErr(), [String("name"), String("val")],
           shortdesc="set a single per-backend settings string",
           longdesc="""Add "name=val" to the backend settings, replacing
every setting called "name" that was there before.""",
           tests=[Test("none", ["set_backend_setting hatch_t2 a",
                                "set_backend_setting hatch_t2 b",
                                "get_backend_setting hatch_t2"], ExpectString("b"))]),
    Action("clear_backend_setting", RInt(), [String("name")],
           shortdesc="remove a single per-backend settings string",
           longdesc="""Remove every backend setting "name" or "name=..." and
return how many were removed (0 when there were none).""",
           tests=[Test("none", ["set_backend_setting hatch_t3 x",
                                "clear_backend_setting hatch_t3"], ExpectInt(1)),
                  Test("none", ["clear_backend_setting hatch_t_none"], ExpectInt(0))]),
    Action("get_pid", RInt(), [], fish_alias=["pid"],
           shortdesc="get PID of hypervisor",
           longdesc="""Return the process ID of qemu.  Fails unless the
handle has been launched.""",
           tests=[Test("none", ["get_pid"], ExpectC("r > 1"))]),
    Action("get_sockdir", RString(), [],
           shortdesc="get the temporary directory for sockets and PID files",
           longdesc="""Return the directory under which handles keep their
sockets (the daemon channel, qemu's monitor) while they run: a short path
whatever TMPDIR is, since a Unix socket's path has a small limit.

It is $XDG_RUNTIME_DIR when that is set (and is a directory), else /tmp;
for root always /tmp, since qemu may run as another user (the libvirt
backend) that cannot reach root's runtime directory.  At launch the handle
makes its own private directory under it, removed when the handle shuts
down; the handle's files (scratch and bulk disks, overlays) go under
guestfs_get_tmpdir instead.""",
           tests=[Test("none", ["get_sockdir"], ExpectC("r[0] == '/'"))]),
    Action("c_pointer", RInt64(), [],
           shortdesc="return the C pointer to the guestfs_h handle",
           longdesc="""Return the address of the guestfs_h handle as an
integer.  Language bindings use it to hand their handle to C code written
against this library.""",
           tests=[Test("none", ["c_pointer"], ExpectC("r != 0"))]),
    Action("max_disks", RInt(), [],
           shortdesc="maximum number of disks that may be added",
           longdesc="""Return the largest number of drives that can be added
to the handle with the current backend (255 for the direct backend, whose
drives sit on one virtio-scsi bus).""",
           tests=[Test("none", ["max_disks"], ExpectInt(255))]),
    Action("available_all_groups", RStringList(), [],
           shortdesc="return a list of all optional groups",
           longdesc="""Return the names of every optional feature group
this library knows about (see guestfs_available and
guestfs_feature_available).  The list says nothing about which groups the
appliance actually supports.""",
           tests=[Test("none", ["available_all_groups"], ExpectC("r[0] != NULL"))]),
    Action("parse_environment", RErr(), [],
           shortdesc="parse the environment and set handle flags accordingly",
           longdesc="""Read the LIBGUESTFS_* environment variables
(LIBGUESTFS_DEBUG, LIBGUESTFS_TRACE, LIBGUESTFS_PATH, LIBGUESTFS_HV,
LIBGUESTFS_APPEND, LIBGUESTFS_MEMSIZE, LIBGUESTFS_BACKEND,
LIBGUESTFS_BACKEND_SETTINGS, LIBGUESTFS_CACHEDIR, LIBGUESTFS_TMPDIR,
TMPDIR) and set the handle's properties from them, as guestfs_create does
unless the handle was made with GUESTFS_CREATE_NO_ENVIRONMENT."""),
    Action("parse_environment_list", RErr(), [StringList("environment")],
           shortdesc="parse the environment and set handle flags accordingly",
           longdesc="""Like guestfs_parse_environment, but read the variables
from the list of "NAME=VALUE" strings given instead of the process
environment.""",
           tests=[Test("none", ["parse_environment_list \"LIBGUESTFS_APPEND=hatch_t=0 LIBGUESTFS_APPEND=hatch_t=1\"",
                                "get_append"], ExpectString("hatch_t=1")),
                  Test("none", ["parse_environment_list \"LIBGUESTFS_MEMSIZE=12\""],
                       ExpectFail())]),
    Action("disk_create", RErr(),
           [String("filename"), String("format"), Int64("size")],
           [OString("backingfile"), OString("backingformat"),
            OString("preallocation"), OString("compat"), OInt("clustersize")],
           shortdesc="create a blank disk image",
           longdesc="""Create a blank disk image on the host called filename
(replacing any file of that name) of size bytes, in format "raw" or "qcow2".

backingfile (qcow2 only) makes a copy-on-write overlay of another image;
size may then be -1 to mean "the backing file's size".  backingformat names
the backing file's format.  preallocation: "off" or "sparse" (the default),
"full" (raw and qcow2) or "metadata" (qcow2 only).  compat: the qcow2
version, "0.10" or "1.1".  clustersize: the qcow2 cluster size, a power of
two between 512 and 2097152.  qcow2 images are made with qemu-img.""",
           tests=[Test("none", ["disk_create /tmp/hatch-disk-create-t1.img raw 1048576",
                                "disk_virtual_size /tmp/hatch-disk-create-t1.img"],
                       ExpectInt(1048576)),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t2.qcow2 qcow2 2097152 preallocation:metadata compat:1.1 clustersize:65536",
                                "disk_format /tmp/hatch-disk-create-t2.qcow2"],
                       ExpectString("qcow2")),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t3.qcow2 qcow2 4194304",
                                "disk_create /tmp/hatch-disk-create-t4.qcow2 qcow2 -1 backingfile:/tmp/hatch-disk-create-t3.qcow2 backingformat:qcow2",
                                "disk_has_backing_file /tmp/hatch-disk-create-t4.qcow2"],
                       ExpectTrue()),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t5.img vmdk 1048576"],
                       ExpectFail()),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t6.img raw -1"],
                       ExpectFail()),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t7.img raw 1048576 backingfile:/tmp/x"],
                       ExpectFail()),
                  Test("none", ["disk_create /tmp/hatch-disk-create-t8.img qcow2 1048576 clustersize:1000"],
                       ExpectFail())]),
    Action("copy_in", RErr(), [String("localpath"), Pathname("remotedir")],
           shortdesc="copy local files or directories into an image",
           longdesc="""Copy the host file or directory localpath (recursively)
into the existing guest directory remotedir, keeping its name, permissions
and times.  It runs tar on the host and unpacks the stream with
guestfs_tar_in.""",
           tests=[Test("scratchfs", ["mkdir /hatch-copy-in", "copy_in /etc/hostname /hatch-copy-in",
                                     "is_file /hatch-copy-in/hostname"], ExpectTrue()),
                  Test("scratchfs", ["mkdir /hatch-copy-in2", "copy_in /usr/share/doc/coreutils /hatch-copy-in2",
                                     "is_dir /hatch-copy-in2/coreutils"], ExpectTrue()),
                  Test("scratchfs", ["copy_in /nonexistent/hatch /"], ExpectFail()),
                  Test("scratchfs", ["write /hatch-copy-in-f x", "copy_in /etc/hostname /hatch-copy-in-f"],
                       ExpectFail())]),
    Action("copy_out", RErr(), [Pathname("remotepath"), String("localdir")],
           shortdesc="copy remote files or directories out of an image",
           longdesc="""Copy the guest file or directory remotepath
(recursively) into the existing host directory localdir, keeping its name.
A file is fetched with guestfs_download, a directory with guestfs_tar_out
unpacked by tar on the host.

The copies belong to the calling user, even root, with modes under the
umask and without setuid or setgid bits, and device nodes and FIFOs are
skipped, so that a guest's files never become privileged or special host
files (libguestfs, called as root, keeps their owners and setuid bits).
guestfs_tar_out keeps the guest's owners and modes in an archive.""",
           tests=[Test("scratchfs", ["mkdir_p /hatch-copy-out/d", "write /hatch-copy-out/d/f hello",
                                     "copy_out /hatch-copy-out /tmp"], ExpectRun()),
                  Test("scratchfs", ["write /hatch-copy-out2 x",
                                     "copy_out /hatch-copy-out2 /nonexistent/hatch"], ExpectFail()),
                  Test("scratchfs", ["copy_out /hatch-no-such-file /tmp"], ExpectFail())]),
    Action("user_cancel", RErr(), [], nolock=True,
           shortdesc="cancel the current upload or download operation",
           longdesc="""Stop the file transfer (upload, download, tar-in,
tar-out and the like) in progress on this handle.  The transfer's call then
fails with an error (errno EINTR).  Unlike the other calls, this one may be
made from another thread or a signal handler while the transfer runs; when
nothing is being transferred it does nothing."""),
]


# ---- internal_test family: how bindings pass arguments and results ----

def _rtest(suffix, ret, doc):
    """internal_test_rSUFFIX (returns what val says) and its err twin."""
    return [
        Action("internal_test_" + suffix, ret, [String("val")], internal=True,
               shortdesc="internal test function - do not use",
               longdesc="For testing language bindings: " + doc + "  Never use "
               "it in programs."),
        Action("internal_test_" + suffix + "err", ret, [], internal=True,
               shortdesc="internal test function - do not use",
               longdesc="For testing language bindings: always fails with an "
               "error.  Never use it in programs.",
               tests=[Test("none", ["internal_test_" + suffix + "err"], ExpectFail())]),
    ]


ACTIONS += [
    Action("internal_test", RErr(),
           [String("str"), OptString("optstr"), StringList("strlist"), Bool("b"),
            Int("integer"), Int64("integer64"), FileIn("filein"),
            FileOut("fileout"), BufferIn("bufferin")],
           [OBool("obool"), OInt("oint"), OInt64("oint64"), OString("ostring"),
            OStringList("ostringlist")],
           internal=True,
           shortdesc="internal test function - do not use",
           longdesc="""For testing language bindings: print every argument,
one "name: value" line each (optional arguments that were not given print
as "unset"), to the output chosen with internal_test_set_output (standard
output by default).  The file arguments are only printed, never opened.
Never use it in programs.""",
           tests=[Test("none", ["internal_test_set_output /dev/null",
                                "internal_test abc def \"x y\" true 1 -2 /in /out buf obool:false oint:3 ostringlist:\"p q\"",
                                "internal_test_close_output"], ExpectRun())]),
    Action("internal_test_only_optargs", RErr(), [], [OInt("test")], internal=True,
           shortdesc="internal test function - do not use",
           longdesc="For testing language bindings: print the optional "
           "argument like internal_test.  Never use it in programs.",
           tests=[Test("none", ["internal_test_set_output /dev/null",
                                "internal_test_only_optargs test:5"], ExpectRun())]),
    Action("internal_test_63_optargs", RErr(), [],
           [OInt("opt%d" % i) for i in range(1, 64)], internal=True,
           shortdesc="internal test function - do not use",
           longdesc="For testing language bindings: a call with 63 optional "
           "arguments, printed like internal_test.  Never use it in programs.",
           tests=[Test("none", ["internal_test_set_output /dev/null",
                                "internal_test_63_optargs opt1:1 opt63:63"], ExpectRun())]),
    Action("internal_test_set_output", RErr(), [String("filename")], internal=True,
           shortdesc="internal test function - do not use",
           longdesc="For testing language bindings: send the output of the "
           "internal_test calls to filename (created or truncated) instead of "
           "standard output.  Never use it in programs.",
           tests=[Test("none", ["internal_test_set_output /nonexistent/hatch/x"], ExpectFail())]),
    Action("internal_test_close_output", RErr(), [], internal=True,
           shortdesc="internal test function - do not use",
           longdesc="For testing language bindings: close the file opened "
           "by internal_test_set_output; output goes to standard output "
           "again.  Never use it in programs."),
]
ACTIONS += _rtest("rint", RInt(), "return val parsed as a decimal int.")
ACTIONS += _rtest("rint64", RInt64(), "return val parsed as a decimal int64.")
ACTIONS += _rtest("rbool", RBool(), "return true if val is \"true\", else false.")
ACTIONS += _rtest("rconststring", RConstString(),
                  "return a static string, \"static string\" (val is ignored).")
ACTIONS += _rtest("rconstoptstring", RConstOptString(),
                  "return the static string \"static string\", or NULL when "
                  "val is \"NULL\".")
ACTIONS += _rtest("rstring", RString(), "return a copy of val.")
ACTIONS += _rtest("rstringlist", RStringList(),
                  "val is a number N: return the list \"0\", \"1\" ... \"N-1\".")
ACTIONS += _rtest("rstruct", RStruct("lvm_pv"),
                  "return an lvm_pv structure whose pv_name is val and whose "
                  "other fields are zero.")
ACTIONS += _rtest("rstructlist", RStructList("lvm_pv"),
                  "val is a number N: return N lvm_pv structures whose "
                  "pv_name fields are \"0\" ... \"N-1\".")
ACTIONS += _rtest("rhashtable", RHashtable(),
                  "val is a number N: return the hash \"0\" => \"0\", "
                  "\"1\" => \"1\" ... \"N-1\" => \"N-1\".")
ACTIONS += _rtest("rbufferout", RBufferOut(), "return the bytes of val.")

for _a in ACTIONS:
    if _a.name == "internal_test_rint":
        _a.tests = [Test("none", ["internal_test_rint 42"], ExpectInt(42)),
                    Test("none", ["internal_test_rint x"], ExpectFail())]
    elif _a.name == "internal_test_rint64":
        _a.tests = [Test("none", ["internal_test_rint64 -8589934592"], ExpectInt(-8589934592))]
    elif _a.name == "internal_test_rbool":
        _a.tests = [Test("none", ["internal_test_rbool true"], ExpectTrue()),
                    Test("none", ["internal_test_rbool false"], ExpectFalse())]
    elif _a.name == "internal_test_rconststring":
        _a.tests = [Test("none", ["internal_test_rconststring x"], ExpectString("static string"))]
    elif _a.name == "internal_test_rconstoptstring":
        _a.tests = [Test("none", ["internal_test_rconstoptstring x"], ExpectString("static string")),
                    Test("none", ["internal_test_rconstoptstring NULL"], ExpectC("r == NULL"))]
    elif _a.name == "internal_test_rstring":
        _a.tests = [Test("none", ["internal_test_rstring hello"], ExpectString("hello"))]
    elif _a.name == "internal_test_rstringlist":
        _a.tests = [Test("none", ["internal_test_rstringlist 3"], ExpectList(["0", "1", "2"])),
                    Test("none", ["internal_test_rstringlist 0"], ExpectList([]))]
    elif _a.name == "internal_test_rstruct":
        _a.tests = [Test("none", ["internal_test_rstruct abc"], ExpectC("strcmp (r->pv_name, \"abc\") == 0"))]
    elif _a.name == "internal_test_rstructlist":
        _a.tests = [Test("none", ["internal_test_rstructlist 2"],
                         ExpectC("r->len == 2 && strcmp (r->val[1].pv_name, \"1\") == 0"))]
    elif _a.name == "internal_test_rhashtable":
        _a.tests = [Test("none", ["internal_test_rhashtable 2"], ExpectList(["0", "0", "1", "1"]))]
    elif _a.name == "internal_test_rbufferout":
        _a.tests = [Test("none", ["internal_test_rbufferout abc"], ExpectBuffer(b"abc"))]


# ---- deprecated spellings libguestfs still declares, as thin wrappers ----

def _dep(name, ret, args, by, doc, tests=(), config_only=False, fish_alias=()):
    return Action(name, ret, args, deprecated_by=by, config_only=config_only,
                  fish_alias=list(fish_alias),
                  shortdesc=doc.split("\n")[0],
                  longdesc="Deprecated%s.  " % (
                      "" if by is NO_REPLACEMENT else ": use guestfs_" + by) + doc, tests=list(tests))


ACTIONS += [
    _dep("add_cdrom", RErr(), [String("filename")], "add_drive_ro",
         "add a CD-ROM disk image to examine\n\nThe same as guestfs_add_drive_ro: "
         "the image becomes the next /dev/sdX, read-only.", config_only=True),
    _dep("add_drive_ro_with_if", RErr(), [String("filename"), String("iface")], "add_drive",
         "add a drive read-only specifying the QEMU block emulation to use\n\n"
         "The same as guestfs_add_drive_opts with readonly and iface.", config_only=True),
    _dep("add_drive_with_if", RErr(), [String("filename"), String("iface")], "add_drive",
         "add a drive specifying the QEMU block emulation to use\n\n"
         "The same as guestfs_add_drive_opts with iface.", config_only=True),
    _dep("set_attach_method", RErr(), [String("backend")], "set_backend",
         "set the backend\n\nThe same as guestfs_set_backend.", fish_alias=["attach-method"]),
    _dep("get_attach_method", RString(), [], "get_backend",
         "get the backend\n\nThe same as guestfs_get_backend, except that the "
         "direct backend is called \"appliance\" (its old name), as in libguestfs.",
         tests=[Test("none", ["get_attach_method"], ExpectString("appliance"))]),
    _dep("set_qemu", RErr(), [OptString("hv")], "set_hv",
         "set the hypervisor binary (usually qemu)\n\nThe same as guestfs_set_hv; "
         "NULL restores the default.", fish_alias=["qemu"]),
    _dep("get_qemu", RConstString(), [], "get_hv",
         "get the hypervisor binary (usually qemu)\n\nThe same as guestfs_get_hv.",
         tests=[Test("none", ["get_qemu"], ExpectC("r[0] == '/'"))]),
    _dep("kill_subprocess", RErr(), [], "shutdown",
         "kill the hypervisor\n\nThe same as guestfs_shutdown."),
    _dep("wait_ready", RErr(), [], NO_REPLACEMENT,
         "wait until the hypervisor launches (no op)\n\nguestfs_launch already "
         "waits for the appliance, so this does nothing.",
         tests=[Test("none", ["wait_ready"], ExpectRun())]),
    _dep("dd", RErr(), [Dev_or_Path("src"), Dev_or_Path("dest")], "copy_device_to_device",
         "copy from source to destination using dd\n\nThe same as "
         "guestfs_copy_device_to_device without optional arguments.",
         tests=[Test("empty", ["dd /dev/sdc /dev/sda"], ExpectRun()),
                # Guest files at either end, as libguestfs's dd takes them.
                Test("scratchfs", ["write /dd1 hello", "dd /dd1 /dd2", "read_file /dd2"],
                     ExpectBuffer(b"hello")),
                Test("scratchfs", ["write /dd3 abcdef", "write /dd4 0123456789",
                                   "dd /dd3 /dd4", "read_file /dd4"],
                     ExpectBuffer(b"abcdef")),
                # On a fresh filesystem: the 16 MiB copy goes with it.
                Test("basicfs", ["dd /dev/sdc /dd5", "filesize /dd5"],
                     ExpectInt(16 << 20)),
                Test("scratchfs", ["write /dd6 DDDD", "dd /dd6 /dev/sda",
                                   "pread_device /dev/sda 4 0"], ExpectBuffer(b"DDDD")),
                Test("scratchfs", ["dd /nosuch-dd7 /dd8"], ExpectFail())]),
    _dep("copy_size", RErr(), [Dev_or_Path("src"), Dev_or_Path("dest"), Int64("size")],
         "copy_device_to_device",
         "copy size bytes from source to destination using dd\n\nThe same as "
         "guestfs_copy_device_to_device with the size optional argument.",
         tests=[Test("empty", ["copy_size /dev/sdc /dev/sda 65536"], ExpectRun()),
                Test("scratchfs", ["write /cs1 0123456789", "copy_size /cs1 /cs2 4",
                                   "read_file /cs2"], ExpectBuffer(b"0123")),
                Test("scratchfs", ["write /cs3 hello", "copy_size /cs3 /dev/sda 5",
                                   "copy_size /dev/sda /cs4 3", "read_file /cs4"],
                     ExpectBuffer(b"hel")),
                Test("scratchfs", ["write /cs5 abc", "copy_size /cs5 /cs6 4"],
                     ExpectFail())]),
    _dep("fallocate", RErr(), [Pathname("path"), Int("len")], "fallocate64",
         "preallocate a file in the guest filesystem\n\nThe same as guestfs_fallocate64.",
         tests=[Test("scratchfs", ["fallocate /hatch-fallocate 8192", "filesize /hatch-fallocate"],
                     ExpectInt(8192))]),
    _dep("mkfs_b", RErr(), [String("fstype"), Int("blocksize"), Device("device")], "mkfs",
         "make a filesystem with block size\n\nThe same as guestfs_mkfs_opts with blocksize.",
         tests=[Test("partition", ["mkfs_b ext4 4096 /dev/sda1", "vfs_type /dev/sda1"],
                     ExpectString("ext4"))]),
    _dep("mke2journal", RErr(), [Int("blocksize"), Device("device")], "mke2fs",
         "make ext2/3/4 external journal\n\nThe same as guestfs_mke2fs with "
         "journaldev and blocksize.",
         tests=[Test("partition", ["mke2journal 4096 /dev/sda1"], ExpectRun())]),
    _dep("mke2journal_L", RErr(), [Int("blocksize"), String("label"), Device("device")], "mke2fs",
         "make ext2/3/4 external journal with label\n\nThe same as guestfs_mke2fs "
         "with journaldev, blocksize and label.",
         tests=[Test("partition", ["mke2journal_L 4096 hatchjl /dev/sda1", "vfs_label /dev/sda1"],
                     ExpectString("hatchjl"))]),
    _dep("mke2journal_U", RErr(), [Int("blocksize"), String("uuid"), Device("device")], "mke2fs",
         "make ext2/3/4 external journal with UUID\n\nThe same as guestfs_mke2fs "
         "with journaldev, blocksize and uuid.",
         tests=[Test("partition", ["mke2journal_U 4096 1b4e28ba-2fa1-11d2-883f-0016d3cca427 /dev/sda1",
                                   "vfs_uuid /dev/sda1"],
                     ExpectString("1b4e28ba-2fa1-11d2-883f-0016d3cca427"))]),
    _dep("mke2fs_J", RErr(), [String("fstype"), Int("blocksize"), Device("device"),
                              Device("journal")], "mke2fs",
         "make ext2/3/4 filesystem with external journal\n\nThe same as "
         "guestfs_mke2fs with fstype, blocksize and journaldevice.",
         tests=[Test("empty", _TWO_PARTS + ["mke2journal 4096 /dev/sda1",
                                            "mke2fs_J ext4 4096 /dev/sda2 /dev/sda1",
                                            "mount /dev/sda2 /", "write /j hello", "cat /j"],
                     ExpectString("hello")),
                Test("empty", _TWO_PARTS + ["zero /dev/sda1", "mke2fs_J ext4 4096 /dev/sda2 /dev/sda1"], ExpectFail(),
                     name="the journal device holds no journal")]),
    _dep("mke2fs_JL", RErr(), [String("fstype"), Int("blocksize"), Device("device"),
                               String("label")], "mke2fs",
         "make ext2/3/4 filesystem with external journal\n\nThe same as "
         "guestfs_mke2fs with journaldevice \"LABEL=label\".",
         tests=[Test("empty", _TWO_PARTS + ["mke2journal_L 4096 hatchj2 /dev/sda1",
                                            "mke2fs_JL ext4 4096 /dev/sda2 hatchj2",
                                            "vfs_type /dev/sda2"], ExpectString("ext4"))]),
    _dep("mke2fs_JU", RErr(), [String("fstype"), Int("blocksize"), Device("device"),
                               String("uuid")], "mke2fs",
         "make ext2/3/4 filesystem with external journal\n\nThe same as "
         "guestfs_mke2fs with journaldevice \"UUID=uuid\".",
         tests=[Test("empty", _TWO_PARTS + ["mke2journal_U 4096 2b4e28ba-2fa1-11d2-883f-0016d3cca427 /dev/sda1",
                                            "mke2fs_JU ext4 4096 /dev/sda2 2b4e28ba-2fa1-11d2-883f-0016d3cca427",
                                            "vfs_type /dev/sda2"], ExpectString("ext4"))]),
    _dep("ntfsresize_size", RErr(), [Device("device"), Int64("size")], "ntfsresize",
         "resize an NTFS filesystem (with size)\n\nThe same as "
         "guestfs_ntfsresize_opts with size.",
         tests=[Test("partition", ["mkfs ntfs /dev/sda1", "ntfsresize_size /dev/sda1 134217728",
                                   "ntfs_3g_probe true /dev/sda1"], ExpectInt(0))]),
]


ACTIONS += [
    Action("add_domain", RInt(), [String("dom")],
           [OString("libvirturi"), OBool("readonly"), OString("iface"),
            OBool("live"), OBool("allowuuid"), OString("readonlydisk"),
            OString("cachemode"), OString("discard"), OBool("copyonread")],
           config_only=True, fish_alias=["domain"],
           shortdesc="add the disk(s) from a named libvirt domain",
           longdesc="""Ask libvirt (libvirturi, or libvirt's default URI) for
the domain called dom (or, with allowuuid, whose UUID is dom), read its XML
and add each of its file and block disks with guestfs_add_drive_opts, in
order, with the disk's format from the XML.  Returns the number of disks
added.  Empty CD-ROM drives are skipped.  Network disks (nbd, http, iscsi,
rbd, gluster, ssh ...) are added as remote drives: the source protocol and
name and the <host> elements become protocol, filename and server, and
<auth username> the username (libvirt secrets are not read).

readonly: add every disk read-only (and connect to libvirt read-only).
Without it, a running domain is refused, since writing to its disks would
corrupt them.  iface, cachemode, discard and copyonread are passed to
guestfs_add_drive_opts.  live (attaching to a daemon running inside the
guest) is not supported.  readonlydisk says what to do with disks the
domain itself marks <readonly/> when readonly is false: "write" (the
default: add them read-write), "read" (add them read-only), "error" (fail,
adding nothing) or "ignore" (skip them).""",
           tests=[Test("none", ["add_domain hatch-no-such-domain libvirturi:test:///default"],
                       ExpectFail())]),
]

# ---- libvirt: a domain handle from the caller, and authentication ----
ACTIONS += [
    Action("add_libvirt_dom", RInt(), [Pointer("dom", really="virDomainPtr")],
           [OBool("readonly"), OString("iface"), OBool("live"),
            OString("readonlydisk"), OString("cachemode"), OString("discard"),
            OBool("copyonread")],
           config_only=True,
           shortdesc="add the disk(s) from a libvirt domain handle",
           longdesc="""Like guestfs_add_domain, but the caller has already
looked the domain up: dom is a libvirt virDomainPtr (passed as void *, so
that guestfs.h does not need libvirt's headers).  The library reads the
domain's XML through it and adds its disks with the same rules and
optional arguments as guestfs_add_domain.  The caller keeps ownership of
dom and of its connection.  Not available from guestfish.""",
           tests=[]),
    Action("set_libvirt_supported_credentials", RErr(), [StringList("creds")],
           shortdesc="set libvirt credentials supported by calling program",
           longdesc="""Say which kinds of credential this program can answer
when libvirt asks for them while guestfs_add_domain connects: a non-empty
list of "username", "authname", "language", "cnonce", "passphrase",
"echoprompt", "noechoprompt", "realm", "external".  Once set, libvirt's
questions are no longer answered by libvirt's default (terminal) handler:
the library raises a GUESTFS_EVENT_LIBVIRT_AUTH event (its buffer is the
libvirt URI), and the event callback reads the questions with
guestfs_get_libvirt_requested_credentials and answers them with
guestfs_set_libvirt_requested_credential.""",
           tests=[Test("none", ["set_libvirt_supported_credentials \"username passphrase\""],
                       ExpectRun()),
                  Test("none", ["set_libvirt_supported_credentials \"username nonsense\""],
                       ExpectFail()),
                  Test("none", ["set_libvirt_supported_credentials \"\""], ExpectFail())]),
    Action("get_libvirt_requested_credentials", RStringList(), [],
           shortdesc="get list of credentials requested by libvirt",
           longdesc="""Only inside a GUESTFS_EVENT_LIBVIRT_AUTH callback:
the kinds of credential libvirt asks for (a subset of those given to
guestfs_set_libvirt_supported_credentials), in order; the index of each
is what the other credential calls take.  Outside the callback this is an
error.""",
           tests=[Test("none", ["get_libvirt_requested_credentials"], ExpectFail())]),
    Action("get_libvirt_requested_credential_prompt", RString(), [Int("index")],
           shortdesc="prompt of i'th requested credential",
           longdesc="""Only inside a GUESTFS_EVENT_LIBVIRT_AUTH callback: the
prompt libvirt gave for the index'th requested credential ("" if none).""",
           tests=[Test("none", ["get_libvirt_requested_credential_prompt 0"], ExpectFail())]),
    Action("get_libvirt_requested_credential_challenge", RString(), [Int("index")],
           shortdesc="challenge of i'th requested credential",
           longdesc="""Only inside a GUESTFS_EVENT_LIBVIRT_AUTH callback: the
challenge libvirt gave for the index'th requested credential ("" if
none).""",
           tests=[Test("none", ["get_libvirt_requested_credential_challenge 0"], ExpectFail())]),
    Action("get_libvirt_requested_credential_defresult", RString(), [Int("index")],
           shortdesc="default result of i'th requested credential",
           longdesc="""Only inside a GUESTFS_EVENT_LIBVIRT_AUTH callback: the
default answer libvirt suggests for the index'th requested credential (""
if none).""",
           tests=[Test("none", ["get_libvirt_requested_credential_defresult 0"], ExpectFail())]),
    Action("set_libvirt_requested_credential", RErr(), [Int("index"), BufferIn("cred")],
           shortdesc="pass requested credential back to libvirt",
           longdesc="""Only inside a GUESTFS_EVENT_LIBVIRT_AUTH callback: the
answer to the index'th requested credential (it may contain any bytes).
Questions left unanswered get no answer, and libvirt decides what that
means (usually a failed connection).""",
           tests=[Test("none", ["set_libvirt_requested_credential 0 secret"], ExpectFail())]),
]


# remove_drive (remote-drives area; lib/drives.c)
ACTIONS += [
    _dep("remove_drive", RErr(), [String("label")], NO_REPLACEMENT,
         "remove a disk image\n\nRemove the drive that was added with the "
         "label label (see the label optional argument of guestfs_add_drive_opts).  "
         "Before launch the drive is simply forgotten: the drives added after "
         "it move up one letter (/dev/sdc becomes /dev/sdb, and so on).  After "
         "launch the disk is unplugged from the running appliance (both the "
         "direct and the libvirt backend can): the appliance first flushes "
         "and lets go of it, and refuses with EBUSY while the disk or one "
         "of its partitions is mounted, used as swap, or held by active "
         "LVM, LUKS or RAID.  Its device name is then free, and no other "
         "drive changes name; the next drive added to the running "
         "appliance takes that name.  A label that no drive has is an "
         "error.  (libguestfs 1.48 no longer hot-plugs and always fails "
         "here; Hatch keeps the older documented behaviour.)",
         tests=[Test("none", ["remove_drive hatchnosuchlabel"], ExpectFail())]),
]
