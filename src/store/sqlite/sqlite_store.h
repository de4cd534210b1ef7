/*
 * sqlite_store.h: the SQLite backend of the store (one file, WAL mode).
 *
 * Only store.c calls this; everyone else goes through store_open() with a
 * "sqlite:PATH" URL.
 */
#ifndef CM_STORE_SQLITE_SQLITE_STORE_H
#define CM_STORE_SQLITE_SQLITE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/errors.h"
#include "store/store.h"

/*
 * Open (or, with STORE_OPEN_MODE_CREATE, create exclusively with mode 0600)
 * the SQLite database at `path` and configure the connection: WAL journal
 * (checked after setting), synchronous=FULL, foreign keys on, a busy
 * timeout. Results and *why as for store_open; *out, written on success,
 * is freed with store_close. A database that this call created is removed
 * again if configuring it fails.
 */
enum cm_err store_sqlite_open(const char *path,
                              enum store_open_mode mode,
                              struct store **out,
                              const char **why);

/*
 * Whether this process refuses writes to the SQLite database at `path`
 * (NULL: to any it has open) since an fsync of it failed
 * (docs/operations.md, "Storage faults"); if so, and `why` is not NULL,
 * one line saying why, without path or SQL, goes into why[0..n).
 */
bool store_sqlite_durability_lost(const char *path, char *why, size_t n);

#endif
