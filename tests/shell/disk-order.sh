#!/bin/bash
# /dev/sda, /dev/sdb, /dev/sdc follow the order the drives were added even
# when the kernel named them otherwise: HATCH_TEST_REBIND=1 (passed on the
# appliance kernel command line, so the daemon sees it in its environment)
# makes the daemon take its rebinding path, after which the table tests
# that check each disk's size must still pass.
set -u
build=${HATCH_BUILDDIR:?}
log=$(mktemp /tmp/disk-order-XXXXXX)
trap 'rm -f "$log"' EXIT
LIBGUESTFS_APPEND="HATCH_TEST_REBIND=1" LIBGUESTFS_DEBUG=1 \
  "$build/tests/table-tests" list_devices blockdev_getsize64 > "$log" 2>&1
rc=$?
echo "1..2"
if grep -q "rebinding them in drive order" "$log"; then echo "ok 1 - the daemon rebound the disks"
else echo "not ok 1 - the daemon did not take the rebinding path"; fi
if [ $rc = 0 ] && ! grep -q "^not ok" "$log"; then echo "ok 2 - disk names and sizes in drive order after rebinding"
else echo "not ok 2 - disk order wrong after rebinding"; grep -E "^(not ok|#)" "$log"; fi
grep -q "rebinding them in drive order" "$log" && [ $rc = 0 ]
