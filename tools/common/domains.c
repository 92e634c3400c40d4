/* Listing libvirt guests for the tools (see domains.h).  The disks
 * themselves are added later through guestfs_add_domain, like -d. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"

#ifdef HAVE_LIBVIRT
#include "libvirt-fns.h"

/* libvirt prints every error on stderr unless told otherwise; ours say
 * what failed instead. */
static void
quiet_errors (void *opaque, virErrorPtr err)
{
  (void) opaque;
  (void) err;
}

static void
libvirt_error (struct tool_options *o, const char *what)
{
  const virErrorPtr err = libvirt.virGetLastError ();
  fprintf (stderr, "%s: error: %s%s%s: %s\n", o->program, what,
           o->libvirt_uri ? " " : "", o->libvirt_uri ? o->libvirt_uri : "",
           err && err->message ? err->message : "unknown libvirt error");
}

/* Whether the domain's XML names at least one disk with a source. */
static int
has_disks (virDomainPtr dom)
{
  char *xml = libvirt.virDomainGetXMLDesc (dom, 0);
  if (!xml)
    return 0;
  int r = 0;
  xmlDocPtr doc = libxml.xmlReadMemory (xml, (int) strlen (xml), NULL, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  free (xml);
  if (!doc)
    return 0;
  xmlXPathContextPtr ctx = libxml.xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = ctx ? libxml.xmlXPathEvalExpression
    ((const xmlChar *) "/domain/devices/disk[not(@device) or @device='disk']/source", ctx)
    : NULL;
  if (obj && obj->type == XPATH_NODESET && obj->nodesetval &&
      obj->nodesetval->nodeNr > 0)
    r = 1;
  libxml.xmlXPathFreeObject (obj);
  libxml.xmlXPathFreeContext (ctx);
  libxml.xmlFreeDoc (doc);
  return r;
}

static int
compare_domains (const void *a, const void *b)
{
  return strcmp (((const struct tool_domain *) a)->name,
                 ((const struct tool_domain *) b)->name);
}

/* A read-only connection (libvirt is opened on first use:
 * libvirt-fns.h), or NULL, saying why when SAY_WHY. */
static virConnectPtr
connect_ro (struct tool_options *o, bool say_why)
{
  char why[512];
  if (hatch_libvirt_open (why, sizeof why) == -1) {
    if (say_why)
      fprintf (stderr, "%s: error: libvirt cannot be used: %s\n", o->program, why);
    return NULL;
  }
  libvirt.virSetErrorFunc (NULL, quiet_errors);
  virConnectPtr conn = libvirt.virConnectOpenAuth (o->libvirt_uri, *libvirt.virConnectAuthPtrDefault,
                                                   VIR_CONNECT_RO);
  if (!conn && say_why)
    libvirt_error (o, "cannot connect to libvirt");
  return conn;
}

int
tool_all_domains (struct tool_options *o, struct tool_domain **doms_ret, size_t *nr_ret)
{
  *doms_ret = NULL;
  *nr_ret = 0;
  virConnectPtr conn = connect_ro (o, true);
  if (!conn)
    return -1;
  virDomainPtr *list = NULL;
  int n = libvirt.virConnectListAllDomains (conn, &list,
                                            VIR_CONNECT_LIST_DOMAINS_ACTIVE |
                                            VIR_CONNECT_LIST_DOMAINS_INACTIVE);
  if (n < 0) {
    libvirt_error (o, "cannot list the libvirt guests of");
    libvirt.virConnectClose (conn);
    return -1;
  }
  struct tool_domain *doms = calloc ((size_t) n + 1, sizeof *doms);
  if (!doms) {
    perror ("calloc");
    exit (tool_failure_status);
  }
  size_t nr = 0;
  for (int i = 0; i < n; ++i) {
    const char *name = libvirt.virDomainGetName (list[i]);
    char uuid[VIR_UUID_STRING_BUFLEN];
    if (name && libvirt.virDomainGetUUIDString (list[i], uuid) == 0 && has_disks (list[i])) {
      doms[nr].name = strdup (name);
      doms[nr].uuid = strdup (uuid);
      if (!doms[nr].name || !doms[nr].uuid) {
        perror ("strdup");
        exit (tool_failure_status);
      }
      nr++;
    }
    libvirt.virDomainFree (list[i]);
  }
  free (list);
  libvirt.virConnectClose (conn);
  qsort (doms, nr, sizeof *doms, compare_domains);
  *doms_ret = doms;
  *nr_ret = nr;
  return 0;
}

char *
tool_domain_uuid (struct tool_options *o, const char *name)
{
  virConnectPtr conn = connect_ro (o, false);
  if (!conn)
    return NULL;
  virDomainPtr dom = libvirt.virDomainLookupByName (conn, name);
  if (!dom)
    dom = libvirt.virDomainLookupByUUIDString (conn, name);
  char uuid[VIR_UUID_STRING_BUFLEN];
  char *ret = NULL;
  if (dom && libvirt.virDomainGetUUIDString (dom, uuid) == 0)
    ret = strdup (uuid);
  if (dom)
    libvirt.virDomainFree (dom);
  libvirt.virConnectClose (conn);
  return ret;
}

#else /* !HAVE_LIBVIRT */

int
tool_all_domains (struct tool_options *o, struct tool_domain **doms, size_t *nr)
{
  *doms = NULL;
  *nr = 0;
  fprintf (stderr, "%s: error: this program was built without libvirt, so it "
           "cannot list the libvirt guests: name the disk images with -a\n",
           o->program);
  return -1;
}

char *
tool_domain_uuid (struct tool_options *o, const char *name)
{
  (void) o;
  (void) name;
  return NULL;
}

#endif

void
tool_free_domains (struct tool_domain *doms, size_t nr)
{
  for (size_t i = 0; i < nr; ++i) {
    free (doms[i].name);
    free (doms[i].uuid);
  }
  free (doms);
}
