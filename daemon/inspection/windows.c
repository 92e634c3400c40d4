/* Windows inspection and case_sensitive_path.
 *
 * A filesystem is a Windows root when one of its top-level directories is
 * a systemroot (Windows, WINNT ... in any case) holding
 * System32/config/SOFTWARE.  Everything else comes from the registry,
 * read with libhivex: the SOFTWARE hive (product name, version, build,
 * installation type, installed programs) and the SYSTEM hive (current
 * control set, computer name, drive letters).  The architecture comes from
 * the PE header of a system binary.
 *
 * ntfs-3g shows names with the case stored on disk while Windows ignores
 * case, so every guest path here is looked up one component at a time,
 * matching names without regard to ASCII case.  Guest files are opened
 * with openat2 (RESOLVE_IN_ROOT) as everywhere in inspection; a hive is
 * copied into memory by libhivex (HIVEX_OPEN_WRITE, never committed) and
 * a damaged one only leaves fields "unknown". */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "inspect.h"
#include "regvalue.h"
#include "windows.h"

#define HIVE_MAX (512 << 20)
#define MAX_PATH_COMPONENTS 256
#define MAX_APPS 100000

/* ---- case-insensitive paths ---- */

/* The entry of directory dirfd whose name equals name, ignoring ASCII
 * case; an exact match wins, otherwise the smallest matching name (so
 * the answer does not depend on readdir order).  NULL if none. */
static char *
find_entry (int dirfd, const char *name)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd == -1)
    return NULL;
  DIR *d = fdopendir (fd);
  if (d == NULL) {
    close (fd);
    return NULL;
  }
  char *best = NULL;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
      continue;
    if (strcmp (e->d_name, name) == 0) {
      free (best);
      best = strdup (e->d_name);
      break;
    }
    if (strcasecmp (e->d_name, name) == 0 &&
        (best == NULL || strcmp (e->d_name, best) < 0)) {
      free (best);
      best = strdup (e->d_name);
    }
  }
  closedir (d);
  return best;
}

/* Resolve path under rootfd component by component, ignoring case.
 * With allow_missing_last, a last component not found is appended as
 * given (case_sensitive_path's rule).  Returns the path as found
 * ("/Windows/System32"), or NULL with errno set. */
/* How resolve_ci opens a directory: inside one inspected filesystem, or
 * in the guest tree the caller mounted (which may cross mountpoints). */
typedef int (*open_fn) (int rootfd, const char *path, int flags);

static int
open_in_sysroot (int rootfd, const char *path, int flags)
{
  (void) rootfd;
  return sysroot_open (path, flags, 0);
}

static char *
resolve_ci_with (open_fn opener, int rootfd, const char *path,
                 bool allow_missing_last)
{
  CLEANUP_FREE char *copy = strdup (path);
  if (copy == NULL)
    return NULL;
  char *comps[MAX_PATH_COMPONENTS];
  size_t n = 0;
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save)) {
    if (n == MAX_PATH_COMPONENTS) {
      errno = ENAMETOOLONG;
      return NULL;
    }
    comps[n++] = c;
  }

  /* The resolved names so far; ".." drops the last one. */
  char *res[MAX_PATH_COMPONENTS];
  size_t nres = 0;
  int err = 0;
  for (size_t i = 0; i < n && err == 0; ++i) {
    if (strcmp (comps[i], ".") == 0)
      continue;
    if (strcmp (comps[i], "..") == 0) {
      if (nres > 0)
        free (res[--nres]);
      continue;
    }
    /* Open the directory resolved so far. */
    size_t len = 2;
    for (size_t j = 0; j < nres; ++j)
      len += strlen (res[j]) + 1;
    char dir[len];
    char *p = dir;
    *p++ = '/';
    *p = '\0';
    for (size_t j = 0; j < nres; ++j)
      p += sprintf (p, "%s%s", j ? "/" : "", res[j]);
    int dfd = opener (rootfd, dir, O_RDONLY | O_DIRECTORY);
    if (dfd == -1) {
      err = errno;
      break;
    }
    char *found = find_entry (dfd, comps[i]);
    close (dfd);
    if (found == NULL) {
      /* A missing last component is kept as given (only when no ".."
       * or "." follows it that would make it a directory). */
      if (allow_missing_last && i + 1 == n)
        found = strdup (comps[i]);
      if (found == NULL) {
        err = ENOENT;
        break;
      }
    }
    res[nres++] = found;
  }

  char *r = NULL;
  if (err == 0) {
    size_t len = 2;
    for (size_t j = 0; j < nres; ++j)
      len += strlen (res[j]) + 1;
    r = malloc (len);
    if (r) {
      char *p = r;
      *p = '\0';
      if (nres == 0)
        strcpy (r, "/");
      for (size_t j = 0; j < nres; ++j)
        p += sprintf (p, "/%s", res[j]);
    }
    else
      err = errno;
  }
  for (size_t j = 0; j < nres; ++j)
    free (res[j]);
  errno = err;
  return r;
}

