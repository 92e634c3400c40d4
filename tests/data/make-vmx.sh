#!/bin/bash
# A VMware .vmx of a 1-vCPU, 1 GiB BIOS Debian 12 guest named NAME whose
# one disk, VMDK (a file name relative to the .vmx, as VMware writes it),
# is scsi0:0 on an LSI Logic controller; an empty CD drive (ide1:0) and a
# vmxnet3 NIC on "VM Network".
# usage: make-vmx.sh NAME VMDK OUT.vmx
set -eu
name=${1:?usage: make-vmx.sh NAME VMDK OUT.vmx}
vmdk=${2:?usage: make-vmx.sh NAME VMDK OUT.vmx}
out=${3:?usage: make-vmx.sh NAME VMDK OUT.vmx}
cat > "$out" <<X
.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "19"
displayName = "$name"
guestOS = "debian12-64"
memsize = "1024"
numvcpus = "1"
firmware = "bios"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:0.present = "TRUE"
scsi0:0.deviceType = "scsi-hardDisk"
scsi0:0.fileName = "$vmdk"
ide1:0.present = "TRUE"
ide1:0.deviceType = "cdrom-raw"
ide1:0.fileName = "auto detect"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.networkName = "VM Network"
ethernet0.addressType = "generated"
ethernet0.generatedAddress = "00:0c:29:5e:9a:01"
X
