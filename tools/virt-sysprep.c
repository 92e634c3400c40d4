/* virt-sysprep: reset or unconfigure a guest so clones can be made from
 * it (see virt-sysprep(1)).  The operations are in tools/sysprep/; the
 * "customize" operation is the customization engine (tools/customize/). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customize.h"
#include "guestfs.h"
#include "operations.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-sysprep";

enum {
  OPT_HELP = 0x200, OPT_COLORS, OPT_NETWORK, OPT_NO_NETWORK, OPT_WRAP,
  OPT_ENABLE, OPT_OPERATIONS, OPT_LIST_OPERATIONS, OPT_KEEP_USERS, OPT_REMOVE_USERS,
  OPT_MOUNT_OPTIONS, OPT_SCRIPT, OPT_SCRIPTDIR, OPT_NO_SELINUX_RELABEL,
};

static void
usage (int status)
{
  if (status != EXIT_SUCCESS)
    tool_try_help (program);
  printf ("%s: reset or unconfigure a virtual machine so clones can be made\n"
          "\n"
          " %s [--options] -d domname\n"
          "\n"
          " %s [--options] -a disk.img [-a disk.img ...]\n"
          "\n"
          "Options:\n", program, program, program);
  tool_print_options_help (TOOL_HELP_KEYS);
  printf ("  --colors             Colour the progress messages even if not a tty\n"
          "  -n|--dry-run         Work on a throw-away overlay: the disks do not change\n"
          "  --enable ops         Run exactly these operations (comma-separated)\n"
          "  --operations ops     Change the set of operations: names, -name,\n"
          "                       defaults, all (comma-separated)\n"
          "  --list-operations    List the operations (* marks the default ones)\n"
          "  --keep-user-accounts users\n"
          "                       user-account: keep these accounts\n"
          "  --remove-user-accounts users\n"
          "                       user-account: remove only these accounts\n"
          "  --mount-options opts Mount options by mountpoint (/:noatime;/var:rw)\n"
          "  --network            Give guest commands the appliance network\n"
          "  --no-network         No network for guest commands (default)\n"
          "  --no-selinux-relabel Accepted for compatibility (does nothing)\n"
          "  -q|--quiet           No progress messages\n"
          "  --script prog        script: run a host program on the guest's files\n"
          "  --scriptdir dir      script: where the guest is mounted for it\n"
          "  --wrap               Accepted for compatibility\n"
          "Customization options (the customize operation), in command-line order:\n");
  customize_print_help ();
  printf ("See virt-sysprep(1) for more.\n");
  exit (EXIT_SUCCESS);
}

static char **
split_list (const char *s)
{
  size_t n = 2;
  for (const char *p = s; *p; ++p)
    n += *p == ',';
  char **r = calloc (n, sizeof *r);
  char *copy = strdup (s);
  if (!r || !copy) {
    perror ("calloc");
    exit (EXIT_FAILURE);
  }
  size_t i = 0;
  for (char *save = NULL, *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    if (*t)
      r[i++] = strdup (t);
  free (copy);
  return r;
}

static char **
append_list (char **l, const char *s)
{
  char **add = split_list (s);
  size_t a = tool_count_strings (l), b = tool_count_strings (add);
  l = realloc (l, (a + b + 1) * sizeof *l);
  if (!l) {
    perror ("realloc");
    exit (EXIT_FAILURE);
  }
  memcpy (l + a, add, (b + 1) * sizeof *l);
  free (add);
  return l;
}

/* --operations / --enable: change the selection SEL. */
static void
select_operations (bool *sel, bool *started, const char *list, bool enable_only)
{
  if (!*started) {
    for (size_t i = 0; i < sysprep_nr_ops; ++i)
      sel[i] = false;
    *started = true;
  }
  size_t len = strlen (list);
  if (len == 0 || list[0] == ',' || list[len - 1] == ',' || strstr (list, ",,")) {
    fprintf (stderr, "%s: --%s: empty operation name\n", program,
             enable_only ? "enable" : "operations");
    exit (EXIT_FAILURE);
  }
  char **names = split_list (list);
  for (size_t k = 0; names[k]; ++k) {
    const char *name = names[k];
    bool remove = false;
    if (!enable_only && name[0] == '-') {
      remove = true;
      name++;
    }
    if (!enable_only && (strcmp (name, "defaults") == 0 || strcmp (name, "all") == 0)) {
      for (size_t i = 0; i < sysprep_nr_ops; ++i)
        if (strcmp (name, "all") == 0 || sysprep_ops[i].default_on)
          sel[i] = !remove;
      continue;
    }
    int i = sysprep_find_op (name);
    if (i == -1) {
      fprintf (stderr, "%s: --%s: ‘%s’ is not a known operation (see "
               "--list-operations)\n", program, enable_only ? "enable" : "operations", name);
      exit (EXIT_FAILURE);
    }
    sel[i] = !remove;
  }
  tool_free_strings (names);
}

