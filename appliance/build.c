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

/* An extra-files directory or archive: names, sizes and times of
 * everything in it (content changes show in the times).  */
static int
hash_tree (struct hash *h, const char *path, int depth)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    return -1;
  hash_stat (h, path);
  if (!S_ISDIR (st.st_mode) || depth > 64)
    return 0;
  DIR *d = opendir (path);
  if (!d)
    return -1;
  struct dirent *e;
  /* readdir order is stable for an unchanged directory.  */
  while ((e = readdir (d)) != NULL) {
    if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
      continue;
    char *p = xasprintf ("%s/%s", path, e->d_name);
    int r = hash_tree (h, p, depth + 1);
    free (p);
    if (r < 0) {
      closedir (d);
      return -1;
    }
  }
  closedir (d);
  return 0;
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
  for (size_t i = 0; c->in->includes && c->in->includes[i]; i++) {
    hash_str (&h, "include");
    if (hash_tree (&h, c->in->includes[i], 0) < 0)
      return seterr_errno (c, "reading extra files %s", c->in->includes[i]);
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

/* KERNEL in the output: the uncompressed PVH vmlinux when the host kernel
 * has one (always a file), else the host's bzImage, copied or linked.  */
static int
place_kernel (struct ctx *c, const struct kernel_info *k, const char *dst,
              bool copy_kernel)
{
  int pvh = getenv ("HATCH_NO_PVH") ? 0 : kernel_extract_pvh (c, k->kernel, dst);
  if (pvh < 0)
    return -1;
  if (pvh > 0)
    return 0;
  if (!copy_kernel) {
    if (symlink (k->kernel, dst) < 0)
      return seterr_errno (c, "symlink %s -> %s", dst, k->kernel);
    return 0;
  }
  if (copy_file (k->kernel, dst, 0644) < 0) {
    if (errno == EACCES)
      kernel_extract_pvh (c, k->kernel, dst);   /* sets the full message */
    return seterr_errno (c, "copying kernel %s", k->kernel);
  }
  return 0;
}

static int
build (struct ctx *c, const struct kernel_info *k, const char *dir,
       bool copy_kernel)
{
  double t0 = now_seconds ();
  char *kernel = xasprintf ("%s/kernel", dir);
  char *initrd = xasprintf ("%s/initrd", dir);
  char *root = xasprintf ("%s/root", dir);
  int r = -1;

  logmsg (c, "building appliance in %s from kernel %s", dir, k->kernel);
  if (place_kernel (c, k, kernel, copy_kernel) < 0)
    goto out;
  logmsg (c, "kernel ready (%.1f s)", now_seconds () - t0);
  if (initramfs_build (c, k, c->in->init_path, initrd) < 0)
    goto out;
  logmsg (c, "initramfs ready (%.1f s)", now_seconds () - t0);
  if (rootfs_build (c, k, dir, root) < 0)
    goto out;
  logmsg (c, "root image ready (%.1f s)", now_seconds () - t0);
  r = 0;
 out:
  free (kernel);
  free (initrd);
  free (root);
  return r;
}

static bool
empty_dir (const char *dir)
{
  DIR *d = opendir (dir);
  if (!d)
    return false;
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
      empty = false;
  closedir (d);
  return empty;
}

int
hatch_appliance_build_dir (const struct hatch_appliance_inputs *in,
                           const char *outdir, const char *format,
                           bool copy_kernel, char **errmsg)
{
  struct ctx c = { .in = in };
  struct kernel_info k = { 0 };
  int ret = -1;
  *errmsg = NULL;
  bool chroot = !strcmp (format, "chroot");
  if (!chroot && strcmp (format, "ext2") != 0) {
    *errmsg = xasprintf ("unknown appliance format '%s' (use ext2 or chroot)",
                         format);
    return -1;
  }
  if (!in->daemon_path || !in->init_path || !in->packages_path) {
    *errmsg = xstrdup ("appliance: daemon, init and package list must all "
                       "be given");
    return -1;
  }
  if (mkdir_p (outdir, 0755) < 0 && errno != EEXIST) {
    seterr_errno (&c, "creating output directory %s", outdir);
    goto out;
  }
  if (!empty_dir (outdir)) {
    seterr (&c, "output directory %s is not an empty directory (remove it, "
            "or name a new one)", outdir);
    goto out;
  }
  if (kernel_find (&c, &k) < 0)
    goto out;
  if (chroot) {
    c.tree_is_output = true;
    if (rootfs_stage (&c, &k, outdir) < 0)
      goto out;
  }
  else if (build (&c, &k, outdir, copy_kernel) < 0)
    goto out;
  ret = 0;
 out:
  if (ret < 0)
    *errmsg = c.errmsg ? c.errmsg : xstrdup ("appliance build failed");
  else
    free (c.errmsg);
  kernel_info_free (&k);
  return ret;
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
  if (build (&c, &k, tmp, true) < 0) {
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

/* DIR holds a complete fixed appliance: 0, else -1 with errno of the
 * first file that cannot be opened and *missing set to its path.  */
static int
fixed_appliance_in (const char *dir, char **missing)
{
  const char *names[] = { "kernel", "initrd", "root" };
  for (int i = 0; i < 3; i++) {
    char *p = xasprintf ("%s/%s", dir, names[i]);
    int fd = open (p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *missing = p;
      return -1;
    }
    close (fd);
    free (p);
  }
  return 0;
}

int
hatch_appliance_from_dir (const char *path, struct hatch_appliance *out,
                          char **errmsg)
{
  memset (out, 0, sizeof *out);
  *errmsg = NULL;
  /* A search path, as LIBGUESTFS_PATH is: the first directory holding a
   * fixed appliance wins.  */
  char *copy = xstrdup (path), *save = NULL, *first_err = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save)) {
    char *missing = NULL;
    if (fixed_appliance_in (dir, &missing) == 0) {
      fill (out, dir);
      free (copy);
      free (first_err);
      return 0;
    }
    if (!first_err)
      first_err = xasprintf ("cannot open %s: %s", missing, strerror (errno));
    free (missing);
  }
  *errmsg = xasprintf ("no prebuilt appliance in %s (%s): a fixed appliance "
                       "directory holds kernel, initrd and root; make one "
                       "with hatch-make-fixed-appliance",
                       path, first_err ? first_err : "empty path");
  free (first_err);
  free (copy);
  return -1;
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
