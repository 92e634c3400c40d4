"""Daemon actions: inspection of the operating systems on the disks.

inspect_os mounts each candidate filesystem read-only on a private
mountpoint inside the appliance, recognises operating systems there and
keeps what it found in the daemon; the inspect_get_* calls return those
stored results.  inspect_list_applications* and inspect_get_icon read the
guest tree mounted under / by the caller."""
from generator.types import *

# A small Debian-like tree on the basicfs filesystem (/dev/sda1 at /).
_DEB = [
    "mkdir_p /etc", "mkdir_p /bin", "mkdir_p /var/lib/dpkg",
    'write /etc/os-release "PRETTY_NAME=\\"Debian GNU/Linux 12 (bookworm)\\"\\n'
    'NAME=\\"Debian GNU/Linux\\"\\nVERSION_ID=\\"12\\"\\nID=debian\\n"',
    'write /etc/debian_version "12.5\\n"',
    'write /etc/hostname "tablehost\\n"',
    'write /etc/fstab "# static file system information\\n'
    '/dev/vda1 / ext2 errors=remount-ro 0 1\\n'
    'proc /proc proc defaults 0 0\\n'
    '/dev/vdb1 none swap sw 0 0\\n"',
    'write /var/lib/dpkg/status "Package: hello\\nStatus: install ok installed\\n'
    'Architecture: amd64\\nVersion: 1:2.10-3\\n'
    'Description: example package\\n more text\\n\\n'
    'Package: gone\\nStatus: deinstall ok config-files\\nVersion: 1.0\\n\\n'
    'Package: zlib1g\\nStatus: install ok installed\\nArchitecture: amd64\\n'
    'Version: 1.2.13.dfsg-1\\nDescription: compression library\\n"',
]
# A Fedora-like tree.
_FED = [
    "mkdir_p /etc/sysconfig", "mkdir_p /usr/bin", "ln_s usr/bin /bin",
    "ln_s dnf-3 /usr/bin/dnf", 'write /usr/bin/dnf-3 "#!/usr/bin/python3\\n"',
    'write /etc/os-release "NAME=\\"Fedora Linux\\"\\nVERSION_ID=39\\nID=fedora\\n'
    'PRETTY_NAME=\\"Fedora Linux 39 (Server Edition)\\"\\n"',
    'write /etc/redhat-release "Fedora release 39 (Thirty Nine)\\n"',
    'write /etc/sysconfig/network "NETWORKING=yes\\nHOSTNAME=fedhost.example.com\\n"',
    'write /etc/fstab "LABEL=nosuchlabel /home ext4 defaults 0 0\\n'
    '/dev/sda1 / ext2 defaults 1 1\\n"',
]

# A CoreOS-style guest: the root (basicfs) holds /etc, the OS is in a
# /usr filesystem of its own on the spare disk.
_COREOS = [
    "mkdir_p /etc/coreos", "mkdir /usr", "ln_s usr/bin /bin",
    'write /etc/coreos/update.conf "GROUP=stable\\n"',
    'write /etc/hostname "corehost\\n"',
    "ln_s ../usr/lib/os-release /etc/os-release",
    "mkfs ext2 /dev/sdc", "mount /dev/sdc /usr", "mkdir /usr/bin", "mkdir /usr/lib",
    'write /usr/lib/os-release "NAME=\\"Container Linux by CoreOS\\"\\nID=coreos\\n'
    'VERSION_ID=2512.3.0\\nPRETTY_NAME=\\"Container Linux by CoreOS 2512.3.0 (Oklo)\\"\\n"',
]
# A root whose fstab mounts /usr from the spare disk, where os-release is.
_SPLITUSR = [
    "mkdir /etc", "mkdir /usr", "ln_s usr/bin /bin",
    "ln_s ../usr/lib/os-release /etc/os-release",
    'write /etc/fstab "/dev/sda1 / ext2 defaults 1 1\\n/dev/sdc /usr ext2 defaults 1 2\\n"',
    "mkfs ext2 /dev/sdc", "mount /dev/sdc /usr", "mkdir /usr/bin", "mkdir /usr/lib",
    'write /usr/lib/os-release "NAME=\\"Fedora Linux\\"\\nID=fedora\\nVERSION_ID=39\\n'
    'PRETTY_NAME=\\"Fedora Linux 39 (Server Edition)\\"\\n"',
]
# An os-release only (for the osinfo IDs).
def _osr(id_, version_id, pretty):
    return ["mkdir_p /etc", "mkdir_p /bin", 'write /etc/fstab ""',
            'write /etc/os-release "ID=%s\\nVERSION_ID=%s\\nPRETTY_NAME=\\"%s\\"\\n"'
            % (id_, version_id, pretty)]


