/* virt-ls: list files in a disk image or libvirt guest (see virt-ls(1)).
 * Four modes: plain (names), -l (like ls -l), -R (recursive names) and
 * -lR (recursive, one parseable line per file with optional extra
 * fields, or CSV). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"
#include "termsafe.h"

static const char *program = "virt-ls";

/* -lR output settings. */
static bool csv, json, human, show_uids, show_times, show_extra;
static json_object *json_list;  /* --json: the entries, printed at the end */
static const char *checksum_type;       /* NULL: no checksums */
enum time_format { TIME_DATE, TIME_T, TIME_RELATIVE, TIME_DAYS };
static enum time_format time_format = TIME_DATE;
static time_t now;

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: list files in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname dir [dir ...]\n"
          "  %s [--options] -a disk.img [-a disk.img ...] dir [dir ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_KEYS);
  printf ("  --checksum[=...]     With -lR: checksum of regular files (crc, md5,\n"
          "                       sha1, sha224, sha256, sha384, sha512; md5 by default)\n"
          "  --csv                With -lR: comma-separated values\n"
          "  --extra-stats        With -lR: device, inode, links, rdev, blocks\n"
          "  -h|--human-readable  With -lR: sizes like 1.5K, 20M\n"
          "  --json               With -l, -R or -lR: JSON output\n"
          "  -l|--long            Long listing\n"
          "  -R|--recursive       Recursive listing\n"
          "  --times              With -lR: atime, mtime, ctime\n"
          "  --time-days          With -lR: times as days before now\n"
          "  --time-relative      With -lR: times as seconds before now\n"
          "  --time-t             With -lR: times as seconds since the epoch\n"
          "  --uids               With -lR: owner's uid and gid\n"
          "See virt-ls(1) for more.\n");
  exit (EXIT_SUCCESS);
}

/* ---- -lR fields ----------------------------------------------------- */

static struct tool_fields F;

static void
json_add (json_object *obj, const char *key, json_object *v)
{
  if (!v || json_object_object_add (obj, key, v) != 0) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
}

static json_object *
json_dev (int64_t d)
{
  char s[32];
  snprintf (s, sizeof s, "%u:%u", major ((dev_t) d), minor ((dev_t) d));
  return json_object_new_string (s);
}

/* --json: the fields of a -lR line as one object (docs/virt-ls.schema.json):
 * the same optional groups, times as seconds since the epoch. */
static int
json_file (guestfs_h *g, const char *path, const struct guestfs_statns *st,
           const char *link)
{
  json_object *o = json_object_new_object ();
  if (!o || json_object_array_add (json_list, o) != 0) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
  char mode[16];
  snprintf (mode, sizeof mode, "%04" PRIo64, (uint64_t) st->st_mode & 07777);
  json_add (o, "type", json_object_new_string (tool_file_type (st->st_mode)));
  json_add (o, "mode", json_object_new_string (mode));
  json_add (o, "size", json_object_new_int64 (st->st_size));
  if (show_uids) {
    json_add (o, "uid", json_object_new_int64 (st->st_uid));
    json_add (o, "gid", json_object_new_int64 (st->st_gid));
  }
  if (show_times) {
    json_add (o, "atime", json_object_new_int64 (st->st_atime_sec));
    json_add (o, "mtime", json_object_new_int64 (st->st_mtime_sec));
    json_add (o, "ctime", json_object_new_int64 (st->st_ctime_sec));
  }
  if (show_extra) {
    json_add (o, "dev", json_dev (st->st_dev));
    json_add (o, "ino", json_object_new_int64 (st->st_ino));
    json_add (o, "nlink", json_object_new_int64 (st->st_nlink));
    json_add (o, "rdev", json_dev (st->st_rdev));
    json_add (o, "blocks", json_object_new_int64 (st->st_blocks));
  }
  if (checksum_type && S_ISREG (st->st_mode)) {
    char *sum = guestfs_checksum (g, checksum_type, path);
    if (!sum)
      return -1;
    json_add (o, "checksum", json_object_new_string (sum));
    free (sum);
  }
  json_add (o, "path", json_object_new_string (path));
  if (link)
    json_add (o, "link", json_object_new_string (link));
  return 0;
}

