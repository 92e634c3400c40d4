#!/bin/bash
# Inspection differences of issue 19, pinned to libguestfs 1.48's answers
# (Debian's virt-inspector on the same images, checked by hand): /boot on
# an MD RAID1 assembled as /dev/md127 and named in the guest's fstab by the
# array name (/dev/md/boot, root A) or by the filesystem UUID (root B)
# is mapped to /dev/md127; an encrypted swap (/dev/mapper/cryptswap,
# listed in /etc/crypttab) is in the filesystem list, with no type, label
# or UUID in virt-inspector's XML.  Images: tests/data/make-guest-mdboot.sh
# (cached in the build directory).  TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-mdboot
echo "1..6"
if GUESTFISH=$fish bash "$top/tests/data/make-guest-mdboot.sh" "$data" > "$data/make-mdboot.log" 2>&1
then ok "build the MD RAID1 /boot images"
else notok "build the MD RAID1 /boot images"; sed 's/^/# /' "$data/make-mdboot.log" | tail; exit 1; fi

"$vi" --no-applications --no-icon --format=raw -a "$data/mdboot-a.img" -a "$data/mdboot-b.img" \
  > "$tmp/out.xml" 2> "$tmp/err"
check "virt-inspector exit status" 0 $?
q () { "$vi" --xpath "$1" < "$tmp/out.xml"; }
check "root A: /boot by array name is /dev/md127" '<mountpoint dev="/dev/sda2">/</mountpoint>
<mountpoint dev="/dev/md127">/boot</mountpoint>' \
  "$(q '//operatingsystem[root="/dev/sda2"]/mountpoints/mountpoint')"
check "root B: /boot by filesystem UUID is /dev/md127" '<mountpoint dev="/dev/sdb2">/</mountpoint>
<mountpoint dev="/dev/md127">/boot</mountpoint>' \
  "$(q '//operatingsystem[root="/dev/sdb2"]/mountpoints/mountpoint')"
check "root A: filesystems, the encrypted swap without type, label or UUID" \
  '/dev/mapper/cryptswap
/dev/md127 ext4 MDBOOT
/dev/sda2 ext4' \
  "$(q '//operatingsystem[root="/dev/sda2"]/filesystems/filesystem' |
     sed -e 's|<filesystem dev="\([^"]*\)"/*>|\1|' -e 's|<type>\([^<]*\)</type>| \1|' \
         -e 's|<label>\([^<]*\)</label>| \1|' -e 's|<uuid>[^<]*</uuid>||' -e 's|</filesystem>||' |
     tr -d '\n' | sed 's|/dev/|\n/dev/|g' | sed '/^$/d; s/ *$//')"
check "root B: filesystems" '/dev/md127 ext4 MDBOOT
/dev/sdb2 ext4' \
  "$(q '//operatingsystem[root="/dev/sdb2"]/filesystems/filesystem' |
     sed -e 's|<filesystem dev="\([^"]*\)"/*>|\1|' -e 's|<type>\([^<]*\)</type>| \1|' \
         -e 's|<label>\([^<]*\)</label>| \1|' -e 's|<uuid>[^<]*</uuid>||' -e 's|</filesystem>||' |
     tr -d '\n' | sed 's|/dev/|\n/dev/|g' | sed '/^$/d; s/ *$//')"
exit $fail
