/* virt-win-reg: export Windows Registry keys of a disk image or libvirt
 * guest as regedit (.reg) text (see virt-win-reg(1)).  The hives are read
 * inside the appliance through the hivex_* calls; --merge applies .reg
 * files (parsed here: they are the user's, not the guest's) with the
 * same calls and commits the hives. */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "guestfs.h"
#include "options.h"
#include "util.h"

static const char *program = "virt-win-reg";
static bool unsafe_printable_strings;

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: export Windows Registry entries from a Windows guest\n"
          "Usage:\n"
          "  %s [--options] domname|disk.img 'HKLM\\Path\\To\\Subkey' [name|@]\n"
          "  %s [--options] -a disk.img [-a ...] 'HKLM\\Path\\To\\Subkey' [name|@]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (0);
  printf ("  --encoding=..        Encoding of strings merged (default utf-16le)\n"
          "  --merge              Merge .reg files into the registry\n"
          "  --unsafe-printable-strings\n"
          "                       Print REG_SZ/REG_EXPAND_SZ values as strings\n"
          "See virt-win-reg(1) for more.\n");
  exit (EXIT_SUCCESS);
}

#define QUIET(g, expr) ({ guestfs_push_error_handler (g, NULL, NULL); \
      __typeof__ (expr) r_ = (expr); guestfs_pop_error_handler (g); r_; })

/* The hive of a key path: sets *HIVE (file under system32/config) and
 * *PREFIX (the canonical root for output), returns the rest of the path
 * (after the root and its backslash) or NULL if the root is not known. */
static const char *
split_root (const char *key, const char **hive, const char **prefix)
{
  static const struct { const char *root, *hive, *prefix; } roots[] = {
    { "HKLM\\SAM", "sam", "HKEY_LOCAL_MACHINE\\SAM" },
    { "HKLM\\SECURITY", "security", "HKEY_LOCAL_MACHINE\\SECURITY" },
    { "HKLM\\SOFTWARE", "software", "HKEY_LOCAL_MACHINE\\SOFTWARE" },
    { "HKLM\\SYSTEM", "system", "HKEY_LOCAL_MACHINE\\SYSTEM" },
    { "HKU\\.DEFAULT", "default", "HKEY_USERS\\.DEFAULT" },
    { "HKEY_LOCAL_MACHINE\\SAM", "sam", "HKEY_LOCAL_MACHINE\\SAM" },
    { "HKEY_LOCAL_MACHINE\\SECURITY", "security", "HKEY_LOCAL_MACHINE\\SECURITY" },
    { "HKEY_LOCAL_MACHINE\\SOFTWARE", "software", "HKEY_LOCAL_MACHINE\\SOFTWARE" },
    { "HKEY_LOCAL_MACHINE\\SYSTEM", "system", "HKEY_LOCAL_MACHINE\\SYSTEM" },
    { "HKEY_USERS\\.DEFAULT", "default", "HKEY_USERS\\.DEFAULT" },
    { NULL, NULL, NULL },
  };
  for (size_t i = 0; roots[i].root; ++i) {
    size_t n = strlen (roots[i].root);
    if (strncasecmp (key, roots[i].root, n) == 0 &&
        (key[n] == '\0' || key[n] == '\\')) {
      *hive = roots[i].hive;
      *prefix = roots[i].prefix;
      key += n;
      while (*key == '\\')
        key++;
      return key;
    }
  }
  return NULL;
}

/* regedit quoting of a name or string. */
static void
put_quoted (const char *s)
{
  putchar ('"');
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\')
      putchar ('\\');
    putchar (*s);
  }
  putchar ('"');
}

/* "hex(N):xx,xx,..." on one line, as hivexregedit prints it. */
static void
put_hex (const char *tag, const unsigned char *data, size_t len, size_t col)
{
  col += (size_t) printf ("%s:", tag);
  for (size_t i = 0; i < len; ++i) {
    if (i > 0) {
      putchar (',');
      col++;
    }
    col += (size_t) printf ("%02x", data[i]);
  }
  putchar ('\n');
}

