/* Choosing the host kernel, and turning its bzImage into an uncompressed
 * ELF vmlinux that qemu can enter directly through the PVH entry point:
 * under TCG, letting the guest decompress its own kernel costs a lot of
 * emulated time.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static int
unreadable_kernel_error (struct ctx *c, const char *kernel)
{
  return seterr (c,
    "the host kernel %s is not readable by this user (uid %u).  "
    "The appliance is built from the host kernel, so either make it readable "
    "with:  sudo chmod 0644 %s  (on Ubuntu, to keep it across kernel updates: "
    "sudo dpkg-statoverride --update --add root root 0644 %s), "
    "or set HATCH_KERNEL and HATCH_MODULES_DIR to a readable kernel and its "
    "modules, or set LIBGUESTFS_PATH to a prebuilt appliance directory",
    kernel, (unsigned) getuid (), kernel, kernel);
}

/* The version a bzImage names in its setup header (the first word of
 * the kernel_version string, e.g. "6.1.0-28-amd64"), or "" when KERNEL is
 * not a bzImage (a vmlinux, say) or cannot be read.  */
static void
bzimage_version (int fd, char *ver, size_t n)
{
  unsigned char hdr[0x210];
  ver[0] = '\0';
  if (pread (fd, hdr, sizeof hdr, 0) != (ssize_t) sizeof hdr ||
      memcmp (hdr + 0x202, "HdrS", 4) != 0)
    return;
  unsigned off = hdr[0x20e] | (hdr[0x20f] << 8);
  char buf[128];
  ssize_t r = pread (fd, buf, sizeof buf - 1, 0x200 + (off_t) off);
  if (off == 0 || r <= 0)
    return;
  buf[r] = '\0';
  size_t len = strcspn (buf, " \t\n");
  if (len == 0 || len >= n)
    return;
  memcpy (ver, buf, len);
  ver[len] = '\0';
}

/* Check KERNEL and MODULES are usable and fill K.  */
static int
check_kernel (struct ctx *c, struct kernel_info *k, const char *kernel,
              const char *modules)
{
  struct stat st;
  char *dep = xasprintf ("%s/modules.dep", modules);
  int r = stat (dep, &st);
  free (dep);
  if (r < 0)
    return seterr (c, "kernel modules directory %s has no modules.dep "
                   "(set HATCH_MODULES_DIR to the modules of %s)",
                   modules, kernel);
  int fd = open (kernel, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES)
      return unreadable_kernel_error (c, kernel);
    return seterr_errno (c, "kernel %s", kernel);
  }
  char kver[100];
  bzimage_version (fd, kver, sizeof kver);
  close (fd);
  const char *slash = strrchr (modules, '/');
  const char *mver = slash ? slash + 1 : modules;
  /* Modules of another kernel would fail to load in the appliance with
   * "Invalid module format", far from the cause: say it now.  */
  if (kver[0] && strcmp (kver, mver) != 0)
    return seterr (c, "kernel %s is version %s, but the modules directory %s "
                   "holds modules of version %s: set HATCH_MODULES_DIR to "
                   "/lib/modules/%s (or the directory of that kernel's modules)",
                   kernel, kver, modules, mver, kver);
  k->kernel = xstrdup (kernel);
  k->modules_dir = xstrdup (modules);
  k->version = xstrdup (mver);
  return 0;
}

int
kernel_find (struct ctx *c, struct kernel_info *k)
{
  memset (k, 0, sizeof *k);
  const char *ek = getenv ("HATCH_KERNEL");
  const char *em = getenv ("HATCH_MODULES_DIR");
  if (ek && *ek) {
    if (em && *em)
      return check_kernel (c, k, ek, em);
    /* Derive the version from a vmlinuz-VER style name.  */
    const char *base = strrchr (ek, '/');
    base = base ? base + 1 : ek;
    const char *dash = strchr (base, '-');
    if (!dash)
      return seterr (c, "HATCH_KERNEL=%s: cannot tell its version from the "
                     "name; set HATCH_MODULES_DIR too", ek);
    char *mods = xasprintf ("/lib/modules/%s", dash + 1);
    int r = check_kernel (c, k, ek, mods);
    free (mods);
    return r;
  }

  /* The newest /boot/vmlinuz-VER that has /lib/modules/VER.  */
  DIR *d = opendir ("/boot");
  if (!d)
    return seterr_errno (c, "cannot list /boot to find a kernel");
  char *best = NULL;
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (strncmp (e->d_name, "vmlinuz-", 8) != 0)
      continue;
    const char *ver = e->d_name + 8;
    char *dep = xasprintf ("/lib/modules/%s/modules.dep", ver);
    bool ok = access (dep, F_OK) == 0;
    free (dep);
    if (ok && (!best || strverscmp (ver, best) > 0)) {
      free (best);
      best = xstrdup (ver);
    }
  }
  closedir (d);
  if (!best)
    return seterr (c, "no kernel found: no /boot/vmlinuz-VERSION with a "
                   "matching /lib/modules/VERSION/modules.dep (install a "
                   "kernel package, e.g. linux-image-amd64, or set "
                   "HATCH_KERNEL and HATCH_MODULES_DIR)");
  char *kernel = xasprintf ("/boot/vmlinuz-%s", best);
  char *mods = xasprintf ("/lib/modules/%s", best);
  int r = check_kernel (c, k, kernel, mods);
  free (kernel);
  free (mods);
  free (best);
  return r;
}

