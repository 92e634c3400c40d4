#!/bin/bash
# add_drive on a launched handle (direct backend): the drive is hot-added
# over QMP and appears as the next /dev/sdX at once, read-only and format
# honoured; what cannot be hot-added (a scratch drive, a missing file)
# fails with a clear error and leaves the handle working.  A remote drive
# after launch is refused by lib/drives.c (not tried here: it needs a
# server).  remove_drive on a launched handle: refused (EBUSY) while the
# disk is mounted, then unplugged; the other drives keep their names, the
# next hot-add takes the free one, and writes land in the right image.
# (tests/shell/launch-libvirt.sh does the same on the libvirt backend.)
. "$(dirname "$0")/fish-lib.bash"
need_launch

printf 'disk-A\n' > "$tmp/a.img"; truncate -s 16M "$tmp/a.img"
printf 'disk-B\n' > "$tmp/b.raw"; truncate -s 16M "$tmp/b.raw"
qemu-img convert -q -f raw -O qcow2 "$tmp/b.raw" "$tmp/b.qcow2"
printf 'disk-C\n' > "$tmp/c.img"; truncate -s 16M "$tmp/c.img"

"$fish" -a "$tmp/a.img" <<EOF > "$tmp/out" 2> "$tmp/err"
run
add-drive $tmp/b.qcow2 format:qcow2
add-drive-ro $tmp/c.img
list-devices
pread-device /dev/sdb 7 0
pread-device /dev/sdc 7 0
pwrite-device /dev/sdc "written" 0
-add-drive-scratch 16M
-add-drive $tmp/nosuch.img
list-devices
EOF
rc=$?
expect="/dev/sda
/dev/sdb
/dev/sdc
disk-B
disk-C
7
/dev/sda
/dev/sdb
/dev/sdc"
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$expect" ]; then
  ok "drives added after launch are sdb and sdc, at once, format honoured"
else
  echo "# exit status $rc"; notok "drives added after launch are sdb and sdc, at once, format honoured"
fi
if [ "$(head -c 6 "$tmp/c.img")" = disk-C ]; then ok "the hot-added read-only drive is untouched"
else notok "the hot-added read-only drive is untouched"; fi
err_has "a scratch drive after launch: a clear error" 'add_drive_scratch: this function can only be called in the config state'
err_has "a missing file after launch: an error naming it" 'nosuch.img: No such file or directory'
# ---- hot-remove ----
printf 'disk-D\n' > "$tmp/d.img"; truncate -s 16M "$tmp/d.img"
truncate -s 32M "$tmp/e.img"
"$fish" <<EOF > "$tmp/out" 2> "$tmp/err"
add $tmp/a.img label:A
add $tmp/e.img label:E
add $tmp/c.img label:C
run
mkfs ext4 /dev/sdb
mount /dev/sdb /
write /f data-E
-remove-drive E
echo busy-kept
list-devices
umount /
remove-drive E
echo removed
list-devices
list-disk-labels
pread-device /dev/sdc 7 0
add $tmp/d.img label:D
echo added
list-devices
list-disk-labels
pread-device /dev/sdb 7 0
pwrite-device /dev/sdb "D-wrote" 0
remove-drive C
add $tmp/e.img readonly:true label:E2
echo readded
list-disk-labels
mount-ro /dev/sdc /
cat /f
-remove-drive nosuchlabel
EOF
rc=$?
expect="busy-kept
/dev/sda
/dev/sdb
/dev/sdc
removed
/dev/sda
/dev/sdc
A: /dev/sda
C: /dev/sdc
disk-C
added
/dev/sda
/dev/sdb
/dev/sdc
A: /dev/sda
D: /dev/sdb
C: /dev/sdc
disk-D
7
readded
A: /dev/sda
D: /dev/sdb
E2: /dev/sdc
data-E"
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$expect" ]; then
  ok "remove_drive after launch: the others keep their names, the next add takes the free one"
else
  echo "# exit status $rc"; diff <(echo "$expect") "$tmp/out" | sed 's/^/# /'
  notok "remove_drive after launch: the others keep their names, the next add takes the free one"
fi
err_has "a mounted drive is not removed: EBUSY with the reason" 'remove_drive: E: the drive is in use: /dev/sdb is mounted'
err_has "an unknown label: a clear error" "there is no drive with label 'nosuchlabel'"
if [ "$(head -c 7 "$tmp/d.img")" = D-wrote ] && [ "$(head -c 6 "$tmp/c.img")" = disk-C ]; then
  ok "writes after the hot-remove and hot-add landed in the right image"
else notok "writes after the hot-remove and hot-add landed in the right image"; fi
if [ "$(head -c 6 "$tmp/a.img")" = disk-A ]; then ok "the untouched drive is untouched"
else notok "the untouched drive is untouched"; fi

finish
