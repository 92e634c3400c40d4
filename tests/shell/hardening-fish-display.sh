#!/bin/bash
# guestfish display (and more/edit, through the same helper) with guest
# file names built to break out of a shell string: a suffix with quotes
# and ';', and one with "$(...)".  The viewer must get the file as one
# argument, with the right contents, and no marker file may appear.
# Prints TAP; exits 0, 1, or 77.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/fish-lib.bash"
need_launch

# The "viewer": records its arguments and copies the file it was given.
cat > "$tmp/viewer" <<EOF
#!/bin/sh
printf 'ARGC=%s\n' "\$#" >> "$tmp/viewer.log"
printf 'SUFFIX=%s\n' "\${1##*guestfish??????}" >> "$tmp/viewer.log"
cat -- "\$1" >> "$tmp/viewer.log"
echo >> "$tmp/viewer.log"
EOF
chmod +x "$tmp/viewer"
export GUESTFISH_DISPLAY_IMAGE="$tmp/viewer" PAGER="$tmp/viewer"
cd "$tmp/work" || exit 1

printf '%s\n' \
  'mount /dev/sda1 /' \
  'mkdir /d1' 'mkdir /d2' 'mkdir /d3' \
  "write \"/d1/a.';touch INJECTED1;'\" one" \
  'write "/d2/b.$(touch INJECTED2)" two' \
  'write "/d3/c.jpg" three' \
  'glob display /d1/*' \
  'glob display /d2/*' \
  'glob display /d3/*' \
  "more \"/d1/a.';touch INJECTED1;'\"" \
  | timeout 300 "$fish" -N "$tmp/disk.img=fs:ext4:32M" > "$tmp/out" 2> "$tmp/err"
rc=$?
echo "# guestfish exit status $rc"
sed 's/^/# viewer: /' "$tmp/viewer.log" 2>/dev/null
if [ "$rc" = 0 ]; then ok "display of hostile names runs"; else notok "display of hostile names runs"; fi
if [ ! -e "$tmp/work/INJECTED1" ] && [ ! -e "$tmp/work/INJECTED2" ] &&
   [ ! -e /tmp/INJECTED1 ] && [ ! -e /tmp/INJECTED2 ]; then
  ok "no command from a guest name ran on the host"
else notok "no command from a guest name ran on the host"; fi
if [ "$(grep -c '^ARGC=1$' "$tmp/viewer.log")" = 4 ]; then
  ok "the viewer got one argument each time"
else notok "the viewer got one argument each time"; fi
if [ "$(grep -cx 'one' "$tmp/viewer.log")" = 2 ] && grep -qx two "$tmp/viewer.log" &&
   grep -qx three "$tmp/viewer.log"; then
  ok "the viewer saw each file's contents"
else notok "the viewer saw each file's contents"; fi
# A plain suffix is kept (viewers go by it); a hostile one is dropped.
if grep -qx 'SUFFIX=.jpg' "$tmp/viewer.log" &&
   [ "$(grep -cx 'SUFFIX=' "$tmp/viewer.log")" = 3 ]; then
  ok "suffixes: .jpg kept, hostile ones dropped"
else notok "suffixes: .jpg kept, hostile ones dropped"; fi
finish