void
kernel_info_free (struct kernel_info *k)
{
  free (k->kernel);
  free (k->modules_dir);
  free (k->version);
  memset (k, 0, sizeof *k);
}

/* Does this ELF image carry a Xen PHYS32_ENTRY note (the PVH entry)?  */
bool
elf_has_pvh_note (const void *data, size_t len)
{
  const unsigned char *p = data;
  if (len < sizeof (Elf64_Ehdr) || memcmp (p, ELFMAG, SELFMAG) != 0 ||
      p[EI_CLASS] != ELFCLASS64)
    return false;
  Elf64_Ehdr eh;
  memcpy (&eh, p, sizeof eh);
  if (eh.e_phentsize != sizeof (Elf64_Phdr) || eh.e_phnum > MAX_ELF_PHNUM ||
      eh.e_phoff > len || (uint64_t) eh.e_phnum * sizeof (Elf64_Phdr) > len - eh.e_phoff)
    return false;
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    memcpy (&ph, p + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type != PT_NOTE || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
      continue;
    size_t off = ph.p_offset, end = ph.p_offset + ph.p_filesz;
    while (end - off >= sizeof (Elf64_Nhdr)) {
      Elf64_Nhdr nh;
      memcpy (&nh, p + off, sizeof nh);
      off += sizeof nh;
      size_t nsz = (nh.n_namesz + 3) & ~3u, dsz = (nh.n_descsz + 3) & ~3u;
      if (nsz > end - off || dsz > end - off - nsz)
        break;
      if (nh.n_namesz == 4 && memcmp (p + off, "Xen", 4) == 0 &&
          nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY)
        return true;
      off += nsz + dsz;
    }
  }
  return false;
}

/* Shrink a PVH vmlinux without changing what a loader puts in memory.
 * In the distribution's vmlinux the last loadable segment carries, as
 * file bytes, the zeros of .bss and the brk area (21 MB of 66 MB), kept
 * there only because a 4 MB scratch section of zeros follows them; each
 * cold boot's qemu copied those zeros from the mapped file into guest
 * RAM before the kernel's first instruction, 15 000 page faults on this
 * host.  Trailing zeros of a PT_LOAD need no file bytes: an ELF loader
 * fills p_memsz beyond p_filesz with zeros (qemu does, for -kernel).  So
 * each PT_LOAD's p_filesz stops at its last non-zero byte, p_memsz stays,
 * and the file ends after the last byte a program header still refers
 * to; the section headers, which only tools read, go when the file is
 * cut.  Returns the new length (LEN when nothing was cut).  */
size_t
elf_trim_load_zeros (void *data, size_t len)
{
  unsigned char *p = data;
  if (!elf_has_pvh_note (data, len))      /* also checks the headers */
    return len;
  Elf64_Ehdr eh;
  memcpy (&eh, p, sizeof eh);
  size_t end = eh.e_phoff + (size_t) eh.e_phnum * sizeof (Elf64_Phdr);
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    memcpy (&ph, p + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
      return len;                         /* not ours to judge: leave it */
    if (ph.p_type == PT_LOAD && ph.p_filesz <= ph.p_memsz) {
      while (ph.p_filesz > 0 && p[ph.p_offset + ph.p_filesz - 1] == 0)
        ph.p_filesz--;
      memcpy (p + eh.e_phoff + i * sizeof ph, &ph, sizeof ph);
    }
    if (ph.p_filesz > 0 && ph.p_offset + ph.p_filesz > end)
      end = ph.p_offset + ph.p_filesz;
  }
  if (end < len && eh.e_shnum > 0) {       /* some sections' bytes are cut */
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = SHN_UNDEF;
    memcpy (p, &eh, sizeof eh);
  }
  return end;
}

/* The same check on a file, reading only the headers and note segments
 * (a vmlinux is tens of MB and this runs at every launch).  */
