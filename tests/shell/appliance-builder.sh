#!/bin/bash
# hatch-make-appliance as a tool (its two phases, --prepare and --build) and
# hatch-make-fixed-appliance:
#  - --prepare checks the packages and writes a description; a missing
#    package is an error that names it;
#  - --build turns the description into kernel/initrd/root that
#    LIBGUESTFS_PATH launches, with the extra files (--include: a directory
#    and a tar archive) in the appliance, from a kernel whose modules are
#    zstd-compressed (a boot module in the initramfs, and xfs loaded on
#    demand from the root image);
#  - --format chroot gives a tree whose files are copies, not links to the
#    host's, holding the libraries the daemon opens on first use (and the
#    daemon not linking them);
#  - the known pitfalls get clear errors: modules of another kernel, a
#    non-empty output directory, a foreign --host-cpu;
#  - a fixed appliance launches with the builder unusable (no kernel, an
#    empty cache).
# (--xz is in tests/soak/fixed-appliance-xz.sh: compressing takes minutes.)
. "$(dirname "$0")/fish-lib.bash"
build=${HATCH_BUILDDIR:?}
mk=$build/appliance/hatch-make-appliance
fixed=$build/appliance/hatch-make-fixed-appliance
unset LIBGUESTFS_PATH
echo "1..18"

# Extra files: a directory and a tar archive.
mkdir -p "$tmp/extra-dir/opt/hatch-extra"
echo "from a directory" > "$tmp/extra-dir/opt/hatch-extra/dir-file"
mkdir -p "$tmp/tarsrc/opt/hatch-extra"
echo "from a tarball" > "$tmp/tarsrc/opt/hatch-extra/tar-file"
tar -C "$tmp/tarsrc" -czf "$tmp/extra.tar.gz" opt

if "$mk" --prepare -o "$tmp/prep" --include "$tmp/extra-dir" --include "$tmp/extra.tar.gz" \
     > "$tmp/out" 2> "$tmp/err" &&
   head -1 "$tmp/prep/description" | grep -qx 'hatch-appliance-description 1' &&
   grep -qx e2fsprogs "$tmp/prep/packages" && [ -x "$tmp/prep/daemon" ] &&
   [ "$(ls "$tmp/prep/include" | wc -l)" = 2 ]; then
  ok "--prepare writes a description (packages, daemon, init, 2 extra-file sets)"
else notok "--prepare writes a description"; fi

if "$mk" --prepare -o "$tmp/prep-bad" e2fsprogs hatch-no-such-package > "$tmp/out" 2> "$tmp/err"; then
  notok "--prepare with a package that is not installed fails"
elif grep -q "package hatch-no-such-package is not installed on this host" "$tmp/err" &&
     grep -q "apt-get install hatch-no-such-package" "$tmp/err"; then
  ok "--prepare names the missing package and how to install it"
else notok "--prepare names the missing package"; fi

# A copy of the host kernel's modules (hard links: same filesystem, never
# written) with the top-level index files copied (depmod rewrites them),
# then a boot module and xfs recompressed with zstd and depmod run there.
ver=$(ls /lib/modules | sort -V | tail -1)
kernel=/boot/vmlinuz-$ver
mods=$tmp/mods/lib/modules/$ver
if [ -r "$kernel" ] && command -v zstd > /dev/null && command -v depmod > /dev/null; then
  mkdir -p "$tmp/mods/lib/modules"
  cp -al "/lib/modules/$ver" "$mods" 2> /dev/null || cp -a "/lib/modules/$ver" "$mods"
  for f in "$mods"/modules.*; do cp --remove-destination "/lib/modules/$ver/${f##*/}" "$f"; done
  zmods=0
  for m in drivers/scsi/virtio_scsi.ko fs/xfs/xfs.ko; do
    src=$mods/kernel/$m
    [ -f "$src" ] || continue
    zstd -q --rm "$src" || continue     # unlinks our link, not the host's file
    zmods=$((zmods + 1))
  done
  depmod -b "$tmp/mods" "$ver"
  if [ $zmods = 2 ] && grep -q 'virtio_scsi.ko.zst' "$mods/modules.dep"; then
    ok "test kernel: virtio_scsi and xfs as .ko.zst"
  else notok "test kernel: virtio_scsi and xfs as .ko.zst (made $zmods)"; fi
  export HATCH_KERNEL=$kernel HATCH_MODULES_DIR=$mods
