#!/bin/bash
# make hardening: the long runs kept out of make check, then one table of
# figures (also the table in README's "Hardening" section):
#   - the hostile-image suite, quick and big parts (tests/hostile/):
#     images tried, escapes, hangs, crashes;
#   - each libFuzzer target for $FUZZ_RUNS executions (default 200 000):
#     executions, crashes;
#   - the fault and hardening tests (daemon/qemu death, cancel, reply
#     limit, special files, format guessing, copy-out, ...): passed/failed;
#   - the soak tests (tests/soak/).
# usage: tests/hardening.sh BUILDDIR
set -u
build=$(cd "${1:?usage: hardening.sh BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${FUZZ_RUNS:-200000}
figures=$(mktemp -d /tmp/hatch-hardening-XXXXXX)
trap 'rm -rf "$figures"' EXIT
export HATCH_HOSTILE_SUMMARY=$figures/hostile HATCH_FUZZ_SUMMARY=$figures/fuzz
: > "$HATCH_HOSTILE_SUMMARY"; : > "$HATCH_FUZZ_SUMMARY"
start=$SECONDS

echo "== fuzzing: $runs executions per target"
bash "$top/tests/fuzz/run-fuzz.sh" "$build" "$runs"
fuzz_rc=$?

echo "== hostile images, faults, soak"
faults='hardening-|test-cancel|test-faults|test-daemon-death|test-owner-death|test-launch-errors|test-readonly'
HATCH_SOAK=1 "$top/tests/run-tests.sh" "$build" "hostile/|soak/|$faults" | tee "$figures/tests"
tests_rc=${PIPESTATUS[0]}

# ---- the table ----
sum_hostile () {   # total of field N ("N images tried, E escapes, ...") over the lines
  awk -v f="$1" '{ gsub(",", ""); for (i = 1; i <= NF; i++) if ($i == f) s += $(i - 1) } END { print s + 0 }' \
    "$HATCH_HOSTILE_SUMMARY"
}
faults_ok=$(grep -E "^(shell/hardening-|c/test-)" "$figures/tests" | grep -c ' ok (')
faults_all=$(grep -cE "^(shell/hardening-|c/test-)" "$figures/tests")
soak_ok=$(grep -E "^soak/" "$figures/tests" | grep -c ' ok (')
soak_all=$(grep -cE "^soak/" "$figures/tests")
echo
echo "| hardening figure | result |"
echo "|---|---|"
echo "| hostile images tried | $(sum_hostile images) |"
echo "| escapes / hangs / crashes | $(sum_hostile escapes) / $(sum_hostile hangs) / $(sum_hostile crashes) |"
while read -r _ name rest; do
  echo "| fuzz ${name%:} (ASan+UBSan) | ${rest% (*} |"
done < "$HATCH_FUZZ_SUMMARY"
echo "| fault and hardening tests passed | $faults_ok of $faults_all |"
echo "| soak tests passed | $soak_ok of $soak_all |"
echo "| wall time | $((SECONDS - start)) s |"
[ $fuzz_rc = 0 ] && [ $tests_rc = 0 ]
