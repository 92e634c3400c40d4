#!/bin/bash
# Where the appliance's CPU goes during one call: a sampling profile of the
# guest, taken from the host.
#
#   bench/guest-profile.sh [BUILD] SETUP MEASURED
#
# SETUP and MEASURED are guestfish commands, several separated by " ; "
# (for example  'add-drive-scratch 1G ; run ; mkfs ext4 /dev/sda ; mount
# /dev/sda /'  and  'tar-in /tmp/tree.tar /').  When SETUP does not launch
# the appliance and MEASURED does (for example  'add-drive-scratch 1G'  and
# 'run'), the profile is of a cold boot, from qemu's start to the daemon's
# answer.  Our guestfish from BUILD (default ./build) runs them through
# --listen, with qemu started by a wrapper that adds a second QMP monitor;
# while MEASURED runs, that monitor is asked for the vCPU's registers about
# every 2 ms ("info registers"), and each RIP is named with the appliance's
# own symbols (debug kallsyms).  Prints the share of samples in user space,
# in the kernel and in each module, then the top functions.
#
# The appliance boots cold (nosnapshot: the wrapper would otherwise get a
# saved state of its own).  A sample lands where the vCPU next stops for
# the monitor, which favours instructions that touch devices: an emulated
# APIC or port write shows more than its share.  Samples are ~2 ms apart
# and slow the guest a little (a 1.9 s tar-in took 2.3-2.8 s).
#
# PROFILE_COUNT=insns counts instead of sampling: qemu loads the TCG
# plugin BUILD/bench/tcg-insn-count.so, which counts every run of every
# translated block, and the report is the exact number of guest
# instructions MEASURED ran in each function, with the number of block
# runs (TCG's cost is more per block run than per instruction).  User
# space is one line.  Counting slows the guest by under a tenth.
#
# Environment: PROFILE_TOP (functions listed, default 40),
# PROFILE_QEMU (the qemu binary, default qemu-system-x86_64 in PATH),
# PROFILE_COUNT (insns: count, as above).
set -eu

