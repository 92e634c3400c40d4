/* NTFS: ntfs_3g_probe, ntfsresize, ntfsfix, ntfs_chmod, ntfsclone_out,
 * ntfsclone_in.
 *
 * The clone actions stream: ntfsclone writes its image to a pipe that is
 * sent to the host chunk by chunk, or reads the host's chunks from a pipe,
 * so images of any size pass without a temporary copy in the appliance. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol.h"

int fs2_send_fd (int fd, const char *what);

static int
run_ntfs (const char *const *argv, const char *device)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("%s: %s: %s", argv[0], device, msg);
    return -1;
  }
  return 0;
}

int
do_ntfs_3g_probe (int rw, const char *device)
{
  const char *argv[] = { "ntfs-3g.probe", rw ? "--readwrite" : "--readonly", device, NULL };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, NULL, &err, argv);
  if (r < 0) {
    reply_with_error ("ntfs-3g.probe: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return r;
}

int
do_ntfsresize (const char *device, int64_t size, int force)
{
  const char *argv[10];
  size_t n = 0;
  char sz[32];
  argv[n++] = "ntfsresize";
  argv[n++] = "--no-progress-bar";
  if (optargs_bitmask & GUESTFS_NTFSRESIZE_OPTS_SIZE_BITMASK) {
    if (size <= 0) {
      reply_with_error_errno (EINVAL, "size must be positive");
      return -1;
    }
    snprintf (sz, sizeof sz, "%" PRIi64, size);
    argv[n++] = "--size";
    argv[n++] = sz;
  }
  if ((optargs_bitmask & GUESTFS_NTFSRESIZE_OPTS_FORCE_BITMASK) && force)
    argv[n++] = "--force";
  argv[n++] = device;
  argv[n] = NULL;
  /* ntfsresize asks "Are you sure" only on a terminal; "y" on stdin
   * answers it anyway. */
  struct command_opts o = { .stdin_data = "y\n", .stdin_len = 2 };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (&o, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("ntfsresize: %s: %s", device, msg);
    return -1;
  }
  return 0;
}

/* ntfssecaudit writes a new security descriptor made from Unix mode bits
 * on a file of an unmounted volume; path is inside the volume. */
int
do_ntfs_chmod (const char *device, int mode, const char *path, int recursive)
{
  if (mode < 0 || mode > 07777) {
    reply_with_error_errno (EINVAL, "mode %#o out of range (0 to 07777)", (unsigned) mode);
    return -1;
  }
  if (path[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: the path inside the volume must start with /", path);
    return -1;
  }
  char perms[16];
  snprintf (perms, sizeof perms, "%o", (unsigned) mode);
  bool rec = (optargs_bitmask & GUESTFS_NTFS_CHMOD_RECURSIVE_BITMASK) && recursive;
  const char *argv[] = { "ntfssecaudit", rec ? "-r" : device, rec ? device : perms,
                         rec ? perms : path, rec ? path : NULL, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    /* The reason is on stdout ("** Could not access /x", "Error code 2
     * : ..."), among the dump of the new descriptor; stderr has the rest. */
    char why[512] = "";
    CLEANUP_FREE_STRINGS char **lines = out ? split_lines (out) : NULL;
    for (size_t i = 0; lines && lines[i]; ++i)
      if (strncmp (lines[i], "** ", 3) == 0 || strncmp (lines[i], "Error code", 10) == 0) {
        size_t l = strlen (why);
        snprintf (why + l, sizeof why - l, "%s%s", l ? "; " : "",
                  lines[i] + (lines[i][0] == '*' ? 3 : 0));
      }
    if (!why[0] && err && *err) {
      char *usage = strstr (err, "\nUsage:");   /* not the usage text */
      if (usage)
        *usage = '\0';
      snprintf (why, sizeof why, "%s", trim_newlines (err));
    }
    reply_with_error ("ntfssecaudit: %s: %s: %s", device, path, why[0] ? why : "failed");
    return -1;
  }
  return 0;
}

int
do_ntfsfix (const char *device, int clearbadsectors)
{
  const char *argv[] = { "ntfsfix", NULL, NULL, NULL };
  size_t n = 1;
  if ((optargs_bitmask & GUESTFS_NTFSFIX_CLEARBADSECTORS_BITMASK) && clearbadsectors)
    argv[n++] = "-b";
  argv[n] = device;
  return run_ntfs (argv, device);
}

/* ---- clone ---- */

int
do_ntfsclone_out (const char *device, int metadataonly, int rescue, int ignorefscheck,
                  int preservetimestamps, int force)
{
  const char *argv[16];
  size_t n = 0;
  argv[n++] = "ntfsclone";
  argv[n++] = "--save-image";
  argv[n++] = "--output";
  argv[n++] = "-";
  if ((optargs_bitmask & GUESTFS_NTFSCLONE_OUT_METADATAONLY_BITMASK) && metadataonly)
    argv[n++] = "--metadata";
  if ((optargs_bitmask & GUESTFS_NTFSCLONE_OUT_RESCUE_BITMASK) && rescue)
    argv[n++] = "--rescue";
  if ((optargs_bitmask & GUESTFS_NTFSCLONE_OUT_IGNOREFSCHECK_BITMASK) && ignorefscheck)
    argv[n++] = "--ignore-fs-check";
  if ((optargs_bitmask & GUESTFS_NTFSCLONE_OUT_PRESERVETIMESTAMPS_BITMASK) && preservetimestamps)
    argv[n++] = "--preserve-timestamps";
  if ((optargs_bitmask & GUESTFS_NTFSCLONE_OUT_FORCE_BITMASK) && force)
    argv[n++] = "--force";
  argv[n++] = device;
  argv[n] = NULL;

  return command_to_fileout ("ntfsclone_out", argv, -1, -1);
}

static int
write_all_cb (void *opaque, const void *buf, size_t len)
{
  int fd = *(int *) opaque;
  const char *p = buf;
  while (len > 0) {
    ssize_t r = write (fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    len -= (size_t) r;
  }
  return 0;
}

int
do_ntfsclone_in (const char *device)
{
  const char *argv[] = { "ntfsclone", "--restore-image", "--overwrite", device, "-", NULL };
  CLEANUP_CLOSE int errfd = memfd_create ("ntfsclone-stderr", MFD_CLOEXEC);
  int p[2];
  if (errfd == -1 || pipe2 (p, O_CLOEXEC) == -1) {
    reply_with_perror ("ntfsclone_in");
    return -1;
  }
  (void) fcntl (p[1], F_SETPIPE_SZ, 1024 * 1024);
  pid_t pid = spawn_program (argv, -1, p[0], -1, errfd);
  close (p[0]);
  if (pid == -1) {
    close (p[1]);
    reply_with_perror ("fork");
    return -1;
  }
  int r = receive_file (write_all_cb, &p[1]);
  int e = errno;
  close (p[1]);
  if (r == -1 && e == ECANCELED)
    kill (pid, SIGTERM);
  int status = wait_program (pid);
  CLEANUP_FREE char *err = read_stderr_memfd (errfd);
  if (r == -1 && e == ECANCELED) {
    reply_with_error_errno (e, "%s: file upload cancelled", device);
    return -1;
  }
  if (status != 0) {
    reply_with_error ("ntfsclone: %s: %s", device, err && *err ? err : "failed");
    return -1;
  }
  if (r == -1) {
    reply_with_error_errno (e, "ntfsclone_in: %s: %s", device, strerror (e));
    return -1;
  }
  return 0;
}
