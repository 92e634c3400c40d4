/* virt-builder's sources and templates (see virt-builder(1), "SOURCES
 * OF TEMPLATES"): the repositories named by --source and by the
 * repos.d/NAME.conf files, their indexes fetched, checked and parsed into
 * one list of templates. */
#ifndef HATCH_BUILDER_SOURCES_H
#define HATCH_BUILDER_SOURCES_H

#include <stdbool.h>
#include <stdint.h>
#include "download.h"

struct builder_source {
  char *id;                     /* [id] of the .conf file; NULL for --source */
  char *uri;                    /* of the index */
  char *gpgkey;                 /* path of the public key (gpgkey=file://...), or NULL */
  char *fingerprint;            /* --fingerprint, or NULL */
  enum builder_proxy proxy;
  char *proxy_url;
};

struct builder_note { char *lang; char *text; };  /* lang "C": notes=... */

struct builder_template {
  char *os_version;
  char *name;                   /* full name, or NULL */
  char *osinfo, *arch, *format, *expand, *lvexpand;
  char *file_uri;               /* absolute: the index's folder + file= */
  char *checksum;               /* sha512 hex, or NULL */
  int64_t size;
  int64_t compressed_size;      /* -1: not given */
  int revision;
  bool hidden;
  char **aliases;               /* NULL-terminated */
  struct builder_note *notes;
  size_t nr_notes;
  const struct builder_source *source;
};

struct builder_repo {
  const char *program;
  bool check_signature;
  bool verbose;
  const char *gpg;              /* --gpg */
  struct builder_download_opts dl;
  struct builder_source *sources;
  size_t nr_sources;
  struct builder_template *templates;
  size_t nr_templates;
};

/* Fill REPO->sources: the --source URIs (with the --fingerprint list:
 * none, one for all, or one each), then every repos.d/NAME.conf of
 * $XDG_CONFIG_HOME/virt-builder (or ~/.config), then of each folder of
 * $VIRT_BUILDER_DIRS (or /etc).  Returns 0, or -1 after a message. */
int builder_load_sources (struct builder_repo *repo, char **cmdline_sources,
                          size_t nr_sources, char **fingerprints, size_t nr_fingerprints);

/* Download every source's index, check its signature (unless
 * !check_signature), parse it and add its templates (sorted by
 * os-version, then arch).  Returns 0, or -1 after a message. */
int builder_load_templates (struct builder_repo *repo);

/* The template called NAME (its os-version or an alias) for ARCH (NULL:
 * the first one found, host architecture preferred), or NULL. */
const struct builder_template *builder_find_template (const struct builder_repo *repo,
                                                     const char *name, const char *arch);

/* The notes of T in the user's language (LANG ...), else the C ones. */
const char *builder_template_notes (const struct builder_template *t);

/* The cache file name of T: "OS-VERSION.ARCH.REVISION" (malloc'd). */
char *builder_cache_name (const struct builder_template *t);

/* The host architecture as templates name it (uname -m). */
const char *builder_host_arch (void);

void builder_repo_free (struct builder_repo *repo);

#endif
