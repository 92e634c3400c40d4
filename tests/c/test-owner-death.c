/* The appliance never outlives its owner, and a call never hangs forever.
 *
 * - A program killed with SIGKILL while it holds a launched handle leaves
 *   no qemu and no temporary directory behind (within 2 s), also when it
 *   launched from a thread that has since exited.
 * - qemu killed in the middle of a long call, or of an upload: the call
 *   fails within seconds, later calls fail at once, close returns.
 * - LIBGUESTFS_CALL_TIMEOUT: a call that takes longer fails with
 *   ETIMEDOUT, the appliance is stopped, close returns, and the handle
 *   can launch again.  */
#include <dirent.h>
#include <pthread.h>
#include "tests.h"

static char *tmp;

struct owner { guestfs_h *g; int r; };

static void *
launch_thread (void *arg)
{
  struct owner *o = arg;
  o->r = guestfs_launch (o->g);
  return NULL;
}

/* In a child: launch (from a short-lived thread if arg), report
 * "QEMU_PID SOCKDIR", then wait to be killed. */
static int __attribute__((noreturn))
owner (void *arg, int fd)
{
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
  struct owner o = { g, -1 };
  if (arg) {
    pthread_t t;
    pthread_create (&t, NULL, launch_thread, &o);
    pthread_join (t, NULL);
  }
  else
    launch_thread (&o);
  /* The handle's two directories: its sockets' under get_sockdir (from
   * qemu's command line), its files' (the scratch disk) under the
   * tmpdir set above, the only libguestfs* entry there. */
  char buf[8400], workdir[4100] = "-";
  char *sockdir = o.r == 0 ? qemu_sockets_dir (g) : NULL;
  DIR *d = opendir (tmp);
  struct dirent *e;
  while (d && (e = readdir (d)) != NULL)
    if (strncmp (e->d_name, "libguestfs", 10) == 0)
      snprintf (workdir, sizeof workdir, "%s/%s", tmp, e->d_name);
  if (d)
    closedir (d);
  snprintf (buf, sizeof buf, "%d %s %s\n", o.r == 0 ? guestfs_get_pid (g) : -1,
            sockdir ? sockdir : "-", workdir);
  if (write (fd, buf, strlen (buf))) {}
  close (fd);
  for (;;)
    pause ();
}

static bool
gone_within (pid_t pid, const char *dir, double seconds)
{
  double t0 = now ();
  struct stat st;
  while (now () - t0 < seconds) {
    bool alive = kill (pid, 0) == 0;
    /* A zombie is gone for our purpose: it no longer runs. */
    char path[64], state = 0;
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *f = fopen (path, "r");
    if (f) {
      if (fscanf (f, "%*d %*s %c", &state) != 1) state = 0;
      fclose (f);
    }
    if ((!alive || state == 'Z') && stat (dir, &st) == -1)
      return true;
    usleep (50 * 1000);
  }
  return false;
}

static void
test_kill_owner (bool threaded)
{
  int p[2];
  if (pipe (p) == -1) exit (1);
  fflush (stdout);
  pid_t child = fork ();
  if (child == 0) {
    close (p[0]);
    _exit (owner (threaded ? (void *) 1 : NULL, p[1]));
  }
  close (p[1]);
  char buf[4200] = "";
  size_t len = 0;
  ssize_t n;
  double t0 = now ();
  while (now () - t0 < 120 && len < sizeof buf - 1 &&
         (n = read (p[0], buf + len, sizeof buf - 1 - len)) > 0) {
    len += (size_t) n;
    if (memchr (buf, '\n', len)) break;
  }
  close (p[0]);
  int qemu = -1;
  char dir[4100] = "", workdir[4100] = "";
  if (sscanf (buf, "%d %4095s %4095s", &qemu, dir, workdir) != 3 || qemu <= 0 ||
      strcmp (dir, "-") == 0 || strcmp (workdir, "-") == 0) {
    ok (false, "%s owner: launched (got \"%s\")", threaded ? "threaded" : "plain", buf);
    kill (child, SIGKILL);
    waitpid (child, NULL, 0);
    return;
  }
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  double tk = now ();
  bool gone = gone_within (qemu, dir, 2.0) && gone_within (qemu, workdir, 2.0);
  ok (gone, "%s owner killed with SIGKILL: no qemu, no %s and no %s left after %.1f s (bound 2 s)",
      threaded ? "owner that launched from an exited thread," : "plain", dir, workdir,
      now () - tk);
  if (!gone)
    kill (qemu, SIGKILL);
}

