#!/bin/bash
# The main job on a disk image made for the occasion: partition, format,
# write and read back a file, list partitions and filesystems.
set -eu
build=${1:-build}
img=$(mktemp /tmp/hatch-demo-XXXXXX.img)
trap 'rm -f "$img"' EXIT
truncate -s 1G "$img"
echo "\$ guestfish -a $img run : part-disk /dev/sda mbr : mkfs ext4 /dev/sda1 : mount /dev/sda1 / : write /hello \"hi\" : cat /hello : part-list /dev/sda : list-filesystems"
start=$(date +%s.%N)
"$build/fish/guestfish" -a "$img" run : part-disk /dev/sda mbr : mkfs ext4 /dev/sda1 : \
  mount /dev/sda1 / : write /hello "hi" : cat /hello : part-list /dev/sda : list-filesystems
end=$(date +%s.%N)
printf '(%.1f s, including the appliance launch)\n' "$(echo "$end - $start" | bc 2>/dev/null || python3 -c "print($end-$start)")"
