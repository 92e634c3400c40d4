/* Hatch guestfish: declarations shared by the hand-written files and the
 * generated command table (cmds-gen.c, from generator/gen_fish.py).  */
#ifndef FISH_H_
#define FISH_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "guestfs.h"
#include "parse.h"

/* ---- The session (session.c): what every module may use ----
 *
 * fish.c (options, the dispatcher, the command loops) uses the other
 * modules; they use this interface, never fish.c itself. */

/* The one handle guestfish works on. */
extern guestfs_h *g;

/* Set by "quit"/"exit": stop reading commands. */
extern int fish_quit;

/* Where the command lines of a script are read from ('-<<END'). */
extern FILE *fish_input;

/* Guest path completion is turned off by --no-dest-paths. */
extern int fish_complete_dest_paths;

/* Where the command being run came from, for error messages in scripts:
 * "FILE:LINE: libguestfs: error: ...".  At a terminal no location is
 * shown (show is 0).  Command-line commands count as line 0 of standard
 * input.  */
struct fish_location {
  int show;
  const char *file;
  int line;
};
extern struct fish_location fish_location;

struct fish_line;
/* The dispatcher the main program registers (before running anything). */
struct fish_dispatcher {
  /* Look a command up (builtin or table; dashes or underscores; aliases;
   * any letter case) and run it.  Returns 0, or -1 on error.  */
  int (*dispatch) (const char *cmd, size_t argc, char *argv[]);
  /* Run one parsed line: shell escape, pipe, error-ignoring prefix.
   * Returns 0, or -1 when the command failed (and the error counts). */
  int (*execute) (const struct fish_line *l);
};
extern void fish_set_dispatcher (const struct fish_dispatcher *d);
/* Through the registered dispatcher. */
extern int fish_dispatch (const char *cmd, size_t argc, char *argv[]);
extern int fish_execute (const struct fish_line *l);

/* Where Key arguments come from when not from the terminal or standard
 * input: the --remote server registers one (the key the client sent). */
typedef char *(*fish_key_source) (const char *param);
extern void fish_set_key_source (fish_key_source source);
extern fish_key_source fish_get_key_source (void);

/* ---- The generated command table and its helpers ---- */

/* One entry of the generated table: an API action as a guestfish
 * command.  Names use dashes; the user may type '_' instead.  */
struct fish_command {
  const char *name;
  const char *aliases[8];      /* NULL-terminated */
  const char *shortdesc;
  const char *synopsis;
  const char *longdesc;
  int (*run) (const char *cmd, size_t argc, char *argv[]);
  int nr_required;
  int nr_optional;
  int filein_arg;              /* index of the FileIn argument, or -1 */
  const char *key_args;        /* names of the Key arguments, space-separated */
};

extern const struct fish_command fish_commands[];
extern const size_t fish_commands_len;

/* Helpers called by the generated run_NAME functions (util.c). */

/* "error: incorrect number of arguments" and the usage lines. */
extern void fish_usage_error (const char *cmd, const char *synopsis);

/* Pathname arguments.  guestfish accepts "win:C:\dir\file" style paths;
 * until drive-letter mapping needs inspection (not available yet) this
 * only turns "win:\a\b" (no drive letter, or C:) into "/a/b"; any other
 * path is returned unchanged (as a malloc'd copy).  NULL on error. */
extern char *fish_win_path (const char *path);

/* FileIn: "-" means standard input ("/dev/stdin"). */
extern char *fish_file_in (const char *arg);
extern void fish_free_file_in (char *);

/* FileOut: "-" means standard output ("/dev/stdout"); stdout is flushed
 * first so earlier output comes before the file's contents.  */
extern char *fish_file_out (const char *arg);

/* Key arguments are not typed on the command line: each one is asked
 * for on /dev/tty (no echo unless --echo-keys), or read as one line of
 * standard input with --keys-from-stdin.  NULL (after a message) when
 * there is no key.  fish_free_key wipes and frees it.  */
extern char *fish_read_key (const char *param);
extern void fish_free_key (char *key);
extern int fish_keys_from_stdin, fish_echo_keys;

/* StringList arguments: space-separated words with '...' quoting.
 * Prints the error and returns NULL on a bad string.  */
