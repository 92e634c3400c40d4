/* The direct backend: run qemu ourselves.
 *
 * The appliance's own devices are one constant configuration (root disk
 * on virtio-blk, the channel on virtio-serial, an rng), so that a saved
 * appliance state could be restored later; the user's drives go on a
 * virtio-scsi controller as scsi-hd devices, which the appliance sees as
 * /dev/sda, /dev/sdb ... in the order they were added. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include "protocol-gen.h"
#include "appliance/appliance.h"

const char *guestfs_int_api_hash = HATCH_API_HASH;

#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

struct argv_builder {
  char **v;
  size_t n, cap;
  bool failed;
};

static void
add_arg (struct argv_builder *b, const char *s)
{
  if (b->failed)
    return;
  if (b->n + 2 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    char **p = realloc (b->v, cap * sizeof *p);
    if (!p) { b->failed = true; return; }
    b->v = p;
    b->cap = cap;
  }
  if (!(b->v[b->n] = strdup (s))) { b->failed = true; return; }
  b->v[++b->n] = NULL;
}

static void add_argf (struct argv_builder *b, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

static void
add_argf (struct argv_builder *b, const char *fmt, ...)
{
  char *s;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (r == -1) { b->failed = true; return; }
  add_arg (b, s);
  free (s);
}

/* qemu -drive values: commas in file names are doubled. */
static char *
qemu_escape (const char *s)
{
  size_t n = 0;
  for (const char *p = s; *p; ++p) n += *p == ',' ? 2 : 1;
  char *r = malloc (n + 1), *q = r;
  if (!r) return NULL;
  for (const char *p = s; *p; ++p) {
    *q++ = *p;
    if (*p == ',') *q++ = ',';
  }
  *q = '\0';
  return r;
}

static bool
has_setting (guestfs_h *g, const char *name)
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

static int direct_shutdown (guestfs_h *g, bool check_errors);
static bool wait_qemu (guestfs_h *g, int ms, int *status);

static int
get_appliance (guestfs_h *g, struct hatch_appliance *app)
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

static int
create_scratch_drives (guestfs_h *g)
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

