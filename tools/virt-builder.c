/* virt-builder: make a new guest disk from a template of a repository
 * (see virt-builder(1)).  The repositories, their signed indexes and the
 * templates are in tools/builder/; the disk is grown in place when the
 * partition to expand is the last one (tools/common/grow.c, shared with
 * virt-resize), else by running our own virt-resize (as guestfs-tools
 * does), and changed by the customization engine (tools/customize/). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "command.h"
#include "customize.h"
#include "download.h"
#include "grow.h"
#include "guestfs.h"
#include "list.h"
#include "options.h"
#include "pgp.h"
#include "progress.h"
#include "pxzcat.h"
#include "run.h"
#include "sources.h"
#include "util.h"

static const char *program = "virt-builder";

enum {
  OPT_HELP = 0x200, OPT_ARCH, OPT_ATTACH, OPT_ATTACH_FORMAT, OPT_CACHE, OPT_NO_CACHE,
  OPT_CACHE_ALL, OPT_CHECK_SIG, OPT_NO_CHECK_SIG, OPT_COLORS, OPT_CURL, OPT_DELETE_CACHE,
  OPT_NO_DELETE_ON_FAILURE, OPT_FINGERPRINT, OPT_FORMAT, OPT_GET_KERNEL, OPT_GPG,
  OPT_LIST_FORMAT, OPT_LONG, OPT_MR, OPT_NETWORK, OPT_NO_NETWORK, OPT_NO_SYNC,
  OPT_NO_WARN_PARTITION, OPT_NOTES, OPT_PRINT_CACHE, OPT_SIZE, OPT_SMP, OPT_SOURCE,
  OPT_IGNORED,
};

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: build virtual machine images quickly\n"
          "\n"
          " %s OS-VERSION [-o DISK] [--size SIZE] [--format raw|qcow2] [customizations]\n"
          " %s -l|--list [--long] [--list-format short|long|json] [OS-VERSION]\n"
          " %s --notes OS-VERSION\n"
          " %s --print-cache | --cache-all-templates | --delete-cache\n"
          " %s --get-kernel DISK [--format FMT] [-o OUTPUTDIR]\n"
          "\n"
          "Options:\n"
          "  --arch ARCH          Architecture of the template (default: the host's)\n"
          "  --attach ISO         Attach a disk to the appliance for --run\n"
          "  --attach-format FMT  Format of the next --attach disk\n"
          "  --cache DIR          Template cache (default $XDG_CACHE_HOME/virt-builder)\n"
          "  --no-cache           Do not cache templates\n"
          "  --cache-all-templates  Download every template to the cache and exit\n"
          "  --check-signature    Check the index signatures (default)\n"
          "  --no-check-signature Accept indexes without checking their signature\n"
          "  --colors|--colours   Colour the progress messages even if not a tty\n"
          "  --curl 'curl --insecure'  Only --insecure/-k is honoured (downloads use libcurl)\n"
          "  --delete-cache       Delete the template cache and exit\n"
          "  --no-delete-on-failure  Keep the output file if the build fails\n"
          "  --fingerprint FPR    The key that must have signed the index (per --source)\n"
          "  --format raw|qcow2   Format of the output disk (default raw)\n"
          "  --get-kernel DISK    Extract the kernel and initramfs (as virt-get-kernel)\n"
          "  --gpg GPG            The gpg command (default gpg)\n"
          "  -l|--list            List the templates\n"
          "  --list-format short|long|json  Form of --list\n"
          "  --long               Same as --list-format long\n"
          "  --machine-readable   Alone: list the capabilities of this program\n"
          "  -m|--memsize MB      Memory of the appliance (for --run, --install)\n"
          "  --network            Give guest commands the appliance network (default)\n"
          "  --no-network         No network for guest commands\n"
          "  --no-sync            Do not fsync the output disk at the end\n"
          "  --no-warn-if-partition  No warning when the output is a partition\n"
          "  --notes OS-VERSION   Print the notes of a template and exit\n"
          "  -o|--output FILE     Output disk, file or device (default OS-VERSION.img)\n"
          "  --print-cache        Print the cache folder and what it holds\n"
          "  -q|--quiet           No progress messages\n"
          "  --size SIZE          Size of the output disk (e.g. 20G; 1000b is bytes)\n"
          "  --smp N              Virtual CPUs of the appliance\n"
          "  --source URL         A repository index (again for more sources)\n"
          "  --wrap|--debug-gc    Accepted for compatibility\n"
          "  --long-options       List the long options\n"
          "  --short-options      List the short options\n"
          "  -v|--verbose         Debugging messages\n"
          "  -V|--version         Display the version and exit\n"
          "  -x                   Trace the library calls\n"
          "Customization options, applied in command-line order:\n",
          program, program, program, program, program, program);
  customize_print_help ();
  printf ("See virt-builder(1) for more.\n");
  exit (EXIT_SUCCESS);
}

#define die(...) tool_die (program, __VA_ARGS__)

/* A program of ours from the folder of this one (the build tree or
 * bindir), else from PATH. */
