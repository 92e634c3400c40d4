/* Unit tests for the XDR codec (common/xdr.c), the generated argument and
 * struct codecs (protocol-gen.c) and frame reading (common/frame.c).
 *
 * Round trips of every primitive and of some generated types, then the
 * decoders fed malformed input: they must fail cleanly, free what they
 * allocated, and never allocate much more than the input they were given
 * (the host treats the daemon as hostile).  Prints TAP.  */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xdr.h"
#include "protocol.h"
#include "protocol-gen.h"

#include "unit-util.h"

/* Hostile input may make a decoder allocate this much at most. */
#define ALLOC_BOUND(inlen) (4 * (size_t) (inlen) + 256)

/* ---------------------------------------------------------------- */
/* Helpers */

static struct xdr
dec_from (const struct xdr *enc)
{
  struct xdr d;
  xdr_dec_init (&d, enc->buf, enc->len);
  return d;
}

/* A growing byte buffer for hand-made (malformed) input. */
struct bytes {
  unsigned char b[4096];
  size_t n;
};

static void
b_u32 (struct bytes *b, uint32_t v)
{
  b->b[b->n++] = v >> 24;
  b->b[b->n++] = v >> 16;
  b->b[b->n++] = v >> 8;
  b->b[b->n++] = v;
}

static void
b_raw (struct bytes *b, const void *p, size_t n)
{
  memcpy (b->b + b->n, p, n);
  b->n += n;
}

/* ---------------------------------------------------------------- */
/* Primitives */

static void
test_u32 (void)
{
  static const uint32_t vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff,
                                   0x80000000, 0xfffffffe, 0xffffffff };
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_u32 (&e, vals[i]);
    const unsigned char *p = (const unsigned char *) e.buf;
    bool bytes_ok = e.len == 4 && p[0] == (vals[i] >> 24 & 0xff) &&
      p[1] == (vals[i] >> 16 & 0xff) && p[2] == (vals[i] >> 8 & 0xff) &&
      p[3] == (vals[i] & 0xff);
    struct xdr d = dec_from (&e);
    uint32_t v = 0;
    int r = xdr_get_u32 (&d, &v);
    ok (bytes_ok && r == 0 && v == vals[i] && xdr_at_end (&d),
        "u32 0x%08x round trip, big-endian on the wire", vals[i]);
    xdr_free_buf (&e);
  }
}

static void
test_i32 (void)
{
  static const int32_t vals[] = { 0, 1, -1, INT32_MIN, INT32_MIN + 1,
                                  INT32_MAX, INT32_MAX - 1, -4096 };
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_i32 (&e, vals[i]);
    struct xdr d = dec_from (&e);
    int32_t v = 12345;
    int r = xdr_get_i32 (&d, &v);
    ok (e.len == 4 && r == 0 && v == vals[i] && xdr_at_end (&d),
        "i32 %d round trip", vals[i]);
    xdr_free_buf (&e);
  }
}

static void
test_u64_i64 (void)
{
  static const uint64_t uvals[] = { 0, 1, 0xffffffffull, 0x100000000ull,
                                    0x0123456789abcdefull, 1ull << 63,
                                    UINT64_MAX - 1, UINT64_MAX };
  for (size_t i = 0; i < sizeof uvals / sizeof uvals[0]; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_u64 (&e, uvals[i]);
    const unsigned char *p = (const unsigned char *) e.buf;
    bool hi_first = e.len == 8 && p[0] == (uvals[i] >> 56) && p[7] == (uvals[i] & 0xff);
    struct xdr d = dec_from (&e);
    uint64_t v = 0;
    int r = xdr_get_u64 (&d, &v);
    ok (hi_first && r == 0 && v == uvals[i] && xdr_at_end (&d),
        "u64 0x%016llx round trip, high word first", (unsigned long long) uvals[i]);
    xdr_free_buf (&e);
  }
  static const int64_t ivals[] = { 0, -1, 1, INT64_MIN, INT64_MAX,
                                   INT64_MIN + 1, -4294967296ll, 4294967295ll };
  for (size_t i = 0; i < sizeof ivals / sizeof ivals[0]; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_i64 (&e, ivals[i]);
    struct xdr d = dec_from (&e);
    int64_t v = 7;
    int r = xdr_get_i64 (&d, &v);
    ok (e.len == 8 && r == 0 && v == ivals[i] && xdr_at_end (&d),
        "i64 %lld round trip", (long long) ivals[i]);
    xdr_free_buf (&e);
  }
}

static void
test_float (void)
{
  static const float vals[] = { 0.0f, -0.0f, 1.5f, -3.25e10f, 1e-30f };
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_float (&e, vals[i]);
    struct xdr d = dec_from (&e);
    float v = 99;
    int r = xdr_get_float (&d, &v);
    ok (r == 0 && memcmp (&v, &vals[i], sizeof v) == 0 && xdr_at_end (&d),
        "float %g round trip", (double) vals[i]);
    xdr_free_buf (&e);
  }
}

