/* guestfs_add_domain: add the disks of a libvirt domain.  The domain's
 * XML comes from libvirt (any URI, including the test driver
 * test:///PATH.xml); its <disk> elements are read with libxml2 and each
 * disk is added with guestfs_add_drive_opts.  Built without libvirt, the
 * call fails with ENOTSUP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

/* Forget the questions of the current LIBVIRT_AUTH event and their answers. */
void
guestfs_int_free_libvirt_creds (guestfs_h *g)
{
  for (size_t i = 0; i < g->nr_libvirt_creds; ++i) {
    struct libvirt_cred *c = &g->libvirt_creds[i];
    free (c->prompt);
    free (c->challenge);
    free (c->defresult);
    free (c->result);
  }
  free (g->libvirt_creds);
  g->libvirt_creds = NULL;
  g->nr_libvirt_creds = 0;
}

#ifdef HAVE_LIBVIRT
#include "libvirt-fns.h"

/* libvirt and libxml2 are opened on first use (common/libvirt-fns.h):
 * 0, or -1 with the error set for FN. */
int
guestfs_int_open_libvirt (guestfs_h *g, const char *fn)
{
  char why[512];
  if (hatch_libvirt_open (why, sizeof why) == 0)
    return 0;
  guestfs_int_error_errno (g, ENOTSUP, "%s: libvirt cannot be used: %s", fn, why);
  return -1;
}

static void
ignore_libvirt_error (void *opaque, virErrorPtr err)
{
  /* Errors are collected with virGetLastError and put in the handle. */
}

static void
libvirt_error (guestfs_h *g, const char *fmt, const char *arg)
{
  const virError *e = libvirt.virGetLastError ();
  char *what;
  if (asprintf (&what, fmt, arg) == -1)
    what = NULL;
  error (g, "%s: %s%s%s", g->libvirt_caller ? g->libvirt_caller : "add_domain",
         what ? what : fmt,
         e && e->message ? ": " : "", e && e->message ? e->message : "");
  free (what);
}

/* The text of attribute attr of the first node matching xpath under
 * node, or NULL (xmlFree it). */
static char *
xpath_attr (xmlXPathContextPtr ctx, xmlNodePtr node, const char *xpath, const char *attr)
{
  ctx->node = node;
  xmlXPathObjectPtr o = libxml.xmlXPathEvalExpression (BAD_CAST xpath, ctx);
  char *r = NULL;
  if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
    r = (char *) libxml.xmlGetProp (o->nodesetval->nodeTab[0], BAD_CAST attr);
  libxml.xmlXPathFreeObject (o);
  return r;
}

static bool
xpath_exists (xmlXPathContextPtr ctx, xmlNodePtr node, const char *xpath)
{
  ctx->node = node;
  xmlXPathObjectPtr o = libxml.xmlXPathEvalExpression (BAD_CAST xpath, ctx);
  bool r = o && o->nodesetval && o->nodesetval->nodeNr > 0;
  libxml.xmlXPathFreeObject (o);
  return r;
}

struct disk {
  char *path;          /* file, device, or a network disk's source name */
  char *format;
  bool readonly;       /* <readonly/> in the XML */
  char *protocol;      /* network disks: <source protocol=...> */
  char **server;       /* network disks: "tcp:host:port" / "unix:/path" */
  char *username;      /* network disks: <auth username=...> */
};

static void
free_disk (struct disk *d)
{
  free (d->path);
  free (d->format);
  free (d->protocol);
  free (d->username);
  if (d->server)
    for (size_t i = 0; d->server[i]; ++i)
      free (d->server[i]);
  free (d->server);
}

/* A network disk (<disk type='network'>): protocol, name and the <host>
 * elements become add_drive_opts's protocol, filename and server.  */
