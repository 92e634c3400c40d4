/* The internal_test family (api/library.py): calls that exist so that the
 * language bindings can check how they pass every kind of argument and
 * receive every kind of result.  internal_test* print their arguments,
 * internal_test_rKIND return what their string says, *err always fail. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

static FILE *
out (guestfs_h *g)
{
  return g->test_output ? (FILE *) g->test_output : stdout;
}

int
guestfs_impl_internal_test_set_output (guestfs_h *g, const char *filename)
{
  FILE *fp = fopen (filename, "we");
  if (!fp) {
    guestfs_int_perrorf (g, "internal_test_set_output: %s", filename);
    return -1;
  }
  if (g->test_output)
    fclose (g->test_output);
  g->test_output = fp;
  return 0;
}

int
guestfs_impl_internal_test_close_output (guestfs_h *g)
{
  if (g->test_output) {
    FILE *fp = g->test_output;
    g->test_output = NULL;
    if (fclose (fp) == EOF) {
      guestfs_int_perrorf (g, "internal_test_close_output");
      return -1;
    }
  }
  return 0;
}

static void
print_list (FILE *fp, char *const *l)
{
  fputc ('[', fp);
  for (size_t i = 0; l && l[i]; ++i)
    fprintf (fp, "%s\"%s\"", i ? ", " : "", l[i]);
  fputs ("]\n", fp);
}

static int
flush_out (guestfs_h *g, const char *name)
{
  if (fflush (out (g)) == EOF) {
    guestfs_int_perrorf (g, "%s: output", name);
    return -1;
  }
  return 0;
}

int
guestfs_impl_internal_test (guestfs_h *g, const char *str, const char *optstr,
                            char *const *strlist, int b, int integer,
                            int64_t integer64, const char *filein,
                            const char *fileout, const char *bufferin,
                            size_t bufferin_size,
                            const struct guestfs_internal_test_argv *optargs)
{
  FILE *fp = out (g);
  fprintf (fp, "str: %s\n", str);
  fprintf (fp, "optstr: %s\n", optstr ? optstr : "(null)");
  fputs ("strlist: ", fp);
  print_list (fp, strlist);
  fprintf (fp, "b: %s\n", b ? "true" : "false");
  fprintf (fp, "integer: %d\n", integer);
  fprintf (fp, "integer64: %" PRIi64 "\n", integer64);
  fprintf (fp, "filein: %s\n", filein);
  fprintf (fp, "fileout: %s\n", fileout);
  fputs ("bufferin: ", fp);
  fwrite (bufferin, 1, bufferin_size, fp);
  fputc ('\n', fp);
  uint64_t bm = optargs->bitmask;
  if (bm & GUESTFS_INTERNAL_TEST_OBOOL_BITMASK)
    fprintf (fp, "obool: %s\n", optargs->obool ? "true" : "false");
  else
    fputs ("obool: unset\n", fp);
  if (bm & GUESTFS_INTERNAL_TEST_OINT_BITMASK)
    fprintf (fp, "oint: %d\n", optargs->oint);
  else
    fputs ("oint: unset\n", fp);
  if (bm & GUESTFS_INTERNAL_TEST_OINT64_BITMASK)
    fprintf (fp, "oint64: %" PRIi64 "\n", optargs->oint64);
  else
    fputs ("oint64: unset\n", fp);
  if (bm & GUESTFS_INTERNAL_TEST_OSTRING_BITMASK)
    fprintf (fp, "ostring: %s\n", optargs->ostring);
  else
    fputs ("ostring: unset\n", fp);
  if (bm & GUESTFS_INTERNAL_TEST_OSTRINGLIST_BITMASK) {
    fputs ("ostringlist: ", fp);
    print_list (fp, optargs->ostringlist);
  }
  else
    fputs ("ostringlist: unset\n", fp);
  return flush_out (g, "internal_test");
}

int
guestfs_impl_internal_test_only_optargs (guestfs_h *g,
                                         const struct guestfs_internal_test_only_optargs_argv *optargs)
{
  if (optargs->bitmask & GUESTFS_INTERNAL_TEST_ONLY_OPTARGS_TEST_BITMASK)
    fprintf (out (g), "test: %d\n", optargs->test);
  else
    fputs ("test: unset\n", out (g));
  return flush_out (g, "internal_test_only_optargs");
}

int
guestfs_impl_internal_test_63_optargs (guestfs_h *g,
                                       const struct guestfs_internal_test_63_optargs_argv *optargs)
{
  /* The struct holds opt1..opt63 as consecutive ints. */
  const char *base = (const char *) optargs +
    offsetof (struct guestfs_internal_test_63_optargs_argv, opt1);
  for (int i = 0; i < 63; ++i)
    if (optargs->bitmask & (UINT64_C(1) << i)) {
      int v;
      memcpy (&v, base + i * sizeof (int), sizeof v);
      fprintf (out (g), "opt%d: %d\n", i + 1, v);
    }
  return flush_out (g, "internal_test_63_optargs");
}

