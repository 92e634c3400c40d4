/* virt-diff: the differences between the files of two disk images or
 * libvirt guests (see virt-diff(1)).  The first guest is given with
 * -a/-d, the second with -A/-D.  Output, sorted by path:
 *   "+ LINE"           a file only in the second guest
 *   "- LINE"           a file only in the first guest
 *   "= LINE" + diff    a regular file whose content changed (unified diff
 *                      hunks of text files, then "@@ End of diff @@")
 *   "- LINE", "+ LINE", "# changed: FIELD ..."   changed metadata
 * where LINE is a virt-ls -l style line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "util.h"

static const char *program = "virt-diff";
static bool csv, human, show_uids, show_times, show_extra, show_xattrs;
static bool atime, dir_links, dir_times;
static const char *checksum_type;
enum { TIME_DATE, TIME_T, TIME_RELATIVE, TIME_DAYS } time_format;
static time_t now;

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: differences between files in two virtual machines\n"
          "Usage:\n"
          "  %s [--options] -d domain1 -D domain2\n"
          "  %s [--options] -a disk1.img [-a ...] -A disk2.img [-A ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("  -A image             Add a disk image of the second guest\n"
          "  -D guest             Add the disks of the second libvirt guest\n"
          "  --all                Same as --extra-stats --times --uids --xattrs\n"
          "  --atime              Show changes of access times\n"
          "  --checksum[=crc|md5|sha1|sha224|sha256|sha384|sha512]\n"
          "                       Compare the content of files by checksum\n"
          "  --csv                Comma-separated values\n"
          "  --dir-links          Show changes of directories' link counts\n"
          "  --dir-times          Show changes of directories' times\n"
          "  --extra-stats        Device, inode, links, rdev, blocks\n"
          "  -h|--human-readable  Sizes like 1.5K, 20M\n"
          "  --times              atime, mtime, ctime\n"
          "  --time-days          Times as days before now\n"
          "  --time-relative      Times as seconds before now\n"
          "  --time-t             Times as seconds since the epoch\n"
          "  --uids               Owner's uid and gid\n"
          "  --xattrs             Extended attributes\n"
          "See virt-diff(1) for more.\n");
  exit (EXIT_SUCCESS);
}

struct entry {
  char *path;
  struct guestfs_statns st;     /* only the numbers are used */
  char *link;                   /* symlink target or NULL */
  char *xattrs;                 /* "name=value ..." with --xattrs, or NULL */
  char *csum;                   /* lazily, for regular files */
};

struct tree {
  guestfs_h *g;
  struct entry *e;
  size_t n, alloc;
};

static void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n);
  if (!p) { perror ("realloc"); exit (EXIT_FAILURE); }
  return p;
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

/* "name=value" words, the bytes of values escaped as \xNN when not
 * printable. */
static char *
format_xattrs (const struct guestfs_xattr_list *l)
{
  char *buf = NULL;
  size_t size = 0;
  FILE *fp = open_memstream (&buf, &size);
  if (!fp) { perror ("open_memstream"); exit (EXIT_FAILURE); }
  for (size_t i = 0; i < l->len; ++i) {
    if (i) fputc (' ', fp);
    fprintf (fp, "%s=", l->val[i].attrname);
    for (uint32_t j = 0; j < l->val[i].attrval_len; ++j) {
      unsigned char c = (unsigned char) l->val[i].attrval[j];
      if (c < 32 || c >= 127 || c == '\\' || c == ' ' || c == ',')
        fprintf (fp, "\\x%02x", c);
      else
        fputc (c, fp);
    }
  }
  fclose (fp);
  return buf;
}

/* Zero the fields that are not compared nor shown by default: access
 * times (--atime), times and link counts of directories (--dir-times,
 * --dir-links).  The device, inode and block counts are compared, as
 * libguestfs's virt-diff compares them, and shown with --extra-stats. */
static void
mask (struct guestfs_statns *st)
{
  if (!atime)
    st->st_atime_sec = st->st_atime_nsec = 0;
  if (S_ISDIR (st->st_mode)) {
    if (!dir_times)
      st->st_atime_sec = st->st_atime_nsec = st->st_mtime_sec =
        st->st_mtime_nsec = st->st_ctime_sec = st->st_ctime_nsec = 0;
    if (!dir_links)
      st->st_nlink = 0;
  }
}