static char **
build_qemu_argv (guestfs_h *g, const struct hatch_appliance *app,
                 const char *sockpath, bool kvm)
{
  struct argv_builder b = { 0 };
  add_arg (&b, g->hv);
  add_arg (&b, "-no-user-config");
  add_arg (&b, "-nodefaults");
  /* Confinement: qemu may not exec, change its privileges or scheduling,
   * or use obsolete system calls (seccomp), where it was built for it. */
  if (guestfs_int_hv_has_sandbox (g)) {
    add_arg (&b, "-sandbox");
    add_arg (&b, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
  }
  add_arg (&b, "-display");
  add_arg (&b, "none");
  add_arg (&b, "-no-reboot");
  add_arg (&b, "-machine");
  add_argf (&b, "q35,accel=%s", kvm ? "kvm" : "tcg");
  add_arg (&b, "-cpu");
  /* Without ERMS/FSRM the guest's kernel and libc copy memory with plain
   * moves, which TCG runs far faster than emulated "rep movsb"
   * (measured: downloads 2-3x, uploads 1.4x, calls 15% faster). */
  add_arg (&b, kvm ? "host" : "max,erms=off,fsrm=off");
  add_arg (&b, "-m");
  add_argf (&b, "%d", g->memsize);
  add_arg (&b, "-smp");
  add_argf (&b, "%d", g->smp);
  /* qboot starts faster than SeaBIOS and is all a direct kernel boot needs. */
  if (access (QBOOT_ROM, R_OK) == 0 && guestfs_int_drives_allow_qboot (g)) {
    add_arg (&b, "-bios");
    add_arg (&b, QBOOT_ROM);
  }
  add_arg (&b, "-kernel");
  add_arg (&b, app->kernel);
  add_arg (&b, "-initrd");
  add_arg (&b, app->initrd);
  add_arg (&b, "-append");
  add_argf (&b, "console=ttyS0 panic=-1 reboot=t no_timer_check tsc=reliable "
            "cryptomgr.notests rcupdate.rcu_expedited=1 8250.nr_uarts=1 "
            "random.trust_cpu=on mitigations=off pci=noearly scsi_mod.scan=sync %s%s%s%s",
            g->verbose ? "guestfs_verbose=1 loglevel=7" : "quiet loglevel=3",
            g->network ? " guestfs_network=1" : "",
            g->append ? " " : "", g->append ? g->append : "");
  add_arg (&b, "-serial");
  add_arg (&b, "stdio");

  /* The appliance's constant devices. */
  char *root = qemu_escape (app->root);
  add_arg (&b, "-drive");
  add_argf (&b, "file=%s,format=raw,if=none,id=appliance,snapshot=on,cache=unsafe", root ? root : "");
  free (root);
  add_arg (&b, "-device");
  add_arg (&b, "virtio-blk-pci,drive=appliance");
  add_arg (&b, "-device");
  add_arg (&b, "virtio-serial-pci");
  add_arg (&b, "-chardev");
  char *sock = qemu_escape (sockpath);
  add_argf (&b, "socket,path=%s,id=channel0", sock ? sock : "");
  free (sock);
  add_arg (&b, "-device");
  add_arg (&b, "virtserialport,chardev=channel0,name=" HATCH_CHANNEL_NAME);
  add_arg (&b, "-object");
  add_arg (&b, "rng-random,filename=/dev/urandom,id=rng0");
  add_arg (&b, "-device");
  add_arg (&b, "virtio-rng-pci,rng=rng0");
  add_arg (&b, "-device");
  add_arg (&b, "virtio-scsi-pci,id=scsi");

  /* Networking only when asked for: qemu's user-mode network (SLIRP),
   * which init configures as 10.0.2.15/24 via 10.0.2.2, DNS 10.0.2.3. */
  if (g->network) {
    add_arg (&b, "-netdev");
    add_arg (&b, "user,id=usernet,net=10.0.2.0/24");
    add_arg (&b, "-device");
    add_arg (&b, "virtio-net-pci,netdev=usernet,romfile=");
  }

  /* The user's drives. */
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->qemu_object) {   /* a remote drive's secret (drive-source.c) */
      add_arg (&b, "-object");
      add_arg (&b, d->qemu_object);
    }
    char *file = qemu_escape (d->qemu_source ? d->qemu_source : d->filename);
    /* qemu locks images against a second writer; a character device such
     * as /dev/null is no image, and locking it would keep two programs
     * from both adding /dev/null. */
    struct stat st;
    bool chardev = !d->protocol && d->filename && stat (d->filename, &st) == 0 &&
                   S_ISCHR (st.st_mode);
    add_arg (&b, "-drive");
    add_argf (&b, "file=%s,if=none,id=hd%zu,cache=%s%s%s%s%s%s",
              file ? file : "", i,
              d->cachemode && strcmp (d->cachemode, "unsafe") == 0 ? "unsafe" : "writeback",
              d->format ? ",format=" : "", d->format ? d->format : "",
              d->readonly ? ",snapshot=on" : "",
              d->discard && strcmp (d->discard, "disable") != 0 ? ",discard=unmap" : "",
              chardev ? ",file.locking=off" : "");
    free (file);
    add_arg (&b, "-device");
    if (d->blocksize)
      add_argf (&b, "scsi-hd,drive=hd%zu,bus=scsi.0,channel=0,scsi-id=%zu,lun=0,"
                "logical_block_size=%d,physical_block_size=%d",
                i, i, d->blocksize, d->blocksize);
    else
      add_argf (&b, "scsi-hd,drive=hd%zu,bus=scsi.0,channel=0,scsi-id=%zu,lun=0", i, i);
  }
  /* guestfs_config parameters, last. */
  for (size_t i = 0; g->hv_params && g->hv_params[i] && g->hv_params[i + 1]; i += 2) {
    add_arg (&b, g->hv_params[i]);
    if (g->hv_params[i + 1][0])
      add_arg (&b, g->hv_params[i + 1]);
  }
  if (b.failed) {
    guestfs_int_free_string_list (b.v);
    guestfs_int_perrorf (g, "building the qemu command line");
    return NULL;
  }
  return b.v;
}

