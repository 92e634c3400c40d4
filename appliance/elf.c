/* Read the dynamic dependencies of host ELF files (DT_NEEDED, RPATH/RUNPATH,
 * PT_INTERP), so the root image gets every library its programs load.
 * Only 64-bit little-endian x86-64 files are handled: the appliance runs the
 * host's own x86-64 binaries.  Every offset and size read from the file is
 * checked against the file size and our limits before use.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int
pread_exact (int fd, void *buf, size_t len, uint64_t off, uint64_t fsize)
{
  if (off > fsize || len > fsize - off)
    return -1;
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread (fd, (char *) buf + done, len - done, off + done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    done += r;
  }
  return 0;
}

bool
file_is_elf (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  unsigned char m[4];
  bool r = read (fd, m, 4) == 4 && memcmp (m, ELFMAG, SELFMAG) == 0;
  close (fd);
  return r;
}

/* Translate a virtual address to a file offset through the PT_LOAD
 * segments.  */
static int
vaddr_to_off (const Elf64_Phdr *ph, unsigned n, uint64_t vaddr, uint64_t *off)
{
  for (unsigned i = 0; i < n; i++) {
    if (ph[i].p_type != PT_LOAD)
      continue;
    if (vaddr >= ph[i].p_vaddr && vaddr - ph[i].p_vaddr < ph[i].p_filesz) {
      *off = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
      return 0;
    }
  }
  return -1;
}

static void
split_path (struct strlist *l, const char *s)
{
  char *copy = xstrdup (s), *save = NULL;
  for (char *t = strtok_r (copy, ":", &save); t; t = strtok_r (NULL, ":", &save))
    if (*t)
      strlist_push (l, xstrdup (t));
  free (copy);
}

int
elf_read_deps (const char *path, struct elfdeps *d)
{
  memset (d, 0, sizeof *d);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  int ret = -1;
  Elf64_Phdr *ph = NULL;
  Elf64_Dyn *dyn = NULL;
  char *strtab = NULL;
  struct stat st;
  Elf64_Ehdr eh;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode)) { ret = 0; goto out; }
  uint64_t fsize = st.st_size;
  if (pread_exact (fd, &eh, sizeof eh, 0, fsize) < 0 ||
      memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_machine != EM_X86_64 ||
      (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
    ret = 0;                    /* not something the loader runs */
    goto out;
  }
  if (eh.e_phentsize != sizeof (Elf64_Phdr) || eh.e_phnum > MAX_ELF_PHNUM)
    goto out;
  unsigned phnum = eh.e_phnum;
  ph = xmalloc (phnum * sizeof *ph);
  if (pread_exact (fd, ph, phnum * sizeof *ph, eh.e_phoff, fsize) < 0)
    goto out;

  const Elf64_Phdr *dynph = NULL;
  for (unsigned i = 0; i < phnum; i++) {
    if (ph[i].p_type == PT_INTERP) {
      if (ph[i].p_filesz == 0 || ph[i].p_filesz > MAX_LINE)
        goto out;
      char *s = xmalloc (ph[i].p_filesz + 1);
      if (pread_exact (fd, s, ph[i].p_filesz, ph[i].p_offset, fsize) < 0) {
        free (s);
        goto out;
      }
      s[ph[i].p_filesz] = '\0';
      free (d->interp);
      d->interp = s;
    }
    else if (ph[i].p_type == PT_DYNAMIC)
      dynph = &ph[i];
  }
  if (!dynph) { ret = 1; goto out; }   /* static: no libraries */

  if (dynph->p_filesz > MAX_ELF_DYNAMIC)
    goto out;
  size_t ndyn = dynph->p_filesz / sizeof (Elf64_Dyn);
  dyn = xmalloc (ndyn * sizeof *dyn);
  if (pread_exact (fd, dyn, ndyn * sizeof *dyn, dynph->p_offset, fsize) < 0)
    goto out;
  uint64_t strtab_addr = 0, strsz = 0;
  for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
    if (dyn[i].d_tag == DT_STRTAB) strtab_addr = dyn[i].d_un.d_ptr;
    if (dyn[i].d_tag == DT_STRSZ) strsz = dyn[i].d_un.d_val;
  }
  if (!strtab_addr || !strsz) { ret = 1; goto out; }
  if (strsz > MAX_ELF_STRTAB)
    goto out;
  uint64_t stroff;
  if (vaddr_to_off (ph, phnum, strtab_addr, &stroff) < 0)
    goto out;
  strtab = xmalloc (strsz + 1);
  if (pread_exact (fd, strtab, strsz, stroff, fsize) < 0)
    goto out;
  strtab[strsz] = '\0';         /* strings can't run off the end */

  for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
    int64_t tag = dyn[i].d_tag;
    if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH)
      continue;
    if (dyn[i].d_un.d_val >= strsz)
      goto out;
    const char *s = strtab + dyn[i].d_un.d_val;
    if (tag == DT_NEEDED)
      strlist_push (&d->needed, xstrdup (s));
    else
      split_path (&d->rpath, s);
  }
  ret = 1;
 out:
  if (ret < 0)
    elfdeps_free (d);
  free (ph);
  free (dyn);
  free (strtab);
  close (fd);
  return ret;
}

void
elfdeps_free (struct elfdeps *d)
{
  strlist_free (&d->needed);
  strlist_free (&d->rpath);
  free (d->interp);
  d->interp = NULL;
}
