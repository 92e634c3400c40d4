/* Support for the generated runner of the tests written in the API table. */
#ifndef HATCH_TABLE_RUNNER_H
#define HATCH_TABLE_RUNNER_H

#include <stddef.h>
#include "guestfs.h"

struct table_test {
  const char *action;
  int index;
  const char *scenario;
  int (*run) (guestfs_h *g);
};

extern const struct table_test table_tests[];
extern const size_t table_tests_len;

int table_setup (guestfs_h *g, const char *scenario);
void table_report (const char *cmd, const char *fmt, ...) __attribute__((format (printf, 2, 3)));
void table_report_strings (const char *cmd, char **got, const char *const *want);
int table_compare_strings (char **got, const char *const *want);
void table_free_strings (char **l);
void table_note_error (guestfs_h *g);

#endif
