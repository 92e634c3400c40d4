"""Daemon actions about the appliance itself (daemon/system/sysinfo.c):
utsname, dmesg, modprobe, nr_devices, drop_caches, sleep."""
from generator.types import *

ACTIONS = [
    Action("nr_devices", RInt(), [], proc=848,
           shortdesc="return number of whole block devices (disks) added",
           longdesc="Return how many disks were added: as many as "
           "list_devices returns.  max_disks gives the most that can be "
           "added.",
           tests=[Test("none", ["nr_devices"], ExpectInt(3))]),
    Action("drop_caches", RErr(), [Int("whattodrop")], proc=846,
           shortdesc="drop kernel page cache, dentries and inodes cache",
           longdesc="Sync, then tell the appliance kernel to drop clean "
           "caches: 1 the page cache, 2 dentries and inodes, 3 both (see "
           "the kernel's Documentation/admin-guide/sysctl/vm.rst).",
           tests=[Test("none", ["drop_caches 3"], ExpectRun()),
                  Test("none", ["drop_caches 0"], ExpectFail())]),
    Action("sleep", RErr(), [Int("secs")], proc=841,
           shortdesc="sleep for some seconds",
           longdesc="Wait secs seconds in the daemon before replying.",
           tests=[Test("none", ["sleep 1"], ExpectRun()),
                  Test("none", ["sleep -1"], ExpectFail())]),
    # ---- the appliance ----
    Action("utsname", RStruct("utsname"), [], proc=760,
           shortdesc="appliance kernel version",
           longdesc="Return the name, release, version and machine of the "
           "kernel running the appliance (uname(2)).  Only useful when "
           "debugging; the API gives the fields no meaning.",
           tests=[Test("none", ["utsname"],
                       ExpectC("strcmp (r->uts_sysname, \"Linux\") == 0 && "
                               "r->uts_release[0] != '\\0' && r->uts_machine[0] != '\\0'"))]),
    Action("dmesg", RString(), [], proc=761,
           shortdesc="return kernel messages",
           longdesc="Return the appliance kernel's message buffer, as "
           "dmesg(1) prints it.  Useful when debugging; the same messages "
           "appear in the debug log when verbose is set.",
           tests=[Test("none", ["dmesg"],
                       ExpectC("strstr (r, \"Linux version\") != NULL"))]),
    Action("modprobe", RErr(), [String("modulename")], proc=762,
           group="linuxmodules",
           shortdesc="load a kernel module",
           longdesc="Load the named kernel module (and what it depends on) "
           "into the appliance kernel with modprobe(8).",
           tests=[Test("none", ["modprobe dummy"], ExpectRun()),
                  Test("none", ["modprobe hatch_no_such_module"], ExpectFail()),
                  Test("none", ["modprobe -r"], ExpectFail(),
                       name="a name that looks like an option is refused")]),
]
