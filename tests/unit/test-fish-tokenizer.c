/* Unit test of guestfish's tokenizer (fish/parse.c): quoting, escapes,
 * comments, "!cmd", "| pipeline", the '-' prefix, ':' splitting of
 * command-line words and StringList splitting.
 * Prints "ok N - ..." / "not ok N - ..." lines; exits 1 on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int test_nr, failures;

static void
report (int ok, const char *what, const char *detail)
{
  test_nr++;
  printf ("%s %d - %s\n", ok ? "ok" : "not ok", test_nr, what);
  if (!ok) {
    failures++;
    if (detail)
      printf ("# %s\n", detail);
  }
}

/* Render a parsed line as text: [-]cmd|arg|arg >pipe  or  !shell. */
static void
render (const struct fish_line *l, char *out, size_t n)
{
  size_t len = 0;
  out[0] = '\0';
#define ADD(...) len += snprintf (out + len, len < n ? n - len : 0, __VA_ARGS__)
  if (l->shell) {
    ADD ("!%s", l->shell);
    return;
  }
  if (l->ignore_errors)
    ADD ("-");
  if (l->cmd == NULL) {
    ADD ("(none)");
    return;
  }
  ADD ("%s", l->cmd);
  for (size_t i = 0; i < l->argc; ++i)
    ADD ("|%s", l->argv[i]);
  if (l->argv[l->argc] != NULL)
    ADD ("|NOT-NULL-TERMINATED");
  if (l->pipe)
    ADD (" >%s", l->pipe);
#undef ADD
}

/* expect: rendering, or "ERR:message" for a parse error. */
static void
check_line (const char *line, const char *expect)
{
  struct fish_line l;
  char *err = NULL;
  char got[1024], what[1200], detail[2400];

  if (fish_parse_line (line, &l, &err) == -1) {
    snprintf (got, sizeof got, "ERR:%s", err ? err : "(null)");
    free (err);
  }
  else {
    render (&l, got, sizeof got);
    fish_line_free (&l);
  }
  snprintf (what, sizeof what, "line [%s]", line);
  snprintf (detail, sizeof detail, "expected [%s] got [%s]", expect, got);
  report (strcmp (got, expect) == 0, what, detail);
}

/* words: the program arguments; expect: commands joined by " ; ". */
static void
check_argv (const char *what, char *const *words, size_t n, const char *expect)
{
  char got[1024] = "", one[512], detail[2200];
  size_t pos = 0;
  struct fish_line l;
  char *err;
  int r;

  while ((r = fish_next_argv_command (words, n, &pos, &l, &err)) != 0) {
    if (r == -1) {
      snprintf (one, sizeof one, "ERR:%s", err ? err : "(null)");
      free (err);
    }
    else {
      render (&l, one, sizeof one);
      fish_line_free (&l);
    }
    if (got[0])
      strncat (got, " ; ", sizeof got - strlen (got) - 1);
    strncat (got, one, sizeof got - strlen (got) - 1);
    if (r == -1)
      break;
  }
  snprintf (detail, sizeof detail, "expected [%s] got [%s]", expect, got);
  report (strcmp (got, expect) == 0, what, detail);
}

/* expect: words joined by "|", or "ERR:message". */
static void
check_list (const char *s, const char *expect)
{
  char got[1024] = "", what[600], detail[2200];
  char *err = NULL;
  char **v = fish_split_string_list (s, &err);

  if (v == NULL) {
    snprintf (got, sizeof got, "ERR:%s", err ? err : "(null)");
    free (err);
  }
  else {
    for (size_t i = 0; v[i]; ++i) {
      if (i > 0)
        strncat (got, "|", sizeof got - strlen (got) - 1);
      strncat (got, v[i][0] ? v[i] : "<>", sizeof got - strlen (got) - 1);
    }
    fish_free_string_array (v);
  }
  snprintf (what, sizeof what, "string list [%s]", s);
  snprintf (detail, sizeof detail, "expected [%s] got [%s]", expect, got);
  report (strcmp (got, expect) == 0, what, detail);
}

