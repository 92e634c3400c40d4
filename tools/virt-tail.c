/* virt-tail: follow (tail -f) files in a disk image or libvirt guest
 * (see virt-tail(1)).  The disks may be changing underneath (a running
 * guest), so every few seconds the appliance is launched afresh
 * (read-only), the files are looked at and the new bytes printed. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-tail";
static volatile sig_atomic_t quit;

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: follow (tail) files in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname file [file ...]\n"
          "  %s [--options] -a disk.img [-a disk.img ...] file [file ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_KEYS);
  printf ("  -f|--follow          (ignored: virt-tail always follows)\n"
          "See virt-tail(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static void
on_signal (int sig)
{
  (void) sig;
  quit = 1;
}

struct followed {
  const char *name;     /* as given */
  bool seen;            /* found at least once */
  bool gone;            /* deleted after being seen */
  int64_t offset;       /* bytes already printed */
};

static const struct followed *last_printed;

/* Before lines of a file other than the one printed last (so before the
 * first lines too, even of a single file): a banner with its name, in
 * libguestfs's virt-tail form. */
static void
header (const struct followed *f)
{
  if (last_printed != f) {
    printf ("\n\n--- %s ---\n\n", f->name);
    last_printed = f;
  }
}

/* One look at every file; returns -1 on an error, else the number of
 * files that exist. */
static int
poll_once (struct tool_options *o, struct followed *files, size_t nr)
{
  guestfs_h *g = tool_open_handle (o);
  if (!g)
    return -1;
  if (guestfs_launch (g) == -1 || tool_mount (g, o) == -1) {
    guestfs_close (g);
    return -1;
  }
  int found = 0, ret = 0;
  for (size_t i = 0; i < nr && ret == 0 && !quit; ++i) {
    struct followed *f = &files[i];
    char *path = tool_windows_path (g, o, f->name);
    if (!path) { ret = -1; break; }
    if (TOOL_QUIET (g, guestfs_is_file_opts (g, path, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) != 1) {
      if (f->seen)
        f->gone = true;
      free (path);
      continue;
    }
    found++;
    int64_t size = guestfs_filesize (g, path);
    if (size == -1) { free (path); ret = -1; break; }
    if (!f->seen) {
      /* The first time: the last 10 lines, as tail does. */
      char **lines = guestfs_tail (g, path);
      if (!lines) { free (path); ret = -1; break; }
      header (f);
      for (size_t j = 0; lines[j]; ++j)
        printf ("%s\n", lines[j]);
      tool_free_strings (lines);
      f->seen = true;
      f->gone = false;
      f->offset = size;
    }
    else {
      if (size < f->offset)     /* truncated or replaced: start again */
        f->offset = 0;
      while (f->offset < size && !quit) {
        int64_t want = size - f->offset;
        if (want > 1024 * 1024)
          want = 1024 * 1024;
        size_t got;
        char *buf = guestfs_pread (g, path, (int) want, f->offset, &got);
        if (!buf) { ret = -1; break; }
        if (got == 0) { free (buf); break; }
        header (f);
        fwrite (buf, 1, got, stdout);
        free (buf);
        f->offset += (int64_t) got;
      }
      f->gone = false;
    }
    fflush (stdout);
    free (path);
  }
  TOOL_QUIET (g, guestfs_shutdown (g));
  guestfs_close (g);
  return ret == -1 ? -1 : found;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:fm:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    { "follow", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 0x200 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    if (c == 'f')
      continue;
    if (c == 0x200)
      usage (EXIT_SUCCESS);
    usage (EXIT_FAILURE);
  }
  tool_require_drives (&o);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing filenames on the command line.\n", program);
    usage (EXIT_FAILURE);
  }
  size_t nr = (size_t) (argc - optind);
  struct followed *files = calloc (nr, sizeof *files);
  if (!files) { perror ("calloc"); exit (EXIT_FAILURE); }
  for (size_t i = 0; i < nr; ++i) {
    files[i].name = argv[optind + (int) i];
    if (files[i].name[0] != '/' &&
        !(files[i].name[0] && files[i].name[1] == ':')) {
      fprintf (stderr, "%s: error: the filename '%s' must be an absolute path\n",
               program, files[i].name);
      exit (EXIT_FAILURE);
    }
  }
  o.inspector = o.nr_mounts == 0;

  struct sigaction sa = { .sa_handler = on_signal };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGQUIT, &sa, NULL);

  /* Seconds between two looks (a test hook; 2 by default). */
  unsigned interval = 2;
  const char *e = getenv ("VIRT_TAIL_INTERVAL");
  if (e && atoi (e) > 0)
    interval = (unsigned) atoi (e);

  int status = EXIT_SUCCESS;
  bool first = true;
  while (!quit) {
    int found = poll_once (&o, files, nr);
    if (found == -1) {
      if (quit)
        break;
      status = EXIT_FAILURE;
      break;
    }
    if (found == 0) {
      if (first) {
        fprintf (stderr, "%s: error: none of the files were found in the "
                 "disk image\n", program);
        status = EXIT_FAILURE;
      }
      /* else: every file has been deleted */
      break;
    }
    first = false;
    for (unsigned s = 0; s < interval && !quit; ++s)
      sleep (1);
  }
  free (files);
  tool_free_options (&o);
  return status;
}
