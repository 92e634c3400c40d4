/* virt-log: display the log files of a disk image or libvirt guest
 * (see virt-log(1)): the systemd journal, else the syslog text file; for
 * Windows Vista and later, the System event log (.evtx) through
 * evtxdump.py when the host has it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "findpath.h"
#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-log";

static void __attribute__((noreturn))
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: display log files in a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -d domname\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("See virt-log(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static const struct guestfs_xattr *
field (const struct guestfs_xattr_list *l, const char *name)
{
  for (size_t i = 0; i < l->len; ++i)
    if (strcmp (l->val[i].attrname, name) == 0)
      return &l->val[i];
  return NULL;
}

static void
put_field (const struct guestfs_xattr *f)
{
  /* Values may hold any bytes: print them, but not control characters
   * other than tab (journalctl shows such messages as blobs). */
  for (uint32_t i = 0; i < f->attrval_len; ++i) {
    unsigned char ch = (unsigned char) f->attrval[i];
    if (ch < 32 && ch != '\t')
      putchar ('?');
    else
      putchar (ch);
  }
}

/* The journal in DIR, one line per entry as journalctl prints it by
 * default: "Mon DD HH:MM:SS host ident[pid]: message". */
static int
print_journal (guestfs_h *g, const char *dir)
{
  if (guestfs_journal_open (g, dir) == -1)
    return -1;
  /* Long messages are wanted whole. */
  TOOL_QUIET (g, guestfs_journal_set_data_threshold (g, 0));
  int r;
  while ((r = guestfs_journal_next (g)) == 1) {
    struct guestfs_xattr_list *l = guestfs_journal_get (g);
    if (!l) {
      guestfs_journal_close (g);
      return -1;
    }
    int64_t usec = guestfs_journal_get_realtime_usec (g);
    if (usec == -1) {
      guestfs_free_xattr_list (l);
      guestfs_journal_close (g);
      return -1;
    }
    time_t t = (time_t) (usec / 1000000);
    struct tm tm;
    char when[64] = "";
    if (localtime_r (&t, &tm))
      strftime (when, sizeof when, "%b %d %H:%M:%S", &tm);
    printf ("%s", when);
    const struct guestfs_xattr *f = field (l, "_HOSTNAME");
    if (f) { putchar (' '); put_field (f); }
    f = field (l, "SYSLOG_IDENTIFIER");
    if (!f) f = field (l, "_COMM");
    putchar (' ');
    if (f) put_field (f); else printf ("unknown");
    f = field (l, "_PID");
    if (!f) f = field (l, "SYSLOG_PID");
    if (f) { putchar ('['); put_field (f); putchar (']'); }
    printf (": ");
    f = field (l, "MESSAGE");
    if (f) put_field (f);
    putchar ('\n');
    guestfs_free_xattr_list (l);
  }
  if (guestfs_journal_close (g) == -1 || r == -1)
    return -1;
  return 0;
}

/* Run evtxdump on FILE, its output to ours. */
static int
dump_evtx (const char *tool, const char *file)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == -1) { perror ("fork"); return -1; }
  if (pid == 0) {
    execlp (tool, tool, file, (char *) NULL);
    fprintf (stderr, "%s: %s: %s\n", program, tool, strerror (errno));
    _exit (127);
  }
  int st;
  if (waitpid (pid, &st, 0) == -1 || !WIFEXITED (st) || WEXITSTATUS (st) != 0) {
    fprintf (stderr, "%s: %s %s failed\n", program, tool, file);
    return -1;
  }
  return 0;
}

/* Windows Vista and later: the System event log, through evtxdump.py
 * (python-evtx; Debian installs it as evtx_dump.py). */
