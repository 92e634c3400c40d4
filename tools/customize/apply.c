/* Applying the customization operations to a guest: see customize.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "customize.h"
#include "edit.h"
#include "internal.h"
#include "run.h"
#include "util.h"

/* ---- messages ----------------------------------------------------- */

static struct timespec start_time;

__attribute__((constructor)) static void
remember_start (void)
{
  clock_gettime (CLOCK_MONOTONIC, &start_time);
}

void
customize_message (const struct customize *cz, const char *fmt, ...)
{
  if (cz->quiet)
    return;
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  double t = (double) (now.tv_sec - start_time.tv_sec) +
             (double) (now.tv_nsec - start_time.tv_nsec) / 1e9;
  va_list ap;
  va_start (ap, fmt);
  if (cz->colors)
    fputs ("\033[1;34m", stdout);
  printf ("[%6.1f] ", t);
  vprintf (fmt, ap);
  if (cz->colors)
    fputs ("\033[0m", stdout);
  putchar ('\n');
  fflush (stdout);
  va_end (ap);
}

/* ---- running guest code ------------------------------------------- */

/* Architectures whose programs this host's kernel (the appliance runs
 * it) executes natively. */
static bool
arch_runs_here (const char *guest, const char *host)
{
  if (strcmp (guest, host) == 0)
    return true;
  if (strcmp (host, "x86_64") == 0)
    return strcmp (guest, "i386") == 0 || strcmp (guest, "i486") == 0 ||
           strcmp (guest, "i586") == 0 || strcmp (guest, "i686") == 0;
  if (strcmp (host, "aarch64") == 0)
    return strncmp (guest, "arm", 3) == 0;
  if (strcmp (host, "ppc64le") == 0 || strcmp (host, "ppc64") == 0)
    return strncmp (guest, "ppc", 3) == 0;
  return false;
}

int
customize_check_guest_arch (guestfs_h *g, const char *root,
                            const struct customize *cz, const char *what)
{
  char *type = guestfs_inspect_get_type (g, root);
  if (!type)
    return -1;
  if (strcmp (type, "windows") == 0) {
    fprintf (stderr, "%s: %s: cannot run programs of a Windows guest in the appliance\n",
             cz->program, what);
    free (type);
    return -1;
  }
  free (type);
  char *arch = guestfs_inspect_get_arch (g, root);
  if (!arch)
    return -1;
  struct utsname u;
  uname (&u);
  int r = 0;
  if (strcmp (arch, "unknown") != 0 && !arch_runs_here (arch, u.machine)) {
    fprintf (stderr, "%s: %s: the guest’s architecture (%s) is not the host’s (%s): "
             "the appliance cannot run the guest’s programs\n",
             cz->program, what, arch, u.machine);
    r = -1;
  }
  free (arch);
  return r;
}

/* The build log: /tmp/builder.log, or /builder.log without /tmp. */
static const char *
log_path (guestfs_h *g)
{
  return TOOL_QUIET (g, guestfs_is_dir (g, "/tmp")) == 1 ? "/tmp/builder.log"
                                                          : "/builder.log";
}

static char *
random_name (const char *dir, const char *prefix)
{
  unsigned char b[6];
  if (getrandom (b, sizeof b, 0) != (ssize_t) sizeof b)
    memset (b, 0, sizeof b);
  char *r;
  if (asprintf (&r, "%s/%s%02x%02x%02x%02x%02x%02x", dir, prefix,
                b[0], b[1], b[2], b[3], b[4], b[5]) == -1)
    return NULL;
  return r;
}

#define RESOLV "/etc/resolv.conf"
#define RESOLV_SAVED "/etc/resolv.conf.virt-customize-saved"
/* The appliance's DNS server (qemu's user network). */
#define APPLIANCE_DNS "nameserver 10.0.2.3\n"

/* While guest commands run with the network, the guest's resolv.conf
 * (often a symlink to a resolver that does not run in the appliance)
 * is set aside for one that names the appliance's DNS server. */
