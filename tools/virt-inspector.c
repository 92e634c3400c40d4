/* virt-inspector: describe the operating systems on disk images as XML,
 * in the format of libguestfs's virt-inspector, or as JSON with the same
 * fields (see virt-inspector(1) and docs/virt-inspector.schema.json). */
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

#include <json-c/json.h>

#include "guestfs.h"
#include "options.h"
#include "run.h"
#include "util.h"

static const char *program = "virt-inspector";

static void
usage (int status)
{
  if (status != EXIT_SUCCESS) {
    fprintf (stderr, "Try ‘%s --help’ for more information.\n", program);
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
          "  --json               JSON output instead of XML\n"
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

/* ---- the model ---------------------------------------------------------
 * What inspection found about one root is first gathered into a json-c
 * object; the XML and the JSON output are both written from it, so the
 * two formats hold the same fields (docs/virt-inspector.schema.json
 * describes the JSON; the XML names are the same keys).  Keys keep their
 * insertion order, which is the XML element order. */

static json_object *
xjson (json_object *j)
{
  if (!j) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
  return j;
}

static void
put (json_object *obj, const char *key, json_object *value)
{
  if (json_object_object_add (obj, key, xjson (value)) != 0) {
    fprintf (stderr, "%s: out of memory\n", program);
    exit (EXIT_FAILURE);
  }
}

static void
put_string (json_object *obj, const char *key, const char *value)
{
  put (obj, key, json_object_new_string (value));
}

/* A string field, omitted when unknown or empty. */
static void
string_field (json_object *obj, const char *key, char *value)
{
  if (value && *value && strcmp (value, "unknown") != 0)
    put_string (obj, key, value);
  free (value);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Whether key a goes after key b: shorter keys first, then in byte
 * order, as libguestfs's virt-inspector lists them (mountpoints "/",
 * "/srv", "/boot", "/var/log": each after the ones it may sit on). */
static bool
key_after (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  return la != lb ? la > lb : strcmp (a, b) > 0;
}

/* Sort a key/value list by key (see key_after). */
static void
sort_pairs (char **kv)
{
  size_t n = 0;
  while (kv[n]) n++;
  size_t pairs = n / 2;
  for (size_t i = 1; i < pairs; ++i)
    for (size_t j = i; j > 0 && key_after (kv[2 * (j - 1)], kv[2 * j]); --j) {
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
model_filesystems (guestfs_h *g, json_object *os, const char *root)
{
  char **fss = guestfs_inspect_get_filesystems (g, root);
  if (!fss)
    return;
  size_t n = 0;
  while (fss[n]) n++;
  qsort (fss, n, sizeof fss[0], compare_strings);
  json_object *list = xjson (json_object_new_array ());
  for (size_t i = 0; i < n; ++i) {
    json_object *fs = xjson (json_object_new_object ());
    put_string (fs, "dev", fss[i]);
    guestfs_push_error_handler (g, NULL, NULL);
    string_field (fs, "type", guestfs_vfs_type (g, fss[i]));
    string_field (fs, "label", guestfs_vfs_label (g, fss[i]));
    string_field (fs, "uuid", guestfs_vfs_uuid (g, fss[i]));
    guestfs_pop_error_handler (g);
    json_object_array_add (list, fs);
  }
  put (os, "filesystems", list);
  free_strings (fss);
}

/* mountpoints: [{dev, mountpoint}] from MOUNTPOINT → DEVICE pairs;
 * drive_mappings: [{name, device}] from LETTER → DEVICE pairs. */
static void
model_pairs (json_object *os, char **kv, const char *list_key,
             const char *key_name, const char *value_name)
{
  if (!kv)
    return;
  sort_pairs (kv);
  if (kv[0]) {
    json_object *list = xjson (json_object_new_array ());
    for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
      json_object *item = xjson (json_object_new_object ());
      /* The XML attribute comes first: dev= for mountpoints, name= for
       * drive mappings. */
      if (strcmp (list_key, "mountpoints") == 0) {
        put_string (item, value_name, kv[i + 1]);
        put_string (item, key_name, kv[i]);
      }
      else {
        put_string (item, key_name, kv[i]);
        put_string (item, value_name, kv[i + 1]);
      }
      json_object_array_add (list, item);
    }
    put (os, list_key, list);
  }
  free_strings (kv);
}

static void
model_applications (guestfs_h *g, json_object *os, const char *root)
{
  struct guestfs_application2_list *apps = guestfs_inspect_list_applications2 (g, root);
  if (!apps)
    return;
  json_object *list = xjson (json_object_new_array ());
  for (uint32_t i = 0; i < apps->len; ++i) {
    struct guestfs_application2 *a = &apps->val[i];
    json_object *app = xjson (json_object_new_object ());
    const struct { const char *name; const char *value; } fields[] = {
      { "name", a->app2_name }, { "display_name", a->app2_display_name },
      { "epoch", NULL },
      { "version", a->app2_version }, { "release", a->app2_release },
      { "arch", a->app2_arch }, { "install_path", a->app2_install_path },
      { "publisher", a->app2_publisher }, { "url", a->app2_url },
      { "source_package", a->app2_source_package },
      { "summary", a->app2_summary }, { "description", a->app2_description },
    };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; ++f) {
      if (strcmp (fields[f].name, "epoch") == 0) {
        if (a->app2_epoch > 0)
          put (app, "epoch", json_object_new_int (a->app2_epoch));
      }
      else if (fields[f].value && *fields[f].value)
        put_string (app, fields[f].name, fields[f].value);
    }
    json_object_array_add (list, app);
  }
  put (os, "applications", list);
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

/* RFC 4648 base64, no line breaks. */
static char *
base64 (const unsigned char *data, size_t size)
{
  static const char digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc ((size + 2) / 3 * 4 + 1), *p = out;
  if (!out) {
    perror ("malloc");
    exit (EXIT_FAILURE);
  }
  for (size_t i = 0; i < size; i += 3) {
    uint32_t v = (uint32_t) data[i] << 16;
    if (i + 1 < size) v |= (uint32_t) data[i + 1] << 8;
    if (i + 2 < size) v |= data[i + 2];
    *p++ = digits[(v >> 18) & 63];
    *p++ = digits[(v >> 12) & 63];
    *p++ = i + 1 < size ? digits[(v >> 6) & 63] : '=';
    *p++ = i + 2 < size ? digits[v & 63] : '=';
  }
  *p = '\0';
  return out;
}

static json_object *
model_root (guestfs_h *g, const char *root, bool applications, bool icon)
{
  json_object *os = xjson (json_object_new_object ());
  put_string (os, "root", root);
  string_field (os, "name", guestfs_inspect_get_type (g, root));
  string_field (os, "arch", guestfs_inspect_get_arch (g, root));
  string_field (os, "distro", guestfs_inspect_get_distro (g, root));
  string_field (os, "product_name", guestfs_inspect_get_product_name (g, root));
  string_field (os, "product_variant", guestfs_inspect_get_product_variant (g, root));
  int major = guestfs_inspect_get_major_version (g, root);
  int minor = guestfs_inspect_get_minor_version (g, root);
  put (os, "major_version", json_object_new_int (major < 0 ? 0 : major));
  put (os, "minor_version", json_object_new_int (minor < 0 ? 0 : minor));
  char *type = guestfs_inspect_get_type (g, root);
  if (type && strcmp (type, "windows") == 0) {
    guestfs_push_error_handler (g, NULL, NULL);
    string_field (os, "windows_systemroot", guestfs_inspect_get_windows_systemroot (g, root));
    string_field (os, "windows_current_control_set", guestfs_inspect_get_windows_current_control_set (g, root));
    guestfs_pop_error_handler (g);
  }
  free (type);
  string_field (os, "package_format", guestfs_inspect_get_package_format (g, root));
  string_field (os, "package_management", guestfs_inspect_get_package_management (g, root));
  string_field (os, "hostname", guestfs_inspect_get_hostname (g, root));
  string_field (os, "osinfo", guestfs_inspect_get_osinfo (g, root));
  char *format = guestfs_inspect_get_format (g, root);
  if (format && strcmp (format, "installed") != 0)
    string_field (os, "format", format);
  else
    free (format);
  /* Flags: present (true) only when set, as the XML's empty elements. */
  if (guestfs_inspect_is_live (g, root) > 0)
    put (os, "live", json_object_new_boolean (1));
  if (guestfs_inspect_is_netinst (g, root) > 0)
    put (os, "netinst", json_object_new_boolean (1));
  if (guestfs_inspect_is_multipart (g, root) > 0)
    put (os, "multipart", json_object_new_boolean (1));

  model_pairs (os, guestfs_inspect_get_mountpoints (g, root), "mountpoints",
               "mountpoint", "dev");
  model_filesystems (g, os, root);
  model_pairs (os, guestfs_inspect_get_drive_mappings (g, root), "drive_mappings",
               "name", "device");
  if (applications || icon)
    mount_root (g, root);
  if (applications)
    model_applications (g, os, root);
  if (icon) {
    size_t size;
    guestfs_push_error_handler (g, NULL, NULL);
    char *data = guestfs_inspect_get_icon (g, root, &size, -1);
    guestfs_pop_error_handler (g);
    if (data && size > 0) {
      char *b64 = base64 ((const unsigned char *) data, size);
      put_string (os, "icon", b64);
      free (b64);
    }
    free (data);
  }
  if (applications || icon)
    guestfs_umount_all (g);
  return os;
}

/* ---- XML from the model ------------------------------------------------ */

/* The lists: the XML element of each item, and which of its keys are an
 * attribute and the element's text (NULL: the keys are child elements). */
static const struct xml_list {
  const char *key, *item, *attribute, *text;
} xml_lists[] = {
  { "mountpoints", "mountpoint", "dev", "mountpoint" },
  { "filesystems", "filesystem", "dev", NULL },
  { "drive_mappings", "drive_mapping", "name", "device" },
  { "applications", "application", NULL, NULL },
};

static void
xml_value (xmlTextWriterPtr w, const char *key, json_object *v)
{
  switch (json_object_get_type (v)) {
  case json_type_boolean:
    /* Flags are empty elements, present when true. */
    if (json_object_get_boolean (v))
      CHECK (xmlTextWriterWriteElement (w, BAD_CAST key, BAD_CAST ""));
    break;
  case json_type_int:
    CHECK (xmlTextWriterWriteFormatElement (w, BAD_CAST key, "%" PRId64,
                                            json_object_get_int64 (v)));
    break;
  default:
    CHECK (xmlTextWriterWriteElement (w, BAD_CAST key,
                                      BAD_CAST json_object_get_string (v)));
  }
}

static void
xml_fields (xmlTextWriterPtr w, json_object *obj, const char *skip1, const char *skip2)
{
  json_object_object_foreach (obj, key, v) {
    if ((skip1 && strcmp (key, skip1) == 0) || (skip2 && strcmp (key, skip2) == 0))
      continue;
    if (json_object_get_type (v) == json_type_array) {
      const struct xml_list *l = NULL;
      for (size_t i = 0; i < sizeof xml_lists / sizeof xml_lists[0]; ++i)
        if (strcmp (xml_lists[i].key, key) == 0)
          l = &xml_lists[i];
      if (!l)
        abort ();               /* every list of the model is in the table */
      CHECK (xmlTextWriterStartElement (w, BAD_CAST key));
      for (size_t i = 0; i < json_object_array_length (v); ++i) {
        json_object *item = json_object_array_get_idx (v, i), *a, *t;
        CHECK (xmlTextWriterStartElement (w, BAD_CAST l->item));
        if (l->attribute && json_object_object_get_ex (item, l->attribute, &a))
          CHECK (xmlTextWriterWriteAttribute (w, BAD_CAST l->attribute,
                                              BAD_CAST json_object_get_string (a)));
        if (l->text && json_object_object_get_ex (item, l->text, &t))
          CHECK (xmlTextWriterWriteString (w, BAD_CAST json_object_get_string (t)));
        else
          xml_fields (w, item, l->attribute, l->text);
        CHECK (xmlTextWriterEndElement (w));
      }
      CHECK (xmlTextWriterEndElement (w));
    }
    else
      xml_value (w, key, v);
  }
}

static void
output_xml (json_object *systems)
{
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
  for (size_t i = 0; i < json_object_array_length (systems); ++i) {
    CHECK (xmlTextWriterStartElement (w, BAD_CAST "operatingsystem"));
    xml_fields (w, json_object_array_get_idx (systems, i), NULL, NULL);
    CHECK (xmlTextWriterEndElement (w));
  }
  CHECK (xmlTextWriterEndElement (w));
  CHECK (xmlTextWriterEndDocument (w));
  xmlFreeTextWriter (w);
}

/* Print one node of an --xpath result as XML, indented (the input was
 * read without its blank text, so the layout is libxml2's): an element
 * with its subtree, an attribute as ' name="value"', text escaped.  The
 * document itself prints as its top-level nodes, with no declaration,
 * and an empty line after them. */
static void
print_xpath_node (xmlDocPtr doc, xmlNodePtr node)
{
  if (node->type == XML_DOCUMENT_NODE || node->type == XML_HTML_DOCUMENT_NODE) {
    for (xmlNodePtr c = node->children; c; c = c->next)
      print_xpath_node (doc, c);
    putchar ('\n');
    return;
  }
  xmlBufferPtr buf = xmlBufferCreate ();
  if (!buf || xmlNodeDump (buf, doc, node, 0, 1) == -1) {
    fprintf (stderr, "%s: --xpath: cannot print a node of the result\n", program);
    exit (EXIT_FAILURE);
  }
  printf ("%s\n", (const char *) xmlBufferContent (buf));
  xmlBufferFree (buf);
}

/* --xpath: run a query on the XML read from stdin.  A node set prints
 * node by node; a number, string or boolean as XPath's string() of it
 * ("0.333333333333333", "Infinity", "true"; nothing for an empty
 * string), as libguestfs's tool does. */
static int
do_xpath (const char *query)
{
  xmlDocPtr doc = xmlReadFd (0, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  if (!doc) {
    fprintf (stderr, "%s: unable to parse XML from stdin\n", program);
    return EXIT_FAILURE;
  }
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = ctx ? xmlXPathEvalExpression (BAD_CAST query, ctx) : NULL;
  if (!obj) {
    fprintf (stderr, "%s: unable to evaluate XPath expression\n", program);
    return EXIT_FAILURE;
  }
  switch (obj->type) {
  case XPATH_NODESET:
    for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; ++i)
      print_xpath_node (doc, obj->nodesetval->nodeTab[i]);
    break;
  case XPATH_STRING:
  case XPATH_NUMBER:
  case XPATH_BOOLEAN: {
    xmlChar *s = xmlXPathCastToString (obj);
    if (s && *s)
      printf ("%s\n", (const char *) s);
    xmlFree (s);
    break;
  }
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
  bool applications = true, icon = true, json = false;
  const char *xpath = NULL;
  static const struct option long_options[] = {
    TOOL_LONG_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { "json", no_argument, NULL, 0x203 },
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
    case 0x203: json = true; break;
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
  /* No operating system: an empty list and exit status 0, as
   * libguestfs's virt-inspector 1.48 does. */
  json_object *systems = xjson (json_object_new_array ());
  for (size_t i = 0; roots[i]; ++i)
    json_object_array_add (systems, model_root (g, roots[i], applications, icon));
  free_strings (roots);
  if (json) {
    json_object *top = xjson (json_object_new_object ());
    put (top, "operatingsystems", systems);
    if (tool_json_print (top) == -1)
      exit (EXIT_FAILURE);
    json_object_put (top);
  }
  else {
    output_xml (systems);
    json_object_put (systems);
  }
  int status = guestfs_shutdown (g) == -1 ? EXIT_FAILURE : EXIT_SUCCESS;
  guestfs_close (g);
  tool_free_options (&o);
  return status;
}
