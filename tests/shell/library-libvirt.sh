#!/bin/bash
# add_domain through libvirt's test driver (test:///FILE.xml): the
# domain's file disks are added in order with their formats; readonlydisk
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

finish
