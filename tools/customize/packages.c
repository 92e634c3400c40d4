/* The guest's package manager: the command line for each one, run
 * inside the guest.  See customize.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customize.h"

/* S in single quotes for sh ('\'' for each quote). */
static void
append_quoted (FILE *fp, const char *s)
{
  fputc ('\'', fp);
  for (; *s; ++s)
    if (*s == '\'')
      fputs ("'\\''", fp);
    else
      fputc (*s, fp);
  fputc ('\'', fp);
}

struct pm_commands {
  const char *name;
  const char *install, *uninstall, *update;   /* packages follow install/uninstall */
  const char *purge;                          /* NULL: uninstall does it */
};

/* Non-interactive, and keeping the guest's own configuration files. */
static const struct pm_commands pms[] = {
  { "apt",
    "export DEBIAN_FRONTEND=noninteractive; "
    "apt-get -q -y -o Dpkg::Options::=--force-confnew update && "
    "apt-get -q -y -o Dpkg::Options::=--force-confnew install",
    "export DEBIAN_FRONTEND=noninteractive; apt-get -q -y remove",
    "export DEBIAN_FRONTEND=noninteractive; "
    "apt-get -q -y -o Dpkg::Options::=--force-confnew update && "
    "apt-get -q -y -o Dpkg::Options::=--force-confnew upgrade",
    "export DEBIAN_FRONTEND=noninteractive; apt-get -q -y purge" },
  { "dnf", "dnf -y install --setopt=install_weak_deps=False", "dnf -y remove",
    "dnf -y --best upgrade" },
  { "yum", "yum -y install", "yum -y remove", "yum -y update" },
  { "zypper", "zypper -n in -l", "zypper -n rm", "zypper -n update -l" },
  { "pacman", "pacman -Sy --noconfirm", "pacman -R --noconfirm", "pacman -Syu --noconfirm" },
  { "apk", "apk update && apk add", "apk del", "apk update && apk upgrade" },
  { "urpmi", "urpmi --auto", "urpme --auto", "urpmi --auto-select --auto" },
  { "xbps", "xbps-install -Sy", "xbps-remove -y", "xbps-install -Syu" },
  { "portage", "emerge", "emerge --unmerge", "emerge --update --deep world" },
  { "pisi", "pisi it", "pisi rm", "pisi upgrade" },
  { "tdnf", "tdnf -y install", "tdnf -y remove", "tdnf -y update" },
};

char *
customize_package_command (const char *program, const char *pm,
                           enum customize_pkg_action action, char *const *packages)
{
  const struct pm_commands *p = NULL;
  for (size_t i = 0; i < sizeof pms / sizeof pms[0]; ++i)
    if (pm && strcmp (pms[i].name, pm) == 0)
      p = &pms[i];
  if (!p) {
    fprintf (stderr, "%s: the guest’s package manager (%s) is not supported: cannot "
             "%s packages\n", program, pm && *pm ? pm : "unknown",
             action == CUSTOMIZE_PKG_INSTALL ? "install" :
             action == CUSTOMIZE_PKG_UPDATE ? "update" : "uninstall");
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) {
    perror ("open_memstream");
    return NULL;
  }
  fputs (action == CUSTOMIZE_PKG_INSTALL ? p->install :
         action == CUSTOMIZE_PKG_UPDATE ? p->update :
         action == CUSTOMIZE_PKG_PURGE && p->purge ? p->purge : p->uninstall, fp);
  if (action != CUSTOMIZE_PKG_UPDATE)
    for (size_t i = 0; packages && packages[i]; ++i) {
      fputc (' ', fp);
      append_quoted (fp, packages[i]);
    }
  if (fclose (fp) != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}

int
customize_packages (guestfs_h *g, const char *root, struct customize *cz,
                    enum customize_pkg_action action, char *const *packages)
{
  char *pm = guestfs_inspect_get_package_management (g, root);
  if (!pm)
    return -1;
  char *cmd = customize_package_command (cz->program, pm, action, packages);
  free (pm);
  if (!cmd)
    return -1;
  const char *what = action == CUSTOMIZE_PKG_INSTALL ? "--install" :
                     action == CUSTOMIZE_PKG_UPDATE ? "--update" : "--uninstall";
  int r = customize_check_guest_arch (g, root, cz, what);
  if (r == 0)
    r = customize_run_in_guest (g, root, cz, what, cmd);
  free (cmd);
  return r;
}
