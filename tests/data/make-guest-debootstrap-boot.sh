#!/bin/bash
# A bootable Debian 12 guest that looks as if it came from Xen or VMware,
# for the virt-v2v boot test: debootstrap --variant=minbase bookworm from
# deb.debian.org with a kernel (linux-image-amd64), GRUB (grub-pc-bin,
# installed in the MBR from inside the appliance by our guestfish: the
# host never runs the guest's boot loader installer on its own devices)
# and systemd, then made "foreign":
#   - /etc/fstab and grub.cfg name /dev/sda1, the kernel line has
#     console=hvc0 (Xen's console);
#   - the initramfs is built with MODULES=list from xen-blkfront, ata_piix,
#     sd_mod and ext4 only: no virtio driver, so the guest cannot find its
#     root on a virtio disk until virt-v2v adds them;
#   - hatch-marker.service (multi-user.target) writes
#     "HATCH-BOOTED root=<root device> modules=<virtio modules loaded>" on
#     the first serial port once userspace runs.
# Output:
#   DIR/disk.img    raw, MBR, /dev/sda1 ext4 LABEL=debboot, GRUB in the MBR
#   DIR/kernel.txt  the kernel version installed
#   DIR/recipe.sha256  the hash of the recipe below that built them
# usage: make-guest-debootstrap-boot.sh DIR   (GUESTFISH names our guestfish)
# Exits 77 (skip) when it cannot run here (not root, no debootstrap, no
# mirror).  Rebuilt only when the recipe (the lines after "---- recipe")
# differs from the one that built the cached image: the image is shared
# by every work tree, whose checkouts give this script a new mtime.
# Takes a few minutes (downloads about 100 MB; the kernel's initramfs is
# built once, with MODULES=list).
set -eu
dir=${1:?usage: make-guest-debootstrap-boot.sh DIR}
fish=${GUESTFISH:?set GUESTFISH to our guestfish}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
source "$(dirname "$0")/guest-lib.sh"
recipe=$(guest_recipe "$0")
if [ -s "$dir/disk.img" ] && [ -s "$dir/kernel.txt" ] &&
   [ "$(cat "$dir/recipe.sha256" 2> /dev/null)" = "$recipe" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "$0: debootstrap needs root to build the image" >&2; exit 77
fi
command -v debootstrap > /dev/null || { echo "$0: debootstrap is not installed" >&2; exit 77; }
if ! python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/dists/bookworm/Release", timeout=15).read(64)' "$mirror" 2> /dev/null; then
  echo "$0: the Debian mirror $mirror is unreachable" >&2; exit 77
fi

# ---- recipe (its hash, in DIR/recipe.sha256, says which image is cached)
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/build-XXXXXX")
trap 'umount "$tmp/root/proc" 2> /dev/null || true; rm -rf "$tmp"' EXIT
t=$tmp/root
# The kernel comes after the initramfs configuration, so that its
# initramfs is built once, the foreign way (MODULES=list from a Xen/VMware
# guest's own disk drivers, no virtio).
debootstrap --variant=minbase \
  --include=grub-pc-bin,grub2-common,initramfs-tools,systemd-sysv,udev,kmod,zstd \
  bookworm "$t" "$mirror" > "$tmp/debootstrap.log" 2>&1 ||
  { tail -20 "$tmp/debootstrap.log" >&2; echo "$0: debootstrap failed" >&2; exit 1; }
sed -i 's/^MODULES=.*/MODULES=list/' "$t/etc/initramfs-tools/initramfs.conf"
printf 'xen-blkfront\nata_piix\nsd_mod\next4\n' > "$t/etc/initramfs-tools/modules"
mount -t proc proc "$t/proc"
if ! chroot "$t" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
     linux-image-amd64 > "$tmp/kernel.log" 2>&1; then
  tail -20 "$tmp/kernel.log" >&2; echo "$0: installing the kernel failed" >&2; exit 1
fi
umount "$t/proc"
kver=$(ls "$t/lib/modules" | head -1)
[ -n "$kver" ] && [ -s "$t/boot/vmlinuz-$kver" ] && [ -s "$t/boot/initrd.img-$kver" ] ||
  { echo "$0: no kernel or initramfs was installed" >&2; exit 1; }
if chroot "$t" lsinitramfs "/boot/initrd.img-$kver" | grep -q 'virtio_blk'; then
  echo "$0: the source initramfs has virtio_blk (MODULES=list not honoured)" >&2; exit 1
fi

echo "debboot" > "$t/etc/hostname"
printf '/dev/sda1 / ext4 errors=remount-ro 0 1\n' > "$t/etc/fstab"
echo 'root:x' | chroot "$t" chpasswd

mkdir -p "$t/boot/grub"
cat > "$t/boot/grub/grub.cfg" <<G
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Debian GNU/Linux" {
  insmod part_msdos
  insmod ext2
  set root=(hd0,msdos1)
  linux /boot/vmlinuz-$kver root=/dev/sda1 ro console=hvc0
  initrd /boot/initrd.img-$kver
}
G
cat > "$t/etc/systemd/system/hatch-marker.service" <<'U'
[Unit]
Description=Tell the test on the serial port that userspace runs
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "HATCH-BOOTED root=$(findmnt -n -o SOURCE /) modules=$(grep -o "^virtio[a-z_]*" /proc/modules | sort | tr "\\n" ,)" > /dev/ttyS0'

[Install]
WantedBy=multi-user.target
U
ln -s /etc/systemd/system/hatch-marker.service "$t/etc/systemd/system/multi-user.target.wants/hatch-marker.service"
rm -rf "$t"/var/cache/apt/archives/*.deb "$t"/var/lib/apt/lists/* \
  "$t"/usr/share/doc/* "$t"/usr/share/man/* "$t"/usr/share/locale/* "$t"/usr/share/info/*

kib=$(du -sk "$t" | cut -f1)
mib=$(( kib * 5 / 4 / 1024 + 64 ))
truncate -s $(( mib + 2 ))M "$tmp/disk.img"
echo 'start=2048, type=83, bootable' | sfdisk -q "$tmp/disk.img"
mke2fs -q -t ext4 -L debboot -E offset=1048576 -d "$t" "$tmp/disk.img" "${mib}M"
# GRUB into the MBR and the gap before the partition, from the guest's own
# grub-pc-bin, run inside the appliance (the disk is /dev/sda there).
"$fish" --format=raw -a "$tmp/disk.img" -m /dev/sda1 \
  command "grub-install --target=i386-pc --boot-directory=/boot /dev/sda" > "$tmp/grub.log" 2>&1 ||
  { cat "$tmp/grub.log" >&2; echo "$0: grub-install failed" >&2; exit 1; }
echo "$kver" > "$dir/kernel.txt"
mv "$tmp/disk.img" "$dir/disk.img"
echo "$recipe" > "$dir/recipe.sha256"
