/* Hatch guestfish: options, the handle, and the command loops.
 *
 * Commands come from one of three places:
 *   - the program arguments, separated by ":" words (command-line mode);
 *   - a script: standard input when it is not a terminal, or -f FILE;
 *   - an interactive prompt (rl.c) when standard input is a terminal.
 * In the first two the first error that is not ignored ends guestfish
 * with exit status 1; at the prompt errors are only reported.  */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fish.h"

guestfs_h *g;
int fish_quit;

/* Where the command being run came from, for error messages in scripts:
 * "FILE:LINE: libguestfs: error: ...".  At a terminal no location is
 * shown.  Command-line commands count as line 0 of standard input.  */
static int show_location;
static const char *location_file = "*stdin*";
static int location_line;

static int pipe_error;          /* --pipe-error */

static void
error_handler (guestfs_h *h, void *opaque, const char *msg)
{
  (void) h;
  (void) opaque;
  if (show_location)
    fprintf (stderr, "%s:%d: ", location_file, location_line);
  fprintf (stderr, "libguestfs: error: %s\n", msg);
}

int
fish_dispatch (const char *cmd, size_t argc, char *argv[])
{
  const struct fish_builtin *b = fish_find_builtin (cmd);
  if (b != NULL)
    return b->run (cmd, argc, argv);

  const struct fish_command *c = fish_find_command (cmd);
  if (c != NULL)
    return c->run (cmd, argc, argv);

  fprintf (stderr, "%s: unknown command\n", cmd);
  fprintf (stderr, "To open a disk image:    guestfish -a disk.img\n"
                   "To list the commands:    guestfish -h\n"
                   "To read the manual:      man guestfish\n");
  return -1;
}

/* Run `cmd args` with its standard output going into `sh -c PIPELINE`. */
static int
dispatch_to_pipe (const struct fish_line *l)
{
  fflush (stdout);
  FILE *pp = popen (l->pipe, "w");
  if (pp == NULL) {
    perror ("popen");
    return -1;
  }
  int saved = dup (STDOUT_FILENO);
  if (saved == -1 || dup2 (fileno (pp), STDOUT_FILENO) == -1) {
    perror ("dup");
    if (saved >= 0)
      close (saved);
    pclose (pp);
    return -1;
  }

  int r = fish_dispatch (l->cmd, l->argc, l->argv);

  if (fflush (stdout) == EOF && pipe_error)
    r = -1;
  clearerr (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  int status = pclose (pp);
  if (pipe_error && (status == -1 || !WIFEXITED (status) ||
                     WEXITSTATUS (status) != 0))
    r = -1;
  return r;
}

int
fish_execute (const struct fish_line *l)
{
  if (l->shell != NULL) {
    fflush (stdout);
    int status = system (l->shell);
    if (status == -1) {
      perror ("system");
      return -1;
    }
    return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
  }
  if (l->cmd == NULL)
    return 0;

  int r;
  if (l->pipe != NULL)
    r = dispatch_to_pipe (l);
  else
    r = fish_dispatch (l->cmd, l->argc, l->argv);
  fflush (stdout);
  if (r == -1 && l->ignore_errors)
    r = 0;
  return r;
}

/* A script: stops at the first error.  Returns 0 or -1. */
static int
run_script (FILE *fp, const char *name)
{
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int r = 0;

  location_file = name;
  location_line = 0;
  while (!fish_quit && (len = getline (&line, &n, fp)) != -1) {
    location_line++;
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';

    struct fish_line l;
    char *err;
    if (fish_parse_line (line, &l, &err) == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      r = -1;
      break;
    }
    int rr = fish_execute (&l);
    fish_line_free (&l);
    if (rr == -1) {
      r = -1;
      break;
    }
  }
  free (line);
  return r;
}

/* Commands from the program arguments.  Returns 0 or -1. */
static int
run_argv_commands (char *const *words, size_t nwords)
{
  size_t pos = 0;
  struct fish_line l;
  char *err;
  int r;

  location_file = "*stdin*";
  location_line = 0;
  while (!fish_quit &&
         (r = fish_next_argv_command (words, nwords, &pos, &l, &err)) != 0) {
    if (r == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      return -1;
    }
    r = fish_execute (&l);
    fish_line_free (&l);
    if (r == -1)
      return -1;
  }
  return 0;
}

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS) {
    fprintf (stderr, "Try 'guestfish --help' for more information.\n");
    exit (status);
  }
  printf (
"guestfish: a shell for looking inside and changing disk images\n"
"\n"
"Usage:\n"
"  guestfish [--options] [cmd [args...] [: cmd [args...] ...]]\n"
"\n"
"Options:\n"
"  -a|--add IMAGE       Add a disk image (repeat for more disks)\n"
"  --blocksize[=512|4096]\n"
"                       Sector size of the following -a disks\n"
"  -f|--file FILE       Run the commands in FILE\n"
"  --format[=raw|qcow2|..]\n"
"                       Image format of the following -a disks (no value:\n"
"                       detect it again)\n"
"  -h|--cmd-help        List the commands\n"
"  -h|--cmd-help CMD    Show the help for one command\n"
"  --help               Show this help\n"
"  -i|--inspector       Inspect and mount the guest (not available yet)\n"
"  -m|--mount DEV[:MNT[:OPTS]]\n"
"                       Mount DEV on MNT (default /) after launching\n"
"  -n|--no-sync         Do not sync the disks when closing\n"
"  --pipe-error         Fail a 'cmd | pipeline' line if the pipeline fails\n"
"  -r|--ro              Add the -a disks read-only and mount read-only\n"
"  -v|--verbose         Print debugging messages\n"
"  -V|--version         Print the version and exit\n"
"  -w|--rw              Add the -a disks for writing (the default)\n"
"  -x                   Trace each API call on standard error\n"
"\n"
"Commands separated by ':' run one after the other.  Without commands,\n"
"guestfish reads them from standard input, with a prompt when it is a\n"
"terminal.\n"
"\n"
"Example:\n"
"  guestfish --ro -a disk.img run : list-filesystems\n"
"\n"
"The manual page is guestfish(1).\n");
  exit (status);
}