static int
resolv_conf_swap (guestfs_h *g, bool *saved)
{
  *saved = false;
  if (TOOL_QUIET (g, guestfs_is_dir (g, "/etc")) != 1)
    return 0;
  int exists = TOOL_QUIET (g, guestfs_is_symlink (g, RESOLV)) == 1 ||
               TOOL_QUIET (g, guestfs_exists (g, RESOLV)) == 1;
  if (exists) {
    if (guestfs_mv (g, RESOLV, RESOLV_SAVED) == -1)
      return -1;
    *saved = true;
  }
  return guestfs_write (g, RESOLV, APPLIANCE_DNS, strlen (APPLIANCE_DNS));
}

static int
resolv_conf_restore (guestfs_h *g, bool saved)
{
  if (TOOL_QUIET (g, guestfs_is_dir (g, "/etc")) != 1)
    return 0;
  if (guestfs_rm_f (g, RESOLV) == -1)
    return -1;
  return saved ? guestfs_mv (g, RESOLV_SAVED, RESOLV) : 0;
}

int
customize_run_in_guest (guestfs_h *g, const char *root, struct customize *cz,
                        const char *display, const char *command)
{
  (void) root;
  const char *log = log_path (g);
  char *script = random_name (TOOL_QUIET (g, guestfs_is_dir (g, "/tmp")) == 1 ? "/tmp" : "",
                              "virt-customize-");
  if (!script)
    return -1;
  char *content;
  if (asprintf (&content,
                "#!/bin/sh\n"
                "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                "cd /tmp 2>/dev/null || cd /\n"
                "%s\n", command) == -1) {
    free (script);
    return -1;
  }
  int r = guestfs_write (g, script, content, strlen (content));
  free (content);
  bool saved = false;
  bool swapped = false;
  if (r == 0 && cz->network) {
    r = resolv_conf_swap (g, &saved);
    swapped = r == 0;
  }
  char *out = NULL;
  if (r == 0) {
    char *sh;
    if (asprintf (&sh, "echo '=== %s ===' >>%s; /bin/sh %s >>%s 2>&1", display, log,
                  script, log) == -1)
      r = -1;
    else {
      out = TOOL_QUIET (g, guestfs_sh (g, sh));
      if (!out) {
        const char *err = guestfs_last_error (g);
        fprintf (stderr, "%s: error: %s: the command failed%s%s\n", cz->program, display,
                 err ? ": " : "", err ? err : "");
        r = -1;
      }
      free (sh);
    }
  }
  /* Its output: on failure (or with -v) the end of the log. */
  if (r == -1 || cz->verbose) {
    char **lines = TOOL_QUIET (g, guestfs_tail_n (g, 30, log));
    if (lines && lines[0]) {
      fprintf (stderr, "%s: the last lines of %s in the guest:\n", cz->program, log);
      for (size_t i = 0; lines[i]; ++i)
        fprintf (stderr, "  %s\n", lines[i]);
    }
    tool_free_strings (lines);
  }
  free (out);
  if (swapped && resolv_conf_restore (g, saved) == -1)
    r = -1;
  TOOL_QUIET (g, guestfs_rm_f (g, script));
  free (script);
  return r;
}

/* ---- file operations ---------------------------------------------- */

int
customize_append_line (guestfs_h *g, const char *path, const char *line)
{
  const char *nl = "\n";
  bool need_nl = false;
  int exists = guestfs_exists (g, path);
  if (exists == -1)
    return -1;
  if (exists) {
    int64_t size = guestfs_filesize (g, path);
    if (size == -1)
      return -1;
    if (size > 0) {
      /* Only the last two bytes are read: the line ending in use. */
      size_t n;
      char *tail = guestfs_pread (g, path, size >= 2 ? 2 : 1, size >= 2 ? size - 2 : 0, &n);
      if (!tail)
        return -1;
      if (n >= 1 && tail[n - 1] != '\n')
        need_nl = true;
      if (n == 2 && tail[0] == '\r' && tail[1] == '\n')
        nl = "\r\n";
      free (tail);
    }
  }
  char *buf;
  int len = asprintf (&buf, "%s%s%s", need_nl ? nl : "", line, nl);
  if (len == -1)
    return -1;
  int r = exists ? guestfs_write_append (g, path, buf, len) : guestfs_write (g, path, buf, len);
  free (buf);
  return r;
}

