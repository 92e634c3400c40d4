/* ext2/3/4 tools: mke2fs, e2fsck, resize2fs*, tune2fs, tune2fs_l,
 * zerofree, and the file attribute/generation ioctls (get/set_e2attrs,
 * get/set_e2generation), which also work on other filesystems.
 *
 * Attributes are read and set with FS_IOC_GETFLAGS/SETFLAGS on a file
 * opened inside the guest tree, rather than with lsattr/chattr on a path,
 * so guest symlinks cannot lead outside and device nodes are never
 * opened. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

bool fs2_valid_uuid (const char *s);

/* Run argv; on failure reply with the tool's stderr (or stdout). */
static int
run_tool (const char *const *argv, const char *what, char **outp)
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

static int
add_fmt (struct stringsbuf *sb, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
static int
add_fmt (struct stringsbuf *sb, const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start (ap, fmt);
  int r = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (r == -1)
    return -1;
  return add_string_nodup (sb, s);
}

/* ---- mke2fs ---- */

#define HAS(NAME) (optargs_bitmask & GUESTFS_MKE2FS_##NAME##_BITMASK)

int
do_mke2fs (const char *device, int64_t blockscount, int64_t blocksize, int64_t fragsize,
           int64_t blockspergroup, int64_t numberofgroups, int64_t bytesperinode,
           int64_t inodesize, int64_t journalsize, int64_t numberofinodes,
           int64_t stridesize, int64_t stripewidth, int64_t maxonlineresize,
           int reservedblockspercentage, int mmpupdateinterval,
           const char *journaldevice, const char *label, const char *lastmounteddir,
           const char *creatoros, const char *fstype, const char *usagetype,
           const char *uuid, int forcecreate, int writesbandgrouponly,
           int lazyitableinit, int lazyjournalinit, int testfs, int discard,
           int quotatype, int extent, int filetype, int flexbg, int hasjournal,
           int journaldev, int largefile, int quota, int resizeinode,
           int sparsesuper, int uninitbg)
{
  struct stringsbuf sb = { 0 };
  char features[512] = "", extended[512] = "";
  bool ok = add_string (&sb, "mke2fs") == 0 && add_string (&sb, "-q") == 0;

  if (HAS (QUOTATYPE)) {
    (void) quotatype;
    reply_with_error_errno (EINVAL, "quotatype: not a filesystem feature; use quota:true");
    goto fail_replied;
  }
  if (HAS (FSTYPE)) {
    if (strcmp (fstype, "ext2") && strcmp (fstype, "ext3") && strcmp (fstype, "ext4")) {
      reply_with_error_errno (EINVAL, "fstype: %s: must be ext2, ext3 or ext4", fstype);
      goto fail_replied;
    }
    ok = ok && add_string (&sb, "-t") == 0 && add_string (&sb, fstype) == 0;
  }
  struct { uint64_t bit; const char *opt; int64_t v; } nums[] = {
    { GUESTFS_MKE2FS_BLOCKSIZE_BITMASK, "-b", blocksize },
    { GUESTFS_MKE2FS_FRAGSIZE_BITMASK, "-f", fragsize },
    { GUESTFS_MKE2FS_BLOCKSPERGROUP_BITMASK, "-g", blockspergroup },
    { GUESTFS_MKE2FS_NUMBEROFGROUPS_BITMASK, "-G", numberofgroups },
    { GUESTFS_MKE2FS_BYTESPERINODE_BITMASK, "-i", bytesperinode },
    { GUESTFS_MKE2FS_INODESIZE_BITMASK, "-I", inodesize },
    { GUESTFS_MKE2FS_NUMBEROFINODES_BITMASK, "-N", numberofinodes },
    { GUESTFS_MKE2FS_RESERVEDBLOCKSPERCENTAGE_BITMASK, "-m", reservedblockspercentage },
  };
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; ++i) {
    if (!(optargs_bitmask & nums[i].bit))
      continue;
    if (nums[i].v < 0) {
      reply_with_error_errno (EINVAL, "%s: value must not be negative", nums[i].opt);
      goto fail_replied;
    }
    ok = ok && add_string (&sb, nums[i].opt) == 0 && add_fmt (&sb, "%" PRIi64, nums[i].v) == 0;
  }
  if (HAS (JOURNALSIZE) && HAS (JOURNALDEVICE)) {
    reply_with_error_errno (EINVAL, "journalsize and journaldevice cannot both be set");
    goto fail_replied;
  }
  if (HAS (JOURNALSIZE))
    ok = ok && add_string (&sb, "-J") == 0 && add_fmt (&sb, "size=%" PRIi64, journalsize) == 0;
  if (HAS (JOURNALDEVICE)) {
    if (strncmp (journaldevice, "LABEL=", 6) != 0 && strncmp (journaldevice, "UUID=", 5) != 0 &&
        validate_device (journaldevice) == -1)
      goto fail_replied;
    ok = ok && add_string (&sb, "-J") == 0 && add_fmt (&sb, "device=%s", journaldevice) == 0;
  }
  if (HAS (LABEL)) {
    if (strlen (label) > 16) {
      reply_with_error_errno (ERANGE, "%s: ext2/3/4 labels are limited to 16 bytes", label);
      goto fail_replied;
    }
    ok = ok && add_string (&sb, "-L") == 0 && add_string (&sb, label) == 0;
  }
  if (HAS (LASTMOUNTEDDIR))
    ok = ok && add_string (&sb, "-M") == 0 && add_string (&sb, lastmounteddir) == 0;
  if (HAS (CREATOROS))
    ok = ok && add_string (&sb, "-o") == 0 && add_string (&sb, creatoros) == 0;
  if (HAS (USAGETYPE))
    ok = ok && add_string (&sb, "-T") == 0 && add_string (&sb, usagetype) == 0;
  if (HAS (UUID)) {
    if (!fs2_valid_uuid (uuid) && strcmp (uuid, "random") && strcmp (uuid, "time") &&
        strcmp (uuid, "clear")) {
      reply_with_error_errno (EINVAL, "%s: not a UUID", uuid);
      goto fail_replied;
    }
    ok = ok && add_string (&sb, "-U") == 0 && add_string (&sb, uuid) == 0;
  }
  if (HAS (FORCECREATE) && forcecreate)
    ok = ok && add_string (&sb, "-F") == 0;
  if (HAS (WRITESBANDGROUPONLY) && writesbandgrouponly)
    ok = ok && add_string (&sb, "-S") == 0;

  /* -E extended options and -O features, comma separated. */
#define EXT(...) do { size_t l = strlen (extended); \
    snprintf (extended + l, sizeof extended - l, "%s", l ? "," : ""); l = strlen (extended); \
    snprintf (extended + l, sizeof extended - l, __VA_ARGS__); } while (0)
  if (HAS (STRIDESIZE)) EXT ("stride=%" PRIi64, stridesize);
  if (HAS (STRIPEWIDTH)) EXT ("stripe_width=%" PRIi64, stripewidth);
  if (HAS (MAXONLINERESIZE)) EXT ("resize=%" PRIi64, maxonlineresize);
  if (HAS (MMPUPDATEINTERVAL)) EXT ("mmp_update_interval=%d", mmpupdateinterval);
  if (HAS (LAZYITABLEINIT)) EXT ("lazy_itable_init=%d", lazyitableinit ? 1 : 0);
  if (HAS (LAZYJOURNALINIT)) EXT ("lazy_journal_init=%d", lazyjournalinit ? 1 : 0);
  if (HAS (TESTFS) && testfs) EXT ("test_fs");
  if (HAS (DISCARD)) EXT ("%s", discard ? "discard" : "nodiscard");
  struct { uint64_t bit; const char *name; int on; } feats[] = {
    { GUESTFS_MKE2FS_EXTENT_BITMASK, "extent", extent },
    { GUESTFS_MKE2FS_FILETYPE_BITMASK, "filetype", filetype },
    { GUESTFS_MKE2FS_FLEXBG_BITMASK, "flex_bg", flexbg },
    { GUESTFS_MKE2FS_HASJOURNAL_BITMASK, "has_journal", hasjournal },
    { GUESTFS_MKE2FS_JOURNALDEV_BITMASK, "journal_dev", journaldev },
    { GUESTFS_MKE2FS_LARGEFILE_BITMASK, "large_file", largefile },
    { GUESTFS_MKE2FS_QUOTA_BITMASK, "quota", quota },
    { GUESTFS_MKE2FS_RESIZEINODE_BITMASK, "resize_inode", resizeinode },
    { GUESTFS_MKE2FS_SPARSESUPER_BITMASK, "sparse_super", sparsesuper },
    { GUESTFS_MKE2FS_UNINITBG_BITMASK, "uninit_bg", uninitbg },
  };
  for (size_t i = 0; i < sizeof feats / sizeof feats[0]; ++i) {
    if (!(optargs_bitmask & feats[i].bit))
      continue;
    if (strcmp (feats[i].name, "journal_dev") == 0 && !feats[i].on)
      continue;                 /* "not a journal device" is the default */
    size_t l = strlen (features);
    snprintf (features + l, sizeof features - l, "%s%s%s", l ? "," : "",
              feats[i].on ? "" : "^", feats[i].name);
  }
  if (extended[0])
    ok = ok && add_string (&sb, "-E") == 0 && add_string (&sb, extended) == 0;
  if (features[0])
    ok = ok && add_string (&sb, "-O") == 0 && add_string (&sb, features) == 0;
  ok = ok && add_string (&sb, "--") == 0 && add_string (&sb, device) == 0;
  if (HAS (BLOCKSCOUNT)) {
    if (blockscount <= 0) {
      reply_with_error_errno (EINVAL, "blockscount must be positive");
      goto fail_replied;
    }
    ok = ok && add_fmt (&sb, "%" PRIi64, blockscount) == 0;
  }
  ok = ok && end_stringsbuf (&sb) == 0;
  if (!ok) {
    free_stringsbuf (&sb);
    reply_with_perror ("mke2fs");
    return -1;
  }
  {
    /* In a block: the label below must not be in this cleanup's scope. */
    CLEANUP_FREE_STRINGS char **argv = take_stringsbuf (&sb);
    return run_tool ((const char *const *) argv, device, NULL);
  }

 fail_replied:
  free_stringsbuf (&sb);
  return -1;
}
#undef HAS
#undef EXT

