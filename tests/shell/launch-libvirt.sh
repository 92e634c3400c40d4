#!/bin/bash
# The libvirt backend against a real libvirtd (Debian's
# libvirt-daemon-system): started by this test when none runs, stopped at
# the end.  As root through qemu:///system (qemu then runs as libvirt's
# own user): a launch with a drive, the domain's XML, read-only drives
# left byte-identical, no domain left behind and no file's owner changed,
# guestfish and the tools with -d on a domain defined in that libvirtd, the error when qemu's
# user cannot read an image, hot-add and hot-remove, remote drives (NBD,
# HTTP with a password), and one area of the table tests (extended
# attributes, ACLs, capabilities) run through libvirt.  As an unprivileged
# user through qemu:///session (libvirt starts that user's own libvirtd).
. "$(dirname "$0")/fish-lib.bash"
need_launch
build=${HATCH_BUILDDIR:?}
echo "1..18"
if [ "$(id -u)" != 0 ] || ! command -v libvirtd > /dev/null || ! command -v virsh > /dev/null; then
  for i in $(seq 18); do skip "needs root and libvirt-daemon-system (libvirtd, virsh)"; done
  exit 0
fi
uri=qemu:///system
# One libvirtd for all the tests that run at once (libvirtd-lib.bash).
. "$(dirname "$0")/libvirtd-lib.bash"
cleanup_hooks+=(libvirtd_leave)
libvirtd_join || echo "# libvirtd does not answer"
export LIBGUESTFS_BACKEND=libvirt
# qemu runs as libvirt's user: it must be able to reach the test's images.
chmod 0711 "$tmp"
appliance_root=$("$build/appliance/hatch-make-appliance" | sed -n 4p)
owner_before=$(stat -c %U:%G "$appliance_root")

