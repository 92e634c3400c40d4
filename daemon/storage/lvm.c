/* LVM: creating, removing, resizing, renaming and activating physical
 * volumes, volume groups and logical volumes, their UUIDs and names.
 * Reports are in lvm-report.c, the device filter, device-mapper listing
 * and start-up activation in lvm-devices.c.
 *
 * Everything goes through the "lvm" multi-call binary with argv only.  The
 * appliance's /etc/lvm/lvm.conf already works without udev and without a
 * devices file; with udev_rules = 0 LVM makes the /dev/VG/LV links and
 * /dev/mapper nodes itself.  lvm_set_filter points LVM_SYSTEM_DIR at a
 * private copy of that configuration with a device filter added, so every
 * later lvm run (ours or another action's) sees the same devices.
 *
 * Names of volume groups and logical volumes that come from the caller are
 * checked against LVM's own rules before they reach argv, so that nothing
 * can be taken for an option. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

#include "lvm.h"

/* ---- running lvm ---- */

void
lvm_environment (void)
{
  /* lvm complains about every inherited descriptor otherwise. */
  setenv ("LVM_SUPPRESS_FD_WARNINGS", "1", 1);
}

/* Drop lines that say nothing about the failure (backups are off in the
 * appliance on purpose). */
static char *
clean_lvm_stderr (char *err)
{
  if (err == NULL)
    return (char *) "failed";
  char *w = err;
  for (char *line = err; *line; ) {
    char *nl = strchr (line, '\n');
    size_t len = nl ? (size_t) (nl - line + 1) : strlen (line);
    if (strstr (line, "NOT backed up") == NULL || (nl && strstr (line, "NOT backed up") > nl)) {
      memmove (w, line, len);
      w += len;
    }
    line += len;
  }
  *w = '\0';
  trim_newlines (err);
  /* lvm indents its messages with two spaces. */
  char *p = err;
  while (*p == ' ')
    p++;
  return *p ? p : (char *) "failed";
}

int
lvm_run (char **out, const char *what, const char *const *argv)
{
  lvm_environment ();
  CLEANUP_FREE char *err = NULL;
  char *o = NULL;
  int r = command_run (NULL, &o, &err, argv);
  if (r != 0) {
    free (o);
    reply_with_error ("%s: %s", what, clean_lvm_stderr (err));
    return -1;
  }
  if (out)
    *out = o;
  else
    free (o);
  return 0;
}

/* ---- names ---- */

/* LVM's rules for VG and LV names: letters, digits and "+_.-", not
 * starting with '-', not "." or "..", at most 127 characters. */
static bool
is_lvm_name (const char *name)
{
  size_t len = strlen (name);
  if (len == 0 || len > 127 || name[0] == '-' ||
      strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *p = name; *p; ++p)
    if (!isalnum ((unsigned char) *p) && !strchr ("+_.-", *p))
      return false;
  return true;
}

static int
check_lvm_name (const char *name, const char *what)
{
  if (is_lvm_name (name))
    return 0;
  reply_with_error_errno (EINVAL, "%s: invalid %s name (allowed: letters, "
                          "digits and \"+_.-\", not starting with \"-\")",
                          name, what);
  return -1;
}

/* The first line of sysfs file DIR/NAME, without its newline, into buf. */
bool
lvm_read_sysfs_line (const char *dir, const char *name, char *buf, size_t size)
{
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return false;
  bool ok = fgets (buf, (int) size, f) != NULL;
  fclose (f);
  if (ok)
    buf[strcspn (buf, "\n")] = '\0';
  return ok;
}