struct drive {
  const char *filename;
  const char *format;      /* NULL: let qemu detect it */
  int blocksize;           /* 0: default */
};

struct mount {
  char *device, *mountpoint, *options;
};

static int
add_drive (const struct drive *d, int readonly)
{
  struct guestfs_add_drive_opts_argv o = { .bitmask = 0 };
  if (readonly) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
    o.readonly = 1;
  }
  if (d->format) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
    o.format = d->format;
  }
  if (d->blocksize) {
    o.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
    o.blocksize = d->blocksize;
  }
  return guestfs_add_drive_opts_argv (g, d->filename, &o);
}

/* -m DEV[:MNT[:OPTS[:FSTYPE]]] */
static int
parse_mount (const char *arg, struct mount *m)
{
  char *s = strdup (arg);
  if (s == NULL) {
    perror ("strdup");
    exit (EXIT_FAILURE);
  }
  m->device = s;
  m->mountpoint = NULL;
  m->options = NULL;
  char *p = strchr (s, ':');
  if (p) {
    *p++ = '\0';
    m->mountpoint = p;
    p = strchr (p, ':');
    if (p) {
      *p++ = '\0';
      m->options = p;
      p = strchr (p, ':');
      if (p) {
        fprintf (stderr, "guestfish: -m %s: choosing the filesystem type is "
                 "not supported yet\n", arg);
        return -1;
      }
    }
  }
  if (m->mountpoint == NULL || m->mountpoint[0] == '\0')
    m->mountpoint = (char *) "/";
  return 0;
}

static int
do_mount (const struct mount *m, int readonly)
{
  const char *opts = m->options ? m->options : "";
  char *o = NULL;
  if (readonly) {
    if (asprintf (&o, "%s%s%s", "ro", *opts ? "," : "", opts) == -1) {
      perror ("asprintf");
      return -1;
    }
    opts = o;
  }
  int r = guestfs_mount_options (g, opts, m->device, m->mountpoint);
  free (o);
  return r;
}

static void __attribute__((noreturn))
not_supported (const char *opt)
{
  fprintf (stderr, "guestfish: option %s is not supported yet\n", opt);
  exit (EXIT_FAILURE);
}

