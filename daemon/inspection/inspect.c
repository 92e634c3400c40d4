/* inspect_os and the inspect_get_* getters.
 *
 * inspect_os lists the filesystems (as list_filesystems does), probes their
 * UUIDs and labels with one blkid run, then mounts each one read-only on
 * INSPECT_DIR/N -- never on SYSROOT, so what the caller mounted is left
 * alone -- looks for an operating system through a directory fd, and
 * unmounts it.  The results stay in this process until the next
 * inspect_os; the getters only read them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "inspect.h"
#include "windows.h"

static struct inspect_os *oses;
static size_t noses;
/* /usr filesystems seen during one inspect_os (see needs_usr). */
static struct inspect_os *usrs;
static size_t nusrs;

static void
free_os (struct inspect_os *os)
{
  char **strs[] = {
    &os->root, &os->type, &os->distro, &os->product_name, &os->product_variant,
    &os->arch, &os->hostname, &os->package_format, &os->package_management,
    &os->osinfo, &os->build_id, &os->windows_systemroot, &os->windows_software_hive,
    &os->windows_system_hive, &os->windows_current_control_set,
  };
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; ++i) {
    free (*strs[i]);
    *strs[i] = NULL;
  }
  free_strings (os->mountpoints);
  free_strings (os->filesystems);
  free_strings (os->drive_mappings);
  os->mountpoints = os->filesystems = os->drive_mappings = NULL;
}

static void
free_oses (void)
{
  for (size_t i = 0; i < noses; ++i)
    free_os (&oses[i]);
  free (oses);
  oses = NULL;
  noses = 0;
}

static int
init_os (struct inspect_os *os, const char *root)
{
  memset (os, 0, sizeof *os);
  char **strs[] = {
    &os->type, &os->distro, &os->product_name, &os->product_variant,
    &os->arch, &os->hostname, &os->package_format, &os->package_management,
    &os->osinfo, &os->build_id,
  };
  os->root = strdup (root);
  if (os->root == NULL)
    return -1;
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; ++i)
    if ((*strs[i] = strdup ("unknown")) == NULL)
      return -1;
  return 0;
}

/* ---- blkid table ---- */

static void
free_fsinfo (struct inspect_fsinfo *fs, size_t n)
{
  for (size_t i = 0; i < n; ++i) {
    free (fs[i].device);
    free (fs[i].type);
    free (fs[i].uuid);
    free (fs[i].label);
    free (fs[i].partuuid);
    free (fs[i].partlabel);
  }
  free (fs);
}

/* blkid -o export prints KEY=value with shell escapes (\ before
 * specials). */
static char *
export_value (const char *v)
{
  char *r = malloc (strlen (v) + 1), *o = r;
  if (r == NULL)
    return NULL;
  for (; *v; ++v) {
    if (*v == '\\' && v[1])
      v++;
    *o++ = *v;
  }
  *o = '\0';
  return r;
}

/* One blkid run over the filesystems of list_filesystems ("dev", "type"
 * pairs).  Returns the table, or NULL after replying with an error. */
static struct inspect_fsinfo *
probe_filesystems (char **pairs, size_t *n_r)
{
  size_t n = count_strings (pairs) / 2;
  struct inspect_fsinfo *fs = calloc (n + 1, sizeof *fs);
  const char **argv = calloc (n + 6, sizeof (char *));
  if (fs == NULL || argv == NULL) {
    free (fs);
    free (argv);
    reply_with_perror ("inspect_os");
    return NULL;
  }
  size_t k = 0;
  argv[k++] = "blkid";
  argv[k++] = "-c";
  argv[k++] = "/dev/null";
  argv[k++] = "-o";
  argv[k++] = "export";
  for (size_t i = 0; i < n; ++i) {
    fs[i].device = strdup (pairs[2 * i]);
    fs[i].type = strdup (pairs[2 * i + 1]);
    argv[k++] = pairs[2 * i];
  }
  argv[k] = NULL;
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = n ? command_run (NULL, &out, &err, argv) : 2;
  free (argv);
  /* No labels or UUIDs is not an error: fstab resolution just finds less. */
  if (r != 0 && r != 2 && verbose)
    fprintf (stderr, "inspect_os: blkid: %s\n", err ? err : "failed");
  CLEANUP_FREE_STRINGS char **lines = split_lines (out ? out : "");
  struct inspect_fsinfo *cur = NULL;
  for (size_t j = 0; lines && lines[j]; ++j) {
    char *eq = strchr (lines[j], '=');
    if (eq == NULL) {
      cur = NULL;
      continue;
    }
    *eq = '\0';
    const char *key = lines[j];
    CLEANUP_FREE char *val = export_value (eq + 1);
    if (val == NULL)
      continue;
    if (strcmp (key, "DEVNAME") == 0) {
      cur = NULL;
      for (size_t i = 0; i < n; ++i)
        if (fs[i].device && strcmp (fs[i].device, val) == 0)
          cur = &fs[i];
      continue;
    }
    if (cur == NULL)
      continue;
    char **field = strcmp (key, "UUID") == 0 ? &cur->uuid :
      strcmp (key, "LABEL") == 0 ? &cur->label :
      strcmp (key, "PARTUUID") == 0 ? &cur->partuuid :
      strcmp (key, "PARTLABEL") == 0 ? &cur->partlabel : NULL;
    if (field && *field == NULL)
      *field = strdup (val);
  }
  *n_r = n;
  return fs;
}

