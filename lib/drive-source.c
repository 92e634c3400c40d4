/* Remote drives: check add_drive_opts's protocol, server, username and
 * secret, and turn a drive into the source qemu opens.
 *
 * A local drive's source is its file name.  A remote drive's source is
 * a "json:{"file":{...}}" block-driver description (qemu's nbd, curl, ssh,
 * iscsi, rbd and gluster drivers), which lets every value pass through
 * without qemu's URL or option syntax getting in the way.  A secret
 * never appears on qemu's command line: it goes into a memfd that qemu
 * reads as "-object secret,file=/proc/self/fd/N". */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* What each protocol takes. */
struct protocol {
  const char *name;
  int min_servers, max_servers;   /* max -1: unlimited */
  bool username, secret, unix_socket;
  const char *default_port;
};

static const struct protocol protocols[] = {
  { "file",     0, 0,  false, false, false, NULL },
  { "ftp",      1, 1,  true,  true,  false, "21" },
  { "ftps",     1, 1,  true,  true,  false, "990" },
  { "http",     1, 1,  true,  true,  false, "80" },
  { "https",    1, 1,  true,  true,  false, "443" },
  { "tftp",     1, 1,  true,  true,  false, "69" },
  { "gluster",  1, 1,  false, false, true,  "24007" },
  { "iscsi",    1, 1,  true,  true,  false, "3260" },
  { "nbd",      1, 1,  false, false, true,  "10809" },
  { "rbd",      0, -1, true,  true,  false, "6789" },
  { "sheepdog", 0, -1, false, false, false, "7000" },
  { "ssh",      1, 1,  true,  false, false, "22" },
};

static const struct protocol *
find_protocol (const char *name)
{
  for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; ++i)
    if (strcmp (protocols[i].name, name) == 0)
      return &protocols[i];
  return NULL;
}

static bool
is_curl (const char *p)
{
  return strcmp (p, "ftp") == 0 || strcmp (p, "ftps") == 0 || strcmp (p, "http") == 0 ||
         strcmp (p, "https") == 0 || strcmp (p, "tftp") == 0;
}

/* One parsed server string. */
struct server {
  bool is_unix;
  char *host;         /* without brackets for IPv6 */
  char *port;         /* NULL: the protocol's default */
  char *path;         /* unix socket */
};

static void
free_server (struct server *s)
{
  free (s->host);
  free (s->port);
  free (s->path);
  memset (s, 0, sizeof *s);
}

static bool
valid_host_char (char c, bool ipv6)
{
  if (isalnum ((unsigned char) c) || c == '.' || c == '-' || c == '_')
    return true;
  return ipv6 && (c == ':' || c == '%');
}

/* "unix:/path", "tcp:host[:port]", "host[:port]", "[v6addr][:port]". */
static int
parse_server (guestfs_h *g, const char *str, struct server *s)
{
  memset (s, 0, sizeof *s);
  if (strncmp (str, "unix:", 5) == 0) {
    if (str[5] == '\0') {
      error (g, "server '%s': the Unix socket path is empty", str);
      return -1;
    }
    s->is_unix = true;
    s->path = guestfs_int_safe_strdup (g, str + 5);
    return 0;
  }
  const char *p = str;
  if (strncmp (p, "tcp:", 4) == 0)
    p += 4;
  const char *host = p, *hend, *port = NULL;
  bool ipv6 = false;
  if (*p == '[') {
    ipv6 = true;
    host = p + 1;
    hend = strchr (host, ']');
    if (!hend) {
      error (g, "server '%s': missing ']' after the IPv6 address", str);
      return -1;
    }
    if (hend[1] == ':')
      port = hend + 2;
    else if (hend[1] != '\0') {
      error (g, "server '%s': unexpected text after ']'", str);
      return -1;
    }
  }
  else {
    hend = strchr (p, ':');
    if (hend) {
      port = hend + 1;
      if (strchr (port, ':')) {
        error (g, "server '%s': too many ':' (write an IPv6 address as [addr]:port)", str);
        return -1;
      }
    }
    else
      hend = p + strlen (p);
  }
  if (hend == host) {
    error (g, "server '%s': the host name is empty", str);
    return -1;
  }
  for (const char *c = host; c < hend; ++c)
    if (!valid_host_char (*c, ipv6)) {
      error (g, "server '%s': invalid character in the host name", str);
      return -1;
    }
  if (port) {
    char *end;
    errno = 0;
    long n = strtol (port, &end, 10);
    if (!*port || *end || errno || n < 1 || n > 65535 || !isdigit ((unsigned char) *port)) {
      error (g, "server '%s': the port must be a number from 1 to 65535", str);
      return -1;
    }
  }
  s->host = strndup (host, hend - host);
  s->port = port ? strdup (port) : NULL;
  if (!s->host || (port && !s->port)) {
    guestfs_int_perrorf (g, "strdup");
    free_server (s);
    return -1;
  }
  return 0;
}

