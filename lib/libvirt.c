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

#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

static void
ignore_libvirt_error (void *opaque, virErrorPtr err)
{
  /* Errors are collected with virGetLastError and put in the handle. */
}

static void
libvirt_error (guestfs_h *g, const char *fmt, const char *arg)
{
  const virError *e = virGetLastError ();
  char *what;
  if (asprintf (&what, fmt, arg) == -1)
    what = NULL;
  error (g, "add_domain: %s%s%s", what ? what : fmt,
         e && e->message ? ": " : "", e && e->message ? e->message : "");
  free (what);
}

/* The text of attribute attr of the first node matching xpath under
 * node, or NULL (xmlFree it). */
static char *
xpath_attr (xmlXPathContextPtr ctx, xmlNodePtr node, const char *xpath, const char *attr)
{
  ctx->node = node;
  xmlXPathObjectPtr o = xmlXPathEvalExpression (BAD_CAST xpath, ctx);
  char *r = NULL;
  if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
    r = (char *) xmlGetProp (o->nodesetval->nodeTab[0], BAD_CAST attr);
  xmlXPathFreeObject (o);
  return r;
}

static bool
xpath_exists (xmlXPathContextPtr ctx, xmlNodePtr node, const char *xpath)
{
  ctx->node = node;
  xmlXPathObjectPtr o = xmlXPathEvalExpression (BAD_CAST xpath, ctx);
  bool r = o && o->nodesetval && o->nodesetval->nodeNr > 0;
  xmlXPathFreeObject (o);
  return r;
}

struct disk {
  char *path;
  char *format;
  bool readonly;       /* <readonly/> in the XML */
};

/* Parse the domain XML into disks (only file and block disks: network
 * disks are refused).  Returns the count or -1. */
static int
parse_disks (guestfs_h *g, const char *xml, struct disk **disks_r)
{
  xmlDocPtr doc = xmlReadMemory (xml, (int) strlen (xml), NULL, NULL, XML_PARSE_NONET);
  if (!doc) {
    error (g, "add_domain: unable to parse the domain XML");
    return -1;
  }
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression (BAD_CAST "//devices/disk", ctx) : NULL;
  int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
  struct disk *disks = calloc (n ? n : 1, sizeof *disks);
  int nr = 0, ret = -1;
  if (!ctx || !o || !disks) {
    guestfs_int_perrorf (g, "add_domain");
    goto out;
  }
  for (int i = 0; i < n; ++i) {
    xmlNodePtr d = o->nodesetval->nodeTab[i];
    char *type = (char *) xmlGetProp (d, BAD_CAST "type");
    char *device = (char *) xmlGetProp (d, BAD_CAST "device");
    bool cdrom_or_floppy = device && (strcmp (device, "cdrom") == 0 || strcmp (device, "floppy") == 0);
    char *path = NULL;
    if (type && strcmp (type, "file") == 0)
      path = xpath_attr (ctx, d, "./source", "file");
    else if (type && strcmp (type, "block") == 0)
      path = xpath_attr (ctx, d, "./source", "dev");
    else if (!cdrom_or_floppy) {
      error (g, "add_domain: disk %d has type '%s', which is not supported (only file and block disks)",
             i, type ? type : "(none)");
      xmlFree (type);
      xmlFree (device);
      goto out;
    }
    xmlFree (type);
    xmlFree (device);
    if (!path)            /* an empty CD-ROM drive */
      continue;
    disks[nr].path = guestfs_int_safe_strdup (g, path);
    xmlFree (path);
    char *fmt = xpath_attr (ctx, d, "./driver", "type");
    if (fmt) {
      disks[nr].format = guestfs_int_safe_strdup (g, fmt);
      xmlFree (fmt);
    }
    disks[nr].readonly = xpath_exists (ctx, d, "./readonly");
    nr++;
  }
  ret = nr;
 out:
  if (ret == -1) {
    for (int i = 0; i < nr; ++i) {
      free (disks[i].path);
      free (disks[i].format);
    }
    free (disks);
    disks = NULL;
  }
  *disks_r = disks;
  xmlXPathFreeObject (o);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return ret;
}

