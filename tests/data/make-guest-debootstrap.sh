#!/bin/bash
# A real Debian 12 guest: debootstrap --variant=minbase bookworm from
# deb.debian.org, put on a one-partition disk image with mke2fs -d (no
# appliance needed), plus the list of installed packages that the host's
# dpkg-query reads from the unpacked tree (--admindir), saved next to the
# image for the test to compare with inspection:
#   DIR/disk.img       MBR, /dev/sda1 ext4 LABEL=debroot
#   DIR/packages.txt   "NAME VERSION ARCH" of every installed package, sorted
# usage: make-guest-debootstrap.sh DIR
# Exits 77 (skip) with a message when it cannot run here: not root (debootstrap
# needs it), no debootstrap, or the mirror is unreachable.
#   DIR/recipe.sha256  the hash of the recipe that built them
# The image is rebuilt only when the recipe (the lines after "---- recipe",
# see guest_recipe in guest-lib.sh) changes.
set -eu
dir=${1:?usage: make-guest-debootstrap.sh DIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
source "$(dirname "$0")/guest-lib.sh"
recipe=$(guest_recipe "$0")
if [ -s "$dir/disk.img" ] && [ -s "$dir/packages.txt" ] &&
   [ "$(cat "$dir/recipe.sha256" 2> /dev/null)" = "$recipe" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "$0: debootstrap needs root to build the image" >&2; exit 77
fi
command -v debootstrap > /dev/null || { echo "$0: debootstrap is not installed" >&2; exit 77; }
command -v mke2fs > /dev/null || { echo "$0: mke2fs is not installed" >&2; exit 77; }
if ! python3 - "$mirror" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/dists/bookworm/Release", timeout=15).read(64)
except Exception as e:
    sys.exit(1)
PY
then
  echo "$0: the Debian mirror $mirror is unreachable" >&2; exit 77
fi

# ---- recipe (its hash, in DIR/recipe.sha256, says which image is cached)
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t=$tmp/root
debootstrap --variant=minbase bookworm "$t" "$mirror" > "$tmp/debootstrap.log" 2>&1 ||
  { tail -20 "$tmp/debootstrap.log" >&2; echo "$0: debootstrap failed" >&2; exit 1; }

dpkg-query --admindir="$t/var/lib/dpkg" -W \
  -f='${Status}\t${Package} ${Version} ${Architecture}\n' |
  sed -n 's/^[a-z]* [a-z]* installed\t//p' | LC_ALL=C sort > "$tmp/packages.txt"
[ -s "$tmp/packages.txt" ] || { echo "$0: dpkg-query found no packages" >&2; exit 1; }

# Smaller image: nothing inspection reads lives in these.
rm -rf "$t"/var/cache/apt/archives/*.deb "$t"/var/lib/apt/lists/* \
  "$t"/usr/share/doc/* "$t"/usr/share/man/* "$t"/usr/share/locale/* "$t"/usr/share/info/*
echo "deboot" > "$t/etc/hostname"
printf 'LABEL=debroot / ext4 errors=remount-ro 0 1\n' > "$t/etc/fstab"

# Size: the tree plus a third, in MiB; partition from 1 MiB.
kib=$(du -sk "$t" | cut -f1)
mib=$(( kib * 4 / 3 / 1024 + 32 ))
truncate -s $(( mib + 2 ))M "$tmp/disk.img"
echo 'start=2048, type=83' | sfdisk -q "$tmp/disk.img"
mke2fs -q -t ext4 -L debroot -E offset=1048576 -d "$t" "$tmp/disk.img" "${mib}M"
mv "$tmp/packages.txt" "$dir/packages.txt"
mv "$tmp/disk.img" "$dir/disk.img"
echo "$recipe" > "$dir/recipe.sha256"
