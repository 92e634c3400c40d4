#!/bin/bash
# virt-df and virt-alignment-scan with no -a or -d: every guest of a
# libvirt connection (libvirt's test driver with a node file of our own:
# two guests with disks, one without, listed in name order), --uuid, -c
# errors.  Skipped when the tools were built without libvirt.  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-df" ] && [ -x "$tools/virt-alignment-scan" ] ||
  { echo "1..0 # SKIP virt-df or virt-alignment-scan not built"; exit 77; }
command -v mkfs.ext2 > /dev/null && command -v sfdisk > /dev/null ||
  { echo "1..0 # SKIP mkfs.ext2 or sfdisk missing"; exit 77; }
"$tools/virt-df" -c test:///default > /dev/null 2> "$tmp/err"
if grep -q "built without libvirt" "$tmp/err"; then
  echo "1..0 # SKIP built without libvirt"; exit 77
fi

# tx/stx: as t/st, for a command line that is not a tool of $tools.
tx () {
  local name=$1 status=$2 expect=$3; shift 3
  "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status; expected stdout:"
       printf '%s\n' "$expect" | sed 's/^/#   /'; notok "$name"; fi
}

# zeta: one 16 MiB disk, an ext2 partition at sector 63 (misaligned).
# alpha: an 8 MiB disk holding ext2 directly (no partition table) and a
# 4 MiB disk with a partition at 1 MiB.  nodisk: no disks at all.
truncate -s 16M "$tmp/z.img"
printf 'label: dos\nstart=63, type=83\n' | sfdisk -q --no-reread --no-tell-kernel "$tmp/z.img" > /dev/null
mkfs.ext2 -q -F -E offset=32256 -L ZETA "$tmp/z.img" 8M > /dev/null 2>&1
truncate -s 8M "$tmp/a1.img"
mkfs.ext2 -q -F -L ALPHA "$tmp/a1.img" > /dev/null 2>&1
truncate -s 4M "$tmp/a2.img"
printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q --no-reread --no-tell-kernel "$tmp/a2.img" > /dev/null
dom () {  # NAME UUID DISKS...
  local name=$1 uuid=$2 d i=0; shift 2
  echo "<domain type='test'><name>$name</name><uuid>$uuid</uuid>"
  echo "<memory>65536</memory><os><type>hvm</type></os><devices>"
  for d in "$@"; do
    echo "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
    echo "<source file='$d'/><target dev='vd$(printf "\\x$(printf %x $((97 + i)))")'/></disk>"
    i=$((i + 1))
  done
  echo "<disk type='file' device='cdrom'><target dev='hdc'/></disk></devices></domain>"
}
{
  echo "<node>"
  dom zeta 22222222-2222-2222-2222-222222222222 "$tmp/z.img"
  dom nodisk 33333333-3333-3333-3333-333333333333
  dom alpha 11111111-1111-1111-1111-111111111111 "$tmp/a1.img" "$tmp/a2.img"
  echo "</node>"
} > "$tmp/node.xml"
uri="test://$tmp/node.xml"

"$tools/virt-df" -c "$uri" < /dev/null > "$tmp/out" 2> "$tmp/err"; rc=$?
if [ $rc = 0 ] && [ "$(awk 'NR > 1 { print $1 }' "$tmp/out")" = "$(printf '%s\n' alpha:/dev/sda zeta:/dev/sda1)" ]; then
  ok "virt-df: every guest, in name order, guests without disks skipped"
else notok "virt-df: every guest, in name order, guests without disks skipped"; fi
head -1 "$tmp/out" | grep -q '^Filesystem' && ok "virt-df: one title line" ||
  notok "virt-df: one title line"
"$tools/virt-df" -c "$uri" --uuid --csv < /dev/null > "$tmp/out" 2> "$tmp/err"; rc=$?
if [ $rc = 0 ] && [ "$(awk -F, 'NR > 1 { print $1 "," $2 }' "$tmp/out")" = \
     "$(printf '%s\n' 11111111-1111-1111-1111-111111111111,/dev/sda \
        22222222-2222-2222-2222-222222222222,/dev/sda1)" ]; then
  ok "virt-df --uuid --csv: every guest by UUID"
else notok "virt-df --uuid --csv: every guest by UUID"; fi
"$tools/virt-df" -c "$uri" -d zeta --uuid < /dev/null > "$tmp/out" 2> "$tmp/err"; rc=$?
if [ $rc = 0 ] && awk 'NR == 2' "$tmp/out" | grep -q '^22222222-2222-2222-2222-222222222222:/dev/sda1'; then
  ok "virt-df -d --uuid"
else notok "virt-df -d --uuid"; fi
# The same numbers as with -a.
"$tools/virt-df" -c "$uri" < /dev/null 2> /dev/null | awk 'NR > 1 && $1 ~ /^zeta/ { $1 = ""; print }' > "$tmp/a"
"$tools/virt-df" -a "$tmp/z.img" < /dev/null 2> /dev/null | awk 'NR > 1 { $1 = ""; print }' > "$tmp/b"
if [ -s "$tmp/a" ] && cmp -s "$tmp/a" "$tmp/b"; then ok "virt-df: same numbers as with -a"
else notok "virt-df: same numbers as with -a"; fi

tx "virt-alignment-scan: every guest" 3 "alpha:/dev/sda1            0 - ok
alpha:/dev/sdb1      1048576         1024K   ok
zeta:/dev/sda1        32256          512    bad (alignment < 4K)" \
  "$tools/virt-alignment-scan" -c "$uri"
tx "virt-alignment-scan --uuid" 3 "11111111-1111-1111-1111-111111111111:/dev/sda1            0 - ok
11111111-1111-1111-1111-111111111111:/dev/sdb1      1048576         1024K   ok
22222222-2222-2222-2222-222222222222:/dev/sda1        32256          512    bad (alignment < 4K)" \
  "$tools/virt-alignment-scan" --uuid -c "$uri"
tx "virt-alignment-scan -d: no prefix" 0 "/dev/sda1            0 - ok
/dev/sdb1      1048576         1024K   ok" \
  "$tools/virt-alignment-scan" -c "$uri" -d alpha

# A connection with no guests with disks: nothing to do.
printf '<node><domain type="test"><name>empty</name><memory>65536</memory><os><type>hvm</type></os></domain></node>\n' > "$tmp/empty.xml"
tx "virt-alignment-scan: no guest has disks" 0 "" "$tools/virt-alignment-scan" -c "test://$tmp/empty.xml"
# Connection errors name the URI.
tx "virt-df: bad URI" 1 "" "$tools/virt-df" -c "test://$tmp/nosuch.xml"
err_has "virt-df: bad URI message" "nosuch.xml"
tx "virt-alignment-scan: bad URI" 1 "" "$tools/virt-alignment-scan" -c "test://$tmp/nosuch.xml"
err_has "virt-alignment-scan: bad URI message" "cannot connect to libvirt"
finish
