#!/bin/bash
# virt-v2v's other modes, on the small phony guests (no debootstrap):
#   - a two-disk Windows 7 guest (-i libvirtxml: the phony Windows 7 image
#     and a data disk) with VIRTIO_WIN given as an ISO (made here with
#     genisoimage from a virtio-win tree, read with isoinfo): drivers from
#     the ISO in the guest, both disks copied (in parallel), the data disk
#     identical to its source;
#   - --in-place on a copy of the phony Windows 7 image: the source itself
#     gets the virtio services, and nothing else is written;
#   - the LUKS-encrypted Debian layout of tests/data/make-guest-luks.sh:
#     refused without --key, converted with --key into -o libvirt (the
#     system libvirtd the tests share, tests/shell/libvirtd-lib.bash; a
#     transient storage pool in the test's directory): the disk is in the
#     pool as a volume, the guest is defined with it on virtio; a second
#     run with the same name is refused before anything is copied.
# Five appliance launches.  TAP.
source "$(dirname "$0")/tools-lib.bash"
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
command -v hivexget > /dev/null || { echo "1..0 # SKIP hivexget (libhivex-bin) is not installed"; exit 77; }
export TMPDIR=$tmp LIBGUESTFS_CACHEDIR=$tmp
wdata=$data/win
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$wdata" > "$tmp/make.log" 2>&1
[ $? = 0 ] || { echo "1..0 # SKIP the Windows images cannot be made here"; exit 77; }

# ---- two disks, VIRTIO_WIN as an ISO --------------------------------------
vw=$tmp/vwtree
for d in viostor NetKVM; do
  mkdir -p "$vw/$d/w7/amd64" "$vw/$d/w10/amd64"
  printf 'MZ %s for w7 (from the ISO)\n' $d > "$vw/$d/w7/amd64/${d,,}.sys"
  printf '[Version]\r\n' > "$vw/$d/w7/amd64/${d,,}.inf"
  printf 'MZ %s for w10\n' $d > "$vw/$d/w10/amd64/${d,,}.sys"
done
mkdir -p "$vw/guest-agent" "$vw/unrelated"
printf 'qemu-ga msi from the ISO\n' > "$vw/guest-agent/qemu-ga-x86_64.msi"
printf 'not unpacked\n' > "$vw/unrelated/big.bin"
genisoimage -quiet -R -J -V VIRTIO_WIN -o "$tmp/virtio-win.iso" "$vw" 2> "$tmp/err" || notok "genisoimage"
cp --sparse=always "$wdata/win-7.img" "$tmp/w7.img"
truncate -s 8M "$tmp/data.img"
printf 'data disk block\n' | dd of="$tmp/data.img" bs=1 seek=1048576 conv=notrunc status=none
cat > "$tmp/w2.xml" <<X
<domain type='kvm'>
  <name>w7two</name>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$tmp/w7.img'/><target dev='hda'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$tmp/data.img'/><target dev='hdb'/></disk>
  </devices>
</domain>
X
mkdir -p "$tmp/o1"
VIRTIO_WIN=$tmp/virtio-win.iso "$v2v" -i libvirtxml "$tmp/w2.xml" -o local -os "$tmp/o1" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && [ -s "$tmp/o1/w7two-sda" ] && [ -s "$tmp/o1/w7two-sdb" ]; then
  ok "two-disk Windows guest, VIRTIO_WIN as an ISO -> -o local"; else notok "two-disk Windows guest, VIRTIO_WIN as an ISO -> -o local"; fi
if grep -q "Unpacking the drivers from the VIRTIO_WIN ISO" "$tmp/out" && grep -q "Copying 2 disks in parallel" "$tmp/out"; then
  ok "ISO unpacked, the disks copied in parallel"; else notok "ISO unpacked, the disks copied in parallel"; fi
if qemu-img compare -q -f raw -F raw "$tmp/data.img" "$tmp/o1/w7two-sdb"; then
  ok "the data disk's copy is identical to its source"; else notok "the data disk's copy is identical to its source"; fi
cp "$tmp/o1/w7two.xml" "$tmp/out"
if grep -q "<target dev='vdb' bus='virtio'/>" "$tmp/out"; then ok "both disks on virtio in the XML"; else notok "both disks on virtio in the XML"; fi

# ---- --in-place -------------------------------------------------------------
cp --sparse=always "$wdata/win-7.img" "$tmp/inplace.img"
"$v2v" --in-place -i disk "$tmp/inplace.img" -o local > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q -- "--in-place converts the source disks where they are" "$tmp/err"; then
  ok "--in-place refuses output options"; else notok "--in-place refuses output options"; fi
ln -s "$v2v" "$tmp/virt-v2v-in-place"
"$tmp/virt-v2v-in-place" -i ova "$tmp/inplace.img" > "$tmp/out" 2> "$tmp/err"
rc=$?
rm "$tmp/virt-v2v-in-place"
if [ $rc = 1 ] && grep -q -- "^virt-v2v-in-place: --in-place cannot convert an OVA" "$tmp/err"; then
  ok "run as virt-v2v-in-place: --in-place is implied"; else notok "run as virt-v2v-in-place: --in-place is implied"; fi
before=$(ls "$tmp")
VIRTIO_WIN=$vw "$v2v" --in-place -i disk "$tmp/inplace.img" > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q "converted in place" "$tmp/out" && [ "$(ls "$tmp")" = "$before" ]; then
  ok "--in-place -i disk converts, writes no other file"; else notok "--in-place -i disk converts, writes no other file"; fi

