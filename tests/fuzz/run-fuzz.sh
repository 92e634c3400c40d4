#!/bin/bash
# Run every libFuzzer target (ASan+UBSan) for a fixed number of executions
# over its committed seed corpus, and print one line per target:
#   fuzz NAME: N executions, C crashes (T s)
# usage: tests/fuzz/run-fuzz.sh BUILDDIR RUNS
#   make check runs it with a short count (tests/fuzz/run-fuzz.sh is
#   listed by tests/run-tests.sh as fuzz/short), make fuzz with a long one.
# New inputs go to a scratch directory (the committed corpus is read
# only); a crashing input is kept in BUILDDIR/fuzz-crashes/ for adding to
# the corpus once fixed.  With $HATCH_FUZZ_SUMMARY set the lines are
# appended there too (make hardening's table).  Prints TAP; exits 77 when
# clang (libFuzzer) is not installed.
set -u
build=$(cd "${1:?usage: run-fuzz.sh BUILDDIR RUNS}" && pwd)
runs=${2:?usage: run-fuzz.sh BUILDDIR RUNS}
here=$(cd "$(dirname "$0")" && pwd)
targets=("xdr:$build/tests/unit/fuzz-xdr" "inspect:$build/tests/fuzz/fuzz-inspect"
         "registry:$build/tests/fuzz/fuzz-registry" "fish:$build/tests/fuzz/fuzz-fish")
[ -x "$build/tests/unit/fuzz-xdr" ] || { echo "1..0 # SKIP libFuzzer targets not built (no clang)"; exit 77; }
scratch=$(mktemp -d /tmp/hatch-fuzz-XXXXXX)
trap 'rm -rf "$scratch" /tmp/hatch-fuzz-root-*' EXIT
mkdir -p "$build/fuzz-crashes"
n=0 fail=0
for t in "${targets[@]}"; do
  name=${t%%:*} bin=${t#*:}
  n=$((n + 1))
  if [ ! -x "$bin" ]; then echo "not ok $n - fuzz $name: $bin not built"; fail=1; continue; fi
  mkdir -p "$scratch/$name"
  start=$SECONDS
  # -runs counts executions after the corpus is loaded; one job, one
  # worker (the machine is shared); a 10 s limit per input catches hangs.
  "$bin" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/fuzz-crashes/$name-" \
    "$scratch/$name" "$here/corpus/$name" > "$scratch/$name.log" 2>&1
  rc=$?
  execs=$(grep -oE 'Done [0-9]+ runs' "$scratch/$name.log" | grep -oE '[0-9]+' | tail -1)
  crashes=0
  [ $rc != 0 ] && crashes=1
  line="fuzz $name: ${execs:-0} executions, $crashes crashes ($((SECONDS - start)) s)"
  [ -n "${HATCH_FUZZ_SUMMARY:-}" ] && echo "$line" >> "$HATCH_FUZZ_SUMMARY"
  if [ $rc = 0 ]; then echo "ok $n - $line"
  else
    echo "not ok $n - $line"; fail=1
    grep -E 'ERROR|SUMMARY|Test unit written' "$scratch/$name.log" | head -5 | sed 's/^/#   /'
  fi
done
echo "1..$n"
exit $fail
