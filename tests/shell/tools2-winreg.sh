#!/bin/bash
# virt-win-reg on the fake Windows guests of tests/data/make-guest-windows.sh:
# single values, .reg export checked against hivexregedit run on the hive
# downloaded from the guest, bad input.  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-win-reg" ] || { echo "1..0 # SKIP virt-win-reg not built"; exit 77; }
command -v hivexregedit > /dev/null ||
  { echo "1..0 # SKIP hivexregedit (libwin-hivex-perl) is not installed"; exit 77; }
wdata=$data/windows
mkdir -p "$wdata"
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$wdata" > "$wdata/make.log" 2>&1 ||
  { echo "Bail out! could not build the Windows images"; exit 1; }
w7=$wdata/win-7.img xp=$wdata/win-xp.img
cv='HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion'

st "--help" 0 virt-win-reg --help
st "unknown option" 1 virt-win-reg --no-such-option
st "no guest" 1 virt-win-reg
st "no key" 1 virt-win-reg "$w7"
st "--merge refused" 1 virt-win-reg --merge "$w7" /dev/null
err_has "--merge message" "not implemented"
st "unknown root" 1 virt-win-reg "$w7" 'HKCU\Software'
err_has "unknown root message" "unknown or unsupported registry root"

t "single value (old style)" 0 "Windows 7 Professional" virt-win-reg "$w7" "$cv" ProductName
t "single value (-a, lower-case XP tree)" 0 "Microsoft Windows XP" \
  virt-win-reg --format=raw -a "$xp" "$cv" ProductName
st "missing key" 1 virt-win-reg "$w7" 'HKLM\SOFTWARE\NoSuchKey'
err_has "missing key message" "registry key not found"
st "missing value" 1 virt-win-reg "$w7" "$cv" NoSuchValue

# Exports, compared with hivexregedit on the same hive.
"$fish" --ro --format=raw -a "$w7" -i download /Windows/System32/config/SOFTWARE \
  "$tmp/software" > /dev/null 2>&1
if [ -s "$tmp/software" ]; then
  hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/software" \
    '\Microsoft\Windows NT\CurrentVersion' > "$tmp/ref1"
  t "export" 0 "$(cat "$tmp/ref1")" virt-win-reg "$w7" "$cv"
  hivexregedit --export --unsafe-printable-strings --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' \
    "$tmp/software" '\Microsoft\Windows\CurrentVersion' > "$tmp/ref2"
  t "export --unsafe-printable-strings (recursive)" 0 "$(cat "$tmp/ref2")" \
    virt-win-reg --unsafe-printable-strings "$w7" 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion'
else
  notok "download the SOFTWARE hive"
fi
finish
