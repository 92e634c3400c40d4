#!/bin/bash
# A drive added without a format: the library guesses it safely.  A
# guest that wrote a qcow2 header naming a host file as its backing file
# onto its raw disk must not make a later open read that host file:
# without a format the image is refused with a message naming the backing
# file and format=raw; with format=raw the disk reads as the raw bytes it
# holds.  A multi-extent vmdk (extents are other host files) and a qcow2
# with an external data file are refused the same way; a plain qcow2 and
# a raw image are still guessed.  A remembered format is used only while
# the file is unchanged.  The image is unchanged (sha256).
# Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch

# The host file the guest would like to read, and the hostile "raw" disk:
# a qcow2 header naming it (what a guest can write onto its own disk).
head -c 1048576 /dev/urandom > "$tmp/secret"
printf 'HOST-SECRET-%.0s' $(seq 100) | dd of="$tmp/secret" conv=notrunc 2>/dev/null
qemu-img create -q -f qcow2 -o backing_file="$tmp/secret",backing_fmt=raw "$tmp/hdr.qcow2" 1M
cp "$tmp/hdr.qcow2" "$tmp/guest.img"
truncate -s 1M "$tmp/guest.img"
before=$(sha256sum < "$tmp/guest.img")

run_fish () { timeout 120 "$fish" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"; }

run_fish -a "$tmp/guest.img" run
rc=$?
if [ $rc != 0 ] && grep -q "backing file" "$tmp/err" && grep -q "format=raw" "$tmp/err" &&
   grep -q "$tmp/secret" "$tmp/err"; then
  ok "no format: a raw disk holding a qcow2 header with a host backing file is refused"
else notok "no format: a raw disk holding a qcow2 header with a host backing file is refused (rc=$rc)"; fi

run_fish --ro -a "$tmp/guest.img" run
if [ $? != 0 ] && grep -q "backing file" "$tmp/err"; then
  ok "the same read-only (--ro)"
else notok "the same read-only (--ro)"; fi

run_fish --format=raw --ro -a "$tmp/guest.img" run : pread-device /dev/sda 4 0 : pread-device /dev/sda 12 65536
if [ $? = 0 ] && grep -q 'QFI' "$tmp/out" && ! grep -q 'HOST-SECRET' "$tmp/out"; then
  ok "format=raw: the disk reads as its own bytes (the qcow2 header), never the host file"
else notok "format=raw: the disk reads as its own bytes"; fi

# virt-cat / virt-ls go through the same add_drive: refused too.
vls=$HATCH_BUILDDIR/tools/virt-ls
if [ -x "$vls" ]; then
  timeout 120 "$vls" -a "$tmp/guest.img" / > "$tmp/out" 2> "$tmp/err"
  if [ $? != 0 ] && grep -q "backing file" "$tmp/err"; then ok "virt-ls without --format refuses it"
  else notok "virt-ls without --format refuses it"; fi
else skip "virt-ls not built"; fi

# Other images that name host files.
qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentFlat "$tmp/multi.vmdk" 1M
run_fish -a "$tmp/multi.vmdk" run
if [ $? != 0 ] && grep -q "other files" "$tmp/err"; then ok "a vmdk with separate extent files is refused without a format"
else notok "a vmdk with separate extent files is refused without a format"; fi
qemu-img create -q -f qcow2 -o data_file="$tmp/datafile" "$tmp/ext.qcow2" 1M
run_fish -a "$tmp/ext.qcow2" run
if [ $? != 0 ] && grep -q "external data file" "$tmp/err"; then ok "a qcow2 with an external data file is refused without a format"
else notok "a qcow2 with an external data file is refused without a format"; fi

# Ordinary images are still guessed.
qemu-img create -q -f qcow2 "$tmp/plain.qcow2" 8M
truncate -s 8M "$tmp/plain.raw"
run_fish -a "$tmp/plain.qcow2" -a "$tmp/plain.raw" run : blockdev-getsize64 /dev/sda : blockdev-getsize64 /dev/sdb
if [ $? = 0 ] && [ "$(cat "$tmp/out")" = "$(printf '8388608\n8388608')" ]; then
  ok "a plain qcow2 and a raw image are guessed as before"
else notok "a plain qcow2 and a raw image are guessed as before"; fi

# The format found for a regular file is remembered (image-formats in the
# per-user cache) until the file changes.  A raw disk probed once, whose
# guest then writes a qcow2 header with a host backing file onto it, must
# be probed again and refused, never opened as the raw it was.
truncate -s 1M "$tmp/turns.img"
run_fish -v -a "$tmp/turns.img" run
run_fish -v -a "$tmp/turns.img" run
if [ $? = 0 ] && grep -q "as qemu-img found before" "$tmp/err"; then
  ok "the second open of an unchanged raw image uses the remembered format"
else notok "the second open of an unchanged raw image uses the remembered format"; fi
run_fish --format=raw -a "$tmp/turns.img" run : upload "$tmp/hdr.qcow2" /dev/sda
run_fish -a "$tmp/turns.img" run
if [ $? != 0 ] && grep -q "backing file" "$tmp/err" && grep -q "$tmp/secret" "$tmp/err"; then
  ok "once the guest wrote a qcow2 header with a backing file, it is probed again and refused"
else notok "once the guest wrote a qcow2 header with a backing file, it is probed again and refused"; fi

after=$(sha256sum < "$tmp/guest.img")
if [ "$before" = "$after" ]; then ok "the hostile image is unchanged (sha256)"
else notok "the hostile image is unchanged (sha256)"; fi
finish