static void
test_strings (void)
{
  static const char *vals[] = { "", "a", "ab", "abc", "abcd", "abcde",
                                "/dev/sda1", "utf-8 \xc3\xa9\xe2\x82\xac" };
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; ++i) {
    size_t n = strlen (vals[i]);
    size_t pad = (4 - n % 4) % 4;
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_string (&e, vals[i]);
    bool pad_zero = true;
    for (size_t k = 0; k < pad && e.len == 4 + n + pad; ++k)
      if (e.buf[4 + n + k] != 0) pad_zero = false;
    struct xdr d = dec_from (&e);
    char *s = NULL;
    int r = xdr_get_string (&d, &s);
    ok (e.len == 4 + n + pad && pad_zero && r == 0 && s && strcmp (s, vals[i]) == 0 &&
        xdr_at_end (&d),
        "string \"%s\" (len %zu) round trip, %zu zero pad bytes", vals[i], n, pad);
    free (s);
    xdr_free_buf (&e);
  }

  /* A long string. */
  size_t n = 100001;
  char *big = malloc (n + 1);
  for (size_t i = 0; i < n; ++i) big[i] = 'a' + i % 26;
  big[n] = 0;
  struct xdr e;
  xdr_enc_init (&e);
  xdr_put_string (&e, big);
  struct xdr d = dec_from (&e);
  char *s = NULL;
  int r = xdr_get_string (&d, &s);
  ok (r == 0 && s && strcmp (s, big) == 0 && xdr_at_end (&d) && e.len == 4 + n + 3,
      "100001-byte string round trip");
  free (s);
  free (big);
  xdr_free_buf (&e);

  /* Encoding NULL as a string is an error, not a crash. */
  xdr_enc_init (&e);
  r = xdr_put_string (&e, NULL);
  ok (r == -1 && e.error == XDR_EINVAL, "put_string(NULL) fails with EINVAL");
  xdr_free_buf (&e);
}

static void
test_opaque (void)
{
  unsigned char data[16];
  for (int i = 0; i < 16; ++i) data[i] = (unsigned char) (i * 37 + 0);  /* includes 0 */
  for (size_t n = 0; n <= 9; ++n) {
    size_t pad = (4 - n % 4) % 4;
    struct xdr e;
    xdr_enc_init (&e);
    xdr_put_opaque (&e, data, n);
    bool pad_zero = e.len == 4 + n + pad;
    for (size_t k = 0; pad_zero && k < pad; ++k)
      if (e.buf[4 + n + k] != 0) pad_zero = false;
    struct xdr d = dec_from (&e);
    char *p = NULL;
    size_t len = 999;
    int r = xdr_get_opaque (&d, &p, &len);
    ok (pad_zero && r == 0 && len == n && p && memcmp (p, data, n) == 0 &&
        p[n] == 0 && xdr_at_end (&d),
        "opaque of %zu bytes (with NULs) round trip, padded to %zu, NUL-terminated copy",
        n, 4 + n + pad);
    free (p);
    xdr_free_buf (&e);
  }

  /* Fixed-size data. */
  struct xdr e;
  xdr_enc_init (&e);
  xdr_put_fixed (&e, "xyz", 3);
  xdr_put_u32 (&e, 42);
  struct xdr d = dec_from (&e);
  char f[3];
  uint32_t v = 0;
  int r1 = xdr_get_fixed (&d, f, 3);
  int r2 = xdr_get_u32 (&d, &v);
  ok (e.len == 8 && r1 == 0 && r2 == 0 && memcmp (f, "xyz", 3) == 0 && v == 42 &&
      xdr_at_end (&d), "fixed(3) is padded to 4 and followed correctly");
  xdr_free_buf (&e);

  /* The encoder refuses an opaque over the limit without reading it. */
  xdr_enc_init (&e);
  r1 = xdr_put_opaque (&e, data, (size_t) XDR_MAX_STRING + 1);
  ok (r1 == -1 && e.error == XDR_ETOOBIG, "put_opaque over XDR_MAX_STRING fails with ETOOBIG");
  xdr_free_buf (&e);
}

static void
test_optstring (void)
{
  struct xdr e;
  xdr_enc_init (&e);
  xdr_put_optstring (&e, NULL);
  xdr_put_optstring (&e, "");
  xdr_put_optstring (&e, "label");
  struct xdr d = dec_from (&e);
  char *a = (char *) 1, *b = NULL, *c = NULL;
  int r1 = xdr_get_optstring (&d, &a);
  int r2 = xdr_get_optstring (&d, &b);
  int r3 = xdr_get_optstring (&d, &c);
  ok (r1 == 0 && a == NULL, "optstring NULL round trips as NULL");
  ok (r2 == 0 && b && strcmp (b, "") == 0, "optstring \"\" round trips as \"\" (not NULL)");
  ok (r3 == 0 && c && strcmp (c, "label") == 0 && xdr_at_end (&d),
      "optstring \"label\" round trip");
  ok (e.len == 4 + 8 + 16, "optstring encodings are 4, 8 and 16 bytes");
  free (b);
  free (c);
  xdr_free_buf (&e);
}

