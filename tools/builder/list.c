/* See list.h. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "util.h"

char *
builder_size_str (int64_t bytes)
{
  char *r = NULL;
  if (bytes < 1024) {
    if (asprintf (&r, "%lld", (long long) bytes) == -1) r = NULL;
    return r;
  }
  double v = (double) bytes / 1024.0;
  const char *units = "KMGTP";
  int u = 0;
  while (v >= 1024.0 && u < 4) { v /= 1024.0; u++; }
  if (asprintf (&r, "%.1f%c", v, units[u]) == -1) r = NULL;
  return r;
}

static bool
selected (const struct builder_template *t, const char *name, const char *arch)
{
  if (arch && strcmp (t->arch, arch) != 0)
    return false;
  if (!name || strcmp (t->os_version, name) == 0)
    return true;
  for (size_t i = 0; t->aliases && t->aliases[i]; ++i)
    if (strcmp (t->aliases[i], name) == 0)
      return true;
  return false;
}

static void
print_sources_long (const struct builder_repo *repo)
{
  for (size_t i = 0; i < repo->nr_sources; ++i) {
    const struct builder_source *s = &repo->sources[i];
    printf ("Source URI: %s\n", s->uri);
    /* A source checked with a key file names the file; any other names its
     * fingerprint, empty when it has none (as libguestfs's). */
    if (s->gpgkey)
      printf ("Key: %s\n", s->gpgkey);
    else
      printf ("Fingerprint: %s\n", s->fingerprint ? s->fingerprint : "");
    printf ("\n");
  }
}

static void
print_long (const struct builder_template *t)
{
  printf ("%-24s %s\n", "os-version:", t->os_version);
  if (t->name)
    printf ("%-24s %s\n", "Full name:", t->name);
  printf ("%-24s %s\n", "Architecture:", t->arch);
  char *sz = builder_size_str (t->size);
  printf ("%-24s %s\n", "Minimum/default size:", sz ? sz : "?");
  free (sz);
  if (t->compressed_size >= 0) {
    sz = builder_size_str (t->compressed_size);
    printf ("%-24s %s\n", "Download size:", sz ? sz : "?");
    free (sz);
  }
  if (t->aliases && t->aliases[0]) {
    printf ("%-24s", "Aliases:");
    for (size_t i = 0; t->aliases[i]; ++i)
      printf (" %s", t->aliases[i]);
    printf ("\n");
  }
  printf ("\n");
  const char *notes = builder_template_notes (t);
  if (notes) {
    size_t l = strlen (notes);
    while (l > 0 && notes[l - 1] == '\n') l--;
    printf ("Notes:\n\n%.*s\n\n", (int) l, notes);
  }
}

static json_object *
template_json (const struct builder_template *t)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, "os-version", json_object_new_string (t->os_version));
  if (t->name)
    json_object_object_add (o, "full-name", json_object_new_string (t->name));
  json_object_object_add (o, "arch", json_object_new_string (t->arch));
  json_object_object_add (o, "size", json_object_new_int64 (t->size));
  if (t->compressed_size >= 0) {
    /* 1.48 writes this one as a string. */
    char buf[32];
    snprintf (buf, sizeof buf, "%lld", (long long) t->compressed_size);
    json_object_object_add (o, "compressed-size", json_object_new_string (buf));
  }
  if (t->nr_notes) {
    json_object *n = json_object_new_object ();
    for (size_t i = 0; i < t->nr_notes; ++i) {
      const char *text = t->notes[i].text;
      size_t l = strlen (text);
      while (l > 0 && text[l - 1] == '\n') l--;
      json_object_object_add (n, t->notes[i].lang, json_object_new_string_len (text, (int) l));
    }
    json_object_object_add (o, "notes", n);
  }
  if (t->aliases && t->aliases[0]) {
    json_object *a = json_object_new_array ();
    for (size_t i = 0; t->aliases[i]; ++i)
      json_object_array_add (a, json_object_new_string (t->aliases[i]));
    json_object_object_add (o, "aliases", a);
  }
  if (t->osinfo)
    json_object_object_add (o, "osinfo", json_object_new_string (t->osinfo));
  json_object_object_add (o, "hidden", json_object_new_boolean (t->hidden));
  return o;
}

int
builder_list (const struct builder_repo *repo, enum builder_list_format format,
              const char *name, const char *arch)
{
  if (format == BUILDER_LIST_JSON) {
    json_object *root = json_object_new_object ();
    json_object_object_add (root, "version", json_object_new_int (1));
    json_object *sources = json_object_new_array ();
    for (size_t i = 0; i < repo->nr_sources; ++i) {
      const struct builder_source *s = &repo->sources[i];
      json_object *o = json_object_new_object ();
      if (s->gpgkey)
        json_object_object_add (o, "key", json_object_new_string (s->gpgkey));
      else
        json_object_object_add (o, "fingerprint",
                                json_object_new_string (s->fingerprint ? s->fingerprint : ""));
      json_object_object_add (o, "uri", json_object_new_string (s->uri));
      json_object_array_add (sources, o);
    }
    json_object_object_add (root, "sources", sources);
    json_object *templates = json_object_new_array ();
    for (size_t i = 0; i < repo->nr_templates; ++i)
      if (selected (&repo->templates[i], name, arch))
        json_object_array_add (templates, template_json (&repo->templates[i]));
    json_object_object_add (root, "templates", templates);
    int r = tool_json_print (root);
    json_object_put (root);
    return r;
  }
  if (format == BUILDER_LIST_LONG)
    print_sources_long (repo);
  for (size_t i = 0; i < repo->nr_templates; ++i) {
    const struct builder_template *t = &repo->templates[i];
    if (t->hidden || !selected (t, name, arch))
      continue;
    if (format == BUILDER_LIST_SHORT)
      printf ("%-24s %-10s %s\n", t->os_version, t->arch, t->name ? t->name : "");
    else
      print_long (t);
  }
  return fflush (stdout) == EOF ? -1 : 0;
}
