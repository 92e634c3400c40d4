/* Writing Windows registry values through the appliance's hivex calls
 * (see customize.h): the hive is parsed in the appliance, never here. */
#include <stdlib.h>
#include <string.h>

#include "customize.h"
#include "run.h"

int64_t
customize_reg_mkpath (guestfs_h *g, int64_t node, const char *path)
{
  char *copy = strdup (path), *save = NULL;
  if (!copy)
    return -1;
  for (char *p = strtok_r (copy, "\\", &save); p && node > 0;
       p = strtok_r (NULL, "\\", &save)) {
    int64_t child = TOOL_QUIET (g, guestfs_hivex_node_get_child (g, node, p));
    if (child <= 0)
      child = guestfs_hivex_node_add_child (g, node, p);
    node = child;
  }
  free (copy);
  return node > 0 ? node : -1;
}

int
customize_reg_set_string (guestfs_h *g, int64_t node, const char *key,
                          int type, const char *value)
{
  /* UTF-16LE with its terminating NUL; the values we write are ASCII. */
  size_t n = strlen (value);
  char *b = calloc (2 * (n + 1), 1);
  if (!b)
    return -1;
  for (size_t i = 0; i < n; ++i)
    b[2 * i] = value[i];
  int r = guestfs_hivex_node_set_value (g, node, key, type, b, 2 * (n + 1));
  free (b);
  return r;
}

int
customize_reg_set_dword (guestfs_h *g, int64_t node, const char *key, uint32_t v)
{
  char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
  return guestfs_hivex_node_set_value (g, node, key, CUSTOMIZE_REG_DWORD, b, 4);
}
