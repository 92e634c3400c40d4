#!/bin/bash
# Inspection of CoreOS-style guests, whose operating system is in a /usr
# partition of its own (tests/data/make-guest-coreos.sh, cached in the
# build directory): Container Linux by CoreOS and Flatcar, one disk each.
# The root is the ROOT partition, distro "coreos", with the version, product
# name and architecture read from the /usr partition, and the mountpoints
# "/" and "/usr" -- so that guestfish -i and virt-inspector mount both.
# (Debian's libguestfs 1.48 finds the CoreOS root on the same image but
# not its /usr: it reports no version and only "/".)  The osinfo is
# coreosMAJOR.MINOR, libguestfs's ID for any distro it has no table line
# for (issue 19).  Prints TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-coreos

echo "1..10"
for k in coreos flatcar; do
  if bash "$top/tests/data/make-guest-coreos.sh" $k "$data/guest-$k.img" > "$data/make-$k.log" 2>&1
  then ok "build the $k image"
  else notok "build the $k image"; sed 's/^/# /' "$data/make-$k.log" | tail -20; fi
done
if [ $fail = 1 ]; then echo "Bail out! test images missing"; exit 1; fi

{
  echo run
  echo inspect-os
  for r in /dev/sda2 /dev/sdb2; do
    echo "echo == $r"
    for f in type distro product-name product-variant major-version minor-version arch \
             hostname package-format package-management osinfo format; do
      echo "inspect-get-$f $r"
    done
    echo "inspect-get-mountpoints $r"
    echo "echo -- filesystems"
    echo "inspect-get-filesystems $r"
  done
} > "$tmp/script"
"$fish" --ro -a "$data/guest-coreos.img" -a "$data/guest-flatcar.img" -f "$tmp/script" \
  > "$tmp/out" 2> "$tmp/err"
check "guestfish exit status" "0" "$?"
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
section () { awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$tmp/out"; }
check "roots: the ROOT partitions, not /usr" "/dev/sda2
/dev/sdb2" "$(sed -n '/^== /q;p' "$tmp/out")"

check "Container Linux by CoreOS" "linux
coreos
Container Linux by CoreOS 2512.3.0 (Oklo)
unknown
2512
3
x86_64
coreos-test
unknown
unknown
coreos2512.3
installed
/: /dev/sda2
/usr: /dev/sda1
-- filesystems
/dev/sda2
/dev/sda1" "$(section /dev/sda2)"

check "Flatcar (its own disk's /usr)" "linux
coreos
Flatcar Container Linux by Kinvolk 3510.2.1 (Oklo)
unknown
3510
2
x86_64
flatcar-test
unknown
unknown
coreos3510.2
installed
/: /dev/sdb2
/usr: /dev/sdb1
-- filesystems
/dev/sdb2
/dev/sdb1" "$(section /dev/sdb2)"

# guestfish -i mounts both: /etc/os-release is a symlink into /usr.
out=$("$fish" --ro -a "$data/guest-flatcar.img" -i <<'X' 2>&1
mountpoints
cat /etc/os-release
X
)
check "guestfish -i mounts / and /usr" "/dev/sda1: /usr
/dev/sda2: /" "$(printf '%s\n' "$out" | grep '^/dev/' | sort)"
check "guestfish -i reads os-release through /usr" 'ID=flatcar' \
  "$(printf '%s\n' "$out" | grep '^ID=')"

if [ -x "$vi" ]; then
  "$vi" --format=raw -a "$data/guest-coreos.img" > "$tmp/vi.xml" 2> "$tmp/vi.err"
  check "virt-inspector exit status" 0 $?
  check "virt-inspector mountpoints" '<mountpoint dev="/dev/sda2">/</mountpoint>
<mountpoint dev="/dev/sda1">/usr</mountpoint>' "$("$vi" --xpath '//mountpoint' < "$tmp/vi.xml")"
else
  for x in 1 2; do n=$((n + 1)); echo "ok $n # SKIP virt-inspector not built"; done
fi
exit $fail
