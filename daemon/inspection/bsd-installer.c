/* Inspection of the layouts beyond a plain Linux or Windows root:
 *
 * - BSD roots (FreeBSD, NetBSD, OpenBSD) on UFS, which Linux mounts only
 *   when told the UFS flavour (ufstype=); their fstabs name devices the
 *   BSD way (/dev/ada0p2, /dev/wd0a), translated here to ours;
 * - install and live disks (an iso9660 image laid out as a Debian or
 *   Ubuntu CD with .disk/info, or a Fedora/RHEL one with .treeinfo):
 *   format "installer", with the live / netinst / multipart flags;
 * - btrfs subvolumes: a "btrfsvol:DEV/SUBVOL" candidate is mounted with
 *   subvol=, so a root living in subvolume @ is found as such; the
 *   device itself mounts its default subvolume, which list_filesystems
 *   does not list again (a root there is named by the device, as
 *   libguestfs names it).
 *
 * As everywhere in inspection, an unreadable or odd file leaves a field
 * "unknown", it never fails inspect_os. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "inspect.h"

/* ---- mounting ---- */

static bool
is_blockdev (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0 && S_ISBLK (st.st_mode);
}

/* "btrfsvol:/dev/sda2/@/sub" -> "/dev/sda2", "@/sub". */
static int
split_btrfsvol (const char *m, char **dev, const char **sub)
{
  const char *s = m + strlen ("btrfsvol:");
  for (const char *p = strchr (s + 1, '/'); p; p = strchr (p + 1, '/')) {
    char *d = strndup (s, p - s);
    if (d == NULL)
      return -1;
    if (is_blockdev (d)) {
      *dev = d;
      *sub = p + 1;
      return 0;
    }
    free (d);
  }
  errno = EINVAL;
  return -1;
}

