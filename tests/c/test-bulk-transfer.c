/* File streams through the bulk data disk (common/protocol.h): big
 * chunks of uploads and downloads go through a second virtio-blk disk
 * instead of the channel.  Checked on a restored appliance:
 *  - the disk is used (its file in the handle's temporary directory gets
 *    data), and files of sizes around the chunk and slot boundaries
 *    (0, 1, 64 KiB +- 1, 2 MiB +- 1, more than all slots at once, with an
 *    unaligned tail) come back byte for byte;
 *  - upload_offset / download_offset at unaligned offsets;
 *  - an upload from a pipe, written in odd pieces; a download to a
 *    descriptor open for appending (no copy_file_range there);
 *  - a whole device uploaded and read back;
 *  - an upload the daemon refuses at once (missing directory) fails
 *    with its error (the library stops sending when the early reply
 *    comes), and the handle works after it; a download to a host path that cannot be
 *    opened fails and the handle stays in step;
 *  - a download into a pipe whose reader has gone fails with EPIPE (no
 *    SIGPIPE for the caller), and the handle stays in step;
 *  - an upload cancelled from another thread fails with "cancelled" and
 *    the handle works after it.
 * And once on a cold boot (nosnapshot), where the daemon announces the
 * disk in its greeting rather than in its resume reply: a round trip.
 * Everything runs in a child with a time bound.  Two launches. */
#include <pthread.h>

#include "tests.h"

static char *dir;

/* A file of n pseudo-random bytes (seeded), path malloc'd. */
static char *
make_file (const char *name, size_t n, unsigned seed)
{
  char *path;
  if (asprintf (&path, "%s/%s", dir, name) == -1) exit (1);
  FILE *f = fopen (path, "w");
  if (!f) { perror (path); exit (1); }
  uint64_t s = 0x9e3779b97f4a7c15ULL ^ seed;
  for (size_t i = 0; i < n; ++i) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    fputc ((int) (s & 0xff), f);
  }
  fclose (f);
  return path;
}

static bool
same_files (const char *a, const char *b)
{
  char *x = sha256_file (a), *y = sha256_file (b);
  bool r = x && y && strcmp (x, y) == 0;
  free (x);
  free (y);
  return r;
}

/* Bytes of the bulk disk's file that hold data (it starts sparse). */
static long long
bulk_allocated (guestfs_h *g)
{
  char *path = qemu_arg_path (g, "/bulk.img");
  struct stat st;
  long long r = -1;
  if (path && stat (path, &st) == 0)
    r = (long long) st.st_blocks * 512;
  free (path);
  return r;
}

struct writer { int fd; size_t total; int pause_us; };

/* Write total pseudo-random bytes in odd-sized pieces, then close. */
static void *
pipe_writer (void *arg)
{
  struct writer *w = arg;
  static const size_t pieces[] = { 1, 4095, 70000, 1 << 20, 513, 300000 };
  char *buf = malloc (1 << 20);
  uint64_t s = 42;
  size_t done = 0;
  for (size_t k = 0; done < w->total; ++k) {
    size_t n = pieces[k % 6];
    if (n > w->total - done) n = w->total - done;
    for (size_t i = 0; i < n; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; buf[i] = (char) s; }
    if (write (w->fd, buf, n) != (ssize_t) n) break;
    done += n;
    if (w->pause_us) usleep (w->pause_us);
  }
  free (buf);
  close (w->fd);
  return NULL;
}

static guestfs_h *cancel_g;

static void *
cancel_later (void *arg)
{
  (void) arg;
  usleep (800 * 1000);
  guestfs_user_cancel (cancel_g);
  return NULL;
}

static const size_t sizes[] = {
  0, 1, 65535, 65536, 65537, (2 << 20) - 1, 2 << 20, (2 << 20) + 1,
  (9 << 20) + 513,
};

