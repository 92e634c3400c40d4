#!/bin/bash
# Windows inspection on the fake Windows images of
# tests/data/make-guest-windows.sh (XP on MBR at sector 63, 7 with two
# control sets and three partitions, "Windows 10" build 22621 on GPT that
# is Windows 11, Server 2019 with a lower-case /windows, and one with a
# truncated and a garbage hive), all five disks in one appliance launch:
# every inspect-get-* field (windows-group-policy: only the 11 guest has a
# GPO under Group Policy\History; 2019's History key has no GUID subkey), drive letters from MountedDevices (MBR
# signature + offset, GPT partition GUID), the programs of both Uninstall
# views, case-sensitive-path and guestfish's win: paths on NTFS,
# virt-inspector's XML.  The Windows 7 and 11 results were checked against
# libguestfs 1.48's virt-inspector on the same images: the same elements
# and values, with one deliberate difference: 1.48 reports the build 22621
# guest as "Windows 10 Pro" / win10, we say "Windows 11 Pro" / win11 (the
# registry still says "Windows 10"; build 22000 and later is Windows 11).
# Prints TAP; exits 0, 1, or 77.
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${HATCH_BUILDDIR:-$top/build}
data=$build/tests/data/windows
mkdir -p "$data"
if ! command -v hivexregedit > /dev/null; then
  echo "1..0 # SKIP hivexregedit (Debian package libwin-hivex-perl) is not installed"
  exit 77
fi

