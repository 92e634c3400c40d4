/* Facts about the appliance itself: utsname, dmesg, modprobe.  Useful
 * for debugging only; nothing here looks at guest data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "daemon.h"
#include "actions-gen.h"

struct guestfs_utsname *
do_utsname (void)
{
  struct utsname u;
  if (uname (&u) == -1) {
    reply_with_perror ("uname");
    return NULL;
  }
  struct guestfs_utsname *r = calloc (1, sizeof *r);
  if (r == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  r->uts_sysname = strdup (u.sysname);
  r->uts_release = strdup (u.release);
  r->uts_version = strdup (u.version);
  r->uts_machine = strdup (u.machine);
  if (!r->uts_sysname || !r->uts_release || !r->uts_version || !r->uts_machine) {
    reply_with_perror ("strdup");
    free (r->uts_sysname); free (r->uts_release);
    free (r->uts_version); free (r->uts_machine);
    free (r);
    return NULL;
  }
  return r;
}

char *
do_dmesg (void)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command (&out, &err, "dmesg", NULL);
  if (r != 0) {
    reply_with_error ("%s", err ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  return out;
}

int
do_modprobe (const char *modulename)
{
  /* A name starting with '-' would be taken as an option. */
  if (modulename[0] == '\0' || modulename[0] == '-' || strchr (modulename, '/')) {
    reply_with_error_errno (EINVAL, "%s: invalid module name", modulename);
    return -1;
  }
  CLEANUP_FREE char *err = NULL;
  int r = command (NULL, &err, "modprobe", "--", modulename, NULL);
  if (r != 0) {
    reply_with_error ("%s: %s", modulename,
                      err && err[0] ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}
