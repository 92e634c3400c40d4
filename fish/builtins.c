/* Hatch guestfish: commands that belong to the shell rather than to the
 * API (help, quit, echo, lcd, time, setenv, unsetenv, man), and help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fish.h"

static int
run_help (const char *cmd, size_t argc, char *argv[])
{
  if (argc > 1) {
    fish_usage_error (cmd, "help [cmd|--list]");
    return -1;
  }
  if (argc == 1) {
    if (strcmp (argv[0], "--list") == 0 || strcmp (argv[0], "-l") == 0) {
      fish_list_commands ();
      return 0;
    }
    return fish_display_command_help (argv[0]);
  }

  /* Plain "help": what to do next, depending on the handle's state. */
  if (guestfs_is_config (g) > 0)
    printf (
"Add disk images with the '-a' option or the 'add' command, then type\n"
"'run' to start the appliance.\n"
"\n"
"Type 'help --list' for all the commands and 'help CMD' for one of them.\n"
"Type 'man' to read the manual.\n");
  else
    printf (
"The appliance is running.  'list-filesystems' shows what is on the disks;\n"
"mount one with 'mount DEVICE /' and then use the file commands ('ls',\n"
"'cat', 'write', ...).\n"
"\n"
"Type 'help --list' for all the commands and 'help CMD' for one of them.\n"
"Type 'man' to read the manual.\n");
  return 0;
}

static int
run_quit (const char *cmd, size_t argc, char *argv[])
{
  fish_quit = 1;
  return 0;
}

static int
run_echo (const char *cmd, size_t argc, char *argv[])
{
  for (size_t i = 0; i < argc; ++i)
    printf ("%s%s", i > 0 ? " " : "", argv[i]);
  putchar ('\n');
  return 0;
}

static int
run_lcd (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "lcd directory");
    return -1;
  }
  if (chdir (argv[0]) == -1) {
    perror (argv[0]);
    return -1;
  }
  return 0;
}

static int
run_time (const char *cmd, size_t argc, char *argv[])
{
  if (argc < 1) {
    fish_usage_error (cmd, "time command [args...]");
    return -1;
  }
  struct timespec t0, t1;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  int r = fish_dispatch (argv[0], argc - 1, argv + 1);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  long long ms = (t1.tv_sec - t0.tv_sec) * 1000LL
    + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  fflush (stdout);
  printf ("elapsed time: %lld.%02lld seconds\n", ms / 1000, (ms % 1000) / 10);
  return r;
}

static int
run_setenv (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 2) {
    fish_usage_error (cmd, "setenv VAR value");
    return -1;
  }
  if (setenv (argv[0], argv[1], 1) == -1) {
    perror ("setenv");
    return -1;
  }
  return 0;
}

static int
run_unsetenv (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 1) {
    fish_usage_error (cmd, "unsetenv VAR");
    return -1;
  }
  if (unsetenv (argv[0]) == -1) {
    perror ("unsetenv");
    return -1;
  }
  return 0;
}

static int
run_man (const char *cmd, size_t argc, char *argv[])
{
  if (argc != 0) {
    fish_usage_error (cmd, "man");
    return -1;
  }
  fflush (stdout);
  int status = system ("man 1 guestfish");
  return status == 0 ? 0 : -1;
}