int
inspect_other_mount_ro (const char *dev, const char *type, const char *dir,
                        unsigned long flags)
{
  if (strncmp (dev, "btrfsvol:", 9) == 0) {
    CLEANUP_FREE char *d = NULL, *opts = NULL;
    const char *sub;
    if (split_btrfsvol (dev, &d, &sub) == -1)
      return -1;
    if (strchr (sub, ',') || asprintf (&opts, "subvol=%s", sub) == -1) {
      errno = EINVAL;
      return -1;
    }
    if (mount (d, dir, "btrfs", flags, opts) == 0)
      return 0;
    /* Already mounted read-write by the caller: same trick as inspect.c. */
    if (errno == EBUSY && mount (d, dir, "btrfs", flags & ~MS_RDONLY, opts) == 0) {
      if (mount (NULL, dir, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0)
        return 0;
      umount2 (dir, MNT_DETACH);
    }
    return -1;
  }
  if (strcmp (type, "ufs") == 0) {
    /* FreeBSD's UFS2, then the UFS1 of older FreeBSD, NetBSD and OpenBSD. */
    static const char *const flavours[] = { "ufstype=ufs2", "ufstype=44bsd" };
    (void) command (NULL, NULL, "modprobe", "-q", "ufs", NULL);
    for (size_t i = 0; i < sizeof flavours / sizeof flavours[0]; ++i)
      if (mount (dev, dir, "ufs", flags, flavours[i]) == 0)
        return 0;
    if (verbose)
      fprintf (stderr, "inspect_os: cannot mount %s as UFS: %m\n", dev);
    return -1;
  }
  return 1;
}

/* ---- recognising ---- */

static bool
first_line_starts (int rootfd, const char *path, const char *word)
{
  CLEANUP_FREE char *l = inspect_first_line (rootfd, path);
  return l && strncmp (l, word, strlen (word)) == 0;
}

static const char *
bsd_type (int rootfd)
{
  if (!inspect_is_dir (rootfd, "/etc") || !inspect_lexists (rootfd, "/bin"))
    return NULL;
  if (inspect_is_file (rootfd, "/bin/freebsd-version") ||
      inspect_is_file (rootfd, "/etc/freebsd-update.conf"))
    return "freebsd";
  if (first_line_starts (rootfd, "/etc/release", "NetBSD") ||
      inspect_is_file (rootfd, "/netbsd"))
    return "netbsd";
  if (inspect_is_file (rootfd, "/bsd") || first_line_starts (rootfd, "/etc/motd", "OpenBSD"))
    return "openbsd";
  return NULL;
}

enum inspect_other_kind
inspect_other_probe (int rootfd)
{
  if (bsd_type (rootfd))
    return INSPECT_OTHER_BSD;
  /* (An installed system keeping a copy of its CD's .disk is not one.) */
  if ((inspect_is_file (rootfd, "/.treeinfo") || inspect_is_file (rootfd, "/.disk/info")) &&
      !inspect_is_unix_root (rootfd))
    return INSPECT_OTHER_INSTALLER;
  return INSPECT_OTHER_NONE;
}

/* ---- BSD ---- */

/* The first "NAME X.Y" in text, NAME being e.g. "FreeBSD": the version. */
static void
version_after (struct inspect_os *os, const char *text, const char *name)
{
  const char *p = text ? strstr (text, name) : NULL;
  if (p == NULL)
    return;
  p += strlen (name);
  while (*p == ' ')
    p++;
  inspect_parse_version (p, &os->major, &os->minor);
}

static void
bsd_osinfo (struct inspect_os *os)
{
  char *r;
  if (os->major == 0)
    return;
  if (asprintf (&r, "%s%d.%d", os->distro, os->major, os->minor) == -1)
    return;
  free (os->osinfo);
  os->osinfo = r;
}

static void
inspect_bsd (int rootfd, struct inspect_os *os)
{
  const char *type = bsd_type (rootfd);
  inspect_replace (&os->type, type);
  inspect_replace (&os->distro, type);

  /* FreeBSD 13 and later: os-release (often a symlink to a file made at
   * boot, so it may be missing). */
  CLEANUP_FREE char *osr = inspect_read_file (rootfd, "/etc/os-release", INSPECT_MAX_CONFIG, NULL);
  if (osr == NULL)
    osr = inspect_read_file (rootfd, "/usr/lib/os-release", INSPECT_MAX_CONFIG, NULL);
  CLEANUP_FREE char *pretty = osr ? inspect_shell_var (osr, "PRETTY_NAME") : NULL;
  CLEANUP_FREE char *vid = osr ? inspect_shell_var (osr, "VERSION_ID") : NULL;
  if (vid && inspect_parse_version (vid, &os->major, &os->minor) && pretty && *pretty)
    inspect_replace (&os->product_name, pretty);

  if (os->major == 0 && strcmp (type, "freebsd") == 0) {
    /* freebsd-version(1) is a script holding USERLAND_VERSION="13.2-RELEASE". */
    CLEANUP_FREE char *c = inspect_read_file (rootfd, "/bin/freebsd-version", INSPECT_MAX_CONFIG, NULL);
    CLEANUP_FREE char *v = c ? inspect_shell_var (c, "USERLAND_VERSION") : NULL;
    if (v && inspect_parse_version (v, &os->major, &os->minor)) {
      CLEANUP_FREE char *pn = NULL;
      if (asprintf (&pn, "FreeBSD %s", v) != -1)
        inspect_replace (&os->product_name, pn);
    }
  }
  if (os->major == 0) {
    /* /etc/release (NetBSD), then the motd's first line, which FreeBSD
     * and OpenBSD begin with "NAME X.Y ...". */
    static const char *const files[] = { "/etc/release", "/etc/motd" };
    const char *name = strcmp (type, "freebsd") == 0 ? "FreeBSD" :
      strcmp (type, "netbsd") == 0 ? "NetBSD" : "OpenBSD";
    for (size_t i = 0; i < 2 && os->major == 0; ++i) {
      CLEANUP_FREE char *l = inspect_first_line (rootfd, files[i]);
      if (l && strstr (l, name)) {
        version_after (os, l, name);
        if (os->major)
          inspect_replace (&os->product_name, inspect_trim (l));
      }
    }
  }

  /* Hostname: rc.conf's hostname= (FreeBSD), /etc/myname (NetBSD,
   * OpenBSD). */
  CLEANUP_FREE char *rc = inspect_read_file (rootfd, "/etc/rc.conf", INSPECT_MAX_CONFIG, NULL);
  CLEANUP_FREE char *hn = rc ? inspect_shell_var (rc, "hostname") : NULL;
  if (hn && *hn)
    inspect_replace (&os->hostname, hn);
  else {
    CLEANUP_FREE char *my = inspect_first_line (rootfd, "/etc/myname");
    if (my && *my)
      inspect_replace (&os->hostname, my);
  }
  if (strcmp (type, "netbsd") == 0 && inspect_is_dir (rootfd, "/var/db/pkg")) {
    inspect_replace (&os->package_format, "pkgsrc");
    inspect_replace (&os->package_management, "pkgsrc");
  }
  inspect_find_arch (rootfd, os);
  bsd_osinfo (os);
}

/* ---- install and live disks ---- */

static const struct { const char *name, *distro; } installer_names[] = {
  { "Debian", "debian" },
  { "Ubuntu", "ubuntu" },
  { "Kubuntu", "ubuntu" },
  { "Xubuntu", "ubuntu" },
  { "Linux Mint", "linuxmint" },
  { "Fedora", "fedora" },
  { "Red Hat Enterprise Linux", "rhel" },
  { "CentOS", "centos" },
  { "CentOS Stream", "centos" },
  { "Rocky Linux", "rocky" },
  { "Oracle Linux", "oraclelinux" },
  { "Scientific Linux", "scientificlinux" },
};

static const char *
installer_distro (const char *name)
{
  const char *best = NULL;
  size_t bl = 0;
  for (size_t i = 0; i < sizeof installer_names / sizeof installer_names[0]; ++i) {
    size_t l = strlen (installer_names[i].name);
    if (strncasecmp (name, installer_names[i].name, l) == 0 && l > bl) {
      best = installer_names[i].distro;
      bl = l;
    }
  }
  return best;
}

/* Debian's architecture names as ours. */
static const char *
arch_of_word (const char *w)
{
  static const struct { const char *deb, *arch; } t[] = {
    { "amd64", "x86_64" }, { "x86_64", "x86_64" }, { "i386", "i386" },
    { "i686", "i386" }, { "arm64", "aarch64" }, { "aarch64", "aarch64" },
    { "armhf", "arm" }, { "armel", "arm" }, { "ppc64el", "ppc64le" },
    { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
    { "mips64el", "mips64" },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i)
    if (strcasecmp (w, t[i].deb) == 0)
      return t[i].arch;
  return NULL;
}

/* .disk/info: one line such as
 *   Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST with firmware 20240210-11:27
 *   Ubuntu 22.04.3 LTS "Jammy Jellyfish" - Release amd64 (20230807.2)  */
static void
parse_disk_info (int rootfd, struct inspect_os *os)
{
  CLEANUP_FREE char *info = inspect_first_line (rootfd, "/.disk/info");
  if (info == NULL)
    return;
  inspect_replace (&os->product_name, info);
  const char *d = installer_distro (info);
  if (d)
    inspect_replace (&os->distro, d);
  /* The version: the first word starting with a digit. */
  for (const char *p = info; *p; ++p)
    if (isdigit ((unsigned char) *p) && (p == info || p[-1] == ' ')) {
      inspect_parse_version (p, &os->major, &os->minor);
      break;
    }
  CLEANUP_FREE char *words = strdup (info);
  for (char *save = NULL, *w = words ? strtok_r (words, " \t", &save) : NULL; w;
       w = strtok_r (NULL, " \t", &save)) {
    const char *a = arch_of_word (w);
    if (a) {
      inspect_replace (&os->arch, a);
      break;
    }
    if (strcasecmp (w, "NETINST") == 0 || strcasecmp (w, "netinstall") == 0)
      os->netinst = true;
  }
  /* cd_type: "full_cd/single", "dvd/single" for one disc; without
   * "/single" the set has more; "not_complete" is a network install. */
  CLEANUP_FREE char *cd = inspect_first_line (rootfd, "/.disk/cd_type");
  if (cd) {
    if (strcmp (cd, "not_complete") == 0)
      os->netinst = true;
    else if ((strncmp (cd, "full_cd", 7) == 0 || strncmp (cd, "dvd", 3) == 0 ||
              strncmp (cd, "bluray", 6) == 0) && strstr (cd, "/single") == NULL)
      os->multipart = true;
  }
}

/* The value of KEY in [SECTION] of an INI file's content; NULL if absent. */
static char *
ini_value (const char *content, const char *section, const char *key)
{
  CLEANUP_FREE char *c = strdup (content);
  bool in = false;
  for (char *save = NULL, *line = c ? strtok_r (c, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save)) {
    char *l = inspect_trim (line);
    if (*l == '[') {
      char *e = strchr (l, ']');
      in = e && (size_t) (e - l - 1) == strlen (section) &&
        strncmp (l + 1, section, strlen (section)) == 0;
      continue;
    }
    char *eq = strchr (l, '=');
    if (!in || eq == NULL || *l == '#' || *l == ';')
      continue;
    *eq = '\0';
    if (strcmp (inspect_trim (l), key) == 0)
      return strdup (inspect_trim (eq + 1));
  }
  return NULL;
}

/* .treeinfo (Fedora, RHEL, CentOS):
 *   [general] family = Fedora, version = 39, arch = x86_64, name = Fedora 39,
 *   discnum = 1, totaldiscs = 1  ([release] in the newer format). */
static void
parse_treeinfo (int rootfd, struct inspect_os *os)
{
  CLEANUP_FREE char *c = inspect_read_file (rootfd, "/.treeinfo", INSPECT_MAX_CONFIG, NULL);
  if (c == NULL)
    return;
  CLEANUP_FREE char *family = ini_value (c, "general", "family");
  CLEANUP_FREE char *rname = ini_value (c, "release", "name");
  CLEANUP_FREE char *version = ini_value (c, "general", "version");
  CLEANUP_FREE char *rversion = ini_value (c, "release", "version");
  CLEANUP_FREE char *name = ini_value (c, "general", "name");
  CLEANUP_FREE char *arch = ini_value (c, "general", "arch");
  CLEANUP_FREE char *tarch = ini_value (c, "tree", "arch");
  CLEANUP_FREE char *variant = ini_value (c, "general", "variant");
  CLEANUP_FREE char *total = ini_value (c, "general", "totaldiscs");
  const char *fam = family ? family : rname;
  const char *d = fam ? installer_distro (fam) : NULL;
  if (d)
    inspect_replace (&os->distro, d);
  const char *v = version ? version : rversion;
  if (v)
    inspect_parse_version (v, &os->major, &os->minor);
  if (name && *name)
    inspect_replace (&os->product_name, name);
  else if (fam && v) {
    CLEANUP_FREE char *pn = NULL;
    if (asprintf (&pn, "%s %s", fam, v) != -1)
      inspect_replace (&os->product_name, pn);
  }
  if (variant && *variant)
    inspect_replace (&os->product_variant, variant);
  const char *a = arch ? arch : tarch;
  if (a && *a)
    inspect_replace (&os->arch, arch_of_word (a) ? arch_of_word (a) : a);
  if (total && atoi (total) > 1)
    os->multipart = true;
  /* A boot.iso has the installer but no packages. */
  if (!inspect_is_dir (rootfd, "/Packages") && !inspect_is_dir (rootfd, "/BaseOS") &&
      !inspect_is_dir (rootfd, "/Server"))
    os->netinst = true;
}

static void
inspect_installer (int rootfd, struct inspect_os *os)
{
  os->format = "installer";
  inspect_replace (&os->type, "linux");
  if (inspect_is_file (rootfd, "/.treeinfo"))
    parse_treeinfo (rootfd, os);
  else
    parse_disk_info (rootfd, os);
  /* Live systems carry the root image they boot. */
  static const char *const live[] = {
    "/casper/filesystem.squashfs", "/live/filesystem.squashfs",
    "/LiveOS/squashfs.img", "/casper/minimal.squashfs",
  };
  for (size_t i = 0; i < sizeof live / sizeof live[0]; ++i)
    if (inspect_is_file (rootfd, live[i]))
      os->live = true;
  if (os->live && !inspect_is_file (rootfd, "/.treeinfo"))
    os->netinst = false;
  inspect_set_osinfo (os);
}

static void
root_only (struct inspect_os *os)
{
  struct stringsbuf mps = { 0 }, fss = { 0 };
  add_string (&mps, "/");
  add_string (&mps, os->root);
  end_stringsbuf (&mps);
  add_string (&fss, os->root);
  end_stringsbuf (&fss);
  free_strings (os->mountpoints);
  free_strings (os->filesystems);
  os->mountpoints = take_stringsbuf (&mps);
  os->filesystems = take_stringsbuf (&fss);
}

void
inspect_other (int rootfd, enum inspect_other_kind kind, struct inspect_os *os,
               const struct inspect_fsinfo *fs, size_t nfs)
{
  switch (kind) {
  case INSPECT_OTHER_BSD:
    inspect_bsd (rootfd, os);
    inspect_fstab (rootfd, os, fs, nfs);
    break;
  case INSPECT_OTHER_INSTALLER:
    inspect_installer (rootfd, os);
    root_only (os);
    break;
  case INSPECT_OTHER_NONE:
    break;
  }
}
