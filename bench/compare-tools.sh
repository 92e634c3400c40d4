#!/bin/bash
# Our virt-* tools against Debian's libguestfs-tools and guestfs-tools on
# the same test guests: each case runs both, and their standard output
# and exit status are compared.  A comparison, not a timing, and not part
# of `make check` (like the rest of bench/, the only place the installed
# libguestfs runs; each of its launches takes ~15 s here).
#   bench/compare-tools.sh BUILDDIR [CASE-PATTERN]
# The guests are the images `make check` leaves in BUILDDIR/tests/data
# (run it, or the inspect-*.sh tests, first; COMPARE_DATA names another
# folder of them); a case whose image is missing is skipped.  For each
# case it prints one line:
#   same      identical output and exit status
#   known     a difference we keep on purpose (the reason, then the diff)
#   DIFFERS   anything else: the first lines of the diff follow
# Both outputs stay in $COMPARE_OUT (default /var/tmp/compare-tools) as
# CASE.ours and CASE.theirs.  Exit status 1 when a case DIFFERS.
# libguestfs runs with LIBGUESTFS_BACKEND_SETTINGS=force_tcg (its KVM
# probe does not fall back on this host); ours runs with no setting.
set -u
build=$(cd "${1:?usage: compare-tools.sh BUILDDIR [CASE-PATTERN]}" && pwd)
pattern=${2:-}
data=${COMPARE_DATA:-$build/tests/data}
out=${COMPARE_OUT:-/var/tmp/compare-tools}
mkdir -p "$out"
if [ ! -x /usr/bin/virt-df ] || [ ! -x /usr/bin/virt-inspector ]; then
  echo "compare-tools: libguestfs's tools are not installed" \
       "(apt-get install libguestfs-tools guestfs-tools)"
  exit 77
fi

D=$data/guest-debian.img A=$data/guest-alpine.img F=$data/guest-fedora.img
L=$data/guest-luks.img B=$data/guest-btrfs.img
MDA=$data/mdboot-a.img MDB=$data/mdboot-b.img
W7=$data/windows/win-7.img WXP=$data/windows/win-xp.img
AR=$data/guest-arch.img UB=$data/guest-ubuntu.img C7=$data/guest-centos7.img
SU=$data/guest-opensuse.img CO=$data/guest-coreos.img FC=$data/guest-flatcar.img
FB=$data/guest-freebsd.img FU=$data/guest-freebsd-ufs2.img NB=$data/guest-netbsd.img
OB=$data/guest-openbsd.img MB=$data/guest-multiboot.img
KEY="--key /dev/sda2:key:hatch-luks-key"   # 1.48 has no "all:" selector

