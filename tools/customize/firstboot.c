/* Firstboot scripts for Linux guests (see customize.h).
 *
 * Layout (the one the guestfs tools use, so a guest customized by either
 * keeps working with the other):
 *   /usr/lib/virt-sysprep/firstboot.sh        the runner
 *   /usr/lib/virt-sysprep/scripts/NNNN-NAME   the scripts, run in name order
 *   /usr/lib/virt-sysprep/scripts-done/       where each goes once it ran
 *   guestfs-firstboot.service                 systemd unit, enabled for
 *                                             multi-user.target
 *   /etc/init.d/guestfs-firstboot + rcN.d/S99 SysV init, where it exists
 * The runner logs to ~root/virt-sysprep-firstboot.log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customize.h"

#define FB_DIR "/usr/lib/virt-sysprep"

static const char runner[] =
  "#!/bin/sh -\n"
  "# Installed by the virt tools: runs each first boot script once, in\n"
  "# order, then moves it to scripts-done so it never runs again.\n"
  "d=" FB_DIR "/scripts\n"
  "d_done=" FB_DIR "/scripts-done\n"
  "logfile=~root/virt-sysprep-firstboot.log\n"
  "\n"
  "echo \"$0 $*\" >>\"$logfile\" 2>&1\n"
  "case \"${1:-start}\" in\n"
  "  start) ;;\n"
  "  stop|status|restart|force-reload) exit 0 ;;\n"
  "  *) echo \"usage: $0 start\" >&2; exit 2 ;;\n"
  "esac\n"
  "mkdir -p \"$d_done\"\n"
  "for f in $(ls -1 \"$d\" 2>/dev/null | LC_ALL=C sort); do\n"
  "  [ -f \"$d/$f\" ] || continue\n"
  "  echo \"=== Running $f ===\" >>\"$logfile\" 2>&1\n"
  "  \"$d/$f\" >>\"$logfile\" 2>&1\n"
  "  echo \"=== Exit code: $? ===\" >>\"$logfile\" 2>&1\n"
  "  mv -f \"$d/$f\" \"$d_done/\"\n"
  "done\n"
  "rm -f \"$d_done\"/*\n"
  "exit 0\n";

static const char systemd_unit[] =
  "[Unit]\n"
  "Description=First boot scripts of the virt tools\n"
  "After=network.target\n"
  "Before=prefdm.service getty@tty1.service display-manager.service\n"
  "ConditionDirectoryNotEmpty=" FB_DIR "/scripts\n"
  "\n"
  "[Service]\n"
  "Type=oneshot\n"
  "ExecStart=" FB_DIR "/firstboot.sh start\n"
  "RemainAfterExit=yes\n"
  "StandardOutput=journal+console\n"
  "TimeoutSec=0\n"
  "\n"
  "[Install]\n"
  "WantedBy=multi-user.target\n";

static const char sysv_script[] =
  "#!/bin/sh\n"
  "### BEGIN INIT INFO\n"
  "# Provides:          guestfs-firstboot\n"
  "# Required-Start:    $all\n"
  "# Required-Stop:\n"
  "# Default-Start:     2 3 4 5\n"
  "# Default-Stop:\n"
  "# Short-Description: Run the first boot scripts of the virt tools\n"
  "### END INIT INFO\n"
  "exec " FB_DIR "/firstboot.sh \"$@\"\n";

static int
write_file (guestfs_h *g, const char *path, const char *content, int mode)
{
  if (guestfs_write (g, path, content, strlen (content)) == -1 ||
      guestfs_chmod (g, mode, path) == -1)
    return -1;
  return 0;
}

/* The runner and the init system glue; harmless to repeat. */
static int
install_runner (guestfs_h *g)
{
  if (guestfs_mkdir_p (g, FB_DIR "/scripts") == -1 ||
      guestfs_mkdir_p (g, FB_DIR "/scripts-done") == -1 ||
      write_file (g, FB_DIR "/firstboot.sh", runner, 0755) == -1)
    return -1;

  int have_systemd = guestfs_is_dir (g, "/etc/systemd/system");
  if (have_systemd == -1)
    return -1;
  if (have_systemd) {
    /* /usr/lib/systemd on merged-/usr and most distributions; /lib/systemd
     * on older ones where only that exists. */
    int usrlib = guestfs_is_dir (g, "/usr/lib/systemd/system");
    if (usrlib == -1)
      return -1;
    const char *unit = usrlib ? "/usr/lib/systemd/system/guestfs-firstboot.service"
                              : "/lib/systemd/system/guestfs-firstboot.service";
    if ((!usrlib && guestfs_mkdir_p (g, "/lib/systemd/system") == -1) ||
        write_file (g, unit, systemd_unit, 0644) == -1 ||
        guestfs_mkdir_p (g, "/etc/systemd/system/multi-user.target.wants") == -1 ||
        guestfs_ln_sf (g, unit, "/etc/systemd/system/multi-user.target.wants/"
                       "guestfs-firstboot.service") == -1)
      return -1;
  }
  int have_initd = guestfs_is_dir (g, "/etc/init.d");
  if (have_initd == -1)
    return -1;
  if (have_initd || !have_systemd) {
    if (guestfs_mkdir_p (g, "/etc/init.d") == -1 ||
        write_file (g, "/etc/init.d/guestfs-firstboot", sysv_script, 0755) == -1)
      return -1;
    for (int lvl = 2; lvl <= 5; ++lvl) {
      char dir[32], link[64];
      snprintf (dir, sizeof dir, "/etc/rc%d.d", lvl);
      snprintf (link, sizeof link, "%s/S99guestfs-firstboot", dir);
      if (guestfs_mkdir_p (g, dir) == -1 ||
          guestfs_ln_sf (g, "../init.d/guestfs-firstboot", link) == -1)
        return -1;
    }
  }
  return 0;
}

int
customize_firstboot_add (guestfs_h *g, const char *root, const struct customize *cz,
                         const char *name, const char *content)
{
  char *type = guestfs_inspect_get_type (g, root);
  if (!type)
    return -1;
  if (strcmp (type, "linux") != 0) {
    fprintf (stderr, "%s: firstboot scripts are not supported for %s guests by this "
             "version (only Linux)\n", cz->program, type);
    free (type);
    return -1;
  }
  free (type);
  if (install_runner (g) == -1)
    return -1;

  /* The next number after the scripts already waiting. */
  char **names = guestfs_ls (g, FB_DIR "/scripts");
  if (!names)
    return -1;
  int next = 1;
  for (size_t i = 0; names[i]; ++i) {
    int n = atoi (names[i]);
    if (n >= next)
      next = n + 1;
    free (names[i]);
  }
  free (names);

  /* NAME, with anything but letters, digits, '-', '_', '.' made '-', and
   * not too long for a file name. */
  char clean[64];
  size_t j = 0;
  for (const char *p = name; *p && j < sizeof clean - 1; ++p)
    clean[j++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ? *p : '-';
  clean[j] = '\0';
  char path[160];
  snprintf (path, sizeof path, FB_DIR "/scripts/%04d-%s", next, clean);
  return write_file (g, path, content, 0755);
}
