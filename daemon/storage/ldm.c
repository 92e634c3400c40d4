/* Windows dynamic disks (LDM) through ldmtool(1).
 *
 * ldmtool answers in JSON.  We only ever need a list of strings, or one
 * string / one list of strings member of an object, so a small reader
 * for exactly that lives here (bounded by the input it is given; nesting
 * is not followed past what we need). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "actions-gen.h"

/* ---- a minimal JSON reader ---- */

struct jr {
  const char *p, *end;
  int depth;
};

#define JSON_MAX_DEPTH 32

static void
skip_ws (struct jr *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    j->p++;
}

/* Read a string at j->p (which is '"'); if out is not NULL, store a
 * malloc'd copy with escapes decoded (\uXXXX outside ASCII becomes UTF-8). */
static int
read_string (struct jr *j, char **out)
{
  if (j->p >= j->end || *j->p != '"')
    return -1;
  j->p++;
  size_t cap = 64, len = 0;
  char *s = out ? malloc (cap) : NULL;
  if (out && !s)
    return -1;
  while (j->p < j->end && *j->p != '"') {
    char buf[4];
    size_t n = 1;
    unsigned char c = (unsigned char) *j->p++;
    if (c == '\\') {
      if (j->p >= j->end)
        goto bad;
      c = (unsigned char) *j->p++;
      switch (c) {
      case 'n': buf[0] = '\n'; break;
      case 't': buf[0] = '\t'; break;
      case 'r': buf[0] = '\r'; break;
      case 'b': buf[0] = '\b'; break;
      case 'f': buf[0] = '\f'; break;
      case 'u': {
        if (j->end - j->p < 4)
          goto bad;
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
          char h = *j->p++;
          v <<= 4;
          if (h >= '0' && h <= '9') v |= (unsigned) (h - '0');
          else if (h >= 'a' && h <= 'f') v |= (unsigned) (h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') v |= (unsigned) (h - 'A' + 10);
          else goto bad;
        }
        if (v == 0)
          goto bad;             /* no NUL inside our strings */
        if (v < 0x80) buf[0] = (char) v;
        else if (v < 0x800) { buf[0] = (char) (0xc0 | (v >> 6)); buf[1] = (char) (0x80 | (v & 0x3f)); n = 2; }
        else { buf[0] = (char) (0xe0 | (v >> 12)); buf[1] = (char) (0x80 | ((v >> 6) & 0x3f));
               buf[2] = (char) (0x80 | (v & 0x3f)); n = 3; }
        break;
      }
      default: buf[0] = (char) c; break;       /* \" \\ \/ */
      }
    }
    else
      buf[0] = (char) c;
    if (out) {
      if (len + n + 1 > cap) {
        cap *= 2;
        char *t = realloc (s, cap);
        if (!t)
          goto bad;
        s = t;
      }
      memcpy (s + len, buf, n);
      len += n;
    }
  }
  if (j->p >= j->end)
    goto bad;
  j->p++;                       /* closing quote */
  if (out) {
    s[len] = '\0';
    *out = s;
  }
  return 0;
 bad:
  free (s);
  return -1;
}

static int skip_value (struct jr *j);

static int
skip_container (struct jr *j, char open, char close)
{
  if (++j->depth > JSON_MAX_DEPTH)
    return -1;
  j->p++;                       /* past open */
  skip_ws (j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    j->depth--;
    return 0;
  }
  for (;;) {
    if (open == '{') {
      if (read_string (j, NULL) == -1)
        return -1;
      skip_ws (j);
      if (j->p >= j->end || *j->p++ != ':')
        return -1;
    }
    if (skip_value (j) == -1)
      return -1;
    skip_ws (j);
    if (j->p >= j->end)
      return -1;
    char c = *j->p++;
    if (c == close)
      break;
    if (c != ',')
      return -1;
    skip_ws (j);
  }
  j->depth--;
  return 0;
}

