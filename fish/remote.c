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
 * A request carries the client's standard input, output and error as
 * file descriptors (SCM_RIGHTS): the command reads and writes straight
 * from and to them ("upload - /f" reads the client's stdin).  What needs
 * the client's own terminal or input stream is done by the client before
 * sending: a "-<<END" document of a FileIn argument is read there and
 * sent as the command's stdin (the argument becomes "-"), and Key
 * arguments are asked for there (on its /dev/tty, or its stdin with
 * --keys-from-stdin) and sent after the arguments.  Local file names are
 * opened by the server, so relative ones are relative to the server's
 * working directory, as in libguestfs's guestfish ("lcd" changes it).
 *
 *   request: u32 magic, u32 flags (1 = ignore errors), u32 argc,
 *            u32 nkeys, argc x (u32 length, bytes), nkeys x (u32 length,
 *            bytes); all in host byte order (both ends are on the same
 *            machine).
 *   reply:   u32 magic, i32 status (0 ok, -1 failed), u32 server-quits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
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

#define RC_MAGIC 0x48667232u          /* "Hfr2": changes with the format */
#define RC_MAX_KEYS 16
#define RC_NFDS 3                     /* stdin, stdout, stderr */
#define RC_MAX_ARGS 4096
#define RC_MAX_ARG (16 * 1024 * 1024)

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

/* The keys sent with the request being served, taken in order by
 * fish_read_key (fish_remote_next_key).  */
static char **req_keys;
static size_t req_nkeys, req_next_key;

static void
free_keys (char **keys)
{
  if (keys == NULL)
    return;
  for (size_t i = 0; keys[i]; ++i) {
    explicit_bzero (keys[i], strlen (keys[i]));
    free (keys[i]);
  }
  free (keys);
}

char *
fish_remote_next_key (const char *param)
{
  if (req_next_key >= req_nkeys) {
    fprintf (stderr, "guestfish: remote: no key or passphrase was sent "
             "for \"%s\"\n", param);
    return NULL;
  }
  char *k = strdup (req_keys[req_next_key++]);
  if (k == NULL)
    perror ("strdup");
  return k;
}

/* Read COUNT length-prefixed strings into a NULL-terminated array. */
static char **
read_strings (int s, uint32_t count)
{
  char **v = calloc (count + 1, sizeof *v);
  if (v == NULL)
    return NULL;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len;
    if (read_all (s, &len, sizeof len) == -1 || len > RC_MAX_ARG ||
        (v[i] = malloc (len + 1)) == NULL ||
        read_all (s, v[i], len) == -1) {
      free_keys (v);
      return NULL;
    }
    v[i][len] = '\0';
  }
  return v;
}

/* Read one request; fills fds[0..2] (stdin, stdout, stderr) and *keys.
 * Returns the argv (NULL-terminated) or NULL on a bad or closed
 * connection.  */
