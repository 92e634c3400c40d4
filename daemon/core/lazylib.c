/* Opening a library on first use (see lazylib.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "lazylib.h"

void *
lazy_open (const char *soname)
{
  /* dlopen counts references: a second open of the same soname (two
   * files using one library) returns the same handle. */
  void *h = dlopen (soname, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    const char *why = dlerror ();
    reply_with_error_errno (ENOTSUP, "%s is not available in the appliance: %s",
                            soname, why ? why : "dlopen failed");
    return NULL;
  }
  if (verbose)
    fprintf (stderr, "guestfsd: opened %s\n", soname);
  return h;
}

void *
lazy_symbol (void *handle, const char *symbol)
{
  return dlsym (handle, symbol);
}

int
lazy_missing (const char *soname, const char *symbol)
{
  reply_with_error_errno (ENOTSUP, "%s has no function %s (a different version?)",
                          soname, symbol);
  return -1;
}
