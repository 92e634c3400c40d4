#!/bin/bash
# Remote drives for real: qemu-nbd serving a small image over a Unix
# socket and over TCP on 127.0.0.1, and a tiny HTTP server (byte ranges,
# optional Basic authentication) for qemu's curl driver.  Reads and
# writes through the appliance, --ro, -a URIs in guestfish and a virt
# tool, and the errors for bad URIs and unreachable servers.  TAP.
source "$(dirname "$0")/fish-lib.bash"
need_launch
build=${HATCH_BUILDDIR:-$(cd "$(dirname "$fish")/.." && pwd)}
tools=$build/tools
command -v qemu-nbd > /dev/null || { echo "1..0 # SKIP qemu-nbd is not installed"; exit 77; }
command -v python3 > /dev/null || { echo "1..0 # SKIP python3 is not installed"; exit 77; }

# The image: 16 MiB, ext2 on /dev/sda1 with /hello; cached in the build
# directory and copied for each server so every run starts the same.
base=$build/tests/data/remote-base.img
mkdir -p "$(dirname "$base")"
if ! [ -s "$base" ] || [ "$0" -nt "$base" ]; then
  truncate -s 16M "$tmp/base.img"
  "$fish" --format=raw -a "$tmp/base.img" run : part-disk /dev/sda mbr : \
    mkfs ext2 /dev/sda1 : mount /dev/sda1 / : write /hello "hello remote" < /dev/null \
    || { echo "Bail out! could not build the test image"; exit 1; }
  mv "$tmp/base.img" "$base"
fi
img=$tmp/disk.img
cp "$base" "$img"

free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port_open () {   # port_open PORT: something listens on 127.0.0.1:PORT
  python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" 2> /dev/null
}
wait_for () {    # wait_for COMMAND...: up to 10 s
  for _ in $(seq 50); do "$@" && return 0; sleep 0.2; done
  return 1
}
server_pid=
stop_server () {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null; server_pid=
  fi
}
cleanup_hooks+=(stop_server)

# ---- no appliance needed ----
run "bad URI: unknown scheme" 1 "" -a "gopher://h/x" run
err_has "unknown scheme message" "unknown URI scheme 'gopher'"
run "bad URI: nbd without host" 1 "" -a "nbd://" run
err_has "nbd without host message" "host name is missing"
run "bad URI: bad port" 1 "" -a "nbd://127.0.0.1:99999/" run
err_has "bad port message" "port must be a number from 1 to 65535"
run "bad URI: http writable" 1 "" -a "http://127.0.0.1/d.img" run
err_has "http writable message" "qemu can only read 'http' drives"
run "bad URI: nbd user name" 1 "" -a "nbd://u@127.0.0.1/" run
err_has "nbd user name message" "username parameter is not allowed with protocol 'nbd'"
run "ssh password: accepted, with a warning" 0 "path=/d.img readonly=0" -a "ssh://u:pw@127.0.0.1/d.img" debug-drives
err_has "ssh password warning" "the password is not used"
cp "$base" "$tmp/a:b.img"
cp "$base" a:b.img                 # in the current directory ($tmp/work)
run "a path with a colon is a file" 0 "path=$tmp/a:b.img readonly=0" -a "$tmp/a:b.img" debug-drives
run "file:// URI is a file" 0 "path=$tmp/a:b.img readonly=1" --ro -a "file://$tmp/a:b.img" debug-drives
cp "$base" "json:{x}.img"
run "relative names with a colon are files for qemu too" 0 "/dev/sda
/dev/sdb
/dev/sda1
/dev/sdb1" --format=raw -a a:b.img -a "json:{x}.img" run : list-devices : list-partitions
run "remove-drive before launch" 0 "path=$tmp/a:b.img readonly=0 label=two" \
  add "$tmp/a:b.img" label:one : add "$tmp/a:b.img" label:two : remove-drive one : debug-drives
run "remove-drive unknown label" 1 "" add "$tmp/a:b.img" label:one : remove-drive two
err_has "remove-drive unknown label message" "no drive with label 'two'"

# ---- NBD over a Unix socket ----
sock=$tmp/nbd.sock
qemu-nbd -t -f raw -k "$sock" "$img" & server_pid=$!
if wait_for test -S "$sock"; then
  run "nbd+unix: read and write" 0 "$(printf '/dev/sda\nhello remote\nwritten over nbd')" \
    --format=raw -a "nbd+unix:///?socket=$sock" run : list-devices : mount /dev/sda1 / : \
    cat /hello : write /nbd-file "written over nbd" : cat /nbd-file
  sum_before=$(md5sum < "$img")
  run "nbd --ro: writes go to the overlay" 0 "scratch" \
    --ro -a "nbd://?socket=$sock" run : mount /dev/sda1 / : write /ro-file scratch : cat /ro-file
  if [ "$(md5sum < "$img")" = "$sum_before" ]; then ok "nbd --ro left the image unchanged"
  else notok "nbd --ro left the image unchanged"; fi
  run "--format applies to a URI" 1 "" --format=qcow2 -a "nbd+unix:///?socket=$sock" run
  err_has "--format applies to a URI: qemu's message" "qcow2\|Image is not in"
  run "add with protocol:nbd server:unix:" 0 "written over nbd" \
    add "" protocol:nbd server:"unix:$sock" format:raw readonly:true : run : mount /dev/sda1 / : cat /nbd-file
  if [ -x "$tools/virt-ls" ]; then
    "$tools/virt-ls" --format=raw -a "nbd+unix:///?socket=$sock" -m /dev/sda1 / \
      < /dev/null > "$tmp/out" 2> "$tmp/err"
    if grep -qx nbd-file "$tmp/out" && grep -qx hello "$tmp/out" && ! grep -q ro-file "$tmp/out"
    then ok "virt-ls -a nbd+unix URI"; else notok "virt-ls -a nbd+unix URI"; fi
  else skip "virt-ls not built"; fi
