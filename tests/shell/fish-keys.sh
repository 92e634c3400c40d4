#!/bin/bash
# guestfish: "-<<END" heredocs for FileIn arguments; Key arguments (asked
# for on the terminal without echo, --echo-keys, --keys-from-stdin, a
# clear error without a terminal); --key selectors with -i (also on a
# guest with its root on LVM on LUKS); -m with a filesystem type
# (mount-vfs).
. "$(dirname "$0")/fish-lib.bash"
need_launch

truncate -s 64M disk.img

# --- heredocs ----------------------------------------------------------------
cat > h.gf <<'GF'
run
part-disk /dev/sda mbr
part-add /dev/sda p 2048 40000
mkfs ext2 /dev/sda1
mount /dev/sda1 /
upload -<<END /h1
first line
  indented "line" with 'quotes'

END
cat /h1
echo --
upload -<<EOF /h2
END
EOF
cat /h2
echo --
-upload -<<NEVER /h3
GF
"$fish" -a disk.img -f h.gf < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
# part-add on a disk part-disk filled fails: the script stops there.
if [ $rc = 1 ] && grep -q 'h.gf:3: libguestfs: error' "$tmp/err"; then ok "script stops at its first error"
else notok "script stops at its first error"; fi

sed -i '/part-add/d' h.gf
mkdir tmpd
TMPDIR=$PWD/tmpd "$fish" -a disk.img -f h.gf < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
expect=$(printf '%s\n' 'first line' "  indented \"line\" with 'quotes'" '' '' -- END '' --)
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "upload -<<END in a -f script"
else echo "# status $rc"; notok "upload -<<END in a -f script"; fi
err_has "heredoc without its end marker" "without finding the end marker 'NEVER'"
if [ -z "$(ls tmpd)" ]; then ok "heredoc temporary files removed"
else notok "heredoc temporary files removed"; fi

# The same on standard input, then a command after the heredoc.
printf 'upload -<<X /h4\nabc\nX\ncat /h4\necho done\n' |
  "$fish" -a disk.img -m /dev/sda1 > "$tmp/out" 2> "$tmp/err"
if [ "$(cat "$tmp/out")" = "$(printf 'abc\n\ndone')" ]; then ok "heredoc on stdin"
else notok "heredoc on stdin"; fi
# On the command line, the heredoc body comes from stdin.
printf 'from stdin\nEND\n' |
  "$fish" -a disk.img -m /dev/sda1 -- upload '-<<END' /h5 : cat /h5 > "$tmp/out" 2> "$tmp/err"
if [ "$(cat "$tmp/out")" = "$(printf 'from stdin\n')" ]; then ok "heredoc with command-line commands"
else notok "heredoc with command-line commands"; fi

# --- Key arguments -----------------------------------------------------------
"$fish" -h luks-open > "$tmp/out" 2> "$tmp/err"
if grep -q '^     luks-open device mapname$' "$tmp/out" &&
   grep -q 'passphrase' "$tmp/out"; then ok "help: keys are not in the synopsis"
else notok "help: keys are not in the synopsis"; fi

cat > k.gf <<'GF'
run
part-disk /dev/sda mbr
luks-format /dev/sda1 0
luks-open /dev/sda1 lk
mkfs ext2 /dev/mapper/lk
mount /dev/mapper/lk /
write /secret "s3"
umount /
luks-close /dev/mapper/lk
echo formatted
GF
printf 'pass-one\npass-one\n' |
  "$fish" --keys-from-stdin -a disk.img -f k.gf > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = formatted ]; then ok "--keys-from-stdin"
else echo "# status $rc"; notok "--keys-from-stdin"; fi

# Without --keys-from-stdin and without a terminal: a clear error.
if command -v setsid > /dev/null; then
  setsid -w "$fish" -a disk.img run : luks-open /dev/sda1 lk < /dev/null > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 1 ] && grep -q '/dev/tty' "$tmp/err" && grep -q -- '--keys-from-stdin' "$tmp/err"
  then ok "no terminal for the key: clear error"; else notok "no terminal for the key: clear error"; fi
else skip "no setsid"; fi
# Too few keys on stdin.
printf '' | "$fish" --keys-from-stdin -a disk.img run : luks-open /dev/sda1 lk \
  > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && ok "no key on stdin fails" || notok "no key on stdin fails"
err_has "no key on stdin: message" 'no key or passphrase was given for "key"'

# At a terminal: the prompt, no echo (or echo with --echo-keys).
if command -v python3 > /dev/null; then
  printf '%s\n' run 'luks-open /dev/sda1 lk' '@wait Enter key or passphrase ("key"): ' \
    typed-secret-1 'echo opened' quit > in.txt
  python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" -a disk.img > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 0 ] && grep -aq 'Enter key or passphrase ("key"): ' "$tmp/out"; then ok "key prompt at a terminal"
  else echo "# status $rc"; notok "key prompt at a terminal"; fi
  if ! grep -aq typed-secret "$tmp/out"; then ok "key not echoed"; else notok "key not echoed"; fi
  if grep -aq 'No key available with this passphrase\|could not\|error' "$tmp/out"; then ok "wrong key: error"
  else notok "wrong key: error"; fi
  printf '%s\n' run 'luks-open /dev/sda1 lk' '@wait Enter key or passphrase ("key"): ' \
    pass-one 'echo opened' quit > in.txt
  python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" --echo-keys -a disk.img > "$tmp/out" 2> "$tmp/err"
  if grep -aq '"key"): pass-one' "$tmp/out"; then ok "--echo-keys shows the key"
  else notok "--echo-keys shows the key"; fi
