/* Libraries the daemon opens the first time an action needs them, with
 * dlopen, instead of linking them.
 *
 * Why: every library the daemon links is mapped, relocated and
 * initialised when the daemon starts, before the host's first call.
 * libtsk alone brings in some forty others (curl, krb5, ldap, gnutls,
 * openssl ...), and under TCG the dynamic loader's work on sixty-five
 * libraries, with their pages read from the root image for the first
 * time, was a large part of a cold launch.  Actions that need such a
 * library are rare; they pay for it once, on first use.
 *
 * Use, in the one file that calls the library (one library per file):
 *
 *   #define TSK_FUNCTIONS(X) X(tsk_img_open_sing) X(tsk_error_get) ...
 *   LAZY_LIBRARY (HATCH_LIBTSK_SONAME, TSK_FUNCTIONS)
 *
 * then call lib_load () (it replies with the error and returns -1 when
 * the library or one of its functions is missing) before the first
 * call, and call the functions as lib.NAME (...).  The library's own
 * header gives each pointer its type, so calls stay type-checked.  The
 * soname comes from the build (meson finds the library's soname), and
 * the appliance gets the library from the package list
 * (appliance/packages.txt), since it is no longer a DT_NEEDED entry. */
#ifndef HATCH_LAZYLIB_H
#define HATCH_LAZYLIB_H

#include <stdbool.h>

/* dlopen SONAME (once: later calls return the same handle), or reply
 * with an error naming it and return NULL. */
void *lazy_open (const char *soname);
/* Reply with an error: SYMBOL is missing from SONAME; returns -1. */
int lazy_missing (const char *soname, const char *symbol);
void *lazy_symbol (void *handle, const char *symbol);

#define LAZY_MEMBER(f) __typeof__ (&f) f;
#define LAZY_BIND(f) \
  if ((lib.f = (__typeof__ (&f)) lazy_symbol (handle, #f)) == NULL) \
    return lazy_missing (soname, #f);

#define LAZY_LIBRARY(soname_, LIST)                             \
  static struct { LIST (LAZY_MEMBER) } lib;                     \
  static int                                                    \
  lib_load (void)                                               \
  {                                                             \
    static bool loaded;                                         \
    if (loaded)                                                 \
      return 0;                                                 \
    const char *soname = soname_;                               \
    void *handle = lazy_open (soname);                          \
    if (handle == NULL)                                         \
      return -1;                                                \
    LIST (LAZY_BIND)                                            \
    loaded = true;                                              \
    return 0;                                                   \
  }

#endif
