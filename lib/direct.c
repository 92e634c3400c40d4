/* The direct backend: run qemu ourselves.
 *
 * The appliance's own devices are one constant configuration (root disk
 * on virtio-blk, the channel on virtio-serial, an rng), so that a saved
 * appliance state could be restored later; the user's drives go on a
 * virtio-scsi controller as scsi-hd devices, which the appliance sees as
 * /dev/sda, /dev/sdb ... in the order they were added. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "guestfs-internal.h"
#include "actions-gen.h"
#include "protocol-gen.h"
#include "appliance/appliance.h"
#include "qmp.h"
#include "appliance/internal.h"
#include "findpath.h"

const char *guestfs_int_api_hash = HATCH_API_HASH;

#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

struct argv_builder {
  char **v;
  size_t n, cap;
  bool failed;
};

static void
add_arg (struct argv_builder *b, const char *s)
{
  if (b->failed)
    return;
  if (b->n + 2 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    char **p = realloc (b->v, cap * sizeof *p);
    if (!p) { b->failed = true; return; }
    b->v = p;
    b->cap = cap;
  }
  if (!(b->v[b->n] = strdup (s))) { b->failed = true; return; }
  b->v[++b->n] = NULL;
}

static void add_argf (struct argv_builder *b, const char *fmt, ...)
  __attribute__((format (printf, 2, 3)));

static void
add_argf (struct argv_builder *b, const char *fmt, ...)
{
  char *s;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&s, fmt, ap);
  va_end (ap);
  if (r == -1) { b->failed = true; return; }
  add_arg (b, s);
  free (s);
}

/* qemu -drive values: commas in file names are doubled. */
static char *
qemu_escape (const char *s)
{
  size_t n = 0;
  for (const char *p = s; *p; ++p) n += *p == ',' ? 2 : 1;
  char *r = malloc (n + 1), *q = r;
  if (!r) return NULL;
  for (const char *p = s; *p; ++p) {
    *q++ = *p;
    if (*p == ',') *q++ = ',';
  }
  *q = '\0';
  return r;
}

static int direct_shutdown (guestfs_h *g, bool check_errors);
static bool wait_qemu (guestfs_h *g, int ms, int *status);

/* The -drive value of user drive i: the same text serves the command
 * line of a cold boot and the hot-add after a restore (drive_add). */
/* qemu's ids for user drive i: the drive ("hd1") and its SCSI device
 * ("disk1"); a slot refilled after a hot-remove gets fresh ones. */
static void
drive_ids (guestfs_h *g, size_t i, char drv[32], char dev[32])
{
  unsigned gen = g->drives[i].generation;
  if (gen == 0) {
    snprintf (drv, 32, "hd%zu", i);
    snprintf (dev, 32, "disk%zu", i);
  }
  else {
    snprintf (drv, 32, "hd%zu-%u", i, gen);
    snprintf (dev, 32, "disk%zu-%u", i, gen);
  }
}

static char *
drive_option (guestfs_h *g, size_t i)
{
  struct drive *d = &g->drives[i];
  char *file = qemu_escape (d->qemu_source ? d->qemu_source : d->filename);
  if (!file)
    return NULL;
  /* qemu locks images against a second writer; a character device such
   * as /dev/null is no image, and locking it would keep two programs
   * from both adding /dev/null. */
  struct stat st;
  bool chardev = !d->protocol && d->filename && stat (d->filename, &st) == 0 &&
                 S_ISCHR (st.st_mode);
  char *r, drv[32], dev[32];
  drive_ids (g, i, drv, dev);
  if (asprintf (&r, "file=%s,if=none,id=%s,cache=%s%s%s%s%s%s",
                file, drv,
                d->cachemode && strcmp (d->cachemode, "unsafe") == 0 ? "unsafe" : "writeback",
                d->format ? ",format=" : "", d->format ? d->format : "",
                d->readonly ? ",snapshot=on" : "",
                d->discard && strcmp (d->discard, "disable") != 0 ? ",discard=unmap" : "",
                chardev ? ",file.locking=off" : "") == -1)
    r = NULL;
  free (file);
  return r;
}

/* The device of user drive i on the virtio-scsi bus, as the properties
 * device_add takes: the appliance sees drive i as target i, so the
 * kernel names the drives sda, sdb ... in the order they were added. */
static json_object *
drive_device (guestfs_h *g, size_t i)
{
  json_object *o = json_object_new_object ();
  char drv[32], dev[32];
  drive_ids (g, i, drv, dev);
  json_object_object_add (o, "driver", json_object_new_string ("scsi-hd"));
  json_object_object_add (o, "drive", json_object_new_string (drv));
  json_object_object_add (o, "id", json_object_new_string (dev));
  json_object_object_add (o, "bus", json_object_new_string ("scsi.0"));
  json_object_object_add (o, "channel", json_object_new_int (0));
  json_object_object_add (o, "scsi-id", json_object_new_int ((int) i));
  json_object_object_add (o, "lun", json_object_new_int (0));
  if (g->drives[i].blocksize) {
    json_object_object_add (o, "logical_block_size", json_object_new_int (g->drives[i].blocksize));
    json_object_object_add (o, "physical_block_size", json_object_new_int (g->drives[i].blocksize));
  }
  return o;
}

/* The same device as a -device value: "scsi-hd,drive=hd0,...". */
static char *
device_option (json_object *dev)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp)
    return NULL;
  json_object *drv;
  if (json_object_object_get_ex (dev, "driver", &drv))
    fputs (json_object_get_string (drv), fp);
  json_object_object_foreach (dev, key, val) {
    if (strcmp (key, "driver") != 0)
      fprintf (fp, ",%s=%s", key, json_object_get_string (val));
  }
  if (fclose (fp) != 0) {
    free (buf);
    return NULL;
  }
  return buf;
}

/* How one start of qemu differs from the plain cold boot: the saved-state
 * variant leaves the user's drives out (they are hot-added after the
 * restore), boots a root overlay kept with the saved state, and has a
 * QMP monitor; a restore also reads the state with -incoming. */
struct vm_variant {
  bool user_drives;       /* the user's drives on the command line */
  const char *root;       /* the root image, NULL: the appliance's own */
  const char *root_format;/* its format */
  bool root_snapshot;     /* guest writes to root go to a throwaway overlay */
  const char *qmp_path;   /* QMP monitor socket (qemu connects), or NULL */
  /* The saved state to restore, or NULL.  qemu reads it from an open
   * descriptor (fd:N): under -sandbox spawn=deny it may not start a
   * helper such as "cat".  It waits (-incoming defer) until QMP has set
   * the migration capability the state was saved with (set_ignore_shared)
   * and names the descriptor (migrate-incoming). */
  const char *incoming;
  /* The guest's base RAM in this file rather than anonymous memory, or
   * NULL.  The boot that saves the state maps it shared, so that the
   * guest's RAM ends up in the file and the migration stream skips it; a
   * restore maps it private: every restored appliance reads the same
   * pages from the host's page cache, copies only the pages its guest
   * writes, and never writes the file.  The base RAM is only
   * BASE_RAM_MB, with or without a file: the rest of the memsize is
   * anonymous memory behind a virtio-mem device, empty when the state is
   * saved and plugged after each launch (see BASE_RAM_MB). */
  const char *ram_file;
  bool ram_shared;
  /* The drive-less boot that saves the state (our own appliance, no
   * guest data) may spawn the "cat" that writes it: qemu 7.2 has no
   * file: migration, and fd: outgoing needs a descriptor passed over QMP. */
  bool may_spawn;
};

/* The RAM of a saved appliance.  A page the restored guest writes in the
 * private file mapping becomes a 4 KiB copy-on-write page of qemu's,
 * which the host never backs with a transparent huge page; in a nested
 * VM (this project's test hosts) the TLB misses on such memory made heavy
 * guest work ~30 % slower than in a cold boot's anonymous RAM (tar-in of
 * 10 000 files: 3.0 s against 2.3 s).  So the file holds only a small
 * base RAM, enough for what the boot touched (85 MiB) with room to spare,
 * and the rest of the memsize is anonymous memory (memory-backend-ram,
 * which qemu gives huge pages) behind a virtio-mem device.  The saving
 * boot leaves that device empty, and the migration stream skips its
 * unplugged memory; each restore asks for all of it (qom-set
 * requested-size), the guest's virtio_mem driver plugs it and the
 * kernel onlines it into ZONE_NORMAL above 4 GiB, which its allocator
 * prefers to the base RAM (ZONE_DMA32): the guest's new page cache and
 * slab land in anonymous memory.
 *
 * A cold boot starts the same way, with the base RAM and the rest
 * plugged at the first call that does work: the kernel's boot sets up
 * the struct pages and free lists of 256 MiB instead of the whole
 * memsize, and qemu and the host touch 20 MB less.  Cold
 * `guestfish -a /dev/null run`: median 1.00 s against 1.09 s (16 each,
 * alternating), and a shorter slow tail.  Under TCG without ACPI the
 * kernel would not know the hot-plug area and would put the virtio
 * devices' 64-bit BARs in it; the command line marks it reserved
 * (memmap=, see build_qemu_argv), so that the BARs go above it, while
 * the virtio_mem driver's RAM nests inside the reserved range. */
#define BASE_RAM_MB 256
#define HOTMEM_DEVICE "hotmem0"

/* Whether the appliance's initramfs carries the virtio-mem driver (the
 * builder puts it there when the kernel has it: 5.8 and later, where
 * built); its cpio archive names the file.  Searching the 4.7 MB
 * initramfs cost each process a few milliseconds, so the answer is kept
 * in the per-user cache for that very file (cache-file.c). */
