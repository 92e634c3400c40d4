/* The two-way appliance console: internal_get_console_socket fails
 * before launch; after a launch in rescue mode (guestfs_rescue=1) it
 * returns a socket on which the appliance's shell can be driven (type a
 * command, read its output), the library keeps working through the
 * daemon meanwhile, and the socket reaches end of file when the shell
 * exits and the appliance powers off.  Also the set_direct flag.  */
#include "tests.h"

/* Read from FD until WANT has been seen (or EOF/timeout); the text read
 * is appended to BUF.  Returns true if seen. */
static bool
read_until (int fd, const char *want, char *buf, size_t size, int timeout_s, bool *eof)
{
  size_t len = strlen (buf);
  double end = now () + timeout_s;
  while (now () < end) {
    if (want && strstr (buf, want))
      return true;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll (&p, 1, 500);
    if (r <= 0)
      continue;
    if (len + 1 >= size) {        /* keep the last half */
      memmove (buf, buf + size / 2, len - size / 2 + 1);
      len = strlen (buf);
    }
    ssize_t n = read (fd, buf + len, size - len - 1);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (n <= 0) {
      if (eof) *eof = true;
      return want == NULL;
    }
    len += (size_t) n;
    buf[len] = '\0';
  }
  return want && strstr (buf, want);
}

static int
write_str (int fd, const char *s)
{
  size_t n = strlen (s);
  return write (fd, s, n) == (ssize_t) n ? 0 : -1;
}

int
main (void)
{
  signal (SIGPIPE, SIG_IGN);
  guestfs_h *g = create_quiet ();

  ok (guestfs_get_direct (g) == 0, "direct mode is off by default");
  ok (guestfs_set_direct (g, 1) == 0 && guestfs_get_direct (g) == 1, "set_direct true");
  ok (guestfs_set_direct (g, 0) == 0 && guestfs_get_direct (g) == 0, "set_direct false");

  int fd = guestfs_internal_get_console_socket (g);
  ok (fd == -1 && guestfs_last_error (g) != NULL,
      "internal_get_console_socket before launch fails (%s)", errmsg (g));

  if (guestfs_add_drive_scratch (g, 16 * 1024 * 1024, -1) == -1 ||
      guestfs_set_append (g, "guestfs_rescue=1") == -1 ||
      guestfs_launch (g) == -1) {
    printf ("Bail out! launch in rescue mode failed: %s\n", errmsg (g));
    return 1;
  }
  fd = guestfs_internal_get_console_socket (g);
  ok (fd >= 0 && fcntl (fd, F_GETFD) != -1, "internal_get_console_socket after launch: fd %d", fd);
  ok (guestfs_internal_get_console_socket (g) == fd, "a second call returns the same fd");

  static char buf[65536];
  buf[0] = '\0';
  /* The rescue shell starts at the first key. */
  ok (write_str (fd, "\n") == 0, "the console socket is writable");
  ok (read_until (fd, "><rescue> ", buf, sizeof buf, 60, NULL), "the rescue shell's prompt arrives");

  buf[0] = '\0';
  write_str (fd, "echo con$((40+2))sole\n");
  ok (read_until (fd, "con42sole", buf, sizeof buf, 60, NULL), "a command typed on the console runs");

  /* The daemon still answers while the caller owns the console. */
  char **devs = guestfs_list_devices (g);
  ok (devs && devs[0] && strcmp (devs[0], "/dev/sda") == 0, "the daemon still answers calls");
  for (size_t i = 0; devs && devs[i]; ++i)
    free (devs[i]);
  free (devs);

  /* The shell sees what the daemon mounted under /sysroot. */
  if (guestfs_mkfs (g, "ext2", "/dev/sda") == 0 && guestfs_mount (g, "/dev/sda", "/") == 0 &&
      guestfs_write (g, "/from-daemon", "daemon-wrote-this", 17) == 0) {
    buf[0] = '\0';
    write_str (fd, "cat /sysroot/from-daemon; echo\n");
    ok (read_until (fd, "daemon-wrote-this", buf, sizeof buf, 60, NULL),
        "the shell sees the daemon's mounts under /sysroot");
  }
  else
    ok (false, "mkfs/mount/write through the daemon: %s", errmsg (g));

  buf[0] = '\0';
  bool eof = false;
  write_str (fd, "exit\n");
  read_until (fd, NULL, buf, sizeof buf, 60, &eof);
  ok (eof, "the console ends when the shell exits (the appliance powers off)");

  guestfs_shutdown (g);
  guestfs_close (g);
  return tap_done ();
}