void
guestfs_int_drive_free_remote (struct drive *d)
{
  free (d->protocol);
  guestfs_int_free_string_list (d->server);
  free (d->username);
  if (d->secret) {
    memset (d->secret, 0, strlen (d->secret));
    free (d->secret);
  }
  free (d->qemu_source);
  if (d->qemu_object && d->secret_fd >= 0)
    close (d->secret_fd);
  free (d->qemu_object);
  free (d->libvirt_secret);
  d->libvirt_secret = NULL;
  d->protocol = d->username = d->secret = d->qemu_source = d->qemu_object = NULL;
  d->server = NULL;
  d->secret_fd = -1;
}

/* Check the remote-drive optional arguments and record them in d. */
int
guestfs_int_drive_set_remote (guestfs_h *g, struct drive *d,
                              const struct guestfs_add_drive_opts_argv *o)
{
  uint64_t m = o->bitmask;
  const char *name = (m & GUESTFS_ADD_DRIVE_OPTS_PROTOCOL_BITMASK) ? o->protocol : "file";
  const struct protocol *p = find_protocol (name);
  if (!p) {
    error (g, "add_drive_opts: unknown protocol '%s'", name);
    return -1;
  }
  size_t nr = 0;
  if (m & GUESTFS_ADD_DRIVE_OPTS_SERVER_BITMASK)
    while (o->server && o->server[nr])
      ++nr;
  if ((int) nr < p->min_servers || (p->max_servers >= 0 && (int) nr > p->max_servers)) {
    if (p->max_servers == 0)
      error (g, "add_drive_opts: the server parameter is not allowed with protocol '%s'", name);
    else
      error (g, "add_drive_opts: protocol '%s' needs exactly one server (%zu given)", name, nr);
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK) && !p->username) {
    error (g, "add_drive_opts: the username parameter is not allowed with protocol '%s'", name);
    return -1;
  }
  /* qemu's ssh driver has no password option; libguestfs accepts one
   * (ssh://user:password@host URIs), so take it and say it is unused. */
  bool ssh_secret = (m & GUESTFS_ADD_DRIVE_OPTS_SECRET_BITMASK) && strcmp (name, "ssh") == 0;
  if ((m & GUESTFS_ADD_DRIVE_OPTS_SECRET_BITMASK) && !p->secret && !ssh_secret) {
    error (g, "add_drive_opts: the secret parameter is not allowed with protocol '%s'", name);
    return -1;
  }
  if ((m & GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK) &&
      (!*o->username || strpbrk (o->username, ":@/") || strchr (o->username, '\n'))) {
    error (g, "add_drive_opts: the username is empty or contains ':', '@', '/' or a newline");
    return -1;
  }
  for (size_t i = 0; i < nr; ++i) {
    struct server s;
    if (parse_server (g, o->server[i], &s) == -1)
      return -1;
    bool is_unix = s.is_unix;
    free_server (&s);
    if (is_unix && !p->unix_socket) {
      error (g, "add_drive_opts: protocol '%s' does not support Unix domain sockets", name);
      return -1;
    }
  }
  if (p->max_servers == 0)      /* a local file: nothing else to record */
    return 0;

  /* What the filename means for each protocol. */
  const char *f = d->filename;
  if (strcmp (name, "nbd") != 0 && *f == '\0') {
    error (g, "add_drive_opts: protocol '%s': the filename (the remote path) is empty", name);
    return -1;
  }
  if (is_curl (name) && !((m & GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK) && o->readonly)) {
    error (g, "add_drive_opts: qemu can only read '%s' drives: add the drive with "
           "readonly set (guestfish: --ro or add-ro)", name);
    return -1;
  }
  if (is_curl (name) && f[0] != '/') {
    error (g, "add_drive_opts: protocol '%s': the filename must be an absolute path "
           "on the server, starting with '/'", name);
    return -1;
  }
  if ((strcmp (name, "gluster") == 0 || strcmp (name, "rbd") == 0) &&
      (f[0] == '/' || !strchr (f, '/') || strchr (f, '/')[1] == '\0')) {
    error (g, "add_drive_opts: protocol '%s': the filename must be '%s'", name,
           strcmp (name, "rbd") == 0 ? "pool/image" : "volume/path");
    return -1;
  }
  if (strcmp (name, "iscsi") == 0) {
    const char *slash = strrchr (f, '/');
    if (f[0] == '/' || (slash && (slash == f || !slash[1] ||
                                  strlen (slash + 1) > 5 ||
                                  strspn (slash + 1, "0123456789") != strlen (slash + 1)))) {
      error (g, "add_drive_opts: protocol 'iscsi': the filename must be 'target-iqn[/lun]' "
             "with a numeric lun");
      return -1;
    }
  }
  if (strlen (f) > 4096) {
    error (g, "add_drive_opts: the filename is too long");
    return -1;
  }

  d->protocol = guestfs_int_safe_strdup (g, name);
  if (nr && !(d->server = guestfs_int_copy_string_list (o->server))) {
    guestfs_int_perrorf (g, "malloc");
    return -1;
  }
  if (m & GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK)
    d->username = guestfs_int_safe_strdup (g, o->username);
  if (ssh_secret)
    guestfs_int_warning (g, "add_drive_opts: ssh: the password is not used: qemu "
                         "authenticates with ssh-agent or the user's keys");
  else if (m & GUESTFS_ADD_DRIVE_OPTS_SECRET_BITMASK)
    d->secret = guestfs_int_safe_strdup (g, o->secret);
  return 0;
}

