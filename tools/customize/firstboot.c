/* Firstboot scripts (see customize.h), for Linux and Windows guests.
 *
 * Linux layout (the one the guestfs tools use, so a guest customized by either
 * keeps working with the other):
 *   /usr/lib/virt-sysprep/firstboot.sh        the runner
 *   /usr/lib/virt-sysprep/scripts/NNNN-NAME   the scripts, run in name order
 *   /usr/lib/virt-sysprep/scripts-done/       where each goes once it ran
 *   guestfs-firstboot.service                 systemd unit, enabled for
 *                                             multi-user.target
 *   /etc/init.d/guestfs-firstboot + rcN.d/S99 SysV init, where it exists
 * The runner logs to ~root/virt-sysprep-firstboot.log.
 *
 * Windows layout (the one `man virt-builder` describes: a service wrapper
 * runs a batch file at every start until the batch file removes it):
 *   C:\Program Files\Guestfs\Firstboot\rhsrvany.exe   the wrapper (or
 *                                        pvvxsvc.exe), from the host
 *   ...\Firstboot\firstboot.bat          the runner
 *   ...\Firstboot\scripts\NNNN-NAME.bat  the scripts, run in name order
 *   ...\Firstboot\scripts-done\          where each goes once it ran
 *   ...\Firstboot\log.txt                their output
 *   SYSTEM\<current control set>\Services\<RHSrvAny|pvvxsvc>
 *        an automatic (Start=2) own-process service running the wrapper
 *        as LocalSystem; its Parameters key holds the command line the
 *        wrapper runs (cmd /c firstboot.bat) and the working directory.
 * The guest is only written through the appliance (files, hivex). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "customize.h"
#include "run.h"
#include "util.h"

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

/* The next script number in DIR (one more than the highest there) and
 * NAME made safe for a file name: "%04d-CLEAN". */
static char *
next_script_name (guestfs_h *g, const char *dir, const char *name)
{
  char **names = guestfs_ls (g, dir);
  if (!names)
    return NULL;
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
  char *r;
  if (asprintf (&r, "%04d-%s", next, clean) == -1)
    return NULL;
  return r;
}

static int
linux_firstboot_add (guestfs_h *g, const char *name, const char *content)
{
  if (install_runner (g) == -1)
    return -1;
  char *base = next_script_name (g, FB_DIR "/scripts", name);
  if (!base)
    return -1;
  char path[200];
  snprintf (path, sizeof path, FB_DIR "/scripts/%s", base);
  free (base);
  return write_file (g, path, content, 0755);
}

/* ---- Windows ------------------------------------------------------- */

#define WIN_FB_DIR "/Program Files/Guestfs/Firstboot"

const char *
customize_windows_tools_dir (void)
{
  const char *d = getenv ("VIRT_TOOLS_DATA_DIR");
  return d && *d ? d : "/usr/share/virt-tools";
}

char *
customize_windows_service_wrapper (void)
{
  static const char *const names[] = { "rhsrvany.exe", "pvvxsvc.exe", NULL };
  for (size_t i = 0; names[i]; ++i) {
    char *p;
    if (asprintf (&p, "%s/%s", customize_windows_tools_dir (), names[i]) == -1)
      return NULL;
    if (access (p, R_OK) == 0)
      return p;
    free (p);
  }
  return NULL;
}

/* The drive letter Windows gives the filesystem ROOT ("C" unless the
 * inspection's drive mappings say otherwise). */
static char
windows_drive (guestfs_h *g, const char *root)
{
  char letter = 'C';
  char **map = TOOL_QUIET (g, guestfs_inspect_get_drive_mappings (g, root));
  for (size_t i = 0; map && map[i] && map[i + 1]; i += 2)
    if (strcmp (map[i + 1], root) == 0 && map[i][0])
      letter = map[i][0];
  tool_free_strings (map);
  return letter;
}

/* CONTENT with every lone LF made CRLF (cmd.exe wants CRLF). */
static char *
crlf (const char *content)
{
  size_t n = strlen (content), extra = 0;
  for (size_t i = 0; i < n; ++i)
    if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r'))
      ++extra;
  char *r = malloc (n + extra + 1), *q = r;
  if (!r)
    return NULL;
  for (size_t i = 0; i < n; ++i) {
    if (content[i] == '\n' && (i == 0 || content[i - 1] != '\r'))
      *q++ = '\r';
    *q++ = content[i];
  }
  *q = '\0';
  return r;
}

