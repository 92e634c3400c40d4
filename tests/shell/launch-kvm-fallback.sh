#!/bin/bash
# The KVM verdict comes from the appliance's real boot.  A fake hypervisor
# (tests/data/fake-kvm-qemu.sh) runs the real qemu, but fails each way a
# host's KVM can fail when the appliance is booted under KVM.  For each:
# the launch succeeds under TCG within a bound, -v says once why KVM was
# dropped, the cached verdict says "no", and the next launch goes straight
# to TCG.  A launch whose hypervisor has no saved appliance state yet boots
# once to save one (under the accelerator chosen) and then starts again
# from it: "tcg tcg" below; a KVM that fails that boot is dropped at once
# and the launch boots cold under TCG.  Also: a cached "yes" that fails is downgraded, and force_kvm
# turns the fallback into a clear error.
. "$(dirname "$0")/fish-lib.bash"
need_launch
unset LIBGUESTFS_BACKEND_SETTINGS LIBGUESTFS_HV
# Each fake hypervisor gets its own saved appliance states: keep them (and
# the fakes' verdicts) in a private cache, with the shared appliance named
# as a fixed one.
"$fish" -v -a /dev/null run < /dev/null > "$tmp/out" 2> "$tmp/err"
appdir=$(sed -n 's/.*appliance ready: kernel \(.*\)\/kernel.*/\1/p' "$tmp/err" | head -1)
if [ -z "$appdir" ]; then notok "a first launch names the appliance"; finish; fi
export LIBGUESTFS_PATH=$appdir LIBGUESTFS_CACHEDIR=$tmp/cache
mkdir -p "$LIBGUESTFS_CACHEDIR"
cachedir=$LIBGUESTFS_CACHEDIR
verdicts="$cachedir/hatch-appliance-$(id -u)/kvm-verdict"
boot=$(cat /proc/sys/kernel/random/boot_id)
export FAKE_KVM_REAL=$(command -v qemu-system-x86_64)

# Each case gets its own copy of the fake: the verdict is cached per
# hypervisor path, so every case starts with none.
fake_for () {
  cp "$HATCH_SRCDIR/tests/data/fake-kvm-qemu.sh" "$tmp/qemu-$1"
  echo "$tmp/qemu-$1"
}
verdict_of () { awk -F'\t' -v b="$boot" -v h="$1" '$1 == b && $2 == h { print $3 }' "$verdicts" 2> /dev/null; }

for mode in internal-error msr hang signal; do
  hv=$(fake_for "$mode")
  export FAKE_KVM_MODE=$mode FAKE_KVM_LOG="$tmp/log-$mode"
  start=$(date +%s.%N)
  LIBGUESTFS_HV=$hv "$fish" -v -a /dev/null run : echo launched < /dev/null > "$tmp/out" 2> "$tmp/err"
  rc=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  # The bound: the fake's failure (at most the 10 s silence bound), then a
  # TCG launch (3-5 s here, more on a loaded machine).
  if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = launched ] && [ "$(echo "$took < 40" | bc)" = 1 ]; then
    ok "$mode: the launch succeeds (${took%.*} s, bound 40 s)"
  else
    echo "# exit status $rc, took $took s"; notok "$mode: the launch succeeds"
  fi
  if [ "$(grep -c 'KVM dropped:' "$tmp/err")" = 1 ]; then ok "$mode: -v says once why KVM was dropped"
  else notok "$mode: -v says once why KVM was dropped"; fi
  grep 'KVM dropped:' "$tmp/err" | sed 's/^/# /'
  if [ "$(tr '\n' ' ' < "$FAKE_KVM_LOG")" = "probe kvm tcg " ]; then ok "$mode: probe, a KVM boot, then TCG"
  else echo "# starts: $(tr '\n' ' ' < "$FAKE_KVM_LOG")"; notok "$mode: probe, a KVM boot, then TCG"; fi
  if [ "$(verdict_of "$hv")" = no ]; then ok "$mode: the cached verdict says no"
  else echo "# verdicts:"; sed 's/^/#   /' "$verdicts"; notok "$mode: the cached verdict says no"; fi
  : > "$FAKE_KVM_LOG"
  LIBGUESTFS_HV=$hv "$fish" -a /dev/null run : echo launched < /dev/null > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ "$(tr '\n' ' ' < "$FAKE_KVM_LOG")" = "tcg tcg " ]; then
    ok "$mode: the next launch goes straight to TCG"
  else
    echo "# starts: $(tr '\n' ' ' < "$FAKE_KVM_LOG")"; notok "$mode: the next launch goes straight to TCG"
  fi
