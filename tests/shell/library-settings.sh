#!/bin/bash
# Library-side settings that only show at launch: set-network (a NIC
# configured by init, TCP from the guest to an HTTP server on the host,
# none without it), config (extra qemu parameters),
# get-pid, and the recovery process (qemu does not outlive a killed
# program), set-pgroup.
. "$(dirname "$0")/fish-lib.bash"
need_launch

# config: reserved parameters are refused, others reach qemu.
script "config refuses -kernel" 1 "" "config -kernel /x" -a /dev/null
err_has "config error names the parameter" "kernel"

# --network: init brings up the NIC (its console line, verbose mode).
# The network makes this a cold boot, so the same launch checks init's
# SCSI scan: scsi_mod gets its command-line parameter (scan=manual), init
# scans the targets of the two drives only, and a drive hot-added after
# the launch is still found (init set the scan mode back).
truncate -s 4M "$tmp/second.img" "$tmp/hot.img"
"$fish" -v --network -a /dev/null -a "$tmp/second.img" \
  run : get-network : add-drive-ro "$tmp/hot.img" : list-devices < /dev/null > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && [ "$(cat "$tmp/out")" = "$(printf '%s\n' true /dev/sda /dev/sdb /dev/sdc)" ]; then
  ok "network launch, two drives, one hot-added"
else notok "network launch, two drives, one hot-added"; fi
err_has "network: init configured 10.0.2.15" "network: [a-z0-9]* 10.0.2.15/24 via 10.0.2.2"
err_has "network: qemu has a user-mode netdev" "user,id=usernet"
err_has "cold boot: scsi_mod has its parameter from the command line" "loaded scsi_mod.ko scan=manual"
err_has "cold boot: init scanned the two drives' targets" "host0: scanned, 2 disk(s)"
# init loads the boot modules without their symbol versions' check
# (appliance/init.c): the kernel says so once, for the first module.
err_has "cold boot: boot modules loaded without modversions" \
  "module_layout: kernel tainted"

# A cold boot without a network (append is a setting a saved state cannot
# hold) makes no module request: each would be a modprobe spawned by the
# kernel during the boot (appliance/modules.c, lib/appliance-vm.c).  The
# kernel prints them through a tracepoint sent to the console; the same
# for each module loaded, which shows that the tracepoints are on.  (With
# a network, IPv6's set-up asks for hmac(sha1) and hmac(sha256).)
# The same boot's append is 800 bytes long and reaches the kernel whole:
# its last word is among the parameters the kernel passes on to init (the
# library refuses an append that the kernel would cut:
# test-launch-errors.c).  The console's lines stop at ~1 000 characters,
# which the kernel's whole command line no longer fits in.
pad=$(printf 'x%.0s' $(seq 700))
"$fish" -v -a /dev/null -a "$tmp/second.img" \
  append "trace_event=module:module_request,module:module_load tp_printk hatch_pad=$pad hatch_append_end=1" \
  : run < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q "module_load: .*virtio_blk" "$tmp/err" &&
   ! grep -q "module_request:" "$tmp/err"; then
  ok "cold boot: the kernel requests no module"
else grep "module_request:" "$tmp/err" | sed 's/^/# /'; notok "cold boot: the kernel requests no module"; fi
if [ $rc = 0 ] && grep -q "Unknown kernel command line parameters .*hatch_pad=$pad hatch_append_end=1" "$tmp/err"; then
  ok "an 800-byte append reaches the kernel whole"
else notok "an 800-byte append reaches the kernel whole"; fi
# A cold boot under TCG runs without ACPI, given the host's TSC rate
# (lib/appliance-vm.c): the kernel must still keep time, from the RTC.
# --network is a setting a saved state cannot hold: a cold boot.
truncate -s 16M "$tmp/clock.img"
t0=$(date +%s)
"$fish" -v --network -a "$tmp/clock.img" \
  run : mkfs ext2 /dev/sda : mount /dev/sda / : touch /t : statns /t : debug ls /sys/firmware \
  < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$? t1=$(date +%s)
