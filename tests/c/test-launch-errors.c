/* Launch failures end in a clear error within a bounded time, never a
 * hang, naming the cause and what to do: a missing qemu, a qemu too old,
 * the libvirt backend, a missing drive (before launch, and removed after
 * add_drive), a disk image locked by another program, not enough memory,
 * an appliance build step that fails, a daemon call before launch, a
 * qemu that dies at once (its output must be quoted in the error), an
 * appliance kernel that cannot start init, and a set_append too long for
 * the kernel's command line.  (An unreadable host kernel is
 * tested as an unprivileged user in nonroot-prog.c.)  Each
 * launch runs in a child process with a time limit, so a hang is reported
 * as a failure instead of hanging the test.  */
#include "tests.h"

static char *tmp;          /* per-test LIBGUESTFS_TMPDIR: tags our qemus */

/* ---- pieces run in a child (fn (arg, fd)): write the error to fd ---- */

static void
report (int fd, const char *s)
{
  if (s && write (fd, s, strlen (s))) {}
}

/* In a child: a handle with a scratch disk, set up by setup (arg) (which
 * may fail: then its error is reported), then launch.  Exit 0 when the
 * launch failed (the expected outcome here), with its error written to fd. */
static int
launch_scratch (int fd, int (*setup) (guestfs_h *, void *), void *arg)
{
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
  if (setup && setup (g, arg) == -1) { report (fd, errmsg (g)); return 2; }
  int r = guestfs_launch (g);
  report (fd, r == -1 ? errmsg (g) : "launch succeeded");
  guestfs_close (g);
  return r == -1 ? 0 : 1;
}

static int set_hv (guestfs_h *g, void *arg) { return guestfs_set_hv (g, arg); }
static int set_append (guestfs_h *g, void *arg) { return guestfs_set_append (g, arg); }
/* Far more memory than this machine has (in MiB). */
static int set_big_memsize (guestfs_h *g, void *arg) { return guestfs_set_memsize (g, 64 * 1024 * 1024); }

static int launch_with_hv (void *arg, int fd) { return launch_scratch (fd, set_hv, arg); }
static int launch_with_append (void *arg, int fd) { return launch_scratch (fd, set_append, arg); }
static int launch_big_memsize (void *arg, int fd) { return launch_scratch (fd, set_big_memsize, arg); }

static int
launch_bad_daemon (void *arg, int fd)
{
  setenv ("HATCH_DAEMON", "/nonexistent/guestfsd", 1);
  return launch_scratch (fd, NULL, NULL);
}

static int
launch_libvirt (void *arg, int fd)
{
  setenv ("LIBGUESTFS_BACKEND", "libvirt", 1);
  guestfs_h *g = guestfs_create ();
  if (!g) { report (fd, "guestfs_create failed with LIBGUESTFS_BACKEND=libvirt"); return 2; }
  guestfs_set_error_handler (g, NULL, NULL);
  char *b = guestfs_get_backend (g);
  bool is_libvirt = b && strcmp (b, "libvirt") == 0;
  free (b);
  if (!is_libvirt) { report (fd, "get_backend is not libvirt"); return 3; }
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1);
  int r = guestfs_launch (g);
  report (fd, r == -1 ? errmsg (g) : "launch succeeded");
  guestfs_close (g);
  return r == -1 ? 0 : 1;
}

/* ---- tests ---- */

static void
test_bad_hv (void)
{
  char *out;
  double t;
  int r = run_bounded (launch_with_hv, "/nonexistent/qemu", 60, tmp, &out, &t);
  ok (r == 0, "set_hv /nonexistent/qemu: launch fails (%.1f s)", t);
  if (!ok (r == 0 && contains (out, "/nonexistent/qemu") && contains (out, "not found") &&
           contains (out, "LIBGUESTFS_HV"),
           "... and the error names the missing program and what to do"))
    diag ("error was: %s", out);
  else
    diag ("error: %s", out);
  free (out);
}

static void
test_libvirt (void)
{
  char *out;
  double t;
  int r = run_bounded (launch_libvirt, NULL, 60, tmp, &out, &t);
  if (!ok (r == 0 && contains_ci (out, "libvirt"),
           "LIBGUESTFS_BACKEND=libvirt: launch fails with an error naming libvirt (%.1f s)", t))
    diag ("status %d, error was: %s", r, out);
  free (out);
}

static void
test_missing_drive (void)
{
  guestfs_h *g = create_quiet ();
  char *p;
  if (asprintf (&p, "%s/does-not-exist.img", tmp) == -1) exit (1);
  int r = guestfs_add_drive (g, p);
  int e = guestfs_last_errno (g);
  if (!ok (r == -1 && e == ENOENT, "add_drive on a missing file fails with errno ENOENT"))
    diag ("r=%d errno=%d error=%s", r, e, errmsg (g));
  ok (r == -1 && contains (errmsg (g), "does-not-exist.img"),
      "... and the message names the file");
  r = guestfs_add_drive_ro (g, p);
  e = guestfs_last_errno (g);
  ok (r == -1 && e == ENOENT, "add_drive_ro on a missing file: ENOENT");
  free (p);
  guestfs_close (g);
}