done

# launch_checks NAME HV STARTS VERDICT: one quiet launch through HV
# succeeds, the fake was started as STARTS says, the cached verdict is VERDICT.
launch_checks () {
  : > "$FAKE_KVM_LOG"
  LIBGUESTFS_HV=$2 "$fish" -a /dev/null run : echo launched < /dev/null > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && [ "$(tr '\n' ' ' < "$FAKE_KVM_LOG")" = "$3" ] && [ "$(verdict_of "$2")" = "$4" ]; then
    ok "$1"
  else
    echo "# starts: $(tr '\n' ' ' < "$FAKE_KVM_LOG") verdict: $(verdict_of "$2")"
    notok "$1"
  fi
}

# A KVM that works is kept (the fake runs the boot under TCG, slower than
# any KVM, and init's first line must still beat the silence bound).
export FAKE_KVM_MODE=works FAKE_KVM_LOG="$tmp/log-works"
launch_checks "a KVM that boots the appliance is kept (verdict yes, no second boot)" \
  "$(fake_for works)" "probe kvm kvm " yes

# A cached "yes" that fails at boot is downgraded the same way.
hv=$(fake_for cached-yes)
mkdir -p "$(dirname "$verdicts")"
printf '%s\t%s\tyes\n' "$boot" "$hv" >> "$verdicts"
export FAKE_KVM_MODE=internal-error FAKE_KVM_LOG="$tmp/log-cached"
launch_checks "a cached yes that fails is downgraded to no, and the launch succeeds" \
  "$hv" "kvm tcg " no

# force_kvm: no fallback, an error that names the cause, at once.
hv=$(fake_for force)
export FAKE_KVM_LOG="$tmp/log-force"
start=$(date +%s)
LIBGUESTFS_BACKEND_SETTINGS=force_kvm LIBGUESTFS_HV=$hv \
  "$fish" -a /dev/null run < /dev/null > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc != 0 ] && [ $(( $(date +%s) - start )) -lt 30 ] && grep -q 'force_kvm' "$tmp/err" &&
   grep -q 'KVM internal error' "$tmp/err" && ! grep -q tcg "$FAKE_KVM_LOG"; then
  ok "force_kvm: a clear error naming KVM's failure, no TCG fallback"
else
  notok "force_kvm: a clear error naming KVM's failure, no TCG fallback"
fi

# Silent guests.  The fakes below have no KVM (FAKE_KVM_MODE=absent).  The
# four cases mostly wait on a guest that never runs, so they run at once,
# each with its own fake, log and output files ($tmp/silent-NAME.*), and
# are checked in order afterwards.
#   cold:    a TCG boot whose guest never runs (it happened once in CI: a
#            cold boot silent for the whole launch timeout) is killed after
#            a quarter of the timeout, 15 s at least, and booted again, once
#            (HATCH_LAUNCH_TIMEOUT=60: the bound is 15 s);
#   save:    the same in the boot that saves the appliance's state: the
#            launch boots cold, and the failed save is not held against
#            the next launch, which saves;
#   always:  a boot that hangs every time: the launch fails at the timeout
#            after one retry, saying what qemu and the guest did;
#   console: a guest whose console set_append sends elsewhere is silent
#            here however it boots: a slow boot (17 s) is not taken for a
#            hung one.
silent_run () {   # NAME FISH-ARGS... (stdin: the script), timed
  local name=$1; shift
  local start=$(date +%s.%N)
  LIBGUESTFS_HV=$tmp/qemu-silent-$name FAKE_KVM_LOG=$tmp/silent-$name.log \
    "$fish" "$@" > "$tmp/silent-$name.out" 2> "$tmp/silent-$name.err"
  echo $? > "$tmp/silent-$name.rc"
  echo "$(date +%s.%N) - $start" | bc > "$tmp/silent-$name.took"
}
for c in cold save always console; do fake_for "silent-$c" > /dev/null; done
export FAKE_KVM_MODE=absent
printf 'smp 2\nrun\necho launched\n' |
  FAKE_TCG_HANG=first HATCH_LAUNCH_TIMEOUT=60 silent_run cold -v -a /dev/null &