else skip "no python3 for the pty helper"; skip "key not echoed"; skip "wrong key"; skip "--echo-keys"; fi

# --- --key selectors with -i -------------------------------------------------
# The disk has no operating system: with the right key, -i gets as far as
# inspection; with a wrong one, it stops at the encrypted device.
run "--key bad selector" 1 "" --key nocolon -a disk.img -i
err_has "--key bad selector: message" "invalid selector for --key: nocolon"
run "-i --key ID:key:WRONG" 1 "" --key /dev/sda1:key:wrong -a disk.img -i
err_has "-i wrong key: message" "could not open the encrypted device /dev/sda1"
run "-i --key ID:key:KEY" 1 "" --key /dev/sda1:key:pass-one --ro -a disk.img -i
err_has "-i right key: reaches inspection" "no operating system was found"
echo pass-one > key.txt
run "-i --key all:file:FILE" 1 "" --key all:file:key.txt --ro -a disk.img -i
err_has "-i key file: reaches inspection" "no operating system was found"
echo pass-one | "$fish" --keys-from-stdin --ro -a disk.img -i < /dev/stdin > "$tmp/out" 2> "$tmp/err"
err_has "-i --keys-from-stdin: reaches inspection" "no operating system was found"

# A guest with its root on LVM on LUKS (tests/data/make-guest-luks.sh,
# cached in the build directory): -i opens it with each kind of key and
# mounts /, /boot and /home; the old "guestfish -i IMAGE" form too.
data=${HATCH_BUILDDIR:-$here/../../build}/tests/data
mkdir -p "$data"
if GUESTFISH=$fish bash "$here/../data/make-guest-luks.sh" "$data/guest-luks.img" \
     > "$tmp/make.log" 2>&1; then
  g=$data/guest-luks.img
  want=$(printf '%s\n' luks-test '' true true)     # cat adds a newline
  cmds=(cat /etc/hostname : is-file /boot/vmlinuz-6.1.0-18-amd64 : is-dir /home/user)
  run "-i --key ID:key:KEY on a LUKS guest" 0 "$want" \
    --ro --format=raw --key /dev/sda2:key:hatch-luks-key -a "$g" -i "${cmds[@]}"
  echo hatch-luks-key > key2.txt
  run "-i --key all:file:FILE on a LUKS guest" 0 "$want" \
    --ro --format=raw --key all:file:key2.txt -a "$g" -i "${cmds[@]}"
  uuid=$("$fish" --ro -a "$g" run : luks-uuid /dev/sda2 < /dev/null 2> /dev/null)
  run "-i --key UUID:key:KEY" 0 "$want" \
    --ro --format=raw --key "$uuid:key:hatch-luks-key" -a "$g" -i "${cmds[@]}"
  echo hatch-luks-key | "$fish" --ro --keys-from-stdin --format=raw -a "$g" -i \
    "${cmds[@]}" > "$tmp/out" 2> "$tmp/err"
  if [ "$(cat "$tmp/out")" = "$want" ]; then ok "-i --keys-from-stdin on a LUKS guest"
  else notok "-i --keys-from-stdin on a LUKS guest"; fi
  # Standard input: first the key, then the script.
  "$fish" --ro --keys-from-stdin -i "$g" > "$tmp/out" 2> "$tmp/err" \
    <<< "$(printf 'hatch-luks-key\ncat /etc/hostname\n')"
  if [ "$(cat "$tmp/out")" = luks-test ]; then ok "old form: guestfish -i IMAGE"
  else notok "old form: guestfish -i IMAGE"; fi
  run "-i with a wrong key on a LUKS guest" 1 "" \
    --ro --format=raw --key all:key:nope -a "$g" -i echo x
else
  notok "build the LUKS guest"; sed 's/^/# /' "$tmp/make.log" | tail -20
fi

# --- -m DEV:MNT:OPTS:FSTYPE uses mount-vfs ------------------------------------
"$fish" -a disk.img run : part-disk /dev/sda mbr : mkfs ext4 /dev/sda1 : \
  mount /dev/sda1 / : write /f ext4 < /dev/null > /dev/null 2>&1
run "-m with fstype" 0 "ext4" -a disk.img -m /dev/sda1:/:ro:ext4 cat /f
run "-m with fstype: mounted read-only" 1 "" -a disk.img -m /dev/sda1:/:ro:ext4 touch /g
run "-m with a wrong fstype" 1 "" -a disk.img -m /dev/sda1:/::vfat cat /f

finish
