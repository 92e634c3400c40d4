/* LVM: physical volumes, volume groups, logical volumes, the device
 * filter, and device-mapper listings.
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

#define FILTER_DIR "/run/hatch-lvm-filter"

/* Field separator in reports: a control character that no name, tag or
 * attribute can contain. */
#define SEP "\x1f"

/* ---- running lvm ---- */

static void
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

static int
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

#define LVM(out, what, ...) \
  lvm_run ((out), (what), (const char *const[]) { "lvm", __VA_ARGS__, NULL })

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
static bool
read_sysfs_line (const char *dir, const char *name, char *buf, size_t size)
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
static bool
dm_dir_is_lv (const char *dmdir)
{
  char uuid[256];
  return read_sysfs_line (dmdir, "uuid", uuid, sizeof uuid) &&
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
  if (!dm_dir_is_lv (dmdir))
    return 0;
  char name[512];
  if (!read_sysfs_line (dmdir, "name", name, sizeof name))
    return 0;
  if (!split_dm_name (name, vg, lv))
    return 0;
  return 1;
}

/* ---- listing helpers ---- */

/* Lines of lvm's report output, stripped of surrounding blanks, empty
 * lines dropped, each with PREFIX in front. */
static char **
report_lines (char *out, const char *prefix)
{
  struct stringsbuf sb = { 0 };
  CLEANUP_FREE_STRINGS char **lines = split_lines (out ? out : "");
  if (lines == NULL)
    goto oom;
  for (size_t i = 0; lines[i]; ++i) {
    char *s = lines[i];
    while (isspace ((unsigned char) *s))
      s++;
    size_t len = strlen (s);
    while (len > 0 && isspace ((unsigned char) s[len - 1]))
      s[--len] = '\0';
    if (len == 0)
      continue;
    char *v;
    if (asprintf (&v, "%s%s", prefix, s) == -1 || add_string_nodup (&sb, v) == -1)
      goto oom;
  }
  if (end_stringsbuf (&sb) == -1)
    goto oom;
  return take_stringsbuf (&sb);
 oom:
  free_stringsbuf (&sb);
  reply_with_perror ("malloc");
  return NULL;
}

static char **
lvm_list (const char *what, const char *prefix, const char *const *argv)
{
  CLEANUP_FREE char *out = NULL;
  if (lvm_run (&out, what, argv) == -1)
    return NULL;
  return report_lines (out, prefix);
}

#define LVM_LIST(what, prefix, ...) \
  lvm_list ((what), (prefix), (const char *const[]) { "lvm", __VA_ARGS__, NULL })

char **
do_pvs (void)
{
  return LVM_LIST ("pvs", "", "pvs", "--noheadings", "-o", "pv_name");
}

char **
do_vgs (void)
{
  return LVM_LIST ("vgs", "", "vgs", "--noheadings", "-o", "vg_name");
}

char **
do_lvs (void)
{
  /* Only the volumes a user sees, not thin pool data, RAID images ... */
  return LVM_LIST ("lvs", "/dev/", "lvs", "--noheadings", "-o", "vg_name,lv_name",
                   "-S", "lv_role=public", "--separator", "/");
}

/* ---- the *_full reports ---- */

enum fkind { F_STRING, F_UUID, F_U64, F_I64, F_PERCENT };

struct field {
  const char *lvm_name;      /* lvm report field */
  enum fkind kind;
  size_t offset;             /* into the guestfs struct */
};

#define FLD(st, lvmname, kind, member) { lvmname, kind, offsetof (struct st, member) }

static const struct field pv_fields[] = {
  FLD (guestfs_lvm_pv, "pv_name", F_STRING, pv_name),
  FLD (guestfs_lvm_pv, "pv_uuid", F_UUID, pv_uuid),
  FLD (guestfs_lvm_pv, "pv_fmt", F_STRING, pv_fmt),
  FLD (guestfs_lvm_pv, "pv_size", F_U64, pv_size),
  FLD (guestfs_lvm_pv, "dev_size", F_U64, dev_size),
  FLD (guestfs_lvm_pv, "pv_free", F_U64, pv_free),
  FLD (guestfs_lvm_pv, "pv_used", F_U64, pv_used),
  FLD (guestfs_lvm_pv, "pv_attr", F_STRING, pv_attr),
  FLD (guestfs_lvm_pv, "pv_pe_count", F_I64, pv_pe_count),
  FLD (guestfs_lvm_pv, "pv_pe_alloc_count", F_I64, pv_pe_alloc_count),
  FLD (guestfs_lvm_pv, "pv_tags", F_STRING, pv_tags),
  FLD (guestfs_lvm_pv, "pe_start", F_U64, pe_start),
  FLD (guestfs_lvm_pv, "pv_mda_count", F_I64, pv_mda_count),
  FLD (guestfs_lvm_pv, "pv_mda_free", F_U64, pv_mda_free),
};