static char *
sibling (const char *name)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    char *slash = strrchr (self, '/');
    if (slash) {
      char *p = NULL;
      if (asprintf (&p, "%.*s/%s", (int) (slash - self), self, name) != -1 &&
          access (p, X_OK) == 0)
        return p;
      free (p);
    }
  }
  return strdup (name);
}

/* --size: N with K M G T P E (powers of 1024), or "Nb" for bytes. */
static int64_t
parse_size (const char *s)
{
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (errno || end == s || v <= 0)
    return -1;
  double mult;
  if (strcmp (end, "b") == 0) mult = 1;
  else if (!*end) mult = 1;
  else if (end[1] && !(end[1] == 'B' || (end[1] == 'i' && end[2] == 'B'))) return -1;
  else switch (*end) {
    case 'K': case 'k': mult = 1024.0; break;
    case 'M': mult = 1024.0 * 1024; break;
    case 'G': mult = 1024.0 * 1024 * 1024; break;
    case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
    case 'P': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
    case 'E': mult = 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024; break;
    default: return -1;
    }
  double r = v * mult;
  if (r >= 9.2e18)
    return -1;
  return (int64_t) r;
}

static char *
default_cache_dir (void)
{
  const char *xdg = getenv ("XDG_CACHE_HOME"), *home = getenv ("HOME");
  char *r = NULL;
  if (xdg && *xdg) {
    if (asprintf (&r, "%s/virt-builder", xdg) == -1) r = NULL;
  }
  else if (home && *home) {
    if (asprintf (&r, "%s/.cache/virt-builder", home) == -1) r = NULL;
  }
  return r;
}

static int
mkdir_p (const char *dir)
{
  char *copy = strdup (dir);
  for (char *p = copy + 1; copy && *p; ++p)
    if (*p == '/') {
      *p = '\0';
      if (mkdir (copy, 0755) == -1 && errno != EEXIST) { free (copy); return -1; }
      *p = '/';
    }
  free (copy);
  return mkdir (dir, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st; (void) flag; (void) ftw;
  if (remove (path) == -1)
    fprintf (stderr, "%s: %s: %s\n", program, path, strerror (errno));
  return 0;
}

static bool
file_exists (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0 && S_ISREG (st.st_mode);
}

/* The checksum of FILE against the template's index entry. */
static int
check_template (const struct builder_template *t, const char *file, bool check_signature)
{
  if (!t->checksum) {
    if (!check_signature)
      return 0;
    fprintf (stderr, "%s: template %s has no checksum[sha512] in its index, so it "
             "cannot be checked (detached sig= signatures are not supported); use "
             "--no-check-signature to use it unchecked\n", program, t->os_version);
    return -1;
  }
  char hex[129];
  if (builder_sha512_file (program, file, hex) == -1)
    return -1;
  if (strcmp (hex, t->checksum) != 0) {
    fprintf (stderr, "%s: %s: the SHA-512 checksum of the template does not match its "
             "index: the file is corrupt or was tampered with\n"
             "  expected: %s\n  actual:   %s\n", program, t->file_uri, t->checksum, hex);
    return -1;
  }
  return 0;
}

/* The template file, downloaded into the cache (or a temporary file
 * *TMP with no cache) unless already there, checked.  Returns its
 * path or NULL. */
static char *
get_template (struct builder_repo *repo, const struct builder_template *t,
              const char *cache, struct customize *cz, char **tmp)
{
  *tmp = NULL;
  char *dest = NULL, *name = builder_cache_name (t);
  if (cache) {
    if (mkdir_p (cache) == -1) {
      fprintf (stderr, "%s: %s: %s\n", program, cache, strerror (errno));
      free (name);
      return NULL;
    }
    if (asprintf (&dest, "%s/%s", cache, name) == -1) dest = NULL;
    if (dest && file_exists (dest)) {
      free (name);
      if (check_template (t, dest, repo->check_signature) == -1) {
        fprintf (stderr, "%s: removing the bad copy %s from the cache\n", program, dest);
        unlink (dest);
        free (dest);
        return NULL;
      }
      return dest;
    }
  }
  free (name);
  char *part = NULL;
  const char *dir = cache ? cache : (getenv ("TMPDIR") ? getenv ("TMPDIR") : "/var/tmp");
  if (asprintf (&part, "%s/.download.XXXXXX", dir) == -1) {
    free (dest);
    return NULL;
  }
  int fd = mkstemp (part);
  if (fd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, part, strerror (errno));
    free (part);
    free (dest);
    return NULL;
  }
  close (fd);
  customize_message (cz, "Downloading: %s", t->file_uri);
  struct builder_download_opts dl = repo->dl;
  dl.proxy = t->source->proxy;
  dl.proxy_url = t->source->proxy_url;
  if (builder_download (&dl, t->file_uri, part) == -1 ||
      check_template (t, part, repo->check_signature) == -1) {
    unlink (part);
    free (part);
    free (dest);
    return NULL;
  }
  if (!dest) {
    *tmp = part;
    return strdup (part);
  }
  if (rename (part, dest) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, dest, strerror (errno));
    unlink (part);
    free (part);
    free (dest);
    return NULL;
  }
  free (part);
  return dest;
}

