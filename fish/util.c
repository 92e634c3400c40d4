/* Hatch guestfish: argument parsing and result printing helpers used by
 * the generated command table.  */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "fish.h"
#include "termsafe.h"

void
fish_usage_error (const char *cmd, const char *synopsis)
{
  fprintf (stderr, "error: incorrect number of arguments\n");
  fprintf (stderr, "usage: %s\n", synopsis);
  fprintf (stderr, "type 'help %s' for more help on %s\n", cmd, cmd);
}

static const char *
mounted_at (char **mps, const char *dev)
{
  for (size_t j = 0; mps && mps[j] && mps[j + 1]; j += 2)
    if (strcmp (mps[j], dev) == 0)
      return mps[j + 1];
  return NULL;
}

/* Where the filesystem holding drive letter d is mounted, from the drive
 * mappings of the inspected roots (those mounted first: with several
 * Windows guests, C: is the one being looked at) and the current mounts;
 * NULL (after printing why) if unknown. */
static char *
win_drive_mountpoint (char d)
{
  char *dev = NULL, *r = NULL;
  char **roots = guestfs_inspect_get_roots (g);
  char **mps = guestfs_mountpoints (g);
  for (int pass = 0; pass < 2 && dev == NULL; ++pass)
    for (size_t i = 0; roots && roots[i] && dev == NULL; ++i) {
      if (pass == 0 && mounted_at (mps, roots[i]) == NULL)
        continue;
      char **m = guestfs_inspect_get_drive_mappings (g, roots[i]);
      for (size_t j = 0; m && m[j] && m[j + 1]; j += 2)
        if (dev == NULL && strlen (m[j]) == 1 &&
            toupper ((unsigned char) m[j][0]) == toupper ((unsigned char) d))
          dev = strdup (m[j + 1]);
      fish_free_strings (m);
    }
  fish_free_strings (roots);
  if (dev == NULL) {
    fprintf (stderr, "guestfish: drive '%c:' not found: inspect the guest "
             "first (guestfish -i, or inspect-os), or leave out the drive "
             "letter\n", d);
    fish_free_strings (mps);
    return NULL;
  }
  const char *at = mounted_at (mps, dev);
  if (at)
    r = strdup (at);
  else
    fprintf (stderr, "guestfish: drive '%c:' (%s) is not mounted\n", d, dev);
  fish_free_strings (mps);
  free (dev);
  return r;
}

/* "win:[D:]\dir\file": Windows drive letter and backslashes, case
 * ignored; resolved with case-sensitive-path. */
char *
fish_win_path (const char *path)
{
  char *r;

  if (strncasecmp (path, "win:", 4) != 0) {
    r = strdup (path);
    if (r == NULL)
      perror ("strdup");
    return r;
  }

  path += 4;
  char *mp = NULL;
  if (isalpha ((unsigned char) path[0]) && path[1] == ':') {
    mp = win_drive_mountpoint (path[0]);
    if (mp == NULL)
      return NULL;
    path += 2;
  }
  const char *prefix = mp && strcmp (mp, "/") != 0 ? mp : "";
  char *p = malloc (strlen (prefix) + strlen (path) + 2);
  if (p == NULL) {
    perror ("malloc");
    free (mp);
    return NULL;
  }
  char *q = stpcpy (p, prefix);
  if (path[0] != '\\' && path[0] != '/')
    *q++ = '/';
  for (; *path; ++path)
    *q++ = *path == '\\' ? '/' : *path;
  *q = '\0';
  free (mp);
  r = guestfs_case_sensitive_path (g, p);
  free (p);
  return r;
}

/* The temporary files made for "-<<END" arguments, removed by
 * fish_free_file_in.  */
static struct heredoc {
  char *path;
  struct heredoc *next;
} *heredocs;

/* "-<<END": the lines that follow in the script (or on standard input),
 * up to a line that is exactly END, go into a temporary file.  */
