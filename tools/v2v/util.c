/* Small helpers of virt-v2v: host commands, messages, disk lists. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "v2v.h"

char *
v2v_strdup_printf (const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) == -1) { perror ("vasprintf"); exit (1); }
  va_end (ap);
  return s;
}

void
v2v_message (struct v2v_options *opts, const char *fmt, ...)
{
  va_list ap;
  char *s;
  if (opts->quiet) return;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) == -1) { perror ("vasprintf"); exit (1); }
  va_end (ap);
  customize_message (&opts->cz, "%s", s);
  free (s);
}

static void
report (struct v2v_options *opts, const char *kind, const char *fmt, va_list ap)
{
  char *s;
  if (vasprintf (&s, fmt, ap) == -1) { perror ("vasprintf"); exit (1); }
  fflush (stdout);
  fprintf (stderr, "%s: %s%s\n", opts->program, kind, s);
  if (opts->machine_readable)
    printf ("%s: %s\n", kind[0] == 'w' ? "warning" : "error", s);
  free (s);
}

void
v2v_error (struct v2v_options *opts, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report (opts, "error: ", fmt, ap);
  va_end (ap);
}

void
v2v_warning (struct v2v_options *opts, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  report (opts, "warning: ", fmt, ap);
  va_end (ap);
}

int
v2v_run (struct v2v_options *opts, char **out, const char *const *argv)
{
  int pfd[2] = { -1, -1 };
  if (opts->trace || opts->verbose) {
    fprintf (stderr, "+");
    for (size_t i = 0; argv[i]; ++i) fprintf (stderr, " %s", argv[i]);
    fprintf (stderr, "\n");
  }
  if (out && pipe (pfd) == -1) { perror ("pipe"); return -1; }
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == -1) { perror ("fork"); return -1; }
  if (pid == 0) {
    if (out) { dup2 (pfd[1], 1); close (pfd[0]); close (pfd[1]); }
    execvp (argv[0], (char **) argv);
    fprintf (stderr, "%s: %s: %s\n", opts->program, argv[0], strerror (errno));
    _exit (127);
  }
  if (out) {
    close (pfd[1]);
    size_t len = 0, cap = 4096;
    char *buf = malloc (cap);
    ssize_t r;
    while (buf && (r = read (pfd[0], buf + len, cap - len - 1)) != 0) {
      if (r == -1) { if (errno == EINTR) continue; break; }
      len += r;
      if (cap - len < 2) { cap *= 2; buf = realloc (buf, cap); }
    }
    close (pfd[0]);
    if (buf) buf[len] = '\0';
    *out = buf;
  }
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR) { perror ("waitpid"); return -1; }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    if (out) { free (*out); *out = NULL; }
    return -1;
  }
  return 0;
}

char *
v2v_read_file (const char *path, size_t *len)
{
  FILE *fp = fopen (path, "rb");
  if (!fp) return NULL;
  size_t cap = 8192, n = 0;
  char *buf = malloc (cap);
  size_t r;
  while (buf && (r = fread (buf + n, 1, cap - n - 1, fp)) > 0) {
    n += r;
    if (cap - n < 2) { cap *= 2; buf = realloc (buf, cap); }
  }
  fclose (fp);
  if (!buf) return NULL;
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

int64_t
v2v_image_size (struct v2v_options *opts, const char *path, const char *format)
{
  char *out = NULL;
  const char *argv[] = { "qemu-img", "info", "--output=json", "-U",
                         format ? "-f" : path, format ? format : NULL,
                         format ? path : NULL, NULL };
  if (v2v_run (opts, &out, argv) == -1 || !out) return -1;
  char *p = strstr (out, "\"virtual-size\":");
  int64_t size = p ? strtoll (p + 15, NULL, 10) : -1;
  free (out);
  return size;
}

struct v2v_disk *
v2v_add_disk (struct v2v_source *src, const char *path, const char *format,
              const char *dev)
{
  src->disks = realloc (src->disks, (src->nr_disks + 1) * sizeof *src->disks);
  if (!src->disks) { perror ("realloc"); exit (1); }
  struct v2v_disk *d = &src->disks[src->nr_disks++];
  memset (d, 0, sizeof *d);
  d->path = strdup (path);
  d->format = format ? strdup (format) : NULL;
  d->dev = dev ? strdup (dev) : NULL;
  return d;
}

struct v2v_nic *
v2v_add_nic (struct v2v_source *src)
{
  src->nics = realloc (src->nics, (src->nr_nics + 1) * sizeof *src->nics);
  if (!src->nics) { perror ("realloc"); exit (1); }
  struct v2v_nic *n = &src->nics[src->nr_nics++];
  memset (n, 0, sizeof *n);
  return n;
}

void
v2v_print_source (const struct v2v_source *src)
{
  printf ("    source name: %s\n", src->name ? src->name : "");
  printf ("hypervisor type: %s\n", src->hypervisor ? src->hypervisor : "unknown");
  printf ("         memory: %" PRId64 " (bytes)\n", src->memory);
  printf ("       nr vCPUs: %d\n", src->vcpus);
  printf ("       firmware: %s\n", src->firmware == V2V_FW_UEFI ? "uefi" :
          src->firmware == V2V_FW_BIOS ? "bios" : "unknown");
  printf ("disks:\n");
  for (size_t i = 0; i < src->nr_disks; ++i)
    printf ("\t%s (%s)%s%s\n", src->disks[i].path,
            src->disks[i].format ? src->disks[i].format : "probe",
            src->disks[i].dev ? " [" : "", src->disks[i].dev ? src->disks[i].dev : "");
  printf ("NICs:\n");
  for (size_t i = 0; i < src->nr_nics; ++i) {
    const struct v2v_nic *n = &src->nics[i];
    printf ("\t%s \"%s\"%s%s%s%s\n", n->bridge ? "Bridge" : "Network",
            n->network ? n->network : "default",
            n->mac ? " mac: " : "", n->mac ? n->mac : "",
            n->model ? " [" : "", n->model ? n->model : "");
  }
}

void
v2v_free_source (struct v2v_source *src)
{
  for (size_t i = 0; i < src->nr_disks; ++i) {
    free (src->disks[i].path); free (src->disks[i].format);
    free (src->disks[i].dev); free (src->disks[i].overlay);
    free (src->disks[i].out_path);
  }
  for (size_t i = 0; i < src->nr_nics; ++i) {
    free (src->nics[i].mac); free (src->nics[i].network); free (src->nics[i].model);
  }
  free (src->disks); free (src->nics); free (src->name); free (src->hypervisor);
  memset (src, 0, sizeof *src);
}
