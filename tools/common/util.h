/* Small helpers shared by the virt-* tools (output formats, downloads,
 * old-style command lines). */
#ifndef HATCH_TOOLS_UTIL_H
#define HATCH_TOOLS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "guestfs.h"
#include "options.h"

/* Old-style command lines (no -a or -d): the first NR_ARGS-KEEP arguments
 * from *OPTIND name disk images (anything with a '/' or an existing file)
 * or libvirt guests; KEEP arguments are left for the tool.  Returns -1
 * after printing a message. */
int tool_old_style_args (struct tool_options *o, int argc, char *argv[],
                         int *optind_, int keep);
/* "you must specify at least one -a or -d option." and exit(1) when the
 * command line added no disk. */
void tool_require_drives (struct tool_options *o);

/* Copy the guest file PATH to the open file descriptor FD (through a
 * pipe, so FD may be a regular file shared by several downloads). */
int tool_download_fd (guestfs_h *g, const char *path, int fd);
/* The same for any call that writes a FileOut: CALL (g, ARG, fileout). */
int tool_fileout_fd (guestfs_h *g,
                     int (*call) (guestfs_h *g, const char *arg, const char *fileout),
                     const char *arg, int fd);

/* Sizes as ls -h / df -h print them: 1023, 1.0K, 15M, 2.3G. */
char *tool_human_size (uint64_t bytes);
/* Print S as one CSV field (RFC 4180 quoting when needed). */
void tool_csv_field (FILE *fp, const char *s);

/* A path named by the user, translated for a Windows guest found by -i
 * (drive letters, backslashes, case); otherwise a copy of PATH. */
char *tool_windows_path (guestfs_h *g, struct tool_options *o, const char *path);

/* The columns of a virt-ls -lR or virt-diff line: fields separated by a
 * space (or a comma with csv), sizes with -h, times in the chosen form. */
enum tool_time_format { TOOL_TIME_DATE, TOOL_TIME_T, TOOL_TIME_RELATIVE, TOOL_TIME_DAYS };
struct tool_fields {
  bool csv, human;
  enum tool_time_format time_format;
  int64_t now;                  /* for relative times and days */
  int n;                        /* fields printed on this line so far */
};
/* Start a field (print the separator); the caller prints its value. */
void tool_field_next (struct tool_fields *f);
void tool_field_string (struct tool_fields *f, const char *s);
void tool_field_size (struct tool_fields *f, int64_t size);
void tool_field_time (struct tool_fields *f, int64_t secs);
void tool_field_dev (struct tool_fields *f, int64_t dev);
/* ls's one-letter file type of a mode: - d c b p l s (u unknown). */
const char *tool_file_type (int64_t mode);

/* --json output: print OBJ (a json-c object) to stdout, indented, with a
 * final newline.  Returns -1 after a message on a write error. */
struct json_object;
int tool_json_print (struct json_object *obj);

void tool_free_strings (char **l);
size_t tool_count_strings (char **l);

#endif
