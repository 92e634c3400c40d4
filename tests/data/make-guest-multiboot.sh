#!/bin/bash
# Build a small fake multi-boot disk image with our own guestfish: two
# operating systems, each with its own root and fstab, sharing a data
# partition:
#   /dev/sda1  ext4  Debian 12 root   (fstab: UUID=... /, LABEL=DATA /srv)
#   /dev/sda2  ext4  Fedora 39 root   (fstab: UUID=... /, LABEL=DATA /data)
#   /dev/sda3  ext2  LABEL=DATA
# usage: make-guest-multiboot.sh OUTPUT.img   (GUESTFISH names the guestfish)
set -eu
source "$(dirname "$0")/guest-lib.sh"
guest_start "${1:-}"
truncate -s 64M "$tmp/disk.img"
uuids=$("$fish" -a "$tmp/disk.img" <<'GF'
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 57343
part-add /dev/sda p 57344 112639
part-add /dev/sda p 112640 -2048
mkfs ext4 /dev/sda1
mkfs ext4 /dev/sda2
mkfs ext2 /dev/sda3 label:DATA
vfs-uuid /dev/sda1
vfs-uuid /dev/sda2
GF
)
u1=$(echo "$uuids" | sed -n 1p) u2=$(echo "$uuids" | sed -n 2p)
[ -n "$u1" ] && [ -n "$u2" ] || { echo "$0: could not read the UUIDs" >&2; exit 1; }

d=$tmp/debian f=$tmp/fedora
mkdir -p "$d/etc" "$d/bin" "$d/usr/lib" "$d/srv" "$f/etc" "$f/usr/bin" "$f/usr/lib" "$f/data"
cat > "$d/usr/lib/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
X
ln -s ../usr/lib/os-release "$d/etc/os-release"
echo "12.5" > "$d/etc/debian_version"
echo "multi-debian" > "$d/etc/hostname"
cp /bin/ls "$d/bin/ls"
printf 'UUID=%s / ext4 errors=remount-ro 0 1\nLABEL=DATA /srv ext2 defaults 0 2\n' "$u1" > "$d/etc/fstab"
cat > "$f/usr/lib/os-release" <<'X'
NAME="Fedora Linux"
VERSION="39 (Thirty Nine)"
ID=fedora
VERSION_ID=39
PRETTY_NAME="Fedora Linux 39 (Thirty Nine)"
X
ln -s ../usr/lib/os-release "$f/etc/os-release"
ln -s usr/bin "$f/bin"
echo "multi-fedora" > "$f/etc/hostname"
cp /bin/ls "$f/usr/bin/ls"
printf 'UUID=%s / ext4 defaults 1 1\nLABEL=DATA /data ext2 defaults 1 2\n' "$u2" > "$f/etc/fstab"
tar -C "$d" --owner=0 --group=0 -cf "$tmp/debian.tar" .
tar -C "$f" --owner=0 --group=0 -cf "$tmp/fedora.tar" .
"$fish" -a "$tmp/disk.img" <<GF
run
mount /dev/sda1 /
tar-in $tmp/debian.tar /
umount /
mount /dev/sda2 /
tar-in $tmp/fedora.tar /
GF
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
