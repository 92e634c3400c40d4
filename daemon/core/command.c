/* Run external programs: argv only (never a shell string), capturing
 * stdout and stderr so error replies can quote the tool's own message. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

struct capture {
  char *buf;
  size_t len, cap;
};

static int
capture_append (struct capture *c, const char *p, size_t n)
{
  if (c->len + n + 1 > c->cap) {
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->len + n + 1)
      cap *= 2;
    char *b = realloc (c->buf, cap);
    if (!b)
      return -1;
    c->buf = b;
    c->cap = cap;
  }
  memcpy (c->buf + c->len, p, n);
  c->len += n;
  c->buf[c->len] = '\0';
  return 0;
}

/* Bind /dev, /proc and /sys into the guest tree for a chrooted command,
 * where the guest has those directories.  Returns a bitmask of what was
 * mounted so it can be undone. */
static const char *const guest_binds[] = { "/dev", "/proc", "/sys" };

static unsigned
bind_guest_dirs (void)
{
  unsigned done = 0;
  for (size_t i = 0; i < sizeof guest_binds / sizeof guest_binds[0]; ++i) {
    int fd = sysroot_open (guest_binds[i], O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
    if (fd == -1)
      continue;
    char *target = fd_path (fd);
    if (target && mount (guest_binds[i], target, NULL, MS_BIND | MS_REC, NULL) == 0)
      done |= 1u << i;
    free (target);
    close (fd);
  }
  return done;
}

static void
unbind_guest_dirs (unsigned done)
{
  for (size_t i = 0; i < sizeof guest_binds / sizeof guest_binds[0]; ++i) {
    if (!(done & (1u << i)))
      continue;
    char path[64];
    snprintf (path, sizeof path, SYSROOT "%s", guest_binds[i]);
    umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW);
  }
}

