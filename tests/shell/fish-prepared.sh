#!/bin/bash
# guestfish -N: every prepared disk type and its parameters (small sizes:
# everything runs under TCG).
. "$(dirname "$0")/fish-lib.bash"
need_launch

run "-N disk, part, fs" 0 "$(printf '%s\n' '/dev/sda: unknown' '/dev/sdb1: unknown' \
  '/dev/sdc1: ext4' gpt msdos)" \
  -N disk:8M -N p.img=part:8M:gpt -N fs:ext4:16M list-filesystems : \
  part-get-parttype /dev/sdb : part-get-parttype /dev/sdc
if [ "$(stat -c %s test1.img)" = 8388608 ] && [ -f p.img ] && [ -f test3.img ]
then ok "-N file names and sizes"; else notok "-N file names and sizes"; fi

script "-N bootroot" 0 "$(printf '%s\n' '/dev/sda1: ext2' '/dev/sda2: ext4' 2)" \
  'list-filesystems
part-list /dev/sda | grep -c part_num' -N b.img=bootroot:ext2:ext4:24M:4M
# libguestfs's layouts: part_disk from sector 128 to 128 sectors before the
# end; bootroot's boot partition from sector 64 for bootsize, the root one
# after it up to 64 sectors before the end (24M = 49152 sectors, 4M = 8192).
script "-N layouts as libguestfs's" 0 "$(printf '%s\n' 'part_start: 32768' \
  'part_end: 4227071' 'part_start: 4227072' 'part_end: 25133567' \
  'part_start: 65536' 'part_end: 8323583')" \
  'part-list /dev/sda | grep -E "part_(start|end)" | sed "s/^ *//"
part-list /dev/sdb | grep -E "part_(start|end)" | sed "s/^ *//"' \
  -N b2.img=bootroot:ext2:ext4:24M:4M -N p2.img=part:8M
run "-N fs then -m" 0 "x" -N fs:ext2:8M -m /dev/sda1 write /x x : cat /x

if "$fish" -h lvcreate-free > /dev/null 2>&1; then
  script "-N lv and lvfs" 0 "$(printf '%s\n' /dev/G/L /dev/VG/LV '/dev/G/L: unknown' '/dev/VG/LV: ext4')" \
    'lvs
list-filesystems | grep /dev/.*/L' -N l.img=lv:/dev/G/L:16M -N lvfs:/dev/VG/LV:ext4:24M
  run "-N bootrootlv" 0 "$(printf '%s\n' '/dev/sda1: ext2' '/dev/R/root: ext2')" \
    -N br.img=bootrootlv:/dev/R/root:ext2:ext2:32M:4M list-filesystems
else
  run "-N lv without LVM" 1 "" -N lv
  err_has "-N lv message" "no LVM commands"
fi
finish