static int
make_socket (guestfs_h *g, const char *path)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path) {
    error (g, "launch: socket path too long: %s (set TMPDIR to a shorter directory)", path);
    return -1;
  }
  strcpy (sa.sun_path, path);
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1 || bind (s, (struct sockaddr *) &sa, sizeof sa) == -1 || listen (s, 1) == -1) {
    guestfs_int_perrorf (g, "launch: socket %s", path);
    if (s >= 0) close (s);
    return -1;
  }
  return s;
}

static void
log_command (guestfs_h *g, char **argv)
{
  if (!g->verbose)
    return;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) return;
  for (size_t i = 0; argv[i]; ++i) {
    bool quote = strpbrk (argv[i], " ,=") != NULL && argv[i][0] != '-';
    fprintf (fp, "%s%s%s%s", i ? " \\\n    " : "", quote ? "'" : "", argv[i], quote ? "'" : "");
  }
  fclose (fp);
  guestfs_int_debug (g, "%s", buf);
  free (buf);
}

/* How long the guest may stay silent under KVM before we call KVM broken.
 * init prints one line as soon as it runs, even in quiet mode.  Measured
 * on this project's 2-core test machines, quiet mode, under TCG: that
 * line comes 1.5 s after qemu starts on an idle machine and 2.8-4.0 s
 * while two other appliances run.  KVM boots the same kernel many times
 * faster, so a KVM guest still silent after 10 s is not running (a
 * paravirtual host may stop the vCPU without a word). */
#define KVM_SILENCE_MS 10000

/* qemu's own words for a vCPU that KVM cannot run. */
static const char *const kvm_failure_marks[] = {
  "KVM internal error", "emulation failure", "kvm run failed",
  "KVM: entry failed", "failed to set MSR", "kvm_init_vcpu",
  "Could not access KVM kernel module", "failed to initialize kvm",
  "KVM_SET_", "KVM_GET_", "EFER=",
};

/* The console line holding the first KVM failure mark, or NULL. */
static char *
kvm_failure_line (guestfs_h *g)
{
  char *tail = guestfs_int_console_tail (g, 60);
  char *found = NULL;
  for (size_t i = 0; tail && !found && i < sizeof kvm_failure_marks / sizeof *kvm_failure_marks; ++i) {
    char *p = strstr (tail, kvm_failure_marks[i]);
    if (!p)
      continue;
    char *b = p;
    while (b > tail && b[-1] != '\n')
      b--;
    found = strndup (b, strcspn (b, "\n"));
  }
  free (tail);
  return found;
}

/* Known qemu failures, in words a user can act on.  The hint is prefixed
 * to the error; the console tail follows it. */
static const struct { const char *mark, *hint; } qemu_failures[] = {
  { "Failed to get \"write\" lock",
    "a disk image is in use by another program (qemu could not lock it): "
    "stop the other program, or add the drive read-only" },
  { "Failed to get shared \"write\" lock",
    "a disk image is in use by another program (qemu could not lock it): "
    "stop the other program, or add the drive read-only" },
  { "cannot set up guest memory",
    "not enough memory for the appliance: free some memory, or give it less "
    "with set_memsize / LIBGUESTFS_MEMSIZE" },
  { "Cannot allocate memory",
    "not enough memory for the appliance: free some memory, or give it less "
    "with set_memsize / LIBGUESTFS_MEMSIZE" },
  { "No such file or directory",
    "a file qemu needs is missing (a disk image removed after add_drive?)" },
  { "Permission denied",
    "qemu may not open a file it needs (check the disk images' permissions)" },
};

