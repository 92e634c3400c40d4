#!/bin/bash
# guestfish basics: options, help, quoting, ':' splitting, the '-' prefix,
# exit codes, '!cmd', pipes, -f scripts and stdin scripts.  Everything but
# the last test runs without an appliance; the last one launches once.
# Prints TAP; exits 0 (pass), 1 (fail) or 77 (guestfish not built).
set -u
fish=${GUESTFISH:-}
if [ -z "$fish" ] || [ ! -x "$fish" ]; then
  echo "1..0 # SKIP \$GUESTFISH is not set to a guestfish binary"
  exit 77
fi

tmp=$(mktemp -d /tmp/fish-basics-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp          # keep interactive history out of the real home
n=0
fail=0

ok () { n=$((n+1)); echo "ok $n - $1"; }
notok () {
  n=$((n+1)); echo "not ok $n - $1"; fail=1
  echo "# stdout:"; sed 's/^/#   /' "$tmp/out"
  echo "# stderr:"; sed 's/^/#   /' "$tmp/err"
}

# run NAME EXPECTED_STATUS EXPECTED_STDOUT [guestfish args...]  (stdin: /dev/null)
run () {
  local name=$1 status=$2 expect=$3; shift 3
  "$fish" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}

# script NAME EXPECTED_STATUS EXPECTED_STDOUT SCRIPT  (the script on stdin)
script () {
  local name=$1 status=$2 expect=$3 text=$4
  printf '%s\n' "$text" | "$fish" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}

# err_has NAME PATTERN: the last run's stderr matches the grep pattern
err_has () {
  if grep -q -- "$2" "$tmp/err"; then ok "$1"; else notok "$1"; fi
}

# --- the tokenizer's unit test, built beside guestfish ---------------------
tok=$(dirname "$fish")/test-fish-tokenizer
if [ -x "$tok" ]; then
  if "$tok" > "$tmp/out" 2> "$tmp/err"; then ok "tokenizer unit test"
  else notok "tokenizer unit test"; fi
fi

# --- options ---------------------------------------------------------------
run "--version" 0 "$("$fish" -V)" --version
if "$fish" -V | grep -Eq '^guestfish [0-9]+\.[0-9]+\.[0-9]+'; then ok "-V format"
else "$fish" -V > "$tmp/out" 2> "$tmp/err"; notok "-V format"; fi
"$fish" --help > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q -- '--ro' "$tmp/out" && grep -q -- '-a|--add' "$tmp/out"
then ok "--help"; else notok "--help"; fi
run "bad option" 1 "" --no-such-option
err_has "bad option message" "guestfish --help"
run "-i on a disk without an OS" 1 "" -i -a /dev/null
err_has "-i message" "no operating system was found"
run "-a missing file" 1 "" -a "$tmp/missing.img" echo x
err_has "-a missing file message" "missing.img"
run "--format after the last -a" 1 "" -a /dev/null --format=raw echo x
run "--format before -a" 0 "x" --format=raw -a /dev/null echo x
run "--ro -a" 0 "x" --ro -a /dev/null echo x
run "-w -a" 0 "x" -w -a /dev/null echo x
run "-f missing file" 1 "" -f "$tmp/missing.gf"

# --- help --------------------------------------------------------------------
"$fish" -h > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && head -1 "$tmp/out" | grep -q 'Command *Description' &&
   grep -q '^part-disk  *partition whole disk' "$tmp/out" &&
   grep -q "^run  *alias for 'launch'" "$tmp/out" &&
   grep -q '^echo ' "$tmp/out"
then ok "-h lists commands"; else notok "-h lists commands"; fi
"$fish" -h part-disk > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q '^NAME' "$tmp/out" &&
   grep -q '^    part-disk - ' "$tmp/out" &&
   grep -q '^     part-disk device parttype$' "$tmp/out" &&
   grep -q '^DESCRIPTION' "$tmp/out"
then ok "-h part-disk"; else notok "-h part-disk"; fi
"$fish" help part_disk > "$tmp/out2" 2> "$tmp/err"
if cmp -s "$tmp/out" "$tmp/out2"; then ok "help part_disk = -h part-disk"
else notok "help part_disk = -h part-disk"; fi
run "help unknown command" 1 "" help no-such-command
err_has "help unknown message" "no-such-command: command not known"
run "-h unknown command" 1 "" -h no-such-command

# --- command line: ':' splitting, '-' prefix, exit codes -----------------------
run "colon splits commands" 0 "$(printf 'a b\nc"d')" echo "a b" : echo 'c"d'
run "colon inside a word" 0 "a: echo b" echo a: echo b
run "trailing colon" 0 "a" echo a :
run "empty command" 1 "a" echo a : : echo b
err_has "empty command message" "empty command on command line"
run "unknown command" 1 "" no-such-command
err_has "unknown command message" "no-such-command: unknown command"
run "stop at first error" 1 "" no-such-command : echo after
run "'-' ignores the error" 0 "after" -- -no-such-command : echo after
run "names with _ and any case" 0 "1024" set_memsize 1024 : GET_MEMSIZE
run "wrong number of arguments" 1 "" part-disk /dev/sda
err_has "usage message" "^error: incorrect number of arguments"
err_has "usage line" "^usage: part-disk device parttype"
run "config calls before launch" 0 "$(printf '1024\n1024')" \
  set-memsize 1024 : get-memsize : memsize 0x400 : get-memsize
run "bad integer" 1 "" set-memsize 12abc
err_has "bad integer message" "set-memsize: memsize: invalid integer parameter"
run "integer out of range" 1 "" set-memsize 99999999999
err_has "out of range message" "integer out of range"
run "booleans" 0 "$(printf 'false\ntrue')" \
  set-autosync off : get-autosync : set-autosync Yes : get-autosync
run "string lists" 0 "$(printf 'a\nb c\nd')" \
  set-backend-settings "a 'b c' d" : get-backend-settings
run "needs launch" 1 "" list-devices
err_has "needs launch message" "libguestfs: error: .*launch"
if [ "$(grep -c 'libguestfs: error:' "$tmp/err")" = 1 ]; then
  ok "error printed once"; else notok "error printed once"; fi

# --- scripts on stdin ----------------------------------------------------------
script "stdin script" 0 "$(printf 'one\ntwo three')" 'echo one
# a comment

  echo   two   three'
script "quoting" 0 "$(printf 'a b c\\d AA\t #x #y')" \
  'echo "a b" c\d "\x41\101\t" "#x" #y'
script "quoting 2" 0 "$(printf '%s\n' 'a b' 'c\nd' 'x y')" "echo \"a b\"
echo 'c\\nd'
echo x \"y\""
script "empty string argument" 0 " x" 'echo "" x'
script "unterminated quote stops the script" 1 "" 'echo "abc
echo after'
err_has "unterminated quote message" "unterminated double quote"
script "bad escape" 1 "" 'echo "\q"'
err_has "bad escape message" "invalid escape sequence"
script "words must be separated" 1 "" 'echo "a"b'
script "stdin: stop at first error" 1 "before" 'echo before
no-such-command
echo after'
script "stdin: - prefix" 0 "after" '-no-such-command
- list-devices
echo after'
script "error location" 1 "" '# line 1 is a comment
list-devices'
if grep -q '^\*stdin\*:2: libguestfs: error:' "$tmp/err"; then ok "error location message"
else notok "error location message"; fi
script "exit" 0 "a" 'echo a
exit
echo b'
script "quit" 0 "" 'quit
echo b'

# --- shell escapes and pipes ---------------------------------------------------
script "!cmd" 0 "$(printf 'shell\ntwo\nafter')" '!echo shell ; echo two
echo after'
script "!cmd failing" 1 "" '!false
echo after'
script "pipe" 0 "PIPE" 'echo pipe | tr a-z A-Z'
script "pipe needs a space before |" 0 "a| cat" 'echo a| cat'
script "quoted | is not a pipe" 0 "a | b" "echo 'a | b'"
script "pipe output order" 0 "$(printf '1\nB\n3')" 'echo 1
echo b | tr b B
echo 3'
script "setenv and !cmd" 0 "bar" 'setenv FOO bar
!echo $FOO'

# --- -f FILE -------------------------------------------------------------------
printf 'echo x\n\nlist-devices\necho y\n' > "$tmp/s.gf"
run "-f script stops at error" 1 "x" -f "$tmp/s.gf"
if grep -q "^$tmp/s.gf:3: libguestfs: error:" "$tmp/err"; then ok "-f error location"
else notok "-f error location"; fi
printf 'echo x\necho y\n' > "$tmp/t.gf"
run "-f script" 0 "$(printf 'x\ny')" -f "$tmp/t.gf"
run "-x does not trace echo" 0 "x" -x echo x
run "-x traces API calls" 0 "1024" -x set-memsize 1024 : get-memsize
err_has "trace line" "libguestfs: trace: get_memsize"

# --- one launch ----------------------------------------------------------------
if [ -n "${SKIP_FISH_LAUNCH:-}" ]; then
  n=$((n+1)); echo "ok $n # SKIP launch test (SKIP_FISH_LAUNCH set)"
else
  truncate -s 1G "$tmp/d.img"
  expect='hi
[0] = {
  part_num: 1
  part_start: 65536
  part_end: 1073676799
  part_size: 1073611264
}
/dev/sda1: ext4'
  run "launch: partition, mkfs, write, cat" 0 "$expect" \
    -a "$tmp/d.img" run : part-disk /dev/sda mbr : mkfs ext4 /dev/sda1 : \
    mount /dev/sda1 / : write /hello "hi" : cat /hello : \
    part-list /dev/sda : list-filesystems
  # "-" is the redirected stdout itself: not truncated by each download.
  run "download - twice, stdout redirected to a file" 0 "$(printf 'hi\nhi')" \
    --ro -a "$tmp/d.img" run : mount-ro /dev/sda1 / : download /hello - : echo : \
    download /hello -
fi

echo "1..$n"
exit $fail
