# Sourced by the inspect-*.sh tests:  . "$(dirname "$0")/inspect-lib.bash" NAME
# Sets build, top, fish, vi (virt-inspector), data (the cache of test
# images in the build directory) and tmp (a scratch directory, removed at
# exit, named after NAME); skips when guestfish is not built; defines the
# TAP helpers ok, notok and check (n counts the tests, fail is set to 1 by
# a failure).
set -u
build=${HATCH_BUILDDIR:?set HATCH_BUILDDIR to the build directory}
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
fish=$build/fish/guestfish
vi=$build/tools/virt-inspector
[ -x "$fish" ] || { echo "1..0 # SKIP guestfish not built"; exit 77; }
export GUESTFISH=$fish
data=$build/tests/data
mkdir -p "$data"
tmp=$(mktemp -d "/tmp/${1:-inspect}-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
check () {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"
  else notok "$1"; echo "# expected:"; printf '%s\n' "$2" | sed 's/^/#   /'
    echo "# got:"; printf '%s\n' "$3" | sed 's/^/#   /'; fi
}
