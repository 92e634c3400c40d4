/* hatch_appliance_prepare: find the cached appliance for the current inputs
 * or build it.
 *
 * Layout:  CACHEDIR/hatch-appliance-UID/         (0700, ours)
 *              lock                              (flock'd while building)
 *              KEY/{kernel,initrd,root}          (complete appliances only)
 *              tmp-XXXXXX/                       (a build in progress)
 * KEY is a checksum of everything the appliance is made from, so a changed
 * kernel, package, package list, daemon or init gives a new KEY and a
 * rebuild.  A build happens in a temporary directory that is renamed to KEY
 * only when complete, under an exclusive lock: a second process launching
 * at the same moment waits for the lock, then finds KEY and uses it.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static void
hash_stat (struct hash *h, const char *path)
{
  struct stat st;
  hash_str (h, path);
  if (stat (path, &st) == 0) {
    hash_u64 (h, st.st_size);
    hash_u64 (h, st.st_mtim.tv_sec);
    hash_u64 (h, st.st_mtim.tv_nsec);
    hash_u64 (h, st.st_ino);
  }
}

static int
compute_key (struct ctx *c, const struct kernel_info *k, char key[33])
{
  struct hash h;
  hash_init (&h);
  hash_u64 (&h, HATCH_APPLIANCE_FORMAT);
  hash_stat (&h, k->kernel);
  hash_stat (&h, k->modules_dir);
  char *dep = xasprintf ("%s/modules.dep", k->modules_dir);
  hash_stat (&h, dep);
  free (dep);
  /* dpkg rewrites its status file whenever a package changes.  */
  hash_stat (&h, "/var/lib/dpkg/status");
  /* Build switches that change the output (for experiments).  */
  hash_str (&h, getenv ("HATCH_NO_PVH") ? "no-pvh" : "pvh");
  hash_str (&h, getenv ("HATCH_KEEP_MODULE_SIGNATURES") ? "sigs" : "nosigs");
  const char *files[] = { c->in->packages_path, c->in->daemon_path, c->in->init_path };
  const char *what[] = { "package list", "daemon", "init" };
  for (int i = 0; i < 3; i++) {
    hash_str (&h, what[i]);
    if (hash_file (&h, files[i]) < 0)
      return seterr_errno (c, "reading %s %s", what[i], files[i]);
  }
  hash_hex (&h, key);
  return 0;
}

/* Create or check the per-user cache directory: it must be a real
 * directory owned by us and not writable by others, or someone else could
 * plant an appliance we would boot (or a KVM verdict we would trust).  */
static char *
user_cache_dir (struct ctx *c)
{
  char *dir = xasprintf ("%s/hatch-appliance-%u", c->in->cachedir,
                         (unsigned) geteuid ());
  if (mkdir_p (c->in->cachedir, 0755) < 0 && errno != EEXIST) {
    seterr_errno (c, "creating cache directory %s", c->in->cachedir);
    free (dir);
    return NULL;
  }
  if (mkdir (dir, 0700) < 0 && errno != EEXIST) {
    seterr_errno (c, "creating %s", dir);
    free (dir);
    return NULL;
  }
  struct stat st;
  if (lstat (dir, &st) < 0) {
    seterr_errno (c, "%s", dir);
    free (dir);
    return NULL;
  }
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 022)) {
    seterr (c, "%s is not a directory owned by uid %u and writable only by "
            "it; remove it or choose another LIBGUESTFS_CACHEDIR",
            dir, (unsigned) geteuid ());
    free (dir);
    return NULL;
  }
  return dir;
}

char *
hatch_appliance_user_cache_dir (const char *cachedir, char **errmsg)
{
  struct hatch_appliance_inputs in = { .cachedir = cachedir };
  struct ctx c = { .in = &in };
  char *dir = user_cache_dir (&c);
  *errmsg = c.errmsg;
  return dir;
}

static void
fill (struct hatch_appliance *out, const char *dir)
{
  out->dir = xstrdup (dir);
  out->kernel = xasprintf ("%s/kernel", dir);
  out->initrd = xasprintf ("%s/initrd", dir);
  out->root = xasprintf ("%s/root", dir);
  out->kernel_is_pvh = kernel_file_is_pvh (out->kernel);
}

static bool
complete (const char *dir)
{
  const char *names[] = { "kernel", "initrd", "root" };
  for (int i = 0; i < 3; i++) {
    char *p = xasprintf ("%s/%s", dir, names[i]);
    struct stat st;
    int r = stat (p, &st);
    free (p);
    if (r < 0 || !S_ISREG (st.st_mode))
      return false;
  }
  return true;
}

/* Remove older appliances and abandoned temporary builds (we hold the
 * lock, so no build is in progress).  A qemu still running from an old
 * appliance keeps its open files; unlinking them is safe.  But another
 * process (with another daemon, e.g. a different build tree) may have
 * picked an appliance and not started qemu yet: every use touches the
 * appliance directory, and only ones unused for STALE_SECONDS go. */
