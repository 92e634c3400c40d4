/* The hand-written half of the Python extension module libguestfsmod:
 * handle creation and closing, errors, events, and the conversions the
 * generated wrappers (actions-gen.c) use for arguments and results.
 * Nothing here knows about a particular action. */
#include "hatch-python.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CAPSULE_NAME "guestfs_h"

static PyObject *guestfs_exception;     /* guestfs.GuestFSException */
static PyObject *closed_handle;         /* guestfs.ClosedHandle */

/* ---- handles ---- */

static void
close_handle (struct py_handle *h, int release_gil)
{
  guestfs_h *g = h->g;
  if (g == NULL)
    return;
  /* Marked closed first: a close-event callback that calls a method gets
   * ClosedHandle, not a handle being freed. */
  h->g = NULL;
  if (release_gil) {
    Py_BEGIN_ALLOW_THREADS
    guestfs_close (g);
    Py_END_ALLOW_THREADS
  }
  else
    guestfs_close (g);
  Py_CLEAR (h->callbacks);
}

static void
capsule_destructor (PyObject *cap)
{
  struct py_handle *h = PyCapsule_GetPointer (cap, CAPSULE_NAME);
  if (h == NULL) {
    PyErr_Clear ();
    return;
  }
  /* The GIL stays held: this may run while the interpreter shuts down. */
  close_handle (h, 0);
  free (h);
}

static PyObject *
py_create (PyObject *self, PyObject *args)
{
  unsigned flags = 0;
  if (!PyArg_ParseTuple (args, "|I:create", &flags))
    return NULL;
  guestfs_h *g = guestfs_create_flags (flags);
  if (g == NULL) {
    int e = errno;
    PyObject *exc = PyObject_CallFunction (guestfs_exception, "s",
                                           "guestfs_create: cannot create the handle");
    if (exc) {
      PyObject *num = PyLong_FromLong (e);
      if (num) {
        PyObject_SetAttrString (exc, "errno", num);
        Py_DECREF (num);
      }
      PyErr_SetObject (guestfs_exception, exc);
      Py_DECREF (exc);
    }
    return NULL;
  }
  /* Errors become exceptions: the library must not also print them. */
  guestfs_set_error_handler (g, NULL, NULL);
  struct py_handle *h = calloc (1, sizeof *h);
  if (h == NULL) {
    guestfs_close (g);
    return PyErr_NoMemory ();
  }
  h->g = g;
  PyObject *cap = PyCapsule_New (h, CAPSULE_NAME, capsule_destructor);
  if (cap == NULL) {
    guestfs_close (g);
    free (h);
  }
  return cap;
}

static struct py_handle *
get_handle (const char *fn, PyObject *cap)
{
  if (cap == Py_None) {
    PyErr_SetString (closed_handle, "GuestFS: method called on closed handle");
    return NULL;
  }
  if (!PyCapsule_IsValid (cap, CAPSULE_NAME)) {
    PyErr_Format (PyExc_TypeError, "%s: the first argument must be a guestfs "
                  "handle (GuestFS._o), not %.100s", fn, Py_TYPE (cap)->tp_name);
    return NULL;
  }
  struct py_handle *h = PyCapsule_GetPointer (cap, CAPSULE_NAME);
  if (h->g == NULL) {
    PyErr_SetString (closed_handle, "GuestFS: method called on closed handle");
    return NULL;
  }
  return h;
}

struct py_handle *
py_handle_begin (const char *fn, PyObject *const *args, Py_ssize_t nargs,
                 Py_ssize_t want)
{
  if (nargs != want) {
    PyErr_Format (PyExc_TypeError, "%s: expected %zd arguments, got %zd",
                  fn, want, nargs);
    return NULL;
  }
  return get_handle (fn, args[0]);
}

static PyObject *
py_close (PyObject *self, PyObject *cap)
{
  if (cap == Py_None)
    Py_RETURN_NONE;
  if (!PyCapsule_IsValid (cap, CAPSULE_NAME)) {
    PyErr_SetString (PyExc_TypeError, "close: the argument must be a guestfs handle");
    return NULL;
  }
  struct py_handle *h = PyCapsule_GetPointer (cap, CAPSULE_NAME);
  if (h->busy) {
    PyObject *exc = PyObject_CallFunction (guestfs_exception, "s",
        "close: the handle is in use by a call in another thread");
    if (exc) {
      PyObject *num = PyLong_FromLong (EBUSY);
      if (num) {
        PyObject_SetAttrString (exc, "errno", num);
        Py_DECREF (num);
      }
      PyErr_SetObject (guestfs_exception, exc);
      Py_DECREF (exc);
    }
    return NULL;
  }
  close_handle (h, 1);
  Py_RETURN_NONE;
}