/* ---- results ---- */

static int
parse_int64 (guestfs_h *g, const char *name, const char *val, int64_t min,
             int64_t max, int64_t *r)
{
  char *end;
  errno = 0;
  long long v = strtoll (val, &end, 10);
  if (!*val || *end || errno || v < min || v > max) {
    error (g, "%s: expecting an integer, got '%s'", name, val);
    return -1;
  }
  *r = v;
  return 0;
}

static int
test_error (guestfs_h *g, const char *name)
{
  error (g, "%s: error", name);
  return -1;
}

int
guestfs_impl_internal_test_rint (guestfs_h *g, const char *val)
{
  int64_t r;
  if (parse_int64 (g, "internal_test_rint", val, INT32_MIN, INT32_MAX, &r) == -1)
    return -1;
  return (int) r;
}

int guestfs_impl_internal_test_rinterr (guestfs_h *g) { return test_error (g, "internal_test_rinterr"); }

int64_t
guestfs_impl_internal_test_rint64 (guestfs_h *g, const char *val)
{
  int64_t r;
  if (parse_int64 (g, "internal_test_rint64", val, INT64_MIN, INT64_MAX, &r) == -1)
    return -1;
  return r;
}

int64_t guestfs_impl_internal_test_rint64err (guestfs_h *g) { return test_error (g, "internal_test_rint64err"); }

int
guestfs_impl_internal_test_rbool (guestfs_h *g, const char *val)
{
  return strcmp (val, "true") == 0;
}

int guestfs_impl_internal_test_rboolerr (guestfs_h *g) { return test_error (g, "internal_test_rboolerr"); }

const char *
guestfs_impl_internal_test_rconststring (guestfs_h *g, const char *val)
{
  return "static string";
}

const char *
guestfs_impl_internal_test_rconststringerr (guestfs_h *g)
{
  test_error (g, "internal_test_rconststringerr");
  return NULL;
}

const char *
guestfs_impl_internal_test_rconstoptstring (guestfs_h *g, const char *val)
{
  return strcmp (val, "NULL") == 0 ? NULL : "static string";
}

const char *
guestfs_impl_internal_test_rconstoptstringerr (guestfs_h *g)
{
  /* NULL is a valid result here: only the error string tells. */
  test_error (g, "internal_test_rconstoptstringerr");
  return NULL;
}

char *
guestfs_impl_internal_test_rstring (guestfs_h *g, const char *val)
{
  return guestfs_int_safe_strdup (g, val);
}

char *
guestfs_impl_internal_test_rstringerr (guestfs_h *g)
{
  test_error (g, "internal_test_rstringerr");
  return NULL;
}

/* "0" .. "N-1", each twice when pairs (a hashtable). */
static char **
number_list (guestfs_h *g, const char *name, const char *val, int copies)
{
  int64_t n;
  if (parse_int64 (g, name, val, 0, 100000, &n) == -1)
    return NULL;
  char **r = calloc ((size_t) n * copies + 1, sizeof *r);
  if (!r) {
    guestfs_int_perrorf (g, "%s", name);
    return NULL;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < copies; ++c)
      if (asprintf (&r[i * copies + c], "%" PRIi64, i) == -1) {
        r[i * copies + c] = NULL;
        guestfs_int_free_string_list (r);
        guestfs_int_perrorf (g, "%s", name);
        return NULL;
      }
  return r;
}