static char *
resolve_ci (int rootfd, const char *path, bool allow_missing_last)
{
  return resolve_ci_with (inspect_open, rootfd, path, allow_missing_last);
}

/* 1 if path has a "." or ".." element. */
static bool
has_dot_element (const char *path)
{
  for (const char *p = path; *p; ) {
    size_t len = strcspn (p, "/");
    if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
      return true;
    p += len;
    p += strspn (p, "/");
  }
  return false;
}

char *
do_case_sensitive_path (const char *path)
{
  /* As libguestfs: "." and ".." are refused, not resolved (a Windows
   * path never needs them, and ".." through a symlink has no one answer). */
  if (has_dot_element (path)) {
    reply_with_error_errno (EINVAL, "%s: path contains \".\" or \"..\" elements", path);
    return NULL;
  }
  char *r = resolve_ci_with (open_in_sysroot, -1, path, true);
  /* A trailing "/" asks for a directory: "file/" is an error, as it is
   * for the kernel (a missing last element stays allowed). */
  size_t plen = strlen (path);
  if (r != NULL && plen > 1 && path[plen - 1] == '/' && strcmp (r, "/") != 0) {
    int fd = sysroot_open (r, O_RDONLY | O_DIRECTORY, 0);
    if (fd >= 0)
      close (fd);
    else if (errno != ENOENT) {
      int e = errno;
      free (r);
      r = NULL;
      errno = e;
    }
  }
  if (r == NULL) {
    if (errno == ENOENT)
      reply_with_error_errno (ENOENT, "%s: a directory in the path does not exist, in any case", path);
    else if (errno == ENOTDIR)
      reply_with_error_errno (ENOTDIR, "%s: a component of the path is not a directory", path);
    else
      reply_with_perror ("%s", path);
  }
  return r;
}

/* ---- finding the systemroot ---- */

static const char *const systemroot_names[] = {
  "Windows", "WINNT", "WIN32", "WIN", "ReactOS",
};

/* dir (a guest path) as the systemroot, with its case on disk, if it
 * holds System32/config/SOFTWARE; else NULL. */
static char *
systemroot_at (int rootfd, const char *dir)
{
  CLEANUP_FREE char *p = NULL;
  if (asprintf (&p, "%s/System32/config/SOFTWARE", dir) == -1)
    return NULL;
  CLEANUP_FREE char *hive = resolve_ci (rootfd, p, false);
  if (hive == NULL || !inspect_is_file (rootfd, hive))
    return NULL;
  /* "/Windows/System32/config/SOFTWARE" -> "/Windows" */
  size_t l = strlen (hive) - strlen ("/System32/config/SOFTWARE");
  return l > 0 ? strndup (hive, l) : NULL;
}

/* NT 5.x: the systemroot that boot.ini's default= line names, as in
 *   default=multi(0)disk(0)rdisk(0)partition(1)\WINXP
 * (the part after the ARC path; only its directory is used). */
