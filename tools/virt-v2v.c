/* virt-v2v: convert a guest from VMware, Xen or a bare disk to run on
 * KVM.  The input (tools/v2v/input.c) describes the source guest; its
 * disks get temporary qcow2 overlays, the conversion (tools/v2v/
 * convert-*.c) changes the guest on the overlays through the appliance,
 * and only then does the output (tools/v2v/output.c) copy the converted
 * disks and write the metadata.  The source disks are never written, and
 * a failure before the copy leaves the output directory untouched. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "v2v.h"
#include "options.h"
#include "run.h"
#include "util.h"

static struct v2v_options opts = { .program = "virt-v2v" };
static char tmpdir_buf[4096];

static void
cleanup_tmpdir (void)
{
  if (tmpdir_buf[0]) {
    const char *argv[] = { "rm", "-rf", "--", tmpdir_buf, NULL };
    struct v2v_options q = opts;
    q.verbose = q.trace = false;
    v2v_run (&q, NULL, argv);
  }
}

enum {
  OPT_IC = 0x200, OPT_IF, OPT_IO, OPT_IP, OPT_IT, OPT_OA, OPT_OC, OPT_OF, OPT_ON,
  OPT_OP, OPT_OS, OPT_OO, OPT_I, OPT_O, OPT_MACHINE_READABLE, OPT_PRINT_SOURCE,
  OPT_ROOT, OPT_MAC, OPT_COLOURS, OPT_COMPRESSED, OPT_LONG, OPT_SHORT, OPT_DEBUG_OVERLAYS,
  OPT_IN_PLACE,
};

static const struct option long_options[] = {
  { "i", required_argument, NULL, OPT_I },
  { "ic", required_argument, NULL, OPT_IC },
  { "if", required_argument, NULL, OPT_IF },
  { "io", required_argument, NULL, OPT_IO },
  { "ip", required_argument, NULL, OPT_IP },
  { "it", required_argument, NULL, OPT_IT },
  { "o", required_argument, NULL, OPT_O },
  { "oa", required_argument, NULL, OPT_OA },
  { "oc", required_argument, NULL, OPT_OC },
  { "of", required_argument, NULL, OPT_OF },
  { "on", required_argument, NULL, OPT_ON },
  { "oo", required_argument, NULL, OPT_OO },
  { "op", required_argument, NULL, OPT_OP },
  { "os", required_argument, NULL, OPT_OS },
  { "bridge", required_argument, NULL, 'b' },
  { "network", required_argument, NULL, 'n' },
  { "mac", required_argument, NULL, OPT_MAC },
  { "machine-readable", optional_argument, NULL, OPT_MACHINE_READABLE },
  { "print-source", no_argument, NULL, OPT_PRINT_SOURCE },
  { "root", required_argument, NULL, OPT_ROOT },
  TOOL_COLOUR_LONG_OPTIONS (OPT_COLOURS),
  { "compressed", no_argument, NULL, OPT_COMPRESSED },
  { "debug-overlays", no_argument, NULL, OPT_DEBUG_OVERLAYS },
  { "in-place", no_argument, NULL, OPT_IN_PLACE },
  { "key", required_argument, NULL, TOOL_OPT_KEY },
  { "keys-from-stdin", no_argument, NULL, TOOL_OPT_KEYS_FROM_STDIN },
  { "echo-keys", no_argument, NULL, TOOL_OPT_ECHO_KEYS },
  { "quiet", no_argument, NULL, 'q' },
  { "verbose", no_argument, NULL, 'v' },
  { "version", no_argument, NULL, 'V' },
  { "help", no_argument, NULL, 'h' },
  { "long-options", no_argument, NULL, OPT_LONG },
  { "short-options", no_argument, NULL, OPT_SHORT },
  { NULL, 0, NULL, 0 }
};
static const char short_options[] = "b:hn:qvVx";

static void
__attribute__((noreturn)) usage (int status)
{
  if (status) {
    fprintf (stderr, "Try ‘virt-v2v --help’ for more information.\n");
    exit (status);
  }
  printf ("virt-v2v: convert a guest to run on KVM\n\n"
          "usage:\n"
          "  virt-v2v -i disk DISK.img -o local -os DIR\n"
          "  virt-v2v -i libvirtxml GUEST.xml -o qemu -os DIR\n"
          "  virt-v2v -i ova GUEST.ova|DIR -o local -os DIR\n"
          "  virt-v2v -i vmx GUEST.vmx -o local -os DIR\n"
          "  virt-v2v -i libvirt -ic URI GUEST -o libvirt -os POOL\n"
          "  virt-v2v -i vmx -it ssh ssh://root@ESXI/vmfs/volumes/DS/G/G.vmx -o null\n"
          "  virt-v2v --in-place -i disk DISK.img\n\n"
          "Input options:\n"
          "  -i disk|libvirt|libvirtxml|ova|vmx   Input mode (default: libvirt)\n"
          "  -ic URI                 libvirt URI of the source (-i libvirt; vpx://, esx://\n"
          "                          also name the server of -i libvirtxml's datastore disks)\n"
          "  -if FORMAT              Format of the disk (-i disk)\n"
          "  -it ssh                 -i vmx ssh://[USER@]HOST[:PORT]/PATH.vmx: read\n"
          "                          the guest from an ESXi host over ssh\n"
          "Output options:\n"
          "  -o libvirt|local|qemu|null   Output mode (default: libvirt)\n"
          "  -oc URI                 libvirt URI of the output (-o libvirt)\n"
          "  -os DIR|POOL            Output directory (-o local, -o qemu), or\n"
          "                          storage pool (-o libvirt)\n"
          "  -of raw|qcow2           Output disk format (default: raw)\n"
          "  -oa sparse|preallocated Output disk allocation (default: sparse)\n"
          "  -on NAME                Name of the converted guest\n"
          "  --compressed            Compress the output (qcow2 only)\n"
          "Network mapping:\n"
          "  -b, --bridge [IN:]OUT   Map bridge IN (or every bridge) to OUT\n"
          "  -n, --network [IN:]OUT  Map network IN (or every network) to OUT\n"
          "  --mac MAC:network|bridge:OUT   Map the NIC with this MAC address\n"
          "Other options:\n"
          "  --root ask|single|first|/dev/X   Which root of a multi-boot guest\n"
          "  --key ID:key:PASS|ID:file:FILE   Passphrase of a LUKS device (ID: the\n"
          "                          device, its LUKS UUID, or all)\n"
          "  --keys-from-stdin       Read the LUKS passphrases from stdin\n"
          "  --in-place              Convert the source disks themselves: no copy,\n"
          "                          no output (-o is not used)\n"
          "  --machine-readable      Messages (and capabilities) for programs\n"
          "  --print-source          Print the source guest's metadata and exit\n"
          "  -q, --quiet             No progress messages\n"
          "  -v, --verbose           Debugging messages\n"
          "  -x                      Trace the library's calls\n"
          "  -V, --version           Print the version and exit\n"
          "  --help                  This help\n"
          "Environment: VIRTIO_WIN=DIR|ISO, the virtio-win drivers for Windows guests;\n"
          "VIRT_TOOLS_DATA_DIR=DIR, where rhsrvany.exe (Windows firstboot) is.\n"
          "See virt-v2v(1).\n");
  exit (0);
}

/* --bridge/--network/--mac mappings. */
struct netmap { char *mac; char *in; char *out; bool bridge; bool any_kind; };
static struct netmap *maps;
static size_t nr_maps;

