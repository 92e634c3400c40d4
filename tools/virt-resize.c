/* virt-resize: copy a disk image to a bigger (or smaller) one, resizing
 * partitions and their content on the way (see virt-resize(1)).
 *
 * The work is in two halves.  The plan is computed first, from the
 * source's partition table and content and the options, before anything
 * is written: it decides every target partition's start and size (in
 * 512-byte sectors) and what happens to its content.  --dry-run stops
 * after printing it.  Then the appliance does the work: a fresh partition
 * table on the target with the same types, GUIDs, names and flags, the
 * boot loader area, a sparse copy of each partition, and, in a second
 * appliance session that sees only the target (the source's LVM would
 * otherwise appear twice), the growing of the content. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestfs.h"
#include "grow.h"
#include "options.h"
#include "progress.h"
#include "extents.h"
#include "run.h"
#include "util.h"
#include "uri.h"

static const char *program = "virt-resize";
#define SECTOR 512
#define MAX_PARTS 256

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: resize a virtual machine disk\n"
          "Usage:\n"
          "  %s [--options] indisk outdisk\n"
          "  (each a file, a device or a URI: see ADDING REMOTE STORAGE in guestfish(1))\n"
          "Options:\n"
          "  --align-first auto|never|always\n"
          "                       Move the first partition to an aligned start\n"
          "  --alignment N        Align partitions to N sectors (default 128)\n"
          "  -d|--debug           Same as -v (deprecated)\n"
          "  --delete PART        Do not copy partition PART\n"
          "  --expand PART        Give all the spare space to partition PART\n"
          "  --format FORMAT      Format of the input disk (default: probe)\n"
          "  --ignore PART        Make PART but leave it empty (all zeroes)\n"
          "  --lv-expand LV       Grow logical volume LV to fill its volume group\n"
          "  --machine-readable   Output for programs (alone: list capabilities)\n"
          "  -n|--dry-run         Print the plan, change nothing\n"
          "  --no-copy-boot-loader  Do not copy the sectors before the first partition\n"
          "  --no-expand-content  Grow partitions but not what they contain\n"
          "  --no-extra-partition Leave spare space unpartitioned\n"
          "  --no-sparse          Write zeroes too (for targets that are not zeroed)\n"
          "  --ntfsresize-force   Pass --force to ntfsresize\n"
          "  --output-format FORMAT  Format of the output disk (default: probe)\n"
          "  -q|--quiet           Print no summary or steps\n"
          "  --resize PART=SIZE   Make PART SIZE (N[bKMGT], +N, -N, N%%, +N%%, -N%%)\n"
          "  --resize-force PART=SIZE  The same, even below the content's size\n"
          "  --shrink PART        Shrink PART so the whole disk fits the target\n"
          "  --unknown-filesystems ignore|warn|error\n"
          "                       What to do with content that cannot be grown\n"
          "  --colors|--colours|--wrap|--debug-gc  Accepted and ignored\n"
          "  --long-options       List the long options\n"
          "  --short-options      List the short options\n"
          "  -v|--verbose         Debugging messages\n"
          "  -V|--version         Display the version and exit\n"
          "  -x                   Trace the library calls\n"
          "See virt-resize(1) for more.\n", program, program);
  exit (EXIT_SUCCESS);
}

#define die(...) tool_die (program, __VA_ARGS__)
#define warn(...) tool_warn (program, __VA_ARGS__)

static char *
xstrdup (const char *s)
{
  char *r = strdup (s ? s : "");
  if (!r) { perror ("strdup"); exit (EXIT_FAILURE); }
  return r;
}

static char * __attribute__((format (printf, 1, 2)))
xasprintf (const char *fmt, ...)
{
  char *r;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&r, fmt, ap);
  va_end (ap);
  if (n == -1) { perror ("asprintf"); exit (EXIT_FAILURE); }
  return r;
}

/* Sizes as virt-resize prints them: bytes below 1K, else one decimal
 * with K, M, G or T. */
static char *
size_str (int64_t bytes)
{
  const char *units = "KMGT";
  if (bytes < 1024 && bytes > -1024)
    return xasprintf ("%" PRIi64, bytes);
  double v = (double) bytes / 1024.0;
  int u = 0;
  while ((v >= 1024.0 || v <= -1024.0) && u < 3) { v /= 1024.0; u++; }
  return xasprintf ("%.1f%c", v, units[u]);
}

/* ---- the source, as found by the appliance ---------------------------- */

enum kind { K_PRIMARY, K_EXTENDED, K_LOGICAL };
enum content { C_UNKNOWN = TOOL_CONTENT_UNKNOWN, C_FS = TOOL_CONTENT_FS,
               C_PV = TOOL_CONTENT_PV, C_SWAP = TOOL_CONTENT_SWAP,
               C_EXTENDED = TOOL_CONTENT_EXTENDED };
enum op { OP_COPY, OP_RESIZE, OP_DELETE, OP_IGNORE };

struct part {
  int num;                    /* source partition number */
  char *dev;                  /* /dev/sdaN */
  enum kind kind;
  int64_t start, size;        /* sectors, in the source */
  /* MBR */
  int mbr_id;
  bool bootable;
  /* GPT */
  char *gpt_type, *gpt_guid, *name;
  int64_t gpt_attrs;
  /* content */
  enum content content;
  char *fstype;               /* vfs_type, "" when none */
  char *swap_uuid, *swap_label;
  int64_t content_size;       /* bytes the content needs, -1: unknown */
  /* the plan */
  enum op op;
  const char *op_option;      /* the option that chose op */
  bool expand, shrink, force;
  int64_t newsize;            /* sectors */
  int64_t ext_req;            /* extended: the size asked for (0: fit) */
  bool has_logicals;
  int tnum;                   /* target partition number */
  int64_t tstart;             /* target start sector */
  bool grow_content;          /* expand the content after the copy */
  const char *method;         /* how (NULL: cannot) */
};

static struct part parts[MAX_PARTS];
static size_t nparts;
static bool gpt;
static int64_t src_sectors, dst_sectors;

/* Options. */
static int64_t alignment = 128;
static bool tool_verbose;
static const char *align_first = "auto";
static bool dry_run, quiet, machine_readable, no_copy_boot_loader,
  no_expand_content, no_extra_partition, no_sparse, ntfsresize_force;
