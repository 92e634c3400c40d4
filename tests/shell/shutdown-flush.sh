#!/bin/bash
# Closing a handle with a writable drive: the daemon syncs and flushes
# every drive, then qemu is killed at once (no orderly qemu exit).  What
# the guest wrote must all be in the image afterwards, including a qcow2
# image's own metadata that qemu caches (L2 tables, refcounts): writes
# straight to the device at offsets spread over the image, and files in a filesystem
# mounted without barriers (its sync sends no flush to the disk).
# qemu-img check must find the qcow2 clean, and the bytes must read back
# on the host.  Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch

img=$tmp/disk.qcow2
qemu-img create -q -f qcow2 "$img" 1G
# 40 writes, each to its own 64 MiB-apart region: new clusters, new L2
# entries and refcounts every time.
cmds=()
for i in $(seq 0 39); do
  cmds+=(: pwrite-device /dev/sda "block-$i-HATCH" $((i * 26843545 + 4096)))
done
"$fish" --format=qcow2 -a "$img" run "${cmds[@]}" < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && qemu-img check -q "$img" > "$tmp/check" 2>&1; then
  ok "device writes, then close: qemu-img check finds the qcow2 clean"
else cat "$tmp/check" >> "$tmp/err"; notok "device writes, then close: qemu-img check finds the qcow2 clean (rc=$rc)"; fi

qemu-img convert -O raw "$img" "$tmp/disk.raw"
bad=0
for i in $(seq 0 39); do
  want="block-$i-HATCH"
  got=$(dd if="$tmp/disk.raw" bs=1 skip=$((i * 26843545 + 4096)) count=${#want} 2>/dev/null)
  [ "$got" = "$want" ] || { echo "# offset of write $i reads '$got'"; bad=$((bad + 1)); }
done
if [ $bad = 0 ]; then ok "all 40 device writes are in the image"
else notok "all 40 device writes are in the image ($bad missing)"; fi

# A filesystem and files, written in one run and read back in another.
# Mounted with barrier=0, ext4's sync sends the disk no flush: only the
# daemon's own flush at exit makes qemu write out its qcow2 metadata.
"$fish" --format=qcow2 -a "$img" run : part-disk /dev/sda mbr : mkfs ext4 /dev/sda1 \
  : mount-options barrier=0 /dev/sda1 / : write /hello "written before a quick close" \
  : fill-pattern "HATCH" 3000000 /big < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && qemu-img check -q "$img" > "$tmp/check" 2>&1; then
  ok "mkfs and files, then close: qemu-img check finds the qcow2 clean"
else cat "$tmp/check" >> "$tmp/err"; notok "mkfs and files, then close: qemu-img check finds the qcow2 clean (rc=$rc)"; fi
run "the files read back in a new launch" 0 "$(printf 'written before a quick close\n3000000')" \
  --format=qcow2 --ro -a "$img" run : mount-ro /dev/sda1 / : cat /hello : filesize /big
finish