static void
test_call_before_launch (void)
{
  guestfs_h *g = create_quiet ();
  int r = guestfs_mkdir (g, "/x");
  const char *m = errmsg (g);
  if (!ok (r == -1 && contains_ci (m, "launch"),
           "daemon action before launch fails and mentions launch"))
    diag ("r=%d error=%s", r, m);
  char **l = guestfs_list_devices (g);
  ok (l == NULL && contains_ci (errmsg (g), "launch"),
      "list_devices before launch fails and mentions launch");
  ok (guestfs_is_config (g) == 1, "the handle is still in the config state");
  guestfs_close (g);
}

static void
test_dying_qemu (void)
{
  char *script;
  if (asprintf (&script, "%s/fake-qemu.sh", tmp) == -1) exit (1);
  FILE *f = fopen (script, "w");
  fprintf (f, "#!/bin/sh\n"
              "echo 'fake-qemu: starting'\n"
              "echo 'fake-qemu: HATCH-SENTINEL could not initialise the machine' >&2\n"
              "exit 1\n");
  fclose (f);
  chmod (script, 0755);
  char *out;
  double t;
  int r = run_bounded (launch_with_hv, script, 60, tmp, &out, &t);
  ok (r == 0, "qemu that exits 1 at once: launch fails (%.1f s)", t);
  if (!ok (contains (out, "HATCH-SENTINEL could not initialise the machine"),
           "... and the error quotes the emulator's output"))
    diag ("error was: %s", out);
  free (out);

  /* One that prints and then hangs without ever connecting. */
  f = fopen (script, "w");
  fprintf (f, "#!/bin/sh\necho 'fake-qemu: HATCH-HANG going to sleep'\nexec sleep 3600\n");
  fclose (f);
  setenv ("HATCH_LAUNCH_TIMEOUT", "10", 1);
  r = run_bounded (launch_with_hv, script, 60, tmp, &out, &t);
  unsetenv ("HATCH_LAUNCH_TIMEOUT");
  if (!ok (r == 0 && t < 30, "qemu that never connects: launch fails after the timeout "
           "(HATCH_LAUNCH_TIMEOUT=10, took %.1f s)", t))
    diag ("status %d, error: %s", r, out);
  free (out);
  kill_by_cmdline ("HATCH-HANG");
  free (script);
}

/* A script standing in for qemu: its text is given. */
static char *
fake_hv (const char *name, const char *text)
{
  char *script;
  if (asprintf (&script, "%s/%s", tmp, name) == -1) exit (1);
  FILE *f = fopen (script, "w");
  fprintf (f, "#!/bin/sh\n%s", text);
  fclose (f);
  chmod (script, 0755);
  return script;
}

/* The library's KVM probe writes "quit" to this script's stdin; once it
 * did so after the script had exited, and SIGPIPE killed the program
 * (status 141).  It now gets EPIPE (lib/kvm.c). */
static void
test_old_qemu (void)
{
  char *script = fake_hv ("old-qemu.sh",
    "if [ \"$1\" = -version ]; then echo 'QEMU emulator version 2.5.0'; exit 0; fi\n"
    "echo \"qemu-system-x86_64: -machine q35,accel=tcg: unsupported machine type\" >&2\n"
    "exit 1\n");
  char *out;
  double t;
  int r = run_bounded (launch_with_hv, script, 60, tmp, &out, &t);
  if (!ok (r == 0 && contains (out, "qemu 2.5, too old") && contains (out, "4.2 or later"),
           "qemu 2.5: launch fails, the error says it is too old and which version is needed"))
    diag ("status %d, error: %s", r, out);
  free (out);
  free (script);
}

/* In a child: launch with the drive arg (a path) added read-write. */
static int
launch_drive (void *arg, int fd)
{
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  const char *drive = arg;
  if (guestfs_add_drive_opts (g, drive, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) == -1) {
    report (fd, errmsg (g));
    return 2;
  }
  int r = guestfs_launch (g);
  report (fd, r == -1 ? errmsg (g) : "launch succeeded");
  guestfs_close (g);
  return r == -1 ? 0 : 1;
}

