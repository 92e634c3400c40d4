#!/bin/bash
# virt-alignment-scan, virt-format, virt-make-fs, virt-diff, virt-log,
# libguestfs-test-tool: outputs (compared with Debian's tools by hand),
# exit status, bad input.  TAP.  The small test guests are bare ext2
# filesystems made on the host by mke2fs -d (no partition table; our
# inspection finds the fake Debian in them), cached in the build dir.
source "$(dirname "$0")/tools-lib.bash"
for p in virt-alignment-scan virt-format virt-make-fs virt-diff virt-log \
         libguestfs-test-tool virt-tail; do
  [ -x "$tools/$p" ] || { echo "1..0 # SKIP $p not built"; exit 77; }
done
command -v mkfs.ext2 > /dev/null && command -v sfdisk > /dev/null ||
  { echo "1..0 # SKIP mkfs.ext2 or sfdisk missing"; exit 77; }
export TZ=UTC
export PATH=$PATH:/usr/sbin:/sbin

# ---- test images -----------------------------------------------------
fake_root () {   # DIR: a minimal Debian root
  mkdir -p "$1/etc" "$1/bin" "$1/usr/lib" "$1/data"
  printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' \
    > "$1/usr/lib/os-release"
  cp "$1/usr/lib/os-release" "$1/etc/os-release"
  echo 12.5 > "$1/etc/debian_version"
  echo "/dev/sda / ext2 defaults 0 1" > "$1/etc/fstab"
  cp /bin/true "$1/bin/true"
}
img1=$data/tools-images-old.img img2=$data/tools-images-new.img
img_syslog=$data/tools-images-syslog.img img_journal=$data/tools-images-journal.img
img_align=$data/tools-images-align.img
make_images () {
  local w=$tmp/img
  export E2FSPROGS_FAKE_TIME=1600000000   # fixed ctimes in the images
  rm -rf "$w"; mkdir -p "$w"
  fake_root "$w/r1"
  echo old > "$w/r1/data/changed.txt"
  echo gone > "$w/r1/data/deleted.txt"
  echo same > "$w/r1/data/same.txt"
  mkdir "$w/r1/data/dir"
  cp -a "$w/r1" "$w/r2"
  echo new-content > "$w/r2/data/changed.txt"
  rm "$w/r2/data/deleted.txt"
  echo added > "$w/r2/data/added.txt"
  chmod 0600 "$w/r2/data/same.txt"
  find "$w/r1" "$w/r2" -exec touch -h -d @1600000000 {} +
  mkfs.ext2 -q -F -d "$w/r1" "$img1" 8M && mkfs.ext2 -q -F -d "$w/r2" "$img2" 8M || return 1
  fake_root "$w/r3"
  mkdir -p "$w/r3/var/log"
  printf 'Nov 14 22:13:20 guest1 kernel: booted\nNov 14 22:13:21 guest1 sshd[7]: hello\n' \
    > "$w/r3/var/log/syslog"
  mkfs.ext2 -q -F -d "$w/r3" "$img_syslog" 8M || return 1
  local remote=/lib/systemd/systemd-journal-remote
  if [ -x "$remote" ]; then
    fake_root "$w/r4"
    local j=$w/r4/var/log/journal/0123456789abcdef0123456789abcdef
    mkdir -p "$j"
    printf '%s\n' __REALTIME_TIMESTAMP=1700000000000000 __MONOTONIC_TIMESTAMP=1000 \
      _BOOT_ID=0123456789abcdef0123456789abcdef 'MESSAGE=hello from hatch' \
      PRIORITY=6 SYSLOG_IDENTIFIER=hatchtest _PID=42 _HOSTNAME=guest1 '' \
      __REALTIME_TIMESTAMP=1700000001000000 __MONOTONIC_TIMESTAMP=2000 \
      _BOOT_ID=0123456789abcdef0123456789abcdef 'MESSAGE=second message' \
      _HOSTNAME=guest1 _COMM=kernel '' > "$w/export"
    "$remote" --output="$j/system.journal" - < "$w/export" > /dev/null 2>&1 &&
      mkfs.ext2 -q -F -d "$w/r4" "$img_journal" 16M || rm -f "$img_journal"
  fi
  rm -f "$img_align"
  truncate -s 8M "$img_align"
  printf 'label: dos\nunit: sectors\n63,60\n136,100\n2048,2048\n' | sfdisk -q "$img_align" || return 1
}
if ! [ -s "$img1" ] || ! [ "$img1" -nt "$0" ]; then
  make_images || { echo "Bail out! could not build the test images"; exit 1; }
