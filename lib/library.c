/* Library-side actions of api/library.py: qemu parameters, backend
 * settings, network / process group / recovery process settings,
 * private data iteration, environment parsing, user_cancel. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

void
guestfs_int_free_library (guestfs_h *g)
{
  guestfs_int_stop_recovery (g);
  if (g->test_output) {
    fclose (g->test_output);
    g->test_output = NULL;
  }
  guestfs_int_free_string_list (g->hv_params);
  g->hv_params = NULL;
  guestfs_int_free_string_list (g->libvirt_supported_creds);
  g->libvirt_supported_creds = NULL;
  guestfs_int_free_libvirt_creds (g);
}

/* ---- config ---- */

/* Options the direct backend sets itself: a second copy would confuse
 * qemu or break the appliance's fixed configuration. */
static const char *const reserved_params[] = {
  "-kernel", "-initrd", "-append", "-machine", "-M", "-m", "-smp",
  "-nodefaults", "-no-user-config", "-display", "-serial", "-bios",
  "-enable-kvm", "-no-reboot", "-daemonize", NULL,
};

int
guestfs_impl_config (guestfs_h *g, const char *hvparam, const char *hvvalue)
{
  if (hvparam[0] != '-' || hvparam[1] == '\0') {
    error (g, "config: parameter '%s' must begin with '-'", hvparam);
    return -1;
  }
  for (size_t i = 0; reserved_params[i]; ++i)
    if (strcmp (hvparam, reserved_params[i]) == 0) {
      error (g, "config: parameter '%s' is set by the backend and cannot be used", hvparam);
      return -1;
    }
  size_t n = 0;
  while (g->hv_params && g->hv_params[n]) n++;
  char **p = realloc (g->hv_params, (n + 3) * sizeof *p);
  if (!p) {
    guestfs_int_perrorf (g, "config");
    return -1;
  }
  g->hv_params = p;
  /* Keep pairs; "" stands for "no value" so the list stays NULL-ended. */
  p[n] = guestfs_int_safe_strdup (g, hvparam);
  p[n + 1] = guestfs_int_safe_strdup (g, hvvalue ? hvvalue : "");
  p[n + 2] = NULL;
  return 0;
}

/* ---- backend settings ---- */

/* Does setting s name "name" (as "name" or "name=...")? */
static bool
setting_is (const char *s, const char *name)
{
  size_t n = strlen (name);
  return strncmp (s, name, n) == 0 && (s[n] == '\0' || s[n] == '=');
}

char *
guestfs_impl_get_backend_setting (guestfs_h *g, const char *name)
{
  for (size_t i = 0; g->backend_settings && g->backend_settings[i]; ++i) {
    const char *s = g->backend_settings[i];
    if (setting_is (s, name))
      return guestfs_int_safe_strdup (g, s[strlen (name)] == '=' ? s + strlen (name) + 1 : "1");
  }
  guestfs_int_error_errno (g, ESRCH, "get_backend_setting: setting not found: %s", name);
  return NULL;
}

int
guestfs_impl_clear_backend_setting (guestfs_h *g, const char *name)
{
  int removed = 0;
  size_t j = 0;
  for (size_t i = 0; g->backend_settings && g->backend_settings[i]; ++i) {
    if (setting_is (g->backend_settings[i], name)) {
      free (g->backend_settings[i]);
      removed++;
    }
    else
      g->backend_settings[j++] = g->backend_settings[i];
  }
  if (g->backend_settings)
    g->backend_settings[j] = NULL;
  return removed;
}

int
guestfs_impl_set_backend_setting (guestfs_h *g, const char *name, const char *val)
{
  char *s;
  if (asprintf (&s, "%s=%s", name, val) == -1) {
    guestfs_int_perrorf (g, "set_backend_setting");
    return -1;
  }
  guestfs_impl_clear_backend_setting (g, name);
  size_t n = 0;
  while (g->backend_settings && g->backend_settings[n]) n++;
  char **p = realloc (g->backend_settings, (n + 2) * sizeof *p);
  if (!p) {
    free (s);
    guestfs_int_perrorf (g, "set_backend_setting");
    return -1;
  }
  p[n] = s;
  p[n + 1] = NULL;
  g->backend_settings = p;
  return 0;
}

/* ---- simple settings ---- */

int guestfs_impl_set_network (guestfs_h *g, int v) { g->network = v != 0; return 0; }
int guestfs_impl_get_network (guestfs_h *g) { return g->network; }
int guestfs_impl_set_pgroup (guestfs_h *g, int v) { g->pgroup = v != 0; return 0; }
int guestfs_impl_get_pgroup (guestfs_h *g) { return g->pgroup; }
int guestfs_impl_set_recovery_proc (guestfs_h *g, int v) { g->recovery_proc = v != 0; return 0; }
int guestfs_impl_get_recovery_proc (guestfs_h *g) { return g->recovery_proc; }

int
guestfs_impl_get_pid (guestfs_h *g)
{
  if (g->state == CONFIG || g->qemu_pid <= 0) {
    error (g, "get_pid: no qemu subprocess (call launch first)");
    return -1;
  }
  return (int) g->qemu_pid;
}

/* Where the handle's sockets go: $XDG_RUNTIME_DIR (when it is a
 * directory) for a user, /tmp for root, whose qemu may run as another
 * user (libvirt) that could not reach root's runtime directory.  The
 * handle's own directory is made under it at launch. */
