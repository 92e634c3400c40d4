#!/bin/bash
# virt-v2v on a real Debian 12 guest (debootstrap, cached by
# tests/data/make-guest-debootstrap.sh) made to look like it came from Xen
# and VMware: fstab and grub.cfg name /dev/xvda1 and /dev/hda2, the kernel
# line has console=hvc0, a (test-built) open-vm-tools package is installed
# in dpkg, a udev persistent net rules file exists.  The guest is packaged
# three ways and converted:
#   - a VMware OVA (stream-optimized vmdk + OVF + SHA256 manifest, tar)
#     -> -o local -of qcow2
#   - a .vmx + monolithicFlat vmdk (descriptor + flat extent) -> -o qemu
#   - a Xen libvirt XML (target dev xvda) -> -o local -oa preallocated
# After each: the output inspects as the same Debian, fstab and grub.cfg
# use the new names (xvda/hda -> vda where the source named them), the
# package is gone, the initramfs module list has the virtio drivers.
# Bad inputs (wrong checksum, missing vmx disk / vmdk extent, XML without
# disks) fail with a clear message and write nothing.  The phony Windows 7
# image, with a VMware Tools Uninstall entry merged in: viostor, netkvm,
# balloon, blnsvr.exe and the qemu-ga MSI copied from a VIRTIO_WIN tree
# made here, services and CriticalDeviceDatabase keys checked with hivex,
# the firstboot scripts (pnputil, VMware Tools removal, balloon service,
# qemu-ga) under the RHSrvAny service of the customization engine (a
# stand-in rhsrvany.exe from VIRT_TOOLS_DATA_DIR).
# TAP.  Skips when the debootstrap image cannot be made here.
# Nine appliance launches by default; with V2V_FULL=1 (tests/soak/
# virt-v2v-full.sh) also the vmx output's inspection, -o null and Windows
# without VIRTIO_WIN (three more).
source "$(dirname "$0")/tools-lib.bash"
full=${V2V_FULL:-0}
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
need_debootstrap_image
export LIBGUESTFS_CACHEDIR=$tmp   # virt-v2v's temporary files
export TMPDIR=$tmp

# ---- the command line (no appliance) ------------------------------------
"$v2v" --machine-readable > "$tmp/out" 2> "$tmp/err"
if grep -qx 'input:ova' "$tmp/out" && grep -qx 'output:qemu' "$tmp/out"; then
  ok "--machine-readable lists the capabilities"; else notok "--machine-readable lists the capabilities"; fi
st "unknown output mode" 1 virt-v2v -i disk /dev/null -o frob
err_has "unknown output mode: message" "unknown output mode ‘-o frob’"
st "-o local without -os" 1 virt-v2v -i disk "$debdir/disk.img" -o local
err_has "-o local without -os: message" "use -os DIR"
st "-of vmdk refused" 1 virt-v2v -i disk "$debdir/disk.img" -o local -os "$tmp" -of vmdk
err_has "-of vmdk: message" "must be raw or qcow2"

# ---- the Xen/VMware-looking guest ---------------------------------------
img=$tmp/src.img
cp --sparse=always "$debdir/disk.img" "$img"
mkdir -p "$tmp/deb/DEBIAN" "$tmp/deb/usr/bin"
printf '#!/bin/sh\n' > "$tmp/deb/usr/bin/vmtoolsd"; chmod 755 "$tmp/deb/usr/bin/vmtoolsd"
cat > "$tmp/deb/DEBIAN/control" <<'X'
Package: open-vm-tools
Version: 2:12.2.0-1
Architecture: all
Maintainer: test <test@example.com>
Description: stand-in for VMware's guest tools (made by the test)
X
dpkg-deb --root-owner-group --build "$tmp/deb" "$tmp/ovt.deb" > /dev/null
fstab='/dev/xvda1 / ext4 errors=remount-ro 0 1
/dev/hda2 none swap sw 0 0
proc /proc proc defaults 0 0'
grubcfg='menuentry "Debian" {
  set root=(hd0,msdos1)
  linux /boot/vmlinuz root=/dev/xvda1 ro console=hvc0
}'
if "$tools/virt-customize" -a "$img" --no-network -q \
     --write "/etc/fstab:$fstab" --mkdir /boot/grub --write "/boot/grub/grub.cfg:$grubcfg" \
     --write '/etc/default/grub:GRUB_CMDLINE_LINUX="console=hvc0 root=/dev/xvda1"' \
     --mkdir /etc/udev/rules.d --write '/etc/udev/rules.d/70-persistent-net.rules:SUBSYSTEM=="net", ATTR{address}=="00:16:3e:00:00:01", NAME="eth0"' \
     --mkdir /etc/initramfs-tools --touch /etc/initramfs-tools/modules \
     --mkdir /lib/modules/6.1.0-99-amd64/kernel/drivers/block \
     --touch /lib/modules/6.1.0-99-amd64/kernel/drivers/block/virtio_blk.ko \
     --upload "$tmp/ovt.deb:/tmp/ovt.deb" --run-command 'dpkg -i /tmp/ovt.deb && rm /tmp/ovt.deb' \
     > "$tmp/out" 2> "$tmp/err"; then
  ok "prepare the source guest (Xen names, open-vm-tools installed)"
