/* The libvirt backend: the appliance runs as a transient libvirt domain,
 * so it gets the host's VM management and confinement (a separate qemu
 * user under qemu:///system, sVirt where the host has SELinux or
 * AppArmor).  The domain is the same VM the direct backend runs
 * (appliance-vm.c gives both the appliance, its kernel command line and
 * the handle's temporary directory): kernel + initrd + root disk on
 * virtio-blk, the daemon's channel on virtio-serial, the console on the
 * serial port, an rng, and the user's drives on virtio-scsi as sda, sdb ...
 *
 * The root image is shared by every handle, so the domain writes to a
 * qcow2 overlay of it (libvirt refuses writable sharing); read-only user
 * drives get an overlay too, as with the direct backend's snapshot=on.
 * The images shared by several domains (appliance root, read-only drives'
 * backing files) are never relabelled; qemu must be able to read them.
 * The channel and the console are Unix sockets in the handle's directory
 * that qemu connects to; when libvirt runs qemu as another user (root's
 * qemu:///system), the directory is made traversable and the sockets
 * handed to that user.  The domain is created with AUTODESTROY: it ends
 * when our connection to libvirt does (the program dies). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "guestfs-internal.h"
#include "actions-gen.h"
#include "appliance/appliance.h"

#ifndef HAVE_LIBVIRT

static int
libvirt_launch (guestfs_h *g)
{
  errno = ENOTSUP;
  error (g, "launch: this library was built without libvirt: the libvirt "
         "backend is not available (use LIBGUESTFS_BACKEND=direct)");
  return -1;
}

static int
libvirt_shutdown (guestfs_h *g, bool check_errors)
{
  (void) check_errors;
  g->state = CONFIG;
  return 0;
}

#else /* HAVE_LIBVIRT */

#include "libvirt-fns.h"


static void
quiet_libvirt (void *opaque, virErrorPtr err)
{
  (void) opaque; (void) err;     /* reported through the handle instead */
}

/* The handle's error from libvirt's last error, after WHAT. */
static void
libvirt_failed (guestfs_h *g, const char *what)
{
  virErrorPtr e = libvirt.virGetLastError ();
  const char *msg = e && e->message ? e->message : "unknown libvirt error";
  const char *hint = "";
  if (e && (strstr (msg, "Permission denied") || e->code == VIR_ERR_ACCESS_DENIED))
    hint = "\n(libvirt runs qemu as another user here: every disk image and "
           "the directories above it must be readable by that user, e.g. "
           "chmod o+r the image and o+x its directories, or use "
           "LIBGUESTFS_BACKEND=direct, which runs qemu as you)";
  error (g, "%s: %s%s", what, msg, hint);
}

/* The user qemu runs as for this connection and domain type, from the
 * DAC security model's base label in the capabilities ("+UID:+GID"); our
 * own ids when there is none (qemu:///session). */
static void
qemu_ids (virConnectPtr conn, const char *domtype, uid_t *uid, gid_t *gid)
{
  *uid = geteuid ();
  *gid = getegid ();
  char *caps = libvirt.virConnectGetCapabilities (conn);
  if (!caps)
    return;
  xmlDocPtr doc = libxml.xmlReadMemory (caps, strlen (caps), NULL, NULL, XML_PARSE_NONET);
  free (caps);
  if (!doc)
    return;
  xmlXPathContextPtr ctx = libxml.xmlXPathNewContext (doc);
  char xp[128];
  snprintf (xp, sizeof xp,
            "/capabilities/host/secmodel[model='dac']/baselabel[@type='%s']", domtype);
  xmlXPathObjectPtr o = ctx ? libxml.xmlXPathEvalExpression (BAD_CAST xp, ctx) : NULL;
  if (o && o->nodesetval && o->nodesetval->nodeNr > 0) {
    xmlChar *t = libxml.xmlNodeGetContent (o->nodesetval->nodeTab[0]);
    unsigned u, gg;
    if (t && sscanf ((const char *) t, "+%u:+%u", &u, &gg) == 2) {
      *uid = u;
      *gid = gg;
    }
    (*libxml.xmlFree) (t);
  }
  libxml.xmlXPathFreeObject (o);
  libxml.xmlXPathFreeContext (ctx);
  libxml.xmlFreeDoc (doc);
}

