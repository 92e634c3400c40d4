/* libvirt and libxml2 opened on first use (see libvirt-fns.h).  Built
 * into the library and into the tools' common code. */
#include "libvirt-fns.h"

struct hatch_libvirt_fns libvirt;
struct hatch_libxml2_fns libxml;

static int
open_libvirt (char *err, size_t errlen)
  LAZY_OPEN_BODY (libvirt, HATCH_LIBVIRT_SONAME, HATCH_LIBVIRT_SYMBOLS)

static int
open_libxml2 (char *err, size_t errlen)
  LAZY_OPEN_BODY (libxml, HATCH_LIBXML2_SONAME, HATCH_LIBXML2_SYMBOLS)

int
hatch_libvirt_open (char *err, size_t errlen)
{
  if (open_libxml2 (err, errlen) == -1 || open_libvirt (err, errlen) == -1)
    return -1;
  return 0;
}