else
  skip "no readable kernel, zstd or depmod: the modules stay as the host has them"
fi

if "$mk" --build "$tmp/prep" -o "$tmp/app" > "$tmp/out" 2> "$tmp/err" &&
   [ -s "$tmp/app/kernel" ] && [ -s "$tmp/app/initrd" ] && [ -s "$tmp/app/root" ]; then
  ok "--build makes kernel, initrd and root"
else notok "--build makes kernel, initrd and root"; fi

# The PVH kernel: the host's vmlinux with the zeros at the end of its
# loadable segments left to the loader (appliance/kernel.c,
# elf_trim_load_zeros).  What a loader puts in guest memory, segment by
# segment, must be the host's, byte for byte, from a smaller file.
if [ -r "$kernel" ] && [ "$(head -c 4 "$tmp/app/kernel")" = "$(printf '\177ELF')" ]; then
  if python3 - "$kernel" "$tmp/app/kernel" > "$tmp/pvh.out" 2>&1 <<'PY'
import lzma, struct, subprocess, sys, zlib
def vmlinux(path):
    d = open(path, 'rb').read()
    if d[:4] == b'\x7fELF':
        return d
    setup = d[0x1f1] or 4
    off, ln = struct.unpack_from('<II', d, 0x248)
    z = d[(setup + 1) * 512 + off:][:ln]
    if z[:6] == b'\xfd7zXZ\x00':
        return lzma.LZMADecompressor().decompress(z)
    if z[:3] == b'\x1f\x8b\x08':
        return zlib.decompressobj(31).decompress(z)
    if z[:4] == b'\x28\xb5\x2f\xfd':
        return subprocess.run(['zstd', '-dcq'], input=z, capture_output=True).stdout
    sys.exit('the host kernel\'s payload is in a format this test does not read')
def image(d):
    phoff, = struct.unpack_from('<Q', d, 0x20)
    n, = struct.unpack_from('<H', d, 0x38)
    segs = []
    for i in range(n):
        t, _, off, _, pa, fs, ms, _ = struct.unpack_from('<IIQQQQQQ', d, phoff + 56 * i)
        if t == 1:
            segs.append((pa, fs, d[off:off + fs] + bytes(ms - fs)))
    return segs
host, ours = vmlinux(sys.argv[1]), open(sys.argv[2], 'rb').read()
h, o = image(host), image(ours)
print('host %d bytes, ours %d; file bytes per segment %s -> %s'
      % (len(host), len(ours), [s[1] for s in h], [s[1] for s in o]))
same = len(h) == len(o) and all(a[0] == b[0] and a[2] == b[2] for a, b in zip(h, o))
sys.exit(0 if same and len(ours) < len(host) and all(s[1] == 0 or s[2][s[1] - 1] for s in o) else 1)
PY
  then ok "the PVH kernel loads the host vmlinux's bytes from a smaller file ($(tail -1 "$tmp/pvh.out"))"
  else notok "the PVH kernel's memory image: $(tail -3 "$tmp/pvh.out")"; fi
else skip "no readable kernel, or it boots as a bzImage"; fi