static bool
caps_have_kvm (virConnectPtr conn)
{
  char *caps = libvirt.virConnectGetCapabilities (conn);
  bool r = caps && strstr (caps, "<domain type='kvm'") != NULL;
  free (caps);
  return r;
}

/* qemu-img create -f qcow2 OVERLAY backed by BACKING (of FORMAT); object:
 * a --object qemu-img needs to open the backing (a remote drive's
 * secret), or NULL. */
static int
make_overlay (guestfs_h *g, const char *backing, const char *format,
              const char *object, const char *overlay)
{
  pid_t pid = fork ();
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (null, 0);
    dup2 (null, 1);
    if (object)
      execlp ("qemu-img", "qemu-img", "create", "-q", "--object", object, "-f", "qcow2",
              "-b", backing, "-F", format, overlay, (char *) NULL);
    else
      execlp ("qemu-img", "qemu-img", "create", "-q", "-f", "qcow2",
              "-b", backing, "-F", format, overlay, (char *) NULL);
    _exit (127);
  }
  int st;
  if (pid == -1 || waitpid (pid, &st, 0) == -1 || !WIFEXITED (st) || WEXITSTATUS (st)) {
    error (g, "launch: qemu-img create could not make the overlay %s of %s",
           overlay, backing);
    return -1;
  }
  return 0;
}

/* The drive's name as the domain gives it: sda ... sdz, sdaa ... */
static void
drive_target (size_t i, char *buf)
{
  char tmp[16];
  size_t n = 0;
  i++;
  while (i > 0 && n < sizeof tmp) {
    tmp[n++] = 'a' + (i - 1) % 26;
    i = (i - 1) / 26;
  }
  buf[0] = 's'; buf[1] = 'd';
  for (size_t k = 0; k < n; k++)
    buf[2 + k] = tmp[n - 1 - k];
  buf[2 + n] = '\0';
}

/* A disk whose image must not be relabelled (shared with other domains
 * or the user's read-only original): its backing store, named. */
static void
put_backing (FILE *f, const char *file, const char *format)
{
  fputs ("      <backingStore type='file'><format type='", f);
  guestfs_int_xml_put (f, format);
  fputs ("'/><source file='", f);
  guestfs_int_xml_put (f, file);
  fputs ("'><seclabel model='dac' relabel='no'/></source><backingStore/></backingStore>\n", f);
}

/* User drive i as a <disk> (the domain's, or one to hot-add). */
static int
put_disk (FILE *f, guestfs_h *g, size_t i)
{
  struct drive *d = &g->drives[i];
  char target[16];
  drive_target (i, target);
  const char *fmt = d->format ? d->format : "raw";
  fprintf (f, "    <disk type='%s' device='disk'>\n"
           "      <driver name='qemu' type='%s' cache='%s'%s/>\n",
           d->protocol && !d->readonly ? "network" : "file",
           d->readonly ? "qcow2" : fmt,
           d->cachemode && strcmp (d->cachemode, "unsafe") == 0 ? "unsafe" : "writeback",
           d->discard && strcmp (d->discard, "disable") != 0 ? " discard='unmap'" : "");
  if (d->readonly) {
    fprintf (f, "      <source file='%s/overlay%zu.qcow2'/>\n", g->workdir, i);
    if (d->protocol) {
      fputs ("      <backingStore type='network'><format type='", f);
      guestfs_int_xml_put (f, fmt);
      fputs ("'/>\n", f);
      if (guestfs_int_drive_libvirt_source (g, d, d->libvirt_secret, f) == -1)
        return -1;
      fputs ("      <backingStore/></backingStore>\n", f);
    }
    else
      put_backing (f, d->filename, fmt);
  }
  else if (d->protocol) {
    if (guestfs_int_drive_libvirt_source (g, d, d->libvirt_secret, f) == -1)
      return -1;
  }
  else {
    fputs ("      <source file='", f);
    guestfs_int_xml_put (f, d->filename);
    fputs ("'/>\n", f);
  }
  if (d->blocksize)
    fprintf (f, "      <blockio logical_block_size='%d' physical_block_size='%d'/>\n",
             d->blocksize, d->blocksize);
  fprintf (f, "      <target dev='%s' bus='scsi'/>\n"
           "      <address type='drive' controller='0' bus='0' target='%zu' unit='0'/>\n"
           "    </disk>\n", target, i);
  return 0;
}

