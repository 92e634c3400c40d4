/* One handle shared by two threads (libguestfs >= 1.38 semantics, see
 * "MULTIPLE HANDLES AND MULTIPLE THREADS" in guestfs(3)): calls from the
 * two threads take turns on the handle's lock, so both threads' writes and
 * reads come back right; and each thread sees only its own last error and
 * its own pushed error handler.  */
#include <pthread.h>

#include "tests.h"

#define ROUNDS 150

struct job {
  guestfs_h *g;
  int id;
  pthread_barrier_t *barrier;
  int own_errors;          /* errors seen by this thread's pushed handler */
  char log[1024];
  bool passed;
};

static void
count_error (guestfs_h *g, void *opaque, const char *msg)
{
  (void) g; (void) msg;
  ++*(int *) opaque;
}

#define FAIL(j, ...) \
  do { snprintf ((j)->log, sizeof (j)->log, __VA_ARGS__); goto out; } while (0)

static void *
worker (void *arg)
{
  struct job *j = arg;
  guestfs_h *g = j->g;
  guestfs_push_error_handler (g, count_error, &j->own_errors);
  pthread_barrier_wait (j->barrier);
  if (guestfs_last_error (g) != NULL)
    FAIL (j, "thread %d: a fresh thread sees another thread's error: %s",
          j->id, guestfs_last_error (g));
  int expected_errors = 0;
  for (int i = 0; i < ROUNDS; ++i) {
    char path[64], content[64];
    snprintf (path, sizeof path, "/t%d-%d", j->id, i);
    snprintf (content, sizeof content, "thread %d round %d", j->id, i);
    if (guestfs_write (g, path, content, strlen (content)) == -1)
      FAIL (j, "thread %d: write %s: %s", j->id, path, guestfs_last_error (g));
    char *c = guestfs_cat (g, path);
    if (!c)
      FAIL (j, "thread %d: cat %s: %s", j->id, path, guestfs_last_error (g));
    bool same = strcmp (c, content) == 0;
    free (c);
    if (!same)
      FAIL (j, "thread %d: cat %s returned other content", j->id, path);
    if (i % 10 == 0) {
      char missing[64];
      snprintf (missing, sizeof missing, "/missing-of-thread-%d", j->id);
      if (guestfs_cat (g, missing) != NULL)
        FAIL (j, "thread %d: cat %s succeeded", j->id, missing);
      expected_errors++;
      const char *e = guestfs_last_error (g);
      if (!e || !strstr (e, missing))
        FAIL (j, "thread %d: last_error is not this thread's: %s", j->id, e ? e : "(null)");
      if (guestfs_last_errno (g) != ENOENT)
        FAIL (j, "thread %d: last_errno %d, expected ENOENT", j->id, guestfs_last_errno (g));
    }
  }
  if (j->own_errors != expected_errors)
    FAIL (j, "thread %d: its handler saw %d errors, expected %d (another "
          "thread's errors reached it, or its own did not)", j->id,
          j->own_errors, expected_errors);
  guestfs_pop_error_handler (g);
  j->passed = true;
  snprintf (j->log, sizeof j->log, "thread %d: %d rounds", j->id, ROUNDS);
 out:
  return NULL;
}

int
main (void)
{
  guestfs_h *g = guestfs_create ();
  if (!g) {
    printf ("Bail out! guestfs_create\n");
    return 1;
  }
  guestfs_set_error_handler (g, NULL, NULL);
  if (guestfs_add_drive_scratch (g, 64 << 20, -1) == -1 ||
      guestfs_launch (g) == -1 ||
      guestfs_part_disk (g, "/dev/sda", "mbr") == -1 ||
      guestfs_mkfs (g, "ext4", "/dev/sda1") == -1 ||
      guestfs_mount (g, "/dev/sda1", "/") == -1) {
    printf ("Bail out! setup: %s\n", guestfs_last_error (g));
    return 1;
  }
  /* An error in the main thread, which the workers must not see. */
  ok (guestfs_cat (g, "/missing-of-main") == NULL &&
      guestfs_last_error (g) && strstr (guestfs_last_error (g), "missing-of-main"),
      "main thread: its own error");

  pthread_barrier_t barrier;
  pthread_barrier_init (&barrier, NULL, 2);
  struct job jobs[2];
  pthread_t th[2];
  memset (jobs, 0, sizeof jobs);
  for (int i = 0; i < 2; ++i) {
    jobs[i].g = g;
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
    ok (jobs[i].passed, "thread %d: %d interleaved write/cat rounds on the shared "
        "handle, its own errors only", i, ROUNDS);
    diag ("%s", jobs[i].log);
  }
  ok (guestfs_last_error (g) && strstr (guestfs_last_error (g), "missing-of-main"),
      "main thread: its last error is unchanged by the workers' errors");
  char **files = guestfs_ls (g, "/");
  size_t n = 0;
  for (size_t i = 0; files && files[i]; ++i, ++n)
    free (files[i]);
  free (files);
  ok (n == 2 * ROUNDS + 1, "both threads' files are there (%zu entries with lost+found)", n);
  pthread_barrier_destroy (&barrier);
  guestfs_close (g);
  return tap_done ();
}
