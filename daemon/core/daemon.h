/* guestfsd internals shared by the main loop and every action file.
 *
 * Conventions for an action do_NAME (prototype in the generated
 * actions-gen.h):
 *  - on success return the value; the generated dispatch encodes and sends it;
 *  - on failure call one of the reply_with_* functions exactly once and
 *    return -1 (or NULL); the dispatch then sends nothing more;
 *  - optional arguments: test `optargs_bitmask & GUESTFS_NAME_OPTNAME_BITMASK`
 *    (macros from guestfs.h's numbering: bit i = i-th optarg in the table);
 *  - guest paths: never build "/sysroot" + path and open it; use
 *    sysroot_open / sysroot_open_parent (openat2 RESOLVE_IN_ROOT), or pass
 *    fd_path() of a safely opened fd to an external tool;
 *  - external programs: run them with command_run (argv, never a shell) and
 *    put their stderr in the error message.  */
#ifndef HATCH_DAEMON_H
#define HATCH_DAEMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xdr.h"
#include "protocol.h"
#include "guestfs.h"   /* structs and GUESTFS_*_BITMASK macros; the daemon does not link the library */

#define SYSROOT "/sysroot"

extern uint64_t optargs_bitmask;
extern int verbose;

/* ---- replies (proto.c) ---- */
/* Send an error reply.  errno value 0 means "no particular errno". */
void reply_with_error (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
void reply_with_error_errno (int err, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
/* Like reply_with_error_errno (errno, "fmt: strerror(errno)"). */
void reply_with_perror (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
/* Send the OK reply with an encoded return value (NULL: none). */
void reply (struct xdr *ret);

/* Progress of the current call; rate-limited inside. */
void notify_progress (uint64_t position, uint64_t total);

/* ---- file streams (proto.c) ---- */
/* FileIn actions: receive the host's chunks, calling cb for each.  Returns 0
 * when the whole file arrived, -1 if the host cancelled or cb returned -1
 * (the rest of the stream is then drained; cb should set errno).  The
 * action must still reply. */
typedef int (*receive_cb) (void *opaque, const void *buf, size_t len);
int receive_file (receive_cb cb, void *opaque);
/* Called by the dispatch after a FileIn action: drains unread chunks. */
void drain_receive (void);
/* FileOut actions: send the file, then send_file_end (0), then return
 * success.  On failure after the first chunk call send_file_end (1) before
 * replying with the error. */
int send_file_write (const void *buf, size_t len);
int send_file_end (int cancel);
/* A buffer for send_file_write that the bulk data disk can take without
 * a copy (aligned for O_DIRECT); free it with free. */
void *send_file_buffer (size_t size);

/* ---- the bulk data disk (bulk.c; common/protocol.h says what it is) ---- */
#define BULK_ALIGN 4096
/* Find and open it: its size, or 0 when the appliance has none. */
uint64_t bulk_open (void);
bool bulk_available (void);
/* An aligned buffer of size bytes (malloc'd: free it), or NULL. */
void *bulk_alloc (size_t size);
/* Read or write len bytes of slot (buf aligned, HATCH_BULK_SLOT_SIZE
 * long).  0, or -1 with errno. */
int bulk_read_slot (unsigned slot, void *buf, size_t len);
int bulk_write_slot (unsigned slot, const void *buf, size_t len);

/* ---- argument checks (devices.c) ---- */
int validate_device (const char *device);       /* replies on failure */
int validate_mountable (const char *mountable);
int validate_dev_or_path (const char *s);
int need_root (const char *action);             /* something mounted on / ? */
/* The disks added by the user, /dev/sda.. in order (not the appliance's).
 * On failure it has already replied with the error: just return NULL. */
char **list_user_devices (void);
bool is_root_mounted (void);
/* Make the kernel's sda, sdb ... follow the order the drives were added. */
void fix_disk_order (void);
/* Wait until the partitions of hot-added disks are in place (devices.c). */
void settle_disk_partitions (void);
/* Start RAID arrays and activate LVM found on the disks at startup, so
 * guest LVs are visible like the guest's own boot would make them
 * (storage/lvm-devices.c; costs nothing when no disk has such signatures). */
void activate_block_layers (void);
/* Whether the ready user disks (sd*) are exactly those on the targets in
 * want (bit t for target t). */
bool user_disks_match (const unsigned char want[HATCH_TARGET_BITMAP]);
/* Flush and delete from the kernel the user disks not in want, unless
 * one is in use (mounted, swap, held by dm/md): then -1 and why. */
int release_unwanted_disks (const unsigned char want[HATCH_TARGET_BITMAP],
                            char *why, size_t whylen);
/* The host restored this appliance from saved state or changes its disks
 * (resume.c): set the clock, reseed the RNG, release the disks the host
 * takes away, wait for the set of disks it names; replies. */
struct xdr;
void resume_after_restore (struct xdr *args);
/* Flush every user disk's write cache (devices.c), before exiting. */
void flush_disks (void);
/* In the boot whose state the host saves: let pending boot work finish. */
void settle_before_save (void);
/* system/augeas.c: compile the lenses for the saved state. */
void augeas_prepare (void);

/* ---- running programs (command.c) ---- */
#define CMD_CHROOT_GUEST   1   /* chroot into SYSROOT (with /dev /proc /sys bound) */
#define CMD_STDIN_FD       2   /* stdin from the fd given in stdin_fd */
#define CMD_STDOUT_FD      4   /* stdout straight to stdout_fd (no capture) */
#define CMD_SANDBOX_GUEST  8   /* in the guest sandbox (sandbox_enter) of sandbox_dir */
struct command_opts {
  int flags;
  int stdin_fd;
  int stdout_fd;
  const char *stdin_data;      /* if set, fed to stdin */
  size_t stdin_len;
  /* If not 0: more captured stdout than this kills the program (and its
   * process group) and command_run returns -1 with errno EFBIG and *err
   * saying so.  Guest programs can print without end.  */
  size_t max_out;
  const char *sandbox_dir;     /* CMD_SANDBOX_GUEST: the guest directory at /g */
};
/* Captured stderr is kept up to this many bytes (the rest is read and
 * dropped, so the program never blocks on it). */
#define CMD_MAX_ERR (1024u * 1024)
/* Run argv[0] with argv.  *out and *err (either may be NULL) get the
 * captured output (malloc'd, NUL-terminated).  Returns the exit status
 * (0..255), or -1 if it could not run (errno set, *err says why) or died
 * of a signal (128+signal is not used: -1 and *err names the signal). */
int command_run (const struct command_opts *opts, char **out, char **err,
                 const char *const *argv);
/* Convenience: run a NULL-terminated list of arguments, no options. */
int command (char **out, char **err, const char *prog, ...) __attribute__((sentinel));
/* Start argv in a child: cwd from cwd_fd (-1: unchanged), stdin/stdout
 * from in_fd/out_fd (-1: /dev/null), stderr to err_fd.  Returns the pid
 * or -1.  wait_program returns the exit status (128+signal if killed). */
pid_t spawn_program (const char *const *argv, int cwd_fd, int in_fd, int out_fd,
                     int err_fd);
int wait_program (pid_t pid);
/* The last 4 KiB of a memfd that collected stderr, trimmed (malloc'd). */
char *read_stderr_memfd (int fd);
/* Is prog an executable in $PATH? */
bool program_exists (const char *prog);
/* Run argv (stdin from in_fd) and stream its stdout to the host as the
 * FileOut of the current call.  what names the operation in errors.
 * Replies with an error on failure (returns -1); returns 0 on success,
 * after sending the end of the stream. */
int command_to_fileout (const char *what, const char *const *argv,
                        int cwd_fd, int in_fd);
/* Trim trailing newlines in place (for stderr in messages). */
char *trim_newlines (char *s);
/* Read a small file of the appliance's own (sysfs, procfs) into buf,
 * trailing newlines removed.  -1 with errno on failure. */
int read_sysfs (const char *path, char *buf, size_t len);

/* ---- the guest sandbox (sandbox.c) ---- */
/* In a child about to exec a program that writes along guest-controlled
 * paths: enter a private mount namespace chrooted into a tmpfs holding
 * the appliance's program directories read-only and the guest directory
 * DIRECTORY (resolved inside the guest) at /g, the current directory.
 * Dies (exit 127, message on stderr) if it cannot. */
void sandbox_enter (const char *directory);

/* ---- tar_in's extraction (files/tar-extract.c) ---- */
#define TAR_EXTRACT_XATTRS  1
#define TAR_EXTRACT_SELINUX 2
#define TAR_EXTRACT_ACLS    4
/* In a child: read a tar archive (any compression libarchive knows) from
 * in_fd and write its members into the guest directory, every path
 * resolved inside the guest; errors on stderr.  Returns the exit status
 * (0, or 2 if a member was refused or failed). */
/* Open libarchive first (it is opened on first use, core/lazylib.h):
 * -1 after replying with the error. */
int tar_extract_prepare (void);
int tar_extract (int in_fd, const char *directory, int flags);

/* ---- guest paths (sysroot.c) ---- */
/* Open path inside the guest tree; symlinks resolve inside the tree.
 * flags as for open(2); returns fd or -1 with errno. */
int sysroot_open (const char *path, int flags, mode_t mode);
/* Open the parent directory of path (O_PATH|O_DIRECTORY) inside the tree and
 * return its fd; *base is set to the final component (malloc'd; "." for "/"
 * and for a path ending in "..", which is resolved whole: never "..").
 * For *at() calls: e.g. unlinkat (dfd, base, 0). */
int sysroot_open_parent (const char *path, char **base);
/* Open a guest file for its data (read, write, create): the one way guest
 * data is opened.  The object is looked at (O_PATH) before it is opened
 * for real, so a FIFO is never waited on and a device node, socket or
 * directory is never opened: anything but a regular file is refused.
 * With O_CREAT a missing file is created with mode (non-blocking, and
 * checked after).  Symlinks resolve inside the guest.  Replies with the
 * error ("PATH: not a regular file (a FIFO)") and returns -1.  */
int sysroot_open_data (const char *path, int flags, mode_t mode);
/* The same without replying: -1 with errno (EINVAL for a refused type,
 * with *why, if not NULL, set to a static description such as "a FIFO").  */
int sysroot_open_data_quiet (const char *path, int flags, mode_t mode,
                             const char **why);
/* stat (follow) or lstat of a guest path.  -1 with errno. */
struct stat;
int sysroot_stat (const char *path, struct stat *st, bool follow);
/* "/proc/PID/fd/N" (the daemon's pid) for an fd, to hand a safely
 * resolved path to a tool.  The fd must stay open while the tool runs. */
char *fd_path (int fd);

/* ---- checksums (files/upload.c) ---- */
/* The program for a checksum type (crc, md5, sha1 ...), or an error reply. */
const char *checksum_program (const char *csumtype);
/* Checksum of an open file or device in hex; what names it in errors.
 * Replies with the error on failure. */
char *checksum_fd (const char *csumtype, int fd, const char *what);

/* ---- string helpers (utils.c) ---- */
struct stringsbuf {
  char **argv;
  size_t size;
  size_t alloc;
};
int add_string (struct stringsbuf *sb, const char *str);        /* copies; NULL allowed (terminator) */
int add_string_nodup (struct stringsbuf *sb, char *str);         /* takes ownership */
int end_stringsbuf (struct stringsbuf *sb);                       /* append NULL */
char **take_stringsbuf (struct stringsbuf *sb);
void free_stringsbuf (struct stringsbuf *sb);
char **split_lines (const char *str);     /* lines without their newline; final empty line dropped */
void sort_strings (char **argv, size_t n);
/* filesystems/probe.c: list_filesystems, in libguestfs's order (whole disks first) or
 * all in device order. */
char **list_filesystems_ordered (bool disks_first);
size_t count_strings (char *const *argv);
void free_strings (char **argv);

#define CLEANUP_FREE __attribute__((cleanup (cleanup_free)))
#define CLEANUP_CLOSE __attribute__((cleanup (cleanup_close)))
#define CLEANUP_FREE_STRINGS __attribute__((cleanup (cleanup_free_strings)))
void cleanup_free (void *ptr);
void cleanup_close (int *fd);
void cleanup_free_strings (char ***ptr);

/* ---- dispatch (generated) ---- */
void dispatch_call (int proc, struct xdr *in);
int proc_has_filein (int proc);
int proc_has_fileout (int proc);

#endif