static int
print_value (guestfs_h *g, int64_t vh)
{
  char *name = guestfs_hivex_value_key (g, vh);
  if (!name)
    return -1;
  int64_t type = guestfs_hivex_value_type (g, vh);
  size_t len;
  char *data = guestfs_hivex_value_value (g, vh, &len);
  if (type == -1 || !data) {
    free (name); free (data);
    return -1;
  }
  size_t col;
  if (*name == '\0') {
    putchar ('@');
    col = 1;
  }
  else {
    put_quoted (name);
    col = strlen (name) + 2;
  }
  putchar ('=');
  col++;
  if (type == 4 && len == 4) {
    uint32_t v = (uint32_t) (unsigned char) data[0] |
      (uint32_t) (unsigned char) data[1] << 8 |
      (uint32_t) (unsigned char) data[2] << 16 |
      (uint32_t) (unsigned char) data[3] << 24;
    printf ("dword:%08" PRIx32 "\n", v);
  }
  else if (unsafe_printable_strings && (type == 1 || type == 2)) {
    char *s = guestfs_hivex_value_string (g, vh);
    if (!s) {
      free (name); free (data);
      return -1;
    }
    /* As hivexregedit prints them: the text unescaped. */
    printf ("str(%" PRIx64 "):\"%s\"\n", type, s);
    free (s);
  }
  else if (type == 3)
    put_hex ("hex", (unsigned char *) data, len, col);
  else {
    char tag[32];
    snprintf (tag, sizeof tag, "hex(%" PRIx64 ")", type);
    put_hex (tag, (unsigned char *) data, len, col);
  }
  free (name);
  free (data);
  return 0;
}

struct child { int64_t h; char *name; };

static int
compare_children (const void *a, const void *b)
{
  return strcasecmp (((const struct child *) a)->name, ((const struct child *) b)->name);
}

static int
export_node (guestfs_h *g, int64_t node, const char *path)
{
  printf ("[%s]\n", path);
  struct guestfs_hivex_value_list *vals = guestfs_hivex_node_values (g, node);
  if (!vals)
    return -1;
  /* Values sorted by name, the default value (@) first. */
  struct child *vs = calloc (vals->len + 1, sizeof *vs);
  for (size_t i = 0; i < vals->len; ++i) {
    vs[i].h = vals->val[i].hivex_value_h;
    vs[i].name = guestfs_hivex_value_key (g, vs[i].h);
    if (!vs[i].name) {
      guestfs_free_hivex_value_list (vals);
      return -1;
    }
  }
  size_t nv = vals->len;
  guestfs_free_hivex_value_list (vals);
  qsort (vs, nv, sizeof *vs, compare_children);
  int r = 0;
  for (size_t i = 0; i < nv; ++i) {
    if (r == 0 && print_value (g, vs[i].h) == -1)
      r = -1;
    free (vs[i].name);
  }
  free (vs);
  putchar ('\n');
  if (r == -1)
    return -1;

  struct guestfs_hivex_node_list *kids = guestfs_hivex_node_children (g, node);
  if (!kids)
    return -1;
  size_t nk = kids->len;
  struct child *ks = calloc (nk + 1, sizeof *ks);
  for (size_t i = 0; i < nk; ++i) {
    ks[i].h = kids->val[i].hivex_node_h;
    ks[i].name = guestfs_hivex_node_name (g, ks[i].h);
    if (!ks[i].name) {
      guestfs_free_hivex_node_list (kids);
      return -1;
    }
  }
  guestfs_free_hivex_node_list (kids);
  qsort (ks, nk, sizeof *ks, compare_children);
  for (size_t i = 0; i < nk; ++i) {
    if (r == 0) {
      char *sub;
      if (asprintf (&sub, "%s\\%s", path, ks[i].name) == -1) {
        perror ("asprintf");
        exit (EXIT_FAILURE);
      }
      r = export_node (g, ks[i].h, sub);
      free (sub);
    }
    free (ks[i].name);
  }
  free (ks);
  return r;
}

