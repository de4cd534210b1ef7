/*
 * h_disclosures.c: the accounting of disclosures about a person (Privacy
 * Act, 5 U.S.C. 552a(c); API.md "Disclosures").
 *
 *   GET /api/v1/people/{id}/disclosures[?limit=&cursor=]
 *       officer, signer, agency_counsel, auditor: every entry about a
 *       person they may read (GET /people/{id} rules); booking, custodian,
 *       recipient_counsel: only the entries their own jurisdiction made,
 *       about a person a case visible to them names. Anyone else, or a
 *       person out of scope or missing: 404, audited.
 *
 * The entries are written by the respond action (h_subpoena_actions.c,
 * record_disclosure), one per response that produced items about the
 * subpoena's person. The list reads no personal field but is itself
 * personal data (who received what about whom), so it is audited like a
 * person read ("person.disclosures.read"), and the answer leaves only
 * once that record is committed. Newest first, paged by
 * "<disclosed_at_us>.<id>" cursors.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

/* In h_people.c: whether the caller may read person `p`. */
enum store_rc h_people_can_read(struct store *s,
                                const struct http_req *req,
                                const struct store_person *p,
                                bool *out);

static enum cm_err h_disclosures_list(struct http_req *req);

#define DISCLOSURE_AGENCY_READERS                     \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL) | ROLE_BIT(ROLE_AUDITOR))
#define DISCLOSURE_JURISDICTION_READERS                  \
    (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

static const struct route rows[] = {
    {"GET", "/api/v1/people/{id}/disclosures", h_disclosures_list,
     DISCLOSURE_AGENCY_READERS | DISCLOSURE_JURISDICTION_READERS, 0, 0},
};

const struct route_group h_disclosures_group = ROUTE_GROUP(rows);

struct list_tx {
    struct app_tx base;
    const char *id;
    struct store_cursor after;
    bool has_after;
    int limit;
    bool found; /* the person exists and the caller may read the list */
    struct store_disclosure *rows;
    size_t n_rows;
    json_t *out;
};

static void
list_cb(void *cls, const struct store_disclosure *d)
{
    struct list_tx *t = cls;
    struct store_disclosure *c;

    t->rows = cm_realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    c = &t->rows[t->n_rows++];
    *c = *d;
    c->nature = cm_strdup(d->nature);
    c->purpose = cm_strdup(d->purpose);
}

static void
list_reset(struct list_tx *t)
{
    for (size_t i = 0; i < t->n_rows; i++)
        store_disclosure_release(&t->rows[i]);
    cm_free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    json_decref(t->out);
    t->out = NULL;
}

/* {"org_id", "name"} of organization `id`. */
static enum store_rc
org_json(struct store *s, const char *id, json_t **out)
{
    struct store_org o;
    enum store_rc rc;

    memset(&o, 0, sizeof o);
    rc = store_org_get(s, id, &o);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    *out = json_pack("{s:s, s:s?}", "org_id", o.id, "name", o.name);
    store_org_release(&o);
    return *out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
}

static enum store_rc
entry_json(struct store *s, const struct store_disclosure *d, json_t **out)
{
    json_t *nature = json_loads(d->nature, 0, NULL);
    json_t *recipient = NULL;
    json_t *source = NULL;
    enum store_rc rc;

    *out = NULL;
    if (!json_is_array(nature)) {
        json_decref(nature);
        return STORE_HARD_ERROR;
    }
    rc = org_json(s, d->recipient_org_id, &recipient);
    if (rc == STORE_ONE_RESULT)
        rc = org_json(s, d->source_org_id, &source);
    if (rc != STORE_ONE_RESULT) {
        json_decref(nature);
        json_decref(recipient);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:s, s:s}", "id",
                     d->id, "person_id", d->person_id, "disclosed_at",
                     app_json_time(d->disclosed_at), "nature", nature,
                     "purpose", d->purpose, "recipient", recipient,
                     "disclosed_by", source, "disclosed_by_user_id",
                     d->disclosed_by, "subpoena_id", d->subpoena_id);
    return *out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_person p;
    const char *source = NULL;
    bool visible = false;
    json_t *items;
    size_t shown;
    enum store_rc rc;
    int n;

    list_reset(t);
    t->found = false;
    memset(&p, 0, sizeof p);
    rc = store_person_get(s, t->id, &p);
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (req->caller.org_kind == ORG_KIND_JURISDICTION &&
        (req->roles & DISCLOSURE_JURISDICTION_READERS))
        /* Its own entries only, about a person it may read. */
        source = req->caller.org_id;
    else if (!(req->roles & DISCLOSURE_AGENCY_READERS))
        goto out_release;
    rc = h_people_can_read(s, req, &p, &visible);
    if (rc < 0 || !visible)
        goto out_release;
    /* One more row than asked tells whether a next page exists. */
    n = store_disclosure_list(s, t->id, source, t->has_after ? &t->after : NULL,
                              t->limit + 1, list_cb, t);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_release;
    }
    items = json_array();
    t->out = json_pack("{s:o}", "items", items);
    shown = t->n_rows > (size_t)t->limit ? (size_t)t->limit : t->n_rows;
    for (size_t i = 0; i < shown; i++) {
        json_t *o = NULL;

        rc = entry_json(s, &t->rows[i], &o);
        if (rc < 0)
            goto out_release;
        (void)json_array_append_new(items, o);
    }
    if (t->n_rows > (size_t)t->limit) {
        const struct store_disclosure *last = &t->rows[shown - 1];
        char cur[64];

        (void)snprintf(cur, sizeof cur, "%lld.%s",
                       (long long)last->disclosed_at, last->id);
        (void)json_object_set_new(t->out, "next_cursor", json_string(cur));
    } else {
        (void)json_object_set_new(t->out, "next_cursor", json_null());
    }
    t->found = true;
    rc = STORE_ONE_RESULT;
