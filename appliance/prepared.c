/* The builder's two phases, describe then build.
 *
 * --prepare resolves what the appliance is made of against this host and
 * writes a small description directory:
 *     PREPDIR/description   "hatch-appliance-description 1", host CPU
 *     PREPDIR/packages      the Debian packages, one per line (installed here)
 *     PREPDIR/daemon        the guestfsd to install
 *     PREPDIR/init          the init for the initramfs
 *     PREPDIR/include/NN-*  extra files (directories or tar archives)
 * --build turns a description plus this host's files (the packages' files
 * from dpkg's lists, their libraries, the kernel and its modules) into an
 * appliance.  The description holds no host files, so it is small and can
 * be made on one host and built on another with the same packages.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

#define DESCRIPTION_STAMP "hatch-appliance-description 1"

static bool
dir_is_empty_or_absent (const char *dir)
{
  DIR *d = opendir (dir);
  if (!d)
    return errno == ENOENT;
  struct dirent *e;
  bool empty = true;
  while (empty && (e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
      empty = false;
  closedir (d);
  return empty;
}

static int
copy_include (struct ctx *c, const char *src, const char *dst)
{
  struct stat st;
  if (stat (src, &st) < 0)
    return seterr_errno (c, "extra files %s", src);
  if (S_ISREG (st.st_mode)) {
    if (copy_file (src, dst, 0644) < 0)
      return seterr_errno (c, "copying %s to %s", src, dst);
    return 0;
  }
  if (!S_ISDIR (st.st_mode))
    return seterr (c, "extra files %s: neither a directory nor a tar archive", src);
  char *argv[] = { (char *) "cp", (char *) "-R", (char *) "--no-dereference",
                   (char *) "--preserve=mode,links,timestamps",
                   (char *) src, (char *) dst, NULL };
  int r = run_cmd (argv, -1, -1);
  if (r != 0)
    return seterr (c, "copying extra files %s to %s failed (cp exit status %d)",
                   src, dst, r);
  return 0;
}

int
hatch_appliance_describe (const struct hatch_appliance_inputs *in,
                          const char *const *packages, const char *prepdir,
                          char **errmsg)
{
  struct ctx c = { .in = in };
  struct strlist names = { 0 };
  struct strset seen = { 0 };
  char *buf = NULL;
  size_t buflen = 0;
  FILE *out = NULL;
  int ret = -1;
  *errmsg = NULL;

  if (!in->daemon_path || !in->init_path) {
    seterr (&c, "--prepare: the daemon and init programs must be given");
    goto out;
  }
  if (!dir_is_empty_or_absent (prepdir)) {
    seterr (&c, "%s is not an empty directory (remove it, or name a new one)",
            prepdir);
    goto out;
  }
  if (mkdir_p (prepdir, 0755) < 0 && errno != EEXIST) {
    seterr_errno (&c, "creating %s", prepdir);
    goto out;
  }

  /* Packages from the list file (skipped when missing, unless asked to
   * require them), then those named on the command line (required).  */
  if (in->packages_path && packages_read (&c, in->packages_path, &names) < 0)
    goto out;
  size_t from_list = names.n;
  for (size_t i = 0; packages && packages[i]; i++) {
    const char *p = packages[i];
    if (!*p || strlen (p) > 200 || strchr (p, '/') || p[0] == '.' || p[0] == '-') {
      seterr (&c, "'%s' is not a package name", p);
      goto out;
    }
    strlist_push (&names, xstrdup (p));
  }
  out = open_memstream (&buf, &buflen);
  if (!out) {
    seterr_errno (&c, "open_memstream");
    goto out;
  }
  size_t kept = 0;
  for (size_t i = 0; i < names.n; i++) {
    const char *p = names.v[i];
    if (strset_has (&seen, p))
      continue;
    char *list = package_list_path (p);
    free (list);
    if (!list) {
      if (i >= from_list || in->require_packages) {
        seterr (&c, "package %s is not installed on this host: install it "
                "(apt-get install %s)%s", p, p,
                i < from_list ? " or remove it from the package list" : "");
        goto out;
      }
      logmsg (&c, "package %s is not installed on the host (skipped)", p);
      continue;
    }
    strset_add (&seen, p);
    fprintf (out, "%s\n", p);
    kept++;
  }
  fclose (out);
  out = NULL;
  if (kept == 0) {
    seterr (&c, "no package to put in the appliance is installed on this host");
    goto out;
  }
  char *path = xasprintf ("%s/packages", prepdir);
  int r = write_file (path, buf, buflen, 0644);
  free (path);
  if (r < 0) {
    seterr_errno (&c, "writing %s/packages", prepdir);
    goto out;
  }

  const char *progs[][2] = { { in->daemon_path, "daemon" }, { in->init_path, "init" } };
  for (int i = 0; i < 2; i++) {
    char *dst = xasprintf ("%s/%s", prepdir, progs[i][1]);
    r = copy_file (progs[i][0], dst, 0755);
    free (dst);
    if (r < 0) {
      seterr_errno (&c, "copying the %s %s", progs[i][1], progs[i][0]);
      goto out;
    }
  }

  if (in->includes && in->includes[0]) {
    char *incdir = xasprintf ("%s/include", prepdir);
    mkdir_p (incdir, 0755);
    for (size_t i = 0; in->includes[i]; i++) {
      const char *base = strrchr (in->includes[i], '/');
      base = base && base[1] ? base + 1 : in->includes[i];
      char *dst = xasprintf ("%s/%02zu-%s", incdir, i, base);
      r = copy_include (&c, in->includes[i], dst);
      free (dst);
      if (r < 0) {
        free (incdir);
        goto out;
      }
    }
    free (incdir);
  }

  struct utsname u;
  uname (&u);
  char *desc = xasprintf ("%s\nhost-cpu %s\npackages %zu\n", DESCRIPTION_STAMP,
                          u.machine, kept);
  path = xasprintf ("%s/description", prepdir);
  r = write_file (path, desc, strlen (desc), 0644);
  free (path);
  free (desc);
  if (r < 0) {
    seterr_errno (&c, "writing %s/description", prepdir);
    goto out;
  }
  logmsg (&c, "described %zu packages in %s", kept, prepdir);
  ret = 0;
 out:
  if (out)
    fclose (out);
  free (buf);
  strlist_free (&names);
  strset_free (&seen);
  if (ret < 0)
    *errmsg = c.errmsg ? c.errmsg : xstrdup ("--prepare failed");
  else
    free (c.errmsg);
  return ret;
}