static char *
systemroot_from_boot_ini (int rootfd)
{
  CLEANUP_FREE char *bootini = resolve_ci (rootfd, "/boot.ini", false);
  if (bootini == NULL)
    return NULL;
  CLEANUP_FREE char *c = inspect_read_file (rootfd, bootini, INSPECT_MAX_CONFIG, NULL);
  if (c == NULL)
    return NULL;
  bool loader = false;
  for (char *save = NULL, *line = strtok_r (c, "\r\n", &save); line;
       line = strtok_r (NULL, "\r\n", &save)) {
    line = inspect_trim (line);
    if (line[0] == '[') {
      loader = strncasecmp (line, "[boot loader]", 13) == 0;
      continue;
    }
    if (!loader || strncasecmp (line, "default", 7) != 0)
      continue;
    char *v = inspect_trim (line + 7);
    if (*v != '=')
      continue;
    v = inspect_trim (v + 1);
    /* The ARC path ends at the last ')'; the directory follows. */
    char *paren = strrchr (v, ')');
    char *dir = paren ? paren + 1 : NULL;
    if (dir == NULL || *dir != '\\' || dir[1] == '\0')
      return NULL;
    for (char *q = dir; *q; ++q)
      if (*q == '\\')
        *q = '/';
    return systemroot_at (rootfd, dir);
  }
  return NULL;
}

char *
inspect_windows_systemroot (int rootfd)
{
  for (size_t i = 0; i < sizeof systemroot_names / sizeof systemroot_names[0]; ++i) {
    char p[64];
    snprintf (p, sizeof p, "/%s", systemroot_names[i]);
    char *r = systemroot_at (rootfd, p);
    if (r)
      return r;
  }
  return systemroot_from_boot_ini (rootfd);
}

/* ---- registry helpers ---- */

/* Open a hive file of the filesystem at rootfd (a path already resolved
 * with its real case).  NULL if missing or not a readable hive. */
static hive_h *
open_hive (int rootfd, const char *path)
{
  CLEANUP_CLOSE int fd = inspect_open (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd == -1)
    return NULL;
  struct stat st;
  if (fstat (fd, &st) == -1 || !S_ISREG (st.st_mode) || st.st_size > HIVE_MAX)
    return NULL;
  CLEANUP_FREE char *p = fd_path (fd);
  if (p == NULL)
    return NULL;
  /* WRITE makes libhivex read the file into memory rather than map it;
   * nothing is ever committed. */
  hive_h *h = hivex_open (p, HIVEX_OPEN_WRITE);
  if (h == NULL && verbose)
    fprintf (stderr, "inspect_os: %s: not a usable registry hive: %m\n", path);
  return h;
}

/* The node at a backslash-separated path below start; 0 if absent. */
static hive_node_h
node_at (hive_h *h, hive_node_h start, const char *path)
{
  CLEANUP_FREE char *copy = strdup (path);
  if (copy == NULL)
    return 0;
  hive_node_h node = start;
  char *save = NULL;
  for (char *c = strtok_r (copy, "\\", &save); c && node;
       c = strtok_r (NULL, "\\", &save))
    node = hivex_node_get_child (h, node, c);
  return node;
}

/* The type and bytes of value name of node; NULL if absent.  The bytes
 * are decoded by regvalue.c. */
static char *
get_value (hive_h *h, hive_node_h node, const char *name, int *type,
           size_t *len)
{
  if (node == 0)
    return NULL;
  hive_value_h v = hivex_node_get_value (h, node, name);
  if (v == 0)
    return NULL;
  hive_type t;
  char *data = hivex_value_value (h, v, &t, len);
  *type = (int) t;
  return data;
}

/* A string value (REG_SZ, REG_EXPAND_SZ) as UTF-8, trimmed; NULL if
 * absent, of another type or empty. */
static char *
get_string (hive_h *h, hive_node_h node, const char *name)
{
  int t;
  size_t len;
  CLEANUP_FREE char *data = get_value (h, node, name, &t, &len);
  if (data == NULL || t == REGV_LINK)
    return NULL;
  char *s = regvalue_string (t, data, len);
  if (s == NULL)
    return NULL;
  char *t2 = inspect_trim (s);
  if (*t2 == '\0') {
    free (s);
    return NULL;
  }
  memmove (s, t2, strlen (t2) + 1);
  return s;
}

static bool
get_dword (hive_h *h, hive_node_h node, const char *name, uint32_t *r)
{
  int t;
  size_t len;
  CLEANUP_FREE char *data = get_value (h, node, name, &t, &len);
  return data && regvalue_dword (t, data, len, r);
}