extern char **fish_parse_string_list (const char *s);
/* Takes char *const * so it can free optional-argument lists too. */
extern void fish_free_strings (char *const *);

/* 1 for true/t/yes/y/on/1, 0 for false/f/no/n/off/0 (any case), else -1. */
extern int fish_is_true (const char *s);

/* Integers: decimal, 0x hex or 0 octal.  Print guestfish's message and
 * return -1 when the string is not a number or out of range.  */
extern int fish_parse_int (const char *cmd, const char *argname,
                           const char *s, int *r);
extern int fish_parse_int64 (const char *cmd, const char *argname,
                             const char *s, int64_t *r);

/* Result printers. */
extern void fish_print_strings (char *const *);   /* one per line */
extern void fish_print_table (char *const *);     /* "key: value" lines */
extern void fish_print_buffer_escaped (const char *buf, size_t len);

/* The rest is guestfish's own modules (builtins.c, rl.c, events.c ...). */

/* Built-in commands that are not API actions. */
struct fish_builtin {
  const char *name;
  const char *aliases[4];
  const char *shortdesc;
  const char *synopsis;
  const char *longdesc;
  int (*run) (const char *cmd, size_t argc, char *argv[]);
};
extern const struct fish_builtin fish_builtins[];
extern const size_t fish_builtins_len;

/* Find a table entry by name or alias; NULL if none. */
extern const struct fish_command *fish_find_command (const char *name);
extern const struct fish_builtin *fish_find_builtin (const char *name);

/* Help. */
extern void fish_list_commands (void);
extern int fish_display_command_help (const char *name);  /* -1 if unknown */

/* Interactive shell (rl.c). */
extern void fish_interactive (void);
extern char *fish_remote_readline (void);
extern const char *fish_next_completion (const char *text, int state);

/* Handle setup shared by startup and 'reopen', and error messages
 * (events.c). */
extern void fish_setup_handle (guestfs_h *h);
extern void fish_forget_event_handlers (void);
extern void fish_error_handler (guestfs_h *h, void *opaque, const char *msg);
/* An error of guestfish's own, printed like the library's errors
 * ("FILE:LINE: libguestfs: error: ..." in scripts).  */
extern void fish_error (const char *fs, ...)
  __attribute__((format (printf, 1, 2)));

/* Progress bars (events.c): on when fish_progress_bars is set. */
extern int fish_progress_bars;
extern void fish_enable_progress_bars (guestfs_h *h);
extern void fish_progress_end (void);
/* Called before each command: bars appear only ~2 s after this. */
extern void fish_progress_begin (void);

/* Create FILENAME of SIZE bytes, allocated or sparse (extras.c). */
extern int fish_create_image (const char *filename, int64_t size, int sparse);

/* -N prepared disks (prep.c). */
extern void fish_prep_list (void);
extern int fish_prep_parse (const char *arg, int index, void **out);
extern int fish_prep_create (void *prep);   /* before launch */
extern int fish_prep_format (void *prep, int drive_index); /* after launch */
extern void fish_prep_free (void *prep);

/* --listen / --remote (remote.c). */
extern int fish_remote_listen (int csh, int (*startup) (void));
extern int fish_remote_send (int pid, char *const *words, size_t nwords);
/* In the server: the next key the client sent with the request (the
 * server registers it as the key source, see fish_set_key_source). */
extern char *fish_remote_next_key (const char *param);

/* Builtins in other files. */
#define FISH_BUILTIN(n) \
  extern int fish_run_##n (const char *cmd, size_t argc, char *argv[])
FISH_BUILTIN (event);
FISH_BUILTIN (delete_event);
FISH_BUILTIN (list_events);
FISH_BUILTIN (alloc);
FISH_BUILTIN (sparse);
FISH_BUILTIN (reopen);
FISH_BUILTIN (supported);
FISH_BUILTIN (glob);
FISH_BUILTIN (copy_in);
FISH_BUILTIN (copy_out);
FISH_BUILTIN (edit);
FISH_BUILTIN (more);
FISH_BUILTIN (display);
FISH_BUILTIN (hexedit);

#endif /* FISH_H_ */