/* One value alone: strings as text, numbers in decimal, else hex. */
static int
print_single (guestfs_h *g, int64_t node, const char *name)
{
  int64_t vh = guestfs_hivex_node_get_value (g, node, strcmp (name, "@") == 0 ? "" : name);
  if (vh == -1)
    return -1;
  if (vh == 0) {
    fprintf (stderr, "%s: %s: value not found\n", program, name);
    return -1;
  }
  int64_t type = guestfs_hivex_value_type (g, vh);
  size_t len;
  char *data = guestfs_hivex_value_value (g, vh, &len);
  if (type == -1 || !data) {
    free (data);
    return -1;
  }
  if (type == 1 || type == 2) {
    char *s = guestfs_hivex_value_string (g, vh);
    if (!s) { free (data); return -1; }
    printf ("%s\n", s);
    free (s);
  }
  else if ((type == 4 && len == 4) || (type == 11 && len == 8)) {
    uint64_t v = 0;
    for (size_t i = len; i-- > 0; )
      v = (v << 8) | (unsigned char) data[i];
    printf ("%" PRIu64 "\n", v);
  }
  else {
    for (size_t i = 0; i < len; ++i)
      printf ("%s%02x", i ? "," : "", (unsigned char) data[i]);
    putchar ('\n');
  }
  free (data);
  return 0;
}


/* ---- --merge ---------------------------------------------------------- */

static const char *encoding = "utf-16le";

struct merge_state {
  guestfs_h *g;
  struct tool_options *o;
  char *sysroot;
  const char *hive;             /* the open hive, or NULL */
  char *hive_path;
  int64_t node;                 /* current key, 0 if none */
};

static int
close_hive (struct merge_state *m)
{
  if (!m->hive)
    return 0;
  int r = guestfs_hivex_commit (m->g, NULL);
  if (guestfs_hivex_close (m->g) == -1)
    r = -1;
  m->hive = NULL;
  free (m->hive_path);
  m->hive_path = NULL;
  return r;
}

static int
open_hive (struct merge_state *m, const char *hive)
{
  if (m->hive && strcmp (m->hive, hive) == 0)
    return 0;
  if (close_hive (m) == -1)
    return -1;
  char *hpath;
  if (asprintf (&hpath, "%s/system32/config/%s", m->sysroot, hive) == -1)
    exit (EXIT_FAILURE);
  char *rpath = guestfs_case_sensitive_path (m->g, hpath);
  free (hpath);
  if (!rpath)
    return -1;
  if (QUIET (m->g, guestfs_is_file (m->g, rpath)) != 1) {
    fprintf (stderr, "%s: error: the registry hive %s is not in this guest\n",
             program, rpath);
    free (rpath);
    return -1;
  }
  if (guestfs_hivex_open (m->g, rpath, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1) {
    free (rpath);
    return -1;
  }
  m->hive = hive;
  m->hive_path = rpath;
  return 0;
}

/* [KEY] (create it and its parents) or [-KEY] (delete it). */
static int
merge_key (struct merge_state *m, const char *key, bool delete)
{
  const char *hive, *prefix;
  const char *rest = split_root (key, &hive, &prefix);
  m->node = 0;
  if (!rest) {
    fprintf (stderr, "%s: error: [%s]: unknown or unsupported registry root\n",
             program, key);
    return -1;
  }
  if (open_hive (m, hive) == -1)
    return -1;
  int64_t node = guestfs_hivex_root (m->g);
  char *copy = strdup (rest), *save = NULL;
  int r = 0;
  for (char *p = strtok_r (copy, "\\", &save); node > 0 && p;
       p = strtok_r (NULL, "\\", &save)) {
    int64_t child = guestfs_hivex_node_get_child (m->g, node, p);
    if (child == 0) {
      if (delete) {           /* nothing to delete */
        free (copy);
        return 0;
      }
      child = guestfs_hivex_node_add_child (m->g, node, p);
    }
    node = child;
  }
  free (copy);
  if (node <= 0)
    return -1;
  if (delete) {
    if (*rest == '\0') {
      fprintf (stderr, "%s: error: [-%s]: cannot delete the root of a hive\n",
               program, key);
      return -1;
    }
    r = guestfs_hivex_node_delete_child (m->g, node);
  }
  else
    m->node = node;
  return r;
}

/* Read a quoted string at *P (after the opening quote), undoing the \\
 * and \" escapes; *P is left after the closing quote. */
static char *
unquote (const char **p)
{
  const char *s = *p;
  char *out = malloc (strlen (s) + 1), *o = out;
  while (*s && *s != '"') {
    if (*s == '\\' && (s[1] == '\\' || s[1] == '"'))
      s++;
    *o++ = *s++;
  }
  *o = '\0';
  if (*s != '"') {
    free (out);
    return NULL;
  }
  *p = s + 1;
  return out;
}

/* The string S in the --encoding, with a final NUL character. */
static char *
encode (const char *s, size_t *len)
{
  iconv_t cd = iconv_open (encoding, "UTF-8");
  if (cd == (iconv_t) -1) {
    fprintf (stderr, "%s: --encoding %s: %s\n", program, encoding, strerror (errno));
    return NULL;
  }
  size_t inlen = strlen (s) + 1;        /* the NUL too */
  size_t outsize = inlen * 4 + 4, outleft = outsize;
  char *out = malloc (outsize), *op = out, *ip = (char *) s;
  if (iconv (cd, &ip, &inlen, &op, &outleft) == (size_t) -1) {
    fprintf (stderr, "%s: cannot convert \"%s\" to %s: %s\n", program, s,
             encoding, strerror (errno));
    iconv_close (cd);
    free (out);
    return NULL;
  }
  iconv_close (cd);
  *len = outsize - outleft;
  return out;
}

static char *
parse_hex (const char *p, size_t *len)
{
  char *out = malloc (strlen (p) / 2 + 1);
  size_t n = 0;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    if (!*p)
      break;
    if (!isxdigit ((unsigned char) p[0]) || !isxdigit ((unsigned char) p[1]) ||
        (p[2] && p[2] != ',' && p[2] != ' ')) {
      free (out);
      return NULL;
    }
    char b[3] = { p[0], p[1], 0 };
    out[n++] = (char) strtoul (b, NULL, 16);
    p += 2;
  }
  *len = n;
  return out;
}

