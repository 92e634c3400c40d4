#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "options.h"
#include "uri.h"

int tool_failure_status = EXIT_FAILURE, tool_usage_status = EXIT_FAILURE;

static char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (!r) {
    perror ("strdup");
    exit (tool_failure_status);
  }
  return r;
}

static void *
xrealloc (void *p, size_t n)
{
  void *r = realloc (p, n);
  if (!r) {
    perror ("realloc");
    exit (tool_failure_status);
  }
  return r;
}

static void
free_strings (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    free (l[i]);
  free (l);
}

static size_t
count_strings (char **l)
{
  size_t n = 0;
  while (l && l[n]) n++;
  return n;
}

void
tool_try_help (const char *program)
{
  fprintf (stderr, "Try ‘%s --help’ for more information.\n", program);
  exit (tool_usage_status);
}

int
tool_add_drive (struct tool_options *o, const char *filename)
{
  o->drives = xrealloc (o->drives, (o->nr_drives + 1) * sizeof *o->drives);
  o->drives[o->nr_drives++] = (struct tool_drive) {
    .filename = xstrdup (filename),
    .format = o->format ? xstrdup (o->format) : NULL,
    .blocksize = o->blocksize,
  };
  return 0;
}

int
tool_add_scratch (struct tool_options *o, int64_t size)
{
  o->drives = xrealloc (o->drives, (o->nr_drives + 1) * sizeof *o->drives);
  o->drives[o->nr_drives++] = (struct tool_drive) { .scratch_size = size };
  return 0;
}

/* -m DEV[:MNT[:OPTS[:FSTYPE]]] */
static int
add_mount (struct tool_options *o, const char *arg)
{
  char *s = xstrdup (arg);
  struct tool_mount_spec m = { .device = s };
  char **fields[] = { &m.mountpoint, &m.options, &m.fstype };
  char *p = s;
  for (int i = 0; i < 3; ++i) {
    p = strchr (p, ':');
    if (p == NULL)
      break;
    *p++ = '\0';
    *fields[i] = p;
  }
  if (*m.device == '\0') {
    fprintf (stderr, "%s: -m %s: no device given\n", o->program, arg);
    free (s);
    return -1;
  }
  /* Keep every field in its own allocation so freeing is simple. */
  m.device = s;
  m.mountpoint = xstrdup (m.mountpoint && *m.mountpoint ? m.mountpoint : "/");
  m.options = m.options && *m.options ? xstrdup (m.options) : NULL;
  m.fstype = m.fstype && *m.fstype ? xstrdup (m.fstype) : NULL;
  if (m.mountpoint[0] != '/') {
    fprintf (stderr, "%s: -m %s: the mountpoint must be an absolute path\n",
             o->program, arg);
    free (m.device); free (m.mountpoint); free (m.options); free (m.fstype);
    return -1;
  }
#ifndef GUESTFS_HAVE_MOUNT_VFS
  if (m.fstype) {
    fprintf (stderr, "%s: -m %s: choosing the filesystem type needs "
             "guestfs_mount_vfs, which this build does not have yet\n",
             o->program, arg);
    free (m.device); free (m.mountpoint); free (m.options); free (m.fstype);
    return -1;
  }
#endif
  o->mounts = xrealloc (o->mounts, (o->nr_mounts + 1) * sizeof *o->mounts);
  o->mounts[o->nr_mounts++] = m;
  return 0;
}

/* --key ID:key:STRING | ID:file:FILENAME | ID:clevis.  The ID is split at
 * the first ':' followed by a known kind, so device names and UUIDs with
 * colons in them still work. */
