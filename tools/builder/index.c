/* The virt-builder index parser: see index.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "index.h"

static int
fail (char **err, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) == -1)
    msg = NULL;
  va_end (ap);
  if (line > 0) {
    if (asprintf (err, "line %d: %s", line, msg ? msg : "out of memory") == -1)
      *err = NULL;
    free (msg);
  }
  else
    *err = msg;
  return -1;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool
valid_utf8 (const unsigned char *s, size_t n)
{
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    unsigned min, cp;
    if (c < 0x80) { i++; continue; }
    else if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; cp = c & 0x07; }
    else return false;
    if (i + len > n)
      return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

static bool
key_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.';
}

static bool
subkey_char (char c)
{
  return key_char (c) || c == ',';
}

static bool
starts (const char *line, size_t len, const char *prefix)
{
  size_t n = strlen (prefix);
  return len >= n && memcmp (line, prefix, n) == 0;
}

void
index_free (struct index *idx)
{
  for (size_t i = 0; i < idx->nr_sections; ++i) {
    struct index_section *s = &idx->sections[i];
    for (size_t j = 0; j < s->nr_fields; ++j) {
      free (s->fields[j].key);
      free (s->fields[j].subkey);
      free (s->fields[j].value);
    }
    free (s->fields);
    free (s->name);
  }
  free (idx->sections);
  idx->sections = NULL;
  idx->nr_sections = 0;
}

int
index_parse (const char *data, size_t len, struct index *out, char **err)
{
  *out = (struct index) { NULL, 0, 0, 0 };
  *err = NULL;
  if (len > INDEX_MAX_SIZE)
    return fail (err, 0, "the index is too large (%zu bytes; at most %d)", len, INDEX_MAX_SIZE);
  if (memchr (data, '\0', len))
    return fail (err, 0, "the index holds a NUL byte: not a text file");
  if (!valid_utf8 ((const unsigned char *) data, len))
    return fail (err, 0, "the index is not valid UTF-8");

  enum { BODY, PGP_HEADER, PGP_SIGNATURE } state = BODY;
  int lineno = 0;
  struct index_field *last = NULL;   /* the field a continuation extends */
  bool after_blank = true;           /* no field line since the last blank */
  const char *p = data, *end = data + len;
  bool first = true;
  while (p < end) {
    const char *nl = memchr (p, '\n', end - p);
    size_t l = nl ? (size_t) (nl - p) : (size_t) (end - p);
    const char *line = p;
    p = nl ? nl + 1 : end;
    lineno++;
    if (l > INDEX_MAX_LINE) {
      fail (err, lineno, "the line is too long (%zu bytes)", l);
      goto error;
    }
    if (l > 0 && line[l - 1] == '\r')
      l--;

    /* The clearsign armour: "-----BEGIN PGP SIGNED MESSAGE-----", its
     * "Hash:" header up to a blank line, the text, the signature. */
    if (first && starts (line, l, "-----BEGIN PGP SIGNED MESSAGE-----")) {
      out->signed_ = 1;
      state = PGP_HEADER;
      first = false;
      continue;
    }
    first = false;
    if (state == PGP_HEADER) {
      if (l == 0)
        state = BODY;
      continue;
    }
    if (state == PGP_SIGNATURE)
      continue;
    if (out->signed_ && starts (line, l, "-----BEGIN PGP SIGNATURE-----")) {
      state = PGP_SIGNATURE;
      continue;
    }
    if (out->signed_ && starts (line, l, "- "))   /* dash-escaped line */
      line += 2, l -= 2;

    if (l == 0) {
      last = NULL;
      after_blank = true;
      continue;
    }
    if (line[0] == '#') {
      if (!out->first_comment_line)
        out->first_comment_line = lineno;
      continue;
    }
    if (line[0] == ' ') {
      if (!last) {
        fail (err, lineno, "a continuation line (starting with a space) follows no field");
        goto error;
      }
      size_t vl = strlen (last->value);
      char *v = realloc (last->value, vl + 1 + (l - 1) + 1);
      if (!v) {
        fail (err, lineno, "out of memory");
        goto error;
      }
      v[vl] = '\n';
      memcpy (v + vl + 1, line + 1, l - 1);
      v[vl + l] = '\0';
      last->value = v;
      if (vl + l > INDEX_MAX_LINE) {
        fail (err, lineno, "the value is too long");
        goto error;
      }
      continue;
    }
    if (line[0] == '[') {
      /* Sections are separated by blank lines: virt-builder's own parser
       * (libguestfs's) refuses a header right after a field. */
      if (!after_blank) {
        fail (err, lineno, "a [SECTION] header must follow a blank line");
        goto error;
      }
      size_t k = 1;
      while (k < l && line[k] != ']' && line[k] != ' ' && line[k] != '\t' && line[k] != '[')
        k++;
      if (k == 1 || k >= l || line[k] != ']' || k + 1 != l) {
        fail (err, lineno, "a section header must be [NAME], NAME without spaces or brackets");
        goto error;
      }
      struct index_section *s = realloc (out->sections,
                                         (out->nr_sections + 1) * sizeof *s);
      if (!s) {
        fail (err, lineno, "out of memory");
        goto error;
      }
      out->sections = s;
      s = &out->sections[out->nr_sections++];
      *s = (struct index_section) { strndup (line + 1, k - 1), lineno, NULL, 0 };
      last = NULL;
      if (!s->name) {
        fail (err, lineno, "out of memory");
        goto error;
      }
      continue;
    }
    /* key[subkey]=value */
    size_t k = 0;
    while (k < l && key_char (line[k]))
      k++;
    if (k == 0) {
      fail (err, lineno, "expected [SECTION], KEY=VALUE, a comment or a blank line");
      goto error;
    }
    size_t keylen = k, sub0 = 0, sublen = 0;
    bool has_sub = false;
    if (k < l && line[k] == '[') {
      has_sub = true;
      sub0 = ++k;
      while (k < l && subkey_char (line[k]))
        k++;
      sublen = k - sub0;
      if (k >= l || line[k] != ']' || sublen == 0) {
        fail (err, lineno, "a field name must be KEY or KEY[SUBKEY]");
        goto error;
      }
      k++;
    }
    if (k >= l || line[k] != '=') {
      fail (err, lineno, "expected ‘=’ after the field name");
      goto error;
    }
    if (out->nr_sections == 0) {
      fail (err, lineno, "a field comes before the first [SECTION]");
      goto error;
    }
    struct index_section *s = &out->sections[out->nr_sections - 1];
    struct index_field *f = realloc (s->fields, (s->nr_fields + 1) * sizeof *f);
    if (!f) {
      fail (err, lineno, "out of memory");
      goto error;
    }
    s->fields = f;
    f = &s->fields[s->nr_fields++];
    *f = (struct index_field) {
      strndup (line, keylen), has_sub ? strndup (line + sub0, sublen) : NULL,
      strndup (line + k + 1, l - k - 1), lineno };
    if (!f->key || !f->value || (has_sub && !f->subkey)) {
      fail (err, lineno, "out of memory");
      goto error;
    }
    last = f;
    after_blank = false;
  }
  if (state == PGP_HEADER) {
    fail (err, lineno, "the signed message ends in its header");
    goto error;
  }
  return 0;

 error:
  index_free (out);
  return -1;
}