/* Oldest qemu whose options we use (PVH boot, q35, virtio-scsi, -cpu max
 * with feature flags). */
#define QEMU_MIN_MAJOR 4
#define QEMU_MIN_MINOR 2

/* "qemu X.Y is too old" when g->hv says so, else NULL.  Asked only after
 * qemu failed, so a working launch never pays for it. */
static char *
qemu_too_old (guestfs_h *g)
{
  char *out = guestfs_int_hv_query (g, (const char *const[]) { "-version", NULL });
  const char *v = out ? strstr (out, "version ") : NULL;
  int major, minor;
  bool old = v && sscanf (v + 8, "%d.%d", &major, &minor) == 2 &&
    (major < QEMU_MIN_MAJOR || (major == QEMU_MIN_MAJOR && minor < QEMU_MIN_MINOR));
  free (out);
  char *msg;
  if (!old ||
      asprintf (&msg, "%s is qemu %d.%d, too old: Hatch needs qemu %d.%d or later "
                "(install a newer qemu-system-x86, or name one with LIBGUESTFS_HV)",
                g->hv, major, minor, QEMU_MIN_MAJOR, QEMU_MIN_MINOR) == -1)
    return NULL;
  return msg;
}

/* qemu exited before the daemon said hello: one error naming the cause. */
static void
qemu_exited_error (guestfs_h *g, int status)
{
  guestfs_int_drain_console (g);
  char *tail = guestfs_int_console_tail (g, 12);
  char how[64];
  if (WIFSIGNALED (status))
    snprintf (how, sizeof how, "was killed by signal %d", WTERMSIG (status));
  else
    snprintf (how, sizeof how, "exited with status %d", WEXITSTATUS (status));
  char *hint = NULL;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && tail &&
      strstr (tail, "No such file or directory") &&
      asprintf (&hint, "the hypervisor %s was not found (install qemu-system-x86, "
                "or name one with LIBGUESTFS_HV / set_hv)", g->hv) == -1)
    hint = NULL;
  if (!hint)
    hint = qemu_too_old (g);
  for (size_t i = 0; !hint && tail && i < sizeof qemu_failures / sizeof *qemu_failures; ++i)
    if (strstr (tail, qemu_failures[i].mark))
      hint = strdup (qemu_failures[i].hint);
  error (g, "launch: qemu %s before the appliance started%s%s%s%s",
         how, hint ? ": " : "", hint ? hint : "",
         tail && *tail ? "\nlast lines of the appliance console:\n" : "",
         tail ? tail : "");
  free (hint);
  free (tail);
}

enum start_result { STARTED = 0, START_FAILED = -1, KVM_FAILED = -2 };

/* Kill the qemu of a failed start and forget its connection, keeping the
 * handle's temporary directory for the next attempt. */
