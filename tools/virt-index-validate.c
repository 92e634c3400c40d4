/* virt-index-validate: check a virt-builder index file (signed or not)
 * with virt-builder's own parser (tools/builder/index.c). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "options.h"

static const char *program = "virt-index-validate";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: check a virt-builder index file\n"
          "Usage:\n"
          "  %s [--options] index\n"
          "Options:\n"
          "  --compat-1.24.0      Also check that virt-builder 1.24.0 can read it\n"
          "  --compat-1.24.1      Also check that virt-builder 1.24.1 can read it\n"
          "  --help               Show this help\n"
          "  -V|--version         Show the version and exit\n"
          "See virt-index-validate(1) for more.\n", program, program);
  exit (EXIT_SUCCESS);
}

int
main (int argc, char *argv[])
{
  bool compat0 = false, compat1 = false;
  enum { OPT_HELP = 0x200, OPT_COMPAT0, OPT_COMPAT1, OPT_LONG, OPT_SHORT };
  static const struct option long_options[] = {
    { "compat-1.24.0", no_argument, NULL, OPT_COMPAT0 },
    { "compat-1.24.1", no_argument, NULL, OPT_COMPAT1 },
    { "help", no_argument, NULL, OPT_HELP },
    { "long-options", no_argument, NULL, OPT_LONG },
    { "short-options", no_argument, NULL, OPT_SHORT },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "V", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case OPT_COMPAT0: compat0 = compat1 = true; break;
    case OPT_COMPAT1: compat1 = true; break;
    case OPT_LONG:
      for (const struct option *o = long_options; o->name; ++o)
        printf ("--%s\n", o->name);
      exit (EXIT_SUCCESS);
    case OPT_SHORT: printf ("-V\n"); exit (EXIT_SUCCESS);
    case 'V': tool_print_version (program); exit (EXIT_SUCCESS);
    default: usage (EXIT_FAILURE);
    }
  }
  if (argc - optind != 1) {
    fprintf (stderr, "%s: give exactly one index file\n", program);
    tool_try_help (program);
  }
  const char *file = argv[optind];
  struct index idx;
  char *err;
  if (index_parse_file (file, &idx, &err) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, file, err ? err : "out of memory");
    fprintf (stderr, "%s: ‘%s’ could not be validated\n", program, file);
    free (err);
    return EXIT_FAILURE;
  }
  int errors = 0;
  if (compat1 && idx.first_comment_line) {
    fprintf (stderr, "%s: %s: line %d: virt-builder 1.24.1 cannot read comments\n",
             program, file, idx.first_comment_line);
    errors++;
  }
  for (size_t i = 0; i < idx.nr_sections; ++i) {
    const struct index_section *s = &idx.sections[i];
    bool sig = false;
    for (size_t j = 0; j < s->nr_fields; ++j) {
      const struct index_field *f = &s->fields[j];
      sig |= strcmp (f->key, "sig") == 0;
      if (compat1 && strchr (f->key, '.')) {
        fprintf (stderr, "%s: %s: line %d: virt-builder 1.24.1 cannot read ‘.’ in a "
                 "field name\n", program, file, f->line);
        errors++;
      }
      if (compat1 && f->subkey && strchr (f->subkey, ',')) {
        fprintf (stderr, "%s: %s: line %d: virt-builder 1.24.1 cannot read ‘,’ in a "
                 "subfield name\n", program, file, f->line);
        errors++;
      }
      if (compat0 && f->subkey) {
        fprintf (stderr, "%s: %s: line %d: virt-builder 1.24.0 cannot read ‘[...]’ in "
                 "a field name\n", program, file, f->line);
        errors++;
      }
    }
    if (compat0 && !sig) {
      fprintf (stderr, "%s: %s: line %d: [%s]: virt-builder 1.24.0 needs a detached "
               "signature (sig=...)\n", program, file, s->line, s->name);
      errors++;
    }
  }
  index_free (&idx);
  if (errors) {
    fprintf (stderr, "%s: ‘%s’ could not be validated\n", program, file);
    return EXIT_FAILURE;
  }
  printf ("%s validated OK\n", file);
  return EXIT_SUCCESS;
}