fi

# ---- no appliance ----------------------------------------------------
for p in virt-alignment-scan virt-format virt-make-fs virt-diff virt-log libguestfs-test-tool virt-tail; do
  st "$p --help" 0 $p --help
  st "$p unknown option" 1 $p --no-such-option
done
t "virt-log --short-options" 0 "$(printf -- '-a\n-c\n-d\n-v\n-V\n-x')" virt-log --short-options
st "virt-log no -a" 1 virt-log
err_has "virt-log no -a message" "you must specify at least one -a or -d option"
st "virt-format no -a" 1 virt-format --filesystem=ext4
st "virt-format bad --partition" 1 virt-format --partition=foo -a "$img1"
st "virt-format bad --lvm" 1 virt-format --lvm=novg -a "$img1"
st "virt-format --label without --filesystem" 1 virt-format --label=X -a "$img1"
st "virt-make-fs no args" 1 virt-make-fs
st "virt-make-fs one arg" 1 virt-make-fs "$tmp"
st "virt-make-fs missing input" 1 virt-make-fs /nonexistent "$tmp/out.img"
err_has "virt-make-fs missing input message" "/nonexistent: No such file or directory"
echo "not a tar" > "$tmp/junk"
st "virt-make-fs not a tar" 1 virt-make-fs "$tmp/junk" "$tmp/out.img"
st "virt-make-fs bad --size" 1 virt-make-fs --size=12Q "$tmp" "$tmp/out.img"
st "virt-diff without -A" 1 virt-diff -a "$img1"
err_has "virt-diff without -A message" "at least one -A or -D option"
st "virt-diff bad --checksum" 1 virt-diff --checksum=foo -a "$img1" -A "$img2"
st "virt-diff -h --csv" 1 virt-diff -h --csv -a "$img1" -A "$img2"
st "virt-alignment-scan bad -P" 1 virt-alignment-scan -P x -a "$img1"
st "virt-alignment-scan missing disk" 1 virt-alignment-scan -a /nonexistent.img
st "virt-tail no file names" 1 virt-tail -a "$img1"
st "virt-tail relative name" 1 virt-tail -a "$img1" var/log/syslog
# bash completion asks every tool for its options (libguestfs's
# libguestfs-test-tool has --long-options and --short-options too).
t "libguestfs-test-tool --long-options" 0 "$(printf -- '--help\n--qemu\n--qemudir\n--timeout\n--version')" \
  libguestfs-test-tool --long-options
t "libguestfs-test-tool --short-options" 0 "$(printf -- '-t\n-V\n-?')" libguestfs-test-tool --short-options
st "libguestfs-test-tool bad -t" 1 libguestfs-test-tool -t abc
st "libguestfs-test-tool bad --qemu" 1 libguestfs-test-tool --qemu /nonexistent/qemu

# ---- one launch each -------------------------------------------------
t "virt-alignment-scan" 3 "/dev/sda1        32256          512    bad (alignment < 4K)
/dev/sda2        69632            4K   bad (alignment < 64K)
/dev/sda3      1048576         1024K   ok" virt-alignment-scan --format=raw -a "$img_align"
t "virt-alignment-scan -q" 3 "" virt-alignment-scan -q --format=raw -a "$img_align"

