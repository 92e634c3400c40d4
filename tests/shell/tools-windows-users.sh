#!/bin/bash
# virt-win-reg's HKEY_USERS paths (SID and user name through the
# ProfileList key, .DEFAULT), HKEY_CURRENT_USER refused, --merge deleting
# keys and values; virt-log on Windows guests (System.evtx through
# evtxdump.py, pre-Vista and missing-tool errors).  Guest from
# tests/data/make-guest-windows-users.sh.  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-win-reg" ] && [ -x "$tools/virt-log" ] ||
  { echo "1..0 # SKIP virt-win-reg or virt-log not built"; exit 77; }
command -v hivexregedit > /dev/null ||
  { echo "1..0 # SKIP hivexregedit (libwin-hivex-perl) is not installed"; exit 77; }
wdata=$data/windows
mkdir -p "$wdata"
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$wdata" > "$wdata/make.log" 2>&1 ||
  { echo "Bail out! could not build the Windows images"; exit 1; }
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows-users.sh" "$wdata" \
  > "$wdata/make-users.log" 2>&1 ||
  { echo "Bail out! could not build win-users.img"; exit 1; }
# tx/stx: as t/st, for a command line that is not a tool of $tools.
tx () {
  local name=$1 status=$2 expect=$3; shift 3
  "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status; expected stdout:"
       printf '%s\n' "$expect" | sed 's/^/#   /'; notok "$name"; fi
}
stx () {
  local name=$1 status=$2; shift 2
  "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}
wu=$wdata/win-users.img xp=$wdata/win-xp.img w7=$wdata/win-7.img
alice=S-1-5-21-1111-2222-3333-1001

# --- virt-win-reg: reading user hives ---
t "HKU\\SID export" 0 "[HKEY_USERS\\$alice\\Software\\Hatch]
\"Owner\"=str(1):\"alice\"" \
  virt-win-reg --unsafe-printable-strings --format=raw -a "$wu" "HKU\\$alice\\Software\\Hatch"
t "HKEY_USERS\\username (any case, %SystemDrive% profile)" 0 "Bob" \
  virt-win-reg "$wu" 'HKEY_USERS\bob\Software\Hatch' Owner
tx "HKU\\username export names the user" 0 "[HKEY_USERS\\alice\\Software\\Hatch]" \
  sh -c "'$tools/virt-win-reg' '$wu' 'HKU\\alice\\software\\hatch' | sed -n 1p"
t "HKU\\.DEFAULT" 0 'C:\Windows\default.bmp' \
  virt-win-reg "$wu" 'HKU\.DEFAULT\Control Panel\Desktop' Wallpaper
st "unknown SID" 255 virt-win-reg "$wu" 'HKU\S-1-5-21-9-9-9-9\Software'
err_has "unknown SID message" "no such user SID or user name"
st "profile without NTUSER.DAT" 255 virt-win-reg "$wu" 'HKU\ghost\Software'
err_has "profile without NTUSER.DAT message" "NTUSER.DAT is not in this guest"
st "guest without ProfileList" 255 virt-win-reg "$w7" 'HKU\alice\Software'
err_has "guest without ProfileList message" "no ProfileList key"
st "HKCU" 255 virt-win-reg "$wu" 'HKCU\Software'
err_has "HKCU message" "HKEY_CURRENT_USER is not supported"
st "HKEY_CURRENT_USER" 255 virt-win-reg "$wu" 'HKEY_CURRENT_USER'
err_has "HKEY_CURRENT_USER message" "HKEY_CURRENT_USER is not supported"
st "HKU alone" 255 virt-win-reg "$wu" 'HKU'
err_has "HKU alone message" "unknown or unsupported registry root"
st "--debug" 0 virt-win-reg --debug "$wu" 'HKU\.DEFAULT\Control Panel\Desktop' Wallpaper
out_has "--debug output" 'default.bmp'
tx "--long-options" 0 "$(printf -- '--%s\n' add blocksize connect debug domain echo-keys \
  encoding format help key keys-from-stdin merge unsafe-printable-strings verbose version | sort)" \
  sh -c "'$tools/virt-win-reg' --long-options | sort"

# --- virt-win-reg --merge: deletions, user hives ---
cp "$wu" "$tmp/m.img"
cat > "$tmp/t.reg" <<'X'
Windows Registry Editor Version 5.00

[HKEY_USERS\alice\Software\Hatch]
"Owner"=-
"New"=dword:00000007
"Absent"=-

[HKEY_USERS\alice\Software\Hatch\Sub]
"Deep"="x"

[HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion]
"CSDVersion"=-

[-HKU\.DEFAULT\Control Panel]
[-HKLM\SOFTWARE\No\Such\Key]
X
st "--merge with deletions" 0 virt-win-reg --merge "$tmp/m.img" "$tmp/t.reg"
t "value deleted, subkeys kept" 0 "[HKEY_USERS\\alice\\Software\\Hatch]
\"New\"=dword:00000007

[HKEY_USERS\\alice\\Software\\Hatch\\Sub]
\"Deep\"=str(1):\"x\"" \
  virt-win-reg --unsafe-printable-strings "$tmp/m.img" 'HKU\alice\Software\Hatch'
st "deleted value gone" 255 virt-win-reg "$tmp/m.img" \
  'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' CSDVersion
t "rebuilt key keeps its other values" 0 "Windows 7 Professional" \
  virt-win-reg "$tmp/m.img" 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion' ProductName
t "rebuilt key keeps its subkeys" 0 'C:\Users\alice' \
  virt-win-reg "$tmp/m.img" \
  "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\$alice" ProfileImagePath
st "deleted key gone" 255 virt-win-reg "$tmp/m.img" 'HKU\.DEFAULT\Control Panel'
t "other user untouched" 0 "Bob" virt-win-reg "$tmp/m.img" 'HKU\Bob\Software\Hatch' Owner
printf '[HKCU\\Software\\X]\n"A"=dword:1\n' > "$tmp/cu.reg"
st "--merge HKCU" 255 virt-win-reg --merge "$tmp/m.img" "$tmp/cu.reg"
err_has "--merge HKCU message" "HKEY_CURRENT_USER is not supported"
printf '[HKLM\\SOFTWARE\\Hatch3]\n"A"=dword:00000001\n' |
  "$tools/virt-win-reg" --merge --encoding=ascii "$tmp/m.img" > "$tmp/out" 2> "$tmp/err" &&
  ok "--merge from stdin, --encoding=ascii" || notok "--merge from stdin, --encoding=ascii"
tx "--encoding=ascii string" 0 'hex(1):61,62,00' sh -c \
  "printf '[HKLM\\\\SOFTWARE\\\\Hatch4]\\n\"S\"=\"ab\"\\n' | '$tools/virt-win-reg' --merge --encoding=ascii '$tmp/m.img' &&
   '$tools/virt-win-reg' '$tmp/m.img' 'HKLM\\SOFTWARE\\Hatch4' | grep '^\"S\"' | cut -d= -f2"

# --- virt-log on Windows ---
# A PATH holding only what the library runs, and a stand-in evtxdump.py
# that shows it was given the downloaded System.evtx.
mkdir -p "$tmp/bin"
for p in qemu-system-x86_64 qemu-img; do ln -s "$(command -v $p)" "$tmp/bin/$p"; done
tx "virt-log: no evtxdump.py" 1 "" env PATH="$tmp/bin" "$tools/virt-log" -a "$wu"
err_has "virt-log: no evtxdump.py message" "needs the program evtxdump.py"
printf '#!/bin/sh\necho "$(/usr/bin/basename "$1")"; /usr/bin/head -c 7 "$1"; echo\n' > "$tmp/bin/evtxdump.py"
chmod +x "$tmp/bin/evtxdump.py"
tx "virt-log: System.evtx through evtxdump.py" 0 "System.evtx
ElfFile" env PATH="$tmp/bin" "$tools/virt-log" -a "$wu"
stx "virt-log: no System.evtx" 1 env PATH="$tmp/bin" "$tools/virt-log" -a "$w7"
err_has "virt-log: no System.evtx message" "Windows Event Log file (/Windows/System32/winevt/Logs/System.evtx) not found"
stx "virt-log: pre-Vista guest" 1 env PATH="$tmp/bin" "$tools/virt-log" -a "$xp"
err_has "virt-log: pre-Vista message" "pre-Vista guests is not supported"
if command -v evtx_dump.py > /dev/null || command -v evtxdump.py > /dev/null; then
  st "virt-log: real python-evtx" 0 virt-log -a "$wu"
  out_has "virt-log: real python-evtx output" "<Events>"
else
  skip "virt-log: real python-evtx (python3-evtx not installed)"
  skip "virt-log: real python-evtx output"
fi
finish