else notok "prepare the source guest (Xen names, open-vm-tools installed)"; finish; fi

# check_output NAME DISK FORMAT EXPECT_HDA: one read-only guestfish session
# on a converted disk; EXPECT_HDA is what the swap line must name.
check_output () {
  local name=$1 disk=$2 fmt=$3 hda=$4
  "$fish" --ro --format="$fmt" -a "$disk" -i <<'GF' > "$tmp/insp" 2> "$tmp/err"
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
cat /etc/fstab
echo ----
cat /boot/grub/grub.cfg
cat /etc/default/grub
echo ----
cat /etc/initramfs-tools/modules
echo ----
exists /etc/udev/rules.d/70-persistent-net.rules
exists /usr/bin/vmtoolsd
exists /tmp/builder.log
GF
  cp "$tmp/insp" "$tmp/out"
  if [ "$(sed -n 1,2p "$tmp/insp" | tr '\n' ' ')" = "debian 12 " ]; then ok "$name: inspects as Debian 12"; else notok "$name: inspects as Debian 12"; fi
  if grep -q '^/dev/vda1 / ext4' "$tmp/insp" && ! grep -q xvda "$tmp/insp"; then
    ok "$name: fstab and grub name /dev/vda1, no xvda left"; else notok "$name: fstab and grub name /dev/vda1, no xvda left"; fi
  if grep -q "^$hda none swap" "$tmp/insp"; then ok "$name: swap line is $hda"; else notok "$name: swap line is $hda"; fi
  if grep -q 'root=/dev/vda1 ro console=ttyS0' "$tmp/insp" && grep -q 'GRUB_CMDLINE_LINUX="console=ttyS0 root=/dev/vda1"' "$tmp/insp"; then
    ok "$name: grub.cfg and /etc/default/grub: vda1, console ttyS0"; else notok "$name: grub.cfg and /etc/default/grub: vda1, console ttyS0"; fi
  if grep -qx virtio_blk "$tmp/insp" && grep -qx virtio_scsi "$tmp/insp" && grep -qx virtio_net "$tmp/insp"; then
    ok "$name: initramfs-tools modules list the virtio drivers"; else notok "$name: initramfs-tools modules list the virtio drivers"; fi
  if [ "$(tail -3 "$tmp/insp" | tr '\n' ' ')" = "false false false " ]; then
    ok "$name: udev net rules, open-vm-tools and the engine's log gone"; else notok "$name: udev net rules, open-vm-tools and the engine's log gone"; fi
}

srcsum=$(md5sum < "$img")

# ---- OVA --------------------------------------------------------------
mkdir -p "$tmp/ova"
qemu-img convert -O vmdk -o subformat=streamOptimized "$img" "$tmp/ova/deb-disk1.vmdk"
size=$(stat -c %s "$tmp/ova/deb-disk1.vmdk")
vsize=$(qemu-img info --output=json "$img" | sed -n 's/.*"virtual-size": \([0-9]*\).*/\1/p')
cat > "$tmp/ova/deb.ovf" <<X
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References><File ovf:href="deb-disk1.vmdk" ovf:id="file1" ovf:size="$size"/></References>
  <DiskSection><Info>disks</Info>
    <Disk ovf:capacity="$vsize" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1"
      ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection><Info>nets</Info><Network ovf:name="VM Network"/></NetworkSection>
  <VirtualSystem ovf:id="debvm">
    <Name>debvm</Name>
    <VirtualHardwareSection>
      <Item><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits><rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>1536</rasd:VirtualQuantity></Item>
      <Item><rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource><rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:Address>00:50:56:aa:bb:cc</rasd:Address><rasd:Connection>VM Network</rasd:Connection>
        <rasd:InstanceID>4</rasd:InstanceID><rasd:ResourceSubType>vmxnet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType></Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="bios"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
