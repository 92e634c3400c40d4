/* initrd_list, initrd_cat and file_architecture.
 *
 * An initramfs is one or more cpio archives ("newc" format), each either
 * stored as is or compressed, one after another (early microcode archives
 * come first, uncompressed).  We read the archive headers ourselves from
 * the file or from a decompressor's output, so nothing is ever unpacked
 * onto a filesystem.  Every length in a header is checked before use: the
 * image comes from the guest.  */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "files-common.h"
#include "actions-gen.h"

/* ---- decompressors and architectures ---- */

const char *const *
f2_decompressor (const unsigned char *m, size_t len)
{
  static const char *const gz[] = { "gzip", "-dc", NULL };
  static const char *const bz[] = { "bzip2", "-dc", NULL };
  static const char *const xz[] = { "xz", "-dc", NULL };
  static const char *const lzma[] = { "xz", "-dc", "--format=lzma", NULL };
  static const char *const zst[] = { "zstd", "-dcq", NULL };
  static const char *const lz4[] = { "lz4", "-dcq", NULL };
  static const char *const lzo[] = { "lzop", "-dc", NULL };
  if (len >= 2 && m[0] == 0x1f && m[1] == 0x8b)
    return gz;
  if (len >= 3 && memcmp (m, "BZh", 3) == 0)
    return bz;
  if (len >= 6 && memcmp (m, "\xfd" "7zXZ\0", 6) == 0)
    return xz;
  if (len >= 4 && memcmp (m, "\x28\xb5\x2f\xfd", 4) == 0)
    return zst;
  if (len >= 4 && (memcmp (m, "\x02\x21\x4c\x18", 4) == 0 ||
                   memcmp (m, "\x04\x22\x4d\x18", 4) == 0))
    return lz4;
  if (len >= 4 && memcmp (m, "\x89LZO", 4) == 0)
    return lzo;
  if (len >= 3 && m[0] == 0x5d && m[1] == 0 && m[2] == 0)
    return lzma;
  return NULL;
}