/* ARG split at its first ':' into *A (a copy) and *B (inside it). */
static char *
split_colon (const char *arg, char **b)
{
  char *a = strdup (arg);
  if (!a)
    return NULL;
  char *c = strchr (a, ':');
  *c = '\0';
  *b = c + 1;
  return a;
}

/* A comma-separated package list as a NULL-terminated array. */
static char **
split_commas (const char *s)
{
  size_t n = 1;
  for (const char *p = s; *p; ++p)
    n += *p == ',';
  char **r = calloc (n + 1, sizeof *r);
  char *copy = strdup (s);
  if (!r || !copy) {
    free (r);
    free (copy);
    return NULL;
  }
  size_t i = 0;
  for (char *save = NULL, *tok = strtok_r (copy, ",", &save); tok;
       tok = strtok_r (NULL, ",", &save))
    if (*tok)
      r[i++] = strdup (tok);
  free (copy);
  return r;
}

static int
op_delete (guestfs_h *g, const char *pattern)
{
  char **paths = guestfs_glob_expand (g, pattern);
  if (!paths)
    return -1;
  int r = 0;
  for (size_t i = 0; paths[i] && r == 0; ++i)
    r = guestfs_rm_rf (g, paths[i]);
  tool_free_strings (paths);
  return r;
}

static int
op_truncate_recursive (guestfs_h *g, const char *dir)
{
  char **names = guestfs_find (g, dir);
  if (!names)
    return -1;
  int r = 0;
  for (size_t i = 0; names[i] && r == 0; ++i) {
    char *p;
    if (asprintf (&p, "%s/%s", strcmp (dir, "/") == 0 ? "" : dir, names[i]) == -1)
      r = -1;
    else {
      /* Regular files only, never through a symlink. */
      int f = guestfs_is_file_opts (g, p, GUESTFS_IS_FILE_OPTS_FOLLOWSYMLINKS, 0, -1);
      if (f == -1 || (f == 1 && guestfs_truncate (g, p) == -1))
        r = -1;
      free (p);
    }
  }
  tool_free_strings (names);
  return r;
}

static int
op_upload (guestfs_h *g, struct customize *cz, const char *local, const char *dest)
{
  struct stat st;
  if (stat (local, &st) == -1) {
    fprintf (stderr, "%s: --upload: %s: %s\n", cz->program, local, strerror (errno));
    return -1;
  }
  char *target = NULL;
  if (TOOL_QUIET (g, guestfs_is_dir (g, dest)) == 1) {
    const char *base = strrchr (local, '/') ? strrchr (local, '/') + 1 : local;
    if (asprintf (&target, "%s/%s", strcmp (dest, "/") == 0 ? "" : dest, base) == -1)
      return -1;
  }
  else if (!(target = strdup (dest)))
    return -1;
  int r = guestfs_upload (g, local, target);
  /* The local file's mode and owner go with it. */
  if (r == 0)
    r = guestfs_chmod (g, st.st_mode & 07777, target);
  if (r == 0)
    r = guestfs_chown (g, st.st_uid, st.st_gid, target);
  free (target);
  return r;
}

