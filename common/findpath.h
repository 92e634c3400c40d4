/* Looking a program up in $PATH, shared by the library (the default
 * hypervisor) and the tools (virt-log's evtxdump.py).  Compiled into
 * both rather than exported from libguestfs.so: not part of the API. */
#ifndef HATCH_FINDPATH_H
#define HATCH_FINDPATH_H

/* DIR/NAME for the first directory of $PATH (default
 * "/usr/local/bin:/usr/bin:/bin"; an empty entry is ".") holding an
 * executable NAME; malloc'd.  NULL if there is none or out of memory. */
char *hatch_find_in_path (const char *name);

#endif