static int
qemu_img (char *const argv[])
{
  int r = tool_command (program, argv, -1, -1, NULL, false);
  if (r != 0) {
    fprintf (stderr, "%s: %s %s failed (status %d)\n", program, argv[0], argv[1], r);
    return -1;
  }
  return 0;
}

struct build {
  const struct builder_template *t;
  const char *output, *format;
  int64_t size;
  bool is_device, sync, delete_on_failure, created, machine_readable, verbose, trace;
  bool grow_in_place;           /* the output is the template, made bigger */
  int memsize, smp;
  char **attach, **attach_format;
  size_t nr_attach;
};

/* A temporary file for the decompressed template, or NULL. */
static char *
temp_file (void)
{
  const char *dir = getenv ("TMPDIR") ? getenv ("TMPDIR") : "/var/tmp";
  char *p = NULL;
  if (asprintf (&p, "%s/virt-builder.XXXXXX", dir) == -1)
    return NULL;
  int fd = mkstemp (p);
  if (fd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, p, strerror (errno));
    free (p);
    return NULL;
  }
  close (fd);
  return p;
}

/* INPUT (FORMAT) copied by virt-resize into the output, grown to its
 * size: the index's expand= partition and lvexpand= volume get the
 * space, with what they hold. */
static int
resize_into_output (struct build *b, const char *input, const char *format,
                    struct customize *cz)
{
  const struct builder_template *t = b->t;
  if (!b->is_device) {
    char sz[32];
    snprintf (sz, sizeof sz, "%" PRIi64, b->size);
    b->created = true;
    char *argv[] = { "qemu-img", "create", "-q", "-f", (char *) b->format,
                     (char *) b->output, sz, NULL };
    if (qemu_img (argv) == -1)
      return -1;
  }
  char *szs = builder_size_str (b->size);
  customize_message (cz, "Resizing (using virt-resize) to expand the disk to %s",
                     szs ? szs : "?");
  free (szs);
  char *resize = sibling ("virt-resize");
  char *argv[24];
  size_t n = 0;
  argv[n++] = resize;
  argv[n++] = "--format"; argv[n++] = (char *) format;
  argv[n++] = "--output-format"; argv[n++] = (char *) b->format;
  if (t->expand) { argv[n++] = "--expand"; argv[n++] = t->expand; }
  else argv[n++] = "--no-extra-partition";
  if (t->lvexpand) { argv[n++] = "--lv-expand"; argv[n++] = t->lvexpand; }
  argv[n++] = "--unknown-filesystems"; argv[n++] = "error";
  if (b->machine_readable) argv[n++] = "--machine-readable";
  argv[n++] = b->verbose ? "-v" : "-q";
  if (b->trace) argv[n++] = "-x";
  argv[n++] = (char *) input;
  argv[n++] = (char *) b->output;
  argv[n] = NULL;
  int r = tool_command (program, argv, -1, -1, NULL, false);
  free (resize);
  if (r != 0) {
    fprintf (stderr, "%s: virt-resize failed (status %d)\n", program, r);
    return -1;
  }
  return 0;
}

/* The template (FILE) onto the output disk, at the size asked.  When
 * the output is a file and the template says which partition grows,
 * the template is written at its own size and the file made bigger:
 * customize_disk grows the partition in place if it is the last one
 * (no copy, no second launch), else asks for virt-resize. */
static int
make_disk (struct build *b, const char *file, struct customize *cz)
{
  const struct builder_template *t = b->t;
  const char *tformat = t->format ? t->format : "raw";
  bool xz = builder_is_xz (file);
  int ret = -1;
  char *plain = NULL;

  customize_message (cz, "Planning how to build this image");
  bool in_place = !b->is_device && b->size > t->size && t->expand && !t->lvexpand;
  if (!b->is_device && (b->size == t->size || in_place) && xz &&
      strcmp (tformat, b->format) == 0) {
    customize_message (cz, "Uncompressing: %s", t->file_uri);
    int fd = open (b->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1) {
      fprintf (stderr, "%s: %s: %s\n", program, b->output, strerror (errno));
      return -1;
    }
    b->created = true;
    ret = builder_xz_decompress (program, file, fd, 0, NULL);
    if (close (fd) == -1 && ret == 0) {
      fprintf (stderr, "%s: %s: %s\n", program, b->output, strerror (errno));
      ret = -1;
    }
    goto grow;
  }
  const char *input = file;
  if (xz) {
    customize_message (cz, "Uncompressing: %s", t->file_uri);
    plain = temp_file ();
    int fd = plain ? open (plain, O_WRONLY | O_CLOEXEC) : -1;
    if (fd == -1)
      goto out;
    int r = builder_xz_decompress (program, file, fd, 0, NULL);
    close (fd);
    if (r == -1)
      goto out;
    input = plain;
  }
  if (!b->is_device && (b->size == t->size || in_place)) {
    customize_message (cz, "Converting %s to %s", tformat, b->format);
    b->created = true;
    char *argv[] = { "qemu-img", "convert", "-f", (char *) tformat, "-O",
                     (char *) b->format, (char *) input, (char *) b->output, NULL };
    ret = qemu_img (argv);
    goto grow;
  }
  ret = resize_into_output (b, input, tformat, cz);
  goto out;
 grow:
  if (ret == 0 && in_place) {
    char sz[32];
    snprintf (sz, sizeof sz, "%" PRIi64, b->size);
    char *argv[] = { "qemu-img", "resize", "-q", "-f", (char *) b->format,
                     (char *) b->output, sz, NULL };
    ret = qemu_img (argv);
    b->grow_in_place = ret == 0;
  }
 out:
  if (plain) {
    unlink (plain);
    free (plain);
  }
  return ret;
}

