/* Which parts of a disk image hold data, so that a copy can skip the
 * rest: the image's own allocation map, as qemu-img map reports it (the
 * format's cluster tables for qcow2 and the like, the file's holes for
 * raw).  This reads the container, never what the guest put in it. */
#ifndef HATCH_TOOLS_EXTENTS_H
#define HATCH_TOOLS_EXTENTS_H

#include <stdint.h>
#include <sys/types.h>

struct tool_extent {
  int64_t offset, length;       /* bytes, in guest (virtual disk) offsets */
};

/* The extents of FILE (in FORMAT, or probed when NULL) that hold data,
 * in order, adjacent ones merged; *out is malloc'd.  Returns how many, or
 * -1 when no map can be had (not a local image, qemu-img failed or took
 * too long): the caller then treats the whole disk as data. */
ssize_t tool_allocated_extents (const char *file, const char *format,
                                struct tool_extent **out);

/* How many bytes of [offset, offset+length) the extents cover. */
int64_t tool_extents_bytes (const struct tool_extent *e, size_t n,
                            int64_t offset, int64_t length);

#endif