/* ---- e2fsck, resize2fs ---- */

int
do_e2fsck (const char *device, int correct, int forceall, int forceno)
{
  bool c = (optargs_bitmask & GUESTFS_E2FSCK_CORRECT_BITMASK) && correct;
  bool y = (optargs_bitmask & GUESTFS_E2FSCK_FORCEALL_BITMASK) && forceall;
  bool n = (optargs_bitmask & GUESTFS_E2FSCK_FORCENO_BITMASK) && forceno;
  if (c + y + n > 1) {
    reply_with_error_errno (EINVAL, "only one of the options 'correct', 'forceall' and 'forceno' may be set");
    return -1;
  }
  const char *argv[] = { "e2fsck", "-f", c ? "-p" : y ? "-y" : "-n", "--", device, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  /* 1: errors corrected, 2: corrected, reboot wanted -- both fine here. */
  if (r < 0 || (r & ~3) != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out) : "";
    reply_with_error ("e2fsck: %s: exit status %d%s%s", device, r, *msg ? ": " : "", msg);
    return -1;
  }
  return 0;
}

int
do_resize2fs (const char *device)
{
  const char *argv[] = { "resize2fs", "--", device, NULL };
  return run_tool (argv, device, NULL);
}

int
do_resize2fs_size (const char *device, int64_t size)
{
  if (size < 1024) {
    reply_with_error_errno (EINVAL, "size %" PRIi64 " is too small", size);
    return -1;
  }
  char s[32];
  snprintf (s, sizeof s, "%" PRIi64 "K", size / 1024);
  const char *argv[] = { "resize2fs", "--", device, s, NULL };
  return run_tool (argv, device, NULL);
}

