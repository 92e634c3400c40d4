/* Load: many handles launched at once, each making many calls and a
 * round trip of a big file, then many launch/close cycles in a row with
 * no growth of file descriptors, memory or temporary files.
 *
 * Sizes from the environment (the short defaults are make check's;
 * tests/soak/load.sh runs the figures: 8 handles, 1 000 calls,
 * 64 MiB, 100 cycles):
 *   HATCH_LOAD_HANDLES (2)  HATCH_LOAD_CALLS (200)  HATCH_LOAD_MIB (8)
 *   HATCH_LOAD_CYCLES (3)
 * Prints TAP and one line of figures:
 *   load: H handles x C calls + M MiB round trip in T s (P calls/s), peak
 *   RSS qemu Q MiB + library L MiB; N cycles: fds A->B, RSS X->Y MiB,
 *   temporary files Z  */
#include <pthread.h>
#include <sys/stat.h>
#include "tests.h"

static int nhandles, ncalls, mib, ncycles;
static char *dir, *src;

static int
env_int (const char *name, int dflt)
{
  const char *v = getenv (name);
  return v && atoi (v) > 0 ? atoi (v) : dflt;
}

/* VmRSS of a process in KiB (0 if gone). */
static long
rss_kib (pid_t pid)
{
  char path[64], line[256];
  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  FILE *f = fopen (path, "r");
  long kib = 0;
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, "VmRSS:", 6) == 0)
      kib = atol (line + 6);
  if (f)
    fclose (f);
  return kib;
}

/* Sum of VmRSS of our appliances' qemu. */
static long
qemu_rss_kib (void)
{
  pid_t pids[64];
  int n = appliance_children (pids, 64);
  long sum = 0;
  for (int i = 0; i < n; i++)
    sum += rss_kib (pids[i]);
  return sum;
}

static volatile bool sampling;
static long peak_qemu, peak_self;

static void *
sampler (void *arg)
{
  (void) arg;
  while (sampling) {
    long q = qemu_rss_kib (), s = rss_kib (getpid ());
    if (q > peak_qemu) peak_qemu = q;
    if (s > peak_self) peak_self = s;
    usleep (200 * 1000);
  }
  return NULL;
}

struct worker { int id; int calls_ok; bool round_trip_ok; char err[512]; char *sockdir; };

/* Whether DIR (a sockets' directory, or NULL when it was not found) is
 * still there after its handle closed. */
static bool
left_behind (const char *d)
{
  struct stat st;
  return d == NULL || stat (d, &st) == 0;
}

static void *
worker (void *arg)
{
  struct worker *w = arg;
  guestfs_h *g = create_quiet ();
  char name[64], back[512];
  snprintf (back, sizeof back, "%s/back-%d", dir, w->id);
  if (guestfs_set_tmpdir (g, dir) == -1 ||
      guestfs_add_drive_scratch (g, (int64_t) (mib + 64) << 20, -1) == -1 ||
      guestfs_launch (g) == -1 || guestfs_mkfs (g, "ext4", "/dev/sda") == -1 ||
      guestfs_mount (g, "/dev/sda", "/") == -1) {
    snprintf (w->err, sizeof w->err, "handle %d: %s", w->id, errmsg (g));
    guestfs_close (g);
    return NULL;
  }
  w->sockdir = qemu_sockets_dir (g);
  for (int i = 0; i < ncalls; i++) {
    int r;
    snprintf (name, sizeof name, "/f%d", (i / 4) % 50);  /* written, then read */
    switch (i % 4) {
    case 0: r = guestfs_write (g, name, name, strlen (name)); break;
    case 1: {
      char *c = guestfs_cat (g, name);
      r = c && strcmp (c, name) == 0 ? 0 : -1;
      free (c);
      break;
    }
    case 2: r = guestfs_is_file (g, name) == 1 ? 0 : -1; break;
    default: r = guestfs_ping_daemon (g); break;
    }
    if (r == 0)
      w->calls_ok++;
    else if (!w->err[0])
      snprintf (w->err, sizeof w->err, "handle %d call %d: %s", w->id, i, errmsg (g));
  }
  if (guestfs_upload (g, src, "/big") == 0 && guestfs_download (g, "/big", back) == 0) {
    char *a = sha256_file (src), *b = sha256_file (back);
    w->round_trip_ok = a && b && strcmp (a, b) == 0;
    free (a);
    free (b);
  }
  else if (!w->err[0])
    snprintf (w->err, sizeof w->err, "handle %d round trip: %s", w->id, errmsg (g));
  unlink (back);
  if (guestfs_shutdown (g) == -1 && !w->err[0])
    snprintf (w->err, sizeof w->err, "handle %d shutdown: %s", w->id, errmsg (g));
  guestfs_close (g);
  return NULL;
}

static int
count_fds (void)
{
  return count_entries ("/proc/self/fd");
}

