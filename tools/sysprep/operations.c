/* virt-sysprep's operations (see operations.h).  Most remove files: their
 * glob lists are below, one per operation.  The others change the guest
 * through the library (and Augeas, in the appliance, for the account and
 * network files): the guest's content is never parsed here. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fusermount.h"
#include "operations.h"
#include "run.h"
#include "util.h"

#define GLOBS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* ---- helpers ------------------------------------------------------- */

/* Augeas with only LENS for the files FILE (NULL-terminated pairs). */
static int
aug_open (guestfs_h *g, const char *const *lens_file)
{
  if (guestfs_aug_init (g, "/", 64 /* AUG_NO_MODL_AUTOLOAD */) == -1)
    return -1;
  for (size_t i = 0; lens_file[i]; i += 2)
    if (guestfs_aug_transform (g, lens_file[i], lens_file[i + 1], -1) == -1)
      return -1;
  return guestfs_aug_load (g);
}

static bool
in_list (char **l, const char *s)
{
  for (size_t i = 0; l && l[i]; ++i)
    if (strcmp (l[i], s) == 0)
      return true;
  return false;
}

/* ---- operations with their own code ------------------------------- */

static int
op_backup_files (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  static const char *const dirs[] = { "/etc", "/root", "/home", "/srv", "/var", NULL };
  int r = 0;
  for (size_t d = 0; dirs[d] && r == 0; ++d) {
    if (TOOL_QUIET (g, guestfs_is_dir_opts (g, dirs[d], GUESTFS_IS_DIR_OPTS_FOLLOWSYMLINKS, 0, -1)) != 1)
      continue;
    char **names = guestfs_find (g, dirs[d]);
    if (!names)
      return -1;
    for (size_t i = 0; names[i] && r == 0; ++i) {
      size_t l = strlen (names[i]);
      bool backup = (l > 1 && names[i][l - 1] == '~') ||
                    (l > 4 && strcmp (names[i] + l - 4, ".bak") == 0) ||
                    (l > 4 && strcmp (names[i] + l - 4, ".swp") == 0 &&
                     strchr (names[i], '/') && strrchr (names[i], '/')[1] == '.');
      if (!backup)
        continue;
      char *p;
      if (asprintf (&p, "%s/%s", dirs[d], names[i]) == -1)
        return -1;
      if (TOOL_QUIET (g, guestfs_is_file_opts (g, p, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1)) == 1)
        r = guestfs_rm_f (g, p);
      free (p);
    }
    tool_free_strings (names);
  }
  return r;
}

static int
op_customize (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  return customize_apply (g, root, ctx->cz);
}

static int
op_flag_reconfiguration (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  return guestfs_touch (g, "/.unconfigured");
}

static int
op_machine_id (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/machine-id")) == 1 &&
      guestfs_truncate (g, "/etc/machine-id") == -1)
    return -1;
  return guestfs_rm_f (g, "/var/lib/dbus/machine-id");
}

/* Remove the variable VAR from every ifcfg file (Red Hat's network
 * scripts), through Augeas's shell-variable lens. */
static int
ifcfg_remove (guestfs_h *g, const char *const *vars)
{
  if (TOOL_QUIET (g, guestfs_is_dir (g, "/etc/sysconfig/network-scripts")) != 1)
    return 0;
  static const char *const lf[] = { "Shellvars", "/etc/sysconfig/network-scripts/ifcfg-*", NULL };
  int r = aug_open (g, lf);
  for (size_t i = 0; vars[i] && r == 0; ++i) {
    char *expr;
    if (asprintf (&expr, "/files/etc/sysconfig/network-scripts/*/%s", vars[i]) == -1)
      r = -1;
    else {
      r = guestfs_aug_rm (g, expr) == -1 ? -1 : 0;
      free (expr);
    }
  }
  if (r == 0)
    r = guestfs_aug_save (g);
  TOOL_QUIET (g, guestfs_aug_close (g));
  return r;
}

static int
op_net_hostname (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  return ifcfg_remove (g, GLOBS ("HOSTNAME", "DHCP_HOSTNAME"));
}

static int
op_net_hwaddr (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  return ifcfg_remove (g, GLOBS ("HWADDR"));
}

