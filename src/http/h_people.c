/*
 * h_people.c: people, the personal data behind detainers and subpoenas
 * (API.md "People").
 *
 *   POST /api/v1/people        officer, signer, agency_counsel
 *   GET  /api/v1/people/{id}   agency roles; a jurisdiction's or DOJ
 *                              office's user only when a case visible to
 *                              them names the person; never an admin
 *   GET  /api/v1/people?family_name=&date_of_birth=&a_number=
 *                              agency roles; exact match on normalized
 *                              values through the blind indexes
 *
 * Every personal field is sealed with the field encryption (auth/
 * fieldcrypt.h) bound to the person's id and the field's name before it
 * reaches the store; family name, date of birth and A-number also get a
 * blind index for exact-match search. identifiers ({"a_number",
 * "fbi_number"}) and aliases (an array of names) are each sealed as one
 * JSON text. Every read, including each search, appends one audit record in
 * the transaction that read the rows; the record names ids and which
 * search parameters were used, never a value.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/fieldcrypt.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "http/app.h"
#include "http/body.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

static enum cm_err h_people_create(struct http_req *req);
static enum cm_err h_people_get(struct http_req *req);
static enum cm_err h_people_search(struct http_req *req);

#define PEOPLE_WRITERS                                \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL))
#define PEOPLE_READERS (PEOPLE_WRITERS | ROLE_BIT(ROLE_AUDITOR))

/* Most aliases of one person, and most people one search answers. */
#define PEOPLE_ALIASES_MAX 20
#define PEOPLE_SEARCH_MAX  500

static const struct route rows[] = {
    {"POST", "/api/v1/people", h_people_create, PEOPLE_WRITERS, 0,
     ROUTE_FLAG_JSON},
    {"GET", "/api/v1/people", h_people_search, PEOPLE_READERS, 0, 0},
    {"GET", "/api/v1/people/{id}", h_people_get, ROLE_ANY, 0, 0},
};

const struct route_group h_people_group = ROUTE_GROUP(rows);

/* ---- values -------------------------------------------------------------*/

/*
 * Check an A-number as clients write it: 'A' (or 'a') and 8 or 9 digits,
 * dashes allowed anywhere after the letter. On success writes the stored
 * form, "A" and 9 digits ("A012345678"), and the 9 digits alone (the blind
 * index's input).
 */
static bool
is_a_number(const char *in, char stored[12], char digits[10])
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
    /* Left-pad to 9 digits, as fieldcrypt_normalize_a_number does. */
    memset(digits, '0', 9);
    memcpy(digits + (9 - n), d, n);
    digits[9] = '\0';
    (void)snprintf(stored, 12, "A%s", digits);
    return true;
}

/* True for an FBI number as written: 1 to 20 ASCII letters, digits or
 * dashes. */
static bool
is_fbi_number(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z') || c == '-'))
            return false;
    }
    return true;
}

