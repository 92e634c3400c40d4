"""systemd journals (daemon/system/journal.c), and the library-side
journal_get."""
from generator.types import *

ACTIONS = [
    # ---- systemd journal ----
    Action("journal_open", RErr(), [Pathname("directory")], proc=791, group="journal",
           shortdesc="open the systemd journal",
           longdesc="Open the systemd journal files in directory (for example "
           "/var/log/journal/MACHINE-ID in a mounted guest), closing any "
           "journal opened before.  Move through it with journal_next and "
           "journal_skip, read entries with journal_get, and finish with "
           "journal_close.  The open journal keeps its files open, so close it "
           "before unmounting the filesystem it is on.",
           tests=[Test("scratchfs", ["journal_open /no-such-journal-dir"], ExpectFail()),
                  Test("scratchfs", ["mkdir /jo1", "journal_open /jo1",
                                     "journal_next", "journal_close"], ExpectRun(),
                       name="an empty directory is an empty journal")]),
    Action("journal_close", RErr(), [], proc=792, group="journal",
           shortdesc="close the systemd journal",
           longdesc="Close the journal handle opened by journal_open.",
           tests=[Test("scratchfs", ["mkdir /jc1", "journal_open /jc1", "journal_close",
                                     "journal_close"], ExpectFail())]),
    Action("journal_next", RBool(), [], proc=793, group="journal",
           shortdesc="move to the next journal entry",
           longdesc="Move to the next entry of the journal; call it once "
           "after journal_open before reading the first entry.  Returns "
           "true if there is an entry to read, false at the end of the "
           "journal.",
           tests=[Test("scratchfs", ["mkdir /jn1", "journal_open /jn1", "journal_close",
                                     "journal_next"], ExpectFail(),
                       name="no open journal")]),
    Action("journal_skip", RInt64(), [Int64("skip")], proc=794, group="journal",
           shortdesc="skip forwards or backwards in the journal",
           longdesc="Move skip entries forwards (skip >= 0) or backwards "
           "(skip < 0).  Returns how many entries were actually skipped (a "
           "positive number); fewer than |skip| means the end or the start "
           "of the journal was reached.",
           tests=[Test("scratchfs", ["mkdir /js1", "journal_open /js1",
                                     "journal_skip 10", "journal_skip -3",
                                     "journal_close"], ExpectRun())]),
    Action("internal_journal_get", RErr(), [FileOut("filename")], proc=795,
           group="journal", internal=True,
           shortdesc="read the current journal entry",
           longdesc="Internal half of journal_get: the fields of the current "
           "entry as records (a 4-byte big-endian length, then the XDR "
           "encoding of an xattr struct).",
           tests=[Test("scratchfs", ["mkdir /jig1", "journal_open /jig1", "journal_close",
                                     "internal_journal_get /dev/null"], ExpectFail())]),
    Action("journal_get", RStructList("xattr"), [], group="journal",
           shortdesc="read the current journal entry",
           longdesc="Return the fields of the current journal entry as "
           "(attrname, attrval) pairs: attrname is the field name, attrval "
           "its value as bytes (often text, but not always, and not NUL-"
           "terminated).  Values may be cut at the data threshold (see "
           "journal_set_data_threshold); with the threshold 0 an entry of "
           "any size is read.",
           tests=[Test("scratchfs", ["mkdir /jg1", "journal_open /jg1", "journal_close",
                                     "journal_get"], ExpectFail())]),
    Action("journal_get_data_threshold", RInt64(), [], proc=796, group="journal",
           shortdesc="get the data threshold for reading journal entries",
           longdesc="Return the data threshold: journal_get may cut field "
           "values to this many bytes (it may also not cut them).  0 means "
           "no limit.",
           tests=[Test("scratchfs", ["mkdir /jgt1", "journal_open /jgt1",
                                     "journal_get_data_threshold", "journal_close"],
                       ExpectRun())]),
    Action("journal_set_data_threshold", RErr(), [Int64("threshold")], proc=797,
           group="journal",
           shortdesc="set the data threshold for reading journal entries",
           longdesc="Set the data threshold (see journal_get_data_threshold); "
           "0 means no limit.",
           tests=[Test("scratchfs", ["mkdir /jst1", "journal_open /jst1",
                                     "journal_set_data_threshold 1234",
                                     "journal_get_data_threshold", "journal_close"],
                       ExpectRun()),
                  Test("scratchfs", ["mkdir /jst2", "journal_open /jst2", "journal_close",
                                     "journal_set_data_threshold 5"], ExpectFail())]),
    Action("journal_get_realtime_usec", RInt64(), [], proc=798, group="journal",
           shortdesc="get the timestamp of the current journal entry",
           longdesc="Return the wall-clock time of the current journal "
           "entry, in microseconds since the epoch.",
           tests=[Test("scratchfs", ["mkdir /jgr1", "journal_open /jgr1", "journal_close",
                                     "journal_get_realtime_usec"], ExpectFail(),
                       name="no open journal")]),
]
