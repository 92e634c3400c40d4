/* inotify_*: one inotify instance per appliance, watching guest paths.
 *
 * Watches are added through an O_PATH descriptor opened inside the guest
 * tree, so a guest symlink cannot make us watch an appliance file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

static int inotify_fd = -1;

/* inotify_read stops reading once the names it holds reach this, so one
 * reply stays well under the protocol limit; the rest stays queued. */
#define READ_LIMIT (1024 * 1024)

static int
need_inotify (void)
{
  if (inotify_fd == -1) {
    reply_with_error_errno (EBADF, "inotify handle not open: call inotify_init first");
    return -1;
  }
  return 0;
}

int
do_inotify_init (int maxevents)
{
  if (maxevents < 0) {
    reply_with_error_errno (EINVAL, "maxevents must be >= 0");
    return -1;
  }
  if (maxevents > 0) {
    FILE *fp = fopen ("/proc/sys/fs/inotify/max_queued_events", "w");
    if (fp == NULL) {
      reply_with_perror ("/proc/sys/fs/inotify/max_queued_events");
      return -1;
    }
    fprintf (fp, "%d\n", maxevents);
    if (fclose (fp) == EOF) {
      reply_with_perror ("setting max_queued_events to %d", maxevents);
      return -1;
    }
  }
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("inotify_init");
    return -1;
  }
  if (inotify_fd >= 0)
    close (inotify_fd);
  inotify_fd = fd;
  return 0;
}

int64_t
do_inotify_add_watch (const char *path, int mask)
{
  if (need_inotify () == -1)
    return -1;
  int oflags = O_PATH | O_CLOEXEC;
  if (mask & IN_DONT_FOLLOW)
    oflags |= O_NOFOLLOW;
  CLEANUP_CLOSE int fd = sysroot_open (path, oflags, 0);
  if (fd == -1) {
    reply_with_perror ("%s", path);
    return -1;
  }
  CLEANUP_FREE char *p = fd_path (fd);
  if (p == NULL) {
    reply_with_perror ("%s", path);
    return -1;
  }
  /* The /proc link leads to the file already resolved: follow it. */
  int wd = inotify_add_watch (inotify_fd, p, (uint32_t) mask & ~(uint32_t) IN_DONT_FOLLOW);
  if (wd == -1) {
    reply_with_perror ("inotify_add_watch: %s", path);
    return -1;
  }
  return wd;
}

int
do_inotify_rm_watch (int wd)
{
  if (need_inotify () == -1)
    return -1;
  if (inotify_rm_watch (inotify_fd, wd) == -1) {
    reply_with_perror ("inotify_rm_watch: %d", wd);
    return -1;
  }
  return 0;
}

static void
free_events (struct guestfs_inotify_event_list *l)
{
  if (l == NULL)
    return;
  for (uint32_t i = 0; i < l->len; ++i)
    free (l->val[i].in_name);
  free (l->val);
  free (l);
}

struct guestfs_inotify_event_list *
do_inotify_read (void)
{
  if (need_inotify () == -1)
    return NULL;
  struct guestfs_inotify_event_list *l = calloc (1, sizeof *l);
  if (l == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  size_t alloc = 0, held = 0;
  /* Big enough for at least one event with the longest name. */
  char buf[64 * 1024] __attribute__((aligned (__alignof__ (struct inotify_event))));
  while (held < READ_LIMIT) {
    ssize_t n = read (inotify_fd, buf, sizeof buf);
    if (n == -1) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      reply_with_perror ("inotify read");
      free_events (l);
      return NULL;
    }
    if (n == 0)
      break;
    for (size_t off = 0; off + sizeof (struct inotify_event) <= (size_t) n; ) {
      const struct inotify_event *ev = (const struct inotify_event *) (buf + off);
      size_t evlen = sizeof *ev + ev->len;
      if (off + evlen > (size_t) n)
        break;
      if (l->len == alloc) {
        alloc = alloc ? alloc * 2 : 16;
        void *v = realloc (l->val, alloc * sizeof l->val[0]);
        if (v == NULL) {
          reply_with_perror ("realloc");
          free_events (l);
          return NULL;
        }
        l->val = v;
      }
      struct guestfs_inotify_event *e = &l->val[l->len];
      e->in_wd = ev->wd;
      e->in_mask = ev->mask;
      e->in_cookie = ev->cookie;
      e->in_name = ev->len ? strndup (ev->name, ev->len) : strdup ("");
      if (e->in_name == NULL) {
        reply_with_perror ("strdup");
        free_events (l);
        return NULL;
      }
      l->len++;
      held += sizeof *e + strlen (e->in_name);
      off += evlen;
    }
  }
  return l;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
do_inotify_files (void)
{
  if (need_inotify () == -1)
    return NULL;
  struct stringsbuf sb = { 0 };
  for (;;) {
    struct guestfs_inotify_event_list *l = do_inotify_read ();
    if (l == NULL) {
      free_stringsbuf (&sb);
      return NULL;
    }
    uint32_t len = l->len;
    for (uint32_t i = 0; i < len; ++i) {
      if (l->val[i].in_name[0] == '\0')
        continue;
      if (add_string (&sb, l->val[i].in_name) == -1) {
        free_events (l);
        free_stringsbuf (&sb);
        return NULL;
      }
    }
    free_events (l);
    if (len == 0)
      break;
    if (sb.size > XDR_MAX_LIST / 2) {
      reply_with_error ("too many events; use inotify_read");
      free_stringsbuf (&sb);
      return NULL;
    }
  }
  /* Sort and drop duplicates. */
  if (sb.size > 0)
    qsort (sb.argv, sb.size, sizeof sb.argv[0], cmp_str);
  size_t j = 0;
  for (size_t i = 0; i < sb.size; ++i) {
    if (j > 0 && strcmp (sb.argv[j - 1], sb.argv[i]) == 0) {
      free (sb.argv[i]);
      continue;
    }
    sb.argv[j++] = sb.argv[i];
  }
  sb.size = j;
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}

int
do_inotify_close (void)
{
  if (need_inotify () == -1)
    return -1;
  int fd = inotify_fd;
  inotify_fd = -1;
  if (close (fd) == -1) {
    reply_with_perror ("close");
    return -1;
  }
  return 0;
}
