#!/bin/bash
# Install the Debian packages Hatch needs to build, build its appliance
# and run its tests.  As root it runs apt-get; otherwise it prints the
# exact command to run.
set -u
packages=(
  # build
  gcc make meson ninja-build pkg-config python3 libreadline-dev liblzma-dev zlib1g-dev
  libaugeas-dev augeas-lenses libhivex-dev libacl1-dev libcap-dev libselinux1-dev libxml2-dev
  libsystemd-dev libyara-dev libtsk-dev libarchive-dev
  # the QMP client (saved appliance state, drive hotplug) and --json output
  libjson-c-dev
  # add_domain and the libvirt backend (tests start Debian's libvirtd)
  libvirt-dev libvirt-daemon-system
  # the Python binding, built for /usr/bin/python3
  python3-dev
  # virt-customize and friends: crypt(3) for --root-password
  libcrypt-dev
  # virt-builder: downloads (libcurl), SHA-512 (libcrypto), index signatures
  # (gpg; its agent signs in virt-builder-repository and the tests)
  libcurl4-openssl-dev libssl-dev gpg gpg-agent
  # guestmount / mount_local (FUSE)
  fuse3 libfuse3-dev
  # run: qemu and the host kernel the appliance boots
  qemu-system-x86 qemu-utils linux-image-amd64 kmod
  # remote drives: qemu's curl, ssh, iscsi, rbd and gluster block drivers (host side)
  qemu-block-extra
  # tools copied into the appliance
  parted fdisk gdisk e2fsprogs dosfstools xfsprogs btrfs-progs ntfs-3g
  lvm2 dmsetup cryptsetup-bin mdadm squashfs-tools f2fs-tools zerofree
  clevis clevis-luks jose luksmeta   # clevis_luks_unlock (clevis-luks pulls in curl etc.)
  attr acl file bzip2 xz-utils zstd lzop lz4 procps diffutils
  augeas-tools libhivex-bin libcap2-bin policycoreutils
  # misc actions (scrub_*, rsync)
  scrub rsync
  # system and forensic actions (ldm, bootloaders, sleuthkit)
  ldmtool syslinux extlinux syslinux-common mtools grub-pc-bin grub2-common sleuthkit
  # tests
  systemd-journal-remote   # system-level tests: journal files
  busybox-static tmux
  openssh-server           # virt-v2v -i vmx -it ssh against a local sshd (the test starts its own)
  python3-jsonschema       # the --json outputs validated against their schemas
  python3-libvirt          # add_libvirt_dom from the Python binding, given a libvirt-python domain
  python3-evtx             # virt-log's Windows event logs compared with python-evtx's reading
  # inspection: rpm sqlite databases (daemon), test guests' rpm/BDB databases, the debootstrap guest
  libsqlite3-dev rpm db5.3-util debootstrap
  # Windows inspection tests: registry hives made from .reg text (hivexregedit)
  libwin-hivex-perl
  # inspection of BSD guests and install CDs (test images: UFS by makefs, iso9660)
  makefs genisoimage
)
# make bench: the comparison baseline (Debian's libguestfs and guestfish),
# never used by the project itself.
if [ "${1:-}" = --bench ]; then
  packages+=(libguestfs-dev libguestfs-tools guestfish)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "deps: apt-get install failed" >&2; exit 1; }
else
  echo "Missing Debian packages. Run as root:"
  echo "  apt-get install -y ${missing[*]}"
  exit 1
fi
