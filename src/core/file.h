/*
 * file.h: thin wrappers over file I/O, the one place where faults could be
 * injected into reads and writes of whole files.
 */
#ifndef CM_CORE_FILE_H
#define CM_CORE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

/* Read the whole file at `path` (at most `max` bytes) into `out`, which is
 * written only on success. CM_ERR_IO when it cannot be read or is larger
 * than `max`. The result is always NUL-terminated: an empty file reads as
 * "". */
enum cm_err file_read_all(const char *path, size_t max, struct buf *out);

/* Create `path` exclusively with `mode`, write `n` bytes and fsync it.
 * Fails (CM_ERR_ALREADY_EXISTS) if the file exists; removes a partly
 * written file on failure (CM_ERR_IO). */
enum cm_err
file_write_new(const char *path, const void *data, size_t n, unsigned mode);

/* True when something exists at `path`. */
bool file_exists(const char *path);

#endif
