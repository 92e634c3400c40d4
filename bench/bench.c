/* Hatch benchmark program.
 *
 * This one source file is compiled twice by bench/meson.build: once against
 * our library (bench-hatch) and once against the system's libguestfs
 * (bench-libguestfs), so both sides run exactly the same code.  It only uses
 * the public libguestfs C API.
 *
 * Usage: bench-X CASE [ARGS...]
 *
 * Each case prints its results on stdout as lines
 *
 *   metric NAME VALUE UNIT
 *
 * which bench/run.sh collects; anything else (progress, errors) goes to
 * stderr.  Exit status is non-zero on any failure.
 *
 * To add a case: write a function "static int case_foo (int argc, char **argv)"
 * that prints its metric lines, add it to the cases[] table at the bottom, and
 * add one "bench_case" line to bench/run.sh.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE     /* asprintf */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include <guestfs.h>

#define MiB (UINT64_C (1024) * 1024)

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
metric (const char *name, double value, const char *unit)
{
  printf ("metric %s %.6g %s\n", name, value, unit);
  fflush (stdout);
}

static void
die (guestfs_h *g, const char *what)
{
  const char *err = g ? guestfs_last_error (g) : NULL;
  fprintf (stderr, "bench: %s failed%s%s\n", what,
           err ? ": " : "", err ? err : "");
  exit (EXIT_FAILURE);
}

#define CHECK(g, expr) do { if ((expr) == -1) die ((g), #expr); } while (0)

static guestfs_h *
create_handle (void)
{
  guestfs_h *g = guestfs_create ();
  if (g == NULL) {
    fprintf (stderr, "bench: guestfs_create failed\n");
    exit (EXIT_FAILURE);
  }
  return g;
}

/* Launch with one scratch disk carrying an ext4 filesystem mounted on /. */
static guestfs_h *
launch_with_fs_smp (int64_t disk_size, int smp)
{
  guestfs_h *g = create_handle ();
  if (smp > 1)
    CHECK (g, guestfs_set_smp (g, smp));
  CHECK (g, guestfs_add_drive_scratch (g, disk_size, -1));
  CHECK (g, guestfs_launch (g));
  CHECK (g, guestfs_part_disk (g, "/dev/sda", "mbr"));
  CHECK (g, guestfs_mkfs (g, "ext4", "/dev/sda1"));
  CHECK (g, guestfs_mount (g, "/dev/sda1", "/"));
  return g;
}

static guestfs_h *
launch_with_fs (int64_t disk_size)
{
  return launch_with_fs_smp (disk_size, 1);
}

static void
close_handle (guestfs_h *g)
{
  CHECK (g, guestfs_shutdown (g));
  guestfs_close (g);
}

/* launch: the API equivalent of "guestfish -a /dev/null run". */
static int
case_launch (int argc, char **argv)
{
  double t0 = now ();
  guestfs_h *g = create_handle ();
  CHECK (g, guestfs_add_drive_opts (g, "/dev/null",
                                    GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                                    -1));
  CHECK (g, guestfs_launch (g));
  double t1 = now ();
  close_handle (g);
  double t2 = now ();
  metric ("launch", t1 - t0, "s");
  metric ("launch_close", t2 - t0, "s");
  return 0;
}

/* Mount an inspected root's filesystems read-only, shortest mountpoint
 * first (so "/" comes before "/boot"). */
static int
cmp_mp (const void *a, const void *b)
{
  return (int) strlen (*(char *const *) a) - (int) strlen (*(char *const *) b);
}

/* inspect IMAGE: what virt-inspector does, launch included: create, add
 * IMAGE read-only, launch, inspect_os, the getters of every root, mount
 * its filesystems, list its applications, unmount, close. */