int
do_resize2fs_M (const char *device)
{
  const char *argv[] = { "resize2fs", "-M", "--", device, NULL };
  return run_tool (argv, device, NULL);
}

/* ---- tune2fs ---- */

#define HAS(NAME) (optargs_bitmask & GUESTFS_TUNE2FS_##NAME##_BITMASK)

int
do_tune2fs (const char *device, int force, int maxmountcount, int mountcount,
            const char *errorbehavior, int64_t group, int intervalbetweenchecks,
            int reservedblockspercentage, const char *lastmounteddirectory,
            int64_t reservedblockscount, int64_t user)
{
  struct stringsbuf sb = { 0 };
  bool ok = add_string (&sb, "tune2fs") == 0;
  if (HAS (FORCE) && force)
    ok = ok && add_string (&sb, "-f") == 0;
  if (HAS (MAXMOUNTCOUNT))
    ok = ok && add_string (&sb, "-c") == 0 && add_fmt (&sb, "%d", maxmountcount) == 0;
  if (HAS (MOUNTCOUNT))
    ok = ok && add_string (&sb, "-C") == 0 && add_fmt (&sb, "%d", mountcount) == 0;
  if (HAS (ERRORBEHAVIOR)) {
    if (strcmp (errorbehavior, "continue") && strcmp (errorbehavior, "remount-ro") &&
        strcmp (errorbehavior, "panic")) {
      free_stringsbuf (&sb);
      reply_with_error_errno (EINVAL, "errorbehavior: %s: must be continue, remount-ro "
                              "or panic", errorbehavior);
      return -1;
    }
    ok = ok && add_string (&sb, "-e") == 0 && add_string (&sb, errorbehavior) == 0;
  }
  if (HAS (GROUP))
    ok = ok && add_string (&sb, "-g") == 0 && add_fmt (&sb, "%" PRIi64, group) == 0;
  if (HAS (INTERVALBETWEENCHECKS))
    ok = ok && add_string (&sb, "-i") == 0 && add_fmt (&sb, "%ds", intervalbetweenchecks) == 0;
  if (HAS (RESERVEDBLOCKSPERCENTAGE))
    ok = ok && add_string (&sb, "-m") == 0 && add_fmt (&sb, "%d", reservedblockspercentage) == 0;
  if (HAS (LASTMOUNTEDDIRECTORY))
    ok = ok && add_string (&sb, "-M") == 0 && add_string (&sb, lastmounteddirectory) == 0;
  if (HAS (RESERVEDBLOCKSCOUNT))
    ok = ok && add_string (&sb, "-r") == 0 && add_fmt (&sb, "%" PRIi64, reservedblockscount) == 0;
  if (HAS (USER))
    ok = ok && add_string (&sb, "-u") == 0 && add_fmt (&sb, "%" PRIi64, user) == 0;
  ok = ok && add_string (&sb, "--") == 0 && add_string (&sb, device) == 0 &&
    end_stringsbuf (&sb) == 0;
  if (!ok) {
    free_stringsbuf (&sb);
    reply_with_perror ("tune2fs");
    return -1;
  }
  CLEANUP_FREE_STRINGS char **argv = take_stringsbuf (&sb);
  return run_tool ((const char *const *) argv, device, NULL);
}
#undef HAS

