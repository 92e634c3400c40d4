/* btrfs: mkfs.btrfs, subvolumes and snapshots, devices, balance, scrub,
 * check and rescue, btrfstune, btrfs-image; and the
 * "btrfsvol:DEVICE/SUBVOLUME" mountables.  Balance, scrub and quota
 * groups are in btrfs-maintenance.c.
 *
 * Everything runs btrfs-progs.  Guest paths are resolved inside the guest
 * tree first (sysroot_open / sysroot_open_parent) and the tools get the
 * resolved appliance path.  Actions whose "fs" may also be a device or a
 * mountable mount it on a private directory for the time of the call. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "daemon.h"
#include "actions-gen.h"
#include "btrfs.h"

/* Run a btrfs-progs command; on failure reply with "tool: what: stderr"
 * (stdout if stderr is empty) and return -1.  *outp (if not NULL) gets
 * stdout. */
int
btrfs_run (const char *tool, const char *what, const char *const *argv, char **outp)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) :
      out && *out ? trim_newlines (out) : NULL;
    if (msg)
      reply_with_error ("%s: %s: %s", tool, what, msg);
    else
      reply_with_error ("%s: %s: failed (exit status %d)", tool, what, r);
    return -1;
  }
  if (outp) {
    *outp = out;
    out = NULL;
  }
  return 0;
}

/* ---- guest paths ---- */

/* The path an fd was opened at, as the appliance sees it (malloc'd). */
static char *
fd_real_path (int fd, const char *what)
{
  CLEANUP_FREE char *link = fd_path (fd);
  char buf[PATH_MAX];
  ssize_t n = link ? readlink (link, buf, sizeof buf - 1) : -1;
  if (n <= 0) {
    reply_with_perror ("readlink: %s", what);
    return NULL;
  }
  buf[n] = '\0';
  char *r = strdup (buf);
  if (r == NULL)
    reply_with_perror ("strdup");
  return r;
}

/* An existing guest file or directory, resolved inside the guest tree. */
char *
btrfs_real_path (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  return fd_real_path (fd, path);
}

/* A guest path to be created: its resolved parent directory + "/" + the
 * final name. */
