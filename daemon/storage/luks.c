/* LUKS and other cryptsetup devices: format, keys, open, close.
 *
 * Keys never appear on a command line (where /proc/PID/cmdline would show
 * them): the key goes to cryptsetup on its stdin (--key-file=-), and the
 * second key that luksAddKey needs goes through an anonymous memory file
 * (memfd) that only root inside the appliance could read. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.h"
#include "actions-gen.h"

/* LUKS2 has 32 key slots (LUKS1: 8; cryptsetup checks the real limit). */
#define MAX_KEYSLOT 31

/* Run cryptsetup with argv, feeding key (may be NULL) on stdin.  On failure
 * reply "what: cryptsetup's message" and return -1. */
static int
run_cryptsetup (char **out, const char *what, const char *key, const char *const *argv)
{
  struct command_opts opts = { 0 };
  if (key) {
    opts.stdin_data = key;
    opts.stdin_len = strlen (key);
  }
  CLEANUP_FREE char *err = NULL;
  char *o = NULL;
  int r = command_run (&opts, &o, &err, argv);
  if (r != 0) {
    free (o);
    reply_with_error ("%s: %s", what,
                      err && *err ? trim_newlines (err) : "cryptsetup failed");
    return -1;
  }
  if (out)
    *out = o;
  else
    free (o);
  return 0;
}

#define CRYPTSETUP(out, what, key, ...) \
  run_cryptsetup ((out), (what), (key), (const char *const[]) { "cryptsetup", __VA_ARGS__, NULL })

static int
check_keyslot (int keyslot)
{
  if (keyslot >= 0 && keyslot <= MAX_KEYSLOT)
    return 0;
  reply_with_error_errno (EINVAL, "key slot %d out of range (0 to %d)", keyslot, MAX_KEYSLOT);
  return -1;
}

static int
luks_format (const char *device, const char *key, int keyslot, const char *cipher)
{
  if (check_keyslot (keyslot) == -1)
    return -1;
  if (cipher && (cipher[0] == '\0' || cipher[0] == '-')) {
    reply_with_error_errno (EINVAL, "%s: invalid cipher", cipher);
    return -1;
  }
  char slot[16];
  snprintf (slot, sizeof slot, "--key-slot=%d", keyslot);
  CLEANUP_FREE char *ciph = NULL;
  if (cipher && asprintf (&ciph, "--cipher=%s", cipher) == -1) {
    reply_with_perror ("asprintf");
    return -1;
  }
  /* --batch-mode: no "are you sure" question (erasing is the point). */
  const char *argv[] = { "cryptsetup", "--batch-mode", "luksFormat", "--key-file=-", slot,
                         ciph ? ciph : device, ciph ? device : NULL, NULL };
  return run_cryptsetup (NULL, device, key, argv);
}

int
do_luks_format (const char *device, const char *key, int keyslot)
{
  return luks_format (device, key, keyslot, NULL);
}

int
do_luks_format_cipher (const char *device, const char *key, int keyslot, const char *cipher)
{
  return luks_format (device, key, keyslot, cipher);
}

int
do_luks_add_key (const char *device, const char *key, const char *newkey, int keyslot)
{
  if (check_keyslot (keyslot) == -1)
    return -1;
  CLEANUP_CLOSE int fd = memfd_create ("newkey", MFD_CLOEXEC);
  if (fd == -1) {
    reply_with_perror ("memfd_create");
    return -1;
  }
  size_t len = strlen (newkey);
  if (write (fd, newkey, len) != (ssize_t) len) {
    reply_with_perror ("write");
    return -1;
  }
  CLEANUP_FREE char *path = fd_path (fd);
  if (path == NULL) {
    reply_with_perror ("malloc");
    return -1;
  }
  char slot[16];
  snprintf (slot, sizeof slot, "--key-slot=%d", keyslot);
  /* Both keys come from files, so cryptsetup never prompts; a slot that
   * is already used is an error. */
  return CRYPTSETUP (NULL, device, key, "luksAddKey", "--key-file=-", slot, device, path);
}

/* Which key slot does key open?  -1 (replied) if none. */
static int
unlocked_slot (const char *device, const char *key)
{
  CLEANUP_FREE char *out = NULL;
  if (CRYPTSETUP (&out, device, key, "open", "--test-passphrase", "--verbose",
                  "--key-file=-", device) == -1)
    return -1;
  const char *p = strstr (out, "Key slot ");
  int slot;
  if (p == NULL || sscanf (p, "Key slot %d unlocked", &slot) != 1) {
    reply_with_error ("%s: cannot tell which key slot the key opened", device);
    return -1;
  }
  return slot;
}

