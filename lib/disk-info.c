/* Library-side actions about disks and filesystems that need no appliance,
 * or are thin spellings of other actions:
 *
 *  - disk_format, disk_virtual_size, disk_has_backing_file: run qemu-img
 *    info --output json on the host.  This only reads the image header, as
 *    qemu would when attaching it; still, the image is untrusted, so
 *    qemu-img runs with a time limit, memory/CPU limits and a cap on its
 *    output, and only three top-level keys are picked out of the JSON by a
 *    small bounded scanner (no general JSON parser on the host);
 *  - canonical_device_name, list_disk_labels: string work on names the
 *    library already knows;
 *  - blockdev_setbsz (a no-op, as documented) and the deprecated
 *    mkswap_L, mkswap_U, e2fsck_f, set/get_e2label, set/get_e2uuid. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

#define QEMU_IMG_TIMEOUT_MS  30000
#define QEMU_IMG_MAX_OUTPUT  (256 * 1024)

/* ---- qemu-img info ---- */

static long
elapsed_ms (const struct timespec *t0)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run qemu-img info and return its stdout (malloc'd), or NULL with the
 * handle error set. */
static char *
qemu_img_info (guestfs_h *g, const char *filename, bool chain)
{
  if (filename[0] == '\0') {
    error (g, "disk image name is empty");
    return NULL;
  }
  /* "proto:..." would be a qemu protocol (nbd:, json:{...}): a relative
   * name is made explicit so it is always a local file. */
  char *path = NULL;
  if (filename[0] != '/' && asprintf (&path, "./%s", filename) == -1) {
    guestfs_int_perrorf (g, "asprintf");
    return NULL;
  }
  const char *file = path ? path : filename;
  if (access (file, R_OK) == -1) {
    guestfs_int_perrorf (g, "%s", filename);
    free (path);
    return NULL;
  }

  int out[2], err[2];
  if (pipe2 (out, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "pipe");
    free (path);
    return NULL;
  }
  if (pipe2 (err, O_CLOEXEC) == -1) {
    guestfs_int_perrorf (g, "pipe");
    close (out[0]); close (out[1]);
    free (path);
    return NULL;
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "fork");
    close (out[0]); close (out[1]); close (err[0]); close (err[1]);
    free (path);
    return NULL;
  }
  if (pid == 0) {
    /* Bounded: 1 GiB of address space, 10 s of CPU. */
    struct rlimit as = { 1024UL << 20, 1024UL << 20 }, cpu = { 10, 10 };
    setrlimit (RLIMIT_AS, &as);
    setrlimit (RLIMIT_CPU, &cpu);
    int null = open ("/dev/null", O_RDONLY);
    if (null == -1 || dup2 (null, 0) == -1 || dup2 (out[1], 1) == -1 || dup2 (err[1], 2) == -1)
      _exit (127);
    signal (SIGPIPE, SIG_DFL);
    if (chain)
      execlp ("qemu-img", "qemu-img", "info", "--output", "json", "--force-share",
              "--backing-chain", "--", file, (char *) NULL);
    else
      execlp ("qemu-img", "qemu-img", "info", "--output", "json", "--force-share", "--",
              file, (char *) NULL);
    dprintf (2, "qemu-img: %s\n", strerror (errno));
    _exit (127);
  }
  close (out[1]);
  close (err[1]);
  free (path);

  char *obuf = malloc (QEMU_IMG_MAX_OUTPUT + 1), ebuf[1024];
  size_t olen = 0, elen = 0;
  bool too_big = false, timed_out = false;
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  int fds[2] = { out[0], err[0] };
  while ((fds[0] >= 0 || fds[1] >= 0) && obuf) {
    long left = QEMU_IMG_TIMEOUT_MS - elapsed_ms (&t0);
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p[2];
    int n = 0;
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        p[n].fd = fds[i];
        p[n].events = POLLIN;
        n++;
      }
    int r = poll (p, (nfds_t) n, (int) left);
    if (r == -1 && errno == EINTR)
      continue;
    if (r <= 0)
      continue;
    for (int j = 0; j < n; ++j) {
      if (!p[j].revents)
        continue;
      bool is_out = p[j].fd == fds[0];
      char tmp[8192];
      ssize_t k = read (p[j].fd, tmp, sizeof tmp);
      if (k <= 0) {
        close (p[j].fd);
        fds[is_out ? 0 : 1] = -1;
        continue;
      }
      if (is_out) {
        if (olen + (size_t) k > QEMU_IMG_MAX_OUTPUT) {
          too_big = true;
          close (fds[0]);
          fds[0] = -1;
          continue;
        }
        memcpy (obuf + olen, tmp, (size_t) k);
        olen += (size_t) k;
      }
      else {
        size_t c = (size_t) k < sizeof ebuf - 1 - elen ? (size_t) k : sizeof ebuf - 1 - elen;
        memcpy (ebuf + elen, tmp, c);
        elen += c;
      }
    }
  }
  for (int i = 0; i < 2; ++i)
    if (fds[i] >= 0)
      close (fds[i]);
  if (timed_out || too_big || obuf == NULL)
    kill (pid, SIGKILL);
  int ws = 0;
  while (waitpid (pid, &ws, 0) == -1 && errno == EINTR)
    ;
  ebuf[elen] = '\0';
  while (elen > 0 && (ebuf[elen - 1] == '\n' || ebuf[elen - 1] == '\r'))
    ebuf[--elen] = '\0';

  if (obuf == NULL) {
    guestfs_int_perrorf (g, "malloc");
    return NULL;
  }
  if (timed_out) {
    error (g, "qemu-img info: %s: timed out after %d seconds", filename,
           QEMU_IMG_TIMEOUT_MS / 1000);
    free (obuf);
    return NULL;
  }
  if (too_big) {
    error (g, "qemu-img info: %s: output too large", filename);
    free (obuf);
    return NULL;
  }
  if (!WIFEXITED (ws) || WEXITSTATUS (ws) != 0) {
    error (g, "qemu-img info: %s: %s", filename,
           elen ? ebuf : WIFSIGNALED (ws) ? "killed by a signal (resource limit?)" : "failed");
    free (obuf);
    return NULL;
  }
  obuf[olen] = '\0';
  return obuf;
}

