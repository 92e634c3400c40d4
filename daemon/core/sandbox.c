/* The guest sandbox (daemon.h, sandbox_enter): where programs that write
 * into a guest tree along paths the guest controls run (rsync; tar_in
 * writes members itself instead, files/tar-extract.c).
 * Such a program follows symlinks that already exist in the guest (an
 * archive member "a/b" with a guest symlink "a" -> "/etc"), which
 * openat2(RESOLVE_IN_ROOT) cannot stop: it is not our code opening.  So
 * it runs in a private mount namespace, chrooted into a fresh tmpfs that
 * holds only the appliance's program directories (read-only bind mounts)
 * and the guest directory (bind-mounted at /g).  A guest symlink,
 * absolute or with "..", can then reach only that tmpfs or read-only
 * files, never the appliance's writable files, /proc, /sys or /dev.  */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"

/* In the child: die with a message on stderr. */
static void __attribute__((noreturn))
child_die (const char *what)
{
  dprintf (2, "guest sandbox: %s: %s\n", what, strerror (errno));
  _exit (127);
}

void
sandbox_enter (const char *directory)
{
  static const char *const progdirs[] = {
    "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc",
  };
  const char *top = "/tmp";   /* any appliance directory: covered privately */
  char p[256];

  if (unshare (CLONE_NEWNS) == -1)
    child_die ("unshare");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
    child_die ("make mounts private");
  if (mount ("hatch-sandbox", top, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == -1)
    child_die ("mount tmpfs");
  for (size_t i = 0; i < sizeof progdirs / sizeof progdirs[0]; i++) {
    struct stat st;
    char src[64];
    snprintf (src, sizeof src, "/%s", progdirs[i]);
    snprintf (p, sizeof p, "%s/%s", top, progdirs[i]);
    if (lstat (src, &st) == -1)
      continue;
    if (S_ISLNK (st.st_mode)) {        /* merged /usr: bin -> usr/bin */
      char target[256];
      ssize_t n = readlink (src, target, sizeof target - 1);
      if (n < 0)
        child_die (src);
      target[n] = '\0';
      if (symlink (target, p) == -1)
        child_die (p);
      continue;
    }
    if (!S_ISDIR (st.st_mode))
      continue;
    if (mkdir (p, 0755) == -1 ||
        mount (src, p, NULL, MS_BIND | MS_REC, NULL) == -1 ||
        mount (NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID |
               MS_NODEV, NULL) == -1)
      child_die (p);
  }
  snprintf (p, sizeof p, "%s/g", top);
  if (mkdir (p, 0755) == -1)
    child_die (p);
  /* Resolve the directory again (inside the root, as always): an fd opened
   * before unshare names a mount of the old namespace, which cannot be
   * bound here.  The /proc link is followed by mount in this process.
   * MS_REC keeps guest filesystems mounted below it.  */
  int dfd = sysroot_open (directory, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd == -1)
    child_die (directory);
  char src[64];
  snprintf (src, sizeof src, "/proc/self/fd/%d", dfd);
  if (mount (src, p, NULL, MS_BIND | MS_REC, NULL) == -1)
    child_die ("bind the target directory");
  close (dfd);
  if (chdir (top) == -1 || chroot (".") == -1 || chdir ("/g") == -1)
    child_die ("chroot");
}

