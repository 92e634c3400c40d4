#!/bin/bash
# Boot test for the Hatch appliance: build an appliance whose "daemon" is
# hatch-test-daemon, boot it under TCG with the same qemu command shape the
# library uses, and check that the daemon ran, saw the user's disk as
# /dev/sda and the channel port, and that qemu exited by itself.
# Prints the boot-to-daemon time of each run and their median.
#
# usage: test-boot.sh HATCH-MAKE-APPLIANCE HATCH-INIT TEST-DAEMON PACKAGES.TXT
# Environment (for tuning experiments):
#   HATCH_TEST_RUNS      number of boots (default 3)
#   HATCH_TEST_CACHEDIR  reuse this appliance cache (default: a fresh temp dir)
#   HATCH_TEST_MACHINE   -machine value (default q35,accel=tcg)
#   HATCH_TEST_CMDLINE   kernel command line
#   HATCH_TEST_QEMU_EXTRA  extra qemu arguments (word-split)
#   HATCH_TEST_BIOS      firmware (default: qboot if installed, the fastest;
#                        set it empty for qemu's default SeaBIOS)
#   HATCH_TEST_VERBOSE=1 add guestfs_verbose=1 and show the console
set -u

if [ $# -ne 4 ]; then
    echo "usage: $0 HATCH-MAKE-APPLIANCE HATCH-INIT TEST-DAEMON PACKAGES.TXT" >&2
    exit 2
fi
make_appliance=$1 init=$2 daemon=$3 packages=$4
runs=${HATCH_TEST_RUNS:-3}
machine=${HATCH_TEST_MACHINE:-q35,accel=tcg}
cmdline=${HATCH_TEST_CMDLINE:-console=ttyS0 quiet loglevel=3 panic=-1 8250.nr_uarts=1 no_timer_check tsc=reliable cryptomgr.notests rcupdate.rcu_expedited=1 mitigations=off random.trust_cpu=on pci=noearly reboot=t}
[ "${HATCH_TEST_VERBOSE:-0}" = 1 ] && cmdline="$cmdline guestfs_verbose=1"
bios_args=()
if [ -z "${HATCH_TEST_BIOS+set}" ]; then
    [ -r /usr/share/qemu/qboot.rom ] && bios_args=(-bios /usr/share/qemu/qboot.rom)
elif [ -n "$HATCH_TEST_BIOS" ]; then
    bios_args=(-bios "$HATCH_TEST_BIOS")
fi

tmp=$(mktemp -d /tmp/hatch-test-boot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cachedir=${HATCH_TEST_CACHEDIR:-$tmp/cache}

t0=$(date +%s.%N)
out=$("$make_appliance" --cachedir "$cachedir" --daemon "$daemon" \
        --init "$init" --packages "$packages") || { echo "FAIL: appliance build"; exit 1; }
t1=$(date +%s.%N)
{ read -r dir; read -r kernel; read -r initrd; read -r root; } <<<"$out"
echo "appliance: $dir (prepared in $(echo "$t1 - $t0" | bc) s)"

truncate -s 64M "$tmp/disk.img"
sock=$tmp/channel.sock

boot_once () {
    local log=$1
    local start end
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    timeout 120 qemu-system-x86_64 -no-user-config -nodefaults -display none \
        -no-reboot -machine "$machine" -cpu max -m 768 -smp 1 "${bios_args[@]}" \
        -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
        -serial stdio \
        -drive file="$root",format=raw,if=none,id=appliance,snapshot=on \
        -device virtio-blk-pci,drive=appliance \
        -device virtio-scsi-pci,id=scsi \
        -drive file="$tmp/disk.img",format=raw,if=none,id=hd0 \
        -device scsi-hd,drive=hd0,bus=scsi.0 \
        -device virtio-serial-pci \
        -chardev socket,path="$sock",id=channel0,server=on,wait=off \
        -device virtserialport,chardev=channel0,name=org.libguestfs.channel.0 \
        -object rng-random,filename=/dev/urandom,id=rng0 \
        -device virtio-rng-pci,rng=rng0 \
        ${HATCH_TEST_QEMU_EXTRA:-} </dev/null 2>&1 |
    while IFS= read -r line; do
        line=${line%$'\r'}        # the serial console ends lines with CRLF
        # Timestamp the marker as it arrives: this is boot-to-daemon time.
        case "$line" in
            *HATCH-TEST-DAEMON-OK*)
                echo "DAEMON-AT $(echo "$(date +%s.%N) - $start" | bc)" ;;
        esac
        printf '%s\n' "$line"
    done >"$log"
    local rc=${PIPESTATUS[0]}
    end=$(date +%s.%N)
    echo "QEMU-EXIT $rc $(echo "$end - $start" | bc)" >>"$log"
}

fail=0
times=()
for i in $(seq 1 "$runs"); do
    log=$tmp/console.$i
    boot_once "$log"
    [ "${HATCH_TEST_VERBOSE:-0}" = 1 ] && cat "$log"
    at=$(sed -n 's/^DAEMON-AT //p' "$log")
    read -r _ rc total < <(grep '^QEMU-EXIT' "$log")
    ok=1
    grep -q 'HATCH-TEST-DAEMON-END' "$log" || { echo "run $i: FAIL: no daemon marker"; ok=0; }
    grep -q '^block: sda$' "$log" || { echo "run $i: FAIL: user disk is not /dev/sda"; ok=0; }
    grep -q 'virtio-port: .* org.libguestfs.channel.0' "$log" ||
        { echo "run $i: FAIL: channel port not seen"; ok=0; }
    [ "$rc" = 0 ] || { echo "run $i: FAIL: qemu did not exit by itself (status $rc)"; ok=0; }
    if [ $ok = 0 ]; then
        fail=1
        echo "---- console of run $i ----"; cat "$log"; echo "----"
        continue
    fi
    echo "run $i: daemon started at ${at} s, qemu exited at ${total} s"
    times+=("$at")
done

if [ ${#times[@]} -gt 0 ]; then
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "median boot-to-daemon: $median s"
fi
[ $fail = 0 ] && echo "PASS" || echo "FAIL"
exit $fail