X
(cd "$tmp/ova" && for f in deb.ovf deb-disk1.vmdk; do echo "SHA256($f)= $(sha256sum "$f" | cut -d' ' -f1)"; done > deb.mf)
tar -C "$tmp/ova" -cf "$tmp/deb.ova" deb.ovf deb.mf deb-disk1.vmdk

"$v2v" -i ova "$tmp/deb.ova" --print-source > "$tmp/out" 2> "$tmp/err"
if grep -q 'source name: debvm' "$tmp/out" && grep -q 'memory: 1610612736' "$tmp/out" &&
   grep -q 'nr vCPUs: 2' "$tmp/out" && grep -q 'VM Network.*00:50:56:aa:bb:cc.*vmxnet3' "$tmp/out"; then
  ok "OVA: --print-source reads name, memory, vCPUs, NIC from the OVF"; else notok "OVA: --print-source reads name, memory, vCPUs, NIC from the OVF"; fi

mkdir -p "$tmp/out-ova"
start=$(date +%s)
"$v2v" -i ova "$tmp/deb.ova" -o local -os "$tmp/out-ova" -of qcow2 -n VM\ Network:default > "$tmp/out" 2> "$tmp/err"
rc=$?
echo "# OVA conversion: $(( $(date +%s) - start )) s"
cp "$tmp/out" "$tmp/log-ova"
if [ $rc = 0 ] && [ -s "$tmp/out-ova/debvm-sda" ] && [ -s "$tmp/out-ova/debvm.xml" ]; then
  ok "OVA -> -o local -of qcow2"; else notok "OVA -> -o local -of qcow2"; fi
if qemu-img info "$tmp/out-ova/debvm-sda" | grep -q 'file format: qcow2'; then ok "OVA: output is qcow2"; else notok "OVA: output is qcow2"; fi
cp "$tmp/out-ova/debvm.xml" "$tmp/out"
if grep -q "<name>debvm</name>" "$tmp/out" && grep -q "bus='virtio'" "$tmp/out" &&
   grep -q "<model type='virtio'/>" "$tmp/out" && grep -q "network='default'" "$tmp/out" &&
   grep -q "<memory unit='KiB'>1572864</memory>" "$tmp/out" && grep -q "type='qcow2'" "$tmp/out" &&
   xmllint --noout "$tmp/out-ova/debvm.xml" 2>/dev/null; then
  ok "OVA: libvirt XML (virtio disk and NIC, network mapped, memory)"; else notok "OVA: libvirt XML (virtio disk and NIC, network mapped, memory)"; fi
cp "$tmp/log-ova" "$tmp/out"
out_has "OVA: package removal reported" "Removing hypervisor packages: open-vm-tools"
check_output OVA "$tmp/out-ova/debvm-sda" qcow2 /dev/vda2

if tar -C "$tmp/ova" -cf - deb.ovf deb.mf deb-disk1.vmdk | cmp -s - "$tmp/deb.ova"; then
  ok "OVA: the OVA file is unchanged"; else notok "OVA: the OVA file is unchanged"; fi

# Bad checksum: clear error, nothing written.
(cd "$tmp/ova" && sed -i '2s/= .*/= 0000000000000000000000000000000000000000000000000000000000000000/' deb.mf && tar -cf "$tmp/bad.ova" deb.ovf deb.mf deb-disk1.vmdk)
mkdir -p "$tmp/out-bad"
st "OVA with a wrong checksum fails" 1 virt-v2v -i ova "$tmp/bad.ova" -o local -os "$tmp/out-bad"
err_has "wrong checksum: message" "checksum of disk deb-disk1.vmdk does not match the manifest"
if [ -z "$(ls -A "$tmp/out-bad")" ]; then ok "wrong checksum: nothing written"; else notok "wrong checksum: nothing written"; fi
# The unpacked directory form works too (--print-source only).
"$v2v" -i ova "$tmp/ova" --print-source > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "does not match the manifest" "$tmp/err"; then
  ok "OVA directory: manifest checked too"; else notok "OVA directory: manifest checked too"; fi

