/* Running a host program (qemu-img, gpg, virt-resize ...) from a tool:
 * an argv, never a shell string. */
#ifndef HATCH_TOOLS_COMMAND_H
#define HATCH_TOOLS_COMMAND_H

#include <stdbool.h>

/* Run ARGV[0] (looked up in PATH) with ARGV.  IN_FD / OUT_FD (-1:
 * inherit) become its stdin / stdout; with CAPTURE, its stdout is read
 * into *CAPTURE (malloc'd, NUL-terminated) instead.  With QUIET_STDERR
 * its stderr goes to /dev/null.  Returns its exit status (128 + signal
 * when killed), or -1 after printing "PROGRAM: why" if it could not be
 * run at all (127 when the program was not found). */
int tool_command (const char *program, char *const argv[], int in_fd, int out_fd,
                  char **capture, bool quiet_stderr);

#endif