/* ---- mounting candidates ---- */

static bool
can_hold_os (const char *type)
{
  return strcmp (type, "unknown") != 0 && strcmp (type, "swap") != 0;
}

/* Mount dev read-only on dir.  A filesystem already mounted read-write
 * elsewhere (the caller's guest tree) cannot get a read-only superblock:
 * share its superblock and make only this mount read-only. */
static int
mount_ro (const char *dev, const char *type, const char *dir)
{
  unsigned long fl = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  int o = inspect_other_mount_ro (dev, type, dir, fl);
  if (o != 1)
    return o;
  if (mount (dev, dir, type, fl, NULL) == 0)
    return 0;
  int e = errno;
  if (e == EBUSY && mount (dev, dir, type, fl & ~MS_RDONLY, NULL) == 0) {
    if (mount (NULL, dir, NULL, MS_REMOUNT | MS_BIND | fl, NULL) == 0)
      return 0;
    umount2 (dir, MNT_DETACH);
    return -1;
  }
  /* A journal that needs replaying on a read-only disk. */
  if ((strncmp (type, "ext", 3) == 0 || strcmp (type, "xfs") == 0) &&
      mount (dev, dir, type, fl, "norecovery") == 0)
    return 0;
  /* Types with a userspace helper (ntfs-3g ...). */
  CLEANUP_FREE char *err = NULL;
  if (command (NULL, &err, "mount", "-o", "ro,nosuid,nodev,noexec", "-t", type, dev, dir, NULL) == 0)
    return 0;
  if (verbose)
    fprintf (stderr, "inspect_os: cannot mount %s (%s): %s; %s\n", dev, type,
             strerror (e), err ? err : "");
  errno = e;
  return -1;
}

static int
add_os (struct inspect_os *os)
{
  struct inspect_os *n = realloc (oses, (noses + 1) * sizeof *n);
  if (n == NULL)
    return -1;
  oses = n;
  oses[noses++] = *os;
  return 0;
}

static void
free_usrs (void)
{
  for (size_t i = 0; i < nusrs; ++i)
    free_os (&usrs[i]);
  free (usrs);
  usrs = NULL;
  nusrs = 0;
}

/* Remember dev if it is a /usr filesystem holding an OS. */
static int
inspect_usr_mounted (const char *dev, int fd)
{
  struct inspect_os u;
  if (init_os (&u, dev) == -1) {
    free_os (&u);
    return -1;
  }
  if (!inspect_usr_fs (fd, &u)) {
    free_os (&u);
    return 0;
  }
  struct inspect_os *n = realloc (usrs, (nusrs + 1) * sizeof *n);
  if (n == NULL) {
    free_os (&u);
    return -1;
  }
  usrs = n;
  usrs[nusrs++] = u;
  return 0;
}

static const char *
mountpoint_device (char **mps, const char *mp)
{
  for (size_t i = 0; mps && mps[i] && mps[i + 1]; i += 2)
    if (strcmp (mps[i], mp) == 0)
      return mps[i + 1];
  return NULL;
}

/* Partitions of one disk: the same name but for the trailing digits
 * (/dev/sda1 and /dev/sda2). */
static bool
same_disk (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  while (la > 0 && a[la - 1] >= '0' && a[la - 1] <= '9')
    la--;
  while (lb > 0 && b[lb - 1] >= '0' && b[lb - 1] <= '9')
    lb--;
  return la == lb && la < strlen (a) && strncmp (a, b, la) == 0;
}

/* Give each root that needs one its /usr filesystem: the one its fstab
 * mounts on /usr, or else (CoreOS has no fstab) the first /usr
 * filesystem of the same distribution, which also becomes the root's
 * "/usr" mountpoint. */
