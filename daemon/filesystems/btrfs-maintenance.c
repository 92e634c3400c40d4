/* btrfs maintenance of a mounted filesystem: balance (pause, resume,
 * cancel, status), scrub (start, cancel, resume, status) and quota groups
 * (quota enable/rescan, qgroup limit/create/destroy/assign/remove/show).
 * The helpers shared with btrfs.c are declared in btrfs.h. */
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

/* ---- balance ---- */

int
do_btrfs_balance_pause (const char *path)
{
  return btrfs_path_cmd ("balance", "pause", NULL, path);
}

int
do_btrfs_balance_resume (const char *path)
{
  return btrfs_path_cmd ("balance", "resume", NULL, path);
}

int
do_btrfs_balance_cancel (const char *path)
{
  return btrfs_path_cmd ("balance", "cancel", NULL, path);
}

struct guestfs_btrfsbalance *
do_btrfs_balance_status (const char *path)
{
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return NULL;
  const char *argv[] = { "btrfs", "balance", "status", p, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  /* Exit status 1 means a balance is running or paused. */
  int r = command_run (NULL, &out, &err, argv);
  if ((r != 0 && r != 1) || out == NULL ||
      (r == 1 && strstr (out, "Balance on ") == NULL)) {
    reply_with_error ("btrfs balance status: %s: %s", path,
                      err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed");
    return NULL;
  }
  struct guestfs_btrfsbalance *b = calloc (1, sizeof *b);
  if (b == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  const char *status = "none";
  if (strstr (out, "Balance on ")) {
    status = strstr (out, " is paused") ? "paused" : "running";
    /* "0 out of about 3 chunks balanced (1 considered), 100% left" */
    CLEANUP_FREE_STRINGS char **lines = split_lines (out);
    for (size_t i = 0; lines && lines[i]; ++i) {
      uint64_t done, total, considered, left;
      if (sscanf (btrfs_skip_spaces (lines[i]),
                  "%" SCNu64 " out of about %" SCNu64 " chunks balanced (%" SCNu64
                  " considered), %" SCNu64 "%% left",
                  &done, &total, &considered, &left) == 4) {
        b->btrfsbalance_balanced = done;
        b->btrfsbalance_total = total;
        b->btrfsbalance_considered = considered;
        b->btrfsbalance_left = left;
        break;
      }
    }
  }
  b->btrfsbalance_status = strdup (status);
  if (b->btrfsbalance_status == NULL) {
    free (b);
    reply_with_perror ("strdup");
    return NULL;
  }
  return b;
}

/* ---- scrub ---- */

int
do_btrfs_scrub_start (const char *path)
{
  /* -B: wait for the end, so that errors are reported here. */
  return btrfs_path_cmd ("scrub", "start", "-B", path);
}

int
do_btrfs_scrub_full (const char *path, int readonly)
{
  /* -B waits, and makes the exit status tell whether errors remained. */
  bool ro = (optargs_bitmask & GUESTFS_BTRFS_SCRUB_FULL_READONLY_BITMASK) && readonly;
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return -1;
  const char *argv[] = { "btrfs", "scrub", "start", "-B", ro ? "-r" : p, ro ? p : NULL, NULL };
  CLEANUP_FREE char *out = NULL;
  if (btrfs_run ("btrfs scrub start", path, argv, &out) == -1)
    return -1;
  /* A read-only scrub repairs nothing, so it counts nothing as
   * uncorrectable and exits 0 whatever it found: its summary line says. */
  const char *sum = out ? strstr (out, "Error summary:") : NULL;
  if (sum) {
    sum += strlen ("Error summary:");
    sum += strspn (sum, " \t");
    size_t len = strcspn (sum, "\n");
    if (strncmp (sum, "no errors found", 15) != 0) {
      reply_with_error ("btrfs scrub start: %s: errors found: %.*s", path, (int) len, sum);
      return -1;
    }
  }
  return 0;
}

int
do_btrfs_scrub_cancel (const char *path)
{
  return btrfs_path_cmd ("scrub", "cancel", NULL, path);
}

int
do_btrfs_scrub_resume (const char *path)
{
  return btrfs_path_cmd ("scrub", "resume", "-B", path);
}

struct guestfs_btrfsscrub *
do_btrfs_scrub_status (const char *path)
{
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return NULL;
  const char *argv[] = { "btrfs", "scrub", "status", "-R", p, NULL };
  CLEANUP_FREE char *out = NULL;
  if (btrfs_run ("btrfs scrub status", path, argv, &out) == -1)
    return NULL;
  if (strstr (out, "no stats available")) {
    reply_with_error_errno (ENOENT, "btrfs scrub status: %s: no scrub has been run on this filesystem", path);
    return NULL;
  }
  struct guestfs_btrfsscrub *s = calloc (1, sizeof *s);
  if (s == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  static const struct { const char *key; size_t off; } fields[] = {
#define F(k) { #k, offsetof (struct guestfs_btrfsscrub, btrfsscrub_##k) }
    F (data_extents_scrubbed), F (tree_extents_scrubbed),
    F (data_bytes_scrubbed), F (tree_bytes_scrubbed),
    F (read_errors), F (csum_errors), F (verify_errors), F (no_csum),
    F (csum_discards), F (super_errors), F (malloc_errors),
    F (uncorrectable_errors), F (unverified_errors), F (corrected_errors),
    F (last_physical),
#undef F
  };
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  size_t found = 0;
  for (size_t i = 0; lines && lines[i]; ++i) {
    char *l = btrfs_skip_spaces (lines[i]);
    char *colon = strchr (l, ':');
    if (colon == NULL)
      continue;
    *colon = '\0';
    for (size_t j = 0; j < sizeof fields / sizeof fields[0]; ++j)
      if (strcmp (l, fields[j].key) == 0) {
        *(uint64_t *) ((char *) s + fields[j].off) = strtoull (colon + 1, NULL, 10);
        found++;
      }
  }
  if (found == 0) {
    free (s);
    reply_with_error ("btrfs scrub status: %s: cannot parse the output", path);
    return NULL;
  }
  return s;
}

/* ---- quotas ---- */

int
do_btrfs_quota_enable (const char *fs, int enable)
{
  struct fs_ref f;
  if (btrfs_fs_acquire (fs, &f) == -1)
    return -1;
  const char *argv[] = { "btrfs", "quota", enable ? "enable" : "disable", f.path, NULL };
  int r = btrfs_run (enable ? "btrfs quota enable" : "btrfs quota disable", fs, argv, NULL);
  btrfs_fs_release (&f);
  return r;
}

int
do_btrfs_quota_rescan (const char *fs)
{
  struct fs_ref f;
  if (btrfs_fs_acquire (fs, &f) == -1)
    return -1;
  /* -w: wait for the rescan to finish, so the numbers are right after. */
  const char *argv[] = { "btrfs", "quota", "rescan", "-w", f.path, NULL };
  int r = btrfs_run ("btrfs quota rescan", fs, argv, NULL);
  btrfs_fs_release (&f);
  return r;
}

int
do_btrfs_qgroup_limit (const char *subvolume, int64_t size)
{
  if (size < 0) {
    reply_with_error_errno (EINVAL, "%s: size must not be negative", subvolume);
    return -1;
  }
  CLEANUP_FREE char *p = btrfs_real_path (subvolume);
  if (p == NULL)
    return -1;
  char sz[32];
  snprintf (sz, sizeof sz, "%" PRIi64, size);
  const char *argv[] = { "btrfs", "qgroup", "limit", sz, p, NULL };
  return btrfs_run ("btrfs qgroup limit", subvolume, argv, NULL);
}

static int
qgroup_cmd (const char *cmd, const char *a, const char *b, const char *path)
{
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return -1;
  char tool[32];
  snprintf (tool, sizeof tool, "btrfs qgroup %s", cmd);
  const char *argv[] = { "btrfs", "qgroup", cmd, a, b ? b : p, b ? p : NULL, NULL };
  return btrfs_run (tool, path, argv, NULL);
}

int
do_btrfs_qgroup_create (const char *qgroupid, const char *subvolume)
{
  return qgroup_cmd ("create", qgroupid, NULL, subvolume);
}

int
do_btrfs_qgroup_destroy (const char *qgroupid, const char *subvolume)
{
  return qgroup_cmd ("destroy", qgroupid, NULL, subvolume);
}

int
do_btrfs_qgroup_assign (const char *src, const char *dst, const char *path)
{
  return qgroup_cmd ("assign", src, dst, path);
}

int
do_btrfs_qgroup_remove (const char *src, const char *dst, const char *path)
{
  return qgroup_cmd ("remove", src, dst, path);
}

/* "btrfs qgroup show --raw": two header lines, then
 * "0/5   16384   16384" (newer versions add more columns). */
struct guestfs_btrfsqgroup_list *
do_btrfs_qgroup_show (const char *path)
{
  CLEANUP_FREE char *p = btrfs_real_path (path);
  if (p == NULL)
    return NULL;
  const char *argv[] = { "btrfs", "qgroup", "show", "--raw", p, NULL };
  CLEANUP_FREE char *out = NULL;
  if (btrfs_run ("btrfs qgroup show", path, argv, &out) == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  size_t n = count_strings (lines);
  struct guestfs_btrfsqgroup_list *l = calloc (1, sizeof *l);
  if (l == NULL || (l->val = calloc (n ? n : 1, sizeof *l->val)) == NULL) {
    free (l);
    reply_with_perror ("calloc");
    return NULL;
  }
  for (size_t i = 0; i < n; ++i) {
    char id[64];
    uint64_t rfer, excl;
    if (sscanf (lines[i], " %63s %" SCNu64 " %" SCNu64, id, &rfer, &excl) != 3 ||
        strchr (id, '/') == NULL)
      continue;
    struct guestfs_btrfsqgroup *q = &l->val[l->len];
    if ((q->btrfsqgroup_id = strdup (id)) == NULL) {
      reply_with_perror ("strdup");
      for (uint32_t j = 0; j < l->len; ++j)
        free (l->val[j].btrfsqgroup_id);
      free (l->val);
      free (l);
      return NULL;
    }
    q->btrfsqgroup_rfer = rfer;
    q->btrfsqgroup_excl = excl;
    l->len++;
  }
  return l;
}
