#!/bin/bash
# Inspection of a FreeBSD 14.0 guest on UFS2 (tests/data/make-guest-freebsd-ufs2.sh,
# cached in the build directory; inspect-layouts.sh covers UFS1): every
# inspect-get-* field, blkid's type, and the files through a plain
# mount-ro (the daemon finds the UFS flavour) and through guestfish -i.
# Prints TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-ufs2
command -v makefs > /dev/null || { echo "1..0 # SKIP makefs is not installed"; exit 77; }
img=$data/guest-freebsd-ufs2.img

echo "1..5"
if bash "$top/tests/data/make-guest-freebsd-ufs2.sh" "$img" > "$data/make-freebsd-ufs2.log" 2>&1
then ok "build the UFS2 image"
else notok "build the UFS2 image"; sed 's/^/# /' "$data/make-freebsd-ufs2.log" | tail -20
  echo "Bail out! test image missing"; exit 1; fi

{
  echo run
  echo list-filesystems
  echo inspect-os
  echo "echo =="
  for f in type distro product-name product-variant major-version minor-version arch \
           hostname package-format package-management osinfo format; do
    echo "inspect-get-$f /dev/sda2"
  done
  echo "inspect-get-mountpoints /dev/sda2"
  echo "echo -- filesystems"
  echo "inspect-get-filesystems /dev/sda2"
  echo "echo =="
  echo "mount-ro /dev/sda2 /"
  echo "cat /etc/ufs2-marker"
} > "$tmp/script"
"$fish" --ro -a "$img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
check "guestfish exit status" 0 $?
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
check "UFS2 root found and inspected" "/dev/sda1: unknown
/dev/sda2: ufs
/dev/sda3: unknown
/dev/sda2
==
freebsd
freebsd
FreeBSD 14.0-RELEASE
unknown
14
0
x86_64
freebsd14-ufs2
unknown
unknown
freebsd14.0
installed
/: /dev/sda2
-- filesystems
/dev/sda3
/dev/sda2" "$(awk '/^==$/ { if (++c == 2) exit } { print }' "$tmp/out")"
check "UFS2 files readable" "UFS2 marker" "$(awk 'f; /^==$/ { c++; if (c == 2) f = 1 }' "$tmp/out")"
check "guestfish -i mounts the UFS2 root" "UFS2 marker" \
  "$("$fish" --ro -a "$img" -i cat /etc/ufs2-marker 2>&1)"
exit $fail
