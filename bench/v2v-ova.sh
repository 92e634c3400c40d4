#!/bin/bash
# Time virt-v2v on the OVA case of tests/soak/virt-v2v-boot.sh: the
# bootable Debian 12 VMware guest (kernel, GRUB, open-vm-tools;
# tests/data/make-guest-debootstrap-boot-foreign.sh, cached) as an OVA
# with a stream-optimized vmdk (tests/data/make-ova.sh), converted with
# -o local -of qcow2.  Prints the phases from virt-v2v's timestamped
# messages (unpack + manifest check; appliance launch; inspection and
# conversion, and within it the guest's update-initramfs; copy), the
# appliance launches counted in the -x trace, a plain `qemu-img convert` of
# the same vmdk to the same format, their ratios, and the load average.
# Run by hand (minutes under TCG):
#   HATCH_BUILDDIR=$PWD/build bench/v2v-ova.sh
set -eu
build=$(cd "${HATCH_BUILDDIR:?set HATCH_BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
bootdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-boot
GUESTFISH=$build/fish/guestfish bash "$top/tests/data/make-guest-debootstrap-boot-foreign.sh" "$bootdir" > /dev/null
tmp=$(mktemp -d /var/tmp/v2v-bench-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bash "$top/tests/data/make-ova.sh" "$bootdir/vmware.img" bench "$tmp/bench.ova"
mkdir -p "$tmp/out" "$tmp/vmdk"
tar -C "$tmp/vmdk" -xf "$tmp/bench.ova" bench-disk1.vmdk
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s.%N)
"$build/tools/virt-v2v" -x -i ova "$tmp/bench.ova" -o local -os "$tmp/out" -of qcow2 > "$tmp/log" 2> "$tmp/debug"
total=$(echo "$(date +%s.%N) - $start" | bc)
t () { sed -n "s/^\[ *\([0-9.]*\)\] $1.*/\1/p" "$tmp/log" | head -1; }
opening=$(t "Opening the source"); inspecting=$(t "Inspecting the source")
copying=$(t "Copying disk"); meta=$(t "Creating output metadata")
initrd=$(t "Rebuilding the initramfs")
after_initrd=$(sed -n "/Rebuilding the initramfs/,\$p" "$tmp/log" | sed -n '2,$s/^\[ *\([0-9.]*\)\].*/\1/p' | head -1)
launches=$(grep -c "^libguestfs: trace: launch$" "$tmp/debug" || true)
start=$(date +%s.%N)
qemu-img convert -O qcow2 "$tmp/vmdk/bench-disk1.vmdk" "$tmp/plain.qcow2"
plain=$(echo "$(date +%s.%N) - $start" | bc)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
copy=$(echo "$meta - $copying" | bc)
conv=$(echo "$total - $copy" | bc)
printf 'unpack + manifest + checks:   %6.1f s\n' "$opening"
printf 'appliance launch:             %6.1f s   (%s launch(es) in the -x trace)\n' \
  "$(echo "$inspecting - $opening" | bc)" "$launches"
printf 'inspect + convert:            %6.1f s\n' "$(echo "$copying - $inspecting" | bc)"
printf '  of which update-initramfs:  %6.1f s\n' "$(echo "${after_initrd:-$copying} - ${initrd:-$copying}" | bc)"
printf 'copy (qemu-img convert):      %6.1f s\n' "$copy"
printf 'virt-v2v total:               %6.1f s\n' "$total"
printf 'plain qemu-img convert:       %6.1f s\n' "$plain"
printf 'total / plain convert:        %6.2f\n' "$(echo "$total / $plain" | bc -l)"
printf 'everything but the copy / copy: %4.2f\n' "$(echo "$conv / $copy" | bc -l)"
printf 'load average: %s at the start, %s at the end\n' "$load0" "$load1"