/* The blind index of `normalized` for `field` as a new blob. */
static enum cm_err
blind_index(const struct fieldcrypt *fc,
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

/* The blind index of a family name as a client wrote it; VALIDATION_FAILED
 * for a name that does not normalize. */
static enum cm_err
name_index(const struct fieldcrypt *fc,
           const char *name,
           struct store_blob *out)
{
    struct buf norm = BUF_INIT;
    enum cm_err err = fieldcrypt_normalize_name(name, &norm);

    if (err == CM_ERR_OK)
        err = blind_index(fc, "family_name", buf_str(&norm), out);
    buf_release(&norm);
    return err;
}

/* Seal `text` (NULL: leave `out` empty) for person `id`, field `field`. */
static enum cm_err
seal_text(const struct fieldcrypt *fc,
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

/* Open field `field` of person `id` into `*out` (a new reference: a JSON
 * string, or the parsed JSON when `is_json`; JSON null for an empty
 * blob). */
static enum cm_err
open_field(const struct fieldcrypt *fc,
           const char *id,
           const char *field,
           const struct store_blob *b,
           bool is_json,
           json_t **out)
{
    struct buf pt = BUF_INIT;
    enum cm_err err = CM_ERR_OK;
    json_t *v;

    if (!b->data) {
        *out = json_null();
        return CM_ERR_OK;
    }
    err = fieldcrypt_open(fc, id, field, b->data, b->len, &pt);
    if (err != CM_ERR_OK)
        goto out_release;
    v = is_json ? json_loadb(buf_str(&pt), pt.len, 0, NULL)
                : json_stringn(buf_str(&pt), pt.len);
    if (!v) {
        err = CM_ERR_INTERNAL;
        goto out_release;
    }
    *out = v;
out_release:
    if (pt.data)
        memset(pt.data, 0, pt.len);
    buf_release(&pt);
    return err;
}

/* The person as the API shows it, decrypted; a new reference in `*out`. */
static enum cm_err
person_json(const struct fieldcrypt *fc,
            const struct store_person *p,
            json_t **out)
{
    static const struct {
        const char *field;
        bool is_json;
    } fields[] = {{"family_name", false},
                  {"given_names", false},
                  {"date_of_birth", false},
                  {"identifiers", true},
                  {"aliases", true}};
    const struct store_blob *blobs[] = {&p->family_name, &p->given_names,
                                        &p->date_of_birth, &p->identifiers,
                                        &p->aliases};
    json_t *o = json_pack("{s:s, s:I, s:o, s:o}", "id", p->id, "version",
                          (json_int_t)p->version, "created_at",
                          app_json_time(p->created_at), "updated_at",
                          app_json_time(p->updated_at));
    enum cm_err err = CM_ERR_OK;

    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = NULL;

        err = open_field(fc, p->id, fields[i].field, blobs[i],
                         fields[i].is_json, &v);
        if (err != CM_ERR_OK)
            goto out_release;
        (void)json_object_set_new(o, fields[i].field, v);
    }
    /* Absent identifiers and aliases read as empty, not null. */
    if (json_is_null(json_object_get(o, "identifiers")))
        (void)json_object_set_new(o, "identifiers", json_object());
    if (json_is_null(json_object_get(o, "aliases")))
        (void)json_object_set_new(o, "aliases", json_array());
    *out = o;
    return CM_ERR_OK;
out_release:
    json_decref(o);
    return err;
}

/* ---- POST /api/v1/people ------------------------------------------------*/

struct create_tx {
    struct app_tx base;
    struct store_person *p;
    struct app_idem idem;
    json_t *out; /* the answer, owned */
};

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    struct http_req *req = t->base.req;
    enum store_rc rc;

    /* The record belongs to the agency office that made it. */
    (void)snprintf(t->p->org_id, sizeof t->p->org_id, "%s", req->caller.org_id);
    rc = store_person_insert(s, t->p);

    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "id",
                        "that id is taken; send the request again");
    if (rc < 0)
        return rc;
    rc = app_audit(s, req, "person.create", "person", t->p->id, "ok", NULL);
    if (rc < 0)
        return rc;
    return app_idem_save(s, &t->base, &t->idem, 201, t->out);
}

/* Check the optional aliases array: 1-200 character strings. */
static enum cm_err
check_aliases(struct http_req *req, const json_t *a)
{
    char field[32];
    size_t i;
    json_t *v;

    if (!json_is_array(a))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "aliases",
                           "aliases must be an array of names");
    if (json_array_size(a) > PEOPLE_ALIASES_MAX)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "aliases",
                           "at most 20 aliases");
    json_array_foreach (a, i, v) {
        struct buf norm = BUF_INIT;
        size_t chars = 0;
        bool ok =
            json_is_string(v) &&
            jspec_is_utf8(json_string_value(v), json_string_length(v),
                          &chars) &&
            chars <= 200 &&
            fieldcrypt_normalize_name(json_string_value(v), &norm) == CM_ERR_OK;

        buf_release(&norm);
        if (!ok) {
            (void)snprintf(field, sizeof field, "aliases[%zu]", i);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                               "each alias must be a name of 1 to 200 "
                               "characters");
        }
    }
    return CM_ERR_OK;
}

/* What a client sends to create a person, borrowed from the body. */
struct person_in {
    const char *family_name;
    const char *given_names;
    const char *date_of_birth;
    const char *a_number;
    const char *fbi_number;
    const json_t *identifiers;
    const json_t *aliases;
};

