/* The inputs of virt-v2v: -i disk, -i libvirtxml, -i ova, -i vmx and
 * -i libvirt.  Each fills a struct v2v_source from the description the
 * user gave; nothing here reads the guest's disks (only the host-side
 * metadata: XML, OVF, manifest, .vmx and vmdk descriptors). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif
#include "v2v.h"

/* PATH made absolute against DIR (unless it already is). */
static char *
resolve_path (const char *dir, const char *path)
{
  if (path[0] == '/' || !dir) return strdup (path);
  return v2v_strdup_printf ("%s/%s", dir, path);
}

static char *
dir_of (const char *path)
{
  char *copy = strdup (path);
  char *d = strdup (dirname (copy));
  free (copy);
  return d;
}

/* A name from a file name: its basename without the extension. */
static char *
name_from_file (const char *path)
{
  char *copy = strdup (path);
  char *b = strdup (basename (copy));
  free (copy);
  char *dot = strrchr (b, '.');
  if (dot && dot != b) *dot = '\0';
  return b;
}

/* ---- -i disk ---------------------------------------------------------- */

int
v2v_input_disk (struct v2v_options *opts, char *const *args, const char *iformat,
                struct v2v_source *src)
{
  if (!args[0]) {
    v2v_error (opts, "-i disk: expecting a disk image (filename) on the command line");
    return -1;
  }
  for (size_t i = 0; args[i]; ++i) {
    if (access (args[i], R_OK) == -1) {
      v2v_error (opts, "-i disk: %s: %s", args[i], strerror (errno));
      return -1;
    }
    char *abs = realpath (args[i], NULL);
    v2v_add_disk (src, abs ? abs : args[i], iformat, NULL);
    free (abs);
  }
  src->name = name_from_file (args[0]);
  src->hypervisor = strdup ("unknown");
  src->memory = INT64_C (2048) * 1024 * 1024;
  src->vcpus = 1;
  src->firmware = V2V_FW_UNKNOWN;
  struct v2v_nic *n = v2v_add_nic (src);
  n->network = strdup ("default");
  return 0;
}

/* ---- disks on a VMware server ----------------------------------------- */

/* S with everything but unreserved URL characters and '/' %-encoded. */
static char *
url_encode (const char *s, bool keep_slash)
{
  char *r = malloc (3 * strlen (s) + 1), *q = r;
  for (; r && *s; ++s) {
    unsigned char c = *s;
    if (isalnum (c) || strchr ("-._~", c) || (keep_slash && c == '/')) *q++ = c;
    else q += sprintf (q, "%%%02X", c);
  }
  if (r) *q = '\0';
  return r;
}

/* "[DATASTORE] DIR/NAME.vmdk" on the VMware server of URI (vpx:// for
 * vCenter, esx:// for an ESXi host) as the https URL of its data, as the
 * server's /folder interface serves it: NAME-flat.vmdk (the extent of a
 * flat disk), in datacenter DCPATH (from the XML's vmware:datacenterpath,
 * else the first element of a vpx:// path; "ha-datacenter" on ESXi). */
char *
v2v_vmware_datastore_url (struct v2v_options *opts, const char *uri_s, const char *dcpath,
                          const char *file)
{
  if (!uri_s || (strncmp (uri_s, "vpx://", 6) && strncmp (uri_s, "esx://", 6))) {
    v2v_error (opts, "disk ‘%s’ is on a VMware datastore: name the vCenter or ESXi server "
               "it is read from with -ic vpx://USER@VCENTER/DATACENTER/... or "
               "-ic esx://USER@ESXI", file);
    return NULL;
  }
  bool vpx = uri_s[0] == 'v';
  const char *rb = strchr (file, ']');
  if (file[0] != '[' || !rb || rb == file + 1) {
    v2v_error (opts, "disk ‘%s’: expecting ‘[DATASTORE] PATH’", file);
    return NULL;
  }
  char *ds = strndup (file + 1, rb - file - 1);
  const char *path = rb + 1;
  while (*path == ' ') ++path;
  /* Server (and port) from the URI: after "scheme://[user@]", up to '/'
   * or '?'. */
  const char *h = uri_s + 6, *at = strchr (h, '@'), *end = h + strcspn (h, "/?");
  if (at && at < end) h = at + 1;
  char *server = strndup (h, end - h);
  char *dc = NULL;
  if (dcpath && *dcpath) dc = strdup (dcpath);
  else if (!vpx) dc = strdup ("ha-datacenter");
  else if (*end == '/') {          /* the URI's first path element, %-decoded */
    dc = strndup (end + 1, strcspn (end + 1, "/?"));
    char *w = dc;
    for (const char *p = dc; *p; ++p) {
      unsigned int x;
      if (p[0] == '%' && isxdigit ((unsigned char) p[1]) && isxdigit ((unsigned char) p[2]) &&
          sscanf (p + 1, "%2x", &x) == 1) { *w++ = (char) x; p += 2; }
      else *w++ = *p;
    }
    *w = '\0';
  }
  size_t plen = strlen (path);
  char *flat = plen > 5 && !strcasecmp (path + plen - 5, ".vmdk") && !strstr (path, "-flat.vmdk")
    ? v2v_strdup_printf ("%.*s-flat.vmdk", (int) (plen - 5), path) : strdup (path);
  char *r = NULL;
  if (!server[0] || !dc || !dc[0] || !path[0])
    v2v_error (opts, "disk ‘%s’ on %s: %s", file, uri_s,
               !server[0] ? "the URI names no server" : !path[0] ? "no path after the datastore"
               : "no datacenter: use -ic vpx://USER@VCENTER/DATACENTER/...");
  else {
    char *ep = url_encode (flat, true), *ed = url_encode (dc, true), *es = url_encode (ds, false);
    r = v2v_strdup_printf ("https://%s/folder/%s?dcPath=%s&dsName=%s", server, ep, ed, es);
    free (ep); free (ed); free (es);
  }
  free (ds); free (server); free (dc); free (flat);
  return r;
}

