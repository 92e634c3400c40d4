/* Converting a Linux guest to run on KVM with virtio devices:
 *   - refuse distributions we do not know how to convert;
 *   - remove VMware tools and Xen PV guest packages and their configuration
 *     (the guest's package manager; apt purges);
 *   - block device names in fstab (through augeas, in the appliance) and in
 *     the boot loader's configuration (sed, run inside the guest):
 *     xvd*, sd*, hd* -> vd*; Xen's console hvc0 -> ttyS0;
 *   - virtio modules in the initramfs (initramfs-tools or dracut, run
 *     inside the guest);
 *   - udev persistent net rules and HWADDR= bindings removed;
 *   - SELinux relabel at the next boot when the guest enforces it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "v2v.h"
#include "run.h"

static bool
distro_supported (const char *distro)
{
  static const char *const known[] = {
    "debian", "ubuntu", "linuxmint", "kalilinux",
    "rhel", "centos", "fedora", "rocky", "almalinux", "oraclelinux",
    "scientificlinux", "redhat-based", "circle",
    "sles", "suse-based", "opensuse", "altlinux", NULL };
  for (size_t i = 0; known[i]; ++i)
    if (!strcmp (distro, known[i])) return true;
  return false;
}

/* Packages that only make sense on VMware or Xen. */
static bool
hypervisor_package (const char *name)
{
  static const char *const exact[] = {
    "open-vm-tools", "open-vm-tools-desktop", "open-vm-tools-dkms",
    "xe-guest-utilities", "xenstore-utils", "kmod-xenpv", "xen-tools-domU",
    "xe-daemon", NULL };
  for (size_t i = 0; exact[i]; ++i)
    if (!strcmp (name, exact[i])) return true;
  return !strncmp (name, "vmware-tools", 12) || !strncmp (name, "VMwareTools", 11) ||
         !strncmp (name, "kmod-xenpv", 10);
}

/* sd/hd/xvd + letters (+ digits) -> vd + the letters of the Nth disk. */
static char *
vd_name (int index)
{
  char letters[8];
  int n = 0;
  char tmp[8];
  index += 1;
  while (index > 0 && n < 7) { tmp[n++] = 'a' + (index - 1) % 26; index = (index - 1) / 26; }
  for (int i = 0; i < n; ++i) letters[i] = tmp[n - 1 - i];
  letters[n] = '\0';
  return v2v_strdup_printf ("vd%s", letters);
}

/* The source's name of disk I: its libvirt target, or the name the
 * guest most likely gave it (sdX on VMware, xvdX on Xen, hdX is mapped
 * too). */
struct rename { char *from, *to; };

static size_t
make_renames (const struct v2v_source *src, struct rename *r, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < src->nr_disks; ++i) {
    char *to = vd_name (i);
    char *letters = to + 2;
    if (src->disks[i].dev && strncmp (src->disks[i].dev, "vd", 2)) {
      if (n < max) { r[n].from = strdup (src->disks[i].dev); r[n].to = strdup (to); ++n; }
    }
    else if (!src->disks[i].dev) {
      static const char *const prefixes[] = { "sd", "hd", "xvd" };
      for (size_t p = 0; p < 3 && n < max; ++p) {
        r[n].from = v2v_strdup_printf ("%s%s", prefixes[p], letters);
        r[n].to = strdup (to);
        ++n;
      }
    }
    free (to);
  }
  return n;
}

/* NAME ("/dev/xvda1") renamed, or NULL if no rule matches. */
static char *
rename_device (const char *name, struct rename *r, size_t n)
{
  if (strncmp (name, "/dev/", 5)) return NULL;
  const char *dev = name + 5;
  for (size_t i = 0; i < n; ++i) {
    size_t l = strlen (r[i].from);
    if (strncmp (dev, r[i].from, l)) continue;
    const char *rest = dev + l;
    if (*rest && strspn (rest, "0123456789") != strlen (rest)) continue;
    return v2v_strdup_printf ("/dev/%s%s", r[i].to, rest);
  }
  return NULL;
}

