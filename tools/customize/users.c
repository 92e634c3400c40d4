/* Passwords (--root-password, --password, --password-crypto) and ssh
 * keys (--ssh-inject).  The guest's /etc/shadow and /etc/passwd are read
 * and changed through Augeas in the appliance, never parsed here. */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "customize.h"
#include "internal.h"
#include "run.h"
#include "util.h"

char *
customize_crypt (const char *password, enum customize_crypto crypto)
{
  const char *prefix = crypto == CUSTOMIZE_CRYPTO_MD5 ? "$1$" :
                       crypto == CUSTOMIZE_CRYPTO_SHA256 ? "$5$" : "$6$";
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn (prefix, 0, NULL, 0, salt, sizeof salt)) {
    perror ("crypt_gensalt");
    return NULL;
  }
  struct crypt_data *cd = calloc (1, sizeof *cd);
  if (!cd) {
    perror ("calloc");
    return NULL;
  }
  char *h = crypt_r (password, salt, cd);
  char *r = h && h[0] != '*' ? strdup (h) : NULL;
  if (!r)
    fprintf (stderr, "crypt: %s\n", strerror (errno ? errno : EINVAL));
  explicit_bzero (cd, sizeof *cd);
  free (cd);
  return r;
}

/* 20 characters from 62: about 119 bits. */
static char *
random_password (void)
{
  static const char chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  char *pw = malloc (21);
  if (!pw)
    return NULL;
  for (int i = 0; i < 20; ) {
    unsigned char b;
    if (getrandom (&b, 1, 0) != 1) {
      perror ("getrandom");
      free (pw);
      return NULL;
    }
    if (b < 248)                /* 248 = 4 * 62: no bias */
      pw[i++] = chars[b % 62];
  }
  pw[20] = '\0';
  return pw;
}

