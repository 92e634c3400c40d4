/* virt-builder-repository: make or update the index of a folder of
 * templates (see virt-builder-repository(1)).  Each disk image of the
 * folder is inspected (in the appliance: osinfo, arch, product name,
 * the partition or LV to expand), compressed with xz in 16 MiB blocks
 * (so virt-builder decompresses it in parallel), checksummed; the index
 * is written with the fields the old index already had, checked with
 * virt-builder's own parser and clearsigned with --gpg-key.  The work
 * happens in a temporary folder inside the repository: if anything
 * fails, the repository is left as it was. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "download.h"
#include "guestfs.h"
#include "index.h"
#include "options.h"
#include "pgp.h"
#include "progress.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-builder-repository";
static bool quiet, interactive, verbose, trace;
static char *tmpdir;            /* removed at exit, whatever happened */

#define die(...) tool_die (program, __VA_ARGS__)
#define step(...) tool_step (quiet, __VA_ARGS__)

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: make or update the index of a virt-builder repository\n"
          "Usage:\n"
          "  %s [--options] /path/to/repository\n"
          "Options:\n"
          "  --gpg GPG            The gpg command (default gpg)\n"
          "  -K|--gpg-key KEYID   Clearsign the index with this key (index.asc)\n"
          "  -i|--interactive     Ask for the values inspection cannot find\n"
          "  --no-compression     Do not compress the images with xz\n"
          "  --machine-readable   Alone: list the capabilities of this program\n"
          "  -q|--quiet           No progress messages\n"
          "  --colors|--colours|--wrap|--debug-gc  Accepted for compatibility\n"
          "  --long-options       List the long options\n"
          "  --short-options      List the short options\n"
          "  -v|--verbose         Debugging messages\n"
          "  -V|--version         Display the version and exit\n"
          "  -x                   Trace the library calls\n"
          "See virt-builder-repository(1) for more.\n", program, program);
  exit (EXIT_SUCCESS);
}

/* One template of the new index: its fields in output order. */
struct field { char *key, *subkey, *value; };
struct entry {
  char *id;
  struct field *fields;
  size_t nr_fields;
};

static const char *
entry_get (const struct entry *e, const char *key, const char *subkey)
{
  for (size_t i = 0; i < e->nr_fields; ++i)
    if (strcmp (e->fields[i].key, key) == 0 &&
        (subkey ? e->fields[i].subkey && strcmp (e->fields[i].subkey, subkey) == 0
         : !e->fields[i].subkey))
      return e->fields[i].value;
  return NULL;
}

/* Set (replace, or add at the end) a field; VALUE NULL removes it. */
static void
entry_set (struct entry *e, const char *key, const char *subkey, const char *value)
{
  for (size_t i = 0; i < e->nr_fields; ++i)
    if (strcmp (e->fields[i].key, key) == 0 &&
        (subkey ? e->fields[i].subkey && strcmp (e->fields[i].subkey, subkey) == 0
         : !e->fields[i].subkey)) {
      free (e->fields[i].value);
      if (value) {
        e->fields[i].value = strdup (value);
        return;
      }
      free (e->fields[i].key);
      free (e->fields[i].subkey);
      memmove (&e->fields[i], &e->fields[i + 1], (e->nr_fields - i - 1) * sizeof *e->fields);
      e->nr_fields--;
      return;
    }
  if (!value)
    return;
  e->fields = realloc (e->fields, (e->nr_fields + 1) * sizeof *e->fields);
  if (!e->fields) die ("out of memory");
  e->fields[e->nr_fields++] = (struct field) { strdup (key), subkey ? strdup (subkey) : NULL,
                                               strdup (value) };
}

/* Ask for a value (-i); DEFAULT_ when the answer is empty, NULL for "-". */
static char *
ask (const char *what, const char *id, const char *default_)
{
  printf ("%s for %s%s%s%s: ", what, id, default_ ? " [" : "", default_ ? default_ : "",
          default_ ? "]" : "");
  fflush (stdout);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, stdin);
  if (n <= 0) {
    free (line);
    return default_ ? strdup (default_) : NULL;
  }
  line[strcspn (line, "\n")] = '\0';
  if (strcmp (line, "-") == 0) { free (line); return NULL; }
  if (!*line) { free (line); return default_ ? strdup (default_) : NULL; }
  return line;
}

static bool
is_image_name (const char *name)
{
  if (name[0] == '.' || strcmp (name, "index") == 0 || strcmp (name, "index.asc") == 0)
    return false;
  const char *dot = strrchr (name, '.');
  return !dot || strcmp (dot, ".qcow2") == 0 || strcmp (dot, ".raw") == 0 ||
    strcmp (dot, ".img") == 0;
}

