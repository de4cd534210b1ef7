/*
 * errors.h: compel's error codes, generated from errors.def.
 *
 * Every layer returns `enum cm_err`; the HTTP layer maps it to a status and
 * a stable snake_case `code`, the CLI to an exit status.
 */
#ifndef CM_CORE_ERRORS_H
#define CM_CORE_ERRORS_H

enum cm_err {
#define CM_ERR(name, status, code, hint) CM_ERR_##name,
#include "core/errors.def"
#undef CM_ERR
    CM_ERR__COUNT
};

/* The HTTP status of `err` (200 for CM_ERR_OK, 500 for an unknown value). */
int cm_err_status(enum cm_err err);

/* The stable snake_case code of `err`; a static string, never NULL. */
const char *cm_err_code(enum cm_err err);

/* A one-line English hint for `err`; a static string, never NULL. */
const char *cm_err_hint(enum cm_err err);

#endif