/* ---- a bounded scan of one JSON object's top-level members ---- */

struct json_top {
  char format[64];
  bool have_format;
  int64_t virtual_size;
  bool have_size;
  bool backing;
};

static const char *
skip_ws (const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* A JSON string at p: copy up to outlen-1 bytes of its (unescaped, except
 * \uXXXX kept as '?') value into out.  Returns the position after it, or
 * NULL if malformed. */
static const char *
scan_string (const char *p, const char *end, char *out, size_t outlen)
{
  size_t o = 0;
  if (p >= end || *p != '"')
    return NULL;
  for (p++; p < end; p++) {
    char c = *p;
    if (c == '"') {
      if (out)
        out[o] = '\0';
      return p + 1;
    }
    if ((unsigned char) c < 0x20)
      return NULL;
    if (c == '\\') {
      if (++p >= end)
        return NULL;
      switch (*p) {
      case '"': case '\\': case '/': c = *p; break;
      case 'b': case 'f': case 'n': case 'r': case 't': c = ' '; break;
      case 'u':
        for (int i = 0; i < 4; ++i)
          if (++p >= end || !isxdigit ((unsigned char) *p))
            return NULL;
        c = '?';
        break;
      default:
        return NULL;
      }
    }
    if (out && o + 1 < outlen)
      out[o++] = c;
  }
  return NULL;
}

/* Skip any JSON value (depth-limited).  NULL if malformed. */
static const char *
skip_value (const char *p, const char *end, int depth)
{
  p = skip_ws (p, end);
  if (p >= end || depth > 64)
    return NULL;
  if (*p == '"')
    return scan_string (p, end, NULL, 0);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    bool obj = *p == '{';
    p = skip_ws (p + 1, end);
    if (p < end && *p == close)
      return p + 1;
    for (;;) {
      if (obj) {
        p = scan_string (skip_ws (p, end), end, NULL, 0);
        if (p == NULL)
          return NULL;
        p = skip_ws (p, end);
        if (p >= end || *p != ':')
          return NULL;
        p++;
      }
      p = skip_value (p, end, depth + 1);
      if (p == NULL)
        return NULL;
      p = skip_ws (p, end);
      if (p < end && *p == ',') {
        p++;
        continue;
      }
      if (p < end && *p == close)
        return p + 1;
      return NULL;
    }
  }
  /* number, true, false, null */
  const char *s = p;
  while (p < end && (isalnum ((unsigned char) *p) || *p == '-' || *p == '+' || *p == '.'))
    p++;
  return p > s ? p : NULL;
}