/* Parse and check the body into `in`; replies the 400 itself. */
static enum cm_err
parse_person(struct http_req *req, struct person_in *in)
{
    struct jspec spec[] = {
        JSPEC_STR_MAX("family_name", &in->family_name, 200, JSPEC_REQUIRED),
        JSPEC_STR_MAX("given_names", &in->given_names, 200, JSPEC_REQUIRED),
        JSPEC_DATE("date_of_birth", &in->date_of_birth, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_END};
    struct jspec id_spec[] = {
        JSPEC_STR_MAX("a_number", &in->a_number, 20, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("fbi_number", &in->fbi_number, 20, JSPEC_OPTIONAL),
        JSPEC_END};
    struct jspec_error e;
    json_t *body = NULL;
    json_t *top;
    enum cm_err err = body_json(req, &body);

    if (err != CM_ERR_OK)
        return err;
    if (!json_is_object(body))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, NULL,
                           "the body must be a JSON object");
    /* identifiers and aliases are checked apart from the flat fields. */
    top = json_copy(body);
    in->identifiers = json_object_get(body, "identifiers");
    in->aliases = json_object_get(body, "aliases");
    (void)json_object_del(top, "identifiers");
    (void)json_object_del(top, "aliases");
    err = jspec_parse(top, spec, &e);
    json_decref(top);
    if (err != CM_ERR_OK)
        return reply_error(req, err, e.field[0] ? e.field : NULL, e.detail);
    if (in->identifiers && !json_is_null(in->identifiers)) {
        char field[JSPEC_FIELD_MAX + 16];

        if (!json_is_object(in->identifiers))
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "identifiers",
                               "identifiers must be an object");
        err = jspec_parse(in->identifiers, id_spec, &e);
        if (err != CM_ERR_OK) {
            (void)snprintf(field, sizeof field, "identifiers.%s", e.field);
            return reply_error(req, err, field, e.detail);
        }
    }
    if (in->aliases && !json_is_null(in->aliases)) {
        err = check_aliases(req, in->aliases);
        if (err != CM_ERR_OK)
            return err;
    } else {
        in->aliases = NULL;
    }
    return CM_ERR_OK;
}

/* Seal the fields of `in` into `p` (whose id is set). Replies a 400 for
 * a value that does not normalize. */
static enum cm_err
seal_person(struct http_req *req,
            const struct person_in *in,
            struct store_person *p)
{
    const struct fieldcrypt *fc = &app_of(req)->fc;
    struct buf norm = BUF_INIT;
    char a_stored[12] = "";
    char a_digits[10] = "";
    char *ids_text = NULL;
    char *aliases_text = NULL;
    json_t *ids = json_object();
    enum cm_err err;

    if (fieldcrypt_normalize_name(in->family_name, &norm) != CM_ERR_OK) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "family_name",
                          "family_name must be a name without control "
                          "characters");
        goto out_release;
    }
    if (fieldcrypt_normalize_name(in->given_names, &norm) != CM_ERR_OK) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "given_names",
                          "given_names must be names without control "
                          "characters");
        goto out_release;
    }
    if (in->date_of_birth) {
        int32_t dob = 0;
        int64_t now_s = app_now(app_of(req)) / 1000000;

        /* Not in the future anywhere on Earth (UTC+14 is the latest). */
        if (date_parse(in->date_of_birth, &dob) != CM_ERR_OK ||
            dob > date_time_day(now_s + 14 * 3600)) {
            err = reply_error(req, CM_ERR_VALIDATION_FAILED, "date_of_birth",
                              "date_of_birth must be a real date, not in "
                              "the future");
            goto out_release;
        }
    }
    if (in->a_number && !is_a_number(in->a_number, a_stored, a_digits)) {
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "identifiers.a_number",
                          "an A-number is A followed by 8 or 9 digits "
                          "(dashes allowed): A-012-345-678");
        goto out_release;
    }
    if (in->fbi_number && !is_fbi_number(in->fbi_number)) {
        err =
            reply_error(req, CM_ERR_VALIDATION_FAILED, "identifiers.fbi_number",
                        "an FBI number is 1 to 20 letters, digits or "
                        "dashes");
        goto out_release;
    }
    if (in->a_number)
        (void)json_object_set_new(ids, "a_number", json_string(a_stored));
    if (in->fbi_number)
        (void)json_object_set_new(ids, "fbi_number",
                                  json_string(in->fbi_number));
    ids_text = json_dumps(ids, JSON_COMPACT);
    if (in->aliases)
        aliases_text = json_dumps(in->aliases, JSON_COMPACT);
    err = seal_text(fc, p->id, "family_name", in->family_name, &p->family_name);
    if (err == CM_ERR_OK)
        err = seal_text(fc, p->id, "given_names", in->given_names,
                        &p->given_names);
    if (err == CM_ERR_OK)
        err = seal_text(fc, p->id, "date_of_birth", in->date_of_birth,
                        &p->date_of_birth);
    if (err == CM_ERR_OK)
        err = seal_text(fc, p->id, "identifiers", ids_text, &p->identifiers);
    if (err == CM_ERR_OK)
        err = seal_text(fc, p->id, "aliases", aliases_text, &p->aliases);
    if (err == CM_ERR_OK)
        err = name_index(fc, in->family_name, &p->family_name_bidx);
    if (err == CM_ERR_OK && in->date_of_birth)
        err = blind_index(fc, "date_of_birth", in->date_of_birth, &p->dob_bidx);
    if (err == CM_ERR_OK && in->a_number)
        err = blind_index(fc, "a_number", a_digits, &p->a_number_bidx);
    if (err != CM_ERR_OK)
        err = reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