# ---- vmx + monolithicFlat vmdk -----------------------------------------
mkdir -p "$tmp/vmx" "$tmp/out-vmx"
qemu-img convert -O vmdk -o subformat=monolithicFlat "$img" "$tmp/vmx/deb.vmdk"
cat > "$tmp/vmx/deb.vmx" <<'X'
.encoding = "UTF-8"
config.version = "8"
displayName = "debvmx"
memsize = "1024"
numvcpus = "1"
firmware = "bios"
scsi0.present = "TRUE"
scsi0.virtualDev = "pvscsi"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "deb.vmdk"
ide1:0.present = "TRUE"
ide1:0.deviceType = "cdrom-image"
ide1:0.fileName = "/isos/tools.iso"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "e1000"
ethernet0.networkName = "VM Network"
ethernet0.addressType = "generated"
ethernet0.generatedAddress = "00:0c:29:12:34:56"
X
"$v2v" -i vmx "$tmp/vmx/deb.vmx" -o qemu -os "$tmp/out-vmx" -on vmxguest > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -x "$tmp/out-vmx/vmxguest.sh" ] && [ -s "$tmp/out-vmx/vmxguest-sda" ]; then
  ok "vmx -> -o qemu -on vmxguest"; else notok "vmx -> -o qemu -on vmxguest"; fi
cp "$tmp/out-vmx/vmxguest.sh" "$tmp/out"
if sh -n "$tmp/out-vmx/vmxguest.sh" && grep -q "if=virtio" "$tmp/out" && grep -q -- "-m 1024" "$tmp/out" &&
   grep -q "virtio-net-pci,netdev=net0,mac=00:0c:29:12:34:56" "$tmp/out" && grep -q "format=raw" "$tmp/out"; then
  ok "vmx: the qemu script (virtio disk, NIC with the MAC, 1024 MiB)"; else notok "vmx: the qemu script (virtio disk, NIC with the MAC, 1024 MiB)"; fi
if [ "$full" = 1 ]; then check_output vmx "$tmp/out-vmx/vmxguest-sda" raw /dev/vda2; fi
# The script runs qemu: start it (stopped, -S, no display) and quit at once
# with the serial console's escape keys (^A x).
if command -v qemu-system-x86_64 > /dev/null; then
  if printf '\001x' | timeout 60 "$tmp/out-vmx/vmxguest.sh" -S -display none > "$tmp/out" 2> "$tmp/err" &&
     grep -q "QEMU: Terminated" "$tmp/out"; then
    ok "vmx: the qemu script starts qemu with the converted disk"; else notok "vmx: the qemu script starts qemu with the converted disk"; fi
else skip "no qemu-system-x86_64"; fi

# Bad vmx: a missing disk; a descriptor whose extent is missing.
mkdir -p "$tmp/out-bad2"
sed 's/deb.vmdk/missing.vmdk/' "$tmp/vmx/deb.vmx" > "$tmp/vmx/missing.vmx"
st "vmx naming a missing disk fails" 1 virt-v2v -i vmx "$tmp/vmx/missing.vmx" -o local -os "$tmp/out-bad2"
err_has "missing disk: message" "names the disk ‘missing.vmdk’ (scsi0:0), which cannot be read"
sed 's/deb-flat.vmdk/gone-flat.vmdk/' "$tmp/vmx/deb.vmdk" > "$tmp/vmx/gone.vmdk"
sed 's/deb.vmdk/gone.vmdk/' "$tmp/vmx/deb.vmx" > "$tmp/vmx/gone.vmx"
st "vmdk descriptor with a missing extent fails" 1 virt-v2v -i vmx "$tmp/vmx/gone.vmx" -o local -os "$tmp/out-bad2"
err_has "missing extent: message" "names the extent ‘gone-flat.vmdk’"
if [ -z "$(ls -A "$tmp/out-bad2")" ]; then ok "bad vmx: nothing written"; else notok "bad vmx: nothing written"; fi

# ---- Xen libvirt XML ----------------------------------------------------
mkdir -p "$tmp/out-xen"
cat > "$tmp/xen.xml" <<X
<domain type='xen'>
  <name>debxen</name>
  <memory unit='MiB'>768</memory>
  <vcpu>2</vcpu>
  <os><type>linux</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='file' type='raw'/>
      <source file='src.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <disk type='file' device='cdrom'><target dev='xvdc'/></disk>
    <interface type='bridge'>
      <mac address='00:16:3e:00:00:01'/>
      <source bridge='xenbr0'/>
      <model type='netfront'/>
    </interface>
  </devices>
</domain>
X
"$v2v" -i libvirtxml "$tmp/xen.xml" -o local -os "$tmp/out-xen" -oa preallocated -b xenbr0:br0 > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -s "$tmp/out-xen/debxen-sda" ]; then ok "Xen libvirt XML -> -o local -oa preallocated"; else notok "Xen libvirt XML -> -o local -oa preallocated"; fi
alloc=$(stat -c %b "$tmp/out-xen/debxen-sda"); blocks=$(( $(stat -c %s "$tmp/out-xen/debxen-sda") / 512 ))
if [ "$alloc" -ge "$blocks" ]; then ok "Xen: -oa preallocated allocates the whole disk"; else
  echo "# $alloc of $blocks blocks allocated" > "$tmp/out"; notok "Xen: -oa preallocated allocates the whole disk"; fi
