#!/bin/bash
# Distro, product name, version, packaging and osinfo short ID of 30 tiny
# fake Linux roots (tests/data/make-guest-osrelease.sh: an os-release or
# an older release file each, 15 partitions a disk, cached in the build
# directory), in one appliance launch.
# Checked against Debian's libguestfs 1.48 on the same disks; where we
# differ it is on purpose:
#   - 1.48 does not know AlmaLinux, Oracle Linux (ID=ol), Scientific Linux
#     (ID=scientific), Linux Mint's os-release or /etc/mageia-release
#     (all "unknown"): we name them, with osinfo-db's IDs (almalinux9,
#     ol8.8, scientificlinux7.9, mageia6) or libguestfs's DISTROx.y guess
#     (linuxmint21.2, as it says kalilinux2023.3);
#   - Tumbleweed: 1.48 takes the snapshot date for a version
#     ("opensuse20231120.0"); we say version 0, "opensusetumbleweed";
#   - CentOS Stream 9: 1.48 says "centos9" (not an osinfo-db ID); we say
#     "centos-stream9".
# Prints TAP.
. "$(dirname "$0")/inspect-lib.bash" inspect-osinfo

# root|distro|product name|major|minor|package format|management|osinfo
cat > "$tmp/want" <<'X'
/dev/sda1|almalinux|AlmaLinux 9.2 (Turquoise Kodkod)|9|2|rpm|dnf|almalinux9
/dev/sda2|almalinux|AlmaLinux 8.8 (Sapphire Caracal)|8|8|rpm|dnf|almalinux8
/dev/sda3|rocky|Rocky Linux 9.2 (Blue Onyx)|9|2|rpm|dnf|rocky9
/dev/sda4|rocky|Rocky Linux 8.6 (Green Obsidian)|8|6|rpm|dnf|rocky8
/dev/sda5|oraclelinux|Oracle Linux Server 8.8|8|8|rpm|dnf|ol8.8
/dev/sda6|oraclelinux|Oracle Linux Server 9.2|9|2|rpm|dnf|ol9.2
/dev/sda7|opensuse|openSUSE Leap 15.4|15|4|rpm|zypper|opensuse15.4
/dev/sda8|opensuse|openSUSE Tumbleweed|0|0|rpm|zypper|opensusetumbleweed
/dev/sda9|sles|SUSE Linux Enterprise Server 15 SP5|15|5|rpm|zypper|sles15sp5
/dev/sda10|sles|SUSE Linux Enterprise Server 12|12|0|rpm|zypper|sles12
/dev/sda11|alpinelinux|Alpine Linux v3.17|3|17|apk|apk|alpinelinux3.17
/dev/sda12|archlinux|Arch Linux|0|0|pacman|pacman|archlinux
/dev/sda13|gentoo|Gentoo Linux|2|14|ebuild|portage|gentoo
/dev/sda14|voidlinux|Void Linux|0|0|xbps|xbps|voidlinux
/dev/sda15|mageia|Mageia 8|8|0|rpm|urpmi|mageia8
/dev/sdb1|altlinux|ALT Workstation 10.1 (Aris)|10|1|rpm|apt|alt10.1
/dev/sdb2|linuxmint|Linux Mint 21.2|21|2|deb|apt|linuxmint21.2
/dev/sdb3|ubuntu|Ubuntu 22.04.3 LTS|22|4|deb|apt|ubuntu22.04
/dev/sdb4|debian|Debian GNU/Linux 11 (bullseye)|11|0|deb|apt|debian11
/dev/sdb5|fedora|Fedora Linux 37 (Server Edition)|37|0|rpm|yum|fedora37
/dev/sdb6|centos|CentOS Linux 8|8|0|rpm|dnf|centos8
/dev/sdb7|centos|CentOS Stream 9|9|0|rpm|dnf|centos-stream9
/dev/sdb8|rhel|Red Hat Enterprise Linux 9.3 (Plow)|9|3|rpm|dnf|rhel9.3
/dev/sdb9|rhel|Red Hat Enterprise Linux Server 7.9 (Maipo)|7|9|rpm|yum|rhel7.9
/dev/sdb10|kalilinux|Kali GNU/Linux Rolling|2023|3|deb|apt|kalilinux2023.3
/dev/sdb11|scientificlinux|Scientific Linux 7.9 (Nitrogen)|7|9|rpm|yum|scientificlinux7.9
/dev/sdb12|rhel|Red Hat Enterprise Linux Server release 6.10 (Santiago)|6|10|rpm|yum|rhel6.10
/dev/sdb13|centos|CentOS release 6.10 (Final)|6|10|rpm|yum|centos6.10
/dev/sdb14|debian|3.1|3|1|deb|apt|debian3.1
/dev/sdb15|mageia|Mageia release 6 (Official) for x86_64|6|0|rpm|urpmi|mageia6
X
echo "1..$((3 + $(wc -l < "$tmp/want")))"

if bash "$top/tests/data/make-guest-osrelease.sh" "$data" > "$data/make-osrelease.log" 2>&1
then ok "build the images"
else notok "build the images"; sed 's/^/# /' "$data/make-osrelease.log" | tail -20
  echo "Bail out! test images missing"; exit 1; fi

roots=$(cut -d'|' -f1 "$tmp/want")
{
  echo run
  echo inspect-os
  for r in $roots; do
    echo "echo == $r"
    for f in distro product-name major-version minor-version package-format \
             package-management osinfo; do
      echo "inspect-get-$f $r"
    done
  done
} > "$tmp/script"
"$fish" --ro -a "$data/osrel-1.img" -a "$data/osrel-2.img" -f "$tmp/script" \
  > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc = 0 ]; then ok "guestfish exit status"
else notok "guestfish exit status: $rc"; sed 's/^/# stderr: /' "$tmp/err"; fi
if [ "$(sed -n '/^== /q;p' "$tmp/out")" = "$roots" ]; then ok "roots"
else notok "roots"; sed -n '/^== /q;s/^/# got: /p' "$tmp/out"; fi

awk '/^== / { if (line != "") print line; line = $2; next } { line = line "|" $0 }
     END { if (line != "") print line }' "$tmp/out" > "$tmp/got"
while IFS= read -r want; do
  r=${want%%|*}
  got=$(awk -F"|" -v r="$r" '$1 == r { print; exit }' "$tmp/got")
  if [ "$got" = "$want" ]; then ok "$want"
  else notok "$r"; echo "#   expected: $want"; echo "#   got:      $got"; fi
done < "$tmp/want"
exit $fail
