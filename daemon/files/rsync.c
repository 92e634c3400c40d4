/* rsync, rsync_in, rsync_out: rsync(1) between guest directories, or
 * between a guest directory and a remote rsync server (these two need the
 * appliance network).
 *
 * Each guest path is first resolved inside the guest tree (sysroot_open),
 * and the path the kernel gives for the opened directory, which has no
 * symlinks left in it, is what rsync is given.  rsync itself then walks
 * and writes along paths the guest controls (a symlink met below the
 * destination), so it runs in the guest sandbox (core/sandbox.c) with
 * the guest's root at /g: those symlinks cannot reach the appliance's
 * own writable files, /proc or /dev.  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* The symlink-free path of an open fd in the guest sandbox, where the
 * guest's root is /g (malloc'd), or NULL. */
static char *
real_path (int fd)
{
  char p[64], buf[PATH_MAX];
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (p, buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  size_t sl = strlen (SYSROOT);
  if (strncmp (buf, SYSROOT, sl) != 0 || (buf[sl] != '/' && buf[sl] != '\0')) {
    errno = EXDEV;              /* not under the guest root: never */
    return NULL;
  }
  char *r;
  if (asprintf (&r, "/g%s", buf + sl) == -1)
    return NULL;
  return r;
}

static bool
has_trailing_slash (const char *path)
{
  size_t len = strlen (path);
  return len > 0 && path[len - 1] == '/';
}

/* rsync's source argument for a guest path: "src/" (a directory, whose
 * contents are copied) resolves whole; "src" names the entry itself in
 * its resolved parent.  Replies on failure.  */
static char *
source_arg (const char *src)
{
  char *r;
  if (has_trailing_slash (src)) {
    CLEANUP_CLOSE int fd = sysroot_open (src, O_PATH | O_DIRECTORY, 0);
    CLEANUP_FREE char *real = fd >= 0 ? real_path (fd) : NULL;
    if (real == NULL) {
      reply_with_perror ("%s", src);
      return NULL;
    }
    if (asprintf (&r, "%s/", strcmp (real, "/") == 0 ? "" : real) == -1) {
      reply_with_perror ("asprintf");
      return NULL;
    }
    return r;
  }
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (src, &base);
  struct stat st;
  if (dfd == -1 || fstatat (dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
    reply_with_perror ("%s", src);
    return NULL;
  }
  CLEANUP_FREE char *real = real_path (dfd);
  if (real == NULL) {
    reply_with_perror ("%s", src);
    return NULL;
  }
  if (asprintf (&r, "%s/%s", real, base) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

/* rsync's destination argument: the guest directory, created if it does
 * not exist yet.  Replies on failure.  */
static char *
dest_arg (const char *dest)
{
  CLEANUP_CLOSE int fd = sysroot_open (dest, O_PATH | O_DIRECTORY, 0);
  if (fd == -1 && errno == ENOENT) {
    CLEANUP_FREE char *base = NULL;
    CLEANUP_CLOSE int dfd = sysroot_open_parent (dest, &base);
    if (dfd == -1 || mkdirat (dfd, base, 0755) == -1) {
      reply_with_perror ("%s", dest);
      return NULL;
    }
    fd = sysroot_open (dest, O_PATH | O_DIRECTORY, 0);
  }
  CLEANUP_FREE char *real = fd >= 0 ? real_path (fd) : NULL;
  if (real == NULL) {
    reply_with_perror ("%s", dest);
    return NULL;
  }
  char *r;
  if (asprintf (&r, "%s/", strcmp (real, "/") == 0 ? "" : real) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

/* The optional arguments have the same bits in all three calls. */
static int
run_rsync (const char *from, const char *to, int archive,
           int deletedest)
{
  const char *argv[10];
  size_t n = 0;
  argv[n++] = "rsync";
  argv[n++] = "--recursive";
  if ((optargs_bitmask & GUESTFS_RSYNC_ARCHIVE_BITMASK) && archive)
    argv[n++] = "--archive";
  if ((optargs_bitmask & GUESTFS_RSYNC_DELETEDEST_BITMASK) && deletedest)
    argv[n++] = "--delete";
  argv[n++] = "--";
  argv[n++] = from;
  argv[n++] = to;
  argv[n] = NULL;
  CLEANUP_FREE char *err = NULL;
  struct command_opts o = { .flags = CMD_SANDBOX_GUEST, .sandbox_dir = "/" };
  int r = command_run (&o, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("%s",
                      err && *err ? trim_newlines (err) : r == -1 ? strerror (errno) :
                      "rsync failed");
    return -1;
  }
  return 0;
}

/* The appliance network is up when there is a default route. */
static bool
network_enabled (void)
{
  FILE *f = fopen ("/proc/net/route", "re");
  if (f == NULL)
    return false;
  char line[512];
  bool found = false;
  while (!found && fgets (line, sizeof line, f)) {
    char iface[64], dest[16];
    if (sscanf (line, "%63s %15s", iface, dest) == 2 && strcmp (dest, "00000000") == 0)
      found = true;
  }
  fclose (f);
  return found;
}

static int
need_network (void)
{
  if (network_enabled ())
    return 0;
  reply_with_error_errno (ENETUNREACH, "the appliance has no network: enable it "
                          "with set_network before launch (guestfish --network)");
  return -1;
}

int
do_rsync (const char *src, const char *dest, int archive, int deletedest)
{
  CLEANUP_FREE char *from = source_arg (src);
  if (from == NULL)
    return -1;
  CLEANUP_FREE char *to = dest_arg (dest);
  if (to == NULL)
    return -1;
  return run_rsync (from, to, archive, deletedest);
}

int
do_rsync_in (const char *remote, const char *dest, int archive, int deletedest)
{
  if (need_network () == -1)
    return -1;
  CLEANUP_FREE char *to = dest_arg (dest);
  if (to == NULL)
    return -1;
  return run_rsync (remote, to, archive, deletedest);
}

int
do_rsync_out (const char *src, const char *remote, int archive, int deletedest)
{
  if (need_network () == -1)
    return -1;
  CLEANUP_FREE char *from = source_arg (src);
  if (from == NULL)
    return -1;
  return run_rsync (from, remote, archive, deletedest);
}
