/*
 * jspec.c: the declarative JSON field specs of jspec.h.
 *
 * Parsing runs in two passes so that outputs are written only on
 * success: check() walks the object and the spec and stops at the first
 * problem, naming the field by its path; fill() then writes the outputs
 * and cannot fail (allocation aborts).
 */
#include "http/jspec.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

/* A field path under construction: "items[2].category". */
struct path {
    char text[JSPEC_FIELD_MAX];
    size_t len;
};

/* Append to `p`, cutting at the end of its room; returns the old length
 * so the caller can pop back to it. */
static size_t
path_push(struct path *p, const char *fmt, const char *name, size_t index)
{
    size_t old = p->len;
    size_t room = sizeof p->text - p->len;
    int n;

    if (name)
        n = snprintf(p->text + p->len, room, fmt, name);
    else
        n = snprintf(p->text + p->len, room, fmt, index);
    if (n > 0)
        p->len += (size_t)n < room ? (size_t)n : room - 1;
    return old;
}

static void
path_pop(struct path *p, size_t old)
{
    p->len = old;
    p->text[old] = '\0';
}

static enum cm_err
fail(struct jspec_error *e,
     enum cm_err err,
     const struct path *p,
     const char *detail)
{
    int n;

    e->err = err;
    (void)snprintf(e->field, sizeof e->field, "%s", p->text);
    /* A detail too long for its buffer is cut, never overflowed. */
    n = snprintf(e->detail, sizeof e->detail, "%s: %s", p->text, detail);
    if (n < 0)
        e->detail[0] = '\0';
    return err;
}