/* Accounts with a UID from 1000 up (not nobody's 65534), minus
 * --keep-user-accounts, or exactly --remove-user-accounts: their passwd,
 * shadow and private group entries, their group memberships, their home
 * and mail spool go. */
static int
op_user_account (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root;
  static const char *const lf[] = {
    "Passwd", "/etc/passwd", "Shadow", "/etc/shadow", "Group", "/etc/group",
    "Gshadow", "/etc/gshadow", NULL };
  if (aug_open (g, lf) == -1)
    return -1;
  char **users = guestfs_aug_match (g, "/files/etc/passwd/*");
  if (!users) {
    TOOL_QUIET (g, guestfs_aug_close (g));
    return -1;
  }
  int r = 0;
  char **homes = calloc (tool_count_strings (users) * 2 + 1, sizeof *homes);
  size_t nh = 0;
  for (size_t i = 0; users[i] && r == 0 && homes; ++i) {
    const char *name = strrchr (users[i], '/') + 1;
    if (name[0] == '#' || strchr (name, '\'') || strchr (name, ']'))
      continue;                 /* comments; names Augeas paths cannot quote */
    char *p;
    if (asprintf (&p, "%s/uid", users[i]) == -1) {
      r = -1;
      break;
    }
    char *uid = TOOL_QUIET (g, guestfs_aug_get (g, p));
    free (p);
    long u = uid ? strtol (uid, NULL, 10) : -1;
    free (uid);
    bool remove = ctx->remove_users ? in_list (ctx->remove_users, name)
                  : u >= 1000 && u != 65534 && !in_list (ctx->keep_users, name);
    if (!remove)
      continue;
    if (asprintf (&p, "%s/home", users[i]) != -1) {
      char *home = TOOL_QUIET (g, guestfs_aug_get (g, p));
      if (home && home[0] == '/' && strcmp (home, "/") != 0)
        homes[nh++] = home;
      else
        free (home);
      free (p);
    }
    if (asprintf (&p, "/var/spool/mail/%s", name) != -1)
      homes[nh++] = p;
    char *paths[6] = { NULL };
    if (asprintf (&paths[0], "/files/etc/passwd/%s", name) == -1 ||
        asprintf (&paths[1], "/files/etc/shadow/%s", name) == -1 ||
        asprintf (&paths[2], "/files/etc/group/%s", name) == -1 ||
        asprintf (&paths[3], "/files/etc/gshadow/%s", name) == -1 ||
        asprintf (&paths[4], "/files/etc/group/*/user[. = '%s']", name) == -1 ||
        asprintf (&paths[5], "/files/etc/gshadow/*/member[. = '%s']", name) == -1)
      r = -1;
    for (size_t k = 0; k < 6; ++k) {
      if (r == 0 && paths[k] && guestfs_aug_rm (g, paths[k]) == -1)
        r = -1;
      free (paths[k]);
    }
  }
  if (!homes)
    r = -1;
  if (r == 0)
    r = guestfs_aug_save (g);
  TOOL_QUIET (g, guestfs_aug_close (g));
  for (size_t i = 0; i < nh; ++i) {
    if (r == 0)
      r = guestfs_rm_rf (g, homes[i]);
    free (homes[i]);
  }
  free (homes);
  tool_free_strings (users);
  return r;
}

/* --script: the guest's filesystems are shown on the host with FUSE
 * (mount_local) at --scriptdir (or a temporary directory) while each
 * program runs there, in order, with that directory as its current one.
 * The library serves the mount in this thread (mount_local_run); the
 * programs run from a second thread, which unmounts when they are done. */
struct script_run {
  struct sysprep_ctx *ctx;
  const char *dir;
  int failed;
};

