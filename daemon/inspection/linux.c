/* Recognising Linux (and other Unix-like) roots: distribution, version,
 * product name, architecture, hostname, packaging and the osinfo ID.
 *
 * The sources, best first: /etc/os-release (or /usr/lib/os-release), then
 * distribution release files.  Each distribution is one line of the
 * tables below: adding one is a one-line change. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "inspect.h"

/* os-release ID -> our distro name. */
static const struct { const char *id, *distro; } os_release_ids[] = {
  { "almalinux", "almalinux" },
  { "alpine", "alpinelinux" },
  { "altlinux", "altlinux" },
  { "arch", "archlinux" },
  { "centos", "centos" },
  { "circle", "redhat-based" },
  { "coreos", "coreos" },
  { "debian", "debian" },
  { "fedora", "fedora" },
  /* Flatcar continues CoreOS Container Linux (libguestfs has no name of
   * its own for it). */
  { "flatcar", "coreos" },
  { "frugalware", "frugalware" },
  { "gentoo", "gentoo" },
  { "kali", "kalilinux" },
  { "kylin", "kylin" },
  { "linuxmint", "linuxmint" },
  { "mageia", "mageia" },
  { "mandriva", "mandriva" },
  { "neokylin", "neokylin" },
  { "ol", "oraclelinux" },
  { "openmandriva", "openmandriva" },
  { "opensuse", "opensuse" },
  { "opensuse-leap", "opensuse" },
  { "opensuse-tumbleweed", "opensuse" },
  { "pardus", "pardus" },
  { "pld", "pldlinux" },
  { "rhel", "rhel" },
  { "rocky", "rocky" },
  { "scientific", "scientificlinux" },
  { "sled", "sles" },
  { "sles", "sles" },
  { "ubuntu", "ubuntu" },
  { "void", "voidlinux" },
};

/* distro -> package format and management; the first matching line wins.
 * Fedora's "dnf" means: dnf if the guest has it, else yum (the Red Hat
 * rebuilds get what their version says, as libguestfs 1.48 answers). */
static const struct {
  const char *distro;
  int below_major;              /* applies when major < this (0: always) */
  const char *format, *management;
} packaging[] = {
  { "fedora", 22, "rpm", "yum" },
  { "fedora", 0, "rpm", "dnf" },
  { "rhel", 5, "rpm", "up2date" },
  { "rhel", 8, "rpm", "yum" },
  { "rhel", 0, "rpm", "dnf" },
  { "centos", 8, "rpm", "yum" },
  { "centos", 0, "rpm", "dnf" },
  { "scientificlinux", 8, "rpm", "yum" },
  { "oraclelinux", 8, "rpm", "yum" },
  { "oraclelinux", 0, "rpm", "dnf" },
  { "rocky", 0, "rpm", "dnf" },
  { "almalinux", 0, "rpm", "dnf" },
  { "redhat-based", 8, "rpm", "yum" },
  { "redhat-based", 0, "rpm", "dnf" },
  { "debian", 0, "deb", "apt" },
  { "ubuntu", 0, "deb", "apt" },
  { "linuxmint", 0, "deb", "apt" },
  { "kalilinux", 0, "deb", "apt" },
  { "opensuse", 0, "rpm", "zypper" },
  { "sles", 0, "rpm", "zypper" },
  { "suse-based", 0, "rpm", "zypper" },
  { "mageia", 0, "rpm", "urpmi" },
  { "mandriva", 0, "rpm", "urpmi" },
  { "openmandriva", 0, "rpm", "dnf" },
  { "altlinux", 0, "rpm", "apt" },
  { "archlinux", 0, "pacman", "pacman" },
  { "gentoo", 0, "ebuild", "portage" },
  { "pardus", 0, "pisi", "pisi" },
  { "alpinelinux", 0, "apk", "apk" },
  { "voidlinux", 0, "xbps", "xbps" },
};

