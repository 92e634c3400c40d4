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
# Environment: PROFILE_TOP (functions listed, default 40),
# PROFILE_QEMU (the qemu binary, default qemu-system-x86_64 in PATH).
set -eu

build=./build
if [ $# -eq 3 ]; then build=$1; shift; fi
if [ $# -ne 2 ]; then
  sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2
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
cat > "$tmp/qemu" <<EOF
#!/bin/sh
exec "$qemu" "\$@" -qmp unix:$tmp/qmp.sock,server=on,wait=off
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
# Every kernel and module symbol, init code included (kept after boot).
"$fish" --remote="$pid" -- debug kallsyms "" > "$tmp/kallsyms"

python3 - "$tmp" "$start" "$end" "${PROFILE_TOP:-40}" <<'EOF'
import bisect, collections, os, sys
tmp, start, end, top = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
syms = []
for line in open(os.path.join(tmp, "kallsyms")):
    p = line.split()
    if len(p) >= 3:
        syms.append((int(p[0], 16), p[2], p[3].strip("[]") if len(p) > 3 else "kernel"))
syms.sort()
addrs = [a for a, _, _ in syms]
funcs, places = collections.Counter(), collections.Counter()
n = 0
for line in open(os.path.join(tmp, "samples")):
    t, rip = line.split()
    if not start <= float(t) <= end:
        continue
    n += 1
    a = int(rip, 16)
    if a < 0xffff800000000000:
        funcs["(user space)"] += 1
        places["user space"] += 1
        continue
    i = bisect.bisect_right(addrs, a) - 1
    name, mod = (syms[i][1], syms[i][2]) if i >= 0 else ("?", "?")
    funcs[name if mod == "kernel" else "%s [%s]" % (name, mod)] += 1
    places[mod] += 1
print("%.2f s, %d samples" % (end - start, n))
if n == 0:
    sys.exit(1)
for k, v in places.most_common():
    print("%5.1f%%  %s" % (100.0 * v / n, k))
print()
for k, v in funcs.most_common(top):
    print("%5.1f%%  %s" % (100.0 * v / n, k))
EOF
