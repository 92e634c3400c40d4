/* Partition tables: part_init, part_add, part_del, part_disk, part_list,
 * part_get_parttype, part_{get,set}_bootable, part_{get,set}_mbr_id,
 * part_set_name.
 *
 * parted does the work (as it does for libguestfs, so tables look the
 * same); sfdisk handles the MBR type byte, which parted cannot read.
 * parted tells the kernel about each changed partition itself (BLKPG), and
 * devtmpfs creates the nodes; there is no udev, so after a change we poll
 * sysfs briefly (bounded) until the kernel's view matches the table. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "daemon.h"
#include "actions-gen.h"

/* How long to wait for the kernel's partition nodes to follow a change. */
#define SETTLE_TIMEOUT_MS 5000
#define SETTLE_POLL_MS    10

/* Run "parted -s -- DEVICE args...".  With -m the output is machine
 * readable.  On failure, replies with parted's message and returns -1;
 * on success *out (if not NULL) receives stdout. */
static int
run_parted (const char *device, char **out, const char *const *args)
{
  const char *argv[32];
  size_t n = 0;
  argv[n++] = "parted";
  argv[n++] = "-s";
  argv[n++] = "-m";
  argv[n++] = "--";
  argv[n++] = device;
  for (size_t i = 0; args[i] != NULL && n < 31; ++i)
    argv[n++] = args[i];
  argv[n] = NULL;

  CLEANUP_FREE char *o = NULL, *e = NULL;
  int r = command_run (NULL, &o, &e, argv);
  if (r != 0) {
    const char *msg = e && *e ? trim_newlines (e) : (o ? trim_newlines (o) : "");
    if (r == -1)
      reply_with_error ("parted: %s: %s", device, msg);
    else
      reply_with_error ("parted: %s: %s", device, msg);
    return -1;
  }
  if (out) {
    *out = o;
    o = NULL;
  }
  return 0;
}

/* ---- parsing "parted -m unit b print" ----
 *
 *   BYT;
 *   /dev/sda:1073741824B:scsi:512:512:msdos:QEMU QEMU HARDDISK:;
 *   1:32768B:524287B:491520B:ext2::boot;
 */
struct ptable {
  char label[32];
  uint64_t size;                /* device size, bytes */
  unsigned sector;              /* logical sector size */
  size_t n;
  struct pentry {
    int num;
    uint64_t start, end, size;
    char flags[128];
    char name[128];
  } *parts;
};

static void
free_ptable (struct ptable *t)
{
  free (t->parts);
  t->parts = NULL;
  t->n = 0;
}

/* Split a parted -m line on ':' (the line ends with ';').  Returns the
 * number of fields (at most max). */
static size_t
split_fields (char *line, char **f, size_t max)
{
  size_t len = strlen (line);
  while (len > 0 && (line[len - 1] == ';' || isspace ((unsigned char) line[len - 1])))
    line[--len] = '\0';
  size_t n = 0;
  char *p = line;
  while (n < max) {
    f[n++] = p;
    char *c = strchr (p, ':');
    if (c == NULL)
      break;
    *c = '\0';
    p = c + 1;
  }
  return n;
}

static int
parse_bytes (const char *s, uint64_t *v)
{
  char *end;
  errno = 0;
  unsigned long long x = strtoull (s, &end, 10);
  if (errno || end == s || (*end != 'B' && *end != '\0'))
    return -1;
  *v = x;
  return 0;
}

/* Parse parted's machine-readable print output into t.  Replies on
 * failure. */
