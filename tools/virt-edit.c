/* virt-edit: edit files in a disk image or libvirt guest (see
 * virt-edit(1)).  The file is downloaded to a private temporary file,
 * edited there ($EDITOR, or a Perl expression applied to each line with
 * -e, run by the host's perl exactly as documented: $_ is the line with
 * its newline, $lineno its number), and uploaded back only if changed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-edit";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: edit a file in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname file [file ...]\n"
          "  %s [--options] -a disk.img [-a disk.img ...] file [file ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_MOUNT | TOOL_HELP_KEYS);
  printf ("  -b|--backup .ext     Keep the original as file.ext\n"
          "  -e|--edit|--expr expr\n"
          "                       Apply the Perl expression to each line ($_)\n"
          "See virt-edit(1) for more.\n");
  exit (EXIT_SUCCESS);
}

/* Run ARGV; returns its exit status (or -1 if it could not run). */
static int
run (char *const argv[], int in_fd, int out_fd)
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

static int
edit_file (guestfs_h *g, struct tool_options *o, const char *path,
           const char *expr, const char *backup)
{
  const char *tmpdir = getenv ("TMPDIR");
  if (!tmpdir || !*tmpdir) tmpdir = "/tmp";
  char orig[4096], edited[4096];
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  snprintf (orig, sizeof orig, "%s/virt-edit-XXXXXX", tmpdir);
  /* Keep the guest file's name as the suffix so editors pick a mode. */
  snprintf (edited, sizeof edited, "%s/virt-edit-XXXXXX-%s", tmpdir, base);
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
    int st = in == -1 ? -1 : run (argv, in, efd);
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
    if (run (argv_cp, -1, -1) != 0)
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
    int st = run (argv, -1, -1);
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
  (void) o;
  return r;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = false };
  const char *expr = NULL, *backup = NULL;
  static const char short_options[] = "a:b:c:d:e:m:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    TOOL_MOUNT_LONG_OPTIONS,
    { "backup", required_argument, NULL, 'b' },
    { "edit", required_argument, NULL, 'e' },
    { "expr", required_argument, NULL, 'e' },
    { "help", no_argument, NULL, 0x200 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 0x200: usage (EXIT_SUCCESS); break;
    case 'b':
      if (backup) {
        fprintf (stderr, "%s: -b option given multiple times\n", program);
        exit (EXIT_FAILURE);
      }
      backup = optarg;
      break;
    case 'e':
      if (expr) {
        fprintf (stderr, "%s: -e option given multiple times\n", program);
        exit (EXIT_FAILURE);
      }
      expr = optarg;
      break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (tool_old_style_args (&o, argc, argv, &optind, 1) == -1)
    exit (EXIT_FAILURE);
  tool_require_drives (&o);
  if (optind >= argc) {
    fprintf (stderr, "%s: error: missing filename on the command line.\n", program);
    usage (EXIT_FAILURE);
  }
  if (backup && (*backup == '\0' || strchr (backup, '/'))) {
    fprintf (stderr, "%s: -b %s: the backup extension must not be empty or "
             "contain '/'\n", program, backup);
    exit (EXIT_FAILURE);
  }
  o.inspector = o.nr_mounts == 0;

  guestfs_h *g = tool_launch (&o, true);

  int status = EXIT_SUCCESS;
  for (int i = optind; i < argc && status == EXIT_SUCCESS; ++i) {
    char *path = tool_windows_path (g, &o, argv[i]);
    if (!path || edit_file (g, &o, path, expr, backup) == -1)
      status = EXIT_FAILURE;
    free (path);
  }
  return tool_finish (g, &o, status);
}
