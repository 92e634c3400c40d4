/* XFS: xfs_info, xfs_info2, xfs_growfs, xfs_admin, xfs_repair.
 *
 * xfs_info's output is a few sections ("meta-data=", "data", "naming",
 * "log", "realtime"), each a name then key=value pairs over one or more
 * lines that start with "=": it is read section by section. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* The appliance path of a guest directory (resolved inside the guest
 * tree), malloc'd; replies on failure. */
static char *
guest_dir_path (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  CLEANUP_FREE char *link = fd_path (fd);
  char real[PATH_MAX];
  ssize_t n = link ? readlink (link, real, sizeof real - 1) : -1;
  if (n <= 0) {
    reply_with_perror ("readlink");
    return NULL;
  }
  real[n] = '\0';
  return strdup (real);
}

static int
run_xfs (const char *const *argv, const char *what, char **outp)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
    reply_with_error ("%s: %s: %s", argv[0], what, msg);
    return -1;
  }
  if (outp) {
    *outp = out;
    out = NULL;
  }
  return 0;
}

/* ---- xfs_info ---- */

static uint64_t
u64 (const char *v)
{
  return strtoull (v, NULL, 10);
}

static void
set_field (struct guestfs_xfsinfo *x, const char *section, const char *key, const char *v)
{
#define IS(S, K) (strcmp (section, S) == 0 && strcmp (key, K) == 0)
  if (IS ("meta-data", "isize")) x->xfs_inodesize = (uint32_t) u64 (v);
  else if (IS ("meta-data", "agcount")) x->xfs_agcount = (uint32_t) u64 (v);
  else if (IS ("meta-data", "agsize")) x->xfs_agsize = (uint32_t) u64 (v);
  else if (IS ("meta-data", "sectsz")) x->xfs_sectsize = (uint32_t) u64 (v);
  else if (IS ("meta-data", "attr")) x->xfs_attr = (uint32_t) u64 (v);
  else if (IS ("data", "bsize")) x->xfs_blocksize = (uint32_t) u64 (v);
  else if (IS ("data", "blocks")) x->xfs_datablocks = u64 (v);
  else if (IS ("data", "imaxpct")) x->xfs_imaxpct = (uint32_t) u64 (v);
  else if (IS ("data", "sunit")) x->xfs_sunit = (uint32_t) u64 (v);
  else if (IS ("data", "swidth")) x->xfs_swidth = (uint32_t) u64 (v);
  else if (IS ("naming", "bsize")) x->xfs_dirblocksize = (uint32_t) u64 (v);
  else if (IS ("naming", "ascii-ci")) x->xfs_cimode = (uint32_t) u64 (v);
  else if (IS ("log", "bsize")) x->xfs_logblocksize = (uint32_t) u64 (v);
  else if (IS ("log", "blocks")) x->xfs_logblocks = (uint32_t) u64 (v);
  else if (IS ("log", "version")) x->xfs_logversion = (uint32_t) u64 (v);
  else if (IS ("log", "sectsz")) x->xfs_logsectsize = (uint32_t) u64 (v);
  else if (IS ("log", "sunit")) x->xfs_logsunit = (uint32_t) u64 (v);
  else if (IS ("log", "lazy-count")) x->xfs_lazycount = (uint32_t) u64 (v);
  else if (IS ("realtime", "extsz")) x->xfs_rtextsize = (uint32_t) u64 (v);
  else if (IS ("realtime", "blocks")) x->xfs_rtblocks = u64 (v);
  else if (IS ("realtime", "rtextents")) x->xfs_rtextents = u64 (v);
#undef IS
}

/* Walk xfs_info's output: for each line "name   key=v key=v, key=v"
 * (name empty on a section's continuation lines) call fn once with
 * key NULL for the section's own value -- the text up to the first
 * key=value, which may contain spaces ("internal log", "version 2") -- and
 * once per key=value.  A unit word after a number ("blks", "extents")
 * stays with the value.  fn returns -1 to stop (out of memory). */
typedef int (*xfs_field_fn) (void *ctx, const char *section, const char *key,
                             const char *value);