static int
op_hostname (guestfs_h *g, const char *root, struct customize *cz, const char *name)
{
  char *type = guestfs_inspect_get_type (g, root);
  if (!type)
    return -1;
  bool linux_ = strcmp (type, "linux") == 0;
  free (type);
  if (!linux_) {
    fprintf (stderr, "%s: --hostname: setting the hostname is only supported for Linux "
             "guests by this version\n", cz->program);
    return -1;
  }
  char *old = TOOL_QUIET (g, guestfs_inspect_get_hostname (g, root));
  char *line;
  if (asprintf (&line, "%s\n", name) == -1) {
    free (old);
    return -1;
  }
  int r = guestfs_write (g, "/etc/hostname", line, strlen (line));
  /* SUSE's /etc/HOSTNAME, Red Hat's /etc/sysconfig/network. */
  if (r == 0 && TOOL_QUIET (g, guestfs_is_file (g, "/etc/HOSTNAME")) == 1)
    r = guestfs_write (g, "/etc/HOSTNAME", line, strlen (line));
  free (line);
  bool sysconfig = TOOL_QUIET (g, guestfs_is_file (g, "/etc/sysconfig/network")) == 1;
  bool hosts = old && strcmp (old, "unknown") != 0 && strcmp (old, name) != 0 &&
               TOOL_QUIET (g, guestfs_is_file (g, "/etc/hosts")) == 1;
  if (r == 0 && (sysconfig || hosts)) {
    r = guestfs_aug_init (g, "/", 64 /* AUG_NO_MODL_AUTOLOAD */);
    if (r == 0 && sysconfig)
      r = guestfs_aug_transform (g, "Shellvars", "/etc/sysconfig/network", -1);
    if (r == 0 && hosts)
      r = guestfs_aug_transform (g, "Hosts", "/etc/hosts", -1);
    if (r == 0)
      r = guestfs_aug_load (g);
    if (r == 0 && sysconfig)
      r = guestfs_aug_set (g, "/files/etc/sysconfig/network/HOSTNAME", name);
    if (r == 0 && hosts) {
      /* The old name wherever /etc/hosts has it (canonical or alias). */
      char *expr;
      if (asprintf (&expr, "/files/etc/hosts/*/*[. = '%s']", old) == -1)
        r = -1;
      else if (strchr (old, '\'') == NULL) {
        char **m = guestfs_aug_match (g, expr);
        for (size_t i = 0; m && m[i] && r == 0; ++i)
          r = guestfs_aug_set (g, m[i], name);
        if (!m)
          r = -1;
        tool_free_strings (m);
      }
      free (expr);
    }
    if (r == 0)
      r = guestfs_aug_save (g);
    TOOL_QUIET (g, guestfs_aug_close (g));
  }
  free (old);
  return r;
}

static int
op_timezone (guestfs_h *g, struct customize *cz, const char *tz)
{
  char *zone;
  if (strstr (tz, "..") || tz[0] == '/' ||
      asprintf (&zone, "/usr/share/zoneinfo/%s", tz) == -1) {
    fprintf (stderr, "%s: --timezone: ‘%s’ is not a timezone name\n", cz->program, tz);
    return -1;
  }
  int r = 0;
  if (TOOL_QUIET (g, guestfs_is_file (g, zone)) != 1) {
    fprintf (stderr, "%s: --timezone: the guest has no timezone ‘%s’ (no %s)\n",
             cz->program, tz, zone);
    r = -1;
  }
  if (r == 0)
    r = guestfs_ln_sf (g, zone, "/etc/localtime");
  /* Debian and its derivatives also name it in /etc/timezone. */
  if (r == 0 && TOOL_QUIET (g, guestfs_is_file (g, "/etc/timezone")) == 1) {
    char *line;
    if (asprintf (&line, "%s\n", tz) == -1)
      r = -1;
    else {
      r = guestfs_write (g, "/etc/timezone", line, strlen (line));
      free (line);
    }
  }
  free (zone);
  return r;
}

/* S in single quotes for sh. */
static char *
sh_quote (const char *s)
{
  size_t n = 3;
  for (const char *p = s; *p; ++p)
    n += *p == '\'' ? 4 : 1;
  char *r = malloc (n), *q = r;
  if (!r)
    return NULL;
  *q++ = '\'';
  for (const char *p = s; *p; ++p)
    if (*p == '\'') {
      memcpy (q, "'\\''", 4);
      q += 4;
    }
    else
      *q++ = *p;
  *q++ = '\'';
  *q = '\0';
  return r;
}

