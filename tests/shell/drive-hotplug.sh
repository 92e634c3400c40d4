#!/bin/bash
# add_drive on a launched handle (direct backend): the drive is hot-added
# over QMP and appears as the next /dev/sdX at once, read-only and format
# honoured; what cannot be hot-added (a scratch drive, a missing file)
# fails with a clear error and leaves the handle working.  A remote drive
# after launch is refused by lib/drives.c (not tried here: it needs a
# server).
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
finish
