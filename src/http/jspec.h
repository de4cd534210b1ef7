/*
 * jspec.h: declarative parsing of JSON request bodies (jansson).
 *
 * A handler lists the fields it takes, each with a type, a presence rule
 * and where the value goes, and jspec_parse checks the whole object
 * against the list before writing anything:
 *
 *   struct jspec spec[] = {
 *       JSPEC_STR("purpose", &in.purpose, JSPEC_REQUIRED),
 *       JSPEC_ENUM("method", &in.method, method_names, JSPEC_OPTIONAL),
 *       JSPEC_ARR("items", &in.items, &in.n_items, item_spec, &item, 100,
 *                 JSPEC_REQUIRED),
 *       JSPEC_FORBID("state"),
 *       JSPEC_END
 *   };
 *   err = jspec_parse(body, spec, &jerr);
 *
 * A field not in the list is rejected (unknown_field), a JSPEC_FORBID one
 * too (forbidden_field: fields the server sets, such as state or
 * version), a missing required one or a value of the wrong type is
 * validation_failed; every error names the field by its path,
 * "items[2].category". JSON null counts as absent.
 *
 * Outputs: STR and DATE give `const char *` borrowed from the json_t (valid
 * while it lives); INT `long long`; BOOL `bool`; ENUM `int`, the index in
 * its NULL-terminated name list; ARR a cm_calloc'd array of items (free
 * with cm_free) and its count. An absent optional field leaves its output
 * untouched, so initialize outputs with their defaults. An ARR's sub-spec
 * points into a prototype item (`&item` above): each element is parsed
 * into a copy of the prototype and then stored in the array.
 */
#ifndef CM_HTTP_JSPEC_H
#define CM_HTTP_JSPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/errors.h"

/* Deepest nesting of arrays and objects accepted in a body. */
#define JSPEC_MAX_DEPTH 32
/* Default longest string, in characters (code points). */
#define JSPEC_STR_MAX_DEFAULT 1000
/* Room for a field path in an error, NUL included; longer ones are cut. */
#define JSPEC_FIELD_MAX 128

enum jspec_type {
    JSPEC_TYPE_END,
    JSPEC_TYPE_STR,
    JSPEC_TYPE_INT,
    JSPEC_TYPE_BOOL,
    JSPEC_TYPE_DATE,
    JSPEC_TYPE_ENUM,
    JSPEC_TYPE_ARR,
    JSPEC_TYPE_ANY /* for JSPEC_FORBID: the type does not matter */
};

enum jspec_presence {
    JSPEC_OPTIONAL,
    JSPEC_REQUIRED,
    JSPEC_FORBIDDEN /* the client may not send it at all */
};

struct jspec {
    const char *name; /* NULL ends a list */
    enum jspec_type type;
    enum jspec_presence presence;
    void *out;                /* see the file comment for its type */
    size_t *count;            /* ARR: number of items */
    size_t max;               /* STR: characters; ARR: items */
    long long min_int;        /* INT: smallest value */
    long long max_int;        /* INT: largest value */
    const char *const *names; /* ENUM: NULL-terminated list */
    const struct jspec *sub;  /* ARR: the fields of one item */
    void *proto;              /* ARR: the item `sub` points into */
    size_t item_size;         /* ARR: sizeof *proto */
};

/* A string of at most JSPEC_STR_MAX_DEFAULT characters; out: const char **.
 */
#define JSPEC_STR(n, o, p)                                    \
    {                                                         \
        .name = (n), .type = JSPEC_TYPE_STR, .presence = (p), \
        .out = (void *)(1 ? (o) : (const char **)NULL),       \
        .max = JSPEC_STR_MAX_DEFAULT                          \
    }
/* A string of at most `m` characters. */
#define JSPEC_STR_MAX(n, o, m, p)                                  \
    {                                                              \
        .name = (n), .type = JSPEC_TYPE_STR, .presence = (p),      \
        .out = (void *)(1 ? (o) : (const char **)NULL), .max = (m) \
    }