/* What the appliance finds in IMAGE. */
struct facts {
  char *format, *osinfo, *arch, *product, *expand, *lvexpand;
  int64_t size;
};

static int
inspect_image (const char *image, struct facts *f)
{
  struct tool_options o = { .program = program, .read_only = true,
                            .verbose = verbose, .trace = trace };
  if (tool_add_drive (&o, image) == -1)
    return -1;
  guestfs_h *g = tool_open_handle (&o);
  if (!g)
    return -1;
  f->format = guestfs_disk_format (g, image);
  if (guestfs_launch (g) == -1) {
    tool_finish (g, &o, EXIT_FAILURE);
    return -1;
  }
  f->size = guestfs_blockdev_getsize64 (g, "/dev/sda");
  char *root = tool_decrypt (g, &o) == 0 ? tool_inspect_root (g, &o) : NULL;
  if (!root) {
    fprintf (stderr, "%s: %s: no operating system was found in the image\n", program, image);
    tool_finish (g, &o, EXIT_FAILURE);
    return -1;
  }
  f->osinfo = TOOL_QUIET (g, guestfs_inspect_get_osinfo (g, root));
  f->arch = TOOL_QUIET (g, guestfs_inspect_get_arch (g, root));
  f->product = TOOL_QUIET (g, guestfs_inspect_get_product_name (g, root));
  if (f->osinfo && strcmp (f->osinfo, "unknown") == 0) { free (f->osinfo); f->osinfo = NULL; }
  if (f->product && strcmp (f->product, "unknown") == 0) { free (f->product); f->product = NULL; }
  /* The device of / is what grows: a partition (expand=), or an LV
   * (lvexpand=, and expand= its volume group's only PV). */
  char **mps = TOOL_QUIET (g, guestfs_inspect_get_mountpoints (g, root));
  const char *rootdev = NULL;
  for (size_t i = 0; mps && mps[i] && mps[i + 1]; i += 2)
    if (strcmp (mps[i], "/") == 0)
      rootdev = mps[i + 1];
  char *canon = rootdev ? TOOL_QUIET (g, guestfs_canonical_device_name (g, rootdev)) : NULL;
  if (canon && TOOL_QUIET (g, guestfs_is_lv (g, canon)) == 1) {
    f->lvexpand = strdup (canon);
    char **pvs = TOOL_QUIET (g, guestfs_pvs (g));
    if (pvs && pvs[0] && !pvs[1])
      f->expand = TOOL_QUIET (g, guestfs_canonical_device_name (g, pvs[0]));
    tool_free_strings (pvs);
  }
  else if (canon) {
    char *disk = TOOL_QUIET (g, guestfs_part_to_dev (g, canon));
    if (disk && strcmp (disk, canon) != 0)
      f->expand = strdup (canon);
    free (disk);
  }
  free (canon);
  tool_free_strings (mps);
  free (root);
  return tool_finish (g, &o, EXIT_SUCCESS) == EXIT_SUCCESS && f->size > 0 ? 0 : -1;
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st; (void) flag; (void) ftw;
  remove (path);
  return 0;
}

