#!/bin/bash
# virt-inspector on the fake Debian guest (tests/data/make-guest-debian.sh):
# the XML has libguestfs's shape and the values inspection found; --xpath
# queries it; bad usage fails with status 1.  TAP output.
set -u
build=${HATCH_BUILDDIR:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
vi=$build/tools/virt-inspector
[ -x "$vi" ] || { echo "1..0 # SKIP virt-inspector not built"; exit 77; }
data=$build/tests/data
mkdir -p "$data"
img=$data/guest-debian.img
if ! bash "$top/tests/data/make-guest-debian.sh" "$img" > "$data/make-debian-vi.log" 2>&1; then
  echo "Bail out! could not build the Debian test image"; sed 's/^/# /' "$data/make-debian-vi.log"; exit 1
fi
tmp=$(mktemp -d /tmp/virt-inspector-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
check() {  # check NAME EXPECTED ACTUAL
  n=$((n + 1))
  if [ "$2" = "$3" ]; then echo "ok $n - $1"
  else echo "not ok $n - $1: expected '$2', got '$3'"; fail=1; fi
}

echo "1..16"
"$vi" --format=raw -a "$img" > "$tmp/out.xml" 2> "$tmp/err"
check "exit status" 0 $?
q() { "$vi" --xpath "$1" < "$tmp/out.xml"; }
check "root" "/dev/sda2" "$(q 'string(//operatingsystem/root)')"
check "name" "linux" "$(q 'string(//operatingsystem/name)')"
check "distro" "debian" "$(q 'string(//distro)')"
check "major version" "12" "$(q 'string(//major_version)')"
check "hostname" "debian-test" "$(q 'string(//hostname)')"
check "mountpoints" '<mountpoint dev="/dev/sda2">/</mountpoint>
<mountpoint dev="/dev/sda1">/boot</mountpoint>' "$(q '//mountpoint')"
check "element order" "root name arch distro product_name major_version minor_version package_format package_management hostname osinfo mountpoints filesystems applications" \
  "$(q '//operatingsystem/*' | sed -n 's/^<\([a-z_]*\)[ >].*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
check "applications" "base-files bash libc6 vim zile" "$(q '//application/name/text()' | tr '\n' ' ' | sed 's/ $//')"
"$vi" --format=raw --no-applications -a "$img" > "$tmp/noapps.xml" 2>/dev/null
check "--no-applications" "0" "$("$vi" --xpath 'count(//application)' < "$tmp/noapps.xml")"
# --xpath prints as libguestfs's virt-inspector does: nodes re-indented,
# an attribute as ' name="value"', text nodes escaped, numbers as
# XPath's string(), the document with an empty line after it.
printf '<a x="1&amp;2">\n      <b>t&amp;u</b>\n <c/></a>\n' > "$tmp/x.xml"
x() { "$vi" --xpath "$1" < "$tmp/x.xml"; }
check "--xpath element" "$(printf '<a x="1&amp;2">\n  <b>t&amp;u</b>\n  <c/>\n</a>')" "$(x '/a')"
check "--xpath attribute, text" ' x="1&amp;2"|t&amp;u' "$(x '//@x')|$(x '//b/text()')"
check "--xpath numbers, strings" '0.333333333333333|Infinity|t&u|true|' \
  "$(x '1 div 3')|$(x '1 div 0')|$(x 'string(//b)')|$(x 'count(//c) = 1')|$(x 'string(//nosuch)')"
check "--xpath document" "$(printf '<a x="1&amp;2">\n  <b>t&amp;u</b>\n  <c/>\n</a>\n\nend')" "$(x '/'; echo end)"
"$vi" --no-such-option > /dev/null 2>&1
check "unknown option fails" 1 $?
"$vi" -a /nonexistent/disk.img > /dev/null 2>&1
check "missing disk fails" 1 $?
exit $fail
