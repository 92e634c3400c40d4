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
 * in the checked per-user cache directory (cache-file.c): a file
 * "kvm-verdict" with lines
 *   BOOT_ID <tab> HYPERVISOR <tab> yes|no
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"
#include "appliance/appliance.h"

#define VERDICT_FILE "kvm-verdict"
#define MAX_VERDICT_LINES 64
#define PROBE_TIMEOUT_MS 10000

/* Ask the hypervisor itself: start it paused with KVM and the CPU model we
 * would use, then quit.  It fails at once where there is no /dev/kvm or
 * where the host refuses the vCPU setup. */
static bool
probe_qemu_kvm (guestfs_h *g, char *why, size_t whylen)
{
  /* A socket, not a pipe, for its stdin: "quit" goes with MSG_NOSIGNAL,
   * since a hypervisor (or a wrapper) that fails at once has closed it by
   * then, and a pipe's write would kill the caller with SIGPIPE. */
  int in[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) == -1) {
    snprintf (why, whylen, "socketpair: %s", strerror (errno));
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
  if (send (in[1], "quit\n", 5, MSG_NOSIGNAL) != 5) { /* qemu may already have died */ }
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

/* This boot's lines only: a verdict never outlives the host's boot. */
static bool
same_boot (const char *line, void *id)
{
  size_t n = strlen (id);
  return strncmp (line, id, n) == 0 && line[n] == '\t';
}

/* The cache key: this boot and this hypervisor binary. */
static char *
verdict_key (guestfs_h *g, const char *id)
{
  char *key;
  return asprintf (&key, "%s\t%s", id, g->hv) == -1 ? NULL : key;
}

static void
store_verdict (guestfs_h *g, const char *path, const char *id, bool yes)
{
  char *key = verdict_key (g, id);
  if (key && guestfs_int_cache_file_store (g, path, key, yes ? "yes" : "no",
                                           same_boot, (void *) id, MAX_VERDICT_LINES) == 0)
    debug (g, "KVM verdict \"%s\" for %s cached in %s", yes ? "yes" : "no", g->hv, path);
  free (key);
}

bool
guestfs_int_kvm_usable (guestfs_h *g)
{
  char *path = guestfs_int_cache_file_path (g, VERDICT_FILE);
  char *id = guestfs_int_boot_id ();
  bool verdict;
  char why[256] = "";

  if (path && id) {
    char *v = guestfs_int_cache_file_read (path), *key = verdict_key (g, id);
    char *found = v && key ? guestfs_int_cache_file_lookup (v, key) : NULL;
    free (v);
    free (key);
    bool known = found && (strcmp (found, "yes") == 0 || strcmp (found, "no") == 0);
    verdict = known && strcmp (found, "yes") == 0;
    free (found);
    if (known) {
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
  char *path = guestfs_int_cache_file_path (g, VERDICT_FILE);
  char *id = guestfs_int_boot_id ();
  if (path && id)
    store_verdict (g, path, id, false);
  free (path);
  free (id);
}
