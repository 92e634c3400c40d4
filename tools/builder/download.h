/* Fetching index files and templates (libcurl: file://, http://,
 * https://, ftp://), and the SHA-512 checksum of what was fetched. */
#ifndef HATCH_BUILDER_DOWNLOAD_H
#define HATCH_BUILDER_DOWNLOAD_H

#include <stdbool.h>

/* How the proxy is chosen (a repository's proxy= field). */
enum builder_proxy { BUILDER_PROXY_SYSTEM, BUILDER_PROXY_NONE, BUILDER_PROXY_FORCED };

struct builder_download_opts {
  const char *program;
  enum builder_proxy proxy;
  const char *proxy_url;        /* BUILDER_PROXY_FORCED */
  bool progress;                /* a progress bar (on a terminal) */
  bool verbose;                 /* libcurl's own trace on stderr */
  bool insecure;                /* no TLS certificate check (--curl 'curl --insecure') */
};

/* Download URL into the file DEST (created or truncated).  Returns 0,
 * or -1 after printing "PROGRAM: URL: why". */
int builder_download (const struct builder_download_opts *o, const char *url,
                      const char *dest);

/* The SHA-512 of FILE as 128 lower-case hex digits in HEX (129 bytes).
 * Returns 0, or -1 after printing why. */
int builder_sha512_file (const char *program, const char *file, char hex[129]);

#endif