cp "$tmp/out-xen/debxen.xml" "$tmp/out"
if grep -q "bridge='br0'" "$tmp/out" && grep -q "00:16:3e:00:00:01" "$tmp/out" && grep -q "<vcpu>2</vcpu>" "$tmp/out"; then
  ok "Xen: bridge mapped, MAC kept, vCPUs"; else notok "Xen: bridge mapped, MAC kept, vCPUs"; fi
# Xen named only xvda: the hda2 swap line is not one of its disks, left alone.
check_output Xen "$tmp/out-xen/debxen-sda" raw /dev/hda2

# XML without disks.
sed '/<disk type=.file. device=.disk.>/,/<\/disk>/d' "$tmp/xen.xml" > "$tmp/nodisk.xml"
st "XML with no disks fails" 1 virt-v2v -i libvirtxml "$tmp/nodisk.xml" -o local -os "$tmp/out-bad2"
err_has "no disks: message" "has no disks in its libvirt XML"
if [ -z "$(ls -A "$tmp/out-bad2")" ]; then ok "no disks: nothing written"; else notok "no disks: nothing written"; fi

# ---- -i disk -o null; -i libvirt through libvirt's test driver -----------
if [ "$full" = 1 ]; then
  "$v2v" -i disk "$img" -o null > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && grep -q "Converting debian 12" "$tmp/out"; then ok "-i disk -o null converts"; else notok "-i disk -o null converts"; fi
fi
if [ "$(md5sum < "$img")" = "$srcsum" ]; then ok "the source disk was never written"; else notok "the source disk was never written"; fi
if [ -z "$(ls -A "$tmp" | grep '^v2v\.')" ]; then ok "no temporary files left"; else notok "no temporary files left"; fi
# libvirt's test driver with a node file: "debxen" shut off, "busy" running.
cat > "$tmp/node.xml" <<X
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>debxen</name>
  <memory unit='MiB'>768</memory>
  <os><type>xen</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='file' type='raw'/><source file='$img'/><target dev='xvda' bus='xen'/>
    </disk>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
<domain type='test'>
  <name>busy</name>
  <memory unit='MiB'>768</memory>
  <os><type>xen</type></os>
  <devices>
    <disk type='file' device='disk'><source file='$img'/><target dev='xvda'/></disk>
  </devices>
</domain>
</node>
X
if virsh -c "test://$tmp/node.xml" list --all > /dev/null 2>&1; then
  "$v2v" -i libvirt -ic "test://$tmp/node.xml" debxen --print-source > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && grep -q "source name: debxen" "$tmp/out" && grep -q "$img (raw) \[xvda" "$tmp/out" &&
     grep -q "memory: 805306368" "$tmp/out"; then
    ok "-i libvirt -ic test://... reads the shut-off guest"; else notok "-i libvirt -ic test://... reads the shut-off guest"; fi
  st "-i libvirt: a running guest is refused" 1 virt-v2v -i libvirt -ic "test://$tmp/node.xml" busy -o null
  err_has "running guest: message" "is running or paused: shut it down"
  st "-i libvirt: an unknown guest" 1 virt-v2v -i libvirt -ic "test://$tmp/node.xml" nosuch -o null
  err_has "unknown guest: message" "no libvirt guest called ‘nosuch’"
else skip "libvirt's test driver is not available"; fi

# ---- disks on a VMware server (vCenter, ESXi): the URLs, no server needed ----
cat > "$tmp/vpx.xml" <<'X'
<domain type='vmware' xmlns:vmware='http://libvirt.org/schemas/domain/vmware/1.0'>
  <name>winsrv</name>
  <memory unit='KiB'>4194304</memory>
  <devices>
    <disk type='file' device='disk'><source file='[datastore 1] winsrv/winsrv.vmdk'/><target dev='sda' bus='scsi'/></disk>
    <disk type='file' device='disk'><source file='[ssd2] winsrv/winsrv_1-flat.vmdk'/><target dev='sdb' bus='scsi'/></disk>
  </devices>
  <vmware:datacenterpath>Data Center/Site A</vmware:datacenterpath>