#define STALE_SECONDS (30 * 60)
static void
remove_stale (struct ctx *c, const char *udir, const char *keep)
{
  DIR *d = opendir (udir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.' || !strcmp (e->d_name, "lock") ||
        !strcmp (e->d_name, keep))
      continue;
    char *p = xasprintf ("%s/%s", udir, e->d_name);
    struct stat st;
    if (lstat (p, &st) == 0 && time (NULL) - st.st_mtime < STALE_SECONDS) {
      free (p);
      continue;
    }
    logmsg (c, "removing stale %s", p);
    rm_rf (p);
    free (p);
  }
  closedir (d);
}

static int
build (struct ctx *c, const struct kernel_info *k, const char *tmp)
{
  double t0 = now_seconds ();
  char *kernel = xasprintf ("%s/kernel", tmp);
  char *initrd = xasprintf ("%s/initrd", tmp);
  char *root = xasprintf ("%s/root", tmp);
  int r = -1;

  logmsg (c, "building appliance in %s from kernel %s", tmp, k->kernel);
  int pvh = getenv ("HATCH_NO_PVH") ? 0 : kernel_extract_pvh (c, k->kernel, kernel);
  if (pvh < 0)
    goto out;
  if (pvh == 0 && copy_file (k->kernel, kernel, 0644) < 0) {
    if (errno == EACCES)
      kernel_extract_pvh (c, k->kernel, kernel);   /* sets the full message */
    seterr_errno (c, "copying kernel %s", k->kernel);
    goto out;
  }
  logmsg (c, "kernel ready (%.1f s)", now_seconds () - t0);
  if (initramfs_build (c, k, c->in->init_path, initrd) < 0)
    goto out;
  logmsg (c, "initramfs ready (%.1f s)", now_seconds () - t0);
  if (rootfs_build (c, k, tmp, root) < 0)
    goto out;
  logmsg (c, "root image ready (%.1f s)", now_seconds () - t0);
  r = 0;
 out:
  free (kernel);
  free (initrd);
  free (root);
  return r;
}

int
hatch_appliance_prepare (const struct hatch_appliance_inputs *in,
                         struct hatch_appliance *out, char **errmsg)
{
  struct ctx c = { .in = in };
  struct kernel_info k;
  char key[33];
  char *udir = NULL, *final = NULL, *lockpath = NULL, *tmp = NULL;
  int lockfd = -1, ret = -1;

  memset (out, 0, sizeof *out);
  *errmsg = NULL;
  if (!in->cachedir || !in->daemon_path || !in->init_path || !in->packages_path) {
    *errmsg = xstrdup ("appliance: cachedir, daemon, init and package list "
                       "must all be given");
    return -1;
  }
  if (kernel_find (&c, &k) < 0)
    goto out;
  if (compute_key (&c, &k, key) < 0)
    goto out;
  if (!(udir = user_cache_dir (&c)))
    goto out;
  final = xasprintf ("%s/%s", udir, key);

  if (complete (final))         /* the usual case: nothing to do */
    goto done;

  lockpath = xasprintf ("%s/lock", udir);
  lockfd = open (lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lockfd < 0) {
    seterr_errno (&c, "opening lock file %s", lockpath);
    goto out;
  }
  logmsg (&c, "waiting for the appliance lock %s", lockpath);
  while (flock (lockfd, LOCK_EX) < 0)
    if (errno != EINTR) {
      seterr_errno (&c, "locking %s", lockpath);
      goto out;
    }
  if (complete (final))         /* another process built it meanwhile */
    goto done;

  remove_stale (&c, udir, key);
  tmp = xasprintf ("%s/tmp-XXXXXX", udir);
  if (!mkdtemp (tmp)) {
    seterr_errno (&c, "creating a build directory in %s", udir);
    goto out;
  }
  if (build (&c, &k, tmp) < 0) {
    rm_rf (tmp);
    goto out;
  }
  chmod (tmp, 0755);
  if (rename (tmp, final) < 0) {
    seterr_errno (&c, "renaming %s to %s", tmp, final);
    rm_rf (tmp);
    goto out;
  }
 done:
  utimensat (AT_FDCWD, final, NULL, 0);   /* "recently used": see remove_stale */
  fill (out, final);
  ret = 0;
 out:
  if (lockfd >= 0)
    close (lockfd);             /* releases the lock */
  if (ret < 0)
    *errmsg = c.errmsg ? c.errmsg : xstrdup ("appliance build failed");
  else
    free (c.errmsg);
  kernel_info_free (&k);
  free (udir);
  free (final);
  free (lockpath);
  free (tmp);
  return ret;
}

int
hatch_appliance_from_dir (const char *dir, struct hatch_appliance *out,
                          char **errmsg)
{
  memset (out, 0, sizeof *out);
  *errmsg = NULL;
  const char *names[] = { "kernel", "initrd", "root" };
  for (int i = 0; i < 3; i++) {
    char *p = xasprintf ("%s/%s", dir, names[i]);
    int fd = open (p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *errmsg = xasprintf ("prebuilt appliance %s: cannot open %s: %s (a "
                           "fixed appliance directory must hold kernel, "
                           "initrd and root)", dir, p, strerror (errno));
      free (p);
      return -1;
    }
    close (fd);
    free (p);
  }
  fill (out, dir);
  return 0;
}

void
hatch_appliance_free (struct hatch_appliance *a)
{
  if (!a)
    return;
  free (a->dir);
  free (a->kernel);
  free (a->initrd);
  free (a->root);
  memset (a, 0, sizeof *a);
}
