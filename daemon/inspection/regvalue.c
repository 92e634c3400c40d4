/* Registry value data to C values: see regvalue.h.  Nothing here knows
 * about hives or the daemon, so tests/fuzz/fuzz-registry.c can drive it
 * with arbitrary bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regvalue.h"

uint32_t
regvalue_le32 (const void *v)
{
  const unsigned char *p = v;
  return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
    ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint64_t
le64 (const unsigned char *p)
{
  return (uint64_t) regvalue_le32 (p) | ((uint64_t) regvalue_le32 (p + 4) << 32);
}

/* Write code point c (at most U+10FFFF) as UTF-8 at p; its length. */
static size_t
put_utf8 (unsigned char *p, uint32_t c)
{
  if (c < 0x80) {
    p[0] = (unsigned char) c;
    return 1;
  }
  if (c < 0x800) {
    p[0] = (unsigned char) (0xc0 | (c >> 6));
    p[1] = (unsigned char) (0x80 | (c & 0x3f));
    return 2;
  }
  if (c < 0x10000) {
    p[0] = (unsigned char) (0xe0 | (c >> 12));
    p[1] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
    p[2] = (unsigned char) (0x80 | (c & 0x3f));
    return 3;
  }
  p[0] = (unsigned char) (0xf0 | (c >> 18));
  p[1] = (unsigned char) (0x80 | ((c >> 12) & 0x3f));
  p[2] = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
  p[3] = (unsigned char) (0x80 | (c & 0x3f));
  return 4;
}

char *
regvalue_string (int type, const void *data, size_t len)
{
  if (type != REGV_SZ && type != REGV_EXPAND_SZ && type != REGV_LINK) {
    errno = EINVAL;
    return NULL;
  }
  const unsigned char *u = data;
  size_t units = len / 2;
  /* A unit gives at most 3 bytes; a surrogate pair (2 units) gives 4. */
  if (units > (SIZE_MAX - 1) / 3) {
    errno = ENOMEM;
    return NULL;
  }
  unsigned char *out = malloc (units * 3 + 1);
  if (out == NULL)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < units; ++i) {
    uint32_t c = (uint32_t) u[2 * i] | ((uint32_t) u[2 * i + 1] << 8);
    if (c == 0)
      break;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
      uint32_t lo = (uint32_t) u[2 * i + 2] | ((uint32_t) u[2 * i + 3] << 8);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
      else
        c = 0xfffd;
    }
    else if (c >= 0xd800 && c <= 0xdfff)
      c = 0xfffd;
    n += put_utf8 (out + n, c);
  }
  out[n] = '\0';
  return (char *) out;
}

bool
regvalue_dword (int type, const void *data, size_t len, uint32_t *r)
{
  const unsigned char *u = data;
  if (len != 4)
    return false;
  if (type == REGV_DWORD)
    *r = regvalue_le32 (u);
  else if (type == REGV_DWORD_BIG_ENDIAN)
    *r = ((uint32_t) u[0] << 24) | ((uint32_t) u[1] << 16) |
      ((uint32_t) u[2] << 8) | (uint32_t) u[3];
  else
    return false;
  return true;
}

bool
regvalue_mount (int type, const void *data, size_t len,
                struct regvalue_mount *m)
{
  const unsigned char *u = data;
  if (type != REGV_BINARY)
    return false;
  memset (m, 0, sizeof *m);
  if (len == 12) {
    m->signature = regvalue_le32 (u);
    m->offset = le64 (u + 4);
    return true;
  }
  if (len == 24 && memcmp (u, "DMIO:ID:", 8) == 0) {
    const unsigned char *g = u + 8;
    m->gpt = true;
    snprintf (m->guid, sizeof m->guid,
              "%08" PRIx32 "-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
              regvalue_le32 (g), (unsigned) (g[4] | (g[5] << 8)),
              (unsigned) (g[6] | (g[7] << 8)), g[8], g[9], g[10], g[11],
              g[12], g[13], g[14], g[15]);
    return true;
  }
  return false;
}
