#!/bin/bash
# A hypervisor for LIBGUESTFS_HV that behaves like qemu on a host whose KVM
# cannot run our appliance, in one of the ways such hosts fail.  Anything
# asked for under TCG runs the real qemu unchanged; the KVM probe
# ("-S" without a kernel) passes, as it does on those hosts; a boot asked
# for under KVM runs the real qemu under TCG but fails as FAKE_KVM_MODE says:
#   internal-error  the guest runs a second, then qemu prints a KVM internal
#                   error and a register dump and stops the VM (stays alive)
#   msr             qemu prints an MSR error and exits with status 1
#   hang            qemu starts, the guest never runs, nothing is printed
#   signal          qemu is killed by SIGKILL a second after it starts
#   works           the boot simply runs (under TCG), as a working KVM would
#   absent          the probe fails, as on a host without KVM
# With FAKE_TCG_HANG=first (or always), the first (every) appliance boot
# under TCG that is not a restore hangs instead: qemu runs, its guest
# never does, nothing is printed.  With FAKE_TCG_DELAY=N, every such boot
# starts N seconds late (a slow host).
# Each start appends "kvm", "tcg", "tcg-hung" or "probe" to FAKE_KVM_LOG.
real=${FAKE_KVM_REAL:-qemu-system-x86_64}
log=${FAKE_KVM_LOG:-/dev/null}
[ "${1:-}" = -version ] && exec "$real" -version

kvm=no probe=yes restore=no
args=() prev=
for a in "$@"; do
  case $a in
    *accel=kvm*) kvm=yes; a=${a/accel=kvm/accel=tcg} ;;
    -kernel) probe=no ;;
    -incoming) restore=yes ;;
  esac
  [ "$prev" = -cpu ] && [ "$a" = host ] && a=max
  args+=("$a")
  prev=$a
done

if [ $kvm = no ]; then
  if [ $probe = no ] && [ $restore = no ] && case ${FAKE_TCG_HANG:-} in
       always) true ;; first) ! [ -e "$log.hung" ] ;; *) false ;; esac; then
    : > "$log.hung"
    echo tcg-hung >> "$log"
    exec "$real" "$@" -S
  fi
  echo tcg >> "$log"
  [ $probe = no ] && [ $restore = no ] && sleep "${FAKE_TCG_DELAY:-0}"
  exec "$real" "$@"
fi
if [ $probe = yes ]; then
  echo probe >> "$log"
  [ "${FAKE_KVM_MODE:-}" = absent ] && exit 1
  exec "$real" "${args[@]}"
fi
echo kvm >> "$log"
case ${FAKE_KVM_MODE:-} in
  internal-error)
    ( sleep 1
      echo "KVM internal error. Suberror: 1" >&2
      echo "extra data[0]: 0x0000000000000000" >&2
      echo "emulation failure" >&2
      echo "RAX=ffffffff81e3a2b0 RBX=0000000000000000 RCX=0000000000000001 RDX=0000000000000000" >&2
      echo "RIP=ffffffff81001e0e RFL=00010246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0" >&2
      echo "EFER=0000000000000d01" >&2
      echo "Code=0f 1f 44 00 00 <0f> 30 c3 0f 1f 00 0f 1f 44 00 00 89 f9 0f 32" >&2
    ) &
    exec "$real" "${args[@]}" -S ;;
  msr)
    echo "qemu-system-x86_64: error: failed to set MSR 0x48b to 0x1582e00000000" >&2
    exit 1 ;;
  hang)
    exec "$real" "${args[@]}" -S ;;
  signal)
    ( sleep 1; kill -9 $$ ) &
    exec "$real" "${args[@]}" ;;
  works)
    exec "$real" "${args[@]}" ;;
  *)
    echo "fake-kvm-qemu: FAKE_KVM_MODE must be internal-error, msr, hang, signal, works or absent" >&2
    exit 2 ;;
esac
