#!/bin/bash
# virt-customize on a real Debian 12 guest (debootstrap, made by
# tests/data/make-guest-debootstrap.sh and cached): one virt-customize run
# (--no-network) applies most operations, then one read-only guestfish
# session checks every effect.  (The real --install through apt and the
# network takes minutes: tests/soak/customize-install.sh.)  Also: the option list against guestfs-tools 1.48's, bad
# values refused before any launch, --dry-run leaving the image
# byte-identical, the firstboot runner run for real (inside the guest, by
# --run-command) running its scripts once in order and logging them.
# TAP.  Skips when the debootstrap image cannot be made here.
source "$(dirname "$0")/tools-lib.bash"
vc=$tools/virt-customize
[ -x "$vc" ] || { echo "1..0 # SKIP virt-customize not built"; exit 77; }
need_debootstrap_image

# ---- the command line (no appliance) -----------------------------------
"$vc" --long-options > "$tmp/long" 2> "$tmp/err"
missing=
# Every option of guestfs-tools 1.48's virt-customize --long-options.
for o in --add --append-line --attach --attach-format --connect --chmod --color --colors \
         --colour --colours --commands-from-file --copy --copy-in --domain --debug-gc \
         --delete --dryrun --dry-run --echo-keys --edit --firstboot --firstboot-command \
         --firstboot-install --format --help --hostname --install --key --keys-from-stdin \
         --link --memsize --mkdir --move --network --no-logfile --no-network --password \
         --password-crypto --quiet --root-password --run --run-command --scrub \
         --selinux-relabel --sm-attach --sm-credentials --sm-register --sm-remove \
         --sm-unregister --smp --ssh-inject --timezone --touch --truncate \
         --truncate-recursive --uninstall --update --upload --version --verbose --wrap --write; do
  grep -qx -- "$o" "$tmp/long" || missing="$missing $o"
done
if [ -z "$missing" ]; then ok "--long-options has every option of 1.48"
else echo "# missing:$missing" > "$tmp/out"; notok "--long-options has every option of 1.48"; fi
"$vc" --short-options > "$tmp/out" 2> "$tmp/err"
if [ "$(sort "$tmp/out" | tr '\n' ' ')" = "$(printf -- '-%s\n' a c d m n q V v x | sort | tr '\n' ' ')" ]; then
  ok "--short-options"; else notok "--short-options"; fi
st "no disk" 1 virt-customize --touch /x
err_has "no disk: message" "at least one -a or -d"
st "--chmod with a non-number" 1 virt-customize -a /nonexistent --chmod rwx:/etc/x
err_has "--chmod: message" "not a permission mode"
st "--password-crypto unknown" 1 virt-customize -a /nonexistent --password-crypto des
err_has "--password-crypto: message" "unknown algorithm"
st "--write without ':'" 1 virt-customize -a /nonexistent --write /etc/x
err_has "--write: message" "invalid format for ‘--write’"
printf 'mkdir /x\n\n# comment\nfrobnicate /y\n' > "$tmp/bad-cmds"
st "--commands-from-file: unknown command" 1 virt-customize -a /nonexistent --commands-from-file "$tmp/bad-cmds"
err_has "--commands-from-file: file and line" "bad-cmds:4: unknown command ‘frobnicate’"
printf 'update extra\n' > "$tmp/bad-cmds2"
st "--commands-from-file: argument to update" 1 virt-customize -a /nonexistent --commands-from-file "$tmp/bad-cmds2"