# name | images it needs | command (TOOL is replaced by the tool's path)
cases=$(cat <<'CASES'
df|D|TOOL/virt-df --format=raw -a $D
df-h|D|TOOL/virt-df --format=raw -h -a $D
df-csv|A|TOOL/virt-df --format=raw --csv -a $A
df-inodes|A|TOOL/virt-df --format=raw -i -a $A
df-two|D A|TOOL/virt-df --format=raw -a $D -a $A
filesystems|D|TOOL/virt-filesystems --format=raw -a $D
filesystems-all|D|TOOL/virt-filesystems --format=raw --all --long -h -a $D
filesystems-csv|F|TOOL/virt-filesystems --format=raw --all --long --csv -a $F
filesystems-md|MDA MDB|TOOL/virt-filesystems --format=raw --all --long -a $MDA -a $MDB
filesystems-lvm|L|echo hatch-luks-key | TOOL/virt-filesystems --format=raw --keys-from-stdin --all --long -a $L
filesystems-btrfs|B|TOOL/virt-filesystems --format=raw --all --long -a $B
filesystems-win|W7|TOOL/virt-filesystems --format=raw --all --long -h -a $W7
ls|D|TOOL/virt-ls --format=raw -a $D /etc
ls-l|A|TOOL/virt-ls --format=raw -l -a $A /etc
ls-R|A|TOOL/virt-ls --format=raw -R -a $A /etc
ls-csv|A|TOOL/virt-ls --format=raw --csv -lR -a $A /etc
cat|D|TOOL/virt-cat --format=raw -a $D /etc/hostname
cat-missing|D|TOOL/virt-cat --format=raw -a $D /no/such/file
inspector|D|TOOL/virt-inspector --format=raw --no-icon -a $D
inspector-lvm|L|TOOL/virt-inspector --format=raw $KEY --no-icon -a $L
inspector-btrfs|B|TOOL/virt-inspector --format=raw --no-icon -a $B
inspector-win|W7|TOOL/virt-inspector --format=raw --no-icon -a $W7
inspector-md|MDA MDB|TOOL/virt-inspector --format=raw --no-icon -a $MDA -a $MDB
log|D|TOOL/virt-log --format=raw -a $D
alignment|D|TOOL/virt-alignment-scan --format=raw -a $D
win-reg|W7|TOOL/virt-win-reg --format=raw $W7 'HKLM\Software\Microsoft\Windows NT\CurrentVersion'
win-reg-xp|WXP|TOOL/virt-win-reg --format=raw $WXP 'HKLM\System\Select'
diff|D A|TOOL/virt-diff --format=raw -a $D -A $A
tar-out|D|TOOL/virt-tar-out --format=raw -a $D /etc - | tar -tf - | sort
guestfish-i|D|TOOL/guestfish --ro --format=raw -a $D -i cat /etc/os-release
guestfish-list|F|TOOL/guestfish --ro --format=raw -a $F run : list-filesystems
guestfish-btrfs|B|TOOL/guestfish --ro --format=raw -a $B run : list-filesystems : inspect-os : inspect-get-mountpoints /dev/sda1 : inspect-get-filesystems /dev/sda1
guestfish-md|MDA MDB|TOOL/guestfish --ro --format=raw -a $MDA -a $MDB run : list-md-devices : md-stat /dev/md127
ls-times|D|TOOL/virt-ls --format=raw -lR --times -a $D /etc
ls-uids|D|TOOL/virt-ls --format=raw -lR --uids --extra-stats -a $D /etc
ls-h|D|TOOL/virt-ls --format=raw -lh -a $D /
ls-checksum|D|TOOL/virt-ls --format=raw --csv -lR --checksum=sha1 -a $D /etc
ls-win|W7|TOOL/virt-ls --format=raw -lR -a $W7 'c:\windows\system32\config'
cat-win|W7|TOOL/virt-cat --format=raw -a $W7 'c:\windows\system32\drivers\etc\hosts'
df-win|W7|TOOL/virt-df --format=raw -h --csv -a $W7
filesystems-parts|D|TOOL/virt-filesystems --format=raw --partitions --blkdevs --long --extra --uuid -a $D
filesystems-extra|W7|TOOL/virt-filesystems --format=raw --extra --all --long -a $W7
alignment-win|W7|TOOL/virt-alignment-scan --format=raw -a $W7
log-fedora|F|TOOL/virt-log --format=raw -a $F
diff-times|D A|TOOL/virt-diff --format=raw --times --extra-stats --checksum -a $D -A $A
diff-csv|D A|TOOL/virt-diff --format=raw --csv --uids -a $D -A $A
win-reg-unsafe|W7|TOOL/virt-win-reg --format=raw --unsafe-printable-strings $W7 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' ProductName
inspector-xp|WXP|TOOL/virt-inspector --format=raw --no-icon -a $WXP
inspector-arch|AR|TOOL/virt-inspector --format=raw --no-icon -a $AR
inspector-ubuntu|UB|TOOL/virt-inspector --format=raw --no-icon -a $UB
inspector-centos7|C7|TOOL/virt-inspector --format=raw --no-icon -a $C7
inspector-opensuse|SU|TOOL/virt-inspector --format=raw --no-icon -a $SU
inspector-coreos|CO|TOOL/virt-inspector --format=raw --no-icon -a $CO
inspector-flatcar|FC|TOOL/virt-inspector --format=raw --no-icon -a $FC
inspector-freebsd|FB|TOOL/virt-inspector --format=raw --no-icon -a $FB
inspector-freebsd14|FU|TOOL/virt-inspector --format=raw --no-icon -a $FU
inspector-netbsd|NB|TOOL/virt-inspector --format=raw --no-icon -a $NB
inspector-openbsd|OB|TOOL/virt-inspector --format=raw --no-icon -a $OB
inspector-multiboot|MB|TOOL/virt-inspector --format=raw --no-icon -a $MB
xpath|D|$build/tools/virt-inspector --format=raw --no-icon -a $D > $out/xpath.xml && for q in / //filesystem //@dev '//name/text()' 'count(//application)' '1 div 3' 'string(//nosuch)'; do echo "== $q"; TOOL/virt-inspector --xpath "$q" < $out/xpath.xml; done
api|D|TOOL/guestfish --ro --format=raw -a $D -f $out/api.gf
api-windows|W7|TOOL/guestfish --ro --format=raw -a $W7 -f $out/api-windows.gf
api-statvfs|D|TOOL/guestfish --ro --format=raw -a $D run : mount-ro /dev/sda2 / : statvfs /
api-find|D|TOOL/guestfish --ro --format=raw -a $D run : mount-ro /dev/sda2 / : find /etc
api-tune2fs|D|TOOL/guestfish --ro --format=raw -a $D run : tune2fs-l /dev/sda1
CASES
)