static bool
appliance_has_virtio_mem (guestfs_h *g, const struct hatch_appliance *app)
{
  int fd = open (app->initrd, O_RDONLY | O_CLOEXEC);
  struct stat st;
  bool found = fd >= 0 && fstat (fd, &st) == 0 &&
    guestfs_int_file_contains (g, fd, &st, "modules/virtio_mem.ko", "initrd-features");
  if (fd >= 0)
    close (fd);
  return found;
}

/* The guest kernel adds hot-plugged RAM in memory blocks of 128 MiB
 * (x86-64): a virtio-mem area that ends inside a block leaves that block
 * unusable. */
#define HOTPLUG_BLOCK_MB 128

/* The MiB an appliance has at boot (in its RAM file, for a saved one),
 * and so the MiB its virtio-mem device brings (g->memsize minus this;
 * none, and all of the RAM at boot, when qemu lacks the device, the
 * appliance's kernel the driver, or the rest is not whole memory
 * blocks).  Worked out once per launch, into g->base_ram_mb (it reads
 * the initramfs's cached features), by direct_launch. */
static int
base_ram_mb (guestfs_h *g, const struct hatch_appliance *app)
{
  return g->memsize > BASE_RAM_MB && (g->memsize - BASE_RAM_MB) % HOTPLUG_BLOCK_MB == 0 &&
    guestfs_int_hv_has_virtio_mem (g) && appliance_has_virtio_mem (g, app)
    ? BASE_RAM_MB : g->memsize;
}

/* Where a restoring qemu finds the state file (see vm_variant.incoming). */
#define INCOMING_FD 3

static const struct vm_variant cold_boot = {
  .user_drives = true, .root_snapshot = true,
};

/* The whole appliance VM as a qemu command line (the libvirt backend's
 * domain XML is the other rendering; appliance-vm.c has what they share). */
static char **
build_qemu_argv (guestfs_h *g, const struct hatch_appliance *app,
                 const char *sockpath, const char *bulkpath, bool kvm,
                 const struct vm_variant *v)
{
  struct argv_builder b = { 0 };
  add_arg (&b, g->hv);
  add_arg (&b, "-no-user-config");
  add_arg (&b, "-nodefaults");
  /* Confinement: qemu may not exec, change its privileges or scheduling,
   * or use obsolete system calls (seccomp), where it was built for it. */
  if (guestfs_int_hv_has_sandbox (g)) {
    add_arg (&b, "-sandbox");
    add_arg (&b, v->may_spawn
             ? "on,obsolete=deny,elevateprivileges=deny,resourcecontrol=deny"
             : "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
  }
  add_arg (&b, "-display");
  add_arg (&b, "none");
  add_arg (&b, "-no-reboot");
  add_arg (&b, "-machine");
  add_argf (&b, "q35,accel=%s%s", kvm ? "kvm" : "tcg",
            v->ram_file ? ",memory-backend=ram" : "");
  add_arg (&b, "-cpu");
  /* Without ERMS/FSRM the guest's kernel and libc copy memory with plain
   * moves, which TCG runs far faster than emulated "rep movsb"
   * (measured: downloads 2-3x, uploads 1.4x, calls 15% faster). */
  add_arg (&b, kvm ? "host" : "max,erms=off,fsrm=off");
  /* The base RAM (in the file, for a saved appliance), the rest
   * hot-plugged (BASE_RAM_MB). */
  int base_mb = g->base_ram_mb;
  add_arg (&b, "-m");
  if (base_mb < g->memsize)
    add_argf (&b, "%dM,maxmem=%dM", base_mb, g->memsize);
  else
    add_argf (&b, "%d", g->memsize);
  add_arg (&b, "-smp");
  add_argf (&b, "%d", g->smp);
  if (v->ram_file) {
    char *ram = qemu_escape (v->ram_file);
    add_arg (&b, "-object");
    add_argf (&b, "memory-backend-file,id=ram,size=%dM,mem-path=%s,share=%s",
              base_mb, ram ? ram : "", v->ram_shared ? "on" : "off");
    if (!ram)
      b.failed = true;
    free (ram);
  }
  /* qboot starts faster than SeaBIOS and is all a direct kernel boot needs. */
  if (access (QBOOT_ROM, R_OK) == 0 &&
      (!v->user_drives || guestfs_int_drives_allow_qboot (g))) {
    add_arg (&b, "-bios");
    add_arg (&b, QBOOT_ROM);
  }
  add_arg (&b, "-kernel");
  add_arg (&b, app->kernel);
  add_arg (&b, "-initrd");
  add_arg (&b, app->initrd);
  /* acpi=off (appliance-vm.c) for a cold boot under TCG, with the
   * hot-plug area marked reserved (memmap=, below): without ACPI the
   * kernel does not know that area above 4 GiB and would put PCI BARs
   * over it (virtio devices then fail to probe).  Not for the boot that
   * saves the state, which runs once per appliance and whose guest every
   * restore resumes as it was measured; and not with the user's own qemu
   * parameters (config), which may change the machine or the guest's
   * clock (-icount). */
  bool user_params = g->hv_params && g->hv_params[0];
  /* The boot whose state is saved says so (its daemon then lets the
   * kernel's pending boot work finish first: daemon/core/resume.c); the
   * saved state's key is made without it. */
  /* With memory to be hot-plugged, init loads the virtio-mem driver and
   * sizes what the kernel sizes from its memory at boot for the whole
   * memsize (guestfs_memsize).  Memory that may be hot-plugged above
   * 4 GiB also makes the kernel reserve a 64 MiB bounce buffer in the
   * base RAM for devices that only reach 32-bit addresses; the appliance
   * has none (virtio does no DMA mapping), so that would only shrink its
   * memory. */
  char extra[96] = "";
  bool no_acpi = !kvm && !v->ram_file && !user_params;
  if (base_mb < g->memsize)
    snprintf (extra, sizeof extra, " guestfs_memsize=%d swiotlb=noforce", g->memsize);
  /* Without ACPI, the hot-plug area marked reserved (BASE_RAM_MB).  q35
   * puts it at 4 GiB when all of the base RAM fits below the 32-bit PCI
   * hole, as 256 MiB does; its size is what the virtio-mem device brings. */
  if (base_mb < g->memsize && no_acpi)
    snprintf (extra + strlen (extra), sizeof extra - strlen (extra),
              " memmap=%dM$4G", g->memsize - base_mb);
  if (v->ram_shared)
    strcat (extra, " hatch_save=1");
  char *cmdline = guestfs_int_appliance_cmdline (g, kvm, no_acpi, extra);
  if (!cmdline) {             /* the error is set */
    guestfs_int_free_string_list (b.v);
    return NULL;
  }
  add_arg (&b, "-append");
  add_arg (&b, cmdline);
  free (cmdline);
  add_arg (&b, "-serial");
  add_arg (&b, "stdio");
  if (v->qmp_path) {
    char *q = qemu_escape (v->qmp_path);
    add_arg (&b, "-chardev");
    add_argf (&b, "socket,path=%s,id=qmp0", q ? q : "");
    free (q);
    add_arg (&b, "-mon");
    add_arg (&b, "chardev=qmp0,mode=control");
  }

  /* The appliance's constant devices. */
  char *root = qemu_escape (v->root ? v->root : app->root);
  add_arg (&b, "-drive");
  add_argf (&b, "file=%s,format=%s,if=none,id=appliance%s,cache=unsafe", root ? root : "",
            v->root_format ? v->root_format : "raw", v->root_snapshot ? ",snapshot=on" : "");
  free (root);
  add_arg (&b, "-device");
  add_arg (&b, "virtio-blk-pci,drive=appliance");
  if (bulkpath) {
    /* The bulk data disk (common/protocol.h), after the root so that the
     * root stays /dev/vda. */
    char *bulk = qemu_escape (bulkpath);
    add_arg (&b, "-drive");
    add_argf (&b, "file=%s,format=raw,if=none,id=bulk,cache=unsafe,file.locking=off",
              bulk ? bulk : "");
    free (bulk);
    add_arg (&b, "-device");
    add_arg (&b, "virtio-blk-pci,drive=bulk,serial=" HATCH_BULK_SERIAL);
  }
  add_arg (&b, "-device");
  add_arg (&b, "virtio-serial-pci");
  add_arg (&b, "-chardev");
  char *sock = qemu_escape (sockpath);
  add_argf (&b, "socket,path=%s,id=channel0", sock ? sock : "");
  free (sock);
  add_arg (&b, "-device");
  add_arg (&b, "virtserialport,chardev=channel0,name=" HATCH_CHANNEL_NAME);
  add_arg (&b, "-object");
  add_arg (&b, "rng-random,filename=/dev/urandom,id=rng0");
  add_arg (&b, "-device");
  add_arg (&b, "virtio-rng-pci,rng=rng0");
  add_arg (&b, "-device");
  add_arg (&b, "virtio-scsi-pci,id=scsi");
  if (base_mb < g->memsize) {
    add_arg (&b, "-object");
    add_argf (&b, "memory-backend-ram,id=hotmem,size=%dM", g->memsize - base_mb);
    add_arg (&b, "-device");
    add_arg (&b, "virtio-mem-pci,id=" HOTMEM_DEVICE ",memdev=hotmem,requested-size=0");
  }

  /* Networking only when asked for: qemu's user-mode network (SLIRP),
   * which init configures as 10.0.2.15/24 via 10.0.2.2, DNS 10.0.2.3. */
  if (g->network) {
    add_arg (&b, "-netdev");
    add_arg (&b, "user,id=usernet,net=10.0.2.0/24");
    add_arg (&b, "-device");
    add_arg (&b, "virtio-net-pci,netdev=usernet,romfile=");
  }

  /* The user's drives. */
  for (size_t i = 0; v->user_drives && i < g->nr_drives; ++i) {
    struct drive *d = &g->drives[i];
    if (d->qemu_object) {   /* a remote drive's secret (drive-source.c) */
      add_arg (&b, "-object");
      add_arg (&b, d->qemu_object);
    }
    char *opt = drive_option (g, i);
    json_object *dev = drive_device (g, i);
    char *devopt = device_option (dev);
    json_object_put (dev);
    if (!opt || !devopt)
      b.failed = true;
    add_arg (&b, "-drive");
    add_arg (&b, opt ? opt : "");
    add_arg (&b, "-device");
    add_arg (&b, devopt ? devopt : "");
    free (opt);
    free (devopt);
  }
  if (v->incoming) {
    add_arg (&b, "-incoming");
    add_arg (&b, "defer");
  }
  /* guestfs_config parameters, last. */
  for (size_t i = 0; g->hv_params && g->hv_params[i] && g->hv_params[i + 1]; i += 2) {
    add_arg (&b, g->hv_params[i]);
    if (g->hv_params[i + 1][0])
      add_arg (&b, g->hv_params[i + 1]);
  }
  if (b.failed) {
    guestfs_int_free_string_list (b.v);
    guestfs_int_perrorf (g, "building the qemu command line");
    return NULL;
  }
  return b.v;
}


static void
log_command (guestfs_h *g, char **argv)
{
  if (!g->verbose)
    return;
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) return;
  for (size_t i = 0; argv[i]; ++i) {
    bool quote = strpbrk (argv[i], " ,=") != NULL && argv[i][0] != '-';
    fprintf (fp, "%s%s%s%s", i ? " \\\n    " : "", quote ? "'" : "", argv[i], quote ? "'" : "");
  }
  fclose (fp);
  guestfs_int_debug (g, "%s", buf);
  free (buf);
}