# ---- one run with most operations --------------------------------------
img=$tmp/deb.img
cp --sparse=always "$debdir/disk.img" "$img"
mkdir -p "$tmp/tree/sub"; echo in-tree > "$tmp/tree/sub/f"
printf 'uploaded\n' > "$tmp/up.txt"; chmod 0640 "$tmp/up.txt"
printf '#!/bin/sh\necho script-ran > /root/script-ran\n' > "$tmp/run.sh"
printf '#!/bin/sh\necho first >> /root/fb-order\n' > "$tmp/fb1.sh"
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchTestKey test@host' > "$tmp/key.pub"
printf 'file-password\n' > "$tmp/pw"
cat > "$tmp/cmds" <<'CMDS'
# operations from a file, at their place in the order
mkdir /etc/fromfile
write /etc/fromfile/x:one \
two
CMDS
printf 'no newline' > "$tmp/nonl"
ops=(
  --upload "$tmp/nonl:/root/nonl" --append-line '/root/nonl:appended'
  --append-line '/root/newfile:first line'
  --chmod 0600:/etc/hostname --chown 12.34:/etc/debian_version
  --commands-from-file "$tmp/cmds"
  --copy /etc/fstab:/root --copy-in "$tmp/tree:/root" --delete '/etc/*.d/README*'
  --write /root/ed:abc --edit '/root/ed:s/b/B/; $_ .= "line $lineno\n"'
  --firstboot "$tmp/fb1.sh" --firstboot-command 'echo second >> /root/fb-order'
  --run-command '/usr/lib/virt-sysprep/firstboot.sh start'
  --firstboot-command 'echo later' --firstboot-install hello,cowsay
  --link /etc/debian_version:/root/l1:/root/l2 --mkdir /a/b/c --write /a/b/c/data:xyz
  --move /root/fstab:/root/fstab-moved
  --password root:password:first --run "$tmp/run.sh" --run-command 'echo hi > /root/rc'
  --scrub /etc/issue.net --ssh-inject "root:file:$tmp/key.pub"
  --ssh-inject 'root:string:ssh-rsa AAAAB3Hatch second@host'
  --timezone Europe/Paris --touch /root/touched --truncate /etc/issue
  --truncate-recursive /a --upload "$tmp/up.txt:/root" --hostname newhost
  --root-password "file:$tmp/pw"
)
ops+=(--no-network)
start=$(date +%s)
"$vc" --format=raw -a "$img" "${ops[@]}" > "$tmp/out" 2> "$tmp/err"
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc = 0 ]; then ok "virt-customize with $(( ${#ops[@]} / 2 )) operations (${secs} s)"
else notok "virt-customize with many operations (exit $rc)"; fi
grep -c '^\[ *[0-9.]*\] ' "$tmp/out" > "$tmp/nmsg"
if grep -q '^\[ *[0-9.]*\] Examining the guest' "$tmp/out" && grep -q '\] Setting passwords$' "$tmp/out" &&
   grep -q '\] Finishing off$' "$tmp/out"; then ok "progress messages"; else notok "progress messages"; fi

# ---- --dry-run, and a failing guest command (both on the overlay) -------
sum=$(sha256sum < "$img")
"$vc" -n --format=raw -a "$img" --no-network --delete /etc --write /root/dry:x \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ] && [ "$(sha256sum < "$img")" = "$sum" ]; then ok "--dry-run leaves the image byte-identical"
else notok "--dry-run (exit $rc)"; fi

# A guest command that fails: exit 1, the end of its output shown.
"$vc" -n -q --format=raw -a "$img" --no-network --run-command 'echo to-the-log; exit 3' \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 1 ] && grep -q to-the-log "$tmp/err" && [ ! -s "$tmp/out" ]; then
  ok "a failing --run-command: exit 1, its output shown, -q quiet"
else notok "a failing --run-command (exit $rc)"; fi

