/* libvirt and libxml2 for the library (add_domain, the libvirt backend)
 * and the tools (-d, listing every guest), opened on first use
 * (lazy-dlopen.h): linked, libvirt added about 60 ms to the start of
 * every guestfish and virt-* process, which most runs never repay.
 *
 * Call hatch_libvirt_open before the first use of either table; then
 * libvirt.virConnectOpenAuth (...), libxml.xmlReadMemory (...).  Only
 * built with HAVE_LIBVIRT (the headers found at build time). */
#ifndef HATCH_LIBVIRT_FNS_H
#define HATCH_LIBVIRT_FNS_H

#include <stddef.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "lazy-dlopen.h"

#define HATCH_LIBVIRT_SYMBOLS(X)                                        \
  X(virConnectAuthPtrDefault) X(virConnectClose) X(virConnectGetCapabilities) \
  X(virConnectListAllDomains) X(virConnectOpenAuth)                     \
  X(virDomainAttachDeviceFlags) X(virDomainCreateXML) X(virDomainDestroy) \
  X(virDomainDetachDeviceFlags) X(virDomainFree) X(virDomainGetName)    \
  X(virDomainGetUUIDString) X(virDomainGetXMLDesc) X(virDomainIsActive) \
  X(virDomainLookupByName) X(virDomainLookupByUUIDString) X(virGetLastError) \
  X(virSecretDefineXML) X(virSecretFree) X(virSecretGetUUIDString)      \
  X(virSecretLookupByUUIDString) X(virSecretSetValue) X(virSecretUndefine) \
  X(virSetErrorFunc)

#define HATCH_LIBXML2_SYMBOLS(X)                                        \
  X(xmlFree) X(xmlFreeDoc) X(xmlGetProp) X(xmlNodeGetContent) X(xmlReadMemory) \
  X(xmlXPathEvalExpression) X(xmlXPathFreeContext) X(xmlXPathFreeObject) \
  X(xmlXPathNewContext)

extern LAZY_TABLE_TYPE (hatch_libvirt_fns, HATCH_LIBVIRT_SYMBOLS) libvirt;
extern LAZY_TABLE_TYPE (hatch_libxml2_fns, HATCH_LIBXML2_SYMBOLS) libxml;

/* Open both libraries: 0, or -1 with the reason in err. */
extern int hatch_libvirt_open (char *err, size_t errlen);

#endif
