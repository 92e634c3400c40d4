/* Run by test-nonroot.sh as an unprivileged user: launch an appliance on
 * a scratch disk and make a few calls.  Exit 0 when everything worked.  */
#include "tests.h"

int
main (void)
{
  printf ("# running as uid %d, cachedir %s\n", (int) getuid (),
          getenv ("LIBGUESTFS_CACHEDIR") ? getenv ("LIBGUESTFS_CACHEDIR") : "(unset)");
  guestfs_h *g = create_quiet ();
  char *cd = guestfs_get_cachedir (g);
  ok (cd && getenv ("LIBGUESTFS_CACHEDIR") && strcmp (cd, getenv ("LIBGUESTFS_CACHEDIR")) == 0,
      "the cache directory is the user's own (%s)", cd ? cd : "?");
  free (cd);
  int r = guestfs_add_drive_scratch (g, 32 * 1024 * 1024, -1);
  ok (r == 0, "add_drive_scratch");
  double t0 = now ();
  r = guestfs_launch (g);
  if (!ok (r == 0, "launch as a non-root user (%.1f s)", now () - t0)) {
    diag ("%s", errmsg (g));
    guestfs_close (g);
    return tap_done ();
  }
  r = guestfs_part_disk (g, "/dev/sda", "mbr");
  ok (r == 0, "part_disk");
  r = guestfs_mkfs (g, "ext4", "/dev/sda1");
  ok (r == 0, "mkfs");
  r = guestfs_mount (g, "/dev/sda1", "/");
  ok (r == 0, "mount");
  r = guestfs_write (g, "/f", "non-root", 8);
  char *c = guestfs_cat (g, "/f");
  if (!ok (r == 0 && c && strcmp (c, "non-root") == 0, "write + cat"))
    diag ("%s", errmsg (g));
  free (c);
  r = guestfs_shutdown (g);
  ok (r == 0, "shutdown");
  guestfs_close (g);
  return tap_done ();
}
