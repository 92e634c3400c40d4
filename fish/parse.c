/* Hatch guestfish: the command-line tokenizer (see parse.h for the rules). */
#include <errno.h>
#include <pwd.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* A growable string. */
struct buf {
  char *s;
  size_t len, cap;
};

static int
buf_add (struct buf *b, char c)
{
  if (b->len + 2 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 32;
    char *s = realloc (b->s, cap);
    if (s == NULL)
      return -1;
    b->s = s;
    b->cap = cap;
  }
  b->s[b->len++] = c;
  b->s[b->len] = '\0';
  return 0;
}

/* Make sure an empty buffer still yields a string, "". */
static char *
buf_take (struct buf *b)
{
  if (b->s == NULL && buf_add (b, 'x') == 0)
    b->s[b->len = 0] = '\0';
  char *s = b->s;
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

/* A growable NULL-terminated array of strings. */
struct words {
  char **v;
  size_t n, cap;
};

static int
words_add (struct words *w, char *s)
{
  if (w->n + 2 > w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 8;
    char **v = realloc (w->v, cap * sizeof *v);
    if (v == NULL)
      return -1;
    w->v = v;
    w->cap = cap;
  }
  w->v[w->n++] = s;
  w->v[w->n] = NULL;
  return 0;
}

static char **
words_take (struct words *w)
{
  if (w->v == NULL && words_add (w, NULL) == 0)
    w->n = 0;
  char **v = w->v;
  w->v = NULL;
  w->n = w->cap = 0;
  return v;
}

void
fish_free_string_array (char **v)
{
  if (v == NULL)
    return;
  for (size_t i = 0; v[i] != NULL; ++i)
    free (v[i]);
  free (v);
}

static void
set_err (char **err, const char *fs, ...)
{
  va_list ap;
  va_start (ap, fs);
  if (vasprintf (err, fs, ap) == -1)
    *err = NULL;
  va_end (ap);
}

static int
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int
is_octal (char c)
{
  return c >= '0' && c <= '7';
}

/* Read one backslash escape at *pp (pointing just after the '\').
 * Returns the byte, or -1 if the escape is not valid.  */
static int
read_escape (const char **pp)
{
  const char *p = *pp;
  int c;
  switch (*p) {
  case 'a': c = '\a'; p++; break;
  case 'b': c = '\b'; p++; break;
  case 'f': c = '\f'; p++; break;
  case 'n': c = '\n'; p++; break;
  case 'r': c = '\r'; p++; break;
  case 't': c = '\t'; p++; break;
  case 'v': c = '\v'; p++; break;
  case '"': case '\'': case '?': case '\\': c = *p++; break;
  case 'x':
    if (hexval (p[1]) < 0 || hexval (p[2]) < 0)
      return -1;
    c = hexval (p[1]) * 16 + hexval (p[2]);
    p += 3;
    break;
  default:
    /* Exactly three octal digits, as in "\101". */
    if (!is_octal (p[0]) || !is_octal (p[1]) || !is_octal (p[2]))
      return -1;
    c = (p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0');
    if (c > 0377)
      return -1;
    p += 3;
  }
  *pp = p;
  return c;
}

/* "~" and "~/x" become $HOME (or the password database's home);
 * "~user" and "~user/x" become that user's home.  Returns w itself when
 * there is nothing to expand, a new string otherwise, NULL when out of
 * memory.  */
static char *
expand_tilde (char *w)
{
  size_t ulen = strcspn (w + 1, "/");
  const char *home = NULL;

  if (ulen == 0) {
    home = getenv ("HOME");
    if (home == NULL || *home == '\0') {
      struct passwd *pw = getpwuid (getuid ());
      home = pw ? pw->pw_dir : NULL;
    }
  }
  else {
    char *user = strndup (w + 1, ulen);
    if (user == NULL)
      return NULL;
    struct passwd *pw = getpwnam (user);
    free (user);
    home = pw ? pw->pw_dir : NULL;
  }
  if (home == NULL)
    return w;
  char *r;
  if (asprintf (&r, "%s%s", home, w + 1 + ulen) == -1)
    return NULL;
  return r;
}

/* Parse one word starting at *pp (which is not blank and not NUL).
 * Returns the malloc'd word, or NULL with *err set.  */
static char *
parse_word (const char **pp, char **err)
{
  const char *p = *pp;
  struct buf b = { 0 };

  if (*p == '"') {
    p++;
    for (;;) {
      if (*p == '\0') {
        set_err (err, "unterminated double quote");
        goto fail;
      }
      if (*p == '"') {
        p++;
        break;
      }
      if (*p == '\\') {
        const char *q = p + 1;
        int c = read_escape (&q);
        if (c < 0) {
          set_err (err, "invalid escape sequence in string (starting at offset %zu)",
                   b.len);
          goto fail;
        }
        if (buf_add (&b, (char) c) == -1)
          goto oom;
        p = q;
        continue;
      }
      if (buf_add (&b, *p++) == -1)
        goto oom;
    }
  }
  else if (*p == '\'') {
    p++;
    for (;;) {
      if (*p == '\0') {
        set_err (err, "unterminated single quote");
        goto fail;
      }
      if (*p == '\'') {
        p++;
        break;
      }
      if (buf_add (&b, *p++) == -1)
        goto oom;
    }
  }
  else {
    while (*p != '\0' && !is_blank (*p))
      if (buf_add (&b, *p++) == -1)
        goto oom;
    *pp = p;
    char *w = buf_take (&b);
    if (w && w[0] == '~') {
      char *e = expand_tilde (w);
      if (e == NULL) {
        free (w);
        goto oom;
      }
      if (e != w) {
        free (w);
        w = e;
      }
    }
    return w;
  }

  /* After a closing quote. */
  if (*p != '\0' && !is_blank (*p)) {
    set_err (err, "command arguments not separated by whitespace");
    goto fail;
  }
  *pp = p;
  return buf_take (&b);

 oom:
  set_err (err, "%s", strerror (ENOMEM));
 fail:
  free (b.s);
  return NULL;
}

void
fish_line_free (struct fish_line *r)
{
  free (r->shell);
  free (r->cmd);
  fish_free_string_array (r->argv);
  free (r->pipe);
  memset (r, 0, sizeof *r);
}

int
fish_parse_line (const char *line, struct fish_line *r, char **err)
{
  const char *p = line;
  struct words w = { 0 };

  memset (r, 0, sizeof *r);
  *err = NULL;

  while (is_blank (*p))
    p++;
  if (*p == '\0' || *p == '#')
    return 0;

  if (*p == '-') {
    r->ignore_errors = 1;
    p++;
    while (is_blank (*p))
      p++;
    if (*p == '\0')
      return 0;
  }

  if (p[0] == '<' && p[1] == '!') {
    r->shell_inline = 1;
    p++;
  }
  if (*p == '!') {
    r->shell = strdup (p + 1);
    if (r->shell == NULL)
      goto oom;
    return 0;
  }

  r->cmd = parse_word (&p, err);
  if (r->cmd == NULL)
    goto fail;

  for (;;) {
    while (is_blank (*p))
      p++;
    if (*p == '\0')
      break;
    if (*p == '|') {
      r->pipe = strdup (p + 1);
      if (r->pipe == NULL)
        goto oom;
      break;
    }
    char *word = parse_word (&p, err);
    if (word == NULL)
      goto fail;
    if (words_add (&w, word) == -1) {
      free (word);
      goto oom;
    }
  }

  r->argc = w.n;
  r->argv = words_take (&w);
  if (r->argv == NULL)
    goto oom;
  return 0;

 oom:
  set_err (err, "%s", strerror (ENOMEM));
 fail:
  fish_free_string_array (w.v);
  {
    /* The caller still needs to know whether errors are ignored. */
    int ignore = r->ignore_errors;
    fish_line_free (r);
    r->ignore_errors = ignore;
  }
  return -1;
}

int
fish_next_argv_command (char *const *words, size_t nwords, size_t *pos,
                        struct fish_line *r, char **err)
{
  size_t i = *pos;
  struct words w = { 0 };

  memset (r, 0, sizeof *r);
  *err = NULL;

  if (i >= nwords)
    return 0;

  const char *name = words[i];
  if (name[0] == '-') {
    r->ignore_errors = 1;
    name++;
    /* "- cmd args": the dash stands alone. */
    if (name[0] == '\0' && i + 1 < nwords && strcmp (words[i + 1], ":") != 0)
      name = words[++i];
  }
  if (strcmp (words[i], ":") == 0 || name[0] == '\0') {
    set_err (err, "empty command on command line");
    memset (r, 0, sizeof *r);
    return -1;
  }

  r->cmd = strdup (name);
  if (r->cmd == NULL)
    goto oom;
  for (i++; i < nwords && strcmp (words[i], ":") != 0; ++i) {
    char *word = strdup (words[i]);
    if (word == NULL || words_add (&w, word) == -1) {
      free (word);
      goto oom;
    }
  }
  if (i < nwords)      /* skip the ":" separator */
    i++;

  r->argc = w.n;
  r->argv = words_take (&w);
  if (r->argv == NULL)
    goto oom;
  *pos = i;
  return 1;

 oom:
  set_err (err, "%s", strerror (ENOMEM));
  fish_free_string_array (w.v);
  fish_line_free (r);
  return -1;
}

char **
fish_split_string_list (const char *s, char **err)
{
  const char *p = s;
  struct words w = { 0 };
  struct buf b = { 0 };

  *err = NULL;
  for (;;) {
    while (*p == ' ' || *p == '\t' || *p == '\n')
      p++;
    if (*p == '\0')
      break;

    /* One word: unquoted runs and '...' runs, until whitespace. */
    while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
      if (*p == '\'') {
        p++;
        for (;;) {
          if (*p == '\0') {
            set_err (err, "Runaway quote in string \"%s\"", s);
            goto fail;
          }
          if (*p == '\'') {
            p++;
            break;
          }
          if (*p == '\\' && p[1] != '\0')
            p++;
          if (buf_add (&b, *p++) == -1)
            goto oom;
        }
      }
      else if (buf_add (&b, *p++) == -1)
        goto oom;
    }
    char *word = buf_take (&b);
    if (word == NULL || words_add (&w, word) == -1) {
      free (word);
      goto oom;
    }
  }

  char **v = words_take (&w);
  if (v == NULL)
    goto oom;
  return v;

 oom:
  set_err (err, "%s", strerror (ENOMEM));
 fail:
  free (b.s);
  fish_free_string_array (w.v);
  return NULL;
}