/* qemu's own words for a vCPU that KVM cannot run. */
static const char *const kvm_failure_marks[] = {
  "KVM internal error", "emulation failure", "kvm run failed",
  "KVM: entry failed", "failed to set MSR", "kvm_init_vcpu",
  "Could not access KVM kernel module", "failed to initialize kvm",
  "KVM_SET_", "KVM_GET_", "EFER=",
};

/* The console line holding the first KVM failure mark, or NULL. */
static char *
kvm_failure_line (guestfs_h *g)
{
  char *tail = guestfs_int_console_tail (g, 60);
  char *found = NULL;
  for (size_t i = 0; tail && !found && i < sizeof kvm_failure_marks / sizeof *kvm_failure_marks; ++i) {
    char *p = strstr (tail, kvm_failure_marks[i]);
    if (!p)
      continue;
    char *b = p;
    while (b > tail && b[-1] != '\n')
      b--;
    found = strndup (b, strcspn (b, "\n"));
  }
  free (tail);
  return found;
}

/* Known qemu failures, in words a user can act on.  The hint is prefixed
 * to the error; the console tail follows it. */
static const struct { const char *mark, *hint; } qemu_failures[] = {
  { "Failed to get \"write\" lock",
    "a disk image is in use by another program (qemu could not lock it): "
    "stop the other program, or add the drive read-only" },
  { "Failed to get shared \"write\" lock",
    "a disk image is in use by another program (qemu could not lock it): "
    "stop the other program, or add the drive read-only" },
  { "cannot set up guest memory",
    "not enough memory for the appliance: free some memory, or give it less "
    "with set_memsize / LIBGUESTFS_MEMSIZE" },
  { "Cannot allocate memory",
    "not enough memory for the appliance: free some memory, or give it less "
    "with set_memsize / LIBGUESTFS_MEMSIZE" },
  { "No such file or directory",
    "a file qemu needs is missing (a disk image removed after add_drive?)" },
  { "Permission denied",
    "qemu may not open a file it needs (check the disk images' permissions)" },
};

/* Oldest qemu whose options we use (PVH boot, q35, virtio-scsi, -cpu max
 * with feature flags). */
#define QEMU_MIN_MAJOR 4
#define QEMU_MIN_MINOR 2

/* "qemu X.Y is too old" when g->hv says so, else NULL.  Asked only after
 * qemu failed, so a working launch never pays for it. */
static char *
qemu_too_old (guestfs_h *g)
{
  char *out = guestfs_int_hv_query (g, (const char *const[]) { "-version", NULL });
  const char *v = out ? strstr (out, "version ") : NULL;
  int major, minor;
  bool old = v && sscanf (v + 8, "%d.%d", &major, &minor) == 2 &&
    (major < QEMU_MIN_MAJOR || (major == QEMU_MIN_MAJOR && minor < QEMU_MIN_MINOR));
  free (out);
  char *msg;
  if (!old ||
      asprintf (&msg, "%s is qemu %d.%d, too old: Hatch needs qemu %d.%d or later "
                "(install a newer qemu-system-x86, or name one with LIBGUESTFS_HV)",
                g->hv, major, minor, QEMU_MIN_MAJOR, QEMU_MIN_MINOR) == -1)
    return NULL;
  return msg;
}

/* qemu exited before the daemon said hello: one error naming the cause. */
static void
qemu_exited_error (guestfs_h *g, int status)
{
  guestfs_int_drain_console (g);
  char *tail = guestfs_int_console_tail (g, 12);
  char how[64];
  if (WIFSIGNALED (status))
    snprintf (how, sizeof how, "was killed by signal %d", WTERMSIG (status));
  else
    snprintf (how, sizeof how, "exited with status %d", WEXITSTATUS (status));
  char *hint = NULL;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && tail &&
      strstr (tail, "No such file or directory") &&
      asprintf (&hint, "the hypervisor %s was not found (install qemu-system-x86, "
                "or name one with LIBGUESTFS_HV / set_hv)", g->hv) == -1)
    hint = NULL;
  if (!hint)
    hint = qemu_too_old (g);
  for (size_t i = 0; !hint && tail && i < sizeof qemu_failures / sizeof *qemu_failures; ++i)
    if (strstr (tail, qemu_failures[i].mark))
      hint = strdup (qemu_failures[i].hint);
  error (g, "launch: qemu %s before the appliance started%s%s%s%s",
         how, hint ? ": " : "", hint ? hint : "",
         tail && *tail ? "\nlast lines of the appliance console:\n" : "",
         tail ? tail : "");
  free (hint);
  free (tail);
}

enum start_result { STARTED = 0, START_FAILED = -1, KVM_FAILED = -2, GUEST_SILENT = -3 };

/* Kill the qemu of a failed start and forget its connection, keeping the
 * handle's temporary directory for the next attempt. */