tmp=$(mktemp -d /tmp/inspect-windows-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
notok () { n=$((n+1)); echo "not ok $n - $1"; failed=1; shift; for f; do sed 's/^/# /' "$f"; done; }

if GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$data" > "$data/make.log" 2>&1; then
  ok "build the fake Windows images"
else
  notok "build the fake Windows images" "$data/make.log"
  echo "1..$n"
  exit 1
fi
disks=(-a "$data/win-xp.img" -a "$data/win-7.img" -a "$data/win-11.img"
       -a "$data/win-2019.img" -a "$data/win-bad.img")
roots="/dev/sda1 /dev/sdb2 /dev/sdc2 /dev/sdd1 /dev/sde1"

# ---- 2: every field of every root ----
{
  echo run
  echo "echo == inspect-os"
  echo inspect-os
  for r in $roots; do
    echo "echo == $r"
    for f in type distro product-name product-variant major-version \
             minor-version arch hostname osinfo package-format \
             package-management format windows-systemroot \
             windows-current-control-set windows-software-hive \
             windows-system-hive windows-group-policy mountpoints filesystems drive-mappings; do
      echo "-inspect-get-$f $r"
    done
  done
  echo "echo == nothing left mounted"
  echo mounts
} > "$tmp/script"
cat > "$tmp/expected" <<'EOF'
== inspect-os
/dev/sda1
/dev/sdb2
/dev/sdc2
/dev/sdd1
/dev/sde1
== /dev/sda1
windows
windows
Microsoft Windows XP
unknown
5
1
i386
XPBOX
winxp
unknown
unknown
installed
/WINDOWS
ControlSet001
/WINDOWS/system32/config/software
/WINDOWS/system32/config/system
false
/: /dev/sda1
/dev/sda1
C: /dev/sda1
== /dev/sdb2
windows
windows
Windows 7 Professional
Client
6
1
x86_64
win7-test
win7
unknown
unknown
installed
/Windows
ControlSet002
/Windows/System32/config/SOFTWARE
/Windows/System32/config/SYSTEM
false
/: /dev/sdb2
/dev/sdb2
C: /dev/sdb2
E: /dev/sdb3
== /dev/sdc2
windows
windows
Windows 11 Pro
Client
10
0
x86_64
WIN11-HATCH
win11
unknown
unknown
installed
/Windows
ControlSet001
/Windows/System32/config/SOFTWARE
/Windows/System32/config/SYSTEM
true
/: /dev/sdc2
/dev/sdc2
C: /dev/sdc2
D: /dev/sdc3
== /dev/sdd1
windows
windows
Windows Server 2019 Datacenter
Server
10
0
x86_64
SRV2019
win2k19
unknown
unknown
installed
/windows
ControlSet001
/windows/system32/config/SOFTWARE
/windows/system32/config/SYSTEM
false
/: /dev/sdd1
/dev/sdd1
C: /dev/sdd1
== /dev/sde1
windows
windows
unknown
unknown
0
0
unknown
unknown
unknown
unknown
unknown
installed
/Windows
/Windows/System32/config/SOFTWARE
/Windows/System32/config/SYSTEM
false
/: /dev/sde1
/dev/sde1
== nothing left mounted
EOF
"$fish" --ro "${disks[@]}" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && diff -u "$tmp/expected" "$tmp/out" > "$tmp/diff" &&
   [ "$(grep -c 'CurrentControlSet was not found' "$tmp/err")" = 1 ] &&
   [ "$(wc -l < "$tmp/err")" = 1 ]; then
  ok "inspection of XP, 7, 11, Server 2019 and a damaged guest"
else
  notok "inspection of XP, 7, 11, Server 2019 and a damaged guest (exit status $rc)" "$tmp/diff" "$tmp/err"
fi

# ---- 3: applications, case-sensitive-path, damaged hives ----
cat > "$tmp/script" <<'EOF'
run
inspect-os
echo == 7
mount-ro /dev/sdb2 /
inspect-list-applications2 /dev/sdb2
echo == case-sensitive-path
case-sensitive-path /windows/system32/CONFIG/software
case-sensitive-path /WINDOWS/SYSTEM32/newfile.txt
-case-sensitive-path /windows/nosuchdir/cmd.exe
echo == win: paths
is-file win:\windows\system32\CMD.EXE
is-file WIN:C:\WINDOWS\System32\config\software
-is-file win:e:\x
-is-file win:q:\x
echo == icon
inspect-get-icon /dev/sdb2 | wc -c
umount-all
echo == xp
mount-ro /dev/sda1 /
inspect-list-applications /dev/sda1
umount-all
echo == bad
mount-ro /dev/sde1 /
inspect-list-applications2 /dev/sde1
-hivex-open /Windows/System32/config/SYSTEM
-hivex-open /Windows/System32/config/SOFTWARE
echo == still alive
is-file /Windows/System32/cmd.exe
EOF
cat > "$tmp/expected" <<'EOF'
/dev/sda1
/dev/sdb2
/dev/sdc2
/dev/sdd1
/dev/sde1
== 7
[0] = {
  app2_name: 7-Zip
  app2_display_name: 7-Zip 9.20 (x64 edition)
  app2_epoch: 0
  app2_version: 9.20.00.0
  app2_release: 
  app2_arch: 
  app2_install_path: 
  app2_trans_path: 
  app2_publisher: Igor Pavlov
  app2_url: 
  app2_source_package: 
  app2_summary: 
  app2_description: 
  app2_spare1: 
  app2_spare2: 
  app2_spare3: 
  app2_spare4: 
}
[1] = {
  app2_name: Mozilla Firefox 52.9.0 (x86 en-US)
  app2_display_name: Mozilla Firefox 52.9.0 ESR (x86 en-US)
  app2_epoch: 0
  app2_version: 52.9.0
  app2_release: 
  app2_arch: 
  app2_install_path: C:\Program Files (x86)\Mozilla Firefox
  app2_trans_path: 
  app2_publisher: Mozilla
  app2_url: https://www.mozilla.org
  app2_source_package: 
  app2_summary: 
  app2_description: Mozilla Firefox 52.9.0 ESR (x86 en-US)
  app2_spare1: 
  app2_spare2: 
  app2_spare3: 
  app2_spare4: 
}
[2] = {
  app2_name: {90140000-0011-0000-1000-0000000FF1CE}
  app2_display_name: Microsoft Office Professional Plus 2010
  app2_epoch: 0
  app2_version: 14.0.7015.1000
  app2_release: 
  app2_arch: 
  app2_install_path: C:\Program Files\Microsoft Office\
  app2_trans_path: 
  app2_publisher: Microsoft Corporation
  app2_url: http://www.microsoft.com/office
  app2_source_package: 
  app2_summary: 
  app2_description: Office suite
  app2_spare1: 
  app2_spare2: 
  app2_spare3: 
  app2_spare4: 
}
== case-sensitive-path
/Windows/System32/config/SOFTWARE
/Windows/System32/newfile.txt
== win: paths
true
true
== icon
0
== xp
[0] = {
  app_name: Notepad++
  app_display_name: Notepad++
  app_epoch: 0
  app_version: 5.9.8
  app_release: 
  app_install_path: 
  app_trans_path: 
  app_publisher: Notepad++ Team
  app_url: http://notepad-plus-plus.org/
  app_source_package: 
  app_summary: 
  app_description: 
}
== bad
== still alive
true
EOF
"$fish" --ro "${disks[@]}" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && diff -u "$tmp/expected" "$tmp/out" > "$tmp/diff" &&
   [ "$(grep -c 'case_sensitive_path:.*does not exist' "$tmp/err")" = 1 ] &&
   grep -q "drive 'e:' (/dev/sdb3) is not mounted" "$tmp/err" &&
   grep -q "drive 'q:' not found" "$tmp/err" &&
   [ "$(grep -c 'hivex_open:.*not a Windows Registry hive' "$tmp/err")" -ge 1 ]; then
  ok "applications, case-sensitive-path, win: paths, damaged hives"
else
  notok "applications, case-sensitive-path, win: paths, damaged hives (exit status $rc)" "$tmp/diff" "$tmp/err"
fi

# ---- 4: virt-inspector ----
vi=$build/tools/virt-inspector
if [ -x "$vi" ]; then
  "$vi" --format=raw -a "$data/win-11.img" > "$tmp/vi.xml" 2> "$tmp/err"
  rc=$?
  q () { "$vi" --xpath "$1" < "$tmp/vi.xml" 2>&1; }
  got="$(q '//operatingsystem/*' | sed -n 's/^<\([a-z_]*\)[ >].*/\1/p' | tr '\n' ' ')|$(q 'string(//product_name)')|$(q 'string(//osinfo)')|$(q 'string(//windows_systemroot)')|$(q 'string(//windows_current_control_set)')|$(q '//drive_mapping' | tr '\n' ' ')|$(q '//application/name/text()')"
  want='root name arch distro product_name product_variant major_version minor_version windows_systemroot windows_current_control_set hostname osinfo mountpoints filesystems drive_mappings applications |Windows 11 Pro|win11|/Windows|ControlSet001|<drive_mapping name="C">/dev/sda2</drive_mapping> <drive_mapping name="D">/dev/sda3</drive_mapping> |7-Zip'
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then
    ok "virt-inspector on Windows 11"
  else
    echo "# got:  $got"
    echo "# want: $want"
    notok "virt-inspector on Windows 11 (exit status $rc)" "$tmp/err"
  fi
else
  n=$((n+1)); echo "ok $n # SKIP virt-inspector not built"
fi

echo "1..$n"
exit $failed
