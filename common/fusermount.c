/* See fusermount.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fusermount.h"

int
hatch_fusermount_unmount (const char *mountpoint, char *err, size_t errsize)
{
  int fds[2];
  if (errsize == 0)
    return -1;
  err[0] = '\0';
  if (pipe2 (fds, O_CLOEXEC) == -1)
    return -1;
  pid_t pid = fork ();
  if (pid == -1) {
    int e = errno;
    close (fds[0]);
    close (fds[1]);
    errno = e;
    return -1;
  }
  if (pid == 0) {
    int devnull = open ("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2 (devnull, STDIN_FILENO);
    dup2 (fds[1], STDOUT_FILENO);
    dup2 (fds[1], STDERR_FILENO);
    execlp ("fusermount3", "fusermount3", "-u", "--", mountpoint, (char *) NULL);
    fprintf (stderr, "cannot run fusermount3: %s\n", strerror (errno));
    _exit (127);
  }
  close (fds[1]);
  size_t len = 0;
  for (;;) {
    char buf[256];
    ssize_t k = read (fds[0], buf, sizeof buf);
    if (k == -1 && errno == EINTR)
      continue;
    if (k <= 0)
      break;
    size_t room = errsize - 1 - len;
    size_t c = (size_t) k < room ? (size_t) k : room;
    memcpy (err + len, buf, c);
    len += c;
  }
  close (fds[0]);
  err[len] = '\0';
  while (len > 0 && err[len - 1] == '\n')
    err[--len] = '\0';
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return -1;
  if (WIFEXITED (status))
    return WEXITSTATUS (status) == 127 ? -1 : WEXITSTATUS (status);
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 128;
}
