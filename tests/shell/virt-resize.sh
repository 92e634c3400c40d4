#!/bin/bash
# virt-resize on real images made here (one guestfish session makes all
# the sources, one checks all the targets):
#   A  MBR: ext4 (bootable), swap, extended with btrfs and an LVM PV
#      (vg/lv ext4) as logical partitions -> bigger raw target:
#      --expand of a logical PV, --lv-expand, --resize of ext4, btrfs, swap
#   B  GPT: BIOS boot (attributes, name, GUID), xfs, ntfs, ext4 -> bigger
#      qcow2 target: --expand xfs, --resize ntfs; GUIDs, types, names,
#      attributes kept, the backup GPT at the new end
#   C  MBR: two ext4, the second already shrunk -> smaller target with
#      --shrink; --shrink refused (with the reason, target untouched) when
#      the content is too big; --delete renumbers; --dry-run writes nothing
# The debootstrap Debian guest case is tests/soak/virt-resize-debootstrap.sh.
# Partition tables were compared by hand with Debian's virt-resize 1.48
# (see virt-resize(1), NOTES for the differences kept).  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-resize" ] || { echo "1..0 # SKIP virt-resize not built"; exit 77; }
command -v sfdisk > /dev/null && command -v qemu-img > /dev/null ||
  { echo "1..0 # SKIP sfdisk or qemu-img missing"; exit 77; }
w=$tmp/w
mkdir -p "$w"
MiB=1048576

# ---- no appliance ------------------------------------------------------
st "--help" 0 virt-resize --help
out_has "--help lists --lv-expand" "--lv-expand"
st "unknown option" 1 virt-resize --no-such-option
st "one argument" 1 virt-resize a.img
err_has "usage message" "virt-resize: error: usage is"
st "--expand with --shrink" 1 virt-resize --expand /dev/sda1 --shrink /dev/sda2 a b
err_has "--expand with --shrink message" "cannot use options --expand and --shrink together"
st "--alignment 0" 1 virt-resize --alignment 0 a b
st "--unknown-filesystems bad" 1 virt-resize --unknown-filesystems maybe a b
t "--short-options" 0 "$(printf -- '-d\n-n\n-q\n-v\n-V\n-x')" virt-resize --short-options
"$tools/virt-resize" --long-options > "$tmp/out" 2> "$tmp/err"
if grep -qx -- --lv-expand "$tmp/out" && grep -qx -- --resize-force "$tmp/out" &&
   grep -qx -- --machine-readable "$tmp/out"; then ok "--long-options"; else notok "--long-options"; fi

# ---- the source images ---------------------------------------------------
A=$w/a.img B=$w/b.img C=$w/c.img
truncate -s 168M "$A"
printf 'label: dos\nunit: sectors\n2048,20480,83,*\n22528,8192,82\n30720,,5\n32768,262144,83\n296960,32768,8e\n' |
  sfdisk -q "$A"
truncate -s 400M "$B"
printf '%s\n' 'label: gpt' 'unit: sectors' \
  'start=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649, uuid=11111111-2222-3333-4444-555555555555, name="bios", attrs="LegacyBIOSBootable"' \
  'start=4096, size=614400, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=22222222-2222-3333-4444-555555555555, name="data"' \
  'start=618496, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=33333333-2222-3333-4444-555555555555, name="win"' \
  'start=684032, size=32768, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=44444444-2222-3333-4444-555555555555, name="root", attrs="60"' |
  sfdisk -q "$B"
