#!/bin/bash
# The bootable Debian 12 guest of make-guest-debootstrap-boot.sh
# (DIR/disk.img, built first if needed) turned into the two "foreign"
# guests tests/soak/virt-v2v-boot.sh packages and converts.  Each is a
# copy of disk.img changed from inside our appliance (the guest's own
# dpkg and update-initramfs run there, never on the host):
#   DIR/vmware.img   a VMware guest: a package named open-vm-tools is
#                    installed, a small .deb built here with dpkg-deb (the
#                    tools' programs as stand-in scripts, a disabled
#                    systemd unit and the conffile
#                    /etc/vmware-tools/tools.conf), so that virt-v2v's
#                    removal of the VMware tools can be checked.  fstab
#                    and grub.cfg name /dev/sda1, as in disk.img.
#   DIR/xen.img      a Xen PV guest: fstab and grub.cfg name /dev/xvda1
#                    (console=hvc0), and the initramfs is rebuilt with
#                    MODULES=list holding xen-blkfront and ext4 only: its
#                    only disk driver is Xen's block front end.
#   DIR/foreign.sha256  the hash of this recipe and of disk.img's, so that
#                    a new disk.img or a changed recipe rebuilds them
# usage: make-guest-debootstrap-boot-foreign.sh DIR  (GUESTFISH names our
# guestfish).  Exits 77 when disk.img cannot be built here.  Takes about
# two appliance launches and one update-initramfs under TCG (minutes).
set -eu
dir=${1:?usage: make-guest-debootstrap-boot-foreign.sh DIR}
fish=${GUESTFISH:?set GUESTFISH to our guestfish}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
bash "$here/make-guest-debootstrap-boot.sh" "$dir" || rc=$?
[ $rc = 0 ] || exit $rc
source "$here/guest-lib.sh"
stamp=$(echo "$(guest_recipe "$0") $(cat "$dir/recipe.sha256")" | sha256sum | cut -d' ' -f1)
if [ -s "$dir/vmware.img" ] && [ -s "$dir/xen.img" ] &&
   [ "$(cat "$dir/foreign.sha256" 2> /dev/null)" = "$stamp" ]; then
  exit 0
fi

# ---- recipe (its hash and disk.img's, in DIR/foreign.sha256)
kver=$(cat "$dir/kernel.txt")
tmp=$(mktemp -d "$dir/foreign-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The stand-in VMware tools package.
p=$tmp/pkg
mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/etc/vmware-tools" "$p/lib/systemd/system"
cat > "$p/DEBIAN/control" <<C
Package: open-vm-tools
Version: 2:12.2.0-1+hatch1
Architecture: amd64
Maintainer: Hatch tests <tests@hatch.invalid>
Section: admin
Priority: optional
Description: stand-in for the VMware guest tools (Hatch's virt-v2v tests)
 Installs the names the VMware tools install (vmtoolsd,
 vmware-toolbox-cmd, tools.conf, open-vm-tools.service) as small
 placeholders, so that a converter's removal of them can be checked.
C
echo /etc/vmware-tools/tools.conf > "$p/DEBIAN/conffiles"
printf '[logging]\nlog = true\n' > "$p/etc/vmware-tools/tools.conf"
for b in vmtoolsd vmware-toolbox-cmd; do
  printf '#!/bin/sh\necho "%s: a stand-in, not the VMware tools" >&2\nexit 1\n' "$b" > "$p/usr/bin/$b"
  chmod 755 "$p/usr/bin/$b"
done
printf '[Unit]\nDescription=Service for virtual machines hosted on VMware\nConditionVirtualization=vmware\n\n[Service]\nExecStart=/usr/bin/vmtoolsd\n' \
  > "$p/lib/systemd/system/open-vm-tools.service"
dpkg-deb --root-owner-group -Zxz --build "$p" "$tmp/open-vm-tools.deb" > /dev/null

cp --sparse=always "$dir/disk.img" "$tmp/vmware.img"
"$fish" --format=raw -a "$tmp/vmware.img" -m /dev/sda1 > "$tmp/vmware.log" 2>&1 <<GF ||
upload $tmp/open-vm-tools.deb /tmp/open-vm-tools.deb
command "dpkg -i /tmp/open-vm-tools.deb"
rm /tmp/open-vm-tools.deb
sh "dpkg-query -W -f '\${db:Status-Abbrev}\n' open-vm-tools"
GF
  { cat "$tmp/vmware.log" >&2; echo "$0: installing open-vm-tools in the guest failed" >&2; exit 1; }
grep -q '^ii' "$tmp/vmware.log" ||
  { cat "$tmp/vmware.log" >&2; echo "$0: open-vm-tools is not installed in vmware.img" >&2; exit 1; }

cp --sparse=always "$dir/disk.img" "$tmp/xen.img"
printf '/dev/xvda1 / ext4 errors=remount-ro 0 1\n' > "$tmp/fstab"
printf 'xen-blkfront\next4\n' > "$tmp/modules"
"$fish" --format=raw -a "$tmp/xen.img" -m /dev/sda1 > "$tmp/xen.log" 2>&1 <<GF ||
upload $tmp/fstab /etc/fstab
upload $tmp/modules /etc/initramfs-tools/modules
command "sed -i -e s,root=/dev/sda1,root=/dev/xvda1, /boot/grub/grub.cfg"
command "update-initramfs -u -k $kver"
echo ----
sh "lsinitramfs /boot/initrd.img-$kver | grep '[.]ko' | xargs -n1 basename | sort"
GF
  { cat "$tmp/xen.log" >&2; echo "$0: making the Xen guest failed" >&2; exit 1; }
mods=$(sed -n '/^----$/,$p' "$tmp/xen.log")
if ! grep -q '^xen-blkfront\.ko' <<< "$mods" || grep -Eq '^(virtio|ata_piix|sd_mod|ahci)' <<< "$mods"; then
  cat "$tmp/xen.log" >&2; echo "$0: the Xen guest's initramfs is not xen-blkfront only" >&2; exit 1
fi
mv "$tmp/vmware.img" "$dir/vmware.img"
mv "$tmp/xen.img" "$dir/xen.img"
echo "$stamp" > "$dir/foreign.sha256"