def _getter(name, proc, shortdesc, longdesc, tests, ret=None):
    return Action(name, ret or RString(), [Mountable("root")], proc=proc,
                  shortdesc=shortdesc, longdesc=longdesc + """

root must be one of the roots returned by the last inspect_os call; it is
an error otherwise.""", tests=tests)


def _t(setup, cmd, expect, scenario="basicfs", name=None):
    return Test(scenario, setup + ["inspect_os", cmd], expect, name=name)


ACTIONS = [
    Action("inspect_os", RStringList(), [], proc=600,
           shortdesc="inspect disk and return list of operating systems found",
           longdesc="""Look at every filesystem on the disks for an
installed operating system, and return the root filesystem of each one
found (none, one, or several for a multi-boot machine).

Each filesystem is mounted read-only on a private mountpoint inside the
appliance (never on the guest tree that mount uses) and unmounted
afterwards, so this can be called with or without filesystems mounted.
What is learned (type, distro, version, mountpoints from /etc/fstab ...)
is kept in the appliance and returned by the inspect_get_* calls until the
next inspect_os.  A guest file that cannot be read or understood only makes
its own field "unknown": it never fails the whole inspection.

Encrypted devices must be opened first.""",
           tests=[Test("basicfs", ["inspect_os"], ExpectList([])),
                  Test("basicfs", _DEB + ["inspect_os"], ExpectList(["/dev/sda1"])),
                  Test("basicfs", _DEB + ["inspect_os", "mounts"],
                       ExpectList(["/dev/sda1"]),
                       name="guest tree mounts unchanged"),
                  Test("basicfs", _FED + ["inspect_os"], ExpectList(["/dev/sda1"])),
                  Test("basicfs", ["mkdir /etc", "mkdir /bin",
                                   'write /etc/os-release "\\x00\\xff\\n==\\nID\\n"',
                                   "inspect_os"],
                       ExpectList(["/dev/sda1"]), name="garbage os-release")]),
    Action("inspect_get_roots", RStringList(), [], proc=601,
           shortdesc="return list of operating systems found by last inspection",
           longdesc="""Return the roots found by the last inspect_os call,
without inspecting again.  The list is empty if inspect_os was never
called or found nothing.""",
           tests=[Test("basicfs", ["inspect_os", "inspect_get_roots"], ExpectList([])),
                  Test("basicfs", _DEB + ["inspect_os", "inspect_get_roots"],
                       ExpectList(["/dev/sda1"]))]),
    _getter("inspect_get_type", 602, "get type of inspected operating system",
            """The kind of operating system: "linux", "windows", "freebsd",
"netbsd", "openbsd", "hurd", "dos", "minix", or "unknown".  Other strings
may be added later.""",
            [_t(_DEB, "inspect_get_type /dev/sda1", ExpectString("linux")),
             Test("basicfs", ["inspect_os", "inspect_get_type /dev/sda1"], ExpectFail(),
                  name="not an inspected root")]),
    _getter("inspect_get_distro", 603, "get distro of inspected operating system",
            """The distribution, as a short lower-case word: "debian",
"ubuntu", "fedora", "rhel", "centos", "rocky", "oraclelinux",
"archlinux", "alpinelinux", "opensuse", "sles", "gentoo", "mageia",
"altlinux", "voidlinux", "linuxmint", "kalilinux", "coreos" (also
for Flatcar) and others as listed in guestfs(3), and "almalinux";
"windows" for Windows; "unknown" when it could not be told.  New strings
may be added later.""",
            [_t(_DEB, "inspect_get_distro /dev/sda1", ExpectString("debian")),
             _t(_FED, "inspect_get_distro /dev/sda1", ExpectString("fedora")),
             _t(_COREOS, "inspect_get_distro /dev/sda1", ExpectString("coreos"),
                name="coreos"),
             _t(_SPLITUSR, "inspect_get_distro /dev/sda1", ExpectString("fedora"),
                name="os-release in the fstab's /usr")]),
    _getter("inspect_get_product_name", 604,
            "get product name of inspected operating system",
            """A free-form name of the product for display, such as
"Fedora Linux 39 (Server Edition)" (for Debian, the content of
/etc/debian_version, as libguestfs returns); "unknown" if none was found.
Do not parse it.""",
            [_t(_DEB, "inspect_get_product_name /dev/sda1", ExpectString("12.5"),
                name="debian_version wins for Debian, as in libguestfs"),
             _t(_FED, "inspect_get_product_name /dev/sda1",
                ExpectString("Fedora Linux 39 (Server Edition)"))]),
    _getter("inspect_get_product_variant", 605,
            "get product variant of inspected operating system",
            """The variant of the product (for Windows the registry's
InstallationType such as "Client" or "Server"); "unknown" for other
systems or when it was not found.""",
            [_t(_DEB, "inspect_get_product_variant /dev/sda1", ExpectString("unknown"))]),
    _getter("inspect_get_build_id", 934,
            "get the system build ID",
            """The build of the operating system as a string: for Windows
the registry's CurrentBuildNumber (such as "22621"; so far always a
number), for Linux the BUILD_ID of os-release (rarely set); "unknown"
when there is none.""",
            [_t(_DEB, "inspect_get_build_id /dev/sda1", ExpectString("unknown")),
             _t(["mkdir_p /etc", "mkdir_p /bin",
                 'write /etc/os-release "ID=fedora\nVERSION_ID=40\nBUILD_ID=\"2024.04.17-rc1\"\n"'],
                "inspect_get_build_id /dev/sda1", ExpectString("2024.04.17-rc1"),
                name="BUILD_ID of os-release")]),
    _getter("inspect_get_major_version", 606,
            "get major version of inspected operating system",
            """The major version number, or 0 if it was not found.  Windows
versions are the internal ones (Windows 7 is 6.1).""",
            [_t(_DEB, "inspect_get_major_version /dev/sda1", ExpectInt(12)),
             _t(_FED, "inspect_get_major_version /dev/sda1", ExpectInt(39)),
             _t(_COREOS, "inspect_get_major_version /dev/sda1", ExpectInt(2512),
                name="coreos version from /usr")],
            ret=RInt()),
    _getter("inspect_get_minor_version", 607,
            "get minor version of inspected operating system",
            """The minor version number, or 0 if it was not found.""",
            [_t(_DEB, "inspect_get_minor_version /dev/sda1", ExpectInt(5)),
             _t(_FED, "inspect_get_minor_version /dev/sda1", ExpectInt(0))],
            ret=RInt()),
    _getter("inspect_get_arch", 608,
            "get architecture of inspected operating system",
            """The architecture, read from the ELF header of a system
binary such as /bin/ls, with the names used by file_architecture
("x86_64", "i386", "aarch64" ...); "unknown" if it could not be told.""",
            [_t(_DEB + ['write /bin/ls "\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00'
                        '\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00"'],
                "inspect_get_arch /dev/sda1", ExpectString("aarch64")),
             _t(_DEB, "inspect_get_arch /dev/sda1", ExpectString("unknown"))]),
    _getter("inspect_get_hostname", 609,
            "get hostname of the operating system",
            """The hostname found in the guest's configuration
(/etc/hostname, /etc/HOSTNAME, /etc/sysconfig/network ...); "unknown" if
none was found.""",
            [_t(_DEB, "inspect_get_hostname /dev/sda1", ExpectString("tablehost")),
             _t(_FED, "inspect_get_hostname /dev/sda1",
                ExpectString("fedhost.example.com")),
             _t(_DEB + ["rm /etc/hostname",
                        "ln_s ../../../../../proc/sys/kernel/hostname /etc/hostname"],
                "inspect_get_hostname /dev/sda1", ExpectString("unknown"),
                name="guest symlink cannot reach the appliance")]),
    _getter("inspect_get_package_format", 610,
            "get package format used by the operating system",
            """The package format: "rpm", "deb", "ebuild", "pisi",
"pacman", "pkgsrc", "apk", "xbps", or "unknown" (also for systems without
a real packaging system, such as Windows).""",
            [_t(_DEB, "inspect_get_package_format /dev/sda1", ExpectString("deb")),
             _t(_FED, "inspect_get_package_format /dev/sda1", ExpectString("rpm"))]),
    _getter("inspect_get_package_management", 611,
            "get package management tool used by the operating system",
            """The package management tool: "apt" (every Debian
derivative), "dnf", "yum", "up2date", "zypper", "urpmi", "portage",
"pisi", "pacman", "apk", "xbps", or "unknown".  For the Red Hat family it
is "dnf" when the guest has /usr/bin/dnf (a file, or a symlink to one),
else "yum".""",
            [_t(_DEB, "inspect_get_package_management /dev/sda1", ExpectString("apt")),
             _t(_FED, "inspect_get_package_management /dev/sda1", ExpectString("dnf")),
             _t(_FED + ["rm /usr/bin/dnf"], "inspect_get_package_management /dev/sda1",
                ExpectString("yum"), name="no dnf in the guest"),
             _t(_FED + ["rm /usr/bin/dnf-3"], "inspect_get_package_management /dev/sda1",
                ExpectString("yum"), name="dangling dnf symlink")]),
    _getter("inspect_get_format", 612, "get format of inspected operating system",
            """"installed" for an installed operating system, "installer" for
an install or live disc (an iso9660 image laid out as a Debian or Ubuntu
CD with .disk/info, or a Fedora/RHEL one with .treeinfo): its distro,
product name, version and architecture come from those files.  (libguestfs
1.38 and later return only "installed".)""",
            [_t(_DEB, "inspect_get_format /dev/sda1", ExpectString("installed"))]),
    _getter("inspect_get_mountpoints", 613,
            "get mountpoints of inspected operating system",
            """A table from mountpoint ("/", "/boot" ...) to the filesystem
that would be mounted there, guessed from the guest's /etc/fstab (UUID=,
LABEL=, PARTUUID=, /dev/disk/by-*, LVM and /dev/vdX names are translated
to the appliance's device names where they can be; so are BSD names such
as /dev/ada0p2 and /dev/wd0a, and a btrfs subvol= option gives the
btrfsvol:DEVICE/SUBVOLUME mountable).  It may name devices
that do not exist or cannot be mounted.  Swap is not included.  Sort the
keys by length to mount them in a working order.

When the operating system lives in a /usr filesystem of its own (CoreOS
Container Linux and Flatcar, which have no fstab, or a root whose fstab
mounts /usr and which names no distribution itself), that filesystem is
read too, and for CoreOS it is added here as "/usr".""",
            [_t(_DEB, "inspect_get_mountpoints /dev/sda1",
                ExpectList(["/", "/dev/sda1"])),
             _t(_FED, "inspect_get_mountpoints /dev/sda1",
                ExpectList(["/", "/dev/sda1"]), name="unresolvable label dropped"),
             _t(_COREOS, "inspect_get_mountpoints /dev/sda1",
                ExpectList(["/", "/dev/sda1", "/usr", "/dev/sdc"]), name="coreos /usr")],
            ret=RHashtable()),
    _getter("inspect_get_filesystems", 614,
            "get filesystems associated with inspected operating system",
            """Every filesystem that belongs to this operating system: the
root, the other filesystems of its fstab, and swap (in the reverse of the
fstab's order, as libguestfs returns them).""",
            [_t(_DEB, "inspect_get_filesystems /dev/sda1",
                ExpectList(["/dev/sdb1", "/dev/sda1"]))],
            ret=RStringList()),
    _getter("inspect_get_drive_mappings", 615,
            "get drive letter mappings",
            """For Windows, a table from drive letter (without the colon)
to device, read from the registry.  Empty for systems without drive
letters or when the mappings could not be read.""",
            [_t(_DEB, "inspect_get_drive_mappings /dev/sda1", ExpectList([]))],
            ret=RHashtable()),
    _getter("inspect_get_windows_systemroot", 616,
            "get Windows systemroot of inspected operating system",
            """The Windows system directory, such as /Windows.  An error
for other systems.""",
            [_t(_DEB, "inspect_get_windows_systemroot /dev/sda1", ExpectFail())]),
    _getter("inspect_get_windows_software_hive", 617,
            "get the path of the Windows software hive",
            """The guest path of the HKLM\\SOFTWARE registry hive file.  An
error for other systems.""",
            [_t(_DEB, "inspect_get_windows_software_hive /dev/sda1", ExpectFail())]),
    _getter("inspect_get_windows_system_hive", 618,
            "get the path of the Windows system hive",
            """The guest path of the HKLM\\SYSTEM registry hive file.  An
error for other systems.""",
            [_t(_DEB, "inspect_get_windows_system_hive /dev/sda1", ExpectFail())]),
    _getter("inspect_get_windows_current_control_set", 619,
            "get Windows CurrentControlSet of inspected operating system",
            """The registry key that CurrentControlSet stands for, such as
"ControlSet001".  An error for other systems.""",
            [_t(_DEB, "inspect_get_windows_current_control_set /dev/sda1", ExpectFail())]),
    _getter("inspect_get_windows_group_policy", 937,
            "check if a Windows guest has Group Policy Objects",
            """True when the Windows guest's SOFTWARE hive shows that Group
Policy Objects were applied to it (its Microsoft\\Windows\\CurrentVersion\\
Group Policy\\History key has a subkey named like a GUID, "{...}").
Conversion tools use it to warn that policies may undo their changes.
False when there is none, when the hive could not be read, and for
systems other than Windows.""",
            [_t(_DEB, "inspect_get_windows_group_policy /dev/sda1", ExpectFalse())],
            ret=RBool()),
    _getter("inspect_get_osinfo", 620, "get a possible osinfo short ID",
            """A guess at the libosinfo short ID of the system, such as
"debian12", "fedora39" or "ubuntu22.04"; "unknown" if none can be made.
The IDs follow osinfo-db's names (almalinux9, rocky9, ol8.8,
opensusetumbleweed, sles15sp5, alt10.1, centos-stream9, win10 ...); a
distribution without a rule of its own gets DISTROmajor.minor.  Nothing
checks that osinfo-db knows the ID.""",
            [_t(_DEB, "inspect_get_osinfo /dev/sda1", ExpectString("debian12")),
             _t(_FED, "inspect_get_osinfo /dev/sda1", ExpectString("fedora39")),
             _t(_osr("almalinux", "9.3", "AlmaLinux 9.3 (Shamrock Pampas Cat)"),
                "inspect_get_osinfo /dev/sda1", ExpectString("almalinux9"), name="almalinux"),
             _t(_osr("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5"),
                "inspect_get_osinfo /dev/sda1", ExpectString("sles15sp5"), name="sles"),
             _t(_osr("linuxmint", "21.2", "Linux Mint 21.2"),
                "inspect_get_osinfo /dev/sda1", ExpectString("linuxmint21.2"), name="mint")]),
    _getter("inspect_is_live", 621, "get live flag for install disk",
            """True for a live disc (one that carries the root image it boots,
such as casper/filesystem.squashfs); false otherwise.""",
            [_t(_DEB, "inspect_is_live /dev/sda1", ExpectFalse())], ret=RBool()),
    _getter("inspect_is_netinst", 622, "get netinst (network installer) flag for install disk",
            """True for an install disc that fetches its packages from the
network (.disk/cd_type "not_complete" or NETINST in .disk/info; a .treeinfo
disc without package directories); false otherwise.""",
            [_t(_DEB, "inspect_is_netinst /dev/sda1", ExpectFalse())], ret=RBool()),
    _getter("inspect_is_multipart", 623, "get multipart flag for install disk",
            """True for one disc of a set of several (.disk/cd_type without
"/single", .treeinfo totaldiscs above 1); false otherwise.""",
            [_t(_DEB, "inspect_is_multipart /dev/sda1", ExpectFalse())], ret=RBool()),
    _getter("inspect_list_applications2", 624,
            "get list of applications installed in the operating system",
            """The packages installed in the operating system.  Unlike the
other inspection calls this reads the guest now: call inspect_os, mount
the filesystems as inspect_get_mountpoints says, then call this.  Debian
packages (dpkg status), rpm databases (sqlite, ndb and Berkeley DB, read
without rpm itself), pacman and apk databases are read; the list is
sorted by name, and empty when the package database is missing or not
understood.  Fields that are not known are empty strings (epoch 0).""",
            [_t(_DEB, "inspect_list_applications2 /dev/sda1",
                ExpectC("r->len == 2 && strcmp (r->val[0].app2_name, \"hello\") == 0 && "
                        "r->val[0].app2_epoch == 1 && "
                        "strcmp (r->val[0].app2_version, \"2.10\") == 0 && "
                        "strcmp (r->val[0].app2_release, \"3\") == 0 && "
                        "strcmp (r->val[0].app2_arch, \"amd64\") == 0 && "
                        "strcmp (r->val[0].app2_summary, \"example package\") == 0 && "
                        "strcmp (r->val[1].app2_name, \"zlib1g\") == 0 && "
                        "strcmp (r->val[1].app2_version, \"1.2.13.dfsg\") == 0 && "
                        "strcmp (r->val[1].app2_release, \"1\") == 0")),
             _t(_FED, "inspect_list_applications2 /dev/sda1", ExpectC("r->len == 0")),
             _t(_FED + ["mkdir_p /var/lib/rpm",
                        'write /var/lib/rpm/rpmdb.sqlite "SQLite format 3\\x00garbage"'],
                "inspect_list_applications2 /dev/sda1", ExpectC("r->len == 0"),
                name="garbage rpm sqlite database"),
             _t(_FED + ["mkdir_p /var/lib/rpm",
                        'write /var/lib/rpm/Packages.db "RpmP\\x00\\x00\\x00\\x00\\x01\\x00\\x00\\x00'
                        '\\xff\\xff\\xff\\xff\\x02\\x00\\x00\\x00"'],
                "inspect_list_applications2 /dev/sda1", ExpectC("r->len == 0"),
                name="rpm ndb database with a bogus slot count"),
             _t(_FED + ["mkdir_p /var/lib/rpm",
                        'write /var/lib/rpm/Packages "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00'
                        '\\x00\\x00\\x00\\x00\\x61\\x15\\x06\\x00\\x09\\x00\\x00\\x00'
                        '\\x00\\x00\\x00\\x00\\x00\\x08\\x00\\x00"'],
                "inspect_list_applications2 /dev/sda1", ExpectC("r->len == 0"),
                name="rpm Berkeley DB with a zero page size")],
            ret=RStructList("application2")),
    _getter("inspect_list_applications", 625,
            "get list of applications installed in the operating system",
            """Deprecated: inspect_list_applications2 returns the same list
with the architecture as well.""",
            [_t(_DEB, "inspect_list_applications /dev/sda1",
                ExpectC("r->len == 2 && strcmp (r->val[1].app_name, \"zlib1g\") == 0 && "
                        "r->val[1].app_epoch == 0"))],
            ret=RStructList("application")),
]