/* One -lR line.  LINK is the target of a symlink (or NULL). */
static int
show_file (guestfs_h *g, const char *path, const struct guestfs_statns *st,
           const char *link)
{
  if (json)
    return json_file (g, path, st, link);
  F = (struct tool_fields) { .csv = csv, .human = human, .now = now,
                             .time_format = (enum tool_time_format) time_format };
  tool_field_string (&F, tool_file_type (st->st_mode));
  tool_field_next (&F);
  printf ("%04" PRIo64, (uint64_t) st->st_mode & 07777);
  tool_field_size (&F, st->st_size);
  if (show_uids) {
    tool_field_next (&F);
    printf (csv ? "%" PRIi64 : "%4" PRIi64, st->st_uid);
    tool_field_next (&F);
    printf (csv ? "%" PRIi64 : "%4" PRIi64, st->st_gid);
  }
  if (show_times) {
    tool_field_time (&F, st->st_atime_sec);
    tool_field_time (&F, st->st_mtime_sec);
    tool_field_time (&F, st->st_ctime_sec);
  }
  if (show_extra) {
    tool_field_dev (&F, st->st_dev);
    tool_field_next (&F);
    printf ("%" PRIi64, st->st_ino);
    tool_field_next (&F);
    printf ("%" PRIi64, st->st_nlink);
    tool_field_dev (&F, st->st_rdev);
    tool_field_next (&F);
    printf ("%" PRIi64, st->st_blocks);
  }
  if (checksum_type && S_ISREG (st->st_mode)) {
    char *sum = guestfs_checksum (g, checksum_type, path);
    if (!sum) {
      putchar ('\n');
      return -1;
    }
    tool_field_string (&F, sum);
    free (sum);
  }
  else if (checksum_type && csv)
    tool_field_string (&F, "");
  tool_field_string (&F, path);
  if (link) {
    if (csv)
      tool_field_string (&F, link);
    else {
      tool_field_next (&F);
      fputs ("-> ", stdout);
      term_put_guest (stdout, link, NULL);
    }
  }
  putchar ('\n');
  return 0;
}

static char *
join_path (const char *dir, const char *name)
{
  char *p;
  if (asprintf (&p, "%s%s%s", dir, dir[strlen (dir) - 1] == '/' ? "" : "/", name) == -1) {
    perror ("asprintf");
    exit (EXIT_FAILURE);
  }
  return p;
}

/* The entries of DIR, their stats and link targets in a few batched
 * calls, then the subdirectories depth first. */
static int
visit (guestfs_h *g, const char *dir, bool recurse)
{
  char **names = guestfs_ls (g, dir);
  if (!names)
    return -1;
  int r = 0;
  size_t n = tool_count_strings (names);
  if (n == 0) {
    free (names);
    return 0;
  }
  struct guestfs_statns_list *sts = guestfs_lstatnslist (g, dir, names);
  char **links = sts ? guestfs_readlinklist (g, dir, names) : NULL;
  if (!sts || !links || sts->len != n || tool_count_strings (links) != n) {
    if (sts && links)
      fprintf (stderr, "%s: %s: inconsistent directory listing\n", program, dir);
    guestfs_free_statns_list (sts);
    tool_free_strings (links);
    tool_free_strings (names);
    return -1;
  }
  for (size_t i = 0; i < n && r == 0; ++i) {
    char *path = join_path (dir, names[i]);
    const struct guestfs_statns *st = &sts->val[i];
    if (show_file (g, path, st, S_ISLNK (st->st_mode) ? links[i] : NULL) == -1)
      r = -1;
    else if (recurse && S_ISDIR (st->st_mode) && visit (g, path, true) == -1)
      r = -1;
    free (path);
  }
  guestfs_free_statns_list (sts);
  tool_free_strings (links);
  tool_free_strings (names);
  return r;
}

