/* The initramfs: our static init as /init, plus just the kernel modules
 * needed to reach the root disk, the user's disks and the daemon channel,
 * listed in dependency order in /modules/load for init to load one by one.
 * Everything else (filesystems, dm, md, ...) is loaded later from the root
 * image, so the initramfs stays small and boots fast under TCG.  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* What the boot needs.  Names missing from modules.dep are either built
 * into the kernel (fine) or absent (logged).  */
static const char *const boot_modules[] = {
  "virtio_pci",                    /* the virtio transport (q35: PCI) */
  "virtio_blk",                    /* the root disk, /dev/vda */
  "crc32c_intel", "crc32c_generic",/* ext4/jbd2 soft dependency */
  "ext4",                          /* mounts the ext2 root */
  "virtio_console",                /* the daemon channel */
  "crc64_rocksoft_generic",        /* sd_mod needs t10_pi, which needs
                                      crc64_rocksoft, whose set-up asks the
                                      crypto API for this algorithm: absent,
                                      the kernel spawned modprobe for it
                                      three times during the boot */
  "virtio_scsi", "sd_mod",         /* the user's disks as /dev/sdX */
  "virtio_rng",                    /* entropy for mkfs UUIDs etc. */
  "virtio_mem",                    /* a restored appliance's memory beyond
                                      its saved RAM (init loads it only
                                      when guestfs_memsize says so) */
};

#define MAX_MODULES 20000u
#define MAX_DEPS    64u

struct mod {
  char *name;          /* normalised: dashes become underscores */
  char *path;          /* relative to the modules dir */
  char *deps;          /* the rest of the modules.dep line */
  int state;           /* 0 new, 1 visiting, 2 done */
};

struct modtab {
  struct mod *v;
  size_t n;
  char *softdep, *alias;   /* file contents, for pre: soft dependencies */
  size_t softdep_len, alias_len;
};

static char *
mod_name_of (const char *path)
{
  const char *b = strrchr (path, '/');
  b = b ? b + 1 : path;
  char *n = xstrdup (b);
  char *dot = strstr (n, ".ko");
  if (dot) *dot = '\0';
  for (char *s = n; *s; s++)
    if (*s == '-') *s = '_';
  return n;
}

static struct mod *
find_mod (struct modtab *t, const char *name)
{
  char *n = mod_name_of (name);
  struct mod *r = NULL;
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp (t->v[i].name, n)) { r = &t->v[i]; break; }
  free (n);
  return r;
}