/* The subscription-manager operations. */
static int
op_subscription (guestfs_h *g, const char *root, struct customize *cz,
                 const struct customize_op *op)
{
  char *cmd = NULL;
  const char *what = NULL;
  switch (op->kind) {
  case CUSTOMIZE_SM_REGISTER: {
    what = "--sm-register";
    if (!cz->sm_credentials) {
      fprintf (stderr, "%s: --sm-register needs --sm-credentials\n", cz->program);
      return -1;
    }
    char *user = strdup (cz->sm_credentials);
    if (!user)
      return -1;
    char *sel = strchr (user, ':');
    *sel++ = '\0';
    char *pw = NULL;
    if (strncmp (sel, "password:", 9) == 0)
      pw = strdup (sel + 9);
    else {
      FILE *fp = fopen (sel + 5, "r");
      size_t cap = 0;
      if (!fp || getline (&pw, &cap, fp) == -1) {
        fprintf (stderr, "%s: --sm-credentials: %s: %s\n", cz->program, sel + 5,
                 fp ? "empty file" : strerror (errno));
        free (pw);
        pw = NULL;
      }
      else
        pw[strcspn (pw, "\r\n")] = '\0';
      if (fp)
        fclose (fp);
    }
    char *qu = sh_quote (user), *qp = pw ? sh_quote (pw) : NULL;
    if (qu && qp &&
        asprintf (&cmd, "subscription-manager register --username=%s --password=%s",
                  qu, qp) == -1)
      cmd = NULL;
    free (qu);
    free (qp);
    free (pw);
    free (user);
    break;
  }
  case CUSTOMIZE_SM_ATTACH: {
    what = "--sm-attach";
    char *pool = NULL;
    if (strcmp (op->arg, "auto") == 0) {
      cmd = strdup ("subscription-manager attach --auto");
      break;
    }
    if (strncmp (op->arg, "pool:", 5) == 0)
      pool = strdup (op->arg + 5);
    else if (strncmp (op->arg, "file:", 5) == 0) {
      FILE *fp = fopen (op->arg + 5, "r");
      size_t cap = 0;
      if (!fp || getline (&pool, &cap, fp) == -1) {
        free (pool);
        pool = NULL;
      }
      else
        pool[strcspn (pool, "\r\n")] = '\0';
      if (fp)
        fclose (fp);
    }
    if (!pool) {
      fprintf (stderr, "%s: --sm-attach: invalid selector ‘%s’ (auto, pool:POOL or "
               "file:FILENAME)\n", cz->program, op->arg);
      return -1;
    }
    char *qp = sh_quote (pool);
    if (qp && asprintf (&cmd, "subscription-manager attach --pool=%s", qp) == -1)
      cmd = NULL;
    free (qp);
    free (pool);
    break;
  }
  case CUSTOMIZE_SM_REMOVE:
    what = "--sm-remove";
    cmd = strdup ("subscription-manager remove --all");
    break;
  default:
    what = "--sm-unregister";
    cmd = strdup ("subscription-manager unregister");
    break;
  }
  if (!cmd)
    return -1;
  int r = customize_check_guest_arch (g, root, cz, what);
  if (r == 0)
    r = customize_run_in_guest (g, root, cz, what, cmd);
  free (cmd);
  return r;
}

/* ---- what every run does ------------------------------------------ */

/* A fresh random seed where the guest keeps one, so clones of one image
 * do not start with the same entropy. */
static int
set_random_seed (guestfs_h *g, struct customize *cz)
{
  static const char *const seeds[][2] = {
    { "/var/lib/systemd", "/var/lib/systemd/random-seed" },
    { "/var/lib/urandom", "/var/lib/urandom/random-seed" },
    { "/var/lib/random-seed", "/var/lib/random-seed" },
  };
  bool msg = false;
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; ++i) {
    bool there = i < 2 ? TOOL_QUIET (g, guestfs_is_dir (g, seeds[i][0])) == 1
                       : TOOL_QUIET (g, guestfs_is_file (g, seeds[i][0])) == 1;
    if (!there)
      continue;
    if (!msg) {
      customize_message (cz, "Setting a random seed");
      msg = true;
    }
    char buf[512];
    if (getrandom (buf, sizeof buf, 0) != (ssize_t) sizeof buf ||
        guestfs_write (g, seeds[i][1], buf, sizeof buf) == -1 ||
        guestfs_chmod (g, 0600, seeds[i][1]) == -1)
      return -1;
  }
  return 0;
}

/* An empty /etc/machine-id gets a fresh one. */
static int
set_machine_id (guestfs_h *g, struct customize *cz)
{
  if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/machine-id")) != 1 ||
      TOOL_QUIET (g, guestfs_filesize (g, "/etc/machine-id")) != 0)
    return 0;
  customize_message (cz, "Setting the machine ID in /etc/machine-id");
  unsigned char b[16];
  if (getrandom (b, sizeof b, 0) != (ssize_t) sizeof b)
    return -1;
  char id[34];
  for (int i = 0; i < 16; ++i)
    snprintf (id + 2 * i, 3, "%02x", b[i]);
  id[32] = '\n';
  id[33] = '\0';
  return guestfs_write (g, "/etc/machine-id", id, 33);
}

