/* hatch-make-fixed-appliance: a self-contained ("fixed") appliance for
 * hosts that cannot build one (no packages, an unreadable kernel, or a
 * different distribution): a directory with kernel, initrd, root and a
 * README.fixed, or the same as appliance-VERSION.tar.xz.  Point
 * LIBGUESTFS_PATH at the directory to use it.  See
 * docs/hatch-make-fixed-appliance.1.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appliance.h"
#include "config.h"

static void
log_stderr (void *opaque, const char *msg)
{
  (void) opaque;
  fprintf (stderr, "hatch-make-fixed-appliance: %s\n", msg);
}

static void
die (const char *fmt, const char *arg)
{
  fprintf (stderr, "hatch-make-fixed-appliance: ");
  fprintf (stderr, fmt, arg);
  fputc ('\n', stderr);
  exit (1);
}

static void
usage (int status)
{
  if (status) {
    fprintf (stderr, "Try 'hatch-make-fixed-appliance --help' for more information.\n");
    exit (status);
  }
  printf ("hatch-make-fixed-appliance: make a fixed Hatch appliance\n"
          "\n"
          "  hatch-make-fixed-appliance OUTPUTDIR\n"
          "      write kernel, initrd, root and README.fixed into OUTPUTDIR\n"
          "  hatch-make-fixed-appliance --xz\n"
          "      write appliance-%s.tar.xz in the current directory\n"
          "\n"
          "Use it with LIBGUESTFS_PATH=OUTPUTDIR (or the unpacked appliance/).\n"
          "Options: --include PATH (extra files, repeatable), -v, -V, --help\n",
          PACKAGE_VERSION);
  exit (0);
}

static const char readme[] =
  "This directory is a fixed Hatch appliance: kernel, initrd and root, built\n"
  "on one host by hatch-make-fixed-appliance.  To use it on any host with\n"
  "qemu, without building an appliance there:\n"
  "\n"
  "    export LIBGUESTFS_PATH=/path/to/this/directory\n"
  "\n"
  "The daemon inside must come from the same Hatch version as the library\n"
  "that launches it (the handshake checks this).  root is a sparse file:\n"
  "copy it with cp --sparse=always or tar --sparse.\n";

int
main (int argc, char *argv[])
{
  enum { OPT_XZ = 256, OPT_INCLUDE };
  static const struct option opts[] = {
    { "xz", no_argument, NULL, OPT_XZ },
    { "include", required_argument, NULL, OPT_INCLUDE },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  bool xz = false;
  const char *includes[65] = { NULL };
  size_t nincludes = 0;
  struct hatch_appliance_inputs in = {
    .daemon_path = HATCH_DAEMON_PATH, .init_path = HATCH_INIT_PATH,
    .packages_path = HATCH_PACKAGES_PATH, .log_fn = log_stderr,
  };
  int o;
  while ((o = getopt_long (argc, argv, "vVh", opts, NULL)) != -1) {
    switch (o) {
    case OPT_XZ: xz = true; break;
    case OPT_INCLUDE:
      if (nincludes == 64)
        die ("%s", "too many --include options (at most 64)");
      includes[nincludes++] = optarg;
      break;
    case 'v': in.verbose = true; break;
    case 'V': printf ("hatch-make-fixed-appliance %s\n", PACKAGE_VERSION); return 0;
    case 'h': usage (0); break;
    default: usage (1);
    }
  }
  if (xz ? optind != argc : optind != argc - 1)
    usage (1);
  in.includes = nincludes ? includes : NULL;

  char *tmp = NULL, *outdir;
  if (xz) {
    const char *t = getenv ("TMPDIR");
    if (asprintf (&tmp, "%s/hatch-fixed-XXXXXX", t && *t ? t : "/var/tmp") < 0 ||
        !mkdtemp (tmp))
      die ("creating a temporary directory: %s", strerror (errno));
    if (asprintf (&outdir, "%s/appliance", tmp) < 0)
      die ("%s", strerror (errno));
  }
  else
    outdir = argv[optind];

  char *err = NULL;
  if (hatch_appliance_build_dir (&in, outdir, "ext2", true, &err) < 0) {
    if (tmp) {
      char *rm[] = { (char *) "rm", (char *) "-rf", tmp, NULL };
      if (fork () == 0) { execvp ("rm", rm); _exit (127); }
      wait (NULL);
    }
    die ("%s", err);
  }
  char *readme_path;
  if (asprintf (&readme_path, "%s/README.fixed", outdir) < 0)
    die ("%s", strerror (errno));
  FILE *f = fopen (readme_path, "w");
  if (!f || fputs (readme, f) == EOF || fclose (f) == EOF)
    die ("writing README.fixed: %s", strerror (errno));
  free (readme_path);

  int status = 0;
  if (xz) {
    char *tarball;
    if (asprintf (&tarball, "appliance-%s.tar.xz", PACKAGE_VERSION) < 0)
      die ("%s", strerror (errno));
    pid_t pid = fork ();
    if (pid == 0) {
      execlp ("tar", "tar", "--sparse", "-cJf", tarball, "-C", tmp,
              "appliance", (char *) NULL);
      _exit (127);
    }
    int st;
    waitpid (pid, &st, 0);
    if (!WIFEXITED (st) || WEXITSTATUS (st) != 0) {
      fprintf (stderr, "hatch-make-fixed-appliance: tar -cJf %s failed\n", tarball);
      unlink (tarball);
      status = 1;
    }
    else
      printf ("%s\n", tarball);
    if (fork () == 0) {
      execlp ("rm", "rm", "-rf", tmp, (char *) NULL);
      _exit (127);
    }
    wait (NULL);
    free (tarball);
  }
  return status;
}
