/* add_libvirt_dom with a domain the program looked up itself, and libvirt
 * authentication through GUESTFS_EVENT_LIBVIRT_AUTH, against libvirt's
 * test driver (a node XML file with an <auth> user: no libvirt daemon).
 * Nothing is launched: adding drives is all these calls do.  TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "guestfs.h"

static int n, failed;

static void
ok (int cond, const char *what)
{
  printf ("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
  if (!cond)
    failed = 1;
}

struct answers { const char *user, *password; int calls; char reqs[256]; };

static void
auth_cb (guestfs_h *g, void *opaque, uint64_t event, int eh, int flags,
         const char *buf, size_t buf_len, const uint64_t *array, size_t array_len)
{
  struct answers *a = opaque;
  a->calls++;
  char **creds = guestfs_get_libvirt_requested_credentials (g);
  if (creds == NULL)
    return;
  for (int i = 0; creds[i]; ++i) {
    strncat (a->reqs, creds[i], sizeof a->reqs - strlen (a->reqs) - 2);
    strcat (a->reqs, " ");
    char *prompt = guestfs_get_libvirt_requested_credential_prompt (g, i);
    free (prompt);
    const char *ans = strcmp (creds[i], "authname") == 0 ? a->user : a->password;
    guestfs_set_libvirt_requested_credential (g, i, ans, strlen (ans));
    free (creds[i]);
  }
  free (creds);
}

static void
quiet (void *opaque, virErrorPtr err)
{
}

int
main (void)
{
  char dir[] = "/tmp/hatch-libvirt-XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 1;
  char img[4096], xml[4096], uri[4200], cmd[8300];
  snprintf (img, sizeof img, "%s/disk.img", dir);
  snprintf (xml, sizeof xml, "%s/node.xml", dir);
  snprintf (uri, sizeof uri, "test://%s", xml);
  FILE *f = fopen (img, "w");
  if (!f || ftruncate (fileno (f), 1 << 20) == -1)
    return 1;
  fclose (f);
  f = fopen (xml, "w");
  if (!f)
    return 1;
  fprintf (f,
           "<node>\n"
           " <auth><user password='sesame'>hatchuser</user></auth>\n"
           " <domain type='test'>\n"
           "  <name>authdom</name><memory>65536</memory><os><type>hvm</type></os>\n"
           "  <devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>\n"
           "   <source file='%s'/><target dev='vda'/></disk></devices>\n"
           " </domain>\n"
           "</node>\n", img);
  fclose (f);
  virSetErrorFunc (NULL, quiet);

  /* add_libvirt_dom: the program owns the connection and the domain. */
  guestfs_h *g = guestfs_create ();
  guestfs_push_error_handler (g, NULL, NULL);
  virConnectPtr conn = virConnectOpenAuth ("test:///default", NULL, VIR_CONNECT_RO);
  ok (conn != NULL, "connect to test:///default");
  virDomainPtr d = conn ? virDomainLookupByName (conn, "test") : NULL;
  ok (d != NULL, "look up the default test domain");
  /* test:///default's domain "test" is running and has no disks. */
  ok (guestfs_add_libvirt_dom (g, d, -1) == -1 &&
      strstr (guestfs_last_error (g), "running") != NULL,
      "a running domain is refused unless read-only");
  /* Its disk, /guest/diskimage1, does not exist on this host. */
  ok (guestfs_add_libvirt_dom (g, d, GUESTFS_ADD_LIBVIRT_DOM_READONLY, 1, -1) == -1 &&
      strstr (guestfs_last_error (g), "/guest/diskimage1") != NULL,
      "read-only: the domain's XML is read and its disk added (missing here)");
  ok (guestfs_add_libvirt_dom (g, NULL, -1) == -1, "NULL domain is an error");
  ok (guestfs_add_libvirt_dom (g, d, GUESTFS_ADD_LIBVIRT_DOM_READONLYDISK, "bogus",
                               GUESTFS_ADD_LIBVIRT_DOM_READONLY, 1, -1) == -1,
      "bad readonlydisk value is an error");
  if (d)
    virDomainFree (d);
  if (conn)
    virConnectClose (conn);
  guestfs_close (g);

  /* Authentication: right password, through the event. */
  g = guestfs_create ();
  struct answers right = { "hatchuser", "sesame", 0, "" };
  char *const kinds[] = { "authname", "passphrase", NULL };
  ok (guestfs_set_libvirt_supported_credentials (g, kinds) == 0, "set supported credentials");
  guestfs_set_event_callback (g, auth_cb, GUESTFS_EVENT_LIBVIRT_AUTH, 0, &right);
  int r = guestfs_add_domain (g, "authdom", GUESTFS_ADD_DOMAIN_LIBVIRTURI, uri,
                              GUESTFS_ADD_DOMAIN_READONLY, 1, -1);
  ok (r == 1, "add_domain with the right password adds the disk");
  if (r != 1)
    printf ("# %s\n", guestfs_last_error (g));
  ok (right.calls >= 1, "the LIBVIRT_AUTH event was raised");
  ok (strstr (right.reqs, "authname") && strstr (right.reqs, "passphrase"),
      "libvirt asked for authname and passphrase");
  ok (guestfs_get_libvirt_requested_credentials (g) == NULL,
      "outside the event there are no requested credentials");
  char **devs = guestfs_debug_drives (g);
  int found = 0;
  for (size_t i = 0; devs && devs[i]; ++i) {
    if (strstr (devs[i], img))
      found = 1;
    free (devs[i]);
  }
  free (devs);
  ok (found, "the domain's disk is among the handle's drives");
  guestfs_close (g);

  /* Wrong password: the connection fails. */
  g = guestfs_create ();
  struct answers wrong = { "hatchuser", "wrong", 0, "" };
  guestfs_set_libvirt_supported_credentials (g, kinds);
  guestfs_set_event_callback (g, auth_cb, GUESTFS_EVENT_LIBVIRT_AUTH, 0, &wrong);
  guestfs_push_error_handler (g, NULL, NULL);
  r = guestfs_add_domain (g, "authdom", GUESTFS_ADD_DOMAIN_LIBVIRTURI, uri,
                          GUESTFS_ADD_DOMAIN_READONLY, 1, -1);
  ok (r == -1 && strstr (guestfs_last_error (g), "connect") != NULL,
      "a wrong password makes add_domain fail to connect");
  guestfs_close (g);

  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    return 1;
  printf ("1..%d\n", n);
  return failed;
}