/* An integer in [lo, hi]; out: long long *. */
#define JSPEC_INT(n, o, lo, hi, p)                                     \
    {                                                                  \
        .name = (n), .type = JSPEC_TYPE_INT, .presence = (p),          \
        .out = (void *)(1 ? (o) : (long long *)NULL), .min_int = (lo), \
        .max_int = (hi)                                                \
    }
/* true or false; out: bool *. */
#define JSPEC_BOOL(n, o, p)                                    \
    {                                                          \
        .name = (n), .type = JSPEC_TYPE_BOOL, .presence = (p), \
        .out = (void *)(1 ? (o) : (bool *)NULL)                \
    }
/* A real calendar date "YYYY-MM-DD" (years 0001-9999); out: const char **.
 */
#define JSPEC_DATE(n, o, p)                                    \
    {                                                          \
        .name = (n), .type = JSPEC_TYPE_DATE, .presence = (p), \
        .out = (void *)(1 ? (o) : (const char **)NULL)         \
    }
/* One of the strings of the NULL-terminated `list`; out: int * (index). */
#define JSPEC_ENUM(n, o, list, p)                               \
    {                                                           \
        .name = (n), .type = JSPEC_TYPE_ENUM, .presence = (p),  \
        .out = (void *)(1 ? (o) : (int *)NULL), .names = (list) \
    }
/* An array of at most `m` objects, each parsed with `s` into a copy of
 * `*pr`; out: a pointer to the item pointer, and size_t *count. */
#define JSPEC_ARR(n, o, cnt, s, pr, m, p)                           \
    {                                                               \
        .name = (n), .type = JSPEC_TYPE_ARR, .presence = (p),       \
        .out = (void *)(o), .count = (cnt), .max = (m), .sub = (s), \
        .proto = (void *)(pr), .item_size = sizeof *(pr)            \
    }
/* A field the client may not set (400 forbidden_field). */
#define JSPEC_FORBID(n)                                                  \
    {                                                                    \
        .name = (n), .type = JSPEC_TYPE_ANY, .presence = JSPEC_FORBIDDEN \
    }
#define JSPEC_END                            \
    {                                        \
        .name = NULL, .type = JSPEC_TYPE_END \
    }

/* What was wrong with a body. */
struct jspec_error {
    enum cm_err err;             /* the code to answer */
    char field[JSPEC_FIELD_MAX]; /* "items[2].category", or "" */
    char detail[160];            /* what to fix, in English */
};

/* Parse `len` bytes of `text` as one JSON object or array, rejecting
 * duplicate keys, a NUL in a string, trailing data and nesting deeper
 * than JSPEC_MAX_DEPTH. On CM_ERR_OK `*out` owns the value (json_decref
 * it); else CM_ERR_MALFORMED_JSON with `*e` filled and `*out` untouched.
 */
enum cm_err
jspec_load(const char *text, size_t len, json_t **out, struct jspec_error *e);

/* Check the object `obj` against `spec` (ended by JSPEC_END), then write
 * the outputs. Returns CM_ERR_OK, or CM_ERR_UNKNOWN_FIELD,
 * CM_ERR_FORBIDDEN_FIELD or CM_ERR_VALIDATION_FAILED with `*e` naming the
 * field; on failure no output is written. */
enum cm_err
jspec_parse(const json_t *obj, const struct jspec *spec, struct jspec_error *e);

/* True when `s` is exactly "YYYY-MM-DD" naming a real date of the
 * Gregorian calendar, years 0001 to 9999. */
bool jspec_is_date(const char *s);

/* True when the `n` bytes at `s` are valid UTF-8 (no overlong forms, no
 * surrogates, nothing past U+10FFFF) without NUL; the number of code
 * points goes to `*chars`. */
bool jspec_is_utf8(const char *s, size_t n, size_t *chars);

#endif
