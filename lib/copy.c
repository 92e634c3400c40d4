/* guestfs_copy_in / guestfs_copy_out: whole files and directory trees
 * between the host and the guest, as a host tar piped through the
 * daemon's tar_in / tar_out (or download for a single file). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

struct tar_proc {
  pid_t pid;
  int fd;        /* our end of tar's stdin or stdout */
  int errfd;     /* tar's stderr: a memfd, read when tar is done (a pipe
                  * could fill up and stall tar while we stream to it) */
  bool unpack;   /* extracting a guest's archive on the host */
};

/* The host tar that unpacks a guest's archive must not create device
 * nodes or FIFOs (libguestfs's copy-out does not either): a seccomp
 * filter makes mknod/mknodat fail with EPERM in it, whatever our
 * privileges, and finish_tar then treats tar's "Cannot mknod/mkfifo"
 * complaints as files skipped on purpose.  0, or -1 where the filter
 * cannot be installed.  Runs in the child, between fork and exec.  */
static int
forbid_mknod (void)
{
#if defined(__x86_64__)
# define HOST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define HOST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
# define HOST_AUDIT_ARCH AUDIT_ARCH_I386
#endif
#ifdef HOST_AUDIT_ARCH
  struct sock_filter f[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, HOST_AUDIT_ARCH, 1, 0),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_mknodat, 2, 0),
#ifdef __NR_mknod
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_mknod, 1, 0),
#else
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, __NR_mknodat, 1, 0),
#endif
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
      prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
    return -1;
  return 0;
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* Is every line of tar's complaints about a special file it was not
 * allowed to create (or tar's closing line about those errors)?  GNU
 * tar quotes names with control characters, so one name cannot pose as
 * several lines.  */
static bool
only_skipped_specials (const char *err, size_t *skipped)
{
  *skipped = 0;
  while (*err) {
    const char *nl = strchr (err, '\n');
    size_t n = nl ? (size_t) (nl - err) : strlen (err);
    static const char *const ok_tails[] = {
      ": Cannot mknod: Operation not permitted",
      ": Cannot mkfifo: Operation not permitted",
    };
    bool ok = false;
    for (size_t i = 0; i < sizeof ok_tails / sizeof ok_tails[0]; ++i) {
      size_t tl = strlen (ok_tails[i]);
      if (n > tl && strncmp (err, "tar: ", 5) == 0 &&
          memcmp (err + n - tl, ok_tails[i], tl) == 0) {
        ok = true;
        ++*skipped;
      }
    }
    static const char exiting[] = "tar: Exiting with failure status due to previous errors";
    if (!ok && !(n == sizeof exiting - 1 && memcmp (err, exiting, n) == 0))
      return false;
    err += n;
    if (*err == '\n')
      err++;
  }
  return true;
}

/* Start tar argv with its stdin (to_tar) or stdout on a pipe.  With
 * t->unpack, tar runs under forbid_mknod. */
static int
start_tar (guestfs_h *g, const char *what, char *const *argv, bool to_tar,
           struct tar_proc *t)
{
  int data[2];
  if (pipe2 (data, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "%s: pipe", what);
    return -1;
  }
  int errfd = memfd_create ("tar-stderr", MFD_CLOEXEC);
  if (errfd == -1) {
    guestfs_int_perrorf (g, "%s: memfd_create", what);
    close (data[0]);
    close (data[1]);
    return -1;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "%s: fork", what);
    close (data[0]); close (data[1]); close (errfd);
    return -1;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (to_tar ? data[0] : null, 0);
    dup2 (to_tar ? null : data[1], 1);
    dup2 (errfd, 2);
    if (t->unpack && forbid_mknod () == -1) {
      dprintf (2, "cannot stop tar from creating device nodes: %s\n", strerror (errno));
      _exit (126);
    }
    execvp (argv[0], argv);
    dprintf (2, "%s: %s", argv[0], strerror (errno));
    _exit (127);
  }
  close (to_tar ? data[0] : data[1]);
  t->pid = pid;
  t->fd = to_tar ? data[1] : data[0];
  t->errfd = errfd;
  return 0;
}

/* Close our end, reap tar; on failure set the error (with tar's stderr)
 * unless report is false. */
