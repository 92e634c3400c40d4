/* See sources.h. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "index.h"
#include "pgp.h"
#include "sources.h"

static char *
xstrdup_or_null (const char *s)
{
  return s ? strdup (s) : NULL;
}

const char *
builder_host_arch (void)
{
  static struct utsname u;
  if (!*u.machine && uname (&u) == -1)
    return "x86_64";
  return u.machine;
}

static int
add_source (struct builder_repo *repo, struct builder_source s)
{
  struct builder_source *n = realloc (repo->sources, (repo->nr_sources + 1) * sizeof *n);
  if (!n) {
    fprintf (stderr, "%s: out of memory\n", repo->program);
    return -1;
  }
  repo->sources = n;
  repo->sources[repo->nr_sources++] = s;
  return 0;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every *.conf of DIR, in name order. */
static int
load_conf_dir (struct builder_repo *repo, const char *dir)
{
  DIR *d = opendir (dir);
  if (!d)
    return 0;                   /* no such folder: no sources there */
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir (d))) {
    size_t l = strlen (e->d_name);
    if (l > 5 && strcmp (e->d_name + l - 5, ".conf") == 0 && e->d_name[0] != '.') {
      char **nn = realloc (names, (n + 1) * sizeof *nn);
      if (!nn) break;
      names = nn;
      names[n++] = strdup (e->d_name);
    }
  }
  closedir (d);
  qsort (names, n, sizeof *names, cmp_names);
  int ret = 0;
  for (size_t i = 0; i < n && ret == 0; ++i) {
    char *path = NULL, *err = NULL;
    struct index conf;
    if (asprintf (&path, "%s/%s", dir, names[i]) == -1) { ret = -1; break; }
    if (index_parse_file (path, &conf, &err) == -1) {
      fprintf (stderr, "%s: %s: %s\n", repo->program, path, err ? err : "out of memory");
      free (err);
      free (path);
      ret = -1;
      break;
    }
    for (size_t j = 0; j < conf.nr_sections && ret == 0; ++j) {
      const struct index_section *sec = &conf.sections[j];
      const char *uri = index_get (sec, "uri", NULL);
      const char *key = index_get (sec, "gpgkey", NULL);
      const char *proxy = index_get (sec, "proxy", NULL);
      const char *format = index_get (sec, "format", NULL);
      if (!uri) {
        fprintf (stderr, "%s: %s: line %d: [%s] has no uri=\n", repo->program, path,
                 sec->line, sec->name);
        ret = -1;
        break;
      }
      if (format && strcmp (format, "native") != 0) {
        fprintf (stderr, "%s: %s: [%s]: format=%s repositories are not supported "
                 "(only format=native)\n", repo->program, path, sec->name, format);
        ret = -1;
        break;
      }
      if (key && strncmp (key, "file://", 7) != 0) {
        fprintf (stderr, "%s: %s: [%s]: gpgkey=%s: only file:// keys are accepted\n",
                 repo->program, path, sec->name, key);
        ret = -1;
        break;
      }
      struct builder_source s = { .id = strdup (sec->name), .uri = strdup (uri),
                                  .gpgkey = key ? strdup (key + 7) : NULL };
      if (proxy && (strcmp (proxy, "no") == 0 || strcmp (proxy, "off") == 0))
        s.proxy = BUILDER_PROXY_NONE;
      else if (proxy && strcmp (proxy, "system") != 0) {
        s.proxy = BUILDER_PROXY_FORCED;
        s.proxy_url = strdup (proxy);
      }
      ret = add_source (repo, s);
    }
    index_free (&conf);
    free (path);
  }
  for (size_t i = 0; i < n; ++i)
    free (names[i]);
  free (names);
  return ret;
}