static void
test_stringlist (void)
{
  char *l0[] = { NULL };
  char *l3[] = { "one", "", "three33", NULL };
  struct xdr e;
  xdr_enc_init (&e);
  xdr_put_stringlist (&e, NULL);
  xdr_put_stringlist (&e, l0);
  xdr_put_stringlist (&e, l3);
  struct xdr d = dec_from (&e);
  char **a = NULL, **b = NULL, **c = NULL;
  int r1 = xdr_get_stringlist (&d, &a);
  int r2 = xdr_get_stringlist (&d, &b);
  int r3 = xdr_get_stringlist (&d, &c);
  ok (r1 == 0 && a && a[0] == NULL, "NULL string list encodes as an empty list");
  ok (r2 == 0 && b && b[0] == NULL, "empty string list round trip");
  ok (r3 == 0 && c && c[0] && c[1] && c[2] && !c[3] && strcmp (c[0], "one") == 0 &&
      strcmp (c[1], "") == 0 && strcmp (c[2], "three33") == 0 && xdr_at_end (&d),
      "3-string list (with an empty one) round trip");
  xdr_free_stringlist (a);
  xdr_free_stringlist (b);
  xdr_free_stringlist (c);
  xdr_free_buf (&e);
}

static void
test_reserve (void)
{
  struct xdr e;
  xdr_enc_init_reserve (&e, 28);
  xdr_put_u32 (&e, 0xdeadbeef);
  ok (e.len == 32 && (unsigned char) e.buf[28] == 0xde,
      "enc_init_reserve keeps 28 bytes in front of the body");
  xdr_free_buf (&e);
}

static void
test_sticky_error (void)
{
  const char buf[6] = { 0, 0, 0, 1, 0, 0 };
  struct xdr d;
  xdr_dec_init (&d, buf, sizeof buf);
  uint32_t a, b;
  int r1 = xdr_get_u32 (&d, &a);
  int r2 = xdr_get_u32 (&d, &b);
  size_t pos = d.pos;
  ok (r1 == 0 && a == 1 && r2 == -1 && d.error == XDR_ETRUNC, "short read gives ETRUNC");
  int r3 = xdr_get_u32 (&d, &a);
  ok (r3 == -1 && d.pos == pos && !xdr_at_end (&d), "errors are sticky");
  ok (strlen (xdr_strerror (XDR_ETOOBIG)) > 0 && strlen (xdr_strerror (12345)) > 0,
      "xdr_strerror gives text for known and unknown codes");
}

/* ---------------------------------------------------------------- */
/* Generated arguments and structs */

static void
test_mkfs_args (void)
{
  struct hatch_mkfs_args in = {
    .fstype = "ext4", .device = "/dev/sda1", .blocksize = 4096,
    .features = NULL, .inode = -1, .sectorsize = INT32_MAX, .label = "TESTLBL",
    .optargs_bitmask = (1 << 0) | (1 << 2) | (1 << 4),
  };
  struct xdr e;
  xdr_enc_init (&e);
  int re = hatch_enc_mkfs_args (&e, &in);
  struct xdr d = dec_from (&e);
  struct hatch_mkfs_args out;
  memset (&out, 0, sizeof out);
  int rd = hatch_dec_mkfs_args (&d, &out);
  ok (re == 0 && rd == 0 && xdr_at_end (&d) &&
      strcmp (out.fstype, "ext4") == 0 && strcmp (out.device, "/dev/sda1") == 0 &&
      out.optargs_bitmask == in.optargs_bitmask && out.blocksize == 4096 &&
      out.features == NULL && out.inode == -1 && out.sectorsize == INT32_MAX &&
      out.label && strcmp (out.label, "TESTLBL") == 0,
      "mkfs args with optargs bitmask round trip");
  hatch_free_mkfs_args (&out);

  /* Every truncation of the encoding must fail, without leaking. */
  long live = alloc_live;
  int bad = 0, leaks = 0;
  for (size_t k = 0; k < e.len; ++k) {
    struct xdr t;
    xdr_dec_init (&t, e.buf, k);
    struct hatch_mkfs_args o;
    memset (&o, 0, sizeof o);
    if (hatch_dec_mkfs_args (&t, &o) == 0 || t.error == 0)
      bad++;
    hatch_free_mkfs_args (&o);
    if (alloc_live != live)
      leaks++, live = alloc_live;
  }
  ok (bad == 0 && leaks == 0,
      "mkfs args truncated at each of %zu lengths: all rejected (%d accepted), no leaks (%d)",
      e.len, bad, leaks);

  /* Unknown optarg bits are refused. */
  static const uint64_t masks[] = { 1ull << 5, 1ull << 31, 1ull << 63, UINT64_MAX };
  for (size_t i = 0; i < sizeof masks / sizeof masks[0]; ++i) {
    struct hatch_mkfs_args m = in;
    m.optargs_bitmask = masks[i];
    struct xdr e2;
    xdr_enc_init (&e2);
    hatch_enc_mkfs_args (&e2, &m);
    struct xdr d2 = dec_from (&e2);
    memset (&out, 0, sizeof out);
    int r = hatch_dec_mkfs_args (&d2, &out);
    ok (r == -1 && d2.error == XDR_EINVAL,
        "mkfs args with unknown optarg bit 0x%llx rejected (EINVAL)",
        (unsigned long long) masks[i]);
    hatch_free_mkfs_args (&out);
    xdr_free_buf (&e2);
  }

  /* No optargs at all. */
  struct hatch_mkfs_args none = { .fstype = "vfat", .device = "/dev/sdb" };
  struct xdr e3;
  xdr_enc_init (&e3);
  hatch_enc_mkfs_args (&e3, &none);
  d = dec_from (&e3);
  memset (&out, 0, sizeof out);
  rd = hatch_dec_mkfs_args (&d, &out);
  ok (rd == 0 && out.optargs_bitmask == 0 && out.label == NULL && out.features == NULL &&
      strcmp (out.fstype, "vfat") == 0 && xdr_at_end (&d),
      "mkfs args without optargs round trip");
  hatch_free_mkfs_args (&out);
  xdr_free_buf (&e3);
  xdr_free_buf (&e);
}