const struct fish_builtin fish_builtins[] = {
  { "alloc", { "allocate", NULL }, "allocate and add a disk file",
    "alloc filename size",
    "Create the host file 'filename' of 'size' bytes, filled with zeroes "
    "and fully allocated, and add it as a raw disk.  Sizes accept the "
    "usual suffixes (\"100M\", \"1G\").  'sparse' does the same without "
    "allocating the blocks.  Like every added disk this must happen "
    "before 'run'.", fish_run_alloc },
  { "copy-in", { NULL }, "copy local files or directories into an image",
    "copy-in local [local ...] /remotedir",
    "Copy each host file or directory (recursively) into the existing "
    "guest directory given last.  It is built on 'tar-in'.",
    fish_run_copy_in },
  { "copy-out", { NULL }, "copy remote files or directories out of an image",
    "copy-out remote [remote ...] localdir",
    "Copy each guest file or directory (recursively) into the existing "
    "host directory given last.  Files are downloaded; directories come "
    "through 'tar-out'.  Use 'glob copy-out /dir/* .' for wildcards.",
    fish_run_copy_out },
  { "delete-event", { NULL }, "delete a previously registered event handler",
    "delete-event name",
    "Remove every event handler registered with 'event' under this name.",
    fish_run_delete_event },
  { "display", { NULL }, "display an image",
    "display filename",
    "Download the guest file and show it with the host program named by "
    "$GUESTFISH_DISPLAY_IMAGE (default: display).", fish_run_display },
  { "edit", { "vi", "emacs", NULL }, "edit a file",
    "edit filename",
    "Download the guest file, open it in $EDITOR (or vi, or emacs when "
    "called under those names) and upload it again if it was changed.",
    fish_run_edit },
  { "event", { NULL }, "register a handler for an event or events",
    "event name eventset \"shell script ...\"",
    "Run the shell script fragment (with $SHELL -c, else /bin/sh -c) each "
    "time one of the events happens.  'eventset' is a comma-separated "
    "list of event names (close, subprocess_quit, launch_done, progress, "
    "appliance, library, trace, enter, libvirt_auth, warning) or '*' for "
    "all of them.  The script gets the event's message (if any) and its "
    "numbers as $1, $2, ..., and the event name in $EVENT.  'name' is "
    "only a label for 'delete-event' and 'list-events'.", fish_run_event },
  { "glob", { NULL }, "expand wildcards in command",
    "glob command args...",
    "Expand the wildcards (* ? [..]) in the guest paths and /dev/ names "
    "among the arguments, then run the command once for every "
    "combination of matches.  A pattern that matches nothing is passed "
    "as it is.", fish_run_glob },
  { "hexedit", { NULL }, "edit with a hex editor",
    "hexedit <filename|device> [[<start>] <max>]",
    "Download all of a file or device (or 'max' bytes from 'start'), "
    "edit it with $HEXEDITOR (default: hexedit) and write it back.",
    fish_run_hexedit },
  { "list-events", { NULL }, "list event handlers",
    "list-events",
    "Show the handlers registered with 'event': name, handle, events and "
    "script.", fish_run_list_events },
  { "more", { "less", NULL }, "view a file",
    "more filename",
    "Download the guest file and show it with $PAGER (default: more), "
    "or with less when called as 'less'.", fish_run_more },
  { "reopen", { NULL }, "close and reopen libguestfs handle",
    "reopen",
    "Close the handle (shutting the appliance down) and open a new one "
    "with the same verbose, trace, autosync, path and pgroup settings; "
    "the others (memsize, smp ...) are back to their defaults.  Added "
    "drives and event handlers are forgotten.",
    fish_run_reopen },
  { "sparse", { NULL }, "create a sparse disk image and add",
    "sparse filename size",
    "Like 'alloc', but the file is sparse: blocks are only allocated on "
    "the host when they are written.", fish_run_sparse },
  { "supported", { NULL }, "list supported groups of commands",
    "supported",
    "For each optional group of commands, say whether the appliance "
    "supports it ('yes') or not ('no').  The appliance must be running.",
    fish_run_supported },
  { "help", { NULL }, "show the commands, or the help for one command",
    "help [cmd|--list]",
    "With no argument, say what to do next.  With --list, list every "
    "command.  With a command name, show its help.", run_help },
  { "quit", { NULL }, "leave guestfish", "quit",
    "Stop reading commands and leave guestfish.  'exit' and 'q' do the "
    "same.", run_quit },
  { "echo", { NULL }, "print the arguments", "echo [params ...]",
    "Print the parameters, separated by single spaces, and a newline.",
    run_echo },
  { "lcd", { NULL }, "change the local working directory", "lcd directory",
    "Change guestfish's own working directory on the host.  This affects "
    "the host paths given to commands like 'upload' and 'download'.",
    run_lcd },
  { "man", { "manual", NULL }, "read the manual page", "man",
    "Show the guestfish(1) manual page.", run_man },
  { "setenv", { NULL }, "set an environment variable", "setenv VAR value",
    "Set the host environment variable VAR to value, for guestfish and "
    "the programs it starts.", run_setenv },
  { "time", { NULL }, "measure how long a command takes",
    "time command [args...]",
    "Run the command with its arguments, then print the time it took.",
    run_time },
  { "unsetenv", { NULL }, "remove an environment variable", "unsetenv VAR",
    "Remove the host environment variable VAR.", run_unsetenv },
};
const size_t fish_builtins_len = sizeof fish_builtins / sizeof fish_builtins[0];

