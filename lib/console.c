/* The appliance's serial console from the program's side.
 *
 * The direct backend runs qemu with its serial port on stdio, and qemu's
 * stdin, stdout and stderr are one end of a socketpair: the library reads
 * the other end (console_fd) for log events and error messages, and
 * whoever holds it can also type into the appliance's console.
 * internal_get_console_socket hands that end to the caller (virt-rescue),
 * after which the library leaves it alone; set_direct (the old way) gives
 * qemu the program's own stdin/stdout instead. */
#include <errno.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

int
guestfs_impl_set_direct (guestfs_h *g, int direct)
{
  g->direct_mode = direct != 0;
  return 0;
}

int
guestfs_impl_get_direct (guestfs_h *g)
{
  return g->direct_mode;
}

int
guestfs_impl_internal_get_console_socket (guestfs_h *g)
{
  if (g->console_given)
    return g->console_given_fd;
  if (g->state == CONFIG || g->qemu_pid <= 0) {
    guestfs_int_error_errno (g, EINVAL, "internal_get_console_socket: the "
                             "appliance is not running (call launch first)");
    return -1;
  }
  if (g->console_fd < 0) {
    if (g->direct_mode)
      guestfs_int_error_errno (g, ENXIO, "internal_get_console_socket: the "
                               "console is connected to the program's "
                               "stdin/stdout (direct mode)");
    else
      guestfs_int_error_errno (g, ENXIO, "internal_get_console_socket: the "
                               "appliance console has been closed");
    return -1;
  }
  /* Not drained first: what the appliance printed since launch (a rescue
   * shell's first prompt, say) is the caller's to read. */
  g->console_given_fd = g->console_fd;
  g->console_given = true;
  g->console_fd = -1;
  return g->console_given_fd;
}

void
guestfs_int_console_release (guestfs_h *g)
{
  if (!g->console_given)
    return;
  close (g->console_given_fd);
  g->console_given_fd = -1;
  g->console_given = false;
}
