/* virt-rescue: an interactive shell in the appliance, with the guest's
 * disks attached (see virt-rescue(1)).
 *
 * The appliance is launched with guestfs_rescue=1 on its kernel command
 * line, so its init runs a shell on the serial console next to the
 * daemon.  We take the console socket from the library
 * (internal_get_console_socket), do the -i/-m mounts through the daemon,
 * then copy bytes between the user's terminal (in raw mode) and the
 * console until the shell exits, watching the input for the escape key.
 * --suggest instead inspects the disks and prints mount commands. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "util.h"

static const char *program = "virt-rescue";

/* Scratch disks (--scratch) are large and sparse. */
#define SCRATCH_SIZE (INT64_C (10) * 1024 * 1024 * 1024)

enum {
  OPT_HELP = 0x200, OPT_APPEND, OPT_MEMSIZE, OPT_NETWORK, OPT_SCRATCH,
  OPT_SELINUX, OPT_SMP, OPT_SUGGEST,
};

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: Run a rescue shell on a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n"
          "  -a|--add image       Add a disk image\n"
          "  --append kernelopts  Add options to the appliance kernel command line\n"
          "  --blocksize[=512|4096]\n"
          "                       Sector size of the following -a disks\n"
          "  -c|--connect uri     libvirt URI for -d\n"
          "  -d|--domain guest    Add the disks of a libvirt guest\n"
          "  -e ^x|none           Set the escape key, or none (default ^])\n"
          "  --format[=raw|..]    Disk format of the following -a disks\n"
          "  --help               Show this help\n"
          "  -i|--inspector       Find the operating system and mount it on /sysroot\n"
          "  -m|--mount dev[:mnt[:opts[:fstype]]]\n"
          "                       Mount dev on mnt under /sysroot (/ when not given)\n"
          "  --memsize MB         Memory of the rescue appliance in megabytes\n"
          "  --network            Give the appliance a network\n"
          "  -r|--ro              Open the disks read-only\n"
          "  --scratch[=N]        Add N (default 1) temporary scratch disks\n"
          "  --selinux            Accepted for compatibility; does nothing\n"
          "  --smp N              Give the appliance N virtual CPUs\n"
          "  --suggest            Print the commands that mount the guest, and exit\n"
          "  -v|--verbose         Verbose messages\n"
          "  -V|--version         Show the version and exit\n"
          "  -w|--rw              Open the disks for writing (the default)\n"
          "  -x                   Trace the libguestfs calls\n"
          "See virt-rescue(1) for more.\n", program, program, program);
  exit (EXIT_SUCCESS);
}

/* ---- the escape key ------------------------------------------------ */

/* -e: "none" (-1) or "^x"; returns the byte, or -2 if unparsable. */
static int
parse_escape_key (const char *s)
{
  if (strcmp (s, "none") == 0)
    return -1;
  if (strlen (s) == 2 && s[0] == '^') {
    unsigned char c = (unsigned char) toupper ((unsigned char) s[1]);
    if (c == '?')
      return 0x7f;
    if (c >= '@' && c <= '_')
      return c - '@';
  }
  return -2;
}

/* How the escape key is shown: "^]". */
static const char *
key_name (int key)
{
  static char buf[3];
  buf[0] = '^';
  buf[1] = key == 0x7f ? '?' : (char) (key + '@');
  buf[2] = '\0';
  return buf;
}

/* ---- the user's terminal ------------------------------------------- */

static struct termios saved_tio;
static bool tio_saved, tio_raw;

static void
raw_mode (void)
{
  if (!tio_saved)
    return;
  struct termios t = saved_tio;
  cfmakeraw (&t);
  /* Output keeps its newline translation off too: the appliance's
   * terminal already sends \r\n. */
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &t) == 0)
    tio_raw = true;
}

static void
restore_mode (void)
{
  if (tio_saved && tio_raw) {
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_tio);
    tio_raw = false;
  }
}

