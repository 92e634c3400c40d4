/* aug_*: edit guest configuration files with Augeas (libaugeas).
 *
 * Confinement: Augeas builds file names by string concatenation (its root
 * + "/etc/hosts") and opens them with the kernel, following symlinks.  A
 * hostile guest symlink such as /etc/hosts -> /../../etc/shadow would be
 * resolved against the appliance's / if we handed Augeas "/sysroot" as its
 * root.  So every Augeas call that may touch files runs with the whole
 * daemon chrooted into /sysroot: there the guest tree is "/" and no path,
 * absolute or with "..", can leave it.  The daemon is single-threaded, so
 * nothing else runs while it is chrooted, and it gets back out through a
 * descriptor of the real "/" kept open across the chroot (root may always
 * leave a chroot it made itself; we are the trusted side).
 *
 * The lenses live in the appliance (/usr/share/augeas/lenses), not in the
 * guest, so the handle is created outside the chroot with AUG_NO_LOAD:
 * aug_init compiles every lens module then; the guest's files are read
 * afterwards by aug_load inside the chroot.  */
#include <augeas.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "lazylib.h"

#define AUGEAS_FUNCTIONS(X) \
  X (aug_close) \
  X (aug_defnode) \
  X (aug_defvar) \
  X (aug_error) \
  X (aug_error_details) \
  X (aug_error_message) \
  X (aug_error_minor_message) \
  X (aug_get) \
  X (aug_init) \
  X (aug_insert) \
  X (aug_label) \
  X (aug_load) \
  X (aug_match) \
  X (aug_mv) \
  X (aug_rm) \
  X (aug_save) \
  X (aug_set) \
  X (aug_setm) \
  X (aug_text_store) \
  X (aug_transform)
LAZY_LIBRARY (HATCH_LIBAUGEAS_SONAME, AUGEAS_FUNCTIONS)
/* Not LAZY_PRELOAD: the saving boot's augeas_prepare opens it. */

static augeas *aug;

/* Flags documented for guestfs_aug_init (AUG_SAVE_BACKUP ..
 * AUG_NO_MODL_AUTOLOAD).  With AUG_NO_MODL_AUTOLOAD Augeas would load a
 * lens module the first time aug_load needs it, while chrooted, i.e. from
 * the guest: do_aug_transform compiles the lens outside the chroot first
 * (preload_lens). */
#define AUG_INIT_ALLOWED_FLAGS 127

/* A handle made by the boot whose state is saved (augeas_prepare, from
 * settle_before_save).  aug_init compiles every lens module, the same
 * ones every time: ~1.8 s of the one emulated vCPU (0.2 s natively).
 * A restored appliance's first aug_init takes this handle instead when
 * it asks for what the handle was made with: root "/", the standard
 * load path, every module, no type checking; the save mode its flags
 * ask for goes into /augeas/save, which is where aug_init puts it and
 * where aug_save reads it.  Later aug_inits compile as before.  The
 * handle's ~17 MB of compiled lenses are part of the saved RAM, which
 * the restored appliances share (see augeas_prepare for what that costs
 * an idle one). */
static augeas *prepared;

#define PREPARED_INCOMPATIBLE (AUG_TYPE_CHECK | AUG_NO_STDINC | AUG_NO_MODL_AUTOLOAD)

static void *
prepare_thread (void *unused)
{
  augeas *a = lib.aug_init ("/", NULL, AUG_NO_LOAD | AUG_NO_ERR_CLOSE);
  if (a && lib.aug_error (a) != AUG_NOERROR) {
    lib.aug_close (a);
    a = NULL;
  }
  return a;
}

/* In a thread of its own, so that the compiler's allocations (and the
 * many small chunks it frees) are in a malloc arena of their own, away
 * from the daemon's later ones.  An idle restored appliance's qemu had 11
 * MB more resident with them in the main arena, 8 MB this way: clean
 * pages of the saved RAM, which the restored appliances share. */
void
augeas_prepare (void)
{
  char err[512];
  pthread_t t;
  void *r;
  if (lib_open (err, sizeof err) == -1)
    return;
  if (pthread_create (&t, NULL, prepare_thread, NULL) != 0)
    return;
  if (pthread_join (t, &r) == 0)
    prepared = r;
}

