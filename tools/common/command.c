/* See command.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"

int
tool_command (const char *program, char *const argv[], int in_fd, int out_fd,
              char **capture, bool quiet_stderr)
{
  int pfd[2] = { -1, -1 };
  if (capture) {
    *capture = NULL;
    if (pipe2 (pfd, O_CLOEXEC) == -1) {
      fprintf (stderr, "%s: pipe: %s\n", program, strerror (errno));
      return -1;
    }
  }
  fflush (stdout);
  fflush (stderr);
  pid_t pid = fork ();
  if (pid == -1) {
    fprintf (stderr, "%s: fork: %s\n", program, strerror (errno));
    if (capture) { close (pfd[0]); close (pfd[1]); }
    return -1;
  }
  if (pid == 0) {
    if (in_fd >= 0 && dup2 (in_fd, 0) == -1) _exit (126);
    if (capture) { if (dup2 (pfd[1], 1) == -1) _exit (126); }
    else if (out_fd >= 0 && dup2 (out_fd, 1) == -1) _exit (126);
    if (quiet_stderr) {
      int null = open ("/dev/null", O_WRONLY);
      if (null >= 0) dup2 (null, 2);
    }
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s: %s\n", program, argv[0], strerror (errno));
    _exit (127);
  }
  if (capture) {
    close (pfd[1]);
    size_t len = 0, cap = 4096;
    char *buf = malloc (cap);
    for (;;) {
      if (!buf) break;
      if (cap - len < 2) {
        char *nb = realloc (buf, cap * 2);
        if (!nb) { free (buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
      }
      ssize_t r = read (pfd[0], buf + len, cap - len - 1);
      if (r == -1 && errno == EINTR) continue;
      if (r <= 0) break;
      len += (size_t) r;
    }
    close (pfd[0]);
    if (buf) buf[len] = '\0';
    *capture = buf;
  }
  int st;
  while (waitpid (pid, &st, 0) == -1)
    if (errno != EINTR) {
      fprintf (stderr, "%s: waitpid: %s\n", program, strerror (errno));
      return -1;
    }
  if (capture && !*capture) {
    fprintf (stderr, "%s: %s: out of memory reading its output\n", program, argv[0]);
    return -1;
  }
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}
