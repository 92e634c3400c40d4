#!/bin/bash
# Build win-users.img: a small fake Windows 7 guest (16 MiB, MBR, one NTFS
# C: partition) with user profiles, for virt-win-reg's HKEY_USERS paths and
# virt-log's Windows event log:
#
#   SOFTWARE   the win7 template plus ProfileList entries:
#                S-1-5-18                        %systemroot%\system32\config\systemprofile
#                S-1-5-21-1111-2222-3333-1001    C:\Users\alice
#                S-1-5-21-1111-2222-3333-1002    %SystemDrive%\Users\Bob
#                S-1-5-21-1111-2222-3333-1003    C:\Users\ghost (no NTUSER.DAT)
#   SYSTEM     the win7 template
#   DEFAULT    [HKEY_USERS\.DEFAULT\Control Panel\Desktop] "Wallpaper"
#   Users/alice/NTUSER.DAT, Users/Bob/NTUSER.DAT: [..\Software\Hatch] "Owner"
#   Windows/System32/winevt/Logs/System.evtx: an event log with no chunks
#
# usage: make-guest-windows-users.sh OUTDIR   (GUESTFISH names the guestfish)
# Rebuilt only when this script or a template is newer than the image.
set -eu
outdir=${1:?usage: make-guest-windows-users.sh OUTDIR}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
here=$(cd "$(dirname "$0")" && pwd)
regs=$here/windows
img=$outdir/win-users.img

if [ -s "$img" ] && [ "$img" -nt "$0" ] &&
   [ "$img" -nt "$regs/win7-software.reg" ] && [ "$img" -nt "$regs/win7-system.reg" ]; then
  exit 0
fi
command -v hivexregedit >/dev/null || {
  echo "$0: hivexregedit not found (Debian package libwin-hivex-perl)" >&2; exit 77; }
command -v sfdisk >/dev/null || { echo "$0: sfdisk not found" >&2; exit 77; }

tmp=$(mktemp -d /tmp/make-guest-winusers-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# hive PREFIX OUTPUT < REGFILE: a new hive with the .reg text merged in;
# the parents of every key are added first (hivexregedit needs them).
hive () {
  cat > "$tmp/in.reg"
  python3 - "$here/make-test-hive.py" "$tmp/in.reg" "$1" "$2" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("mth", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
prefix, out = sys.argv[3], sys.argv[4]
open(out, "wb").write(m.empty_hive())
lines, seen = [], set()
for line in open(sys.argv[2], encoding="utf-8").read().splitlines():
    if line.startswith("[") and line.endswith("]"):
        parts = line[1:-1][len(prefix):].strip("\\").split("\\")
        for i in range(1, len(parts)):
            k = "\\".join(parts[:i])
            if k not in seen:
                seen.add(k)
                lines += ["[%s\\%s]" % (prefix, k), ""]
        seen.add("\\".join(parts))
    lines.append(line)
open(out + ".reg", "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
  hivexregedit --merge --prefix "$1" "$2" "$2.reg"
  rm -f "$2.reg"
}

# expand STRING: a REG_EXPAND_SZ value (UTF-16LE with its final NUL) as hex(2).
expand () {
  python3 -c 'import sys; print("hex(2):" + ",".join("%02x" % b for b in (sys.argv[1] + "\0").encode("utf-16le")))' "$1"
}

SW='HKEY_LOCAL_MACHINE\SOFTWARE'
PL="$SW\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
S=S-1-5-21-1111-2222-3333
t=$tmp/root
mkdir -p "$t/Windows/System32/config" "$t/Windows/System32/winevt/Logs" \
  "$t/Users/alice" "$t/Users/Bob" "$t/Users/ghost" "$t/Program Files"

{ cat "$regs/win7-software.reg"; cat <<X

[$PL\\S-1-5-18]
"ProfileImagePath"=$(expand '%systemroot%\system32\config\systemprofile')

[$PL\\$S-1001]
"ProfileImagePath"=$(expand 'C:\Users\alice')

[$PL\\$S-1002]
"ProfileImagePath"=$(expand '%SystemDrive%\Users\Bob')

[$PL\\$S-1003]
"ProfileImagePath"=$(expand 'C:\Users\ghost')
X
} | hive "$SW" "$t/Windows/System32/config/SOFTWARE"
hive 'HKEY_LOCAL_MACHINE\SYSTEM' "$t/Windows/System32/config/SYSTEM" < "$regs/win7-system.reg"
hive 'HKEY_USERS\.DEFAULT' "$t/Windows/System32/config/DEFAULT" <<'X'
[HKEY_USERS\.DEFAULT\Control Panel\Desktop]
"Wallpaper"="C:\\Windows\\default.bmp"
X
for u in alice Bob; do
  hive 'HKEY_USERS\U' "$t/Users/$u/NTUSER.DAT" <<X
[HKEY_USERS\\U\\Software\\Hatch]
"Owner"="$u"
X
done
: > "$t/Windows/System32/cmd.exe"

# An .evtx file header (format 3.1) with no chunks: a valid, empty log.
python3 - "$t/Windows/System32/winevt/Logs/System.evtx" <<'PY'
import struct, sys, zlib
h = bytearray(4096)
struct.pack_into("<8sQQQIHHHH", h, 0, b"ElfFile\0", 0, 0, 1, 128, 1, 3, 4096, 0)
struct.pack_into("<I", h, 120, 0)                  # flags
struct.pack_into("<I", h, 124, zlib.crc32(bytes(h[:120])))
open(sys.argv[1], "wb").write(bytes(h))
PY

tar -C "$t" --owner=0 --group=0 -cf "$tmp/root.tar" .
truncate -s 16M "$tmp/win-users.img"
sfdisk -q --no-reread --no-tell-kernel "$tmp/win-users.img" >/dev/null <<'X'
label: dos
label-id: 0x05e45e45
start=2048, type=7, bootable
X
"$fish" -a "$tmp/win-users.img" <<GF
run
mkfs ntfs /dev/sda1
mount /dev/sda1 /
tar-in $tmp/root.tar /
umount /
GF
mkdir -p "$outdir"
mv "$tmp/win-users.img" "$img"