static void *
run_scripts (void *opaque)
{
  struct script_run *sr = opaque;
  for (size_t i = 0; i < sr->ctx->nr_script && !sr->failed; ++i) {
    pid_t pid = fork ();
    if (pid == -1) {
      perror ("fork");
      sr->failed = 1;
      break;
    }
    if (pid == 0) {
      if (chdir (sr->dir) == -1)
        _exit (126);
      execl ("/bin/sh", "sh", "-c", sr->ctx->script[i], (char *) NULL);
      _exit (127);
    }
    int st;
    while (waitpid (pid, &st, 0) == -1 && errno == EINTR)
      ;
    if (!WIFEXITED (st) || WEXITSTATUS (st) != 0) {
      fprintf (stderr, "%s: --script %s failed (status %d)\n", sr->ctx->cz->program,
               sr->ctx->script[i], WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st));
      sr->failed = 1;
    }
  }
  /* Ends mount_local_run in the other thread; the mount may be busy for
   * a moment after the last program exits. */
  char err[256];
  for (int tries = 0; tries < 50; ++tries) {
    if (hatch_fusermount_unmount (sr->dir, err, sizeof err) == 0)
      return NULL;
    usleep (100000);
  }
  fprintf (stderr, "%s: fusermount3 -u %s: %s\n", sr->ctx->cz->program, sr->dir, err);
  sr->failed = 1;
  return NULL;
}

static int
op_script (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root;
  if (ctx->nr_script == 0)
    return 0;
  char tmpl[] = "/tmp/virt-sysprep-XXXXXX";
  const char *dir = ctx->scriptdir;
  if (!dir && !(dir = mkdtemp (tmpl))) {
    perror ("mkdtemp");
    return -1;
  }
  int r = -1;
  if (guestfs_mount_local (g, dir, -1) == 0) {
    struct script_run sr = { ctx, dir, 0 };
    pthread_t t;
    if (pthread_create (&t, NULL, run_scripts, &sr) != 0) {
      perror ("pthread_create");
      TOOL_QUIET (g, guestfs_umount_local (g, -1));
    }
    else {
      int run = guestfs_mount_local_run (g);
      pthread_join (t, NULL);
      r = run == -1 || sr.failed ? -1 : 0;
    }
  }
  if (!ctx->scriptdir)
    rmdir (dir);
  return r;
}

/* ---- on the devices, unmounted ------------------------------------ */

static int
op_fs_uuids (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  char **fses = guestfs_list_filesystems (g);
  if (!fses)
    return -1;
  /* old UUID, new UUID pairs for /etc/fstab */
  size_t n = tool_count_strings (fses);
  char **map = calloc (n + 1, sizeof *map);
  size_t nm = 0;
  int r = map ? 0 : -1;
  for (size_t i = 0; fses[i] && fses[i + 1] && r == 0; i += 2) {
    const char *t = fses[i + 1];
    if (strcmp (t, "unknown") == 0 || strcmp (t, "vfat") == 0 || strcmp (t, "ntfs") == 0 ||
        strcmp (t, "iso9660") == 0 || strcmp (t, "squashfs") == 0 || strcmp (t, "crypto_LUKS") == 0 ||
        strcmp (t, "LVM2_member") == 0)
      continue;
    char *old = TOOL_QUIET (g, guestfs_vfs_uuid (g, fses[i]));
    if (!old || !*old) {
      free (old);
      continue;
    }
    /* tune2fs changes an ext UUID only on a freshly checked filesystem. */
    if (strncmp (t, "ext", 3) == 0 &&
        TOOL_QUIET (g, guestfs_e2fsck (g, fses[i], GUESTFS_E2FSCK_CORRECT, 1, -1)) == -1) {
      customize_message (ctx->cz, "%s (%s): e2fsck failed, UUID left alone: %s", fses[i], t,
                         guestfs_last_error (g) ? guestfs_last_error (g) : "");
      free (old);
      continue;
    }
    if (TOOL_QUIET (g, guestfs_set_uuid_random (g, fses[i])) == -1) {
      customize_message (ctx->cz, "%s (%s): the UUID could not be changed: %s", fses[i], t,
                         guestfs_last_error (g) ? guestfs_last_error (g) : "");
      free (old);
      continue;
    }
    char *new_ = guestfs_vfs_uuid (g, fses[i]);
    if (!new_) {
      free (old);
      r = -1;
      break;
    }
    map[nm++] = old;
    map[nm++] = new_;
  }
  tool_free_strings (fses);
  /* /etc/fstab names filesystems by UUID: follow the change. */
  if (r == 0 && nm > 0 && ctx->remount &&
      (r = ctx->remount (g, root, ctx->remount_opaque)) == 0) {
    if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/fstab")) == 1) {
      static const char *const lf[] = { "Fstab", "/etc/fstab", NULL };
      r = aug_open (g, lf);
      for (size_t i = 0; i < nm && r == 0; i += 2) {
        char *expr, *val;
        if (asprintf (&expr, "/files/etc/fstab/*/spec[. = 'UUID=%s']", map[i]) == -1 ||
            asprintf (&val, "UUID=%s", map[i + 1]) == -1) {
          r = -1;
          break;
        }
        char **m = guestfs_aug_match (g, expr);
        for (size_t k = 0; m && m[k] && r == 0; ++k)
          r = guestfs_aug_set (g, m[k], val);
        if (!m)
          r = -1;
        tool_free_strings (m);
        free (expr);
        free (val);
      }
      if (r == 0)
        r = guestfs_aug_save (g);
      TOOL_QUIET (g, guestfs_aug_close (g));
    }
    if (guestfs_umount_all (g) == -1)
      r = -1;
  }
  for (size_t i = 0; i < nm; ++i)
    free (map[i]);
  free (map);
  return r;
}

