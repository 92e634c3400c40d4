/* guestunmount: unmount a filesystem mounted by guestmount, with
 * fusermount3 -u, retrying with exponential back-off while it is busy
 * (see guestunmount(1)).  Exit status: 0 done, 1 program error, 2 could
 * not unmount, 3 not mounted. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fusermount.h"
#include "guestfs.h"
#include "options.h"

static const char *program = "guestunmount";
static bool quiet, verbose;

enum { OPT_FD = 0x200, OPT_HELP, OPT_NO_RETRY, OPT_RETRY };

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: unmount a filesystem mounted by guestmount\n"
          "Usage:\n"
          "  %s [--fd=FD] mountpoint\n"
          "Options:\n"
          "  --fd=FD              Wait until pipe FD is closed, then unmount\n"
          "  --help               Show this help\n"
          "  -q|--quiet           Do not print the errors of fusermount\n"
          "  --no-retry           Run fusermount only once\n"
          "  --retry=N            Retry fusermount up to N times (default 5)\n"
          "  -v|--verbose         Verbose messages\n"
          "  -V|--version         Show the version and exit\n"
          "See guestunmount(1) for more.\n", program, program);
  exit (EXIT_SUCCESS);
}

static int
parse_nonneg_int (const char *opt, const char *s)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > INT_MAX) {
    fprintf (stderr, "%s: cannot parse %s option value: %s\n", program, opt, s);
    exit (EXIT_FAILURE);
  }
  return (int) v;
}

/* Undo the octal escapes (\040 for a space ...) of /proc/self/mountinfo. */
static void
unescape (char *s)
{
  char *o = s;
  for (char *p = s; *p; ) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
        p[3] >= '0' && p[3] <= '7') {
      *o++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
      p += 4;
    }
    else
      *o++ = *p++;
  }
  *o = '\0';
}

/* Is there a FUSE mount on PATH (an absolute, resolved path)? -1 if
 * mountinfo cannot be read. */
static int
is_fuse_mount (const char *path)
{
  FILE *fp = fopen ("/proc/self/mountinfo", "r");
  if (!fp)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  int found = 0;
  while (getline (&line, &cap, fp) != -1) {
    /* id parent major:minor root mountpoint options [optional...] - fstype ... */
    char *fields[5] = { 0 };
    char *save = NULL, *tok = strtok_r (line, " ", &save);
    for (int i = 0; tok && i < 5; i++, tok = strtok_r (NULL, " ", &save))
      fields[i] = tok;
    if (!fields[4])
      continue;
    char *sep = NULL;
    for (; tok; tok = strtok_r (NULL, " \n", &save))
      if (strcmp (tok, "-") == 0) {
        sep = strtok_r (NULL, " \n", &save);
        break;
      }
    unescape (fields[4]);
    if (strcmp (fields[4], path) == 0 && sep &&
        (strcmp (sep, "fuse") == 0 || strncmp (sep, "fuse.", 5) == 0 ||
         strcmp (sep, "fuseblk") == 0))
      found = 1;
  }
  free (line);
  fclose (fp);
  return found;
}

/* Run fusermount3 -u (common/fusermount.c, shared with the library's
 * umount_local); its messages go to ERR.  Returns the exit status, or -1
 * if it could not be run. */
static int
run_fusermount (const char *mountpoint, char *err, size_t errsize)
{
  if (verbose)
    fprintf (stderr, "%s: running: fusermount3 -u %s\n", program, mountpoint);
  fflush (NULL);
  int r = hatch_fusermount_unmount (mountpoint, err, errsize);
  if (r == -1 && err[0] == '\0')
    snprintf (err, errsize, "%s", strerror (errno));
  return r;
}

