/* Replies for a library opened on first use (see lazylib.h). */
#include <errno.h>
#include <stdio.h>

#include "daemon.h"
#include "lazylib.h"

int
lazy_failed (const char *why)
{
  reply_with_error_errno (ENOTSUP, "a library is not available in the appliance: %s", why);
  return -1;
}

void
lazy_opened (const char *soname)
{
  if (verbose)
    fprintf (stderr, "guestfsd: opened %s\n", soname);
}