out_release:
    store_person_release(&p);
    return rc;
}

/* Parse a cursor "<disclosed_at_us>.<id>" strictly into `out`. */
static bool
parse_cursor(const char *c, struct store_cursor *out)
{
    const char *dot = strchr(c, '.');
    char *end = NULL;
    long long at;

    if (!dot || dot == c || strlen(dot + 1) != CM_ID_LEN)
        return false;
    for (const char *p = c; p < dot; p++)
        if (*p < '0' || *p > '9')
            return false;
    at = strtoll(c, &end, 10);
    if (end != dot || at <= 0)
        return false;
    for (const char *p = dot + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_'))
            return false;
    *out = store_cursor_after((int64_t)at, dot + 1);
    return true;
}

static enum cm_err
h_disclosures_list(struct http_req *req)
{
    struct list_tx t;
    const char *cursor = NULL;
    char detail[64];
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    err = app_page_params(req, &t.limit, &cursor);
    if (err != CM_ERR_OK)
        return err;
    if (cursor) {
        if (!parse_cursor(cursor, &t.after))
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                               "cursor must be a next_cursor value from a "
                               "previous page");
        t.has_after = true;
    }
    /* Read on this worker's connection; the answer leaves only once its
     * audit record is committed (by the writer). */
    err = app_run_read(req, "disclosure_list", list_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (!t.found) {
        /* Missing and out of scope answer alike, and both are audited. */
        app_audit_alone(req, NULL, "person.disclosures.read", "person", t.id,
                        "not_found", NULL);
        err = reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
        goto out_release;
    }
    (void)snprintf(detail, sizeof detail, "entries=%zu",
                   json_array_size(json_object_get(t.out, "items")));
    err = app_audit_committed(req, "person.disclosures.read", "person", t.id,
                              detail);
    if (err != CM_ERR_OK)
        goto out_release;
    err = reply_json(req, 200, t.out);
    t.out = NULL;
out_release:
    list_reset(&t);
    return err;
}
