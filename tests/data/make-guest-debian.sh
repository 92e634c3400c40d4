#!/bin/bash
# Build a small fake Debian 12 disk image for the inspection tests, without
# root, with our own guestfish:
#   /dev/sda1  ext2  LABEL=BOOT   /boot
#   /dev/sda2  ext4  (UUID=...)   /      os-release, debian_version, fstab,
#                                        hostname, dpkg status, /bin/ls
# usage: make-guest-debian.sh OUTPUT.img   (GUESTFISH names the guestfish)
# The image is rebuilt only when this script is newer than it.
set -eu
out=${1:?usage: make-guest-debian.sh OUTPUT.img}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi

tmp=$(mktemp -d /tmp/make-guest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 200M "$tmp/disk.img"

uuid=$("$fish" -a "$tmp/disk.img" <<'GF'
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 104447
part-add /dev/sda p 104448 -2048
mkfs ext2 /dev/sda1 label:BOOT
mkfs ext4 /dev/sda2
vfs-uuid /dev/sda2
GF
)
[ -n "$uuid" ] || { echo "$0: could not read the root UUID" >&2; exit 1; }

t=$tmp/root
mkdir -p "$t/etc" "$t/bin" "$t/usr/bin" "$t/boot" "$t/var/lib/dpkg" "$t/usr/lib" "$t/home"
cat > "$t/usr/lib/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
echo "12.5" > "$t/etc/debian_version"
echo "debian-test" > "$t/etc/hostname"
cat > "$t/etc/fstab" <<X
# /etc/fstab: static file system information.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
UUID=$uuid /               ext4    errors=remount-ro 0       1
LABEL=BOOT  /boot           ext2    defaults        0       2
UUID=0b6f1a2c-5d4e-4f3a-9b8c-7d6e5f4a3b2c none swap sw 0 0
/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0
proc /proc proc defaults 0 0
X
cat > "$t/var/lib/dpkg/status" <<'X'
Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Santiago Vila <sanvila@debian.org>
Architecture: amd64
Multi-Arch: foreign
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system, and
 several important miscellaneous files.

Package: bash
Essential: yes
Status: install ok installed
Priority: required
Section: shells
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 .
 Bash also incorporates useful features.
Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Description: removed package

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: vim
Status: install ok installed
Architecture: amd64
Source: vim (2:9.0.1378-2)
Version: 2:9.0.1378-2
Description: Vi IMproved - enhanced vi editor

Package: wget-half
Status: install reinstreq half-installed
Architecture: amd64
Version: 1.21.3-1
Description: half-installed: not listed

Package: wget-purged
Status: purge ok not-installed
Architecture: amd64
Version: 1.21.3-1
Description: purged: not listed

Package: zile
Status: installed ok
Architecture: amd64
Version: 2.6.2-1
Description: the two-word form: listed
X
cp /bin/ls "$t/bin/ls"
tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .

"$fish" -a "$tmp/disk.img" <<GF
run
mount /dev/sda2 /
tar-in $tmp/root.tar /
mount /dev/sda1 /boot
write /boot/vmlinuz-6.1.0-18-amd64 "not a kernel"
GF
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
