/* The inspection core: what every inspection module may use.
 *
 * The entry points (inspect.c: inspect_os and the getters; apps.c:
 * application lists and icons) call the per-OS modules (linux.c,
 * windows.c, bsd-installer.c, rpm.c); the per-OS modules use only this
 * core (core.c, fstab.c, osinfo.c), never each other.
 *
 * inspect_os mounts each candidate filesystem read-only on a private
 * directory under INSPECT_DIR, looks at it through a directory fd, and
 * records what it found in a struct inspect_os kept in the daemon until the
 * next inspect_os.  Every guest file is opened with openat2
 * (RESOLVE_IN_ROOT) relative to that fd, so guest symlinks stay inside the
 * inspected filesystem.  Parsers never fail the inspection: a field they
 * cannot fill stays "unknown" (or 0). */
#ifndef HATCH_DAEMON_INSPECT_H
#define HATCH_DAEMON_INSPECT_H

#include <stdbool.h>
#include <stddef.h>

#define INSPECT_DIR "/run/inspect"
#define INSPECT_MAX_CONFIG (1024 * 1024)        /* config files */
#define INSPECT_MAX_PKGDB (64 * 1024 * 1024)     /* package databases */

struct inspect_os {
  char *root;                   /* device of the root filesystem */
  char *type, *distro, *product_name, *product_variant;
  char *arch, *hostname, *package_format, *package_management, *osinfo;
  char *build_id;               /* Windows build number, os-release BUILD_ID */
  int major, minor;
  char **mountpoints;           /* mountpoint, device, ..., NULL */
  char **filesystems;           /* NULL-terminated */
  char **drive_mappings;        /* letter, device, ..., NULL */
  char *windows_systemroot, *windows_software_hive;
  char *windows_system_hive, *windows_current_control_set;
  /* The SOFTWARE hive records applied Group Policy Objects. */
  bool windows_group_policy;
  /* Install and live disks (bsd-installer.c); format NULL: "installed". */
  const char *format;
  bool live, netinst, multipart;
  /* A Linux root whose operating system is in a separate /usr filesystem
   * (CoreOS, Flatcar, a split /usr): inspect_os completes it from the
   * /usr filesystem once every filesystem has been looked at. */
  bool needs_usr;
};

/* One filesystem as blkid sees it, for fstab resolution. */
struct inspect_fsinfo {
  char *device, *type, *uuid, *label, *partuuid, *partlabel;
};

/* ==== the shared core ==== */

/* ---- guest files (core.c) ---- */
int inspect_open (int rootfd, const char *path, int flags);
bool inspect_is_dir (int rootfd, const char *path);
bool inspect_is_file (int rootfd, const char *path);
/* Exists at all (a dangling symlink counts). */
bool inspect_lexists (int rootfd, const char *path);
/* The content of a regular file of at most max bytes, NUL-terminated;
 * NULL if missing, not a regular file, too big or unreadable. */
char *inspect_read_file (int rootfd, const char *path, size_t max, size_t *len_r);
/* Same through an already opened fd (for sysroot_open). */
char *inspect_read_fd (int fd, size_t max, size_t *len_r);
/* The first non-empty line, trimmed; NULL if none. */
char *inspect_first_line (int rootfd, const char *path);
/* Value of KEY in a shell-style KEY=value file's content (quotes removed);
 * NULL if absent. */
char *inspect_shell_var (const char *content, const char *key);
/* Trim surrounding white space in place. */
char *inspect_trim (char *s);
/* "12.5" -> 12, 5.  Returns true if a major version was found. */
bool inspect_parse_version (const char *s, int *major, int *minor);
/* Set *field to a copy of value if *field is NULL or "unknown". */
void inspect_set (char **field, const char *value);
void inspect_replace (char **field, const char *value);

/* ---- roots, architectures (core.c) ---- */
/* Is the filesystem at rootfd the root of a Unix-like OS? */
bool inspect_is_unix_root (int rootfd);
/* A CoreOS or Flatcar root (its OS is in a separate /usr)? */
bool inspect_is_coreos_root (int rootfd);
/* Architecture from the ELF header of the usual binaries. */
void inspect_find_arch (int rootfd, struct inspect_os *os);