static int
restored (void *arg, int fd)
{
  (void) arg;
  signal (SIGPIPE, SIG_IGN);    /* the cancelled upload's writer meets a closed pipe */
  guestfs_h *g = create_quiet ();
  if (guestfs_add_drive_scratch (g, 96 << 20, -1) == -1 ||
      guestfs_add_drive_scratch (g, 16 << 20, -1) == -1 ||
      guestfs_launch (g) == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda") == -1 ||
      guestfs_mount (g, "/dev/sda", "/") == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  dprintf (fd, "bulk-before=%lld\n", bulk_allocated (g));

  char *back;
  if (asprintf (&back, "%s/back", dir) == -1) return 2;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    char name[32], remote[32];
    snprintf (name, sizeof name, "f%zu", i);
    snprintf (remote, sizeof remote, "/f%zu", i);
    char *src = make_file (name, sizes[i], (unsigned) i);
    int u = guestfs_upload (g, src, remote);
    int64_t sz = guestfs_filesize (g, remote);
    unlink (back);
    int d = guestfs_download (g, remote, back);
    dprintf (fd, "size %zu: up=%d filesize=%lld down=%d same=%d %s\n", sizes[i], u,
             (long long) sz, d, same_files (src, back),
             u == -1 || d == -1 ? errmsg (g) : "");
    free (src);
  }
  dprintf (fd, "bulk-after=%lld\n", bulk_allocated (g));

  /* Offsets: 3 MiB + 7 bytes written at 1000 into a 5 MiB file of
   * zeros, then 4 MiB read back from offset 777. */
  char *piece = make_file ("piece", (3 << 20) + 7, 99);
  int r1 = guestfs_fallocate64 (g, "/zeros", 5 << 20);
  int r2 = guestfs_upload_offset (g, piece, "/zeros", 1000);
  unlink (back);
  int r3 = guestfs_download_offset (g, "/zeros", back, 777, 4 << 20);
  /* The expected 4 MiB: 223 zeros, the piece, zeros after it. */
  char *expect;
  if (asprintf (&expect, "%s/expect", dir) == -1) return 2;
  FILE *e = fopen (expect, "w"), *p = fopen (piece, "r");
  for (int i = 0; i < 1000 - 777; ++i) fputc (0, e);
  int c;
  while ((c = fgetc (p)) != EOF) fputc (c, e);
  while (ftell (e) < (4 << 20)) fputc (0, e);
  fclose (e);
  fclose (p);
  dprintf (fd, "offsets: %d %d %d same=%d %s\n", r1, r2, r3, same_files (expect, back),
           r1 == -1 || r2 == -1 || r3 == -1 ? errmsg (g) : "");

  /* From a pipe, in odd pieces: compare with the same stream made again. */
  int pp[2];
  if (pipe (pp) == -1) return 2;
  struct writer w = { pp[1], (5 << 20) + 3, 0 };
  pthread_t th;
  pthread_create (&th, NULL, pipe_writer, &w);
  char src[64];
  snprintf (src, sizeof src, "/dev/fd/%d", pp[0]);
  int up = guestfs_upload (g, src, "/piped");
  pthread_join (th, NULL);
  close (pp[0]);
  char *again;
  if (asprintf (&again, "%s/piped", dir) == -1) return 2;
  int af = open (again, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  struct writer w2 = { af, (5 << 20) + 3, 0 };
  pipe_writer (&w2);
  unlink (back);
  int dp = guestfs_download (g, "/piped", back);
  dprintf (fd, "pipe: up=%d down=%d same=%d %s\n", up, dp, same_files (again, back),
           up == -1 || dp == -1 ? errmsg (g) : "");

  /* A whole device. */
  char *dev = make_file ("dev", 16 << 20, 7);
  int du = guestfs_upload (g, dev, "/dev/sdb");
  unlink (back);
  int dd = guestfs_download (g, "/dev/sdb", back);
  dprintf (fd, "device: up=%d down=%d same=%d %s\n", du, dd, same_files (dev, back),
           du == -1 || dd == -1 ? errmsg (g) : "");

  /* To a descriptor the kernel cannot copy into (O_APPEND): the library
   * reads each slot and writes it instead. */
  char *appended;
  if (asprintf (&appended, "%s/appended", dir) == -1) return 2;
  int apfd = open (appended, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  char apsrc[64];
  snprintf (apsrc, sizeof apsrc, "/dev/fd/%d", apfd);
  int ad = guestfs_download (g, "/piped", apsrc);
  close (apfd);
  dprintf (fd, "append: down=%d same=%d %s\n", ad, same_files (again, appended),
           ad == -1 ? errmsg (g) : "");

  /* Refused at once: the upload stops early with the daemon's error. */
  char *big = make_file ("big", 64 << 20, 5);
  double t0 = now ();
  int bad = guestfs_upload (g, big, "/no/such/dir/file");
  dprintf (fd, "refused: r=%d errno=%d t=%.2f err=%s\n", bad, guestfs_last_errno (g),
           now () - t0, bad == -1 ? errmsg (g) : "");
  dprintf (fd, "ping-after-refused r=%d\n", guestfs_ping_daemon (g));
  int bd = guestfs_download (g, "/f8", "/no/such/dir/out");
  unlink (back);
  int gd = guestfs_download (g, "/f8", back);
  dprintf (fd, "unwritable: bad=%d good=%d\n", bd, gd);
  struct stat st;
  dprintf (fd, "unwritable-then-ok size=%lld\n",
           stat (back, &st) == 0 ? (long long) st.st_size : -1LL);

  /* Into a pipe whose reader has gone (copy_out's host tar could fail
   * that way): an error, EPIPE, not a SIGPIPE that kills this process
   * (its status would be 141); the handle stays in step. */
  int np[2];
  if (pipe (np) == -1) return 2;
  close (np[0]);
  char npath[64];
  snprintf (npath, sizeof npath, "/dev/fd/%d", np[1]);
  signal (SIGPIPE, SIG_DFL);    /* as in a program that does not ignore it */
  int nd = guestfs_download (g, "/piped", npath);
  signal (SIGPIPE, SIG_IGN);
  dprintf (fd, "no-reader: r=%d errno=%d err=%s\n", nd, guestfs_last_errno (g),
           nd == -1 ? errmsg (g) : "");
  close (np[1]);
  dprintf (fd, "ping-after-no-reader r=%d\n", guestfs_ping_daemon (g));

  /* Cancelled mid-stream: a pipe that trickles 64 MiB over ~3 s. */
  if (pipe (pp) == -1) return 2;
  struct writer w3 = { pp[1], 64 << 20, 50 * 1000 };
  pthread_create (&th, NULL, pipe_writer, &w3);
  snprintf (src, sizeof src, "/dev/fd/%d", pp[0]);
  cancel_g = g;
  pthread_t ct;
  pthread_create (&ct, NULL, cancel_later, NULL);
  t0 = now ();
  int cu = guestfs_upload (g, src, "/cancelled");
  dprintf (fd, "cancel: r=%d t=%.1f err=%s\n", cu, now () - t0, cu == -1 ? errmsg (g) : "");
  close (pp[0]);          /* the writer then fails and ends */
  pthread_join (ct, NULL);
  pthread_join (th, NULL);
  dprintf (fd, "ping-after-cancel r=%d\n", guestfs_ping_daemon (g));

  guestfs_close (g);
  return 0;
}

static int
cold (void *arg, int fd)
{
  (void) arg;
  guestfs_h *g = create_quiet ();
  guestfs_set_backend_settings (g, (char *[]) { (char *) "nosnapshot", NULL });
  if (guestfs_add_drive_scratch (g, 64 << 20, -1) == -1 || guestfs_launch (g) == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda") == -1 || guestfs_mount (g, "/dev/sda", "/") == -1) {
    dprintf (fd, "launch failed: %s\n", errmsg (g));
    return 2;
  }
  char *src = make_file ("cold", (5 << 20) + 5, 3), *back;
  if (asprintf (&back, "%s/coldback", dir) == -1) return 2;
  int u = guestfs_upload (g, src, "/c");
  int d = guestfs_download (g, "/c", back);
  dprintf (fd, "cold: up=%d down=%d same=%d bulk=%lld %s\n", u, d, same_files (src, back),
           bulk_allocated (g), u == -1 || d == -1 ? errmsg (g) : "");
  guestfs_close (g);
  return 0;
}

static long long
field (const char *text, const char *key)
{
  const char *p = strstr (text, key);
  return p ? atoll (p + strlen (key)) : -1;
}

int
main (void)
{
  dir = make_tmpdir ("bulk");
  char *text;
  int st = run_bounded (restored, NULL, 600, dir, &text, NULL);
  diag ("%s", text);
  ok (st == 0, "the restored appliance ran every transfer (status %d)", st);
  ok (field (text, "bulk-before=") == 0 && field (text, "bulk-after=") > (4 << 20),
      "the bulk data disk carried the big chunks (%lld bytes of its file used)",
      field (text, "bulk-after="));
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {
    char key[32];
    snprintf (key, sizeof key, "size %zu: up=0 ", sizes[i]);
    const char *l = strstr (text, key);
    ok (l && field (l, "filesize=") == (long long) sizes[i] &&
        strncmp (strstr (l, " down="), " down=0 same=1", 14) == 0,
        "%zu bytes: uploaded, right size, downloaded byte for byte", sizes[i]);
  }
  ok (contains (text, "offsets: 0 0 0 same=1"),
      "upload_offset and download_offset at unaligned offsets");
  ok (contains (text, "pipe: up=0 down=0 same=1"), "an upload from a pipe written in odd pieces");
  ok (contains (text, "append: down=0 same=1"), "a download to a descriptor opened for appending");
  ok (contains (text, "device: up=0 down=0 same=1"), "a whole device uploaded and read back");
  const char *r = strstr (text, "refused: r=-1");
  ok (r && contains (r, "No such file or directory") && field (text, "refused: r=-1 errno=") == ENOENT,
      "an upload into a missing directory fails with ENOENT and the daemon's message");
  ok (contains (text, "ping-after-refused r=0"), "the handle works after the refused upload");
  ok (contains (text, "unwritable: bad=-1 good=0") &&
      field (text, "unwritable-then-ok size=") == (9 << 20) + 513,
      "a download to an unopenable host path fails; the next download is whole");
  ok (contains (text, "no-reader: r=-1") && contains (text, "Broken pipe"),
      "a download into a pipe with no reader fails with EPIPE, no SIGPIPE");
  ok (contains (text, "ping-after-no-reader r=0"), "the handle works after it");
  ok (contains (text, "cancel: r=-1") && contains_ci (strstr (text, "cancel: r=-1"), "cancelled"),
      "an upload cancelled from another thread fails with 'cancelled'");
  ok (contains (text, "ping-after-cancel r=0"), "the handle works after the cancelled upload");

  st = run_bounded (cold, NULL, 600, dir, &text, NULL);
  diag ("%s", text);
  ok (st == 0 && contains (text, "cold: up=0 down=0 same=1") && field (text, " bulk=") > 0,
      "a cold-booted appliance (nosnapshot) uses the bulk data disk too");
  cleanup_dir (dir);
  return tap_done ();
}