int
do_luks_kill_slot (const char *device, const char *key, int keyslot)
{
  if (check_keyslot (keyslot) == -1)
    return -1;
  /* The key must belong to another slot, so that the device stays
   * accessible after the slot is erased. */
  int slot = unlocked_slot (device, key);
  if (slot == -1)
    return -1;
  if (slot == keyslot) {
    reply_with_error_errno (EINVAL, "%s: the key given is the one in key slot %d: "
                            "give the key of another slot", device, keyslot);
    return -1;
  }
  char n[16];
  snprintf (n, sizeof n, "%d", keyslot);
  return CRYPTSETUP (NULL, device, key, "luksKillSlot", "--key-file=-", device, n);
}

char *
do_luks_uuid (const char *device)
{
  char *out = NULL;
  if (CRYPTSETUP (&out, device, NULL, "luksUUID", device) == -1)
    return NULL;
  trim_newlines (out);
  return out;
}

/* ---- open and close ---- */

/* Device-mapper names: our rule is letters, digits and "_+.:-", not
 * starting with '-', not "control" (device-mapper's own node). */
static int
check_mapname (const char *mapname)
{
  size_t len = strlen (mapname);
  bool ok = len > 0 && len <= 127 && mapname[0] != '-' && mapname[0] != '.' &&
    strcmp (mapname, "control") != 0;
  for (const char *p = mapname; ok && *p; ++p)
    ok = isalnum ((unsigned char) *p) || strchr ("_+.:-", *p);
  if (ok)
    return 0;
  reply_with_error_errno (EINVAL, "%s: invalid mapping name", mapname);
  return -1;
}

static bool
is_bitlocker (const char *device)
{
  CLEANUP_FREE char *out = NULL, *err = NULL;
  if (command (&out, &err, "blkid", "-p", "-o", "value", "-s", "TYPE", device, NULL) != 0)
    return false;
  return strcmp (trim_newlines (out), "BitLocker") == 0;
}

/* The key derivation a LUKS header asks for runs on every open: a
 * hostile header with 2^32 PBKDF2 iterations or an absurd Argon2 time
 * or memory cost would keep cryptsetup busy for hours or exhaust the
 * appliance.  Refuse such headers before trying a key: far beyond what
 * cryptsetup ever chooses (a few million iterations, time cost < 100,
 * memory <= 4 GiB).  The figures come from cryptsetup's own luksDump,
 * so a header it cannot read fails there with its message.  */
#define LUKS_MAX_ITERATIONS 100000000ULL
#define LUKS_MAX_TIME_COST  1000ULL
#define LUKS_MAX_MEMORY_KB  (4ULL * 1024 * 1024)