/* "name"=VALUE or @=VALUE */
static int
merge_value (struct merge_state *m, const char *line, const char *file, int lineno)
{
  const char *p = line;
  char *name;
  if (*p == '@') {
    name = strdup ("");
    p++;
  }
  else {
    p++;
    name = unquote (&p);
    if (!name)
      goto bad;
  }
  if (*p++ != '=')
    goto bad_free;
  if (m->node == 0) {
    fprintf (stderr, "%s: %s:%d: a value outside of a [key] section\n",
             program, file, lineno);
    free (name);
    return -1;
  }
  int64_t type;
  char *val = NULL;
  size_t len = 0;
  if (*p == '-') {
    fprintf (stderr, "%s: %s:%d: deleting values is not supported\n",
             program, file, lineno);
    free (name);
    return -1;
  }
  else if (*p == '"') {
    p++;
    char *s = unquote (&p);
    if (!s)
      goto bad_free;
    type = 1;
    val = encode (s, &len);
    free (s);
    if (!val) { free (name); return -1; }
  }
  else if (strncmp (p, "dword:", 6) == 0) {
    char *end;
    errno = 0;
    unsigned long v = strtoul (p + 6, &end, 16);
    if (errno || end == p + 6 || *end || v > 0xffffffffUL)
      goto bad_free;
    type = 4;
    len = 4;
    val = malloc (4);
    for (int i = 0; i < 4; ++i)
      val[i] = (char) ((v >> (8 * i)) & 0xff);
  }
  else if (strncmp (p, "hex:", 4) == 0) {
    type = 3;
    val = parse_hex (p + 4, &len);
    if (!val) goto bad_free;
  }
  else if (strncmp (p, "hex(", 4) == 0 || strncmp (p, "str(", 4) == 0) {
    bool str = p[0] == 's';
    char *end;
    type = (int64_t) strtoul (p + 4, &end, 16);
    if (end == p + 4 || end[0] != ')' || end[1] != ':')
      goto bad_free;
    p = end + 2;
    if (str) {
      if (*p++ != '"') goto bad_free;
      char *s = unquote (&p);
      if (!s) goto bad_free;
      val = encode (s, &len);
      free (s);
      if (!val) { free (name); return -1; }
    }
    else {
      val = parse_hex (p, &len);
      if (!val) goto bad_free;
    }
  }
  else
    goto bad_free;
  int r = guestfs_hivex_node_set_value (m->g, m->node, name, type, val, len);
  free (val);
  free (name);
  return r;
 bad_free:
  free (name);
 bad:
  fprintf (stderr, "%s: %s:%d: cannot parse this line: %s\n", program, file,
           lineno, line);
  return -1;
}

