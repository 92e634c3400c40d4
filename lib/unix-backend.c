/* The unix:PATH backend: connect to a daemon that is already running,
 * whose channel is served on the Unix socket PATH (for example a VM the
 * user started with the daemon's virtio-serial port on a qemu
 * "-chardev socket,path=PATH,server=on,wait=off").  Nothing is started:
 * the daemon's disks are the ones its VM was given, so adding drives to
 * the handle is refused.  For debugging the daemon; see guestfs(3),
 * BACKEND.  The daemon greets its first client only, and exits when that
 * client goes away. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guestfs-internal.h"

/* How long the daemon may take to greet us: it is already running. */
#define UNIX_HELLO_MS 20000

static int
unix_launch (guestfs_h *g)
{
  const char *path = g->backend + strlen ("unix:");
  if (g->nr_drives > 0) {
    error (g, "launch: the unix: backend connects to a daemon that is already "
           "running, with the disks its VM was started with: add no drives "
           "(%zu added)", g->nr_drives);
    return -1;
  }
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (!*path || strlen (path) >= sizeof sa.sun_path) {
    error (g, "launch: unix:%s: the socket path is empty or too long", path);
    return -1;
  }
  strcpy (sa.sun_path, path);
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1) {
    guestfs_int_perrorf (g, "launch: socket");
    return -1;
  }
  if (connect (s, (struct sockaddr *) &sa, sizeof sa) == -1) {
    int e = errno;
    close (s);
    errno = e;
    guestfs_int_perrorf (g, "launch: unix:%s: cannot connect to the daemon's "
                         "socket%s", path,
                         e == ENOENT || e == ECONNREFUSED
                         ? " (is the VM with the daemon running, its channel "
                           "served on this socket?)" : "");
    return -1;
  }
  g->sock = s;
  guestfs_int_launch_phase (g, "connected to unix:%s", path);
  if (guestfs_int_wait_hello (g, UNIX_HELLO_MS) == -1) {
    close (g->sock);
    g->sock = -1;
    return -1;
  }
  return 0;
}

static int
unix_shutdown (guestfs_h *g, bool check_errors)
{
  int ret = 0;
  /* The daemon exits when asked (its VM then powers off, as the direct
   * backend's does); it is not ours to kill otherwise. */
  if (g->sock >= 0 && g->state == READY &&
      guestfs_int_daemon_exit (g) == -1 && check_errors) {
    error (g, "shutdown: the daemon did not exit cleanly");
    ret = -1;
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  g->state = CONFIG;
  return ret;
}

const struct backend_ops guestfs_int_backend_unix = {
  .name = "unix",
  .launch = unix_launch,
  .shutdown = unix_shutdown,
};