static const char *unknown_fs = "warn";
static const char *in_format, *out_format;
struct part_opt { const char *option; char *arg; };
static struct part_opt popts[512];
static size_t npopts;
static char *lv_expand[64];
static size_t nlv_expand;

/* The size in bytes of the content of DEV now (filesystem or PV), so a
 * partition is never made smaller than it; -1 when it cannot be told. */
static int64_t
content_size (guestfs_h *g, struct part *p)
{
  if (p->content == C_PV) {
    struct guestfs_lvm_pv_list *l = TOOL_QUIET (g, guestfs_pvs_full (g));
    int64_t r = -1;
    for (uint32_t i = 0; l && i < l->len; ++i)
      if (strcmp (l->val[i].pv_name, p->dev) == 0)
        r = (int64_t) l->val[i].pv_size;
    guestfs_free_lvm_pv_list (l);
    return r;
  }
  if (p->content == C_SWAP)
    return 0;                   /* recreated with mkswap at any size */
  if (p->content != C_FS)
    return -1;
  /* Both tools answer with a table: the size is blocks * block size. */
  char **h = NULL;
  const char *count_key = NULL, *bs_key = NULL;
  if (strncmp (p->fstype, "ext", 3) == 0) {
    h = TOOL_QUIET (g, guestfs_tune2fs_l (g, p->dev));
    count_key = "Block count", bs_key = "Block size";
  }
  else if (strcmp (p->fstype, "xfs") == 0) {
    h = TOOL_QUIET (g, guestfs_xfs_info2 (g, p->dev));
    count_key = "data.blocks", bs_key = "data.bsize";
  }
  int64_t count = -1, bs = -1;
  for (size_t i = 0; h && h[i] && h[i + 1]; i += 2) {
    if (strcmp (h[i], count_key) == 0) count = strtoll (h[i + 1], NULL, 10);
    if (strcmp (h[i], bs_key) == 0) bs = strtoll (h[i + 1], NULL, 10);
  }
  tool_free_strings (h);
  return count > 0 && bs > 0 ? count * bs : -1;
}

static struct part *
find_part (guestfs_h *g, const char *name, const char *option, const char *infile)
{
  char *canon = TOOL_QUIET (g, guestfs_canonical_device_name (g, name));
  for (size_t i = 0; i < nparts; ++i)
    if (strcmp (parts[i].dev, canon ? canon : name) == 0) {
      free (canon);
      return &parts[i];
    }
  die ("%s: partition not found in the source disk image (this error came "
       "from ‘%s’ option on the command line).  Try running this command: "
       "virt-filesystems --partitions --long -a %s", name, option, infile);
}

/* --resize PART=SIZE: the new size in sectors from SPEC and the old size. */
static int64_t
parse_resize (const char *spec, int64_t old, const char *part)
{
  const char *s = spec;
  int sign = 0;
  if (*s == '+') { sign = 1; s++; }
  else if (*s == '-') { sign = -1; s++; }
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (errno || end == s || v < 0)
    die ("%s: cannot parse size ‘%s’ (use N[bKMGT], +N, -N or N%%)", part, spec);
  int64_t bytes;
  if (strcmp (end, "%") == 0)
    bytes = (int64_t) ((double) old * SECTOR * v / 100.0);
  else {
    double mult;
    if (!*end || strcmp (end, "b") == 0) mult = 1;
    else if (strcmp (end, "K") == 0 || strcmp (end, "k") == 0) mult = 1024.0;
    else if (strcmp (end, "M") == 0) mult = 1024.0 * 1024;
    else if (strcmp (end, "G") == 0) mult = 1024.0 * 1024 * 1024;
    else if (strcmp (end, "T") == 0) mult = 1024.0 * 1024 * 1024 * 1024;
    else die ("%s: cannot parse size ‘%s’ (use N[bKMGT], +N, -N or N%%)", part, spec);
    bytes = (int64_t) (v * mult);
  }
  int64_t sectors = (bytes + SECTOR - 1) / SECTOR;
  int64_t r = sign == 0 ? sectors : old + sign * sectors;
  /* Whole 4 KiB blocks: filesystems (btrfs) refuse a device size that is
   * not a multiple of their block size. */
  r = (r + 7) / 8 * 8;
  if (r <= 0)
    die ("%s: the size ‘%s’ leaves no space in the partition", part, spec);
  return r;
}

static int64_t
align_up (int64_t s)
{
  return (s + alignment - 1) / alignment * alignment;
}

/* ---- the plan ------------------------------------------------------------ */

/* The target layout with the current newsize values: sets tstart and
 * tnum, returns the first sector after the last partition, and in
 * *PRIMARIES the number of primary slots used.  An extended partition
 * spans its logical ones (each after a sector for its EBR), or ext_req
 * sectors when that is more. */
static int64_t
layout (int *primaries)
{
  int64_t cur = -1;
  int num = 0, lnum = 4, prim = 0;
  struct part *ext = NULL;
  for (size_t i = 0; i <= nparts; ++i) {
    struct part *p = i < nparts ? &parts[i] : NULL;
    if (p && p->op == OP_DELETE) continue;
    if (ext && (!p || p->kind != K_LOGICAL)) {
      int64_t want = ext->ext_req ? ext->ext_req : ext->has_logicals ? 1 : ext->size;
      if (cur - ext->tstart > want) want = cur - ext->tstart;
      ext->newsize = want;
      cur = ext->tstart + want;
      ext = NULL;
    }
    if (!p) break;
    if (cur == -1) {
      /* The first partition starts where the source's first one did
       * (even when that one is deleted), unless it is to be aligned
       * (--align-first always). */
      p->tstart = strcmp (align_first, "always") == 0 ? align_up (parts[0].start)
        : parts[0].start;
    }
    else if (p->kind == K_LOGICAL)
      p->tstart = align_up (cur + 1);       /* a sector for its EBR */
    else
      p->tstart = align_up (cur);
    if (p->kind == K_LOGICAL) {
      p->tnum = ++lnum;
      cur = p->tstart + p->newsize;
      continue;
    }
    p->tnum = ++num;
    prim++;
    if (p->kind == K_EXTENDED) {
      ext = p;
      cur = p->tstart;
    }
    else
      cur = p->tstart + p->newsize;
  }
  if (primaries) *primaries = prim;
  return cur;
}

static int64_t
last_usable (void)
{
  return gpt ? dst_sectors - 34 : dst_sectors - 1;
}

