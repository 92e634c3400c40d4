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

st "--help (status 1, as libguestfs's)" 1 virt-win-reg --help
st "unknown option" 2 virt-win-reg --no-such-option
st "no guest" 255 virt-win-reg
st "no key" 255 virt-win-reg "$w7"
st "unknown root" 255 virt-win-reg "$w7" 'HKEY_CLASSES_ROOT\Software'
err_has "unknown root message" "unknown or unsupported registry root"

t "single value (old style)" 0 "Windows 7 Professional" virt-win-reg "$w7" "$cv" ProductName
t "single value (-a, lower-case XP tree)" 0 "Microsoft Windows XP" \
  virt-win-reg --format=raw -a "$xp" "$cv" ProductName
st "missing key" 255 virt-win-reg "$w7" 'HKLM\SOFTWARE\NoSuchKey'
err_has "missing key message" "registry key not found"
st "missing value" 255 virt-win-reg "$w7" "$cv" NoSuchValue

# Exports, compared with hivexregedit on the same hive, without its
# "Windows Registry Editor Version 5.00" line and the blank line after it:
# libguestfs 1.48's virt-win-reg prints the key sections alone.
"$fish" --ro --format=raw -a "$w7" -i download /Windows/System32/config/SOFTWARE \
  "$tmp/software" > /dev/null 2>&1
if [ -s "$tmp/software" ]; then
  hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/software" \
    '\Microsoft\Windows NT\CurrentVersion' | tail -n +3 > "$tmp/ref1"
  t "export" 0 "$(cat "$tmp/ref1")" virt-win-reg "$w7" "$cv"
  hivexregedit --export --unsafe-printable-strings --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' \
    "$tmp/software" '\Microsoft\Windows\CurrentVersion' | tail -n +3 > "$tmp/ref2"
  t "export --unsafe-printable-strings (recursive)" 0 "$(cat "$tmp/ref2")" \
    virt-win-reg --unsafe-printable-strings "$w7" 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion'
else
  notok "download the SOFTWARE hive"
fi
# --merge into a copy: new key and values of each syntax, a deleted key.
cp "$w7" "$tmp/m7.img"
cat > "$tmp/t.reg" <<'X'
Windows Registry Editor Version 5.00

[HKEY_LOCAL_MACHINE\SOFTWARE\Hatch\Test]
"Str"="hello \"w\" C:\\x"
"Num"=dword:0000002a
"Bin"=hex:01,02,\
  03
@="default"
"Exp"=str(2):"%SystemRoot%"

[-HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\7-Zip]
X
st "--merge" 0 virt-win-reg --merge "$tmp/m7.img" "$tmp/t.reg"
t "merged key" 0 '[HKEY_LOCAL_MACHINE\SOFTWARE\Hatch\Test]
@=str(1):"default"
"Bin"=hex(3):01,02,03
"Exp"=str(2):"%SystemRoot%"
"Num"=dword:0000002a
"Str"=str(1):"hello "w" C:\x"' virt-win-reg --unsafe-printable-strings "$tmp/m7.img" 'HKLM\SOFTWARE\Hatch\Test'
t "merged dword" 0 "42" virt-win-reg "$tmp/m7.img" 'HKLM\SOFTWARE\Hatch\Test' Num
st "deleted key" 255 virt-win-reg "$tmp/m7.img" 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\7-Zip'
printf '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Hatch2]\n"A"=dword:1\n"B"=bogus\n' > "$tmp/bad.reg"
st "--merge syntax error" 255 virt-win-reg --merge "$tmp/m7.img" "$tmp/bad.reg"
err_has "--merge syntax error message" "bad.reg:3: cannot parse"
st "nothing written after an error" 255 virt-win-reg "$tmp/m7.img" 'HKLM\SOFTWARE\Hatch2'
st "--merge missing file" 255 virt-win-reg --merge "$tmp/m7.img" /nonexistent.reg
finish
