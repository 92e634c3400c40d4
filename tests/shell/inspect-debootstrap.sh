#!/bin/bash
# Inspection of a real Debian 12 (debootstrap --variant=minbase from
# deb.debian.org, tests/data/make-guest-debootstrap.sh; cached under
# $LIBGUESTFS_CACHEDIR, about 4 minutes to build the first time): the OS
# fields, and inspect-list-applications2 must list exactly the packages
# that dpkg-query on the host said were installed in the tree (name,
# [epoch:]version[-release] and architecture of each).
# Skips (77) when the image cannot be built here (no network, not root).
# Prints TAP.
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"; exit 77
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-bookworm
tmp=$(mktemp -d /tmp/inspect-debootstrap-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bash "$top/tests/data/make-guest-debootstrap.sh" "$dir" > "$tmp/make.log" 2>&1
rc=$?
if [ $rc = 77 ]; then
  echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77
fi
echo "1..3"
if [ $rc != 0 ]; then
  echo "not ok 1 - build the debootstrap image"; sed 's/^/# /' "$tmp/make.log"
  echo "not ok 2 - inspection # no image"; echo "not ok 3 - applications # no image"; exit 1
fi
echo "ok 1 - build the debootstrap image ($(wc -l < "$dir/packages.txt") packages)"
fail=0

"$fish" --ro -a "$dir/disk.img" > "$tmp/out" 2> "$tmp/err" <<'GF'
run
inspect-os
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
inspect-get-hostname /dev/sda1
inspect-get-package-format /dev/sda1
inspect-get-osinfo /dev/sda1
inspect-get-mountpoints /dev/sda1
mount-ro /dev/sda1 /
inspect-list-applications2 /dev/sda1
GF
rc=$?
head -7 "$tmp/out" > "$tmp/os"
printf '%s\n' /dev/sda1 debian 12 deboot deb debian12 "/: /dev/sda1" > "$tmp/os.want"
if [ $rc = 0 ] && diff -u "$tmp/os.want" "$tmp/os" > "$tmp/diff"; then
  echo "ok 2 - inspection: Debian 12"
else
  echo "not ok 2 - inspection: Debian 12 (exit status $rc)"; fail=1
  sed 's/^/# /' "$tmp/diff" "$tmp/err"
fi

# One "NAME VERSION ARCH" line per application, dpkg's version spelling.
awk '
/^\[[0-9]+\] = \{/ { delete f; next }
/^  app2_[a-z0-9_]+: / { k = $1; sub(/^app2_/, "", k); sub(/:$/, "", k)
  v = $0; sub(/^  app2_[a-z0-9_]+: /, "", v); f[k] = v; next }
/^\}/ { v = f["version"]; if (f["release"] != "") v = v "-" f["release"]
  if (f["epoch"] != 0) v = f["epoch"] ":" v
  print f["name"], v, f["arch"] }' "$tmp/out" | LC_ALL=C sort > "$tmp/apps"
if [ $rc = 0 ] && diff -u "$dir/packages.txt" "$tmp/apps" > "$tmp/diff"; then
  echo "ok 3 - applications: the $(wc -l < "$tmp/apps") packages dpkg-query lists"
else
  echo "not ok 3 - applications differ from dpkg-query's list (exit status $rc)"; fail=1
  sed 's/^/# /' "$tmp/diff" | head -40
fi
exit $fail