static int
windows_logs (guestfs_h *g, const char *root)
{
  int major = guestfs_inspect_get_major_version (g, root);
  if (major == -1)
    return -1;
  if (major < 6) {
    fprintf (stderr, "%s: Windows Event Log for pre-Vista guests is not "
             "supported.\n", program);
    return -1;
  }
  char *tool = hatch_find_in_path ("evtxdump.py");
  if (!tool) tool = hatch_find_in_path ("evtx_dump.py");
  if (!tool) {
    fprintf (stderr, "%s: error: this is a Windows guest: showing its event "
             "log needs the program evtxdump.py (from the python-evtx package; "
             "Debian: python3-evtx) on the host.  Without it, copy the logs out "
             "of %%systemroot%%\\System32\\winevt\\Logs with virt-copy-out(1) "
             "and read them with another tool.\n", program);
    return -1;
  }
  char *sysroot = guestfs_inspect_get_windows_systemroot (g, root);
  if (!sysroot) { free (tool); return -1; }
  char *log;
  if (asprintf (&log, "%s/System32/winevt/Logs/System.evtx", sysroot) == -1)
    exit (EXIT_FAILURE);
  free (sysroot);
  char *rlog = TOOL_QUIET (g, guestfs_case_sensitive_path (g, log));
  if (!rlog || TOOL_QUIET (g, guestfs_is_file (g, rlog)) != 1) {
    fprintf (stderr, "%s: Windows Event Log file (%s) not found\n", program,
             rlog ? rlog : log);
    free (rlog); free (log); free (tool);
    return -1;
  }
  free (log);
  int ret = -1;
  char tmpdir[] = "/tmp/virt-log.XXXXXX";
  if (!mkdtemp (tmpdir)) {
    perror ("mkdtemp");
    free (rlog); free (tool);
    return -1;
  }
  char *hp;
  if (asprintf (&hp, "%s/System.evtx", tmpdir) == -1)
    exit (EXIT_FAILURE);
  if (guestfs_download (g, rlog, hp) == 0 && dump_evtx (tool, hp) == 0)
    ret = 0;
  unlink (hp);
  rmdir (tmpdir);
  free (hp); free (rlog); free (tool);
  return ret;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  static const char short_options[] = "a:c:d:vVx";
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 0x200 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = short_options;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    if (c == 0x200)
      usage (EXIT_SUCCESS);
    usage (EXIT_FAILURE);
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra arguments on the command line: %s\n",
             program, argv[optind]);
    usage (EXIT_FAILURE);
  }
  tool_require_drives (&o);
  o.inspector = true;

  guestfs_h *g = tool_launch (&o, true);

  int status = EXIT_SUCCESS;
  char *type = guestfs_inspect_get_type (g, o.root);
  if (!type)
    status = EXIT_FAILURE;
  else if (strcmp (type, "windows") == 0) {
    if (windows_logs (g, o.root) == -1)
      status = EXIT_FAILURE;
  }
  else {
    /* The persistent journal, if there are journal files in it. */
    bool journal = false;
    if (TOOL_QUIET (g, guestfs_is_dir (g, "/var/log/journal")) == 1) {
      char **files = TOOL_QUIET (g, guestfs_find (g, "/var/log/journal"));
      for (size_t i = 0; files && files[i]; ++i) {
        size_t n = strlen (files[i]);
        if (n > 8 && strcmp (files[i] + n - 8, ".journal") == 0)
          journal = true;
      }
      tool_free_strings (files);
    }
    if (journal) {
      if (print_journal (g, "/var/log/journal") == -1)
        status = EXIT_FAILURE;
    }
    else {
      static const char *const logs[] = { "/var/log/syslog", "/var/log/messages", NULL };
      const char *log = NULL;
      for (size_t i = 0; logs[i] && !log; ++i)
        if (TOOL_QUIET (g, guestfs_is_file (g, logs[i])) == 1)
          log = logs[i];
      if (!log) {
        /* As libguestfs's virt-log: no logs is not an error. */
        if (o.verbose)
          fprintf (stderr, "%s: no log files found in this guest "
                   "(no systemd journal, /var/log/syslog or /var/log/messages)\n",
                   program);
      }
      else {
        fflush (stdout);
        if (tool_download_fd (g, log, STDOUT_FILENO) == -1)
          status = EXIT_FAILURE;
      }
    }
  }
  free (type);
  return tool_finish (g, &o, status);
}