static const struct field vg_fields[] = {
  FLD (guestfs_lvm_vg, "vg_name", F_STRING, vg_name),
  FLD (guestfs_lvm_vg, "vg_uuid", F_UUID, vg_uuid),
  FLD (guestfs_lvm_vg, "vg_fmt", F_STRING, vg_fmt),
  FLD (guestfs_lvm_vg, "vg_attr", F_STRING, vg_attr),
  FLD (guestfs_lvm_vg, "vg_size", F_U64, vg_size),
  FLD (guestfs_lvm_vg, "vg_free", F_U64, vg_free),
  FLD (guestfs_lvm_vg, "vg_sysid", F_STRING, vg_sysid),
  FLD (guestfs_lvm_vg, "vg_extent_size", F_U64, vg_extent_size),
  FLD (guestfs_lvm_vg, "vg_extent_count", F_I64, vg_extent_count),
  FLD (guestfs_lvm_vg, "vg_free_count", F_I64, vg_free_count),
  FLD (guestfs_lvm_vg, "max_lv", F_I64, max_lv),
  FLD (guestfs_lvm_vg, "max_pv", F_I64, max_pv),
  FLD (guestfs_lvm_vg, "pv_count", F_I64, pv_count),
  FLD (guestfs_lvm_vg, "lv_count", F_I64, lv_count),
  FLD (guestfs_lvm_vg, "snap_count", F_I64, snap_count),
  FLD (guestfs_lvm_vg, "vg_seqno", F_I64, vg_seqno),
  FLD (guestfs_lvm_vg, "vg_tags", F_STRING, vg_tags),
  FLD (guestfs_lvm_vg, "vg_mda_count", F_I64, vg_mda_count),
  FLD (guestfs_lvm_vg, "vg_mda_free", F_U64, vg_mda_free),
};

static const struct field lv_fields[] = {
  FLD (guestfs_lvm_lv, "lv_name", F_STRING, lv_name),
  FLD (guestfs_lvm_lv, "lv_uuid", F_UUID, lv_uuid),
  FLD (guestfs_lvm_lv, "lv_attr", F_STRING, lv_attr),
  FLD (guestfs_lvm_lv, "lv_major", F_I64, lv_major),
  FLD (guestfs_lvm_lv, "lv_minor", F_I64, lv_minor),
  FLD (guestfs_lvm_lv, "lv_kernel_major", F_I64, lv_kernel_major),
  FLD (guestfs_lvm_lv, "lv_kernel_minor", F_I64, lv_kernel_minor),
  FLD (guestfs_lvm_lv, "lv_size", F_U64, lv_size),
  FLD (guestfs_lvm_lv, "seg_count", F_I64, seg_count),
  FLD (guestfs_lvm_lv, "origin", F_STRING, origin),
  FLD (guestfs_lvm_lv, "snap_percent", F_PERCENT, snap_percent),
  FLD (guestfs_lvm_lv, "copy_percent", F_PERCENT, copy_percent),
  FLD (guestfs_lvm_lv, "move_pv", F_STRING, move_pv),
  FLD (guestfs_lvm_lv, "lv_tags", F_STRING, lv_tags),
  FLD (guestfs_lvm_lv, "mirror_log", F_STRING, mirror_log),
  FLD (guestfs_lvm_lv, "lv_modules", F_STRING, modules),
};


static int
parse_field (const struct field *f, const char *val, char *base)
{
  char *end;
  void *p = base + f->offset;
  errno = 0;
  switch (f->kind) {
  case F_STRING:
    return (*(char **) p = strdup (val)) ? 0 : -1;
  case F_UUID: {
    char *u = p;
    size_t n = 0;
    for (const char *s = val; *s; ++s) {
      if (*s == '-')
        continue;
      if (n == 32)
        return -1;
      u[n++] = *s;
    }
    if (n != 32)
      return -1;
    return 0;
  }
  case F_U64:
    if (val[0] == '\0' || val[0] == '-')
      return -1;
    *(uint64_t *) p = strtoull (val, &end, 10);
    return *end || errno ? -1 : 0;
  case F_I64:
    if (val[0] == '\0')
      return -1;
    *(int64_t *) p = strtoll (val, &end, 10);
    return *end || errno ? -1 : 0;
  case F_PERCENT:
    if (val[0] == '\0') {
      *(float *) p = -1;
      return 0;
    }
    *(float *) p = strtof (val, &end);
    return *end || errno ? -1 : 0;
  }
  return -1;
}