static int
check_luks_cost (const char *device)
{
  CLEANUP_FREE char *out = NULL;
  if (CRYPTSETUP (&out, device, NULL, "luksDump", device) == -1)
    return -1;
  static const struct { const char *label; unsigned long long max; const char *what; } limits[] = {
    { "Iterations:", LUKS_MAX_ITERATIONS, "PBKDF2 iterations" },
    { "MK iterations:", LUKS_MAX_ITERATIONS, "master key digest iterations" },
    { "Time cost:", LUKS_MAX_TIME_COST, "Argon2 time cost" },
    { "Memory:", LUKS_MAX_MEMORY_KB, "Argon2 memory (KiB)" },
  };
  for (char *line = out; line && *line; ) {
    char *nl = strchr (line, '\n');
    if (nl)
      *nl = '\0';
    const char *p = line;
    while (*p == ' ' || *p == '\t')
      p++;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
      size_t l = strlen (limits[i].label);
      if (strncmp (p, limits[i].label, l) != 0)
        continue;
      unsigned long long v = strtoull (p + l, NULL, 10);
      if (v > limits[i].max) {
        reply_with_error_errno (EINVAL, "%s: the LUKS header asks for %llu %s (the limit is %llu): "
                                "refusing to open a hostile or damaged header",
                                device, v, limits[i].what, limits[i].max);
        return -1;
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  return 0;
}

/* A valid name that no mapping has yet; else replied, -1. */
static int
check_new_mapname (const char *mapname)
{
  if (check_mapname (mapname) == -1)
    return -1;
  char path[PATH_MAX];
  snprintf (path, sizeof path, "/dev/mapper/%s", mapname);
  if (access (path, F_OK) == 0) {
    reply_with_error_errno (EEXIST, "%s: already exists", path);
    return -1;
  }
  return 0;
}

static int
crypt_open (const char *device, const char *key, const char *mapname,
            bool readonly, const char *crypttype)
{
  if (check_new_mapname (mapname) == -1)
    return -1;
  const char *type;
  if (crypttype == NULL)
    type = is_bitlocker (device) ? "bitlk" : "luks";
  else if (strcmp (crypttype, "luks") == 0 || strcmp (crypttype, "bitlk") == 0)
    type = crypttype;
  else {
    reply_with_error_errno (EINVAL, "%s: unknown crypttype (use \"luks\" or \"bitlk\")",
                            crypttype);
    return -1;
  }
  if (strcmp (type, "luks") == 0 && check_luks_cost (device) == -1)
    return -1;
  char typeopt[32];
  snprintf (typeopt, sizeof typeopt, "--type=%s", type);
  const char *argv[] = { "cryptsetup", "open", typeopt, "--key-file=-",
                         readonly ? "--readonly" : device,
                         readonly ? device : mapname,
                         readonly ? mapname : NULL, NULL };
  return run_cryptsetup (NULL, device, key, argv);
}

/* Clevis: "clevis luks unlock" finds the binding (a LUKS2 token, or
 * luksmeta on LUKS1), runs its pin to recover the key and opens the
 * device with it; the key never passes through the daemon. */
int
do_clevis_luks_unlock (const char *device, const char *mapname)
{
  if (check_new_mapname (mapname) == -1)
    return -1;
  if (!program_exists ("clevis") || !program_exists ("clevis-luks-unlock")) {
    reply_with_error_errno (ENOTSUP, "clevis is not installed in the appliance "
                            "(Debian packages clevis, clevis-luks)");
    return -1;
  }
  /* Without a binding, "unlock" only says the device "could not be
   * opened": "list" (empty, exit status 0) tells that case apart. */
  const char *list[] = { "clevis", "luks", "list", "-d", device, NULL };
  CLEANUP_FREE char *lout = NULL, *lerr = NULL;
  if (command_run (NULL, &lout, &lerr, list) == 0 && (!lout || !*trim_newlines (lout))) {
    reply_with_error_errno (ENOENT, "%s: the LUKS header has no Clevis binding "
                            "(clevis luks bind makes one)", device);
    return -1;
  }
  const char *argv[] = { "clevis", "luks", "unlock", "-d", device, "-n", mapname, NULL };
  CLEANUP_FREE char *out = NULL, *err = NULL;
  int r = command_run (NULL, &out, &err, argv);
  if (r != 0) {
    const char *msg = err && *err ? trim_newlines (err) : out && *out ? trim_newlines (out)
      : "failed";
    reply_with_error ("clevis luks unlock: %s: %s", device, msg);
    return -1;
  }
  char path[PATH_MAX];
  snprintf (path, sizeof path, "/dev/mapper/%s", mapname);
  if (access (path, F_OK) != 0) {
    reply_with_error ("clevis luks unlock: %s: %s was not created", device, path);
    return -1;
  }
  return 0;
}

int
do_cryptsetup_open (const char *device, const char *key, const char *mapname,
                    int readonly, const char *crypttype)
{
  bool ro = (optargs_bitmask & GUESTFS_CRYPTSETUP_OPEN_READONLY_BITMASK) && readonly;
  bool have_type = optargs_bitmask & GUESTFS_CRYPTSETUP_OPEN_CRYPTTYPE_BITMASK;
  return crypt_open (device, key, mapname, ro, have_type ? crypttype : NULL);
}

int
do_luks_open (const char *device, const char *key, const char *mapname)
{
  return crypt_open (device, key, mapname, false, "luks");
}

int
do_luks_open_ro (const char *device, const char *key, const char *mapname)
{
  return crypt_open (device, key, mapname, true, "luks");
}

/* The dm name of device if it is a mapping made by cryptsetup. */
static char *
crypt_mapping_name (const char *device)
{
  struct stat st;
  if (stat (device, &st) == -1 || !S_ISBLK (st.st_mode))
    return NULL;
  char dir[128], p[192], uuid[256] = "", name[256] = "";
  snprintf (dir, sizeof dir, "/sys/dev/block/%u:%u/dm", major (st.st_rdev), minor (st.st_rdev));
  snprintf (p, sizeof p, "%s/uuid", dir);
  FILE *f = fopen (p, "re");
  if (f == NULL)
    return NULL;
  if (fgets (uuid, sizeof uuid, f) == NULL)
    uuid[0] = '\0';
  fclose (f);
  if (strncmp (uuid, "CRYPT-", 6) != 0)
    return NULL;
  snprintf (p, sizeof p, "%s/name", dir);
  f = fopen (p, "re");
  if (f == NULL)
    return NULL;
  if (fgets (name, sizeof name, f) == NULL)
    name[0] = '\0';
  fclose (f);
  name[strcspn (name, "\n")] = '\0';
  return name[0] ? strdup (name) : NULL;
}

int
do_cryptsetup_close (const char *device)
{
  CLEANUP_FREE char *name = crypt_mapping_name (device);
  if (name == NULL) {
    reply_with_error_errno (EINVAL, "%s: not an open encrypted device (give "
                            "/dev/mapper/NAME, not the encrypted device)", device);
    return -1;
  }
  return CRYPTSETUP (NULL, device, NULL, "close", name);
}

int
do_luks_close (const char *device)
{
  return do_cryptsetup_close (device);
}
