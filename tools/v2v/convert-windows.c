/* Converting a Windows guest to boot from virtio disks:
 *   - the virtio drivers (viostor, vioscsi, netkvm, ...) for the guest's
 *     version and architecture are copied from $VIRTIO_WIN (a directory
 *     laid out as the virtio-win package does: DRIVER/OSDIR/ARCH/) into
 *     %SystemRoot%\System32\drivers, and the whole driver directories
 *     into %SystemRoot%\Drivers\VirtIO for Plug and Play;
 *   - the SYSTEM hive gets a service for each driver and, for the storage
 *     drivers, CriticalDeviceDatabase entries for the virtio PCI ids, so
 *     Windows loads them at boot (hivex, in the appliance);
 *   - a firstboot script (run once by RunOnce at the next start) installs
 *     the drivers' .inf files with pnputil.
 * Without virtio-blk drivers the disks stay on IDE, with a warning. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "v2v.h"
#include "run.h"

#define REG_SZ 1
#define REG_EXPAND_SZ 2
#define REG_DWORD 4

/* The virtio-win directory name of this Windows version. */
static const char *
os_dir (int major, int minor, bool server, int64_t build)
{
  if (major == 5 && minor == 1) return "xp";
  if (major == 5 && minor == 2) return server ? "2k3" : "xp";
  if (major == 6 && minor == 0) return server ? "2k8" : "vista";
  if (major == 6 && minor == 1) return server ? "2k8R2" : "w7";
  if (major == 6 && minor == 2) return server ? "2k12" : "w8";
  if (major == 6 && minor == 3) return server ? "2k12R2" : "w8.1";
  if (major == 10) {
    if (!server) return build >= 22000 ? "w11" : "w10";
    if (build >= 26100) return "2k25";
    if (build >= 20348) return "2k22";
    if (build >= 17763) return "2k19";
    return "2k16";
  }
  return NULL;
}

struct found { char *path[8]; size_t n; };

/* DIR/DRIVER/OSDIR/ARCH (any case) if it is a directory. */
static char *
child_ci (const char *dir, const char *name)
{
  DIR *d = opendir (dir);
  if (!d) return NULL;
  struct dirent *e;
  char *r = NULL;
  while ((e = readdir (d)) && !r)
    if (!strcasecmp (e->d_name, name)) r = v2v_strdup_printf ("%s/%s", dir, e->d_name);
  closedir (d);
  return r;
}

static char *
driver_dir (const char *virtio_win, const char *driver, const char *osd, const char *arch)
{
  char *a = child_ci (virtio_win, driver);
  char *b = a ? child_ci (a, osd) : NULL;
  char *c = b ? child_ci (b, arch) : NULL;
  free (a); free (b);
  struct stat st;
  if (c && (stat (c, &st) == -1 || !S_ISDIR (st.st_mode))) { free (c); c = NULL; }
  return c;
}

/* UTF-16LE of an ASCII string, NUL included. */
static char *
utf16 (const char *s, size_t *len)
{
  size_t n = strlen (s);
  char *b = calloc (2 * (n + 1), 1);
  for (size_t i = 0; i < n; ++i) b[2 * i] = s[i];
  *len = 2 * (n + 1);
  return b;
}

static int
set_string (guestfs_h *g, int64_t node, const char *key, int type, const char *value)
{
  size_t len;
  char *b = utf16 (value, &len);
  int r = guestfs_hivex_node_set_value (g, node, key, type, b, len);
  free (b);
  return r;
}

static int
set_dword (guestfs_h *g, int64_t node, const char *key, uint32_t v)
{
  char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
  return guestfs_hivex_node_set_value (g, node, key, REG_DWORD, b, 4);
}

/* The node at PATH ("A\\B\\C") under NODE, made where missing. */
static int64_t
mkpath (guestfs_h *g, int64_t node, const char *path)
{
  char *copy = strdup (path), *save = NULL;
  for (char *p = strtok_r (copy, "\\", &save); p && node > 0; p = strtok_r (NULL, "\\", &save)) {
    int64_t child = TOOL_QUIET (g, guestfs_hivex_node_get_child (g, node, p));
    if (child <= 0) child = guestfs_hivex_node_add_child (g, node, p);
    node = child;
  }
  free (copy);
  return node;
}

struct wdriver {
  const char *name;
  bool storage;        /* boot critical */
  const char *group;
  const char *pci_ids[3];
};
static const struct wdriver drivers[] = {
  { "viostor", true, "SCSI miniport",
    { "pci#ven_1af4&dev_1001&subsys_00021af4&rev_00", "pci#ven_1af4&dev_1042&subsys_11001af4&rev_01", NULL } },
  { "vioscsi", true, "SCSI miniport",
    { "pci#ven_1af4&dev_1004&subsys_00081af4&rev_00", "pci#ven_1af4&dev_1048&subsys_11001af4&rev_01", NULL } },
  { "netkvm", false, "NDIS", { NULL } },
};
#define SCSI_CLASS_GUID "{4D36E97B-E325-11CE-BFC1-08002BE10318}"

