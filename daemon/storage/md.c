/* Linux software RAID (md): create, stop, inspect, list. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

static int
run_mdadm (char **out, const char *what, const char *const *argv)
{
  CLEANUP_FREE char *err = NULL;
  char *o = NULL;
  int r = command_run (NULL, &o, &err, argv);
  if (r != 0) {
    free (o);
    reply_with_error ("%s: %s", what, err && *err ? trim_newlines (err) : "mdadm failed");
    return -1;
  }
  if (out)
    *out = o;
  else
    free (o);
  return 0;
}

/* The kernel name ("md127") of an md device given by any name, or NULL. */
static char *
md_kernel_name (const char *md)
{
  struct stat st;
  if (stat (md, &st) == -1 || !S_ISBLK (st.st_mode))
    return NULL;
  char link[128], target[PATH_MAX], dir[PATH_MAX + 32];
  snprintf (link, sizeof link, "/sys/dev/block/%u:%u", major (st.st_rdev), minor (st.st_rdev));
  ssize_t n = readlink (link, target, sizeof target - 1);
  if (n <= 0)
    return NULL;
  target[n] = '\0';
  const char *base = strrchr (target, '/');
  base = base ? base + 1 : target;
  snprintf (dir, sizeof dir, "/sys/block/%s/md", base);
  if (strncmp (base, "md", 2) != 0 || access (dir, F_OK) != 0)
    return NULL;
  return strdup (base);
}

static char *
need_md (const char *md)
{
  char *name = md_kernel_name (md);
  if (name == NULL)
    reply_with_error_errno (EINVAL, "%s: not an md (RAID) device", md);
  return name;
}

static const char *const levels[] = {
  "linear", "raid0", "0", "stripe", "raid1", "1", "mirror", "raid4", "4",
  "raid5", "5", "raid6", "6", "raid10", "10", NULL
};

int
do_md_create (const char *name, char *const *devices, int64_t missingbitmap,
              int nrdevices, int spare, int64_t chunk, const char *level)
{
  /* The name becomes /dev/md/NAME (mdadm keeps at most 32 characters). */
  size_t nl = strlen (name);
  bool ok = nl > 0 && nl <= 32 && name[0] != '-' && name[0] != '.';
  for (const char *p = name; ok && *p; ++p)
    ok = isalnum ((unsigned char) *p) || strchr ("_+.-", *p);
  if (!ok) {
    reply_with_error_errno (EINVAL, "%s: invalid md device name (letters, digits, "
                            "\"_+.-\", at most 32 characters)", name);
    return -1;
  }
  size_t ndev = count_strings (devices);
  if (ndev == 0) {
    reply_with_error_errno (EINVAL, "md_create: no devices given");
    return -1;
  }
  if (!(optargs_bitmask & GUESTFS_MD_CREATE_MISSINGBITMAP_BITMASK))
    missingbitmap = 0;
  if (missingbitmap < 0) {
    reply_with_error_errno (EINVAL, "missingbitmap must not be negative");
    return -1;
  }
  size_t nmissing = (size_t) __builtin_popcountll ((unsigned long long) missingbitmap);
  size_t total = ndev + nmissing;
  /* Every set bit must name a position inside the array. */
  if (total < 64 && ((uint64_t) missingbitmap >> total) != 0) {
    reply_with_error_errno (EINVAL, "missingbitmap 0x%" PRIx64 " has bits beyond the "
                            "%zu members of the array", (uint64_t) missingbitmap, total);
    return -1;
  }
  if (!(optargs_bitmask & GUESTFS_MD_CREATE_SPARE_BITMASK))
    spare = 0;
  if (!(optargs_bitmask & GUESTFS_MD_CREATE_NRDEVICES_BITMASK))
    nrdevices = (int) total - spare;
  if (spare < 0 || nrdevices < 1 || (size_t) nrdevices + (size_t) spare != total) {
    reply_with_error_errno (EINVAL, "nrdevices (%d) + spare (%d) must equal the number "
                            "of devices plus missing members (%zu)", nrdevices, spare, total);
    return -1;
  }
  if (!(optargs_bitmask & GUESTFS_MD_CREATE_LEVEL_BITMASK))
    level = "raid1";
  bool known = false;
  for (size_t i = 0; !known && levels[i]; ++i)
    known = strcmp (level, levels[i]) == 0;
  if (!known) {
    reply_with_error_errno (EINVAL, "%s: unknown RAID level", level);
    return -1;
  }
  bool have_chunk = optargs_bitmask & GUESTFS_MD_CREATE_CHUNK_BITMASK;
  if (have_chunk && (chunk <= 0 || chunk % 1024 != 0)) {
    reply_with_error_errno (EINVAL, "chunk must be a positive multiple of 1024 bytes");
    return -1;
  }

  char dev[64], lev[64], nr[32], sp[32], ch[40];
  snprintf (dev, sizeof dev, "/dev/md/%s", name);
  snprintf (lev, sizeof lev, "--level=%s", level);
  snprintf (nr, sizeof nr, "--raid-devices=%d", nrdevices);
  snprintf (sp, sizeof sp, "--spare-devices=%d", spare);
  snprintf (ch, sizeof ch, "--chunk=%" PRIi64 "K", chunk / 1024);

  CLEANUP_FREE const char **argv = calloc (total + 16, sizeof (char *));
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return -1;
  }
  size_t k = 0;
  argv[k++] = "mdadm";
  argv[k++] = "--create";
  argv[k++] = dev;
  /* --run: don't ask about members that look used already. */
  argv[k++] = "--run";
  /* mdadm wants --force for a one-member array. */
  if (nrdevices == 1)
    argv[k++] = "--force";
  argv[k++] = lev;
  argv[k++] = nr;
  if (spare > 0)
    argv[k++] = sp;
  if (have_chunk)
    argv[k++] = ch;
  size_t d = 0;
  for (size_t i = 0; i < total; ++i) {
    if (i < 64 && (missingbitmap & ((int64_t) 1 << i)))
      argv[k++] = "missing";
    else
      argv[k++] = devices[d++];
  }
  argv[k] = NULL;
  return run_mdadm (NULL, dev, argv);
}

