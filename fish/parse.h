/* Hatch guestfish: the command-line tokenizer.
 *
 * This file has no dependency on the library so that the unit test
 * (tests/unit/test-fish-tokenizer.c) can link parse.c on its own.  */
#ifndef FISH_PARSE_H_
#define FISH_PARSE_H_

#include <stddef.h>

/* One command, as read from a script line or from the command line.  */
struct fish_line {
  int ignore_errors;   /* the command was prefixed with '-' */
  char *shell;         /* "!cmd" line: the text after '!' (maybe ""), else NULL */
  int shell_inline;    /* "<!cmd" line: run shell, then run its output as commands */
  char *cmd;           /* command name, NULL for a blank or comment line */
  size_t argc;         /* number of arguments after the command name */
  char **argv;         /* the arguments, NULL-terminated (never NULL when cmd is set) */
  char *pipe;          /* "cmd args | pipeline": the pipeline text, else NULL */
};

/* Split one script (or interactive) line into a command.
 *
 *   - leading whitespace is skipped; '#' starts a comment line;
 *   - '!' runs the rest of the line in the shell; '<!' does the same and
 *     then runs the shell command's output as guestfish commands;
 *   - an unquoted word starting with '~' has "~" or "~user" replaced by
 *     that user's home directory (left alone when the user is unknown);
 *   - a leading '-' means "ignore errors from this command";
 *   - words are separated by spaces and tabs;
 *   - a word opening with " is a C-like string (\n \t \" \\ \xHH \OOO ...),
 *     a word opening with ' is taken literally up to the next ';
 *     a quoted word must be followed by whitespace or the end of line;
 *     quotes in the middle of an unquoted word are ordinary characters;
 *   - an unquoted word starting with '|' sends the command's output to
 *     the shell pipeline made of the rest of the line.
 *
 * Returns 0 on success, or -1 with *err set to a malloc'd message (no
 * "guestfish: " prefix, no newline); r->ignore_errors is still set then
 * when the line had the '-' prefix.  On success free *r with
 * fish_line_free.  */
extern int fish_parse_line (const char *line, struct fish_line *r, char **err);

/* Commands given as program arguments: words[*pos ..] up to the next
 * word that is exactly ":".  Each word is one argument (no quoting or
 * splitting).  A leading '-' on the command name ignores its errors.
 *
 * Returns 1 and fills *r (advancing *pos) when a command was found,
 * 0 when the words are used up, -1 with *err set when the next command
 * is empty (": :").  */
extern int fish_next_argv_command (char *const *words, size_t nwords,
                                   size_t *pos, struct fish_line *r,
                                   char **err);

extern void fish_line_free (struct fish_line *r);

/* Split the value of a StringList argument into words: whitespace
 * separates words, single quotes group (with backslash escaping the next
 * character inside them), and several quoted/unquoted parts touching each
 * other join into one word.  Returns a NULL-terminated malloc'd array, or
 * NULL with *err set on an unterminated quote.  */
extern char **fish_split_string_list (const char *s, char **err);

extern void fish_free_string_array (char **);

#endif /* FISH_PARSE_H_ */
