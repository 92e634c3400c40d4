/* guestmount: mount a guest filesystem on the host with FUSE (see
 * guestmount(1)).
 *
 * Unless --no-fork, the program forks before it starts the appliance: the
 * child (the worker) launches, mounts, calls mount_local and then tells
 * the parent through a pipe that the mount point is ready; only then does
 * the parent exit, with status 0.  If the worker fails first, the pipe
 * closes without a byte and the parent exits 1 (the worker has printed
 * the reason).  Forking before the launch keeps qemu a child of the
 * process that drives it.  SIGINT, SIGTERM and SIGHUP unmount the
 * filesystem, so the worker cleans up as after guestunmount. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

#ifdef HAVE_FUSE
#define FUSE_USE_VERSION 31
#include <fuse.h>
#endif

static const char *program = "guestmount";

enum {
  OPT_HELP = 0x200, OPT_DIR_CACHE_TIMEOUT, OPT_FD, OPT_FUSE_HELP, OPT_LIVE,
  OPT_NO_FORK, OPT_PID_FILE, OPT_SELINUX,
};

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: mount a guest filesystem on the host with FUSE\n"
          "Usage:\n"
          "  %s [--options] -a disk.img -m device [--ro] mountpoint\n"
          "  %s [--options] -a disk.img -i [--ro] mountpoint\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_INSPECTOR | TOOL_HELP_KEYS);
  printf ("  --dir-cache-timeout N\n"
          "                       Keep what a directory listing read for N seconds\n"
          "                       (default 60)\n"
          "  --fd=FD              Write one byte to FD when the mount is ready\n"
          "  --fuse-help          List the FUSE options that -o accepts\n"
          "  --no-fork            Stay in the foreground\n"
          "  -n|--no-sync         Do not sync the disks when unmounted\n"
          "  -o|--option opt      Pass a mount option to FUSE\n"
          "  --pid-file filename  Write the PID of the worker process to filename\n"
          "  -r|--ro              Mount read-only\n"
          "  --selinux            Accepted for compatibility; does nothing\n"
          "  -w|--rw              Mount read-write (the default)\n"
          "  --trace              Same as -x; also traces every FUSE request\n"
          "See guestmount(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static void
fuse_help (void)
{
#ifdef HAVE_FUSE
  printf ("FUSE options for -o (not all are useful with guestmount):\n");
  char *argv[] = { (char *) program, NULL };
  struct fuse_args args = FUSE_ARGS_INIT (1, argv);
  fuse_lib_help (&args);
  fuse_opt_free_args (&args);
  printf ("Kernel mount options: allow_other, allow_root, default_permissions,\n"
          "  auto_unmount, fsname=NAME, subtype=NAME, ro, rw, max_read=N\n");
#else
  printf ("%s: this build has no FUSE support\n", program);
#endif
  exit (EXIT_SUCCESS);
}

static int
parse_nonneg_int (const char *opt, const char *s)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > INT_MAX) {
    fprintf (stderr, "%s: unable to parse %s option value: %s\n", program, opt, s);
    exit (EXIT_FAILURE);
  }
  return (int) v;
}

/* -o options accumulate, comma-separated. */
static void
add_fuse_option (char **opts, const char *o)
{
  char *n;
  if (asprintf (&n, "%s%s%s", *opts ? *opts : "", *opts ? "," : "", o) == -1) {
    perror ("asprintf");
    exit (EXIT_FAILURE);
  }
  free (*opts);
  *opts = n;
}

/* ---- unmount on SIGINT/SIGTERM/SIGHUP ---- */

static sigset_t unmount_signals;

static void *
signal_thread (void *gv)
{
  guestfs_h *g = gv;
  int sig;
  while (sigwait (&unmount_signals, &sig) == 0) {
    struct guestfs_umount_local_argv a = {
      .bitmask = GUESTFS_UMOUNT_LOCAL_RETRY_BITMASK, .retry = 1,
    };
    if (guestfs_umount_local_argv (g, &a) == 0)
      break;
  }
  return NULL;
}