static void
abandon_qemu (guestfs_h *g)
{
  qmp_close (g->qmp);
  g->qmp = NULL;
  g->hotmem_pending_mb = 0;
  guestfs_int_stop_recovery (g);
  if (g->qemu_pid > 0) {
    kill (g->qemu_pid, SIGKILL);
    waitpid (g->qemu_pid, NULL, 0);
    g->qemu_pid = 0;
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  if (g->console_fd >= 0) {
    close (g->console_fd);
    g->console_fd = -1;
  }
}


/* qemu's environment: ours, with glibc's malloc told to use transparent
 * huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1, added to any
 * tunables already set; this host's THP mode is usually "madvise", which
 * qemu's own heap never asks for).  qemu's start-up is mostly page faults
 * (its libraries and its heap): with huge pages for the heap a restored
 * launch's qemu used ~20 % less CPU before its monitor answered.  Only
 * for a restore (huge_heap): a booting qemu grows its heap while it loads
 * the kernel, and every 2 MiB page the host zeroes for it costs more than
 * the small pages it would touch (cold `guestfish -a /dev/null run`,
 * medians of 10, alternating: 1.405 s with, 1.325 s without; a restored
 * launch: 0.265 s with, 0.32 s without).  NULL if out of memory. */
static char **
qemu_environment (bool huge_heap)
{
  extern char **environ;
  size_t n = 0;
  while (environ[n])
    n++;
  char **env = calloc (n + 2, sizeof *env);
  if (!env)
    return NULL;
  size_t j = 0;
  bool have = false;
  static const char want[] = "glibc.malloc.hugetlb=";
  for (size_t i = 0; i < n; ++i) {
    if (huge_heap && strncmp (environ[i], "GLIBC_TUNABLES=", 15) == 0) {
      have = true;
      if (strstr (environ[i], want) == NULL) {
        /* The user's own tunables stay; ours is appended. */
        if (asprintf (&env[j], "%s%s%s1", environ[i], environ[i][15] ? ":" : "", want) == -1) {
          guestfs_int_free_string_list (env);
          return NULL;
        }
        j++;
        continue;
      }
    }
    if ((env[j] = strdup (environ[i])) == NULL) {
      guestfs_int_free_string_list (env);
      return NULL;
    }
    j++;
  }
  if (huge_heap && !have && (env[j++] = strdup ("GLIBC_TUNABLES=glibc.malloc.hugetlb=1")) == NULL) {
    guestfs_int_free_string_list (env);
    return NULL;
  }
  return env;
}

/* How start_appliance may give up early, for its caller to try again. */
enum {
  /* A KVM that does not run the appliance (qemu's KVM error on the
   * console, qemu dying, or a silent guest): KVM_FAILED, with the
   * reason in why, qemu already gone; the caller boots under TCG. */
  START_KVM_FALLBACK = 1,
  /* A cold boot under TCG whose guest stays silent
   * (guestfs_int_tcg_silence_ms): GUEST_SILENT, with the reason in why,
   * qemu already gone; the caller boots again. */
  START_SILENCE_RETRY = 2,
};

/* Start qemu on app with the given accelerator and wait for the daemon's
 * hello (flags: START_*). */
static enum start_result
start_appliance (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
                 int flags, int timeout_ms, char *why, size_t whylen,
                 const struct vm_variant *v, int *qmp_fd)
{
  enum start_result ret = START_FAILED;
  char **argv = NULL, **envp = NULL;
  int lsock = -1, qmp_lsock = -1;
  char *sockpath = NULL, *bulkpath = NULL;
  /* A restored daemon has greeted already (before the state was saved). */
  bool want_hello = !v->incoming;
  bool kvm_fallback = flags & START_KVM_FALLBACK;
  int silence_ms = flags & START_SILENCE_RETRY ? guestfs_int_tcg_silence_ms (g, timeout_ms) : 0;
  int console[2] = { -1, -1 };
  int state_fd = -1;

  g->kvm_used = kvm;
  g->console_total = 0;
  guestfs_int_launch_phase (g, "accelerator: %s", kvm ? "kvm" : "tcg");
  if (asprintf (&sockpath, "%s/guestfsd.sock", g->sockdir) == -1) {
    sockpath = NULL;
    guestfs_int_perrorf (g, "asprintf");
    goto out;
  }
  unlink (sockpath);
  lsock = guestfs_int_listen_socket (g, sockpath, (uid_t) -1, 0);
  if (lsock == -1)
    goto out;
  if (v->qmp_path) {
    unlink (v->qmp_path);
    qmp_lsock = guestfs_int_listen_socket (g, v->qmp_path, (uid_t) -1, 0);
    if (qmp_lsock == -1)
      goto out;
  }
  bulkpath = g->bulk_fd >= 0 ? guestfs_int_bulk_file (g) : NULL;
  argv = build_qemu_argv (g, app, sockpath, bulkpath, kvm, v);
  if (!argv || !(envp = qemu_environment (v->incoming != NULL)))
    goto out;
  log_command (g, argv);

  /* qemu's serial port is on its stdio: a socketpair makes the console
   * two-way (we read its output, and internal_get_console_socket lets a
   * caller type into it).  set_direct leaves the program's own stdin and
   * stdout to qemu instead. */
  if (!g->direct_mode &&
      socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) == -1) {
    guestfs_int_perrorf (g, "socketpair");
    goto out;
  }
  if (v->incoming) {
    state_fd = open (v->incoming, O_RDONLY | O_CLOEXEC);
    if (state_fd == -1) {
      snprintf (why, whylen, "saved state %s: %s", v->incoming, strerror (errno));
      goto out;
    }
  }
  pid_t pid = fork ();
  if (pid == -1) {
    guestfs_int_perrorf (g, "fork");
    goto out;
  }
  if (pid == 0) {
    /* With set_pgroup, qemu gets its own process group so that ^C in
     * the program's terminal does not reach it. */
    if (g->pgroup)
      setpgid (0, 0);
    if (!g->direct_mode) {
      dup2 (console[1], 0);
      dup2 (console[1], 1);
      dup2 (console[1], 2);
    }
    /* dup2 clears close-on-exec on the copy qemu reads the state from. */
    if (state_fd >= 0 && (state_fd == INCOMING_FD
                          ? fcntl (state_fd, F_SETFD, 0) : dup2 (state_fd, INCOMING_FD)) == -1)
      _exit (127);
    execvpe (argv[0], argv, envp);
    fprintf (stderr, "%s: %s\n", argv[0], strerror (errno));
    _exit (127);
  }
  g->qemu_pid = pid;
  guestfs_int_start_recovery (g);
  if (console[1] >= 0)
    close (console[1]);
  console[1] = -1;
  g->console_fd = console[0];
  console[0] = -1;
  if (g->console_fd >= 0)
    fcntl (g->console_fd, F_SETFL, O_NONBLOCK);
  guestfs_int_launch_phase (g, "qemu started (pid %d)", (int) pid);

  /* Wait until the daemon starts talking: first qemu connects to our
   * socket (at its start), then the guest boots and the daemon writes its
   * hello.  Meanwhile watch the console and qemu itself. */
  struct timespec start;
  clock_gettime (CLOCK_MONOTONIC, &start);
  bool exited = false, guest_spoke = false;
  int exit_status = 0;
  uint64_t seen = 0;
  for (;;) {
    struct pollfd p[2] = {
      { .fd = g->sock >= 0 ? g->sock : lsock, .events = POLLIN },
      { .fd = g->console_fd, .events = POLLIN },
    };
    int r = poll (p, g->console_fd >= 0 ? 2 : 1, 100);
    if (r > 0 && p[0].revents) {
      if (g->sock < 0) {
        g->sock = accept4 (lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (g->sock >= 0) {
          close (lsock);
          lsock = -1;
          unlink (sockpath);
          guestfs_int_launch_phase (g, "qemu connected to the channel; waiting for the daemon");
          if (!want_hello)
            break;
        }
      }
      else {
        char c;
        if (recv (g->sock, &c, 1, MSG_PEEK) > 0)
          break;                /* the daemon's hello is arriving */
        /* The channel closed: qemu is on its way out.  Give it a moment
         * so that its exit (and why) is reported below. */
        int st;
        if (!wait_qemu (g, 2000, &st))
          kill (pid, SIGKILL);
        else {
          g->qemu_pid = 0;
          exited = true;
          exit_status = st;
        }
      }
    }
    if (g->console_fd >= 0 && r > 0 && p[1].revents)
      guestfs_int_drain_console (g);

    guest_spoke = guest_spoke || guestfs_int_guest_spoke (g, &seen);
    if (kvm) {
      char *line = kvm_failure_line (g);
      if (line) {
        if (kvm_fallback) {
          snprintf (why, whylen, "qemu reported: %s", line);
          ret = KVM_FAILED;
        }
        else
          error (g, "launch: KVM cannot run the appliance (force_kvm is set): %s", line);
        free (line);
        goto out;
      }
      /* Judged even when the guest's console does not reach us
       * (set_append): a KVM boot takes well under 10 s, and a KVM that
       * hangs must fall back, not fail the launch. */
      if (kvm_fallback && !guest_spoke &&
          guestfs_int_ms_since (&start) > GUESTFS_KVM_SILENCE_MS) {
        snprintf (why, whylen, "the guest printed nothing in %d s under KVM",
                  GUESTFS_KVM_SILENCE_MS / 1000);
        ret = KVM_FAILED;
        goto out;
      }
    }
    else if (silence_ms > 0 && want_hello && g->console_fd >= 0 && !guest_spoke &&
             guestfs_int_ms_since (&start) > silence_ms) {
      snprintf (why, whylen, "the guest printed nothing in %d s under TCG "
                "(qemu used %.1f s of CPU)", silence_ms / 1000, guestfs_int_cpu_seconds (pid));
      ret = GUEST_SILENT;
      goto out;
    }
    int status = exit_status;
    if (exited || waitpid (pid, &status, WNOHANG) == pid) {
      g->qemu_pid = 0;
      guestfs_int_drain_console (g);
      if (kvm && kvm_fallback) {
        char *line = kvm_failure_line (g);
        snprintf (why, whylen, "qemu %s %d before the appliance started%s%s",
                  WIFSIGNALED (status) ? "was killed by signal" : "exited with status",
                  WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status),
                  line ? ": " : "", line ? line : "");
        free (line);
        ret = KVM_FAILED;
      }
      else
        qemu_exited_error (g, status);
      goto out;
    }
    if (guestfs_int_ms_since (&start) > timeout_ms) {
      guestfs_int_drain_console (g);
      char *tail = guestfs_int_console_tail (g, 12);
      error (g, "launch: timed out after %d s waiting for the appliance to start "
             "(qemu %s the channel and used %.1f s of CPU; the guest %s)%s%s",
             timeout_ms / 1000, g->sock >= 0 ? "connected to" : "did not connect to",
             guestfs_int_cpu_seconds (pid), guest_spoke ? "printed its boot lines" : "printed nothing",
             tail && *tail ? "\nlast lines of the appliance console:\n" : "",
             tail ? tail : "");
      free (tail);
      goto out;
    }
  }

  long left = timeout_ms - guestfs_int_ms_since (&start);
  if (want_hello && guestfs_int_wait_hello (g, left > 1000 ? (int) left : 1000) == -1)
    goto out;
  if (qmp_lsock >= 0) {
    /* qemu made its monitor connection at its start, before the channel's. */
    struct pollfd p = { .fd = qmp_lsock, .events = POLLIN };
    int fd = poll (&p, 1, 10000) == 1
      ? accept4 (qmp_lsock, NULL, NULL, SOCK_CLOEXEC) : -1;
    if (fd == -1) {
      snprintf (why, whylen, "qemu did not connect to its QMP monitor socket");
      goto out;
    }
    *qmp_fd = fd;
  }
  ret = STARTED;

 out:
  if (ret != STARTED)
    abandon_qemu (g);
  if (lsock >= 0) close (lsock);
  if (qmp_lsock >= 0) close (qmp_lsock);
  if (v->qmp_path) unlink (v->qmp_path);
  if (console[0] >= 0) close (console[0]);
  if (console[1] >= 0) close (console[1]);
  if (state_fd >= 0) close (state_fd);
  if (sockpath) unlink (sockpath);
  guestfs_int_free_string_list (argv);
  guestfs_int_free_string_list (envp);
  free (sockpath);
  free (bulkpath);
  return ret;
}

/* ---- Launch from a saved appliance state ----
 *
 * The first launch for an appliance boots it cold with no user drives,
 * waits for the daemon and saves the VM's state (qemu migration to a
 * file) with a qcow2 overlay that holds what the boot wrote to the root
 * image, in the per-user cache: DIR/snapshot-KEY/{state,ram,root.qcow2}
 * (ram: the guest's base RAM, see vm_variant.ram_file; state: the devices'
 * state, the stream skipping that RAM),
 * where KEY covers everything the state depends on (the VM's command line
 * -- machine, cpu, accelerator, memory, smp, kernel command line, device
 * set --, the kernel, initrd and root image files, the qemu binary and
 * firmware, the daemon's API).  Every launch then (the first too) starts
 * qemu with -incoming from that file, hot-adds the user's drives over QMP
 * and tells the daemon to take the host's clock and fresh entropy and to
 * wait for the drives, then has the guest plug the memory beyond the
 * saved RAM (BASE_RAM_MB).  Anything that goes wrong falls back to
 * a cold boot, never to an error. */