/* The runner, for the service SVC, in the directory WINDIR
 * ("C:\Program Files\Guestfs\Firstboot").  Each script runs in its own
 * cmd.exe (an `exit` in it cannot end the runner); when none is left, the
 * runner deletes its service so it never starts again.  (Inside the
 * loop's block, !VAR! is expanded when each line runs; %VAR% would be
 * expanded once, when the block is read.) */
static char *
windows_runner (const char *windir, const char *svc)
{
  char *r;
  if (asprintf (&r,
    "@echo off\r\n"
    "rem Installed by the virt tools: runs each script in scripts\\ once, in\r\n"
    "rem name order, moves it to scripts-done\\, then removes the service\r\n"
    "rem that started this file (%s).\r\n"
    "setlocal EnableDelayedExpansion\r\n"
    "set fb=%s\r\n"
    "set log=%%fb%%\\log.txt\r\n"
    "echo %%date%% %%time%% firstboot: starting >>\"%%log%%\"\r\n"
    "if not exist \"%%fb%%\\scripts-done\" mkdir \"%%fb%%\\scripts-done\"\r\n"
    "for /f \"delims=\" %%%%f in ('dir /b /a-d /on \"%%fb%%\\scripts\\*.bat\" 2^>nul') do (\r\n"
    "  echo !date! !time! firstboot: running %%%%f >>\"%%log%%\"\r\n"
    "  cmd /c \"\"%%fb%%\\scripts\\%%%%f\"\" >>\"%%log%%\" 2>&1\r\n"
    "  echo !date! !time! firstboot: %%%%f exited with !errorlevel! >>\"%%log%%\"\r\n"
    "  move /y \"%%fb%%\\scripts\\%%%%f\" \"%%fb%%\\scripts-done\\\" >>\"%%log%%\" 2>&1\r\n"
    ")\r\n"
    "echo %%date%% %%time%% firstboot: done, removing the %s service >>\"%%log%%\"\r\n"
    "sc.exe delete %s >>\"%%log%%\" 2>&1\r\n",
    svc, windir, svc, svc) == -1)
    return NULL;
  return r;
}

/* The service SVC running WRAPPER_EXE in WINDIR, in the SYSTEM hive's
 * current control set. */