static char *
read_heredoc (const char *marker)
{
  if (*marker == '\0') {
    fprintf (stderr, "guestfish: -<<: the end marker is missing\n");
    return NULL;
  }
  const char *tmpdir = getenv ("TMPDIR");
  if (tmpdir == NULL || *tmpdir == '\0')
    tmpdir = "/tmp";
  char *path;
  if (asprintf (&path, "%s/guestfishXXXXXX", tmpdir) == -1) {
    perror ("asprintf");
    return NULL;
  }
  int fd = mkostemp (path, O_CLOEXEC);
  if (fd == -1) {
    perror (path);
    free (path);
    return NULL;
  }
  FILE *out = fdopen (fd, "w");
  if (out == NULL) {
    perror ("fdopen");
    close (fd);
    goto fail;
  }
  FILE *in = fish_input ? fish_input : stdin;
  char *line = NULL;
  size_t n = 0;
  ssize_t len;
  int found = 0;
  size_t mlen = strlen (marker);
  while ((len = getline (&line, &n, in)) != -1) {
    size_t l = len;
    if (l > 0 && line[l - 1] == '\n')
      l--;
    if (l == mlen && memcmp (line, marker, mlen) == 0) {
      found = 1;
      break;
    }
    if (fwrite (line, 1, len, out) != (size_t) len)
      break;
  }
  free (line);
  if (fclose (out) == EOF) {
    perror (path);
    goto fail;
  }
  if (!found) {
    fprintf (stderr, "guestfish: end of input reached without finding "
             "the end marker '%s'\n", marker);
    goto fail;
  }
  struct heredoc *h = malloc (sizeof *h);
  if (h == NULL) {
    perror ("malloc");
    goto fail;
  }
  h->path = path;
  h->next = heredocs;
  heredocs = h;
  return strdup (path);

 fail:
  unlink (path);
  free (path);
  return NULL;
}

char *
fish_file_in (const char *arg)
{
  if (strncmp (arg, "-<<", 3) == 0)
    return read_heredoc (arg + 3);
  char *r = strdup (strcmp (arg, "-") == 0 ? "/dev/stdin" : arg);
  if (r == NULL)
    perror ("strdup");
  return r;
}

void
fish_free_file_in (char *s)
{
  if (s == NULL)
    return;
  for (struct heredoc **pp = &heredocs; *pp; pp = &(*pp)->next)
    if (strcmp ((*pp)->path, s) == 0) {
      struct heredoc *h = *pp;
      *pp = h->next;
      unlink (h->path);
      free (h->path);
      free (h);
      break;
    }
  free (s);
}

char *
fish_file_out (const char *arg)
{
  if (strcmp (arg, "-") == 0) {
    fflush (stdout);
    arg = "/dev/stdout";
  }
  char *r = strdup (arg);
  if (r == NULL)
    perror ("strdup");
  return r;
}

char **
fish_parse_string_list (const char *s)
{
  char *err;
  char **r = fish_split_string_list (s, &err);
  if (r == NULL) {
    fprintf (stderr, "%s\n", err ? err : strerror (ENOMEM));
    free (err);
  }
  return r;
}

void
fish_free_strings (char *const *v)
{
  fish_free_string_array ((char **) v);
}

int
fish_is_true (const char *s)
{
  static const char *const yes[] = { "true", "t", "yes", "y", "on", "1" };
  static const char *const no[] = { "false", "f", "no", "n", "off", "0" };

  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; ++i)
    if (strcasecmp (s, yes[i]) == 0)
      return 1;
  for (size_t i = 0; i < sizeof no / sizeof no[0]; ++i)
    if (strcasecmp (s, no[i]) == 0)
      return 0;
  return -1;
}

/* Status codes in the style of gnulib's xstrtoll, which the original
 * tool's messages quote: 0 ok, 1 overflow, 2 junk after the number,
 * 3 both, 4 no number at all.  A number may carry a size suffix:
 * k/K, M, G, T, P, E, Z, Y (powers of 1024), optionally followed by
 * "iB" (also 1024) or "B"/"D" (powers of 1000 instead).  */
