#!/bin/bash
# virt-sparsify on images made here (one guestfish session makes them,
# one checks the results): an ext4 filesystem holding a deleted 15 MB
# file, a swap partition, an LVM volume group whose free extents held
# data, and a LUKS volume opened with --key.  Copying mode (raw in,
# qcow2 out; LUKS) and --in-place (raw and qcow2): the allocated size
# (du, qemu-img's actual size) must drop, every file must keep its
# checksum, the swap its label and UUID.  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-sparsify" ] || { echo "1..0 # SKIP virt-sparsify not built"; exit 77; }
command -v sfdisk > /dev/null && command -v qemu-img > /dev/null ||
  { echo "1..0 # SKIP sfdisk or qemu-img missing"; exit 77; }
w=$tmp/w
mkdir -p "$w"

st "--help" 0 virt-sparsify --help
st "no arguments" 1 virt-sparsify
st "--in-place with --convert" 1 virt-sparsify --in-place --convert qcow2 a.img
err_has "--in-place with --convert message" "cannot be used with"
st "--compress to raw" 1 virt-sparsify --compress --convert raw --format raw /dev/null out.img
err_has "--compress message" "only be used with qcow2"
st "--check-tmpdir bad" 1 virt-sparsify --check-tmpdir maybe a b

S=$w/s.img L=$w/luks.img
truncate -s 64M "$S"
printf 'label: dos\nunit: sectors\n2048,40960,83\n43008,8192,82\n51200,,8e\n' | sfdisk -q "$S"
truncate -s 32M "$L"
printf 'label: dos\nunit: sectors\n2048,,83\n' | sfdisk -q "$L"
# Q (for --in-place on qcow2): no LVM, so it can be checked in the same
# session as the copy (two copies of one volume group would clash).
Q=$w/q.img
truncate -s 40M "$Q"
printf 'label: dos\nunit: sectors\n2048,57344,83\n59392,,82\n' | sfdisk -q "$Q"
head -c 300000 /dev/urandom > "$w/blob"
sum=$(sha256sum < "$w/blob" | cut -d' ' -f1)
cat > "$w/make.gf" <<GF
run
mkfs ext4 /dev/sda1
mount /dev/sda1 /
upload $w/blob /blob
fill 0x41 15000000 /big
sync
rm /big
umount /
mkswap /dev/sda2 label:SW uuid:6c1d1e0a-3b5e-4c2f-9a77-0d7f5f0b1c22
pvcreate /dev/sda3
vgcreate sv /dev/sda3
lvcreate old sv 8
zero-device /dev/sv/old
pwrite-device /dev/sv/old "old data old data" 0
copy-device-to-device /dev/sda1 /dev/sv/old size:8000000
lvremove /dev/sv/old
lvcreate data sv 4
mkfs ext4 /dev/sv/data
mount /dev/sv/data /
upload $w/blob /blob
umount /
luks-format /dev/sdb1 0
luks-open /dev/sdb1 lk
mkfs ext4 /dev/mapper/lk
mount /dev/mapper/lk /
upload $w/blob /blob
fill 0x42 8000000 /big
sync
rm /big
umount /
luks-close /dev/mapper/lk
mkfs ext4 /dev/sdc1
mount /dev/sdc1 /
upload $w/blob /blob
fill 0x43 15000000 /big
sync
rm /big
umount /
mkswap /dev/sdc2 label:QSW
GF
printf 'hatchkey\nhatchkey\n' | "$fish" --keys-from-stdin -a "$S" -a "$L" -a "$Q" -f "$w/make.gf" > "$tmp/out" 2> "$tmp/err" ||
  { echo "Bail out! could not make the source images"; cat "$tmp/err"; exit 1; }
qemu-img convert -O qcow2 "$Q" "$w/q.qcow2"
rm -f "$Q"
cp --sparse=always "$S" "$w/s-inplace.img"
alloc () { du -k "$1" | cut -f1; }
s_alloc=$(alloc "$S")
q_alloc=$(alloc "$w/q.qcow2")

