#!/bin/bash
# virt-v2v converts a real, bootable Debian 12 guest from a "foreign"
# layout, and the converted guest boots under qemu with a virtio disk.
# The guest (tests/data/make-guest-debootstrap-boot.sh, cached) has a
# kernel and GRUB; its fstab and grub.cfg name /dev/sda1, its kernel line
# console=hvc0, and its initramfs holds no virtio driver, so on a virtio
# disk it cannot find its root until converted.  It is described as a
# VMware-style libvirt XML (target sda on SCSI) and converted with
# -o local -of qcow2; then:
#   - the output's fstab and grub.cfg name /dev/vda1 and console=ttyS0,
#     and lsinitramfs (run in the guest, inside the appliance) lists
#     virtio_blk and virtio_pci;
#   - plain qemu-system-x86_64 -accel tcg (the converted guest itself, not
#     our appliance) boots the output from a virtio disk: GRUB, the kernel,
#     the new initramfs, systemd; the guest's hatch-marker.service writes
#     "HATCH-BOOTED root=/dev/vda1 modules=...virtio_blk..." on the serial
#     port.  Time bound: BOOT_TIMEOUT seconds (default 900) from qemu's
#     start to the marker.
# Minutes under TCG: kept out of make check (make hardening).  TAP.
source "$(dirname "$0")/../shell/tools-lib.bash"
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
command -v qemu-system-x86_64 > /dev/null || { echo "1..0 # SKIP qemu-system-x86_64 is not installed"; exit 77; }
bootdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-boot
GUESTFISH=$fish bash "$top/tests/data/make-guest-debootstrap-boot.sh" "$bootdir" > "$tmp/make.log" 2>&1
rc=$?
if [ $rc = 77 ]; then echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77; fi
[ $rc = 0 ] || { echo "not ok 1 - make the bootable Debian guest"; sed 's/^/# /' "$tmp/make.log"; echo "1..1"; exit 1; }
kver=$(cat "$bootdir/kernel.txt")
timeout_s=${BOOT_TIMEOUT:-900}
export TMPDIR=$tmp LIBGUESTFS_CACHEDIR=$tmp

cat > "$tmp/src.xml" <<X
<domain type='vmware'>
  <name>debboot</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$bootdir/disk.img'/>
      <target dev='sda' bus='scsi'/>
    </disk>
  </devices>
</domain>
X
mkdir -p "$tmp/o"
start=$(date +%s)
"$v2v" -i libvirtxml "$tmp/src.xml" -o local -os "$tmp/o" -of qcow2 > "$tmp/out.log" 2> "$tmp/err"
rc=$?
cp "$tmp/out.log" "$tmp/out"
if [ $rc = 0 ] && [ -s "$tmp/o/debboot-sda" ] && grep -q "Rebuilding the initramfs" "$tmp/out"; then
  ok "virt-v2v -i libvirtxml -o local -of qcow2 ($(( $(date +%s) - start )) s)"
else notok "virt-v2v -i libvirtxml -o local -of qcow2"; finish; fi

"$fish" --ro -a "$tmp/o/debboot-sda" -i > "$tmp/insp" 2> "$tmp/err" <<GF
cat /etc/fstab
cat /boot/grub/grub.cfg
echo ----
sh "lsinitramfs /boot/initrd.img-$kver | grep /virtio | xargs -n1 basename | sort -u"
GF
cp "$tmp/insp" "$tmp/out"
if grep -q '^/dev/vda1 / ext4' "$tmp/insp" && grep -q "root=/dev/vda1 ro console=ttyS0" "$tmp/insp" &&
   ! grep -q 'sda' "$tmp/insp"; then
  ok "fstab and grub.cfg: /dev/vda1, console=ttyS0"; else notok "fstab and grub.cfg: /dev/vda1, console=ttyS0"; fi
if sed -n '/^----$/,$p' "$tmp/insp" | grep -q '^virtio_blk\.ko' && sed -n '/^----$/,$p' "$tmp/insp" | grep -q '^virtio_pci\.ko'; then
  ok "the rebuilt initramfs holds virtio_blk and virtio_pci (lsinitramfs)"
else notok "the rebuilt initramfs holds virtio_blk and virtio_pci (lsinitramfs)"; fi

# Boot it.  The serial port goes to a file the test watches.
: > "$tmp/serial.log"
qemu-system-x86_64 -accel tcg -machine q35 -m 1024 -nodefaults -display none -no-reboot \
  -drive file="$tmp/o/debboot-sda",format=qcow2,if=virtio \
  -serial file:"$tmp/serial.log" > "$tmp/qemu.log" 2>&1 &
qpid=$!
start=$(date +%s)
booted=
while kill -0 $qpid 2> /dev/null; do
  if grep -aq "HATCH-BOOTED" "$tmp/serial.log"; then booted=yes; break; fi
  [ $(( $(date +%s) - start )) -ge "$timeout_s" ] && break
  sleep 2
done
elapsed=$(( $(date +%s) - start ))
kill $qpid 2> /dev/null; wait $qpid 2> /dev/null
marker=$(grep -a "HATCH-BOOTED" "$tmp/serial.log" | tr -d '\r' | head -1)
{ echo "# serial log (tail):"; tail -c 3000 "$tmp/serial.log" | tr -d '\r' | sed 's/^/#   /'; } > "$tmp/out"
cp "$tmp/qemu.log" "$tmp/err"
if [ "$booted" = yes ]; then ok "the converted guest boots to userspace on a virtio disk under TCG ($elapsed s, bound $timeout_s s)"
else notok "the converted guest boots to userspace on a virtio disk under TCG (no marker after $elapsed s)"; finish; fi
echo "# $marker"
if [[ "$marker" == *"root=/dev/vda1 "* ]] && [[ "$marker" == *virtio_blk* ]]; then
  ok "userspace runs with its root on /dev/vda1 through virtio_blk"
else notok "userspace runs with its root on /dev/vda1 through virtio_blk"; fi
finish