static char **
read_request (int s, int fds[RC_NFDS], uint32_t *flags, char ***keys)
{
  uint32_t hdr[4];
  char cbuf[CMSG_SPACE (RC_NFDS * sizeof (int))];
  struct iovec iov = { hdr, sizeof hdr };
  struct msghdr msg = {
    .msg_iov = &iov, .msg_iovlen = 1,
    .msg_control = cbuf, .msg_controllen = sizeof cbuf,
  };
  for (int i = 0; i < RC_NFDS; ++i)
    fds[i] = -1;
  *keys = NULL;
  ssize_t r;
  do
    r = recvmsg (s, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (r == -1 && errno == EINTR);
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN (RC_NFDS * sizeof (int)))
      memcpy (fds, CMSG_DATA (c), RC_NFDS * sizeof (int));
  if (r != (ssize_t) sizeof hdr || hdr[0] != RC_MAGIC ||
      hdr[2] == 0 || hdr[2] > RC_MAX_ARGS || hdr[3] > RC_MAX_KEYS)
    goto fail;
  *flags = hdr[1];
  char **argv = read_strings (s, hdr[2]);
  if (argv == NULL)
    goto fail;
  *keys = read_strings (s, hdr[3]);
  if (*keys == NULL) {
    fish_free_strings (argv);
    goto fail;
  }
  return argv;
 fail:
  for (int i = 0; i < RC_NFDS; ++i)
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
    int fds[RC_NFDS];
    uint32_t flags = 0;
    char **keys;
    char **argv = read_request (s, fds, &flags, &keys);
    if (argv == NULL) {
      close (s);
      continue;
    }
    fflush (stdout);
    fflush (stderr);
    for (int i = 0; i < RC_NFDS; ++i)
      if (fds[i] >= 0)
        dup2 (fds[i], i);
    /* Nothing read from an earlier client's stdin may remain. */
    __fpurge (stdin);
    clearerr (stdin);
    req_keys = keys;
    req_next_key = 0;
    for (req_nkeys = 0; keys[req_nkeys]; ++req_nkeys)
      ;
    size_t argc = 0;
    while (argv[argc])
      argc++;
    int r = fish_dispatch (argv[0], argc - 1, argv + 1);
    fish_progress_end ();
    /* An error that is not ignored ends the server, as in a script. */
    if (r == -1 && !(flags & 1))
      fish_quit = 1;
    /* A server that ends closes the appliance before it answers, with
     * the client's stderr still attached for any error: when the client
     * returns, qemu has exited and the disks are free, so that a script
     * can launch on the same image at once (as with libguestfs's
     * guestfish, whose --remote exit returns after qemu has gone). */
    if (fish_quit && guestfs_shutdown (g) == -1)
      r = -1;
    fflush (stdout);
    fflush (stderr);
    clearerr (stdout);
    __fpurge (stdin);
    clearerr (stdin);
    for (int i = 0; i < RC_NFDS; ++i) {
      dup2 (devnull, i);
      if (fds[i] >= 0)
        close (fds[i]);
    }
    free_keys (keys);
    req_keys = NULL;
    req_nkeys = 0;
    fish_free_strings (argv);
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
  /* Startup still has the user's terminal: -i may ask for the key of
   * an encrypted disk there.  Then the server leaves the terminal's
   * session; qemu, started meanwhile, is kept out of the terminal's
   * process group (no ^C or hangup from it) by set_pgroup.  */
  int pgroup = guestfs_get_pgroup (g);
  guestfs_set_pgroup (g, 1);
  if (startup && startup () == -1)
    goto failed;
  guestfs_set_pgroup (g, pgroup);   /* later launches are in our session */
  setsid ();
  fish_set_key_source (fish_remote_next_key);

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
send_one (long pid, int in_fd, int out_fd, char *const *argv,
          char *const *keys, int ignore_errors, int *quits)
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
  uint32_t nkeys = 0;
  while (keys && keys[nkeys])
    nkeys++;
  uint32_t hdr[4] = { RC_MAGIC, ignore_errors ? 1 : 0, argc, nkeys };
  int fds[RC_NFDS] = { in_fd, out_fd, STDERR_FILENO };
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
  for (uint32_t i = 0; i < argc + nkeys; ++i) {
    const char *w = i < argc ? argv[i] : keys[i - argc];
    uint32_t len = strlen (w);
    if (write_all (s, &len, sizeof len) == -1 ||
        write_all (s, w, len) == -1)
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

/* A descriptor to pass for one of the client's standard streams:
 * itself, or /dev/null when the client has it closed.  */
static int
stream_fd (int fd, int *opened)
{
  if (fcntl (fd, F_GETFD) != -1)
    return fd;
  *opened = open ("/dev/null", O_RDWR | O_CLOEXEC);
  return *opened;
}

/* Read here what the command would read from the client's own input or
 * terminal: a "-<<END" document for its FileIn argument (then sent as
 * the command's stdin, the argument becoming "-") and its Key arguments.
 * Returns 0, or -1 after a message.  */
static int
local_input (const struct fish_line *l, char **argv, char **heredoc,
             int *in_fd, char ***keys)
{
  const struct fish_command *c = fish_find_command (l->cmd);
  if (c == NULL || fish_find_builtin (l->cmd) != NULL)
    return 0;
  if (c->filein_arg >= 0 && (size_t) c->filein_arg < l->argc &&
      strncmp (l->argv[c->filein_arg], "-<<", 3) == 0) {
    *heredoc = fish_file_in (l->argv[c->filein_arg]);
    if (*heredoc == NULL)
      return -1;
    *in_fd = open (*heredoc, O_RDONLY | O_CLOEXEC);
    if (*in_fd == -1) {
      perror (*heredoc);
      return -1;
    }
    argv[c->filein_arg + 1] = (char *) "-";
  }
  /* Keys are asked for only when the command can run (the server
   * reports a wrong number of arguments).  */
  if (*c->key_args == '\0' || l->argc < (size_t) c->nr_required ||
      l->argc > (size_t) (c->nr_required + c->nr_optional))
    return 0;
  char *names = strdup (c->key_args);
  size_t n = 1;
  for (const char *p = c->key_args; *p; ++p)
    n += *p == ' ';
  *keys = calloc (n + 1, sizeof **keys);
  if (names == NULL || *keys == NULL) {
    perror ("malloc");
    free (names);
    return -1;
  }
  size_t i = 0;
  char *save = NULL;
  for (char *name = strtok_r (names, " ", &save); name;
       name = strtok_r (NULL, " ", &save)) {
    if (((*keys)[i++] = fish_read_key (name)) == NULL) {
      free (names);
      return -1;
    }
  }
  free (names);
  return 0;
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
  int r = -1, in_opened = -1, out_opened = -1;
  int in_fd = -1;
  char *heredoc = NULL;
  char **keys = NULL;
  if (local_input (l, argv, &heredoc, &in_fd, &keys) == -1)
    goto out;
  if (in_fd == -1)
    in_fd = stream_fd (STDIN_FILENO, &in_opened);
  if (l->pipe) {
    fflush (stdout);
    FILE *pp = popen (l->pipe, "w");
    if (pp == NULL) {
      perror ("popen");
      goto out;
    }
    r = send_one (pid, in_fd, fileno (pp), argv, keys, l->ignore_errors, quits);
    pclose (pp);
  }
  else
    r = send_one (pid, in_fd, stream_fd (STDOUT_FILENO, &out_opened), argv,
                  keys, l->ignore_errors, quits);
 out:
  if (heredoc) {
    if (in_fd >= 0)
      close (in_fd);
    fish_free_file_in (heredoc);
  }
  if (in_opened >= 0)
    close (in_opened);
  if (out_opened >= 0)
    close (out_opened);
  free_keys (keys);
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

  /* No commands: one per line of standard input (with a prompt at a
   * terminal). */
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int r = 0;
  int tty = isatty (STDIN_FILENO);
  while (!quits) {
    if (tty) {
      free (line);
      line = fish_remote_readline ();
      if (line == NULL) {
        putchar ('\n');
        break;
      }
    }
    else if ((len = getline (&line, &n, stdin)) == -1)
      break;
    else if (len > 0 && line[len - 1] == '\n')
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