static int
add_key (struct tool_options *o, const char *arg)
{
  struct tool_key k = { 0 };
  const char *p;
  for (p = strchr (arg, ':'); p; p = strchr (p + 1, ':')) {
    if (strncmp (p + 1, "key:", 4) == 0) {
      k.kind = TOOL_KEY_STRING;
      k.value = xstrdup (p + 5);
      break;
    }
    if (strncmp (p + 1, "file:", 5) == 0 && p[6] != '\0') {
      k.kind = TOOL_KEY_FILE;
      k.value = xstrdup (p + 6);
      break;
    }
    if (strcmp (p + 1, "clevis") == 0) {
      k.kind = TOOL_KEY_CLEVIS;
      break;
    }
  }
  if (p == NULL || p == arg) {
    fprintf (stderr, "%s: invalid selector for --key: %s\n", o->program, arg);
    return -1;
  }
  k.id = strndup (arg, (size_t) (p - arg));
  if (!k.id) {
    perror ("strndup");
    exit (tool_failure_status);
  }
  o->key_list = xrealloc (o->key_list, (o->nr_keys + 1) * sizeof *o->key_list);
  o->key_list[o->nr_keys++] = k;

  size_t n = count_strings (o->keys);
  o->keys = xrealloc (o->keys, (n + 2) * sizeof *o->keys);
  o->keys[n] = xstrdup (arg);
  o->keys[n + 1] = NULL;
  return 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* --long-options: every long option of the tool, "--NAME" one a line,
 * sorted, for bash completion. */
static void
print_long_options (const struct tool_options *o)
{
  size_t n = 0;
  for (const struct option *p = o->long_options; p && p->name; ++p)
    n++;
  const char **names = calloc (n + 1, sizeof *names);
  if (!names) {
    perror ("calloc");
    exit (tool_failure_status);
  }
  size_t m = 0;
  for (const struct option *p = o->long_options; p && p->name; ++p)
    if (strcmp (p->name, "long-options") != 0 &&
        strcmp (p->name, "short-options") != 0)
      names[m++] = p->name;
  qsort (names, m, sizeof *names, compare_strings);
  for (size_t i = 0; i < m; ++i)
    if (i == 0 || strcmp (names[i], names[i - 1]) != 0)
      printf ("--%s\n", names[i]);
  free (names);
}

/* --short-options: "-X" one a line, in the order of the tool's table. */
static void
print_short_options (const struct tool_options *o)
{
  for (const char *p = o->short_options; p && *p; ++p)
    if (*p != ':' && *p != '+' && *p != '-')
      printf ("-%c\n", *p);
}

int
tool_option (struct tool_options *o, int c, const char *arg)
{
  switch (c) {
  case 'a': {                   /* a file or a URI (uri.c) */
    struct hatch_uri u;
    char *err;
    if (hatch_uri_parse (arg, &u, &err) == -1) {
      fprintf (stderr, "%s: -a %s: %s\n", o->program, arg, err);
      free (err);
      return -1;
    }
    hatch_uri_free (&u);
    return tool_add_drive (o, arg) == -1 ? -1 : 1;
  }
  case TOOL_OPT_FORMAT:         /* --format[=FMT] */
    free (o->format);
    o->format = arg && *arg && strcmp (arg, "auto") != 0 ? xstrdup (arg) : NULL;
    return 1;
  case TOOL_OPT_BLOCKSIZE:      /* --blocksize[=N] */
    if (!arg || !*arg) {
      o->blocksize = 0;
      return 1;
    }
    o->blocksize = atoi (arg);
    if (o->blocksize != 512 && o->blocksize != 4096) {
      fprintf (stderr, "%s: --blocksize must be 512 or 4096\n", o->program);
      return -1;
    }
    return 1;
  case 'c':
    free (o->libvirt_uri);
    o->libvirt_uri = xstrdup (arg);
    return 1;
  case 'd':
#ifdef GUESTFS_HAVE_ADD_DOMAIN
    o->domains = xrealloc (o->domains, (o->nr_domains + 2) * sizeof *o->domains);
    o->domains[o->nr_domains++] = xstrdup (arg);
    o->domains[o->nr_domains] = NULL;
    return 1;
#else
    fprintf (stderr, "%s: -d %s: libvirt domains are not supported by this "
             "build; use -a with the disk images\n", o->program, arg);
    return -1;
#endif
  case 'm':
    return add_mount (o, arg) == -1 ? -1 : 1;
  case 'i':
    o->inspector = true;
    return 1;
  case 'r':
  case TOOL_OPT_RO:
    o->read_only = true;
    return 1;
  case 'w':
  case TOOL_OPT_RW:
    o->read_only = false;
    return 1;
  case TOOL_OPT_KEY:
    return add_key (o, arg) == -1 ? -1 : 1;
  case TOOL_OPT_KEYS_FROM_STDIN: o->keys_from_stdin = true; return 1;
  case TOOL_OPT_ECHO_KEYS: o->echo_keys = true; return 1;
  case TOOL_OPT_LONG_OPTIONS:
    print_long_options (o);
    exit (EXIT_SUCCESS);
  case TOOL_OPT_SHORT_OPTIONS:
    print_short_options (o);
    exit (EXIT_SUCCESS);
  case 'v': o->verbose = true; return 1;
  case 'x': o->trace = true; return 1;
  case 'V':
    tool_print_version (o->program);
    exit (EXIT_SUCCESS);
  default:
    return 0;
  }
}

void
tool_print_version (const char *program)
{
  guestfs_h *g = guestfs_create_flags (GUESTFS_CREATE_NO_ENVIRONMENT);
  struct guestfs_version *v = g ? guestfs_version (g) : NULL;
  if (v)
    printf ("%s %" PRIi64 ".%" PRIi64 ".%" PRIi64 "%s\n", program,
            v->major, v->minor, v->release, v->extra);
  guestfs_free_version (v);
  guestfs_close (g);
}

void
tool_print_options_help (unsigned what)
{
  printf ("  -a|--add image       Add a disk image\n"
          "  --blocksize[=512|4096]\n"
          "                       Sector size of the following -a disks\n"
          "  -c|--connect uri     libvirt URI for -d\n"
          "  -d|--domain guest    Add the disks of a libvirt guest\n");
  if (what & TOOL_HELP_KEYS)
    printf ("  --echo-keys          Show the passphrases as they are typed\n");
  printf ("  --format[=raw|..]    Disk format of the following -a disks\n"
          "  --help               Show this help\n");
  if (what & TOOL_HELP_INSPECTOR)
    printf ("  -i|--inspector       Find the operating system and mount it\n");
  if (what & TOOL_HELP_KEYS)
    printf ("  --key selector       A LUKS key: ID:key:PASS, ID:file:FILE (ID: device,\n"
            "                       LUKS UUID or all)\n"
            "  --keys-from-stdin    Read the passphrases from stdin\n");
  if (what & TOOL_HELP_MOUNT)
    printf ("  -m|--mount dev[:mnt[:opts[:fstype]]]\n"
            "                       Mount dev on mnt (/ when not given)\n");
  if (what & TOOL_HELP_RO_RW)
    printf ("  --ro                 Open the disks read-only\n"
            "  --rw                 Open the disks for writing\n");
  printf ("  -v|--verbose         Verbose messages\n"
          "  -V|--version         Show the version and exit\n"
          "  -x                   Trace the libguestfs calls\n");
}

guestfs_h *
tool_open_handle (struct tool_options *o)
{
  guestfs_h *g = guestfs_create ();
  if (!g) {
    fprintf (stderr, "%s: failed to create libguestfs handle\n", o->program);
    return NULL;
  }
  if (o->verbose) guestfs_set_verbose (g, 1);
  if (o->trace) guestfs_set_trace (g, 1);
  guestfs_set_program (g, o->program);
  for (size_t i = 0; i < o->nr_drives; ++i) {
    struct tool_drive *d = &o->drives[i];
    if (d->scratch_size > 0) {
      if (guestfs_add_drive_scratch (g, d->scratch_size, -1) == -1) {
        guestfs_close (g);
        return NULL;
      }
      continue;
    }
    struct guestfs_add_drive_opts_argv a = { .bitmask = 0 };
    if (o->read_only) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK;
      a.readonly = 1;
    }
    if (d->format) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK;
      a.format = d->format;
    }
    if (d->blocksize) {
      a.bitmask |= GUESTFS_ADD_DRIVE_OPTS_BLOCKSIZE_BITMASK;
      a.blocksize = d->blocksize;
    }
    if (hatch_uri_add_drive (g, o->program, d->filename, &a) == -1) {
      guestfs_close (g);
      return NULL;
    }
  }