#define SNAPSHOT_FORMAT "hatch-snapshot-2"
/* Waits for the steps of a save or a restore; a cold boot follows. */
#define SNAPSHOT_STEP_MS 30000
/* After a failed save, launches boot cold for this long before the next
 * try. */
#define SAVE_RETRY_SECONDS 600

/* Settings a saved state cannot hold: NULL if the state may be used, else
 * why not. */
static const char *
snapshot_unusable (guestfs_h *g)
{
  if (guestfs_int_has_backend_setting (g, "nosnapshot"))
    return "LIBGUESTFS_BACKEND_SETTINGS has nosnapshot";
  if (g->network)
    return "the network is enabled";
  if (g->append)
    return "append adds to the kernel command line";
  if (g->smp != 1)
    return "smp is not 1";
  if (g->memsize != HATCH_DEFAULT_MEMSIZE)
    return "memsize is not the default";
  if (g->hv_params && g->hv_params[0])
    return "config adds qemu parameters";
  if (g->direct_mode)
    return "direct mode is set";
  if (g->nr_drives > 255)
    return "more drives than the scsi bus holds";
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (g->drives[i].qemu_object)
      return "a drive needs a secret object";
  if (!guestfs_int_drives_allow_qboot (g))
    return "a drive needs another firmware";
  return NULL;
}

static void
hash_stat (struct hash *h, const char *path)
{
  struct stat st;
  hash_str (h, path);
  if (path && stat (path, &st) == 0) {
    hash_u64 (h, (uint64_t) st.st_size);
    hash_u64 (h, (uint64_t) st.st_mtim.tv_sec);
    hash_u64 (h, (uint64_t) st.st_mtim.tv_nsec);
    hash_u64 (h, (uint64_t) st.st_ino);
    hash_u64 (h, (uint64_t) st.st_dev);
  }
}

/* DIR/snapshot-KEY for this appliance and these settings (malloc'd), or
 * NULL. */
static char *
snapshot_dir (guestfs_h *g, const struct hatch_appliance *app, bool kvm)
{
  static const struct vm_variant key_variant = {
    .root = "ROOT", .root_format = "qcow2", .root_snapshot = true, .qmp_path = "QMP",
    .ram_file = "RAM",
  };
  char **argv = build_qemu_argv (g, app, "CHANNEL", g->bulk_fd >= 0 ? "BULK" : NULL,
                                 kvm, &key_variant);
  if (!argv)
    return NULL;
  struct hash h;
  hash_init (&h);
  hash_str (&h, SNAPSHOT_FORMAT);
  hash_str (&h, guestfs_int_api_hash);
  for (size_t i = 0; argv[i]; ++i)
    hash_str (&h, argv[i]);
  guestfs_int_free_string_list (argv);
  hash_stat (&h, app->kernel);
  hash_stat (&h, app->initrd);
  hash_stat (&h, app->root);
  hash_stat (&h, QBOOT_ROM);
  char *hv = strchr (g->hv, '/') ? strdup (g->hv) : hatch_find_in_path (g->hv);
  hash_stat (&h, hv);
  free (hv);
  char key[33];
  hash_hex (&h, key);

  char *cachedir = guestfs_impl_get_cachedir (g), *err = NULL;
  char *udir = hatch_appliance_user_cache_dir (cachedir, &err);
  free (cachedir);
  char *dir = NULL;
  if (!udir)
    debug (g, "saved appliance state: %s", err ? err : "no cache directory");
  else if (asprintf (&dir, "%s/snapshot-%s", udir, key) == -1)
    dir = NULL;
  free (err);
  free (udir);
  return dir;
}

/* A path as one word of /bin/sh. */
static char *
shell_quote (const char *s)
{
  size_t n = 3;
  for (const char *p = s; *p; ++p) n += *p == '\'' ? 4 : 1;
  char *r = malloc (n), *q = r;
  if (!r) return NULL;
  *q++ = '\'';
  for (const char *p = s; *p; ++p) {
    if (*p == '\'') { memcpy (q, "'\\''", 4); q += 4; }
    else *q++ = *p;
  }
  *q++ = '\'';
  *q = '\0';
  return r;
}

/* Attach user drive i to the running appliance: the drive (drive_add
 * takes the very -drive text a cold boot uses, remote protocols and
 * snapshot=on included), then its scsi-hd device.  Reusable for hot-add
 * on a launched handle.  0, or -1 with *err (malloc'd). */
static int
hotplug_drive (guestfs_h *g, struct qmp *q, size_t i, char **err)
{
  char *opt = drive_option (g, i);
  if (!opt) {
    *err = strdup ("out of memory");
    return -1;
  }
  /* An HMP argument in double quotes: backslash and quote escaped. */
  char *cmd = malloc (strlen ("drive_add 0 \"\"") + 2 * strlen (opt) + 1), *c = cmd;
  if (!cmd) {
    free (opt);
    *err = strdup ("out of memory");
    return -1;
  }
  c += sprintf (c, "drive_add 0 \"");
  for (const char *p = opt; *p; ++p) {
    if (*p == '"' || *p == '\\')
      *c++ = '\\';
    *c++ = *p;
  }
  strcpy (c, "\"");
  free (opt);
  json_object *args = json_object_new_object ();
  json_object_object_add (args, "command-line", json_object_new_string (cmd));
  free (cmd);
  json_object *out = qmp_command (q, "human-monitor-command", args, err);
  if (!out)
    return -1;
  /* drive_add answers in words; whether it worked shows in device_add,
   * which finds the drive or not.  Its words go with that error. */
  char *said = strdup (json_object_get_string (out));
  json_object_put (out);
  if (qmp_run (q, "device_add", drive_device (g, i), err) == -1) {
    /* Take the drive away again, so that its id can serve a later try. */
    char del[64], *ignore = NULL, drv[32], dev[32];
    drive_ids (g, i, drv, dev);
    snprintf (del, sizeof del, "drive_del %s", drv);
    json_object *dargs = json_object_new_object ();
    json_object_object_add (dargs, "command-line", json_object_new_string (del));
    qmp_run (q, "human-monitor-command", dargs, &ignore);
    free (ignore);
    char *m;
    if (said && *said && asprintf (&m, "%s (drive_add said: %.*s)", *err,
                                   (int) strcspn (said, "\r\n"), said) != -1) {
      free (*err);
      *err = m;
    }
    free (said);
    return -1;
  }
  free (said);
  return 0;
}

/* Poll a QMP query until field of its answer leaves the values in
 * `waiting`.  The final value (malloc'd) or NULL with *err. */
static char *
qmp_wait_status (struct qmp *q, const char *query, const char *field,
                 const char *const *waiting, int timeout_ms, char **err)
{
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (;;) {
    json_object *r = qmp_command (q, query, NULL, err), *v;
    if (!r)
      return NULL;
    const char *st = json_object_object_get_ex (r, field, &v) ? json_object_get_string (v) : "";
    bool wait = false;
    for (size_t i = 0; waiting[i]; ++i)
      wait |= strcmp (st, waiting[i]) == 0;
    if (!wait) {
      char *ret = strdup (st);
      json_object_put (r);
      return ret;
    }
    json_object_put (r);
    if (guestfs_int_ms_since (&t0) > timeout_ms) {
      if (asprintf (err, "%s: still waiting after %d s", query, timeout_ms / 1000) == -1)
        *err = NULL;
      return NULL;
    }
    /* A restore's load takes a few milliseconds: poll finely. */
    struct timespec ts = { 0, 1 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
}

/* A QMP argument object with one member, NAME: VALUE (taken). */
static json_object *
one_member (const char *name, json_object *value)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, name, value);
  return o;
}

/* The migration capability x-ignore-shared, on both sides of a save: the
 * stream leaves out RAM mapped shared (the saving boot's RAM file), and
 * the restoring qemu expects the stream without it. */
static int
set_ignore_shared (struct qmp *q, char **err)
{
  json_object *cap = one_member ("capability", json_object_new_string ("x-ignore-shared"));
  json_object_object_add (cap, "state", json_object_new_boolean (1));
  json_object *caps = json_object_new_array ();
  json_object_array_add (caps, cap);
  return qmp_run (q, "migrate-set-capabilities", one_member ("capabilities", caps), err);
}

/* Give an appliance the rest of its memsize (see BASE_RAM_MB): its
 * virtio-mem device, empty at boot and in the saved state, asks the
 * guest to plug all of its memory.  Called before a call to
 * the daemon, the first time one does work (umount_all and sync, all a
 * close sends, do not count).  A failure is only logged (and qemu's own
 * answer not waited for): the appliance goes on with its base RAM. */
void
guestfs_int_plug_pending_memory (guestfs_h *g, int proc)
{
  if (g->hotmem_pending_mb <= 0 || proc == HATCH_PROC_UMOUNT_ALL || proc == HATCH_PROC_SYNC)
    return;
  int hot_mb = g->hotmem_pending_mb;
  g->hotmem_pending_mb = 0;
  if (!g->qmp)
    return;
  json_object *args = json_object_new_object ();
  json_object_object_add (args, "path", json_object_new_string ("/machine/peripheral/" HOTMEM_DEVICE));
  json_object_object_add (args, "property", json_object_new_string ("requested-size"));
  json_object_object_add (args, "value", json_object_new_int64 ((int64_t) hot_mb << 20));
  /* Sent without waiting for qemu's answer: the call that follows has
   * its own timeout, and a frozen qemu must not hold it up first. */
  char *err = NULL;
  if (qmp_send (g->qmp, "qom-set", args, &err) == -1)
    debug (g, "plugging %d MiB of memory: %s", hot_mb, err ? err : "QMP failed");
  else
    debug (g, "plugging the %d MiB of memory beyond the base RAM", hot_mb);
  free (err);
}