static int
merge_file (struct merge_state *m, const char *file)
{
  FILE *fp = strcmp (file, "-") == 0 ? stdin : fopen (file, "r");
  if (!fp) {
    fprintf (stderr, "%s: %s: %s\n", program, file, strerror (errno));
    return -1;
  }
  char *line = NULL, *logical = NULL;
  size_t cap = 0;
  ssize_t n;
  int lineno = 0, r = 0;
  while (r == 0 && (n = getline (&line, &cap, fp)) != -1) {
    lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    /* A UTF-8 byte order mark on the first line. */
    char *l = line;
    if (lineno == 1 && strncmp (l, "\xef\xbb\xbf", 3) == 0)
      l += 3;
    /* Continuation lines (a backslash at the end). */
    char *joined;
    if (asprintf (&joined, "%s%s", logical ? logical : "",
                  logical ? l + strspn (l, " \t") : l) == -1)
      exit (EXIT_FAILURE);
    free (logical);
    logical = joined;
    size_t len = strlen (logical);
    if (len > 0 && logical[len - 1] == '\\' && logical[0] != '[') {
      logical[len - 1] = '\0';
      continue;
    }
    const char *t = logical + strspn (logical, " \t");
    if (*t == '\0' || *t == ';' || *t == '#' ||
        strcmp (t, "Windows Registry Editor Version 5.00") == 0 ||
        strcmp (t, "REGEDIT4") == 0)
      ;
    else if (*t == '[') {
      size_t tl = strlen (t);
      if (tl < 3 || t[tl - 1] != ']') {
        fprintf (stderr, "%s: %s:%d: cannot parse this line: %s\n", program,
                 file, lineno, t);
        r = -1;
      }
      else {
        bool del = t[1] == '-';
        char *key = strndup (t + 1 + del, tl - 2 - del);
        r = merge_key (m, key, del);
        free (key);
      }
    }
    else if (*t == '"' || *t == '@')
      r = merge_value (m, t, file, lineno);
    else {
      fprintf (stderr, "%s: %s:%d: cannot parse this line: %s\n", program,
               file, lineno, t);
      r = -1;
    }
    free (logical);
    logical = NULL;
  }
  free (logical);
  free (line);
  if (fp != stdin)
    fclose (fp);
  return r;
}