mtime=$(sed -n 's/^st_mtime_sec: //p' "$tmp/out")
if grep -q "accelerator: tcg" "$tmp/err"; then
  if [ $rc = 0 ] && grep -q "acpi=off tsc_early_khz=[1-9][0-9]*[ ']" "$tmp/err" &&
     ! grep -qx acpi "$tmp/out"; then
    ok "cold boot under TCG: no ACPI, the TSC rate given"
  else echo "# exit status $rc"; notok "cold boot under TCG: no ACPI, the TSC rate given"; fi
else
  skip "cold boot under TCG without ACPI (this host runs KVM)"
fi
if [ $rc = 0 ] && [ -n "$mtime" ] && [ "$mtime" -ge $((t0 - 2)) ] && [ "$mtime" -le $((t1 + 2)) ]; then
  ok "cold boot: a file made in the guest has the host's time"
else echo "# mtime '$mtime', host $t0-$t1"; notok "cold boot: a file made in the guest has the host's time"; fi

# A cold boot starts with a base RAM; the rest of the memsize is a
# virtio-mem device that the first call doing work plugs (lib/direct.c,
# BASE_RAM_MB).  Under TCG without ACPI the command line marks the
# hot-plug area reserved (memmap=...$4G): the plugged RAM must lie inside
# that range and no PCI BAR may overlap it.  guestfish is fed one command
# at a time until the guest has the whole memsize.
memsize=$("$fish" get-memsize < /dev/null)
want=$((memsize * 1024 * 9 / 10))    # KiB: the kernel keeps some for itself
{
  echo run
  meminfo_until "$tmp/mem" $want
  echo 'debug proc iomem'
} | LIBGUESTFS_BACKEND_SETTINGS=nosnapshot "$fish" -v -a /dev/null > "$tmp/mem" 2> "$tmp/err"
total=$(meminfo_total "$tmp/mem")
if grep -q "accelerator: tcg" "$tmp/err"; then
  layout=$(python3 - "$tmp/mem" <<'PY'
import re, sys
top, hot, bars = [], [], []
for line in open(sys.argv[1]):
    m = re.match(r'^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$', line.rstrip('\n'))
    if not m:
        continue
    r = (int(m.group(2), 16), int(m.group(3), 16), m.group(4))
    if not m.group(1):
        top.append(r)
    if r[2] == 'System RAM (virtio_mem)':
        hot.append(r)
    if r[2] == 'virtio-pci-modern':
        bars.append(r)
area = [t for t in top if t[2] == 'Reserved' and hot and t[0] <= hot[0][0] and hot[-1][1] <= t[1]]
clash = [b for b in bars for a in area if b[0] <= a[1] and a[0] <= b[1]]
print('reserved %s, plugged %s, %d BARs, %d inside' % (
    ['%x-%x' % a[:2] for a in area], ['%x-%x' % h[:2] for h in hot], len(bars), len(clash)))
sys.exit(0 if area and bars and not clash else 1)
PY
)
  lrc=$?
  if grep -q "'256M,maxmem=${memsize}M'" "$tmp/err" && grep -q "memmap=[0-9]*M\$4G" "$tmp/err" &&
     grep -q "virtio-mem-pci" "$tmp/err" &&
     [ -n "$total" ] && [ "$total" -ge $want ] && [ $lrc = 0 ]; then
    ok "cold boot: base RAM, the rest plugged ($((total / 1024)) MiB); $layout"
  else
    echo "# MemTotal ${total:-?} KiB (want >= $want); $layout"
    notok "cold boot: base RAM, the rest plugged inside the reserved area, BARs outside"
  fi
else
  skip "cold boot under TCG without ACPI (this host runs KVM)"
fi