bool
jspec_is_utf8(const char *s, size_t n, size_t *chars)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t count = 0;
    size_t i = 0;

    while (i < n) {
        unsigned c = u[i];
        unsigned cp, need;

        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            count++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= need)
            return false;
        for (unsigned k = 1; k <= need; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        /* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += need + 1;
        count++;
    }
    *chars = count;
    return true;
}

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
jspec_is_date(const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, dim;

    for (int i = 0; i < 10; i++) {
        bool want_dash = i == 4 || i == 7;

        if (want_dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    }
    if (s[10] != '\0')
        return false;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
        (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    dim = mdays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
    return d <= dim;
}

static const struct jspec *
find_spec(const struct jspec *spec, const char *name)
{
    for (; spec->name; spec++) {
        if (strcmp(spec->name, name) == 0)
            return spec;
    }
    return NULL;
}

static enum cm_err check_object(const json_t *obj,
                                const struct jspec *spec,
                                struct path *p,
                                struct jspec_error *e);

/* Check one present, non-null value `v` against `s`. */
static enum cm_err
check_value(const json_t *v,
            const struct jspec *s,
            struct path *p,
            struct jspec_error *e)
{
    char msg[96];
    size_t chars = 0;
    const char *str;

    switch (s->type) {
    case JSPEC_TYPE_STR:
        if (!json_is_string(v))
            return fail(e, CM_ERR_VALIDATION_FAILED, p, "must be a string");
        if (!jspec_is_utf8(json_string_value(v), json_string_length(v), &chars))
            return fail(e, CM_ERR_VALIDATION_FAILED, p,
                        "must be valid UTF-8 without NUL");
        if (chars > s->max) {
            (void)snprintf(msg, sizeof msg,
                           "must be at most %zu characters long", s->max);
            return fail(e, CM_ERR_VALIDATION_FAILED, p, msg);
        }
        return CM_ERR_OK;
    case JSPEC_TYPE_INT:
        if (!json_is_integer(v))
            return fail(e, CM_ERR_VALIDATION_FAILED, p, "must be an integer");
        if (json_integer_value(v) < s->min_int ||
            json_integer_value(v) > s->max_int) {
            (void)snprintf(msg, sizeof msg, "must be from %lld to %lld",
                           s->min_int, s->max_int);
            return fail(e, CM_ERR_VALIDATION_FAILED, p, msg);
        }
        return CM_ERR_OK;
    case JSPEC_TYPE_BOOL:
        if (!json_is_boolean(v))
            return fail(e, CM_ERR_VALIDATION_FAILED, p,
                        "must be true or false");
        return CM_ERR_OK;
    case JSPEC_TYPE_DATE:
        if (!json_is_string(v) ||
            strlen(json_string_value(v)) != json_string_length(v) ||
            !jspec_is_date(json_string_value(v)))
            return fail(e, CM_ERR_VALIDATION_FAILED, p,
                        "must be a real date written YYYY-MM-DD");
        return CM_ERR_OK;
    case JSPEC_TYPE_ENUM:
        str = json_string_value(v);
        if (str && strlen(str) == json_string_length(v)) {
            for (size_t i = 0; s->names[i]; i++) {
                if (strcmp(s->names[i], str) == 0)
                    return CM_ERR_OK;
            }
        }
        return fail(e, CM_ERR_VALIDATION_FAILED, p,
                    "must be one of the values the API lists");
    case JSPEC_TYPE_ARR:
        if (!json_is_array(v))
            return fail(e, CM_ERR_VALIDATION_FAILED, p, "must be an array");
        if (json_array_size(v) > s->max) {
            (void)snprintf(msg, sizeof msg, "must have at most %zu items",
                           s->max);
            return fail(e, CM_ERR_VALIDATION_FAILED, p, msg);
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t old = path_push(p, "[%zu]", NULL, i);
            enum cm_err err;

            if (!json_is_object(json_array_get(v, i)))
                return fail(e, CM_ERR_VALIDATION_FAILED, p,
                            "must be an object");
            err = check_object(json_array_get(v, i), s->sub, p, e);
            if (err != CM_ERR_OK)
                return err;
            path_pop(p, old);
        }
        return CM_ERR_OK;
    case JSPEC_TYPE_ANY:
    case JSPEC_TYPE_END:
        break;
    }
    return CM_ERR_OK;
}

static enum cm_err
check_object(const json_t *obj,
             const struct jspec *spec,
             struct path *p,
             struct jspec_error *e)
{
    const char *key;
    json_t *v;
    /* json_object_foreach wants a non-const object; it does not modify. */
    json_t *o = (json_t *)(uintptr_t)obj;
    const char *sep = p->len ? ".%s" : "%s";

    json_object_foreach (o, key, v) {
        const struct jspec *s = find_spec(spec, key);
        size_t old = path_push(p, sep, key, 0);

        if (!s)
            return fail(e, CM_ERR_UNKNOWN_FIELD, p,
                        "is not a field of this request");
        if (s->presence == JSPEC_FORBIDDEN)
            return fail(e, CM_ERR_FORBIDDEN_FIELD, p,
                        "is set by the server, not the client");
        path_pop(p, old);
    }
    for (const struct jspec *s = spec; s->name; s++) {
        size_t old = path_push(p, sep, s->name, 0);
        enum cm_err err;

        v = json_object_get(obj, s->name);
        if (!v || json_is_null(v)) {
            if (s->presence == JSPEC_REQUIRED)
                return fail(e, CM_ERR_VALIDATION_FAILED, p, "is required");
            path_pop(p, old);
            continue;
        }
        err = check_value(v, s, p, e);
        if (err != CM_ERR_OK)
            return err;
        path_pop(p, old);
    }
    return CM_ERR_OK;
}

static void fill_object(const json_t *obj, const struct jspec *spec);

/* Write the outputs of an array field: each item is parsed into the
 * prototype, copied into the array, and the prototype restored. */
static void
fill_array(const json_t *v, const struct jspec *s)
{
    size_t n = json_array_size(v);
    char *items = n ? cm_calloc(n, s->item_size) : NULL;
    char *saved = cm_malloc(s->item_size);

    memcpy(saved, s->proto, s->item_size);
    for (size_t i = 0; i < n; i++) {
        fill_object(json_array_get(v, i), s->sub);
        memcpy(items + i * s->item_size, s->proto, s->item_size);
        memcpy(s->proto, saved, s->item_size);
    }
    cm_free(saved);
    *(void **)s->out = items;
    *s->count = n;
}

static void
fill_object(const json_t *obj, const struct jspec *spec)
{
    for (const struct jspec *s = spec; s->name; s++) {
        const json_t *v = json_object_get(obj, s->name);

        if (!v || json_is_null(v) || !s->out)
            continue;
        switch (s->type) {
        case JSPEC_TYPE_STR:
        case JSPEC_TYPE_DATE:
            *(const char **)s->out = json_string_value(v);
            break;
        case JSPEC_TYPE_INT:
            *(long long *)s->out = (long long)json_integer_value(v);
            break;
        case JSPEC_TYPE_BOOL:
            *(bool *)s->out = json_is_true(v);
            break;
        case JSPEC_TYPE_ENUM:
            for (int i = 0; s->names[i]; i++) {
                if (strcmp(s->names[i], json_string_value(v)) == 0)
                    *(int *)s->out = i;
            }
            break;
        case JSPEC_TYPE_ARR:
            fill_array(v, s);
            break;
        case JSPEC_TYPE_ANY:
        case JSPEC_TYPE_END:
            break;
        }
    }
}

enum cm_err
jspec_parse(const json_t *obj, const struct jspec *spec, struct jspec_error *e)
{
    struct path p = {{0}, 0};
    enum cm_err err;

    if (!json_is_object(obj)) {
        e->err = CM_ERR_VALIDATION_FAILED;
        e->field[0] = '\0';
        (void)snprintf(e->detail, sizeof e->detail,
                       "the body must be a JSON object");
        return e->err;
    }
    err = check_object(obj, spec, &p, e);
    if (err == CM_ERR_OK)
        fill_object(obj, spec);
    return err;
}

/* The deepest nesting of arrays and objects in `text`, stopping early
 * once past `limit`; strings are skipped so brackets in them do not
 * count. Malformed text is left for the parser to reject. */
static size_t
max_depth(const char *text, size_t len, size_t limit)
{
    size_t depth = 0, deepest = 0;
    bool in_string = false;

    for (size_t i = 0; i < len && deepest <= limit; i++) {
        char c = text[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
            if (depth > deepest)
                deepest = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

enum cm_err
jspec_load(const char *text, size_t len, json_t **out, struct jspec_error *e)
{
    json_error_t jerr;
    json_t *v;

    e->field[0] = '\0';
    if (max_depth(text, len, JSPEC_MAX_DEPTH) > JSPEC_MAX_DEPTH) {
        e->err = CM_ERR_MALFORMED_JSON;
        (void)snprintf(e->detail, sizeof e->detail,
                       "the body nests arrays and objects deeper than %d",
                       JSPEC_MAX_DEPTH);
        return e->err;
    }
    v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        e->err = CM_ERR_MALFORMED_JSON;
        (void)snprintf(e->detail, sizeof e->detail,
                       "invalid JSON at line %d, column %d: %.80s", jerr.line,
                       jerr.column, jerr.text);
        return e->err;
    }
    *out = v;
    return CM_ERR_OK;
}
