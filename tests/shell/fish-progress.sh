#!/bin/bash
# Progress bars: drawn at an interactive terminal (a pseudo-terminal made
# by fish-pty-helper.py), never when output is not a terminal unless
# --progress-bars is given, never with --no-progress-bars.
. "$(dirname "$0")/fish-lib.bash"
need_launch
command -v python3 > /dev/null || { echo "1..0 # SKIP no python3 for the pty helper"; exit 77; }

head -c 48M /dev/urandom > big.bin
truncate -s 128M d.img
"$fish" -a d.img run : part-disk /dev/sda mbr : mkfs ext2 /dev/sda1 < /dev/null \
  > /dev/null 2>&1 && ok "prepare" || notok "prepare"

# Interactive, at a terminal.
printf 'run\nmount /dev/sda1 /\nupload big.bin /big\necho done\nquit\n' > in.txt
python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" -a d.img > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && ok "interactive session" || notok "interactive session (status $rc)"
if grep -aq '100% \[#*\]' "$tmp/out"; then ok "bar reaches 100%"; else notok "bar reaches 100%"; fi
if grep -aq '[-/|\\]  *[0-9]*% \[#*-*\] ..:..' "$tmp/out"; then ok "bar with spinner and time"
else notok "bar with spinner and time"; fi

printf 'run\nmount /dev/sda1 /\nupload big.bin /big\nquit\n' > in.txt
python3 "$here/fish-pty-helper.py" 120 in.txt "$fish" --no-progress-bars -a d.img > "$tmp/out" 2> "$tmp/err"
if ! grep -aq '% \[' "$tmp/out"; then ok "--no-progress-bars"; else notok "--no-progress-bars"; fi

# Not a terminal: no bars unless asked.
run "no bars in a pipe" 0 "" -a d.img -m /dev/sda1 upload big.bin /big
"$fish" --progress-bars -a d.img -m /dev/sda1 upload big.bin /big : echo end \
  < /dev/null > "$tmp/out" 2> "$tmp/err"
if grep -aq '100% \[#*\]' "$tmp/out" && [ "$(tail -1 "$tmp/out")" = end ]
then ok "--progress-bars when not a terminal"; else notok "--progress-bars when not a terminal"; fi

finish
