#!/bin/bash
# Windows inspection, the parts inspect-windows.sh does not cover, on the
# fake disks of tests/data/make-guest-windows.sh (cached in the build
# directory), in one appliance launch:
#   win-xp2  an XP whose systemroot (/WINXP) has none of the usual names:
#            found through BOOT.INI's default= line
#   win-7    the programs of both registry views (native and WOW6432Node)
#            through inspect-list-applications2 and the older
#            inspect-list-applications (one application list serves both)
# The expected values are what Debian's libguestfs 1.48 answers on the
# same disks (app2_arch is empty for Windows programs there too), except
# XP's hostname: 1.48 reads only Tcpip\Parameters\Hostname ("unknown"
# here), we fall back to ComputerName as inspect-windows.sh expects.
# Prints TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-winboot
data=$build/tests/data/windows
mkdir -p "$data"

echo "1..6"
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$data" > "$data/make-winboot.log" 2>&1
rc=$?
if [ $rc = 77 ]; then
  echo "ok 1 # SKIP $(tail -1 "$data/make-winboot.log")"
  for i in 2 3 4 5 6; do echo "ok $i # SKIP no images"; done; exit 0
elif [ $rc = 0 ]; then ok "build the images"
else notok "build the images"; sed 's/^/# /' "$data/make-winboot.log" | tail -20
  echo "Bail out! test images missing"; exit 1; fi

{
  echo run
  echo inspect-os
  echo "echo == xp2"
  for f in type distro product-name major-version minor-version arch hostname osinfo \
           windows-systemroot windows-current-control-set drive-mappings mountpoints; do
    echo "inspect-get-$f /dev/sda1"
  done
  echo "mount-ro /dev/sdb2 /"
  echo "echo == apps2"
  echo "inspect-list-applications2 /dev/sdb2"
  echo "echo == apps"
  echo "inspect-list-applications /dev/sdb2"
} > "$tmp/script"
"$fish" --ro -a "$data/win-xp2.img" -a "$data/win-7.img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
check "guestfish exit status" 0 $?
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
section () { awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$tmp/out"; }
check "roots" "/dev/sda1
/dev/sdb2" "$(sed -n '/^== /q;p' "$tmp/out")"

check "XP found through BOOT.INI" "windows
windows
Microsoft Windows XP
5
1
i386
XPBOX
winxp
/WINXP
ControlSet001
C: /dev/sda1
/: /dev/sda1" "$(section xp2)"

# One line per application: the fields that the registry fills.
fields () {  # fields PREFIX
  awk -v p="$1" '
  /^\[[0-9]+\] = \{/ { delete f; next }
  $0 ~ "^  " p "[a-z_]+: " { k = $1; sub(":$", "", k); sub("^" p, "", k)
    v = $0; sub("^  " p "[a-z_]+: ", "", v); f[k] = v; next }
  /^\}/ { print f["name"] "|" f["display_name"] "|" f["epoch"] "|" f["version"] "|" \
            f["arch"] "|" f["install_path"] "|" f["publisher"] "|" f["url"] "|" f["description"] }'
}
# (The older structure has no arch: empty there as in applications2.)
want='7-Zip|7-Zip 9.20 (x64 edition)|0|9.20.00.0|||Igor Pavlov||
Mozilla Firefox 52.9.0 (x86 en-US)|Mozilla Firefox 52.9.0 ESR (x86 en-US)|0|52.9.0||C:\Program Files (x86)\Mozilla Firefox|Mozilla|https://www.mozilla.org|Mozilla Firefox 52.9.0 ESR (x86 en-US)
{90140000-0011-0000-1000-0000000FF1CE}|Microsoft Office Professional Plus 2010|0|14.0.7015.1000||C:\Program Files\Microsoft Office\|Microsoft Corporation|http://www.microsoft.com/office|Office suite'
check "applications2, both registry views" "$want" "$(section apps2 | fields app2_)"
check "applications (older structure), the same" "$want" "$(section apps | fields app_)"
exit $fail
