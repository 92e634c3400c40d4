#!/bin/bash
# The hostile-image suite, quick part (make check; the big images are in
# tests/hostile/soak/).  Images made here from fixed seeds:
#  - a guest tree (ext4 in a partition) with symlink escapes of every
#    kind, names with newlines/escapes/invalid UTF-8, a 10 MiB os-release,
#    a 10 000-line fstab, an 8 MiB dpkg status with 70 000-byte names, 300
#    levels of directories, 5 000 entries; every tool runs over it
#    (virt-inspector, guestfish -i, virt-ls -lR, virt-cat, virt-copy-out,
#    virt-tar-out, guestmount) and virt-ls on a terminal must not pass the
#    escapes through;
#  - ext4, xfs, btrfs, vfat and ntfs images with seeded corruption of
#    their superblocks and inode tables, and six hostile partition tables
#    (overlapping, out of range, a self-linked extended chain, GPT with a
#    bad CRC, 256 entries), all in one guestfish session;
#  - qcow2 headers: a huge L1 table, backing files naming /etc/shadow and
#    a host file, a backing chain naming itself.
# Each run has a time bound; read-only images are hashed before and after.
# Prints TAP and the summary line (images tried, escapes, hangs, crashes).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/hostile-lib.bash"
mk=$here/make-images.py
img=$tmp/img
mkdir -p "$img/tree" "$img/pt" "$img/small"

# ---- the guest tree, every tool ----
python3 "$mk" tree "$img/tree" "$tmp/outside" quick || { echo "Bail out! tree"; exit 1; }
mkfs.ext4 -q -F -N 20000 -d "$img/tree" "$img/tree.fs" 160M > /dev/null || { echo "Bail out! mkfs"; exit 1; }
truncate -s 162M "$img/tree.img"
echo 'start=2048, type=83' | sfdisk -q "$img/tree.img" > /dev/null
dd if="$img/tree.fs" of="$img/tree.img" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$img/tree.fs"
chmod 0444 "$img/tree.img"
hostile_tools tree "$img/tree.img" 180 /etc/motd

# virt-ls on a terminal: the guest's escape sequences are shown, not obeyed.
if command -v script > /dev/null; then
  script -qec "timeout 120 $tools/virt-ls --format=raw -a $img/tree.img -m /dev/sda1 /names" \
    /dev/null > "$tmp/run.tty" 2>&1
  if grep -q 'esc\\x1b\]0;pwned\\x07' "$tmp/run.tty" && ! grep -q $'\x1b' "$tmp/run.tty" &&
     ! grep -q $'\xc2\x9b' "$tmp/run.tty"; then
    ok "tree: virt-ls on a terminal escapes control characters in names"
  else notok "tree: virt-ls on a terminal escapes control characters in names"
    od -c "$tmp/run.tty" | head -20 | sed 's/^/#   /'; fi
fi

# ---- corrupted filesystems and partition tables, one session ----
small=$img/small
for i in $(seq 40); do echo "file $i" > "$small/f$i"; done
mkdir -p "$small/d/e/f"; ln -s /etc/shadow "$small/d/link"
drives=()
mkfs_img () {   # mkfs_img NAME SIZE CMD... (image path appended)
  local name=$1 size=$2; shift 2
  truncate -s "$size" "$img/$name.fs"
  "$@" "$img/$name.fs" > /dev/null 2>&1 || { echo "# $name: mkfs failed"; rm -f "$img/$name.fs"; return; }
}
mkfs_img ext4 32M mkfs.ext4 -q -F -d "$small"
mkfs_img xfs 300M mkfs.xfs -q -f
mkfs_img btrfs 128M mkfs.btrfs -q --rootdir "$small"
mkfs_img vfat 32M mkfs.vfat
[ -f "$img/vfat.fs" ] && mcopy -i "$img/vfat.fs" "$small"/f1 "$small"/f2 ::/ 2>/dev/null
mkfs_img ntfs 32M mkntfs -q -F -f
for fs in ext4 xfs btrfs vfat ntfs; do
  [ -f "$img/$fs.fs" ] || continue
  # Seed 1: a few bits in the superblock area; seed 2: many over the
  # metadata (inode tables, allocation groups, trees, MFT).
  cp --sparse=always "$img/$fs.fs" "$img/$fs-s1.img"
  python3 "$mk" corrupt "$img/$fs-s1.img" 1 48 1024 65536
  cp --sparse=always "$img/$fs.fs" "$img/$fs-s2.img"
  python3 "$mk" corrupt "$img/$fs-s2.img" 2 3000 0 8388608
  rm -f "$img/$fs.fs"
  drives+=("$img/$fs-s1.img" "$img/$fs-s2.img")