int
index_parse_file (const char *filename, struct index *out, char **err)
{
  *out = (struct index) { NULL, 0, 0, 0 };
  FILE *fp = fopen (filename, "r");
  if (!fp)
    return fail (err, 0, "%s: %s", filename, strerror (errno));
  struct stat st;
  if (fstat (fileno (fp), &st) == -1 || !S_ISREG (st.st_mode) || st.st_size > INDEX_MAX_SIZE) {
    fclose (fp);
    return fail (err, 0, "%s: not a regular file of at most %d bytes", filename,
                 INDEX_MAX_SIZE);
  }
  char *data = malloc (st.st_size + 1);
  size_t n = data ? fread (data, 1, st.st_size, fp) : 0;
  bool bad = !data || ferror (fp);
  fclose (fp);
  if (bad) {
    free (data);
    return fail (err, 0, "%s: could not be read", filename);
  }
  int r = index_parse (data, n, out, err);
  free (data);
  return r;
}

const char *
index_get (const struct index_section *s, const char *key, const char *subkey)
{
  for (size_t i = 0; i < s->nr_fields; ++i) {
    const struct index_field *f = &s->fields[i];
    if (strcmp (f->key, key) == 0 &&
        ((!subkey && !f->subkey) || (subkey && f->subkey && strcmp (subkey, f->subkey) == 0)))
      return f->value;
  }
  return NULL;
}
