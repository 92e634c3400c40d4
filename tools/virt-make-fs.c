/* virt-make-fs: make a filesystem (in a new disk image) from a host
 * directory or tar file (see virt-make-fs(1)). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "util.h"

static const char *program = "virt-make-fs";

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: make a filesystem from a tar archive or files\n"
          "Usage:\n"
          "  %s [--options] input.tar output.img\n"
          "  %s [--options] input.tar.gz output.img\n"
          "  %s [--options] directory output.img\n"
          "Options:\n"
          "  --blocksize=512|4096  Sector size of the output disk\n"
          "  --floppy              Make a virtual floppy disk (1440K, MBR, vfat)\n"
          "  -F|--format=raw|qcow2|..\n"
          "                        Output disk format (default: raw)\n"
          "  --help                Show this help\n"
          "  --label=LABEL         Filesystem label\n"
          "  --partition[=mbr|gpt] Add a partition table (default: none)\n"
          "  -s|--size=N|+N        Output size (N[bKMGTPE]), or extra space (+N)\n"
          "  -t|--type=FS          Filesystem type (default: ext2)\n"
          "  -v|--verbose          Verbose messages\n"
          "  -V|--version          Show the version and exit\n"
          "  -x                    Trace the libguestfs calls\n"
          "See virt-make-fs(1) for more.\n", program, program, program, program);
  exit (EXIT_SUCCESS);
}

/* N with an optional b/K/M/G/T/P/E suffix; -1 if not a size. */
static int64_t
parse_size (const char *s)
{
  char *end;
  errno = 0;
  if (!isdigit ((unsigned char) *s))
    return -1;
  unsigned long long n = strtoull (s, &end, 10);
  if (errno)
    return -1;
  int shift = 0;
  switch (*end) {
  case '\0': case 'b': shift = 0; break;
  case 'K': case 'k': shift = 10; break;
  case 'M': shift = 20; break;
  case 'G': shift = 30; break;
  case 'T': shift = 40; break;
  case 'P': shift = 50; break;
  case 'E': shift = 60; break;
  default: return -1;
  }
  if (*end && end[1])
    return -1;
  if (n > (unsigned long long) (INT64_MAX >> shift))
    return -1;
  return (int64_t) (n << shift);
}

/* Run ARGV, its stdout to OUT_FD (-1: inherit); returns the exit status
 * or -1. */
static int
run (char *const argv[], int in_fd, int out_fd)
{
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    return -1;
  }
  if (pid == 0) {
    if (in_fd >= 0 && dup2 (in_fd, 0) == -1) _exit (126);
    if (out_fd >= 0 && dup2 (out_fd, 1) == -1) _exit (126);
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s: %s\n", program, argv[0], strerror (errno));
    _exit (127);
  }
  int st;
  if (waitpid (pid, &st, 0) == -1) {
    perror ("waitpid");
    return -1;
  }
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

/* The decompressor for a compressed file (by its first bytes), "" for a
 * plain tar file, NULL if the file is neither. */
static const char *
input_kind (const char *file)
{
  unsigned char b[512];
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return NULL;
  ssize_t n = read (fd, b, sizeof b);
  close (fd);
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return "gzip";
  if (n >= 3 && memcmp (b, "BZh", 3) == 0) return "bzip2";
  if (n >= 6 && memcmp (b, "\xfd" "7zXZ\0", 6) == 0) return "xz";
  if (n >= 4 && memcmp (b, "\x28\xb5\x2f\xfd", 4) == 0) return "zstd";
  if (n >= 4 && memcmp (b, "\x89LZO", 4) == 0) return "lzop";
  if (n >= 262 && memcmp (b + 257, "ustar", 5) == 0) return "";
  return NULL;
}