/* Write a saved file's data to the disk before it is published: a state
 * whose RAM file lost pages in a host crash would restore a broken guest
 * rather than fail to load. */
static int
sync_file (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return -1;
  int r = fdatasync (fd);
  close (fd);
  return r;
}

/* Where the saving boot keeps the guest's RAM: a file on tmpfs, whose
 * pages cost the guest no more than anonymous memory (the same file on
 * the cache's disk filesystem made the boot under TCG up to twice as
 * slow: every first write to a page is a filesystem page fault, and
 * writeback write-protects the pages again).  The file is unlinked once
 * qemu has it (the caller keeps *fd open), so nothing is left behind.
 * The tmpfs must have room for all of the guest's memory: a guest that
 * fills a small one (containers often have 64 MB) would kill qemu.
 * NULL (malloc'd name otherwise), *fd -1: no such tmpfs here. */
#define RAM_STAGING_DIR "/dev/shm"
static char *
ram_staging_file (guestfs_h *g, int *fd)
{
  char *path;
  *fd = -1;
  struct stat st;
  struct statvfs vfs;
  if (stat (RAM_STAGING_DIR, &st) == -1 || !S_ISDIR (st.st_mode) ||
      access (RAM_STAGING_DIR, W_OK) == -1 || statvfs (RAM_STAGING_DIR, &vfs) == -1 ||
      (uint64_t) vfs.f_bavail * vfs.f_frsize < (uint64_t) g->base_ram_mb * 1024 * 1024 ||
      asprintf (&path, "%s/hatch-ram-XXXXXX", RAM_STAGING_DIR) == -1)
    return NULL;
  *fd = mkostemp (path, O_CLOEXEC);
  if (*fd == -1) {
    free (path);
    return NULL;
  }
  return path;
}

static bool
page_is_zero (const char *p, size_t n)
{
  static const char zero[4096];
  return memcmp (p, zero, n) == 0;
}

/* Copy the saved RAM from src (the staging file) into a new file dst,
 * writing only the pages that are not zero: the rest stays a hole, read
 * back as zeros.  0, or -1 with errno. */
static int
copy_ram (int src, const char *dst_path)
{
  enum { CHUNK = 1 << 20, PAGE = 4096 };
  struct stat st;
  if (fstat (src, &st) == -1)
    return -1;
  int dst = open (dst_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (dst == -1)
    return -1;
  char *buf = malloc (CHUNK);
  int ret = -1;
  if (!buf || ftruncate (dst, st.st_size) == -1)
    goto out;
  off_t pos = 0;
  while (pos < st.st_size) {
    off_t data = lseek (src, pos, SEEK_DATA);
    if (data == -1) {
      if (errno == ENXIO)
        break;          /* only a hole is left */
      goto out;
    }
    off_t hole = lseek (src, data, SEEK_HOLE);
    if (hole == -1)
      goto out;
    for (off_t o = data; o < hole; ) {
      size_t want = hole - o < CHUNK ? (size_t) (hole - o) : CHUNK;
      ssize_t r = pread (src, buf, want, o);
      if (r <= 0) {
        if (r == 0)
          errno = EIO;
        goto out;
      }
      for (size_t i = 0; i < (size_t) r; ) {
        size_t n = (size_t) r - i < PAGE ? (size_t) r - i : PAGE;
        if (page_is_zero (buf + i, n)) {
          i += n;
          continue;
        }
        size_t j = i + n;     /* a run of pages that are not zero */
        while (j < (size_t) r) {
          size_t m = (size_t) r - j < PAGE ? (size_t) r - j : PAGE;
          if (page_is_zero (buf + j, m))
            break;
          j += m;
        }
        for (size_t k = i; k < j; ) {
          ssize_t w = pwrite (dst, buf + k, j - k, o + (off_t) k);
          if (w <= 0) {
            if (w == 0)
              errno = EIO;
            goto out;
          }
          k += (size_t) w;
        }
        i = j;
      }
      o += r;
    }
    pos = hole;
  }
  ret = fdatasync (dst);
 out:
  free (buf);
  if (close (dst) == -1)
    ret = -1;
  return ret;
}

/* Boot the appliance cold with no user drives and save its state into
 * dir (made atomically: built beside it, then renamed).  0, -1, or
 * KVM_FAILED (why says how) when KVM could not run the boot. */
static int
save_state (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
            const char *dir, int timeout_ms, char *why, size_t whylen)
{
  int ret = -1;
  char *tmp = NULL, *overlay = NULL, *state = NULL, *qmp_path = NULL, *uri = NULL;
  char *qstate = NULL, *err = NULL, *ram = NULL;
  struct qmp *q = NULL;
  int qfd = -1, staged_fd = -1;
  char *staged = NULL;
  if (asprintf (&tmp, "%s.tmpXXXXXX", dir) == -1 || !mkdtemp (tmp)) {
    snprintf (why, whylen, "mkdtemp %s.tmpXXXXXX: %s", dir, strerror (errno));
    goto out;
  }
  if (asprintf (&overlay, "%s/root.qcow2", tmp) == -1 ||
      asprintf (&state, "%s/state", tmp) == -1 ||
      asprintf (&ram, "%s/ram", tmp) == -1 ||
      asprintf (&qmp_path, "%s/qmp.sock", g->sockdir) == -1 ||
      !(qstate = shell_quote (state)) ||
      asprintf (&uri, "exec:cat > %s", qstate) == -1) {
    snprintf (why, whylen, "out of memory");
    goto out;
  }
  /* What the boot writes to the root image must stay with the state:
   * the restored guest's page cache remembers it. */
  char *const img[] = {
    (char *) "qemu-img", (char *) "create", (char *) "-q", (char *) "-f", (char *) "qcow2",
    (char *) "-F", (char *) "raw", (char *) "-b", app->root, overlay, NULL,
  };
  if (run_cmd (img, -1, -1) != 0) {
    snprintf (why, whylen, "qemu-img create %s failed", overlay);
    goto out;
  }
  /* The RAM goes straight into the saved state's directory where no
   * tmpfs is available. */
  staged = ram_staging_file (g, &staged_fd);
  const struct vm_variant v = {
    .root = overlay, .root_format = "qcow2", .qmp_path = qmp_path, .may_spawn = true,
    .ram_file = staged ? staged : ram, .ram_shared = true,
  };
  /* A silent guest is not retried here (the staged RAM would have to
   * be cleared): the launch boots cold instead, and the next one saves. */
  enum start_result sr = start_appliance (g, app, kvm,
                                          (kvm ? START_KVM_FALLBACK : 0) | START_SILENCE_RETRY,
                                          timeout_ms, why, whylen, &v, &qfd);
  if (staged) {
    unlink (staged);    /* qemu has it mapped: the guest is running */
    free (staged);
    staged = NULL;
  }
  if (sr != STARTED) {
    if (sr == KVM_FAILED || sr == GUEST_SILENT)
      ret = sr;
    else if (!*why)
      snprintf (why, whylen, "the cold boot failed");
    goto out;
  }
  guestfs_int_launch_phase (g, "saved state: appliance booted; saving it");
  q = qmp_open (qfd, SNAPSHOT_STEP_MS, &err);
  if (!q)
    goto qmp_failed;
  static const char *const migrating[] = { "setup", "active", "device", "pre-switchover", NULL };
  char *status = NULL;
  /* Each command's arguments are made only when it is sent (qmp_run
   * takes them): nothing is left over when an earlier one fails. */
  if (qmp_run (q, "stop", NULL, &err) == -1 ||
      set_ignore_shared (q, &err) == -1 ||
      qmp_run (q, "migrate-set-parameters",
               one_member ("max-bandwidth", json_object_new_int64 (INT64_C (1) << 40)),
               &err) == -1 ||
      qmp_run (q, "migrate", one_member ("uri", json_object_new_string (uri)), &err) == -1 ||
      !(status = qmp_wait_status (q, "query-migrate", "status", migrating,
                                  SNAPSHOT_STEP_MS, &err)))
    goto qmp_failed;
  if (strcmp (status, "completed") != 0) {
    snprintf (why, whylen, "saving the state ended with status %s", status);
    free (status);
    goto out;
  }
  free (status);
  qmp_run (q, "quit", NULL, &err);   /* qemu may close before answering */
  free (err);
  err = NULL;
  int st;
  if (g->qemu_pid > 0 && wait_qemu (g, 5000, &st))
    g->qemu_pid = 0;
  abandon_qemu (g);
  if (staged_fd >= 0 && copy_ram (staged_fd, ram) == -1) {
    snprintf (why, whylen, "copying the saved RAM to %s: %s", ram, strerror (errno));
    goto out;
  }
  if (sync_file (ram) == -1 || sync_file (state) == -1 || sync_file (overlay) == -1) {
    snprintf (why, whylen, "syncing the saved state: %s", strerror (errno));
    goto out;
  }
  /* Publish: if another process got there first, its state serves. */
  if (rename (tmp, dir) == -1) {
    if (errno != EEXIST && errno != ENOTEMPTY) {
      snprintf (why, whylen, "rename %s: %s", tmp, strerror (errno));
      goto out;
    }
  }
  else {
    free (tmp);
    tmp = NULL;
  }
  ret = 0;
  goto out;

 qmp_failed:
  snprintf (why, whylen, "%s", err ? err : "QMP failed");
 out:
  qmp_close (q);
  abandon_qemu (g);
  if (tmp)
    rm_rf (tmp);
  free (err);
  free (tmp);
  free (overlay);
  free (state);
  free (qmp_path);
  free (qstate);
  free (uri);
  free (ram);
  if (staged) {
    unlink (staged);
    free (staged);
  }
  if (staged_fd >= 0)
    close (staged_fd);
  return ret;
}

enum restore_result { RESTORED = 0, RESTORE_FAILED = -1, STATE_BAD = -2 };

/* Start qemu from the state in dir, attach the user's drives, let the
 * daemon resume. */
static enum restore_result
restore_state (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
               const char *dir, int timeout_ms, char *why, size_t whylen)
{
  enum restore_result ret = STATE_BAD;
  char *overlay = NULL, *state = NULL, *qmp_path = NULL, *ram = NULL;
  char *err = NULL, *status = NULL;
  struct qmp *q = NULL;
  int qfd = -1;
  if (asprintf (&overlay, "%s/root.qcow2", dir) == -1 ||
      asprintf (&state, "%s/state", dir) == -1 ||
      asprintf (&ram, "%s/ram", dir) == -1 ||
      asprintf (&qmp_path, "%s/qmp.sock", g->sockdir) == -1) {
    snprintf (why, whylen, "out of memory");
    ret = RESTORE_FAILED;
    goto out;
  }
  const struct vm_variant v = {
    .root = overlay, .root_format = "qcow2", .root_snapshot = true,
    .qmp_path = qmp_path, .incoming = state, .ram_file = ram,
  };
  if (start_appliance (g, app, kvm, 0, timeout_ms, why, whylen, &v, &qfd) != STARTED) {
    if (!*why)
      snprintf (why, whylen, "qemu did not start from the saved state");
    goto out;
  }
  q = qmp_open (qfd, SNAPSHOT_STEP_MS, &err);
  if (!q || set_ignore_shared (q, &err) == -1) {
    snprintf (why, whylen, "%s", err ? err : "QMP failed");
    goto out;
  }
  char uri[32];
  snprintf (uri, sizeof uri, "fd:%d", INCOMING_FD);
  static const char *const loading[] = { "inmigrate", "restore-vm", NULL };
  if (qmp_run (q, "migrate-incoming", one_member ("uri", json_object_new_string (uri)),
               &err) == -1 ||
      !(status = qmp_wait_status (q, "query-status", "status", loading,
                                  SNAPSHOT_STEP_MS, &err))) {
    snprintf (why, whylen, "%s", err ? err : "QMP failed");
    goto out;
  }
  /* The state was saved from a stopped VM, so qemu keeps it stopped. */
  if (strcmp (status, "paused") == 0 && qmp_run (q, "cont", NULL, &err) == -1) {
    snprintf (why, whylen, "%s", err);
    goto out;
  }
  if (strcmp (status, "running") != 0 && strcmp (status, "paused") != 0) {
    snprintf (why, whylen, "the restored appliance is %s, not running", status);
    goto out;
  }
  ret = RESTORE_FAILED;
  guestfs_int_launch_phase (g, "restored from %s; attaching %zu drive(s)", state, g->nr_drives);
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (hotplug_drive (g, q, i, &err) == -1) {
      snprintf (why, whylen, "attaching drive %zu: %s", i, err ? err : "QMP failed");
      goto out;
    }
  guestfs_int_launch_phase (g, "drives attached; the daemon resumes");
  if (guestfs_int_daemon_resume (g, SNAPSHOT_STEP_MS, why, whylen) == -1)
    goto out;
  /* The memory beyond the saved RAM is plugged at the first call that
   * does work (guestfs_int_plug_pending_memory), not here: the guest
   * plugs and onlines it in the background, some 50 ms of its time
   * under TCG and 16 MiB of its own page bookkeeping, which a handle
   * that is only launched and closed (or kept idle) never needs. */
  g->hotmem_pending_mb = g->memsize - g->base_ram_mb;
  ret = RESTORED;
  g->qmp = q;         /* kept for hot-adding drives */
  q = NULL;

 out:
  qmp_close (q);
  if (ret != RESTORED)
    abandon_qemu (g);
  free (err);
  free (status);
  free (overlay);
  free (state);
  free (ram);
  free (qmp_path);
  return ret;
}

/* Launch from the saved state, saving it first if there is none.  0, or
 * -1 (nothing running, no error reported): boot cold instead; or
 * KVM_FAILED with the reason in why: KVM did not run the boot; or
 * GUEST_SILENT: the boot to save hung (boot cold, without another
 * retry). */
static int
launch_from_saved_state (guestfs_h *g, const struct hatch_appliance *app, bool kvm,
                         int timeout_ms, char *why, size_t whylen)
{
  int ret = -1;
  char *dir = snapshot_dir (g, app, kvm);
  char *state = NULL, *lock = NULL;
  if (!dir || asprintf (&state, "%s/state", dir) == -1 ||
      asprintf (&lock, "%s.lock", dir) == -1)
    goto out;
  /* Failures here are not the caller's: keep them out of its error
   * handler (the cold boot reports its own). */
  guestfs_push_error_handler (g, NULL, NULL);
  if (access (state, R_OK) == -1) {
    /* A save that failed lately is not tried again at every launch: the
     * lock file's time says when (SAVE_RETRY_SECONDS). */
    struct stat lst;
    if (stat (lock, &lst) == 0 && lst.st_size > 0 &&
        time (NULL) - lst.st_mtime < SAVE_RETRY_SECONDS) {
      snprintf (why, whylen, "saving the state failed %ld s ago",
                (long) (time (NULL) - lst.st_mtime));
      goto pop;
    }
    /* Two first launches: one saves, the other waits for it. */
    int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lfd >= 0)
      flock (lfd, LOCK_EX);
    if (access (state, R_OK) == -1) {
      guestfs_int_launch_phase (g, "no saved state %s: booting to save one", dir);
      int sr = save_state (g, app, kvm, dir, timeout_ms, why, whylen);
      if (sr != 0) {
        /* Mark the failure (a non-empty lock file), unless KVM was the
         * cause (the next launch saves under TCG) or the boot hung once
         * (GUEST_SILENT: the next launch tries again). */
        if (lfd >= 0 && sr != KVM_FAILED && sr != GUEST_SILENT &&
            write (lfd, "failed\n", 7) != 7)
          debug (g, "could not mark the failed save in %s", lock);
        if (lfd >= 0) close (lfd);
        if (sr == KVM_FAILED || sr == GUEST_SILENT)
          ret = sr;
        goto pop;
      }
      if (lfd >= 0 && ftruncate (lfd, 0) == -1)
        debug (g, "could not clear %s", lock);
      guestfs_int_launch_phase (g, "saved state ready");
    }
    if (lfd >= 0) close (lfd);
  }
  why[0] = '\0';
  enum restore_result r = restore_state (g, app, kvm, dir, timeout_ms, why, whylen);
  if (r == STATE_BAD) {
    /* Remove it (atomically: another launch may be reading it) so that
     * the next launch saves a good one. */
    char *old;
    if (asprintf (&old, "%s.oldXXXXXX", dir) != -1 && mkdtemp (old) &&
        rename (dir, old) == 0)
      rm_rf (old);
    else if (old)
      rmdir (old);
    free (old);
  }
  else if (r == RESTORED) {
    utimensat (AT_FDCWD, dir, NULL, 0);    /* in use: not stale */
    ret = 0;
  }
 pop:
  guestfs_pop_error_handler (g);
 out:
  if (ret != 0) {
    if (ret != KVM_FAILED)
      debug (g, "launch from a saved state failed (%s): booting cold", *why ? why : "no state");
    guestfs_int_console_reset (g);
  }
  free (dir);
  free (state);
  free (lock);
  return ret;
}

