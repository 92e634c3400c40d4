#!/bin/bash
# btrfs through guestfish: subvolumes as "btrfsvol:" mountables in
# list-filesystems and mount, and the printed formats of the btrfs structs
# and hashes (checked by hand against Debian's libguestfs 1.48 guestfish).
# One appliance launch.  Prints TAP; exits 0, 1, or 77 (no guestfish).
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi

tmp=$(mktemp -d /tmp/btrfs-fish-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 256M "$tmp/a.img"

cat > "$tmp/script" <<'EOF'
run
part-disk /dev/sda mbr
mkfs-btrfs /dev/sda1 label:BT
mount /dev/sda1 /
btrfs-subvolume-create /sub
btrfs-subvolume-create /sub/nested
btrfs-subvolume-snapshot /sub /snap ro:true
write /sub/hello "hi"
btrfs-subvolume-list /
btrfs-subvolume-get-default /
btrfs-filesystem-show /dev/sda1
btrfs-balance-status /
btrfs-quota-enable / true
btrfs-qgroup-create 1/100 /
btrfs-qgroup-show /
mountable-device btrfsvol:/dev/sda1/sub/nested
mountable-subvolume btrfsvol:/dev/sda1/sub/nested
list-filesystems
umount-all
mount btrfsvol:/dev/sda1/sub /
cat /hello
vfs-label btrfsvol:/dev/sda1/sub
EOF

"$fish" -a "$tmp/a.img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?

cat > "$tmp/expected" <<'EOF'
[0] = {
  btrfssubvolume_id: 256
  btrfssubvolume_top_level_id: 5
  btrfssubvolume_path: sub
}
[1] = {
  btrfssubvolume_id: 257
  btrfssubvolume_top_level_id: 256
  btrfssubvolume_path: sub/nested
}
[2] = {
  btrfssubvolume_id: 258
  btrfssubvolume_top_level_id: 5
  btrfssubvolume_path: snap
}
5
/dev/sda1
btrfsbalance_status: none
btrfsbalance_total: 0
btrfsbalance_balanced: 0
btrfsbalance_considered: 0
btrfsbalance_left: 0
[0] = {
  btrfsqgroup_id: 0/5
  btrfsqgroup_rfer: 16384
  btrfsqgroup_excl: 16384
}
[1] = {
  btrfsqgroup_id: 0/256
  btrfsqgroup_rfer: 16384
  btrfsqgroup_excl: 16384
}
[2] = {
  btrfsqgroup_id: 0/257
  btrfsqgroup_rfer: 16384
  btrfsqgroup_excl: 16384
}
[3] = {
  btrfsqgroup_id: 0/258
  btrfsqgroup_rfer: 16384
  btrfsqgroup_excl: 16384
}
[4] = {
  btrfsqgroup_id: 1/100
  btrfsqgroup_rfer: 0
  btrfsqgroup_excl: 0
}
/dev/sda1
sub/nested
/dev/sda1: btrfs
btrfsvol:/dev/sda1/sub: btrfs
btrfsvol:/dev/sda1/sub/nested: btrfs
btrfsvol:/dev/sda1/snap: btrfs
hi
BT
EOF

echo "1..4"
if [ $rc = 0 ] && diff -u "$tmp/expected" "$tmp/out" > "$tmp/diff"; then
  echo "ok 1 - guestfish btrfs script output"
else
  echo "not ok 1 - guestfish btrfs script output (exit status $rc)"
  sed 's/^/# /' "$tmp/diff" "$tmp/err"
fi

# subvolume show: a hash whose last key lists the snapshots.
cat > "$tmp/script2" <<'EOF'
run
mount /dev/sda1 /
btrfs-subvolume-show /sub
EOF
"$fish" -a "$tmp/a.img" -f "$tmp/script2" > "$tmp/out2" 2> "$tmp/err2"
rc2=$?
if [ $rc2 = 0 ] && head -1 "$tmp/out2" | grep -qx "path: sub" &&
   grep -qx "Name: sub" "$tmp/out2" && grep -qx "Parent UUID: " "$tmp/out2" &&
   tail -1 "$tmp/out2" | grep -qx "Snapshot(s): snap"; then
  echo "ok 2 - guestfish btrfs-subvolume-show output"
else
  echo "not ok 2 - guestfish btrfs-subvolume-show output (exit status $rc2)"
  sed 's/^/# /' "$tmp/out2" "$tmp/err2"
fi
# A default subvolume other than the top level is what the device itself
# mounts: list-filesystems lists it as the device, not again as a
# btrfsvol: (as libguestfs 1.48 does).
cat > "$tmp/script3" <<'EOF'
run
mount /dev/sda1 /
btrfs-subvolume-set-default 256 /
umount-all
list-filesystems
mount-ro /dev/sda1 /
cat /hello
EOF
"$fish" -a "$tmp/a.img" -f "$tmp/script3" > "$tmp/out3" 2> "$tmp/err3"
rc3=$?
want3="/dev/sda1: btrfs
btrfsvol:/dev/sda1/sub/nested: btrfs
btrfsvol:/dev/sda1/snap: btrfs
hi"
if [ $rc3 = 0 ] && [ "$(cat "$tmp/out3")" = "$want3" ]; then
  echo "ok 3 - list-filesystems names the default subvolume by its device"
else
  echo "not ok 3 - list-filesystems names the default subvolume by its device (exit status $rc3)"
  sed 's/^/# /' "$tmp/out3" "$tmp/err3"
fi
# An fstab that says the root is a btrfs subvolume (subvol=@) when the
# root is ext2: "/" stays the root found, not a btrfsvol: of it.
mkdir -p "$tmp/r/etc" "$tmp/r/bin"
echo "/dev/sda / btrfs subvol=@ 0 0" > "$tmp/r/etc/fstab"
printf 'ID=debian\nVERSION_ID=12\n' > "$tmp/r/etc/os-release"
cp /bin/true "$tmp/r/bin/ls"
mkfs.ext2 -q -F -d "$tmp/r" "$tmp/e.img" 8M
out4=$("$fish" --ro --format=raw -a "$tmp/e.img" run : inspect-os : inspect-get-mountpoints /dev/sda : \
       inspect-get-filesystems /dev/sda 2>&1)
want4="/dev/sda
/: /dev/sda
/dev/sda"
if [ "$out4" = "$want4" ]; then
  echo "ok 4 - an fstab wrong about a non-btrfs root does not make it a subvolume"
else
  echo "not ok 4 - an fstab wrong about a non-btrfs root does not make it a subvolume"
  printf '%s\n' "$out4" | sed 's/^/# /'
fi
[ "$out4" = "$want4" ] &&
[ $rc3 = 0 ] && [ "$(cat "$tmp/out3")" = "$want3" ] &&
[ $rc = 0 ] && [ ! -s "$tmp/diff" ] && [ $rc2 = 0 ] &&
  head -1 "$tmp/out2" | grep -qx "path: sub" && tail -1 "$tmp/out2" | grep -qx "Snapshot(s): snap"
