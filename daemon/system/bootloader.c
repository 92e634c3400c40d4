/* Bootloaders: syslinux (FAT), extlinux (ext2/3/4, btrfs), grub_install.
 *
 * extlinux and grub-install find the filesystem from the directory they
 * are given, so they get the appliance path of the directory after it
 * was resolved inside the guest tree (never a path built from guest
 * input). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* The appliance path of a guest directory, resolved inside the guest
 * tree (malloc'd), or NULL after replying. */
static char *
resolved_dir (const char *path)
{
  CLEANUP_CLOSE int fd = sysroot_open (path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  CLEANUP_FREE char *p = fd_path (fd);
  char buf[PATH_MAX];
  ssize_t n = p ? readlink (p, buf, sizeof buf - 1) : -1;
  if (n == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  buf[n] = '\0';
  if (strncmp (buf, SYSROOT, strlen (SYSROOT)) != 0 ||
      (buf[strlen (SYSROOT)] != '/' && buf[strlen (SYSROOT)] != '\0')) {
    reply_with_error ("%s: not inside the mounted guest filesystem", path);
    return NULL;
  }
  char *r = strdup (buf);
  if (r == NULL)
    reply_with_perror ("strdup");
  return r;
}

int
do_syslinux (const char *device, const char *directory)
{
  const char *argv[8];
  size_t i = 0;
  argv[i++] = "syslinux";
  argv[i++] = "--install";
  argv[i++] = "--force";
  if (optargs_bitmask & GUESTFS_SYSLINUX_DIRECTORY_BITMASK) {
    if (directory[0] == '\0' || directory[0] == '-') {
      reply_with_error_errno (EINVAL, "%s: invalid directory", directory);
      return -1;
    }
    argv[i++] = "--directory";
    argv[i++] = directory;
  }
  argv[i++] = device;
  argv[i] = NULL;
  CLEANUP_FREE char *err = NULL, *out = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    reply_with_error ("%s: %s", device,
                      err && err[0] ? trim_newlines (err) :
                      out && out[0] ? trim_newlines (out) : "syslinux failed");
    return -1;
  }
  return 0;
}

int
do_extlinux (const char *directory)
{
  CLEANUP_FREE char *dir = resolved_dir (directory);
  if (dir == NULL)
    return -1;
  CLEANUP_FREE char *err = NULL, *out = NULL;
  int r = command (&out, &err, "extlinux", "--install", dir, NULL);
  if (r != 0) {
    reply_with_error ("%s: %s", directory,
                      err && err[0] ? trim_newlines (err) :
                      out && out[0] ? trim_newlines (out) : "extlinux failed");
    return -1;
  }
  return 0;
}

int
do_grub_install (const char *root, const char *device)
{
  CLEANUP_FREE char *dir = resolved_dir (root);
  if (dir == NULL)
    return -1;
  CLEANUP_FREE char *bootdir = NULL;
  if (asprintf (&bootdir, "--boot-directory=%s/boot", strcmp (dir, "/") ? dir : "") == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  CLEANUP_FREE char *err = NULL, *out = NULL;
  int r = command (&out, &err, "grub-install", "--target=i386-pc", "--no-floppy",
                   bootdir, "--", device, NULL);
  if (r != 0) {
    reply_with_error ("%s: %s", device,
                      err && err[0] ? trim_newlines (err) :
                      out && out[0] ? trim_newlines (out) : "grub-install failed");
    return -1;
  }
  return 0;
}