/* Grow the partition PART (the last one of its disk) to the end of the
 * disk, then what it holds.  Returns 0, -1 on error, or 1 when it
 * cannot be done this way (nothing was changed: virt-resize must). */
static int
grow_in_place (guestfs_h *g, const char *part, struct customize *cz)
{
  char *disk = guestfs_part_to_dev (g, part);
  int num = disk ? guestfs_part_to_partnum (g, part) : -1;
  char *type = num > 0 ? guestfs_part_get_parttype (g, disk) : NULL;
  struct guestfs_partition_list *pl = type ? guestfs_part_list (g, disk) : NULL;
  char *fstype = pl ? TOOL_QUIET (g, guestfs_vfs_type (g, part)) : NULL;
  int ret = -1;
  if (!fstype)
    goto out;
  bool gpt = strcmp (type, "gpt") == 0, last = gpt || strcmp (type, "msdos") == 0;
  uint64_t end = 0;
  for (uint32_t i = 0; i < pl->len; ++i)
    if (pl->val[i].part_num == num)
      end = pl->val[i].part_end;
  for (uint32_t i = 0; i < pl->len; ++i)
    if (pl->val[i].part_num != num && pl->val[i].part_end > end)
      last = false;
  if (!gpt && num > 4)
    last = false;               /* a logical partition: its extended one must grow too */
  enum tool_content content = strcmp (fstype, "LVM2_member") == 0 ? TOOL_CONTENT_PV
    : *fstype && strcmp (fstype, "swap") != 0 ? TOOL_CONTENT_FS : TOOL_CONTENT_UNKNOWN;
  const char *method = tool_grow_method (g, content, fstype);
  if (!last || !method) {
    ret = 1;
    goto out;
  }
  customize_message (cz, "Growing %s (%s) to the end of the disk", part, fstype);
  int ss = guestfs_blockdev_getss (g, disk);
  int64_t bytes = guestfs_blockdev_getsize64 (g, disk);
  if (ss <= 0 || bytes <= 0)
    goto out;
  /* GPT keeps its backup table and header in the last 16 KiB + 1 sector. */
  int64_t endsect = gpt ? bytes / ss - 2 - 16384 / ss : -1;
  if ((gpt && guestfs_part_expand_gpt (g, disk) == -1) ||
      guestfs_part_resize (g, disk, num, endsect) == -1 ||
      tool_grow_content (g, part, method, NULL) == -1)
    goto out;
  ret = 0;
 out:
  free (disk);
  free (type);
  free (fstype);
  guestfs_free_partition_list (pl);
  return ret;
}

/* Open the new disk, grow it if make_disk left that to this launch,
 * customize it, print the summary.  Returns 0, -1, or 1 when the disk
 * must be grown by virt-resize after all. */
