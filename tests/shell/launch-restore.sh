#!/bin/bash
# Launch from a saved appliance state (lib/direct.c): the drives hot-added
# after the restore are /dev/sda, /dev/sdb ... in add order with their
# options honoured, each restored appliance gets fresh random state and
# the host's clock, and a saved state that cannot be restored gives a
# cold boot, not an error.  Restored appliances share the saved RAM
# file's pages and never write the saved files.
. "$(dirname "$0")/fish-lib.bash"
need_launch
unset LIBGUESTFS_BACKEND_SETTINGS

printf 'disk-A\n' > "$tmp/a.img"; truncate -s 16M "$tmp/a.img"
printf 'disk-B\n' > "$tmp/b.img"; truncate -s 16M "$tmp/b.img"
printf 'disk-C\n' > "$tmp/c.raw"; truncate -s 16M "$tmp/c.raw"
qemu-img convert -q -f raw -O qcow2 "$tmp/c.raw" "$tmp/c.qcow2"

# One launch with three drives: raw, read-only, qcow2.
"$fish" -v <<EOF > "$tmp/out" 2> "$tmp/err"
add-drive $tmp/a.img format:raw
add-drive-ro $tmp/b.img
add-drive $tmp/c.qcow2 format:qcow2 label:third
run
list-devices
pread-device /dev/sda 7 0
pread-device /dev/sdb 7 0
pread-device /dev/sdc 7 0
pwrite-device /dev/sda "written" 0
pwrite-device /dev/sdb "written" 0
list-disk-labels
EOF
rc=$?
if [ $rc = 0 ] && grep -q 'launch finished (restored)' "$tmp/err"; then
  ok "a launch with three drives is restored from the saved state"
else
  echo "# exit status $rc"; notok "a launch with three drives is restored from the saved state"
fi
expect="/dev/sda
/dev/sdb
/dev/sdc
disk-A
disk-B
disk-C
7
7
third: /dev/sdc"
if [ "$(cat "$tmp/out")" = "$expect" ]; then ok "drives are sda, sdb, sdc in add order, formats and label honoured"
else notok "drives are sda, sdb, sdc in add order, formats and label honoured"; fi
if [ "$(head -c 7 "$tmp/a.img")" = written ] && [ "$(head -c 6 "$tmp/b.img")" = disk-B ]; then
  ok "a write reaches the writable drive; the read-only one is untouched"
else
  notok "a write reaches the writable drive; the read-only one is untouched"
fi