static int
walk (struct tree *t, const char *dir)
{
  guestfs_h *g = t->g;
  char **names = guestfs_ls (g, dir);
  if (!names)
    return -1;
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
  int r = 0;
  for (size_t i = 0; i < n && r == 0; ++i) {
    if (t->n == t->alloc) {
      t->alloc = t->alloc ? t->alloc * 2 : 256;
      t->e = xrealloc (t->e, t->alloc * sizeof *t->e);
    }
    struct entry *e = &t->e[t->n++];
    memset (e, 0, sizeof *e);
    e->path = join_path (dir, names[i]);
    e->st = sts->val[i];
    mask (&e->st);
    if (S_ISLNK (e->st.st_mode))
      e->link = strdup (links[i]);
    if (show_xattrs) {
      struct guestfs_xattr_list *x = guestfs_lgetxattrs (g, e->path);
      if (!x) { r = -1; break; }
      e->xattrs = format_xattrs (x);
      guestfs_free_xattr_list (x);
    }
    if (S_ISDIR (e->st.st_mode)) {
      char *sub = strdup (e->path);
      r = walk (t, sub);
      free (sub);
    }
  }
  guestfs_free_statns_list (sts);
  tool_free_strings (links);
  tool_free_strings (names);
  return r;
}

static int
compare_entries (const void *a, const void *b)
{
  return strcmp (((const struct entry *) a)->path, ((const struct entry *) b)->path);
}

/* ---- output lines (virt-ls -l style) ------------------------------ */

static struct tool_fields F;

static const char *
checksum_of (guestfs_h *g, struct entry *e)
{
  if (!e->csum)
    e->csum = guestfs_checksum (g, checksum_type, e->path);
  return e->csum;
}

static int
show (const char *mark, guestfs_h *g, struct entry *e)
{
  const struct guestfs_statns *st = &e->st;
  F = (struct tool_fields) { .csv = csv, .human = human, .now = now,
                             .time_format = (enum tool_time_format) time_format };
  tool_field_string (&F, mark);
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
    if (atime)
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
    const char *sum = checksum_of (g, e);
    if (!sum) {
      putchar ('\n');
      return -1;
    }
    tool_field_string (&F, sum);
  }
  else if (checksum_type && csv)
    tool_field_string (&F, "");
  if (show_xattrs && e->xattrs && *e->xattrs)
    tool_field_string (&F, e->xattrs ? e->xattrs : "");
  tool_field_string (&F, e->path);
  if (e->link) {
    if (csv)
      tool_field_string (&F, e->link);
    else {
      tool_field_next (&F);
      printf ("-> %s", e->link);
    }
  }
  putchar ('\n');
  return 0;
}

/* ---- comparing ------------------------------------------------------ */

/* Download a guest file to a host temporary file; NULL on error. */
static char *
fetch (guestfs_h *g, const char *path, const char *tmpdir, const char *name)
{
  char *local = join_path (tmpdir, name);
  if (guestfs_download (g, path, local) == -1) {
    free (local);
    return NULL;
  }
  return local;
}

static bool
is_text (const char *file)
{
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return false;
  char buf[65536];
  ssize_t n;
  bool text = true;
  while (text && (n = read (fd, buf, sizeof buf)) > 0)
    if (memchr (buf, '\0', (size_t) n))
      text = false;
  close (fd);
  return text;
}