# (xpath: both sides query the same XML, ours, whose applications differ:
# see the inspector case.)

# Why each known difference stays (see the session notes and the man
# pages); a case listed here still counts as DIFFERS if it differs in
# some other way the reason does not cover -- read its diff.
declare -A known=(
  [inspector]="libguestfs 1.48 takes a dpkg package as installed when its Status ends in 'installed', so it lists half-installed and purged (not-installed) packages and misses 'installed ok'; ours lists what the Status says is installed"
  [inspector-md]="libguestfs 1.48 fails (exit 1) on this guest, which has no /var/lib/dpkg/status; ours lists no applications"
  [inspector-lvm]="libguestfs 1.48 fails (exit 1) on this guest, which has no /var/lib/dpkg/status; ours lists no applications"
  [filesystems-md]="the members of an MD array: ours in slot order; libguestfs in /proc/mdstat order, which changes from one of its launches to the next (its udev adds the members in parallel): same about one run in two"
  [guestfish-md]="md-stat lists the members in /proc/mdstat order; libguestfs's varies from launch to launch: see filesystems-md"
  [filesystems-lvm]="libguestfs 1.48's appliance dies here (qemu aborts, signal 6) once the LUKS passphrase is given, in each run so far; ours lists the LUKS, LVM and ext4 layers"
  [filesystems-btrfs]="the Size of a btrfs subvolume: ours prints its filesystem's size, libguestfs 1.48 prints '-'"
  [inspector-btrfs]="libguestfs 1.48 fails (exit 1) on this guest: its rpm reader refuses the test image's small rpm database (rpmtsInitIterator); ours lists no applications.  The root (/dev/sda1) and the list of filesystems are the same (guestfish-btrfs)"
  [guestfish-btrfs]="btrfsvol:/dev/sda1//@home against btrfsvol:/dev/sda1/@home: see inspector-btrfs"
  [inspector-xp]="the hostname: ours falls back to ComputerName when the guest has no Tcpip Hostname value (this XP hive has none); libguestfs 1.48 reads only the latter"
  [inspector-centos7]="libguestfs 1.48 fails (exit 1) on this guest: its rpm reader refuses the test image's small rpm database (rpmtsInitIterator)"
  [inspector-opensuse]="libguestfs 1.48 fails (exit 1) on this guest: its rpm reader refuses the test image's small rpm database (rpmtsInitIterator)"
  [inspector-multiboot]="libguestfs 1.48 fails (exit 1) on this guest, which has no /var/lib/dpkg/status"
  [inspector-freebsd14]="libguestfs 1.48 fails (exit 1) on this guest: its appliance's mount of a UFS2 filesystem fails with ESTALE ("Stale file handle")"
  [inspector-openbsd]="libguestfs 1.48 fails (exit 1) on this guest: inspect_os stops at sfdisk refusing partition 5 (the disklabel's); ours finds OpenBSD 7.4 with its disklabel's filesystems"
  [inspector-freebsd]="ours maps the fstab's /dev/gpt/LABEL names to their partitions (libguestfs 1.48 cannot mount /var) and takes the version from freebsd-version rather than the motd's first line"
  [inspector-coreos]="ours reads the version, architecture and the /usr filesystem of Container Linux (libguestfs 1.48 gives version 0.0 and no /usr)"
  [inspector-flatcar]="libguestfs 1.48 finds no operating system on Flatcar; ours finds it as CoreOS does"
  [inspector-netbsd]="ours reads NetBSD's hostname, pkgsrc and /home; libguestfs 1.48 does not"
  [api-statvfs]="the mount flags: ours mounts guest filesystems nodev (a device node in a hostile image must not reach the appliance's devices), so statvfs's flag has ST_NODEV (4)"
  [api-find]="libguestfs 1.48 puts a leading '/' on each name when find is given a directory other than /; guestfs(3) and ours give names relative to the directory ('a b c c/d' for /tmp)"
  [api-tune2fs]="\"Reserved blocks uid/gid: 0 (user root)\": the appliance's own /etc/passwd names uid 0 (libguestfs's appliance prints 'user unknown')"
  [diff]="libguestfs 1.48 also names st_dev for /boot (a filesystem of its own in the first guest, a directory in the second), though its own statns gives both the same st_dev (2049); everything else is the same.  Not in this case: ours reports a symlink whose target changed (link), which 1.48 leaves out"
)