static int
selinux_relabel (guestfs_h *g, struct customize *cz)
{
  if (TOOL_QUIET (g, guestfs_is_file (g, "/etc/selinux/config")) != 1)
    return 0;
  customize_message (cz, "SELinux relabelling");
  char *type = NULL;
  if (guestfs_aug_init (g, "/", 64) == 0 &&
      guestfs_aug_transform (g, "Semanage", "/etc/selinux/config", -1) == 0 &&
      guestfs_aug_load (g) == 0)
    type = TOOL_QUIET (g, guestfs_aug_get (g, "/files/etc/selinux/config/SELINUXTYPE"));
  TOOL_QUIET (g, guestfs_aug_close (g));
  int r = -1;
  if (type) {
    char *specfile;
    if (asprintf (&specfile, "/etc/selinux/%s/contexts/files/file_contexts", type) != -1) {
      char *const paths[] = { (char *) "/", NULL };
      r = TOOL_QUIET (g, guestfs_setfiles (g, specfile, paths, -1));
      free (specfile);
    }
    free (type);
  }
  /* Could not relabel now: the guest relabels itself at its next boot. */
  if (r == -1)
    r = guestfs_touch (g, "/.autorelabel");
  return r;
}

/* ---- the operations in order -------------------------------------- */

int
customize_apply (guestfs_h *g, const char *root, struct customize *cz)
{
  char *type = guestfs_inspect_get_type (g, root);
  if (!type)
    return -1;
  bool linux_ = strcmp (type, "linux") == 0;
  free (type);
  if (linux_ && (set_random_seed (g, cz) == -1 || set_machine_id (g, cz) == -1))
    return -1;

  char **pw_users = calloc (cz->nr_ops + 2, sizeof *pw_users);
  char **pw_selectors = calloc (cz->nr_ops + 2, sizeof *pw_selectors);
  size_t nr_pw = 0;
  bool root_pw = false;
  int r = pw_users && pw_selectors ? 0 : -1;

  for (size_t i = 0; i < cz->nr_ops && r == 0; ++i) {
    const struct customize_op *op = &cz->ops[i];
    const char *arg = op->arg;
    char *a = NULL, *b = NULL;
    if (arg && strchr (arg, ':') &&
        op->kind != CUSTOMIZE_RUN_COMMAND && op->kind != CUSTOMIZE_FIRSTBOOT_COMMAND &&
        op->kind != CUSTOMIZE_ROOT_PASSWORD && op->kind != CUSTOMIZE_SSH_INJECT &&
        !(a = split_colon (arg, &b))) {
      r = -1;
      break;
    }
    switch (op->kind) {
    case CUSTOMIZE_APPEND_LINE:
      customize_message (cz, "Appending line to %s", a);
      r = customize_append_line (g, a, b);
      break;
    case CUSTOMIZE_CHMOD:
      customize_message (cz, "Changing permissions of %s to %s", b, a);
      r = guestfs_chmod (g, (int) strtol (a, NULL, 0), b);
      break;
    case CUSTOMIZE_CHOWN: {
      customize_message (cz, "Changing owner of %s to %s", b, a);
      char *dot = strchr (a, '.'), *e1, *e2;
      long uid = strtol (a, &e1, 10), gid = dot ? strtol (dot + 1, &e2, 10) : -1;
      if (!dot || e1 != dot || *e2 || e2 == dot + 1) {
        fprintf (stderr, "%s: --chown: ‘%s’ is not UID.GID (numbers)\n", cz->program, a);
        r = -1;
      }
      else
        r = guestfs_chown (g, (int) uid, (int) gid, b);
      break;
    }
    case CUSTOMIZE_COPY:
      customize_message (cz, "Copying: %s to %s", a, b);
      r = guestfs_cp_a (g, a, b);
      break;
    case CUSTOMIZE_COPY_IN:
      customize_message (cz, "Copying: %s to %s", a, b);
      r = tool_copy_in (g, cz->program, a, b);
      break;
    case CUSTOMIZE_DELETE:
      customize_message (cz, "Deleting: %s", arg);
      r = op_delete (g, arg);
      break;
    case CUSTOMIZE_EDIT:
      customize_message (cz, "Editing: %s", a);
      r = tool_edit_file (g, cz->program, a, b, NULL);
      break;
    case CUSTOMIZE_FIRSTBOOT: {
      customize_message (cz, "Installing firstboot script: %s", arg);
      char *content = NULL;
      size_t len = 0;
      FILE *fp = fopen (arg, "r");
      if (fp) {
        FILE *mem = open_memstream (&content, &len);
        int c;
        while (mem && (c = getc (fp)) != EOF)
          putc (c, mem);
        if (mem)
          fclose (mem);
        fclose (fp);
      }
      if (!content || memchr (content, '\0', len)) {
        fprintf (stderr, "%s: --firstboot: %s: %s\n", cz->program, arg,
                 content ? "not a script (it holds NUL bytes)" : strerror (errno));
        r = -1;
      }
      else {
        const char *base = strrchr (arg, '/') ? strrchr (arg, '/') + 1 : arg;
        r = customize_firstboot_add (g, root, cz, base, content);
      }
      free (content);
      break;
    }
    case CUSTOMIZE_FIRSTBOOT_COMMAND: {
      customize_message (cz, "Installing firstboot command: %s", arg);
      char *content = customize_firstboot_command_script (g, root, arg);
      if (!content)
        r = -1;
      else {
        r = customize_firstboot_add (g, root, cz, arg, content);
        free (content);
      }
      break;
    }
    case CUSTOMIZE_FIRSTBOOT_INSTALL:
    case CUSTOMIZE_INSTALL:
    case CUSTOMIZE_UNINSTALL: {
      char **pkgs = split_commas (arg);
      if (!pkgs) {
        r = -1;
        break;
      }
      if (op->kind == CUSTOMIZE_INSTALL) {
        customize_message (cz, "Installing packages: %s", arg);
        r = customize_packages (g, root, cz, CUSTOMIZE_PKG_INSTALL, pkgs);
      }
      else if (op->kind == CUSTOMIZE_UNINSTALL) {
        customize_message (cz, "Uninstalling packages: %s", arg);
        r = customize_packages (g, root, cz, CUSTOMIZE_PKG_UNINSTALL, pkgs);
      }
      else {
        customize_message (cz, "Installing firstboot packages: %s", arg);
        char *pm = guestfs_inspect_get_package_management (g, root);
        char *cmd = pm ? customize_package_command (cz->program, pm,
                                                    CUSTOMIZE_PKG_INSTALL, pkgs) : NULL;
        char *content = NULL;
        if (!cmd || asprintf (&content, "#!/bin/sh\n%s\n", cmd) == -1)
          r = -1;
        else
          r = customize_firstboot_add (g, root, cz, "install-packages", content);
        free (content);
        free (cmd);
        free (pm);
      }
      tool_free_strings (pkgs);
      break;
    }
    case CUSTOMIZE_HOSTNAME:
      customize_message (cz, "Setting the hostname: %s", arg);
      r = op_hostname (g, root, cz, arg);
      break;
    case CUSTOMIZE_LINK:
      customize_message (cz, "Linking: %s -> %s", b, a);
      for (char *save = NULL, *l = strtok_r (b, ":", &save); l && r == 0;
           l = strtok_r (NULL, ":", &save))
        r = guestfs_ln_sf (g, a, l);
      break;
    case CUSTOMIZE_MKDIR:
      customize_message (cz, "Making directory: %s", arg);
      r = guestfs_mkdir_p (g, arg);
      break;
    case CUSTOMIZE_MOVE:
      customize_message (cz, "Moving: %s -> %s", a, b);
      r = guestfs_mv (g, a, b);
      break;
    case CUSTOMIZE_PASSWORD:
      pw_users[nr_pw] = a;
      pw_selectors[nr_pw++] = b;
      a = NULL;                 /* kept until the passwords are set */
      break;
    case CUSTOMIZE_ROOT_PASSWORD:
      pw_users[nr_pw] = strdup ("root");
      pw_selectors[nr_pw++] = (char *) arg;
      root_pw = true;
      break;
    case CUSTOMIZE_RUN: {
      customize_message (cz, "Running: %s", arg);
      r = customize_check_guest_arch (g, root, cz, "--run");
      char *dest = r == 0 ? random_name (TOOL_QUIET (g, guestfs_is_dir (g, "/tmp")) == 1
                                         ? "/tmp" : "", "virt-customize-run-") : NULL;
      if (r == 0 && !dest)
        r = -1;
      if (r == 0) {
        r = guestfs_upload (g, arg, dest);
        if (r == 0)
          r = guestfs_chmod (g, 0755, dest);
        if (r == 0)
          r = customize_run_in_guest (g, root, cz, arg, dest);
        TOOL_QUIET (g, guestfs_rm_f (g, dest));
      }
      free (dest);
      break;
    }
    case CUSTOMIZE_RUN_COMMAND:
      customize_message (cz, "Running: %s", arg);
      r = customize_check_guest_arch (g, root, cz, "--run-command");
      if (r == 0)
        r = customize_run_in_guest (g, root, cz, arg, arg);
      break;
    case CUSTOMIZE_SCRUB:
      customize_message (cz, "Scrubbing: %s", arg);
      r = guestfs_scrub_file (g, arg);
      break;
    case CUSTOMIZE_SM_ATTACH: case CUSTOMIZE_SM_REGISTER:
    case CUSTOMIZE_SM_REMOVE: case CUSTOMIZE_SM_UNREGISTER:
      customize_message (cz, "Running subscription-manager (%s)",
                         op->kind == CUSTOMIZE_SM_ATTACH ? "attach" :
                         op->kind == CUSTOMIZE_SM_REGISTER ? "register" :
                         op->kind == CUSTOMIZE_SM_REMOVE ? "remove" : "unregister");
      r = op_subscription (g, root, cz, op);
      break;
    case CUSTOMIZE_SSH_INJECT:
      customize_message (cz, "SSH key inject: %s", arg);
      r = customize_ssh_inject (g, cz, arg);
      break;
    case CUSTOMIZE_TIMEZONE:
      customize_message (cz, "Setting the timezone: %s", arg);
      r = op_timezone (g, cz, arg);
      break;
    case CUSTOMIZE_TOUCH:
      customize_message (cz, "Running touch: %s", arg);
      r = guestfs_touch (g, arg);
      break;
    case CUSTOMIZE_TRUNCATE:
      customize_message (cz, "Truncating: %s", arg);
      r = guestfs_truncate (g, arg);
      break;
    case CUSTOMIZE_TRUNCATE_RECURSIVE:
      customize_message (cz, "Recursively truncating: %s", arg);
      r = op_truncate_recursive (g, arg);
      break;
    case CUSTOMIZE_UPDATE:
      customize_message (cz, "Updating packages");
      r = customize_packages (g, root, cz, CUSTOMIZE_PKG_UPDATE, NULL);
      break;
    case CUSTOMIZE_UPLOAD:
      customize_message (cz, "Uploading: %s to %s", a, b);
      r = op_upload (g, cz, a, b);
      break;
    case CUSTOMIZE_WRITE:
      customize_message (cz, "Writing: %s", a);
      r = guestfs_write (g, a, b, strlen (b));
      break;
    default:                    /* settings, handled at parse time */
      break;
    }
    free (a);
  }

  if (r == 0 && !root_pw && cz->default_root_password && linux_) {
    pw_users[nr_pw] = strdup ("root");
    pw_selectors[nr_pw++] = (char *) cz->default_root_password;
  }
  if (r == 0 && nr_pw > 0) {
    customize_message (cz, "Setting passwords");
    r = customize_set_passwords (g, root, cz, pw_users, pw_selectors, nr_pw);
  }
  /* pw_users are ours; password selectors point into them or into ops. */
  for (size_t i = 0; i < nr_pw; ++i)
    free (pw_users[i]);
  free (pw_users);
  free (pw_selectors);

  if (r == 0 && cz->selinux_relabel)
    r = selinux_relabel (g, cz);
  if (r == 0 && cz->no_logfile) {
    const char *log = log_path (g);
    if (TOOL_QUIET (g, guestfs_is_file (g, log)) == 1)
      r = guestfs_scrub_file (g, log);
  }
  return r;
}
