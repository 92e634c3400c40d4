/* A TCG plugin for bench/guest-profile.sh (PROFILE_COUNT=insns): counts,
 * for every translated block, how many times the guest ran it, so that
 * the profile is exact guest instructions per function instead of
 * samples.
 *
 *   qemu-system-x86_64 ... -plugin BUILD/bench/tcg-insn-count.so,dir=DIR
 *
 * When DIR/dump.PID appears (PID: this qemu's), a thread writes
 * DIR/counts.PID.N, one line per block that has run: its guest address,
 * its instruction count and how many times it ran so far, then removes
 * the trigger.  Two such snapshots taken around a call give that call's
 * instructions.  The counters are plain adds in the translated code
 * (cheap, and not atomic: with several vCPUs a few counts may be lost).
 *
 * qemu's plugin header is not packaged in Debian, so the few entry points
 * used are declared here, as qemu's plugin API version 1 (qemu 7.2)
 * defines them; a qemu whose API no longer accepts version 1 refuses to
 * load the plugin with a message saying so. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef void (*tb_trans_cb) (qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
enum { INLINE_ADD_U64 = 0 };
extern void qemu_plugin_register_vcpu_tb_trans_cb (qemu_plugin_id_t, tb_trans_cb);
extern void qemu_plugin_register_vcpu_tb_exec_inline (struct qemu_plugin_tb *, int op,
                                                      void *ptr, uint64_t imm);
extern size_t qemu_plugin_tb_n_insns (const struct qemu_plugin_tb *);
extern uint64_t qemu_plugin_tb_vaddr (const struct qemu_plugin_tb *);

#define EXPORT __attribute__ ((visibility ("default")))
EXPORT int qemu_plugin_version = 1;

/* One per translation.  Blocks are never freed: qemu keeps a pointer to
 * each counter in the block's code, so they live in chunks that never
 * move; a block translated again gets a new record, and the report adds
 * records of the same address. */
struct block { uint64_t vaddr, insns, runs; };
#define CHUNK 65536
#define MAX_CHUNKS 1024
static struct block *chunks[MAX_CHUNKS];
static size_t nblocks;            /* written under lock, read racily */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char dir[4096];

static void
translated (qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
  pthread_mutex_lock (&lock);
  size_t c = nblocks / CHUNK;
  if (c < MAX_CHUNKS && (chunks[c] || (chunks[c] = calloc (CHUNK, sizeof (struct block))))) {
    struct block *b = &chunks[c][nblocks % CHUNK];
    b->vaddr = qemu_plugin_tb_vaddr (tb);
    b->insns = qemu_plugin_tb_n_insns (tb);
    qemu_plugin_register_vcpu_tb_exec_inline (tb, INLINE_ADD_U64, &b->runs, 1);
    __atomic_store_n (&nblocks, nblocks + 1, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock (&lock);
}

static void
snapshot (const char *trigger, int seq)
{
  char path[4200], tmp[4210];
  snprintf (path, sizeof path, "%s/counts.%d.%d", dir, (int) getpid (), seq);
  snprintf (tmp, sizeof tmp, "%s.part", path);
  FILE *f = fopen (tmp, "w");
  if (f) {
    size_t n = __atomic_load_n (&nblocks, __ATOMIC_ACQUIRE);
    for (size_t i = 0; i < n; i++) {
      const struct block *b = &chunks[i / CHUNK][i % CHUNK];
      uint64_t runs = __atomic_load_n (&b->runs, __ATOMIC_RELAXED);
      if (runs)
        fprintf (f, "%llx %llu %llu\n", (unsigned long long) b->vaddr,
                 (unsigned long long) b->insns, (unsigned long long) runs);
    }
    if (fclose (f) == 0)
      rename (tmp, path);
  }
  unlink (trigger);
}

static void *
watcher (void *arg)
{
  char trigger[4200];
  snprintf (trigger, sizeof trigger, "%s/dump.%d", dir, (int) getpid ());
  for (int seq = 0;; ) {
    if (access (trigger, F_OK) == 0)
      snapshot (trigger, seq++);
    usleep (10000);
  }
  return arg;
}

EXPORT int
qemu_plugin_install (qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (strncmp (argv[i], "dir=", 4) == 0)
      snprintf (dir, sizeof dir, "%s", argv[i] + 4);
  if (!dir[0]) {
    fprintf (stderr, "tcg-insn-count: give dir=DIRECTORY\n");
    return -1;
  }
  pthread_t t;
  if (pthread_create (&t, NULL, watcher, NULL) != 0)
    return -1;
  pthread_detach (t);
  qemu_plugin_register_vcpu_tb_trans_cb (id, translated);
  return 0;
}