/* The hunks of "diff -u A B", without the two file name lines. */
static int
print_diff (const char *a, const char *b)
{
  fflush (stdout);
  int pfd[2];
  if (pipe (pfd) == -1) { perror ("pipe"); return -1; }
  pid_t pid = fork ();
  if (pid == -1) { perror ("fork"); return -1; }
  if (pid == 0) {
    close (pfd[0]);
    dup2 (pfd[1], 1);
    execlp ("diff", "diff", "-u", a, b, (char *) NULL);
    fprintf (stderr, "%s: diff: %s\n", program, strerror (errno));
    _exit (2);
  }
  close (pfd[1]);
  FILE *fp = fdopen (pfd[0], "r");
  char *line = NULL;
  size_t len = 0;
  ssize_t n;
  int lineno = 0;
  while ((n = getline (&line, &len, fp)) != -1)
    if (++lineno > 2)
      fwrite (line, 1, (size_t) n, stdout);
  free (line);
  fclose (fp);
  int st;
  waitpid (pid, &st, 0);
  if (!WIFEXITED (st) || WEXITSTATUS (st) > 1) {
    fprintf (stderr, "%s: diff failed\n", program);
    return -1;
  }
  return 0;
}

static int
content_changed (guestfs_h *g1, struct entry *e1, guestfs_h *g2, struct entry *e2)
{
  if (e1->st.st_size != e2->st.st_size)
    return 1;
  if (checksum_type) {
    const char *c1 = checksum_of (g1, e1), *c2 = checksum_of (g2, e2);
    if (!c1 || !c2)
      return -1;
    return strcmp (c1, c2) != 0;
  }
  /* Without --checksum, "file times and size" (virt-diff(1)): a new
   * mtime or ctime counts as new content, as in libguestfs's virt-diff
   * (a chmod too, then: its ctime changes). */
  return e1->st.st_mtime_sec != e2->st.st_mtime_sec ||
    e1->st.st_ctime_sec != e2->st.st_ctime_sec;
}

static int
diff_content (guestfs_h *g1, struct entry *e1, guestfs_h *g2, struct entry *e2,
              const char *tmpdir)
{
  if (show ("=", g1, e1) == -1)
    return -1;
  if (csv)
    return 0;
  /* Text files up to a few MB get their differences shown. */
  if (e1->st.st_size > 4 * 1024 * 1024 || e2->st.st_size > 4 * 1024 * 1024)
    return 0;
  char *a = fetch (g1, e1->path, tmpdir, "a");
  char *b = a ? fetch (g2, e2->path, tmpdir, "b") : NULL;
  int r = 0;
  if (!a || !b)
    r = -1;
  else if (is_text (a) && is_text (b)) {
    r = print_diff (a, b);
    if (r == 0)
      printf ("@@ End of diff @@\n");
  }
  if (a) { unlink (a); free (a); }
  if (b) { unlink (b); free (b); }
  return r;
}

static int
compare (guestfs_h *g1, struct entry *e1, guestfs_h *g2, struct entry *e2,
         const char *tmpdir)
{
  const struct guestfs_statns *s1 = &e1->st, *s2 = &e2->st;
  bool reg = S_ISREG (s1->st_mode) && S_ISREG (s2->st_mode);
  if (reg) {
    int c = content_changed (g1, e1, g2, e2);
    if (c == -1)
      return -1;
    /* A changed content is reported alone. */
    if (c)
      return diff_content (g1, e1, g2, e2, tmpdir);
  }
  /* Metadata, in the order of struct statns; the fields hidden from the
   * listing (see mask) do not count. */
  const char *changed[20];
  size_t n = 0;
#define CMP(f) if (s1->f != s2->f) changed[n++] = #f
  /* Times by the second, named as the fields of struct statns (as
   * libguestfs's virt-diff names them). */
#define CMPT(f) if (s1->f##_sec != s2->f##_sec) changed[n++] = #f "_sec"
  CMP (st_dev);
  CMP (st_ino);
  CMP (st_mode);
  CMP (st_nlink);
  CMP (st_uid);
  CMP (st_gid);
  CMP (st_rdev);
  if (!reg) CMP (st_size);
  CMP (st_blksize);
  CMP (st_blocks);
  CMPT (st_atime);
  CMPT (st_mtime);
  CMPT (st_ctime);
#undef CMP
#undef CMPT
  /* A symlink that became something else shows in st_mode. */
  if (e1->link && e2->link && strcmp (e1->link, e2->link) != 0)
    changed[n++] = "link";
  if (show_xattrs && strcmp (e1->xattrs ? e1->xattrs : "",
                             e2->xattrs ? e2->xattrs : "") != 0)
    changed[n++] = "xattrs";
  if (n == 0)
    return 0;
  if (show ("-", g1, e1) == -1 || show ("+", g2, e2) == -1)
    return -1;
  if (csv) {
    F = (struct tool_fields) { .csv = csv, .human = human, .now = now,
                             .time_format = (enum tool_time_format) time_format };
    tool_field_string (&F, "#");
    tool_field_string (&F, "changed:");
    for (size_t i = 0; i < n; ++i)
      tool_field_string (&F, changed[i]);
    putchar ('\n');
  }
  else {
    printf ("# changed:");
    for (size_t i = 0; i < n; ++i)
      printf (" %s", changed[i]);
    putchar ('\n');
  }
  return 0;
}