#ifdef GUESTFS_HAVE_ADD_DOMAIN
  for (size_t i = 0; i < o->nr_domains; ++i) {
    struct guestfs_add_domain_argv a = { .bitmask = 0 };
    if (o->libvirt_uri) {
      a.bitmask |= GUESTFS_ADD_DOMAIN_LIBVIRTURI_BITMASK;
      a.libvirturi = o->libvirt_uri;
    }
    if (o->read_only) {
      a.bitmask |= GUESTFS_ADD_DOMAIN_READONLY_BITMASK;
      a.readonly = 1;
    }
    a.bitmask |= GUESTFS_ADD_DOMAIN_ALLOWUUID_BITMASK;
    a.allowuuid = 1;
    if (guestfs_add_domain_argv (g, o->domains[i], &a) == -1) {
      guestfs_close (g);
      return NULL;
    }
  }
#endif
  return g;
}

/* ---- LUKS ---------------------------------------------------------- */

/* Read one line (the passphrase) from FP, without its newline. */
static char *
read_key_line (FILE *fp)
{
  char *line = NULL;
  size_t n = 0;
  ssize_t len = getline (&line, &n, fp);
  if (len == -1) {
    free (line);
    return NULL;
  }
  if (len > 0 && line[len - 1] == '\n')
    line[--len] = '\0';
  return line;
}