/* Every server of d, parsed (*nr of them; the array ends with an empty
 * one), or NULL with the handle error set.  free_servers undoes it. */
static struct server *
parse_servers (guestfs_h *g, const struct drive *d, size_t *nr)
{
  *nr = 0;
  while (d->server && d->server[*nr])
    ++*nr;
  struct server *sv = calloc (*nr + 1, sizeof *sv);
  if (!sv) {
    guestfs_int_perrorf (g, "calloc");
    return NULL;
  }
  for (size_t k = 0; k < *nr; ++k)
    if (parse_server (g, d->server[k], &sv[k]) == -1) {
      for (size_t j = 0; j < k; ++j)
        free_server (&sv[j]);
      free (sv);
      return NULL;
    }
  return sv;
}

static void
free_servers (struct server *sv, size_t nr)
{
  for (size_t k = 0; sv && k < nr; ++k)
    free_server (&sv[k]);
  free (sv);
}

/* ---- building the json: source ---- */

static void
json_str (FILE *fp, const char *s)
{
  fputc ('"', fp);
  for (const unsigned char *p = (const unsigned char *) s; *p; ++p) {
    if (*p == '"' || *p == '\\')
      fprintf (fp, "\\%c", *p);
    else if (*p < 0x20)
      fprintf (fp, "\\u%04x", *p);
    else
      fputc (*p, fp);
  }
  fputc ('"', fp);
}

static void
json_kv (FILE *fp, const char *key, const char *value)
{
  fputc (',', fp);
  json_str (fp, key);
  fputc (':', fp);
  json_str (fp, value);
}

/* A URL path: keep what is safe in a path (and '?' so a query string
 * passes), percent-encode the rest. */
static void
url_path (FILE *fp, const char *s)
{
  static const char keep[] = "-._~/!$&'()*+,;=:@?";
  for (const unsigned char *p = (const unsigned char *) s; *p; ++p) {
    if (isalnum (*p) || strchr (keep, *p))
      fputc (*p, fp);
    else
      fprintf (fp, "%%%02X", *p);
  }
}

static void
json_inet (FILE *fp, const struct server *s, const struct protocol *p, bool typed)
{
  fputc ('{', fp);
  if (typed)
    fputs ("\"type\":\"inet\",", fp);
  json_str (fp, "host");
  fputc (':', fp);
  json_str (fp, s->host);
  json_kv (fp, "port", s->port ? s->port : p->default_port);
  fputc ('}', fp);
}

