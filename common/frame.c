#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "protocol.h"

static uint32_t
get_be32 (const unsigned char *p)
{
  return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void
put_be32 (unsigned char *p, uint32_t v)
{
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

void
frame_encode_prefix (unsigned char *p, const struct frame_header *h,
                     size_t body_len)
{
  put_be32 (p, (uint32_t) (HATCH_HEADER_SIZE + body_len));
  put_be32 (p + 4, HATCH_MAGIC);
  put_be32 (p + 8, HATCH_PROTOCOL_VERSION);
  put_be32 (p + 12, h->proc);
  put_be32 (p + 16, h->type);
  put_be32 (p + 20, h->serial);
  put_be32 (p + 24, h->status);
}

int
frame_read_header (frame_read_fn rd, void *opaque, struct frame_header *h,
                   size_t *body_len, size_t max_len)
{
  unsigned char p[4 + HATCH_HEADER_SIZE];
  ssize_t r = rd (opaque, p, sizeof p);
  if (r <= 0)
    return (int) r;
  uint32_t len = get_be32 (p);
  h->magic = get_be32 (p + 4);
  h->version = get_be32 (p + 8);
  h->proc = get_be32 (p + 12);
  h->type = get_be32 (p + 16);
  h->serial = get_be32 (p + 20);
  h->status = get_be32 (p + 24);
  if (len < HATCH_HEADER_SIZE || h->magic != HATCH_MAGIC ||
      h->version != HATCH_PROTOCOL_VERSION ||
      h->type < FRAME_CALL || h->type > FRAME_LOG) {
    errno = EPROTO;
    return -1;
  }
  if (len - HATCH_HEADER_SIZE > max_len) {
    errno = EFBIG;
    return -1;
  }
  *body_len = len - HATCH_HEADER_SIZE;
  return 1;
}

int
frame_read (frame_read_fn rd, void *opaque, struct frame_header *h,
            char **body, size_t *len, size_t max_len)
{
  size_t n;
  int r = frame_read_header (rd, opaque, h, &n, max_len);
  if (r <= 0)
    return r;
  *body = NULL;
  *len = n;
  if (n == 0)
    return 1;
  char *b = malloc (n);
  if (!b)
    return -1;
  ssize_t got = rd (opaque, b, n);
  if (got <= 0) {
    free (b);
    if (got == 0)
      errno = EPROTO;  /* stream ended inside a frame */
    return -1;
  }
  *body = b;
  return 1;
}

int
write_all (int fd, const void *buf, size_t n)
{
  const char *p = buf;
  while (n > 0) {
    ssize_t r = write (fd, p, n);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += r;
    n -= (size_t) r;
  }
  return 0;
}

int
frame_write (int fd, const struct frame_header *h, const void *body, size_t len)
{
  unsigned char prefix[4 + HATCH_HEADER_SIZE];
  if (len > HATCH_MAX_FRAME) {
    errno = EFBIG;
    return -1;
  }
  frame_encode_prefix (prefix, h, len);
  struct iovec iov[2] = {
    { prefix, sizeof prefix },
    { (void *) body, len },
  };
  int cnt = len ? 2 : 1;
  struct iovec *v = iov;
  while (cnt > 0) {
    ssize_t r = writev (fd, v, cnt);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    size_t done = (size_t) r;
    while (cnt > 0 && done >= v->iov_len) {
      done -= v->iov_len;
      v++;
      cnt--;
    }
    if (cnt > 0) {
      v->iov_base = (char *) v->iov_base + done;
      v->iov_len -= done;
    }
  }
  return 0;
}

ssize_t
frame_read_fd (void *opaque, void *buf, size_t n)
{
  int fd = *(int *) opaque;
  size_t got = 0;
  while (got < n) {
    ssize_t r = read (fd, (char *) buf + got, n - got);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (r == 0) {
      if (got == 0)
        return 0;
      errno = EPROTO;
      return -1;
    }
    got += (size_t) r;
  }
  return (ssize_t) n;
}
