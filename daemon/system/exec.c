/* command, command_lines, sh, sh_lines, command_out, sh_out: run a
 * program from the guest,
 * chrooted into the guest tree (command_run binds /dev, /proc and /sys in
 * for the duration).  Arguments go as argv; only sh uses a shell, the
 * guest's own /bin/sh.  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

static int
check_argv (const char *action, const char *const *argv)
{
  if (need_root (action) == -1)
    return -1;
  if (argv[0] == NULL || argv[0][0] == '\0') {
    reply_with_error_errno (EINVAL, "%s: the argument list is empty", action);
    return -1;
  }
  return 0;
}

/* Reply with the error of a program that failed (command_run's r). */
static void
reply_failed (const char *prog, int r, char *err)
{
  if (err && *err)
    trim_newlines (err);
  if (err && *err)              /* the program's own words, as libguestfs */
    reply_with_error ("%s", err);
  else if (r > 0)
    reply_with_error ("%s: exited with status %d", prog, r);
  else
    reply_with_error ("%s: could not be run", prog);
}

/* Run argv in the guest; stdout on success, NULL after replying. */
static char *
run_in_guest (const char *action, const char *const *argv)
{
  if (check_argv (action, argv) == -1)
    return NULL;
  /* Output beyond what one reply string can carry is refused. */
  struct command_opts opts = { .flags = CMD_CHROOT_GUEST,
                               .max_out = XDR_MAX_STRING - 1 };
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&opts, &out, &err, argv);
  if (r == -1 && errno == EFBIG && err) {
    reply_with_error_errno (EFBIG, "%s", err);
    return NULL;
  }
  if (r != 0) {
    reply_failed (argv[0], r, err);
    free (out);
    return NULL;
  }
  return out;
}

/* Run argv in the guest with its stdout in a memory file (no size limit
 * but the appliance's memory), then send that as the call's FileOut.
 * A failing program sends nothing and replies with its error. */
static int
run_in_guest_to_fileout (const char *action, const char *const *argv)
{
  if (check_argv (action, argv) == -1)
    return -1;
  CLEANUP_CLOSE int fd = memfd_create ("stdout", MFD_CLOEXEC);
  CLEANUP_FREE char *buf = malloc (HATCH_CHUNK_SIZE);
  if (fd == -1 || buf == NULL) {
    reply_with_perror ("%s", action);
    return -1;
  }
  struct command_opts opts = { .flags = CMD_CHROOT_GUEST | CMD_STDOUT_FD, .stdout_fd = fd };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&opts, NULL, &err, argv);
  if (r != 0) {
    reply_failed (argv[0], r, err);
    return -1;
  }
  for (off_t off = 0;;) {
    ssize_t n = pread (fd, buf, HATCH_CHUNK_SIZE, off);
    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1) {
      int e = errno;
      if (off > 0)
        send_file_end (1);
      reply_with_error_errno (e, "%s: reading the output: %s", action, strerror (e));
      return -1;
    }
    if (n == 0)
      break;
    if (send_file_write (buf, (size_t) n) == -1) {
      reply_with_perror ("%s: sending the output", action);
      return -1;
    }
    off += n;
  }
  if (send_file_end (0) == -1) {
    reply_with_perror ("%s: sending the output", action);
    return -1;
  }
  return 0;
}

int
do_command_out (char *const *arguments)
{
  return run_in_guest_to_fileout ("command_out", (const char *const *) arguments);
}

int
do_sh_out (const char *command)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  return run_in_guest_to_fileout ("sh_out", argv);
}

static char **
lines_of (char *out)
{
  if (out == NULL)
    return NULL;
  char **lines = split_lines (out);
  free (out);
  if (lines == NULL)
    reply_with_perror ("split_lines");
  return lines;
}

char *
do_command (char *const *arguments)
{
  return run_in_guest ("command", (const char *const *) arguments);
}

char **
do_command_lines (char *const *arguments)
{
  return lines_of (run_in_guest ("command_lines", (const char *const *) arguments));
}

char *
do_sh (const char *command)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  return run_in_guest ("sh", argv);
}

char **
do_sh_lines (const char *command)
{
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  return lines_of (run_in_guest ("sh_lines", argv));
}
