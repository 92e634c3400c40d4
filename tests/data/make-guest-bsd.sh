#!/bin/bash
# Build a small fake BSD disk image: UFS filesystems made on the host with
# makefs (Debian package makefs) and written into GPT partitions with our
# own guestfish (no root needed).
#   freebsd  FreeBSD 13.2: sda1 freebsd-boot, sda2 UFS1 /  (fstab /dev/ada0p2),
#            sda3 swap (/dev/ada0p3), sda4 UFS1 /var (/dev/gpt/varfs)
#   netbsd   NetBSD 9.3:   sda1 UFS1 / (fstab /dev/wd0a), sda2 UFS1 /home
#            (NAME=netbsd-home)
#   openbsd  OpenBSD 7.4:  MBR partition 0xA6 with a BSD disklabel: a UFS1 /,
#            b swap, d UFS1 /home (fstab /dev/wd0a, wd0b, wd0d)
# usage: make-guest-bsd.sh KIND OUTPUT.img   (GUESTFISH names the guestfish)
# The image is rebuilt only when this script is newer than it.
set -eu
kind=${1:?usage: make-guest-bsd.sh freebsd|netbsd|openbsd OUTPUT.img}
out=${2:?usage: make-guest-bsd.sh KIND OUTPUT.img}
fish=${GUESTFISH:?set GUESTFISH to a guestfish binary}
if [ -s "$out" ] && [ "$out" -nt "$0" ]; then exit 0; fi
command -v makefs > /dev/null || { echo "$0: makefs (Debian package makefs) is needed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/make-guest-bsd-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
t=$tmp/root t2=$tmp/second
mkdir -p "$t/etc" "$t/bin" "$t/usr/bin" "$t/var" "$t/home" "$t2"

# A BSD binary: the ELF header of a host x86_64 binary, OS ABI set to
# FreeBSD (9) or NetBSD (2); inspection reads the machine field.
elf() {
  head -c 4096 /bin/ls > "$1"
  printf "\\$(printf %03o "$2")" | dd of="$1" bs=1 seek=7 conv=notrunc status=none
}

truncate -s 16M "$tmp/disk.img"
# The filesystem images go in at the partitions' first sectors (our
# upload does not write to devices).
put() { dd if="$1" of="$tmp/disk.img" bs=512 seek="$2" conv=notrunc status=none; }
case $kind in
freebsd)
  elf "$t/bin/sh" 9
  cp "$t/bin/sh" "$t/bin/ls"
  cat > "$t/bin/freebsd-version" <<'X'
#!/bin/sh
USERLAND_VERSION="13.2-RELEASE"
: ${ROOT:=}
echo $USERLAND_VERSION
X
  cat > "$t/etc/freebsd-update.conf" <<'X'
KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5
ServerName update.FreeBSD.org
Components src world kernel
X
  cat > "$t/etc/rc.conf" <<'X'
hostname="freebsd-test"
ifconfig_vtnet0="DHCP"
sshd_enable="YES"
X
  printf 'FreeBSD 13.2-RELEASE releng/13.2-n254617-525ecfdad597 GENERIC\n\nWelcome to FreeBSD!\n' > "$t/etc/motd"
  cat > "$t/etc/fstab" <<'X'
# Device	Mountpoint	FStype	Options	Dump	Pass#
/dev/ada0p2	/		ufs	rw	1	1
/dev/ada0p3	none		swap	sw	0	0
/dev/gpt/varfs	/var		ufs	rw	2	2
proc		/proc		procfs	rw	0	0
X
  echo "var marker" > "$t2/marker"
  # UFS1: Debian's makefs puts a UFS2 superblock at 8 KiB, where Linux
  # never looks for one (it wants UFS2's at 64 KiB, as FreeBSD writes it).
  makefs -t ffs -o version=1 -s 4m "$tmp/root.ufs" "$t" > /dev/null
  makefs -t ffs -o version=1 -s 4m "$tmp/var.ufs" "$t2" > /dev/null
  "$fish" -a "$tmp/disk.img" <<GF
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 2175
part-add /dev/sda p 4096 12287
part-add /dev/sda p 12288 14335
part-add /dev/sda p 14336 22527
part-set-gpt-type /dev/sda 1 83BD6B9D-7F41-11DC-BE0B-001560B84F0F
part-set-gpt-type /dev/sda 2 516E7CB6-6ECF-11D6-8FF8-00022D09712B
part-set-gpt-type /dev/sda 3 516E7CB5-6ECF-11D6-8FF8-00022D09712B
part-set-gpt-type /dev/sda 4 516E7CB6-6ECF-11D6-8FF8-00022D09712B
part-set-name /dev/sda 2 rootfs
part-set-name /dev/sda 4 varfs
GF
  put "$tmp/root.ufs" 4096
  put "$tmp/var.ufs" 14336
  ;;