# The saving boot loads raid6_pq (daemon/core/resume.c), whose set-up
# times its routines for a fixed time: a restored appliance has it before
# btrfs or RAID 4/5/6 asks for it.
if find /lib/modules/*/kernel/lib/raid6 -name 'raid6_pq.ko*' 2> /dev/null | grep -q .; then
  "$fish" -v -a /dev/null run : debug proc modules > "$tmp/out" 2> "$tmp/err"
  if grep -q 'launch finished (restored)' "$tmp/err" && grep -q '^raid6_pq ' "$tmp/out"; then
    ok "a restored appliance has raid6_pq loaded already"
  else notok "a restored appliance has raid6_pq loaded already"; fi
else skip "the kernel has no raid6_pq module"; fi

# The saving boot also compiled Augeas's lenses (daemon/system/augeas.c):
# a restored appliance's first aug-init of / takes that handle, which
# behaves as a fresh one: the save mode from the flags, an edit saved
# with its backup.  The next aug-init compiles anew.
"$fish" -v -N "$tmp/aug.img=fs:ext4:64M" <<'EOF' > "$tmp/out" 2> "$tmp/err"
mount /dev/sda1 /
mkdir /etc
write /etc/hosts "127.0.0.1 localhost\n"
aug-init / 1
aug-get /augeas/save
aug-set /files/etc/hosts/1/canonical myhost
aug-save
cat /etc/hosts
is-file /etc/hosts.augsave
aug-init / 18
aug-get /augeas/save
aug-get /files/etc/hosts/1/canonical
EOF
rc=$?
expect="backup
127.0.0.1 myhost

true
newfile
myhost"
if [ $rc = 0 ] && grep -q 'launch finished (restored)' "$tmp/err" &&
   [ "$(grep -c 'aug_init: the lenses compiled before the state was saved' "$tmp/err")" = 1 ] &&
   [ "$(cat "$tmp/out")" = "$expect" ]; then
  ok "a restored appliance's first aug-init uses the lenses compiled before the save, as a fresh handle"
else
  echo "# exit status $rc"; sed 's/^/# /' "$tmp/out"
  notok "a restored appliance's first aug-init uses the lenses compiled before the save, as a fresh handle"
fi
rm -f "$tmp/aug.img"

# The saving boot opened the libraries the daemon otherwise opens on
# first use (daemon/core/lazylib.c): a restored appliance's first tar-in
# does not open libarchive; a cold one's does.
printf 'hello\n' > "$tmp/f"
tar -C "$tmp" -cf "$tmp/f.tar" f
for mode in restored cold; do
  env $([ $mode = cold ] && echo LIBGUESTFS_BACKEND_SETTINGS=nosnapshot) \
    "$fish" -v -N "$tmp/lazy.img=fs:ext4:32M" <<EOF > "$tmp/out.$mode" 2> "$tmp/err.$mode"
mount /dev/sda1 /
tar-in $tmp/f.tar /
cat /f
EOF
  rm -f "$tmp/lazy.img"
done
if grep -q 'launch finished (restored)' "$tmp/err.restored" && [ "$(cat "$tmp/out.restored")" = hello ] &&
   ! grep -q 'guestfsd: opened .*libarchive' "$tmp/err.restored" &&
   [ "$(cat "$tmp/out.cold")" = hello ] && grep -q 'guestfsd: opened .*libarchive' "$tmp/err.cold"; then
  ok "a restored appliance has libarchive open already; a cold one opens it on first use"
else notok "libarchive open in a restored appliance, on first use in a cold one"; fi

# A restored appliance has its whole memsize, though the saved RAM file
# holds only a base: the rest is anonymous memory (huge pages where the
# host allows), hot-plugged after the restore (lib/direct.c,
# BASE_RAM_MB).  guestfish is fed one command at a time, so that
# the appliance's memory is asked for until all of it is there.
memsize=$("$fish" get-memsize < /dev/null)
want=$((memsize * 1024 * 9 / 10))    # KiB: the kernel keeps some for itself
{
  echo run; echo get-pid
  meminfo_until "$tmp/mem" $want
  # qemu's mappings, while it runs: the saved RAM file's, and one
  # anonymous mapping as big as the rest of the memsize.
  pid=$(sed -n 1p "$tmp/mem")
  awk '
    /^[0-9a-f]+-[0-9a-f]+ / { name = $6; anon = (NF < 6) }
    $1 == "Size:" { size = $2 }
    $1 == "AnonHugePages:" {
      if (name ~ /\/snapshot-[0-9a-f]+\/ram$/) print "file", size
      else if (anon) print "anon", size, $2 }' "/proc/$pid/smaps" > "$tmp/maps" 2> /dev/null
} | "$fish" --ro -a "$tmp/a.img" > "$tmp/mem" 2> "$tmp/memerr"
base=$(awk '$1 == "file" { print $2; exit }' "$tmp/maps")
hot=""
[ -n "$base" ] && hot=$(awk -v want=$((memsize * 1024 - base)) '$1 == "anon" && $2 == want { print $3 " KiB in huge pages"; exit }' "$tmp/maps")
total=$(meminfo_total "$tmp/mem")
if [ -n "$total" ] && [ "$total" -ge $want ] && [ -n "$base" ] && [ "$base" -lt $((memsize * 1024)) ] && [ -n "$hot" ]; then
  ok "a restored appliance has its whole memsize ($((total / 1024)) MiB): $((base / 1024)) MiB mapped from the saved RAM, the rest anonymous ($hot)"
else
  echo "# MemTotal ${total:-?} KiB (want >= $want), saved RAM mapping ${base:-?} KiB, anonymous: ${hot:-none of that size}"
  sed 's/^/# map /' "$tmp/maps"; cp "$tmp/mem" "$tmp/out"; cp "$tmp/memerr" "$tmp/err"
  notok "a restored appliance has its whole memsize, the part beyond the saved RAM anonymous"
fi

# Two restored appliances at once never share random state: each reads
# the kernel's RNG first thing after its launch (the kernel's own reseeds
# would make them differ a little later anyway), then makes a filesystem
# (mkfs takes a random UUID from the guest kernel) and a temporary
# directory name.  Also the clock: a file made now has the
# host's time, not the time the state was saved.
rng_run () {
  truncate -s 32M "$tmp/r$1.img"
  "$fish" -a "$tmp/r$1.img" <<EOF > "$tmp/rng$1" 2> "$tmp/rngerr$1"
run
debug random ""
mkfs ext4 /dev/sda
vfs-uuid /dev/sda
mount /dev/sda /
mkdtemp /tmpXXXXXX
touch /now
stat /now
EOF
}
rng_run 1 & rng_run 2 & wait
r1=$(sed -n 1p "$tmp/rng1"); r2=$(sed -n 1p "$tmp/rng2")
u1=$(sed -n 2p "$tmp/rng1"); u2=$(sed -n 2p "$tmp/rng2")
d1=$(sed -n 3p "$tmp/rng1"); d2=$(sed -n 3p "$tmp/rng2")
if [ ${#r1} = 32 ] && [ ${#r2} = 32 ] && [ "$r1" != "$r2" ] &&
   [ -n "$u1" ] && [ -n "$u2" ] && [ "$u1" != "$u2" ] && [ -n "$d1" ] && [ "$d1" != "$d2" ]; then
  ok "two restored appliances draw different random bytes, UUIDs and names ($r1 / $r2)"
else
  cp "$tmp/rng1" "$tmp/out"; cat "$tmp/rng2" >> "$tmp/out"; cat "$tmp/rngerr1" "$tmp/rngerr2" > "$tmp/err"
  notok "two restored appliances draw different random bytes, UUIDs and names"
fi
mtime=$(awk '$1 == "mtime:" { print $2 }' "$tmp/rng1")
now=$(date +%s)
if [ -n "$mtime" ] && [ $((now - mtime)) -lt 120 ] && [ $((now - mtime)) -gt -120 ]; then
  ok "the restored appliance's clock is the host's"
else
  echo "# mtime $mtime, host $now"; cp "$tmp/rng1" "$tmp/out"; notok "the restored appliance's clock is the host's"
fi

# A saved state that cannot be restored: the launch boots cold and works,
# and the next launch saves a good state again.  A private cache (with the
# same appliance, named as a fixed appliance) keeps this away from the
# shared saved states.
appdir=$(sed -n 's/.*appliance ready: kernel \(.*\)\/kernel.*/\1/p' "$tmp/err" | head -1)
mkdir -p "$tmp/cache"
# (read-only: two of these run at once below, and qemu locks a disk
# against a second writer)
private () { LIBGUESTFS_PATH=$appdir LIBGUESTFS_CACHEDIR=$tmp/cache "$fish" -v --ro -a "$tmp/a.img" run : pread-device /dev/sda 7 0; }
private > "$tmp/out" 2> "$tmp/err"
state=$(ls "$tmp"/cache/hatch-appliance-*/snapshot-*/state 2> /dev/null | head -1)
if [ -n "$state" ] && [ -s "$(dirname "$state")/ram" ] && [ "$(cat "$tmp/out")" = written ]; then
  ok "a first launch saves the state ($(du -h "$state" | cut -f1), RAM $(du -h "$(dirname "$state")/ram" | cut -f1))"