static int
parse_network_disk (guestfs_h *g, xmlXPathContextPtr ctx, xmlNodePtr d, int i,
                    struct disk *disk)
{
  char *protocol = xpath_attr (ctx, d, "./source", "protocol");
  if (!protocol) {
    error (g, "add_domain: network disk %d has no source protocol", i);
    return -1;
  }
  disk->protocol = guestfs_int_safe_strdup (g, protocol);
  (*libxml.xmlFree) (protocol);
  char *name = xpath_attr (ctx, d, "./source", "name");
  disk->path = guestfs_int_safe_strdup (g, name ? name : "");
  (*libxml.xmlFree) (name);
  char *user = xpath_attr (ctx, d, "./auth", "username");
  if (user) {
    disk->username = guestfs_int_safe_strdup (g, user);
    (*libxml.xmlFree) (user);
  }
  ctx->node = d;
  xmlXPathObjectPtr hosts = libxml.xmlXPathEvalExpression (BAD_CAST "./source/host", ctx);
  int nh = hosts && hosts->nodesetval ? hosts->nodesetval->nodeNr : 0;
  disk->server = calloc ((size_t) nh + 1, sizeof (char *));
  if (!disk->server) {
    libxml.xmlXPathFreeObject (hosts);
    guestfs_int_perrorf (g, "add_domain");
    return -1;
  }
  int ret = 0;
  for (int h = 0; h < nh; ++h) {
    xmlNodePtr hn = hosts->nodesetval->nodeTab[h];
    char *transport = (char *) libxml.xmlGetProp (hn, BAD_CAST "transport");
    char *host = (char *) libxml.xmlGetProp (hn, BAD_CAST "name");
    char *port = (char *) libxml.xmlGetProp (hn, BAD_CAST "port");
    char *socket = (char *) libxml.xmlGetProp (hn, BAD_CAST "socket");
    int r;
    if (transport && strcmp (transport, "unix") == 0)
      r = asprintf (&disk->server[h], "unix:%s", socket ? socket : "");
    else if (transport && strcmp (transport, "tcp") != 0) {
      error (g, "add_domain: network disk %d: host transport '%s' is not supported", i, transport);
      r = 0;
      ret = -1;
    }
    else if (!host)
      r = asprintf (&disk->server[h], "%s", "");
    else if (port)
      r = asprintf (&disk->server[h], strchr (host, ':') ? "tcp:[%s]:%s" : "tcp:%s:%s", host, port);
    else
      r = asprintf (&disk->server[h], strchr (host, ':') ? "tcp:[%s]" : "tcp:%s", host);
    if (r == -1) {
      disk->server[h] = NULL;
      guestfs_int_perrorf (g, "add_domain");
      ret = -1;
    }
    (*libxml.xmlFree) (transport);
    (*libxml.xmlFree) (host);
    (*libxml.xmlFree) (port);
    (*libxml.xmlFree) (socket);
    if (ret == -1)
      break;
  }
  libxml.xmlXPathFreeObject (hosts);
  return ret;
}

/* Parse the domain XML into disks (file, block and network disks).
 * Returns the count or -1. */
