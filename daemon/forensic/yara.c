/* yara_load, yara_destroy, internal_yara_scan: scan guest files with
 * Yara rules, using libyara in the daemon.
 *
 * The rules arrive as a FileIn (source or compiled by yarac) and are
 * kept until replaced or destroyed.  Source rules may not include other
 * files: an include would read appliance files.  internal_yara_scan
 * streams one record per matching rule (4-byte big-endian length, XDR
 * of a yara_detection); lib/forensic.c decodes them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yara.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol.h"
#include "protocol-gen.h"
#include "lazylib.h"

#define YARA_FUNCTIONS(X) \
  X (yr_compiler_add_fd) \
  X (yr_compiler_create) \
  X (yr_compiler_destroy) \
  X (yr_compiler_get_rules) \
  X (yr_compiler_set_callback) \
  X (yr_compiler_set_include_callback) \
  X (yr_initialize) \
  X (yr_rules_destroy) \
  X (yr_rules_load) \
  X (yr_rules_scan_fd)
LAZY_LIBRARY (HATCH_LIBYARA_SONAME, YARA_FUNCTIONS)
LAZY_PRELOAD

static YR_RULES *rules;
static bool yara_ready;

static int
init_yara (void)
{
  if (!yara_ready) {
    if (lib_load () == -1)
      return -1;
    int r = lib.yr_initialize ();
    if (r != ERROR_SUCCESS) {
      reply_with_error ("could not initialize libyara (error %d)", r);
      return -1;
    }
    yara_ready = true;
  }
  return 0;
}

static int
write_cb (void *opaque, const void *buf, size_t len)
{
  int fd = *(int *) opaque;
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write (fd, p, len);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= (size_t) n;
  }
  return 0;
}

/* The first compiler error, for the reply. */
struct compile_errors {
  char msg[512];
  int count;
};

static void
compiler_cb (int level, const char *file, int line, const YR_RULE *rule,
             const char *message, void *opaque)
{
  struct compile_errors *e = opaque;
  (void) file; (void) rule;
  if (level != YARA_ERROR_LEVEL_ERROR)
    return;
  if (e->count++ == 0)
    snprintf (e->msg, sizeof e->msg, "line %d: %s", line, message);
}

static const char *
no_includes (const char *name, const char *calling_file,
             const char *ns, void *opaque)
{
  (void) name; (void) calling_file; (void) ns; (void) opaque;
  return NULL;                  /* every include fails */
}

int
do_yara_load (void)
{
  char tmp[] = "/tmp/yara-rulesXXXXXX";
  int fd = mkstemp (tmp);
  if (fd == -1) {
    int err = errno;
    reply_with_error_errno (err, "mkstemp: %s", strerror (err));
    return -1;
  }
  unlink (tmp);
  if (receive_file (write_cb, &fd) == -1) {
    int err = errno;
    close (fd);
    reply_with_error_errno (err, "receiving the rules: %s", err ? strerror (err) : "cancelled");
    return -1;
  }
  if (init_yara () == -1) {
    close (fd);
    return -1;
  }

  YR_RULES *new_rules = NULL;
  /* Compiled rules (yarac) first: they start with the "YARA" magic. */
  char magic[4] = { 0 };
  if (pread (fd, magic, sizeof magic, 0) == (ssize_t) sizeof magic &&
      memcmp (magic, "YARA", 4) == 0) {
    CLEANUP_FREE char *p = fd_path (fd);
    int r = p ? lib.yr_rules_load (p, &new_rules) : ERROR_COULD_NOT_OPEN_FILE;
    close (fd);
    if (r != ERROR_SUCCESS) {
      reply_with_error ("could not load the compiled rules (libyara error %d; "
                        "were they compiled by another version of yarac?)", r);
      return -1;
    }
  }
  else {
    YR_COMPILER *c = NULL;
    if (lib.yr_compiler_create (&c) != ERROR_SUCCESS) {
      close (fd);
      reply_with_error ("could not create the Yara compiler");
      return -1;
    }
    struct compile_errors e = { .count = 0 };
    lib.yr_compiler_set_callback (c, compiler_cb, &e);
    lib.yr_compiler_set_include_callback (c, no_includes, NULL, NULL);
    lseek (fd, 0, SEEK_SET);
    int nerr = lib.yr_compiler_add_fd (c, fd, NULL, "rules");
    close (fd);
    if (nerr > 0) {
      lib.yr_compiler_destroy (c);
      reply_with_error ("%d error(s) compiling the rules: %s", nerr,
                        e.msg[0] ? e.msg : "unknown error");
      return -1;
    }
    int r = lib.yr_compiler_get_rules (c, &new_rules);
    lib.yr_compiler_destroy (c);
    if (r != ERROR_SUCCESS) {
      reply_with_error ("could not build the rules (libyara error %d)", r);
      return -1;
    }
  }
  if (rules)
    lib.yr_rules_destroy (rules);
  rules = new_rules;
  return 0;
}

