#!/bin/sh
# The in-tree programs must use the in-tree libguestfs.so.0, never another
# library of that name the dynamic linker could find on the system.
# usage: test-rpath.sh BUILDDIR
build=${1:-${HATCH_BUILDDIR:?}}
n=0 failed=0
check() {
  prog=$1
  n=$((n + 1))
  if [ ! -x "$prog" ]; then
    echo "ok $n # SKIP $prog not built"
    return
  fi
  # What the dynamic linker really picks (no LD_LIBRARY_PATH help).
  resolved=$(env -u LD_LIBRARY_PATH ldd "$prog" 2>/dev/null |
             awk '$1 == "libguestfs.so.0" { print $3 }')
  case $resolved in
    "$build"/*)
      echo "ok $n - ${prog#$build/} uses $resolved"
      ;;
    *)
      echo "not ok $n - ${prog#$build/} resolves libguestfs.so.0 to '${resolved:-nothing}'"
      echo "# RUNPATH/RPATH: $(readelf -d "$prog" | grep -E 'R(UN)?PATH' | sed 's/.*\[//; s/\]//')"
      failed=1
      ;;
  esac
  # And the dynamic section says so: a RUNPATH or RPATH into the build
  # tree ($ORIGIN-relative, as meson writes it, or absolute).
  n=$((n + 1))
  rp=$(readelf -d "$prog" | grep -E 'R(UN)?PATH' | sed 's/.*\[//; s/\]//')
  if echo "$rp" | grep -qE "^\\\$ORIGIN|$build"; then
    echo "ok $n - ${prog#$build/} has a RUNPATH into the build tree ($rp)"
  else
    echo "not ok $n - ${prog#$build/} has no RUNPATH/RPATH into the build tree"
    failed=1
  fi
}
check "$build/fish/guestfish"
check "$build/tests/table-tests"
check "$build/tests/c/test-events"
echo "1..$n"
exit $failed
