/* Faults become clear errors within a bound, and the handle can be
 * closed with nothing left behind:
 *  - the host disk full while downloading (FileOut to /dev/full): the
 *    call fails with ENOSPC, and the handle keeps working;
 *  - the appliance frozen (SIGSTOP on qemu) during a call, with
 *    LIBGUESTFS_CALL_TIMEOUT=5: the call fails with ETIMEDOUT within the
 *    bound, and after close no qemu process is left;
 *  - one image added writable by two handles at once: the second launch
 *    is refused (qemu's image locking), naming the lock;
 *  - qemu killed during launch: launch fails within a bound, close
 *    returns, no qemu and no file left in the handle's tmpdir;
 *  - qemu killed during a download: the call fails within a bound, no
 *    temporary file left;
 *  - the image deleted while attached (calls go on: qemu holds it open)
 *    and truncated while attached (reads past the end are I/O errors
 *    naming the device, the handle still answers);
 *  - acknowledged data survives: a file written and synced, then qemu
 *    killed with SIGKILL: a new handle reads it back.
 * Each part runs in a child with a time bound, so a hang is a failure.
 * (qemu killed during a call and an upload, and the daemon dying during
 * an upload, are in test-owner-death.c and test-daemon-death.c.)  */
#include <pthread.h>
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

/* The appliance's qemu among our children (0 if none). */
static pid_t
find_qemu_child (void)
{
  pid_t p;
  return appliance_children (&p, 1) == 1 ? p : 0;
}

struct killer { double delay; int killed; bool every; volatile bool stop; };

/* Wait for qemu to appear as our child, then kill it after delay s;
 * with every, go on killing each new one until stop (a launch that
 * falls back from a restore to a cold boot starts a second qemu). */
static void *
kill_qemu_thread (void *arg)
{
  struct killer *k = arg;
  double t0 = now ();
  while (!k->stop && now () - t0 < 120) {
    pid_t q = find_qemu_child ();
    if (q > 0) {
      usleep ((useconds_t) (k->delay * 1e6));
      kill (q, SIGKILL);
      k->killed++;
      if (!k->every)
        return NULL;
    }
    usleep (20 * 1000);
  }
  return NULL;
}

static int
killed_in_launch (void *arg, int fd)
{
  (void) arg;
  char *td;
  if (asprintf (&td, "%s/launch-tmp", dir) == -1 || mkdir (td, 0700) == -1)
    return 2;
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, td);
  guestfs_add_drive_scratch (g, 16 << 20, -1);
  /* A restored launch is done ~0.25 s after qemu appears: kill early. */
  struct killer k = { 0.05, 0, true, false };
  pthread_t t;
  pthread_create (&t, NULL, kill_qemu_thread, &k);
  double t0 = now ();
  int r = guestfs_launch (g);
  dprintf (fd, "launch r=%d t=%.1f err=%s\n", r, now () - t0, r == -1 ? errmsg (g) : "");
  k.stop = true;
  pthread_join (t, NULL);
  dprintf (fd, "qemus killed: %d\n", k.killed);
  t0 = now ();
  guestfs_close (g);
  dprintf (fd, "close t=%.1f\n", now () - t0);
  dprintf (fd, "killed=%d left-in-tmpdir=%d qemu-children=%d\n", k.killed > 0,
           count_entries (td), find_qemu_child () > 0);
  return 0;
}

static int
killed_in_download (void *arg, int fd)
{
  (void) arg;
  char *td, *out;
  if (asprintf (&td, "%s/dl-tmp", dir) == -1 || mkdir (td, 0700) == -1 ||
      asprintf (&out, "%s/dl-out", dir) == -1)
    return 2;
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, td);
  guestfs_add_drive_scratch (g, 4LL << 30, -1);
  if (guestfs_launch (g) == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  struct killer k = { 1.5, 0, false, false };
  pthread_t t;
  pthread_create (&t, NULL, kill_qemu_thread, &k);
  double t0 = now ();
  int r = guestfs_download (g, "/dev/sda", out);   /* 4 GiB: still going at 1.5 s */
  dprintf (fd, "download r=%d t=%.1f err=%s\n", r, now () - t0, r == -1 ? errmsg (g) : "");
  pthread_join (t, NULL);
  t0 = now ();
  int r2 = guestfs_ping_daemon (g);
  dprintf (fd, "next r=%d t=%.1f\n", r2, now () - t0);
  guestfs_close (g);
  unlink (out);
  dprintf (fd, "left-in-tmpdir=%d qemu-children=%d\n", count_entries (td),
           find_qemu_child () > 0);
  return 0;
}