static int
customize_disk (struct build *b, struct customize *cz)
{
  struct tool_options o = { .program = program, .inspector = true,
                            .verbose = b->verbose, .trace = b->trace };
  o.format = strdup (b->format);
  if (tool_add_drive (&o, b->output) == -1)
    return -1;
  customize_message (cz, "Opening the new disk");
  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    return -1;
  if (guestfs_set_network (g, cz->network) == -1 ||
      (b->memsize && guestfs_set_memsize (g, b->memsize) == -1) ||
      (b->smp && guestfs_set_smp (g, b->smp) == -1))
    goto fail;
  for (size_t i = 0; i < b->nr_attach; ++i) {
    struct guestfs_add_drive_opts_argv a = {
      .bitmask = GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK, .readonly = 1 };
    if (b->attach_format[i]) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
      a.format = b->attach_format[i];
    }
    if (guestfs_add_drive_opts_argv (g, b->attach[i], &a) == -1)
      goto fail;
  }
  if (guestfs_launch (g) == -1)
    goto fail;
  if (b->grow_in_place) {
    int r = grow_in_place (g, b->t->expand, cz);
    if (r == 1) {
      tool_finish (g, &o, EXIT_FAILURE);
      return 1;
    }
    if (r == -1)
      goto fail;
  }
  if (tool_mount (g, &o) == -1)
    goto fail;
  if (customize_apply (g, o.root, cz) == -1)
    goto fail;
  customize_message (cz, "Finishing off");
  struct guestfs_statvfs *sv = guestfs_statvfs (g, "/");
  if (tool_finish (g, &o, EXIT_SUCCESS) != EXIT_SUCCESS) {
    guestfs_free_statvfs (sv);
    return -1;
  }
  if (!cz->quiet) {
    char *size = builder_size_str (b->size);
    printf ("%30s: %s\n", "Output file", b->output);
    printf ("%30s: %s\n", "Output size", size ? size : "?");
    printf ("%30s: %s\n", "Output format", b->format);
    free (size);
    if (sv) {
      char *total = builder_size_str (sv->blocks * sv->bsize);
      char *avail = builder_size_str (sv->bfree * sv->bsize);
      printf ("%30s: %s\n", "Total usable space", total ? total : "?");
      printf ("%30s: %s (%d%%)\n", "Free space", avail ? avail : "?",
              sv->blocks ? (int) (sv->bfree * 100 / sv->blocks) : 0);
      free (total);
      free (avail);
    }
  }
  guestfs_free_statvfs (sv);
  return 0;
 fail:
  tool_finish (g, &o, EXIT_FAILURE);
  return -1;
}

/* The in-place growth was not possible: the output (the template, made
 * bigger but not yet changed) goes back to the template's size and
 * becomes virt-resize's input. */
static int
fall_back_to_virt_resize (struct build *b, struct customize *cz)
{
  char *input = NULL;
  if (asprintf (&input, "%s.template.XXXXXX", b->output) == -1)
    return -1;
  int fd = mkstemp (input);
  if (fd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, input, strerror (errno));
    free (input);
    return -1;
  }
  close (fd);
  int r = -1;
  char sz[32];
  snprintf (sz, sizeof sz, "%" PRIi64, b->t->size);
  char *argv[] = { "qemu-img", "resize", "-q", "--shrink", "-f", (char *) b->format,
                   input, sz, NULL };
  if (rename (b->output, input) == -1)
    fprintf (stderr, "%s: %s: %s\n", program, input, strerror (errno));
  else if (qemu_img (argv) == 0)
    r = resize_into_output (b, input, b->format, cz);
  unlink (input);
  free (input);
  b->grow_in_place = false;
  return r;
}