static int
upload_dir (struct v2v_options *opts, guestfs_h *g, const char *hostdir,
            const char *guestdir, const char *sys_name, const char *drivers_dir)
{
  if (guestfs_mkdir_p (g, guestdir) == -1) return -1;
  DIR *d = opendir (hostdir);
  if (!d) { v2v_error (opts, "%s: cannot read the directory", hostdir); return -1; }
  struct dirent *e;
  int r = 0;
  while ((e = readdir (d)) && r == 0) {
    if (e->d_name[0] == '.') continue;
    char *h = v2v_strdup_printf ("%s/%s", hostdir, e->d_name);
    struct stat st;
    if (stat (h, &st) == 0 && S_ISREG (st.st_mode)) {
      char *gp = v2v_strdup_printf ("%s/%s", guestdir, e->d_name);
      r = guestfs_upload (g, h, gp);
      free (gp);
      if (r == 0 && !strcasecmp (e->d_name, sys_name)) {
        gp = v2v_strdup_printf ("%s/%s", drivers_dir, sys_name);
        r = guestfs_upload (g, h, gp);
        free (gp);
      }
    }
    free (h);
  }
  closedir (d);
  return r;
}

/* CurrentBuildNumber from the SOFTWARE hive (Windows 11 still calls
 * itself "Windows 10" in ProductName). */
static char *
current_build (guestfs_h *g, const char *software_hive)
{
  char *r = NULL;
  if (TOOL_QUIET (g, guestfs_hivex_open (g, software_hive, -1)) == -1) return NULL;
  int64_t n = TOOL_QUIET (g, guestfs_hivex_root (g));
  const char *path[] = { "Microsoft", "Windows NT", "CurrentVersion", NULL };
  for (size_t i = 0; path[i] && n > 0; ++i)
    n = TOOL_QUIET (g, guestfs_hivex_node_get_child (g, n, path[i]));
  if (n > 0) {
    int64_t v = TOOL_QUIET (g, guestfs_hivex_node_get_value (g, n, "CurrentBuildNumber"));
    if (v > 0) r = TOOL_QUIET (g, guestfs_hivex_value_string (g, v));
  }
  TOOL_QUIET (g, guestfs_hivex_close (g));
  return r;
}

static const char firstboot_bat[] =
  "@echo off\r\n"
  "rem virt-v2v: install the virtio drivers copied at conversion, once.\r\n"
  "set log=%SystemRoot%\\virt-v2v-firstboot.log\r\n"
  "echo virt-v2v firstboot started %date% %time% >> %log%\r\n"
  "for %%f in (%SystemRoot%\\Drivers\\VirtIO\\*.inf) do pnputil -i -a \"%%f\" >> %log% 2>&1\r\n"
  "for %%f in (\"%SystemDrive%\\Program Files\\Guestfs\\Firstboot\\scripts\\*.bat\") do call \"%%f\" >> %log% 2>&1\r\n"
  "echo virt-v2v firstboot done >> %log%\r\n";

