/* list-rpm-apps IMAGE...: add each image read-only, mount the first
 * partition of each in turn and print the names of the rpm packages that
 * internal_list_rpm_applications finds there, one a line.  A helper of
 * tests/shell/inspect-distros.sh: the call is internal, so it is not a
 * guestfish command.  Exits 1 on any error.  */
#include <stdio.h>
#include <stdlib.h>
#include "guestfs.h"

int
main (int argc, char *argv[])
{
  guestfs_h *g = guestfs_create ();
  if (g == NULL || argc < 2 || argc > 27) {
    fprintf (stderr, "usage: list-rpm-apps IMAGE...\n");
    exit (1);
  }
  for (int i = 1; i < argc; ++i)
    if (guestfs_add_drive_opts (g, argv[i], GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1) == -1)
      exit (1);
  if (guestfs_launch (g) == -1)
    exit (1);
  for (int i = 1; i < argc; ++i) {
    char dev[16];
    snprintf (dev, sizeof dev, "/dev/sd%c1", 'a' + i - 1);
    if (guestfs_mount_ro (g, dev, "/") == -1)
      exit (1);
    struct guestfs_application2_list *l = guestfs_internal_list_rpm_applications (g);
    if (l == NULL)
      exit (1);
    for (uint32_t j = 0; j < l->len; ++j)
      printf ("%s\n", l->val[j].app2_name);
    guestfs_free_application2_list (l);
    if (guestfs_umount_all (g) == -1)
      exit (1);
  }
  if (guestfs_shutdown (g) == -1)
    exit (1);
  guestfs_close (g);
  return 0;
}
