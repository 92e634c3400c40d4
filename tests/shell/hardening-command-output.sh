#!/bin/bash
# command/sh output is captured up to what one reply can carry: a guest
# program printing without end (busybox yes) is killed, with its process
# group (a background child holding the pipe cannot keep the call
# waiting), the error says so, and the handle goes on working.
# Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch
bb=$(command -v busybox || echo /bin/busybox)
if [ ! -x "$bb" ]; then echo "1..0 # SKIP no busybox on the host"; exit 77; fi

start=$(date +%s)
printf '%s\n' \
  'mount /dev/sda1 /' 'mkdir /bin' "upload $bb /bin/busybox" 'chmod 0755 /bin/busybox' \
  'ln-s busybox /bin/sh' \
  '-command "/bin/busybox yes"' \
  '-sh "busybox sleep 1000 & busybox yes hello"' \
  '-command-lines "/bin/busybox yes"' \
  'echo AFTER' 'sh "echo alive"' \
  | LIBGUESTFS_CALL_TIMEOUT=300 timeout 600 "$fish" -N "$tmp/disk.img=fs:ext4:64M" \
    > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
echo "# guestfish exit status $rc after ${secs}s"
if [ "$rc" = 0 ]; then ok "the session ends normally"; else notok "the session ends normally"; fi
err_has "command: output over the limit is an error" \
  'error: command: /bin/busybox: the output is larger than [0-9]* bytes (the limit); the program was killed'
err_has "sh: output over the limit is an error (background child killed too)" \
  'error: sh: /bin/sh: the output is larger than'
err_has "command_lines: output over the limit is an error" \
  'error: command_lines: /bin/busybox: the output is larger than'
if [ "$(sed -n '/^AFTER$/{n;p;}' "$tmp/out")" = "alive" ]; then
  ok "the handle works after"
else notok "the handle works after"; fi
finish
