/* The libosinfo short ID of an inspected operating system, from its
 * distro, product name and version: one line of the table below per
 * distribution (and version range).  Part of the shared inspection core:
 * linux.c and bsd-installer.c both use it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon.h"
#include "inspect.h"

/* distro -> libosinfo short ID; the first matching line wins.  fmt takes
 * no number, the major version, or the major and minor versions (nargs;
 * 3: the distro, then both);
 * a line that needs a version does not apply when the major version is
 * unknown (0).  The IDs follow osinfo-db's names. */
static const struct {
  const char *distro;
  const char *product_prefix;   /* applies only to such product names */
  int min_major, below_major;   /* min_major <= major < below_major (0: any) */
  bool minor_zero;              /* applies only when the minor version is 0 */
  const char *fmt;
  int nargs;
} osinfo_ids[] = {
  { "archlinux", NULL, 0, 0, false, "archlinux", 0 },
  { "gentoo", NULL, 0, 0, false, "gentoo", 0 },
  { "voidlinux", NULL, 0, 0, false, "voidlinux", 0 },
  /* Tumbleweed has a date, not a version. */
  { "opensuse", NULL, 0, 1, false, "opensusetumbleweed", 0 },
  { "opensuse", NULL, 0, 0, false, "opensuse%d.%d", 2 },
  { "debian", NULL, 4, 0, false, "debian%d", 1 },
  { "debian", NULL, 0, 0, false, "debian%d.%d", 2 },
  { "ubuntu", NULL, 0, 0, false, "ubuntu%d.%02d", 2 },
  { "fedora", NULL, 0, 0, false, "fedora%d", 1 },
  { "mageia", NULL, 0, 0, false, "mageia%d", 1 },
  { "centos", "CentOS Stream", 8, 0, false, "centos-stream%d", 1 },
  { "centos", NULL, 8, 0, false, "centos%d", 1 },
  /* osinfo knows CentOS 7 only as "centos7.0", whatever the update. */
  { "centos", NULL, 7, 8, false, "centos7.0", 0 },
  { "centos", NULL, 0, 0, false, "centos%d.%d", 2 },
  { "rhel", NULL, 0, 0, false, "rhel%d.%d", 2 },
  { "rocky", NULL, 0, 0, false, "rocky%d", 1 },
  { "almalinux", NULL, 0, 0, false, "almalinux%d", 1 },
  { "oraclelinux", NULL, 0, 0, false, "ol%d.%d", 2 },
  { "scientificlinux", NULL, 0, 0, false, "scientificlinux%d.%d", 2 },
  { "alpinelinux", NULL, 0, 0, false, "alpinelinux%d.%d", 2 },
  /* ALT's IDs changed from altlinux7.0 to alt8.0. */
  { "altlinux", NULL, 8, 0, false, "alt%d.%d", 2 },
  { "altlinux", NULL, 0, 0, false, "altlinux%d.%d", 2 },
  { "sles", NULL, 0, 0, true, "sles%d", 1 },
  { "sles", NULL, 0, 0, false, "sles%dsp%d", 2 },
  { "slackware", NULL, 0, 0, false, "slackware%d.%d", 2 },
  /* Not distributions. */
  { "redhat-based", NULL, 0, 0, false, NULL, 0 },
  { "suse-based", NULL, 0, 0, false, NULL, 0 },
  /* CoreOS (and Flatcar, distro coreos too) take the line below, as in
   * libguestfs: coreos2512.3. */
  /* Any other distro with a version: DISTROmajor.minor (kalilinux2023.3,
   * linuxmint21.2), as libguestfs guesses. */
  { NULL, NULL, 0, 0, false, "%s%d.%d", 3 },
};

void
inspect_set_osinfo (struct inspect_os *os)
{
  int ma = os->major, mi = os->minor;
  if (strcmp (os->type, "linux") != 0)
    return;
  for (size_t i = 0; i < sizeof osinfo_ids / sizeof osinfo_ids[0]; ++i) {
    const char *pp = osinfo_ids[i].product_prefix;
    if ((osinfo_ids[i].distro && strcmp (osinfo_ids[i].distro, os->distro) != 0) ||
        (pp && strncmp (os->product_name, pp, strlen (pp)) != 0) ||
        ma < osinfo_ids[i].min_major ||
        (osinfo_ids[i].below_major && ma >= osinfo_ids[i].below_major) ||
        (osinfo_ids[i].minor_zero && mi != 0) ||
        (osinfo_ids[i].nargs > 0 && ma == 0))
      continue;
    if (osinfo_ids[i].fmt == NULL || strcmp (os->distro, "unknown") == 0)
      return;
    char *r = NULL;
    int n;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    if (osinfo_ids[i].nargs == 3)
      n = asprintf (&r, osinfo_ids[i].fmt, os->distro, ma, mi);
    else
      n = asprintf (&r, osinfo_ids[i].fmt, ma, mi);
#pragma GCC diagnostic pop
    if (n == -1)
      return;
    free (os->osinfo);
    os->osinfo = r;
    return;
  }
}