/* Run "lvm CMD" with the given fields; fill a list of structs of size
 * elem_size.  Returns the array and count in *val and *len. */
static int
full_report (const char *cmd, const struct field *fields, size_t nfields,
             size_t elem_size, void **val, uint32_t *len,
             void (*free_fields) (void *))
{
  char columns[1024] = "";
  size_t cl = 0;
  for (size_t i = 0; i < nfields; ++i)
    cl += snprintf (columns + cl, sizeof columns - cl, "%s%s", i ? "," : "", fields[i].lvm_name);

  const char *argv[16];
  size_t k = 0;
  argv[k++] = "lvm";
  argv[k++] = cmd;
  argv[k++] = "--noheadings";
  argv[k++] = "--units";
  argv[k++] = "b";
  argv[k++] = "--nosuffix";
  argv[k++] = "--separator";
  argv[k++] = SEP;
  argv[k++] = "-o";
  argv[k++] = columns;
  if (strcmp (cmd, "lvs") == 0) {
    argv[k++] = "-S";
    argv[k++] = "lv_role=public";
  }
  argv[k] = NULL;

  CLEANUP_FREE char *out = NULL;
  if (lvm_run (&out, cmd, argv) == -1)
    return -1;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  size_t n = 0;
  for (size_t i = 0; lines[i]; ++i)
    if (lines[i][strspn (lines[i], " ")])
      n++;
  char *arr = calloc (n ? n : 1, elem_size);
  if (arr == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t row = 0;
  for (size_t i = 0; lines[i]; ++i) {
    char *line = lines[i] + strspn (lines[i], " ");
    if (*line == '\0')
      continue;
    char *base = arr + row * elem_size;
    row++;
    char *s = line;
    for (size_t j = 0; j < nfields; ++j) {
      char *sep = strstr (s, SEP);
      if ((sep == NULL) != (j == nfields - 1))
        goto bad;
      if (sep)
        *sep = '\0';
      if (parse_field (&fields[j], s, base) == -1)
        goto bad;
      s = sep ? sep + strlen (SEP) : NULL;
    }
    continue;
  bad:
    for (size_t r = 0; r < row; ++r)
      free_fields (arr + r * elem_size);
    free (arr);
    reply_with_error ("%s: cannot parse lvm output: %s", cmd, lines[i]);
    return -1;
  }
  *val = arr;
  *len = (uint32_t) n;
  return 0;
}

static void
free_pv_fields (void *p)
{
  struct guestfs_lvm_pv *v = p;
  free (v->pv_name); free (v->pv_fmt); free (v->pv_attr); free (v->pv_tags);
}

static void
free_vg_fields (void *p)
{
  struct guestfs_lvm_vg *v = p;
  free (v->vg_name); free (v->vg_fmt); free (v->vg_attr); free (v->vg_sysid);
  free (v->vg_tags);
}

static void
free_lv_fields (void *p)
{
  struct guestfs_lvm_lv *v = p;
  free (v->lv_name); free (v->lv_attr); free (v->origin); free (v->move_pv);
  free (v->lv_tags); free (v->mirror_log); free (v->modules);
}

#define FULL(type, cmd, fields, freefn)                                 \
  struct guestfs_##type##_list *r = malloc (sizeof *r);                 \
  if (r == NULL) {                                                      \
    reply_with_perror ("malloc");                                       \
    return NULL;                                                        \
  }                                                                     \
  void *val;                                                            \
  if (full_report (cmd, fields, sizeof fields / sizeof fields[0],       \
                   sizeof (struct guestfs_##type), &val, &r->len,       \
                   freefn) == -1) {                                     \
    free (r);                                                           \
    return NULL;                                                        \
  }                                                                     \
  r->val = val;                                                         \
  return r

struct guestfs_lvm_pv_list *
do_pvs_full (void)
{
  FULL (lvm_pv, "pvs", pv_fields, free_pv_fields);
}

struct guestfs_lvm_vg_list *
do_vgs_full (void)
{
  FULL (lvm_vg, "vgs", vg_fields, free_vg_fields);
}

struct guestfs_lvm_lv_list *
do_lvs_full (void)
{
  FULL (lvm_lv, "lvs", lv_fields, free_lv_fields);
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
  if (check_lvm_name (volgroup, "volume group") == -1)
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
      check_lvm_name (volgroup, "volume group") == -1)
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
      check_lvm_name (volgroup, "volume group") == -1 ||
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
  if (check_lvm_name (vgname, "volume group") == -1)
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
  if (check_lvm_name (volgroup, "volume group") == -1 ||
      check_lvm_name (newvolgroup, "volume group") == -1)
    return -1;
  return LVM (NULL, volgroup, "vgrename", volgroup, newvolgroup);
}

/* ---- UUIDs ---- */

int
do_vgchange_uuid (const char *vg)
{
  if (check_lvm_name (vg, "volume group") == -1)
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
  CLEANUP_FREE_STRINGS char **l = report_lines (out, "");
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
  if (check_lvm_name (vgname, "volume group") == -1)
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
  if (check_lvm_name (vgname, "volume group") == -1)
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
  if (check_lvm_name (vgname, "volume group") == -1)
    return NULL;
  return LVM_LIST (vgname, "", "vgs", "--noheadings", "-o", "pv_uuid", vgname);
}

/* ---- activation and scanning ---- */

static int
vgchange_activate (int activate, char *const *vgs)
{
  size_t n = vgs ? count_strings (vgs) : 0;
  for (size_t i = 0; i < n; ++i)
    if (check_lvm_name (vgs[i], "volume group") == -1)
      return -1;
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
    argv[k++] = vgs[i];
  argv[k] = NULL;
  return lvm_run (NULL, "vgchange", argv);
}

int
do_vg_activate (int activate, char *const *volgroups)
{
  return vgchange_activate (activate, volgroups);
}

int
do_vg_activate_all (int activate)
{
  return vgchange_activate (activate, NULL);
}

int
do_lvm_scan (int activate)
{
  /* --mknodes: also put back /dev/VG/LV links missing for active LVs. */
  if (LVM (NULL, "lvm_scan", "vgscan", "--mknodes") == -1)
    return -1;
  if (activate)
    return vgchange_activate (1, NULL);
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
  if (check_lvm_name (vgname, "volume group") == -1)
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

/* ---- device filter ---- */

/* Regex for LVM's filter accepting device (and, for a whole disk, its
 * partitions).  Characters outside a safe set are refused rather than
 * escaped: device names never need them. */
static char *
filter_regex (const char *device)
{
  size_t len = strlen (device);
  char *r = malloc (len * 3 + 32);
  if (r == NULL)
    return NULL;
  char *w = r;
  w += sprintf (w, "\"a|^");
  for (const char *p = device; *p; ++p) {
    if (*p == '.' || *p == '+') {
      *w++ = '[';
      *w++ = *p;
      *w++ = ']';
    }
    else
      *w++ = *p;
  }
  /* A whole disk: /sys/block/NAME exists. */
  char sys[PATH_MAX];
  const char *base = strrchr (device, '/');
  snprintf (sys, sizeof sys, "/sys/block/%s", base ? base + 1 : device);
  bool whole = strncmp (device, "/dev/sd", 7) == 0 && access (sys, F_OK) == 0;
  w += sprintf (w, "%s$|\"", whole ? "[0-9]*" : "");
  return r;
}

static int
apply_filter (char *const *devices)
{
  /* Deactivate with the old view, so VGs about to be hidden go too. */
  if (vgchange_activate (0, NULL) == -1)
    return -1;
  if (devices == NULL) {
    unsetenv ("LVM_SYSTEM_DIR");
  }
  else {
    struct stringsbuf conf = { 0 };
    size_t total = 64;
    for (size_t i = 0; devices[i]; ++i) {
      for (const char *p = devices[i]; *p; ++p)
        if (!isalnum ((unsigned char) *p) && !strchr ("/_-.+:", *p)) {
          reply_with_error_errno (EINVAL, "%s: device name not usable in a filter",
                                  devices[i]);
          free_stringsbuf (&conf);
          return -1;
        }
      char *re = filter_regex (devices[i]);
      if (re == NULL || add_string_nodup (&conf, re) == -1) {
        reply_with_perror ("malloc");
        free_stringsbuf (&conf);
        return -1;
      }
      total += strlen (re) + 2;
    }
    char *text = malloc (total + 64);
    if (text == NULL) {
      reply_with_perror ("malloc");
      free_stringsbuf (&conf);
      return -1;
    }
    char *w = text;
    w += sprintf (w, "devices {\n  filter = [ ");
    for (size_t i = 0; i < conf.size; ++i)
      w += sprintf (w, "%s, ", conf.argv[i]);
    w += sprintf (w, "\"r|.*|\" ]\n}\n");
    free_stringsbuf (&conf);

    /* A private copy of the appliance's configuration, plus the filter in
     * lvmlocal.conf (read after lvm.conf and overriding it). */
    mkdir (FILTER_DIR, 0755);
    int ret = 0;
    CLEANUP_FREE char *out = NULL, *err = NULL;
    if (command (&out, &err, "cp", "/etc/lvm/lvm.conf", FILTER_DIR "/lvm.conf", NULL) != 0) {
      reply_with_error ("lvm_set_filter: copying lvm.conf: %s", err ? trim_newlines (err) : "failed");
      ret = -1;
    }
    else {
      int fd = open (FILTER_DIR "/lvmlocal.conf.tmp",
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      size_t len = strlen (text);
      if (fd == -1 || write (fd, text, len) != (ssize_t) len || close (fd) == -1 ||
          rename (FILTER_DIR "/lvmlocal.conf.tmp", FILTER_DIR "/lvmlocal.conf") == -1) {
        reply_with_perror ("lvm_set_filter: writing " FILTER_DIR "/lvmlocal.conf");
        ret = -1;
      }
    }
    free (text);
    if (ret == -1)
      return -1;
    setenv ("LVM_SYSTEM_DIR", FILTER_DIR, 1);
  }
  if (LVM (NULL, "vgscan", "vgscan", "--mknodes") == -1)
    return -1;
  return vgchange_activate (1, NULL);
}

int
do_lvm_set_filter (char *const *devices)
{
  if (devices[0] == NULL) {
    reply_with_error_errno (EINVAL, "lvm_set_filter: no devices given "
                            "(use lvm_clear_filter to see every device)");
    return -1;
  }
  return apply_filter (devices);
}

int
do_lvm_clear_filter (void)
{
  /* No filter set: nothing to deactivate, only scan. */
  if (getenv ("LVM_SYSTEM_DIR") == NULL)
    return LVM (NULL, "vgscan", "vgscan", "--mknodes");
  return apply_filter (NULL);
}

/* ---- list_dm_devices ---- */

char **
do_list_dm_devices (void)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/sys/block");
  if (d == NULL) {
    reply_with_perror ("opendir: /sys/block");
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "dm-", 3) != 0)
      continue;
    char dmdir[PATH_MAX], name[256];
    snprintf (dmdir, sizeof dmdir, "/sys/block/%s/dm", e->d_name);
    if (dm_dir_is_lv (dmdir) || !read_sysfs_line (dmdir, "name", name, sizeof name) ||
        name[0] == '\0')
      continue;
    /* LVM's internal layers (uuid "LVM-...-suffix") are not for users. */
    char uuid[256];
    if (read_sysfs_line (dmdir, "uuid", uuid, sizeof uuid) && strncmp (uuid, "LVM-", 4) == 0)
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/mapper/%s", name) == -1 || add_string_nodup (&sb, dev) == -1) {
      closedir (d);
      free_stringsbuf (&sb);
      reply_with_perror ("malloc");
      return NULL;
    }
  }
  closedir (d);
  sort_strings (sb.argv, sb.size);
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- start-up ---- */

