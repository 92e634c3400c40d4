#!/bin/bash
# virt-v2v converts a real, bootable Debian 12 guest packaged three ways,
# and each converted guest boots under qemu from a virtio disk.
# The guests (tests/data/make-guest-debootstrap-boot-foreign.sh, cached;
# one debootstrap build, copied) have a kernel and GRUB, console=hvc0 on
# the kernel line, and no virtio driver in their initramfs, so on a
# virtio disk they cannot find their root until converted:
#   - VMware OVA: vmware.img (open-vm-tools installed; /dev/sda1 in fstab
#     and grub.cfg) as a stream-optimized vmdk (qemu-img), with an OVF
#     (SCSI controller, vmxnet3 NIC) and a SHA256 manifest, tarred
#     (tests/data/make-ova.sh);
#   - VMware .vmx + vmdk: the same disk as a monolithic sparse vmdk and a
#     .vmx naming it on scsi0:0 (tests/data/make-vmx.sh);
#   - Xen PV libvirt XML: xen.img (/dev/xvda1 in fstab and grub.cfg, an
#     initramfs whose only disk driver is xen-blkfront) as target xvda on
#     the xen bus.
# Each is converted with -o local -of qcow2, then (one appliance launch
# per disk, sources first, to show what changed):
#   - the output inspects as the same OS as its source (distro, version,
#     hostname, product name);
#   - fstab and grub.cfg name /dev/vda1 and console=ttyS0, no sda/xvda;
#   - lsinitramfs (run in the guest, inside the appliance) lists
#     virtio_blk and virtio_pci;
#   - VMware cases: open-vm-tools is no longer installed (dpkg), and its
#     files and conffile are gone;
#   - plain qemu-system-x86_64 -accel tcg (the converted guest itself, not
#     our appliance) boots it from a virtio disk: GRUB, the kernel, the new
#     initramfs, systemd; the guest's hatch-marker.service writes
#     "HATCH-BOOTED root=/dev/vda1 modules=...virtio_blk..." on the serial
#     port.  Time bound: BOOT_TIMEOUT seconds (default 900) per boot, from
#     qemu's start to the marker.
# Tens of minutes under TCG: kept out of make check (make hardening).  TAP.
source "$(dirname "$0")/../shell/tools-lib.bash"
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
command -v qemu-system-x86_64 > /dev/null || { echo "1..0 # SKIP qemu-system-x86_64 is not installed"; exit 77; }
need_boot_guest make-guest-debootstrap-boot-foreign.sh
timeout_s=${BOOT_TIMEOUT:-900}
export TMPDIR=$tmp

# facts DISK FORMAT: what the test checks in a guest, one launch.  The
# first block ("os") identifies the OS; the others are sections.
facts () {
  "$fish" --ro --format="$2" -a "$1" -i <<GF 2>&1
echo ----os
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
inspect-get-minor-version /dev/sda1
inspect-get-hostname /dev/sda1
inspect-get-product-name /dev/sda1
echo ----fstab
cat /etc/fstab
echo ----grub
sh "grep -E 'root|linux' /boot/grub/grub.cfg"
echo ----initramfs
sh "lsinitramfs /boot/initrd.img-$kver | grep '[.]ko' | xargs -n1 basename | sed 's/[.]ko.*//' | sort -u"
echo ----vmtools
sh "dpkg-query -W -f '\${db:Status-Abbrev}\n' open-vm-tools 2>&1; ls -d /etc/vmware-tools /usr/bin/vmtoolsd /usr/bin/vmware-toolbox-cmd /lib/systemd/system/open-vm-tools.service 2>&1; true"
echo ----end
GF
}
# section FILE NAME: the lines of one section of facts' output
section () { sed -n "/^----$2\$/,/^----/p" "$1" | sed '1d;$d'; }

# The sources, as the converter sees them.
facts "$bootdir/vmware.img" raw > "$tmp/src-vmware"
facts "$bootdir/xen.img" raw > "$tmp/src-xen"
cat "$tmp/src-vmware" "$tmp/src-xen" > "$tmp/out"; : > "$tmp/err"
if [ "$(section "$tmp/src-vmware" os | head -2 | tr '\n' ' ')" = "debian 12 " ] &&
   [ "$(section "$tmp/src-vmware" os)" = "$(section "$tmp/src-xen" os)" ] &&
   section "$tmp/src-vmware" vmtools | grep -q '^ii' &&
   section "$tmp/src-vmware" fstab | grep -q '^/dev/sda1 ' &&
   section "$tmp/src-xen" fstab | grep -q '^/dev/xvda1 ' &&
   section "$tmp/src-xen" grub | grep -q 'root=/dev/xvda1 ro console=hvc0' &&
   section "$tmp/src-xen" initramfs | grep -qx 'xen-blkfront' &&
   ! section "$tmp/src-xen" initramfs | grep -Eq '^(virtio|sd_mod|ata_piix)' &&
   ! section "$tmp/src-vmware" initramfs | grep -q '^virtio'; then
  ok "sources: Debian 12 on both, open-vm-tools installed on the VMware one, /dev/xvda1 and an xen-blkfront-only initramfs on the Xen one"
else notok "sources: Debian 12 on both, open-vm-tools installed on the VMware one, /dev/xvda1 and an xen-blkfront-only initramfs on the Xen one"; finish; fi

# Packaging 1: an OVA.
bash "$top/tests/data/make-ova.sh" "$bootdir/vmware.img" debboot-ova "$tmp/debboot.ova"

# Packaging 2: .vmx + vmdk.
mkdir -p "$tmp/vmx"
qemu-img convert -O vmdk "$bootdir/vmware.img" "$tmp/vmx/debboot.vmdk"
bash "$top/tests/data/make-vmx.sh" debboot-vmx debboot.vmdk "$tmp/vmx/debboot.vmx"

