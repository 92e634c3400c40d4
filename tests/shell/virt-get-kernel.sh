#!/bin/bash
# virt-get-kernel on small Linux guests made on the host with mke2fs -d
# (no partition table): the newest of several kernels (version order,
# not name order) and its initramfs; --prefix, --unversioned-names, -o;
# guest-chosen names never write outside the output directory (a
# symbolic link waiting there is not followed, a name with a control
# character is refused).  TAP.
source "$(dirname "$0")/tools-lib.bash"
[ -x "$tools/virt-get-kernel" ] || { echo "1..0 # SKIP virt-get-kernel not built"; exit 77; }
command -v mkfs.ext2 > /dev/null || { echo "1..0 # SKIP mkfs.ext2 missing"; exit 77; }

st "--help" 0 virt-get-kernel --help
st "no -a" 1 virt-get-kernel
err_has "no -a message" "you must give either -a or -d options"
t "--machine-readable" 0 virt-get-kernel virt-get-kernel --machine-readable
st "--prefix with a slash" 1 virt-get-kernel --prefix ../x -a /dev/null
st "-o not a directory" 1 virt-get-kernel -o /nonexistent -a /dev/null

guest () {   # DIR: a minimal Debian root
  mkdir -p "$1/etc" "$1/bin" "$1/boot" "$1/usr/lib"
  printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$1/etc/os-release"
  echo 12.5 > "$1/etc/debian_version"
  echo "/dev/sda / ext2 defaults 0 1" > "$1/etc/fstab"
  cp /bin/true "$1/bin/true"
}
r=$tmp/r
guest "$r"
for v in 6.1.0-9-amd64 6.1.0-10-amd64 5.10.0-1-amd64; do
  echo "kernel $v" > "$r/boot/vmlinuz-$v"
  echo "initrd $v" > "$r/boot/initrd.img-$v"
done
echo "signature" > "$r/boot/vmlinuz-7.0.0-1-amd64.sig"
mkfs.ext2 -q -F -d "$r" "$tmp/g.img" 8M > /dev/null
r2=$tmp/r2
guest "$r2"
echo "fedora kernel" > "$r2/boot/vmlinuz-6.5.6-300.fc39.x86_64"
echo "fedora initramfs" > "$r2/boot/initramfs-6.5.6-300.fc39.x86_64.img"
echo "bad" > "$r2/boot/$(printf 'vmlinuz-9.9\001')"
mkfs.ext2 -q -F -d "$r2" "$tmp/g2.img" 8M > /dev/null

out=$tmp/o1
mkdir "$out"
(cd "$out" && "$tools/virt-get-kernel" -a "$tmp/g.img" > "$tmp/out" 2> "$tmp/err")
if [ $? = 0 ] && [ "$(ls "$out" | tr '\n' ' ')" = "initrd.img-6.1.0-10-amd64 vmlinuz-6.1.0-10-amd64 " ] &&
   [ "$(cat "$out/vmlinuz-6.1.0-10-amd64")" = "kernel 6.1.0-10-amd64" ] &&
   [ "$(cat "$out/initrd.img-6.1.0-10-amd64")" = "initrd 6.1.0-10-amd64" ]
then ok "the newest kernel and its initrd, in the current directory"
else ls -la "$out" | sed 's/^/# /'; notok "the newest kernel and its initrd, in the current directory"; fi
out_has "progress messages" "^download: /boot/vmlinuz-6.1.0-10-amd64 -> ./vmlinuz-6.1.0-10-amd64$"

out=$tmp/o2
mkdir "$out"
st "-o --prefix --unversioned-names -q" 0 virt-get-kernel -q -a "$tmp/g.img" -o "$out" \
  --prefix deb --unversioned-names
if [ "$(ls "$out" | tr '\n' ' ')" = "deb-initrd.img deb-vmlinuz " ] && [ ! -s "$tmp/out" ] &&
   [ "$(cat "$out/deb-vmlinuz")" = "kernel 6.1.0-10-amd64" ]; then ok "--prefix, --unversioned-names, -q"
else ls -la "$out" | sed 's/^/# /'; notok "--prefix, --unversioned-names, -q"; fi

# A symbolic link in the output directory with the kernel's name.
out=$tmp/o3
mkdir "$out"
echo precious > "$tmp/precious"
ln -s "$tmp/precious" "$out/vmlinuz-6.1.0-10-amd64"
st "a symbolic link in the output directory is not followed" 1 virt-get-kernel -a "$tmp/g.img" -o "$out"
err_has "symbolic link message" "is a symbolic link, not overwritten"
[ "$(cat "$tmp/precious")" = precious ] && ok "the link's target is untouched" ||
  notok "the link's target is untouched"

# The newest name carries a control character: refused, nothing written.
out=$tmp/o4
mkdir "$out"
st "a name with a control character is refused" 1 virt-get-kernel -a "$tmp/g2.img" -o "$out"
err_has "control character message" "not a plain file name"
[ -z "$(ls "$out")" ] && ok "nothing written for a refused name" || notok "nothing written for a refused name"
finish
