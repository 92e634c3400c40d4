/* tar_in / tar_out: stream a tar archive between the host and a guest
 * directory through GNU tar (never through a shell).
 *
 * tar_out runs tar in the already resolved directory (fchdir on the fd
 * from sysroot_open); tar does not follow symlinks when it archives, so
 * nothing outside the directory is read.
 *
 * tar_in is the dangerous direction: GNU tar would follow symlinks that
 * already exist in the guest from the appliance's root (an archive member
 * "a/b" with a guest symlink "a" -> "/etc").  So tar_in does not run tar:
 * a child of the daemon reads the archive with libarchive and writes each
 * member itself, every path resolved inside the guest (tar-extract.c).  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* The tar option for a compress optarg, NULL if unknown. */
static const char *
compress_flag (const char *compress)
{
  static const struct { const char *name, *flag; } tab[] = {
    { "compress", "-Z" }, { "gzip", "-z" }, { "bzip2", "-j" },
    { "xz", "-J" }, { "lzop", "--lzop" }, { "zstd", "--zstd" },
  };
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strcmp (compress, tab[i].name) == 0)
      return tab[i].flag;
  return NULL;
}

static int
pipe_write_cb (void *opaque, const void *buf, size_t len)
{
  int fd = *(int *) opaque;
  const char *p = buf;
  while (len > 0) {
    ssize_t r = write (fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;               /* EPIPE: tar has exited */
    }
    p += r;
    len -= (size_t) r;
  }
  return 0;
}

int
do_tar_in (const char *directory, const char *compress, int xattrs, int selinux,
           int acls)
{
  /* libarchive recognises the compression itself; the optarg is checked
   * so that a misspelt one is an error, as with tar. */
  if ((optargs_bitmask & GUESTFS_TAR_IN_OPTS_COMPRESS_BITMASK) && compress &&
      *compress && compress_flag (compress) == NULL) {
    reply_with_error_errno (EINVAL, "unknown compression type '%s'", compress);
    return -1;
  }
  int flags = 0;
  if ((optargs_bitmask & GUESTFS_TAR_IN_OPTS_XATTRS_BITMASK) && xattrs)
    flags |= TAR_EXTRACT_XATTRS;
  if ((optargs_bitmask & GUESTFS_TAR_IN_OPTS_SELINUX_BITMASK) && selinux)
    flags |= TAR_EXTRACT_SELINUX;
  if ((optargs_bitmask & GUESTFS_TAR_IN_OPTS_ACLS_BITMASK) && acls)
    flags |= TAR_EXTRACT_ACLS;

  struct stat st;
  if (sysroot_stat (directory, &st, true) == -1) {
    reply_with_perror ("%s", directory);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    reply_with_error_errno (ENOTDIR, "%s: not a directory", directory);
    return -1;
  }
  if (tar_extract_prepare () == -1)
    return -1;
  CLEANUP_CLOSE int errfd = memfd_create ("tar-stderr", MFD_CLOEXEC);
  int p[2];
  if (errfd == -1 || pipe2 (p, O_CLOEXEC) == -1) {
    reply_with_perror ("pipe");
    return -1;
  }
  /* A big pipe: fewer wakeups while 2 MiB chunks flow into the child. */
  (void) fcntl (p[1], F_SETPIPE_SZ, 1024 * 1024);
  if (verbose)
    fprintf (stderr, "guestfsd: tar_in: extracting into %s\n", directory);
  pid_t pid = fork ();
  if (pid == 0) {
    /* The extracting child: reads the archive from the pipe. */
    signal (SIGPIPE, SIG_DFL);
    close (p[1]);
    if (dup2 (errfd, 2) == -1)
      _exit (127);
    _exit (tar_extract (p[0], directory, flags));
  }
  close (p[0]);
  if (pid == -1) {
    close (p[1]);
    reply_with_perror ("fork");
    return -1;
  }
  int r = receive_file (pipe_write_cb, &p[1]);
  int e = errno;
  close (p[1]);
  if (r == -1 && e == ECANCELED)
    kill (pid, SIGTERM);
  int status = wait_program (pid);
  CLEANUP_FREE char *err = read_stderr_memfd (errfd);

  if (r == -1 && e == ECANCELED) {
    reply_with_error_errno (e, "%s: file upload cancelled", directory);
    return -1;
  }
  if (status != 0) {
    if (err && *err)
      reply_with_error ("%s", err);
    else
      reply_with_error ("tar_in: extraction failed (status %d)", status);
    return -1;
  }
  if (r == -1) {
    reply_with_error_errno (e, "%s: %s", directory, strerror (e));
    return -1;
  }
  return 0;
}

int
do_tar_out (const char *directory, const char *compress, int numericowner,
            char *const *excludes, int xattrs, int selinux, int acls)
{
  if (directory[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: path must start with a / character",
                            directory);
    return -1;
  }
  if (need_root ("tar_out") == -1)
    return -1;

  struct stringsbuf sb = { 0 };
  /* --sparse: holes travel as holes, so a guest's 2^40-byte sparse file
   * is a small archive member (and a sparse file when unpacked), not a
   * terabyte of zeros through the channel and onto the host's disk. */
  bool ok = add_string (&sb, "tar") == 0 && add_string (&sb, "-cf") == 0 &&
    add_string (&sb, "-") == 0 && add_string (&sb, "--sparse") == 0;
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_COMPRESS_BITMASK) && compress &&
      *compress) {
    const char *f = compress_flag (compress);
    if (f == NULL) {
      free_stringsbuf (&sb);
      reply_with_error_errno (EINVAL, "unknown compression type '%s'", compress);
      return -1;
    }
    ok = ok && add_string (&sb, f) == 0;
  }
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_NUMERICOWNER_BITMASK) && numericowner)
    ok = ok && add_string (&sb, "--numeric-owner") == 0;
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_EXCLUDES_BITMASK) && excludes) {
    for (size_t i = 0; excludes[i]; i++) {
      char *x;
      if (asprintf (&x, "--exclude=%s", excludes[i]) == -1 ||
          add_string_nodup (&sb, x) == -1)
        ok = false;
    }
  }
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_XATTRS_BITMASK) && xattrs)
    ok = ok && add_string (&sb, "--xattrs") == 0;
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_SELINUX_BITMASK) && selinux)
    ok = ok && add_string (&sb, "--selinux") == 0;
  if ((optargs_bitmask & GUESTFS_TAR_OUT_OPTS_ACLS_BITMASK) && acls)
    ok = ok && add_string (&sb, "--acls") == 0;
  ok = ok && add_string (&sb, ".") == 0 && end_stringsbuf (&sb) == 0;
  if (!ok) {
    free_stringsbuf (&sb);
    reply_with_perror ("tar_out");
    return -1;
  }
  CLEANUP_FREE_STRINGS char **argv = take_stringsbuf (&sb);

  CLEANUP_CLOSE int dirfd = sysroot_open (directory, O_PATH | O_DIRECTORY |
                                          O_CLOEXEC, 0);
  if (dirfd == -1) {
    reply_with_perror ("%s", directory);
    return -1;
  }
  return command_to_fileout ("tar_out", (const char *const *) argv, dirfd, -1);
}
