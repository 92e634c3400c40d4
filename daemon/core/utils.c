/* Small string and cleanup helpers used by every action file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

void
cleanup_free (void *ptr)
{
  free (*(void **) ptr);
}

void
cleanup_close (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

void
cleanup_free_strings (char ***ptr)
{
  free_strings (*ptr);
}

static int
grow_sb (struct stringsbuf *sb)
{
  if (sb->size < sb->alloc)
    return 0;
  size_t n = sb->alloc ? sb->alloc * 2 : 16;
  char **p = realloc (sb->argv, n * sizeof *p);
  if (!p) {
    reply_with_perror ("realloc");
    return -1;
  }
  sb->argv = p;
  sb->alloc = n;
  return 0;
}

int
add_string_nodup (struct stringsbuf *sb, char *str)
{
  if (grow_sb (sb) == -1) {
    free (str);
    return -1;
  }
  sb->argv[sb->size++] = str;
  return 0;
}

int
add_string (struct stringsbuf *sb, const char *str)
{
  char *copy = NULL;
  if (str && !(copy = strdup (str))) {
    reply_with_perror ("strdup");
    return -1;
  }
  return add_string_nodup (sb, copy);
}

int
end_stringsbuf (struct stringsbuf *sb)
{
  return add_string_nodup (sb, NULL);
}

char **
take_stringsbuf (struct stringsbuf *sb)
{
  char **r = sb->argv;
  sb->argv = NULL;
  sb->size = sb->alloc = 0;
  return r;
}

void
free_stringsbuf (struct stringsbuf *sb)
{
  for (size_t i = 0; i < sb->size; ++i)
    free (sb->argv[i]);
  free (sb->argv);
  sb->argv = NULL;
  sb->size = sb->alloc = 0;
}

size_t
count_strings (char *const *argv)
{
  size_t n = 0;
  while (argv && argv[n])
    n++;
  return n;
}

void
free_strings (char **argv)
{
  if (!argv)
    return;
  for (size_t i = 0; argv[i]; ++i)
    free (argv[i]);
  free (argv);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

void
sort_strings (char **argv, size_t n)
{
  qsort (argv, n, sizeof *argv, compare_strings);
}

char **
split_lines (const char *str)
{
  struct stringsbuf sb = { 0 };
  const char *p = str;
  while (p && *p) {
    const char *nl = strchr (p, '\n');
    size_t len = nl ? (size_t) (nl - p) : strlen (p);
    char *line = strndup (p, len);
    if (!line || add_string_nodup (&sb, line) == -1) {
      free_stringsbuf (&sb);
      return NULL;
    }
    p = nl ? nl + 1 : p + len;
  }
  if (end_stringsbuf (&sb) == -1) {
    free_stringsbuf (&sb);
    return NULL;
  }
  return take_stringsbuf (&sb);
}

char *
trim_newlines (char *s)
{
  if (!s)
    return s;
  size_t n = strlen (s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

int
read_sysfs (const char *path, char *buf, size_t len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  ssize_t r = read (fd, buf, len - 1);
  int e = errno;
  close (fd);
  if (r < 0) {
    errno = e;
    return -1;
  }
  buf[r] = '\0';
  trim_newlines (buf);
  return 0;
}
