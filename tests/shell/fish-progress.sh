#!/bin/bash
# Progress bars: drawn at an interactive terminal (a pseudo-terminal made
# by fish-pty-helper.py), only once a command has run for about 2 s (as
# the real tool), never when output is not a terminal unless
# --progress-bars is given, never with --no-progress-bars.
# The slow command is zero-device on a 1 GiB sparse disk: it only reads
# (the disk is all zeroes), so the file stays empty on the host.
. "$(dirname "$0")/fish-lib.bash"
need_launch
command -v python3 > /dev/null || { echo "1..0 # SKIP no python3 for the pty helper"; exit 77; }

head -c 4M /dev/urandom > small.bin
truncate -s 64M d.img
truncate -s 1G z.img
"$fish" -a d.img run : part-disk /dev/sda mbr : mkfs ext2 /dev/sda1 < /dev/null \
  > /dev/null 2>&1 && ok "prepare" || notok "prepare"

# Interactive, at a terminal: a quick upload draws nothing, a slow
# command draws a bar that ends at 100%.
printf '%s\n' run 'mount /dev/sda1 /' 'upload small.bin /small' 'echo quick-done' \
  '@wait quick-done' 'zero-device /dev/sdb' 'echo done' quit > in.txt
python3 "$here/fish-pty-helper.py" 180 in.txt "$fish" -a d.img -a z.img > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && ok "interactive session" || notok "interactive session (status $rc)"
if grep -aq '100% \[#*\]' "$tmp/out"; then ok "bar reaches 100%"; else notok "bar reaches 100%"; fi
if grep -aq '[-/|\\]  *[0-9]*% \[#*-*\] ..:..' "$tmp/out"; then ok "bar with spinner and time"
else notok "bar with spinner and time"; fi
if sed -n '/upload small.bin/,/quick-done/p' "$tmp/out" | grep -aq '% \['; then
  notok "no bar for a quick command"; else ok "no bar for a quick command"; fi
if grep -aq 'done' "$tmp/out" && tr '\r' '\n' < "$tmp/out" | grep -aq '^ *100% \[#*\] *$'
then ok "finished bar on its own line"; else notok "finished bar on its own line"; fi

printf '%s\n' run 'zero-device /dev/sdb' quit > in.txt
python3 "$here/fish-pty-helper.py" 180 in.txt "$fish" --no-progress-bars -a d.img -a z.img > "$tmp/out" 2> "$tmp/err"
if ! grep -aq '% \[' "$tmp/out"; then ok "--no-progress-bars"; else notok "--no-progress-bars"; fi

# Not a terminal: no bars unless asked.
run "no bars in a pipe" 0 "" -a z.img run : zero-device /dev/sda
"$fish" --progress-bars -a z.img run : zero-device /dev/sda : echo end \
  < /dev/null > "$tmp/out" 2> "$tmp/err"
if grep -aq '100% \[#*\]' "$tmp/out" && [ "$(tail -1 "$tmp/out")" = end ]
then ok "--progress-bars when not a terminal"; else notok "--progress-bars when not a terminal"; fi
"$fish" --progress-bars -a d.img -m /dev/sda1 upload small.bin /small : echo end \
  < /dev/null > "$tmp/out" 2> "$tmp/err"
if [ "$(cat "$tmp/out")" = end ]; then ok "--progress-bars: none for a quick command"
else notok "--progress-bars: none for a quick command"; fi

finish
