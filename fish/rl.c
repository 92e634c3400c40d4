/* Hatch guestfish: the interactive shell (GNU readline: line editing,
 * history kept in ~/.guestfish, completion of command names).  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "fish.h"

#define PROMPT "><fs> "
#define HISTORY_LINES 500

/* Completion candidates: builtins, API commands and all their aliases.
 * Matching treats '_' like '-' and ignores case, so "part_d" offers
 * "part-disk".  */
static int
prefix_eq (const char *prefix, const char *name)
{
  for (; *prefix; ++prefix, ++name) {
    char x = *prefix == '_' ? '-' : *prefix;
    if (x >= 'A' && x <= 'Z')
      x += 'a' - 'A';
    if (x != *name)
      return 0;
  }
  return 1;
}

const char *
fish_next_completion (const char *text, int state)
{
  static size_t bi, bj, ci, cj;
  if (state == 0)
    bi = bj = ci = cj = 0;

  for (; bi < fish_builtins_len; bi++, bj = 0) {
    const struct fish_builtin *b = &fish_builtins[bi];
    /* bj == 0: the name itself; bj > 0: aliases[bj - 1]. */
    while (bj == 0 || b->aliases[bj - 1] != NULL) {
      const char *name = bj == 0 ? b->name : b->aliases[bj - 1];
      bj++;
      if (prefix_eq (text, name))
        return name;
    }
  }
  for (; ci < fish_commands_len; ci++, cj = 0) {
    const struct fish_command *c = &fish_commands[ci];
    while (cj == 0 || (cj <= 8 && c->aliases[cj - 1] != NULL)) {
      const char *name = cj == 0 ? c->name : c->aliases[cj - 1];
      cj++;
      if (prefix_eq (text, name))
        return name;
    }
  }
  return NULL;
}

static char *
command_generator (const char *text, int state)
{
  const char *name = fish_next_completion (text, state);
  return name ? strdup (name) : NULL;
}

static char **
complete (const char *text, int start, int end)
{
  (void) end;
  /* The command word: nothing but blanks (or the '-' prefix) before it. */
  for (int i = 0; i < start; ++i) {
    char c = rl_line_buffer[i];
    if (c != ' ' && c != '\t' && c != '-')
      return NULL;  /* an argument: readline completes host file names */
  }
  rl_attempted_completion_over = 1;
  return rl_completion_matches (text, command_generator);
}

static char *
history_path (void)
{
  const char *home = getenv ("HOME");
  char *path;
  if (home == NULL || *home == '\0')
    return NULL;
  if (asprintf (&path, "%s/.guestfish", home) == -1)
    return NULL;
  return path;
}

void
fish_interactive (void)
{
  char *hist = history_path ();

  rl_readline_name = "guestfish";
  rl_attempted_completion_function = complete;
  using_history ();
  if (hist)
    read_history (hist);

  printf ("\n"
          "Welcome to guestfish, the shell for looking inside and changing\n"
          "virtual machine disk images and their filesystems.\n"
          "\n"
          "Type: 'help' for help with the commands\n"
          "      'man' to read the manual\n"
          "      'quit' to leave the shell\n"
          "\n");

  char *last = NULL;
  while (!fish_quit) {
    char *line = readline (PROMPT);
    if (line == NULL) {        /* end of input (^D) */
      putchar ('\n');
      break;
    }

    /* Keep non-blank lines, but not the same line twice in a row. */
    const char *p = line + strspn (line, " \t");
    if (*p && (last == NULL || strcmp (last, line) != 0)) {
      add_history (line);
      free (last);
      last = strdup (line);
    }

    struct fish_line l;
    char *err;
    if (fish_parse_line (line, &l, &err) == -1) {
      fprintf (stderr, "guestfish: %s\n", err ? err : "out of memory");
      free (err);
    }
    else {
      fish_execute (&l);     /* errors were reported; carry on */
      fish_line_free (&l);
    }
    free (line);
  }
  free (last);

  if (hist) {
    write_history (hist);
    history_truncate_file (hist, HISTORY_LINES);
    free (hist);
  }
}
