"""Daemon actions: run programs inside the guest tree."""
from generator.types import *

ACTIONS = [
    Action("command", RString(), [StringList("arguments")], proc=90,
           shortdesc="run a command from the guest filesystem",
           longdesc="""Run a program from the mounted guest (chrooted into
it, with /dev, /proc and /sys bound in) and return its standard output.  The
first element is the program, the rest its arguments; no shell is involved.
A non-zero exit status is an error whose message holds the program's
stderr.  The guest must have the program and the libraries it needs.""",
           tests=[Test("empty", ["command /bin/true"], ExpectFail(),
                       name="no guest mounted")]),
    Action("command_lines", RStringList(), [StringList("arguments")], proc=91,
           shortdesc="run a command, returning lines",
           longdesc="Like command, but the output is split into lines.",
           tests=[Test("empty", ["command_lines /bin/true"], ExpectFail())]),
    Action("sh", RString(), [String("command")], proc=92,
           shortdesc="run a command via the shell",
           longdesc="Run /bin/sh -c COMMAND inside the guest (see command).",
           tests=[Test("empty", ["sh true"], ExpectFail())]),
    Action("sh_lines", RStringList(), [String("command")], proc=93,
           shortdesc="run a command via the shell returning lines",
           longdesc="Like sh, but the output is split into lines.",
           tests=[Test("empty", ["sh_lines true"], ExpectFail())]),
]