int
main (void)
{
  /* Words and blanks. */
  check_line ("", "(none)");
  check_line ("   \t ", "(none)");
  check_line ("echo", "echo");
  check_line ("echo a b", "echo|a|b");
  check_line ("  echo   a\t\tb   ", "echo|a|b");

  /* Comments: only at the start of a line. */
  check_line ("# a comment", "(none)");
  check_line ("   # indented comment", "(none)");
  check_line ("echo a # not a comment", "echo|a|#|not|a|comment");
  check_line ("echo \"#x\" #y", "echo|#x|#y");

  /* Double quotes and escapes. */
  check_line ("echo \"a b\"", "echo|a b");
  check_line ("echo \"\"", "echo|");
  check_line ("echo \"\" x", "echo||x");
  check_line ("echo \"a\\\"b\"", "echo|a\"b");
  check_line ("echo \"\\t\\n\\\\\"", "echo|\t\n\\");
  check_line ("echo \"\\x41\\102\"", "echo|AB");
  check_line ("echo \"\\1012\"", "echo|A2");
  check_line ("echo \"\\'\\?\"", "echo|'?");
  check_line ("echo \"\\a\\b\\f\\r\\v\"", "echo|\a\b\f\r\v");
  check_line ("echo \"\\q\"",
              "ERR:invalid escape sequence in string (starting at offset 0)");
  check_line ("echo \"ab\\e\"",
              "ERR:invalid escape sequence in string (starting at offset 2)");
  check_line ("echo \"\\x4\"",
              "ERR:invalid escape sequence in string (starting at offset 0)");
  check_line ("echo \"\\0\"",
              "ERR:invalid escape sequence in string (starting at offset 0)");
  check_line ("echo \"abc", "ERR:unterminated double quote");

  /* Single quotes: literal. */
  check_line ("echo 'a\\nb'", "echo|a\\nb");
  check_line ("echo 'a \"b\" c'", "echo|a \"b\" c");
  check_line ("echo ''", "echo|");
  check_line ("echo 'abc", "ERR:unterminated single quote");

  /* A closing quote must end the word; quotes inside a word are literal. */
  check_line ("echo \"a\"b", "ERR:command arguments not separated by whitespace");
  check_line ("echo 'it''s'", "ERR:command arguments not separated by whitespace");
  check_line ("echo a\"b c\"d", "echo|a\"b|c\"d");
  check_line ("echo a'b'", "echo|a'b'");
  check_line ("\"echo\" x", "echo|x");

  /* Shell escapes. */
  check_line ("!echo hi ; echo two", "!echo hi ; echo two");
  check_line ("  !ls", "!ls");
  check_line ("!", "!");

  /* Pipes: a word starting with '|' outside quotes. */
  check_line ("echo pipe | tr a-z A-Z", "echo|pipe > tr a-z A-Z");
  check_line ("echo a |cat", "echo|a >cat");
  check_line ("echo a| cat", "echo|a||cat");
  check_line ("echo 'a | b'", "echo|a | b");
  check_line ("echo \"x\" | cat", "echo|x > cat");
  check_line ("echo a || cat", "echo|a >| cat");
  check_line ("echo hi |", "echo|hi >");

  /* The '-' prefix. */
  check_line ("-nosuch", "-nosuch");
  check_line ("- echo hi", "-echo|hi");
  check_line ("  -echo a b", "-echo|a|b");
  check_line ("-", "-(none)");
  check_line ("echo -", "echo|-");
  check_line ("echo -x", "echo|-x");

  /* Program arguments split at ':' words. */
  {
    char *w[] = { "echo", "a", ":", "echo", "b c" };
    check_argv ("argv two commands", w, 5, "echo|a ; echo|b c");
  }
  {
    char *w[] = { "echo", "a:", "echo", "b" };
    check_argv ("argv colon inside a word", w, 4, "echo|a:|echo|b");
  }
  {
    char *w[] = { "echo", "a", ":" };
    check_argv ("argv trailing colon", w, 3, "echo|a");
  }
  {
    char *w[] = { "echo", "a", ":", ":", "echo", "b" };
    check_argv ("argv empty command", w, 6,
                "echo|a ; ERR:empty command on command line");
  }
  {
    char *w[] = { ":", "echo", "b" };
    check_argv ("argv leading colon", w, 3,
                "ERR:empty command on command line");
  }
  {
    char *w[] = { "-nosuch", ":", "echo", "hi" };
    check_argv ("argv dash prefix", w, 4, "-nosuch ; echo|hi");
  }
  {
    char *w[] = { "echo", "\"a b\"", "'c'", "|", "x" };
    check_argv ("argv words are not re-parsed", w, 5,
                "echo|\"a b\"|'c'|||x");
  }
  {
    char *w[] = { "!echo hi" };
    check_argv ("argv no shell escapes", w, 1, "!echo hi");
  }
  check_argv ("argv nothing", NULL, 0, "");

  /* StringList values. */
  check_list ("a b   c", "a|b|c");
  check_list ("", "");
  check_list ("   a", "a");
  check_list ("a 'b c' d", "a|b c|d");
  check_list ("a \"b c\" d", "a|\"b|c\"|d");
  check_list ("x'y z'", "xy z");
  check_list ("'a'b'c' d'' ''", "abc|d|<>");
  check_list ("'a\\'b' c", "a'b|c");
  check_list ("a\\ b", "a\\|b");
  check_list ("'", "ERR:Runaway quote in string \"'\"");

  printf ("1..%d\n", test_nr);
  if (failures) {
    printf ("# %d of %d tests failed\n", failures, test_nr);
    return 1;
  }
  return 0;
}
