#!/bin/bash
# virt-sysprep on a real Debian 12 guest (debootstrap, cached): a
# virt-customize run first plants what sysprep must remove (ssh host keys,
# a user "bob" made by the guest's own useradd, Red Hat ifcfg files with
# HWADDR and HOSTNAME, logs, history, backups, a machine ID, an fstab
# naming the root by UUID), then the default operations run, then
# user-account and fs-uuids; one read-only guestfish session after each
# checks the effects.  Also: --list-operations against 1.48's names and
# defaults, --operations syntax, --dry-run byte-identical.  TAP.
source "$(dirname "$0")/tools-lib.bash"
vs=$tools/virt-sysprep vc=$tools/virt-customize
[ -x "$vs" ] && [ -x "$vc" ] || { echo "1..0 # SKIP virt-sysprep not built"; exit 77; }
need_debootstrap_image

# ---- no appliance ---------------------------------------------------------
# guestfs-tools 1.48's operations; '*' marks those on by default.
cat > "$tmp/ops148" <<'OPS'
abrt-data *
backup-files *
bash-history *
blkid-tab *
ca-certificates
crash-data *
cron-spool *
customize *
dhcp-client-state *
dhcp-server-state *
dovecot-data *
firewall-rules
flag-reconfiguration
fs-uuids
ipa-client *
kerberos-data
kerberos-hostkeytab *
logfiles *
lvm-uuids *
machine-id *
mail-spool *
net-hostname *
net-hwaddr *
net-nmconn *
pacct-log *
package-manager-cache *
pam-data *
passwd-backups *
puppet-data-log *
rh-subscription-manager *
rhn-systemid *
rpm-db *
samba-db-log *
script *
smolt-uuid *
ssh-hostkeys *
ssh-userdir *
sssd-db-log *
tmp-files *
udev-persistent-net *
user-account
utmp *
yum-uuid *
OPS
"$vs" --list-operations > "$tmp/out" 2> "$tmp/err"
if [ "$(awk '{ print $1 ($2 == "*" ? " *" : "") }' "$tmp/out")" = "$(cat "$tmp/ops148")" ]; then
  ok "--list-operations: 1.48's operations and defaults"
else diff <(awk '{ print $1 ($2 == "*" ? " *" : "") }' "$tmp/out") "$tmp/ops148" | sed 's/^/# /'
  notok "--list-operations"; fi
"$vs" --long-options > "$tmp/long"
missing=
for o in --enable --operation --operations --list-operations --keep-user-accounts \
         --remove-user-accounts --mount-options --script --scriptdir --no-selinux-relabel \
         --network --no-network --dry-run --dryrun --format --hostname --run-command --install; do
  grep -qx -- "$o" "$tmp/long" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "--long-options"; else echo "# missing:$missing"; notok "--long-options"; fi
st "--operations with an unknown name" 1 virt-sysprep -a /nonexistent --operations defaults,-nosuch
err_has "--operations: message" "‘nosuch’ is not a known operation"
st "--operations with an empty name" 1 virt-sysprep -a /nonexistent --operations 'bash-history,,tmp-files'
err_has "--operations '...,,...': message" "--operations: empty operation name"
st "--operations ''" 1 virt-sysprep -a /nonexistent --operations ''

# ---- plant, then the default operations ----------------------------------
img=$tmp/deb.img
cp --sparse=always "$debdir/disk.img" "$img"
"$vc" --format=raw -a "$img" --no-network \
  --run-command 'useradd -m -u 1001 bob && echo secret > /home/bob/data' \
  --run-command 'sed -i "s/^LABEL=debroot /UUID=$(blkid -s UUID -o value /dev/sda1) /" /etc/fstab' \
  --mkdir /etc/ssh --write /etc/ssh/ssh_host_rsa_key:KEY --write /etc/ssh/ssh_host_rsa_key.pub:PUB \
  --write /etc/ssh/sshd_config:keep \
  --mkdir /etc/sysconfig/network-scripts \
  --write '/etc/sysconfig/network-scripts/ifcfg-eth0:DEVICE=eth0
HWADDR=52:54:00:12:34:56
HOSTNAME=old.example.com
DHCP_HOSTNAME=old
ONBOOT=yes' \
  --write '/etc/machine-id:0123456789abcdef0123456789abcdef' \
  --write /root/.bash_history:ls --mkdir /root/.ssh --write /root/.ssh/authorized_keys:k \
  --write /var/log/app.log:x --write /etc/motd~:old --write /tmp/junk:x \
  --write /etc/passwd-:old > "$tmp/out" 2> "$tmp/err" || notok "plant with virt-customize"
sum=$(sha256sum < "$img")
"$vs" -n --format=raw -a "$img" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(sha256sum < "$img")" = "$sum" ]; then ok "--dry-run leaves the image byte-identical"
else notok "--dry-run (exit $rc)"; fi
"$vs" --format raw -a "$img" --hostname cloned > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ]; then ok "virt-sysprep (defaults + --hostname)"; else notok "virt-sysprep (exit $rc)"; fi
if grep -q 'Performing "ssh-hostkeys" ...' "$tmp/out" && ! grep -q 'Performing "user-account"' "$tmp/out" &&
   grep -q 'Setting the hostname: cloned' "$tmp/out"; then ok "defaults only, customize inside"
