/* Creating and closing handles; the environment variables that seed a
 * handle's properties. */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "findpath.h"


/* Open handles, so that an exiting program does not leave qemu running. */
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static guestfs_h *handles;
static bool atexit_registered;

static void
close_handles_at_exit (void)
{
  for (;;) {
    pthread_mutex_lock (&handles_lock);
    guestfs_h *g = handles;
    pthread_mutex_unlock (&handles_lock);
    if (!g)
      break;
    guestfs_close (g);
  }
}

char *
guestfs_int_safe_strdup (guestfs_h *g, const char *s)
{
  if (!s)
    return NULL;
  char *r = strdup (s);
  if (!r) {
    if (g && g->abort_cb) g->abort_cb ();
    abort ();
  }
  return r;
}

void
guestfs_int_free_string_list (char **l)
{
  if (!l) return;
  for (size_t i = 0; l[i]; ++i)
    free (l[i]);
  free (l);
}

char **
guestfs_int_copy_string_list (char *const *l)
{
  size_t n = 0;
  while (l && l[n]) n++;
  char **r = calloc (n + 1, sizeof *r);
  if (!r) return NULL;
  for (size_t i = 0; i < n; ++i)
    if (!(r[i] = strdup (l[i]))) {
      guestfs_int_free_string_list (r);
      return NULL;
    }
  return r;
}

typedef const char *(*env_lookup) (void *opaque, const char *name);

static bool
env_true (env_lookup lookup, void *opaque, const char *name)
{
  const char *v = lookup (opaque, name);
  return v && (strcmp (v, "1") == 0 || strcasecmp (v, "true") == 0 ||
               strcasecmp (v, "yes") == 0 || strcasecmp (v, "on") == 0);
}

/* Read LIBGUESTFS_* variables (guestfs(3) "ENVIRONMENT VARIABLES"),
 * from the process environment or, for parse_environment_list, a list. */
int
guestfs_int_parse_environment (guestfs_h *g, env_lookup lookup, void *opaque)
{
  const char *v;
  if (env_true (lookup, opaque, "LIBGUESTFS_DEBUG")) g->verbose = true;
  if (env_true (lookup, opaque, "LIBGUESTFS_TRACE")) g->trace = true;
  if ((v = lookup (opaque, "LIBGUESTFS_PATH")) && *v) {
    free (g->path);
    g->path = guestfs_int_safe_strdup (g, v);
  }
  if ((v = lookup (opaque, "LIBGUESTFS_HV")) && *v) {
    free (g->hv);
    g->hv = guestfs_int_safe_strdup (g, v);
  }
  if ((v = lookup (opaque, "LIBGUESTFS_APPEND"))) {
    free (g->append);
    g->append = guestfs_int_safe_strdup (g, v);
  }
  if ((v = lookup (opaque, "LIBGUESTFS_MEMSIZE")) && *v) {
    char *end;
    long m = strtol (v, &end, 10);
    if (*end || m < 256 || m > 1024 * 1024) {
      error (g, "non-numeric or too small value for LIBGUESTFS_MEMSIZE");
      return -1;
    }
    g->memsize = (int) m;
  }
  if ((v = lookup (opaque, "LIBGUESTFS_CALL_TIMEOUT")) && *v) {
    /* Hatch's own: seconds a daemon call may take before the appliance
     * is stopped and the call fails (0, the default: no limit). */
    char *end;
    long t = strtol (v, &end, 10);
    if (*end || t < 0 || t > 1000000) {
      error (g, "LIBGUESTFS_CALL_TIMEOUT must be a number of seconds (0: no limit)");
      return -1;
    }
    g->call_timeout = (int) t;
  }
  if ((v = lookup (opaque, "LIBGUESTFS_CACHEDIR")) && *v) {
    free (g->cachedir);
    g->cachedir = guestfs_int_safe_strdup (g, v);
  }
  if (((v = lookup (opaque, "LIBGUESTFS_TMPDIR")) && *v) || ((v = lookup (opaque, "TMPDIR")) && *v)) {
    free (g->tmpdir);
    g->tmpdir = guestfs_int_safe_strdup (g, v);
  }
  if (((v = lookup (opaque, "LIBGUESTFS_BACKEND")) && *v) ||
      ((v = lookup (opaque, "LIBGUESTFS_ATTACH_METHOD")) && *v)) {
    if (guestfs_set_backend (g, v) == -1)
      return -1;
  }
  if ((v = lookup (opaque, "LIBGUESTFS_BACKEND_SETTINGS"))) {
    /* colon-separated list */
    char *copy = guestfs_int_safe_strdup (g, v);
    size_t n = 1;
    for (char *p = copy; *p; ++p) if (*p == ':') n++;
    char **l = calloc (n + 1, sizeof *l);
    size_t i = 0;
    char *save = NULL;
    for (char *tok = strtok_r (copy, ":", &save); tok && l; tok = strtok_r (NULL, ":", &save))
      l[i++] = tok;
    if (l) guestfs_set_backend_settings (g, l);
    free (l);
    free (copy);
  }
  return 0;
}

static const char *
process_env (void *opaque, const char *name)
{
  return getenv (name);
}

