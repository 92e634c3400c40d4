#!/bin/bash
# The appliance cache: two processes launching at once on an empty cache
# both succeed and share one build; a changed daemon binary gives a rebuild.
# The cache's small verdict files keep every line when many processes
# store at once.
set -u
build=${HATCH_BUILDDIR:?}
launch=$build/tests/table-tests
cache=$(mktemp -d /tmp/hatch-cache-test-XXXXXX)
trap 'rm -rf "$cache"' EXIT
export LIBGUESTFS_CACHEDIR=$cache
fail=0

echo "1..5"
"$launch" ping_daemon > "$cache/a.log" 2>&1 &
a=$!
"$launch" ping_daemon > "$cache/b.log" 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
if [ $ra = 0 ] && [ $rb = 0 ]; then echo "ok 1 - two concurrent launches on an empty cache"
else echo "not ok 1 - concurrent launches failed ($ra, $rb)"; cat "$cache"/a.log "$cache"/b.log; fail=1; fi

# Appliance builds only: not their saved states (snapshot-*, see guestfs(3)).
appliances () { ls -d "$cache"/hatch-appliance-*/*/ 2>/dev/null | grep -v -e /tmp- -e /snapshot-; }
builds=$(appliances | wc -l)
if [ "$builds" = 1 ]; then echo "ok 2 - one shared appliance build"
else echo "not ok 2 - expected one appliance build, found $builds"; ls -R "$cache" | head; fail=1; fi
first=$(appliances)

# A different daemon binary (same program plus a trailing byte) must rebuild.
cp "$build/daemon/guestfsd" "$cache/guestfsd"
printf 'x' >> "$cache/guestfsd"
if HATCH_DAEMON=$cache/guestfsd "$launch" ping_daemon > "$cache/c.log" 2>&1; then
  echo "ok 3 - launch with a changed daemon"
else echo "not ok 3 - launch with a changed daemon failed"; tail "$cache/c.log"; fail=1; fi
second=$(appliances | grep -v -x -F "$first")
if [ -n "$second" ] && [ "$second" != "$first" ]; then echo "ok 4 - the appliance was rebuilt"
else echo "not ok 4 - no rebuild after the daemon changed ($first / $second)"; fail=1; fi

# 32 processes at once each remember the format of their own image (the
# launch then fails at once: no daemon at that unix socket).  Writers take
# turns on the file's lock; without it, here, only 11 of the 32 lines were kept.
mkdir "$cache/par"
for i in $(seq 1 32); do head -c 65536 /dev/urandom > "$cache/par/$i.img"; done
for i in $(seq 1 32); do
  LIBGUESTFS_BACKEND=unix:$cache/par/none LIBGUESTFS_CACHEDIR=$cache/par \
    "$build/fish/guestfish" -a "$cache/par/$i.img" run > /dev/null 2>&1 &
done
wait
lines=$(grep -c "	raw\$" "$cache"/par/hatch-appliance-*/image-formats 2> /dev/null)
if [ "$lines" = 32 ]; then echo "ok 5 - 32 processes storing a verdict at once: all 32 lines kept"
else echo "not ok 5 - 32 processes storing a verdict at once: $lines lines kept"; fail=1; fi
exit $fail
