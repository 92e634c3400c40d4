/* See termsafe.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "termsafe.h"

bool
term_is_tty (FILE *f)
{
  static int cached[3] = { -1, -1, -1 };
  int fd = fileno (f);
  if (fd < 0)
    return false;
  if (fd <= 2) {
    if (cached[fd] == -1)
      cached[fd] = isatty (fd);
    return cached[fd];
  }
  return isatty (fd);
}

void
term_put_guest (FILE *f, const char *s, const char *keep)
{
  if (!term_is_tty (f)) {
    fputs (s, f);
    return;
  }
  const unsigned char *p = (const unsigned char *) s;
  for (; *p; ++p) {
    /* C0 controls, DEL, and the C1 controls (0x80-0x9f), which some
     * terminals obey both as raw bytes and UTF-8 encoded (C2 80..C2 9F). */
    bool ctl = *p < 0x20 || *p == 0x7f || (*p >= 0x80 && *p <= 0x9f);
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
      fprintf (f, "\\x%02x\\x%02x", p[0], p[1]);
      ++p;
    }
    else if (ctl && !(keep && *p && strchr (keep, *p)))
      fprintf (f, "\\x%02x", *p);
    else
      putc (*p, f);
  }
}
