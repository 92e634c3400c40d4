# Helpers of the hostile-image suite (sourced; not a test itself).
#
# Every image is made here, by the test, from a fixed seed.  Each tool run
# gets a time bound; a run is classified as
#   hang   - it outlived its bound (timeout killed it),
#   crash  - the host program died of a signal (or a sanitizer report),
#   escape - a host file outside the output directories was written, or a
#            host canary's contents showed up in anything the tools wrote,
# and anything else (success, or an error message) is fine: a hostile
# image may make a call fail.  Read-only images are hashed before and
# after.  `hostile_summary` prints one line
#   hostile: N images tried, E escapes, H hangs, C crashes
# (and appends it to $HATCH_HOSTILE_SUMMARY when set, for make hardening's
# table).  Prints TAP.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${HATCH_BUILDDIR:-$here/../../build}
fish=$build/fish/guestfish
tools=$build/tools
if [ ! -x "$fish" ]; then
  echo "1..0 # SKIP guestfish is not built"
  exit 77
fi
tmp=$(mktemp -d /tmp/hatch-hostile-XXXXXX)
cleanup_hooks=()
cleanup () {
  for h in "${cleanup_hooks[@]}"; do eval "$h"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp/home
mkdir -p "$HOME" "$tmp/out" "$tmp/outside"
# A call that hangs inside the appliance becomes an error after this long
# (and then counts as a hang), instead of only the outer timeout firing.
export LIBGUESTFS_CALL_TIMEOUT=${LIBGUESTFS_CALL_TIMEOUT:-90}
# Host canaries: a secret that must never be read into the outputs, and a
# directory that must stay empty.
canary="HATCH-HOST-CANARY-$$-$RANDOM"
echo "$canary" > "$tmp/outside/secret"
touch "$tmp/stamp"

n=0 fail=0
images=0 escapes=0 hangs=0 crashes=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
notok () { n=$((n+1)); echo "not ok $n - $1"; fail=1; }

# hostile_run NAME BOUND CMD...: run a tool with stdin closed; stdout and
# stderr go to $tmp/run.out / $tmp/run.err.  Sets $run_rc, $run_secs.
hostile_run () {
  local name=$1 bound=$2; shift 2
  local t0=$SECONDS
  timeout -k 10 "$bound" "$@" < /dev/null > "$tmp/run.out" 2> "$tmp/run.err"
  run_rc=$? run_secs=$((SECONDS - t0))
  local what="exit $run_rc"
  if [ $run_rc = 124 ] || [ $run_rc = 137 ]; then
    hangs=$((hangs + 1)); notok "$name: no hang (killed after its bound of ${bound}s)"
    return
  fi
  # Killed by a signal: 128+N (exit 255 is a program's own error status,
  # e.g. a Perl-style die).
  if { [ $run_rc -gt 128 ] && [ $run_rc -le 192 ]; } || grep -qE 'AddressSanitizer|runtime error:|Segmentation fault|core dumped' "$tmp/run.err"; then
    crashes=$((crashes + 1)); notok "$name: no crash ($what)"
    sed 's/^/#   /' "$tmp/run.err" | tail -5
    return
  fi
  if grep -qF "$canary" "$tmp/run.out" "$tmp/run.err"; then
    escapes=$((escapes + 1)); notok "$name: printed a host file's contents"
    return
  fi
  # The first line of an error, as evidence that it names the problem.
  local msg=
  [ $run_rc != 0 ] && msg=": $(grep -m1 -v '^$' "$tmp/run.err" | cut -c1-150)"
  ok "$name (${run_secs}s, $what$msg)"
}

# hostile_check_outputs NAME: nothing written outside $tmp/out (and the
# images/work directories), nothing in $tmp/outside but the secret, no
# copy of the secret in $tmp/out (symlinks are not followed).
hostile_check_outputs () {
  local name=$1 bad
  bad=$(find "$tmp" -newer "$tmp/stamp" -not -path "$tmp/out*" -not -path "$tmp/img*" \
          -not -path "$tmp/home*" -not -path "$tmp/work*" -not -path "$tmp/mnt*" \
          -not -name 'run.*' -not -path "$tmp" 2>/dev/null | head -5)
  if [ -n "$bad" ] || [ "$(ls -A "$tmp/outside")" != secret ] ||
     grep -rqF "$canary" "$tmp/out" 2>/dev/null; then
    escapes=$((escapes + 1)); notok "$name: nothing written or read outside the guest"
    echo "# unexpected: $bad $(ls -A "$tmp/outside" | tr '\n' ' ')"
  else ok "$name: nothing written or read outside the guest"; fi
}

# hostile_hash IMG / hostile_unchanged NAME IMG HASH
hostile_hash () { sha256sum < "$1" | cut -d' ' -f1; }
hostile_unchanged () {
  if [ "$(hostile_hash "$2")" = "$3" ]; then ok "$1: read-only image byte-identical (sha256)"
  else escapes=$((escapes + 1)); notok "$1: read-only image byte-identical (sha256)"; fi
}

# hostile_tools NAME IMG BOUND [FILE]: every tool over one image,
# read-only: virt-inspector, guestfish -i, virt-ls -R, virt-cat FILE,
# virt-copy-out /, virt-tar-out /, guestmount --ro (find + cat through it).
hostile_tools () {
  local name=$1 img=$2 bound=$3 file=${4:-/etc/fstab}
  local h; h=$(hostile_hash "$img")
  images=$((images + 1))
  hostile_run "$name: virt-inspector" "$bound" "$tools/virt-inspector" --format=raw -a "$img"
  hostile_run "$name: guestfish -i" "$bound" "$fish" --ro --format=raw -a "$img" -i \
    inspect-get-type /dev/sda1 : inspect-list-applications2 /dev/sda1 : find /
  hostile_run "$name: virt-ls -lR" "$bound" "$tools/virt-ls" --format=raw -a "$img" -lR /
  hostile_run "$name: virt-cat $file" "$bound" "$tools/virt-cat" --format=raw -a "$img" "$file"
  rm -rf "$tmp/out/copy" "$tmp/out/tar.tgz"; mkdir -p "$tmp/out/copy"
  hostile_run "$name: virt-copy-out" "$bound" "$tools/virt-copy-out" --format=raw -a "$img" -m /dev/sda1 / "$tmp/out/copy"
  hostile_run "$name: virt-tar-out" "$bound" "$tools/virt-tar-out" --format=raw -a "$img" -m /dev/sda1 / "$tmp/out/tar.tgz"
  if [ -e /dev/fuse ] && command -v fusermount3 > /dev/null && [ -x "$tools/guestmount" ]; then
    mkdir -p "$tmp/mnt"
    hostile_run "$name: guestmount --ro" "$bound" "$tools/guestmount" --format=raw -a "$img" -m /dev/sda1 --ro "$tmp/mnt"
    if [ $run_rc = 0 ]; then
      hostile_run "$name: find and read through guestmount" "$bound" \
        sh -c 'find "$1" > /dev/null; find "$1" -type f -size -2M -exec cat {} + > /dev/null; exit 0' sh "$tmp/mnt"
      timeout 60 "$tools/guestunmount" "$tmp/mnt" > /dev/null 2>&1 || fusermount3 -uz "$tmp/mnt"
    fi
  fi
  hostile_check_outputs "$name"
  hostile_unchanged "$name" "$img" "$h"
}

hostile_summary () {
  local line="hostile: $images images tried, $escapes escapes, $hangs hangs, $crashes crashes"
  echo "# $line"
  [ -n "${HATCH_HOSTILE_SUMMARY:-}" ] && echo "$line" >> "$HATCH_HOSTILE_SUMMARY"
  echo "1..$n"
  [ $fail = 0 ] && [ $escapes = 0 ] && [ $hangs = 0 ] && [ $crashes = 0 ]
}
