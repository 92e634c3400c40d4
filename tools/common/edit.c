/* Editing one guest file on the host (virt-edit, virt-customize --edit):
 * see edit.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edit.h"
#include "util.h"

/* Run ARGV; returns its exit status (or -1 if it could not run). */
static int
run (const char *program, char *const argv[], int in_fd, int out_fd)
{
  pid_t pid = fork ();
  if (pid == -1) {
    perror ("fork");
    return -1;
  }
  if (pid == 0) {
    if (in_fd >= 0 && dup2 (in_fd, 0) == -1) _exit (127);
    if (out_fd >= 0 && dup2 (out_fd, 1) == -1) _exit (127);
    execvp (argv[0], argv);
    fprintf (stderr, "%s: %s: %s\n", program, argv[0], strerror (errno));
    _exit (127);
  }
  int st;
  while (waitpid (pid, &st, 0) == -1)
    if (errno != EINTR) {
      perror ("waitpid");
      return -1;
    }
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + (WIFSIGNALED (st) ? WTERMSIG (st) : 0);
}

static bool
same_contents (const char *a, const char *b)
{
  FILE *fa = fopen (a, "r"), *fb = fopen (b, "r");
  bool same = fa && fb;
  while (same) {
    int ca = getc (fa), cb = getc (fb);
    if (ca != cb)
      same = false;
    else if (ca == EOF)
      break;
  }
  if (fa) fclose (fa);
  if (fb) fclose (fb);
  return same;
}

int
tool_edit_file (guestfs_h *g, const char *program, const char *path,
                const char *expr, const char *backup)
{
  const char *tmpdir = getenv ("TMPDIR");
  if (!tmpdir || !*tmpdir) tmpdir = "/tmp";
  char orig[4096], edited[4096];
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  snprintf (orig, sizeof orig, "%s/%s-XXXXXX", tmpdir, program);
  /* Keep the guest file's name as the suffix so editors pick a mode. */
  snprintf (edited, sizeof edited, "%s/%s-XXXXXX-%s", tmpdir, program, base);
  int ofd = mkstemp (orig);
  if (ofd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, orig, strerror (errno));
    return -1;
  }
  int efd = mkstemps (edited, (int) strlen (base) + 1);
  if (efd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, edited, strerror (errno));
    close (ofd); unlink (orig);
    return -1;
  }
  int r = -1;
  if (tool_download_fd (g, path, ofd) == -1)
    goto out;

  if (expr) {
    /* $_ is each line with its newline, $lineno counts from 1; die
     * aborts and leaves the guest file alone. */
    char *code;
    if (asprintf (&code,
                  "my $lineno = 0; while (defined ($_ = <STDIN>)) { $lineno++; "
                  "{ %s ; } print STDOUT $_ or die \"write: $!\\n\"; }", expr) == -1) {
      perror ("asprintf");
      goto out;
    }
    int in = open (orig, O_RDONLY | O_CLOEXEC);
    char *argv[] = { (char *) "perl", (char *) "-e", code, NULL };
    int st = in == -1 ? -1 : run (program, argv, in, efd);
    if (in != -1) close (in);
    free (code);
    if (st != 0) {
      fprintf (stderr, "%s: the expression failed (perl exited with status %d); "
               "%s was not changed\n", program, st, path);
      goto out;
    }
  }
  else {
    /* Interactive: the editor works on a copy of the file. */
    char *argv_cp[] = { (char *) "cp", orig, edited, NULL };
    if (run (program, argv_cp, -1, -1) != 0)
      goto out;
    const char *editor = getenv ("EDITOR");
    if (!editor || !*editor) editor = "vi";
    /* $EDITOR may hold arguments ("emacs -nw"): let the shell split it,
     * with the file passed as a separate argument. */
    char *cmd;
    if (asprintf (&cmd, "%s \"$1\"", editor) == -1) {
      perror ("asprintf");
      goto out;
    }
    char *argv[] = { (char *) "/bin/sh", (char *) "-c", cmd, (char *) "sh", edited, NULL };
    int st = run (program, argv, -1, -1);
    free (cmd);
    if (st != 0) {
      fprintf (stderr, "%s: the editor exited with status %d; %s was not changed\n",
               program, st, path);
      goto out;
    }
  }

  if (same_contents (orig, edited)) {
    r = 0;                      /* nothing to write back */
    goto out;
  }
  if (backup) {
    char *bpath;
    if (asprintf (&bpath, "%s%s", path, backup) == -1) {
      perror ("asprintf");
      goto out;
    }
    int b = guestfs_cp (g, path, bpath);
    free (bpath);
    if (b == -1)
      goto out;
  }
  r = guestfs_upload (g, edited, path);
 out:
  close (ofd);
  close (efd);
  unlink (orig);
  unlink (edited);
  return r;
}

