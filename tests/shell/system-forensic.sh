#!/bin/bash
# Yara scans with real rules, and the content that download_inode,
# download_blocks and ntfscat_i bring back, through guestfish.  One launch.
# Prints TAP; exits 77 when $GUESTFISH is not set.
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi
tmp=$(mktemp -d /tmp/system-forensic-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
truncate -s 64M "$tmp/disk.img"

cat > "$tmp/rules.yar" <<'EOF'
rule hatch_marker { strings: $a = "HATCH-MARKER" condition: $a }
rule hatch_other { strings: $a = "never-present-string" condition: $a }
rule hatch_binary { strings: $h = { 00 FF 00 FF } condition: $h }
EOF
echo 'rule broken { condition: nosuchidentifier }' > "$tmp/bad.yar"
echo 'include "/etc/passwd" rule r { condition: true }' > "$tmp/include.yar"

printf 'HATCH-MARKER\000\377\000\377' > "$tmp/both"
cat > "$tmp/script" <<EOF
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1 blocksize:4096
mount /dev/sda1 /
write /clean "nothing to see"
write /marked "xx HATCH-MARKER xx"
upload $tmp/both /both
yara-load $tmp/rules.yar
echo == clean
yara-scan /clean
echo == marked
yara-scan /marked
echo == both
yara-scan /both
echo == bad
-yara-load $tmp/bad.yar
-yara-load $tmp/include.yar
echo == still loaded
yara-scan /marked
yara-destroy
echo == inode
write /inode-file "content by inode"
stat /inode-file | grep -E '^ino:'
EOF
"$fish" -a "$tmp/disk.img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?
ino=$(sed -n 's/^ino: //p' "$tmp/out")

cat > "$tmp/script2" <<EOF
run
download-inode /dev/sda1 $ino $tmp/by-inode
download-blocks /dev/sda1 0 0 $tmp/block0
mkfs ntfs /dev/sda1
ntfscat-i /dev/sda1 3 $tmp/volume
EOF
"$fish" -a "$tmp/disk.img" -f "$tmp/script2" > "$tmp/out2" 2> "$tmp/err2"
rc2=$?

n=0 fail=0
check () {
  local name=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fail=1; fi
}
section () { awk -v s="== $1" 'f && /^== /{exit} f{print} $0==s{f=1}' "$tmp/out"; }
check "guestfish ran the yara script" test $rc = 0
check "no match in a clean file" test -z "$(section clean)"
check "one rule matches" test "$(section marked | grep -c 'yara_rule:')" = 1
check "the matching rule" grep -q "yara_rule: hatch_marker" <(section marked)
check "yara_name is the path" grep -q "yara_name: /marked" <(section marked)
check "text and hex rules match" test "$(section both | grep -c 'yara_rule: hatch_\(marker\|binary\)')" = 2
check "bad rules: compile error named" grep -q "nosuchidentifier" "$tmp/err"
check "include refused" test "$(grep -c 'yara_load' "$tmp/err")" = 2
check "failed loads keep the old rules" grep -q "hatch_marker" <(section 'still loaded')
check "guestfish ran the download script" test $rc2 = 0
check "download_inode: the content" test "$(cat "$tmp/by-inode" 2>/dev/null)" = "content by inode"
check "download_blocks: one 4 KiB block" test "$(stat -c %s "$tmp/block0" 2>/dev/null)" = 4096
check "ntfscat_i: \$Volume (inode 3) is readable" test -f "$tmp/volume"
if [ $fail != 0 ]; then
  echo "# stdout:"; sed 's/^/#   /' "$tmp/out" "$tmp/out2" | head -60
  echo "# stderr:"; sed 's/^/#   /' "$tmp/err" "$tmp/err2" | head -20
fi
echo "1..$n"
exit $fail