/* Device-mapper encodes VG "a-b" + LV "c" as "a--b-c": split and undouble. */
static bool
split_dm_name (const char *name, char **vg, char **lv)
{
  size_t n = strlen (name);
  char *a = malloc (n + 1), *b = malloc (n + 1);
  if (!a || !b) {
    free (a);
    free (b);
    return false;
  }
  size_t ai = 0, bi = 0;
  bool second = false;
  for (size_t i = 0; i < n; ++i) {
    char c = name[i];
    if (c == '-' && name[i + 1] == '-') {
      c = '-';
      i++;
    }
    else if (c == '-' && !second) {
      second = true;
      continue;
    }
    if (second)
      b[bi++] = c;
    else
      a[ai++] = c;
  }
  a[ai] = b[bi] = '\0';
  if (!second || ai == 0 || bi == 0) {
    free (a);
    free (b);
    return false;
  }
  *vg = a;
  *lv = b;
  return true;
}

/* Is the device-mapper device "dm-N" (sysfs dir given) a top-level LVM
 * logical volume?  LVM's dm uuids are "LVM-" + VG uuid + LV uuid (32 + 32
 * characters); its internal layers add a suffix such as "-tpool". */
bool
lvm_dm_dir_is_lv (const char *dmdir)
{
  char uuid[256];
  return lvm_read_sysfs_line (dmdir, "uuid", uuid, sizeof uuid) &&
    strncmp (uuid, "LVM-", 4) == 0 && strlen (uuid) == 4 + 64;
}

/* 1 if device is a logical volume (then *vg and *lv are set), else 0. */
static int
lvm_lv_of_device (const char *device, char **vg, char **lv)
{
  struct stat st;
  if (stat (device, &st) == -1 || !S_ISBLK (st.st_mode))
    return 0;
  char dmdir[128];
  snprintf (dmdir, sizeof dmdir, "/sys/dev/block/%u:%u/dm",
            major (st.st_rdev), minor (st.st_rdev));
  if (!lvm_dm_dir_is_lv (dmdir))
    return 0;
  char name[512];
  if (!lvm_read_sysfs_line (dmdir, "name", name, sizeof name))
    return 0;
  if (!split_dm_name (name, vg, lv))
    return 0;
  return 1;
}

/* A volume group named by the caller, as "VG" or "/dev/VG" (LVM's own
 * tools take both, and so does libguestfs, which hands the name to them).
 * Returns the bare name, a pointer into NAME, or replies and returns NULL. */
static const char *
vg_argument (const char *name)
{
  const char *bare = strncmp (name, "/dev/", 5) == 0 ? name + 5 : name;
  if (check_lvm_name (bare, "volume group") == -1)
    return NULL;
  return bare;
}

/* ---- create ---- */

int
do_pvcreate (const char *device)
{
  /* --force --yes: wipe filesystem signatures without asking; a PV that
   * belongs to a VG still needs -ff, which we do not give. */
  return LVM (NULL, device, "pvcreate", "--force", "--yes", device);
}

