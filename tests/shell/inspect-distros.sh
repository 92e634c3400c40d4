#!/bin/bash
# Inspection of five small fake guests (tests/data/make-guest-*.sh, cached
# in the build directory) on five disks in one appliance launch:
#   CentOS 7        os-release with the major version only; rpm Berkeley DB
#   openSUSE 15.5   rpm ndb database behind the /var/lib/rpm symlink
#   Ubuntu 22.04    dpkg status with multi-arch duplicates
#   Arch Linux      pacman local database, an epoch
#   Alpine 3.19     apk database
# Every inspect-get-* field and inspect-list-applications2 field by field.
# The OS fields were checked against libguestfs 1.48 on the same images.
# The rpm databases hold headers written by Debian's rpm (make-rpmdb.py).
# Prints TAP; exits 0, 1, or 77 (no guestfish).
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"; exit 77
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
data=${HATCH_BUILDDIR:-$top/build}/tests/data
mkdir -p "$data"
guests="centos7 opensuse ubuntu arch alpine"
echo "1..8"
n=0 fail=0
for os in $guests; do
  n=$((n + 1))
  if bash "$top/tests/data/make-guest-$os.sh" "$data/guest-$os.img" > "$data/make-$os.log" 2>&1; then
    echo "ok $n - build the fake $os image"
  else
    echo "not ok $n - build the fake $os image"; sed 's/^/# /' "$data/make-$os.log"; fail=1
  fi
done
if [ $fail = 1 ]; then
  echo "not ok 6 - inspection # images missing"; echo "not ok 7 - applications # images missing"
  echo "not ok 8 - long rpm description # images missing"; exit 1
fi

tmp=$(mktemp -d /tmp/inspect-distros-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
{
  echo run
  echo inspect-os
  for d in a b c d e; do
    r=/dev/sd${d}1
    echo "echo == $r"
    for f in type distro product-name product-variant major-version minor-version \
             arch hostname package-format package-management osinfo mountpoints; do
      echo "inspect-get-$f $r"
    done
    echo "mount-ro $r /"
    echo "echo == apps"
    echo "inspect-list-applications2 $r"
    echo "umount-all"
  done
} > "$tmp/script"
args=()
for os in $guests; do args+=(-a "$data/guest-$os.img"); done
"$fish" --ro "${args[@]}" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?

# The OS fields, then one line per application:
# name|epoch|version|release|arch|url|source|summary|first 30 chars of description
awk '
/^== apps$/ { apps = 1; next }
/^== / { apps = 0; print; next }
!apps { print; next }
/^\[[0-9]+\] = \{/ { delete f; next }
/^  app2_[a-z0-9_]+: / { k = $1; sub(/^app2_/, "", k); sub(/:$/, "", k)
  v = $0; sub(/^  app2_[a-z0-9_]+: /, "", v); f[k] = v; next }
/^\}/ { print f["name"] "|" f["epoch"] "|" f["version"] "|" f["release"] "|" f["arch"] "|" \
          f["url"] "|" f["source_package"] "|" f["summary"] "|" substr(f["description"], 1, 30) }
' "$tmp/out" > "$tmp/got"

cat > "$tmp/want-os" <<'X'
/dev/sda1
/dev/sdb1
/dev/sdc1
/dev/sdd1
/dev/sde1
== /dev/sda1
linux
centos
CentOS Linux release 7.9.2009 (Core)
unknown
7
9
x86_64
centos7.example.com
rpm
yum
centos7.0
/: /dev/sda1
== /dev/sdb1
linux
opensuse
openSUSE Leap 15.5
unknown
15
5
x86_64
suse-test
rpm
zypper
opensuse15.5
/: /dev/sdb1
== /dev/sdc1
linux
ubuntu
Ubuntu 22.04.4 LTS
unknown
22
4
x86_64
ubuntu-test
deb
apt
ubuntu22.04
/: /dev/sdc1
== /dev/sdd1
linux
archlinux
Arch Linux
unknown
0
0
x86_64
archbox
pacman
pacman
archlinux
/: /dev/sdd1
== /dev/sde1
linux
alpinelinux
Alpine Linux v3.19
unknown
3
19
x86_64
alpine-test
apk
apk
alpinelinux3.19
/: /dev/sde1
X
grep -v '|' "$tmp/got" > "$tmp/got-os"
if [ $rc = 0 ] && diff -u "$tmp/want-os" "$tmp/got-os" > "$tmp/diff"; then
  echo "ok 6 - inspection of CentOS 7, openSUSE, Ubuntu, Arch, Alpine"
else
  echo "not ok 6 - inspection of CentOS 7, openSUSE, Ubuntu, Arch, Alpine (exit status $rc)"; fail=1
  sed 's/^/# /' "$tmp/diff" "$tmp/err" | head -60
fi

cat > "$tmp/want-apps" <<'X'
@APPS@
X
grep '|' "$tmp/got" > "$tmp/got-apps"
if [ $rc = 0 ] && diff -u "$tmp/want-apps" "$tmp/got-apps" > "$tmp/diff"; then
  echo "ok 7 - applications: rpm BDB, rpm ndb, dpkg, pacman, apk"
else
  echo "not ok 7 - applications: rpm BDB, rpm ndb, dpkg, pacman, apk"; fail=1
  sed 's/^/# /' "$tmp/diff" | head -60
fi

# tzdata's 9 KiB description spans several Berkeley DB overflow pages.
c=$(grep -o 'Time zone line [0-9]*\.' "$tmp/out" | sort -u | wc -l)
if [ "$c" = 600 ]; then
  echo "ok 8 - long rpm description read whole from BDB overflow pages"
else
  echo "not ok 8 - long rpm description read whole from BDB overflow pages (got $c of 600 sentences)"; fail=1
fi
exit $fail
