/* libFuzzer target: the inspection parsers that run in the daemon over
 * guest files.  The first input byte picks the parser, the rest is the
 * guest file:
 *   0 dpkg status, 1 pacman desc, 2 apk installed, 3 rpm header blob,
 *   4 /etc/os-release, 5 /etc/lsb-release, 6 /etc/fstab,
 *   7 /etc/redhat-release (+ debian_version, the other release files).
 * The os-release/fstab parsers read from a guest root directory: the input
 * is written to a scratch root and the daemon's functions run over it,
 * as inspection does over /sysroot.  apps.c is included whole for its
 * static parsers; the few daemon symbols its entry points name (never
 * reached here) are stubs below that abort.  */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemon/inspection/apps.c"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* ---- never reached: the daemon around the parsers ---- */
uint64_t optargs_bitmask;
int verbose;
void reply_with_perror (const char *fmt, ...) { (void) fmt; abort (); }
int sysroot_open (const char *path, int flags, mode_t mode)
{ (void) path; (void) flags; (void) mode; abort (); }
struct inspect_os *inspect_find_root (const char *root) { (void) root; abort (); }
int inspect_windows_apps (struct inspect_os *os, struct apps *l)
{ (void) os; (void) l; abort (); }
/* fstab.c asks mdadm about the host's arrays (none here): it fails, as
 * when the array is not assembled. */
int command (char **out, char **err, const char *prog, ...)
{ (void) prog; if (out) *out = NULL; if (err) *err = NULL; return -1; }

static int rootfd = -1;

static void
make_root (void)
{
  char dir[] = "/tmp/hatch-fuzz-root-XXXXXX";
  if (!mkdtemp (dir))
    abort ();
  rootfd = open (dir, O_RDONLY | O_DIRECTORY);
  if (rootfd < 0 || mkdirat (rootfd, "etc", 0755) == -1)
    abort ();
}

static void put_more (const char *rel, const uint8_t *data, size_t size);

/* The scratch root holds only REL, with DATA. */
static void
put (const char *rel, const uint8_t *data, size_t size)
{
  static const char *const others[] = {
    "etc/os-release", "etc/lsb-release", "etc/fstab", "etc/redhat-release",
    "etc/debian_version", "etc/hostname", "etc/SuSE-release", "etc/arch-release",
  };
  for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i)
    unlinkat (rootfd, others[i], 0);
  put_more (rel, data, size);
}

/* Add REL with DATA to the scratch root. */
static void
put_more (const char *rel, const uint8_t *data, size_t size)
{
  int fd = openat (rootfd, rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || (size && write (fd, data, size) != (ssize_t) size))
    abort ();
  close (fd);
}

static void
free_list (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    free (l[i]);
  free (l);
}

static void
free_os_fields (struct inspect_os *os)
{
  char **f[] = { &os->root, &os->type, &os->distro, &os->product_name,
                 &os->product_variant, &os->arch, &os->hostname,
                 &os->package_format, &os->package_management, &os->osinfo,
                 &os->windows_systemroot, &os->windows_software_hive,
                 &os->windows_system_hive, &os->windows_current_control_set };
  for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i)
    free (*f[i]);
  free_list (os->mountpoints);
  free_list (os->filesystems);
  free_list (os->drive_mappings);
}

/* As inspect.c's init_os: the root device, and "unknown" in every field
 * the OS modules compare. */
static void
init_os (struct inspect_os *os)
{
  memset (os, 0, sizeof *os);
  char **strs[] = {
    &os->type, &os->distro, &os->product_name, &os->product_variant,
    &os->arch, &os->hostname, &os->package_format, &os->package_management,
    &os->osinfo,
  };
  os->root = strdup ("/dev/sda1");
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; ++i)
    *strs[i] = strdup ("unknown");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  if (rootfd < 0)
    make_root ();
  unsigned which = data[0] % 8;
  data++, size--;
  char *c = malloc (size + 1);
  if (!c)
    return 0;
  memcpy (c, data, size);
  c[size] = '\0';
  struct apps l = { 0 };
  struct app a = { 0 };
  struct inspect_os os;
  init_os (&os);
  switch (which) {
  case 0: parse_dpkg (c, &l); inspect_free_apps (&l); break;
  case 1: parse_pacman_desc (c, &a); inspect_free_app (&a); break;
  case 2: parse_apk (c, &l); inspect_free_apps (&l); break;
  case 3: {
    struct inspect_rpm_pkg p = { 0 };
    if (inspect_rpm_parse_header (data, size, &p) == 0)
      inspect_rpm_free_pkg (&p);
    break;
  }
  case 4: put ("etc/os-release", data, size); inspect_linux (rootfd, &os); break;
  case 5: put ("etc/lsb-release", data, size); inspect_linux (rootfd, &os); break;
  case 6: {
    struct inspect_fsinfo fs[2] = {
      { .device = (char *) "/dev/sda1", .type = (char *) "ext4",
        .uuid = (char *) "0123", .label = (char *) "root" },
      { .device = (char *) "/dev/sda2", .type = (char *) "xfs",
        .uuid = (char *) "4567", .label = (char *) "home" },
    };
    put ("etc/fstab", data, size);
    inspect_fstab (rootfd, &os, fs, 2);
    break;
  }
  case 7:
    put ("etc/redhat-release", data, size);
    inspect_linux (rootfd, &os);
    free_os_fields (&os);
    init_os (&os);
    put ("etc/os-release", (const uint8_t *) "ID=debian\n", 10);
    put_more ("etc/debian_version", data, size);
    inspect_linux (rootfd, &os);
    break;
  }
  free_os_fields (&os);
  free (c);
  return 0;
}
