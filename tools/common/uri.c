/* -a URIs: scheme://[user[:password]@]host[:port]/path[?query].
 *
 * Each scheme maps to an add_drive_opts protocol; what the path means
 * (a path on the server, an NBD export name, "pool/image", ...) is the
 * protocol's business, described in guestfish(1).  This file does the
 * syntax: splitting, percent-decoding, and the checks that need the
 * URI's shape (a host where one is needed, a socket only for NBD).
 * Whether a protocol takes a user name or password is left to the
 * library, which says so for API callers too. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs.h"
#include "uri.h"

static int fail (char **errmsg, const char *fmt, ...) __attribute__((format (printf, 2, 3)));

static int
fail (char **errmsg, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (errmsg, fmt, ap) == -1)
    *errmsg = NULL;
  va_end (ap);
  return -1;
}

void
hatch_uri_free (struct hatch_uri *u)
{
  free (u->path);
  free (u->protocol);
  if (u->server) {
    for (size_t i = 0; u->server[i]; ++i)
      free (u->server[i]);
    free (u->server);
  }
  free (u->username);
  if (u->password) {
    memset (u->password, 0, strlen (u->password));
    free (u->password);
  }
  memset (u, 0, sizeof *u);
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decode [s, s+n).  NULL (and *bad set) on a malformed escape
 * or one that decodes to NUL; NULL without *bad on out of memory. */
static char *
decode (const char *s, size_t n, bool *bad)
{
  char *r = malloc (n + 1), *q = r;
  *bad = false;
  if (!r)
    return NULL;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] != '%') {
      *q++ = s[i];
      continue;
    }
    if (i + 2 >= n) {
      free (r);
      *bad = true;
      return NULL;
    }
    int a = hexval (s[i + 1]), b = hexval (s[i + 2]);
    if (a < 0 || b < 0 || (a == 0 && b == 0)) {
      free (r);
      *bad = true;
      return NULL;
    }
    *q++ = (char) (a * 16 + b);
    i += 2;
  }
  *q = '\0';
  return r;
}

/* Decode one component, reporting its name on error. */
static int
decode_part (const char *s, size_t n, const char *what, char **out, char **errmsg)
{
  bool bad;
  *out = decode (s, n, &bad);
  if (*out)
    return 0;
  if (bad)
    return fail (errmsg, "bad percent-encoding (%%XX) in the %s", what);
  return fail (errmsg, "out of memory");
}

struct scheme {
  const char *name;       /* as written in the URI */
  const char *protocol;   /* add_drive_opts protocol; NULL: local file */
  bool needs_host;
  bool may_have_host;
  bool strip_slash;       /* the path is relative ("pool/image", export name) */
};

static const struct scheme schemes[] = {
  { "file",     NULL,       false, false, false },
  { "ftp",      "ftp",      true,  true,  false },
  { "ftps",     "ftps",     true,  true,  false },
  { "http",     "http",     true,  true,  false },
  { "https",    "https",    true,  true,  false },
  { "tftp",     "tftp",     true,  true,  false },
  { "gluster",  "gluster",  true,  true,  true },
  { "iscsi",    "iscsi",    true,  true,  true },
  { "nbd",      "nbd",      false, true,  true },   /* host, or ?socket= */
  { "nbd+tcp",  "nbd",      true,  true,  true },
  { "nbd+unix", "nbd",      false, false, true },   /* ?socket= required */
  { "rbd",      "rbd",      false, true,  true },
  { "sheepdog", "sheepdog", false, true,  true },
  { "ssh",      "ssh",      true,  true,  false },
};

static bool
host_char_ok (char c)
{
  return isalnum ((unsigned char) c) || c == '.' || c == '-' || c == '_';
}

