/* libguestfs-test-tool: check that the appliance can be launched on this
 * host, printing what was used (see libguestfs-test-tool(1)). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "util.h"

static const char *program = "libguestfs-test-tool";
static int timeout_secs = 600;

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS) {
    fprintf (stderr, "Try ‘%s --help’ for more information.\n", program);
    exit (status);
  }
  printf ("%s: test that the libguestfs appliance works on this host\n"
          "Usage:\n"
          "  %s [--options]\n"
          "Options:\n"
          "  --help                 Display this help and exit\n"
          "  --qemu qemu_binary     Use this qemu (or wrapper)\n"
          "  --qemudir qemu_source  Use the qemu built in this source tree\n"
          "  -t|--timeout N         Launch timeout in seconds (default 600)\n"
          "  -V|--version           Show the version and exit\n"
          "See libguestfs-test-tool(1) for more.\n", program, program);
  exit (EXIT_SUCCESS);
}

static void
alarm_handler (int sig)
{
  static const char msg[] =
    "\nlibguestfs-test-tool: timed out.  Launching the appliance took too long.\n";
  (void) sig;
  if (write (STDERR_FILENO, msg, sizeof msg - 1)) { }
  _exit (EXIT_FAILURE);
}

static void
print_env (const char *prefix)
{
  extern char **environ;
  size_t n = 0;
  for (char **e = environ; *e; ++e)
    n++;
  char **copy = calloc (n + 1, sizeof *copy);
  if (!copy)
    return;
  n = 0;
  for (char **e = environ; *e; ++e)
    if (strncmp (*e, prefix, strlen (prefix)) == 0)
      copy[n++] = *e;
  /* a small sort so the output is stable */
  for (size_t i = 1; i < n; ++i)
    for (size_t j = i; j > 0 && strcmp (copy[j - 1], copy[j]) > 0; --j) {
      char *t = copy[j]; copy[j] = copy[j - 1]; copy[j - 1] = t;
    }
  for (size_t i = 0; i < n; ++i)
    printf ("%s\n", copy[i]);
  free (copy);
}

static void
print_str (const char *name, char *v)
{
  printf ("guestfs_get_%s: %s\n", name, v ? v : "(null)");
  free (v);
}

static void
print_settings (guestfs_h *g)
{
  guestfs_push_error_handler (g, NULL, NULL);
  const char *append = guestfs_get_append (g);
  print_str ("append", append ? strdup (append) : NULL);
  printf ("guestfs_get_autosync: %d\n", guestfs_get_autosync (g));
  print_str ("backend", guestfs_get_backend (g));
  char **bs = guestfs_get_backend_settings (g);
  printf ("guestfs_get_backend_settings: [");
  for (size_t i = 0; bs && bs[i]; ++i)
    printf ("%s%s", i ? ", " : "", bs[i]);
  printf ("]\n");
  tool_free_strings (bs);
  print_str ("cachedir", guestfs_get_cachedir (g));
  print_str ("hv", guestfs_get_hv (g));
  printf ("guestfs_get_memsize: %d\n", guestfs_get_memsize (g));
  printf ("guestfs_get_network: %d\n", guestfs_get_network (g));
  const char *path = guestfs_get_path (g);
  print_str ("path", path ? strdup (path) : NULL);
  printf ("guestfs_get_pgroup: %d\n", guestfs_get_pgroup (g));
  const char *prog = guestfs_get_program (g);
  print_str ("program", prog ? strdup (prog) : NULL);
  printf ("guestfs_get_recovery_proc: %d\n", guestfs_get_recovery_proc (g));
  printf ("guestfs_get_smp: %d\n", guestfs_get_smp (g));
  print_str ("sockdir", guestfs_get_sockdir (g));
  print_str ("tmpdir", guestfs_get_tmpdir (g));
  printf ("guestfs_get_trace: %d\n", guestfs_get_trace (g));
  printf ("guestfs_get_verbose: %d\n", guestfs_get_verbose (g));
  guestfs_pop_error_handler (g);
}

