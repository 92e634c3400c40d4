/* Faults become clear errors within a bound, and the handle can be
 * closed with nothing left behind:
 *  - the host disk full while downloading (FileOut to /dev/full): the
 *    call fails with ENOSPC, and the handle keeps working;
 *  - the appliance frozen (SIGSTOP on qemu) during a call, with
 *    LIBGUESTFS_CALL_TIMEOUT=5: the call fails with ETIMEDOUT within the
 *    bound, and after close no qemu process is left;
 *  - one image added writable by two handles at once: the second launch
 *    is refused (qemu's image locking), naming the lock.
 * Each part runs in a child with a time bound, so a hang is a failure.  */
#include "tests.h"

static char *dir, *img;

static int
disk_full (void *arg, int fd)
{
  (void) arg;
  guestfs_h *g = create_quiet ();
  if (guestfs_add_drive_scratch (g, 64 << 20, -1) == -1 || guestfs_launch (g) == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  double t0 = now ();
  int r = guestfs_download (g, "/dev/sda", "/dev/full");
  dprintf (fd, "download r=%d errno=%d t=%.1f err=%s\n", r, guestfs_last_errno (g),
           now () - t0, r == -1 ? errmsg (g) : "");
  dprintf (fd, "ping-after r=%d\n", guestfs_ping_daemon (g));
  guestfs_close (g);
  return 0;
}

static int
frozen (void *arg, int fd)
{
  (void) arg;
  setenv ("LIBGUESTFS_CALL_TIMEOUT", "5", 1);
  guestfs_h *g = create_quiet ();
  if (guestfs_add_drive_scratch (g, 16 << 20, -1) == -1 || guestfs_launch (g) == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  pid_t qemu = guestfs_get_pid (g);
  kill (qemu, SIGSTOP);
  double t0 = now ();
  int r = guestfs_ping_daemon (g);
  dprintf (fd, "ping r=%d errno=%d t=%.1f err=%s\n", r, guestfs_last_errno (g),
           now () - t0, r == -1 ? errmsg (g) : "");
  guestfs_close (g);
  usleep (500 * 1000);
  dprintf (fd, "qemu-gone=%d\n", kill (qemu, 0) == -1 && errno == ESRCH);
  return 0;
}

static int
locked_twice (void *arg, int fd)
{
  (void) arg;
  guestfs_h *a = create_quiet (), *b = create_quiet ();
  if (guestfs_add_drive_opts (a, img, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == -1 ||
      guestfs_launch (a) == -1) {
    dprintf (fd, "first launch failed: %s\n", errmsg (a));
    return 2;
  }
  int r = guestfs_add_drive_opts (b, img, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (r == 0)
    r = guestfs_launch (b);
  dprintf (fd, "second r=%d err=%s\n", r, r == -1 ? errmsg (b) : "");
  dprintf (fd, "first-still-works=%d\n", guestfs_ping_daemon (a) == 0);
  guestfs_close (b);
  guestfs_close (a);
  return 0;
}

int
main (void)
{
  dir = make_tmpdir ("faults");
  if (asprintf (&img, "%s/disk.img", dir) == -1) exit (1);
  int f = open (img, O_WRONLY | O_CREAT, 0644);
  if (f < 0 || ftruncate (f, 16 << 20) == -1) { perror (img); exit (1); }
  close (f);

  char *text = NULL;
  int st = run_bounded (disk_full, NULL, 240, dir, &text, NULL);
  diag ("disk full: exit %d: %s", st, text ? text : "");
  ok (st == 0 && contains (text, "download r=-1 errno=28") && contains (text, "No space left"),
      "host disk full while downloading: ENOSPC, named");
  ok (contains (text, "ping-after r=0"), "the handle works after the failed download");
  free (text);

  st = run_bounded (frozen, NULL, 240, dir, &text, NULL);
  diag ("frozen: exit %d: %s", st, text ? text : "");
  const char *p = text ? strstr (text, "ping r=-1 errno=110 t=") : NULL;
  double t = p ? atof (p + strlen ("ping r=-1 errno=110 t=")) : -1;
  ok (p && t >= 4 && t < 5 + 4, "frozen appliance: ETIMEDOUT after %.1f s (LIBGUESTFS_CALL_TIMEOUT=5; bound 9 s)", t);
  ok (contains (text, "qemu-gone=1"), "no qemu process left after close");
  free (text);

  st = run_bounded (locked_twice, NULL, 240, dir, &text, NULL);
  diag ("locked: exit %d: %s", st, text ? text : "");
  ok (st == 0 && contains (text, "second r=-1") && contains_ci (text, "lock"),
      "the same image writable in two handles: the second launch is refused, naming the lock");
  ok (contains (text, "first-still-works=1"), "the first handle is unaffected");
  free (text);
  cleanup_dir (dir);
  return tap_done ();
}