truncate -s 64M "$C"
printf 'label: dos\nunit: sectors\n2048,32768,83\n34816,,83\n' | sfdisk -q "$C"
head -c 300000 /dev/urandom > "$w/blob"
"$fish" -a "$A" -a "$B" -a "$C" > "$tmp/out" 2> "$tmp/err" <<GF
run
mkfs ext4 /dev/sda1 label:ROOT
mount /dev/sda1 /
upload $w/blob /blob
umount /
mkswap /dev/sda2 label:SWP uuid:0e4e5a3b-1c1a-4e57-9d1c-3f4b0c7e9a11
mkfs btrfs /dev/sda5 label:BT
mount /dev/sda5 /
upload $w/blob /blob
umount /
pvcreate /dev/sda6
vgcreate vg /dev/sda6
lvcreate lv vg 8
mkfs ext4 /dev/vg/lv label:LVROOT
mount /dev/vg/lv /
upload $w/blob /blob
umount /
mkfs xfs /dev/sdb2 label:XDATA
mount /dev/sdb2 /
upload $w/blob /blob
umount /
mkfs ntfs /dev/sdb3 label:WIN
mount /dev/sdb3 /
upload $w/blob /blob
umount /
mkfs ext4 /dev/sdb4
pwrite-device /dev/sdb1 "bios boot area" 0
mkfs ext4 /dev/sdc1 label:ONE
mount /dev/sdc1 /
upload $w/blob /blob
umount /
mkfs ext4 /dev/sdc2 label:TWO
mount /dev/sdc2 /
upload $w/blob /blob
umount /
e2fsck-f /dev/sdc2
resize2fs-size /dev/sdc2 20971520
pwrite-device /dev/sdc "\xb0\x07\x0a\xde" 300
pwrite-device /dev/sdc "grub core 1" 1024
GF
if [ $? != 0 ]; then
  echo "Bail out! could not make the source images"; cat "$tmp/err"; exit 1
fi
sum=$(sha256sum < "$w/blob" | cut -d' ' -f1)
sfdisk -d "$A" | sed -n 's/.*: //p' > "$w/a.parts"

# ---- A: MBR with logical partitions, LVM ---------------------------------
parts() { sfdisk -d "$1" 2>&1 | grep 'start=' | sed 's/.*: //'; }
truncate -s 360M "$w/a-out.img"
st "A: expand a logical PV, --lv-expand, resize ext4/btrfs/swap" 0 virt-resize -v \
  --expand /dev/sda6 --lv-expand /dev/vg/lv --resize /dev/sda1=+2M \
  --resize /dev/sda5=260M --resize /dev/sda2=8M "$A" "$w/a-out.img"