t "virt-diff" 0 "+ - 0644          6 /data/added.txt
= - 0644          4 /data/changed.txt
@@ -1 +1 @@
-old
+new-content
@@ End of diff @@
- - 0644          5 /data/deleted.txt
- - 0644          5 /data/same.txt
+ - 0600          5 /data/same.txt
# changed: st_mode" virt-diff --format=raw -a "$img1" -A "$img2"
t "virt-diff --csv --checksum --uids" 0 "+,-,0644,6,0,0,2832e21254f4d3b0ed755a827d07ce58,/data/added.txt
=,-,0644,4,0,0,814fa5ca98406a903e22b43d9b610105,/data/changed.txt
-,-,0644,5,0,0,b1304b81a2e029bff466f2c245f1dbfd,/data/deleted.txt
-,-,0644,5,0,0,847676261680bff61c72961c8198abc0,/data/same.txt
+,-,0600,5,0,0,847676261680bff61c72961c8198abc0,/data/same.txt
#,changed:,st_mode" virt-diff --format=raw -a "$img1" -A "$img2" --csv --checksum --uids
t "virt-diff same guest" 0 "" virt-diff --format=raw -a "$img1" -A "$img1"
# Without --checksum, a new ctime (a chmod) counts as new content, and
# changed times are named as struct statns names them (libguestfs's
# virt-diff does both).
cp "$img1" "$tmp/chmod.img"
printf 'chmod 0640 /data/same.txt\ntouch /data/dir/newfile\n' |
  "$fish" --format=raw -a "$tmp/chmod.img" -m /dev/sda > /dev/null 2>&1
t "virt-diff: a chmod is a content change; --dir-times" 0 "- d 0755       1024 /data/dir
+ d 0755       1024 /data/dir
# changed: st_mtime_sec st_ctime_sec
+ - 0644          0 /data/dir/newfile
= - 0644          5 /data/same.txt
@@ End of diff @@" virt-diff --format=raw -a "$img1" -A "$tmp/chmod.img" --dir-times
# A directory made anew in its place: another inode (libguestfs's
# virt-diff compares st_dev and st_ino too).
cp "$img1" "$tmp/ino.img"
printf 'mkdir /data/dir2\nrmdir /data/dir\nmv /data/dir2 /data/dir\n' |
  "$fish" --format=raw -a "$tmp/ino.img" -m /dev/sda > /dev/null 2>&1
t "virt-diff: a directory made anew is st_ino" 0 "- d 0755       1024 /data/dir
+ d 0755       1024 /data/dir
# changed: st_ino" virt-diff --format=raw -a "$img1" -A "$tmp/ino.img"

t "virt-log syslog" 0 "Nov 14 22:13:20 guest1 kernel: booted
Nov 14 22:13:21 guest1 sshd[7]: hello" virt-log --format=raw -a "$img_syslog"
if [ -s "$img_journal" ]; then
  t "virt-log journal" 0 "Nov 14 22:13:20 guest1 hatchtest[42]: hello from hatch
