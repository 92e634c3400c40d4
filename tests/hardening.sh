#!/bin/bash
# make hardening: the long runs kept out of make check, then one table of
# figures (also the table in README's "Hardening" section):
#   - the hostile-image suite, quick and big parts (tests/hostile/):
#     images tried, escapes, hangs, crashes;
#   - each libFuzzer target for $FUZZ_RUNS executions (default 200 000):
#     executions, crashes;
#   - the fault and hardening tests (daemon/qemu death, cancel, reply
#     limit, special files, format guessing, copy-out, guest paths through
#     symlinks, ...): passed/failed;
#   - the load test at full size (tests/soak/load.sh: 8 handles at once,
#     100 launch cycles): time, peak RSS, fd/RSS/temporary file growth;
#   - the soak tests (tests/soak/).
# usage: tests/hardening.sh BUILDDIR
set -u
build=$(cd "${1:?usage: hardening.sh BUILDDIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${FUZZ_RUNS:-200000}
figures=$(mktemp -d /tmp/hatch-hardening-XXXXXX)
trap 'rm -rf "$figures"' EXIT
export HATCH_HOSTILE_SUMMARY=$figures/hostile HATCH_FUZZ_SUMMARY=$figures/fuzz
export HATCH_LOAD_SUMMARY=$figures/load
: > "$HATCH_HOSTILE_SUMMARY"; : > "$HATCH_FUZZ_SUMMARY"; : > "$HATCH_LOAD_SUMMARY"
start=$SECONDS

echo "== fuzzing: $runs executions per target"
bash "$top/tests/fuzz/run-fuzz.sh" "$build" "$runs"
fuzz_rc=$?

echo "== hostile images, faults, soak"
faults='hardening-|test-cancel|test-faults|test-daemon-death|test-owner-death|test-launch-errors|test-readonly|test_tar_in_hostile|test_guest_path_links'
HATCH_SOAK=1 "$top/tests/run-tests.sh" "$build" "hostile/|soak/|$faults" | tee "$figures/tests"
tests_rc=${PIPESTATUS[0]}

# ---- the table ----
sum_hostile () {   # total of field N ("N images tried, E escapes, ...") over the lines
  awk -v f="$1" '{ gsub(",", ""); for (i = 1; i <= NF; i++) if ($i == f) s += $(i - 1) } END { print s + 0 }' \
    "$HATCH_HOSTILE_SUMMARY"
}
faults_ok=$(grep -E "^(shell/hardening-|c/test-|python/test_(tar|guest))" "$figures/tests" | grep -c ' ok (')
faults_all=$(grep -cE "^(shell/hardening-|c/test-|python/test_(tar|guest))" "$figures/tests")
# ... and their checks (TAP lines in their logs)
checks () { cat "$build"/test-logs/{shell_hardening-,c_test-,python_test_tar,python_test_guest}*.log 2>/dev/null | grep -cE "^$1 [0-9]+"; }
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
echo "| fault and hardening tests passed | $faults_ok of $faults_all files, $(checks ok) of $(( $(checks ok) + $(checks 'not ok') )) checks |"
while IFS='|' read -r par cyc; do
  cyc=${cyc# }
  echo "| load: ${par%%:*} | ${par#*: } |"
  echo "| load: ${cyc%%:*} launch/close in a row | ${cyc#*: } |"
done < "$HATCH_LOAD_SUMMARY"
echo "| soak tests passed | $soak_ok of $soak_all |"
echo "| wall time | $((SECONDS - start)) s |"
[ $fuzz_rc = 0 ] && [ $tests_rc = 0 ]