const char *
f2_elf_arch (const unsigned char *h, size_t len)
{
  if (len < 20 || memcmp (h, "\x7f" "ELF", 4) != 0)
    return NULL;
  bool is64 = h[4] == 2, le = h[5] == 1;
  unsigned machine = le ? (unsigned) h[18] | ((unsigned) h[19] << 8)
                        : ((unsigned) h[18] << 8) | h[19];
  switch (machine) {
  case 2: case 18: return "sparc";
  case 3: case 6: return "i386";
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

/* Windows PE: "MZ", then at 0x3c the offset of "PE\0\0" and the machine. */
static const char *
pe_arch (int fd)
{
  unsigned char b[6], off4[4];
  if (f2_pread_full (fd, off4, 4, 0x3c) != 4)
    return NULL;
  uint32_t off = off4[0] | (off4[1] << 8) | (off4[2] << 16) | ((uint32_t) off4[3] << 24);
  if (off > (1u << 24) || f2_pread_full (fd, b, 6, (off_t) off) != 6 ||
      memcmp (b, "PE\0\0", 4) != 0)
    return NULL;
  switch (b[4] | (b[5] << 8)) {
  case 0x14c: return "i386";
  case 0x8664: return "x86_64";
  case 0xaa64: return "aarch64";
  case 0x1c0: case 0x1c2: case 0x1c4: return "arm";
  case 0x200: return "ia64";
  default: return NULL;
  }
}

/* ---- a buffered reader counting what it consumed ---- */

struct rd {
  int fd;
  uint64_t consumed;
  size_t bpos, blen;
  bool eof;
  int err;
  unsigned char buf[65536];
};

static bool
rd_fill (struct rd *r)
{
  if (r->bpos < r->blen)
    return true;
  if (r->eof || r->err)
    return false;
  ssize_t n;
  do
    n = read (r->fd, r->buf, sizeof r->buf);
  while (n == -1 && errno == EINTR);
  if (n < 0) {
    r->err = errno;
    return false;
  }
  if (n == 0) {
    r->eof = true;
    return false;
  }
  r->bpos = 0;
  r->blen = (size_t) n;
  return true;
}

/* Read exactly n bytes (buf may be NULL to skip).  false at end/error. */
static bool
rd_read (struct rd *r, void *buf, uint64_t n)
{
  while (n > 0) {
    if (!rd_fill (r))
      return false;
    size_t k = r->blen - r->bpos;
    if (k > n)
      k = (size_t) n;
    if (buf) {
      memcpy (buf, r->buf + r->bpos, k);
      buf = (char *) buf + k;
    }
    r->bpos += k;
    r->consumed += k;
    n -= k;
  }
  return true;
}

/* Peek at up to n bytes without consuming them (n <= 16). */
static size_t
rd_peek (struct rd *r, unsigned char *out, size_t n)
{
  if (!rd_fill (r))
    return 0;
  if (r->blen - r->bpos < n) {
    /* Move the rest to the front and read more behind it. */
    size_t have = r->blen - r->bpos;
    memmove (r->buf, r->buf + r->bpos, have);
    r->bpos = 0;
    r->blen = have;
    while (r->blen < n && !r->eof && !r->err) {
      ssize_t k = read (r->fd, r->buf + r->blen, sizeof r->buf - r->blen);
      if (k == -1 && errno == EINTR)
        continue;
      if (k < 0)
        r->err = errno;
      else if (k == 0)
        r->eof = true;
      else
        r->blen += (size_t) k;
    }
  }
  size_t k = r->blen - r->bpos < n ? r->blen - r->bpos : n;
  memcpy (out, r->buf + r->bpos, k);
  return k;
}

/* ---- cpio ---- */

/* Called for each archive member.  The callback may read up to *left bytes
 * of the member's data with rd_read (reducing *left); the rest is skipped.
 * Returns 0 to go on, 1 to stop (done), -1 on error (errno).  */
typedef int (*member_cb) (void *opaque, const char *name, uint32_t mode,
                          struct rd *r, uint64_t *left);

static int
hexfield (const unsigned char *p, uint32_t *v)
{
  uint32_t x = 0;
  for (int i = 0; i < 8; i++) {
    unsigned char c = p[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
      c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0)
      return -1;
    x = (x << 4) | (uint32_t) d;
  }
  *v = x;
  return 0;
}

#define PAD4(n) ((4 - ((n) & 3)) & 3)

/* Parse cpio archives from r until the data is not a cpio header any more
 * (zero padding between archives is skipped).  Returns 1 if cb stopped,
 * 0 at the end of the archives (*narchives counts the complete ones), -1
 * on error with errno (EINVAL: a damaged archive).  */
static int
parse_cpio (struct rd *r, member_cb cb, void *opaque, int *narchives)
{
  for (;;) {
    /* Skip zero padding before the next archive (in 4-byte steps). */
    unsigned char m[6];
    for (;;) {
      size_t k = rd_peek (r, m, 4);
      if (k == 4 && memcmp (m, "\0\0\0\0", 4) == 0) {
        rd_read (r, NULL, 4);
        continue;
      }
      break;
    }
    if (rd_peek (r, m, 6) < 6 ||
        (memcmp (m, "070701", 6) != 0 && memcmp (m, "070702", 6) != 0))
      return r->err ? (errno = r->err, -1) : 0;
    uint64_t start = r->consumed;
    for (;;) {
      unsigned char h[110];
      uint32_t f[13];
      if (!rd_read (r, h, sizeof h))
        goto damaged;
      if (memcmp (h, "070701", 6) != 0 && memcmp (h, "070702", 6) != 0)
        goto damaged;
      for (int i = 0; i < 13; i++)
        if (hexfield (h + 6 + 8 * i, &f[i]) == -1)
          goto damaged;
      uint32_t mode = f[1], filesize = f[6], namesize = f[11];
      if (namesize == 0 || namesize > 65536)
        goto damaged;
      char *name = malloc (namesize + 1);
      if (name == NULL)
        return -1;
      if (!rd_read (r, name, namesize)) {
        free (name);
        goto damaged;
      }
      name[namesize] = '\0';
      rd_read (r, NULL, PAD4 (r->consumed - start));
      if (strcmp (name, "TRAILER!!!") == 0) {
        free (name);
        rd_read (r, NULL, PAD4 (r->consumed - start));
        (*narchives)++;
        break;
      }
      uint64_t left = filesize;
      int c = cb (opaque, name, mode, r, &left);
      free (name);
      if (c != 0)
        return c;
      if (!rd_read (r, NULL, left))
        goto damaged;
      rd_read (r, NULL, PAD4 (r->consumed - start));
    }
  }
 damaged:
  errno = r->err ? r->err : EINVAL;
  return -1;
}

/* Walk every archive member of the initramfs open at fd.  raw_cb, if not
 * NULL, is given the first bytes of a compressed stream that is not a cpio
 * archive (a compressed ELF file, for file_architecture) and returns 1 if
 * it used them.  On failure replies with the error (what names the
 * action) and returns -1; 1 if a callback stopped, 0 otherwise.  */
static int
scan_initrd (int fd, const char *path, member_cb cb, void *opaque,
             int (*raw_cb) (void *opaque, const unsigned char *p, size_t n))
{
  uint64_t offset = 0;
  int narchives = 0;
  for (;;) {
    unsigned char m[16];
    ssize_t k = f2_pread_full (fd, m, sizeof m, (off_t) offset);
    if (k < 0) {
      reply_with_perror ("read: %s", path);
      return -1;
    }
    const char *const *dec = f2_decompressor (m, (size_t) k);
    if (k >= 6 && (memcmp (m, "070701", 6) == 0 || memcmp (m, "070702", 6) == 0)) {
      /* An uncompressed archive (or several), read from the file itself. */
      struct rd *r = calloc (1, sizeof *r);
      if (r == NULL || lseek (fd, (off_t) offset, SEEK_SET) == -1) {
        free (r);
        reply_with_perror ("%s", path);
        return -1;
      }
      r->fd = fd;
      int n0 = narchives;
      int c = parse_cpio (r, cb, opaque, &narchives);
      uint64_t used = r->consumed;
      free (r);
      if (c == -1) {
        reply_with_error_errno (errno, "%s: damaged cpio archive in the initrd", path);
        return -1;
      }
      if (c == 1)
        return 1;
      if (narchives == n0)
        break;
      offset += used;
      continue;
    }
    if (dec == NULL) {
      if (narchives == 0) {
        reply_with_error_errno (EINVAL, "%s: not an initramfs (no cpio archive, "
                                "compressed or not, was found)", path);
        return -1;
      }
      break;               /* trailing data after the archives */
    }
    if (!program_exists (dec[0])) {
      reply_with_error_errno (ENOTSUP, "%s: the initrd is compressed with %s, "
                              "which this appliance does not have", path, dec[0]);
      return -1;
    }
    /* A compressed part: everything from here on goes to the decompressor
     * (one compressed stream may hold several archives).  */
    CLEANUP_CLOSE int errfd = f2_memfd ("stderr");
    int p[2];
    if (errfd == -1 || lseek (fd, (off_t) offset, SEEK_SET) == -1 ||
        pipe2 (p, O_CLOEXEC) == -1) {
      reply_with_perror ("%s", path);
      return -1;
    }
    pid_t pid = spawn_program ((const char *const *) dec, -1, fd, p[1], errfd);
    close (p[1]);
    if (pid == -1) {
      close (p[0]);
      reply_with_perror ("fork");
      return -1;
    }
    struct rd *r = calloc (1, sizeof *r);
    int c = -1, e = ENOMEM;
    bool used_raw = false;
    if (r) {
      r->fd = p[0];
      unsigned char head[64];
      size_t hn = rd_peek (r, head, 16);
      if (raw_cb && hn >= 6 && memcmp (head, "070701", 6) != 0 &&
          memcmp (head, "070702", 6) != 0) {
        /* Not an archive: let the caller look at the data itself. */
        size_t more = 0;
        unsigned char big[64];
        while (more < sizeof big && rd_fill (r)) {
          size_t t = r->blen - r->bpos < sizeof big - more ? r->blen - r->bpos
                                                           : sizeof big - more;
          memcpy (big + more, r->buf + r->bpos, t);
          rd_read (r, NULL, t);
          more += t;
        }
        used_raw = raw_cb (opaque, big, more) == 1;
        c = used_raw ? 1 : 0;
      }
      else {
        int n0 = narchives;
        c = parse_cpio (r, cb, opaque, &narchives);
        e = errno;
        if (c == 0 && narchives == n0 && !r->err) {
          c = -1;
          e = EINVAL;
        }
      }
      free (r);
    }
    close (p[0]);                /* a decompressor still writing gets SIGPIPE */
    int status = wait_program (pid);
    if (c == -1) {
      CLEANUP_FREE char *err = read_stderr_memfd (errfd);
      if (status != 0 && status != 128 + SIGPIPE && err && *err)
        reply_with_error ("%s: %s: %s", path, dec[0], err);
      else
        reply_with_error_errno (e, "%s: damaged or unrecognised data after %s "
                                "decompression", path, dec[0]);
      return -1;
    }
    return c;
  }
  return 0;
}

/* Archive names as cpio -t shows them: no leading "./" or "/". */
static const char *
clean_name (const char *name)
{
  for (;;) {
    if (name[0] == '.' && name[1] == '/')
      name += 2;
    else if (name[0] == '/' && name[1] != '\0')
      name++;
    else
      return name;
  }
}

/* ---- initrd_list ---- */

struct list_state {
  struct stringsbuf sb;
  size_t bytes;
};

static int
list_cb (void *opaque, const char *name, uint32_t mode, struct rd *r, uint64_t *left)
{
  struct list_state *ls = opaque;
  (void) mode; (void) r; (void) left;
  const char *n = clean_name (name);
  if (*n == '\0')
    n = ".";
  ls->bytes += strlen (n) + 8;
  if (ls->bytes > F2_REPLY_LIMIT || ls->sb.size >= XDR_MAX_LIST - 1) {
    errno = EFBIG;
    return -1;
  }
  return add_string (&ls->sb, n);
}

char **
do_initrd_list (const char *path)
{
  CLEANUP_CLOSE int fd = f2_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  struct list_state ls = { 0 };
  if (scan_initrd (fd, path, list_cb, &ls, NULL) == -1) {
    free_stringsbuf (&ls.sb);
    return NULL;
  }
  if (end_stringsbuf (&ls.sb) == -1) {
    reply_with_perror ("malloc");
    return NULL;
  }
  return take_stringsbuf (&ls.sb);
}

/* ---- initrd_cat ---- */

struct cat_state {
  const char *want;
  char *data;
  size_t size;
  bool found;
  bool too_big;
};

static int
cat_cb (void *opaque, const char *name, uint32_t mode, struct rd *r, uint64_t *left)
{
  struct cat_state *cs = opaque;
  if (strcmp (clean_name (name), cs->want) != 0 || !S_ISREG (mode))
    return 0;
  if (*left > F2_REPLY_LIMIT) {
    cs->too_big = true;
    errno = EFBIG;
    return -1;
  }
  cs->data = malloc (*left ? (size_t) *left : 1);
  if (cs->data == NULL)
    return -1;
  if (!rd_read (r, cs->data, *left)) {
    errno = r->err ? r->err : EINVAL;
    return -1;
  }
  cs->size = (size_t) *left;
  *left = 0;
  cs->found = true;
  return 1;
}

char *
do_initrd_cat (const char *initrdpath, const char *filename, size_t *size_r)
{
  const char *want = clean_name (filename);
  if (*want == '\0') {
    reply_with_error_errno (EINVAL, "%s: no file name given", filename);
    return NULL;
  }
  CLEANUP_CLOSE int fd = f2_open_data (initrdpath, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  struct cat_state cs = { .want = want };
  int r = scan_initrd (fd, initrdpath, cat_cb, &cs, NULL);
  if (r == -1) {
    free (cs.data);
    return NULL;
  }
  if (!cs.found) {
    reply_with_error_errno (ENOENT, "%s: %s: no such file in the initrd",
                            initrdpath, filename);
    return NULL;
  }
  *size_r = cs.size;
  return cs.data;
}

/* ---- file_architecture ---- */

struct arch_state {
  const char *arch;
};

static int
arch_member_cb (void *opaque, const char *name, uint32_t mode, struct rd *r,
                uint64_t *left)
{
  struct arch_state *as = opaque;
  (void) name;
  if (!S_ISREG (mode) || *left < 20)
    return 0;
  unsigned char h[20];
  if (!rd_read (r, h, sizeof h)) {
    errno = r->err ? r->err : EINVAL;
    return -1;
  }
  *left -= sizeof h;
  as->arch = f2_elf_arch (h, sizeof h);
  return as->arch ? 1 : 0;
}

static int
arch_raw_cb (void *opaque, const unsigned char *p, size_t n)
{
  struct arch_state *as = opaque;
  as->arch = f2_elf_arch (p, n);
  return as->arch ? 1 : 0;
}

char *
do_file_architecture (const char *filename)
{
  CLEANUP_CLOSE int fd = f2_open_data (filename, O_RDONLY, 0);
  if (fd == -1)
    return NULL;
  unsigned char h[64];
  ssize_t n = f2_pread_full (fd, h, sizeof h, 0);
  if (n < 0) {
    reply_with_perror ("read: %s", filename);
    return NULL;
  }
  const char *arch = NULL;
  if (n >= 4 && memcmp (h, "\x7f" "ELF", 4) == 0) {
    arch = f2_elf_arch (h, (size_t) n);
    if (arch == NULL) {
      reply_with_error ("%s: ELF file for an unknown machine type", filename);
      return NULL;
    }
  }
  else if (n >= 2 && memcmp (h, "MZ", 2) == 0)
    arch = pe_arch (fd);
  else if ((n >= 6 && (memcmp (h, "070701", 6) == 0 || memcmp (h, "070702", 6) == 0)) ||
           f2_decompressor (h, (size_t) n)) {
    struct arch_state as = { NULL };
    if (scan_initrd (fd, filename, arch_member_cb, &as, arch_raw_cb) == -1)
      return NULL;
    arch = as.arch;
  }
  if (arch == NULL) {
    reply_with_error ("%s: could not determine the architecture (not an ELF or "
                      "PE binary, nor an initramfs holding one)", filename);
    return NULL;
  }
  char *r = strdup (arch);
  if (r == NULL)
    reply_with_perror ("strdup");
  return r;
}