static int
finish_tar (guestfs_h *g, const char *what, struct tar_proc *t, bool report)
{
  if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
  int status;
  pid_t w;
  while ((w = waitpid (t->pid, &status, 0)) == -1 && errno == EINTR)
    ;
  if (w == -1) {
    if (report)
      guestfs_int_perrorf (g, "%s: waitpid", what);
    close (t->errfd);
    return -1;
  }
  /* tar's stderr: everything when judging an unpack (bounded), else the
   * first 2 KiB for the message. */
  size_t cap = t->unpack ? 16u * 1024 * 1024 : 2048;
  off_t size = lseek (t->errfd, 0, SEEK_END);
  size_t want = size > 0 ? ((size_t) size < cap ? (size_t) size : cap) : 0;
  char *buf = malloc (want + 1);
  size_t len = 0;
  if (buf) {
    ssize_t r;
    while (len < want &&
           ((r = pread (t->errfd, buf + len, want - len, (off_t) len)) > 0 ||
            (r == -1 && errno == EINTR)))
      if (r > 0)
        len += (size_t) r;
    buf[len] = '\0';
  }
  close (t->errfd);
  while (buf && len && buf[len - 1] == '\n')
    buf[--len] = '\0';
  int ret = 0;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    size_t skipped;
    if (t->unpack && buf && WIFEXITED (status) && WEXITSTATUS (status) == 2 &&
        (off_t) len + 1 >= size && only_skipped_specials (buf, &skipped))
      debug (g, "%s: %zu device nodes or FIFOs not created on the host", what, skipped);
    else {
      if (report) {
        error (g, "%s: tar failed%s%.2000s%s", what, buf && len ? ": " : "",
               buf ? buf : "", buf && len > 2000 ? "..." : "");
      }
      ret = -1;
    }
  }
  free (buf);
  return ret;
}

int
guestfs_impl_copy_in (guestfs_h *g, const char *localpath, const char *remotedir)
{
  struct stat st;
  if (stat (localpath, &st) == -1) {
    guestfs_int_perrorf (g, "copy_in: %s", localpath);
    return -1;
  }
  int d = guestfs_is_dir (g, remotedir);
  if (d == -1)
    return -1;
  if (d == 0) {
    error (g, "copy_in: target '%s' is not a directory", remotedir);
    return -1;
  }
  char *c1 = guestfs_int_safe_strdup (g, localpath);
  char *c2 = guestfs_int_safe_strdup (g, localpath);
  char *dir = dirname (c1), *base = basename (c2);
  char *argv[] = { (char *) "tar", (char *) "-C", dir, (char *) "-cf", (char *) "-",
                   (char *) "--", base, NULL };
  struct tar_proc t = { .unpack = false };
  int ret = -1;
  if (start_tar (g, "copy_in", argv, false, &t) == 0) {
    char fdpath[64];
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", t.fd);
    int r = guestfs_tar_in (g, fdpath, remotedir);
    /* Report tar's failure only when the transfer itself went well. */
    int tr = finish_tar (g, "copy_in", &t, r == 0);
    ret = r == 0 && tr == 0 ? 0 : -1;
  }
  free (c1);
  free (c2);
  return ret;
}

int
guestfs_impl_copy_out (guestfs_h *g, const char *remotepath, const char *localdir)
{
  struct stat st;
  if (stat (localdir, &st) == -1 || !S_ISDIR (st.st_mode)) {
    error (g, "copy_out: target '%s' is not a directory", localdir);
    return -1;
  }
  int f = guestfs_is_file (g, remotepath);
  if (f == -1)
    return -1;
  char *c = guestfs_int_safe_strdup (g, remotepath);
  char *base = basename (c);
  char *dest = NULL;
  int ret = -1;
  if (f) {
    if (asprintf (&dest, "%s/%s", localdir, base) == -1) {
      dest = NULL;
      guestfs_int_perrorf (g, "copy_out");
      goto out;
    }
    ret = guestfs_download (g, remotepath, dest);
    goto out;
  }
  int d = guestfs_is_dir (g, remotepath);
  if (d == -1)
    goto out;
  if (d == 0) {
    error (g, "\u2018%s\u2019 is not a file or directory", remotepath);
    goto out;
  }
  /* A directory lands as LOCALDIR/BASENAME (the root: in LOCALDIR). */
  if (strcmp (base, "/") == 0 || !*base)
    dest = guestfs_int_safe_strdup (g, localdir);
  else if (asprintf (&dest, "%s/%s", localdir, base) == -1) {
    dest = NULL;
    guestfs_int_perrorf (g, "copy_out");
    goto out;
  }
  if (mkdir (dest, 0777) == -1 && errno != EEXIST) {
    guestfs_int_perrorf (g, "copy_out: %s", dest);
    goto out;
  }
  /* As an ordinary user's tar does, even when we are root: files belong
   * to us, modes pass through the umask and lose setuid/setgid, and no
   * device node or FIFO is made (forbid_mknod).  */
  char *argv[] = { (char *) "tar", (char *) "-C", dest, (char *) "--no-same-owner",
                   (char *) "--no-same-permissions", (char *) "-xf", (char *) "-", NULL };
  struct tar_proc t = { .unpack = true };
  if (start_tar (g, "copy_out", argv, true, &t) == 0) {
    char fdpath[64];
    snprintf (fdpath, sizeof fdpath, "/dev/fd/%d", t.fd);
    int r = guestfs_tar_out (g, remotepath, fdpath);
    int tr = finish_tar (g, "copy_out", &t, r == 0);
    ret = r == 0 && tr == 0 ? 0 : -1;
  }
 out:
  free (dest);
  free (c);
  return ret;
}
