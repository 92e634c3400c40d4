#!/bin/bash
# guestfish's command set and rarer options, checked against what
# libguestfs 1.48's guestfish does: internal_* calls are not commands
# (except internal-exit), the deprecated ones are; NAME-opts spellings work
# but are not listed; --long-options / --short-options (bash completion),
# --selinux, -D, --pipe-error (write errors only, not the pipeline's exit
# status), --blocksize, -N parameter errors, --help naming every option;
# then, with four launches: --blocksize on the disks and the appliance
# dying in the middle or at the end of a script (internal-exit): the calls
# after it fail with the message and location of the real tool, and the
# exit status is 1.
. "$(dirname "$0")/fish-lib.bash"

# --- the command set --------------------------------------------------------
"$fish" -h > "$tmp/out" 2> "$tmp/err"
if ! grep -v '^internal-exit ' "$tmp/out" | grep -q '^internal'; then ok "no internal-* commands listed"
else notok "no internal-* commands listed"; fi
out_has "internal-exit is listed" '^internal-exit  *cause the daemon to exit'
for c in internal-test internal-test-rint internal-upload internal-write \
         internal-lstatnslist internal-feature-available internal-rhbz914931 \
         internal-list-rpm-applications internal-parse-mountable internal-autosync \
         is-busy is-ready is-launching wait-ready get-state; do
  run "$c is not a command" 1 "" "$c"
done
run "-h internal-test: unknown" 1 "" -h internal-test
err_has "-h internal-test: message" "internal-test"
for c in llz sfdisk sfdiskM sfdisk-l sfdisk-N sfdisk-kernel-geometry \
         sfdisk-disk-geometry add-drive-ro-with-if add-drive-with-if \
         mkfs-b debug-upload debug-drives; do
  if "$fish" -h "$c" > /dev/null 2>&1; then ok "$c (deprecated or debug) is a command"
  else notok "$c (deprecated or debug) is a command"; fi
done
"$fish" -h > "$tmp/out" 2> "$tmp/err"
if ! grep -q -- '-opts ' "$tmp/out"; then ok "NAME-opts spellings not listed"
else notok "NAME-opts spellings not listed"; fi
run "mkfs-opts still works (help)" 0 "$("$fish" -h mkfs)" -h mkfs-opts
run "add-drive-opts still works (call)" 0 "" add-drive-opts /dev/null format:raw readonly:true

# --- --long-options, --short-options ------------------------------------------
want_long=$(printf -- '--%s\n' add blocksize cmd-help connect csh domain echo-keys \
  file format help inspector key keys-from-stdin listen live mount network new \
  no-dest-paths no-sync pipe-error progress-bars no-progress-bars remote ro rw \
  selinux verbose version)
run "--long-options" 0 "$want_long" --long-options
run "--short-options" 0 "$(printf -- '-%s\n' a c d D f h i m n N r v V w x)" --short-options
"$fish" --help > "$tmp/out" 2>&1
missing=
for o in $want_long; do
  case $o in --live) continue ;; esac
  grep -q -- "$o\b" "$tmp/out" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "--help names every option"
else echo "# missing:$missing"; notok "--help names every option"; fi

run "--selinux does nothing" 0 "x" --selinux echo x
run "-D works" 0 "x" -D echo x
err_has "-D: deprecation warning" "deprecated.*--no-dest-paths"
run "--no-dest-paths: no warning" 0 "x" --no-dest-paths echo x
if [ ! -s "$tmp/err" ]; then ok "--no-dest-paths: no warning (stderr empty)"
else notok "--no-dest-paths: no warning (stderr empty)"; fi
run "--live is refused" 1 "" --live echo x
# Messages as libguestfs 1.48's guestfish prints them: a missing -a file
# before the misplaced --format after it; ‘ ’ quotes in the usage hint.
run "-a missing --format=raw" 1 "" -a /nonexistent/hatch.img --format=raw
err_has "-a missing --format=raw: message" "^guestfish: access: /nonexistent/hatch.img: No such file or directory$"
run "unknown option" 1 "" --no-such-option
err_has "unknown option: usage hint" "^Try ‘guestfish --help’ for more information.$"