static char *
domain_xml (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
            const char *cmdline, const char *domname)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (!f)
    return NULL;
  fprintf (f, "<domain type='%s'>\n  <name>", kvm ? "kvm" : "qemu");
  guestfs_int_xml_put (f, domname);
  fprintf (f, "</name>\n  <memory unit='MiB'>%d</memory>\n  <vcpu>%d</vcpu>\n",
           g->memsize, g->smp);
  if (kvm)
    fputs ("  <cpu mode='host-passthrough'/>\n", f);
  else
    /* As the direct backend: no ERMS/FSRM, which TCG runs slowly. */
    fputs ("  <cpu mode='maximum' migratable='off'>\n"
           "    <feature policy='disable' name='erms'/>\n"
           "    <feature policy='disable' name='fsrm'/>\n  </cpu>\n", f);
  fputs ("  <os>\n    <type machine='q35'>hvm</type>\n    <kernel>", f);
  guestfs_int_xml_put (f, app->kernel);
  fputs ("</kernel>\n    <initrd>", f);
  guestfs_int_xml_put (f, app->initrd);
  fputs ("</initrd>\n    <cmdline>", f);
  guestfs_int_xml_put (f, cmdline);
  fputs ("</cmdline>\n  </os>\n  <features><acpi/></features>\n"
         "  <clock offset='utc'/>\n"
         "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
         "  <on_crash>destroy</on_crash>\n  <devices>\n", f);
  if (g->hv && strcmp (g->hv, "qemu-system-x86_64") != 0 && g->hv[0] == '/') {
    fputs ("    <emulator>", f);
    guestfs_int_xml_put (f, g->hv);
    fputs ("</emulator>\n", f);
  }
  fputs ("    <controller type='scsi' index='0' model='virtio-scsi'/>\n"
         "    <controller type='usb' model='none'/>\n", f);
  /* The appliance's root: an overlay, its backing image shared. */
  fprintf (f, "    <disk type='file' device='disk'>\n"
           "      <driver name='qemu' type='qcow2' cache='unsafe'/>\n"
           "      <source file='%s/appliance.qcow2'/>\n", g->workdir);
  put_backing (f, app->root, "raw");
  fputs ("      <target dev='vda' bus='virtio'/>\n    </disk>\n", f);

  for (size_t i = 0; i < g->nr_drives; ++i)
    if (put_disk (f, g, i) == -1) {
      fclose (f);
      free (buf);
      return NULL;
    }
  fprintf (f, "    <channel type='unix'>\n"
           "      <source mode='connect' path='%s/guestfsd.sock'/>\n"
           "      <target type='virtio' name='" HATCH_CHANNEL_NAME "'/>\n"
           "    </channel>\n"
           "    <serial type='unix'>\n"
           "      <source mode='connect' path='%s/console.sock'/>\n"
           "      <log file='%s/console.log' append='off'/>\n"
           "      <target port='0'/>\n    </serial>\n", g->sockdir, g->sockdir, g->workdir);
  fputs ("    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n", f);
  if (g->network)
    fputs ("    <interface type='user'><model type='virtio'/></interface>\n", f);
  fputs ("    <memballoon model='none'/>\n  </devices>\n</domain>\n", f);
  if (fclose (f) != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}


