/* The daemon going away in the middle of a file upload
 * (internal_rhbz914931 exits after receiving `count` chunks) is an error
 * naming the closed connection, never a hang; the calls after it fail at
 * once.  This call is not a guestfish command (neither in libguestfs's
 * guestfish), so it is tested here through the C API.  One launch.  */
#include "tests.h"

static char *dir;

static int
upload_and_die (void *arg, int fd)
{
  const char *file = arg;
  /* The library writes to a socket whose other end is gone: that must
   * be an error, not SIGPIPE (the default action, kept here on purpose). */
  signal (SIGPIPE, SIG_DFL);
  guestfs_h *g = create_quiet ();
  char buf[1024];
  if (guestfs_add_drive_scratch (g, 64 * 1024 * 1024, -1) == -1 ||
      guestfs_launch (g) == -1) {
    snprintf (buf, sizeof buf, "launch: %s\n", errmsg (g));
    if (write (fd, buf, strlen (buf))) {}
    return 2;
  }
  int r = guestfs_internal_rhbz914931 (g, file, 1);
  snprintf (buf, sizeof buf, "upload r=%d err=%s\n", r, r == -1 ? errmsg (g) : "");
  if (write (fd, buf, strlen (buf))) {}
  double t0 = now ();
  int r2 = guestfs_ping_daemon (g);
  snprintf (buf, sizeof buf, "ping r=%d after %.1fs err=%s\n", r2, now () - t0,
            r2 == -1 ? errmsg (g) : "");
  if (write (fd, buf, strlen (buf))) {}
  guestfs_close (g);
  return 0;
}

int
main (void)
{
  dir = make_tmpdir ("daemon-death");
  char *file;
  if (asprintf (&file, "%s/big", dir) == -1) exit (1);
  /* 4 MiB of random bytes: many chunks, the daemon exits after one. */
  int in = open ("/dev/urandom", O_RDONLY), out = open (file, O_WRONLY | O_CREAT, 0644);
  char buf[65536];
  for (int i = 0; i < 64; ++i)
    if (in < 0 || out < 0 || read (in, buf, sizeof buf) != sizeof buf ||
        write (out, buf, sizeof buf) != sizeof buf) {
      perror (file);
      exit (1);
    }
  close (in);
  close (out);

  char *text = NULL;
  int st = run_bounded (upload_and_die, file, 180, dir, &text, NULL);
  diag ("child exit %d: %s", st, text);
  ok (st == 0 && contains (text, "upload r=-1") && contains (text, "closed the connection"),
      "daemon dying in the middle of an upload is an error, not a hang");
  ok (st == 0 && contains (text, "ping r=-1"),
      "the next call fails at once");
  free (text);
  free (file);
  cleanup_dir (dir);
  return tap_done ();
}