static int
windows_register_service (guestfs_h *g, const char *root, const struct customize *cz,
                          const char *svc, const char *windir, const char *wrapper_exe)
{
  char *hive = guestfs_inspect_get_windows_system_hive (g, root);
  char *ccs = guestfs_inspect_get_windows_current_control_set (g, root);
  int ret = -1;
  bool open = false;
  if (!hive || !ccs) {
    fprintf (stderr, "%s: firstboot: inspection found no %s in this Windows guest\n",
             cz->program, !hive ? "SYSTEM hive" : "current control set");
    goto out;
  }
  if (guestfs_hivex_open (g, hive, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1)
    goto out;
  open = true;
  int64_t top = guestfs_hivex_root (g);
  char path[256], image[512], cmdline[600];
  snprintf (path, sizeof path, "%s\\Services\\%s", ccs, svc);
  snprintf (image, sizeof image, "%s\\%s", windir, wrapper_exe);
  snprintf (cmdline, sizeof cmdline, "cmd /c \"%s\\firstboot.bat\"", windir);
  int64_t node = top > 0 ? customize_reg_mkpath (g, top, path) : -1;
  int64_t params = node > 0 ? customize_reg_mkpath (g, node, "Parameters") : -1;
  if (params <= 0 ||
      customize_reg_set_dword (g, node, "Type", 0x10) == -1 ||          /* own process */
      customize_reg_set_dword (g, node, "Start", 2) == -1 ||            /* automatic */
      customize_reg_set_dword (g, node, "ErrorControl", 1) == -1 ||
      customize_reg_set_string (g, node, "ImagePath", CUSTOMIZE_REG_EXPAND_SZ, image) == -1 ||
      customize_reg_set_string (g, node, "DisplayName", CUSTOMIZE_REG_SZ, svc) == -1 ||
      customize_reg_set_string (g, node, "ObjectName", CUSTOMIZE_REG_SZ, "LocalSystem") == -1 ||
      customize_reg_set_string (g, params, "CommandLine", CUSTOMIZE_REG_SZ, cmdline) == -1 ||
      customize_reg_set_string (g, params, "PWD", CUSTOMIZE_REG_SZ, windir) == -1 ||
      guestfs_hivex_commit (g, NULL) == -1)
    goto out;
  ret = 0;
 out:
  if (open)
    TOOL_QUIET (g, guestfs_hivex_close (g));
  free (hive);
  free (ccs);
  return ret;
}

static int
windows_firstboot_add (guestfs_h *g, const char *root, const struct customize *cz,
                       const char *name, const char *content)
{
  char *wrapper = customize_windows_service_wrapper ();
  if (!wrapper) {
    fprintf (stderr, "%s: firstboot scripts on Windows need the service wrapper "
             "rhsrvany.exe (https://github.com/rwmjones/rhsrvany) or pvvxsvc.exe "
             "(SUSE VMDP) in %s; set VIRT_TOOLS_DATA_DIR to the directory holding it\n",
             cz->program, customize_windows_tools_dir ());
    return -1;
  }
  const char *exe = strrchr (wrapper, '/') + 1;
  const char *svc = strcmp (exe, "rhsrvany.exe") == 0 ? "RHSrvAny" : "pvvxsvc";
  char *dir = TOOL_QUIET (g, guestfs_case_sensitive_path (g, WIN_FB_DIR));
  char windir[128];
  snprintf (windir, sizeof windir, "%c:\\Program Files\\Guestfs\\Firstboot",
            windows_drive (g, root));
  char *runner_text = windows_runner (windir, svc);
  char *script = crlf (content);
  char *base = NULL, *guest_exe = NULL, *path = NULL, *runner_path = NULL;
  int ret = -1;
  if (!dir)
    dir = strdup (WIN_FB_DIR);
  if (!dir || !runner_text || !script ||
      asprintf (&guest_exe, "%s/%s", dir, exe) == -1 ||
      asprintf (&runner_path, "%s/firstboot.bat", dir) == -1)
    goto out;
  char scripts[300], done[300];
  snprintf (scripts, sizeof scripts, "%s/scripts", dir);
  snprintf (done, sizeof done, "%s/scripts-done", dir);
  if (guestfs_mkdir_p (g, scripts) == -1 || guestfs_mkdir_p (g, done) == -1 ||
      guestfs_upload (g, wrapper, guest_exe) == -1 ||
      guestfs_write (g, runner_path, runner_text, strlen (runner_text)) == -1 ||
      windows_register_service (g, root, cz, svc, windir, exe) == -1)
    goto out;

  /* NNNN-NAME.bat: cmd.exe runs a script by its extension. */
  char stem[64];
  snprintf (stem, sizeof stem, "%s", name);
  size_t sl = strlen (stem);
  if (sl > 4 && (!strcasecmp (stem + sl - 4, ".bat") || !strcasecmp (stem + sl - 4, ".cmd")))
    stem[sl - 4] = '\0';
  base = next_script_name (g, scripts, stem);
  if (!base || asprintf (&path, "%s/%s.bat", scripts, base) == -1)
    goto out;
  ret = guestfs_write (g, path, script, strlen (script));
 out:
  free (wrapper); free (dir); free (runner_text); free (script);
  free (base); free (guest_exe); free (path); free (runner_path);
  return ret;
}

/* ---- both ---------------------------------------------------------- */

int
customize_firstboot_add (guestfs_h *g, const char *root, const struct customize *cz,
                         const char *name, const char *content)
{
  char *type = guestfs_inspect_get_type (g, root);
  if (!type)
    return -1;
  int r;
  if (strcmp (type, "linux") == 0)
    r = linux_firstboot_add (g, name, content);
  else if (strcmp (type, "windows") == 0)
    r = windows_firstboot_add (g, root, cz, name, content);
  else {
    fprintf (stderr, "%s: firstboot scripts are not supported for %s guests "
             "(only Linux and Windows)\n", cz->program, type);
    r = -1;
  }
  free (type);
  return r;
}

char *
customize_firstboot_command_script (guestfs_h *g, const char *root, const char *cmd)
{
  char *type = TOOL_QUIET (g, guestfs_inspect_get_type (g, root));
  bool windows = type && strcmp (type, "windows") == 0;
  free (type);
  char *r;
  if (asprintf (&r, windows ? "@echo off\r\n%s\r\n" : "#!/bin/sh\n%s\n", cmd) == -1)
    return NULL;
  return r;
}
