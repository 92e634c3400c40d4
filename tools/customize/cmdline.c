/* The customization options on the command line (and in
 * --commands-from-file files): see customize.h. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customize.h"

struct op_info {
  const char *name;
  int has_arg;
  const char *metavar, *help;
};

static const struct op_info op_info[CUSTOMIZE_NR_KINDS] = {
#define CUSTOMIZE_INFO_(name, opt, has_arg, metavar, help) \
  [CUSTOMIZE_##name] = { opt, has_arg, metavar, help },
  CUSTOMIZE_OPERATIONS (CUSTOMIZE_INFO_)
#undef CUSTOMIZE_INFO_
};

static void *
xrealloc (void *p, size_t n)
{
  void *r = realloc (p, n);
  if (!r) {
    perror ("realloc");
    exit (EXIT_FAILURE);
  }
  return r;
}

static char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (!r) {
    perror ("strdup");
    exit (EXIT_FAILURE);
  }
  return r;
}

struct option *
customize_long_options (const struct option *tool_opts)
{
  size_t n = 0;
  while (tool_opts[n].name)
    n++;
  struct option *r = xrealloc (NULL, (n + CUSTOMIZE_NR_KINDS + 1) * sizeof *r);
  memcpy (r, tool_opts, n * sizeof *r);
  for (int k = 0; k < CUSTOMIZE_NR_KINDS; ++k)
    r[n++] = (struct option) { op_info[k].name,
                               op_info[k].has_arg ? required_argument : no_argument,
                               NULL, CUSTOMIZE_OPT_BASE + k };
  r[n] = (struct option) { NULL, 0, NULL, 0 };
  return r;
}

void
customize_print_help (void)
{
  for (int k = 0; k < CUSTOMIZE_NR_KINDS; ++k) {
    char left[64];
    if (op_info[k].metavar)
      snprintf (left, sizeof left, "--%s %s", op_info[k].name, op_info[k].metavar);
    else
      snprintf (left, sizeof left, "--%s", op_info[k].name);
    if (strlen (left) <= 19)
      printf ("  %-19s  %s\n", left, op_info[k].help);
    else
      printf ("  %s\n  %-19s  %s\n", left, "", op_info[k].help);
  }
}

static int commands_from_file (struct customize *cz, const char *filename);

/* Values checked at parse time, so a mistake is reported before the
 * appliance is launched. */
static int
check_value (struct customize *cz, enum customize_op_kind k, const char *arg)
{
  const char *colon = arg ? strchr (arg, ':') : NULL;
  switch (k) {
  case CUSTOMIZE_APPEND_LINE: case CUSTOMIZE_CHMOD: case CUSTOMIZE_CHOWN: case CUSTOMIZE_COPY:
  case CUSTOMIZE_COPY_IN: case CUSTOMIZE_EDIT: case CUSTOMIZE_LINK:
  case CUSTOMIZE_MOVE: case CUSTOMIZE_PASSWORD: case CUSTOMIZE_UPLOAD:
  case CUSTOMIZE_WRITE:
    if (!colon || colon == arg) {
      fprintf (stderr, "%s: invalid format for ‘--%s’ parameter, see the man page.\n",
               cz->program, op_info[k].name);
      return -1;
    }
    break;
  default:
    break;
  }
  if (k == CUSTOMIZE_CHMOD) {
    char *end;
    errno = 0;
    long mode = strtol (arg, &end, 0);
    if (errno || end != colon || mode < 0 || mode > 07777) {
      fprintf (stderr, "%s: --chmod: ‘%.*s’ is not a permission mode (use octal with a "
               "leading 0, e.g. 0755)\n", cz->program, (int) (colon - arg), arg);
      return -1;
    }
  }
  return 0;
}

static void
add_op (struct customize *cz, enum customize_op_kind k, const char *arg)
{
  cz->ops = xrealloc (cz->ops, (cz->nr_ops + 1) * sizeof *cz->ops);
  cz->ops[cz->nr_ops++] = (struct customize_op) { k, arg ? xstrdup (arg) : NULL };
}

/* One operation K with ARG (NULL for those without argument). */
static int
take (struct customize *cz, enum customize_op_kind k, const char *arg)
{
  if (check_value (cz, k, arg) == -1)
    return -1;
  switch (k) {
  case CUSTOMIZE_COMMANDS_FROM_FILE:
    return commands_from_file (cz, arg);
  case CUSTOMIZE_NO_LOGFILE:
    cz->no_logfile = true;
    return 0;
  case CUSTOMIZE_SELINUX_RELABEL:
    cz->selinux_relabel = true;
    return 0;
  case CUSTOMIZE_PASSWORD_CRYPTO:
    if (strcmp (arg, "md5") == 0) cz->crypto = CUSTOMIZE_CRYPTO_MD5;
    else if (strcmp (arg, "sha256") == 0) cz->crypto = CUSTOMIZE_CRYPTO_SHA256;
    else if (strcmp (arg, "sha512") == 0) cz->crypto = CUSTOMIZE_CRYPTO_SHA512;
    else {
      fprintf (stderr, "%s: --password-crypto: unknown algorithm %s, use one of: "
               "md5, sha256, sha512\n", cz->program, arg);
      return -1;
    }
    return 0;
  case CUSTOMIZE_SM_CREDENTIALS:
    if (!strstr (arg, ":password:") && !strstr (arg, ":file:")) {
      fprintf (stderr, "%s: invalid format for ‘--sm-credentials’ parameter, see the "
               "man page.\n", cz->program);
      return -1;
    }
    free (cz->sm_credentials);
    cz->sm_credentials = xstrdup (arg);
    return 0;
  default:
    add_op (cz, k, arg);
    return 0;
  }
}

