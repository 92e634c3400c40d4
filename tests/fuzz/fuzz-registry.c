/* libFuzzer target: the daemon's decoding of Windows registry values
 * (daemon/inspection/regvalue.c), which turns the bytes of a guest's
 * hive values into the strings and numbers of inspection.  The first
 * input byte picks the decoder, the second the value's type (0-7), the
 * rest is the value's data:
 *   0 string (REG_SZ/REG_EXPAND_SZ/REG_LINK, UTF-16LE to UTF-8),
 *   1 REG_DWORD / REG_DWORD_BIG_ENDIAN, 2 MountedDevices REG_BINARY.
 * Besides ASan/UBSan, each result is checked (abort on a wrong one):
 * a string is valid UTF-8 and equals glibc iconv's conversion of the same
 * UTF-16LE whenever iconv accepts it (else holds U+FFFD); a dword equals
 * the bytes read in the type's byte order; a mount needs 12 bytes or
 * "DMIO:ID:" + 16. */
#include <endian.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regvalue.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) { fprintf (stderr, "check failed: %s\n", #c); abort (); } } while (0)

/* Whether s is well-formed UTF-8 (shortest forms, no surrogates, at most
 * U+10FFFF). */
static int
valid_utf8 (const unsigned char *s)
{
  while (*s) {
    unsigned c = *s, n;
    uint32_t cp;
    if (c < 0x80) { s++; continue; }
    else if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; }
    else return 0;
    for (unsigned i = 1; i <= n; ++i) {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    s += n + 1;
  }
  return 1;
}

/* glibc's conversion of the UTF-16LE units before the first U+0000;
 * NULL if iconv refuses them (an unpaired surrogate). */
static char *
iconv_utf16le (const uint8_t *d, size_t len)
{
  size_t units = 0;
  while (units < len / 2 && (d[2 * units] | d[2 * units + 1]))
    units++;
  static iconv_t cd = (iconv_t) -1;
  if (cd == (iconv_t) -1 && (cd = iconv_open ("UTF-8", "UTF-16LE")) == (iconv_t) -1)
    abort ();
  iconv (cd, NULL, NULL, NULL, NULL);
  size_t outsize = units * 4 + 1, inleft = units * 2, outleft = outsize - 1;
  char *out = malloc (outsize), *op = out;
  char *ip = (char *) d;
  if (!out)
    abort ();
  if (iconv (cd, &ip, &inleft, &op, &outleft) == (size_t) -1 || inleft) {
    free (out);
    return NULL;
  }
  *op = '\0';
  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  unsigned which = data[0] % 3;
  int type = data[1] % 8;
  const uint8_t *d = data + 2;
  size_t len = size - 2;

  switch (which) {
  case 0: {
    errno = 0;
    char *s = regvalue_string (type, d, len);
    if (type != REGV_SZ && type != REGV_EXPAND_SZ && type != REGV_LINK) {
      CHECK (s == NULL && errno == EINVAL);
      break;
    }
    CHECK (s != NULL);
    CHECK (strlen (s) <= len / 2 * 3);
    CHECK (valid_utf8 ((const unsigned char *) s));
    char *ref = iconv_utf16le (d, len);
    if (ref)
      CHECK (strcmp (s, ref) == 0);
    else
      CHECK (strstr (s, "\xef\xbf\xbd") != NULL);
    free (ref);
    free (s);
    break;
  }
  case 1: {
    uint32_t r = 0xdeadbeef, raw;
    bool ok = regvalue_dword (type, d, len, &r);
    CHECK (ok == (len == 4 && (type == REGV_DWORD || type == REGV_DWORD_BIG_ENDIAN)));
    if (ok) {
      memcpy (&raw, d, 4);
      CHECK (r == (type == REGV_DWORD ? le32toh (raw) : be32toh (raw)));
    }
    break;
  }
  case 2: {
    struct regvalue_mount m;
    bool ok = regvalue_mount (type, d, len, &m);
    CHECK (!ok || type == REGV_BINARY);
    CHECK (!ok || len == 12 || (len == 24 && memcmp (d, "DMIO:ID:", 8) == 0));
    if (ok && m.gpt)
      CHECK (strlen (m.guid) == 36 && m.guid[8] == '-' && m.guid[23] == '-');
    if (ok && !m.gpt) {
      uint64_t off;
      memcpy (&off, d + 4, 8);
      CHECK (m.offset == le64toh (off));
    }
    break;
  }
  }
  return 0;
}
