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

#define MAX_LAZY 16
static int (*openers[MAX_LAZY]) (char *err, size_t errlen);
static size_t nopeners;

void
lazy_register (int (*open) (char *err, size_t errlen))
{
  if (nopeners < MAX_LAZY)
    openers[nopeners++] = open;
}

/* For the boot whose state is saved (settle_before_save): every restored
 * appliance then has the libraries mapped and relocated already, and
 * its first call that needs one does not pay for the dynamic loader's
 * work under TCG.  A cold boot still opens each on first use.  A library
 * that is missing is only missing later too. */
void
lazy_open_all (void)
{
  char err[512];
  for (size_t i = 0; i < nopeners; i++)
    if (openers[i] (err, sizeof err) == -1 && verbose)
      fprintf (stderr, "guestfsd: %s\n", err);
}