static int
fix_fstab (struct v2v_options *opts, guestfs_h *g, struct rename *r, size_t nr)
{
  if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/fstab")) != 1) return 0;
  /* Only the Fstab lens: loading every lens costs seconds. */
  if (guestfs_aug_init (g, "/", 64 /* AUG_NO_MODL_AUTOLOAD */) == -1) return -1;
  int ret = -1, changed = 0;
  char **specs = NULL;
  if (guestfs_aug_transform (g, "Fstab", "/etc/fstab", -1) == -1 ||
      guestfs_aug_load (g) == -1)
    goto out;
  specs = guestfs_aug_match (g, "/files/etc/fstab/*/spec");
  if (!specs) goto out;
  for (size_t i = 0; specs[i]; ++i) {
    char *v = guestfs_aug_get (g, specs[i]);
    if (!v) goto out;
    char *nv = rename_device (v, r, nr);
    if (nv) {
      if (opts->verbose) fprintf (stderr, "fstab: %s -> %s\n", v, nv);
      if (guestfs_aug_set (g, specs[i], nv) == -1) { free (v); free (nv); goto out; }
      ++changed;
    }
    free (v); free (nv);
  }
  if (changed && guestfs_aug_save (g) == -1) goto out;
  ret = 0;
 out:
  if (specs) { for (size_t i = 0; specs[i]; ++i) free (specs[i]); free (specs); }
  guestfs_aug_close (g);
  return ret;
}

/* The boot loader's files that name devices or the console. */
static const char *const boot_files[] = {
  "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/etc/default/grub",
  "/boot/grub/menu.lst", "/boot/grub/grub.conf", "/boot/grub/device.map",
  "/boot/grub2/device.map", "/etc/sysconfig/grub", NULL };

static int
fix_boot_loader (struct v2v_options *opts, guestfs_h *g, const char *root,
                 struct rename *r, size_t nr, bool *found)
{
  char *files = strdup ("");
  *found = false;
  for (size_t i = 0; boot_files[i]; ++i) {
    if (TOOL_QUIET (g, guestfs_is_file_opts (g, boot_files[i], GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) != 1)
      continue;
    if (!strstr (boot_files[i], "default") && !strstr (boot_files[i], "sysconfig")) *found = true;
    char *f = v2v_strdup_printf ("%s %s", files, boot_files[i]);
    free (files); files = f;
  }
  if (!files[0]) { free (files); return 0; }
  /* One sed run inside the guest: each source name to its new name
   * (whole names only: followed by a digit or a non-name character), and
   * the Xen console to the first serial port. */
  char *script = strdup ("");
  for (size_t i = 0; i < nr; ++i) {
    char *s = v2v_strdup_printf ("%s -e 's,/dev/%s\\([0-9]*\\)\\($\\|[^a-z0-9]\\),/dev/%s\\1\\2,g'"
                                 " -e 's,(%s\\([0-9,]*\\)),(%s\\1),g'",
                                 script, r[i].from, r[i].to, r[i].from, r[i].to);
    free (script); script = s;
  }
  char *cmd = v2v_strdup_printf ("sed -i%s -e 's,console=hvc0,console=ttyS0,g' -e 's,xen-blkfront,virtio_blk,g' %s",
                                 script, files);
  free (script);
  v2v_message (opts, "Renaming block devices in the boot loader's configuration");
  int r2 = customize_run_in_guest (g, root, &opts->cz, "sed on the boot loader files", cmd);
  free (cmd); free (files);
  return r2;
}

/* Kernels in /lib/modules, and whether any of them has virtio_blk. */
static char **
list_kernels (guestfs_h *g, bool *virtio)
{
  *virtio = false;
  if (TOOL_QUIET (g, guestfs_is_dir (g, "/lib/modules")) != 1) return calloc (1, sizeof (char *));
  char **l = guestfs_ls (g, "/lib/modules");
  if (!l) return NULL;
  for (size_t i = 0; l[i]; ++i) {
    char *blk = v2v_strdup_printf ("/lib/modules/%s/kernel/drivers/block", l[i]);
    char **mods = TOOL_QUIET (g, guestfs_ls (g, blk));
    for (size_t j = 0; mods && mods[j]; ++j) {
      if (!strncmp (mods[j], "virtio_blk.ko", 13)) *virtio = true;
      free (mods[j]);
    }
    free (mods); free (blk);
    char *builtin = v2v_strdup_printf ("/lib/modules/%s/modules.builtin", l[i]);
    if (TOOL_QUIET (g, guestfs_is_file (g, builtin)) == 1) {
      char **lines = TOOL_QUIET (g, guestfs_grep (g, "virtio_blk", builtin));
      if (lines && lines[0]) *virtio = true;
      for (size_t j = 0; lines && lines[j]; ++j) free (lines[j]);
      free (lines);
    }
    free (builtin);
  }
  return l;
}

static int
fix_initramfs (struct v2v_options *opts, guestfs_h *g, const char *root,
               struct v2v_target *tgt)
{
  static const char *const mods[] = { "virtio", "virtio_ring", "virtio_pci", "virtio_blk",
                                      "virtio_scsi", "virtio_net", NULL };
  bool virtio;
  char **kernels = list_kernels (g, &virtio);
  if (!kernels) return -1;
  int ret = 0;
  if (!kernels[0]) {
    v2v_warning (opts, "no kernel was found in /lib/modules: the initramfs was not "
                 "rebuilt, and the guest needs a kernel with virtio drivers to boot on KVM");
    tgt->virtio_blk = tgt->virtio_net = true;
  }
  else if (!virtio) {
    v2v_warning (opts, "no kernel of the guest has the virtio_blk driver: the disks "
                 "are attached as IDE and the network as e1000");
    tgt->virtio_blk = tgt->virtio_net = false;
  }
  else
    tgt->virtio_blk = tgt->virtio_net = true;

