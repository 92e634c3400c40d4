#!/bin/bash
# A small fake CentOS 7 guest for the inspection tests: os-release with only
# the major version, centos-release with the rest, yum (no dnf), and a
# Berkeley DB rpm database (/var/lib/rpm/Packages) holding rpm's own
# headers of a few packages (tests/data/make-rpmdb.py).
#   /dev/sda1  xfs-less: ext4 LABEL=centos-root  /
# usage: make-guest-centos7.sh OUTPUT.img   (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
guest_start "$@"
mkdir -p "$t/etc/sysconfig" "$t/usr/bin" "$t/usr/lib" "$t/var/lib/rpm" "$t/boot" "$t/root"
ln -s usr/bin "$t/bin"
cat > "$t/etc/os-release" <<'X'
NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
X
echo "CentOS Linux release 7.9.2009 (Core)" > "$t/etc/centos-release"
ln -s centos-release "$t/etc/redhat-release"
ln -s centos-release "$t/etc/system-release"
echo "centos7.example.com" > "$t/etc/hostname"
printf 'NETWORKING=yes\n' > "$t/etc/sysconfig/network"
printf 'LABEL=centos-root / ext4 defaults 0 0\n' > "$t/etc/fstab"
cp /bin/ls "$t/usr/bin/ls"
echo '#!/usr/bin/python' > "$t/usr/bin/yum"
long=$(python3 -c 'print(" ".join("Time zone line %d." % i for i in range(600)))')
guest_rpmdb bdb "$t/var/lib/rpm" <<X
bash	-	4.2.46	34.el7	x86_64	http://www.gnu.org/software/bash	The GNU Bourne Again shell (bash) version 4.2	The GNU Bourne Again shell (Bash) is a shell.\n\nIt is compatible with sh.
openssl-libs	1	1.0.2k	19.el7	x86_64	http://www.openssl.org/	A general purpose cryptography library with TLS implementation	OpenSSL is a toolkit for SSL and TLS.
tzdata	-	2020a	1.el7	noarch	https://www.iana.org/time-zones	Timezone data	$long
X
guest_image "$out" ext4 centos-root
