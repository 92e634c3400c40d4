#!/bin/bash
# guestmount and guestunmount as an ordinary user: mount an ext4 image,
# use it with everyday programs (ls, cat, shell redirection, mkdir, rm, mv,
# chmod, ln, ln -s, truncate, touch, setfattr/getfattr, df), unmount with
# guestunmount, mount it again read-only and find the changes there; and
# the usage errors of both programs.  TAP output.
#
# As root the test runs itself again as the user "hatchtest" (created if
# needed, as tests/c/test-nonroot.sh does), with its own appliance cache.
# Skips (77) when FUSE cannot be used by that user.
set -u
build=${HATCH_BUILDDIR:?}
gm=$build/tools/guestmount
gu=$build/tools/guestunmount
[ -x "$gm" ] && [ -x "$gu" ] || { echo "1..0 # SKIP guestmount not built"; exit 77; }

# The fake Debian guest of the inspection tests, for -i (built and cached
# by its script; made before switching user, where the build tree is ours).
top=$(cd "$(dirname "$0")/../.." && pwd)
guest=${GUESTMOUNT_TEST_GUEST:-}
if [ -z "$guest" ] && [ -z "${GUESTMOUNT_TEST_AS_USER:-}" ]; then
  mkdir -p "$build/tests/data" 2>/dev/null
  if GUESTFISH=${GUESTFISH:-$build/fish/guestfish} bash "$top/tests/data/make-guest-debian.sh" \
       "$build/tests/data/guest-debian.img" > "$build/tests/data/make-debian-gm.log" 2>&1; then
    guest=$build/tests/data/guest-debian.img
  fi
fi

if [ "$(id -u)" = 0 ] && [ -z "${GUESTMOUNT_TEST_AS_USER:-}" ]; then
  user=hatchtest
  if ! id "$user" >/dev/null 2>&1; then
    useradd -m "$user" >/dev/null 2>&1
    id "$user" >/dev/null 2>&1 || { echo "1..0 # SKIP cannot create user $user"; exit 77; }
  fi
  command -v runuser >/dev/null || { echo "1..0 # SKIP runuser not available"; exit 77; }
  home=$(getent passwd "$user" | cut -d: -f6)
  [ -d "$home" ] || { echo "1..0 # SKIP $user has no home directory"; exit 77; }
  runuser -u "$user" -- test -x "$gm" || { echo "1..0 # SKIP $user cannot run $gm"; exit 77; }
  exec runuser -u "$user" -- env -i PATH="/usr/sbin:/sbin:$PATH" HOME="$home" \
    HATCH_BUILDDIR="$build" GUESTMOUNT_TEST_AS_USER=1 TMPDIR=/tmp \
    GUESTMOUNT_TEST_GUEST="$guest" \
    LIBGUESTFS_CACHEDIR="$home/.cache/hatch-test" bash "$0"
fi

export PATH="/usr/sbin:/sbin:$PATH"
[ -r /dev/fuse ] && [ -w /dev/fuse ] || { echo "1..0 # SKIP /dev/fuse is not usable by $(id -un)"; exit 77; }
command -v fusermount3 >/dev/null || { echo "1..0 # SKIP fusermount3 (fuse3) not installed"; exit 77; }
if [ "$(id -u)" != 0 ] && [ ! -u "$(command -v fusermount3)" ]; then
  echo "1..0 # SKIP fusermount3 is not setuid root"; exit 77
fi
command -v mke2fs >/dev/null || { echo "1..0 # SKIP mke2fs not installed"; exit 77; }
if [ -n "${LIBGUESTFS_CACHEDIR:-}" ]; then mkdir -p "$LIBGUESTFS_CACHEDIR"; fi

