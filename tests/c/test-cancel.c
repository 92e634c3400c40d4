/* guestfs_user_cancel wakes a call that is waiting for the daemon:
 *  - a large download, cancelled from another thread: the daemon is told
 *    to stop the stream, the call fails with "cancelled" within a few
 *    seconds, and the handle keeps working (the next call succeeds);
 *  - a long call with no stream (sleep 300), cancelled from a signal
 *    handler (SIGALRM): the call fails within the cancel grace (3 s) plus
 *    a margin, the appliance is stopped, and the handle can be closed.
 * Also: qemu runs confined by seccomp (-sandbox on,...) when it was
 * built with it, as the calling user.
 * The whole test runs in a child with a time bound, so a hang is a
 * failure, not a stuck test run.  One launch.  */
#include <pthread.h>

#include "tests.h"

static guestfs_h *g;
static char *dir;

static void *
cancel_later (void *arg)
{
  (void) arg;
  usleep (1500 * 1000);
  guestfs_user_cancel (g);
  return NULL;
}

static void
on_alarm (int sig)
{
  (void) sig;
  guestfs_user_cancel (g);   /* async-signal-safe: a flag and a write */
}

static int
body (void *arg, int fd)
{
  (void) arg;
  char buf[2048];
  g = create_quiet ();
  /* 4 GiB of zeros: at the channel's speed under TCG a download takes
   * far longer than the test's bound, so only a working cancel ends it. */
  if (guestfs_add_drive_scratch (g, 4LL << 30, -1) == -1 || guestfs_launch (g) == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  /* Confinement: the Seccomp line of qemu's status (2: a filter). */
  char path[64], line[256];
  snprintf (path, sizeof path, "/proc/%d/status", guestfs_get_pid (g));
  FILE *st = fopen (path, "r");
  while (st && fgets (line, sizeof line, st))
    if (strncmp (line, "Seccomp:", 8) == 0 || strncmp (line, "Uid:", 4) == 0)
      dprintf (fd, "qemu %s", line);
  if (st)
    fclose (st);
  char *out;
  if (asprintf (&out, "%s/dl", dir) == -1) return 2;
  pthread_t th;
  pthread_create (&th, NULL, cancel_later, NULL);
  double t0 = now ();
  int r = guestfs_download (g, "/dev/sda", out);
  double dt = now () - t0;
  pthread_join (th, NULL);
  snprintf (buf, sizeof buf, "download r=%d t=%.1f errno=%d err=%s\n", r, dt,
            guestfs_last_errno (g), r == -1 ? errmsg (g) : "");
  if (write (fd, buf, strlen (buf))) {}
  int p = guestfs_ping_daemon (g);
  snprintf (buf, sizeof buf, "ping-after-download r=%d\n", p);
  if (write (fd, buf, strlen (buf))) {}

  struct sigaction sa = { .sa_handler = on_alarm };
  sigaction (SIGALRM, &sa, NULL);
  alarm (2);
  t0 = now ();
  r = guestfs_sleep (g, 300);
  dt = now () - t0;
  snprintf (buf, sizeof buf, "sleep r=%d t=%.1f err=%s\n", r, dt, r == -1 ? errmsg (g) : "");
  if (write (fd, buf, strlen (buf))) {}
  /* The appliance was stopped: the handle is back to the config state. */
  snprintf (buf, sizeof buf, "config-after-sleep=%d\n", guestfs_is_config (g));
  if (write (fd, buf, strlen (buf))) {}
  guestfs_close (g);
  if (write (fd, "closed\n", 7)) {}
  return 0;
}

static double
field (const char *text, const char *key)
{
  const char *p = text ? strstr (text, key) : NULL;
  return p ? atof (p + strlen (key)) : -1;
}

int
main (void)
{
  dir = make_tmpdir ("cancel");
  char *text = NULL;
  int st = run_bounded (body, NULL, 240, dir, &text, NULL);
  diag ("child exit %d:\n%s", st, text ? text : "");
  ok (st == 0 && contains (text, "download r=-1") && contains (text, "cancelled"),
      "a download cancelled from another thread fails with 'cancelled'");
  double t = field (text, "download r=-1 t=");
  ok (t > 0 && t < 1.5 + 6, "the cancelled download returned %.1f s after it began "
      "(cancel at 1.5 s; bound 7.5 s)", t);
  ok (contains (text, "ping-after-download r=0"), "the handle works after a cancelled download");
  ok (contains (text, "sleep r=-1") && contains (text, "cancelled"),
      "a long call cancelled from a signal handler fails with 'cancelled'");
  t = field (text, "sleep r=-1 t=");
  ok (t > 0 && t < 2 + 3 + 3, "the cancelled sleep returned after %.1f s "
      "(cancel at 2 s, grace 3 s; bound 8 s)", t);
  ok (contains (text, "config-after-sleep=1") && contains (text, "closed"),
      "the appliance was stopped and the handle closed");
  if (system ("grep -q elevateprivileges \"$(command -v qemu-system-x86_64)\"") == 0)
    ok (contains (text, "qemu Seccomp:\t2"), "qemu runs under a seccomp filter (-sandbox)");
  else
    skip ("this qemu has no -sandbox (built without seccomp)");
  char uidline[64];
  snprintf (uidline, sizeof uidline, "qemu Uid:\t%d\t", (int) getuid ());
  ok (contains (text, uidline), "qemu runs as the calling user");
  cleanup_dir (dir);
  return tap_done ();
}
