/* A library opened with dlopen the first time it is needed, instead of
 * being linked: a table of pointers to the functions (and variables) a
 * program uses from it, filled on first use.
 *
 * Why: every linked library is mapped, relocated and initialised when a
 * process starts, used or not.  libvirt alone (with the forty libraries
 * it brings: glib, gnutls, curl, krb5, ICU ...) added about 60 ms to
 * every guestfish and virt-* process here, which only add_domain, -d and
 * the libvirt backend need; in the appliance, libtsk, augeas and
 * libarchive made the daemon's start a large part of a cold launch.
 *
 * Use:
 *
 *   #define TSK_FUNCTIONS(X) X(tsk_img_open_sing) X(tsk_error_get) ...
 *   static LAZY_TABLE_TYPE (tsk_fns, TSK_FUNCTIONS) tsk;
 *   static int tsk_open (char *err, size_t errlen)
 *     LAZY_OPEN_BODY (tsk, "libtsk.so.19", TSK_FUNCTIONS)
 *
 * then call tsk_open (it returns -1 with the reason in err when the
 * library or one of its symbols is missing) before the first use, and
 * use tsk.NAME.  Each member has the type of a pointer to NAME as the
 * library's header declares it, so calls stay type-checked; a variable
 * (libxml2's xmlFree, libvirt's virConnectAuthPtrDefault) is reached
 * through its pointer: (*tab.xmlFree) (p).  The open is thread-safe and
 * cheap after the first success; a failed open is tried again next time.
 * The soname should come from the build (meson finds it), and the
 * headers are needed at build time only. */
#ifndef HATCH_LAZY_DLOPEN_H
#define HATCH_LAZY_DLOPEN_H

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#define LAZY_MEMBER(f) __typeof__ (&f) f;
#define LAZY_BIND(f) \
  if (missing == NULL && (t.f = (__typeof__ (&f)) dlsym (h, #f)) == NULL) \
    missing = #f;

/* struct TAG with one pointer member per name in LIST. */
#define LAZY_TABLE_TYPE(tag, LIST) struct tag { LIST (LAZY_MEMBER) }

/* The body of int OPEN (char *err, size_t errlen): 1 when this call
 * filled TABLE from SONAME, 0 when an earlier one did, -1 with the
 * reason in err. */
#define LAZY_OPEN_BODY(table, soname, LIST)                             \
  {                                                                     \
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;            \
    static bool loaded;                                                 \
    int r = 0;                                                          \
    pthread_mutex_lock (&lock);                                         \
    if (!loaded) {                                                      \
      void *h = dlopen ((soname), RTLD_NOW | RTLD_LOCAL);               \
      if (h == NULL) {                                                  \
        const char *why = dlerror ();                                   \
        snprintf (err, errlen, "%s", why ? why : (soname));             \
        r = -1;                                                         \
      }                                                                 \
      else {                                                            \
        __typeof__ (table) t;                                           \
        const char *missing = NULL;                                     \
        LIST (LAZY_BIND)                                                \
        if (missing) {                                                  \
          snprintf (err, errlen, "%s has no symbol %s (a different version?)", \
                    (soname), missing);                                 \
          dlclose (h);                                                  \
          r = -1;                                                       \
        }                                                               \
        else {                                                          \
          table = t;                                                    \
          loaded = true;                                                \
          r = 1;                                                        \
        }                                                               \
      }                                                                 \
    }                                                                   \
    pthread_mutex_unlock (&lock);                                       \
    return r;                                                           \
  }

#endif
