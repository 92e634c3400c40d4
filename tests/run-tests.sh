#!/bin/bash
# Run every test, two at a time (this machine has 2 cores), and print
#   N passed, N failed, N skipped
# as the last line.  Exit status is non-zero when anything failed.
#
# A test is any of:
#   BUILD/tests/unit/test-*        unit tests (no appliance)
#   tests/unit/test_*.py           Python unit tests (the generator)
#   tests/python/test_*.py         the Python binding (BUILD/python/run-python)
#   BUILD/tests/c/test-*           C tests against a real appliance
#   tests/shell/*.sh               shell tests (guestfish, tools)
#   tests/hostile/*.sh             the hostile-image suite, quick part
#   tests/fuzz/run-fuzz.sh         the libFuzzer targets, 20 000 runs each
#   tests/soak/*.sh, tests/hostile/soak/*.sh
#                                  long runs, only when HATCH_SOAK is set
#                                  (make hardening)
#   BUILD/tests/table-tests        the API table's tests, in two shards
# A test that prints TAP ("ok N", "not ok N", "# SKIP") is counted line by
# line; otherwise its exit status counts once: 0 pass, 77 skip, else fail.
#
# usage: tests/run-tests.sh BUILDDIR [PATTERN]
set -u
build=$(cd "${1:?usage: run-tests.sh BUILDDIR [PATTERN]}" && pwd)
pattern=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
logdir="$build/test-logs"
rm -rf "$logdir"
mkdir -p "$logdir"

export HATCH_BUILDDIR="$build" HATCH_SRCDIR="$top"
export GUESTFISH="$build/fish/guestfish"
export LIBGUESTFS_CACHEDIR="${LIBGUESTFS_CACHEDIR:-/var/tmp}"

list="$logdir/list"
: > "$list"
add() { echo "$1|$2" >> "$list"; }   # name|command
for t in "$build"/tests/unit/test-*; do
  [ -x "$t" ] && [ -f "$t" ] && add "unit/$(basename "$t")" "$t"
done
for t in "$build"/fish/test-*; do
  [ -x "$t" ] && [ -f "$t" ] && add "unit/$(basename "$t")" "$t"
done
for t in "$top"/tests/unit/test_*.py; do
  [ -f "$t" ] && add "unit/$(basename "$t")" "python3 $t"
done
# The Python binding's tests, under the interpreter it was built for.
if [ -x "$build/python/run-python" ]; then
  for t in "$top"/tests/python/test_*.py; do
    [ -f "$t" ] && add "python/$(basename "$t")" "$build/python/run-python $t"
  done
fi
for t in "$build"/tests/c/test-*; do
  [ -x "$t" ] && [ -f "$t" ] && add "c/$(basename "$t")" "$t"
done
for t in "$top"/tests/shell/*.sh; do
  [ -f "$t" ] && add "shell/$(basename "$t")" "bash $t"
done
# The libFuzzer targets, a short fixed count each over the seed corpus.
add "fuzz/short" "bash $top/tests/fuzz/run-fuzz.sh $build 20000"
for t in "$top"/tests/hostile/*.sh; do
  [ -f "$t" ] && add "hostile/$(basename "$t")" "bash $t"
done
# Long runs (minutes each: huge directories, soaks) only with make hardening.
if [ -n "${HATCH_SOAK:-}" ]; then
  for t in "$top"/tests/soak/*.sh; do
    [ -f "$t" ] && add "soak/$(basename "$t")" "bash $t"
  done
  for t in "$top"/tests/hostile/soak/*.sh; do
    [ -f "$t" ] && add "hostile/soak/$(basename "$t")" "bash $t"
  done
fi
add "table-tests-0" "$build/tests/table-tests --shard 0/2"
add "table-tests-1" "$build/tests/table-tests --shard 1/2"
if [ -n "$pattern" ]; then
  grep -E "^[^|]*($pattern)" "$list" > "$list.f" || true
  mv "$list.f" "$list"
fi

run_one() {
  local name=${1%%|*} cmd=${1#*|}
  local log="$logdir/$(echo "$name" | tr '/' '_').log"
  local start=$(date +%s)
  # 20 minutes each; an hour for the soak tests (virt-v2v-boot.sh converts
  # and boots three guests under TCG: 21 minutes at load 15).
  local limit=1200
  case $name in soak/*|hostile/soak/*) limit=3600 ;; esac
  ( cd "$top" && timeout $limit $cmd ) > "$log" 2>&1
  local rc=$?
  echo "$rc" > "$log.rc"
  printf '%-40s %s (%ss)\n' "$name" "$([ $rc = 0 ] && echo ok || { [ $rc = 77 ] && echo skip || echo "FAIL ($rc)"; })" "$(( $(date +%s) - start ))"
}
export -f run_one
export logdir top

# Appliance-heavy tests first so the two slots stay busy.
sort -t'|' -k1,1 -r "$list" | tr '\n' '\0' | xargs -0 -P 2 -I{} bash -c 'run_one "$@"' _ {}

passed=0 failed=0 skipped=0
failed_names=()
while IFS= read -r line; do
  name=${line%%|*}
  log="$logdir/$(echo "$name" | tr '/' '_').log"
  rc=$(cat "$log.rc" 2>/dev/null || echo 1)
  if grep -qE '^(not )?ok [0-9]+' "$log"; then
    p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
    s=$(grep -E '^ok [0-9]+.*# SKIP' "$log" | wc -l)
    f=$(grep -cE '^not ok [0-9]+' "$log")
    # A crash or bail-out after some results still counts as a failure.
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    passed=$((passed + p)); skipped=$((skipped + s)); failed=$((failed + f))
    [ "$f" != 0 ] && failed_names+=("$name")
  else
    case $rc in
      0) passed=$((passed + 1)) ;;
      77) skipped=$((skipped + 1)) ;;
      *) failed=$((failed + 1)); failed_names+=("$name") ;;
    esac
  fi
done < "$list"

for n in "${failed_names[@]}"; do
  echo "=== $n (log: $logdir/$(echo "$n" | tr '/' '_').log) ==="
  grep -E '^not ok|^#|Bail out' "$logdir/$(echo "$n" | tr '/' '_').log" | head -30
  tail -15 "$logdir/$(echo "$n" | tr '/' '_').log"
done
# The hardening figures of this run (issue 16): the hostile-image
# suite's summary lines, the fuzz targets' executions, the load figures.
figs=$(cd "$logdir" && grep -H -E '^# (hostile|load): |^(not )?ok [0-9]+ - fuzz ' *.log 2>/dev/null |
       sed -E 's/^([^:]*)\.log:(# |(not )?ok [0-9]+ - )?/\1: /')
if [ -n "$figs" ]; then
  echo "hardening figures:"
  echo "$figs" | sed 's/^/  /'
  echo "$figs" | awk '/ hostile: / { gsub(",", ""); for (i = 1; i <= NF; i++) {
      if ($i == "images") im += $(i-1); if ($i == "escapes") e += $(i-1);
      if ($i == "hangs") h += $(i-1); if ($i == "crashes") c += $(i-1) } n++ }
    END { if (n) printf "  hostile total: %d images tried, %d escapes, %d hangs, %d crashes\n", im, e, h, c }'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
