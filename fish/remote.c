/* Hatch guestfish: remote control over a Unix socket.
 *
 * "guestfish --listen" forks a server that keeps the handle; it prints
 * "GUESTFISH_PID=PID; export GUESTFISH_PID" (or the csh form) for the
 * shell to eval.  "guestfish --remote[=PID] cmd args" sends one command
 * per request to the socket /tmp/.guestfish-UID/socket-PID.  The
 * directory is created mode 0700 and checked (owner, mode, not a
 * symlink) by both sides, and the server also checks the peer's uid, so
 * other users can reach neither the socket nor the handle.
 *
 * A request carries the client's standard output and error as file
 * descriptors (SCM_RIGHTS): the command writes straight to them.
 *
 *   request: u32 magic, u32 flags (1 = ignore errors), u32 argc,
 *            argc x (u32 length, bytes); all in host byte order (both
 *            ends are on the same machine).
 *   reply:   u32 magic, i32 status (0 ok, -1 failed), u32 server-quits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fish.h"

#define RC_MAGIC 0x48667231u          /* "Hfr1": changes with the format */
#define RC_MAX_ARGS 4096
#define RC_MAX_ARG (16 * 1024 * 1024)

int fish_remote_serving;

static int
socket_dir (char *dir, size_t len, int create)
{
  snprintf (dir, len, "/tmp/.guestfish-%ld", (long) geteuid ());
  if (create && mkdir (dir, 0700) == -1 && errno != EEXIST) {
    fprintf (stderr, "guestfish: mkdir: %s: %s\n", dir, strerror (errno));
    return -1;
  }
  struct stat st;
  if (lstat (dir, &st) == -1) {
    fprintf (stderr, "guestfish: %s: %s\n", dir, strerror (errno));
    return -1;
  }
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid () ||
      (st.st_mode & 0077) != 0) {
    fprintf (stderr, "guestfish: %s is not a private directory owned by "
             "this user (mode 0700): refusing to use it\n", dir);
    return -1;
  }
  return 0;
}

static int
socket_path (struct sockaddr_un *addr, long pid, int create)
{
  char dir[64];
  if (socket_dir (dir, sizeof dir, create) == -1)
    return -1;
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  snprintf (addr->sun_path, sizeof addr->sun_path, "%s/socket-%ld", dir, pid);
  return 0;
}

static int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t r = write (fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    len -= r;
  }
  return 0;
}

static int
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  while (len > 0) {
    ssize_t r = read (fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0) {
      errno = EPIPE;
      return -1;
    }
    p += r;
    len -= r;
  }
  return 0;
}

/* ---- server ----------------------------------------------------------- */

static char sock_path[sizeof ((struct sockaddr_un *) 0)->sun_path];

static void
remove_socket (void)
{
  if (sock_path[0])
    unlink (sock_path);
}

/* Read one request; fills fds[0..1] (stdout, stderr).  Returns the argv
 * (NULL-terminated) or NULL on a bad or closed connection.  */
static char **
read_request (int s, int fds[2], uint32_t *flags)
{
  uint32_t hdr[3];
  char cbuf[CMSG_SPACE (2 * sizeof (int))];
  struct iovec iov = { hdr, sizeof hdr };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1,
    .msg_control = cbuf, .msg_controllen = sizeof cbuf,
  };
  fds[0] = fds[1] = -1;
  ssize_t r;
  do
    r = recvmsg (s, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (r == -1 && errno == EINTR);
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN (2 * sizeof (int)))
      memcpy (fds, CMSG_DATA (c), 2 * sizeof (int));
  if (r != (ssize_t) sizeof hdr || hdr[0] != RC_MAGIC ||
      hdr[2] == 0 || hdr[2] > RC_MAX_ARGS)
    goto fail;
  *flags = hdr[1];
  char **argv = calloc (hdr[2] + 1, sizeof *argv);
  if (argv == NULL)
    goto fail;
  for (uint32_t i = 0; i < hdr[2]; ++i) {
    uint32_t len;
    if (read_all (s, &len, sizeof len) == -1 || len > RC_MAX_ARG ||
        (argv[i] = malloc (len + 1)) == NULL ||
        read_all (s, argv[i], len) == -1) {
      fish_free_strings (argv);
      goto fail;
    }
    argv[i][len] = '\0';
  }
  return argv;
 fail:
  for (int i = 0; i < 2; ++i)
    if (fds[i] >= 0)
      close (fds[i]);
  return NULL;
}

