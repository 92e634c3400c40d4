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
#include "run.h"
#include "util.h"

static const char *program = "virt-win-reg";
static bool unsafe_printable_strings;

/* --help: as the Perl tool's pod2usage (1), the text then status 1. */
static void __attribute__((noreturn))
help (void)
{
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
  exit (1);
}

/* Where the keys below a registry root live. */
struct hive_spec {
  const char *config;   /* a file under system32/config, or NULL for ... */
  char *user;           /* ... HKEY_USERS\USER: a SID or a user name */
  char *prefix;         /* the canonical root printed in exports */
};

static void
free_hive_spec (struct hive_spec *h)
{
  free (h->user);
  free (h->prefix);
  h->user = h->prefix = NULL;
}

/* Split a key path into its hive (*H) and the rest of the path (after
 * the root and its backslash, returned).  Returns NULL after printing a
 * message if the root is not one virt-win-reg knows. */
static const char *
split_root (const char *key, struct hive_spec *h)
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
  memset (h, 0, sizeof *h);
  for (size_t i = 0; roots[i].root; ++i) {
    size_t n = strlen (roots[i].root);
    if (strncasecmp (key, roots[i].root, n) == 0 &&
        (key[n] == '\0' || key[n] == '\\')) {
      h->config = roots[i].hive;
      h->prefix = strdup (roots[i].prefix);
      key += n;
      while (*key == '\\')
        key++;
      return key;
    }
  }
  /* HKEY_USERS\SID or HKEY_USERS\username: the user's NTUSER.DAT. */
  static const char *const users[] = { "HKU\\", "HKEY_USERS\\", NULL };
  for (size_t i = 0; users[i]; ++i) {
    size_t n = strlen (users[i]);
    if (strncasecmp (key, users[i], n) == 0 && key[n] && key[n] != '\\') {
      size_t ul = strcspn (key + n, "\\");
      h->user = strndup (key + n, ul);
      if (asprintf (&h->prefix, "HKEY_USERS\\%s", h->user) == -1) {
        perror ("asprintf");
        exit (tool_failure_status);
      }
      key += n + ul;
      while (*key == '\\')
        key++;
      return key;
    }
  }
  size_t kl = strcspn (key, "\\");
  if ((kl == 4 && strncasecmp (key, "HKCU", 4) == 0) ||
      (kl == 17 && strncasecmp (key, "HKEY_CURRENT_USER", 17) == 0))
    fprintf (stderr, "%s: error: %s: HKEY_CURRENT_USER is not supported: a "
             "disk image has no current user (use HKEY_USERS\\SID or "
             "HKEY_USERS\\username)\n", program, key);
  else
    fprintf (stderr, "%s: error: %s: unknown or unsupported registry root "
             "(use HKLM\\SAM, HKLM\\SECURITY, HKLM\\SOFTWARE, HKLM\\SYSTEM, "
             "HKU\\.DEFAULT, HKU\\SID or HKU\\username)\n", program, key);
  return NULL;
}

/* The ProfileImagePath of USER (a SID, or the last component of the
 * profile directory) from the ProfileList key of the SOFTWARE hive.  Any
 * open hive is closed.  NULL after printing a message. */