static int
long_recursive (guestfs_h *g, const char *path)
{
  struct guestfs_statns *st = guestfs_lstatns (g, path);
  if (!st)
    return -1;
  char *link = S_ISLNK (st->st_mode) ? guestfs_readlink (g, path) : NULL;
  int r = show_file (g, path, st, link);
  if (r == 0 && S_ISDIR (st->st_mode))
    r = visit (g, path, true);
  free (link);
  guestfs_free_statns (st);
  return r;
}

/* ---- the other modes ----------------------------------------------- */

static int
plain (guestfs_h *g, const char *dir)
{
  char **names = guestfs_ls (g, dir);
  if (!names)
    return -1;
  for (size_t i = 0; names[i]; ++i) {
    term_put_guest (stdout, names[i], NULL);
    putchar ('\n');
  }
  tool_free_strings (names);
  return 0;
}

static int
long_listing (guestfs_h *g, const char *dir)
{
  char *s = guestfs_ll (g, dir);
  if (!s)
    return -1;
  term_put_guest (stdout, s, "\n");
  free (s);
  return 0;
}

/* Path order of a depth-first walk in sorted directories: '/' sorts
 * before every other character. */
static int
compare_paths (const void *a, const void *b)
{
  const unsigned char *x = *(const unsigned char *const *) a;
  const unsigned char *y = *(const unsigned char *const *) b;
  for (; *x && *x == *y; ++x, ++y)
    ;
  int cx = *x == '/' ? 1 : *x == 0 ? 0 : *x + 1;
  int cy = *y == '/' ? 1 : *y == 0 ? 0 : *y + 1;
  return cx - cy;
}

/* -R: every name under DIR, as find0 gives them (relative to DIR, with a
 * leading '/'), in the order of a sorted depth-first walk. */
