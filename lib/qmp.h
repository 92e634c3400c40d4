/* A small client for qemu's machine protocol (QMP): JSON objects over a
 * stream socket, parsed with json-c.  Used by the direct backend to save
 * and restore the appliance's state and to hot-add drives. */
#ifndef HATCH_QMP_H
#define HATCH_QMP_H

#include <json-c/json.h>
#include <stdbool.h>

struct qmp;

/* Take over fd (a connected socket to qemu's QMP monitor), read qemu's
 * greeting and enter command mode.  Waits at most timeout_ms for each
 * reply.  Returns NULL with *err (malloc'd) set on failure; fd is then
 * closed. */
struct qmp *qmp_open (int fd, int timeout_ms, char **err);
void qmp_close (struct qmp *q);

/* Run one command.  args may be NULL; it is consumed (put) either way.
 * Returns qemu's "return" value (the caller puts it), or NULL with *err
 * (malloc'd) holding qemu's error description or the transport error. */
json_object *qmp_command (struct qmp *q, const char *name, json_object *args,
                          char **err);

/* Run one command whose result is not needed: 0 or -1 with *err. */
int qmp_run (struct qmp *q, const char *name, json_object *args, char **err);

/* Send one command and do not wait for its reply (a qemu that is
 * stopped or busy does not hold the caller up); the next qmp_command
 * skips it.  What qemu answers is not seen: for commands whose failure
 * changes nothing for the caller.  0 or -1 with *err (the write). */
int qmp_send (struct qmp *q, const char *name, json_object *args, char **err);

#endif
