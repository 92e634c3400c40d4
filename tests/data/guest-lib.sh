# Helpers for tests/data/make-guest-*.sh (sourced).  Each script builds a
# small fake but faithful guest tree in $t, then calls guest_image to put
# it on a one-partition disk with our own guestfish (no root needed).
#
#   guest_start OUT            set up $tmp and $t; exits 0 when OUT is
#                              newer than the calling script and this file
#   guest_image OUT FSTYPE LABEL   /dev/sda1 = FSTYPE labelled LABEL holding $t
#   guest_recipe SCRIPT        the hash of SCRIPT's recipe (below)
set -eu

# The big guests cached in a directory shared by every work tree (the
# debootstrap ones) are rebuilt when their recipe changes, not when a
# checkout gives the script a new mtime: the recipe is the script's lines
# from "# ---- recipe" on (before it: the cache and prerequisite checks),
# its hash kept next to the image.
guest_recipe () { sed -n '/^# ---- recipe/,$p' "$1" | sha256sum | cut -d' ' -f1; }

guest_start() {
  out=${1:?usage: $0 OUTPUT.img}
  fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
  if [ -s "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then exit 0; fi
  tmp=$(mktemp -d /tmp/make-guest-XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  t=$tmp/root
  mkdir -p "$t"
}

guest_image() {
  local out=$1 fstype=$2 label=$3
  tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .
  truncate -s 48M "$tmp/disk.img"
  "$fish" -a "$tmp/disk.img" <<GF
run
part-disk /dev/sda mbr
mkfs $fstype /dev/sda1 label:$label
mount /dev/sda1 /
tar-in $tmp/root.tar /
GF
  mkdir -p "$(dirname "$out")"
  mv "$tmp/disk.img" "$out"
}

# An rpm database of FORMAT (sqlite, ndb, bdb) in DIR from the package list
# on stdin (see make-rpmdb.py).
guest_rpmdb() {
  local format=$1 dir=$2
  cat > "$tmp/packages.tsv"
  python3 "$(dirname "${BASH_SOURCE[0]}")/make-rpmdb.py" "$format" "$tmp/packages.tsv" "$dir"
}