Nov 14 22:13:21 guest1 kernel: second message" virt-log --format=raw -a "$img_journal"
else skip "virt-log journal: systemd-journal-remote missing"; fi
st "virt-log no logs: nothing, status 0" 0 virt-log --format=raw -a "$img1"
if [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then ok "virt-log no logs: no output"
else notok "virt-log no logs: no output"; fi
st "virt-log no OS" 1 virt-log --format=raw -a "$img_align"

# virt-tail: the last lines, then what the file gains (changed under it
# with debugfs on the host), then ^C; a missing file is an error.
st "virt-tail missing file" 1 virt-tail --format=raw -a "$img1" /var/log/nope
err_has "virt-tail missing file message" "none of the files were found"
if command -v debugfs > /dev/null; then
  cp "$img_syslog" "$tmp/tail.img"
  VIRT_TAIL_INTERVAL=1 "$tools/virt-tail" --format=raw -a "$tmp/tail.img" /var/log/syslog \
    > "$tmp/tail.out" 2> "$tmp/tail.err" < /dev/null &
  tpid=$!
  for i in $(seq 60); do [ -s "$tmp/tail.out" ] && break; sleep 1; done
  printf 'Nov 14 22:13:20 guest1 kernel: booted\nNov 14 22:13:21 guest1 sshd[7]: hello\nNEW LINE\n' \
    > "$tmp/newsys"
  debugfs -w -R "rm /var/log/syslog" "$tmp/tail.img" > /dev/null 2>&1
  debugfs -w -R "write $tmp/newsys /var/log/syslog" "$tmp/tail.img" > /dev/null 2>&1
  for i in $(seq 60); do grep -q "NEW LINE" "$tmp/tail.out" && break; sleep 1; done
  kill -INT $tpid; wait $tpid; rc=$?
  cp "$tmp/tail.out" "$tmp/out"; cp "$tmp/tail.err" "$tmp/err"
  # The banner before the first lines, even of a single file (libguestfs's).
  { printf '\n\n--- /var/log/syslog ---\n\n'; cat "$tmp/newsys"; } > "$tmp/tailwant"
  if [ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/tailwant"; then ok "virt-tail follows"
  else echo "# exit status $rc"; notok "virt-tail follows"; fi
else skip "virt-tail follows: debugfs missing"; fi

# virt-format: LVM + ext4 with a label, then read back with guestfish.
cp "$img_align" "$tmp/fmt.img"
st "virt-format --lvm --filesystem" 0 virt-format --format=raw -a "$tmp/fmt.img" \
  --filesystem=ext4 --label=HELLO --lvm=/dev/myvg/mylv
out=$("$fish" --ro --format=raw -a "$tmp/fmt.img" run : list-filesystems : \
      vfs-label /dev/myvg/mylv : part-get-mbr-id /dev/sda 1 : part-get-parttype /dev/sda 2>&1)
if [ "$out" = "/dev/myvg/mylv: ext4
HELLO
0x8e
msdos" ]; then ok "virt-format result"; else echo "# $out"; notok "virt-format result"; fi

# virt-make-fs: a directory with GPT and a label; a tar.gz; too small.
mkdir -p "$tmp/in/sub"
echo hello > "$tmp/in/sub/file.txt"
st "virt-make-fs dir" 0 virt-make-fs --partition=gpt --type=ext4 --label=MK --size=+1M \
  "$tmp/in" "$tmp/mk.img"
tar -C "$tmp/in" -czf "$tmp/in.tar.gz" .
st "virt-make-fs tar.gz" 0 virt-make-fs --format=qcow2 "$tmp/in.tar.gz" "$tmp/mk2.qcow2"
out=$("$fish" --ro -a "$tmp/mk.img" -a "$tmp/mk2.qcow2" run : vfs-label /dev/sda1 : \
      part-get-parttype /dev/sda : vfs-type /dev/sdb : mount /dev/sda1 / : \
      cat /sub/file.txt : mount /dev/sdb /sub : cat /sub/sub/file.txt 2>&1)
if [ "$out" = "MK
gpt
ext2
hello

hello" ]; then ok "virt-make-fs results"; else echo "# $out"; notok "virt-make-fs results"; fi
head -c 3000000 /dev/urandom > "$tmp/in/big"
st "virt-make-fs too small" 1 virt-make-fs --size=1M "$tmp/in" "$tmp/small.img"
if [ -e "$tmp/small.img" ]; then notok "virt-make-fs removes its output"
else ok "virt-make-fs removes its output"; fi

st "libguestfs-test-tool" 0 libguestfs-test-tool -t 300
out_has "libguestfs-test-tool finished" "===== TEST FINISHED OK ====="
out_has "libguestfs-test-tool settings" "guestfs_get_backend: direct"
finish
