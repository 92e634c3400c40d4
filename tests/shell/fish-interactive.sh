#!/bin/bash
# guestfish at a terminal (a pseudo-terminal made by fish-pty-helper.py):
# GUESTFISH_PS1 escapes, GUESTFISH_INIT/OUTPUT/RESTORE, history in
# ~/.guestfish, tab completion of command names, guest paths (not with
# --no-dest-paths) and device names, and errors not ending the session.
. "$(dirname "$0")/fish-lib.bash"
need_launch
command -v python3 > /dev/null || { echo "1..0 # SKIP no python3 for the pty helper"; exit 77; }

truncate -s 64M d.img
truncate -s 16M e.img
"$fish" -a d.img run : part-disk /dev/sda mbr : mkfs ext2 /dev/sda1 : \
  mount /dev/sda1 / : touch /uniquefile-xyz : mkdir /dir-one \
  < /dev/null > /dev/null 2>&1 && ok "prepare" || notok "prepare"

pty () { python3 "$here/fish-pty-helper.py" 150 in.txt "$fish" "$@" > "$tmp/out" 2> "$tmp/err"; }
# The terminal output without carriage returns and readline's
# bracketed-paste switches.
plain () { tr -d '\r' < "$tmp/out" | sed 's/\x1b\[?2004[hl]//g'; }

# Prompt strings and escapes: \[ \] vanish, \e \a \\ \NNN \xNN decode.
printf '%s\n' 'echo one' 'nosuchcommand' 'echo two' quit > in.txt
GUESTFISH_PS1='\[\e[1;32m\]P\\S\101\x42> \[\e[0m\]' GUESTFISH_INIT='<init>' \
GUESTFISH_OUTPUT='<out>' GUESTFISH_RESTORE='<restore>\a' pty
rc=$?
[ $rc = 0 ] && ok "session ends with status 0 after an error" || notok "session status ($rc)"
if grep -aq $'\e\[1;32mP\\\\SAB> \e\[0m' "$tmp/out"; then ok "GUESTFISH_PS1 escapes"
else notok "GUESTFISH_PS1 escapes"; fi
if [ "$(plain | grep -a -A1 '^<init>' | sed -n 2p)" = "Welcome to guestfish, the shell for looking inside and changing" ]
then ok "GUESTFISH_INIT before the welcome text"; else notok "GUESTFISH_INIT"; fi
if grep -aq '<out>one' "$tmp/out" && grep -aq '<out>two' "$tmp/out"; then ok "GUESTFISH_OUTPUT before output"
else notok "GUESTFISH_OUTPUT"; fi
if grep -aq $'<restore>\a' "$tmp/out"; then ok "GUESTFISH_RESTORE at exit"; else notok "GUESTFISH_RESTORE"; fi
if grep -aq 'nosuchcommand: unknown command' "$tmp/out"; then ok "unknown command reported"
else notok "unknown command reported"; fi
if [ -f "$HOME/.guestfish" ] && grep -q '^echo one$' "$HOME/.guestfish" &&
   grep -q '^nosuchcommand$' "$HOME/.guestfish"; then ok "history in ~/.guestfish"
else notok "history in ~/.guestfish"; fi

# The history is read back: up-arrow (ESC [ A) recalls the last line.
printf 'echo recalled\n\e[A\nquit\n' > in.txt
pty
if [ "$(plain | grep -ac '^recalled$')" = 2 ]; then ok "history recalled with up-arrow"
else notok "history recalled with up-arrow"; fi

# Completion: commands (either spelling), guest paths, devices.
printf '%s\n' run 'mount /dev/sda1 /' $'blockdev-getsize6\t /dev/sdb' \
  $'blockdev_getss\t /dev/sdb' $'is-file /uniq\t' $'is-dir /dir-o\t' \
  $'blockdev-getsize64 /dev/sd\tb' quit > in.txt
pty -a d.img -a e.img
out=$(plain)
if grep -aq '^16777216$' <<< "$out" && grep -aq 'blockdev-getsize64  /dev/sdb' <<< "$out"
then ok "command name completed"; else notok "command name completed"; fi
if grep -aq '^512$' <<< "$out" && grep -aq 'blockdev_getss  /dev/sdb' <<< "$out"; then ok "underscore spelling completed"
else notok "underscore spelling completed"; fi
if grep -aq 'is-file /uniquefile-xyz' <<< "$out" && grep -aq '^true$' <<< "$out"
then ok "guest path completed"; else notok "guest path completed"; fi
if grep -aq 'is-dir /dir-one/' <<< "$out"; then ok "directory completed with a slash"
else notok "directory completed with a slash"; fi
if [ "$(grep -ac '^16777216$' <<< "$out")" = 2 ]; then ok "device name completed"
else notok "device name completed"; fi

printf '%s\n' run 'mount /dev/sda1 /' $'is-file /uniq\t' quit > in.txt
pty --no-dest-paths -a d.img
if ! tr -d '\r' < "$tmp/out" | grep -aq 'uniquefile-xyz'; then ok "--no-dest-paths"
else notok "--no-dest-paths"; fi

finish
