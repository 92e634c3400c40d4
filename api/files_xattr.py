"""Daemon actions: extended attributes, POSIX ACLs and Linux file
capabilities (daemon/files/xattr.c, acl.c)."""
from generator.types import *

def xattr_is(i, name, val):
    """C condition: entry i of the xattr list r has this name and value."""
    return ("(strcmp (r->val[%d].attrname, \"%s\") == 0 && r->val[%d].attrval_len == %d && "
            "memcmp (r->val[%d].attrval, \"%s\", %d) == 0)" % (i, name, i, len(val), i, val, len(val)))

ACTIONS = [
    # ---- extended attributes ----
    Action("getxattrs", RStructList("xattr"), [Pathname("path")], proc=540,
           group="linuxxattrs",
           shortdesc="list extended attributes of a file or directory",
           longdesc="Return every extended attribute (name and value) of "
           "the file or directory, following symlinks.  Use lgetxattrs for "
           "a symlink itself.",
           tests=[Test("scratchfs", ["touch /xa1", "setxattr user.test hello 5 /xa1",
                                     "getxattrs /xa1"],
                       ExpectC("r->len == 1 && " + xattr_is(0, "user.test", "hello"))),
                  Test("scratchfs", ["touch /xa2", "setxattr user.a x 1 /xa2",
                                     "ln_s xa2 /xa2l", "getxattrs /xa2l"],
                       ExpectC("r->len == 1 && " + xattr_is(0, "user.a", "x"))),
                  Test("scratchfs", ["ln_s /proc/self /xa3", "getxattrs /xa3/status"],
                       ExpectFail(), name="symlink to appliance /proc"),
                  Test("scratchfs", ["getxattrs /xanosuch"], ExpectFail())]),
    Action("lgetxattrs", RStructList("xattr"), [Pathname("path")], proc=541,
           group="linuxxattrs",
           shortdesc="list extended attributes of a file or directory",
           longdesc="Like getxattrs, but when path is a symlink, the "
           "attributes of the link itself are returned.",
           tests=[Test("scratchfs", ["touch /xb1", "setxattr user.a x 1 /xb1",
                                     "ln_s xb1 /xb1l", "lgetxattrs /xb1l"],
                       ExpectC("r->len == 0")),
                  Test("scratchfs", ["touch /xb2", "setxattr user.b yz 2 /xb2",
                                     "lgetxattrs /xb2"],
                       ExpectC("r->len == 1 && " + xattr_is(0, "user.b", "yz")))]),
    Action("setxattr", RErr(),
           [String("xattr"), String("val"), Int("vallen"), Pathname("path")],
           proc=542, group="linuxxattrs",
           shortdesc="set extended attribute of a file or directory",
           longdesc="Set the extended attribute xattr of path (following "
           "symlinks) to the first vallen bytes of val.",
           tests=[Test("scratchfs", ["touch /xc1", "setxattr user.z abc 4 /xc1",
                                     "getxattr /xc1 user.z"],
                       ExpectBuffer(b"abc\x00")),
                  Test("scratchfs", ["touch /xc2", "setxattr user.z ab 5 /xc2"], ExpectFail()),
                  Test("scratchfs", ["touch /xc3", "setxattr user.z ab -1 /xc3"], ExpectFail())]),
    Action("lsetxattr", RErr(),
           [String("xattr"), String("val"), Int("vallen"), Pathname("path")],
           proc=543, group="linuxxattrs",
           shortdesc="set extended attribute of a file or directory",
           longdesc="Like setxattr, but when path is a symlink, the "
           "attribute is set on the link itself.",
           tests=[Test("scratchfs", ["ln_s /etc/passwd /xd1", "lsetxattr trusted.t bar 3 /xd1",
                                     "lgetxattr /xd1 trusted.t"],
                       ExpectBuffer(b"bar"), name="sets on the link, not the target"),
                  Test("scratchfs", ["ln_s /etc/passwd /xd2", "setxattr user.t bar 3 /xd2"],
                       ExpectFail(), name="the follow variant finds no target in the guest")]),
    Action("removexattr", RErr(), [String("xattr"), Pathname("path")], proc=544,
           group="linuxxattrs",
           shortdesc="remove extended attribute of a file or directory",
           longdesc="Remove the extended attribute xattr of path, following "
           "symlinks.",
           tests=[Test("scratchfs", ["touch /xe1", "setxattr user.r v 1 /xe1",
                                     "removexattr user.r /xe1", "getxattrs /xe1"],
                       ExpectC("r->len == 0")),
                  Test("scratchfs", ["touch /xe2", "removexattr user.none /xe2"], ExpectFail())]),
    Action("lremovexattr", RErr(), [String("xattr"), Pathname("path")], proc=545,
           group="linuxxattrs",
           shortdesc="remove extended attribute of a file or directory",
           longdesc="Like removexattr, but when path is a symlink, the "
           "attribute is removed from the link itself.",
           tests=[Test("scratchfs", ["ln_s nowhere /xf1", "lsetxattr trusted.q v 1 /xf1",
                                     "lremovexattr trusted.q /xf1", "lgetxattrs /xf1"],
                       ExpectC("r->len == 0"))]),
    Action("getxattr", RBufferOut(), [Pathname("path"), String("name")], proc=546,
           group="linuxxattrs",
           shortdesc="get a single extended attribute",
           longdesc="Return the value of the extended attribute name of "
           "path, following symlinks.  Useful on filesystems that cannot "
           "list their attributes.  A missing attribute is an error.",
           tests=[Test("scratchfs", ["touch /xg1", "setxattr user.g gval 4 /xg1",
                                     "getxattr /xg1 user.g"], ExpectBuffer(b"gval")),
                  Test("scratchfs", ["touch /xg2", "getxattr /xg2 user.none"], ExpectFail())]),
    Action("lgetxattr", RBufferOut(), [Pathname("path"), String("name")], proc=547,
           group="linuxxattrs",
           shortdesc="get a single extended attribute",
           longdesc="Like getxattr, but when path is a symlink, the "
           "attribute of the link itself is returned.",
           tests=[Test("scratchfs", ["touch /xh1", "setxattr user.h v 1 /xh1",
                                     "ln_s xh1 /xh1l", "lgetxattr /xh1l user.h"],
                       ExpectFail()),
                  Test("scratchfs", ["touch /xh2", "setxattr user.h v2 2 /xh2",
                                     "lgetxattr /xh2 user.h"], ExpectBuffer(b"v2"))]),
    Action("lxattrlist", RStructList("xattr"), [Pathname("path"), StringList("names")],
           proc=548, group="linuxxattrs",
           shortdesc="lgetxattr on multiple files",
           longdesc="Return the attributes of several files of the directory "
           "path in one call, as one flat list.  For each name, in order, "
           "comes an entry with an empty attrname whose attrval is the "
           "decimal number of attributes that follow for that file (or is "
           "empty when they could not be read), then those attributes.  "
           "Symlinks are not followed.  Each name must be a single file "
           "name in path (no \"/\"), or the call fails; \"..\" and an "
           "empty name give an error entry.",
           tests=[Test("scratchfs", ["mkdir /xl1", "touch /xl1/a", "touch /xl1/b",
                                     "setxattr user.k v 1 /xl1/a", "lxattrlist /xl1 \"a b\""],
                       ExpectC("r->len == 3 && r->val[0].attrname[0] == 0 && "
                               "strcmp (r->val[0].attrval, \"1\") == 0 && " + xattr_is(1, "user.k", "v") +
                               " && r->val[2].attrname[0] == 0 && strcmp (r->val[2].attrval, \"0\") == 0")),
                  Test("scratchfs", ["mkdir /xl2", "touch /xl2/a", "lxattrlist /xl2 \".. nosuch a\""],
                       ExpectC("r->len == 3 && r->val[0].attrval_len == 0 && "
                               "r->val[1].attrval_len == 0 && strcmp (r->val[2].attrval, \"0\") == 0"),
                       name="bad and missing names give error entries"),
                  Test("scratchfs", ["mkdir-p /xl3/d", "touch /xl3/d/a", "lxattrlist /xl3 \"d/a\""],
                       ExpectFail(), name="a name with a slash fails the call")]),
    # ---- POSIX ACLs ----
    Action("acl_get_file", RString(), [Pathname("path"), String("acltype")],
           proc=550, group="acl",
           shortdesc="get the POSIX ACL attached to a file",
           longdesc="Return the POSIX ACL of path in long text form (one "
           "entry a line, numeric user and group ids).  acltype is "
           "\"access\" for the ordinary ACL, or \"default\" for the default "
           "ACL of a directory (empty when it has none).",
           tests=[Test("scratchfs", ["touch /acl1", "chmod 0640 /acl1",
                                     "acl_get_file /acl1 access"],
                       ExpectString("user::rw-\ngroup::r--\nother::---\n")),
                  Test("scratchfs", ["mkdir /acl1d", "acl_get_file /acl1d default"],
                       ExpectString("")),
                  Test("scratchfs", ["touch /acl1x", "acl_get_file /acl1x both"], ExpectFail())]),
    Action("acl_set_file", RErr(), [Pathname("path"), String("acltype"), String("acl")],
           proc=551, group="acl",
           shortdesc="set the POSIX ACL attached to a file",
           longdesc="Replace the POSIX ACL of path (acltype \"access\" or "
           "\"default\") with acl, in long or short text form, e.g. "
           "\"u::rwx,g::rx,o::rx,m::rwx,u:500:rwx\".  It must hold the u::, "
           "g:: and o:: entries, and m:: when it names users or groups; use "
           "numeric ids.",
           tests=[Test("scratchfs", ["touch /acl2", "acl_set_file /acl2 access u::rwx,g::r-x,o::---,m::rwx,u:500:rwx",
                                     "acl_get_file /acl2 access"],
                       ExpectString("user::rwx\nuser:500:rwx\ngroup::r-x\nmask::rwx\nother::---\n")),
                  Test("scratchfs", ["mkdir /acl3", "acl_set_file /acl3 default u::rwx,g::rx,o::rx",
                                     "acl_get_file /acl3 default"],
                       ExpectString("user::rwx\ngroup::r-x\nother::r-x\n")),
                  Test("scratchfs", ["touch /acl4", "acl_set_file /acl4 access u::rwx,u:500:rwx"],
                       ExpectFail()),
                  Test("scratchfs", ["touch /acl5", "acl_set_file /acl5 access garbage"],
                       ExpectFail())]),
    Action("acl_delete_def_file", RErr(), [Pathname("dir")], proc=552, group="acl",
           shortdesc="delete the default POSIX ACL of a directory",
           longdesc="Remove the default POSIX ACL of the directory dir.",
           tests=[Test("scratchfs", ["mkdir /acl6", "acl_set_file /acl6 default u::rwx,g::rx,o::rx",
                                     "acl_delete_def_file /acl6", "acl_get_file /acl6 default"],
                       ExpectString(""))]),
    # ---- Linux capabilities ----
    Action("cap_get_file", RString(), [Pathname("path")], proc=555, group="linuxcaps",
           shortdesc="get the Linux capabilities attached to a file",
           longdesc="Return the capability set of the file in cap_to_text(3) "
           "form, or the empty string when it has none.",
           tests=[Test("scratchfs", ["touch /cap1", "cap_get_file /cap1"], ExpectString("")),
                  Test("scratchfs", ["cap_get_file /capnosuch"], ExpectFail())]),
    Action("cap_set_file", RErr(), [Pathname("path"), String("cap")], proc=556,
           group="linuxcaps",
           shortdesc="set the Linux capabilities attached to a file",
           longdesc="Set the capability set of the file from its text form "
           "(see cap_from_text(3)), e.g. \"cap_net_raw+ep\".",
           tests=[Test("scratchfs", ["touch /cap2", "cap_set_file /cap2 cap_net_raw+ep",
                                     "cap_get_file /cap2"], ExpectString("cap_net_raw=ep")),
                  Test("scratchfs", ["touch /cap3", "cap_set_file /cap3 not_a_cap+ep"],
                       ExpectFail())]),
]
