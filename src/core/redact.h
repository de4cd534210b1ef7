/*
 * redact.h: keep passwords in database URLs out of what compel prints.
 *
 * A PostgreSQL URL may carry its password (postgresql://user:PASS@host/db
 * or ...?password=PASS), and compel names the database in its error
 * messages and log lines. Every line compel writes (cli_fail, log_write)
 * goes through redact_add, which prints such a URL with "***" in place
 * of the password.
 */
#ifndef CM_CORE_REDACT_H
#define CM_CORE_REDACT_H

#include <stddef.h>

#include "core/buf.h"

/* Append the `len` bytes of `s` to `out` with the password of every URL
 * in them ("scheme://user:PASSWORD@..." and "password=VALUE" up to the
 * next '&' or space) replaced by "***". */
void redact_add(struct buf *out, const char *s, size_t len);

#endif
