/* Mountpoints and filesystems of an inspected OS, from its /etc/fstab.
 *
 * The fstab names devices the guest's way (UUID=, LABEL=, PARTUUID=,
 * /dev/disk/by-*, /dev/vda1, /dev/mapper/vg-lv ...): each is translated to
 * the appliance's name with the blkid table made once per inspect_os.
 * A spec that names no device we can see is dropped.  The lists come out
 * in the reverse of the fstab's order, as libguestfs returns them. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "daemon.h"
#include "inspect.h"

static const struct inspect_fsinfo *
find_by (const struct inspect_fsinfo *fs, size_t nfs, const char *tag, const char *value)
{
  for (size_t i = 0; i < nfs; ++i) {
    const char *v = strcmp (tag, "UUID") == 0 ? fs[i].uuid :
      strcmp (tag, "LABEL") == 0 ? fs[i].label :
      strcmp (tag, "PARTUUID") == 0 ? fs[i].partuuid :
      strcmp (tag, "PARTLABEL") == 0 ? fs[i].partlabel : NULL;
    if (v && *v && strcasecmp (v, value) == 0)
      return &fs[i];
  }
  return NULL;
}

static bool
is_block_device (const char *p)
{
  struct stat st;
  return stat (p, &st) == 0 && S_ISBLK (st.st_mode);
}

/* fstab escapes space as \040 etc. */
static void
unoctal (char *s)
{
  char *o = s;
  while (*s) {
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
        s[3] >= '0' && s[3] <= '7') {
      *o++ = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
      s += 4;
    }
    else
      *o++ = *s++;
  }
  *o = '\0';
}

/* "/dev/ada0p2" (FreeBSD GPT), "/dev/ada0s1a" (FreeBSD MBR slice with a
 * BSD label), "/dev/wd0a" (NetBSD, OpenBSD).  Disk N is our /dev/sd(a+N).
 * Linux shows the partitions of a BSD label inside an MBR partition as
 * extra partitions numbered from 5, in label order without 'c' (the
 * whole slice): a -> 5, b -> 6, d -> 7 ... */
static char *
resolve_bsd_name (const char *spec)
{
  static const char *const disks[] = { "ada", "ad", "vtbd", "da", "wd", "sd", "nvd" };
  const char *p = spec + 5;
  size_t l = 0;
  for (size_t i = 0; i < sizeof disks / sizeof disks[0] && !l; ++i)
    if (strncmp (p, disks[i], strlen (disks[i])) == 0 &&
        isdigit ((unsigned char) p[strlen (disks[i])]))
      l = strlen (disks[i]);
  /* (A Linux "/dev/sda1" has a letter after "sd": not matched.) */
  if (l == 0)
    return NULL;
  p += l;
  char *end;
  long disk = strtol (p, &end, 10);
  if (disk < 0 || disk >= 26)
    return NULL;
  long part = 0;
  if (end[0] == 'p' && isdigit ((unsigned char) end[1])) {
    part = strtol (end + 1, &end, 10);
    if (*end)
      return NULL;
  }
  else if (end[0] == 's' && isdigit ((unsigned char) end[1])) {
    strtol (end + 1, &end, 10);
    if (end[0] >= 'a' && end[0] <= 'p' && end[0] != 'c' && end[1] == '\0')
      part = 5 + (end[0] - 'a') - (end[0] > 'c');
    else
      return NULL;
  }
  else if (end[0] >= 'a' && end[0] <= 'p' && end[0] != 'c' && end[1] == '\0')
    part = 5 + (end[0] - 'a') - (end[0] > 'c');
  else
    return NULL;
  char *r;
  if (asprintf (&r, "/dev/sd%c%ld", (char) ('a' + disk), part) == -1)
    return NULL;
  if (is_block_device (r))
    return r;
  free (r);
  return NULL;
}