static int
direct_launch (guestfs_h *g)
{
  struct hatch_appliance app = { 0 };
  int timeout_ms = guestfs_int_launch_timeout_ms ();

  if (guestfs_int_make_tmpdirs (g) == -1)
    return -1;
  guestfs_int_launch_phase (g, "begin launch (backend direct, temporary directories %s, %s)",
                            g->sockdir, g->workdir);

  if (guestfs_int_get_appliance (g, &app) == -1)
    goto fail;
  guestfs_int_launch_phase (g, "appliance ready: kernel %s%s, initrd %s, root %s",
                            app.kernel, app.kernel_is_pvh ? " (PVH)" : "", app.initrd, app.root);
  if (guestfs_int_create_scratch_drives (g) == -1 || guestfs_int_drive_sources (g) == -1)
    goto fail;
  free (guestfs_int_bulk_file (g));
  g->base_ram_mb = base_ram_mb (g, &app);

  bool force_kvm = guestfs_int_has_backend_setting (g, "force_kvm");
  bool kvm = !guestfs_int_has_backend_setting (g, "force_tcg") && (force_kvm || guestfs_int_kvm_usable (g));
  char why[1024] = "";
  const char *no_snapshot = snapshot_unusable (g);
  int s = -1;
  if (no_snapshot)
    guestfs_int_launch_phase (g, "cold boot: %s", no_snapshot);
  else
    s = launch_from_saved_state (g, &app, kvm, timeout_ms, why, sizeof why);
  if (s == 0) {
    guestfs_int_launch_phase (g, "daemon ready: launch finished (restored)");
    hatch_appliance_free (&app);
    return 0;
  }
  /* A cold boot has a QMP monitor too, for hot-adding drives. */
  char *qmp_path = NULL;
  int qfd = -1;
  if (asprintf (&qmp_path, "%s/qmp.sock", g->sockdir) == -1) {
    guestfs_int_perrorf (g, "asprintf");
    goto fail;
  }
  struct vm_variant cold = cold_boot;
  cold.qmp_path = qmp_path;
  enum start_result r;
  /* One boot per launch may be found silent and started again. */
  int silence_retry = s == GUEST_SILENT ? 0 : START_SILENCE_RETRY;
  if (s == KVM_FAILED && !force_kvm)
    r = KVM_FAILED;     /* the boot that would have saved the state told */
  else {
    why[0] = '\0';
    r = start_appliance (g, &app, kvm, (force_kvm ? 0 : START_KVM_FALLBACK) | silence_retry,
                         timeout_ms, why, sizeof why, &cold, &qfd);
  }
  if (r == KVM_FAILED) {
    /* The one line -v shows about it; the verdict is cached so that the
     * next launches go straight to TCG. */
    debug (g, "KVM dropped: %s; booting again under TCG", why);
    bool kvm_said_so = strncmp (why, "qemu reported:", 14) == 0;
    if (kvm_said_so)
      guestfs_int_kvm_record_failure (g);
    guestfs_int_console_reset (g);
    r = start_appliance (g, &app, false, silence_retry, timeout_ms, why, sizeof why,
                         &cold, &qfd);
    /* Where TCG boots what KVM did not, KVM was the cause. */
    if (r == STARTED && !kvm_said_so)
      guestfs_int_kvm_record_failure (g);
  }
  if (r == GUEST_SILENT) {
    debug (g, "%s; booting again", why);
    guestfs_int_console_reset (g);
    r = start_appliance (g, &app, false, 0, timeout_ms, why, sizeof why, &cold, &qfd);
  }
  free (qmp_path);
  if (r != STARTED)
    goto fail;
  char *err = NULL;
  g->qmp = qmp_open (qfd, SNAPSHOT_STEP_MS, &err);
  if (!g->qmp)
    debug (g, "no QMP monitor (%s): drives cannot be hot-added", err ? err : "?");
  free (err);
  /* The rest of the memsize, as after a restore (BASE_RAM_MB). */
  g->hotmem_pending_mb = g->memsize - g->base_ram_mb;
  guestfs_int_launch_phase (g, "daemon ready: launch finished");
  hatch_appliance_free (&app);
  return 0;

 fail:
  hatch_appliance_free (&app);
  direct_shutdown (g, false);
  return -1;
}

