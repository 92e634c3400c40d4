/* What every backend that boots the appliance shares: the appliance
 * itself (found or built), its kernel command line, the handle's private
 * temporary directory, the scratch drives, and the backend settings.
 * direct.c renders the VM as a qemu command line, libvirt-backend.c as a
 * libvirt domain; neither knows these things on its own. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "guestfs-internal.h"
#include "actions-gen.h"
#include "appliance/appliance.h"

bool
guestfs_int_has_backend_setting (guestfs_h *g, const char *name)
{
  for (size_t i = 0; g->backend_settings && g->backend_settings[i]; ++i)
    if (strcmp (g->backend_settings[i], name) == 0)
      return true;
  return false;
}

static void
appliance_log (void *opaque, const char *msg)
{
  guestfs_h *g = opaque;
  guestfs_int_launch_phase (g, "appliance: %s", msg);
}

int
guestfs_int_get_appliance (guestfs_h *g, struct hatch_appliance *app)
{
  char *err = NULL;
  int r;
  if (g->path && *g->path) {
    r = hatch_appliance_from_dir (g->path, app, &err);
  }
  else {
    char *cachedir = guestfs_impl_get_cachedir (g);
    const char *daemon = getenv ("HATCH_DAEMON");
    const char *init = getenv ("HATCH_INIT");
    struct hatch_appliance_inputs in = {
      .cachedir = cachedir,
      .daemon_path = daemon && *daemon ? daemon : HATCH_DAEMON_PATH,
      .init_path = init && *init ? init : HATCH_INIT_PATH,
      .packages_path = HATCH_PACKAGES_PATH,
      .verbose = g->verbose,
      .log_fn = appliance_log,
      .log_opaque = g,
    };
    r = hatch_appliance_prepare (&in, app, &err);
    free (cachedir);
  }
  if (r == -1) {
    error (g, "launch: %s", err ? err : "could not prepare the appliance");
    free (err);
    return -1;
  }
  return 0;
}

/* The appliance kernel's command line.  Under TCG every instruction of
 * the boot counts; measured with qemu's -icount (guest instructions from
 * the kernel's entry to /init, which do not depend on the host's load):
 * rodata=off skips write-protecting the kernel's memory and checking
 * every mapping for W+X pages afterwards (126 of 793 million
 * instructions; the appliance is treated as hostile by the host anyway,
 * so this hardening of its kernel buys the host nothing), and with one
 * vCPU noapictimer leaves the tick to the HPET (or PIT) instead of
 * calibrating the local APIC timer against it for 100 ms of guest time
 * (59 million instructions).  acpi=off would save 70 million more, but
 * without ACPI the kernel finds no HPET, cannot calibrate the TSC and
 * falls back to jiffies.  scsi_mod.scan=manual: init scans only the
 * SCSI targets that hold the user's drives (0, 1, ... up to the first
 * absent one) instead of all 256 the virtio-scsi host allows, each absent
 * target costing the kernel a device set up and torn down (the boot to the
 * daemon: about 150 million instructions fewer); init then sets the scan
 * mode back so that hot-added drives are found as before.
 *
 * Some costs are the host's, not the guest's instructions, and show only
 * in wall-clock A/B runs (cold `guestfish -a disk run`, medians of 10,
 * alternating):
 * - noreplace-smp: with one CPU the kernel rewrote every LOCK prefix of
 *   its own code (9 000 of them) and of each module it loaded, one
 *   text_poke each; under TCG every poke is a TLB flush and the
 *   invalidation of the translated code of that page.  2.05 -> 1.69 s.
 *   A LOCK prefix costs nothing under TCG with one vCPU.
 * - initcall_blacklist: built-in set-ups the appliance never uses:
 *   kprobe events, trace_printk's export, a KDF self-test, the kernel's
 *   X.509 keyring (the modules' signatures are stripped anyway), the PS/2
 *   controller probe, /dev/snapshot, /dev/cpu/N/msr, Intel SoC sideband;
 *   and every registration of BPF kfuncs, the first of which parses the
 *   kernel's whole BTF (40-60 ms; the boot modules' own BTF is hidden by
 *   the appliance builder for the same reason).  A name a kernel does not
 *   have is ignored.
 * - ipv6.disable=1 without a network: the stack's set-up, ~12 ms.
 * Together with the two above: 1.99 -> 1.71 s. */