int
customize_option (struct customize *cz, int c, const char *arg)
{
  if (c < CUSTOMIZE_OPT_BASE || c >= CUSTOMIZE_OPT_BASE + CUSTOMIZE_NR_KINDS)
    return 0;
  return take (cz, (enum customize_op_kind) (c - CUSTOMIZE_OPT_BASE), arg) == -1 ? -1 : 1;
}

/* One command per line ("NAME ARG"), '#' comments, blank lines, and a
 * '\' at the end of a line joining it to the next one. */
static int
commands_from_file (struct customize *cz, const char *filename)
{
  FILE *fp = fopen (filename, "r");
  if (!fp) {
    fprintf (stderr, "%s: --commands-from-file: %s: %s\n", cz->program, filename,
             strerror (errno));
    return -1;
  }
  char *line = NULL, *cmd = NULL;
  size_t cap = 0, cmdlen = 0;
  ssize_t len;
  int lineno = 0, r = 0, first = 0;
  while (r == 0 && (len = getline (&line, &cap, fp)) != -1) {
    lineno++;
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    if (!cmd) {
      first = lineno;
      if (len == 0 || line[0] == '#')
        continue;
    }
    bool more = len > 0 && line[len - 1] == '\\';
    if (more)
      line[--len] = '\0';
    cmd = xrealloc (cmd, cmdlen + len + 1);
    memcpy (cmd + cmdlen, line, len + 1);
    cmdlen += len;
    if (more)
      continue;
    /* NAME [ARG] */
    char *sp = strchr (cmd, ' ');
    if (sp)
      *sp = '\0';
    int k;
    for (k = 0; k < CUSTOMIZE_NR_KINDS; ++k)
      if (strcmp (op_info[k].name, cmd) == 0)
        break;
    if (k == CUSTOMIZE_NR_KINDS) {
      fprintf (stderr, "%s: %s:%d: unknown command ‘%s’\n", cz->program, filename,
               first, cmd);
      r = -1;
    }
    else if (op_info[k].has_arg && !sp) {
      fprintf (stderr, "%s: %s:%d: command ‘%s’ needs an argument\n", cz->program,
               filename, first, cmd);
      r = -1;
    }
    else if (!op_info[k].has_arg && sp && sp[1]) {
      fprintf (stderr, "%s: %s:%d: command ‘%s’ takes no argument\n", cz->program,
               filename, first, cmd);
      r = -1;
    }
    else
      r = take (cz, (enum customize_op_kind) k, op_info[k].has_arg ? sp + 1 : NULL);
    free (cmd);
    cmd = NULL;
    cmdlen = 0;
  }
  if (r == 0 && cmd) {
    fprintf (stderr, "%s: %s:%d: the file ends after a continuation line\n",
             cz->program, filename, lineno);
    r = -1;
  }
  if (r == 0 && ferror (fp)) {
    fprintf (stderr, "%s: --commands-from-file: %s: %s\n", cz->program, filename,
             strerror (errno));
    r = -1;
  }
  free (cmd);
  free (line);
  fclose (fp);
  return r;
}

bool
customize_wants_network (const struct customize *cz)
{
  for (size_t i = 0; i < cz->nr_ops; ++i)
    switch (cz->ops[i].kind) {
    case CUSTOMIZE_INSTALL: case CUSTOMIZE_UNINSTALL: case CUSTOMIZE_UPDATE:
    case CUSTOMIZE_RUN: case CUSTOMIZE_RUN_COMMAND: case CUSTOMIZE_SM_REGISTER:
    case CUSTOMIZE_SM_ATTACH: case CUSTOMIZE_SM_REMOVE: case CUSTOMIZE_SM_UNREGISTER:
      return true;
    default:
      break;
    }
  return false;
}

void
customize_free (struct customize *cz)
{
  for (size_t i = 0; i < cz->nr_ops; ++i)
    free (cz->ops[i].arg);
  free (cz->ops);
  free (cz->sm_credentials);
  cz->ops = NULL;
  cz->nr_ops = 0;
  cz->sm_credentials = NULL;
}

int
customize_getopt (struct customize *cz, int argc, char *argv[],
                  const char *short_opts, const struct option *long_opts)
{
  int c;
  while ((c = getopt_long (argc, argv, short_opts, long_opts, NULL)) != -1) {
    int r = customize_option (cz, c, optarg);
    if (r == -1)
      exit (EXIT_FAILURE);
    if (r == 0)
      return c;
  }
  return -1;
}
