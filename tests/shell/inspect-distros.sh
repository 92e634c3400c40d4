#!/bin/bash
# Inspection of five small fake guests (tests/data/make-guest-*.sh, cached
# in the build directory) on five disks in one appliance launch:
#   CentOS 7        os-release with the major version only; rpm Berkeley DB
#   openSUSE 15.5   rpm ndb database behind the /var/lib/rpm symlink
#   Ubuntu 22.04    dpkg status with multi-arch duplicates
#   Arch Linux      pacman local database, an epoch
#   Alpine 3.19     apk database
# Every inspect-get-* field and inspect-list-applications2 field by field.
# The OS fields, and the dpkg, pacman and apk applications, were checked
# against libguestfs 1.48 on the same images (Debian's libguestfs cannot
# read rpm's ndb and Berkeley DB formats: its librpm has only sqlite).
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
echo "1..9"
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
  echo "not ok 8 - long rpm description # images missing"
  echo "not ok 9 - internal-list-rpm-applications # images missing"; exit 1
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
bash|0|4.2.46|34.el7|x86_64|http://www.gnu.org/software/bash||The GNU Bourne Again shell (bash) version 4.2|The GNU Bourne Again shell (Ba
openssl-libs|1|1.0.2k|19.el7|x86_64|http://www.openssl.org/||A general purpose cryptography library with TLS implementation|OpenSSL is a toolkit for SSL a
tzdata|0|2020a|1.el7|noarch|https://www.iana.org/time-zones||Timezone data|Time zone line 0. Time zone li
aaa_base|0|84.87+git20180409.04c9dae|150300.3.3.1|x86_64|https://github.com/openSUSE/aaa_base||openSUSE Base Package|This package installs several 
libzypp|0|17.31.14|150400.3.35.1|x86_64|https://github.com/openSUSE/libzypp||Library for package, patch, pattern and product management|libzypp is the package managem
timezone|0|2023c|150000.75.23.1|x86_64|https://www.iana.org/time-zones||Timezone Descriptions|These are configuration files 
adduser|0|3.118ubuntu5||all|||add and remove users and groups|This package includes the 'add
libc6|0|2.35|0ubuntu3.6|amd64|https://www.gnu.org/software/libc/libc.html|glibc|GNU C Library: Shared libraries|Contains the standard librarie
libc6|0|2.35|0ubuntu3.6|i386||glibc|GNU C Library: Shared libraries|Contains the standard librarie
ubuntu-minimal|0|1.481.1||amd64||ubuntu-meta|Minimal core of Ubuntu|
bash|0|5.2.026|2|x86_64|https://www.gnu.org/software/bash/bash.html|||The GNU Bourne Again shell
grub|2|2.12|1|x86_64|https://www.gnu.org/software/grub/|||GNU GRand Unified Bootloader (
iana-etc|0|20240305|1|any|https://www.iana.org/protocols|||/etc/protocols and /etc/servic
alpine-baselayout-data|0|3.4.3|2|x86_64|https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout|||Alpine base dir structure and 
busybox|0|1.36.1|15|x86_64|https://busybox.net/|||Size optimized toolbox of many
musl|0|1.2.4_git20230717|4|x86_64|https://musl.libc.org/|||the musl c library (libc) impl
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

# internal-list-rpm-applications reads the database of the mounted guest:
# the same rpm packages as inspection found (BDB, then ndb).
"$data/../c/list-rpm-apps" "$data/guest-centos7.img" "$data/guest-opensuse.img" \
  > "$tmp/rpm-names" 2>&1
cut -d'|' -f1 "$tmp/want-apps" | head -6 > "$tmp/want-rpm-names"
if diff -u "$tmp/want-rpm-names" "$tmp/rpm-names" > "$tmp/diff"; then
  echo "ok 9 - internal-list-rpm-applications on mounted BDB and ndb guests"
else
  echo "not ok 9 - internal-list-rpm-applications on mounted BDB and ndb guests"; fail=1
  sed 's/^/# /' "$tmp/diff" | head -20
fi
exit $fail