</domain>
X
"$v2v" -i libvirtxml "$tmp/vpx.xml" -ic 'vpx://admin@vcenter.example.com/Data%20Center/cluster1/esxi1?no_verify=1' --print-source > "$tmp/out" 2> "$tmp/err"
if grep -q 'https://vcenter.example.com/folder/winsrv/winsrv-flat.vmdk?dcPath=Data%20Center/Site%20A&dsName=datastore%201 (raw)' "$tmp/out" &&
   grep -q 'https://vcenter.example.com/folder/winsrv/winsrv_1-flat.vmdk?dcPath=Data%20Center/Site%20A&dsName=ssd2 (raw)' "$tmp/out"; then
  ok "vpx://: datastore disks as vCenter https URLs (datacenter from the XML)"; else notok "vpx://: datastore disks as vCenter https URLs (datacenter from the XML)"; fi
sed '/datacenterpath/d' "$tmp/vpx.xml" > "$tmp/esx.xml"
"$v2v" -i libvirtxml "$tmp/esx.xml" -ic 'esx://root@esxi1.example.com:8443?no_verify=1' --print-source > "$tmp/out" 2> "$tmp/err"
out_has "esx://: the ESXi host's https URL, ha-datacenter" 'https://esxi1.example.com:8443/folder/winsrv/winsrv-flat.vmdk?dcPath=ha-datacenter&dsName=datastore%201'
"$v2v" -i libvirtxml "$tmp/esx.xml" -ic 'vpx://vc.example.com/DC%201/host/esx1' --print-source > "$tmp/out" 2> "$tmp/err"
out_has "vpx://: the datacenter from the URI's path" 'dcPath=DC%201&dsName=ssd2'
st "datastore disks without -ic" 1 virt-v2v -i libvirtxml "$tmp/vpx.xml" --print-source
err_has "without -ic: message" "is on a VMware datastore: name the vCenter or ESXi server"
mkdir -p "$tmp/out-vpx"
st "reading from vCenter is refused before any launch" 1 virt-v2v -i libvirtxml "$tmp/vpx.xml" -ic vpx://vc.example.com/DC -o local -os "$tmp/out-vpx"
err_has "vCenter: message" "over https (with the server's password, -ip) is not supported"

# ---- ESXi over ssh (-i vmx -it ssh): no ssh server here, so the transport is
# checked two ways: against a closed port (scp's own failure, our message
# naming the command), and with a stand-in scp first on PATH that serves
# files from a local tree as the ESXi host would (it logs its arguments):
# the disks become ssh:// URLs of their flat extents.
"$v2v" -i vmx -it ssh 'ssh://root@127.0.0.1:1/vmfs/volumes/datastore1/g/g.vmx' --print-source > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "cannot copy /vmfs/volumes/datastore1/g/g.vmx from 127.0.0.1 (scp -P 1 root@127.0.0.1:/vmfs/volumes/datastore1/g/g.vmx failed" "$tmp/err"; then
  ok "-it ssh: an unreachable ESXi host, the scp command named"; else notok "-it ssh: an unreachable ESXi host, the scp command named"; fi
st "-it ssh: not an ssh:// URI" 1 virt-v2v -i vmx -it ssh 'http://esxi/g.vmx' --print-source
err_has "-it ssh: bad URI message" "expecting ssh://\[USER@\]HOST\[:PORT\]/PATH/GUEST.vmx"
st "-it vddk is refused" 1 virt-v2v -i vmx -it vddk 'ssh://esxi/g.vmx'
mkdir -p "$tmp/esxi/vmfs/volumes/ds 1/g" "$tmp/fakebin"
sed -e 's/deb.vmdk/g.vmdk/' -e 's/debvmx/esxguest/' "$tmp/vmx/deb.vmx" > "$tmp/esxi/vmfs/volumes/ds 1/g/g.vmx"
printf '# Disk DescriptorFile\nversion=1\ncreateType="vmfs"\nRW 16777216 VMFS "g-flat.vmdk"\n' > "$tmp/esxi/vmfs/volumes/ds 1/g/g.vmdk"
cat > "$tmp/fakebin/scp" <<X
#!/bin/sh
# test stand-in for an ESXi host's scp: serves files from $tmp/esxi
echo "\$*" >> "$tmp/scp.log"
for a; do from=\$to; to=\$a; done
cp "$tmp/esxi/\${from#*:}" "\$to"
X
chmod +x "$tmp/fakebin/scp"
PATH=$tmp/fakebin:$PATH "$v2v" -i vmx -it ssh 'ssh://root@esxi.example.com:2222/vmfs/volumes/ds 1/g/g.vmx' --print-source > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q 'source name: esxguest' "$tmp/out" &&
   grep -q 'ssh://root@esxi.example.com:2222/vmfs/volumes/ds%201/g/g-flat.vmdk (raw)' "$tmp/out" &&
   grep -q -- '-o BatchMode=yes -P 2222 root@esxi.example.com:/vmfs/volumes/ds 1/g/g.vmdk' "$tmp/scp.log"; then
  ok "-it ssh: the .vmx and descriptor fetched with scp, the disk as the ssh:// URL of its flat extent"