static int
case_inspect (int argc, char **argv)
{
  if (argc < 1) {
    fprintf (stderr, "usage: inspect DISK-IMAGE\n");
    return 2;
  }
  double t0 = now ();
  guestfs_h *g = create_handle ();
  CHECK (g, guestfs_add_drive_opts (g, argv[0],
                                    GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                                    GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                    -1));
  CHECK (g, guestfs_launch (g));
  double t1 = now ();
  char **roots = guestfs_inspect_os (g);
  if (roots == NULL)
    die (g, "inspect_os");
  if (roots[0] == NULL) {
    fprintf (stderr, "bench: no operating system found in %s\n", argv[0]);
    return 1;
  }
  size_t napps = 0;
  for (size_t i = 0; roots[i]; ++i) {
    const char *r = roots[i];
    char *strs[] = {
      guestfs_inspect_get_type (g, r), guestfs_inspect_get_distro (g, r),
      guestfs_inspect_get_product_name (g, r), guestfs_inspect_get_arch (g, r),
      guestfs_inspect_get_hostname (g, r), guestfs_inspect_get_osinfo (g, r),
      guestfs_inspect_get_package_format (g, r),
    };
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; ++k) {
      if (strs[k] == NULL)
        die (g, "inspect_get_*");
      free (strs[k]);
    }
    CHECK (g, guestfs_inspect_get_major_version (g, r));
    char **mps = guestfs_inspect_get_mountpoints (g, r);
    if (mps == NULL)
      die (g, "inspect_get_mountpoints");
    size_t n = 0;
    while (mps[2 * n])
      n++;
    char **order = calloc (n + 1, sizeof *order);
    for (size_t k = 0; k < n; ++k)
      order[k] = mps[2 * k];
    qsort (order, n, sizeof *order, cmp_mp);
    for (size_t k = 0; k < n; ++k)
      for (size_t j = 0; j < n; ++j)
        if (mps[2 * j] == order[k])
          guestfs_mount_ro (g, mps[2 * j + 1], mps[2 * j]);   /* best effort, as virt-inspector */
    free (order);
    struct guestfs_application2_list *apps = guestfs_inspect_list_applications2 (g, r);
    if (apps == NULL)
      die (g, "inspect_list_applications2");
    napps += apps->len;
    guestfs_free_application2_list (apps);
    CHECK (g, guestfs_umount_all (g));
    for (size_t k = 0; mps[k]; ++k)
      free (mps[k]);
    free (mps);
  }
  for (size_t i = 0; roots[i]; ++i)
    free (roots[i]);
  free (roots);
  double t2 = now ();
  close_handle (g);
  double t3 = now ();
  if (napps == 0) {
    fprintf (stderr, "bench: no applications found in %s\n", argv[0]);
    return 1;
  }
  metric ("inspect", t3 - t0, "s");
  metric ("inspect_only", t2 - t1, "s");
  return 0;
}

/* fish PATH: time "PATH -a /dev/null run" as a whole process. */
/* Run argv to its end; its wall time in seconds, or -1 if it failed. */
static double
time_command (char *const *argv)
{
  double t0 = now ();
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    return -1;
  }
  if (pid == 0) {
    execv (argv[0], argv);
    perror (argv[0]);
    _exit (127);
  }
  int status;
  if (waitpid (pid, &status, 0) == -1) {
    perror ("waitpid");
    return -1;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    fprintf (stderr, "bench: %s failed (status %d)\n", argv[0], status);
    return -1;
  }
  return now () - t0;
}

/* For our side's cold boots: keep whatever settings the run has (theirs:
 * force_tcg) and add nosnapshot, which libguestfs ignores. */
static void
cold_boots (void)
{
  const char *old = getenv ("LIBGUESTFS_BACKEND_SETTINGS");
  char *v;
  if (asprintf (&v, "%s%snosnapshot", old && *old ? old : "", old && *old ? ":" : "") != -1)
    setenv ("LIBGUESTFS_BACKEND_SETTINGS", v, 1);
}

/* fish GUESTFISH [DISK [cold]]: the whole process "GUESTFISH -a DISK run"
 * (DISK: /dev/null by default); "cold": with the saved appliance state
 * turned off (our side). */
static int
case_fish (int argc, char **argv)
{
  if (argc < 1) {
    fprintf (stderr, "usage: fish PATH-TO-GUESTFISH [DISK [cold]]\n");
    return 2;
  }
  const char *disk = argc >= 2 ? argv[1] : "/dev/null";
  bool cold = argc >= 3 && strcmp (argv[2], "cold") == 0;
  if (cold)
    cold_boots ();
  char *const cmd[] = { argv[0], (char *) "-a", (char *) disk, (char *) "run", NULL };
  double t = time_command (cmd);
  if (t < 0)
    return 1;
  metric (cold ? "fish_cold" : strcmp (disk, "/dev/null") ? "fish_disk" : "fish_launch", t, "s");
  return 0;
}

