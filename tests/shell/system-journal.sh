#!/bin/bash
# journal_* on a real systemd journal file: the file is written on the
# host by systemd-journal-remote from the journal export format, uploaded
# into a guest filesystem, and read back through guestfish.  One launch.
# Prints TAP; exits 77 when guestfish or systemd-journal-remote is missing.
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi
remote=/lib/systemd/systemd-journal-remote
if [ ! -x "$remote" ]; then
  echo "1..0 # SKIP systemd-journal-remote is not installed"
  exit 77
fi

tmp=$(mktemp -d /tmp/system-journal-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# Two entries; the second has a binary field (journal export format:
# name, newline, 64-bit little-endian length, data, newline).
{
  printf '__REALTIME_TIMESTAMP=1700000000000000\n__MONOTONIC_TIMESTAMP=1000\n'
  printf '_BOOT_ID=0123456789abcdef0123456789abcdef\nMESSAGE=hello from hatch\n'
  printf 'PRIORITY=6\nSYSLOG_IDENTIFIER=hatchtest\n\n'
  printf '__REALTIME_TIMESTAMP=1700000001000000\n__MONOTONIC_TIMESTAMP=2000\n'
  printf '_BOOT_ID=0123456789abcdef0123456789abcdef\nMESSAGE=second message\n'
  printf 'BINARY\n\005\000\000\000\000\000\000\000a\000b\001c\n\n'
} > "$tmp/export"
mkdir "$tmp/j"
if ! "$remote" --output="$tmp/j/system.journal" - < "$tmp/export" > "$tmp/remote.log" 2>&1; then
  echo "1..0 # SKIP systemd-journal-remote failed: $(tail -1 "$tmp/remote.log")"
  exit 77
fi
truncate -s 64M "$tmp/disk.img"

cat > "$tmp/script" <<EOF
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
mkdir-p /var/log/journal/m
upload $tmp/j/system.journal /var/log/journal/m/system.journal
journal-open /var/log/journal/m
echo == next
journal-next
journal-get-realtime-usec
journal-get
echo == next
journal-next
journal-get-realtime-usec
journal-get
echo == end
journal-next
echo == skip back
journal-skip -5
journal-skip 1
journal-set-data-threshold 3
journal-get-data-threshold
journal-get
journal-close
EOF
"$fish" -a "$tmp/disk.img" -f "$tmp/script" > "$tmp/out" 2> "$tmp/err"
rc=$?

n=0 fail=0
check () {   # check NAME CONDITION...
  local name=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fail=1; fi
}
# has_field NAME VALUE: an attrname line followed by its attrval line
has_field () {
  awk -v n="  attrname: $1" -v v="  attrval: $2" 'p && $0==v {f=1} {p = ($0==n)} END {exit !f}' "$tmp/out"
}
section () {  # the lines between "== $1" and the next "== " line (first one)
  awk -v s="== $1" 'f && /^== /{exit} f{print} $0==s{f=1}' "$tmp/out"
}

check "guestfish ran the script" test $rc = 0
check "first entry: timestamp" grep -qx 1700000000000000 "$tmp/out"
check "first entry: MESSAGE" has_field MESSAGE "hello from hatch"
check "first entry: SYSLOG_IDENTIFIER" has_field SYSLOG_IDENTIFIER hatchtest
check "second entry: timestamp" grep -qx 1700000001000000 "$tmp/out"
check "second entry: MESSAGE" has_field MESSAGE "second message"
check "second entry: binary field" has_field BINARY 'a\\x00b\\x01c'
check "journal-next at the end is false" test "$(section end)" = false
check "skip -5 from the last entry skipped back 1" test "$(section 'skip back' | sed -n 1p)" = 1
check "skip 1 skipped 1" test "$(section 'skip back' | sed -n 2p)" = 1
check "after skipping: the second entry" grep -q "attrval: second message" <(section 'skip back')
check "data threshold set" test "$(section 'skip back' | sed -n 3p)" = 3
if [ $fail != 0 ]; then
  echo "# stdout:"; sed 's/^/#   /' "$tmp/out" | head -60
  echo "# stderr:"; sed 's/^/#   /' "$tmp/err" | head -20
fi
echo "1..$n"
exit $fail