int
main (int argc, char *argv[])
{
  static const char short_options[] = "F:s:t:vVx";
  static const struct option long_options[] = {
    { "blocksize", required_argument, NULL, 0x206 },
    { "debug", no_argument, NULL, 'v' },
    { "floppy", no_argument, NULL, 0x201 },
    { "format", required_argument, NULL, 'F' },
    { "help", no_argument, NULL, 0x200 },
    { "label", required_argument, NULL, 0x202 },
    { "long-options", no_argument, NULL, 0x204 },
    { "partition", optional_argument, NULL, 0x203 },
    { "short-options", no_argument, NULL, 0x205 },
    { "size", required_argument, NULL, 's' },
    { "type", required_argument, NULL, 't' },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  struct tool_options o = { .program = program, .long_options = long_options,
                            .short_options = short_options };
  const char *format = "raw", *type = "ext2", *label = NULL, *partition = NULL;
  int64_t size = 0, extra = 0;
  int blocksize = 0;
  bool floppy = false, verbose = false, trace = false;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 0x201: floppy = true; break;
    case 'F': format = optarg; break;
    case 0x202: label = optarg; break;
    case 0x203:
      if (!optarg || !*optarg || strcmp (optarg, "mbr") == 0 ||
          strcmp (optarg, "msdos") == 0)
        partition = "mbr";
      else if (strcmp (optarg, "gpt") == 0)
        partition = "gpt";
      else {
        fprintf (stderr, "%s: --partition: unknown partition type '%s'\n",
                 program, optarg);
        exit (EXIT_FAILURE);
      }
      break;
    case 0x204: tool_option (&o, TOOL_OPT_LONG_OPTIONS, NULL); break;
    case 0x205: tool_option (&o, TOOL_OPT_SHORT_OPTIONS, NULL); break;
    case 0x206:
      blocksize = atoi (optarg);
      if (blocksize != 512 && blocksize != 4096) {
        fprintf (stderr, "%s: --blocksize must be 512 or 4096\n", program);
        exit (EXIT_FAILURE);
      }
      break;
    case 's': {
      int64_t n = parse_size (optarg[0] == '+' ? optarg + 1 : optarg);
      if (n <= 0) {
        fprintf (stderr, "%s: --size: cannot parse size '%s'\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      if (optarg[0] == '+') { extra = n; size = 0; }
      else { size = n; extra = 0; }
      break;
    }
    case 't': type = optarg; break;
    case 'v': verbose = true; break;
    case 'x': trace = true; break;
    case 'V': tool_print_version (program); exit (EXIT_SUCCESS);
    default: usage (EXIT_FAILURE);
    }
  }
  if (argc - optind != 2) {
    fprintf (stderr, "%s: error: %s\n", program,
             argc - optind < 2 ? "missing input or output file on the command line"
                               : "too many arguments on the command line");
    usage (EXIT_FAILURE);
  }
  const char *input = argv[optind], *output = argv[optind + 1];
  if (floppy) {
    if (!size) size = 1440 * 1024;
    if (!partition) partition = "mbr";
    type = "vfat";
  }

  /* Everything goes in as one plain tar file made on the host. */
  const char *tmpbase = getenv ("TMPDIR") && *getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp";
  char *tmpdir;
  if (asprintf (&tmpdir, "%s/virt-make-fs.XXXXXX", tmpbase) == -1 || !mkdtemp (tmpdir)) {
    fprintf (stderr, "%s: cannot make a temporary directory: %s\n", program,
             strerror (errno));
    exit (EXIT_FAILURE);
  }
  char *tarfile;
  if (asprintf (&tarfile, "%s/input.tar", tmpdir) == -1)
    exit (EXIT_FAILURE);
  int status = EXIT_FAILURE;
  guestfs_h *g = NULL;
  bool created = false;

  struct stat st;
  if (stat (input, &st) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, input, strerror (errno));
    goto out;
  }
  int tfd = open (tarfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (tfd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, tarfile, strerror (errno));
    goto out;
  }
  if (S_ISDIR (st.st_mode)) {
    char *targv[] = { "tar", "-C", (char *) input, "-cf", "-", ".", NULL };
    if (run (targv, -1, tfd) != 0) {
      fprintf (stderr, "%s: tar of directory %s failed\n", program, input);
      close (tfd);
      goto out;
    }
  }
  else {
    const char *kind = input_kind (input);
    if (!kind) {
      fprintf (stderr, "%s: %s: input is not a directory, tar archive or "
               "compressed tar archive\n", program, input);
      close (tfd);
      goto out;
    }
    int ifd = open (input, O_RDONLY | O_CLOEXEC);
    if (ifd == -1) {
      fprintf (stderr, "%s: %s: %s\n", program, input, strerror (errno));
      close (tfd);
      goto out;
    }
    char *cat_argv[] = { "cat", NULL };
    char *dec_argv[] = { (char *) kind, "-dc", NULL };
    int r = run (*kind ? dec_argv : cat_argv, ifd, tfd);
    close (ifd);
    if (r != 0) {
      fprintf (stderr, "%s: %s: could not uncompress the input with %s\n",
               program, input, kind);
      close (tfd);
      goto out;
    }
  }
  if (fstat (tfd, &st) == -1 || close (tfd) == -1) {
    perror (tarfile);
    goto out;
  }

  /* The estimate: the archive plus room for filesystem metadata. */
  int64_t estimate = st.st_size + st.st_size / 4 + 1024 * 1024 + extra;
  int64_t minimum = 1024 * 1024;
  if (strcmp (type, "btrfs") == 0) minimum = 120 * 1024 * 1024;
  else if (strcmp (type, "xfs") == 0) minimum = 300 * 1024 * 1024;
  else if (strncmp (type, "ext", 3) == 0) minimum = 2 * 1024 * 1024;
  else if (strcmp (type, "ntfs") == 0) minimum = 8 * 1024 * 1024;
  if (estimate < minimum) estimate = minimum;
  if (partition)
    estimate += 2 * 1024 * 1024;        /* alignment and the GPT backup */
  if (size == 0)
    size = (estimate + 65535) / 65536 * 65536;

  g = guestfs_create ();
  if (!g) {
    fprintf (stderr, "%s: failed to create libguestfs handle\n", program);
    goto out;
  }
  if (verbose) guestfs_set_verbose (g, 1);
  if (trace) guestfs_set_trace (g, 1);
  guestfs_set_program (g, program);
  if (guestfs_disk_create (g, output, format, size, -1) == -1)
    goto out;
  created = true;
  struct guestfs_add_drive_opts_argv a = {
    .bitmask = GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK, .format = format,
  };
  if (blocksize) {
    a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
    a.blocksize = blocksize;
  }
  if (guestfs_add_drive_opts_argv (g, output, &a) == -1 ||
      guestfs_launch (g) == -1)
    goto out;
  const char *dev = "/dev/sda";
  if (partition) {
    if (guestfs_part_disk (g, "/dev/sda", strcmp (partition, "mbr") == 0 ? "msdos" : "gpt") == -1)
      goto out;
    if (strcmp (partition, "mbr") == 0) {
      int id = strcmp (type, "vfat") == 0 || strcmp (type, "msdos") == 0 ? 0x0c
             : strcmp (type, "ntfs") == 0 || strcmp (type, "exfat") == 0 ? 0x07
             : 0x83;
      if (guestfs_part_set_mbr_id (g, "/dev/sda", 1, id) == -1)
        goto out;
    }
    dev = "/dev/sda1";
  }
  if (guestfs_mkfs_opts (g, type, dev, -1) == -1)
    goto out;
  if (label && guestfs_set_label (g, dev, label) == -1)
    goto out;
  if (guestfs_mount (g, dev, "/") == -1)
    goto out;
  if (guestfs_tar_in (g, tarfile, "/") == -1) {
    fprintf (stderr, "%s: error: copying the files failed; if the filesystem "
             "is too small, use --size=+N to make it bigger (size was %" PRIi64
             " bytes)\n", program, size);
    goto out;
  }
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1)
    goto out;
  status = EXIT_SUCCESS;

 out:
  if (g)
    guestfs_close (g);
  if (status != EXIT_SUCCESS && created)
    unlink (output);
  unlink (tarfile);
  rmdir (tmpdir);
  free (tarfile);
  free (tmpdir);
  return status;
}