static int
parse_disks (guestfs_h *g, const char *xml, struct disk **disks_r)
{
  xmlDocPtr doc = libxml.xmlReadMemory (xml, (int) strlen (xml), NULL, NULL, XML_PARSE_NONET);
  if (!doc) {
    error (g, "add_domain: unable to parse the domain XML");
    return -1;
  }
  xmlXPathContextPtr ctx = libxml.xmlXPathNewContext (doc);
  xmlXPathObjectPtr o = ctx ? libxml.xmlXPathEvalExpression (BAD_CAST "//devices/disk", ctx) : NULL;
  int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
  struct disk *disks = calloc (n ? n : 1, sizeof *disks);
  int nr = 0, ret = -1;
  if (!ctx || !o || !disks) {
    guestfs_int_perrorf (g, "add_domain");
    goto out;
  }
  for (int i = 0; i < n; ++i) {
    xmlNodePtr d = o->nodesetval->nodeTab[i];
    char *type = (char *) libxml.xmlGetProp (d, BAD_CAST "type");
    char *device = (char *) libxml.xmlGetProp (d, BAD_CAST "device");
    bool cdrom_or_floppy = device && (strcmp (device, "cdrom") == 0 || strcmp (device, "floppy") == 0);
    char *path = NULL;
    if (type && strcmp (type, "network") == 0) {
      (*libxml.xmlFree) (type);
      (*libxml.xmlFree) (device);
      int r = parse_network_disk (g, ctx, d, i, &disks[nr]);
      nr++;
      if (r == -1)
        goto out;
      char *fmt = xpath_attr (ctx, d, "./driver", "type");
      if (fmt) {
        disks[nr - 1].format = guestfs_int_safe_strdup (g, fmt);
        (*libxml.xmlFree) (fmt);
      }
      disks[nr - 1].readonly = xpath_exists (ctx, d, "./readonly");
      continue;
    }
    if (type && strcmp (type, "file") == 0)
      path = xpath_attr (ctx, d, "./source", "file");
    else if (type && strcmp (type, "block") == 0)
      path = xpath_attr (ctx, d, "./source", "dev");
    else if (!cdrom_or_floppy) {
      error (g, "add_domain: disk %d has type '%s', which is not supported "
             "(only file, block and network disks)", i, type ? type : "(none)");
      (*libxml.xmlFree) (type);
      (*libxml.xmlFree) (device);
      goto out;
    }
    (*libxml.xmlFree) (type);
    (*libxml.xmlFree) (device);
    if (!path)            /* an empty CD-ROM drive */
      continue;
    disks[nr].path = guestfs_int_safe_strdup (g, path);
    (*libxml.xmlFree) (path);
    char *fmt = xpath_attr (ctx, d, "./driver", "type");
    if (fmt) {
      disks[nr].format = guestfs_int_safe_strdup (g, fmt);
      (*libxml.xmlFree) (fmt);
    }
    disks[nr].readonly = xpath_exists (ctx, d, "./readonly");
    nr++;
  }
  ret = nr;
 out:
  if (ret == -1) {
    for (int i = 0; i < nr; ++i)
      free_disk (&disks[i]);
    free (disks);
    disks = NULL;
  }
  *disks_r = disks;
  libxml.xmlXPathFreeObject (o);
  libxml.xmlXPathFreeContext (ctx);
  libxml.xmlFreeDoc (doc);
  return ret;
}

/* ---- libvirt authentication through GUESTFS_EVENT_LIBVIRT_AUTH ---- */

static const struct { int type; const char *name; } cred_names[] = {
  { VIR_CRED_USERNAME, "username" }, { VIR_CRED_AUTHNAME, "authname" },
  { VIR_CRED_LANGUAGE, "language" }, { VIR_CRED_CNONCE, "cnonce" },
  { VIR_CRED_PASSPHRASE, "passphrase" }, { VIR_CRED_ECHOPROMPT, "echoprompt" },
  { VIR_CRED_NOECHOPROMPT, "noechoprompt" }, { VIR_CRED_REALM, "realm" },
  { VIR_CRED_EXTERNAL, "external" },
};
#define NR_CRED_NAMES (sizeof cred_names / sizeof cred_names[0])

static int
cred_type (const char *name)
{
  for (size_t i = 0; i < NR_CRED_NAMES; ++i)
    if (strcmp (cred_names[i].name, name) == 0)
      return cred_names[i].type;
  return -1;
}

static const char *
cred_name (int type)
{
  for (size_t i = 0; i < NR_CRED_NAMES; ++i)
    if (cred_names[i].type == type)
      return cred_names[i].name;
  return "unknown";
}

static char *
dup_or_null (const char *s)
{
  return s ? strdup (s) : NULL;
}

/* libvirt's question callback: publish the questions on the handle, let
 * the program's LIBVIRT_AUTH callback answer them, hand the answers back. */
