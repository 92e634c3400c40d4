/* See download.h. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "download.h"
#include "progress.h"

struct transfer {
  FILE *fp;
  bool progress;
  uint64_t serial;
};

static size_t
write_cb (char *p, size_t size, size_t n, void *opaque)
{
  struct transfer *t = opaque;
  return fwrite (p, size, n, t->fp) * size;
}

static int
progress_cb (void *opaque, curl_off_t dltotal, curl_off_t dlnow,
             curl_off_t ultotal, curl_off_t ulnow)
{
  (void) ultotal; (void) ulnow;
  struct transfer *t = opaque;
  if (t->progress && dltotal > 0)
    tool_progress_update (t->serial, (uint64_t) dlnow, (uint64_t) dltotal);
  return 0;
}

int
builder_download (const struct builder_download_opts *o, const char *url,
                  const char *dest)
{
  static uint64_t serial;
  static bool curl_ready;
  if (!curl_ready) {
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      fprintf (stderr, "%s: cannot initialize libcurl\n", o->program);
      return -1;
    }
    curl_ready = true;
  }
  struct transfer t = { .progress = o->progress, .serial = ++serial };
  t.fp = fopen (dest, "we");
  if (!t.fp) {
    fprintf (stderr, "%s: %s: %s\n", o->program, dest, strerror (errno));
    return -1;
  }
  CURL *c = curl_easy_init ();
  if (!c) {
    fclose (t.fp);
    fprintf (stderr, "%s: cannot initialize libcurl\n", o->program);
    return -1;
  }
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt (c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (c, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt (c, CURLOPT_VERBOSE, o->verbose ? 1L : 0L);
  /* A redirect stays on http(s)/ftp: a server cannot send us to file://. */
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
  /* Without the environment's proxy (http_proxy ...), libcurl's default. */
  if (o->insecure) {
    curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (o->proxy == BUILDER_PROXY_NONE)
    curl_easy_setopt (c, CURLOPT_NOPROXY, "*");
  else if (o->proxy == BUILDER_PROXY_FORCED)
    curl_easy_setopt (c, CURLOPT_PROXY, o->proxy_url);
  CURLcode r = curl_easy_perform (c);
  if (t.progress)
    tool_progress_done ();
  int ret = 0;
  if (r != CURLE_OK) {
    fprintf (stderr, "%s: %s: download failed: %s\n", o->program, url,
             *errbuf ? errbuf : curl_easy_strerror (r));
    ret = -1;
  }
  curl_easy_cleanup (c);
  if (fclose (t.fp) == EOF && ret == 0) {
    fprintf (stderr, "%s: %s: %s\n", o->program, dest, strerror (errno));
    ret = -1;
  }
  return ret;
}

int
builder_sha512_file (const char *program, const char *file, char hex[129])
{
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  if (fd == -1) {
    fprintf (stderr, "%s: %s: %s\n", program, file, strerror (errno));
    return -1;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  if (!ctx || EVP_DigestInit_ex (ctx, EVP_sha512 (), NULL) != 1) {
    fprintf (stderr, "%s: cannot start a SHA-512 digest\n", program);
    EVP_MD_CTX_free (ctx);
    close (fd);
    return -1;
  }
  static unsigned char buf[1 << 20];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) != 0) {
    if (n == -1 && errno == EINTR) continue;
    if (n == -1) {
      fprintf (stderr, "%s: %s: %s\n", program, file, strerror (errno));
      EVP_MD_CTX_free (ctx);
      close (fd);
      return -1;
    }
    EVP_DigestUpdate (ctx, buf, (size_t) n);
  }
  close (fd);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex (ctx, md, &len);
  EVP_MD_CTX_free (ctx);
  for (unsigned i = 0; i < len && i < 64; ++i)
    sprintf (hex + 2 * i, "%02x", md[i]);
  hex[128] = '\0';
  return 0;
}