static struct part *extra;    /* the extra partition, if any */
static struct part extra_part;

static void
plan (guestfs_h *g)
{
  struct part *expand = NULL, *shrink = NULL;
  for (size_t i = 0; i < nparts; ++i) {
    if (parts[i].expand) expand = &parts[i];
    if (parts[i].shrink) shrink = &parts[i];
  }
  int primaries;
  int64_t end = layout (&primaries);
  int64_t avail = last_usable () + 1;
  int64_t surplus = avail - end;
  if (surplus < 0) {
    if (!shrink)
      die ("You cannot use virt-resize to shrink a disk image this way: the "
           "target is %s too small for the partitions.  Use --shrink to "
           "shrink a partition (after shrinking its content), --resize or "
           "--delete, or make the target bigger.", size_str (-surplus * SECTOR));
    int64_t cut = align_up (-surplus);
    if (cut >= shrink->newsize)
      die ("%s: cannot be shrunk by %s to make the disk fit: it is only %s",
           shrink->dev, size_str (cut * SECTOR), size_str (shrink->newsize * SECTOR));
    shrink->newsize -= cut;
    shrink->op = OP_RESIZE;
    if (shrink->content_size >= 0 && shrink->newsize * SECTOR < shrink->content_size)
      die ("%s: this partition would have to shrink to %s, smaller than its "
           "content (%s).  Shrink the content first (for example with "
           "resize2fs or pvresize in guestfish).", shrink->dev,
           size_str (shrink->newsize * SECTOR), size_str (shrink->content_size));
    if (shrink->content_size < 0)
      die ("%s: cannot tell the size of the content of this partition (%s), "
           "so it cannot be shrunk safely; use --resize-force if its end "
           "holds nothing you need", shrink->dev,
           shrink->content == C_FS ? shrink->fstype : "unknown content");
    end = layout (&primaries);
  }
  else if (expand) {
    int64_t give = surplus / alignment * alignment;
    if (expand->kind == K_EXTENDED)
      expand->ext_req = expand->newsize + give;
    expand->newsize += give;
    expand->op = OP_RESIZE;
    end = layout (&primaries);
    /* When it is the last partition, it also takes the unaligned tail. */
    int64_t tail = avail - end;
    bool last = true;
    for (size_t i = 0; i < nparts; ++i)
      if (parts[i].op != OP_DELETE && parts[i].tstart > expand->tstart)
        last = false;
    tail = tail / 8 * 8;
    if (last && tail > 0) {
      expand->newsize += tail;
      end = layout (&primaries);
    }
  }
  if (end > avail)
    die ("the partitions do not fit on the target after alignment (%s too "
         "big); try a smaller --alignment", size_str ((end - avail) * SECTOR));
  surplus = avail - end;

  /* Shrinking a partition below its content. */
  for (size_t i = 0; i < nparts; ++i) {
    struct part *p = &parts[i];
    if (p->op != OP_RESIZE || p->newsize >= p->size || p->force || p->shrink ||
        p->kind == K_EXTENDED)
      continue;
    if (p->content_size < 0)
      die ("%s: cannot tell the size of the content of this partition (%s), "
           "so it cannot be shrunk safely; use --resize-force if its end "
           "holds nothing you need", p->dev,
           p->content == C_FS ? p->fstype : "unknown content");
    if (p->newsize * SECTOR < p->content_size)
      die ("%s: the new size %s is smaller than the content of this partition "
           "(%s).  Shrink the content first, or use --resize-force.",
           p->dev, size_str (p->newsize * SECTOR), size_str (p->content_size));
  }

  /* The content that grows with its partition. */
  for (size_t i = 0; i < nparts; ++i) {
    struct part *p = &parts[i];
    p->method = tool_grow_method (g, (enum tool_content) p->content, p->fstype);
    p->grow_content = !no_expand_content && p->op == OP_RESIZE &&
      p->newsize > p->size && p->kind != K_EXTENDED &&
      (p->content == C_FS || p->content == C_PV || p->content == C_SWAP);
    if (p->content == C_SWAP && p->op == OP_RESIZE && p->newsize != p->size &&
        !no_expand_content)
      p->grow_content = true;       /* a shrunk swap is made again too */
    if (p->grow_content && p->method && strcmp (p->fstype, "btrfs") == 0 &&
        p->newsize * SECTOR < 256 * 1024 * 1024) {
      /* Linux refuses to resize btrfs to less than 256 MiB. */
      p->grow_content = false;
      warn ("%s: btrfs cannot be resized to less than 256M: its filesystem "
            "will keep its old size", p->dev);
    }
    if (p->grow_content && !p->method) {
      p->grow_content = false;
      if (strcmp (unknown_fs, "error") == 0)
        die ("unknown/unavailable method for expanding the %s filesystem on %s",
             p->fstype, p->dev);
      if (strcmp (unknown_fs, "warn") == 0)
        warn ("unknown/unavailable method for expanding the %s filesystem on %s",
              p->fstype, p->dev);
    }
  }

  /* The extra partition, for spare space of 10 MB or more. */
  if (!expand && !no_extra_partition && surplus * SECTOR >= 10 * 1000 * 1000 &&
      (gpt || primaries < 4)) {
    int64_t start = align_up (end);
    if (start < avail && (avail - start) * SECTOR >= 10 * 1000 * 1000) {
      extra = &extra_part;
      extra->kind = K_PRIMARY;
      extra->tstart = start;
      extra->newsize = avail - start;
      extra->tnum = primaries + 1;
      extra->mbr_id = 0x83;
    }
  }
}