# The initramfs's modules: no signature, and the sections only
# diagnostics read dropped (their size 0, their bytes gone), so that
# loading them does not make the kernel parse type data or sort unwind
# tables; ftrace's call sites already NOPs, as ftrace would make them at
# each load (appliance/modules.c).  The launch below loads them.
mkdir -p "$tmp/ird"
section_size () {   # FILE NAME: the section's size (hex), or nothing
  readelf -S -W "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk -v n="$2" '$1 == n { print $5 }'
}
if (cd "$tmp/ird" && cpio -id --quiet < "$tmp/app/initrd") && [ -f "$tmp/ird/modules/ext4.ko" ]; then
  m=$tmp/ird/modules/ext4.ko
  bad=""
  for sec in .BTF .orc_unwind .orc_unwind_ip .rela.orc_unwind_ip __mcount_loc .rela__mcount_loc; do
    sz=$(section_size "$m" "$sec")
    [ -z "$sz" ] || [ "$sz" = 000000 ] || bad="$bad $sec=$sz"
  done
  if [ -z "$bad" ]; then ok "the initramfs's ext4.ko has no BTF, ORC tables or ftrace site list"
  else notok "the initramfs's ext4.ko still has:$bad"; fi
  # The rest is the host's module, byte for byte, in less space.
  host=$(find "${HATCH_MODULES_DIR:-/lib/modules/$ver}" -name 'ext4.ko*' | head -1)
  case $host in
    *.zst) zstd -q -d -c "$host" > "$tmp/host-ext4.ko" ;;
    *.xz) xz -d -c "$host" > "$tmp/host-ext4.ko" ;;
    *) cp "$host" "$tmp/host-ext4.ko" ;;
  esac
  same=1
  for sec in .data .symtab .strtab __versions; do
    objcopy -O binary --only-section="$sec" "$m" "$tmp/a.sec" 2> /dev/null &&
      objcopy -O binary --only-section="$sec" "$tmp/host-ext4.ko" "$tmp/b.sec" 2> /dev/null &&
      cmp -s "$tmp/a.sec" "$tmp/b.sec" || { same=0; echo "# section $sec differs"; }
  done
  if [ $same = 1 ] && [ "$(stat -c %s "$m")" -lt $(( $(stat -c %s "$tmp/host-ext4.ko") - 500000 )) ] &&
     ! readelf -S -W "$m" 2>&1 >/dev/null | grep -q .; then
    ok "ext4.ko's other sections are the host's, and the file is 0.5 MB smaller"
  else notok "ext4.ko's other sections or size ($(stat -c %s "$m") against $(stat -c %s "$tmp/host-ext4.ko"))"; fi
  # ftrace's call sites: the code is the host's but for a 5-byte NOP at
  # each site __mcount_loc listed (where the host's has call __fentry__),
  # and the relocations are the host's but for those calls', now
  # R_X86_64_NONE; __mcount_loc is gone.
  if python3 - "$tmp/host-ext4.ko" "$m" > "$tmp/mcount.out" 2>&1 <<'PY'
import struct, sys
def elf(path):
    d = open(path, 'rb').read()
    shoff, = struct.unpack_from('<Q', d, 0x28)
    n, strndx = struct.unpack_from('<HH', d, 0x3c)
    secs = [struct.unpack_from('<IIQQQQIIQQ', d, shoff + 64 * i) for i in range(n)]
    strs = secs[strndx]
    def name(s):
        o = strs[4] + s[0]
        return d[o:d.index(b'\0', o)].decode()
    return d, secs, [name(s) for s in secs]
hd, hs, hn = elf(sys.argv[1])
od, os_, on = elf(sys.argv[2])
assert hn == on, 'section lists differ'
body = lambda d, s: d[s[4]:s[4] + s[5]] if s[1] != 8 else b''
mc = hn.index('__mcount_loc')
assert os_[mc][5] == 0 and os_[hn.index('.rela__mcount_loc')][5] == 0, '__mcount_loc kept'
symi = [i for i, s in enumerate(hs) if s[1] == 2][0]
syms = body(hd, hs[symi])
sym = lambda k: struct.unpack_from('<IBBHQQ', syms, 24 * k)
symstr = hs[hs[symi][6]]
def symname(k):
    o = symstr[4] + sym(k)[0]
    return hd[o:hd.index(b'\0', o)].decode()
