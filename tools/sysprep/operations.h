/* virt-sysprep's operations: the table (name, default, description) and
 * running the enabled ones on a guest.  See virt-sysprep(1). */
#ifndef HATCH_SYSPREP_OPERATIONS_H
#define HATCH_SYSPREP_OPERATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include "customize.h"
#include "guestfs.h"

struct sysprep_ctx;

struct sysprep_op {
  const char *name;
  bool default_on;
  const char *description;
  /* Guest paths (globs) removed, recursively, by the operation. */
  const char *const *globs;
  /* Work done with the guest's filesystems mounted (after the globs). */
  int (*mounted) (guestfs_h *g, const char *root, struct sysprep_ctx *ctx);
  /* Work done on the devices, with every filesystem unmounted. */
  int (*devices) (guestfs_h *g, const char *root, struct sysprep_ctx *ctx);
};

struct sysprep_ctx {
  struct customize *cz;         /* the customize operation and messages */
  char **keep_users, **remove_users;  /* NULL-terminated, or NULL */
  char **script, *scriptdir;    /* --script programs; --scriptdir */
  size_t nr_script;
  /* Set by an operation that must remount the guest afterwards. */
  int (*remount) (guestfs_h *g, const char *root, void *opaque);
  void *remount_opaque;
};

extern const struct sysprep_op sysprep_ops[];
extern const size_t sysprep_nr_ops;

/* Index of NAME in sysprep_ops, or -1. */
int sysprep_find_op (const char *name);

#endif
