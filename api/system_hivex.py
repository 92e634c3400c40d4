"""Daemon actions: Windows Registry hives, through libhivex.

The tests use tests/data/test.hive (made by tests/data/make-test-hive.py;
the table tests run from the source directory).  Its layout, with the node
and value handles the tests name:

  4128 ROOT
    8224 Software
      8336 Hatch      values 8456 "Greeting" (REG_SZ "hello"),
                             8512 "Count" (REG_DWORD 42),
                             8544 "Blob" (REG_BINARY 01 02 03 00 ff)
        8592 Child    value 8704 "" (default, REG_SZ "default value")
    8768 System
"""
from generator.types import *

UP = "upload tests/data/test.hive /hx.hive"
OPEN = [UP, "hivex_open /hx.hive"]
OPENW = [UP, "hivex_open /hx.hive write:true"]

ACTIONS = [
    Action("hivex_open", RErr(), [Pathname("filename")],
           [OBool("verbose"), OBool("debug"), OBool("write"), OBool("unsafe")],
           proc=520, group="hivex",
           shortdesc="open a Windows Registry hive file",
           longdesc="Open the guest file filename as a Windows Registry hive, "
           "replacing any hive opened earlier.  Set write to true to be able "
           "to change it (the changes reach the file with hivex_commit); "
           "verbose and debug make libhivex chatty in the appliance log; "
           "unsafe lets libhivex open some damaged hives.  The whole hive is "
           "read into the appliance's memory.",
           tests=[Test("scratchfs", OPEN + ["hivex_root"], ExpectInt(4128)),
                  Test("scratchfs", ["write /hxbad \"not a hive\"", "hivex_open /hxbad"],
                       ExpectFail()),
                  Test("scratchfs", ["hivex_open /hxnosuchfile"], ExpectFail()),
                  Test("scratchfs", ["mkdir_p /hxdir", "hivex_open /hxdir"], ExpectFail()),
                  Test("scratchfs", [UP, "ln_s /../../../../hx.hive /hxlink",
                                     "hivex_open /hxlink", "hivex_node_name 8224"],
                       ExpectString("Software"),
                       name="a guest symlink resolves inside the guest")]),
    Action("hivex_close", RErr(), [], proc=521, group="hivex",
           shortdesc="close the current hivex handle",
           longdesc="Close the hive opened by hivex_open, dropping changes "
           "that were not committed.",
           tests=[Test("scratchfs", OPEN + ["hivex_close", "hivex_root"], ExpectFail())]),
    Action("hivex_root", RInt64(), [], proc=522, group="hivex",
           shortdesc="return the root node of the hive",
           longdesc="Return the handle of the hive's root node.",
           tests=[Test("scratchfs", OPEN + ["hivex_root"], ExpectInt(4128))]),
    Action("hivex_node_name", RString(), [Int64("nodeh")], proc=523, group="hivex",
           shortdesc="return the name of the node",
           longdesc="Return the name of the node (key) nodeh.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_name 8336"], ExpectString("Hatch")),
                  Test("scratchfs", OPEN + ["hivex_node_name 12345"], ExpectFail())]),
    Action("hivex_node_children", RStructList("hivex_node"), [Int64("nodeh")],
           proc=524, group="hivex",
           shortdesc="return list of nodes which are subkeys of node",
           longdesc="Return the handles of the subkeys of nodeh.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_children 4128"],
                       ExpectC("r->len == 2 && r->val[0].hivex_node_h == 8224 && "
                               "r->val[1].hivex_node_h == 8768")),
                  Test("scratchfs", OPEN + ["hivex_node_children 8592"],
                       ExpectC("r->len == 0"))]),
    Action("hivex_node_get_child", RInt64(), [Int64("nodeh"), String("name")],
           proc=525, group="hivex",
           shortdesc="return the named child of node",
           longdesc="Return the subkey of nodeh called name (compared without "
           "regard to case, as Windows does), or 0 if there is none.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_get_child 8224 hatch"], ExpectInt(8336)),
                  Test("scratchfs", OPEN + ["hivex_node_get_child 8224 nosuch"], ExpectInt(0))]),
    Action("hivex_node_parent", RInt64(), [Int64("nodeh")], proc=526, group="hivex",
           shortdesc="return the parent of node",
           longdesc="Return the handle of the parent node of nodeh.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_parent 8592"], ExpectInt(8336))]),
    Action("hivex_node_values", RStructList("hivex_value"), [Int64("nodeh")],
           proc=527, group="hivex",
           shortdesc="return list of values attached to node",
           longdesc="Return the handles of the values of the node nodeh.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_values 8336"],
                       ExpectC("r->len == 3 && r->val[0].hivex_value_h == 8456 && "
                               "r->val[2].hivex_value_h == 8544"))]),
    Action("hivex_node_get_value", RInt64(), [Int64("nodeh"), String("key")],
           proc=528, group="hivex",
           shortdesc="return the named value",
           longdesc="Return the value of nodeh called key (\"\" is the "
           "node's default value), or 0 if there is none.",
           tests=[Test("scratchfs", OPEN + ["hivex_node_get_value 8336 Count"], ExpectInt(8512)),
                  Test("scratchfs", OPEN + ["hivex_node_get_value 8592 \"\""], ExpectInt(8704)),
                  Test("scratchfs", OPEN + ["hivex_node_get_value 8336 nosuch"], ExpectInt(0))]),
    Action("hivex_value_key", RString(), [Int64("valueh")], proc=529, group="hivex",
           shortdesc="return the key field from the (key, datatype, data) tuple",
           longdesc="Return the name (key) of the value valueh; the default "
           "value of a node has the empty name.",
           tests=[Test("scratchfs", OPEN + ["hivex_value_key 8512"], ExpectString("Count")),
                  Test("scratchfs", OPEN + ["hivex_value_key 8704"], ExpectString(""))]),
    Action("hivex_value_type", RInt64(), [Int64("valueh")], proc=530, group="hivex",
           shortdesc="return the data type from the (key, datatype, data) tuple",
           longdesc="Return the registry type of the value (1 REG_SZ, 3 "
           "REG_BINARY, 4 REG_DWORD, ...).",
           tests=[Test("scratchfs", OPEN + ["hivex_value_type 8512"], ExpectInt(4)),
                  Test("scratchfs", OPEN + ["hivex_value_type 8544"], ExpectInt(3))]),
    Action("hivex_value_utf8", RString(), [Int64("valueh")], proc=531, group="hivex",
           deprecated_by="hivex_value_string",
           shortdesc="return the data field as a UTF-8 string",
           longdesc="The same as hivex_value_string, under its old name.",
           tests=[Test("scratchfs", OPEN + ["hivex_value_utf8 8704"],
                       ExpectString("default value"))]),
    Action("hivex_value_value", RBufferOut(), [Int64("valueh")], proc=532,
           group="hivex",
           shortdesc="return the data field from the (key, datatype, data) tuple",
           longdesc="Return the raw bytes of the value's data.",
           tests=[Test("scratchfs", OPEN + ["hivex_value_value 8544"],
                       ExpectBuffer(b"\x01\x02\x03\x00\xff")),
                  Test("scratchfs", OPEN + ["hivex_value_value 8512"],
                       ExpectBuffer(b"\x2a\x00\x00\x00"))]),
    Action("hivex_commit", RErr(), [OptString("filename")], proc=533, group="hivex",
           shortdesc="commit (write) changes back to the hive",
           longdesc="Write the hive, with its changes, back to the file it "
           "was opened from (filename NULL) or to the guest file filename, "
           "leaving the original alone.  The hive must have been opened "
           "with write:true.",
           tests=[Test("scratchfs", OPENW + ["hivex_node_add_child 4128 NewKey",
                                             "hivex_commit NULL", "hivex_close",
                                             "hivex_open /hx.hive",
                                             "hivex_node_get_child 4128 newkey"],
                       ExpectC("r > 0")),
                  Test("scratchfs", OPENW + ["hivex_node_delete_child 8768",
                                             "hivex_commit /hxcopy.hive",
                                             "hivex_open /hxcopy.hive",
                                             "hivex_node_get_child 4128 System"],
                       ExpectInt(0)),
                  Test("scratchfs", OPENW + ["hivex_node_delete_child 8768",
                                             "hivex_commit /hxcopy2.hive",
                                             "hivex_open /hx.hive",
                                             "hivex_node_get_child 4128 System"],
                       ExpectInt(8768), name="the original hive is left alone"),
                  Test("scratchfs", OPEN + ["hivex_commit NULL"], ExpectFail(),
                       name="commit needs write:true")]),
    Action("hivex_node_add_child", RInt64(), [Int64("parent"), String("name")],
           proc=534, group="hivex",
           shortdesc="add a child node",
           longdesc="Add a subkey called name under parent and return its "
           "handle.  Needs a hive opened with write:true.",
           tests=[Test("scratchfs", OPENW + ["hivex_node_add_child 8768 Sub",
                                             "hivex_node_children 8768"],
                       ExpectC("r->len == 1")),
                  Test("scratchfs", OPEN + ["hivex_node_add_child 8768 Sub"], ExpectFail())]),
    Action("hivex_node_delete_child", RErr(), [Int64("nodeh")], proc=535,
           group="hivex",
           shortdesc="delete a node (recursively)",
           longdesc="Delete the node nodeh with all its subkeys and values.  "
           "Needs a hive opened with write:true.",
           tests=[Test("scratchfs", OPENW + ["hivex_node_delete_child 8336",
                                             "hivex_node_get_child 8224 Hatch"],
                       ExpectInt(0)),
                  Test("scratchfs", OPENW + ["hivex_node_delete_child 4128"], ExpectFail(),
                       name="the root cannot be deleted")]),
    Action("hivex_node_set_value", RErr(),
           [Int64("nodeh"), String("key"), Int64("t"), BufferIn("val")],
           proc=536, group="hivex",
           shortdesc="set or replace a single value in a node",
           longdesc="Set the value called key of nodeh to type t and the "
           "bytes val, replacing a value of that name.  Needs a hive opened "
           "with write:true.",
           tests=[Test("scratchfs", OPENW + ["hivex_node_set_value 8768 New 3 \"\\x00\\x01\"",
                                             "hivex_commit NULL", "hivex_open /hx.hive",
                                             "hivex_node_values 8768"],
                       ExpectC("r->len == 1")),
                  Test("scratchfs", OPENW + ["hivex_node_set_value 8336 Count 4 \"\\x07\\x00\\x00\\x00\"",
                                             "hivex_node_values 8336"],
                       ExpectC("r->len == 3"))]),
    Action("hivex_value_string", RString(), [Int64("valueh")], proc=537,
           group="hivex",
           shortdesc="return the data field as a UTF-8 string",
           longdesc="Return the data of a string value (REG_SZ, "
           "REG_EXPAND_SZ, REG_LINK), converted from UTF-16LE to UTF-8.  "
           "Other types give an error.",
           tests=[Test("scratchfs", OPEN + ["hivex_value_string 8456"], ExpectString("hello")),
                  Test("scratchfs", OPEN + ["hivex_value_string 8544"], ExpectFail())]),
]