static int
walk_xfs_info (const char *out, xfs_field_fn fn, void *ctx)
{
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL)
    return -1;
  char section[32] = "";
  for (size_t i = 0; lines[i]; ++i) {
    char *l = lines[i];
    char *eq = strchr (l, '=');
    if (eq == NULL)
      continue;
    /* Section word: before the first '=', trimmed; empty = same section. */
    size_t wl = (size_t) (eq - l);
    while (wl > 0 && l[wl - 1] == ' ')
      wl--;
    size_t ws = strspn (l, " ");
    if (wl > ws)
      snprintf (section, sizeof section, "%.*s", (int) (wl - ws), l + ws);
    /* The section value: words without '=' at the start of the rest. */
    char *p = eq + 1;
    char value[256] = "";
    for (;;) {
      p += strspn (p, " ,");
      size_t tl = strcspn (p, " ,");
      if (tl == 0 || memchr (p, '=', tl) != NULL)
        break;
      size_t vl = strlen (value);
      snprintf (value + vl, sizeof value - vl, "%s%.*s", vl ? " " : "", (int) tl, p);
      p += tl;
    }
    if (wl > ws && value[0] && fn (ctx, section, NULL, value) == -1)
      return -1;
    /* key=value pairs. */
    for (;;) {
      p += strspn (p, " ,");
      if (*p == '\0')
        break;
      size_t tl = strcspn (p, " ,");
      char tok[128];
      snprintf (tok, sizeof tok, "%.*s", (int) tl, p);
      p += tl;
      char *e = strchr (tok, '=');
      if (e == NULL)
        continue;
      *e = '\0';
      /* "agsize=16384 blks": the unit belongs to the number. */
      const char *unit = p + strspn (p, " ");
      size_t ul = strcspn (unit, " ,");
      if ((ul == 4 && strncmp (unit, "blks", 4) == 0) ||
          (ul == 7 && strncmp (unit, "extents", 7) == 0)) {
        size_t vl = strlen (e + 1);
        snprintf (e + 1 + vl, sizeof tok - (size_t) (e + 1 + vl - tok), " %.*s", (int) ul, unit);
        p = (char *) unit + ul;
      }
      if (fn (ctx, section, tok, e + 1) == -1)
        return -1;
    }
  }
  return 0;
}

/* xfs_info's struct, from the fields libguestfs has always returned. */
static int
xfsinfo_field (void *ctx, const char *section, const char *key, const char *value)
{
  struct guestfs_xfsinfo *x = ctx;
  if (key) {
    set_field (x, section, key, value);
    return 0;
  }
  char **dst = strcmp (section, "meta-data") == 0 ? &x->xfs_mntpoint
    : strcmp (section, "log") == 0 ? &x->xfs_logname
    : strcmp (section, "realtime") == 0 ? &x->xfs_rtname : NULL;
  if (dst) {
    free (*dst);
    /* As libguestfs: the first word ("internal", not "internal log"). */
    *dst = dst == &x->xfs_logname ? strndup (value, strcspn (value, " ")) : strdup (value);
    if (*dst == NULL)
      return -1;
  }
  if (strcmp (section, "naming") == 0 && strncmp (value, "version ", 8) == 0)
    x->xfs_dirversion = (uint32_t) u64 (value + 8);
  return 0;
}

static int
parse_xfs_info (const char *out, struct guestfs_xfsinfo *x)
{
  return walk_xfs_info (out, xfsinfo_field, x);
}

/* What xfs_info prints for a device or a mounted guest path, or NULL
 * (replied). */
static char *
xfs_info_output (const char *pathordevice)
{
  CLEANUP_FREE char *target = NULL;
  if (strncmp (pathordevice, "/dev/", 5) == 0)
    target = strdup (pathordevice);
  else if ((target = guest_dir_path (pathordevice)) == NULL)
    return NULL;
  if (target == NULL) {
    reply_with_perror ("strdup");
    return NULL;
  }
  char *out = NULL;
  const char *argv[] = { "xfs_info", target, NULL };
  if (run_xfs (argv, pathordevice, &out) == -1)
    return NULL;
  return out;
}