int
do_vgcreate (const char *volgroup, char *const *physvols)
{
  if ((volgroup = vg_argument (volgroup)) == NULL)
    return -1;
  size_t n = count_strings (physvols);
  if (n == 0) {
    reply_with_error_errno (EINVAL, "vgcreate: no physical volumes given");
    return -1;
  }
  CLEANUP_FREE const char **argv = calloc (n + 5, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "lvm";
  argv[k++] = "vgcreate";
  argv[k++] = "--yes";
  argv[k++] = volgroup;
  for (size_t i = 0; i < n; ++i)
    argv[k++] = physvols[i];
  argv[k] = NULL;
  return lvm_run (NULL, volgroup, argv);
}

int
do_lvcreate (const char *logvol, const char *volgroup, int mbytes)
{
  if (check_lvm_name (logvol, "logical volume") == -1 ||
      (volgroup = vg_argument (volgroup)) == NULL)
    return -1;
  if (mbytes <= 0) {
    reply_with_error_errno (EINVAL, "%s: size must be > 0 megabytes", logvol);
    return -1;
  }
  char size[32];
  snprintf (size, sizeof size, "%dm", mbytes);
  /* --yes: wipe stale signatures found at the start of the new LV. */
  return LVM (NULL, logvol, "lvcreate", "--yes", "-L", size, "-n", logvol, volgroup);
}

static int
check_percent (int percent)
{
  if (percent > 0 && percent <= 100)
    return 0;
  reply_with_error_errno (EINVAL, "percent must be between 1 and 100 (got %d)", percent);
  return -1;
}

int
do_lvcreate_free (const char *logvol, const char *volgroup, int percent)
{
  if (check_lvm_name (logvol, "logical volume") == -1 ||
      (volgroup = vg_argument (volgroup)) == NULL ||
      check_percent (percent) == -1)
    return -1;
  char extents[32];
  snprintf (extents, sizeof extents, "%d%%FREE", percent);
  return LVM (NULL, logvol, "lvcreate", "--yes", "-l", extents, "-n", logvol, volgroup);
}

/* ---- remove ---- */

int
do_pvremove (const char *device)
{
  return LVM (NULL, device, "pvremove", "--yes", device);
}

int
do_vgremove (const char *vgname)
{
  if ((vgname = vg_argument (vgname)) == NULL)
    return -1;
  return LVM (NULL, vgname, "vgremove", "--force", vgname);
}

/* "/dev/VG/LV", "/dev/mapper/VG-LV" or "VG/LV" to "VG/LV", or "/dev/VG" to
 * "VG" (*is_vg set).  Replies on failure. */
static char *
lv_or_vg_argument (const char *device, bool *is_vg)
{
  *is_vg = false;
  CLEANUP_FREE char *vg = NULL, *lv = NULL;
  int r = lvm_lv_of_device (device, &vg, &lv);
  if (r == 1) {
    char *s;
    if (asprintf (&s, "%s/%s", vg, lv) == -1) {
      reply_with_perror ("asprintf");
      return NULL;
    }
    return s;
  }
  struct stat st;
  if (stat (device, &st) == 0 && S_ISBLK (st.st_mode)) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", device);
    return NULL;
  }
  if (strncmp (device, "/dev/", 5) != 0) {
    reply_with_error_errno (EINVAL, "%s: expecting /dev/VG/LV or /dev/VG", device);
    return NULL;
  }
  const char *p = device + 5;
  const char *slash = strchr (p, '/');
  if (slash == NULL) {
    if (!is_lvm_name (p)) {
      reply_with_error_errno (EINVAL, "%s: not a logical volume or volume group", device);
      return NULL;
    }
    *is_vg = true;
    return strdup (p);
  }
  CLEANUP_FREE char *a = strndup (p, slash - p);
  if (a == NULL || !is_lvm_name (a) || !is_lvm_name (slash + 1)) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", device);
    return NULL;
  }
  return strdup (p);
}

int
do_lvremove (const char *device)
{
  bool is_vg;
  CLEANUP_FREE char *target = lv_or_vg_argument (device, &is_vg);
  if (target == NULL)
    return -1;
  if (is_vg) {
    /* lvremove on an empty VG is an error to lvm but not to us. */
    CLEANUP_FREE char *out = NULL;
    if (LVM (&out, device, "vgs", "--noheadings", "-o", "lv_count", target) == -1)
      return -1;
    if (atoi (out) == 0)
      return 0;
  }
  return LVM (NULL, device, "lvremove", "--force", target);
}

