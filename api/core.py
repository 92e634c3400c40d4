"""Daemon actions: the remaining file, mount and disk calls (du, df_h,
cp_r, findfs_*, mount_vfs/loop/9p, mount points, mktemp, remount, rm_f,
rsync*, scrub_*, sfdisk geometry, ls0, fallocate64, copy_attributes ...),
the internal and debugging calls the library and tests use, and the
deprecated stat family."""
from generator.types import *

_UUID = "8a7c5a3e-1d2f-4b6a-9c0d-2e3f4a5b6c7d"

ACTIONS = [
    # ---- sizes and space ----
    Action("du", RInt64(), [Pathname("path")], proc=820,
           shortdesc="estimate file space usage",
           longdesc="Return the space that the file, or the directory and "
           "everything below it, occupies on disk, in kilobytes (units of "
           "1024 bytes), as \"du -s\" estimates it.  Blocks of a file with "
           "several hard links are counted once.",
           tests=[Test("scratchfs", ["mkdir /du1", "fallocate64 /du1/f 1048576",
                                     "du /du1"],
                       ExpectC("r >= 1024 && r < 1200")),
                  Test("scratchfs", ["du /du-nosuch"], ExpectFail())]),
    Action("df_h", RString(), [], proc=821,
           shortdesc="report file system disk space usage (human readable)",
           longdesc="Return the output of \"df -h\": the space used and "
           "free on each mounted filesystem, with sizes in K, M, G units.  "
           "Meant for people; programs should call statvfs.",
           tests=[Test("scratchfs", ["df_h"],
                       ExpectC("strstr (r, \"Size\") != NULL && "
                               "strstr (r, \"/dev/sdb1\") != NULL"))]),

    # ---- copying and removing ----
    Action("cp_r", RErr(), [Pathname("src"), Pathname("dest")], proc=822,
           shortdesc="copy a file or directory recursively",
           longdesc="Copy a file or a directory tree from src to dest "
           "(\"cp -rP\"): symlinks are copied as symlinks, but modes, owners "
           "and times are not kept.  This suits destinations that cannot "
           "hold Unix attributes, such as FAT; otherwise cp_a is usually "
           "what you want.",
           tests=[Test("scratchfs", ["mkdir_p /cpr1/a", "write /cpr1/a/f hello",
                                     "cp_r /cpr1 /cpr2", "cat /cpr2/a/f"],
                       ExpectString("hello")),
                  Test("scratchfs", ["mkdir /cpr3", "ln_s /etc/passwd /cpr3/l",
                                     "cp_r /cpr3 /cpr4", "readlink /cpr4/l"],
                       ExpectString("/etc/passwd")),
                  Test("scratchfs", ["mkdir /cpr5", "touch /cpr5/f", "chown 5 6 /cpr5/f",
                                     "cp_r /cpr5 /cpr6", "statns /cpr6/f"],
                       ExpectC("r->st_uid == 0 && r->st_gid == 0")),
                  Test("scratchfs", ["cp_r /cpr-nosuch /cpr7"], ExpectFail()),
                  Test("scratchfs", ["mkdir /cpr8", "write /cpr8/a x", "ln /cpr8/a /cpr8/b",
                                     "cp_r /cpr8 /cpr9", "statns /cpr9/b"],
                       ExpectC("r->st_nlink == 1"))]),
    Action("rm_f", RErr(), [Pathname("path")], proc=832,
           shortdesc="remove a file ignoring errors",
           longdesc="Remove the file; a path that does not exist is not an "
           "error, but other failures (a directory, an I/O error) are.  "
           "Directories are removed with rmdir or rm_rf.",
           tests=[Test("scratchfs", ["rm_f /rmf-nosuch"], ExpectRun()),
                  Test("scratchfs", ["rm_f /rmf-nosuch/sub/file"], ExpectRun()),
                  Test("scratchfs", ["touch /rmf1", "rm_f /rmf1", "exists /rmf1"],
                       ExpectFalse()),
                  Test("scratchfs", ["touch /rmf2t", "ln_s rmf2t /rmf2", "rm_f /rmf2",
                                     "exists /rmf2t"], ExpectTrue(),
                       name="rm_f removes a symlink, not its target"),
                  Test("scratchfs", ["mkdir /rmf3", "rm_f /rmf3"], ExpectFail())]),
    Action("mktemp", RString(), [Pathname("tmpl")], [OString("suffix")], proc=830,
           shortdesc="create a temporary file",
           longdesc="Create a new empty file whose name is tmpl with its "
           "final six characters, which must be XXXXXX, replaced by random "
           "letters and digits, and the optional suffix (such as \".txt\") "
           "added.  The file has mode 0600 and belongs to root.  Returns "
           "the name; removing the file later is up to the caller.  "
           "mkdtemp makes a directory the same way.",
           tests=[Test("scratchfs", ["mkdir /mkt1", "mktemp /mkt1/fooXXXXXX"],
                       ExpectC("strncmp (r, \"/mkt1/foo\", 9) == 0 && strlen (r) == 15 "
                               "&& strcmp (r + 9, \"XXXXXX\") != 0")),
                  Test("scratchfs", ["mkdir /mkt2", "mktemp /mkt2/aXXXXXX suffix:.txt"],
                       ExpectC("strlen (r) == 17 && strcmp (r + 13, \".txt\") == 0")),
                  Test("scratchfs", ["mktemp /mkt3abc"], ExpectFail()),
                  Test("scratchfs", ["mktemp /mkt-nosuch/XXXXXX"], ExpectFail())]),
    Action("fallocate64", RErr(), [Pathname("path"), Int64("len")], proc=845,
           shortdesc="preallocate a file in the guest filesystem",
           longdesc="Create the file (truncating one that exists) with len "
           "zero bytes whose disk blocks are all allocated.  For a sparse "
           "file use truncate_size instead.  (The deprecated fallocate did "
           "the same with a 32 bit length.)",
           tests=[Test("scratchfs", ["fallocate64 /fal1 1000000", "statns /fal1"],
                       ExpectC("r->st_size == 1000000 && r->st_blocks >= 1953")),
                  Test("scratchfs", ["write /fal2 abcdef", "fallocate64 /fal2 2",
                                     "read_file /fal2"], ExpectBuffer(b"\0\0")),
                  Test("scratchfs", ["fallocate64 /fal3 -1"], ExpectFail())]),
    Action("copy_attributes", RErr(), [Pathname("src"), Pathname("dest")],
           [OBool("all"), OBool("mode"), OBool("xattributes"), OBool("ownership")],
           proc=847,
           shortdesc="copy the attributes of a path to another",
           longdesc="Copy attributes of the file or directory src to dest.  "
           "Nothing is copied unless asked for: mode copies the permission "
           "bits with setuid, setgid and sticky; xattributes copies the "
           "extended attributes (when the linuxxattrs feature is "
           "available); ownership copies the owner and group; all turns on "
           "every flag not given explicitly.",
           tests=[Test("scratchfs", ["touch /ca1", "chmod 02741 /ca1", "chown 7 8 /ca1",
                                     "touch /ca2", "copy_attributes /ca1 /ca2 all:true",
                                     "statns /ca2"],
                       ExpectC("(r->st_mode & 07777) == 02741 && r->st_uid == 7 && "
                               "r->st_gid == 8")),
                  Test("scratchfs", ["touch /ca3", "chmod 0700 /ca3", "chown 7 8 /ca3",
                                     "touch /ca4", "copy_attributes /ca3 /ca4 mode:true",
                                     "statns /ca4"],
                       ExpectC("(r->st_mode & 07777) == 0700 && r->st_uid == 0")),
                  Test("scratchfs", ["touch /ca5", "chmod 0700 /ca5", "chown 7 8 /ca5",
                                     "touch /ca6",
                                     "copy_attributes /ca5 /ca6 all:true mode:false",
                                     "statns /ca6"],
                       ExpectC("(r->st_mode & 07777) == 0644 && r->st_uid == 7")),
                  Test("scratchfs", ["touch /ca7", "setxattr user.colour blue 4 /ca7",
                                     "mkdir /ca8",
                                     "copy_attributes /ca7 /ca8 xattributes:true",
                                     "getxattr /ca8 user.colour"], ExpectBuffer(b"blue")),
                  Test("scratchfs", ["touch /ca9", "copy_attributes /ca9 /ca-nosuch all:true"],
                       ExpectFail())]),
    Action("ls0", RErr(), [Pathname("dir"), FileOut("filenames")], proc=842,
           shortdesc="get list of files in a directory",
           longdesc="Write the names in the directory to the host file "
           "filenames, each followed by a NUL byte, unsorted, without . "
           "and ..",
           tests=[Test("scratchfs", ["mkdir /ls0a", "ls0 /ls0a /dev/null"], ExpectRun()),
                  Test("scratchfs", ["ls0 /ls0-nosuch /dev/null"], ExpectFail())]),
    Action("mklost_and_found", RErr(), [Pathname("mountpoint")], proc=843,
           shortdesc="make lost+found directory on an ext2/3/4 filesystem",
           longdesc="Create the lost+found directory in the directory "
           "mountpoint (normally the root of an ext2/3/4 filesystem), with "
           "its blocks preallocated as e2fsck wants them (mklost+found).",
           tests=[Test("scratchfs", ["mkdir /mlf1", "mklost_and_found /mlf1",
                                     "is_dir /mlf1/lost+found"], ExpectTrue()),
                  Test("scratchfs", ["mklost_and_found /mlf-nosuch"], ExpectFail())]),

    # ---- finding filesystems ----
    Action("findfs_label", RString(), [String("label")], proc=823,
           shortdesc="find a filesystem by label",
           longdesc="Return the device holding the filesystem with this "
           "label; it is an error if there is none.  vfs_label gives the "
           "label of a filesystem.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1 label:FINDME",
                                     "findfs_label FINDME"], ExpectString("/dev/sda1")),
                  Test("partition", ["findfs_label NOSUCHLABEL"], ExpectFail())]),
    Action("findfs_uuid", RString(), [String("uuid")], proc=824,
           shortdesc="find a filesystem by UUID",
           longdesc="Return the device holding the filesystem with this "
           "UUID; it is an error if there is none.  vfs_uuid gives the UUID "
           "of a filesystem.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1", "set_uuid /dev/sda1 " + _UUID,
                                     "findfs_uuid " + _UUID], ExpectString("/dev/sda1")),
                  Test("partition", ["findfs_uuid 00000000-1111-2222-3333-444444444444"],
                       ExpectFail())]),

    # ---- mounting ----
    Action("mount_vfs", RErr(),
           [String("options"), String("vfstype"), Mountable("mountable"),
            String("mountpoint")], proc=825,
           shortdesc="mount a guest disk with mount options and vfstype",
           longdesc="Like mount, with the mount options and the filesystem "
           "type given as mount(8) takes them with -o and -t.",
           tests=[Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs ro ext2 /dev/sda1 /", "touch /mvfs1"],
                       ExpectFail()),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs \"\" ext2 /dev/sda1 /", "mounts"],
                       ExpectList(["/dev/sda1"])),
                  Test("partition", ["mkfs ext2 /dev/sda1",
                                     "mount_vfs \"\" xfs /dev/sda1 /"], ExpectFail())]),
    Action("mount_loop", RErr(), [Pathname("file"), Pathname("mountpoint")], proc=826,
           shortdesc="mount a file using the loop device",
           longdesc="Mount the filesystem image held in a file of the guest "
           "tree on mountpoint, through a loop device (like \"mount -o loop "
           "file mountpoint\").  The loop device goes away when the "
           "filesystem is unmounted.",
           tests=[Test("scratchfs", ["mkfs ext2 /dev/sdc",
                                     "copy_device_to_file /dev/sdc /ml1.img",
                                     "mkdir /ml1", "mount_loop /ml1.img /ml1",
                                     "write /ml1/hello hi", "umount /ml1",
                                     "mount_loop /ml1.img /ml1", "cat /ml1/hello"],
                       ExpectString("hi")),
                  Test("scratchfs", ["mkdir /ml2", "mount_loop /ml-nosuch.img /ml2"],
                       ExpectFail()),
                  Test("scratchfs", ["write /ml3.img notafilesystem", "mkdir /ml3",
                                     "mount_loop /ml3.img /ml3"], ExpectFail()),
                  Test("scratchfs", ["mkfs ext2 /dev/sdc",
                                     "copy_device_to_file /dev/sdc /ml4.img", "mkdir /ml4",
                                     "remount / rw:false", "mount_loop /ml4.img /ml4",
                                     "touch /ml4/x"], ExpectFail(),
                       name="an image on a read-only filesystem is mounted read-only")]),
    Action("mount_9p", RErr(), [String("mounttag"), String("mountpoint")],
           [OString("options")], proc=827, deprecated_by=NO_REPLACEMENT,
           shortdesc="mount 9p filesystem",
           longdesc="Kept for compatibility: the appliance has no 9p "
           "transport, so this call always fails.",
           tests=[Test("none", ["mount_9p tag /"], ExpectFail())]),
    Action("mkmountpoint", RErr(), [String("exemptpath")], proc=828,
           shortdesc="create a mountpoint",
           longdesc="Create a directory to mount filesystems on before "
           "anything is mounted on the root, so that several unrelated "
           "(for instance read-only) filesystems can be mounted side by "
           "side: for example an ISO image at /cd and a filesystem image "
           "found in it, with mount_loop, at /sqsh.  Remove it with "
           "rmmountpoint after unmounting.  umount_all does not remove such "
           "directories.",
           tests=[Test("empty", ["mkfs ext2 /dev/sdc", "mkmountpoint /mpt1",
                                 "mount /dev/sdc /mpt1", "write /mpt1/f x",
                                 "cat /mpt1/f"], ExpectString("x")),
                  Test("empty", ["mkfs ext2 /dev/sdc", "mkmountpoint /mpt2",
                                 "mount /dev/sdc /mpt2", "umount /mpt2",
                                 "rmmountpoint /mpt2"], ExpectRun()),
                  Test("empty", ["mkmountpoint relative"], ExpectFail())]),
    Action("rmmountpoint", RErr(), [String("exemptpath")], proc=829,
           shortdesc="remove a mountpoint",
           longdesc="Remove a directory made by mkmountpoint (nothing may "
           "be mounted on it).",
           tests=[Test("empty", ["rmmountpoint /mpt-nosuch"], ExpectFail())]),
    Action("remount", RErr(), [Pathname("mountpoint")], [OBool("rw")], proc=831,
           shortdesc="remount a filesystem with different options",
           longdesc="Change a mounted filesystem between read-only and "
           "read-write: rw true makes it writable, false read-only.  The rw "
           "argument is required for now.",
           tests=[Test("scratchfs", ["remount / rw:false", "touch /rmt1"], ExpectFail()),
                  Test("scratchfs", ["remount / rw:false", "remount / rw:true",
                                     "touch /rmt2", "exists /rmt2"], ExpectTrue()),
                  Test("scratchfs", ["remount /"], ExpectFail()),
                  Test("scratchfs", ["mkdir /rmt3", "remount /rmt3 rw:false"],
                       ExpectFail())]),

    # ---- rsync ----
    Action("rsync", RErr(), [Pathname("src"), Pathname("dest")],
           [OBool("archive"), OBool("deletedest")], proc=833, group="rsync",
           shortdesc="synchronize the contents of two directories",
           longdesc="Copy or synchronize the directory src to dest with "
           "rsync(1), which skips files that are already the same.  As "
           "with rsync, \"src/\" copies the contents of src, \"src\" the "
           "directory itself.  archive is rsync's --archive (keep modes, "
           "owners, times, links and special files); deletedest removes "
           "files in dest that are not in src.",
           tests=[Test("scratchfs", ["mkdir_p /rs1/a", "write /rs1/a/f x", "mkdir /rs2",
                                     "rsync /rs1/ /rs2 archive:true", "cat /rs2/a/f"],
                       ExpectString("x")),
                  Test("scratchfs", ["mkdir_p /rs3/a", "write /rs3/a/f y", "mkdir /rs4",
                                     "rsync /rs3 /rs4", "cat /rs4/rs3/a/f"],
                       ExpectString("y")),
                  Test("scratchfs", ["mkdir /rs5", "mkdir /rs6", "touch /rs6/old",
                                     "rsync /rs5/ /rs6 archive:true deletedest:true",
                                     "exists /rs6/old"], ExpectFalse()),
                  Test("scratchfs", ["mkdir /rs7", "touch /rs7/f", "chmod 0600 /rs7/f",
                                     "mkdir /rs8", "rsync /rs7/ /rs8 archive:true",
                                     "statns /rs8/f"],
                       ExpectC("(r->st_mode & 07777) == 0600")),
                  Test("scratchfs", ["mkdir /rs9", "rsync /rs-nosuch/ /rs9"],
                       ExpectFail())]),
    Action("rsync_in", RErr(), [String("remote"), Pathname("dest")],
           [OBool("archive"), OBool("deletedest")], proc=834, group="rsync",
           shortdesc="synchronize host or remote filesystem with filesystem",
           longdesc="Copy or synchronize files from remote, an rsync(1) "
           "source on the host or another machine (\"rsync://server/dir\" "
           "or \"server:dir\"), to the directory dest.  It needs the "
           "appliance network (set_network); there is no way to give a "
           "password, so the source must not ask for one.  The optional "
           "arguments are those of rsync.",
           tests=[Test("scratchfs", ["mkdir /rsi1",
                                     "rsync_in rsync://127.0.0.1/nosuch/ /rsi1"],
                       ExpectFail())]),
    Action("rsync_out", RErr(), [Pathname("src"), String("remote")],
           [OBool("archive"), OBool("deletedest")], proc=835, group="rsync",
           shortdesc="synchronize filesystem with host or remote filesystem",
           longdesc="Copy or synchronize the directory src to remote, an "
           "rsync(1) destination on the host or another machine.  It needs "
           "the appliance network (set_network); there is no way to give a "
           "password.  The optional arguments are those of rsync.  src is "
           "not globbed: in guestfish use \"glob rsync-out /* rsync://...\".",
           tests=[Test("scratchfs", ["mkdir /rso1",
                                     "rsync_out /rso1/ rsync://127.0.0.1/nosuch/"],
                       ExpectFail())]),

    # ---- scrub ----
    Action("scrub_device", RErr(), [Device("device")], proc=836, group="scrub",
           shortdesc="scrub (securely wipe) a device",
           longdesc="Overwrite the whole device with scrub(1)'s patterns so "
           "that its old data is hard to recover.",
           tests=[Test("empty", ["mkfs ext2 /dev/sdc", "scrub_device /dev/sdc",
                                 "vfs_type /dev/sdc"], ExpectString(""))]),
    Action("scrub_file", RErr(), [Pathname("file")], proc=837, group="scrub",
           shortdesc="scrub (securely wipe) a file",
           longdesc="Overwrite the file's data with scrub(1)'s patterns, "
           "then remove the file.",
           tests=[Test("scratchfs", ["write /scf1 secret", "scrub_file /scf1",
                                     "exists /scf1"], ExpectFalse()),
                  Test("scratchfs", ["mkdir /scf2", "scrub_file /scf2"], ExpectFail()),
                  Test("scratchfs", ["scrub_file /scf-nosuch"], ExpectFail())]),
    Action("scrub_freespace", RErr(), [Pathname("dir")], proc=838, group="scrub",
           shortdesc="scrub (securely wipe) free space",
           longdesc="Create the directory dir, fill the filesystem with "
           "files in it until it is full, scrub those files as scrub_file "
           "does and remove them with the directory: the free space of the "
           "filesystem holding dir is overwritten.",
           tests=[Test("empty", ["mkfs ext2 /dev/sdc", "mount /dev/sdc /",
                                 "scrub_freespace /scrfree", "exists /scrfree"],
                       ExpectFalse()),
                  Test("scratchfs", ["touch /scfree2", "scrub_freespace /scfree2"],
                       ExpectFail())]),

    # ---- disks ----
    Action("sfdisk_disk_geometry", RString(), [Device("device")], proc=839,
           shortdesc="display the disk geometry from the partition table",
           longdesc="Return the geometry (cylinders, heads, sectors per "
           "track) that the DOS partition table of the device implies; "
           "without one, the kernel's idea of it.  After the device is "
           "resized it can differ from the kernel's idea "
           "(sfdisk_kernel_geometry).  Meant for people, not for parsing.",
           tests=[Test("partition", ["sfdisk_disk_geometry /dev/sda"],
                       ExpectC("strncmp (r, \"/dev/sda: \", 10) == 0 && "
                               "strstr (r, \" heads, \") != NULL")),
                  Test("empty", ["sfdisk_disk_geometry /dev/sdc"],
                       ExpectC("strncmp (r, \"/dev/sdc: \", 10) == 0 && "
                               "strstr (r, \" sectors/track\\n\") != NULL"))]),
    Action("sfdisk_kernel_geometry", RString(), [Device("device")], proc=840,
           shortdesc="display the kernel geometry",
           longdesc="Return the kernel's idea of the geometry (cylinders, "
           "heads, sectors per track) of the device.  Meant for people, not "
           "for parsing.",
           tests=[Test("empty", ["sfdisk_kernel_geometry /dev/sdc"],
                       ExpectC("strncmp (r, \"/dev/sdc: \", 10) == 0 && "
                               "strstr (r, \" sectors/track\\n\") != NULL"))]),
    Action("f2fs_expand", RErr(), [Device("device")], proc=844, group="f2fs",
           shortdesc="expand a f2fs filesystem",
           longdesc="Grow the f2fs filesystem on the device to fill the "
           "device (resize.f2fs).",
           tests=[Test("partition", ["mkfs f2fs /dev/sda1", "f2fs_expand /dev/sda1",
                                     "vfs_type /dev/sda1"], ExpectString("f2fs")),
                  Test("partition", ["mkfs ext2 /dev/sda1", "f2fs_expand /dev/sda1"],
                       ExpectFail())]),
    Action("nr_devices", RInt(), [], proc=848,
           shortdesc="return number of whole block devices (disks) added",
           longdesc="Return how many disks were added: as many as "
           "list_devices returns.  max_disks gives the most that can be "
           "added.",
           tests=[Test("none", ["nr_devices"], ExpectInt(3))]),
    Action("drop_caches", RErr(), [Int("whattodrop")], proc=846,
           shortdesc="drop kernel page cache, dentries and inodes cache",
           longdesc="Sync, then tell the appliance kernel to drop clean "
           "caches: 1 the page cache, 2 dentries and inodes, 3 both (see "
           "the kernel's Documentation/admin-guide/sysctl/vm.rst).",
           tests=[Test("none", ["drop_caches 3"], ExpectRun()),
                  Test("none", ["drop_caches 0"], ExpectFail())]),
    Action("sleep", RErr(), [Int("secs")], proc=841,
           shortdesc="sleep for some seconds",
           longdesc="Wait secs seconds in the daemon before replying.",
           tests=[Test("none", ["sleep 1"], ExpectRun()),
                  Test("none", ["sleep -1"], ExpectFail())]),

    # ---- wire forms used by the library ----
    Action("internal_lstatnslist", RStructList("statns"),
           [Pathname("path"), StringList("names")], proc=849, internal=True,
           shortdesc="lstatnslist, as the library batches it",
           longdesc="The same as lstatnslist.",
           tests=[Test("scratchfs", ["mkdir /ilsn", "touch /ilsn/a",
                                     "internal_lstatnslist /ilsn \"a b\""],
                       ExpectC("r->len == 2 && r->val[0].st_ino > 0 && "
                               "r->val[1].st_ino == -1"))]),
    Action("internal_lxattrlist", RStructList("xattr"),
           [Pathname("path"), StringList("names")], proc=850, internal=True,
           group="linuxxattrs",
           shortdesc="lxattrlist, as the library batches it",
           longdesc="The same as lxattrlist.",
           tests=[Test("scratchfs", ["mkdir /ilxa", "touch /ilxa/a",
                                     "setxattr user.k v 1 /ilxa/a",
                                     "internal_lxattrlist /ilxa a"],
                       ExpectC("r->len == 2 && strcmp (r->val[1].attrname, \"user.k\") == 0"))]),
    Action("internal_readlinklist", RStringList(), [Pathname("path"), StringList("names")],
           proc=851, internal=True,
           shortdesc="readlinklist, as the library batches it",
           longdesc="The same as readlinklist.",
           tests=[Test("scratchfs", ["mkdir /irll", "ln_s /tgt /irll/l", "touch /irll/f",
                                     "internal_readlinklist /irll \"l f\""],
                       ExpectList(["/tgt", ""]))]),
    Action("internal_write", RErr(), [Pathname("path"), BufferIn("content")],
           proc=852, internal=True,
           shortdesc="write, as the library sends it",
           longdesc="The same as write.",
           tests=[Test("scratchfs", ["internal_write /iw1 \"a\\x00c\"", "read_file /iw1"],
                       ExpectBuffer(b"a\0c"))]),
    Action("internal_write_append", RErr(), [Pathname("path"), BufferIn("content")],
           proc=853, internal=True,
           shortdesc="write_append, as the library sends it",
           longdesc="The same as write_append.",
           tests=[Test("scratchfs", ["write /iwa1 ab", "internal_write_append /iwa1 cd",
                                     "cat /iwa1"], ExpectString("abcd"))]),
    Action("internal_upload", RErr(), [FileIn("filename"), String("tmpname"), Int("mode")],
           proc=854, internal=True,
           shortdesc="upload a file to the appliance (internal use only)",
           longdesc="Store the host file at the absolute path tmpname in the "
           "appliance's own filesystem (not the guest's), with the "
           "permission bits mode.  The library uses it for helper files "
           "that tools in the appliance read.",
           tests=[Test("none", ["internal_upload /dev/null /tmp/iup1 0640",
                                "debug ll /tmp"],
                       ExpectC("strstr (r, \"-rw-r----- \") != NULL && "
                               "strstr (r, \" iup1\\n\") != NULL")),
                  Test("none", ["internal_upload /dev/null relative 0600"], ExpectFail())]),
    Action("internal_rhbz914931", RErr(), [FileIn("filename"), Int("count")],
           proc=855, internal=True,
           shortdesc="used only to test a daemon crash during upload",
           longdesc="Receive the upload and, after count chunks (1 to "
           "1000), kill the daemon on purpose, so that tests can check "
           "how the library copes with a daemon that dies in the middle "
           "of a file transfer.  The appliance is unusable afterwards.",
           tests=[Test("none", ["internal_rhbz914931 /dev/null 0"], ExpectFail())]),
    Action("internal_autosync", RErr(), [], proc=856, internal=True,
           shortdesc="internal autosync operation",
           longdesc="Unmount every guest filesystem and flush everything to "
           "the disks, as the library does when a handle with autosync "
           "closes.",
           tests=[Test("scratchfs", ["internal_autosync", "mounts"], ExpectList([]))]),
    Action("internal_exit", RErr(), [], proc=857, internal=True,
           shortdesc="cause the daemon to exit (internal use only)",
           longdesc="Flush the disks, reply, and end the daemon; the "
           "appliance then powers off.  Every later call on the handle "
           "fails."),

    # ---- debugging ----
    Action("echo_daemon", RString(), [StringList("words")], proc=858,
           shortdesc="echo arguments back to the client",
           longdesc="Return the words joined by single spaces: a round trip "
           "through the daemon, to test the connection (see also "
           "ping_daemon).",
           tests=[Test("none", ["echo_daemon \"a b  c\""], ExpectString("a b c")),
                  Test("none", ["echo_daemon \"\""], ExpectString(""))]),
    Action("debug", RString(), [String("subcmd"), StringList("extraargs")], proc=859,
           shortdesc="debugging and internals",
           longdesc="Look inside the appliance, for debugging.  subcmd is "
           "one of: help (this list), print (the extra arguments, one per "
           "line), env (the daemon's environment), fds (the daemon's open "
           "file descriptors), ls and ll (list appliance directories), "
           "mounts (the appliance mount table), binaries (programs in the "
           "appliance's PATH).  Nothing here changes the guest.",
           tests=[Test("none", ["debug help \"\""],
                       ExpectC("strstr (r, \"fds\") != NULL")),
                  Test("none", ["debug print \"x y\""], ExpectString("x\ny\n")),
                  Test("none", ["debug env \"\""], ExpectC("strstr (r, \"PATH=\") != NULL")),
                  Test("none", ["debug ll /usr/bin/awk"],
                       ExpectC("strstr (r, \"-> /etc/alternatives/awk\") != NULL"),
                       name="names made by update-alternatives are in the appliance"),
                  Test("none", ["debug nosuch \"\""], ExpectFail())]),
    Action("debug_drives", RStringList(), [],
           shortdesc="debug the drives (internal use only)",
           longdesc="Describe each drive added to the handle, one string per "
           "drive in the order they were added, as key=value pairs: path, "
           "readonly, and format, cachemode, discard, name, label, blocksize "
           "when they were set.  For debugging; the format may change.",
           tests=[Test("none", ["debug_drives"],
                       ExpectC("r[0] && strstr (r[0], \"sda.img readonly=0 format=raw\") && "
                               "r[2] && strstr (r[2], \"sdc.img\") && r[3] == NULL"))]),
    Action("debug_upload", RErr(), [FileIn("filename"), String("tmpname"), Int("mode")],
           proc=860,
           shortdesc="upload a file to the appliance (internal use only)",
           longdesc="Store the host file at the absolute path tmpname in the "
           "appliance's own filesystem, with the permission bits mode; "
           "for debugging.",
           tests=[Test("none", ["debug_upload /dev/null /tmp/dup1 0600",
                                "debug ll /tmp"],
                       ExpectC("strstr (r, \"-rw------- \") != NULL && "
                               "strstr (r, \" dup1\\n\") != NULL"))]),

    # ---- deprecated stat family ----
    Action("stat", RStruct("stat"), [Pathname("path")], proc=861,
           deprecated_by="statns",
           shortdesc="get file information",
           longdesc="Return the stat(2) fields of the file, following "
           "symlinks, with times in whole seconds.",
           tests=[Test("scratchfs", ["write /st1 abc", "chmod 0640 /st1", "stat /st1"],
                       ExpectC("r->size == 3 && (r->mode & 07777) == 0640 && r->ino > 0 "
                               "&& r->mtime > 0")),
                  Test("scratchfs", ["stat /st-nosuch"], ExpectFail())]),
    Action("lstat", RStruct("stat"), [Pathname("path")], proc=862,
           deprecated_by="lstatns",
           shortdesc="get file information for a symbolic link",
           longdesc="Like stat, but a symlink is examined itself, not the "
           "file it points to.",
           tests=[Test("scratchfs", ["ln_s nowhere /lst1", "lstat /lst1"],
                       ExpectC("S_ISLNK (r->mode) && r->size == 7"))]),
    Action("lstatlist", RStructList("stat"), [Pathname("path"), StringList("names")],
           proc=863, deprecated_by="lstatnslist",
           shortdesc="lstat on multiple files",
           longdesc="lstat each name in the directory path in one call.  The "
           "result has one entry per name; a name that cannot be examined "
           "has ino -1.",
           tests=[Test("scratchfs", ["mkdir /lsl", "touch /lsl/a",
                                     "lstatlist /lsl \"a nosuch\""],
                       ExpectC("r->len == 2 && r->val[0].ino > 0 && r->val[1].ino == -1"))]),
]