/* In a child: launch, start a long call, report how it ended. */
struct long_call { const char *what; int timeout; };

static void *
kill_qemu_later (void *arg)
{
  /* The pid was read before the call: the handle is locked during it. */
  pid_t qemu = (pid_t) (intptr_t) arg;
  sleep (2);
  kill (qemu, SIGKILL);
  return NULL;
}

static int
long_call (void *arg, int fd)
{
  struct long_call *lc = arg;
  char buf[1024];
  if (lc->timeout) {
    char t[16];
    snprintf (t, sizeof t, "%d", lc->timeout);
    setenv ("LIBGUESTFS_CALL_TIMEOUT", t, 1);
  }
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_scratch (g, 64 * 1024 * 1024, -1);
  if (guestfs_launch (g) == -1) {
    snprintf (buf, sizeof buf, "launch failed: %s", errmsg (g));
    if (write (fd, buf, strlen (buf))) {}
    return 2;
  }
  pthread_t t;
  if (!lc->timeout)
    pthread_create (&t, NULL, kill_qemu_later, (void *) (intptr_t) guestfs_get_pid (g));
  double t0 = now ();
  int r;
  if (strcmp (lc->what, "upload") == 0) {
    /* An endless source: the upload is still going when qemu dies. */
    r = guestfs_upload (g, "/dev/zero", "/dev/sda");
  }
  else
    r = guestfs_sleep (g, 60);
  double took = now () - t0;
  int err = guestfs_last_errno (g);
  snprintf (buf, sizeof buf, "r=%d after %.1f s errno=%d err=%s\n", r, took, err,
            r == -1 ? errmsg (g) : "");
  if (write (fd, buf, strlen (buf))) {}
  double t1 = now ();
  int r2 = guestfs_ping_daemon (g);
  snprintf (buf, sizeof buf, "next call r=%d after %.1f s\n", r2, now () - t1);
  if (write (fd, buf, strlen (buf))) {}
  if (lc->timeout) {
    /* The handle can launch again after the timeout stopped it. */
    int r3 = guestfs_launch (g);
    snprintf (buf, sizeof buf, "relaunch r=%d ping=%d\n", r3, r3 == 0 ? guestfs_ping_daemon (g) : -1);
    if (write (fd, buf, strlen (buf))) {}
  }
  if (!lc->timeout)
    pthread_join (t, NULL);
  t1 = now ();
  guestfs_close (g);
  snprintf (buf, sizeof buf, "close after %.1f s\n", now () - t1);
  if (write (fd, buf, strlen (buf))) {}
  return 0;
}

static void
test_long_call (const char *what, int timeout)
{
  struct long_call lc = { what, timeout };
  char *out;
  double t;
  int st = run_bounded (long_call, &lc, 240, tmp, &out, &t);
  diag ("%s%s: %s", what, timeout ? " with LIBGUESTFS_CALL_TIMEOUT" : ", qemu killed", out);
  double took = 99;
  const char *p = strstr (out, "r=-1 after ");
  if (p) took = atof (p + 11);
  if (timeout) {
    ok (st == 0 && p && took >= timeout - 0.5 && took < timeout + 5 &&
        contains (out, "errno=110") && contains (out, "LIBGUESTFS_CALL_TIMEOUT"),
        "%s longer than LIBGUESTFS_CALL_TIMEOUT=%d fails with ETIMEDOUT after %.1f s",
        what, timeout, took);
    ok (contains (out, "relaunch r=0 ping=0"), "... and the handle launches again");
  }
  else
    ok (st == 0 && p && took < 10,
        "qemu killed in the middle of %s: the call fails after %.1f s", what, took);
  ok (contains (out, "next call r=-1 after 0."), "... the next call fails at once");
  ok (st == 0 && contains (out, "close after 0."), "... and close returns at once");
  free (out);
}

int
main (void)
{
  tmp = make_tmpdir ("owner-death");
  unsetenv ("LIBGUESTFS_CALL_TIMEOUT");
  test_kill_owner (false);
  test_kill_owner (true);
  test_long_call ("sleep 60", 0);
  test_long_call ("upload", 0);
  test_long_call ("sleep 60", 3);
  kill_by_cmdline (tmp);
  cleanup_dir (tmp);
  free (tmp);
  return tap_done ();
}
