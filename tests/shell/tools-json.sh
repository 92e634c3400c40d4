#!/bin/bash
# The --json outputs of virt-inspector, virt-filesystems, virt-df and
# virt-ls: each validated against its schema in docs/ (python3-jsonschema,
# tests/shell/json-output-check.py), and compared field by field with the
# same tool's XML or CSV output.  virt-inspector runs on every inspection
# test image the inspect-*.sh tests make (cached in the build directory;
# the Windows ones only with hivexregedit), all disks in one launch, once
# for the XML and once for the JSON (the two runs go side by side).  Also
# virt-ls -R / with libguestfs 1.48's relative names (checked by hand
# against Debian's virt-ls 1.48 on the same image).  TAP.
. "$(dirname "$0")/inspect-lib.bash" tools-json
tools=$build/tools
check_py=$top/tests/shell/json-output-check.py
if ! python3 -c 'import jsonschema' 2> /dev/null; then
  echo "1..0 # SKIP python3-jsonschema is not installed"; exit 77
fi
echo "1..15"

# ---- the images ----
made=1
make_image () {  # make_image LOGNAME SCRIPT ARGS...
  local name=$1; shift
  bash "$@" > "$data/make-$name.log" 2>&1 || { made=0; sed 's/^/# /' "$data/make-$name.log" | tail -5; }
}
disks=()
for os in debian fedora centos7 opensuse ubuntu arch alpine btrfs multiboot luks; do
  make_image "$os" "$top/tests/data/make-guest-$os.sh" "$data/guest-$os.img"
  disks+=(-a "$data/guest-$os.img")
done
for k in coreos flatcar; do
  make_image "$k" "$top/tests/data/make-guest-coreos.sh" $k "$data/guest-$k.img"
  disks+=(-a "$data/guest-$k.img")
done
for k in debian fedora ubuntu; do
  make_image "$k-iso" "$top/tests/data/make-guest-iso.sh" $k "$data/guest-$k.iso"
  disks+=(-a "$data/guest-$k.iso")
done
if command -v makefs > /dev/null; then
  for k in freebsd netbsd openbsd; do
    make_image "$k" "$top/tests/data/make-guest-bsd.sh" $k "$data/guest-$k.img"
    disks+=(-a "$data/guest-$k.img")
  done
  make_image freebsd-ufs2 "$top/tests/data/make-guest-freebsd-ufs2.sh" "$data/guest-freebsd-ufs2.img"
  disks+=(-a "$data/guest-freebsd-ufs2.img")
fi
make_image osrelease "$top/tests/data/make-guest-osrelease.sh" "$data"
disks+=(-a "$data/osrel-1.img" -a "$data/osrel-2.img")
if command -v hivexregedit > /dev/null; then
  mkdir -p "$data/windows"
  make_image windows "$top/tests/data/make-guest-windows.sh" "$data/windows"
  make_image windows-users "$top/tests/data/make-guest-windows-users.sh" "$data/windows"
  for w in xp xp2 7 11 2019 bad users; do disks+=(-a "$data/windows/win-$w.img"); done
fi
if [ $made = 1 ]; then ok "test images"; else notok "test images"; echo "Bail out! images missing"; exit 1; fi

# ---- virt-inspector: XML and JSON of every image ----
vi_run () {  # vi_run OUT [--json]   (-v: the daemon's log, shown on failure)
  "$vi" -v --format=raw --key all:key:hatch-luks-key "${disks[@]}" "${@:2}" > "$1" 2> "$1.err"
  echo $? > "$1.rc"
}
vi_log () {  # what the two runs' logs say about filesystems they skipped or failed on
  (cd "$tmp" && grep -a -i 'inspect_os: \|cannot\|error\|fail\|timed out\|I/O' all.xml.err all.json.err) |
    grep -v "module verification\|an operating system's root" | head -80 | sed 's/^/# /'
}
vi_run "$tmp/all.xml" &
vi_run "$tmp/all.json" --json
wait
if [ "$(cat "$tmp/all.xml.rc") $(cat "$tmp/all.json.rc")" = "0 0" ]; then ok "virt-inspector XML and --json runs"
else notok "virt-inspector XML and --json runs"; vi_log; fi
out=$(python3 "$check_py" validate "$top/docs/virt-inspector.schema.json" "$tmp/all.json" 2>&1)
check "virt-inspector --json is valid against docs/virt-inspector.schema.json" "" "$out"
out=$(python3 "$check_py" inspector "$tmp/all.xml" "$tmp/all.json" 2>&1)
case $out in
  *" operating systems, "*" fields agree") ok "XML and JSON agree field by field ($out)" ;;
  *) notok "XML and JSON agree field by field"; printf '%s\n' "$out" | head -20 | sed 's/^/# /'; vi_log ;;
