/* virt-v2v's parts (tools/v2v/): the inputs read a guest's description
 * into a struct v2v_source, the conversion changes the guest on a
 * temporary overlay of its disks, the outputs copy the converted disks
 * and write the target's metadata.  tools/virt-v2v.c ties them together. */
#ifndef HATCH_V2V_H
#define HATCH_V2V_H

#include <stdbool.h>
#include <stdint.h>
#include "guestfs.h"
#include "customize.h"

struct v2v_disk {
  char *path;          /* file qemu reads (after unpacking an OVA) */
  char *format;        /* "raw", "qcow2", "vmdk", ... or NULL: probe */
  char *dev;           /* the source's device name ("xvda", "sda", "hda") or NULL */
  char *overlay;       /* the qcow2 overlay the conversion writes to */
  char *out_path;      /* the output file (-o local/qemu) */
  int64_t virtual_size;
};

struct v2v_nic {
  char *mac;           /* or NULL */
  char *network;       /* network or bridge name, or NULL */
  bool bridge;
  char *model;         /* source model (e1000, vmxnet3, netfront) or NULL */
};

enum v2v_firmware { V2V_FW_UNKNOWN, V2V_FW_BIOS, V2V_FW_UEFI };

struct v2v_source {
  char *name;
  char *hypervisor;    /* "vmware", "xen", "kvm", "unknown" */
  int64_t memory;      /* bytes */
  int vcpus;
  enum v2v_firmware firmware;
  struct v2v_disk *disks;
  size_t nr_disks;
  struct v2v_nic *nics;
  size_t nr_nics;
};

/* What the conversion found and did, for the output's metadata. */
struct v2v_target {
  char *os_type, *distro, *product_name, *arch;
  int major, minor;
  bool windows;
  bool virtio_blk;     /* the guest can boot from virtio-blk */
  bool virtio_net;
  enum v2v_firmware firmware;
};

/* Global settings from the command line. */
struct v2v_options {
  const char *program;
  bool verbose, trace, quiet, machine_readable;
  const char *virtio_win;     /* $VIRTIO_WIN (a directory; an ISO is unpacked) */
  char *virtio_win_dir;       /* where an ISO was unpacked, or NULL */
  const char *tmpdir;         /* our private temporary directory */
  const char *input_uri;      /* -ic (-i libvirt, -i libvirtxml) */
  struct customize cz;        /* for the engine's messages and guest commands */
};

/* ---- inputs (input.c) ---------------------------------------------- */
/* Each fills SRC or returns -1 after printing why.  Files unpacked go
 * under OPTS->tmpdir. */
int v2v_input_disk (struct v2v_options *opts, char *const *args, const char *iformat,
                    struct v2v_source *src);
int v2v_input_libvirtxml (struct v2v_options *opts, const char *file,
                          struct v2v_source *src);
int v2v_input_ova (struct v2v_options *opts, const char *file, struct v2v_source *src);
int v2v_input_vmx (struct v2v_options *opts, const char *file, struct v2v_source *src);
/* -i vmx -it ssh ssh://[USER@]HOST[:PORT]/PATH/GUEST.vmx (ESXi over ssh):
 * the .vmx and the disks' descriptors are fetched with scp, the disks
 * become ssh:// URLs of their flat extents, read by qemu's ssh driver
 * (authentication by ssh-agent). */
int v2v_input_vmx_ssh (struct v2v_options *opts, const char *uri, struct v2v_source *src);
int v2v_input_libvirt (struct v2v_options *opts, const char *uri, const char *guest,
                       struct v2v_source *src);
/* Parse a libvirt domain XML document (shared by -i libvirtxml and
 * -i libvirt); BASEDIR resolves relative disk paths. */
int v2v_parse_domain_xml (struct v2v_options *opts, const char *xml, size_t len,
                          const char *basedir, struct v2v_source *src);
/* The https URL of the disk FILE ("[datastore] dir/name.vmdk") on the
 * VMware server of the libvirt URI URI (vpx://..., esx://...), in the
 * datacenter DCPATH (NULL: from the URI); NULL after printing why. */