static int
skip_value (struct jr *j)
{
  skip_ws (j);
  if (j->p >= j->end)
    return -1;
  switch (*j->p) {
  case '"': return read_string (j, NULL);
  case '{': return skip_container (j, '{', '}');
  case '[': return skip_container (j, '[', ']');
  default:
    /* number, true, false, null */
    if (!strchr ("-0123456789tfn", *j->p))
      return -1;
    while (j->p < j->end && !strchr (",]} \t\r\n", *j->p))
      j->p++;
    return 0;
  }
}

/* Parse an array of strings at j->p into a NULL-terminated list. */
static char **
read_string_array (struct jr *j)
{
  struct stringsbuf sb = { 0 };
  skip_ws (j);
  if (j->p >= j->end || *j->p != '[')
    return NULL;
  j->p++;
  skip_ws (j);
  if (j->p < j->end && *j->p == ']')
    j->p++;
  else {
    for (;;) {
      char *s;
      skip_ws (j);
      if (read_string (j, &s) == -1 || add_string_nodup (&sb, s) == -1)
        goto bad;
      skip_ws (j);
      if (j->p >= j->end)
        goto bad;
      char c = *j->p++;
      if (c == ']')
        break;
      if (c != ',')
        goto bad;
    }
  }
  if (end_stringsbuf (&sb) == -1)
    goto bad;
  return take_stringsbuf (&sb);
 bad:
  free_stringsbuf (&sb);
  return NULL;
}

/* Position j at the value of member key of the top-level object.
 * 1 found, 0 not present, -1 malformed. */
static int
find_member (struct jr *j, const char *key)
{
  skip_ws (j);
  if (j->p >= j->end || *j->p != '{')
    return -1;
  j->p++;
  skip_ws (j);
  if (j->p < j->end && *j->p == '}')
    return 0;
  for (;;) {
    CLEANUP_FREE char *k = NULL;
    skip_ws (j);
    if (read_string (j, &k) == -1)
      return -1;
    skip_ws (j);
    if (j->p >= j->end || *j->p++ != ':')
      return -1;
    skip_ws (j);
    if (strcmp (k, key) == 0)
      return 1;
    if (skip_value (j) == -1)
      return -1;
    skip_ws (j);
    if (j->p >= j->end)
      return -1;
    char c = *j->p++;
    if (c == '}')
      return 0;
    if (c != ',')
      return -1;
  }
}

/* ---- running ldmtool ---- */

/* Run ldmtool with -d for each user disk, then the command words; return
 * its JSON output (malloc'd) or NULL after replying. */
static char *
run_ldmtool (const char *const *words, char *const *devices)
{
  CLEANUP_FREE_STRINGS char **all = NULL;
  if (devices == NULL || devices[0] == NULL) {
    all = list_user_devices ();
    if (all == NULL)
      return NULL;
    devices = all;
  }
  size_t nd = count_strings (devices), nw = 0;
  while (words[nw])
    nw++;
  const char **argv = calloc (2 * nd + nw + 2, sizeof *argv);
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  size_t i = 0;
  argv[i++] = "ldmtool";
  for (size_t k = 0; k < nd; ++k) {
    argv[i++] = "-d";
    argv[i++] = devices[k];
  }
  for (size_t k = 0; k < nw; ++k)
    argv[i++] = words[k];
  argv[i] = NULL;
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  free (argv);
  if (r != 0) {
    /* ldmtool puts its message on stderr, or on stdout in some versions. */
    const char *msg = err && err[0] ? err : out && out[0] ? out : "failed";
    reply_with_error ("%s", trim_newlines ((char *) msg));
    free (out);
    return NULL;
  }
  return out;
}

static char **
ldm_string_list (const char *const *words, char *const *devices)
{
  CLEANUP_FREE char *out = run_ldmtool (words, devices);
  if (out == NULL)
    return NULL;
  struct jr j = { out, out + strlen (out), 0 };
  char **l = read_string_array (&j);
  if (l == NULL)
    reply_with_error ("could not parse the output of ldmtool: %s", out);
  return l;
}

/* One member of the object ldmtool prints: a string (as_list false) or a
 * list of strings.  A missing string member gives "". */
