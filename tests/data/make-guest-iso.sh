#!/bin/bash
# Build a small fake install/live CD as an iso9660 image on the host with
# genisoimage (no appliance needed):
#   debian   Debian 12 netinst: .disk/info, .disk/cd_type, .disk/base_installable,
#            dists/bookworm/Release, pool/
#   fedora   Fedora 39 Everything boot.iso: .treeinfo, images/, no Packages/
#   ubuntu   Ubuntu 22.04 live desktop: .disk/info, casper/filesystem.squashfs
# usage: make-guest-iso.sh KIND OUTPUT.iso
# The image is rebuilt only when this script is newer than it.
set -eu
kind=${1:?usage: make-guest-iso.sh debian|fedora|ubuntu OUTPUT.iso}
out=${2:?usage: make-guest-iso.sh KIND OUTPUT.iso}
if [ -s "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi
mkiso=$(command -v genisoimage || command -v mkisofs || command -v xorrisofs) ||
  { echo "$0: genisoimage, mkisofs or xorrisofs is needed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/make-guest-iso-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/root
mkdir -p "$t"
case $kind in
debian)
  mkdir -p "$t/.disk" "$t/dists/bookworm/main/binary-amd64" "$t/pool/main/b/base-files" \
    "$t/install.amd" "$t/isolinux"
  printf 'Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST with firmware 20240210-11:27' > "$t/.disk/info"
  echo not_complete > "$t/.disk/cd_type"
  : > "$t/.disk/base_installable"
  echo main > "$t/.disk/base_components"
  printf 'Origin: Debian\nLabel: Debian\nSuite: stable\nVersion: 12.5\nCodename: bookworm\nArchitectures: amd64\nComponents: main\n' \
    > "$t/dists/bookworm/Release"
  echo "not a kernel" > "$t/install.amd/vmlinuz"
  echo "not a package" > "$t/pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb"
  label="Debian 12.5.0 amd64 n"
  ;;
fedora)
  mkdir -p "$t/images/pxeboot" "$t/isolinux"
  cat > "$t/.treeinfo" <<'X'
[header]
type = productmd.treeinfo
version = 1.2

[release]
name = Fedora
short = Fedora
version = 39

[general]
arch = x86_64
family = Fedora
name = Fedora 39
platforms = x86_64,xen
timestamp = 1698103387
variant = Everything
version = 39

[tree]
arch = x86_64
build_timestamp = 1698103387
platforms = x86_64,xen
variants = Everything
X
  echo "not a kernel" > "$t/images/pxeboot/vmlinuz"
  echo "not an image" > "$t/images/install.img"
  label="Fedora-E-dvd-x86_64-39"
  ;;
ubuntu)
  mkdir -p "$t/.disk" "$t/casper" "$t/dists/jammy" "$t/pool/main"
  printf 'Ubuntu 22.04.3 LTS "Jammy Jellyfish" - Release amd64 (20230807.2)' > "$t/.disk/info"
  echo full_cd/single > "$t/.disk/cd_type"
  : > "$t/.disk/base_installable"
  echo "not a squashfs" > "$t/casper/filesystem.squashfs"
  echo "not a kernel" > "$t/casper/vmlinuz"
  label="Ubuntu 22.04.3 LTS amd64"
  ;;
*) echo "$0: unknown kind $kind" >&2; exit 1 ;;
esac
"$mkiso" -quiet -r -J -V "$label" -o "$tmp/disk.iso" "$t"
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.iso" "$out"
