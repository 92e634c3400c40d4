#!/bin/bash
# virt-index-validate (no appliance): a signed and an unsigned index
# validate; malformed ones fail with the line and the reason; the
# --compat-1.24.* checks.  (The parser itself is fuzzed by
# tests/unit/test-index-fuzz.)  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-index-validate" ] || { echo "1..0 # SKIP virt-index-validate not built"; exit 77; }
cat > "$tmp/index" <<'IDX'
# a comment
[debian-12]
name=Debian 12
arch=x86_64
file=debian-12.xz
checksum[sha512]=00
size=1073741824
notes=Made by debootstrap
 with nothing else

[other]
arch=x86_64
IDX
t "an index validates" 0 "$tmp/index validated OK" virt-index-validate "$tmp/index"
{ printf -- '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n'; cat "$tmp/index"
  printf -- '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n'; } > "$tmp/index.asc"
t "a clearsigned index validates" 0 "$tmp/index.asc validated OK" virt-index-validate "$tmp/index.asc"
printf '[a]\narch=x86_64\nno equals sign\n' > "$tmp/bad1"
st "a line without =" 1 virt-index-validate "$tmp/bad1"
err_has "the line and the reason" "bad1: line 3: expected ‘=’ after the field name"
printf '[a]\nname=x\n[b]\nname=y\n' > "$tmp/bad4"
st "sections not separated by a blank line (as libguestfs refuses)" 1 virt-index-validate "$tmp/bad4"
err_has "  its message" "line 3: a \[SECTION\] header must follow a blank line"
printf 'arch=x86_64\n' > "$tmp/bad2"
st "a field before any section" 1 virt-index-validate "$tmp/bad2"
err_has "  its message" "line 1: a field comes before the first \[SECTION\]"
printf '[a]\nk=\377\n' > "$tmp/bad3"
st "not UTF-8" 1 virt-index-validate "$tmp/bad3"
head -c 100000 /dev/urandom > "$tmp/random"
st "random bytes" 1 virt-index-validate "$tmp/random"
st "a directory" 1 virt-index-validate "$tmp"
st "--compat-1.24.1: comments refused" 1 virt-index-validate --compat-1.24.1 "$tmp/index"
err_has "  its message" "line 1: virt-builder 1.24.1 cannot read comments"
st "--compat-1.24.0: subkeys and missing sig= refused" 1 virt-index-validate --compat-1.24.0 "$tmp/index"
err_has "  its message" "line 6: virt-builder 1.24.0 cannot read ‘\[...\]’"
st "no file" 1 virt-index-validate
finish