static int
parse_ptable (const char *device, const char *out, struct ptable *t)
{
  memset (t, 0, sizeof *t);
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  if (lines == NULL) {
    reply_with_perror ("parted: %s", device);
    return -1;
  }
  size_t nl = count_strings (lines);
  t->parts = calloc (nl + 1, sizeof *t->parts);
  if (t->parts == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  bool seen_dev = false;
  for (size_t i = 0; i < nl; ++i) {
    char *f[10];
    if (strcmp (lines[i], "BYT;") == 0 || lines[i][0] == '\0')
      continue;
    size_t nf = split_fields (lines[i], f, 10);
    if (!seen_dev) {
      if (nf < 6 || parse_bytes (f[1], &t->size) == -1) {
        reply_with_error ("parted: %s: unexpected output: %s", device, lines[i]);
        free_ptable (t);
        return -1;
      }
      t->sector = (unsigned) strtoul (f[3], NULL, 10);
      snprintf (t->label, sizeof t->label, "%s", f[5]);
      seen_dev = true;
      continue;
    }
    struct pentry *p = &t->parts[t->n];
    char *end;
    long num = strtol (f[0], &end, 10);
    if (nf < 4 || *end || num <= 0 || num > INT_MAX ||
        parse_bytes (f[1], &p->start) == -1 || parse_bytes (f[2], &p->end) == -1 ||
        parse_bytes (f[3], &p->size) == -1) {
      reply_with_error ("parted: %s: unexpected output: %s", device, lines[i]);
      free_ptable (t);
      return -1;
    }
    p->num = (int) num;
    if (nf >= 6)
      snprintf (p->name, sizeof p->name, "%s", f[5]);
    if (nf >= 7)
      snprintf (p->flags, sizeof p->flags, "%s", f[nf - 1]);  /* names may hold colons */
    t->n++;
  }
  if (!seen_dev) {
    reply_with_error ("parted: %s: no device line in output", device);
    free_ptable (t);
    return -1;
  }
  return 0;
}

/* Read the table.  If need_label, an unrecognised label is an error
 * (parted's own message); otherwise label becomes "unknown".  Replies on
 * failure. */
static int
read_ptable (const char *device, struct ptable *t, bool need_label)
{
  const char *argv[] = { "parted", "-s", "-m", "--", device, "unit", "b", "print", NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  /* parted exits 1 for a disk without a label but still prints the
   * device line (label "unknown"). */
  if (r != 0 && (need_label || r == -1 || out == NULL || strstr (out, ":unknown:") == NULL)) {
    reply_with_error ("parted: %s: %s", device,
                      err && *err ? trim_newlines (err) : "parted failed");
    return -1;
  }
  if (parse_ptable (device, out ? out : "", t) == -1)
    return -1;
  if (need_label && strcmp (t->label, "unknown") == 0) {
    reply_with_error ("parted: %s: unrecognised disk label", device);
    free_ptable (t);
    return -1;
  }
  return 0;
}

/* ---- waiting for the kernel ---- */

static const char *
dev_basename (const char *device)
{
  const char *s = strrchr (device, '/');
  return s ? s + 1 : device;
}

/* Name of partition n of device: sda -> sda1, nvme0n1 -> nvme0n1p1. */
static void
part_name (char *buf, size_t len, const char *base, int n)
{
  size_t bl = strlen (base);
  bool digit = bl > 0 && isdigit ((unsigned char) base[bl - 1]);
  snprintf (buf, len, "%s%s%d", base, digit ? "p" : "", n);
}

/* Does the kernel's set of partitions of device equal the table's? */
static bool
kernel_matches (const char *device, const struct ptable *t)
{
  const char *base = dev_basename (device);
  char path[PATH_MAX], name[NAME_MAX];
  /* Every partition in the table has a node ... */
  for (size_t i = 0; i < t->n; ++i) {
    part_name (name, sizeof name, base, t->parts[i].num);
    snprintf (path, sizeof path, "/sys/block/%s/%s", base, name);
    if (access (path, F_OK) != 0)
      return false;
    snprintf (path, sizeof path, "/dev/%s", name);
    if (access (path, F_OK) != 0)
      return false;
  }
  /* ... and no other partition is left behind.  Numbers are small (MBR
   * logicals can go past 4, GPT up to 128). */
  for (int n = 1; n <= 128; ++n) {
    bool in_table = false;
    for (size_t i = 0; i < t->n; ++i)
      if (t->parts[i].num == n)
        in_table = true;
    if (in_table)
      continue;
    part_name (name, sizeof name, base, n);
    snprintf (path, sizeof path, "/sys/block/%s/%s", base, name);
    if (access (path, F_OK) == 0)
      return false;
  }
  return true;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Make sure the kernel follows the table now on disk: poll, and if it
 * does not catch up on its own ask it to re-read the table (which only
 * works when no partition is in use).  Replies on failure. */
static int
settle (const char *device, struct ptable *tp)
{
  struct ptable t = *tp;
  int waited = 0;
  bool reread = false;
  while (!kernel_matches (device, &t)) {
    if (!reread && waited >= 100) {
      int fd = open (device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd >= 0) {
        if (ioctl (fd, BLKRRPART, NULL) == -1 && verbose)
          fprintf (stderr, "BLKRRPART %s: %s\n", device, strerror (errno));
        close (fd);
      }
      reread = true;
    }
    if (waited >= SETTLE_TIMEOUT_MS) {
      free_ptable (&t);
      reply_with_error ("%s: the kernel did not pick up the new partition table "
                        "(is a partition in use?)", device);
      return -1;
    }
    sleep_ms (SETTLE_POLL_MS);
    waited += SETTLE_POLL_MS;
  }
  free_ptable (&t);
  return 0;
}

/* Run a parted command that changes the table, with "unit b print"
 * appended so the same run reports the new table, then wait for the
 * kernel to follow.  Replies on failure. */
static int
change_table (const char *device, const char *const *args)
{
  const char *full[24];
  size_t n = 0;
  for (size_t i = 0; args[i] && n < 20; ++i)
    full[n++] = args[i];
  full[n++] = "unit";
  full[n++] = "b";
  full[n++] = "print";
  full[n] = NULL;
  CLEANUP_FREE char *out = NULL;
  if (run_parted (device, &out, full) == -1)
    return -1;
  struct ptable t;
  if (parse_ptable (device, out, &t) == -1)
    return -1;
  return settle (device, &t);
}

/* ---- actions ---- */

/* Map the API's names to parted's label names; NULL if unknown. */
static const char *
parted_label (const char *parttype)
{
  static const struct { const char *api, *parted; } map[] = {
    { "mbr", "msdos" }, { "msdos", "msdos" }, { "gpt", "gpt" }, { "efi", "gpt" },
    { "aix", "aix" }, { "amiga", "amiga" }, { "rdb", "amiga" }, { "bsd", "bsd" },
    { "dasd", "dasd" }, { "dvh", "dvh" }, { "mac", "mac" }, { "pc98", "pc98" },
    { "sun", "sun" }, { "loop", "loop" }, { "atari", "atari" },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; ++i)
    if (strcmp (parttype, map[i].api) == 0)
      return map[i].parted;
  return NULL;
}

int
do_part_init (const char *device, const char *parttype)
{
  const char *label = parted_label (parttype);
  if (label == NULL) {
    reply_with_error ("%s: unknown partition type: common choices are \"gpt\" and \"msdos\"",
                      parttype);
    return -1;
  }
  const char *args[] = { "mklabel", label, NULL };
  return change_table (device, args);
}

/* "p"/"primary" etc. to parted's partition type word. */
static const char *
parted_prlogex (const char *prlogex)
{
  if (strcmp (prlogex, "p") == 0 || strcmp (prlogex, "primary") == 0)
    return "primary";
  if (strcmp (prlogex, "l") == 0 || strcmp (prlogex, "logical") == 0)
    return "logical";
  if (strcmp (prlogex, "e") == 0 || strcmp (prlogex, "extended") == 0)
    return "extended";
  return NULL;
}

static int
add_partition (const char *device, const char *type, int64_t startsect, int64_t endsect)
{
  char start[32], end[32];
  snprintf (start, sizeof start, "%" PRIi64 "s", startsect);
  snprintf (end, sizeof end, "%" PRIi64 "s", endsect);
  /* On GPT the word is taken as the partition's name, as with libguestfs. */
  const char *args[] = { "mkpart", type, start, end, NULL };
  return change_table (device, args);
}

int
do_part_add (const char *device, const char *prlogex, int64_t startsect, int64_t endsect)
{
  const char *type = parted_prlogex (prlogex);
  if (type == NULL) {
    reply_with_error ("prlogex: unknown partition type: %s: this should be "
                      "\"primary\", \"logical\" or \"extended\"", prlogex);
    return -1;
  }
  if (startsect < 0) {
    reply_with_error ("startsect cannot be negative (%" PRIi64 ")", startsect);
    return -1;
  }
  return add_partition (device, type, startsect, endsect);
}

int
do_part_del (const char *device, int partnum)
{
  if (partnum <= 0) {
    reply_with_error ("partition number must be >= 1");
    return -1;
  }
  char num[16];
  snprintf (num, sizeof num, "%d", partnum);
  const char *args[] = { "rm", num, NULL };
  return change_table (device, args);
}

int
do_part_disk (const char *device, const char *parttype)
{
  const char *label = parted_label (parttype);
  if (label == NULL) {
    reply_with_error ("%s: unknown partition type: common choices are \"gpt\" and \"msdos\"",
                      parttype);
    return -1;
  }
  /* Start at sector 128 (64 KiB, aligned) and stop 128 sectors before the
   * end, leaving room for the GPT backup: the layout libguestfs makes. */
  const char *args[] = { "mklabel", label, "mkpart", "primary", "128s", "-128s", NULL };
  return change_table (device, args);
}

struct guestfs_partition_list *
do_part_list (const char *device)
{
  struct ptable t;
  if (read_ptable (device, &t, true) == -1)
    return NULL;
  struct guestfs_partition_list *r = malloc (sizeof *r);
  if (r == NULL) {
    reply_with_perror ("malloc");
    free_ptable (&t);
    return NULL;
  }
  r->len = (uint32_t) t.n;
  r->val = calloc (t.n ? t.n : 1, sizeof *r->val);
  if (r->val == NULL) {
    reply_with_perror ("calloc");
    free (r);
    free_ptable (&t);
    return NULL;
  }
  for (size_t i = 0; i < t.n; ++i) {
    r->val[i].part_num = t.parts[i].num;
    r->val[i].part_start = t.parts[i].start;
    r->val[i].part_end = t.parts[i].end;
    r->val[i].part_size = t.parts[i].size;
  }
  free_ptable (&t);
  return r;
}

char *
do_part_get_parttype (const char *device)
{
  struct ptable t;
  if (read_ptable (device, &t, true) == -1)
    return NULL;
  char *r = strdup (t.label);
  free_ptable (&t);
  if (r == NULL)
    reply_with_perror ("strdup");
  return r;
}

/* Is word a member of parted's comma separated flag list "boot, lba"? */
static bool
has_flag (const char *flags, const char *word)
{
  size_t wl = strlen (word);
  const char *p = flags;
  while (*p) {
    while (*p == ' ' || *p == ',')
      p++;
    size_t l = strcspn (p, ",");
    while (l > 0 && p[l - 1] == ' ')
      l--;
    if (l == wl && strncmp (p, word, wl) == 0)
      return true;
    p += strcspn (p, ",");
  }
  return false;
}

int
do_part_get_bootable (const char *device, int partnum)
{
  struct ptable t;
  if (read_ptable (device, &t, true) == -1)
    return -1;
  for (size_t i = 0; i < t.n; ++i) {
    if (t.parts[i].num == partnum) {
      /* GPT has no active flag; parted calls the legacy BIOS bit
       * "legacy_boot" and shows "boot" for the ESP type. */
      bool b = has_flag (t.parts[i].flags, "boot");
      free_ptable (&t);
      return b;
    }
  }
  free_ptable (&t);
  reply_with_error ("%s: partition %d not found", device, partnum);
  return -1;
}

int
do_part_set_bootable (const char *device, int partnum, int bootable)
{
  char num[16];
  snprintf (num, sizeof num, "%d", partnum);
  const char *args[] = { "set", num, "boot", bootable ? "on" : "off", NULL };
  return change_table (device, args);
}

int
do_part_get_mbr_id (const char *device, int partnum)
{
  char num[16];
  snprintf (num, sizeof num, "%d", partnum);
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command (&out, &err, "sfdisk", "--part-type", device, num, NULL);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err ? trim_newlines (err) : "failed");
    return -1;
  }
  trim_newlines (out);
  char *end;
  errno = 0;
  unsigned long id = strtoul (out, &end, 16);
  if (errno || end == out || *end != '\0' || id > 0xff) {
    reply_with_error ("%s: partition %d: not an MBR partition (type \"%s\")",
                      device, partnum, out);
    return -1;
  }
  return (int) id;
}

int
do_part_set_mbr_id (const char *device, int partnum, int idbyte)
{
  if (idbyte < 0 || idbyte > 0xff) {
    reply_with_error ("idbyte: %d: MBR type must be between 0 and 0xff", idbyte);
    return -1;
  }
  char num[16], id[8];
  snprintf (num, sizeof num, "%d", partnum);
  snprintf (id, sizeof id, "%x", (unsigned) idbyte);
  /* The type byte is nothing the kernel cares about: do not make sfdisk
   * re-read the table (which fails while a partition is mounted). */
  CLEANUP_FREE char *err = NULL;
  int r = command (NULL, &err, "sfdisk", "--no-reread", "--no-tell-kernel",
                   "--part-type", device, num, id, NULL);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

int
do_part_set_name (const char *device, int partnum, const char *name)
{
  char num[16];
  snprintf (num, sizeof num, "%d", partnum);
  /* parted splits its arguments into words again, honouring quotes:
   * quote the name so spaces survive. */
  CLEANUP_FREE char *quoted = NULL;
  char q = strchr (name, '"') == NULL ? '"' : '\'';
  if (strchr (name, q) != NULL) {
    reply_with_error ("name: %s: a partition name cannot contain both kinds of quote", name);
    return -1;
  }
  if (asprintf (&quoted, "%c%s%c", q, name, q) == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  const char *args[] = { "name", num, quoted, NULL };
  return run_parted (device, NULL, args);
}