/* ---- libvirt domain XML ---------------------------------------------- */

static char *
xp_string (xmlXPathContextPtr ctx, const char *expr)
{
  xmlXPathObjectPtr o = xmlXPathEvalExpression (BAD_CAST expr, ctx);
  char *r = NULL;
  if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
    r = strdup ((char *) o->stringval);
  else if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
    xmlChar *c = xmlNodeGetContent (o->nodesetval->nodeTab[0]);
    if (c && c[0]) r = strdup ((char *) c);
    xmlFree (c);
  }
  xmlXPathFreeObject (o);
  return r;
}

/* The nodes of EXPR evaluated at NODE (NULL: the context's node). */
static xmlXPathObjectPtr
xp_nodes (xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
  if (node) ctx->node = node;
  xmlXPathObjectPtr o = xmlXPathEvalExpression (BAD_CAST expr, ctx);
  if (o && (o->type != XPATH_NODESET || !o->nodesetval)) {
    xmlXPathFreeObject (o);
    return NULL;
  }
  return o;
}

static char *
xp_at (xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
  ctx->node = node;
  return xp_string (ctx, expr);
}

static int64_t
memory_bytes (const char *value, const char *unit)
{
  int64_t v = strtoll (value, NULL, 10);
  if (!unit || !strcasecmp (unit, "KiB") || !strcasecmp (unit, "k")) return v * 1024;
  if (!strcasecmp (unit, "b") || !strcasecmp (unit, "bytes")) return v;
  if (!strcasecmp (unit, "MiB") || !strcasecmp (unit, "M")) return v * 1024 * 1024;
  if (!strcasecmp (unit, "GiB") || !strcasecmp (unit, "G")) return v << 30;
  if (!strcasecmp (unit, "KB")) return v * 1000;
  if (!strcasecmp (unit, "MB")) return v * 1000000;
  if (!strcasecmp (unit, "GB")) return v * 1000000000;
  return v * 1024;
}

