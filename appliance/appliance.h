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

/* Use a prebuilt ("fixed") appliance directory (LIBGUESTFS_PATH): checks that
 * it holds kernel, initrd and root.  */
int hatch_appliance_from_dir (const char *dir, struct hatch_appliance *out,
                              char **errmsg);

/* The checked per-user cache directory (cachedir/hatch-appliance-<uid>),
 * created if needed: a real directory, ours, writable only by us.  Returns
 * it (malloc'd), or NULL and sets *errmsg.  */
char *hatch_appliance_user_cache_dir (const char *cachedir, char **errmsg);

#endif