int
main (void)
{
  nhandles = env_int ("HATCH_LOAD_HANDLES", 2);
  ncalls = env_int ("HATCH_LOAD_CALLS", 200);
  mib = env_int ("HATCH_LOAD_MIB", 8);
  ncycles = env_int ("HATCH_LOAD_CYCLES", 3);
  dir = make_tmpdir ("load");
  if (asprintf (&src, "%s/src", dir) == -1) exit (1);
  {
    int in = open ("/dev/urandom", O_RDONLY), out = open (src, O_WRONLY | O_CREAT, 0644);
    char buf[65536];
    for (int i = 0; i < mib * 16; ++i)
      if (in < 0 || out < 0 || read (in, buf, sizeof buf) != sizeof buf ||
          write (out, buf, sizeof buf) != sizeof buf) {
        perror (src);
        exit (1);
      }
    close (in);
    close (out);
  }
  /* ---- handles in parallel ---- */
  struct worker *ws = calloc ((size_t) nhandles, sizeof *ws);
  pthread_t *ts = calloc ((size_t) nhandles, sizeof *ts), samp;
  sampling = true;
  pthread_create (&samp, NULL, sampler, NULL);
  double t0 = now ();
  for (int i = 0; i < nhandles; i++) {
    ws[i].id = i;
    pthread_create (&ts[i], NULL, worker, &ws[i]);
  }
  for (int i = 0; i < nhandles; i++)
    pthread_join (ts[i], NULL);
  double took = now () - t0;
  sampling = false;
  pthread_join (samp, NULL);
  int calls = 0, trips = 0;
  for (int i = 0; i < nhandles; i++) {
    calls += ws[i].calls_ok;
    trips += ws[i].round_trip_ok;
    if (ws[i].err[0])
      diag ("%s", ws[i].err);
  }
  ok (calls == nhandles * ncalls, "%d handles at once: %d of %d calls succeeded",
      nhandles, calls, nhandles * ncalls);
  ok (trips == nhandles, "%d of %d %d MiB upload/download round trips identical (sha256)",
      trips, nhandles, mib);
  int left = count_entries (dir) - 1;   /* the source file stays */
  for (int i = 0; i < nhandles; i++) {
    if (left_behind (ws[i].sockdir))
      left++;
    free (ws[i].sockdir);
  }
  ok (left == 0, "no temporary file left in the handles' tmpdir, nor their sockets' "
      "directories (%d)", left);

  /* ---- sequential launch/close cycles ---- */
  int fds_start = 0, fds_end = 0;
  long rss_start = 0, rss_end = 0;
  int failures = 0, sockdirs_left = 0;
  double c0 = now ();
  for (int c = 0; c < ncycles; c++) {
    guestfs_h *g = create_quiet ();
    guestfs_set_tmpdir (g, dir);
    if (guestfs_add_drive_scratch (g, 16 << 20, -1) == -1 || guestfs_launch (g) == -1 ||
        guestfs_ping_daemon (g) == -1) {
      if (!failures)
        diag ("cycle %d: %s", c, errmsg (g));
      failures++;
    }
    char *sd = qemu_sockets_dir (g);
    guestfs_close (g);
    if (left_behind (sd))
      sockdirs_left++;
    free (sd);
    if (c == 0) {                 /* after the first: what a warm process holds */
      fds_start = count_fds ();
      rss_start = rss_kib (getpid ());
    }
  }
  double ctook = now () - c0;
  fds_end = count_fds ();
  rss_end = rss_kib (getpid ());
  int tmp_left = count_entries (dir) - 1 + sockdirs_left;
  ok (failures == 0, "%d launch/close cycles in a row: %d failed (%.1f s each)",
      ncycles, failures, ctook / ncycles);
  ok (fds_end <= fds_start, "no file descriptor growth over the cycles (%d -> %d)",
      fds_start, fds_end);
  ok (rss_end - rss_start < 8192, "no memory growth over the cycles (RSS %ld -> %ld KiB)",
      rss_start, rss_end);
  ok (tmp_left == 0, "no temporary file or sockets' directory left after the cycles (%d)",
      tmp_left);
  printf ("# load: %d handles x %d calls + %d MiB round trip in %.1f s (%.0f calls/s), "
          "peak RSS qemu %ld MiB + library %ld MiB; %d cycles: %.1f s each, fds %d->%d, "
          "RSS %ld->%ld KiB, temporary files %d\n",
          nhandles, ncalls, mib, took, nhandles * ncalls / took, peak_qemu / 1024,
          peak_self / 1024, ncycles, ctook / ncycles, fds_start, fds_end, rss_start, rss_end,
          tmp_left);
  const char *summary = getenv ("HATCH_LOAD_SUMMARY");
  if (summary) {
    FILE *f = fopen (summary, "a");
    if (f) {
      fprintf (f, "%d handles x %d calls + %d MiB round trip: %.1f s, peak RSS qemu %ld MiB + "
               "library %ld MiB | %d cycles: %.1f s each, fds %d->%d, RSS %ld->%ld KiB, "
               "temporary files %d\n",
               nhandles, ncalls, mib, took, peak_qemu / 1024, peak_self / 1024, ncycles,
               ctook / ncycles, fds_start, fds_end, rss_start, rss_end, tmp_left);
      fclose (f);
    }
  }
  unlink (src);
  cleanup_dir (dir);
  return tap_done ();
}
