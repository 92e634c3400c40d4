/* VIRTIO_WIN as an ISO (the virtio-win-*.iso Red Hat and Fedora ship):
 * the directories the Windows conversion uses (viostor, vioscsi, NetKVM,
 * Balloon, guest-agent, in any case) are unpacked with isoinfo (Debian
 * package genisoimage) into our temporary directory, which then serves
 * as the VIRTIO_WIN directory.  The ISO is data the user gave us, not
 * guest content; it is never mounted.  Rock Ridge names are used when
 * the ISO has them, else Joliet, else plain ISO 9660 names (";1"
 * version suffixes dropped). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "v2v.h"

static const char *const wanted[] = {
  "viostor", "vioscsi", "netkvm", "balloon", "guest-agent", NULL
};

/* Run isoinfo ARGV (extracting WHAT) with its stdout into the file OUT. */
static int
isoinfo_to_file (struct v2v_options *opts, const char *const *argv, const char *what,
                 const char *out)
{
  int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd == -1) { v2v_error (opts, "%s: %s", out, strerror (errno)); return -1; }
  pid_t pid = fork ();
  if (pid == 0) {
    dup2 (fd, 1);
    int null = open ("/dev/null", O_WRONLY);
    if (null >= 0) dup2 (null, 2);
    execvp (argv[0], (char **) argv);
    _exit (127);
  }
  close (fd);
  int status;
  if (pid == -1 || waitpid (pid, &status, 0) == -1 || !WIFEXITED (status) ||
      WEXITSTATUS (status) != 0) {
    v2v_error (opts, "isoinfo could not extract %s from the VIRTIO_WIN ISO%s", what,
               pid != -1 && WIFEXITED (status) && WEXITSTATUS (status) == 127 ?
               " (isoinfo is not installed: Debian package genisoimage)" : "");
    return -1;
  }
  return 0;
}

/* make DIR and its parents */
static int
mkdirs (const char *dir)
{
  char *p = strdup (dir);
  for (char *s = p + 1; p && *s; ++s)
    if (*s == '/') { *s = '\0'; mkdir (p, 0755); *s = '/'; }
  int r = p && (mkdir (p, 0755) == 0 || errno == EEXIST) ? 0 : -1;
  free (p);
  return r;
}

char *
v2v_virtio_win_from_iso (struct v2v_options *opts, const char *iso)
{
  /* Which names does the ISO have? */
  char *desc = NULL;
  const char *argv_d[] = { "isoinfo", "-d", "-i", iso, NULL };
  if (v2v_run (opts, &desc, argv_d) == -1 || !desc) {
    v2v_error (opts, "VIRTIO_WIN=%s is a file but not an ISO image that isoinfo can read "
               "(isoinfo is in Debian package genisoimage)", iso);
    free (desc);
    return NULL;
  }
  const char *names = strstr (desc, "Rock Ridge signatures") ? "-R" :
                      strstr (desc, "Joliet with UCS") ? "-J" : NULL;
  free (desc);

  char *list = NULL;
  const char *argv_f[] = { "isoinfo", "-f", "-i", iso, names, NULL };
  if (v2v_run (opts, &list, argv_f) == -1 || !list) {
    v2v_error (opts, "cannot list the files of the VIRTIO_WIN ISO %s", iso);
    free (list);
    return NULL;
  }
  char *dest = v2v_strdup_printf ("%s/virtio-win", opts->tmpdir);
  v2v_message (opts, "Unpacking the drivers from the VIRTIO_WIN ISO %s", iso);
  /* The listed paths under a wanted top directory. */
  char **paths = NULL;
  size_t npaths = 0;
  for (char *line = list, *next; line && *line; line = next) {
    next = strchr (line, '\n');
    if (next) *next++ = '\0';
    if (line[0] != '/') continue;
    const char *top = line + 1;
    size_t toplen = strcspn (top, "/");
    bool want = false;
    for (size_t i = 0; wanted[i] && !want; ++i)
      want = strlen (wanted[i]) == toplen && !strncasecmp (top, wanted[i], toplen);
    if (!want || top[toplen] != '/' || strstr (line, "/../") || strstr (line, "/./"))
      continue;
    paths = realloc (paths, (npaths + 1) * sizeof *paths);
    paths[npaths++] = line;
  }
  /* Those that are no other path's parent are the files to extract. */
  size_t nfiles = 0;
  int ret = 0;
  for (size_t i = 0; i < npaths && ret == 0; ++i) {
    size_t len = strlen (paths[i]);
    bool is_dir = false;
    for (size_t j = 0; j < npaths && !is_dir; ++j)
      is_dir = !strncmp (paths[j], paths[i], len) && paths[j][len] == '/';
    if (is_dir) continue;
    char *name = strdup (paths[i]);
    if (!names) {               /* plain ISO 9660: NAME.EXT;1 */
      char *semi = strrchr (name, ';');
      if (semi) *semi = '\0';
      size_t nl = strlen (name);
      if (nl && name[nl - 1] == '.') name[nl - 1] = '\0';
    }
    char *path = v2v_strdup_printf ("%s%s", dest, name);
    char *slash = strrchr (path, '/');
    *slash = '\0';
    int r = mkdirs (path);
    *slash = '/';
    const char *argv_x[8];
    size_t k = 0;
    argv_x[k++] = "isoinfo"; argv_x[k++] = "-i"; argv_x[k++] = iso;
    if (names) argv_x[k++] = names;
    argv_x[k++] = "-x"; argv_x[k++] = paths[i]; argv_x[k] = NULL;
    if (r == -1 || isoinfo_to_file (opts, argv_x, paths[i], path) == -1) ret = -1;
    else ++nfiles;
    free (name); free (path);
  }
  free (paths);
  free (list);
  if (ret == 0 && nfiles == 0)
    v2v_warning (opts, "the VIRTIO_WIN ISO %s has none of the driver directories "
                 "(viostor, vioscsi, NetKVM, Balloon, guest-agent)", iso);
  if (ret == -1) { free (dest); return NULL; }
  return dest;
}
