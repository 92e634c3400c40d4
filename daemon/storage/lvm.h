/* LVM helpers shared by lvm.c, lvm-report.c and lvm-devices.c. */
#ifndef HATCH_LVM_H
#define HATCH_LVM_H

#include <stdbool.h>
#include <stddef.h>

#define FILTER_DIR "/run/hatch-lvm-filter"

/* Field separator in reports: a control character that no name, tag or
 * attribute can contain. */
#define SEP "\x1f"

/* Set the environment every lvm run needs. */
void lvm_environment (void);
/* Run lvm with argv; on failure reply with "what: lvm's message" and
 * return -1.  *out (if out is not NULL) gets stdout. */
int lvm_run (char **out, const char *what, const char *const *argv);
#define LVM(out, what, ...) \
  lvm_run ((out), (what), (const char *const[]) { "lvm", __VA_ARGS__, NULL })

/* Lines of lvm's report output, stripped of surrounding blanks, empty
 * lines dropped, each with PREFIX in front. */
char **lvm_report_lines (char *out, const char *prefix);
/* Run an lvm report and return lvm_report_lines of its output; NULL after
 * replying with an error. */
char **lvm_list (const char *what, const char *prefix, const char *const *argv);
#define LVM_LIST(what, prefix, ...) \
  lvm_list ((what), (prefix), (const char *const[]) { "lvm", __VA_ARGS__, NULL })
/* The first line of sysfs file DIR/NAME, without its newline, into buf. */
bool lvm_read_sysfs_line (const char *dir, const char *name, char *buf, size_t size);
/* Is the device-mapper device "dm-N" (sysfs dir given) a top-level LVM
 * logical volume? */
bool lvm_dm_dir_is_lv (const char *dmdir);
/* vgchange -a y|n on the listed volume groups (all when vgs is empty). */
int lvm_vgchange_activate (int activate, char *const *vgs);

#endif