static int
recursive (guestfs_h *g, const char *dir)
{
  char tmpl[] = "/tmp/virt-ls-XXXXXX";
  int fd = mkstemp (tmpl);
  if (fd == -1) {
    perror ("mkstemp");
    return -1;
  }
  unlink (tmpl);
  if (tool_fileout_fd (g, guestfs_find0, dir, fd) == -1) {
    close (fd);
    return -1;
  }
  FILE *fp = fdopen (fd, "r");
  if (!fp || fseek (fp, 0, SEEK_SET) == -1) {
    perror ("fdopen");
    if (fp) fclose (fp); else close (fd);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, alloc = 0;
  char *item = NULL;
  size_t len = 0;
  while (getdelim (&item, &len, '\0', fp) != -1) {
    if (!*item)
      continue;
    if (n + 1 >= alloc) {
      alloc = alloc ? 2 * alloc : 64;
      char **p = realloc (names, alloc * sizeof *p);
      if (!p) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      names = p;
    }
    names[n++] = strdup (item);
    names[n] = NULL;
  }
  free (item);
  fclose (fp);
  if (n)
    qsort (names, n, sizeof *names, compare_paths);
  for (size_t i = 0; i < n; ++i) {
    if (json) {
      json_object *v = json_object_new_string (names[i]);
      if (!v || json_object_array_add (json_list, v) != 0) {
        fprintf (stderr, "%s: out of memory\n", program);
        exit (EXIT_FAILURE);
      }
    }
    else {
      term_put_guest (stdout, names[i], NULL);
      putchar ('\n');
    }
  }
  tool_free_strings (names);
  return 0;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  bool long_mode = false, recursive_mode = false;
  static const char short_options[] = "a:c:d:hlm:RvVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    { "checksum", optional_argument, NULL, 0x201 },
    { "checksums", optional_argument, NULL, 0x201 },
    { "csv", no_argument, NULL, 0x202 },
    { "extra-stat", no_argument, NULL, 0x203 },
    { "extra-stats", no_argument, NULL, 0x203 },
    { "help", no_argument, NULL, 0x200 },
    { "human-readable", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, 0x209 },
    { "long", no_argument, NULL, 'l' },
    { "recursive", no_argument, NULL, 'R' },
    { "time", no_argument, NULL, 0x204 },
    { "times", no_argument, NULL, 0x204 },
    { "time-days", no_argument, NULL, 0x205 },
    { "time-relative", no_argument, NULL, 0x206 },
    { "time-t", no_argument, NULL, 0x207 },
    { "uid", no_argument, NULL, 0x208 },
    { "uids", no_argument, NULL, 0x208 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS); break;
    case 0x201: checksum_type = optarg && *optarg ? optarg : "md5"; break;
    case 0x202: csv = true; break;
    case 0x203: show_extra = true; break;
    case 'h': human = true; break;
    case 'l': long_mode = true; break;
    case 'R': recursive_mode = true; break;
    case 0x204: show_times = true; break;
    case 0x205: show_times = true; time_format = TIME_DAYS; break;
    case 0x206: show_times = true; time_format = TIME_RELATIVE; break;
    case 0x207: show_times = true; time_format = TIME_T; break;
    case 0x208: show_uids = true; break;
    case 0x209: json = true; break;
    default: usage (EXIT_FAILURE);
    }
  }
  /* Old style: virt-ls disk.img [disk.img ...] dir */
  if (tool_old_style_args (&o, argc, argv, &optind, 1) == -1)
    exit (EXIT_FAILURE);
  tool_require_drives (&o);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing directory names on the command line.\n", program);
    usage (EXIT_FAILURE);
  }
  if (json && !long_mode && !recursive_mode) {
    fprintf (stderr, "%s: --json needs -l, -R or -lR\n", program);
    exit (EXIT_FAILURE);
  }
  if (json && (csv || human)) {
    fprintf (stderr, "%s: you cannot use --json with -h or --csv.\n", program);
    exit (EXIT_FAILURE);
  }
  /* With --json, -l alone takes the -lR fields too. */
  if (!(long_mode && (recursive_mode || json)) &&
      (csv || human || show_uids || show_times || show_extra || checksum_type)) {
    fprintf (stderr, "%s: used a flag which can only be combined with -lR mode\n"
             "For more information, read the virt-ls(1) man page.\n", program);
    exit (EXIT_FAILURE);
  }
  if (csv && human) {
    fprintf (stderr, "%s: you cannot use -h and --csv options together.\n", program);
    exit (EXIT_FAILURE);
  }
  for (int i = optind; i < argc; ++i)
    if (argv[i][0] != '/') {
      fprintf (stderr, "%s: %s: the directory must be an absolute path\n",
               program, argv[i]);
      exit (EXIT_FAILURE);
    }
  o.inspector = o.nr_mounts == 0;
  now = time (NULL);

  guestfs_h *g = tool_launch (&o, true);
  if (json && !(json_list = json_object_new_array ())) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }

  int status = EXIT_SUCCESS;
  for (int i = optind; i < argc && status == EXIT_SUCCESS; ++i) {
    char *dir = tool_windows_path (g, &o, argv[i]);
    int r;
    if (!dir)
      r = -1;
    else if (long_mode && recursive_mode)
      r = long_recursive (g, dir);
    else if (long_mode && json)
      r = visit (g, dir, false);
    else if (long_mode)
      r = long_listing (g, dir);
    else if (recursive_mode)
      r = recursive (g, dir);
    else
      r = plain (g, dir);
    free (dir);
    if (r == -1)
      status = EXIT_FAILURE;
  }
  if (json && status == EXIT_SUCCESS && tool_json_print (json_list) == -1)
    status = EXIT_FAILURE;
  json_object_put (json_list);
  if (fflush (stdout) == EOF) {
    perror ("stdout");
    status = EXIT_FAILURE;
  }
  return tool_finish (g, &o, status);
}
