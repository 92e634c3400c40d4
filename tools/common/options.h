/* Option handling shared by the virt-* tools: drives (-a, --format,
 * --blocksize), -d/-c (libvirt), -m/--mount, -i/--inspector, --ro/--rw,
 * --key/--keys-from-stdin/--echo-keys, --long-options/--short-options,
 * -v, -x, -V.  Written once here so every tool behaves the same.
 *
 * Typical use:
 *   struct tool_options o = { .program = "virt-foo", .read_only = true };
 *   static const struct option long_options[] = {
 *     TOOL_LONG_OPTIONS, TOOL_MOUNT_LONG_OPTIONS, ..., { NULL, 0, NULL, 0 } };
 *   o.long_options = long_options; o.short_options = "a:c:d:m:vVx";
 *   while ((c = getopt_long (...)) != -1) {
 *     int r = tool_option (&o, c, optarg); if (r == 1) continue; ...
 *   }
 *   g = tool_open_handle (&o); guestfs_launch (g); tool_mount (g, &o);
 */
#ifndef HATCH_TOOLS_OPTIONS_H
#define HATCH_TOOLS_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include "guestfs.h"

struct tool_drive {
  char *filename;
  char *format;       /* NULL: probe */
  int blocksize;      /* 0: default */
  int64_t scratch_size; /* > 0: a scratch disk of this size (no filename) */
};

/* -m DEV[:MNT[:OPTS[:FSTYPE]]] */
struct tool_mount_spec {
  char *device;
  char *mountpoint;   /* "/" when not given */
  char *options;      /* NULL: "" or "ro" with --ro */
  char *fstype;       /* NULL: let mount choose */
};

/* --key ID:key:STRING, ID:file:FILENAME, ID:clevis; ID may be "all". */
enum tool_key_kind { TOOL_KEY_STRING, TOOL_KEY_FILE, TOOL_KEY_CLEVIS };
struct tool_key {
  char *id;           /* device name, LUKS UUID, or "all" */
  enum tool_key_kind kind;
  char *value;        /* passphrase or filename; NULL for clevis */
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
  char **keys;                /* --key selectors as given, NULL-terminated */
  struct tool_key *key_list;  /* the same, parsed */
  size_t nr_keys;
  struct tool_mount_spec *mounts; /* -m, in command line order */
  size_t nr_mounts;
  bool inspector;             /* -i */
  char *root;                 /* set by tool_mount after -i: the OS root */
  char *libvirt_uri;          /* -c */
  char **domains;             /* -d, NULL-terminated (or NULL) */
  size_t nr_domains;
  /* The tool's own getopt tables, for --long-options/--short-options. */
  const struct option *long_options;
  const char *short_options;
};

/* Handle one of the shared options (getopt's c and optarg); returns 1 if
 * it was one, 0 if not, -1 on a bad value (message printed).  Handles
 * 'a', 'c', 'd', 'm', 'i', 'r'/'w' and the TOOL_OPT_* codes, 'v', 'x', 'V'
 * ('i', 'm', 'r', 'w' only matter if the tool puts them in its tables). */
int tool_option (struct tool_options *o, int c, const char *optarg_);

/* Codes of the long-only shared options. */
#define TOOL_OPT_FORMAT          0x100
#define TOOL_OPT_BLOCKSIZE       0x101
#define TOOL_OPT_KEY             0x102
#define TOOL_OPT_KEYS_FROM_STDIN 0x103
#define TOOL_OPT_ECHO_KEYS       0x104
#define TOOL_OPT_RO              0x105
#define TOOL_OPT_RW              0x106
#define TOOL_OPT_LONG_OPTIONS    0x107
#define TOOL_OPT_SHORT_OPTIONS   0x108
/* Tools number their own long-only options from 0x200. */

