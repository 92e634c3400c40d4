#!/bin/bash
# A hostile guest's FIFOs and device nodes are never opened as data:
# a FIFO (would hang the call), "c 1 5" (/dev/zero: endless data) and a
# block node "b 8 16" naming the second attached disk (writing it would
# overwrite that disk).  Every call that reads or writes guest file data
# refuses them at once with "PATH: not a regular file (...)", the other
# disk stays untouched, and user mounts carry nodev unless the options
# say "dev".  One guestfish session under a time bound: a call that
# blocks makes the whole session time out and the checks fail.
# Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch

truncate -s 64M "$tmp/other.img"
printf 'OTHERDISK' | dd of="$tmp/other.img" conv=notrunc status=none
before=$(sha256sum < "$tmp/other.img")
echo local > "$tmp/local.txt"

# "-" before a command: go on after its error.
cmds='
mount /dev/sda1 /
mkfifo 0644 /fifo
mknod-c 0644 1 5 /zero
mknod-b 0644 8 16 /sdb
ln-s fifo /tofifo
write /reg hello
-cat /fifo
-cat /zero
-cat /tofifo
-read-file /zero
-read-file /sdb
-checksum md5 /fifo
-checksum sha256 /zero
-download /zero '"$tmp"'/zero.out
-download /fifo '"$tmp"'/fifo.out
-upload '"$tmp"'/local.txt /sdb
-upload '"$tmp"'/local.txt /fifo
-write /sdb xx
-write /fifo xx
-write-append /sdb xx
-cp /reg /sdb
-cp /zero /copy
-cp /fifo /copy
-equal /reg /fifo
-equal /zero /reg
-pread /fifo 10 0
-pwrite /sdb abc 0
-hivex-open /fifo
-isoinfo /zero
-mkswap-file /sdb
-mount-loop /zero /
-zfile gzip /fifo
cp /reg /reg2
cat /reg2
echo MOUNTS
debug mounts ""
umount /
mount-options dev /dev/sda1 /
echo MOUNTS-DEV
debug mounts ""
-cat /zero
'
start=$(date +%s)
printf '%s\n' "$cmds" | timeout 300 "$fish" --format=raw -N "$tmp/disk.img=fs:ext4:64M" \
  --format=raw -a "$tmp/other.img" > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
echo "# guestfish exit status $rc after ${secs}s"
if [ "$rc" = 124 ]; then notok "the session ends (a call hung)"; else ok "the session ends"; fi

refused () {   # refused CALL PATH TYPE
  if grep -qF -- "error: $1: $2: not a regular file ($3)" "$tmp/err"; then
    ok "$1 $2 refused ($3)"
  else notok "$1 $2 refused ($3)"; fi
}
refused cat /fifo "a FIFO"
refused cat /zero "a character device"
refused cat /tofifo "a FIFO"
refused read_file /zero "a character device"
refused read_file /sdb "a block device"
refused checksum /fifo "a FIFO"
refused checksum /zero "a character device"
refused download /zero "a character device"
refused download /fifo "a FIFO"
refused upload /sdb "a block device"
refused upload /fifo "a FIFO"
refused write /sdb "a block device"
refused write /fifo "a FIFO"
refused write_append /sdb "a block device"
refused cp /sdb "a block device"
refused cp /zero "a character device"
refused cp /fifo "a FIFO"
refused equal /fifo "a FIFO"
refused equal /zero "a character device"
refused pread /fifo "a FIFO"
refused pwrite /sdb "a block device"
refused hivex_open /fifo "a FIFO"
refused isoinfo /zero "a character device"
refused mkswap_file /sdb "a block device"
refused mount_loop /zero "a character device"
refused zfile /fifo "a FIFO"

if [ "$before" = "$(sha256sum < "$tmp/other.img")" ]; then
  ok "the disk the block node names is unchanged"
else notok "the disk the block node names is unchanged"; fi
if [ ! -e "$tmp/zero.out" ] && [ ! -e "$tmp/fifo.out" ]; then
  ok "no host file was created for the refused downloads"
else notok "no host file was created for the refused downloads"; fi
out_has "regular files still work" '^hello$'

# The guest's mount on /sysroot: nodev by default, not with "dev".
sysroot_default=$(sed -n '/^MOUNTS$/,/^MOUNTS-DEV$/p' "$tmp/out" | grep ' /sysroot ')
sysroot_dev=$(sed -n '/^MOUNTS-DEV$/,$p' "$tmp/out" | grep ' /sysroot ')
echo "# default: $sysroot_default"
echo "# dev:     $sysroot_dev"
case "$sysroot_default" in
  *' /sysroot '*nodev*' - '*) ok "mount: nodev by default" ;;
  *) notok "mount: nodev by default" ;;
esac
case "$sysroot_dev" in
  *' /sysroot '*nodev*' - '*) notok "mount-options dev: no nodev" ;;
  *' /sysroot '*) ok "mount-options dev: no nodev" ;;
  *) notok "mount-options dev: no nodev" ;;
esac
# Even with "dev", the node is not read as data.
if [ "$(grep -cF 'error: cat: /zero: not a regular file' "$tmp/err")" = 2 ]; then
  ok "cat of a node refused on a dev mount too"
else notok "cat of a node refused on a dev mount too"; fi
finish
