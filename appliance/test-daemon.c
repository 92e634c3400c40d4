/* A stand-in daemon for appliance/test-boot.sh: proves the appliance booted
 * to the point of running /usr/sbin/guestfsd, and shows what it sees.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

int
main (void)
{
  FILE *con = fopen ("/dev/console", "w");
  if (!con)
    con = stdout;
  struct timespec ts;
  clock_gettime (CLOCK_BOOTTIME, &ts);
  struct utsname u;
  uname (&u);
  fprintf (con, "HATCH-TEST-DAEMON-OK uptime=%ld.%03ld\n",
           (long) ts.tv_sec, ts.tv_nsec / 1000000);
  fprintf (con, "uname -r: %s\n", u.release);

  DIR *d = opendir ("/sys/class/virtio-ports");
  struct dirent *e;
  while (d && (e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[512], name[256] = "";
    snprintf (path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
    FILE *f = fopen (path, "r");
    if (f) {
      if (!fgets (name, sizeof name, f)) name[0] = '\0';
      fclose (f);
    }
    name[strcspn (name, "\n")] = '\0';
    fprintf (con, "virtio-port: %s %s\n", e->d_name, name);
  }
  if (d) closedir (d);

  d = opendir ("/sys/block");
  while (d && (e = readdir (d)) != NULL)
    if (e->d_name[0] != '.')
      fprintf (con, "block: %s\n", e->d_name);
  if (d) closedir (d);
  fprintf (con, "HATCH-TEST-DAEMON-END\n");
  fflush (con);
  return 0;
}