else
  notok "qemu-nbd did not create its socket"
fi
stop_server

# ---- NBD over TCP, with an export name ----
port=$(free_port)
qemu-nbd -t -f raw -b 127.0.0.1 -p "$port" -x hatchexp "$img" 2> "$tmp/nbd.log" & server_pid=$!
if wait_for port_open "$port"; then
  if [ -x "$tools/virt-cat" ]; then
    "$tools/virt-cat" --format=raw -a "nbd://127.0.0.1:$port/hatchexp" -m /dev/sda1 /nbd-file \
      < /dev/null > "$tmp/out" 2> "$tmp/err"
    if [ "$(cat "$tmp/out")" = "written over nbd" ]; then ok "virt-cat -a nbd://127.0.0.1:PORT/export"
    else notok "virt-cat -a nbd://127.0.0.1:PORT/export"; fi
  else skip "virt-cat not built"; fi
  run "nbd tcp: guestfish writes" 0 "tcp write" \
    --format=raw -a "nbd://127.0.0.1:$port/hatchexp" run : mount /dev/sda1 / : \
    write /tcp-file "tcp write" : cat /tcp-file
  run "nbd tcp: wrong export name" 1 "" -a "nbd://127.0.0.1:$port/nosuchexport" run
  err_has "wrong export name: qemu's message is shown" "nosuchexport\|export"
else
  notok "qemu-nbd did not listen on 127.0.0.1:$port"
fi
stop_server

# ---- NBD over IPv6 (if the loopback has it) ----
port6=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])' 2> /dev/null)
if [ -n "$port6" ]; then
  qemu-nbd -t -f raw -b ::1 -p "$port6" "$img" 2> "$tmp/nbd.log" & server_pid=$!
  if wait_for python3 -c 'import socket,sys; socket.create_connection(("::1",int(sys.argv[1])),1)' "$port6" 2> /dev/null; then
    run "nbd://[::1]:PORT" 0 "hello remote" --ro --format=raw -a "nbd://[::1]:$port6" run : \
      mount /dev/sda1 / : cat /hello
  else
    notok "qemu-nbd did not listen on [::1]:$port6"
  fi
  stop_server
else
  skip "no IPv6 loopback"
fi

dead=$(free_port)
run "nbd: nothing listening" 1 "" -a "nbd://127.0.0.1:$dead" run
err_has "nothing listening: the reason is shown" "onnection refused\|Failed to connect"

# The other drivers: no server here, but qemu must accept the source we
# build (a wrong option name fails differently) and say why it failed.
drivers=$(qemu-system-x86_64 -nodefaults -display none -drive format=help 2>/dev/null | head -1)
for u in "ssh://root@127.0.0.1:$dead/disk.img|Failed to connect|ssh" \
         "iscsi://bob:pw@127.0.0.1:$dead/iqn.2001-04.com.example:storage/2|iSCSI: Failed to connect|iscsi" \
         "gluster://127.0.0.1:$dead/vol/img|failed to connect|gluster" \
         "ftp://bob:pw@127.0.0.1:$dead/d.img|Couldn't connect|ftp"; do
  uri=${u%%|*}; rest=${u#*|}; msg=${rest%|*}; drv=${rest#*|}
  if ! grep -qw "$drv" <<< "$drivers"; then skip "qemu has no $drv driver"; continue; fi
  run "$drv: unreachable server" 1 "" --ro --format=raw -a "$uri" run
  err_has "$drv: qemu's reason is shown" "$msg"
done
run "sheepdog: qemu's driver is gone" 1 "" -a "sheepdog:///volume" run
err_has "sheepdog message" "block driver is missing"

# ---- HTTP (qemu's curl driver) ----
if qemu-system-x86_64 -nodefaults -display none -drive format=help 2>/dev/null | head -1 | grep -qw http; then
  port=$(free_port)
  python3 "$HATCH_SRCDIR/tests/data/http-range-server.py" "$tmp" "$port" & server_pid=$!
  if wait_for port_open "$port"; then
    run "http --ro: read" 0 "$(printf 'hello remote\ntcp write')" \
      --ro --format=raw -a "http://127.0.0.1:$port/disk.img" run : mount /dev/sda1 / : \
      cat /hello : cat /tcp-file
    run "http: missing file" 1 "" --ro -a "http://127.0.0.1:$port/nope.img" run
    err_has "http missing file: the reason is shown" "404"
  else
    notok "the HTTP server did not start"
  fi
  stop_server
  port=$(free_port)
  HTTP_AUTH='alice:s3c r@t' python3 "$HATCH_SRCDIR/tests/data/http-range-server.py" "$tmp" "$port" & server_pid=$!
  if wait_for port_open "$port"; then
    run "https-style user:password in the URI (Basic auth)" 0 "hello remote" \
      --ro --format=raw -a "http://alice:s3c%20r%40t@127.0.0.1:$port/disk.img" run : \
      mount /dev/sda1 / : cat /hello
    run "wrong password" 1 "" --ro -a "http://alice:wrong@127.0.0.1:$port/disk.img" run
    err_has "wrong password: 401 is shown" "401"
  else
    notok "the HTTP server (with authentication) did not start"
  fi
  stop_server
else
  skip "qemu has no curl (http) block driver"
fi

finish