/* parallel N GUESTFISH: N processes "GUESTFISH -a /dev/null run" at once
 * (total wall time), then N handles launched at once by N threads of this
 * program (wall time until all are up), each against one launch alone
 * (the median of 3, same run): the ratio says how well N launches share
 * the machine (N: no better than one after another).  Also the memory of
 * an idle appliance's qemu, alone and with all N up: resident (RSS) and
 * proportional (PSS: pages shared with other processes, such as a saved
 * state mapped by every appliance, count divided among them). */
struct par { guestfs_h *g; int r; };

static void *
par_launch (void *arg)
{
  struct par *p = arg;
  p->r = guestfs_add_drive_opts (p->g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (p->r == 0)
    p->r = guestfs_launch (p->g);
  return NULL;
}

/* RSS and PSS of process pid in KiB (from /proc/PID/smaps_rollup); false
 * if they cannot be read. */
static bool
memory_kib (int pid, long *rss, long *pss)
{
  char path[64], line[256];
  *rss = *pss = -1;
  snprintf (path, sizeof path, "/proc/%d/smaps_rollup", pid);
  FILE *f = fopen (path, "r");
  while (f && fgets (line, sizeof line, f)) {
    sscanf (line, "Rss: %ld", rss);
    sscanf (line, "Pss: %ld", pss);
  }
  if (f) fclose (f);
  return *rss >= 0 && *pss >= 0;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static int
case_parallel (int argc, char **argv)
{
  if (argc < 2) {
    fprintf (stderr, "usage: parallel N GUESTFISH\n");
    return 2;
  }
  int n = atoi (argv[0]);
  if (n < 1 || n > 64) n = 8;
  char *const cmd[] = { argv[1], (char *) "-a", (char *) "/dev/null", (char *) "run", NULL };

  /* One process alone. */
  double one[3];
  for (int k = 0; k < 3; ++k)
    if ((one[k] = time_command (cmd)) < 0)
      return 1;
  qsort (one, 3, sizeof *one, cmp_double);

  double t0 = now ();
  pid_t pids[64];
  for (int i = 0; i < n; ++i) {
    pids[i] = fork ();
    if (pids[i] == 0) {
      execv (cmd[0], cmd);
      _exit (127);
    }
  }
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    int st;
    if (pids[i] < 0 || waitpid (pids[i], &st, 0) == -1 || !WIFEXITED (st) || WEXITSTATUS (st))
      failed++;
  }
  double t1 = now ();
  if (failed) {
    fprintf (stderr, "bench: %d of %d parallel guestfish runs failed\n", failed, n);
    return 1;
  }
  metric ("parallel_procs", t1 - t0, "s");
  metric ("parallel_procs_one", one[1], "s");
  metric ("parallel_procs_ratio", (t1 - t0) / one[1], "x");

  /* One handle alone; the last one stays up, idle, for its memory. */
  double lone[3];
  long rss1 = -1, pss1 = -1;
  for (int k = 0; k < 3; ++k) {
    struct par p = { .g = create_handle () };
    double s = now ();
    par_launch (&p);
    lone[k] = now () - s;
    if (p.r == -1)
      die (p.g, "launch");
    if (k == 2) {
      sleep (1);
      memory_kib (guestfs_get_pid (p.g), &rss1, &pss1);
    }
    close_handle (p.g);
  }
  qsort (lone, 3, sizeof *lone, cmp_double);

  struct par p[64];
  pthread_t th[64];
  for (int i = 0; i < n; ++i)
    p[i].g = create_handle ();
  t0 = now ();
  for (int i = 0; i < n; ++i)
    pthread_create (&th[i], NULL, par_launch, &p[i]);
  for (int i = 0; i < n; ++i)
    pthread_join (th[i], NULL);
  t1 = now ();
  for (int i = 0; i < n; ++i)
    if (p[i].r == -1)
      die (p[i].g, "parallel launch");
  /* All N up and idle: the mean per appliance. */
  sleep (1);
  long rss = 0, pss = 0;
  bool mem = true;
  for (int i = 0; i < n; ++i) {
    long r, q;
    mem = mem && memory_kib (guestfs_get_pid (p[i].g), &r, &q);
    rss += r;
    pss += q;
  }
  for (int i = 0; i < n; ++i)
    close_handle (p[i].g);
  metric ("parallel_threads", t1 - t0, "s");
  metric ("parallel_threads_one", lone[1], "s");
  metric ("parallel_threads_ratio", (t1 - t0) / lone[1], "x");
  if (rss1 >= 0) {
    metric ("qemu_rss_1", rss1 / 1024.0, "MiB");
    metric ("qemu_pss_1", pss1 / 1024.0, "MiB");
  }
  if (mem) {
    metric ("qemu_rss_n", rss / 1024.0 / n, "MiB");
    metric ("qemu_pss_n", pss / 1024.0 / n, "MiB");
  }
  return 0;
}

/* calls N: N small calls on a mounted filesystem, cycling through
 * touch, exists, write (6 bytes), is_file on a few dozen names. */
static int
case_calls (int argc, char **argv)
{
  long n = argc >= 1 ? strtol (argv[0], NULL, 10) : 1000;
  if (n < 4) n = 4;

  guestfs_h *g = launch_with_fs (256 * MiB);
  char path[64];

  /* Warm up: create the files once, untimed. */
  for (int k = 0; k < 64; ++k) {
    snprintf (path, sizeof path, "/t%d", k);
    CHECK (g, guestfs_touch (g, path));
    snprintf (path, sizeof path, "/w%d", k);
    CHECK (g, guestfs_write (g, path, "hello\n", 6));
  }

  double per_op[4] = { 0, 0, 0, 0 };
  long count[4] = { 0, 0, 0, 0 };
  double t0 = now ();
  for (long i = 0; i < n; ++i) {
    int op = (int) (i % 4), k = (int) ((i / 4) % 64), r;
    double s = now ();
    switch (op) {
    case 0:
      snprintf (path, sizeof path, "/t%d", k);
      r = guestfs_touch (g, path);
      break;
    case 1:
      snprintf (path, sizeof path, "/t%d", k);
      r = guestfs_exists (g, path);
      if (r == 0) { fprintf (stderr, "bench: %s missing\n", path); return 1; }
      break;
    case 2:
      snprintf (path, sizeof path, "/w%d", k);
      r = guestfs_write (g, path, "hello\n", 6);
      break;
    default:
      snprintf (path, sizeof path, "/w%d", k);
      r = guestfs_is_file (g, path);
      if (r == 0) { fprintf (stderr, "bench: %s not a file\n", path); return 1; }
      break;
    }
    if (r == -1)
      die (g, "small call");
    per_op[op] += now () - s;
    count[op]++;
  }
  double t1 = now ();
  close_handle (g);

  metric ("call", (t1 - t0) / (double) n * 1e6, "us");
  static const char *names[4] = { "touch", "exists", "write", "is_file" };
  for (int op = 0; op < 4; ++op) {
    char name[32];
    snprintf (name, sizeof name, "call_%s", names[op]);
    metric (name, per_op[op] / (double) count[op] * 1e6, "us");
  }
  return 0;
}

/* xorshift64: incompressible-looking data, fast to make. */
static void
fill_random (uint64_t *buf, size_t words, uint64_t *state)
{
  uint64_t x = *state;
  for (size_t i = 0; i < words; ++i) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    buf[i] = x;
  }
  *state = x;
}