netbsd)
  elf "$t/bin/sh" 2
  printf 'NetBSD 9.3 (GENERIC) #0: Thu Aug  4 15:30:37 UTC 2022\n\tmkrepro@mkrepro.NetBSD.org:/usr/src/sys/arch/amd64/compile/GENERIC\n' > "$t/etc/release"
  echo "not a kernel" > "$t/netbsd"
  echo "netbsd-test" > "$t/etc/myname"
  mkdir -p "$t/var/db/pkg"
  cat > "$t/etc/fstab" <<'X'
/dev/wd0a		/	ffs	rw		 1 1
NAME=netbsd-home	/home	ffs	rw		 1 2
kernfs		/kern	kernfs	rw
ptyfs		/dev/pts	ptyfs	rw
X
  echo "home marker" > "$t2/marker"
  makefs -t ffs -o version=1 -s 4m "$tmp/root.ufs" "$t" > /dev/null
  makefs -t ffs -o version=1 -s 4m "$tmp/home.ufs" "$t2" > /dev/null
  "$fish" -a "$tmp/disk.img" <<GF
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 10239
part-add /dev/sda p 10240 18431
part-set-gpt-type /dev/sda 1 49F48D5A-B10E-11DC-B99B-0019D1879648
part-set-gpt-type /dev/sda 2 49F48D5A-B10E-11DC-B99B-0019D1879648
part-set-name /dev/sda 1 netbsd-root
part-set-name /dev/sda 2 netbsd-home
GF
  put "$tmp/root.ufs" 2048
  put "$tmp/home.ufs" 10240
  ;;
openbsd)
  elf "$t/bin/sh" 12
  printf 'OpenBSD 7.4 (GENERIC.MP) #1397: Tue Oct 10 09:02:37 MDT 2023\n\nWelcome to OpenBSD: The proactively secure Unix-like operating system.\n' > "$t/etc/motd"
  echo "not a kernel" > "$t/bsd"
  echo "openbsd-test.example.org" > "$t/etc/myname"
  cat > "$t/etc/fstab" <<'X'
/dev/wd0a / ffs rw 1 1
/dev/wd0b none swap sw
/dev/wd0d /home ffs rw,nodev,nosuid 1 2
X
  echo "home marker" > "$t2/marker"
  makefs -t ffs -o version=1 -s 4m "$tmp/root.ufs" "$t" > /dev/null
  makefs -t ffs -o version=1 -s 4m "$tmp/home.ufs" "$t2" > /dev/null
  "$fish" -a "$tmp/disk.img" <<GF
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 -1
part-set-mbr-id /dev/sda 1 0xa6
GF
  # A BSD disklabel in the second sector of the OpenBSD partition:
  # a = / (UFS), b = swap, c = the whole partition, d = /home (UFS).
  # Linux shows a, b, d as sda5, sda6, sda7.
  python3 - "$tmp/disk.img" <<'PY'
import struct, sys
parts = [(8192, 4096, 7), (2048, 12288, 1), (30720, 2048, 0), (8192, 14336, 7)]
magic = 0x82564557
head = struct.pack('<IHH16s16sIIIIII', magic, 5, 0, b'SCSI disk', b'', 512, 63, 255, 2, 16065, 32768)
head += bytes(132 - len(head))
head += struct.pack('<IHHII', magic, 0, len(parts), 8192, 8192)
for size, off, fstype in parts:
    head += struct.pack('<IIIBBH', size, off, 2048 if fstype == 7 else 0, fstype, 8 if fstype == 7 else 0, 16 if fstype == 7 else 0)
with open(sys.argv[1], 'r+b') as f:
    f.seek(2049 * 512)
    f.write(head)
PY
  put "$tmp/root.ufs" 4096
  put "$tmp/home.ufs" 14336
  ;;
*) echo "$0: unknown kind $kind" >&2; exit 1 ;;
esac
mkdir -p "$(dirname "$out")"
mv "$tmp/disk.img" "$out"
