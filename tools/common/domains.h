/* Every libvirt guest, for the tools that examine all guests when no -a
 * or -d is given (virt-df, virt-alignment-scan). */
#ifndef HATCH_TOOLS_DOMAINS_H
#define HATCH_TOOLS_DOMAINS_H

#include <stddef.h>
#include "options.h"

struct tool_domain {
  char *name;
  char *uuid;
};

/* The libvirt domains of o->libvirt_uri (-c; libvirt's default when
 * NULL), active and inactive, that have at least one disk with a source,
 * sorted by name.  Returns 0 (*DOMS, *NR set; free with
 * tool_free_domains) or -1 after printing a message (also when the tools
 * were built without libvirt). */
int tool_all_domains (struct tool_options *o, struct tool_domain **doms, size_t *nr);
/* The UUID of the domain NAME (a name or UUID), or NULL (no message). */
char *tool_domain_uuid (struct tool_options *o, const char *name);
void tool_free_domains (struct tool_domain *doms, size_t nr);

#endif
