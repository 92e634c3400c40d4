#!/bin/bash
# Actions of the newest upstream API (issue 19) that need disk images made
# on the host, all in one appliance launch:
#   clevis_luks_unlock  a LUKS2 image bound with Clevis's "null" pin (no
#                       tang server or TPM needed) opens without a
#                       passphrase; a LUKS device without a binding and a
#                       device that is not LUKS fail clearly
#   xfs_info2           a 320 MiB XFS image (mkfs.xfs refuses less than
#                       300 MB, more than the table tests' disks): every
#                       field agrees with the host's own xfs_info on the
#                       same image; by device and by mounted path; the
#                       deprecated xfs_info's struct from the same parser
#   btrfs_scrub_full    a btrfs image whose one copy of a file's data was
#                       overwritten on the host: the full scrub fails, also
#                       with readonly, and scrub status counts the error
# Prints TAP.
. "$(dirname "$0")/fish-lib.bash"
need_launch
for p in cryptsetup clevis mkfs.xfs xfs_info mkfs.btrfs python3; do
  if ! command -v "$p" > /dev/null; then
    echo "1..0 # SKIP $p is not installed on the host"
    exit 77
  fi
done

# ---- the images ----
img=$tmp/img
mkdir -p "$img"
truncate -s 32M "$img/clevis.img"
printf 'secret' > "$img/key"
if ! cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
       "$img/clevis.img" "$img/key" > "$tmp/mk" 2>&1 ||
   ! clevis luks bind -y -d "$img/clevis.img" -k "$img/key" null '{}' >> "$tmp/mk" 2>&1; then
  sed 's/^/# /' "$tmp/mk"
  echo "1..0 # SKIP cannot make a Clevis-bound LUKS image here"
  exit 77
fi
truncate -s 32M "$img/plain-luks.img"
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  "$img/plain-luks.img" "$img/key" || exit 1
truncate -s 320M "$img/xfs.img"
mkfs.xfs -q -L XI2 "$img/xfs.img" || exit 1
xfs_info "$img/xfs.img" > "$img/xfs_info.host" || exit 1
# A file of 256 KiB of 'Z' in a btrfs made from a directory, then one
# 4 KiB block of its data (stored once) overwritten.
mkdir -p "$img/root"
python3 -c 'import sys; sys.stdout.buffer.write(b"Z" * 262144)' > "$img/root/data"
truncate -s 200M "$img/btrfs.img"
mkfs.btrfs -q -r "$img/root" "$img/btrfs.img" > /dev/null || exit 1
python3 - "$img/btrfs.img" <<'PY' || exit 1
import sys
with open(sys.argv[1], "r+b") as f:
    data = f.read()
    at = data.find(b"Z" * 65536)
    assert at >= 0, "the file's data was not found in the image"
    f.seek(at + 65536)
    f.write(b"Y" * 4096)
PY

# ---- one launch ----
# The Clevis image first gets a filesystem and a file through the
# passphrase (guestfish reads it from stdin), then opens with Clevis.
cat > "$tmp/script" <<'EOF'
run
cryptsetup-open /dev/sda lk
mkfs ext4 /dev/mapper/lk
mount /dev/mapper/lk /
write /hello "opened by clevis"
umount /
cryptsetup-close /dev/mapper/lk
echo == available
available clevisluks
echo == clevis
clevis-luks-unlock /dev/sda clv
mount-ro /dev/mapper/clv /
cat /hello
umount /
-clevis-luks-unlock /dev/sdb nobinding
-clevis-luks-unlock /dev/sdc notluks
echo == xfs by device
xfs-info2 /dev/sdc
echo == xfs_info
xfs-info /dev/sdc | grep -E 'xfs_(blocksize|agcount|logname|dirversion|datablocks):'
echo == xfs by path
mount-ro /dev/sdc /
xfs-info2 / | grep -E '^(meta-data|data\.bsize):'
umount /
echo == btrfs
mount /dev/sdd /
-btrfs-scrub-full /
-btrfs-scrub-full / readonly:true
btrfs-scrub-status / | grep -E 'csum_errors|uncorrectable'
EOF
printf 'secret\n' | "$fish" --keys-from-stdin --format=raw -a "$img/clevis.img" \
  -a "$img/plain-luks.img" -a "$img/xfs.img" -a "$img/btrfs.img" -f "$tmp/script" \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
