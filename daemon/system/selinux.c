/* SELinux: getcon and setcon (the security context of the daemon itself,
 * through libselinux; the appliance kernel normally runs without SELinux,
 * and then they fail), and setfiles / selinux_relabel (label guest files
 * from the guest's file_contexts with setfiles, which works without SELinux in the
 * appliance: the labels are just security.selinux attributes).
 *
 * setfiles takes paths, and resolves them with the appliance's view of
 * the filesystem.  So the guest paths are first opened with sysroot_open
 * (symlinks resolved inside the guest) and the resolved path of that
 * descriptor, read back from /proc, is what setfiles gets: it has no
 * symlinks left, and it lies under /sysroot.  Below it, setfiles walks the
 * tree physically (never following symlinks). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <selinux/selinux.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

char *
do_getcon (void)
{
  if (is_selinux_enabled () <= 0) {
    reply_with_error_errno (ENOTSUP, "SELinux is not enabled in the appliance");
    return NULL;
  }
  char *con = NULL;
  if (getcon (&con) == -1) {
    reply_with_perror ("getcon");
    return NULL;
  }
  char *ret = strdup (con);
  freecon (con);
  if (!ret)
    reply_with_perror ("strdup");
  return ret;
}

int
do_setcon (const char *context)
{
  if (is_selinux_enabled () <= 0) {
    reply_with_error_errno (ENOTSUP, "SELinux is not enabled in the appliance");
    return -1;
  }
  if (setcon (context) == -1) {
    reply_with_perror ("%s", context);
    return -1;
  }
  return 0;
}

/* The appliance path of a guest path, with every symlink resolved inside
 * the guest: "/sysroot/...".  Replies on failure. */
static char *
resolved_path (const char *path, int flags)
{
  /* A file to be read by a tool must be a regular file (a FIFO or
   * device node there would hang it or feed it endless data). */
  CLEANUP_CLOSE int fd = (flags & O_PATH) ? sysroot_open (path, flags, 0)
                                          : sysroot_open_data (path, flags, 0);
  if (fd == -1) {
    if (flags & O_PATH)
      reply_with_perror ("%s", path);
    return NULL;
  }
  CLEANUP_FREE char *link = fd_path (fd);
  char buf[PATH_MAX];
  ssize_t n = link ? readlink (link, buf, sizeof buf - 1) : -1;
  if (n == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  buf[n] = '\0';
  size_t rl = strlen (SYSROOT);
  if (strncmp (buf, SYSROOT, rl) != 0 || (buf[rl] != '\0' && buf[rl] != '/')) {
    reply_with_error ("%s: resolves outside the guest filesystem (%s)", path, buf);
    return NULL;
  }
  char *ret = strdup (buf);
  if (!ret)
    reply_with_perror ("strdup");
  return ret;
}

/* setfiles -m -r /sysroot [-F] [-e DIR]... SPEC PATH...: every path and
 * excluded directory resolved inside the guest first (see the top). */
static int
run_setfiles (const char *specfile, char *const *paths, int force, char *const *excludes)
{
  if (need_root ("setfiles") == -1)
    return -1;
  if (specfile[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: the spec file must be an absolute guest path", specfile);
    return -1;
  }
  size_t np = 0, ne = 0;
  while (paths && paths[np]) np++;
  while (excludes && excludes[ne]) ne++;
  if (np == 0)
    return 0;
  for (size_t i = 0; i < np + ne; ++i) {
    const char *p = i < np ? paths[i] : excludes[i - np];
    if (p[0] != '/') {
      reply_with_error_errno (EINVAL, "%s: not an absolute guest path", p);
      return -1;
    }
  }
  CLEANUP_FREE char *spec = resolved_path (specfile, O_RDONLY);
  if (!spec)
    return -1;

  /* argv and the resolved paths it points to. */
  CLEANUP_FREE const char **argv = calloc (np + 2 * ne + 12, sizeof *argv);
  CLEANUP_FREE_STRINGS char **keep = calloc (np + ne + 1, sizeof *keep);
  if (!argv || !keep) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t i = 0, k = 0;
  argv[i++] = "setfiles";
  if (force)
    argv[i++] = "-F";
  argv[i++] = "-m";                 /* /proc/mounts describes the appliance */
  argv[i++] = "-r";
  argv[i++] = SYSROOT;
  for (size_t e = 0; e < ne; ++e) {
    /* An excluded directory that does not exist excludes nothing. */
    CLEANUP_CLOSE int fd = sysroot_open (excludes[e], O_PATH, 0);
    if (fd == -1 && (errno == ENOENT || errno == ENOTDIR))
      continue;
    if ((keep[k] = resolved_path (excludes[e], O_PATH)) == NULL)
      return -1;
    argv[i++] = "-e";
    argv[i++] = keep[k++];
  }
  argv[i++] = spec;
  for (size_t p = 0; p < np; ++p) {
    if ((keep[k] = resolved_path (paths[p], O_PATH)) == NULL)
      return -1;
    argv[i++] = keep[k++];
  }
  argv[i] = NULL;

  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("setfiles: %s", err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

int
do_setfiles (const char *specfile, char *const *paths, int force, char *const *excludes)
{
  return run_setfiles (specfile, paths,
                       (optargs_bitmask & GUESTFS_SETFILES_FORCE_BITMASK) && force,
                       (optargs_bitmask & GUESTFS_SETFILES_EXCLUDES_BITMASK) ? excludes : NULL);
}

int
do_selinux_relabel (const char *specfile, const char *path, int force)
{
  char *const paths[] = { (char *) path, NULL };
  return run_setfiles (specfile, paths,
                       (optargs_bitmask & GUESTFS_SELINUX_RELABEL_FORCE_BITMASK) && force, NULL);
}