static const char *
distro_of_id (const char *id)
{
  for (size_t i = 0; i < sizeof os_release_ids / sizeof os_release_ids[0]; ++i)
    if (strcmp (os_release_ids[i].id, id) == 0)
      return os_release_ids[i].distro;
  return NULL;
}

/* The first of paths (NULL-terminated) that is an os-release file:
 * returns true if it named a distro we know. */
static bool
parse_os_release_at (int rootfd, const char *const *paths, struct inspect_os *os)
{
  CLEANUP_FREE char *c = NULL;
  for (size_t i = 0; c == NULL && paths[i]; ++i)
    c = inspect_read_file (rootfd, paths[i], INSPECT_MAX_CONFIG, NULL);
  if (c == NULL)
    return false;
  CLEANUP_FREE char *id = inspect_shell_var (c, "ID");
  CLEANUP_FREE char *pretty = inspect_shell_var (c, "PRETTY_NAME");
  CLEANUP_FREE char *version_id = inspect_shell_var (c, "VERSION_ID");
  CLEANUP_FREE char *build_id = inspect_shell_var (c, "BUILD_ID");
  const char *distro = id ? distro_of_id (id) : NULL;
  if (distro == NULL)
    return false;
  if (build_id)
    inspect_set (&os->build_id, inspect_trim (build_id));
  inspect_replace (&os->distro, distro);
  if (pretty && *pretty)
    inspect_replace (&os->product_name, pretty);
  int ma, mi;
  if (version_id && inspect_parse_version (version_id, &ma, &mi)) {
    os->major = ma;
    os->minor = mi;
  }
  /* openSUSE Tumbleweed's VERSION_ID is a date, not a version. */
  if (id && strcmp (id, "opensuse-tumbleweed") == 0)
    os->major = os->minor = 0;
  return true;
}

static bool
parse_os_release (int rootfd, struct inspect_os *os)
{
  static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release", NULL };
  return parse_os_release_at (rootfd, paths, os);
}

/* ---- release files ---- */

typedef void (*release_parser) (struct inspect_os *os, const char *distro, char *line);

/* "NAME release X.Y (...)" or "NAME X.Y": product name is the line. */
static void
parse_release_line (struct inspect_os *os, const char *distro, char *line)
{
  inspect_replace (&os->distro, distro);
  inspect_replace (&os->product_name, line);
  const char *v = strstr (line, " release ");
  int ma, mi;
  if (inspect_parse_version (v ? v : line, &ma, &mi)) {
    os->major = ma;
    os->minor = mi;
  }
}

/* /etc/redhat-release names the distro in its text. */
static void
parse_redhat_release (struct inspect_os *os, const char *distro, char *line)
{
  static const struct { const char *prefix, *distro; } names[] = {
    { "Fedora", "fedora" },
    { "Red Hat Enterprise Linux", "rhel" },
    { "CentOS", "centos" },
    { "Rocky Linux", "rocky" },
    { "AlmaLinux", "almalinux" },
    { "Scientific Linux", "scientificlinux" },
    { "Oracle Linux", "oraclelinux" },
  };
  const char *d = distro;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (strncmp (line, names[i].prefix, strlen (names[i].prefix)) == 0) {
      d = names[i].distro;
      break;
    }
  parse_release_line (os, d, line);
}

/* /etc/debian_version: "12.5" (or "trixie/sid": no version). */
static void
parse_debian_version (struct inspect_os *os, const char *distro, char *line)
{
  inspect_replace (&os->distro, distro);
  int ma, mi;
  if (isdigit ((unsigned char) line[0]) && inspect_parse_version (line, &ma, &mi)) {
    os->major = ma;
    os->minor = mi;
  }
  /* libguestfs shows the content of debian_version as the product name. */
  if (*line)
    inspect_replace (&os->product_name, line);
}

/* Only the distro: the file holds nothing else useful. */
static void
parse_distro_only (struct inspect_os *os, const char *distro, char *line)
{
  inspect_replace (&os->distro, distro);
  if (line && *line)
    inspect_replace (&os->product_name, line);
}

