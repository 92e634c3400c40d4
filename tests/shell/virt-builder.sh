#!/bin/bash
# virt-builder and virt-builder-repository against a real repository made
# here: the Debian 12 debootstrap guest (tests/data/make-guest-debootstrap.sh:
# MBR, ext4 root, fstab) compressed with xz in blocks (kept in the build
# directory between runs), an index clearsigned by a throw-away GnuPG key
# made by this test, served by file:// and by a python3 HTTP server on
# loopback that the test starts and stops.
#   no appliance: the option lists, --list in its three formats (the JSON
#     read by a real JSON parser and checked field by field), --notes,
#     sources from repos.d (XDG_CONFIG_HOME and VIRT_BUILDER_DIRS), --source
#     with --fingerprint, http:// with proxy=off and a dead http_proxy, a
#     tampered, an unsigned and a wrong-key index refused, a tampered
#     template refused by its SHA-512, the cache commands;
#   builds: one with --size larger than the template (the last partition
#     and its ext4 grown in place, in the customization's launch) and
#     customizations, a second one from the cache in qcow2; one
#     guestfish launch checks both (Debian 12, the grown root filesystem,
#     the customizations);
#   virt-builder-repository on the LVM test guest: an index that
#     virt-index-validate accepts and virt-builder uses.
# (tests/soak/virt-builder-long.sh: builds through virt-resize over HTTP
# onto a block device and of an LVM template, a repository of two images
# made twice.)
# TAP.  Skips when gpg, xz or the debootstrap image are missing.
source "$(dirname "$0")/tools-lib.bash"
vb=$tools/virt-builder
[ -x "$vb" ] || { echo "1..0 # SKIP virt-builder not built"; exit 77; }
for p in gpg gpgconf xz qemu-img sha512sum; do
  command -v $p > /dev/null || { echo "1..0 # SKIP $p is not installed"; exit 77; }
done
py=/usr/bin/python3
[ -x $py ] || py=python3
need_debootstrap_image

