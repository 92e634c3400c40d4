/* inspect_list_applications2 / inspect_list_applications and
 * inspect_get_icon: these read the guest tree the caller mounted (under
 * SYSROOT, through sysroot_open), using the package format that
 * inspect_os found for the root.  A missing or garbled package database
 * gives an empty list, never an error. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "inspect.h"
#include "windows.h"

/* "[epoch:]version[-release]" (deb, pacman). */
static void
split_evr (struct app *a, const char *evr)
{
  const char *colon = strchr (evr, ':');
  a->epoch = 0;
  if (colon) {
    bool digits = colon > evr;
    for (const char *p = evr; p < colon; ++p)
      digits = digits && isdigit ((unsigned char) *p);
    if (digits) {
      long e = strtol (evr, NULL, 10);
      a->epoch = e > 0 && e < 1000000 ? (int) e : 0;
      evr = colon + 1;
    }
  }
  const char *dash = strrchr (evr, '-');
  free (a->version);
  free (a->release);
  if (dash) {
    a->version = strndup (evr, (size_t) (dash - evr));
    a->release = strdup (dash + 1);
  }
  else {
    a->version = strdup (evr);
    a->release = NULL;
  }
}

/* ---- dpkg ---- */

/* The continuation lines of a dpkg Description, joined with newlines
 * (" ." lines are kept as "." as libguestfs does). */
static char *
join_lines (struct stringsbuf *desc)
{
  size_t total = 1;
  for (size_t i = 0; i < desc->size; ++i)
    if (desc->argv[i])
      total += strlen (desc->argv[i]) + 1;
  char *d = malloc (total), *o = d;
  if (d == NULL)
    return NULL;
  *o = '\0';
  for (size_t i = 0; i < desc->size; ++i)
    if (desc->argv[i])
      o += sprintf (o, "%s%s", o == d ? "" : "\n", desc->argv[i]);
  return d;
}

/* A dpkg Status value ("want flag status", e.g. "install ok installed";
 * some tools write "installed ok") names an installed package when one
 * of its words is "installed": whole words decide, so "not-installed",
 * "half-installed" and "config-files" never count. */
static bool
dpkg_status_installed (const char *v)
{
  for (const char *p = v; *p; ) {
    p += strspn (p, " \t");
    size_t len = strcspn (p, " \t");
    if (len == 9 && strncmp (p, "installed", 9) == 0)
      return true;
    p += len;
  }
  return false;
}

static int
parse_dpkg (char *c, struct apps *l)
{
  struct app a = { 0 };
  bool installed = false, in_desc = false;
  struct stringsbuf desc = { 0 };
  for (char *line = c, *next; line; line = next) {
    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    if (*line == '\0') {              /* end of a paragraph */
      if (installed) {
        free (a.description);
        a.description = join_lines (&desc);
        if (inspect_add_app (l, &a) == -1) {
          free_stringsbuf (&desc);
          return -1;
        }
      }
      inspect_free_app (&a);
      free_stringsbuf (&desc);
      installed = in_desc = false;
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_desc)
        add_string (&desc, line + 1);
      continue;
    }
    in_desc = false;
    char *colon = strchr (line, ':');
    if (colon == NULL)
      continue;
    *colon = '\0';
    char *v = inspect_trim (colon + 1);
    if (strcmp (line, "Package") == 0) { free (a.name); a.name = strdup (v); }
    else if (strcmp (line, "Status") == 0)
      installed = dpkg_status_installed (v);
    else if (strcmp (line, "Version") == 0) split_evr (&a, v);
    else if (strcmp (line, "Architecture") == 0) { free (a.arch); a.arch = strdup (v); }
    else if (strcmp (line, "Homepage") == 0) { free (a.url); a.url = strdup (v); }
    else if (strcmp (line, "Source") == 0) {
      free (a.source);
      a.source = strndup (v, strcspn (v, " ("));
    }
    else if (strcmp (line, "Description") == 0) {
      free (a.summary);
      a.summary = strdup (v);
      in_desc = true;
    }
  }
  /* A final paragraph without a blank line after it. */
  int r = 0;
  if (installed) {
    free (a.description);
    a.description = join_lines (&desc);
    r = inspect_add_app (l, &a);
  }
  inspect_free_app (&a);
  free_stringsbuf (&desc);
  return r;
}

/* ---- pacman: /var/lib/pacman/local/NAME-VER-REL/desc ---- */

