/* The root image: files of the listed Debian packages, the libraries they
 * load, the daemon, the kernel's modules and a minimal /etc, copied into a
 * staging tree and turned into an ext2 image by "mke2fs -d" (no root
 * privileges needed).
 *
 * Paths are copied to their canonical host location (Debian 12 has merged
 * /usr, so /bin/ls lands in usr/bin/ls) and the top-level compatibility
 * symlinks (/bin -> usr/bin ...) are reproduced from the host's own.  We
 * never write through a symlink inside the staging tree: package symlinks
 * may be absolute and would point back into the host.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Not needed in the appliance: documentation, translations, shell
 * completions, and so on.  */
static const char *const skip_prefixes[] = {
  "/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
  "/usr/share/locale/", "/usr/share/lintian/", "/usr/share/bug/",
  "/usr/share/bash-completion/", "/usr/share/zsh/", "/usr/share/fish/",
  "/usr/share/menu/", "/usr/share/gtk-doc/", "/usr/share/help/",
  "/usr/share/doc-base/", "/usr/share/initramfs-tools/",
  "/lib/systemd/", "/usr/lib/systemd/", "/lib/udev/", "/usr/lib/udev/",
  "/etc/init.d/", "/etc/cron.", "/etc/logrotate.d/", "/etc/systemd/",
  "/proc/", "/sys/", "/dev/", "/run/",
};

/* Where the dynamic loader looks; DT_NEEDED names are resolved here.  */
static const char *const lib_dirs[] = {
  "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
  "/lib64", "/usr/lib64", "/lib", "/usr/lib",
};

/* Directories the appliance needs even if no package lists them.  */
static const char *const extra_dirs[] = {
  "/proc", "/sys", "/dev", "/run", "/tmp", "/var/tmp", "/root", "/sysroot",
  "/etc", "/var/lib", "/var/cache", "/var/log", "/mnt", "/usr/sbin",
};

struct builder {
  struct ctx *c;
  const char *staging;
  struct strset seen;      /* host paths queued */
  struct strset made;      /* staging paths created */
  struct strlist queue;
  size_t qpos;
};

static bool
skipped (const char *path)
{
  for (size_t i = 0; i < sizeof skip_prefixes / sizeof *skip_prefixes; i++)
    if (!strncmp (path, skip_prefixes[i], strlen (skip_prefixes[i])))
      return true;
  return false;
}

static void
enqueue (struct builder *b, const char *path)
{
  if (path[0] != '/' || strlen (path) >= PATH_MAX || skipped (path))
    return;
  if (strset_add (&b->seen, path))
    strlist_push (&b->queue, xstrdup (path));
}

/* Host path -> path inside the appliance: the canonical parent directory
 * plus the last component.  NULL for "/" or a missing parent.  */
static char *
canonical_dest (const char *path)
{
  char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  const char *base = slash + 1;
  if (!*base || !strcmp (base, ".") || !strcmp (base, "..")) {
    free (copy);
    return NULL;
  }
  *slash = '\0';
  char real[PATH_MAX];
  if (!realpath (*copy ? copy : "/", real)) {
    free (copy);
    return NULL;
  }
  char *r = xasprintf ("%s/%s", strcmp (real, "/") ? real : "", base);
  free (copy);
  return r;
}

static void
resolve_needed (struct builder *b, const char *elfdest, struct elfdeps *d)
{
  for (size_t i = 0; i < d->needed.n; i++) {
    const char *name = d->needed.v[i];
    if (strchr (name, '/')) {
      enqueue (b, name);
      continue;
    }
    bool found = false;
    /* RPATH/RUNPATH first ($ORIGIN is the file's own directory).  */
    for (size_t j = 0; j < d->rpath.n + sizeof lib_dirs / sizeof *lib_dirs && !found; j++) {
      char *dir;
      if (j < d->rpath.n) {
        const char *rp = d->rpath.v[j];
        if (!strncmp (rp, "$ORIGIN", 7)) {
          char *o = xstrdup (elfdest);
          *strrchr (o, '/') = '\0';
          dir = xasprintf ("%s%s", o, rp + 7);
          free (o);
        }
        else
          dir = xstrdup (rp);
      }
      else
        dir = xstrdup (lib_dirs[j - d->rpath.n]);
      char *cand = xasprintf ("%s/%s", dir, name);
      if (access (cand, F_OK) == 0) {
        enqueue (b, cand);
        found = true;
      }
      free (cand);
      free (dir);
    }
    if (!found)
      logmsg (b->c, "library %s (needed by %s) not found on the host", name, elfdest);
  }
}