/* ---- SOFTWARE hive ---- */

struct winver {
  long build;                   /* -1 if unknown */
  bool server;                  /* from InstallationType or the name */
};

/* Whether Group Policy Objects were applied: the Group Policy History
 * key then has a subkey named after each GPO's GUID ("{...}"). */
static bool
has_group_policy (hive_h *h)
{
  hive_node_h hist = node_at (h, hivex_root (h),
                              "Microsoft\\Windows\\CurrentVersion\\Group Policy\\History");
  if (hist == 0)
    return false;
  CLEANUP_FREE hive_node_h *kids = hivex_node_children (h, hist);
  for (size_t i = 0; kids && kids[i]; ++i) {
    CLEANUP_FREE char *name = hivex_node_name (h, kids[i]);
    size_t len = name ? strlen (name) : 0;
    if (len > 3 && name[0] == '{' && isxdigit ((unsigned char) name[1]) &&
        name[len - 1] == '}')
      return true;
  }
  return false;
}

static void
read_software (int rootfd, struct inspect_os *os, struct winver *wv)
{
  hive_h *h = open_hive (rootfd, os->windows_software_hive);
  if (h == NULL)
    return;
  os->windows_group_policy = has_group_policy (h);
  hive_node_h cv = node_at (h, hivex_root (h), "Microsoft\\Windows NT\\CurrentVersion");
  if (cv == 0) {
    hivex_close (h);
    return;
  }

  CLEANUP_FREE char *product = get_string (h, cv, "ProductName");
  CLEANUP_FREE char *itype = get_string (h, cv, "InstallationType");
  CLEANUP_FREE char *build = get_string (h, cv, "CurrentBuildNumber");
  if (build == NULL)
    build = get_string (h, cv, "CurrentBuild");
  if (build) {
    char *end;
    errno = 0;
    long b = strtol (build, &end, 10);
    if (errno == 0 && end != build && b >= 0 && b < 100000000) {
      wv->build = b;
      inspect_replace (&os->build_id, inspect_trim (build));
    }
  }

  uint32_t maj, min;
  if (get_dword (h, cv, "CurrentMajorVersionNumber", &maj) &&
      get_dword (h, cv, "CurrentMinorVersionNumber", &min) &&
      maj < 1000 && min < 1000) {
    os->major = (int) maj;
    os->minor = (int) min;
  }
  else {
    CLEANUP_FREE char *ver = get_string (h, cv, "CurrentVersion");
    int ma, mi;
    if (ver && inspect_parse_version (ver, &ma, &mi)) {
      os->major = ma;
      os->minor = mi;
    }
  }

  /* Windows 11 kept "Windows 10" in ProductName: its build number tells
   * them apart. */
  if (product && os->major == 10 && wv->build >= 22000 &&
      strncmp (product, "Windows 10", 10) == 0) {
    CLEANUP_FREE char *fixed = NULL;
    if (asprintf (&fixed, "Windows 11%s", product + 10) != -1)
      inspect_replace (&os->product_name, fixed);
  }
  else
    inspect_set (&os->product_name, product);

  inspect_set (&os->product_variant, itype);
  if ((itype && strcasestr (itype, "server")) ||
      (product && strcasestr (product, "server")))
    wv->server = true;
  hivex_close (h);
}

/* ---- SYSTEM hive ---- */

/* Drive letter mappings recorded in MountedDevices. */
struct mapping {
  char letter;
  struct regvalue_mount where;
};

static size_t
read_mounted_devices (hive_h *h, struct mapping *m, size_t max)
{
  hive_node_h md = hivex_node_get_child (h, hivex_root (h), "MountedDevices");
  if (md == 0)
    return 0;
  CLEANUP_FREE hive_value_h *vals = hivex_node_values (h, md);
  size_t n = 0;
  for (size_t i = 0; vals && vals[i] && n < max; ++i) {
    CLEANUP_FREE char *key = hivex_value_key (h, vals[i]);
    if (key == NULL || strlen (key) != 14 ||
        strncasecmp (key, "\\DosDevices\\", 12) != 0 ||
        !isalpha ((unsigned char) key[12]) || key[13] != ':')
      continue;
    hive_type t;
    size_t len;
    CLEANUP_FREE char *data = hivex_value_value (h, vals[i], &t, &len);
    /* Only disks' partitions: not removable media or volume GUIDs. */
    if (data == NULL || !regvalue_mount ((int) t, data, len, &m[n].where))
      continue;
    m[n].letter = (char) toupper ((unsigned char) key[12]);
    n++;
  }
  return n;
}