int
v2v_convert_windows (struct v2v_options *opts, guestfs_h *g, const char *root,
                     const struct v2v_source *src, struct v2v_target *tgt)
{
  (void) src;
  char *sysroot = guestfs_inspect_get_windows_systemroot (g, root);
  char *ccs = guestfs_inspect_get_windows_current_control_set (g, root);
  char *system_hive = guestfs_inspect_get_windows_system_hive (g, root);
  char *software_hive = guestfs_inspect_get_windows_software_hive (g, root);
  char *variant = TOOL_QUIET (g, guestfs_inspect_get_product_variant (g, root));
  int ret = -1;
  bool hive_open = false;
  if (!sysroot || !ccs || !system_hive) {
    v2v_error (opts, "cannot convert this Windows guest: inspection did not find its %s",
               !sysroot ? "systemroot" : !ccs ? "current control set" : "SYSTEM hive");
    goto out;
  }
  bool server = variant && strstr (variant, "Server");
  char *product = tgt->product_name;
  int64_t build = 0;
  if (tgt->major == 10) {
    char *bs = software_hive ? current_build (g, software_hive) : NULL;
    if (bs) build = strtoll (bs, NULL, 10);
    free (bs);
    if (product && strstr (product, "Server")) server = true;
  }
  const char *osd = os_dir (tgt->major, tgt->minor, server, build);
  const char *arch = tgt->arch && !strcmp (tgt->arch, "x86_64") ? "amd64" :
                     tgt->arch && !strcmp (tgt->arch, "aarch64") ? "ARM64" : "x86";
  v2v_message (opts, "Converting %s (virtio-win: %s/%s) to run on KVM",
               product ? product : "Windows", osd ? osd : "?", arch);

  /* The drivers this guest can have. */
  bool have[3] = { false, false, false };
  char *dirs[3] = { NULL, NULL, NULL };
  if (!opts->virtio_win)
    v2v_warning (opts, "VIRTIO_WIN is not set: no virtio drivers can be installed; the "
                 "guest keeps IDE disks and an rtl8139 network card");
  else if (!osd)
    v2v_warning (opts, "no virtio drivers are known for Windows %d.%d", tgt->major, tgt->minor);
  else
    for (size_t i = 0; i < 3; ++i) {
      dirs[i] = driver_dir (opts->virtio_win, drivers[i].name, osd, arch);
      have[i] = dirs[i] != NULL;
    }
  tgt->virtio_blk = have[0];
  tgt->virtio_net = have[2];
  if (opts->virtio_win && osd && !have[0])
    v2v_warning (opts, "%s has no viostor driver for %s/%s: the disks stay on IDE",
                 opts->virtio_win, osd, arch);
  if (!have[0] && !have[1] && !have[2]) { ret = 0; goto out; }

  /* Copy the files. */
  char *drivers_dir = v2v_strdup_printf ("%s/system32/drivers", sysroot);
  char *real = TOOL_QUIET (g, guestfs_case_sensitive_path (g, drivers_dir));
  if (real) { free (drivers_dir); drivers_dir = real; }
  if (guestfs_mkdir_p (g, drivers_dir) == -1) { free (drivers_dir); goto out; }
  char *virtio_dir = v2v_strdup_printf ("%s/Drivers/VirtIO", sysroot);
  for (size_t i = 0; i < 3; ++i) {
    if (!have[i]) continue;
    v2v_message (opts, "Copying the %s driver from %s", drivers[i].name, dirs[i]);
    char *sys = v2v_strdup_printf ("%s.sys", drivers[i].name);
    int r = upload_dir (opts, g, dirs[i], virtio_dir, sys, drivers_dir);
    free (sys);
    if (r == -1) { free (drivers_dir); free (virtio_dir); goto out; }
  }
  free (drivers_dir);
  free (virtio_dir);

  /* The SYSTEM hive. */
  v2v_message (opts, "Adding the virtio services to the registry (%s)", ccs);
  if (guestfs_hivex_open (g, system_hive, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1) goto out;
  hive_open = true;
  int64_t hroot = guestfs_hivex_root (g);
  if (hroot <= 0) goto out;
  for (size_t i = 0; i < 3; ++i) {
    if (!have[i]) continue;
    const struct wdriver *w = &drivers[i];
    char *p = v2v_strdup_printf ("%s\\Services\\%s", ccs, w->name);
    int64_t svc = mkpath (g, hroot, p);
    free (p);
    char *image = v2v_strdup_printf ("system32\\drivers\\%s.sys", w->name);
    int r = svc <= 0 ||
      set_dword (g, svc, "Type", 1) == -1 ||
      set_dword (g, svc, "Start", w->storage ? 0 : 3) == -1 ||
      set_dword (g, svc, "ErrorControl", 1) == -1 ||
      set_string (g, svc, "Group", REG_SZ, w->group) == -1 ||
      set_string (g, svc, "ImagePath", REG_EXPAND_SZ, image) == -1;
    free (image);
    if (r) goto out;
    for (size_t j = 0; w->pci_ids[j]; ++j) {
      p = v2v_strdup_printf ("%s\\Control\\CriticalDeviceDatabase\\%s", ccs, w->pci_ids[j]);
      int64_t cdd = mkpath (g, hroot, p);
      free (p);
      if (cdd <= 0 ||
          set_string (g, cdd, "Service", REG_SZ, w->name) == -1 ||
          set_string (g, cdd, "ClassGUID", REG_SZ, SCSI_CLASS_GUID) == -1)
        goto out;
    }
  }
  if (guestfs_hivex_commit (g, NULL) == -1) goto out;
  guestfs_hivex_close (g);
  hive_open = false;

  /* Firstboot: the batch file and a RunOnce entry in the SOFTWARE hive. */
  if (software_hive) {
    v2v_message (opts, "Installing the firstboot script");
    const char *fbdir = "/Program Files/Guestfs/Firstboot";
    char *scripts = v2v_strdup_printf ("%s/scripts", fbdir);
    char *bat = v2v_strdup_printf ("%s/firstboot.bat", fbdir);
    int r = guestfs_mkdir_p (g, scripts) == -1 ||
            guestfs_write (g, bat, firstboot_bat, sizeof firstboot_bat - 1) == -1;
    free (scripts); free (bat);
    if (r) goto out;
    if (guestfs_hivex_open (g, software_hive, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1) goto out;
    hive_open = true;
    int64_t sroot = guestfs_hivex_root (g);
    int64_t ro = sroot > 0 ? mkpath (g, sroot, "Microsoft\\Windows\\CurrentVersion\\RunOnce") : -1;
    if (ro <= 0 ||
        set_string (g, ro, "virt-v2v-firstboot", REG_SZ,
                    "cmd /c \"%SystemDrive%\\Program Files\\Guestfs\\Firstboot\\firstboot.bat\"") == -1 ||
        guestfs_hivex_commit (g, NULL) == -1)
      goto out;
    guestfs_hivex_close (g);
    hive_open = false;
  }
  ret = 0;
 out:
  if (hive_open) TOOL_QUIET (g, guestfs_hivex_close (g));
  for (size_t i = 0; i < 3; ++i) free (dirs[i]);
  free (sysroot); free (ccs); free (system_hive); free (software_hive); free (variant);
  return ret;
}
