/* Internal helpers shared by the appliance builder's source files.
 * Not installed; only the builder sources include it.  */
#ifndef HATCH_APPLIANCE_INTERNAL_H
#define HATCH_APPLIANCE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "appliance.h"

/* Bumped whenever the layout or content of a built appliance changes, so
 * appliances cached by an older builder are rebuilt.  */
#define HATCH_APPLIANCE_FORMAT 11

/* Limits on host inputs we parse.  Host files are trusted more than guest
 * data, but a corrupt file must still give an error, not a crash.  */
#define MAX_LIST_FILE   (64u << 20)   /* a package list or dpkg .list file */
#define MAX_LINE        4096u
#define MAX_ELF_PHNUM   512u
#define MAX_ELF_DYNAMIC (1u << 20)    /* bytes of the PT_DYNAMIC segment */
#define MAX_ELF_STRTAB  (16u << 20)
#define MAX_KERNEL      (256u << 20)  /* compressed or decompressed kernel */
#define MAX_BOOT_MODULES 128u

/* Build context: inputs plus logging and the first error.  */
struct ctx {
  const struct hatch_appliance_inputs *in;
  char *errmsg;                 /* first error, malloc'd */
  /* The staged tree is the output (--format chroot): copy files, never
   * hard-link them to the host's (a write in the tree would change the
   * host's file).  */
  bool tree_is_output;
};

void logmsg (struct ctx *c, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));
/* Record an error (only the first one is kept).  Always returns -1.  */
int seterr (struct ctx *c, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));
/* Like seterr, appending ": strerror(errno)".  */
int seterr_errno (struct ctx *c, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

char *xasprintf (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
char *xstrdup (const char *s);
void *xmalloc (size_t n);
void *xrealloc (void *p, size_t n);
double now_seconds (void);

/* Files. */
size_t module_slim (unsigned char *p, size_t len);
int read_file_bounded (const char *path, size_t max, char **data, size_t *len);
int write_file (const char *path, const void *data, size_t len, mode_t mode);
int mkdir_p (const char *path, mode_t mode);   /* never follows symlinks */
int rm_rf (const char *path);
/* Copy a regular file's content to a new file DST (created with O_EXCL).  */
int copy_file (const char *src, const char *dst, mode_t mode);
/* Run a program (argv[0] found on PATH), stdout to /dev/null unless
 * out_fd >= 0.  Returns exit status, or -1 if it could not run.  */
int run_cmd (char *const argv[], int out_fd, int in_fd);

/* 128-bit FNV-1a style checksum, hex-printed as the cache key.  */
struct hash { uint64_t a, b; };
void hash_init (struct hash *h);
void hash_bytes (struct hash *h, const void *p, size_t n);
void hash_str (struct hash *h, const char *s);   /* includes the NUL */
void hash_u64 (struct hash *h, uint64_t v);
int hash_file (struct hash *h, const char *path);
void hash_hex (const struct hash *h, char out[33]);

/* A set of strings (open addressing).  */
struct strset { char **slots; size_t size, count; };
/* Returns 1 if added, 0 if already present.  */
int strset_add (struct strset *s, const char *str);
bool strset_has (const struct strset *s, const char *str);
void strset_free (struct strset *s);

/* A growable list of strings.  */
struct strlist { char **v; size_t n, cap; };
void strlist_push (struct strlist *l, char *owned);
void strlist_free (struct strlist *l);

/* elf.c: DT_NEEDED, RPATH/RUNPATH and PT_INTERP of a host ELF file.
 * Returns 1 if PATH is a dynamic x86-64 ELF that was parsed, 0 if it is not
 * an ELF we care about, -1 on a malformed file.  */
struct elfdeps {
  struct strlist needed;
  struct strlist rpath;   /* split, $ORIGIN not expanded */
  char *interp;
};
int elf_read_deps (const char *path, struct elfdeps *d);
void elfdeps_free (struct elfdeps *d);
bool file_is_elf (const char *path);

/* cpio.c: newc archive writer.  */
struct cpio { int fd; uint32_t ino; int err; };
int cpio_open (struct cpio *c, const char *path);
int cpio_add_dir (struct cpio *c, const char *name, mode_t mode);
int cpio_add_file (struct cpio *c, const char *name, mode_t mode,
                   const void *data, size_t len);
int cpio_add_node (struct cpio *c, const char *name, mode_t mode,
                   unsigned major, unsigned minor);
int cpio_close (struct cpio *c);

/* decompress.c */
enum comp { COMP_NONE, COMP_GZIP, COMP_XZ, COMP_ZSTD, COMP_LZ4, COMP_BZIP2 };
enum comp comp_from_name (const char *name);
/* Decompress DATA into a malloc'd buffer of at most MAX bytes.  Trailing
 * bytes after the compressed stream are ignored.  */
int decompress (enum comp type, const void *data, size_t len, size_t max,
                void **out, size_t *outlen);

/* kernel.c */
struct kernel_info {
  char *kernel;       /* the bzImage (or whatever HATCH_KERNEL names) */
  char *modules_dir;  /* /lib/modules/VER */
  char *version;      /* VER */
};
int kernel_find (struct ctx *c, struct kernel_info *k);
void kernel_info_free (struct kernel_info *k);
/* Write an uncompressed vmlinux with a PVH note to DST if KERNEL contains
 * one.  Returns 1 if written, 0 if not possible (caller copies the bzImage),
 * -1 on a write error.  */
int kernel_extract_pvh (struct ctx *c, const char *kernel, const char *dst);
bool elf_has_pvh_note (const void *data, size_t len);
bool kernel_file_is_pvh (const char *path);
size_t elf_trim_load_zeros (void *data, size_t len);

/* modules.c: the initramfs.  */
int initramfs_build (struct ctx *c, const struct kernel_info *k,
                     const char *init_path, const char *dst);

/* rootfs.c: dpkg's file list of installed package PKG (malloc'd), or
 * NULL when PKG is not installed.  */
char *package_list_path (const char *pkg);
/* Append the package names of list file LIST ('#' comments) to NAMES.  */
int packages_read (struct ctx *c, const char *list, struct strlist *names);

/* rootfs.c: staging tree + ext2 image.  rootfs_stage fills STAGING with
 * the root tree, rootfs_image makes the ext2 image DST of it, rootfs_build
 * does both in WORKDIR/staging and removes the tree.  */
int rootfs_stage (struct ctx *c, const struct kernel_info *k, const char *staging);
int rootfs_image (struct ctx *c, const char *staging, const char *dst);
int rootfs_build (struct ctx *c, const struct kernel_info *k,
                  const char *workdir, const char *dst);

#endif