/* Ask the user for the passphrase of DEVICE: from stdin with
 * --keys-from-stdin, otherwise on /dev/tty with echo off unless
 * --echo-keys. */
static char *
prompt_key (struct tool_options *o, const char *device)
{
  if (o->keys_from_stdin) {
    char *k = read_key_line (stdin);
    if (!k)
      fprintf (stderr, "%s: no passphrase for %s on standard input\n",
               o->program, device);
    return k;
  }
  FILE *tty = fopen ("/dev/tty", "r+");
  if (!tty) {
    fprintf (stderr, "%s: %s is encrypted and no key was given "
             "(use --key or --keys-from-stdin): cannot open /dev/tty: %s\n",
             o->program, device, strerror (errno));
    return NULL;
  }
  fprintf (tty, "Enter key or passphrase (\"%s\"): ", device);
  fflush (tty);
  struct termios saved, noecho;
  bool restore = false;
  if (!o->echo_keys && tcgetattr (fileno (tty), &saved) == 0) {
    noecho = saved;
    noecho.c_lflag &= ~(tcflag_t) ECHO;
    noecho.c_lflag |= ECHONL;
    restore = tcsetattr (fileno (tty), TCSAFLUSH, &noecho) == 0;
  }
  char *k = read_key_line (tty);
  if (restore)
    tcsetattr (fileno (tty), TCSAFLUSH, &saved);
  fclose (tty);
  if (!k)
    fprintf (stderr, "%s: no passphrase given for %s\n", o->program, device);
  return k;
}

/* The contents of a key file, up to its first newline (as cryptsetup
 * would read a passphrase). */
static char *
read_key_file (struct tool_options *o, const char *filename)
{
  FILE *fp = fopen (filename, "r");
  if (!fp) {
    fprintf (stderr, "%s: --key: %s: %s\n", o->program, filename, strerror (errno));
    return NULL;
  }
  char *k = read_key_line (fp);
  fclose (fp);
  if (!k)
    k = xstrdup ("");
  return k;
}

