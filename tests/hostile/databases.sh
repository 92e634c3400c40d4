#!/bin/bash
# The hostile-image suite, guest databases and encrypted disks (make
# check): images made here by make-images.py, all in one inspection run and
# one guestfish session:
#  - Windows roots whose SOFTWARE and SYSTEM hives are hostile: a subkey
#    list looping to the root, a key that is its own child, 2^32-1
#    subkeys / 2^31-1 values / a 2 GiB value, seeded corruption; read by
#    inspection (virt-inspector), guestfish's hivex-* calls and virt-win-reg
#    (a host program walking the whole tree);
#  - Fedora-like roots whose rpm sqlite database lies: header blobs with
#    huge index counts and offsets, a 64 MiB row, a file cut in half, a
#    file that is not sqlite; read by inspection (applications);
#  - LUKS devices with hostile headers: 2^32-1 PBKDF2 iterations (LUKS1
#    and LUKS2), Argon2 with 2^32-1 time and memory cost, a 2^32-1-byte
#    key, a corrupt LUKS2 JSON area with no backup; opening must fail at
#    once (naming the limit where cryptsetup could read the header).
# For each: no crash, no hang past the bound, no host file read, read-only
# images byte-identical afterwards.  Prints TAP and the summary line.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/hostile-lib.bash"
mk=$here/make-images.py
img=$tmp/img
mkdir -p "$img/db"
python3 "$mk" hives "$img/db" "$here/../data/test.hive" > /dev/null &&
  python3 "$mk" rpmdbs "$img/db" > /dev/null &&
  python3 "$mk" luks "$img/db" > /dev/null || { echo "Bail out! making the images"; exit 1; }

drives=() kinds=()
# One small ext4 filesystem (no partition table) per guest root.
fs_of_tree () {   # fs_of_tree NAME SIZE: $img/NAME.root -> $img/NAME.fs
  mkfs.ext4 -q -F -d "$img/$1.root" "$img/$1.fs" "$2" > /dev/null 2>&1 ||
    { echo "Bail out! mkfs $1"; exit 1; }
  rm -rf "$img/$1.root"
  drives+=("$img/$1.fs")
}
for h in hive-loop-root hive-loop-self hive-huge-counts hive-random-1 hive-random-2; do
  r=$img/$h.root/Windows/System32
  mkdir -p "$r/config"
  cp "$img/db/$h" "$r/config/SOFTWARE"
  cp "$img/db/$h" "$r/config/SYSTEM"
  printf 'MZ' > "$r/cmd.exe"
  fs_of_tree "$h" 8M; kinds+=(hive)
done
for db in rpmdb-lies rpmdb-huge-row rpmdb-cut rpmdb-not-sqlite; do
  r=$img/$db.root
  mkdir -p "$r/etc" "$r/usr/bin" "$r/usr/lib/sysimage/rpm" "$r/var/lib"
  printf 'ID=fedora\nVERSION_ID=39\nNAME="Fedora Linux"\n' > "$r/etc/os-release"
  printf '\177ELF' > "$r/usr/bin/bash"
  ln -s usr/bin "$r/bin"
  ln -s ../../usr/lib/sysimage/rpm "$r/var/lib/rpm"
  echo '/dev/sda / ext4 defaults 0 1' > "$r/etc/fstab"
  mv "$img/db/$db.sqlite" "$r/usr/lib/sysimage/rpm/rpmdb.sqlite"
  fs_of_tree "$db" 100M; kinds+=(rpm)
done
for l in luks1-iterations luks1-key-bytes luks2-pbkdf2 luks2-argon2 luks2-json-corrupt; do
  drives+=("$img/db/$l.img"); kinds+=(luks)
done
rm -f "$img"/db/hive-*

args=() hashes=()
for d in "${drives[@]}"; do
  chmod 0444 "$d"
  args+=(-a "$d"); hashes+=("$(hostile_hash "$d")")
  images=$((images + 1))
done
echo "# ${#drives[@]} images: ${kinds[*]}"

# ---- inspection: the guest roots at once, then the LUKS disks ----
nroots=9     # 5 Windows + 4 Fedora roots come first in drives[]
hostile_run "virt-inspector over hostile hives and rpm databases" 600 \
  "$tools/virt-inspector" --format=raw "${args[@]:0:$((2 * nroots))}"
echo "# virt-inspector found $(grep -c '<operatingsystem>' "$tmp/run.out") operating systems"
if [ "$(grep -c '<name>windows</name>' "$tmp/run.out")" -ge 1 ] &&
   [ "$(grep -c '<distro>fedora</distro>' "$tmp/run.out")" = 4 ]; then
  ok "inspection still found Windows roots and the 4 Fedora roots"
