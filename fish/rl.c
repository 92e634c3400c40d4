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

/* A name is offered in the spelling being typed: "part_d" completes to
 * "part_disk", "part-d" to "part-disk" (readline replaces the word with
 * the match, which must start with what was typed).  */
static char *
command_generator (const char *text, int state)
{
  const char *name = fish_next_completion (text, state);
  if (name == NULL)
    return NULL;
  char *r = strdup (name);
  if (r && strchr (text, '_'))
    for (char *p = r; *p; ++p)
      if (*p == '-')
        *p = '_';
  return r;
}

/* Candidates for an argument: device names for "/dev/...", guest paths
 * for other absolute paths (unless --no-dest-paths).  Filled once per
 * completion attempt (state 0), then handed out one by one.  */
static char **arg_candidates;
static size_t arg_next;

struct cand {
  char **v;
  size_t n, cap;
};

static void
add_candidate (struct cand *c, char *s)
{
  if (s == NULL)
    return;
  if (c->n + 2 > c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 16;
    char **v = realloc (c->v, cap * sizeof *v);
    if (v == NULL) {
      free (s);
      return;
    }
    c->v = v;
    c->cap = cap;
  }
  c->v[c->n++] = s;
  c->v[c->n] = NULL;
}

static void
collect_candidates (const char *text)
{
  struct cand c = { NULL, 0, 0 };
  fish_free_strings (arg_candidates);
  arg_candidates = NULL;
  arg_next = 0;
  if (guestfs_is_ready (g) <= 0)
    return;

  guestfs_push_error_handler (g, NULL, NULL);
  if (strncmp (text, "/dev/", 5) == 0 || strncmp ("/dev/", text, strlen (text)) == 0) {
    char **lists[3] = { guestfs_list_devices (g), guestfs_list_partitions (g),
#ifdef GUESTFS_HAVE_LVS
                        guestfs_lvs (g)
#else
                        NULL
#endif
    };
    for (int l = 0; l < 3; ++l) {
      for (size_t i = 0; lists[l] && lists[l][i]; ++i)
        if (strncmp (lists[l][i], text, strlen (text)) == 0)
          add_candidate (&c, strdup (lists[l][i]));
      fish_free_strings (lists[l]);
    }
  }
  if (fish_complete_dest_paths && text[0] == '/') {
    const char *slash = strrchr (text, '/');
    char *dir = strndup (text, slash - text);
    const char *stem = slash + 1;
    char **names = dir ? guestfs_ls (g, *dir ? dir : "/") : NULL;
    for (size_t i = 0; names && names[i]; ++i) {
      if (strncmp (names[i], stem, strlen (stem)) != 0)
        continue;
      char *full;
      if (asprintf (&full, "%s/%s", dir, names[i]) == -1)
        continue;
      int isdir = guestfs_is_dir (g, full) == 1;
      char *cand;
      if (asprintf (&cand, "%s%s", full, isdir ? "/" : "") != -1)
        add_candidate (&c, cand);
      free (full);
    }
    fish_free_strings (names);
    free (dir);
  }
  guestfs_pop_error_handler (g);
  arg_candidates = c.v;
}

static char *
argument_generator (const char *text, int state)
{
  if (state == 0)
    collect_candidates (text);
  if (arg_candidates && arg_candidates[arg_next])
    return strdup (arg_candidates[arg_next++]);
  return NULL;
}

static char **
complete (const char *text, int start, int end)
{
  (void) end;
  /* The command word: nothing but blanks (or the '-' prefix) before it. */
  int command_word = 1;
  for (int i = 0; i < start; ++i) {
    char c = rl_line_buffer[i];
    if (c != ' ' && c != '\t' && c != '-')
      command_word = 0;
  }
  if (command_word) {
    rl_attempted_completion_over = 1;
    return rl_completion_matches (text, command_generator);
  }
  /* Guest paths and devices; anything else: host file names. */
  if (text[0] == '/') {
    char **m = rl_completion_matches (text, argument_generator);
    if (m) {
      rl_attempted_completion_over = 1;
      /* A directory gets no space after it, so one can go on typing. */
      size_t len = strlen (m[0]);
      if (m[1] == NULL && len > 0 && m[0][len - 1] == '/')
        rl_completion_append_character = '\0';
      return m;
    }
  }
  return NULL;
}

/* GUESTFISH_PS1 and friends: \\ \[ \] \a \e \n \r \NNN \xNN. */
static char *
decode_prompt (const char *s, int for_readline)
{
  size_t len = strlen (s);
  char *r = malloc (len + 1), *q = r;
  if (r == NULL)
    return NULL;
  while (*s) {
    if (*s != '\\' || s[1] == '\0') {
      *q++ = *s++;
      continue;
    }
    s++;
    switch (*s) {
    case '\\': *q++ = '\\'; s++; break;
    case '[': if (for_readline) *q++ = RL_PROMPT_START_IGNORE; s++; break;
    case ']': if (for_readline) *q++ = RL_PROMPT_END_IGNORE; s++; break;
    case 'a': *q++ = '\a'; s++; break;
    case 'e': *q++ = 033; s++; break;
    case 'n': *q++ = '\n'; s++; break;
    case 'r': *q++ = '\r'; s++; break;
    case 'x': {
      int v = 0, n = 0;
      s++;
      while (n < 2 && ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
                       (*s >= 'A' && *s <= 'F'))) {
        v = v * 16 + (*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
        s++;
        n++;
      }
      *q++ = n ? (char) v : 'x';
      break;
    }
    default:
      if (*s >= '0' && *s <= '7') {
        int v = 0, n = 0;
        while (n < 3 && *s >= '0' && *s <= '7') {
          v = v * 8 + (*s++ - '0');
          n++;
        }
        *q++ = (char) v;
      }
      else {            /* unknown escape: keep it as it is */
        *q++ = '\\';
        *q++ = *s++;
      }
    }
  }
  *q = '\0';
  return r;
}

static void
print_env_string (const char *var)
{
  const char *v = getenv (var);
  if (v == NULL)
    return;
  char *d = decode_prompt (v, 0);
  if (d) {
    fputs (d, stdout);
    fflush (stdout);
    free (d);
  }
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

/* guestfish --remote at a terminal: one line read with the prompt
 * (GUESTFISH_PS1 or the usual one) and kept in the session's history.
 * There is no handle here, so no guest completion.  NULL at the end of
 * input.  */
char *
fish_remote_readline (void)
{
  static char *prompt;
  static int ready;
  if (!ready) {
    const char *ps1 = getenv ("GUESTFISH_PS1");
    prompt = ps1 ? decode_prompt (ps1, 1) : NULL;
    rl_readline_name = "guestfish";
    using_history ();
    ready = 1;
  }
  char *line = readline (prompt ? prompt : PROMPT);
  if (line && line[strspn (line, " \t")])
    add_history (line);
  return line;
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

  const char *ps1 = getenv ("GUESTFISH_PS1");
  char *prompt = ps1 ? decode_prompt (ps1, 1) : NULL;

  print_env_string ("GUESTFISH_INIT");
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
    char *line = readline (prompt ? prompt : PROMPT);
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

    print_env_string ("GUESTFISH_OUTPUT");
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
  free (prompt);
  print_env_string ("GUESTFISH_RESTORE");

  if (hist) {
    write_history (hist);
    history_truncate_file (hist, HISTORY_LINES);
    free (hist);
  }
}