static int
merge_usrs (void)
{
  for (size_t i = 0; i < noses; ++i) {
    struct inspect_os *os = &oses[i];
    if (!os->needs_usr)
      continue;
    const char *dev = mountpoint_device (os->mountpoints, "/usr");
    const struct inspect_os *u = NULL;
    for (size_t j = 0; j < nusrs; ++j) {
      if (dev ? strcmp (usrs[j].root, dev) != 0 :
          strcmp (os->distro, usrs[j].distro) != 0)
        continue;
      /* Several CoreOS disks: the /usr on the root's own disk. */
      if (u == NULL || (!same_disk (u->root, os->root) &&
                        same_disk (usrs[j].root, os->root)))
        u = &usrs[j];
    }
    if (u == NULL)
      continue;
    inspect_merge_usr (os, u);
    if (dev)
      continue;
    /* "/usr" goes right after "/". */
    struct stringsbuf mps = { 0 }, fss = { 0 };
    for (size_t k = 0; os->mountpoints[k] && os->mountpoints[k + 1]; k += 2) {
      add_string (&mps, os->mountpoints[k]);
      add_string (&mps, os->mountpoints[k + 1]);
      if (strcmp (os->mountpoints[k], "/") == 0) {
        add_string (&mps, "/usr");
        add_string (&mps, u->root);
      }
    }
    for (size_t k = 0; os->filesystems[k]; ++k)
      add_string (&fss, os->filesystems[k]);
    add_string (&fss, u->root);
    if (end_stringsbuf (&mps) == -1 || end_stringsbuf (&fss) == -1) {
      free_stringsbuf (&mps);
      free_stringsbuf (&fss);
      return -1;
    }
    free_strings (os->mountpoints);
    free_strings (os->filesystems);
    os->mountpoints = take_stringsbuf (&mps);
    os->filesystems = take_stringsbuf (&fss);
  }
  return 0;
}

/* Inspect one mounted filesystem; adds an entry if it is an OS root. */
static int
inspect_mounted (const char *dev, int rootfd,
                 const struct inspect_fsinfo *fs, size_t nfs)
{
  char *winroot = NULL;
  enum inspect_other_kind other = inspect_other_probe (rootfd);
  if (other == INSPECT_OTHER_NONE && !inspect_is_unix_root (rootfd) &&
      (winroot = inspect_windows_systemroot (rootfd)) == NULL)
    return inspect_usr_mounted (dev, rootfd);
  struct inspect_os os;
  if (init_os (&os, dev) == -1) {
    free (winroot);
    goto oom;
  }
  if (other != INSPECT_OTHER_NONE)
    inspect_other (rootfd, other, &os, fs, nfs);
  else if (winroot) {
    os.windows_systemroot = winroot;
    inspect_windows (rootfd, &os, fs, nfs);
  }
  else {
    inspect_linux (rootfd, &os);
    inspect_fstab (rootfd, &os, fs, nfs);
  }
  if (os.mountpoints == NULL || os.filesystems == NULL ||
      (os.drive_mappings == NULL &&
       (os.drive_mappings = calloc (1, sizeof (char *))) == NULL))
    goto oom;
  if (add_os (&os) == -1)
    goto oom;
  return 0;
 oom:
  free_os (&os);
  return -1;
}

char **
do_inspect_os (void)
{
  free_oses ();
  /* Roots are reported in device order, whole disks among partitions. */
  CLEANUP_FREE_STRINGS char **pairs = list_filesystems_ordered (false);
  if (pairs == NULL)
    return NULL;
  size_t nfs = 0;
  struct inspect_fsinfo *fs = probe_filesystems (pairs, &nfs);
  if (fs == NULL)
    return NULL;
  if (mkdir ("/run", 0755) == -1 && errno != EEXIST) {
    reply_with_perror ("mkdir /run");
    free_fsinfo (fs, nfs);
    return NULL;
  }
  if (mkdir (INSPECT_DIR, 0700) == -1 && errno != EEXIST) {
    reply_with_perror ("mkdir %s", INSPECT_DIR);
    free_fsinfo (fs, nfs);
    return NULL;
  }

  for (size_t i = 0; i < nfs; ++i) {
    if (!fs[i].device || !fs[i].type || !can_hold_os (fs[i].type))
      continue;
    char dir[64];
    snprintf (dir, sizeof dir, "%s/%zu", INSPECT_DIR, i);
    if (mkdir (dir, 0700) == -1 && errno != EEXIST) {
      if (verbose)
        fprintf (stderr, "inspect_os: %s skipped: mkdir %s: %m\n", fs[i].device, dir);
      continue;
    }
    if (mount_ro (fs[i].device, fs[i].type, dir) == -1) {
      rmdir (dir);
      continue;
    }
    int rootfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int r = 0;
    if (rootfd >= 0) {
      size_t before = noses;
      r = inspect_mounted (fs[i].device, rootfd, fs, nfs);
      close (rootfd);
      if (verbose && r == 0)
        fprintf (stderr, "inspect_os: %s (%s): %s\n", fs[i].device, fs[i].type,
                 noses > before ? "an operating system's root" : "no root");
    }
    else if (verbose)
      fprintf (stderr, "inspect_os: %s skipped: open %s: %m\n", fs[i].device, dir);
    if (umount2 (dir, 0) == -1)
      umount2 (dir, MNT_DETACH);
    rmdir (dir);
    if (r == -1) {
      reply_with_perror ("inspect_os");
      free_fsinfo (fs, nfs);
      free_oses ();
      free_usrs ();
      return NULL;
    }
  }
  free_fsinfo (fs, nfs);
  int m = merge_usrs ();
  free_usrs ();
  if (m == -1) {
    reply_with_perror ("inspect_os");
    free_oses ();
    return NULL;
  }
  return do_inspect_get_roots ();
}