( FAKE_TCG_HANG=first HATCH_LAUNCH_TIMEOUT=60 silent_run save -v -a /dev/null run : echo launched \
    < /dev/null
  # the next launch, as a user's: saves the state, then restores it
  : > "$tmp/silent-save.log"
  LIBGUESTFS_HV=$tmp/qemu-silent-save FAKE_KVM_LOG=$tmp/silent-save.log \
    "$fish" -a /dev/null run : echo launched < /dev/null > "$tmp/silent-save2.out" 2>&1
  echo $? > "$tmp/silent-save2.rc" ) &
printf 'smp 2\nrun\n' | FAKE_TCG_HANG=always HATCH_LAUNCH_TIMEOUT=20 silent_run always -a /dev/null &
printf 'smp 2\nappend "console=ttyS0 console=tty0"\nrun\necho launched\n' |
  FAKE_TCG_DELAY=17 HATCH_LAUNCH_TIMEOUT=60 silent_run console -v -a /dev/null &
wait

silent_check () {   # NAME DESCRIPTION CONDITION...: ok, or notok with the case's files
  local name=$1 what=$2; shift 2
  if "$@"; then ok "$what"; else
    cp "$tmp/silent-$name.out" "$tmp/out"; cp "$tmp/silent-$name.err" "$tmp/err"
    echo "# exit status $(cat "$tmp/silent-$name.rc"), took $(cat "$tmp/silent-$name.took") s, starts: $(tr '\n' ' ' < "$tmp/silent-$name.log")"
    notok "$what"
  fi
}
starts () { tr '\n' ' ' < "$tmp/silent-$1.log"; }
rc_of () { cat "$tmp/silent-$1.rc"; }
took_below () { [ "$(echo "$(cat "$tmp/silent-$1.took") < $2" | bc)" = 1 ]; }

silent_check cold "a silent TCG cold boot is booted again ($(cut -d. -f1 < "$tmp/silent-cold.took") s, bound 40 s)" \
  eval '[ "$(rc_of cold)" = 0 ] && [ "$(cat "$tmp/silent-cold.out")" = launched ] &&
        [ "$(starts cold)" = "probe tcg-hung tcg " ] && took_below cold 40 &&
        grep -q "the guest printed nothing in 15 s under TCG (qemu used [0-9.]* s of CPU); booting again" "$tmp/silent-cold.err"'
silent_check save "a silent saving boot: the launch boots cold" \
  eval '[ "$(rc_of save)" = 0 ] && [ "$(cat "$tmp/silent-save.out")" = launched ] &&
        grep -q "launch from a saved state failed (the guest printed nothing in 15 s under TCG" "$tmp/silent-save.err"'
silent_check save "after a silent saving boot, the next launch saves the state and restores it" \
  eval '[ "$(cat "$tmp/silent-save2.rc")" = 0 ] && [ "$(cat "$tmp/silent-save2.out")" = launched ] &&
        [ "$(starts save)" = "tcg tcg " ]'
silent_check always "a boot that always hangs: a clear error after one retry ($(cut -d. -f1 < "$tmp/silent-always.took") s), no qemu left" \
  eval '[ "$(rc_of always)" != 0 ] && [ "$(starts always)" = "probe tcg-hung tcg-hung " ] && took_below always 50 &&
        grep -q "timed out after 20 s waiting for the appliance to start (qemu connected to the channel and used [0-9.]* s of CPU; the guest printed nothing)" "$tmp/silent-always.err" &&
        ! pgrep -f "$tmp/qemu-silent-" > /dev/null'
silent_check console "a slow boot whose console is elsewhere (append console=tty0) is not booted again" \
  eval '[ "$(rc_of console)" = 0 ] && [ "$(cat "$tmp/silent-console.out")" = launched ] &&
        [ "$(starts console)" = "probe tcg " ] && ! grep -q "printed nothing" "$tmp/silent-console.err"'
unset FAKE_KVM_MODE

# The fakes' own verdict lines are this test's: take them out again.
if [ -f "$verdicts" ]; then
  grep -v -F "$tmp/qemu-" "$verdicts" > "$verdicts.test.$$"; mv "$verdicts.test.$$" "$verdicts"
fi
finish
