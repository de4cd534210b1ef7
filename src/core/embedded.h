/*
 * embedded.h: files compiled into the binary by cmake/embed.cmake
 * (migrations, the OpenAPI document, web assets).
 */
#ifndef CM_CORE_EMBEDDED_H
#define CM_CORE_EMBEDDED_H

#include <stddef.h>

struct cm_embedded {
    const char *name; /* file name, e.g. "0001-init.sql"; NULL ends a table */
    const char *data; /* the bytes, followed by a NUL */
    size_t len;       /* byte count, not counting the NUL */
};

/* The SQLite migrations, sorted by name, ended by a row whose name is NULL. */
extern const struct cm_embedded cm_migrations_sqlite[];

/* The OpenAPI document (src/http/openapi/openapi.json), same shape. */
extern const struct cm_embedded cm_openapi[];

#endif
