"""Daemon actions: Augeas, the configuration-file editing library.

Augeas runs inside the appliance with the daemon chrooted into the guest
tree for every call that may touch files (see daemon/system/augeas.c), so guest
symlinks resolve inside the guest."""
from generator.types import *

# Each test works in its own directory /augN of the shared scratch
# filesystem and gives it to aug_init as the root, holding an etc/hosts of
# two lines.  aug_init compiles every lens: several seconds under TCG, so
# there is about one test per action.
def HOSTS(n):
    return ["mkdir_p /aug%d/etc" % n,
            "write /aug%d/etc/hosts \"127.0.0.1 localhost\\n10.0.0.9 otherhost\\n\"" % n]


def INIT(n):
    return HOSTS(n) + ["aug_init /aug%d 0" % n]


ACTIONS = [
    Action("aug_init", RErr(), [String("root"), Int("flags")], proc=500,
           group="augeas",
           shortdesc="create a new Augeas handle",
           longdesc="Start editing the guest's configuration files with "
           "Augeas, replacing any handle opened earlier.  root is the guest "
           "directory Augeas treats as / (usually \"/\"); it must exist.  "
           "flags is the bitwise or of AUG_SAVE_BACKUP (1: keep the old file "
           "as .augsave), AUG_SAVE_NEWFILE (2: write .augnew files and leave "
           "the originals), AUG_TYPE_CHECK (4: type-check the lenses, slow "
           "and memory hungry), AUG_NO_STDINC (8: no standard lens directory), "
           "AUG_SAVE_NOOP (16: saving only records what would change) and "
           "AUG_NO_LOAD (32: do not read the files now; call aug_load "
           "later) and AUG_NO_MODL_AUTOLOAD (64: compile no lens now, and "
           "read no file; each lens named by a later aug_transform is "
           "compiled then, and aug_load reads only those files: much faster "
           "than compiling every lens when a tool edits one or two files).  "
           "The lenses come from the appliance, not from the "
           "guest.  Close the handle with aug_close.",
           tests=[Test("scratchfs", INIT(1) + ["aug_get /files/etc/hosts/1/canonical"],
                       ExpectString("localhost")),
                  Test("scratchfs", ["aug_init /augnosuchdir 0"], ExpectFail()),
                  Test("scratchfs", ["aug_init / 128"], ExpectFail(),
                       name="undocumented flags are refused"),
                  Test("scratchfs", HOSTS(40) + ["aug_init /aug40 64",
                                                 "aug_transform Hosts /etc/hosts",
                                                 "aug_load",
                                                 "aug_get /files/etc/hosts/2/canonical"],
                       ExpectString("otherhost"),
                       name="AUG_NO_MODL_AUTOLOAD: only the lens named by aug_transform"),
                  Test("scratchfs", HOSTS(41) + ["aug_init /aug41 64", "aug_load",
                                                 "aug_match /files/etc/hosts/*"],
                       ExpectList([]),
                       name="AUG_NO_MODL_AUTOLOAD: no lens, no file read"),
                  Test("scratchfs", ["mkdir_p /aug2/etc", "write /aug2/etc/realhosts \"10.1.1.1 guesthost\\n\"",
                                     "ln_s /../../../aug2/etc/realhosts /aug2/etc/hosts",
                                     "aug_init /aug2 0", "aug_get /files/etc/hosts/1/canonical"],
                       ExpectString("guesthost"),
                       name="absolute guest symlink resolves inside the guest")]),
    Action("aug_close", RErr(), [], proc=501, group="augeas",
           shortdesc="close the current Augeas handle",
           longdesc="Close the Augeas handle and free what it holds.  The "
           "other aug_* calls then fail until aug_init is called again.",
           tests=[Test("scratchfs", INIT(3) + ["aug_close", "aug_get /files/etc/hosts/1/canonical"],
                       ExpectFail())]),
    Action("aug_defvar", RInt(), [String("name"), OptString("expr")], proc=502,
           group="augeas",
           shortdesc="define an Augeas variable",
           longdesc="Define the Augeas variable name as the value of the "
           "path expression expr (or remove it when expr is NULL).  Returns "
           "the number of nodes in expr, or 0 when expr is not a nodeset.",
           tests=[Test("scratchfs", INIT(4) + ["aug_defvar h /files/etc/hosts/*"], ExpectInt(2))]),
    Action("aug_defnode", RStruct("int_bool"),
           [String("name"), String("expr"), String("val")], proc=503,
           group="augeas",
           shortdesc="define an Augeas node",
           longdesc="Define the variable name as the nodes matching expr.  "
           "When expr matches nothing, a node is created first, as aug_set "
           "expr val would.  Returns the number of nodes (i) and whether one "
           "was created (b).",
           tests=[Test("scratchfs", INIT(5) + ["aug_defnode n /files/etc/hosts/3/ipaddr 10.3.3.3"],
                       ExpectC("r->i == 1 && r->b == 1"))]),
    Action("aug_get", RString(), [String("augpath")], proc=504, group="augeas",
           shortdesc="look up the value of an Augeas path",
           longdesc="Return the value of the single node augpath matches.  "
           "It is an error when it matches no node or several, or when the "
           "node has no value.",
           tests=[Test("scratchfs", INIT(6) + ["aug_get /files/etc/hosts/2/ipaddr",
                                            "aug_get /files/etc/hosts/*/ipaddr"], ExpectFail())]),
    Action("aug_set", RErr(), [String("augpath"), String("val")], proc=505,
           group="augeas",
           shortdesc="set Augeas path to value",
           longdesc="Set the value of the node augpath (creating it if "
           "needed).  Changes reach the files only with aug_save.  To remove "
           "a value, use aug_clear.",
           tests=[Test("scratchfs", INIT(7) + ["aug_set /files/etc/hosts/1/canonical myhost",
                                            "aug_save", "cat /aug7/etc/hosts"],
                       ExpectString("127.0.0.1 myhost\n10.0.0.9 otherhost\n")),
                  Test("scratchfs", ["mkdir_p /aug8/etc", "write /aug8/etc/realhosts \"10.1.1.1 guesthost\\n\"",
                                     "ln_s /../../../aug8/etc/realhosts /aug8/etc/hosts",
                                     "aug_init /aug8 0", "aug_set /files/etc/hosts/1/canonical edited",
                                     "aug_save", "cat /aug8/etc/realhosts"],
                       ExpectString("10.1.1.1 edited\n"),
                       name="save through an absolute symlink stays in the guest")]),
    Action("aug_insert", RErr(), [String("augpath"), String("label"), Bool("before")],
           proc=506, group="augeas",
           shortdesc="insert a sibling Augeas node",
           longdesc="Create a node called label next to the single node "
           "augpath matches: before it when before is true, else after it.",
           tests=[Test("scratchfs", INIT(9) + ["aug_insert /files/etc/hosts/1/canonical alias false",
                                            "aug_set /files/etc/hosts/1/alias lh",
                                            "aug_save", "cat /aug9/etc/hosts"],
                       ExpectString("127.0.0.1 localhost lh\n10.0.0.9 otherhost\n"))]),
    Action("aug_rm", RInt(), [String("augpath")], proc=507, group="augeas",
           shortdesc="remove an Augeas path",
           longdesc="Remove the nodes augpath matches and everything below "
           "them.  Returns the number of nodes removed.",
           tests=[Test("scratchfs", INIT(10) + ["aug_rm /files/etc/hosts/1", "aug_save",
                                             "cat /aug10/etc/hosts"],
                       ExpectString("10.0.0.9 otherhost\n"))]),
    Action("aug_mv", RErr(), [String("src"), String("dest")], proc=508,
           group="augeas",
           shortdesc="move Augeas node",
           longdesc="Move the node src (which must match exactly one node) "
           "to dest, replacing what was there.",
           tests=[Test("scratchfs", INIT(11) + ["aug_mv /files/etc/hosts/2/canonical /files/etc/hosts/1/canonical",
                                          "aug_get /files/etc/hosts/1/canonical"],
                       ExpectString("otherhost"))]),
    Action("aug_match", RStringList(), [String("augpath")], proc=509,
           group="augeas",
           shortdesc="return Augeas nodes which match augpath",
           longdesc="Return the paths of all the nodes matching the path "
           "expression augpath, in Augeas's order.",
           tests=[Test("scratchfs", INIT(12) + ["aug_match /files/etc/nosuchfile",
                                             "aug_match /files/etc/hosts/*/canonical"],
                       ExpectList(["/files/etc/hosts/1/canonical",
                                   "/files/etc/hosts/2/canonical"]))]),
    Action("aug_save", RErr(), [], proc=510, group="augeas",
           shortdesc="write all pending Augeas changes to disk",
           longdesc="Write the changed files back to the guest, following "
           "the save mode chosen at aug_init.",
           tests=[Test("scratchfs", HOSTS(13) + ["aug_init /aug13 2",
                                              "aug_set /files/etc/hosts/2/canonical newname",
                                              "aug_save", "cat /aug13/etc/hosts.augnew"],
                       ExpectString("127.0.0.1 localhost\n10.0.0.9 newname\n"))]),
    Action("aug_load", RErr(), [], proc=511, group="augeas",
           shortdesc="load files into the tree",
           longdesc="(Re)read the guest's files into the Augeas tree, "
           "dropping unsaved changes.  Useful after aug_init with "
           "AUG_NO_LOAD, or after aug_transform.",
           tests=[Test("scratchfs", HOSTS(14) + ["aug_init /aug14 32", "aug_get /files/etc/hosts/1/ipaddr"],
                       ExpectFail(), name="AUG_NO_LOAD reads no file"),
                  Test("scratchfs", HOSTS(15) + ["aug_init /aug15 32", "aug_load",
                                              "aug_get /files/etc/hosts/1/ipaddr"],
                       ExpectString("127.0.0.1"))]),
    Action("aug_ls", RStringList(), [String("augpath")], proc=512, group="augeas",
           shortdesc="list Augeas nodes under augpath",
           longdesc="A shortcut for aug_match of augpath/* with the result "
           "sorted alphabetically.",
           tests=[Test("scratchfs", INIT(16) + ["aug_ls /files/etc/hosts/1"],
                       ExpectList(["/files/etc/hosts/1/canonical",
                                   "/files/etc/hosts/1/ipaddr"]))]),
    Action("aug_clear", RErr(), [String("augpath")], proc=513, group="augeas",
           shortdesc="clear Augeas path",
           longdesc="Set the value of the node augpath to nothing (NULL).",
           tests=[Test("scratchfs", INIT(17) + ["aug_set /files/etc/hosts/1/canonical x",
                                          "aug_clear /files/etc/hosts/1/canonical",
                                          "aug_get /files/etc/hosts/1/canonical"],
                       ExpectFail())]),
    Action("aug_setm", RInt(), [String("base"), OptString("sub"), String("val")],
           proc=514, group="augeas",
           shortdesc="set multiple Augeas nodes",
           longdesc="For every node matching base, set its sub-path sub "
           "(relative to it; NULL means the node itself) to val.  Returns the "
           "number of nodes changed.",
           tests=[Test("scratchfs", INIT(18) + ["aug_setm /files/etc/hosts/* ipaddr 1.2.3.4",
                                             "aug_save", "cat /aug18/etc/hosts"],
                       ExpectString("1.2.3.4 localhost\n1.2.3.4 otherhost\n"))]),
    Action("aug_label", RString(), [String("augpath")], proc=515, group="augeas",
           shortdesc="return the label from an Augeas path expression",
           longdesc="Return the label (the name of the last step) of the "
           "single node augpath matches.",
           tests=[Test("scratchfs", INIT(19) + ["aug_label /files/etc/hosts/1/*[2]"],
                       ExpectString("canonical"))]),
    Action("aug_transform", RErr(), [String("lens"), String("file")],
           [OBool("remove")], proc=516, group="augeas",
           shortdesc="add/remove an Augeas lens transformation",
           longdesc="Make the lens (a module name such as \"Hosts\", or a "
           "full name such as \"Hosts.lns\") handle the file (a guest path, "
           "possibly a glob); call aug_load afterwards.  With remove true, "
           "the file is taken out of the lens's files instead.",
           tests=[Test("scratchfs", ["mkdir_p /aug20/etc", "write /aug20/etc/myhosts \"10.4.4.4 mine\\n\"",
                                     "aug_init /aug20 32", "aug_transform Hosts /etc/myhosts",
                                     "aug_load", "aug_get /files/etc/myhosts/1/canonical"],
                       ExpectString("mine"))]),
]
