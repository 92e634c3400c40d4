/* Library internals shared by the files in lib/.  Not installed. */
#ifndef HATCH_GUESTFS_INTERNAL_H
#define HATCH_GUESTFS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "guestfs.h"
#include "xdr.h"
#include "protocol.h"

enum state { CONFIG = 0, LAUNCHING = 1, READY = 2, BUSY = 3, NO_HANDLE = 4 };

struct qmp;                 /* qmp.h */

struct drive {
  char *filename;     /* host path (scratch drives: created at launch) */
  bool readonly;
  char *format;
  char *cachemode;
  char *discard;
  char *name;
  char *label;
  int blocksize;      /* 0 = default */
  int64_t scratch_size; /* > 0 for add_drive_scratch */
  /* Remote drives (drive-source.c): filename is then the export name,
   * path or "pool/image" the protocol documents. */
  char *protocol;     /* NULL: a local file or device */
  char **server;      /* the servers as given, NULL-terminated, or NULL */
  char *username;
  char *secret;
  char *qemu_source;  /* at launch: the -drive file= value, unescaped */
  char *qemu_object;  /* at launch: a "-object secret,..." value, or NULL */
  int secret_fd;      /* at launch: memfd holding the secret, or -1 */
  char *libvirt_secret; /* at launch (libvirt): UUID of the libvirt secret holding secret */
  /* remove_drive on a launched handle: slot i is virtio-scsi target i and
   * /dev/sd<i>, so a drive removed then leaves an empty slot (every other
   * field freed) that the next hot-add fills; empty slots are dropped when
   * the appliance stops.  detach_failed: the guest let go of the disk but
   * the hypervisor kept it, so the slot cannot be reused. */
  bool removed, detach_failed;
  /* How many drives this slot held before on the running appliance: the
   * hypervisor's ids for the slot carry it, since qemu may keep a removed
   * drive's id a little while. */
  unsigned generation;
};

struct error_handler {
  guestfs_error_handler_cb cb;
  void *opaque;
  struct error_handler *next;   /* pushed handlers form a stack */
};

struct event_slot {
  guestfs_event_callback cb;
  uint64_t mask;
  void *opaque;
  bool used;
};

struct private_entry {
  char *key;
  void *data;
  struct private_entry *next;
};

#define CONSOLE_TAIL_SIZE 4096
#define HATCH_DEFAULT_MEMSIZE 1280   /* MiB; a saved appliance state has this much */

struct guestfs_h {
  struct guestfs_h *next;       /* list of open handles, closed at exit */
  enum state state;
  unsigned create_flags;

  /* properties */
  bool verbose, trace, autosync, selinux;
  int memsize, smp;
  char *backend;
  char **backend_settings;
  char *path, *hv, *append, *program, *identifier, *cachedir, *tmpdir;

  /* errors: the last error and the handler stack are kept per thread
   * (errors.c), as libguestfs >= 1.38 does; base_handler is what a
   * thread starts with. */
  pthread_key_t error_key;
  pthread_mutex_t error_lock;           /* guards error_data and base_handler */
  struct error_data *error_data;        /* every thread's, freed at close */
  struct error_handler base_handler;
  guestfs_abort_cb abort_cb;

  /* Taken by every API call, so that threads sharing the handle take
   * turns (recursive: actions call actions, callbacks call back). */
  pthread_mutex_t lock;

  /* events */
  struct event_slot *events;
  size_t nr_events;

  struct private_entry *privates;

  /* drives */
  struct drive *drives;
  size_t nr_drives;

  /* the running appliance */
  pid_t qemu_pid;
  int sock;                 /* connection to the daemon */
  struct qmp *qmp;          /* qemu's QMP monitor (direct backend), or NULL */
  int hotmem_pending_mb;    /* direct.c: memory to plug at the first call that does work */
  int base_ram_mb;          /* direct.c: this launch's RAM at boot (base_ram_mb) */
  int console_fd;           /* qemu's stdout+stderr */
  char *sockdir;            /* per-handle directory of the sockets, under get_sockdir */
  char *workdir;            /* per-handle directory of the files (scratch and bulk
                               disks, overlays, logs), under get_tmpdir; the same
                               directory as sockdir when both bases are the same */
  char console_tail[CONSOLE_TAIL_SIZE]; /* last bytes of the console (ring) */
  size_t console_pos;
  bool console_wrapped;
  char console_line[1024];  /* partial line being assembled for events */
  size_t console_line_len;
  uint64_t console_total;   /* bytes read from the console since launch */
  uint32_t serial;
  struct timespec launch_t0;
  bool kvm_used;
  const struct backend_ops *backend_ops; /* the backend that launched */
  void *libvirt_conn, *libvirt_dom; /* libvirt-backend.c: virConnectPtr, virDomainPtr */
  /* The bulk data disk (common/protocol.h): the file behind it, open, or
   * -1; bulk_ok once the daemon said it has the disk. */
  int bulk_fd;
  bool bulk_ok;
  int call_timeout;         /* seconds; 0: none (LIBGUESTFS_CALL_TIMEOUT) */
  struct timespec call_deadline; /* of the call in progress; 0: none */

