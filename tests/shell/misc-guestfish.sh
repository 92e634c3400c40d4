#!/bin/bash
# Miscellaneous calls through guestfish, where the table tests cannot
# reach: ls0 (a FileOut), the printed format of the deprecated stat
# structs, mkmountpoint + mount + rmmountpoint with nothing on "/",
# guestfish -m DEV:MNT:OPTS:FSTYPE (mount_vfs) with remount, and the
# daemon going away on purpose (internal_exit) without the library
# hanging.  Two appliance launches.  Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch

truncate -s 64M "$tmp/a.img"
drive=(--format=raw -a "$tmp/a.img")

script "ls0, lstatlist, findfs, mkmountpoint" 0 "$(cat <<'EOF'
[0] = {
  dev: 0
  ino: -1
  mode: 0
  nlink: 0
  uid: 0
  gid: 0
  rdev: 0
  size: 0
  blksize: 0
  blocks: 0
  atime: 0
  mtime: 0
  ctime: 0
}
/dev/sda1
x y
a
b
EOF
)" "$(cat <<EOF
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1 label:MISCFS
mount /dev/sda1 /
mkdir /d
touch /d/a
touch /d/b
ls0 /d $tmp/ls0.out
lstatlist /d "nosuch"
findfs-label MISCFS
echo-daemon "x y"
umount-all
mkmountpoint /cd
mount /dev/sda1 /cd
ls /cd/d
umount /cd
rmmountpoint /cd
EOF
)" "${drive[@]}"
if [ -s "$tmp/ls0.out" ] && [ "$(tr '\0' '\n' < "$tmp/ls0.out" | sort | tr '\n' ' ')" = "a b " ] &&
   [ "$(tail -c 1 "$tmp/ls0.out" | od -An -c | tr -d ' ')" = '\0' ]; then
  ok "ls0 wrote NUL-separated names"
else
  notok "ls0 wrote NUL-separated names"
fi

script "guestfish -m with a filesystem type, remount, internal-exit" 0 "$(cat <<'EOF'
a
b
/dev/sda1
true
done
EOF
)" "$(cat <<'EOF'
ls /d
mounts
-touch /x
remount / rw:true
touch /x
exists /x
internal-exit
echo done
-ping-daemon
EOF
)" "${drive[@]}" -m /dev/sda1:/:ro:ext4
err_has "read-only mount refuses writes" "touch: /x: Read-only file system"
err_has "calls after internal-exit fail" "ping-daemon\|ping_daemon\|closed the connection"

# The daemon dying in the middle of an upload: tests/c/test-daemon-death.c
# (internal_rhbz914931 is not a guestfish command).

finish
