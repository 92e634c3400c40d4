/* See pxzcat.h. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxzcat.h"

/* A template block larger than this is refused (xz's default block size
 * for --block-size files is 16 MiB; a hostile index could claim any). */
#define MAX_BLOCK (1ULL << 30)
#define OUT_CHUNK (1 << 20)

bool
builder_is_xz (const char *file)
{
  static const unsigned char magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
  unsigned char b[6];
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return false;
  ssize_t r = pread (fd, b, sizeof b, 0);
  close (fd);
  return r == (ssize_t) sizeof b && memcmp (b, magic, sizeof b) == 0;
}

struct block {
  uint64_t in_offset, in_size;      /* compressed, header included */
  uint64_t out_offset, out_size;
  lzma_check check;
};

struct job {
  const char *program, *infile;
  int infd, outfd;
  bool sparse;
  struct block *blocks;
  size_t nr_blocks;
  atomic_size_t next;
  atomic_int failed;
  pthread_mutex_t lock;             /* for the error message */
};

static void
job_fail (struct job *j, const char *fmt, const char *detail)
{
  pthread_mutex_lock (&j->lock);
  if (!atomic_exchange (&j->failed, 1)) {
    fprintf (stderr, "%s: %s: ", j->program, j->infile);
    fprintf (stderr, fmt, detail);
    fputc ('\n', stderr);
  }
  pthread_mutex_unlock (&j->lock);
}

static bool
all_zero (const unsigned char *p, size_t n)
{
  return n == 0 || (p[0] == 0 && memcmp (p, p + 1, n - 1) == 0);
}

static int
write_at (struct job *j, const unsigned char *p, size_t n, uint64_t off)
{
  if (j->sparse && all_zero (p, n))
    return 0;                       /* the file was sized: a hole reads as zeroes */
  while (n > 0) {
    ssize_t r = pwrite (j->outfd, p, n, (off_t) off);
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) {
      job_fail (j, "write: %s", strerror (r == 0 ? ENOSPC : errno));
      return -1;
    }
    p += r; n -= (size_t) r; off += (uint64_t) r;
  }
  return 0;
}

static const char *
lzma_why (lzma_ret r)
{
  switch (r) {
  case LZMA_MEM_ERROR: return "out of memory";
  case LZMA_FORMAT_ERROR: return "not an xz file";
  case LZMA_OPTIONS_ERROR: return "unsupported xz options";
  case LZMA_DATA_ERROR: return "corrupt compressed data";
  case LZMA_BUF_ERROR: return "truncated compressed data";
  case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
  default: return "xz decoder error";
  }
}

static int
decode_block (struct job *j, const struct block *b, unsigned char *in, unsigned char *out)
{
  size_t got = 0;
  while (got < b->in_size) {
    ssize_t r = pread (j->infd, in + got, b->in_size - got, (off_t) (b->in_offset + got));
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) {
      job_fail (j, "read: %s", r == 0 ? "file truncated" : strerror (errno));
      return -1;
    }
    got += (size_t) r;
  }
  lzma_filter filters[LZMA_FILTERS_MAX + 1];
  lzma_block block = { .version = 1, .check = b->check, .filters = filters };
  block.header_size = lzma_block_header_size_decode (in[0]);
  if (in[0] == 0 || block.header_size > b->in_size) {
    job_fail (j, "%s", "corrupt block header");
    return -1;
  }
  lzma_ret r = lzma_block_header_decode (&block, NULL, in);
  if (r != LZMA_OK) {
    job_fail (j, "block header: %s", lzma_why (r));
    return -1;
  }
  lzma_stream s = LZMA_STREAM_INIT;
  r = lzma_block_decoder (&s, &block);
  for (size_t i = 0; filters[i].id != LZMA_VLI_UNKNOWN; ++i)
    free (filters[i].options);
  if (r != LZMA_OK) {
    job_fail (j, "block: %s", lzma_why (r));
    return -1;
  }
  s.next_in = in + block.header_size;
  s.avail_in = b->in_size - block.header_size;
  uint64_t pos = b->out_offset, end = b->out_offset + b->out_size;
  int ret = 0;
  for (;;) {
    s.next_out = out;
    s.avail_out = OUT_CHUNK;
    r = lzma_code (&s, LZMA_FINISH);
    size_t n = OUT_CHUNK - s.avail_out;
    if (pos + n > end) {
      job_fail (j, "%s", "a block holds more data than the index says");
      ret = -1;
      break;
    }
    if (n && write_at (j, out, n, pos) == -1) { ret = -1; break; }
    pos += n;
    if (r == LZMA_STREAM_END) break;
    if (r != LZMA_OK) {
      job_fail (j, "%s", lzma_why (r));
      ret = -1;
      break;
    }
  }
  if (ret == 0 && pos != end) {
    job_fail (j, "%s", "a block holds less data than the index says");
    ret = -1;
  }
  lzma_end (&s);
  return ret;
}