static augeas *
take_prepared (const char *root, int flags)
{
  if (!prepared || strcmp (root, "/") != 0 || (flags & PREPARED_INCOMPATIBLE))
    return NULL;
  augeas *a = prepared;
  prepared = NULL;
  const char *mode = flags & AUG_SAVE_NEWFILE ? "newfile" :
    flags & AUG_SAVE_BACKUP ? "backup" : flags & AUG_SAVE_NOOP ? "noop" : "overwrite";
  if (lib.aug_set (a, "/augeas/save", mode) == -1) {
    lib.aug_close (a);
    return NULL;
  }
  if (verbose)
    fprintf (stderr, "guestfsd: aug_init: the lenses compiled before the state was saved\n");
  return a;
}

struct guest_root {
  int root_fd;                  /* the appliance's "/" */
  int cwd_fd;                   /* the daemon's working directory */
};

/* Chroot the daemon into the guest tree.  Replies with the error on
 * failure. */
static int
enter_guest (struct guest_root *s)
{
  s->root_fd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->root_fd == -1) {
    reply_with_perror ("open: /");
    return -1;
  }
  s->cwd_fd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->cwd_fd == -1) {
    reply_with_perror ("open: .");
    close (s->root_fd);
    return -1;
  }
  if (chroot (SYSROOT) == -1 || chdir ("/") == -1) {
    int e = errno;
    if (fchdir (s->root_fd) == 0 && chroot (".") == 0)
      (void) fchdir (s->cwd_fd);
    close (s->root_fd);
    close (s->cwd_fd);
    reply_with_error_errno (e, "chroot: %s: %s", SYSROOT, strerror (e));
    return -1;
  }
  return 0;
}

static void
leave_guest (struct guest_root *s)
{
  if (fchdir (s->root_fd) == -1 || chroot (".") == -1 || fchdir (s->cwd_fd) == -1) {
    /* Staying chrooted in the guest would break every later call in
     * confusing ways; better to die loudly. */
    perror ("guestfsd: cannot leave the guest chroot");
    abort ();
  }
  close (s->root_fd);
  close (s->cwd_fd);
}

/* Append the errors Augeas recorded for files under /augeas/files (parse
 * and save failures are reported there, not through aug_error). */
static void
append_file_errors (char *buf, size_t size)
{
  char **paths = NULL;
  int n = lib.aug_match (aug, "/augeas/files//error", &paths);
  size_t len = strlen (buf);
  for (int i = 0; i < n && len + 1 < size; ++i) {
    const char *kind = NULL, *msg = NULL;
    lib.aug_get (aug, paths[i], &kind);
    char *mp;
    if (asprintf (&mp, "%s/message", paths[i]) != -1) {
      if (lib.aug_get (aug, mp, &msg) != 1)
        msg = NULL;
      free (mp);
    }
    /* "/augeas/files/etc/hosts/error" -> "/etc/hosts" */
    const char *file = paths[i] + strlen ("/augeas/files");
    int flen = (int) (strlen (file) - strlen ("/error"));
    snprintf (buf + len, size - len, "%s%.*s: %s%s%s", len ? "; " : "",
              flen, file, kind ? kind : "error", msg ? ": " : "", msg ? msg : "");
    len = strlen (buf);
  }
  for (int i = 0; i < n; ++i)
    free (paths[i]);
  free (paths);
}

/* Reply with Augeas's description of its last error. */
static void
reply_aug_error (const char *what, bool file_errors)
{
  char detail[1024] = "";
  if (lib.aug_error (aug) != AUG_NOERROR) {
    const char *msg = lib.aug_error_message (aug);
    const char *minor = lib.aug_error_minor_message (aug);
    const char *details = lib.aug_error_details (aug);
    snprintf (detail, sizeof detail, "%s%s%s%s%s", msg ? msg : "unknown error",
              minor ? ": " : "", minor ? minor : "",
              details ? ": " : "", details ? details : "");
  }
  if (file_errors)
    append_file_errors (detail, sizeof detail);
  if (what)
    reply_with_error ("%s: %s", what, detail[0] ? detail : "augeas reported an error");
  else
    reply_with_error ("%s", detail[0] ? detail : "augeas reported an error");
}

