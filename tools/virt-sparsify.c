/* virt-sparsify: make a disk image sparse (see virt-sparsify(1)).
 *
 * Copying mode: a qcow2 overlay backed by the input is made in the
 * temporary directory, so the input is never written.  The appliance
 * zeroes the free space of every filesystem in the overlay
 * (zero_free_space), clears swap (keeping its label and UUID) and the
 * free space of volume groups, and qemu-img convert then writes the
 * output, leaving out the blocks that read as zeroes.
 *
 * In-place mode: the input is attached with discard enabled, and the
 * free space is discarded (fstrim, blkdiscard), so the host file loses
 * those blocks. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "progress.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-sparsify";

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: make a virtual machine disk sparse\n"
          "Usage:\n"
          "  %s [--options] indisk outdisk\n"
          "  %s [--options] --in-place disk\n"
          "Options:\n"
          "  --check-tmpdir ignore|continue|warn|fail\n"
          "                       What to do when the temporary directory looks\n"
          "                       too small (default: warn and wait for Return)\n"
          "  --compress           Compress the output (qcow2 only)\n"
          "  --convert FORMAT     Output format (default: the input's)\n"
          "  --format FORMAT      Input format (default: probe)\n"
          "  --ignore FS|VG       Do not zero the free space of FS or VG\n"
          "  --in-place           Discard free space in the disk itself\n"
          "  --key SELECTOR       A LUKS key (ID:key:STRING, ID:file:FILE)\n"
          "  --keys-from-stdin    Read LUKS passphrases from stdin\n"
          "  --echo-keys          Echo passphrases typed at the terminal\n"
          "  --machine-readable   Output for programs (alone: list capabilities)\n"
          "  -o OPTIONS           qemu-img -o options for the output\n"
          "  -q|--quiet           No progress messages\n"
          "  --tmp DIR|prebuilt:FILE  Where the temporary overlay goes\n"
          "  --zero PART|LV       Zero the whole of PART or LV\n"
          "  --colors|--colours|--wrap|--debug-gc  Accepted and ignored\n"
          "  --long-options       List the long options\n"
          "  --short-options      List the short options\n"
          "  -v|--verbose         Debugging messages\n"
          "  -V|--version         Display the version and exit\n"
          "  -x                   Trace the library calls\n"
          "See virt-sparsify(1) for more.\n", program, program, program);
  exit (EXIT_SUCCESS);
}

#define die(...) tool_die (program, __VA_ARGS__)
#define warn(...) tool_warn (program, __VA_ARGS__)

static bool quiet, in_place;
static char **ignores, **zeroes;
static size_t nignores, nzeroes;

static bool
listed (char **l, size_t n, const char *dev, guestfs_h *g)
{
  char *canon = TOOL_QUIET (g, guestfs_canonical_device_name (g, dev));
  bool r = false;
  for (size_t i = 0; i < n && !r; ++i) {
    char *c = TOOL_QUIET (g, guestfs_canonical_device_name (g, l[i]));
    r = strcmp (c ? c : l[i], canon ? canon : dev) == 0;
    free (c);
  }
  free (canon);
  return r;
}

static void
check (int r)
{
  if (r == -1) {
    tool_progress_done ();
    exit (EXIT_FAILURE);
  }
}

/* Empty DEV: discard it in place, or write zeroes in the overlay. */
static void
clear_device (guestfs_h *g, const char *dev)
{
  if (in_place)
    check (guestfs_blkdiscard (g, dev));
  else
    check (guestfs_zero_device (g, dev));
}