char *
guestfs_int_appliance_cmdline (guestfs_h *g)
{
  char *r;
  if (asprintf (&r, "console=ttyS0 panic=-1 reboot=t no_timer_check tsc=reliable "
                "cryptomgr.notests rcupdate.rcu_expedited=1 8250.nr_uarts=1 "
                "random.trust_cpu=on mitigations=off pci=noearly scsi_mod.scan=manual "
                "rodata=off noreplace-smp "
                "initcall_blacklist=init_kprobe_trace,init_trace_printk_function_export,"
                "crypto_kdf108_init,load_system_certificate_list,i8042_init,"
                "snapshot_device_init,msr_init,iosf_mbi_init,cubictcp_register,"
                "bpf_rstat_kfunc_init,bpf_key_sig_kfuncs_init,kfunc_init,"
                "bpf_prog_test_run_init,bpf_tcp_ca_kfunc_init "
                "%s%s%s%s%s",
                g->smp == 1 ? "noapictimer " : "",
                g->verbose ? "guestfs_verbose=1 loglevel=7" : "quiet loglevel=3",
                g->network ? " guestfs_network=1" : " ipv6.disable=1",
                g->append ? " " : "", g->append ? g->append : "") == -1)
    return NULL;
  return r;
}

int
guestfs_int_make_sockdir (guestfs_h *g)
{
  if (g->sockdir)             /* get_sockdir may have made it already */
    return 0;
  char *tmpdir = guestfs_impl_get_tmpdir (g);
  if (asprintf (&g->sockdir, "%s/libguestfsXXXXXX", tmpdir) == -1 || !mkdtemp (g->sockdir)) {
    guestfs_int_perrorf (g, "launch: mkdtemp: %s", tmpdir);
    free (tmpdir);
    free (g->sockdir);
    g->sockdir = NULL;
    return -1;
  }
  free (tmpdir);
  return 0;
}

int
guestfs_int_create_scratch_drives (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->scratch_size <= 0 || d->filename)
      continue;
    if (asprintf (&d->filename, "%s/scratch%zu.img", g->sockdir, i) == -1) {
      d->filename = NULL;
      guestfs_int_perrorf (g, "asprintf");
      return -1;
    }
    int fd = open (d->filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd == -1 || ftruncate (fd, d->scratch_size) == -1) {
      guestfs_int_perrorf (g, "scratch drive: %s", d->filename);
      if (fd >= 0) close (fd);
      return -1;
    }
    close (fd);
  }
  return 0;
}

char *
guestfs_int_bulk_file (guestfs_h *g)
{
  char *path;
  if (!g->sockdir || asprintf (&path, "%s/bulk.img", g->sockdir) == -1)
    return NULL;
  if (g->bulk_fd >= 0)
    return path;
  /* Sparse: only the slots a transfer used take room. */
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd == -1 || ftruncate (fd, (off_t) HATCH_BULK_DISK_SIZE) == -1) {
    debug (g, "bulk data disk %s: %s: file streams use the channel only",
           path, strerror (errno));
    if (fd >= 0)
      close (fd);
    free (path);
    return NULL;
  }
  g->bulk_fd = fd;
  return path;
}

void
guestfs_int_bulk_close (guestfs_h *g)
{
  if (g->bulk_fd >= 0)
    close (g->bulk_fd);
  g->bulk_fd = -1;
  g->bulk_ok = false;
}

void
guestfs_int_remove_sockdir (guestfs_h *g)
{
  if (!g->sockdir)
    return;
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->scratch_size > 0 && d->filename) {
      free (d->filename);
      d->filename = NULL;
    }
  }
  /* Everything in it is ours (sockets, scratch drives, overlays): the
   * directory is private and flat. */
  DIR *dir = opendir (g->sockdir);
  if (dir) {
    struct dirent *e;
    while ((e = readdir (dir)) != NULL)
      if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
        unlinkat (dirfd (dir), e->d_name, 0);
    closedir (dir);
  }
  rmdir (g->sockdir);
  free (g->sockdir);
  g->sockdir = NULL;
}

int
guestfs_int_listen_socket (guestfs_h *g, const char *path, uid_t owner, gid_t group)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path) {
    error (g, "launch: socket path too long: %s (set TMPDIR to a shorter directory)", path);
    return -1;
  }
  strcpy (sa.sun_path, path);
  unlink (path);
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1 || bind (s, (struct sockaddr *) &sa, sizeof sa) == -1 || listen (s, 1) == -1 ||
      (owner != (uid_t) -1 && owner != geteuid () && chown (path, owner, group) == -1)) {
    guestfs_int_perrorf (g, "launch: socket %s", path);
    if (s >= 0) close (s);
    return -1;
  }
  return s;
}

long
guestfs_int_ms_since (const struct timespec *t0)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

void
guestfs_int_xml_put (FILE *f, const char *s)
{
  for (; s && *s; s++) {
    switch (*s) {
    case '&': fputs ("&amp;", f); break;
    case '<': fputs ("&lt;", f); break;
    case '>': fputs ("&gt;", f); break;
    case '\'': fputs ("&apos;", f); break;
    case '"': fputs ("&quot;", f); break;
    default: fputc (*s, f);
    }
  }
}
