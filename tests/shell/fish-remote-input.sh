#!/bin/bash
# guestfish --remote with commands that need the client's own input: a
# "-<<END" document (in commands on stdin and on the command line), "-" as
# the client's stdin and stdout, Key arguments read by the client (with
# --keys-from-stdin, and at its terminal) and sent to the server; local
# file names relative to the server's working directory (as in
# libguestfs: the server opens them; "lcd" moves it); the client's exit
# status is the command's; at a terminal the client prompts; --listen -i
# asks for the key of an encrypted guest before the server detaches, and
# the server and its appliance outlive that terminal.  Two processes each
# time: a --listen server started in one directory, clients run from
# another.  Three launches.
. "$(dirname "$0")/fish-lib.bash"
need_launch

mkdir srv cli
truncate -s 48M srv/r.img
echo server-side > srv/rel.txt
echo client-side > cli/rel.txt
cd srv
eval "$("$fish" --listen --format=raw -a r.img < /dev/null 2> "$tmp/err")"
cd ../cli
if [ -n "${GUESTFISH_PID:-}" ] && kill -0 "$GUESTFISH_PID" 2>/dev/null; then ok "server started"
else notok "server started"; finish; fi
cleanup_hooks+=("kill $GUESTFISH_PID 2>/dev/null")

run "setup" 0 "" --remote -- run : part-init /dev/sda mbr : part-add /dev/sda p 2048 40959 : \
  part-add /dev/sda p 40960 -2048 : mkfs ext2 /dev/sda1 : mount /dev/sda1 /

# --- heredocs ----------------------------------------------------------------
script "heredoc in commands on stdin, then more commands" 0 \
  "$(printf '%s\n' 'line one' "  'two' \"2\"" '' after)" \
  "$(printf '%s\n' 'upload -<<END /h1' 'line one' "  'two' \"2\"" END 'cat /h1' 'echo after')" --remote
printf '%s\n' 'body from stdin' END 'not read' |
  "$fish" --remote -- upload '-<<END' /h2 : cat /h2 > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "body from stdin" ]; then ok "heredoc with command-line commands"
else echo "# status $rc"; notok "heredoc with command-line commands"; fi
script "heredoc without its end marker: error at the client" 0 "" \
  "$(printf '%s\n' '-upload -<<NEVER /h3' 'x')" --remote
err_has "heredoc without its end marker: message" "the end marker 'NEVER'"
run "echo -<<X is not a heredoc (not a FileIn)" 0 "-<<X" --remote -- echo '-<<X'
run "server still up" 0 "still here" --remote echo still here
# (the line above also proves the failed heredoc did not stop the server:
# its command had the '-' prefix)

# --- "-": the client's stdin and stdout ---------------------------------------
printf 'piped\n' | "$fish" --remote upload - /s1 > "$tmp/out" 2> "$tmp/err"
run "upload - reads the client's stdin" 0 "piped" --remote cat /s1
"$fish" --remote download /h1 - < /dev/null 2> "$tmp/err" | tr a-z A-Z > "$tmp/out"
if [ "$(head -1 "$tmp/out")" = "LINE ONE" ]; then ok "download - writes to the client's stdout"
else notok "download - writes to the client's stdout"; fi

# --- relative local file names: the server's working directory -------------
run "upload rel.txt: the server's file" 0 "server-side" --remote upload rel.txt /r1 : cat /r1
run "download to a relative name" 0 "" --remote download /r1 back.txt
if [ -f ../srv/back.txt ] && [ ! -e back.txt ]; then ok "download lands in the server's directory"
else notok "download lands in the server's directory"; fi
run "absolute names work from anywhere" 0 "client-side" --remote upload "$PWD/rel.txt" /r2 : cat /r2
run "lcd moves the server's directory" 0 "client-side" --remote lcd "$PWD" : upload rel.txt /r3 : cat /r3

# --- keys ---------------------------------------------------------------------
printf 'pass-one\npass-one\n' |
  "$fish" --remote --keys-from-stdin luks-format /dev/sda2 0 : luks-open /dev/sda2 lk : \
    mkfs ext2 /dev/mapper/lk : list-dm-devices > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = /dev/mapper/lk ]; then ok "keys from the client's stdin"
else echo "# status $rc"; notok "keys from the client's stdin"; fi
run "luks-close" 0 "" --remote luks-close /dev/mapper/lk
script "keys and commands on the client's stdin, in order" 0 "/dev/mapper/lk" \
  "$(printf '%s\n' 'luks-open /dev/sda2 lk' pass-one list-dm-devices 'luks-close /dev/mapper/lk')" \
  --remote --keys-from-stdin
