#!/bin/bash
# A small fake FreeBSD 14.0 guest on UFS2, the filesystem FreeBSD's
# installer makes: GPT, sda1 freebsd-boot, sda2 freebsd-ufs "/" (UFS2,
# fstab /dev/gpt/rootfs), sda3 freebsd-swap (fstab /dev/ada0p3).
#
# Debian's makefs (package makefs) writes UFS2 but puts its superblock at
# 8 KiB, where FreeBSD's newfs puts UFS1's; Linux (ufstype=ufs2) reads a
# UFS2 superblock only at 64 KiB, as newfs writes it.  So the filesystem is
# made with enough inodes that 64..72 KiB falls in the never-used end of
# the inode table, and the superblock is copied there (the checks below
# make sure those bytes were zero): Linux, like FreeBSD, then finds it
# where it looks first.
# usage: make-guest-freebsd-ufs2.sh OUTPUT.img   (GUESTFISH names the guestfish)
# The image is rebuilt only when this script is newer than it.
set -eu
out=${1:?usage: make-guest-freebsd-ufs2.sh OUTPUT.img}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi
command -v makefs > /dev/null || { echo "$0: makefs (Debian package makefs) is needed" >&2; exit 77; }
tmp=$(mktemp -d /tmp/make-guest-ufs2-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/root
mkdir -p "$t/etc" "$t/bin" "$t/usr/bin" "$t/var" "$t/home" "$t/tmp" "$t/boot/kernel"

# The ELF header of a host x86_64 binary, marked FreeBSD (OS ABI 9).
head -c 4096 /bin/ls > "$t/bin/sh"
printf '\011' | dd of="$t/bin/sh" bs=1 seek=7 conv=notrunc status=none
cp "$t/bin/sh" "$t/bin/ls"
cat > "$t/bin/freebsd-version" <<'X'
#!/bin/sh
USERLAND_VERSION="14.0-RELEASE"
: ${ROOT:=}
echo $USERLAND_VERSION
X
printf 'ServerName update.FreeBSD.org\nComponents src world kernel\n' > "$t/etc/freebsd-update.conf"
printf 'hostname="freebsd14-ufs2"\nifconfig_vtnet0="DHCP"\nsshd_enable="YES"\n' > "$t/etc/rc.conf"
cat > "$t/etc/fstab" <<'X'
# Device		Mountpoint	FStype	Options	Dump	Pass#
/dev/gpt/rootfs		/		ufs	rw	1	1
/dev/ada0p3		none		swap	sw	0	0
X
echo "UFS2 marker" > "$t/etc/ufs2-marker"

makefs -t ffs -o version=2 -f 200 -s 4m "$tmp/root.ufs" "$t" > /dev/null
python3 - "$tmp/root.ufs" <<'PY'
import struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
SB1, SB2, SIZE = 8192, 65536, 8192
if struct.unpack_from("<I", d, SB1 + 1372)[0] != 0x19540119:
    sys.exit("no UFS2 superblock at 8 KiB")
iblkno, dblkno = struct.unpack_from("<ii", d, SB1 + 16)
fsize = struct.unpack_from("<i", d, SB1 + 52)[0]
if not (iblkno * fsize <= SB2 and SB2 + SIZE <= dblkno * fsize):
    sys.exit("64 KiB is not inside the inode table")
if any(d[SB2:SB2 + SIZE]):
    sys.exit("the inodes at 64 KiB are in use")
d[SB2:SB2 + SIZE] = d[SB1:SB1 + SIZE]
open(p, "wb").write(d)
PY

truncate -s 16M "$tmp/disk.img"
"$fish" -a "$tmp/disk.img" <<GF
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 2175
part-add /dev/sda p 4096 12287
part-add /dev/sda p 12288 16383
part-set-gpt-type /dev/sda 1 83BD6B9D-7F41-11DC-BE0B-001560B84F0F
part-set-gpt-type /dev/sda 2 516E7CB6-6ECF-11D6-8FF8-00022D09712B
part-set-gpt-type /dev/sda 3 516E7CB5-6ECF-11D6-8FF8-00022D09712B
part-set-name /dev/sda 2 rootfs
GF
dd if="$tmp/root.ufs" of="$tmp/disk.img" bs=512 seek=4096 conv=notrunc status=none
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
