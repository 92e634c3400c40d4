"""Library-side actions: drives, launch, shutdown, version."""
from generator.types import *

ACTIONS = [
    Action("add_drive", RErr(), [String("filename")],
           [OBool("readonly"), OString("format"), OString("iface"),
            OString("name"), OString("label"), OString("protocol"),
            OStringList("server"), OString("username"), OString("secret"),
            OString("cachemode"), OString("discard"), OBool("copyonread"),
            OInt("blocksize")],
           once_had_no_optargs=True, fish_alias=["add", "add_drive_opts"],
           shortdesc="add an image to examine or modify",
           longdesc="""Add a disk image (or host block device) to the handle.
The first drive added is /dev/sda in the appliance, the second /dev/sdb and
so on, whatever bus emulates them.

readonly: attach the drive so that nothing can write to it (writes go to a
temporary overlay that is thrown away).  format: the image format ("raw",
"qcow2", ...); without it qemu probes, which is unsafe for raw images from
untrusted sources.  iface: accepted for compatibility (drives are always on
virtio-scsi).  name, label: checked and recorded (the /dev/disk/guestfs/LABEL
links of libguestfs are not created yet).

protocol: where the drive lives.  "file" (the default): filename is a
local file or device.  "nbd": filename is the export name ("" for the
default one).  "http", "https", "ftp", "ftps": filename is the path on the
server (starting with "/"); qemu can only read these, so readonly must be
set.  "ssh": the path on the server (relative paths are in the remote
user's home).  "iscsi": "target-iqn[/lun]".  "rbd": "pool/image".
"gluster": "volume/path".  ("tftp" and "sheepdog" are accepted but the
qemu this runs with no longer has their drivers, which launch reports.)
server: a list of servers, each "host", "host:port", "tcp:host[:port]",
"[ipv6-address]:port" or "unix:/path/to/socket" (Unix sockets for nbd and
gluster only); file takes none, rbd and sheepdog zero or more, the others
exactly one.  username: the remote user (ftp, ftps, http, https, tftp,
iscsi, rbd, ssh).  secret: the password or key (ftp, ftps, http, https,
tftp, iscsi; for rbd the base64 key; accepted but unused, with a
warning, for ssh); it is handed to qemu through a private file
descriptor, never on its command line.  Errors in these are
reported here; an unreachable server is reported by launch with qemu's
own message.

cachemode:
"writeback" (default) or "unsafe".  discard: "disable" (default), "enable"
or "besteffort".  copyonread: accepted.  blocksize: 512 or 4096.

After launch (direct backend), a local file or device is hot-added through
qemu's monitor: when this returns, the appliance sees it as the next
/dev/sdX.  Remote drives can only be added before launch.""",
           tests=[Test("none", ["add_drive /nonexistent/file"],
                       ExpectFail())]),
    Action("add_drive_ro", RErr(), [String("filename")],
           fish_alias=["add-ro"],
           shortdesc="add a drive in snapshot mode (read-only)",
           longdesc="Same as add_drive_opts with readonly set to true "
           "(also after launch: see add_drive)."),
    Action("add_drive_scratch", RErr(), [Int64("size")],
           [OString("name"), OString("label"), OInt("blocksize")],
           config_only=True, fish_alias=["scratch"],
           shortdesc="add a temporary scratch drive",
           longdesc="Add a blank temporary drive of the given size in bytes. "
           "It is deleted when the handle is closed."),
    Action("launch", RErr(), [], fish_alias=["run"], config_only=True,
           shortdesc="launch the backend",
           longdesc="""Start the appliance: builds (or reuses the cached)
appliance, runs qemu and waits until the daemon inside answers.  Call it after
adding drives and before any command that needs the appliance."""),
    Action("shutdown", RErr(), [],
           shortdesc="shutdown the backend",
           longdesc="""Sync and unmount the filesystems, stop the daemon and
qemu, and report any error that happens while doing so.  Programs that wrote
to disks should call it before guestfs_close to catch write errors."""),
    Action("version", RStruct("version"), [],
           shortdesc="get the library version number",
           longdesc="Return the version of the library as major, minor, "
           "release and extra.",
           tests=[Test("none", ["version"], ExpectC("r->major == 1"))]),
]
