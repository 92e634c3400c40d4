#!/bin/bash
# guestfish built-ins that need a running appliance, in one launch:
# copy-in/copy-out, glob (paths through glob-expand, braces, /dev names,
# no match), supported, edit,
# more/less, display, -m DEV:MNT:OPTS, time, '<!' with API commands.
. "$(dirname "$0")/fish-lib.bash"
need_launch

mkdir -p src/sub out
echo hello > src/a.txt
echo world > src/sub/b.txt
truncate -s 64M disk.img
"$fish" -a disk.img run : part-disk /dev/sda mbr : mkfs ext2 /dev/sda1 \
  < /dev/null > "$tmp/out" 2> "$tmp/err" && ok "prepare disk" || notok "prepare disk"

cat > s.gf <<'GF'
mkdir /d
touch /d/f1
touch /d/f2
touch /d/g1
mkdir /d/dd
echo -- glob
glob echo /d/f*
glob echo /d/*
glob echo /d/[fg]1 x*
glob echo /dev/sd*
glob echo /d/{g1,f2}
glob echo /dev/sd[a-z]1
-glob ls /nomatch*
echo -- copy
copy-in src /d
ls /d/src
cat /d/src/sub/b.txt
copy-out /d/src out
copy-out /d/f1 out
-copy-in nosuch /d
-copy-out /nosuch out
-copy-in src /d/f1
echo -- edit
write /e.txt "abc\n"
edit /e.txt
cat /e.txt
more /e.txt
less /e.txt
display /e.txt
echo -- inline
<! for i in 1 2 3; do echo "write /n.$i $i"; done
glob cat /n.*
echo -- supported
supported | grep -c ' yes$\| no$'
available-all-groups | wc -l
echo -- time
time echo x
GF
EDITOR="sed -i s/b/B/" PAGER=cat GUESTFISH_DISPLAY_IMAGE=cat \
  "$fish" -a disk.img -m /dev/sda1:/:noatime -f s.gf < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/err" | head -20
[ $rc = 0 ] && ok "script ran" || notok "script ran (status $rc)"

section () { sed -n "/^-- $1\$/,/^-- /p" "$tmp/out" | sed '1d;/^-- /d'; }
check () {
  if [ "$(section "$1")" = "$2" ]; then ok "$1"
  else notok "$1"; echo "# got:"; section "$1" | sed 's/^/#   /'; fi
}
check glob "$(printf '%s\n' /d/f1 /d/f2 /d/dd/ /d/f1 /d/f2 /d/g1 '/d/f1 x*' '/d/g1 x*' /dev/sda /dev/sda1 /d/g1 /d/f2 /dev/sda1)"
check copy "$(printf 'a.txt\nsub\nworld')"
if [ "$(cat out/src/a.txt)" = hello ] && [ "$(cat out/src/sub/b.txt)" = world ] &&
   [ -f out/f1 ]; then ok "copy-out files"; else notok "copy-out files"; fi
err_has "copy-in missing source" "source ‘nosuch’ does not exist (or cannot be read)"
err_has "copy-out missing source" "‘/nosuch’ is not a file or directory"
err_has "copy-in target not a directory" "target ‘/d/f1’ is not a directory"
err_has "errors carry the script location" "^s.gf:[0-9]*: libguestfs: error: source"
check edit "$(printf 'aBc\n\naBc\naBc\naBc')"
check inline "$(printf '1\n2\n3')"
if [ "$(section supported | sort -u | wc -l)" = 1 ] && [ "$(section supported | head -1)" -gt 30 ]
then ok "supported: one line per group"; else notok "supported: one line per group"; fi
if section time | grep -q '^elapsed time: [0-9]*\.[0-9][0-9] seconds$'; then ok "time"
else notok "time"; fi

# hexedit: with HEXEDITOR doing an in-place edit when the build has the
# offset commands, else a clear error.
HEXEDITOR="sed -i s/B/X/" "$fish" -a disk.img -m /dev/sda1 hexedit /e.txt : cat /e.txt \
  < /dev/null > "$tmp/out" 2> "$tmp/err"
if grep -q 'download.offset' "$tmp/err"; then ok "hexedit: clear error without offset commands"
elif [ "$(cat "$tmp/out")" = aXc ]; then ok "hexedit"
else notok "hexedit"; fi

# -m with the read-only default and mount options
echo 'read_only = true;' > "$HOME/.libguestfs-tools.rc"
run "config read-only: writes fail" 1 "" -a disk.img -m /dev/sda1 touch /nope
rm "$HOME/.libguestfs-tools.rc"
run "--ro -m mounts read-only" 1 "" --ro -a disk.img -m /dev/sda1 touch /nope
run "-m DEV:MNT" 0 "world" -a disk.img -m /dev/sda1:/ cat /d/src/sub/b.txt
"$fish" -a disk.img -m /dev/sda1:/:ro:ext2 cat /d/src/sub/b.txt < /dev/null > "$tmp/out" 2> "$tmp/err"
if grep -q 'needs the mount-vfs command' "$tmp/err"; then
  ok "-m DEV:MNT:OPTS:FSTYPE: clear error without mount-vfs"
elif [ "$(cat "$tmp/out")" = world ]; then ok "-m DEV:MNT:OPTS:FSTYPE"
else notok "-m DEV:MNT:OPTS:FSTYPE"; fi
run "-m bad device" 1 "" -a disk.img -m /dev/sdz9 echo x

# After reopen the appliance gets the default memsize the handle answers.
script "reopen: default memsize" 0 "$(printf '700\n1280')" 'set-memsize 700
get-memsize
reopen
get-memsize
set-verbose true
add-ro disk.img
run'
# qemu's -m: the memsize, or (a restore) BASE,maxmem=MEMSIZE.
m=$(grep -A1 -e '-m \\$' "$tmp/err" | sed -n 2p | tr -d " '\\")
case $m in *maxmem=*) m=${m##*maxmem=} ;; esac
if [ "$(printf '%s' "$m" | tr -dc '0-9')" = 1280 ]
then ok "reopen: the appliance gets 1280 MB"
else grep -A1 -e '-m \\$' "$tmp/err" | sed 's/^/# /'; notok "reopen: the appliance gets 1280 MB"; fi

finish
