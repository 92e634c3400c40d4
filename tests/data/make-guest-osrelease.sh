#!/bin/bash
# Two small disks of tiny fake Linux roots, one per 1 MiB ext2 partition
# (at most 15 a disk), each holding only /bin, /etc (an empty fstab) and the files that
# name its distribution (an os-release, or an older release file): for the
# distro, version, product name and osinfo tests (inspect-osinfo.sh).
# The roots, in partition order, are the ROOTS list below.
# usage: make-guest-osrelease.sh OUTDIR   (GUESTFISH names the guestfish)
# Makes OUTDIR/osrel-1.img and OUTDIR/osrel-2.img, rebuilt only when this
# script is newer.
set -eu
outdir=${1:?usage: make-guest-osrelease.sh OUTDIR}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$outdir/osrel-1.img" ] && [ -s "$outdir/osrel-2.img" ] &&
   [ "$outdir/osrel-1.img" -nt "$0" ] && [ "$outdir/osrel-2.img" -nt "$0" ]; then
  exit 0
fi
tmp=$(mktemp -d /tmp/make-guest-osrel-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# osr NAME 'KEY=value' ...: an os-release in /usr/lib, linked from /etc.
osr() {
  local d=$tmp/$1; shift
  mkdir -p "$d/etc" "$d/bin" "$d/usr/lib"
  printf '%s\n' "$@" > "$d/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$d/etc/os-release"
  : > "$d/etc/fstab"
}
# rel NAME FILE LINE: only a release file (and an empty fstab).
rel() {
  local d=$tmp/$1
  mkdir -p "$d/etc" "$d/bin" "$(dirname "$d$2")"
  printf '%s\n' "$3" > "$d$2"
  : > "$d/etc/fstab"
}

ROOTS1="alma9 alma8 rocky9 rocky8 ol8 ol9 leap tumbleweed sles15 sles12 alpine arch gentoo void mageia"
ROOTS2="alt mint ubuntu debian fedora centos8 stream9 rhel9 rhel7 kali scientific rhel6 centos6 debian3 mageia6"
osr alma9 'NAME="AlmaLinux"' 'VERSION="9.2 (Turquoise Kodkod)"' 'ID="almalinux"' \
  'ID_LIKE="rhel centos fedora"' 'VERSION_ID="9.2"' 'PRETTY_NAME="AlmaLinux 9.2 (Turquoise Kodkod)"'
osr alma8 'NAME="AlmaLinux"' 'VERSION="8.8 (Sapphire Caracal)"' 'ID="almalinux"' \
  'ID_LIKE="rhel centos fedora"' 'VERSION_ID="8.8"' 'PRETTY_NAME="AlmaLinux 8.8 (Sapphire Caracal)"'
osr rocky9 'NAME="Rocky Linux"' 'VERSION="9.2 (Blue Onyx)"' 'ID="rocky"' 'ID_LIKE="rhel centos fedora"' \
  'VERSION_ID="9.2"' 'PRETTY_NAME="Rocky Linux 9.2 (Blue Onyx)"'
osr rocky8 'NAME="Rocky Linux"' 'VERSION="8.6 (Green Obsidian)"' 'ID="rocky"' 'ID_LIKE="rhel centos fedora"' \
  'VERSION_ID="8.6"' 'PRETTY_NAME="Rocky Linux 8.6 (Green Obsidian)"'
osr ol8 'NAME="Oracle Linux Server"' 'VERSION="8.8"' 'ID="ol"' 'ID_LIKE="fedora"' 'VERSION_ID="8.8"' \
  'PRETTY_NAME="Oracle Linux Server 8.8"'
osr ol9 'NAME="Oracle Linux Server"' 'VERSION="9.2"' 'ID="ol"' 'ID_LIKE="fedora"' 'VERSION_ID="9.2"' \
  'PRETTY_NAME="Oracle Linux Server 9.2"'
osr leap 'NAME="openSUSE Leap"' 'VERSION="15.4"' 'ID="opensuse-leap"' 'ID_LIKE="suse opensuse"' \
  'VERSION_ID="15.4"' 'PRETTY_NAME="openSUSE Leap 15.4"'
osr tumbleweed 'NAME="openSUSE Tumbleweed"' 'ID="opensuse-tumbleweed"' 'ID_LIKE="opensuse suse"' \
  'VERSION_ID="20231120"' 'PRETTY_NAME="openSUSE Tumbleweed"'
osr sles15 'NAME="SLES"' 'VERSION="15-SP5"' 'VERSION_ID="15.5"' \
  'PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"' 'ID="sles"' 'ID_LIKE="suse"'
osr sles12 'NAME="SLES"' 'VERSION="12"' 'VERSION_ID="12"' \
  'PRETTY_NAME="SUSE Linux Enterprise Server 12"' 'ID="sles"'
osr alpine 'NAME="Alpine Linux"' 'ID=alpine' 'VERSION_ID=3.17.5' 'PRETTY_NAME="Alpine Linux v3.17"'
osr arch 'NAME="Arch Linux"' 'PRETTY_NAME="Arch Linux"' 'ID=arch' 'BUILD_ID=rolling'
osr gentoo 'NAME=Gentoo' 'ID=gentoo' 'PRETTY_NAME="Gentoo Linux"' 'VERSION_ID="2.14"'
osr void 'NAME="Void"' 'ID="void"' 'PRETTY_NAME="Void Linux"'
osr mageia 'NAME="Mageia"' 'VERSION="8"' 'ID=mageia' 'VERSION_ID=8' 'PRETTY_NAME="Mageia 8"'
osr alt 'NAME="ALT Workstation"' 'VERSION="10.1 (Aris)"' 'ID=altlinux' 'VERSION_ID=10.1' \
  'PRETTY_NAME="ALT Workstation 10.1 (Aris)"'
osr mint 'NAME="Linux Mint"' 'VERSION="21.2 (Victoria)"' 'ID=linuxmint' 'ID_LIKE="ubuntu debian"' \
  'PRETTY_NAME="Linux Mint 21.2"' 'VERSION_ID="21.2"'
osr ubuntu 'PRETTY_NAME="Ubuntu 22.04.3 LTS"' 'NAME="Ubuntu"' 'VERSION_ID="22.04"' 'ID=ubuntu'
osr debian 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"' 'NAME="Debian GNU/Linux"' 'VERSION_ID="11"' 'ID=debian'
osr fedora 'NAME="Fedora Linux"' 'VERSION="37 (Server Edition)"' 'ID=fedora' 'VERSION_ID=37' \
  'PRETTY_NAME="Fedora Linux 37 (Server Edition)"' 'VARIANT="Server Edition"' 'VARIANT_ID=server'
osr centos8 'NAME="CentOS Linux"' 'VERSION="8"' 'ID="centos"' 'VERSION_ID="8"' 'PRETTY_NAME="CentOS Linux 8"'
osr stream9 'NAME="CentOS Stream"' 'VERSION="9"' 'ID="centos"' 'VERSION_ID="9"' 'PRETTY_NAME="CentOS Stream 9"'
osr rhel9 'NAME="Red Hat Enterprise Linux"' 'VERSION="9.3 (Plow)"' 'ID="rhel"' 'VERSION_ID="9.3"' \
  'PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"'
osr rhel7 'NAME="Red Hat Enterprise Linux Server"' 'VERSION="7.9 (Maipo)"' 'ID="rhel"' 'VERSION_ID="7.9"' \
  'PRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"'
osr kali 'PRETTY_NAME="Kali GNU/Linux Rolling"' 'NAME="Kali GNU/Linux"' 'VERSION_ID="2023.3"' 'ID=kali'
osr scientific 'NAME="Scientific Linux"' 'VERSION="7.9 (Nitrogen)"' 'ID="scientific"' 'VERSION_ID="7.9"' \
  'PRETTY_NAME="Scientific Linux 7.9 (Nitrogen)"'
rel rhel6 /etc/redhat-release 'Red Hat Enterprise Linux Server release 6.10 (Santiago)'
rel centos6 /etc/centos-release 'CentOS release 6.10 (Final)'
rel debian3 /etc/debian_version '3.1'
rel mageia6 /etc/mageia-release 'Mageia release 6 (Official) for x86_64'

disk() {  # disk OUT ROOTS...
  local out=$1; shift
  local n=0 start=2048 script=$tmp/script
  echo run > "$script"
  echo "part-init /dev/sda gpt" >> "$script"
  for r in "$@"; do
    echo "part-add /dev/sda p $start $((start + 2047))" >> "$script"
    start=$((start + 2048))
  done
  for r in "$@"; do
    n=$((n + 1))
    tar -C "$tmp/$r" --owner=0 --group=0 -cf "$tmp/$r.tar" .
    printf 'mkfs ext2 /dev/sda%d\nmount /dev/sda%d /\ntar-in %s /\numount /\n' \
      $n $n "$tmp/$r.tar" >> "$script"
  done
  truncate -s $(( (start + 2048) * 512 )) "$tmp/disk.img"
  "$fish" -a "$tmp/disk.img" -f "$script"
  mv "$tmp/disk.img" "$out"
}
mkdir -p "$outdir"
# shellcheck disable=SC2086
disk "$outdir/osrel-1.img" $ROOTS1
# shellcheck disable=SC2086
disk "$outdir/osrel-2.img" $ROOTS2
