/* libFuzzer target: what guestfish and the tools parse from their
 * command line and scripts.  The first input byte picks the parser, the
 * rest (NUL-terminated) is the text:
 *   0 guestfish's line tokenizer (quotes, escapes, pipes, prefixes),
 *   1 guestfish's string-list syntax ("a b 'c d'"),
 *   2 guestfish -N prepared-disk specs (fs:ext4:64M:gpt ...),
 *   3 the -a URI parser of guestfish and the virt tools.  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "fish.h"
#include "uri.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The guestfish session around prep.c and util.c: the parsers never reach
 * the handle or create an image. */
guestfs_h *g;
FILE *fish_input;
fish_key_source fish_get_key_source (void) { return NULL; }
int fish_create_image (const char *filename, int64_t size, int sparse)
{ (void) filename; (void) size; (void) sparse; abort (); }

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  unsigned which = data[0] % 4;
  char *s = malloc (size);
  if (!s)
    return 0;
  memcpy (s, data + 1, size - 1);
  s[size - 1] = '\0';
  char *err = NULL;
  switch (which) {
  case 0: {
    struct fish_line r;
    if (fish_parse_line (s, &r, &err) == 0)
      fish_line_free (&r);
    break;
  }
  case 1: {
    char **l = fish_split_string_list (s, &err);
    if (l)
      fish_free_string_array (l);
    break;
  }
  case 2: {
    void *p = NULL;
    if (fish_prep_parse (s, 0, &p) == 0 && p)
      fish_prep_free (p);
    break;
  }
  case 3: {
    struct hatch_uri u;
    if (hatch_uri_parse (s, &u, &err) == 0)
      hatch_uri_free (&u);
    break;
  }
  }
  free (err);
  free (s);
  return 0;
}
