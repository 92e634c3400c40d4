#!/bin/bash
# Time virt-v2v on an OVA of the debootstrap Debian 12 guest
# (tests/data/make-guest-debootstrap.sh): the phases from virt-v2v's own
# timestamped messages (unpack + manifest, launch + inspection +
# conversion, copy), against a plain `qemu-img convert` of the same vmdk
# to the same output format.  Run by hand:
#   HATCH_BUILDDIR=$PWD/build bench/v2v-ova.sh
set -eu
build=$(cd "${HATCH_BUILDDIR:?set HATCH_BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
debdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-bookworm
bash "$top/tests/data/make-guest-debootstrap.sh" "$debdir" > /dev/null
tmp=$(mktemp -d /var/tmp/v2v-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ova" "$tmp/out"
qemu-img convert -O vmdk -o subformat=streamOptimized "$debdir/disk.img" "$tmp/ova/disk1.vmdk"
cat > "$tmp/ova/b.ovf" <<'X'
<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:href="disk1.vmdk" ovf:id="f1"/></References>
  <DiskSection><Disk ovf:diskId="d1" ovf:fileRef="f1"/></DiskSection>
  <VirtualSystem ovf:id="bench"><Name>bench</Name><VirtualHardwareSection>
    <Item><rasd:HostResource>ovf:/disk/d1</rasd:HostResource><rasd:ResourceType>17</rasd:ResourceType></Item>
  </VirtualHardwareSection></VirtualSystem>
</Envelope>
X
(cd "$tmp/ova" && for f in b.ovf disk1.vmdk; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done > b.mf)
tar -C "$tmp/ova" -cf "$tmp/b.ova" b.ovf b.mf disk1.vmdk
start=$(date +%s.%N)
"$build/tools/virt-v2v" -i ova "$tmp/b.ova" -o local -os "$tmp/out" -of qcow2 > "$tmp/log"
total=$(echo "$(date +%s.%N) - $start" | bc)
t () { sed -n "s/^\[ *\([0-9.]*\)\] $1.*/\1/p" "$tmp/log" | head -1; }
opening=$(t "Opening the source"); copying=$(t "Copying disk"); meta=$(t "Creating output metadata")
start=$(date +%s.%N)
qemu-img convert -O qcow2 "$tmp/ova/disk1.vmdk" "$tmp/plain.qcow2"
plain=$(echo "$(date +%s.%N) - $start" | bc)
printf 'unpack + manifest + checks: %6.1f s\n' "$opening"
printf 'launch + inspect + convert: %6.1f s\n' "$(echo "$copying - $opening" | bc)"
printf 'copy (qemu-img convert):    %6.1f s\n' "$(echo "$meta - $copying" | bc)"
printf 'virt-v2v total:             %6.1f s\n' "$total"
printf 'plain qemu-img convert:     %6.1f s\n' "$plain"