static int
auth_callback (virConnectCredentialPtr cred, unsigned int ncred, void *opaque)
{
  guestfs_h *g = opaque;
  guestfs_int_free_libvirt_creds (g);
  g->libvirt_creds = calloc (ncred ? ncred : 1, sizeof *g->libvirt_creds);
  if (g->libvirt_creds == NULL)
    return -1;
  g->nr_libvirt_creds = ncred;
  for (unsigned i = 0; i < ncred; ++i) {
    struct libvirt_cred *c = &g->libvirt_creds[i];
    c->type = cred[i].type;
    c->prompt = dup_or_null (cred[i].prompt);
    c->challenge = dup_or_null (cred[i].challenge);
    c->defresult = dup_or_null (cred[i].defresult);
  }
  const char *uri = g->libvirt_auth_uri ? g->libvirt_auth_uri : "";
  guestfs_int_call_callbacks_message (g, GUESTFS_EVENT_LIBVIRT_AUTH, uri, strlen (uri));
  for (unsigned i = 0; i < ncred; ++i) {
    struct libvirt_cred *c = &g->libvirt_creds[i];
    cred[i].result = NULL;
    cred[i].resultlen = 0;
    if (c->have_result) {
      cred[i].result = malloc (c->result_len + 1);
      if (cred[i].result == NULL) {
        guestfs_int_free_libvirt_creds (g);
        return -1;
      }
      memcpy (cred[i].result, c->result, c->result_len);
      cred[i].result[c->result_len] = '\0';
      cred[i].resultlen = c->result_len;
    }
  }
  guestfs_int_free_libvirt_creds (g);
  return 0;
}

static virConnectPtr
connect_libvirt (guestfs_h *g, const char *uri, bool readonly)
{
  unsigned flags = readonly ? VIR_CONNECT_RO : 0;
  libvirt.virSetErrorFunc (NULL, ignore_libvirt_error);
  if (g->libvirt_supported_creds == NULL)
    return libvirt.virConnectOpenAuth (uri, *libvirt.virConnectAuthPtrDefault, flags);
  size_t n = 0;
  while (g->libvirt_supported_creds[n])
    n++;
  int types[NR_CRED_NAMES];
  size_t nt = 0;
  for (size_t i = 0; i < n && nt < NR_CRED_NAMES; ++i)
    types[nt++] = cred_type (g->libvirt_supported_creds[i]);
  virConnectAuth auth = { .credtype = types, .ncredtype = nt,
                          .cb = auth_callback, .cbdata = g };
  g->libvirt_auth_uri = uri ? strdup (uri) : NULL;
  virConnectPtr conn = libvirt.virConnectOpenAuth (uri, &auth, flags);
  free (g->libvirt_auth_uri);
  g->libvirt_auth_uri = NULL;
  return conn;
}

int
guestfs_impl_set_libvirt_supported_credentials (guestfs_h *g, char *const *creds)
{
  if (creds[0] == NULL) {
    error (g, "set_libvirt_supported_credentials: the list of credentials is empty");
    return -1;
  }
  size_t n = 0;
  for (; creds[n]; ++n)
    if (cred_type (creds[n]) == -1) {
      error (g, "set_libvirt_supported_credentials: unknown credential type \"%s\"", creds[n]);
      return -1;
    }
  char **copy = calloc (n + 1, sizeof *copy);
  if (copy == NULL)
    goto oom;
  for (size_t i = 0; i < n; ++i)
    if ((copy[i] = strdup (creds[i])) == NULL) {
      guestfs_int_free_string_list (copy);
      goto oom;
    }
  guestfs_int_free_string_list (g->libvirt_supported_creds);
  g->libvirt_supported_creds = copy;
  return 0;
 oom:
  error (g, "set_libvirt_supported_credentials: out of memory");
  return -1;
}