/* Start (bytes) and MBR disk signature of a partition device, from sysfs
 * and the parent disk's first sector. */
static bool
partition_location (const char *dev, uint64_t *start, uint32_t *sig)
{
  if (strncmp (dev, "/dev/", 5) != 0 || strchr (dev + 5, '/'))
    return false;
  char p[PATH_MAX];
  snprintf (p, sizeof p, "/sys/class/block/%s/start", dev + 5);
  char s[64];
  CLEANUP_CLOSE int sfd = open (p, O_RDONLY | O_CLOEXEC);
  ssize_t sl = sfd == -1 ? -1 : read (sfd, s, sizeof s - 1);
  if (sl <= 0)
    return false;
  s[sl] = '\0';
  *start = strtoull (s, NULL, 10) * 512;     /* sysfs counts 512-byte units */
  snprintf (p, sizeof p, "/sys/class/block/%s", dev + 5);
  CLEANUP_FREE char *real = realpath (p, NULL);
  if (real == NULL)
    return false;
  char *slash = strrchr (real, '/');
  if (slash == NULL)
    return false;
  *slash = '\0';
  const char *parent = strrchr (real, '/');
  if (parent == NULL)
    return false;
  char disk[PATH_MAX];
  snprintf (disk, sizeof disk, "/dev/%s", parent + 1);
  CLEANUP_CLOSE int fd = open (disk, O_RDONLY | O_CLOEXEC);
  unsigned char b[4];
  if (fd == -1 || pread (fd, b, 4, 440) != 4)
    return false;
  *sig = regvalue_le32 (b);
  return true;
}

static int
cmp_char_pairs (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
map_drives (hive_h *h, struct inspect_os *os,
            const struct inspect_fsinfo *fs, size_t nfs)
{
  struct mapping m[26 * 2];
  size_t n = read_mounted_devices (h, m, sizeof m / sizeof m[0]);
  struct stringsbuf sb = { 0 };
  bool seen[26] = { false };
  for (size_t i = 0; i < n; ++i) {
    int li = m[i].letter - 'A';
    if (li < 0 || li >= 26 || seen[li])
      continue;
    for (size_t j = 0; j < nfs; ++j) {
      if (fs[j].device == NULL)
        continue;
      bool match = false;
      if (m[i].where.gpt)
        match = fs[j].partuuid && strcasecmp (fs[j].partuuid, m[i].where.guid) == 0;
      else {
        uint64_t start;
        uint32_t sig;
        match = partition_location (fs[j].device, &start, &sig) &&
          sig == m[i].where.signature && start == m[i].where.offset;
      }
      if (match) {
        char l[2] = { m[i].letter, '\0' };
        seen[li] = true;
        add_string (&sb, l);
        add_string (&sb, fs[j].device);
        break;
      }
    }
  }
  /* Sorted by letter: pairs of (letter, device). */
  size_t np = sb.size / 2;
  if (np > 1) {
    char *pairs[26][2];
    for (size_t k = 0; k < np; ++k) {
      pairs[k][0] = sb.argv[2 * k];
      pairs[k][1] = sb.argv[2 * k + 1];
    }
    qsort (pairs, np, sizeof pairs[0], cmp_char_pairs);
    for (size_t k = 0; k < np; ++k) {
      sb.argv[2 * k] = pairs[k][0];
      sb.argv[2 * k + 1] = pairs[k][1];
    }
  }
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return;
  }
  free_strings (os->drive_mappings);
  os->drive_mappings = take_stringsbuf (&sb);
}

