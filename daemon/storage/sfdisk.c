/* Deprecated actions kept for old scripts: zfile (file(1) on the
 * decompressed content) and list_9p (virtio-9p mount tags). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

char *
do_zfile (const char *meth, const char *path)
{
  const char *unpack;
  if (strcmp (meth, "gzip") == 0 || strcmp (meth, "compress") == 0)
    unpack = "zcat";
  else if (strcmp (meth, "bzip2") == 0)
    unpack = "bzcat";
  else if (strcmp (meth, "xz") == 0)
    unpack = "xzcat";
  else {
    reply_with_error ("unknown method \"%s\": use gzip, compress, bzip2 or xz", meth);
    return NULL;
  }
  CLEANUP_CLOSE int fd = sysroot_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  int p[2];
  if (pipe2 (p, O_CLOEXEC) == -1) {
    reply_with_perror ("pipe");
    return NULL;
  }
  /* unpack < file | file -b -: file(1) sees only the decompressed bytes. */
  const char *unpack_argv[] = { unpack, NULL };
  int devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid = spawn_program (unpack_argv, -1, fd, p[1], devnull);
  close (p[1]);
  if (devnull >= 0)
    close (devnull);
  if (pid == -1) {
    close (p[0]);
    reply_with_perror ("%s", unpack);
    return NULL;
  }
  struct command_opts o = { .flags = CMD_STDIN_FD, .stdin_fd = p[0] };
  const char *file_argv[] = { "file", "-b", "-", NULL };
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&o, &out, &err, file_argv);
  close (p[0]);
  int ur = wait_program (pid);
  if (r != 0) {
    reply_with_error ("file: %s", err && err[0] ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  if (ur != 0) {
    reply_with_error ("%s: %s could not decompress it", path, unpack);
    free (out);
    return NULL;
  }
  return trim_newlines (out);
}

char **
do_list_9p (void)
{
  struct stringsbuf sb = { 0 };
  const char *dir = "/sys/bus/virtio/drivers/9pnet_virtio";
  DIR *d = opendir (dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
      if (strncmp (e->d_name, "virtio", 6) != 0)
        continue;
      char path[512];
      snprintf (path, sizeof path, "%s/%s/mount_tag", dir, e->d_name);
      FILE *f = fopen (path, "r");
      if (!f)
        continue;
      char tag[256];
      if (fgets (tag, sizeof tag, f)) {
        trim_newlines (tag);
        if (add_string (&sb, tag) == -1) {
          fclose (f);
          closedir (d);
          free_stringsbuf (&sb);
          return NULL;
        }
      }
      fclose (f);
    }
    closedir (d);
  }
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}

/* ---- the old sfdisk interface ---- */

/* Today's sfdisk has no geometry options (-C -H -S were removed). */
static int
check_geometry (int cyls, int heads, int sectors)
{
  if (cyls < 0 || heads < 0 || sectors < 0) {
    reply_with_error ("cyls, heads and sectors must not be negative");
    return -1;
  }
  if (cyls || heads || sectors) {
    reply_with_error_errno (ENOTSUP, "this sfdisk no longer accepts a disk geometry "
                            "(-C/-H/-S): pass 0 for cyls, heads and sectors");
    return -1;
  }
  return 0;
}

/* Feed text to sfdisk [-N partnum] device. */
static int
run_sfdisk (const char *device, int partnum, const char *text)
{
  char num[16];
  const char *argv[8];
  size_t n = 0;
  argv[n++] = "sfdisk";
  argv[n++] = "--no-reread";
  argv[n++] = "--wipe=never";
  if (partnum > 0) {
    snprintf (num, sizeof num, "%d", partnum);
    argv[n++] = "-N";
    argv[n++] = num;
  }
  argv[n++] = device;
  argv[n] = NULL;
  struct command_opts o = { .stdin_data = text, .stdin_len = strlen (text) };
  CLEANUP_FREE char *err = NULL;
  int r = command_run (&o, NULL, &err, argv);
  if (r != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err && err[0] ? trim_newlines (err) : "failed");
    return -1;
  }
  return 0;
}

static char *
join_lines (char *const *lines, bool megabytes)
{
  size_t len = 1;
  for (size_t i = 0; lines[i]; ++i)
    len += strlen (lines[i]) * 2 + 8;
  char *t = malloc (len), *p = t;
  if (t == NULL)
    return NULL;
  for (size_t i = 0; lines[i]; ++i) {
    const char *l = lines[i];
    /* sfdiskM: the start and size fields are megabytes. */
    for (int field = 0; *l; ++l) {
      if (megabytes && field < 2 && *l >= '0' && *l <= '9' &&
          (l[1] == ',' || l[1] == '\0' || l[1] == ' ')) {
        *p++ = *l;
        *p++ = 'M';
        continue;
      }
      if (*l == ',')
        field++;
      *p++ = *l;
    }
    *p++ = '\n';
  }
  *p = '\0';
  return t;
}

int
do_sfdisk (const char *device, int cyls, int heads, int sectors, char *const *lines)
{
  if (check_geometry (cyls, heads, sectors) == -1)
    return -1;
  CLEANUP_FREE char *text = join_lines (lines, false);
  if (text == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  return run_sfdisk (device, 0, text);
}

int
do_sfdiskM (const char *device, char *const *lines)
{
  CLEANUP_FREE char *text = join_lines (lines, true);
  if (text == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  return run_sfdisk (device, 0, text);
}

int
do_sfdisk_N (const char *device, int partnum, int cyls, int heads, int sectors,
             const char *line)
{
  if (partnum < 1) {
    reply_with_error ("partition number must be 1 or more");
    return -1;
  }
  if (check_geometry (cyls, heads, sectors) == -1)
    return -1;
  CLEANUP_FREE char *text = NULL;
  if (asprintf (&text, "%s\n", line) == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  return run_sfdisk (device, partnum, text);
}

char *
do_sfdisk_l (const char *device)
{
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  if (command (&out, &err, "sfdisk", "-l", device, NULL) != 0) {
    reply_with_error ("sfdisk: %s: %s", device, err && err[0] ? trim_newlines (err) : "failed");
    free (out);
    return NULL;
  }
  return out;
}