printf '' | "$fish" --remote --keys-from-stdin -- -luks-open /dev/sda2 lk > "$tmp/out" 2> "$tmp/err"
err_has "no key on the client's stdin: message" 'no key or passphrase was given for "key"'
printf 'wrong\n' | "$fish" --remote --keys-from-stdin -- -luks-open /dev/sda2 lk > "$tmp/out" 2> "$tmp/err"
err_has "wrong key: the server's error at the client" "luks_open.*/dev/sda2"
if command -v python3 > /dev/null; then
  printf '%s\n' '@wait Enter key or passphrase ("key"): ' pass-one > in.txt
  python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" --remote luks-open /dev/sda2 lk \
    > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 0 ] && grep -aq 'Enter key or passphrase ("key"): ' "$tmp/out" &&
     ! grep -aq pass-one "$tmp/out"; then ok "key prompt at the client's terminal, no echo"
  else echo "# status $rc"; notok "key prompt at the client's terminal, no echo"; fi
  run "the key reached the server" 0 "/dev/mapper/lk" --remote list-dm-devices
  "$fish" --remote luks-close /dev/mapper/lk < /dev/null
else skip "no python3 for the pty helper"; skip "the key reached the server"; fi
if command -v setsid > /dev/null; then
  setsid -w "$fish" --remote -- -luks-open /dev/sda2 lk < /dev/null > "$tmp/out" 2> "$tmp/err"
  err_has "no terminal at the client: clear error" "/dev/tty.*--keys-from-stdin"
else skip "no setsid"; fi

# --- at a terminal: the client prompts -----------------------------------------
if command -v python3 > /dev/null; then
  pid2=$(GUESTFISH_PID= "$fish" --listen < /dev/null | sed -n 's/^GUESTFISH_PID=\([0-9]*\);.*/\1/p')
  printf '%s\n' '@wait ><fs> ' 'echo hello remote' '@wait ><fs> ' exit > in.txt
  python3 "$here/fish-pty-helper.py" 60 in.txt "$fish" --remote="$pid2" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 0 ] && [ "$(grep -ac '><fs> ' "$tmp/out")" = 2 ] && grep -a 'hello remote' "$tmp/out" | grep -avq 'echo hello' 
  then ok "--remote at a terminal: prompt, output, exit"
  else echo "# status $rc"; notok "--remote at a terminal: prompt, output, exit"; fi
  kill "$pid2" 2>/dev/null
else skip "no python3 for the pty helper"; fi

# --- --listen -i on an encrypted guest: the key is asked for before the
# server detaches (at the terminal, or from stdin) ---------------------------
data=${HATCH_BUILDDIR:-$here/../../build}/tests/data
mkdir -p "$data"
if GUESTFISH=$fish bash "$here/../data/make-guest-luks.sh" "$data/guest-luks.img" \
     > "$tmp/make.log" 2>&1; then
  g=$data/guest-luks.img
  pid3=$(echo hatch-luks-key | GUESTFISH_PID= "$fish" --listen --keys-from-stdin --ro \
           --format=raw -a "$g" -i 2> "$tmp/err" | sed -n 's/^GUESTFISH_PID=\([0-9]*\);.*/\1/p')
  run "--listen -i --keys-from-stdin" 0 "luks-test" --remote="$pid3" cat /etc/hostname
  "$fish" --remote="$pid3" exit < /dev/null
  if command -v python3 > /dev/null; then
    printf '%s\n' '@wait passphrase' hatch-luks-key '@wait GUESTFISH_PID' > in.txt
    python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" --listen --ro --format=raw \
      -a "$g" -i > "$tmp/out" 2> "$tmp/err"
    pid3=$(sed -n 's/.*GUESTFISH_PID=\([0-9]*\);.*/\1/p' "$tmp/out")
    if grep -aq 'Enter key or passphrase' "$tmp/out" && ! grep -aq hatch-luks-key "$tmp/out"
    then ok "--listen -i: key prompt at the terminal, no echo"
    else notok "--listen -i: key prompt at the terminal, no echo"; fi
    # The terminal is gone now: the server and its appliance live on.
    run "--listen -i: server outlives its terminal" 0 "luks-test" \
      --remote="${pid3:-0}" cat /etc/hostname
    [ -n "$pid3" ] && "$fish" --remote="$pid3" exit < /dev/null
  else skip "no python3 for the pty helper"; skip "no python3"; fi
else
  notok "build the LUKS guest"; sed 's/^/# /' "$tmp/make.log" | tail -20
fi

# --- exit status -------------------------------------------------------------
run "a failed command with '-': status 0" 0 "" --remote -- -cat /nosuch
run "usage error: status 1" 1 "" --remote cat
err_has "usage error: message at the client" "cat"
for i in $(seq 30); do kill -0 "$GUESTFISH_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$GUESTFISH_PID" 2>/dev/null; then notok "the error ended the server"
else ok "the error ended the server"; fi
run "client of an ended server: status 1" 1 "" --remote echo x

finish