/* The appliance's device for an fstab spec; NULL to drop the entry. */
static char *
resolve (const char *spec, const struct inspect_fsinfo *fs, size_t nfs)
{
  static const struct { const char *prefix, *tag; } tags[] = {
    { "UUID=", "UUID" }, { "LABEL=", "LABEL" },
    { "PARTUUID=", "PARTUUID" }, { "PARTLABEL=", "PARTLABEL" },
    { "/dev/disk/by-uuid/", "UUID" }, { "/dev/disk/by-label/", "LABEL" },
    { "/dev/disk/by-partuuid/", "PARTUUID" }, { "/dev/disk/by-partlabel/", "PARTLABEL" },
    /* FreeBSD's GEOM labels. */
    { "/dev/gpt/", "PARTLABEL" }, { "/dev/ufs/", "LABEL" },
    /* NetBSD's wedges by GPT partition name. */
    { "NAME=", "PARTLABEL" },
  };
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; ++i) {
    size_t pl = strlen (tags[i].prefix);
    if (strncmp (spec, tags[i].prefix, pl) == 0) {
      const char *v = spec + pl;
      CLEANUP_FREE char *unq = NULL;
      if (*v == '"' && strlen (v) >= 2 && v[strlen (v) - 1] == '"')
        v = unq = strndup (v + 1, strlen (v) - 2);
      if (v == NULL)
        return NULL;
      const struct inspect_fsinfo *f = find_by (fs, nfs, tags[i].tag, v);
      return f ? strdup (f->device) : NULL;
    }
  }
  if (strncmp (spec, "/dev/", 5) != 0)
    return NULL;
  char *bsd = resolve_bsd_name (spec);
  if (bsd)
    return bsd;
  /* /dev/mapper/VG-LV -> /dev/VG/LV ("--" stands for "-"). */
  if (strncmp (spec, "/dev/mapper/", 12) == 0) {
    const char *name = spec + 12;
    char *r = malloc (strlen (name) + 6), *o;
    if (r == NULL)
      return NULL;
    o = stpcpy (r, "/dev/");
    bool split = false;
    for (const char *p = name; *p; ++p) {
      if (p[0] == '-' && p[1] == '-') {
        *o++ = '-';
        p++;
      }
      else if (*p == '-' && !split) {
        *o++ = '/';
        split = true;
      }
      else
        *o++ = *p;
    }
    *o = '\0';
    if (split && is_block_device (r))
      return r;
    free (r);
    return is_block_device (spec) ? strdup (spec) : NULL;
  }
  /* /dev/vda1, /dev/hda1, /dev/xvda1 -> /dev/sda1 when that exists. */
  const char *base = spec + 5;
  size_t skip = 0;
  if (strncmp (base, "xvd", 3) == 0)
    skip = 3;
  else if ((base[0] == 'v' || base[0] == 'h' || base[0] == 's') && base[1] == 'd')
    skip = 2;
  if (skip && islower ((unsigned char) base[skip])) {
    char *r;
    if (asprintf (&r, "/dev/sd%s", base + skip) == -1)
      return NULL;
    if (is_block_device (r))
      return r;
    free (r);
  }
  /* Names of devices the appliance does not have (/dev/sr0, a stale
   * /dev/sdc2) are dropped, as libguestfs does; the appliance's own
   * disks are never named. */
  if (is_block_device (spec) && strncmp (spec, "/dev/vd", 7) != 0)
    return strdup (spec);
  return NULL;
}

/* An MD array the guest names by a device the appliance does not have
 * (/dev/md0: the appliance assembled it as /dev/md127): the guest's
 * mdadm.conf gives its UUID ("ARRAY /dev/md0 ... UUID=..."), and the
 * array of the appliance with that UUID is the device, as libguestfs
 * maps it.  NULL if there is none. */