static void
test_write_args (void)
{
  static const char content[] = "a\0b\0\0c\xff\n";
  struct hatch_write_args in = { .path = "/dir/file", .content = (char *) content,
                                 .content_size = sizeof content - 1 };
  struct xdr e;
  xdr_enc_init (&e);
  int re = hatch_enc_write_args (&e, &in);
  struct xdr d = dec_from (&e);
  struct hatch_write_args out;
  memset (&out, 0, sizeof out);
  int rd = hatch_dec_write_args (&d, &out);
  ok (re == 0 && rd == 0 && xdr_at_end (&d) && strcmp (out.path, "/dir/file") == 0 &&
      out.content_size == 8 && memcmp (out.content, content, 8) == 0,
      "write args with NUL bytes in the content round trip");
  hatch_free_write_args (&out);

  /* Empty content. */
  struct hatch_write_args empty = { .path = "/e", .content = "", .content_size = 0 };
  struct xdr e2;
  xdr_enc_init (&e2);
  hatch_enc_write_args (&e2, &empty);
  d = dec_from (&e2);
  memset (&out, 0, sizeof out);
  rd = hatch_dec_write_args (&d, &out);
  ok (rd == 0 && out.content_size == 0 && out.content != NULL && xdr_at_end (&d),
      "write args with empty content round trip");
  hatch_free_write_args (&out);
  xdr_free_buf (&e2);

  long live = alloc_live;
  int bad = 0;
  for (size_t k = 0; k < e.len; ++k) {
    struct xdr t;
    xdr_dec_init (&t, e.buf, k);
    memset (&out, 0, sizeof out);
    if (hatch_dec_write_args (&t, &out) == 0)
      bad++;
    hatch_free_write_args (&out);
  }
  ok (bad == 0 && alloc_live == live,
      "write args truncated at every length rejected without leaks");
  xdr_free_buf (&e);
}

static void
test_tar_out_args (void)
{
  char *ex[] = { "*.o", "", "dir/sub", NULL };
  struct hatch_tar_out_args in = {
    .directory = "/", .compress = "gzip", .numericowner = 1, .excludes = ex,
    .xattrs = 0, .selinux = 1, .acls = 1, .optargs_bitmask = 0x3f,
  };
  struct xdr e;
  xdr_enc_init (&e);
  int re = hatch_enc_tar_out_args (&e, &in);
  struct xdr d = dec_from (&e);
  struct hatch_tar_out_args out;
  memset (&out, 0, sizeof out);
  int rd = hatch_dec_tar_out_args (&d, &out);
  ok (re == 0 && rd == 0 && xdr_at_end (&d) && strcmp (out.directory, "/") == 0 &&
      out.compress && strcmp (out.compress, "gzip") == 0 && out.numericowner == 1 &&
      out.excludes && out.excludes[0] && strcmp (out.excludes[0], "*.o") == 0 &&
      out.excludes[1] && strcmp (out.excludes[1], "") == 0 &&
      out.excludes[2] && strcmp (out.excludes[2], "dir/sub") == 0 && !out.excludes[3] &&
      out.xattrs == 0 && out.selinux == 1 && out.acls == 1 && out.optargs_bitmask == 0x3f,
      "tar_out args (optstring, bools, string list) round trip");
  hatch_free_tar_out_args (&out);

  long live = alloc_live;
  int bad = 0;
  for (size_t k = 0; k < e.len; ++k) {
    struct xdr t;
    xdr_dec_init (&t, e.buf, k);
    memset (&out, 0, sizeof out);
    if (hatch_dec_tar_out_args (&t, &out) == 0)
      bad++;
    hatch_free_tar_out_args (&out);
  }
  ok (bad == 0 && alloc_live == live,
      "tar_out args truncated at every length rejected without leaks");
  xdr_free_buf (&e);
}

static void
test_part_add_args (void)
{
  struct hatch_part_add_args in = { .device = "/dev/sda", .prlogex = "p",
                                    .startsect = INT64_MIN, .endsect = -64 };
  struct xdr e;
  xdr_enc_init (&e);
  hatch_enc_part_add_args (&e, &in);
  struct xdr d = dec_from (&e);
  struct hatch_part_add_args out;
  memset (&out, 0, sizeof out);
  int rd = hatch_dec_part_add_args (&d, &out);
  ok (rd == 0 && xdr_at_end (&d) && out.startsect == INT64_MIN && out.endsect == -64 &&
      strcmp (out.prlogex, "p") == 0, "part_add args (int64 edge values) round trip");
  hatch_free_part_add_args (&out);
  xdr_free_buf (&e);
}

