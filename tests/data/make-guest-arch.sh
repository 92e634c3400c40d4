#!/bin/bash
# A small fake Arch Linux guest for the inspection tests: os-release
# without a version (rolling), an empty arch-release, and a pacman local
# database (/var/lib/pacman/local/NAME-VERSION/desc) with an epoch.
# usage: make-guest-arch.sh OUTPUT.img   (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
guest_start "$@"
mkdir -p "$t/etc" "$t/usr/bin" "$t/usr/lib" "$t/var/lib/pacman/local" "$t/boot" "$t/home"
ln -s usr/bin "$t/bin"
cat > "$t/usr/lib/os-release" <<'X'
NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
ANSI_COLOR="38;2;23;147;209"
HOME_URL="https://archlinux.org/"
LOGO=archlinux-logo
X
ln -s ../usr/lib/os-release "$t/etc/os-release"
: > "$t/etc/arch-release"
echo "archbox" > "$t/etc/hostname"
printf '# /etc/fstab\nLABEL=arch-root / ext4 rw,relatime 0 1\n' > "$t/etc/fstab"
cp /bin/ls "$t/usr/bin/ls"
echo 9 > "$t/var/lib/pacman/local/ALPM_DB_VERSION"
pkg() {  # name version base desc url arch
  local d="$t/var/lib/pacman/local/$1-${2#*:}"
  mkdir -p "$d"
  printf '%%NAME%%\n%s\n\n%%VERSION%%\n%s\n\n%%BASE%%\n%s\n\n%%DESC%%\n%s\n\n%%URL%%\n%s\n\n%%ARCH%%\n%s\n\n%%BUILDDATE%%\n1700000000\n\n%%INSTALLDATE%%\n1700000100\n\n%%PACKAGER%%\nArch Packager <packager@archlinux.org>\n\n%%SIZE%%\n9000000\n\n%%LICENSE%%\nGPL\n\n%%VALIDATION%%\npgp\n\n%%DEPENDS%%\nglibc\n\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" > "$d/desc"
  : > "$d/files"
}
pkg bash 5.2.026-2 bash "The GNU Bourne Again shell" https://www.gnu.org/software/bash/bash.html x86_64
pkg grub 2:2.12-1 grub "GNU GRand Unified Bootloader (2)" https://www.gnu.org/software/grub/ x86_64
pkg iana-etc 20240305-1 iana-etc "/etc/protocols and /etc/services provided by IANA" https://www.iana.org/protocols any
guest_image "$out" ext4 arch-root