/* Fatal signals: put the terminal back before dying of them. */
static void
fatal_signal (int sig)
{
  restore_mode ();
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Messages while the terminal is raw need \r\n line ends. */
static void __attribute__((format (printf, 1, 2)))
say (const char *fmt, ...)
{
  char buf[1024];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  for (char *p = buf; *p; ++p) {
    if (*p == '\n' && tio_raw)
      fputc ('\r', stdout);
    fputc (*p, stdout);
  }
  fflush (stdout);
}

/* ---- escape commands ----------------------------------------------- */

static void
escape_help (int key)
{
  const char *k = key_name (key);
  say ("\n"
       "virt-rescue escape sequences (%s followed by a key):\n"
       "  %s ?  %s h   show this help\n"
       "  %s i        show what inspection found (needs -i)\n"
       "  %s q  %s x   quit virt-rescue at once\n"
       "  %s s        sync the filesystems\n"
       "  %s u        unmount the filesystems under /sysroot\n"
       "  %s z        suspend virt-rescue\n"
       "  %s %s       send a literal %s to the shell\n"
       "Use -e none to turn escapes off, or -e ^x to use another key.\n",
       k, k, k, k, k, k, k, k, k, k, k, k);
}

#define QUIET(g, expr) ({ guestfs_push_error_handler (g, NULL, NULL); \
      __typeof__ (expr) r_ = (expr); guestfs_pop_error_handler (g); r_; })

static void
escape_inspect (guestfs_h *g, const char *root)
{
  if (!root) {
    say ("\nvirt-rescue: no inspection information (use the -i option)\n");
    return;
  }
  char *type = QUIET (g, guestfs_inspect_get_type (g, root));
  char *distro = QUIET (g, guestfs_inspect_get_distro (g, root));
  char *product = QUIET (g, guestfs_inspect_get_product_name (g, root));
  int major = QUIET (g, guestfs_inspect_get_major_version (g, root));
  int minor = QUIET (g, guestfs_inspect_get_minor_version (g, root));
  say ("\nroot: %s\ntype: %s\ndistro: %s\nversion: %d.%d\nproduct name: %s\n",
       root, type ? type : "unknown", distro ? distro : "unknown",
       major < 0 ? 0 : major, minor < 0 ? 0 : minor,
       product ? product : "unknown");
  free (type);
  free (distro);
  free (product);
}

/* Write all of BUF to FD (which may be non-blocking). */
static int
write_all (int fd, const char *buf, size_t n)
{
  while (n > 0) {
    ssize_t w = write (fd, buf, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        poll (&p, 1, 1000);
        continue;
      }
      return -1;
    }
    buf += w;
    n -= (size_t) w;
  }
  return 0;
}

/* Copy between the terminal and the console until the appliance ends
 * (returns 0) or the user quits (returns 1). */