else notok "inspection still found Windows roots and the 4 Fedora roots"
  head -c 2000 "$tmp/run.err" | sed 's/^/#   /'; fi
# A wrong key for each LUKS disk on stdin: as libguestfs's, the tool stops
# when a disk cannot be opened; a hostile header must make that quick.
hostile_run "virt-inspector over hostile LUKS headers (wrong keys)" 300 \
  sh -c 'printf "wrongkey\n%.0s" 1 2 3 4 5 | "$@"' sh "$tools/virt-inspector" --keys-from-stdin \
  --format=raw "${args[@]:$((2 * nroots))}"
if [ $run_rc != 0 ] && grep -q 'the limit is' "$tmp/run.err"; then
  ok "virt-inspector: the hostile LUKS header is refused at once, naming the limit"
else notok "virt-inspector: the hostile LUKS header is refused at once, naming the limit"; fi

# ---- hivex calls, LUKS opens, one guestfish session ----
letters=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
# hivex node handles are file offsets: the root cell's offset + 4096.
root=$(python3 -c 'import struct,sys; print(0x1000 + struct.unpack_from("<I", open(sys.argv[1],"rb").read(), 0x24)[0])' "$here/../data/test.hive")
script=(run) keys=()
for i in "${!drives[@]}"; do
  dev=/dev/sd${letters[$i]}
  case ${kinds[$i]} in
    hive) script+=("-mount-ro $dev /" "-hivex-open /Windows/System32/config/SOFTWARE"
                   "-hivex-root" "-hivex-node-children $root" "-hivex-node-values $root"
                   "-hivex-node-get-child $root Software" "-hivex-close" "-umount-all") ;;
    luks) script+=("-vfs-type $dev" "-cryptsetup-open $dev crypt$i"); keys+=(hatchkey) ;;
  esac
done
script+=("echo SESSION-END")
printf '%s\n' "${script[@]}" > "$img/session.script"
t0=$SECONDS
printf '%s\n' "${keys[@]}" | timeout -k 10 400 "$fish" --ro --format=raw --keys-from-stdin \
  "${args[@]}" -f "$img/session.script" > "$tmp/run.out" 2> "$tmp/run.err"
rc=$?
echo "# guestfish session: exit $rc after $((SECONDS - t0))s; errors:"
grep -v '^$' "$tmp/run.err" | sort -u | head -20 | cut -c1-200 | sed 's/^/#   /'
if [ $rc = 124 ] || [ $rc = 137 ] || grep -q 'LIBGUESTFS_CALL_TIMEOUT' "$tmp/run.err"; then
  hangs=$((hangs + 1)); notok "hivex and LUKS session: no hang"
elif [ $rc -ge 128 ] || grep -qE 'AddressSanitizer|Segmentation fault' "$tmp/run.err"; then
  crashes=$((crashes + 1)); notok "hivex and LUKS session: no crash"
elif ! grep -q SESSION-END "$tmp/run.out"; then
  notok "hivex and LUKS session reached its end (the appliance survived)"
else ok "hivex and LUKS session: no hang, no crash, appliance alive ($((SECONDS - t0))s)"; fi
n_limit=$(grep -c 'the limit is' "$tmp/run.err")
if [ "$n_limit" = 3 ] && ! grep -q '/dev/mapper/crypt' "$tmp/run.out"; then
  ok "LUKS: the 3 headers with absurd key derivation costs refused naming the limit, no device opened"
else notok "LUKS: the 3 headers with absurd key derivation costs refused naming the limit ($n_limit)"; fi
if [ "$(grep -c 'cryptsetup-open\|crypt[0-9]*:\|LUKS' "$tmp/run.err")" -ge 5 ]; then
  ok "LUKS: all 5 opens failed with a message"
else notok "LUKS: all 5 opens failed with a message"; fi

# ---- virt-win-reg: a host program walking the whole (looping) tree ----
if [ -x "$tools/virt-win-reg" ]; then
  for i in 0 1 2; do    # hive-loop-root, hive-loop-self, hive-huge-counts
    hostile_run "virt-win-reg over $(basename "${drives[$i]}" .fs)" 180 \
      "$tools/virt-win-reg" --format=raw -a "${drives[$i]}" 'HKLM\SOFTWARE'
  done
fi

hostile_check_outputs "databases and LUKS"
changed=0
for i in "${!drives[@]}"; do
  [ "$(hostile_hash "${drives[$i]}")" = "${hashes[$i]}" ] || { changed=1; echo "# changed: ${drives[$i]}"; }
done
if [ $changed = 0 ]; then ok "all ${#drives[@]} images byte-identical afterwards (sha256)"
else escapes=$((escapes + 1)); notok "all images byte-identical afterwards (sha256)"; fi
hostile_summary