char **
do_md_detail (const char *md)
{
  CLEANUP_FREE char *kname = need_md (md);
  if (kname == NULL)
    return NULL;
  CLEANUP_FREE char *out = NULL;
  if (run_mdadm (&out, md, (const char *const[]) { "mdadm", "--detail", "--export", md, NULL }) == -1)
    return NULL;
  CLEANUP_FREE_STRINGS char **lines = split_lines (out);
  struct stringsbuf sb = { 0 };
  if (lines == NULL)
    goto oom;
  for (size_t i = 0; lines[i]; ++i) {
    char *eq = strchr (lines[i], '=');
    if (eq == NULL || eq == lines[i])
      continue;
    *eq = '\0';
    char *key = lines[i];
    if (strncmp (key, "MD_", 3) == 0)
      key += 3;
    for (char *p = key; *p; ++p)
      *p = tolower ((unsigned char) *p);
    if (add_string (&sb, key) == -1 || add_string (&sb, eq + 1) == -1)
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

/* Parse "md127 : active raid1 sdc[1] sdb[0](S) ..." from /proc/mdstat. */
struct guestfs_mdstat_list *
do_md_stat (const char *md)
{
  CLEANUP_FREE char *kname = need_md (md);
  if (kname == NULL)
    return NULL;
  FILE *f = fopen ("/proc/mdstat", "re");
  if (f == NULL) {
    reply_with_perror ("/proc/mdstat");
    return NULL;
  }
  char line[8192];
  bool found = false;
  size_t kl = strlen (kname);
  while (fgets (line, sizeof line, f)) {
    if (strncmp (line, kname, kl) == 0 && strncmp (line + kl, " : ", 3) == 0) {
      found = true;
      break;
    }
  }
  fclose (f);
  if (!found) {
    reply_with_error ("%s: not found in /proc/mdstat", md);
    return NULL;
  }
  line[strcspn (line, "\n")] = '\0';

  struct guestfs_mdstat_list *r = calloc (1, sizeof *r);
  if (r == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  char *save = NULL;
  for (char *w = strtok_r (line + kl + 3, " ", &save); w; w = strtok_r (NULL, " ", &save)) {
    /* Members are "NAME[INDEX]" followed by flags in parentheses. */
    char *br = strchr (w, '[');
    if (br == NULL || br == w)
      continue;
    char *end;
    long idx = strtol (br + 1, &end, 10);
    if (*end != ']' || end == br + 1)
      continue;
    char flags[16] = "";
    size_t fl = 0;
    for (char *p = end + 1; *p; ++p)
      if (*p != '(' && *p != ')' && fl < sizeof flags - 1)
        flags[fl++] = *p;
    flags[fl] = '\0';
    struct guestfs_mdstat *v = realloc (r->val, (r->len + 1) * sizeof *v);
    if (v == NULL)
      goto oom;
    r->val = v;
    v = &r->val[r->len];
    memset (v, 0, sizeof *v);
    if (asprintf (&v->mdstat_device, "/dev/%.*s", (int) (br - w), w) == -1) {
      v->mdstat_device = NULL;
      goto oom;
    }
    v->mdstat_index = (int32_t) idx;
    if ((v->mdstat_flags = strdup (flags)) == NULL) {
      free (v->mdstat_device);
      goto oom;
    }
    r->len++;
  }
  return r;
 oom:
  reply_with_perror ("malloc");
  for (uint32_t i = 0; i < r->len; ++i) {
    free (r->val[i].mdstat_device);
    free (r->val[i].mdstat_flags);
  }
  free (r->val);
  free (r);
  return NULL;
}

int
do_md_stop (const char *md)
{
  CLEANUP_FREE char *kname = need_md (md);
  if (kname == NULL)
    return -1;
  /* The kernel may keep the stopped array's node (array_state "clear",
   * no members): list_md_devices skips such nodes. */
  return run_mdadm (NULL, md, (const char *const[]) { "mdadm", "--stop", md, NULL });
}

/* Arrays the kernel has, skipping stopped ones that linger as empty
 * nodes (array_state "clear"). */
char **
do_list_md_devices (void)
{
  struct stringsbuf sb = { 0 };
  DIR *d = opendir ("/sys/block");
  if (d == NULL) {
    reply_with_perror ("opendir: /sys/block");
    return NULL;
  }
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "md", 2) != 0)
      continue;
    char p[PATH_MAX], state[64] = "";
    snprintf (p, sizeof p, "/sys/block/%s/md/array_state", e->d_name);
    FILE *f = fopen (p, "re");
    if (f == NULL)
      continue;
    if (fgets (state, sizeof state, f) == NULL)
      state[0] = '\0';
    fclose (f);
    state[strcspn (state, "\n")] = '\0';
    if (strcmp (state, "clear") == 0 || state[0] == '\0')
      continue;
    char *dev;
    if (asprintf (&dev, "/dev/%s", e->d_name) == -1 || add_string_nodup (&sb, dev) == -1) {
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
