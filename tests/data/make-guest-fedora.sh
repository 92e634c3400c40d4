#!/bin/bash
# Build a small fake Fedora 39 disk image for the inspection tests, without
# root, with our own guestfish (GPT):
#   /dev/sda1  ext4  /boot  named as /dev/disk/by-uuid/... in fstab
#   /dev/sda2  ext4  /      LABEL=fedroot; os-release, redhat-release,
#                           hostname, /bin -> usr/bin, usr/bin/bash, an rpm
#                           sqlite database (/usr/lib/sysimage/rpm, with
#                           /var/lib/rpm a symlink to it as on Fedora 36+)
#                           made by make-rpmdb.py with Debian's rpm
#   /dev/sda3  ext4  /home  named as UUID=... in fstab
# usage: make-guest-fedora.sh OUTPUT.img   (GUESTFISH names the guestfish)
# The image is rebuilt only when this script is newer than it.
set -eu
out=${1:?usage: make-guest-fedora.sh OUTPUT.img}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi

tmp=$(mktemp -d /tmp/make-guest-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 200M "$tmp/disk.img"

"$fish" -a "$tmp/disk.img" > "$tmp/uuids" <<'GF'
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 104447
part-add /dev/sda p 104448 307199
part-add /dev/sda p 307200 -2048
mkfs ext4 /dev/sda1
mkfs ext4 /dev/sda2 label:fedroot
mkfs ext4 /dev/sda3
vfs-uuid /dev/sda1
vfs-uuid /dev/sda3
GF
boot_uuid=$(sed -n 1p "$tmp/uuids")
home_uuid=$(sed -n 2p "$tmp/uuids")
[ -n "$boot_uuid" ] && [ -n "$home_uuid" ] || { echo "$0: could not read the UUIDs" >&2; exit 1; }

t=$tmp/root
mkdir -p "$t/etc/sysconfig" "$t/usr/bin" "$t/usr/lib/sysimage/rpm" "$t/boot" "$t/home" "$t/var/lib"
ln -s usr/bin "$t/bin"
ln -s ../../usr/lib/sysimage/rpm "$t/var/lib/rpm"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
  kernel-core - 6.5.6 300.fc39 x86_64 https://www.kernel.org/ "The Linux kernel" "The kernel package contains the Linux kernel." \
  fedora-release-server - 39 36 noarch https://fedoraproject.org/ "Fedora release files" "Fedora release files such as various repo files." \
  shadow-utils 2 4.14.0 2.fc39 x86_64 https://github.com/shadow-maint/shadow "Utilities for managing accounts and shadow password files" "The shadow-utils package includes the necessary programs." \
  > "$tmp/packages.tsv"
python3 "$(dirname "$0")/make-rpmdb.py" sqlite "$tmp/packages.tsv" "$t/usr/lib/sysimage/rpm"
cat > "$t/usr/lib/os-release" <<'X'
NAME="Fedora Linux"
VERSION="39 (Server Edition)"
ID=fedora
VERSION_ID=39
VERSION_CODENAME=""
PLATFORM_ID="platform:f39"
PRETTY_NAME="Fedora Linux 39 (Server Edition)"
ANSI_COLOR="0;38;2;60;110;180"
CPE_NAME="cpe:/o:fedoraproject:fedora:39"
VARIANT="Server Edition"
VARIANT_ID=server
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
echo "Fedora release 39 (Thirty Nine)" > "$t/etc/fedora-release"
ln -s fedora-release "$t/etc/redhat-release"
ln -s fedora-release "$t/etc/system-release"
ln -s dnf-3 "$t/usr/bin/dnf"
echo '#!/usr/bin/python3' > "$t/usr/bin/dnf-3"
echo "fedora-test.example.org" > "$t/etc/hostname"
cat > "$t/etc/fstab" <<X
#
# /etc/fstab
#
LABEL=fedroot                             /      ext4 defaults 1 1
UUID=$home_uuid /home  ext4 defaults 1 2
/dev/disk/by-uuid/$boot_uuid /boot ext4 defaults 1 2
tmpfs /tmp tmpfs defaults 0 0
X
cp /bin/bash "$t/usr/bin/bash"
tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .

"$fish" -a "$tmp/disk.img" <<GF
run
mount /dev/sda2 /
tar-in $tmp/root.tar /
mount /dev/sda1 /boot
write /boot/vmlinuz-6.5.6-300.fc39.x86_64 "not a kernel"
mount /dev/sda3 /home
mkdir /home/user
GF
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