static char *
new_path (const char *path)
{
  CLEANUP_FREE char *base = NULL;
  CLEANUP_CLOSE int dfd = sysroot_open_parent (path, &base);
  if (dfd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  if (strcmp (base, ".") == 0 || strcmp (base, "..") == 0) {
    reply_with_error_errno (EINVAL, "%s: the path must end with a new name", path);
    return NULL;
  }
  CLEANUP_FREE char *dir = fd_real_path (dfd, path);
  if (dir == NULL)
    return NULL;
  size_t dl = strlen (dir);
  char *r;
  if (asprintf (&r, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", base) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

/* ---- mountables ---- */

/* Split a mountable (already validated) into device and subvolume
 * (both malloc'd; *subvol NULL for a plain device).  Returns 0 for a
 * device, 1 for a btrfs subvolume, -1 with errno on failure. */
static int
split_mountable (const char *mountable, char **device, char **subvol)
{
  *device = *subvol = NULL;
  if (strncmp (mountable, "btrfsvol:", 9) != 0) {
    *device = strdup (mountable);
    return *device ? 0 : -1;
  }
  const char *s = mountable + 9;
  /* The device is the longest prefix before a '/' that is a block device
   * (/dev/sda1/sub, /dev/vg/lv/sub). */
  for (const char *p = s + strlen (s); p > s; --p) {
    if (*p != '/')
      continue;
    char *dev = strndup (s, p - s);
    if (dev == NULL)
      return -1;
    struct stat st;
    if (stat (dev, &st) == 0 && S_ISBLK (st.st_mode) && p[1] != '\0') {
      *device = dev;
      *subvol = strdup (p + 1);
      if (*subvol == NULL) {
        free (dev);
        *device = NULL;
        return -1;
      }
      return 1;
    }
    free (dev);
  }
  errno = EINVAL;
  return -1;
}

/* Mount device (subvolume subvol if not NULL) on a new private
 * directory; *dir gets it.  -1 with errno on failure. */
static int
mount_temp (const char *device, const char *subvol, unsigned long flags, char **dir)
{
  if (subvol && strchr (subvol, ',')) {
    errno = EINVAL;     /* would smuggle in more mount options */
    return -1;
  }
  char tmpl[] = "/tmp/btrfs-XXXXXX";
  if (mkdtemp (tmpl) == NULL)
    return -1;
  char *data = NULL;
  if (subvol && asprintf (&data, "subvol=%s", subvol) == -1) {
    rmdir (tmpl);
    return -1;
  }
  /* An internal mount, never the user's: guest device nodes and setuid
   * programs stay inert, as on every guest mount. */
  int r = mount (device, tmpl, "btrfs", flags | MS_NODEV | MS_NOSUID | MS_NOEXEC, data);
  int e = errno;
  free (data);
  if (r == -1) {
    rmdir (tmpl);
    errno = e;
    return -1;
  }
  *dir = strdup (tmpl);
  if (*dir == NULL) {
    umount2 (tmpl, MNT_DETACH);
    rmdir (tmpl);
    return -1;
  }
  return 0;
}

static void
umount_temp (const char *dir)
{
  if (umount2 (dir, 0) == -1)
    umount2 (dir, MNT_DETACH);
  rmdir (dir);
}

/* A btrfs named by a path in the mounted guest tree, or by a device or
 * mountable (then mounted for the time of the call). */
void
btrfs_fs_release (struct fs_ref *f)
{
  if (f->tmpdir) {
    umount_temp (f->tmpdir);
    free (f->tmpdir);
  }
  free (f->path);
  f->path = f->tmpdir = NULL;
}

int
btrfs_fs_acquire (const char *fs, struct fs_ref *f)
{
  f->path = f->tmpdir = NULL;
  if (strncmp (fs, "/dev/", 5) == 0 || strncmp (fs, "btrfsvol:", 9) == 0) {
    if (validate_mountable (fs) == -1)
      return -1;
    CLEANUP_FREE char *dev = NULL, *vol = NULL;
    if (split_mountable (fs, &dev, &vol) == -1) {
      reply_with_perror ("%s", fs);
      return -1;
    }
    if (mount_temp (dev, vol, 0, &f->tmpdir) == -1) {
      reply_with_perror ("mount: %s", fs);
      return -1;
    }
    f->path = strdup (f->tmpdir);
    if (f->path == NULL) {
      reply_with_perror ("strdup");
      btrfs_fs_release (f);
      return -1;
    }
    return 0;
  }
  if (fs[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: must be a device, a mountable or a path starting with /", fs);
    return -1;
  }
  if (need_root (NULL) == -1)
    return -1;
  f->path = btrfs_real_path (fs);
  return f->path ? 0 : -1;
}

char *
do_mountable_device (const char *mountable)
{
  char *dev = NULL, *vol = NULL;
  if (split_mountable (mountable, &dev, &vol) == -1) {
    reply_with_perror ("%s", mountable);
    return NULL;
  }
  free (vol);
  return dev;
}

char *
do_mountable_subvolume (const char *mountable)
{
  CLEANUP_FREE char *dev = NULL;
  char *vol = NULL;
  int t = split_mountable (mountable, &dev, &vol);
  if (t == -1) {
    reply_with_perror ("%s", mountable);
    return NULL;
  }
  if (t != 1) {
    reply_with_error_errno (EINVAL, "%s: not a btrfs subvolume", mountable);
    return NULL;
  }
  return vol;
}

struct guestfs_internal_mountable *
do_internal_parse_mountable (const char *mountable)
{
  char *dev = NULL, *vol = NULL;
  int t = split_mountable (mountable, &dev, &vol);
  if (t == -1) {
    reply_with_perror ("%s", mountable);
    return NULL;
  }
  struct guestfs_internal_mountable *m = calloc (1, sizeof *m);
  if (m == NULL || (vol == NULL && (vol = strdup ("")) == NULL)) {
    reply_with_perror ("calloc");
    free (m);
    free (dev);
    free (vol);
    return NULL;
  }
  m->im_type = t;        /* 0 device, 1 btrfs subvolume (libguestfs's numbering) */
  m->im_device = dev;
  m->im_volume = vol;
  return m;
}

/* ---- mkfs ---- */

int
do_mkfs_btrfs (char *const *devices, int64_t allocstart, int64_t bytecount,
               const char *datatype, int leafsize, const char *label,
               const char *metadata, int nodesize, int sectorsize)
{
  size_t n = count_strings (devices);
  if (n == 0) {
    reply_with_error_errno (EINVAL, "mkfs_btrfs: at least one device is needed");
    return -1;
  }
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_ALLOCSTART_BITMASK) {
    reply_with_error_errno (ENOTSUP, "mkfs_btrfs: allocstart is not supported by this mkfs.btrfs");
    return -1;
  }
  bool have_node = optargs_bitmask & GUESTFS_MKFS_BTRFS_NODESIZE_BITMASK;
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_LEAFSIZE_BITMASK) {
    /* leafsize is the old name of nodesize. */
    if (have_node && nodesize != leafsize) {
      reply_with_error_errno (EINVAL, "mkfs_btrfs: leafsize (%d) and nodesize (%d) differ", leafsize, nodesize);
      return -1;
    }
    nodesize = leafsize;
    have_node = true;
  }
  char bc[32], ns[32], ss[32];
  const char **argv = calloc (n + 20, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "mkfs.btrfs";
  argv[k++] = "-f";
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_BYTECOUNT_BITMASK) {
    if (bytecount <= 0) {
      free (argv);
      reply_with_error_errno (EINVAL, "mkfs_btrfs: bytecount must be positive");
      return -1;
    }
    snprintf (bc, sizeof bc, "%" PRIi64, bytecount);
    argv[k++] = "-b";
    argv[k++] = bc;
  }
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_DATATYPE_BITMASK) {
    argv[k++] = "-d";
    argv[k++] = datatype;
  }
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_LABEL_BITMASK) {
    argv[k++] = "-L";
    argv[k++] = label;
  }
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_METADATA_BITMASK) {
    argv[k++] = "-m";
    argv[k++] = metadata;
  }
  if (have_node) {
    if (nodesize <= 0) {
      free (argv);
      reply_with_error_errno (EINVAL, "mkfs_btrfs: nodesize must be positive");
      return -1;
    }
    snprintf (ns, sizeof ns, "%d", nodesize);
    argv[k++] = "-n";
    argv[k++] = ns;
  }
  if (optargs_bitmask & GUESTFS_MKFS_BTRFS_SECTORSIZE_BITMASK) {
    if (sectorsize <= 0) {
      free (argv);
      reply_with_error_errno (EINVAL, "mkfs_btrfs: sectorsize must be positive");
      return -1;
    }
    snprintf (ss, sizeof ss, "%d", sectorsize);
    argv[k++] = "-s";
    argv[k++] = ss;
  }
  argv[k++] = "--";
  for (size_t i = 0; i < n; ++i)
    argv[k++] = devices[i];
  argv[k] = NULL;
  int r = btrfs_run ("mkfs.btrfs", devices[0], argv, NULL);
  free (argv);
  return r;
}