static int
build (struct builder_repo *repo, struct build *b, const char *cache, struct customize *cz)
{
  char *tmp = NULL;
  char *file = get_template (repo, b->t, cache, cz, &tmp);
  if (!file)
    return -1;
  int r = make_disk (b, file, cz);
  if (tmp) unlink (tmp);
  free (tmp);
  free (file);
  if (r == 0)
    r = customize_disk (b, cz);
  if (r == 1) {
    r = fall_back_to_virt_resize (b, cz);
    if (r == 0)
      r = customize_disk (b, cz);
  }
  if (r == 0 && b->sync) {
    int fd = open (b->output, O_RDONLY | O_CLOEXEC);
    if (fd == -1 || fsync (fd) == -1) {
      fprintf (stderr, "%s: %s: sync: %s\n", program, b->output, strerror (errno));
      r = -1;
    }
    if (fd >= 0) close (fd);
  }
  if (r != 0 && b->created && b->delete_on_failure)
    unlink (b->output);
  return r == 0 ? 0 : -1;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program };
  struct customize cz = { .program = program, .network = true,
                          .colors = isatty (STDOUT_FILENO),
                          .default_root_password = "random" };
  struct builder_repo repo = { .program = program, .check_signature = true };
  enum { M_BUILD, M_LIST, M_NOTES, M_PRINT_CACHE, M_DELETE_CACHE, M_CACHE_ALL,
         M_GET_KERNEL } mode = M_BUILD;
  enum builder_list_format list_format = BUILDER_LIST_SHORT;
  const char *arch = NULL, *output = NULL, *format = NULL, *size_arg = NULL;
  const char *get_kernel = NULL, *notes_name = NULL, *gpg = "gpg";
  char *cache = default_cache_dir ();
  bool no_cache = false, machine_readable = false, sync = true, delete_on_failure = true,
    warn_partition = true, insecure = false;
  char **sources = NULL, **fingerprints = NULL, **attach = NULL, **attach_format = NULL;
  size_t nr_sources = 0, nr_fingerprints = 0, nr_attach = 0;
  const char *next_attach_format = NULL;
  int memsize = 0, smp = 0;

  static const char short_options[] = "lm:o:qvVx";
  static const struct option tool_long_options[] = {
    { "arch", required_argument, NULL, OPT_ARCH },
    { "attach", required_argument, NULL, OPT_ATTACH },
    { "attach-format", required_argument, NULL, OPT_ATTACH_FORMAT },
    { "cache", required_argument, NULL, OPT_CACHE },
    { "cache-all-templates", no_argument, NULL, OPT_CACHE_ALL },
    { "check-signature", no_argument, NULL, OPT_CHECK_SIG },
    { "check-signatures", no_argument, NULL, OPT_CHECK_SIG },
    TOOL_COLOUR_LONG_OPTIONS (OPT_COLORS),
    TOOL_OCAML_LONG_OPTIONS (OPT_IGNORED),
    { "curl", required_argument, NULL, OPT_CURL },
    { "delete-cache", no_argument, NULL, OPT_DELETE_CACHE },
    { "fingerprint", required_argument, NULL, OPT_FINGERPRINT },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "get-kernel", required_argument, NULL, OPT_GET_KERNEL },
    { "gpg", required_argument, NULL, OPT_GPG },
    { "help", no_argument, NULL, OPT_HELP },
    { "list", no_argument, NULL, 'l' },
    { "list-format", required_argument, NULL, OPT_LIST_FORMAT },
    { "long", no_argument, NULL, OPT_LONG },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "machine-readable", optional_argument, NULL, OPT_MR },
    { "memsize", required_argument, NULL, 'm' },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "no-cache", no_argument, NULL, OPT_NO_CACHE },
    { "no-check-signature", no_argument, NULL, OPT_NO_CHECK_SIG },
    { "no-check-signatures", no_argument, NULL, OPT_NO_CHECK_SIG },
    { "no-delete-on-failure", no_argument, NULL, OPT_NO_DELETE_ON_FAILURE },
    { "no-network", no_argument, NULL, OPT_NO_NETWORK },
    { "no-sync", no_argument, NULL, OPT_NO_SYNC },
    { "no-warn-if-partition", no_argument, NULL, OPT_NO_WARN_PARTITION },
    { "notes", required_argument, NULL, OPT_NOTES },
    { "output", required_argument, NULL, 'o' },
    { "print-cache", no_argument, NULL, OPT_PRINT_CACHE },
    { "quiet", no_argument, NULL, 'q' },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "size", required_argument, NULL, OPT_SIZE },
    { "smp", required_argument, NULL, OPT_SMP },
    { "source", required_argument, NULL, OPT_SOURCE },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  struct option *long_options = customize_long_options (tool_long_options);
  o.long_options = long_options;
  o.short_options = short_options;