int
v2v_parse_domain_xml (struct v2v_options *opts, const char *xml, size_t len,
                      const char *basedir, struct v2v_source *src)
{
  xmlDocPtr doc = xmlReadMemory (xml, len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) {
    v2v_error (opts, "cannot parse the libvirt XML: not well-formed XML");
    return -1;
  }
  int ret = -1;
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr disks = NULL, nics = NULL;
  if (!xmlDocGetRootElement (doc) ||
      strcmp ((char *) xmlDocGetRootElement (doc)->name, "domain")) {
    v2v_error (opts, "the libvirt XML has no <domain> element at its top");
    goto out;
  }
  src->name = xp_string (ctx, "/domain/name");
  if (!src->name) {
    v2v_error (opts, "the libvirt XML has no <name> of the guest");
    goto out;
  }
  src->hypervisor = xp_string (ctx, "string(/domain/@type)");
  if (!src->hypervisor) src->hypervisor = strdup ("unknown");
  char *mem = xp_string (ctx, "/domain/memory");
  char *unit = xp_string (ctx, "string(/domain/memory/@unit)");
  src->memory = mem ? memory_bytes (mem, unit) : INT64_C (1024) * 1024 * 1024;
  free (mem); free (unit);
  char *vcpu = xp_string (ctx, "/domain/vcpu");
  src->vcpus = vcpu ? atoi (vcpu) : 1;
  if (src->vcpus < 1) src->vcpus = 1;
  free (vcpu);
  char *fw = xp_string (ctx, "string(/domain/os/@firmware)");
  char *loader = xp_string (ctx, "/domain/os/loader");
  src->firmware = (fw && !strcmp (fw, "efi")) || loader ? V2V_FW_UEFI : V2V_FW_BIOS;
  free (fw); free (loader);

  disks = xp_nodes (ctx, NULL, "/domain/devices/disk");
  for (int i = 0; disks && i < disks->nodesetval->nodeNr; ++i) {
    xmlNodePtr d = disks->nodesetval->nodeTab[i];
    char *device = xp_at (ctx, d, "string(@device)");
    if (device && strcmp (device, "disk")) { free (device); continue; } /* cdrom, floppy */
    free (device);
    char *file = xp_at (ctx, d, "string(source/@file)");
    if (!file) file = xp_at (ctx, d, "string(source/@dev)");
    char *fmt = xp_at (ctx, d, "string(driver/@type)");
    char *dev = xp_at (ctx, d, "string(target/@dev)");
    if (!file) {
      v2v_error (opts, "disk %s in the libvirt XML has no <source file=...> or <source dev=...> (network disks are not supported)",
                 dev ? dev : "?");
      free (fmt); free (dev);
      goto out;
    }
    if (file[0] == '[') {       /* "[datastore] path" on a VMware server */
      char *dcpath = xp_string (ctx, "string(/domain/*[local-name()='datacenterpath'])");
      char *url = v2v_vmware_datastore_url (opts, opts->input_uri, dcpath, file);
      free (dcpath);
      if (!url) { free (file); free (fmt); free (dev); goto out; }
      v2v_add_disk (src, url, "raw", dev);
      free (url); free (file); free (fmt); free (dev);
      continue;
    }
    char *path = resolve_path (basedir, file);
    if (access (path, R_OK) == -1) {
      v2v_error (opts, "disk %s of guest ‘%s’: %s: %s", dev ? dev : "?", src->name,
                 path, strerror (errno));
      free (path); free (file); free (fmt); free (dev);
      goto out;
    }
    if (fmt && !strcmp (fmt, "aio")) { free (fmt); fmt = strdup ("raw"); }  /* Xen's tap:aio */
    v2v_add_disk (src, path, fmt, dev);
    free (path); free (file); free (fmt); free (dev);
  }
  if (src->nr_disks == 0) {
    v2v_error (opts, "guest ‘%s’ has no disks in its libvirt XML: nothing to convert", src->name);
    goto out;
  }
  nics = xp_nodes (ctx, NULL, "/domain/devices/interface");
  for (int i = 0; nics && i < nics->nodesetval->nodeNr; ++i) {
    xmlNodePtr x = nics->nodesetval->nodeTab[i];
    struct v2v_nic *n = v2v_add_nic (src);
    char *type = xp_at (ctx, x, "string(@type)");
    n->bridge = type && !strcmp (type, "bridge");
    free (type);
    n->network = xp_at (ctx, x, n->bridge ? "string(source/@bridge)" : "string(source/@network)");
    n->mac = xp_at (ctx, x, "string(mac/@address)");
    n->model = xp_at (ctx, x, "string(model/@type)");
  }
  ret = 0;
 out:
  xmlXPathFreeObject (disks);
  xmlXPathFreeObject (nics);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return ret;
}

int
v2v_input_libvirtxml (struct v2v_options *opts, const char *file, struct v2v_source *src)
{
  size_t len;
  char *xml = v2v_read_file (file, &len);
  if (!xml) {
    v2v_error (opts, "-i libvirtxml: %s: %s", file, strerror (errno));
    return -1;
  }
  char *dir = dir_of (file);
  int r = v2v_parse_domain_xml (opts, xml, len, dir, src);
  free (dir); free (xml);
  return r;
}

/* ---- -i libvirt -------------------------------------------------------- */

int
v2v_input_libvirt (struct v2v_options *opts, const char *uri, const char *guest,
                   struct v2v_source *src)
{
#ifdef HAVE_LIBVIRT
  if (!guest) {
    v2v_error (opts, "-i libvirt: expecting the name of a libvirt guest on the command line");
    return -1;
  }
  virConnectPtr conn = virConnectOpenReadOnly (uri);
  if (!conn) {
    virErrorPtr e = virGetLastError ();
    v2v_error (opts, "cannot connect to libvirt%s%s: %s", uri ? " at " : "", uri ? uri : "",
               e && e->message ? e->message : "unknown error");
    return -1;
  }
  virDomainPtr dom = virDomainLookupByName (conn, guest);
  if (!dom) {
    v2v_error (opts, "no libvirt guest called ‘%s’", guest);
    virConnectClose (conn);
    return -1;
  }
  int state = 0, reason;
  if (virDomainGetState (dom, &state, &reason, 0) == 0 &&
      (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED ||
       state == VIR_DOMAIN_BLOCKED)) {
    v2v_error (opts, "libvirt guest ‘%s’ is running or paused: shut it down before converting it", guest);
    virDomainFree (dom); virConnectClose (conn);
    return -1;
  }
  char *xml = virDomainGetXMLDesc (dom, VIR_DOMAIN_XML_INACTIVE);
  virDomainFree (dom);
  virConnectClose (conn);
  if (!xml) {
    v2v_error (opts, "cannot read the libvirt XML of ‘%s’", guest);
    return -1;
  }
  int r = v2v_parse_domain_xml (opts, xml, strlen (xml), NULL, src);
  free (xml);
  return r;
#else
  (void) uri; (void) guest; (void) src;
  v2v_error (opts, "-i libvirt: this virt-v2v was built without libvirt");
  return -1;
#endif
}

