/* Does KVM really work here?
 *
 * Some hosts have a /dev/kvm that passes every small test and still
 * cannot run our appliance (nested or paravirtualised hosts: the guest
 * kernel dies with a KVM internal error a second into its boot).  So a
 * probe only filters: the verdict comes from the real boot (direct.c
 * drops KVM and boots again under TCG when the appliance does not come
 * up under KVM, and records "no" here).
 *
 * The verdict is cached per boot of the host and per hypervisor binary,
 * in the checked per-user cache directory (never a predictable name in a
 * shared directory): a file "kvm-verdict" with lines
 *   BOOT_ID <tab> yes|no <tab> HYPERVISOR
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"
#include "appliance/appliance.h"

#define VERDICT_FILE "kvm-verdict"
#define MAX_VERDICT_FILE (64 * 1024)
#define PROBE_TIMEOUT_MS 10000

/* Ask the hypervisor itself: start it paused with KVM and the CPU model we
 * would use, then quit.  It fails at once where there is no /dev/kvm or
 * where the host refuses the vCPU setup. */
static bool
probe_qemu_kvm (guestfs_h *g, char *why, size_t whylen)
{
  int in[2];
  if (pipe2 (in, O_CLOEXEC) == -1) {
    snprintf (why, whylen, "pipe: %s", strerror (errno));
    return false;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    snprintf (why, whylen, "fork: %s", strerror (errno));
    close (in[0]);
    close (in[1]);
    return false;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_WRONLY);
    dup2 (in[0], 0);
    dup2 (null, 1);
    dup2 (null, 2);
    execlp (g->hv, g->hv, "-no-user-config", "-nodefaults", "-display", "none",
            "-machine", "q35,accel=kvm", "-cpu", "host", "-S",
            "-monitor", "stdio", (char *) NULL);
    _exit (127);
  }
  close (in[0]);
  if (write (in[1], "quit\n", 5) != 5) { /* qemu may already have died */ }
  close (in[1]);
  /* Bounded: a hypervisor wrapper that ignores "quit" must not hang the
   * launch. */
  int status;
  pid_t w;
  for (int ms = 0; (w = waitpid (pid, &status, WNOHANG)) == 0; ms += 10) {
    if (ms >= PROBE_TIMEOUT_MS) {
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      snprintf (why, whylen, "%s -machine accel=kvm did not quit within %d s",
                g->hv, PROBE_TIMEOUT_MS / 1000);
      return false;
    }
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  if (w == -1) {
    snprintf (why, whylen, "waitpid: %s", strerror (errno));
    return false;
  }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return true;
  snprintf (why, whylen, "%s -machine accel=kvm %s %d", g->hv,
            WIFSIGNALED (status) ? "was killed by signal" : "exited with status",
            WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
  return false;
}

static char *
boot_id (void)
{
  char buf[64] = "";
  FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "re");
  if (f) {
    if (!fgets (buf, sizeof buf, f))
      buf[0] = '\0';
    fclose (f);
  }
  buf[strcspn (buf, "\n")] = '\0';
  return strdup (buf[0] ? buf : "unknown-boot");
}

/* The verdict file's path, or NULL (no usable cache directory: then the
 * verdict is simply not cached). */
static char *
verdict_path (guestfs_h *g)
{
  char *cachedir = guestfs_impl_get_cachedir (g);
  char *err = NULL;
  char *dir = cachedir ? hatch_appliance_user_cache_dir (cachedir, &err) : NULL;
  char *path = NULL;
  if (!dir)
    debug (g, "KVM verdict not cached: %s", err ? err : "no cache directory");
  else if (asprintf (&path, "%s/" VERDICT_FILE, dir) == -1)
    path = NULL;
  free (err);
  free (dir);
  free (cachedir);
  return path;
}