static void
abandon_qemu (guestfs_h *g)
{
  guestfs_int_stop_recovery (g);
  if (g->qemu_pid > 0) {
    kill (g->qemu_pid, SIGKILL);
    waitpid (g->qemu_pid, NULL, 0);
    g->qemu_pid = 0;
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  if (g->console_fd >= 0) {
    close (g->console_fd);
    g->console_fd = -1;
  }
}

static long
ms_since (const struct timespec *t0)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Start qemu on app with the given accelerator and wait for the daemon's
 * hello.  With kvm_fallback, a KVM that does not run the appliance
 * (qemu's KVM error on the console, qemu dying, or a silent guest) returns
 * KVM_FAILED with the reason in why, qemu already gone; the caller boots
 * again under TCG. */
static enum start_result
start_appliance (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
                 bool kvm_fallback, int timeout_ms, char *why, size_t whylen)
{
  enum start_result ret = START_FAILED;
  char **argv = NULL;
  int lsock = -1;
  char *sockpath = NULL;
  int console[2] = { -1, -1 };

  g->kvm_used = kvm;
  g->console_total = 0;
  guestfs_int_launch_phase (g, "accelerator: %s", kvm ? "kvm" : "tcg");
  if (asprintf (&sockpath, "%s/guestfsd.sock", g->sockdir) == -1) {
    sockpath = NULL;
    guestfs_int_perrorf (g, "asprintf");
    goto out;
  }
  unlink (sockpath);
  lsock = make_socket (g, sockpath);
  if (lsock == -1)
    goto out;
  argv = build_qemu_argv (g, app, sockpath, kvm);
  if (!argv)
    goto out;
  log_command (g, argv);

  /* qemu's serial port is on its stdio: a socketpair makes the console
   * two-way (we read its output, and internal_get_console_socket lets a
   * caller type into it).  set_direct leaves the program's own stdin and
   * stdout to qemu instead. */
  if (!g->direct_mode &&
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) == -1) {
    guestfs_int_perrorf (g, "socketpair");
    goto out;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "fork");
    goto out;
  }
  if (pid == 0) {
    /* With set_pgroup, qemu gets its own process group so that ^C in
     * the program's terminal does not reach it. */
    if (g->pgroup)
      setpgid (0, 0);
    if (!g->direct_mode) {
      dup2 (console[1], 0);
      dup2 (console[1], 1);
      dup2 (console[1], 2);
    }
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s\n", argv[0], strerror (errno));
    _exit (127);
  }
  g->qemu_pid = pid;
  guestfs_int_start_recovery (g);
  if (console[1] >= 0)
    close (console[1]);
  console[1] = -1;
  g->console_fd = console[0];
  console[0] = -1;
  if (g->console_fd >= 0)
    fcntl (g->console_fd, F_SETFL, O_NONBLOCK);
  guestfs_int_launch_phase (g, "qemu started (pid %d)", (int) pid);

  /* Wait until the daemon starts talking: first qemu connects to our
   * socket (at its start), then the guest boots and the daemon writes its
   * hello.  Meanwhile watch the console and qemu itself. */
  struct timespec start;
  clock_gettime (CLOCK_MONOTONIC, &start);
  bool exited = false, guest_spoke = false;
  int exit_status = 0;
  uint64_t seen = 0;
  for (;;) {
    struct pollfd p[2] = {
      { .fd = g->sock >= 0 ? g->sock : lsock, .events = POLLIN },
      { .fd = g->console_fd, .events = POLLIN },
    };
    int r = poll (p, g->console_fd >= 0 ? 2 : 1, 100);
    if (r > 0 && p[0].revents) {
      if (g->sock < 0) {
        g->sock = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (g->sock >= 0) {
          close (lsock);
          lsock = -1;
          unlink (sockpath);
          guestfs_int_launch_phase (g, "qemu connected to the channel; waiting for the daemon");
        }
      }
      else {
        char c;
        if (recv (g->sock, &c, 1, MSG_PEEK) > 0)
          break;                /* the daemon's hello is arriving */
        /* The channel closed: qemu is on its way out.  Give it a moment
         * so that its exit (and why) is reported below. */
        int st;
        if (!wait_qemu (g, 2000, &st))
          kill (pid, SIGKILL);
        else {
          g->qemu_pid = 0;
          exited = true;
          exit_status = st;
        }
      }
    }
    if (g->console_fd >= 0 && r > 0 && p[1].revents)
      guestfs_int_drain_console (g);

    if (kvm) {
      char *line = kvm_failure_line (g);
      if (line) {
        if (kvm_fallback) {
          snprintf (why, whylen, "qemu reported: %s", line);
          ret = KVM_FAILED;
        }
        else
          error (g, "launch: KVM cannot run the appliance (force_kvm is set): %s", line);
        free (line);
        goto out;
      }
      if (kvm_fallback && !guest_spoke && g->console_total > seen) {
        /* qemu's own warnings share the console: only the kernel's
         * timestamped lines or init's count as the guest's. */
        seen = g->console_total;
        char *tail = guestfs_int_console_tail (g, 60);
        guest_spoke = tail && (strstr (tail, "hatch-init:") || strstr (tail, "[    "));
        free (tail);
      }
      if (kvm_fallback && !guest_spoke && ms_since (&start) > KVM_SILENCE_MS) {
        snprintf (why, whylen, "the guest printed nothing in %d s under KVM",
                  KVM_SILENCE_MS / 1000);
        ret = KVM_FAILED;
        goto out;
      }
    }
    int status = exit_status;
    if (exited || waitpid (pid, &status, WNOHANG) == pid) {
      g->qemu_pid = 0;
      guestfs_int_drain_console (g);
      if (kvm && kvm_fallback) {
        char *line = kvm_failure_line (g);
        snprintf (why, whylen, "qemu %s %d before the appliance started%s%s",
                  WIFSIGNALED (status) ? "was killed by signal" : "exited with status",
                  WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status),
                  line ? ": " : "", line ? line : "");
        free (line);
        ret = KVM_FAILED;
      }
      else
        qemu_exited_error (g, status);
      goto out;
    }
    if (ms_since (&start) > timeout_ms) {
      guestfs_int_drain_console (g);
      char *tail = guestfs_int_console_tail (g, 12);
      error (g, "launch: timed out after %d s waiting for the appliance to start%s%s",
             timeout_ms / 1000, tail && *tail ? "\nlast lines of the appliance console:\n" : "",
             tail ? tail : "");
      free (tail);
      goto out;
    }
  }

  long left = timeout_ms - ms_since (&start);
  if (guestfs_int_wait_hello (g, left > 1000 ? (int) left : 1000) == -1)
    goto out;
  ret = STARTED;

 out:
  if (ret != STARTED)
    abandon_qemu (g);
  if (lsock >= 0) close (lsock);
  if (console[0] >= 0) close (console[0]);
  if (console[1] >= 0) close (console[1]);
  if (sockpath) unlink (sockpath);
  guestfs_int_free_string_list (argv);
  free (sockpath);
  return ret;
}