/* The index'th question, or NULL (error set) outside the callback. */
static struct libvirt_cred *
requested (guestfs_h *g, const char *fn, int index)
{
  if (g->libvirt_creds == NULL) {
    error (g, "%s: no libvirt credentials were requested (call this only "
           "from a GUESTFS_EVENT_LIBVIRT_AUTH callback)", fn);
    return NULL;
  }
  if (index < 0 || (size_t) index >= g->nr_libvirt_creds) {
    error (g, "%s: index %d out of range (libvirt requested %zu credentials)",
           fn, index, g->nr_libvirt_creds);
    return NULL;
  }
  return &g->libvirt_creds[index];
}

char **
guestfs_impl_get_libvirt_requested_credentials (guestfs_h *g)
{
  if (g->libvirt_creds == NULL) {
    error (g, "get_libvirt_requested_credentials: no libvirt credentials were "
           "requested (call this only from a GUESTFS_EVENT_LIBVIRT_AUTH callback)");
    return NULL;
  }
  char **r = calloc (g->nr_libvirt_creds + 1, sizeof *r);
  if (r == NULL)
    goto oom;
  for (size_t i = 0; i < g->nr_libvirt_creds; ++i)
    if ((r[i] = strdup (cred_name (g->libvirt_creds[i].type))) == NULL) {
      guestfs_int_free_string_list (r);
      goto oom;
    }
  return r;
 oom:
  error (g, "get_libvirt_requested_credentials: out of memory");
  return NULL;
}

static char *
field_copy (guestfs_h *g, const char *fn, const char *v)
{
  char *r = strdup (v ? v : "");
  if (r == NULL)
    error (g, "%s: out of memory", fn);
  return r;
}

char *
guestfs_impl_get_libvirt_requested_credential_prompt (guestfs_h *g, int index)
{
  const char *fn = "get_libvirt_requested_credential_prompt";
  struct libvirt_cred *c = requested (g, fn, index);
  return c ? field_copy (g, fn, c->prompt) : NULL;
}

char *
guestfs_impl_get_libvirt_requested_credential_challenge (guestfs_h *g, int index)
{
  const char *fn = "get_libvirt_requested_credential_challenge";
  struct libvirt_cred *c = requested (g, fn, index);
  return c ? field_copy (g, fn, c->challenge) : NULL;
}

char *
guestfs_impl_get_libvirt_requested_credential_defresult (guestfs_h *g, int index)
{
  const char *fn = "get_libvirt_requested_credential_defresult";
  struct libvirt_cred *c = requested (g, fn, index);
  return c ? field_copy (g, fn, c->defresult) : NULL;
}

int
guestfs_impl_set_libvirt_requested_credential (guestfs_h *g, int index,
                                               const char *cred, size_t cred_size)
{
  struct libvirt_cred *c = requested (g, "set_libvirt_requested_credential", index);
  if (c == NULL)
    return -1;
  char *copy = malloc (cred_size + 1);
  if (copy == NULL) {
    error (g, "set_libvirt_requested_credential: out of memory");
    return -1;
  }
  memcpy (copy, cred, cred_size);
  copy[cred_size] = '\0';
  free (c->result);
  c->result = copy;
  c->result_len = cred_size;
  c->have_result = true;
  return 0;
}

/* ---- adding a domain's disks ---- */

