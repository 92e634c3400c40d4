/* What every backend that boots the appliance shares: the appliance
 * itself (found or built), its kernel command line, the handle's private
 * temporary directory, the scratch drives, the backend settings, and
 * how a boot is watched (the launch timeout, the guest's silence).
 * direct.c renders the VM as a qemu command line, libvirt-backend.c as a
 * libvirt domain; neither knows these things on its own. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

#if defined(__x86_64__)
static uint64_t
read_tsc (void)
{
  uint32_t lo, hi;
  __asm__ __volatile__ ("rdtsc" : "=a" (lo), "=d" (hi));
  return (uint64_t) hi << 32 | lo;
}

/* A TSC reading and the raw monotonic time in ns at the same moment: of a
 * few tries, the one with the clock reads closest around it. */
static void
tsc_sample (uint64_t *tsc, int64_t *ns)
{
  int64_t best = INT64_MAX;
  for (int i = 0; i < 8; i++) {
    struct timespec a, b;
    clock_gettime (CLOCK_MONOTONIC_RAW, &a);
    uint64_t t = read_tsc ();
    clock_gettime (CLOCK_MONOTONIC_RAW, &b);
    int64_t na = a.tv_sec * 1000000000LL + a.tv_nsec, nb = b.tv_sec * 1000000000LL + b.tv_nsec;
    if (nb - na < best) {
      best = nb - na;
      *tsc = t;
      *ns = na + (nb - na) / 2;
    }
  }
}

static long
measure_tsc_khz (void)
{
  /* A TSC that changes rate or stops in idle is no clock to give. */
  FILE *f = fopen ("/proc/cpuinfo", "re");
  char line[4096];
  bool constant = false, nonstop = false;
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "flags", 5) == 0) {
      constant = strstr (line, " constant_tsc") != NULL;
      nonstop = strstr (line, " nonstop_tsc") != NULL;
      break;
    }
  if (f)
    fclose (f);
  if (!constant || !nonstop)
    return 0;
  /* Two 20 ms spans must agree to 0.01 %. */
  double k[2];
  for (int i = 0; i < 2; i++) {
    uint64_t t0, t1;
    int64_t n0, n1;
    tsc_sample (&t0, &n0);
    struct timespec d = { 0, 20 * 1000 * 1000 };
    while (nanosleep (&d, &d) == -1 && errno == EINTR)
      ;
    tsc_sample (&t1, &n1);
    if (n1 <= n0 || t1 <= t0)
      return 0;
    k[i] = (double) (t1 - t0) * 1e6 / (double) (n1 - n0);
  }
  double mid = (k[0] + k[1]) / 2;
  if (mid < 1e5 || mid > 1e7 || (k[0] > k[1] ? k[0] - k[1] : k[1] - k[0]) > mid / 10000)
    return 0;
  return (long) (mid + 0.5);
}
#endif

/* The host's TSC rate in kHz, or 0 when it is not known to be a steady
 * clock.  Under TCG qemu's guest reads the host's TSC (offset, not
 * scaled), so this is the guest's rate too.  Measured once per host boot
 * (40 ms) and kept in the per-user cache ("host-tsc", by boot id), so that
 * every launch of a boot passes the same value (the command line is part
 * of a saved appliance state's key). */
