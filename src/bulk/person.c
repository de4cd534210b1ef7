/*
 * person.c: a person's fields checked, turned into the texts the store
 * keeps and sealed with the field encryption, the way POST /api/v1/people
 * does it (h_people.c): identifiers as {"a_number":"A012345678"}, aliases
 * as a JSON array, blind indexes of the normalized family name, the date
 * of birth and the A-number's 9 digits.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bulk/bulk_int.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"

#define ALIASES_MAX     20
#define ALIAS_CHARS_MAX 200

/* 'A' and 8 or 9 digits, dashes anywhere after the letter: the 9 digits
 * (left-padded) into `digits`. */
static bool
is_a_number(const char *in, char digits[FIELDCRYPT_A_NUMBER_LEN + 1])
{
    char d[10];
    size_t n = 0;

    if (in[0] != 'A' && in[0] != 'a')
        return false;
    for (const char *p = in + 1; *p; p++) {
        if (*p == '-')
            continue;
        if (*p < '0' || *p > '9' || n == 9)
            return false;
        d[n++] = *p;
    }
    if (n < 8)
        return false;
    memset(digits, '0', 9);
    memcpy(digits + (9 - n), d, n);
    digits[9] = '\0';
    return true;
}

static size_t
utf8_chars(const char *s, size_t n)
{
    size_t c = 0;

    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0u) != 0x80u)
            c++;
    return c;
}