# Packaging 3: Xen PV libvirt XML.
cat > "$tmp/xen.xml" <<X
<domain type='xen'>
  <name>debboot-xen</name>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static'>1</vcpu>
  <bootloader>/usr/lib/xen-4.17/bin/pygrub</bootloader>
  <os><type arch='x86_64' machine='xenpv'>linux</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$bootdir/xen.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <mac address='00:16:3e:5e:9a:02'/>
      <source bridge='xenbr0'/>
      <script path='vif-bridge'/>
    </interface>
    <console type='pty'><target type='xen' port='0'/></console>
  </devices>
</domain>
X

# case NAME SOURCE-FACTS VMWARE(yes/no) virt-v2v's input arguments...
case_ () {
  local name=$1 srcfacts=$2 vmware=$3; shift 3
  local o=$tmp/o-$name
  mkdir -p "$o"
  local start=$(date +%s)
  "$v2v" "$@" -o local -os "$o" -of qcow2 > "$tmp/out" 2> "$tmp/err"
  local rc=$? secs=$(( $(date +%s) - start ))
  cp "$tmp/out" "$tmp/log-$name"
  local disk=$o/debboot-$name-sda
  if [ $rc = 0 ] && [ -s "$disk" ] && [ -s "$o/debboot-$name.xml" ] &&
     grep -q "Rebuilding the initramfs" "$tmp/out"; then
    ok "$name: virt-v2v $* -o local -of qcow2 ($secs s)"
  else notok "$name: virt-v2v $* -o local -of qcow2"; return; fi

  facts "$disk" qcow2 > "$tmp/f-$name"
  cp "$tmp/f-$name" "$tmp/out"; : > "$tmp/err"
  if [ "$(section "$tmp/f-$name" os)" = "$(section "$srcfacts" os)" ] && section "$tmp/f-$name" os | grep -q .; then
    ok "$name: the output inspects as the source's OS ($(section "$tmp/f-$name" os | tr '\n' ' '))"
  else notok "$name: the output inspects as the source's OS"; fi
  if section "$tmp/f-$name" fstab | grep -q '^/dev/vda1 / ext4' &&
     section "$tmp/f-$name" grub | grep -q 'root=/dev/vda1 ro console=ttyS0' &&
     ! section "$tmp/f-$name" fstab | grep -Eq '/dev/(sd|xvd)' &&
     ! section "$tmp/f-$name" grub | grep -Eq '/dev/(sd|xvd)|hvc0'; then
    ok "$name: fstab and grub.cfg name /dev/vda1, console=ttyS0"
  else notok "$name: fstab and grub.cfg name /dev/vda1, console=ttyS0"; fi
  if section "$tmp/f-$name" initramfs | grep -qx virtio_blk && section "$tmp/f-$name" initramfs | grep -qx virtio_pci; then
    ok "$name: the rebuilt initramfs holds virtio_blk and virtio_pci (lsinitramfs)"
  else notok "$name: the rebuilt initramfs holds virtio_blk and virtio_pci (lsinitramfs)"; fi
  if [ "$vmware" = yes ]; then
    if grep -q "Removing hypervisor packages: open-vm-tools" "$tmp/log-$name" &&
       ! section "$tmp/f-$name" vmtools | grep -q '^ii' &&
       [ "$(section "$tmp/f-$name" vmtools | grep -c 'No such file')" = 4 ]; then
      ok "$name: open-vm-tools is removed (package, programs, unit and conffile)"
    else notok "$name: open-vm-tools is removed (package, programs, unit and conffile)"; fi
  fi

  # Boot it.  The serial port goes to a file the test watches.
  : > "$tmp/serial.log"
  qemu-system-x86_64 -accel tcg -machine q35 -m 1024 -nodefaults -display none -no-reboot \
    -drive file="$disk",format=qcow2,if=virtio \
    -serial file:"$tmp/serial.log" > "$tmp/qemu.log" 2>&1 &
  local qpid=$! booted=
  start=$(date +%s)
  while kill -0 $qpid 2> /dev/null; do
    if grep -aq "HATCH-BOOTED" "$tmp/serial.log"; then booted=yes; break; fi
    [ $(( $(date +%s) - start )) -ge "$timeout_s" ] && break
    sleep 2
  done
  local elapsed=$(( $(date +%s) - start ))
  kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
  local marker=$(grep -a "HATCH-BOOTED" "$tmp/serial.log" | tr -d '\r' | head -1)
  { echo "# serial log (tail):"; tail -c 3000 "$tmp/serial.log" | tr -d '\r' | sed 's/^/#   /'; } > "$tmp/out"
  cp "$tmp/qemu.log" "$tmp/err"
  if [ "$booted" = yes ]; then ok "$name: the converted guest boots to userspace on a virtio disk under TCG ($elapsed s, bound $timeout_s s)"
  else notok "$name: the converted guest boots to userspace on a virtio disk under TCG (no marker after $elapsed s)"; rm -rf "$o"; return; fi
  echo "# $marker"
  if [[ "$marker" == *"root=/dev/vda1 "* ]] && [[ "$marker" == *virtio_blk* ]]; then
    ok "$name: userspace runs with its root on /dev/vda1 through virtio_blk"
  else notok "$name: userspace runs with its root on /dev/vda1 through virtio_blk"; fi
  rm -rf "$o"
}

case_ ova "$tmp/src-vmware" yes -i ova "$tmp/debboot.ova"
case_ vmx "$tmp/src-vmware" yes -i vmx "$tmp/vmx/debboot.vmx"
case_ xen "$tmp/src-xen" no -i libvirtxml "$tmp/xen.xml"
finish
