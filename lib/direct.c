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
    add_arg (&b, "-drive");
    add_argf (&b, "file=%s,if=none,id=hd%zu,cache=%s%s%s%s%s",
              file ? file : "", i,
              d->cachemode && strcmp (d->cachemode, "unsafe") == 0 ? "unsafe" : "writeback",
              d->format ? ",format=" : "", d->format ? d->format : "",
              d->readonly ? ",snapshot=on" : "",
              d->discard && strcmp (d->discard, "disable") != 0 ? ",discard=unmap" : "");
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

int
guestfs_int_direct_launch (guestfs_h *g)
{
  struct hatch_appliance app = { 0 };
  char **argv = NULL;
  int lsock = -1;
  char *sockpath = NULL;
  int console[2] = { -1, -1 };
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

  bool kvm;
  if (has_setting (g, "force_tcg"))
    kvm = false;
  else if (has_setting (g, "force_kvm"))
    kvm = true;
  else
    kvm = guestfs_int_kvm_usable (g);
  g->kvm_used = kvm;
  guestfs_int_launch_phase (g, "accelerator: %s", kvm ? "kvm" : "tcg");

  if (asprintf (&sockpath, "%s/guestfsd.sock", g->sockdir) == -1) {
    sockpath = NULL;
    goto fail;
  }
  lsock = make_socket (g, sockpath);
  if (lsock == -1)
    goto fail;
  argv = build_qemu_argv (g, &app, sockpath, kvm);
  if (!argv)
    goto fail;
  log_command (g, argv);

  /* qemu's serial port is on its stdio: a socketpair makes the console
   * two-way (we read its output, and internal_get_console_socket lets a
   * caller type into it).  set_direct leaves the program's own stdin and
   * stdout to qemu instead. */
  if (!g->direct_mode &&
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) == -1) {
    guestfs_int_perrorf (g, "socketpair");
    goto fail;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "fork");
    goto fail;
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

  /* Wait for qemu to connect to our socket, watching its console. */
  struct timespec start;
  clock_gettime (CLOCK_MONOTONIC, &start);
  for (;;) {
    struct pollfd p[2] = {
      { .fd = lsock, .events = POLLIN },
      { .fd = g->console_fd, .events = POLLIN },
    };
    int r = poll (p, g->console_fd >= 0 ? 2 : 1, 200);
    if (r > 0 && p[0].revents) {
      g->sock = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (g->sock >= 0)
        break;
    }
    if (g->console_fd >= 0 && r > 0 && p[1].revents)
      guestfs_int_drain_console (g);
    int status;
    if (waitpid (pid, &status, WNOHANG) == pid) {
      g->qemu_pid = 0;
      guestfs_int_drain_console (g);
      char *tail = guestfs_int_console_tail (g, 12);
      error (g, "launch: qemu exited before connecting to the daemon channel%s%s",
             tail && *tail ? ":\n" : "", tail ? tail : "");
      free (tail);
      goto fail;
    }
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000 > timeout_ms) {
      error (g, "launch: timed out waiting for qemu to start");
      goto fail;
    }
  }
  close (lsock);
  lsock = -1;
  unlink (sockpath);
  guestfs_int_launch_phase (g, "qemu connected to the channel; waiting for the daemon");

  if (guestfs_int_wait_hello (g, timeout_ms) == -1)
    goto fail;
  guestfs_int_launch_phase (g, "daemon ready: launch finished");

  guestfs_int_free_string_list (argv);
  free (sockpath);
  hatch_appliance_free (&app);
  return 0;

 fail:
  if (lsock >= 0) close (lsock);
  if (console[0] >= 0) close (console[0]);
  if (console[1] >= 0) close (console[1]);
  guestfs_int_free_string_list (argv);
  free (sockpath);
  hatch_appliance_free (&app);
  guestfs_int_direct_shutdown (g, false);
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

int
guestfs_int_direct_shutdown (guestfs_h *g, bool check_errors)
{
  int ret = 0;
  /* Before qemu is reaped, so the recovery process can never kill a
   * recycled pid. */
  guestfs_int_stop_recovery (g);
  if (g->sock >= 0 && g->state == READY) {
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
    if (!wait_qemu (g, 3000, &status)) {
      kill (g->qemu_pid, SIGTERM);
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
