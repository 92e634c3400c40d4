/* Remote drives without a remote server: the -a URI parser
 * (tools/common/uri.c) against many URIs, good and malformed; the checks
 * add_drive_opts makes on protocol, server, username and secret; the
 * launch-time error for a protocol qemu has no driver for; and
 * remove_drive before launch (the later drives move up) and after
 * launch (unplugged; the name is free for the next add).  tests/shell/drives-remote.sh reads and writes
 * through real NBD and HTTP servers. */
#include <inttypes.h>

#include "tests.h"
#include "uri.h"

struct uri_case {
  const char *in;
  const char *err;              /* substring of the error, or NULL: parses */
  const char *protocol, *path, *server, *user, *password;
};

static const struct uri_case uri_cases[] = {
  /* plain files, colons and all */
  { "disk.img", NULL, NULL, "disk.img", NULL, NULL, NULL },
  { "/tmp/a:b.img", NULL, NULL, "/tmp/a:b.img", NULL, NULL, NULL },
  { "a:b", NULL, NULL, "a:b", NULL, NULL, NULL },
  { "./nbd://x", NULL, NULL, "./nbd://x", NULL, NULL, NULL },
  { "1nbd://host", NULL, NULL, "1nbd://host", NULL, NULL, NULL },
  { "file:///tmp/disk.img", NULL, NULL, "/tmp/disk.img", NULL, NULL, NULL },
  { "file://localhost/tmp/d%20x.img", NULL, NULL, "/tmp/d x.img", NULL, NULL, NULL },
  { "FILE:///x", NULL, NULL, "/x", NULL, NULL, NULL },
  /* nbd */
  { "nbd://example.com", NULL, "nbd", "", "tcp:example.com", NULL, NULL },
  { "nbd://example.com:10810/", NULL, "nbd", "", "tcp:example.com:10810", NULL, NULL },
  { "nbd://example.com/exp", NULL, "nbd", "exp", "tcp:example.com", NULL, NULL },
  { "nbd://127.0.0.1:2000/a%2Fb", NULL, "nbd", "a/b", "tcp:127.0.0.1:2000", NULL, NULL },
  { "nbd://[::1]:10809/e", NULL, "nbd", "e", "tcp:[::1]:10809", NULL, NULL },
  { "nbd://?socket=/tmp/s.sock", NULL, "nbd", "", "unix:/tmp/s.sock", NULL, NULL },
  { "nbd:///exp?socket=/tmp/s.sock", NULL, "nbd", "exp", "unix:/tmp/s.sock", NULL, NULL },
  { "nbd+unix:///?socket=/run/x%20y", NULL, "nbd", "", "unix:/run/x y", NULL, NULL },
  { "nbd+unix:///export?socket=/s", NULL, "nbd", "export", "unix:/s", NULL, NULL },
  { "nbd+tcp://h:1/", NULL, "nbd", "", "tcp:h:1", NULL, NULL },
  /* curl */
  { "http://www.example.org/disk.img", NULL, "http", "/disk.img", "tcp:www.example.org", NULL, NULL },
  { "https://u:p%40ss@example.org:8443/d.img", NULL, "https", "/d.img", "tcp:example.org:8443", "u", "p@ss" },
  { "http://h/a.img?x=1&y=2", NULL, "http", "/a.img?x=1&y=2", "tcp:h", NULL, NULL },
  { "ftp://anon@ftp.example.com/pub/d.qcow2", NULL, "ftp", "/pub/d.qcow2", "tcp:ftp.example.com", "anon", NULL },
  { "ftps://h:990/x", NULL, "ftps", "/x", "tcp:h:990", NULL, NULL },
  { "tftp://h/x", NULL, "tftp", "/x", "tcp:h", NULL, NULL },
  /* ssh */
  { "ssh://root@example.com/disk.img", NULL, "ssh", "/disk.img", "tcp:example.com", "root", NULL },
  { "ssh://example.com:2222/~/disk.img", NULL, "ssh", "disk.img", "tcp:example.com:2222", NULL, NULL },
  { "ssh://user:pass%40word@example.com/disk.img", NULL, "ssh", "/disk.img", "tcp:example.com", "user", "pass@word" },
  /* iscsi, rbd, gluster, sheepdog */
  { "iscsi://example.com/iqn.2001-04.com.example:storage/0", NULL, "iscsi",
    "iqn.2001-04.com.example:storage/0", "tcp:example.com", NULL, NULL },
  { "iscsi://example.com:3261/iqn.x", NULL, "iscsi", "iqn.x", "tcp:example.com:3261", NULL, NULL },
  { "rbd:///pool/disk", NULL, "rbd", "pool/disk", NULL, NULL, NULL },
  { "rbd://mon.example.com:6789/pool/disk", NULL, "rbd", "pool/disk", "tcp:mon.example.com:6789", NULL, NULL },
  { "gluster://example.com/volname/image", NULL, "gluster", "volname/image", "tcp:example.com", NULL, NULL },
  { "sheepdog:///volume/image", NULL, "sheepdog", "volume/image", NULL, NULL, NULL },
  /* malformed */
  { "", "empty", NULL, NULL, NULL, NULL, NULL },
  { "foo://bar/x", "unknown URI scheme 'foo'", NULL, NULL, NULL, NULL, NULL },
  { "nbd://", "host name is missing", NULL, NULL, NULL, NULL, NULL },
  { "nbd:///exp", "host name is missing", NULL, NULL, NULL, NULL, NULL },
  { "nbd+unix:///exp", "need ?socket=", NULL, NULL, NULL, NULL, NULL },
  { "nbd+unix://host/?socket=/s", "either a host name or ?socket=", NULL, NULL, NULL, NULL, NULL },
  { "nbd://host/?socket=/s", "either a host name or ?socket=", NULL, NULL, NULL, NULL, NULL },
  { "nbd://?socket=", "socket= path is empty", NULL, NULL, NULL, NULL, NULL },
  { "nbd://h/?sock=/x", "unknown query parameter 'sock=/x'", NULL, NULL, NULL, NULL, NULL },
  { "nbd://host:0/", "port must be a number", NULL, NULL, NULL, NULL, NULL },
  { "nbd://host:65536/", "port must be a number", NULL, NULL, NULL, NULL, NULL },
  { "nbd://host:12x/", "port must be a number", NULL, NULL, NULL, NULL, NULL },
  { "nbd://host:/", "port after ':' is empty", NULL, NULL, NULL, NULL, NULL },
  { "nbd://[::1/", "missing ']'", NULL, NULL, NULL, NULL, NULL },
  { "nbd://[]/", "empty IPv6", NULL, NULL, NULL, NULL, NULL },
  { "nbd://[zz]/", "invalid IPv6", NULL, NULL, NULL, NULL, NULL },
  { "nbd://[::1]x/", "after the IPv6", NULL, NULL, NULL, NULL, NULL },
  { "nbd://ho%41st/", "invalid character '%'", NULL, NULL, NULL, NULL, NULL },
  { "http://example.com", "path of the disk image", NULL, NULL, NULL, NULL, NULL },
  { "http://example.com/", "path of the disk image", NULL, NULL, NULL, NULL, NULL },
  { "http:///disk.img", "host name is missing", NULL, NULL, NULL, NULL, NULL },
  { "http://h/a b", "percent-encoded", NULL, NULL, NULL, NULL, NULL },
  { "http://h/a#frag", "fragment", NULL, NULL, NULL, NULL, NULL },
  { "http://h/a%2", "percent-encoding", NULL, NULL, NULL, NULL, NULL },
  { "http://h/a%zz", "percent-encoding", NULL, NULL, NULL, NULL, NULL },
  { "http://h/a%00b", "percent-encoding", NULL, NULL, NULL, NULL, NULL },
  { "http://@h/a", "user name before '@' is empty", NULL, NULL, NULL, NULL, NULL },
  { "ssh://u@/x", "host name is empty", NULL, NULL, NULL, NULL, NULL },
  { "ssh://host", "path of the disk image", NULL, NULL, NULL, NULL, NULL },
  { "ssh://host/~/", "path of the disk image", NULL, NULL, NULL, NULL, NULL },
  { "iscsi://host/", "path is missing", NULL, NULL, NULL, NULL, NULL },
  { "gluster:///vol/img", "host name is missing", NULL, NULL, NULL, NULL, NULL },
  { "rbd://h/", "path is missing", NULL, NULL, NULL, NULL, NULL },
  { "file://otherhost/x", "file:///path", NULL, NULL, NULL, NULL, NULL },
  { "file:///", NULL, NULL, "/", NULL, NULL, NULL },
  { "file://", "file name is missing", NULL, NULL, NULL, NULL, NULL },
  { "file:///x?socket=/y", "unknown query parameter", NULL, NULL, NULL, NULL, NULL },
};