static void
add_elf_deps (struct builder *b, const char *hostpath, const char *dest)
{
  struct elfdeps d;
  int r = elf_read_deps (hostpath, &d);
  if (r < 0)
    logmsg (b->c, "malformed ELF file %s: not following its libraries", hostpath);
  if (r <= 0)
    return;
  if (d.interp)
    enqueue (b, d.interp);
  resolve_needed (b, dest, &d);
  elfdeps_free (&d);
}

static int
make_parent (struct builder *b, const char *staged)
{
  char *p = xstrdup (staged);
  *strrchr (p, '/') = '\0';
  int r = mkdir_p (p, 0755);
  if (r < 0)
    logmsg (b->c, "cannot create directory %s: %m", p);
  free (p);
  return r;
}

/* Copy one host path (file, directory or symlink) into the staging tree.  */
static void
copy_one (struct builder *b, const char *path)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    return;                     /* listed but deleted by the admin */
  char *dest = canonical_dest (path);
  if (!dest)
    return;
  if (skipped (dest) || !strset_add (&b->made, dest)) {
    free (dest);
    return;
  }
  char *staged = xasprintf ("%s%s", b->staging, dest);

  if (S_ISDIR (st.st_mode)) {
    if (mkdir_p (staged, 0755) == 0)
      chmod (staged, (st.st_mode & 01777) | 0700);
  }
  else if (S_ISLNK (st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlink (path, target, sizeof target - 1);
    if (n > 0 && make_parent (b, staged) == 0) {
      target[n] = '\0';
      if (symlink (target, staged) < 0 && errno != EEXIST)
        logmsg (b->c, "symlink %s: %m", staged);
      /* Follow the link so its target is copied too (this is what brings
       * /etc/alternatives/awk and the real library behind libfoo.so.1).  */
      char *t;
      if (target[0] == '/')
        t = xstrdup (target);
      else {
        char *dir = xstrdup (dest);
        *strrchr (dir, '/') = '\0';
        t = xasprintf ("%s/%s", dir, target);
        free (dir);
      }
      enqueue (b, t);
      free (t);
    }
  }
  else if (S_ISREG (st.st_mode)) {
    if (make_parent (b, staged) == 0) {
      /* setuid bits are meaningless in the appliance (all runs as root) and
       * unwelcome on files a user owns in a cache directory.  */
      if (copy_file (path, staged, st.st_mode & 0777) < 0) {
        if (errno == EACCES)
          logmsg (b->c, "skipping unreadable %s", path);
        else if (errno != EEXIST)
          logmsg (b->c, "copying %s: %m", path);
      }
      else
        add_elf_deps (b, path, dest);
    }
  }
  free (staged);
  free (dest);
}

static void
drain_queue (struct builder *b)
{
  while (b->qpos < b->queue.n)
    copy_one (b, b->queue.v[b->qpos++]);
}

char *
package_list_path (const char *pkg)
{
  char *path = xasprintf ("/var/lib/dpkg/info/%s.list", pkg);
  if (access (path, F_OK) == 0)
    return path;
  /* Multi-arch: the list is PKG:ARCH.list.  */
  free (path);
  char *pat = xasprintf ("/var/lib/dpkg/info/%s:*.list", pkg);
  glob_t g;
  path = NULL;
  if (glob (pat, 0, NULL, &g) == 0 && g.gl_pathc > 0)
    path = xstrdup (g.gl_pathv[0]);
  globfree (&g);
  free (pat);
  return path;
}

