/* LVM reports: pvs, vgs, lvs (names only) and the pvs_full, vgs_full,
 * lvs_full structures, from "lvm pvs/vgs/lvs" with a field separator no
 * name can contain.  Shared LVM helpers are declared in lvm.h. */
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

/* ---- listing helpers ---- */

/* Lines of lvm's report output, stripped of surrounding blanks, empty
 * lines dropped, each with PREFIX in front. */
char **
lvm_report_lines (char *out, const char *prefix)
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

char **
lvm_list (const char *what, const char *prefix, const char *const *argv)
{
  CLEANUP_FREE char *out = NULL;
  if (lvm_run (&out, what, argv) == -1)
    return NULL;
  return lvm_report_lines (out, prefix);
}

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
