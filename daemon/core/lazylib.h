/* Libraries the daemon opens the first time an action needs them, with
 * dlopen, instead of linking them.
 *
 * Why: every library the daemon links is mapped, relocated and
 * initialised when the daemon starts, before the host's first call.
 * libtsk alone brings in some forty others (curl, krb5, ldap, gnutls,
 * openssl ...), and under TCG the dynamic loader's work on sixty-five
 * libraries, with their pages read from the root image for the first
 * time, was a large part of a cold launch.  Actions that need such a
 * library are rare; they pay for it once, on first use.  Except in a
 * restored appliance: the boot whose state is saved opens those marked
 * LAZY_PRELOAD (lazy_open_all), so only cold boots pay for them.
 *
 * Use, in the one file that calls the library (one library per file):
 *
 *   #define TSK_FUNCTIONS(X) X(tsk_img_open_sing) X(tsk_error_get) ...
 *   LAZY_LIBRARY (HATCH_LIBTSK_SONAME, TSK_FUNCTIONS)
 *
 * then call lib_load () (it replies with the error and returns -1 when
 * the library or one of its functions is missing) before the first
 * call, and call the functions as lib.NAME (...).  The library's own
 * header gives each pointer its type, so calls stay type-checked (the
 * table and its opening: common/lazy-dlopen.h, shared with the library
 * and the tools, which open libvirt this way).  The
 * soname comes from the build (meson finds the library's soname), and
 * the appliance gets the library from the package list
 * (appliance/packages.txt), since it is no longer a DT_NEEDED entry. */
#ifndef HATCH_LAZYLIB_H
#define HATCH_LAZYLIB_H

#include "lazy-dlopen.h"

/* Reply with "SONAME is not available in the appliance: WHY"; -1. */
int lazy_failed (const char *why);
/* In verbose mode, say that SONAME was opened. */
void lazy_opened (const char *soname);
/* The libraries that the boot whose state is saved opens (lazy_open_all),
 * so that restored appliances have them: each registers its opener at
 * program start (LAZY_PRELOAD). */
void lazy_register (int (*open) (char *err, size_t errlen));
void lazy_open_all (void);

#define LAZY_LIBRARY(soname_, LIST)                                     \
  static LAZY_TABLE_TYPE (lazy_fns, LIST) lib;                          \
  static int lib_open (char *err, size_t errlen)                        \
    LAZY_OPEN_BODY (lib, soname_, LIST)                                 \
  static int                                                            \
  lib_load (void)                                                       \
  {                                                                     \
    char err[512];                                                      \
    int r = lib_open (err, sizeof err);                                 \
    if (r == -1)                                                        \
      return lazy_failed (err);                                         \
    if (r == 1)                                                         \
      lazy_opened (soname_);                                            \
    return 0;                                                           \
  }

/* After LAZY_LIBRARY: the saving boot opens this library.  Not for one
 * that seeds a random generator of its own when it is loaded (or pulls
 * one in that does): every restored appliance would start with that same
 * state.  libtsk is not preloaded for that reason (gnutls, through
 * curl). */
#define LAZY_PRELOAD                                                    \
  __attribute__ ((constructor)) static void                             \
  lib_register (void)                                                   \
  {                                                                     \
    lazy_register (lib_open);                                           \
  }

#endif
