/* The inspection core (see inspect.h): reading guest files, recognising
 * a Unix-like root, the architecture from ELF headers, and the list of
 * applications the package-format modules fill.
 *
 * Reading guest files for inspection: every path is opened with openat2
 * (RESOLVE_IN_ROOT) relative to the inspected filesystem's directory fd,
 * sizes are bounded, and only regular files are read (a FIFO or device
 * planted in the guest cannot block or feed the daemon). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"
#include "inspect.h"

int
inspect_open (int rootfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) flags | O_CLOEXEC,
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  for (;;) {
    long r = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
    if (r >= 0)
      return (int) r;
    if (errno != EAGAIN && errno != EINTR)
      return -1;
  }
}

static bool
stat_in_root (int rootfd, const char *path, int flags, struct stat *st)
{
  int fd = inspect_open (rootfd, path, O_PATH | flags);
  if (fd == -1)
    return false;
  int r = fstat (fd, st);
  close (fd);
  return r == 0;
}

bool
inspect_is_dir (int rootfd, const char *path)
{
  struct stat st;
  return stat_in_root (rootfd, path, 0, &st) && S_ISDIR (st.st_mode);
}

bool
inspect_is_file (int rootfd, const char *path)
{
  struct stat st;
  return stat_in_root (rootfd, path, 0, &st) && S_ISREG (st.st_mode);
}

bool
inspect_lexists (int rootfd, const char *path)
{
  struct stat st;
  return stat_in_root (rootfd, path, O_NOFOLLOW, &st);
}

char *
inspect_read_fd (int fd, size_t max, size_t *len_r)
{
  struct stat st;
  if (fstat (fd, &st) == -1)
    return NULL;
  if (!S_ISREG (st.st_mode)) {
    errno = EINVAL;
    return NULL;
  }
  if ((uint64_t) st.st_size > max) {
    errno = EFBIG;
    return NULL;
  }
  size_t alloc = (size_t) st.st_size + 1, len = 0;
  char *buf = malloc (alloc);
  if (buf == NULL)
    return NULL;
  for (;;) {
    if (len + 1 >= alloc) {
      /* The file grew while we read it: allow up to max. */
      if (alloc > max) {
        free (buf);
        errno = EFBIG;
        return NULL;
      }
      size_t na = alloc * 2 > max + 1 ? max + 1 : alloc * 2;
      if (na <= alloc)
        na = alloc + 1;
      char *nb = realloc (buf, na);
      if (nb == NULL) {
        free (buf);
        return NULL;
      }
      buf = nb;
      alloc = na;
    }
    ssize_t r = read (fd, buf + len, alloc - 1 - len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      free (buf);
      return NULL;
    }
    if (r == 0)
      break;
    len += (size_t) r;
  }
  buf[len] = '\0';
  if (len_r)
    *len_r = len;
  return buf;
}

char *
inspect_read_file (int rootfd, const char *path, size_t max, size_t *len_r)
{
  int fd = inspect_open (rootfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd == -1)
    return NULL;
  char *r = inspect_read_fd (fd, max, len_r);
  int saved = errno;
  close (fd);
  errno = saved;
  return r;
}

char *
inspect_trim (char *s)
{
  while (*s && isspace ((unsigned char) *s))
    s++;
  size_t n = strlen (s);
  while (n > 0 && isspace ((unsigned char) s[n - 1]))
    s[--n] = '\0';
  return s;
}

char *
inspect_first_line (int rootfd, const char *path)
{
  CLEANUP_FREE char *c = inspect_read_file (rootfd, path, INSPECT_MAX_CONFIG, NULL);
  if (c == NULL)
    return NULL;
  for (char *line = strtok (c, "\n"); line; line = strtok (NULL, "\n")) {
    char *t = inspect_trim (line);
    if (*t)
      return strdup (t);
  }
  return NULL;
}

/* Unquote a shell-style value: "..." (with \ escapes), '...', or bare
 * (up to white space or #). */
static char *
unquote (const char *v)
{
  char *r = malloc (strlen (v) + 1), *o = r;
  if (r == NULL)
    return NULL;
  while (*v && !isspace ((unsigned char) *v) && *v != '#') {
    if (*v == '"') {
      for (v++; *v && *v != '"'; v++) {
        if (*v == '\\' && v[1])
          v++;
        *o++ = *v;
      }
      if (*v) v++;
    }
    else if (*v == '\'') {
      for (v++; *v && *v != '\''; v++)
        *o++ = *v;
      if (*v) v++;
    }
    else {
      if (*v == '\\' && v[1])
        v++;
      *o++ = *v++;
    }
  }
  *o = '\0';
  return r;
}

char *
inspect_shell_var (const char *content, const char *key)
{
  size_t kl = strlen (key);
  char *result = NULL;
  const char *p = content;
  while (p && *p) {
    const char *eol = strchr (p, '\n');
    size_t ll = eol ? (size_t) (eol - p) : strlen (p);
    while (ll > 0 && (*p == ' ' || *p == '\t')) {
      p++;
      ll--;
    }
    if (ll > 7 && strncmp (p, "export ", 7) == 0) {
      p += 7;
      ll -= 7;
    }
    if (ll > kl && strncmp (p, key, kl) == 0 && p[kl] == '=') {
      char *line = strndup (p + kl + 1, ll - kl - 1);
      if (line) {
        free (result);            /* the last assignment wins, as in sh */
        result = unquote (line);
        free (line);
      }
    }
    p = eol ? eol + 1 : NULL;
  }
  return result;
}

