/* Hatch appliance builder: public interface used by the library (lib/launch.c)
 * and by the hatch-make-appliance command.
 *
 * The appliance is built from the host's own kernel and Debian packages,
 * cached per user, and rebuilt when any of its inputs change.  */
#ifndef HATCH_APPLIANCE_H
#define HATCH_APPLIANCE_H

#include <stdbool.h>

struct hatch_appliance_inputs {
  const char *cachedir;     /* parent dir; appliance goes in cachedir/hatch-appliance-<uid>/... */
  const char *daemon_path;  /* guestfsd binary to install as /usr/sbin/guestfsd */
  const char *init_path;    /* static init binary for the initramfs */
  const char *packages_path;/* package list file (one Debian package per line, # comments) */
  /* Extra files for the root image, each a
   * directory (its tree is copied to /) or a tar archive (any compression
   * tar reads; unpacked at /).  NULL-terminated; may be NULL.  */
  const char *const *includes;
  /* Fail when a listed package is not installed on the host, instead of
   * skipping it (hatch-make-appliance --prepare).  */
  bool require_packages;
  bool verbose;             /* log each build step through log_fn */
  void (*log_fn) (void *opaque, const char *msg);
  void *log_opaque;
};

struct hatch_appliance {
  char *dir;     /* the directory holding the three files below */
  char *kernel;  /* kernel to boot: an uncompressed vmlinux (PVH entry) when possible, else the bzImage */
  char *initrd;  /* small initramfs: init + boot modules */
  char *root;    /* ext2 root image (raw) */
  bool kernel_is_pvh; /* kernel is an ELF vmlinux with a PVH entry note */
};

/* Find or build the appliance.  Returns 0 and fills *out, or returns -1 and
 * sets *errmsg (malloc'd) to a message that says what to do.  Safe when several
 * processes call it at once on the same cache.  */
int hatch_appliance_prepare (const struct hatch_appliance_inputs *in,
                             struct hatch_appliance *out, char **errmsg);
void hatch_appliance_free (struct hatch_appliance *a);

/* Build the appliance into OUTDIR (created if needed; must be empty),
 * bypassing the cache.  FORMAT "ext2": OUTDIR/kernel, initrd and root, as
 * the library boots them; the kernel is a symlink to the host's unless
 * COPY_KERNEL (an extracted PVH vmlinux is always a file).  FORMAT "chroot":
 * OUTDIR is the root tree itself (no kernel, initrd or image).  */
int hatch_appliance_build_dir (const struct hatch_appliance_inputs *in,
                               const char *outdir, const char *format,
                               bool copy_kernel, char **errmsg);

/* hatch-make-appliance --prepare: check the packages (those in
 * in->packages_path, plus PACKAGES, NULL-terminated, which must all be
 * installed) and write the description directory PREPDIR (see
 * prepared.c): package names, daemon, init, extra files.  */
int hatch_appliance_describe (const struct hatch_appliance_inputs *in,
                              const char *const *packages, const char *prepdir,
                              char **errmsg);

/* A description read back for --build: paths inside PREPDIR.  */
struct hatch_description {
  char *packages, *daemon, *init;
  char **includes;          /* NULL-terminated */
};
int hatch_appliance_read_description (const char *prepdir,
                                      struct hatch_description *d,
                                      char **errmsg);
void hatch_description_free (struct hatch_description *d);

/* Use a prebuilt ("fixed") appliance directory (LIBGUESTFS_PATH): checks that
 * it holds kernel, initrd and root.  */
int hatch_appliance_from_dir (const char *dir, struct hatch_appliance *out,
                              char **errmsg);

/* The checked per-user cache directory (cachedir/hatch-appliance-<uid>),
 * created if needed: a real directory, ours, writable only by us.  Returns
 * it (malloc'd), or NULL and sets *errmsg.  */
char *hatch_appliance_user_cache_dir (const char *cachedir, char **errmsg);

#endif