  /* library.c: settings of the library-side actions */
  bool network, pgroup, recovery_proc;
  char **hv_params;           /* guestfs_config: param, value-or-"" pairs */
  struct private_entry *private_cursor;  /* first_private/next_private */
  volatile int user_cancel;   /* set by guestfs_user_cancel, any thread */
  int cancel_fd;              /* eventfd written by user_cancel: wakes conn.c's wait */
  struct timespec cancel_deadline; /* user_cancel seen: the call ends by then; 0: none */
  void *test_output;          /* FILE * of internal_test_set_output */
  pid_t recovery_pid;         /* kills qemu if the program dies */
  int recovery_fd;            /* our end of the recovery process's pipe */
  /* libvirt.c: credentials requested by libvirt during add_domain */
  char **libvirt_supported_creds;
  struct libvirt_cred *libvirt_creds;
  size_t nr_libvirt_creds;
  /* events.c: the old one-callback-per-kind setters (log message,
   * subprocess quit, launch done, close, progress). */
  struct old_callback {
    void (*fn) (void);
    void *opaque;
    int handle;                 /* event handle + 1; 0 = none */
  } old_callbacks[5];
  char *libvirt_auth_uri;     /* URI being opened (the event's buffer) */
  const char *libvirt_caller; /* "add_domain" while it adds a domain */
  /* console.c: set_direct, and the console socket once
   * internal_get_console_socket has handed it to the caller (then
   * console_fd is -1 so the library stops reading it). */
  bool direct_mode;
  bool console_given;
  int console_given_fd;       /* valid only while console_given */
};

struct libvirt_cred {
  int type;
  char *prompt, *challenge, *defresult;
  char *result;
  size_t result_len;
  bool have_result;
};

/* cache-file.c: files of "KEY <tab> VALUE" lines in the per-user cache
 * directory.  The path of NAME there, or NULL (none usable: then nothing
 * is cached); the file's content (bounded; "" when there is none); the
 * value of KEY's last line in CONTENT (malloc'd) or NULL; and storing
 * KEY's VALUE in place of its old line, keeping the other lines KEEP
 * accepts (all when NULL), at most MAX_LINES in all (the oldest go):
 * 0, or -1 when it could not be written. */
char *guestfs_int_cache_file_path (guestfs_h *g, const char *name);
char *guestfs_int_cache_file_read (const char *path);
char *guestfs_int_cache_file_lookup (const char *content, const char *key);
int guestfs_int_cache_file_store (guestfs_h *g, const char *path, const char *key,
                                  const char *value, bool (*keep) (const char *line, void *opaque),
                                  void *opaque, size_t max_lines);
/* A key for what a regular file holds: device, inode, size, and the
 * modification and change times to the nanosecond (any write changes
 * it).  Then the value stored for KEY in cache file NAME (malloc'd, or
 * NULL), and storing it (failures ignored: it is only a cache). */
struct stat;
void guestfs_int_cache_file_stat_key (const struct stat *st, char *key, size_t len);
char *guestfs_int_boot_id (void);
char *guestfs_int_cache_file_get (guestfs_h *g, const char *name, const char *key);
void guestfs_int_cache_file_put (guestfs_h *g, const char *name, const char *key,
                                 const char *value, size_t max_lines);
/* Whether the regular file open as fd (st: its fstat) holds needle: a
 * search through the whole file the first time, then the answer kept in
 * cache file CACHE for that very file. */
bool guestfs_int_file_contains (guestfs_h *g, int fd, const struct stat *st,
                                const char *needle, const char *cache);

/* libvirt.c */
void guestfs_int_free_libvirt_creds (guestfs_h *g);
/* Open libvirt and libxml2 (dlopen, first use: common/libvirt-fns.h):
 * 0, or -1 with an ENOTSUP error for FN. */
int guestfs_int_open_libvirt (guestfs_h *g, const char *fn);

/* handle.c */
/* qemu-system-x86_64 as an absolute path found in $PATH (as libguestfs
 * reports it), or the bare name when it is not there; NULL if out of memory. */
