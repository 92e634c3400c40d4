#!/bin/bash
# add_domain through libvirt's test driver (test:///FILE.xml): the
# domain's file disks are added in order with their formats, a network
# (NBD) disk as a remote drive; readonlydisk
# policies; unknown domains fail.  Skipped when built without libvirt.
. "$(dirname "$0")/fish-lib.bash"
need_launch

"$fish" add-domain x libvirturi:test:///default < /dev/null > "$tmp/out" 2> "$tmp/err"
if grep -q "without libvirt" "$tmp/err"; then
  echo "1..0 # SKIP built without libvirt"
  exit 77
fi

truncate -s 16M "$tmp/a.img"
qemu-img create -q -f qcow2 "$tmp/b.qcow2" 16M
cat > "$tmp/node.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <test:runstate>5</test:runstate>
  <name>hatchdom</name>
  <uuid>12345678-1234-1234-1234-123456789abc</uuid>
  <memory>65536</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='$tmp/a.img'/><target dev='vda'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='$tmp/b.qcow2'/><target dev='vdb'/><readonly/></disk>
    <disk type='file' device='cdrom'><target dev='hdc'/></disk>
  </devices>
</domain>
</node>
XML
uri="test://$tmp/node.xml"

run "add-domain adds both disks" 0 "2" add-domain hatchdom "libvirturi:$uri"
run "by UUID with allowuuid" 0 "2" \
  add-domain 12345678-1234-1234-1234-123456789abc "libvirturi:$uri" allowuuid:true readonly:true
run "readonlydisk:ignore skips the read-only disk" 0 "1" \
  add-domain hatchdom "libvirturi:$uri" readonlydisk:ignore
run "readonlydisk:error fails" 1 "" add-domain hatchdom "libvirturi:$uri" readonlydisk:error
err_has "readonlydisk:error names the disk" "b.qcow2"
run "unknown domain fails" 1 "" add-domain nosuch "libvirturi:$uri"
err_has "unknown domain named" "nosuch"
run "guestfish -d sees the disks" 0 "$(printf '%s\n' /dev/sda /dev/sdb)" \
  -c "$uri" -d hatchdom --ro run : list-devices

# A network disk: an NBD export on a Unix socket, served by qemu-nbd.
if command -v qemu-nbd > /dev/null; then
  truncate -s 32M "$tmp/n.img"
  "$fish" --format=raw -a "$tmp/n.img" run : mkfs ext4 /dev/sda : mount /dev/sda / : \
    write /hello "from nbd" > /dev/null 2>&1
  qemu-nbd -t -f raw -k "$tmp/nbd.sock" "$tmp/n.img" > /dev/null 2>&1 &
  nbd_pid=$!
  for _ in $(seq 50); do [ -S "$tmp/nbd.sock" ] && break; sleep 0.1; done
  cat > "$tmp/net.xml" <<XML
<node>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <test:runstate>5</test:runstate>
  <name>netdom</name>
  <memory>65536</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='nbd'><host transport='unix' socket='$tmp/nbd.sock'/></source>
      <target dev='vda'/></disk>
  </devices>
</domain>
</node>
XML
  run "a network (NBD) disk of a domain is added and readable" 0 "from nbd" \
    -c "test://$tmp/net.xml" -d netdom --ro run : mount-ro /dev/sda / : cat /hello
  kill "$nbd_pid" 2> /dev/null
  wait "$nbd_pid" 2> /dev/null
fi

finish