int
guestfs_impl_add_libvirt_dom (guestfs_h *g, void *domp,
                              const struct guestfs_add_libvirt_dom_argv *optargs)
{
  virDomainPtr d = domp;
  uint64_t bm = optargs->bitmask;
  bool readonly = (bm & GUESTFS_ADD_LIBVIRT_DOM_READONLY_BITMASK) && optargs->readonly;
  const char *rodisk = bm & GUESTFS_ADD_LIBVIRT_DOM_READONLYDISK_BITMASK ? optargs->readonlydisk : "write";
  const char *fn = g->libvirt_caller ? g->libvirt_caller : "add_libvirt_dom";

  if (d == NULL) {
    error (g, "%s: the domain handle is NULL", fn);
    return -1;
  }
  if (guestfs_int_open_libvirt (g, fn) == -1)
    return -1;
  if ((bm & GUESTFS_ADD_LIBVIRT_DOM_LIVE_BITMASK) && optargs->live) {
    guestfs_int_error_errno (g, ENOTSUP, "%s: live is not supported (no guestfsd in the guest)", fn);
    return -1;
  }
  if (strcmp (rodisk, "error") != 0 && strcmp (rodisk, "read") != 0 &&
      strcmp (rodisk, "write") != 0 && strcmp (rodisk, "ignore") != 0) {
    error (g, "%s: readonlydisk must be one of error, read, write or ignore", fn);
    return -1;
  }
  const char *name = libvirt.virDomainGetName (d);
  if (!readonly && libvirt.virDomainIsActive (d) == 1) {
    error (g, "%s: domain '%s' is running: writing to its disks would corrupt them; use readonly",
           fn, name ? name : "?");
    return -1;
  }
  char *xml = libvirt.virDomainGetXMLDesc (d, 0);
  if (!xml) {
    libvirt_error (g, "could not get the XML of domain '%s'", name ? name : "?");
    return -1;
  }
  struct disk *disks = NULL;
  int n = parse_disks (g, xml, &disks);
  free (xml);
  if (n == -1)
    return -1;
  if (n == 0) {
    error (g, "%s: domain '%s' has no disks", fn, name ? name : "?");
    free (disks);
    return -1;
  }
  /* Check every disk first, so that nothing is added on error. */
  bool bad = false;
  for (int i = 0; i < n && !bad; ++i)
    if (!readonly && disks[i].readonly && strcmp (rodisk, "error") == 0) {
      error (g, "%s: disk %s is read-only in the domain, and readonlydisk is \"error\"",
             fn, disks[i].path);
      bad = true;
    }
  int added = 0;
  for (int i = 0; !bad && i < n; ++i) {
    struct guestfs_add_drive_opts_argv a = { .bitmask = 0 };
    bool ro = readonly;
    if (disks[i].readonly) {
      if (strcmp (rodisk, "ignore") == 0)
        continue;
      if (strcmp (rodisk, "read") == 0)
        ro = true;
    }
    a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
    a.readonly = ro;
    if (disks[i].format) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
      a.format = disks[i].format;
    }
    if (bm & GUESTFS_ADD_LIBVIRT_DOM_IFACE_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_IFACE_BITMASK;
      a.iface = optargs->iface;
    }
    if (bm & GUESTFS_ADD_LIBVIRT_DOM_CACHEMODE_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_CACHEMODE_BITMASK;
      a.cachemode = optargs->cachemode;
    }
    if (bm & GUESTFS_ADD_LIBVIRT_DOM_DISCARD_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK;
      a.discard = optargs->discard;
    }
    if (bm & GUESTFS_ADD_LIBVIRT_DOM_COPYONREAD_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_COPYONREAD_BITMASK;
      a.copyonread = optargs->copyonread;
    }
    if (disks[i].protocol) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_PROTOCOL_BITMASK;
      a.protocol = disks[i].protocol;
      if (disks[i].server && disks[i].server[0]) {
        a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_SERVER_BITMASK;
        a.server = disks[i].server;
      }
      if (disks[i].username) {
        a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_USERNAME_BITMASK;
        a.username = disks[i].username;
      }
    }
    if (guestfs_add_drive_opts_argv (g, disks[i].path, &a) == -1) {
      bad = true;
      break;
    }
    added++;
  }
  for (int i = 0; i < n; ++i)
    free_disk (&disks[i]);
  free (disks);
  return bad ? -1 : added;
}