# --- --pipe-error ---------------------------------------------------------------
# 120 KB of output into a pipeline that reads nothing: the writes fail.
w1=$(head -c 3000 /dev/zero | tr '\0' b)
big=$(for i in $(seq 40); do printf '%s ' "$w1"; done)
script "write error into a pipeline: ignored by default" 0 "after" \
  "$(printf 'echo %s | true\necho after' "$big")"
script "--pipe-error: a write error fails the command" 1 "" \
  "$(printf 'echo %s | true\necho after' "$big")" --pipe-error
err_has "--pipe-error: message" "Broken pipe"
script "--pipe-error: the pipeline's exit status does not matter" 0 "$(printf 'hi\nafter')" \
  "$(printf 'echo hi | (cat; exit 3)\necho after')" --pipe-error

# --- option errors (no launch) ---------------------------------------------------
truncate -s 16M b1.img b2.img
"$fish" -x --format=raw -a b1.img --format -a b2.img --blocksize=4096 -a b1.img \
  --blocksize -a b2.img echo < /dev/null 2>&1 | grep 'add_drive "' > "$tmp/out"
want=$(printf '%s\n' 'libguestfs: trace: add_drive "b1.img" "format:raw"' \
  'libguestfs: trace: add_drive "b2.img"' \
  'libguestfs: trace: add_drive "b1.img" "blocksize:4096"' \
  'libguestfs: trace: add_drive "b2.img"')
if [ "$(cat "$tmp/out")" = "$want" ]; then ok "--format and --blocksize apply to the -a after them; no value resets"
else : > "$tmp/err"; notok "--format and --blocksize apply to the -a after them; no value resets"; fi
run "--blocksize=1000" 1 "" --blocksize=1000 -a b1.img echo x
run "--blocksize after -a" 1 "" -a b1.img --blocksize=4096 echo x
err_has "--blocksize after -a: message" "blocksize.*before"
run "--format after -a" 1 "" -a b1.img --format=raw echo x
run "-N unknown type" 1 "" -N nosuch
err_has "-N unknown type: message" "no such prepared disk image known"
run "-N too many parameters" 1 "" -N x.img=disk:1M:extra
err_has "-N too many parameters: message" "too many parameters"
run "-N bad size" 1 "" -N x.img=disk:abc
run "--remote=abc" 1 "" --remote=abc echo x
run "--listen with --remote" 1 "" --listen --remote echo x

if [ -n "${SKIP_FISH_LAUNCH:-}" ]; then finish; fi

# --- with an appliance ------------------------------------------------------------
run "--blocksize applies to the -a disks after it" 0 "$(printf '4096\n512')" \
  --format=raw --blocksize=4096 -a b1.img --blocksize -a b2.img \
  run : blockdev-getss /dev/sda : blockdev-getss /dev/sdb

# The appliance dies in the middle of a script: internal-exit itself
# succeeds, the next call fails with the closed connection, later ones
# with "call launch before"; the exit status is 1 (checked against
# libguestfs 1.48's guestfish).
script "appliance dies mid-script" 1 "$(printf 'x')" \
  "$(printf 'run\ninternal-exit\n-ping-daemon\necho x\nping-daemon\necho y')" \
  --format=raw -a b1.img
err_has "first call after: closed connection, with the line" '^\*stdin\*:3: libguestfs: error: appliance closed the connection unexpectedly'
err_has "later call: launch needed, with the line" '^\*stdin\*:5: libguestfs: error: ping_daemon: call launch before using this function'
if ! grep -q '^\*stdin\*:6' "$tmp/err"; then ok "script stops at the failing line"
else notok "script stops at the failing line"; fi
# Dying after the last command: closing fails, with the location of the
# last line ("*stdin*:0" after command-line commands), status 1.
printf 'run\ninternal-exit\n' > e.gf
run "appliance dies at the end of a -f script" 1 "" --format=raw -a b1.img -f e.gf
err_has "close error located at the last line" '^e\.gf:2: libguestfs: error: appliance closed the connection'
run "appliance dies after command-line commands" 1 "z" --format=raw -a b1.img run : internal-exit : echo z
err_has "close error located at *stdin*:0" '^\*stdin\*:0: libguestfs: error: appliance closed the connection'

finish
