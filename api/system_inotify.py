"""Daemon actions: inotify (daemon/system/inotify.c)."""
from generator.types import *

# IN_ALL_EVENTS, IN_CREATE from <sys/inotify.h>
_IN_ALL = "4095"

ACTIONS = [
    # ---- inotify ----
    Action("inotify_init", RErr(), [Int("maxevents")], proc=765, group="inotify",
           shortdesc="create an inotify handle",
           longdesc="Create the appliance's inotify handle (closing any "
           "previous one).  maxevents, when not 0, sets the kernel's limit "
           "of queued events; events beyond it are dropped and an event "
           "with IN_Q_OVERFLOW says so.  Add watches with "
           "inotify_add_watch, read events with inotify_read or "
           "inotify_files, and finish with inotify_close.  There is one "
           "handle per appliance.",
           tests=[Test("none", ["inotify_init 0"], ExpectRun()),
                  Test("none", ["inotify_init -1"], ExpectFail())]),
    Action("inotify_add_watch", RInt64(), [Pathname("path"), Int("mask")], proc=766,
           group="inotify",
           shortdesc="add an inotify watch",
           longdesc="Watch path for the events in mask (the IN_* values of "
           "<sys/inotify.h>).  For a directory, events on the names in it "
           "are reported, not those deeper down.  Returns the watch "
           "descriptor.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inoaw1",
                                     "inotify_add_watch /inoaw1 " + _IN_ALL],
                       ExpectC("r >= 1")),
                  Test("scratchfs", ["inotify_init 0",
                                     "inotify_add_watch /inoaw-missing " + _IN_ALL],
                       ExpectFail()),
                  Test("scratchfs", ["inotify_init 0", "ln_s /proc/self /inoaw2",
                                     "inotify_add_watch /inoaw2/fd " + _IN_ALL],
                       ExpectFail(), name="symlink to appliance /proc")]),
    Action("inotify_rm_watch", RErr(), [Int("wd")], proc=767, group="inotify",
           shortdesc="remove an inotify watch",
           longdesc="Remove the watch wd returned by inotify_add_watch.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inorm1",
                                     "inotify_add_watch /inorm1 " + _IN_ALL,
                                     "inotify_rm_watch 1"], ExpectRun()),
                  Test("none", ["inotify_init 0", "inotify_rm_watch 12345"],
                       ExpectFail())]),
    Action("inotify_read", RStructList("inotify_event"), [], proc=768,
           group="inotify",
           shortdesc="return list of inotify events",
           longdesc="Return the events queued since the last read (an "
           "empty list if none).  One call returns at most about 1 MiB of "
           "events and leaves the rest queued: call it until it returns "
           "an empty list.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inord1",
                                     "inotify_add_watch /inord1 256",
                                     "touch /inord1/made", "inotify_read"],
                       ExpectC("r->len == 1 && strcmp (r->val[0].in_name, \"made\") == 0 && "
                               "(r->val[0].in_mask & 256) && r->val[0].in_wd == 1")),
                  Test("none", ["inotify_init 0", "inotify_read"],
                       ExpectC("r->len == 0"))]),
    Action("inotify_files", RStringList(), [], proc=769, group="inotify",
           shortdesc="return list of watched files that had events",
           longdesc="Read all queued events (as inotify_read) and return "
           "the names they are about, sorted and without duplicates.",
           tests=[Test("scratchfs", ["inotify_init 0", "mkdir /inof1",
                                     "inotify_add_watch /inof1 " + _IN_ALL,
                                     "touch /inof1/b", "write /inof1/a x",
                                     "touch /inof1/b", "inotify_files"],
                       ExpectList(["a", "b"]))]),
    Action("inotify_close", RErr(), [], proc=770, group="inotify",
           shortdesc="close the inotify handle",
           longdesc="Close the inotify handle: its watches and any queued "
           "events go with it.",
           tests=[Test("none", ["inotify_init 0", "inotify_close"], ExpectRun()),
                  Test("none", ["inotify_init 0", "inotify_close", "inotify_close"],
                       ExpectFail()),
                  Test("none", ["inotify_init 0", "inotify_close", "inotify_read"],
                       ExpectFail())]),
]