/* Command names compare ignoring case, with '_' and '-' equal. */
static int
name_eq (const char *a, const char *b)
{
  for (;; ++a, ++b) {
    char x = *a == '_' ? '-' : *a;
    char y = *b == '_' ? '-' : *b;
    if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
    if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
    if (x != y)
      return 0;
    if (x == '\0')
      return 1;
  }
}

const struct fish_builtin *
fish_find_builtin (const char *name)
{
  for (size_t i = 0; i < fish_builtins_len; ++i) {
    const struct fish_builtin *b = &fish_builtins[i];
    if (name_eq (name, b->name))
      return b;
    for (size_t j = 0; b->aliases[j] != NULL; ++j)
      if (name_eq (name, b->aliases[j]))
        return b;
  }
  /* quit's other names are accepted but not listed. */
  if (name_eq (name, "exit") || name_eq (name, "q"))
    return fish_find_builtin ("quit");
  return NULL;
}

const struct fish_command *
fish_find_command (const char *name)
{
  for (size_t i = 0; i < fish_commands_len; ++i)
    if (name_eq (name, fish_commands[i].name))
      return &fish_commands[i];
  for (size_t i = 0; i < fish_commands_len; ++i) {
    const struct fish_command *c = &fish_commands[i];
    for (size_t j = 0; j < 8 && c->aliases[j] != NULL; ++j)
      if (name_eq (name, c->aliases[j]))
        return c;
  }
  return NULL;
}

/* The command list: "help" and "quit" first, then everything else
 * (builtins, API commands and their aliases) in alphabetical order.  */
struct row {
  const char *name;
  const char *desc;
  const char *alias_of;
};

static int
compare_rows (const void *a, const void *b)
{
  return strcmp (((const struct row *) a)->name, ((const struct row *) b)->name);
}

void
fish_list_commands (void)
{
  size_t n = 0, cap = fish_builtins_len * 2 + fish_commands_len * 9;
  struct row *rows = malloc (cap * sizeof *rows);
  if (rows == NULL) {
    perror ("malloc");
    return;
  }
  for (size_t i = 0; i < fish_builtins_len; ++i) {
    const struct fish_builtin *b = &fish_builtins[i];
    if (strcmp (b->name, "help") != 0 && strcmp (b->name, "quit") != 0)
      rows[n++] = (struct row) { b->name, b->shortdesc, NULL };
    for (size_t j = 0; b->aliases[j]; ++j)
      rows[n++] = (struct row) { b->aliases[j], NULL, b->name };
  }
  for (size_t i = 0; i < fish_commands_len; ++i) {
    const struct fish_command *c = &fish_commands[i];
    rows[n++] = (struct row) { c->name, c->shortdesc, NULL };
    for (size_t j = 0; j < 8 && c->aliases[j]; ++j) {
      /* NAME-opts (the spelling of calls that gained optional arguments)
       * works and is named in the command's help, but is not listed.  */
      size_t len = strlen (c->name);
      if (strncmp (c->aliases[j], c->name, len) == 0 &&
          strcmp (c->aliases[j] + len, "-opts") == 0)
        continue;
      rows[n++] = (struct row) { c->aliases[j], NULL, c->name };
    }
  }
  qsort (rows, n, sizeof *rows, compare_rows);

  printf ("    %-20s Description\n", "Command");
  printf ("%-20s %s\n", "help", fish_find_builtin ("help")->shortdesc);
  printf ("%-20s %s\n", "quit", fish_find_builtin ("quit")->shortdesc);
  for (size_t i = 0; i < n; ++i) {
    /* An alias that is also a command's own name is not listed twice. */
    if (i > 0 && strcmp (rows[i].name, rows[i - 1].name) == 0)
      continue;
    if (rows[i].alias_of)
      printf ("%-20s alias for '%s'\n", rows[i].name, rows[i].alias_of);
    else
      printf ("%-20s %s\n", rows[i].name, rows[i].desc);
  }
  printf ("    Type 'help CMD' (or use 'guestfish -h CMD') for the help on "
          "one command.\n");
  free (rows);
}