truncate -s 64M "$tmp/disk.img"
mkdir -m 0755 "$tmp/handles"   # the handle's directory, to find the console log in
TMPDIR=$tmp/handles "$fish" -v -a "$tmp/disk.img" > "$tmp/out" 2> "$tmp/err" <<GF
run
get-backend
mkfs ext4 /dev/sda
mount /dev/sda /
write /hello "through libvirt"
cat /hello
!grep -l "Linux version" $tmp/handles/*/console.log > $tmp/console-log 2>&1
GF
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "libvirt
through libvirt" ]; then ok "a launch through qemu:///system works on the drive"
else notok "a launch through qemu:///system (status $rc)"; fi
accel=$(grep -o 'accelerator: [a-z]*' "$tmp/err" | tail -1 | cut -d' ' -f2)
want=$([ "$accel" = kvm ] && echo kvm || echo qemu)
if grep -q "<domain type='$want'>" "$tmp/err" && grep -q "<target type='virtio' name='org.libguestfs.channel.0'/>" "$tmp/err" &&
   grep -q "<target dev='sda' bus='scsi'/>" "$tmp/err" && grep -q "console.log" "$tmp/console-log"; then
  ok "the domain: type $want (as the accelerator verdict says), the channel, the drive as sda, the console logged by libvirt"
else notok "the domain XML in -v"; fi
if [ -z "$(virsh -c $uri list --all --name | grep '^guestfs-')" ]; then ok "no domain is left after close"
else notok "a guestfs-* domain is left: $(virsh -c $uri list --all --name)"; fi
if [ "$(stat -c %U:%G "$tmp/disk.img")" = root:root ] && [ "$(stat -c %U:%G "$appliance_root")" = "$owner_before" ]; then
  ok "the drive and the shared appliance image keep their owners"
else notok "owners changed: drive $(stat -c %U:%G "$tmp/disk.img"), appliance $(stat -c %U:%G "$appliance_root") (was $owner_before)"; fi

sum=$(sha256sum < "$tmp/disk.img")
out=$("$fish" --ro -a "$tmp/disk.img" <<'GF' 2>&1
run
mount /dev/sda /
cat /hello
touch /written-in-the-overlay
is-file /written-in-the-overlay
GF
)
if [ "$out" = "through libvirt
true" ] && [ "$(sha256sum < "$tmp/disk.img")" = "$sum" ]; then
  ok "a read-only drive is writable in its overlay and stays byte-identical"
else echo "# $out"; notok "a read-only drive stays byte-identical"; fi

# add_drive on the launched handle: attached to the running domain;
# remove_drive detaches it (refused while mounted), the others keep their
# names and the next hot-add takes the free one.
printf 'hot-ro\n' > "$tmp/hot-ro.img"; truncate -s 16M "$tmp/hot-ro.img"
truncate -s 16M "$tmp/hot-rw.img"
printf 'hot-2\n' > "$tmp/hot-2.img"; truncate -s 16M "$tmp/hot-2.img"
"$fish" -a "$tmp/disk.img" > "$tmp/out" 2> "$tmp/err" <<GF
run
add $tmp/hot-ro.img readonly:true label:RO
add-drive $tmp/hot-rw.img format:raw label:RW
list-devices
pread-device /dev/sdb 7 0
mkswap /dev/sdc
swapon-device /dev/sdc
-remove-drive RW
swapoff-device /dev/sdc
pwrite-device /dev/sdc "hot-rw" 0
remove-drive RO
echo removed
list-disk-labels
add $tmp/hot-2.img label:H2
list-disk-labels
pread-device /dev/sdb 6 0
pwrite-device /dev/sdb "hot-2w" 0
GF
rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "/dev/sda
/dev/sdb
/dev/sdc
hot-ro
6
removed
RW: /dev/sdc
H2: /dev/sdb
RW: /dev/sdc
hot-2
6" ] && [ "$(head -c 6 "$tmp/hot-rw.img")" = hot-rw ] && [ "$(head -c 6 "$tmp/hot-2.img")" = hot-2w ] \
   && [ "$(head -c 6 "$tmp/hot-ro.img")" = hot-ro ]; then
  ok "add_drive and remove_drive after launch: hot-plugged in the domain, names kept"
else
  echo "# status $rc"; sed 's/^/# /' "$tmp/out" "$tmp/err"
  notok "add_drive and remove_drive after launch through libvirt"
fi
if grep -q "remove_drive: RW: the drive is in use: swap is on /dev/sdc" "$tmp/err"; then
  ok "remove_drive refuses a disk in use (swap)"
else notok "remove_drive refuses a disk in use"; fi

# guestfish -d with a domain defined in that libvirtd.
dom=hatch-test-$$
cat > "$tmp/dom.xml" <<XML
<domain type='qemu'><name>$dom</name><memory unit='MiB'>128</memory>
<os><type>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$tmp/disk.img'/><target dev='vda' bus='virtio'/></disk>
</devices></domain>
XML
virsh -c $uri define "$tmp/dom.xml" > /dev/null
cleanup_hooks+=("virsh -c $uri undefine $dom > /dev/null 2>&1")
out=$("$fish" -c $uri -d $dom --ro -m /dev/sda cat /hello 2> "$tmp/err")
if [ "$out" = "through libvirt" ]; then ok "guestfish -c $uri -d DOMAIN through the libvirt backend"
else notok "guestfish -d DOMAIN (got '$out')"; fi
tools=$build/tools
out=$("$tools/virt-cat" -c $uri -d $dom /hello 2> "$tmp/err")
fs=$("$tools/virt-filesystems" -c $uri -d $dom 2>> "$tmp/err")
if [ "$out" = "through libvirt" ] && [ "$fs" = /dev/sda ]; then
  ok "virt-cat and virt-filesystems -c $uri -d DOMAIN through the libvirt backend"
else echo "# $out / $fs"; sed 's/^/# /' "$tmp/err"; notok "the tools with -d DOMAIN through libvirt"; fi

# An image qemu's user cannot reach: libvirt's error, and what to do.
mkdir -m 0700 "$tmp/private"
truncate -s 16M "$tmp/private/secret.img"
"$fish" --ro -a "$tmp/private/secret.img" run > "$tmp/out" 2> "$tmp/err"
if [ $? != 0 ] && grep -q "Permission denied" "$tmp/err" && grep -q "runs qemu as another user" "$tmp/err"; then
  ok "an unreadable image: libvirt's message and the way out"
else notok "an unreadable image: the message"; fi

actions=$(grep -o 'Action("[a-z0-9_]*"' "$HATCH_SRCDIR/api/files_xattr.py" | cut -d'"' -f2)
"$build/tests/table-tests" $actions > "$tmp/out" 2> "$tmp/err"
rc=$?
nok=$(grep -c '^ok ' "$tmp/out")
if [ $rc = 0 ] && [ "$nok" -gt 20 ] && ! grep -q '^not ok' "$tmp/out"; then
  ok "the files_xattr area's table tests through libvirt ($nok passed)"
else notok "files_xattr table tests through libvirt (status $rc, $nok passed)"; fi

# Remote drives through libvirt, as <disk type='network'>: NBD over TCP
# (written), read-only NBD (an overlay backed by the network source: the
# export is unchanged), NBD over a Unix socket, and HTTP with a password
# that travels in an ephemeral libvirt secret, gone afterwards.
free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port_open () {
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" 2> /dev/null
}
truncate -s 16M "$tmp/remote.img"
LIBGUESTFS_BACKEND=direct "$fish" --format=raw -a "$tmp/remote.img" run : part-disk /dev/sda mbr : \
  mkfs ext2 /dev/sda1 : mount /dev/sda1 / : write /hello "hello remote" < /dev/null
port=$(free_port)
qemu-nbd -t -f raw -b 127.0.0.1 -p "$port" -x exp "$tmp/remote.img" 2> /dev/null & nbd_pid=$!
cleanup_hooks+=("kill $nbd_pid 2> /dev/null")
for i in $(seq 50); do port_open "$port" && break; sleep 0.2; done
out=$("$fish" -v --format=raw -a "nbd://127.0.0.1:$port/exp" run : mount /dev/sda1 / : \
      cat /hello : write /w "via libvirt" : cat /w 2> "$tmp/err")
if [ "$out" = "hello remote
via libvirt" ] && grep -q "<source protocol='nbd' name='exp'>" "$tmp/err"; then
  ok "an NBD drive (TCP) through libvirt: read and written"
else echo "# $out"; tail -5 "$tmp/err" | sed 's/^/# /'; notok "an NBD drive (TCP) through libvirt"; fi
sum=$(sha256sum < "$tmp/remote.img")
out=$("$fish" --ro --format=raw -a "nbd://127.0.0.1:$port/exp" run : mount /dev/sda1 / : \
      write /scratch s : cat /scratch : cat /w 2> "$tmp/err")
if [ "$out" = "s
via libvirt" ] && [ "$(sha256sum < "$tmp/remote.img")" = "$sum" ]; then
  ok "a read-only NBD drive through libvirt: writes go to the overlay"
else echo "# $out"; tail -5 "$tmp/err" | sed 's/^/# /'; notok "a read-only NBD drive through libvirt"; fi
kill $nbd_pid; wait $nbd_pid 2> /dev/null
qemu-nbd -t -f raw -k "$tmp/nbd.sock" "$tmp/remote.img" 2> /dev/null & nbd_pid=$!
cleanup_hooks+=("kill $nbd_pid 2> /dev/null")
for i in $(seq 50); do [ -S "$tmp/nbd.sock" ] && break; sleep 0.2; done
chmod 0777 "$tmp/nbd.sock"
out=$("$fish" --ro --format=raw -a "nbd+unix:///?socket=$tmp/nbd.sock" run : mount /dev/sda1 / : \
      cat /w 2> "$tmp/err")
if [ "$out" = "via libvirt" ]; then ok "an NBD drive over a Unix socket through libvirt"
else echo "# $out"; tail -5 "$tmp/err" | sed 's/^/# /'; notok "an NBD drive over a Unix socket through libvirt"; fi
kill $nbd_pid; wait $nbd_pid 2> /dev/null
port=$(free_port)
HTTP_AUTH='alice:s3cret' python3 "$HATCH_SRCDIR/tests/data/http-range-server.py" "$tmp" "$port" & http_pid=$!
cleanup_hooks+=("kill $http_pid 2> /dev/null")
for i in $(seq 50); do port_open "$port" && break; sleep 0.2; done
out=$("$fish" --ro --format=raw -a "http://alice:s3cret@127.0.0.1:$port/remote.img" run : \
      mount /dev/sda1 / : cat /hello 2> "$tmp/err")
if [ "$out" = "hello remote" ] && ! virsh -c $uri secret-list | grep -q "hatch-"; then
  ok "an HTTP drive with a password (a libvirt secret, removed after)"
else echo "# $out"; tail -5 "$tmp/err" | sed 's/^/# /'; notok "an HTTP drive with a password through libvirt"; fi
kill $http_pid; wait $http_pid 2> /dev/null
"$fish" --ro -a "ssh://127.0.0.1/disk.img" run > /dev/null 2> "$tmp/err"
err_has "an ssh drive through libvirt: a clear refusal" "libvirt has no 'ssh' network disks"

# qemu:///session as an unprivileged user, with its own libvirtd.
user=hatchtest
id "$user" > /dev/null 2>&1 || useradd -m "$user" > /dev/null 2>&1
if id "$user" > /dev/null 2>&1 && command -v runuser > /dev/null &&
   runuser -u "$user" -- test -x "$fish" && runuser -u "$user" -- test -r "$appliance_root"; then
  uhome=$tmp/session-home
  mkdir -p "$uhome/run"
  chown -R "$user" "$uhome"
  chmod 0700 "$uhome/run"
  runuser -u "$user" -- truncate -s 32M "$uhome/disk.img"
  runuser -u "$user" -- env -i PATH="$PATH" HOME="$uhome" XDG_RUNTIME_DIR="$uhome/run" \
    LIBGUESTFS_BACKEND=libvirt:qemu:///session LIBGUESTFS_PATH="$(dirname "$appliance_root")" \
    "$fish" -a "$uhome/disk.img" run : get-backend : mkfs vfat /dev/sda : mount /dev/sda / : \
      write /s session : cat /s > "$tmp/out" 2> "$tmp/err"
  rc=$?
  pkill -u "$user" -x libvirtd 2> /dev/null; pkill -u "$user" -x virtlogd 2> /dev/null
  if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "libvirt:qemu:///session
session" ]; then ok "qemu:///session as $user"
  else notok "qemu:///session as $user (status $rc)"; fi
  if [ "$(stat -c %U "$uhome/disk.img")" = "$user" ]; then ok "the session drive keeps its owner"
  else notok "the session drive's owner changed"; fi
else
  skip "user $user cannot run $fish or read the appliance (build tree permissions)"
  skip "user $user cannot run $fish"
fi
exit $fail