int
command_run (const struct command_opts *opts, char **out, char **err,
             const char *const *argv)
{
  static const struct command_opts no_opts = { 0 };
  if (!opts)
    opts = &no_opts;
  struct capture cout = { 0 }, cerr = { 0 };
  int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
  unsigned binds = 0;
  int status = -1;
  bool overflow = false;

  if (out) *out = NULL;
  if (err) *err = NULL;
  if (verbose) {
    fprintf (stderr, "guestfsd: run:");
    for (size_t i = 0; argv[i]; ++i)
      fprintf (stderr, " %s", argv[i]);
    fprintf (stderr, "\n");
  }

  bool capture_out = !(opts->flags & CMD_STDOUT_FD);
  if ((capture_out && pipe2 (outp, O_CLOEXEC) == -1) || pipe2 (errp, O_CLOEXEC) == -1)
    goto fail_errno;
  if (opts->stdin_data && pipe2 (inp, O_CLOEXEC) == -1)
    goto fail_errno;
  if (opts->flags & CMD_CHROOT_GUEST)
    binds = bind_guest_dirs ();

  pid_t pid = fork ();
  if (pid == -1)
    goto fail_errno;
  if (pid == 0) {
    /* Child. */
    signal (SIGPIPE, SIG_DFL);
    if (opts->max_out)
      setpgid (0, 0);           /* so that an overflow kills all of it */
    int in_fd = opts->stdin_data ? inp[0]
      : (opts->flags & CMD_STDIN_FD) ? opts->stdin_fd : open ("/dev/null", O_RDONLY);
    int out_fd = capture_out ? outp[1] : opts->stdout_fd;
    if (dup2 (in_fd, 0) == -1 || dup2 (out_fd, 1) == -1 || dup2 (errp[1], 2) == -1)
      _exit (127);
    if (opts->flags & CMD_CHROOT_GUEST) {
      if (chroot (SYSROOT) == -1 || chdir ("/") == -1) {
        perror ("chroot: " SYSROOT);
        _exit (127);
      }
    }
    if (opts->flags & CMD_SANDBOX_GUEST)
      sandbox_enter (opts->sandbox_dir);
    execvp (argv[0], (char *const *) argv);
    fprintf (stderr, "%s: %s\n", argv[0], strerror (errno));
    _exit (127);
  }

  if (opts->max_out)
    setpgid (pid, pid);         /* (either of us may run first) */
  /* Parent: feed stdin, collect stdout/stderr until both close. */
  if (capture_out) { close (outp[1]); outp[1] = -1; }
  close (errp[1]); errp[1] = -1;
  if (inp[0] >= 0) { close (inp[0]); inp[0] = -1; }
  size_t in_off = 0;
  if (inp[1] >= 0 && opts->stdin_len == 0) { close (inp[1]); inp[1] = -1; }
  if (inp[1] >= 0)
    fcntl (inp[1], F_SETFL, O_NONBLOCK);

  while (outp[0] >= 0 || errp[0] >= 0 || inp[1] >= 0) {
    struct pollfd pfd[3];
    int n = 0, io = -1, ie = -1, ii = -1;
    if (outp[0] >= 0) { io = n; pfd[n].fd = outp[0]; pfd[n++].events = POLLIN; }
    if (errp[0] >= 0) { ie = n; pfd[n].fd = errp[0]; pfd[n++].events = POLLIN; }
    if (inp[1] >= 0) { ii = n; pfd[n].fd = inp[1]; pfd[n++].events = POLLOUT; }
    if (poll (pfd, (nfds_t) n, -1) == -1) {
      if (errno == EINTR) continue;
      break;
    }
    char buf[65536];
    if (io >= 0 && pfd[io].revents) {
      ssize_t r = read (outp[0], buf, sizeof buf);
      if (r > 0 && opts->max_out && cout.len + (size_t) r > opts->max_out) {
        /* Too much: stop the program and everything it started, and stop
         * listening (a survivor holding the pipe cannot keep us here). */
        overflow = true;
        kill (-pid, SIGKILL);
        kill (pid, SIGKILL);
        close (outp[0]); outp[0] = -1;
        if (errp[0] >= 0) { close (errp[0]); errp[0] = -1; }
        if (inp[1] >= 0) { close (inp[1]); inp[1] = -1; }
        continue;
      }
      if (r > 0) capture_append (&cout, buf, (size_t) r);
      else if (r == 0 || errno != EINTR) { close (outp[0]); outp[0] = -1; }
    }
    if (ie >= 0 && pfd[ie].revents) {
      ssize_t r = read (errp[0], buf, sizeof buf);
      if (r > 0) {
        if (cerr.len < CMD_MAX_ERR)
          capture_append (&cerr, buf, (size_t) r < CMD_MAX_ERR - cerr.len
                                      ? (size_t) r : CMD_MAX_ERR - cerr.len);
      }
      else if (r == 0 || errno != EINTR) { close (errp[0]); errp[0] = -1; }
    }
    if (ii >= 0 && pfd[ii].revents) {
      ssize_t r = write (inp[1], opts->stdin_data + in_off, opts->stdin_len - in_off);
      if (r > 0) in_off += (size_t) r;
      if ((r == -1 && errno != EAGAIN && errno != EINTR) || in_off == opts->stdin_len) {
        close (inp[1]);
        inp[1] = -1;
      }
    }
  }

  int ws;
  while (waitpid (pid, &ws, 0) == -1)
    if (errno != EINTR) { ws = -1; break; }
  if (binds)
    unbind_guest_dirs (binds);

  if (overflow) {
    free (cout.buf);
    free (cerr.buf);
    if (out) *out = NULL;
    if (err && asprintf (err, "%s: the output is larger than %zu bytes (the limit); "
                         "the program was killed", argv[0], opts->max_out) == -1)
      *err = NULL;
    errno = EFBIG;
    return -1;
  }
  if (ws != -1 && WIFEXITED (ws))
    status = WEXITSTATUS (ws);
  else if (ws != -1 && WIFSIGNALED (ws)) {
    char m[128];
    snprintf (m, sizeof m, "%s%s: killed by signal %d (%s)",
              cerr.len ? "\n" : "", argv[0], WTERMSIG (ws), strsignal (WTERMSIG (ws)));
    capture_append (&cerr, m, strlen (m));
    status = -1;
  }
  if (!cout.buf) capture_append (&cout, "", 0);
  if (!cerr.buf) capture_append (&cerr, "", 0);
  if (out) *out = cout.buf; else free (cout.buf);
  if (err) *err = cerr.buf; else free (cerr.buf);
  if (verbose && status != 0)
    fprintf (stderr, "guestfsd: %s exited with status %d\n", argv[0], status);
  return status;

 fail_errno:;
  int saved = errno;
  for (int *p = &outp[0]; p <= &outp[1]; ++p) if (*p >= 0) close (*p);
  for (int *p = &errp[0]; p <= &errp[1]; ++p) if (*p >= 0) close (*p);
  for (int *p = &inp[0]; p <= &inp[1]; ++p) if (*p >= 0) close (*p);
  if (binds)
    unbind_guest_dirs (binds);
  free (cout.buf);
  free (cerr.buf);
  if (err) {
    if (asprintf (err, "%s: %s", argv[0], strerror (saved)) == -1)
      *err = NULL;
  }
  errno = saved;
  return -1;
}

int
command (char **out, char **err, const char *prog, ...)
{
  const char *argv[64];
  size_t n = 0;
  va_list ap;
  argv[n++] = prog;
  va_start (ap, prog);
  const char *a;
  while ((a = va_arg (ap, const char *)) != NULL && n < 63)
    argv[n++] = a;
  va_end (ap);
  argv[n] = NULL;
  return command_run (NULL, out, err, argv);
}

/* ---- programs with their own fds, and streaming output ---- */