struct guestfs_xfsinfo *
do_xfs_info (const char *pathordevice)
{
  CLEANUP_FREE char *out = xfs_info_output (pathordevice);
  if (out == NULL)
    return NULL;
  struct guestfs_xfsinfo *x = calloc (1, sizeof *x);
  if (x == NULL || parse_xfs_info (out, x) == -1) {
    if (x) {
      free (x->xfs_mntpoint); free (x->xfs_logname); free (x->xfs_rtname);
      free (x);
    }
    reply_with_perror ("xfs_info");
    return NULL;
  }
  if (x->xfs_blocksize == 0 || x->xfs_agcount == 0) {
    free (x->xfs_mntpoint); free (x->xfs_logname); free (x->xfs_rtname);
    free (x);
    reply_with_error ("xfs_info: %s: unexpected output: %s", pathordevice, out);
    return NULL;
  }
  if (!x->xfs_mntpoint) x->xfs_mntpoint = strdup ("");
  if (!x->xfs_logname) x->xfs_logname = strdup ("");
  if (!x->xfs_rtname) x->xfs_rtname = strdup ("");
  if (!x->xfs_mntpoint || !x->xfs_logname || !x->xfs_rtname) {
    free (x->xfs_mntpoint); free (x->xfs_logname); free (x->xfs_rtname);
    free (x);
    reply_with_perror ("strdup");
    return NULL;
  }
  return x;
}

/* ---- xfs_growfs ---- */

int
do_xfs_growfs (const char *path, int datasec, int logsec, int rtsec, int64_t datasize,
               int64_t logsize, int64_t rtsize, int64_t rtextsize, int maxpct)
{
  CLEANUP_FREE char *dir = guest_dir_path (path);
  if (dir == NULL)
    return -1;
  char b[5][32];
  const char *argv[24];
  size_t n = 0;
  argv[n++] = "xfs_growfs";
#define HAS(N) (optargs_bitmask & GUESTFS_XFS_GROWFS_##N##_BITMASK)
  if (HAS (DATASEC) && datasec) argv[n++] = "-d";
  if (HAS (LOGSEC) && logsec) argv[n++] = "-l";
  if (HAS (RTSEC) && rtsec) argv[n++] = "-r";
  struct { uint64_t has; const char *opt; int64_t v; } nums[] = {
    { HAS (DATASIZE), "-D", datasize }, { HAS (LOGSIZE), "-L", logsize },
    { HAS (RTSIZE), "-R", rtsize }, { HAS (RTEXTSIZE), "-e", rtextsize },
    { HAS (MAXPCT), "-m", maxpct },
  };
#undef HAS
  for (size_t i = 0; i < 5; ++i) {
    if (!nums[i].has)
      continue;
    if (nums[i].v < 0) {
      reply_with_error_errno (EINVAL, "%s: value must not be negative", nums[i].opt);
      return -1;
    }
    snprintf (b[i], sizeof b[i], "%" PRIi64, nums[i].v);
    argv[n++] = nums[i].opt;
    argv[n++] = b[i];
  }
  argv[n++] = dir;
  argv[n] = NULL;
  return run_xfs (argv, path, NULL);
}

/* ---- xfs_admin ---- */

int
do_xfs_admin (const char *device, int extunwritten, int imgfile, int v2log, int projid32bit,
              int lazycounter, const char *label, const char *uuid)
{
  const char *argv[16];
  size_t n = 0;
  argv[n++] = "xfs_admin";
#define HAS(N) (optargs_bitmask & GUESTFS_XFS_ADMIN_##N##_BITMASK)
  if (HAS (IMGFILE) && imgfile) {
    reply_with_error_errno (EINVAL, "imgfile: the device is a device, not an image file");
    return -1;
  }
  if ((HAS (EXTUNWRITTEN) && !extunwritten) || (HAS (V2LOG) && !v2log) ||
      (HAS (PROJID32BIT) && !projid32bit)) {
    reply_with_error_errno (EINVAL, "extunwritten, v2log and projid32bit cannot be turned off");
    return -1;
  }
  if (HAS (PROJID32BIT) && projid32bit)
    argv[n++] = "-p";
  if (HAS (LAZYCOUNTER)) {
    argv[n++] = "-c";
    argv[n++] = lazycounter ? "1" : "0";
  }
  if (HAS (LABEL)) {
    if (strlen (label) > 12) {
      reply_with_error_errno (ERANGE, "%s: XFS labels are limited to 12 bytes", label);
      return -1;
    }
    argv[n++] = "-L";
    argv[n++] = label[0] ? label : "--";
  }
  if (HAS (UUID)) {
    argv[n++] = "-U";
    argv[n++] = uuid;
  }
#undef HAS
  argv[n++] = device;
  argv[n] = NULL;
  return run_xfs (argv, device, NULL);
}

/* ---- xfs_repair ---- */