static bool
domain_running (guestfs_h *g)
{
  return g->libvirt_dom && libvirt.virDomainIsActive (g->libvirt_dom) == 1;
}

static void undefine_secret (guestfs_h *g, struct drive *d);

static void
stop_domain (guestfs_h *g)
{
  if (g->libvirt_dom) {
    if (domain_running (g))
      libvirt.virDomainDestroy (g->libvirt_dom);
    libvirt.virDomainFree (g->libvirt_dom);
    g->libvirt_dom = NULL;
  }
  for (size_t i = 0; i < g->nr_drives; ++i)
    undefine_secret (g, &g->drives[i]);
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  if (g->console_fd >= 0) {
    guestfs_int_drain_console (g);
    if (g->console_fd >= 0)
      close (g->console_fd);
    g->console_fd = -1;
  }
}

enum boot { BOOTED, BOOT_FAILED, KVM_FAILED, GUEST_SILENT };

/* The console is also logged by libvirt (virtlogd) to console.log in the
 * handle's directory: what qemu's serial port got even when our socket
 * never connected.  Its last 2 KiB, or NULL. */
static char *
console_log_tail (guestfs_h *g)
{
  char *path;
  if (asprintf (&path, "%s/console.log", g->workdir) == -1)
    return NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  free (path);
  if (fd == -1)
    return NULL;
  char *buf = malloc (2049);
  off_t end = lseek (fd, 0, SEEK_END);
  ssize_t n = -1;
  if (buf && end >= 0)
    n = pread (fd, buf, 2048, end > 2048 ? end - 2048 : 0);
  close (fd);
  if (n <= 0) {
    free (buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* Create the domain and wait for the daemon's hello. */
static enum boot
boot (guestfs_h *g, const struct hatch_appliance *app, bool kvm, bool fallback,
      bool silence_retry, uid_t quid, gid_t qgid, char *why, size_t whylen)
{
  int timeout_ms = guestfs_int_launch_timeout_ms ();
  int silence_ms = silence_retry ? guestfs_int_tcg_silence_ms (g, timeout_ms) : 0;
  enum boot ret = BOOT_FAILED;
  char *chanpath = NULL, *conpath = NULL, *xml = NULL, *cmdline = NULL;
  int lchan = -1, lcon = -1;
  g->kvm_used = kvm;
  g->console_total = 0;
  guestfs_int_launch_phase (g, "accelerator: %s", kvm ? "kvm" : "tcg");
  if (asprintf (&chanpath, "%s/guestfsd.sock", g->sockdir) == -1 ||
      asprintf (&conpath, "%s/console.sock", g->sockdir) == -1) {
    guestfs_int_perrorf (g, "asprintf");
    goto out;
  }
  if ((lchan = guestfs_int_listen_socket (g, chanpath, quid, qgid)) == -1 ||
      (lcon = guestfs_int_listen_socket (g, conpath, quid, qgid)) == -1)
    goto out;
  /* ACPI stays on: libvirt puts the devices behind PCIe root ports,
   * whose windows the kernel learns from ACPI. */
  cmdline = guestfs_int_appliance_cmdline (g, kvm, false, "");
  if (!cmdline)               /* the error is set */
    goto out;
  char name[64];
  snprintf (name, sizeof name, "guestfs-%08x%08x", (unsigned) random (), (unsigned) getpid ());
  if (!(xml = domain_xml (g, app, kvm, cmdline, name))) {
    guestfs_int_perrorf (g, "launch: domain XML");
    goto out;
  }
  if (g->verbose)
    debug (g, "libvirt domain XML:\n%s", xml);
  g->libvirt_dom = libvirt.virDomainCreateXML (g->libvirt_conn, xml, VIR_DOMAIN_START_AUTODESTROY);
  if (!g->libvirt_dom) {
    libvirt_failed (g, "launch: libvirt could not start the appliance");
    goto out;
  }
  guestfs_int_launch_phase (g, "libvirt domain %s started", name);

  struct timespec start;
  clock_gettime (CLOCK_MONOTONIC, &start);
  bool guest_spoke = false;
  uint64_t seen = 0;
  for (;;) {
    struct pollfd p[3];
    int n = 0;
    int ichan = -1, icon = -1, isock = -1;
    if (lchan >= 0) { ichan = n; p[n++] = (struct pollfd) { .fd = lchan, .events = POLLIN }; }
    if (lcon >= 0) { icon = n; p[n++] = (struct pollfd) { .fd = lcon, .events = POLLIN }; }
    if (g->sock >= 0) { isock = n; p[n++] = (struct pollfd) { .fd = g->sock, .events = POLLIN }; }
    int iconsole = -1;
    if (g->console_fd >= 0) { iconsole = n; p[n++] = (struct pollfd) { .fd = g->console_fd, .events = POLLIN }; }
    int r = poll (p, n, 100);
    if (r > 0 && ichan >= 0 && p[ichan].revents) {
      g->sock = accept4 (lchan, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (g->sock >= 0) {
        close (lchan);
        lchan = -1;
        guestfs_int_launch_phase (g, "qemu connected to the channel; waiting for the daemon");
      }
    }
    if (r > 0 && icon >= 0 && p[icon].revents) {
      g->console_fd = accept4 (lcon, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (g->console_fd >= 0) {
        close (lcon);
        lcon = -1;
      }
    }
    if (r > 0 && iconsole >= 0 && p[iconsole].revents)
      guestfs_int_drain_console (g);
    if (r > 0 && isock >= 0 && p[isock].revents) {
      char c;
      if (recv (g->sock, &c, 1, MSG_PEEK) > 0)
        break;                  /* the daemon's hello is arriving */
    }
    guest_spoke = guest_spoke || guestfs_int_guest_spoke (g, &seen);
    if (kvm && fallback && !guest_spoke) {
      char *tail = guestfs_int_console_tail (g, 60);
      bool kvm_error = tail && (strstr (tail, "KVM internal error") ||
                                strstr (tail, "emulation failure"));
      free (tail);
      if (kvm_error || guestfs_int_ms_since (&start) > GUESTFS_KVM_SILENCE_MS) {
        snprintf (why, whylen, kvm_error ? "qemu reported a KVM failure"
                  : "the guest printed nothing in %d s under KVM", GUESTFS_KVM_SILENCE_MS / 1000);
        ret = KVM_FAILED;
        goto out;
      }
    }
    else if (!kvm && silence_ms > 0 && g->console_fd >= 0 && !guest_spoke &&
             guestfs_int_ms_since (&start) > silence_ms) {
      snprintf (why, whylen, "the guest printed nothing in %d s under TCG", silence_ms / 1000);
      ret = GUEST_SILENT;
      goto out;
    }
    if (!domain_running (g)) {
      guestfs_int_drain_console (g);
      if (kvm && fallback) {
        snprintf (why, whylen, "the domain stopped before the appliance started");
        ret = KVM_FAILED;
        goto out;
      }
      char *tail = guestfs_int_console_tail (g, 12);
      if (!tail || !*tail) {
        free (tail);
        tail = console_log_tail (g);
      }
      error (g, "launch: the appliance's libvirt domain stopped before the daemon "
             "started%s%s", tail && *tail ? "\nlast lines of the appliance console:\n" : "",
             tail ? tail : "");
      free (tail);
      goto out;
    }
    if (guestfs_int_ms_since (&start) > timeout_ms) {
      guestfs_int_drain_console (g);
      char *tail = guestfs_int_console_tail (g, 12);
      error (g, "launch: timed out after %d s waiting for the appliance to start "
             "(qemu %s the channel; the guest %s)%s%s", timeout_ms / 1000,
             g->sock >= 0 ? "connected to" : "did not connect to",
             guest_spoke ? "printed its boot lines" : "printed nothing",
             tail && *tail ? "\nlast lines of the appliance console:\n" : "",
             tail ? tail : "");
      free (tail);
      goto out;
    }
  }
  if (guestfs_int_wait_hello (g, 30000) == -1)
    goto out;
  ret = BOOTED;
 out:
  if (ret != BOOTED)
    stop_domain (g);
  if (lchan >= 0) close (lchan);
  if (lcon >= 0) close (lcon);
  free (chanpath);
  free (conpath);
  free (xml);
  free (cmdline);
  return ret;
}

/* A remote drive's password as a libvirt secret (ephemeral and private:
 * never on disk, never read back), named for the handle and the drive. */
static int
define_secret (guestfs_h *g, struct drive *d, size_t i)
{
  char *xml;
  if (asprintf (&xml, "<secret ephemeral='yes' private='yes'>"
                "<description>Hatch drive %zu</description><usage type='%s'>"
                "<%s>hatch-%s-%zu</%s></usage></secret>",
                i, guestfs_int_drive_libvirt_secret_type (d),
                strcmp (guestfs_int_drive_libvirt_secret_type (d), "ceph") == 0 ? "name" : "target",
                strrchr (g->sockdir, '/') + 1, i,
                strcmp (guestfs_int_drive_libvirt_secret_type (d), "ceph") == 0 ? "name" : "target") == -1) {
    guestfs_int_perrorf (g, "asprintf");
    return -1;
  }
  virSecretPtr sec = libvirt.virSecretDefineXML (g->libvirt_conn, xml, 0);
  free (xml);
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (!sec || libvirt.virSecretGetUUIDString (sec, uuid) == -1 ||
      libvirt.virSecretSetValue (sec, (const unsigned char *) d->secret, strlen (d->secret), 0) == -1) {
    libvirt_failed (g, "launch: libvirt could not hold the drive's secret");
    if (sec) {
      libvirt.virSecretUndefine (sec);
      libvirt.virSecretFree (sec);
    }
    return -1;
  }
  libvirt.virSecretFree (sec);
  d->libvirt_secret = guestfs_int_safe_strdup (g, uuid);
  return 0;
}

static void
undefine_secret (guestfs_h *g, struct drive *d)
{
  if (!d->libvirt_secret)
    return;
  virSecretPtr sec = g->libvirt_conn ? libvirt.virSecretLookupByUUIDString (g->libvirt_conn, d->libvirt_secret) : NULL;
  if (sec) {
    libvirt.virSecretUndefine (sec);
    libvirt.virSecretFree (sec);
  }
  free (d->libvirt_secret);
  d->libvirt_secret = NULL;
}

/* A read-only drive is used through an overlay in the handle's
 * directory, owned by qemu's user.  A remote drive with a password gets
 * a libvirt secret. */
static int
prepare_drive (guestfs_h *g, size_t i, uid_t quid, gid_t qgid)
{
  struct drive *d = &g->drives[i];
  if (d->protocol && d->secret && !d->libvirt_secret && define_secret (g, d, i) == -1)
    return -1;
  if (!d->readonly)
    return 0;
  char *ov, *abs = d->protocol ? strdup (d->qemu_source) : realpath (d->filename, NULL);
  if (!abs || asprintf (&ov, "%s/overlay%zu.qcow2", g->workdir, i) == -1) {
    guestfs_int_perrorf (g, "%s", d->filename);
    free (abs);
    return -1;
  }
  int r = make_overlay (g, abs, d->format ? d->format : "raw", d->qemu_object, ov);
  if (r == 0 && quid != geteuid () && chown (ov, quid, qgid) == -1) {
    guestfs_int_perrorf (g, "chown %s", ov);
    r = -1;
  }
  free (abs);
  free (ov);
  return r;
}

static int libvirt_shutdown (guestfs_h *g, bool check_errors);

static int
libvirt_launch (guestfs_h *g)
{
  struct hatch_appliance app = { 0 };
  const char *uri = NULL;
  if (strncmp (g->backend, "libvirt:", 8) == 0) {
    uri = g->backend + 8;
    if (strcmp (uri, "null") == 0)
      uri = NULL;
  }
  else
    uri = geteuid () == 0 ? "qemu:///system" : "qemu:///session";

  for (size_t i = 0; i < g->nr_drives; ++i)
    if (guestfs_int_drive_libvirt_check (g, &g->drives[i]) == -1)
      return -1;
  if (guestfs_int_make_tmpdirs (g) == -1)
    return -1;
  guestfs_int_launch_phase (g, "begin launch (backend libvirt, URI %s, temporary directories %s, %s)",
                            uri ? uri : "(default)", g->sockdir, g->workdir);
  /* Remote drives: checked (qemu has the driver), their qemu source
   * made (a read-only one's overlay is backed by it). */
  if (guestfs_int_get_appliance (g, &app) == -1 || guestfs_int_create_scratch_drives (g) == -1 ||
      guestfs_int_drive_sources (g) == -1)
    goto fail;

  if (guestfs_int_open_libvirt (g, "launch") == -1)
    goto fail;
  libvirt.virSetErrorFunc (NULL, quiet_libvirt);
  g->libvirt_conn = libvirt.virConnectOpenAuth (uri, *libvirt.virConnectAuthPtrDefault, 0);
  if (!g->libvirt_conn) {
    char what[300];
    snprintf (what, sizeof what, "launch: could not connect to libvirt (URI %s)",
              uri ? uri : "default");
    libvirt_failed (g, what);
    goto fail;
  }

  bool force_kvm = guestfs_int_has_backend_setting (g, "force_kvm");
  bool kvm = !guestfs_int_has_backend_setting (g, "force_tcg") &&
             caps_have_kvm (g->libvirt_conn) && (force_kvm || guestfs_int_kvm_usable (g));
  uid_t quid;
  gid_t qgid;
  qemu_ids (g->libvirt_conn, kvm ? "kvm" : "qemu", &quid, &qgid);

  /* Files qemu opens itself: the overlays (ours, handed to qemu's user)
   * in a directory that user can traverse. */
  char *ov;
  if (asprintf (&ov, "%s/appliance.qcow2", g->workdir) == -1 ||
      make_overlay (g, app.root, "raw", NULL, ov) == -1)
    goto fail;
  if (quid != geteuid () && chown (ov, quid, qgid) == -1) {
    guestfs_int_perrorf (g, "launch: chown %s", ov);
    free (ov);
    goto fail;
  }
  free (ov);
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (prepare_drive (g, i, quid, qgid) == -1)
      goto fail;
  if (quid != geteuid ()) {
    /* Traversable, not listable, for qemu's user: the handle's directories,
     * and the per-user appliance cache holding kernel, initrd and root. */
    chmod (g->sockdir, 0711);
    chmod (g->workdir, 0711);
    if (!(g->path && *g->path)) {
      char *slash = strrchr (app.dir, '/');
      if (slash) {
        *slash = '\0';
        chmod (app.dir, 0711);
        *slash = '/';
      }
    }
  }

  char why[256] = "";
  enum boot r = boot (g, &app, kvm, !force_kvm, true, quid, qgid, why, sizeof why);
  if (r == KVM_FAILED) {
    debug (g, "KVM dropped: %s; booting again under TCG", why);
    guestfs_int_kvm_record_failure (g);
    guestfs_int_console_reset (g);
    qemu_ids (g->libvirt_conn, "qemu", &quid, &qgid);
    r = boot (g, &app, false, false, true, quid, qgid, why, sizeof why);
  }
  if (r == GUEST_SILENT) {
    debug (g, "%s; booting again", why);
    guestfs_int_console_reset (g);
    r = boot (g, &app, false, false, false, quid, qgid, why, sizeof why);
  }
  if (r != BOOTED)
    goto fail;
  guestfs_int_launch_phase (g, "daemon ready: launch finished");
  hatch_appliance_free (&app);
  return 0;

 fail:
  hatch_appliance_free (&app);
  libvirt_shutdown (g, false);
  return -1;
}

static int
libvirt_shutdown (guestfs_h *g, bool check_errors)
{
  int ret = 0;
  if (g->sock >= 0 && g->state == READY && guestfs_int_daemon_exit (g) == -1 &&
      check_errors) {
    error (g, "shutdown: the daemon did not exit cleanly");
    ret = -1;
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  /* After the daemon's exit the appliance powers off by itself. */
  for (int i = 0; i < 300 && domain_running (g); i++) {
    guestfs_int_drain_console (g);
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  bool had_domain = g->libvirt_dom != NULL;
  stop_domain (g);
  if (had_domain)
    guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_SUBPROCESS_QUIT);
  if (g->libvirt_conn) {
    libvirt.virConnectClose (g->libvirt_conn);
    g->libvirt_conn = NULL;
  }
  guestfs_int_console_release (g);
  guestfs_int_remove_tmpdirs (g);
  g->state = CONFIG;
  return ret;
}

/* User drive i's <disk> alone (to attach or detach): malloc'd, or NULL
 * with the handle error set. */
static char *
disk_xml (guestfs_h *g, size_t i)
{
  char *xml = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&xml, &len);
  if (!f) {
    guestfs_int_perrorf (g, "open_memstream");
    return NULL;
  }
  int r = put_disk (f, g, i);
  if (fclose (f) != 0 || r == -1) {
    if (r != -1)
      guestfs_int_perrorf (g, "open_memstream");
    free (xml);
    return NULL;
  }
  return xml;
}

/* add_drive on a launched handle: attach the disk to the running
 * domain, then wait until the daemon sees it. */
static int
libvirt_hot_add_drive (guestfs_h *g, size_t i)
{
  uid_t quid;
  gid_t qgid;
  qemu_ids (g->libvirt_conn, g->kvm_used ? "kvm" : "qemu", &quid, &qgid);
  if (prepare_drive (g, i, quid, qgid) == -1)
    return -1;
  char *xml = disk_xml (g, i);
  if (!xml)
    return -1;
  int r = libvirt.virDomainAttachDeviceFlags (g->libvirt_dom, xml, VIR_DOMAIN_AFFECT_LIVE);
  free (xml);
  if (r == -1) {
    libvirt_failed (g, "add_drive: libvirt could not attach the drive");
    return -1;
  }
  char why[512];
  if (guestfs_int_daemon_resume (g, 30000, why, sizeof why) == -1) {
    error (g, "add_drive: %s", why);
    return -1;
  }
  debug (g, "hot-added %s as drive %zu", g->drives[i].filename, i);
  return 0;
}

/* remove_drive on a launched handle (the daemon has released the disk):
 * detach it from the running domain; a read-only drive's overlay goes. */
static int
libvirt_hot_remove_drive (guestfs_h *g, size_t i)
{
  char *xml = disk_xml (g, i);
  if (!xml)
    return -1;
  int r = libvirt.virDomainDetachDeviceFlags (g->libvirt_dom, xml, VIR_DOMAIN_AFFECT_LIVE);
  free (xml);
  if (r == -1) {
    libvirt_failed (g, "remove_drive: libvirt could not detach the drive");
    return -1;
  }
  undefine_secret (g, &g->drives[i]);
  if (g->drives[i].readonly) {
    char *ov;
    if (asprintf (&ov, "%s/overlay%zu.qcow2", g->workdir, i) != -1) {
      unlink (ov);
      free (ov);
    }
  }
  debug (g, "detached drive %zu from the domain", i);
  return 0;
}

#endif /* HAVE_LIBVIRT */

const struct backend_ops guestfs_int_backend_libvirt = {
  .name = "libvirt",
  .launch = libvirt_launch,
  .shutdown = libvirt_shutdown,
#ifdef HAVE_LIBVIRT
  .hot_add_drive = libvirt_hot_add_drive,
  .hot_remove_drive = libvirt_hot_remove_drive,
#endif
};
