/* Converting a Windows guest to boot from virtio disks:
 *   - the virtio drivers (viostor, vioscsi, netkvm, ...) for the guest's
 *     version and architecture are copied from $VIRTIO_WIN (a directory
 *     laid out as the virtio-win package does: DRIVER/OSDIR/ARCH/) into
 *     %SystemRoot%\System32\drivers, and the whole driver directories
 *     into %SystemRoot%\Drivers\VirtIO for Plug and Play;
 *   - the SYSTEM hive gets a service for each driver and, for the storage
 *     drivers, CriticalDeviceDatabase entries for the virtio PCI ids, so
 *     Windows loads them at boot (hivex, in the appliance);
 *   - firstboot scripts (the customization engine's Windows firstboot
 *     service, tools/customize/firstboot.c) install the drivers' .inf
 *     files with pnputil, uninstall VMware Tools if the SOFTWARE hive
 *     lists it, install the balloon service (blnsvr.exe) and the QEMU
 *     guest agent (qemu-ga-*.msi from $VIRTIO_WIN/guest-agent) where
 *     $VIRTIO_WIN has them.  Without the service wrapper (rhsrvany.exe)
 *     they are skipped with a warning: the storage drivers still load
 *     at boot from the registry.
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
  { "balloon", false, "Extended Base", { NULL } },
};
#define NR_DRIVERS (sizeof drivers / sizeof drivers[0])
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

/* Copy the drivers HAVE[i] from DIRS[i] into the guest and add their
 * services (and the storage drivers' CriticalDeviceDatabase entries) to
 * the SYSTEM hive's control set CCS. */