static int
files_identical (const char *a, const char *b, uint64_t size)
{
  int fa = open (a, O_RDONLY | O_CLOEXEC), fb = open (b, O_RDONLY | O_CLOEXEC);
  if (fa == -1 || fb == -1) {
    perror ("open");
    return 0;
  }
  struct stat sb;
  if (fstat (fb, &sb) == -1 || (uint64_t) sb.st_size != size) {
    fprintf (stderr, "bench: downloaded size %jd, expected %" PRIu64 "\n",
             (intmax_t) sb.st_size, size);
    return 0;
  }
  static char ba[MiB], bb[MiB];
  int ok = 1;
  for (;;) {
    ssize_t ra = read (fa, ba, sizeof ba);
    if (ra <= 0) { ok = ra == 0; break; }
    ssize_t got = 0;
    while (got < ra) {
      ssize_t rb = read (fb, bb + got, (size_t) (ra - got));
      if (rb <= 0) { ok = 0; break; }
      got += rb;
    }
    if (!ok || memcmp (ba, bb, (size_t) ra) != 0) { ok = 0; break; }
  }
  close (fa);
  close (fb);
  return ok;
}

/* transfer SIZE_MIB: upload a local file, then download it back. */
static int
case_transfer (int argc, char **argv)
{
  long mib = argc >= 1 ? strtol (argv[0], NULL, 10) : 256;
  if (mib < 1) mib = 1;
  uint64_t size = (uint64_t) mib * MiB;

  const char *tmp = getenv ("TMPDIR");
  if (!tmp || !*tmp) tmp = "/tmp";
  char src[4096], dst[4096];
  snprintf (src, sizeof src, "%s/bench-up-%d", tmp, (int) getpid ());
  snprintf (dst, sizeof dst, "%s/bench-down-%d", tmp, (int) getpid ());

  int fd = open (src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd == -1) { perror (src); return 1; }
  static uint64_t buf[MiB / 8];
  uint64_t state = 0x9e3779b97f4a7c15ULL ^ (uint64_t) getpid ();
  for (long i = 0; i < mib; ++i) {
    fill_random (buf, MiB / 8, &state);
    if (write (fd, buf, MiB) != (ssize_t) MiB) { perror (src); return 1; }
  }
  close (fd);

  /* Room for the file plus ext4 overhead. */
  guestfs_h *g = launch_with_fs ((int64_t) (size * 2 + 128 * MiB));

  double t0 = now ();
  CHECK (g, guestfs_upload (g, src, "/data"));
  double t1 = now ();
  CHECK (g, guestfs_sync (g));
  double t2 = now ();
  CHECK (g, guestfs_download (g, "/data", dst));
  double t3 = now ();
  close_handle (g);

  int ok = files_identical (src, dst, size);
  unlink (src);
  unlink (dst);
  if (!ok) {
    fprintf (stderr, "bench: downloaded file differs from the uploaded one\n");
    return 1;
  }
  double mb = (double) size / (double) MiB;
  char name[64];
  snprintf (name, sizeof name, "upload_%ld", mib);
  metric (name, mb / (t1 - t0), "MiB/s");
  snprintf (name, sizeof name, "sync_after_upload_%ld", mib);
  metric (name, t2 - t1, "s");
  snprintf (name, sizeof name, "download_%ld", mib);
  metric (name, mb / (t3 - t2), "MiB/s");
  return 0;
}

