#!/bin/bash
# Inspection of the harder layouts, each on a small fake image built by
# tests/data/make-guest-{bsd,iso,btrfs,multiboot,luks}.sh (cached in the
# build directory):
#   FreeBSD 13.2 on UFS in GPT partitions, fstab with /dev/ada0p2 names
#   NetBSD 9.3 on UFS1, fstab with /dev/wd0a and NAME= (GPT label) names
#   OpenBSD 7.4 on UFS1 in a BSD disklabel (virt-inspector only: its wd0
#   names map to the first disk)
#   a Debian netinst CD, a Fedora boot.iso (.treeinfo), an Ubuntu live CD
#   a Fedora root in btrfs subvolume @ (home in @home, fstab subvol=)
#   a multi-boot disk: Debian and Fedora roots sharing a data partition
#   Debian on LVM on LUKS: --key, --keys-from-stdin, guestfish --key -i,
#   and a wrong key
# Every inspect-get-* field through guestfish (one launch for the first
# seven disks), then virt-inspector's XML.  Prints TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-layouts

echo "1..34"
build_image () {  # build_image NAME SCRIPT ARGS...
  local name=$1; shift
  if bash "$@" > "$data/make-$name.log" 2>&1; then ok "build the $name image"
  else notok "build the $name image"; sed 's/^/# /' "$data/make-$name.log" | tail -20; fi
}
if command -v makefs > /dev/null; then
  build_image freebsd "$top/tests/data/make-guest-bsd.sh" freebsd "$data/guest-freebsd.img"
  build_image netbsd "$top/tests/data/make-guest-bsd.sh" netbsd "$data/guest-netbsd.img"
  build_image openbsd "$top/tests/data/make-guest-bsd.sh" openbsd "$data/guest-openbsd.img"
else
  for x in freebsd netbsd openbsd; do n=$((n + 1)); echo "ok $n # SKIP makefs is not installed"; done
fi
for k in debian fedora ubuntu; do
  build_image "$k-iso" "$top/tests/data/make-guest-iso.sh" $k "$data/guest-$k.iso"
done
build_image btrfs "$top/tests/data/make-guest-btrfs.sh" "$data/guest-btrfs.img"
build_image multiboot "$top/tests/data/make-guest-multiboot.sh" "$data/guest-multiboot.img"
build_image luks "$top/tests/data/make-guest-luks.sh" "$data/guest-luks.img"
if [ $fail = 1 ] || [ ! -s "$data/guest-freebsd.img" ]; then
  echo "Bail out! test images missing"; exit 1
fi

# ---- guestfish: the first seven disks in one launch ----
disks=(-a "$data/guest-freebsd.img" -a "$data/guest-netbsd.img" -a "$data/guest-debian.iso"
       -a "$data/guest-fedora.iso" -a "$data/guest-ubuntu.iso" -a "$data/guest-btrfs.img"
       -a "$data/guest-multiboot.img")