char **
do_inspect_get_roots (void)
{
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; i < noses; ++i)
    if (add_string (&sb, oses[i].root) == -1)
      goto oom;
  if (end_stringsbuf (&sb) == -1)
    goto oom;
  return take_stringsbuf (&sb);
 oom:
  free_stringsbuf (&sb);
  reply_with_perror ("inspect_get_roots");
  return NULL;
}

struct inspect_os *
inspect_find_root (const char *root)
{
  for (size_t i = 0; i < noses; ++i)
    if (strcmp (oses[i].root, root) == 0)
      return &oses[i];
  reply_with_error ("%s: not an inspected root: call inspect_os and use one of the roots it returns", root);
  return NULL;
}

static char *
dup_or_reply (const char *s)
{
  char *r = strdup (s);
  if (r == NULL)
    reply_with_perror ("strdup");
  return r;
}

static char **
dup_strings (char **s)
{
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; s && s[i]; ++i)
    if (add_string (&sb, s[i]) == -1)
      goto oom;
  if (end_stringsbuf (&sb) == -1)
    goto oom;
  return take_stringsbuf (&sb);
 oom:
  free_stringsbuf (&sb);
  reply_with_perror ("malloc");
  return NULL;
}

#define STRING_GETTER(field)                            \
  char *                                                \
  do_inspect_get_##field (const char *root)             \
  {                                                     \
    struct inspect_os *os = inspect_find_root (root);   \
    return os ? dup_or_reply (os->field) : NULL;        \
  }

STRING_GETTER (type)
STRING_GETTER (distro)
STRING_GETTER (product_name)
STRING_GETTER (product_variant)
STRING_GETTER (arch)
STRING_GETTER (hostname)
STRING_GETTER (package_format)
STRING_GETTER (package_management)
STRING_GETTER (osinfo)
STRING_GETTER (build_id)

char *
do_inspect_get_format (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? dup_or_reply (os->format ? os->format : "installed") : NULL;
}

int
do_inspect_get_major_version (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? os->major : -1;
}

int
do_inspect_get_minor_version (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? os->minor : -1;
}

char **
do_inspect_get_mountpoints (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? dup_strings (os->mountpoints) : NULL;
}

char **
do_inspect_get_filesystems (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? dup_strings (os->filesystems) : NULL;
}

char **
do_inspect_get_drive_mappings (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? dup_strings (os->drive_mappings) : NULL;
}

#define WINDOWS_GETTER(field, what)                                     \
  char *                                                                \
  do_inspect_get_windows_##field (const char *root)                     \
  {                                                                     \
    struct inspect_os *os = inspect_find_root (root);                   \
    if (os == NULL)                                                     \
      return NULL;                                                      \
    if (os->windows_##field == NULL) {                                  \
      reply_with_error ("%s: not a Windows guest, or its %s was not found", \
                        root, what);                                    \
      return NULL;                                                      \
    }                                                                   \
    return dup_or_reply (os->windows_##field);                          \
  }

WINDOWS_GETTER (systemroot, "systemroot")
WINDOWS_GETTER (software_hive, "software hive")
WINDOWS_GETTER (system_hive, "system hive")
WINDOWS_GETTER (current_control_set, "CurrentControlSet")

int
do_inspect_get_windows_group_policy (const char *root)
{
  struct inspect_os *os = inspect_find_root (root);
  return os ? os->windows_group_policy : -1;
}

#define FLAG_GETTER(field)                              \
  int                                                   \
  do_inspect_is_##field (const char *root)              \
  {                                                     \
    struct inspect_os *os = inspect_find_root (root);   \
    return os ? os->field : -1;                         \
  }

FLAG_GETTER (live)
FLAG_GETTER (netinst)
FLAG_GETTER (multipart)