static void
add_map (bool bridge, const char *arg)
{
  maps = realloc (maps, (nr_maps + 1) * sizeof *maps);
  struct netmap *m = &maps[nr_maps++];
  memset (m, 0, sizeof *m);
  m->bridge = bridge;
  const char *colon = strchr (arg, ':');
  if (colon) { m->in = strndup (arg, colon - arg); m->out = strdup (colon + 1); }
  else m->out = strdup (arg);
}

static int
add_mac_map (const char *arg)
{
  /* 52:54:00:01:02:03:network:NAME — the MAC address has 5 colons. */
  const char *p = arg;
  for (int i = 0; i < 6 && p; ++i) p = strchr (p + 1, ':');
  if (!p) return -1;
  const char *q = strchr (p + 1, ':');
  if (!q) return -1;
  maps = realloc (maps, (nr_maps + 1) * sizeof *maps);
  struct netmap *m = &maps[nr_maps++];
  memset (m, 0, sizeof *m);
  m->mac = strndup (arg, p - arg);
  if (!strncmp (p + 1, "network:", 8)) m->bridge = false;
  else if (!strncmp (p + 1, "bridge:", 7)) m->bridge = true;
  else return -1;
  m->out = strdup (q + 1);
  return 0;
}

static void
apply_maps (struct v2v_source *src)
{
  for (size_t i = 0; i < src->nr_nics; ++i) {
    struct v2v_nic *n = &src->nics[i];
    struct netmap *hit = NULL;
    for (size_t j = 0; j < nr_maps && !hit; ++j)        /* by MAC first */
      if (maps[j].mac && n->mac && !strcasecmp (maps[j].mac, n->mac)) hit = &maps[j];
    for (size_t j = 0; j < nr_maps && !hit; ++j)        /* then IN:OUT */
      if (!maps[j].mac && maps[j].in && maps[j].bridge == n->bridge &&
          n->network && !strcmp (maps[j].in, n->network)) hit = &maps[j];
    for (size_t j = 0; j < nr_maps && !hit; ++j)        /* then the default */
      if (!maps[j].mac && !maps[j].in && maps[j].bridge == n->bridge) hit = &maps[j];
    if (hit) {
      free (n->network);
      n->network = strdup (hit->out);
      n->bridge = hit->bridge;
    }
  }
}

