/* hatch-make-appliance: build (or find in the cache) the appliance and
 * print where it is.  Mostly for testing and for making a prebuilt
 * appliance directory to use with LIBGUESTFS_PATH.  */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appliance.h"

static void
log_stderr (void *opaque, const char *msg)
{
  (void) opaque;
  fprintf (stderr, "hatch-make-appliance: %s\n", msg);
}

static void
usage (int status)
{
  fprintf (status ? stderr : stdout,
           "usage: hatch-make-appliance --cachedir DIR --daemon PATH "
           "--init PATH --packages FILE [-v]\n"
           "Prints the appliance directory, then its kernel, initrd and "
           "root image.\n"
           "Environment: HATCH_KERNEL, HATCH_MODULES_DIR choose the kernel.\n");
  exit (status);
}

int
main (int argc, char *argv[])
{
  static const struct option opts[] = {
    { "cachedir", required_argument, NULL, 'c' },
    { "daemon", required_argument, NULL, 'd' },
    { "init", required_argument, NULL, 'i' },
    { "packages", required_argument, NULL, 'p' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct hatch_appliance_inputs in = { .log_fn = log_stderr };
  int o;
  while ((o = getopt_long (argc, argv, "vh", opts, NULL)) != -1) {
    switch (o) {
    case 'c': in.cachedir = optarg; break;
    case 'd': in.daemon_path = optarg; break;
    case 'i': in.init_path = optarg; break;
    case 'p': in.packages_path = optarg; break;
    case 'v': in.verbose = true; break;
    case 'h': usage (0); break;
    default: usage (1);
    }
  }
  if (optind != argc || !in.cachedir || !in.daemon_path || !in.init_path ||
      !in.packages_path)
    usage (1);

  struct hatch_appliance a;
  char *err;
  if (hatch_appliance_prepare (&in, &a, &err) < 0) {
    fprintf (stderr, "hatch-make-appliance: %s\n", err);
    free (err);
    return 1;
  }
  printf ("%s\n%s\n%s\n%s\n", a.dir, a.kernel, a.initrd, a.root);
  if (in.verbose)
    fprintf (stderr, "hatch-make-appliance: kernel is %s\n",
             a.kernel_is_pvh ? "a PVH vmlinux" : "a bzImage");
  hatch_appliance_free (&a);
  return 0;
}