static void *
ldm_member (const char *const *words, const char *key, bool as_list)
{
  CLEANUP_FREE char *out = run_ldmtool (words, NULL);
  if (out == NULL)
    return NULL;
  struct jr j = { out, out + strlen (out), 0 };
  int r = find_member (&j, key);
  if (r == -1)
    goto bad;
  if (r == 0) {
    if (as_list) {
      reply_with_error ("ldmtool did not report \"%s\"", key);
      return NULL;
    }
    char *s = strdup ("");
    if (s == NULL)
      reply_with_perror ("strdup");
    return s;
  }
  if (as_list) {
    char **l = read_string_array (&j);
    if (l == NULL)
      goto bad;
    return l;
  }
  char *s = NULL;
  if (j.p < j.end && *j.p == '"') {
    if (read_string (&j, &s) == -1)
      goto bad;
    return s;
  }
  /* A number or literal: return its text. */
  const char *start = j.p;
  if (skip_value (&j) == -1)
    goto bad;
  s = strndup (start, (size_t) (j.p - start));
  if (s == NULL)
    reply_with_perror ("strndup");
  return s;
 bad:
  reply_with_error ("could not parse the output of ldmtool: %s", out);
  return NULL;
}

/* ---- actions ---- */

char **
do_ldmtool_scan (void)
{
  static const char *const w[] = { "scan", NULL };
  return ldm_string_list (w, NULL);
}

char **
do_ldmtool_scan_devices (char *const *devices)
{
  static const char *const w[] = { "scan", NULL };
  return ldm_string_list (w, devices);
}

int
do_ldmtool_create_all (void)
{
  static const char *const w[] = { "create", "all", NULL };
  CLEANUP_FREE char *out = run_ldmtool (w, NULL);
  return out ? 0 : -1;
}

int
do_ldmtool_remove_all (void)
{
  static const char *const w[] = { "remove", "all", NULL };
  CLEANUP_FREE char *out = run_ldmtool (w, NULL);
  return out ? 0 : -1;
}

char *
do_ldmtool_diskgroup_name (const char *diskgroup)
{
  const char *const w[] = { "show", "diskgroup", diskgroup, NULL };
  return ldm_member (w, "name", false);
}

char **
do_ldmtool_diskgroup_volumes (const char *diskgroup)
{
  const char *const w[] = { "show", "diskgroup", diskgroup, NULL };
  return ldm_member (w, "volumes", true);
}

char **
do_ldmtool_diskgroup_disks (const char *diskgroup)
{
  const char *const w[] = { "show", "diskgroup", diskgroup, NULL };
  return ldm_member (w, "disks", true);
}

char *
do_ldmtool_volume_type (const char *diskgroup, const char *volume)
{
  const char *const w[] = { "show", "volume", diskgroup, volume, NULL };
  return ldm_member (w, "type", false);
}

char *
do_ldmtool_volume_hint (const char *diskgroup, const char *volume)
{
  const char *const w[] = { "show", "volume", diskgroup, volume, NULL };
  return ldm_member (w, "hint", false);
}

char **
do_ldmtool_volume_partitions (const char *diskgroup, const char *volume)
{
  const char *const w[] = { "show", "volume", diskgroup, volume, NULL };
  return ldm_member (w, "partitions", true);
}

/* /dev/mapper/PREFIX*, sorted. */
static char **
list_mapper (const char *prefix)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/dev/mapper");
  if (d == NULL) {
    if (errno != ENOENT) {
      reply_with_perror ("/dev/mapper");
      return NULL;
    }
  }
  else {
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
      if (strncmp (e->d_name, prefix, strlen (prefix)) != 0)
        continue;
      char *p;
      if (asprintf (&p, "/dev/mapper/%s", e->d_name) == -1) {
        reply_with_perror ("asprintf");
        closedir (d);
        free_stringsbuf (&sb);
        return NULL;
      }
      if (add_string_nodup (&sb, p) == -1) {
        closedir (d);
        free_stringsbuf (&sb);
        return NULL;
      }
    }
    closedir (d);
  }
  if (sb.size > 0)
    sort_strings (sb.argv, sb.size);
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}

char **
do_list_ldm_volumes (void)
{
  return list_mapper ("ldm_vol_");
}

char **
do_list_ldm_partitions (void)
{
  return list_mapper ("ldm_part_");
}
