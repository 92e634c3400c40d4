#!/bin/bash
# A reply larger than the protocol's frame limit (16 MiB) becomes an
# error reply: "ls" of a directory holding ~70 000 names of 250 bytes
# fails with "reply is too large" instead of leaving the library waiting
# forever, and the handle goes on working.  Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../shell/fish-lib.bash"
need_launch

# 70 000 empty files with 250-byte names, as a gzip'd tar (small).
python3 - "$tmp/many.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as t:
    for i in range(70000):
        ti = tarfile.TarInfo("big/%06d%s" % (i, "x" * 244))
        t.addfile(ti, io.BytesIO(b""))
EOF
truncate -s 1G "$tmp/disk.img"
start=$(date +%s)
printf '%s\n' \
  'run' 'part-disk /dev/sda mbr' 'mkfs xfs /dev/sda1' 'mount /dev/sda1 /' \
  "tar-in $tmp/many.tar.gz / compress:gzip" \
  '-ls /big' \
  'echo AFTER' 'write /small ok' 'cat /small' 'ls /' \
  | LIBGUESTFS_CALL_TIMEOUT=300 timeout 900 "$fish" --format=raw -a "$tmp/disk.img" \
    > "$tmp/out" 2> "$tmp/err"
rc=$?
echo "# guestfish exit status $rc after $(( $(date +%s) - start ))s"
if [ "$rc" = 0 ]; then ok "the session ends normally"; else notok "the session ends normally"; fi
err_has "ls: the reply is too large (an error, naming the call)" \
  'error: ls: the reply is too large'
if [ "$(sed -n '/^AFTER$/,$p' "$tmp/out" | tr '\n' ' ')" = "AFTER ok big lost+found small " ] ||
   [ "$(sed -n '/^AFTER$/,$p' "$tmp/out" | tr '\n' ' ')" = "AFTER ok big small " ]; then
  ok "the handle works after the error"
else notok "the handle works after the error"; fi
finish