static void
json_server (FILE *fp, const struct server *s, const struct protocol *p)
{
  if (s->is_unix) {
    fputs ("{\"type\":\"unix\",", fp);
    json_str (fp, "path");
    fputc (':', fp);
    json_str (fp, s->path);
    fputc ('}', fp);
  }
  else
    json_inet (fp, s, p, true);
}

/* "[v6]" for URLs and portals. */
static void
host_for_url (FILE *fp, const struct server *s)
{
  if (strchr (s->host, ':'))
    fprintf (fp, "[%s]", s->host);
  else
    fputs (s->host, fp);
}

/* Put the secret into a memfd and describe it as a qemu secret object. */
static int
make_secret (guestfs_h *g, struct drive *d, size_t i)
{
  int fd = memfd_create ("hatch-secret", 0);   /* inherited by qemu */
  if (fd == -1) {
    guestfs_int_perrorf (g, "memfd_create");
    return -1;
  }
  size_t n = strlen (d->secret);
  if (write (fd, d->secret, n) != (ssize_t) n) {
    guestfs_int_perrorf (g, "writing the secret");
    close (fd);
    return -1;
  }
  if (asprintf (&d->qemu_object, "secret,id=hatchsec%zu,format=raw,file=/proc/self/fd/%d",
                i, fd) == -1) {
    d->qemu_object = NULL;
    guestfs_int_perrorf (g, "asprintf");
    close (fd);
    return -1;
  }
  d->secret_fd = fd;
  return 0;
}

static char *
remote_source (guestfs_h *g, struct drive *d, size_t i)
{
  const struct protocol *p = find_protocol (d->protocol);
  size_t nr;
  struct server *sv = parse_servers (g, d, &nr);
  if (!sv)
    return NULL;
  if (d->secret && make_secret (g, d, i) == -1)
    goto fail;
  char secid[32];
  snprintf (secid, sizeof secid, "hatchsec%zu", i);

  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) {
    guestfs_int_perrorf (g, "open_memstream");
    goto fail;
  }
  /* The protocol node is the "file" child: the format node above it
   * is -drive's format= (or probed). */
  fputs ("json:{\"file\":{\"driver\":", fp);
  const char *name = d->protocol, *f = d->filename;
  if (strcmp (name, "nbd") == 0) {
    fputs ("\"nbd\",\"server\":", fp);
    json_server (fp, &sv[0], p);
    if (*f)
      json_kv (fp, "export", f);
  }
  else if (is_curl (name)) {
    json_str (fp, name);
    fputs (",\"url\":\"", fp);
    /* The URL's characters are all plain ASCII without quotes. */
    fprintf (fp, "%s://", name);
    host_for_url (fp, &sv[0]);
    if (sv[0].port)
      fprintf (fp, ":%s", sv[0].port);
    url_path (fp, f);
    fputc ('"', fp);
    if (d->username)
      json_kv (fp, "username", d->username);
    if (d->secret)
      json_kv (fp, "password-secret", secid);
  }
  else if (strcmp (name, "ssh") == 0) {
    fputs ("\"ssh\",\"server\":", fp);
    json_inet (fp, &sv[0], p, false);
    json_kv (fp, "path", f);
    if (d->username)
      json_kv (fp, "user", d->username);
  }
  else if (strcmp (name, "iscsi") == 0) {
    const char *slash = strrchr (f, '/');
    char *target = slash ? strndup (f, slash - f) : strdup (f);
    if (!target) {
      fclose (fp);
      free (buf);
      guestfs_int_perrorf (g, "strdup");
      goto fail;
    }
    fputs ("\"iscsi\",\"transport\":\"tcp\",\"portal\":\"", fp);
    host_for_url (fp, &sv[0]);
    fprintf (fp, ":%s\"", sv[0].port ? sv[0].port : p->default_port);
    json_kv (fp, "target", target);
    fprintf (fp, ",\"lun\":%ld", slash ? strtol (slash + 1, NULL, 10) : 0L);
    if (d->username)
      json_kv (fp, "user", d->username);
    if (d->secret)
      json_kv (fp, "password-secret", secid);
    free (target);
  }
  else if (strcmp (name, "rbd") == 0) {
    const char *slash = strchr (f, '/');
    char *pool = strndup (f, slash - f);
    if (!pool) {
      fclose (fp);
      free (buf);
      guestfs_int_perrorf (g, "strndup");
      goto fail;
    }
    fputs ("\"rbd\"", fp);
    json_kv (fp, "pool", pool);
    json_kv (fp, "image", slash + 1);
    free (pool);
    if (nr) {
      fputs (",\"server\":[", fp);
      for (size_t k = 0; k < nr; ++k) {
        if (k)
          fputc (',', fp);
        json_inet (fp, &sv[k], p, false);
      }
      fputc (']', fp);
    }
    if (d->username)
      json_kv (fp, "user", d->username);
    if (d->secret)
      json_kv (fp, "key-secret", secid);
  }
  else if (strcmp (name, "gluster") == 0) {
    const char *slash = strchr (f, '/');
    char *vol = strndup (f, slash - f);
    if (!vol) {
      fclose (fp);
      free (buf);
      guestfs_int_perrorf (g, "strndup");
      goto fail;
    }
    fputs ("\"gluster\"", fp);
    json_kv (fp, "volume", vol);
    json_kv (fp, "path", slash + 1);
    free (vol);
    fputs (",\"server\":[", fp);
    json_server (fp, &sv[0], p);
    fputc (']', fp);
  }
  else {                        /* sheepdog: qemu dropped its driver */
    json_str (fp, name);
    json_kv (fp, "vdi", f);
  }
  fputs ("}}", fp);
  if (fclose (fp) != 0) {
    free (buf);
    guestfs_int_perrorf (g, "open_memstream");
    goto fail;
  }
  free_servers (sv, nr);
  return buf;

 fail:
  free_servers (sv, nr);
  return NULL;
}

