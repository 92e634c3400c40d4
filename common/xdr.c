#include <stdlib.h>
#include <string.h>

#include "xdr.h"

static size_t
pad4 (size_t n)
{
  return (4 - (n & 3)) & 3;
}

void
xdr_enc_init (struct xdr *x)
{
  xdr_enc_init_reserve (x, 0);
}

void
xdr_enc_init_reserve (struct xdr *x, size_t reserve)
{
  memset (x, 0, sizeof *x);
  x->reserve = reserve;
  x->len = reserve;
}

void
xdr_free_buf (struct xdr *x)
{
  free (x->buf);
  x->buf = NULL;
  x->len = x->cap = x->pos = 0;
}

/* Make room for n more bytes, returning where to write them. */
static char *
grow (struct xdr *x, size_t n)
{
  if (x->error)
    return NULL;
  if (n > SIZE_MAX / 2 - x->len) {
    x->error = XDR_ETOOBIG;
    return NULL;
  }
  if (x->len + n > x->cap) {
    size_t cap = x->cap ? x->cap : 256;
    while (cap < x->len + n)
      cap *= 2;
    char *p = realloc (x->buf, cap);
    if (!p) {
      x->error = XDR_ENOMEM;
      return NULL;
    }
    x->buf = p;
    x->cap = cap;
  }
  char *r = x->buf + x->len;
  x->len += n;
  return r;
}

int
xdr_put_u32 (struct xdr *x, uint32_t v)
{
  unsigned char *p = (unsigned char *) grow (x, 4);
  if (!p) return -1;
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
  return 0;
}

int
xdr_put_i32 (struct xdr *x, int32_t v)
{
  return xdr_put_u32 (x, (uint32_t) v);
}

int
xdr_put_u64 (struct xdr *x, uint64_t v)
{
  if (xdr_put_u32 (x, v >> 32) == -1) return -1;
  return xdr_put_u32 (x, (uint32_t) v);
}

int
xdr_put_i64 (struct xdr *x, int64_t v)
{
  return xdr_put_u64 (x, (uint64_t) v);
}

int
xdr_put_float (struct xdr *x, float v)
{
  uint32_t u;
  memcpy (&u, &v, 4);
  return xdr_put_u32 (x, u);
}

int
xdr_put_fixed (struct xdr *x, const void *p, size_t n)
{
  char *d = grow (x, n + pad4 (n));
  if (!d) return -1;
  if (n) memcpy (d, p, n);
  memset (d + n, 0, pad4 (n));
  return 0;
}

int
xdr_put_opaque (struct xdr *x, const void *p, size_t n)
{
  if (n > XDR_MAX_STRING || n > UINT32_MAX) {
    if (!x->error) x->error = XDR_ETOOBIG;
    return -1;
  }
  if (xdr_put_u32 (x, (uint32_t) n) == -1) return -1;
  return xdr_put_fixed (x, p, n);
}

int
xdr_put_string (struct xdr *x, const char *s)
{
  if (!s) {
    if (!x->error) x->error = XDR_EINVAL;
    return -1;
  }
  return xdr_put_opaque (x, s, strlen (s));
}

int
xdr_put_optstring (struct xdr *x, const char *s)
{
  if (xdr_put_u32 (x, s != NULL) == -1) return -1;
  return s ? xdr_put_string (x, s) : 0;
}

int
xdr_put_stringlist (struct xdr *x, char *const *l)
{
  size_t n = 0;
  while (l && l[n]) n++;
  if (n > XDR_MAX_LIST) {
    if (!x->error) x->error = XDR_ETOOBIG;
    return -1;
  }
  if (xdr_put_u32 (x, (uint32_t) n) == -1) return -1;
  for (size_t i = 0; i < n; ++i)
    if (xdr_put_string (x, l[i]) == -1) return -1;
  return 0;
}

void
xdr_dec_init (struct xdr *x, const char *buf, size_t len)
{
  memset (x, 0, sizeof *x);
  x->buf = (char *) buf;
  x->len = len;
}

bool
xdr_at_end (const struct xdr *x)
{
  return x->error == 0 && x->pos == x->len;
}

static const unsigned char *
take (struct xdr *x, size_t n)
{
  if (x->error) return NULL;
  if (n > x->len - x->pos) {
    x->error = XDR_ETRUNC;
    return NULL;
  }
  const unsigned char *p = (const unsigned char *) x->buf + x->pos;
  x->pos += n;
  return p;
}

