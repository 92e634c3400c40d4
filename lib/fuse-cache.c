/* mount_local's cache: the attributes, extended attributes and link
 * targets of the entries of a directory just listed, fetched in a few
 * batched calls (lstatnslist, lxattrlist, readlinklist) and kept for
 * cachetimeout seconds, because the kernel asks for them one by one right
 * after a listing (ls -l).  Every change drops the entries it may affect
 * (lib/fuse.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_FUSE
#include "fuse-internal.h"

/* ---- the cache ---- */

static unsigned
hash_path (const char *p)
{
  unsigned h = 2166136261u;
  for (; *p; p++)
    h = (h ^ (unsigned char) *p) * 16777619u;
  return h % CACHE_BUCKETS;
}

void
free_xattr_items (struct xattr_item *x, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free (x[i].name);
    free (x[i].value);
  }
  free (x);
}

static void
free_centry (struct centry *e)
{
  free (e->path);
  free_xattr_items (e->xattrs, e->nr_xattrs);
  free (e->link);
  free (e);
}

void
cache_clear (struct mount_local *ml)
{
  for (size_t i = 0; i < CACHE_BUCKETS; i++) {
    for (struct centry *e = ml->cache[i], *n; e; e = n) {
      n = e->next;
      free_centry (e);
    }
    ml->cache[i] = NULL;
  }
}

/* Drop expired entries everywhere (called once per directory listing). */
void
cache_sweep (struct mount_local *ml)
{
  time_t now = time (NULL);
  for (size_t i = 0; i < CACHE_BUCKETS; i++)
    for (struct centry **p = &ml->cache[i]; *p; ) {
      if ((*p)->expires <= now) {
        struct centry *e = *p;
        *p = e->next;
        free_centry (e);
      }
      else
        p = &(*p)->next;
    }
}

struct centry *
cache_find (struct mount_local *ml, const char *path)
{
  unsigned h = hash_path (path);
  time_t now = time (NULL);
  for (struct centry **p = &ml->cache[h]; *p; p = &(*p)->next)
    if (strcmp ((*p)->path, path) == 0) {
      if ((*p)->expires > now)
        return *p;
      struct centry *e = *p;
      *p = e->next;
      free_centry (e);
      return NULL;
    }
  return NULL;
}

/* The entry for path, created if needed; NULL when out of memory (the
 * cache is only an optimisation, so callers just skip caching). */
struct centry *
cache_entry (struct mount_local *ml, const char *path)
{
  struct centry *e = cache_find (ml, path);
  if (e)
    return e;
  e = calloc (1, sizeof *e);
  if (!e || !(e->path = strdup (path))) {
    free (e);
    return NULL;
  }
  e->expires = time (NULL) + ml->cachetimeout;
  unsigned h = hash_path (path);
  e->next = ml->cache[h];
  ml->cache[h] = e;
  return e;
}

void
cache_invalidate (struct mount_local *ml, const char *path)
{
  unsigned h = hash_path (path);
  for (struct centry **p = &ml->cache[h]; *p; p = &(*p)->next)
    if (strcmp ((*p)->path, path) == 0) {
      struct centry *e = *p;
      *p = e->next;
      free_centry (e);
      return;
    }
}

/* A change to path also changes its directory (mtime, link count). */
void
cache_invalidate_with_parent (struct mount_local *ml, const char *path)
{
  cache_invalidate (ml, path);
  const char *slash = strrchr (path, '/');
  if (!slash)
    return;
  size_t n = slash == path ? 1 : (size_t) (slash - path);
  char *parent = strndup (path, n);
  if (parent) {
    cache_invalidate (ml, parent);
    free (parent);
  }
  else
    cache_clear (ml);
}

char *
join_path (const char *dir, const char *name)
{
  char *p;
  if (asprintf (&p, "%s%s%s", dir, strcmp (dir, "/") == 0 ? "" : "/", name) == -1)
    return NULL;
  return p;
}

/* ---- batched directory listing ---- */

