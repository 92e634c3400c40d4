/* Small files of remembered verdicts in the checked per-user cache
 * directory (never a predictable name in a shared directory): KVM's
 * verdict per boot (kvm.c), the format found for a local image
 * (launch.c), what a hypervisor binary was built with (hv-query.c) and
 * whether the appliance's initramfs has virtio-mem (direct.c), the host's
 * TSC rate per boot (appliance-vm.c).
 * Each file holds lines "KEY <tab> VALUE"; readers and
 * writers never see half a file (a writer renames its own temporary
 * file into place).  Writers take turns on PATH.lock, so that two
 * processes storing at once keep both their lines (several handles
 * launched at once each store the KVM verdict of their hypervisor); a
 * writer that cannot have the lock within LOCK_WAIT_MS writes anyway,
 * at worst losing a line. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"
#include "appliance/appliance.h"

#define MAX_CACHE_FILE (64 * 1024)
#define LOCK_WAIT_MS 10000

char *
guestfs_int_cache_file_path (guestfs_h *g, const char *name)
{
  char *cachedir = guestfs_impl_get_cachedir (g);
  char *err = NULL;
  char *dir = cachedir ? hatch_appliance_user_cache_dir (cachedir, &err) : NULL;
  char *path = NULL;
  if (!dir)
    debug (g, "%s not cached: %s", name, err ? err : "no cache directory");
  else if (asprintf (&path, "%s/%s", dir, name) == -1)
    path = NULL;
  free (err);
  free (dir);
  free (cachedir);
  return path;
}

char *
guestfs_int_cache_file_read (const char *path)
{
  char *buf = calloc (1, MAX_CACHE_FILE + 1);
  if (!buf)
    return NULL;
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    size_t n = 0;
    ssize_t r;
    while (n < MAX_CACHE_FILE && (r = read (fd, buf + n, MAX_CACHE_FILE - n)) > 0)
      n += (size_t) r;
    buf[n] = '\0';
    close (fd);
  }
  return buf;
}

char *
guestfs_int_cache_file_lookup (const char *content, const char *key)
{
  size_t klen = strlen (key);
  char *found = NULL;
  for (const char *line = content; line && *line; ) {
    const char *end = strchr (line, '\n');
    size_t len = end ? (size_t) (end - line) : strlen (line);
    if (len > klen && strncmp (line, key, klen) == 0 && line[klen] == '\t') {
      free (found);
      found = strndup (line + klen + 1, len - klen - 1);
    }
    line = end ? end + 1 : NULL;
  }
  return found;
}

int
guestfs_int_cache_file_store (guestfs_h *g, const char *path, const char *key,
                              const char *value, bool (*keep) (const char *line, void *opaque),
                              void *opaque, size_t max_lines)
{
  /* The lock is held until this function returns (closing lfd). */
  char *lock = NULL;
  int lfd = asprintf (&lock, "%s.lock", path) == -1 ? -1
    : open (lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  free (lock);
  for (int ms = 0; lfd >= 0 && flock (lfd, LOCK_EX | LOCK_NB) == -1; ms += 10) {
    if (ms >= LOCK_WAIT_MS) {
      debug (g, "%s: another writer holds its lock; writing without it", path);
      break;
    }
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  char *old = guestfs_int_cache_file_read (path);
  if (!old) {
    if (lfd >= 0)
      close (lfd);
    return -1;
  }
  /* The lines kept, newest last, at most max_lines - 1 of them. */
  size_t nkept = 0, klen = strlen (key);
  char **kept = NULL;
  for (char *line = old, *end; line && *line; line = end ? end + 1 : NULL) {
    end = strchr (line, '\n');
    if (end)
      *end = '\0';
    if (strncmp (line, key, klen) == 0 && line[klen] == '\t')
      continue;                                   /* replaced below */
    if (keep && !keep (line, opaque))
      continue;
    char **k = realloc (kept, (nkept + 1) * sizeof *kept);
    if (!k)
      break;
    kept = k;
    kept[nkept++] = line;
  }
  size_t first = nkept + 1 > max_lines ? nkept + 1 - max_lines : 0;
  char *tmp = NULL;
  int ret = -1;
  if (asprintf (&tmp, "%s.%d", path, (int) getpid ()) == -1)
    tmp = NULL;
  int fd = tmp ? open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
  FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
  if (!f) {
    if (fd >= 0)
      close (fd);
    debug (g, "%s: not cached: %s", path, strerror (errno));
  }
  else {
    for (size_t i = first; i < nkept; ++i)
      fprintf (f, "%s\n", kept[i]);
    fprintf (f, "%s\t%s\n", key, value);
    if (fclose (f) == 0 && rename (tmp, path) == 0)
      ret = 0;
    else
      unlink (tmp);
  }
  free (kept);
  free (tmp);
  free (old);
  if (lfd >= 0)
    close (lfd);
  return ret;
}

void
guestfs_int_cache_file_stat_key (const struct stat *st, char *key, size_t len)
{
  snprintf (key, len, "%ju:%ju:%jd:%jd.%09ld:%jd.%09ld",
            (uintmax_t) st->st_dev, (uintmax_t) st->st_ino, (intmax_t) st->st_size,
            (intmax_t) st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
            (intmax_t) st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* This host boot's id: what a verdict that does not outlive a boot is
 * keyed on.  Never NULL unless out of memory. */
char *
guestfs_int_boot_id (void)
{
  char buf[64] = "";
  FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "re");
  if (f) {
    if (!fgets (buf, sizeof buf, f))
      buf[0] = '\0';
    fclose (f);
  }
  buf[strcspn (buf, "\n")] = '\0';
  return strdup (buf[0] ? buf : "unknown-boot");
}

char *
guestfs_int_cache_file_get (guestfs_h *g, const char *name, const char *key)
{
  char *path = guestfs_int_cache_file_path (g, name);
  char *content = path ? guestfs_int_cache_file_read (path) : NULL;
  char *value = content ? guestfs_int_cache_file_lookup (content, key) : NULL;
  free (content);
  free (path);
  return value;
}

void
guestfs_int_cache_file_put (guestfs_h *g, const char *name, const char *key,
                            const char *value, size_t max_lines)
{
  char *path = guestfs_int_cache_file_path (g, name);
  if (path)
    (void) guestfs_int_cache_file_store (g, path, key, value, NULL, NULL, max_lines);
  free (path);
}

bool
guestfs_int_file_contains (guestfs_h *g, int fd, const struct stat *st,
                           const char *needle, const char *cache)
{
  char key[320];
  guestfs_int_cache_file_stat_key (st, key, sizeof key - 128);
  size_t kl = strlen (key);
  snprintf (key + kl, sizeof key - kl, ":%s", needle);
  char *known = guestfs_int_cache_file_get (g, cache, key);
  bool found = false;
  if (known && (strcmp (known, "yes") == 0 || strcmp (known, "no") == 0))
    found = strcmp (known, "yes") == 0;
  else if (S_ISREG (st->st_mode) && st->st_size > 0 && st->st_size < (off_t) 1 << 31) {
    void *p = mmap (NULL, (size_t) st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      found = memmem (p, (size_t) st->st_size, needle, strlen (needle)) != NULL;
      munmap (p, (size_t) st->st_size);
      guestfs_int_cache_file_put (g, cache, key, found ? "yes" : "no", 32);
    }
  }
  free (known);
  return found;
}