static void *
worker (void *opaque)
{
  struct job *j = opaque;
  unsigned char *out = malloc (OUT_CHUNK), *in = NULL;
  size_t in_cap = 0;
  if (!out) {
    job_fail (j, "%s", "out of memory");
    return NULL;
  }
  for (;;) {
    size_t i = atomic_fetch_add (&j->next, 1);
    if (i >= j->nr_blocks || atomic_load (&j->failed))
      break;
    const struct block *b = &j->blocks[i];
    if (b->in_size > in_cap) {
      free (in);
      in_cap = b->in_size;
      in = malloc (in_cap);
      if (!in) { job_fail (j, "%s", "out of memory"); break; }
    }
    if (decode_block (j, b, in, out) == -1)
      break;
  }
  free (in);
  free (out);
  return NULL;
}

/* Read the index of every stream of the file (liblzma seeks to the
 * footers and indexes for us). */
static lzma_index *
read_index (const char *program, const char *infile, int fd, uint64_t file_size)
{
  lzma_index *idx = NULL;
  lzma_stream s = LZMA_STREAM_INIT;
  lzma_ret r = lzma_file_info_decoder (&s, &idx, UINT64_MAX, file_size);
  if (r != LZMA_OK) {
    fprintf (stderr, "%s: %s: %s\n", program, infile, lzma_why (r));
    return NULL;
  }
  unsigned char buf[BUFSIZ];
  off_t pos = 0;
  for (;;) {
    if (s.avail_in == 0) {
      ssize_t n = pread (fd, buf, sizeof buf, pos);
      if (n == -1 && errno == EINTR) continue;
      if (n == -1) {
        fprintf (stderr, "%s: %s: read: %s\n", program, infile, strerror (errno));
        lzma_end (&s);
        return NULL;
      }
      s.next_in = buf;
      s.avail_in = (size_t) n;
      pos += n;
    }
    r = lzma_code (&s, LZMA_RUN);
    if (r == LZMA_STREAM_END)
      break;
    if (r == LZMA_SEEK_NEEDED) {
      pos = (off_t) s.seek_pos;
      s.avail_in = 0;
      continue;
    }
    if (r != LZMA_OK) {
      fprintf (stderr, "%s: %s: %s\n", program, infile, lzma_why (r));
      lzma_end (&s);
      return NULL;
    }
  }
  lzma_end (&s);
  return idx;
}

int
builder_xz_decompress (const char *program, const char *infile, int outfd,
                       unsigned threads, uint64_t *size)
{
  int fd = open (infile, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd == -1 || fstat (fd, &st) == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, infile, strerror (errno));
    if (fd >= 0) close (fd);
    return -1;
  }
  lzma_index *idx = read_index (program, infile, fd, (uint64_t) st.st_size);
  if (!idx) {
    close (fd);
    return -1;
  }
  struct job j = { .program = program, .infile = infile, .infd = fd, .outfd = outfd,
                   .lock = PTHREAD_MUTEX_INITIALIZER };
  size_t nr = (size_t) lzma_index_block_count (idx);
  uint64_t total = lzma_index_uncompressed_size (idx);
  j.blocks = calloc (nr ? nr : 1, sizeof *j.blocks);
  int ret = -1;
  if (!j.blocks) {
    fprintf (stderr, "%s: out of memory\n", program);
    goto out;
  }
  lzma_index_iter it;
  lzma_index_iter_init (&it, idx);
  while (!lzma_index_iter_next (&it, LZMA_INDEX_ITER_BLOCK) && j.nr_blocks < nr) {
    if (it.block.total_size > MAX_BLOCK || it.block.total_size == 0) {
      fprintf (stderr, "%s: %s: a compressed block of %llu bytes is more than "
               "this program accepts\n", program, infile,
               (unsigned long long) it.block.total_size);
      goto out;
    }
    j.blocks[j.nr_blocks++] = (struct block) {
      .in_offset = it.block.compressed_file_offset, .in_size = it.block.total_size,
      .out_offset = it.block.uncompressed_file_offset,
      .out_size = it.block.uncompressed_size,
      .check = it.stream.flags ? it.stream.flags->check : LZMA_CHECK_NONE };
  }
  struct stat ost;
  j.sparse = fstat (outfd, &ost) == 0 && S_ISREG (ost.st_mode);
  if (j.sparse && ftruncate (outfd, (off_t) total) == -1) {
    fprintf (stderr, "%s: %s: cannot size the output: %s\n", program, infile,
             strerror (errno));
    goto out;
  }
  if (threads == 0) {
    long n = sysconf (_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (unsigned) n : 1;
  }
  if (threads > j.nr_blocks) threads = j.nr_blocks ? (unsigned) j.nr_blocks : 1;
  if (threads > 64) threads = 64;
  pthread_t tids[64];
  unsigned started = 0;
  for (; started < threads; ++started)
    if (pthread_create (&tids[started], NULL, worker, &j) != 0)
      break;
  if (started == 0)
    worker (&j);
  for (unsigned i = 0; i < started; ++i)
    pthread_join (tids[i], NULL);
  if (!atomic_load (&j.failed)) {
    ret = 0;
    if (size) *size = total;
  }
 out:
  free (j.blocks);
  lzma_index_end (idx, NULL);
  close (fd);
  return ret;
}