static int
op_lvm_uuids (guestfs_h *g, const char *root, struct sysprep_ctx *ctx)
{
  (void) root; (void) ctx;
  char **pvs = TOOL_QUIET (g, guestfs_pvs (g));
  bool any = pvs && pvs[0];
  tool_free_strings (pvs);
  if (!any)
    return 0;
  if (guestfs_vg_activate_all (g, 0) == -1 ||
      guestfs_pvchange_uuid_all (g) == -1 ||
      guestfs_vgchange_uuid_all (g) == -1 ||
      guestfs_vg_activate_all (g, 1) == -1)
    return -1;
  return 0;
}

/* ---- the table (alphabetical: the order they run in) --------------- */

const struct sysprep_op sysprep_ops[] = {
  { "abrt-data", true, "Remove ABRT's crash reports",
    GLOBS ("/var/spool/abrt/*", "/var/tmp/abrt/*"), NULL, NULL },
  { "backup-files", true, "Remove editor backup files (*~, *.bak) from /etc, /root, /home, /srv, /var",
    NULL, op_backup_files, NULL },
  { "bash-history", true, "Remove the users' bash history",
    GLOBS ("/root/.bash_history", "/home/*/.bash_history"), NULL, NULL },
  { "blkid-tab", true, "Remove the blkid cache",
    GLOBS ("/var/run/blkid.tab", "/var/run/blkid.tab.old", "/etc/blkid/blkid.tab",
           "/etc/blkid/blkid.tab.old", "/etc/blkid.tab", "/etc/blkid.tab.old",
           "/dev/.blkid.tab", "/dev/.blkid.tab.old"), NULL, NULL },
  { "ca-certificates", false, "Remove the guest's own CA certificates and keys",
    GLOBS ("/etc/pki/CA/certs/*.crt", "/etc/pki/CA/crl/*.crl", "/etc/pki/CA/newcerts/*.pem",
           "/etc/pki/CA/private/*.key", "/etc/pki/tls/private/*.key"), NULL, NULL },
  { "crash-data", true, "Remove kernel crash dumps (kexec-tools)",
    GLOBS ("/var/crash/*", "/var/log/dump/*"), NULL, NULL },
  { "cron-spool", true, "Remove the users' cron and at jobs",
    GLOBS ("/var/spool/cron/crontabs/*", "/var/spool/cron/atjobs/*", "/var/spool/cron/atspool/*",
           "/var/spool/cron/root", "/var/spool/cron/[!ac]*", "/var/spool/at/[!.]*",
           "/var/spool/atjobs/*", "/var/spool/atspool/*"), NULL, NULL },
  { "customize", true, "Apply the customization options (--hostname, --run, ...)",
    NULL, op_customize, NULL },
  { "dhcp-client-state", true, "Remove the DHCP client's leases",
    GLOBS ("/var/lib/dhclient/*", "/var/lib/dhcp/dhclient*", "/var/lib/NetworkManager/dhclient-*",
           "/var/lib/NetworkManager/internal-*", "/var/lib/dhcpcd/*"), NULL, NULL },
  { "dhcp-server-state", true, "Remove the DHCP server's leases",
    GLOBS ("/var/lib/dhcpd/*", "/var/lib/dhcp/dhcpd.leases*"), NULL, NULL },
  { "dovecot-data", true, "Remove Dovecot's (mail server) data",
    GLOBS ("/var/lib/dovecot/*"), NULL, NULL },
  { "firewall-rules", false, "Remove the firewall rules",
    GLOBS ("/etc/sysconfig/iptables", "/etc/sysconfig/ip6tables", "/etc/firewalld/services/*",
           "/etc/firewalld/zones/*", "/etc/iptables/rules.v4", "/etc/iptables/rules.v6"),
    NULL, NULL },
  { "flag-reconfiguration", false, "Make the guest reconfigure itself at next boot (/.unconfigured)",
    NULL, op_flag_reconfiguration, NULL },
  { "fs-uuids", false, "Give every filesystem a new UUID (and follow it in /etc/fstab)",
    NULL, NULL, op_fs_uuids },
  { "ipa-client", true, "Remove the IPA (FreeIPA) client's files",
    GLOBS ("/etc/ipa/ca.crt", "/etc/ipa/default.conf", "/var/lib/ipa-client/sysrestore/*",
           "/var/lib/ipa-client/pki/*"), NULL, NULL },
  { "kerberos-data", false, "Remove Kerberos data (the KDC's database and stash)",
    GLOBS ("/var/kerberos/krb5kdc/principal*", "/var/kerberos/krb5kdc/.k5.*",
           "/var/lib/krb5kdc/principal*", "/etc/krb5kdc/.k5.*", "/etc/krb5kdc/stash"),
    NULL, NULL },
  { "kerberos-hostkeytab", true, "Remove the Kerberos host keytab",
    GLOBS ("/etc/krb5.keytab"), NULL, NULL },
  { "logfiles", true, "Remove log files",
    GLOBS ("/var/log/*.log", "/var/log/*.log.*", "/var/log/messages*", "/var/log/syslog*",
           "/var/log/secure*", "/var/log/maillog*", "/var/log/mail.*", "/var/log/btmp*",
           "/var/log/wtmp*", "/var/log/lastlog*", "/var/log/faillog*", "/var/log/tallylog*",
           "/var/log/dmesg*", "/var/log/cron*", "/var/log/debug*", "/var/log/spooler*",
           "/var/log/boot.log*", "/var/log/journal/*", "/var/log/apt/*", "/var/log/audit/*",
           "/var/log/anaconda/*", "/var/log/installer/*", "/var/log/cloud-init*",
           "/var/log/sa/*", "/var/log/ConsoleKit/*", "/var/log/gdm/*", "/var/log/httpd/*",
           "/var/log/apache2/*", "/var/log/nginx/*", "/var/log/ntpstats/*", "/var/log/ppp/*",
           "/var/log/libvirt/*", "/var/log/tuned/*", "/var/log/rhsm/*", "/var/log/dnf*",
           "/var/log/hawkey.log*", "/var/log/yum.log*", "/var/log/zypper.log*",
           "/var/log/YaST2/*", "/var/log/pacman.log*", "/var/log/unattended-upgrades/*",
           "/var/log/installer", "/root/anaconda-ks.cfg", "/root/original-ks.cfg",
           "/root/install.log*", "/var/lib/systemd/coredump/*", "/var/cache/gdm/*",
           "/var/lib/AccountService/users/*", "/var/lib/fprint/*"), NULL, NULL },
  { "lvm-uuids", true, "Give LVM physical volumes and volume groups new UUIDs",
    NULL, NULL, op_lvm_uuids },
  { "machine-id", true, "Empty the machine ID (a new one is made at next boot)",
    NULL, op_machine_id, NULL },
  { "mail-spool", true, "Remove the mail in the local spool",
    GLOBS ("/var/spool/mail/*", "/var/mail/*"), NULL, NULL },
  { "net-hostname", true, "Remove HOSTNAME and DHCP_HOSTNAME from the ifcfg files",
    NULL, op_net_hostname, NULL },
  { "net-hwaddr", true, "Remove HWADDR (a fixed MAC address) from the ifcfg files",
    NULL, op_net_hwaddr, NULL },
  { "net-nmconn", true, "Remove NetworkManager's local connection profiles",
    GLOBS ("/etc/NetworkManager/system-connections/*.nmconnection"), NULL, NULL },
  { "pacct-log", true, "Remove the process accounting logs",
    GLOBS ("/var/account/pacct*", "/var/log/account/pacct*"), NULL, NULL },
  { "package-manager-cache", true, "Remove the package managers' caches",
    GLOBS ("/var/cache/apt/archives/*.deb", "/var/cache/apt/*.bin", "/var/cache/dnf/*",
           "/var/cache/yum/*", "/var/cache/zypp/packages/*", "/var/cache/urpmi/rpms/*",
           "/var/cache/pacman/pkg/*", "/var/cache/apk/*", "/var/cache/xbps/*"), NULL, NULL },
  { "pam-data", true, "Remove PAM's runtime data",
    GLOBS ("/var/run/console/*", "/var/run/faillock/*", "/var/run/sepermit/*"), NULL, NULL },
  { "passwd-backups", true, "Remove /etc/passwd- and the other account file backups",
    GLOBS ("/etc/group-", "/etc/gshadow-", "/etc/passwd-", "/etc/shadow-", "/etc/subuid-",
           "/etc/subgid-"), NULL, NULL },
  { "puppet-data-log", true, "Remove puppet's data and logs",
    GLOBS ("/var/log/puppet/*", "/var/lib/puppet/*/*", "/var/lib/puppet/*/*/*"), NULL, NULL },
  { "rh-subscription-manager", true, "Remove the Red Hat subscription manager's files",
    GLOBS ("/etc/pki/consumer/*", "/etc/pki/entitlement/*"), NULL, NULL },
  { "rhn-systemid", true, "Remove the RHN system ID",
    GLOBS ("/etc/sysconfig/rhn/systemid", "/etc/sysconfig/rhn/osad-auth.conf"), NULL, NULL },
  { "rpm-db", true, "Remove the rpm database's host-specific files",
    GLOBS ("/var/lib/rpm/__db.*"), NULL, NULL },
  { "samba-db-log", true, "Remove Samba's databases and logs",
    GLOBS ("/var/log/samba/*", "/var/lib/samba/*.tdb", "/var/lib/samba/private/*.tdb",
           "/var/lib/samba/lock/*"), NULL, NULL },
  { "script", true, "Run the --script programs on the guest's files",
    NULL, op_script, NULL },
  { "smolt-uuid", true, "Remove the Smolt hardware UUID",
    GLOBS ("/etc/sysconfig/hw-uuid", "/etc/smolt/uuid", "/etc/smolt/hw-uuid"), NULL, NULL },
  { "ssh-hostkeys", true, "Remove the SSH host keys (new ones are made at next boot)",
    GLOBS ("/etc/ssh/*_host_*"), NULL, NULL },
  { "ssh-userdir", true, "Remove the users' .ssh directories",
    GLOBS ("/root/.ssh", "/home/*/.ssh"), NULL, NULL },
  { "sssd-db-log", true, "Remove sssd's databases and logs",
    GLOBS ("/var/log/sssd/*", "/var/lib/sss/db/*"), NULL, NULL },
  { "tmp-files", true, "Remove temporary files",
    GLOBS ("/tmp/*", "/tmp/.[!.]*", "/var/tmp/*", "/var/tmp/.[!.]*"), NULL, NULL },
  { "udev-persistent-net", true, "Remove udev's persistent network rules",
    GLOBS ("/etc/udev/rules.d/70-persistent-net.rules"), NULL, NULL },
  { "user-account", false, "Remove user accounts (UID 1000 and up) with their homes",
    NULL, op_user_account, NULL },
  { "utmp", true, "Remove the utmp file",
    GLOBS ("/var/run/utmp"), NULL, NULL },
  { "yum-uuid", true, "Remove yum's UUID",
    GLOBS ("/var/lib/yum/uuid"), NULL, NULL },
};
const size_t sysprep_nr_ops = sizeof sysprep_ops / sizeof sysprep_ops[0];

int
sysprep_find_op (const char *name)
{
  for (size_t i = 0; i < sysprep_nr_ops; ++i)
    if (strcmp (sysprep_ops[i].name, name) == 0)
      return (int) i;
  return -1;
}
