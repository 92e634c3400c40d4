#!/bin/bash
# virt-resize and virt-sparsify, ours against Debian's guestfs-tools, on
# the same image in the same run (issue 13's aim: ours in a third of the
# time or less).
#   bench/disk-tools.sh BUILDDIR
# The image: MBR, /dev/sda1 ext4 (1.5 GiB) holding 1 GiB of pseudo-random
# data and a deleted 256 MiB file, made on the host with mke2fs -d (no
# appliance).  Timed, each side alternately going first, BENCH_REPEAT
# times (default 1):
#   resize    virt-resize --expand /dev/sda1 IMAGE OUT (OUT a 4 GiB raw file)
#   sparsify  virt-sparsify IMAGE OUT (copying mode, raw)
# Prints each time, the medians and the ratio.  Needs /usr/bin/virt-resize
# and /usr/bin/virt-sparsify (Debian's guestfs-tools); only bench/ runs them.
set -u
build=$(cd "${1:?usage: disk-tools.sh BUILDDIR}" && pwd)
repeat=${BENCH_REPEAT:-1}
for p in /usr/bin/virt-resize /usr/bin/virt-sparsify; do
  [ -x "$p" ] || { echo "disk-tools: $p is not installed (apt-get install guestfs-tools)"; exit 77; }
done
tmp=$(mktemp -d /var/tmp/bench-disk-tools-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root"
head -c $((1024 * 1048576)) /dev/urandom > "$tmp/root/data"
img=$tmp/in.img
truncate -s 1600M "$img"
echo 'start=2048, type=83' | sfdisk -q "$img"
mke2fs -q -t ext4 -E offset=1048576 -d "$tmp/root" "$img" 1500M
rm -f "$tmp/root/data"
echo "image: $(du -h "$img" | cut -f1) allocated of 1600M"

median () { sort -n | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
run_case () {   # NAME OURS-CMD THEIRS-CMD (commands get OUT appended; OUT is prepared by prep)
  local name=$1 ours=$2 theirs=$3 i side t0 t1
  : > "$tmp/ours.t"; : > "$tmp/theirs.t"
  for i in $(seq "$repeat"); do
    for side in $([ $((i % 2)) = 1 ] && echo ours theirs || echo theirs ours); do
      rm -f "$tmp/out.img"
      [ "$name" = resize ] && truncate -s 4G "$tmp/out.img"
      local cmd=$ours; [ $side = theirs ] && cmd=$theirs
      t0=$(date +%s.%N)
      if $cmd "$img" "$tmp/out.img" < /dev/null > "$tmp/$side.log" 2>&1; then
        t1=$(date +%s.%N)
        echo "$t1 - $t0" | bc >> "$tmp/$side.t"
        printf '%-9s %-7s %6.1f s\n' "$name" "$side" "$(echo "$t1 - $t0" | bc)"
      else
        echo "$name $side FAILED:"; tail -5 "$tmp/$side.log"
      fi
    done
  done
  local o th
  o=$(median < "$tmp/ours.t"); th=$(median < "$tmp/theirs.t")
  [ -n "$o" ] && [ -n "$th" ] &&
    printf '%-9s median ours %.1f s, theirs %.1f s: %.2fx faster (aim 3x)\n' "$name" "$o" "$th" "$(echo "$th / $o" | bc -l)"
}
run_case resize "$build/tools/virt-resize -q --expand /dev/sda1" "/usr/bin/virt-resize -q --expand /dev/sda1"
run_case sparsify "$build/tools/virt-sparsify -q --tmp $tmp" "/usr/bin/virt-sparsify -q --tmp $tmp"
