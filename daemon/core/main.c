/* guestfsd: the daemon inside the appliance.
 *
 * It opens the virtio-serial port named org.libguestfs.channel.0, says
 * HELLO (with the hash of the API table it was built from), then handles
 * one call at a time until the host asks it to exit.  If the host side of
 * the channel goes away and comes back (e.g. after a saved-state restore)
 * it says HELLO again and carries on.
 *
 * For tests it can also serve a unix socket: guestfsd --listen PATH.  */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "protocol-gen.h"

int verbose;
extern int chan_fd;
void proto_begin_call (uint32_t proc, uint32_t serial);
bool proto_replied (void);
void proto_send_hello (const char *api_hash, const char *version, uint64_t bulk_size);


static char *
find_channel (void)
{
  DIR *d = opendir ("/sys/class/virtio-ports");
  if (!d)
    return NULL;
  struct dirent *e;
  char *found = NULL;
  while (!found && (e = readdir (d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[512], name[256];
    snprintf (path, sizeof path, "/sys/class/virtio-ports/%s/name", e->d_name);
    FILE *f = fopen (path, "r");
    if (!f)
      continue;
    if (fgets (name, sizeof name, f)) {
      name[strcspn (name, "\n")] = '\0';
      if (strcmp (name, HATCH_CHANNEL_NAME) == 0 &&
          asprintf (&found, "/dev/%s", e->d_name) == -1)
        found = NULL;
    }
    fclose (f);
  }
  closedir (d);
  return found;
}

static int
open_channel (void)
{
  /* The port appears when virtio_console has probed it: wait up to 10 s. */
  for (int i = 0; i < 1000; ++i) {
    char *dev = find_channel ();
    if (dev) {
      int fd = open (dev, O_RDWR | O_CLOEXEC);
      if (fd == -1)
        fprintf (stderr, "guestfsd: open %s: %s\n", dev, strerror (errno));
      free (dev);
      if (fd >= 0)
        return fd;
    }
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep (&ts, NULL);
  }
  fprintf (stderr, "guestfsd: virtio-serial port %s not found\n", HATCH_CHANNEL_NAME);
  return -1;
}

static int
listen_unix (const char *path)
{
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (s == -1 || strlen (path) >= sizeof sa.sun_path)
    return -1;
  strcpy (sa.sun_path, path);
  unlink (path);
  if (bind (s, (struct sockaddr *) &sa, sizeof sa) == -1 || listen (s, 1) == -1)
    return -1;
  int c = accept4 (s, NULL, NULL, SOCK_CLOEXEC);
  close (s);
  return c;
}

static ssize_t
read_chan (void *opaque, void *buf, size_t n)
{
  (void) opaque;
  return frame_read_fd (&chan_fd, buf, n);
}

/* The host closed its end of a virtio-serial port: wait until it is back. */
static void
wait_for_host (void)
{
  for (;;) {
    struct pollfd p = { .fd = chan_fd, .events = POLLIN };
    int r = poll (&p, 1, 100);
    if (r > 0 && !(p.revents & POLLHUP))
      return;
    if (r == 0 || (p.revents & POLLHUP)) {
      struct timespec ts = { 0, 50 * 1000 * 1000 };
      nanosleep (&ts, NULL);
    }
  }
}

int
main (int argc, char *argv[])
{
  const char *listen_path = NULL;
  static const struct option opts[] = {
    { "verbose", no_argument, NULL, 'v' },
    { "listen", required_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  while ((c = getopt_long (argc, argv, "v", opts, NULL)) != -1) {
    switch (c) {
    case 'v': verbose = 1; break;
    case 'l': listen_path = optarg; break;
    default:
      fprintf (stderr, "usage: guestfsd [-v] [--listen SOCKET]\n");
      return 2;
    }
  }
  signal (SIGPIPE, SIG_IGN);
  umask (022);
  setenv ("LC_ALL", "C", 1);
  setenv ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 0);
  mkdir (SYSROOT, 0755);

  uint64_t bulk_size = 0;
  if (!listen_path) {
    /* SCHED_BATCH (inherited by every program the daemon runs): a task
     * woken up does not preempt the one running.  The appliance has one
     * vCPU, so with the default policy tar writing its archive into our
     * pipe 10 KiB at a time woke us at once, and each write was two
     * context switches between two address spaces: 7 900 in a tar_out of
     * 10 000 small files.  Under TCG every such switch flushes the
     * emulated TLB and the translated-jump cache, which then refill.  Now
     * the writer runs until the pipe is full or its time slice ends: 890
     * switches, and that tar_out took 0.76 s instead of 1.13 s (medians
     * of 6, alternating).  Nothing else competes for the vCPU: a request
     * from the host still finds it idle. */
    struct sched_param sp = { 0 };
    if (sched_setscheduler (0, SCHED_BATCH, &sp) == -1)
      perror ("guestfsd: SCHED_BATCH");
    fix_disk_order ();
    activate_block_layers ();
    bulk_size = bulk_open ();
    settle_before_save ();
  }
  chan_fd = listen_path ? listen_unix (listen_path) : open_channel ();
  if (chan_fd == -1) {
    perror ("guestfsd: channel");
    return 1;
  }
  if (verbose) {
    /* The appliance's uptime, as init's lines have it: the time from
     * init's "starting" line to this one is the daemon's own start. */
    struct timespec ts;
    clock_gettime (CLOCK_BOOTTIME, &ts);
    fprintf (stderr, "[%8.3f] guestfsd: channel open, api %s\n",
             ts.tv_sec + ts.tv_nsec / 1e9, HATCH_API_HASH);
  }
  proto_send_hello (HATCH_API_HASH, PACKAGE_VERSION, bulk_size);

  for (;;) {
    struct frame_header h;
    char *body = NULL;
    size_t len = 0;
    int r = frame_read (read_chan, NULL, &h, &body, &len, HATCH_MAX_FRAME);
    if (r == 0 || (r == -1 && errno != EPROTO && errno != EFBIG)) {
      if (listen_path)
        return 0;
      /* Host side gone: wait for it to reconnect, then greet it again. */
      wait_for_host ();
      proto_send_hello (HATCH_API_HASH, PACKAGE_VERSION, bulk_size);
      continue;
    }
    if (r == -1) {
      /* A malformed frame: we cannot find the next frame boundary. */
      fprintf (stderr, "guestfsd: bad frame from host (%s), exiting\n", strerror (errno));
      return 1;
    }
    if (h.type == FRAME_CHUNK) {
      /* A stray chunk (e.g. a cancelled upload's tail): ignore. */
      free (body);
      continue;
    }
    if (h.type != FRAME_CALL) {
      fprintf (stderr, "guestfsd: unexpected frame type %u\n", h.type);
      free (body);
      continue;
    }
    proto_begin_call (h.proc, h.serial);
    if (h.proc == HATCH_PROC_EXIT) {
      sync ();
      flush_disks ();
      reply (NULL);
      free (body);
      return 0;
    }
    if (h.proc == HATCH_PROC_RESUME) {
      struct xdr in;
      xdr_dec_init (&in, body, len);
      resume_after_restore (&in);
      free (body);
      continue;
    }
    struct xdr in;
    xdr_dec_init (&in, body, len);
    if (verbose)
      fprintf (stderr, "guestfsd: <= %s (0x%x) serial %u\n",
               hatch_proc_name ((int) h.proc) ? hatch_proc_name ((int) h.proc) : "?",
               h.proc, h.serial);
    dispatch_call ((int) h.proc, &in);
    if (!proto_replied ())
      reply_with_error ("internal error: %s did not reply",
                        hatch_proc_name ((int) h.proc) ? hatch_proc_name ((int) h.proc) : "?");
    free (body);
  }
}
