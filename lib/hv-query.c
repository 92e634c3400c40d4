/* Asking the hypervisor binary (g->hv) a question: run it with some
 * arguments and read what it prints, bounded in size and time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "findpath.h"

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

#define FEATURE_CACHE "hv-features"

/* Whether the binary g->hv holds needle (an option or device name qemu
 * was built with).  Looked up in the binary itself rather than by
 * running it (a launch must not pay for a qemu run), once per binary per
 * process for each feature f, and kept in the per-user cache for that
 * very file (cache-file.c): searching the whole binary (18 MB) cost
 * every new process ~10 ms.  what is the feature, for -v. */
struct hv_feature {
  pthread_mutex_t lock;
  char *hv;                     /* the binary the answer is for */
  bool found;
};

static bool
hv_binary_has (guestfs_h *g, struct hv_feature *f, const char *needle, const char *what)
{
  pthread_mutex_lock (&f->lock);
  if (f->hv && strcmp (f->hv, g->hv) == 0) {
    bool r = f->found;
    pthread_mutex_unlock (&f->lock);
    return r;
  }
  bool found = false;
  char *path = strchr (g->hv, '/') ? strdup (g->hv) : hatch_find_in_path (g->hv);
  int fd = path ? open (path, O_RDONLY | O_CLOEXEC) : -1;
  struct stat st;
  if (fd >= 0 && fstat (fd, &st) == 0)
    found = guestfs_int_file_contains (g, fd, &st, needle, FEATURE_CACHE);
  if (fd >= 0)
    close (fd);
  free (path);
  free (f->hv);
  f->hv = strdup (g->hv);
  f->found = found;
  pthread_mutex_unlock (&f->lock);
  debug (g, "%s: %s %s", g->hv, what, found ? "supported" : "not supported");
  return found;
}

/* Whether g->hv was built with seccomp, i.e. takes -sandbox: its option
 * table then holds the sub-option name "elevateprivileges". */
bool
guestfs_int_hv_has_sandbox (guestfs_h *g)
{
  static struct hv_feature f = { .lock = PTHREAD_MUTEX_INITIALIZER };
  return hv_binary_has (g, &f, "elevateprivileges", "-sandbox (seccomp)");
}

/* Whether g->hv has the virtio-mem-pci device (qemu 5.1 and later, on
 * Linux hosts), which a saved appliance's memory beyond its base needs. */
bool
guestfs_int_hv_has_virtio_mem (guestfs_h *g)
{
  static struct hv_feature f = { .lock = PTHREAD_MUTEX_INITIALIZER };
  return hv_binary_has (g, &f, "virtio-mem-pci", "virtio-mem-pci");
}
