# Helpers shared by the tests of the virt-* tools (sourced; not a test).
# Prints TAP.  Needs $HATCH_BUILDDIR (tests/run-tests.sh sets it).
set -u
build=${HATCH_BUILDDIR:?set HATCH_BUILDDIR to the build directory}
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fish=$build/fish/guestfish
tools=$build/tools
data=$build/tests/data
mkdir -p "$data"

tmp=$(mktemp -d /tmp/tools-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home
mkdir -p "$HOME"
n=0
fail=0

ok () { n=$((n+1)); echo "ok $n - $1"; }
skip () { n=$((n+1)); echo "ok $n # SKIP $1"; }
notok () {
  n=$((n+1)); echo "not ok $n - $1"; fail=1
  echo "# stdout:"; sed 's/^/#   /' "$tmp/out" | head -40
  echo "# stderr:"; sed 's/^/#   /' "$tmp/err" | head -40
}

# t NAME EXPECTED_STATUS EXPECTED_STDOUT PROGRAM [args...]  (stdin: /dev/null)
t () {
  local name=$1 status=$2 expect=$3 prog=$4; shift 4
  "$tools/$prog" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ] && [ "$(cat "$tmp/out")" = "$expect" ]; then ok "$name"
  else echo "# exit status $rc, expected $status; expected stdout:"
       printf '%s\n' "$expect" | sed 's/^/#   /'; notok "$name"; fi
}
# st NAME EXPECTED_STATUS PROGRAM [args...]: only the exit status matters
st () {
  local name=$1 status=$2 prog=$3; shift 3
  "$tools/$prog" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ $rc = "$status" ]; then ok "$name"
  else echo "# exit status $rc, expected $status"; notok "$name"; fi
}
err_has () {
  if grep -q -- "$2" "$tmp/err"; then ok "$1"; else notok "$1"; fi
}
out_has () {
  if grep -q -- "$2" "$tmp/out"; then ok "$1"; else notok "$1"; fi
}
finish () {
  echo "1..$n"
  exit $fail
}

# The test guest (built once with our guestfish, cached in the build
# directory, rebuilt when this file changes), 64 MiB raw:
#   /dev/sda1          ext2 LABEL=BOOT  /boot
#   /dev/sda2          LVM PV of VG "tvg"
#   /dev/tvg/root      ext4 LABEL=ROOT  /    a small fake Debian 12
# Files with fixed contents, modes, owners and times under /data:
#   /data/hello.txt    "hello world\n"  0644 1000:1000 mtime 1600000000
#   /data/sub/         directory 0755, /data/sub/empty (0 bytes, 0600)
#   /data/link         symlink -> hello.txt
#   /data/lines.txt    "one\ntwo\nthree\n"
tools_image=$data/guest-tools.img
make_tools_image () {
  if [ -s "$tools_image" ] && [ "$tools_image" -nt "${BASH_SOURCE[0]}" ]; then
    return 0
  fi
  local w=$tmp/mkimg r
  mkdir -p "$w"
  r=$w/root
  mkdir -p "$r/etc" "$r/usr/lib" "$r/bin" "$r/boot" "$r/data/sub" "$r/var/lib/dpkg"
  cat > "$r/usr/lib/os-release" <<'X'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
ID=debian
X
  ln -s ../usr/lib/os-release "$r/etc/os-release"
  echo 12.5 > "$r/etc/debian_version"
  echo tools-test > "$r/etc/hostname"
  cat > "$r/etc/fstab" <<'X'
/dev/tvg/root  /      ext4  errors=remount-ro  0  1
LABEL=BOOT     /boot  ext2  defaults           0  2
X
  : > "$r/var/lib/dpkg/status"
  cp /bin/true "$r/bin/true"
  printf 'hello world\n' > "$r/data/hello.txt"
  printf 'one\ntwo\nthree\n' > "$r/data/lines.txt"
  : > "$r/data/sub/empty"
  chmod 0600 "$r/data/sub/empty"
  chmod 0644 "$r/data/hello.txt" "$r/data/lines.txt"
  chmod 0755 "$r/data/sub" "$r/data"
  ln -s hello.txt "$r/data/link"
  touch -h -d @1600000000 "$r/data/hello.txt" "$r/data/lines.txt" \
    "$r/data/sub/empty" "$r/data/link" "$r/data/sub" "$r/data"
  tar -C "$r" --numeric-owner --owner=0 --group=0 -cf "$w/root.tar" \
    --exclude=./data .
  tar -C "$r" --numeric-owner --owner=1000 --group=1000 -cf "$w/data.tar" data
  truncate -s 64M "$w/disk.img"
  "$fish" -a "$w/disk.img" > "$w/log" 2>&1 <<GF || { cat "$w/log" >&2; return 1; }
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 34815
part-add /dev/sda p 34816 -2048
mkfs ext2 /dev/sda1 label:BOOT
pvcreate /dev/sda2
vgcreate tvg /dev/sda2
lvcreate root tvg 32
mkfs ext4 /dev/tvg/root label:ROOT
mount /dev/tvg/root /
tar-in $w/root.tar /
tar-in $w/data.tar /
mount /dev/sda1 /boot
write /boot/grub.cfg "set timeout=5\n"
umount-all
GF
  mv "$w/disk.img" "$tools_image"
}

