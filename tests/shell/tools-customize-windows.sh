#!/bin/bash
# Windows firstboot in the customization engine (tools/customize/
# firstboot.c), through virt-customize on the phony Windows 7 image of
# tests/data/make-guest-windows.sh (no Windows boots here, so the layout is
# checked: files and registry entries, the hives read with hivexget):
#   - the service wrapper (a stand-in rhsrvany.exe made here, from
#     VIRT_TOOLS_DATA_DIR) copied to C:\Program Files\Guestfs\Firstboot,
#     the runner firstboot.bat, the scripts numbered in command-line
#     order as .bat files with CRLF line ends;
#   - the RHSrvAny service in the current control set (ControlSet002 on
#     this image), automatic, running the wrapper, whose Parameters name
#     the runner; the other control set untouched;
#   - without a wrapper: a clear error naming VIRT_TOOLS_DATA_DIR, and no
#     script added.
# Three appliance launches.  TAP.
source "$(dirname "$0")/tools-lib.bash"
vc=$tools/virt-customize
[ -x "$vc" ] || { echo "1..0 # SKIP virt-customize not built"; exit 77; }
command -v hivexget > /dev/null || { echo "1..0 # SKIP hivexget (libhivex-bin) is not installed"; exit 77; }
wdata=$data/win
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$wdata" > "$tmp/make.log" 2>&1
rc=$?
if [ $rc = 77 ]; then echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77; fi
[ $rc = 0 ] || { echo "not ok 1 - make the Windows images"; sed 's/^/# /' "$tmp/make.log"; echo "1..1"; exit 1; }
img=$tmp/w7.img
cp --sparse=always "$wdata/win-7.img" "$img"

mkdir -p "$tmp/vt" "$tmp/empty"
printf 'MZ stand-in for rhsrvany.exe, made by the test\n' > "$tmp/vt/rhsrvany.exe"
printf 'echo second script\nver\n' > "$tmp/second.bat"

VIRT_TOOLS_DATA_DIR=$tmp/vt "$vc" -a "$img" --no-network \
  --firstboot-command 'echo hello > C:\hello.txt' --firstboot "$tmp/second.bat" \
  --firstboot-command 'dir' > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ]; then ok "virt-customize --firstboot/--firstboot-command on Windows"
else notok "virt-customize --firstboot/--firstboot-command on Windows"; fi

# No wrapper: refused, nothing added (checked below: still three scripts).
VIRT_TOOLS_DATA_DIR=$tmp/empty "$vc" -a "$img" --no-network --firstboot-command 'echo late' \
  > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "need the service wrapper rhsrvany.exe" "$tmp/err" &&
   grep -q -- "$tmp/empty; set VIRT_TOOLS_DATA_DIR" "$tmp/err"; then
  ok "no service wrapper: a clear error"; else notok "no service wrapper: a clear error"; fi

fb='/Program Files/Guestfs/Firstboot'
"$fish" --ro -a "$img" -i <<GF > "$tmp/insp" 2> "$tmp/err"
ls "$fb"
echo ----
ls "$fb/scripts"
echo ----
download "$fb/rhsrvany.exe" $tmp/exe
download "$fb/firstboot.bat" $tmp/runner
download "$fb/scripts/0001-echo-hello---C--hello.txt.bat" $tmp/s1
download "$fb/scripts/0002-second.bat" $tmp/s2
download /Windows/System32/config/SYSTEM $tmp/SYSTEM
GF
cp "$tmp/insp" "$tmp/out"
if [ "$(sed -n '1,/^----$/p' "$tmp/insp" | tr '\n' ' ')" = "firstboot.bat rhsrvany.exe scripts scripts-done ---- " ]; then
  ok "the firstboot directory: runner, wrapper, scripts, scripts-done"
else notok "the firstboot directory: runner, wrapper, scripts, scripts-done"; fi
if [ "$(sed -n '/^----$/,/^----$/p' "$tmp/insp" | tr '\n' ' ')" = "---- 0001-echo-hello---C--hello.txt.bat 0002-second.bat 0003-dir.bat ---- " ]; then
  ok "three scripts, numbered in command-line order (none from the refused run)"
else notok "three scripts, numbered in command-line order (none from the refused run)"; fi
if cmp -s "$tmp/exe" "$tmp/vt/rhsrvany.exe"; then ok "the wrapper is a copy of VIRT_TOOLS_DATA_DIR/rhsrvany.exe"
else notok "the wrapper is a copy of VIRT_TOOLS_DATA_DIR/rhsrvany.exe"; fi
cp "$tmp/runner" "$tmp/out"
if grep -q $'^set fb=C:\\\\Program Files\\\\Guestfs\\\\Firstboot\r$' "$tmp/runner" &&
   grep -q $'^sc.exe delete RHSrvAny >>"%log%" 2>&1\r$' "$tmp/runner" &&
   grep -q 'log.txt' "$tmp/runner" && ! grep -q $'[^\r]$' "$tmp/runner"; then
  ok "firstboot.bat: CRLF, the directory, the log, removes its service at the end"
else notok "firstboot.bat: CRLF, the directory, the log, removes its service at the end"; fi
if [ "$(cat "$tmp/s1")" = $'@echo off\r\necho hello > C:\\hello.txt\r' ] &&
   [ "$(cat "$tmp/s2")" = $'echo second script\r\nver\r' ]; then
  ok "the scripts: the command as a batch file; the script with CRLF line ends"
else { echo "# s1:"; od -c "$tmp/s1" | head; echo "# s2:"; od -c "$tmp/s2" | head; } > "$tmp/out"
  notok "the scripts: the command as a batch file; the script with CRLF line ends"; fi

svc='ControlSet002\Services\RHSrvAny'
{
  for v in Type Start ErrorControl ImagePath ObjectName DisplayName; do hivexget "$tmp/SYSTEM" "$svc" $v; done
  hivexget "$tmp/SYSTEM" "$svc\\Parameters" CommandLine
  hivexget "$tmp/SYSTEM" "$svc\\Parameters" PWD
} > "$tmp/out" 2> "$tmp/err"
expect='16
2
1
C:\Program Files\Guestfs\Firstboot\rhsrvany.exe
LocalSystem
RHSrvAny
cmd /c "C:\Program Files\Guestfs\Firstboot\firstboot.bat"
C:\Program Files\Guestfs\Firstboot'
if [ "$(cat "$tmp/out")" = "$expect" ]; then ok "SYSTEM hive: the RHSrvAny service and its Parameters"
else printf '# expected:\n%s\n' "$expect"; notok "SYSTEM hive: the RHSrvAny service and its Parameters"; fi
if ! hivexget "$tmp/SYSTEM" 'ControlSet001\Services\RHSrvAny' Start > "$tmp/out" 2>&1; then
  ok "the other control set is left alone"; else notok "the other control set is left alone"; fi
finish