static void
test_partition_list (void)
{
  struct guestfs_partition parts[3] = {
    { 1, 32768, 1048575, 1015808 },
    { 2, 1048576, UINT64_MAX, UINT64_MAX - 1048576 },
    { INT32_MIN, 0, 0, 0 },
  };
  struct guestfs_partition_list in = { 3, parts };
  struct xdr e;
  xdr_enc_init (&e);
  int re = hatch_enc_partition_list (&e, &in);
  struct xdr d = dec_from (&e);
  struct guestfs_partition_list *out = NULL;
  int rd = hatch_dec_partition_list (&d, &out);
  bool same = rd == 0 && out && out->len == 3;
  for (int i = 0; same && i < 3; ++i)
    same = out->val[i].part_num == parts[i].part_num &&
      out->val[i].part_start == parts[i].part_start &&
      out->val[i].part_end == parts[i].part_end &&
      out->val[i].part_size == parts[i].part_size;
  ok (re == 0 && same && xdr_at_end (&d) && e.len == 4 + 3 * 28,
      "partition list of 3 round trip (28 bytes per entry)");
  hatch_free_partition_list (out);

  struct guestfs_partition_list empty = { 0, NULL };
  struct xdr e2;
  xdr_enc_init (&e2);
  hatch_enc_partition_list (&e2, &empty);
  d = dec_from (&e2);
  out = NULL;
  rd = hatch_dec_partition_list (&d, &out);
  ok (rd == 0 && out && out->len == 0 && xdr_at_end (&d), "empty partition list round trip");
  hatch_free_partition_list (out);
  xdr_free_buf (&e2);

  long live = alloc_live;
  int bad = 0;
  for (size_t k = 0; k < e.len; ++k) {
    struct xdr t;
    xdr_dec_init (&t, e.buf, k);
    out = NULL;
    if (hatch_dec_partition_list (&t, &out) == 0 || out != NULL)
      bad++;
  }
  ok (bad == 0 && alloc_live == live,
      "partition list truncated at every length rejected, nothing returned or leaked");
  xdr_free_buf (&e);
}

static void
test_version_statns (void)
{
  struct guestfs_version v[2] = { { 1, 2, 3, "" }, { -1, INT64_MAX, 0, "extra-string" } };
  struct guestfs_version_list in = { 2, v };
  struct xdr e;
  xdr_enc_init (&e);
  hatch_enc_version_list (&e, &in);
  struct xdr d = dec_from (&e);
  struct guestfs_version_list *out = NULL;
  int rd = hatch_dec_version_list (&d, &out);
  ok (rd == 0 && out && out->len == 2 && out->val[1].minor == INT64_MAX &&
      strcmp (out->val[0].extra, "") == 0 &&
      strcmp (out->val[1].extra, "extra-string") == 0 && xdr_at_end (&d),
      "version list (structs with strings) round trip");
  hatch_free_version_list (out);

  long live = alloc_live;
  int bad = 0;
  for (size_t k = 0; k < e.len; ++k) {
    struct xdr t;
    xdr_dec_init (&t, e.buf, k);
    out = NULL;
    if (hatch_dec_version_list (&t, &out) == 0 || out != NULL)
      bad++;
  }
  ok (bad == 0 && alloc_live == live,
      "version list truncated at every length rejected without leaks");
  xdr_free_buf (&e);

  struct guestfs_statns st;
  memset (&st, 0, sizeof st);
  st.st_dev = INT64_MIN; st.st_ino = 12; st.st_mode = 0100644; st.st_size = INT64_MAX;
  st.st_spare6 = -5;
  xdr_enc_init (&e);
  hatch_enc_statns (&e, &st);
  d = dec_from (&e);
  struct guestfs_statns st2;
  memset (&st2, 0xa5, sizeof st2);
  rd = hatch_dec_statns (&d, &st2);
  ok (rd == 0 && memcmp (&st, &st2, sizeof st) == 0 && xdr_at_end (&d) &&
      e.len == sizeof st, "statns round trip (%zu bytes)", e.len);
  xdr_free_buf (&e);
}

/* ---------------------------------------------------------------- */
/* Malformed input */