static int
install_drivers (struct v2v_options *opts, guestfs_h *g, const char *sysroot,
                 const char *ccs, const char *system_hive, const bool *have, char **dirs)
{
  /* Copy the files. */
  char *drivers_dir = v2v_strdup_printf ("%s/system32/drivers", sysroot);
  char *real = TOOL_QUIET (g, guestfs_case_sensitive_path (g, drivers_dir));
  if (real) { free (drivers_dir); drivers_dir = real; }
  if (guestfs_mkdir_p (g, drivers_dir) == -1) { free (drivers_dir); return -1; }
  char *virtio_dir = v2v_strdup_printf ("%s/Drivers/VirtIO", sysroot);
  for (size_t i = 0; i < NR_DRIVERS; ++i) {
    if (!have[i]) continue;
    v2v_message (opts, "Copying the %s driver from %s", drivers[i].name, dirs[i]);
    char *sys = v2v_strdup_printf ("%s.sys", drivers[i].name);
    int r = upload_dir (opts, g, dirs[i], virtio_dir, sys, drivers_dir);
    free (sys);
    if (r == -1) { free (drivers_dir); free (virtio_dir); return -1; }
  }
  free (drivers_dir);
  free (virtio_dir);

  /* The SYSTEM hive. */
  v2v_message (opts, "Adding the virtio services to the registry (%s)", ccs);
  if (guestfs_hivex_open (g, system_hive, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1) goto fail;
  int64_t hroot = guestfs_hivex_root (g);
  if (hroot <= 0) goto fail;
  for (size_t i = 0; i < NR_DRIVERS; ++i) {
    if (!have[i]) continue;
    const struct wdriver *w = &drivers[i];
    char *p = v2v_strdup_printf ("%s\\Services\\%s", ccs, w->name);
    int64_t svc = customize_reg_mkpath (g, hroot, p);
    free (p);
    char *image = v2v_strdup_printf ("system32\\drivers\\%s.sys", w->name);
    int r = svc <= 0 ||
      customize_reg_set_dword (g, svc, "Type", 1) == -1 ||
      customize_reg_set_dword (g, svc, "Start", w->storage ? 0 : 3) == -1 ||
      customize_reg_set_dword (g, svc, "ErrorControl", 1) == -1 ||
      customize_reg_set_string (g, svc, "Group", CUSTOMIZE_REG_SZ, w->group) == -1 ||
      customize_reg_set_string (g, svc, "ImagePath", CUSTOMIZE_REG_EXPAND_SZ, image) == -1;
    free (image);
    if (r) goto fail;
    for (size_t j = 0; w->pci_ids[j]; ++j) {
      p = v2v_strdup_printf ("%s\\Control\\CriticalDeviceDatabase\\%s", ccs, w->pci_ids[j]);
      int64_t cdd = customize_reg_mkpath (g, hroot, p);
      free (p);
      if (cdd <= 0 ||
          customize_reg_set_string (g, cdd, "Service", CUSTOMIZE_REG_SZ, w->name) == -1 ||
          customize_reg_set_string (g, cdd, "ClassGUID", CUSTOMIZE_REG_SZ, SCSI_CLASS_GUID) == -1)
        goto fail;
    }
  }
  if (guestfs_hivex_commit (g, NULL) == -1) goto fail;
  guestfs_hivex_close (g);
  return 0;
 fail:
  TOOL_QUIET (g, guestfs_hivex_close (g));
  return -1;
}

/* The command that removes VMware Tools, from its UninstallString in
 * the SOFTWARE hive (the guest's own data, going back into the guest as
 * a batch file line), or NULL if the hive does not list it. */
static char *
vmware_tools_uninstall (guestfs_h *g, const char *software_hive)
{
  char *r = NULL;
  if (TOOL_QUIET (g, guestfs_hivex_open (g, software_hive, -1)) == -1)
    return NULL;
  int64_t n = TOOL_QUIET (g, guestfs_hivex_root (g));
  const char *path[] = { "Microsoft", "Windows", "CurrentVersion", "Uninstall", NULL };
  for (size_t i = 0; path[i] && n > 0; ++i)
    n = TOOL_QUIET (g, guestfs_hivex_node_get_child (g, n, path[i]));
  struct guestfs_hivex_node_list *kids = n > 0 ? TOOL_QUIET (g, guestfs_hivex_node_children (g, n)) : NULL;
  for (size_t i = 0; kids && i < kids->len && !r; ++i) {
    int64_t k = kids->val[i].hivex_node_h;
    int64_t v = TOOL_QUIET (g, guestfs_hivex_node_get_value (g, k, "DisplayName"));
    char *name = v > 0 ? TOOL_QUIET (g, guestfs_hivex_value_string (g, v)) : NULL;
    if (name && !strncmp (name, "VMware Tools", 12)) {
      v = TOOL_QUIET (g, guestfs_hivex_node_get_value (g, k, "UninstallString"));
      char *u = v > 0 ? TOOL_QUIET (g, guestfs_hivex_value_string (g, v)) : NULL;
      if (u && !strpbrk (u, "\r\n%")) {
        /* "MsiExec.exe /I{GUID}" (the usual form) repairs rather than
         * removes: uninstall the product quietly instead. */
        const char *lb = strchr (u, '{'), *rb = lb ? strchr (lb, '}') : NULL;
        if (!strncasecmp (u, "msiexec", 7) && lb && rb)
          r = v2v_strdup_printf ("msiexec.exe /x %.*s /qn /norestart", (int) (rb - lb + 1), lb);
        else
          r = strdup (u);
      }
      free (u);
    }
    free (name);
  }
  guestfs_free_hivex_node_list (kids);
  TOOL_QUIET (g, guestfs_hivex_close (g));
  return r;
}

/* The first of NAMES (case-insensitive) that is a file in DIR, or NULL. */
static char *
find_file_ci (const char *dir, const char *const *names)
{
  for (size_t i = 0; dir && names[i]; ++i) {
    char *p = child_ci (dir, names[i]);
    struct stat st;
    if (p && stat (p, &st) == 0 && S_ISREG (st.st_mode)) return p;
    free (p);
  }
  return NULL;
}

/* The firstboot scripts (customize engine, Windows service wrapper). */
static int
firstboot (struct v2v_options *opts, guestfs_h *g, const char *root, const char *sysroot,
           const char *software_hive, const bool *have, char **dirs, const char *arch)
{
  struct { const char *name; char *text; } scripts[4];
  size_t n = 0;
  bool any = false;
  for (size_t i = 0; i < NR_DRIVERS; ++i) any |= have[i];
  if (any)
    scripts[n++] = (typeof (scripts[0])) { "install-virtio-drivers", strdup (
      "@echo off\r\n"
      "rem virt-v2v: add the virtio drivers copied at conversion to the driver store\r\n"
      "for %%f in (\"%SystemRoot%\\Drivers\\VirtIO\\*.inf\") do pnputil.exe -i -a \"%%f\"\r\n") };
  char *vmw = software_hive ? vmware_tools_uninstall (g, software_hive) : NULL;
  if (vmw) {
    v2v_message (opts, "VMware Tools found: a firstboot script will remove it (%s)", vmw);
    scripts[n++] = (typeof (scripts[0])) { "uninstall-vmware-tools", v2v_strdup_printf (
      "@echo off\r\nrem virt-v2v: remove VMware Tools\r\n%s\r\n", vmw) };
    free (vmw);
  }
  static const char *const blnsvr[] = { "blnsvr.exe", NULL };
  char *bln = have[3] ? find_file_ci (dirs[3], blnsvr) : NULL;
  if (bln)
    scripts[n++] = (typeof (scripts[0])) { "install-balloon-service", strdup (
      "@echo off\r\nrem virt-v2v: the memory balloon service\r\n"
      "\"%SystemRoot%\\Drivers\\VirtIO\\blnsvr.exe\" -i\r\n") };
  free (bln);
  const char *msi_names[] = { !strcmp (arch, "amd64") ? "qemu-ga-x86_64.msi" : "qemu-ga-i386.msi", NULL };
  char *ga_dir = opts->virtio_win ? child_ci (opts->virtio_win, "guest-agent") : NULL;
  char *msi = find_file_ci (ga_dir, msi_names);
  free (ga_dir);
  if (msi) {
    char *ddir = v2v_strdup_printf ("%s/Drivers/VirtIO", sysroot);
    char *dest = v2v_strdup_printf ("%s/%s", ddir, msi_names[0]);
    v2v_message (opts, "Copying the QEMU guest agent (%s)", msi);
    int r = guestfs_mkdir_p (g, ddir) == -1 || guestfs_upload (g, msi, dest) == -1;
    free (ddir); free (dest);
    if (r) { free (msi); goto fail; }
    scripts[n++] = (typeof (scripts[0])) { "install-qemu-ga", v2v_strdup_printf (
      "@echo off\r\nrem virt-v2v: the QEMU guest agent\r\n"
      "msiexec.exe /i \"%%SystemRoot%%\\Drivers\\VirtIO\\%s\" /qn /norestart\r\n", msi_names[0]) };
  }
  else if (opts->virtio_win && any)
    v2v_warning (opts, "%s has no guest-agent/%s: install the QEMU guest agent by hand "
                 "after the conversion", opts->virtio_win, msi_names[0]);
  free (msi);
  if (n == 0)
    return 0;

  char *wrapper = customize_windows_service_wrapper ();
  if (!wrapper) {
    v2v_warning (opts, "no Windows service wrapper (rhsrvany.exe or pvvxsvc.exe) in %s "
                 "(VIRT_TOOLS_DATA_DIR): the firstboot actions (%s%s%s%s) are not installed; "
                 "the storage drivers still load at boot from the registry",
                 customize_windows_tools_dir (), scripts[0].name,
                 n > 1 ? ", " : "", n > 1 ? scripts[1].name : "", n > 2 ? ", ..." : "");
    for (size_t i = 0; i < n; ++i) free (scripts[i].text);
    return 0;
  }
  free (wrapper);
  v2v_message (opts, "Installing %zu firstboot script%s", n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; ++i) {
    int r = scripts[i].text ? customize_firstboot_add (g, root, &opts->cz, scripts[i].name,
                                                       scripts[i].text) : -1;
    if (r == -1) {
      for (size_t j = i; j < n; ++j) free (scripts[j].text);
      return -1;
    }
    free (scripts[i].text);
  }
  return 0;
 fail:
  for (size_t i = 0; i < n; ++i) free (scripts[i].text);
  return -1;
}

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
  if (!sysroot || !ccs || !system_hive) {
    v2v_error (opts, "cannot convert this Windows guest: inspection did not find its %s",
               !sysroot ? "systemroot" : !ccs ? "current control set" : "SYSTEM hive");
    goto out;
  }
  /* VIRTIO_WIN may be an ISO: unpack what we use from it, once. */
  struct stat vst;
  if (opts->virtio_win && stat (opts->virtio_win, &vst) == 0 && S_ISREG (vst.st_mode)) {
    char *d = v2v_virtio_win_from_iso (opts, opts->virtio_win);
    if (!d) goto out;
    opts->virtio_win_dir = d;
    opts->virtio_win = d;
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
  bool have[NR_DRIVERS] = { false };
  char *dirs[NR_DRIVERS] = { NULL };
  if (!opts->virtio_win)
    v2v_warning (opts, "VIRTIO_WIN is not set: no virtio drivers can be installed; the "
                 "guest keeps IDE disks and an rtl8139 network card");
  else if (!osd)
    v2v_warning (opts, "no virtio drivers are known for Windows %d.%d", tgt->major, tgt->minor);
  else
    for (size_t i = 0; i < NR_DRIVERS; ++i) {
      dirs[i] = driver_dir (opts->virtio_win, drivers[i].name, osd, arch);
      have[i] = dirs[i] != NULL;
    }
  tgt->virtio_blk = have[0];
  tgt->virtio_net = have[2];
  if (opts->virtio_win && osd && !have[0])
    v2v_warning (opts, "%s has no viostor driver for %s/%s: the disks stay on IDE",
                 opts->virtio_win, osd, arch);
  bool any = false;
  for (size_t i = 0; i < NR_DRIVERS; ++i) any |= have[i];

  if (any && install_drivers (opts, g, sysroot, ccs, system_hive, have, dirs) == -1)
    goto out;

  if (firstboot (opts, g, root, sysroot, software_hive, have, dirs, arch) == -1)
    goto out;
  ret = 0;
 out:
  for (size_t i = 0; i < NR_DRIVERS; ++i) free (dirs[i]);
  free (sysroot); free (ccs); free (system_hive); free (software_hive); free (variant);
  return ret;
}
