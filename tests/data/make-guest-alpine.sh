#!/bin/bash
# A small fake Alpine Linux 3.19 guest for the inspection tests:
# os-release, alpine-release, /bin/busybox, and the apk database
# (/lib/apk/db/installed).
# usage: make-guest-alpine.sh OUTPUT.img   (GUESTFISH names the guestfish)
source "$(dirname "$0")/guest-lib.sh"
guest_start "$@"
mkdir -p "$t/etc" "$t/bin" "$t/usr/bin" "$t/lib/apk/db" "$t/boot" "$t/home"
cat > "$t/etc/os-release" <<'X'
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
X
echo "3.19.1" > "$t/etc/alpine-release"
echo "alpine-test" > "$t/etc/hostname"
printf 'LABEL=alpine-root / ext4 rw,relatime 0 1\n' > "$t/etc/fstab"
cp /bin/busybox "$t/bin/busybox"
ln -s /bin/busybox "$t/bin/sh"
cat > "$t/lib/apk/db/installed" <<'X'
C:Q1FvC0lBnXnzOmuCq0dy5/6bSVSsU=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1705951546
c:b4b6b5b6d1d8f0e7e0b7c1b8e7c6d2a1f3b4c5d6
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1Ko2LpDtbfxpz7qRxMmLVEqzwcfE=

C:Q1tTdh0Ha2+b5wl8LP2ktMThtT+eE=
P:busybox
V:1.36.1-r15
A:x86_64
S:511427
I:946176
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1705951546
D:so:libc.musl-x86_64.so.1
F:bin
R:busybox
a:0:0:755

C:Q1uXb3Yl1nZ+Yk8eB+qg0mEeNq2Fs=
P:alpine-baselayout-data
V:3.4.3-r2
A:x86_64
S:11617
I:77824
T:Alpine base dir structure and init scripts
U:https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout
L:GPL-2.0-only
o:alpine-baselayout
m:Natanael Copa <ncopa@alpinelinux.org>
t:1705951546

X
guest_image "$out" ext4 alpine-root