static int
scan_top (const char *json, struct json_top *t)
{
  memset (t, 0, sizeof *t);
  const char *end = json + strlen (json);
  const char *p = skip_ws (json, end);
  if (p >= end || *p != '{')
    return -1;
  p = skip_ws (p + 1, end);
  if (p < end && *p == '}')
    return 0;
  for (;;) {
    char key[64];
    p = scan_string (skip_ws (p, end), end, key, sizeof key);
    if (p == NULL)
      return -1;
    p = skip_ws (p, end);
    if (p >= end || *p != ':')
      return -1;
    p = skip_ws (p + 1, end);
    if (strcmp (key, "format") == 0 && p < end && *p == '"') {
      p = scan_string (p, end, t->format, sizeof t->format);
      t->have_format = p != NULL;
    }
    else if (strcmp (key, "virtual-size") == 0 && p < end && isdigit ((unsigned char) *p)) {
      char *e;
      errno = 0;
      long long v = strtoll (p, &e, 10);
      if (errno || e > end)
        return -1;
      t->virtual_size = v;
      t->have_size = true;
      p = e;
    }
    else {
      if (strcmp (key, "backing-filename") == 0 || strcmp (key, "full-backing-filename") == 0)
        t->backing = true;
      p = skip_value (p, end, 1);
    }
    if (p == NULL)
      return -1;
    p = skip_ws (p, end);
    if (p < end && *p == ',') {
      p++;
      continue;
    }
    if (p < end && *p == '}')
      return 0;
    return -1;
  }
}

static int
disk_info (guestfs_h *g, const char *filename, struct json_top *t)
{
  char *json = qemu_img_info (g, filename, false);
  if (json == NULL)
    return -1;
  int r = scan_top (json, t);
  free (json);
  if (r == -1) {
    error (g, "qemu-img info: %s: could not understand its output", filename);
    return -1;
  }
  return 0;
}

char *
guestfs_impl_disk_format (guestfs_h *g, const char *filename)
{
  struct json_top t;
  if (disk_info (g, filename, &t) == -1)
    return NULL;
  bool ok = t.have_format && t.format[0];
  for (const char *p = t.format; ok && *p; ++p)
    ok = isalnum ((unsigned char) *p) || *p == '_' || *p == '-';
  return guestfs_int_safe_strdup (g, ok ? t.format : "unknown");
}

int64_t
guestfs_impl_disk_virtual_size (guestfs_h *g, const char *filename)
{
  struct json_top t;
  if (disk_info (g, filename, &t) == -1)
    return -1;
  if (!t.have_size || t.virtual_size < 0) {
    error (g, "qemu-img info: %s: no virtual size in its output", filename);
    return -1;
  }
  return t.virtual_size;
}

int
guestfs_impl_disk_has_backing_file (guestfs_h *g, const char *filename)
{
  struct json_top t;
  if (disk_info (g, filename, &t) == -1)
    return -1;
  return t.backing;
}

/* ---- probing the format of a drive added without one ---- */

/* Every string value of KEY anywhere in JSON (qemu-img's output, where
 * keys cannot be forged: qemu escapes the strings it prints) is passed to
 * FN; returns the number of matches, or -1 if FN returned -1. */