char *
guestfs_impl_get_sockdir (guestfs_h *g)
{
  const char *xdg = geteuid () != 0 ? getenv ("XDG_RUNTIME_DIR") : NULL;
  if (xdg && *xdg) {
    char *real = realpath (xdg, NULL);
    struct stat st;
    if (real && stat (real, &st) == 0 && S_ISDIR (st.st_mode))
      return real;
    debug (g, "XDG_RUNTIME_DIR %s is not a directory: sockets go to /tmp", xdg);
    free (real);
  }
  return guestfs_int_safe_strdup (g, "/tmp");
}

int64_t
guestfs_impl_c_pointer (guestfs_h *g)
{
  return (int64_t) (intptr_t) g;
}

int
guestfs_impl_max_disks (guestfs_h *g)
{
  return 255;
}

char **
guestfs_impl_available_all_groups (guestfs_h *g)
{
  char **r = guestfs_int_copy_string_list ((char *const *) guestfs_int_feature_groups);
  if (!r)
    guestfs_int_perrorf (g, "available_all_groups");
  return r;
}

/* ---- environment ---- */

static const char *
process_env (void *opaque, const char *name)
{
  return getenv (name);
}

static const char *
list_env (void *opaque, const char *name)
{
  char *const *env = opaque;
  size_t n = strlen (name);
  const char *found = NULL;
  /* The last definition wins, as with repeated putenv. */
  for (size_t i = 0; env[i]; ++i)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      found = env[i] + n + 1;
  return found;
}

int
guestfs_impl_parse_environment (guestfs_h *g)
{
  return guestfs_int_parse_environment (g, process_env, NULL);
}

int
guestfs_impl_parse_environment_list (guestfs_h *g, char *const *environment)
{
  return guestfs_int_parse_environment (g, list_env, (void *) environment);
}

/* ---- user_cancel ---- */

int
guestfs_impl_user_cancel (guestfs_h *g)
{
  /* Any thread, or a signal handler: only a flag and a write(2), which
   * wakes the call's wait in conn.c.  A transfer is stopped at the next
   * chunk; any other call gets a short grace to reply, after which the
   * appliance is stopped so that the caller gets control back. */
  if (g->state == BUSY) {
    g->user_cancel = 1;
    uint64_t one = 1;
    if (g->cancel_fd >= 0 && write (g->cancel_fd, &one, sizeof one) == -1) {
      /* the counter is already non-zero: the wake-up is pending */
    }
  }
  return 0;
}

/* ---- private data iteration (declared in the hand-written preamble) ---- */

GUESTFS_DLL_PUBLIC void *
guestfs_first_private (guestfs_h *g, const char **key_rtn)
{
  g->private_cursor = g->privates;
  if (!g->private_cursor)
    return NULL;
  *key_rtn = g->private_cursor->key;
  return g->private_cursor->data;
}

GUESTFS_DLL_PUBLIC void *
guestfs_next_private (guestfs_h *g, const char **key_rtn)
{
  if (!g->private_cursor)
    return NULL;
  g->private_cursor = g->private_cursor->next;
  if (!g->private_cursor)
    return NULL;
  *key_rtn = g->private_cursor->key;
  return g->private_cursor->data;
}

/* ---- the recovery process ----
 *
 * A child that holds the read end of a pipe whose write end only we
 * have.  When this process dies, however it dies, the kernel closes the
 * write end, the child's read returns 0, it kills qemu and removes the
 * handle's temporary directory.  A clean shutdown kills the child first.
 * (PR_SET_PDEATHSIG alone is not enough: it fires when the forking
 * *thread* exits, which would kill qemu under programs that launch from a
 * short-lived thread.) */

void
guestfs_int_start_recovery (guestfs_h *g)
{
  if (!g->recovery_proc || g->qemu_pid <= 0 || g->recovery_pid > 0)
    return;
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) == -1) {
    debug (g, "recovery process: pipe: %s", strerror (errno));
    return;
  }
  pid_t qemu = g->qemu_pid;
  const char *sockdir = g->sockdir, *workdir = g->workdir;
  pid_t pid = fork ();
  if (pid == -1) {
    debug (g, "recovery process: fork: %s", strerror (errno));
    close (fds[0]);
    close (fds[1]);
    return;
  }
  if (pid == 0) {
    close (fds[1]);
    for (int fd = 0; fd < 1024; ++fd)
      if (fd != fds[0])
        close (fd);
    prctl (PR_SET_NAME, "guestfs-recover", 0, 0, 0);
    signal (SIGINT, SIG_IGN);
    signal (SIGHUP, SIG_IGN);
    signal (SIGTERM, SIG_IGN);
    char c;
    while (read (fds[0], &c, 1) == -1 && errno == EINTR)
      ;
    /* Our parent is gone (or closed the pipe without stopping us). */
    kill (qemu, SIGKILL);
    if (workdir)
      guestfs_int_remove_dir_files (workdir);
    if (sockdir && (!workdir || strcmp (sockdir, workdir) != 0))
      guestfs_int_remove_dir_files (sockdir);
    _exit (0);
  }
  close (fds[0]);
  g->recovery_pid = pid;
  g->recovery_fd = fds[1];
  debug (g, "recovery process %d watches qemu %d", (int) pid, (int) qemu);
}

void
guestfs_int_stop_recovery (guestfs_h *g)
{
  if (g->recovery_pid > 0) {
    kill (g->recovery_pid, SIGKILL);
    waitpid (g->recovery_pid, NULL, 0);
    g->recovery_pid = 0;
  }
  if (g->recovery_fd >= 0) {
    close (g->recovery_fd);
    g->recovery_fd = -1;
  }
}