/* The ';'-separated aliases as a JSON array text into *out. */
static bool
aliases_json(const char *list, char **out, const char **reason)
{
    json_t *a = json_array();
    const char *p = list;
    bool ok = true;

    while (ok && *p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *b = p;
        struct buf norm = BUF_INIT;
        char *one;

        while (n && (*b == ' ' || *b == '\t')) {
            b++;
            n--;
        }
        while (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
            n--;
        p += (end ? (size_t)(end - p) + 1 : strlen(p));
        if (n == 0)
            continue;
        one = cm_calloc(n + 1, 1);
        memcpy(one, b, n);
        if (utf8_chars(one, n) > ALIAS_CHARS_MAX ||
            fieldcrypt_normalize_name(one, &norm) != CM_ERR_OK) {
            *reason = "each alias must be a name of 1 to 200 characters "
                      "(aliases are separated by ;)";
            ok = false;
        } else if (json_array_size(a) == ALIASES_MAX) {
            *reason = "at most 20 aliases";
            ok = false;
        } else {
            (void)json_array_append_new(a, json_string(one));
        }
        buf_release(&norm);
        cm_free(one);
    }
    if (ok) {
        char *text = json_array_size(a) ? json_dumps(a, JSON_COMPACT) : NULL;

        *out = text ? cm_strdup(text) : NULL;
        free(text);
    }
    json_decref(a);
    return ok;
}

enum cm_err
bulk_person_text(const struct bulk_person_in *in,
                 int64_t now,
                 struct bulk_person_text *out,
                 const char **field,
                 const char **reason)
{
    struct bulk_person_text t;
    struct buf norm = BUF_INIT;
    json_t *ids = json_object();
    char *ids_text = NULL;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;

    memset(&t, 0, sizeof t);
    if (fieldcrypt_normalize_name(in->family_name, &norm) != CM_ERR_OK) {
        *field = "family_name";
        *reason = "family_name must be a name without control characters";
        goto out_release;
    }
    if (fieldcrypt_normalize_name(in->given_names, &norm) != CM_ERR_OK) {
        *field = "given_names";
        *reason = "given_names must be names without control characters";
        goto out_release;
    }
    if (in->date_of_birth) {
        int32_t dob = 0;

        /* Not in the future anywhere on Earth (UTC+14 is the latest). */
        if (date_parse(in->date_of_birth, &dob) != CM_ERR_OK ||
            dob > date_time_day(now / 1000000 + 14 * 3600)) {
            *field = "date_of_birth";
            *reason = "date_of_birth must be a real date YYYY-MM-DD, not in "
                      "the future";
            goto out_release;
        }
    }
    if (in->a_number && !is_a_number(in->a_number, t.a_digits)) {
        *field = "a_number";
        *reason = "an A-number is A followed by 8 or 9 digits (dashes "
                  "allowed): A-012-345-678";
        goto out_release;
    }
    if (in->aliases && !aliases_json(in->aliases, &t.aliases, reason)) {
        *field = "aliases";
        goto out_release;
    }
    if (t.a_digits[0]) {
        char stored[12];

        stored[0] = 'A';
        memcpy(stored + 1, t.a_digits, 10);
        (void)json_object_set_new(ids, "a_number", json_string(stored));
    }
    ids_text = json_dumps(ids, JSON_COMPACT);
    t.identifiers = cm_strdup(ids_text ? ids_text : "{}");
    t.family_name = cm_strdup(in->family_name);
    t.given_names = cm_strdup(in->given_names);
    t.date_of_birth = in->date_of_birth ? cm_strdup(in->date_of_birth) : NULL;
    *out = t;
    memset(&t, 0, sizeof t);
    err = CM_ERR_OK;
out_release:
    bulk_person_text_release(&t);
    free(ids_text);
    json_decref(ids);
    buf_release(&norm);
    return err;
}

static enum cm_err
seal(const struct fieldcrypt *fc,
     const char *id,
     const char *field,
     const char *text,
     struct store_blob *out)
{
    struct buf ct = BUF_INIT;
    enum cm_err err;

    if (!text)
        return CM_ERR_OK;
    err = fieldcrypt_seal(fc, id, field, text, strlen(text), &ct);
    if (err == CM_ERR_OK)
        *out = store_blob_dup(ct.data, ct.len);
    buf_release(&ct);
    return err;
}

static enum cm_err
index_of(const struct fieldcrypt *fc,
         const char *field,
         const char *normalized,
         struct store_blob *out)
{
    unsigned char h[FIELDCRYPT_INDEX_BYTES];
    enum cm_err err = fieldcrypt_blind_index(fc, field, normalized, h);

    if (err == CM_ERR_OK)
        *out = store_blob_dup(h, sizeof h);
    return err;
}

enum cm_err
bulk_person_seal(const struct fieldcrypt *fc,
                 const struct bulk_person_text *t,
                 struct store_person *p)
{
    struct buf norm = BUF_INIT;
    enum cm_err err;

    err = seal(fc, p->id, "family_name", t->family_name, &p->family_name);
    if (err == CM_ERR_OK)
        err = seal(fc, p->id, "given_names", t->given_names, &p->given_names);
    if (err == CM_ERR_OK)
        err = seal(fc, p->id, "date_of_birth", t->date_of_birth,
                   &p->date_of_birth);
    if (err == CM_ERR_OK)
        err = seal(fc, p->id, "identifiers", t->identifiers, &p->identifiers);
    if (err == CM_ERR_OK)
        err = seal(fc, p->id, "aliases", t->aliases, &p->aliases);
    if (err == CM_ERR_OK)
        err = fieldcrypt_normalize_name(t->family_name, &norm);
    if (err == CM_ERR_OK)
        err = index_of(fc, "family_name", buf_str(&norm), &p->family_name_bidx);
    if (err == CM_ERR_OK && t->date_of_birth)
        err = index_of(fc, "date_of_birth", t->date_of_birth, &p->dob_bidx);
    if (err == CM_ERR_OK && t->a_digits[0])
        err = index_of(fc, "a_number", t->a_digits, &p->a_number_bidx);
    buf_release(&norm);
    return err == CM_ERR_OK ? CM_ERR_OK : CM_ERR_INTERNAL;
}

/* Whether sealed field `field` of `p` opens to exactly `text` (NULL: the
 * blob must be empty). */
static enum cm_err
same(const struct fieldcrypt *fc,
     const struct store_person *p,
     const char *field,
     const struct store_blob *b,
     const char *text,
     bool *out)
{
    struct buf pt = BUF_INIT;
    enum cm_err err = CM_ERR_OK;

    if (!b->data || !text) {
        *out = !b->data && !text;
        return CM_ERR_OK;
    }
    err = fieldcrypt_open(fc, p->id, field, b->data, b->len, &pt);
    if (err == CM_ERR_OK)
        *out = pt.len == strlen(text) && memcmp(pt.data, text, pt.len) == 0;
    if (pt.data)
        memset(pt.data, 0, pt.len);
    buf_release(&pt);
    return err;
}

enum cm_err
bulk_person_compare(const struct fieldcrypt *fc,
                    const struct store_person *p,
                    const struct bulk_person_text *t,
                    const char **differs)
{
    const char *names[] = {"family_name", "given_names", "date_of_birth",
                           "identifiers", "aliases"};
    const char *columns[] = {"family_name", "given_names", "date_of_birth",
                             "a_number", "aliases"};
    const struct store_blob *blobs[] = {&p->family_name, &p->given_names,
                                        &p->date_of_birth, &p->identifiers,
                                        &p->aliases};
    const char *texts[] = {t->family_name, t->given_names, t->date_of_birth,
                           t->identifiers, t->aliases};

    for (size_t i = 0; i < 5; i++) {
        bool eq = false;

        if (same(fc, p, names[i], blobs[i], texts[i], &eq) != CM_ERR_OK)
            return CM_ERR_INTERNAL;
        /* An API-made person without identifiers has none stored; the
         * import writes "{}": the same thing. */
        if (!eq && i == 3 && !blobs[i]->data && strcmp(texts[i], "{}") == 0)
            eq = true;
        if (!eq) {
            *differs = columns[i];
            return CM_ERR_OK;
        }
    }
    *differs = NULL;
    return CM_ERR_OK;
}

void
bulk_person_text_release(struct bulk_person_text *t)
{
    if (t == NULL)
        return;
    cm_free(t->family_name);
    cm_free(t->given_names);
    cm_free(t->date_of_birth);
    cm_free(t->identifiers);
    cm_free(t->aliases);
    memset(t, 0, sizeof *t);
}