tmp=$(mktemp -d /tmp/guestmount-XXXXXX)
mnt=$tmp/mnt
mkdir "$mnt"
cleanup () {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount3 -u -z "$mnt" 2>/dev/null; fi
  if [ -f "$tmp/pid" ]; then kill "$(cat "$tmp/pid")" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fail=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
notok () { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
check () {  # check NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"
  else notok "$1"; echo "#   expected: $(printf %q "$2")"; echo "#   got:      $(printf %q "$3")"; fi
}
# Wait until PID has exited (guestmount's worker finishing after unmount).
wait_exit () {
  local i
  for i in $(seq 120); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  return 1
}

# The image: ext4 made on the host from a directory (no appliance needed).
mkdir -p "$tmp/src/dir"
printf 'hello world\n' > "$tmp/src/dir/hello"
printf 'delete me\n' > "$tmp/src/old"
mke2fs -q -F -t ext4 -d "$tmp/src" "$tmp/disk.img" 32M > "$tmp/mkfs.log" 2>&1 \
  || { echo "Bail out! mke2fs failed"; sed 's/^/# /' "$tmp/mkfs.log"; exit 1; }

# ---- usage errors (no appliance) ----
"$gm" -m /dev/sda "$mnt" > /dev/null 2> "$tmp/err"
check "no -a fails with 1" 1 $?
"$gm" -a "$tmp/disk.img" "$mnt" > /dev/null 2> "$tmp/err"
check "no -m or -i fails with 1" 1 $?
"$gm" -a "$tmp/disk.img" -m /dev/sda > /dev/null 2> "$tmp/err"
check "no mountpoint fails with 1" 1 $?
grep -q "mountpoint" "$tmp/err" && ok "no mountpoint: message" || notok "no mountpoint: message"
"$gm" -a "$tmp/disk.img" -m /dev/sda "$tmp/nosuchdir" > /dev/null 2> "$tmp/err"
check "missing mountpoint fails with 1" 1 $?
"$gm" --live -a "$tmp/disk.img" -m /dev/sda "$mnt" > /dev/null 2> "$tmp/err"
check "--live fails with 1" 1 $?
grep -q -- "--live" "$tmp/err" && ok "--live: message" || notok "--live: message"
"$gm" --dir-cache-timeout=x -a "$tmp/disk.img" -m /dev/sda "$mnt" > /dev/null 2>&1
check "bad --dir-cache-timeout fails" 1 $?
"$gm" --help > "$tmp/out" 2>&1
check "--help" 0 $?
"$gm" --long-options | grep -qx -- --pid-file && ok "--long-options" || notok "--long-options"
"$gu" "$mnt" > /dev/null 2> "$tmp/err"
check "guestunmount of a directory that is not mounted: 3" 3 $?
"$gu" > /dev/null 2>&1
check "guestunmount without a mountpoint: 1" 1 $?
"$gu" --retry=x "$mnt" > /dev/null 2>&1
check "guestunmount --retry=x: 1" 1 $?

# ---- read-write mount, as an ordinary user ----
"$gm" -a "$tmp/disk.img" --format=raw -m /dev/sda --pid-file "$tmp/pid" "$mnt" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc != 0 ] && grep -qiE "^fuse:|fusermount" "$tmp/err"; then
  # The kernel or fusermount3 refused the mount itself (a container
  # without the privilege, for example): not our failure.
  n=$((n + 1)); echo "ok $n # SKIP FUSE mounts are not permitted here: $(grep -iE '^fuse:|fusermount' "$tmp/err" | head -1)"
  echo "1..$n"
  exit $fail
fi
check "guestmount returns 0 once mounted" 0 $rc
if [ $rc != 0 ] || ! mountpoint -q "$mnt"; then
  sed 's/^/# /' "$tmp/err"
  echo "Bail out! guestmount failed"
  exit 1
fi
pid=$(cat "$tmp/pid")
kill -0 "$pid" 2>/dev/null && ok "worker process from --pid-file runs" || notok "worker process from --pid-file runs"

check "ls" "dir lost+found old" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"
check "cat" "hello world" "$(cat "$mnt/dir/hello")"
check "stat size" "12" "$(stat -c %s "$mnt/dir/hello")"
echo "new file" > "$mnt/dir/new"
check "write with >" "new file" "$(cat "$mnt/dir/new")"
echo "more" >> "$mnt/dir/new"
check "append with >>" "new file
more" "$(cat "$mnt/dir/new")"
mkdir "$mnt/sub" && ok "mkdir" || notok "mkdir"
check "mkdir made a directory" "directory" "$(stat -c %F "$mnt/sub")"
mv "$mnt/dir/new" "$mnt/sub/moved" && ok "mv" || notok "mv"
[ ! -e "$mnt/dir/new" ] && [ -f "$mnt/sub/moved" ] && ok "mv moved the file" || notok "mv moved the file"
chmod 640 "$mnt/sub/moved" && ok "chmod" || notok "chmod"
check "chmod mode" "640" "$(stat -c %a "$mnt/sub/moved")"
ln -s ../dir/hello "$mnt/sub/link" && ok "ln -s" || notok "ln -s"
check "readlink" "../dir/hello" "$(readlink "$mnt/sub/link")"
check "cat through the symlink" "hello world" "$(cat "$mnt/sub/link")"
ln "$mnt/dir/hello" "$mnt/sub/hard" && ok "ln (hard link)" || notok "ln (hard link)"
check "link count" "2" "$(stat -c %h "$mnt/dir/hello")"
rm "$mnt/old" && ok "rm" || notok "rm"
[ ! -e "$mnt/old" ] && ok "rm removed the file" || notok "rm removed the file"
truncate -s 3 "$mnt/sub/moved"
check "truncate" "new" "$(cat "$mnt/sub/moved")"
touch -d "2020-01-02 03:04:05 UTC" "$mnt/sub/moved"
check "touch -d sets mtime" "1577934245" "$(stat -c %Y "$mnt/sub/moved")"
if command -v setfattr >/dev/null && command -v getfattr >/dev/null; then
  setfattr -n user.colour -v blue "$mnt/dir/hello" && ok "setfattr" || notok "setfattr"
  check "getfattr" "blue" "$(getfattr --only-values -n user.colour "$mnt/dir/hello" 2>/dev/null)"
  ls -l "$mnt/dir" > /dev/null     # the listing caches the xattrs ...
  check "getfattr after a listing" "blue" "$(getfattr --only-values -n user.colour "$mnt/dir/hello" 2>/dev/null)"
  setfattr -x user.colour "$mnt/dir/hello" && ok "setfattr -x" || notok "setfattr -x"
  getfattr -n user.colour "$mnt/dir/hello" > /dev/null 2>&1
  [ $? != 0 ] && ok "removed xattr is gone" || notok "removed xattr is gone"
  setfattr -n user.keep -v kept "$mnt/sub/moved"
else
  for t in setfattr getfattr "getfattr after a listing" "setfattr -x" "removed xattr is gone"; do
    n=$((n + 1)); echo "ok $n # SKIP $t (attr not installed)"
  done
fi
dd if=/dev/zero of="$mnt/big" bs=64k count=16 2>/dev/null
check "dd 1 MiB" "1048576" "$(stat -c %s "$mnt/big")"
check "cmp read back" "" "$(cmp "$mnt/big" <(head -c 1048576 /dev/zero) 2>&1)"
rm "$mnt/big"
mkdir "$mnt/gone" && rmdir "$mnt/gone" && ok "rmdir" || notok "rmdir"
df -P "$mnt" | tail -1 | awk '{ exit !($2 > 20000) }' && ok "df shows the filesystem size" || notok "df shows the filesystem size"
check "ls -l of a directory" "2" "$(ls -l "$mnt/sub" | grep -c '^-')"

"$gu" "$mnt" 2> "$tmp/err"
check "guestunmount" 0 $?
wait_exit "$pid" && ok "guestmount exits after guestunmount" || notok "guestmount exits after guestunmount"
mountpoint -q "$mnt" && notok "not mounted any more" || ok "not mounted any more"
rm -f "$tmp/pid"

# ---- read-only mount: the changes are on the disk ----
"$gm" -a "$tmp/disk.img" --format=raw -m /dev/sda --ro --pid-file "$tmp/pid" "$mnt" 2> "$tmp/err"
rc=$?
check "guestmount --ro" 0 $rc
if [ $rc = 0 ]; then
  pid=$(cat "$tmp/pid")
  check "changes persisted" "dir lost+found sub" "$(ls "$mnt" | tr '\n' ' ' | sed 's/ $//')"
  check "moved file content" "new" "$(cat "$mnt/sub/moved")"
  check "mode persisted" "640" "$(stat -c %a "$mnt/sub/moved")"
  check "symlink persisted" "../dir/hello" "$(readlink "$mnt/sub/link")"
  if command -v getfattr >/dev/null; then
    check "xattr persisted" "kept" "$(getfattr --only-values -n user.keep "$mnt/sub/moved" 2>/dev/null)"
  fi
  out=$( { echo x > "$mnt/sub/ro-write"; } 2>&1 )
  case "$out" in *"Read-only file system"*) ok "writes fail with EROFS" ;; *) notok "writes fail with EROFS"; echo "# $out" ;; esac
  mkdir "$mnt/ro-dir" 2>/dev/null && notok "mkdir fails read-only" || ok "mkdir fails read-only"
  "$gu" "$mnt"
  check "guestunmount (ro)" 0 $?
  wait_exit "$pid" && ok "guestmount --ro exits" || notok "guestmount --ro exits"
  rm -f "$tmp/pid"
