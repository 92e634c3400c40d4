/* Calls the library and the tests use rather than people: the internal_*
 * wire forms (the same as lstatnslist, lxattrlist, readlinklist, write,
 * write_append), uploads into the appliance itself, autosync and exit,
 * echo_daemon, ping_daemon and debug.  (The deprecated stat family, built
 * on the same wire forms, is in files/metadata.c.)  */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"
#include "protocol-gen.h"   /* hatch_free_statns_* */

/* ---- the library's wire forms ---- */

struct guestfs_statns_list *
do_internal_lstatnslist (const char *path, char *const *names)
{
  return do_lstatnslist (path, names);
}

struct guestfs_xattr_list *
do_internal_lxattrlist (const char *path, char *const *names)
{
  return do_lxattrlist (path, names);
}

char **
do_internal_readlinklist (const char *path, char *const *names)
{
  return do_readlinklist (path, names);
}

int
do_internal_write (const char *path, const char *content, size_t content_size)
{
  return do_write (path, content, content_size);
}

int
do_internal_write_append (const char *path, const char *content, size_t content_size)
{
  return do_write_append (path, content, content_size);
}

/* ---- files into the appliance ---- */

struct store {
  int fd;
  int write_errno;
};

static int
store_cb (void *opaque, const void *buf, size_t len)
{
  struct store *s = opaque;
  const char *p = buf;
  while (len > 0) {
    ssize_t r = write (s->fd, p, len);
    if (r == -1) {
      if (errno == EINTR)
        continue;
      s->write_errno = errno;
      return -1;
    }
    p += r;
    len -= (size_t) r;
  }
  return 0;
}

/* Receive the FileIn stream into tmpname, an absolute path in the
 * appliance (not the guest), with exactly the permission bits mode.  */
static int
upload_to_appliance (const char *tmpname, int mode)
{
  if (tmpname[0] != '/') {
    reply_with_error_errno (EINVAL, "%s: must be an absolute path in the appliance",
                            tmpname);
    return -1;                  /* the dispatch drains the stream */
  }
  if (mode < 0 || mode > 07777) {
    reply_with_error_errno (EINVAL, "%o: not a valid mode", (unsigned) mode);
    return -1;
  }
  struct store s = { .fd = -1 };
  s.fd = open (tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC, 0600);
  if (s.fd == -1) {
    reply_with_perror ("%s", tmpname);
    return -1;
  }
  int r = receive_file (store_cb, &s);
  int e = errno;
  if (r == -1) {
    close (s.fd);
    unlink (tmpname);
    if (s.write_errno)
      reply_with_error_errno (s.write_errno, "write: %s: %s", tmpname,
                              strerror (s.write_errno));
    else
      reply_with_error_errno (e, "%s: upload %s", tmpname,
                              e == ECANCELED ? "cancelled" : "failed");
    return -1;
  }
  if (fchmod (s.fd, (mode_t) mode) == -1) {
    int err = errno;
    close (s.fd);
    reply_with_error_errno (err, "chmod: %s: %s", tmpname, strerror (err));
    return -1;
  }
  if (close (s.fd) == -1) {
    reply_with_perror ("close: %s", tmpname);
    return -1;
  }
  return 0;
}

int
do_internal_upload (const char *tmpname, int mode)
{
  return upload_to_appliance (tmpname, mode);
}

int
do_debug_upload (const char *tmpname, int mode)
{
  return upload_to_appliance (tmpname, mode);
}

/* A test hook: the daemon dies on purpose in the middle of an upload, to
 * check that the library notices a daemon that goes away mid-stream. */
struct crash_state {
  int chunks_left;
};

static int
crash_cb (void *opaque, const void *buf, size_t len)
{
  struct crash_state *c = opaque;
  (void) buf; (void) len;
  if (--c->chunks_left <= 0) {
    fprintf (stderr, "guestfsd: internal_rhbz914931: exiting on purpose in the "
             "middle of an upload\n");
    _exit (EXIT_FAILURE);
  }
  return 0;
}

int
do_internal_rhbz914931 (int count)
{
  if (count <= 0 || count > 1000) {
    reply_with_error_errno (EINVAL, "%d: count must be 1 to 1000",
                            count);
    return -1;
  }
  struct crash_state c = { .chunks_left = count };
  if (receive_file (crash_cb, &c) == -1) {
    reply_with_perror ("upload");
    return -1;
  }
  return 0;                     /* fewer chunks than count: nothing happened */
}

/* ---- autosync, exit ---- */

int
do_internal_autosync (void)
{
  if (do_umount_all () == -1)
    return -1;
  sync ();
  return 0;
}

int
do_internal_exit (void)
{
  sync ();
  reply (NULL);
  if (verbose)
    fprintf (stderr, "guestfsd: internal_exit: exiting\n");
  exit (EXIT_SUCCESS);
}

/* ---- echo_daemon ---- */

