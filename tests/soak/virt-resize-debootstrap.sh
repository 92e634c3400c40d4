#!/bin/bash
# virt-resize on a real Debian 12 guest (debootstrap, built and cached by
# tests/data/make-guest-debootstrap.sh, about 4 minutes the first time):
# --expand /dev/sda1 to a target 128 MiB bigger, then the copy must still
# inspect as Debian 12 and have its / mounted at the new size.  Also
# the qcow2 source and --no-sparse paths.  TAP; 77 when the image cannot
# be built here.
source "$(dirname "$0")/../shell/tools-lib.bash"
[ -x "$tools/virt-resize" ] || { echo "1..0 # SKIP virt-resize not built"; exit 77; }
dir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-bookworm
bash "$top/tests/data/make-guest-debootstrap.sh" "$dir" > "$tmp/make.log" 2>&1
rc=$?
[ $rc = 77 ] && { echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77; }
[ $rc = 0 ] || { echo "Bail out! could not build the debootstrap image"; cat "$tmp/make.log"; exit 1; }
deb=$dir/disk.img
MiB=1048576
size=$(stat -c %s "$deb")
qemu-img convert -O qcow2 "$deb" "$tmp/src.qcow2"

check_guest () {   # NAME IMAGE FORMAT
  "$fish" --ro --format="$3" -a "$2" -i > "$tmp/out" 2> "$tmp/err" <<'GF'
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
statvfs / | grep -e ^blocks: -e ^bsize:
blockdev-getsize64 /dev/sda1
GF
  local distro fs part
  distro=$(sed -n 1,2p "$tmp/out" | tr '\n' ' ')
  fs=$(awk '/^blocks:/{d=$2} /^bsize:/{b=$2} END{printf "%d", d*b}' "$tmp/out")
  part=$(tail -1 "$tmp/out")
  if [ "$distro" = "debian 12 " ] && [ "$fs" -gt $((size + 100 * MiB)) ] && [ "$fs" -le "$part" ]
  then ok "$1: still inspects, / mounted at the new size ($fs bytes)"
  else notok "$1: still inspects, / mounted at the new size ($distro, $fs of $part)"; fi
}

truncate -s $((size + 128 * MiB)) "$tmp/out1.img"
st "raw: --expand /dev/sda1" 0 virt-resize --expand /dev/sda1 "$deb" "$tmp/out1.img"
check_guest raw "$tmp/out1.img" raw
qemu-img create -q -f qcow2 "$tmp/out2.qcow2" $((size + 128 * MiB))
st "qcow2 to qcow2, --no-sparse" 0 virt-resize --format qcow2 --output-format qcow2 \
  --no-sparse --expand /dev/sda1 "$tmp/src.qcow2" "$tmp/out2.qcow2"
check_guest qcow2 "$tmp/out2.qcow2" qcow2
finish