int
do_yara_destroy (void)
{
  if (rules == NULL) {
    reply_with_error_errno (EINVAL, "no Yara rules are loaded: call yara_load first");
    return -1;
  }
  lib.yr_rules_destroy (rules);
  rules = NULL;
  return 0;
}

struct scan {
  struct xdr out;
  const char *path;
  int error;
};

static int
scan_cb (YR_SCAN_CONTEXT *ctx, int message, void *data, void *opaque)
{
  struct scan *s = opaque;
  (void) ctx;
  if (message != CALLBACK_MSG_RULE_MATCHING)
    return CALLBACK_CONTINUE;
  const YR_RULE *rule = data;
  struct guestfs_yara_detection d = {
    .yara_name = (char *) s->path,
    .yara_rule = (char *) (rule->identifier ? rule->identifier : ""),
  };
  size_t at = s->out.len;
  xdr_put_u32 (&s->out, 0);
  hatch_enc_yara_detection (&s->out, &d);
  if (s->out.error || s->out.len > 64 * 1024 * 1024) {
    s->error = 1;
    return CALLBACK_ABORT;
  }
  uint32_t n = (uint32_t) (s->out.len - at - 4);
  unsigned char *p = (unsigned char *) s->out.buf + at;
  p[0] = n >> 24; p[1] = n >> 16; p[2] = n >> 8; p[3] = n;
  return CALLBACK_CONTINUE;
}

int
do_internal_yara_scan (const char *path)
{
  if (rules == NULL) {
    reply_with_error_errno (EINVAL, "no Yara rules are loaded: call yara_load first");
    return -1;
  }
  CLEANUP_CLOSE int fd = sysroot_open_data (path, O_RDONLY, 0);
  if (fd == -1)
    return -1;
  struct scan s = { .path = path };
  xdr_enc_init (&s.out);
  int r = lib.yr_rules_scan_fd (rules, fd, 0, scan_cb, &s, 0);
  if (r != ERROR_SUCCESS || s.error) {
    xdr_free_buf (&s.out);
    reply_with_error ("%s: %s", path,
                      s.error ? "too many matches" : "the Yara scan failed");
    return -1;
  }
  /* All matches are known now; send them in chunks. */
  size_t pos = 0;
  while (pos < s.out.len) {
    size_t n = s.out.len - pos < HATCH_CHUNK_SIZE ? s.out.len - pos : HATCH_CHUNK_SIZE;
    if (send_file_write (s.out.buf + pos, n) == -1) {
      xdr_free_buf (&s.out);
      reply_with_error ("%s: sending the matches failed", path);
      return -1;
    }
    pos += n;
  }
  xdr_free_buf (&s.out);
  if (send_file_end (0) == -1) {
    reply_with_error ("%s: sending the matches failed", path);
    return -1;
  }
  return 0;
}
