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

  /* A host kernel this user cannot read (as on distributions that ship
   * it 0600): the error names the file and the fix. */
  const char *kernel = getenv ("UNREADABLE_KERNEL");
  if (kernel && *kernel) {
    setenv ("HATCH_KERNEL", kernel, 1);
    setenv ("HATCH_MODULES_DIR", getenv ("UNREADABLE_KERNEL_MODULES"), 1);
    g = create_quiet ();
    guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
    r = guestfs_launch (g);
    const char *e = errmsg (g);
    if (!ok (r == -1 && strstr (e, kernel) && strstr (e, "not readable") &&
             strstr (e, "chmod 0644") && strstr (e, "LIBGUESTFS_PATH"),
             "an unreadable host kernel: the error names it and says what to do"))
      diag ("r=%d error: %s", r, e);
    guestfs_close (g);
  }
  return tap_done ();
}
