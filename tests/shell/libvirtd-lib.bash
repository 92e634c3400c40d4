# Sourced by the tests that need Debian's system libvirtd (qemu:///system).
# Tests run in parallel, so one libvirtd serves them all: the first test
# that finds none answering starts it (and virtlogd), each test registers
# itself, and the last one to leave stops what the tests started.  A
# libvirtd that was already running when the first test came is left
# alone.  State (a lock, the users, what was started) lives in
# /run/hatch-test-libvirtd.
#
#   libvirtd_join     # after this, virsh -c qemu:///system answers (or 1)
#   libvirtd_leave    # call from the test's cleanup (idempotent)
hatch_lv_dir=/run/hatch-test-libvirtd
hatch_lv_joined=

libvirtd_answers () { virsh -c qemu:///system version > /dev/null 2>&1; }

libvirtd_join () {
  mkdir -p "$hatch_lv_dir/users"
  (
    flock 9
    # users that died without leaving do not keep it alive
    for u in "$hatch_lv_dir"/users/*; do
      [ -e "$u" ] && ! kill -0 "${u##*/}" 2> /dev/null && rm -f "$u"
    done
    if ! libvirtd_answers; then
      if ! [ -S /run/libvirt/virtlogd-sock ]; then
        virtlogd -d -p "$hatch_lv_dir/virtlogd.pid" 9>&- < /dev/null > /dev/null 2>&1
      fi
      # (not holding the lock, nor the test's output, for the daemon's life)
      libvirtd -d -p "$hatch_lv_dir/libvirtd.pid" 9>&- < /dev/null > /dev/null 2>&1
      for _ in $(seq 150); do libvirtd_answers && break; sleep 0.2; done
    fi
    touch "$hatch_lv_dir/users/$$"
  ) 9> "$hatch_lv_dir/lock"
  hatch_lv_joined=1
  libvirtd_answers
}

libvirtd_leave () {
  [ -n "$hatch_lv_joined" ] || return 0
  hatch_lv_joined=
  (
    flock 9
    rm -f "$hatch_lv_dir/users/$$"
    for u in "$hatch_lv_dir"/users/*; do
      [ -e "$u" ] && ! kill -0 "${u##*/}" 2> /dev/null && rm -f "$u"
    done
    if [ -z "$(ls -A "$hatch_lv_dir/users")" ]; then
      for d in libvirtd virtlogd; do
        if [ -s "$hatch_lv_dir/$d.pid" ]; then
          kill "$(cat "$hatch_lv_dir/$d.pid")" 2> /dev/null
          rm -f "$hatch_lv_dir/$d.pid"
        fi
      done
    fi
  ) 9> "$hatch_lv_dir/lock"
}