else cat "$tmp/scp.log" >> "$tmp/out" 2> /dev/null; notok "-it ssh: the .vmx and descriptor fetched with scp, the disk as the ssh:// URL of its flat extent"; fi

# ---- guests that cannot be converted --------------------------------------
mkdir -p "$tmp/out-unsup"
if GUESTFISH=$fish bash "$top/tests/data/make-guest-alpine.sh" "$data/guest-alpine.img" > "$tmp/make.log" 2>&1; then
  st "an Alpine guest is refused" 1 virt-v2v -i disk "$data/guest-alpine.img" -o local -os "$tmp/out-unsup"
  err_has "Alpine: the reason" "does not know how to convert this Linux guest: distribution ‘alpinelinux’"
else skip "the Alpine image cannot be made here"; fi
if [ "$full" = 1 ]; then
  if GUESTFISH=$fish bash "$top/tests/data/make-guest-luks.sh" "$data/guest-luks.img" > "$tmp/make.log" 2>&1; then
    st "an encrypted guest is refused" 1 virt-v2v -i disk "$data/guest-luks.img" -o local -os "$tmp/out-unsup"
    err_has "encrypted: the reason" "encrypted (LUKS)"
  else skip "the LUKS image cannot be made here"; fi
fi
if [ -z "$(ls -A "$tmp/out-unsup")" ]; then ok "refused guests: nothing written"; else notok "refused guests: nothing written"; fi

# ---- Windows ------------------------------------------------------------
winimg=$data/win/win-7.img
GUESTFISH=$fish bash "$top/tests/data/make-guest-windows.sh" "$data/win" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ -s "$winimg" ]; then
  vw=$tmp/virtio-win
  for d in viostor netkvm Balloon; do
    mkdir -p "$vw/$d/w7/amd64" "$vw/$d/w10/amd64"
    printf 'MZ %s for w7\n' $d > "$vw/$d/w7/amd64/${d,,}.sys"
    printf '[Version]\r\n' > "$vw/$d/w7/amd64/${d,,}.inf"
    printf 'MZ %s for w10\n' $d > "$vw/$d/w10/amd64/${d,,}.sys"
  done
  printf 'MZ blnsvr\n' > "$vw/Balloon/w7/amd64/blnsvr.exe"
  mkdir -p "$vw/guest-agent" "$tmp/vt"
  printf 'qemu-ga msi stand-in\n' > "$vw/guest-agent/qemu-ga-x86_64.msi"
  printf 'MZ stand-in for rhsrvany.exe\n' > "$tmp/vt/rhsrvany.exe"
  # The source has VMware Tools installed (an Uninstall entry, MSI form).
  wsrc=$tmp/win7-vmw.img
  cp --sparse=always "$winimg" "$wsrc"
  printf '%s\r\n' 'Windows Registry Editor Version 5.00' '' \
    '[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{FE2F6A2C-196E-4210-9C04-2B1BC21F07EF}]' \
    '"DisplayName"="VMware Tools"' '"UninstallString"="MsiExec.exe /I{FE2F6A2C-196E-4210-9C04-2B1BC21F07EF}"' '' > "$tmp/vmw.reg"
  "$tools/virt-win-reg" --merge "$wsrc" "$tmp/vmw.reg" > "$tmp/out" 2> "$tmp/err" || notok "add VMware Tools to the Windows source"
  mkdir -p "$tmp/out-win"
  VIRTIO_WIN=$vw VIRT_TOOLS_DATA_DIR=$tmp/vt "$v2v" -i disk "$wsrc" -o local -os "$tmp/out-win" -on win7 > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ -s "$tmp/out-win/win7-sda" ]; then ok "Windows 7 -> -o local"; else notok "Windows 7 -> -o local"; fi
  out_has "Windows: VMware Tools found" "VMware Tools found: a firstboot script will remove it (msiexec.exe /x {FE2F6A2C-196E-4210-9C04-2B1BC21F07EF} /qn /norestart)"
  cp "$tmp/out-win/win7.xml" "$tmp/out"
  if grep -q "bus='virtio'" "$tmp/out" && grep -q "<model type='virtio'/>" "$tmp/out"; then
    ok "Windows: virtio disk and NIC in the XML"; else notok "Windows: virtio disk and NIC in the XML"; fi
  fb='/Program Files/Guestfs/Firstboot'
  "$fish" --ro -a "$tmp/out-win/win7-sda" -i <<GF > "$tmp/out" 2> "$tmp/err"
