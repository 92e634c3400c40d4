#!/bin/bash
# The load test at the issue's size (make hardening): 8 handles launched at
# once, each making 1 000 calls and a 64 MiB upload/download round trip;
# then 100 launch/close cycles in a row with no growth of file
# descriptors, memory or temporary files.  tests/c/test-load.c with a
# short size runs in make check.  Prints TAP and the figures line.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${HATCH_BUILDDIR:-$here/../../build}
[ -x "$build/tests/c/test-load" ] || { echo "1..0 # SKIP test-load is not built"; exit 77; }
HATCH_LOAD_HANDLES=${HATCH_LOAD_HANDLES:-8} HATCH_LOAD_CALLS=${HATCH_LOAD_CALLS:-1000} \
HATCH_LOAD_MIB=${HATCH_LOAD_MIB:-64} HATCH_LOAD_CYCLES=${HATCH_LOAD_CYCLES:-100} \
  exec "$build/tests/c/test-load"
