#!/bin/bash
# Build a small fake Fedora 39 disk image with its root in a btrfs
# subvolume, Fedora/openSUSE style, with our own guestfish:
#   /dev/sda1  btrfs, subvolumes @ (/) and @home (/home); the fstab names
#              them UUID=... subvol=@ / subvol=/@home; @ (ID 256) is the
#              default subvolume, as openSUSE sets it
# usage: make-guest-btrfs.sh OUTPUT.img   (GUESTFISH names the guestfish)
set -eu
source "$(dirname "$0")/guest-lib.sh"
guest_start "${1:-}"
mkdir -p "$t/etc" "$t/usr/bin" "$t/usr/lib" "$t/home" "$t/var/lib/rpm"
ln -s usr/bin "$t/bin"
cat > "$t/usr/lib/os-release" <<'X'
NAME="Fedora Linux"
VERSION="39 (Server Edition)"
ID=fedora
VERSION_ID=39
PRETTY_NAME="Fedora Linux 39 (Server Edition)"
VARIANT="Server Edition"
VARIANT_ID=server
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
echo "btrfs-test" > "$t/etc/hostname"
cp /bin/ls "$t/usr/bin/ls"
truncate -s 160M "$tmp/disk.img"
uuid=$("$fish" -a "$tmp/disk.img" <<'GF'
run
part-disk /dev/sda mbr
mkfs btrfs /dev/sda1
vfs-uuid /dev/sda1
GF
)
[ -n "$uuid" ] || { echo "$0: could not read the btrfs UUID" >&2; exit 1; }
cat > "$t/etc/fstab" <<X
UUID=$uuid /                       btrfs   subvol=@,compress=zstd:1 0 0
UUID=$uuid /home                   btrfs   subvol=/@home,compress=zstd:1 0 0
X
tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .
"$fish" -a "$tmp/disk.img" <<GF
run
mount /dev/sda1 /
btrfs-subvolume-create /@
btrfs-subvolume-create /@home
umount /
mount btrfsvol:/dev/sda1/@ /
tar-in $tmp/root.tar /
mount btrfsvol:/dev/sda1/@home /home
mkdir /home/user
umount-all
mount /dev/sda1 /
btrfs-subvolume-set-default 256 /
GF
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