static void
machine_readable_capabilities (void)
{
  printf ("virt-v2v\nhatch-rewrite\ncolours-option\nmac-option\nnetwork-mapping\nin-place\n"
          "input:vmx-ssh\n"
          "input:disk\ninput:libvirt\ninput:libvirtxml\ninput:ova\ninput:vmx\n"
          "output:libvirt\noutput:local\noutput:null\noutput:qemu\n"
          "convert:linux\nconvert:windows\n");
}

int
main (int argc, char *argv[])
{
  const char *imode = NULL, *iconn = NULL, *iformat = NULL, *omode = NULL, *itransport = NULL;
  struct v2v_output out = { .mode = V2V_O_LOCAL };
  bool print_source = false, compressed = false;
  const char *root_choice = "ask";
  bool in_place = false;
  struct tool_options to = { .program = "virt-v2v" };
  int c;
  /* Run as virt-v2v-in-place: always --in-place. */
  const char *base0 = strrchr (argv[0], '/') ? strrchr (argv[0], '/') + 1 : argv[0];
  if (!strcmp (base0, "virt-v2v-in-place")) {
    in_place = true;
    opts.program = opts.cz.program = "virt-v2v-in-place";
  }
  opts.cz.program = "virt-v2v";
  opts.cz.colors = false;

  while ((c = getopt_long_only (argc, argv, short_options, long_options, NULL)) != -1) {
    switch (c) {
    case OPT_I: imode = optarg; break;
    case OPT_IC: iconn = optarg; break;
    case OPT_IF: iformat = optarg; break;
    case OPT_IT:
      if (strcmp (optarg, "ssh")) {
        fprintf (stderr, "virt-v2v: -it %s: only -it ssh (with -i vmx) is supported by this virt-v2v\n", optarg);
        exit (1);
      }
      itransport = optarg;
      break;
    case OPT_IO: case OPT_IP:
      fprintf (stderr, "virt-v2v: -io/-ip (VDDK options, server passwords) are not supported by this virt-v2v\n");
      exit (1);
    case OPT_O: omode = optarg; break;
    case OPT_OA:
      if (!strcmp (optarg, "sparse")) out.preallocated = false;
      else if (!strcmp (optarg, "preallocated")) out.preallocated = true;
      else { fprintf (stderr, "virt-v2v: -oa: unknown allocation mode ‘%s’ (sparse or preallocated)\n", optarg); exit (1); }
      break;
    case OPT_OC: out.conn = optarg; break;
    case OPT_OP: case OPT_OO:
      fprintf (stderr, "virt-v2v: -op/-oo are not used by the output modes of this virt-v2v (libvirt, local, qemu, null)\n");
      exit (1);
    case OPT_OF: out.format = optarg; break;
    case OPT_ON: out.name = optarg; break;
    case OPT_OS: out.storage = optarg; break;
    case 'b': add_map (true, optarg); break;
    case 'n': add_map (false, optarg); break;
    case OPT_MAC:
      if (add_mac_map (optarg) == -1) {
        fprintf (stderr, "virt-v2v: --mac ‘%s’: expecting MAC:network:NAME or MAC:bridge:NAME\n", optarg);
        exit (1);
      }
      break;
    case OPT_MACHINE_READABLE: opts.machine_readable = true; break;
    case OPT_PRINT_SOURCE: print_source = true; break;
    case OPT_ROOT: root_choice = optarg; break;
    case OPT_COLOURS: opts.cz.colors = true; break;
    case OPT_COMPRESSED: compressed = true; break;
    case OPT_DEBUG_OVERLAYS: break;
    case OPT_IN_PLACE: in_place = true; break;
    case TOOL_OPT_KEY: case TOOL_OPT_KEYS_FROM_STDIN: case TOOL_OPT_ECHO_KEYS:
      if (tool_option (&to, c, optarg) == -1) exit (1);
      break;
    case 'q': opts.quiet = true; break;
    case 'v': opts.verbose = true; break;
    case 'x': opts.trace = true; break;
    case 'V': printf ("virt-v2v 0.1.0 (hatch)\n"); exit (0);
    case 'h': usage (0);
    case OPT_LONG:
      for (size_t i = 0; long_options[i].name; ++i)
        printf ("%s%s\n", strlen (long_options[i].name) <= 2 ? "-" : "--", long_options[i].name);
      exit (0);
    case OPT_SHORT:
      for (const char *p = short_options; *p; ++p) if (*p != ':') printf ("-%c\n", *p);
      exit (0);
    default: usage (1);
    }
  }
  char *const *args = argv + optind;
  if (opts.machine_readable && !imode && !args[0]) {
    machine_readable_capabilities ();
    exit (0);
  }
  opts.cz.quiet = opts.quiet;
  opts.cz.verbose = opts.verbose;
  opts.virtio_win = getenv ("VIRTIO_WIN");
  if (!imode) imode = "libvirt";
  if (in_place) {
    if (omode || out.storage || out.format || out.conn || out.name) {
      fprintf (stderr, "%s: --in-place converts the source disks where they are: "
               "-o, -os, -of, -oc and -on cannot be used with it\n", opts.program);
      exit (1);
    }
    if (!strcmp (imode, "ova")) {
      fprintf (stderr, "%s: --in-place cannot convert an OVA (its disks are unpacked "
               "copies): use -i disk on the disks, or convert it to a new copy\n", opts.program);
      exit (1);
    }
    omode = "null";
  }
  if (!omode) omode = print_source ? "null" : "libvirt";
  if (out.conn && strcmp (omode, "libvirt")) {
    fprintf (stderr, "virt-v2v: -oc is only used with -o libvirt\n"); exit (1);
  }
  if (!strcmp (omode, "local")) out.mode = V2V_O_LOCAL;
  else if (!strcmp (omode, "qemu")) out.mode = V2V_O_QEMU;
  else if (!strcmp (omode, "null")) out.mode = V2V_O_NULL;
  else if (!strcmp (omode, "libvirt")) out.mode = V2V_O_LIBVIRT;
  else if (!strcmp (omode, "rhv") || !strcmp (omode, "openstack") ||
           !strcmp (omode, "kubevirt") || !strcmp (omode, "glance") || !strcmp (omode, "json") ||
           !strcmp (omode, "vdsm") || !strcmp (omode, "rhv-upload")) {
    fprintf (stderr, "virt-v2v: -o %s is not supported by this virt-v2v (it has -o libvirt, -o local, -o qemu and -o null)\n", omode);
    exit (1);
  }
  else { fprintf (stderr, "virt-v2v: unknown output mode ‘-o %s’\n", omode); usage (1); }
  if (compressed) {
    if (out.format && strcmp (out.format, "qcow2")) {
      fprintf (stderr, "virt-v2v: --compressed needs -of qcow2\n"); exit (1);
    }
    fprintf (stderr, "virt-v2v: --compressed is not supported by this virt-v2v\n"); exit (1);
  }
  if (strcmp (root_choice, "ask") && strcmp (root_choice, "single") &&
      strcmp (root_choice, "first") && strncmp (root_choice, "/dev/", 5)) {
    fprintf (stderr, "virt-v2v: --root: expecting ask, single, first or /dev/DEVICE\n"); exit (1);
  }

  /* Our temporary directory: the OVA unpacked, the overlays. */
  const char *base = getenv ("LIBGUESTFS_CACHEDIR");
  if (!base) base = getenv ("TMPDIR");
  if (!base) base = "/var/tmp";
  snprintf (tmpdir_buf, sizeof tmpdir_buf, "%s/v2v.XXXXXX", base);
  if (!mkdtemp (tmpdir_buf)) {
    fprintf (stderr, "virt-v2v: mkdtemp %s: %s\n", tmpdir_buf, strerror (errno));
    tmpdir_buf[0] = '\0';
    exit (1);
  }
  atexit (cleanup_tmpdir);
  opts.tmpdir = tmpdir_buf;

  /* ---- the source ---- */
  struct v2v_source src = { 0 };
  int r;
  size_t nargs = 0;
  while (args[nargs]) ++nargs;
  bool one_arg = strcmp (imode, "disk") != 0;
  if (one_arg && nargs != 1) {
    fprintf (stderr, "virt-v2v: -i %s: expecting exactly one %s on the command line\n", imode,
             !strcmp (imode, "libvirt") ? "guest name" : "file name");
    exit (1);
  }
  if (!print_source)
    v2v_message (&opts, "Setting up the source: -i %s %s", imode, args[0] ? args[0] : "");
  opts.input_uri = iconn;
  if (iconn && strcmp (imode, "libvirt") && strcmp (imode, "libvirtxml")) {
    fprintf (stderr, "%s: -ic is only used with -i libvirt and -i libvirtxml\n", opts.program);
    exit (1);
  }
  if (itransport && strcmp (imode, "vmx")) {
    fprintf (stderr, "%s: -it ssh is only used with -i vmx\n", opts.program);
    exit (1);
  }
  if (!strcmp (imode, "disk")) r = v2v_input_disk (&opts, args, iformat, &src);
  else if (!strcmp (imode, "libvirtxml")) r = v2v_input_libvirtxml (&opts, args[0], &src);
  else if (!strcmp (imode, "ova")) r = v2v_input_ova (&opts, args[0], &src);
  else if (!strcmp (imode, "vmx"))
    r = itransport ? v2v_input_vmx_ssh (&opts, args[0], &src) : v2v_input_vmx (&opts, args[0], &src);
  else if (!strcmp (imode, "libvirt")) r = v2v_input_libvirt (&opts, iconn, args[0], &src);
  else {
    fprintf (stderr, "virt-v2v: unknown input mode ‘-i %s’\n", imode);
    exit (1);
  }
  if (r == -1) exit (1);
  apply_maps (&src);
  if (print_source) {
    v2v_print_source (&src);
    v2v_free_source (&src);
    exit (0);
  }
  /* Disks on a VMware server: the URLs are known (--print-source shows
   * them), but reading them needs the server's authentication. */
  for (size_t i = 0; i < src.nr_disks; ++i)
    if (!strncmp (src.disks[i].path, "https://", 8)) {
      v2v_error (&opts, "disk %s is on a VMware server (%s): reading disks from vCenter or "
                 "ESXi over https (with the server's password, -ip) is not supported by this "
                 "virt-v2v; copy the disks from the datastore and use -i libvirtxml or -i vmx",
                 src.disks[i].dev ? src.disks[i].dev : "?", src.disks[i].path);
      exit (1);
    }
  if (!out.name) out.name = src.name;
  if (in_place) {
    for (size_t i = 0; i < src.nr_disks; ++i)
      if (access (src.disks[i].path, W_OK) == -1) {
        v2v_error (&opts, "--in-place: cannot write the source disk %s: %s",
                   src.disks[i].path, strerror (errno));
        exit (1);
      }
  }

  /* Disk formats and sizes (qemu-img info), then the output's checks,
   * all before anything is written. */
  for (size_t i = 0; i < src.nr_disks; ++i) {
    struct v2v_disk *d = &src.disks[i];
    if (!d->format) {
      char *info = NULL;
      const char *argv2[] = { "qemu-img", "info", "-U", "--output=json", d->path, NULL };
      if (v2v_run (&opts, &info, argv2) == 0 && info) {
        char *p = strstr (info, "\"format\": \"");
        if (p) d->format = strndup (p + 11, strcspn (p + 11, "\""));
      }
      free (info);
      if (!d->format) { v2v_error (&opts, "cannot read disk %s (qemu-img info failed)", d->path); exit (1); }
    }
    d->virtual_size = v2v_image_size (&opts, d->path, d->format);
    if (d->virtual_size < 0) {
      v2v_error (&opts, "cannot read disk %s as %s (qemu-img info failed)", d->path, d->format);
      exit (1);
    }
  }
  if (v2v_output_check (&opts, &out, &src) == -1) exit (1);

  /* ---- overlays (or, --in-place, the disks themselves) and conversion ---- */
  v2v_message (&opts, "Opening the source%s", in_place ? " (in place: it will be changed)" : "");
  to.verbose = opts.verbose;
  to.trace = opts.trace;
  to.format = (char *) "qcow2";
  for (size_t i = 0; i < src.nr_disks; ++i) {
    struct v2v_disk *d = &src.disks[i];
    if (in_place) {
      to.format = d->format;
      if (tool_add_drive (&to, d->path) == -1) exit (1);
      continue;
    }
    d->overlay = v2v_strdup_printf ("%s/overlay%zu.qcow2", opts.tmpdir, i);
    char *abs = realpath (d->path, NULL);
    const char *argv2[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", abs ? abs : d->path,
                            "-F", d->format, d->overlay, NULL };
    int rr = v2v_run (&opts, NULL, argv2);
    free (abs);
    if (rr == -1) { v2v_error (&opts, "cannot make an overlay of disk %s", d->path); exit (1); }
    if (tool_add_drive (&to, d->overlay) == -1) exit (1);
  }
  to.format = NULL;
  guestfs_h *g = tool_open_handle (&to);
  if (!g) exit (1);
  /* As virt-v2v does: up to 8 vCPUs (the host's count), so that the
   * guest's own initramfs tool can work in parallel, and twice the
   * default memory, since every vCPU needs some. */
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  if (ncpu > 1 && guestfs_set_smp (g, ncpu > 8 ? 8 : (int) ncpu) == -1) exit (1);
  int mem = guestfs_get_memsize (g);
  if (mem > 0 && guestfs_set_memsize (g, mem * 2) == -1) exit (1);
  if (guestfs_launch (g) == -1) exit (1);
  /* LUKS devices: opened with the --key passphrases (or asked for, with
   * --keys-from-stdin); without any, an encrypted guest is refused below. */
  if ((to.nr_keys > 0 || to.keys_from_stdin) && tool_decrypt (g, &to) == -1)
    exit (1);
  v2v_message (&opts, "Inspecting the source");
  char **roots = guestfs_inspect_os (g);
  if (!roots) exit (1);
  size_t nroots = 0;
  while (roots[nroots]) ++nroots;
  const char *root = NULL;
  if (nroots == 0) {
    char **parts = TOOL_QUIET (g, guestfs_list_partitions (g));
    bool luks = false;
    for (size_t i = 0; parts && parts[i]; ++i) {
      char *t = TOOL_QUIET (g, guestfs_vfs_type (g, parts[i]));
      if (t && !strcmp (t, "crypto_LUKS")) luks = true;
      free (t);
    }
    tool_free_strings (parts);
    if (luks) {
      v2v_error (&opts, "the source disks are encrypted (LUKS): give the passphrase "
                 "with --key DEVICE:key:PASSPHRASE (or --key all:file:FILE, --keys-from-stdin)");
      exit (1);
    }
    v2v_error (&opts, "inspection found no operating system on the source disks: "
               "virt-v2v cannot convert this guest (is the disk encrypted, or not a bootable guest?)");
    exit (1);
  }
  if (!strncmp (root_choice, "/dev/", 5)) {
    for (size_t i = 0; i < nroots; ++i) if (!strcmp (roots[i], root_choice)) root = roots[i];
    if (!root) { v2v_error (&opts, "--root %s: no operating system root there", root_choice); exit (1); }
  }
  else if (nroots == 1 || !strcmp (root_choice, "first")) root = roots[0];
  else {
    v2v_error (&opts, "this guest has %zu operating systems: choose one with --root (e.g. --root %s)",
               nroots, roots[0]);
    exit (1);
  }
  if (tool_mount_root (g, &to, root) == -1) exit (1);

  struct v2v_target tgt = { 0 };
  char *type = guestfs_inspect_get_type (g, root);
  tgt.os_type = type;
  tgt.distro = TOOL_QUIET (g, guestfs_inspect_get_distro (g, root));
  tgt.product_name = TOOL_QUIET (g, guestfs_inspect_get_product_name (g, root));
  tgt.arch = TOOL_QUIET (g, guestfs_inspect_get_arch (g, root));
  tgt.major = TOOL_QUIET (g, guestfs_inspect_get_major_version (g, root));
  tgt.minor = TOOL_QUIET (g, guestfs_inspect_get_minor_version (g, root));
  tgt.firmware = src.firmware == V2V_FW_UEFI ? V2V_FW_UEFI : V2V_FW_BIOS;
  if (tgt.arch && !strcmp (tgt.arch, "unknown")) { free (tgt.arch); tgt.arch = NULL; }
  v2v_message (&opts, "Source: %s (%s, %s)", tgt.product_name ? tgt.product_name : "unknown",
               type ? type : "unknown", tgt.arch ? tgt.arch : "unknown arch");
  if (tgt.arch && strcmp (tgt.arch, "x86_64") && strcmp (tgt.arch, "i386") &&
      strcmp (tgt.arch, "i686") && strcmp (tgt.arch, "aarch64")) {
    v2v_error (&opts, "the guest's architecture %s is not supported", tgt.arch);
    exit (1);
  }
  if (tgt.firmware == V2V_FW_UEFI && out.mode == V2V_O_QEMU &&
      access ("/usr/share/OVMF/OVMF_CODE.fd", R_OK) == -1) {
    v2v_error (&opts, "the guest boots with UEFI, but the UEFI firmware for qemu "
               "(/usr/share/OVMF/OVMF_CODE.fd, Debian package ovmf) is not installed");
    exit (1);
  }
  if (type && !strcmp (type, "linux"))
    r = v2v_convert_linux (&opts, g, root, &src, &tgt);
  else if (type && !strcmp (type, "windows")) {
    tgt.windows = true;
    r = v2v_convert_windows (&opts, g, root, &src, &tgt);
  }
  else {
    v2v_error (&opts, "virt-v2v cannot convert a guest of type ‘%s’: only Linux and Windows guests are supported",
               type ? type : "unknown");
    r = -1;
  }
  if (r == -1) exit (1);
  if (guestfs_umount_all (g) == -1 || guestfs_shutdown (g) == -1) exit (1);
  guestfs_close (g);
  for (size_t i = 0; roots[i]; ++i) free (roots[i]);
  free (roots);

  /* ---- the output ---- */
  if (in_place) {
    v2v_message (&opts, "Finishing off: the guest was converted in place");
    free (tgt.os_type); free (tgt.distro); free (tgt.product_name); free (tgt.arch);
    v2v_free_source (&src);
    return 0;
  }
  if (out.mode == V2V_O_NULL)
    v2v_message (&opts, "-o null: the converted guest is discarded");
  if (v2v_output_copy (&opts, &out, &src) == -1) exit (1);
  if (v2v_output_metadata (&opts, &out, &src, &tgt) == -1) exit (1);
  v2v_message (&opts, "Finishing off");
  free (tgt.os_type); free (tgt.distro); free (tgt.product_name); free (tgt.arch);
  v2v_free_source (&src);
  return 0;
}
