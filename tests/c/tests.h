/* Helpers for the C tests against a real appliance (tests/c/test-*.c):
 * TAP output, temporary directories, timing, running a piece of a test in
 * a child process with a time limit.  Header-only; include once.  */
#ifndef HATCH_C_TESTS_H
#define HATCH_C_TESTS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs.h"

static int tap_n, tap_failed;

static bool __attribute__((format (printf, 2, 3), unused))
ok (bool cond, const char *fmt, ...)
{
  va_list ap;
  tap_n++;
  printf ("%sok %d - ", cond ? "" : "not ", tap_n);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
  if (!cond) tap_failed++;
  return cond;
}

static void __attribute__((format (printf, 1, 2), unused))
skip (const char *fmt, ...)
{
  va_list ap;
  tap_n++;
  printf ("ok %d # SKIP ", tap_n);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  printf ("\n");
  fflush (stdout);
}

static void __attribute__((format (printf, 1, 2), unused))
diag (const char *fmt, ...)
{
  va_list ap;
  char buf[4096];
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  /* One "# " per line so multi-line errors stay TAP comments. */
  for (char *p = buf, *nl; p && *p; p = nl ? nl + 1 : NULL) {
    nl = strchr (p, '\n');
    printf ("# %.*s\n", nl ? (int) (nl - p) : (int) strlen (p), p);
  }
  fflush (stdout);
}

static __attribute__((unused)) int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

