#!/bin/bash
# hatch-make-fixed-appliance --xz: the tarball holds appliance/ with kernel,
# initrd, root and README.fixed, and the unpacked appliance launches from
# LIBGUESTFS_PATH.  In make hardening: compressing ~600 MB takes minutes.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../shell/fish-lib.bash"
need_launch
build=${HATCH_BUILDDIR:?}
echo "1..2"
ver=$("$build/appliance/hatch-make-fixed-appliance" -V | awk '{ print $2 }')
if (cd "$tmp" && XZ_OPT="-1 -T0" "$build/appliance/hatch-make-fixed-appliance" --xz > "$tmp/out" 2> "$tmp/err") &&
   [ "$(cat "$tmp/out")" = "appliance-$ver.tar.xz" ] &&
   [ "$(tar -tJf "$tmp/appliance-$ver.tar.xz" | sort | tr '\n' ' ')" = \
     "appliance/ appliance/README.fixed appliance/initrd appliance/kernel appliance/root " ]; then
  ok "--xz writes appliance-$ver.tar.xz with appliance/{kernel,initrd,root,README.fixed}"
else notok "--xz writes the tarball"; fi
tar -C "$tmp" -xJf "$tmp/appliance-$ver.tar.xz"
out=$(LIBGUESTFS_PATH=$tmp/appliance "$fish" -a /dev/null run : echo-daemon unpacked 2> "$tmp/err")
if [ "$out" = unpacked ]; then ok "the unpacked appliance launches"
else notok "the unpacked appliance launches (got '$out')"; fi
exit $fail