static void
cache_stats (struct mount_local *ml, const char *dir, char **names, size_t n)
{
  struct guestfs_statns_list *l = guestfs_lstatnslist (ml->g, dir, names);
  if (!l)
    return;
  for (size_t i = 0; i < n && i < l->len; i++) {
    if (l->val[i].st_ino == -1)
      continue;
    char *p = join_path (dir, names[i]);
    struct centry *e = p ? cache_entry (ml, p) : NULL;
    if (e) {
      e->st = l->val[i];
      e->have_stat = true;
    }
    free (p);
  }
  guestfs_free_statns_list (l);
}

static void
cache_xattrs (struct mount_local *ml, const char *dir, char **names, size_t n)
{
  struct guestfs_xattr_list *l = guestfs_lxattrlist (ml->g, dir, names);
  if (!l)
    return;
  /* The flat list: for each name, a header entry with an empty attrname
   * and the count as attrval (empty on error), then that many entries. */
  size_t i = 0;
  for (size_t k = 0; k < n && i < l->len; k++) {
    struct guestfs_xattr *hdr = &l->val[i++];
    if (hdr->attrname[0] != '\0')
      break;                              /* not the shape we expect */
    if (hdr->attrval_len == 0)
      continue;                           /* that file could not be read */
    char num[32];
    size_t len = hdr->attrval_len < sizeof num - 1 ? hdr->attrval_len : sizeof num - 1;
    memcpy (num, hdr->attrval, len);
    num[len] = '\0';
    char *end;
    unsigned long count = strtoul (num, &end, 10);
    if (*end || count > l->len - i)
      break;
    struct xattr_item *items = calloc (count ? count : 1, sizeof *items);
    bool ok = items != NULL;
    for (size_t j = 0; ok && j < count; j++) {
      struct guestfs_xattr *x = &l->val[i + j];
      items[j].name = strdup (x->attrname);
      items[j].value = malloc (x->attrval_len ? x->attrval_len : 1);
      items[j].len = x->attrval_len;
      if (!items[j].name || !items[j].value)
        ok = false;
      else
        memcpy (items[j].value, x->attrval, x->attrval_len);
    }
    i += count;
    char *p = ok ? join_path (dir, names[k]) : NULL;
    struct centry *e = p ? cache_entry (ml, p) : NULL;
    if (e) {
      free_xattr_items (e->xattrs, e->nr_xattrs);
      e->xattrs = items;
      e->nr_xattrs = count;
      e->have_xattrs = true;
    }
    else
      free_xattr_items (items, items ? count : 0);
    free (p);
  }
  guestfs_free_xattr_list (l);
}

static void
cache_links (struct mount_local *ml, const char *dir, char **names, size_t n)
{
  char **l = guestfs_readlinklist (ml->g, dir, names);
  if (!l)
    return;
  size_t len = 0;
  while (l[len])
    len++;
  for (size_t i = 0; i < n && i < len; i++) {
    if (l[i][0] == '\0')
      continue;
    char *p = join_path (dir, names[i]);
    struct centry *e = p ? cache_entry (ml, p) : NULL;
    if (e) {
      free (e->link);
      e->link = l[i];
      l[i] = NULL;
    }
    free (p);
  }
  for (size_t i = 0; i < len; i++)
    free (l[i]);
  free (l);
}

void
fill_cache (struct mount_local *ml, const char *dir,
            const struct guestfs_dirent_list *d)
{
  char **names = calloc (BATCH_NAMES + 1, sizeof *names);
  char **links = calloc (BATCH_NAMES + 1, sizeof *links);
  if (!names || !links)
    goto out;
  size_t n = 0, nl = 0;
  for (uint32_t i = 0; i <= d->len; i++) {
    bool last = i == d->len;
    if (!last) {
      const char *name = d->val[i].name;
      if (strcmp (name, ".") != 0 && strcmp (name, "..") != 0 &&
          name[0] != '\0' && !strchr (name, '/')) {
        names[n++] = d->val[i].name;
        if (d->val[i].ftyp == 'l')
          links[nl++] = d->val[i].name;
      }
    }
    if (n == BATCH_NAMES || (last && n > 0)) {
      names[n] = NULL;
      cache_stats (ml, dir, names, n);
      cache_xattrs (ml, dir, names, n);
      n = 0;
    }
    if (nl == BATCH_NAMES || (last && nl > 0)) {
      links[nl] = NULL;
      cache_links (ml, dir, links, nl);
      nl = 0;
    }
  }
 out:
  free (names);
  free (links);
}

#endif /* HAVE_FUSE */