static void
print_summary (void)
{
  printf ("**********\n\nSummary of changes:\n\n");
  for (size_t i = 0; i < nparts; ++i) {
    struct part *p = &parts[i];
    char *old = size_str (p->size * SECTOR), *new = size_str (p->newsize * SECTOR);
    char *what = NULL;
    switch (p->op) {
    case OP_DELETE:
      printf ("virt-resize: %s: This partition will be deleted.\n\n", p->dev);
      break;
    case OP_IGNORE:
      printf ("virt-resize: %s: This partition will be created, but the "
              "contents will be ignored (ie. not copied to the target).\n\n", p->dev);
      break;
    case OP_COPY:
    case OP_RESIZE:
      if (p->newsize == p->size) {
        printf ("virt-resize: %s: This partition will be left alone.\n\n", p->dev);
        break;
      }
      if (p->grow_content) {
        char *thing = p->content == C_PV ? xstrdup ("LVM PV") :
          p->content == C_SWAP ? xstrdup ("swap") : xasprintf ("filesystem %s", p->fstype);
        what = xasprintf ("  The %s on %s will be %s using the ‘%s’ method.",
                          thing, p->dev, p->newsize > p->size ? "expanded" : "recreated",
                          p->method);
        free (thing);
      }
      printf ("virt-resize: %s: This partition will be resized from %s to %s.%s\n\n",
              p->dev, old, new, what ? what : "");
      break;
    }
    free (old); free (new); free (what);
  }
  for (size_t i = 0; i < nlv_expand; ++i)
    printf ("virt-resize: %s: This logical volume will be expanded to maximum "
            "size.%s\n\n", lv_expand[i],
            no_expand_content ? "" : "  The filesystem on it will be expanded too, "
            "if virt-resize knows how.");
  if (extra) {
    char *s = size_str (extra->newsize * SECTOR);
    printf ("virt-resize: There is a surplus of %s.  An extra partition will "
            "be created for the surplus.\n\n", s);
    free (s);
  }
  printf ("**********\n");
  fflush (stdout);
}

/* ---- the work ------------------------------------------------------------- */

static void
check (int r, guestfs_h *g)
{
  (void) g;
  if (r == -1) {
    tool_progress_done ();
    exit (EXIT_FAILURE);
  }
}

/* The target partition of P on the disk /dev/sdL. */
static char *
tdev (const struct part *p, char l)
{
  return xasprintf ("/dev/sd%c%d", l, p->tnum);
}

/* sfdisk's spelling of GPT attribute bits it knows by name (0-2) or
 * number (48-63); the other bits are set afterwards. */
static char *
gpt_attrs_str (int64_t attrs, int64_t *rest)
{
  static const char *names[] = { "RequiredPartition", "NoBlockIOProtocol",
                                 "LegacyBIOSBootable" };
  char *r = xstrdup ("");
  *rest = 0;
  for (int bit = 0; bit < 64; ++bit) {
    if (!((uint64_t) attrs & (UINT64_C(1) << bit))) continue;
    char *n;
    if (bit < 3) n = xasprintf ("%s%s%s", r, *r ? " " : "", names[bit]);
    else if (bit >= 48) n = xasprintf ("%s%sGUID:%d", r, *r ? " " : "", bit);
    else { *rest |= (int64_t) (UINT64_C(1) << bit); continue; }
    free (r);
    r = n;
  }
  return r;
}

/* A name sfdisk can take between double quotes as it is. */
static bool
plain_name (const char *s)
{
  for (; *s; ++s)
    if (*s == '"' || *s == '\\' || (unsigned char) *s < 0x20)
      return false;
  return true;
}

/* The whole target partition table in one sfdisk script (one call
 * instead of one parted or sgdisk run per partition and property). */
static void
make_partitions (guestfs_h *g)
{
  char *lines[MAX_PARTS + 8];
  size_t n = 0;
  lines[n++] = xasprintf ("label: %s", gpt ? "gpt" : "dos");
  lines[n++] = xstrdup ("unit: sectors");
  if (gpt) {
    char *guid = TOOL_QUIET (g, guestfs_part_get_disk_guid (g, "/dev/sda"));
    if (guid)
      lines[n++] = xasprintf ("label-id: %s", guid);
    free (guid);
  }
  struct { int num; int64_t attrs; const char *name; } later[MAX_PARTS + 1];
  size_t nlater = 0;
  for (size_t i = 0; i <= nparts; ++i) {
    struct part *p = i < nparts ? &parts[i] : extra;
    if (!p || p->op == OP_DELETE) continue;
    char *l;
    if (gpt) {
      int64_t rest = 0;
      char *a = gpt_attrs_str (p->gpt_attrs, &rest);
      char *attrs = *a ? xasprintf (", attrs=\"%s\"", a) : xstrdup ("");
      free (a);
      const char *type = p->gpt_type ? p->gpt_type : "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
      bool name_ok = !p->name || plain_name (p->name);
      l = xasprintf ("/dev/sdb%d : start=%" PRIi64 ", size=%" PRIi64 ", type=%s%s%s%s%s%s%s",
                     p->tnum, p->tstart, p->newsize, type,
                     p->gpt_guid ? ", uuid=" : "", p->gpt_guid ? p->gpt_guid : "",
                     name_ok && p->name && *p->name ? ", name=\"" : "",
                     name_ok && p->name && *p->name ? p->name : "",
                     name_ok && p->name && *p->name ? "\"" : "",
                     attrs);
      free (attrs);
      if (rest || !name_ok) {
        later[nlater].num = p->tnum;
        later[nlater].attrs = rest ? p->gpt_attrs : -1;
        later[nlater].name = name_ok ? NULL : p->name;
        nlater++;
      }
    }
    else
      l = xasprintf ("/dev/sdb%d : start=%" PRIi64 ", size=%" PRIi64 ", type=%x%s",
                     p->tnum, p->tstart, p->newsize,
                     p->kind == K_EXTENDED && !p->mbr_id ? 5 : p->mbr_id ? p->mbr_id : 0x83,
                     p->bootable ? ", bootable" : "");
    lines[n++] = l;
  }
  lines[n] = NULL;
  if (tool_verbose)
    for (size_t i = 0; i < n; ++i)
      fprintf (stderr, "%s: sfdisk: %s\n", program, lines[i]);
  int r = guestfs_sfdisk (g, "/dev/sdb", 0, 0, 0, lines);
  for (size_t i = 0; i < n; ++i) free (lines[i]);
  check (r, g);
  for (size_t i = 0; i < nlater; ++i) {
    if (later[i].attrs != -1)
      check (guestfs_part_set_gpt_attributes (g, "/dev/sdb", later[i].num, later[i].attrs), g);
    if (later[i].name)
      check (guestfs_part_set_name (g, "/dev/sdb", later[i].num, later[i].name), g);
  }
  check (guestfs_blockdev_rereadpt (g, "/dev/sdb"), g);
}

/* The boot loader area: the boot code of sector 0 (with the MBR disk
 * signature) and the sectors between the partition table and the first
 * partition (GRUB's core.img on MBR disks, for example). */
