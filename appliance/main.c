/* hatch-make-appliance: the appliance builder's command line (see
 * docs/hatch-make-appliance.1).
 *
 *   hatch-make-appliance [--cachedir DIR] ...        find or build in the cache
 *   hatch-make-appliance --prepare -o PREPDIR [PKG...] describe the appliance
 *   hatch-make-appliance --build PREPDIR -o OUTDIR    build a described one
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "appliance.h"
#include "config.h"

static void
log_stderr (void *opaque, const char *msg)
{
  (void) opaque;
  fprintf (stderr, "hatch-make-appliance: %s\n", msg);
}

static void
usage (int status)
{
  if (status) {
    fprintf (stderr, "Try 'hatch-make-appliance --help' for more information.\n");
    exit (status);
  }
  printf ("hatch-make-appliance: build the Hatch appliance\n"
          "\n"
          "  hatch-make-appliance [--cachedir DIR] [OPTIONS]\n"
          "      find the appliance in the per-user cache, or build it there;\n"
          "      print its directory, kernel, initrd and root image\n"
          "  hatch-make-appliance --prepare -o PREPDIR [OPTIONS] [PACKAGE...]\n"
          "      check the packages against this host and write a description\n"
          "  hatch-make-appliance --build PREPDIR -o OUTDIR [--format ext2|chroot]\n"
          "      build the described appliance from this host's files\n"
          "\n"
          "Options:\n"
          "  --cachedir DIR       cache parent directory (default: $LIBGUESTFS_CACHEDIR,\n"
          "                       else $XDG_CACHE_HOME, else /var/tmp)\n"
          "  --daemon PATH        guestfsd to install (default: the built one)\n"
          "  --init PATH          init for the initramfs (default: the built one)\n"
          "  --packages FILE      package list (default: the shipped packages.txt)\n"
          "  --include PATH       extra files for the root image: a directory or a\n"
          "                       tar archive (repeatable)\n"
          "  -o, --output DIR     --prepare: the description; --build: the appliance\n"
          "  --format ext2|chroot --build output: kernel+initrd+root, or a tree\n"
          "  --copy-kernel        --build: copy the host kernel instead of linking it\n"
          "  --host-cpu CPU       the appliance's CPU architecture (x86_64 only)\n"
          "  -v, --verbose        log each step\n"
          "  -V, --version        print the version\n"
          "  --help               this text\n"
          "Environment: HATCH_KERNEL, HATCH_MODULES_DIR choose the kernel.\n");
  exit (0);
}

static void
die (const char *msg)
{
  fprintf (stderr, "hatch-make-appliance: %s\n", msg);
  exit (1);
}

int
main (int argc, char *argv[])
{
  enum { OPT_CACHEDIR = 256, OPT_DAEMON, OPT_INIT, OPT_PACKAGES, OPT_INCLUDE,
         OPT_PREPARE, OPT_BUILD, OPT_FORMAT, OPT_COPY_KERNEL, OPT_HOST_CPU };
  static const struct option opts[] = {
    { "cachedir", required_argument, NULL, OPT_CACHEDIR },
    { "daemon", required_argument, NULL, OPT_DAEMON },
    { "init", required_argument, NULL, OPT_INIT },
    { "packages", required_argument, NULL, OPT_PACKAGES },
    { "include", required_argument, NULL, OPT_INCLUDE },
    { "prepare", no_argument, NULL, OPT_PREPARE },
    { "build", required_argument, NULL, OPT_BUILD },
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "copy-kernel", no_argument, NULL, OPT_COPY_KERNEL },
    { "host-cpu", required_argument, NULL, OPT_HOST_CPU },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct hatch_appliance_inputs in = { .log_fn = log_stderr };
  const char *includes[65] = { NULL };
  size_t nincludes = 0;
  bool prepare = false, copy_kernel = false, packages_given = false;
  const char *build = NULL, *output = NULL, *format = "ext2", *host_cpu = NULL;
  int o;
  while ((o = getopt_long (argc, argv, "o:vVh", opts, NULL)) != -1) {
    switch (o) {
    case OPT_CACHEDIR: in.cachedir = optarg; break;
    case OPT_DAEMON: in.daemon_path = optarg; break;
    case OPT_INIT: in.init_path = optarg; break;
    case OPT_PACKAGES: in.packages_path = optarg; packages_given = true; break;
    case OPT_INCLUDE:
      if (nincludes == 64)
        die ("too many --include options (at most 64)");
      includes[nincludes++] = optarg;
      break;
    case OPT_PREPARE: prepare = true; break;
    case OPT_BUILD: build = optarg; break;
    case 'o': output = optarg; break;
    case OPT_FORMAT: format = optarg; break;
    case OPT_COPY_KERNEL: copy_kernel = true; break;
    case OPT_HOST_CPU: host_cpu = optarg; break;
    case 'v': in.verbose = true; break;
    case 'V': printf ("hatch-make-appliance %s\n", PACKAGE_VERSION); return 0;
    case 'h': usage (0); break;
    default: usage (1);
    }
  }
  if (prepare && build)
    die ("--prepare and --build are two separate steps: give one of them");
  if (optind != argc && !prepare)
    die ("package names are only given with --prepare");
  if ((prepare || build) && !output)
    die ("--prepare and --build need -o DIR (the output directory)");
  if (strcmp (format, "ext2") && strcmp (format, "chroot"))
    die ("--format must be ext2 or chroot");
  if (host_cpu) {
    struct utsname u;
    uname (&u);
    if ((strcmp (host_cpu, "x86_64") && strcmp (host_cpu, "amd64")) ||
        strcmp (u.machine, "x86_64"))
      die ("only x86_64 appliances can be built, on an x86_64 host "
           "(the appliance is made of this host's own kernel and programs)");
  }
  if (!in.daemon_path)
    in.daemon_path = HATCH_DAEMON_PATH;
  if (!in.init_path)
    in.init_path = HATCH_INIT_PATH;
  if (!in.packages_path)
    in.packages_path = HATCH_PACKAGES_PATH;
  in.includes = nincludes ? includes : NULL;

  char *err = NULL;
  if (prepare) {
    in.require_packages = packages_given;
    if (hatch_appliance_describe (&in, (const char *const *) argv + optind,
                                  output, &err) < 0)
      die (err);
    return 0;
  }
  if (build) {
    struct hatch_description d;
    if (hatch_appliance_read_description (build, &d, &err) < 0)
      die (err);
    struct hatch_appliance_inputs bin = in;
    bin.packages_path = d.packages;
    bin.daemon_path = d.daemon;
    bin.init_path = d.init;
    bin.includes = (const char *const *) d.includes;
    bin.require_packages = true;
    int r = hatch_appliance_build_dir (&bin, output, format, copy_kernel, &err);
    hatch_description_free (&d);
    if (r < 0)
      die (err);
    return 0;
  }

  if (!in.cachedir) {          /* where the library looks (get_cachedir) */
    const char *e = getenv ("LIBGUESTFS_CACHEDIR");
    const char *x = getenv ("XDG_CACHE_HOME");
    in.cachedir = e && *e ? e : x && *x ? x : "/var/tmp";
  }
  struct hatch_appliance a;
  if (hatch_appliance_prepare (&in, &a, &err) < 0)
    die (err);
  printf ("%s\n%s\n%s\n%s\n", a.dir, a.kernel, a.initrd, a.root);
  if (in.verbose)
    fprintf (stderr, "hatch-make-appliance: kernel is %s\n",
             a.kernel_is_pvh ? "a PVH vmlinux" : "a bzImage");
  hatch_appliance_free (&a);
  return 0;
}
