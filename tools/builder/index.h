/* The virt-builder index (see virt-builder(1), "The index file"): one
 * parser, shared by virt-builder and virt-index-validate.  The index
 * comes from a repository (host data, possibly hostile): every malformed
 * input gives an error naming the line and the reason, never a crash, and
 * sizes are bounded.
 *
 *   [os-version]              a section
 *   key=value                 a field; key[subkey]=value too
 *    continued                a line starting with a space continues the
 *                             value on a new line (" " alone: an empty one)
 *   # comment                 blank lines and comments are skipped
 * A clearsigned index (gpg --clearsign) is parsed from its signed text;
 * checking the signature is the caller's business. */
#ifndef HATCH_BUILDER_INDEX_H
#define HATCH_BUILDER_INDEX_H

#include <stddef.h>

struct index_field {
  char *key;
  char *subkey;                 /* NULL without [subkey] */
  char *value;
  int line;
};

struct index_section {
  char *name;
  int line;
  struct index_field *fields;
  size_t nr_fields;
};

struct index {
  struct index_section *sections;
  size_t nr_sections;
  int signed_;                  /* it was a clearsigned message */
  int first_comment_line;       /* 0: no comment */
};

/* Limits on what a repository can make us allocate. */
#define INDEX_MAX_SIZE (64 << 20)
#define INDEX_MAX_LINE (1 << 20)

/* Parse DATA (LEN bytes).  Returns 0, or -1 with *ERR set to a malloc'd
 * "line N: reason" (and OUT empty). */
int index_parse (const char *data, size_t len, struct index *out, char **err);
/* The same for a file; errors also cover reading it. */
int index_parse_file (const char *filename, struct index *out, char **err);
void index_free (struct index *idx);

/* The value of KEY (and SUBKEY, or none when NULL) in S, or NULL. */
const char *index_get (const struct index_section *s, const char *key, const char *subkey);

#endif
