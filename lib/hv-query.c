/* Asking the hypervisor binary (g->hv) a question: run it with some
 * arguments and read what it prints, bounded in size and time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"

#define QUERY_MAX_OUTPUT (1024 * 1024)
#define QUERY_TIMEOUT_MS 10000

char *
guestfs_int_hv_query (guestfs_h *g, const char *const *args)
{
  size_t nargs = 0;
  while (args[nargs])
    nargs++;
  const char **argv = calloc (nargs + 2, sizeof *argv);
  if (!argv)
    return NULL;
  argv[0] = g->hv;
  memcpy (argv + 1, args, nargs * sizeof *argv);
  int pfd[2];
  if (pipe2 (pfd, O_CLOEXEC) == -1) {
    free (argv);
    return NULL;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    close (pfd[0]);
    close (pfd[1]);
    free (argv);
    return NULL;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_RDWR);
    dup2 (null, 0);
    dup2 (pfd[1], 1);
    dup2 (null, 2);
    execvp (argv[0], (char **) argv);
    _exit (127);
  }
  free (argv);
  close (pfd[1]);
  char *out = malloc (QUERY_MAX_OUTPUT + 1);
  size_t len = 0;
  struct timespec t0, now;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  bool timed_out = false;
  while (out) {
    clock_gettime (CLOCK_MONOTONIC, &now);
    long left = QUERY_TIMEOUT_MS - ((now.tv_sec - t0.tv_sec) * 1000 +
                                    (now.tv_nsec - t0.tv_nsec) / 1000000);
    struct pollfd p = { .fd = pfd[0], .events = POLLIN };
    if (left <= 0 || poll (&p, 1, (int) left) == 0) {
      timed_out = true;
      break;
    }
    ssize_t r = read (pfd[0], out + len, QUERY_MAX_OUTPUT - len);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0 || (len += (size_t) r) == QUERY_MAX_OUTPUT)
      break;
  }
  close (pfd[0]);
  if (timed_out)
    kill (pid, SIGKILL);
  int status;
  while (waitpid (pid, &status, 0) == -1 && errno == EINTR)
    ;
  if (!out || timed_out || !WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    if (out || timed_out)
      debug (g, "%s %s: %s", g->hv, args[0] ? args[0] : "",
             timed_out ? "no answer in time" : "failed");
    free (out);
    return NULL;
  }
  out[len] = '\0';
  return out;
}