static void
read_system (int rootfd, struct inspect_os *os, struct winver *wv,
             const struct inspect_fsinfo *fs, size_t nfs)
{
  hive_h *h = open_hive (rootfd, os->windows_system_hive);
  if (h == NULL)
    return;
  hive_node_h root = hivex_root (h);
  uint32_t cur;
  if (get_dword (h, node_at (h, root, "Select"), "Current", &cur) &&
      cur > 0 && cur < 1000) {
    char ccs[32];
    snprintf (ccs, sizeof ccs, "ControlSet%03" PRIu32, cur);
    free (os->windows_current_control_set);
    os->windows_current_control_set = strdup (ccs);
  }
  const char *ccs = os->windows_current_control_set;
  hive_node_h cs = ccs ? hivex_node_get_child (h, root, ccs) : 0;
  if (cs) {
    CLEANUP_FREE char *hn =
      get_string (h, node_at (h, cs, "Services\\Tcpip\\Parameters"), "Hostname");
    if (hn == NULL)
      hn = get_string (h, node_at (h, cs, "Control\\ComputerName\\ComputerName"),
                       "ComputerName");
    inspect_set (&os->hostname, hn);

    CLEANUP_FREE char *pt =
      get_string (h, node_at (h, cs, "Control\\ProductOptions"), "ProductType");
    if (pt && strcasecmp (pt, "WinNT") != 0)
      wv->server = true;

    if (strcmp (os->arch, "unknown") == 0) {
      CLEANUP_FREE char *pa =
        get_string (h, node_at (h, cs, "Control\\Session Manager\\Environment"),
                    "PROCESSOR_ARCHITECTURE");
      const char *a = NULL;
      if (pa) {
        if (strcasecmp (pa, "AMD64") == 0) a = "x86_64";
        else if (strcasecmp (pa, "x86") == 0) a = "i386";
        else if (strcasecmp (pa, "ARM64") == 0) a = "aarch64";
        else if (strcasecmp (pa, "IA64") == 0) a = "ia64";
      }
      inspect_set (&os->arch, a);
    }
  }
  map_drives (h, os, fs, nfs);
  hivex_close (h);
}

/* ---- architecture from a PE header ---- */

static const char *
pe_arch (int rootfd, const char *path)
{
  CLEANUP_CLOSE int fd = inspect_open (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1 || !S_ISREG (st.st_mode))
    return NULL;
  unsigned char b[4096];
  ssize_t n = pread (fd, b, sizeof b, 0);
  if (n < 0x40 || b[0] != 'M' || b[1] != 'Z')
    return NULL;
  uint32_t pe = regvalue_le32 (b + 0x3c);
  if (pe > (size_t) n - 6 || memcmp (b + pe, "PE\0\0", 4) != 0)
    return NULL;
  switch (b[pe + 4] | (b[pe + 5] << 8)) {
  case 0x014c: return "i386";
  case 0x8664: return "x86_64";
  case 0xaa64: return "aarch64";
  case 0x01c4: return "arm";
  case 0x0200: return "ia64";
  default: return NULL;
  }
}

static void
read_arch (int rootfd, struct inspect_os *os)
{
  static const char *const bins[] = {
    "System32/cmd.exe", "System32/kernel32.dll", "System32/ntoskrnl.exe",
  };
  for (size_t i = 0; i < sizeof bins / sizeof bins[0]; ++i) {
    char p[PATH_MAX];
    snprintf (p, sizeof p, "%s/%s", os->windows_systemroot, bins[i]);
    CLEANUP_FREE char *real = resolve_ci (rootfd, p, false);
    const char *a = real ? pe_arch (rootfd, real) : NULL;
    if (a) {
      inspect_set (&os->arch, a);
      return;
    }
  }
}

/* ---- osinfo ---- */

static const char *
windows_osinfo (const struct inspect_os *os, const struct winver *wv)
{
  int v = os->major * 100 + os->minor;
  bool srv = wv->server;
  switch (v) {
  case 500: return "win2k";
  case 501: return "winxp";
  case 502:
    if (!srv)
      return "winxp";
    return strstr (os->product_name, "R2") ? "win2k3r2" : "win2k3";
  case 600: return srv ? "win2k8" : "winvista";
  case 601: return srv ? "win2k8r2" : "win7";
  case 602: return srv ? "win2k12" : "win8";
  case 603: return srv ? "win2k12r2" : "win8.1";
  case 1000:
    if (!srv)
      return wv->build >= 22000 ? "win11" : "win10";
    if (wv->build >= 26100) return "win2k25";
    if (wv->build >= 20348) return "win2k22";
    if (wv->build >= 17763) return "win2k19";
    return "win2k16";
  default:
    return NULL;
  }
}

