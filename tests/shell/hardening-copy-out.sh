#!/bin/bash
# Copying a guest tree out must not plant privileges on the host, even
# when run as root: setuid/setgid bits dropped, files owned by the caller,
# no device nodes or FIFOs created (they are skipped); ordinary files and
# symlinks arrive.  Through guestfish copy-out and virt-copy-out.
# Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch
build=${HATCH_BUILDDIR:-$here/../../build}
vco=$build/tools/virt-copy-out

printf '%s\n' \
  'mount /dev/sda1 /' \
  'mkdir /d' 'mkdir /d/sub' \
  'write /d/suid "#!/bin/sh"' 'chown 1234 1234 /d/suid' 'chmod 06755 /d/suid' \
  'write /d/sub/plain hello' 'chmod 0644 /d/sub/plain' \
  'mknod-c 0666 1 3 /d/null' 'mknod-b 0666 8 0 /d/sda' 'mkfifo 0666 /d/fifo' \
  'ln-s sub/plain /d/link' \
  | timeout 300 "$fish" -N "$tmp/disk.img=fs:ext4:32M" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ]; then ok "make the guest"; else notok "make the guest"; fi

check_tree () {   # check_tree NAME DIR
  local name=$1 d=$2
  ls -lnR "$d" 2>&1 | sed "s/^/# $name: /"
  if [ -f "$d/sub/plain" ] && [ "$(cat "$d/sub/plain")" = hello ] &&
     [ "$(readlink "$d/link")" = sub/plain ]; then
    ok "$name: files and links copied"
  else notok "$name: files and links copied"; fi
  local mode
  mode=$(stat -c %a "$d/suid" 2>/dev/null)
  if [ -f "$d/suid" ] && [ $(( 0$mode & 06000 )) = 0 ]; then
    ok "$name: setuid/setgid dropped ($mode)"
  else notok "$name: setuid/setgid dropped ($mode)"; fi
  if [ "$(stat -c %u "$d/suid" 2>/dev/null)" = "$(id -u)" ]; then
    ok "$name: owned by the caller"
  else notok "$name: owned by the caller"; fi
  if [ ! -e "$d/null" ] && [ ! -e "$d/sda" ] && [ ! -e "$d/fifo" ]; then
    ok "$name: no device node or FIFO created"
  else notok "$name: no device node or FIFO created"; fi
}

mkdir "$tmp/fish-out"
printf '%s\n' run 'mount-ro /dev/sda1 /' "copy-out /d $tmp/fish-out" \
  | timeout 300 "$fish" --format=raw -a "$tmp/disk.img" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ]; then ok "guestfish copy-out succeeds"; else notok "guestfish copy-out succeeds"; fi
check_tree "guestfish copy-out" "$tmp/fish-out/d"

if [ -x "$vco" ]; then
  mkdir "$tmp/vco-out"
  timeout 300 "$vco" --format=raw -a "$tmp/disk.img" -m /dev/sda1 /d "$tmp/vco-out" \
    > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ]; then ok "virt-copy-out succeeds"; else notok "virt-copy-out succeeds"; fi
  check_tree "virt-copy-out" "$tmp/vco-out/d"
else
  skip "virt-copy-out not built"
fi
finish