static int
write_byte (int fd)
{
  char c = 0;
  ssize_t r;
  while ((r = write (fd, &c, 1)) == -1 && errno == EINTR)
    ;
  return r == 1 ? 0 : -1;
}

static volatile pid_t worker_pid;
static volatile sig_atomic_t interrupted;

/* Ctrl-C while the parent waits: pass it on to the worker, which is in
 * its own session.  The worker handles it once it has mounted (it blocks
 * these signals until then) by unmounting again. */
static void
forward_signal (int sig)
{
  interrupted = 1;
  if (worker_pid > 0)
    kill (worker_pid, SIGTERM);
}

/* The parent side of the fork: wait for the worker's "ready" byte. */
static void
wait_for_worker (pid_t pid, int fd)
{
  worker_pid = pid;
  struct sigaction sa = { .sa_handler = forward_signal };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  char c;
  ssize_t r;
  while ((r = read (fd, &c, 1)) == -1 && errno == EINTR)
    ;
  if (r == 1 && !interrupted)
    _exit (EXIT_SUCCESS);
  /* The worker failed before the mount was ready; its status says why. */
  int status;
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
  _exit (EXIT_FAILURE);
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = false };
  static const char short_options[] = "a:c:d:im:no:rvVwx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    TOOL_INSPECTOR_LONG_OPTIONS,
    TOOL_RO_RW_LONG_OPTIONS,
    { "dir-cache-timeout", required_argument, NULL, OPT_DIR_CACHE_TIMEOUT },
    { "fd", required_argument, NULL, OPT_FD },
    { "fuse-help", no_argument, NULL, OPT_FUSE_HELP },
    { "help", no_argument, NULL, OPT_HELP },
    { "live", no_argument, NULL, OPT_LIVE },
    { "no-fork", no_argument, NULL, OPT_NO_FORK },
    { "no-sync", no_argument, NULL, 'n' },
    { "option", required_argument, NULL, 'o' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "selinux", no_argument, NULL, OPT_SELINUX },
    { "trace", no_argument, NULL, 'x' },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;

  int dir_cache_timeout = -1, ready_fd = -1;
  bool no_fork = false, no_sync = false;
  char *fuse_options = NULL;
  const char *pid_file = NULL;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case OPT_DIR_CACHE_TIMEOUT:
      dir_cache_timeout = parse_nonneg_int ("--dir-cache-timeout", optarg);
      break;
    case OPT_FD: ready_fd = parse_nonneg_int ("--fd", optarg); break;
    case OPT_FUSE_HELP: fuse_help (); break;
    case OPT_LIVE:
      fprintf (stderr, "%s: --live is not supported: this implementation has "
               "no live (guest agent) access\n", program);
      exit (EXIT_FAILURE);
    case OPT_NO_FORK: no_fork = true; break;
    case 'n': no_sync = true; break;
    case 'o': add_fuse_option (&fuse_options, optarg); break;
    case OPT_PID_FILE: pid_file = optarg; break;
    case OPT_SELINUX: break;
    default: usage (EXIT_FAILURE);
    }
  }

  tool_require_drives (&o);
  if (!o.inspector && o.nr_mounts == 0) {
    fprintf (stderr, "%s: error: you must specify either -i or at least one "
             "-m option.\n", program);
    tool_try_help (program);
  }
  if (optind != argc - 1) {
    fprintf (stderr, "%s: you must specify a mountpoint in the host "
             "filesystem\n", program);
    tool_try_help (program);
  }
  const char *mountpoint = argv[optind];
  struct stat st;
  if (stat (mountpoint, &st) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, mountpoint, strerror (errno));
    exit (EXIT_FAILURE);
  }
  if (!S_ISDIR (st.st_mode)) {
    fprintf (stderr, "%s: %s: the mountpoint is not a directory\n", program, mountpoint);
    exit (EXIT_FAILURE);
  }
  /* Close-on-exec, so that qemu and fusermount3 do not hold it open. */
  if (ready_fd >= 0 && fcntl (ready_fd, F_SETFD, FD_CLOEXEC) == -1) {
    fprintf (stderr, "%s: --fd=%d: %s\n", program, ready_fd, strerror (errno));
    exit (EXIT_FAILURE);
  }
  /* Tracing prints to stderr for the whole life of the mount. */
  if (o.trace)
    no_fork = true;

  int ready_pipe[2] = { -1, -1 };
  if (!no_fork) {
    if (pipe2 (ready_pipe, O_CLOEXEC) == -1) {
      perror ("pipe2");
      exit (EXIT_FAILURE);
    }
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == -1) {
      perror ("fork");
      exit (EXIT_FAILURE);
    }
    if (pid > 0) {
      close (ready_pipe[1]);
      wait_for_worker (pid, ready_pipe[0]);
    }
    close (ready_pipe[0]);
    setsid ();
  }

  /* The signals are handled by one thread that unmounts; block them
   * before any other thread exists so all threads inherit the mask. */
  sigemptyset (&unmount_signals);
  sigaddset (&unmount_signals, SIGINT);
  sigaddset (&unmount_signals, SIGTERM);
  sigaddset (&unmount_signals, SIGHUP);
  pthread_sigmask (SIG_BLOCK, &unmount_signals, NULL);

  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    exit (EXIT_FAILURE);
  if (no_sync)
    guestfs_set_autosync (g, 0);
  if (guestfs_launch (g) == -1 || tool_mount (g, &o) == -1) {
    guestfs_close (g);
    exit (EXIT_FAILURE);
  }

  struct guestfs_mount_local_argv ml = { .bitmask = 0 };
  if (o.read_only) {
    ml.bitmask |= GUESTFS_MOUNT_LOCAL_READONLY_BITMASK;
    ml.readonly = 1;
  }
  if (fuse_options) {
    ml.bitmask |= GUESTFS_MOUNT_LOCAL_OPTIONS_BITMASK;
    ml.options = fuse_options;
  }
  if (dir_cache_timeout >= 0) {
    ml.bitmask |= GUESTFS_MOUNT_LOCAL_CACHETIMEOUT_BITMASK;
    ml.cachetimeout = dir_cache_timeout;
  }
  if (o.trace) {
    ml.bitmask |= GUESTFS_MOUNT_LOCAL_DEBUGCALLS_BITMASK;
    ml.debugcalls = 1;
  }
  if (guestfs_mount_local_argv (g, mountpoint, &ml) == -1) {
    guestfs_close (g);
    exit (EXIT_FAILURE);
  }

  pthread_t thr;
  if (pthread_create (&thr, NULL, signal_thread, g) != 0) {
    fprintf (stderr, "%s: cannot start the signal thread\n", program);
    guestfs_umount_local (g, -1);
    guestfs_close (g);
    exit (EXIT_FAILURE);
  }
  pthread_detach (thr);

  if (pid_file) {
    FILE *fp = fopen (pid_file, "w");
    if (!fp || fprintf (fp, "%d\n", (int) getpid ()) < 0 || fclose (fp) != 0) {
      fprintf (stderr, "%s: %s: %s\n", program, pid_file, strerror (errno));
      guestfs_umount_local (g, -1);
      guestfs_close (g);
      exit (EXIT_FAILURE);
    }
  }
  if (ready_fd >= 0) {
    write_byte (ready_fd);
    close (ready_fd);
  }
  if (!no_fork) {
    /* Detach from the terminal and from whoever reads our output (a
     * shell's $(...) waits for every writer to go away). */
    if (chdir ("/") == -1)
      perror ("chdir");
    int devnull = open ("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2 (devnull, STDIN_FILENO);
      dup2 (devnull, STDOUT_FILENO);
      if (!o.verbose)
        dup2 (devnull, STDERR_FILENO);
      if (devnull > STDERR_FILENO)
        close (devnull);
    }
    write_byte (ready_pipe[1]);
    close (ready_pipe[1]);
  }

  int status = EXIT_SUCCESS;
  if (guestfs_mount_local_run (g) == -1)
    status = EXIT_FAILURE;
  if (guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  free (fuse_options);
  tool_free_options (&o);
  return status;
}