int
guestfs_impl_add_domain (guestfs_h *g, const char *dom,
                         const struct guestfs_add_domain_argv *optargs)
{
  uint64_t bm = optargs->bitmask;
  const char *uri = bm & GUESTFS_ADD_DOMAIN_LIBVIRTURI_BITMASK ? optargs->libvirturi : NULL;
  bool readonly = (bm & GUESTFS_ADD_DOMAIN_READONLY_BITMASK) && optargs->readonly;
  bool allowuuid = (bm & GUESTFS_ADD_DOMAIN_ALLOWUUID_BITMASK) && optargs->allowuuid;
  const char *rodisk = bm & GUESTFS_ADD_DOMAIN_READONLYDISK_BITMASK ? optargs->readonlydisk : "write";

  if ((bm & GUESTFS_ADD_DOMAIN_LIVE_BITMASK) && optargs->live) {
    guestfs_int_error_errno (g, ENOTSUP, "add_domain: live is not supported (no guestfsd in the guest)");
    return -1;
  }
  if (strcmp (rodisk, "error") != 0 && strcmp (rodisk, "read") != 0 &&
      strcmp (rodisk, "write") != 0 && strcmp (rodisk, "ignore") != 0) {
    error (g, "add_domain: readonlydisk must be one of error, read, write or ignore");
    return -1;
  }

  virSetErrorFunc (NULL, ignore_libvirt_error);
  virConnectPtr conn = virConnectOpenAuth (uri, virConnectAuthPtrDefault,
                                           readonly ? VIR_CONNECT_RO : 0);
  if (!conn) {
    libvirt_error (g, "could not connect to libvirt (URI = %s)", uri ? uri : "NULL");
    return -1;
  }
  virDomainPtr d = virDomainLookupByName (conn, dom);
  if (!d && allowuuid)
    d = virDomainLookupByUUIDString (conn, dom);
  if (!d) {
    libvirt_error (g, "no libvirt domain called '%s'", dom);
    virConnectClose (conn);
    return -1;
  }
  int ret = -1;
  if (!readonly) {
    int active = virDomainIsActive (d);
    if (active == 1) {
      error (g, "add_domain: domain '%s' is running: writing to its disks would corrupt them; use readonly", dom);
      goto out;
    }
  }
  char *xml = virDomainGetXMLDesc (d, 0);
  if (!xml) {
    libvirt_error (g, "could not get the XML of domain '%s'", dom);
    goto out;
  }
  struct disk *disks = NULL;
  int n = parse_disks (g, xml, &disks);
  free (xml);
  if (n == -1)
    goto out;
  if (n == 0) {
    error (g, "add_domain: domain '%s' has no disks", dom);
    free (disks);
    goto out;
  }
  /* Check every disk first, so that nothing is added on error. */
  bool bad = false;
  for (int i = 0; i < n && !bad; ++i)
    if (!readonly && disks[i].readonly && strcmp (rodisk, "error") == 0) {
      error (g, "add_domain: disk %s is read-only in the domain, and readonlydisk is \"error\"",
             disks[i].path);
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
    if (bm & GUESTFS_ADD_DOMAIN_IFACE_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_IFACE_BITMASK;
      a.iface = optargs->iface;
    }
    if (bm & GUESTFS_ADD_DOMAIN_CACHEMODE_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_CACHEMODE_BITMASK;
      a.cachemode = optargs->cachemode;
    }
    if (bm & GUESTFS_ADD_DOMAIN_DISCARD_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_DISCARD_BITMASK;
      a.discard = optargs->discard;
    }
    if (bm & GUESTFS_ADD_DOMAIN_COPYONREAD_BITMASK) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_COPYONREAD_BITMASK;
      a.copyonread = optargs->copyonread;
    }
    if (guestfs_add_drive_opts_argv (g, disks[i].path, &a) == -1) {
      bad = true;
      break;
    }
    added++;
  }
  if (!bad)
    ret = added;
  for (int i = 0; i < n; ++i) {
    free (disks[i].path);
    free (disks[i].format);
  }
  free (disks);
 out:
  virDomainFree (d);
  virConnectClose (conn);
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

#endif
