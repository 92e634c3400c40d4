#!/bin/bash
# virt-customize --install, --uninstall through a real Debian 12 guest's
# own apt, run inside the appliance with its network (deb.debian.org):
# the small package "hello" is installed (its program runs in the guest
# and dpkg lists it), then removed.  Minutes under TCG, so kept out of make
# check.  The debootstrap image has little free space, so the test's copy
# is grown first (guestfish part-resize + resize2fs).  TAP; skips without
# the image or the mirror.
source "$(dirname "$0")/../shell/tools-lib.bash"
vc=$tools/virt-customize
[ -x "$vc" ] || { echo "1..0 # SKIP virt-customize not built"; exit 77; }
need_debootstrap_image
python3 -c 'import urllib.request; urllib.request.urlopen("http://deb.debian.org/debian/dists/bookworm/Release", timeout=15).read(64)' 2> /dev/null ||
  { echo "1..0 # SKIP deb.debian.org is unreachable"; exit 77; }

img=$tmp/deb.img
cp --sparse=always "$debdir/disk.img" "$img"
truncate -s +300M "$img"
if printf 'run\npart-resize /dev/sda 1 -1\nresize2fs /dev/sda1\n' |
     "$fish" --format=raw -a "$img" > "$tmp/out" 2> "$tmp/err"; then ok "grow the guest's disk"; else notok "grow the guest's disk"; fi

start=$(date +%s)
"$vc" --format=raw -a "$img" \
  --write '/etc/apt/apt.conf.d/90-no-translations:Acquire::Languages "none";' \
  --install hello > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q '\] Installing packages: hello$' "$tmp/out"; then
  ok "--install hello ($(( $(date +%s) - start )) s)"
else notok "--install hello (exit $rc)"; fi

"$fish" --ro --format=raw -a "$img" -i > "$tmp/out" 2> "$tmp/err" <<'GF'
is-file /usr/bin/hello
grep "^Package: hello$" /var/lib/dpkg/status
grep "^Setting up hello " /tmp/builder.log
GF
if [ "$(head -2 "$tmp/out")" = "true
Package: hello" ] && grep -q "^Setting up hello " "$tmp/out"; then ok "hello is installed (dpkg status, the build log)"
else notok "hello is installed"; fi

"$vc" --format=raw -a "$img" --run-command '/usr/bin/hello > /root/hello.out' \
  --uninstall hello > "$tmp/out" 2> "$tmp/err"
rc=$?
"$fish" --ro --format=raw -a "$img" -i > "$tmp/out" 2> "$tmp/err" <<'GF'
cat /root/hello.out
exists /usr/bin/hello
GF
if [ $rc = 0 ] && [ "$(grep -v '^$' "$tmp/out")" = "Hello, world!
false" ]; then ok "the installed program runs in the guest; --uninstall removes it"
else echo "# exit $rc"; notok "run and --uninstall"; fi
finish