static void
copy_boot_loader (guestfs_h *g)
{
  int64_t first = -1, tfirst = -1;
  for (size_t i = 0; i < nparts; ++i)
    if (parts[i].op != OP_DELETE) {
      if (first == -1 || parts[i].start < first) first = parts[i].start;
      if (tfirst == -1 || parts[i].tstart < tfirst) tfirst = parts[i].tstart;
    }
  if (first == -1)
    first = tfirst = 2048;
  check (guestfs_copy_device_to_device (g, "/dev/sda", "/dev/sdb",
                                        GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, (int64_t) 446,
                                        -1), g);
  int64_t from = gpt ? 34 : 1;
  int64_t to = first < tfirst ? first : tfirst;
  if (to > from)
    check (guestfs_copy_device_to_device (g, "/dev/sda", "/dev/sdb",
                                          GUESTFS_COPY_DEVICE_TO_DEVICE_SRCOFFSET, from * SECTOR,
                                          GUESTFS_COPY_DEVICE_TO_DEVICE_DESTOFFSET, from * SECTOR,
                                          GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, (to - from) * SECTOR,
                                          GUESTFS_COPY_DEVICE_TO_DEVICE_SPARSE, !no_sparse,
                                          -1), g);
}

/* The source's allocation map (tools/common/extents.h), or nmap -1:
 * copy everything. */
static struct tool_extent *map;
static ssize_t nmap = -1;

/* Copy partition p: only the extents of the source that hold data when
 * the target is known to read as zeroes (not --no-sparse) and the map is
 * known; the rest of the target stays a hole. */
static void
copy_partitions (guestfs_h *g)
{
  for (size_t i = 0; i < nparts; ++i) {
    struct part *p = &parts[i];
    if (p->op == OP_DELETE || p->op == OP_IGNORE || p->kind == K_EXTENDED)
      continue;
    int64_t n = (p->size < p->newsize ? p->size : p->newsize) * SECTOR;
    int64_t from = p->start * SECTOR, to = p->tstart * SECTOR;
    tool_step (quiet, "Copying %s", p->dev);
    if (no_sparse || nmap < 0) {
      char *dst = tdev (p, 'b');
      check (guestfs_copy_device_to_device (g, p->dev, dst,
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, n,
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_SPARSE, !no_sparse,
                                            -1), g);
      free (dst);
      continue;
    }
    int64_t total = tool_extents_bytes (map, (size_t) nmap, from, n), done = 0;
    if (tool_verbose)
      fprintf (stderr, "virt-resize: %s: %" PRId64 " of %" PRId64 " bytes hold data\n",
               p->dev, total, n);
    for (ssize_t k = 0; k < nmap && total > 0; ++k) {
      int64_t a = map[k].offset > from ? map[k].offset : from;
      int64_t b = map[k].offset + map[k].length < from + n ? map[k].offset + map[k].length : from + n;
      if (b <= a)
        continue;
      tool_progress_span ((uint64_t) done, (uint64_t) total);
      check (guestfs_copy_device_to_device (g, "/dev/sda", "/dev/sdb",
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_SRCOFFSET, a,
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_DESTOFFSET, a - from + to,
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_SIZE, b - a,
                                            GUESTFS_COPY_DEVICE_TO_DEVICE_SPARSE, 1,
                                            -1), g);
      done += b - a;
    }
    tool_progress_span (0, 0);
    tool_progress_done ();
  }
}

/* Grow the content of DEV (a target partition or an LV) with METHOD. */
static void
grow (guestfs_h *g, const char *dev, const char *method, const struct part *p)
{
  struct tool_grow_opts o = { .swap_label = p ? p->swap_label : NULL,
                              .swap_uuid = p ? p->swap_uuid : NULL,
                              .ntfsresize_force = ntfsresize_force };
  check (tool_grow_content (g, dev, method, &o), g);
}

/* Add the target (a file, a device or a URI) in out_format. */
static void
add_output (guestfs_h *g, const char *outfile, bool readonly)
{
  struct guestfs_add_drive_opts_argv a = {
    .bitmask = GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK, .format = out_format,
  };
  if (readonly) {
    a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
    a.readonly = 1;
  }
  if (hatch_uri_add_drive (g, program, outfile, &a) == -1)
    exit (EXIT_FAILURE);
}

