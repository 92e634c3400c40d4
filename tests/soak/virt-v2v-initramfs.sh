#!/bin/bash
# virt-v2v really rebuilds a Linux guest's initramfs with the virtio
# drivers: the bootable Debian 12 guest of
# tests/data/make-guest-debootstrap-boot.sh (a real kernel, initramfs-tools
# with MODULES=list and no virtio driver in its initramfs, fstab and GRUB
# on /dev/sda1) is converted --in-place on a copy (no output copy: this
# test is about the guest's changes), then one read-only guestfish
# session runs lsinitramfs inside the guest: virtio_blk and virtio_pci
# are in the new initramfs, and the initramfs file is newer than the
# conversion's start.  (Booting the converted guest takes minutes under
# TCG: tests/soak/virt-v2v-boot.sh.)  Two appliance launches.  TAP.
source "$(dirname "$0")/../shell/tools-lib.bash"
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
need_boot_guest make-guest-debootstrap-boot.sh
export TMPDIR=$tmp LIBGUESTFS_CACHEDIR=$tmp
img=$tmp/deb.img
cp --sparse=always "$bootdir/disk.img" "$img"

start=$(date +%s)
"$v2v" --in-place -i disk "$img" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q "Rebuilding the initramfs with the virtio drivers" "$tmp/out"; then
  ok "virt-v2v --in-place on the bootable guest ($(( $(date +%s) - start )) s)"
else notok "virt-v2v --in-place on the bootable guest"; finish; fi

"$fish" --ro --format=raw -a "$img" -i > "$tmp/insp" 2> "$tmp/err" <<GF
cat /etc/fstab
cat /boot/grub/grub.cfg
echo ----
sh "lsinitramfs /boot/initrd.img-$kver | grep /virtio | xargs -n1 basename | sort -u"
echo ----
stat /boot/initrd.img-$kver
GF
cp "$tmp/insp" "$tmp/out"
if grep -q '^/dev/vda1 / ext4' "$tmp/insp" && grep -q "root=/dev/vda1 ro console=ttyS0" "$tmp/insp"; then
  ok "fstab and grub.cfg name /dev/vda1, console=ttyS0"; else notok "fstab and grub.cfg name /dev/vda1, console=ttyS0"; fi
mods=$(sed -n '/^----$/,/^----$/p' "$tmp/insp")
if grep -q '^virtio_blk\.ko' <<< "$mods" && grep -q '^virtio_pci\.ko' <<< "$mods"; then
  ok "lsinitramfs: virtio_blk and virtio_pci are in the initramfs"
else notok "lsinitramfs: virtio_blk and virtio_pci are in the initramfs"; fi
mtime=$(sed -n 's/^mtime: //p' "$tmp/insp")
if [ -n "$mtime" ] && [ "$mtime" -ge "$start" ]; then ok "the initramfs was rewritten by the conversion (update-initramfs ran)"
else notok "the initramfs was rewritten by the conversion (update-initramfs ran)"; fi
finish
