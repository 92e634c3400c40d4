/* virt-inspector: describe the operating systems on disk images as XML,
 * in the format of libguestfs's virt-inspector (see virt-inspector(1)). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"

static const char *program = "virt-inspector";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS) {
    fprintf (stderr, "Try `%s --help' for more information.\n", program);
    exit (status);
  }
  printf ("%s: display information about a virtual machine\n"
          "Usage:\n"
          "  %s [--options] -a disk.img [-a disk.img ...]\n"
          "  %s [--options] -d domname\n"
          "  %s --xpath QUERY < inspector.xml\n"
          "Options:\n"
          "  -a|--add image       Add image\n"
          "  --blocksize[=512|4096]\n"
          "                       Set sector size of the disk for -a option\n"
          "  -c|--connect uri     Specify libvirt URI for -d option\n"
          "  -d|--domain guest    Add disks from libvirt guest\n"
          "  --echo-keys          Don't turn off echo for passphrases\n"
          "  --format[=raw|..]    Force disk format for -a option\n"
          "  --help               Display brief help\n"
          "  --key selector       A LUKS key selector\n"
          "  --keys-from-stdin    Read passphrases from stdin\n"
          "  --no-applications    Do not output the installed applications\n"
          "  --no-icon            Do not output the guest icon\n"
          "  -v|--verbose         Verbose messages\n"
          "  -V|--version         Display version and exit\n"
          "  -x                   Trace libguestfs API calls\n"
          "  --xpath query        Perform an XPath query\n",
          program, program, program, program);
  exit (EXIT_SUCCESS);
}

#define CHECK(expr) do { if ((expr) < 0) { fprintf (stderr, "%s: XML write error\n", program); exit (EXIT_FAILURE); } } while (0)

static void
element (xmlTextWriterPtr w, const char *name, const char *value)
{
  CHECK (xmlTextWriterWriteElement (w, BAD_CAST name, BAD_CAST value));
}

/* A string field, omitted when unknown or empty. */
static void
string_field (xmlTextWriterPtr w, const char *name, char *value)
{
  if (value && *value && strcmp (value, "unknown") != 0)
    element (w, name, value);
  free (value);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Sort a key/value list by key. */
static void
sort_pairs (char **kv)
{
  size_t n = 0;
  while (kv[n]) n++;
  size_t pairs = n / 2;
  for (size_t i = 1; i < pairs; ++i)
    for (size_t j = i; j > 0 && strcmp (kv[2 * (j - 1)], kv[2 * j]) > 0; --j) {
      char *k = kv[2 * j], *v = kv[2 * j + 1];
      kv[2 * j] = kv[2 * (j - 1)];
      kv[2 * j + 1] = kv[2 * (j - 1) + 1];
      kv[2 * (j - 1)] = k;
      kv[2 * (j - 1) + 1] = v;
    }
}

static void
free_strings (char **l)
{
  for (size_t i = 0; l && l[i]; ++i)
    free (l[i]);
  free (l);
}

static void
output_filesystems (guestfs_h *g, xmlTextWriterPtr w, const char *root)
{
  char **fss = guestfs_inspect_get_filesystems (g, root);
  if (!fss)
    return;
  size_t n = 0;
  while (fss[n]) n++;
  qsort (fss, n, sizeof fss[0], compare_strings);
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "filesystems"));
  for (size_t i = 0; i < n; ++i) {
    CHECK (xmlTextWriterStartElement (w, BAD_CAST "filesystem"));
    CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST "dev", BAD_CAST fss[i]));
    guestfs_push_error_handler (g, NULL, NULL);
    string_field (w, "type", guestfs_vfs_type (g, fss[i]));
    string_field (w, "label", guestfs_vfs_label (g, fss[i]));
    string_field (w, "uuid", guestfs_vfs_uuid (g, fss[i]));
    guestfs_pop_error_handler (g);
    CHECK (xmlTextWriterEndElement (w));
  }
  CHECK (xmlTextWriterEndElement (w));
  free_strings (fss);
}

