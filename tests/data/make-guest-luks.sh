#!/bin/bash
# Build a small fake Debian 12 disk image with its root on LVM on LUKS,
# with our own guestfish (passphrase "hatch-luks-key"):
#   /dev/sda1  ext2 LABEL=BOOT    /boot
#   /dev/sda2  LUKS -> PV -> VG vgluks: LV root (ext4, /), LV home (ext4, /home)
# The fstab names /dev/mapper/vgluks-root and /dev/vgluks/home.
# usage: make-guest-luks.sh OUTPUT.img   (GUESTFISH names the guestfish)
set -eu
source "$(dirname "$0")/guest-lib.sh"
guest_start "${1:-}"
mkdir -p "$t/etc" "$t/bin" "$t/usr/lib" "$t/boot" "$t/home"
cat > "$t/usr/lib/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
echo "12.5" > "$t/etc/debian_version"
echo "luks-test" > "$t/etc/hostname"
cp /bin/ls "$t/bin/ls"
cat > "$t/etc/fstab" <<'X'
/dev/mapper/vgluks-root /     ext4 errors=remount-ro 0 1
LABEL=BOOT              /boot ext2 defaults 0 2
/dev/vgluks/home        /home ext4 defaults 0 2
X
echo "luks_sda2 UUID=unused none luks" > "$t/etc/crypttab"
tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .
truncate -s 72M "$tmp/disk.img"
cat > "$tmp/make.gf" <<GF
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 18431
part-add /dev/sda p 18432 -2048
mkfs ext2 /dev/sda1 label:BOOT
luks-format /dev/sda2 0
luks-open /dev/sda2 cr
pvcreate /dev/mapper/cr
vgcreate vgluks /dev/mapper/cr
lvcreate root vgluks 28
lvcreate home vgluks 12
mkfs ext4 /dev/vgluks/root
mkfs ext4 /dev/vgluks/home
mount /dev/vgluks/root /
tar-in $tmp/root.tar /
mount /dev/sda1 /boot
write /boot/vmlinuz-6.1.0-18-amd64 "not a kernel"
mount /dev/vgluks/home /home
mkdir /home/user
umount-all
vg-activate false vgluks
luks-close /dev/mapper/cr
GF
# The script comes from a file: stdin gives the passphrases.
printf 'hatch-luks-key\nhatch-luks-key\n' |
  "$fish" --keys-from-stdin -a "$tmp/disk.img" -f "$tmp/make.gf"
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