/* Read the whole verdict file (bounded), or an empty string. */
static char *
read_verdicts (const char *path)
{
  char *buf = calloc (1, MAX_VERDICT_FILE + 1);
  if (!buf)
    return NULL;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    size_t n = 0;
    ssize_t r;
    while (n < MAX_VERDICT_FILE &&
           (r = read (fd, buf + n, MAX_VERDICT_FILE - n)) > 0)
      n += (size_t) r;
    buf[n] = '\0';
    close (fd);
  }
  return buf;
}

/* Find this boot's line for this hypervisor: 1 yes, 0 no, -1 none. */
static int
lookup_verdict (const char *verdicts, const char *id, const char *hv)
{
  int found = -1;
  const char *line = verdicts;
  while (line && *line) {
    const char *end = strchr (line, '\n');
    size_t len = end ? (size_t) (end - line) : strlen (line);
    size_t idlen = strlen (id), hvlen = strlen (hv);
    if (len > idlen + 1 && strncmp (line, id, idlen) == 0 && line[idlen] == '\t') {
      const char *v = line + idlen + 1;
      bool yes = strncmp (v, "yes\t", 4) == 0, no = strncmp (v, "no\t", 3) == 0;
      const char *h = v + (yes ? 4 : 3);
      if ((yes || no) && (size_t) (line + len - h) == hvlen && strncmp (h, hv, hvlen) == 0)
        found = yes ? 1 : 0;
    }
    line = end ? end + 1 : NULL;
  }
  return found;
}

/* Write the verdict: keep the other hypervisors' lines of this boot, drop
 * every other boot's, replace ours.  A temporary file in our own 0700
 * directory, then rename: concurrent launches never see half a file. */
static void
store_verdict (guestfs_h *g, const char *path, const char *id, bool yes)
{
  char *old = read_verdicts (path);
  char *tmp = NULL;
  if (!old || asprintf (&tmp, "%s.%d", path, (int) getpid ()) == -1) {
    free (old);
    return;
  }
  int fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close (fd);
    debug (g, "KVM verdict not cached: %s: %s", tmp, strerror (errno));
    free (tmp);
    free (old);
    return;
  }
  size_t idlen = strlen (id);
  for (char *line = old, *end; line && *line; line = end ? end + 1 : NULL) {
    end = strchr (line, '\n');
    if (end) *end = '\0';
    if (strncmp (line, id, idlen) != 0 || line[idlen] != '\t')
      continue;                                   /* another boot's */
    if (lookup_verdict (line, id, g->hv) != -1)
      continue;                                   /* ours: replaced */
    fprintf (f, "%s\n", line);
  }
  fprintf (f, "%s\t%s\t%s\n", id, yes ? "yes" : "no", g->hv);
  if (fclose (f) == 0 && rename (tmp, path) == 0)
    debug (g, "KVM verdict \"%s\" for %s cached in %s", yes ? "yes" : "no", g->hv, path);
  else
    unlink (tmp);
  free (tmp);
  free (old);
}

bool
guestfs_int_kvm_usable (guestfs_h *g)
{
  char *path = verdict_path (g);
  char *id = boot_id ();
  bool verdict;
  char why[256] = "";

  if (path && id) {
    char *v = read_verdicts (path);
    int found = v ? lookup_verdict (v, id, g->hv) : -1;
    free (v);
    if (found != -1) {
      verdict = found == 1;
      debug (g, "KVM %s (cached verdict in %s)", verdict ? "works" : "does not work", path);
      goto done;
    }
  }
  verdict = probe_qemu_kvm (g, why, sizeof why);
  if (verdict)
    debug (g, "KVM probe passed; the appliance's own boot decides");
  else
    debug (g, "KVM cannot run a guest here: %s (using TCG)", why);
  if (path && id)
    store_verdict (g, path, id, verdict);
 done:
  free (path);
  free (id);
  return verdict;
}

void
guestfs_int_kvm_record_failure (guestfs_h *g)
{
  char *path = verdict_path (g);
  char *id = boot_id ();
  if (path && id)
    store_verdict (g, path, id, false);
  free (path);
  free (id);
}
