#!/bin/bash
# Inspection of two fake guests (a Debian 12 and a Fedora 39 tree built by
# tests/data/make-guest-*.sh, cached in the build directory) on two disks
# in one appliance launch: roots, every inspect-get-* field, mountpoints
# from fstab (UUID=, LABEL=, /dev/disk/by-uuid/), applications from the
# dpkg status and the rpm sqlite database.  The values were checked against libguestfs 1.48 on the
# same images (one deliberate difference: a dpkg status whose last
# paragraph has no blank line after it still lists that package).  A
# package is installed when a word of its dpkg Status is "installed"
# ("install ok installed", "installed ok"), never "half-installed",
# "not-installed" or "config-files".
# Prints TAP; exits 0, 1, or 77 (no guestfish).
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
data=${HATCH_BUILDDIR:-$top/build}/tests/data
mkdir -p "$data"

echo "1..4"
ok=0
failed=0
for os in debian fedora; do
  if bash "$top/tests/data/make-guest-$os.sh" "$data/guest-$os.img" > "$data/make-$os.log" 2>&1; then
    echo "ok $((++ok)) - build the fake $os image"
  else
    echo "not ok $((++ok)) - build the fake $os image"
    sed 's/^/# /' "$data/make-$os.log"
    echo "not ok 3 - inspection # image missing"
    echo "not ok 4 - applications # image missing"
    exit 1
  fi
done

tmp=$(mktemp -d /tmp/inspect-guests-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
{
  echo run
  echo "echo == inspect-os"
  echo inspect-os
  for r in /dev/sda2 /dev/sdb2; do
    echo "echo == $r"
    for f in type distro product-name product-variant major-version \
             minor-version arch hostname package-format package-management \
             format osinfo mountpoints filesystems drive-mappings; do
      echo "inspect-get-$f $r"
    done
    echo "inspect-is-live $r"
  done
  echo "echo == roots"
  echo inspect-get-roots
  echo "echo == nothing left mounted"
  echo mounts
  echo "echo == errors"
  echo "-inspect-get-type /dev/sda1"
  echo "-inspect-get-windows-systemroot /dev/sda2"
} > "$tmp/script"
cat > "$tmp/apps" <<'EOF2'
run
inspect-os
mount-ro /dev/sda2 /
mount-ro /dev/sda1 /boot
inspect-list-applications2 /dev/sda2
inspect-get-icon /dev/sda2 | wc -c
umount-all
mount-ro /dev/sdb2 /
inspect-list-applications2 /dev/sdb2
EOF2

cat > "$tmp/expected" <<'EOF2'
== inspect-os
/dev/sda2
/dev/sdb2
== /dev/sda2
linux
debian
12.5
unknown
12
5
x86_64
debian-test
deb
apt
installed
debian12
/boot: /dev/sda1
/: /dev/sda2
/dev/sda1
/dev/sda2
false
== /dev/sdb2
linux
fedora
Fedora Linux 39 (Server Edition)
unknown
39
0
x86_64
fedora-test.example.org
rpm
dnf
installed
fedora39
/boot: /dev/sdb1
/home: /dev/sdb3
/: /dev/sdb2
/dev/sdb1
/dev/sdb3
/dev/sdb2
false
== roots
/dev/sda2
/dev/sdb2
== nothing left mounted
== errors
EOF2

"$fish" -a "$data/guest-debian.img" -a "$data/guest-fedora.img" -f "$tmp/script" \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && diff -u "$tmp/expected" "$tmp/out" > "$tmp/diff" &&
   [ "$(grep -c 'not an inspected root\|not a Windows guest' "$tmp/err")" = 2 ]; then
  echo "ok 3 - inspection of the Debian and Fedora images"
else
  echo "not ok 3 - inspection of the Debian and Fedora images (exit status $rc)"
  failed=1
  sed 's/^/# /' "$tmp/diff" "$tmp/err"
fi

"$fish" --ro -a "$data/guest-debian.img" -a "$data/guest-fedora.img" -f "$tmp/apps" \
  > "$tmp/aout" 2> "$tmp/aerr"
rc=$?
names=$(grep -E '^  app2_(name|epoch|version|release|source_package): ' "$tmp/aout" | tr '\n' ' ')
want="  app2_name: base-files   app2_epoch: 0   app2_version: 12.4+deb12u5   app2_release:    app2_source_package:    app2_name: bash   app2_epoch: 0   app2_version: 5.2.15   app2_release: 2+b2   app2_source_package: bash   app2_name: libc6   app2_epoch: 0   app2_version: 2.36   app2_release: 9+deb12u4   app2_source_package: glibc   app2_name: vim   app2_epoch: 2   app2_version: 9.0.1378   app2_release: 2   app2_source_package: vim   app2_name: zile   app2_epoch: 0   app2_version: 2.6.2   app2_release: 1   app2_source_package:    app2_name: fedora-release-server   app2_epoch: 0   app2_version: 39   app2_release: 36   app2_source_package:    app2_name: kernel-core   app2_epoch: 0   app2_version: 6.5.6   app2_release: 300.fc39   app2_source_package:    app2_name: shadow-utils   app2_epoch: 2   app2_version: 4.14.0   app2_release: 2.fc39   app2_source_package:  "
if [ $rc = 0 ] && [ "$names" = "$want" ] &&
   grep -q '^  app2_url: http://tiswww.case.edu/php/chet/bash/bashtop.html$' "$tmp/aout" &&
   grep -q '^  app2_summary: GNU C Library: Shared libraries$' "$tmp/aout" &&
   grep -q '^  app2_summary: Utilities for managing accounts and shadow password files$' "$tmp/aout" &&
   grep -q '^  app2_url: https://www.kernel.org/$' "$tmp/aout" &&
   grep -qx '0' "$tmp/aout"; then
  echo "ok 4 - applications from the dpkg status and the rpm sqlite database, no icon"
else
  echo "not ok 4 - applications from the dpkg status and the rpm sqlite database, no icon (exit status $rc)"
  failed=1
  echo "# got: $names"
  sed 's/^/# /' "$tmp/aout" "$tmp/aerr"
fi
exit $failed
