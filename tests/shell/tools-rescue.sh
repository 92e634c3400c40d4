#!/bin/bash
# virt-rescue: a shell in the appliance driven through a pseudo-terminal
# (fish-pty-helper.py): commands on a -m mounted disk (checked afterwards
# with our guestfish), --scratch, TERM passed through, the escape key
# (^] h, ^] i, ^] q), input from a pipe, --suggest on the test guest of
# tools-lib.bash, and bad options.  TAP.
source "$(dirname "$0")/tools-lib.bash"
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$tools/virt-rescue" ] || { echo "1..0 # SKIP virt-rescue not built"; exit 77; }
make_tools_image || { echo "Bail out! could not build the test image"; exit 1; }
img=$tools_image

# pty NAME-OF-INPUT ARGS...: virt-rescue under a terminal, keys from $tmp/NAME
pty () {
  local input=$1; shift
  python3 "$here/fish-pty-helper.py" 150 "$tmp/$input" "$tools/virt-rescue" "$@" \
    > "$tmp/out" 2> "$tmp/err"
}

# ---- no appliance needed ----
t "--short-options" 0 "$(printf -- '-a\n-c\n-d\n-e\n-i\n-m\n-r\n-v\n-V\n-w\n-x')" \
  virt-rescue --short-options
t "--long-options" 0 "$(printf -- '--%s\n' add append blocksize connect domain format help \
  inspector memsize mount network ro rw scratch selinux smp suggest verbose version)" \
  virt-rescue --long-options
st "--help" 0 virt-rescue --help
out_has "--help lists -e" "-e ^x|none"
st "unknown option" 1 virt-rescue --no-such-option
st "no disk" 1 virt-rescue
err_has "no disk message" "you must specify at least one -a or -d option"
st "bad escape key" 1 virt-rescue -e foo -a "$img"
err_has "bad escape key message" "unrecognized escape key: foo"
st "bad --smp" 1 virt-rescue --smp x -a "$img"
st "bad --memsize" 1 virt-rescue --memsize 12abc -a "$img"
st "bad --scratch" 1 virt-rescue --scratch=0 -a "$img"
st "--suggest with -i" 1 virt-rescue --suggest -i -a "$img"
st "missing disk" 1 virt-rescue -a /nonexistent.img

# ---- a shell on a copy of the test guest, /boot mounted, plus a scratch disk ----
cp --sparse=always "$img" "$tmp/disk.img"
{
  echo '@wait ><rescue>'
  echo 'echo hi > /sysroot/f; echo wrote-$?'
  echo '@wait wrote-0'
  echo 'echo term=$TERM size=$(cat /sys/block/sdb/size)'
  echo '@wait size='
  printf '\035h\n'                          # ^] h
  echo '@wait send a literal'
  echo 'exit'
} > "$tmp/in1"
TERM=xterm-256color pty in1 --format=raw -a "$tmp/disk.img" -m /dev/sda1 --scratch
rc=$?
if [ $rc = 0 ]; then ok "rescue session exits 0"; else echo "# status $rc"; notok "rescue session exits 0"; fi
out_has "escape key announced" "The virt-rescue escape key is ‘^\]’.  Type ‘^\] h’ for help."
out_has "rescue prompt" "><rescue> "
out_has "command ran on the mounted disk" "wrote-0"
out_has "TERM from the host" "term=xterm-256color"
out_has "scratch disk is 10 GiB" "size=20971520"
out_has "^] h shows the escape help" "send a literal"
if [ "$("$fish" --ro --format=raw -a "$tmp/disk.img" -m /dev/sda1 cat /f 2>&1)" = hi ]; then
  ok "file written in the rescue shell is on the disk"
else notok "file written in the rescue shell is on the disk"; fi

