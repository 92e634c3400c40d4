/* The decoders exercised by the fuzz tests (test-xdr-fuzz.c and the
 * libFuzzer target fuzz-xdr.c), each with a valid sample encoding to start
 * mutating from.
 *
 * Replies are decoded the way lib/actions-gen.c does it for each return
 * kind; call arguments the way the daemon does.  Each decoder frees what it
 * decoded and reads every decoded byte (so the sanitizers see any bad
 * length), returning 0 when the input decoded, -1 when it was refused.  */
#ifndef HATCH_FUZZ_DECODERS_H
#define HATCH_FUZZ_DECODERS_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xdr.h"
#include "protocol.h"
#include "protocol-gen.h"

static volatile size_t fuzz_sink;

static void
touch (const char *p, size_t n)
{
  size_t s = 0;
  for (size_t i = 0; i < n; ++i)
    s += (unsigned char) p[i];
  fuzz_sink += s;
}

static void
touch_str (const char *s)
{
  if (s) touch (s, strlen (s) + 1);
}

static void
touch_list (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    touch_str (l[i]);
}

/* ---- decoders ---- */

static int
d_string (struct xdr *x)          /* RString: cat, vfs_type, readlink */
{
  char *s = NULL;
  if (xdr_get_string (x, &s) == -1) return -1;
  touch_str (s);
  free (s);
  return 0;
}

static int
d_stringlist (struct xdr *x)      /* RStringList, RHashtable: ls, list_filesystems */
{
  char **l = NULL;
  if (xdr_get_stringlist (x, &l) == -1) return -1;
  touch_list (l);
  xdr_free_stringlist (l);
  return 0;
}

static int
d_buffer (struct xdr *x)          /* RBufferOut: read_file */
{
  char *p = NULL;
  size_t n = 0;
  if (xdr_get_opaque (x, &p, &n) == -1) return -1;
  touch (p, n + 1);
  free (p);
  return 0;
}

static int
d_scalars (struct xdr *x)         /* RInt, RInt64, RBool in a row */
{
  int32_t i; int64_t l; uint32_t b;
  if (xdr_get_i32 (x, &i) == -1 || xdr_get_i64 (x, &l) == -1 ||
      xdr_get_u32 (x, &b) == -1) return -1;
  fuzz_sink += (size_t) i + (size_t) l + b;
  return 0;
}

static int
d_error_reply (struct xdr *x)     /* STATUS_ERROR body: errno, message */
{
  uint32_t e;
  char *msg = NULL;
  if (xdr_get_u32 (x, &e) == -1 || xdr_get_string (x, &msg) == -1) return -1;
  touch_str (msg);
  free (msg);
  return 0;
}

static int
d_hello (struct xdr *x)           /* HELLO body: api hash, daemon version */
{
  char *h = NULL, *v = NULL;
  int r = -1;
  if (xdr_get_string (x, &h) == 0 && xdr_get_string (x, &v) == 0) {
    touch_str (h); touch_str (v);
    r = 0;
  }
  free (h);
  free (v);
  return r;
}

static int
d_progress (struct xdr *x)
{
  uint64_t a, b;
  if (xdr_get_u64 (x, &a) == -1 || xdr_get_u64 (x, &b) == -1) return -1;
  fuzz_sink += a ^ b;
  return 0;
}

static int
d_statns (struct xdr *x)          /* RStruct */
{
  struct guestfs_statns *st = calloc (1, sizeof *st);
  if (!st) return -1;
  int r = hatch_dec_statns (x, st);
  if (r == 0) touch ((const char *) st, sizeof *st);
  hatch_free_statns_fields (st);
  free (st);
  return r;
}

static int
d_partition_list (struct xdr *x)  /* RStructList */
{
  struct guestfs_partition_list *l = NULL;
  if (hatch_dec_partition_list (x, &l) == -1) return -1;
  touch ((const char *) l->val, l->len * sizeof l->val[0]);
  hatch_free_partition_list (l);
  return 0;
}

static int
d_statns_list (struct xdr *x)
{
  struct guestfs_statns_list *l = NULL;
  if (hatch_dec_statns_list (x, &l) == -1) return -1;
  touch ((const char *) l->val, l->len * sizeof l->val[0]);
  hatch_free_statns_list (l);
  return 0;
}

static int
d_version_list (struct xdr *x)
{
  struct guestfs_version_list *l = NULL;
  if (hatch_dec_version_list (x, &l) == -1) return -1;
  for (uint32_t i = 0; i < l->len; ++i)
    touch_str (l->val[i].extra);
  hatch_free_version_list (l);
  return 0;
}

static int
d_int_bool_list (struct xdr *x)
{
  struct guestfs_int_bool_list *l = NULL;
  if (hatch_dec_int_bool_list (x, &l) == -1) return -1;
  touch ((const char *) l->val, l->len * sizeof l->val[0]);
  hatch_free_int_bool_list (l);
  return 0;
}