static void
test_malformed (void)
{
  struct bytes b;
  char *s;
  char **l;
  struct xdr d;
  int r;

  /* String length greater than what remains. */
  b.n = 0; b_u32 (&b, 100); b_raw (&b, "abcd", 4);
  xdr_dec_init (&d, (char *) b.b, b.n);
  alloc_reset ();
  s = NULL;
  r = xdr_get_string (&d, &s);
  ok (r == -1 && s == NULL && d.error != 0 && alloc_max == 0,
      "string length 100 with 4 bytes left: rejected before allocating (%s)",
      xdr_strerror (d.error));

  /* String length 0xffffffff. */
  b.n = 0; b_u32 (&b, 0xffffffff); b_raw (&b, "abcdefgh", 8);
  xdr_dec_init (&d, (char *) b.b, b.n);
  alloc_reset ();
  r = xdr_get_string (&d, &s);
  ok (r == -1 && d.error == XDR_ETOOBIG && alloc_max == 0,
      "string length 0xffffffff rejected (ETOOBIG), nothing allocated");

  /* Opaque whose data fits but whose padding does not. */
  b.n = 0; b_u32 (&b, 5); b_raw (&b, "abcde", 5);
  xdr_dec_init (&d, (char *) b.b, b.n);
  long live = alloc_live;
  char *p = NULL;
  size_t n;
  r = xdr_get_opaque (&d, &p, &n);
  ok (r == -1 && d.error != 0 && alloc_live == live,
      "opaque missing its padding rejected without a leak");

  /* Embedded NUL in a string. */
  b.n = 0; b_u32 (&b, 3); b_raw (&b, "a\0b\0", 4);
  xdr_dec_init (&d, (char *) b.b, b.n);
  live = alloc_live;
  s = NULL;
  r = xdr_get_string (&d, &s);
  ok (r == -1 && s == NULL && d.error == XDR_EINVAL && alloc_live == live,
      "string with an embedded NUL rejected (EINVAL), no leak");
  /* ... while the same bytes are fine as opaque. */
  xdr_dec_init (&d, (char *) b.b, b.n);
  p = NULL;
  r = xdr_get_opaque (&d, &p, &n);
  ok (r == 0 && n == 3 && memcmp (p, "a\0b", 3) == 0, "the same bytes decode as opaque");
  free (p);

  /* Optstring present flag 2 and 0xffffffff. */
  static const uint32_t flags[] = { 2, 0x80000000, 0xffffffff };
  for (size_t i = 0; i < 3; ++i) {
    b.n = 0; b_u32 (&b, flags[i]); b_u32 (&b, 1); b_raw (&b, "x\0\0\0", 4);
    xdr_dec_init (&d, (char *) b.b, b.n);
    s = (char *) 1;
    r = xdr_get_optstring (&d, &s);
    ok (r == -1 && d.error == XDR_EINVAL,
        "optstring present-flag %u rejected (EINVAL)", flags[i]);
  }

  /* String list count 0xffffffff with a few bytes following. */
  b.n = 0; b_u32 (&b, 0xffffffff); b_u32 (&b, 0); b_u32 (&b, 0);
  xdr_dec_init (&d, (char *) b.b, b.n);
  alloc_reset ();
  l = NULL;
  r = xdr_get_stringlist (&d, &l);
  ok (r == -1 && l == NULL && d.error == XDR_ETOOBIG && alloc_max <= ALLOC_BOUND (b.n),
      "string list count 0xffffffff rejected (ETOOBIG), largest allocation %zu", alloc_max);

  /* A count that fits the limit but not the remaining input. */
  b.n = 0; b_u32 (&b, 1000); b_u32 (&b, 0);
  xdr_dec_init (&d, (char *) b.b, b.n);
  alloc_reset ();
  r = xdr_get_stringlist (&d, &l);
  ok (r == -1 && d.error == XDR_ETOOBIG && alloc_max <= ALLOC_BOUND (b.n),
      "string list count 1000 with 4 bytes left rejected before allocating (max %zu)",
      alloc_max);

  /* Struct lists with count 0xffffffff. */
  b.n = 0; b_u32 (&b, 0xffffffff);
  for (int i = 0; i < 16; ++i) b_u32 (&b, 0);
  xdr_dec_init (&d, (char *) b.b, b.n);
  alloc_reset ();
  struct guestfs_partition_list *pl = NULL;
  r = hatch_dec_partition_list (&d, &pl);
  ok (r == -1 && pl == NULL && d.error == XDR_ETOOBIG && alloc_max <= ALLOC_BOUND (b.n),
      "partition list count 0xffffffff rejected (ETOOBIG)");

  xdr_dec_init (&d, (char *) b.b, b.n);
  struct guestfs_statns_list *sl = NULL;
  r = hatch_dec_statns_list (&d, &sl);
  ok (r == -1 && sl == NULL && d.error == XDR_ETOOBIG, "statns list count 0xffffffff rejected");

  /* Struct list counts that claim as many items as there are 4-byte words:
   * the decoder may not allocate much more than the input. */
  static unsigned char big[65536];
  memset (big, 0, sizeof big);
  uint32_t cnt = (sizeof big - 4) / 4;
  big[0] = cnt >> 24; big[1] = cnt >> 16; big[2] = cnt >> 8; big[3] = cnt;
  struct {
    const char *name;
    int which;
  } lists[] = { { "partition", 0 }, { "statns", 1 }, { "version", 2 }, { "int_bool", 3 } };
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; ++i) {
    xdr_dec_init (&d, (char *) big, sizeof big);
    alloc_reset ();
    live = alloc_live;
    void *ret = NULL;
    switch (lists[i].which) {
    case 0: r = hatch_dec_partition_list (&d, (struct guestfs_partition_list **) &ret); break;
    case 1: r = hatch_dec_statns_list (&d, (struct guestfs_statns_list **) &ret); break;
    case 2: r = hatch_dec_version_list (&d, (struct guestfs_version_list **) &ret); break;
    default: r = hatch_dec_int_bool_list (&d, (struct guestfs_int_bool_list **) &ret); break;
    }
    if (r == 0) {
      switch (lists[i].which) {
      case 0: hatch_free_partition_list (ret); break;
      case 1: hatch_free_statns_list (ret); break;
      case 2: hatch_free_version_list (ret); break;
      default: hatch_free_int_bool_list (ret); break;
      }
    }
    ok (alloc_live == live && alloc_max <= ALLOC_BOUND (sizeof big),
        "%s list claiming %u items in %zu bytes: largest allocation %zu <= %zu "
        "(the count must be checked against the struct's wire size)",
        lists[i].name, cnt, sizeof big, alloc_max, ALLOC_BOUND (sizeof big));
  }

  /* Just over the list limit, with the bytes really present. */
  size_t nbig = 4 + ((size_t) XDR_MAX_LIST + 1) * 4;
  unsigned char *huge = calloc (1, nbig);
  cnt = XDR_MAX_LIST + 1;
  huge[0] = cnt >> 24; huge[1] = cnt >> 16; huge[2] = cnt >> 8; huge[3] = cnt;
  xdr_dec_init (&d, (char *) huge, nbig);
  l = NULL;
  r = xdr_get_stringlist (&d, &l);
  ok (r == -1 && d.error == XDR_ETOOBIG, "string list of XDR_MAX_LIST+1 empty strings rejected");
  /* ... and exactly at the limit it is accepted. */
  cnt = XDR_MAX_LIST;
  huge[0] = cnt >> 24; huge[1] = cnt >> 16; huge[2] = cnt >> 8; huge[3] = cnt;
  xdr_dec_init (&d, (char *) huge, nbig - 4);
  l = NULL;
  r = xdr_get_stringlist (&d, &l);
  ok (r == 0 && l && l[0] && l[XDR_MAX_LIST - 1] && !l[XDR_MAX_LIST] && xdr_at_end (&d),
      "string list of exactly XDR_MAX_LIST empty strings accepted");
  xdr_free_stringlist (l);
  free (huge);

  /* A bool other than 0 or 1 (RFC 4506 section 4.4). */
  struct hatch_is_file_args ia = { .path = "/x", .followsymlinks = 1, .optargs_bitmask = 1 };
  struct xdr e;
  xdr_enc_init (&e);
  hatch_enc_is_file_args (&e, &ia);
  /* The bool is the last word. */
  e.buf[e.len - 1] = 2;
  d = dec_from (&e);
  struct hatch_is_file_args io;
  memset (&io, 0, sizeof io);
  r = hatch_dec_is_file_args (&d, &io);
  ok (r == -1 && d.error == XDR_EINVAL, "bool value 2 rejected (EINVAL, as xdr.h promises)");
  hatch_free_is_file_args (&io);
  xdr_free_buf (&e);
}

