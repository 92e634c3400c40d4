/* LIBGUESTFS_* environment variables are read by guestfs_create and
 * ignored with GUESTFS_CREATE_NO_ENVIRONMENT; LIBGUESTFS_PATH naming a
 * directory without an appliance gives a clear error; a launch with
 * LIBGUESTFS_BACKEND_SETTINGS=force_tcg, LIBGUESTFS_MEMSIZE and
 * LIBGUESTFS_TMPDIR uses them.  */
#include "tests.h"

static bool
list_has (char **l, const char *s)
{
  for (size_t i = 0; l && l[i]; ++i)
    if (strcmp (l[i], s) == 0) return true;
  return false;
}

static void
free_list (char **l)
{
  for (size_t i = 0; l && l[i]; ++i) free (l[i]);
  free (l);
}

static void
str_is (char *got, const char *want, const char *what)
{
  if (!ok (got && strcmp (got, want) == 0, "%s", what))
    diag ("got \"%s\", want \"%s\"", got ? got : "(null)", want);
  free (got);
}

static void
str_is_not (char *got, const char *notwant, const char *what)
{
  if (!ok (got && strcmp (got, notwant) != 0, "%s", what))
    diag ("got \"%s\"", got ? got : "(null)");
  free (got);
}

struct logbuf {
  char text[1 << 20];
  size_t len;
};

static void
log_cb (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
        const char *buf, size_t len, const uint64_t *a, size_t alen)
{
  struct logbuf *l = opaque;
  if (l->len + len + 2 < sizeof l->text) {
    memcpy (l->text + l->len, buf, len);
    l->len += len;
    l->text[l->len++] = '\n';
    l->text[l->len] = 0;
  }
}