static int
parse_ll (const char *s, long long *r)
{
  static const char suffixes[] = "kKMGTPEZY";
  char *end;
  int code = 0;

  errno = 0;
  *r = strtoll (s, &end, 0);
  if (end == s)
    return 4;
  if (errno == ERANGE)
    code = 1;
  if (*end == '\0')
    return code;

  const char *q = strchr (suffixes, *end);
  if (*end == '\0' || q == NULL)
    return code | 2;
  int power = q == suffixes ? 1 : (int) (q - suffixes);
  int base = 1024;
  end++;
  if (end[0] == 'i' && end[1] == 'B')
    end += 2;
  else if (end[0] == 'B' || end[0] == 'D') {
    base = 1000;
    end++;
  }
  for (int i = 0; i < power; ++i) {
    if (__builtin_mul_overflow (*r, (long long) base, r)) {
      *r = *r < 0 ? INT64_MIN : INT64_MAX;
      code |= 1;
      break;
    }
  }
  if (*end != '\0')
    code |= 2;
  return code;
}

int
fish_parse_int64 (const char *cmd, const char *argname, const char *s,
                  int64_t *r)
{
  long long v;
  int code = parse_ll (s, &v);
  if (code != 0) {
    fprintf (stderr, "%s: %s: invalid integer parameter (xstrtoll returned %d)\n",
             cmd, argname, code);
    return -1;
  }
  *r = v;
  return 0;
}

int
fish_parse_int (const char *cmd, const char *argname, const char *s, int *r)
{
  int64_t v;
  if (fish_parse_int64 (cmd, argname, s, &v) == -1)
    return -1;
  if (v > INT32_MAX || v < INT32_MIN) {
    fprintf (stderr, "%s: %s: integer out of range\n", cmd, argname);
    return -1;
  }
  *r = (int) v;
  return 0;
}

void
fish_print_strings (char *const *v)
{
  /* Lists are mostly guest names (ls, find, glob): escaped on a terminal. */
  for (size_t i = 0; v[i] != NULL; ++i) {
    term_put_guest (stdout, v[i], NULL);
    putchar ('\n');
  }
}

void
fish_print_table (char *const *v)
{
  for (size_t i = 0; v[i] != NULL && v[i + 1] != NULL; i += 2) {
    term_put_guest (stdout, v[i], NULL);
    fputs (": ", stdout);
    term_put_guest (stdout, v[i + 1], NULL);
    putchar ('\n');
  }
}

void
fish_print_buffer_escaped (const char *buf, size_t len)
{
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = buf[i];
    if (c >= 0x20 && c < 0x7f)
      putchar (c);
    else
      printf ("\\x%02x", c);
  }
}

/* ---- Key arguments ------------------------------------------------------ */

int fish_keys_from_stdin, fish_echo_keys;

char *
fish_read_key (const char *param)
{
  FILE *in = stdin;
  FILE *tty = NULL;
  struct termios saved;
  int restore = 0;

  /* guestfish --remote: the client asked for the key and sent it. */
  fish_key_source source = fish_get_key_source ();
  if (source)
    return source (param);

  if (!fish_keys_from_stdin) {
    tty = fopen ("/dev/tty", "r+e");
    if (tty == NULL) {
      fprintf (stderr, "guestfish: cannot ask for the key \"%s\": "
               "/dev/tty: %s (use --keys-from-stdin)\n", param,
               strerror (errno));
      return NULL;
    }
    in = tty;
    /* Echo goes off before the prompt shows, so nothing typed after
     * the prompt can be echoed.  */
    if (!fish_echo_keys && tcgetattr (fileno (tty), &saved) == 0) {
      struct termios noecho = saved;
      noecho.c_lflag &= ~(tcflag_t) ECHO;
      restore = tcsetattr (fileno (tty), TCSANOW, &noecho) == 0;
    }
    fprintf (tty, "Enter key or passphrase (\"%s\"): ", param);
    fflush (tty);
  }

  char *line = NULL;
  size_t n = 0;
  ssize_t len = getline (&line, &n, in);
  if (restore) {
    tcsetattr (fileno (tty), TCSANOW, &saved);
    fputc ('\n', tty);         /* the newline typed was not echoed */
  }
  if (tty)
    fclose (tty);
  if (len == -1) {
    free (line);
    fprintf (stderr, "guestfish: no key or passphrase was given for \"%s\"\n",
             param);
    return NULL;
  }
  if (len > 0 && line[len - 1] == '\n')
    line[--len] = '\0';
  return line;
}

void
fish_free_key (char *key)
{
  if (key) {
    explicit_bzero (key, strlen (key));
    free (key);
  }
}
