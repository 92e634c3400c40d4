/* guestfs_disk_create: blank raw images are made here (a sparse or
 * fully allocated file); qcow2 images with qemu-img create. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* Run argv; on failure set the handle error including the tool's
 * stderr.  Returns 0 or -1. */
static int
run_tool (guestfs_h *g, const char *what, char *const *argv)
{
  int errfd[2];
  if (pipe2 (errfd, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "%s: pipe", what);
    return -1;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "%s: fork", what);
    close (errfd[0]);
    close (errfd[1]);
    return -1;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (null, 0);
    dup2 (null, 1);
    dup2 (errfd[1], 2);
    execvp (argv[0], argv);
    dprintf (2, "%s: %s", argv[0], strerror (errno));
    _exit (127);
  }
  close (errfd[1]);
  char buf[4096];
  size_t len = 0;
  for (;;) {
    ssize_t r = read (errfd[0], buf + len, sizeof buf - 1 - len);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    len += (size_t) r;
    if (len == sizeof buf - 1) {
      /* Keep reading so the tool never blocks on a full pipe. */
      char discard[4096];
      while (read (errfd[0], discard, sizeof discard) > 0)
        ;
      break;
    }
  }
  buf[len] = '\0';
  close (errfd[0]);
  while (len && buf[len - 1] == '\n')
    buf[--len] = '\0';
  int status;
  if (waitpid (pid, &status, 0) == -1) {
    guestfs_int_perrorf (g, "%s: waitpid", what);
    return -1;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    error (g, "%s: %s failed%s%s", what, argv[0], len ? ": " : "", buf);
    return -1;
  }
  return 0;
}

static int
create_raw (guestfs_h *g, const char *filename, int64_t size, bool full)
{
  int fd = open (filename, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0666);
  if (fd == -1) {
    guestfs_int_perrorf (g, "disk_create: %s", filename);
    return -1;
  }
  int r = ftruncate (fd, size);
  if (r == 0 && full && size > 0) {
    int e = posix_fallocate (fd, 0, size);
    if (e != 0) {
      errno = e;
      r = -1;
    }
  }
  if (r == -1) {
    guestfs_int_perrorf (g, "disk_create: %s", filename);
    close (fd);
    unlink (filename);
    return -1;
  }
  if (close (fd) == -1) {
    guestfs_int_perrorf (g, "disk_create: close: %s", filename);
    return -1;
  }
  return 0;
}

/* qemu-img parses "a:b" as protocol "a"; "./a:b" is always a file. */
static char *
local_name (guestfs_h *g, const char *filename)
{
  char *r;
  if (filename[0] == '/' || !strchr (filename, ':'))
    return guestfs_int_safe_strdup (g, filename);
  if (asprintf (&r, "./%s", filename) == -1)
    return NULL;
  return r;
}