# ---- -i, ^] i, then ^] q quits at once (read-only) ----
printf '@wait ><rescue>\n\035i\n@wait product name\n\035q\n' > "$tmp/in2"
# Run through bash, which prints the terminal settings before and after.
python3 "$here/fish-pty-helper.py" 150 "$tmp/in2" bash -c \
  'stty -g; "$0" "$@"; rc=$?; stty -g; exit $rc' \
  "$tools/virt-rescue" --ro --format=raw -a "$img" -i > "$tmp/out" 2> "$tmp/err"
rc=$?
before=$(head -n 1 "$tmp/out" | tr -d '\r')
after=$(tail -n 1 "$tmp/out" | tr -d '\r' | grep -o '[0-9a-f]*:[0-9a-f:]*$')
if [ -n "$before" ] && [ "$before" = "$after" ]; then ok "terminal settings restored after ^] q"
else echo "# before: $before"; echo "# after:  $after"; notok "terminal settings restored after ^] q"; fi
if [ $rc = 0 ]; then ok "^] q quits with status 0"; else echo "# status $rc"; notok "^] q quits with status 0"; fi
out_has "^] i shows the root" "root: /dev/tvg/root"
out_has "^] i shows the distro" "distro: debian"
ls_out=$(sed -n '/product name/,$p' "$tmp/out")
if ! grep -q "exit" <<< "$ls_out"; then ok "quit without an exit command"; else notok "quit without an exit command"; fi

# ---- killed by SIGTERM while connected: the terminal is restored too ----
printf '@wait ><rescue>\n' > "$tmp/in3"
python3 "$here/fish-pty-helper.py" 150 "$tmp/in3" bash -c \
  'stty -g; timeout --foreground -s TERM 45 "$0" "$@"; rc=$?; stty -g; exit $rc' \
  "$tools/virt-rescue" --ro --format=raw -a "$img" > "$tmp/out" 2> "$tmp/err"
rc=$?
before=$(head -n 1 "$tmp/out" | tr -d '\r')
after=$(tail -n 1 "$tmp/out" | tr -d '\r' | grep -o '[0-9a-f]*:[0-9a-f:]*$')
if grep -q "><rescue>" "$tmp/out" && [ -n "$before" ] && [ "$before" = "$after" ]; then
  ok "terminal settings restored after SIGTERM"
else echo "# status $rc; before: $before"; echo "# after:  $after"; notok "terminal settings restored after SIGTERM"; fi

# ---- input from a pipe: the shell ends at the end of the input ----
printf 'echo piped-$((40+2))\n' | timeout 150 "$tools/virt-rescue" --ro --format=raw -a "$img" -e none \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ]; then ok "piped input: exit status 0"; else echo "# status $rc"; notok "piped input: exit status 0"; fi
out_has "piped input ran" "piped-42"
if ! grep -q "escape key" "$tmp/out"; then ok "-e none: no escape key message"; else notok "-e none: no escape key message"; fi

# ---- --suggest (as Debian's virt-rescue prints it for this guest) ----
t "--suggest" 0 "Inspecting the virtual machine or disk image ...

This disk contains one or more operating systems.  You can use these mount
commands in virt-rescue (at the ><rescue> prompt) to mount the filesystems.

# /dev/tvg/root is the root of a linux operating system
# type: linux, distro: debian, version: 12.5
# $("$fish" --ro --format=raw -a "$img" -i inspect-get-product-name /dev/tvg/root 2>/dev/null)

mount /dev/tvg/root /sysroot/
mount /dev/sda1 /sysroot/boot
mount --rbind /dev /sysroot/dev
mount --rbind /proc /sysroot/proc
mount --rbind /sys /sysroot/sys

cd /sysroot
chroot /sysroot" virt-rescue --suggest --format=raw -a "$img"

truncate -s 16M "$tmp/blank.img"
t "--suggest on a blank disk" 0 "Inspecting the virtual machine or disk image ...

This disk contains no mountable filesystems that we recognize.

However you can still use virt-rescue on the disk image, to try to mount
filesystems that are not recognized by libguestfs, or to create partitions,
logical volumes and filesystems on a blank disk." virt-rescue --suggest --format=raw -a "$tmp/blank.img"

finish