int
main (int argc, char *argv[])
{
  static const char short_options[] = "t:V?";
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 0x200 },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "qemu", required_argument, NULL, 0x201 },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "qemudir", required_argument, NULL, 0x202 },
    { "timeout", required_argument, NULL, 't' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  const char *qemu = NULL, *qemudir = NULL;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 0x201: qemu = optarg; break;
    case 0x202: qemudir = optarg; break;
    case 't': {
      char *end;
      errno = 0;
      long n = strtol (optarg, &end, 10);
      if (*optarg == '\0' || *end || errno || n <= 0 || n > 86400) {
        fprintf (stderr, "%s: invalid timeout: %s\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      timeout_secs = (int) n;
      break;
    }
    case 'V': tool_print_version (program); exit (EXIT_SUCCESS);
    case TOOL_OPT_LONG_OPTIONS:
    case TOOL_OPT_SHORT_OPTIONS: {
      /* For bash completion, as every tool (the shared printer). */
      struct tool_options o = { .program = program, .long_options = long_options,
                                .short_options = short_options };
      tool_option (&o, c, NULL);
      exit (EXIT_SUCCESS);
    }
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  if (qemu && qemudir) {
    fprintf (stderr, "%s: use --qemu or --qemudir, not both\n", program);
    exit (EXIT_FAILURE);
  }
  char *qemu_path = NULL;
  if (qemudir) {
    /* A qemu built in a source tree. */
    static const char *const rel[] = {
      "qemu-system-x86_64", "build/qemu-system-x86_64",
      "x86_64-softmmu/qemu-system-x86_64", NULL,
    };
    for (size_t i = 0; rel[i] && !qemu_path; ++i) {
      char *p;
      if (asprintf (&p, "%s/%s", qemudir, rel[i]) == -1)
        exit (EXIT_FAILURE);
      if (access (p, X_OK) == 0)
        qemu_path = p;
      else
        free (p);
    }
    if (!qemu_path) {
      fprintf (stderr, "%s: no qemu binary found in %s\n", program, qemudir);
      exit (EXIT_FAILURE);
    }
    qemu = qemu_path;
  }
  if (qemu && access (qemu, X_OK) == -1) {
    fprintf (stderr, "%s: cannot run qemu binary %s: %s\n", program, qemu,
             strerror (errno));
    exit (EXIT_FAILURE);
  }

  signal (SIGALRM, alarm_handler);
  alarm ((unsigned) timeout_secs);

  /* Everything goes to one stream, so the report reads in order. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("     ************************************************************\n"
          "     *                    IMPORTANT NOTICE\n"
          "     *\n"
          "     * When reporting bugs, include the COMPLETE, UNEDITED\n"
          "     * output below in your bug report.\n"
          "     *\n"
          "     ************************************************************\n");
  print_env ("LIBGUESTFS_");
  print_env ("SUPERMIN_");
  printf ("PATH=%s\n", getenv ("PATH") ? getenv ("PATH") : "");
  if (getenv ("XDG_RUNTIME_DIR"))
    printf ("XDG_RUNTIME_DIR=%s\n", getenv ("XDG_RUNTIME_DIR"));
  struct stat st;
  printf ("SELinux: %s\n",
          stat ("/sys/fs/selinux/enforce", &st) == 0 ? "present" : "not present");

  guestfs_h *g = guestfs_create ();
  if (!g) {
    fprintf (stderr, "%s: failed to create libguestfs handle\n", program);
    exit (EXIT_FAILURE);
  }
  guestfs_set_verbose (g, 1);
  guestfs_set_program (g, program);
  if (qemu && guestfs_set_hv (g, qemu) == -1)
    exit (EXIT_FAILURE);
  struct guestfs_version *v = guestfs_version (g);
  if (v) {
    printf ("library version: %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n",
            v->major, v->minor, v->release, v->extra);
    guestfs_free_version (v);
  }
  print_settings (g);
  struct utsname u;
  if (uname (&u) == 0)
    printf ("host_cpu: %s\nhost_kernel: %s %s\n", u.machine, u.sysname, u.release);

  /* A small scratch disk: partition, filesystem, a file. */
  if (guestfs_add_drive_scratch (g, INT64_C(100) * 1024 * 1024, -1) == -1) {
    fprintf (stderr, "%s: failed to add a scratch disk\n", program);
    exit (EXIT_FAILURE);
  }
  printf ("Launching appliance, timeout set to %d seconds.\n", timeout_secs);
  fflush (stdout);
  if (guestfs_launch (g) == -1) {
    fprintf (stderr, "%s: failed to launch appliance\n", program);
    exit (EXIT_FAILURE);
  }
  alarm (0);
  printf ("Guest launched OK.\n");
  fflush (stdout);

  if (guestfs_part_disk (g, "/dev/sda", "mbr") == -1) {
    fprintf (stderr, "%s: failed to run part-disk\n", program);
    exit (EXIT_FAILURE);
  }
  if (guestfs_mkfs (g, "ext2", "/dev/sda1") == -1) {
    fprintf (stderr, "%s: failed to mkfs.ext2\n", program);
    exit (EXIT_FAILURE);
  }
  if (guestfs_mount (g, "/dev/sda1", "/") == -1) {
    fprintf (stderr, "%s: failed to mount /dev/sda1 on /\n", program);
    exit (EXIT_FAILURE);
  }
  if (guestfs_touch (g, "/hello") == -1 || guestfs_is_file (g, "/hello") != 1) {
    fprintf (stderr, "%s: failed to touch file\n", program);
    exit (EXIT_FAILURE);
  }
  if (guestfs_shutdown (g) == -1) {
    fprintf (stderr, "%s: shutdown failed\n", program);
    exit (EXIT_FAILURE);
  }
  guestfs_close (g);
  free (qemu_path);
  printf ("===== TEST FINISHED OK =====\n");
  return EXIT_SUCCESS;
}
