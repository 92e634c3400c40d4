#!/bin/bash
# tests/shell/virt-v2v.sh with every case: also the inspection of the vmx
# conversion's output, -i disk -o null and a Windows conversion without
# VIRTIO_WIN (three more appliance launches than make check's run).
V2V_FULL=1 exec bash "$(dirname "$0")/../shell/virt-v2v.sh" "$@"
