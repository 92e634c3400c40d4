"""Daemon actions: SELinux (daemon/system/selinux.c): the daemon's context
and selinux_relabel."""
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
]
