/* launch and shutdown (library-side actions). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

int
guestfs_impl_launch (guestfs_h *g)
{
  clock_gettime (CLOCK_MONOTONIC, &g->launch_t0);
  g->state = LAUNCHING;
  g->backend_ops = strncmp (g->backend, "unix:", 5) == 0 ? &guestfs_int_backend_unix
    : strncmp (g->backend, "libvirt", 7) == 0 ? &guestfs_int_backend_libvirt
    : &guestfs_int_backend_direct;
  if (g->backend_ops->launch (g) == -1) {
    g->backend_ops = NULL;
    g->state = CONFIG;
    return -1;
  }
  g->state = READY;
  guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_LAUNCH_DONE);
  return 0;
}

int
guestfs_impl_shutdown (guestfs_h *g)
{
  if (g->state == CONFIG)
    return 0;
  int ret = 0;
  if (g->autosync && g->state == READY) {
    /* Unmount and flush so that everything written reaches the images. */
    if (guestfs_umount_all (g) == -1 || guestfs_sync (g) == -1)
      ret = -1;
  }
  if (guestfs_int_backend_shutdown (g, true) == -1)
    ret = -1;
  return ret;
}

int
guestfs_int_backend_shutdown (guestfs_h *g, bool check_errors)
{
  const struct backend_ops *b = g->backend_ops;
  if (!b)
    return 0;
  int r = b->shutdown (g, check_errors);
  g->backend_ops = NULL;
  return r;
}