char **
do_tune2fs_l (const char *device)
{
  CLEANUP_FREE char *out = NULL;
  const char *argv[] = { "tune2fs", "-l", "--", device, NULL };
  if (run_tool (argv, device, &out) == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("tune2fs_l");
    return NULL;
  }
  struct stringsbuf sb = { 0 };
  /* The first line is tune2fs's version banner; the rest are
   * "Name:    value". */
  for (size_t i = 1; lines[i]; ++i) {
    char *colon = strchr (lines[i], ':');
    if (colon == NULL || colon == lines[i])
      continue;
    *colon = '\0';
    char *v = colon + 1;
    v += strspn (v, " \t");     /* trailing blanks kept, as libguestfs does */
    if (strcmp (v, "<none>") == 0 || strcmp (v, "<not available>") == 0)
      v[0] = '\0';
    if (add_string (&sb, lines[i]) == -1 || add_string (&sb, v) == -1) {
      free_stringsbuf (&sb);
      reply_with_perror ("tune2fs_l");
      return NULL;
    }
  }
  if (end_stringsbuf (&sb) == -1) {
    reply_with_perror ("tune2fs_l");
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- zerofree ---- */

int
do_zerofree (const char *device)
{
  const char *argv[] = { "zerofree", "--", device, NULL };
  return run_tool (argv, device, NULL);
}

/* ---- attributes and generation ---- */

/* The attribute letters (in lsattr's order) and their flags. */
static const struct { char c; unsigned long flag; } attr_letters[] = {
  { 's', FS_SECRM_FL }, { 'u', FS_UNRM_FL }, { 'S', FS_SYNC_FL },
  { 'D', FS_DIRSYNC_FL }, { 'i', FS_IMMUTABLE_FL }, { 'a', FS_APPEND_FL },
  { 'd', FS_NODUMP_FL }, { 'A', FS_NOATIME_FL }, { 'c', FS_COMPR_FL },
  { 'E', FS_ENCRYPT_FL }, { 'j', FS_JOURNAL_DATA_FL }, { 'I', FS_INDEX_FL },
  { 't', FS_NOTAIL_FL }, { 'T', FS_TOPDIR_FL }, { 'e', FS_EXTENT_FL },
  { 'C', FS_NOCOW_FL }, { 'x', 0x02000000 /* DAX */ }, { 'F', 0x40000000 /* casefold */ },
  { 'N', 0x10000000 /* inline data */ }, { 'P', FS_PROJINHERIT_FL },
  { 'V', 0x00100000 /* verity */ }, { 'm', FS_NOCOMP_FL },
};
#define NLETTERS (sizeof attr_letters / sizeof attr_letters[0])

/* Open a regular file or directory of the guest for the attribute
 * ioctls.  Replies on failure. */
static int
open_for_ioctl (const char *file)
{
  CLEANUP_CLOSE int pfd = sysroot_open (file, O_PATH | O_CLOEXEC, 0);
  if (pfd == -1) {
    reply_with_perror ("%s", file);
    return -1;
  }
  struct stat st;
  if (fstat (pfd, &st) == -1) {
    reply_with_perror ("stat: %s", file);
    return -1;
  }
  if (!S_ISREG (st.st_mode) && !S_ISDIR (st.st_mode)) {
    reply_with_error_errno (EINVAL, "%s: not a regular file or directory", file);
    return -1;
  }
  CLEANUP_FREE char *p = fd_path (pfd);
  int fd = p ? open (p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
  if (fd == -1)
    reply_with_perror ("%s", file);
  return fd;
}

char *
do_get_e2attrs (const char *file)
{
  CLEANUP_CLOSE int fd = open_for_ioctl (file);
  if (fd == -1)
    return NULL;
  int flags = 0;
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) == -1) {
    reply_with_perror ("%s: reading attributes", file);
    return NULL;
  }
  char *r = malloc (NLETTERS + 1);
  if (r == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  /* The letters in byte order ("Sei", "Sst"), as libguestfs returns
   * them: the same set always gives the same string. */
  size_t n = 0;
  for (int c = 'A'; c <= 'z'; ++c)
    for (size_t i = 0; i < NLETTERS; ++i)
      if (attr_letters[i].c == c &&
          ((unsigned long) (unsigned int) flags & attr_letters[i].flag))
        r[n++] = (char) c;
  r[n] = '\0';
  return r;
}

int
do_set_e2attrs (const char *file, const char *attrs, int clear)
{
  unsigned long mask = 0;
  for (const char *p = attrs; *p; ++p) {
    size_t i;
    for (i = 0; i < NLETTERS; ++i)
      if (attr_letters[i].c == *p)
        break;
    if (i == NLETTERS) {
      reply_with_error_errno (EINVAL, "%s: unknown attribute '%c' (give the letters only, "
                              "without + or -)", attrs, *p);
      return -1;
    }
    if (mask & attr_letters[i].flag) {
      reply_with_error_errno (EINVAL, "%s: attribute '%c' given more than once", attrs, *p);
      return -1;
    }
    mask |= attr_letters[i].flag;
  }
  CLEANUP_CLOSE int fd = open_for_ioctl (file);
  if (fd == -1)
    return -1;
  int flags = 0;
  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) == -1) {
    reply_with_perror ("%s: reading attributes", file);
    return -1;
  }
  bool c = (optargs_bitmask & GUESTFS_SET_E2ATTRS_CLEAR_BITMASK) && clear;
  unsigned int nf = c ? ((unsigned int) flags & ~(unsigned int) mask)
                      : ((unsigned int) flags | (unsigned int) mask);
  flags = (int) nf;
  if (ioctl (fd, FS_IOC_SETFLAGS, &flags) == -1) {
    reply_with_perror ("%s: setting attributes '%s'", file, attrs);
    return -1;
  }
  return 0;
}

int64_t
do_get_e2generation (const char *file)
{
  CLEANUP_CLOSE int fd = open_for_ioctl (file);
  if (fd == -1)
    return -1;
  int gen = 0;
  if (ioctl (fd, FS_IOC_GETVERSION, &gen) == -1) {
    reply_with_perror ("%s: reading the generation", file);
    return -1;
  }
  return (int64_t) (uint32_t) gen;
}

int
do_set_e2generation (const char *file, int64_t generation)
{
  if (generation < 0 || generation > UINT32_MAX) {
    reply_with_error_errno (EINVAL, "generation %" PRIi64 " out of range 0..%" PRIu32,
                            generation, UINT32_MAX);
    return -1;
  }
  CLEANUP_CLOSE int fd = open_for_ioctl (file);
  if (fd == -1)
    return -1;
  int gen = (int) (uint32_t) generation;
  if (ioctl (fd, FS_IOC_SETVERSION, &gen) == -1) {
    reply_with_perror ("%s: setting the generation", file);
    return -1;
  }
  return 0;
}