/* "3.19.1" */
static void
parse_bare_version (struct inspect_os *os, const char *distro, char *line)
{
  inspect_replace (&os->distro, distro);
  int ma, mi;
  if (inspect_parse_version (line, &ma, &mi)) {
    os->major = ma;
    os->minor = mi;
  }
}

/* Checked in order; files that other distributions also ship come after
 * the more specific ones (ALT and Mageia have a redhat-release too). */
static const struct {
  const char *path, *distro;
  release_parser parse;
} release_files[] = {
  { "/etc/altlinux-release", "altlinux", parse_release_line },
  { "/etc/mageia-release", "mageia", parse_release_line },
  { "/etc/mandriva-release", "mandriva", parse_release_line },
  { "/etc/oracle-release", "oraclelinux", parse_release_line },
  { "/etc/rocky-release", "rocky", parse_release_line },
  { "/etc/almalinux-release", "almalinux", parse_release_line },
  { "/etc/centos-release", "centos", parse_release_line },
  { "/etc/redhat-release", "redhat-based", parse_redhat_release },
  { "/etc/SuSE-release", "opensuse", parse_release_line },
  { "/etc/debian_version", "debian", parse_debian_version },
  { "/etc/pardus-release", "pardus", parse_release_line },
  { "/etc/arch-release", "archlinux", parse_distro_only },
  { "/etc/gentoo-release", "gentoo", parse_release_line },
  { "/etc/alpine-release", "alpinelinux", parse_bare_version },
  { "/etc/frugalware-release", "frugalware", parse_release_line },
  { "/etc/pld-release", "pldlinux", parse_release_line },
  { "/etc/slackware-version", "slackware", parse_release_line },
  { "/etc/meego-release", "meego", parse_release_line },
  { "/etc/ttylinux-target", "ttylinux", parse_distro_only },
  { "/etc/cirros/version", "cirros", parse_bare_version },
};

/* Ubuntu before os-release: /etc/lsb-release. */
static bool
parse_lsb_release (int rootfd, struct inspect_os *os)
{
  CLEANUP_FREE char *c = inspect_read_file (rootfd, "/etc/lsb-release", INSPECT_MAX_CONFIG, NULL);
  if (c == NULL)
    return false;
  CLEANUP_FREE char *id = inspect_shell_var (c, "DISTRIB_ID");
  CLEANUP_FREE char *rel = inspect_shell_var (c, "DISTRIB_RELEASE");
  CLEANUP_FREE char *desc = inspect_shell_var (c, "DISTRIB_DESCRIPTION");
  const char *distro = NULL;
  if (id && strcmp (id, "Ubuntu") == 0) distro = "ubuntu";
  else if (id && strcmp (id, "LinuxMint") == 0) distro = "linuxmint";
  if (distro == NULL)
    return false;
  inspect_replace (&os->distro, distro);
  if (desc && *desc)
    inspect_replace (&os->product_name, desc);
  int ma, mi;
  if (rel && inspect_parse_version (rel, &ma, &mi)) {
    os->major = ma;
    os->minor = mi;
  }
  return true;
}

static void
parse_release_files (int rootfd, struct inspect_os *os)
{
  for (size_t i = 0; i < sizeof release_files / sizeof release_files[0]; ++i) {
    if (!inspect_is_file (rootfd, release_files[i].path))
      continue;
    CLEANUP_FREE char *line = inspect_first_line (rootfd, release_files[i].path);
    release_files[i].parse (os, release_files[i].distro, line ? line : (char *) "");
    return;
  }
}

/* ---- hostname ---- */

static void
find_hostname (int rootfd, struct inspect_os *os)
{
  static const char *const files[] = { "/etc/hostname", "/etc/HOSTNAME" };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
    CLEANUP_FREE char *h = inspect_first_line (rootfd, files[i]);
    if (h && *h && h[0] != '#') {
      inspect_replace (&os->hostname, h);
      return;
    }
  }
  CLEANUP_FREE char *c = inspect_read_file (rootfd, "/etc/sysconfig/network", INSPECT_MAX_CONFIG, NULL);
  if (c) {
    CLEANUP_FREE char *h = inspect_shell_var (c, "HOSTNAME");
    if (h && *h)
      inspect_replace (&os->hostname, h);
  }
}