/* The first line of FILENAME. */
static char *
read_first_line (const char *program, const char *filename)
{
  FILE *fp = fopen (filename, "r");
  if (!fp) {
    fprintf (stderr, "%s: %s: %s\n", program, filename, strerror (errno));
    return NULL;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline (&line, &cap, fp);
  fclose (fp);
  if (n == -1) {
    fprintf (stderr, "%s: %s: the file is empty\n", program, filename);
    free (line);
    return NULL;
  }
  line[strcspn (line, "\r\n")] = '\0';
  return line;
}

/* The shadow field for SELECTOR ("password:P", "file:F", "random",
 * "disabled", "locked[:...]").  *PRINT_RANDOM is set to the password
 * chosen for "random" (to show it to the user). */
static char *
shadow_field (const char *program, const char *selector, enum customize_crypto crypto,
              char **random_pw)
{
  bool locked = false;
  if (strcmp (selector, "locked") == 0) {
    selector = "disabled";
    locked = true;
  }
  else if (strncmp (selector, "locked:", 7) == 0) {
    selector += 7;
    locked = true;
  }
  char *pw = NULL;
  if (strcmp (selector, "disabled") == 0)
    return strdup (locked ? "!*" : "*");
  if (strncmp (selector, "password:", 9) == 0)
    pw = strdup (selector + 9);
  else if (strncmp (selector, "file:", 5) == 0)
    pw = read_first_line (program, selector + 5);
  else if (strcmp (selector, "random") == 0) {
    pw = random_password ();
    *random_pw = pw ? strdup (pw) : NULL;
  }
  else {
    fprintf (stderr, "%s: invalid password selector ‘%s’; see the man page\n",
             program, selector);
    return NULL;
  }
  if (!pw)
    return NULL;
  char *h = customize_crypt (pw, crypto);
  explicit_bzero (pw, strlen (pw));
  free (pw);
  if (!h || !locked)
    return h;
  char *r;
  if (asprintf (&r, "!%s", h) == -1)
    r = NULL;
  free (h);
  return r;
}

/* sha512 unless the guest is too old to know it. */
static enum customize_crypto
default_crypto (guestfs_h *g, const char *root)
{
  char *distro = TOOL_QUIET (g, guestfs_inspect_get_distro (g, root));
  int major = TOOL_QUIET (g, guestfs_inspect_get_major_version (g, root));
  enum customize_crypto c = CUSTOMIZE_CRYPTO_SHA512;
  if (distro && major > 0 &&
      (((strcmp (distro, "rhel") == 0 || strcmp (distro, "centos") == 0 ||
         strcmp (distro, "scientificlinux") == 0 || strcmp (distro, "oraclelinux") == 0)
        && major < 5) ||
       (strcmp (distro, "fedora") == 0 && major < 9) ||
       (strcmp (distro, "debian") == 0 && major < 5)))
    c = CUSTOMIZE_CRYPTO_MD5;
  free (distro);
  return c;
}

/* Augeas over just the files we need (loading every lens is slow). */
static int
aug_open (guestfs_h *g, const char *lens, const char *file)
{
  if (guestfs_aug_init (g, "/", 64 /* AUG_NO_MODL_AUTOLOAD */) == -1 ||
      guestfs_aug_transform (g, lens, file, -1) == -1 ||
      guestfs_aug_load (g) == -1)
    return -1;
  return 0;
}

int
customize_set_passwords (guestfs_h *g, const char *root, struct customize *cz,
                         char **users, char **selectors, size_t n)
{
  if (n == 0)
    return 0;
  enum customize_crypto crypto = cz->crypto != CUSTOMIZE_CRYPTO_DEFAULT ? cz->crypto
                                 : default_crypto (g, root);
  if (aug_open (g, "Shadow", "/etc/shadow") == -1)
    return -1;
  int r = 0;
  for (size_t i = 0; i < n && r == 0; ++i) {
    bool later = false;
    for (size_t j = i + 1; j < n; ++j)
      if (strcmp (users[i], users[j]) == 0)
        later = true;
    if (later)
      continue;
    char *node;
    if (asprintf (&node, "/files/etc/shadow/%s", users[i]) == -1) {
      r = -1;
      break;
    }
    char **m = guestfs_aug_match (g, node);
    if (!m || !m[0]) {
      if (m)
        fprintf (stderr, "%s: user ‘%s’ does not exist in the guest (its /etc/shadow "
                 "has no entry for it)\n", cz->program, users[i]);
      tool_free_strings (m);
      free (node);
      r = -1;
      break;
    }
    tool_free_strings (m);
    char *random_pw = NULL;
    char *field = shadow_field (cz->program, selectors[i], crypto, &random_pw);
    if (!field)
      r = -1;
    else {
      char *pnode;
      if (asprintf (&pnode, "%s/password", node) == -1)
        r = -1;
      else {
        r = guestfs_aug_set (g, pnode, field);
        free (pnode);
      }
      if (r == 0 && random_pw)
        printf ("%s: Setting random password of %s to %s\n", cz->program, users[i],
                random_pw);
    }
    free (random_pw);
    free (field);
    free (node);
  }
  if (r == 0 && guestfs_aug_save (g) == -1)
    r = -1;
  guestfs_aug_close (g);
  return r;
}

static char *
default_public_key (const char *program)
{
  /* ssh-copy-id's default: the newest of ~/.ssh/id*.pub.  Simplified to
   * the usual names, in the order ssh-keygen suggests them. */
  const char *home = getenv ("HOME");
  static const char *names[] = { "id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub",
                                 "id_ed25519_sk.pub", "id_ecdsa_sk.pub", "id_dsa.pub" };
  for (size_t i = 0; home && i < sizeof names / sizeof names[0]; ++i) {
    char *p;
    if (asprintf (&p, "%s/.ssh/%s", home, names[i]) == -1)
      return NULL;
    if (access (p, R_OK) == 0) {
      char *k = read_first_line (program, p);
      free (p);
      return k;
    }
    free (p);
  }
  fprintf (stderr, "%s: --ssh-inject: no public key found in ~/.ssh (id_*.pub); "
           "give one with USER:file:FILENAME\n", program);
  return NULL;
}

int
customize_ssh_inject (guestfs_h *g, struct customize *cz, const char *arg)
{
  char *user = strdup (arg);
  if (!user)
    return -1;
  char *sel = strchr (user, ':');
  if (sel)
    *sel++ = '\0';
  char *key = NULL;
  if (!sel)
    key = default_public_key (cz->program);
  else if (strncmp (sel, "file:", 5) == 0)
    key = read_first_line (cz->program, sel + 5);
  else if (strncmp (sel, "string:", 7) == 0)
    key = strdup (sel + 7);
  else
    fprintf (stderr, "%s: --ssh-inject: invalid selector ‘%s’ (use file:FILENAME or "
             "string:KEY)\n", cz->program, sel);
  if (!key) {
    free (user);
    return -1;
  }

  int r = -1;
  char *home = NULL, *uid = NULL, *gid = NULL, *p;
  if (aug_open (g, "Passwd", "/etc/passwd") == -1)
    goto out;
  if (asprintf (&p, "/files/etc/passwd/%s/home", user) != -1) {
    home = TOOL_QUIET (g, guestfs_aug_get (g, p));
    free (p);
  }
  if (asprintf (&p, "/files/etc/passwd/%s/uid", user) != -1) {
    uid = TOOL_QUIET (g, guestfs_aug_get (g, p));
    free (p);
  }
  if (asprintf (&p, "/files/etc/passwd/%s/gid", user) != -1) {
    gid = TOOL_QUIET (g, guestfs_aug_get (g, p));
    free (p);
  }
  guestfs_aug_close (g);
  if (!home || !uid || !gid || home[0] != '/') {
    fprintf (stderr, "%s: --ssh-inject: user ‘%s’ does not exist in the guest (or has "
             "no home directory in /etc/passwd)\n", cz->program, user);
    goto out;
  }
  char *sshdir, *authkeys;
  if (asprintf (&sshdir, "%s/.ssh", strcmp (home, "/") == 0 ? "" : home) == -1)
    goto out;
  if (asprintf (&authkeys, "%s/authorized_keys", sshdir) == -1) {
    free (sshdir);
    goto out;
  }
  int u = atoi (uid), gr = atoi (gid);
  int exists = guestfs_is_dir (g, sshdir);
  if (exists == 0 &&
      (guestfs_mkdir_mode (g, sshdir, 0700) == -1 || guestfs_chown (g, u, gr, sshdir) == -1))
    exists = -1;
  if (exists != -1) {
    int had = guestfs_exists (g, authkeys);
    if (had != -1) {
      r = customize_append_line (g, authkeys, key);
      if (r == 0 && !had &&
          (guestfs_chmod (g, 0600, authkeys) == -1 ||
           guestfs_chown (g, u, gr, authkeys) == -1))
        r = -1;
    }
  }
  free (sshdir);
  free (authkeys);
 out:
  free (home);
  free (uid);
  free (gid);
  free (key);
  free (user);
  return r;
}
