/* See pgp.h. */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "pgp.h"
#include "util.h"

char *
builder_pgp_normalize (const char *fpr)
{
  char *r = malloc (strlen (fpr) + 1), *p = r;
  if (!r)
    return NULL;
  for (; *fpr; ++fpr)
    if (!isspace ((unsigned char) *fpr))
      *p++ = (char) toupper ((unsigned char) *fpr);
  *p = '\0';
  return r;
}

/* The gpg command split on spaces, then room for EXTRA more arguments
 * and the final NULL.  *N gets the number of words. */
static char **
gpg_argv (const char *gpg, size_t extra, size_t *n)
{
  char *copy = strdup (gpg && *gpg ? gpg : "gpg");
  size_t cap = 1 + extra + 1, len = 0;
  for (const char *p = copy; p && *p; ++p)
    cap += *p == ' ';
  char **argv = calloc (cap, sizeof *argv);
  if (!copy || !argv) {
    free (copy);
    free (argv);
    return NULL;
  }
  char *save = NULL;
  for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    argv[len++] = strdup (w);
  free (copy);
  *n = len;
  return argv;
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st; (void) flag; (void) ftw;
  remove (path);
  return 0;
}

/* Run gpg with ARGS (NULL-terminated) after the user's words, with
 * --homedir HOME if HOME; its status lines (--status-fd 1) into *OUT. */
static int
run_gpg (const char *program, const char *gpg, bool verbose, const char *home,
         const char *const *args, char **out)
{
  size_t nargs = 0, n;
  while (args[nargs]) nargs++;
  char **argv = gpg_argv (gpg, nargs + 6, &n);
  if (!argv) {
    fprintf (stderr, "%s: out of memory\n", program);
    return -1;
  }
  if (home) {
    argv[n++] = strdup ("--homedir");
    argv[n++] = strdup (home);
  }
  argv[n++] = strdup ("--batch");
  argv[n++] = strdup ("--no-tty");
  argv[n++] = strdup ("--status-fd");
  argv[n++] = strdup ("1");
  for (size_t i = 0; i < nargs; ++i)
    argv[n++] = strdup (args[i]);
  if (verbose) {
    fprintf (stderr, "+");
    for (size_t i = 0; i < n; ++i) fprintf (stderr, " %s", argv[i]);
    fprintf (stderr, "\n");
  }
  int r = tool_command (program, argv, -1, -1, out, !verbose);
  tool_free_strings (argv);
  return r;
}

/* Does a status line "[GNUPG:] VALIDSIG <fpr> ... <primary fpr>" name
 * one of the fingerprints in WANT (a space-separated list)? */
static bool
validsig_matches (const char *status, const char *want)
{
  for (const char *l = status; l && *l; ) {
    const char *e = strchr (l, '\n');
    size_t len = e ? (size_t) (e - l) : strlen (l);
    if (len > 18 && strncmp (l, "[GNUPG:] VALIDSIG ", 18) == 0) {
      char *line = strndup (l + 18, len - 18), *save = NULL;
      int field = 0;
      for (char *w = strtok_r (line, " ", &save); w; w = strtok_r (NULL, " ", &save), field++) {
        if (field != 0 && field != 9)   /* the signing key, its primary key */
          continue;
        size_t wl = strlen (w);
        for (const char *p = want; *p; ) {
          const char *q = strchr (p, ' ');
          size_t pl = q ? (size_t) (q - p) : strlen (p);
          if (pl == wl && strncasecmp (p, w, wl) == 0) {
            free (line);
            return true;
          }
          p += pl + (q != NULL);
        }
      }
      free (line);
    }
    l += len + (e != NULL);
  }
  return false;
}

int
builder_pgp_verify (const char *program, const char *gpg, bool verbose,
                    const char *keyfile, const char *fingerprint,
                    const char *what, const char *infile, const char *outfile)
{
  char home[] = "/tmp/virt-builder-gpg.XXXXXX";
  bool have_home = false;
  char *want = NULL, *status = NULL;
  int ret = -1;
  if (fingerprint) {
    want = builder_pgp_normalize (fingerprint);
    if (!want || !*want) {
      fprintf (stderr, "%s: %s: the fingerprint is empty\n", program, what);
      goto out;
    }
  }
  if (keyfile) {
    if (!mkdtemp (home)) {
      fprintf (stderr, "%s: mkdtemp: %s\n", program, strerror (errno));
      goto out;
    }
    have_home = true;
    const char *args[] = { "--import", keyfile, NULL };
    int r = run_gpg (program, gpg, verbose, home, args, &status);
    if (r != 0) {
      fprintf (stderr, "%s: %s: could not import the public key %s (gpg exit status %d)\n",
               program, what, keyfile, r);
      goto out;
    }
    /* Without --fingerprint, any key the file held signs for it. */
    if (!want) {
      size_t cap = 1;
      for (const char *l = status; (l = strstr (l, "[GNUPG:] IMPORT_OK ")); l++)
        cap += 42;
      want = calloc (cap, 1);
      for (const char *l = status; want && (l = strstr (l, "[GNUPG:] IMPORT_OK ")); l++) {
        const char *f = strchr (l + 19, ' ');
        if (!f) continue;
        size_t fl = strcspn (f + 1, " \n");
        if (fl > 40) fl = 40;
        if (*want) strcat (want, " ");
        strncat (want, f + 1, fl);
      }
      if (!want || !*want) {
        fprintf (stderr, "%s: %s: %s holds no public key\n", program, what, keyfile);
        goto out;
      }
    }
    free (status);
    status = NULL;
  }
  const char *args[] = { "--yes", "--output", outfile, "--decrypt", infile, NULL };
  int r = run_gpg (program, gpg, verbose, have_home ? home : NULL, args, &status);
  if (r < 0)
    goto out;
  if (status && (strstr (status, "[GNUPG:] NODATA") ||
                 (!strstr (status, "SIG ") && !strstr (status, "[GNUPG:] ERRSIG")))) {
    fprintf (stderr, "%s: %s is not signed (use --no-check-signature to accept an "
             "unsigned index)\n", program, what);
    goto out;
  }
  if (r != 0 || !validsig_matches (status, want)) {
    fprintf (stderr, "%s: %s: the digital signature is not valid or not made by the "
             "expected key%s%s (see --fingerprint, or use --no-check-signature "
             "to skip the check)\n", program, what,
             fingerprint ? " " : "", fingerprint ? fingerprint : "");
    goto out;
  }
  ret = 0;
 out:
  if (ret == -1)
    unlink (outfile);
  if (have_home)
    nftw (home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free (status);
  free (want);
  return ret;
}

int
builder_pgp_clearsign (const char *program, const char *gpg, const char *keyid,
                       const char *infile, const char *outfile)
{
  const char *args[10];
  size_t n = 0;
  args[n++] = "--yes";
  args[n++] = "--armor";
  args[n++] = "--output";
  args[n++] = outfile;
  if (keyid) {
    args[n++] = "--default-key";
    args[n++] = keyid;
  }
  args[n++] = "--clearsign";
  args[n++] = infile;
  args[n] = NULL;
  char *status = NULL;
  int r = run_gpg (program, gpg, false, NULL, args, &status);
  free (status);
  if (r != 0) {
    fprintf (stderr, "%s: gpg could not sign %s%s%s (exit status %d)\n", program, infile,
             keyid ? " with the key " : "", keyid ? keyid : "", r);
    return -1;
  }
  return 0;
}