/* ---- osinfo IDs (osinfo.c) ---- */
void inspect_set_osinfo (struct inspect_os *os);

/* ---- fstab (fstab.c) ---- */
/* Mountpoints and filesystems from the guest's /etc/fstab; device names
 * are translated to the appliance's (Linux and BSD names). */
void inspect_fstab (int rootfd, struct inspect_os *os,
                    const struct inspect_fsinfo *fs, size_t nfs);

/* ==== the per-OS modules (used by inspect.c and apps.c only) ==== */

/* ---- Linux (linux.c) ---- */
/* Fill type, distro, product, version, arch, hostname, packaging, osinfo. */
void inspect_linux (int rootfd, struct inspect_os *os);
/* A /usr filesystem (no /etc; lib/os-release, bin): fills distro, product
 * name, version and arch of os from it.  Returns false if it is not one. */
bool inspect_usr_fs (int usrfd, struct inspect_os *os);
/* Complete a needs_usr root from its /usr filesystem's findings. */
void inspect_merge_usr (struct inspect_os *os, const struct inspect_os *usr);

/* ---- rpm package database (rpm.c) ---- */
struct inspect_rpm_pkg {
  char *name, *version, *release, *arch, *url, *summary, *description;
  int epoch;
};
/* Called once per package; takes ownership of the strings (even when it
 * fails).  Returns 0, or -1 to stop with an error (errno set). */
typedef int (*inspect_rpm_cb) (void *opaque, struct inspect_rpm_pkg *pkg);
/* The packages of the rpm database of the guest mounted at SYSROOT (sqlite,
 * ndb or Berkeley DB, whichever the guest has).  A missing or garbled
 * database gives fewer (or no) packages, never an error; -1 only if cb
 * failed or memory ran out. */
int inspect_rpm_list (inspect_rpm_cb cb, void *opaque);
/* One rpm header blob (the layout all three databases store); 0 if it
 * parsed and named a package, -1 otherwise. */
int inspect_rpm_parse_header (const unsigned char *blob, size_t len,
                              struct inspect_rpm_pkg *pkg);
void inspect_rpm_free_pkg (struct inspect_rpm_pkg *pkg);

/* ---- BSD, install and live disks, btrfs subvolumes (bsd-installer.c) ---- */
enum inspect_other_kind {
  INSPECT_OTHER_NONE, INSPECT_OTHER_INSTALLER, INSPECT_OTHER_BSD,
};
/* Does the filesystem at rootfd hold one of the systems of bsd-installer.c?
 * (Asked before the Linux and Windows tests.) */
enum inspect_other_kind inspect_other_probe (int rootfd);
/* Fill os (after init_os) for a root inspect_other_probe recognised. */
void inspect_other (int rootfd, enum inspect_other_kind kind, struct inspect_os *os,
                    const struct inspect_fsinfo *fs, size_t nfs);
/* Mount read-only what plain mount(2) cannot: btrfsvol: mountables, UFS
 * (needs ufstype=).  Returns 0 if mounted, 1 if not one of these, -1 on
 * failure (errno set). */
int inspect_other_mount_ro (const char *dev, const char *type, const char *dir,
                            unsigned long flags);

/* ---- application lists (the list type: core.c) ---- */
/* One installed application; NULL strings come out as "". */
struct app {
  char *name, *display_name, *epoch_s, *version, *release, *arch;
  char *install_path, *publisher, *url, *source, *summary, *description;
  int epoch;
};
struct apps {
  struct app *v;
  size_t n, alloc;
};
/* Append a (a nameless one is dropped); takes ownership of a's strings,
 * even on failure.  -1 when out of memory. */
int inspect_add_app (struct apps *l, struct app *a);
/* Free one application's strings (and zero it). */
void inspect_free_app (struct app *a);
void inspect_free_apps (struct apps *l);

/* ==== the entry points ==== */

/* ---- stored results (inspect.c) ---- */
/* The stored OS for root, or NULL after replying with an error. */
struct inspect_os *inspect_find_root (const char *root);

#endif