static int
direct_launch (guestfs_h *g)
{
  struct hatch_appliance app = { 0 };
  /* Under TCG a launch takes a few seconds; two minutes means it is stuck. */
  int timeout_ms = 120 * 1000;
  const char *t = getenv ("HATCH_LAUNCH_TIMEOUT");
  if (t && atoi (t) > 0)
    timeout_ms = atoi (t) * 1000;

  /* get_sockdir may have made the directory already. */
  if (!g->sockdir) {
    char *tmpdir = guestfs_impl_get_tmpdir (g);
    if (asprintf (&g->sockdir, "%s/libguestfsXXXXXX", tmpdir) == -1 || !mkdtemp (g->sockdir)) {
      guestfs_int_perrorf (g, "launch: mkdtemp: %s", tmpdir);
      free (tmpdir);
      free (g->sockdir);
      g->sockdir = NULL;
      return -1;
    }
    free (tmpdir);
  }
  guestfs_int_launch_phase (g, "begin launch (backend direct, temporary directory %s)", g->sockdir);

  if (get_appliance (g, &app) == -1)
    goto fail;
  guestfs_int_launch_phase (g, "appliance ready: kernel %s%s, initrd %s, root %s",
                            app.kernel, app.kernel_is_pvh ? " (PVH)" : "", app.initrd, app.root);
  if (create_scratch_drives (g) == -1 || guestfs_int_drive_sources (g) == -1)
    goto fail;

  bool force_kvm = has_setting (g, "force_kvm");
  bool kvm = !has_setting (g, "force_tcg") && (force_kvm || guestfs_int_kvm_usable (g));
  char why[512] = "";
  enum start_result r = start_appliance (g, &app, kvm, !force_kvm, timeout_ms, why, sizeof why);
  if (r == KVM_FAILED) {
    /* The one line -v shows about it; the verdict is cached so that the
     * next launches go straight to TCG. */
    debug (g, "KVM dropped: %s; booting again under TCG", why);
    bool kvm_said_so = strncmp (why, "qemu reported:", 14) == 0;
    if (kvm_said_so)
      guestfs_int_kvm_record_failure (g);
    g->console_pos = 0;
    g->console_wrapped = false;
    g->console_line_len = 0;
    r = start_appliance (g, &app, false, false, timeout_ms, why, sizeof why);
    /* Where TCG boots what KVM did not, KVM was the cause. */
    if (r == STARTED && !kvm_said_so)
      guestfs_int_kvm_record_failure (g);
  }
  if (r != STARTED)
    goto fail;
  guestfs_int_launch_phase (g, "daemon ready: launch finished");
  hatch_appliance_free (&app);
  return 0;

 fail:
  hatch_appliance_free (&app);
  direct_shutdown (g, false);
  return -1;
}