static void
serve (int ls)
{
  int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  while (!fish_quit) {
    int s = accept4 (ls, NULL, NULL, SOCK_CLOEXEC);
    if (s == -1) {
      if (errno == EINTR)
        continue;
      break;
    }
    struct ucred cred;
    socklen_t clen = sizeof cred;
    if (getsockopt (s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == -1 ||
        cred.uid != geteuid ()) {
      close (s);
      continue;
    }
    int fds[2];
    uint32_t flags = 0;
    char **argv = read_request (s, fds, &flags);
    if (argv == NULL) {
      close (s);
      continue;
    }
    fflush (stdout);
    fflush (stderr);
    if (fds[0] >= 0)
      dup2 (fds[0], STDOUT_FILENO);
    if (fds[1] >= 0)
      dup2 (fds[1], STDERR_FILENO);
    size_t argc = 0;
    while (argv[argc])
      argc++;
    int r = fish_dispatch (argv[0], argc - 1, argv + 1);
    fish_progress_end ();
    fflush (stdout);
    fflush (stderr);
    clearerr (stdout);
    dup2 (devnull, STDOUT_FILENO);
    dup2 (devnull, STDERR_FILENO);
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0)
        close (fds[i]);
    fish_free_strings (argv);
    /* An error that is not ignored ends the server, as in a script. */
    if (r == -1 && !(flags & 1))
      fish_quit = 1;
    uint32_t reply[3] = { RC_MAGIC, (uint32_t) r, (uint32_t) fish_quit };
    write_all (s, reply, sizeof reply);
    close (s);
  }
  if (devnull >= 0)
    close (devnull);
}

/* The caller has set up the handle (drives added).  The child runs
 * STARTUP (launch, -m, -N: errors go to the user's terminal), then
 * tells the parent it is ready; the parent prints the PID line and
 * exits with the child's verdict.  Returns in the child only, after
 * serving (0 ok, -1 error).  */
int
fish_remote_listen (int csh, int (*startup) (void))
{
  int ready[2];
  if (pipe2 (ready, O_CLOEXEC) == -1) {
    perror ("pipe");
    return -1;
  }
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    return -1;
  }
  if (pid > 0) {
    close (ready[1]);
    char ok = 0;
    if (read_all (ready[0], &ok, 1) == -1 || ok != 1) {
      waitpid (pid, NULL, 0);
      exit (EXIT_FAILURE);
    }
    if (csh)
      printf ("setenv GUESTFISH_PID %ld\n", (long) pid);
    else
      printf ("GUESTFISH_PID=%ld; export GUESTFISH_PID\n", (long) pid);
    fflush (stdout);
    _exit (EXIT_SUCCESS);
  }

  close (ready[0]);
  setsid ();
  fish_remote_serving = 1;
  struct sockaddr_un addr;
  int ls = -1;
  char fail = 0;
  if (socket_path (&addr, (long) getpid (), 1) == -1)
    goto failed;
  ls = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls == -1) {
    perror ("socket");
    goto failed;
  }
  unlink (addr.sun_path);
  mode_t old = umask (0077);
  int b = bind (ls, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (b == -1 || listen (ls, 8) == -1) {
    fprintf (stderr, "guestfish: %s: %s\n", addr.sun_path, strerror (errno));
    goto failed;
  }
  memcpy (sock_path, addr.sun_path, sizeof sock_path);
  atexit (remove_socket);
  if (startup && startup () == -1)
    goto failed;

  char ok = 1;
  write_all (ready[1], &ok, 1);
  close (ready[1]);
  /* Detach from the terminal: output goes to each client's descriptors. */
  int devnull = open ("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2 (devnull, STDIN_FILENO);
    dup2 (devnull, STDOUT_FILENO);
    dup2 (devnull, STDERR_FILENO);
    close (devnull);
  }
  serve (ls);
  close (ls);
  remove_socket ();
  sock_path[0] = '\0';
  return 0;

 failed:
  write_all (ready[1], &fail, 1);
  if (ls >= 0)
    close (ls);
  remove_socket ();
  sock_path[0] = '\0';
  return -1;
}

/* ---- client ----------------------------------------------------------- */

/* Send one command; its output goes to OUT_FD.  Returns the command's
 * status (0 / -1); *quits is set when the server has ended.  */