/* Does the block device at path carry an LVM PV label or an MD superblock?
 * Reading a few sectors is far cheaper than starting lvm or mdadm, which
 * matters at launch when most disks hold neither. */
static bool
has_lvm_or_md_signature (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd == -1)
    return false;
  bool found = false;
  unsigned char buf[8192];
  ssize_t n = pread (fd, buf, sizeof buf, 0);
  /* LVM: "LABELONE" at the start of one of the first four sectors. */
  for (int sect = 0; !found && sect < 4 && (sect + 1) * 512 <= n; ++sect)
    found = memcmp (buf + sect * 512, "LABELONE", 8) == 0;
  /* MD superblock magic a92b4efc (little-endian on disk): version 1.1 at
   * 0, 1.2 at 4 KiB, 1.0 at 8 KiB before the end (4 KiB aligned), 0.90
   * in the last 64 KiB-aligned 64 KiB. */
  static const unsigned char magic[4] = { 0xfc, 0x4e, 0x2b, 0xa9 };
  if (!found && n >= 4)
    found = memcmp (buf, magic, 4) == 0;
  if (!found && n >= 4096 + 4)
    found = memcmp (buf + 4096, magic, 4) == 0;
  uint64_t size = 0;
  if (!found && ioctl (fd, BLKGETSIZE64, &size) == 0 && size >= 128 * 1024) {
    uint64_t offs[2] = { ((size - 8192) & ~(uint64_t) 4095),
                         (size & ~(uint64_t) 65535) - 65536 };
    for (int k = 0; !found && k < 2; ++k)
      found = pread (fd, buf, 4, (off_t) offs[k]) == 4 && memcmp (buf, magic, 4) == 0;
  }
  close (fd);
  return found;
}

