/* Two handles used from two threads at the same time: each thread creates
 * its handle, adds its own scratch disk, launches (the two launches start
 * together), partitions, makes a filesystem and writes and reads back
 * content that differs between the threads.  Both must pass.  */
#include <pthread.h>

#include "tests.h"

#define NFILES 8

struct job {
  int id;
  pthread_barrier_t *barrier;
  char log[4096];
  bool passed;
  double launch_start, launch_end;
};

#define FAIL(j, g, what) \
  do { \
    snprintf ((j)->log, sizeof (j)->log, "thread %d: %s: %s", (j)->id, (what), \
              errmsg (g)); \
    goto out; \
  } while (0)

static void *
worker (void *arg)
{
  struct job *j = arg;
  guestfs_h *g = guestfs_create ();
  if (!g) {
    snprintf (j->log, sizeof j->log, "thread %d: guestfs_create failed", j->id);
    pthread_barrier_wait (j->barrier);
    return NULL;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  char ident[32];
  snprintf (ident, sizeof ident, "thread%d", j->id);
  guestfs_set_identifier (g, ident);
  int r = guestfs_add_drive_scratch (g, (64 + 32 * j->id) * 1024 * 1024, -1);

  pthread_barrier_wait (j->barrier);   /* launch together */
  if (r == -1) FAIL (j, g, "add_drive_scratch");
  j->launch_start = now ();
  if (guestfs_launch (g) == -1) FAIL (j, g, "launch");
  j->launch_end = now ();

  char **devs = guestfs_list_devices (g);
  if (!devs) FAIL (j, g, "list_devices");
  bool one = devs[0] && strcmp (devs[0], "/dev/sda") == 0 && !devs[1];
  for (size_t i = 0; devs[i]; ++i) free (devs[i]);
  free (devs);
  if (!one) FAIL (j, g, "list_devices: expected exactly /dev/sda");

  int64_t size = guestfs_blockdev_getsize64 (g, "/dev/sda");
  if (size != (int64_t) (64 + 32 * j->id) * 1024 * 1024)
    FAIL (j, g, "blockdev_getsize64: this thread's disk has the wrong size");

  if (guestfs_part_disk (g, "/dev/sda", j->id ? "gpt" : "mbr") == -1) FAIL (j, g, "part_disk");
  if (guestfs_mkfs (g, j->id ? "ext2" : "ext4", "/dev/sda1") == -1) FAIL (j, g, "mkfs");
  if (guestfs_mount (g, "/dev/sda1", "/") == -1) FAIL (j, g, "mount");

  for (int i = 0; i < NFILES; ++i) {
    char path[64], content[128];
    snprintf (path, sizeof path, "/file%d", i);
    snprintf (content, sizeof content, "thread %d file %d %s\n", j->id, i,
              j->id ? "ODD-CONTENT" : "even");
    if (guestfs_write (g, path, content, strlen (content)) == -1) FAIL (j, g, "write");
  }
  for (int i = 0; i < NFILES; ++i) {
    char path[64], content[128];
    snprintf (path, sizeof path, "/file%d", i);
    snprintf (content, sizeof content, "thread %d file %d %s\n", j->id, i,
              j->id ? "ODD-CONTENT" : "even");
    char *c = guestfs_cat (g, path);
    if (!c) FAIL (j, g, "cat");
    bool same = strcmp (c, content) == 0;
    free (c);
    if (!same) FAIL (j, g, "cat returned the other thread's or wrong content");
  }
  char *t = guestfs_vfs_type (g, "/dev/sda1");
  bool type_ok = t && strcmp (t, j->id ? "ext2" : "ext4") == 0;
  free (t);
  if (!type_ok) FAIL (j, g, "vfs_type: wrong filesystem type");
  char *pt = guestfs_part_get_parttype (g, "/dev/sda");
  bool pt_ok = pt && strcmp (pt, j->id ? "gpt" : "msdos") == 0;
  free (pt);
  if (!pt_ok) FAIL (j, g, "part_get_parttype: wrong partition table type");

  if (guestfs_shutdown (g) == -1) FAIL (j, g, "shutdown");
  j->passed = true;
  snprintf (j->log, sizeof j->log, "thread %d: all calls passed", j->id);
 out:
  guestfs_close (g);
  return NULL;
}

int
main (void)
{
  pthread_barrier_t barrier;
  pthread_barrier_init (&barrier, NULL, 2);
  struct job jobs[2];
  pthread_t th[2];
  memset (jobs, 0, sizeof jobs);
  double t0 = now ();
  for (int i = 0; i < 2; ++i) {
    jobs[i].id = i;
    jobs[i].barrier = &barrier;
    if (pthread_create (&th[i], NULL, worker, &jobs[i]) != 0) {
      printf ("Bail out! pthread_create\n");
      return 1;
    }
  }
  for (int i = 0; i < 2; ++i)
    pthread_join (th[i], NULL);
  for (int i = 0; i < 2; ++i) {
    ok (jobs[i].passed, "thread %d: launch, part_disk, mkfs, write/cat %d files", i, NFILES);
    diag ("%s", jobs[i].log);
  }
  if (jobs[0].launch_end > 0 && jobs[1].launch_end > 0) {
    bool overlap = jobs[0].launch_start < jobs[1].launch_end &&
                   jobs[1].launch_start < jobs[0].launch_end;
    ok (overlap, "the two launches overlapped in time (%.1f-%.1f s, %.1f-%.1f s)",
        jobs[0].launch_start - t0, jobs[0].launch_end - t0,
        jobs[1].launch_start - t0, jobs[1].launch_end - t0);
  }
  pthread_barrier_destroy (&barrier);
  return tap_done ();
}