pid_t
spawn_program (const char *const *argv, int cwd_fd, int in_fd, int out_fd, int err_fd)
{
  if (verbose) {
    fprintf (stderr, "guestfsd: run:");
    for (size_t i = 0; argv[i]; i++)
      fprintf (stderr, " %s", argv[i]);
    fprintf (stderr, "\n");
  }
  pid_t pid = fork ();
  if (pid != 0)
    return pid;
  /* Child. */
  signal (SIGPIPE, SIG_DFL);
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (dup2 (err_fd, 2) == -1)
    _exit (127);
  if (dup2 (in_fd >= 0 ? in_fd : null, 0) == -1 ||
      dup2 (out_fd >= 0 ? out_fd : null, 1) == -1) {
    dprintf (2, "dup2: %s\n", strerror (errno));
    _exit (127);
  }
  if (cwd_fd >= 0 && fchdir (cwd_fd) == -1) {
    dprintf (2, "fchdir: %s\n", strerror (errno));
    _exit (127);
  }
  execvp (argv[0], (char *const *) argv);
  dprintf (2, "%s: %s\n", argv[0], strerror (errno));
  _exit (127);
}

int
wait_program (pid_t pid)
{
  int ws;
  while (waitpid (pid, &ws, 0) == -1)
    if (errno != EINTR)
      return -1;
  if (WIFEXITED (ws))
    return WEXITSTATUS (ws);
  return 128 + (WIFSIGNALED (ws) ? WTERMSIG (ws) : 0);
}

char *
read_stderr_memfd (int fd)
{
  off_t size = lseek (fd, 0, SEEK_END);
  off_t start = size > 4096 ? size - 4096 : 0;
  size_t n = size > start ? (size_t) (size - start) : 0;
  char *buf = malloc (n + 1);
  if (buf == NULL)
    return strdup ("");
  ssize_t r = 0;
  while ((size_t) r < n) {
    ssize_t k = pread (fd, buf + r, n - (size_t) r, start + r);
    if (k <= 0)
      break;
    r += k;
  }
  buf[r > 0 ? r : 0] = '\0';
  return trim_newlines (buf);
}

bool
program_exists (const char *prog)
{
  const char *path = getenv ("PATH");
  if (path == NULL || *path == '\0')
    path = "/usr/sbin:/usr/bin:/sbin:/bin";
  while (*path) {
    size_t n = strcspn (path, ":");
    char buf[4096];
    if (n > 0 && n + strlen (prog) + 2 < sizeof buf) {
      snprintf (buf, sizeof buf, "%.*s/%s", (int) n, path, prog);
      if (access (buf, X_OK) == 0)
        return true;
    }
    path += n;
    if (*path == ':')
      path++;
  }
  return false;
}

int
command_to_fileout (const char *what, const char *const *argv, int cwd_fd,
                       int in_fd)
{
  CLEANUP_CLOSE int errfd = memfd_create ("stderr", MFD_CLOEXEC);
  CLEANUP_FREE char *buf = send_file_buffer (HATCH_CHUNK_SIZE);
  int p[2];
  if (errfd == -1 || buf == NULL || pipe2 (p, O_CLOEXEC) == -1) {
    reply_with_perror ("%s", what);
    return -1;
  }
  (void) fcntl (p[0], F_SETPIPE_SZ, 1024 * 1024);
  pid_t pid = spawn_program (argv, cwd_fd, in_fd, p[1], errfd);
  close (p[1]);
  if (pid == -1) {
    close (p[0]);
    reply_with_perror ("fork");
    return -1;
  }
  /* Full chunks go while the program runs; the last piece waits for its
   * exit status, so a failure before the first chunk is a plain error.  */
  size_t have = 0;
  bool started = false, broken = false;
  int read_errno = 0;
  for (;;) {
    ssize_t r = read (p[0], buf + have, HATCH_CHUNK_SIZE - have);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      read_errno = errno;
      break;
    }
    if (r == 0)
      break;
    have += (size_t) r;
    if (have == HATCH_CHUNK_SIZE) {
      started = true;
      if (send_file_write (buf, have) == -1) {
        broken = true;
        break;
      }
      have = 0;
    }
  }
  if (broken || read_errno)
    kill (pid, SIGTERM);
  close (p[0]);
  int status = wait_program (pid);
  CLEANUP_FREE char *err = read_stderr_memfd (errfd);

  if (broken) {
    reply_with_perror ("%s: sending the output", what);
    return -1;
  }
  if (read_errno || status != 0) {
    if (started)
      send_file_end (1);
    if (read_errno)
      reply_with_error_errno (read_errno, "%s: %s", what, strerror (read_errno));
    else
      reply_with_error ("%s: %s: %s", what, argv[0],
                        err && *err ? err : status == 127 ? "could not be run" : "failed");
    return -1;
  }
  if ((have > 0 && send_file_write (buf, have) == -1) || send_file_end (0) == -1) {
    reply_with_perror ("%s: sending the output", what);
    return -1;
  }
  return 0;
}

