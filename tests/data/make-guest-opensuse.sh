#!/bin/bash
# A small fake openSUSE Leap 15.5 guest for the inspection tests: its rpm
# database is ndb (/usr/lib/sysimage/rpm/Packages.db, reached through the
# /var/lib/rpm symlink as on openSUSE) holding rpm's own headers
# (tests/data/make-rpmdb.py); /etc/HOSTNAME; zypper.
# usage: make-guest-opensuse.sh OUTPUT.img   (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
guest_start "$@"
mkdir -p "$t/etc" "$t/usr/bin" "$t/usr/lib/sysimage/rpm" "$t/var/lib" "$t/boot"
ln -s usr/bin "$t/bin"
ln -s ../../usr/lib/sysimage/rpm "$t/var/lib/rpm"
cat > "$t/usr/lib/os-release" <<'X'
NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
PRETTY_NAME="openSUSE Leap 15.5"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:leap:15.5"
HOME_URL="https://www.opensuse.org/"
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
echo "suse-test" > "$t/etc/HOSTNAME"
printf 'LABEL=suse-root / ext4 defaults 0 0\n' > "$t/etc/fstab"
cp /bin/ls "$t/usr/bin/ls"
echo '#!/bin/sh' > "$t/usr/bin/zypper"
guest_rpmdb ndb "$t/usr/lib/sysimage/rpm" <<'X'
aaa_base	-	84.87+git20180409.04c9dae	150300.3.3.1	x86_64	https://github.com/openSUSE/aaa_base	openSUSE Base Package	This package installs several important configuration files.
libzypp	-	17.31.14	150400.3.35.1	x86_64	https://github.com/openSUSE/libzypp	Library for package, patch, pattern and product management	libzypp is the package management library.\n\nIt powers zypper.
timezone	-	2023c	150000.75.23.1	x86_64	https://www.iana.org/time-zones	Timezone Descriptions	These are configuration files that describe available time zones.
X
guest_image "$out" ext4 suse-root