out_release:
    free(ids_text);
    free(aliases_text);
    json_decref(ids);
    buf_release(&norm);
    return err;
}

static enum cm_err
h_people_create(struct http_req *req)
{
    struct person_in in;
    struct store_person p;
    struct create_tx t;
    int64_t now = app_now(app_of(req));
    enum cm_err err;

    memset(&in, 0, sizeof in);
    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    err = parse_person(req, &in);
    if (err != CM_ERR_OK)
        return err;
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    cm_id_new(p.id);
    p.version = 1;
    p.created_at = now;
    p.updated_at = now;
    err = seal_person(req, &in, &p);
    if (err != CM_ERR_OK)
        goto out_release;
    err = person_json(&app_of(req)->fc, &p, &t.out);
    if (err != CM_ERR_OK) {
        err = reply_error(req, CM_ERR_INTERNAL, NULL, NULL);
        goto out_release;
    }
    t.p = &p;
    err = app_run(req, "person_create", create_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    app_set_etag(req, p.version);
    err = reply_json(req, 201, t.out);
    t.out = NULL;
out_release:
    json_decref(t.out);
    store_person_release(&p);
    return err;
}

/* ---- GET /api/v1/people/{id} ----------------------------------------------*/

/*
 * Whether the caller may read a person: agency roles always; a
 * jurisdiction's or DOJ office's user when a case visible to them names the
 * person (a detainer at their facilities, a subpoena served on them or
 * referred to them); anyone else (an admin) never.
 */
static enum store_rc
can_read_person(struct store *s,
                const struct http_req *req,
                const struct store_person *p,
                bool *out)
{
    const char *person_id = p->id;

    struct store_scope scope;
    struct store_case_filter filter;
    int64_t n = 0;
    enum store_rc rc;

    /* Auditors read every record; an agency office its own records. */
    if ((req->roles & ROLE_BIT(ROLE_AUDITOR)) ||
        ((req->roles & PEOPLE_READERS) &&
         strcmp(p->org_id, req->caller.org_id) == 0)) {
        *out = true;
        return STORE_ONE_RESULT;
    }
    memset(&scope, 0, sizeof scope);
    memset(&filter, 0, sizeof filter);
    filter.person_id = person_id;
    if (req->caller.org_kind == ORG_KIND_AGENCY_OFFICE &&
        (req->roles & PEOPLE_READERS))
        /* Another office's record (or one older than owners): visible
         * only through a case of this office that names the person. */
        (void)snprintf(scope.agency_org_id, sizeof scope.agency_org_id, "%s",
                       req->caller.org_id);
    else if (req->caller.org_kind == ORG_KIND_JURISDICTION)
        (void)snprintf(scope.jurisdiction_org_id,
                       sizeof scope.jurisdiction_org_id, "%s",
                       req->caller.org_id);
    else if (req->caller.org_kind == ORG_KIND_DOJ_OFFICE &&
             (req->roles & ROLE_BIT(ROLE_DOJ_ATTORNEY)))
        (void)snprintf(scope.doj_org_id, sizeof scope.doj_org_id, "%s",
                       req->caller.org_id);
    else {
        *out = false;
        return STORE_ONE_RESULT;
    }
    if (scope.jurisdiction_org_id[0] || scope.agency_org_id[0]) {
        rc = store_detainer_count(s, &scope, &filter, &n);
        if (rc < 0)
            return rc;
    }
    if (n == 0) {
        rc = store_subpoena_count(s, &scope, &filter, &n);
        if (rc < 0)
            return rc;
    }
    *out = n > 0;
    return STORE_ONE_RESULT;
}

/* The same, for h_disclosures.c (same declaration there). */
enum store_rc h_people_can_read(struct store *s,
                                const struct http_req *req,
                                const struct store_person *p,
                                bool *out);

enum store_rc
h_people_can_read(struct store *s,
                  const struct http_req *req,
                  const struct store_person *p,
                  bool *out)
{
    return can_read_person(s, req, p, out);
}

struct get_tx {
    struct app_tx base;
    const char *id;
    bool found; /* found and visible to the caller */
    json_t *out;
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_person p;
    bool visible = false;
    enum store_rc rc;

    memset(&p, 0, sizeof p);
    t->found = false;
    json_decref(t->out);
    t->out = NULL;
    rc = store_person_get(s, t->id, &p);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = can_read_person(s, req, &p, &visible);
    if (rc < 0 || !visible)
        goto out_release;
    if (person_json(&app_of(req)->fc, &p, &t->out) != CM_ERR_OK) {
        rc = app_fail(&t->base, CM_ERR_INTERNAL, NULL, NULL);
        goto out_release;
    }
    t->found = true;
    rc = STORE_ONE_RESULT;
out_release:
    store_person_release(&p);
    return rc;
}

static enum cm_err
h_people_get(struct http_req *req)
{
    struct get_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    /* Read and decrypt on this worker's connection; the answer leaves only
     * once its audit record is committed (by the writer). */
    err = app_run_read(req, "person_read", get_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (t.found) {
        err = app_audit_committed(req, "person.read", "person", t.id, NULL);
        if (err != CM_ERR_OK)
            goto out_release;
    }
    if (!t.found) {
        /* Missing and out of scope answer alike, and both are audited. */
        app_audit_alone(req, NULL, "person.read", "person", t.id, "not_found",
                        NULL);
        err = reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
        goto out_release;
    }
    app_set_etag(
        req, (int64_t)json_integer_value(json_object_get(t.out, "version")));
    err = reply_json(req, 200, t.out);
    t.out = NULL;
out_release:
    json_decref(t.out);
    return err;
}

/* ---- GET /api/v1/people?... ---------------------------------------------*/

struct search_tx {
    struct app_tx base;
    enum store_person_index index; /* the index searched */
    struct store_blob keys[3];     /* by enum store_person_index; or empty */
    const char *params;            /* "family_name,a_number" for the audit */
    struct store_person *rows;     /* matches of the searched index */
    size_t n_rows;
    json_t *items;
};

static void
search_cb(void *cls, const struct store_person *p)
{
    struct search_tx *t = cls;
    struct store_person *c;

    if (t->n_rows == PEOPLE_SEARCH_MAX)
        return;
    t->rows = cm_realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    c = &t->rows[t->n_rows++];
    *c = *p;
    c->family_name = store_blob_dup(p->family_name.data, p->family_name.len);
    c->given_names = store_blob_dup(p->given_names.data, p->given_names.len);
    c->date_of_birth =
        store_blob_dup(p->date_of_birth.data, p->date_of_birth.len);
    c->identifiers = store_blob_dup(p->identifiers.data, p->identifiers.len);
    c->aliases = store_blob_dup(p->aliases.data, p->aliases.len);
    c->family_name_bidx =
        store_blob_dup(p->family_name_bidx.data, p->family_name_bidx.len);
    c->dob_bidx = store_blob_dup(p->dob_bidx.data, p->dob_bidx.len);
    c->a_number_bidx =
        store_blob_dup(p->a_number_bidx.data, p->a_number_bidx.len);
}

static void
search_reset(struct search_tx *t)
{
    for (size_t i = 0; i < t->n_rows; i++)
        store_person_release(&t->rows[i]);
    cm_free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    json_decref(t->items);
    t->items = NULL;
}

static bool
is_same_blob(const struct store_blob *a, const struct store_blob *b)
{
    return a->data && b->data && a->len == b->len &&
           memcmp(a->data, b->data, a->len) == 0;
}

/* True when `p` matches every given search key. */
static bool
is_match(const struct search_tx *t, const struct store_person *p)
{
    const struct store_blob *have[3] = {&p->family_name_bidx, &p->dob_bidx,
                                        &p->a_number_bidx};

    for (size_t i = 0; i < 3; i++)
        if (t->keys[i].data && !is_same_blob(&t->keys[i], have[i]))
            return false;
    return true;
}

static enum store_rc
search_tx(struct store *s, void *ctx)
{
    struct search_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct buf detail = BUF_INIT;
    size_t n_found = 0;
    enum store_rc rc;
    int n;

    search_reset(t);
    t->items = json_array();
    n = store_person_find(s, t->index, &t->keys[t->index], search_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    buf_addf(&detail, "params=%s ids=", t->params);
    for (size_t i = 0; i < t->n_rows; i++) {
        json_t *o = NULL;

        if (!is_match(t, &t->rows[i]))
            continue;
        if (!(req->roles & ROLE_BIT(ROLE_AUDITOR)) &&
            strcmp(t->rows[i].org_id, req->caller.org_id) != 0)
            continue; /* another office's record */
        if (person_json(&app_of(req)->fc, &t->rows[i], &o) != CM_ERR_OK) {
            rc = app_fail(&t->base, CM_ERR_INTERNAL, NULL, NULL);
            goto out_release;
        }
        (void)json_array_append_new(t->items, o);
        buf_addf(&detail, "%s%s", n_found ? "," : "", t->rows[i].id);
        n_found++;
    }
    rc = app_audit(s, req, "person.search", "person", NULL, "ok",
                   buf_str(&detail));
out_release:
    buf_release(&detail);
    return rc;
}

static enum cm_err
h_people_search(struct http_req *req)
{
    const struct fieldcrypt *fc = &app_of(req)->fc;
    const char *family_name = http_req_query(req, "family_name");
    const char *dob = http_req_query(req, "date_of_birth");
    const char *a_number = http_req_query(req, "a_number");
    char params[64] = "";
    char a_stored[12];
    char a_digits[10];
    char dob_norm[FIELDCRYPT_DATE_LEN + 1];
    struct search_tx t;
    enum cm_err err = CM_ERR_OK;

    memset(&t, 0, sizeof t);
    if (!family_name && !dob && !a_number)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "family_name",
                           "search by family_name, date_of_birth or "
                           "a_number (at least one)");
    if (family_name) {
        if (name_index(fc, family_name, &t.keys[0]) != CM_ERR_OK) {
            err = reply_error(req, CM_ERR_VALIDATION_FAILED, "family_name",
                              "family_name must be a name");
            goto out_release;
        }
        t.index = STORE_PERSON_INDEX_FAMILY_NAME;
        (void)snprintf(params, sizeof params, "family_name");
    }
    if (dob) {
        if (fieldcrypt_normalize_date(dob, dob_norm) != CM_ERR_OK ||
            blind_index(fc, "date_of_birth", dob_norm, &t.keys[1]) !=
                CM_ERR_OK) {
            err = reply_error(req, CM_ERR_VALIDATION_FAILED, "date_of_birth",
                              "date_of_birth must be a date YYYY-MM-DD");
            goto out_release;
        }
        t.index = STORE_PERSON_INDEX_DATE_OF_BIRTH;
        (void)snprintf(params + strlen(params), sizeof params - strlen(params),
                       "%sdate_of_birth", params[0] ? "," : "");
    }
    if (a_number) {
        if (!is_a_number(a_number, a_stored, a_digits) ||
            blind_index(fc, "a_number", a_digits, &t.keys[2]) != CM_ERR_OK) {
            err = reply_error(req, CM_ERR_VALIDATION_FAILED, "a_number",
                              "an A-number is A followed by 8 or 9 digits "
                              "(dashes allowed)");
            goto out_release;
        }
        /* The most selective index is searched; the others filter. */
        t.index = STORE_PERSON_INDEX_A_NUMBER;
        (void)snprintf(params + strlen(params), sizeof params - strlen(params),
                       "%sa_number", params[0] ? "," : "");
    }
    t.params = params;
    err = app_run(req, "person_search", search_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    err = reply_json(req, 200,
                     json_pack("{s:O, s:n}", "items", t.items, "next_cursor"));
out_release:
    search_reset(&t);
    for (size_t i = 0; i < 3; i++)
        store_blob_release(&t.keys[i]);
    return err;
}