/* ---- -i ova ------------------------------------------------------------ */

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && !strcasecmp (s + a - b, suffix);
}

/* The single file in DIR whose name ends with SUFFIX; NULL if none, and
 * an error if several. */
static char *
find_one (struct v2v_options *opts, const char *dir, const char *suffix, bool *several)
{
  DIR *d = opendir (dir);
  if (!d) return NULL;
  struct dirent *e;
  char *found = NULL;
  *several = false;
  while ((e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.' || !ends_with (e->d_name, suffix)) continue;
    if (found) { *several = true; break; }
    found = v2v_strdup_printf ("%s/%s", dir, e->d_name);
  }
  closedir (d);
  (void) opts;
  return found;
}

/* Check every line "SHA1(file)= hex" / "SHA256(file)= hex" of the manifest. */
static int
check_manifest (struct v2v_options *opts, const char *dir, const char *mf)
{
  char *text = v2v_read_file (mf, NULL);
  if (!text) { v2v_error (opts, "%s: %s", mf, strerror (errno)); return -1; }
  int ret = 0;
  char *save = NULL;
  for (char *line = strtok_r (text, "\r\n", &save); line; line = strtok_r (NULL, "\r\n", &save)) {
    while (isspace ((unsigned char) *line)) ++line;
    if (!*line) continue;
    const char *tool;
    if (!strncasecmp (line, "SHA1(", 5)) tool = "sha1sum";
    else if (!strncasecmp (line, "SHA256(", 7)) tool = "sha256sum";
    else {
      v2v_warning (opts, "manifest line not understood, not checked: %s", line);
      continue;
    }
    char *open = strchr (line, '('), *close = strstr (line, ")=");
    if (!open || !close || close < open) {
      v2v_error (opts, "%s: bad manifest line: %s", mf, line); ret = -1; break;
    }
    char *fname = strndup (open + 1, close - open - 1);
    char *want = close + 2;
    while (isspace ((unsigned char) *want)) ++want;
    if (strchr (fname, '/') || !strcmp (fname, "..")) {
      v2v_error (opts, "%s: manifest names a file outside the OVA: %s", mf, fname);
      free (fname); ret = -1; break;
    }
    char *path = v2v_strdup_printf ("%s/%s", dir, fname);
    char *out = NULL;
    const char *argv[] = { tool, "--", path, NULL };
    if (access (path, R_OK) == -1) {
      v2v_error (opts, "the OVA manifest names ‘%s’, which is not in the OVA", fname);
      ret = -1;
    }
    else if (v2v_run (opts, &out, argv) == -1 || !out) {
      v2v_error (opts, "could not compute the checksum of %s", fname);
      ret = -1;
    }
    else if (strncasecmp (out, want, strcspn (out, " ")) || strlen (want) != strcspn (out, " ")) {
      v2v_error (opts, "checksum of disk %s does not match the manifest %s (actual %s(%s) = %.*s, expected %s)",
                 fname, mf, tool[3] == '2' ? "SHA256" : "SHA1", fname,
                 (int) strcspn (out, " "), out, want);
      ret = -1;
    }
    free (out); free (path); free (fname);
    if (ret == -1) break;
  }
  free (text);
  return ret;
}

static int64_t
ovf_alloc_units (const char *units)
{
  /* "byte * 2^20", "MegaBytes", "GigaBytes", "byte" */
  if (!units) return 1024 * 1024;
  const char *caret = strstr (units, "2^");
  if (caret) return INT64_C (1) << atoi (caret + 2);
  if (!strncasecmp (units, "giga", 4)) return INT64_C (1) << 30;
  if (!strncasecmp (units, "mega", 4)) return INT64_C (1) << 20;
  if (!strncasecmp (units, "kilo", 4)) return 1024;
  return 1;
}

static int
parse_ovf (struct v2v_options *opts, const char *dir, const char *ovf, struct v2v_source *src)
{
  xmlDocPtr doc = xmlReadFile (ovf, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) { v2v_error (opts, "%s: cannot parse the OVF (not well-formed XML)", ovf); return -1; }
  int ret = -1;
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr items = NULL;
#define L(n) "*[local-name()='" n "']"
  src->name = xp_string (ctx, "//" L("VirtualSystem") "/" L("Name"));
  if (!src->name) src->name = xp_string (ctx, "string(//" L("VirtualSystem") "/@*[local-name()='id'])");
  if (!src->name) src->name = name_from_file (ovf);
  src->hypervisor = strdup ("vmware");
  src->memory = INT64_C (1024) * 1024 * 1024;
  src->vcpus = 1;
  char *fw = xp_string (ctx, "string(//" L("Config") "[@*[local-name()='key']='firmware']/@*[local-name()='value'])");
  src->firmware = fw && !strcmp (fw, "efi") ? V2V_FW_UEFI : V2V_FW_BIOS;
  free (fw);

  items = xp_nodes (ctx, NULL, "//" L("VirtualHardwareSection") "/" L("Item"));
  for (int i = 0; items && i < items->nodesetval->nodeNr; ++i) {
    xmlNodePtr it = items->nodesetval->nodeTab[i];
    char *rt = xp_at (ctx, it, L("ResourceType"));
    int type = rt ? atoi (rt) : -1;
    free (rt);
    if (type == 3 || type == 4) {     /* CPUs, memory */
      char *q = xp_at (ctx, it, L("VirtualQuantity"));
      char *u = xp_at (ctx, it, L("AllocationUnits"));
      if (q && type == 3) src->vcpus = atoi (q) > 0 ? atoi (q) : 1;
      if (q && type == 4) src->memory = strtoll (q, NULL, 10) * ovf_alloc_units (u);
      free (q); free (u);
    }
    else if (type == 17) {            /* disk */
      char *host = xp_at (ctx, it, L("HostResource"));
      if (!host) continue;
      const char *id = strrchr (host, '/') ? strrchr (host, '/') + 1 : host;
      char *expr = v2v_strdup_printf ("string(//" L("DiskSection") "/" L("Disk")
                                      "[@*[local-name()='diskId']='%s']/@*[local-name()='fileRef'])", id);
      char *fileref = xp_at (ctx, xmlDocGetRootElement (doc), expr);
      free (expr);
      char *href = NULL;
      if (fileref) {
        expr = v2v_strdup_printf ("string(//" L("References") "/" L("File")
                                  "[@*[local-name()='id']='%s']/@*[local-name()='href'])", fileref);
        href = xp_at (ctx, xmlDocGetRootElement (doc), expr);
        free (expr);
      }
      if (!href) {
        v2v_error (opts, "%s: disk ‘%s’ has no file in the OVF's References", ovf, id);
        free (host); free (fileref);
        goto out;
      }
      if (strchr (href, '/') || strstr (href, "..") || strchr (href, ':')) {
        v2v_error (opts, "%s: disk file ‘%s’ is not a plain file name inside the OVA", ovf, href);
        free (host); free (fileref); free (href);
        goto out;
      }
      char *path = v2v_strdup_printf ("%s/%s", dir, href);
      if (access (path, R_OK) == -1) {
        v2v_error (opts, "the OVF names disk ‘%s’, which is not in the OVA: %s", href, strerror (errno));
        free (host); free (fileref); free (href); free (path);
        goto out;
      }
      v2v_add_disk (src, path, NULL, NULL);
      free (host); free (fileref); free (href); free (path);
    }
    else if (type == 10) {            /* network adapter */
      struct v2v_nic *n = v2v_add_nic (src);
      n->network = xp_at (ctx, it, L("Connection"));
      n->model = xp_at (ctx, it, L("ResourceSubType"));
      n->mac = xp_at (ctx, it, L("Address"));
    }
  }
#undef L
  if (src->nr_disks == 0) {
    v2v_error (opts, "%s: the OVF describes no disks: nothing to convert", ovf);
    goto out;
  }
  ret = 0;
 out:
  xmlXPathFreeObject (items);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return ret;
}

int
v2v_input_ova (struct v2v_options *opts, const char *file, struct v2v_source *src)
{
  struct stat st;
  if (stat (file, &st) == -1) {
    v2v_error (opts, "-i ova: %s: %s", file, strerror (errno));
    return -1;
  }
  char *dir;
  if (S_ISDIR (st.st_mode))
    dir = realpath (file, NULL);
  else {
    /* A tar file: unpack it into our temporary directory.  tar refuses
     * members with absolute names or "..". */
    dir = v2v_strdup_printf ("%s/ova", opts->tmpdir);
    if (mkdir (dir, 0700) == -1) { v2v_error (opts, "mkdir %s: %s", dir, strerror (errno)); free (dir); return -1; }
    v2v_message (opts, "Unpacking the OVA %s", file);
    const char *argv[] = { "tar", "-x", "--no-same-owner", "--no-same-permissions",
                           "-f", file, "-C", dir, NULL };
    if (v2v_run (opts, NULL, argv) == -1) {
      v2v_error (opts, "-i ova: %s is neither a directory nor a tar file that could be unpacked", file);
      free (dir);
      return -1;
    }
    /* Some OVAs put everything in one subdirectory. */
    bool several;
    char *ovf = find_one (opts, dir, ".ovf", &several);
    if (!ovf) {
      DIR *d = opendir (dir);
      struct dirent *e;
      char *sub = NULL;
      while (d && (e = readdir (d))) {
        if (e->d_name[0] == '.') continue;
        char *p = v2v_strdup_printf ("%s/%s", dir, e->d_name);
        struct stat s2;
        if (lstat (p, &s2) == 0 && S_ISDIR (s2.st_mode) && !sub) sub = p; else free (p);
      }
      if (d) closedir (d);
      if (sub) { free (dir); dir = sub; }
    }
    free (ovf);
  }
  bool several;
  char *ovf = find_one (opts, dir, ".ovf", &several);
  if (!ovf || several) {
    v2v_error (opts, "-i ova: %s: %s", file, several ? "it holds more than one .ovf file" : "it holds no .ovf file");
    free (ovf); free (dir);
    return -1;
  }
  char *mf = find_one (opts, dir, ".mf", &several);
  int r = 0;
  if (mf) {
    v2v_message (opts, "Checking the OVA's manifest");
    r = check_manifest (opts, dir, mf);
  }
  if (r == 0)
    r = parse_ovf (opts, dir, ovf, src);
  free (mf); free (ovf); free (dir);
  return r;
}

/* ---- -i vmx ------------------------------------------------------------ */

struct vmx_kv { char *key, *value; };

static const char *
vmx_get (struct vmx_kv *kv, size_t n, const char *key)
{
  for (size_t i = 0; i < n; ++i)
    if (!strcasecmp (kv[i].key, key)) return kv[i].value;
  return NULL;
}

static bool
vmx_true (const char *v)
{
  return v && (!strcasecmp (v, "true") || !strcasecmp (v, "yes") || !strcmp (v, "1"));
}

/* A vmdk descriptor (text) names its extents; each must exist. */
/* -i vmx -it ssh: the ESXi host the .vmx was fetched from (NULL for a
 * local .vmx).  Its disks are read by qemu's ssh driver from there. */
struct vmx_remote {
  char *user;          /* or NULL */
  char *host;
  char *port;          /* or NULL */
  char *dir;           /* the .vmx's directory on the host */
};
static struct vmx_remote *vmx_remote;

/* scp [user@]host:REMOTE_PATH to LOCAL (key authentication: BatchMode). */
static int
ssh_fetch (struct v2v_options *opts, const struct vmx_remote *r, const char *remote_path,
           const char *local)
{
  char *src_ = v2v_strdup_printf ("%s%s%s:%s", r->user ? r->user : "", r->user ? "@" : "",
                                  r->host, remote_path);
  const char *argv[12];
  size_t k = 0;
  argv[k++] = "scp"; argv[k++] = "-q"; argv[k++] = "-o"; argv[k++] = "BatchMode=yes";
  if (r->port) { argv[k++] = "-P"; argv[k++] = r->port; }
  argv[k++] = src_; argv[k++] = local; argv[k] = NULL;
  int ret = v2v_run (opts, NULL, argv);
  if (ret == -1)
    v2v_error (opts, "-it ssh: cannot copy %s from %s (scp%s%s %s failed: is the host "
               "reachable, and does ssh-agent hold a key it accepts?)", remote_path, r->host,
               r->port ? " -P " : "", r->port ? r->port : "", src_);
  free (src_);
  return ret;
}

/* The disk FN of a remote .vmx: its descriptor is fetched (ESXi keeps
 * a small text descriptor beside each -flat extent), and the disk
 * becomes the ssh:// URL of its single flat extent (raw), or of the
 * vmdk itself when it is not a descriptor. */
static int
ssh_disk (struct v2v_options *opts, const char *fn, struct v2v_source *src)
{
  const struct vmx_remote *r = vmx_remote;
  char *rpath = fn[0] == '/' ? strdup (fn) : v2v_strdup_printf ("%s/%s", r->dir, fn);
  const char *base = strrchr (rpath, '/') + 1;
  char *local = v2v_strdup_printf ("%s/ssh-%zu-%s", opts->tmpdir, src->nr_disks, base);
  char *text = NULL, *ext = NULL;
  int ret = -1;
  if (ssh_fetch (opts, r, rpath, local) == -1) goto out;
  char head[64] = "";
  FILE *fp = fopen (local, "rb");
  size_t n = fp ? fread (head, 1, sizeof head - 1, fp) : 0;
  if (fp) fclose (fp);
  head[n] = '\0';
  const char *fmt = "vmdk";
  if (strstr (head, "Disk DescriptorFile")) {
    text = v2v_read_file (local, NULL);
    size_t next = 0;
    char *save = NULL;
    for (char *line = text ? strtok_r (text, "\r\n", &save) : NULL; line;
         line = strtok_r (NULL, "\r\n", &save)) {
      if (strncmp (line, "RW ", 3) && strncmp (line, "RDONLY ", 7)) continue;
      char *q1 = strchr (line, '"'), *q2 = q1 ? strchr (q1 + 1, '"') : NULL;
      if (!q2) continue;
      if (next++ == 0) ext = strndup (q1 + 1, q2 - q1 - 1);
      if (!strstr (line, " VMFS ") && !strstr (line, " FLAT ")) next = 99;
    }
    if (next != 1 || !ext || strchr (ext, '/')) {
      v2v_error (opts, "-it ssh: %s on %s is not a single flat extent (the ESXi layout); "
                 "copy the disk and use -i vmx on the copy", rpath, r->host);
      goto out;
    }
    char *slash = strrchr (rpath, '/');
    *slash = '\0';
    char *e = v2v_strdup_printf ("%s/%s", rpath, ext);
    free (rpath); rpath = e;
    fmt = "raw";
  }
  char *epath = url_encode (rpath, true);
  char *url = v2v_strdup_printf ("ssh://%s%s%s%s%s%s", r->user ? r->user : "", r->user ? "@" : "",
                                 r->host, r->port ? ":" : "", r->port ? r->port : "", epath);
  free (epath);
  v2v_add_disk (src, url, fmt, NULL);
  free (url);
  ret = 0;
 out:
  unlink (local);
  free (rpath); free (local); free (text); free (ext);
  return ret;
}

int
v2v_input_vmx_ssh (struct v2v_options *opts, const char *uri, struct v2v_source *src)
{
  if (strncmp (uri, "ssh://", 6)) {
    v2v_error (opts, "-i vmx -it ssh: expecting ssh://[USER@]HOST[:PORT]/PATH/GUEST.vmx, not ‘%s’", uri);
    return -1;
  }
  const char *h = uri + 6, *slash = strchr (h, '/');
  if (!slash || !ends_with (slash, ".vmx") || slash == h) {
    v2v_error (opts, "-i vmx -it ssh: %s: expecting ssh://[USER@]HOST[:PORT]/PATH/GUEST.vmx", uri);
    return -1;
  }
  struct vmx_remote r = { 0 };
  const char *at = memchr (h, '@', slash - h);
  if (at) { r.user = strndup (h, at - h); h = at + 1; }
  const char *colon = memchr (h, ':', slash - h);
  r.host = strndup (h, (colon ? colon : slash) - h);
  if (colon) r.port = strndup (colon + 1, slash - colon - 1);
  r.dir = dir_of (slash);
  int ret = -1;
  if (!r.host[0] || (r.port && (!r.port[0] || strspn (r.port, "0123456789") != strlen (r.port))) ||
      strpbrk (slash, "\n\r")) {
    v2v_error (opts, "-i vmx -it ssh: %s: bad host, port or path", uri);
    goto out;
  }
  char *local = v2v_strdup_printf ("%s/remote.vmx", opts->tmpdir);
  v2v_message (opts, "Fetching %s from %s over ssh", slash, r.host);
  if (ssh_fetch (opts, &r, slash, local) == 0) {
    vmx_remote = &r;
    ret = v2v_input_vmx (opts, local, src);
    vmx_remote = NULL;
    if (ret == 0 && !strcmp (src->name, "remote")) {     /* no displayName */
      free (src->name);
      const char *b = strrchr (slash, '/') + 1;
      src->name = strndup (b, strlen (b) - 4);
    }
  }
  free (local);
 out:
  free (r.user); free (r.host); free (r.port); free (r.dir);
  return ret;
}

static int
check_vmdk (struct v2v_options *opts, const char *path)
{
  char head[64] = "";
  FILE *fp = fopen (path, "rb");
  if (!fp) return -1;
  size_t n = fread (head, 1, sizeof head - 1, fp);
  fclose (fp);
  head[n] = '\0';
  if (!strstr (head, "Disk DescriptorFile")) return 0;  /* binary (sparse) vmdk */
  char *text = v2v_read_file (path, NULL);
  if (!text) return -1;
  char *dir = dir_of (path);
  int ret = 0;
  char *save = NULL;
  for (char *line = strtok_r (text, "\r\n", &save); line; line = strtok_r (NULL, "\r\n", &save)) {
    if (strncmp (line, "RW ", 3) && strncmp (line, "RDONLY ", 7)) continue;
    char *q1 = strchr (line, '"'), *q2 = q1 ? strchr (q1 + 1, '"') : NULL;
    if (!q2) continue;
    char *ext = strndup (q1 + 1, q2 - q1 - 1);
    char *p = resolve_path (dir, ext);
    if (access (p, R_OK) == -1) {
      v2v_error (opts, "vmdk descriptor %s names the extent ‘%s’, which cannot be read: %s",
                 path, ext, strerror (errno));
      ret = -1;
    }
    free (p); free (ext);
    if (ret) break;
  }
  free (dir); free (text);
  return ret;
}

int
v2v_input_vmx (struct v2v_options *opts, const char *file, struct v2v_source *src)
{
  char *text = v2v_read_file (file, NULL);
  if (!text) { v2v_error (opts, "-i vmx: %s: %s", file, strerror (errno)); return -1; }
  struct vmx_kv *kv = NULL;
  size_t n = 0;
  char *save = NULL;
  int ret = -1;
  for (char *line = strtok_r (text, "\r\n", &save); line; line = strtok_r (NULL, "\r\n", &save)) {
    while (isspace ((unsigned char) *line)) ++line;
    if (*line == '#' || !*line) continue;
    char *eq = strchr (line, '=');
    if (!eq) continue;
    char *k = line, *ke = eq;
    while (ke > k && isspace ((unsigned char) ke[-1])) --ke;
    char *v = eq + 1;
    while (isspace ((unsigned char) *v)) ++v;
    size_t vl = strlen (v);
    while (vl && isspace ((unsigned char) v[vl - 1])) --vl;
    if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') { ++v; vl -= 2; }
    kv = realloc (kv, (n + 1) * sizeof *kv);
    kv[n].key = strndup (k, ke - k);
    kv[n].value = strndup (v, vl);
    ++n;
  }
  if (n == 0) { v2v_error (opts, "-i vmx: %s: not a VMware .vmx file (no key = value lines)", file); goto out; }
  char *dir = dir_of (file);
  const char *name = vmx_get (kv, n, "displayName");
  src->name = name ? strdup (name) : name_from_file (file);
  src->hypervisor = strdup ("vmware");
  const char *memsize = vmx_get (kv, n, "memsize");
  src->memory = (memsize ? strtoll (memsize, NULL, 10) : 1024) * 1024 * 1024;
  const char *cpus = vmx_get (kv, n, "numvcpus");
  src->vcpus = cpus && atoi (cpus) > 0 ? atoi (cpus) : 1;
  const char *fw = vmx_get (kv, n, "firmware");
  src->firmware = fw && !strcasecmp (fw, "efi") ? V2V_FW_UEFI : V2V_FW_BIOS;

  /* Disks: BUS N:M .fileName, in bus order scsi, sata, nvme, ide. */
  static const char *const buses[] = { "scsi", "sata", "nvme", "ide" };
  for (size_t b = 0; b < 4; ++b)
    for (int c = 0; c < 4; ++c)
      for (int u = 0; u < 32; ++u) {
        char key[64];
        snprintf (key, sizeof key, "%s%d:%d.fileName", buses[b], c, u);
        const char *fn = vmx_get (kv, n, key);
        if (!fn) continue;
        snprintf (key, sizeof key, "%s%d:%d.present", buses[b], c, u);
        if (vmx_get (kv, n, key) && !vmx_true (vmx_get (kv, n, key))) continue;
        snprintf (key, sizeof key, "%s%d:%d.deviceType", buses[b], c, u);
        const char *dt = vmx_get (kv, n, key);
        if (dt && (strstr (dt, "cdrom") || strstr (dt, "atapi"))) continue;
        if (!ends_with (fn, ".vmdk")) continue;
        if (vmx_remote) {
          if (ssh_disk (opts, fn, src) == -1) { free (dir); goto out; }
          continue;
        }
        char *path = resolve_path (dir, fn);
        if (access (path, R_OK) == -1) {
          v2v_error (opts, "-i vmx: %s names the disk ‘%s’ (%s%d:%d), which cannot be read: %s",
                     file, fn, buses[b], c, u, strerror (errno));
          free (path); free (dir);
          goto out;
        }
        if (check_vmdk (opts, path) == -1) { free (path); free (dir); goto out; }
        v2v_add_disk (src, path, "vmdk", NULL);
        free (path);
      }
  free (dir);
  if (src->nr_disks == 0) {
    v2v_error (opts, "-i vmx: %s names no disks: nothing to convert", file);
    goto out;
  }
  for (int e = 0; e < 10; ++e) {
    char key[64];
    snprintf (key, sizeof key, "ethernet%d.present", e);
    if (!vmx_true (vmx_get (kv, n, key))) continue;
    struct v2v_nic *nic = v2v_add_nic (src);
    snprintf (key, sizeof key, "ethernet%d.networkName", e);
    const char *net = vmx_get (kv, n, key);
    nic->network = strdup (net ? net : "VM Network");
    snprintf (key, sizeof key, "ethernet%d.address", e);
    const char *mac = vmx_get (kv, n, key);
    if (!mac) { snprintf (key, sizeof key, "ethernet%d.generatedAddress", e); mac = vmx_get (kv, n, key); }
    if (mac) nic->mac = strdup (mac);
    snprintf (key, sizeof key, "ethernet%d.virtualDev", e);
    const char *dev = vmx_get (kv, n, key);
    if (dev) nic->model = strdup (dev);
  }
  ret = 0;
 out:
  for (size_t i = 0; i < n; ++i) { free (kv[i].key); free (kv[i].value); }
  free (kv); free (text);
  return ret;
}
