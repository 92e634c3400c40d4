"""The appliance's serial console seen from the program: the socket the
library reads it from (handed over to programs such as virt-rescue that
talk to a shell on it), and the old "direct mode" that wired it to the
program's own stdin/stdout.  All library-side."""
from generator.types import *

ACTIONS = [
    Action("internal_get_console_socket", RInt(), [],
           shortdesc="get the appliance serial console socket",
           longdesc="""Return the file descriptor of the library's end of
the appliance's serial console (a socket: what the appliance writes to its
console can be read from it, and what is written to it arrives as console
input in the appliance).  The handle must be launched.

From the moment this call is made the library no longer reads the console
itself: console output is no longer turned into log events nor kept for
error messages, and the caller must keep reading the socket, otherwise the
appliance will eventually stall on a full console.  The descriptor stays
owned by the handle: it is closed when the handle is shut down or closed,
so the caller must not close it.  Calling this again returns the same
descriptor.  This is an internal call meant for virt-rescue."""),
    Action("set_direct", RErr(), [Bool("direct")], fish_alias=["direct"],
           deprecated_by="internal_get_console_socket",
           shortdesc="enable or disable direct appliance mode",
           longdesc="""Deprecated: use guestfs_internal_get_console_socket.
When true, the appliance's serial console is connected straight to the
program's own standard input and output (and standard error) at the next
launch, instead of to the library.  The library then cannot see the
console: no appliance log events and no console lines in launch error
messages.  The default is false."""),
    Action("get_direct", RBool(), [],
           deprecated_by="internal_get_console_socket",
           shortdesc="get direct appliance mode flag",
           longdesc="""Deprecated: use guestfs_internal_get_console_socket.
Return the direct appliance mode flag set by guestfs_set_direct.""",
           tests=[Test("none", ["get_direct"], ExpectFalse()),
                  Test("none", ["set_direct true", "set_direct false", "get_direct"],
                       ExpectFalse())]),
]