int
guestfs_impl_disk_create (guestfs_h *g, const char *filename, const char *format,
                          int64_t size, const struct guestfs_disk_create_argv *optargs)
{
  uint64_t bm = optargs->bitmask;
  const char *backingfile = bm & GUESTFS_DISK_CREATE_BACKINGFILE_BITMASK ? optargs->backingfile : NULL;
  const char *backingformat = bm & GUESTFS_DISK_CREATE_BACKINGFORMAT_BITMASK ? optargs->backingformat : NULL;
  const char *prealloc = bm & GUESTFS_DISK_CREATE_PREALLOCATION_BITMASK ? optargs->preallocation : NULL;
  const char *compat = bm & GUESTFS_DISK_CREATE_COMPAT_BITMASK ? optargs->compat : NULL;
  bool have_cluster = (bm & GUESTFS_DISK_CREATE_CLUSTERSIZE_BITMASK) != 0;
  int clustersize = have_cluster ? optargs->clustersize : 0;
  bool raw = strcmp (format, "raw") == 0, qcow2 = strcmp (format, "qcow2") == 0;

  if (!*filename) {
    error (g, "disk_create: filename must not be empty");
    return -1;
  }
  if (!raw && !qcow2) {
    error (g, "disk_create: unsupported format '%s' (use \"raw\" or \"qcow2\")", format);
    return -1;
  }
  if (size < -1 || (size == -1 && !backingfile)) {
    error (g, "disk_create: invalid size %" PRIi64 " (-1 is only allowed with a backing file)", size);
    return -1;
  }
  if (backingfile && raw) {
    error (g, "disk_create: a backing file needs format \"qcow2\"");
    return -1;
  }
  if (backingformat && !backingfile) {
    error (g, "disk_create: backingformat needs a backingfile");
    return -1;
  }
  if (backingfile && !*backingfile) {
    error (g, "disk_create: backingfile must not be empty");
    return -1;
  }
  if (backingfile && strchr (backingfile, ':') && backingfile[0] != '/') {
    error (g, "disk_create: backingfile '%s' contains ':' (use an absolute path)", backingfile);
    return -1;
  }
  if (backingformat && strcmp (backingformat, "raw") != 0 && strcmp (backingformat, "qcow2") != 0) {
    error (g, "disk_create: unsupported backingformat '%s' (use \"raw\" or \"qcow2\")", backingformat);
    return -1;
  }
  bool full = false;
  if (prealloc) {
    if (strcmp (prealloc, "full") == 0)
      full = true;
    else if (strcmp (prealloc, "metadata") == 0) {
      if (raw) {
        error (g, "disk_create: preallocation \"metadata\" is only for qcow2");
        return -1;
      }
    }
    else if (strcmp (prealloc, "off") != 0 && strcmp (prealloc, "sparse") != 0) {
      error (g, "disk_create: invalid preallocation '%s' (use off, sparse, metadata or full)", prealloc);
      return -1;
    }
  }
  if (compat) {
    if (!qcow2) {
      error (g, "disk_create: compat is only for qcow2");
      return -1;
    }
    if (strcmp (compat, "0.10") != 0 && strcmp (compat, "1.1") != 0) {
      error (g, "disk_create: invalid compat '%s' (use \"0.10\" or \"1.1\")", compat);
      return -1;
    }
  }
  if (have_cluster) {
    if (!qcow2) {
      error (g, "disk_create: clustersize is only for qcow2");
      return -1;
    }
    if (clustersize < 512 || clustersize > 2097152 || (clustersize & (clustersize - 1))) {
      error (g, "disk_create: invalid clustersize %d (a power of 2 from 512 to 2097152)", clustersize);
      return -1;
    }
  }

  if (raw)
    return create_raw (g, filename, size, full);

  /* qcow2 */
  char *file = local_name (g, filename);
  char *opts = NULL, *sizestr = NULL;
  int ret = -1;
  size_t olen = 0;
  FILE *o = open_memstream (&opts, &olen);
  if (!file || !o) {
    guestfs_int_perrorf (g, "disk_create");
    if (o) fclose (o);
    free (opts);
    free (file);
    return -1;
  }
  /* Option values are ours or checked above: no commas to escape except
   * in the backing file name, where qemu-img wants them doubled. */
  const char *sep = "";
  if (backingfile) {
    fputs ("backing_file=", o);
    for (const char *p = backingfile; *p; ++p) {
      if (*p == ',') fputc (',', o);
      fputc (*p, o);
    }
    sep = ",";
    if (backingformat) {
      fprintf (o, ",backing_fmt=%s", backingformat);
    }
  }
  if (prealloc && strcmp (prealloc, "sparse") != 0) {
    fprintf (o, "%spreallocation=%s", sep, prealloc);
    sep = ",";
  }
  if (compat) {
    fprintf (o, "%scompat=%s", sep, compat);
    sep = ",";
  }
  if (have_cluster) {
    fprintf (o, "%scluster_size=%d", sep, clustersize);
    sep = ",";
  }
  fclose (o);

  char *argv[10];
  size_t n = 0;
  argv[n++] = (char *) "qemu-img";
  argv[n++] = (char *) "create";
  argv[n++] = (char *) "-q";
  argv[n++] = (char *) "-f";
  argv[n++] = (char *) "qcow2";
  if (*opts) {
    argv[n++] = (char *) "-o";
    argv[n++] = opts;
  }
  argv[n++] = file;
  if (size >= 0) {
    if (asprintf (&sizestr, "%" PRIi64, size) == -1) {
      guestfs_int_perrorf (g, "disk_create");
      goto out;
    }
    argv[n++] = sizestr;
  }
  argv[n] = NULL;
  ret = run_tool (g, "disk_create", argv);
 out:
  free (sizestr);
  free (opts);
  free (file);
  return ret;
}
