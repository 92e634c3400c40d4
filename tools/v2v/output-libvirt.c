/* -o libvirt -os POOL [-oc URI]: the converted disks go into the
 * directory of the libvirt storage pool POOL (a "dir" pool, or any pool
 * whose target is a directory), the pool is refreshed so they show as
 * its volumes, and the guest is defined (not started) in that libvirt.
 * Everything that can refuse is checked before the copy: the pool and
 * its directory, a domain of the same name, the domain type libvirt can
 * run ("kvm" when it offers KVM, else "qemu", with a warning). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "v2v.h"

#ifdef HAVE_LIBVIRT
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

static const char *
last_error (void)
{
  virErrorPtr e = virGetLastError ();
  return e && e->message ? e->message : "unknown error";
}

static virConnectPtr
connect_to (struct v2v_options *opts, const struct v2v_output *out)
{
  virConnectPtr conn = virConnectOpen (out->conn);
  if (!conn)
    v2v_error (opts, "-o libvirt: cannot connect to libvirt%s%s: %s",
               out->conn ? " at " : "", out->conn ? out->conn : "", last_error ());
  return conn;
}

/* <target><path> of the pool's XML (libvirt's own answer, not guest
 * data). */
static char *
pool_path (const char *xml)
{
  char *r = NULL;
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
  xmlXPathContextPtr ctx = doc ? xmlXPathNewContext (doc) : NULL;
  xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression (BAD_CAST "string(/pool/target/path)", ctx) : NULL;
  if (o && o->type == XPATH_STRING && o->stringval && o->stringval[0])
    r = strdup ((const char *) o->stringval);
  xmlXPathFreeObject (o);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return r;
}

int
v2v_libvirt_check (struct v2v_options *opts, struct v2v_output *out)
{
  if (!out->storage) {
    v2v_error (opts, "-o libvirt: the storage pool was not given (use -os POOL; "
               "`virsh pool-list` lists them)");
    return -1;
  }
  virConnectPtr conn = connect_to (opts, out);
  if (!conn) return -1;
  int ret = -1;
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, out->storage);
  char *xml = NULL;
  if (!pool) {
    v2v_error (opts, "-o libvirt: no storage pool called ‘%s’ in libvirt%s%s (`virsh pool-list --all`)",
               out->storage, out->conn ? " at " : "", out->conn ? out->conn : "");
    goto out;
  }
  virStoragePoolInfo info;
  if (virStoragePoolGetInfo (pool, &info) == 0 && info.state != VIR_STORAGE_POOL_RUNNING) {
    v2v_error (opts, "-o libvirt: storage pool ‘%s’ is not active (virsh pool-start %s)",
               out->storage, out->storage);
    goto out;
  }
  xml = virStoragePoolGetXMLDesc (pool, 0);
  out->dir = xml ? pool_path (xml) : NULL;
  struct stat st;
  if (!out->dir || stat (out->dir, &st) == -1 || !S_ISDIR (st.st_mode)) {
    v2v_error (opts, "-o libvirt: storage pool ‘%s’ has no target directory on this host "
               "(only pools whose volumes are files in a directory are supported)", out->storage);
    goto out;
  }
  virDomainPtr dom = virDomainLookupByName (conn, out->name);
  if (dom) {
    virDomainFree (dom);
    v2v_error (opts, "-o libvirt: a guest called ‘%s’ already exists in libvirt: "
               "remove it (virsh undefine) or choose another name with -on", out->name);
    goto out;
  }
  /* KVM if this libvirt offers it for x86_64, else plain qemu (TCG). */
  char *caps = virConnectGetDomainCapabilities (conn, NULL, "x86_64", NULL, "kvm", 0);
  if (caps) {
    out->domain_type = "kvm";
    free (caps);
  }
  else {
    out->domain_type = "qemu";
    v2v_warning (opts, "libvirt does not offer KVM here: the guest is defined as a "
                 "<domain type='qemu'> (emulated, slow)");
  }
  ret = 0;
 out:
  free (xml);
  if (pool) virStoragePoolFree (pool);
  virConnectClose (conn);
  return ret;
}

int
v2v_libvirt_define (struct v2v_options *opts, struct v2v_output *out,
                    const struct v2v_source *src, const struct v2v_target *tgt)
{
  char *xml = v2v_libvirt_xml (out, src, tgt, out->domain_type ? out->domain_type : "kvm");
  if (!xml) { v2v_error (opts, "out of memory"); return -1; }
  virConnectPtr conn = connect_to (opts, out);
  if (!conn) { free (xml); return -1; }
  int ret = -1;
  virStoragePoolPtr pool = virStoragePoolLookupByName (conn, out->storage);
  if (pool) {
    if (virStoragePoolRefresh (pool, 0) == -1)
      v2v_warning (opts, "refreshing storage pool ‘%s’: %s", out->storage, last_error ());
    virStoragePoolFree (pool);
  }
  v2v_message (opts, "Defining the guest ‘%s’ in libvirt", out->name);
  virDomainPtr dom = virDomainDefineXML (conn, xml);
  if (!dom)
    v2v_error (opts, "-o libvirt: libvirt refused the guest's XML: %s (the disks are in %s)",
               last_error (), out->dir);
  else {
    virDomainFree (dom);
    ret = 0;
  }
  virConnectClose (conn);
  free (xml);
  return ret;
}

#else

int
v2v_libvirt_check (struct v2v_options *opts, struct v2v_output *out)
{
  (void) out;
  v2v_error (opts, "-o libvirt: this virt-v2v was built without libvirt");
  return -1;
}

int
v2v_libvirt_define (struct v2v_options *opts, struct v2v_output *out,
                    const struct v2v_source *src, const struct v2v_target *tgt)
{
  (void) out; (void) src; (void) tgt;
  v2v_error (opts, "-o libvirt: this virt-v2v was built without libvirt");
  return -1;
}

#endif