static void
test_locked_image (void)
{
  char *img;
  if (asprintf (&img, "%s/locked.img", tmp) == -1) exit (1);
  int fd = open (img, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate (fd, 16 * 1024 * 1024) == -1) exit (1);
  close (fd);
  /* The first handle holds the image (qemu locks it) ... */
  guestfs_h *g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_opts (g, img, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  if (guestfs_launch (g) == -1) {
    ok (false, "first handle launches on the image: %s", errmsg (g));
    guestfs_close (g);
    free (img);
    return;
  }
  /* ... so a second one cannot write it. */
  char *out;
  double t;
  int r = run_bounded (launch_drive, img, 60, tmp, &out, &t);
  if (!ok (r == 0 && contains (out, "in use by another program") && contains (out, "read-only"),
           "an image another handle is using: the error says so and what to do (%.1f s)", t))
    diag ("status %d, error: %s", r, out);
  free (out);
  guestfs_close (g);

  /* Removed after add_drive. */
  g = create_quiet ();
  guestfs_set_tmpdir (g, tmp);
  guestfs_add_drive_opts (g, img, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1);
  unlink (img);
  r = guestfs_launch (g);
  if (!ok (r == -1 && contains (errmsg (g), img) && contains (errmsg (g), "missing"),
           "an image removed after add_drive: the error names it"))
    diag ("r=%d error: %s", r, errmsg (g));
  guestfs_close (g);
  free (img);
}

static void
test_out_of_memory (void)
{
  char *out;
  double t;
  int r = run_bounded (launch_big_memsize, NULL, 60, tmp, &out, &t);
  if (!ok (r == 0 && contains (out, "not enough memory") && contains (out, "set_memsize"),
           "memsize 64 TiB: the error says there is not enough memory and what to do (%.1f s)", t))
    diag ("status %d, error: %s", r, out);
  free (out);
}

static void
test_appliance_build_failure (void)
{
  char *out;
  double t;
  int r = run_bounded (launch_bad_daemon, NULL, 60, tmp, &out, &t);
  if (!ok (r == 0 && contains (out, "daemon /nonexistent/guestfsd") &&
           contains_ci (out, "no such file"),
           "appliance build failure: the error names the failing step and its file"))
    diag ("status %d, error: %s", r, out);
  free (out);
}

static void
test_bad_init (void)
{
  /* The appliance kernel cannot run its init (rdinit: our init lives in
   * the initramfs) and panics: with the default launch timeout this must
   * still end at once with an error quoting the console.  init= is not
   * used by an initramfs boot, so that launch may succeed; it must not
   * hang either. */
  static const char *appends[] = { "rdinit=/nonexistent", "init=/nonexistent", "panic=1" };
  for (int i = 0; i < 3; ++i) {
    char *out;
    double t;
    int r = run_bounded (launch_with_append, (void *) appends[i], 120, tmp, &out, &t);
    if (i > 0 && r == 1) {
      ok (true, "append \"%s\": launch succeeded (%.1f s), no hang", appends[i], t);
      free (out);
      continue;
    }
    if (!ok (r == 0 && t < 60, "append \"%s\": launch fails with an error within 60 s, "
             "no hang (%.1f s)", appends[i], t))
      diag ("%s", r == -1 ? "HANG: killed after 120 s" : out);
    else if (i == 0) {
      ok (contains_ci (out, "panic"), "... the error quotes the appliance console (panic)");
      if (!contains (out, "Kernel panic"))
        diag ("note: the quoted console tail does not include the \"Kernel panic\" line:\n%s",
              out);
    }
    free (out);
  }
}

static void
test_long_append (void)
{
  /* The kernel would keep only the first 2047 bytes of its command line
   * and drop the rest silently: a set_append that would push it over is
   * refused at launch, naming the sizes, before any qemu starts
   * (library-settings.sh boots with an append of 800 bytes). */
  char *big = malloc (2001);
  memset (big, 'x', 2000);
  big[2000] = '\0';
  char *out;
  double t;
  int r = run_bounded (launch_with_append, big, 120, tmp, &out, &t);
  if (!ok (r == 0 && t < 10, "append of 2 000 bytes: launch fails at once (%.1f s)", t))
    diag ("%s", r == -1 ? "HANG: killed after 120 s" : out);
  else if (!ok (contains (out, "set_append") && contains (out, "2047") &&
                contains (out, "2000 of them"),
                "... the error names set_append, the limit and the sizes"))
    diag ("%s", out);
  free (out);
  free (big);
}

int
main (void)
{
  tmp = make_tmpdir ("launch-errors");
  unsetenv ("LIBGUESTFS_BACKEND");
  unsetenv ("LIBGUESTFS_HV");
  test_missing_drive ();
  test_call_before_launch ();
  test_bad_hv ();
  test_old_qemu ();
  test_locked_image ();
  test_out_of_memory ();
  test_appliance_build_failure ();
  test_libvirt ();
  test_dying_qemu ();
  test_bad_init ();
  test_long_append ();
  kill_by_cmdline (tmp);
  cleanup_dir (tmp);
  free (tmp);
  return tap_done ();
}