/* The block drivers this qemu has ("-drive format=help"), as one
 * space-separated string, or NULL when it cannot be asked. */
static char *
qemu_block_drivers (guestfs_h *g)
{
  char *out = guestfs_int_hv_query (g, (const char *const[]) {
      "-nodefaults", "-display", "none", "-drive", "format=help", NULL });
  /* Only the first line lists the drivers qemu can open read-write. */
  if (out)
    out[strcspn (out, "\n")] = '\0';
  return out;
}

/* A modular qemu (Debian's) lists its optional block drivers in
 * "format=help" whether or not their module is installed: look for the
 * module file too, in the library directories a distribution's qemu
 * uses.  Returns false only when qemu is modular there and the module
 * is missing. */
static bool
module_present (guestfs_h *g, const char *protocol)
{
  const char *mod = is_curl (protocol) ? "curl" : protocol;
  if (strcmp (mod, "nbd") == 0)         /* built in */
    return true;
  if (strncmp (g->hv, "/usr/local/", 11) == 0 ||
      (g->hv[0] == '/' && strncmp (g->hv, "/usr/bin/", 9) != 0))
    return true;                        /* not the distribution's qemu */
  glob_t gl;
  if (glob ("/usr/lib/*/qemu/accel-*.so", 0, NULL, &gl) != 0 &&
      glob ("/usr/lib64/qemu/accel-*.so", 0, NULL, &gl) != 0) {
    globfree (&gl);
    return true;                        /* not modular: format=help is right */
  }
  bool found = false;
  for (size_t i = 0; i < gl.gl_pathc && !found; ++i) {
    char *dir = strdup (gl.gl_pathv[i]), *slash, *path;
    if (!dir || !(slash = strrchr (dir, '/'))) {
      free (dir);
      found = true;
      break;
    }
    *slash = '\0';
    if (asprintf (&path, "%s/block-%s.so", dir, mod) == -1)
      found = true;
    else {
      found = access (path, R_OK) == 0;
      free (path);
    }
    free (dir);
  }
  globfree (&gl);
  return found;
}

static bool
has_word (const char *list, const char *w)
{
  size_t n = strlen (w);
  for (const char *p = list; (p = strstr (p, w)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == '\n'))
      return true;
  return false;
}