/* ---- entry point ---- */

void
inspect_windows (int rootfd, struct inspect_os *os,
                 const struct inspect_fsinfo *fs, size_t nfs)
{
  inspect_replace (&os->type, "windows");
  inspect_replace (&os->distro, "windows");

  char p[PATH_MAX];
  snprintf (p, sizeof p, "%s/System32/config/SOFTWARE", os->windows_systemroot);
  os->windows_software_hive = resolve_ci (rootfd, p, false);
  snprintf (p, sizeof p, "%s/System32/config/SYSTEM", os->windows_systemroot);
  os->windows_system_hive = resolve_ci (rootfd, p, false);

  struct winver wv = { .build = -1, .server = false };
  if (os->windows_software_hive)
    read_software (rootfd, os, &wv);
  read_arch (rootfd, os);
  if (os->windows_system_hive)
    read_system (rootfd, os, &wv, fs, nfs);
  inspect_set (&os->osinfo, windows_osinfo (os, &wv));

  /* Windows has no fstab: its root is the only known mountpoint. */
  struct stringsbuf mp = { 0 }, fl = { 0 };
  if (add_string (&mp, "/") == 0 && add_string (&mp, os->root) == 0 &&
      end_stringsbuf (&mp) == 0)
    os->mountpoints = take_stringsbuf (&mp);
  else
    free_stringsbuf (&mp);
  if (add_string (&fl, os->root) == 0 && end_stringsbuf (&fl) == 0)
    os->filesystems = take_stringsbuf (&fl);
  else
    free_stringsbuf (&fl);
  if (os->drive_mappings == NULL)
    os->drive_mappings = calloc (1, sizeof (char *));
}

/* ---- installed programs ---- */

/* Append the subkeys of one Uninstall key.  -1 only when out of memory.
 * app2_arch stays empty, for the native and the WOW6432Node (32-bit)
 * view alike: libguestfs 1.48 fills it for neither (checked on the same
 * registry, tests/data/make-guest-windows.sh's win-7.img). */
static int
list_uninstall (hive_h *h, const char *path, struct apps *l)
{
  hive_node_h un = node_at (h, hivex_root (h), path);
  if (un == 0)
    return 0;
  CLEANUP_FREE hive_node_h *kids = hivex_node_children (h, un);
  for (size_t i = 0; kids && kids[i] && l->n < MAX_APPS; ++i) {
    /* Like Windows' own list, skip keys without a DisplayName (updates,
     * components). */
    char *display = get_string (h, kids[i], "DisplayName");
    if (display == NULL)
      continue;
    struct app a = {
      .name = hivex_node_name (h, kids[i]),
      .display_name = display,
      .version = get_string (h, kids[i], "DisplayVersion"),
      .publisher = get_string (h, kids[i], "Publisher"),
      .install_path = get_string (h, kids[i], "InstallLocation"),
      .url = get_string (h, kids[i], "URLInfoAbout"),
      .description = get_string (h, kids[i], "Comments"),
    };
    if (inspect_add_app (l, &a) == -1)
      return -1;
  }
  return 0;
}

int
inspect_windows_apps (struct inspect_os *os, struct apps *l)
{
  if (os->windows_software_hive == NULL)
    return 0;
  CLEANUP_CLOSE int rootfd = sysroot_open ("/", O_PATH | O_DIRECTORY, 0);
  if (rootfd == -1)
    return 0;
  hive_h *h = open_hive (rootfd, os->windows_software_hive);
  if (h == NULL)
    return 0;
  int r = list_uninstall (h, "Microsoft\\Windows\\CurrentVersion\\Uninstall", l);
  if (r == 0)
    r = list_uninstall (h, "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall", l);
  hivex_close (h);
  if (r == -1) {
    inspect_free_apps (l);
    reply_with_perror ("inspect_list_applications");
    return -1;
  }
  return 0;
}