/* The candidate passphrases for DEVICE (with LUKS UUID uuid, may be NULL):
 * the --key selectors naming it (or "all"), else one asked for. */
static char **
keys_for (struct tool_options *o, const char *device, const char *uuid, bool *failed)
{
  char **keys = NULL;
  size_t n = 0;
  *failed = false;
  for (size_t i = 0; i < o->nr_keys; ++i) {
    struct tool_key *k = &o->key_list[i];
    if (strcmp (k->id, "all") != 0 && strcmp (k->id, device) != 0 &&
        !(uuid && strcmp (k->id, uuid) == 0))
      continue;
    char *v;
    switch (k->kind) {
    case TOOL_KEY_STRING: v = xstrdup (k->value); break;
    case TOOL_KEY_FILE:
      v = read_key_file (o, k->value);
      if (!v) {
        *failed = true;
        free_strings (keys);
        return NULL;
      }
      break;
    default:
      fprintf (stderr, "%s: --key %s:clevis: Clevis unlocking is not supported\n",
               o->program, k->id);
      *failed = true;
      free_strings (keys);
      return NULL;
    }
    keys = xrealloc (keys, (n + 2) * sizeof *keys);
    keys[n++] = v;
    keys[n] = NULL;
  }
  if (n == 0) {
    char *v = prompt_key (o, device);
    if (!v) {
      *failed = true;
      return NULL;
    }
    keys = xrealloc (keys, 2 * sizeof *keys);
    keys[0] = v;
    keys[1] = NULL;
  }
  return keys;
}

/* Open every LUKS device among DEVICES.  Returns the number opened, or -1. */
static int
decrypt_list (guestfs_h *g, struct tool_options *o, char **devices)
{
  int opened = 0;
  for (size_t i = 0; devices[i]; ++i) {
    guestfs_push_error_handler (g, NULL, NULL);
    char *type = guestfs_vfs_type (g, devices[i]);
    guestfs_pop_error_handler (g);
    bool luks = type && strcmp (type, "crypto_LUKS") == 0;
    free (type);
    if (!luks)
      continue;
    guestfs_push_error_handler (g, NULL, NULL);
    char *uuid = guestfs_luks_uuid (g, devices[i]);
    guestfs_pop_error_handler (g);
    /* Name the mapping as systemd would (luks-UUID), so the guest's own
     * /etc/fstab and crypttab entries resolve during inspection. */
    char *mapname;
    if (uuid && *uuid) {
      if (asprintf (&mapname, "luks-%s", uuid) == -1) mapname = NULL;
    }
    else {
      const char *b = strrchr (devices[i], '/');
      if (asprintf (&mapname, "luks-%s", b ? b + 1 : devices[i]) == -1) mapname = NULL;
      for (char *p = mapname; p && *p; ++p)
        if (!isalnum ((unsigned char) *p) && *p != '-' && *p != '_')
          *p = '_';
    }
    if (!mapname) {
      perror ("asprintf");
      exit (tool_failure_status);
    }
    bool failed;
    char **keys = keys_for (o, devices[i], uuid, &failed);
    if (failed) {
      free (uuid);
      free (mapname);
      return -1;
    }
    bool ok = false;
    char *last_error = NULL;
    for (size_t j = 0; keys[j] && !ok; ++j) {
      struct guestfs_cryptsetup_open_argv a = { .bitmask = 0 };
      if (o->read_only) {
        a.bitmask |= GUESTFS_CRYPTSETUP_OPEN_READONLY_BITMASK;
        a.readonly = 1;
      }
      guestfs_push_error_handler (g, NULL, NULL);
      ok = guestfs_cryptsetup_open_argv (g, devices[i], keys[j], mapname, &a) == 0;
      if (!ok) {
        free (last_error);
        const char *e = guestfs_last_error (g);
        last_error = e ? xstrdup (e) : NULL;
      }
      guestfs_pop_error_handler (g);
    }
    free_strings (keys);
    free (uuid);
    free (mapname);
    if (!ok) {
      fprintf (stderr, "%s: could not open the encrypted device %s with the "
               "keys given (use --key to give its passphrase)%s%s\n",
               o->program, devices[i], last_error ? ": " : "",
               last_error ? last_error : "");
      free (last_error);
      return -1;
    }
    opened++;
  }
  return opened;
}