else notok "a first launch saves the state"; fi
# Restored appliances map the saved RAM file private (lib/direct.c): two
# idle at once share its pages in the host's page cache, so each one's
# proportional set size (PSS) is well below its resident set (RSS), for
# qemu as a whole and for its mapping of that file; and no restore
# writes the saved files.
saved_files () { (cd "$(dirname "$state")" && sha256sum state ram root.qcow2 &&
                  stat -c '%n %s %Y' state ram root.qcow2); }
# hold N: a restored appliance that prints qemu's pid, then stays idle
# until $tmp/go exists (or a minute passed).
hold () {
  LIBGUESTFS_PATH=$appdir LIBGUESTFS_CACHEDIR=$tmp/cache "$fish" -v --ro -a "$tmp/a.img" <<EOF > "$tmp/hold$1" 2> "$tmp/holderr$1"
run
get-pid
!touch $tmp/up$1; i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done
EOF
}
# memory KEY PID: that field of /proc/PID/smaps_rollup, in KiB
memory () { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/smaps_rollup" 2> /dev/null; }
# ram_memory KEY PID: that field of qemu's mapping of the saved RAM file
ram_memory () {
  awk -v k="$1:" '/^[0-9a-f]+-[0-9a-f]+ / { inram = ($6 ~ /\/snapshot-[0-9a-f]+\/ram$/) }
                  inram && $1 == k { print $2; exit }' "/proc/$2/smaps" 2> /dev/null
}
if [ -n "$state" ]; then
  before=$(saved_files)
  hold 1 & h1=$!; hold 2 & h2=$!
  for i in $(seq 600); do [ -e "$tmp/up1" ] && [ -e "$tmp/up2" ] && break; sleep 0.1; done
  pid=$(head -1 "$tmp/hold2")
  rss=$(memory Rss "$pid"); pss=$(memory Pss "$pid")
  ram_rss=$(ram_memory Rss "$pid"); ram_pss=$(ram_memory Pss "$pid")
  touch "$tmp/go"; wait $h1 $h2
  if [ ! -r /proc/self/smaps_rollup ]; then
    skip "a second restored appliance shares the saved RAM (no smaps_rollup here)"
  elif grep -q 'launch finished (restored)' "$tmp/holderr1" && grep -q 'launch finished (restored)' "$tmp/holderr2" &&
       [ -n "$rss" ] && [ -n "$pss" ] && [ $((pss * 10)) -lt $((rss * 8)) ] &&
       [ -n "$ram_rss" ] && [ -n "$ram_pss" ] && [ $((ram_pss * 10)) -lt $((ram_rss * 8)) ]; then
    ok "a second restored appliance shares the saved RAM: qemu RSS $((rss / 1024)) MiB, PSS $((pss / 1024)) MiB (of the RAM file: $((ram_rss / 1024)) / $((ram_pss / 1024)) MiB)"
  else
    echo "# qemu $pid: RSS ${rss:-?} KiB, PSS ${pss:-?} KiB; RAM file mapping RSS ${ram_rss:-?} KiB, PSS ${ram_pss:-?} KiB"
    cp "$tmp/hold2" "$tmp/out"; cp "$tmp/holderr2" "$tmp/err"
    notok "a second restored appliance shares the saved RAM"
  fi
  if [ "$(saved_files)" = "$before" ]; then ok "restores leave the saved state, RAM and overlay unchanged"
  else diff <(echo "$before") <(saved_files) | sed 's/^/# /'; notok "restores leave the saved state, RAM and overlay unchanged"; fi

  head -c 100000 /dev/urandom > "$state"
  private > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ "$(cat "$tmp/out")" = written ] && grep -q 'booting cold' "$tmp/err" &&
     ! grep -q 'libguestfs: error' "$tmp/err"; then
    ok "a corrupt saved state gives a cold boot, no error"
  else
    notok "a corrupt saved state gives a cold boot, no error"
  fi
  private > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && grep -q 'launch finished (restored)' "$tmp/err" && grep -q 'saved state ready' "$tmp/err"; then
    ok "the next launch saves a good state again and restores it"
  else
    notok "the next launch saves a good state again and restores it"
  fi