/* ---------------------------------------------------------------- */
/* Frames */

struct membuf {
  const unsigned char *p;
  size_t len, pos;
};

/* Same contract as frame_read_fd. */
static ssize_t
mem_read (void *opaque, void *buf, size_t n)
{
  struct membuf *m = opaque;
  size_t left = m->len - m->pos;
  if (left == 0)
    return 0;
  if (left < n) {
    m->pos = m->len;
    errno = EPROTO;
    return -1;
  }
  memcpy (buf, m->p + m->pos, n);
  m->pos += n;
  return (ssize_t) n;
}

static size_t
make_frame (unsigned char *p, uint32_t len, uint32_t magic, uint32_t version,
            uint32_t type, const void *body, size_t body_len)
{
  struct bytes b;
  b.n = 0;
  b_u32 (&b, len);
  b_u32 (&b, magic);
  b_u32 (&b, version);
  b_u32 (&b, 42);       /* proc */
  b_u32 (&b, type);
  b_u32 (&b, 7);        /* serial */
  b_u32 (&b, 0);        /* status */
  if (body_len) b_raw (&b, body, body_len);
  memcpy (p, b.b, b.n);
  return b.n;
}

static int
read_mem_frame (const unsigned char *p, size_t n, struct frame_header *h,
                char **body, size_t *len, int *err)
{
  struct membuf m = { p, n, 0 };
  *body = NULL;
  errno = 0;
  int r = frame_read (mem_read, &m, h, body, len, HATCH_MAX_FRAME);
  *err = errno;
  return r;
}