/* Wait up to ms milliseconds for qemu to exit; returns true if it did. */
static bool
wait_qemu (guestfs_h *g, int ms, int *status)
{
  for (int waited = 0; waited <= ms; waited += 10) {
    pid_t r = waitpid (g->qemu_pid, status, WNOHANG);
    if (r == g->qemu_pid || (r == -1 && errno == ECHILD))
      return true;
    guestfs_int_drain_console (g);
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  return false;
}

static void
remove_sockdir (guestfs_h *g)
{
  if (!g->sockdir)
    return;
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->scratch_size > 0 && d->filename) {
      unlink (d->filename);
      free (d->filename);
      d->filename = NULL;
    }
  }
  char *p;
  if (asprintf (&p, "%s/guestfsd.sock", g->sockdir) != -1) {
    unlink (p);
    free (p);
  }
  rmdir (g->sockdir);
  free (g->sockdir);
  g->sockdir = NULL;
}

static int
direct_shutdown (guestfs_h *g, bool check_errors)
{
  int ret = 0;
  /* Before qemu is reaped, so the recovery process can never kill a
   * recycled pid. */
  guestfs_int_stop_recovery (g);
  bool asked_daemon = false;
  if (g->sock >= 0 && g->state == READY) {
    asked_daemon = true;
    if (guestfs_int_daemon_exit (g) == -1 && check_errors) {
      error (g, "shutdown: the daemon did not exit cleanly");
      ret = -1;
    }
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  if (g->qemu_pid > 0) {
    int status = 0;
    /* After the daemon's exit, qemu powers off by itself; otherwise (a
     * dead or stuck appliance) there is nothing to wait for: SIGTERM
     * still lets qemu flush its disk caches. */
    if (!wait_qemu (g, asked_daemon ? 3000 : 0, &status)) {
      kill (g->qemu_pid, SIGTERM);
      kill (g->qemu_pid, SIGCONT);    /* a frozen (stopped) qemu acts on it too */
      if (!wait_qemu (g, 2000, &status)) {
        kill (g->qemu_pid, SIGKILL);
        waitpid (g->qemu_pid, &status, 0);
      }
    }
    else if (check_errors && WIFEXITED (status) && WEXITSTATUS (status) != 0) {
      error (g, "shutdown: qemu exited with status %d", WEXITSTATUS (status));
      ret = -1;
    }
    g->qemu_pid = 0;
    guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_SUBPROCESS_QUIT);
  }
  if (g->console_fd >= 0) {
    guestfs_int_drain_console (g);
    if (g->console_fd >= 0)
      close (g->console_fd);
    g->console_fd = -1;
  }
  guestfs_int_console_release (g);
  remove_sockdir (g);
  g->state = CONFIG;
  return ret;
}

const struct backend_ops guestfs_int_backend_direct = {
  .name = "direct",
  .launch = direct_launch,
  .shutdown = direct_shutdown,
};