roots="/dev/sda2 /dev/sdb1 /dev/sdc /dev/sdd /dev/sde /dev/sdf1 /dev/sdg1 /dev/sdg2"
{
  echo run
  echo inspect-os
  for r in $roots; do
    echo "echo == $r"
    for f in type distro product-name product-variant major-version minor-version arch \
             hostname package-format osinfo format; do
      echo "inspect-get-$f $r"
    done
    echo "inspect-is-live $r"
    echo "inspect-is-netinst $r"
    echo "inspect-is-multipart $r"
    echo "inspect-get-mountpoints $r"
    echo "echo -- filesystems"
    echo "inspect-get-filesystems $r"
  done
} > "$tmp/script"
"$fish" --ro "${disks[@]}" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
check "guestfish exit status" "0" "$?"
[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err"
section () { awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$tmp/out"; }
check "roots" "$(echo $roots | tr ' ' '\n')" "$(sed -n '/^== /q;p' "$tmp/out")"

check "FreeBSD" "freebsd
freebsd
FreeBSD 13.2-RELEASE
unknown
13
2
x86_64
freebsd-test
unknown
freebsd13.2
installed
false
false
false
/var: /dev/sda4
/: /dev/sda2
-- filesystems
/dev/sda4
/dev/sda3
/dev/sda2" "$(section /dev/sda2)"

check "NetBSD" "netbsd
netbsd
NetBSD 9.3 (GENERIC) #0: Thu Aug  4 15:30:37 UTC 2022
unknown
9
3
x86_64
netbsd-test
pkgsrc
netbsd9.3
installed
false
false
false
/home: /dev/sdb2
/: /dev/sdb1
-- filesystems
/dev/sdb2
/dev/sdb1" "$(section /dev/sdb1)"

check "Debian netinst CD" "linux
debian
Debian GNU/Linux 12.5.0 \"Bookworm\" - Official amd64 NETINST with firmware 20240210-11:27
unknown
12
5
x86_64
unknown
unknown
debian12
installer
false
true
false
/: /dev/sdc
-- filesystems
/dev/sdc" "$(section /dev/sdc)"

check "Fedora boot.iso" "linux
fedora
Fedora 39
Everything
39
0
x86_64
unknown
unknown
fedora39
installer
false
true
false
/: /dev/sdd
-- filesystems
/dev/sdd" "$(section /dev/sdd)"

check "Ubuntu live CD" "linux
ubuntu
Ubuntu 22.04.3 LTS \"Jammy Jellyfish\" - Release amd64 (20230807.2)
unknown
22
4
x86_64
unknown
unknown
ubuntu22.04
installer
true
false
false
/: /dev/sde
-- filesystems
/dev/sde" "$(section /dev/sde)"

check "btrfs subvolumes" "linux
fedora
Fedora Linux 39 (Server Edition)
unknown
39
0
x86_64
btrfs-test
rpm
fedora39
installed
false
false
false
/home: btrfsvol:/dev/sdf1/@home
/: btrfsvol:/dev/sdf1/@
-- filesystems
btrfsvol:/dev/sdf1/@home
btrfsvol:/dev/sdf1/@" "$(section /dev/sdf1)"

check "multi-boot: Debian" "/srv: /dev/sdg3
/: /dev/sdg1" "$(section /dev/sdg1 | grep '^/[a-z]*: ')"
check "multi-boot: Fedora" "/data: /dev/sdg3
/: /dev/sdg2" "$(section /dev/sdg2 | grep '^/[a-z]*: ')"
check "multi-boot: distros" "debian multi-debian fedora multi-fedora" \
  "$(for r in /dev/sdg1 /dev/sdg2; do section $r | sed -n '2p;8p'; done | tr '\n' ' ' | sed 's/ $//')"

# ---- guestfish -i on the btrfs guest mounts the subvolumes ----
"$fish" --ro -a "$data/guest-btrfs.img" -i <<'GF' > "$tmp/out" 2> "$tmp/err"
cat /etc/hostname
is-dir /home/user
GF
# (cat prints the file, then a newline, as guestfish does.)
check "guestfish -i mounts the btrfs subvolumes" "btrfs-test

true" "$(cat "$tmp/out"; sed 's/^/stderr: /' "$tmp/err")"

# ---- virt-inspector ----
if [ -x "$vi" ]; then
  "$vi" --format=raw "${disks[@]}" > "$tmp/all.xml" 2> "$tmp/err"
  check "virt-inspector exit status" "0" "$?"
  q () { "$vi" --xpath "$1" < "$tmp/all.xml"; }
  check "virt-inspector: roots" "$(echo $roots | tr ' ' '\n')" \
    "$(q '//operatingsystem/root/text()')"
  os () { echo "//operatingsystem[root='$1']"; }
  check "virt-inspector: FreeBSD" "freebsd freebsd 13 2 freebsd-test" \
    "$(q "concat($(os /dev/sda2)/name, ' ', $(os /dev/sda2)/distro, ' ', $(os /dev/sda2)/major_version, ' ', $(os /dev/sda2)/minor_version, ' ', $(os /dev/sda2)/hostname)")"
  check "virt-inspector: NetBSD mountpoints" '<mountpoint dev="/dev/sdb1">/</mountpoint>
<mountpoint dev="/dev/sdb2">/home</mountpoint>' "$(q "$(os /dev/sdb1)//mountpoint")"
  check "virt-inspector: install CD flags" "installer netinst installer netinst installer live" \
    "$(for r in /dev/sdc /dev/sdd /dev/sde; do q "$(os $r)/format/text()"; echo " "; q "name($(os $r)/*[self::live or self::netinst or self::multipart])"; echo " "; done | tr -d '\n' | sed 's/ $//')"
  check "virt-inspector: btrfs mountpoints" '<mountpoint dev="btrfsvol:/dev/sdf1/@">/</mountpoint>
<mountpoint dev="btrfsvol:/dev/sdf1/@home">/home</mountpoint>' "$(q "$(os /dev/sdf1)//mountpoint")"
  check "virt-inspector: multi-boot lists both" "debian fedora" \
    "$(q "concat($(os /dev/sdg1)/distro, ' ', $(os /dev/sdg2)/distro)")"

  # OpenBSD alone: /dev/wd0a is the first disk's label partition a.
  "$vi" --format=raw -a "$data/guest-openbsd.img" > "$tmp/obsd.xml" 2> "$tmp/err"
  check "virt-inspector: OpenBSD in a disklabel" "0 /dev/sda5 openbsd openbsd 7 4 openbsd-test.example.org openbsd7.4
<mountpoint dev=\"/dev/sda5\">/</mountpoint>
<mountpoint dev=\"/dev/sda7\">/home</mountpoint>" \
    "$? $("$vi" --xpath 'concat(//root, " ", //name, " ", //distro, " ", //major_version, " ", //minor_version, " ", //hostname, " ", //osinfo)' < "$tmp/obsd.xml")
$("$vi" --xpath '//mountpoint' < "$tmp/obsd.xml")"

  # LVM on LUKS
  luks=$data/guest-luks.img
  "$vi" --format=raw --key /dev/sda2:key:hatch-luks-key -a "$luks" > "$tmp/luks.xml" 2> "$tmp/err"
  check "virt-inspector --key: root and mountpoints" "0 /dev/vgluks/root luks-test
<mountpoint dev=\"/dev/vgluks/root\">/</mountpoint>
<mountpoint dev=\"/dev/sda1\">/boot</mountpoint>
<mountpoint dev=\"/dev/vgluks/home\">/home</mountpoint>" \
    "$? $("$vi" --xpath 'concat(//root, " ", //hostname)' < "$tmp/luks.xml")
$("$vi" --xpath '//mountpoint' < "$tmp/luks.xml")"
  echo hatch-luks-key | "$vi" --format=raw --keys-from-stdin -a "$luks" > "$tmp/luks2.xml" 2> "$tmp/err"
  check "virt-inspector --keys-from-stdin" "0 debian" \
    "$? $("$vi" --xpath 'string(//distro)' < "$tmp/luks2.xml")"
  "$vi" --format=raw --key /dev/sda2:key:not-the-key -a "$luks" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 1 ] && grep -q "/dev/sda2" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "virt-inspector: a wrong key is a clear error"
  else notok "virt-inspector: a wrong key is a clear error (status $rc)"; sed 's/^/# /' "$tmp/err"; fi
else
  for i in $(seq 11); do n=$((n + 1)); echo "ok $n # SKIP virt-inspector not built"; done
fi
"$fish" --ro -a "$data/guest-luks.img" --key /dev/sda2:key:hatch-luks-key -i <<'GF' > "$tmp/out" 2> "$tmp/err"
cat /etc/hostname
is-dir /home/user
exists /boot/vmlinuz-6.1.0-18-amd64
GF
check "guestfish --key -i on LVM on LUKS" "luks-test

true
true" "$(cat "$tmp/out"; sed 's/^/stderr: /' "$tmp/err")"
"$fish" --ro -a "$data/guest-luks.img" --key /dev/sda2:key:wrong -i < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q "could not open the encrypted device /dev/sda2" "$tmp/err"; then
  ok "guestfish -i: a wrong key is a clear error"
else notok "guestfish -i: a wrong key is a clear error (status $rc)"; sed 's/^/# /' "$tmp/err"; fi
exit $fail
