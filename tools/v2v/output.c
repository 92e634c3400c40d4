/* The outputs of virt-v2v: -o local (disks + libvirt XML in a
 * directory), -o qemu (disks + a shell script that runs qemu), -o null
 * (convert, then throw the result away), -o libvirt (disks in a libvirt
 * storage pool's directory, the domain defined: output-libvirt.c).
 * Disks are copied by qemu-img convert from the converted overlay, which
 * reads only allocated data, one process per disk in parallel; each goes to a temporary name first
 * and is renamed when complete. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "v2v.h"

static char *
out_file (struct v2v_output *out, size_t i)
{
  /* NAME-sda, NAME-sdb, ... as virt-v2v names them. */
  char letters[4];
  size_t n = i + 1, k = 0;
  char tmp[4];
  while (n > 0 && k < 3) { tmp[k++] = 'a' + (n - 1) % 26; n = (n - 1) / 26; }
  for (size_t j = 0; j < k; ++j) letters[j] = tmp[k - 1 - j];
  letters[k] = '\0';
  return v2v_strdup_printf ("%s/%s-sd%s", out->dir, out->name, letters);
}

int
v2v_output_check (struct v2v_options *opts, struct v2v_output *out, struct v2v_source *src)
{
  if (out->format && strcmp (out->format, "raw") && strcmp (out->format, "qcow2")) {
    v2v_error (opts, "-of %s: the output format must be raw or qcow2", out->format);
    return -1;
  }
  if (strchr (out->name, '/') || !out->name[0] || out->name[0] == '.') {
    v2v_error (opts, "the output name ‘%s’ cannot be used as a file name (use -on)", out->name);
    return -1;
  }
  if (out->mode == V2V_O_NULL) return 0;
  if (out->mode == V2V_O_LIBVIRT) {
    if (v2v_libvirt_check (opts, out) == -1) return -1;
  }
  else {
    if (!out->storage) {
      v2v_error (opts, "-o %s: the output directory was not given (use -os DIR)",
                 out->mode == V2V_O_LOCAL ? "local" : "qemu");
      return -1;
    }
    struct stat st;
    errno = 0;
    if (stat (out->storage, &st) == -1 || !S_ISDIR (st.st_mode)) {
      v2v_error (opts, "-os %s: %s", out->storage,
                 errno ? strerror (errno) : "not a directory");
      return -1;
    }
    out->dir = strdup (out->storage);
  }
  for (size_t i = 0; i < src->nr_disks; ++i) {
    src->disks[i].out_path = out_file (out, i);
    if (access (src->disks[i].out_path, F_OK) == 0) {
      v2v_error (opts, "output file %s already exists: remove it or choose another name with -on",
                 src->disks[i].out_path);
      return -1;
    }
  }
  if (out->mode == V2V_O_LIBVIRT) return 0;
  char *meta = v2v_strdup_printf ("%s/%s.%s", out->storage, out->name,
                                  out->mode == V2V_O_LOCAL ? "xml" : "sh");
  int exists = access (meta, F_OK) == 0;
  if (exists)
    v2v_error (opts, "output file %s already exists: remove it or choose another name with -on", meta);
  free (meta);
  return exists ? -1 : 0;
}