/* Any user disk or partition with such a signature? */
static bool
any_lvm_or_md_signature (void)
{
  DIR *d = opendir ("/sys/block");
  if (d == NULL)
    return true;                /* can't tell: let the tools look */
  bool found = false;
  struct dirent *e;
  while (!found && (e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "sd", 2) != 0)
      continue;
    char path[PATH_MAX];
    snprintf (path, sizeof path, "/dev/%s", e->d_name);
    found = has_lvm_or_md_signature (path);
    char dir[PATH_MAX];
    snprintf (dir, sizeof dir, "/sys/block/%s", e->d_name);
    DIR *pd = found ? NULL : opendir (dir);
    struct dirent *pe;
    while (pd && !found && (pe = readdir (pd)) != NULL) {
      if (strncmp (pe->d_name, e->d_name, strlen (e->d_name)) != 0)
        continue;
      snprintf (path, sizeof path, "/dev/%s", pe->d_name);
      found = has_lvm_or_md_signature (path);
    }
    if (pd)
      closedir (pd);
  }
  closedir (d);
  return found;
}

/* Arrays that could not start even degraded stay "inactive" and keep
 * their members busy: stop them. */
static void
stop_inactive_arrays (void)
{
  DIR *d = opendir ("/sys/block");
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "md", 2) != 0)
      continue;
    char dir[PATH_MAX], state[64];
    snprintf (dir, sizeof dir, "/sys/block/%s/md", e->d_name);
    if (!read_sysfs_line (dir, "array_state", state, sizeof state) ||
        strcmp (state, "inactive") != 0)
      continue;
    char dev[PATH_MAX];
    snprintf (dev, sizeof dev, "/dev/%s", e->d_name);
    CLEANUP_FREE char *err = NULL;
    if (command (NULL, &err, "mdadm", "--stop", dev, NULL) != 0 && verbose)
      fprintf (stderr, "guestfsd: mdadm --stop %s: %s\n", dev, err ? err : "");
  }
  closedir (d);
}