int
guestfs_impl_add_domain (guestfs_h *g, const char *dom,
                         const struct guestfs_add_domain_argv *optargs)
{
  uint64_t bm = optargs->bitmask;
  const char *uri = bm & GUESTFS_ADD_DOMAIN_LIBVIRTURI_BITMASK ? optargs->libvirturi : NULL;
  bool readonly = (bm & GUESTFS_ADD_DOMAIN_READONLY_BITMASK) && optargs->readonly;
  bool allowuuid = (bm & GUESTFS_ADD_DOMAIN_ALLOWUUID_BITMASK) && optargs->allowuuid;

  if ((bm & GUESTFS_ADD_DOMAIN_LIVE_BITMASK) && optargs->live) {
    guestfs_int_error_errno (g, ENOTSUP, "add_domain: live is not supported (no guestfsd in the guest)");
    return -1;
  }
  if (guestfs_int_open_libvirt (g, "add_domain") == -1)
    return -1;
  virConnectPtr conn = connect_libvirt (g, uri, readonly);
  if (!conn) {
    libvirt_error (g, "could not connect to libvirt (URI = %s)", uri ? uri : "NULL");
    return -1;
  }
  virDomainPtr d = libvirt.virDomainLookupByName (conn, dom);
  if (!d && allowuuid)
    d = libvirt.virDomainLookupByUUIDString (conn, dom);
  if (!d) {
    libvirt_error (g, "no libvirt domain called '%s'", dom);
    libvirt.virConnectClose (conn);
    return -1;
  }
  /* The same optional arguments, minus libvirturi and allowuuid. */
  struct guestfs_add_libvirt_dom_argv a = { .bitmask = 0 };
#define COPY(OPT, field) \
  if (bm & GUESTFS_ADD_DOMAIN_##OPT##_BITMASK) { \
    a.bitmask |= GUESTFS_ADD_LIBVIRT_DOM_##OPT##_BITMASK; a.field = optargs->field; }
  COPY (READONLY, readonly)
  COPY (IFACE, iface)
  COPY (LIVE, live)
  COPY (READONLYDISK, readonlydisk)
  COPY (CACHEMODE, cachemode)
  COPY (DISCARD, discard)
  COPY (COPYONREAD, copyonread)
#undef COPY
  g->libvirt_caller = "add_domain";
  int ret = guestfs_impl_add_libvirt_dom (g, d, &a);
  g->libvirt_caller = NULL;
  libvirt.virDomainFree (d);
  libvirt.virConnectClose (conn);
  return ret;
}

#else /* !HAVE_LIBVIRT */

int
guestfs_impl_add_domain (guestfs_h *g, const char *dom,
                         const struct guestfs_add_domain_argv *optargs)
{
  guestfs_int_error_errno (g, ENOTSUP, "add_domain: this library was built without libvirt");
  return -1;
}

int
guestfs_impl_add_libvirt_dom (guestfs_h *g, void *dom,
                              const struct guestfs_add_libvirt_dom_argv *optargs)
{
  guestfs_int_error_errno (g, ENOTSUP, "add_libvirt_dom: this library was built without libvirt");
  return -1;
}

#define NO_LIBVIRT(fn) \
  guestfs_int_error_errno (g, ENOTSUP, fn ": this library was built without libvirt")

int
guestfs_impl_set_libvirt_supported_credentials (guestfs_h *g, char *const *creds)
{ NO_LIBVIRT ("set_libvirt_supported_credentials"); return -1; }
char **
guestfs_impl_get_libvirt_requested_credentials (guestfs_h *g)
{ NO_LIBVIRT ("get_libvirt_requested_credentials"); return NULL; }
char *
guestfs_impl_get_libvirt_requested_credential_prompt (guestfs_h *g, int index)
{ NO_LIBVIRT ("get_libvirt_requested_credential_prompt"); return NULL; }
char *
guestfs_impl_get_libvirt_requested_credential_challenge (guestfs_h *g, int index)
{ NO_LIBVIRT ("get_libvirt_requested_credential_challenge"); return NULL; }
char *
guestfs_impl_get_libvirt_requested_credential_defresult (guestfs_h *g, int index)
{ NO_LIBVIRT ("get_libvirt_requested_credential_defresult"); return NULL; }
int
guestfs_impl_set_libvirt_requested_credential (guestfs_h *g, int index,
                                               const char *cred, size_t cred_size)
{ NO_LIBVIRT ("set_libvirt_requested_credential"); return -1; }

#endif
