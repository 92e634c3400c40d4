#!/bin/bash
# virt-customize (5 operations) and virt-sysprep (the default operations)
# timed side by side: ours (BUILDDIR/tools) against guestfs-tools'
# (/usr/bin, or $GUESTFS_TOOLS_BIN), each on a fresh copy of the
# debootstrap Debian 12 image, rounds alternating which side goes first.
# Prints the median wall time of each and the ratio.  Only bench/ may run
# the installed tools.
# usage: bench/customize-sysprep.sh BUILDDIR [ROUNDS]
set -u
build=$(cd "${1:?usage: customize-sysprep.sh BUILDDIR [ROUNDS]}" && pwd)
rounds=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
theirs=${GUESTFS_TOOLS_BIN:-/usr/bin}
if [ ! -x "$theirs/virt-customize" ] || [ ! -x "$theirs/virt-sysprep" ]; then
  echo "no guestfs-tools in $theirs (set GUESTFS_TOOLS_BIN): nothing to compare"; exit 77
fi
debdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-bookworm
bash "$top/tests/data/make-guest-debootstrap.sh" "$debdir" > /dev/null 2>&1 ||
  { echo "the debootstrap image cannot be made here"; exit 77; }
tmp=$(mktemp -d /tmp/bench-customize-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ops=(--no-network --mkdir /srv/bench --write /srv/bench/f:data
     --append-line '/etc/hosts:10.0.0.1 bench' --hostname benchhost --timezone Europe/Paris)

# one TOOL-DIR NAME ARGS...: seconds (3 decimals) for one run on a fresh copy
one () {
  local dir=$1 name=$2; shift 2
  cp --sparse=always "$debdir/disk.img" "$tmp/disk.img"
  local t0 t1
  t0=$(date +%s.%N)
  "$dir/$name" --format=raw -a "$tmp/disk.img" "$@" > "$tmp/log" 2>&1 ||
    { echo "$dir/$name failed:" >&2; tail -5 "$tmp/log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median () { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Warm-up: appliance caches on both sides.
one "$build/tools" virt-customize --no-network > /dev/null
one "$theirs" virt-customize --no-network > /dev/null
for case in customize sysprep; do
  : > "$tmp/ours" ; : > "$tmp/theirs"
  for r in $(seq "$rounds"); do
    if [ $case = customize ]; then args=("${ops[@]}"); else args=(); fi
    if [ $((r % 2)) = 1 ]; then
      one "$build/tools" virt-$case "${args[@]}" >> "$tmp/ours"
      one "$theirs" virt-$case "${args[@]}" >> "$tmp/theirs"
    else
      one "$theirs" virt-$case "${args[@]}" >> "$tmp/theirs"
      one "$build/tools" virt-$case "${args[@]}" >> "$tmp/ours"
    fi
  done
  o=$(median < "$tmp/ours") t=$(median < "$tmp/theirs")
  printf 'virt-%-10s ours %6.2f s  guestfs-tools %6.2f s  %5.2fx faster (aim: 4x)\n' \
    "$case" "$o" "$t" "$(echo "$t / $o" | bc -l)"
done
