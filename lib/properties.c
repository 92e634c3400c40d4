/* Handle properties (library-side actions from api/properties.py). */
#include <ctype.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

static int
replace_string (guestfs_h *g, char **field, const char *value)
{
  char *copy = value ? guestfs_int_safe_strdup (g, value) : NULL;
  free (*field);
  *field = copy;
  return 0;
}

int guestfs_impl_set_verbose (guestfs_h *g, int v) { g->verbose = v != 0; return 0; }
int guestfs_impl_get_verbose (guestfs_h *g) { return g->verbose; }
int guestfs_impl_set_trace (guestfs_h *g, int v) { g->trace = v != 0; return 0; }
int guestfs_impl_get_trace (guestfs_h *g) { return g->trace; }
int guestfs_impl_set_selinux (guestfs_h *g, int v) { g->selinux = v != 0; return 0; }
int guestfs_impl_get_selinux (guestfs_h *g) { return g->selinux; }
int guestfs_impl_set_autosync (guestfs_h *g, int v) { g->autosync = v != 0; return 0; }
int guestfs_impl_get_autosync (guestfs_h *g) { return g->autosync; }

int
guestfs_impl_set_memsize (guestfs_h *g, int memsize)
{
  if (memsize < 256) {
    error (g, "set_memsize: memsize must be at least 256 (MB)");
    return -1;
  }
  g->memsize = memsize;
  return 0;
}

int guestfs_impl_get_memsize (guestfs_h *g) { return g->memsize; }

int
guestfs_impl_set_smp (guestfs_h *g, int smp)
{
  if (smp < 1 || smp > 255) {
    error (g, "set_smp: smp must be between 1 and 255");
    return -1;
  }
  g->smp = smp;
  return 0;
}

int guestfs_impl_get_smp (guestfs_h *g) { return g->smp; }

int
guestfs_impl_set_backend (guestfs_h *g, const char *backend)
{
  if (strcmp (backend, "direct") != 0 && strcmp (backend, "appliance") != 0 &&
      strcmp (backend, "libvirt") != 0 && strncmp (backend, "libvirt:", 8) != 0 &&
      strncmp (backend, "unix:", 5) != 0) {
    error (g, "invalid backend: %s", backend);
    return -1;
  }
  /* "appliance" is the old name of "direct". */
  return replace_string (g, &g->backend,
                         strcmp (backend, "appliance") == 0 ? "direct" : backend);
}

char *guestfs_impl_get_backend (guestfs_h *g) { return guestfs_int_safe_strdup (g, g->backend); }

int
guestfs_impl_set_backend_settings (guestfs_h *g, char *const *settings)
{
  char **copy = guestfs_int_copy_string_list (settings);
  if (!copy) {
    guestfs_int_perrorf (g, "set_backend_settings");
    return -1;
  }
  guestfs_int_free_string_list (g->backend_settings);
  g->backend_settings = copy;
  return 0;
}

char **
guestfs_impl_get_backend_settings (guestfs_h *g)
{
  char **r = guestfs_int_copy_string_list (g->backend_settings);
  if (!r)
    guestfs_int_perrorf (g, "get_backend_settings");
  return r;
}

int guestfs_impl_set_path (guestfs_h *g, const char *searchpath) { return replace_string (g, &g->path, searchpath); }

const char *
guestfs_impl_get_path (guestfs_h *g)
{
  /* With no fixed appliance, the appliance lives in the cache. */
  return g->path ? g->path : "";
}

int guestfs_impl_set_hv (guestfs_h *g, const char *hv) { return replace_string (g, &g->hv, hv); }
char *guestfs_impl_get_hv (guestfs_h *g) { return guestfs_int_safe_strdup (g, g->hv); }
int guestfs_impl_set_append (guestfs_h *g, const char *a) { return replace_string (g, &g->append, a); }
const char *guestfs_impl_get_append (guestfs_h *g) { return g->append; }
int guestfs_impl_set_program (guestfs_h *g, const char *p) { return replace_string (g, &g->program, p); }
const char *guestfs_impl_get_program (guestfs_h *g) { return g->program; }

int
guestfs_impl_set_identifier (guestfs_h *g, const char *id)
{
  for (const char *p = id; *p; ++p)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '-') {
      error (g, "identifier must contain only alphanumeric characters, underscore or minus sign");
      return -1;
    }
  return replace_string (g, &g->identifier, id);
}

const char *guestfs_impl_get_identifier (guestfs_h *g) { return g->identifier; }
/* set_tmpdir and set_cachedir as libguestfs: the directory is made
 * absolute with realpath and must be a directory.  The old value is
 * dropped first, so after a failure the default applies (libguestfs 1.48
 * behaves so: get_tmpdir then answers /tmp).  NULL restores the default. */
static int
set_dir (guestfs_h *g, const char *what, char **field, const char *dir)
{
  free (*field);
  *field = NULL;
  if (dir == NULL)
    return 0;
  char *abs = realpath (dir, NULL);
  if (abs == NULL) {
    guestfs_int_perrorf (g, "converting path to absolute path: %s: %s: realpath",
                         what, dir);
    return -1;
  }
  struct stat st;
  if (stat (abs, &st) == -1) {
    guestfs_int_perrorf (g, "stat: %s", abs);
    free (abs);
    return -1;
  }
  if (!S_ISDIR (st.st_mode)) {
    error (g, "setting temporary directory: %s: '%s' is not a directory", what, abs);
    free (abs);
    return -1;
  }
  *field = abs;
  return 0;
}

int guestfs_impl_set_cachedir (guestfs_h *g, const char *d) { return set_dir (g, "set_cachedir", &g->cachedir, d); }
int guestfs_impl_set_tmpdir (guestfs_h *g, const char *d) { return set_dir (g, "set_tmpdir", &g->tmpdir, d); }

char *
guestfs_impl_get_tmpdir (guestfs_h *g)
{
  return guestfs_int_safe_strdup (g, g->tmpdir ? g->tmpdir : "/tmp");
}

char *
guestfs_impl_get_cachedir (guestfs_h *g)
{
  if (g->cachedir)
    return guestfs_int_safe_strdup (g, g->cachedir);
  const char *xdg = getenv ("XDG_CACHE_HOME");
  if (xdg && *xdg)
    return guestfs_int_safe_strdup (g, xdg);
  return guestfs_int_safe_strdup (g, "/var/tmp");
}

int guestfs_impl_get_state (guestfs_h *g) { return (int) g->state; }
int guestfs_impl_is_config (guestfs_h *g) { return g->state == CONFIG; }
int guestfs_impl_is_launching (guestfs_h *g) { return g->state == LAUNCHING; }
int guestfs_impl_is_ready (guestfs_h *g) { return g->state == READY; }
int guestfs_impl_is_busy (guestfs_h *g) { return g->state == BUSY; }