sites = set()
rel = [i for i, s in enumerate(hs) if s[1] == 4 and s[7] == mc][0]
for k in range(hs[rel][5] // 24):
    _, info, add = struct.unpack_from('<QQq', body(hd, hs[rel]), 24 * k)
    s = sym(info >> 32)
    sites.add((s[3], s[4] + add))
nop = 0
for i, (h, o) in enumerate(zip(hs, os_)):
    if hn[i] in ('.BTF', '.orc_unwind', '.orc_unwind_ip', '.rela.orc_unwind_ip',
                 '__mcount_loc', '.rela__mcount_loc'):
        continue
    a, b = bytearray(body(hd, h)), bytearray(body(od, o))
    assert len(a) == len(b), hn[i] + ' changed size'
    if h[1] == 1 and h[2] & 4:           # code
        for sec, off in sites:
            if sec == i:
                assert a[off] == 0xe8 and b[off:off + 5] == b'\x0f\x1f\x44\x00\x00', 'site %x' % off
                a[off:off + 5] = b[off:off + 5]
                nop += 1
    if h[1] == 4 and hs[h[7]][2] & 4:    # relocations of code
        for k in range(len(a) // 24):
            ro, info, add = struct.unpack_from('<QQq', a, 24 * k)
            if (h[7], ro - 1) in sites:
                assert symname(info >> 32) == '__fentry__' and add == -4
                assert struct.unpack_from('<Q', b, 24 * k + 8)[0] == info >> 32 << 32
                a[24 * k + 8:24 * k + 16] = b[24 * k + 8:24 * k + 16]
    assert a == b, hn[i] + ' differs elsewhere'
assert nop == len(sites) > 100, '%d of %d sites' % (nop, len(sites))
print('%d call sites now NOPs' % nop)
PY
  then ok "ext4.ko's ftrace sites are NOPs, the rest of its code and relocations the host's ($(cat "$tmp/mcount.out"))"
  else notok "ext4.ko's ftrace sites: $(tail -3 "$tmp/mcount.out")"; fi
else
  skip "no ext4.ko in the initramfs (ext4 built in?)"
  skip "no ext4.ko in the initramfs (ext4 built in?)"
  skip "no ext4.ko in the initramfs (ext4 built in?)"
fi

if "$mk" --build "$tmp/prep" -o "$tmp/app" > "$tmp/out" 2> "$tmp/err"; then
  notok "--build into a non-empty directory is refused"
elif grep -q "is not an empty directory" "$tmp/err"; then ok "--build into a non-empty directory is refused"
else notok "--build into a non-empty directory: the message"; fi

truncate -s 320M "$tmp/disk.img"   # xfs wants 300 MB at least
LIBGUESTFS_PATH=$tmp/app "$fish" -a "$tmp/disk.img" > "$tmp/out" 2> "$tmp/err" <<'GF'
run
debug ll /opt/hatch-extra/dir-file
debug ll /opt/hatch-extra/tar-file
mkfs xfs /dev/sda
mount /dev/sda /
write /f "xfs works"
cat /f
GF
rc=$?
if [ $rc = 0 ] && grep -q 'dir-file$' "$tmp/out" && grep -q 'tar-file$' "$tmp/out"; then
  ok "the built appliance launches from LIBGUESTFS_PATH with both sets of extra files"
else notok "the built appliance launches with the extra files (status $rc)"; fi
if [ $rc = 0 ] && grep -qx 'xfs works' "$tmp/out"; then
  ok "with zstd-compressed modules: booted, and xfs loaded on demand"
else notok "zstd-compressed modules: xfs on demand"; fi

if "$mk" --build "$tmp/prep" -o "$tmp/tree" --format chroot > "$tmp/out" 2> "$tmp/err" &&
   [ -x "$tmp/tree/usr/sbin/guestfsd" ] && [ -f "$tmp/tree/opt/hatch-extra/tar-file" ] &&
   [ ! -e "$tmp/tree/kernel" ]; then
  ok "--format chroot makes the root tree"
else notok "--format chroot makes the root tree"; fi
m=$(find "$tmp/tree/lib/modules" "$tmp/tree/usr/lib/modules" -name 'ext4.ko*' 2> /dev/null | head -1)
if [ -n "$m" ] && [ "$(stat -c %h "$m")" = 1 ]; then
  ok "--format chroot copies modules (no hard link to the host's files)"
else notok "--format chroot copies modules (${m:-no ext4 module}: $(stat -c %h "$m" 2> /dev/null) links)"; fi
# The root's modules, loaded on demand, are slimmed like the initramfs's:
# no signature (the kernel would hash the module to check it), no BTF, no
# ftrace site list (btrfs: xfs is compressed above, and such a module is
# copied as it is).
x=$(find "$tmp/tree/lib/modules" "$tmp/tree/usr/lib/modules" -name 'btrfs.ko' 2> /dev/null | head -1)
if [ -z "$x" ]; then skip "no uncompressed btrfs.ko in the root"
elif ! tail -c 28 "$x" | grep -q 'Module signature appended' &&
     [ "$(section_size "$x" .BTF)" = 000000 ] && [ "$(section_size "$x" __mcount_loc)" = 000000 ]; then
  ok "the root's btrfs.ko has no signature, BTF or ftrace site list"
else notok "the root's btrfs.ko: $(tail -c 28 "$x" | tr -dc 'a-z ') BTF $(section_size "$x" .BTF) __mcount_loc $(section_size "$x" __mcount_loc)"; fi
# The libraries the daemon opens on first use (daemon/core/lazylib.h):
# not linked (a cold launch would map them all), yet in the appliance
# (from packages.txt, since no DT_NEEDED entry brings them).
lazy_bad=
needed=$(readelf -d "$tmp/tree/usr/sbin/guestfsd" 2> /dev/null | grep NEEDED)
for l in libtsk libyara libaugeas libarchive libsystemd; do
  if echo "$needed" | grep -q "\[$l\.so"; then lazy_bad="$lazy_bad $l:linked"; fi
  if [ -z "$(find "$tmp/tree/lib" "$tmp/tree/usr/lib" -name "$l.so.*" 2> /dev/null | head -1)" ]; then
    lazy_bad="$lazy_bad $l:missing"
  fi
done
if [ -n "$needed" ] && [ -z "$lazy_bad" ]; then
  ok "the libraries the daemon opens on first use are in the appliance, not linked"
else notok "libraries opened on first use:${lazy_bad:- no NEEDED entries read}"; fi
rm -rf "$tmp/tree" "$tmp/app"

# Modules of another kernel.
mkdir -p "$tmp/other/lib/modules/0.0.1-other"
: > "$tmp/other/lib/modules/0.0.1-other/modules.dep"
if [ -r "$kernel" ]; then
  if HATCH_KERNEL=$kernel HATCH_MODULES_DIR=$tmp/other/lib/modules/0.0.1-other \
       "$mk" --build "$tmp/prep" -o "$tmp/bad" > "$tmp/out" 2> "$tmp/err"; then
    notok "modules of another kernel are refused"
  elif grep -q "is version $ver, but the modules directory .* holds modules of version 0.0.1-other" "$tmp/err"; then
    ok "modules of another kernel: the error names both versions"
  else notok "modules of another kernel: the message"; fi
else skip "no readable kernel"; fi

if "$mk" --build "$tmp/prep" -o "$tmp/bad2" --host-cpu aarch64 > "$tmp/out" 2> "$tmp/err"; then
  notok "--host-cpu aarch64 is refused"
elif grep -q "only x86_64" "$tmp/err"; then ok "--host-cpu other than x86_64 is refused with the reason"
else notok "--host-cpu aarch64: the message"; fi

# A fixed appliance, used where the builder could not run.
unset HATCH_KERNEL HATCH_MODULES_DIR
if "$fixed" "$tmp/fixed" > "$tmp/out" 2> "$tmp/err" && [ -s "$tmp/fixed/README.fixed" ] &&
   [ -s "$tmp/fixed/kernel" ] && [ ! -L "$tmp/fixed/kernel" ]; then
  ok "hatch-make-fixed-appliance DIR"
else notok "hatch-make-fixed-appliance DIR"; fi
mkdir -p "$tmp/empty-cache"
out=$(LIBGUESTFS_PATH=/nonexistent:$tmp/fixed LIBGUESTFS_CACHEDIR=$tmp/empty-cache \
      HATCH_KERNEL=/nonexistent/vmlinuz-0 HATCH_MODULES_DIR=/nonexistent \
      "$fish" -a /dev/null run : echo-daemon fixed 2> "$tmp/err")
if [ "$out" = fixed ] && [ -z "$(find "$tmp/empty-cache" -name root)" ]; then
  ok "the fixed appliance launches from a LIBGUESTFS_PATH search path, nothing built"
else notok "the fixed appliance launches (got '$out')"; fi
if LIBGUESTFS_CACHEDIR=$tmp/empty-cache HATCH_KERNEL=/nonexistent/vmlinuz-0 HATCH_MODULES_DIR=/nonexistent \
     "$fish" -a /dev/null run > "$tmp/out" 2> "$tmp/err"; then
  notok "without LIBGUESTFS_PATH the same settings fail (the test's builder switch works)"
else ok "without LIBGUESTFS_PATH the same settings fail (the test's builder switch works)"; fi
exit $fail