int
builder_load_sources (struct builder_repo *repo, char **cmdline_sources,
                      size_t nr_sources, char **fingerprints, size_t nr_fingerprints)
{
  if (nr_fingerprints > 1 && nr_fingerprints != nr_sources) {
    fprintf (stderr, "%s: %zu --fingerprint options for %zu --source options: give "
             "none, one for all, or one for each source\n", repo->program,
             nr_fingerprints, nr_sources);
    return -1;
  }
  for (size_t i = 0; i < nr_sources; ++i) {
    const char *fpr = nr_fingerprints == 0 ? NULL
      : fingerprints[nr_fingerprints == 1 ? 0 : i];
    struct builder_source s = { .uri = strdup (cmdline_sources[i]),
                                .fingerprint = xstrdup_or_null (fpr) };
    if (add_source (repo, s) == -1)
      return -1;
  }
  /* --fingerprint without --source applies to the configured sources. */
  const char *conf_fpr = nr_sources == 0 && nr_fingerprints == 1 ? fingerprints[0] : NULL;
  size_t first_conf = repo->nr_sources;

  char *dir = NULL;
  const char *xdg = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");
  if (xdg && *xdg)
    dir = asprintf (&dir, "%s/virt-builder/repos.d", xdg) == -1 ? NULL : dir;
  else if (home && *home)
    dir = asprintf (&dir, "%s/.config/virt-builder/repos.d", home) == -1 ? NULL : dir;
  if (dir && load_conf_dir (repo, dir) == -1) {
    free (dir);
    return -1;
  }
  free (dir);
  const char *dirs = getenv ("VIRT_BUILDER_DIRS");
  char *copy = strdup (dirs && *dirs ? dirs : "/etc"), *save = NULL;
  for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save)) {
    char *p = NULL;
    if (asprintf (&p, "%s/virt-builder/repos.d", d) == -1 || load_conf_dir (repo, p) == -1) {
      free (p);
      free (copy);
      return -1;
    }
    free (p);
  }
  free (copy);
  for (size_t i = first_conf; conf_fpr && i < repo->nr_sources; ++i)
    repo->sources[i].fingerprint = strdup (conf_fpr);
  return 0;
}

/* file= resolved against the index's URI; absolute paths, URIs and ".."
 * are refused (templates come from the index's own server). */
static char *
template_uri (const char *index_uri, const char *file)
{
  if (file[0] == '/' || strstr (file, "://") || strcmp (file, "..") == 0 ||
      strncmp (file, "../", 3) == 0 || strstr (file, "/../") ||
      (strlen (file) >= 3 && strcmp (file + strlen (file) - 3, "/..") == 0))
    return NULL;
  const char *slash = strrchr (index_uri, '/');
  size_t base = slash ? (size_t) (slash - index_uri) + 1 : 0;
  char *r = NULL;
  if (asprintf (&r, "%.*s%s", (int) base, index_uri, file) == -1)
    return NULL;
  return r;
}

static int
parse_int64 (const char *s, int64_t *out)
{
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (errno || end == s || *end || v < 0)
    return -1;
  *out = v;
  return 0;
}

static void
template_free (struct builder_template *t)
{
  free (t->os_version); free (t->name); free (t->osinfo); free (t->arch);
  free (t->format); free (t->expand); free (t->lvexpand); free (t->file_uri);
  free (t->checksum);
  for (size_t i = 0; t->aliases && t->aliases[i]; ++i)
    free (t->aliases[i]);
  free (t->aliases);
  for (size_t i = 0; i < t->nr_notes; ++i) {
    free (t->notes[i].lang);
    free (t->notes[i].text);
  }
  free (t->notes);
}

