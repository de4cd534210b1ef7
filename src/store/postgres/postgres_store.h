/*
 * postgres_store.h: the PostgreSQL backend of the store (libpq).
 *
 * Only store.c calls this; everyone else goes through store_open() with a
 * "postgresql://..." (or "postgres://...") URL.
 */
#ifndef CM_STORE_POSTGRES_POSTGRES_STORE_H
#define CM_STORE_POSTGRES_POSTGRES_STORE_H

#include "core/errors.h"
#include "store/store.h"

/*
 * Connect to the database named by the libpq URL `url` (the whole URL,
 * scheme included) and configure the session. The database must exist
 * (the server's administrator makes it, with createdb): otherwise
 * CM_ERR_NOT_FOUND. It must use UTF-8 and the C collation, so that text
 * sorts by bytes as on SQLite: otherwise CM_ERR_STORE_FAILURE. With
 * STORE_OPEN_MODE_CREATE it must hold no compel schema yet (no applied
 * migration): otherwise CM_ERR_ALREADY_EXISTS. A server that cannot be
 * reached or refuses the login is CM_ERR_STORE_FAILURE. *why as for
 * store_open (never the URL, which may carry a password); *out, written on
 * success, is freed with store_close.
 */
enum cm_err store_postgres_open(const char *url,
                                enum store_open_mode mode,
                                struct store **out,
                                const char **why);

#endif