export GNUPGHOME=$tmp/gnupg XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
export VIRT_BUILDER_DIRS=$tmp/sysconf
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
http_pid=
cleanup () {
  [ -n "$http_pid" ] && kill "$http_pid" 2> /dev/null
  gpgconf --homedir "$GNUPGHOME" --kill all 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the repository ------------------------------------------------------
make_throwaway_gpg_key builder-test
gpg --export --armor "$fpr" > "$tmp/key.asc"
spaced_fpr=$(echo "$fpr" | sed 's/..../& /g; s/ $//')

repo=$tmp/repo
mkdir -p "$repo"
# xz in 8 MiB blocks (several blocks: the parallel decompression has work
# to share); made once, kept beside the other test images.
tmpl=$data/virt-builder-debian-12.img.xz
if ! [ -s "$tmpl" ] || [ "$debdir/disk.img" -nt "$tmpl" ]; then
  xz -0 -T0 --block-size=8MiB -c "$debdir/disk.img" > "$tmpl.tmp" && mv "$tmpl.tmp" "$tmpl"
fi
cp "$tmpl" "$repo/debian-12.img.xz"
tsize=$(stat -c %s "$debdir/disk.img")
sum=$(sha512sum < "$repo/debian-12.img.xz" | cut -d' ' -f1)
csize=$(stat -c %s "$repo/debian-12.img.xz")
cat > "$repo/index" <<EOF
[debian-12]
name=Debian 12 (bookworm) minbase
osinfo=debian12
arch=x86_64
file=debian-12.img.xz
checksum[sha512]=$sum
format=raw
size=$tsize
compressed_size=$csize
expand=/dev/sda1
notes=Made by debootstrap --variant=minbase.
 
 No kernel is installed.
aliases=bookworm deb12

[secret-9]
name=A hidden template
arch=x86_64
file=debian-12.img.xz
checksum=$sum
size=$tsize
revision=4
hidden=true
EOF
gpg --batch --quiet --yes --clearsign "$repo/index" 2> /dev/null
mkdir -p "$XDG_CONFIG_HOME/virt-builder/repos.d"
printf '[hatch-test]\nuri=file://%s/index.asc\ngpgkey=file://%s/key.asc\n' "$repo" "$tmp" \
  > "$XDG_CONFIG_HOME/virt-builder/repos.d/test.conf"

# ---- the command line ------------------------------------------------------
"$vb" --long-options > "$tmp/long" 2> "$tmp/err"
missing=
for o in --append-line --arch --attach --attach-format --cache --cache-all-templates \
         --check-signature --check-signatures --chmod --color --colors --colour --colours \
         --commands-from-file --copy --copy-in --curl --debug-gc --delete --delete-cache \
         --edit --fingerprint --firstboot --firstboot-command --firstboot-install --format \
         --get-kernel --gpg --help --hostname --install --list --link --list-format --long \
         --memsize --machine-readable --mkdir --move --network --no-cache \
         --no-check-signature --no-check-signatures --no-delete-on-failure --no-logfile \
         --no-network --no-sync --no-warn-if-partition --notes --output --password \
         --password-crypto --print-cache --quiet --root-password --run --run-command --scrub \
         --selinux-relabel --size --sm-attach --sm-credentials --sm-register --sm-remove \
         --sm-unregister --smp --source --ssh-inject --timezone --touch --truncate \
         --truncate-recursive --uninstall --update --upload --version --verbose --wrap --write; do
  grep -qx -- "$o" "$tmp/long" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "--long-options has every option of 1.48"
else echo "# missing:$missing"; notok "--long-options has every option of 1.48"; fi
"$vb" --short-options > "$tmp/out" 2> "$tmp/err"
if [ "$(sort "$tmp/out" | tr '\n' ' ')" = "$(printf -- '-%s\n' l m o q V v x | sort | tr '\n' ' ')" ]; then
  ok "--short-options"; else notok "--short-options"; fi
t "--machine-readable alone: the capabilities" 0 \
  "$(printf 'virt-builder\narch\nconfig-file\ncustomize\njson-list\npxzcat')" virt-builder --machine-readable
st "-V" 0 virt-builder -V
out_has "  its output" '^virt-builder [0-9]'
st "--help" 0 virt-builder --help
out_has "  lists the customization options" '--run-command'
"$tools/virt-builder-repository" --long-options > "$tmp/long" 2> "$tmp/err"
missing=
for o in --color --colors --colour --colours --debug-gc --gpg --gpg-key --help --interactive \
         --machine-readable --no-compression --quiet --version --verbose --wrap; do
  grep -qx -- "$o" "$tmp/long" || missing="$missing $o"
done
"$tools/virt-builder-repository" --short-options > "$tmp/short" 2> "$tmp/err"
if [ -z "$missing" ] && [ "$(sort "$tmp/short" | tr '\n' ' ')" = "$(printf -- '-%s\n' i K q V v x | sort | tr '\n' ' ')" ]; then
  ok "virt-builder-repository: the options of 1.48"
else echo "# missing:$missing"; notok "virt-builder-repository: the options of 1.48"; fi
t "virt-builder-repository --machine-readable" 0 virt-builder-repository virt-builder-repository --machine-readable
st "virt-builder-repository on a missing folder" 1 virt-builder-repository "$tmp/nowhere"
st "no os-version" 1 virt-builder
st "--list-format unknown" 1 virt-builder --list --list-format xml
err_has "  its message" "unknown format ‘xml’"
st "--size garbage" 1 virt-builder debian-12 --size lots
st "--format vmdk" 1 virt-builder debian-12 --format vmdk

# ---- listing -------------------------------------------------------------
t "--list (hidden templates left out)" 0 \
  "$(printf '%-24s %-10s %s' debian-12 x86_64 'Debian 12 (bookworm) minbase')" virt-builder --list
"$vb" --list --long > "$tmp/out" 2> "$tmp/err"
expected_long="Source URI: file://$repo/index.asc
Key: $tmp/key.asc

os-version:              debian-12
Full name:               Debian 12 (bookworm) minbase
Architecture:            x86_64
Minimum/default size:    $(awk -v s="$tsize" 'BEGIN { printf "%.1fM", s / 1048576 }')
Download size:           $(awk -v s="$csize" 'BEGIN { printf "%.1fM", s / 1048576 }')
Aliases:                 bookworm deb12

Notes:

Made by debootstrap --variant=minbase.

No kernel is installed."
if [ "$(cat "$tmp/out")" = "$expected_long" ]; then ok "--list --long"
else diff <(echo "$expected_long") "$tmp/out" | sed 's/^/# /'; notok "--list --long"; fi
"$vb" --list --list-format json > "$tmp/json" 2> "$tmp/err"
if $py - "$tmp/json" "$repo" "$tmp/key.asc" "$tsize" "$csize" <<'PY' > "$tmp/out" 2>&1
import json, sys
path, repo, key, tsize, csize = sys.argv[1:]
d = json.load(open(path))
assert list(d) == ["version", "sources", "templates"], list(d)
assert d["version"] == 1
assert d["sources"] == [{"key": key, "uri": "file://" + repo + "/index.asc"}], d["sources"]
t = {x["os-version"]: x for x in d["templates"]}
assert sorted(t) == ["debian-12", "secret-9"], sorted(t)
deb = t["debian-12"]
assert list(deb) == ["os-version", "full-name", "arch", "size", "compressed-size",
                     "notes", "aliases", "osinfo", "hidden"], list(deb)
assert deb["full-name"] == "Debian 12 (bookworm) minbase"
assert deb["arch"] == "x86_64" and deb["size"] == int(tsize)
assert deb["compressed-size"] == csize          # a string, as 1.48 writes it
assert deb["notes"] == {"C": "Made by debootstrap --variant=minbase.\n\nNo kernel is installed."}
assert deb["aliases"] == ["bookworm", "deb12"] and deb["osinfo"] == "debian12"
assert deb["hidden"] is False
assert t["secret-9"]["hidden"] is True and "notes" not in t["secret-9"]
PY
then ok "--list --list-format json: the 1.48 layout, read by a JSON parser"
else notok "--list --list-format json"; fi
if $py -c 'import jsonschema' 2> /dev/null; then
  $py "$top/tests/shell/json-output-check.py" validate "$top/docs/virt-builder-list.schema.json" \
    "$tmp/json" > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ]; then ok "  valid against docs/virt-builder-list.schema.json"; else notok "  valid against the schema"; fi
  sed 's/"hidden": true/"hidden": "yes"/' "$tmp/json" > "$tmp/json-bad"
  $py "$top/tests/shell/json-output-check.py" validate "$top/docs/virt-builder-list.schema.json" \
    "$tmp/json-bad" > "$tmp/out" 2> "$tmp/err"
  if [ $? = 1 ]; then ok "  the validator refuses a document off the schema"; else notok "  the validator refuses"; fi