"$fish" --ro -a "$tmp/o1/w7two-sda" -a "$tmp/inplace.img" > "$tmp/out" 2> "$tmp/err" <<GF
run
mount /dev/sda2 /
cat /Windows/System32/drivers/viostor.sys
cat /Windows/Drivers/VirtIO/qemu-ga-x86_64.msi
download /Windows/System32/config/SYSTEM $tmp/SYSTEM1
umount /
mount /dev/sdb2 /
cat /Windows/System32/drivers/viostor.sys
download /Windows/System32/config/SYSTEM $tmp/SYSTEM2
GF
cp "$tmp/out" "$tmp/insp"
if [ "$(grep -c -x -e 'MZ viostor for w7 (from the ISO)' -e 'qemu-ga msi from the ISO' "$tmp/insp")" = 3 ] &&
   [ "$(hivexget "$tmp/SYSTEM1" 'ControlSet002\Services\viostor' Start)" = 0 ]; then
  ok "ISO: the w7 drivers and the qemu-ga MSI from the ISO, viostor registered"
else notok "ISO: the w7 drivers and the qemu-ga MSI from the ISO, viostor registered"; fi
if [ "$(grep -c -x 'MZ viostor for w7 (from the ISO)' "$tmp/insp")" = 2 ] &&
   [ "$(hivexget "$tmp/SYSTEM2" 'ControlSet002\Services\viostor' ImagePath)" = 'system32\drivers\viostor.sys' ]; then
  ok "--in-place: the source disk itself has the driver and its service"
else notok "--in-place: the source disk itself has the driver and its service"; fi

# ---- LUKS: --key; -o libvirt --------------------------------------------------
GUESTFISH=$fish bash "$top/tests/data/make-guest-luks.sh" "$data/guest-luks.img" > "$tmp/make.log" 2>&1 ||
  { notok "make the LUKS guest"; finish; }
"$v2v" -i disk "$data/guest-luks.img" --key all:key:wrong-passphrase -o null > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "could not open the encrypted device /dev/sda2 with the keys given" "$tmp/err"; then
  ok "--key with a wrong passphrase: refused, naming the device"
else notok "--key with a wrong passphrase: refused, naming the device"; fi

uri=qemu:///system
if [ "$(id -u)" != 0 ] || ! command -v libvirtd > /dev/null || ! command -v virsh > /dev/null; then
  skip "-o libvirt needs root and libvirt-daemon-system"; finish
fi
# One libvirtd for all the tests that run at once (libvirtd-lib.bash).
. "$(dirname "$0")/libvirtd-lib.bash"
pool=hatch-v2v-$$
dom=hatch-v2v-luks-$$
trap 'virsh -c $uri undefine $dom > /dev/null 2>&1; virsh -c $uri pool-destroy $pool > /dev/null 2>&1
      libvirtd_leave; rm -rf "$tmp"' EXIT
if ! libvirtd_join; then skip "-o libvirt: libvirtd did not start"; finish; fi
mkdir -p "$tmp/pool"
virsh -c $uri pool-create-as $pool dir --target "$tmp/pool" > /dev/null 2>&1 || notok "create a storage pool"
"$v2v" -i disk "$data/guest-luks.img" --key all:key:hatch-luks-key -o libvirt -oc $uri -os $pool -on $dom > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q "Defining the guest ‘$dom’ in libvirt" "$tmp/out"; then
  ok "LUKS guest with --key -> -o libvirt"; else notok "LUKS guest with --key -> -o libvirt"; fi
virsh -c $uri dumpxml $dom > "$tmp/out" 2> "$tmp/err"
if grep -q "<source file='$tmp/pool/$dom-sda'/>" "$tmp/out" && grep -q "bus='virtio'" "$tmp/out" &&
   grep -q "<name>$dom</name>" "$tmp/out"; then
  ok "-o libvirt: the guest is defined, its disk in the pool on virtio"; else notok "-o libvirt: the guest is defined, its disk in the pool on virtio"; fi
virsh -c $uri vol-list $pool > "$tmp/out" 2> "$tmp/err"
# The LUKS header's magic at the start of the copied sda2.
start=$(sfdisk -d "$tmp/pool/$dom-sda" 2> /dev/null | sed -n 's/.*-sda2 : start= *\([0-9]*\).*/\1/p')
magic=$(dd if="$tmp/pool/$dom-sda" bs=512 skip="${start:-0}" count=1 status=none | head -c 4)
if grep -q "$dom-sda" "$tmp/out" && [ -n "$start" ] && [ "$magic" = LUKS ]; then
  ok "-o libvirt: the volume is in the pool, still encrypted"
else echo "# sda2 at ${start:-?}, magic ${magic:-none}" >> "$tmp/out"; notok "-o libvirt: the volume is in the pool, still encrypted"; fi
ls "$tmp/pool" > "$tmp/before"
"$v2v" -i disk "$data/guest-luks.img" --key all:key:hatch-luks-key -o libvirt -oc $uri -os $pool -on $dom > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "a guest called ‘$dom’ already exists in libvirt" "$tmp/err" && ls "$tmp/pool" | cmp -s - "$tmp/before"; then
  ok "-o libvirt: an existing guest name is refused, nothing copied"; else notok "-o libvirt: an existing guest name is refused, nothing copied"; fi
"$v2v" -i disk "$data/guest-luks.img" -o libvirt -oc $uri -os no-such-pool > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "no storage pool called ‘no-such-pool’" "$tmp/err"; then
  ok "-o libvirt: an unknown pool is refused"; else notok "-o libvirt: an unknown pool is refused"; fi
finish
