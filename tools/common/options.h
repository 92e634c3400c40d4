/* Option handling shared by the virt-* tools: drives (-a, --format,
 * --blocksize), -d/-c (libvirt), --key/--keys-from-stdin/--echo-keys,
 * -v, -x, -V.  Written once here so every tool behaves the same. */
#ifndef HATCH_TOOLS_OPTIONS_H
#define HATCH_TOOLS_OPTIONS_H

#include <stdbool.h>
#include "guestfs.h"

struct tool_drive {
  char *filename;
  char *format;       /* NULL: probe */
  int blocksize;      /* 0: default */
};

struct tool_options {
  const char *program;        /* e.g. "virt-inspector" */
  struct tool_drive *drives;
  size_t nr_drives;
  char *format;               /* current --format for following -a */
  int blocksize;              /* current --blocksize */
  bool read_only;
  bool verbose, trace;
  bool echo_keys, keys_from_stdin;
  char **keys;                /* --key selectors, NULL-terminated */
};

/* Handle one of the shared options (getopt's c and optarg); returns 1 if
 * it was one, 0 if not, -1 on a bad value (message printed). */
int tool_option (struct tool_options *o, int c, const char *optarg_);
/* The long option names of the shared options, for getopt_long tables. */
#define TOOL_LONG_OPTIONS \
  { "add", required_argument, NULL, 'a' }, \
  { "format", optional_argument, NULL, 0x100 }, \
  { "blocksize", optional_argument, NULL, 0x101 }, \
  { "connect", required_argument, NULL, 'c' }, \
  { "domain", required_argument, NULL, 'd' }, \
  { "key", required_argument, NULL, 0x102 }, \
  { "keys-from-stdin", no_argument, NULL, 0x103 }, \
  { "echo-keys", no_argument, NULL, 0x104 }, \
  { "verbose", no_argument, NULL, 'v' }, \
  { "version", no_argument, NULL, 'V' }
#define TOOL_SHORT_OPTIONS "a:c:d:vVx"

int tool_add_drive (struct tool_options *o, const char *filename);
/* Create a handle with the tool's settings and add the drives. */
guestfs_h *tool_open_handle (struct tool_options *o);
void tool_print_version (const char *program);
void tool_free_options (struct tool_options *o);

#endif