# ---- copying mode -------------------------------------------------------
cp "$S" "$w/s-before.img"
st "copy raw -> qcow2 (--convert qcow2)" 0 virt-sparsify --convert qcow2 --tmp "$w" "$S" "$w/out.qcow2"
out_has "final message" "Sparsify operation completed with no errors"
a=$(alloc "$w/out.qcow2")
if [ "$a" -lt $((s_alloc / 4)) ]; then ok "copy: allocated $s_alloc KiB -> $a KiB"
else notok "copy: allocated $s_alloc KiB -> $a KiB"; fi
cmp -s "$S" "$w/s-before.img" && ok "copy: the input is unchanged" || notok "copy: the input is unchanged"
rm -f "$w/s-before.img"
[ -z "$(ls "$w" | grep '^sparsify-')" ] && ok "copy: the overlay is removed" || notok "copy: the overlay is removed"
if qemu-img info --output=json "$w/out.qcow2" | grep -q '"format": "qcow2"'; then ok "copy: qcow2 output"
else notok "copy: qcow2 output"; fi
st "copy LUKS with --key" 0 virt-sparsify --key /dev/sda1:key:hatchkey "$L" "$w/luks-out.img"

# ---- in place -------------------------------------------------------------
st "--in-place raw" 0 virt-sparsify --in-place "$w/s-inplace.img"
a=$(alloc "$w/s-inplace.img")
if [ "$a" -lt $((s_alloc / 4)) ]; then ok "in place raw: allocated $s_alloc KiB -> $a KiB"
else notok "in place raw: allocated $s_alloc KiB -> $a KiB"; fi
st "--in-place qcow2" 0 virt-sparsify --in-place "$w/q.qcow2"
a=$(alloc "$w/q.qcow2")
if [ "$a" -lt $((q_alloc / 2)) ]; then ok "in place qcow2: allocated $q_alloc KiB -> $a KiB"
else notok "in place qcow2: allocated $q_alloc KiB -> $a KiB"; fi

# ---- contents ---------------------------------------------------------------
cat > "$w/check.gf" <<'GF'
run
mount-ro /dev/sda1 /
checksum sha256 /blob
umount /
vfs-label /dev/sda2
vfs-uuid /dev/sda2
mount-ro /dev/sv/data /
checksum sha256 /blob
umount /
mount-ro /dev/sdb1 /
checksum sha256 /blob
umount /
vfs-label /dev/sdb2
luks-open /dev/sdc1 lk
mount-ro /dev/mapper/lk /
checksum sha256 /blob
GF
printf 'hatchkey\n' | "$fish" --ro --keys-from-stdin -a "$w/out.qcow2" -a "$w/q.qcow2" \
  -a "$w/luks-out.img" -f "$w/check.gf" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && [ "$(grep -c "^$sum\$" "$tmp/out")" = 4 ]; then ok "every file keeps its contents (copy, in place qcow2, LUKS)"
else notok "every file keeps its contents (copy, in place qcow2, LUKS)"; fi
if [ "$(grep -vx "$sum" "$tmp/out" | tr '\n' ' ')" = "SW 6c1d1e0a-3b5e-4c2f-9a77-0d7f5f0b1c22 QSW " ]
then ok "swap labels and UUID kept"; else notok "swap labels and UUID kept"; fi
# The in-place raw copy has the same volume group as the copy: its own session.
cat > "$w/check2.gf" <<'GF'
run
mount-ro /dev/sda1 /
checksum sha256 /blob
umount /
mount-ro /dev/sv/data /
checksum sha256 /blob
umount /
vfs-uuid /dev/sda2
GF
"$fish" --ro -a "$w/s-inplace.img" -f "$w/check2.gf" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && [ "$(grep -c "^$sum\$" "$tmp/out")" = 2 ] &&
   [ "$(tail -1 "$tmp/out")" = 6c1d1e0a-3b5e-4c2f-9a77-0d7f5f0b1c22 ]
then ok "in place raw: contents, LV and swap UUID kept"; else notok "in place raw: contents, LV and swap UUID kept"; fi
finish
