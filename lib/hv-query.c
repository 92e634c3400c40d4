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
#include <sys/mman.h>
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

#define SANDBOX_CACHE "hv-sandbox"

/* Whether g->hv was built with seccomp, i.e. takes -sandbox: its option
 * table then holds the sub-option name "elevateprivileges".  Looked up
 * in the binary itself rather than by running it (a launch must not pay
 * for a qemu run), once per binary per process. */
bool
guestfs_int_hv_has_sandbox (guestfs_h *g)
{
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static char *cached_hv;
  static bool cached;
  pthread_mutex_lock (&lock);
  if (cached_hv && strcmp (cached_hv, g->hv) == 0) {
    bool r = cached;
    pthread_mutex_unlock (&lock);
    return r;
  }
  bool found = false;
  char *path = strchr (g->hv, '/') ? strdup (g->hv) : hatch_find_in_path (g->hv);
  int fd = path ? open (path, O_RDONLY | O_CLOEXEC) : -1;
  struct stat st;
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0 &&
      st.st_size < (off_t) 1 << 31) {
    /* Searching the whole binary (18 MB) costs a new process ~10 ms, so
     * the answer is also kept in the per-user cache, for this very file
     * (cache-file.c). */
    char key[160];
    guestfs_int_cache_file_stat_key (&st, key, sizeof key);
    char *known = guestfs_int_cache_file_get (g, SANDBOX_CACHE, key);
    if (known && (strcmp (known, "yes") == 0 || strcmp (known, "no") == 0))
      found = strcmp (known, "yes") == 0;
    else {
      void *p = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        static const char needle[] = "elevateprivileges";
        found = memmem (p, (size_t) st.st_size, needle, sizeof needle - 1) != NULL;
        munmap (p, (size_t) st.st_size);
        guestfs_int_cache_file_put (g, SANDBOX_CACHE, key, found ? "yes" : "no", 16);
      }
    }
    free (known);
  }
  if (fd >= 0)
    close (fd);
  free (path);
  free (cached_hv);
  cached_hv = strdup (g->hv);
  cached = found;
  pthread_mutex_unlock (&lock);
  debug (g, "%s: -sandbox %s", g->hv, found ? "supported" : "not supported (no seccomp)");
  return found;
}