/* ---- errors ---- */

void
py_raise_error (guestfs_h *g)
{
  const char *msg = guestfs_last_error (g);
  int e = guestfs_last_errno (g);
  if (msg == NULL)
    msg = "unknown error";
  PyObject *text = PyUnicode_DecodeUTF8 (msg, strlen (msg), "replace");
  if (text == NULL)
    return;
  PyObject *exc = PyObject_CallOneArg (guestfs_exception, text);
  Py_DECREF (text);
  if (exc == NULL)
    return;
  if (e != 0) {
    PyObject *num = PyLong_FromLong (e);
    if (num == NULL || PyObject_SetAttrString (exc, "errno", num) == -1) {
      Py_XDECREF (num);
      Py_DECREF (exc);
      return;
    }
    Py_DECREF (num);
  }
  PyErr_SetObject (guestfs_exception, exc);
  Py_DECREF (exc);
}

/* ---- events ---- */

static void
event_callback (guestfs_h *g, void *opaque, uint64_t event, int event_handle,
                int flags, const char *buf, size_t buf_len,
                const uint64_t *array, size_t array_len)
{
  if (!Py_IsInitialized ())
    return;
  PyGILState_STATE st = PyGILState_Ensure ();
  PyObject *cb = opaque;
  Py_INCREF (cb);               /* it may delete itself */
  PyObject *pybuf, *pyarray = NULL, *r = NULL;
  if (buf)
    pybuf = PyUnicode_DecodeUTF8 (buf, buf_len, "surrogateescape");
  else {
    pybuf = Py_None;
    Py_INCREF (pybuf);
  }
  if (pybuf == NULL)
    goto out;
  pyarray = PyList_New (array_len);
  if (pyarray == NULL)
    goto out;
  for (size_t i = 0; i < array_len; ++i) {
    PyObject *v = PyLong_FromUnsignedLongLong (array[i]);
    if (v == NULL)
      goto out;
    PyList_SET_ITEM (pyarray, i, v);
  }
  r = PyObject_CallFunction (cb, "KiOO", (unsigned long long) event,
                             event_handle, pybuf, pyarray);
 out:
  /* An exception in a callback cannot reach the caller through the C
   * library: report it as unraisable (printed, never exits) and carry on. */
  if (r == NULL && PyErr_Occurred ())
    PyErr_WriteUnraisable (cb);
  Py_XDECREF (r);
  Py_XDECREF (pybuf);
  Py_XDECREF (pyarray);
  Py_DECREF (cb);
  PyGILState_Release (st);
}

static PyObject *
py_set_event_callback (PyObject *self, PyObject *args)
{
  PyObject *cap, *cb, *bits;
  if (!PyArg_ParseTuple (args, "OOO:set_event_callback", &cap, &cb, &bits))
    return NULL;
  struct py_handle *h = get_handle ("set_event_callback", cap);
  if (h == NULL)
    return NULL;
  if (!PyCallable_Check (cb)) {
    PyErr_SetString (PyExc_TypeError,
                     "set_event_callback: the callback must be callable "
                     "(a function, method or lambda)");
    return NULL;
  }
  int64_t mask;
  if (py_get_int64 ("set_event_callback", "event_bitmask", bits, &mask) == -1)
    return NULL;
  if (mask < 0 || (mask & ~(int64_t) GUESTFS_EVENT_ALL)) {
    PyErr_Format (PyExc_ValueError, "set_event_callback: event_bitmask 0x%llx "
                  "has bits that are not events (guestfs.EVENT_ALL is 0x%x)",
                  (unsigned long long) mask, GUESTFS_EVENT_ALL);
    return NULL;
  }
  if (h->callbacks == NULL && (h->callbacks = PyDict_New ()) == NULL)
    return NULL;
  int eh = guestfs_set_event_callback (h->g, event_callback, (uint64_t) mask,
                                       0, cb);
  if (eh == -1) {
    py_raise_error (h->g);
    return NULL;
  }
  PyObject *key = PyLong_FromLong (eh);
  if (key == NULL || PyDict_SetItem (h->callbacks, key, cb) == -1) {
    Py_XDECREF (key);
    guestfs_delete_event_callback (h->g, eh);
    return NULL;
  }
  return key;
}