static int
relay (guestfs_h *g, int console, int key, const char *root)
{
  bool stdin_open = true, escaped = false;
  char buf[4096], out[4096];
  for (;;) {
    struct pollfd p[2] = {
      { .fd = console, .events = POLLIN },
      { .fd = STDIN_FILENO, .events = POLLIN },
    };
    /* After the end of the input, ^D is typed whenever the console has
     * been quiet for a second, until the shell exits: a ^D that reached
     * the terminal before the shell read it may be lost, and a program
     * reading the input ends at the first one. */
    int r = poll (p, stdin_open ? 2 : 1, stdin_open ? -1 : 1000);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      perror ("poll");
      return 0;
    }
    if (r == 0) {
      if (write_all (console, "\004", 1) == -1)
        return 0;
      continue;
    }
    if (p[0].revents) {
      ssize_t n = read (console, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return 0;              /* the appliance has gone */
      if (write_all (STDOUT_FILENO, buf, (size_t) n) == -1)
        return 1;
    }
    if (stdin_open && p[1].revents) {
      ssize_t n = read (STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0) {
        /* End of input (not a terminal): end the shell as ^D would
         * (see above). */
        stdin_open = false;
        if (escaped) {
          const char k = (char) key;
          write_all (console, &k, 1);
        }
        continue;
      }
      size_t m = 0;
      for (ssize_t i = 0; i < n; ++i) {
        unsigned char c = (unsigned char) buf[i];
        if (!escaped) {
          if (key >= 0 && c == key)
            escaped = true;
          else
            out[m++] = (char) c;
          continue;
        }
        escaped = false;
        if (key >= 0 && c == key) {
          out[m++] = (char) c;
          continue;
        }
        /* Whatever was typed before the escape goes first. */
        if (m > 0 && write_all (console, out, m) == -1)
          return 0;
        m = 0;
        switch (c) {
        case '?': case 'h':
          escape_help (key);
          break;
        case 'i':
          escape_inspect (g, root);
          break;
        case 'q': case 'x':
          return 1;
        case 's':
          say ("\nvirt-rescue: syncing the filesystems ...\n");
          if (guestfs_sync (g) == 0)
            say ("virt-rescue: done\n");
          break;
        case 'u':
          say ("\nvirt-rescue: unmounting the filesystems ...\n");
          if (guestfs_umount_all (g) == 0)
            say ("virt-rescue: done\n");
          break;
        case 'z':
          restore_mode ();
          raise (SIGTSTP);       /* resumes here after fg */
          raw_mode ();
          break;
        default:
          say ("\nvirt-rescue: unknown escape key %s %c (%s h for help)\n",
               key_name (key), isprint (c) ? c : '?', key_name (key));
          break;
        }
      }
      if (m > 0 && write_all (console, out, m) == -1)
        return 0;
    }
  }
}

/* ---- --suggest ----------------------------------------------------- */

static int
compare_mp (const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t lx = strlen (x[0]), ly = strlen (y[0]);
  return lx < ly ? -1 : lx > ly ? 1 : strcmp (x[0], y[0]);
}

static int
suggest (guestfs_h *g, struct tool_options *o)
{
  printf ("Inspecting the virtual machine or disk image ...\n\n");
  fflush (stdout);
  if (guestfs_launch (g) == -1 || tool_decrypt (g, o) == -1)
    return -1;
  char **roots = guestfs_inspect_os (g);
  if (!roots)
    return -1;
  if (!roots[0]) {
    /* The same words as Debian's virt-rescue. */
    printf ("This disk contains no mountable filesystems that we recognize.\n\n"
            "However you can still use virt-rescue on the disk image, to try to mount\n"
            "filesystems that are not recognized by libguestfs, or to create partitions,\n"
            "logical volumes and filesystems on a blank disk.\n");
    tool_free_strings (roots);
    return 0;
  }
  printf ("This disk contains one or more operating systems.  You can use these mount\n"
          "commands in virt-rescue (at the ><rescue> prompt) to mount the filesystems.\n\n");
  for (size_t i = 0; roots[i]; ++i) {
    const char *root = roots[i];
    char *type = QUIET (g, guestfs_inspect_get_type (g, root));
    char *distro = QUIET (g, guestfs_inspect_get_distro (g, root));
    char *product = QUIET (g, guestfs_inspect_get_product_name (g, root));
    int major = QUIET (g, guestfs_inspect_get_major_version (g, root));
    int minor = QUIET (g, guestfs_inspect_get_minor_version (g, root));
    printf ("# %s is the root of a %s operating system\n", root,
            type ? type : "unknown");
    printf ("# type: %s, distro: %s, version: %d.%d\n",
            type ? type : "unknown", distro ? distro : "unknown",
            major < 0 ? 0 : major, minor < 0 ? 0 : minor);
    printf ("# %s\n\n", product ? product : "unknown");
    char **mps = guestfs_inspect_get_mountpoints (g, root);
    size_t n = tool_count_strings (mps);
    if (mps)
      qsort (mps, n / 2, 2 * sizeof mps[0], compare_mp);
    for (size_t j = 0; mps && j + 1 < n; j += 2)
      printf ("mount %s /sysroot%s\n", mps[j + 1], mps[j]);
    /* A Linux guest's own tools (grub, initramfs builders) want /dev,
     * /proc and /sys inside the chroot. */
    if (type && strcmp (type, "linux") == 0)
      printf ("mount --rbind /dev /sysroot/dev\n"
              "mount --rbind /proc /sysroot/proc\n"
              "mount --rbind /sys /sysroot/sys\n"
              "\n"
              "cd /sysroot\n"
              "chroot /sysroot\n");
    printf ("\n");
    tool_free_strings (mps);
    free (type);
    free (distro);
    free (product);
  }
  tool_free_strings (roots);
  return 0;
}