char *guestfs_int_default_hv (void);

/* errors.c */
int guestfs_int_init_errors (guestfs_h *g);
void guestfs_int_free_errors (guestfs_h *g);
void guestfs_int_lock (guestfs_h *g);
void guestfs_int_unlock_cleanup (guestfs_h **gp);
/* At the top of a public function: hold the handle's lock until it returns. */
#define GUESTFS_LOCK_SCOPE(g) \
  __attribute__((cleanup (guestfs_int_unlock_cleanup))) guestfs_h *locked_handle_ = (g); \
  guestfs_int_lock (locked_handle_)
void guestfs_int_error_errno (guestfs_h *g, int errnum, const char *fmt, ...)
  __attribute__((format (printf, 3, 4)));
#define error(g, ...) guestfs_int_error_errno ((g), 0, __VA_ARGS__)
void guestfs_int_perrorf (guestfs_h *g, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

/* events.c */
bool guestfs_int_has_callback (guestfs_h *g, uint64_t event);
void guestfs_int_call_callbacks_void (guestfs_h *g, uint64_t event);
void guestfs_int_call_callbacks_message (guestfs_h *g, uint64_t event, const char *buf, size_t len);
void guestfs_int_call_callbacks_array (guestfs_h *g, uint64_t event, const uint64_t *array, size_t len);
void guestfs_int_debug (guestfs_h *g, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
#define debug(g, ...) do { if ((g)->verbose) guestfs_int_debug ((g), __VA_ARGS__); } while (0)
void guestfs_int_warning (guestfs_h *g, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
/* Debug line prefixed by the milliseconds since launch started. */
void guestfs_int_launch_phase (guestfs_h *g, const char *fmt, ...) __attribute__((format (printf, 2, 3)));

/* trace.c */
struct trace_buf;
struct trace_buf *guestfs_int_trace_open (guestfs_h *g, const char *name);
void guestfs_int_trace_str (struct trace_buf *tb, const char *s);
void guestfs_int_trace_bool (struct trace_buf *tb, int b);
void guestfs_int_trace_int (struct trace_buf *tb, int i);
void guestfs_int_trace_int64 (struct trace_buf *tb, int64_t i);
void guestfs_int_trace_strings (struct trace_buf *tb, char *const *l);
void guestfs_int_trace_buffer (struct trace_buf *tb, const char *buf, size_t len);
void guestfs_int_trace_opt_bool (struct trace_buf *tb, const char *name, int b);
void guestfs_int_trace_opt_int (struct trace_buf *tb, const char *name, int i);
void guestfs_int_trace_opt_int64 (struct trace_buf *tb, const char *name, int64_t i);
void guestfs_int_trace_opt_str (struct trace_buf *tb, const char *name, const char *s);
void guestfs_int_trace_opt_strings (struct trace_buf *tb, const char *name, char *const *l);
void guestfs_int_trace_send (guestfs_h *g, struct trace_buf *tb);
void guestfs_int_trace_ret_int (guestfs_h *g, const char *name, int r);
void guestfs_int_trace_ret_int64 (guestfs_h *g, const char *name, int64_t r);
void guestfs_int_trace_ret_str (guestfs_h *g, const char *name, const char *r);
void guestfs_int_trace_ret_strings (guestfs_h *g, const char *name, char *const *r);
void guestfs_int_trace_ret_buffer (guestfs_h *g, const char *name, const char *r, size_t len);
void guestfs_int_trace_ret_ptr (guestfs_h *g, const char *name, const char *type, const void *r);
void guestfs_int_trace_ret_error (guestfs_h *g, const char *name);

/* handle.c */
int guestfs_int_check_config (guestfs_h *g, const char *caller);
char *guestfs_int_safe_strdup (guestfs_h *g, const char *s);
void guestfs_int_free_string_list (char **l);
/* /dev/sda for drive 0, /dev/sdaa for drive 26 (lib/misc.c); NULL: ENOMEM. */
char *guestfs_int_drive_device_name (size_t index);
char **guestfs_int_copy_string_list (char *const *l);

/* conn.c */
struct hatch_reply {
  char *body;
  size_t len;
};
int guestfs_int_daemon_call (guestfs_h *g, int proc, const char *name,
                             struct xdr *req, const char *filein,
                             const char *fileout, int progress,
                             struct hatch_reply *reply);
void guestfs_int_reply_free (struct hatch_reply *r);
void guestfs_int_protocol_error (guestfs_h *g, const char *name, struct xdr *x);
/* Read whatever qemu printed; emits APPLIANCE events line by line. */
void guestfs_int_drain_console (guestfs_h *g);
/* Wait for the daemon's HELLO (launch). timeout_ms bounds the wait. */
int guestfs_int_wait_hello (guestfs_h *g, int timeout_ms);
/* After a restore or a hot-add, and before a hot-remove: give the daemon
 * the clock and fresh entropy and the set of slots holding drives (those
 * not removed); it releases the disks that left the set and waits until
 * it sees exactly the set.  0, or -1 with the reason in why and errno
 * (EBUSY: a disk leaving is in use); no handle error is set. */
int guestfs_int_daemon_resume (guestfs_h *g, int timeout_ms, char *why, size_t whylen);
/* Ask the daemon to exit (procedure 0) and wait for the reply. */
int guestfs_int_daemon_exit (guestfs_h *g);
/* Forget the console's lines before another boot. */
void guestfs_int_console_reset (guestfs_h *g);
/* The last lines of the appliance console, for error messages. */
char *guestfs_int_console_tail (guestfs_h *g, int max_lines);
/* console.c: after qemu has gone, close the console socket the caller
 * took with internal_get_console_socket. */
void guestfs_int_console_release (guestfs_h *g);

/* Backends: what runs the appliance VM below the handle.  launch.c
 * picks one by g->backend and keeps it in g->backend_ops; the rest of the
 * library (conn.c, handle.c) only stops it through that interface. */
struct backend_ops {
  const char *name;
  /* Start the appliance, connect g->sock, wait for the daemon's hello.
   * On failure: set the handle error, leave nothing running, return -1. */
  int (*launch) (guestfs_h *g);
  /* Stop the appliance (daemon exit, then qemu) and remove the handle's
   * temporary files.  check_errors: report an unclean exit. */
  int (*shutdown) (guestfs_h *g, bool check_errors);
  /* Attach g->drives[i], just added to a launched handle, and wait
   * until the daemon sees it; NULL if the backend cannot.  On failure:
   * set the handle error, return -1 (the caller drops the drive). */
  int (*hot_add_drive) (guestfs_h *g, size_t i);
  /* Detach g->drives[i] from the running appliance, which has already
   * released it; NULL if the backend cannot.  -1 with the handle error. */
  int (*hot_remove_drive) (guestfs_h *g, size_t i);
};
/* direct.c: plug a restored appliance's memory beyond its saved RAM
 * before the first daemon call PROC that does work (once). */
void guestfs_int_plug_pending_memory (guestfs_h *g, int proc);
/* Drop the empty slots remove_drive left (the appliance has stopped). */
void guestfs_int_drop_removed_drives (guestfs_h *g);
extern const struct backend_ops guestfs_int_backend_direct;
extern const struct backend_ops guestfs_int_backend_libvirt; /* libvirt-backend.c */

/* appliance-vm.c: what the backends that boot the appliance share. */
struct hatch_appliance;
bool guestfs_int_has_backend_setting (guestfs_h *g, const char *name);
int guestfs_int_get_appliance (guestfs_h *g, struct hatch_appliance *app);
/* kvm: the boot runs under KVM (else TCG); no_acpi: a TCG boot with all
 * of its memory present at boot, which may run without ACPI; extra: the
 * backend's own arguments, appended last (" a=b ...", or ""). */
char *guestfs_int_appliance_cmdline (guestfs_h *g, bool kvm, bool no_acpi,
                                     const char *extra);   /* malloc'd, or NULL with the error set */
/* Make g->sockdir and g->workdir (once per launch), remove them with
 * everything in them (both are private and flat). */
int guestfs_int_make_tmpdirs (guestfs_h *g);
int guestfs_int_create_scratch_drives (guestfs_h *g);
void guestfs_int_remove_tmpdirs (guestfs_h *g);
/* Remove the files of the flat directory DIR, then DIR (also in the
 * recovery process). */
void guestfs_int_remove_dir_files (const char *dir);
/* The bulk data disk's file in the handle's temporary directory (made,
 * sized and opened as g->bulk_fd on the first call): its path (malloc'd),
 * or NULL when it could not be made (file streams then use the channel
 * only; not an error). */
char *guestfs_int_bulk_file (guestfs_h *g);
/* Close it (the file goes with the temporary directory). */
void guestfs_int_bulk_close (guestfs_h *g);
/* A listening Unix socket at PATH (replacing any file there), handed to
 * OWNER:GROUP unless OWNER is (uid_t) -1 or ourselves; -1 with the error set. */
int guestfs_int_listen_socket (guestfs_h *g, const char *path, uid_t owner, gid_t group);
/* Milliseconds since T0 (CLOCK_MONOTONIC). */
long guestfs_int_ms_since (const struct timespec *t0);
/* Watching a boot.  The launch's timeout: HATCH_LAUNCH_TIMEOUT seconds,
 * else 120 s. */
int guestfs_int_launch_timeout_ms (void);
/* How long the guest may stay silent under KVM before KVM is called
 * broken.  init prints one line as soon as it runs, even in quiet mode.
 * Measured on this project's 2-core test machines, quiet mode, under TCG:
 * that line comes 1.5 s after qemu starts on an idle machine and 2.8-4.0 s
 * while two other appliances run.  KVM boots the same kernel many times
 * faster, so a KVM guest still silent after 10 s is not running (a
 * paravirtual host may stop the vCPU without a word). */
#define GUESTFS_KVM_SILENCE_MS 10000
/* How long a guest booting cold under TCG may stay silent before the
 * boot is called stuck (and started again, once); 0: its silence is not
 * judged (the bound would not be shorter than timeout_ms, or set_append
 * sends the console elsewhere). */
int guestfs_int_tcg_silence_ms (guestfs_h *g, int timeout_ms);
/* Has the guest itself printed on the console since *seen (console bytes
 * already looked at, updated)? */
bool guestfs_int_guest_spoke (guestfs_h *g, uint64_t *seen);
/* CPU seconds process pid has used, or -1: in a launch's error, tells a
 * stuck qemu (none) from a guest that runs and gets nowhere. */
double guestfs_int_cpu_seconds (pid_t pid);
/* S as the text of an XML attribute or element (libvirt's domain XML). */
void guestfs_int_xml_put (FILE *f, const char *s);
/* drive-source.c: remote drive d as libvirt's <source protocol=...>
 * element (with its hosts, and <auth> naming secret_uuid, the libvirt
 * secret that holds d's secret, when it has one).  -1 with the handle
 * error (ENOTSUP) for what libvirt cannot express. */
int guestfs_int_drive_libvirt_source (guestfs_h *g, const struct drive *d,
                                      const char *secret_uuid, FILE *f);
/* Whether libvirt can express drive d; -1 with the handle error if not. */
int guestfs_int_drive_libvirt_check (guestfs_h *g, const struct drive *d);
/* The usage type of the libvirt secret for d's secret: "ceph" or "iscsi". */
const char *guestfs_int_drive_libvirt_secret_type (const struct drive *d);
extern const struct backend_ops guestfs_int_backend_unix;   /* unix-backend.c */
/* launch.c: stop whatever backend launched (nothing if none). */
int guestfs_int_backend_shutdown (guestfs_h *g, bool check_errors);

/* hv-query.c: run g->hv with args (NULL-terminated), return what it
 * printed on stdout (malloc'd), or NULL if it failed or took too long. */
char *guestfs_int_hv_query (guestfs_h *g, const char *const *args);
bool guestfs_int_hv_has_sandbox (guestfs_h *g);
bool guestfs_int_hv_has_virtio_mem (guestfs_h *g);
/* disk-info.c: the format of a drive added without one, guessed safely. */
int guestfs_int_probe_drive_format (guestfs_h *g, const char *filename, char **format);
int guestfs_int_check_backing_chain (guestfs_h *g, const char *filename);
int guestfs_int_check_drive_format (guestfs_h *g, struct drive *d);

/* kvm.c */
/* True if KVM may run a guest here: cached verdict, else a probe.  The
 * real boot has the last word (guestfs_int_kvm_record_failure). */
bool guestfs_int_kvm_usable (guestfs_h *g);
/* The appliance did not boot under KVM: cache "no" for this boot. */
void guestfs_int_kvm_record_failure (guestfs_h *g);

/* library.c */
/* Start the recovery process for g->qemu_pid (if g->recovery_proc). */
void guestfs_int_start_recovery (guestfs_h *g);
void guestfs_int_stop_recovery (guestfs_h *g);
/* Read the LIBGUESTFS_* variables through lookup (getenv or a list). */
int guestfs_int_parse_environment (guestfs_h *g,
                                   const char *(*lookup) (void *opaque, const char *name),
                                   void *opaque);
void guestfs_int_free_library (guestfs_h *g);

/* drives.c */
void guestfs_int_free_drives (guestfs_h *g);

/* drive-source.c */
int guestfs_int_drive_set_remote (guestfs_h *g, struct drive *d,
                                  const struct guestfs_add_drive_opts_argv *o);
int guestfs_int_drive_sources (guestfs_h *g);
void guestfs_int_drive_free_remote (struct drive *d);
bool guestfs_int_drives_allow_qboot (guestfs_h *g);

#endif
