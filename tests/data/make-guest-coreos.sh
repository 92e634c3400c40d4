#!/bin/bash
# A small fake Container Linux guest, laid out the CoreOS way: the
# operating system lives in a separate /usr filesystem and the root
# filesystem holds little more than /etc (whose os-release is a symlink
# into /usr) and the state directories.
#   coreos   Container Linux by CoreOS 2512.3.0: GPT, sda1 "USR-A" ext4
#            (/usr: bin/ls, lib/os-release, share/coreos/lsb-release),
#            sda2 "ROOT" ext4 (/etc/coreos/update.conf, hostname, no fstab)
#   flatcar  Flatcar Container Linux 3510.2.1, the same layout
#            (ID=flatcar, ID_LIKE=coreos, /etc/flatcar/update.conf)
# usage: make-guest-coreos.sh coreos|flatcar OUTPUT.img
#        (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
kind=${1:?usage: make-guest-coreos.sh coreos|flatcar OUTPUT.img}
shift
guest_start "$@"
u=$tmp/usr r=$t
mkdir -p "$u/bin" "$u/lib" "$u/lib64" "$u/sbin" "$u/share" "$u/share/$kind"
mkdir -p "$r/etc/$kind" "$r/usr" "$r/root" "$r/home" "$r/var" "$r/opt" "$r/media"
case $kind in
coreos)
  cat > "$u/lib/os-release" <<'X'
NAME="Container Linux by CoreOS"
ID=coreos
VERSION=2512.3.0
VERSION_ID=2512.3.0
BUILD_ID=2020-05-22-0324
PRETTY_NAME="Container Linux by CoreOS 2512.3.0 (Oklo)"
ANSI_COLOR="38;5;75"
HOME_URL="https://coreos.com/"
BUG_REPORT_URL="https://issues.coreos.com"
COREOS_BOARD="amd64-usr"
X
  cat > "$u/share/coreos/lsb-release" <<'X'
DISTRIB_ID="Container Linux by CoreOS"
DISTRIB_RELEASE=2512.3.0
DISTRIB_CODENAME="Oklo"
DISTRIB_DESCRIPTION="Container Linux by CoreOS 2512.3.0 (Oklo)"
X
  host=coreos-test ;;
flatcar)
  cat > "$u/lib/os-release" <<'X'
NAME="Flatcar Container Linux by Kinvolk"
ID=flatcar
ID_LIKE=coreos
VERSION=3510.2.1
VERSION_ID=3510.2.1
BUILD_ID=2023-04-24-2148
SYSEXT_LEVEL=1.0
PRETTY_NAME="Flatcar Container Linux by Kinvolk 3510.2.1 (Oklo)"
ANSI_COLOR="38;5;75"
HOME_URL="https://flatcar-linux.org/"
BUG_REPORT_URL="https://issues.flatcar-linux.org"
FLATCAR_BOARD="amd64-usr"
X
  cat > "$u/share/flatcar/lsb-release" <<'X'
DISTRIB_ID="Flatcar Container Linux by Kinvolk"
DISTRIB_RELEASE=3510.2.1
DISTRIB_CODENAME="Oklo"
DISTRIB_DESCRIPTION="Flatcar Container Linux by Kinvolk 3510.2.1 (Oklo)"
X
  host=flatcar-test ;;
*) echo "$0: unknown kind $kind" >&2; exit 1 ;;
esac
cp /bin/ls "$u/bin/ls"
cp /bin/ls "$u/bin/bash"
printf 'GROUP=stable\nREBOOT_STRATEGY=off\n' > "$r/etc/$kind/update.conf"
ln -s ../usr/lib/os-release "$r/etc/os-release"
for d in bin lib lib64 sbin; do ln -s usr/$d "$r/$d"; done
echo "$host" > "$r/etc/hostname"
echo "0123456789abcdef0123456789abcdef" > "$r/etc/machine-id"
tar -C "$u" --owner=0 --group=0 -cf "$tmp/usr.tar" .
tar -C "$r" --owner=0 --group=0 -cf "$tmp/root.tar" .
truncate -s 48M "$tmp/disk.img"
"$fish" -a "$tmp/disk.img" <<GF
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 45055
part-add /dev/sda p 45056 96255
part-set-name /dev/sda 1 USR-A
part-set-name /dev/sda 2 ROOT
mkfs ext4 /dev/sda1 label:USR-A
mkfs ext4 /dev/sda2 label:ROOT
mount /dev/sda1 /
tar-in $tmp/usr.tar /
umount /
mount /dev/sda2 /
tar-in $tmp/root.tar /
GF
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