static void
output_pairs (xmlTextWriterPtr w, char **kv, const char *outer,
              const char *inner, const char *attr, bool value_is_attr)
{
  if (!kv)
    return;
  if (kv[0]) {
    CHECK (xmlTextWriterStartElement (w, BAD_CAST outer));
    for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
      CHECK (xmlTextWriterStartElement (w, BAD_CAST inner));
      /* mountpoints: dev="DEVICE">MOUNTPOINT; drive mappings: name="C">DEVICE */
      CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST attr,
                                          BAD_CAST (value_is_attr ? kv[i + 1] : kv[i])));
      CHECK (xmlTextWriterWriteString (w, BAD_CAST (value_is_attr ? kv[i] : kv[i + 1])));
      CHECK (xmlTextWriterEndElement (w));
    }
    CHECK (xmlTextWriterEndElement (w));
  }
  free_strings (kv);
}

static void
output_applications (guestfs_h *g, xmlTextWriterPtr w, const char *root)
{
  struct guestfs_application2_list *apps = guestfs_inspect_list_applications2 (g, root);
  if (!apps)
    return;
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "applications"));
  for (uint32_t i = 0; i < apps->len; ++i) {
    struct guestfs_application2 *a = &apps->val[i];
    CHECK (xmlTextWriterStartElement (w, BAD_CAST "application"));
    const struct { const char *name; const char *value; } fields[] = {
      { "name", a->app2_name }, { "display_name", a->app2_display_name },
    };
    for (size_t f = 0; f < 2; ++f)
      if (fields[f].value && *fields[f].value)
        element (w, fields[f].name, fields[f].value);
    if (a->app2_epoch > 0)
      CHECK (xmlTextWriterWriteFormatElement (w, BAD_CAST "epoch", "%" PRIi32, a->app2_epoch));
    const struct { const char *name; const char *value; } more[] = {
      { "version", a->app2_version }, { "release", a->app2_release },
      { "arch", a->app2_arch }, { "install_path", a->app2_install_path },
      { "publisher", a->app2_publisher }, { "url", a->app2_url },
      { "source_package", a->app2_source_package },
      { "summary", a->app2_summary }, { "description", a->app2_description },
    };
    for (size_t f = 0; f < sizeof more / sizeof more[0]; ++f)
      if (more[f].value && *more[f].value)
        element (w, more[f].name, more[f].value);
    CHECK (xmlTextWriterEndElement (w));
  }
  CHECK (xmlTextWriterEndElement (w));
  guestfs_free_application2_list (apps);
}

static int
compare_mountpoint_length (const void *a, const void *b)
{
  const char *const *x = a, *const *y = b;
  return (int) strlen (x[0]) - (int) strlen (y[0]);
}

/* Applications and icon are read from the mounted guest, as in
 * libguestfs: mount the root's filesystems read-only, shortest
 * mountpoint first.  Failures to mount are not fatal. */
static void
mount_root (guestfs_h *g, const char *root)
{
  char **mps = guestfs_inspect_get_mountpoints (g, root);
  if (!mps)
    return;
  size_t n = 0;
  while (mps[n]) n++;
  qsort (mps, n / 2, 2 * sizeof mps[0], compare_mountpoint_length);
  guestfs_push_error_handler (g, NULL, NULL);
  for (size_t i = 0; i + 1 < n; i += 2)
    guestfs_mount_ro (g, mps[i + 1], mps[i]);
  guestfs_pop_error_handler (g);
  free_strings (mps);
}