static char *
resolve_md (int rootfd, const char *spec)
{
  static const char *const confs[] = { "/etc/mdadm.conf", "/etc/mdadm/mdadm.conf" };
  CLEANUP_FREE char *uuid = NULL;
  for (size_t i = 0; i < 2 && uuid == NULL; ++i) {
    CLEANUP_FREE char *c = inspect_read_file (rootfd, confs[i], INSPECT_MAX_CONFIG, NULL);
    for (char *save = NULL, *line = c ? strtok_r (c, "\n", &save) : NULL;
         line && uuid == NULL; line = strtok_r (NULL, "\n", &save)) {
      char *f[16];
      size_t n = 0;
      for (char *s2 = NULL, *tok = strtok_r (line, " \t", &s2); tok && n < 16;
           tok = strtok_r (NULL, " \t", &s2))
        f[n++] = tok;
      if (n < 3 || strcmp (f[0], "ARRAY") != 0 || strcmp (f[1], spec) != 0)
        continue;
      for (size_t k = 2; k < n && uuid == NULL; ++k)
        if (strncasecmp (f[k], "UUID=", 5) == 0)
          uuid = strdup (f[k] + 5);
    }
  }
  if (uuid == NULL)
    return NULL;
  DIR *d = opendir ("/sys/block");
  char *found = NULL;
  for (struct dirent *e = d ? readdir (d) : NULL; e && !found; e = readdir (d)) {
    if (strncmp (e->d_name, "md", 2) != 0)
      continue;
    char dev[300];
    snprintf (dev, sizeof dev, "/dev/%s", e->d_name);
    CLEANUP_FREE char *out = NULL;
    if (command (&out, NULL, "mdadm", "--detail", "--export", dev, NULL) != 0 || !out)
      continue;
    const char *p = strstr (out, "MD_UUID=");
    if (p) {
      p += 8;
      size_t l = strcspn (p, "\n");
      if (l == strlen (uuid) && strncasecmp (p, uuid, l) == 0)
        found = strdup (dev);
    }
  }
  if (d)
    closedir (d);
  return found;
}

/* Whether NAME is the first field of a line of the guest's /etc/crypttab
 * (CRYPTTAB, NULL when it has none). */
static bool
in_crypttab (const char *crypttab, const char *name)
{
  size_t l = strlen (name);
  for (const char *p = crypttab; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (strncmp (p, name, l) == 0 && (p[l] == ' ' || p[l] == '\t'))
      return true;
  }
  return false;
}

static bool
ignored_type (const char *type)
{
  static const char *const t[] = {
    "proc", "sysfs", "devpts", "tmpfs", "devtmpfs", "cgroup", "cgroup2",
    "nfs", "nfs4", "cifs", "smbfs", "fuse", "autofs", "securityfs",
    "debugfs", "binfmt_misc", "none", "bind", "efivarfs", "hugetlbfs",
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; ++i)
    if (strcmp (type, t[i]) == 0)
      return true;
  return false;
}

/* The subvolume named by a subvol= mount option (leading '/' dropped),
 * up to the next ','; NULL if none. */
static const char *
subvol_option (const char *opts)
{
  for (const char *p = opts; p && *p; p = strchr (p, ',') ? strchr (p, ',') + 1 : NULL) {
    if (strncmp (p, "subvol=", 7) == 0) {
      p += 7;
      while (*p == '/')
        p++;
      return *p && *p != ',' ? p : NULL;
    }
  }
  return NULL;
}

static bool
in_list (struct stringsbuf *sb, const char *s, size_t step)
{
  for (size_t i = 0; i < sb->size; i += step)
    if (sb->argv[i] && strcmp (sb->argv[i], s) == 0)
      return true;
  return false;
}

/* Did blkid find btrfs on device? */
static bool
is_btrfs (const char *device, const struct inspect_fsinfo *fs, size_t nfs)
{
  for (size_t i = 0; i < nfs; ++i)
    if (fs[i].device && strcmp (fs[i].device, device) == 0)
      return fs[i].type && strcmp (fs[i].type, "btrfs") == 0;
  return false;
}