else
  skip "python3-jsonschema is not installed"
fi
t "--list with an alias" 0 \
  "$(printf '%-24s %-10s %s' debian-12 x86_64 'Debian 12 (bookworm) minbase')" virt-builder --list bookworm
t "--notes" 0 "$(printf 'Made by debootstrap --variant=minbase.\n\nNo kernel is installed.')" \
  virt-builder --notes deb12
st "--notes of an unknown template" 1 virt-builder --notes fedora-99
err_has "  its message" "no template called ‘fedora-99’"

# ---- sources, signatures -------------------------------------------------
st "--source without a key or fingerprint is refused" 1 virt-builder --source "file://$repo/index.asc" --list
err_has "  its message" "no key to check its signature against"
t "--source with --fingerprint (spaced, the user's keyring)" 0 \
  "$(printf '%-24s %-10s %s' debian-12 x86_64 'Debian 12 (bookworm) minbase')" \
  virt-builder --source "file://$repo/index.asc" --fingerprint "$spaced_fpr" --list
st "a fingerprint of another key is refused" 1 \
  virt-builder --source "file://$repo/index.asc" --fingerprint 0123456789ABCDEF0123456789ABCDEF01234567 --list
err_has "  its message" "not valid or not made by the expected key"
st "an unsigned index is refused" 1 virt-builder --source "file://$repo/index" --fingerprint "$fpr" --list
err_has "  its message" "is not signed (use --no-check-signature"
# A source with neither a key file nor a fingerprint: an empty one, in
# both layouts (as 1.48 prints it).
"$vb" --no-check-signature --source "file://$repo/index" --list --long > "$tmp/out" 2> "$tmp/err"
if [ "$(head -2 "$tmp/out")" = "$(printf 'Source URI: file://%s/index\nFingerprint: ' "$repo")" ]
then ok "--list --long: an unsigned source's empty Fingerprint"
else notok "--list --long: an unsigned source's empty Fingerprint"; head -3 "$tmp/out" | sed 's/^/# /'; fi
"$vb" --no-check-signature --source "file://$repo/index" --list --list-format json > "$tmp/json" 2> "$tmp/err"
if $py -c 'import json, sys; s = json.load(open(sys.argv[1]))["sources"]; assert s[0] == {"fingerprint": "", "uri": "file://" + sys.argv[2] + "/index"}, s' \
     "$tmp/json" "$repo" > "$tmp/out" 2>&1