static void
output_root (guestfs_h *g, xmlTextWriterPtr w, const char *root,
             bool applications, bool icon)
{
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "operatingsystem"));
  element (w, "root", root);
  string_field (w, "name", guestfs_inspect_get_type (g, root));
  string_field (w, "arch", guestfs_inspect_get_arch (g, root));
  string_field (w, "distro", guestfs_inspect_get_distro (g, root));
  string_field (w, "product_name", guestfs_inspect_get_product_name (g, root));
  string_field (w, "product_variant", guestfs_inspect_get_product_variant (g, root));
  int major = guestfs_inspect_get_major_version (g, root);
  int minor = guestfs_inspect_get_minor_version (g, root);
  CHECK (xmlTextWriterWriteFormatElement (w, BAD_CAST "major_version", "%d", major < 0 ? 0 : major));
  CHECK (xmlTextWriterWriteFormatElement (w, BAD_CAST "minor_version", "%d", minor < 0 ? 0 : minor));
  char *type = guestfs_inspect_get_type (g, root);
  if (type && strcmp (type, "windows") == 0) {
    guestfs_push_error_handler (g, NULL, NULL);
    string_field (w, "windows_systemroot", guestfs_inspect_get_windows_systemroot (g, root));
    string_field (w, "windows_current_control_set", guestfs_inspect_get_windows_current_control_set (g, root));
    guestfs_pop_error_handler (g);
  }
  free (type);
  string_field (w, "package_format", guestfs_inspect_get_package_format (g, root));
  string_field (w, "package_management", guestfs_inspect_get_package_management (g, root));
  string_field (w, "hostname", guestfs_inspect_get_hostname (g, root));
  string_field (w, "osinfo", guestfs_inspect_get_osinfo (g, root));
  char *format = guestfs_inspect_get_format (g, root);
  if (format && strcmp (format, "installed") != 0)
    string_field (w, "format", format);
  else
    free (format);
  if (guestfs_inspect_is_live (g, root) > 0)
    CHECK (xmlTextWriterWriteElement (w, BAD_CAST "live", BAD_CAST ""));
  if (guestfs_inspect_is_netinst (g, root) > 0)
    CHECK (xmlTextWriterWriteElement (w, BAD_CAST "netinst", BAD_CAST ""));
  if (guestfs_inspect_is_multipart (g, root) > 0)
    CHECK (xmlTextWriterWriteElement (w, BAD_CAST "multipart", BAD_CAST ""));

  char **mps = guestfs_inspect_get_mountpoints (g, root);
  if (mps)
    sort_pairs (mps);
  output_pairs (w, mps, "mountpoints", "mountpoint", "dev", true);
  output_filesystems (g, w, root);
  char **drives = guestfs_inspect_get_drive_mappings (g, root);
  if (drives)
    sort_pairs (drives);
  output_pairs (w, drives, "drive_mappings", "drive_mapping", "name", false);
  if (applications || icon)
    mount_root (g, root);
  if (applications)
    output_applications (g, w, root);
  if (icon) {
    size_t size;
    guestfs_push_error_handler (g, NULL, NULL);
    char *data = guestfs_inspect_get_icon (g, root, &size, -1);
    guestfs_pop_error_handler (g);
    if (data && size > 0) {
      CHECK (xmlTextWriterStartElement (w, BAD_CAST "icon"));
      CHECK (xmlTextWriterWriteBase64 (w, data, 0, (int) size));
      CHECK (xmlTextWriterEndElement (w));
    }
    free (data);
  }
  if (applications || icon)
    guestfs_umount_all (g);
  CHECK (xmlTextWriterEndElement (w));
}