static void
remove_tmpdir (void)
{
  if (tmpdir)
    nftw (tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free (tmpdir);
  tmpdir = NULL;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The fields this program fills, in the order it writes them (the
 * others follow in the order the old index had them). */
static const char *const known_keys[] = {
  "name", "osinfo", "arch", "file", "checksum", "format", "size", "compressed_size",
  "expand", "lvexpand", "revision", NULL
};

static int
key_rank (const char *key)
{
  for (int i = 0; known_keys[i]; ++i)
    if (strcmp (known_keys[i], key) == 0)
      return i;
  return 99;
}

static void
write_entry (FILE *fp, const struct entry *e)
{
  fprintf (fp, "[%s]\n", e->id);
  for (int rank = 0; rank <= 99; ++rank)
  for (size_t i = 0; i < e->nr_fields; ++i) {
    const struct field *f = &e->fields[i];
    if (key_rank (f->key) != rank)
      continue;
    fprintf (fp, "%s", f->key);
    if (f->subkey)
      fprintf (fp, "[%s]", f->subkey);
    fputc ('=', fp);
    /* A value on several lines: the next lines start with a space (an
     * empty one is a lone space). */
    for (const char *p = f->value; *p; ++p) {
      fputc (*p, fp);
      if (*p == '\n')
        fputc (' ', fp);
    }
    fputc ('\n', fp);
  }
  fputc ('\n', fp);
}

int
main (int argc, char *argv[])
{
  tool_step (true, " ");        /* start the clock */
  struct tool_options o = { .program = program };
  const char *gpg = "gpg", *gpg_key = NULL;
  bool compress = true, machine_readable = false;
  enum { OPT_HELP = 0x200, OPT_GPG, OPT_NO_COMPRESSION, OPT_MR, OPT_IGNORED };
  static const char short_options[] = "iK:qvVx";
  static const struct option long_options[] = {
    TOOL_COLOUR_LONG_OPTIONS (OPT_IGNORED),
    TOOL_OCAML_LONG_OPTIONS (OPT_IGNORED),
    { "gpg", required_argument, NULL, OPT_GPG },
    { "gpg-key", required_argument, NULL, 'K' },
    { "help", no_argument, NULL, OPT_HELP },
    { "interactive", no_argument, NULL, 'i' },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "machine-readable", optional_argument, NULL, OPT_MR },
    { "no-compression", no_argument, NULL, OPT_NO_COMPRESSION },
    { "quiet", no_argument, NULL, 'q' },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case TOOL_OPT_LONG_OPTIONS: case TOOL_OPT_SHORT_OPTIONS: case 'v': case 'V': case 'x':
      tool_option (&o, c, optarg);
      break;
    case OPT_GPG: gpg = optarg; break;
    case 'K': gpg_key = optarg; break;
    case 'i': interactive = true; break;
    case 'q': quiet = true; break;
    case OPT_NO_COMPRESSION: compress = false; break;
    case OPT_MR:
      if (optarg && strcmp (optarg, "stream:stdout") != 0 && strcmp (optarg, "stdout") != 0)
        die ("--machine-readable=%s: only the output to stdout is supported", optarg);
      machine_readable = true;
      break;
    case OPT_IGNORED: break;
    default: usage (EXIT_FAILURE);
    }
  }
  verbose = o.verbose;
  trace = o.trace;
  if (machine_readable && argc == optind) {
    printf ("virt-builder-repository\n");
    return EXIT_SUCCESS;
  }
  if (argc - optind != 1) {
    fprintf (stderr, "%s: give exactly one repository folder\n", program);
    tool_try_help (program);
  }
  const char *repo = argv[optind];
  struct stat st;
  if (stat (repo, &st) == -1 || !S_ISDIR (st.st_mode))
    die ("%s: not a folder", repo);

  /* The old index: the signed one if there is one (its signature is
   * not checked: it is the user's own and is signed again). */
  struct index old = { 0 };
  char *path = NULL, *err = NULL;
  for (int i = 0; i < 2; ++i) {
    free (path);
    if (asprintf (&path, "%s/%s", repo, i == 0 ? "index.asc" : "index") == -1)
      die ("out of memory");
    if (access (path, F_OK) == 0) {
      if (index_parse_file (path, &old, &err) == -1)
        die ("%s: %s", path, err ? err : "out of memory");
      break;
    }
  }
  free (path);

  /* The images of the folder. */
  DIR *d = opendir (repo);
  if (!d)
    die ("%s: %s", repo, strerror (errno));
  char **images = NULL;
  size_t nr_images = 0;
  struct dirent *de;
  while ((de = readdir (d))) {
    char *p = NULL;
    if (!is_image_name (de->d_name) || asprintf (&p, "%s/%s", repo, de->d_name) == -1)
      continue;
    if (stat (p, &st) == 0 && S_ISREG (st.st_mode)) {
      images = realloc (images, (nr_images + 1) * sizeof *images);
      if (!images) die ("out of memory");
      images[nr_images++] = strdup (de->d_name);
    }
    free (p);
  }
  closedir (d);
  qsort (images, nr_images, sizeof *images, cmp_names);

  if (asprintf (&tmpdir, "%s/.virt-builder-repository.XXXXXX", repo) == -1 || !mkdtemp (tmpdir))
    die ("%s: cannot make a temporary folder: %s", repo, strerror (errno));
  atexit (remove_tmpdir);
  int status = EXIT_FAILURE;
  struct entry *entries = NULL;
  size_t nr_entries = 0;
  char **moves = NULL;          /* compressed files to move into the repository */
  size_t nr_moves = 0;

  for (size_t i = 0; i < nr_images; ++i) {
    const char *img = images[i];
    char *file = NULL, *imgpath = NULL;
    if (asprintf (&file, "%s%s", img, compress ? ".xz" : "") == -1 ||
        asprintf (&imgpath, "%s/%s", repo, img) == -1)
      die ("out of memory");
    /* The old index's entry for this file, if any. */
    const struct index_section *prev = NULL;
    for (size_t j = 0; j < old.nr_sections && !prev; ++j) {
      const char *f = index_get (&old.sections[j], "file", NULL);
      if (f && strcmp (f, file) == 0)
        prev = &old.sections[j];
    }
    struct entry e = { 0 };
    if (prev) {
      e.id = strdup (prev->name);
      for (size_t k = 0; k < prev->nr_fields; ++k)
        entry_set (&e, prev->fields[k].key, prev->fields[k].subkey, prev->fields[k].value);
    }
    else {
      char *def = strndup (img, strcspn (img, "."));
      e.id = interactive ? ask ("os-version (the template's name on virt-builder's "
                                "command line)", img, def) : strdup (def);
      free (def);
      if (!e.id || !*e.id || strchr (e.id, '/') || strchr (e.id, ']'))
        die ("%s: no valid os-version for this image", img);
    }
    step ("Inspecting %s", img);
    struct facts f = { 0 };
    if (inspect_image (imgpath, &f) == -1)
      goto out;
    char *compressed = NULL;
    if (asprintf (&compressed, "%s/%s", tmpdir, file) == -1) die ("out of memory");
    if (compress) {
      step ("Compressing %s", img);
      int fd = open (compressed, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd == -1) die ("%s: %s", compressed, strerror (errno));
      char *xz[] = { "xz", "--best", "--block-size=16777216", "-T0", "-c", imgpath, NULL };
      int r = tool_command (program, xz, -1, fd, NULL, false);
      close (fd);
      if (r != 0) {
        fprintf (stderr, "%s: xz failed on %s (status %d)\n", program, img, r);
        goto out;
      }
    }
    const char *summed = compress ? compressed : imgpath;
    char hex[129];
    if (builder_sha512_file (program, summed, hex) == -1)
      goto out;
    if (stat (summed, &st) == -1) die ("%s: %s", summed, strerror (errno));
    /* A new revision when the file changed. */
    const char *oldsum = entry_get (&e, "checksum", "sha512");
    if (!oldsum) oldsum = entry_get (&e, "checksum", NULL);
    if (oldsum && strcasecmp (oldsum, hex) != 0) {
      const char *rev = entry_get (&e, "revision", NULL);
      char buf[32];
      snprintf (buf, sizeof buf, "%ld", (rev ? strtol (rev, NULL, 10) : 1) + 1);
      entry_set (&e, "revision", NULL, buf);
    }
    entry_set (&e, "checksum", NULL, NULL);
    char num[32];
    /* Fields the old index (or the user) gave win over inspection's. */
    if (!entry_get (&e, "name", NULL)) {
      char *v = interactive ? ask ("Full name", e.id, f.product) : (f.product ? strdup (f.product) : NULL);
      entry_set (&e, "name", NULL, v);
      free (v);
    }
    if (!entry_get (&e, "osinfo", NULL)) {
      char *v = interactive ? ask ("osinfo", e.id, f.osinfo) : (f.osinfo ? strdup (f.osinfo) : NULL);
      entry_set (&e, "osinfo", NULL, v);
      free (v);
    }
    if (!entry_get (&e, "arch", NULL)) {
      char *v = interactive ? ask ("Architecture", e.id, f.arch) : (f.arch ? strdup (f.arch) : NULL);
      if (!v || !*v || strcmp (v, "unknown") == 0)
        die ("%s: the architecture could not be found: give arch= in the index or use -i",
             img);
      entry_set (&e, "arch", NULL, v);
      free (v);
    }
    entry_set (&e, "file", NULL, file);
    entry_set (&e, "checksum", "sha512", hex);
    if (f.format) entry_set (&e, "format", NULL, f.format);
    snprintf (num, sizeof num, "%" PRIi64, f.size);
    entry_set (&e, "size", NULL, num);
    if (compress) {
      snprintf (num, sizeof num, "%lld", (long long) st.st_size);
      entry_set (&e, "compressed_size", NULL, num);
    }
    else
      entry_set (&e, "compressed_size", NULL, NULL);
    if (!entry_get (&e, "expand", NULL) && f.expand) entry_set (&e, "expand", NULL, f.expand);
    if (!entry_get (&e, "lvexpand", NULL) && f.lvexpand) entry_set (&e, "lvexpand", NULL, f.lvexpand);
    free (f.format); free (f.osinfo); free (f.arch); free (f.product);
    free (f.expand); free (f.lvexpand);
    for (size_t j = 0; j < nr_entries; ++j)
      if (strcmp (entries[j].id, e.id) == 0 &&
          strcmp (entry_get (&entries[j], "arch", NULL), entry_get (&e, "arch", NULL)) == 0)
        die ("two images are the template [%s] for %s: give them different "
             "os-versions in the index", e.id, entry_get (&e, "arch", NULL));
    entries = realloc (entries, (nr_entries + 1) * sizeof *entries);
    if (!entries) die ("out of memory");
    entries[nr_entries++] = e;
    if (compress) {
      moves = realloc (moves, (nr_moves + 1) * sizeof *moves);
      if (!moves) die ("out of memory");
      moves[nr_moves++] = strdup (file);
    }
    free (compressed);
    free (file);
    free (imgpath);
  }
  /* Templates already compressed whose image is gone stay as they are,
   * as long as their file is still here. */
  for (size_t j = 0; j < old.nr_sections; ++j) {
    const struct index_section *s = &old.sections[j];
    const char *f = index_get (s, "file", NULL);
    bool done = false;
    for (size_t k = 0; k < nr_entries && !done; ++k)
      done = strcmp (entry_get (&entries[k], "file", NULL), f ? f : "") == 0;
    char *p = NULL;
    if (done || !f || strchr (f, '/') || asprintf (&p, "%s/%s", repo, f) == -1)
      continue;
    if (access (p, F_OK) == 0) {
      struct entry e = { .id = strdup (s->name) };
      for (size_t k = 0; k < s->nr_fields; ++k)
        entry_set (&e, s->fields[k].key, s->fields[k].subkey, s->fields[k].value);
      entries = realloc (entries, (nr_entries + 1) * sizeof *entries);
      if (!entries) die ("out of memory");
      entries[nr_entries++] = e;
    }
    else
      step ("Removing [%s] from the index: %s is gone", s->name, f);
    free (p);
  }

  step ("Creating the index");
  char *tindex = NULL, *tasc = NULL;
  if (asprintf (&tindex, "%s/index", tmpdir) == -1 || asprintf (&tasc, "%s/index.asc", tmpdir) == -1)
    die ("out of memory");
  FILE *fp = fopen (tindex, "we");
  if (!fp) die ("%s: %s", tindex, strerror (errno));
  for (size_t j = 0; j < nr_entries; ++j)
    write_entry (fp, &entries[j]);
  if (fclose (fp) == EOF) die ("%s: %s", tindex, strerror (errno));
  /* The same parser as virt-builder and virt-index-validate. */
  struct index check;
  if (index_parse_file (tindex, &check, &err) == -1) {
    fprintf (stderr, "%s: the new index is not valid: %s\n", program, err ? err : "?");
    goto out;
  }
  index_free (&check);
  if (gpg_key) {
    step ("Signing the index with %s", gpg_key);
    if (builder_pgp_clearsign (program, gpg, gpg_key, tindex, tasc) == -1)
      goto out;
  }

  /* Everything is ready: move it into the repository. */
  for (size_t j = 0; j < nr_moves; ++j) {
    char *from = NULL, *to = NULL;
    if (asprintf (&from, "%s/%s", tmpdir, moves[j]) == -1 ||
        asprintf (&to, "%s/%s", repo, moves[j]) == -1 || rename (from, to) == -1)
      die ("%s: %s", moves[j], strerror (errno));
    free (from);
    free (to);
  }
  char *dest = NULL;
  if (asprintf (&dest, "%s/index", repo) == -1 || rename (tindex, dest) == -1)
    die ("%s/index: %s", repo, strerror (errno));
  free (dest);
  if (asprintf (&dest, "%s/index.asc", repo) == -1)
    die ("out of memory");
  if (gpg_key) {
    if (rename (tasc, dest) == -1)
      die ("%s: %s", dest, strerror (errno));
  }
  else if (unlink (dest) == 0)
    step ("Removed the old signed index.asc (no --gpg-key was given)");
  free (dest);
  free (tindex);
  free (tasc);
  status = EXIT_SUCCESS;
 out:
  for (size_t j = 0; j < nr_entries; ++j) {
    for (size_t k = 0; k < entries[j].nr_fields; ++k) {
      free (entries[j].fields[k].key);
      free (entries[j].fields[k].subkey);
      free (entries[j].fields[k].value);
    }
    free (entries[j].fields);
    free (entries[j].id);
  }
  free (entries);
  for (size_t j = 0; j < nr_moves; ++j) free (moves[j]);
  free (moves);
  for (size_t j = 0; j < nr_images; ++j) free (images[j]);
  free (images);
  index_free (&old);
  free (err);
  return status;
}