out_has "A: summary" "^Summary of changes:"
out_has "A: summary line of the swap" "/dev/sda2: This partition will be resized from 4.0M to 8.0M.  The swap on /dev/sda2 will be expanded using the ‘mkswap’ method."
out_has "A: summary line of the PV" "/dev/sda6: This partition will be resized from 16.0M to 78.9M.  The LVM PV on /dev/sda6 will be expanded using the ‘pvresize’ method."
out_has "A: summary line of the LV" "/dev/vg/lv: This logical volume will be expanded to maximum size"
out_has "A: final message" "Resize operation completed with no errors"
# Only what the source's allocation map says holds data is copied (the
# contents are compared below): the 260M btrfs partition is mostly holes.
held=$(sed -n 's|^virt-resize: /dev/sda5: \([0-9]*\) of \([0-9]*\) bytes hold data$|\1 \2|p' "$tmp/err")
if grep -q "^virt-resize: allocation map of .*: [1-9][0-9]* extents$" "$tmp/err" && [ -n "$held" ] &&
   [ "${held% *}" -lt $(( ${held#* } / 4 )) ]; then ok "A: only the allocated extents are copied ($held)"
else echo "# $held"; notok "A: only the allocated extents are copied"; fi
# The extended partition keeps the source's type and grows around its
# logical partitions; each logical one starts one alignment step after
# the previous end (room for its EBR); the expanded PV ends the disk.
want_a='start=        2048, size=       24576, type=83, bootable
start=       26624, size=       16384, type=82
start=       43008, size=      694272, type=5
start=       43136, size=      532480, type=83
start=      575744, size=      161536, type=8e'
if [ "$(parts "$w/a-out.img")" = "$want_a" ]; then ok "A: partition table"
else parts "$w/a-out.img" | sed 's/^/# /'; notok "A: partition table"; fi

# ---- B: GPT to a qcow2 target ---------------------------------------------
qemu-img create -q -f qcow2 "$w/b-out.qcow2" 512M
st "B: GPT, expand xfs, resize ntfs, qcow2 output" 0 virt-resize \
  --expand /dev/sda2 --resize /dev/sda3=+8M "$B" "$w/b-out.qcow2"
if [ "$(qemu-img info --output=json "$w/b-out.qcow2" | sed -n 's/.*"format": "\(.*\)".*/\1/p' | head -1)" = qcow2 ]
then ok "B: the target is still qcow2"; else notok "B: the target is still qcow2"; fi
qemu-img convert -O raw "$w/b-out.qcow2" "$w/b-out.raw"
sfdisk -d "$w/b-out.raw" > "$w/b-out.sfdisk" 2>&1
# Everything but the sizes and starts as in the source; 512 MiB has
# 1048542 as its last usable sector, and the expanded partition takes
# the spare space in whole alignment steps.
want_b='start=        2048, size=        2048, type=21686148-6449-6E6F-744E-656564454649, uuid=11111111-2222-3333-4444-555555555555, name="bios", attrs="LegacyBIOSBootable"
start=        4096, size=      929664, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=22222222-2222-3333-4444-555555555555, name="data"
start=      933760, size=       81920, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=33333333-2222-3333-4444-555555555555, name="win"
start=     1015680, size=       32768, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=44444444-2222-3333-4444-555555555555, name="root", attrs="GUID:60"'
if [ "$(parts "$w/b-out.raw")" = "$want_b" ]; then ok "B: GPT entries (types, GUIDs, names, attributes)"
else echo "# got:"; sed 's/^/#   /' "$w/b-out.sfdisk"; notok "B: GPT entries (types, GUIDs, names, attributes)"; fi
if [ "$(sfdisk -d "$B" | sed -n 's/^label-id: //p')" = "$(sed -n 's/^label-id: //p' "$w/b-out.sfdisk")" ] &&
   [ "$(sed -n 's/^last-lba: //p' "$w/b-out.sfdisk")" = $((512 * 2048 - 34)) ] &&
   [ "$(dd if="$w/b-out.raw" bs=512 skip=$((512 * 2048 - 1)) count=1 2>/dev/null | head -c 8)" = "EFI PART" ]
then ok "B: disk GUID kept, backup GPT at the new end"
else notok "B: disk GUID kept, backup GPT at the new end"; fi
rm -f "$w/b-out.raw"

# ---- C: shrink, refusals, delete, dry run -------------------------------
truncate -s 48M "$w/c-out.img"
st "C: --shrink of an already shrunk ext4" 0 virt-resize --shrink /dev/sda2 "$C" "$w/c-out.img"
out_has "C: --shrink summary" "/dev/sda2: This partition will be resized from 47.0M to 31.0M."
if [ "$(parts "$w/c-out.img")" = 'start=        2048, size=       32768, type=83
start=       34816, size=       63488, type=83' ]; then ok "C: shrunk partition table"
else parts "$w/c-out.img" | sed 's/^/# /'; notok "C: shrunk partition table"; fi
if [ "$(dd if="$w/c-out.img" bs=1 skip=300 count=4 2>/dev/null | od -An -tx1 | tr -d ' ')" = b0070ade ] &&
   [ "$(dd if="$w/c-out.img" bs=1 skip=1024 count=11 2>/dev/null)" = "grub core 1" ] &&
   [ "$(dd if="$w/c-out.img" bs=1 skip=440 count=4 2>/dev/null | od -An -tx1)" = \
     "$(dd if="$C" bs=1 skip=440 count=4 2>/dev/null | od -An -tx1)" ]
then ok "C: boot loader area and disk signature copied"; else notok "C: boot loader area and disk signature copied"; fi
truncate -s 56M "$w/c-refused.img"
st "C: --shrink refused when the content is too big" 1 virt-resize --shrink /dev/sda1 "$C" "$w/c-refused.img"
err_has "C: the reason" "smaller than its content"
if [ "$(tr -d '\0' < "$w/c-refused.img" | wc -c)" = 0 ]; then ok "C: refused target untouched"
else notok "C: refused target untouched"; fi
st "C: --resize below the content refused" 1 virt-resize --resize /dev/sda2=10M "$C" "$w/c-refused.img"
err_has "C: --resize reason" "smaller than the content"
st "C: too small without --shrink" 1 virt-resize "$C" "$w/c-refused.img"
err_has "C: too small reason" "too small for the partitions"
st "C: unknown partition" 1 virt-resize --expand /dev/sda9 "$C" "$w/c-refused.img"
err_has "C: unknown partition message" "/dev/sda9: partition not found in the source disk image"
truncate -s 64M "$w/c-del.img"
st "C: --delete" 0 virt-resize --delete /dev/sda1 "$C" "$w/c-del.img"
out_has "C: --delete summary" "/dev/sda1: This partition will be deleted."
out_has "C: extra partition" "There is a surplus of 16.0M.  An extra partition will be created for the surplus."
if [ "$(parts "$w/c-del.img")" = 'start=        2048, size=       96256, type=83
start=       98304, size=       32768, type=83' ]; then ok "C: --delete partition table"
else parts "$w/c-del.img" | sed 's/^/# /'; notok "C: --delete partition table"; fi
truncate -s 96M "$w/c-dry.img"
st "C: --dry-run" 0 virt-resize --dry-run --expand /dev/sda2 "$C" "$w/c-dry.img"
out_has "C: --dry-run summary" "/dev/sda2: This partition will be resized from 47.0M to 79.0M.  The filesystem ext4 on /dev/sda2 will be expanded using the ‘resize2fs’ method."
out_has "C: --dry-run message" "Dry run mode: no changes have been made"
if [ "$(tr -d '\0' < "$w/c-dry.img" | wc -c)" = 0 ]; then ok "C: --dry-run target untouched"
else notok "C: --dry-run target untouched"; fi

# ---- check every target in one session ------------------------------------
"$fish" --ro -a "$w/a-out.img" -a "$w/b-out.qcow2" -a "$w/c-out.img" -a "$w/c-del.img" \
  > "$tmp/out" 2> "$tmp/err" <<'GF'
run
echo @labels
vfs-label /dev/sda1
vfs-label /dev/sda2
vfs-uuid /dev/sda2
vfs-label /dev/sda5
vfs-label /dev/vg/lv
echo @swapsize
blockdev-getsize64 /dev/sda2
echo @lvsize
blockdev-getsize64 /dev/vg/lv
echo @a1
tune2fs-l /dev/sda1 | grep -e "^Block count:"
echo @lvfs
tune2fs-l /dev/vg/lv | grep -e "^Block count:"
mount-ro /dev/sda1 /
checksum sha256 /blob
umount /
mount-ro /dev/sda5 /
checksum sha256 /blob
echo @btrfs
statvfs / | grep -e ^blocks: -e ^bsize:
umount /
mount-ro /dev/vg/lv /
checksum sha256 /blob
umount /
echo @bios
pread-device /dev/sdb1 14 0
echo
mount-ro /dev/sdb2 /
checksum sha256 /blob
echo @xfs
xfs-info / | grep -e ^xfs_datablocks -e ^xfs_blocksize
umount /
mount-ro /dev/sdb3 /
checksum sha256 /blob
echo @ntfs
statvfs / | grep -e ^blocks: -e ^bsize:
umount /
mount-ro /dev/sdc1 /
checksum sha256 /blob
umount /
mount-ro /dev/sdc2 /
checksum sha256 /blob
umount /
echo @del
vfs-label /dev/sdd1
mount-ro /dev/sdd1 /
checksum sha256 /blob
GF
rc=$?
cp "$tmp/out" "$w/check.out"
if [ $rc = 0 ]; then ok "targets open and mount"; else notok "targets open and mount"; fi
# after KEY: the lines after the marker @KEY up to the next marker
after() { awk -v k="@$1" '$0==k{f=1;next} /^@/{f=0} f' "$w/check.out"; }
# bytes of "blocks:/bsize:" or "xfs_datablocks:/xfs_blocksize:" pairs
bytes() { after "$1" | awk '{v[$1]=$2} END{printf "%d", (v["blocks:"] v["xfs_datablocks:"]) * (v["bsize:"] v["xfs_blocksize:"])}'; }
sums=$(grep -c "^$sum\$" "$w/check.out")
if [ "$sums" = 8 ]; then ok "file contents identical on every copied filesystem"
else notok "file contents identical on every copied filesystem ($sums of 8)"; fi
if [ "$(after labels | tr '\n' ' ')" = "ROOT SWP 0e4e5a3b-1c1a-4e57-9d1c-3f4b0c7e9a11 BT LVROOT " ]
then ok "A: labels, swap label and UUID kept"; else notok "A: labels, swap label and UUID kept"; fi
[ "$(after swapsize)" = $((8 * MiB)) ] && ok "A: swap partition 8M" || notok "A: swap partition 8M"
lv=$(after lvsize)
[ "$lv" -gt $((30 * MiB)) ] && ok "A: the LV grew to fill the PV ($lv)" || notok "A: the LV grew to fill the PV ($lv)"
# ext4 made with 1 KiB blocks: the block count is the size in KiB.
[ "$(after a1 | awk '{print $3}')" = 12288 ] && ok "A: ext4 grew to its 12M partition" ||
  notok "A: ext4 grew to its 12M partition"
[ "$(after lvfs | grep "^Block count:" | awk '{printf "%d", $3 * 1024}')" = "$lv" ] && ok "A: ext4 on the LV grew with it" ||
  notok "A: ext4 on the LV grew with it"
bt=$(bytes btrfs)
[ "$bt" -gt $((250 * MiB)) ] && ok "A: btrfs grew ($bt)" || notok "A: btrfs grew ($bt)"
[ "$(after bios | head -1)" = "bios boot area" ] && ok "B: BIOS boot partition copied" ||
  notok "B: BIOS boot partition copied"
xb=$(bytes xfs)
[ "$xb" -gt $((440 * MiB)) ] && ok "B: xfs grew ($xb)" || notok "B: xfs grew ($xb)"
nb=$(bytes ntfs)
[ "$nb" -gt $((36 * MiB)) ] && ok "B: ntfs grew ($nb)" || notok "B: ntfs grew ($nb)"
[ "$(after del | head -1)" = TWO ] && ok "C: --delete: the second partition is now the first" ||
  notok "C: --delete: the second partition is now the first"

# ---- remote disks (virt-resize(1): "both can be ... a URI") ---------------
# C served read-only by qemu-nbd on a Unix socket, resized into a
# writable NBD export of a 96M file; the target's size comes from the
# appliance, and the copied and grown filesystem is read back.
if command -v qemu-nbd > /dev/null; then
  truncate -s 96M "$w/r-out.img"
  qemu-nbd -t -r -f raw -k "$w/src.sock" "$C" 2> "$w/nbd-src.log" & src_pid=$!
  qemu-nbd -t -f raw -k "$w/dst.sock" "$w/r-out.img" 2> "$w/nbd-dst.log" & dst_pid=$!
  for _ in $(seq 50); do [ -S "$w/src.sock" ] && [ -S "$w/dst.sock" ] && break; sleep 0.1; done
  st "remote: nbd source and nbd target" 0 virt-resize --expand /dev/sda2 \
    "nbd://?socket=$w/src.sock" "nbd://?socket=$w/dst.sock"
  out_has "remote: the summary names the target's size" "/dev/sda2: This partition will be resized from 47.0M to 79.0M"
  st "remote: --dry-run" 0 virt-resize -n --expand /dev/sda2 "nbd://?socket=$w/src.sock" "$w/r-out.img"
  kill "$src_pid" "$dst_pid" 2> /dev/null; wait "$src_pid" "$dst_pid" 2> /dev/null
  "$fish" --ro --format=raw -a "$w/r-out.img" run : part-list /dev/sda : \
    mount-ro /dev/sda2 / : checksum sha256 /blob : vfs-label /dev/sda2 > "$tmp/out" 2> "$tmp/err"
  if grep -q "^  part_size: $((79 * MiB))\$" "$tmp/out" && grep -qx "$sum" "$tmp/out" &&
     grep -qx TWO "$tmp/out"; then ok "remote: the target holds the expanded partition and its files"
  else notok "remote: the target holds the expanded partition and its files"; fi
else
  skip "remote: qemu-nbd is not installed"
fi
st "remote: a bad URI" 1 virt-resize "$C" "nbd://"
err_has "remote: the bad URI's message" "virt-resize: nbd://: the host name is missing"

# ---- --machine-readable -----------------------------------------------------
"$tools/virt-resize" --machine-readable < /dev/null > "$tmp/out" 2> "$tmp/err"
if [ "$(head -6 "$tmp/out")" = "$(printf '%s\n' virt-resize ntfsresize-force 32bitok 128-sector-alignment alignment align-first)" ] &&
   grep -qx xfs "$tmp/out" && grep -qx btrfs "$tmp/out"; then ok "--machine-readable capabilities"
else notok "--machine-readable capabilities"; fi

finish