static void
test_frames (void)
{
  unsigned char f[256];
  struct frame_header h;
  char *body;
  size_t len;
  int err, r;
  size_t n;

  n = make_frame (f, 24 + 8, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_REPLY, "12345678", 8);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == 1 && h.magic == HATCH_MAGIC && h.proc == 42 && h.type == FRAME_REPLY &&
      h.serial == 7 && len == 8 && body && memcmp (body, "12345678", 8) == 0,
      "valid frame read");
  free (body);

  n = make_frame (f, 24, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_HELLO, NULL, 0);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == 1 && len == 0 && body == NULL, "frame with an empty body: body NULL, len 0");

  r = read_mem_frame (f, 0, &h, &body, &len, &err);
  ok (r == 0, "clean end of stream at a frame boundary returns 0");

  n = make_frame (f, 32, 0x48415444, HATCH_PROTOCOL_VERSION, FRAME_REPLY, "12345678", 8);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO && body == NULL, "bad magic: EPROTO");

  n = make_frame (f, 32, HATCH_MAGIC, HATCH_PROTOCOL_VERSION + 1, FRAME_REPLY, "12345678", 8);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO, "bad protocol version: EPROTO");

  n = make_frame (f, 32, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, 0, "12345678", 8);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO, "frame type 0: EPROTO");
  n = make_frame (f, 32, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_LOG + 1, "12345678", 8);
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO, "frame type %d: EPROTO", FRAME_LOG + 1);

  static const uint32_t shorts[] = { 0, 4, 23 };
  for (size_t i = 0; i < 3; ++i) {
    n = make_frame (f, shorts[i], HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_REPLY,
                    "12345678", 8);
    r = read_mem_frame (f, n, &h, &body, &len, &err);
    ok (r == -1 && err == EPROTO, "length %u < header size: EPROTO", shorts[i]);
  }

  static const uint32_t bigs[] = { 24 + HATCH_MAX_FRAME + 1, 0x7fffffff, 0xffffffff };
  for (size_t i = 0; i < 3; ++i) {
    n = make_frame (f, bigs[i], HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_REPLY,
                    "12345678", 8);
    alloc_reset ();
    r = read_mem_frame (f, n, &h, &body, &len, &err);
    ok (r == -1 && err == EFBIG && alloc_max == 0,
        "length 0x%x > max: EFBIG, nothing allocated", bigs[i]);
  }
  /* Exactly the maximum is allowed by the header check (body then missing). */
  n = make_frame (f, 24 + HATCH_MAX_FRAME, HATCH_MAGIC, HATCH_PROTOCOL_VERSION,
                  FRAME_REPLY, "12345678", 8);
  long live = alloc_live;
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO && alloc_live == live,
      "frame of max length whose stream ends early: EPROTO, buffer freed");

  /* Stream ending mid-frame: in the body, and in the header. */
  n = make_frame (f, 24 + 100, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_REPLY,
                  "12345678", 8);
  live = alloc_live;
  r = read_mem_frame (f, n, &h, &body, &len, &err);
  ok (r == -1 && err == EPROTO && alloc_live == live, "stream ends inside the body: EPROTO");
  for (size_t k = 1; k < 28; ++k) {
    r = read_mem_frame (f, k, &h, &body, &len, &err);
    if (r != -1 || err != EPROTO) break;
    if (k == 27)
      ok (true, "stream ends inside the header (1..27 bytes): EPROTO");
  }
  if (r != -1 || err != EPROTO)
    ok (false, "stream ends inside the header: EPROTO (got r=%d errno=%d)", r, err);

  /* Through a pipe with the real fd reader and writer. */
  int fds[2];
  if (pipe (fds) == 0) {
    struct frame_header wh = { HATCH_MAGIC, HATCH_PROTOCOL_VERSION, 17, FRAME_CALL, 99, 0 };
    int w1 = frame_write (fds[1], &wh, "hello world", 11);
    int w2 = frame_write (fds[1], &wh, NULL, 0);
    /* A truncated frame then EOF. */
    unsigned char part[10];
    make_frame (f, 24 + 4, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_REPLY, "abcd", 4);
    memcpy (part, f, sizeof part);
    ssize_t wr = write (fds[1], part, sizeof part);
    close (fds[1]);
    int fd = fds[0];
    struct frame_header rh;
    body = NULL;
    r = frame_read (frame_read_fd, &fd, &rh, &body, &len, HATCH_MAX_FRAME);
    ok (w1 == 0 && w2 == 0 && wr == 10 && r == 1 && rh.proc == 17 && rh.serial == 99 &&
        rh.type == FRAME_CALL && len == 11 && memcmp (body, "hello world", 11) == 0,
        "frame_write + frame_read_fd through a pipe");
    free (body);
    r = frame_read (frame_read_fd, &fd, &rh, &body, &len, HATCH_MAX_FRAME);
    ok (r == 1 && len == 0, "empty frame through a pipe");
    errno = 0;
    r = frame_read (frame_read_fd, &fd, &rh, &body, &len, HATCH_MAX_FRAME);
    ok (r == -1 && errno == EPROTO, "pipe closed mid-frame: EPROTO");
    close (fd);
  }

  /* The writer refuses oversized bodies. */
  struct frame_header wh = { HATCH_MAGIC, HATCH_PROTOCOL_VERSION, 1, FRAME_CHUNK, 1, 0 };
  errno = 0;
  r = frame_write (-1, &wh, "x", (size_t) HATCH_MAX_FRAME + 1);
  ok (r == -1 && errno == EFBIG, "frame_write of a body over the maximum: EFBIG");

  /* frame_read_header reports the body length. */
  n = make_frame (f, 24 + 8, HATCH_MAGIC, HATCH_PROTOCOL_VERSION, FRAME_CHUNK, "12345678", 8);
  struct membuf m = { f, n, 0 };
  size_t bl = 0;
  r = frame_read_header (mem_read, &m, &h, &bl, HATCH_MAX_FRAME);
  ok (r == 1 && bl == 8 && m.pos == 28, "frame_read_header returns the body length");
  m.pos = 0;
  errno = 0;
  r = frame_read_header (mem_read, &m, &h, &bl, 4);
  ok (r == -1 && errno == EFBIG, "frame_read_header honours a smaller max_len");
}

int
main (void)
{
  test_u32 ();
  test_i32 ();
  test_u64_i64 ();
  test_float ();
  test_strings ();
  test_opaque ();
  test_optstring ();
  test_stringlist ();
  test_reserve ();
  test_sticky_error ();
  test_mkfs_args ();
  test_write_args ();
  test_tar_out_args ();
  test_part_add_args ();
  test_partition_list ();
  test_version_statns ();
  test_malformed ();
  test_frames ();
  return tap_done ();
}