/* One index section as a template; -1 after a message naming the line. */
static int
section_template (struct builder_repo *repo, const struct builder_source *src,
                  const struct index_section *sec, struct builder_template *t)
{
  const char *what = src->uri;
  *t = (struct builder_template) { .compressed_size = -1, .revision = 1, .source = src };
  t->os_version = strdup (sec->name);
  const char *file = index_get (sec, "file", NULL);
  const char *arch = index_get (sec, "arch", NULL);
  const char *size = index_get (sec, "size", NULL);
  const char *missing = !arch ? "arch" : !file ? "file" : !size ? "size" : NULL;
  if (missing) {
    fprintf (stderr, "%s: %s: line %d: [%s] has no %s= field\n", repo->program, what,
             sec->line, sec->name, missing);
    return -1;
  }
  t->arch = strdup (arch);
  /* Both name the cache file: no path separators or hidden names. */
  if (strchr (sec->name, '/') || sec->name[0] == '.' || strchr (arch, '/') ||
      arch[0] == '.' || !*arch) {
    fprintf (stderr, "%s: %s: line %d: [%s]: ‘/’ or a leading ‘.’ in the os-version "
             "or arch= is not allowed\n", repo->program, what, sec->line, sec->name);
    return -1;
  }
  if (parse_int64 (size, &t->size) == -1 || t->size == 0) {
    fprintf (stderr, "%s: %s: [%s]: size=%s is not a size in bytes\n", repo->program,
             what, sec->name, size);
    return -1;
  }
  t->file_uri = template_uri (src->uri, file);
  if (!t->file_uri) {
    fprintf (stderr, "%s: %s: [%s]: file=%s must be a path relative to the index "
             "(no absolute path, URI or ‘..’)\n", repo->program, what, sec->name, file);
    return -1;
  }
  for (size_t i = 0; i < sec->nr_fields; ++i) {
    const struct index_field *f = &sec->fields[i];
    const char *k = f->key, *v = f->value;
    if (strcmp (k, "name") == 0) { free (t->name); t->name = strdup (v); }
    else if (strcmp (k, "osinfo") == 0) { free (t->osinfo); t->osinfo = strdup (v); }
    else if (strcmp (k, "format") == 0) { free (t->format); t->format = strdup (v); }
    else if (strcmp (k, "expand") == 0) { free (t->expand); t->expand = strdup (v); }
    else if (strcmp (k, "lvexpand") == 0) { free (t->lvexpand); t->lvexpand = strdup (v); }
    else if (strcmp (k, "checksum") == 0 && (!f->subkey || strcmp (f->subkey, "sha512") == 0)) {
      free (t->checksum);
      t->checksum = strdup (v);
      for (char *p = t->checksum; p && *p; ++p)
        if (*p >= 'A' && *p <= 'F') *p = (char) (*p - 'A' + 'a');
    }
    else if (strcmp (k, "compressed_size") == 0) {
      if (parse_int64 (v, &t->compressed_size) == -1) {
        fprintf (stderr, "%s: %s: line %d: compressed_size=%s is not a number\n",
                 repo->program, what, f->line, v);
        return -1;
      }
    }
    else if (strcmp (k, "revision") == 0) {
      int64_t r;
      if (parse_int64 (v, &r) == -1 || r > INT32_MAX) {
        fprintf (stderr, "%s: %s: line %d: revision=%s is not a number\n",
                 repo->program, what, f->line, v);
        return -1;
      }
      t->revision = (int) r;
    }
    else if (strcmp (k, "hidden") == 0)
      t->hidden = strcmp (v, "true") == 0 || strcmp (v, "yes") == 0 || strcmp (v, "1") == 0;
    else if (strcmp (k, "aliases") == 0) {
      size_t n = 0;
      char *copy = strdup (v), *save = NULL;
      t->aliases = calloc (strlen (v) / 2 + 2, sizeof *t->aliases);
      for (char *w = strtok_r (copy, " \t\n", &save); w && t->aliases;
           w = strtok_r (NULL, " \t\n", &save))
        t->aliases[n++] = strdup (w);
      free (copy);
    }
    else if (strcmp (k, "notes") == 0) {
      struct builder_note *nn = realloc (t->notes, (t->nr_notes + 1) * sizeof *nn);
      if (!nn) return -1;
      t->notes = nn;
      t->notes[t->nr_notes++] = (struct builder_note) {
        strdup (f->subkey ? f->subkey : "C"), strdup (v) };
    }
  }
  if (t->checksum) {
    size_t l = strlen (t->checksum);
    if (l != 128 || strspn (t->checksum, "0123456789abcdef") != l) {
      fprintf (stderr, "%s: %s: [%s]: the checksum is not a SHA-512 (128 hex digits)\n",
               repo->program, what, sec->name);
      return -1;
    }
  }
  return 0;
}

static int
cmp_templates (const void *a, const void *b)
{
  const struct builder_template *x = a, *y = b;
  int r = strcmp (x->os_version, y->os_version);
  return r ? r : strcmp (x->arch, y->arch);
}

