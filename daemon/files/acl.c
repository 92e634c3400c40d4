/* POSIX ACLs (acl_get_file, acl_set_file, acl_delete_def_file) and file
 * capabilities (cap_get_file, cap_set_file): the two kinds of permission
 * metadata kept in extended attributes, handled with libacl and libcap.
 *
 * Both libraries take a path.  The guest path is resolved with
 * sysroot_open (symlinks stay inside the guest) and the library is handed
 * /proc/self/fd/N, a magic link straight to that file (see xattr.c). */
#include <acl/libacl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* Open path in the guest and return "/proc/self/fd/N" in *p.  Replies on
 * failure. */
static int
open_path (const char *path, char **p)
{
  int fd = sysroot_open (path, O_PATH, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  if (asprintf (p, "/proc/self/fd/%d", fd) == -1) {
    reply_with_perror ("asprintf");
    close (fd);
    return -1;
  }
  return fd;
}

static int
parse_acltype (const char *acltype, acl_type_t *t)
{
  if (strcmp (acltype, "access") == 0)
    *t = ACL_TYPE_ACCESS;
  else if (strcmp (acltype, "default") == 0)
    *t = ACL_TYPE_DEFAULT;
  else {
    reply_with_error_errno (EINVAL, "%s: acltype must be \"access\" or \"default\"",
                            acltype);
    return -1;
  }
  return 0;
}

char *
do_acl_get_file (const char *path, const char *acltype)
{
  acl_type_t t;
  if (parse_acltype (acltype, &t) == -1)
    return NULL;
  CLEANUP_FREE char *p = NULL;
  CLEANUP_CLOSE int fd = open_path (path, &p);
  if (fd == -1)
    return NULL;
  acl_t acl = acl_get_file (p, t);
  if (!acl) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  /* Long text form, one entry per line; numeric ids, since names would be
   * looked up in the appliance's user database, not the guest's. */
  char *text = acl_to_any_text (acl, NULL, '\n', TEXT_NUMERIC_IDS | TEXT_SOME_EFFECTIVE);
  acl_free (acl);
  if (!text) {
    reply_with_perror ("acl_to_any_text");
    return NULL;
  }
  char *ret = malloc (strlen (text) + 2);
  if (!ret) {
    reply_with_perror ("malloc");
    acl_free (text);
    return NULL;
  }
  strcpy (ret, text);
  if (ret[0])
    strcat (ret, "\n");
  acl_free (text);
  return ret;
}

int
do_acl_set_file (const char *path, const char *acltype, const char *acl_text)
{
  acl_type_t t;
  if (parse_acltype (acltype, &t) == -1)
    return -1;
  acl_t acl = acl_from_text (acl_text);
  if (!acl) {
    reply_with_error_errno (EINVAL, "%s: not a valid ACL", acl_text);
    return -1;
  }
  CLEANUP_FREE char *p = NULL;
  CLEANUP_CLOSE int fd = open_path (path, &p);
  if (fd == -1) {
    acl_free (acl);
    return -1;
  }
  int r = acl_set_file (p, t, acl);
  int e = errno;
  acl_free (acl);
  if (r == -1) {
    if (e == EINVAL)
      reply_with_error_errno (e, "%s: %s: invalid ACL (it needs the u::, g:: and o:: entries, and m:: when it names users or groups)",
                              path, acl_text);
    else
      reply_with_error_errno (e, "%s: %s", path, strerror (e));
    return -1;
  }
  return 0;
}

int
do_acl_delete_def_file (const char *dir)
{
  CLEANUP_FREE char *p = NULL;
  CLEANUP_CLOSE int fd = open_path (dir, &p);
  if (fd == -1)
    return -1;
  if (acl_delete_def_file (p) == -1) {
    reply_with_perror ("%s", dir);
    return -1;
  }
  return 0;
}

char *
do_cap_get_file (const char *path)
{
  CLEANUP_FREE char *p = NULL;
  CLEANUP_CLOSE int fd = open_path (path, &p);
  if (fd == -1)
    return NULL;
  cap_t cap = cap_get_file (p);
  if (!cap) {
    if (errno == ENODATA) {     /* no capabilities: the empty string */
      char *ret = strdup ("");
      if (!ret)
        reply_with_perror ("strdup");
      return ret;
    }
    reply_with_perror ("%s", path);
    return NULL;
  }
  char *text = cap_to_text (cap, NULL);
  cap_free (cap);
  if (!text) {
    reply_with_perror ("cap_to_text");
    return NULL;
  }
  char *ret = strdup (text);
  cap_free (text);
  if (!ret)
    reply_with_perror ("strdup");
  return ret;
}

int
do_cap_set_file (const char *path, const char *cap_text)
{
  cap_t cap = cap_from_text (cap_text);
  if (!cap) {
    reply_with_error_errno (EINVAL, "%s: not a valid capability set", cap_text);
    return -1;
  }
  /* cap_set_file would lstat /proc/self/fd/N, see a symlink and refuse:
   * set them through a descriptor of the file instead. */
  const char *why = NULL;
  CLEANUP_CLOSE int fd = sysroot_open_data_quiet (path, O_RDONLY, 0, &why);
  if (fd == -1) {
    if (why)
      reply_with_error_errno (EINVAL, "%s: capabilities can only be set on regular files", path);
    else
      reply_with_perror ("%s", path);
    cap_free (cap);
    return -1;
  }
  int r = cap_set_fd (fd, cap);
  int e = errno;
  cap_free (cap);
  if (r == -1) {
    reply_with_error_errno (e, "%s: %s", path, strerror (e));
    return -1;
  }
  return 0;
}
