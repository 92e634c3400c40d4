#!/bin/bash
# Inspection differences of issue 19, pinned to libguestfs 1.48's answers
# (Debian's virt-inspector on the same images, checked by hand): /boot on
# an MD RAID1 assembled as /dev/md127 and named in the guest's fstab as
# /dev/md0 with the array's UUID in mdadm.conf (root A) or by the
# filesystem UUID (root B) is mapped to /dev/md127, while a name the
# appliance has (/dev/md/boot) is kept; an encrypted swap (/dev/mapper/cryptswap,
# listed in /etc/crypttab) is in the filesystem list, with no type, label
# or UUID in virt-inspector's XML.  Images: tests/data/make-guest-mdboot.sh
# (cached in the build directory).  TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-mdboot
echo "1..8"
if GUESTFISH=$fish bash "$top/tests/data/make-guest-mdboot.sh" "$data" > "$data/make-mdboot.log" 2>&1
then ok "build the MD RAID1 /boot images"
else notok "build the MD RAID1 /boot images"; sed 's/^/# /' "$data/make-mdboot.log" | tail; exit 1; fi

"$vi" --no-applications --no-icon --format=raw -a "$data/mdboot-a.img" -a "$data/mdboot-b.img" \
  > "$tmp/out.xml" 2> "$tmp/err"
check "virt-inspector exit status" 0 $?
q () { "$vi" --xpath "$1" < "$tmp/out.xml"; }
# In libguestfs's order: shorter mountpoints first, then by name.
mps () { q "//operatingsystem[root=\"$1\"]/mountpoints/mountpoint"; }
check "root A: /dev/md0 (mdadm.conf UUID) is /dev/md127; /dev/md/boot kept" \
  "$(printf '%s\n' '<mountpoint dev="/dev/sda2">/</mountpoint>' \
     '<mountpoint dev="/dev/md/boot">/srv</mountpoint>' '<mountpoint dev="/dev/md127">/boot</mountpoint>')" \
  "$(mps /dev/sda2)"
check "root B: /boot by filesystem UUID is /dev/md127" \
  "$(printf '%s\n' '<mountpoint dev="/dev/sdb2">/</mountpoint>' '<mountpoint dev="/dev/md127">/boot</mountpoint>')" \
  "$(mps /dev/sdb2)"
check "root A: filesystems (with the encrypted swap)" \
  "/dev/mapper/cryptswap /dev/md/boot /dev/md127 /dev/sda2" \
  "$(q '//operatingsystem[root="/dev/sda2"]/filesystems/filesystem/@dev' | sed 's/.*dev="\([^"]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')"
# The swap has no type, label or UUID; /dev/md127 is ext4 "MDBOOT".  (1.48
# gives /dev/md/boot no type either: its appliance has no /dev/md/boot
# link.  Ours has one, so we say what is there.)
check "root A: the encrypted swap is an empty <filesystem>, /dev/md127 is ext4 MDBOOT" \
  '<filesystem dev="/dev/mapper/cryptswap"/> ext4 MDBOOT' \
  "$(q '//filesystem[@dev="/dev/mapper/cryptswap"]' | head -1) $(q 'string(//filesystem[@dev="/dev/md127"]/type)') $(q 'string(//filesystem[@dev="/dev/md127"]/label)')"
# virt-filesystems as libguestfs's: the array is the Parent of its
# filesystem (its members, by slot: libguestfs's order varies from one
# launch to the next), not a device row; a table this wide
# has one space between columns.
check "virt-filesystems --all --long: MD members as the Parent" \
"Name       Type       VFS  Label  MBR Size     Parent
/dev/sda2  filesystem ext4 -      -   12477440 -
/dev/sdb2  filesystem ext4 -      -   12477440 -
/dev/md127 filesystem ext4 MDBOOT -   5771264  /dev/sda1,/dev/sdb1
/dev/sda1  partition  -    -      83  8388608  /dev/sda
/dev/sda2  partition  -    -      83  14680576 /dev/sda
/dev/sdb1  partition  -    -      83  8388608  /dev/sdb
/dev/sdb2  partition  -    -      83  14680576 /dev/sdb
/dev/sda   device     -    -      -   25165824 -
/dev/sdb   device     -    -      -   25165824 -" \
  "$("$(dirname "$vi")/virt-filesystems" --format=raw -a "$data/mdboot-a.img" -a "$data/mdboot-b.img" --all --long 2>&1)"
# One disk of the mirror: the array still starts (degraded, read-only),
# with its one member, and its filesystem is readable.
check "one member of the mirror: the array starts degraded" "/dev/md127
[0] = {
  mdstat_device: /dev/sda1
  mdstat_index: 0
  mdstat_flags: 
}
MDBOOT" "$("$fish" --ro --format=raw -a "$data/mdboot-a.img" run : list-md-devices : \
           md-stat /dev/md127 : vfs-label /dev/md127 2>&1)"
exit $fail