char *v2v_vmware_datastore_url (struct v2v_options *opts, const char *uri,
                                const char *dcpath, const char *file);
void v2v_print_source (const struct v2v_source *src);
void v2v_free_source (struct v2v_source *src);

/* ---- conversion (convert-linux.c, convert-windows.c) ---------------- */
/* G is launched on the overlays, the guest ROOT inspected and mounted. */
int v2v_convert_linux (struct v2v_options *opts, guestfs_h *g, const char *root,
                       const struct v2v_source *src, struct v2v_target *tgt);
int v2v_convert_windows (struct v2v_options *opts, guestfs_h *g, const char *root,
                         const struct v2v_source *src, struct v2v_target *tgt);

/* VIRTIO_WIN given as an ISO file: the driver directories unpacked
 * (isoinfo) under OPTS->tmpdir; returns that directory, or NULL after
 * printing why (virtio-win-iso.c). */
char *v2v_virtio_win_from_iso (struct v2v_options *opts, const char *iso);

/* ---- outputs (output.c) -------------------------------------------- */
enum v2v_output_mode { V2V_O_LOCAL, V2V_O_QEMU, V2V_O_NULL, V2V_O_LIBVIRT };
struct v2v_output {
  enum v2v_output_mode mode;
  const char *storage;        /* -os: a directory, or (-o libvirt) a pool */
  const char *conn;           /* -oc: libvirt URI (-o libvirt) */
  const char *format;         /* -of, NULL: raw */
  bool preallocated;          /* -oa preallocated */
  const char *name;           /* -on, or the source's name */
  char *dir;                  /* where the disks go: -os, or the pool's directory */
  const char *domain_type;    /* -o libvirt: "kvm" or "qemu", as libvirt can run */
};
/* Refuse before anything is done: -os missing or not a directory, files
 * that would be overwritten. */
int v2v_output_check (struct v2v_options *opts, struct v2v_output *out,
                      struct v2v_source *src);
/* Copy every overlay to its output file (qemu-img convert). */
int v2v_output_copy (struct v2v_options *opts, struct v2v_output *out,
                     struct v2v_source *src);
/* The libvirt XML (-o local), the qemu script (-o qemu), or the domain
 * defined in libvirt (-o libvirt). */
int v2v_output_metadata (struct v2v_options *opts, struct v2v_output *out,
                         const struct v2v_source *src, const struct v2v_target *tgt);

/* The libvirt domain XML of the converted guest (malloc'd), for a
 * domain of type DOMAIN_TYPE ("kvm", "qemu"). */
char *v2v_libvirt_xml (const struct v2v_output *out, const struct v2v_source *src,
                       const struct v2v_target *tgt, const char *domain_type);
/* -o libvirt (output-libvirt.c): v2v_output_check's part (the pool and
 * its directory into OUT->dir, no domain of that name yet, the domain
 * type), and defining the domain after the copy. */
int v2v_libvirt_check (struct v2v_options *opts, struct v2v_output *out);
int v2v_libvirt_define (struct v2v_options *opts, struct v2v_output *out,
                        const struct v2v_source *src, const struct v2v_target *tgt);

/* ---- small helpers (util.c) ----------------------------------------- */
/* Run ARGV (NULL-terminated) on the host; -1 with its stderr shown on
 * failure.  OUT, if not NULL, receives its stdout. */
int v2v_run (struct v2v_options *opts, char **out, const char *const *argv);
void v2v_message (struct v2v_options *opts, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));
void v2v_error (struct v2v_options *opts, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));
void v2v_warning (struct v2v_options *opts, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));
char *v2v_strdup_printf (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
/* A file's whole contents on the host (NUL-terminated), or NULL. */
char *v2v_read_file (const char *path, size_t *len);
/* The virtual size of a disk image (qemu-img info), -1 on error. */
int64_t v2v_image_size (struct v2v_options *opts, const char *path, const char *format);
/* Add a disk/NIC to SRC. */
struct v2v_disk *v2v_add_disk (struct v2v_source *src, const char *path,
                               const char *format, const char *dev);
struct v2v_nic *v2v_add_nic (struct v2v_source *src);

#endif