int
xdr_get_u32 (struct xdr *x, uint32_t *v)
{
  const unsigned char *p = take (x, 4);
  if (!p) return -1;
  *v = (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
  return 0;
}

int
xdr_get_i32 (struct xdr *x, int32_t *v)
{
  uint32_t u;
  if (xdr_get_u32 (x, &u) == -1) return -1;
  *v = (int32_t) u;
  return 0;
}

int
xdr_get_u64 (struct xdr *x, uint64_t *v)
{
  uint32_t hi, lo;
  if (xdr_get_u32 (x, &hi) == -1 || xdr_get_u32 (x, &lo) == -1) return -1;
  *v = (uint64_t) hi << 32 | lo;
  return 0;
}

int
xdr_get_i64 (struct xdr *x, int64_t *v)
{
  uint64_t u;
  if (xdr_get_u64 (x, &u) == -1) return -1;
  *v = (int64_t) u;
  return 0;
}

int
xdr_get_float (struct xdr *x, float *v)
{
  uint32_t u;
  if (xdr_get_u32 (x, &u) == -1) return -1;
  memcpy (v, &u, 4);
  return 0;
}

int
xdr_get_fixed (struct xdr *x, void *p, size_t n)
{
  const unsigned char *s = take (x, n + pad4 (n));
  if (!s) return -1;
  memcpy (p, s, n);
  return 0;
}

int
xdr_get_count (struct xdr *x, uint32_t *count, size_t min_item_size)
{
  uint32_t n;
  if (xdr_get_u32 (x, &n) == -1) return -1;
  if (n > XDR_MAX_LIST || (min_item_size && n > (x->len - x->pos) / min_item_size)) {
    x->error = XDR_ETOOBIG;
    return -1;
  }
  *count = n;
  return 0;
}

int
xdr_get_opaque (struct xdr *x, char **p, size_t *n)
{
  uint32_t len;
  if (xdr_get_u32 (x, &len) == -1) return -1;
  if (len > XDR_MAX_STRING || len > x->len - x->pos) {
    x->error = XDR_ETOOBIG;
    return -1;
  }
  char *d = malloc ((size_t) len + 1);
  if (!d) {
    x->error = XDR_ENOMEM;
    return -1;
  }
  if (xdr_get_fixed (x, d, len) == -1) {
    free (d);
    return -1;
  }
  d[len] = '\0';
  *p = d;
  *n = len;
  return 0;
}

int
xdr_get_string (struct xdr *x, char **s)
{
  size_t n;
  char *d;
  if (xdr_get_opaque (x, &d, &n) == -1) return -1;
  if (memchr (d, '\0', n) != NULL) {
    free (d);
    x->error = XDR_EINVAL;
    return -1;
  }
  *s = d;
  return 0;
}

int
xdr_get_optstring (struct xdr *x, char **s)
{
  uint32_t present;
  if (xdr_get_u32 (x, &present) == -1) return -1;
  if (present > 1) {
    x->error = XDR_EINVAL;
    return -1;
  }
  if (!present) {
    *s = NULL;
    return 0;
  }
  return xdr_get_string (x, s);
}

int
xdr_get_stringlist (struct xdr *x, char ***l)
{
  uint32_t n;
  if (xdr_get_count (x, &n, 4) == -1) return -1;
  char **r = calloc ((size_t) n + 1, sizeof *r);
  if (!r) {
    x->error = XDR_ENOMEM;
    return -1;
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (xdr_get_string (x, &r[i]) == -1) {
      xdr_free_stringlist (r);
      return -1;
    }
  }
  *l = r;
  return 0;
}

void
xdr_free_stringlist (char **l)
{
  if (!l) return;
  for (size_t i = 0; l[i]; ++i)
    free (l[i]);
  free (l);
}

const char *
xdr_strerror (int error)
{
  switch (error) {
  case XDR_OK: return "no error";
  case XDR_ENOMEM: return "out of memory";
  case XDR_ETRUNC: return "message truncated";
  case XDR_ETOOBIG: return "length exceeds limit";
  case XDR_EINVAL: return "invalid value";
  default: return "unknown error";
  }
}
