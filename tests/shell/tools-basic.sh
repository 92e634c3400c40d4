#!/bin/bash
# virt-cat, virt-ls, virt-filesystems, virt-df, virt-edit, virt-copy-in/out,
# virt-tar-in/out on the small LVM test guest of tools-lib.bash: outputs
# (compared with Debian's tools by hand), exit status, bad input.  TAP.
source "$(dirname "$0")/tools-lib.bash"
for p in virt-cat virt-ls virt-filesystems virt-df virt-edit virt-copy-in \
         virt-copy-out virt-tar-in virt-tar-out; do
  [ -x "$tools/$p" ] || { echo "1..0 # SKIP $p not built"; exit 77; }
done
make_tools_image || { echo "Bail out! could not build the test image"; exit 1; }
img=$tools_image
export TZ=UTC

# No appliance needed.
t "--long-options" 0 "$(printf -- '--add\n--blocksize\n--connect\n--domain\n--echo-keys\n--format\n--help\n--key\n--keys-from-stdin\n--mount\n--verbose\n--version')" virt-cat --long-options
t "--short-options" 0 "$(printf -- '-a\n-c\n-d\n-m\n-v\n-V\n-x')" virt-cat --short-options
st "unknown option" 1 virt-ls --no-such-option
st "no -a" 1 virt-cat /etc/hostname
err_has "no -a message" "you must specify at least one -a or -d option"
st "bad --key" 1 virt-cat --key foo -a "$img" /x
err_has "bad --key message" "invalid selector for --key: foo"
st "--csv without -lR" 1 virt-ls -a "$img" --csv /
err_has "--csv message" "can only be combined with -lR"
st "-h with --csv" 1 virt-df -a "$img" -h --csv
st "missing disk" 1 virt-cat -a /nonexistent.img /etc/hostname

# One launch each.
t "virt-cat -i" 0 "hello world
tools-test" virt-cat --format=raw -a "$img" /data/hello.txt /etc/hostname
t "virt-cat -m" 0 "set timeout=5" virt-cat --format=raw -a "$img" -m /dev/sda1 /grub.cfg
st "virt-cat missing file" 1 virt-cat --format=raw -a "$img" /data/nope
st "wrong format" 1 virt-cat --format=qcow2 -a "$img" /etc/hostname
t "virt-ls" 0 "hello.txt
lines.txt
link
sub" virt-ls --format=raw -a "$img" /data
# -lR as CSV, without the atime and ctime columns (they change).
"$tools/virt-ls" --format=raw -a "$img" -lR --csv --uids --time-t --checksum /data \
  < /dev/null 2> "$tmp/err" | cut -d, -f1-5,7,9- > "$tmp/out"
