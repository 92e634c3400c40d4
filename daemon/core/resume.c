/* After a restore from saved state (lib/direct.c, lib/snapshot.c).
 *
 * Every appliance restored from one saved state wakes up with the same
 * memory: the same kernel RNG state, a clock that stopped when the state
 * was saved, and no user disks.  Before the host may use it, the daemon
 * takes the host's clock, mixes fresh host entropy into the kernel's pool
 * and forces a reseed (so two restored appliances never hand out the same
 * random bytes), waits for the drives the host hot-added to appear as
 * /dev/sda, /dev/sdb ... (the kernel probes them from virtio-scsi's
 * hotplug events: no udev), and only then replies.  The same call comes
 * after a hot-add on a running appliance, and before a hot-remove, when
 * the disk leaving must first be released here (devices.c).  The reply
 * carries the size of the bulk data disk (opened before the state was
 * saved). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "lazylib.h"

/* Drives appear within milliseconds of their hotplug event; allow for a
 * heavily loaded host. */
#define DRIVE_WAIT_MS 30000

static int
reseed (const char *entropy, size_t n)
{
  int fd = open ("/dev/urandom", O_RDWR | O_CLOEXEC);
  if (fd == -1)
    return -1;
  struct {
    struct rand_pool_info info;
    unsigned char data[HATCH_RESUME_MAX_ENTROPY];
  } pool;
  pool.info.entropy_count = (int) n * 8;
  pool.info.buf_size = (int) n;
  memcpy (pool.data, entropy, n);
  int r = ioctl (fd, RNDADDENTROPY, &pool);
  /* Make the new input take effect now, not at the next periodic
   * reseed. */
  if (r == 0)
    r = ioctl (fd, RNDRESEEDCRNG);
  int e = errno;
  close (fd);
  errno = e;
  return r;
}

void
resume_after_restore (struct xdr *args)
{
  uint64_t sec;
  uint32_t nsec;
  char *entropy = NULL, *want = NULL;
  size_t elen = 0, wlen = 0;
  if (xdr_get_u64 (args, &sec) == -1 || xdr_get_u32 (args, &nsec) == -1 ||
      xdr_get_opaque (args, &entropy, &elen) == -1 ||
      xdr_get_opaque (args, &want, &wlen) == -1 || nsec >= 1000000000 ||
      elen == 0 || elen > HATCH_RESUME_MAX_ENTROPY || wlen != HATCH_TARGET_BITMAP) {
    free (entropy);
    free (want);
    reply_with_error ("resume: malformed arguments");
    return;
  }
  struct timespec ts = { .tv_sec = (time_t) sec, .tv_nsec = nsec };
  if (clock_settime (CLOCK_REALTIME, &ts) == -1) {
    free (entropy);
    free (want);
    reply_with_perror ("resume: clock_settime");
    return;
  }
  int r = reseed (entropy, elen);
  free (entropy);
  if (r == -1) {
    free (want);
    reply_with_perror ("resume: reseeding the RNG");
    return;
  }
  const unsigned char *set = (const unsigned char *) want;
  char why[512];
  if (release_unwanted_disks (set, why, sizeof why) == -1) {
    free (want);
    reply_with_error_errno (EBUSY, "%s", why);
    return;
  }
  int waited = 0;
  while (!user_disks_match (set)) {
    if (waited >= DRIVE_WAIT_MS) {
      free (want);
      reply_with_error ("resume: the drives the host attached did not all appear "
                        "within %d s", DRIVE_WAIT_MS / 1000);
      return;
    }
    struct timespec t = { 0, 2 * 1000 * 1000 };
    nanosleep (&t, NULL);
    waited += 2;
  }
  free (want);
  fix_disk_order ();
  settle_disk_partitions ();
  activate_block_layers ();
  if (verbose)
    fprintf (stderr, "guestfsd: disks in place after %d ms\n", waited);
  struct xdr ret;
  xdr_enc_init (&ret);
  xdr_put_u64 (&ret, bulk_available () ? HATCH_BULK_DISK_SIZE : 0);
  reply (&ret);
  xdr_free_buf (&ret);
}

/* The boot whose state the host saves (its kernel command line has
 * hatch_save=1) waits, before its hello, for the kernel's boot-time
 * work that is still pending: the TSC's refined calibration runs about a
 * second after the TSC is first used and then switches the clocksource
 * from tsc-early to tsc.  Saved before that, every restored appliance
 * did it again, on its one emulated vCPU, while its drives were being
 * probed (part of each restored launch); saved after it, none does.
 * Bounded: a kernel that keeps tsc-early (an unstable TSC) is saved
 * anyway after 3 s.  It also syncs, so that no restored appliance
 * inherits the boot's dirty pages. */
#define SETTLE_MAX_MS 3000

/* Modules whose loading costs a fixed time that is not the module's
 * size, loaded by the saving boot while it waits (and Augeas's lenses
 * compiled after: augeas_prepare), so that restored
 * appliances have them: raid6_pq (pulled in by btrfs and by RAID 4/5/6)
 * picks its syndrome routines by timing each of them for a fixed number
 * of jiffies: a restored appliance's first btrfs mount took 575 ms
 * when it loaded raid6_pq, 256 ms when the saved state had it.  Returns
 * the modprobe's pid, or -1. */
static pid_t
preload_modules (void)
{
  static const char *const argv[] = { "modprobe", "-q", "raid6_pq", NULL };
  return spawn_program (argv, -1, -1, -1, 2);
}

#define PRELOAD_MAX_MS 10000

void
settle_before_save (void)
{
  char cmdline[4096];
  if (read_sysfs ("/proc/cmdline", cmdline, sizeof cmdline) == -1)
    return;
  bool saving = false;
  for (char *tok = strtok (cmdline, " "); tok; tok = strtok (NULL, " "))
    saving |= strcmp (tok, "hatch_save=1") == 0;
  if (!saving)
    return;
  pid_t preload = preload_modules ();
  /* What the boot wrote goes to the root image now, once: left dirty in
   * the saved page cache, every restored appliance's first sync (the
   * one at its shutdown, at least) would write it out again. */
  sync ();
  int waited = 0;
  for (; waited < SETTLE_MAX_MS; waited += 5) {
    char cs[64];
    if (read_sysfs ("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                    cs, sizeof cs) == -1 || strcmp (cs, "tsc-early") != 0)
      break;
    struct timespec t = { 0, 5 * 1000 * 1000 };
    nanosleep (&t, NULL);
  }
  int preload_ms = 0;
  while (preload > 0 && waitpid (preload, NULL, WNOHANG) == 0 && preload_ms < PRELOAD_MAX_MS) {
    struct timespec t = { 0, 5 * 1000 * 1000 };
    nanosleep (&t, NULL);
    preload_ms += 5;
  }
  if (preload > 0 && preload_ms >= PRELOAD_MAX_MS)
    fprintf (stderr, "guestfsd: modprobe raid6_pq still running after %d ms; saving anyway\n",
             preload_ms);
  /* After the module, whose set-up times itself: nothing else running. */
  struct timespec a0, a1;
  clock_gettime (CLOCK_MONOTONIC, &a0);
  augeas_prepare ();
  lazy_open_all ();
  clock_gettime (CLOCK_MONOTONIC, &a1);
  if (verbose)
    fprintf (stderr, "guestfsd: boot work settled for the saved state after %d ms "
             "(+%d ms for modules, +%ld ms for Augeas's lenses and the lazy libraries)\n",
             waited, preload_ms,
             (long) ((a1.tv_sec - a0.tv_sec) * 1000 + (a1.tv_nsec - a0.tv_nsec) / 1000000));
}