int
main (void)
{
  char *tmp = make_tmpdir ("env");
  char *cache, *tmpd, *empty;
  if (asprintf (&cache, "%s/cache", tmp) == -1 || asprintf (&tmpd, "%s/tmp", tmp) == -1 ||
      asprintf (&empty, "%s/empty-path", tmp) == -1)
    return 1;
  mkdir (cache, 0755);
  mkdir (tmpd, 0755);
  mkdir (empty, 0755);

  setenv ("LIBGUESTFS_MEMSIZE", "777", 1);
  setenv ("LIBGUESTFS_TRACE", "1", 1);
  setenv ("LIBGUESTFS_DEBUG", "1", 1);
  setenv ("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg", 1);
  setenv ("LIBGUESTFS_CACHEDIR", cache, 1);
  setenv ("LIBGUESTFS_TMPDIR", tmpd, 1);
  setenv ("LIBGUESTFS_PATH", empty, 1);
  setenv ("LIBGUESTFS_HV", "/opt/hatch-test/qemu-kvm", 1);
  setenv ("LIBGUESTFS_APPEND", "quiet hatch.test=1", 1);
  setenv ("LIBGUESTFS_BACKEND", "direct", 1);

  guestfs_h *g = guestfs_create ();
  if (!g) {
    printf ("Bail out! guestfs_create failed with the environment set\n");
    return 1;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  ok (guestfs_get_memsize (g) == 777, "LIBGUESTFS_MEMSIZE=777 -> get_memsize (%d)",
      guestfs_get_memsize (g));
  ok (guestfs_get_trace (g) == 1, "LIBGUESTFS_TRACE=1 -> get_trace");
  ok (guestfs_get_verbose (g) == 1, "LIBGUESTFS_DEBUG=1 -> get_verbose");
  char **bs = guestfs_get_backend_settings (g);
  ok (list_has (bs, "force_tcg"), "LIBGUESTFS_BACKEND_SETTINGS=force_tcg -> get_backend_settings");
  free_list (bs);
  str_is (guestfs_get_cachedir (g), cache, "LIBGUESTFS_CACHEDIR -> get_cachedir");
  str_is (guestfs_get_tmpdir (g), tmpd, "LIBGUESTFS_TMPDIR -> get_tmpdir");
  const char *gp = guestfs_get_path (g);   /* RConstString */
  str_is (gp ? strdup (gp) : NULL, empty, "LIBGUESTFS_PATH -> get_path");
  str_is (guestfs_get_hv (g), "/opt/hatch-test/qemu-kvm", "LIBGUESTFS_HV -> get_hv");
  str_is ((char *) guestfs_get_append (g) ? strdup (guestfs_get_append (g)) : NULL,
          "quiet hatch.test=1", "LIBGUESTFS_APPEND -> get_append");
  str_is (guestfs_get_backend (g), "direct", "LIBGUESTFS_BACKEND -> get_backend");
  guestfs_close (g);

  /* The same environment, ignored. */
  g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  if (!g) {
    printf ("Bail out! guestfs_create_flags failed\n");
    return 1;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  ok (guestfs_get_memsize (g) != 777, "NO_ENVIRONMENT: memsize is the default (%d)",
      guestfs_get_memsize (g));
  ok (guestfs_get_trace (g) == 0, "NO_ENVIRONMENT: trace off");
  ok (guestfs_get_verbose (g) == 0, "NO_ENVIRONMENT: verbose off");
  bs = guestfs_get_backend_settings (g);
  ok (bs && !list_has (bs, "force_tcg"), "NO_ENVIRONMENT: no backend settings");
  free_list (bs);
  str_is_not (guestfs_get_cachedir (g), cache, "NO_ENVIRONMENT: cachedir not from the environment");
  str_is_not (guestfs_get_tmpdir (g), tmpd, "NO_ENVIRONMENT: tmpdir not from the environment");
  gp = guestfs_get_path (g);
  ok (!gp || strcmp (gp, empty) != 0, "NO_ENVIRONMENT: path not from the environment");
  str_is_not (guestfs_get_hv (g), "/opt/hatch-test/qemu-kvm", "NO_ENVIRONMENT: hv is the default");
  const char *ap = guestfs_get_append (g);
  ok (!ap || strcmp (ap, "quiet hatch.test=1") != 0, "NO_ENVIRONMENT: no append");
  guestfs_close (g);

  /* A bad LIBGUESTFS_MEMSIZE makes guestfs_create fail (as in libguestfs). */
  setenv ("LIBGUESTFS_MEMSIZE", "lots", 1);
  g = guestfs_create ();
  ok (g == NULL, "LIBGUESTFS_MEMSIZE=lots: guestfs_create fails");
  if (g) guestfs_close (g);
  setenv ("LIBGUESTFS_MEMSIZE", "777", 1);

  /* LIBGUESTFS_PATH without an appliance: a clear error at launch. */
  unsetenv ("LIBGUESTFS_HV");
  unsetenv ("LIBGUESTFS_APPEND");
  unsetenv ("LIBGUESTFS_DEBUG");
  unsetenv ("LIBGUESTFS_TRACE");
  g = create_quiet ();
  guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
  double t0 = now ();
  int r = guestfs_launch (g);
  const char *m = errmsg (g);
  if (!ok (r == -1 && (contains (m, empty) || contains_ci (m, "appliance")),
           "LIBGUESTFS_PATH=<dir without an appliance>: launch fails naming the path "
           "or the appliance (%.1f s)", now () - t0))
    diag ("r=%d error: %s", r, m);
  else
    diag ("error: %s", m);
  guestfs_close (g);

  /* A real launch using the environment: force_tcg, memsize, tmpdir. */
  unsetenv ("LIBGUESTFS_PATH");
  setenv ("LIBGUESTFS_DEBUG", "1", 1);
  const char *cd = getenv ("HATCH_TEST_CACHEDIR");
  /* Reuse the normal appliance cache: a fresh one would mean a rebuild. */
  if (cd) setenv ("LIBGUESTFS_CACHEDIR", cd, 1);
  else setenv ("LIBGUESTFS_CACHEDIR", "/var/tmp", 1);
  static struct logbuf log;
  g = create_quiet ();
  guestfs_set_event_callback (g, log_cb, GUESTFS_EVENT_LIBRARY | GUESTFS_EVENT_APPLIANCE,
                              0, &log);
  guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
  t0 = now ();
  r = guestfs_launch (g);
  if (!ok (r == 0, "launch with force_tcg, memsize 777, tmpdir from the environment (%.1f s)",
           now () - t0))
    diag ("%s", errmsg (g));
  else {
    /* The socket directory lives in LIBGUESTFS_TMPDIR while running. */
    DIR *d = opendir (tmpd);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir (d)))
      if (e->d_name[0] != '.') n++;
    if (d) closedir (d);
    ok (n > 0, "the handle's temporary files are under LIBGUESTFS_TMPDIR (%d entries)", n);
    ok (contains_ci (log.text, "tcg"), "the debug log says TCG is used");
    ok (contains (log.text, "777"), "the debug log shows memsize 777 (qemu -m)");
    int64_t sz = guestfs_blockdev_getsize64 (g, "/dev/sda");
    ok (sz == 16 * 1024 * 1024, "a call works (blockdev_getsize64 = %lld)", (long long) sz);
  }
  guestfs_close (g);
  DIR *d = opendir (tmpd);
  int left = 0;
  struct dirent *e;
  while (d && (e = readdir (d)))
    if (e->d_name[0] != '.') left++;
  if (d) closedir (d);
  ok (left == 0, "close removes the temporary files from LIBGUESTFS_TMPDIR (%d left)", left);

  cleanup_dir (tmp);
  free (cache); free (tmpd); free (empty); free (tmp);
  return tap_done ();
}