else
  sed 's/^/# /' "$tmp/err"
fi

# ---- --no-fork with --fd, unmount by a signal ----
exec 7> "$tmp/ready"
"$gm" -a "$tmp/disk.img" --format=raw -m /dev/sda --ro --no-fork --fd=7 "$mnt" 2> "$tmp/err" &
bg=$!
exec 7>&-
for i in $(seq 120); do [ -s "$tmp/ready" ] && break; kill -0 $bg 2>/dev/null || break; sleep 1; done
[ -s "$tmp/ready" ] && ok "--fd gets a byte when ready" || notok "--fd gets a byte when ready"
check "--no-fork mount works" "hello world" "$(cat "$mnt/dir/hello" 2>/dev/null)"
kill -TERM $bg
wait $bg
check "SIGTERM unmounts and exits 0" 0 $?
mountpoint -q "$mnt" && notok "not mounted after SIGTERM" || ok "not mounted after SIGTERM"

# ---- -i: the guest's own mount points ----
if [ -n "$guest" ] && [ -r "$guest" ]; then
  "$gm" -a "$guest" --format=raw -i --ro --pid-file "$tmp/pid" "$mnt" 2> "$tmp/err"
  rc=$?
  check "guestmount -i --ro" 0 $rc
  if [ $rc = 0 ]; then
    pid=$(cat "$tmp/pid")
    check "-i: /etc/hostname" "debian-test" "$(cat "$mnt/etc/hostname")"
    ls "$mnt/boot" | grep -qx vmlinuz-6.1.0-18-amd64 && ok "-i: /boot is mounted" || notok "-i: /boot is mounted"
    "$gu" "$mnt"
    check "guestunmount (-i)" 0 $?
    wait_exit "$pid" && ok "guestmount -i exits" || notok "guestmount -i exits"
    rm -f "$tmp/pid"
  else
    sed 's/^/# /' "$tmp/err"
  fi
else
  n=$((n + 1)); echo "ok $n # SKIP -i (no fake Debian guest image)"
fi

echo "1..$n"
exit $fail
