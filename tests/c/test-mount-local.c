/* mount_local, mount_local_run and umount_local through the C API, the
 * way guestfs(3) describes: the loop runs on the main thread while a
 * second thread uses the mount with ordinary system calls and then calls
 * guestfs_umount_local.  Afterwards the handle still works and sees what
 * was written; the read-only mode refuses writes with EROFS; bad options
 * and misuse give errors.  Skips when FUSE is not usable here. */
#include <pthread.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include "tests.h"

static guestfs_h *g;
static char *mnt;
static const char *thread_result;      /* NULL: all went well */
static bool thread_readonly;

/* If something hangs, do not leave a dead FUSE mount behind. */
static void
on_alarm (int sig)
{
  static const char msg[] = "Bail out! test-mount-local timed out\n";
  if (write (1, msg, sizeof msg - 1)) {}
  execlp ("fusermount3", "fusermount3", "-u", "-z", "--", mnt, (char *) NULL);
  _exit (1);
}

static char *
mpath (const char *rel)
{
  char *p;
  if (asprintf (&p, "%s%s", mnt, rel) == -1)
    abort ();
  return p;
}

static bool
file_is (const char *rel, const char *content)
{
  char *p = mpath (rel);
  char buf[256];
  int fd = open (p, O_RDONLY);
  free (p);
  if (fd == -1)
    return false;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n < 0)
    return false;
  buf[n] = '\0';
  return strcmp (buf, content) == 0;
}

static bool
write_file (const char *rel, const char *content, int flags)
{
  char *p = mpath (rel);
  int fd = open (p, O_WRONLY | O_CREAT | flags, 0644);
  free (p);
  if (fd == -1)
    return false;
  bool r = write (fd, content, strlen (content)) == (ssize_t) strlen (content);
  return close (fd) == 0 && r;
}

#define CHECK(cond, what) do { if (!(cond)) { thread_result = (what); goto out; } } while (0)

static void *
use_the_mount (void *arg)
{
  if (thread_readonly) {
    CHECK (file_is ("/hello", "hello\n"), "read-only: read /hello");
    char *p = mpath ("/new");
    errno = 0;
    int fd = open (p, O_WRONLY | O_CREAT, 0644);
    int e = errno;
    if (fd >= 0) close (fd);
    free (p);
    CHECK (fd == -1 && e == EROFS, "read-only: create fails with EROFS");
    p = mpath ("/hello");
    int r = truncate (p, 0);
    e = errno;
    free (p);
    CHECK (r == -1 && e == EROFS, "read-only: truncate fails with EROFS");
    goto out;
  }

  CHECK (file_is ("/hello", "hello\n"), "read /hello");
  CHECK (write_file ("/new", "new content\n", O_TRUNC), "create and write /new");
  CHECK (file_is ("/new", "new content\n"), "read back /new");
  CHECK (write_file ("/new", "more\n", O_APPEND), "append to /new");
  CHECK (file_is ("/new", "new content\nmore\n"), "read back the append");
  char *d = mpath ("/dir"), *l = mpath ("/dir/link"), *n = mpath ("/new");
  char *m = mpath ("/dir/moved");
  struct stat st;
  bool ok_ = mkdir (d, 0750) == 0 && symlink ("../hello", l) == 0 &&
    rename (n, m) == 0 && stat (m, &st) == 0 && st.st_size == 17 &&
    lstat (l, &st) == 0 && S_ISLNK (st.st_mode) &&
    stat (d, &st) == 0 && (st.st_mode & 07777) == 0750 &&
    setxattr (m, "user.k", "v1", 2, 0) == 0 &&
    setxattr (m, "user.k", "v2", 2, XATTR_CREATE) == -1 && errno == EEXIST;
  char val[16] = "";
  ok_ = ok_ && getxattr (m, "user.k", val, sizeof val) == 2 && memcmp (val, "v1", 2) == 0;
  struct statvfs sv;
  ok_ = ok_ && statvfs (mnt, &sv) == 0 && sv.f_blocks > 0;
  free (d); free (l); free (n); free (m);
  CHECK (ok_, "mkdir, symlink, rename, stat, xattrs, statvfs");
  CHECK (file_is ("/dir/link", "hello\n"), "read through the symlink");

 out:
  /* Unmount from this thread while the loop runs on the other one. */
  if (guestfs_umount_local (g, GUESTFS_UMOUNT_LOCAL_RETRY, 1, -1) == -1 && !thread_result)
    thread_result = "umount_local from the second thread";
  return NULL;
}