fi

# Two first launches at once: one saves the state while the other waits
# for it; both work, and one state is left, with no temporary directory.
if [ -n "$state" ]; then
  rm -rf "$tmp"/cache/hatch-appliance-*/snapshot-*
  private > "$tmp/out1" 2> "$tmp/err1" & p1=$!
  private > "$tmp/out2" 2> "$tmp/err2" & p2=$!
  wait $p1; rc1=$?; wait $p2; rc2=$?
  states=$(ls -d "$tmp"/cache/hatch-appliance-*/snapshot-* | grep -c -v '\.lock$')
  if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ "$(cat "$tmp/out1")" = written ] &&
     [ "$(cat "$tmp/out2")" = written ] && [ "$states" = 1 ] &&
     [ "$(grep -l 'launch finished (restored)' "$tmp/err1" "$tmp/err2" | wc -l)" = 2 ]; then
    ok "two first launches at once: both restored, one saved state"
  else
    echo "# exit $rc1 $rc2, $states state directories"
    grep -h -E 'saved state|booting|restored|launch finished' "$tmp/err1" "$tmp/err2" | sed 's/^/#   /'
    : > "$tmp/err"
    notok "two first launches at once: both restored, one saved state"
  fi
fi

# A hypervisor that cannot boot the appliance for saving (this wrapper
# refuses the saving boot's root overlay): the launch boots cold and
# works, and the next launch does not try to save again.
if [ -n "$appdir" ]; then
  printf '#!/bin/bash\ncase "$*" in *root.qcow2*) echo "qemu-nosave: refusing the saving boot" >&2; exit 1 ;; esac\nexec qemu-system-x86_64 "$@"\n' > "$tmp/qemu-nosave"
  chmod +x "$tmp/qemu-nosave"
  nosave () { LIBGUESTFS_HV=$tmp/qemu-nosave private; }
  nosave > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ "$(cat "$tmp/out")" = written ] && grep -q 'booting cold' "$tmp/err"; then
    ok "a failed save gives a cold boot that works"
  else
    notok "a failed save gives a cold boot that works"
  fi
  nosave > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ "$(cat "$tmp/out")" = written ] && grep -q 'saving the state failed' "$tmp/err" &&
     ! grep -q 'booting to save one' "$tmp/err"; then
    ok "the next launch does not try to save again"
  else
    notok "the next launch does not try to save again"
  fi
fi
finish