build=./build
if [ $# -eq 3 ]; then build=$1; shift; fi
if [ $# -ne 2 ]; then
  sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
setup=$1 measured=$2
fish=$build/fish/guestfish
[ -x "$fish" ] || { echo "guest-profile: $fish not built" >&2; exit 1; }
qemu=${PROFILE_QEMU:-$(command -v qemu-system-x86_64)} ||
  { echo "guest-profile: no qemu-system-x86_64" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/guest-profile.XXXXXX")
pid=
cleanup () {
  if [ -n "$pid" ]; then
    "$fish" --remote="$pid" -- exit 2> /dev/null || true
    while kill -0 "$pid" 2> /dev/null; do sleep 0.05; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
count=${PROFILE_COUNT:-}
case $count in
  '') extra="-qmp unix:$tmp/qmp.sock,server=on,wait=off" ;;
  insns)
    plugin=$(realpath "$build/bench/tcg-insn-count.so" 2> /dev/null) ||
      { echo "guest-profile: $build/bench/tcg-insn-count.so not built" >&2; exit 1; }
    extra="-plugin $plugin,dir=$tmp" ;;
  *) echo "guest-profile: PROFILE_COUNT is insns or empty" >&2; exit 2 ;;
esac
cat > "$tmp/qemu" <<EOF
#!/bin/sh
exec "$qemu" "\$@" $extra
EOF
chmod +x "$tmp/qemu"

# guestfish's --listen prints GUESTFISH_PID=N; export GUESTFISH_PID
out=$(LIBGUESTFS_BACKEND_SETTINGS=nosnapshot "$fish" --listen)
pid=${out#GUESTFISH_PID=}; pid=${pid%%;*}
remote () {   # remote "cmd args ; cmd args": each through guestfish --remote
  local IFS=';' c
  for c in $1; do
    eval "set -- $c"
    [ $# -gt 0 ] || continue
    "$fish" --remote="$pid" -- "$@"
  done
}
"$fish" --remote="$pid" -- set-hv "$tmp/qemu"
remote "$setup"

# snapshot NAME: the plugin's counts so far, as $tmp/NAME (nothing when
# the appliance is not running: a boot then counts from qemu's start).
snapshot () {
  local qpid
  # (a failed command would end the guestfish server: ask first)
  [ "$("$fish" --remote="$pid" -- is-config)" = false ] || return 0
  qpid=$("$fish" --remote="$pid" -- get-pid)
  touch "$tmp/dump.$qpid"
  while [ -e "$tmp/dump.$qpid" ]; do
    kill -0 "$qpid" 2> /dev/null || { echo "guest-profile: qemu exited" >&2; exit 1; }
    sleep 0.02
  done
  mv "$(ls -t "$tmp"/counts.$qpid.* | head -n 1)" "$tmp/$1"
}

if [ "$count" = insns ]; then
  : > "$tmp/before"
  snapshot before
  start=$(date +%s.%N)
  remote "$measured"
  end=$(date +%s.%N)
  snapshot after
  [ -s "$tmp/after" ] || { echo "guest-profile: neither SETUP nor MEASURED launched the appliance" >&2; exit 1; }
else
  # The sampler waits for qemu's monitor when SETUP has not launched it.
  python3 - "$tmp" <<'EOF' &
import json, os, re, socket, sys, time
tmp = sys.argv[1]
stop = os.path.join(tmp, "stop")
open(os.path.join(tmp, "sampling"), "w").close()
def call(f, cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
def connect():
    """qemu's second monitor, once it answers.  The library's probes of
    the qemu binary (-help and the like) run through the same wrapper,
    with a short-lived monitor of their own: any error means reconnect."""
    while not os.path.exists(stop):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(os.path.join(tmp, "qmp.sock"))
            f = s.makefile("rw")
            json.loads(f.readline())
            call(f, "qmp_capabilities")
            return f
        except (OSError, ValueError):
            time.sleep(0.001)
    return None
with open(os.path.join(tmp, "samples"), "w") as out:
    f = connect()
    while f and not os.path.exists(stop):
        try:
            r = call(f, "human-monitor-command", **{"command-line": "info registers"})
        except (OSError, ValueError):
            f = connect()
            continue
        m = re.search(r"RIP=([0-9a-f]+)", r.get("return", ""))
        if m:
            out.write("%.6f %s\n" % (time.time(), m.group(1)))
        time.sleep(0.002)
EOF
  sampler=$!
  while [ ! -e "$tmp/sampling" ]; do
    kill -0 "$sampler" 2> /dev/null || { echo "guest-profile: the sampler failed" >&2; exit 1; }
    sleep 0.05
  done

  start=$(date +%s.%N)
  remote "$measured"
  end=$(date +%s.%N)
  touch "$tmp/stop"
  wait "$sampler"
  [ -S "$tmp/qmp.sock" ] || { echo "guest-profile: neither SETUP nor MEASURED launched the appliance" >&2; exit 1; }
fi
# Every kernel and module symbol, init code included (kept after boot).
"$fish" --remote="$pid" -- debug kallsyms "" > "$tmp/kallsyms"

# The report: per place and per function, the share of samples, or of
# guest instructions with the block runs beside them.
python3 - "$tmp" "$start" "$end" "${PROFILE_TOP:-40}" "${count:-samples}" <<'EOF'
import bisect, collections, os, sys
tmp, start, end, top, mode = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
syms = []
for line in open(os.path.join(tmp, "kallsyms")):
    p = line.split()
    if len(p) >= 3:
        syms.append((int(p[0], 16), p[2], p[3].strip("[]") if len(p) > 3 else "kernel"))
syms.sort()
addrs = [a for a, _, _ in syms]

def weights():
    """(address, weight, block runs) of what MEASURED ran."""
    if mode == "samples":
        for line in open(os.path.join(tmp, "samples")):
            t, rip = line.split()
            if start <= float(t) <= end:
                yield int(rip, 16), 1, 0
        return
    def counts(name):
        insns, runs = collections.Counter(), collections.Counter()
        for line in open(os.path.join(tmp, name)):
            a, n, r = line.split()
            insns[int(a, 16)] += int(n) * int(r)
            runs[int(a, 16)] += int(r)
        return insns, runs
    i0, r0 = counts("before")
    i1, r1 = counts("after")
    for a in i1:
        if i1[a] > i0[a]:
            yield a, i1[a] - i0[a], r1[a] - r0[a]

funcs, places, fruns = collections.Counter(), collections.Counter(), collections.Counter()
total = runs = 0
for a, w, r in weights():
    total += w
    runs += r
    if a < 0xffff800000000000:
        name, mod = "(user space)", "user space"
    else:
        i = bisect.bisect_right(addrs, a) - 1
        name, mod = (syms[i][1], syms[i][2]) if i >= 0 else ("?", "?")
        if mod != "kernel":
            name = "%s [%s]" % (name, mod)
    funcs[name] += w
    fruns[name] += r
    places[mod] += w
if mode == "samples":
    print("%.2f s, %d samples" % (end - start, total))
else:
    print("%.2f s, %d guest instructions in %d block runs (%.1f per block)"
          % (end - start, total, runs, total / max(runs, 1)))
if total == 0:
    sys.exit(1)
for k, v in places.most_common():
    print("%5.1f%%  %s" % (100.0 * v / total, k))
print()
if mode != "samples":
    print("insns   instructions  block runs  function")
for k, v in funcs.most_common(top):
    if mode == "samples":
        print("%5.1f%%  %s" % (100.0 * v / total, k))
    else:
        print("%5.1f%%  %12d  %10d  %s" % (100.0 * v / total, v, fruns[k], k))
EOF