/* ---- subvolumes ---- */

int
do_btrfs_subvolume_create (const char *dest, const char *qgroupid)
{
  CLEANUP_FREE char *d = new_path (dest);
  if (d == NULL)
    return -1;
  const char *argv[8];
  size_t k = 0;
  argv[k++] = "btrfs";
  argv[k++] = "subvolume";
  argv[k++] = "create";
  if (optargs_bitmask & GUESTFS_BTRFS_SUBVOLUME_CREATE_OPTS_QGROUPID_BITMASK) {
    argv[k++] = "-i";
    argv[k++] = qgroupid;
  }
  argv[k++] = d;
  argv[k] = NULL;
  return btrfs_run ("btrfs subvolume create", dest, argv, NULL);
}

int
do_btrfs_subvolume_snapshot (const char *source, const char *dest, int ro,
                             const char *qgroupid)
{
  CLEANUP_FREE char *s = btrfs_real_path (source);
  if (s == NULL)
    return -1;
  CLEANUP_FREE char *d = new_path (dest);
  if (d == NULL)
    return -1;
  const char *argv[10];
  size_t k = 0;
  argv[k++] = "btrfs";
  argv[k++] = "subvolume";
  argv[k++] = "snapshot";
  if ((optargs_bitmask & GUESTFS_BTRFS_SUBVOLUME_SNAPSHOT_OPTS_RO_BITMASK) && ro)
    argv[k++] = "-r";
  if (optargs_bitmask & GUESTFS_BTRFS_SUBVOLUME_SNAPSHOT_OPTS_QGROUPID_BITMASK) {
    argv[k++] = "-i";
    argv[k++] = qgroupid;
  }
  argv[k++] = s;
  argv[k++] = d;
  argv[k] = NULL;
  return btrfs_run ("btrfs subvolume snapshot", source, argv, NULL);
}

