/* Parallel xz decompression for virt-builder templates: the blocks an
 * xz file's index lists are independent, so several threads decompress
 * them at once, each writing its block at its own offset (as pxzcat
 * does).  A file made with `xz --block-size=N` has many blocks; a file
 * with one block is decompressed by one thread. */
#ifndef HATCH_BUILDER_PXZCAT_H
#define HATCH_BUILDER_PXZCAT_H

#include <stdbool.h>
#include <stdint.h>

/* True if FILE starts with the xz magic bytes. */
bool builder_is_xz (const char *file);

/* Decompress INFILE into OUTFD (from offset 0) with up to THREADS
 * threads (0: one per online CPU).  A regular output file is sized
 * first and blocks of zeroes are left as holes.  Returns 0, or -1 after
 * printing "PROGRAM: INFILE: why" (a corrupt or truncated file, a write
 * error).  *SIZE (if not NULL) gets the uncompressed size. */
int builder_xz_decompress (const char *program, const char *infile, int outfd,
                           unsigned threads, uint64_t *size);

#endif