/* Copy disk I (of N) from its overlay to OUT_PATH.part, then rename. */
static int
copy_one (struct v2v_options *opts, struct v2v_output *out, struct v2v_disk *d,
          size_t i, size_t n, bool progress)
{
  const char *fmt = out->format ? out->format : "raw";
  v2v_message (opts, "Copying disk %zu/%zu to %s (%s)", i + 1, n, d->out_path, fmt);
  char *part = v2v_strdup_printf ("%s.part", d->out_path);
  const char *prealloc = !out->preallocated ? NULL :
    !strcmp (fmt, "raw") ? "preallocation=falloc" : "preallocation=metadata";
  const char *argv[16];
  size_t k = 0;
  argv[k++] = "qemu-img"; argv[k++] = "convert";
  if (progress) argv[k++] = "-p";
  argv[k++] = "-f"; argv[k++] = "qcow2"; argv[k++] = d->overlay;
  argv[k++] = "-O"; argv[k++] = fmt;
  if (prealloc) { argv[k++] = "-o"; argv[k++] = prealloc; }
  argv[k++] = part; argv[k] = NULL;
  if (v2v_run (opts, NULL, argv) == -1) {
    v2v_error (opts, "copying disk %zu to %s failed", i + 1, d->out_path);
    unlink (part); free (part);
    return -1;
  }
  if (rename (part, d->out_path) == -1) {
    v2v_error (opts, "rename %s: %s", part, strerror (errno));
    unlink (part); free (part);
    return -1;
  }
  free (part);
  return 0;
}

/* One disk: qemu-img's progress bar on a terminal.  Several: one
 * qemu-img per disk, all at once (each reads only the allocated data of
 * its own overlay), no bars; if any fails, the others' outputs are
 * removed too, so a failed copy leaves nothing behind. */