static int
activate_lvm (guestfs_h *g)
{
  if (guestfs_vgscan (g) == -1 || guestfs_vg_activate_all (g, 1) == -1)
    return -1;
  return 0;
}

int
tool_decrypt (guestfs_h *g, struct tool_options *o)
{
  /* Whole disks and partitions first, then the logical volumes that the
   * opened devices may have revealed (LUKS on LVM). */
  char **devs = guestfs_list_devices (g);
  char **parts = devs ? guestfs_list_partitions (g) : NULL;
  if (!parts) {
    free_strings (devs);
    return -1;
  }
  size_t nd = count_strings (devs), np = count_strings (parts);
  char **all = xrealloc (devs, (nd + np + 1) * sizeof *all);
  memcpy (all + nd, parts, (np + 1) * sizeof *parts);
  free (parts);
  int r = decrypt_list (g, o, all);
  free_strings (all);
  if (r == -1)
    return -1;
  if (r > 0 && activate_lvm (g) == -1)
    return -1;
  char **lvs = guestfs_lvs (g);
  if (!lvs)
    return -1;
  r = decrypt_list (g, o, lvs);
  free_strings (lvs);
  if (r == -1)
    return -1;
  if (r > 0 && activate_lvm (g) == -1)
    return -1;
  return 0;
}

/* ---- -i ------------------------------------------------------------ */

static void
print_inspection_advice (void)
{
  fputs ("\n"
         "With guestfish, leave out -i and use 'run', then 'list-filesystems',\n"
         "and mount the filesystems you want with 'mount' or 'mount-ro'.\n"
         "With guestmount, leave out -i and name the filesystems with -m\n"
         "(virt-filesystems lists them).\n"
         "The other virt tools cannot work on this disk image: use the\n"
         "guestfish commands their manual pages describe instead.\n",
         stderr);
}

char *
tool_inspect_root (guestfs_h *g, struct tool_options *o)
{
  char **roots = guestfs_inspect_os (g);
  if (!roots)
    return NULL;
  size_t n = count_strings (roots);
  if (n == 0) {
    fprintf (stderr, "%s: no operating system was found on this disk\n", o->program);
    print_inspection_advice ();
    free (roots);
    return NULL;
  }
  if (n > 1) {
    fprintf (stderr, "%s: multi-boot operating systems are not supported\n", o->program);
    print_inspection_advice ();
    free_strings (roots);
    return NULL;
  }
  char *root = roots[0];
  free (roots);
  return root;
}

static int
compare_mountpoints (const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t lx = strlen (x[0]), ly = strlen (y[0]);
  return lx < ly ? -1 : lx > ly ? 1 : strcmp (x[0], y[0]);
}

int
tool_mount_root (guestfs_h *g, struct tool_options *o, const char *root)
{
  char **mps = guestfs_inspect_get_mountpoints (g, root);
  if (!mps)
    return -1;
  size_t m = count_strings (mps);
  /* Shorter mountpoints first, so parents are mounted before children. */
  qsort (mps, m / 2, 2 * sizeof mps[0], compare_mountpoints);
  int errors = 0;
  for (size_t i = 0; i + 1 < m; i += 2) {
    guestfs_push_error_handler (g, NULL, NULL);
    int r = o->read_only ? guestfs_mount_ro (g, mps[i + 1], mps[i])
                         : guestfs_mount (g, mps[i + 1], mps[i]);
    if (r == -1) {
      errors++;
      if (o->verbose)
        fprintf (stderr, "%s: mount %s on %s: %s\n", o->program, mps[i + 1],
                 mps[i], guestfs_last_error (g));
    }
    guestfs_pop_error_handler (g);
  }
  free_strings (mps);
  if (errors)
    fprintf (stderr, "%s: some filesystems could not be mounted (ignored)\n", o->program);
  return 0;
}