if "$fish" help debug > /dev/null 2>&1; then
  run "network: appliance has a NIC" 0 "$(printf '%s\n' . .. eth0 lo)" \
    --network -a /dev/null run : debug ls /sys/class/net
  run "no network: only loopback" 0 "$(printf '%s\n' . .. lo)" \
    -a /dev/null run : debug ls /sys/class/net
else
  skip "network: appliance has a NIC (no debug command)"
  skip "no network: only loopback (no debug command)"
fi

# The network carries TCP: a guest program fetches a file from an HTTP
# server on the host (qemu's user-mode network puts the host at
# 10.0.2.2).  The appliance's kernel skips TCP cubic's set-up
# (lib/appliance-vm.c), so its TCP runs Reno.
bb=$(command -v busybox || echo /bin/busybox)
if [ -x "$bb" ]; then
  mkdir "$tmp/www" && echo "served by the host $$" > "$tmp/www/file"
  python3 -m http.server --bind 127.0.0.1 --directory "$tmp/www" 0 > "$tmp/http.log" 2>&1 &
  http_pid=$!
  cleanup_hooks+=("kill $http_pid 2>/dev/null")
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  truncate -s 64M "$tmp/net.img"
  printf '%s\n' run 'mkfs ext4 /dev/sda' 'mount /dev/sda /' 'mkdir /bin' 'mkdir /proc' \
    "upload $bb /bin/busybox" 'chmod 0755 /bin/busybox' \
    "command \"/bin/busybox wget -q -O - http://10.0.2.2:$port/file\"" \
    'command "/bin/busybox cat /proc/sys/net/ipv4/tcp_congestion_control"' \
    | "$fish" --network -a "$tmp/net.img" > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ -n "$port" ] && grep -qx "served by the host $$" "$tmp/out"; then
    ok "network: a guest program fetches a file from the host over TCP"
  else echo "# port '$port'"; notok "network: a guest program fetches a file from the host over TCP"; fi
  out_has "network: TCP congestion control is reno" "^reno$"
else
  skip "network: TCP from the guest (no busybox on the host)"
  skip "network: TCP congestion control (no busybox on the host)"
fi

# A session kept open through a fifo, so we can kill guestfish -9.
session () {   # session CMD...: guestfish -a /dev/null runs CMDs, prints qemu's pid
  rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
  rm -rf "$tmp/lgtmp"; mkdir "$tmp/lgtmp"
  LIBGUESTFS_TMPDIR=$tmp/lgtmp "$fish" -a /dev/null < "$tmp/fifo" > "$tmp/out" 2> "$tmp/err" &
  fishpid=$!
  exec 7> "$tmp/fifo"
  printf '%s\n' "$@" run get-pid >&7
  qemupid=
  for _ in $(seq 1 300); do
    [ -s "$tmp/out" ] && break
    kill -0 "$fishpid" 2> /dev/null || break
    sleep 0.2
  done
  qemupid=$(head -1 "$tmp/out")
}
# gone PID [TENTHS]: true once PID has exited, within TENTHS tenths of a
# second (default 5 s: qemu's exit, unmapping its RAM, and its reaping took
# over 2 s once with four launch tests beside this one on 2 CPUs)
gone () {
  for _ in $(seq 1 "${2:-50}"); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  return 1
}

session "config -name hatch-recovery-test"
if [ -n "$qemupid" ] && [ "$qemupid" -gt 1 ] 2> /dev/null; then ok "get-pid"; else notok "get-pid"; fi
# /dev/null is no image: qemu must not lock it (two programs at once).
run "a second program adds /dev/null while the first has it" 0 second -a /dev/null run : echo second
case "$qemupid" in ''|*[!0-9]*) qemupid=999999999 ;; esac
if tr '\0' ' ' < "/proc/$qemupid/cmdline" 2> /dev/null | grep -q "hatch-recovery-test"; then
  ok "config parameter on the qemu command line"
else
  notok "config parameter on the qemu command line"