ACTIONS.append(Action(
    "inspect_get_icon", RBufferOut(), [Mountable("root")],
    [OBool("favicon"), OBool("highquality")], proc=626,
    shortdesc="get the icon corresponding to this operating system",
    longdesc="""A PNG icon of the operating system, read from the mounted
guest now (mount the filesystems first, as for
inspect_list_applications2).  /etc/favicon.png is tried first unless
favicon is false, then logos that distributions install.  An empty buffer
means no icon was found: callers must check for it.  highquality asks for
large icons only.  The data comes from the untrusted guest: treat it with
care.""",
    tests=[_t(_DEB, "inspect_get_icon /dev/sda1", ExpectC("r_size == 0")),
           _t(_DEB + ['write /etc/favicon.png "\\x89PNG\\x0d\\x0a\\x1a\\x0afake"'],
              "inspect_get_icon /dev/sda1", ExpectC("r_size == 12"))]))

ACTIONS += [
    Action("internal_list_rpm_applications", RStructList("application2"), [], proc=922,
           internal=True,
           shortdesc="list the rpm packages of the mounted guest",
           longdesc="""Internal: the packages recorded in the rpm database
(sqlite, ndb or Berkeley DB) of the guest filesystem mounted on /, sorted
by name.  A guest without an rpm database gives an empty list.  Programs
use guestfs_inspect_list_applications2.""",
           tests=[Test("basicfs", ["internal_list_rpm_applications"],
                       ExpectC("r->len == 0"))]),
]
