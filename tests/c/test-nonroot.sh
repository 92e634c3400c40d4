#!/bin/sh
# The library works for an unprivileged user with its own cache directory.
# As root: create the user "hatchtest" if needed and run nonroot-prog as
# that user.  As another user: run it directly.  Skips (77) when neither
# is possible.
# usage: test-nonroot.sh BUILDDIR
build=${1:-${HATCH_BUILDDIR:?}}
prog=$build/tests/c/nonroot-prog
[ -x "$prog" ] || { echo "# $prog not built"; exit 77; }

if [ "$(id -u)" != 0 ]; then
  export LIBGUESTFS_CACHEDIR="$HOME/.cache/hatch-test"
  mkdir -p "$LIBGUESTFS_CACHEDIR"
  exec "$prog"
fi

user=hatchtest
if ! id "$user" >/dev/null 2>&1; then
  useradd -m "$user" 2>&1 | sed 's/^/# /' || true
  id "$user" >/dev/null 2>&1 || { echo "# cannot create user $user"; exit 77; }
fi
command -v runuser >/dev/null || { echo "# runuser not available"; exit 77; }
home=$(getent passwd "$user" | cut -d: -f6)
[ -d "$home" ] || { echo "# $user has no home directory"; exit 77; }

# The user must be able to reach the build tree (library, daemon, init).
if ! runuser -u "$user" -- test -x "$prog"; then
  echo "# $user cannot execute $prog (permissions on the build tree)"
  exit 77
fi

# A root-only kernel (0600), standing in for the host kernel of some
# distributions: the user must get an error that says what to do.
kernel=$(mktemp /tmp/hatch-vmlinuz-0600-XXXXXX)
chmod 0600 "$kernel"
modules=$(ls -d /lib/modules/*/ | head -1)
trap 'rm -f "$kernel"' EXIT

# Nothing of root's may be used: no root-owned cache, no root TMPDIR.
runuser -u "$user" -- env -i PATH="$PATH" HOME="$home" \
  UNREADABLE_KERNEL="$kernel" UNREADABLE_KERNEL_MODULES="${modules%/}" \
  LIBGUESTFS_CACHEDIR="$home/.cache/hatch-test" TMPDIR=/tmp \
  sh -c 'mkdir -p "$LIBGUESTFS_CACHEDIR" && exec "$0"' "$prog"
