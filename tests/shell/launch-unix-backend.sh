#!/bin/bash
# The unix:PATH backend attaches to a daemon that is already running.  The
# test starts the appliance VM by hand, as a user debugging the daemon
# would (its channel served by qemu on a Unix socket), then guestfish
# with LIBGUESTFS_BACKEND=unix:SOCKET works on the VM's disk; shutdown
# makes the daemon exit and the VM power off.  Adding drives, and a socket
# nobody serves, are clear errors.
. "$(dirname "$0")/fish-lib.bash"
need_launch
build=${HATCH_BUILDDIR:?}
echo "1..5"
read -r _ kernel initrd root < <("$build/appliance/hatch-make-appliance" | tr '\n' ' ')
sock=$tmp/daemon.sock
truncate -s 64M "$tmp/disk.img"
qemu-system-x86_64 -no-user-config -nodefaults -display none -no-reboot \
  -machine q35,accel=tcg -cpu max -m 768 \
  -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 panic=-1 quiet" \
  -serial "file:$tmp/console.log" \
  -drive "file=$root,format=raw,if=none,id=appliance,snapshot=on" \
  -device virtio-blk-pci,drive=appliance \
  -device virtio-serial-pci \
  -chardev "socket,path=$sock,server=on,wait=off,id=channel0" \
  -device virtserialport,chardev=channel0,name=org.libguestfs.channel.0 \
  -device virtio-scsi-pci,id=scsi \
  -drive "file=$tmp/disk.img,format=raw,if=none,id=hd0" -device scsi-hd,drive=hd0,bus=scsi.0 &
qpid=$!
cleanup_hooks+=("kill $qpid 2> /dev/null")
for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

LIBGUESTFS_BACKEND=unix:$sock "$fish" > "$tmp/out" 2> "$tmp/err" <<'GF'
get-backend
run
list-devices
mkfs ext4 /dev/sda
mount /dev/sda /
write /hello "over the unix backend"
cat /hello
GF
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "unix:$sock
/dev/sda
over the unix backend" ]; then ok "guestfish works through unix:SOCKET on a running daemon"
else notok "guestfish through unix:SOCKET (status $rc)"; fi

gone=no
for i in $(seq 300); do kill -0 $qpid 2> /dev/null || { gone=yes; break; }; sleep 0.1; done
if [ $gone = yes ]; then ok "shutdown: the daemon exited and its VM powered off"
else notok "the VM is still running 30 s after shutdown"; fi
# What the daemon wrote is on the VM's disk.
if [ "$("$fish" --ro -a "$tmp/disk.img" -m /dev/sda cat /hello 2> "$tmp/err")" = "over the unix backend" ]; then
  ok "the write reached the VM's disk"
else notok "the write reached the VM's disk"; fi

LIBGUESTFS_BACKEND=unix:$sock "$fish" -a "$tmp/disk.img" run > "$tmp/out" 2> "$tmp/err"
if [ $? != 0 ] && grep -q "add no drives" "$tmp/err"; then ok "drives with the unix: backend are refused"
else notok "drives with the unix: backend are refused"; fi

LIBGUESTFS_BACKEND=unix:$tmp/nobody.sock "$fish" run > "$tmp/out" 2> "$tmp/err"
if [ $? != 0 ] && grep -q "cannot connect to the daemon's socket (is the VM with the daemon running" "$tmp/err"; then
  ok "a socket nobody serves: a clear error"
else notok "a socket nobody serves: a clear error"; fi
exit $fail