static void
sparsify_filesystems (guestfs_h *g)
{
  char **fs = guestfs_list_filesystems (g);
  if (!fs) exit (EXIT_FAILURE);
  for (size_t i = 0; fs[i] && fs[i + 1]; i += 2) {
    const char *dev = fs[i], *type = fs[i + 1];
    if (listed (zeroes, nzeroes, dev, g)) {
      tool_step (quiet, "Zeroing %s", dev);
      clear_device (g, dev);
      continue;
    }
    if (listed (ignores, nignores, dev, g))
      continue;
    if (strcmp (type, "swap") == 0) {
      char *label = TOOL_QUIET (g, guestfs_vfs_label (g, dev));
      char *uuid = TOOL_QUIET (g, guestfs_vfs_uuid (g, dev));
      tool_step (quiet, "Clearing Linux swap on %s", dev);
      clear_device (g, dev);
      struct guestfs_mkswap_opts_argv a = { .bitmask = 0 };
      if (label && *label) { a.bitmask |= GUESTFS_MKSWAP_OPTS_LABEL_BITMASK; a.label = label; }
      if (uuid && *uuid) { a.bitmask |= GUESTFS_MKSWAP_OPTS_UUID_BITMASK; a.uuid = uuid; }
      check (guestfs_mkswap_opts_argv (g, dev, &a));
      free (label); free (uuid);
      continue;
    }
    if (strcmp (type, "unknown") == 0 || strcmp (type, "LVM2_member") == 0 ||
        strcmp (type, "crypto_LUKS") == 0 || strncmp (type, "iso9660", 7) == 0)
      continue;
    if (TOOL_QUIET (g, guestfs_mount (g, dev, "/")) == -1) {
      if (!quiet)
        warn ("cannot mount %s (%s): its free space is left as it is", dev, type);
      continue;
    }
    if (in_place) {
      tool_step (quiet, "Trimming %s", dev);
      if (TOOL_QUIET (g, guestfs_fstrim (g, "/", -1)) == -1)
        warn ("%s (%s): the filesystem does not support trim: its free "
              "space is left as it is", dev, type);
    }
    else {
      tool_step (quiet, "Fill free space in %s with zero", dev);
      check (guestfs_zero_free_space (g, "/"));
    }
    check (guestfs_umount (g, "/"));
  }
  tool_free_strings (fs);

  /* The free space of each volume group. */
  char **vgs = TOOL_QUIET (g, guestfs_vgs (g));
  for (size_t i = 0; vgs && vgs[i]; ++i) {
    bool ign = false;
    for (size_t j = 0; j < nignores; ++j)
      if (strcmp (ignores[j], vgs[i]) == 0) ign = true;
    if (ign) continue;
    const char *lv = "hatch_sparsify_tmp";
    if (TOOL_QUIET (g, guestfs_lvcreate_free (g, lv, vgs[i], 100)) == -1)
      continue;                 /* no free extents */
    char *dev;
    if (asprintf (&dev, "/dev/%s/%s", vgs[i], lv) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
    tool_step (quiet, "Clearing the free space of volume group %s", vgs[i]);
    clear_device (g, dev);
    check (guestfs_lvremove (g, dev));
    free (dev);
  }
  tool_free_strings (vgs);
}

/* Run ARGV (qemu-img); returns its exit status or -1. */
static int
run (char *const argv[])
{
  pid_t pid = fork ();
  if (pid == -1) { perror ("fork"); return -1; }
  if (pid == 0) {
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s: %s\n", program, argv[0], strerror (errno));
    _exit (127);
  }
  int st;
  if (waitpid (pid, &st, 0) == -1) { perror ("waitpid"); return -1; }
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

int
main (int argc, char *argv[])
{
  tool_step (true, " ");
  struct tool_options o = { .program = program };
  static const char short_options[] = "o:qvVx";
  enum { O_HELP = 0x200, O_CHECK_TMPDIR, O_COMPRESS, O_CONVERT, O_IGNORE, O_IN_PLACE,
         O_MR, O_TMP, O_ZERO, O_NOOP, O_FORMAT };
  static const struct option long_options[] = {
    { "check-tmpdir", required_argument, NULL, O_CHECK_TMPDIR },
    TOOL_COLOUR_LONG_OPTIONS (O_NOOP),
    TOOL_OCAML_LONG_OPTIONS (O_NOOP),
    { "compress", no_argument, NULL, O_COMPRESS },
    { "convert", required_argument, NULL, O_CONVERT },
    { "echo-keys", no_argument, NULL, TOOL_OPT_ECHO_KEYS },
    { "format", required_argument, NULL, O_FORMAT },
    { "help", no_argument, NULL, O_HELP },
    { "ignore", required_argument, NULL, O_IGNORE },
    { "in-place", no_argument, NULL, O_IN_PLACE },
    { "inplace", no_argument, NULL, O_IN_PLACE },
    { "key", required_argument, NULL, TOOL_OPT_KEY },
    { "keys-from-stdin", no_argument, NULL, TOOL_OPT_KEYS_FROM_STDIN },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "machine-readable", optional_argument, NULL, O_MR },
    { "quiet", no_argument, NULL, 'q' },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "tmp", required_argument, NULL, O_TMP },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { "zero", required_argument, NULL, O_ZERO },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  const char *check_tmpdir = "warn", *convert = NULL, *qopts = NULL, *tmp = NULL,
    *in_format = NULL;
  bool compress = false, machine_readable = false, check_given = false;
  ignores = calloc ((size_t) argc + 1, sizeof *ignores);
  zeroes = calloc ((size_t) argc + 1, sizeof *zeroes);
  if (!ignores || !zeroes) { perror ("calloc"); exit (EXIT_FAILURE); }
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case O_HELP: usage (EXIT_SUCCESS);
    case O_CHECK_TMPDIR:
      if (strcmp (optarg, "ignore") && strcmp (optarg, "continue") &&
          strcmp (optarg, "warn") && strcmp (optarg, "fail"))
        die ("--check-tmpdir: unknown argument ‘%s’ (use ignore|continue|warn|fail)", optarg);
      check_tmpdir = optarg;
      check_given = true;
      break;
    case O_COMPRESS: compress = true; break;
    case O_CONVERT: convert = optarg; break;
    case O_FORMAT: in_format = optarg; break;
    case O_IGNORE: ignores[nignores++] = optarg; break;
    case O_ZERO: zeroes[nzeroes++] = optarg; break;
    case O_IN_PLACE: in_place = true; break;
    case O_MR:
      if (optarg && *optarg)
        die ("--machine-readable=%s: only the plain form is supported", optarg);
      machine_readable = true;
      break;
    case 'o':
      if (qopts) die ("-o option given twice (separate the options with commas)");
      qopts = optarg;
      break;
    case 'q': quiet = true; break;
    case O_TMP: tmp = optarg; break;
    case O_NOOP: break;
    default: usage (EXIT_FAILURE);
    }
  }
  int nargs = argc - optind;
  if (machine_readable && nargs == 0) {
    printf ("virt-sparsify\nlinux-swap\nzero\ncheck-tmpdir\nin-place\ntmp-option\n");
    guestfs_h *g = guestfs_create ();
    if (g && guestfs_add_drive_scratch (g, 1 << 20, -1) == 0 && guestfs_launch (g) == 0) {
      static const char *features[][2] = { { "ntfs3g", "ntfs" }, { "btrfs", "btrfs" } };
      for (size_t i = 0; i < 2; ++i)
        if (TOOL_QUIET (g, guestfs_feature_available (g, (char *[]) { (char *) features[i][0], NULL })) == 1)
          printf ("%s\n", features[i][1]);
      guestfs_shutdown (g);
    }
    if (g) guestfs_close (g);
    exit (EXIT_SUCCESS);
  }
  if (in_place) {
    if (nargs != 1) die ("usage is: %s --in-place disk", program);
    if (compress || convert || qopts || tmp || check_given)
      die ("--in-place cannot be used with --compress, --convert, -o, --tmp or --check-tmpdir");
  }
  else if (nargs != 2)
    die ("usage is: %s [--options] indisk outdisk", program);
  const char *infile = argv[optind], *outfile = in_place ? NULL : argv[optind + 1];

  guestfs_h *g = guestfs_create ();
  if (!g) die ("could not create the libguestfs handle");
  guestfs_set_verbose (g, o.verbose);
  guestfs_set_trace (g, o.trace);
  tool_progress_register (g, machine_readable, quiet);

  char *overlay = NULL;
  bool prebuilt = false;
  const char *outfmt = NULL;
  if (!in_place) {
    if (strcmp (infile, outfile) == 0)
      die ("the input and output files must be different (or use --in-place)");
    struct stat st;
    if (stat (outfile, &st) == 0 && S_ISBLK (st.st_mode) && compress)
      die ("--compress cannot write to a block device");
    char *fmt = in_format ? strdup (in_format) : guestfs_disk_format (g, infile);
    if (!fmt) exit (EXIT_FAILURE);
    if (strcmp (fmt, "unknown") == 0) { free (fmt); fmt = strdup ("raw"); }
    in_format = fmt;
    outfmt = convert ? convert : in_format;
    if (compress && strcmp (outfmt, "qcow2") != 0)
      die ("--compress can only be used with qcow2 output (use --convert qcow2)");
    int64_t vsize = guestfs_disk_virtual_size (g, infile);
    if (vsize == -1) exit (EXIT_FAILURE);

    if (tmp && strncmp (tmp, "prebuilt:", 9) == 0) {
      overlay = strdup (tmp + 9);
      prebuilt = true;
      if (access (overlay, R_OK | W_OK) == -1)
        die ("--tmp prebuilt:%s: %s", overlay, strerror (errno));
    }
    else {
      const char *dir = tmp ? tmp : getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp";
      if (stat (dir, &st) == -1)
        die ("--tmp %s: %s", dir, strerror (errno));
      if (S_ISBLK (st.st_mode))
        die ("--tmp %s: a block device as temporary space is not supported "
             "(give a directory or prebuilt:FILE)", dir);
      if (!S_ISDIR (st.st_mode))
        die ("--tmp %s: not a directory", dir);
      /* The overlay holds what is written: at worst as much as the
       * input's virtual size. */
      struct statvfs sv;
      if (statvfs (dir, &sv) == 0 && strcmp (check_tmpdir, "ignore") != 0) {
        uint64_t avail = (uint64_t) sv.f_bavail * sv.f_frsize;
        if (avail < (uint64_t) vsize) {
          char *a = tool_human_size (avail), *need = tool_human_size ((uint64_t) vsize);
          fprintf (stderr, "%s: warning: the temporary directory %s has %s free; "
                   "the overlay may need up to %s (the virtual size of the input).  "
                   "Use --tmp to put it elsewhere.\n", program, dir, a, need);
          free (a); free (need);
          if (strcmp (check_tmpdir, "fail") == 0)
            exit (EXIT_FAILURE);
          if (strcmp (check_tmpdir, "warn") == 0 && isatty (0)) {
            fprintf (stderr, "Press RETURN to continue or ^C to quit.\n");
            int ch;
            while ((ch = getchar ()) != EOF && ch != '\n')
              ;
          }
        }
      }
      if (asprintf (&overlay, "%s/sparsify-XXXXXX", dir) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
      int fd = mkstemp (overlay);
      if (fd == -1) die ("%s: %s", overlay, strerror (errno));
      close (fd);
      tool_step (quiet, "Create overlay file in %s to protect source disk", dir);
      char *abs = realpath (infile, NULL);
      if (!abs) { unlink (overlay); die ("%s: %s", infile, strerror (errno)); }
      int r = guestfs_disk_create (g, overlay, "qcow2", -1,
                                   GUESTFS_DISK_CREATE_BACKINGFILE, abs,
                                   GUESTFS_DISK_CREATE_BACKINGFORMAT, in_format, -1);
      free (abs);
      if (r == -1) { unlink (overlay); exit (EXIT_FAILURE); }
    }
  }

  tool_step (quiet, "Examine source disk");
  int r = in_place
    ? guestfs_add_drive_opts (g, infile, GUESTFS_ADD_DRIVE_OPTS_DISCARD, "enable",
                              in_format ? GUESTFS_ADD_DRIVE_OPTS_FORMAT : -1, in_format, -1)
    : guestfs_add_drive_opts (g, overlay, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2",
                              GUESTFS_ADD_DRIVE_OPTS_DISCARD, "besteffort", -1);
  int status = EXIT_FAILURE;
  if (r == -1 || guestfs_launch (g) == -1 || tool_decrypt (g, &o) == -1)
    goto out;
  TOOL_QUIET (g, guestfs_vg_activate_all (g, 1));
  sparsify_filesystems (g);
  if (guestfs_sync (g) == -1 || guestfs_shutdown (g) == -1)
    goto out;

  if (!in_place) {
    tool_step (quiet, "Copy to destination and make sparse");
    char *av[20];
    int n = 0;
    av[n++] = (char *) "qemu-img";
    av[n++] = (char *) "convert";
    if (!quiet && !machine_readable && isatty (1)) av[n++] = (char *) "-p";
    if (compress) av[n++] = (char *) "-c";
    av[n++] = (char *) "-f";
    av[n++] = (char *) "qcow2";
    av[n++] = (char *) "-O";
    av[n++] = (char *) outfmt;
    if (qopts) { av[n++] = (char *) "-o"; av[n++] = (char *) qopts; }
    av[n++] = (char *) "--";
    av[n++] = overlay;
    av[n++] = (char *) outfile;
    av[n] = NULL;
    if (run (av) != 0) {
      fprintf (stderr, "%s: error: qemu-img convert to %s failed\n", program, outfile);
      goto out;
    }
  }
  status = EXIT_SUCCESS;
  if (!quiet) {
    tool_step (quiet, "Sparsify %soperation completed with no errors.", in_place ? "in-place " : "");
    if (!in_place)
      printf ("virt-sparsify: Before deleting the old disk, carefully check that "
              "the target disk boots and works correctly.\n");
  }
 out:
  guestfs_close (g);
  if (overlay && !prebuilt)
    unlink (overlay);
  free (overlay);
  tool_free_options (&o);
  free (ignores); free (zeroes);
  return status;
}