char *
do_echo_daemon (char *const *words)
{
  size_t len = 1;
  for (size_t i = 0; words[i]; ++i)
    len += strlen (words[i]) + 1;
  char *r = malloc (len);
  if (r == NULL) {
    reply_with_perror ("malloc");
    return NULL;
  }
  char *p = r;
  for (size_t i = 0; words[i]; ++i) {
    if (i > 0)
      *p++ = ' ';
    size_t l = strlen (words[i]);
    memcpy (p, words[i], l);
    p += l;
  }
  *p = '\0';
  return r;
}

/* ---- debug ---- */

/* A growing string. */
struct sbuf {
  char *s;
  size_t len, alloc;
  bool failed;
};

static void
sbuf_add (struct sbuf *b, const char *s, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n + 1 > b->alloc) {
    size_t na = (b->alloc ? b->alloc * 2 : 1024);
    while (na < b->len + n + 1)
      na *= 2;
    char *ns = realloc (b->s, na);
    if (ns == NULL) {
      b->failed = true;
      return;
    }
    b->s = ns;
    b->alloc = na;
  }
  memcpy (b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static void
sbuf_line (struct sbuf *b, const char *s)
{
  sbuf_add (b, s, strlen (s));
  sbuf_add (b, "\n", 1);
}

static char *
sbuf_finish (struct sbuf *b)
{
  if (b->s == NULL && !b->failed)
    sbuf_add (b, "", 0);
  if (b->failed) {
    free (b->s);
    reply_with_perror ("malloc");
    return NULL;
  }
  return b->s;
}

static char *
debug_help (char *const *args);

static char *
debug_print (char *const *args)
{
  struct sbuf b = { 0 };
  for (size_t i = 0; args[i]; ++i)
    sbuf_line (&b, args[i]);
  return sbuf_finish (&b);
}

static char *
debug_env (char *const *args)
{
  extern char **environ;
  (void) args;
  struct sbuf b = { 0 };
  for (char **e = environ; *e; ++e)
    sbuf_line (&b, *e);
  return sbuf_finish (&b);
}

static char *
debug_fds (char *const *args)
{
  (void) args;
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL) {
    reply_with_perror ("/proc/self/fd");
    return NULL;
  }
  int self = dirfd (d);
  struct sbuf b = { 0 };
  struct dirent *e;
  while ((e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.' || atoi (e->d_name) == self)
      continue;
    char p[300], target[512];
    snprintf (p, sizeof p, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink (p, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    char line[900];
    snprintf (line, sizeof line, "%s -> %s", e->d_name, target);
    sbuf_line (&b, line);
  }
  closedir (d);
  return sbuf_finish (&b);
}

static char *
debug_run_ls (char *const *args, const char *flags)
{
  size_t n = count_strings (args);
  const char **argv = calloc (n + 5, sizeof *argv);
  if (argv == NULL) {
    reply_with_perror ("calloc");
    return NULL;
  }
  size_t k = 0;
  argv[k++] = "ls";
  argv[k++] = flags;
  argv[k++] = "--";
  if (n == 0)
    argv[k++] = "/";
  for (size_t i = 0; i < n; ++i)
    argv[k++] = args[i];
  argv[k] = NULL;
  char *out = NULL;
  CLEANUP_FREE char *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  free (argv);
  if (r != 0) {
    free (out);
    reply_with_error ("debug: ls: %s", err && *err ? trim_newlines (err) : "failed");
    return NULL;
  }
  return out;
}

static char *
debug_ls (char *const *args)
{
  return debug_run_ls (args, "-a");
}

static char *
debug_ll (char *const *args)
{
  return debug_run_ls (args, "-la");
}

/* The whole of one of the appliance's own files (procfs). */
static char *
appliance_file (const char *path)
{
  FILE *f = fopen (path, "re");
  if (f == NULL) {
    reply_with_perror ("%s", path);
    return NULL;
  }
  struct sbuf b = { 0 };
  char buf[4096];
  size_t n;
  while ((n = fread (buf, 1, sizeof buf, f)) > 0)
    sbuf_add (&b, buf, n);
  fclose (f);
  return sbuf_finish (&b);
}

static char *
debug_mounts (char *const *args)
{
  (void) args;
  return appliance_file ("/proc/self/mountinfo");
}

/* The appliance's memory: a restored one gets its memory beyond the
 * saved RAM hot-plugged (lib/direct.c), and a test checks it is all
 * there. */
static char *
debug_meminfo (char *const *args)
{
  (void) args;
  return appliance_file ("/proc/meminfo");
}

/* One of the appliance kernel's counters and tables in /proc: what it
 * did during a call, read before and after it.  Only these names: others
 * in /proc would block (kmsg) or never end (kcore). */
static const char *const proc_files[] = {
  "buddyinfo", "cmdline", "cpuinfo", "diskstats", "filesystems", "interrupts",
  "iomem", "ioports", "loadavg", "meminfo", "modules", "pagetypeinfo",
  "partitions", "schedstat", "slabinfo", "softirqs", "stat", "swaps", "uptime",
  "version", "vmstat", "zoneinfo",
};

static char *
debug_proc (char *const *args)
{
  const char *name = args[0];
  if (name && args[1] == NULL)
    for (size_t i = 0; i < sizeof proc_files / sizeof proc_files[0]; ++i)
      if (strcmp (name, proc_files[i]) == 0) {
        char path[64];
        snprintf (path, sizeof path, "/proc/%s", name);
        return appliance_file (path);
      }
  char names[512] = "";
  for (size_t i = 0; i < sizeof proc_files / sizeof proc_files[0]; ++i) {
    size_t len = strlen (names);
    snprintf (names + len, sizeof names - len, "%s%s", i ? ", " : "", proc_files[i]);
  }
  reply_with_error_errno (EINVAL, "proc: give one of: %s", names);
  return NULL;
}

/* The code symbols of the appliance's kernel and its modules ("ADDRESS
 * t|T NAME [MODULE]" lines from /proc/kallsyms), for a profile of the
 * guest taken from the host (bench/guest-profile.sh).  Data symbols are
 * left out: they would triple the size. */
static char *
debug_kallsyms (char *const *args)
{
  (void) args;
  FILE *f = fopen ("/proc/kallsyms", "re");
  if (f == NULL) {
    reply_with_perror ("/proc/kallsyms");
    return NULL;
  }
  struct sbuf b = { 0 };
  char line[512];
  while (fgets (line, sizeof line, f)) {
    const char *type = strchr (line, ' ');
    if (type && (type[1] == 't' || type[1] == 'T') && type[2] == ' ')
      sbuf_add (&b, line, strlen (line));
  }
  fclose (f);
  return sbuf_finish (&b);
}

static int
compare_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static char *
debug_binaries (char *const *args)
{
  (void) args;
  const char *path = getenv ("PATH");
  CLEANUP_FREE char *copy = strdup (path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  struct stringsbuf names = { 0 };
  if (copy == NULL) {
    reply_with_perror ("strdup");
    return NULL;
  }
  char *save;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save)) {
    DIR *d = opendir (dir);
    if (d == NULL)
      continue;
    struct dirent *e;
    while ((e = readdir (d)) != NULL) {
      if (e->d_name[0] == '.')
        continue;
      if (add_string (&names, e->d_name) == -1) {
        closedir (d);
        free_stringsbuf (&names);
        reply_with_perror ("malloc");
        return NULL;
      }
    }
    closedir (d);
  }
  qsort (names.argv, names.size, sizeof names.argv[0], compare_str);
  struct sbuf b = { 0 };
  for (size_t i = 0; i < names.size; ++i)
    if (i == 0 || strcmp (names.argv[i], names.argv[i - 1]) != 0)
      sbuf_line (&b, names.argv[i]);
  free_stringsbuf (&names);
  return sbuf_finish (&b);
}

/* 16 bytes from the kernel's RNG, in hex: lets a test see that two
 * appliances restored from one saved state do not share random state. */
static char *
debug_random (char *const *args)
{
  (void) args;
  unsigned char r[16];
  if (getrandom (r, sizeof r, 0) != (ssize_t) sizeof r) {
    reply_with_perror ("getrandom");
    return NULL;
  }
  char *hex = malloc (2 * sizeof r + 1);
  if (!hex) {
    reply_with_perror ("malloc");
    return NULL;
  }
  for (size_t i = 0; i < sizeof r; ++i)
    sprintf (hex + 2 * i, "%02x", r[i]);
  return hex;
}

static const struct {
  const char *name;
  char *(*fn) (char *const *args);
  const char *help;
} debug_cmds[] = {
  { "binaries", debug_binaries, "programs in the appliance's PATH" },
  { "env", debug_env, "the daemon's environment" },
  { "fds", debug_fds, "the daemon's open file descriptors" },
  { "help", debug_help, "this list" },
  { "kallsyms", debug_kallsyms, "code symbols of the appliance's kernel and modules" },
  { "ll", debug_ll, "ls -la of appliance paths (default /)" },
  { "ls", debug_ls, "ls -a of appliance paths (default /)" },
  { "meminfo", debug_meminfo, "the appliance's /proc/meminfo" },
  { "mounts", debug_mounts, "the appliance's mount table" },
  { "print", debug_print, "the arguments, one per line" },
  { "proc", debug_proc, "the appliance's /proc/NAME (vmstat, interrupts, slabinfo ...)" },
  { "random", debug_random, "16 random bytes from the kernel, in hex" },
};
#define N_DEBUG_CMDS (sizeof debug_cmds / sizeof debug_cmds[0])

static char *
debug_help (char *const *args)
{
  (void) args;
  struct sbuf b = { 0 };
  for (size_t i = 0; i < N_DEBUG_CMDS; ++i) {
    char line[256];
    snprintf (line, sizeof line, "%-10s %s", debug_cmds[i].name, debug_cmds[i].help);
    sbuf_line (&b, line);
  }
  return sbuf_finish (&b);
}

char *
do_debug (const char *subcmd, char *const *extraargs)
{
  for (size_t i = 0; i < N_DEBUG_CMDS; ++i)
    if (strcmp (subcmd, debug_cmds[i].name) == 0)
      return debug_cmds[i].fn (extraargs);
  reply_with_error_errno (EINVAL, "%s: unknown subcommand (try 'debug help')",
                          subcmd);
  return NULL;
}

int
do_ping_daemon (void)
{
  return 0;
}
