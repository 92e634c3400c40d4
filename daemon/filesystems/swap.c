/* Swap: mkswap, mkswap_file, swapon/swapoff by device, file, label and
 * UUID.
 *
 * Labels and UUIDs are looked up with blkid among the devices the kernel
 * knows, and the device found must pass validate_device (so it is one of
 * the user's, never the appliance's own disk). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/swap.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* "8-4-4-4-12" hex digits. */
bool fs2_valid_uuid (const char *s);

int
do_mkswap (const char *device, const char *label, const char *uuid)
{
  const char *argv[12];
  size_t n = 0;
  argv[n++] = "mkswap";
  argv[n++] = "-f";
  if ((optargs_bitmask & GUESTFS_MKSWAP_OPTS_LABEL_BITMASK) && label) {
    if (strlen (label) > 16) {
      reply_with_error_errno (ERANGE, "%s: swap labels are limited to 16 bytes", label);
      return -1;
    }
    argv[n++] = "-L";
    argv[n++] = label;
  }
  if ((optargs_bitmask & GUESTFS_MKSWAP_OPTS_UUID_BITMASK) && uuid) {
    if (!fs2_valid_uuid (uuid)) {
      reply_with_error_errno (EINVAL, "%s: not a UUID", uuid);
      return -1;
    }
    argv[n++] = "-U";
    argv[n++] = uuid;
  }
  argv[n++] = "--";
  argv[n++] = device;
  argv[n] = NULL;
  CLEANUP_FREE char *err = NULL;
  if (command_run (NULL, NULL, &err, argv) != 0) {
    reply_with_error ("mkswap: %s: %s", device, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

int
do_mkswap_file (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open_data (path, O_RDWR | O_NOFOLLOW, 0);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *p = fd_path (fd);
  if (p == NULL) {
    reply_with_perror ("fd_path");
    return -1;
  }
  CLEANUP_FREE char *err = NULL;
  if (command (NULL, &err, "mkswap", "-f", "--", p, NULL) != 0) {
    reply_with_error ("mkswap: %s: %s", path, err && *err ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

static int
swap_onoff (const char *what, const char *path, bool on)
{
  int r = on ? swapon (path, 0) : swapoff (path);
  if (r == -1) {
    int e = errno;
    if (on && e == EINVAL)
      reply_with_error_errno (e, "swapon: %s: not a valid swap area (make one with mkswap; "
                              "swap files must not have holes)", what);
    else if (!on && e == EINVAL)
      reply_with_error_errno (e, "swapoff: %s: not in use as swap", what);
    else
      reply_with_error_errno (e, "%s: %s: %s", on ? "swapon" : "swapoff", what, strerror (e));
    return -1;
  }
  return 0;
}

int
do_swapon_device (const char *device)
{
  return swap_onoff (device, device, true);
}

int
do_swapoff_device (const char *device)
{
  return swap_onoff (device, device, false);
}

static int
file_onoff (const char *file, bool on)
{
  CLEANUP_CLOSE int fd = sysroot_open_data (file, O_RDONLY | O_NOFOLLOW, 0);
  if (fd == -1)
    return -1;
  CLEANUP_FREE char *p = fd_path (fd);
  if (p == NULL) {
    reply_with_perror ("fd_path");
    return -1;
  }
  return swap_onoff (file, p, on);
}

int
do_swapon_file (const char *file)
{
  return file_onoff (file, true);
}

int
do_swapoff_file (const char *file)
{
  return file_onoff (file, false);
}

/* Find the swap device with TAG=value.  Replies on failure. */
static char *
find_swap (const char *tag, const char *value)
{
  if (value[0] == '\0' || strchr (value, '\n')) {
    reply_with_error_errno (EINVAL, "%s: empty or invalid", tag);
    return NULL;
  }
  CLEANUP_FREE char *token = NULL, *out = NULL, *err = NULL;
  if (asprintf (&token, "%s=%s", tag, value) == -1) {
    reply_with_perror ("asprintf");
    return NULL;
  }
  int r = command (&out, &err, "blkid", "-c", "/dev/null", "-t", token, "-o", "device", NULL);
  CLEANUP_FREE_STRINGS char **devs = r == 0 && out ? split_lines (out) : NULL;
  for (size_t i = 0; devs && devs[i]; ++i) {
    if (strncmp (devs[i], "/dev/vd", 7) == 0)
      continue;                 /* the appliance's own disk */
    CLEANUP_FREE char *type = NULL;
    if (command (&type, NULL, "blkid", "-c", "/dev/null", "-o", "value", "-s", "TYPE",
                 devs[i], NULL) != 0 || strcmp (trim_newlines (type), "swap") != 0)
      continue;
    if (validate_device (devs[i]) == -1)
      return NULL;
    return strdup (devs[i]);
  }
  reply_with_error_errno (ENOENT, "no swap space with %s found", token);
  return NULL;
}

int
do_swapon_label (const char *label)
{
  CLEANUP_FREE char *dev = find_swap ("LABEL", label);
  return dev ? swap_onoff (label, dev, true) : -1;
}

int
do_swapoff_label (const char *label)
{
  CLEANUP_FREE char *dev = find_swap ("LABEL", label);
  return dev ? swap_onoff (label, dev, false) : -1;
}

int
do_swapon_uuid (const char *uuid)
{
  CLEANUP_FREE char *dev = find_swap ("UUID", uuid);
  return dev ? swap_onoff (uuid, dev, true) : -1;
}

int
do_swapoff_uuid (const char *uuid)
{
  CLEANUP_FREE char *dev = find_swap ("UUID", uuid);
  return dev ? swap_onoff (uuid, dev, false) : -1;
}