then ok "--list --list-format json: an unsigned source's empty fingerprint"
else notok "--list --list-format json: an unsigned source's empty fingerprint"; sed 's/^/# /' "$tmp/out"; fi
"$vb" --no-check-signature --source "file://$repo/index" --list > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && [ "$(grep -c debian-12 "$tmp/out")" = 1 ]; then ok "--no-check-signature accepts it"
else notok "--no-check-signature"; fi
st "two fingerprints for one source" 1 virt-builder --source "file://$repo/index.asc" \
  --fingerprint "$fpr" --fingerprint "$fpr" --list
bad=$tmp/bad
mkdir -p "$bad"
ln -s "$repo/debian-12.img.xz" "$bad/debian-12.img.xz"
sed 's/^name=Debian 12 (bookworm) minbase/name=Debian 12 TAMPERED/' "$repo/index.asc" > "$bad/index.asc"
st "a tampered index is refused" 1 virt-builder --source "file://$bad/index.asc" --fingerprint "$fpr" --list
err_has "  its message" "the digital signature is not valid"
{ echo 'arch=evil'; cat "$repo/index.asc"; } > "$bad/index-prefixed.asc"
st "text before the signed message is refused" 1 \
  virt-builder --source "file://$bad/index-prefixed.asc" --fingerprint "$fpr" --list
mkdir -p "$VIRT_BUILDER_DIRS/virt-builder/repos.d"

# HTTP: a python3 server on loopback, started and stopped here.
start_http_server "$repo" index.asc
port=$http_port
printf '[over-http]\nuri=http://127.0.0.1:%s/index.asc\ngpgkey=file://%s/key.asc\nproxy=off\n' \
  "$port" "$tmp" > "$VIRT_BUILDER_DIRS/virt-builder/repos.d/http.conf"
mv "$XDG_CONFIG_HOME/virt-builder/repos.d/test.conf" "$tmp/test.conf.off"
http_proxy=http://127.0.0.1:9 "$vb" --list --long > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q "^Source URI: http://127.0.0.1:$port/index.asc" "$tmp/out" &&
   grep -q '^os-version: *debian-12' "$tmp/out"; then
  ok "http:// source from VIRT_BUILDER_DIRS, proxy=off ignores http_proxy"
else notok "http:// source"; fi
http_proxy=http://127.0.0.1:9 "$vb" --source "http://127.0.0.1:$port/index.asc" \
  --fingerprint "$fpr" --list > "$tmp/out" 2> "$tmp/err"
if [ $? = 1 ] && grep -q "download failed" "$tmp/err"; then ok "  a --source follows http_proxy (a dead one: failure)"
else notok "  a --source follows http_proxy"; fi
rm "$VIRT_BUILDER_DIRS/virt-builder/repos.d/http.conf"
mv "$tmp/test.conf.off" "$XDG_CONFIG_HOME/virt-builder/repos.d/test.conf"