static int
load_modtab (struct ctx *c, const char *dir, struct modtab *t)
{
  char *path = xasprintf ("%s/modules.dep", dir);
  char *data;
  size_t len;
  int r = read_file_bounded (path, MAX_LIST_FILE, &data, &len);
  if (r < 0) {
    seterr_errno (c, "reading %s", path);
    free (path);
    return -1;
  }
  free (path);
  t->v = xmalloc (sizeof *t->v * MAX_MODULES);
  char *save = NULL;
  for (char *line = strtok_r (data, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    char *colon = strchr (line, ':');
    if (!colon || t->n >= MAX_MODULES)
      continue;
    *colon = '\0';
    struct mod *m = &t->v[t->n++];
    m->path = xstrdup (line);
    m->name = mod_name_of (line);
    m->deps = xstrdup (colon + 1);
    m->state = 0;
  }
  free (data);
  /* Optional files: a soft dependency is only a nicety.  */
  path = xasprintf ("%s/modules.softdep", dir);
  if (read_file_bounded (path, MAX_LIST_FILE, &t->softdep, &t->softdep_len) < 0)
    t->softdep = NULL;
  free (path);
  path = xasprintf ("%s/modules.alias", dir);
  if (read_file_bounded (path, MAX_LIST_FILE, &t->alias, &t->alias_len) < 0)
    t->alias = NULL;
  free (path);
  return 0;
}

static void
free_modtab (struct modtab *t)
{
  for (size_t i = 0; i < t->n; i++) {
    free (t->v[i].name);
    free (t->v[i].path);
    free (t->v[i].deps);
  }
  free (t->v);
  free (t->softdep);
  free (t->alias);
}

/* Resolve NAME (a module name or an exact alias such as crypto-crc32c) to
 * the modules providing it.  */
static void
resolve_name (struct modtab *t, const char *name, struct mod **out, size_t *n,
              size_t max)
{
  struct mod *m = find_mod (t, name);
  if (m) {
    if (*n < max) out[(*n)++] = m;
    return;
  }
  if (!t->alias)
    return;
  size_t nl = strlen (name);
  for (char *p = t->alias; (p = strstr (p, "alias ")) != NULL; p++) {
    if ((p != t->alias && p[-1] != '\n') || strncmp (p + 6, name, nl) != 0 ||
        p[6 + nl] != ' ')
      continue;
    char target[256];
    size_t k = 0;
    for (const char *s = p + 7 + nl; *s && *s != '\n' && k < sizeof target - 1; s++)
      target[k++] = *s;
    target[k] = '\0';
    m = find_mod (t, target);
    if (m && *n < max) out[(*n)++] = m;
  }
}

/* "softdep NAME pre: A B post: C" -> the pre: names.  */
static void
softdeps_pre (struct modtab *t, const char *modname, struct mod **out,
              size_t *n, size_t max)
{
  if (!t->softdep)
    return;
  char *copy = xstrdup (t->softdep), *save = NULL;
  for (char *line = strtok_r (copy, "\n", &save); line;
       line = strtok_r (NULL, "\n", &save)) {
    char *ws = NULL;
    char *w = strtok_r (line, " \t", &ws);
    if (!w || strcmp (w, "softdep")) continue;
    w = strtok_r (NULL, " \t", &ws);
    if (!w) continue;
    char *mn = mod_name_of (w);
    bool match = !strcmp (mn, modname);
    free (mn);
    if (!match) continue;
    bool pre = false;
    while ((w = strtok_r (NULL, " \t", &ws)) != NULL) {
      if (!strcmp (w, "pre:")) pre = true;
      else if (!strcmp (w, "post:")) pre = false;
      else if (pre) resolve_name (t, w, out, n, max);
    }
  }
  free (copy);
}

/* Depth-first: a module's dependencies go before it.  */
static void
visit (struct ctx *c, struct modtab *t, struct mod *m, struct mod **order,
       size_t *norder)
{
  if (m->state != 0)
    return;                     /* done, or a cycle: stop either way */
  m->state = 1;
  struct mod *deps[MAX_DEPS];
  size_t nd = 0;
  softdeps_pre (t, m->name, deps, &nd, MAX_DEPS);
  char *copy = xstrdup (m->deps), *save = NULL;
  for (char *w = strtok_r (copy, " \t", &save); w; w = strtok_r (NULL, " \t", &save)) {
    struct mod *d = find_mod (t, w);
    if (d && nd < MAX_DEPS) deps[nd++] = d;
  }
  free (copy);
  for (size_t i = 0; i < nd; i++)
    visit (c, t, deps[i], order, norder);
  if (*norder < MAX_BOOT_MODULES)
    order[(*norder)++] = m;
  else
    logmsg (c, "too many boot modules, dropping %s", m->name);
  m->state = 2;
}

static bool
is_builtin (const char *dir, const char *name)
{
  char *path = xasprintf ("%s/modules.builtin", dir);
  char *data;
  size_t len;
  bool r = false;
  if (read_file_bounded (path, MAX_LIST_FILE, &data, &len) == 0) {
    char *save = NULL;
    for (char *l = strtok_r (data, "\n", &save); l && !r; l = strtok_r (NULL, "\n", &save)) {
      char *n = mod_name_of (l);
      r = !strcmp (n, name);
      free (n);
    }
    free (data);
  }
  free (path);
  return r;
}

/* Remove an appended module signature.  The kernel (when signatures are not
 * enforced) then skips the RSA check, which is slow under TCG.  */
static size_t
strip_signature (const unsigned char *p, size_t len)
{
  static const char magic[] = "~Module signature appended~\n";
  const size_t ml = sizeof magic - 1;
  if (len < ml + 12 || memcmp (p + len - ml, magic, ml) != 0)
    return len;
  const unsigned char *s = p + len - ml - 12;  /* struct module_signature */
  size_t siglen = (size_t) s[8] << 24 | s[9] << 16 | s[10] << 8 | s[11];
  size_t total = ml + 12 + siglen + s[3] + s[4];
  return total <= len ? len - total : len;
}

/* Sections of a module that only diagnostics read, dropped from the
 * file (with the relocations that apply to them; their headers stay,
 * with size 0, which the kernel takes as absent):
 * - .BTF, type information for BPF.  Loading a module with BTF makes the
 *   kernel check all of it and, for the first one, parse the whole
 *   kernel's BTF (several MB) too: 30-60 ms of a cold boot under TCG,
 *   for type data no BPF program in the appliance ever reads.
 * - .orc_unwind and .orc_unwind_ip, the tables the stack unwinder reads
 *   for an oops backtrace or a profiler.  With their relocations they
 *   were a quarter of the boot modules' bytes (0.8 of 3.9 MB), which the
 *   kernel unpacks from the initramfs and reads back at each load, then
 *   relocates and sorts.  Without them a backtrace stops at the module's
 *   frame; nothing else reads them.  */
static const char *const dropped_sections[] = { ".BTF", ".orc_unwind", ".orc_unwind_ip" };

/* Whether the string at offset name of the string table strs is want. */
static bool
is_named (const unsigned char *p, const Elf64_Shdr *strs, uint32_t name, const char *want)
{
  if (name >= strs->sh_size)
    return false;
  size_t max = strs->sh_size - name, n = strlen (want);
  return strnlen ((const char *) p + strs->sh_offset + name, max) == n &&
    memcmp (p + strs->sh_offset + name, want, n) == 0;
}

static bool
is_dropped_section (const unsigned char *p, const Elf64_Shdr *strs, const Elf64_Shdr *sh)
{
  for (size_t i = 0; i < sizeof dropped_sections / sizeof *dropped_sections; i++)
    if (is_named (p, strs, sh->sh_name, dropped_sections[i]))
      return true;
  return false;
}

/* ftrace's call sites.  Each traceable function of a module starts with
 * `call __fentry__`, and its __mcount_loc section lists them all.
 * Loading the module made ftrace record every site, look each one's
 * function up by address in the module's symbols (a linear search per
 * site: ext4's 854 sites against its 3 667 symbols) and rewrite the call
 * to a 5-byte NOP with a text_poke apiece (a switch of address space
 * each, which under TCG flushes the emulated TLB): nearly a quarter of
 * a cold boot's guest instructions, counted with bench/guest-profile.sh
 * (PROFILE_COUNT=insns).  The builder writes those NOPs itself, the bytes
 * ftrace writes, turns the calls' relocations into R_X86_64_NONE (the
 * kernel skips these) and drops __mcount_loc, whose empty header the
 * kernel reads as no sites: the module's code is what ftrace would have
 * made it, and ftrace does not know the module's functions, which
 * nothing in the appliance traces.  All or nothing: when a listed site is
 * not such a call, or a relocation does not read as expected, the module
 * keeps its sites.  */
struct fentry_site {
  size_t shndx;                 /* the code section */
  uint64_t off;                 /* the call's offset in it */
  size_t rela_at;               /* file offset of its relocation, 0 until found */
};

static int
compare_sites (const void *a, const void *b)
{
  const struct fentry_site *x = a, *y = b;
  if (x->shndx != y->shndx)
    return x->shndx < y->shndx ? -1 : 1;
  return x->off < y->off ? -1 : x->off > y->off;
}

static bool
is_code (const Elf64_Shdr *sh, size_t n, size_t i)
{
  return i > 0 && i < n && sh[i].sh_type == SHT_PROGBITS && (sh[i].sh_flags & SHF_EXECINSTR);
}

/* Finds every site and its relocation: returns the index of
 * __mcount_loc and the sites in *out (to free), or 0 when the module
 * must keep them.  The section headers' bounds have been checked
 * against the file.  */
static size_t
find_ftrace_sites (const unsigned char *p, const Elf64_Shdr *sh, size_t n,
                   const Elf64_Shdr *strs, struct fentry_site **out, size_t *count)
{
  size_t mc = 0, symi = 0, rel = 0;
  for (size_t i = 1; i < n; i++) {
    if (is_named (p, strs, sh[i].sh_name, "__mcount_loc"))
      mc = i;
    if (sh[i].sh_type == SHT_SYMTAB)
      symi = i;
  }
  if (mc == 0 || symi == 0 || sh[symi].sh_link >= n ||
      sh[symi].sh_entsize != sizeof (Elf64_Sym))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (sh[i].sh_type == SHT_RELA && sh[i].sh_info == mc)
      rel = i;
  if (rel == 0 || sh[rel].sh_link != symi || sh[rel].sh_entsize != sizeof (Elf64_Rela))
    return 0;
  const Elf64_Shdr *symstr = &sh[sh[symi].sh_link];
  size_t nsyms = sh[symi].sh_size / sizeof (Elf64_Sym);
  size_t nsites = sh[rel].sh_size / sizeof (Elf64_Rela);
  if (nsites == 0 || sh[mc].sh_size != nsites * 8)
    return 0;

  struct fentry_site *sites = xmalloc (nsites * sizeof *sites);
  size_t found = 0;
  for (size_t i = 0; i < nsites; i++) {
    Elf64_Rela r;
    Elf64_Sym s;
    memcpy (&r, p + sh[rel].sh_offset + i * sizeof r, sizeof r);
    if (ELF64_R_TYPE (r.r_info) != R_X86_64_64 || ELF64_R_SYM (r.r_info) >= nsyms)
      goto out;
    memcpy (&s, p + sh[symi].sh_offset + ELF64_R_SYM (r.r_info) * sizeof s, sizeof s);
    uint64_t off = s.st_value + (uint64_t) r.r_addend;
    if (!is_code (sh, n, s.st_shndx) || sh[s.st_shndx].sh_size < 5 ||
        off > sh[s.st_shndx].sh_size - 5 || p[sh[s.st_shndx].sh_offset + off] != 0xe8)
      goto out;
    sites[i] = (struct fentry_site) { s.st_shndx, off, 0 };
  }
  qsort (sites, nsites, sizeof *sites, compare_sites);
  for (size_t i = 1; i < nsites; i++)
    if (compare_sites (&sites[i - 1], &sites[i]) == 0)
      goto out;
  /* Each site's relocation: a PC-relative one to __fentry__ on the 4
   * bytes after the call's opcode.  */
  for (size_t i = 1; i < n; i++) {
    if (sh[i].sh_type != SHT_RELA || sh[i].sh_link != symi ||
        sh[i].sh_entsize != sizeof (Elf64_Rela) || !is_code (sh, n, sh[i].sh_info))
      continue;
    for (size_t k = 0; k < sh[i].sh_size / sizeof (Elf64_Rela); k++) {
      size_t at = sh[i].sh_offset + k * sizeof (Elf64_Rela);
      Elf64_Rela r;
      Elf64_Sym s;
      memcpy (&r, p + at, sizeof r);
      uint32_t type = ELF64_R_TYPE (r.r_info);
      if ((type != R_X86_64_PLT32 && type != R_X86_64_PC32) || r.r_addend != -4 ||
          r.r_offset == 0 || ELF64_R_SYM (r.r_info) >= nsyms)
        continue;
      memcpy (&s, p + sh[symi].sh_offset + ELF64_R_SYM (r.r_info) * sizeof s, sizeof s);
      if (s.st_shndx != SHN_UNDEF || !is_named (p, symstr, s.st_name, "__fentry__"))
        continue;
      struct fentry_site key = { sh[i].sh_info, r.r_offset - 1, 0 };
      struct fentry_site *f = bsearch (&key, sites, nsites, sizeof *sites, compare_sites);
      if (f == NULL)
        continue;               /* a call ftrace does not manage: left be */
      if (f->rela_at != 0)
        goto out;
      f->rela_at = at;
      found++;
    }
  }
  if (found == nsites) {
    *out = sites;
    *count = nsites;
    return mc;
  }
 out:
  free (sites);
  return 0;
}

/* What ftrace would have written at each site, before the sections move. */
static void
nop_ftrace_sites (unsigned char *p, const Elf64_Shdr *sh,
                  const struct fentry_site *sites, size_t nsites)
{
  static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
  for (size_t i = 0; i < nsites; i++) {
    Elf64_Rela r;
    memcpy (p + sh[sites[i].shndx].sh_offset + sites[i].off, nop5, sizeof nop5);
    memcpy (&r, p + sites[i].rela_at, sizeof r);
    r.r_info = ELF64_R_INFO (ELF64_R_SYM (r.r_info), R_X86_64_NONE);
    memcpy (p + sites[i].rela_at, &r, sizeof r);
  }
}

/* Rewrite the module at p (len bytes) without those sections: the other
 * sections' data in their order and alignment, then the section headers.
 * Returns the new length (at most len), or len unchanged when the file
 * is not a well-formed 64-bit relocatable ELF.  */
static size_t
drop_unused_sections (unsigned char *p, size_t len)
{
  Elf64_Ehdr eh;
  if (len < sizeof eh)
    return len;
  memcpy (&eh, p, sizeof eh);
  if (memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
      eh.e_type != ET_REL || eh.e_shentsize != sizeof (Elf64_Shdr) || eh.e_shnum == 0 ||
      eh.e_shstrndx >= eh.e_shnum || eh.e_shoff > len ||
      (len - eh.e_shoff) / sizeof (Elf64_Shdr) < eh.e_shnum)
    return len;
  size_t n = eh.e_shnum;
  Elf64_Shdr *sh = xmalloc (n * sizeof *sh);
  memcpy (sh, p + eh.e_shoff, n * sizeof *sh);
  for (size_t i = 0; i < n; i++)
    if (sh[i].sh_type != SHT_NOBITS &&
        (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)) {
      free (sh);
      return len;
    }
  const Elf64_Shdr *strs = &sh[eh.e_shstrndx];
  bool *drop = xmalloc (n * sizeof *drop);
  for (size_t i = 0; i < n; i++)
    drop[i] = is_dropped_section (p, strs, &sh[i]);
  struct fentry_site *sites = NULL;
  size_t nsites = 0;
  size_t mcount = find_ftrace_sites (p, sh, n, strs, &sites, &nsites);
  if (mcount)
    drop[mcount] = true;
  /* A relocation section applies to section sh_info. */
  for (size_t i = 0; i < n; i++)
    if ((sh[i].sh_type == SHT_RELA || sh[i].sh_type == SHT_REL) && sh[i].sh_info < n &&
        drop[sh[i].sh_info])
      drop[i] = true;
  /* Sections in file order, each moved down (never up) to its new place. */
  size_t *order = xmalloc (n * sizeof *order);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && sh[order[j - 1]].sh_offset > sh[order[j]].sh_offset; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  /* First where each kept section goes (checking that the sections do
   * not overlap, so that none is moved over data still to be moved),
   * then the moves. */
  Elf64_Off *to = xmalloc (n * sizeof *to);
  size_t at = sizeof eh, prev_end = sizeof eh;
  for (size_t k = 0; k < n; k++) {
    const Elf64_Shdr *s = &sh[order[k]];
    to[order[k]] = s->sh_offset;
    if (order[k] == 0 || s->sh_type == SHT_NOBITS)
      continue;
    if (s->sh_offset < prev_end && s->sh_size > 0)
      goto keep;
    if (s->sh_size > 0)
      prev_end = s->sh_offset + s->sh_size;
    if (drop[order[k]]) {
      to[order[k]] = at;
      continue;
    }
    size_t align = s->sh_addralign > 1 && s->sh_addralign <= 4096 ? s->sh_addralign : 1;
    at = (at + align - 1) / align * align;
    if (at > s->sh_offset)      /* misaligned in the file: leave it be */
      goto keep;
    to[order[k]] = at;
    at += s->sh_size;
  }
  at = (at + 7) & ~(size_t) 7;
  if (at + n * sizeof *sh > len)
    goto keep;
  nop_ftrace_sites (p, sh, sites, nsites);
  for (size_t k = 0; k < n; k++) {
    Elf64_Shdr *s = &sh[order[k]];
    if (order[k] == 0 || s->sh_type == SHT_NOBITS)
      continue;
    if (drop[order[k]])
      s->sh_size = 0;
    else
      memmove (p + to[order[k]], p + s->sh_offset, s->sh_size);
    s->sh_offset = to[order[k]];
  }
  eh.e_shoff = at;
  memcpy (p, &eh, sizeof eh);
  memcpy (p + at, sh, n * sizeof *sh);
  len = at + n * sizeof *sh;
 keep:
  free (to);
  free (order);
  free (drop);
  free (sites);
  free (sh);
  return len;
}

/* A module as the appliance loads it, in place: without its signature,
 * the sections only diagnostics read, or ftrace's call sites (above).
 * Returns the new length; a file that is not a module it can read comes
 * back as it was.  */
size_t
module_slim (unsigned char *p, size_t len)
{
  return drop_unused_sections (p, strip_signature (p, len));
}

int
initramfs_build (struct ctx *c, const struct kernel_info *k,
                 const char *init_path, const char *dst)
{
  struct modtab t = { 0 };
  struct mod *order[MAX_BOOT_MODULES];
  size_t norder = 0;
  struct cpio cp;
  char *data = NULL;
  size_t len;
  char *list = NULL;
  size_t listlen = 0;
  int ret = -1;
  bool keep_sigs = getenv ("HATCH_KEEP_MODULE_SIGNATURES") != NULL;

  if (load_modtab (c, k->modules_dir, &t) < 0)
    return -1;
  for (size_t i = 0; i < sizeof boot_modules / sizeof *boot_modules; i++) {
    struct mod *m = find_mod (&t, boot_modules[i]);
    if (m)
      visit (c, &t, m, order, &norder);
    else if (!is_builtin (k->modules_dir, boot_modules[i]))
      logmsg (c, "boot module %s not found in %s (skipped)",
              boot_modules[i], k->modules_dir);
  }

  if (cpio_open (&cp, dst) < 0) {
    seterr_errno (c, "creating %s", dst);
    goto out;
  }
  cpio_add_dir (&cp, "dev", 0755);
  cpio_add_node (&cp, "dev/console", S_IFCHR | 0600, 5, 1);
  cpio_add_dir (&cp, "proc", 0755);
  cpio_add_dir (&cp, "sys", 0755);
  cpio_add_dir (&cp, "sysroot", 0755);
  cpio_add_dir (&cp, "modules", 0755);

  if (read_file_bounded (init_path, 64u << 20, &data, &len) < 0) {
    seterr_errno (c, "reading init binary %s", init_path);
    goto out_cpio;
  }
  cpio_add_file (&cp, "init", 0755, data, len);
  free (data);
  data = NULL;

  for (size_t i = 0; i < norder; i++) {
    char *path = xasprintf ("%s/%s", k->modules_dir, order[i]->path);
    int r = read_file_bounded (path, 64u << 20, &data, &len);
    if (r < 0) {
      seterr_errno (c, "reading kernel module %s", path);
      free (path);
      goto out_cpio;
    }
    /* Decompress here rather than rely on the kernel having
     * CONFIG_MODULE_DECOMPRESS (Debian 12's does not).  */
    enum comp comp = comp_from_name (path);
    if (comp != COMP_NONE) {
      void *plain;
      size_t plen;
      if (decompress (comp, data, len, 64u << 20, &plain, &plen) < 0) {
        seterr (c, "cannot decompress kernel module %s", path);
        free (path);
        goto out_cpio;
      }
      free (data);
      data = plain;
      len = plen;
    }
    free (path);
    if (!keep_sigs)
      len = module_slim ((unsigned char *) data, len);
    char *name = xasprintf ("modules/%s.ko", order[i]->name);
    cpio_add_file (&cp, name, 0644, data, len);
    free (name);
    free (data);
    data = NULL;
    list = xrealloc (list, listlen + strlen (order[i]->name) + 5);
    listlen += sprintf (list + listlen, "%s.ko\n", order[i]->name);
    logmsg (c, "initramfs: module %s (%zu bytes)", order[i]->name, len);
  }
  cpio_add_file (&cp, "modules/load", 0644, list ? list : "", listlen);
  ret = 0;
 out_cpio:
  if (cpio_close (&cp) < 0 && ret == 0)
    ret = seterr_errno (c, "writing %s", dst);
 out:
  free (data);
  free (list);
  free_modtab (&t);
  return ret;
}