#define NEED_AUG(errval)                                                \
  do {                                                                  \
    if (!aug) {                                                         \
      reply_with_error ("you must call 'aug-init' first to initialize Augeas"); \
      return (errval);                                                  \
    }                                                                   \
  } while (0)

int
do_aug_init (const char *root, int flags)
{
  if (need_root ("aug_init") == -1)
    return -1;
  if (root[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: root must be an absolute path", root);
    return -1;
  }
  if (flags & ~AUG_INIT_ALLOWED_FLAGS) {
    reply_with_error_errno (EINVAL, "unsupported flags 0x%x (allowed: 1, 2, 4, 8, 16, 32)",
                            (unsigned) (flags & ~AUG_INIT_ALLOWED_FLAGS));
    return -1;
  }
  /* The root is a guest directory. */
  int fd = sysroot_open (root, O_PATH | O_DIRECTORY, 0);
  if (fd == -1) {
    reply_with_perror ("%s", root);
    return -1;
  }
  close (fd);
  if (lib_load () == -1)
    return -1;

  if (aug) {
    lib.aug_close (aug);
    aug = NULL;
  }
  /* Lenses are compiled here, from the appliance's load path (unless
   * the saved boot compiled them already). */
  aug = take_prepared (root, flags);
  if (!aug)
    aug = lib.aug_init (root, NULL, (unsigned) flags | AUG_NO_LOAD | AUG_NO_ERR_CLOSE);
  if (!aug) {
    reply_with_error ("augeas could not be initialized");
    return -1;
  }
  if (lib.aug_error (aug) != AUG_NOERROR) {
    reply_aug_error (NULL, false);
    lib.aug_close (aug);
    aug = NULL;
    return -1;
  }
  if (!(flags & AUG_NO_LOAD)) {
    struct guest_root s;
    if (enter_guest (&s) == -1) {
      lib.aug_close (aug);
      aug = NULL;
      return -1;
    }
    int r = lib.aug_load (aug);
    leave_guest (&s);
    if (r == -1) {
      reply_aug_error ("loading the files", true);
      lib.aug_close (aug);
      aug = NULL;
      return -1;
    }
  }
  return 0;
}

int
do_aug_close (void)
{
  NEED_AUG (-1);
  lib.aug_close (aug);
  aug = NULL;
  return 0;
}

/* Run one Augeas call chrooted into the guest.  The macro keeps the call
 * site readable: GUEST (r = aug_xxx (aug, ...)). */
#define GUEST(call, errval)                                             \
  do {                                                                  \
    struct guest_root s_;                                               \
    if (enter_guest (&s_) == -1)                                        \
      return (errval);                                                  \
    call;                                                               \
    leave_guest (&s_);                                                  \
  } while (0)

int
do_aug_defvar (const char *name, const char *expr)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_defvar (aug, name, expr), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return r;
}

struct guestfs_int_bool *
do_aug_defnode (const char *name, const char *expr, const char *val)
{
  NEED_AUG (NULL);
  int created = 0, r;
  GUEST (r = lib.aug_defnode (aug, name, expr, val, &created), NULL);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return NULL;
  }
  struct guestfs_int_bool *ib = malloc (sizeof *ib);
  if (!ib) {
    reply_with_perror ("malloc");
    return NULL;
  }
  ib->i = r;
  ib->b = created;
  return ib;
}

/* The string of the one node aug_get/aug_label matched (r is their
 * result), or an error reply. */
static char *
one_node_string (int r, const char *augpath, const char *s, const char *what)
{
  if (r == -1) {
    reply_aug_error (NULL, false);
    return NULL;
  }
  if (r == 0) {
    reply_with_error ("%s: no matching node", augpath);
    return NULL;
  }
  if (r != 1) {
    reply_with_error ("%s: matches %d nodes, not one", augpath, r);
    return NULL;
  }
  if (s == NULL) {
    reply_with_error ("%s: the node has no %s", augpath, what);
    return NULL;
  }
  char *ret = strdup (s);
  if (!ret)
    reply_with_perror ("strdup");
  return ret;
}