int
main (int argc, char *argv[])
{
  tool_step (true, " ");        /* start the clock */
  struct tool_options o = { .program = program };
  static const char short_options[] = "dnqvVx";
  enum { O_ALIGN_FIRST = 0x200, O_ALIGNMENT, O_DELETE, O_EXPAND, O_IGNORE,
         O_LV_EXPAND, O_MR, O_NO_COPY_BOOT, O_NO_EXPAND, O_NO_EXTRA,
         O_NO_SPARSE, O_NTFS_FORCE, O_OUTPUT_FORMAT, O_RESIZE, O_RESIZE_FORCE,
         O_SHRINK, O_UNKNOWN_FS, O_NOOP, O_HELP, O_FORMAT };
  static const struct option long_options[] = {
    { "align-first", required_argument, NULL, O_ALIGN_FIRST },
    { "alignment", required_argument, NULL, O_ALIGNMENT },
    TOOL_COLOUR_LONG_OPTIONS (O_NOOP),
    TOOL_OCAML_LONG_OPTIONS (O_NOOP),
    { "debug", no_argument, NULL, 'd' },
    { "delete", required_argument, NULL, O_DELETE },
    { "dry-run", no_argument, NULL, 'n' },
    { "dryrun", no_argument, NULL, 'n' },
    { "expand", required_argument, NULL, O_EXPAND },
    { "format", required_argument, NULL, O_FORMAT },
    { "help", no_argument, NULL, O_HELP },
    { "ignore", required_argument, NULL, O_IGNORE },
    { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS },
    { "lv-expand", required_argument, NULL, O_LV_EXPAND },
    { "LV-expand", required_argument, NULL, O_LV_EXPAND },
    { "lvexpand", required_argument, NULL, O_LV_EXPAND },
    { "LVexpand", required_argument, NULL, O_LV_EXPAND },
    { "machine-readable", optional_argument, NULL, O_MR },
    { "no-copy-boot-loader", no_argument, NULL, O_NO_COPY_BOOT },
    { "no-expand-content", no_argument, NULL, O_NO_EXPAND },
    { "no-extra-partition", no_argument, NULL, O_NO_EXTRA },
    { "no-sparse", no_argument, NULL, O_NO_SPARSE },
    { "ntfsresize-force", no_argument, NULL, O_NTFS_FORCE },
    { "output-format", required_argument, NULL, O_OUTPUT_FORMAT },
    { "quiet", no_argument, NULL, 'q' },
    { "resize", required_argument, NULL, O_RESIZE },
    { "resize-force", required_argument, NULL, O_RESIZE_FORCE },
    { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS },
    { "shrink", required_argument, NULL, O_SHRINK },
    { "unknown-filesystems", required_argument, NULL, O_UNKNOWN_FS },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  bool mr_alone = false;
  int c;
  while ((c = getopt_long (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case O_HELP: usage (EXIT_SUCCESS);
    case 'd': o.verbose = true; break;
    case 'v': o.verbose = true; break;
    case 'n': dry_run = true; break;
    case 'q': quiet = true; break;
    case O_NOOP: break;
    case O_ALIGN_FIRST:
      if (strcmp (optarg, "auto") && strcmp (optarg, "never") && strcmp (optarg, "always"))
        die ("unknown --align-first option: use never|always|auto");
      align_first = optarg;
      break;
    case O_ALIGNMENT: {
      char *end;
      long long a = strtoll (optarg, &end, 10);
      if (*end || end == optarg || a < 1 || a > (1 << 24))
        die ("alignment cannot be < 1");
      alignment = a;
      break;
    }
    case O_FORMAT: in_format = optarg; break;
    case O_OUTPUT_FORMAT: out_format = optarg; break;
    case O_UNKNOWN_FS:
      if (strcmp (optarg, "ignore") && strcmp (optarg, "warn") && strcmp (optarg, "error"))
        die ("unknown --unknown-filesystems: use ignore|warn|error");
      unknown_fs = optarg;
      break;
    case O_MR:
      machine_readable = true;
      if (optarg && *optarg)
        die ("--machine-readable: only the plain form is supported "
             "(output to stdout)");
      break;
    case O_NO_COPY_BOOT: no_copy_boot_loader = true; break;
    case O_NO_EXPAND: no_expand_content = true; break;
    case O_NO_EXTRA: no_extra_partition = true; break;
    case O_NO_SPARSE: no_sparse = true; break;
    case O_NTFS_FORCE: ntfsresize_force = true; break;
    case O_LV_EXPAND:
      if (nlv_expand < sizeof lv_expand / sizeof *lv_expand)
        lv_expand[nlv_expand++] = optarg;
      else
        die ("too many --lv-expand options");
      break;
    case O_DELETE: case O_EXPAND: case O_IGNORE: case O_RESIZE:
    case O_RESIZE_FORCE: case O_SHRINK: {
      if (npopts >= sizeof popts / sizeof *popts)
        die ("too many partition options");
      const char *name = c == O_DELETE ? "--delete" : c == O_EXPAND ? "--expand" :
        c == O_IGNORE ? "--ignore" : c == O_RESIZE ? "--resize" :
        c == O_RESIZE_FORCE ? "--resize-force" : "--shrink";
      if ((c == O_EXPAND || c == O_SHRINK))
        for (size_t i = 0; i < npopts; ++i)
          if (strcmp (popts[i].option, name) == 0)
            die ("%s option given twice", name);
      popts[npopts].option = name;
      popts[npopts].arg = optarg;
      npopts++;
      break;
    }
    default: {
      int r = tool_option (&o, c, optarg);
      if (r == 1) break;
      if (r == -1) exit (EXIT_FAILURE);
      usage (EXIT_FAILURE);
    }
    }
  }
  bool have_expand = false, have_shrink = false;
  for (size_t i = 0; i < npopts; ++i) {
    if (strcmp (popts[i].option, "--expand") == 0) have_expand = true;
    if (strcmp (popts[i].option, "--shrink") == 0) have_shrink = true;
  }
  if (have_expand && have_shrink)
    die ("you cannot use options --expand and --shrink together");

  if (machine_readable && argc - optind == 0) {
    mr_alone = true;
    printf ("virt-resize\nntfsresize-force\n32bitok\n128-sector-alignment\n"
            "alignment\nalign-first\n");
    guestfs_h *g = guestfs_create ();
    if (g && guestfs_add_drive_scratch (g, 1 << 20, -1) == 0 && guestfs_launch (g) == 0) {
      static const char *features[][2] = {
        { "ntfs3g", "ntfs" }, { "btrfs", "btrfs" }, { "xfs", "xfs" }, { "f2fs", "f2fs" },
      };
      for (size_t i = 0; i < 4; ++i)
        if (TOOL_QUIET (g, guestfs_feature_available (g, (char *[]) { (char *) features[i][0], NULL })) == 1)
          printf ("%s\n", features[i][1]);
      guestfs_shutdown (g);
    }
    if (g) guestfs_close (g);
    exit (EXIT_SUCCESS);
  }
  (void) mr_alone;
  if (argc - optind != 2)
    die ("usage is: %s [--options] indisk outdisk", program);
  const char *infile = argv[optind], *outfile = argv[optind + 1];
  if (strcmp (infile, outfile) == 0)
    die ("the input and output disks must be different files");

  /* Either disk may be a URI naming remote storage (nbd://, http:// ...,
   * as guestfish's -a): the host never opens one, the appliance does. */
  bool in_remote = hatch_uri_is_remote (infile), out_remote = hatch_uri_is_remote (outfile);

  /* A local target's size from its header, before anything is attached;
   * a remote one's from the appliance (a remote target of unknown format
   * is taken as raw: probing a writable disk is unsafe). */
  guestfs_h *g = guestfs_create ();
  if (!g) die ("could not create the libguestfs handle");
  guestfs_set_verbose (g, o.verbose);
  guestfs_set_trace (g, o.trace);
  tool_verbose = o.verbose;
  if (!out_format) {
    char *f = out_remote ? xstrdup ("raw") : guestfs_disk_format (g, outfile);
    if (!f) exit (EXIT_FAILURE);
    if (strcmp (f, "unknown") == 0) { free (f); f = xstrdup ("raw"); }
    out_format = f;
  }
  int64_t outbytes = -1;
  if (!out_remote) {
    outbytes = guestfs_disk_virtual_size (g, outfile);
    if (outbytes == -1) exit (EXIT_FAILURE);
    dst_sectors = outbytes / SECTOR;
  }

  tool_step (quiet, "Examining %s", infile);
  if (!dry_run && !no_sparse && !in_remote) {
    /* Which parts of the source hold data: only those are copied. */
    char *probed = in_format ? NULL : TOOL_QUIET (g, guestfs_disk_format (g, infile));
    const char *fmt = in_format ? in_format
      : probed && strcmp (probed, "unknown") != 0 ? probed : "raw";
    nmap = tool_allocated_extents (infile, fmt, &map);
    if (tool_verbose)
      fprintf (stderr, "virt-resize: allocation map of %s: %zd extents%s\n", infile, nmap,
               nmap < 0 ? " (none: every byte is copied)" : "");
    free (probed);
  }
  struct guestfs_add_drive_opts_argv in_opts = {
    .bitmask = GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK, .readonly = 1,
  };
  if (in_format) {
    in_opts.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
    in_opts.format = in_format;
  }
  if (hatch_uri_add_drive (g, program, infile, &in_opts) == -1)
    exit (EXIT_FAILURE);
  /* A dry run adds a remote target too (read-only) to learn its size. */
  if (!dry_run || out_remote)
    add_output (g, outfile, dry_run);
  tool_progress_register (g, machine_readable, quiet);
  if (guestfs_launch (g) == -1)
    exit (EXIT_FAILURE);

  int64_t inbytes = guestfs_blockdev_getsize64 (g, "/dev/sda");
  if (inbytes == -1) exit (EXIT_FAILURE);
  if (out_remote) {
    outbytes = guestfs_blockdev_getsize64 (g, "/dev/sdb");
    if (outbytes == -1) exit (EXIT_FAILURE);
    dst_sectors = outbytes / SECTOR;
  }
  src_sectors = inbytes / SECTOR;
  if (o.verbose)
    fprintf (stderr, "%s: %s size %" PRIi64 " bytes\n%s: %s size %" PRIi64 " bytes\n",
             program, infile, inbytes, program, outfile, outbytes);

  char *ptype = TOOL_QUIET (g, guestfs_part_get_parttype (g, "/dev/sda"));
  if (!ptype)
    die ("%s: the input disk has no partition table that virt-resize can "
         "read (MBR or GPT are supported)", infile);
  if (strcmp (ptype, "gpt") == 0) gpt = true;
  else if (strcmp (ptype, "msdos") != 0)
    die ("%s: partition table type ‘%s’ is not supported (only MBR and GPT)",
         infile, ptype);
  free (ptype);

  /* Activate LVM so the PVs are seen (read-only source). */
  TOOL_QUIET (g, guestfs_vg_activate_all (g, 1));

  struct guestfs_partition_list *pl = guestfs_part_list (g, "/dev/sda");
  if (!pl) exit (EXIT_FAILURE);
  if (pl->len > MAX_PARTS) die ("too many partitions in the input disk");
  for (uint32_t i = 0; i < pl->len; ++i) {
    struct part *p = &parts[nparts++];
    p->num = pl->val[i].part_num;
    p->dev = xasprintf ("/dev/sda%d", p->num);
    p->start = (int64_t) pl->val[i].part_start / SECTOR;
    p->size = (int64_t) pl->val[i].part_size / SECTOR;
    p->newsize = p->size;
    p->content_size = -1;
    p->fstype = xstrdup ("");
    if (gpt) {
      p->gpt_type = guestfs_part_get_gpt_type (g, "/dev/sda", p->num);
      p->gpt_guid = guestfs_part_get_gpt_guid (g, "/dev/sda", p->num);
      p->name = TOOL_QUIET (g, guestfs_part_get_name (g, "/dev/sda", p->num));
      p->gpt_attrs = guestfs_part_get_gpt_attributes (g, "/dev/sda", p->num);
      if (!p->gpt_type || !p->gpt_guid || p->gpt_attrs == -1)
        exit (EXIT_FAILURE);
    }
    else {
      char *k = guestfs_part_get_mbr_part_type (g, "/dev/sda", p->num);
      if (!k) exit (EXIT_FAILURE);
      p->kind = strcmp (k, "extended") == 0 ? K_EXTENDED :
        strcmp (k, "logical") == 0 ? K_LOGICAL : K_PRIMARY;
      free (k);
      p->mbr_id = guestfs_part_get_mbr_id (g, "/dev/sda", p->num);
      int b = guestfs_part_get_bootable (g, "/dev/sda", p->num);
      if (p->mbr_id == -1 || b == -1) exit (EXIT_FAILURE);
      p->bootable = b;
    }
    if (p->kind == K_EXTENDED) {
      p->content = C_EXTENDED;
      continue;
    }
    if (p->kind == K_LOGICAL)
      for (size_t j = 0; j + 1 < nparts; ++j)
        if (parts[j].kind == K_EXTENDED) {
          parts[j].has_logicals = true;
          parts[j].ext_req = parts[j].size;   /* keeps its size by default */
        }
    char *t = TOOL_QUIET (g, guestfs_vfs_type (g, p->dev));
    if (t && *t) {
      free (p->fstype);
      p->fstype = t;
      if (strcmp (t, "LVM2_member") == 0) p->content = C_PV;
      else if (strcmp (t, "swap") == 0) {
        p->content = C_SWAP;
        p->swap_uuid = TOOL_QUIET (g, guestfs_vfs_uuid (g, p->dev));
        p->swap_label = TOOL_QUIET (g, guestfs_vfs_label (g, p->dev));
      }
      else p->content = C_FS;
    }
    else free (t);
    p->content_size = content_size (g, p);
  }
  guestfs_free_partition_list (pl);
  if (nparts == 0)
    die ("%s: the input disk has no partitions", infile);

  /* The partition options, in command line order. */
  for (size_t i = 0; i < npopts; ++i) {
    const char *opt = popts[i].option;
    char *arg = popts[i].arg, *eq = NULL;
    if (strncmp (opt, "--resize", 8) == 0) {
      eq = strchr (arg, '=');
      if (!eq) die ("%s: missing size (use %s PART=SIZE)", arg, opt);
      *eq = '\0';
    }
    struct part *p = find_part (g, arg, opt, infile);
    if (p->op != OP_COPY || p->expand || p->shrink)
      die ("%s: this partition has already been marked for %s (by %s)", p->dev,
           p->op == OP_DELETE ? "deletion" : p->op == OP_IGNORE ? "ignoring" : "resizing",
           p->op_option);
    p->op_option = opt;
    if (strcmp (opt, "--delete") == 0) p->op = OP_DELETE;
    else if (strcmp (opt, "--ignore") == 0) p->op = OP_IGNORE;
    else if (strcmp (opt, "--expand") == 0) p->expand = true;
    else if (strcmp (opt, "--shrink") == 0) p->shrink = true;
    else {
      p->op = OP_RESIZE;
      p->force = strcmp (opt, "--resize-force") == 0;
      p->newsize = parse_resize (eq + 1, p->size, p->dev);
      if (p->kind == K_EXTENDED) p->ext_req = p->newsize;
    }
    if (p->kind == K_EXTENDED && (p->shrink || p->op == OP_IGNORE))
      die ("%s: %s cannot be used on an extended partition (name one of "
           "its logical partitions)", p->dev, opt);
    if (p->kind == K_LOGICAL && (p->op == OP_DELETE || p->shrink ||
                                 (p->op == OP_RESIZE && p->newsize < p->size)))
      for (size_t j = 0; j < nparts; ++j)
        if (parts[j].kind == K_EXTENDED && parts[j].ext_req == parts[j].size)
          parts[j].ext_req = 0;
    if (p->kind == K_EXTENDED && p->op == OP_DELETE)
      for (size_t j = 0; j < nparts; ++j)
        if (parts[j].kind == K_LOGICAL) { parts[j].op = OP_DELETE; parts[j].op_option = opt; }
  }

  /* --lv-expand: the LV must exist. */
  if (nlv_expand) {
    char **lvs = guestfs_lvs (g);
    if (!lvs) exit (EXIT_FAILURE);
    for (size_t i = 0; i < nlv_expand; ++i) {
      char *canon = TOOL_QUIET (g, guestfs_canonical_device_name (g, lv_expand[i]));
      bool found = false;
      for (size_t j = 0; lvs[j]; ++j)
        if (strcmp (lvs[j], canon ? canon : lv_expand[i]) == 0) found = true;
      if (!found)
        die ("%s: logical volume not found in the source disk image (this "
             "error came from ‘--lv-expand’ option on the command line).  Try "
             "running this command: virt-filesystems --logical-volumes --long -a %s",
             lv_expand[i], infile);
      if (canon) lv_expand[i] = canon;
    }
    tool_free_strings (lvs);
  }

  plan (g);
  if (!quiet)
    print_summary ();

  if (dry_run) {
    if (!quiet)
      printf ("virt-resize: Dry run mode: no changes have been made.\n");
    guestfs_shutdown (g);
    guestfs_close (g);
    return EXIT_SUCCESS;
  }

  tool_step (quiet, "Setting up initial partition table on %s", outfile);
  make_partitions (g);
  if (!no_copy_boot_loader)
    copy_boot_loader (g);
  copy_partitions (g);
  if (extra) {
    /* Nothing to copy: an empty partition. */
  }
  check (guestfs_sync (g), g);
  check (guestfs_shutdown (g), g);
  guestfs_close (g);

  bool any_grow = nlv_expand > 0 && !no_expand_content;
  for (size_t i = 0; i < nparts; ++i)
    if (parts[i].grow_content) any_grow = true;
  if (any_grow || nlv_expand) {
    g = guestfs_create ();
    if (!g) die ("could not create the libguestfs handle");
    guestfs_set_verbose (g, o.verbose);
    guestfs_set_trace (g, o.trace);
    add_output (g, outfile, false);
    tool_progress_register (g, machine_readable, quiet);
    if (guestfs_launch (g) == -1)
      exit (EXIT_FAILURE);
    for (size_t i = 0; i < nparts; ++i) {
      struct part *p = &parts[i];
      if (!p->grow_content) continue;
      char *dev = tdev (p, 'a');
      if (strcmp (p->dev + 7, dev + 7) == 0)
        tool_step (quiet, "Expanding %s using the ‘%s’ method", p->dev, p->method);
      else
        tool_step (quiet, "Expanding %s (now %s) using the ‘%s’ method", p->dev,
                   dev, p->method);
      if (strcmp (p->method, "pvresize") == 0)
        TOOL_QUIET (g, guestfs_vg_activate_all (g, 0));
      grow (g, dev, p->method, p);
      free (dev);
    }
    if (nlv_expand) {
      check (guestfs_vg_activate_all (g, 1), g);
      for (size_t i = 0; i < nlv_expand; ++i) {
        tool_step (quiet, "Expanding %s", lv_expand[i]);
        check (guestfs_lvresize_free (g, lv_expand[i], 100), g);
        if (no_expand_content) continue;
        char *t = TOOL_QUIET (g, guestfs_vfs_type (g, lv_expand[i]));
        enum content ct = !t || !*t ? C_UNKNOWN : strcmp (t, "swap") == 0 ? C_SWAP :
          strcmp (t, "LVM2_member") == 0 ? C_UNKNOWN : C_FS;
        const char *m = tool_grow_method (g, (enum tool_content) ct, t ? t : "");
        if (!m) {
          if (strcmp (unknown_fs, "error") == 0)
            die ("unknown/unavailable method for expanding the %s filesystem on %s",
                 t && *t ? t : "unknown", lv_expand[i]);
          if (strcmp (unknown_fs, "warn") == 0)
            warn ("unknown/unavailable method for expanding the %s filesystem on %s",
                  t && *t ? t : "unknown", lv_expand[i]);
        }
        else {
          struct part lp = { .content = ct };
          if (ct == C_SWAP) {
            lp.swap_uuid = TOOL_QUIET (g, guestfs_vfs_uuid (g, lv_expand[i]));
            lp.swap_label = TOOL_QUIET (g, guestfs_vfs_label (g, lv_expand[i]));
          }
          grow (g, lv_expand[i], m, &lp);
          free (lp.swap_uuid); free (lp.swap_label);
        }
        free (t);
      }
    }
    check (guestfs_sync (g), g);
    check (guestfs_shutdown (g), g);
    guestfs_close (g);
  }
  if (!quiet)
    printf ("\nvirt-resize: Resize operation completed with no errors.  Before deleting the "
            "old disk, carefully check that the resized disk boots and works "
            "correctly.\n");
  return EXIT_SUCCESS;
}