static int
do_merge (struct tool_options *o, int nr_files, char **files)
{
  o->inspector = true;
  guestfs_h *g = tool_open_handle (o);
  if (!g || guestfs_launch (g) == -1 || tool_mount (g, o) == -1)
    return EXIT_FAILURE;
  int status = EXIT_FAILURE;
  struct merge_state m = { .g = g, .o = o };
  char *type = guestfs_inspect_get_type (g, o->root);
  if (!type)
    goto out;
  if (strcmp (type, "windows") != 0) {
    fprintf (stderr, "%s: error: this is not a Windows guest\n", program);
    free (type);
    goto out;
  }
  free (type);
  m.sysroot = guestfs_inspect_get_windows_systemroot (g, o->root);
  if (!m.sysroot)
    goto out;
  int r = 0;
  if (nr_files == 0)
    r = merge_file (&m, "-");
  for (int i = 0; i < nr_files && r == 0; ++i)
    r = merge_file (&m, files[i]);
  if (r == 0) {
    if (close_hive (&m) == 0)
      status = EXIT_SUCCESS;
  }
  else if (m.hive) {
    /* Nothing is written when a file has an error. */
    QUIET (g, guestfs_hivex_close (g));
    free (m.hive_path);
  }
  free (m.sysroot);
 out:
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  tool_free_options (o);
  return status;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 0x200 },
    { "merge", no_argument, NULL, 0x201 },
    { "unsafe-printable-strings", no_argument, NULL, 0x202 },
    { "encoding", required_argument, NULL, 0x203 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  bool merge = false;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    int r = tool_option (&o, c, optarg);
    if (r == 1)
      continue;
    if (r == -1)
      exit (EXIT_FAILURE);
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS);
    case 0x201: merge = true; o.read_only = false; break;
    case 0x202: unsafe_printable_strings = true; break;
    case 0x203: encoding = optarg; break;
    default: usage (EXIT_FAILURE);
    }
  }
  /* Old style: the first argument is the guest (a disk image or a
   * libvirt name). */
  if (o.nr_drives == 0 && o.nr_domains == 0 && optind < argc) {
    const char *first = argv[optind++];
    struct stat st;
    if (strchr (first, '/') || stat (first, &st) == 0) {
      if (tool_add_drive (&o, first) == -1)
        exit (EXIT_FAILURE);
    }
    else if (tool_option (&o, 'd', first) == -1)
      exit (EXIT_FAILURE);
  }
  tool_require_drives (&o);
  if (merge)
    return do_merge (&o, argc - optind, argv + optind);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing the registry key on the command line\n", program);
    usage (EXIT_FAILURE);
  }
  if (argc - optind > 2) {
    fprintf (stderr, "%s: error: too many arguments on the command line\n", program);
    usage (EXIT_FAILURE);
  }
  const char *key = argv[optind];
  const char *value_name = argc - optind == 2 ? argv[optind + 1] : NULL;
  const char *hive, *prefix;
  const char *rest = split_root (key, &hive, &prefix);
  if (!rest) {
    fprintf (stderr, "%s: error: %s: unknown or unsupported registry root "
             "(use HKLM\\SAM, HKLM\\SECURITY, HKLM\\SOFTWARE, HKLM\\SYSTEM or "
             "HKU\\.DEFAULT)\n", program, key);
    exit (EXIT_FAILURE);
  }
  o.inspector = true;

  guestfs_h *g = tool_open_handle (&o);
  if (!g || guestfs_launch (g) == -1 || tool_mount (g, &o) == -1)
    exit (EXIT_FAILURE);
  int status = EXIT_FAILURE;
  char *type = guestfs_inspect_get_type (g, o.root);
  if (!type)
    goto out;
  if (strcmp (type, "windows") != 0) {
    fprintf (stderr, "%s: error: this is not a Windows guest\n", program);
    free (type);
    goto out;
  }
  free (type);
  char *sysroot = guestfs_inspect_get_windows_systemroot (g, o.root);
  if (!sysroot)
    goto out;
  char *hpath, *rpath;
  if (asprintf (&hpath, "%s/system32/config/%s", sysroot, hive) == -1)
    exit (EXIT_FAILURE);
  free (sysroot);
  rpath = guestfs_case_sensitive_path (g, hpath);
  free (hpath);
  if (!rpath)
    goto out;
  if (QUIET (g, guestfs_is_file (g, rpath)) != 1) {
    fprintf (stderr, "%s: error: the registry hive %s is not in this guest\n",
             program, rpath);
    free (rpath);
    goto out;
  }
  if (guestfs_hivex_open (g, rpath, GUESTFS_HIVEX_OPEN_WRITE, 0, -1) == -1) {
    free (rpath);
    goto out;
  }
  free (rpath);
  int64_t node = guestfs_hivex_root (g);
  char *path = strdup (prefix);
  /* Walk down the key, taking the names as the hive spells them. */
  char *copy = strdup (rest), *save = NULL;
  for (char *p = strtok_r (copy, "\\", &save); node > 0 && p;
       p = strtok_r (NULL, "\\", &save)) {
    node = guestfs_hivex_node_get_child (g, node, p);
    if (node == 0) {
      fprintf (stderr, "%s: error: %s: registry key not found\n", program, key);
      break;
    }
    if (node > 0) {
      char *name = guestfs_hivex_node_name (g, node), *np;
      if (!name || asprintf (&np, "%s\\%s", path, name) == -1) {
        node = -1;
        free (name);
        break;
      }
      free (name);
      free (path);
      path = np;
    }
  }
  free (copy);
  if (node > 0) {
    int r;
    if (value_name)
      r = print_single (g, node, value_name);
    else {
      printf ("Windows Registry Editor Version 5.00\n\n");
      r = export_node (g, node, path);
    }
    if (r == 0)
      status = EXIT_SUCCESS;
  }
  free (path);
  QUIET (g, guestfs_hivex_close (g));
 out:
  if (guestfs_shutdown (g) == -1)
    status = EXIT_FAILURE;
  guestfs_close (g);
  tool_free_options (&o);
  return status;
}