/* --fd: block until every writer of the pipe has gone. */
static void
wait_for_close (int fd)
{
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll (&p, 1, -1);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      perror ("poll");
      exit (EXIT_FAILURE);
    }
    if (p.revents & POLLNVAL) {
      fprintf (stderr, "%s: --fd=%d: not an open file descriptor\n", program, fd);
      exit (EXIT_FAILURE);
    }
    if (p.revents & (POLLHUP | POLLERR))
      break;
    if (p.revents & POLLIN) {
      char buf[256];
      ssize_t k = read (fd, buf, sizeof buf);
      if (k == 0)
        break;
      if (k == -1 && errno != EINTR && errno != EAGAIN) {
        perror ("read");
        exit (EXIT_FAILURE);
      }
    }
  }
  close (fd);
}

int
main (int argc, char *argv[])
{
  static const char short_options[] = "qvV";
  static const struct option long_options[] = {
    { "fd", required_argument, NULL, OPT_FD },
    { "help", no_argument, NULL, OPT_HELP },
    { "quiet", no_argument, NULL, 'q' },
    { "no-retry", no_argument, NULL, OPT_NO_RETRY },
    { "retry", required_argument, NULL, OPT_RETRY },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { NULL, 0, NULL, 0 },
  };
  struct tool_options o = { .program = program, .long_options = long_options,
                            .short_options = short_options };
  int fd = -1, retries = 5;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case OPT_FD: fd = parse_nonneg_int ("--fd", optarg); break;
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case 'q': quiet = true; break;
    case OPT_NO_RETRY: retries = 0; break;
    case OPT_RETRY: retries = parse_nonneg_int ("--retry", optarg); break;
    case 'v': verbose = true; break;
    case 'V':                           /* as libguestfs's: names the package */
      tool_print_version ("guestunmount libguestfs");
      exit (EXIT_SUCCESS);
    case TOOL_OPT_LONG_OPTIONS:
    case TOOL_OPT_SHORT_OPTIONS:
      tool_option (&o, c, optarg);      /* prints and exits */
      break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind != argc - 1) {
    fprintf (stderr, "%s: you must give exactly one mount point\n", program);
    tool_try_help (program);
  }
  if (retries > 30) {
    fprintf (stderr, "%s: --retry=%d: at most 30 retries\n", program, retries);
    exit (EXIT_FAILURE);
  }

  if (fd >= 0)
    wait_for_close (fd);

  char *mountpoint = realpath (argv[optind], NULL);
  if (!mountpoint) {
    int e = errno;
    /* A FUSE mount whose server died answers ENOTCONN: still unmountable. */
    if (e != ENOTCONN) {
      fprintf (stderr, "%s: %s: %s\n", program, argv[optind], strerror (e));
      exit (e == ENOENT ? 3 : EXIT_FAILURE);
    }
    mountpoint = strdup (argv[optind]);
    if (!mountpoint) {
      perror ("strdup");
      exit (EXIT_FAILURE);
    }
  }
  if (is_fuse_mount (mountpoint) == 0) {
    if (!quiet)
      fprintf (stderr, "%s: %s is not mounted\n", program, mountpoint);
    free (mountpoint);
    exit (3);
  }

  char err[4096];
  unsigned delay = 1;
  for (int attempt = 0; ; attempt++) {
    int r = run_fusermount (mountpoint, err, sizeof err);
    if (r == 0)
      break;
    if (r == -1) {
      fprintf (stderr, "%s: cannot run fusermount3 (fuse3 package): %s\n",
               program, err);
      free (mountpoint);
      exit (EXIT_FAILURE);
    }
    if (attempt >= retries) {
      if (!quiet)
        fprintf (stderr, "%s: failed to unmount %s: %s\n", program, mountpoint,
                 err[0] ? err : "fusermount3 failed");
      free (mountpoint);
      exit (2);
    }
    if (verbose)
      fprintf (stderr, "%s: fusermount3 failed (%s); retrying in %u s\n",
               program, err, delay);
    sleep (delay);
    delay *= 2;
  }
  free (mountpoint);
  return EXIT_SUCCESS;
}