/* Run "lvm CMD OPTS... WORDS..." with a variable list of words. */
static int
lvm_with_list (const char *what, const char *const *head, char *const *words)
{
  size_t nh = 0, nw = count_strings (words);
  while (head[nh])
    nh++;
  CLEANUP_FREE const char **argv = calloc (nh + nw + 1, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  memcpy (argv, head, nh * sizeof (char *));
  memcpy (argv + nh, words, nw * sizeof (char *));
  return lvm_run (NULL, what, argv);
}

int
do_lvm_remove_all (void)
{
  /* One report gives both the PVs and the VGs on them. */
  CLEANUP_FREE char *out = NULL;
  if (LVM (&out, "lvm_remove_all", "pvs", "--noheadings", "--separator", SEP,
           "-o", "pv_name,vg_name") == -1)
    return -1;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  struct stringsbuf pvs = { 0 }, vgs = { 0 };
  int ret = -1;
  if (lines == NULL)
    goto oom;
  for (size_t i = 0; lines[i]; ++i) {
    char *pv = lines[i] + strspn (lines[i], " ");
    char *sep = strstr (pv, SEP);
    if (sep == NULL)
      continue;
    *sep = '\0';
    const char *vg = sep + strlen (SEP);
    /* A missing PV shows as "[unknown]": nothing to wipe there. */
    if (pv[0] == '/' && add_string (&pvs, pv) == -1)
      goto oom;
    bool seen = vg[0] == '\0';
    for (size_t j = 0; !seen && j < vgs.size; ++j)
      seen = strcmp (vgs.argv[j], vg) == 0;
    if (!seen && add_string (&vgs, vg) == -1)
      goto oom;
  }
  if (end_stringsbuf (&pvs) == -1 || end_stringsbuf (&vgs) == -1)
    goto oom;
  /* vgremove --force takes the LVs with it, active or not (not mounted). */
  if (vgs.size > 1 &&
      lvm_with_list ("lvm_remove_all: vgremove",
                     (const char *const[]) { "lvm", "vgremove", "--force", "--yes", NULL },
                     vgs.argv) == -1)
    goto out;
  if (pvs.size > 1 &&
      lvm_with_list ("lvm_remove_all: pvremove",
                     (const char *const[]) { "lvm", "pvremove", "--force", "--force", "--yes", NULL },
                     pvs.argv) == -1)
    goto out;
  ret = 0;
  goto out;
 oom:
  reply_with_perror ("malloc");
 out:
  free_stringsbuf (&pvs);
  free_stringsbuf (&vgs);
  return ret;
}

/* ---- resize ---- */

int
do_pvresize (const char *device)
{
  return LVM (NULL, device, "pvresize", device);
}

int
do_pvresize_size (const char *device, int64_t size)
{
  /* lvm wants whole sectors. */
  size -= size % 512;
  if (size <= 0) {
    reply_with_error_errno (EINVAL, "%s: size must be at least 512 bytes", device);
    return -1;
  }
  /* Never beyond the end of the device (lvm would only ask). */
  uint64_t devsize = 0;
  int fd = open (device, O_RDONLY | O_CLOEXEC);
  if (fd == -1 || ioctl (fd, BLKGETSIZE64, &devsize) == -1) {
    reply_with_perror ("%s", device);
    if (fd >= 0)
      close (fd);
    return -1;
  }
  close (fd);
  if ((uint64_t) size > devsize) {
    reply_with_error_errno (EINVAL, "%s: size %" PRIi64 " is larger than the device "
                            "(%" PRIu64 " bytes)", device, size, devsize);
    return -1;
  }
  char s[32];
  snprintf (s, sizeof s, "%" PRIi64 "b", size);
  /* --yes: shrinking below the device size is what was asked for. */
  return LVM (NULL, device, "pvresize", "--yes", "--setphysicalvolumesize", s, device);
}

int
do_lvresize (const char *device, int mbytes)
{
  if (mbytes <= 0) {
    reply_with_error_errno (EINVAL, "%s: size must be > 0 megabytes", device);
    return -1;
  }
  CLEANUP_FREE char *vg = NULL, *lv = NULL;
  if (lvm_lv_of_device (device, &vg, &lv) != 1) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", device);
    return -1;
  }
  char size[32];
  snprintf (size, sizeof size, "%dm", mbytes);
  /* --force: shrinking is asked for, don't prompt. */
  return LVM (NULL, device, "lvresize", "--force", "-L", size, device);
}

int
do_lvresize_free (const char *lv, int percent)
{
  if (check_percent (percent) == -1)
    return -1;
  CLEANUP_FREE char *vgname = NULL, *lvname = NULL;
  if (lvm_lv_of_device (lv, &vgname, &lvname) != 1) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", lv);
    return -1;
  }
  char extents[32];
  snprintf (extents, sizeof extents, "+%d%%FREE", percent);
  return LVM (NULL, lv, "lvextend", "-l", extents, lv);
}

