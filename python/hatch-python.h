/* The Python binding's shared helpers (python/handle.c), used by the
 * generated per-action wrappers (actions-gen.c, from generator/gen_python.py).
 *
 * Conventions: every helper that can fail sets a Python exception and
 * returns NULL or -1.  Strings going into the library are UTF-8 (with
 * surrogateescape, so a name read from a guest goes back unchanged);
 * strings coming out are decoded the same way. */
#ifndef HATCH_PYTHON_H
#define HATCH_PYTHON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include "guestfs.h"

/* A C string borrowed from a Python object, kept alive by `owner`. */
struct py_str {
  const char *s;
  PyObject *owner;              /* NULL when s points into the str itself */
};

/* What the capsule in GuestFS._o points to.  `busy` counts the calls in
 * progress with the GIL released: close refuses while it is not zero, so
 * no thread can free the handle under another one's call.  `callbacks`
 * maps event handles to the Python callables (keeping them alive). */
struct py_handle {
  guestfs_h *g;                 /* NULL once closed */
  PyObject *callbacks;          /* dict: int -> callable */
  int busy;
};

/* Check the argument count and find the handle in args[0]: NULL (with
 * ClosedHandle or TypeError set) if the handle is closed or not one. */
struct py_handle *py_handle_begin (const char *fn, PyObject *const *args,
                                   Py_ssize_t nargs, Py_ssize_t want);

/* Raise guestfs.GuestFSException from the handle's last error. */
void py_raise_error (guestfs_h *g);

/* Arguments. */
int py_get_str (const char *fn, const char *arg, PyObject *o, struct py_str *r);
int py_get_optstr (const char *fn, const char *arg, PyObject *o, struct py_str *r);
void py_put_str_free (struct py_str *r);
char **py_get_strlist (const char *fn, const char *arg, PyObject *o);
void py_strlist_free (char **l);
int py_get_bool (const char *fn, const char *arg, PyObject *o, int *r);
int py_get_int (const char *fn, const char *arg, PyObject *o, int *r);
int py_get_int64 (const char *fn, const char *arg, PyObject *o, int64_t *r);
int py_get_buffer (const char *fn, const char *arg, PyObject *o,
                   Py_buffer *view);
int py_get_pointer (const char *fn, const char *arg, PyObject *o, void **r);

/* Results. */
PyObject *py_from_str (const char *s);
PyObject *py_from_strn (const char *s, size_t n);
PyObject *py_from_optstr (const char *s);
PyObject *py_from_strlist (char *const *l);
PyObject *py_from_hashtable (char *const *l);
void py_free_strings (char **l);
PyObject *py_from_optpercent (float f);
/* Store v (a new reference, may be NULL after a failed conversion) in d. */
int py_dict_put (PyObject *d, const char *key, PyObject *v);

extern PyMethodDef py_action_methods[];

#endif
