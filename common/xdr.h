/* Minimal XDR (RFC 4506) encoder/decoder used by the generated codec.
 *
 * Encoding appends to a growing buffer.  Decoding reads from a borrowed
 * buffer and checks every length against what remains before allocating,
 * so a hostile peer cannot make us allocate more than it sent.  The first
 * failure is recorded in x->error and every later call fails too.  */
#ifndef HATCH_XDR_H
#define HATCH_XDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xdr_error {
  XDR_OK = 0,
  XDR_ENOMEM,     /* allocation failed */
  XDR_ETRUNC,     /* ran out of input */
  XDR_ETOOBIG,    /* a length exceeds the limit or the remaining input */
  XDR_EINVAL,     /* bad value (embedded NUL in a string, bad bool, ...) */
};

struct xdr {
  char *buf;        /* encode: owned, growing; decode: borrowed */
  size_t len;       /* bytes written (encode) / total input (decode) */
  size_t cap;       /* encode only */
  size_t pos;       /* decode read position */
  int error;        /* enum xdr_error */
  size_t reserve;   /* encode: bytes kept free at the start for a frame header */
};

/* Strings and lists larger than this are rejected even if the frame holds them. */
#define XDR_MAX_STRING (8u * 1024 * 1024)
#define XDR_MAX_LIST   (1u * 1024 * 1024)

void xdr_enc_init (struct xdr *x);
void xdr_enc_init_reserve (struct xdr *x, size_t reserve);
void xdr_free_buf (struct xdr *x);
int xdr_put_u32 (struct xdr *x, uint32_t v);
int xdr_put_i32 (struct xdr *x, int32_t v);
int xdr_put_u64 (struct xdr *x, uint64_t v);
int xdr_put_i64 (struct xdr *x, int64_t v);
int xdr_put_float (struct xdr *x, float v);
int xdr_put_fixed (struct xdr *x, const void *p, size_t n);   /* padded to 4 */
int xdr_put_opaque (struct xdr *x, const void *p, size_t n);  /* length + data */
int xdr_put_string (struct xdr *x, const char *s);
int xdr_put_optstring (struct xdr *x, const char *s);         /* bool + string */
int xdr_put_stringlist (struct xdr *x, char *const *l);

void xdr_dec_init (struct xdr *x, const char *buf, size_t len);
bool xdr_at_end (const struct xdr *x);
int xdr_get_u32 (struct xdr *x, uint32_t *v);
int xdr_get_i32 (struct xdr *x, int32_t *v);
int xdr_get_u64 (struct xdr *x, uint64_t *v);
int xdr_get_i64 (struct xdr *x, int64_t *v);
int xdr_get_float (struct xdr *x, float *v);
int xdr_get_fixed (struct xdr *x, void *p, size_t n);
/* A count of items each at least min_item_size bytes on the wire. */
int xdr_get_count (struct xdr *x, uint32_t *count, size_t min_item_size);
int xdr_get_opaque (struct xdr *x, char **p, size_t *n); /* malloc'd, NUL-terminated too */
int xdr_get_string (struct xdr *x, char **s);            /* rejects embedded NUL */
int xdr_get_optstring (struct xdr *x, char **s);         /* NULL if absent */
int xdr_get_stringlist (struct xdr *x, char ***l);       /* NULL-terminated */
void xdr_free_stringlist (char **l);
const char *xdr_strerror (int error);

#endif