int
main (int argc, char *argv[])
{
  enum {
    OPT_HELP = 256, OPT_FORMAT, OPT_BLOCKSIZE, OPT_PIPE_ERROR, OPT_NOOP,
    OPT_UNSUPPORTED,
  };
  static const char short_opts[] = "a:c:d:Df:h::im:nN:rvVwx";
  static const struct option long_opts[] = {
    { "add", required_argument, NULL, 'a' },
    { "blocksize", optional_argument, NULL, OPT_BLOCKSIZE },
    { "cmd-help", optional_argument, NULL, 'h' },
    { "connect", required_argument, NULL, 'c' },
    { "csh", no_argument, NULL, OPT_UNSUPPORTED },
    { "domain", required_argument, NULL, 'd' },
    { "echo-keys", no_argument, NULL, OPT_NOOP },
    { "file", required_argument, NULL, 'f' },
    { "format", optional_argument, NULL, OPT_FORMAT },
    { "help", no_argument, NULL, OPT_HELP },
    { "inspector", no_argument, NULL, 'i' },
    { "key", required_argument, NULL, OPT_UNSUPPORTED },
    { "keys-from-stdin", no_argument, NULL, OPT_UNSUPPORTED },
    { "listen", no_argument, NULL, OPT_UNSUPPORTED },
    { "live", no_argument, NULL, OPT_UNSUPPORTED },
    { "mount", required_argument, NULL, 'm' },
    { "network", no_argument, NULL, OPT_UNSUPPORTED },
    { "new", required_argument, NULL, 'N' },
    { "no-dest-paths", no_argument, NULL, 'D' },
    { "no-progress-bars", no_argument, NULL, OPT_NOOP },
    { "no-sync", no_argument, NULL, 'n' },
    { "pipe-error", no_argument, NULL, OPT_PIPE_ERROR },
    { "progress-bars", no_argument, NULL, OPT_NOOP },
    { "remote", optional_argument, NULL, OPT_UNSUPPORTED },
    { "ro", no_argument, NULL, 'r' },
    { "rw", no_argument, NULL, 'w' },
    { "selinux", no_argument, NULL, OPT_NOOP },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };

  struct drive *drives = NULL;
  size_t nr_drives = 0;
  struct mount *mounts = NULL;
  size_t nr_mounts = 0;
  const char *format = NULL;
  int blocksize = 0;
  int format_consumed = 1, blocksize_consumed = 1;
  int readonly = 0;
  int inspector = 0;
  const char *script = NULL;
  int c, option_index;

  /* A closed pipeline must give a write error, not kill us. */
  signal (SIGPIPE, SIG_IGN);

  g = guestfs_create ();
  if (g == NULL) {
    fprintf (stderr, "guestfish: could not create the libguestfs handle\n");
    exit (EXIT_FAILURE);
  }
  guestfs_set_error_handler (g, error_handler, NULL);
  guestfs_set_autosync (g, 1);

  while ((c = getopt_long (argc, argv, short_opts, long_opts,
                           &option_index)) != -1) {
    switch (c) {
    case 'a': {
      struct drive *d = realloc (drives, (nr_drives + 1) * sizeof *d);
      if (d == NULL) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      drives = d;
      drives[nr_drives++] = (struct drive) {
        .filename = optarg, .format = format, .blocksize = blocksize,
      };
      format_consumed = blocksize_consumed = 1;
      break;
    }
    case OPT_FORMAT:
      format = optarg && *optarg ? optarg : NULL;
      format_consumed = 0;
      break;
    case OPT_BLOCKSIZE:
      if (optarg == NULL)
        blocksize = 0;
      else if (strcmp (optarg, "512") == 0 || strcmp (optarg, "4096") == 0)
        blocksize = atoi (optarg);
      else {
        fprintf (stderr, "guestfish: --blocksize: %s: use 512 or 4096\n",
                 optarg);
        exit (EXIT_FAILURE);
      }
      blocksize_consumed = 0;
      break;
    case 'f':
      if (script) {
        fprintf (stderr, "guestfish: only one -f option can be given\n");
        exit (EXIT_FAILURE);
      }
      script = optarg;
      break;
    case 'h': {
      const char *cmd = optarg;
      if (cmd == NULL && optind < argc)
        cmd = argv[optind];
      int r = 0;
      if (cmd)
        r = fish_display_command_help (cmd);
      else
        fish_list_commands ();
      guestfs_close (g);
      exit (r == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
    }
    case OPT_HELP:
      guestfs_close (g);
      usage (EXIT_SUCCESS);
    case 'i':
      inspector = 1;
      break;
    case 'm': {
      struct mount *m = realloc (mounts, (nr_mounts + 1) * sizeof *m);
      if (m == NULL) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      mounts = m;
      if (parse_mount (optarg, &mounts[nr_mounts++]) == -1)
        exit (EXIT_FAILURE);
      break;
    }
    case 'n':
      guestfs_set_autosync (g, 0);
      break;
    case 'r':
      readonly = 1;
      break;
    case 'w':
      readonly = 0;
      break;
    case 'v':
      guestfs_set_verbose (g, 1);
      break;
    case 'V': {
      struct guestfs_version *v = guestfs_version (g);
      if (v == NULL)
        exit (EXIT_FAILURE);
      printf ("guestfish %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n",
              v->major, v->minor, v->release, v->extra);
      guestfs_free_version (v);
      guestfs_close (g);
      exit (EXIT_SUCCESS);
    }
    case 'x':
      guestfs_set_trace (g, 1);
      break;
    case OPT_PIPE_ERROR:
      pipe_error = 1;
      break;
    case 'D':
    case OPT_NOOP:
      break;
    case 'c': not_supported ("-c (--connect)");
    case 'd': not_supported ("-d (--domain)");
    case 'N': not_supported ("-N (--new)");
    case OPT_UNSUPPORTED: {
      char opt[64];
      snprintf (opt, sizeof opt, "--%s", long_opts[option_index].name);
      not_supported (opt);
    }
    default:
      usage (EXIT_FAILURE);
    }
  }

  /* --format and --blocksize apply to the -a options after them. */
  if (!format_consumed) {
    fprintf (stderr, "guestfish: --format must come before the -a option "
             "it applies to\n");
    exit (EXIT_FAILURE);
  }
  if (!blocksize_consumed) {
    fprintf (stderr, "guestfish: --blocksize must come before the -a option "
             "it applies to\n");
    exit (EXIT_FAILURE);
  }

  if (inspector) {
    fprintf (stderr, "guestfish: -i: inspection is not available yet; "
             "use 'run', 'list-filesystems' and 'mount' instead\n");
    exit (EXIT_FAILURE);
  }

  /* A script given with -f is read only when there are no commands on
   * the command line, like standard input.  */
  FILE *script_fp = NULL;
  if (script) {
    script_fp = fopen (script, "r");
    if (script_fp == NULL) {
      fprintf (stderr, "guestfish: open: %s: %s\n", script, strerror (errno));
      exit (EXIT_FAILURE);
    }
  }
  int status = EXIT_SUCCESS;

  for (size_t i = 0; i < nr_drives; ++i) {
    if (access (drives[i].filename, R_OK) == -1) {
      fprintf (stderr, "guestfish: access: %s: %s\n", drives[i].filename,
               strerror (errno));
      status = EXIT_FAILURE;
      goto out;
    }
    if (add_drive (&drives[i], readonly) == -1) {
      status = EXIT_FAILURE;
      goto out;
    }
  }

  if (nr_mounts > 0) {
    if (guestfs_launch (g) == -1) {
      status = EXIT_FAILURE;
      goto out;
    }
    for (size_t i = 0; i < nr_mounts; ++i)
      if (do_mount (&mounts[i], readonly) == -1) {
        status = EXIT_FAILURE;
        goto out;
      }
  }

  show_location = script_fp != NULL || !isatty (STDIN_FILENO);
  if (optind < argc) {
    if (run_argv_commands (&argv[optind], argc - optind) == -1)
      status = EXIT_FAILURE;
  }
  else if (script_fp) {
    if (run_script (script_fp, script) == -1)
      status = EXIT_FAILURE;
  }
  else if (isatty (STDIN_FILENO))
    fish_interactive ();
  else if (run_script (stdin, "*stdin*") == -1)
    status = EXIT_FAILURE;

 out:
  if (script_fp)
    fclose (script_fp);
  if (fflush (stdout) == EOF)
    status = EXIT_FAILURE;
  /* Location prefixes describe commands; closing is not one of them. */
  show_location = 0;
  if (guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  for (size_t i = 0; i < nr_mounts; ++i)
    free (mounts[i].device);
  free (mounts);
  free (drives);
  exit (status);
}