/* ---- rename ---- */

int
do_lvrename (const char *logvol, const char *newlogvol)
{
  bool is_vg;
  CLEANUP_FREE char *target = lv_or_vg_argument (logvol, &is_vg);
  if (target == NULL)
    return -1;
  if (is_vg) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", logvol);
    return -1;
  }
  char *slash = strchr (target, '/');
  *slash = '\0';
  const char *vg = target, *lv = slash + 1;
  /* The new name: NEW, or /dev/VG/NEW (VG/NEW) in the same VG. */
  const char *newname = newlogvol;
  if (strncmp (newname, "/dev/", 5) == 0)
    newname += 5;
  const char *ns = strchr (newname, '/');
  if (ns) {
    if ((size_t) (ns - newname) != strlen (vg) || strncmp (newname, vg, ns - newname) != 0) {
      reply_with_error_errno (EINVAL, "%s: a logical volume cannot move to another "
                              "volume group", newlogvol);
      return -1;
    }
    newname = ns + 1;
  }
  if (check_lvm_name (newname, "logical volume") == -1)
    return -1;
  return LVM (NULL, logvol, "lvrename", vg, lv, newname);
}

int
do_vgrename (const char *volgroup, const char *newvolgroup)
{
  if ((volgroup = vg_argument (volgroup)) == NULL ||
      (newvolgroup = vg_argument (newvolgroup)) == NULL)
    return -1;
  return LVM (NULL, volgroup, "vgrename", volgroup, newvolgroup);
}

/* ---- UUIDs ---- */

int
do_vgchange_uuid (const char *vg)
{
  if ((vg = vg_argument (vg)) == NULL)
    return -1;
  return LVM (NULL, vg, "vgchange", "--uuid", vg);
}

int
do_vgchange_uuid_all (void)
{
  CLEANUP_FREE_STRINGS char **vgs = do_vgs ();
  if (vgs == NULL)
    return -1;
  for (size_t i = 0; vgs[i]; ++i)
    if (do_vgchange_uuid (vgs[i]) == -1)
      return -1;
  return 0;
}

int
do_pvchange_uuid (const char *device)
{
  return LVM (NULL, device, "pvchange", "--uuid", device);
}

int
do_pvchange_uuid_all (void)
{
  CLEANUP_FREE_STRINGS char **pvs = do_pvs ();
  if (pvs == NULL)
    return -1;
  for (size_t i = 0; pvs[i]; ++i)
    if (do_pvchange_uuid (pvs[i]) == -1)
      return -1;
  return 0;
}

/* One value from a report about one object; replies on failure. */
static char *
lvm_one_value (const char *what, const char *cmd, const char *field, const char *object)
{
  CLEANUP_FREE char *out = NULL;
  if (LVM (&out, what, cmd, "--noheadings", "-o", field, object) == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **l = lvm_report_lines (out, "");
  if (l == NULL)
    return NULL;
  if (l[0] == NULL || l[1] != NULL) {
    reply_with_error ("%s: expected one %s from lvm %s, got %zu", what, field, cmd,
                      count_strings (l));
    return NULL;
  }
  return strdup (l[0]);
}

char *
do_pvuuid (const char *device)
{
  return lvm_one_value (device, "pvs", "pv_uuid", device);
}

char *
do_vguuid (const char *vgname)
{
  if ((vgname = vg_argument (vgname)) == NULL)
    return NULL;
  return lvm_one_value (vgname, "vgs", "vg_uuid", vgname);
}

char *
do_lvuuid (const char *device)
{
  CLEANUP_FREE char *vg = NULL, *lv = NULL;
  if (lvm_lv_of_device (device, &vg, &lv) != 1) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", device);
    return NULL;
  }
  return lvm_one_value (device, "lvs", "lv_uuid", device);
}