static int
each_value (const char *json, const char *key,
            int (*fn) (const char *value, void *opaque), void *opaque)
{
  char pat[80];
  snprintf (pat, sizeof pat, "\"%s\":", key);
  const char *end = json + strlen (json);
  int n = 0;
  for (const char *p = strstr (json, pat); p; p = strstr (p + 1, pat)) {
    char value[4096];
    const char *v = scan_string (skip_ws (p + strlen (pat), end), end, value, sizeof value);
    if (v == NULL)
      continue;
    n++;
    if (fn && fn (value, opaque) == -1)
      return -1;
  }
  return n;
}

static int
differs (const char *value, void *opaque)
{
  return strcmp (value, (const char *) opaque) == 0 ? 0 : -1;
}

/* Printable copy of a name taken from an image header, for messages. */
static void
printable (char *s)
{
  for (; *s; ++s)
    if ((unsigned char) *s < 0x20 || *s == 0x7f)
      *s = '?';
}

/* A local drive added without a format: qemu would guess it from the
 * content, and the content belongs to the guest.  A guest that writes a
 * qcow2 header naming a host file as its backing file (or a vmdk
 * descriptor naming host files as extents, or a qcow2 external data file)
 * onto its raw disk would make the next open read or write that host
 * file.  So the library asks qemu-img (which opens the image alone,
 * never its backing chain) and accepts the guess only when the image
 * names no other file; the guessed format then goes to qemu explicitly.
 * Sets *FORMAT (malloc'd) or the handle error. */
int
guestfs_int_probe_drive_format (guestfs_h *g, const char *filename, char **format)
{
  char *json = qemu_img_info (g, filename, false);
  if (json == NULL)
    return -1;
  struct json_top t;
  if (scan_top (json, &t) == -1 || !t.have_format || !t.format[0]) {
    free (json);
    error (g, "%s: could not find out the disk format (qemu-img info); "
           "give it with format=", filename);
    return -1;
  }
  bool ok = true;
  for (const char *p = t.format; ok && *p; ++p)
    ok = isalnum ((unsigned char) *p) || *p == '_' || *p == '-';
  char own[4096] = "", backing[256] = "";
  /* The image's own name is the first "filename" qemu-img prints. */
  const char *f = strstr (json, "\"filename\":");
  if (f)
    scan_string (skip_ws (f + 11, json + strlen (json)), json + strlen (json), own, sizeof own);
  const char *b = strstr (json, "\"backing-filename\":");
  if (b)
    scan_string (skip_ws (b + 19, json + strlen (json)), json + strlen (json), backing, sizeof backing);
  printable (backing);
  printable (t.format);
  const char *why = NULL;
  if (!ok)
    why = "an unexpected format name";
  else if (t.backing)
    why = "a backing file";
  else if (each_value (json, "data-file", NULL, NULL) > 0)
    why = "an external data file";
  else if (each_value (json, "filename", differs, own) == -1)
    why = "other files (extents)";
  free (json);
  if (why) {
    guestfs_int_error_errno (g, EPERM, "%s: no format was given, and the image's content says it is %s "
           "with %s%s%s%s: Hatch does not follow files named inside an image "
           "it had to guess.  If this is your own image, give format=%s; "
           "if it is a guest's raw disk, give format=raw",
           filename, t.format, why, backing[0] ? " (" : "", backing, backing[0] ? ")" : "",
           t.format);
    return -1;
  }
  *format = guestfs_int_safe_strdup (g, t.format);
  return 0;
}

/* A local drive whose format the user gave (other than raw): its backing
 * chain is what the user asked for, but a chain that names itself, or a
 * file that cannot be opened, would leave qemu stuck or failing deep in
 * the launch.  qemu-img walks the chain first (bounded, as above) and
 * its complaint becomes the error. */
int
guestfs_int_check_backing_chain (guestfs_h *g, const char *filename)
{
  char *json = qemu_img_info (g, filename, true);
  if (json == NULL)
    return -1;
  free (json);
  return 0;
}

/* ---- names ---- */