static bool
same (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static void
test_uris (void)
{
  for (size_t i = 0; i < sizeof uri_cases / sizeof uri_cases[0]; ++i) {
    const struct uri_case *c = &uri_cases[i];
    struct hatch_uri u;
    char *err = NULL;
    int r = hatch_uri_parse (c->in, &u, &err);
    if (c->err) {
      ok (r == -1 && err && strstr (err, c->err), "URI '%s' is refused: %s", c->in,
          err ? err : "(accepted)");
    }
    else if (r == -1)
      ok (false, "URI '%s' parses: %s", c->in, err);
    else {
      const char *server = u.server ? u.server[0] : NULL;
      bool one = !u.server || !u.server[1];
      ok (same (u.protocol, c->protocol) && same (u.path, c->path) && same (server, c->server) &&
          one && same (u.username, c->user) && same (u.password, c->password),
          "URI '%s' -> protocol=%s path='%s' server=%s user=%s password=%s", c->in,
          u.protocol ? u.protocol : "-", u.path, server ? server : "-",
          u.username ? u.username : "-", u.password ? u.password : "-");
      hatch_uri_free (&u);
    }
    free (err);
  }
}

/* add_drive_opts's checks: each call must fail with a message
 * containing the given text, and leave no drive behind. */
static void
expect_add_error (guestfs_h *g, const char *what, const char *needle, int r)
{
  const char *e = guestfs_last_error (g);
  ok (r == -1 && e && strstr (e, needle), "add_drive_opts %s: %s", what, r == -1 ? e : "accepted");
}

static void
test_add_drive_checks (void)
{
  guestfs_h *g = create_quiet ();
  char *one[] = { "tcp:127.0.0.1:10809", NULL };
  char *two[] = { "a", "b", NULL };
  char *none[] = { NULL };
  char *unix_s[] = { "unix:/tmp/x.sock", NULL };

  expect_add_error (g, "unknown protocol", "unknown protocol 'gopher'",
    guestfs_add_drive_opts (g, "x", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "gopher", -1));
  expect_add_error (g, "nbd without server", "needs exactly one server (0 given)",
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd", -1));
  expect_add_error (g, "nbd with two servers", "needs exactly one server (2 given)",
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, two, -1));
  expect_add_error (g, "http with an empty server list", "needs exactly one server",
    guestfs_add_drive_opts (g, "/d.img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "http",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, none, -1));
  expect_add_error (g, "file with a server", "server parameter is not allowed with protocol 'file'",
    guestfs_add_drive_opts (g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1));
  expect_add_error (g, "file with a username", "username parameter is not allowed",
    guestfs_add_drive_opts (g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_USERNAME, "u", -1));
  expect_add_error (g, "nbd with a username", "username parameter is not allowed with protocol 'nbd'",
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one,
                            GUESTFS_ADD_DRIVE_OPTS_USERNAME, "u", -1));
  expect_add_error (g, "nbd with a secret", "secret parameter is not allowed with protocol 'nbd'",
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one,
                            GUESTFS_ADD_DRIVE_OPTS_SECRET, "pw", -1));
  expect_add_error (g, "http over a unix socket", "does not support Unix domain sockets",
    guestfs_add_drive_opts (g, "/d", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "http",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, unix_s, -1));
  const char *bad_servers[][2] = {
    { "unix:", "socket path is empty" }, { "tcp:", "host name is empty" },
    { "h:0", "port must be" }, { "h:99999", "port must be" }, { "h:x", "port must be" },
    { "::1", "too many ':'" }, { "[::1", "missing ']'" }, { "[::1]z", "unexpected text" },
    { "h/x", "invalid character" }, { "a b", "invalid character" },
  };
  for (size_t i = 0; i < sizeof bad_servers / sizeof bad_servers[0]; ++i) {
    char *s[] = { (char *) bad_servers[i][0], NULL };
    char what[64];
    snprintf (what, sizeof what, "server '%s'", bad_servers[i][0]);
    expect_add_error (g, what, bad_servers[i][1],
      guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                              GUESTFS_ADD_DRIVE_OPTS_SERVER, s, -1));
  }
  expect_add_error (g, "http with a relative path", "must be an absolute path",
    guestfs_add_drive_opts (g, "d.img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "http",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one,
                            GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1));
  expect_add_error (g, "http writable", "qemu can only read 'http' drives",
    guestfs_add_drive_opts (g, "/d.img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "http",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1));
  expect_add_error (g, "rbd without an image", "must be 'pool/image'",
    guestfs_add_drive_opts (g, "pool", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "rbd", -1));
  expect_add_error (g, "gluster without a path", "must be 'volume/path'",
    guestfs_add_drive_opts (g, "vol/", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "gluster",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1));
  expect_add_error (g, "iscsi with a bad lun", "numeric lun",
    guestfs_add_drive_opts (g, "iqn.x/abc", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "iscsi",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1));
  expect_add_error (g, "ssh with an empty path", "filename (the remote path) is empty",
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "ssh",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1));
  expect_add_error (g, "username with ':'", "username is empty or contains",
    guestfs_add_drive_opts (g, "/d", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "ssh",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one,
                            GUESTFS_ADD_DRIVE_OPTS_USERNAME, "a:b", -1));

  /* Good ones are accepted without any server being contacted. */
  char *v6[] = { "tcp:[::1]:10809", NULL };
  char *mons[] = { "m1:6789", "m2", NULL };
  int good =
    guestfs_add_drive_opts (g, "", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, v6, -1) == 0 &&
    guestfs_add_drive_opts (g, "/d.img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "https",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, one,
                            GUESTFS_ADD_DRIVE_OPTS_USERNAME, "u",
                            GUESTFS_ADD_DRIVE_OPTS_SECRET, "s",
                            GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1) == 0 &&
    guestfs_add_drive_opts (g, "pool/img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "rbd",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, mons, -1) == 0 &&
    guestfs_add_drive_opts (g, "pool/img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "rbd", -1) == 0 &&
    guestfs_add_drive_opts (g, "iqn.2001-04.com.example:s/3", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL,
                            "iscsi", GUESTFS_ADD_DRIVE_OPTS_SERVER, one, -1) == 0 &&
    guestfs_add_drive_opts (g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "file",
                            GUESTFS_ADD_DRIVE_OPTS_SERVER, none, -1) == 0;
  ok (good, "well-formed remote drives are accepted before launch%s%s",
      good ? "" : ": ", good ? "" : errmsg (g));
  guestfs_close (g);
}

/* qemu 7.2 has no tftp or sheepdog driver: launch says so plainly. */
static void
test_missing_driver (void)
{
  guestfs_h *g = create_quiet ();
  char *srv[] = { "tcp:127.0.0.1:1", NULL };
  int r = guestfs_add_drive_opts (g, "/d.img", GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "tftp",
                                  GUESTFS_ADD_DRIVE_OPTS_SERVER, srv,
                                  GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1);
  if (r == 0)
    r = guestfs_launch (g);
  const char *e = guestfs_last_error (g);
  ok (r == -1 && e && strstr (e, "block driver is missing"),
      "launch with a tftp drive: %s", r == -1 ? e : "launched");
  guestfs_close (g);
}

static int
make_file (const char *path, off_t size)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ftruncate (fd, size) == -1) {
    perror (path);
    if (fd >= 0) close (fd);
    return -1;
  }
  return close (fd);
}

static void
test_remove_drive (const char *dir)
{
  char a[4096], b[4096], c[4096];
  snprintf (a, sizeof a, "%s/a.img", dir);
  snprintf (b, sizeof b, "%s/b.img", dir);
  snprintf (c, sizeof c, "%s/c.img", dir);
  if (make_file (a, 1 << 20) || make_file (b, 2 << 20) || make_file (c, 3 << 20)) {
    ok (false, "remove_drive: test images");
    return;
  }
  guestfs_h *g = create_quiet ();
  int r = guestfs_add_drive_opts (g, a, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                                  GUESTFS_ADD_DRIVE_OPTS_LABEL, "first", -1);
  r |= guestfs_add_drive_opts (g, b, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                               GUESTFS_ADD_DRIVE_OPTS_LABEL, "second", -1);
  r |= guestfs_add_drive_opts (g, c, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                               GUESTFS_ADD_DRIVE_OPTS_LABEL, "third", -1);
  ok (r == 0, "three labelled drives added");
  r = guestfs_remove_drive (g, "nosuchlabel");
  const char *e = guestfs_last_error (g);
  ok (r == -1 && e && strstr (e, "no drive with label 'nosuchlabel'"),
      "remove_drive with an unknown label: %s", r == -1 ? e : "accepted");
  ok (guestfs_remove_drive (g, "second") == 0, "remove_drive second before launch");
  ok (guestfs_remove_drive (g, "second") == -1, "remove_drive second again fails");
  if (guestfs_launch (g) == -1) {
    ok (false, "launch: %s", errmsg (g));
    guestfs_close (g);
    return;
  }
  char **devs = guestfs_list_devices (g);
  int64_t s0 = guestfs_blockdev_getsize64 (g, "/dev/sda");
  int64_t s1 = guestfs_blockdev_getsize64 (g, "/dev/sdb");
  ok (devs && devs[0] && devs[1] && !devs[2] && strcmp (devs[0], "/dev/sda") == 0 &&
      strcmp (devs[1], "/dev/sdb") == 0,
      "two devices after removing one: %s %s", devs && devs[0] ? devs[0] : "-",
      devs && devs[0] && devs[1] ? devs[1] : "-");
  ok (s0 == 1 << 20 && s1 == 3 << 20,
      "/dev/sda is the first image, /dev/sdb the third (sizes %" PRId64 ", %" PRId64 ")", s0, s1);
  for (size_t i = 0; devs && devs[i]; ++i)
    free (devs[i]);
  free (devs);
  r = guestfs_remove_drive (g, "third");
  ok (r == 0, "remove_drive after launch: %s", r == 0 ? "unplugged" : errmsg (g));
  devs = guestfs_list_devices (g);
  ok (devs && devs[0] && !devs[1] && strcmp (devs[0], "/dev/sda") == 0,
      "after the hot-remove only /dev/sda is left");
  for (size_t i = 0; devs && devs[i]; ++i)
    free (devs[i]);
  free (devs);
  r = guestfs_add_drive_opts (g, c, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw",
                              GUESTFS_ADD_DRIVE_OPTS_LABEL, "again", -1);
  int64_t s2 = r == 0 ? guestfs_blockdev_getsize64 (g, "/dev/sdb") : -1;
  ok (s2 == 3 << 20, "the image added again takes /dev/sdb (size %" PRId64 ")", s2);
  guestfs_close (g);
}

int
main (void)
{
  test_uris ();
  test_add_drive_checks ();
  test_missing_driver ();
  char *dir = make_tmpdir ("remote-drives");
  if (!dir) {
    ok (false, "temporary directory");
    return tap_done ();
  }
  test_remove_drive (dir);
  cleanup_dir (dir);
  free (dir);
  return tap_done ();
}