static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
hatch_appliance_read_description (const char *prepdir,
                                  struct hatch_description *d, char **errmsg)
{
  memset (d, 0, sizeof *d);
  *errmsg = NULL;
  char *path = xasprintf ("%s/description", prepdir);
  char *data = NULL;
  size_t len;
  int r = read_file_bounded (path, 4096, &data, &len);
  free (path);
  if (r < 0) {
    *errmsg = xasprintf ("%s is not an appliance description made by "
                         "hatch-make-appliance --prepare (no description "
                         "file: %s)", prepdir, strerror (errno));
    return -1;
  }
  bool ok = strncmp (data, DESCRIPTION_STAMP "\n", strlen (DESCRIPTION_STAMP) + 1) == 0;
  free (data);
  if (!ok) {
    *errmsg = xasprintf ("%s/description: not a description this version of "
                         "hatch-make-appliance can build (prepare it again)",
                         prepdir);
    return -1;
  }
  d->packages = xasprintf ("%s/packages", prepdir);
  d->daemon = xasprintf ("%s/daemon", prepdir);
  d->init = xasprintf ("%s/init", prepdir);
  struct strlist inc = { 0 };
  char *incdir = xasprintf ("%s/include", prepdir);
  DIR *dir = opendir (incdir);
  if (dir) {
    struct dirent *e;
    while ((e = readdir (dir)) != NULL)
      if (e->d_name[0] != '.')
        strlist_push (&inc, xasprintf ("%s/%s", incdir, e->d_name));
    closedir (dir);
  }
  free (incdir);
  if (inc.n)
    qsort (inc.v, inc.n, sizeof *inc.v, cmp_names);
  strlist_push (&inc, NULL);
  d->includes = inc.v;
  return 0;
}

void
hatch_description_free (struct hatch_description *d)
{
  free (d->packages);
  free (d->daemon);
  free (d->init);
  for (size_t i = 0; d->includes && d->includes[i]; i++)
    free (d->includes[i]);
  free (d->includes);
  memset (d, 0, sizeof *d);
}