static PyObject *
py_delete_event_callback (PyObject *self, PyObject *args)
{
  PyObject *cap;
  int eh;
  if (!PyArg_ParseTuple (args, "Oi:delete_event_callback", &cap, &eh))
    return NULL;
  struct py_handle *h = get_handle ("delete_event_callback", cap);
  if (h == NULL)
    return NULL;
  guestfs_delete_event_callback (h->g, eh);
  if (h->callbacks) {
    PyObject *key = PyLong_FromLong (eh);
    if (key == NULL)
      return NULL;
    /* The library has forgotten it, so the callable may go now. */
    if (PyDict_Contains (h->callbacks, key) == 1 &&
        PyDict_DelItem (h->callbacks, key) == -1) {
      Py_DECREF (key);
      return NULL;
    }
    Py_DECREF (key);
  }
  Py_RETURN_NONE;
}

static PyObject *
py_event_to_string (PyObject *self, PyObject *arg)
{
  int64_t mask;
  if (py_get_int64 ("event_to_string", "events", arg, &mask) == -1)
    return NULL;
  if (mask < 0) {
    PyErr_SetString (PyExc_ValueError, "event_to_string: events must not be negative");
    return NULL;
  }
  char *s = guestfs_event_to_string ((uint64_t) mask);
  if (s == NULL)
    return PyErr_SetFromErrno (PyExc_OSError);
  PyObject *r = py_from_str (s);
  free (s);
  return r;
}

/* ---- arguments ---- */

static const char *
type_name (PyObject *o)
{
  return Py_TYPE (o)->tp_name;
}

int
py_get_str (const char *fn, const char *arg, PyObject *o, struct py_str *r)
{
  Py_ssize_t n;
  r->owner = NULL;
  if (PyUnicode_Check (o)) {
    r->s = PyUnicode_AsUTF8AndSize (o, &n);
    if (r->s == NULL) {
      /* Lone surrogates: bytes that came from a guest name, undecodable. */
      if (!PyErr_ExceptionMatches (PyExc_UnicodeEncodeError))
        return -1;
      PyErr_Clear ();
      r->owner = PyUnicode_AsEncodedString (o, "utf-8", "surrogateescape");
      if (r->owner == NULL)
        return -1;
      r->s = PyBytes_AS_STRING (r->owner);
      n = PyBytes_GET_SIZE (r->owner);
    }
  }
  else if (PyBytes_Check (o)) {
    r->s = PyBytes_AS_STRING (o);
    n = PyBytes_GET_SIZE (o);
  }
  else {
    PyErr_Format (PyExc_TypeError, "%s: %s: expected str, got %.100s",
                  fn, arg, type_name (o));
    return -1;
  }
  if ((size_t) n != strlen (r->s)) {
    Py_CLEAR (r->owner);
    PyErr_Format (PyExc_ValueError, "%s: %s: embedded null character",
                  fn, arg);
    return -1;
  }
  return 0;
}

int
py_get_optstr (const char *fn, const char *arg, PyObject *o, struct py_str *r)
{
  if (o == Py_None) {
    r->s = NULL;
    r->owner = NULL;
    return 0;
  }
  return py_get_str (fn, arg, o, r);
}

void
py_put_str_free (struct py_str *r)
{
  Py_CLEAR (r->owner);
}

void
py_strlist_free (char **l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l[i]; ++i)
    free (l[i]);
  free (l);
}

char **
py_get_strlist (const char *fn, const char *arg, PyObject *o)
{
  if (PyUnicode_Check (o) || PyBytes_Check (o) ||
      !(PyList_Check (o) || PyTuple_Check (o))) {
    PyErr_Format (PyExc_TypeError, "%s: %s: expected a list of str, got %.100s",
                  fn, arg, type_name (o));
    return NULL;
  }
  Py_ssize_t n = PySequence_Fast_GET_SIZE (o);
  char **l = calloc (n + 1, sizeof *l);
  if (l == NULL) {
    PyErr_NoMemory ();
    return NULL;
  }
  for (Py_ssize_t i = 0; i < n; ++i) {
    struct py_str s;
    if (py_get_str (fn, arg, PySequence_Fast_GET_ITEM (o, i), &s) == -1) {
      py_strlist_free (l);
      return NULL;
    }
    l[i] = strdup (s.s);
    py_put_str_free (&s);
    if (l[i] == NULL) {
      py_strlist_free (l);
      PyErr_NoMemory ();
      return NULL;
    }
  }
  return l;
}

