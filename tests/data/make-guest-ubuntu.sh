#!/bin/bash
# A small fake Ubuntu 22.04 guest for the inspection tests: os-release,
# lsb-release, debian_version "bookworm/sid" (as Ubuntu ships), merged
# /usr, a dpkg status with a multi-arch library and a removed package.
# usage: make-guest-ubuntu.sh OUTPUT.img   (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
guest_start "$@"
mkdir -p "$t/etc" "$t/usr/bin" "$t/usr/lib" "$t/var/lib/dpkg" "$t/boot" "$t/home"
ln -s usr/bin "$t/bin"
cat > "$t/usr/lib/os-release" <<'X'
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=jammy
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
cat > "$t/etc/lsb-release" <<'X'
DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=22.04
DISTRIB_CODENAME=jammy
DISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"
X
echo "bookworm/sid" > "$t/etc/debian_version"
echo "ubuntu-test" > "$t/etc/hostname"
printf 'LABEL=cloudimg-rootfs / ext4 discard,errors=remount-ro 0 1\n' > "$t/etc/fstab"
cp /bin/ls "$t/usr/bin/ls"
cat > "$t/var/lib/dpkg/status" <<'X'
Package: adduser
Status: install ok installed
Priority: important
Section: admin
Installed-Size: 608
Maintainer: Ubuntu Core Developers <ubuntu-devel-discuss@lists.ubuntu.com>
Architecture: all
Multi-Arch: foreign
Version: 3.118ubuntu5
Description: add and remove users and groups
 This package includes the 'adduser' and 'deluser' commands.
Original-Maintainer: Debian Adduser Developers <adduser@packages.debian.org>

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.35-0ubuntu3.6
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.35-0ubuntu3.6
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: snapd
Status: deinstall ok config-files
Architecture: amd64
Version: 2.61.3+22.04
Description: Daemon and tooling that enable snap packages

Package: ubuntu-minimal
Status: install ok installed
Architecture: amd64
Source: ubuntu-meta
Version: 1.481.1
Description: Minimal core of Ubuntu

X
guest_image "$out" ext4 cloudimg-rootfs