/* The long option names of the shared options, for getopt_long tables. */
#define TOOL_LONG_OPTIONS \
  { "add", required_argument, NULL, 'a' }, \
  { "format", optional_argument, NULL, TOOL_OPT_FORMAT }, \
  { "blocksize", optional_argument, NULL, TOOL_OPT_BLOCKSIZE }, \
  { "connect", required_argument, NULL, 'c' }, \
  { "domain", required_argument, NULL, 'd' }, \
  { "key", required_argument, NULL, TOOL_OPT_KEY }, \
  { "keys-from-stdin", no_argument, NULL, TOOL_OPT_KEYS_FROM_STDIN }, \
  { "echo-keys", no_argument, NULL, TOOL_OPT_ECHO_KEYS }, \
  { "long-options", no_argument, NULL, TOOL_OPT_LONG_OPTIONS }, \
  { "short-options", no_argument, NULL, TOOL_OPT_SHORT_OPTIONS }, \
  { "verbose", no_argument, NULL, 'v' }, \
  { "version", no_argument, NULL, 'V' }
#define TOOL_SHORT_OPTIONS "a:c:d:vVx"
/* The four spellings of --colors that libguestfs's tools take, all
 * giving VAL. */
#define TOOL_COLOUR_LONG_OPTIONS(val) \
  { "color", no_argument, NULL, (val) }, \
  { "colors", no_argument, NULL, (val) }, \
  { "colour", no_argument, NULL, (val) }, \
  { "colours", no_argument, NULL, (val) }
/* --wrap and --debug-gc, which libguestfs's OCaml tools take: VAL, for
 * the tool to ignore. */
#define TOOL_OCAML_LONG_OPTIONS(val) \
  { "debug-gc", no_argument, NULL, (val) }, \
  { "wrap", no_argument, NULL, (val) }
/* -m/--mount (put "m:" in the short options too). */
#define TOOL_MOUNT_LONG_OPTIONS \
  { "mount", required_argument, NULL, 'm' }
/* -i/--inspector (put "i" in the short options too). */
#define TOOL_INSPECTOR_LONG_OPTIONS \
  { "inspector", no_argument, NULL, 'i' }
/* --ro/--rw (tools that also want -r/-w put "rw" in the short options). */
#define TOOL_RO_RW_LONG_OPTIONS \
  { "ro", no_argument, NULL, TOOL_OPT_RO }, \
  { "rw", no_argument, NULL, TOOL_OPT_RW }

int tool_add_drive (struct tool_options *o, const char *filename);
/* A temporary scratch disk (add_drive_scratch), in command line order. */
int tool_add_scratch (struct tool_options *o, int64_t size);
/* Create a handle with the tool's settings and add the drives (-a) and
 * the libvirt domains (-d). */
guestfs_h *tool_open_handle (struct tool_options *o);
/* After launch: open LUKS devices with the keys, activate LVM, then
 * either inspect and mount the operating system (-i) or mount the -m
 * list.  Messages are printed; returns 0 or -1. */
int tool_mount (guestfs_h *g, struct tool_options *o);
/* Only the LUKS step of tool_mount (virt-inspector, virt-filesystems). */
int tool_decrypt (guestfs_h *g, struct tool_options *o);
/* The -i step alone: the single root, or NULL after printing the
 * "no operating system"/"multi-boot" message. */
char *tool_inspect_root (guestfs_h *g, struct tool_options *o);
/* Mount the filesystems of ROOT as the guest would, parents first. */
int tool_mount_root (guestfs_h *g, struct tool_options *o, const char *root);
void tool_print_version (const char *program);
/* The --help lines of the shared options a tool has (TOOL_HELP_* bits). */
#define TOOL_HELP_MOUNT     1u
#define TOOL_HELP_INSPECTOR 2u
#define TOOL_HELP_RO_RW     4u
#define TOOL_HELP_KEYS      8u
void tool_print_options_help (unsigned what);
/* "Try 'PROGRAM --help' for more information." and exit (tool_usage_status). */
void tool_try_help (const char *program) __attribute__((noreturn));
/* The exit statuses of the shared code: EXIT_FAILURE for both unless a
 * tool changes them before its first tool_* call (virt-win-reg, a Perl
 * program in libguestfs, exits 2 on a usage error and 255 otherwise). */
extern int tool_failure_status, tool_usage_status;
void tool_free_options (struct tool_options *o);

#endif