/* Integers: anything with __index__ (int, bool, numpy's ints), with the
 * range checked and the failing argument named. */
static int
get_integer (const char *fn, const char *arg, PyObject *o, long long *r)
{
  if (!PyIndex_Check (o)) {
    PyErr_Format (PyExc_TypeError, "%s: %s: expected int, got %.100s",
                  fn, arg, type_name (o));
    return -1;
  }
  PyObject *i = PyNumber_Index (o);
  if (i == NULL)
    return -1;
  int overflow;
  *r = PyLong_AsLongLongAndOverflow (i, &overflow);
  Py_DECREF (i);
  if (overflow) {
    PyErr_Format (PyExc_OverflowError, "%s: %s: integer out of range of a "
                  "64 bit signed integer", fn, arg);
    return -1;
  }
  if (*r == -1 && PyErr_Occurred ())
    return -1;
  return 0;
}

int
py_get_bool (const char *fn, const char *arg, PyObject *o, int *r)
{
  long long v;
  if (get_integer (fn, arg, o, &v) == -1)
    return -1;
  *r = v != 0;
  return 0;
}

int
py_get_int (const char *fn, const char *arg, PyObject *o, int *r)
{
  long long v;
  if (get_integer (fn, arg, o, &v) == -1)
    return -1;
  if (v < INT32_MIN || v > INT32_MAX) {
    PyErr_Format (PyExc_OverflowError, "%s: %s: %lld is out of range of a "
                  "32 bit signed integer", fn, arg, v);
    return -1;
  }
  *r = (int) v;
  return 0;
}

int
py_get_int64 (const char *fn, const char *arg, PyObject *o, int64_t *r)
{
  long long v;
  if (get_integer (fn, arg, o, &v) == -1)
    return -1;
  *r = v;
  return 0;
}

int
py_get_buffer (const char *fn, const char *arg, PyObject *o, Py_buffer *view)
{
  if (PyUnicode_Check (o)) {
    PyObject *b = PyUnicode_AsEncodedString (o, "utf-8", "surrogateescape");
    if (b == NULL)
      return -1;
    int r = PyObject_GetBuffer (b, view, PyBUF_SIMPLE);
    Py_DECREF (b);              /* the view holds its own reference */
    return r;
  }
  if (!PyObject_CheckBuffer (o)) {
    PyErr_Format (PyExc_TypeError, "%s: %s: expected bytes, got %.100s",
                  fn, arg, type_name (o));
    return -1;
  }
  return PyObject_GetBuffer (o, view, PyBUF_SIMPLE);
}

/* An opaque C pointer, as libvirt-python hands them out: a capsule, or an
 * object (virDomain) whose _o is one. */
int
py_get_pointer (const char *fn, const char *arg, PyObject *o, void **r)
{
  PyObject *inner = NULL;
  if (!PyCapsule_CheckExact (o) && PyObject_HasAttrString (o, "_o")) {
    inner = PyObject_GetAttrString (o, "_o");
    if (inner == NULL)
      return -1;
    o = inner;
  }
  if (!PyCapsule_CheckExact (o)) {
    PyErr_Format (PyExc_TypeError, "%s: %s: expected a libvirt object or a "
                  "capsule, got %.100s", fn, arg, type_name (o));
    Py_XDECREF (inner);
    return -1;
  }
  *r = PyCapsule_GetPointer (o, PyCapsule_GetName (o));
  Py_XDECREF (inner);
  return *r == NULL ? -1 : 0;
}

/* ---- results ---- */

PyObject *
py_from_strn (const char *s, size_t n)
{
  return PyUnicode_DecodeUTF8 (s, n, "surrogateescape");
}

PyObject *
py_from_str (const char *s)
{
  return py_from_strn (s, strlen (s));
}

PyObject *
py_from_optstr (const char *s)
{
  if (s == NULL)
    Py_RETURN_NONE;
  return py_from_str (s);
}

PyObject *
py_from_strlist (char *const *l)
{
  size_t n = 0;
  while (l[n])
    ++n;
  PyObject *r = PyList_New (n);
  if (r == NULL)
    return NULL;
  for (size_t i = 0; i < n; ++i) {
    PyObject *s = py_from_str (l[i]);
    if (s == NULL) {
      Py_DECREF (r);
      return NULL;
    }
    PyList_SET_ITEM (r, i, s);
  }
  return r;
}