char **
do_vglvuuids (const char *vgname)
{
  if ((vgname = vg_argument (vgname)) == NULL)
    return NULL;
  /* "vgs" fails for a VG that does not exist; "lvs VG" is empty for an
   * empty one. */
  if (LVM (NULL, vgname, "vgs", "--noheadings", "-o", "vg_name", vgname) == -1)
    return NULL;
  return LVM_LIST (vgname, "", "lvs", "--noheadings", "-o", "lv_uuid", vgname);
}

char **
do_vgpvuuids (const char *vgname)
{
  if ((vgname = vg_argument (vgname)) == NULL)
    return NULL;
  return LVM_LIST (vgname, "", "vgs", "--noheadings", "-o", "pv_uuid", vgname);
}

/* ---- activation and scanning ---- */

int
lvm_vgchange_activate (int activate, char *const *vgs)
{
  size_t n = vgs ? count_strings (vgs) : 0;
  CLEANUP_FREE const char **argv = calloc (n + 5, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "lvm";
  argv[k++] = "vgchange";
  argv[k++] = "--activate";
  argv[k++] = activate ? "y" : "n";
  for (size_t i = 0; i < n; ++i)
    if ((argv[k++] = vg_argument (vgs[i])) == NULL)
      return -1;
  argv[k] = NULL;
  return lvm_run (NULL, "vgchange", argv);
}

int
do_vg_activate (int activate, char *const *volgroups)
{
  return lvm_vgchange_activate (activate, volgroups);
}

int
do_vg_activate_all (int activate)
{
  return lvm_vgchange_activate (activate, NULL);
}

int
do_lvm_scan (int activate)
{
  /* --mknodes: also put back /dev/VG/LV links missing for active LVs. */
  if (LVM (NULL, "lvm_scan", "vgscan", "--mknodes") == -1)
    return -1;
  if (activate)
    return lvm_vgchange_activate (1, NULL);
  return 0;
}

int
do_vgscan (void)
{
  return do_lvm_scan (0);
}

/* ---- names ---- */

char *
do_lvm_canonical_lv_name (const char *lvname)
{
  CLEANUP_FREE char *vg = NULL, *lv = NULL;
  if (lvm_lv_of_device (lvname, &vg, &lv) != 1) {
    reply_with_error_errno (EINVAL, "%s: not a logical volume", lvname);
    return NULL;
  }
  char *r;
  if (asprintf (&r, "/dev/%s/%s", vg, lv) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  return r;
}

int
do_is_lv (const char *mountable)
{
  if (strncmp (mountable, "btrfsvol:", 9) == 0)
    return 0;
  CLEANUP_FREE char *vg = NULL, *lv = NULL;
  return lvm_lv_of_device (mountable, &vg, &lv) == 1;
}

/* ---- vgmeta ---- */

#define VGMETA_MAX (8 * 1024 * 1024)

char *
do_vgmeta (const char *vgname, size_t *size_r)
{
  if ((vgname = vg_argument (vgname)) == NULL)
    return NULL;
  char dir[] = "/tmp/vgmetaXXXXXX";
  if (mkdtemp (dir) == NULL) {
    reply_with_perror ("mkdtemp");
    return NULL;
  }
  char file[sizeof dir + 16];
  snprintf (file, sizeof file, "%s/meta", dir);
  char *buf = NULL;
  if (LVM (NULL, vgname, "vgcfgbackup", "-f", file, vgname) == -1)
    goto out;
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    reply_with_perror ("%s", file);
    if (fd >= 0)
      close (fd);
    goto out;
  }
  if (st.st_size > VGMETA_MAX) {
    reply_with_error ("%s: metadata too large (%lld bytes)", vgname, (long long) st.st_size);
    close (fd);
    goto out;
  }
  buf = malloc (st.st_size ? st.st_size : 1);
  if (buf == NULL) {
    reply_with_perror ("malloc");
    close (fd);
    goto out;
  }
  size_t got = 0;
  while (got < (size_t) st.st_size) {
    ssize_t r = read (fd, buf + got, st.st_size - got);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += r;
  }
  close (fd);
  *size_r = got;
 out:
  unlink (file);
  rmdir (dir);
  return buf;
}
