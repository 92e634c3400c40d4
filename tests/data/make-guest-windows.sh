#!/bin/bash
# Build small fake Windows disk images for the Windows inspection tests,
# without root, with our own guestfish.  Each has NTFS filesystems holding a
# systemroot with SOFTWARE and SYSTEM registry hives made from the .reg
# templates in tests/data/windows/ (hivexregedit, Debian package
# libwin-hivex-perl) and System32/cmd.exe (a stub PE header, or empty):
#
#   win-xp.img    MBR (signature cafed00d), sda1 at sector 63: C:
#                 /WINDOWS/system32 (lower-case dirs), i386, XP 5.1
#   win-7.img     MBR (5eed7a11), sda1 "System Reserved", sda2 C:, sda3 E:
#                 (vfat), x86_64, Windows 7 6.1 build 7601, CurrentControlSet
#                 is ControlSet002, programs in both Uninstall views
#   win-11.img    GPT, sda1 EFI (vfat), sda2 C:, sda3 D: (by partition GUID),
#                 "Windows 10 Pro" build 22621
#   win-2019.img  MBR (20192019), sda1 C:, /windows in lower case,
#                 Windows Server 2019 build 17763, arch only in the registry
#   win-xp2.img   the XP disk again (same signature and hives), but the
#                 systemroot is /WINXP, found only through BOOT.INI's
#                 default= line
#   win-bad.img   MBR, sda1: a truncated SOFTWARE hive and a garbage SYSTEM
#                 hive (inspection must degrade, not fail)
#
# usage: make-guest-windows.sh OUTDIR   (GUESTFISH names the guestfish)
# The images are rebuilt only when this script or a template is newer.
set -eu
outdir=${1:?usage: make-guest-windows.sh OUTDIR}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
here=$(cd "$(dirname "$0")" && pwd)
regs=$here/windows
images="win-xp win-7 win-11 win-2019 win-bad win-xp2"