# The real Debian 12 guest (tests/data/make-guest-debootstrap.sh, cached in
# $LIBGUESTFS_CACHEDIR): sets $debdir (disk.img, packages.txt in it), or
# ends the test: skipped (77) when it cannot be made here, failed when
# making it failed.
need_debootstrap_image () {
  debdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-bookworm
  bash "$top/tests/data/make-guest-debootstrap.sh" "$debdir" > "$tmp/make.log" 2>&1
  local rc=$?
  if [ $rc = 77 ]; then echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77; fi
  if [ $rc != 0 ]; then
    echo "not ok 1 - build the debootstrap image"; sed 's/^/# /' "$tmp/make.log"; echo "1..1"; exit 1
  fi
}

# The bootable Debian 12 guests (cached in $LIBGUESTFS_CACHEDIR): SCRIPT is
# make-guest-debootstrap-boot.sh (disk.img) or
# make-guest-debootstrap-boot-foreign.sh (also vmware.img, xen.img) of
# tests/data.  Sets $bootdir and $kver (the guest's kernel version), or
# ends the test as need_debootstrap_image does.
need_boot_guest () {
  bootdir=${LIBGUESTFS_CACHEDIR:-/var/tmp}/hatch-guest-debootstrap-boot
  GUESTFISH=$fish bash "$top/tests/data/$1" "$bootdir" > "$tmp/make.log" 2>&1
  local rc=$?
  if [ $rc = 77 ]; then echo "1..0 # SKIP $(tail -1 "$tmp/make.log")"; exit 77; fi
  if [ $rc != 0 ]; then
    echo "not ok 1 - make the bootable Debian guest"; sed 's/^/# /' "$tmp/make.log"; echo "1..1"; exit 1
  fi
  kver=$(cat "$bootdir/kernel.txt")
}

# A throw-away GnuPG key without passphrase in $GNUPGHOME (which the test
# sets, and whose agent it stops at exit: gpgconf --homedir ... --kill all):
# sets $fpr, or skips the test when gpg cannot make one.
make_throwaway_gpg_key () {
  mkdir -p -m 700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key "Hatch Test <$1@example.invalid>" \
    ed25519 sign never 2> /dev/null || { echo "1..0 # SKIP gpg cannot make a key"; exit 77; }
  fpr=$(gpg --list-keys --with-colons 2> /dev/null | awk -F: '/^fpr/ { print $10; exit }')
}

# A python3 HTTP server on loopback serving the folder DIR, answering FILE
# when this returns: sets $http_port and $http_pid (the test kills it at
# exit).
start_http_server () {
  local dir=$1 file=$2 py=/usr/bin/python3 i
  [ -x $py ] || py=python3
  http_port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$dir" && exec $py -m http.server --bind 127.0.0.1 "$http_port" > "$tmp/http.log" 2>&1) &
  http_pid=$!
  for i in $(seq 50); do
    $py -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$http_port/$file')" 2> /dev/null && break
    sleep 0.2
  done
}
