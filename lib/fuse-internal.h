/* mount_local's state and its cache of what directory listings taught
 * (lib/fuse.c runs the FUSE operations, lib/fuse-cache.c keeps the cache
 * and fills it with batched calls).  Internal to the library. */
#ifndef HATCH_FUSE_INTERNAL_H
#define HATCH_FUSE_INTERNAL_H

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <stdbool.h>
#include <time.h>

#include "guestfs-internal.h"

#define CACHE_BUCKETS 1021
#define BATCH_NAMES 200           /* names per lstatnslist/lxattrlist call */

struct xattr_item {
  char *name;
  char *value;
  size_t len;
};

/* What a directory listing taught us about one path. */
struct centry {
  struct centry *next;
  char *path;
  time_t expires;
  bool have_stat;
  struct guestfs_statns st;
  bool have_xattrs;
  struct xattr_item *xattrs;
  size_t nr_xattrs;
  char *link;                     /* NULL: not cached */
};

struct mount_local {
  guestfs_h *g;
  struct fuse *fuse;
  char *mountpoint;
  bool readonly;
  bool debugcalls;
  int cachetimeout;
  volatile bool running;
  bool mounted;
  int close_event;
  struct centry *cache[CACHE_BUCKETS];
};

/* fuse-cache.c */
void free_xattr_items (struct xattr_item *x, size_t n);
void cache_clear (struct mount_local *ml);
/* Drop the expired entries. */
void cache_sweep (struct mount_local *ml);
/* The live entry for path, or NULL. */
struct centry *cache_find (struct mount_local *ml, const char *path);
/* The entry for path, created empty if needed (NULL: out of memory). */
struct centry *cache_entry (struct mount_local *ml, const char *path);
void cache_invalidate (struct mount_local *ml, const char *path);
void cache_invalidate_with_parent (struct mount_local *ml, const char *path);
/* dir + "/" + name (malloc'd), or NULL. */
char *join_path (const char *dir, const char *name);
/* Cache the attributes, xattrs and link targets of a listing's entries. */
void fill_cache (struct mount_local *ml, const char *dir,
                 const struct guestfs_dirent_list *d);

#endif