# A tampered template: refused by its checksum before anything is built.
cp "$repo/index.asc" "$bad/index.asc"
rm "$bad/debian-12.img.xz"
cp "$repo/debian-12.img.xz" "$bad/debian-12.img.xz"
printf 'X' | dd of="$bad/debian-12.img.xz" bs=1 seek=100000 conv=notrunc status=none
st "a tampered template is refused" 1 virt-builder --no-cache --source "file://$bad/index.asc" \
  --fingerprint "$fpr" debian-12 -o "$tmp/never.img"
err_has "  its message" "SHA-512 checksum of the template does not match"
if [ ! -e "$tmp/never.img" ]; then ok "  no output file"; else notok "  no output file"; fi

# ---- builds ----------------------------------------------------------------
t "--print-cache before" 0 "$(printf 'cache directory: %s/virt-builder\n%-24s %-10s %s' \
  "$XDG_CACHE_HOME" debian-12 x86_64 no)" virt-builder --print-cache
start=$(date +%s)
"$vb" debian-12 --size 400M -o "$tmp/big.img" --no-network --hostname built.example.com \
  --write '/etc/motd:built by virt-builder' --root-password password:builder-secret \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc = 0 ] && [ "$(stat -c %s "$tmp/big.img")" = $((400 * 1048576)) ]; then
  ok "build with --size 400M (template $((tsize / 1048576)) MiB; ${secs} s)"
else notok "build with --size 400M (exit $rc)"; fi
out_has "  downloaded" "\] Downloading: file://$repo/debian-12.img.xz"
out_has "  grown in place (the last partition)" "\] Growing /dev/sda1 (ext4) to the end of the disk"
out_has "  the summary" "Output format: raw"
if [ -s "$XDG_CACHE_HOME/virt-builder/debian-12.x86_64.1" ] &&
   cmp -s "$XDG_CACHE_HOME/virt-builder/debian-12.x86_64.1" "$repo/debian-12.img.xz"; then
  ok "  the template is cached as debian-12.x86_64.1"
else notok "  the template is cached"; fi
t "--print-cache after" 0 "$(printf 'cache directory: %s/virt-builder\n%-24s %-10s %s' \
  "$XDG_CACHE_HOME" debian-12 x86_64 cached)" virt-builder --print-cache

# The second build: from the cache (the repository's template is gone),
# to qcow2, the template's size (no virt-resize).
mv "$repo/debian-12.img.xz" "$tmp/moved.xz"
start=$(date +%s)
"$vb" bookworm --format qcow2 -o "$tmp/small.qcow2" --no-network --touch /from-the-cache --no-sync \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
mv "$tmp/moved.xz" "$repo/debian-12.img.xz"
if [ $rc = 0 ] && ! grep -q Downloading "$tmp/out" &&
   qemu-img info --output=json "$tmp/small.qcow2" | grep -q '"format": "qcow2"'; then
  ok "second build from the cache, in qcow2 (${secs} s)"
else notok "second build from the cache (exit $rc)"; fi

# Both results in one guestfish launch.
"$fish" --ro -a "$tmp/big.img" --format=qcow2 -a "$tmp/small.qcow2" > "$tmp/out" 2> "$tmp/err" <<'GF'
run
echo "== roots"
inspect-os
echo "== distro"
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
echo "== disk"
blockdev-getsize64 /dev/sda
echo "== fs"
mount /dev/sda1 /
statvfs / | grep -E '^(bsize|blocks):'
echo "== motd"
cat /etc/motd
echo "== hostname"
cat /etc/hostname
echo "== shadow"
grep ^root: /etc/shadow
umount-all
mount /dev/sdb1 /
echo "== touched"
is-file /from-the-cache
echo "== small-fs"
statvfs / | grep -E '^(bsize|blocks):'
GF
section () { sed -n "/^== $1\$/,/^==/p" "$tmp/out" | grep -v '^=='; }
if [ "$(section roots | tr '\n' ' ')" = "/dev/sda1 /dev/sdb1 " ] &&
   [ "$(section distro | tr '\n' ' ')" = "debian 12 " ]; then
  ok "the build inspects as Debian 12"