int
hatch_uri_parse (const char *arg, struct hatch_uri *u, char **errmsg)
{
  char *socket = NULL;      /* nbd ?socket= */
  memset (u, 0, sizeof *u);
  *errmsg = NULL;

  /* A scheme is a letter, then letters, digits, '+', '-' or '.', then
   * "://".  Anything else ("disk.img", "a:b.img", "./x://y") is a file. */
  size_t sl = 0;
  if (isalpha ((unsigned char) arg[0]))
    for (sl = 1; isalnum ((unsigned char) arg[sl]) || arg[sl] == '+' || arg[sl] == '-' ||
                 arg[sl] == '.'; ++sl)
      ;
  if (sl == 0 || strncmp (arg + sl, "://", 3) != 0) {
    if (!*arg)
      return fail (errmsg, "empty disk name");
    u->path = strdup (arg);
    return u->path ? 0 : fail (errmsg, "out of memory");
  }

  const struct scheme *sc = NULL;
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; ++i)
    if (strlen (schemes[i].name) == sl && strncasecmp (arg, schemes[i].name, sl) == 0)
      sc = &schemes[i];
  if (!sc)
    return fail (errmsg, "unknown URI scheme '%.*s' (see \"ADDING REMOTE STORAGE\" "
                 "in guestfish(1) for the supported ones)", (int) sl, arg);

  const char *p = arg + sl + 3;
  if (strchr (p, '#'))
    return fail (errmsg, "a URI fragment ('#...') is not allowed (write '#' as %%23)");
  for (const char *c = p; *c; ++c)
    if ((unsigned char) *c <= ' ' || *c == 0x7f)
      return fail (errmsg, "spaces and control characters must be percent-encoded");

  /* Authority: up to the first '/' or '?'. */
  size_t alen = strcspn (p, "/?");
  const char *auth = p, *aend = p + alen;
  const char *rest = aend;
  size_t plen = strcspn (rest, "?");
  const char *query = rest[plen] == '?' ? rest + plen + 1 : NULL;

  /* user[:password]@ */
  const char *at = NULL;
  for (const char *c = auth; c < aend; ++c)
    if (*c == '@')
      at = c;
  const char *host = auth;
  if (at) {
    const char *colon = memchr (auth, ':', at - auth);
    const char *uend = colon ? colon : at;
    if (uend == auth)
      return fail (errmsg, "the user name before '@' is empty");
    if (decode_part (auth, uend - auth, "user name", &u->username, errmsg) == -1)
      goto err;
    if (colon && decode_part (colon + 1, at - colon - 1, "password", &u->password, errmsg) == -1)
      goto err;
    host = at + 1;
  }

  /* host[:port] or [v6]:port */
  const char *hend, *port = NULL;
  if (host < aend && *host == '[') {
    const char *rb = memchr (host, ']', aend - host);
    if (!rb) {
      fail (errmsg, "missing ']' after the IPv6 address");
      goto err;
    }
    for (const char *c = host + 1; c < rb; ++c)
      if (!isxdigit ((unsigned char) *c) && *c != ':' && *c != '.') {
        fail (errmsg, "invalid IPv6 address");
        goto err;
      }
    if (rb == host + 1) {
      fail (errmsg, "empty IPv6 address");
      goto err;
    }
    hend = rb + 1;
    if (hend < aend && *hend != ':') {
      fail (errmsg, "unexpected text after the IPv6 address");
      goto err;
    }
    if (hend < aend)
      port = hend + 1;
  }
  else {
    hend = memchr (host, ':', aend - host);
    if (hend)
      port = hend + 1;
    else
      hend = aend;
    for (const char *c = host; c < hend; ++c)
      if (!host_char_ok (*c)) {
        fail (errmsg, "invalid character '%c' in the host name", *c);
        goto err;
      }
  }
  size_t hlen = hend - host;
  if (port) {
    if (port == aend) {
      fail (errmsg, "the port after ':' is empty");
      goto err;
    }
    long n = 0;
    for (const char *c = port; c < aend; ++c) {
      if (!isdigit ((unsigned char) *c) || n > 65535) {
        fail (errmsg, "the port must be a number from 1 to 65535");
        goto err;
      }
      n = n * 10 + (*c - '0');
    }
    if (n < 1 || n > 65535) {
      fail (errmsg, "the port must be a number from 1 to 65535");
      goto err;
    }
  }
  if (hlen == 0 && (port || at)) {
    fail (errmsg, "a user name or port is given but the host name is empty");
    goto err;
  }

  /* The query: only ?socket= (NBD over a Unix socket) means anything,
   * except for the curl protocols, where it is part of the URL. */
  bool curl = sc->protocol && (strncmp (sc->protocol, "http", 4) == 0 ||
                               strncmp (sc->protocol, "ftp", 3) == 0 ||
                               strcmp (sc->protocol, "tftp") == 0);
  if (query && !curl) {
    const char *q = query;
    while (*q) {
      size_t n = strcspn (q, "&");
      if (n >= 7 && strncmp (q, "socket=", 7) == 0 && sc->protocol &&
          strcmp (sc->protocol, "nbd") == 0) {
        free (socket);
        socket = NULL;
        if (decode_part (q + 7, n - 7, "socket path", &socket, errmsg) == -1)
          goto err;
      }
      else if (n > 0) {
        fail (errmsg, "unknown query parameter '%.*s'%s", (int) n, q,
              sc->protocol && strcmp (sc->protocol, "nbd") == 0 ? " (NBD URIs take ?socket=PATH)" : "");
        goto err;
      }
      q += n;
      if (*q == '&')
        ++q;
    }
  }

  /* Host rules per scheme. */
  if (sc->protocol == NULL) {
    if (hlen && !(hlen == 9 && strncasecmp (host, "localhost", 9) == 0)) {
      fail (errmsg, "file URIs name a local file: write file:///path");
      goto err;
    }
    if (at || port) {
      fail (errmsg, "file URIs cannot have a user name or port");
      goto err;
    }
  }
  else if (socket) {
    if (hlen) {
      fail (errmsg, "give either a host name or ?socket=, not both");
      goto err;
    }
    if (!*socket) {
      fail (errmsg, "the ?socket= path is empty");
      goto err;
    }
  }
  else if (strcmp (sc->name, "nbd+unix") == 0) {
    fail (errmsg, "nbd+unix URIs need ?socket=PATH");
    goto err;
  }
  else if (hlen == 0 && (sc->needs_host || strcmp (sc->name, "nbd") == 0)) {
    fail (errmsg, "the host name is missing%s",
          strcmp (sc->protocol, "nbd") == 0 ? " (or use ?socket=PATH)" : "");
    goto err;
  }
  else if (hlen && !sc->may_have_host) {
    fail (errmsg, "%s URIs take no host name", sc->name);
    goto err;
  }

  /* The path. */
  if (decode_part (rest, plen, "path", &u->path, errmsg) == -1) {
    goto err;
  }
  if (sc->protocol == NULL) {
    if (!*u->path) {
      fail (errmsg, "the file name is missing");
      goto err;
    }
  }
  else if (sc->strip_slash) {
    char *s = u->path;
    if (*s == '/')
      memmove (s, s + 1, strlen (s));
    if (!*s && strcmp (sc->protocol, "nbd") != 0) {
      fail (errmsg, "the path is missing (%s)",
            strcmp (sc->protocol, "iscsi") == 0 ? "iscsi://host/target-iqn/lun" :
            strcmp (sc->protocol, "rbd") == 0 ? "rbd://[host]/pool/image" :
            strcmp (sc->protocol, "gluster") == 0 ? "gluster://host/volume/path" :
            "sheepdog://[host]/volume");
      goto err;
    }
  }
  else if (strcmp (sc->protocol, "ssh") == 0) {
    /* ssh://host/~/disk.img: relative to the remote user's home. */
    if (strncmp (u->path, "/~/", 3) == 0)
      memmove (u->path, u->path + 3, strlen (u->path + 3) + 1);
    if (!*u->path || strcmp (u->path, "/") == 0) {
      fail (errmsg, "the path of the disk image on the server is missing");
      goto err;
    }
  }
  else {                        /* curl: the URL's path, query and all */
    if (!*u->path || strcmp (u->path, "/") == 0) {
      fail (errmsg, "the path of the disk image on the server is missing");
      goto err;
    }
    if (query) {
      char *s;
      if (asprintf (&s, "%s?%s", u->path, query) == -1) {
        fail (errmsg, "out of memory");
        goto err;
      }
      free (u->path);
      u->path = s;
    }
  }

  if (sc->protocol) {
    u->protocol = strdup (sc->protocol);
    if (!u->protocol) {
      fail (errmsg, "out of memory");
      goto err;
    }
    char *server = NULL;
    int r = 0;
    if (socket)
      r = asprintf (&server, "unix:%s", socket);
    else if (hlen)
      r = asprintf (&server, "tcp:%.*s%s%.*s", (int) hlen, host,   /* [v6] keeps its brackets */
                    port ? ":" : "", port ? (int) (aend - port) : 0, port ? port : "");
    free (socket);
    socket = NULL;
    if (r == -1) {
      fail (errmsg, "out of memory");
      goto err;
    }
    if (server) {
      u->server = calloc (2, sizeof *u->server);
      if (!u->server) {
        free (server);
        fail (errmsg, "out of memory");
        goto err;
      }
      u->server[0] = server;
    }
  }
  free (socket);
  return 0;

 err:
  free (socket);
  hatch_uri_free (u);
  if (!*errmsg)
    *errmsg = strdup ("out of memory");
  return -1;
}