static char *
profile_image_path (guestfs_h *g, const char *sysroot, const char *user)
{
  char *hpath, *rpath;
  if (asprintf (&hpath, "%s/system32/config/software", sysroot) == -1)
    exit (tool_failure_status);
  rpath = guestfs_case_sensitive_path (g, hpath);
  free (hpath);
  if (!rpath)
    return NULL;
  if (guestfs_hivex_open (g, rpath, GUESTFS_HIVEX_OPEN_WRITE, 0, -1) == -1) {
    free (rpath);
    return NULL;
  }
  free (rpath);
  int64_t node = guestfs_hivex_root (g);
  static const char *const path[] = { "Microsoft", "Windows NT", "CurrentVersion",
                                      "ProfileList", NULL };
  for (size_t i = 0; node > 0 && path[i]; ++i)
    node = guestfs_hivex_node_get_child (g, node, path[i]);
  char *ret = NULL;
  struct guestfs_hivex_node_list *kids = NULL;
  if (node == 0)
    fprintf (stderr, "%s: error: HKEY_USERS\\%s: the guest has no ProfileList "
             "key, its user profiles are not known\n", program, user);
  if (node <= 0 || !(kids = guestfs_hivex_node_children (g, node)))
    goto out;
  /* A SID first, then a user name. */
  for (int pass = 0; pass < 2 && !ret; ++pass) {
    for (size_t i = 0; i < kids->len && !ret; ++i) {
      int64_t kid = kids->val[i].hivex_node_h;
      char *name = NULL;
      if (pass == 0) {
        name = guestfs_hivex_node_name (g, kid);
        if (!name)
          goto out;
        if (strcasecmp (name, user) != 0) {
          free (name);
          continue;
        }
        free (name);
      }
      int64_t vh = TOOL_QUIET (g, guestfs_hivex_node_get_value (g, kid, "ProfileImagePath"));
      if (vh <= 0)
        continue;
      char *pip = TOOL_QUIET (g, guestfs_hivex_value_string (g, vh));
      if (!pip)
        continue;
      const char *base = strrchr (pip, '\\');
      base = base ? base + 1 : pip;
      if (pass == 0 || strcasecmp (base, user) == 0)
        ret = pip;
      else
        free (pip);
    }
  }
  if (!ret)
    fprintf (stderr, "%s: error: HKEY_USERS\\%s: no such user SID or user "
             "name in this guest's ProfileList\n", program, user);
 out:
  if (kids)
    guestfs_free_hivex_node_list (kids);
  TOOL_QUIET (g, guestfs_hivex_close (g));
  return ret;
}

/* The guest path of the hive file of H (after inspection mounted the
 * guest), or NULL after printing a message.  Any open hive is closed. */
