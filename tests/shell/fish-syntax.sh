#!/bin/bash
# guestfish without an appliance: number formats, ~, <!, comments and the
# '-' prefix, events, alloc/sparse, reopen, glob with nothing to expand,
# -N parsing, the read-only default and the options that need what this
# build does not have (clear errors).
. "$(dirname "$0")/fish-lib.bash"

# --- numbers: decimal, octal, hex, size suffixes -----------------------------
run "size suffix K" 0 1024 set-memsize 1K : get-memsize
run "size suffix KiB" 0 1024 set-memsize 1KiB : get-memsize
run "size suffix KB (SI)" 0 1000 set-memsize 1KB : get-memsize
run "size suffix M" 0 2097152 set-memsize 2M : get-memsize
run "hex for an int" 0 4 set-smp 0x4 : get-smp
run "octal" 0 1024 set-memsize 02000 : get-memsize
run "hex" 0 1024 set-memsize 0x400 : get-memsize
run "bad suffix" 1 "" set-memsize 1b
err_has "bad suffix message" "set-memsize: memsize: invalid integer parameter (xstrtoll returned 2)"
run "bad octal digit" 1 "" set-memsize 08
run "suffix overflow" 1 "" set-memsize 99999999999999999999K
err_has "overflow message" "xstrtoll returned 1"
run "out of int range" 1 "" set-memsize 5G
err_has "out of range message" "integer out of range"

# --- tilde, comments, quoting ------------------------------------------------
script "~ and ~user" 0 "$HOME $HOME/x $(getent passwd root | cut -d: -f6) ~ ~nosuchuser9/y" \
  'echo ~ ~/x ~root "~" ~nosuchuser9/y'
script "comments and blank lines" 0 "a" '# comment
   # indented comment

echo a'
script "quotes" 0 "$(printf 'a b\n|\nx"y\nc\td')" 'echo "a b"
echo "|"
echo x"y
echo "c\td"'
script "'-' ignores a parse error" 0 "after" '-echo "unterminated
echo after'
script "parse error stops a script" 1 "" 'echo "unterminated
echo after'
err_has "parse error message" "unterminated double quote"
script "quoted word must end at a space" 1 "" "echo 'a'b"
err_has "quote message" "command arguments not separated by whitespace"

# --- !cmd, <!cmd, pipes --------------------------------------------------------
script "!cmd" 0 "local" '!echo local'
script "<! runs the output as commands" 0 "$(printf 'one\ntwo\n1 2')" \
  '<! echo echo one; echo echo two; printf "echo %s %s\n" 1 2'
script "<! stops at a failing command" 1 "one" '<! echo echo one; echo nosuch-cmd; echo echo two
echo after'
script "-<! ignores the failure" 0 "$(printf 'one\nafter')" '-<! echo echo one; echo nosuch-cmd
echo after'
script "pipe" 0 "HELLO" 'echo hello | tr a-z A-Z'
script "pipe without space after |" 0 "3" 'echo a b c |wc -w'

# --- events ------------------------------------------------------------------
script "event and list-events" 0 "$(printf '%s\n' \
  '"a" (0): close,trace: echo $EVENT' '"a" (2): appliance: true' \
  '"b" (1): progress: x' '"b" (1): progress: x')" \
  'event a close,trace "echo $EVENT"
event b progress "x"
event a appliance "true"
list-events
delete-event a
list-events'
# libguestfs's list-events writes a handler on every event as *.
script "event * is every event" 0 '"s" (0): *: true' \
  'event s * "true"
list-events' 
script "delete-event of an unknown name" 1 "" 'delete-event nosuch'
err_has "delete-event message" "delete-event: nosuch: no such event handler"
script "bad event name" 1 "" 'event x nosuchevent "true"'
script "close event runs the script" 0 "$(printf 'closing close\nclose')" \
  'event c close "echo closing $EVENT"
event d close "echo $EVENT"'
script "trace event gets the message as \$1" 0 "$(printf 'trace:get_memsize\ntrace:get_memsize = 1024\n1024\ntrace:shutdown\ntrace:shutdown = 0\ntrace:close')" \
  "set-memsize 1024
event t trace 'echo trace:\$1'
set-trace true
get-memsize"

# --- alloc / sparse / reopen -------------------------------------------------
run "sparse" 0 "" sparse sp.img 10M
if [ "$(stat -c %s sp.img)" = 10485760 ]; then ok "sparse size"; else notok "sparse size"; fi
run "alloc" 0 "" alloc al.img 100K
if [ "$(stat -c %s al.img)" = 102400 ] && [ "$(stat -c %b al.img)" -gt 0 ]
then ok "alloc size and blocks"; else notok "alloc size and blocks"; fi
run "allocate alias" 0 "" allocate al2.img 1M
run "alloc bad size" 1 "" alloc al3.img 1x
run "alloc missing size" 1 "" alloc al3.img
# As libguestfs's reopen: guestfish's own settings survive, memsize and
# smp are back to the library's defaults (1280 MB, 1).
run "reopen: memsize and smp back to the defaults" 0 "$(printf '1024\n1280\n1\ntrue')" \
  set-memsize 1024 : set-smp 2 : set-trace true : get-memsize : reopen : \
  get-memsize : get-smp : get-trace
