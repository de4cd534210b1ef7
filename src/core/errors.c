/*
 * errors.c: lookups into the error registry of errors.def.
 */
#include "core/errors.h"

struct err_row {
    int status;
    const char *code;
    const char *hint;
};

static const struct err_row rows[] = {
#define CM_ERR(name, status, code, hint) {status, code, hint},
#include "core/errors.def"
#undef CM_ERR
};

static const struct err_row *
row_of(enum cm_err err)
{
    if ((unsigned)err >= (unsigned)CM_ERR__COUNT)
        return &rows[CM_ERR_INTERNAL];
    return &rows[err];
}

int
cm_err_status(enum cm_err err)
{
    return row_of(err)->status;
}

const char *
cm_err_code(enum cm_err err)
{
    return row_of(err)->code;
}

const char *
cm_err_hint(enum cm_err err)
{
    return row_of(err)->hint;
}