static void
parse_pacman_desc (char *c, struct app *a)
{
  char *key = NULL;
  for (char *line = strtok (c, "\n"); line; line = strtok (NULL, "\n")) {
    size_t ll = strlen (line);
    if (ll > 2 && line[0] == '%' && line[ll - 1] == '%') {
      key = line;
      continue;
    }
    if (key == NULL)
      continue;
    if (strcmp (key, "%NAME%") == 0) { free (a->name); a->name = strdup (line); }
    else if (strcmp (key, "%VERSION%") == 0) split_evr (a, line);
    /* As libguestfs: the one-line %DESC% is the description (no summary),
     * and %BASE% is not reported as the source package. */
    else if (strcmp (key, "%DESC%") == 0) { free (a->description); a->description = strdup (line); }
    else if (strcmp (key, "%URL%") == 0) { free (a->url); a->url = strdup (line); }
    else if (strcmp (key, "%ARCH%") == 0) { free (a->arch); a->arch = strdup (line); }
    key = NULL;
  }
}

static int
list_pacman (struct apps *l)
{
  int dfd = sysroot_open ("/var/lib/pacman/local", O_RDONLY | O_DIRECTORY, 0);
  if (dfd == -1)
    return 0;
  DIR *d = fdopendir (dfd);
  if (d == NULL) {
    close (dfd);
    return 0;
  }
  struct dirent *e;
  int r = 0;
  while (r == 0 && (e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char *p;
    if (asprintf (&p, "/var/lib/pacman/local/%s/desc", e->d_name) == -1)
      break;
    int fd = sysroot_open (p, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
    free (p);
    if (fd == -1)
      continue;
    CLEANUP_FREE char *c = inspect_read_fd (fd, INSPECT_MAX_CONFIG, NULL);
    close (fd);
    if (c == NULL)
      continue;
    struct app a = { 0 };
    parse_pacman_desc (c, &a);
    r = inspect_add_app (l, &a);
  }
  closedir (d);
  return r;
}

/* ---- apk: /lib/apk/db/installed ---- */

static int
parse_apk (char *c, struct apps *l)
{
  struct app a = { 0 };
  for (char *line = c, *next; line; line = next) {
    next = strchr (line, '\n');
    if (next)
      *next++ = '\0';
    if (*line == '\0') {
      if (inspect_add_app (l, &a) == -1)
        return -1;
      continue;
    }
    if (line[1] != ':')
      continue;
    const char *v = line + 2;
    /* As libguestfs: "1.36.1-r15" is version 1.36.1, release 15; the
     * one-line T: is the description (no summary); the origin (o:) is not
     * reported as the source package. */
    switch (line[0]) {
    case 'P': free (a.name); a.name = strdup (v); break;
    case 'V':
      split_evr (&a, v);
      if (a.release && a.release[0] == 'r' && a.release[1])
        memmove (a.release, a.release + 1, strlen (a.release));
      break;
    case 'A': free (a.arch); a.arch = strdup (v); break;
    case 'T': free (a.description); a.description = strdup (v); break;
    case 'U': free (a.url); a.url = strdup (v); break;
    }
  }
  return inspect_add_app (l, &a);
}

/* ---- rpm (rpm.c reads the database) ---- */

static int
add_rpm (void *opaque, struct inspect_rpm_pkg *p)
{
  struct app a = {
    .name = p->name, .version = p->version, .release = p->release,
    .arch = p->arch, .url = p->url, .summary = p->summary,
    .description = p->description, .epoch = p->epoch,
  };
  memset (p, 0, sizeof *p);
  return inspect_add_app (opaque, &a);
}

/* Sorted by name (then architecture, then version) whatever order the
 * database had, as libguestfs returns them. */
static int
compare_apps (const void *av, const void *bv)
{
  const struct app *a = av, *b = bv;
  int c = strcmp (a->name, b->name);
  if (c == 0)
    c = strcmp (a->arch ? a->arch : "", b->arch ? b->arch : "");
  if (c == 0)
    c = strcmp (a->version ? a->version : "", b->version ? b->version : "");
  if (c == 0)
    c = strcmp (a->release ? a->release : "", b->release ? b->release : "");
  return c;
}

static int
read_sysroot_file (const char *path, size_t max, char **ret)
{
  *ret = NULL;
  int fd = sysroot_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
  if (fd == -1)
    return 0;
  *ret = inspect_read_fd (fd, max, NULL);
  close (fd);
  return 0;
}

static int
list_apps (const char *root, struct apps *l)
{
  struct inspect_os *os = inspect_find_root (root);
  if (os == NULL)
    return -1;
  memset (l, 0, sizeof *l);
  int r = 0;
  if (strcmp (os->package_format, "deb") == 0) {
    CLEANUP_FREE char *c = NULL;
    read_sysroot_file ("/var/lib/dpkg/status", INSPECT_MAX_PKGDB, &c);
    if (c)
      r = parse_dpkg (c, l);
  }
  else if (strcmp (os->package_format, "pacman") == 0)
    r = list_pacman (l);
  else if (strcmp (os->package_format, "apk") == 0) {
    CLEANUP_FREE char *c = NULL;
    read_sysroot_file ("/lib/apk/db/installed", INSPECT_MAX_PKGDB, &c);
    if (c)
      r = parse_apk (c, l);
  }
  else if (strcmp (os->package_format, "rpm") == 0)
    r = inspect_rpm_list (add_rpm, l);
  if (r == 0 && l->n > 1)
    qsort (l->v, l->n, sizeof l->v[0], compare_apps);
  if (r == -1) {
    inspect_free_apps (l);
    reply_with_perror ("inspect_list_applications");
  }
  return r;
}

static char *
s (const char *v)
{
  return strdup (v ? v : "");
}

static struct guestfs_application2_list *apps_to_list2 (struct apps *l);
static struct guestfs_application_list *apps_to_list (struct apps *l);

/* The applications of root, from its package database or (Windows) its
 * registry.  -1 after replying with an error. */
static int
root_apps (const char *root, struct apps *l)
{
  struct inspect_os *os = inspect_find_root (root);
  if (os == NULL)
    return -1;
  if (os->windows_systemroot) {
    memset (l, 0, sizeof *l);
    if (inspect_windows_apps (os, l) == -1)
      return -1;
    if (l->n > 1)
      qsort (l->v, l->n, sizeof l->v[0], compare_apps);
    return 0;
  }
  return list_apps (root, l);
}

struct guestfs_application2_list *
do_inspect_list_applications2 (const char *root)
{
  struct apps l;
  if (root_apps (root, &l) == -1)
    return NULL;
  return apps_to_list2 (&l);
}

/* The rpm database of the guest mounted on /, as libguestfs's inspection
 * code asks for it. */
struct guestfs_application2_list *
do_internal_list_rpm_applications (void)
{
  struct apps l;
  memset (&l, 0, sizeof l);
  if (inspect_rpm_list (add_rpm, &l) == -1) {
    inspect_free_apps (&l);
    reply_with_perror ("internal_list_rpm_applications");
    return NULL;
  }
  if (l.n > 1)
    qsort (l.v, l.n, sizeof l.v[0], compare_apps);
  return apps_to_list2 (&l);
}

/* Moves l's entries into a reply list (l is freed). */
static struct guestfs_application2_list *
apps_to_list2 (struct apps *lp)
{
  struct apps l = *lp;
  struct guestfs_application2_list *r = calloc (1, sizeof *r);
  if (r && l.n)
    r->val = calloc (l.n, sizeof *r->val);
  if (r == NULL || (l.n && r->val == NULL)) {
    free (r);
    inspect_free_apps (&l);
    reply_with_perror ("malloc");
    return NULL;
  }
  r->len = (uint32_t) l.n;
  for (size_t i = 0; i < l.n; ++i) {
    struct guestfs_application2 *o = &r->val[i];
    struct app *a = &l.v[i];
    o->app2_name = s (a->name);
    o->app2_display_name = s (a->display_name);
    o->app2_epoch = a->epoch;
    o->app2_version = s (a->version);
    o->app2_release = s (a->release);
    o->app2_arch = s (a->arch);
    o->app2_install_path = s (a->install_path);
    o->app2_trans_path = s (NULL);
    o->app2_publisher = s (a->publisher);
    o->app2_url = s (a->url);
    o->app2_source_package = s (a->source);
    o->app2_summary = s (a->summary);
    o->app2_description = s (a->description);
    o->app2_spare1 = s (NULL);
    o->app2_spare2 = s (NULL);
    o->app2_spare3 = s (NULL);
    o->app2_spare4 = s (NULL);
  }
  inspect_free_apps (&l);
  return r;
}

/* The same for the older structure (no arch). */
static struct guestfs_application_list *
apps_to_list (struct apps *lp)
{
  struct apps l = *lp;
  struct guestfs_application_list *r = calloc (1, sizeof *r);
  if (r && l.n)
    r->val = calloc (l.n, sizeof *r->val);
  if (r == NULL || (l.n && r->val == NULL)) {
    free (r);
    inspect_free_apps (&l);
    reply_with_perror ("malloc");
    return NULL;
  }
  r->len = (uint32_t) l.n;
  for (size_t i = 0; i < l.n; ++i) {
    struct guestfs_application *o = &r->val[i];
    struct app *a = &l.v[i];
    o->app_name = s (a->name);
    o->app_display_name = s (a->display_name);
    o->app_epoch = a->epoch;
    o->app_version = s (a->version);
    o->app_release = s (a->release);
    o->app_install_path = s (a->install_path);
    o->app_trans_path = s (NULL);
    o->app_publisher = s (a->publisher);
    o->app_url = s (a->url);
    o->app_source_package = s (a->source);
    o->app_summary = s (a->summary);
    o->app_description = s (a->description);
  }
  inspect_free_apps (&l);
  return r;
}

struct guestfs_application_list *
do_inspect_list_applications (const char *root)
{
  struct apps l;
  if (root_apps (root, &l) == -1)
    return NULL;
  return apps_to_list (&l);
}

/* ---- icons ---- */

#define ICON_MAX (4 * 1024 * 1024)

/* Distribution logos, largest first. */
static const struct { const char *distro, *path; } icons[] = {
  { "debian", "/usr/share/pixmaps/debian-logo.png" },
  { "fedora", "/usr/share/icons/hicolor/512x512/apps/fedora-logo-icon.png" },
  { "fedora", "/usr/share/icons/hicolor/256x256/apps/fedora-logo-icon.png" },
  { "fedora", "/usr/share/icons/hicolor/48x48/apps/fedora-logo-icon.png" },
  { "rhel", "/usr/share/pixmaps/redhat/shadowman-transparent.png" },
  { "centos", "/usr/share/pixmaps/centos-logo.png" },
  { "rocky", "/usr/share/icons/hicolor/256x256/apps/rocky-logo-icon.png" },
  { "ubuntu", "/usr/share/icons/hicolor/48x48/apps/ubuntu-logo-icon.png" },
  { "opensuse", "/usr/share/icons/hicolor/48x48/apps/distributor.png" },
  { "sles", "/usr/share/icons/hicolor/48x48/apps/distributor.png" },
  { "mageia", "/usr/share/icons/mageia.png" },
  { "archlinux", "/usr/share/pixmaps/archlinux-logo.png" },
  { "alpinelinux", "/usr/share/pixmaps/alpine-logo.png" },
};

/* A PNG at most ICON_MAX bytes; with highquality, at least 256 pixels
 * wide and with an alpha channel. */
static char *
read_png (const char *path, bool highquality, size_t *size_r)
{
  CLEANUP_FREE char *c = NULL;
  size_t len = 0;
  int fd = sysroot_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
  if (fd == -1)
    return NULL;
  c = inspect_read_fd (fd, ICON_MAX, &len);
  close (fd);
  if (c == NULL || len < 8 || memcmp (c, "\x89PNG\r\n\x1a\n", 8) != 0)
    return NULL;
  if (highquality) {
    if (len < 26 || memcmp (c + 12, "IHDR", 4) != 0)
      return NULL;
    const unsigned char *u = (const unsigned char *) c;
    unsigned w = ((unsigned) u[16] << 24) | (u[17] << 16) | (u[18] << 8) | u[19];
    if (w < 256 || (u[25] != 4 && u[25] != 6))
      return NULL;
  }
  char *r = c;
  c = NULL;
  *size_r = len;
  return r;
}

char *
do_inspect_get_icon (const char *root, int favicon, int highquality, size_t *size_r)
{
  struct inspect_os *os = inspect_find_root (root);
  if (os == NULL)
    return NULL;
  if (!(optargs_bitmask & GUESTFS_INSPECT_GET_ICON_FAVICON_BITMASK))
    favicon = 1;
  if (!(optargs_bitmask & GUESTFS_INSPECT_GET_ICON_HIGHQUALITY_BITMASK))
    highquality = 0;
  char *r = NULL;
  if (favicon && strcmp (os->type, "windows") != 0)
    r = read_png ("/etc/favicon.png", highquality, size_r);
  for (size_t i = 0; r == NULL && i < sizeof icons / sizeof icons[0]; ++i)
    if (strcmp (icons[i].distro, os->distro) == 0)
      r = read_png (icons[i].path, highquality, size_r);
  if (r == NULL) {
    /* No icon: an empty buffer, as documented. */
    r = malloc (1);
    if (r == NULL) {
      reply_with_perror ("malloc");
      return NULL;
    }
    *size_r = 0;
  }
  return r;
}
