/* hatch-init: PID 1 of the appliance, statically linked, run from the
 * initramfs.  It loads the few kernel modules needed to see the root disk,
 * mounts the root image, switches to it, prepares the minimal runtime
 * environment the daemon's tools expect, runs the daemon, and powers the
 * machine off when the daemon exits (qemu runs with -no-reboot and so
 * exits).  No shell, no udev, no systemd: every step is a few system calls,
 * which is what makes the boot fast under TCG.
 *
 * Every wait is bounded; on any fatal error we print why on the console
 * and power off, so a launch never hangs.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <termios.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif
#ifndef MODULE_INIT_IGNORE_MODVERSIONS
#define MODULE_INIT_IGNORE_MODVERSIONS 1
#endif

#ifndef SYSLOG_ACTION_CONSOLE_OFF
#define SYSLOG_ACTION_CONSOLE_OFF 6
#endif

#define MODULE_LIST   "/modules/load"
#define MAX_LIST      65536
#define ROOT_WAIT_MS  30000     /* TCG on a loaded host can be very slow */
#define PORT_WAIT_MS  5000
#define DAEMON        "/usr/sbin/guestfsd"

static bool verbose;
static char cmdline[4096];
/* guestfs_memsize=MB: the appliance's memory, of which the kernel saw
 * only a base at boot; the rest comes later through a virtio-mem device
 * (lib/direct.c BASE_RAM_MB).  0: the kernel has all of its memory
 * from the start.  */
static unsigned long memsize_mb;