static int
send_one (long pid, int out_fd, char *const *argv, int ignore_errors,
          int *quits)
{
  struct sockaddr_un addr;
  if (socket_path (&addr, pid, 0) == -1)
    return -1;
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1) {
    perror ("socket");
    return -1;
  }
  if (connect (s, (struct sockaddr *) &addr, sizeof addr) == -1) {
    fprintf (stderr, "guestfish: remote: cannot reach the guestfish "
             "process %ld (%s): %s\n", pid, addr.sun_path, strerror (errno));
    close (s);
    return -1;
  }
  uint32_t argc = 0;
  while (argv[argc])
    argc++;
  uint32_t hdr[3] = { RC_MAGIC, ignore_errors ? 1 : 0, argc };
  int fds[2] = { out_fd, STDERR_FILENO };
  char cbuf[CMSG_SPACE (sizeof fds)];
  memset (cbuf, 0, sizeof cbuf);
  struct iovec iov = { hdr, sizeof hdr };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1,
    .msg_control = cbuf, .msg_controllen = sizeof cbuf,
  };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof fds);
  memcpy (CMSG_DATA (c), fds, sizeof fds);
  fflush (stdout);
  if (sendmsg (s, &msg, MSG_NOSIGNAL) != (ssize_t) sizeof hdr)
    goto io_error;
  for (uint32_t i = 0; i < argc; ++i) {
    uint32_t len = strlen (argv[i]);
    if (write_all (s, &len, sizeof len) == -1 ||
        write_all (s, argv[i], len) == -1)
      goto io_error;
  }
  uint32_t reply[3];
  if (read_all (s, reply, sizeof reply) == -1 || reply[0] != RC_MAGIC)
    goto io_error;
  close (s);
  *quits = reply[2] != 0;
  return (int32_t) reply[1] == 0 ? 0 : -1;

 io_error:
  fprintf (stderr, "guestfish: remote: lost the connection to process %ld\n",
           pid);
  close (s);
  return -1;
}

/* One parsed line for the server: '!' and pipelines run here. */
static int
send_line (long pid, const struct fish_line *l, int *quits)
{
  if (l->shell) {
    fflush (stdout);
    int st = system (l->shell);
    return st == 0 ? 0 : -1;
  }
  if (l->cmd == NULL)
    return 0;
  char **argv = calloc (l->argc + 2, sizeof *argv);
  if (argv == NULL) {
    perror ("calloc");
    return -1;
  }
  argv[0] = l->cmd;
  for (size_t i = 0; i < l->argc; ++i)
    argv[i + 1] = l->argv[i];
  int r;
  if (l->pipe) {
    fflush (stdout);
    FILE *pp = popen (l->pipe, "w");
    if (pp == NULL) {
      perror ("popen");
      free (argv);
      return -1;
    }
    r = send_one (pid, fileno (pp), argv, l->ignore_errors, quits);
    pclose (pp);
  }
  else
    r = send_one (pid, STDOUT_FILENO, argv, l->ignore_errors, quits);
  free (argv);
  return l->ignore_errors ? 0 : r;
}

int
fish_remote_send (int pid_arg, char *const *words, size_t nwords)
{
  long pid = pid_arg;
  if (pid <= 0) {
    const char *e = getenv ("GUESTFISH_PID");
    char *end;
    if (e == NULL || (pid = strtol (e, &end, 10)) <= 0 || *end != '\0') {
      fprintf (stderr, "guestfish: remote: $GUESTFISH_PID must be set to "
               "the PID of the remote process\n");
      return -1;
    }
  }
  int quits = 0;
  if (nwords > 0) {
    size_t pos = 0;
    struct fish_line l;
    char *err;
    int r;
    while ((r = fish_next_argv_command (words, nwords, &pos, &l, &err)) != 0) {
      if (r == -1) {
        fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
        free (err);
        return -1;
      }
      r = send_line (pid, &l, &quits);
      fish_line_free (&l);
      if (r == -1)
        return -1;
      if (quits)
        break;
    }
    return 0;
  }

  /* No commands: one per line of standard input. */
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int r = 0;
  while (!quits && (len = getline (&line, &n, stdin)) != -1) {
    if (len > 0 && line[len - 1] == '\n')
      line[len - 1] = '\0';
    struct fish_line l;
    char *err;
    if (fish_parse_line (line, &l, &err) == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : strerror (ENOMEM));
      free (err);
      r = -1;
      break;
    }
    int rr = send_line (pid, &l, &quits);
    fish_line_free (&l);
    if (rr == -1) {
      r = -1;
      break;
    }
  }
  free (line);
  return r;
}