bool
hatch_uri_is_remote (const char *arg)
{
  struct hatch_uri u;
  char *err;
  if (hatch_uri_parse (arg, &u, &err) == -1) {
    free (err);
    return true;
  }
  bool remote = u.protocol != NULL;
  hatch_uri_free (&u);
  return remote;
}

int
hatch_uri_add_drive (guestfs_h *g, const char *program, const char *arg,
                     struct guestfs_add_drive_opts_argv *o)
{
  struct hatch_uri u;
  char *err;
  if (hatch_uri_parse (arg, &u, &err) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, arg, err);
    free (err);
    return -1;
  }
  if (u.protocol) {
    o->bitmask |= GUESTFS_ADD_DRIVE_OPTS_PROTOCOL_BITMASK;
    o->protocol = u.protocol;
  }
  if (u.server) {
    o->bitmask |= GUESTFS_ADD_DRIVE_OPTS_SERVER_BITMASK;
    o->server = u.server;
  }
  if (u.username) {
    o->bitmask |= GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK;
    o->username = u.username;
  }
  if (u.password) {
    o->bitmask |= GUESTFS_ADD_DRIVE_OPTS_SECRET_BITMASK;
    o->secret = u.password;
  }
  int r = guestfs_add_drive_opts_argv (g, u.path, o);
  /* o must not keep pointers into u. */
  o->bitmask &= ~(GUESTFS_ADD_DRIVE_OPTS_PROTOCOL_BITMASK | GUESTFS_ADD_DRIVE_OPTS_SERVER_BITMASK |
                  GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK | GUESTFS_ADD_DRIVE_OPTS_SECRET_BITMASK);
  o->protocol = o->username = o->secret = NULL;
  o->server = NULL;
  hatch_uri_free (&u);
  return r;
}