bool
inspect_parse_version (const char *s, int *major, int *minor)
{
  while (*s && !isdigit ((unsigned char) *s))
    s++;
  if (!*s)
    return false;
  char *end;
  long ma = strtol (s, &end, 10), mi = 0;
  if (ma < 0 || ma > 1000000)
    return false;
  if (*end == '.' && isdigit ((unsigned char) end[1])) {
    mi = strtol (end + 1, NULL, 10);
    if (mi < 0 || mi > 1000000)
      mi = 0;
  }
  *major = (int) ma;
  *minor = (int) mi;
  return true;
}

void
inspect_set (char **field, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  if (*field == NULL || strcmp (*field, "unknown") == 0)
    inspect_replace (field, value);
}

void
inspect_replace (char **field, const char *value)
{
  char *c = strdup (value);
  if (c) {
    free (*field);
    *field = c;
  }
}

/* ---- architecture from an ELF header ---- */

static const char *
elf_arch (const unsigned char *h)
{
  bool is64 = h[4] == 2, le = h[5] == 1;
  unsigned m = le ? (unsigned) (h[18] | (h[19] << 8)) : (unsigned) ((h[18] << 8) | h[19]);
  switch (m) {
  case 2: return "sparc";
  case 3: return "i386";
  case 8: return is64 ? "mips64" : "mips";
  case 20: return "ppc";
  case 21: return le ? "ppc64le" : "ppc64";
  case 22: return is64 ? "s390x" : "s390";
  case 40: return "arm";
  case 43: return "sparc64";
  case 50: return "ia64";
  case 62: return "x86_64";
  case 183: return "aarch64";
  case 243: return is64 ? "riscv64" : "riscv32";
  case 258: return "loongarch64";
  default: return NULL;
  }
}

void
inspect_find_arch (int rootfd, struct inspect_os *os)
{
  static const char *const bins[] = {
    "/bin/bash", "/bin/ls", "/bin/echo", "/bin/rm", "/bin/sh",
    "/usr/bin/bash", "/usr/bin/ls", "/bin/busybox",
  };
  for (size_t i = 0; i < sizeof bins / sizeof bins[0]; ++i) {
    int fd = inspect_open (rootfd, bins[i], O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd == -1)
      continue;
    unsigned char h[20];
    struct stat st;
    ssize_t r = -1;
    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
      r = pread (fd, h, sizeof h, 0);
    close (fd);
    if (r != (ssize_t) sizeof h || memcmp (h, "\177ELF", 4) != 0)
      continue;
    const char *a = elf_arch (h);
    if (a) {
      inspect_replace (&os->arch, a);
      return;
    }
  }
}

/* The root filesystem of CoreOS Container Linux or Flatcar: /etc and
 * the update configuration, the OS itself being in the /usr partition. */
/* ---- Unix-like roots ---- */

bool
inspect_is_coreos_root (int rootfd)
{
  return inspect_is_dir (rootfd, "/etc") &&
    (inspect_is_file (rootfd, "/etc/coreos/update.conf") ||
     inspect_is_file (rootfd, "/etc/flatcar/update.conf"));
}

bool
inspect_is_unix_root (int rootfd)
{
  if (!inspect_is_dir (rootfd, "/etc"))
    return false;
  if (inspect_is_coreos_root (rootfd))
    return true;
  /* /bin may be a symlink into a /usr that is another filesystem. */
  if (!inspect_lexists (rootfd, "/bin") && !inspect_is_dir (rootfd, "/usr/bin"))
    return false;
  return inspect_is_file (rootfd, "/etc/fstab") ||
    inspect_is_file (rootfd, "/etc/os-release") ||
    inspect_lexists (rootfd, "/etc/os-release") ||
    inspect_is_file (rootfd, "/usr/lib/os-release");
}

/* ---- application lists ---- */

void
inspect_free_app (struct app *a)
{
  free (a->name); free (a->display_name); free (a->epoch_s);
  free (a->version); free (a->release); free (a->arch);
  free (a->install_path); free (a->publisher); free (a->url);
  free (a->source); free (a->summary); free (a->description);
  memset (a, 0, sizeof *a);
}

void
inspect_free_apps (struct apps *l)
{
  for (size_t i = 0; i < l->n; ++i)
    inspect_free_app (&l->v[i]);
  free (l->v);
}

int
inspect_add_app (struct apps *l, struct app *a)
{
  if (a->name == NULL || *a->name == '\0') {
    inspect_free_app (a);
    return 0;
  }
  if (l->n == l->alloc) {
    size_t na = l->alloc ? l->alloc * 2 : 64;
    struct app *nv = realloc (l->v, na * sizeof *nv);
    if (nv == NULL) {
      inspect_free_app (a);
      return -1;
    }
    l->v = nv;
    l->alloc = na;
  }
  l->v[l->n++] = *a;
  memset (a, 0, sizeof *a);
  return 0;
}
