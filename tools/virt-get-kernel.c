/* virt-get-kernel: copy the newest kernel and its initramfs out of a
 * Linux guest (see virt-get-kernel(1)).
 *
 * The file names come from the guest, so they are untrusted: a name is
 * used only if it is a plain file name (no '/', not "." or "..", no
 * control characters), and files are created with openat() in the
 * opened output directory with O_NOFOLLOW, so nothing is ever written
 * outside that directory, even through a symbolic link found there. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-get-kernel";

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: extract kernel and ramdisk from a guest\n"
          "Usage:\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("  --machine-readable   Alone: list the capabilities\n"
          "  -o|--output DIR      Write the files into DIR (default: .)\n"
          "  --prefix PREFIX      Name the files PREFIX-NAME\n"
          "  -q|--quiet           No progress messages\n"
          "  --unversioned-names  Name the files vmlinuz and initrd.img etc.\n"
          "  --colors|--colours|--wrap|--debug-gc  Accepted and ignored\n"
          "See virt-get-kernel(1) for more.\n");
  exit (EXIT_SUCCESS);
}

/* A guest-provided file name that is safe to create in the output
 * directory. */
static bool
safe_name (const char *s)
{
  if (!*s || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (; *s; ++s)
    if (*s == '/' || (unsigned char) *s < 0x20 || *s == 0x7f)
      return false;
  return true;
}

static const char *
base_name (const char *path)
{
  const char *s = strrchr (path, '/');
  return s ? s + 1 : path;
}

/* The name to give the copy of guest file PATH whose kernel version is
 * VERSION. */
static char *
dest_name (const char *path, const char *version, const char *prefix, bool unversioned)
{
  const char *b = base_name (path);
  char *name;
  if (unversioned) {
    /* vmlinuz-V -> vmlinuz, initrd.img-V -> initrd.img,
     * initramfs-V.img -> initramfs.img */
    const char *v = strstr (b, version);
    if (v && v > b && v[-1] == '-') {
      if (asprintf (&name, "%.*s%s", (int) (v - 1 - b), b, v + strlen (version)) == -1)
        name = NULL;
    }
    else
      name = strdup (b);
  }
  else
    name = strdup (b);
  if (!name) { perror ("strdup"); exit (EXIT_FAILURE); }
  if (prefix) {
    char *p;
    if (asprintf (&p, "%s-%s", prefix, name) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
    free (name);
    name = p;
  }
  return name;
}

static int
fetch (guestfs_h *g, int dirfd, const char *outdir, const char *path, const char *name,
       bool quiet)
{
  if (!safe_name (name)) {
    fprintf (stderr, "%s: error: refusing to write a file named ‘%s’ (from the "
             "guest's %s): not a plain file name\n", program, name, path);
    return -1;
  }
  if (!quiet)
    printf ("download: %s -> %s/%s\n", path, outdir, name);
  int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd == -1) {
    fprintf (stderr, "%s: error: %s/%s: %s\n", program, outdir, name,
             errno == ELOOP ? "is a symbolic link, not overwritten" : strerror (errno));
    return -1;
  }
  int r = tool_download_fd (g, path, fd);
  if (close (fd) == -1 && r == 0) {
    fprintf (stderr, "%s: error: %s/%s: %s\n", program, outdir, name, strerror (errno));
    r = -1;
  }
  if (r == -1)
    unlinkat (dirfd, name, 0);
  return r;
}

static int
cmp_version_desc (const void *a, const void *b)
{
  return strverscmp (*(char *const *) b, *(char *const *) a);
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:o:qvVx";
  enum { O_HELP = 0x200, O_MR, O_PREFIX, O_UNVERSIONED, O_NOOP };
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, O_HELP },
    { "machine-readable", optional_argument, NULL, O_MR },
    { "output", required_argument, NULL, 'o' },
    { "prefix", required_argument, NULL, O_PREFIX },
    { "quiet", no_argument, NULL, 'q' },
    { "unversioned-names", no_argument, NULL, O_UNVERSIONED },
    TOOL_COLOUR_LONG_OPTIONS (O_NOOP),
    TOOL_OCAML_LONG_OPTIONS (O_NOOP),
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  const char *outdir = ".", *prefix = NULL;
  bool quiet = false, unversioned = false, machine_readable = false;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case O_HELP: usage (EXIT_SUCCESS);
    case O_MR:
      if (optarg && *optarg) {
        fprintf (stderr, "%s: error: --machine-readable=%s: only the plain form "
                 "is supported\n", program, optarg);
        exit (EXIT_FAILURE);
      }
      machine_readable = true;
      break;
    case 'o': outdir = optarg; break;
    case 'q': quiet = true; break;
    case O_PREFIX:
      if (!*optarg || strchr (optarg, '/')) {
        fprintf (stderr, "%s: error: --prefix must be a plain name (no ‘/’)\n", program);
        exit (EXIT_FAILURE);
      }
      prefix = optarg;
      break;
    case O_UNVERSIONED: unversioned = true; break;
    case O_NOOP: break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (machine_readable && o.nr_drives == 0 && o.nr_domains == 0) {
    printf ("%s\n", program);
    exit (EXIT_SUCCESS);
  }
  if (optind < argc) {
    fprintf (stderr, "%s: error: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  if (o.nr_drives == 0 && o.nr_domains == 0) {
    fprintf (stderr, "%s: error: you must give either -a or -d options.\n", program);
    usage (EXIT_FAILURE);
  }
  if (o.nr_drives > 0 && o.nr_domains > 0) {
    fprintf (stderr, "%s: error: you cannot give -a and -d options together.\n", program);
    usage (EXIT_FAILURE);
  }
  int dirfd = open (outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd == -1) {
    fprintf (stderr, "%s: error: %s: %s\n", program, outdir, strerror (errno));
    exit (EXIT_FAILURE);
  }

  o.inspector = true;
  guestfs_h *g = tool_launch (&o, true);
  int status = EXIT_FAILURE;
  char *type = guestfs_inspect_get_type (g, o.root);
  char **kernels = NULL;
  if (!type)
    goto out;
  if (strcmp (type, "linux") != 0) {
    fprintf (stderr, "%s: error: operating system ‘%s’ not supported: only "
             "Linux guests have a kernel to extract\n", program, type);
    goto out;
  }
  char **found = guestfs_glob_expand (g, "/boot/vmlinuz-*");
  if (!found)
    goto out;
  /* The versions of the real kernels (not signatures or checksums). */
  size_t n = tool_count_strings (found), nk = 0;
  kernels = calloc (n + 1, sizeof *kernels);
  if (!kernels) { perror ("calloc"); exit (EXIT_FAILURE); }
  for (size_t i = 0; i < n; ++i) {
    const char *v = found[i] + strlen ("/boot/vmlinuz-");
    size_t l = strlen (v);
    if (!*v || (l > 4 && (strcmp (v + l - 4, ".sig") == 0 || strcmp (v + l - 4, ".asc") == 0)) ||
        (l > 5 && strcmp (v + l - 5, ".hmac") == 0))
      continue;
    if (TOOL_QUIET (g, guestfs_is_file_opts (g, found[i],
                                             GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) != 1)
      continue;
    kernels[nk++] = strdup (v);
  }
  tool_free_strings (found);
  if (nk == 0) {
    fprintf (stderr, "%s: error: no kernel found in /boot (no /boot/vmlinuz-*)\n", program);
    goto out;
  }
  qsort (kernels, nk, sizeof *kernels, cmp_version_desc);
  const char *version = kernels[0];

  char *kpath;
  if (asprintf (&kpath, "/boot/vmlinuz-%s", version) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
  /* Its initramfs, under the names the distributions use. */
  static const char *const initrd_forms[] = {
    "/boot/initramfs-%s.img", "/boot/initrd.img-%s", "/boot/initrd-%s.img",
    "/boot/initrd-%s", "/boot/initramfs-%s",
  };
  char *ipath = NULL;
  for (size_t i = 0; i < sizeof initrd_forms / sizeof *initrd_forms && !ipath; ++i) {
    char *p;
    if (asprintf (&p, initrd_forms[i], version) == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
    if (TOOL_QUIET (g, guestfs_is_file_opts (g, p, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 1, -1)) == 1)
      ipath = p;
    else
      free (p);
  }
  char *kname = dest_name (kpath, version, prefix, unversioned);
  status = fetch (g, dirfd, outdir, kpath, kname, quiet) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  free (kname);
  if (status == EXIT_SUCCESS && ipath) {
    char *iname = dest_name (ipath, version, prefix, unversioned);
    if (fetch (g, dirfd, outdir, ipath, iname, quiet) == -1)
      status = EXIT_FAILURE;
    free (iname);
  }
  free (kpath);
  free (ipath);
 out:
  free (type);
  tool_free_strings (kernels);
  close (dirfd);
  return tool_finish (g, &o, status);
}