/* A hashtable (key, value, key, value, ..., NULL) as a list of pairs;
 * guestfs.py turns it into a dict when python_return_dict is set. */
PyObject *
py_from_hashtable (char *const *l)
{
  size_t n = 0;
  while (l[n])
    ++n;
  if (n % 2) {
    PyErr_SetString (PyExc_RuntimeError, "the library returned a hashtable "
                     "with an odd number of strings");
    return NULL;
  }
  PyObject *r = PyList_New (n / 2);
  if (r == NULL)
    return NULL;
  for (size_t i = 0; i < n / 2; ++i) {
    PyObject *k = py_from_str (l[2 * i]);
    PyObject *v = k ? py_from_str (l[2 * i + 1]) : NULL;
    PyObject *t = v ? PyTuple_Pack (2, k, v) : NULL;
    Py_XDECREF (k);
    Py_XDECREF (v);
    if (t == NULL) {
      Py_DECREF (r);
      return NULL;
    }
    PyList_SET_ITEM (r, i, t);
  }
  return r;
}

void
py_free_strings (char **l)
{
  py_strlist_free (l);
}

/* A percentage that may be absent (the library says -1). */
PyObject *
py_from_optpercent (float f)
{
  if (f < 0)
    Py_RETURN_NONE;
  return PyFloat_FromDouble (f);
}

int
py_dict_put (PyObject *d, const char *key, PyObject *v)
{
  if (v == NULL)
    return -1;
  int r = PyDict_SetItemString (d, key, v);
  Py_DECREF (v);
  return r;
}

/* ---- the module ---- */

static PyMethodDef common_methods[] = {
  { "create", py_create, METH_VARARGS,
    "create(flags) -> handle: a new libguestfs handle (a capsule)" },
  { "close", py_close, METH_O, "close(handle): close the handle now" },
  { "set_event_callback", py_set_event_callback, METH_VARARGS,
    "set_event_callback(handle, cb, event_bitmask) -> event handle" },
  { "delete_event_callback", py_delete_event_callback, METH_VARARGS,
    "delete_event_callback(handle, event_handle)" },
  { "event_to_string", py_event_to_string, METH_O,
    "event_to_string(events) -> str: the names of the events in a bitmask" },
  { NULL, NULL, 0, NULL }
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT, "libguestfsmod",
  "The C half of the guestfs module (Hatch): use 'import guestfs'.",
  -1, common_methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit_libguestfsmod (void);

PyMODINIT_FUNC
PyInit_libguestfsmod (void)
{
  PyObject *m = PyModule_Create (&module_def);
  if (m == NULL)
    return NULL;
  if (PyModule_AddFunctions (m, py_action_methods) == -1)
    goto fail;
  PyObject *attrs = Py_BuildValue ("{s:O}", "errno", Py_None);
  if (attrs == NULL)
    goto fail;
  guestfs_exception = PyErr_NewExceptionWithDoc (
      "guestfs.GuestFSException",
      "An error from a libguestfs call: str(e) is the library's message, "
      "e.errno its errno (None when it has none).",
      PyExc_RuntimeError, attrs);
  Py_DECREF (attrs);
  if (guestfs_exception == NULL)
    goto fail;
  closed_handle = PyErr_NewExceptionWithDoc (
      "guestfs.ClosedHandle",
      "A method was called on a GuestFS handle after close().",
      PyExc_ValueError, NULL);
  if (closed_handle == NULL)
    goto fail;
  Py_INCREF (guestfs_exception);
  Py_INCREF (closed_handle);
  if (PyModule_AddObject (m, "GuestFSException", guestfs_exception) == -1 ||
      PyModule_AddObject (m, "ClosedHandle", closed_handle) == -1 ||
      PyModule_AddIntConstant (m, "GUESTFS_CREATE_NO_ENVIRONMENT",
                               GUESTFS_CREATE_NO_ENVIRONMENT) == -1 ||
      PyModule_AddIntConstant (m, "GUESTFS_CREATE_NO_CLOSE_ON_EXIT",
                               GUESTFS_CREATE_NO_CLOSE_ON_EXIT) == -1)
    goto fail;
  return m;
 fail:
  Py_DECREF (m);
  return NULL;
}
