#!/bin/bash
# Two disks of a fake Debian 12 guest pair whose /boot is an MD RAID1
# (metadata 1.2, array name "boot") across the first partition of each
# disk, for the inspection differences of issue 19 (inspect-mdboot.sh):
#   /dev/sda1 + /dev/sdb1   RAID1 "boot", ext4 labelled MDBOOT (the
#                           appliance assembles it as /dev/md127)
#   /dev/sda2  ext4  root A: fstab names /boot /dev/md0, which its
#                    mdadm.conf ties to the array's UUID, names /srv
#                    by the array name (/dev/md/boot), and has an
#                    encrypted swap (/dev/mapper/cryptswap, listed in
#                    /etc/crypttab)
#   /dev/sdb2  ext4  root B: fstab names /boot by the filesystem UUID
# usage: make-guest-mdboot.sh OUTDIR   (GUESTFISH names the guestfish)
# Makes OUTDIR/mdboot-a.img and OUTDIR/mdboot-b.img, rebuilt only when
# this script is newer.
set -eu
outdir=${1:?usage: make-guest-mdboot.sh OUTDIR}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$outdir/mdboot-a.img" ] && [ -s "$outdir/mdboot-b.img" ] &&
   [ "$outdir/mdboot-a.img" -nt "$0" ] && [ "$outdir/mdboot-b.img" -nt "$0" ]; then
  exit 0
fi
tmp=$(mktemp -d /tmp/make-guest-mdboot-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 24M "$tmp/a.img" "$tmp/b.img"

# root NAME HOSTNAME: a Debian tree in $tmp/NAME.
root () {
  local d=$tmp/$1
  mkdir -p "$d/etc/mdadm" "$d/bin" "$d/usr/lib" "$d/boot" "$d/srv"
  printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' 'NAME="Debian GNU/Linux"' \
    'VERSION_ID="12"' 'ID=debian' > "$d/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$d/etc/os-release"
  echo 12.5 > "$d/etc/debian_version"
  echo "$2" > "$d/etc/hostname"
}
root a mdboot-a
root b mdboot-b
printf '%s\n' 'cryptswap /dev/sda3 /dev/urandom swap,cipher=aes-xts-plain64,size=256' \
  > "$tmp/a/etc/crypttab"
tar -C "$tmp/a" --owner=0 --group=0 -cf "$tmp/a.tar" .
tar -C "$tmp/b" --owner=0 --group=0 -cf "$tmp/b.tar" .

ids=$("$fish" -a "$tmp/a.img" -a "$tmp/b.img" <<GF
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 18431
part-add /dev/sda p 18432 -2048
part-init /dev/sdb mbr
part-add /dev/sdb p 2048 18431
part-add /dev/sdb p 18432 -2048
md-create boot "/dev/sda1 /dev/sdb1" level:raid1
mkfs ext4 /dev/md127 label:MDBOOT
mount /dev/md127 /
write /vmlinuz-6.1.0-18-amd64 "kernel"
umount /
mkfs ext4 /dev/sda2
mount /dev/sda2 /
tar-in $tmp/a.tar /
umount /
mkfs ext4 /dev/sdb2
mount /dev/sdb2 /
tar-in $tmp/b.tar /
umount /
vfs-uuid /dev/md127
md-detail /dev/md127
GF
)
uuid=$(echo "$ids" | head -1)
mduuid=$(echo "$ids" | sed -n 's/^uuid: //p')
[ -n "$uuid" ] && [ -n "$mduuid" ] || { echo "$0: could not read the /boot UUIDs" >&2; exit 1; }
"$fish" -a "$tmp/a.img" -a "$tmp/b.img" <<GF
run
mount /dev/sda2 /
write /etc/mdadm/mdadm.conf "ARRAY /dev/md0 metadata=1.2 name=debian:boot UUID=$mduuid\n"
write /etc/fstab "# root A\n/dev/sda2 / ext4 defaults 0 1\n/dev/md0 /boot ext4 defaults 0 2\n/dev/md/boot /srv ext4 defaults 0 2\n/dev/mapper/cryptswap none swap sw 0 0\n"
umount /
mount /dev/sdb2 /
write /etc/fstab "# root B\n/dev/sdb2 / ext4 defaults 0 1\nUUID=$uuid /boot ext4 defaults 0 2\n"
GF
mkdir -p "$outdir"
mv "$tmp/a.img" "$outdir/mdboot-a.img"
mv "$tmp/b.img" "$outdir/mdboot-b.img"