/* Wait up to ms milliseconds for qemu to exit; returns true if it did.
 * A pidfd wakes the wait the moment qemu exits (a plain 10 ms sleep
 * made every close wait 5 ms on average for nothing); the console is
 * drained meanwhile. */
static bool
wait_qemu (guestfs_h *g, int ms, int *status)
{
  int pfd = ms > 0 ? (int) syscall (SYS_pidfd_open, g->qemu_pid, 0) : -1;
  bool done = false;
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  for (;;) {
    pid_t r = waitpid (g->qemu_pid, status, WNOHANG);
    if (r == g->qemu_pid || (r == -1 && errno == ECHILD)) {
      done = true;
      break;
    }
    guestfs_int_drain_console (g);
    long left = ms - guestfs_int_ms_since (&t0);
    if (left <= 0)
      break;
    int step = left < 10 ? (int) left + 1 : 10;
    if (pfd >= 0) {
      struct pollfd p = { .fd = pfd, .events = POLLIN };
      (void) poll (&p, 1, step);
    }
    else {
      struct timespec ts = { 0, step * 1000L * 1000 };
      nanosleep (&ts, NULL);
    }
  }
  if (pfd >= 0)
    close (pfd);
  return done;
}

static int
direct_shutdown (guestfs_h *g, bool check_errors)
{
  int ret = 0;
  /* Before qemu is reaped, so the recovery process can never kill a
   * recycled pid. */
  guestfs_int_stop_recovery (g);
  qmp_close (g->qmp);
  g->qmp = NULL;
  g->hotmem_pending_mb = 0;
  /* Nothing the appliance did can outlive it when no drive is writable
   * (read-only drives are snapshots): then qemu just goes. */
  bool writable = false;
  for (size_t i = 0; i < g->nr_drives; ++i)
    if (!g->drives[i].readonly && !g->drives[i].removed)
      writable = true;
  bool synced = false;
  if (g->sock >= 0 && g->state == READY && writable) {
    /* The daemon syncs the guest's caches to the drives and flushes each
     * drive (so qemu has written out what it caches, such as a qcow2
     * image's metadata), then replies. */
    synced = guestfs_int_daemon_exit (g) == 0;
    if (!synced && check_errors) {
      error (g, "shutdown: the daemon did not exit cleanly");
      ret = -1;
    }
    guestfs_int_launch_phase (g, "shutdown: the daemon synced the drives");
  }
  if (g->sock >= 0) {
    close (g->sock);
    g->sock = -1;
  }
  if (g->qemu_pid > 0) {
    int status = 0;
    /* No need to wait for the guest to power off: when the daemon has
     * synced and flushed the drives (or none is writable) there is
     * nothing left to write, and qemu is killed at once (its orderly
     * exit took 30 ms more); otherwise SIGTERM lets qemu flush what it
     * can itself. */
    if (!wait_qemu (g, 0, &status)) {
      kill (g->qemu_pid, writable && !synced ? SIGTERM : SIGKILL);
      kill (g->qemu_pid, SIGCONT);    /* a frozen (stopped) qemu acts on it too */
      if (!wait_qemu (g, 2000, &status)) {
        kill (g->qemu_pid, SIGKILL);
        waitpid (g->qemu_pid, &status, 0);
      }
    }
    else if (check_errors && WIFEXITED (status) && WEXITSTATUS (status) != 0) {
      error (g, "shutdown: qemu exited with status %d", WEXITSTATUS (status));
      ret = -1;
    }
    g->qemu_pid = 0;
    guestfs_int_launch_phase (g, "shutdown: qemu exited");
    guestfs_int_call_callbacks_void (g, GUESTFS_EVENT_SUBPROCESS_QUIT);
  }
  if (g->console_fd >= 0) {
    guestfs_int_drain_console (g);
    if (g->console_fd >= 0)
      close (g->console_fd);
    g->console_fd = -1;
  }
  guestfs_int_console_release (g);
  guestfs_int_bulk_close (g);
  guestfs_int_remove_tmpdirs (g);
  g->state = CONFIG;
  return ret;
}

/* add_drive on a launched handle: the same hot-add as after a restore,
 * then the daemon waits for the new disk. */
static int
direct_hot_add_drive (guestfs_h *g, size_t i)
{
  if (!g->qmp) {
    error (g, "add_drive: qemu's monitor is not available: drives can only be added before launch");
    errno = ENOTSUP;
    return -1;
  }
  char *err = NULL;
  if (hotplug_drive (g, g->qmp, i, &err) == -1) {
    error (g, "add_drive: %s: %s", g->drives[i].filename, err ? err : "QMP failed");
    free (err);
    return -1;
  }
  char why[1024];
  if (guestfs_int_daemon_resume (g, SNAPSHOT_STEP_MS,
                                 why, sizeof why) == -1) {
    error (g, "add_drive: %s", why);
    return -1;
  }
  debug (g, "hot-added %s as drive %zu", g->drives[i].filename, i);
  return 0;
}

/* Whether qemu still has something named name: in `query` (an array of
 * objects) the field `field` equals it.  -1: QMP failed. */
static int
qemu_lists (struct qmp *q, const char *query, json_object *args, const char *field,
            const char *name, char **err)
{
  json_object *r = qmp_command (q, query, args, err);
  if (!r)
    return -1;
  int found = 0;
  size_t n = json_object_is_type (r, json_type_array) ? json_object_array_length (r) : 0;
  for (size_t k = 0; k < n; ++k) {
    json_object *v;
    if (json_object_object_get_ex (json_object_array_get_idx (r, k), field, &v) &&
        strcmp (json_object_get_string (v), name) == 0)
      found = 1;
  }
  json_object_put (r);
  return found;
}

/* remove_drive on a launched handle (the daemon has released the disk):
 * unplug the SCSI device, wait until it is gone, then delete the drive
 * behind it if qemu kept it, which frees the slot's ids for a later
 * hot-add. */
static int
direct_hot_remove_drive (guestfs_h *g, size_t i)
{
  if (!g->qmp) {
    error (g, "remove_drive: qemu's monitor is not available");
    errno = ENOTSUP;
    return -1;
  }
  char *err = NULL, dev[32], drv[32];
  drive_ids (g, i, drv, dev);
  json_object *args = json_object_new_object ();
  json_object_object_add (args, "id", json_object_new_string (dev));
  if (qmp_run (g->qmp, "device_del", args, &err) == -1) {
    error (g, "remove_drive: qemu could not unplug drive %zu: %s", i, err ? err : "QMP failed");
    free (err);
    return -1;
  }
  struct timespec t0;
  clock_gettime (CLOCK_MONOTONIC, &t0);
  int has;
  for (;;) {
    json_object *path = json_object_new_object ();
    json_object_object_add (path, "path", json_object_new_string ("/machine/peripheral"));
    has = qemu_lists (g->qmp, "qom-list", path, "name", dev, &err);
    if (has != 1 || guestfs_int_ms_since (&t0) > SNAPSHOT_STEP_MS)
      break;
    struct timespec ts = { 0, 5 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  if (has == 0) {
    /* The drive_add options stay registered under the drive's id until
     * drive_del, even once the device has gone; its answer (words, or
     * "not found" if qemu dropped it already) does not matter. */
    char cmd[64];
    snprintf (cmd, sizeof cmd, "drive_del %s", drv);
    json_object *hmp = json_object_new_object ();
    json_object_object_add (hmp, "command-line", json_object_new_string (cmd));
    json_object *said = qmp_command (g->qmp, "human-monitor-command", hmp, &err);
    if (said) {
      debug (g, "drive_del %s: %s", drv, json_object_get_string (said));
      json_object_put (said);
    }
    free (err);
    err = NULL;
    has = qemu_lists (g->qmp, "query-block", NULL, "device", drv, &err);
  }
  if (has != 0) {
    error (g, "remove_drive: qemu did not let go of drive %zu: %s", i,
           has == -1 && err ? err : "still attached");
    free (err);
    return -1;
  }
  return 0;
}

const struct backend_ops guestfs_int_backend_direct = {
  .name = "direct",
  .launch = direct_launch,
  .shutdown = direct_shutdown,
  .hot_add_drive = direct_hot_add_drive,
  .hot_remove_drive = direct_hot_remove_drive,
};