static int
image_gone (void *arg, int fd)
{
  (void) arg;
  char *p;
  if (asprintf (&p, "%s/gone.img", dir) == -1)
    return 2;
  int f = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0 || ftruncate (f, 64 << 20) == -1)
    return 2;
  close (f);
  guestfs_h *g = create_quiet ();
  guestfs_add_drive_opts (g, p, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (guestfs_launch (g) == -1 || guestfs_mkfs (g, "ext4", "/dev/sda") == -1 ||
      guestfs_mount (g, "/dev/sda", "/") == -1) {
    dprintf (fd, "setup failed: %s\n", errmsg (g));
    return 2;
  }
  unlink (p);
  int r = guestfs_write (g, "/after-unlink", "still here", 10);
  char *c = r == 0 ? guestfs_cat (g, "/after-unlink") : NULL;
  dprintf (fd, "deleted: write r=%d cat=%s\n", r, c ? c : errmsg (g));
  free (c);
  guestfs_close (g);
  /* Truncated to 1 MiB under the running appliance: what lay past the
   * end is gone; reading it must be an error, not a hang. */
  if (asprintf (&p, "%s/trunc.img", dir) == -1)
    return 2;
  f = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0 || ftruncate (f, 64 << 20) == -1)
    return 2;
  close (f);
  g = create_quiet ();
  guestfs_add_drive_opts (g, p, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (guestfs_launch (g) == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  if (truncate (p, 1 << 20) == -1)
    return 2;
  double t0 = now ();
  size_t n = 0;
  char *data = guestfs_pread_device (g, "/dev/sda", 65536, 32 << 20, &n);
  dprintf (fd, "truncated: pread r=%s t=%.1f err=%s\n", data ? "ok" : "-1", now () - t0,
           data ? "" : errmsg (g));
  free (data);
  dprintf (fd, "truncated: ping=%d\n", guestfs_ping_daemon (g));
  guestfs_close (g);
  return 0;
}

static int
synced_survives (void *arg, int fd)
{
  (void) arg;
  char *p;
  if (asprintf (&p, "%s/synced.img", dir) == -1)
    return 2;
  int f = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (f < 0 || ftruncate (f, 64 << 20) == -1)
    return 2;
  close (f);
  guestfs_h *g = create_quiet ();
  guestfs_add_drive_opts (g, p, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (guestfs_launch (g) == -1 || guestfs_mkfs (g, "ext4", "/dev/sda") == -1 ||
      guestfs_mount (g, "/dev/sda", "/") == -1 ||
      guestfs_write (g, "/acked", "acknowledged data", 17) == -1 || guestfs_sync (g) == -1) {
    dprintf (fd, "setup failed: %s\n", errmsg (g));
    return 2;
  }
  kill (guestfs_get_pid (g), SIGKILL);
  guestfs_close (g);
  g = create_quiet ();
  guestfs_add_drive_opts (g, p, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                          GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1);
  char *c = NULL;
  if (guestfs_launch (g) == 0 && guestfs_mount_ro (g, "/dev/sda", "/") == 0)
    c = guestfs_cat (g, "/acked");
  dprintf (fd, "after-kill cat=%s\n", c ? c : errmsg (g));
  free (c);
  guestfs_close (g);
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

  st = run_bounded (killed_in_launch, NULL, 240, dir, &text, NULL);
  diag ("killed in launch: exit %d: %s", st, text ? text : "");
  p = text ? strstr (text, "launch r=-1 t=") : NULL;
  t = p ? atof (p + strlen ("launch r=-1 t=")) : -1;
  ok (p && t < 30 && contains (text, "killed=1"),
      "qemu killed during launch: launch fails after %.1f s (bound 30 s)", t);
  ok (contains (text, "left-in-tmpdir=0 qemu-children=0"),
      "... no qemu and no file left in the handle's tmpdir after close");
  free (text);

  st = run_bounded (killed_in_download, NULL, 240, dir, &text, NULL);
  diag ("killed in download: exit %d: %s", st, text ? text : "");
  p = text ? strstr (text, "download r=-1 t=") : NULL;
  t = p ? atof (p + strlen ("download r=-1 t=")) : -1;
  ok (p && t < 15, "qemu killed during a download: the call fails after %.1f s (bound 15 s)", t);
  ok (contains (text, "next r=-1") && contains (text, "left-in-tmpdir=0 qemu-children=0"),
      "... the next call fails, no qemu and no temporary file left");
  free (text);

  st = run_bounded (image_gone, NULL, 240, dir, &text, NULL);
  diag ("image gone: exit %d: %s", st, text ? text : "");
  ok (contains (text, "deleted: write r=0 cat=still here"),
      "image deleted while attached: calls go on (qemu holds it open)");
  /* qemu reads zeros past the end of a raw file (or fails): either is
   * fine, a hang is not. */
  p = text ? strstr (text, "truncated: pread r=") : NULL;
  p = p ? strstr (p, " t=") : NULL;
  t = p ? atof (p + 3) : -1;
  ok (p && t >= 0 && t < 30,
      "image truncated while attached: reading past its end returns after %.1f s (bound 30 s)", t);
  ok (contains (text, "truncated: ping=0"), "... and the handle still answers");
  free (text);

  st = run_bounded (synced_survives, NULL, 240, dir, &text, NULL);
  diag ("synced data: exit %d: %s", st, text ? text : "");
  ok (contains (text, "after-kill cat=acknowledged data"),
      "data written and synced survives qemu killed with SIGKILL");
  free (text);
  cleanup_dir (dir);
  return tap_done ();
}