static int
d_mkfs_args (struct xdr *x)       /* daemon side */
{
  struct hatch_mkfs_args a;
  memset (&a, 0, sizeof a);
  int r = hatch_dec_mkfs_args (x, &a);
  if (r == 0) { touch_str (a.fstype); touch_str (a.device); touch_str (a.label); touch_str (a.features); }
  hatch_free_mkfs_args (&a);
  return r;
}

static int
d_tar_out_args (struct xdr *x)
{
  struct hatch_tar_out_args a;
  memset (&a, 0, sizeof a);
  int r = hatch_dec_tar_out_args (x, &a);
  if (r == 0) { touch_str (a.directory); touch_str (a.compress); touch_list (a.excludes); }
  hatch_free_tar_out_args (&a);
  return r;
}

static int
d_write_args (struct xdr *x)
{
  struct hatch_write_args a;
  memset (&a, 0, sizeof a);
  int r = hatch_dec_write_args (x, &a);
  if (r == 0) { touch_str (a.path); touch (a.content, a.content_size); }
  hatch_free_write_args (&a);
  return r;
}

static int
d_part_add_args (struct xdr *x)
{
  struct hatch_part_add_args a;
  memset (&a, 0, sizeof a);
  int r = hatch_dec_part_add_args (x, &a);
  if (r == 0) { touch_str (a.device); touch_str (a.prlogex); }
  hatch_free_part_add_args (&a);
  return r;
}

static int
d_command_args (struct xdr *x)
{
  struct hatch_command_args a;
  memset (&a, 0, sizeof a);
  int r = hatch_dec_command_args (x, &a);
  if (r == 0) touch_list (a.arguments);
  hatch_free_command_args (&a);
  return r;
}

/* ---- sample encodings ---- */

static void
s_string (struct xdr *e) { xdr_put_string (e, "ext4 filesystem contents\n"); }

static void
s_stringlist (struct xdr *e)
{
  char *l[] = { "/dev/sda1", "ext4", "/dev/sda2", "unknown", "", "/dev/sdb", "swap", NULL };
  xdr_put_stringlist (e, l);
}

static void
s_buffer (struct xdr *e) { xdr_put_opaque (e, "\0\1\2binary\0data\xff", 15); }

static void
s_scalars (struct xdr *e)
{
  xdr_put_i32 (e, -2); xdr_put_i64 (e, 68719476736ll); xdr_put_u32 (e, 1);
}

static void
s_error_reply (struct xdr *e) { xdr_put_u32 (e, ENOENT); xdr_put_string (e, "cat: /x: No such file or directory"); }

static void
s_hello (struct xdr *e) { xdr_put_string (e, HATCH_API_HASH); xdr_put_string (e, "0.1.0"); }

static void
s_progress (struct xdr *e) { xdr_put_u64 (e, 1 << 20); xdr_put_u64 (e, 256 << 20); }

static void
s_statns (struct xdr *e)
{
  struct guestfs_statns st;
  memset (&st, 0, sizeof st);
  st.st_mode = 0100644; st.st_size = 4096; st.st_nlink = 1;
  hatch_enc_statns (e, &st);
}

static void
s_partition_list (struct xdr *e)
{
  struct guestfs_partition p[3] = { { 1, 1048576, 2097151, 1048576 },
                                    { 2, 2097152, 4194303, 2097152 },
                                    { 5, 4194304, 67108863, 62914560 } };
  struct guestfs_partition_list l = { 3, p };
  hatch_enc_partition_list (e, &l);
}

static void
s_statns_list (struct xdr *e)
{
  struct guestfs_statns st[2];
  memset (st, 0, sizeof st);
  st[0].st_ino = 2; st[1].st_ino = 11; st[1].st_mode = 040755;
  struct guestfs_statns_list l = { 2, st };
  hatch_enc_statns_list (e, &l);
}

static void
s_version_list (struct xdr *e)
{
  struct guestfs_version v[2] = { { 1, 0, 0, "" }, { 1, 52, 7, "fedora=40,release=1" } };
  struct guestfs_version_list l = { 2, v };
  hatch_enc_version_list (e, &l);
}

static void
s_int_bool_list (struct xdr *e)
{
  struct guestfs_int_bool ib[3] = { { 1, 0 }, { -1, 1 }, { 7, 1 } };
  struct guestfs_int_bool_list l = { 3, ib };
  hatch_enc_int_bool_list (e, &l);
}

static void
s_mkfs_args (struct xdr *e)
{
  struct hatch_mkfs_args a = { .fstype = "ext4", .device = "/dev/sda1", .blocksize = 4096,
                               .label = "LBL", .optargs_bitmask = 1 | 16 };
  hatch_enc_mkfs_args (e, &a);
}

static void
s_tar_out_args (struct xdr *e)
{
  char *ex[] = { "*.tmp", "./var/cache", NULL };
  struct hatch_tar_out_args a = { .directory = "/etc", .compress = "xz", .excludes = ex,
                                  .numericowner = 1, .optargs_bitmask = 0x3f };
  hatch_enc_tar_out_args (e, &a);
}

