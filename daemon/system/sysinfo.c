/* The appliance itself: utsname, dmesg, modprobe, nr_devices,
 * drop_caches, sleep.  Nothing here looks at guest data. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

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

/* ---- nr_devices, drop_caches, sleep ---- */

int
do_nr_devices (void)
{
  char **devs = list_user_devices ();
  if (devs == NULL)
    return -1;
  int n = (int) count_strings (devs);
  free_strings (devs);
  return n;
}

int
do_drop_caches (int whattodrop)
{
  sync ();
  CLEANUP_CLOSE int fd = open ("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("/proc/sys/vm/drop_caches");
    return -1;
  }
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%d", whattodrop);
  if (write (fd, buf, (size_t) len) != len) {
    int e = errno;
    if (e == EINVAL)
      reply_with_error_errno (e, "%d: not a valid value (1: page cache, 2: dentries "
                              "and inodes, 3: both)", whattodrop);
    else
      reply_with_perror ("/proc/sys/vm/drop_caches");
    return -1;
  }
  return 0;
}

int
do_sleep (int secs)
{
  if (secs < 0) {
    reply_with_error_errno (EINVAL, "%d: the number of seconds must not be negative", secs);
    return -1;
  }
  struct timespec ts = { .tv_sec = secs, .tv_nsec = 0 };
  while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
    ;
  return 0;
}
