#!/bin/bash
# Run one fixed script with our guestfish and with the real one (Debian's
# libguestfs-tools) and compare standard output and exit status.  Skips
# when the real guestfish is not installed.  Like the rest of bench/, this
# is the only place the installed libguestfs is run; it is not part of
# `make check`.  Run by hand:
#   HATCH_BUILDDIR=$PWD/build GUESTFISH=$PWD/build/fish/guestfish bench/compare-guestfish.sh
. "$(dirname "$0")/../tests/shell/fish-lib.bash"
need_launch
real=${REAL_GUESTFISH:-/usr/bin/guestfish}
if [ ! -x "$real" ] || "$real" --version 2>/dev/null | grep -qv '^guestfish 1\.'; then
  echo "1..0 # SKIP the real guestfish is not installed"; exit 77
fi

cat > s.gf <<'GF'
# comments, quoting, numbers, ~, <!, events, glob, copy-in/out
event ev1 close "true"
event ev2 progress "true"
list-events
delete-event ev1
list-events
-delete-event nosuch
echo "a  b" 'c\d' ~/x "~"
<! printf 'echo %s\n' one two
set-memsize 1K
get-memsize
set-memsize 0x500
get-memsize
-set-memsize 12b
run
part-disk /dev/sda mbr
mkfs ext2 /dev/sda1
mount /dev/sda1 /
mkdir /d
touch /d/f1
touch /d/f2
mkdir /d/dd
glob echo /d/*
glob echo /d/f* /d/f*
glob echo /dev/sd*
copy-in src /d
ls /d/src
copy-out /d/src out
-copy-out /nosuch out
write /w "x\ty\n"
cat /w
chmod 0x1ed /w
lstatns /w | grep st_mode
list-devices | tail -1
-cat /nosuch
echo end
GF
mkdir -p src/sub
echo a > src/a
echo b > src/sub/b
for who in ours real; do
  rm -rf out; mkdir out
  truncate -s 32M "$who.img"
  prog=$fish; [ $who = real ] && prog=$real
  LIBGUESTFS_BACKEND_SETTINGS=force_tcg "$prog" -a "$who.img" -f s.gf \
    < /dev/null > "$tmp/$who.out" 2> "$tmp/$who.err"
  echo "status $?" >> "$tmp/$who.out"
  (cd out && find . | sort) > "$tmp/$who.tree"
done
cp "$tmp/ours.out" "$tmp/out"; cp "$tmp/ours.err" "$tmp/err"
if diff -u "$tmp/real.out" "$tmp/ours.out" > "$tmp/diff"; then ok "same output and status as the real guestfish"
else notok "same output and status as the real guestfish"; sed 's/^/# /' "$tmp/diff"; fi
if diff -u "$tmp/real.tree" "$tmp/ours.tree" > "$tmp/diff"; then ok "copy-out made the same tree"
else notok "copy-out made the same tree"; sed 's/^/# /' "$tmp/diff"; fi
# Error lines: the same script locations for the same failures.
cut -d: -f1-2 "$tmp/real.err" | grep '^s.gf:' > "$tmp/real.loc"
cut -d: -f1-2 "$tmp/ours.err" | grep '^s.gf:' > "$tmp/ours.loc"
if diff -u "$tmp/real.loc" "$tmp/ours.loc" > "$tmp/diff"; then ok "errors at the same lines"
else notok "errors at the same lines"; sed 's/^/# /' "$tmp/diff"; fi
finish
