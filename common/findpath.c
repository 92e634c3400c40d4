/* See findpath.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findpath.h"

char *
hatch_find_in_path (const char *name)
{
  const char *path = getenv ("PATH");
  if (!path || !*path)
    path = "/usr/local/bin:/usr/bin:/bin";
  for (;;) {
    size_t n = strcspn (path, ":");
    char *cand;
    if (asprintf (&cand, "%.*s/%s", n ? (int) n : 1, n ? path : ".", name) == -1)
      return NULL;
    if (access (cand, X_OK) == 0)
      return cand;
    free (cand);
    if (path[n] == '\0')
      return NULL;
    path += n + 1;
  }
}