static void
s_write_args (struct xdr *e)
{
  struct hatch_write_args a = { .path = "/new", .content = "a\0b\0c", .content_size = 5 };
  hatch_enc_write_args (e, &a);
}

static void
s_part_add_args (struct xdr *e)
{
  struct hatch_part_add_args a = { .device = "/dev/sda", .prlogex = "primary",
                                   .startsect = 2048, .endsect = -34 };
  hatch_enc_part_add_args (e, &a);
}

static void
s_command_args (struct xdr *e)
{
  char *argv[] = { "/bin/echo", "hello", "world", NULL };
  struct hatch_command_args a = { .arguments = argv };
  hatch_enc_command_args (e, &a);
}

struct fuzz_decoder {
  const char *name;
  void (*sample) (struct xdr *e);
  int (*decode) (struct xdr *x);
};

static const struct fuzz_decoder fuzz_decoders[] = {
  { "string reply", s_string, d_string },
  { "string list reply", s_stringlist, d_stringlist },
  { "buffer reply", s_buffer, d_buffer },
  { "scalar replies", s_scalars, d_scalars },
  { "error reply", s_error_reply, d_error_reply },
  { "hello", s_hello, d_hello },
  { "progress", s_progress, d_progress },
  { "statns reply", s_statns, d_statns },
  { "partition list reply", s_partition_list, d_partition_list },
  { "statns list reply", s_statns_list, d_statns_list },
  { "version list reply", s_version_list, d_version_list },
  { "int_bool list reply", s_int_bool_list, d_int_bool_list },
  { "mkfs args", s_mkfs_args, d_mkfs_args },
  { "tar_out args", s_tar_out_args, d_tar_out_args },
  { "write args", s_write_args, d_write_args },
  { "part_add args", s_part_add_args, d_part_add_args },
  { "command args", s_command_args, d_command_args },
};
#define N_FUZZ_DECODERS (sizeof fuzz_decoders / sizeof fuzz_decoders[0])

/* Read frames from a byte stream until the end or an error. */
struct fuzz_mem {
  const unsigned char *p;
  size_t len, pos;
};

static ssize_t
fuzz_mem_read (void *opaque, void *buf, size_t n)
{
  struct fuzz_mem *m = opaque;
  size_t left = m->len - m->pos;
  if (left == 0) return 0;
  if (left < n) { m->pos = m->len; errno = EPROTO; return -1; }
  memcpy (buf, m->p + m->pos, n);
  m->pos += n;
  return (ssize_t) n;
}

/* Returns the number of frames read; *err gets 0 or the errno. */
static int
fuzz_frames (const unsigned char *p, size_t len, int *err)
{
  struct fuzz_mem m = { p, len, 0 };
  int n = 0;
  *err = 0;
  for (;;) {
    struct frame_header h;
    char *body = NULL;
    size_t blen = 0;
    errno = 0;
    int r = frame_read (fuzz_mem_read, &m, &h, &body, &blen, 64 * 1024);
    if (r <= 0) {
      if (r < 0) *err = errno;
      return n;
    }
    n++;
    if (body) {
      struct xdr x;
      xdr_dec_init (&x, body, blen);
      if (h.type == FRAME_REPLY && h.status == STATUS_ERROR)
        d_error_reply (&x);
      else if (h.type == FRAME_HELLO)
        d_hello (&x);
      else if (h.type == FRAME_PROGRESS)
        d_progress (&x);
      else
        touch (body, blen);
    }
    free (body);
  }
}

static void
fuzz_sample_frames (struct xdr *e)
{
  /* HELLO, PROGRESS, an error REPLY and an OK REPLY carrying a list. */
  struct frame_header h = { HATCH_MAGIC, HATCH_PROTOCOL_VERSION, 0, FRAME_HELLO, 0, 0 };
  void (*bodies[4]) (struct xdr *) = { s_hello, s_progress, s_error_reply, s_partition_list };
  uint32_t types[4] = { FRAME_HELLO, FRAME_PROGRESS, FRAME_REPLY, FRAME_REPLY };
  uint32_t status[4] = { 0, 0, STATUS_ERROR, STATUS_OK };
  for (int i = 0; i < 4; ++i) {
    struct xdr b;
    xdr_enc_init (&b);
    bodies[i] (&b);
    h.type = types[i];
    h.status = status[i];
    h.proc = HATCH_PROC_PART_LIST;
    h.serial = (uint32_t) i;
    unsigned char prefix[4 + HATCH_HEADER_SIZE];
    frame_encode_prefix (prefix, &h, b.len);
    xdr_put_fixed (e, prefix, sizeof prefix);
    xdr_put_fixed (e, b.buf, b.len);   /* bodies are already multiples of 4 */
    xdr_free_buf (&b);
  }
}

#endif