char *
guestfs_int_default_hv (void)
{
  static const char name[] = "qemu-system-x86_64";
  char *found = hatch_find_in_path (name);
  if (found == NULL)
    return strdup (name);
  char *real = realpath (found, NULL);     /* absolute; /bin/... -> /usr/bin/... */
  if (real) {
    free (found);
    return real;
  }
  return found;
}

static guestfs_h *
create_handle (unsigned flags)
{
  guestfs_h *g = calloc (1, sizeof *g);
  if (!g)
    return NULL;
  g->create_flags = flags;
  g->state = CONFIG;
  g->sock = -1;
  g->console_fd = -1;
  g->bulk_fd = -1;
  g->qemu_pid = 0;
  g->autosync = true;
  g->memsize = HATCH_DEFAULT_MEMSIZE;
  g->smp = 1;
  g->recovery_proc = true;
  g->recovery_fd = -1;
  /* user_cancel (any thread, or a signal handler) writes here to wake a
   * call waiting for the daemon. */
  g->cancel_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (g->cancel_fd == -1 || guestfs_int_init_errors (g) == -1) {
    if (g->cancel_fd >= 0)
      close (g->cancel_fd);
    free (g);
    return NULL;
  }
  g->backend = strdup ("direct");
  g->backend_settings = calloc (1, sizeof (char *));
  g->hv = guestfs_int_default_hv ();
  g->identifier = strdup ("");
  g->program = strdup (program_invocation_short_name ? program_invocation_short_name : "");
  if (!g->backend || !g->backend_settings || !g->hv || !g->identifier || !g->program) {
    guestfs_close (g);
    return NULL;
  }
  return g;
}

GUESTFS_DLL_PUBLIC guestfs_h *
guestfs_create_flags (unsigned flags, ...)
{
  if (flags & ~(unsigned) (GUESTFS_CREATE_NO_ENVIRONMENT | GUESTFS_CREATE_NO_CLOSE_ON_EXIT)) {
    errno = EINVAL;
    return NULL;
  }
  guestfs_h *g = create_handle (flags);
  if (!g)
    return NULL;
  if (!(flags & GUESTFS_CREATE_NO_ENVIRONMENT) &&
      guestfs_int_parse_environment (g, process_env, NULL) == -1) {
    guestfs_close (g);
    errno = EINVAL;
    return NULL;
  }
  pthread_mutex_lock (&handles_lock);
  g->next = handles;
  handles = g;
  if (!(flags & GUESTFS_CREATE_NO_CLOSE_ON_EXIT) && !atexit_registered) {
    atexit (close_handles_at_exit);
    atexit_registered = true;
  }
  pthread_mutex_unlock (&handles_lock);
  return g;
}

GUESTFS_DLL_PUBLIC guestfs_h *
guestfs_create (void)
{
  return guestfs_create_flags (0);
}

GUESTFS_DLL_PUBLIC void
guestfs_close (guestfs_h *g)
{
  if (!g || g->state == NO_HANDLE)
    return;
  guestfs_int_lock (g);
  if (g->trace) {
    const char *msg = "close";
    guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_TRACE, msg, strlen (msg));
  }
  if (g->state == READY && g->autosync) {
    /* Flush everything to the images before qemu goes away. */
    guestfs_umount_all (g);
    guestfs_sync (g);
  }
  if (g->state != CONFIG)
    guestfs_int_backend_shutdown (g, false);
  guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_CLOSE);
  g->state = NO_HANDLE;

  pthread_mutex_lock (&handles_lock);
  for (guestfs_h **p = &handles; *p; p = &(*p)->next)
    if (*p == g) {
      *p = g->next;
      break;
    }
  pthread_mutex_unlock (&handles_lock);

  guestfs_int_free_drives (g);
  guestfs_int_free_library (g);
  for (struct private_entry *p = g->privates, *n; p; p = n) {
    n = p->next;
    free (p->key);
    free (p);
  }
  free (g->events);
  free (g->backend);
  guestfs_int_free_string_list (g->backend_settings);
  free (g->path);
  free (g->hv);
  free (g->append);
  free (g->program);
  free (g->identifier);
  free (g->cachedir);
  free (g->tmpdir);
  free (g->sockdir);
  free (g->workdir);
  if (g->cancel_fd >= 0)
    close (g->cancel_fd);
  pthread_mutex_unlock (&g->lock);
  guestfs_int_free_errors (g);
  free (g);
}

int
guestfs_int_check_config (guestfs_h *g, const char *caller)
{
  if (g->state != CONFIG) {
    error (g, "%s: this function can only be called in the config state", caller);
    return -1;
  }
  return 0;
}

GUESTFS_DLL_PUBLIC void
guestfs_set_private (guestfs_h *g, const char *key, void *data)
{
  for (struct private_entry *p = g->privates; p; p = p->next)
    if (strcmp (p->key, key) == 0) {
      p->data = data;
      return;
    }
  struct private_entry *p = malloc (sizeof *p);
  if (!p) return;
  p->key = guestfs_int_safe_strdup (g, key);
  p->data = data;
  p->next = g->privates;
  g->privates = p;
}

GUESTFS_DLL_PUBLIC void *
guestfs_get_private (guestfs_h *g, const char *key)
{
  for (struct private_entry *p = g->privates; p; p = p->next)
    if (strcmp (p->key, key) == 0)
      return p->data;
  return NULL;
}
