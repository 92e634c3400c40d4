"""Daemon actions: SELinux (daemon/system/selinux.c): the daemon's context,
setfiles and the older selinux_relabel."""
from generator.types import *

ACTIONS = [
    # ---- SELinux ----
    Action("getcon", RString(), [], proc=560, group="selinux",
           deprecated_by="selinux_relabel",
           shortdesc="get SELinux security context",
           longdesc="Return the SELinux security context of the daemon.  "
           "The appliance normally runs without SELinux, and then this "
           "fails.",
           tests=[Test("none", ["getcon"], ExpectFail())]),
    Action("setcon", RErr(), [String("context")], proc=561, group="selinux",
           deprecated_by="selinux_relabel",
           shortdesc="set SELinux security context",
           longdesc="Set the SELinux security context of the daemon.  The "
           "appliance normally runs without SELinux, and then this fails.",
           tests=[Test("none", ["setcon system_u:system_r:kernel_t:s0"], ExpectFail())]),
    Action("selinux_relabel", RErr(), [String("specfile"), Pathname("path")],
           [OBool("force")], proc=562, group="selinuxrelabel",
           deprecated_by="setfiles",
           shortdesc="relabel parts of the filesystem",
           longdesc="Set the SELinux labels of the guest files under path "
           "(\"/\" for the whole guest) from the guest's spec file specfile, "
           "usually \"/etc/selinux/\" + the SELINUXTYPE of "
           "/etc/selinux/config + \"/contexts/files/file_contexts\".  It runs "
           "setfiles in the appliance, and works although the appliance "
           "itself runs without SELinux.  With force true, customizable "
           "files are relabelled too, and the user, role and range parts of "
           "the labels are replaced as well as the type.  Symlinks below "
           "path are labelled, never followed.",
           tests=[Test("scratchfs", ["mkdir_p /sel1/etc", "touch /sel1/etc/f",
                                     "write /sel1/fc \"/.*\tsystem_u:object_r:default_t:s0\n/sel1/etc(/.*)?\tsystem_u:object_r:etc_t:s0\n\"",
                                     "selinux_relabel /sel1/fc /sel1",
                                     "lgetxattr /sel1/etc/f security.selinux"],
                       ExpectBuffer(b"system_u:object_r:etc_t:s0\x00")),
                  Test("scratchfs", ["mkdir_p /sel2/d", "ln_s /proc/self /sel2/d/l",
                                     "write /sel2/fc \"/.*\tsystem_u:object_r:default_t:s0\n\"",
                                     "selinux_relabel /sel2/fc /sel2/d/l"], ExpectFail(),
                       name="a symlink to the appliance /proc is not followed out"),
                  Test("scratchfs", ["mkdir /sel3", "selinux_relabel /sel3/nosuch /sel3"],
                       ExpectFail())]),
    Action("setfiles", RErr(), [String("specfile"), StringList("paths")],
           [OBool("force"), OStringList("excludes")], proc=939, group="selinuxrelabel",
           shortdesc="set SELinux file labels of several paths",
           longdesc="""Set the SELinux labels of the guest files under each of
paths (guest paths; an empty list does nothing) from the guest's spec
file specfile, usually "/etc/selinux/" + the SELINUXTYPE of
/etc/selinux/config + "/contexts/files/file_contexts".  It runs setfiles
in the appliance, which works although the appliance itself runs without
SELinux: the labels are the files' security.selinux attributes.

force: relabel customizable files too, and replace the user, role and
range parts of the labels as well as the type (setfiles -F).

excludes: guest directories whose trees are left alone (setfiles -e); one
that does not exist is ignored.

Symlinks below the paths are labelled, never followed.  This replaces
selinux_relabel, which takes a single path.""",
           tests=[Test("scratchfs", ["mkdir_p /sf1/a", "mkdir_p /sf1/b/skip", "touch /sf1/a/f",
                                     "touch /sf1/b/f", "touch /sf1/b/skip/f",
                                     "write /sf1/fc \"/.*\tsystem_u:object_r:default_t:s0\n/sf1/b(/.*)?\tsystem_u:object_r:etc_t:s0\n\"",
                                     "setfiles /sf1/fc \"/sf1/a /sf1/b\" excludes:\"/sf1/b/skip /sf1/nosuch\"",
                                     "lgetxattr /sf1/b/f security.selinux"],
                       ExpectBuffer(b"system_u:object_r:etc_t:s0\x00"), name="two paths"),
                  Test("scratchfs", ["mkdir_p /sf2/a", "touch /sf2/a/f",
                                     "write /sf2/fc \"/.*\tsystem_u:object_r:default_t:s0\n\"",
                                     "setfiles /sf2/fc /sf2/a",
                                     "lgetxattr /sf2/a/f security.selinux"],
                       ExpectBuffer(b"system_u:object_r:default_t:s0\x00"), name="one path"),
                  Test("scratchfs", ["mkdir_p /sf3/skip", "touch /sf3/skip/f",
                                     "write /sf3/fc \"/.*\tsystem_u:object_r:default_t:s0\n\"",
                                     "setfiles /sf3/fc /sf3 excludes:/sf3/skip",
                                     "lgetxattr /sf3/skip/f security.selinux"],
                       ExpectFail(), name="an excluded tree keeps no label"),
                  Test("scratchfs", ["mkdir_p /sf6/d", "touch /sf6/d/f",
                                     "write /sf6/fc1 \"/sf6(/.*)?\tsystem_u:object_r:etc_t:s0\n\"",
                                     "write /sf6/fc2 \"/sf6(/.*)?\tstaff_u:object_r:etc_t:s0\n\"",
                                     "setfiles /sf6/fc1 /sf6/d", "setfiles /sf6/fc2 /sf6/d",
                                     "lgetxattr /sf6/d/f security.selinux"],
                       ExpectBuffer(b"system_u:object_r:etc_t:s0\x00"),
                       name="without force only the type changes"),
                  Test("scratchfs", ["mkdir_p /sf7/d", "touch /sf7/d/f",
                                     "write /sf7/fc1 \"/sf7(/.*)?\tsystem_u:object_r:etc_t:s0\n\"",
                                     "write /sf7/fc2 \"/sf7(/.*)?\tstaff_u:object_r:etc_t:s0\n\"",
                                     "setfiles /sf7/fc1 /sf7/d", "setfiles /sf7/fc2 /sf7/d force:true",
                                     "lgetxattr /sf7/d/f security.selinux"],
                       ExpectBuffer(b"staff_u:object_r:etc_t:s0\x00"), name="force"),
                  Test("scratchfs", ["mkdir /sf8", "write /sf8/fc \"/.*\tsystem_u:object_r:default_t:s0\n\"",
                                     "setfiles /sf8/fc \"\""], ExpectRun(),
                       name="no paths: nothing to do"),
                  Test("scratchfs", ["mkdir /sf4", "setfiles /sf4/nosuch /sf4"], ExpectFail()),
                  Test("scratchfs", ["mkdir /sf5", "write /sf5/fc \"/.*\tsystem_u:object_r:default_t:s0\n\"",
                                     "setfiles /sf5/fc /sf5/nosuch"], ExpectFail())]),
]