# guestfish scripts of API calls whose output formats the cases api and
# api-windows compare (each call may fail: the '-' prefix goes on; the
# "##" lines show where each call's output starts).  Calls whose output
# is the appliance's own (df, version, the library's paths) are left out,
# and so are the ones of the api-* cases with a known difference.
api_script () {
  awk '{print "echo \x27## " $0 "\x27"; print "-" $0}'
}
api_script > "$out/api.gf" <<'GF'
run
list-devices
list-partitions
part-list /dev/sda
part-get-parttype /dev/sda
part-get-mbr-id /dev/sda 1
part-get-bootable /dev/sda 1
part-get-gpt-type /dev/sda 2
blockdev-getsize64 /dev/sda
blockdev-getss /dev/sda
blockdev-getro /dev/sda
vfs-type /dev/sda2
vfs-label /dev/sda1
vfs-uuid /dev/sda2
blkid /dev/sda2
list-filesystems
inspect-os
inspect-get-roots
inspect-get-type /dev/sda2
inspect-get-distro /dev/sda2
inspect-get-product-name /dev/sda2
inspect-get-major-version /dev/sda2
inspect-get-minor-version /dev/sda2
inspect-get-arch /dev/sda2
inspect-get-hostname /dev/sda2
inspect-get-package-format /dev/sda2
inspect-get-package-management /dev/sda2
inspect-get-mountpoints /dev/sda2
inspect-get-filesystems /dev/sda2
inspect-get-format /dev/sda2
inspect-is-live /dev/sda2
inspect-get-osinfo /dev/sda2
inspect-get-drive-mappings /dev/sda2
mount-ro /dev/sda2 /
mount-ro /dev/sda1 /boot
mounts
mountpoints
ls /etc
ll /etc
stat /etc/hostname
statns /etc/hostname
lstatns /etc/fstab
du /etc
file /etc/hostname
file /etc
file /dev/sda2
checksum md5 /etc/fstab
checksum sha256 /etc/fstab
cat /etc/hostname
head-n 3 /etc/fstab
tail-n 2 /etc/fstab
wc-l /etc/fstab
wc-c /etc/fstab
hexdump /etc/hostname
strings /etc/hostname
find0 /etc /dev/stdout
glob-expand /etc/*
is-dir /etc
is-file /etc/fstab
exists /nosuch
realpath /etc/../etc
case-sensitive-path /ETC/fstab
getxattrs /etc/fstab
lxattrlist /etc fstab
grep UUID /etc/fstab
filesize /etc/fstab
get-e2attrs /etc/fstab
vfs-minimum-size /dev/sda1
lvs
list-md-devices
umount-all
GF
api_script > "$out/api-windows.gf" <<'GF'
run
list-filesystems
part-list /dev/sda
part-get-gpt-type /dev/sda 2
vfs-type /dev/sda3
vfs-label /dev/sda2
vfs-uuid /dev/sda2
blkid /dev/sda3
inspect-os
inspect-get-product-name /dev/sda2
inspect-get-product-variant /dev/sda2
inspect-get-hostname /dev/sda2
inspect-get-windows-systemroot /dev/sda2
inspect-get-windows-current-control-set /dev/sda2
inspect-get-windows-software-hive /dev/sda2
inspect-get-windows-system-hive /dev/sda2
inspect-get-drive-mappings /dev/sda2
inspect-get-mountpoints /dev/sda2
inspect-get-osinfo /dev/sda2
inspect-list-applications2 /dev/sda2
mount-ro /dev/sda2 /
ls /
ll /Windows
case-sensitive-path /windows/system32/config/SOFTWARE
stat /Windows/System32/config/SOFTWARE
lstatnslist /Windows "System32 Temp"
file /Windows/System32/config/SOFTWARE
filesize /Windows/System32/config/SOFTWARE
checksum sha1 /Windows/System32/config/SYSTEM
ntfs-3g-probe false /dev/sda2
umount-all
GF

ndiff=0
while IFS='|' read -r name needs cmd; do
  [ -n "$name" ] || continue
  [ -z "$pattern" ] || [[ $name == $pattern ]] || continue
  missing=
  for v in $needs; do [ -e "${!v}" ] || missing="$missing ${!v}"; done
  if [ -n "$missing" ]; then
    printf '%-18s skipped (no%s; run make check first)\n' "$name" "$missing"
    continue
  fi
  ours=${cmd//TOOL/$build/tools}
  ours=${ours/$build\/tools\/guestfish/$build/fish/guestfish}
  theirs=${cmd//TOOL//usr/bin}
  (eval "env -u LIBGUESTFS_BACKEND_SETTINGS $ours" > "$out/$name.ours" 2> "$out/$name.ours.err" < /dev/null
   echo "exit status $?" >> "$out/$name.ours")
  (eval "LIBGUESTFS_BACKEND_SETTINGS=force_tcg $theirs" > "$out/$name.theirs" 2> "$out/$name.theirs.err" < /dev/null
   echo "exit status $?" >> "$out/$name.theirs")
  if cmp -s "$out/$name.ours" "$out/$name.theirs"; then
    printf '%-18s same\n' "$name"
  elif [ -n "${known[$name]:-}" ]; then
    printf '%-18s known: %s\n' "$name" "${known[$name]}"
    diff -u --label theirs --label ours "$out/$name.theirs" "$out/$name.ours" | sed -n '3,8p' | sed 's/^/    /'
  else
    printf '%-18s DIFFERS\n' "$name"
    diff -u --label theirs --label ours "$out/$name.theirs" "$out/$name.ours" | sed -n '3,14p' | sed 's/^/    /'
    ndiff=$((ndiff + 1))
  fi
done <<< "$cases"
echo "compare-tools: $ndiff case(s) differ; outputs in $out"
[ "$ndiff" = 0 ]