void
inspect_fstab (int rootfd, struct inspect_os *os,
               const struct inspect_fsinfo *fs, size_t nfs)
{
  struct stringsbuf mps = { 0 }, fss = { 0 };

  CLEANUP_FREE char *c = inspect_read_file (rootfd, "/etc/fstab", INSPECT_MAX_CONFIG, NULL);
  CLEANUP_FREE char *crypttab = NULL;
  bool crypttab_read = false;
  for (char *save = NULL, *line = c ? strtok_r (c, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save)) {
    char *f[4];
    size_t n = 0;
    char *p = inspect_trim (line);
    if (*p == '#' || *p == '\0')
      continue;
    for (char *s2 = NULL, *tok = strtok_r (p, " \t", &s2); tok && n < 4;
         tok = strtok_r (NULL, " \t", &s2))
      f[n++] = tok;
    if (n < 3)
      continue;
    unoctal (f[0]);
    unoctal (f[1]);
    if (ignored_type (f[2]))
      continue;
    bool swap = strcmp (f[2], "swap") == 0;
    if (!swap && f[1][0] != '/')
      continue;
    CLEANUP_FREE char *dev = strcmp (f[1], "/") == 0 ? strdup (os->root) : resolve (f[0], fs, nfs);
    if (dev == NULL && strncmp (f[0], "/dev/md", 7) == 0)
      dev = resolve_md (rootfd, f[0]);
    /* Encrypted swap (/dev/mapper/NAME with NAME in /etc/crypttab: a
     * fresh key each boot, so never opened here) is listed under the
     * guest's name, as libguestfs lists it. */
    if (dev == NULL && swap && strncmp (f[0], "/dev/mapper/", 12) == 0 && f[0][12]) {
      if (!crypttab_read) {
        crypttab = inspect_read_file (rootfd, "/etc/crypttab", INSPECT_MAX_CONFIG, NULL);
        crypttab_read = true;
      }
      if (in_crypttab (crypttab, f[0] + 12))
        dev = strdup (f[0]);
    }
    if (dev == NULL)
      continue;
    /* A btrfs subvolume (subvol=NAME) is the mountable btrfsvol:DEV/NAME;
     * also for "/" when the root was found as the device itself (its
     * default subvolume), as libguestfs names it there. */
    const char *sv = n >= 4 && strcmp (f[2], "btrfs") == 0 ? subvol_option (f[3]) : NULL;
    if (sv && strcmp (f[1], "/") == 0 && !is_btrfs (os->root, fs, nfs))
      sv = NULL;                /* the fstab is wrong about the root */
    if (sv && strncmp (dev, "btrfsvol:", 9) != 0) {
      char *m;
      int l = (int) strcspn (sv, ",");
      if (asprintf (&m, "btrfsvol:%s/%.*s", dev, l, sv) == -1)
        continue;
      free (dev);
      dev = m;
    }
    if (!in_list (&fss, dev, 1))
      add_string (&fss, dev);
    if (swap || in_list (&mps, f[1], 2))
      continue;
    add_string (&mps, f[1]);
    /* The root found by inspection is the authority for "/" (dev is
     * the root, or its subvolume named by the fstab). */
    add_string (&mps, dev);
  }
  if (!in_list (&mps, "/", 2) && !in_list (&fss, os->root, 1))
    add_string (&fss, os->root);
  if (!in_list (&mps, "/", 2)) {
    add_string (&mps, "/");
    add_string (&mps, os->root);
  }
  /* Reverse: pairs for mountpoints, strings for filesystems. */
  for (size_t i = 0, j = mps.size / 2 - 1; mps.size >= 2 && i < j; ++i, --j) {
    char *k = mps.argv[2 * i], *v = mps.argv[2 * i + 1];
    mps.argv[2 * i] = mps.argv[2 * j];
    mps.argv[2 * i + 1] = mps.argv[2 * j + 1];
    mps.argv[2 * j] = k;
    mps.argv[2 * j + 1] = v;
  }
  for (size_t i = 0, j = fss.size - 1; fss.size >= 2 && i < j; ++i, --j) {
    char *t = fss.argv[i];
    fss.argv[i] = fss.argv[j];
    fss.argv[j] = t;
  }
  end_stringsbuf (&mps);
  end_stringsbuf (&fss);
  free_strings (os->mountpoints);
  free_strings (os->filesystems);
  os->mountpoints = take_stringsbuf (&mps);
  os->filesystems = take_stringsbuf (&fss);
}