static guestfs_h *
open_guest (struct tool_options *o, struct tree *t)
{
  guestfs_h *g = tool_open_handle (o);
  if (!g || guestfs_launch (g) == -1 || tool_mount (g, o) == -1)
    return NULL;
  t->g = g;
  struct guestfs_statns *root = guestfs_lstatns (g, "/");
  if (!root)
    return NULL;
  t->alloc = 256;
  t->e = xrealloc (NULL, t->alloc * sizeof *t->e);
  memset (&t->e[0], 0, sizeof t->e[0]);
  t->e[0].path = strdup ("/");
  t->e[0].st = *root;
  mask (&t->e[0].st);
  guestfs_free_statns (root);
  if (show_xattrs) {
    struct guestfs_xattr_list *x = guestfs_lgetxattrs (g, "/");
    if (!x)
      return NULL;
    t->e[0].xattrs = format_xattrs (x);
    guestfs_free_xattr_list (x);
  }
  t->n = 1;
  if (walk (t, "/") == -1)
    return NULL;
  qsort (t->e, t->n, sizeof *t->e, compare_entries);
  return g;
}

int
main (int argc, char *argv[])
{
  struct tool_options o1 = { .program = program, .read_only = true };
  struct tool_options o2 = { .program = program, .read_only = true };
  static const char short_options[] = "a:A:c:d:D:hvVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 0x200 },
    { "all", no_argument, NULL, 0x201 },
    { "atime", no_argument, NULL, 0x202 },
    { "checksum", optional_argument, NULL, 0x203 },
    { "checksums", optional_argument, NULL, 0x203 },
    { "csv", no_argument, NULL, 0x204 },
    { "dir-link", no_argument, NULL, 0x205 },
    { "dir-links", no_argument, NULL, 0x205 },
    { "dir-nlink", no_argument, NULL, 0x205 },
    { "dir-nlinks", no_argument, NULL, 0x205 },
    { "dir-time", no_argument, NULL, 0x206 },
    { "dir-times", no_argument, NULL, 0x206 },
    { "extra-stat", no_argument, NULL, 0x207 },
    { "extra-stats", no_argument, NULL, 0x207 },
    { "human-readable", no_argument, NULL, 'h' },
    { "time", no_argument, NULL, 0x208 },
    { "times", no_argument, NULL, 0x208 },
    { "time-days", no_argument, NULL, 0x209 },
    { "time-relative", no_argument, NULL, 0x20a },
    { "time-t", no_argument, NULL, 0x20b },
    { "uid", no_argument, NULL, 0x20c },
    { "uids", no_argument, NULL, 0x20c },
    { "xattr", no_argument, NULL, 0x20d },
    { "xattrs", no_argument, NULL, 0x20d },
    { NULL, 0, NULL, 0 },
  };
  o1.long_options = o2.long_options = long_options;
  o1.short_options = o2.short_options = short_options;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    int r;
    switch (c) {
    case 'A':
      /* The second guest's disks, with the --format/--blocksize in force. */
      free (o2.format);
      o2.format = o1.format ? strdup (o1.format) : NULL;
      o2.blocksize = o1.blocksize;
      if (tool_option (&o2, 'a', optarg) == -1)
        exit (EXIT_FAILURE);
      continue;
    case 'D':
      if (tool_option (&o2, 'd', optarg) == -1)
        exit (EXIT_FAILURE);
      continue;
    case 'c': case 'v': case 'x': case TOOL_OPT_KEY:
    case TOOL_OPT_KEYS_FROM_STDIN: case TOOL_OPT_ECHO_KEYS:
      /* Both guests. */
      if (tool_option (&o2, c, optarg) == -1)
        exit (EXIT_FAILURE);
      break;
    }
    r = tool_option (&o1, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (EXIT_FAILURE);
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 0x201: show_extra = show_times = show_uids = show_xattrs = true; break;
    case 0x202: atime = true; break;
    case 0x203: checksum_type = optarg && *optarg ? optarg : "md5"; break;
    case 0x204: csv = true; break;
    case 0x205: dir_links = true; break;
    case 0x206: dir_times = true; break;
    case 0x207: show_extra = true; break;
    case 'h': human = true; break;
    case 0x208: show_times = true; break;
    case 0x209: show_times = true; time_format = TIME_DAYS; break;
    case 0x20a: show_times = true; time_format = TIME_RELATIVE; break;
    case 0x20b: show_times = true; time_format = TIME_T; break;
    case 0x20c: show_uids = true; break;
    case 0x20d: show_xattrs = true; break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  if (o1.nr_drives == 0 && o1.nr_domains == 0) {
    fprintf (stderr, "%s: error: you must specify at least one -a or -d option.\n", program);
    usage (EXIT_FAILURE);
  }
  if (o2.nr_drives == 0 && o2.nr_domains == 0) {
    fprintf (stderr, "%s: error: you must specify at least one -A or -D option.\n", program);
    usage (EXIT_FAILURE);
  }
  if (csv && human) {
    fprintf (stderr, "%s: you cannot use -h and --csv options together.\n", program);
    exit (EXIT_FAILURE);
  }
  if (checksum_type) {
    static const char *const ok[] = { "crc", "md5", "sha1", "sha224", "sha256",
                                      "sha384", "sha512", NULL };
    bool found = false;
    for (size_t i = 0; ok[i]; ++i)
      found |= strcmp (checksum_type, ok[i]) == 0;
    if (!found) {
      fprintf (stderr, "%s: unknown checksum type: %s\n", program, checksum_type);
      exit (EXIT_FAILURE);
    }
  }
  o1.inspector = o2.inspector = true;
  now = time (NULL);

  struct tree t1 = { 0 }, t2 = { 0 };
  guestfs_h *g1 = open_guest (&o1, &t1);
  if (!g1)
    exit (EXIT_FAILURE);
  guestfs_h *g2 = open_guest (&o2, &t2);
  if (!g2)
    exit (EXIT_FAILURE);

  char tmpdir[] = "/tmp/virt-diff.XXXXXX";
  if (!mkdtemp (tmpdir)) {
    perror ("mkdtemp");
    exit (EXIT_FAILURE);
  }
  if (csv) {
    /* no header line, as virt-ls --csv */
  }
  int status = EXIT_SUCCESS;
  size_t i = 0, j = 0;
  while ((i < t1.n || j < t2.n) && status == EXIT_SUCCESS) {
    int cmp = i >= t1.n ? 1 : j >= t2.n ? -1 : strcmp (t1.e[i].path, t2.e[j].path);
    int r;
    if (cmp < 0)
      r = show ("-", g1, &t1.e[i++]);
    else if (cmp > 0)
      r = show ("+", g2, &t2.e[j++]);
    else
      r = compare (g1, &t1.e[i++], g2, &t2.e[j++], tmpdir);
    if (r == -1)
      status = EXIT_FAILURE;
  }
  rmdir (tmpdir);
  if (guestfs_shutdown (g1) == -1 || guestfs_shutdown (g2) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g1);
  guestfs_close (g2);
  for (size_t k = 0; k < t1.n; ++k) {
    free (t1.e[k].path); free (t1.e[k].link); free (t1.e[k].xattrs); free (t1.e[k].csum);
  }
  for (size_t k = 0; k < t2.n; ++k) {
    free (t2.e[k].path); free (t2.e[k].link); free (t2.e[k].xattrs); free (t2.e[k].csum);
  }
  free (t1.e); free (t2.e);
  tool_free_options (&o1);
  tool_free_options (&o2);
  return status;
}
