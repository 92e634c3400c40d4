#!/bin/bash
# virt-v2v -i vmx -it ssh reads a guest from an "ESXi host" over ssh, for
# real: an sshd started here (on 127.0.0.1, a free port, its own host key,
# key authentication only) serves a datastore directory laid out as ESXi
# keeps it (DIR/debboot.vmx, the descriptor debboot.vmdk and its extent
# debboot-flat.vmdk), holding the bootable VMware Debian 12 guest of
# tests/soak/virt-v2v-boot.sh (open-vm-tools installed, /dev/sda1 names).
# The client key is in an ssh-agent started here; the host key is in a
# known_hosts file.  ssh and qemu's ssh driver (libssh) read known_hosts
# from the user's passwd home directory, so virt-v2v runs in a private
# mount namespace (unshare -m) where the test's home is bind-mounted
# there: the machine's own ~/.ssh is never read or written.
# Checks:
#   - --print-source: the disk is the ssh:// URL of the flat extent;
#   - without the agent, and with the host key unknown: clear errors,
#     nothing written to the output directory;
#   - the conversion (-o local -of qcow2): the SFTP server's log (scp and
#     qemu's ssh driver both speak SFTP) shows the .vmx and the descriptor
#     read, and the flat extent's data read (hundreds of MiB);
#     the output inspects as Debian 12 with /dev/vda1 in fstab and
#     grub.cfg, virtio_blk in its initramfs, open-vm-tools removed.
# The boot of the same conversion is tests/soak/virt-v2v-boot.sh's.
# Minutes under TCG (one update-initramfs in the guest): make hardening.
source "$(dirname "$0")/../shell/tools-lib.bash"
v2v=$tools/virt-v2v
[ -x "$v2v" ] || { echo "1..0 # SKIP virt-v2v not built"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP sshd and unshare -m need root"; exit 77; }
for p in /usr/sbin/sshd /usr/lib/openssh/sftp-server ssh-agent ssh-add ssh-keygen scp unshare; do
  command -v "$p" > /dev/null || { echo "1..0 # SKIP $p is not installed (openssh-server, openssh-client)"; exit 77; }
done
qemu-img --help | grep -q '^Supported formats:.* ssh' ||
  { echo "1..0 # SKIP qemu has no ssh block driver (qemu-block-extra)"; exit 77; }
unshare -m true 2> /dev/null || { echo "1..0 # SKIP unshare -m is not allowed here"; exit 77; }
need_boot_guest make-guest-debootstrap-boot-foreign.sh
export TMPDIR=$tmp

sshd_pid= agent_pid=
cleanup () {
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2> /dev/null
  [ -n "$agent_pid" ] && kill "$agent_pid" 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# The datastore, as on ESXi.
ds=$tmp/vmfs/volumes/datastore1/debboot
mkdir -p "$ds"
qemu-img convert -O vmdk -o subformat=monolithicFlat "$bootdir/vmware.img" "$ds/debboot.vmdk"
bash "$top/tests/data/make-vmx.sh" debboot-ssh debboot.vmdk "$ds/debboot.vmx"

# The server.
s=$tmp/sshd
mkdir -p "$s" "$HOME/.ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$s/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/client_key"
cp "$tmp/client_key.pub" "$s/authorized_keys"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$s/config" <<C
ListenAddress 127.0.0.1
Port $port
HostKey $s/host_key
PidFile $s/pid
AuthorizedKeysFile $s/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
LogLevel VERBOSE
Subsystem sftp /usr/lib/openssh/sftp-server -e -l INFO 2>> $s/sftp.log
C
/usr/sbin/sshd -D -e -f "$s/config" 2> "$s/log" &
sshd_pid=$!
for i in $(seq 50); do
  grep -q "Server listening" "$s/log" && break
  kill -0 "$sshd_pid" 2> /dev/null || break
  sleep 0.2
done
grep -q "Server listening" "$s/log" || { echo "1..0 # SKIP sshd did not start: $(tail -1 "$s/log")"; exit 77; }

# The client: an agent holding the key; the host key known only in the
# test's home, bind-mounted over the passwd home in virt-v2v's namespace.
eval "$(ssh-agent -a "$tmp/agent.sock" -s)" > /dev/null
agent_pid=$SSH_AGENT_PID
ssh-add -q "$tmp/client_key" 2> /dev/null
pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
known="[127.0.0.1]:$port $(cut -d' ' -f1,2 "$s/host_key.pub")"
uri="ssh://root@127.0.0.1:$port$ds/debboot.vmx"
# v2v_ns ARGS...: virt-v2v in the namespace, stdout/stderr to $tmp/out, $tmp/err
v2v_ns () {
  unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
    _ "$HOME" "$pwhome" "$v2v" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
}

mkdir -p "$tmp/o"
v2v_ns -i vmx -it ssh "$uri" -o local -os "$tmp/o"; rc=$?
if [ $rc != 0 ] && grep -q -- "-it ssh: cannot copy $ds/debboot.vmx from 127.0.0.1" "$tmp/err" &&
   [ -z "$(ls "$tmp/o")" ]; then ok "host key unknown: a clear error, nothing written"
else notok "host key unknown: a clear error, nothing written"; fi
echo "$known" > "$HOME/.ssh/known_hosts"

SSH_AUTH_SOCK=$tmp/nonexistent.sock v2v_ns -i vmx -it ssh "$uri" -o local -os "$tmp/o"; rc=$?
if [ $rc != 0 ] && grep -q "does ssh-agent hold a key" "$tmp/err" && [ -z "$(ls "$tmp/o")" ]; then
  ok "no key in the agent: a clear error, nothing written"
else notok "no key in the agent: a clear error, nothing written"; fi

v2v_ns -i vmx -it ssh "$uri" --print-source
if [ $? = 0 ] && grep -q "ssh://root@127.0.0.1:$port$ds/debboot-flat.vmdk" "$tmp/out" &&
   grep -q "debboot-ssh" "$tmp/out"; then
  ok "--print-source: the disk is the ssh:// URL of the flat extent"
else notok "--print-source: the disk is the ssh:// URL of the flat extent"; fi

lines0=$(wc -l < "$s/log")
start=$(date +%s)
v2v_ns -i vmx -it ssh "$uri" -o local -os "$tmp/o" -of qcow2; rc=$?
secs=$(( $(date +%s) - start ))
cp "$tmp/out" "$tmp/log"
if [ $rc = 0 ] && [ -s "$tmp/o/debboot-ssh-sda" ] && grep -q "Fetching $ds/debboot.vmx from 127.0.0.1 over ssh" "$tmp/out"; then
  ok "virt-v2v -i vmx -it ssh ssh://root@127.0.0.1:PORT/.../debboot.vmx -o local -of qcow2 ($secs s)"
else notok "virt-v2v -i vmx -it ssh ssh://root@127.0.0.1:PORT/.../debboot.vmx -o local -of qcow2"; finish; fi
accepted=$(tail -n +"$((lines0 + 1))" "$s/log" | grep -c "Accepted publickey for root from 127.0.0.1")
# What the SFTP server (scp's and qemu's ssh driver's protocol) read:
# the .vmx, the descriptor, and the flat extent, whose bytes add up to
# at least the guest's data (about 500 MB).
flat_mb=$(sed -n 's|^close "'"$ds"'/debboot-flat.vmdk" bytes read \([0-9]*\) .*|\1|p' "$s/sftp.log" |
          awk '{ n += $1 } END { printf "%d", n / 1048576 }')
cp "$s/sftp.log" "$tmp/out"; : > "$tmp/err"
if [ "$accepted" -ge 3 ] && grep -q "^open \"$ds/debboot.vmx\" flags READ" "$s/sftp.log" &&
   grep -q "^open \"$ds/debboot.vmdk\" flags READ" "$s/sftp.log" && [ "$flat_mb" -ge 300 ]; then
  ok "read over ssh: $accepted key-authenticated sessions; the .vmx, the descriptor and $flat_mb MiB of debboot-flat.vmdk through SFTP"
else notok "read over ssh: $accepted key-authenticated sessions; the .vmx, the descriptor and $flat_mb MiB of debboot-flat.vmdk through SFTP"; fi

"$fish" --ro --format=qcow2 -a "$tmp/o/debboot-ssh-sda" -i > "$tmp/out" 2> "$tmp/err" <<GF
inspect-get-distro /dev/sda1
inspect-get-major-version /dev/sda1
echo ----
cat /etc/fstab
sh "grep root= /boot/grub/grub.cfg"
sh "lsinitramfs /boot/initrd.img-$kver | grep -c /virtio_blk"
sh "dpkg-query -W -f '\${db:Status-Abbrev}\n' open-vm-tools 2>&1; ls /usr/bin/vmtoolsd 2>&1; true"
GF
if [ "$(head -2 "$tmp/out" | tr '\n' ' ')" = "debian 12 " ] && grep -q '^/dev/vda1 / ext4' "$tmp/out" &&
   grep -q 'root=/dev/vda1 ro console=ttyS0' "$tmp/out" && ! grep -Eq '/dev/sd|^ii' "$tmp/out" &&
   grep -qx '[1-9]' "$tmp/out" && grep -q "vmtoolsd.*No such file" "$tmp/out"; then
  ok "the output: Debian 12, /dev/vda1 in fstab and grub.cfg, virtio_blk in the initramfs, open-vm-tools removed"
else notok "the output: Debian 12, /dev/vda1 in fstab and grub.cfg, virtio_blk in the initramfs, open-vm-tools removed"; fi
finish