/* Make what the guest's disks hold visible, as a booting system would:
 * assemble MD arrays found on them, then activate every LVM volume group
 * (which may sit on those arrays).  Failures are only logged: a disk with
 * a damaged VG must not stop the appliance.  Meant to be called once by
 * the daemon before it serves the first call.  Costs nothing measurable
 * when no disk has LVM or MD signatures; about 0.3-0.7 s under TCG when
 * one has. */
void
activate_block_layers (void)
{
  if (!any_lvm_or_md_signature ())
    return;
  lvm_environment ();
  CLEANUP_FREE char *err1 = NULL, *err2 = NULL;
  /* --run: also start arrays with members missing (one disk of a mirror
   * is enough to read the guest's data). */
  int r = command (NULL, &err1, "mdadm", "--assemble", "--scan", "--run", NULL);
  /* mdadm exits 1 when there is nothing to assemble. */
  if (r != 0 && r != 1 && verbose)
    fprintf (stderr, "guestfsd: mdadm --assemble --scan: %s\n", err1 ? err1 : "");
  stop_inactive_arrays ();
  r = command (NULL, &err2, "lvm", "vgchange", "--activate", "ay", "--sysinit", NULL);
  if (r != 0 && verbose)
    fprintf (stderr, "guestfsd: lvm vgchange: %s\n", err2 ? err2 : "");
}