esac
# Every kind of root is there (the images above really were inspected).
kinds=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["operatingsystems"]
print(" ".join(sorted({o.get("distro", o.get("name", "?")) for o in d})))' "$tmp/all.json")
want="debian fedora centos opensuse ubuntu archlinux alpinelinux coreos freebsd netbsd openbsd rocky sles"
command -v hivexregedit > /dev/null && want="$want windows"
for k in $want; do
  case " $kinds " in *" $k "*) ;; *) missing="${missing:-} $k" ;; esac
done
check "every image's distribution is in the JSON" "" "${missing:-}"
# The comparer notices a difference (one changed value, one dropped key).
python3 - "$tmp/all.json" "$tmp/bad1.json" "$tmp/bad2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["operatingsystems"][0]["hostname"] = "not-the-hostname"
json.dump(d, open(sys.argv[2], "w"))
d = json.load(open(sys.argv[1]))
del d["operatingsystems"][0]["mountpoints"]
json.dump(d, open(sys.argv[3], "w"))
PY
python3 "$check_py" inspector "$tmp/all.xml" "$tmp/bad1.json" > /dev/null; r1=$?
python3 "$check_py" inspector "$tmp/all.xml" "$tmp/bad2.json" > /dev/null; r2=$?
check "a changed or missing field is a difference" "1 1" "$r1 $r2"
# A bad schema document is refused by the validator.
echo '{"operatingsystems": [{"root": "sda"}]}' > "$tmp/bad3.json"
python3 "$check_py" validate "$top/docs/virt-inspector.schema.json" "$tmp/bad3.json" > /dev/null
check "the validator refuses a document off the schema" 1 $?

# ---- no operating system: <operatingsystems/>, exit 0 (libguestfs 1.48) ----
truncate -s 8M "$tmp/blank.img"
"$vi" --format=raw -a "$tmp/blank.img" > "$tmp/blank.xml" 2> "$tmp/blank.err"
check "virt-inspector on a blank disk" '0 <?xml version="1.0"?>
<operatingsystems/>' "$? $(cat "$tmp/blank.xml")"

# ---- virt-filesystems, virt-df, virt-ls: --json against --csv ----
img=$data/guest-debian.img
both () {  # both NAME SCHEMA KIND TOOL ARGS... : --csv and --json of one command
  local name=$1 schema=$2 kind=$3 tool=$4; shift 4
  "$tools/$tool" --format=raw -a "$img" "$@" --csv > "$tmp/$name.csv" 2> "$tmp/$name.err" &&
    "$tools/$tool" --format=raw -a "$img" "$@" --json > "$tmp/$name.json" 2>> "$tmp/$name.err"
  local rc=$?
  out=$(python3 "$check_py" validate "$top/docs/$schema" "$tmp/$name.json" 2>&1)
  check "$name --json: exit status, valid against docs/$schema" "0 " "$rc $out"
  out=$(python3 "$check_py" csv $kind "$tmp/$name.csv" "$tmp/$name.json" 2>&1)
  case $out in
    *" rows agree") ok "$name --json and --csv agree ($out)" ;;
    *) notok "$name --json and --csv agree"; printf '%s\n' "$out" | head -10 | sed 's/^/# /' ;;
  esac
}
both virt-filesystems virt-filesystems.schema.json filesystems virt-filesystems --all -l --uuid
both virt-df virt-df.schema.json df virt-df
both virt-ls virt-ls.schema.json ls virt-ls -lR --uids --time-t --extra-stats --checksum=sha1 /etc

# virt-ls -R: names as libguestfs 1.48's virt-ls prints them, relative
# to the directory, so for / without a leading slash (Debian's virt-ls on
# this image).
"$tools/virt-ls" --format=raw -a "$img" -R / > "$tmp/R.txt" 2>&1
check "virt-ls -R / (names as libguestfs 1.48)" "bin bin/ls boot boot/lost+found boot/vmlinuz-6.1.0-18-amd64 etc etc/debian_version etc/fstab etc/hostname etc/os-release home lost+found usr usr/bin usr/lib usr/lib/os-release var var/lib var/lib/dpkg var/lib/dpkg/status" \
  "$(tr '\n' ' ' < "$tmp/R.txt" | sed 's/ $//')"
exit $fail