static char *
hive_file (guestfs_h *g, const char *root, const char *sysroot,
           const struct hive_spec *h)
{
  char *path;
  if (h->config) {
    if (asprintf (&path, "%s/system32/config/%s", sysroot, h->config) == -1)
      exit (tool_failure_status);
  }
  else {
    char *pip = profile_image_path (g, sysroot, h->user);
    if (!pip)
      return NULL;
    /* %SystemRoot%\..., %SystemDrive%\... or C:\... on the system drive. */
    const char *rest = pip, *base = "";
    if (strncasecmp (pip, "%SystemRoot%", 12) == 0) {
      rest = pip + 12;
      base = sysroot;
    }
    else if (strncasecmp (pip, "%SystemDrive%", 13) == 0)
      rest = pip + 13;
    else if (isalpha ((unsigned char) pip[0]) && pip[1] == ':') {
      /* The drive must hold the system root. */
      char **map = TOOL_QUIET (g, guestfs_inspect_get_drive_mappings (g, root));
      bool system_drive = !map || !map[0] ? toupper ((unsigned char) pip[0]) == 'C'
                                          : false;
      for (size_t i = 0; map && map[i] && map[i + 1]; i += 2)
        if (strlen (map[i]) == 1 && toupper ((unsigned char) map[i][0]) ==
            toupper ((unsigned char) pip[0]) && strcmp (map[i + 1], root) == 0)
          system_drive = true;
      tool_free_strings (map);
      if (!system_drive) {
        fprintf (stderr, "%s: error: HKEY_USERS\\%s: the profile %s is not on "
                 "the system drive, which virt-win-reg does not support\n",
                 program, h->user, pip);
        free (pip);
        return NULL;
      }
      rest = pip + 2;
    }
    else {
      fprintf (stderr, "%s: error: HKEY_USERS\\%s: cannot understand the "
               "profile path %s\n", program, h->user, pip);
      free (pip);
      return NULL;
    }
    while (*rest == '\\')
      rest++;
    if (asprintf (&path, "%s/%s/NTUSER.DAT", base, rest) == -1)
      exit (tool_failure_status);
    free (pip);
    for (char *q = path; *q; ++q)
      if (*q == '\\')
        *q = '/';
  }
  char *rpath = TOOL_QUIET (g, guestfs_case_sensitive_path (g, path));
  if (!rpath || TOOL_QUIET (g, guestfs_is_file (g, rpath)) != 1) {
    fprintf (stderr, "%s: error: the registry hive %s is not in this guest\n",
             program, rpath ? rpath : path);
    free (rpath);
    rpath = NULL;
  }
  free (path);
  return rpath;
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
  else {
    /* Binary (3) too: "hex(3):", as hivexregedit writes it (the import
     * below takes "hex:" as well). */
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

/* A registry key has one parent, so a walk that meets a key twice is in
 * a loop (or a shared subtree) of a damaged or hostile hive: the keys met
 * so far, an open-addressing set of node handles.  And no walk deeper
 * than Windows allows (512 levels). */
#define MAX_KEY_DEPTH 512
struct seen { int64_t *v; size_t n, cap; };

/* Add h; false if it was there already. */
static bool
seen_add (struct seen *s, int64_t h)
{
  if (2 * (s->n + 1) > s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 1024;
    int64_t *v = calloc (cap, sizeof *v);
    if (!v) {
      perror ("calloc");
      exit (tool_failure_status);
    }
    for (size_t i = 0; i < s->cap; i++)
      if (s->v[i]) {
        size_t j = (size_t) s->v[i] * 0x9e3779b97f4a7c15ULL % cap;
        while (v[j]) j = (j + 1) % cap;
        v[j] = s->v[i];
      }
    free (s->v);
    s->v = v;
    s->cap = cap;
  }
  size_t j = (size_t) h * 0x9e3779b97f4a7c15ULL % s->cap;
  for (; s->v[j]; j = (j + 1) % s->cap)
    if (s->v[j] == h)
      return false;
  s->v[j] = h;
  s->n++;
  return true;
}

static int
export_walk (guestfs_h *g, int64_t node, const char *path, struct seen *seen, int depth)
{
  if (!seen_add (seen, node)) {
    fprintf (stderr, "%s: %s: the registry key is met twice (a loop in a damaged hive)\n",
             program, path);
    return -1;
  }
  if (depth > MAX_KEY_DEPTH) {
    fprintf (stderr, "%s: %s: keys nested deeper than %d levels (a damaged hive)\n",
             program, path, MAX_KEY_DEPTH);
    return -1;
  }
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
        exit (tool_failure_status);
      }
      r = export_walk (g, ks[i].h, sub, seen, depth + 1);
      free (sub);
    }
    free (ks[i].name);
  }
  free (ks);
  return r;
}

static int
export_node (guestfs_h *g, int64_t node, const char *path)
{
  struct seen seen = { 0 };
  int r = export_walk (g, node, path, &seen, 0);
  free (seen.v);
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
  char *hive;                   /* the prefix of the open hive, or NULL */
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
  free (m->hive);
  m->hive = NULL;
  free (m->hive_path);
  m->hive_path = NULL;
  return r;
}

static int
open_hive (struct merge_state *m, const struct hive_spec *h)
{
  if (m->hive && strcasecmp (m->hive, h->prefix) == 0)
    return 0;
  /* Changes so far are written before another hive is looked at. */
  if (close_hive (m) == -1)
    return -1;
  char *rpath = hive_file (m->g, m->o->root, m->sysroot, h);
  if (!rpath)
    return -1;
  if (guestfs_hivex_open (m->g, rpath, GUESTFS_HIVEX_OPEN_WRITE, 1, -1) == -1) {
    free (rpath);
    return -1;
  }
  m->hive = strdup (h->prefix);
  m->hive_path = rpath;
  return 0;
}