char **
guestfs_impl_internal_test_rstringlist (guestfs_h *g, const char *val)
{
  return number_list (g, "internal_test_rstringlist", val, 1);
}

char **
guestfs_impl_internal_test_rstringlisterr (guestfs_h *g)
{
  test_error (g, "internal_test_rstringlisterr");
  return NULL;
}

char **
guestfs_impl_internal_test_rhashtable (guestfs_h *g, const char *val)
{
  return number_list (g, "internal_test_rhashtable", val, 2);
}

char **
guestfs_impl_internal_test_rhashtableerr (guestfs_h *g)
{
  test_error (g, "internal_test_rhashtableerr");
  return NULL;
}

struct guestfs_lvm_pv *
guestfs_impl_internal_test_rstruct (guestfs_h *g, const char *val)
{
  struct guestfs_lvm_pv *r = calloc (1, sizeof *r);
  if (!r) {
    guestfs_int_perrorf (g, "internal_test_rstruct");
    return NULL;
  }
  r->pv_name = guestfs_int_safe_strdup (g, val);
  r->pv_fmt = guestfs_int_safe_strdup (g, "");
  r->pv_attr = guestfs_int_safe_strdup (g, "");
  r->pv_tags = guestfs_int_safe_strdup (g, "");
  memset (r->pv_uuid, '0', sizeof r->pv_uuid);
  return r;
}

struct guestfs_lvm_pv *
guestfs_impl_internal_test_rstructerr (guestfs_h *g)
{
  test_error (g, "internal_test_rstructerr");
  return NULL;
}

struct guestfs_lvm_pv_list *
guestfs_impl_internal_test_rstructlist (guestfs_h *g, const char *val)
{
  int64_t n;
  if (parse_int64 (g, "internal_test_rstructlist", val, 0, 100000, &n) == -1)
    return NULL;
  struct guestfs_lvm_pv_list *r = calloc (1, sizeof *r);
  if (!r || !(r->val = calloc (n ? n : 1, sizeof r->val[0]))) {
    free (r);
    guestfs_int_perrorf (g, "internal_test_rstructlist");
    return NULL;
  }
  r->len = (uint32_t) n;
  for (int64_t i = 0; i < n; ++i) {
    struct guestfs_lvm_pv *p = &r->val[i];
    if (asprintf (&p->pv_name, "%" PRIi64, i) == -1)
      p->pv_name = NULL;
    p->pv_fmt = guestfs_int_safe_strdup (g, "");
    p->pv_attr = guestfs_int_safe_strdup (g, "");
    p->pv_tags = guestfs_int_safe_strdup (g, "");
    memset (p->pv_uuid, '0', sizeof p->pv_uuid);
    if (!p->pv_name) {
      guestfs_free_lvm_pv_list (r);
      guestfs_int_perrorf (g, "internal_test_rstructlist");
      return NULL;
    }
  }
  return r;
}

struct guestfs_lvm_pv_list *
guestfs_impl_internal_test_rstructlisterr (guestfs_h *g)
{
  test_error (g, "internal_test_rstructlisterr");
  return NULL;
}

char *
guestfs_impl_internal_test_rbufferout (guestfs_h *g, const char *val, size_t *size_r)
{
  size_t n = strlen (val);
  char *r = malloc (n ? n : 1);
  if (!r) {
    guestfs_int_perrorf (g, "internal_test_rbufferout");
    return NULL;
  }
  memcpy (r, val, n);
  *size_r = n;
  return r;
}

char *
guestfs_impl_internal_test_rbufferouterr (guestfs_h *g, size_t *size_r)
{
  test_error (g, "internal_test_rbufferouterr");
  return NULL;
}