char *
do_aug_get (const char *augpath)
{
  NEED_AUG (NULL);
  const char *value = NULL;
  int r;
  GUEST (r = lib.aug_get (aug, augpath, &value), NULL);
  return one_node_string (r, augpath, value, "value");
}

int
do_aug_set (const char *augpath, const char *val)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_set (aug, augpath, val), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return 0;
}

int
do_aug_clear (const char *augpath)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_set (aug, augpath, NULL), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return 0;
}

int
do_aug_setm (const char *base, const char *sub, const char *val)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_setm (aug, base, sub, val), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return r;
}

int
do_aug_insert (const char *augpath, const char *label, int before)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_insert (aug, augpath, label, before), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return 0;
}

int
do_aug_rm (const char *augpath)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_rm (aug, augpath), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return r;
}

int
do_aug_mv (const char *src, const char *dest)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_mv (aug, src, dest), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return 0;
}

/* The matches of expr as a NULL-terminated list (sorted if asked). */
static char **
match_list (const char *expr, bool sorted)
{
  char **m = NULL;
  int n;
  GUEST (n = lib.aug_match (aug, expr, &m), NULL);
  if (n == -1) {
    reply_aug_error (NULL, false);
    return NULL;
  }
  char **ret = realloc (m, sizeof (char *) * ((size_t) n + 1));
  if (!ret) {
    for (int i = 0; i < n; ++i)
      free (m[i]);
    free (m);
    reply_with_perror ("realloc");
    return NULL;
  }
  ret[n] = NULL;
  if (sorted)
    sort_strings (ret, (size_t) n);
  return ret;
}

char **
do_aug_match (const char *augpath)
{
  NEED_AUG (NULL);
  return match_list (augpath, false);
}

char **
do_aug_ls (const char *augpath)
{
  NEED_AUG (NULL);
  size_t len = strlen (augpath);
  if (len > 1 && augpath[len - 1] == '/') {
    reply_with_error_errno (EINVAL, "%s: don't use a trailing slash", augpath);
    return NULL;
  }
  CLEANUP_FREE char *expr = NULL;
  if (asprintf (&expr, "%s/*", strcmp (augpath, "/") == 0 ? "" : augpath) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return match_list (expr, true);
}

int
do_aug_save (void)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_save (aug), -1);
  if (r == -1) {
    reply_aug_error (NULL, true);
    return -1;
  }
  return 0;
}

int
do_aug_load (void)
{
  NEED_AUG (-1);
  int r;
  GUEST (r = lib.aug_load (aug), -1);
  if (r == -1) {
    reply_aug_error (NULL, true);
    return -1;
  }
  return 0;
}

char *
do_aug_label (const char *augpath)
{
  NEED_AUG (NULL);
  const char *label = NULL;
  int r;
  GUEST (r = lib.aug_label (aug, augpath, &label), NULL);
  return one_node_string (r, augpath, label, "label");
}

/* Make Augeas compile LENS ("Shadow" or "Shadow.lns") and the modules it
 * uses now, from the appliance's lens directory, by parsing an empty
 * text with it (whether that parse succeeds does not matter). */
static void
preload_lens (const char *lens)
{
  char *qualified;
  if (asprintf (&qualified, strchr (lens, '.') ? "%s" : "%s.lns", lens) == -1)
    return;
  if (lib.aug_set (aug, "/augeas/hatch-preload/text", "") == 0)
    lib.aug_text_store (aug, qualified, "/augeas/hatch-preload/text",
                    "/augeas/hatch-preload/tree");
  lib.aug_rm (aug, "/augeas/hatch-preload");
  free (qualified);
}

int
do_aug_transform (const char *lens, const char *file, int remove)
{
  NEED_AUG (-1);
  preload_lens (lens);
  int excl = (optargs_bitmask & GUESTFS_AUG_TRANSFORM_REMOVE_BITMASK) ? remove : 0;
  int r;
  GUEST (r = lib.aug_transform (aug, lens, file, excl), -1);
  if (r == -1) {
    reply_aug_error (NULL, false);
    return -1;
  }
  return 0;
}