else notok "defaults only, customize inside"; fi
# customize runs after the other operations on the mounted guest (only
# those on the unmounted devices follow), as in libguestfs: so the machine
# ID that machine-id removed is set afresh by it.
after=$(sed -n '/Performing "customize"/,$p' "$tmp/out" | grep -o 'Performing "[^"]*"' | tr '\n' ' ')
if [ "$after" = 'Performing "customize" Performing "lvm-uuids" ' ] &&
   grep -q 'Setting the machine ID in /etc/machine-id' "$tmp/out"
then ok "customize last on the mounted guest"
else notok "customize last on the mounted guest: $after"; fi

probe () {
"$fish" --ro --format=raw -a "$img" -i > "$tmp/out" 2> "$tmp/err" <<'GF'
echo "== ssh"
glob-expand /etc/ssh/*
echo "== ifcfg"
cat /etc/sysconfig/network-scripts/ifcfg-eth0
echo "== machine-id"
cat /etc/machine-id
echo "== gone"
exists /root/.bash_history
exists /root/.ssh
exists /var/log/app.log
exists /etc/motd~
exists /tmp/junk
exists /etc/passwd-
echo "== hostname"
cat /etc/hostname
echo "== bob"
grep ^bob: /etc/passwd
is-dir /home/bob
echo "== fstab"
cat /etc/fstab
echo "== uuid"
vfs-uuid /dev/sda1
echo "== script"
-cat /root/by-script
GF
}
probe
out=$tmp/out
section () { awk -v h="== $1" '$0 == h { on = 1; next } /^== / { on = 0 } on && NF' "$out"; }
check () {
  local got; got=$(section "$2")
  if [ "$got" = "$3" ]; then ok "$1"
  else echo "# $2: got:"; printf '%s\n' "$got" | sed 's/^/#   /'; echo "# expected:"; printf '%s\n' "$3" | sed 's/^/#   /'; notok "$1"; fi
}
check "ssh-hostkeys: host keys gone, config kept" ssh "/etc/ssh/sshd_config"
check "net-hwaddr, net-hostname: ifcfg without HWADDR, HOSTNAME, DHCP_HOSTNAME" ifcfg "DEVICE=eth0
ONBOOT=yes"
mid=$(section machine-id)
if [[ $mid =~ ^[0-9a-f]{32}$ ]] && [ "$mid" != 0123456789abcdef0123456789abcdef ]
then ok "machine-id: removed, then a new one set by customize"
else notok "machine-id: removed, then a new one set by customize (got '$mid')"; fi
check "bash-history, ssh-userdir, logfiles, backup-files, tmp-files, passwd-backups" gone "false
false
false
false
false
false"
check "customize: --hostname" hostname "cloned"
check "user-account is off by default" bob "bob:x:1001:1001::/home/bob:/bin/sh
true"
olduuid=$(section uuid)
if section fstab | grep -q "^UUID=$olduuid / "; then ok "fstab names the root by UUID"; else notok "fstab names the root by UUID"; fi

# ---- user-account and fs-uuids --------------------------------------------
# --script needs FUSE (mount_local) on the host.
fuse=no
[ -c /dev/fuse ] && command -v fusermount3 > /dev/null && fuse=yes
printf '#!/bin/sh\ncat etc/hostname > "%s/seen"\necho by-script > root/by-script\n' "$tmp" > "$tmp/script.sh"
chmod +x "$tmp/script.sh"
if [ $fuse = yes ]; then sargs=(--operations user-account,fs-uuids,script --script "$tmp/script.sh"); nops=3
else sargs=(--operations user-account,fs-uuids); nops=2; fi
"$vs" --format=raw -a "$img" "${sargs[@]}" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(grep -c Performing "$tmp/out")" = $nops ]; then ok "--operations ${sargs[1]}"
else notok "--operations ${sargs[1]} (exit $rc)"; fi
probe
check "user-account: bob and his home gone" bob "false"
if [ $fuse = no ]; then skip "--script: no FUSE here"
elif [ "$(cat "$tmp/seen" 2> /dev/null)" = cloned ] && section script | grep -qx by-script; then
  ok "--script ran on the host in the mounted guest (read and wrote its files)"
else notok "--script"; fi
newuuid=$(section uuid)
if [ -n "$newuuid" ] && [ "$newuuid" != "$olduuid" ]; then ok "fs-uuids: new UUID"; else notok "fs-uuids: new UUID ($olduuid -> $newuuid)"; fi
if section fstab | grep -q "^UUID=$newuuid / "; then ok "fs-uuids: /etc/fstab follows"; else notok "fs-uuids: fstab follows"; fi
# The guest still inspects and mounts from its fstab.
if "$fish" --ro --format=raw -a "$img" -i exists /etc/hostname > "$tmp/out" 2> "$tmp/err" &&
   [ "$(cat "$tmp/out")" = true ]; then ok "the guest still mounts by its fstab"; else notok "the guest still mounts"; fi
finish