static char *
read_file (const char *path, size_t *len)
{
  FILE *fp = fopen (path, "re");
  if (!fp)
    return NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0, r;
  do {
    if (cap - n < 65536) {
      if (cap > INDEX_MAX_SIZE) { free (buf); fclose (fp); return NULL; }
      char *nb = realloc (buf, cap + 65536 + 1);
      if (!nb) { free (buf); fclose (fp); return NULL; }
      buf = nb;
      cap += 65536;
    }
    r = fread (buf + n, 1, cap - n, fp);
    n += r;
  } while (r > 0);
  fclose (fp);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The next line of *P (before END) without its newline and trailing
 * white space (which a clearsignature does not cover). */
static bool
next_line (const char **p, const char *end, const char **line, size_t *len)
{
  if (*p >= end)
    return false;
  const char *nl = memchr (*p, '\n', end - *p);
  size_t l = nl ? (size_t) (nl - *p) : (size_t) (end - *p);
  *line = *p;
  *p = nl ? nl + 1 : end;
  while (l > 0 && ((*line)[l - 1] == ' ' || (*line)[l - 1] == '\t' || (*line)[l - 1] == '\r'))
    l--;
  *len = l;
  return true;
}

/* The index is parsed from the clearsigned file as downloaded (gpg's
 * copy of the text loses the trailing spaces that mark empty
 * continuation lines); so check that the file is one clearsigned
 * message from its first line and that its text is, line by line, the
 * text gpg verified. */
static bool
same_signed_text (const char *raw_path, const char *verified_path)
{
  size_t rl = 0, vl = 0;
  char *raw = read_file (raw_path, &rl), *ver = read_file (verified_path, &vl);
  bool same = false;
  const char *rp = raw, *re = raw + rl, *vp = ver, *ve = ver + vl, *a, *b;
  size_t al, bl;
  if (!raw || !ver)
    goto out;
  if (!next_line (&rp, re, &a, &al) || al != 34 ||
      strncmp (a, "-----BEGIN PGP SIGNED MESSAGE-----", 34) != 0)
    goto out;
  while (next_line (&rp, re, &a, &al) && al > 0)
    ;                           /* armour headers ("Hash: ...") */
  for (;;) {
    if (!next_line (&rp, re, &a, &al))
      goto out;                 /* no signature */
    if (al == 29 && strncmp (a, "-----BEGIN PGP SIGNATURE-----", 29) == 0)
      break;
    if (al >= 2 && a[0] == '-' && a[1] == ' ')
      a += 2, al -= 2;
    if (!next_line (&vp, ve, &b, &bl) || al != bl || memcmp (a, b, al) != 0)
      goto out;
  }
  same = !next_line (&vp, ve, &b, &bl) || (bl == 0 && vp >= ve);
 out:
  free (raw);
  free (ver);
  return same;
}

static int
load_source (struct builder_repo *repo, const struct builder_source *src)
{
  char raw[] = "/tmp/virt-builder-index.XXXXXX";
  char text[] = "/tmp/virt-builder-index-text.XXXXXX";
  int fd1 = mkstemp (raw), fd2 = mkstemp (text);
  if (fd1 == -1 || fd2 == -1) {
    fprintf (stderr, "%s: mkstemp: %s\n", repo->program, strerror (errno));
    return -1;
  }
  close (fd1);
  close (fd2);
  struct builder_download_opts dl = repo->dl;
  dl.proxy = src->proxy;
  dl.proxy_url = src->proxy_url;
  dl.progress = false;
  int ret = -1;
  struct index idx = { 0 };
  char *err = NULL, *what = NULL;
  if (asprintf (&what, "the index %s", src->uri) == -1)
    goto out;
  if (builder_download (&dl, src->uri, raw) == -1)
    goto out;
  const char *parse_from = raw;
  if (repo->check_signature) {
    if (!src->gpgkey && !src->fingerprint) {
      fprintf (stderr, "%s: %s: no key to check its signature against (give gpgkey= "
               "in the .conf file or --fingerprint, or --no-check-signature to use it "
               "unchecked)\n", repo->program, src->uri);
      goto out;
    }
    if (builder_pgp_verify (repo->program, repo->gpg, repo->verbose, src->gpgkey,
                            src->fingerprint, what, raw, text) == -1)
      goto out;
    if (!same_signed_text (raw, text)) {
      fprintf (stderr, "%s: %s: the file is not one clearsigned message, or holds "
               "text outside its signature\n", repo->program, src->uri);
      goto out;
    }
  }
  if (index_parse_file (parse_from, &idx, &err) == -1) {
    fprintf (stderr, "%s: %s: %s\n", repo->program, src->uri, err ? err : "out of memory");
    goto out;
  }
  for (size_t i = 0; i < idx.nr_sections; ++i) {
    struct builder_template t;
    if (section_template (repo, src, &idx.sections[i], &t) == -1) {
      template_free (&t);
      goto out;
    }
    bool dup = false;
    for (size_t j = 0; j < repo->nr_templates && !dup; ++j)
      dup = strcmp (repo->templates[j].os_version, t.os_version) == 0 &&
        strcmp (repo->templates[j].arch, t.arch) == 0;
    if (dup) {                  /* the first source that has it wins */
      template_free (&t);
      continue;
    }
    struct builder_template *nt = realloc (repo->templates,
                                           (repo->nr_templates + 1) * sizeof *nt);
    if (!nt) { template_free (&t); goto out; }
    repo->templates = nt;
    repo->templates[repo->nr_templates++] = t;
  }
  ret = 0;
 out:
  index_free (&idx);
  free (err);
  free (what);
  unlink (raw);
  unlink (text);
  return ret;
}

int
builder_load_templates (struct builder_repo *repo)
{
  for (size_t i = 0; i < repo->nr_sources; ++i)
    if (load_source (repo, &repo->sources[i]) == -1)
      return -1;
  qsort (repo->templates, repo->nr_templates, sizeof *repo->templates, cmp_templates);
  return 0;
}

static bool
has_name (const struct builder_template *t, const char *name)
{
  if (strcmp (t->os_version, name) == 0)
    return true;
  for (size_t i = 0; t->aliases && t->aliases[i]; ++i)
    if (strcmp (t->aliases[i], name) == 0)
      return true;
  return false;
}

const struct builder_template *
builder_find_template (const struct builder_repo *repo, const char *name, const char *arch)
{
  const struct builder_template *any = NULL;
  for (size_t i = 0; i < repo->nr_templates; ++i) {
    const struct builder_template *t = &repo->templates[i];
    if (!has_name (t, name))
      continue;
    if (arch ? strcmp (t->arch, arch) == 0 : strcmp (t->arch, builder_host_arch ()) == 0)
      return t;
    if (!arch && !any)
      any = t;
  }
  return any;
}

const char *
builder_template_notes (const struct builder_template *t)
{
  const char *lang = getenv ("LC_ALL");
  if (!lang || !*lang) lang = getenv ("LC_MESSAGES");
  if (!lang || !*lang) lang = getenv ("LANG");
  char want[64] = "";
  if (lang && *lang)
    snprintf (want, sizeof want, "%.*s", (int) strcspn (lang, ".@"), lang);
  /* "de_DE", then "de", then the untranslated notes. */
  for (int pass = 0; pass < 3; ++pass) {
    for (size_t i = 0; i < t->nr_notes; ++i) {
      const char *l = t->notes[i].lang;
      if ((pass == 0 && *want && strcmp (l, want) == 0) ||
          (pass == 1 && *want && strlen (l) == strcspn (want, "_") &&
           strncmp (l, want, strlen (l)) == 0) ||
          (pass == 2 && strcmp (l, "C") == 0))
        return t->notes[i].text;
    }
  }
  return NULL;
}

char *
builder_cache_name (const struct builder_template *t)
{
  char *r = NULL;
  if (asprintf (&r, "%s.%s.%d", t->os_version, t->arch, t->revision) == -1)
    return NULL;
  return r;
}

void
builder_repo_free (struct builder_repo *repo)
{
  for (size_t i = 0; i < repo->nr_templates; ++i)
    template_free (&repo->templates[i]);
  free (repo->templates);
  for (size_t i = 0; i < repo->nr_sources; ++i) {
    struct builder_source *s = &repo->sources[i];
    free (s->id); free (s->uri); free (s->gpgkey); free (s->fingerprint); free (s->proxy_url);
  }
  free (repo->sources);
}