/* ---- packaging and osinfo ---- */

/* Fedora: dnf when the guest has /usr/bin/dnf installed (a dangling
 * symlink does not count), yum otherwise (libguestfs decides the same
 * way). */
static const char *
dnf_or_yum (int rootfd)
{
  return inspect_is_file (rootfd, "/usr/bin/dnf") ? "dnf" : "yum";
}

static void
set_packaging (int rootfd, struct inspect_os *os)
{
  for (size_t i = 0; i < sizeof packaging / sizeof packaging[0]; ++i) {
    if (strcmp (packaging[i].distro, os->distro) != 0)
      continue;
    if (packaging[i].below_major && !(os->major < packaging[i].below_major))
      continue;
    inspect_replace (&os->package_format, packaging[i].format);
    const char *m = packaging[i].management;
    if (strcmp (os->distro, "fedora") == 0 && strcmp (m, "dnf") == 0)
      m = dnf_or_yum (rootfd);
    inspect_replace (&os->package_management, m);
    return;
  }
}

void
inspect_linux (int rootfd, struct inspect_os *os)
{
  inspect_replace (&os->type, "linux");
  if (!parse_os_release (rootfd, os) && !parse_lsb_release (rootfd, os))
    parse_release_files (rootfd, os);
  /* CentOS's os-release has only the major version ("7"): its release
   * file has the rest ("CentOS Linux release 7.9.2009 (Core)") and then
   * names the product, as in libguestfs. */
  else if (strcmp (os->distro, "centos") == 0 && os->minor == 0)
    parse_release_files (rootfd, os);
  /* Debian's os-release has only the major version: when debian_version
   * holds a real version ("12.5", not "trixie/sid") it wins, product name
   * included, as in libguestfs. */
  if (strcmp (os->distro, "debian") == 0) {
    CLEANUP_FREE char *v = inspect_first_line (rootfd, "/etc/debian_version");
    if (v && isdigit ((unsigned char) v[0]))
      parse_debian_version (os, "debian", v);
  }
  /* Nothing named the distribution: it may be in a /usr of its own.
   * CoreOS always has one (and no fstab to say so). */
  if (strcmp (os->distro, "unknown") == 0)
    os->needs_usr = true;
  if (inspect_is_coreos_root (rootfd)) {
    os->needs_usr = true;
    inspect_set (&os->distro, "coreos");
  }
  inspect_find_arch (rootfd, os);
  find_hostname (rootfd, os);
  set_packaging (rootfd, os);
  inspect_set_osinfo (os);
}

/* ---- the operating system in a separate /usr filesystem ---- */

bool
inspect_usr_fs (int usrfd, struct inspect_os *os)
{
  static const char *const paths[] = { "/lib/os-release", NULL };
  if (inspect_is_dir (usrfd, "/etc") || !inspect_is_dir (usrfd, "/bin") ||
      !inspect_is_file (usrfd, "/lib/os-release"))
    return false;
  if (!parse_os_release_at (usrfd, paths, os))
    return false;
  inspect_replace (&os->type, "linux");
  inspect_find_arch (usrfd, os);
  return true;
}

void
inspect_merge_usr (struct inspect_os *os, const struct inspect_os *usr)
{
  if (strcmp (os->distro, "unknown") == 0 || strcmp (os->distro, usr->distro) == 0) {
    inspect_replace (&os->distro, usr->distro);
    inspect_replace (&os->product_name, usr->product_name);
    os->major = usr->major;
    os->minor = usr->minor;
  }
  inspect_set (&os->arch, usr->arch);
  /* The root's /usr/bin/dnf was not there to look at: dnf_or_yum says
   * yum, the right answer for the older releases only. */
  set_packaging (-1, os);
  inspect_set_osinfo (os);
  os->needs_usr = false;
}