/* ---- main ---------------------------------------------------------- */

/* A piece of the kernel command line for the appliance's rescue shell:
 * the host's TERM and window size. */
static char *
rescue_append (const char *user_append)
{
  char *s = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&s, &len);
  if (!fp) {
    perror ("open_memstream");
    exit (EXIT_FAILURE);
  }
  fputs ("guestfs_rescue=1", fp);
  const char *term = getenv ("TERM");
  bool good = term && *term && strlen (term) < 60;
  for (const char *p = term; good && *p; ++p)
    if (!isalnum ((unsigned char) *p) && !strchr ("-_.+", *p))
      good = false;
  if (good)
    fprintf (fp, " TERM=%s", term);
  struct winsize ws;
  if (isatty (STDIN_FILENO) && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0 &&
      ws.ws_col > 0 && ws.ws_row > 0)
    fprintf (fp, " guestfs_winsize=%ux%u", ws.ws_col, ws.ws_row);
  if (user_append && *user_append)
    fprintf (fp, " %s", user_append);
  fclose (fp);
  return s;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = false };
  static const char short_options[] = "a:c:d:e:im:rvVwx";
  static const struct option long_options[] = {
    { "add", required_argument, NULL, 'a' },
    { "append", required_argument, NULL, OPT_APPEND },
    { "blocksize", optional_argument, NULL, TOOL_OPT_BLOCKSIZE },
    { "connect", required_argument, NULL, 'c' },
    { "domain", required_argument, NULL, 'd' },
    { "format", optional_argument, NULL, TOOL_OPT_FORMAT },
    { "help", no_argument, NULL, OPT_HELP },
    { "inspector", no_argument, NULL, 'i' },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "memsize", required_argument, NULL, OPT_MEMSIZE },
    { "mount", required_argument, NULL, 'm' },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "ro", no_argument, NULL, TOOL_OPT_RO },
    { "rw", no_argument, NULL, TOOL_OPT_RW },
    { "scratch", optional_argument, NULL, OPT_SCRATCH },
    { "selinux", no_argument, NULL, OPT_SELINUX },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "smp", required_argument, NULL, OPT_SMP },
    { "suggest", no_argument, NULL, OPT_SUGGEST },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int escape_key = 0x1d;            /* ^] */
  const char *append = NULL;
  int memsize = 0, smp = 0;
  bool network = false, do_suggest = false;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    int r = tool_option (&o, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (EXIT_FAILURE);
    switch (c) {
    case OPT_HELP:
      usage (EXIT_SUCCESS);
    case 'e':
      escape_key = parse_escape_key (optarg);
      if (escape_key == -2) {
        fprintf (stderr, "%s: unrecognized escape key: %s\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      break;
    case OPT_APPEND:
      append = optarg;
      break;
    case OPT_MEMSIZE: {
      char *end;
      errno = 0;
      long v = strtol (optarg, &end, 10);
      if (errno || end == optarg || *end || v < 128 || v > 1024 * 1024) {
        fprintf (stderr, "%s: could not parse --memsize parameter ‘%s’ "
                 "(a number of megabytes, at least 128)\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      memsize = (int) v;
      break;
    }
    case OPT_SMP: {
      char *end;
      errno = 0;
      long v = strtol (optarg, &end, 10);
      if (errno || end == optarg || *end || v < 1 || v > 255) {
        fprintf (stderr, "%s: could not parse --smp parameter ‘%s’ "
                 "(a number of virtual CPUs, 1 to 255)\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      smp = (int) v;
      break;
    }
    case OPT_NETWORK:
      network = true;
      break;
    case OPT_SCRATCH: {
      long v = 1;
      if (optarg && *optarg) {
        char *end;
        errno = 0;
        v = strtol (optarg, &end, 10);
        if (errno || end == optarg || *end || v < 1 || v > 100) {
          fprintf (stderr, "%s: could not parse --scratch parameter ‘%s’ "
                   "(a number of disks, 1 to 100)\n", program, optarg);
          exit (EXIT_FAILURE);
        }
      }
      for (long i = 0; i < v; ++i)
        tool_add_scratch (&o, SCRATCH_SIZE);
      break;
    }
    case OPT_SELINUX:
      break;
    case OPT_SUGGEST:
      do_suggest = true;
      break;
    default:
      usage (EXIT_FAILURE);
    }
  }
  if (tool_old_style_args (&o, argc, argv, &optind, 0) == -1)
    exit (EXIT_FAILURE);
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  tool_require_drives (&o);
  if (do_suggest) {
    if (o.nr_mounts > 0 || o.inspector) {
      fprintf (stderr, "%s: cannot use --suggest with -i or -m\n", program);
      exit (EXIT_FAILURE);
    }
    o.read_only = true;
  }

  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    exit (EXIT_FAILURE);
  if ((memsize && guestfs_set_memsize (g, memsize) == -1) ||
      (smp && guestfs_set_smp (g, smp) == -1) ||
      (network && guestfs_set_network (g, 1) == -1))
    exit (EXIT_FAILURE);

  if (do_suggest) {
    int r = suggest (g, &o);
    guestfs_close (g);
    tool_free_options (&o);
    exit (r == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
  }

  /* LIBGUESTFS_APPEND (already in the handle) is kept, then --append. */
  const char *env_append = guestfs_get_append (g);
  char *both = NULL;
  if (env_append && *env_append &&
      asprintf (&both, "%s%s%s", env_append, append ? " " : "", append ? append : "") == -1) {
    perror ("asprintf");
    exit (EXIT_FAILURE);
  }
  char *kappend = rescue_append (both ? both : append);
  free (both);
  if (guestfs_set_append (g, kappend) == -1)
    exit (EXIT_FAILURE);
  free (kappend);

  /* Writes to a console or daemon socket whose appliance has powered
   * off fail with EPIPE instead of killing us. */
  signal (SIGPIPE, SIG_IGN);
  if (guestfs_launch (g) == -1)
    exit (EXIT_FAILURE);
  /* Taken before the mounts, so nothing the shell prints is lost. */
  int console = guestfs_internal_get_console_socket (g);
  if (console == -1)
    exit (EXIT_FAILURE);
  /* The appliance's shell starts on the first key it receives. */
  if (write_all (console, "\n", 1) == -1) {
    fprintf (stderr, "%s: writing to the appliance console: %s\n", program,
             strerror (errno));
    exit (EXIT_FAILURE);
  }
  if ((o.inspector || o.nr_mounts > 0) && tool_mount (g, &o) == -1) {
    guestfs_close (g);
    exit (EXIT_FAILURE);
  }

  if (escape_key >= 0)
    printf ("The virt-rescue escape key is ‘%s’.  Type ‘%s h’ for help.\n\n",
            key_name (escape_key), key_name (escape_key));
  fflush (stdout);

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_tio) == 0) {
    tio_saved = true;
    static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; ++i) {
      struct sigaction sa = { .sa_handler = fatal_signal };
      sigaction (sigs[i], &sa, NULL);
    }
    atexit (restore_mode);
    raw_mode ();
  }

  int quit = relay (g, console, escape_key, o.root);
  restore_mode ();
  if (quit)
    printf ("\n");

  /* After the shell exits the appliance powers itself off; after ^] q
   * this asks the daemon to finish (init then unmounts and powers off). */
  guestfs_push_error_handler (g, NULL, NULL);
  guestfs_shutdown (g);
  guestfs_pop_error_handler (g);
  guestfs_close (g);
  tool_free_options (&o);
  return EXIT_SUCCESS;
}