fresh=yes
for i in $images; do
  f=$outdir/$i.img
  if [ ! -s "$f" ] || [ "$0" -nt "$f" ]; then fresh=no; fi
  for r in "$regs"/*.reg; do
    if [ -s "$f" ] && [ "$r" -nt "$f" ]; then fresh=no; fi
  done
done
[ $fresh = yes ] && exit 0

command -v hivexregedit >/dev/null || {
  echo "$0: hivexregedit not found (Debian package libwin-hivex-perl)" >&2; exit 77; }
command -v sfdisk >/dev/null || { echo "$0: sfdisk not found" >&2; exit 77; }

tmp=$(mktemp -d /tmp/make-guest-win-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# hive NAME.reg PREFIX OUTPUT: an empty hive (from make-test-hive.py) with
# the template merged in.  hivexregedit creates a key only below an
# existing one: every key's parents are listed before it first.
hive () {
  python3 - "$here/make-test-hive.py" "$regs/$1" "$2" "$3" <<'PY'
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
  hivexregedit --merge --prefix "$2" "$3" "$3.reg"
  rm -f "$3.reg"
}

# pe MACHINE OUTPUT: the headers of a console PE image for that machine
# type (enough for file(1) to say "PE32+ executable (console) x86-64").
pe () {
  python3 - "$1" "$2" <<'PY'
import struct, sys
machine = int(sys.argv[1], 16)
mz = bytearray(b"MZ" + b"\0" * 0x7e)
struct.pack_into("<I", mz, 0x3c, 0x80)
plus = machine in (0x8664, 0xaa64)
opt = bytearray(0xf0 if plus else 0xe0)
coff = b"PE\0\0" + struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, len(opt),
                                 0x22 if plus else 0x102)
struct.pack_into("<H", opt, 0, 0x20b if plus else 0x10b)
struct.pack_into("<HH", opt, 40, 6, 1)     # OS version
struct.pack_into("<HH", opt, 48, 6, 1)     # subsystem version
struct.pack_into("<H", opt, 68, 3)         # console subsystem
struct.pack_into("<I", opt, 108 if plus else 92, 16)
open(sys.argv[2], "wb").write(bytes(mz) + coff + bytes(opt) + b"\0" * 256)
PY
}

SW='HKEY_LOCAL_MACHINE\SOFTWARE'
SY='HKEY_LOCAL_MACHINE\SYSTEM'

# --- the trees ---
t=$tmp/xp; mkdir -p "$t/WINDOWS/system32/config" "$t/Documents and Settings"
hive xp-software.reg "$SW" "$t/WINDOWS/system32/config/software"
hive xp-system.reg "$SY" "$t/WINDOWS/system32/config/system"
pe 14c "$t/WINDOWS/system32/cmd.exe"
printf '[boot loader]\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n' > "$t/boot.ini"

t=$tmp/xp2; mkdir -p "$t/WINXP/system32/config" "$t/Documents and Settings"
cp "$tmp/xp/WINDOWS/system32/config/software" "$tmp/xp/WINDOWS/system32/config/system" \
   "$tmp/xp/WINDOWS/system32/cmd.exe" "$t/WINXP/system32/"
mv "$t/WINXP/system32/software" "$t/WINXP/system32/system" "$t/WINXP/system32/config/"
printf '%s\r\n' '[boot loader]' 'timeout=30' \
  'default=multi(0)disk(0)rdisk(0)partition(1)\WINXP' '[operating systems]' \
  'multi(0)disk(0)rdisk(0)partition(1)\WINXP="Microsoft Windows XP Professional" /fastdetect' \
  > "$t/BOOT.INI"

t=$tmp/win7; mkdir -p "$t/Windows/System32/config" "$t/Program Files" "$t/Users"
hive win7-software.reg "$SW" "$t/Windows/System32/config/SOFTWARE"
hive win7-system.reg "$SY" "$t/Windows/System32/config/SYSTEM"
pe 8664 "$t/Windows/System32/cmd.exe"

t=$tmp/win11; mkdir -p "$t/Windows/System32/config" "$t/Users"
hive win11-software.reg "$SW" "$t/Windows/System32/config/SOFTWARE"
hive win11-system.reg "$SY" "$t/Windows/System32/config/SYSTEM"
pe 8664 "$t/Windows/System32/cmd.exe"

t=$tmp/win2019; mkdir -p "$t/windows/system32/config"
hive win2019-software.reg "$SW" "$t/windows/system32/config/SOFTWARE"
hive win2019-system.reg "$SY" "$t/windows/system32/config/SYSTEM"
: > "$t/windows/system32/cmd.exe"

t=$tmp/bad; mkdir -p "$t/Windows/System32/config"
head -c 6000 "$tmp/win7/Windows/System32/config/SOFTWARE" > "$t/Windows/System32/config/SOFTWARE"
{ printf 'regf'; head -c 8188 /dev/urandom; } > "$t/Windows/System32/config/SYSTEM"
: > "$t/Windows/System32/cmd.exe"

for d in xp xp2 win7 win11 win2019 bad; do
  tar -C "$tmp/$d" --owner=0 --group=0 -cf "$tmp/$d.tar" .
done

# --- the disks ---
truncate -s 16M "$tmp/win-xp.img" "$tmp/win-2019.img" "$tmp/win-bad.img" "$tmp/win-xp2.img"
truncate -s 32M "$tmp/win-7.img"
truncate -s 40M "$tmp/win-11.img"
sf () { sfdisk -q --no-reread --no-tell-kernel "$1" >/dev/null; }
sf "$tmp/win-xp.img" <<'X'
label: dos
label-id: 0xcafed00d
start=63, type=7, bootable
X
sf "$tmp/win-7.img" <<'X'
label: dos
label-id: 0x5eed7a11
start=2048, size=16384, type=7, bootable
start=18432, size=32768, type=7
start=51200, type=c
X
sf "$tmp/win-11.img" <<'X'
label: gpt
start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=0F0E0D0C-0B0A-4908-8706-050403020100
start=18432, size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=6A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
start=51200, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, uuid=11223344-5566-4788-99AA-BBCCDDEEFF00
X
sf "$tmp/win-2019.img" <<'X'
label: dos
label-id: 0x20192019
start=2048, type=7, bootable
X
sf "$tmp/win-xp2.img" <<'X'
label: dos
label-id: 0xcafed00d
start=63, type=7, bootable
X
sf "$tmp/win-bad.img" <<'X'
label: dos
label-id: 0x0badf00d
start=2048, type=7
X

"$fish" -a "$tmp/win-xp.img" -a "$tmp/win-7.img" -a "$tmp/win-11.img" \
        -a "$tmp/win-2019.img" -a "$tmp/win-bad.img" -a "$tmp/win-xp2.img" <<GF
run
mkfs ntfs /dev/sda1
mount /dev/sda1 /
tar-in $tmp/xp.tar /
umount /
mkfs ntfs /dev/sdb1 "label:System Reserved"
mkfs ntfs /dev/sdb2
mkfs vfat /dev/sdb3 label:DATA
mount /dev/sdb2 /
tar-in $tmp/win7.tar /
umount /
mkfs vfat /dev/sdc1
mkfs ntfs /dev/sdc2
mkfs ntfs /dev/sdc3 label:Data
mount /dev/sdc2 /
tar-in $tmp/win11.tar /
umount /
mkfs ntfs /dev/sdd1
mount /dev/sdd1 /
tar-in $tmp/win2019.tar /
umount /
mkfs ntfs /dev/sde1
mount /dev/sde1 /
tar-in $tmp/bad.tar /
umount /
mkfs ntfs /dev/sdf1
mount /dev/sdf1 /
tar-in $tmp/xp2.tar /
umount /
GF
mkdir -p "$outdir"
for i in $images; do mv "$tmp/$i.img" "$outdir/$i.img"; done
