#!/bin/bash
# Partitions, filesystems and mounts through guestfish, checking the
# printed output formats (part-list structs, hashes, hex MBR ids) and the
# layouts libguestfs makes (checked against libguestfs 1.48 on a 1 GiB
# disk: part-disk starts at sector 128 and ends 128 sectors before the end).
# One appliance launch.  Prints TAP; exits 0, 1, or 77 (no guestfish).
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi

tmp=$(mktemp -d /tmp/storage-fish-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 1G "$tmp/a.img"
truncate -s 100M "$tmp/b.img"

cat > "$tmp/script" <<'EOF'
run
echo == part-disk mbr
part-disk /dev/sda mbr
part-list /dev/sda
part-get-parttype /dev/sda
part-get-mbr-id /dev/sda 1
echo == mkfs and mounts
mkfs ext4 /dev/sda1 label:ROOT
mkfs vfat /dev/sdb label:DATA
mount /dev/sda1 /
mkdir /data
mount /dev/sdb /data
mounts
mountpoints
list-filesystems
vfs-label /dev/sdb
-umount /
umount-all
mounts
echo == logical partitions
part-init /dev/sda mbr
part-add /dev/sda p 2048 4095
part-add /dev/sda e 4096 -2048
part-add /dev/sda l 8192 16383
list-partitions
part-set-mbr-id /dev/sda 1 0x7
part-get-mbr-id /dev/sda 1
part-set-bootable /dev/sda 1 true
part-get-bootable /dev/sda 1
echo == gpt
part-disk /dev/sda gpt
part-list /dev/sda
part-set-name /dev/sda 1 "a b"
EOF

"$fish" -a "$tmp/a.img" -a "$tmp/b.img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?

cat > "$tmp/expected" <<'EOF'
== part-disk mbr
[0] = {
  part_num: 1
  part_start: 65536
  part_end: 1073676799
  part_size: 1073611264
}
msdos
0x83
== mkfs and mounts
/dev/sda1
/dev/sdb
/dev/sda1: /
/dev/sdb: /data
/dev/sdb: vfat
/dev/sda1: ext4
DATA
== logical partitions
/dev/sda1
/dev/sda2
/dev/sda5
0x7
true
== gpt
[0] = {
  part_num: 1
  part_start: 65536
  part_end: 1073676799
  part_size: 1073611264
}
EOF

echo "1..2"
if [ $rc = 0 ] && diff -u "$tmp/expected" "$tmp/out" > "$tmp/diff"; then
  echo "ok 1 - guestfish storage script output"
else
  echo "not ok 1 - guestfish storage script output (exit status $rc)"
  sed 's/^/# /' "$tmp/diff" "$tmp/err"
fi
# The one expected error: "/" is busy while /data is mounted under it.
if grep -q "umount: /: target is busy" "$tmp/err"; then
  echo "ok 2 - umount of a busy mountpoint says why"
else
  echo "not ok 2 - umount of a busy mountpoint says why"
  sed 's/^/# /' "$tmp/err"
fi
[ $rc = 0 ] && [ ! -s "$tmp/diff" ] && grep -q "target is busy" "$tmp/err"