  bool initramfs_tools = TOOL_QUIET (g, guestfs_is_dir (g, "/etc/initramfs-tools")) == 1;
  bool dracut = TOOL_QUIET (g, guestfs_is_dir (g, "/etc/dracut.conf.d")) == 1;
  if (initramfs_tools) {
    /* Each module on its own line, added once. */
    const char *f = "/etc/initramfs-tools/modules";
    for (size_t i = 0; mods[i]; ++i) {
      char *pat = v2v_strdup_printf ("^%s$", mods[i]);
      char **hits = TOOL_QUIET (g, guestfs_is_file (g, f)) == 1 ?
        TOOL_QUIET (g, guestfs_grep_opts (g, pat, f, GUESTFS_GREP_OPTS_EXTENDED, 1, -1)) : NULL;
      bool present = hits && hits[0];
      for (size_t j = 0; hits && hits[j]; ++j) free (hits[j]);
      free (hits); free (pat);
      if (present) continue;
      char *line = v2v_strdup_printf ("%s\n", mods[i]);
      if (guestfs_write_append (g, f, line, strlen (line)) == -1) { free (line); ret = -1; goto out; }
      free (line);
    }
  }
  else if (dracut) {
    const char *conf = "add_drivers+=\" virtio virtio_ring virtio_pci virtio_blk virtio_scsi virtio_net \"\n";
    if (guestfs_write (g, "/etc/dracut.conf.d/virt-v2v.conf", conf, strlen (conf)) == -1) {
      ret = -1; goto out;
    }
  }
  if (!kernels[0]) goto out;
  const char *cmd = NULL;
  if (TOOL_QUIET (g, guestfs_is_file_opts (g, "/usr/sbin/update-initramfs", GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) == 1)
    cmd = "update-initramfs -u -k all";
  else if (TOOL_QUIET (g, guestfs_is_file_opts (g, "/usr/bin/dracut", GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) == 1 ||
           TOOL_QUIET (g, guestfs_is_file_opts (g, "/sbin/dracut", GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) == 1)
    cmd = "for k in $(ls /lib/modules); do dracut -f /boot/initramfs-$k.img $k || exit 1; done";
  if (!cmd) {
    v2v_warning (opts, "neither update-initramfs nor dracut is in the guest: the initramfs was not rebuilt");
    goto out;
  }
  v2v_message (opts, "Rebuilding the initramfs with the virtio drivers");
  if (customize_run_in_guest (g, root, &opts->cz, "rebuilding the initramfs", cmd) == -1)
    ret = -1;
 out:
  for (size_t i = 0; kernels[i]; ++i) free (kernels[i]);
  free (kernels);
  return ret;
}

static int
remove_hypervisor_packages (struct v2v_options *opts, guestfs_h *g, const char *root)
{
  struct guestfs_application2_list *apps = TOOL_QUIET (g, guestfs_inspect_list_applications2 (g, root));
  if (!apps) return 0;
  char **names = calloc (apps->len + 1, sizeof (char *));
  size_t n = 0;
  for (size_t i = 0; i < apps->len; ++i)
    if (hypervisor_package (apps->val[i].app2_name))
      names[n++] = strdup (apps->val[i].app2_name);
  guestfs_free_application2_list (apps);
  int r = 0;
  if (n > 0) {
    char *list = strdup ("");
    for (size_t i = 0; i < n; ++i) {
      char *s = v2v_strdup_printf ("%s%s%s", list, i ? " " : "", names[i]);
      free (list); list = s;
    }
    v2v_message (opts, "Removing hypervisor packages: %s", list);
    free (list);
    r = customize_packages (g, root, &opts->cz, CUSTOMIZE_PKG_PURGE, names);
  }
  for (size_t i = 0; i < n; ++i) free (names[i]);
  free (names);
  return r;
}

static int
remove_net_bindings (struct v2v_options *opts, guestfs_h *g)
{
  static const char *const rules[] = {
    "/etc/udev/rules.d/70-persistent-net.rules",
    "/etc/udev/rules.d/75-persistent-net-generator.rules", NULL };
  for (size_t i = 0; rules[i]; ++i)
    if (TOOL_QUIET (g, guestfs_exists (g, rules[i])) == 1) {
      v2v_message (opts, "Removing %s", rules[i]);
      if (guestfs_rm_f (g, rules[i]) == -1) return -1;
    }
  if (TOOL_QUIET (g, guestfs_is_dir (g, "/etc/sysconfig/network-scripts")) != 1)
    return 0;
  if (guestfs_aug_init (g, "/", 64 /* AUG_NO_MODL_AUTOLOAD */) == -1) return -1;
  if (guestfs_aug_transform (g, "Shellvars", "/etc/sysconfig/network-scripts/ifcfg-*", -1) == -1 ||
      guestfs_aug_load (g) == -1) {
    guestfs_aug_close (g);
    return -1;
  }
  int removed = guestfs_aug_rm (g, "/files/etc/sysconfig/network-scripts/*[label() =~ regexp('ifcfg-.*')]/HWADDR");
  int r = removed < 0 ? -1 : removed > 0 ? guestfs_aug_save (g) : 0;
  guestfs_aug_close (g);
  if (removed > 0) v2v_message (opts, "Removed %d HWADDR binding(s) from ifcfg files", removed);
  return r;
}

static int
selinux_relabel (struct v2v_options *opts, guestfs_h *g)
{
  if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/selinux/config")) != 1) return 0;
  char **l = TOOL_QUIET (g, guestfs_grep_opts (g, "^SELINUX=(enforcing|permissive)",
                                              "/etc/selinux/config", GUESTFS_GREP_OPTS_EXTENDED, 1, -1));
  bool used = l && l[0];
  for (size_t i = 0; l && l[i]; ++i) free (l[i]);
  free (l);
  if (!used) return 0;
  v2v_message (opts, "SELinux: the guest relabels its files at the next boot");
  return guestfs_touch (g, "/.autorelabel");
}

int
v2v_convert_linux (struct v2v_options *opts, guestfs_h *g, const char *root,
                   const struct v2v_source *src, struct v2v_target *tgt)
{
  if (!tgt->distro || !distro_supported (tgt->distro)) {
    v2v_error (opts, "virt-v2v does not know how to convert this Linux guest: "
               "distribution ‘%s’ (%s) is not supported",
               tgt->distro ? tgt->distro : "unknown",
               tgt->product_name ? tgt->product_name : "no product name");
    return -1;
  }
  v2v_message (opts, "Converting %s %d.%d (%s) to run on KVM", tgt->distro,
               tgt->major, tgt->minor, tgt->product_name ? tgt->product_name : "");
  /* Guest commands need the guest's architecture on the host. */
  bool can_run = TOOL_QUIET (g, guestfs_is_file_opts (g, "/bin/sh", GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) == 1 &&
                 customize_check_guest_arch (g, root, &opts->cz, "converting the guest") == 0;
  if (!can_run)
    v2v_warning (opts, "commands cannot be run inside this guest: package removal, "
                 "boot loader fixes and the initramfs rebuild are skipped");

  struct rename r[96];
  size_t nr = make_renames (src, r, 96);
  int ret = -1;
  if (can_run && remove_hypervisor_packages (opts, g, root) == -1) goto out;
  v2v_message (opts, "Renaming block devices in /etc/fstab");
  if (fix_fstab (opts, g, r, nr) == -1) goto out;
  bool boot_found = false;
  if (can_run && fix_boot_loader (opts, g, root, r, nr, &boot_found) == -1) goto out;
  if (!boot_found)
    v2v_warning (opts, "no GRUB configuration was found: the guest's boot loader was not changed");
  if (can_run) {
    if (fix_initramfs (opts, g, root, tgt) == -1) goto out;
  }
  else
    tgt->virtio_blk = tgt->virtio_net = true;
  if (remove_net_bindings (opts, g) == -1) goto out;
  if (selinux_relabel (opts, g) == -1) goto out;
  /* The engine logs guest commands' output here: not part of the guest. */
  if (can_run && (guestfs_rm_f (g, "/tmp/builder.log") == -1 ||
                  guestfs_rm_f (g, "/builder.log") == -1))
    goto out;
  ret = 0;
 out:
  for (size_t i = 0; i < nr; ++i) { free (r[i].from); free (r[i].to); }
  return ret;
}
