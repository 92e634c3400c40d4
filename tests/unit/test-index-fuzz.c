/* The virt-builder index parser (tools/builder/index.c) against a valid
 * index, a table of malformed ones (each must fail with the line number
 * and a reason), and 50 000 random mutations of a valid one (each must
 * parse or fail cleanly; built with ASan+UBSan when available, so a
 * memory error fails the test).  TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

static int n, failed;

static void
ok (int cond, const char *name)
{
  printf ("%sok %d - %s\n", cond ? "" : "not ", ++n, name);
  if (!cond)
    failed = 1;
}

static const char sample[] =
  "-----BEGIN PGP SIGNED MESSAGE-----\n"
  "Hash: SHA512\n"
  "\n"
  "# a comment\n"
  "[debian-12]\n"
  "name=Debian® 12\n"
  "osinfo=debian12\n"
  "arch=x86_64\n"
  "file=debian-12.xz\n"
  "checksum[sha512]=abcdef\n"
  "format=raw\n"
  "size=6442450944\n"
  "compressed_size=148947524\n"
  "expand=/dev/sda1\n"
  "notes=First line\n"
  " second line\n"
  " \n"
  " fourth\n"
  "aliases=debian bookworm\n"
  "\n"
  "- [hidden-one]\n"
  "hidden=true\n"
  "arch=aarch64\n"
  "size=1\n"
  "-----BEGIN PGP SIGNATURE-----\n"
  "\n"
  "iQEzBAEBCgAdFiEE\n"
  "-----END PGP SIGNATURE-----\n";

int
main (void)
{
  struct index idx;
  char *err;
  int r = index_parse (sample, strlen (sample), &idx, &err);
  ok (r == 0 && idx.nr_sections == 2 && idx.signed_, "the sample parses: 2 sections, signed");
  if (r == 0) {
    ok (strcmp (idx.sections[0].name, "debian-12") == 0 &&
        strcmp (index_get (&idx.sections[0], "name", NULL), "Debian® 12") == 0,
        "section name and a UTF-8 value");
    ok (strcmp (index_get (&idx.sections[0], "checksum", "sha512"), "abcdef") == 0 &&
        index_get (&idx.sections[0], "checksum", NULL) == NULL, "key[subkey]");
    ok (strcmp (index_get (&idx.sections[0], "notes", NULL),
                "First line\nsecond line\n\nfourth") == 0, "continuation lines");
    ok (strcmp (idx.sections[1].name, "hidden-one") == 0, "dash-escaped line");
    ok (idx.first_comment_line == 4, "comment line");
    index_free (&idx);
  }

  static const struct { const char *text; const char *err; } bad[] = {
    { "name=x\n[a]\n", "line 1: a field comes before the first [SECTION]" },
    { "[a]\nbad line\n", "line 2: expected ‘=’ after the field name" },
    { "[a b]\n", "line 1: a section header" },
    { "[]\n", "line 1: a section header" },
    { "[a]x\n", "line 1: a section header" },
    { "[a]\n=1\n", "line 2: expected [SECTION]" },
    { "[a]\nk[s=1\n", "line 2: a field name must be" },
    { "[a]\nk[]=1\n", "line 2: a field name must be" },
    { " cont\n", "line 1: a continuation line" },
    { "[a]\nk=1\n\n more\n", "line 4: a continuation line" },
    { "[a]\nk=\xff\n", "not valid UTF-8" },
    { "[a]\nk=\xc0\x80\n", "not valid UTF-8" },
    { "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n", "the signed message ends in its header" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
    r = index_parse (bad[i].text, strlen (bad[i].text), &idx, &err);
    char name[128];
    snprintf (name, sizeof name, "malformed index %zu refused: %s", i, bad[i].err);
    ok (r == -1 && err && strstr (err, bad[i].err) != NULL, name);
    if (r == -1 && (!err || !strstr (err, bad[i].err)))
      printf ("# got: %s\n", err ? err : "(null)");
    free (err);
    if (r == 0)
      index_free (&idx);
  }
  char nul[] = "[a]\nk=1\0\n";
  r = index_parse (nul, sizeof nul - 1, &idx, &err);
  ok (r == -1 && strstr (err, "NUL"), "a NUL byte is refused");
  free (err);

  /* Random mutations: flip, insert and delete bytes. */
  srand (12345);
  size_t len = strlen (sample), parsed = 0, refused = 0;
  char *buf = malloc (len * 2 + 16);
  for (int iter = 0; iter < 50000; ++iter) {
    size_t l = len;
    memcpy (buf, sample, len);
    int muts = 1 + rand () % 8;
    for (int m = 0; m < muts; ++m) {
      size_t pos = (size_t) rand () % (l + 1);
      static const char interesting[] = "[]= \n#-\\\r\xc3\xa9\xff\x80";
      char ch = rand () % 2 ? (char) (rand () % 256) :
                interesting[rand () % (sizeof interesting - 1)];
      switch (rand () % 3) {
      case 0: if (pos < l) buf[pos] = ch; break;
      case 1: if (l < len * 2) { memmove (buf + pos + 1, buf + pos, l - pos); buf[pos] = ch; l++; } break;
      default: if (pos < l) { memmove (buf + pos, buf + pos + 1, l - pos - 1); l--; } break;
      }
    }
    r = index_parse (buf, l, &idx, &err);
    if (r == 0) {
      parsed++;
      index_free (&idx);
    }
    else {
      refused++;
      if (!err || strncmp (err, "line ", 5) != 0) {
        if (!(err && (strstr (err, "UTF-8") || strstr (err, "NUL")))) {
          printf ("# unexpected error form: %s\n", err ? err : "(null)");
          failed = 1;
        }
      }
      free (err);
    }
  }
  free (buf);
  printf ("# %zu mutants parsed, %zu refused\n", parsed, refused);
  ok (parsed > 0 && refused > 0, "50000 mutants: parsed or refused with a reason, no crash");
  printf ("1..%d\n", n);
  return failed;
}