# The arm-elf upload at the end prepares the architecture test below.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000' > "$tmp/arm-elf"
head -c 40 /dev/zero >> "$tmp/arm-elf"
{ cat <<'GF'
echo "== nonl"
cat /root/nonl
echo "== newfile"
cat /root/newfile
echo "== hostname-mode"
stat /etc/hostname | grep mode
echo "== debver-owner"
stat /etc/debian_version | grep -E '^(uid|gid):'
echo "== fromfile"
cat /etc/fromfile/x
echo "== copy"
is-file /root/fstab-moved
echo "== copy-in"
cat /root/tree/sub/f
echo "== delete"
glob-expand /etc/*.d/README*
echo "== edit"
cat /root/ed
echo "== hostname"
cat /etc/hostname
echo "== fb-order"
cat /root/fb-order
echo "== fb-log"
cat /root/virt-sysprep-firstboot.log
echo "== fb-waiting"
ls /usr/lib/virt-sysprep/scripts
echo "== fb-done"
ls /usr/lib/virt-sysprep/scripts-done
echo "== fb-install"
cat /usr/lib/virt-sysprep/scripts/0002-install-packages
echo "== fb-unit"
readlink /etc/systemd/system/multi-user.target.wants/guestfs-firstboot.service
echo "== fb-unit-exec"
grep ExecStart /usr/lib/systemd/system/guestfs-firstboot.service
echo "== fb-sysv"
readlink /etc/rc3.d/S99guestfs-firstboot
echo "== links"
readlink /root/l1
readlink /root/l2
echo "== truncated"
filesize /a/b/c/data
echo "== run"
cat /root/script-ran
cat /root/rc
echo "== scrub"
exists /etc/issue.net
echo "== ssh"
cat /root/.ssh/authorized_keys
stat /root/.ssh | grep mode
echo "== tz"
readlink /etc/localtime
cat /etc/timezone
echo "== touch"
is-file /root/touched
echo "== truncate"
filesize /etc/issue
echo "== upload"
stat /root/up.txt | grep mode
echo "== shadow"
grep ^root: /etc/shadow
echo "== resolv"
exists /etc/resolv.conf.virt-customize-saved
echo "== log"
cat /tmp/builder.log
GF
  echo "upload $tmp/arm-elf /usr/bin/bash"; } | "$fish" --format=raw -a "$img" -i > "$tmp/out" 2> "$tmp/err"
out=$tmp/out
section () { awk -v h="== $1" '$0 == h { on = 1; next } /^== / { on = 0 } on && NF' "$out"; }
check () {  # NAME SECTION EXPECTED
  local got; got=$(section "$2")
  if [ "$got" = "$3" ]; then ok "$1"
  else echo "# $2: got:"; printf '%s\n' "$got" | sed 's/^/#   /'; echo "# expected:"; printf '%s\n' "$3" | sed 's/^/#   /'; notok "$1"; fi
}
check "--append-line after a file without newline" nonl "no newline
appended"
check "--append-line makes the file" newfile "first line"
check "--chmod 0600" hostname-mode "mode: 33152"
check "--chown 12.34" debver-owner "uid: 12
gid: 34"
check "--commands-from-file (continuation line)" fromfile "one two"
check "--copy then --move" copy "true"
check "--copy-in a tree" copy-in "in-tree"
check "--delete with a glob" delete ""
check "--edit with a Perl expression (\$lineno too)" edit "aBcline 1"
check "--hostname" hostname "newhost"
check "firstboot scripts ran once, in order" fb-order "first
second"
if section fb-log | grep -q '=== Running 0001-fb1.sh ===' &&
   section fb-log | grep -q '=== Exit code: 0 ===' &&
   section fb-log | grep -q '=== Running 0002-echo-second'; then ok "firstboot log"
else notok "firstboot log"; fi
check "scripts added after the run wait (order numbers restart)" fb-waiting "0001-echo-later
0002-install-packages"
check "scripts-done is emptied" fb-done ""
check "--firstboot-install: the guest's apt command" fb-install "#!/bin/sh
export DEBIAN_FRONTEND=noninteractive; apt-get -q -y -o Dpkg::Options::=--force-confnew update && apt-get -q -y -o Dpkg::Options::=--force-confnew install 'hello' 'cowsay'"
check "systemd unit enabled" fb-unit "/usr/lib/systemd/system/guestfs-firstboot.service"
check "systemd unit runs the runner" fb-unit-exec "ExecStart=/usr/lib/virt-sysprep/firstboot.sh start"
check "SysV fallback" fb-sysv "../init.d/guestfs-firstboot"
check "--link two links" links "/etc/debian_version
/etc/debian_version"
check "--truncate-recursive" truncated "0"
check "--run and --run-command" run "script-ran
hi"
check "--scrub" scrub "false"
check "--ssh-inject twice (file, string), .ssh 0700" ssh "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHatchTestKey test@host
ssh-rsa AAAAB3Hatch second@host
mode: 16832"
check "--timezone" tz "/usr/share/zoneinfo/Europe/Paris
Europe/Paris"
check "--touch" touch "true"
check "--truncate" truncate "0"
check "--upload keeps the mode" upload "mode: 33184"
check "resolv.conf put back" resolv "false"
check "the build log names each guest command" log "=== /usr/lib/virt-sysprep/firstboot.sh start ===
=== $tmp/run.sh ===
=== echo hi > /root/rc ==="
hash=$(section shadow | cut -d: -f2)
if [ "${hash:0:3}" = '$6$' ] &&
   perl -e 'exit (crypt ("file-password", $ARGV[0]) eq $ARGV[0] ? 0 : 1)' "$hash"; then
  ok "--root-password file: (last one wins) is a real SHA-512 crypt(3) hash"
else echo "# hash: $hash" ; notok "--root-password hash"; fi

# A guest whose programs the appliance cannot run (its /usr/bin/bash, which
# inspection reads for the architecture, made an aarch64 ELF by the
# guestfish session above): --run-command
# is refused before anything runs.
"$vc" -q --format=raw -a "$img" --no-network --touch /root/before --run-command 'touch /root/ran' \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$(uname -m)" != x86_64 ]; then skip "the aarch64 guest test is for x86_64 hosts"
elif [ $rc = 1 ] && grep -q "the guest’s architecture (aarch64) is not the host’s" "$tmp/err"; then
  ok "--run-command refused for an aarch64 guest"
else notok "--run-command refused for an aarch64 guest (exit $rc)"; fi
finish