cat /Windows/System32/drivers/viostor.sys
cat /Windows/Drivers/VirtIO/netkvm.inf
cat /Windows/Drivers/VirtIO/blnsvr.exe
cat /Windows/Drivers/VirtIO/qemu-ga-x86_64.msi
cat "$fb/rhsrvany.exe"
echo ----
ls "$fb/scripts"
echo ----
cat "$fb/scripts/0002-uninstall-vmware-tools.bat"
download /Windows/System32/config/SYSTEM $tmp/SYSTEM
GF
  cp "$tmp/out" "$tmp/insp"
  if grep -q "MZ viostor for w7" "$tmp/insp" && grep -q "Version" "$tmp/insp" && grep -q "MZ blnsvr" "$tmp/insp" &&
     grep -q "qemu-ga msi stand-in" "$tmp/insp" && grep -q "stand-in for rhsrvany" "$tmp/insp"; then
    ok "Windows: w7/amd64 drivers, blnsvr, qemu-ga and the service wrapper copied"
  else notok "Windows: w7/amd64 drivers, blnsvr, qemu-ga and the service wrapper copied"; fi
  if [ "$(sed -n '/^----$/,/^----$/p' "$tmp/insp" | tr '\n' ' ')" = "---- 0001-install-virtio-drivers.bat 0002-uninstall-vmware-tools.bat 0003-install-balloon-service.bat 0004-install-qemu-ga.bat ---- " ] &&
     grep -q $'^msiexec.exe /x {FE2F6A2C-196E-4210-9C04-2B1BC21F07EF} /qn /norestart\r$' "$tmp/insp"; then
    ok "Windows: firstboot scripts (drivers, VMware Tools removal, balloon, qemu-ga) in order"
  else notok "Windows: firstboot scripts (drivers, VMware Tools removal, balloon, qemu-ga) in order"; fi
  # The registry, read with hivex: win-7's current control set is ControlSet002.
  {
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\viostor' Start
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\viostor' ImagePath
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\netkvm' Start
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\balloon' Start
    hivexget "$tmp/SYSTEM" 'ControlSet002\Control\CriticalDeviceDatabase\pci#ven_1af4&dev_1001&subsys_00021af4&rev_00' Service
    hivexget "$tmp/SYSTEM" 'ControlSet002\Control\CriticalDeviceDatabase\pci#ven_1af4&dev_1001&subsys_00021af4&rev_00' ClassGUID
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\RHSrvAny' Start
    hivexget "$tmp/SYSTEM" 'ControlSet002\Services\RHSrvAny\Parameters' CommandLine
  } > "$tmp/out" 2> "$tmp/err"
  expect='0
system32\drivers\viostor.sys
3
3
viostor
{4D36E97B-E325-11CE-BFC1-08002BE10318}
2
cmd /c "C:\Program Files\Guestfs\Firstboot\firstboot.bat"'
  if [ "$(cat "$tmp/out")" = "$expect" ]; then ok "Windows: services, CriticalDeviceDatabase and the firstboot service in the SYSTEM hive"
  else printf '# expected:\n%s\n' "$expect"; notok "Windows: services, CriticalDeviceDatabase and the firstboot service in the SYSTEM hive"; fi
  if ! hivexget "$tmp/SYSTEM" 'ControlSet001\Services\viostor' Start > "$tmp/out" 2>&1; then
    ok "Windows: the other control set is left alone"; else notok "Windows: the other control set is left alone"; fi
  # No VIRTIO_WIN: a warning, IDE and rtl8139 in the metadata.
  [ "$full" = 1 ] && env -u VIRTIO_WIN "$v2v" -i disk "$winimg" -o local -os "$tmp/out-win" -on win7ide > "$tmp/out" 2> "$tmp/err"
  if [ "$full" = 1 ]; then
    if grep -q "VIRTIO_WIN is not set" "$tmp/err" && grep -q "bus='ide'" "$tmp/out-win/win7ide.xml"; then
      ok "Windows without VIRTIO_WIN: warning, IDE disk"; else notok "Windows without VIRTIO_WIN: warning, IDE disk"; fi
  fi
else skip "Windows images cannot be made here"; fi

finish