static __attribute__((unused)) double
now (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* A fresh temporary directory, removed by cleanup_dir. */
static __attribute__((unused)) char *
make_tmpdir (const char *tag)
{
  char *d;
  const char *base = getenv ("TMPDIR") ? getenv ("TMPDIR") : "/tmp";
  if (asprintf (&d, "%s/hatch-%s-XXXXXX", base, tag) == -1 || !mkdtemp (d)) {
    perror ("mkdtemp");
    exit (1);
  }
  return d;
}

static __attribute__((unused)) void
cleanup_dir (const char *d)
{
  char *cmd;
  if (d && strncmp (d, "/tmp/hatch-", 11) == 0 &&
      asprintf (&cmd, "rm -rf '%s'", d) != -1) {
    if (system (cmd)) {}
    free (cmd);
  }
}

/* The path ending in SUFFIX (e.g. "/guestfsd.sock", "/bulk.img") that
 * the handle's qemu was given on its command line, found through
 * /proc/PID/cmdline: the arguments name the handle's files and sockets
 * ("path=DIR/guestfsd.sock", "file=DIR/bulk.img,...").  Malloc'd, or NULL. */
static __attribute__((unused)) char *
qemu_arg_path (guestfs_h *g, const char *suffix)
{
  int pid = guestfs_get_pid (g);
  char proc[64], buf[65536];
  snprintf (proc, sizeof proc, "/proc/%d/cmdline", pid);
  FILE *f = pid > 0 ? fopen (proc, "r") : NULL;
  if (!f)
    return NULL;
  size_t len = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[len] = '\0';
  for (size_t i = 0; i < len; i += strlen (buf + i) + 1) {
    char *p = strstr (buf + i, suffix);
    if (!p)
      continue;
    char *start = p;
    while (start > buf + i && start[-1] != '=' && start[-1] != ',')
      --start;
    return strndup (start, (size_t) (p + strlen (suffix) - start));
  }
  return NULL;
}

/* The directory of the handle's sockets (under get_sockdir), from the
 * channel's socket on qemu's command line: malloc'd, or NULL. */
static __attribute__((unused)) char *
qemu_sockets_dir (guestfs_h *g)
{
  char *sock = qemu_arg_path (g, "/guestfsd.sock");
  char *slash = sock ? strrchr (sock, '/') : NULL;
  if (slash)
    *slash = '\0';
  else {
    free (sock);
    sock = NULL;
  }
  return sock;
}

/* The last error of a handle, never NULL. */
static __attribute__((unused)) const char *
errmsg (guestfs_h *g)
{
  const char *e = guestfs_last_error (g);
  return e ? e : "(no error message)";
}

/* Quiet default error printing: the tests print errors themselves. */
static __attribute__((unused)) guestfs_h *
create_quiet (void)
{
  guestfs_h *g = guestfs_create ();
  if (!g) {
    printf ("Bail out! guestfs_create failed\n");
    exit (1);
  }
  guestfs_set_error_handler (g, NULL, NULL);
  return g;
}

/* Kill (by pid) every process whose command line mentions `needle`:
 * the qemu a hung child left behind, found by its unique temp dir. */
static __attribute__((unused)) void
kill_by_cmdline (const char *needle)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  if (!d) return;
  while ((e = readdir (d))) {
    char path[64], buf[8192];
    pid_t pid = atoi (e->d_name);
    if (pid <= 0 || pid == getpid ()) continue;
    snprintf (path, sizeof path, "/proc/%d/cmdline", pid);
    int fd = open (path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read (fd, buf, sizeof buf - 1);
    close (fd);
    if (n <= 0) continue;
    for (ssize_t i = 0; i < n; ++i) if (buf[i] == 0) buf[i] = ' ';
    buf[n] = 0;
    if (strstr (buf, needle))
      kill (pid, SIGKILL);
  }
  closedir (d);
}

/* Run fn(arg) in a child process; the child writes its findings (one
 * line of text) to the fd it is given.  Returns the child's exit status,
 * or -1 if it did not finish within `seconds` (it is then killed, with
 * any process mentioning `killtag` in its command line).  `out` receives
 * the text (malloc'd).  */
static __attribute__((unused)) int
run_bounded (int (*fn) (void *, int), void *arg, int seconds, const char *killtag,
             char **out, double *elapsed)
{
  int p[2];
  if (pipe (p) == -1) { perror ("pipe"); exit (1); }
  fflush (stdout);
  double t0 = now ();
  pid_t pid = fork ();
  if (pid == 0) {
    close (p[0]);
    _exit (fn (arg, p[1]));
  }
  close (p[1]);
  size_t cap = 65536, len = 0;
  char *buf = calloc (1, cap);
  int status = 0, ret = -1;
  for (;;) {
    struct pollfd pf = { p[0], POLLIN, 0 };
    int r = poll (&pf, 1, 200);
    if (r > 0) {
      ssize_t n = read (p[0], buf + len, cap - 1 - len);
      if (n > 0) len += (size_t) n;
      else if (n == 0 || len >= cap - 1) {
        /* writer closed: wait for the child below */
        pf.fd = -1;
      }
    }
    pid_t w = waitpid (pid, &status, WNOHANG);
    if (w == pid) {
      ssize_t n;
      while (len < cap - 1 && (n = read (p[0], buf + len, cap - 1 - len)) > 0)
        len += (size_t) n;
      ret = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
      break;
    }
    if (now () - t0 > seconds) {
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      if (killtag) kill_by_cmdline (killtag);
      ret = -1;
      break;
    }
  }
  close (p[0]);
  buf[len] = 0;
  *out = buf;
  if (elapsed) *elapsed = now () - t0;
  return ret;
}

/* sha256 of a file, as hex (malloc'd), via sha256sum(1). */
static __attribute__((unused)) char *
sha256_file (const char *path)
{
  char *cmd, line[256];
  if (asprintf (&cmd, "sha256sum '%s'", path) == -1) return NULL;
  FILE *f = popen (cmd, "r");
  free (cmd);
  if (!f) return NULL;
  char *r = NULL;
  if (fgets (line, sizeof line, f) && strlen (line) > 64) {
    line[64] = 0;
    r = strdup (line);
  }
  pclose (f);
  return r;
}

static __attribute__((unused)) bool
contains (const char *hay, const char *needle)
{
  return hay && strstr (hay, needle) != NULL;
}

static __attribute__((unused)) bool
contains_ci (const char *hay, const char *needle)
{
  return hay && strcasestr (hay, needle) != NULL;
}

/* The entries of a directory, "." and ".." aside (0 if it is gone). */
static __attribute__((unused)) int
count_entries (const char *path)
{
  DIR *d = opendir (path);
  int n = 0;
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  if (d)
    closedir (d);
  return n;
}

/* Does process PID's command line contain NEEDLE (arguments joined by
 * spaces, with one before the first)? */
static __attribute__((unused)) bool
cmdline_has (pid_t pid, const char *needle)
{
  char path[64], buf[8192] = " ";
  snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
  int f = open (path, O_RDONLY);
  if (f < 0)
    return false;
  ssize_t n = read (f, buf + 1, sizeof buf - 2);
  close (f);
  for (ssize_t i = 1; i <= n; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
  buf[n > 0 ? n + 1 : 1] = '\0';
  return strstr (buf, needle) != NULL;
}

/* The appliance VMs among this process's children (qemu with -chardev,
 * not a -version query): up to MAX pids into PIDS; returns how many. */
static __attribute__((unused)) int
appliance_children (pid_t *pids, int max)
{
  DIR *d = opendir ("/proc");
  struct dirent *de;
  int n = 0;
  while (d && n < max && (de = readdir (d)) != NULL) {
    char path[300], buf[512];
    snprintf (path, sizeof path, "/proc/%s/stat", de->d_name);
    int f = open (path, O_RDONLY);
    if (f < 0)
      continue;
    ssize_t r = read (f, buf, sizeof buf - 1);
    close (f);
    if (r <= 0)
      continue;
    buf[r] = '\0';
    char *rp = strrchr (buf, ')');
    int ppid = 0;
    pid_t pid = (pid_t) atoi (de->d_name);
    if (rp && sscanf (rp + 2, "%*c %d", &ppid) == 1 && ppid == getpid () &&
        strstr (buf, "(qemu") && cmdline_has (pid, " -chardev "))
      pids[n++] = pid;
  }
  if (d)
    closedir (d);
  return n;
}

#endif
