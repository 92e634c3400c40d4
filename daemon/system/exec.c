/* command, command_lines, sh, sh_lines: run a program from the guest,
 * chrooted into the guest tree (command_run binds /dev, /proc and /sys in
 * for the duration).  Arguments go as argv; only sh uses a shell, the
 * guest's own /bin/sh.  */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "actions-gen.h"

/* Run argv in the guest; stdout on success, NULL after replying. */
static char *
run_in_guest (const char *action, const char *const *argv)
{
  if (need_root (action) == -1)
    return NULL;
  if (argv[0] == NULL || argv[0][0] == '\0') {
    reply_with_error_errno (EINVAL, "%s: the argument list is empty", action);
    return NULL;
  }
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
    if (err && *err)
      trim_newlines (err);
    if (err && *err)            /* the program's own words, as libguestfs */
      reply_with_error ("%s", err);
    else if (r > 0)
      reply_with_error ("%s: exited with status %d", argv[0], r);
    else
      reply_with_error ("%s: could not be run", argv[0]);
    free (out);
    return NULL;
  }
  return out;
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