# set-tmpdir/set-cachedir as libguestfs 1.48: realpath'd, a missing folder
# is a realpath error, and the default applies after the failure.
mkdir -p td
printf '%s\n' 'set-tmpdir td/../td' get-tmpdir '-set-tmpdir /nonexistent/x' get-tmpdir \
  'set-cachedir td' get-cachedir '-set-cachedir /nonexistent/y' get-cachedir |
  env -u TMPDIR -u LIBGUESTFS_TMPDIR -u LIBGUESTFS_CACHEDIR -u XDG_CACHE_HOME \
  "$fish" > "$tmp/out" 2> "$tmp/err"
if [ "$(cat "$tmp/out")" = "$(printf '%s\n' "$PWD/td" /tmp "$PWD/td" /var/tmp)" ]
then ok "set-tmpdir/set-cachedir: realpath, default after a failure"
else cat "$tmp/out" | sed 's/^/# /'; notok "set-tmpdir/set-cachedir: realpath, default after a failure"; fi
err_has "set-tmpdir: realpath error" "set_tmpdir: /nonexistent/x: realpath: No such file or directory"
err_has "set-cachedir: realpath error" "set_cachedir: /nonexistent/y: realpath: No such file or directory"
run "reopen forgets drives" 0 "" sparse sp2.img 1M : reopen : echo -n
script "reopen closes the handle (close event) and drops handlers" 0 "closed" 'event c close "echo closed"
reopen
list-events'

# --- glob without wildcards or without an appliance ----------------------------
run "glob with nothing to expand" 0 "a b" glob echo a b
run "glob of a non-path pattern" 0 "x*" glob echo 'x*'

# --- -N parsing (no launch needed for the errors) -------------------------------
"$fish" -N help > "$tmp/out" 2> "$tmp/err"
if [ $? = 0 ] && grep -q 'bootrootlv' "$tmp/out"; then ok "-N help lists types"
else notok "-N help lists types"; fi
run "-N unknown type" 1 "" -N nosuchtype
err_has "-N unknown type message" "no such prepared disk image"
run "-N too many params" 1 "" -N disk:1M:2:3
run "-N bad size" 1 "" -N disk:1Q
run "-N bad LV name" 1 "" -N lv:VG
run "-N boot too big" 1 "" -N bootroot:ext2:ext2:10M:20M
if [ ! -e test1.img ]; then ok "-N errors create no file"; else notok "-N errors create no file"; fi

# --- read-only default -----------------------------------------------------------
truncate -s 1M ro.img
"$fish" -x -a ro.img echo > "$tmp/out" 2> "$tmp/err"
if grep -q 'add_drive "ro.img"$' "$tmp/err"; then ok "default is read-write"
else notok "default is read-write"; fi
echo 'read_only = true;' > "$HOME/.libguestfs-tools.rc"
"$fish" -x -a ro.img echo > "$tmp/out" 2> "$tmp/err"
if grep -q 'add_drive "ro.img" "readonly:true"' "$tmp/err"; then ok "config read_only"
else notok "config read_only"; fi
"$fish" -x --rw -a ro.img echo > "$tmp/out" 2> "$tmp/err"
if grep -q 'add_drive "ro.img"$' "$tmp/err"; then ok "--rw beats the config"
else notok "--rw beats the config"; fi
rm "$HOME/.libguestfs-tools.rc"
"$fish" -x --ro -a ro.img echo > "$tmp/out" 2> "$tmp/err"
if grep -q 'readonly:true' "$tmp/err"; then ok "--ro"; else notok "--ro"; fi

# --- options needing what this build lacks, and option checks ------------------
run "-d without libvirt" 1 "" -d someguest echo x
err_has "-d message" "libvirt"
run "-c without -d (ignored, as in the real tool)" 0 "x" -c qemu:///system echo x
run "--remote without GUESTFISH_PID" 1 "" --remote echo x
err_has "--remote message" "GUESTFISH_PID"
run "--remote=bad" 1 "" --remote=abc echo x
run "--listen with commands" 1 "" --listen echo x
run "--listen and --remote" 1 "" --listen --remote=1
run "--key needs a selector" 1 "" --key nocolon echo x
run "--key accepted" 0 "x" --key /dev/sda2:key:secret echo x
run "--keys-from-stdin --echo-keys accepted" 0 "x" --keys-from-stdin --echo-keys echo x
run "--progress-bars accepted" 0 "x" --progress-bars echo x
run "--no-progress-bars accepted" 0 "x" --no-progress-bars echo x
run "--no-dest-paths accepted" 0 "x" --no-dest-paths echo x
run "-a bad URI protocol" 1 "" -a foo://host/disk echo x
run "-m without an appliance fails at launch" 1 "" -m /dev/sda1

# --- help for the built-ins --------------------------------------------------------
for c in alloc allocate copy-in copy-out delete-event display edit vi emacs \
         event glob hexedit lcd list-events man manual more less reopen \
         setenv sparse supported time unsetenv echo help quit exit; do
  "$fish" -h "$c" > "$tmp/out" 2> "$tmp/err"
  if [ $? = 0 ] && grep -q '^NAME' "$tmp/out"; then ok "help $c"
  else notok "help $c"; fi
done
"$fish" -h > "$tmp/out"
for c in copy-in copy-out glob event reopen supported sparse; do
  if grep -q "^$c " "$tmp/out"; then ok "$c listed"; else notok "$c listed"; fi
done

finish