bool
kernel_file_is_pvh (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool r = false;
  struct stat st;
  Elf64_Ehdr eh;
  Elf64_Phdr ph[64];
  if (fstat (fd, &st) < 0 || pread (fd, &eh, sizeof eh, 0) != sizeof eh ||
      memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_phentsize != sizeof (Elf64_Phdr) || eh.e_phnum > 64 ||
      pread (fd, ph, eh.e_phnum * sizeof *ph, eh.e_phoff) !=
        (ssize_t) (eh.e_phnum * sizeof *ph))
    goto out;
  for (unsigned i = 0; i < eh.e_phnum && !r; i++) {
    if (ph[i].p_type != PT_NOTE || ph[i].p_filesz > (1u << 20) ||
        ph[i].p_offset > (uint64_t) st.st_size)
      continue;
    /* Build a tiny ELF image holding just this note segment and reuse
     * the in-memory parser.  */
    size_t len = sizeof (Elf64_Ehdr) + sizeof (Elf64_Phdr) + ph[i].p_filesz;
    unsigned char *buf = xmalloc (len);
    Elf64_Ehdr e2 = eh;
    Elf64_Phdr p2 = ph[i];
    e2.e_phoff = sizeof e2;
    e2.e_phnum = 1;
    p2.p_offset = sizeof e2 + sizeof p2;
    memcpy (buf, &e2, sizeof e2);
    memcpy (buf + sizeof e2, &p2, sizeof p2);
    if (pread (fd, buf + p2.p_offset, ph[i].p_filesz, ph[i].p_offset) ==
        (ssize_t) ph[i].p_filesz)
      r = elf_has_pvh_note (buf, len);
    free (buf);
  }
 out:
  close (fd);
  return r;
}

static enum comp
magic_at (const unsigned char *p, size_t left)
{
  if (left >= 6 && !memcmp (p, "\xfd" "7zXZ\0", 6)) return COMP_XZ;
  if (left >= 3 && !memcmp (p, "\x1f\x8b\x08", 3)) return COMP_GZIP;
  if (left >= 4 && !memcmp (p, "\x28\xb5\x2f\xfd", 4)) return COMP_ZSTD;
  if (left >= 4 && !memcmp (p, "\x02\x21\x4c\x18", 4)) return COMP_LZ4;
  if (left >= 4 && !memcmp (p, "BZh", 3) && p[3] >= '1' && p[3] <= '9')
    return COMP_BZIP2;
  return COMP_NONE;
}

/* Try to decompress a payload at OFF; keep it if it is a PVH ELF.  */
static int
try_payload (const unsigned char *data, size_t len, size_t off,
             void **out, size_t *outlen)
{
  enum comp t = magic_at (data + off, len - off);
  if (t == COMP_NONE)
    return -1;
  void *buf;
  size_t n;
  if (decompress (t, data + off, len - off, MAX_KERNEL, &buf, &n) < 0)
    return -1;
  if (!elf_has_pvh_note (buf, n)) {
    free (buf);
    return -1;
  }
  *out = buf;
  *outlen = n;
  return 0;
}

int
kernel_extract_pvh (struct ctx *c, const char *kernel, const char *dst)
{
  char *data;
  size_t len;
  if (read_file_bounded (kernel, MAX_KERNEL, &data, &len) < 0) {
    if (errno == EACCES)
      return unreadable_kernel_error (c, kernel);
    return seterr_errno (c, "reading kernel %s", kernel);
  }
  const unsigned char *p = (const unsigned char *) data;
  void *out = NULL;
  size_t outlen = 0;
  int found = -1;

  if (elf_has_pvh_note (p, len)) {      /* already a vmlinux */
    out = data;
    outlen = len;
    data = NULL;
    found = 0;
  }
  /* The x86 boot header says where the payload is (protocol >= 2.08).  */
  else if (len > 0x250 && !memcmp (p + 0x202, "HdrS", 4) &&
           (p[0x206] | p[0x207] << 8) >= 0x208) {
    size_t setup_sects = p[0x1f1] ? p[0x1f1] : 4;
    uint32_t poff, plen;
    memcpy (&poff, p + 0x248, 4);
    memcpy (&plen, p + 0x24c, 4);
    size_t start = (setup_sects + 1) * 512 + (size_t) poff;
    if (start < len && plen <= len - start)
      found = try_payload (p, start + plen, start, &out, &outlen);
  }
  /* Otherwise scan for a compressor's magic bytes (bounded attempts).  */
  for (size_t off = 0, tries = 0; found < 0 && off + 8 < len && tries < 32; off++) {
    if (magic_at (p + off, len - off) == COMP_NONE)
      continue;
    tries++;
    found = try_payload (p, len, off, &out, &outlen);
  }
  free (data);
  if (found < 0) {
    logmsg (c, "no PVH-bootable vmlinux inside %s; booting the bzImage", kernel);
    return 0;
  }
  size_t full = outlen;
  outlen = elf_trim_load_zeros (out, outlen);
  if (write_file (dst, out, outlen, 0644) < 0) {
    free (out);
    return seterr_errno (c, "writing %s", dst);
  }
  logmsg (c, "extracted PVH vmlinux (%zu bytes, %zu in the file) from %s",
          full, outlen, kernel);
  free (out);
  return 1;
}