static double
uptime (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_BOOTTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress lines only in verbose mode; they cost console time under TCG.  */
static void __attribute__((format (printf, 1, 2)))
say (const char *fmt, ...)
{
  if (!verbose)
    return;
  char buf[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  dprintf (2, "[%8.3f] hatch-init: %s\n", uptime (), buf);
}

static void __attribute__((format (printf, 1, 2)))
warn (const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  dprintf (2, "[%8.3f] hatch-init: %s\n", uptime (), buf);
}

static void __attribute__((noreturn))
poweroff (void)
{
  sync ();
  /* Without ACPI (the library boots TCG appliances with acpi=off) the
   * kernel cannot switch the machine off, and would end in a panic; a
   * restart ends the VM as well: qemu runs with -no-reboot, and the
   * libvirt domain has on_reboot destroy. */
  reboot (access ("/sys/firmware/acpi", F_OK) == 0 ? RB_POWER_OFF : RB_AUTOBOOT);
  for (;;)                      /* PID 1 must never exit (kernel panic) */
    pause ();
}

static void __attribute__((noreturn, format (printf, 1, 2)))
die (const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  dprintf (2, "[%8.3f] hatch-init: ERROR: %s; powering off\n", uptime (), buf);
  poweroff ();
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static void
mount_or_die (const char *src, const char *dst, const char *type,
              unsigned long flags, const char *data)
{
  mkdir (dst, 0755);
  if (mount (src, dst, type, flags, data) < 0)
    die ("mount %s on %s (%s): %s", src, dst, type ? type : "-", strerror (errno));
}

/* The value of NAME=... on the kernel command line, or NULL.  */
static const char *
cmdline_get (const char *name, char *buf, size_t len)
{
  size_t nl = strlen (name);
  for (const char *p = cmdline; (p = strstr (p, name)) != NULL; p += nl) {
    if ((p != cmdline && p[-1] != ' ') || p[nl] != '=')
      continue;
    const char *v = p + nl + 1;
    size_t n = strcspn (v, " \n");
    if (n >= len)
      n = len - 1;
    memcpy (buf, v, n);
    buf[n] = '\0';
    return buf;
  }
  return NULL;
}

static void
read_cmdline (void)
{
  int fd = open ("/proc/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read (fd, cmdline, sizeof cmdline - 1);
    cmdline[n > 0 ? n : 0] = '\0';
    close (fd);
  }
  char v[16];
  verbose = cmdline_get ("guestfs_verbose", v, sizeof v) && !strcmp (v, "1");
  if (cmdline_get ("guestfs_memsize", v, sizeof v))
    memsize_mb = strtoul (v, NULL, 10);
}

/* Write a value to a file of sysfs or procfs.  */
static void
set_knob (const char *path, const char *value)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t w = fd >= 0 ? write (fd, value, strlen (value)) : -1;
  if (w != (ssize_t) strlen (value))
    warn ("%s: %s", path, w < 0 ? strerror (errno) : "short write");
  if (fd >= 0)
    close (fd);
}

/* The virtio-mem driver is in the initramfs, loaded only when memory
 * will be hot-plugged (guestfs_memsize), so a cold boot does not pay for
 * it.  The memory blocks it adds go online as they come, into
 * ZONE_NORMAL, which the kernel's allocations prefer to the base RAM.
 * What the kernel sizes from its memory at boot is then sized for the
 * whole memsize: the tmpfs mounts (half of it, and an inode per two
 * pages, setup_runtime) and the number of threads (one per 32 pages).  */
#define VIRTIO_MEM_MODULE "virtio_mem.ko"

static bool
want_virtio_mem (void)
{
  if (!memsize_mb)
    return false;
  set_knob ("/sys/devices/system/memory/auto_online_blocks", "online_kernel");
  char n[32];
  snprintf (n, sizeof n, "%lu", memsize_mb * 8);   /* 256 pages a MiB */
  set_knob ("/proc/sys/kernel/threads-max", n);
  return true;
}

/* The module name of FILE ("crc32c-intel.ko" -> "crc32c_intel") in MOD;
 * its length, or 0 if it does not fit. */
static size_t
module_name (const char *file, char *mod, size_t modlen)
{
  size_t n = strcspn (file, ".");
  if (n == 0 || n >= modlen)
    return 0;
  for (size_t i = 0; i < n; ++i)
    mod[i] = file[i] == '-' ? '_' : file[i];
  mod[n] = '\0';
  return n;
}

/* Whether the kernel command line's module_blacklist= names FILE's module
 * (the library blacklists drivers that are slow under TCG); the kernel
 * would refuse it anyway, so init does not try. */
static bool
module_blacklisted (const char *file)
{
  char mod[64], list[512];
  size_t n = module_name (file, mod, sizeof mod);
  if (!n || !cmdline_get ("module_blacklist", list, sizeof list))
    return false;
  for (const char *p = list; *p; p += strcspn (p, ","), p += *p == ',')
    if (strncmp (p, mod, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

/* The parameters the kernel command line gives module NAME (a file name,
 * "virtio_mmio.ko"), as finit_module takes them: "p1=v1 p2=v2".  The
 * kernel applies MOD.PARAM=VALUE only to built-in code; for a module,
 * whoever loads it passes them on (modprobe does the same). */
static void
module_params (const char *file, char *out, size_t outlen)
{
  char mod[64];
  out[0] = '\0';
  size_t n = module_name (file, mod, sizeof mod);
  if (!n)
    return;
  size_t len = 0;
  for (const char *p = cmdline; *p; ) {
    p += strspn (p, " \n");
    size_t w = strcspn (p, " \n");
    /* MOD.PARAM=VALUE, with - and _ the same in MOD. */
    size_t i = 0;
    while (i < n && i < w && (p[i] == '-' ? '_' : p[i]) == mod[i])
      ++i;
    if (i == n && w > n + 1 && p[n] == '.' && memchr (p + n + 1, '=', w - n - 1) &&
        len + (w - n - 1) + 2 <= outlen) {
      if (len)
        out[len++] = ' ';
      memcpy (out + len, p + n + 1, w - n - 1);
      len += w - n - 1;
      out[len] = '\0';
    }
    p += w;
  }
}

/* With scsi_mod.scan=manual (the library's command line), a SCSI host
 * is not scanned by itself: the kernel would try every target the
 * virtio-scsi host allows (256), setting up and tearing down a device
 * for each absent one -- 150 million instructions of the boot under TCG.
 * The user's drives are targets 0, 1, 2 ... in order, so scan those until
 * the first one that is absent.  Once the boot's modules are in,
 * scan_hosts_done puts the default back, so that drives hot-added later
 * are found by the kernel as before. */
#define SCSI_SCAN_PARAM "/sys/module/scsi_mod/parameters/scan"
static char scanned_hosts[8][32];

static bool
scsi_scan_is_manual (void)
{
  char v[16] = "";
  int fd = open (SCSI_SCAN_PARAM, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read (fd, v, sizeof v - 1);
  close (fd);
  return n > 0 && strncmp (v, "manual", 6) == 0;
}

static void
scan_scsi_host (const char *host)
{
  char path[128], req[32];
  unsigned h;
  if (sscanf (host, "host%u", &h) != 1)
    return;
  snprintf (path, sizeof path, "/sys/class/scsi_host/%s/scan", host);
  unsigned t;
  for (t = 0; t < 256; ++t) {
    int fd = open (path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      break;
    int len = snprintf (req, sizeof req, "0 %u 0", t);
    ssize_t w = write (fd, req, len);  /* returns once the target is probed */
    close (fd);
    struct stat st;
    snprintf (req, sizeof req, "/sys/bus/scsi/devices/%u:0:%u:0", h, t);
    if (w != len || stat (req, &st) < 0)
      break;
  }
  say ("%s: scanned, %u disk(s)", host, t);
}

static void
scan_new_scsi_hosts (void)
{
  if (!scsi_scan_is_manual ())
    return;
  DIR *d = opendir ("/sys/class/scsi_host");
  struct dirent *e;
  while (d && (e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.' || strlen (e->d_name) >= sizeof scanned_hosts[0])
      continue;
    size_t i;
    for (i = 0; i < 8 && scanned_hosts[i][0] && strcmp (scanned_hosts[i], e->d_name); ++i)
      ;
    if (i == 8 || scanned_hosts[i][0])
      continue;                 /* scanned already (or too many hosts) */
    strcpy (scanned_hosts[i], e->d_name);
    scan_scsi_host (e->d_name);
  }
  if (d)
    closedir (d);
}

static void
scan_hosts_done (void)
{
  if (!scsi_scan_is_manual ())
    return;
  int fd = open (SCSI_SCAN_PARAM, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, "async", 5) != 5)
    warn ("%s: cannot set it back to async: %s", SCSI_SCAN_PARAM, strerror (errno));
  if (fd >= 0)
    close (fd);
}

static void
load_modules (void)
{
  static char list[MAX_LIST];
  int fd = open (MODULE_LIST, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    warn ("no %s: %s", MODULE_LIST, strerror (errno));
    return;
  }
  ssize_t n = read (fd, list, sizeof list - 1);
  close (fd);
  list[n > 0 ? n : 0] = '\0';
  char *save = NULL;
  for (char *name = strtok_r (list, "\n", &save); name;
       name = strtok_r (NULL, "\n", &save)) {
    if (strchr (name, '/') || strlen (name) > 200)
      continue;
    if ((!strcmp (name, VIRTIO_MEM_MODULE) && !want_virtio_mem ()) ||
        module_blacklisted (name))
      continue;
    char path[256];
    snprintf (path, sizeof path, "/modules/%s", name);
    int mfd = open (path, O_RDONLY | O_CLOEXEC);
    if (mfd < 0) {
      warn ("module %s: %s", path, strerror (errno));
      continue;
    }
    /* A compressed module is handed to the kernel as is; that needs
     * CONFIG_MODULE_DECOMPRESS, otherwise the builder decompresses.  */
    size_t len = strlen (name);
    int flags = (len > 3 && (!strcmp (name + len - 3, ".xz") ||
                             !strcmp (name + len - 3, ".gz"))) ||
                (len > 4 && !strcmp (name + len - 4, ".zst"))
      ? MODULE_INIT_COMPRESSED_FILE : 0;
    /* The boot modules come from the same kernel package as the kernel
     * (the builder takes them from its modules directory, and the kernel
     * still checks their vermagic), so their symbols' CRCs need no check.
     * Ignoring them (as modprobe --force-modversion does) taints the
     * kernel, and the kernel then registers neither the module's trace
     * events nor its tracepoints: for ext4, jbd2, scsi_mod ... that
     * registration (tracefs files, enum maps matched against every event)
     * was most of their loading time under TCG.  Cold boot 1.54 -> 1.35 s
     * (medians of 12, alternating; faster in every pair).  Nothing in the
     * appliance traces; modules loaded later by modprobe are not
     * affected. */
    flags |= MODULE_INIT_IGNORE_MODVERSIONS;
    char params[1024];
    module_params (name, params, sizeof params);
    if (syscall (SYS_finit_module, mfd, params, flags) < 0 && errno != EEXIST)
      warn ("loading module %s: %s", name, strerror (errno));
    else
      say ("loaded %s%s%s", name, params[0] ? " " : "", params);
    close (mfd);
    scan_new_scsi_hosts ();
  }
  scan_hosts_done ();
}

static void
wait_for (const char *path, int timeout_ms)
{
  struct stat st;
  for (int waited = 0; stat (path, &st) < 0; waited += 5) {
    if (waited >= timeout_ms)
      die ("%s did not appear within %d s (is the root disk attached as "
           "virtio-blk?)", path, timeout_ms / 1000);
    sleep_ms (5);
  }
}

/* The initramfs is not unmounted (it is the real root of the mount tree),
 * but its files are no longer needed: free their memory.  */
static void
free_initramfs (void)
{
  DIR *d = opendir ("/modules");
  if (d) {
    struct dirent *e;
    while ((e = readdir (d)) != NULL)
      if (e->d_name[0] != '.')
        unlinkat (dirfd (d), e->d_name, 0);
    closedir (d);
  }
  rmdir ("/modules");
}

static void
switch_root (const char *root)
{
  mount_or_die ("/proc", "/sysroot/proc", NULL, MS_MOVE, NULL);
  mount_or_die ("/sys", "/sysroot/sys", NULL, MS_MOVE, NULL);
  mount_or_die ("/dev", "/sysroot/dev", NULL, MS_MOVE, NULL);
  free_initramfs ();
  if (chdir ("/sysroot") < 0)
    die ("chdir /sysroot: %s", strerror (errno));
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    die ("moving %s to /: %s", root, strerror (errno));
  if (chroot (".") < 0 || chdir ("/") < 0)
    die ("chroot: %s", strerror (errno));
}

/* What tools expect to find, that udev or systemd would normally make.  */
static void
setup_runtime (void)
{
  /* tmpfs takes half of the memory by default, as the kernel saw it at
   * boot: with memory still to come, half of the whole memsize.  */
  char size[64] = "", tmpopt[96], runopt[96];
  if (memsize_mb)
    snprintf (size, sizeof size, ",size=%lum,nr_inodes=%lu", memsize_mb / 2,
              memsize_mb * 128);
  snprintf (tmpopt, sizeof tmpopt, "mode=1777%s", size);
  snprintf (runopt, sizeof runopt, "mode=0755%s", size);
  mount_or_die ("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, runopt);
  mount_or_die ("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmpopt);
  mount_or_die ("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, tmpopt);
  mkdir ("/run/lock", 0755);
  mkdir ("/run/lock/lvm", 0700);
  mkdir ("/run/lvm", 0700);
  mkdir ("/run/cryptsetup", 0700);
  mount_or_die ("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "gid=5,mode=620,ptmxmode=000");
  mount_or_die ("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, tmpopt);
  symlink ("/proc/self/fd", "/dev/fd");
  symlink ("/proc/self/fd/0", "/dev/stdin");
  symlink ("/proc/self/fd/1", "/dev/stdout");
  symlink ("/proc/self/fd/2", "/dev/stderr");

  setenv ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
  setenv ("HOME", "/root", 1);
  setenv ("LC_ALL", "C", 1);
  setenv ("TERM", "dumb", 1);
  umask (022);
  sethostname ("hatch", 5);

  /* Loopback up: some tools resolve or bind localhost.  */
  int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s >= 0) {
    struct ifreq ifr;
    memset (&ifr, 0, sizeof ifr);
    strcpy (ifr.ifr_name, "lo");
    if (ioctl (s, SIOCGIFFLAGS, &ifr) == 0) {
      ifr.ifr_flags |= IFF_UP;
      ioctl (s, SIOCSIFFLAGS, &ifr);
    }
    close (s);
  }
}

/* Write a whole small file (replacing it).  */
static int
put_file (const char *path, const char *text)
{
  unlink (path);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  size_t n = strlen (text);
  ssize_t w = write (fd, text, n);
  close (fd);
  return w == (ssize_t) n ? 0 : -1;
}

static void
set_sockaddr (struct sockaddr *sa, const char *addr)
{
  struct sockaddr_in *sin = (struct sockaddr_in *) sa;
  memset (sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  inet_pton (AF_INET, addr, &sin->sin_addr);
}

/* guestfs_network=1: the host gave us a virtio-net card on qemu's
 * user-mode network.  Load its driver, then configure it the way SLIRP
 * expects (10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3) with ioctls:
 * no DHCP client, no shell.  Failures are warnings: the daemon still
 * starts and network commands report their own errors.  */
static void
setup_network (void)
{
  char v[8];
  if (!cmdline_get ("guestfs_network", v, sizeof v) || strcmp (v, "1") != 0)
    return;

  pid_t pid = fork ();
  if (pid == 0) {
    char *argv[] = { (char *) "modprobe", (char *) "-q", (char *) "virtio_net", NULL };
    execv ("/usr/sbin/modprobe", argv);
    execv ("/sbin/modprobe", argv);
    _exit (127);
  }
  if (pid > 0)
    waitpid (pid, NULL, 0);

  /* The first interface that is not loopback (bounded wait for probe).  */
  char ifname[IFNAMSIZ] = "";
  for (int waited = 0; !ifname[0] && waited < 3000; waited += 10) {
    DIR *d = opendir ("/sys/class/net");
    struct dirent *e;
    while (d && (e = readdir (d)) != NULL)
      if (e->d_name[0] != '.' && strcmp (e->d_name, "lo") != 0 &&
          strlen (e->d_name) < IFNAMSIZ) {
        strcpy (ifname, e->d_name);
        break;
      }
    if (d)
      closedir (d);
    if (!ifname[0])
      sleep_ms (10);
  }
  if (!ifname[0]) {
    warn ("network requested but no network interface appeared");
    return;
  }

  int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    warn ("network: socket: %s", strerror (errno));
    return;
  }
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, ifname);
  set_sockaddr (&ifr.ifr_addr, "10.0.2.15");
  if (ioctl (s, SIOCSIFADDR, &ifr) < 0)
    warn ("network: %s: set address: %s", ifname, strerror (errno));
  set_sockaddr (&ifr.ifr_netmask, "255.255.255.0");
  if (ioctl (s, SIOCSIFNETMASK, &ifr) < 0)
    warn ("network: %s: set netmask: %s", ifname, strerror (errno));
  if (ioctl (s, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
      warn ("network: %s: up: %s", ifname, strerror (errno));
  }
  struct rtentry rt;
  memset (&rt, 0, sizeof rt);
  set_sockaddr (&rt.rt_dst, "0.0.0.0");
  set_sockaddr (&rt.rt_genmask, "0.0.0.0");
  set_sockaddr (&rt.rt_gateway, "10.0.2.2");
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  rt.rt_dev = ifname;
  if (ioctl (s, SIOCADDRT, &rt) < 0)
    warn ("network: default route: %s", strerror (errno));
  close (s);

  if (put_file ("/etc/resolv.conf", "nameserver 10.0.2.3\n") < 0)
    warn ("network: /etc/resolv.conf: %s", strerror (errno));
  /* Let name lookups use that server.  */
  put_file ("/etc/nsswitch.conf",
            "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n");
  say ("network: %s 10.0.2.15/24 via 10.0.2.2", ifname);
}

/* udev would make /dev/virtio-ports/NAME -> ../vportNpM; the daemon opens
 * its channel by that name.  Port names arrive from the host shortly after
 * the device appears, so wait (bounded) until every port has one.  */
static void
virtio_port_links (void)
{
  mkdir ("/dev/virtio-ports", 0755);
  for (int waited = 0; ; waited += 5) {
    DIR *d = opendir ("/sys/class/virtio-ports");
    if (!d)
      return;
    int missing = 0, found = 0;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
      if (e->d_name[0] == '.' || strlen (e->d_name) > 64)
        continue;
      found++;
      char path[128], name[256], link[512], target[128];
      snprintf (path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, name, sizeof name - 1) : -1;
      if (fd >= 0) close (fd);
      if (n <= 0) { missing++; continue; }
      name[n] = '\0';
      name[strcspn (name, "\n")] = '\0';
      if (!name[0] || strchr (name, '/')) { missing += !name[0]; continue; }
      snprintf (link, sizeof link, "/dev/virtio-ports/%s", name);
      snprintf (target, sizeof target, "../%s", e->d_name);
      if (symlink (target, link) == 0)
        say ("channel %s -> /dev/%s", name, e->d_name);
    }
    closedir (d);
    if ((found && !missing) || waited >= PORT_WAIT_MS) {
      if (missing)
        warn ("%d virtio port(s) without a name after %d s", missing,
              PORT_WAIT_MS / 1000);
      return;
    }
    if (!found && waited >= 200)   /* no virtio-serial device at all */
      return;
    sleep_ms (5);
  }
}

static void __attribute__((noreturn))
run_daemon (void)
{
  say ("starting %s", DAEMON);
  pid_t pid = fork ();
  if (pid < 0)
    die ("fork: %s", strerror (errno));
  if (pid == 0) {
    char *argv[] = { (char *) DAEMON, verbose ? (char *) "-v" : NULL, NULL };
    setsid ();
    execv (DAEMON, argv);
    dprintf (2, "hatch-init: exec %s: %s\n", DAEMON, strerror (errno));
    _exit (127);
  }
  /* As PID 1 we inherit every orphan: reap them all until the daemon
   * itself exits.  */
  for (;;) {
    int status;
    pid_t p = wait (&status);
    if (p < 0 && errno == EINTR)
      continue;
    if (p < 0 || p == pid) {
      if (p == pid && WIFEXITED (status))
        say ("daemon exited with status %d", WEXITSTATUS (status));
      else if (p == pid)
        warn ("daemon killed by signal %d", WTERMSIG (status));
      break;
    }
  }
  say ("powering off");
  poweroff ();
}

/* A TERM value from the host is used only if it looks like a terminal
 * name (it is set in the environment of the rescue shell).  */
static bool
good_term (const char *t)
{
  if (!*t)
    return false;
  for (; *t; ++t)
    if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
          (*t >= '0' && *t <= '9') || strchr ("-_.+", *t)))
      return false;
  return true;
}

/* The rescue shell, in its own session with the serial port as its
 * controlling terminal (so ^C, ^Z and job control work).  Runs in the
 * child; never returns.  */
static void __attribute__((noreturn))
exec_rescue_shell (void)
{
  setsid ();
  int fd = open ("/dev/ttyS0", O_RDWR);
  if (fd < 0) {
    dprintf (2, "hatch-init: rescue: /dev/ttyS0: %s\n", strerror (errno));
    _exit (127);
  }
  ioctl (fd, TIOCSCTTY, 0);
  dup2 (fd, 0);
  dup2 (fd, 1);
  dup2 (fd, 2);
  if (fd > 2)
    close (fd);

  char v[64];
  /* guestfs_winsize=COLSxROWS: the size of the host's terminal.  */
  unsigned cols, rows;
  if (cmdline_get ("guestfs_winsize", v, sizeof v) &&
      sscanf (v, "%ux%u", &cols, &rows) == 2 &&
      cols > 0 && cols < 10000 && rows > 0 && rows < 10000) {
    struct winsize ws = { .ws_row = rows, .ws_col = cols };
    ioctl (0, TIOCSWINSZ, &ws);
  }
  if (cmdline_get ("TERM", v, sizeof v) && good_term (v))
    setenv ("TERM", v, 1);
  else
    setenv ("TERM", "linux", 1);
  setenv ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  setenv ("PS1", "><rescue> ", 1);
  setenv ("SHELL", "/bin/bash", 1);
  mkdir ("/root", 0700);
  if (chdir ("/root") < 0)
    chdir ("/");

  /* Wait for a first line from the console before starting: output
   * from before the program connected to the console would be lost,
   * and the first prompt with it (virt-rescue sends a newline once it
   * reads the console).  The terminal stays canonical, so whatever is
   * typed after that line waits in its queue for the shell.  */
  static const char hint[] = "\r\nPress Enter to start the rescue shell.\r\n";
  if (write (1, hint, sizeof hint - 1) < 0) {
    /* the read below fails the same way */
  }
  char line[256];
  while (read (0, line, sizeof line) < 0 && errno == EINTR)
    ;

  static const char banner[] =
    "Hatch rescue shell.  The files you see under / belong to the rescue\n"
    "appliance, not to the guest: the guest's filesystems are mounted (or\n"
    "can be mounted by you) under /sysroot.  Type 'exit' to leave.\n"
    "\n";
  if (write (1, banner, sizeof banner - 1) < 0) {
    /* nothing to do: the shell will report the broken console too */
  }
  char *argv[] = { (char *) "bash", (char *) "--noprofile", (char *) "--norc",
                   (char *) "-i", NULL };
  execv ("/bin/bash", argv);
  char *shargv[] = { (char *) "sh", (char *) "-i", NULL };
  execv ("/bin/sh", shargv);
  dprintf (2, "hatch-init: rescue: no shell: %s\n", strerror (errno));
  _exit (127);
}

/* Unmount whatever the daemon or the user mounted under /sysroot,
 * deepest first, so that guest filesystems are clean at power off.  */
static void
unmount_sysroot (void)
{
  sync ();
  for (int pass = 0; pass < 64; ++pass) {
    char buf[16384];
    int fd = open ("/proc/mounts", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return;
    ssize_t n = read (fd, buf, sizeof buf - 1);
    close (fd);
    if (n <= 0)
      return;
    buf[n] = '\0';
    /* The last matching line is the most recent (deepest) mount.  */
    char last[4096] = "";
    char *save = NULL;
    for (char *line = strtok_r (buf, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
      char dev[1024], dir[4096];
      if (sscanf (line, "%1023s %4095s", dev, dir) != 2)
        continue;
      if (!strcmp (dir, "/sysroot") || !strncmp (dir, "/sysroot/", 9))
        strcpy (last, dir);
    }
    if (!last[0])
      return;
    if (umount (last) < 0) {
      warn ("rescue: umount %s: %s", last, strerror (errno));
      umount2 (last, MNT_DETACH);
    }
  }
}

/* guestfs_rescue=1 (virt-rescue): the daemon runs as usual (the library
 * still talks to it, to mount the guest under /sysroot) and an
 * interactive shell runs on the serial console.  When the shell exits,
 * or the daemon is told to exit, the guest is unmounted and the machine
 * powered off.  */
static void __attribute__((noreturn))
run_rescue (void)
{
  mkdir ("/sysroot", 0755);
  say ("rescue mode: starting %s and a shell", DAEMON);
  pid_t daemon = fork ();
  if (daemon < 0)
    die ("fork: %s", strerror (errno));
  if (daemon == 0) {
    char *argv[] = { (char *) DAEMON, verbose ? (char *) "-v" : NULL, NULL };
    setsid ();
    execv (DAEMON, argv);
    dprintf (2, "hatch-init: exec %s: %s\n", DAEMON, strerror (errno));
    _exit (127);
  }
  pid_t shell = fork ();
  if (shell < 0)
    die ("fork: %s", strerror (errno));
  if (shell == 0)
    exec_rescue_shell ();
  for (;;) {
    int status;
    pid_t p = wait (&status);
    if (p < 0 && errno == EINTR)
      continue;
    if (p < 0 || p == shell) {
      say ("rescue shell exited");
      break;
    }
    if (p == daemon) {
      say ("daemon exited; ending the rescue shell");
      kill (-shell, SIGHUP);
      kill (shell, SIGKILL);
      break;
    }
  }
  unmount_sysroot ();
  say ("powering off");
  /* The kernel's own "Power down" line would be the last thing the user
   * sees of the shell's terminal.  */
  if (!verbose)
    klogctl (SYSLOG_ACTION_CONSOLE_OFF, NULL, 0);
  poweroff ();
}

int
main (void)
{
  /* The kernel opens /dev/console for us if the initramfs has it; make
   * sure fds 0-2 exist either way.  */
  mount ("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  if (fcntl (2, F_GETFD) < 0) {
    int fd = open ("/dev/console", O_RDWR);
    if (fd >= 0) { dup2 (fd, 0); dup2 (fd, 1); dup2 (fd, 2); if (fd > 2) close (fd); }
  }
  mount_or_die ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  read_cmdline ();
  /* Always one line, even when quiet: the library takes the guest's first
   * output as proof that the accelerator runs it (lib/direct.c). */
  warn ("started");
  mount_or_die ("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

  load_modules ();
  say ("modules loaded");

  char root[64];
  if (!cmdline_get ("root", root, sizeof root) || strncmp (root, "/dev/", 5) != 0)
    strcpy (root, "/dev/vda");
  wait_for (root, ROOT_WAIT_MS);
  mkdir ("/sysroot", 0755);
  if (mount (root, "/sysroot", "ext4", MS_NOATIME, NULL) < 0)
    die ("mounting the root image %s: %s", root, strerror (errno));
  say ("root %s mounted", root);
  /* Programs run from the root image (the daemon first: ~6 MB with its
   * libraries) fault their pages in through readahead; the default 128 KiB
   * window makes that dozens of small reads, each a round trip to qemu.
   * A 4 MiB window took the daemon's start (exec to its hello) from ~140
   * to ~100 ms of a cold boot under TCG.  Its binary is then asked for at
   * once: qemu reads it on its other thread while init sets up the
   * runtime, and its exec no longer waits for those reads (~30 ms).  */
  char knob[96];
  snprintf (knob, sizeof knob, "/sys/class/block/%s/queue/read_ahead_kb", root + 5);
  set_knob (knob, "4096");
  int dfd = open ("/sysroot" DAEMON, O_RDONLY | O_CLOEXEC);
  if (dfd >= 0) {
    posix_fadvise (dfd, 0, 0, POSIX_FADV_WILLNEED);
    close (dfd);
  }
  switch_root (root);
  setup_runtime ();
  setup_network ();
  virtio_port_links ();
  say ("runtime ready");
  char v[8];
  if (cmdline_get ("guestfs_rescue", v, sizeof v) && !strcmp (v, "1"))
    run_rescue ();
  run_daemon ();
}
