/* Does KVM really work here?  Some hosts have /dev/kvm but cannot run a
 * guest (nested or paravirtualised hosts).  We ask KVM to run three bytes
 * of real-mode code (out to a port, then hlt) and check the exits.  The
 * verdict is cached per boot in the cache directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestfs-internal.h"
#include "actions-gen.h"

static bool
probe_kvm (guestfs_h *g, char *why, size_t whylen)
{
  bool ok = false;
  int kvm = -1, vm = -1, vcpu = -1;
  void *mem = MAP_FAILED, *run = MAP_FAILED;
  size_t runsize = 0;

  kvm = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (kvm == -1) {
    snprintf (why, whylen, "/dev/kvm: %s", strerror (errno));
    goto out;
  }
  if (ioctl (kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
    snprintf (why, whylen, "KVM API version mismatch");
    goto out;
  }
  vm = ioctl (kvm, KVM_CREATE_VM, 0);
  if (vm == -1) {
    snprintf (why, whylen, "KVM_CREATE_VM: %s", strerror (errno));
    goto out;
  }
  mem = mmap (NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    goto out;
  /* mov $0x42,%al; out %al,$0x10; hlt */
  static const unsigned char code[] = { 0xb0, 0x42, 0xe6, 0x10, 0xf4 };
  memcpy (mem, code, sizeof code);
  struct kvm_userspace_memory_region region = {
    .slot = 0, .guest_phys_addr = 0x1000, .memory_size = 0x1000,
    .userspace_addr = (uint64_t) (uintptr_t) mem,
  };
  if (ioctl (vm, KVM_SET_USER_MEMORY_REGION, &region) == -1) {
    snprintf (why, whylen, "KVM_SET_USER_MEMORY_REGION: %s", strerror (errno));
    goto out;
  }
  vcpu = ioctl (vm, KVM_CREATE_VCPU, 0);
  if (vcpu == -1) {
    snprintf (why, whylen, "KVM_CREATE_VCPU: %s", strerror (errno));
    goto out;
  }
  int sz = ioctl (kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (sz <= 0)
    goto out;
  runsize = (size_t) sz;
  run = mmap (NULL, runsize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  if (run == MAP_FAILED)
    goto out;
  struct kvm_sregs sregs;
  if (ioctl (vcpu, KVM_GET_SREGS, &sregs) == -1)
    goto out;
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  if (ioctl (vcpu, KVM_SET_SREGS, &sregs) == -1)
    goto out;
  struct kvm_regs regs = { .rip = 0x1000, .rflags = 0x2 };
  if (ioctl (vcpu, KVM_SET_REGS, &regs) == -1)
    goto out;
  struct kvm_run *kr = run;
  bool saw_io = false;
  for (int i = 0; i < 4; ++i) {
    if (ioctl (vcpu, KVM_RUN, 0) == -1) {
      snprintf (why, whylen, "KVM_RUN: %s", strerror (errno));
      goto out;
    }
    if (kr->exit_reason == KVM_EXIT_IO && kr->io.port == 0x10 &&
        *((unsigned char *) kr + kr->io.data_offset) == 0x42) {
      saw_io = true;
      continue;
    }
    if (kr->exit_reason == KVM_EXIT_HLT && saw_io) {
      ok = true;
      break;
    }
    snprintf (why, whylen, "unexpected KVM exit reason %u", kr->exit_reason);
    goto out;
  }
 out:
  if (!ok && !why[0])
    snprintf (why, whylen, "KVM test guest did not run");
  if (run != MAP_FAILED) munmap (run, runsize);
  if (mem != MAP_FAILED) munmap (mem, 0x1000);
  if (vcpu >= 0) close (vcpu);
  if (vm >= 0) close (vm);
  if (kvm >= 0) close (kvm);
  return ok;
}

/* Some hosts run our tiny guest but make qemu abort while it sets up a
 * full vCPU (MSRs a nested hypervisor refuses).  Ask qemu itself: start it
 * paused with KVM and the CPU model we would use, then quit. */
static bool
probe_qemu_kvm (guestfs_h *g, char *why, size_t whylen)
{
  int in[2];
  if (pipe2 (in, O_CLOEXEC) == -1)
    return false;
  pid_t pid = fork ();
  if (pid == -1) {
    close (in[0]);
    close (in[1]);
    return false;
  }
  if (pid == 0) {
    int null = open ("/dev/null", O_WRONLY);
    dup2 (in[0], 0);
    dup2 (null, 1);
    dup2 (null, 2);
    execlp (g->hv, g->hv, "-no-user-config", "-nodefaults", "-display", "none",
            "-machine", "q35,accel=kvm", "-cpu", "host", "-S",
            "-monitor", "stdio", (char *) NULL);
    _exit (127);
  }
  close (in[0]);
  if (write (in[1], "quit\n", 5) != 5) { /* qemu may already have died */ }
  close (in[1]);
  int status;
  while (waitpid (pid, &status, 0) == -1)
    if (errno != EINTR)
      return false;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return true;
  snprintf (why, whylen, "%s with KVM %s %d", g->hv,
            WIFSIGNALED (status) ? "was killed by signal" : "exited with status",
            WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
  return false;
}

static char *
boot_id (void)
{
  char buf[64] = "";
  FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "r");
  if (f) {
    if (!fgets (buf, sizeof buf, f))
      buf[0] = '\0';
    fclose (f);
  }
  buf[strcspn (buf, "\n")] = '\0';
  return strdup (buf);
}

bool
guestfs_int_kvm_usable (guestfs_h *g)
{
  char *cachedir = guestfs_impl_get_cachedir (g);
  char *id = boot_id ();
  char *path = NULL;
  bool verdict;
  char why[256] = "";

  if (cachedir && asprintf (&path, "%s/hatch-kvm-%d", cachedir, (int) geteuid ()) == -1)
    path = NULL;
  /* The cache file holds "boot_id yes|no". */
  if (path && id) {
    FILE *f = fopen (path, "r");
    char line[128];
    if (f) {
      if (fgets (line, sizeof line, f)) {
        size_t n = strlen (id);
        if (strncmp (line, id, n) == 0 && line[n] == ' ') {
          verdict = strncmp (line + n + 1, "yes", 3) == 0;
          fclose (f);
          debug (g, "KVM %s (cached verdict in %s)", verdict ? "works" : "does not work", path);
          goto done;
        }
      }
      fclose (f);
    }
  }
  verdict = probe_kvm (g, why, sizeof why) && probe_qemu_kvm (g, why, sizeof why);
  debug (g, "KVM %s%s%s", verdict ? "works" : "cannot run a guest here: ",
         verdict ? "" : why, verdict ? "" : " (falling back to TCG)");
  if (path && id) {
    char *tmp;
    if (asprintf (&tmp, "%s.%d", path, (int) getpid ()) != -1) {
      FILE *f = fopen (tmp, "w");
      if (f) {
        fprintf (f, "%s %s\n", id, verdict ? "yes" : "no");
        if (fclose (f) == 0)
          rename (tmp, path);
        else
          unlink (tmp);
      }
      free (tmp);
    }
  }
 done:
  free (path);
  free (id);
  free (cachedir);
  return verdict;
}