else notok "the build inspects as Debian 12"; fi
if [ "$(section disk)" = $((400 * 1048576)) ]; then ok "  the disk is 400 MiB"; else notok "  the disk is 400 MiB"; fi
fs_bytes () { section "$1" | awk '/bsize/ { b = $2 } /blocks/ { n = $2 } END { print b * n }'; }
big=$(fs_bytes fs) small=$(fs_bytes small-fs)
if [ "$big" -gt $((350 * 1048576)) ] && [ "$small" -lt "$tsize" ]; then
  ok "  the root filesystem grew ($((small / 1048576)) MiB -> $((big / 1048576)) MiB)"
else echo "# big=$big small=$small"; notok "  the root filesystem grew"; fi
if [ "$(section motd)" = "built by virt-builder" ] && [ "$(section hostname)" = built.example.com ]; then
  ok "  --write and --hostname took effect"
else notok "  --write and --hostname took effect"; fi
if section shadow | grep -q '^root:\$6\$'; then ok "  --root-password set a SHA-512 crypt hash"
else notok "  --root-password"; fi
if [ "$(section touched)" = true ]; then ok "  --touch in the second build"; else notok "  --touch in the second build"; fi

# ---- virt-builder-repository -----------------------------------------------
if make_tools_image > "$tmp/mk.log" 2>&1; then
  r2=$tmp/repo2
  mkdir -p "$r2"
  cp --sparse=always "$tools_image" "$r2/fakedeb.img"
  # The minimal index of the man page: what inspection cannot tell (the
  # fake guest has no binary to read the architecture from) and a field
  # to keep.
  printf '[fakedeb]\nfile=fakedeb.img.xz\narch=x86_64\naliases=fake\n' > "$r2/index"
  "$tools/virt-builder-repository" --gpg-key "$fpr" "$r2" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ $rc = 0 ] && [ -s "$r2/index" ] && [ -s "$r2/index.asc" ] && [ -s "$r2/fakedeb.img.xz" ] &&
     [ -z "$(find "$r2" -name '.virt-builder-repository*')" ]; then
    ok "virt-builder-repository: index, index.asc, the compressed image"
  else notok "virt-builder-repository (exit $rc)"; fi
  st "  virt-index-validate accepts the index" 0 virt-index-validate "$r2/index.asc"
  x=$(sha512sum < "$r2/fakedeb.img.xz" | cut -d' ' -f1)
  want="[fakedeb]
name=12.5
osinfo=debian12
arch=x86_64
file=fakedeb.img.xz
checksum[sha512]=$x
format=raw
size=67108864
compressed_size=$(stat -c %s "$r2/fakedeb.img.xz")
expand=/dev/sda2
lvexpand=/dev/tvg/root
aliases=fake"
  if [ "$(cat "$r2/index")" = "$want" ]; then ok "  the index: inspected fields, checksum, expand/lvexpand"
  else diff <(echo "$want") "$r2/index" | sed 's/^/# /'; notok "  the index"; fi
  "$vb" --source "file://$r2/index.asc" --fingerprint "$fpr" --list --long > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && grep -q '^os-version: *fakedeb$' "$tmp/out"; then ok "  virt-builder lists it"
  else notok "  virt-builder lists it"; fi
  "$vb" --source "file://$r2/index.asc" --fingerprint "$fpr" --cache-all-templates > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ -s "$XDG_CACHE_HOME/virt-builder/fakedeb.x86_64.1" ]; then
    ok "  virt-builder downloads and checks its template"
  else notok "  virt-builder downloads and checks its template"; fi
else
  sed 's/^/# /' "$tmp/mk.log"; notok "make the LVM test guest"
fi

st "--delete-cache" 0 virt-builder --delete-cache
if [ ! -e "$XDG_CACHE_HOME/virt-builder" ]; then ok "  the cache is gone"; else notok "  the cache is gone"; fi
finish
