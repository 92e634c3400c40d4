# Helpers shared by the guestfish tests (sourced; not a test itself).
# Prints TAP.  Needs $GUESTFISH; exits 77 when it is not set.
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi
fish=$(cd "$(dirname "$fish")" && pwd)/$(basename "$fish")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

tmp=$(mktemp -d /tmp/fish-test-XXXXXX)
cleanup_hooks=()
cleanup () {
  # last registered, first run: what a hook needs is still there
  local i
  for ((i = ${#cleanup_hooks[@]} - 1; i >= 0; i--)); do eval "${cleanup_hooks[i]}"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp/home        # history, config files: never the real ones
mkdir -p "$HOME"
mkdir -p "$tmp/work"; cd "$tmp/work" || exit 1
n=0
fail=0

ok () { n=$((n+1)); echo "ok $n - $1"; }
skip () { n=$((n+1)); echo "ok $n # SKIP $1"; }
notok () {
  n=$((n+1)); echo "not ok $n - $1"; fail=1
  echo "# stdout:"; sed 's/^/#   /' "$tmp/out" | head -40
  echo "# stderr:"; sed 's/^/#   /' "$tmp/err" | head -40
}

# run NAME EXPECTED_STATUS EXPECTED_STDOUT [guestfish args...]  (stdin: /dev/null)
run () {
  local name=$1 status=$2 expect=$3; shift 3
  "$fish" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}

# script NAME EXPECTED_STATUS EXPECTED_STDOUT SCRIPT [guestfish args...]
script () {
  local name=$1 status=$2 expect=$3 text=$4; shift 4
  printf '%s\n' "$text" | "$fish" "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}

# err_has NAME PATTERN: the last run's stderr matches the grep pattern
err_has () {
  if grep -q -- "$2" "$tmp/err"; then ok "$1"; else notok "$1"; fi
}
out_has () {
  if grep -q -- "$2" "$tmp/out"; then ok "$1"; else notok "$1"; fi
}

finish () {
  echo "1..$n"
  exit $fail
}

# Tests that launch an appliance can be skipped as a group.
# The appliance's MemTotal (KiB) as 'debug meminfo' last printed it in
# FILE, or nothing.
meminfo_total () { awk '$1 == "MemTotal:" { v = $2 } END { print v }' "$1"; }
# For a guestfish fed through a pipe, its output going to FILE: print
# 'debug meminfo' commands until FILE shows a MemTotal of at least KIB
# (the memory hot-plugged after a launch has all come; at most 30 s).
meminfo_until () {
  local file=$1 want=$2 t
  echo 'debug meminfo ""'
  for _ in $(seq 300); do
    sleep 0.1
    t=$(meminfo_total "$file"); [ -n "$t" ] && [ "$t" -ge "$want" ] && return
    echo 'debug meminfo ""'
  done
}

need_launch () {
  if [ -n "${SKIP_FISH_LAUNCH:-}" ]; then
    echo "1..0 # SKIP launch tests (SKIP_FISH_LAUNCH set)"
    exit 77
  fi
}