/* Where the tree case keeps its host files: BENCH_TREE_DIR, else
 * /dev/shm when it is a tmpfs we may write, else TMPDIR or /tmp.  Not the
 * host's disk by default: each run creates and deletes 20 000 files there,
 * and the host's ext4 then skips the inodes deleted in the last 60-300 s
 * when it creates files (recently_deleted), which added up to 8 s of host
 * CPU to a copy_out here, on either side, depending on what ran before. */
static const char *
tree_host_dir (void)
{
  const char *d = getenv ("BENCH_TREE_DIR");
  if (d && *d)
    return d;
  struct statfs fs;
  if (statfs ("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC &&
      access ("/dev/shm", W_OK) == 0)
    return "/dev/shm";
  d = getenv ("TMPDIR");
  return d && *d ? d : "/tmp";
}

/* tree N: a local directory of N small files (1-4 KiB of pseudo-random
 * data, 100 per subdirectory): copy_in, tar_out of it, tar_in of that
 * archive to another directory, copy_out; each timed, and the copy that
 * comes back compared with the original (diff -r). */
static int
case_tree (int argc, char **argv)
{
  long n = argc >= 1 ? strtol (argv[0], NULL, 10) : 10000;
  if (n < 1) n = 1;
  /* SMP > 1: the user's set_smp, on both sides (a cold boot for ours). */
  int smp = argc >= 2 ? atoi (argv[1]) : 1;
  const char *key = smp > 1 ? "tree_smp" : "tree";
  char mkey[64];
  const char *tmp = tree_host_dir ();
  char top[2048], src[4096], out[4096], tarfile[4096], path[4200], cmd[12800];
  snprintf (top, sizeof top, "%s/bench-tree-%d", tmp, (int) getpid ());
  snprintf (src, sizeof src, "%s/tree", top);
  snprintf (out, sizeof out, "%s/out", top);
  snprintf (tarfile, sizeof tarfile, "%s/tree.tar", top);
  if (mkdir (top, 0700) == -1 || mkdir (src, 0755) == -1 || mkdir (out, 0755) == -1) {
    perror (top);
    return 1;
  }
  static uint64_t buf[512];
  uint64_t state = 0x243f6a8885a308d3ULL;
  for (long i = 0; i < n; ++i) {
    if (i % 100 == 0) {
      snprintf (path, sizeof path, "%s/d%ld", src, i / 100);
      if (mkdir (path, 0755) == -1) { perror (path); return 1; }
    }
    snprintf (path, sizeof path, "%s/d%ld/f%ld", src, i / 100, i);
    fill_random (buf, 512, &state);
    size_t len = 1024 + (size_t) (buf[0] % 3072);
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1 || write (fd, buf, len) != (ssize_t) len) { perror (path); return 1; }
    close (fd);
  }
  /* On a disk, the host writes the new tree back in the next seconds:
   * have that done now, so that it does not compete with the timed calls
   * on either side. */
  sync ();

  guestfs_h *g = launch_with_fs_smp ((int64_t) 512 * MiB, smp);
  double t0 = now ();
  CHECK (g, guestfs_copy_in (g, src, "/"));
  double t1 = now ();
  CHECK (g, guestfs_tar_out (g, "/tree", tarfile));
  double t2 = now ();
  CHECK (g, guestfs_mkdir (g, "/again"));
  CHECK (g, guestfs_tar_in (g, tarfile, "/again"));
  double t3 = now ();
  CHECK (g, guestfs_copy_out (g, "/again", out));
  double t4 = now ();
  close_handle (g);

  snprintf (cmd, sizeof cmd, "diff -r '%s' '%s/again' >&2", src, out);
  int same = system (cmd) == 0;
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", top);
  if (system (cmd) != 0)
    fprintf (stderr, "bench: could not remove %s\n", top);
  if (!same) {
    fprintf (stderr, "bench: the tree copied out differs from the one copied in\n");
    return 1;
  }
  static const char *const calls[] = { "copy_in", "tar_out", "tar_in", "copy_out" };
  const double t[] = { t0, t1, t2, t3, t4 };
  for (size_t i = 0; i < 4; i++) {
    snprintf (mkey, sizeof mkey, "%s_%s", key, calls[i]);
    metric (mkey, t[i + 1] - t[i], "s");
  }
  return 0;
}

static const struct {
  const char *name;
  int (*fn) (int argc, char **argv);
  const char *usage;
} cases[] = {
  { "launch",   case_launch,   "launch                 create, add /dev/null, launch" },
  { "fish",     case_fish,     "fish GUESTFISH [DISK [cold]]  time GUESTFISH -a DISK run" },
  { "parallel", case_parallel, "parallel N GUESTFISH   N launches at once (processes, then threads) against one alone; qemu RSS/PSS" },
  { "calls",    case_calls,    "calls N                N small calls on a mounted ext4" },
  { "transfer", case_transfer, "transfer SIZE_MIB      upload then download a file" },
  { "tree",     case_tree,     "tree N [SMP]           copy_in, tar_out, tar_in, copy_out of N small files (SMP vCPUs)" },
  { "inspect",  case_inspect,  "inspect DISK-IMAGE     launch, inspect, list applications" },
};

int
main (int argc, char **argv)
{
  if (argc >= 2)
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
      if (strcmp (argv[1], cases[i].name) == 0)
        return cases[i].fn (argc - 2, argv + 2);
  fprintf (stderr, "usage: %s CASE [ARGS]\ncases:\n", argv[0]);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
    fprintf (stderr, "  %s\n", cases[i].usage);
  return 2;
}