/* ---- -m ------------------------------------------------------------ */

/* After a failed -m: if DEVICE is not a filesystem, list the ones there are. */
static void
suggest_filesystems (guestfs_h *g, struct tool_options *o, const char *device)
{
  guestfs_push_error_handler (g, NULL, NULL);
  char **fses = guestfs_list_filesystems (g);
  guestfs_pop_error_handler (g);
  if (!fses)
    return;
  bool found = false;
  for (size_t i = 0; fses[i] && fses[i + 1]; i += 2)
    if (strcmp (fses[i], device) == 0)
      found = true;
  if (!found) {
    fprintf (stderr, "%s: Did you mean to mount one of these filesystems?\n", o->program);
    for (size_t i = 0; fses[i] && fses[i + 1]; i += 2)
      if (strcmp (fses[i + 1], "unknown") != 0 && strcmp (fses[i + 1], "swap") != 0)
        fprintf (stderr, "%s: \t%s (%s)\n", o->program, fses[i], fses[i + 1]);
  }
  free_strings (fses);
}

static int
mount_specs (guestfs_h *g, struct tool_options *o)
{
  for (size_t i = 0; i < o->nr_mounts; ++i) {
    struct tool_mount_spec *m = &o->mounts[i];
    const char *opts = m->options ? m->options : o->read_only ? "ro" : "";
    int r;
    guestfs_push_error_handler (g, NULL, NULL);
#ifdef GUESTFS_HAVE_MOUNT_VFS
    if (m->fstype)
      r = guestfs_mount_vfs (g, opts, m->fstype, m->device, m->mountpoint);
    else
#endif
      r = guestfs_mount_options (g, opts, m->device, m->mountpoint);
    char *err = r == -1 && guestfs_last_error (g) ? xstrdup (guestfs_last_error (g)) : NULL;
    guestfs_pop_error_handler (g);
    if (r == -1) {
      fprintf (stderr, "%s: ‘%s’ could not be mounted%s%s\n", o->program,
               m->device, err ? ": " : ".", err ? err : "");
      free (err);
      suggest_filesystems (g, o, m->device);
      return -1;
    }
  }
  return 0;
}

int
tool_mount (guestfs_h *g, struct tool_options *o)
{
  /* Encrypted devices are opened for -i (asking for the passphrase if
   * needed); for -m only when keys were given. */
  if ((o->inspector || o->nr_keys > 0 || o->keys_from_stdin) &&
      tool_decrypt (g, o) == -1)
    return -1;
  if (o->inspector) {
    char *root = tool_inspect_root (g, o);
    if (!root)
      return -1;
    int r = tool_mount_root (g, o, root);
    free (o->root);
    o->root = root;
    if (r == -1)
      return -1;
  }
  return mount_specs (g, o);
}

void
tool_free_options (struct tool_options *o)
{
  for (size_t i = 0; i < o->nr_drives; ++i) {
    free (o->drives[i].filename);
    free (o->drives[i].format);
  }
  free (o->drives);
  free (o->format);
  free_strings (o->keys);
  for (size_t i = 0; i < o->nr_keys; ++i) {
    free (o->key_list[i].id);
    free (o->key_list[i].value);
  }
  free (o->key_list);
  for (size_t i = 0; i < o->nr_mounts; ++i) {
    free (o->mounts[i].device);
    free (o->mounts[i].mountpoint);
    free (o->mounts[i].options);
    free (o->mounts[i].fstype);
  }
  free (o->mounts);
  free (o->libvirt_uri);
  free_strings (o->domains);
  free (o->root);
  *o = (struct tool_options) { .program = o->program };
}