int
do_xfs_repair (const char *device, int forcelogzero, int nomodify, int noprefetch,
               int forcegeometry, int64_t maxmem, int64_t ihashsize, int64_t bhashsize,
               int64_t agstride, const char *logdev, const char *rtdev)
{
  if (strncmp (device, "/dev/", 5) != 0) {
    reply_with_error_errno (EINVAL, "%s: xfs_repair needs a device (image files in the "
                            "guest are not supported)", device);
    return -1;
  }
  {
    /* xfs_repair's exit status 1 also means "not XFS": check first. */
    CLEANUP_FREE char *out = NULL;
    if (command (&out, NULL, "blkid", "-c", "/dev/null", "-o", "value", "-s", "TYPE",
                 device, NULL) != 0 || strcmp (trim_newlines (out), "xfs") != 0) {
      reply_with_error_errno (EINVAL, "%s: not an XFS filesystem", device);
      return -1;
    }
  }
  const char *argv[32];
  char b[4][48];
  size_t n = 0;
  argv[n++] = "xfs_repair";
#define HAS(N) (optargs_bitmask & GUESTFS_XFS_REPAIR_##N##_BITMASK)
  if (HAS (FORCELOGZERO) && forcelogzero) argv[n++] = "-L";
  if (HAS (NOMODIFY) && nomodify) argv[n++] = "-n";
  if (HAS (NOPREFETCH) && noprefetch) argv[n++] = "-P";
  if (HAS (FORCEGEOMETRY) && forcegeometry) { argv[n++] = "-o"; argv[n++] = "force_geometry"; }
  if (HAS (MAXMEM)) {
    snprintf (b[0], sizeof b[0], "%" PRIi64, maxmem);
    argv[n++] = "-m"; argv[n++] = b[0];
  }
  if (HAS (IHASHSIZE)) {
    snprintf (b[1], sizeof b[1], "ihash=%" PRIi64, ihashsize);
    argv[n++] = "-o"; argv[n++] = b[1];
  }
  if (HAS (BHASHSIZE)) {
    snprintf (b[2], sizeof b[2], "bhash=%" PRIi64, bhashsize);
    argv[n++] = "-o"; argv[n++] = b[2];
  }
  if (HAS (AGSTRIDE)) {
    snprintf (b[3], sizeof b[3], "ag_stride=%" PRIi64, agstride);
    argv[n++] = "-o"; argv[n++] = b[3];
  }
  if (HAS (LOGDEV)) {
    if (validate_device (logdev) == -1)
      return -1;
    argv[n++] = "-l"; argv[n++] = logdev;
  }
  if (HAS (RTDEV)) {
    if (validate_device (rtdev) == -1)
      return -1;
    argv[n++] = "-r"; argv[n++] = rtdev;
  }
#undef HAS
  argv[n++] = device;
  argv[n] = NULL;
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  /* 0: clean or repaired; 1 with -n: corruption found.  Anything else
   * (2: dirty log, ...) is a failure. */
  bool checkonly = (optargs_bitmask & GUESTFS_XFS_REPAIR_NOMODIFY_BITMASK) && nomodify;
  if (r == 0 || (r == 1 && checkonly))
    return r;
  const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "failed";
  reply_with_error ("xfs_repair: %s: %s", device, msg);
  return -1;
}

/* ---- xfs_info2 ---- */

/* Every field as "SECTION" / "SECTION.KEY" -> value; only numbers for
 * keys (as libguestfs: no field of xfs_info has another kind of value). */
static int
xfsinfo2_field (void *ctx, const char *section, const char *key, const char *value)
{
  struct stringsbuf *sb = ctx;
  if (key && !isdigit ((unsigned char) value[0]))
    return 0;
  char name[192];
  snprintf (name, sizeof name, "%s%s%s", section, key ? "." : "", key ? key : "");
  if (add_string (sb, name) == -1 || add_string (sb, value) == -1)
    return -1;
  return 0;
}

char **
do_xfs_info2 (const char *pathordevice)
{
  CLEANUP_FREE char *out = xfs_info_output (pathordevice);
  if (out == NULL)
    return NULL;
  struct stringsbuf sb = { 0 };
  if (walk_xfs_info (out, xfsinfo2_field, &sb) == -1 || end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    reply_with_perror ("xfs_info");
    return NULL;
  }
  if (sb.size <= 1) {
    free_stringsbuf (&sb);
    reply_with_error ("xfs_info: %s: unexpected output: %s", pathordevice, out);
    return NULL;
  }
  return take_stringsbuf (&sb);
}