/* --xpath: run a query on the XML read from stdin. */
static int
do_xpath (const char *query)
{
  xmlDocPtr doc = xmlReadFd (0, NULL, NULL, XML_PARSE_NONET);
  if (!doc) {
    fprintf (stderr, "%s: unable to parse XML from stdin\n", program);
    return EXIT_FAILURE;
  }
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression (BAD_CAST query, ctx) : NULL;
  if (!obj) {
    fprintf (stderr, "%s: unable to evaluate XPath query\n", program);
    return EXIT_FAILURE;
  }
  switch (obj->type) {
  case XPATH_NODESET:
    for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; ++i) {
      xmlNodePtr node = obj->nodesetval->nodeTab[i];
      if (node->type == XML_ATTRIBUTE_NODE || node->type == XML_TEXT_NODE) {
        xmlChar *s = xmlNodeGetContent (node);
        printf ("%s\n", s ? (char *) s : "");
        xmlFree (s);
      }
      else {
        xmlBufferPtr buf = xmlBufferCreate ();
        xmlNodeDump (buf, doc, node, 0, 0);
        printf ("%s\n", (char *) xmlBufferContent (buf));
        xmlBufferFree (buf);
      }
    }
    break;
  case XPATH_STRING:
    printf ("%s\n", (char *) obj->stringval);
    break;
  case XPATH_NUMBER:
    printf ("%g\n", obj->floatval);
    break;
  case XPATH_BOOLEAN:
    printf ("%s\n", obj->boolval ? "true" : "false");
    break;
  default:
    fprintf (stderr, "%s: unhandled XPath result type\n", program);
    return EXIT_FAILURE;
  }
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  xmlFreeDoc (doc);
  return EXIT_SUCCESS;
}

int
main (int argc, char *argv[])
{
  struct tool_options o = { .program = program, .read_only = true };
  bool applications = true, icon = true;
  const char *xpath = NULL;
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { "no-applications", no_argument, NULL, 0x200 },
    { "no-icon", no_argument, NULL, 0x201 },
    { "xpath", required_argument, NULL, 0x202 },
    { NULL, 0, NULL, 0 },
  };
  o.long_options = long_options;
  o.short_options = TOOL_SHORT_OPTIONS;
  int c;
  while ((c = tool_getopt (&o, argc, argv)) != -1) {
    switch (c) {
    case 'h': usage (EXIT_SUCCESS); break;
    case 0x200: applications = false; break;
    case 0x201: icon = false; break;
    case 0x202: xpath = optarg; break;
    default: usage (EXIT_FAILURE);
    }
  }
  if (xpath) {
    if (o.nr_drives || optind < argc) {
      fprintf (stderr, "%s: cannot use --xpath with other inspection options\n", program);
      exit (EXIT_FAILURE);
    }
    return do_xpath (xpath);
  }
  /* Old style: disk images as plain arguments. */
  for (; optind < argc; ++optind)
    if (tool_add_drive (&o, argv[optind]) == -1)
      exit (EXIT_FAILURE);
  if (o.nr_drives == 0)
    usage (EXIT_FAILURE);

  guestfs_h *g = tool_launch (&o, false);
  /* Open the encrypted devices (asking for passphrases when no --key
   * names them) so that what they hold is inspected too. */
  if (tool_decrypt (g, &o) == -1)
    exit (EXIT_FAILURE);
  char **roots = guestfs_inspect_os (g);
  if (!roots)
    exit (EXIT_FAILURE);
  if (!roots[0]) {
    fprintf (stderr, "%s: no operating system could be detected inside this disk image.\n", program);
    exit (EXIT_FAILURE);
  }

  xmlOutputBufferPtr ob = xmlOutputBufferCreateFd (1, NULL);
  xmlTextWriterPtr w = ob ? xmlNewTextWriter (ob) : NULL;
  if (!w) {
    fprintf (stderr, "%s: cannot create XML writer\n", program);
    exit (EXIT_FAILURE);
  }
  CHECK (xmlTextWriterSetIndent (w, 1));
  CHECK (xmlTextWriterSetIndentString (w, BAD_CAST "  "));
  CHECK (xmlTextWriterStartDocument (w, NULL, NULL, NULL));
  CHECK (xmlTextWriterStartElement (w, BAD_CAST "operatingsystems"));
  for (size_t i = 0; roots[i]; ++i)
    output_root (g, w, roots[i], applications, icon);
  CHECK (xmlTextWriterEndElement (w));
  CHECK (xmlTextWriterEndDocument (w));
  xmlFreeTextWriter (w);
  free_strings (roots);
  int status = guestfs_shutdown (g) == -1 ? EXIT_FAILURE : EXIT_SUCCESS;
  guestfs_close (g);
  tool_free_options (&o);
  return status;
}
