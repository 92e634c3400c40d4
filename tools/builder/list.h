/* virt-builder --list in its three formats (short, long, json: the
 * layout of guestfs-tools 1.48, "version": 1), and --print-cache. */
#ifndef HATCH_BUILDER_LIST_H
#define HATCH_BUILDER_LIST_H

#include "sources.h"

enum builder_list_format { BUILDER_LIST_SHORT, BUILDER_LIST_LONG, BUILDER_LIST_JSON };

/* Print the templates (those called NAME, an os-version or alias, when
 * NAME is not NULL; of ARCH when not NULL).  Hidden templates appear in
 * the JSON only, marked "hidden": true.  Returns 0 or -1. */
int builder_list (const struct builder_repo *repo, enum builder_list_format format,
                  const char *name, const char *arch);

/* The size as the long list prints it: 6.0G, 148.9M, 512. */
char *builder_size_str (int64_t bytes);

#endif
