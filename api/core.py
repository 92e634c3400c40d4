"""Daemon actions of the daemon itself (daemon/core/): the optional feature
groups (available, feature_available), and the calls the library and the
tests use rather than people (internal_* wire forms, uploads into the
appliance, autosync, exit, ping_daemon, echo_daemon, debug)."""
from generator.types import *

ACTIONS = [
    Action("internal_feature_available", RInt(), [String("group")], proc=921,
           internal=True,
           shortdesc="test availability of one feature group",
           longdesc="""Internal: 0 if the optional group of actions is
available in this appliance, 1 if the group is known but not available, 2
if there is no such group.  Programs use guestfs_feature_available.""",
           tests=[Test("none", ["internal_feature_available lvm2"], ExpectInt(0)),
                  Test("none", ["internal_feature_available selinux"], ExpectInt(1)),
                  Test("none", ["internal_feature_available nosuchgroup"], ExpectInt(2))]),
    # ---- wire forms used by the library ----
    Action("internal_lstatnslist", RStructList("statns"),
           [Pathname("path"), StringList("names")], proc=849, internal=True,
           shortdesc="lstatnslist, as the library batches it",
           longdesc="The same as lstatnslist.",
           tests=[Test("scratchfs", ["mkdir /ilsn", "touch /ilsn/a",
                                     "internal_lstatnslist /ilsn \"a b\""],
                       ExpectC("r->len == 2 && r->val[0].st_ino > 0 && "
                               "r->val[1].st_ino == -1"))]),
    Action("internal_lxattrlist", RStructList("xattr"),
           [Pathname("path"), StringList("names")], proc=850, internal=True,
           group="linuxxattrs",
           shortdesc="lxattrlist, as the library batches it",
           longdesc="The same as lxattrlist.",
           tests=[Test("scratchfs", ["mkdir /ilxa", "touch /ilxa/a",
                                     "setxattr user.k v 1 /ilxa/a",
                                     "internal_lxattrlist /ilxa a"],
                       ExpectC("r->len == 2 && strcmp (r->val[1].attrname, \"user.k\") == 0"))]),
    Action("internal_readlinklist", RStringList(), [Pathname("path"), StringList("names")],
           proc=851, internal=True,
           shortdesc="readlinklist, as the library batches it",
           longdesc="The same as readlinklist.",
           tests=[Test("scratchfs", ["mkdir /irll", "ln_s /tgt /irll/l", "touch /irll/f",
                                     "internal_readlinklist /irll \"l f\""],
                       ExpectList(["/tgt", ""]))]),
    Action("internal_write", RErr(), [Pathname("path"), BufferIn("content")],
           proc=852, internal=True,
           shortdesc="write, as the library sends it",
           longdesc="The same as write.",
           tests=[Test("scratchfs", ["internal_write /iw1 \"a\\x00c\"", "read_file /iw1"],
                       ExpectBuffer(b"a\0c"))]),
    Action("internal_write_append", RErr(), [Pathname("path"), BufferIn("content")],
           proc=853, internal=True,
           shortdesc="write_append, as the library sends it",
           longdesc="The same as write_append.",
           tests=[Test("scratchfs", ["write /iwa1 ab", "internal_write_append /iwa1 cd",
                                     "cat /iwa1"], ExpectString("abcd"))]),
    Action("internal_upload", RErr(), [FileIn("filename"), String("tmpname"), Int("mode")],
           proc=854, internal=True,
           shortdesc="upload a file to the appliance (internal use only)",
           longdesc="Store the host file at the absolute path tmpname in the "
           "appliance's own filesystem (not the guest's), with the "
           "permission bits mode.  The library uses it for helper files "
           "that tools in the appliance read.",
           tests=[Test("none", ["internal_upload /dev/null /tmp/iup1 0640",
                                "debug ll /tmp"],
                       ExpectC("strstr (r, \"-rw-r----- \") != NULL && "
                               "strstr (r, \" iup1\\n\") != NULL")),
                  Test("none", ["internal_upload /dev/null relative 0600"], ExpectFail())]),
    Action("internal_rhbz914931", RErr(), [FileIn("filename"), Int("count")],
           proc=855, internal=True,
           shortdesc="used only to test a daemon crash during upload",
           longdesc="Receive the upload and, after count chunks (1 to "
           "1000), kill the daemon on purpose, so that tests can check "
           "how the library copes with a daemon that dies in the middle "
           "of a file transfer.  The appliance is unusable afterwards.",
           tests=[Test("none", ["internal_rhbz914931 /dev/null 0"], ExpectFail())]),
    Action("internal_autosync", RErr(), [], proc=856, internal=True,
           shortdesc="internal autosync operation",
           longdesc="Unmount every guest filesystem and flush everything to "
           "the disks, as the library does when a handle with autosync "
           "closes.",
           tests=[Test("scratchfs", ["internal_autosync", "mounts"], ExpectList([]))]),
    Action("internal_exit", RErr(), [], proc=857, internal=True,
           shortdesc="cause the daemon to exit (internal use only)",
           longdesc="Flush the disks, reply, and end the daemon; the "
           "appliance then powers off.  Every later call on the handle "
           "fails."),
    # ---- debugging ----
    Action("echo_daemon", RString(), [StringList("words")], proc=858,
           shortdesc="echo arguments back to the client",
           longdesc="Return the words joined by single spaces: a round trip "
           "through the daemon, to test the connection (see also "
           "ping_daemon).",
           tests=[Test("none", ["echo_daemon \"a b  c\""], ExpectString("a b c")),
                  Test("none", ["echo_daemon \"\""], ExpectString(""))]),
    Action("debug", RString(), [String("subcmd"), StringList("extraargs")], proc=859,
           shortdesc="debugging and internals",
           longdesc="Look inside the appliance, for debugging.  subcmd is "
           "one of: help (this list), print (the extra arguments, one per "
           "line), env (the daemon's environment), fds (the daemon's open "
           "file descriptors), ls and ll (list appliance directories), "
           "mounts (the appliance mount table), binaries (programs in the "
           "appliance's PATH), random (16 bytes from the appliance kernel's "
           "random number generator, in hex), meminfo (the appliance's "
           "/proc/meminfo), proc NAME (the appliance's /proc/NAME, for the "
           "kernel's counters and tables such as vmstat, interrupts, stat or "
           "slabinfo; any other NAME is an error that lists them), kallsyms (the code symbols of the "
           "appliance's kernel and modules, for bench/guest-profile.sh).  "
           "Nothing here changes the guest.",
           tests=[Test("none", ["debug help \"\""],
                       ExpectC("strstr (r, \"fds\") != NULL")),
                  Test("none", ["debug print \"x y\""], ExpectString("x\ny\n")),
                  Test("none", ["debug env \"\""], ExpectC("strstr (r, \"PATH=\") != NULL")),
                  Test("none", ["debug ll /usr/bin/awk"],
                       ExpectC("strstr (r, \"-> /etc/alternatives/awk\") != NULL"),
                       name="names made by update-alternatives are in the appliance"),
                  Test("none", ["debug random \"\""], ExpectC("strlen (r) == 32")),
                  Test("none", ["debug meminfo \"\""], ExpectC("strstr (r, \"MemTotal:\") != NULL")),
                  Test("none", ["debug proc vmstat"], ExpectC("strstr (r, \"pgfault \") != NULL")),
                  Test("none", ["debug proc ../etc/passwd"], ExpectFail()),
                  Test("none", ["debug proc kmsg"], ExpectFail()),
                  Test("none", ["debug proc \"\""], ExpectFail()),
                  Test("none", ["debug kallsyms \"\""],
                       ExpectC("strstr (r, \" T _stext\\n\") != NULL && "
                               "strstr (r, \"[ext4]\\n\") != NULL && "
                               "strstr (r, \" D \") == NULL")),
                  Test("none", ["debug nosuch \"\""], ExpectFail())]),
    Action("debug_drives", RStringList(), [],
           shortdesc="debug the drives (internal use only)",
           longdesc="Describe each drive added to the handle, one string per "
           "drive in the order they were added, as key=value pairs: path, "
           "readonly, and format, cachemode, discard, name, label, blocksize "
           "when they were set.  For debugging; the format may change.",
           tests=[Test("none", ["debug_drives"],
                       ExpectC("r[0] && strstr (r[0], \"sda.img readonly=0 format=raw\") && "
                               "r[2] && strstr (r[2], \"sdc.img\") && r[3] == NULL"))]),
    Action("device_name", RString(), [Int("index")],
           shortdesc="convert device index to name",
           longdesc="The appliance's name of the drive added at index "
           "(counting from 0 in the order of the add_drive calls): 0 is "
           "/dev/sda, 25 /dev/sdz, 26 /dev/sdaa.  An index with no drive "
           "is an error.  Needs no launch.",
           tests=[Test("none", ["device_name 0"], ExpectString("/dev/sda")),
                  Test("none", ["device_name 2"], ExpectString("/dev/sdc")),
                  Test("none", ["device_name 3"], ExpectFail()),
                  Test("none", ["device_name -1"], ExpectFail())]),
    Action("debug_upload", RErr(), [FileIn("filename"), String("tmpname"), Int("mode")],
           proc=860,
           shortdesc="upload a file to the appliance (internal use only)",
           longdesc="Store the host file at the absolute path tmpname in the "
           "appliance's own filesystem, with the permission bits mode; "
           "for debugging.",
           tests=[Test("none", ["debug_upload /dev/null /tmp/dup1 0600",
                                "debug ll /tmp"],
                       ExpectC("strstr (r, \"-rw------- \") != NULL && "
                               "strstr (r, \" dup1\\n\") != NULL"))]),
    Action("available", RErr(), [StringList("groups")], proc=33,
           shortdesc="test availability of some parts of the API",
           longdesc="""Fail unless every named feature group is available in
this appliance (see feature_available for a boolean answer).  An empty list
always succeeds.""",
           tests=[Test("none", ["available \"\""], ExpectRun()),
                  Test("none", ["available nosuchgroup"], ExpectFail()),
                  Test("none", ["available \"lvm2 xfs btrfs ntfs3g gdisk wipefs\""],
                       ExpectRun())]),
    Action("feature_available", RBool(), [StringList("groups")], proc=34,
           shortdesc="test availability of some parts of the API",
           longdesc="Return true if every named feature group is available.",
           tests=[Test("none", ["feature_available linuxfsuuid"],
                       ExpectTrue()),
                  Test("none", ["feature_available nosuchgroup"],
                       ExpectFail())]),
    Action("ping_daemon", RErr(), [], proc=36,
           shortdesc="ping the guest daemon",
           longdesc="Send a no-op to the daemon and wait for its answer.",
           tests=[Test("none", ["ping_daemon"], ExpectRun())]),
]