/* [KEY] (create it and its parents) or [-KEY] (delete it). */
static int
merge_key (struct merge_state *m, const char *key, bool delete)
{
  struct hive_spec h;
  const char *rest = split_root (key, &h);
  m->node = 0;
  if (!rest)
    return -1;
  int r = open_hive (m, &h);
  free_hive_spec (&h);
  if (r == -1)
    return -1;
  int64_t node = guestfs_hivex_root (m->g);
  char *copy = strdup (rest), *save = NULL;
  r = 0;
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

/* Copy the values (but SKIP, if not NULL) and the subkeys of FROM to TO. */
static int
copy_walk (guestfs_h *g, int64_t from, int64_t to, const char *skip, int depth)
{
  if (depth > MAX_KEY_DEPTH) {
    fprintf (stderr, "%s: keys nested deeper than %d levels (a loop in a damaged hive?)\n",
             program, MAX_KEY_DEPTH);
    return -1;
  }
  struct guestfs_hivex_value_list *vals = guestfs_hivex_node_values (g, from);
  if (!vals)
    return -1;
  int r = 0;
  for (size_t i = 0; i < vals->len && r == 0; ++i) {
    int64_t vh = vals->val[i].hivex_value_h;
    char *key = guestfs_hivex_value_key (g, vh);
    int64_t type = guestfs_hivex_value_type (g, vh);
    size_t len;
    char *val = guestfs_hivex_value_value (g, vh, &len);
    if (!key || type == -1 || !val)
      r = -1;
    else if (!skip || strcasecmp (key, skip) != 0)
      r = guestfs_hivex_node_set_value (g, to, key, type, val, len);
    free (key);
    free (val);
  }
  guestfs_free_hivex_value_list (vals);
  struct guestfs_hivex_node_list *kids = r == 0 ? guestfs_hivex_node_children (g, from) : NULL;
  if (!kids)
    return -1;
  for (size_t i = 0; i < kids->len && r == 0; ++i) {
    int64_t kid = kids->val[i].hivex_node_h;
    char *name = guestfs_hivex_node_name (g, kid);
    int64_t copy = name ? guestfs_hivex_node_add_child (g, to, name) : -1;
    r = copy <= 0 ? -1 : copy_walk (g, kid, copy, NULL, depth + 1);
    free (name);
  }
  guestfs_free_hivex_node_list (kids);
  return r;
}

static int
copy_node (guestfs_h *g, int64_t from, int64_t to, const char *skip)
{
  return copy_walk (g, from, to, skip, 0);
}

/* "NAME"=- : delete a value of the current key.  The API can set a value
 * but not remove one, so the key is rebuilt without it: its contents are
 * copied to a new sibling, the key is deleted, made again, and filled
 * from the copy. */
static int
delete_value (struct merge_state *m, const char *name)
{
  guestfs_h *g = m->g;
  int64_t vh = guestfs_hivex_node_get_value (g, m->node, name);
  if (vh <= 0)
    return vh == 0 ? 0 : -1;        /* not there: nothing to do */
  if (m->node == guestfs_hivex_root (g)) {
    fprintf (stderr, "%s: error: cannot delete a value of the root key of a hive\n",
             program);
    return -1;
  }
  int64_t parent = guestfs_hivex_node_parent (g, m->node);
  char *kname = guestfs_hivex_node_name (g, m->node);
  if (parent <= 0 || !kname) {
    free (kname);
    return -1;
  }
  char *tname;
  if (asprintf (&tname, "%s~virt-win-reg~", kname) == -1)
    exit (tool_failure_status);
  int r = -1;
  int64_t tmp, fresh;
  if (guestfs_hivex_node_get_child (g, parent, tname) != 0) {
    fprintf (stderr, "%s: error: cannot delete \"%s\": the key %s already exists\n",
             program, name, tname);
    goto out;
  }
  if ((tmp = guestfs_hivex_node_add_child (g, parent, tname)) <= 0 ||
      copy_node (g, m->node, tmp, name) == -1 ||
      guestfs_hivex_node_delete_child (g, m->node) == -1)
    goto out;
  m->node = 0;
  if ((fresh = guestfs_hivex_node_add_child (g, parent, kname)) <= 0 ||
      copy_node (g, tmp, fresh, NULL) == -1 ||
      guestfs_hivex_node_delete_child (g, tmp) == -1)
    goto out;
  m->node = fresh;
  r = 0;
 out:
  free (tname);
  free (kname);
  return r;
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
  if (p[0] == '-' && p[1] == '\0') {
    int r = delete_value (m, name);
    free (name);
    return r;
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
      exit (tool_failure_status);
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
    return tool_failure_status;
  int status = tool_failure_status;
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
    TOOL_QUIET (g, guestfs_hivex_close (g));
    free (m.hive);
    free (m.hive_path);
  }
  free (m.sysroot);
 out:
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1)
    status = tool_failure_status;
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
    { "debug", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  /* As libguestfs's virt-win-reg (Perl): 2 for a bad option, 255 for
   * every other error. */
  tool_failure_status = 255;
  tool_usage_status = 2;
  bool merge = false;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: help ();
    case 0x201: merge = true; o.read_only = false; break;
    case 0x202: unsafe_printable_strings = true; break;
    case 0x203: encoding = optarg; break;
    default: tool_try_help (program);   /* status 2 */
    }
  }
  /* Old style: the first argument is the guest (a disk image or a
   * libvirt name). */
  if (o.nr_drives == 0 && o.nr_domains == 0 && optind < argc) {
    const char *first = argv[optind++];
    struct stat st;
    if (strchr (first, '/') || stat (first, &st) == 0) {
      if (tool_add_drive (&o, first) == -1)
        exit (tool_failure_status);
    }
    else if (tool_option (&o, 'd', first) == -1)
      exit (tool_failure_status);
  }
  if (o.nr_drives == 0 && o.nr_domains == 0) {
    fprintf (stderr, "%s: error: no libvirt domain name or disk image given\n", program);
    exit (tool_failure_status);
  }
  if (merge)
    return do_merge (&o, argc - optind, argv + optind);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing the registry key on the command line\n", program);
    exit (tool_failure_status);
  }
  if (argc - optind > 2) {
    fprintf (stderr, "%s: error: too many arguments on the command line\n", program);
    exit (tool_failure_status);
  }
  const char *key = argv[optind];
  const char *value_name = argc - optind == 2 ? argv[optind + 1] : NULL;
  struct hive_spec hs;
  const char *rest = split_root (key, &hs);
  if (!rest)
    exit (tool_failure_status);
  o.inspector = true;

  guestfs_h *g = tool_launch (&o, true);
  int status = tool_failure_status;
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
  char *rpath = hive_file (g, o.root, sysroot, &hs);
  free (sysroot);
  if (!rpath)
    goto out;
  if (guestfs_hivex_open (g, rpath, GUESTFS_HIVEX_OPEN_WRITE, 0, -1) == -1) {
    free (rpath);
    goto out;
  }
  free (rpath);
  int64_t node = guestfs_hivex_root (g);
  char *path = strdup (hs.prefix);
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
    else
      /* The [key] sections alone: libguestfs's virt-win-reg prints no
       * "Windows Registry Editor Version 5.00" line (regedit and
       * --merge do not need it). */
      r = export_node (g, node, path);
    if (r == 0)
      status = EXIT_SUCCESS;
  }
  free (path);
  TOOL_QUIET (g, guestfs_hivex_close (g));
 out:
  free_hive_spec (&hs);
  return tool_finish (g, &o, status);
}
