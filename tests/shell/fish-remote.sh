#!/bin/bash
# guestfish --listen / --remote: a server process and clients talking to
# it over the per-user socket; exit status, output, pipes, '-' prefix,
# commands on stdin, the server ending on 'exit' and on a failed command.
. "$(dirname "$0")/fish-lib.bash"
need_launch

truncate -s 32M r.img
eval "$("$fish" --listen -a r.img < /dev/null 2> "$tmp/err")"
if [ -n "${GUESTFISH_PID:-}" ] && kill -0 "$GUESTFISH_PID" 2>/dev/null; then ok "--listen prints GUESTFISH_PID"
else notok "--listen prints GUESTFISH_PID"; finish; fi
cleanup_hooks+=("kill $GUESTFISH_PID 2>/dev/null")
dir=/tmp/.guestfish-$(id -u)
if [ -S "$dir/socket-$GUESTFISH_PID" ] && [ "$(stat -c %a "$dir")" = 700 ] &&
   [ "$(stat -c %u "$dir")" = "$(id -u)" ]; then ok "private socket directory"
else notok "private socket directory"; fi

run "--remote run" 0 "" --remote run
run "--remote cmd : cmd" 0 "$(printf '/dev/sda\nhi')" --remote list-devices : echo hi
run "--remote=PID" 0 "x" --remote="$GUESTFISH_PID" echo x
"$fish" --remote part-disk /dev/sda mbr < /dev/null
"$fish" --remote mkfs ext2 /dev/sda1 < /dev/null
"$fish" --remote mount /dev/sda1 / < /dev/null
run "state is kept between clients" 0 "hello" --remote write /f hello : cat /f
script "commands on stdin, pipes, '-'" 0 "$(printf 'from-stdin\n1\nstill')" 'echo from-stdin
list-devices | wc -l
-nosuch-command
echo still' --remote
run "output goes to the client's stdout" 0 "hello" --remote cat /f
"$fish" --remote cat /f < /dev/null | tr a-z A-Z > "$tmp/out"
[ "$(cat "$tmp/out")" = HELLO ] && ok "client stdout through a pipe" || notok "client stdout through a pipe"

# A second listener is independent.
eval "$(GUESTFISH_PID= "$fish" --listen --csh < /dev/null | sed 's/^setenv GUESTFISH_PID /pid2=/')"
if [ -n "${pid2:-}" ] && [ "$pid2" != "$GUESTFISH_PID" ]; then ok "--csh form and a second server"
else notok "--csh form and a second server"; fi
run "second server answers" 0 "1024" --remote="$pid2" set-memsize 1024 : get-memsize
run "exit ends the second server" 0 "" --remote="$pid2" exit
sleep 0.5
run "ended server cannot be reached" 1 "" --remote="$pid2" echo x
err_has "unreachable message" "cannot reach the guestfish process"

# A failed command ends the server (as in a script).
run "failing command" 1 "" --remote cat /nosuch
for i in $(seq 30); do kill -0 "$GUESTFISH_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$GUESTFISH_PID" 2>/dev/null; then notok "server exits after an error"
else ok "server exits after an error"; fi
if [ ! -e "$dir/socket-$GUESTFISH_PID" ]; then ok "socket removed"; else notok "socket removed"; fi

# The server's end closes the appliance before the client returns: its
# qemu has exited and the image is free for a launch at once, with what
# was written on it (libguestfs's guestfish behaves the same; before,
# the next launch could fail to get the image's write lock).
eval "$("$fish" --listen -a r.img < /dev/null 2> "$tmp/err")"
cleanup_hooks+=("kill $GUESTFISH_PID 2>/dev/null")
"$fish" --remote run : mount /dev/sda1 / : write /g "written before exit" < /dev/null
qpid=$("$fish" --remote get-pid < /dev/null)
"$fish" --remote exit < /dev/null
if [ -n "$qpid" ] && ! kill -0 "$qpid" 2> /dev/null; then ok "--remote exit returns after qemu has exited"
else notok "--remote exit returns after qemu has exited (qemu ${qpid:-?})"; fi
run "a launch on the same image right after" 0 "written before exit" -a r.img -m /dev/sda1 cat /g

finish