done
python3 "$mk" ptables "$img/pt" > /dev/null
for p in "$img"/pt/*.img; do drives+=("$p"); done

args=() script=(run) hashes=()
letters=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
for i in "${!drives[@]}"; do
  d=${drives[$i]}; dev=/dev/sd${letters[$i]}
  args+=(-a "$d"); hashes+=("$(hostile_hash "$d")")
  images=$((images + 1))
  script+=("-vfs-type $dev" "-mount-ro $dev /" "-find /" "-ll /d" "-cat /f1"
           "-umount-all" "-part-list $dev" "-part-get-parttype $dev")
done
script+=("-list-partitions" "-list-filesystems" "-inspect-os" "echo SESSION-END")
printf '%s\n' "${script[@]}" > "$img/session.script"
t0=$SECONDS
timeout -k 10 400 "$fish" --ro --format=raw "${args[@]}" -f "$img/session.script" < /dev/null \
  > "$tmp/run.out" 2> "$tmp/run.err"
rc=$?
echo "# corrupted filesystems and partition tables: guestfish exit $rc after $((SECONDS - t0))s; $(grep -c . "$tmp/run.err") error lines, e.g.:"
grep -v '^$' "$tmp/run.err" | sort -u | head -8 | cut -c1-160 | sed 's/^/#   /'
if [ $rc = 124 ] || [ $rc = 137 ] || grep -q 'LIBGUESTFS_CALL_TIMEOUT' "$tmp/run.err"; then
  hangs=$((hangs + 1)); notok "corrupt images: no hang"
elif [ $rc -ge 128 ] || grep -qE 'AddressSanitizer|Segmentation fault' "$tmp/run.err"; then
  crashes=$((crashes + 1)); notok "corrupt images: no crash"
elif ! grep -q SESSION-END "$tmp/run.out"; then
  notok "corrupt images: the session reached its end (the appliance survived)"
else ok "corrupt images: ${#drives[@]} images in one session, no hang, no crash, appliance alive"; fi
if grep -qF "$canary" "$tmp/run.out"; then escapes=$((escapes + 1)); notok "corrupt images: no host file read"; fi
changed=0
for i in "${!drives[@]}"; do
  [ "$(hostile_hash "${drives[$i]}")" = "${hashes[$i]}" ] || { changed=1; echo "# changed: ${drives[$i]}"; }
done
if [ $changed = 0 ]; then ok "corrupt images: all byte-identical afterwards (sha256)"
else escapes=$((escapes + 1)); notok "corrupt images: all byte-identical afterwards (sha256)"; fi

# ---- qcow2 headers ----
python3 "$mk" qcow2 "$img/pt" "$tmp/outside/secret" > /dev/null
for q in huge-l1 backing-shadow backing-host backing-self; do
  images=$((images + 1))
  h=$(hostile_hash "$img/pt/$q.qcow2")
  hostile_run "qcow2 $q: guestfish -a (no format)" 60 "$fish" -a "$img/pt/$q.qcow2" run : list-devices
  case $q in
    backing-*) if [ $run_rc != 0 ] && grep -q "backing file" "$tmp/run.err"; then
                 ok "qcow2 $q: refused, naming the backing file"
               else notok "qcow2 $q: refused, naming the backing file"; fi ;;
    *) if [ $run_rc != 0 ]; then ok "qcow2 $q: refused"; else notok "qcow2 $q: refused"; fi ;;
  esac
  [ "$(hostile_hash "$img/pt/$q.qcow2")" = "$h" ] || { escapes=$((escapes + 1)); notok "qcow2 $q: unchanged"; }
done
for q in huge-l1 backing-self; do
  hostile_run "qcow2 $q: --format=qcow2 fails cleanly" 120 "$fish" --ro --format=qcow2 -a "$img/pt/$q.qcow2" run
done
hostile_check_outputs "qcow2 headers"

hostile_summary