#define APPEND(list, n, v) do {                                         \
    char **nl_ = realloc ((list), ((n) + 2) * sizeof *nl_);             \
    if (!nl_) { perror ("realloc"); exit (EXIT_FAILURE); }              \
    (list) = nl_; (list)[(n)++] = (v); (list)[(n)] = NULL;              \
  } while (0)

  int c;
  while ((c = customize_getopt (&cz, argc, argv, short_options, long_options)) != -1) {
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case TOOL_OPT_LONG_OPTIONS: case TOOL_OPT_SHORT_OPTIONS: case 'v': case 'V': case 'x':
      tool_option (&o, c, optarg);
      break;
    case OPT_ARCH: arch = optarg; break;
    case OPT_ATTACH:
      APPEND (attach, nr_attach, optarg);
      nr_attach--;
      APPEND (attach_format, nr_attach, (char *) next_attach_format);
      break;
    case OPT_ATTACH_FORMAT: next_attach_format = optarg; break;
    case OPT_CACHE: free (cache); cache = strdup (optarg); no_cache = false; break;
    case OPT_NO_CACHE: no_cache = true; break;
    case OPT_CACHE_ALL: mode = M_CACHE_ALL; break;
    case OPT_CHECK_SIG: repo.check_signature = true; break;
    case OPT_NO_CHECK_SIG: repo.check_signature = false; break;
    case OPT_COLORS: cz.colors = true; break;
    case OPT_CURL: {
      /* Downloads use libcurl: only the words that have a libcurl
       * equivalent are honoured. */
      char *copy = strdup (optarg), *save = NULL;
      bool first = true;
      for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save), first = false) {
        if (first && (strcmp (w, "curl") == 0 || strstr (w, "/curl")))
          continue;
        if (strcmp (w, "--insecure") == 0 || strcmp (w, "-k") == 0)
          insecure = true;
        else
          die ("--curl: ‘%s’ is not supported (downloads use libcurl; only "
               "--insecure is honoured)", w);
      }
      free (copy);
      break;
    }
    case OPT_DELETE_CACHE: mode = M_DELETE_CACHE; break;
    case OPT_NO_DELETE_ON_FAILURE: delete_on_failure = false; break;
    case OPT_FINGERPRINT: APPEND (fingerprints, nr_fingerprints, optarg); break;
    case OPT_FORMAT: format = optarg; break;
    case OPT_GET_KERNEL: mode = M_GET_KERNEL; get_kernel = optarg; break;
    case OPT_GPG: gpg = optarg; break;
    case 'l': mode = M_LIST; break;
    case OPT_LIST_FORMAT:
      if (strcmp (optarg, "short") == 0) list_format = BUILDER_LIST_SHORT;
      else if (strcmp (optarg, "long") == 0) list_format = BUILDER_LIST_LONG;
      else if (strcmp (optarg, "json") == 0) list_format = BUILDER_LIST_JSON;
      else die ("--list-format: unknown format ‘%s’ (short, long or json)", optarg);
      break;
    case OPT_LONG: list_format = BUILDER_LIST_LONG; break;
    case OPT_MR:
      if (optarg && strcmp (optarg, "stream:stdout") != 0 && strcmp (optarg, "stdout") != 0)
        die ("--machine-readable=%s: only the output to stdout is supported", optarg);
      machine_readable = true;
      break;
    case 'm': case OPT_SMP: {
      char *end;
      long v = strtol (optarg, &end, 10);
      if (*end || end == optarg || v < (c == 'm' ? 128 : 1) || v > 1048576)
        die ("--%s: invalid value ‘%s’", c == 'm' ? "memsize" : "smp", optarg);
      if (c == 'm') memsize = (int) v; else smp = (int) v;
      break;
    }
    case OPT_NETWORK: cz.network = true; break;
    case OPT_NO_NETWORK: cz.network = false; break;
    case OPT_NO_SYNC: sync = false; break;
    case OPT_NO_WARN_PARTITION: warn_partition = false; break;
    case OPT_NOTES: mode = M_NOTES; notes_name = optarg; break;
    case 'o': output = optarg; break;
    case OPT_PRINT_CACHE: mode = M_PRINT_CACHE; break;
    case 'q': cz.quiet = true; break;
    case OPT_SIZE: size_arg = optarg; break;
    case OPT_SOURCE: APPEND (sources, nr_sources, optarg); break;
    case OPT_IGNORED: break;
    default: usage (EXIT_FAILURE);
    }
  }
  cz.verbose = o.verbose;
  if (no_cache) {
    free (cache);
    cache = NULL;
  }
  if (format && strcmp (format, "raw") != 0 && strcmp (format, "qcow2") != 0 &&
      mode != M_GET_KERNEL)
    die ("--format: the output format must be raw or qcow2, not ‘%s’", format);
  int nargs = argc - optind;

  /* --machine-readable alone: what this program can do. */
  if (machine_readable && mode == M_BUILD && nargs == 0) {
    printf ("virt-builder\narch\nconfig-file\ncustomize\njson-list\npxzcat\n");
    return EXIT_SUCCESS;
  }
  tool_progress_init (machine_readable, cz.quiet);

  if (mode == M_GET_KERNEL) {
    char *gk = sibling ("virt-get-kernel");
    char *gargv[12];
    size_t n = 0;
    gargv[n++] = gk;
    /* --format applies to the -a after it. */
    if (format) { gargv[n++] = "--format"; gargv[n++] = (char *) format; }
    gargv[n++] = "-a"; gargv[n++] = (char *) get_kernel;
    if (output) { gargv[n++] = "-o"; gargv[n++] = (char *) output; }
    if (o.verbose) gargv[n++] = "-v";
    if (o.trace) gargv[n++] = "-x";
    gargv[n] = NULL;
    int r = tool_command (program, gargv, -1, -1, NULL, false);
    free (gk);
    return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  }
  if (mode == M_DELETE_CACHE) {
    if (!cache)
      die ("--delete-cache: there is no cache directory (--no-cache, or no "
           "$XDG_CACHE_HOME or $HOME)");
    customize_message (&cz, "Deleting: %s", cache);
    if (access (cache, F_OK) == 0)
      nftw (cache, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return EXIT_SUCCESS;
  }

  if (mode == M_BUILD && nargs != 1) {
    if (nargs == 0)
      fprintf (stderr, "%s: missing the os-version of the template to build (see "
               "virt-builder --list)\n", program);
    else
      fprintf (stderr, "%s: too many parameters: only one os-version may be built\n",
               program);
    tool_try_help (program);
  }
  if ((mode == M_LIST && nargs > 1) ||
      (mode != M_LIST && mode != M_BUILD && nargs > 0))
    die ("extra parameter on the command line: ‘%s’", argv[argc - 1]);

  repo.verbose = o.verbose;
  repo.gpg = gpg;
  repo.dl = (struct builder_download_opts) { .program = program, .verbose = o.verbose,
                                             .progress = !cz.quiet || machine_readable,
                                             .insecure = insecure };
  if (builder_load_sources (&repo, sources, nr_sources, fingerprints, nr_fingerprints) == -1)
    exit (EXIT_FAILURE);
  if (repo.nr_sources == 0)
    die ("no sources of templates: add a repos.d/*.conf file (see “SOURCES OF "
         "TEMPLATES” in virt-builder(1)) or use --source");
  if (builder_load_templates (&repo) == -1)
    exit (EXIT_FAILURE);

  int status = EXIT_SUCCESS;
  switch (mode) {
  case M_LIST:
    if (builder_list (&repo, list_format, nargs ? argv[optind] : NULL, arch) == -1)
      status = EXIT_FAILURE;
    break;
  case M_NOTES: {
    const struct builder_template *t = builder_find_template (&repo, notes_name, arch);
    if (!t)
      die ("no template called ‘%s’%s%s (see virt-builder --list)", notes_name,
           arch ? " for the architecture " : "", arch ? arch : "");
    const char *notes = builder_template_notes (t);
    if (notes) {
      size_t l = strlen (notes);
      while (l > 0 && notes[l - 1] == '\n') l--;
      printf ("%.*s\n", (int) l, notes);
    }
    else
      printf ("There are no notes for %s.\n", t->os_version);
    break;
  }
  case M_PRINT_CACHE:
    if (!cache) {
      printf ("no cache directory\n");
      break;
    }
    printf ("cache directory: %s\n", cache);
    for (size_t i = 0; i < repo.nr_templates; ++i) {
      const struct builder_template *t = &repo.templates[i];
      if (t->hidden)
        continue;
      char *name = builder_cache_name (t), *path = NULL;
      if (name && asprintf (&path, "%s/%s", cache, name) == -1) path = NULL;
      printf ("%-24s %-10s %s\n", t->os_version, t->arch,
              path && file_exists (path) ? "cached" : "no");
      free (name);
      free (path);
    }
    break;
  case M_CACHE_ALL:
    if (!cache)
      die ("--cache-all-templates: there is no cache directory to fill");
    for (size_t i = 0; i < repo.nr_templates && status == EXIT_SUCCESS; ++i) {
      char *tmp = NULL;
      char *f = get_template (&repo, &repo.templates[i], cache, &cz, &tmp);
      if (!f) status = EXIT_FAILURE;
      free (f);
      free (tmp);
    }
    break;
  case M_BUILD: {
    const char *name = argv[optind];
    struct build b = { .format = format ? format : "raw", .sync = sync,
                       .delete_on_failure = delete_on_failure,
                       .machine_readable = machine_readable, .verbose = o.verbose,
                       .trace = o.trace, .memsize = memsize, .smp = smp,
                       .attach = attach, .attach_format = attach_format,
                       .nr_attach = nr_attach };
    b.t = builder_find_template (&repo, name, arch);
    if (!b.t)
      die ("no template called ‘%s’%s%s (see virt-builder --list)", name,
           arch ? " for the architecture " : "", arch ? arch : "");
    char *default_output = NULL;
    if (!output) {
      if (asprintf (&default_output, "%s.%s", b.t->os_version,
                    strcmp (b.format, "qcow2") == 0 ? "qcow2" : "img") == -1)
        exit (EXIT_FAILURE);
      output = default_output;
    }
    b.output = output;
    struct stat st;
    int64_t dev_size = 0;
    if (stat (output, &st) == 0 && S_ISBLK (st.st_mode)) {
      b.is_device = true;
      int fd = open (output, O_RDONLY | O_CLOEXEC);
      uint64_t bytes = 0;
      if (fd == -1 || ioctl (fd, BLKGETSIZE64, &bytes) == -1)
        die ("%s: cannot read the size of the device: %s", output, strerror (errno));
      close (fd);
      dev_size = (int64_t) bytes;
      if (strcmp (b.format, "raw") != 0)
        die ("%s: a device can only be written in raw format", output);
      char sys[PATH_MAX];
      snprintf (sys, sizeof sys, "/sys/dev/block/%u:%u/partition",
                major (st.st_rdev), minor (st.st_rdev));
      if (warn_partition && access (sys, F_OK) == 0)
        tool_warn (program, "%s is a partition: you may have meant the whole device "
                   "(--no-warn-if-partition hides this)", output);
    }
    if (size_arg) {
      b.size = parse_size (size_arg);
      if (b.size <= 0)
        die ("--size: cannot parse ‘%s’ (e.g. 20G, or 1000b for bytes)", size_arg);
      if (b.is_device && b.size > dev_size)
        die ("--size: %s is larger than the device %s", size_arg, output);
    }
    else
      b.size = b.is_device ? dev_size : b.t->size;
    if (b.size < b.t->size) {
      char *min = builder_size_str (b.t->size);
      die ("--size: the output must be at least the size of the template (%s, "
           "%" PRIi64 " bytes)", min ? min : "?", b.t->size);
    }
    if (build (&repo, &b, cache, &cz) == -1) {
      fprintf (stderr, "%s: the build of %s failed%s\n", program, b.t->os_version,
               b.created && delete_on_failure ? "; the output file was removed" : "");
      status = EXIT_FAILURE;
    }
    free (default_output);
    break;
  }
  default:
    break;
  }
  customize_free (&cz);
  builder_repo_free (&repo);
  free (sources);
  free (fingerprints);
  free (attach);
  free (attach_format);
  free (cache);
  free (long_options);
  return status;
}