int
v2v_output_copy (struct v2v_options *opts, struct v2v_output *out, struct v2v_source *src)
{
  if (out->mode == V2V_O_NULL) return 0;
  size_t n = src->nr_disks;
  if (n == 1)
    return copy_one (opts, out, &src->disks[0], 0, 1,
                     !opts->quiet && !opts->machine_readable && isatty (1));
  v2v_message (opts, "Copying %zu disks in parallel", n);
  fflush (stdout);
  fflush (stderr);
  pid_t *pids = calloc (n, sizeof *pids);
  if (!pids) { v2v_error (opts, "out of memory"); return -1; }
  int ret = 0;
  for (size_t i = 0; i < n; ++i) {
    pids[i] = fork ();
    if (pids[i] == 0)
      _exit (copy_one (opts, out, &src->disks[i], i, n, false) == 0 ? 0 : 1);
    if (pids[i] == -1) {
      v2v_error (opts, "fork: %s", strerror (errno));
      ret = -1;
      break;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    int status;
    if (pids[i] <= 0) continue;
    if (waitpid (pids[i], &status, 0) == -1 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
      ret = -1;
  }
  free (pids);
  if (ret == -1)
    for (size_t i = 0; i < n; ++i) {
      char *part = v2v_strdup_printf ("%s.part", src->disks[i].out_path);
      unlink (part); free (part);
      unlink (src->disks[i].out_path);
    }
  return ret;
}

static void
xml_text (FILE *fp, const char *s)
{
  for (; *s; ++s)
    switch (*s) {
    case '<': fputs ("&lt;", fp); break;
    case '>': fputs ("&gt;", fp); break;
    case '&': fputs ("&amp;", fp); break;
    case '"': fputs ("&quot;", fp); break;
    case '\'': fputs ("&apos;", fp); break;
    default: fputc (*s, fp);
    }
}

/* 'S' quoted for the shell. */
static void
sh_quote (FILE *fp, const char *s)
{
  fputc ('\'', fp);
  for (; *s; ++s)
    if (*s == '\'') fputs ("'\\''", fp); else fputc (*s, fp);
  fputc ('\'', fp);
}

static const char *
disk_letter_name (char *buf, size_t len, const char *prefix, size_t i)
{
  snprintf (buf, len, "%s%c", prefix, (char) ('a' + (i % 26)));
  return buf;
}

char *
v2v_libvirt_xml (const struct v2v_output *out, const struct v2v_source *src,
                 const struct v2v_target *tgt, const char *domain_type)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream (&buf, &len);
  if (!fp) return NULL;
  const char *fmt = out->format ? out->format : "raw";
  fprintf (fp, "<?xml version='1.0' encoding='utf-8'?>\n<domain type='%s'>\n", domain_type);
  fprintf (fp, "  <!-- generated by virt-v2v (hatch); source hypervisor: %s -->\n",
           src->hypervisor ? src->hypervisor : "unknown");
  fputs ("  <name>", fp); xml_text (fp, out->name); fputs ("</name>\n", fp);
  if (tgt->os_type) {
    fputs ("  <metadata>\n    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n", fp);
    fprintf (fp, "      <!-- %s %s %d.%d -->\n", tgt->os_type, tgt->distro ? tgt->distro : "",
             tgt->major, tgt->minor);
    fputs ("    </libosinfo:libosinfo>\n  </metadata>\n", fp);
  }
  fprintf (fp, "  <memory unit='KiB'>%" PRId64 "</memory>\n", src->memory / 1024);
  fprintf (fp, "  <currentMemory unit='KiB'>%" PRId64 "</currentMemory>\n", src->memory / 1024);
  fprintf (fp, "  <vcpu>%d</vcpu>\n", src->vcpus);
  fprintf (fp, "  <os%s>\n    <type arch='%s' machine='%s'>hvm</type>\n  </os>\n",
           tgt->firmware == V2V_FW_UEFI ? " firmware='efi'" : "",
           tgt->arch ? tgt->arch : "x86_64", tgt->windows ? "pc" : "q35");
  fputs ("  <features>\n    <acpi/>\n    <apic/>\n  </features>\n", fp);
  fprintf (fp, "  <clock offset='%s'/>\n", tgt->windows ? "localtime" : "utc");
  fputs ("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n"
         "  <on_crash>restart</on_crash>\n  <devices>\n", fp);
  for (size_t i = 0; i < src->nr_disks; ++i) {
    char dev[16];
    fprintf (fp, "    <disk type='file' device='disk'>\n      <driver name='qemu' type='%s'/>\n"
             "      <source file='", fmt);
    xml_text (fp, src->disks[i].out_path);
    fprintf (fp, "'/>\n      <target dev='%s' bus='%s'/>\n    </disk>\n",
             disk_letter_name (dev, sizeof dev, tgt->virtio_blk ? "vd" : (tgt->windows ? "hd" : "sd"), i),
             tgt->virtio_blk ? "virtio" : (tgt->windows ? "ide" : "sata"));
  }
  for (size_t i = 0; i < src->nr_nics; ++i) {
    const struct v2v_nic *n = &src->nics[i];
    fprintf (fp, "    <interface type='%s'>\n", n->bridge ? "bridge" : "network");
    if (n->mac) { fputs ("      <mac address='", fp); xml_text (fp, n->mac); fputs ("'/>\n", fp); }
    fprintf (fp, "      <source %s='", n->bridge ? "bridge" : "network");
    xml_text (fp, n->network ? n->network : "default");
    fprintf (fp, "'/>\n      <model type='%s'/>\n    </interface>\n",
             tgt->virtio_net ? "virtio" : (tgt->windows ? "rtl8139" : "e1000"));
  }
  fputs ("    <serial type='pty'/>\n    <console type='pty'/>\n"
         "    <input type='tablet' bus='usb'/>\n"
         "    <graphics type='vnc' autoport='yes'/>\n"
         "    <video>\n      <model type='vga'/>\n    </video>\n", fp);
  if (tgt->virtio_blk) fputs ("    <memballoon model='virtio'/>\n", fp);
  fputs ("  </devices>\n</domain>\n", fp);
  if (fclose (fp) == EOF) { free (buf); return NULL; }
  return buf;
}

static int
write_libvirt_xml (struct v2v_options *opts, struct v2v_output *out,
                   const struct v2v_source *src, const struct v2v_target *tgt,
                   const char *path)
{
  char *xml = v2v_libvirt_xml (out, src, tgt, "kvm");
  FILE *fp = xml ? fopen (path, "w") : NULL;
  if (!fp) { v2v_error (opts, "%s: %s", path, strerror (errno)); free (xml); return -1; }
  fputs (xml, fp);
  free (xml);
  if (fclose (fp) == EOF) { v2v_error (opts, "%s: %s", path, strerror (errno)); return -1; }
  return 0;
}

static int
write_qemu_script (struct v2v_options *opts, struct v2v_output *out,
                   const struct v2v_source *src, const struct v2v_target *tgt,
                   const char *path)
{
  FILE *fp = fopen (path, "w");
  if (!fp) { v2v_error (opts, "%s: %s", path, strerror (errno)); return -1; }
  const char *fmt = out->format ? out->format : "raw";
  fputs ("#!/bin/sh -\n# Runs the guest converted by virt-v2v.  Extra arguments are passed to qemu.\n\n", fp);
  if (tgt->firmware == V2V_FW_UEFI)
    fputs ("uefi_code=/usr/share/OVMF/OVMF_CODE.fd\n"
           "uefi_vars=$(mktemp)\ncp /usr/share/OVMF/OVMF_VARS.fd \"$uefi_vars\"\n\n", fp);
  fprintf (fp, "exec qemu-system-%s -no-user-config -nodefaults \\\n",
           tgt->arch && strcmp (tgt->arch, "i386") ? tgt->arch : "x86_64");
  fputs ("    -name ", fp); sh_quote (fp, out->name);
  fprintf (fp, " \\\n    -machine %s,accel=kvm:tcg \\\n", tgt->windows ? "pc" : "q35");
  fprintf (fp, "    -m %" PRId64 " \\\n    -smp %d \\\n", src->memory / (1024 * 1024), src->vcpus);
  if (tgt->firmware == V2V_FW_UEFI)
    fputs ("    -drive if=pflash,format=raw,readonly=on,file=\"$uefi_code\" \\\n"
           "    -drive if=pflash,format=raw,file=\"$uefi_vars\" \\\n", fp);
  for (size_t i = 0; i < src->nr_disks; ++i) {
    fputs ("    -drive ", fp);
    char *spec = v2v_strdup_printf ("file=%s,format=%s,if=%s", src->disks[i].out_path, fmt,
                                    tgt->virtio_blk ? "virtio" : "ide");
    sh_quote (fp, spec);
    free (spec);
    fputs (" \\\n", fp);
  }
  for (size_t i = 0; i < src->nr_nics; ++i) {
    fprintf (fp, "    -netdev user,id=net%zu \\\n    -device %s,netdev=net%zu", i,
             tgt->virtio_net ? "virtio-net-pci" : (tgt->windows ? "rtl8139" : "e1000"), i);
    if (src->nics[i].mac && strspn (src->nics[i].mac, "0123456789abcdefABCDEF:") == strlen (src->nics[i].mac))
      fprintf (fp, ",mac=%s", src->nics[i].mac);
    fputs (" \\\n", fp);
  }
  fputs ("    -vga std \\\n    -serial mon:stdio \\\n    \"$@\"\n", fp);
  if (fclose (fp) == EOF) { v2v_error (opts, "%s: %s", path, strerror (errno)); return -1; }
  if (chmod (path, 0755) == -1) { v2v_error (opts, "chmod %s: %s", path, strerror (errno)); return -1; }
  return 0;
}

int
v2v_output_metadata (struct v2v_options *opts, struct v2v_output *out,
                     const struct v2v_source *src, const struct v2v_target *tgt)
{
  if (out->mode == V2V_O_NULL) return 0;
  if (out->mode == V2V_O_LIBVIRT) return v2v_libvirt_define (opts, out, src, tgt);
  char *path = v2v_strdup_printf ("%s/%s.%s", out->storage, out->name,
                                  out->mode == V2V_O_LOCAL ? "xml" : "sh");
  v2v_message (opts, "Creating output metadata %s", path);
  int r = out->mode == V2V_O_LOCAL ? write_libvirt_xml (opts, out, src, tgt, path)
                                   : write_qemu_script (opts, out, src, tgt, path);
  if (r == -1) unlink (path);
  free (path);
  return r;
}