struct remount {
  struct tool_options *o;
  const char *mount_options;
};

/* The mount options --mount-options gives MOUNTPOINT ("" if none). */
static char *
options_for (const char *spec, const char *mountpoint)
{
  if (!spec)
    return strdup ("");
  char *copy = strdup (spec), *r = NULL;
  for (char *save = NULL, *t = strtok_r (copy, ";", &save); t && !r;
       t = strtok_r (NULL, ";", &save)) {
    char *colon = strchr (t, ':');
    if (colon && (size_t) (colon - t) == strlen (mountpoint) &&
        strncmp (t, mountpoint, colon - t) == 0)
      r = strdup (colon + 1);
  }
  free (copy);
  return r ? r : strdup ("");
}

static int
compare_mountpoints (const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  size_t lx = strlen (x[0]), ly = strlen (y[0]);
  return lx < ly ? -1 : lx > ly ? 1 : strcmp (x[0], y[0]);
}

/* Mount the guest's filesystems (parents first) with --mount-options. */
static int
mount_guest (guestfs_h *g, const char *root, void *opaque)
{
  struct remount *rm = opaque;
  char **mps = guestfs_inspect_get_mountpoints (g, root);
  if (!mps)
    return -1;
  size_t m = tool_count_strings (mps);
  qsort (mps, m / 2, 2 * sizeof mps[0], compare_mountpoints);
  for (size_t i = 0; i + 1 < m; i += 2) {
    char *opts = options_for (rm->mount_options, mps[i]);
    int r = TOOL_QUIET (g, guestfs_mount_options (g, opts, mps[i + 1], mps[i]));
    if (r == -1 && rm->o->verbose)
      fprintf (stderr, "%s: mount %s on %s: %s\n", program, mps[i + 1], mps[i],
               guestfs_last_error (g));
    if (r == -1 && strcmp (mps[i], "/") == 0) {
      fprintf (stderr, "%s: the root filesystem %s could not be mounted\n", program,
               mps[i + 1]);
      free (opts);
      tool_free_strings (mps);
      return -1;
    }
    free (opts);
  }
  tool_free_strings (mps);
  return 0;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program };
  struct customize cz = { .program = program, .network = false,
                          .colors = isatty (STDOUT_FILENO) };
  struct sysprep_ctx ctx = { .cz = &cz };
  bool dry_run = false, started = false;
  bool sel[64];
  const char *mount_options = NULL;
  if (sysprep_nr_ops > sizeof sel / sizeof sel[0])
    abort ();                   /* the table outgrew this array */
  for (size_t i = 0; i < sysprep_nr_ops; ++i)
    sel[i] = sysprep_ops[i].default_on;

  static const char short_options[] = "a:c:d:nqvVx";
  static const struct option tool_long_options[] = {
    /* --format takes its value as the next argument too, as in 1.48
     * (listed before the shared optional-value form, so it wins). */
    { "format", required_argument, NULL, TOOL_OPT_FORMAT },
    TOOL_LONG_OPTIONS,
    TOOL_COLOUR_LONG_OPTIONS (OPT_COLORS),
    TOOL_OCAML_LONG_OPTIONS (OPT_WRAP),
    { "dryrun", no_argument, NULL, 'n' },
    { "dry-run", no_argument, NULL, 'n' },
    { "enable", required_argument, NULL, OPT_ENABLE },
    { "help", no_argument, NULL, OPT_HELP },
    { "keep-user-accounts", required_argument, NULL, OPT_KEEP_USERS },
    { "list-operations", no_argument, NULL, OPT_LIST_OPERATIONS },
    { "mount-options", required_argument, NULL, OPT_MOUNT_OPTIONS },
    { "network", no_argument, NULL, OPT_NETWORK },
    { "no-network", no_argument, NULL, OPT_NO_NETWORK },
    { "no-selinux-relabel", no_argument, NULL, OPT_NO_SELINUX_RELABEL },
    { "operation", required_argument, NULL, OPT_OPERATIONS },
    { "operations", required_argument, NULL, OPT_OPERATIONS },
    { "quiet", no_argument, NULL, 'q' },
    { "remove-user-accounts", required_argument, NULL, OPT_REMOVE_USERS },
    { "script", required_argument, NULL, OPT_SCRIPT },
    { "scriptdir", required_argument, NULL, OPT_SCRIPTDIR },
    { NULL, 0, NULL, 0 },
  };
  struct option *long_options = customize_long_options (tool_long_options);
  o.long_options = long_options;
  o.short_options = short_options;

  int c;
  while ((c = customize_getopt (&cz, argc, argv, short_options, long_options)) != -1) {
    int r = tool_option (&o, c, optarg);
    if (r == -1)
      exit (EXIT_FAILURE);
    if (r == 1)
      continue;
    switch (c) {
    case OPT_HELP: usage (EXIT_SUCCESS); break;
    case 'n': dry_run = true; break;
    case 'q': cz.quiet = true; break;
    case OPT_COLORS: cz.colors = true; break;
    case OPT_NETWORK: cz.network = true; break;
    case OPT_NO_NETWORK: cz.network = false; break;
    case OPT_WRAP: case OPT_NO_SELINUX_RELABEL: break;
    case OPT_ENABLE: select_operations (sel, &started, optarg, true); break;
    case OPT_OPERATIONS: select_operations (sel, &started, optarg, false); break;
    case OPT_LIST_OPERATIONS:
      for (size_t i = 0; i < sysprep_nr_ops; ++i)
        printf ("%s %c %s\n", sysprep_ops[i].name, sysprep_ops[i].default_on ? '*' : ' ',
                sysprep_ops[i].description);
      exit (EXIT_SUCCESS);
    case OPT_KEEP_USERS: ctx.keep_users = append_list (ctx.keep_users, optarg); break;
    case OPT_REMOVE_USERS: ctx.remove_users = append_list (ctx.remove_users, optarg); break;
    case OPT_MOUNT_OPTIONS: mount_options = optarg; break;
    case OPT_SCRIPT:
      ctx.script = realloc (ctx.script, (ctx.nr_script + 2) * sizeof *ctx.script);
      if (!ctx.script) {
        perror ("realloc");
        exit (EXIT_FAILURE);
      }
      ctx.script[ctx.nr_script++] = strdup (optarg);
      ctx.script[ctx.nr_script] = NULL;
      break;
    case OPT_SCRIPTDIR: free (ctx.scriptdir); ctx.scriptdir = strdup (optarg); break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (optind < argc) {
    fprintf (stderr, "%s: extra parameter on the command line: ‘%s’\n", program,
             argv[optind]);
    tool_try_help (program);
  }
  tool_require_drives (&o);
  cz.verbose = o.verbose;
  o.read_only = dry_run;

  customize_message (&cz, "Examining the guest ...");
  guestfs_h *g = tool_open_handle (&o);
  if (!g || guestfs_set_network (g, cz.network) == -1 || guestfs_launch (g) == -1 ||
      tool_decrypt (g, &o) == -1)
    exit (EXIT_FAILURE);
  o.read_only = false;
  char *root = tool_inspect_root (g, &o);
  struct remount rm = { &o, mount_options };
  ctx.remount = mount_guest;
  ctx.remount_opaque = &rm;
  if (!root || mount_guest (g, root, &rm) == -1)
    exit (EXIT_FAILURE);
  char *type = guestfs_inspect_get_type (g, root);
  bool linux_ = type && strcmp (type, "linux") == 0;
  free (type);

  int status = EXIT_SUCCESS;
  /* With the filesystems mounted, in alphabetical order, but customize
   * last (as in libguestfs): what it writes (a hostname, a new machine
   * id where machine-id left the file empty) must not be removed by the
   * operations that clean up. */
  for (size_t n = 0; n < 2 * sysprep_nr_ops && status == EXIT_SUCCESS; ++n) {
    size_t i = n % sysprep_nr_ops;
    const struct sysprep_op *op = &sysprep_ops[i];
    if ((strcmp (op->name, "customize") == 0) != (n >= sysprep_nr_ops))
      continue;
    if (!sel[i] || (!op->globs && !op->mounted))
      continue;
    /* The file operations are for Linux (and other Unix) guests. */
    if (!linux_ && op->globs)
      continue;
    customize_message (&cz, "Performing \"%s\" ...", op->name);
    for (size_t k = 0; op->globs && op->globs[k] && status == EXIT_SUCCESS; ++k) {
      char **paths = guestfs_glob_expand (g, op->globs[k]);
      if (!paths) {
        status = EXIT_FAILURE;
        break;
      }
      for (size_t p = 0; paths[p] && status == EXIT_SUCCESS; ++p)
        if (guestfs_rm_rf (g, paths[p]) == -1)
          status = EXIT_FAILURE;
      tool_free_strings (paths);
    }
    if (status == EXIT_SUCCESS && op->mounted && op->mounted (g, root, &ctx) == -1)
      status = EXIT_FAILURE;
  }
  /* Then those that work on the unmounted devices. */
  if (status == EXIT_SUCCESS && guestfs_umount_all (g) == -1)
    status = EXIT_FAILURE;
  for (size_t i = 0; i < sysprep_nr_ops && status == EXIT_SUCCESS; ++i) {
    const struct sysprep_op *op = &sysprep_ops[i];
    if (!sel[i] || !op->devices)
      continue;
    customize_message (&cz, "Performing \"%s\" ...", op->name);
    if (op->devices (g, root, &ctx) == -1)
      status = EXIT_FAILURE;
  }
  free (root);
  customize_free (&cz);
  tool_free_strings (ctx.keep_users);
  tool_free_strings (ctx.remove_users);
  tool_free_strings (ctx.script);
  free (ctx.scriptdir);
  status = tool_finish (g, &o, status);
  free (long_options);
  return status;
}