char *
guestfs_impl_canonical_device_name (guestfs_h *g, const char *device)
{
  char *r = NULL;
  if (strncmp (device, "/dev/hd", 7) == 0 || strncmp (device, "/dev/vd", 7) == 0) {
    if (islower ((unsigned char) device[7]) && asprintf (&r, "/dev/sd%s", device + 7) == -1)
      r = NULL;
    else if (r)
      return r;
  }
  const char *pfx = "/dev/mapper/";
  if (strncmp (device, pfx, strlen (pfx)) == 0) {
    /* VG-LV, where a '-' inside either name is doubled. */
    const char *name = device + strlen (pfx);
    size_t len = strlen (name);
    char *vg = calloc (1, len + 1), *lv = calloc (1, len + 1);
    size_t vi = 0, li = 0;
    bool in_lv = false, ok = vg && lv;
    for (size_t i = 0; ok && i < len; ++i) {
      if (name[i] == '-' && name[i + 1] == '-') {
        (in_lv ? lv : vg)[in_lv ? li++ : vi++] = '-';
        i++;
      }
      else if (name[i] == '-') {
        if (in_lv)
          ok = false;
        in_lv = true;
      }
      else
        (in_lv ? lv : vg)[in_lv ? li++ : vi++] = name[i];
    }
    if (ok && in_lv && vi && li && asprintf (&r, "/dev/%s/%s", vg, lv) == -1)
      r = NULL;
    free (vg);
    free (lv);
    if (r)
      return r;
  }
  return guestfs_int_safe_strdup (g, device);
}

char **
guestfs_impl_list_disk_labels (guestfs_h *g)
{
  /* Drive i is the i-th disk on the SCSI bus: /dev/sda, /dev/sdb ... */
  size_t n = 0;
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (g->drives[i].label)
      n++;
  char **r = calloc (2 * n + 1, sizeof *r);
  if (r == NULL) {
    guestfs_int_perrorf (g, "calloc");
    return NULL;
  }
  size_t k = 0;
  for (size_t i = 0; i < g->nr_drives; ++i) {
    if (!g->drives[i].label)
      continue;
    r[k] = strdup (g->drives[i].label);
    if (r[k] == NULL || (r[k + 1] = guestfs_int_drive_device_name (i)) == NULL) {
      r[k + 1] = NULL;
      guestfs_int_free_string_list (r);
      guestfs_int_perrorf (g, "strdup");
      return NULL;
    }
    k += 2;
  }
  return r;
}

/* ---- no-op and deprecated spellings ---- */

int
guestfs_impl_blockdev_setbsz (guestfs_h *g, const char *device, int blocksize)
{
  (void) device;
  if (blocksize <= 0) {
    error (g, "blocksize must be positive");
    return -1;
  }
  return 0;
}

int
guestfs_impl_mkswap_L (guestfs_h *g, const char *label, const char *device)
{
  return guestfs_mkswap_opts (g, device, GUESTFS_MKSWAP_OPTS_LABEL, label, -1);
}

int
guestfs_impl_mkswap_U (guestfs_h *g, const char *uuid, const char *device)
{
  return guestfs_mkswap_opts (g, device, GUESTFS_MKSWAP_OPTS_UUID, uuid, -1);
}

int
guestfs_impl_e2fsck_f (guestfs_h *g, const char *device)
{
  return guestfs_e2fsck (g, device, GUESTFS_E2FSCK_CORRECT, 1, -1);
}

int
guestfs_impl_set_e2label (guestfs_h *g, const char *device, const char *label)
{
  return guestfs_set_label (g, device, label);
}

char *
guestfs_impl_get_e2label (guestfs_h *g, const char *device)
{
  return guestfs_vfs_label (g, device);
}

int
guestfs_impl_set_e2uuid (guestfs_h *g, const char *device, const char *uuid)
{
  if (strcmp (uuid, "random") == 0 || strcmp (uuid, "time") == 0)
    return guestfs_set_uuid_random (g, device);
  if (strcmp (uuid, "clear") == 0)
    return guestfs_set_uuid (g, device, "00000000-0000-0000-0000-000000000000");
  return guestfs_set_uuid (g, device, uuid);
}

char *
guestfs_impl_get_e2uuid (guestfs_h *g, const char *device)
{
  return guestfs_vfs_uuid (g, device);
}