/* Print a description indented by four spaces: ordinary paragraphs are
 * refilled to 76 columns; paragraphs whose first line is indented are
 * kept as they are (lists, tables, examples).  */
static void
print_description (const char *text)
{
  const char *p = text;
  int first = 1;

  while (*p) {
    /* One paragraph: up to a blank line. */
    const char *end = p;
    while (*end) {
      const char *nl = strchr (end, '\n');
      if (nl == NULL) {
        end += strlen (end);
        break;
      }
      const char *q = nl + 1;
      while (*q == ' ' || *q == '\t')
        q++;
      if (*q == '\n' || *q == '\0') {
        end = nl;
        break;
      }
      end = nl + 1;
    }

    if (!first)
      putchar ('\n');
    first = 0;

    if (*p == ' ' || *p == '\t') {
      for (const char *l = p; l < end;) {
        const char *nl = memchr (l, '\n', end - l);
        const char *le = nl ? nl : end;
        printf ("    %.*s\n", (int) (le - l), l);
        l = nl ? nl + 1 : end;
      }
    }
    else {
      size_t col = 0;
      for (const char *w = p; w < end;) {
        while (w < end && (*w == ' ' || *w == '\n' || *w == '\t'))
          w++;
        if (w >= end)
          break;
        const char *we = w;
        while (we < end && *we != ' ' && *we != '\n' && *we != '\t')
          we++;
        size_t len = we - w;
        if (col == 0) {
          printf ("    %.*s", (int) len, w);
          col = 4 + len;
        }
        else if (col + 1 + len > 76) {
          printf ("\n    %.*s", (int) len, w);
          col = 4 + len;
        }
        else {
          printf (" %.*s", (int) len, w);
          col += 1 + len;
        }
        w = we;
      }
      if (col)
        putchar ('\n');
    }

    /* Skip the blank lines between paragraphs. */
    p = end;
    while (*p == '\n' || *p == ' ' || *p == '\t') {
      const char *q = p;
      while (*q == ' ' || *q == '\t')
        q++;
      if (*q == '\n')
        p = q + 1;
      else if (*q == '\0')
        p = q;
      else
        break;
    }
  }
}

static void
print_help (const char *name, const char *shortdesc, const char *synopsis,
            const char *longdesc, const char *const *aliases, size_t nr_aliases)
{
  printf ("NAME\n    %s - %s\n\n", name, shortdesc);
  printf ("SYNOPSIS\n     %s\n\n", synopsis);
  printf ("DESCRIPTION\n");
  print_description (longdesc);
  if (nr_aliases > 0) {
    printf ("\n    You can also type ");
    for (size_t i = 0; i < nr_aliases; ++i)
      printf ("%s'%s'", i == 0 ? "" : i + 1 == nr_aliases ? " or " : ", ",
              aliases[i]);
    printf (" for this command.\n");
  }
  putchar ('\n');
}

int
fish_display_command_help (const char *name)
{
  const struct fish_builtin *b = fish_find_builtin (name);
  if (b) {
    size_t n = 0;
    while (b->aliases[n])
      n++;
    print_help (b->name, b->shortdesc, b->synopsis, b->longdesc,
                b->aliases, n);
    return 0;
  }

  const struct fish_command *c = fish_find_command (name);
  if (c) {
    size_t n = 0;
    while (n < 8 && c->aliases[n])
      n++;
    print_help (c->name, c->shortdesc, c->synopsis, c->longdesc,
                c->aliases, n);
    return 0;
  }

  fprintf (stderr, "%s: command not known: use -h to list all commands\n",
           name);
  return -1;
}