if [ "$(cat "$tmp/out")" = "d,0755,1024,1000,1000,1600000000,,/data
-,0644,12,1000,1000,1600000000,6f5902ac237024bdd0c176cb93063dc4,/data/hello.txt
-,0644,14,1000,1000,1600000000,deed54b823522e0525693b090363f9df,/data/lines.txt
l,0777,9,1000,1000,1600000000,,/data/link,hello.txt
d,0755,1024,1000,1000,1600000000,,/data/sub
-,0600,0,1000,1000,1600000000,d41d8cd98f00b204e9800998ecf8427e,/data/sub/empty" ]
then ok "virt-ls -lR --csv"; else notok "virt-ls -lR --csv"; fi
t "virt-ls -lR -h" 0 "d 0755       1.0K /data/sub
- 0600          0 /data/sub/empty" virt-ls --format=raw -a "$img" -lR -h /data/sub
t "virt-ls -R" 0 "/hello.txt
/lines.txt
/link
/sub
/sub/empty" virt-ls --format=raw -a "$img" -R /data

t "virt-filesystems" 0 "/dev/sda1
/dev/tvg/root" virt-filesystems --format=raw -a "$img"
t "virt-filesystems --all --long" 0 "Name           Type        VFS   Label  MBR  Size      Parent
/dev/sda1      filesystem  ext2  BOOT   -    15590400  -
/dev/tvg/root  filesystem  ext4  ROOT   -    26464256  -
/dev/tvg/root  lv          -     -      -    33554432  /dev/tvg
/dev/tvg       vg          -     -      -    46137344  /dev/sda2
/dev/sda2      pv          -     -      -    46137344  -
/dev/sda1      partition   -     -      83   16777216  /dev/sda
/dev/sda2      partition   -     -      83   48235008  /dev/sda
/dev/sda       device      -     -      -    67108864  -" virt-filesystems --format=raw -a "$img" --all --long
t "virt-filesystems --parts --csv -l" 0 "Name,Type,MBR,Size,Parent
/dev/sda1,partition,83,16777216,/dev/sda
/dev/sda2,partition,83,48235008,/dev/sda" virt-filesystems --format=raw -a "$img" --parts --csv -l
# As libguestfs's: --long always has the Parent column ("-" for none).
t "virt-filesystems --long" 0 "Name           Type        VFS   Label  Size      Parent
/dev/sda1      filesystem  ext2  BOOT   15590400  -
/dev/tvg/root  filesystem  ext4  ROOT   26464256  -" virt-filesystems --format=raw -a "$img" --long
t "virt-filesystems --blkdevs --long" 0 "Name      Type    Size      Parent
/dev/sda  device  67108864  -" virt-filesystems --format=raw -a "$img" --blkdevs --long

cp "$img" "$tmp/g.img"
t "virt-df" 0 "Filesystem                           1K-blocks       Used  Available  Use%
g.img:/dev/sda1                          15225         15      14391    1%
g.img:/dev/tvg/root                      25844         65      23486    1%" virt-df --format=raw -a "$tmp/g.img"
t "virt-df -i --csv" 0 "VirtualMachine,Filesystem,Inodes,IUsed,IFree,IUse%
g.img,/dev/sda1,4096,12,4084,0.3
g.img,/dev/tvg/root,8192,32,8160,0.4" virt-df --format=raw -a "$tmp/g.img" -i --csv

# Use% is the share of blocks not free (libguestfs's virt-df), not df's
# used / (used + available): a file that fills ~4.9 % of the ext2
# filesystem's blocks, whose 5 % reserve makes the two differ (5 % vs 6 %).
cp "$img" "$tmp/df.img"
"$fish" --format=raw -a "$tmp/df.img" -m /dev/sda1 <<'GF' > "$tmp/sv" 2>&1
fallocate64 /fill 738000
statvfs /
GF
blocks=$(awk '$1 == "blocks:" {print $2}' "$tmp/sv")
bfree=$(awk '$1 == "bfree:" {print $2}' "$tmp/sv")
bavail=$(awk '$1 == "bavail:" {print $2}' "$tmp/sv")
used=$((blocks - bfree))
want=$(( (100 * used + blocks - 1) / blocks ))
dfwant=$(( (100 * used + used + bavail - 1) / (used + bavail) ))
got=$("$tools/virt-df" --format=raw -a "$tmp/df.img" 2>/dev/null | awk '$1 == "df.img:/dev/sda1" {print $5}')
if [ -n "$blocks" ] && [ "$want" != "$dfwant" ] && [ "$got" = "$want%" ]; then
  ok "virt-df Use% is the share of blocks not free ($got)"
else
  notok "virt-df Use% is the share of blocks not free"
  echo "# blocks=$blocks bfree=$bfree bavail=$bavail: want $want% (df would say $dfwant%), got $got"
fi

# Writing tools, on a copy.
t "virt-edit -e" 0 "" virt-edit --format=raw -a "$tmp/g.img" -b .orig /data/lines.txt \
  -e 's/two/TWO/; $_ = "" if /three/; $_ = "$lineno:$_" if length'
st "virt-edit -e die" 1 virt-edit --format=raw -a "$tmp/g.img" /data/hello.txt -e 'die "no\n"'
mkdir -p "$tmp/in/dir" "$tmp/outdir"
echo local > "$tmp/in/dir/file"
st "virt-copy-in" 0 virt-copy-in --format=raw -a "$tmp/g.img" "$tmp/in/dir" /data
st "virt-copy-in --ro fails" 1 virt-copy-in --ro --format=raw -a "$tmp/g.img" "$tmp/in/dir" /boot
st "virt-copy-in missing local file" 1 virt-copy-in --format=raw -a "$tmp/g.img" "$tmp/nope" /data
tar -C "$tmp/in" -czf "$tmp/in.tgz" dir
st "virt-tar-in -z" 0 virt-tar-in -z --format=raw -a "$tmp/g.img" "$tmp/in.tgz" /boot
st "virt-copy-out" 0 virt-copy-out --format=raw -a "$tmp/g.img" /data/lines.txt /data/lines.txt.orig /data/dir "$tmp/outdir"
got=$(cat "$tmp/outdir/lines.txt" "$tmp/outdir/lines.txt.orig" "$tmp/outdir/dir/file" 2>&1)
[ "$got" = "1:one
2:TWO
one
two
three
local" ] && ok "copied out, edited, backup" || notok "copied out, edited, backup"
# guestfish's options, which libguestfs's virt-copy-out (guestfish
# running copy-out) takes: --network boots with a network, -n skips the
# final sync, the prompt's options do nothing.
mkdir -p "$tmp/outdir2"
st "virt-copy-out with guestfish's options" 0 virt-copy-out --network -n --selinux --pipe-error \
  --no-dest-paths --progress-bars --format=raw -a "$tmp/g.img" /data/dir "$tmp/outdir2"
[ "$(cat "$tmp/outdir2/dir/file" 2>&1)" = local ] && ok "copied out with guestfish's options" ||
  notok "copied out with guestfish's options"
st "virt-copy-out: guestfish's --listen is not one of them" 1 virt-copy-out --listen \
  --format=raw -a "$tmp/g.img" /data/dir "$tmp/outdir2"
"$tools/virt-tar-out" --format=raw -a "$tmp/g.img" /boot - 2> "$tmp/err" | tar tf - > "$tmp/out" 2>&1
grep -qx './dir/file' "$tmp/out" && ok "virt-tar-out -" || notok "virt-tar-out -"
finish