/* At launch: compute each drive's qemu source (and secret object). */
int
guestfs_int_drive_sources (guestfs_h *g)
{
  char *drivers = NULL;
  bool asked = false;
  for (size_t i = 0; i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    free (d->qemu_source);
    d->qemu_source = NULL;
    if (d->qemu_object && d->secret_fd >= 0)
      close (d->secret_fd);
    free (d->qemu_object);
    d->qemu_object = NULL;
    d->secret_fd = -1;
    if (!d->protocol) {
      /* qemu reads "WORD:" before the first '/' as a protocol prefix
       * ("nbd:", "json:"): a relative file name must not look like one. */
      const char *f = d->filename ? d->filename : "";
      size_t pre = strcspn (f, "/");
      if (f[0] != '/' && memchr (f, ':', pre)) {
        if (asprintf (&d->qemu_source, "./%s", f) == -1) {
          d->qemu_source = NULL;
          guestfs_int_perrorf (g, "asprintf");
          free (drivers);
          return -1;
        }
      }
      else
        d->qemu_source = guestfs_int_safe_strdup (g, f);
      continue;
    }
    if (!asked) {
      drivers = qemu_block_drivers (g);
      asked = true;
    }
    if ((drivers && !has_word (drivers, d->protocol)) || !module_present (g, d->protocol)) {
      bool dropped = strcmp (d->protocol, "tftp") == 0 || strcmp (d->protocol, "sheepdog") == 0;
      error (g, "launch: %s cannot open '%s' drives: its %s block driver is missing (%s)",
             g->hv, d->protocol, d->protocol,
             dropped ? "qemu no longer has this driver"
                     : "on Debian it comes from the qemu-block-extra package");
      free (drivers);
      return -1;
    }
    d->qemu_source = remote_source (g, d, i);
    if (!d->qemu_source) {
      free (drivers);
      return -1;
    }
    guestfs_int_debug (g, "drive %zu: %s", i, d->qemu_source);
  }
  free (drivers);
  return 0;
}

/* ---- the same source as libvirt domain XML ---- */

const char *
guestfs_int_drive_libvirt_secret_type (const struct drive *d)
{
  return strcmp (d->protocol, "rbd") == 0 ? "ceph" : "iscsi";
}

int
guestfs_int_drive_libvirt_check (guestfs_h *g, const struct drive *d)
{
  /* libvirt 9.0's domain XML has no ssh network disk. */
  if (d->protocol && (!find_protocol (d->protocol) || strcmp (d->protocol, "ssh") == 0 ||
                      strcmp (d->protocol, "file") == 0)) {
    guestfs_int_error_errno (g, ENOTSUP, "launch: libvirt has no '%s' network disks: "
                             "use LIBGUESTFS_BACKEND=direct for this drive", d->protocol);
    return -1;
  }
  return 0;
}

int
guestfs_int_drive_libvirt_source (guestfs_h *g, const struct drive *d,
                                  const char *secret_uuid, FILE *fp)
{
  const struct protocol *p = find_protocol (d->protocol);
  if (guestfs_int_drive_libvirt_check (g, d) == -1)
    return -1;
  size_t nr;
  struct server *sv = parse_servers (g, d, &nr);
  if (!sv)
    return -1;
  fprintf (fp, "      <source protocol='%s'", d->protocol);
  if (d->filename && *d->filename) {
    fputs (" name='", fp);
    guestfs_int_xml_put (fp, d->filename);
    fputc ('\'', fp);
  }
  fputs (">\n", fp);
  for (size_t k = 0; k < nr; ++k) {
    if (sv[k].is_unix) {
      fputs ("        <host transport='unix' socket='", fp);
      guestfs_int_xml_put (fp, sv[k].path);
      fputs ("'/>\n", fp);
    }
    else {
      fputs ("        <host name='", fp);
      guestfs_int_xml_put (fp, sv[k].host);
      fprintf (fp, "' port='%s'/>\n", sv[k].port ? sv[k].port : p->default_port);
    }
  }
  if (d->username) {
    fputs ("        <auth username='", fp);
    guestfs_int_xml_put (fp, d->username);
    fputs ("'>", fp);
    if (secret_uuid)
      fprintf (fp, "<secret type='%s' uuid='%s'/>", guestfs_int_drive_libvirt_secret_type (d),
               secret_uuid);
    fputs ("</auth>\n", fp);
  }
  fputs ("      </source>\n", fp);
  free_servers (sv, nr);
  return 0;
}

/* With a scsi-hd on qemu's curl driver, qboot never starts the kernel
 * (qemu 7.2: the device's first read is served, then nothing; SeaBIOS
 * boots fine, and so does qboot with NBD).  The other network drivers
 * could not be tried here, so only NBD keeps the faster firmware. */
bool
guestfs_int_drives_allow_qboot (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (g->drives[i].protocol && strcmp (g->drives[i].protocol, "nbd") != 0)
      return false;
  return true;
}