fi
# The handle's sockets are under get-sockdir (/tmp for root), not
# LIBGUESTFS_TMPDIR: the qemu command line names the channel's socket.
sockdir=$(tr '\0' '\n' < "/proc/$qemupid/cmdline" 2> /dev/null | sed -n 's|^socket,path=\(/tmp/libguestfs[^/]*\)/guestfsd.sock,.*|\1|p')
if [ -n "$sockdir" ] && [ -d "$sockdir" ]; then ok "the channel's socket is in a directory of its own under /tmp ($sockdir)"
else sockdir=/nonexistent; notok "the channel's socket is in a directory of its own under /tmp"; fi
kill -9 "$fishpid"; wait "$fishpid" 2> /dev/null; exec 7>&-
if gone "$qemupid"; then ok "recovery process kills qemu within 5 s of kill -9"
else notok "recovery process kills qemu within 5 s of kill -9"; kill -9 "$qemupid" 2> /dev/null; fi
sleep 0.2
if [ -z "$(ls -A "$tmp/lgtmp")" ]; then ok "... and nothing is left in LIBGUESTFS_TMPDIR"
else ls -la "$tmp/lgtmp" | sed 's/^/# /'; notok "... and nothing is left in LIBGUESTFS_TMPDIR"; fi

if [ ! -e "$sockdir" ]; then ok "... and the sockets' directory is gone"
else ls -la "$sockdir" | sed 's/^/# /'; notok "... and the sockets' directory is gone"; fi

# get-sockdir: $XDG_RUNTIME_DIR for a user, /tmp for root (whose qemu may
# run as libvirt's user); a TMPDIR too long for a socket's path does not
# matter, since sockets are not put there.
mkdir -p "$tmp/xdg"; chmod 777 "$tmp" "$tmp/xdg"
got=$(XDG_RUNTIME_DIR=$tmp/xdg "$fish" get-sockdir 2> "$tmp/err")
if [ "$got" = /tmp ]; then ok "get-sockdir as root ignores XDG_RUNTIME_DIR"
else echo "# got '$got'"; notok "get-sockdir as root ignores XDG_RUNTIME_DIR"; fi
if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
  got=$(cd / && XDG_RUNTIME_DIR=$tmp/xdg HOME=$tmp/xdg setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$fish" get-sockdir 2> "$tmp/err")
  if [ "$got" = "$tmp/xdg" ]; then ok "get-sockdir as a user is XDG_RUNTIME_DIR"
  else echo "# got '$got'"; notok "get-sockdir as a user is XDG_RUNTIME_DIR"; fi
else
  skip "get-sockdir as a user (not root, or no setpriv)"
fi
long=$tmp/$(printf 'd%.0s' $(seq 1 120))
mkdir -p "$long"
got=$(TMPDIR=$long "$fish" -a /dev/null run : echo ok 2> "$tmp/err")
if [ "$got" = ok ]; then ok "a TMPDIR too long for a socket's path still launches"
else notok "a TMPDIR too long for a socket's path still launches"; fi
if [ -z "$(ls -A "$long")" ]; then ok "... and leaves nothing in it"
else ls -la "$long" | sed 's/^/# /'; notok "... and leaves nothing in it"; fi

session "recovery-proc false" "pgroup true"
if [ -n "$qemupid" ] && [ "$(ps -o pgid= -p "$qemupid" | tr -d ' ')" = "$qemupid" ]; then
  ok "set-pgroup: qemu leads its own process group"
else
  notok "set-pgroup: qemu leads its own process group"
fi
case "$qemupid" in ''|*[!0-9]*) qemupid=999999999 ;; esac
kill -9 "$fishpid"; wait "$fishpid" 2> /dev/null; exec 7>&-
if ! gone "$qemupid" 20; then ok "recovery-proc false: qemu left running"
else notok "recovery-proc false: qemu left running"; fi
kill -9 "$qemupid" 2> /dev/null

finish