/* Queue every path of package PKG from dpkg's file list.  */
static int
add_package (struct builder *b, const char *pkg)
{
  char *path = package_list_path (pkg);
  if (!path)
    return 0;
  char *data;
  size_t len;
  if (read_file_bounded (path, MAX_LIST_FILE, &data, &len) < 0) {
    logmsg (b->c, "cannot read %s: %m", path);
    free (path);
    return 0;
  }
  free (path);
  char *save = NULL;
  for (char *l = strtok_r (data, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    enqueue (b, l);
  free (data);
  return 1;
}

/* update-alternatives makes names like /usr/bin/awk that no package
 * lists: add the master link of every alternative whose current choice
 * is already in the appliance (e.g. awk -> mawk).  dpkg's record of an
 * alternative is its mode on the first line, the link on the second.  */
static void
add_alternatives (struct builder *b)
{
  DIR *dir = opendir ("/var/lib/dpkg/alternatives");
  if (!dir)
    return;
  struct dirent *e;
  while ((e = readdir (dir)) != NULL) {
    if (e->d_name[0] == '.' || strchr (e->d_name, '/'))
      continue;
    char *rec = xasprintf ("/var/lib/dpkg/alternatives/%s", e->d_name);
    char *data = NULL;
    size_t len;
    int r = read_file_bounded (rec, MAX_LIST_FILE, &data, &len);
    free (rec);
    if (r < 0)
      continue;
    char *save = NULL;
    char *mode = strtok_r (data, "\n", &save);
    char *link = mode ? strtok_r (NULL, "\n", &save) : NULL;
    char *chosen = xasprintf ("/etc/alternatives/%s", e->d_name);
    char target[PATH_MAX];
    if (link && link[0] == '/' && realpath (chosen, target)) {
      char *dest = canonical_dest (target);
      if (dest && strset_has (&b->made, dest))
        enqueue (b, link);
      free (dest);
    }
    free (chosen);
    free (data);
  }
  closedir (dir);
  drain_queue (b);
}

int
packages_read (struct ctx *c, const char *list, struct strlist *names)
{
  char *data;
  size_t len;
  if (read_file_bounded (list, MAX_LIST_FILE, &data, &len) < 0)
    return seterr_errno (c, "reading package list %s", list);
  char *save = NULL;
  for (char *l = strtok_r (data, "\n", &save); l; l = strtok_r (NULL, "\n", &save)) {
    char *hash = strchr (l, '#');
    if (hash) *hash = '\0';
    char *s = l + strspn (l, " \t");
    size_t n = strcspn (s, " \t\r");
    s[n] = '\0';
    if (!*s)
      continue;
    if (n > 200 || strchr (s, '/') || s[0] == '.') {
      free (data);
      return seterr (c, "package list %s: '%s' is not a package name", list, s);
    }
    strlist_push (names, xstrdup (s));
  }
  free (data);
  return 0;
}

static int
add_packages (struct builder *b, const char *list)
{
  struct strlist names = { 0 };
  if (packages_read (b->c, list, &names) < 0)
    return -1;
  int nadded = 0, r = 0;
  for (size_t i = 0; i < names.n; i++) {
    const char *s = names.v[i];
    if (add_package (b, s))
      nadded++;
    else if (b->c->in->require_packages) {
      r = seterr (b->c, "package %s (listed in %s) is not installed on this "
                  "host: install it (apt-get install %s) or remove it from "
                  "the list", s, list, s);
      break;
    }
    else
      logmsg (b->c, "package %s is not installed on the host (skipped)", s);
  }
  strlist_free (&names);
  if (r == 0 && nadded == 0)
    r = seterr (b->c, "none of the packages in %s is installed on this "
                "host; is this a Debian-based system?", list);
  return r;
}

/* A module of the tree as the initramfs has its own (module_slim), so
 * that one loaded on demand (xfs, btrfs, dm-*, ...) costs the appliance
 * as little: the first mount of an xfs filesystem ran 1.1 billion guest
 * instructions, nearly all of them the kernel hashing the module for its
 * signature and looking up each of its ftrace sites' symbols.  Returns
 * -1 when the file is to be copied as it is.  */
static int
copy_module (const char *src, const char *dst, mode_t mode)
{
  size_t n = strlen (src), len;
  char *data;
  if (n < 3 || strcmp (src + n - 3, ".ko") != 0 || getenv ("HATCH_KEEP_MODULE_SIGNATURES") ||
      read_file_bounded (src, 256u << 20, &data, &len) < 0)
    return -1;
  size_t slim = module_slim ((unsigned char *) data, len);
  int r = slim < len ? write_file (dst, data, slim, mode) : -1;
  free (data);
  return r;
}

/* Copy the kernel modules tree; hard links when possible (same filesystem,
 * and we are allowed to), since it is hundreds of MB; modules themselves
 * slimmed (copy_module).  */
static void
copy_tree (struct builder *b, const char *src, const char *dst, int depth)
{
  DIR *d = opendir (src);
  if (!d || depth > 32) {
    if (d) closedir (d);
    return;
  }
  mkdir_p (dst, 0755);
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
      continue;
    if (depth == 0 && (!strcmp (e->d_name, "build") || !strcmp (e->d_name, "source")))
      continue;                 /* links to kernel headers */
    char *s = xasprintf ("%s/%s", src, e->d_name);
    char *t = xasprintf ("%s/%s", dst, e->d_name);
    struct stat st;
    if (lstat (s, &st) == 0) {
      if (S_ISDIR (st.st_mode))
        copy_tree (b, s, t, depth + 1);
      else if (S_ISREG (st.st_mode)) {
        if (copy_module (s, t, st.st_mode & 0777) < 0 &&
            (b->c->tree_is_output || link (s, t) < 0) &&
            copy_file (s, t, st.st_mode & 0777) < 0)
          logmsg (b->c, "copying %s: %m", s);
      }
    }
    free (s);
    free (t);
  }
  closedir (d);
}

/* Write an appliance file, replacing whatever a package put there.  The
 * unlink matters: the old file could be a hard link to a host file.  */
static int
put (struct builder *b, const char *path, const char *content, mode_t mode)
{
  char *staged = xasprintf ("%s%s", b->staging, path);
  int r = make_parent (b, staged);
  unlink (staged);
  if (r == 0 && write_file (staged, content, strlen (content), mode) < 0)
    r = seterr_errno (b->c, "writing %s", staged);
  free (staged);
  return r;
}

static int
put_link (struct builder *b, const char *path, const char *target)
{
  char *staged = xasprintf ("%s%s", b->staging, path);
  make_parent (b, staged);
  unlink (staged);
  int r = symlink (target, staged);
  if (r < 0)
    seterr_errno (b->c, "symlink %s", staged);
  free (staged);
  return r;
}

/* LVM without udev, without the host's devices file (which would hide
 * cloned disks), without metadata backups, locking under /run.  */
static const char lvm_conf[] =
  "# Hatch appliance LVM configuration: no udev, no devices file.\n"
  "devices {\n"
  "  dir = \"/dev\"\n"
  "  scan = [ \"/dev\" ]\n"
  "  use_devicesfile = 0\n"
  "  obtain_device_list_from_udev = 0\n"
  "  external_device_info_source = \"none\"\n"
  "  write_cache_state = 0\n"
  "  hints = \"none\"\n"
  "}\n"
  "activation {\n"
  "  udev_sync = 0\n"
  "  udev_rules = 0\n"
  "  verify_udev_operations = 0\n"
  "  monitoring = 0\n"
  "}\n"
  "global {\n"
  "  locking_dir = \"/run/lock/lvm\"\n"
  "  use_lvmlockd = 0\n"
  "  event_activation = 0\n"
  "}\n"
  "backup {\n"
  "  backup = 0\n"
  "  archive = 0\n"
  "}\n";

static int
write_etc (struct builder *b)
{
  int r = 0;
  r |= put (b, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  r |= put (b, "/etc/group", "root:x:0:\ndisk:x:6:\ntty:x:5:\n", 0644);
  r |= put (b, "/etc/shadow", "root:*:1::::::\n", 0600);
  r |= put (b, "/etc/nsswitch.conf",
            "passwd: files\ngroup: files\nshadow: files\nhosts: files\n", 0644);
  r |= put (b, "/etc/hosts", "127.0.0.1 localhost\n", 0644);
  r |= put (b, "/etc/hostname", "hatch\n", 0644);
  r |= put (b, "/etc/fstab", "", 0644);
  r |= put (b, "/etc/lvm/lvm.conf", lvm_conf, 0644);
  r |= put (b, "/etc/lvm/lvmlocal.conf", "", 0644);
  r |= put_link (b, "/etc/mtab", "../proc/self/mounts");
  /* Things that expect /var/run and /var/lock to be /run.  */
  r |= put_link (b, "/var/run", "../run");
  r |= put_link (b, "/var/lock", "../run/lock");
  /* There is no udev: tools that call "udevadm settle" (libparted, lvm)
   * get a successful no-op instead of a shell error. */
  r |= put (b, "/usr/sbin/udevadm", "#!/bin/sh\nexit 0\n", 0755);
  return r ? -1 : 0;
}

/* Reproduce /bin -> usr/bin and friends exactly as the host has them.  */
static void
merged_usr_links (struct builder *b)
{
  static const char *const tops[] = {
    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
  };
  for (size_t i = 0; i < sizeof tops / sizeof *tops; i++) {
    char target[PATH_MAX];
    ssize_t n = readlink (tops[i], target, sizeof target - 1);
    if (n <= 0)
      continue;
    target[n] = '\0';
    char *staged = xasprintf ("%s%s", b->staging, tops[i]);
    struct stat st;
    if (lstat (staged, &st) < 0 && symlink (target, staged) < 0)
      logmsg (b->c, "symlink %s: %m", staged);
    free (staged);
  }
}

/* Add the user's extra files (inputs->includes): a directory's tree is
 * copied onto the root, a tar archive is unpacked there.  Both replace
 * what the packages put at the same paths; both are the user's own host
 * files, named on the command line.  */
static int
add_includes (struct builder *b)
{
  const char *const *inc = b->c->in->includes;
  for (size_t i = 0; inc && inc[i]; i++) {
    struct stat st;
    if (stat (inc[i], &st) < 0)
      return seterr_errno (b->c, "extra files %s", inc[i]);
    int r;
    if (S_ISDIR (st.st_mode)) {
      char *src = xasprintf ("%s/.", inc[i]);
      char *argv[] = { (char *) "cp", (char *) "-R", (char *) "--no-dereference",
                       (char *) "--preserve=mode,links,timestamps",
                       (char *) "--remove-destination", src, (char *) b->staging, NULL };
      r = run_cmd (argv, -1, -1);
      free (src);
    }
    else if (S_ISREG (st.st_mode)) {
      char *argv[] = { (char *) "tar", (char *) "-x", (char *) "--no-same-owner",
                       (char *) "--no-overwrite-dir", (char *) "-f", (char *) inc[i],
                       (char *) "-C", (char *) b->staging, NULL };
      r = run_cmd (argv, -1, -1);
    }
    else
      return seterr (b->c, "extra files %s: neither a directory nor a tar "
                     "archive", inc[i]);
    if (r != 0)
      return seterr (b->c, "adding extra files from %s failed (%s exit "
                     "status %d): see the message above; a file must be a "
                     "tar archive", inc[i], S_ISDIR (st.st_mode) ? "cp" : "tar", r);
    logmsg (b->c, "added extra files from %s", inc[i]);
  }
  return 0;
}

/* Bytes and inodes under DIR (for sizing the image after additions).  */
static void
measure_tree (const char *dir, int depth, uint64_t *bytes, uint64_t *inodes)
{
  DIR *d = opendir (dir);
  if (!d || depth > 64) {
    if (d) closedir (d);
    return;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
      continue;
    char *p = xasprintf ("%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat (p, &st) == 0) {
      ++*inodes;
      *bytes += ((uint64_t) st.st_size + 4095) & ~(uint64_t) 4095;
      if (S_ISDIR (st.st_mode))
        measure_tree (p, depth + 1, bytes, inodes);
    }
    free (p);
  }
  closedir (d);
}

int
rootfs_stage (struct ctx *c, const struct kernel_info *k, const char *staging)
{
  struct builder b = { .c = c };
  b.staging = staging;
  int ret = -1;
  double t0 = now_seconds ();

  if (mkdir_p (staging, 0755) < 0) {
    seterr_errno (c, "creating %s", staging);
    goto out;
  }
  merged_usr_links (&b);
  if (add_packages (&b, c->in->packages_path) < 0)
    goto out;
  drain_queue (&b);
  add_alternatives (&b);
  logmsg (c, "copied %zu package paths (%.1f s)", b.made.count, now_seconds () - t0);

  /* The daemon, and the libraries it needs.  */
  {
    char *staged = xasprintf ("%s/usr/sbin/guestfsd", staging);
    char *sbin = xasprintf ("%s/usr/sbin", staging);
    mkdir_p (sbin, 0755);
    free (sbin);
    unlink (staged);
    if (copy_file (c->in->daemon_path, staged, 0755) < 0) {
      seterr_errno (c, "copying daemon %s", c->in->daemon_path);
      free (staged);
      goto out;
    }
    free (staged);
    add_elf_deps (&b, c->in->daemon_path, "/usr/sbin/guestfsd");
    drain_queue (&b);
  }

  for (size_t i = 0; i < sizeof extra_dirs / sizeof *extra_dirs; i++) {
    char *d = xasprintf ("%s%s", staging, extra_dirs[i]);
    mkdir_p (d, 0755);
    free (d);
  }
  if (write_etc (&b) < 0)
    goto out;
  if (add_includes (&b) < 0)
    goto out;

  /* All the kernel's modules, where modprobe looks for them.  */
  {
    char realmods[PATH_MAX];
    const char *base = realpath ("/lib/modules", realmods) ? realmods : "/lib/modules";
    char *mdst = xasprintf ("%s%s/%s", staging, base, k->version);
    double t1 = now_seconds ();
    copy_tree (&b, k->modules_dir, mdst, 0);
    logmsg (c, "copied kernel modules to %s (%.1f s)", mdst, now_seconds () - t1);
    free (mdst);
  }
  ret = 0;
 out:
  strset_free (&b.seen);
  strset_free (&b.made);
  strlist_free (&b.queue);
  return ret;
}

int
rootfs_image (struct ctx *c, const char *staging, const char *dst)
{
  uint64_t bytes = 0, inodes = 0;
  measure_tree (staging, 0, &bytes, &inodes);
  /* Size: content plus a third for metadata and room for the daemon's
   * scratch files, plus a fixed margin.  The file is sparse anyway.  */
  uint64_t size_mb = (bytes + bytes / 3) / (1 << 20) + 128;
  inodes = inodes + inodes / 2 + 4096;
  char size_arg[32], inodes_arg[32];
  snprintf (size_arg, sizeof size_arg, "%lluM", (unsigned long long) size_mb);
  snprintf (inodes_arg, sizeof inodes_arg, "%llu", (unsigned long long) inodes);
  char *argv[] = {
    (char *) "mke2fs", (char *) "-q", (char *) "-t", (char *) "ext2",
    (char *) "-b", (char *) "4096", (char *) "-m", (char *) "0",
    (char *) "-N", inodes_arg, (char *) "-E", (char *) "root_owner=0:0",
    (char *) "-L", (char *) "hatchroot",
    (char *) "-d", (char *) staging, (char *) "-F", (char *) dst, size_arg, NULL,
  };
  double t2 = now_seconds ();
  int st = run_cmd (argv, -1, -1);
  if (st != 0)
    return seterr (c, "mke2fs -d %s %s %s failed (exit status %d): see its "
                   "message above (a full disk? e2fsprogs older than 1.43 "
                   "has no -d)", staging, dst, size_arg, st);
  logmsg (c, "mke2fs: %s, %s (%.1f s)", dst, size_arg, now_seconds () - t2);
  return 0;
}

int
rootfs_build (struct ctx *c, const struct kernel_info *k,
              const char *workdir, const char *dst)
{
  char *staging = xasprintf ("%s/staging", workdir);
  int r = rootfs_stage (c, k, staging);
  if (r == 0)
    r = rootfs_image (c, staging, dst);
  rm_rf (staging);
  free (staging);
  return r;
}