static long
host_tsc_khz (guestfs_h *g)
{
#if defined(__x86_64__)
  char *id = guestfs_int_boot_id ();
  char *v = id ? guestfs_int_cache_file_get (g, "host-tsc", id) : NULL;
  long khz = v ? strtol (v, NULL, 10) : -1;
  free (v);
  if (khz < 0) {
    khz = measure_tsc_khz ();
    char val[32];
    snprintf (val, sizeof val, "%ld", khz);
    if (id)
      guestfs_int_cache_file_put (g, "host-tsc", id, val, 8);
    debug (g, "host TSC: %ld kHz%s", khz, khz ? "" : " (not a steady clock: ACPI kept)");
  }
  free (id);
  return khz;
#else
  (void) g;
  return 0;
#endif
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
 * (59 million instructions).  scsi_mod.scan=manual: init scans only the
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
 *   have is ignored.  Later (initcall_debug, then cold boots A/B): the
 *   "encrypted" key type (it sets up a cbc(aes) cipher), IMA with no
 *   policy and no TPM, BLAKE2s's self-test, the PC speaker, the VGA
 *   arbiter, the function-graph tracer's and /proc/timer_list's files,
 *   /proc/kpage*: 1.62 -> 1.44 s (medians of 10, alternating).  Then
 *   tcp_congestion_default: with TCP cubic skipped, setting it as the
 *   default asked for the tcp_cubic module, a modprobe spawned (and
 *   failing) in the middle of the boot, 19 ms; TCP keeps Reno.  And
 *   synthetic trace events' files, AppArmor's policy files (no policy is
 *   ever loaded here) and zswap (no swap): 1.70 -> 1.50 s, B faster in
 *   9 of 10 pairs.  And trace_eval_init, which rewrote the print formats
 *   of all the kernel's ~2 000 trace events, replacing enum names by
 *   their values (only trace output uses them): 1.47 -> 1.33 s, faster
 *   in 10 of 10 pairs.  tracer_init_tracefs: the tracing files, among
 *   them a directory of six files for every one of those events, 87 ms
 *   (initcall_debug, read back with dmesg so that the serial console
 *   costs nothing): 1.70 -> 1.46 s, faster in 9 of 10 pairs (trace_event=
 *   and tp_printk still work: they need no files); with it /dev/hpet
 *   and the DesignWare UART driver, 8 ms each.  Then
 *   ftrace_check_for_weak_functions: a background worker looked up the
 *   symbol of each of the kernel's 40 000 function-tracing sites, to
 *   keep function tracing off the stubs of overridden weak functions
 *   (42 ms of the one vCPU; nothing in the appliance traces functions):
 *   1.39 -> 1.32 s and 1.20 -> 1.15 s, faster in 12 and 11 of 16 pairs.
 * - ipv6.disable=1 without a network: the stack's set-up, ~12 ms.
 * Together with the two above: 1.99 -> 1.71 s.
 * - lsm=capability: only the capability checks, none of the security
 *   modules a distribution kernel starts (AppArmor, TOMOYO, Landlock,
 *   Yama, BPF's hooks, IMA/EVM's); the appliance loads no policy for any
 *   of them, yet each open, stat, create and read went through all their
 *   hooks, and AppArmor's and Landlock's per-file and per-inode
 *   allocations.  One cold appliance per variant, 3 rounds each of tar_in
 *   and tar_out of 10 000 small files, 4 pairs in both orders: tar_out
 *   0.45-0.62 s against 0.53-0.62 s, the tar_in of a warm appliance
 *   1.28-1.45 s against 1.31-1.56 s.  SELinux labels are xattrs the
 *   daemon reads and writes as before (SELinux was never the active
 *   module here).
 * - acpi=off tsc_early_khz=N, under TCG when all of the memory is there
 *   at boot (no_acpi: a plain cold boot, not the boot whose state is saved;
 *   without ACPI the kernel does not know where memory may be hot-plugged
 *   and puts PCI BARs there).  N is the host's TSC rate, which is the
 *   guest's under TCG (host_tsc_khz).  Interpreting the firmware's ACPI
 *   tables and setting up its PCI routing, PnP devices and timers took
 *   ~0.2 s of the boot to /init: 1.91 -> 1.57 s.  Nothing else in such an
 *   appliance needs ACPI: its devices are virtio with MSI-X, and init ends
 *   the VM with a restart (qemu runs with -no-reboot, the libvirt domain
 *   has on_reboot destroy).  What the kernel did use from ACPI is the
 *   HPET, its reference for the TSC when the quick PIT calibration fails
 *   (TCG's timing sometimes makes it); with the rate given it needs none.
 *   When the rate is not known, ACPI stays on.
 * - module_blacklist=crc32c_intel,crct10dif_pclmul under TCG: these
 *   drivers use the CPU's crc32 and pclmulqdq instructions, which TCG
 *   emulates bit by bit (qemu's helper_crc32 loops over each bit).  ext4
 *   and jbd2 checksum every inode, bitmap and journal block they write
 *   with crc32c: a tar_in of 10 000 small files spent 14 % of qemu's time
 *   in that loop.  The table-driven crc32c_generic costs TCG far less:
 *   that tar_in took 2.01 s instead of 2.41 s (medians of 6,
 *   alternating).  Under KVM the instructions are the hardware's, so the
 *   drivers stay.  Init skips a blacklisted boot module. */
#define CMDLINE_MAX 2047     /* x86's COMMAND_LINE_SIZE, less its NUL */

char *
guestfs_int_appliance_cmdline (guestfs_h *g, bool kvm, bool no_acpi, const char *extra)
{
  char timing[64] = "";
  long khz = no_acpi ? host_tsc_khz (g) : 0;
  if (khz > 0)
    snprintf (timing, sizeof timing, " acpi=off tsc_early_khz=%ld", khz);
  char *r;
  if (asprintf (&r, "console=ttyS0 panic=-1 reboot=t no_timer_check tsc=reliable "
                "cryptomgr.notests rcupdate.rcu_expedited=1 8250.nr_uarts=1 "
                "random.trust_cpu=on mitigations=off pci=noearly scsi_mod.scan=manual "
                "rodata=off noreplace-smp lsm=capability "
                "initcall_blacklist=init_kprobe_trace,init_trace_printk_function_export,"
                "crypto_kdf108_init,load_system_certificate_list,i8042_init,"
                "snapshot_device_init,msr_init,iosf_mbi_init,cubictcp_register,"
                "bpf_rstat_kfunc_init,bpf_key_sig_kfuncs_init,kfunc_init,"
                "bpf_prog_test_run_init,bpf_tcp_ca_kfunc_init,"
                "init_encrypted,init_ima,blake2s_mod_init,add_pcspkr,"
                "vga_arb_device_init,init_graph_tracefs,init_timer_list_procfs,"
                "proc_page_init,tcp_congestion_default,trace_events_synth_init,"
                "aa_create_aafs,init_zswap,trace_eval_init,tracer_init_tracefs,"
                "hpet_init,dw8250_platform_driver_init,ftrace_check_for_weak_functions "
                "%s%s%s%s%s%s%s%s",
                kvm ? "" : "module_blacklist=crc32c_intel,crct10dif_pclmul ",
                g->smp == 1 ? "noapictimer " : "",
                g->verbose ? "guestfs_verbose=1 loglevel=7" : "quiet loglevel=3",
                g->network ? " guestfs_network=1" : " ipv6.disable=1", timing,
                g->append ? " " : "", g->append ? g->append : "", extra) == -1) {
    guestfs_int_perrorf (g, "launch: the kernel command line");
    return NULL;
  }
  /* The x86 kernel keeps the first 2047 bytes of its command line and
   * drops the rest without a word, which would lose the end of the
   * user's set_append and the backend's arguments after it. */
  if (strlen (r) > CMDLINE_MAX) {
    error (g, "launch: set_append: the appliance's kernel command line would be "
           "%zu bytes (%zu of them from set_append), over the kernel's limit of %d",
           strlen (r), g->append ? strlen (g->append) : (size_t) 0, CMDLINE_MAX);
    free (r);
    errno = E2BIG;
    return NULL;
  }
  return r;
}

/* A new private directory BASE/libguestfsXXXXXX (malloc'd), or NULL with
 * the error set. */
static char *
private_dir (guestfs_h *g, const char *base)
{
  char *dir;
  if (asprintf (&dir, "%s/libguestfsXXXXXX", base) == -1) {
    guestfs_int_perrorf (g, "asprintf");
    return NULL;
  }
  if (!mkdtemp (dir)) {
    guestfs_int_perrorf (g, "launch: mkdtemp: %s", dir);
    free (dir);
    return NULL;
  }
  return dir;
}

/* Sockets go under get_sockdir (XDG_RUNTIME_DIR or /tmp: short paths,
 * whatever TMPDIR is), files under get_tmpdir (where the user wants
 * big temporary files). */
int
guestfs_int_make_tmpdirs (guestfs_h *g)
{
  if (g->sockdir)
    return 0;
  char *sockbase = guestfs_impl_get_sockdir (g);
  char *tmpdir = guestfs_impl_get_tmpdir (g);
  int r = -1;
  if (!sockbase || !tmpdir || !(g->sockdir = private_dir (g, sockbase)))
    goto out;
  if (strcmp (sockbase, tmpdir) != 0)
    g->workdir = private_dir (g, tmpdir);
  else if (!(g->workdir = strdup (g->sockdir)))
    guestfs_int_perrorf (g, "strdup");
  if (!g->workdir) {
    rmdir (g->sockdir);
    free (g->sockdir);
    g->sockdir = NULL;
    goto out;
  }
  r = 0;
 out:
  free (sockbase);
  free (tmpdir);
  return r;
}

int
guestfs_int_create_scratch_drives (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->scratch_size <= 0 || d->filename)
      continue;
    if (asprintf (&d->filename, "%s/scratch%zu.img", g->workdir, i) == -1) {
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
  if (!g->workdir || asprintf (&path, "%s/bulk.img", g->workdir) == -1)
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
guestfs_int_remove_dir_files (const char *dir)
{
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd == -1)
    return;
  DIR *d = fdopendir (dfd);
  if (!d) {
    close (dfd);
    return;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      unlinkat (dfd, e->d_name, 0);
  closedir (d);
  rmdir (dir);
}

void
guestfs_int_remove_tmpdirs (guestfs_h *g)
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
  guestfs_int_remove_dir_files (g->workdir);
  if (strcmp (g->workdir, g->sockdir) != 0)
    guestfs_int_remove_dir_files (g->sockdir);
  free (g->sockdir);
  free (g->workdir);
  g->sockdir = g->workdir = NULL;
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

/* ---- Watching a boot (both backends) ---- */

int
guestfs_int_launch_timeout_ms (void)
{
  /* Under TCG a launch takes a few seconds; two minutes means it is
   * stuck. */
  const char *t = getenv ("HATCH_LAUNCH_TIMEOUT");
  int s = t ? atoi (t) : 0;
  return s > 0 && s < 86400 ? s * 1000 : 120 * 1000;
}

/* Does the guest's console reach us, so that its silence means
 * something?  Not when set_append names another console: the kernel's
 * console is the last console= on its command line. */
static bool
console_watched (guestfs_h *g)
{
  const char *last = NULL;
  for (const char *p = g->append; p && (p = strstr (p, "console=")); p += 8)
    if (p == g->append || p[-1] == ' ' || p[-1] == '\t')
      last = p + 8;
  return !last || (strncmp (last, "ttyS0", 5) == 0 && strchr (" \t,", last[5]));
}

/* Under TCG, init's first line comes within a few seconds (see
 * GUESTFS_KVM_SILENCE_MS); eight cold boots started at once on two cores
 * all finish their whole launch in 6.6 s here (9.6 s with two vCPUs
 * each).  A guest silent for a quarter of the launch timeout (30 s by
 * default; never less than 15 s) is not booting.  It happened once in
 * CI: a cold two-vCPU boot under TCG printed nothing for 120 s, where the
 * same boot takes 1.7 s (a hang in qemu's multi-threaded TCG or in the
 * kernel before its console; 450 such boots here, three at a time, did
 * not show it again).  The backends kill such a boot and start it again,
 * once. */
int
guestfs_int_tcg_silence_ms (guestfs_h *g, int timeout_ms)
{
  int ms = timeout_ms / 4 > 15000 ? timeout_ms / 4 : 15000;
  return ms < timeout_ms && console_watched (g) ? ms : 0;
}

bool
guestfs_int_guest_spoke (guestfs_h *g, uint64_t *seen)
{
  if (g->console_total == *seen)
    return false;
  *seen = g->console_total;
  /* qemu's own warnings share the console: only the kernel's
   * timestamped lines or init's count as the guest's. */
  char *tail = guestfs_int_console_tail (g, 60);
  bool spoke = tail && (strstr (tail, "hatch-init:") || strstr (tail, "[    "));
  free (tail);
  return spoke;
}

double
guestfs_int_cpu_seconds (pid_t pid)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* Fields 14 and 15 (utime, stime) count after the ")" that ends the
   * command name, which may hold spaces. */
  char *p = strrchr (buf, ')');
  unsigned long long ut, st;
  if (!p || sscanf (p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                    &ut, &st) != 2)
    return -1;
  long hz = sysconf (_SC_CLK_TCK);
  return hz > 0 ? (double) (ut + st) / (double) hz : -1;
}
