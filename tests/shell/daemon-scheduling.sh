#!/bin/bash
# The daemon runs SCHED_BATCH, and so does every program it starts
# (daemon/core/main.c: a program writing into the daemon's pipe is not
# preempted at each write on the appliance's one vCPU).  Checked from the
# scheduling policy (field 41 of /proc/PID/stat, 3 = SCHED_BATCH) of a
# guest program run by command and of its parent (the daemon); then a tar_out through
# that pipe still carries the whole tree.  One launch.  Prints TAP; exits
# 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch
bb=$(command -v busybox || echo /bin/busybox)
if [ ! -x "$bb" ]; then echo "1..0 # SKIP no busybox on the host"; exit 77; fi

mkdir -p "$tmp/tree"
for d in 1 2 3; do
  mkdir "$tmp/tree/d$d"
  for f in $(seq 1 200); do echo "file $d/$f" > "$tmp/tree/d$d/f$f"; done
done

printf '%s\n' \
  'mount /dev/sda1 /' 'mkdir /bin' 'mkdir /proc' "upload $bb /bin/busybox" \
  'chmod 0755 /bin/busybox' \
  "command \"/bin/busybox awk '{print \$41}' /proc/self/stat\"" \
  "command \"/bin/busybox sh -c '/bin/busybox cat /proc/\$PPID/stat'\"" \
  "copy-in $tmp/tree /" \
  "tar-out /tree $tmp/out.tar" \
  | timeout 600 "$fish" -N "$tmp/disk.img=fs:ext4:64M" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$rc" = 0 ]; then ok "the session ends normally"; else notok "the session ends normally"; fi
if [ "$(grep -m1 . "$tmp/out")" = 3 ]; then ok "a program the daemon runs is SCHED_BATCH"
else notok "a program the daemon runs is SCHED_BATCH"; fi
# The parent's comm may hold spaces: count the fields from the end
# (/proc/PID/stat has 52 fields, policy is the 41st: 12th from the end).
pol=$(grep -m1 ') ' "$tmp/out" | awk 'NF == 52 {print $(NF-11)}')
if [ "$pol" = 3 ]; then ok "its parent, the daemon, is SCHED_BATCH"
else echo "# parent's policy: '$pol'"; notok "its parent, the daemon, is SCHED_BATCH"; fi
mkdir "$tmp/back"
if tar -C "$tmp/back" -xf "$tmp/out.tar" 2>>"$tmp/err" && diff -r "$tmp/tree" "$tmp/back" >&2; then
  ok "tar_out carries the whole tree (600 files)"
else notok "tar_out carries the whole tree (600 files)"; fi
finish
