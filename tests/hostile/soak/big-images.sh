#!/bin/bash
# The hostile-image suite, big part (make hardening only): the guest tree
# of tests/hostile/images.sh at full size - a directory of 100 000
# entries, 4 000 levels of directories, a 1 GiB dpkg status, a 2^40-byte
# sparse file - through every tool (virt-inspector, guestfish -i,
# virt-ls -lR, virt-cat, virt-copy-out, virt-tar-out, guestmount), each
# bounded; the sparse file must travel as holes (the host copy takes no
# space).  Prints TAP and the summary line.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Copying this tree out (1 GiB and 100 000 files through the channel)
# takes minutes under TCG: the per-call deadline sits just under each
# tool's bound, so a real hang still shows as one.
export LIBGUESTFS_CALL_TIMEOUT=${LIBGUESTFS_CALL_TIMEOUT:-840}
source "$here/hostile-lib.bash"
img=$tmp/img
mkdir -p "$img/tree"
python3 "$here/make-images.py" tree "$img/tree" "$tmp/outside" soak || { echo "Bail out! tree"; exit 1; }
t0=$SECONDS
mkfs.ext4 -q -F -N 130000 -d "$img/tree" "$img/tree.fs" 4G > /dev/null || { echo "Bail out! mkfs"; exit 1; }
echo "# mkfs.ext4 -d of the tree: $((SECONDS - t0))s"
rm -rf "$img/tree"
# The 2^40-byte sparse file: an inode with that size and no blocks.
debugfs -w -R "write /dev/null tmp/sparse" "$img/tree.fs" > /dev/null 2>&1 &&
  debugfs -w -R "sif tmp/sparse size 0x10000000000" "$img/tree.fs" > /dev/null 2>&1 ||
  { echo "Bail out! debugfs"; exit 1; }
truncate -s 4100M "$img/tree.img"
echo 'start=2048, type=83' | sfdisk -q "$img/tree.img" > /dev/null
dd if="$img/tree.fs" of="$img/tree.img" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$img/tree.fs"
# The directory of 100 000 entries, made by the guest kernel (hashed
# directories): mke2fs -d would take hours (see make-images.py).
t0=$SECONDS
timeout 1800 "$fish" --format=raw -a "$img/tree.img" run : mount /dev/sda1 / : \
  fill-dir /many 100000 : umount-all < /dev/null > /dev/null 2> "$tmp/run.err" ||
  { echo "Bail out! fill-dir: $(head -3 "$tmp/run.err")"; exit 1; }
echo "# fill-dir of 100 000 entries: $((SECONDS - t0))s"
chmod 0444 "$img/tree.img"
hostile_tools big "$img/tree.img" 900 /etc/os-release
if [ -e "$tmp/out/copy/tmp/sparse" ]; then
  blocks=$(stat -c %b "$tmp/out/copy/tmp/sparse") size=$(stat -c %s "$tmp/out/copy/tmp/sparse")
  if [ "$size" = 1099511627776 ] && [ "$blocks" -lt 1024 ]; then
    ok "big: the 2^40-byte sparse file was copied out as holes ($blocks blocks)"
  else notok "big: the 2^40-byte sparse file was copied out as holes (size $size, $blocks blocks)"; fi
else notok "big: the sparse file was copied out"; fi
hostile_summary