int
do_btrfs_subvolume_delete (const char *subvolume)
{
  CLEANUP_FREE char *p = btrfs_real_path (subvolume);
  if (p == NULL)
    return -1;
  const char *argv[] = { "btrfs", "subvolume", "delete", p, NULL };
  return btrfs_run ("btrfs subvolume delete", subvolume, argv, NULL);
}

/* One line of "btrfs subvolume list":
 * "ID 256 gen 7 top level 5 path a/b" (the path may hold spaces). */
static int
parse_subvolume_line (const char *line, uint64_t *id, uint64_t *top, const char **path)
{
  if (sscanf (line, "ID %" SCNu64 " gen %*u top level %" SCNu64, id, top) != 2)
    return -1;
  const char *p = strstr (line, " path ");
  if (p == NULL)
    return -1;
  *path = p + 6;
  return 0;
}

struct guestfs_btrfssubvolume_list *
do_btrfs_subvolume_list (const char *fs)
{
  struct fs_ref f;
  if (btrfs_fs_acquire (fs, &f) == -1)
    return NULL;
  const char *argv[] = { "btrfs", "subvolume", "list", f.path, NULL };
  CLEANUP_FREE char *out = NULL;
  int r = btrfs_run ("btrfs subvolume list", fs, argv, &out);
  btrfs_fs_release (&f);
  if (r == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  size_t n = count_strings (lines);
  struct guestfs_btrfssubvolume_list *l = calloc (1, sizeof *l);
  if (l == NULL || (l->val = calloc (n ? n : 1, sizeof *l->val)) == NULL) {
    free (l);
    reply_with_perror ("calloc");
    return NULL;
  }
  for (size_t i = 0; i < n; ++i) {
    uint64_t id, top;
    const char *path;
    if (parse_subvolume_line (lines[i], &id, &top, &path) == -1)
      continue;
    struct guestfs_btrfssubvolume *v = &l->val[l->len];
    v->btrfssubvolume_id = id;
    v->btrfssubvolume_top_level_id = top;
    if ((v->btrfssubvolume_path = strdup (path)) == NULL) {
      reply_with_perror ("strdup");
      for (uint32_t j = 0; j < l->len; ++j)
        free (l->val[j].btrfssubvolume_path);
      free (l->val);
      free (l);
      return NULL;
    }
    l->len++;
  }
  return l;
}

int
do_btrfs_subvolume_set_default (int64_t id, const char *fs)
{
  if (id < 0) {
    reply_with_error_errno (EINVAL, "%" PRIi64 ": subvolume ID must not be negative", id);
    return -1;
  }
  CLEANUP_FREE char *p = btrfs_real_path (fs);
  if (p == NULL)
    return -1;
  char ids[32];
  snprintf (ids, sizeof ids, "%" PRIi64, id);
  const char *argv[] = { "btrfs", "subvolume", "set-default", ids, p, NULL };
  return btrfs_run ("btrfs subvolume set-default", fs, argv, NULL);
}

/* The ID in "btrfs subvolume get-default" output: "ID 5 (FS_TREE)" or
 * "ID 256 gen 7 top level 5 path sub".  -1 if there is none. */
static int64_t
default_subvolume_id (const char *out)
{
  int64_t id;
  if (out == NULL || sscanf (out, "ID %" SCNi64, &id) != 1 || id < 0)
    return -1;
  return id;
}

int64_t
do_btrfs_subvolume_get_default (const char *fs)
{
  struct fs_ref f;
  if (btrfs_fs_acquire (fs, &f) == -1)
    return -1;
  const char *argv[] = { "btrfs", "subvolume", "get-default", f.path, NULL };
  CLEANUP_FREE char *out = NULL;
  int r = btrfs_run ("btrfs subvolume get-default", fs, argv, &out);
  btrfs_fs_release (&f);
  if (r == -1)
    return -1;
  int64_t id = default_subvolume_id (out);
  if (id == -1) {
    reply_with_error ("btrfs subvolume get-default: %s: cannot parse \"%s\"", fs, trim_newlines (out));
    return -1;
  }
  return id;
}

char *
btrfs_skip_spaces (char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* "btrfs subvolume show": the first line is the path, then "Key: value"
 * lines ("-" meaning none), then "Snapshot(s):" followed by one snapshot
 * per line.  Lines after the snapshot list (quota group) are left out. */
char **
do_btrfs_subvolume_show (const char *subvolume)
{
  CLEANUP_FREE char *p = btrfs_real_path (subvolume);
  if (p == NULL)
    return NULL;
  const char *argv[] = { "btrfs", "subvolume", "show", p, NULL };
  CLEANUP_FREE char *out = NULL;
  if (btrfs_run ("btrfs subvolume show", subvolume, argv, &out) == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL || lines[0] == NULL) {
    reply_with_error ("btrfs subvolume show: %s: no output", subvolume);
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  CLEANUP_FREE char *snaps = NULL;
  bool in_snaps = false, seen_snaps = false;
  if (add_string (&sb, "path") == -1 || add_string (&sb, btrfs_skip_spaces (lines[0])) == -1)
    goto oom;
  for (size_t i = 1; lines[i]; ++i) {
    char *l = btrfs_skip_spaces (lines[i]);
    char *colon = strchr (l, ':');
    if (in_snaps) {
      if (colon)
        break;
      if (*l == '\0')
        continue;
      char *ns;
      if (asprintf (&ns, "%s%s%s", snaps ? snaps : "", snaps ? "," : "", l) == -1)
        goto oom;
      free (snaps);
      snaps = ns;
      continue;
    }
    if (colon == NULL)
      continue;
    *colon = '\0';
    char *v = btrfs_skip_spaces (colon + 1);
    size_t vl = strlen (v);
    while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
      v[--vl] = '\0';
    if (strcmp (l, "Snapshot(s)") == 0) {
      in_snaps = seen_snaps = true;
      if (*v) {
        snaps = strdup (v);
        if (snaps == NULL)
          goto oom;
      }
      continue;
    }
    if (strcmp (v, "-") == 0)
      v = (char *) "";
    if (add_string (&sb, l) == -1 || add_string (&sb, v) == -1)
      goto oom;
  }
  if (seen_snaps &&
      (add_string (&sb, "Snapshot(s)") == -1 || add_string (&sb, snaps ? snaps : "") == -1))
    goto oom;
  if (end_stringsbuf (&sb) == -1)
    goto oom;
  return take_stringsbuf (&sb);
 oom:
  reply_with_perror ("btrfs subvolume show");
  free_stringsbuf (&sb);
  return NULL;
}

/* ---- whole filesystem ---- */

int
do_btrfs_filesystem_resize (const char *mountpoint, int64_t size)
{
  char sz[32] = "max";
  if (optargs_bitmask & GUESTFS_BTRFS_FILESYSTEM_RESIZE_SIZE_BITMASK) {
    /* The kernel's own limit (it would only say "Invalid argument"). */
    if (size < 256 * 1024 * 1024) {
      reply_with_error_errno (EINVAL, "%s: btrfs cannot be resized below 256 MiB (%" PRIi64 " bytes asked)",
                              mountpoint, size);
      return -1;
    }
    snprintf (sz, sizeof sz, "%" PRIi64, size);
  }
  CLEANUP_FREE char *p = btrfs_real_path (mountpoint);
  if (p == NULL)
    return -1;
  const char *argv[] = { "btrfs", "filesystem", "resize", sz, p, NULL };
  return btrfs_run ("btrfs filesystem resize", mountpoint, argv, NULL);
}

/* "btrfs SUB CMD [FLAG] PATH" on a guest path (flag may be NULL). */
int
btrfs_path_cmd (const char *sub, const char *cmd, const char *flag, const char *path)
{
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return -1;
  char tool[64];
  snprintf (tool, sizeof tool, "btrfs %s %s", sub, cmd);
  const char *argv[] = { "btrfs", sub, cmd, flag ? flag : p, flag ? p : NULL, NULL };
  return btrfs_run (tool, path, argv, NULL);
}

int
do_btrfs_filesystem_sync (const char *fs)
{
  return btrfs_path_cmd ("filesystem", "sync", NULL, fs);
}

int
do_btrfs_filesystem_balance (const char *fs)
{
  /* --full-balance: no filters, and no 10 second warning pause. */
  return btrfs_path_cmd ("balance", "start", "--full-balance", fs);
}

int
do_btrfs_filesystem_defragment (const char *path, int flush, const char *compress)
{
  char calg[32];
  if (optargs_bitmask & GUESTFS_BTRFS_FILESYSTEM_DEFRAGMENT_COMPRESS_BITMASK) {
    if (strcmp (compress, "zlib") != 0 && strcmp (compress, "lzo") != 0 &&
        strcmp (compress, "zstd") != 0) {
      reply_with_error_errno (EINVAL, "unknown compress method: %s (use zlib, lzo or zstd)", compress);
      return -1;
    }
    snprintf (calg, sizeof calg, "-c%s", compress);
  }
  struct stat st;
  if (sysroot_stat (path, &st, true) == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return -1;
  const char *argv[10];
  size_t k = 0;
  argv[k++] = "btrfs";
  argv[k++] = "filesystem";
  argv[k++] = "defragment";
  if (S_ISDIR (st.st_mode))
    argv[k++] = "-r";
  if ((optargs_bitmask & GUESTFS_BTRFS_FILESYSTEM_DEFRAGMENT_FLUSH_BITMASK) && flush)
    argv[k++] = "-f";
  if (optargs_bitmask & GUESTFS_BTRFS_FILESYSTEM_DEFRAGMENT_COMPRESS_BITMASK)
    argv[k++] = calg;
  argv[k++] = p;
  argv[k] = NULL;
  return btrfs_run ("btrfs filesystem defragment", path, argv, NULL);
}

char **
do_btrfs_filesystem_show (const char *device)
{
  const char *argv[] = { "btrfs", "filesystem", "show", device, NULL };
  CLEANUP_FREE char *out = NULL;
  if (btrfs_run ("btrfs filesystem show", device, argv, &out) == -1)
    return NULL;
  if (strstr (out, "devices missing") || strstr (out, "<missing disks>")) {
    reply_with_error_errno (ENODEV, "%s: some devices of this btrfs filesystem are missing", device);
    return NULL;
  }
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  /* "\tdevid    1 size 128.00MiB used 88.00MiB path /dev/sda1" */
  struct stringsbuf sb = { 0 };
  for (size_t i = 0; lines[i]; ++i) {
    char *l = btrfs_skip_spaces (lines[i]);
    if (strncmp (l, "devid ", 6) != 0)
      continue;
    const char *p = strstr (l, " path ");
    if (p && add_string (&sb, p + 6) == -1)
      goto oom;
  }
  if (sb.size == 0) {
    free_stringsbuf (&sb);
    reply_with_error ("btrfs filesystem show: %s: no btrfs device found", device);
    return NULL;
  }
  if (end_stringsbuf (&sb) == -1)
    goto oom;
  return take_stringsbuf (&sb);
 oom:
  free_stringsbuf (&sb);
  reply_with_perror ("malloc");
  return NULL;
}

/* ---- devices ---- */

static int
device_cmd (const char *cmd, char *const *devices, const char *fs)
{
  size_t n = count_strings (devices);
  if (n == 0)
    return 0;
  CLEANUP_FREE char *p = btrfs_real_path (fs);
  if (p == NULL)
    return -1;
  const char **argv = calloc (n + 8, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "btrfs";
  argv[k++] = "device";
  argv[k++] = cmd;
  if (strcmp (cmd, "add") == 0)
    argv[k++] = "-f";
  argv[k++] = "--";
  for (size_t i = 0; i < n; ++i)
    argv[k++] = devices[i];
  argv[k++] = p;
  argv[k] = NULL;
  char tool[32];
  snprintf (tool, sizeof tool, "btrfs device %s", cmd);
  int r = btrfs_run (tool, fs, argv, NULL);
  free (argv);
  return r;
}

int
do_btrfs_device_add (char *const *devices, const char *fs)
{
  return device_cmd ("add", devices, fs);
}

int
do_btrfs_device_delete (char *const *devices, const char *fs)
{
  return device_cmd ("delete", devices, fs);
}

int
do_btrfs_replace (const char *srcdev, const char *targetdev, const char *mntpoint)
{
  CLEANUP_FREE char *p = btrfs_real_path (mntpoint);
  if (p == NULL)
    return -1;
  const char *argv[] = { "btrfs", "replace", "start", "-B", "-f", srcdev, targetdev, p, NULL };
  return btrfs_run ("btrfs replace start", srcdev, argv, NULL);
}

/* ---- btrfstune ---- */

static int
seeding (const char *device, int on)
{
  const char *set[] = { "btrfstune", "-S", "1", device, NULL };
  /* Clearing the flag needs -f, or btrfstune asks for confirmation. */
  const char *clear[] = { "btrfstune", "-f", "-S", "0", device, NULL };
  return btrfs_run ("btrfstune", device, on ? set : clear, NULL);
}

int
do_btrfs_set_seeding (const char *device, int seeding_)
{
  return seeding (device, seeding_);
}

int
do_btrfstune_seeding (const char *device, int seeding_)
{
  return seeding (device, seeding_);
}

int
do_btrfstune_enable_extended_inode_refs (const char *device)
{
  const char *argv[] = { "btrfstune", "-r", device, NULL };
  return btrfs_run ("btrfstune", device, argv, NULL);
}

int
do_btrfstune_enable_skinny_metadata_extent_refs (const char *device)
{
  const char *argv[] = { "btrfstune", "-x", device, NULL };
  return btrfs_run ("btrfstune", device, argv, NULL);
}

/* ---- check and rescue ---- */

int
do_btrfs_fsck (const char *device, int64_t superblock, int repair)
{
  char sb[32];
  const char *argv[10];
  size_t k = 0;
  argv[k++] = "btrfs";
  argv[k++] = "check";
  if (optargs_bitmask & GUESTFS_BTRFS_FSCK_SUPERBLOCK_BITMASK) {
    if (superblock < 0) {
      reply_with_error_errno (EINVAL, "%s: superblock must not be negative", device);
      return -1;
    }
    snprintf (sb, sizeof sb, "%" PRIi64, superblock);
    argv[k++] = "--super";
    argv[k++] = sb;
  }
  if ((optargs_bitmask & GUESTFS_BTRFS_FSCK_REPAIR_BITMASK) && repair)
    argv[k++] = "--repair";
  argv[k++] = device;
  argv[k] = NULL;
  return btrfs_run ("btrfs check", device, argv, NULL);
}

int
do_btrfs_rescue_chunk_recover (const char *device)
{
  const char *argv[] = { "btrfs", "rescue", "chunk-recover", "-y", device, NULL };
  return btrfs_run ("btrfs rescue chunk-recover", device, argv, NULL);
}

int
do_btrfs_rescue_super_recover (const char *device)
{
  const char *argv[] = { "btrfs", "rescue", "super-recover", "-y", device, NULL };
  return btrfs_run ("btrfs rescue super-recover", device, argv, NULL);
}

int
do_btrfs_image (char *const *source, const char *image, int compresslevel)
{
  size_t n = count_strings (source);
  if (n != 1) {
    reply_with_error_errno (EINVAL, "btrfs_image: give exactly one device of the filesystem "
                            "(btrfs-image finds the others itself), not %zu", n);
    return -1;
  }
  char cl[16];
  if (optargs_bitmask & GUESTFS_BTRFS_IMAGE_COMPRESSLEVEL_BITMASK) {
    if (compresslevel < 0 || compresslevel > 9) {
      reply_with_error_errno (EINVAL, "btrfs_image: compresslevel must be 0 to 9, not %d", compresslevel);
      return -1;
    }
    snprintf (cl, sizeof cl, "%d", compresslevel);
  }
  CLEANUP_FREE char *img = new_path (image);
  if (img == NULL)
    return -1;
  const char *argv[8];
  size_t k = 0;
  argv[k++] = "btrfs-image";
  if (optargs_bitmask & GUESTFS_BTRFS_IMAGE_COMPRESSLEVEL_BITMASK) {
    argv[k++] = "-c";
    argv[k++] = cl;
  }
  argv[k++] = source[0];
  argv[k++] = img;
  argv[k] = NULL;
  return btrfs_run ("btrfs-image", source[0], argv, NULL);
}

/* ---- list_filesystems ---- */

int
btrfs_add_subvolume_mountables (const char *device, struct stringsbuf *ret)
{
  CLEANUP_FREE char *dir = NULL;
  /* The top level: the paths listed are then the subvolumes' full paths
   * whatever the default subvolume. */
  if (mount_temp (device, "/", MS_RDONLY, &dir) == -1)
    return 0;
  const char *argv[] = { "btrfs", "subvolume", "list", dir, NULL };
  CLEANUP_FREE char *out = NULL, *dflt = NULL;
  int r = command_run (NULL, &out, NULL, argv);
  /* The default subvolume is what mounting the device itself gives: it
   * is listed as the device, not again as a subvolume (as libguestfs
   * does; its inspection then names a root there by the device). */
  const char *dargv[] = { "btrfs", "subvolume", "get-default", dir, NULL };
  int64_t default_id = -1;
  if (r == 0 && command_run (NULL, &dflt, NULL, dargv) == 0)
    default_id = default_subvolume_id (dflt);
  umount_temp (dir);
  if (r != 0 || out == NULL)
    return 0;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL)
    return -1;
  for (size_t i = 0; lines[i]; ++i) {
    uint64_t id, top;
    const char *path;
    if (parse_subvolume_line (lines[i], &id, &top, &path) == -1 || (int64_t) id == default_id)
      continue;
    char *m;
    if (asprintf (&m, "btrfsvol:%s/%s", device, path) == -1)
      return -1;
    if (add_string_nodup (ret, m) == -1 || add_string (ret, "btrfs") == -1)
      return -1;
  }
  return 0;
}