section () { sed -n "/^== $1\$/,/^== /p" "$tmp/out" | sed '1d;/^== /d'; }

[ $rc = 0 ] && ok "the script ran (failures were expected ones)" ||
  { echo "# exit status $rc"; notok "the script ran (failures were expected ones)"; }
[ "$(section available)" = "" ] && ok "clevisluks is available" ||
  notok "clevisluks is available"
[ "$(section clevis)" = "opened by clevis" ] &&
  ok "clevis_luks_unlock opens a null-pin binding without the passphrase" ||
  notok "clevis_luks_unlock opens a null-pin binding without the passphrase"
err_has "a LUKS device without a binding: a clear error" \
  'clevis_luks_unlock: /dev/sdb: the LUKS header has no Clevis binding'
err_has "a device that is not LUKS: clevis's message" \
  'clevis_luks_unlock: clevis luks unlock: /dev/sdc: .*LUKS'

# xfs_info2 against the host's xfs_info on the same image: every number
# the host prints as field=N is there under SECTION.FIELD.
section "xfs by device" > "$tmp/xi2"
python3 - "$img/xfs_info.host" "$tmp/xi2" > "$tmp/cmp" <<'PY'
import re, sys
host = open(sys.argv[1]).read()
got = dict(l.split(": ", 1) for l in open(sys.argv[2]).read().splitlines())
want, section = {}, None
for line in host.splitlines():
    head, _, rest = line.partition("=")
    if head.strip():
        section = head.strip()
        m = re.match(r"(version \d+|\S+ log|[^\s=]+)(\s|$)", rest)
        if m and "=" not in m.group(1) and section != "meta-data":
            want[section] = m.group(1)     # meta-data: the image's name
    for k, v, unit in re.findall(r"([-\w]+)=(\d+)(\s(?:blks|extents))?", rest):
        want["%s.%s" % (section, k)] = v + unit
bad = [(k, v, got.get(k)) for k, v in want.items() if got.get(k) != v]
extra = sorted(set(got) - set(want) - {"meta-data"})
print("fields %d, wrong %s, extra %s" % (len(want), bad, extra))
sys.exit(1 if bad or extra or len(want) < 30 else 0)
PY
if [ $? = 0 ]; then ok "xfs_info2: every field as the host's xfs_info prints it ($(cat "$tmp/cmp"))"
else sed 's/^/# /' "$tmp/cmp"; notok "xfs_info2: every field as the host's xfs_info prints it"; fi
grep -q '^meta-data.crc: 1$' "$tmp/xi2" && grep -q '^log: internal log$' "$tmp/xi2" &&
  grep -q '^naming: version 2$' "$tmp/xi2" && grep -q '^meta-data: /dev/sdc$' "$tmp/xi2" &&
  ok "xfs_info2: section values (device, internal log, version 2, crc)" ||
  notok "xfs_info2: section values (device, internal log, version 2, crc)"
[ "$(section xfs_info)" = "xfs_agcount: 4
xfs_blocksize: 4096
xfs_datablocks: 81920
xfs_dirversion: 2
xfs_logname: internal" ] && ok "xfs_info (deprecated) still fills its struct" ||
  { echo "# got: $(section xfs_info)"; notok "xfs_info (deprecated) still fills its struct"; }
want_path="meta-data: /dev/sdc
$(grep '^data.bsize:' "$tmp/xi2")"
[ "$(section "xfs by path")" = "$want_path" ] && ok "xfs_info2 on a mounted path" ||
  { echo "# got: $(section "xfs by path")"; notok "xfs_info2 on a mounted path"; }

grep -q 'btrfs_scrub_full: btrfs scrub start: /: ERROR: there are uncorrectable errors' "$tmp/err" &&
  grep -q 'btrfs_scrub_full: btrfs scrub start: /: errors found: csum=' "$tmp/err" &&
  ok "btrfs_scrub_full fails on damaged data, readonly too" ||
  notok "btrfs_scrub_full fails on damaged data, readonly too"
section btrfs | grep -q 'btrfsscrub_csum_errors: [1-9]' &&
  ok "btrfs_scrub_status counts the checksum error" ||
  notok "btrfs_scrub_status counts the checksum error"
finish