static void
run_session (bool readonly)
{
  thread_readonly = readonly;
  thread_result = NULL;
  if (!ok (guestfs_mount_local (g, mnt, GUESTFS_MOUNT_LOCAL_READONLY, readonly,
                                GUESTFS_MOUNT_LOCAL_CACHETIMEOUT, 5, -1) == 0,
           "mount_local%s", readonly ? " readonly:true" : "")) {
    diag ("%s", errmsg (g));
    return;
  }
  pthread_t t;
  if (pthread_create (&t, NULL, use_the_mount, NULL) != 0) {
    printf ("Bail out! pthread_create\n");
    exit (1);
  }
  int r = guestfs_mount_local_run (g);
  pthread_join (t, NULL);
  ok (r == 0, "mount_local_run returns 0 after umount_local%s", readonly ? " (readonly)" : "");
  if (r != 0)
    diag ("%s", errmsg (g));
  ok (thread_result == NULL, "file operations through the mount%s%s%s",
      readonly ? " (readonly)" : "", thread_result ? ": failed at " : "",
      thread_result ? thread_result : "");
}

int
main (void)
{
  if (access ("/dev/fuse", R_OK | W_OK) == -1) {
    printf ("1..0 # SKIP /dev/fuse is not usable\n");
    return 77;
  }
  char *dir = make_tmpdir ("mount-local");
  if (asprintf (&mnt, "%s/mnt", dir) == -1 || mkdir (mnt, 0755) == -1) {
    perror ("mkdir");
    return 1;
  }
  signal (SIGALRM, on_alarm);
  alarm (600);

  g = create_quiet ();
  if (guestfs_add_drive_scratch (g, 64 * 1024 * 1024, -1) == -1 ||
      guestfs_launch (g) == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda") == -1 ||
      guestfs_mount (g, "/dev/sda", "/") == -1 ||
      guestfs_write (g, "/hello", "hello\n", 6) == -1) {
    printf ("Bail out! setting up the scratch disk failed: %s\n", errmsg (g));
    return 1;
  }

  /* Misuse, before anything is mounted. */
  ok (guestfs_mount_local_run (g) == -1, "mount_local_run before mount_local fails");
  ok (guestfs_umount_local (g, -1) == -1, "umount_local with nothing mounted fails");
  ok (guestfs_mount_local (g, mnt, GUESTFS_MOUNT_LOCAL_OPTIONS, "no_such_fuse_option", -1) == -1,
      "mount_local with an unknown FUSE option fails");
  ok (guestfs_mount_local (g, mnt, GUESTFS_MOUNT_LOCAL_CACHETIMEOUT, -1, -1) == -1,
      "mount_local with a negative cachetimeout fails");

  run_session (false);

  char *s = guestfs_cat (g, "/dir/moved");
  ok (s && strcmp (s, "new content\nmore\n") == 0,
      "the handle sees what was written through the mount");
  free (s);
  char **links = guestfs_readlinklist (g, "/dir", (char *[]) { (char *) "link", NULL });
  ok (links && links[0] && strcmp (links[0], "../hello") == 0, "the symlink is in the guest");
  for (size_t i = 0; links && links[i]; i++) free (links[i]);
  free (links);

  run_session (true);

  /* Mounted but never run: umount_local tears it down by itself. */
  ok (guestfs_mount_local (g, mnt, -1) == 0, "mount_local again");
  ok (guestfs_mount_local (g, mnt, -1) == -1, "a second mount_local on the same handle fails");
  ok (guestfs_umount_local (g, -1) == 0, "umount_local without running the loop");
  ok (guestfs_mount_local_run (g) == -1, "mount_local_run after that fails");

  ok (guestfs_shutdown (g) == 0, "shutdown");
  guestfs_close (g);
  alarm (0);
  cleanup_dir (dir);
  free (dir);
  free (mnt);
  return tap_done ();
}
