/*
 * h_orgs.c: organizations, their facilities and jurisdiction policies over
 * HTTP (API.md "Administration").
 *
 *   POST /api/v1/orgs                      admin: create an organization
 *   GET  /api/v1/orgs[?kind=]              any user: list (paged)
 *   GET  /api/v1/orgs/{id}                 any user: one
 *   POST /api/v1/orgs/{id}/facilities      admin: add a facility (422
 *                                          guard_failed, field
 *                                          "facility_needs_jurisdiction",
 *                                          unless the org is a jurisdiction)
 *   GET  /api/v1/facilities[?org_id=]      any user: list
 *   POST /api/v1/orgs/{id}/policies        admin: a new policy version
 *   GET  /api/v1/orgs/{id}/policies        any user: every version, oldest
 *                                          first, marking the one in force
 *
 * Officers pick recipients and facilities from these lists, so any
 * logged-in user may read them; only an admin writes. Creating a
 * jurisdiction also creates its holiday calendar (named after it) so that
 * the state's holidays can be added. Policies are versioned and never
 * edited: there is no PATCH, PUT or DELETE route for them. Every write is
 * audited in its own transaction and honors Idempotency-Key.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/zoneinfo.h"
#include "domain/date.h"
#include "domain/role.h"
#include "domain/tz.h"
#include "http/app.h"
#include "http/body.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_admin.h"

#define ADMIN        ROLE_BIT(ROLE_ADMIN)
#define ORG_NAME_MAX 200

static enum cm_err h_orgs_create(struct http_req *req);
static enum cm_err h_orgs_list(struct http_req *req);
static enum cm_err h_orgs_get(struct http_req *req);
static enum cm_err h_orgs_add_facility(struct http_req *req);
static enum cm_err h_orgs_list_facilities(struct http_req *req);
static enum cm_err h_orgs_add_policy(struct http_req *req);
static enum cm_err h_orgs_list_policies(struct http_req *req);

static const struct route rows[] = {
    {"POST", "/api/v1/orgs", h_orgs_create, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/orgs", h_orgs_list, ROLE_ANY, 0, 0},
    {"GET", "/api/v1/orgs/{id}", h_orgs_get, ROLE_ANY, 0, 0},
    {"POST", "/api/v1/orgs/{id}/facilities", h_orgs_add_facility, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/facilities", h_orgs_list_facilities, ROLE_ANY, 0, 0},
    {"POST", "/api/v1/orgs/{id}/policies", h_orgs_add_policy, ADMIN, 0,
     ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"GET", "/api/v1/orgs/{id}/policies", h_orgs_list_policies, ROLE_ANY, 0, 0},
};

const struct route_group h_orgs_group = ROUTE_GROUP(rows);

static const char *const kind_names[] = {"agency_office", "jurisdiction",
                                         "doj_office", NULL};
static const char *const detainer_names[] = {"honor", "decline", "criteria",
                                             NULL};
static const char *const subpoena_names[] = {"comply", "court_order_only",
                                             "review", NULL};

/* The two-letter codes of the states, DC and the territories. */
static const char *const us_states[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID",
    "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS",
    "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
    "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP", NULL};

static bool
is_us_state(const char *s)
{
    bool found = false;

    for (size_t i = 0; us_states[i] && !found; i++)
        found = strcmp(us_states[i], s) == 0;
    return found;
}

/* True when `name` is a zone of the system's IANA database that parses. */
static bool
is_real_zone(const char *name)
{
    struct buf data = BUF_INIT;
    struct tz tz;
    bool ok = false;

    if (!zoneinfo_is_valid_name(name) ||
        zoneinfo_read(name, &data) != CM_ERR_OK)
        goto out_data;
    if (tz_parse(data.data, data.len, name, &tz, NULL) == CM_ERR_OK) {
        ok = true;
        tz_release(&tz);
    }
out_data:
    buf_release(&data);
    return ok;
}

/* From h_users.c: whether `s` has the shape of an id (CM_ID_LEN
 * base64url characters). */
bool h_users_is_id(const char *s);

static json_t *
org_json(const struct store_org *o, const char *calendar_id)
{
    json_t *j = json_pack(
        "{s:s, s:I, s:o, s:o, s:s, s:s, s:o, s:s, s:b}", "id", o->id, "version",
        (json_int_t)o->version, "created_at", app_json_time(o->created_at),
        "updated_at", app_json_time(o->updated_at), "kind", o->kind, "name",
        o->name, "state", app_json_str(o->state), "timezone", o->timezone,
        "requires_counsel_review", (int)o->requires_counsel_review);

    if (strcmp(o->kind, "jurisdiction") == 0)
        (void)json_object_set_new(j, "calendar_id", app_json_str(calendar_id));
    return j;
}

/* The id of org `org_id`'s calendar into `out` ("" when none). */
static enum store_rc
org_calendar_id(struct store *s, const char *org_id, char out[STORE_ID_SIZE])
{
    struct store_calendar c;
    enum store_rc rc = store_calendar_get_by_org(s, org_id, &c);

    out[0] = '\0';
    if (rc == STORE_ONE_RESULT) {
        (void)snprintf(out, STORE_ID_SIZE, "%s", c.id);
        store_calendar_release(&c);
    }
    return rc;
}

/* Paging: the rows of one page and whether there was one more. */
static json_t *
page_json(json_t *items, int limit)
{
    json_t *next = json_null();
    size_t n = json_array_size(items);

    if (n > (size_t)limit) {
        json_t *last = json_array_get(items, (size_t)limit - 1);

        (void)json_array_remove(items, n - 1);
        json_decref(next);
        next = json_incref(json_object_get(last, "id"));
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

/* ---- POST /api/v1/orgs ---------------------------------------------------*/

struct org_create_tx {
    struct app_tx base;
    struct app_idem idem;
    struct store_org org; /* strings borrowed from the request */
    json_t *answer;
};

static enum store_rc
org_create_tx(struct store *s, void *ctx)
{
    struct org_create_tx *t = ctx;
    char cal_id[STORE_ID_SIZE];
    enum store_rc rc;

    json_decref(t->answer);
    t->answer = NULL;
    rc = store_org_insert(s, &t->org);
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "name",
                        "an organization of this kind, state and name "
                        "already exists");
    if (rc < 0)
        return rc;
    cal_id[0] = '\0';
    if (strcmp(t->org.kind, "jurisdiction") == 0) {
        rc = store_jurisdiction_calendar_insert(s, &t->org, cal_id);
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "name",
                            "a calendar with this name already exists");
        if (rc < 0)
            return rc;
    }
    rc = app_audit(s, t->base.req, "org.create", "org", t->org.id, "ok",
                   t->org.kind);
    if (rc < 0)
        return rc;
    t->answer = org_json(&t->org, cal_id);
    return app_idem_save(s, &t->base, &t->idem, 201, t->answer);
}

static enum cm_err
h_orgs_create(struct http_req *req)
{
    struct org_create_tx t;
    int kind = -1;
    const char *name = NULL, *state = NULL, *zone = NULL;
    bool review = false;
    int64_t now = app_now(app_of(req));
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_ENUM("kind", &kind, kind_names, JSPEC_REQUIRED),
        JSPEC_STR_MAX("name", &name, ORG_NAME_MAX, JSPEC_REQUIRED),
        JSPEC_STR_MAX("state", &state, 2, JSPEC_REQUIRED),
        JSPEC_STR_MAX("timezone", &zone, ZONEINFO_NAME_MAX, JSPEC_REQUIRED),
        JSPEC_BOOL("requires_counsel_review", &review, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("calendar_id"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (name[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "give the organization's name");
    if (!is_us_state(state))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "state",
                           "state must be a two-letter US state code in "
                           "capitals, e.g. CO");
    if (!is_real_zone(zone))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "timezone",
                           "timezone must be an IANA time zone, e.g. "
                           "America/Denver");
    if (review && kind != ORG_KIND_AGENCY_OFFICE)
        return reply_error(req, CM_ERR_VALIDATION_FAILED,
                           "requires_counsel_review",
                           "only an agency office can require counsel "
                           "review");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    cm_id_new(t.org.id);
    t.org.version = 1;
    t.org.created_at = t.org.updated_at = now;
    t.org.kind = (char *)kind_names[kind];
    t.org.name = (char *)name;
    t.org.state = (char *)state;
    t.org.timezone = (char *)zone;
    t.org.requires_counsel_review = review;
    err = app_run(req, "org_create", org_create_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, 1);
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

/* ---- GET /api/v1/orgs, /api/v1/orgs/{id} ------------------------------*/

struct org_list_tx {
    struct app_tx base;
    const char *kind;
    const char *cursor;
    int limit;
    json_t *items;
};

static void
org_list_cb(void *cls, const struct store_org *o)
{
    (void)json_array_append_new(cls, org_json(o, NULL));
}

static enum store_rc
org_list_tx(struct store *s, void *ctx)
{
    struct org_list_tx *t = ctx;
    struct store_org o;
    char cal[STORE_ID_SIZE];
    enum store_rc rc;
    int n;

    json_array_clear(t->items);
    if (t->cursor) {
        rc = store_org_get(s, t->cursor, &o);
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "cursor",
                            "cursor must be a next_cursor value from a "
                            "previous page");
        if (rc < 0)
            return rc;
        store_org_release(&o);
    }
    n = store_org_list_by_kind(s, t->kind, t->cursor, t->limit + 1, org_list_cb,
                               t->items);
    if (n < 0)
        return (enum store_rc)n;
    for (size_t i = 0; i < json_array_size(t->items); i++) {
        json_t *j = json_array_get(t->items, i);

        if (!json_object_get(j, "calendar_id"))
            continue;
        rc = org_calendar_id(s, json_string_value(json_object_get(j, "id")),
                             cal);
        if (rc < 0)
            return rc;
        (void)json_object_set_new(j, "calendar_id", app_json_str(cal));
    }
    return STORE_ONE_RESULT;
}

static enum cm_err
h_orgs_list(struct http_req *req)
{
    struct org_list_tx t;
    enum org_kind k;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.kind = http_req_query(req, "kind");
    if (t.kind && !org_kind_parse(t.kind, &k))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "kind",
                           "kind must be agency_office, jurisdiction or "
                           "doj_office");
    err = app_page_params(req, &t.limit, &t.cursor);
    if (err != CM_ERR_OK)
        return err;
    if (t.cursor && !h_users_is_id(t.cursor))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                           "cursor must be a next_cursor value from a "
                           "previous page");
    t.items = json_array();
    err = app_run_read(req, "org_list", org_list_tx, &t.base);
    if (err == CM_ERR_OK)
        return reply_json(req, 200, page_json(t.items, t.limit));
    json_decref(t.items);
    return err;
}

struct org_get_tx {
    struct app_tx base;
    const char *id;
    json_t *answer;
    int64_t version;
};

static enum store_rc
org_get_tx(struct store *s, void *ctx)
{
    struct org_get_tx *t = ctx;
    struct store_org o;
    char cal[STORE_ID_SIZE];
    enum store_rc rc = store_org_get(s, t->id, &o);

    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no organization with this id");
    if (rc < 0)
        return rc;
    rc = org_calendar_id(s, o.id, cal);
    if (rc >= 0) {
        json_decref(t->answer);
        t->answer = org_json(&o, cal);
        t->version = o.version;
        rc = STORE_ONE_RESULT;
    }
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_orgs_get(struct http_req *req)
{
    struct org_get_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    err = app_run_read(req, "org_get", org_get_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, t.version);
        err = reply_json(req, 200, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

/* ---- facilities ----------------------------------------------------------*/

static json_t *
facility_json(const struct store_facility *f)
{
    return json_pack("{s:s, s:I, s:o, s:o, s:s, s:s, s:s}", "id", f->id,
                     "version", (json_int_t)f->version, "created_at",
                     app_json_time(f->created_at), "updated_at",
                     app_json_time(f->updated_at), "org_id", f->org_id, "name",
                     f->name, "timezone", f->timezone);
}

struct facility_add_tx {
    struct app_tx base;
    struct app_idem idem;
    struct store_facility f; /* strings borrowed */
    const char *zone;        /* as asked, or NULL: the org's */
    json_t *answer;
};

static enum store_rc
facility_add_tx(struct store *s, void *ctx)
{
    struct facility_add_tx *t = ctx;
    struct store_org o;
    enum store_rc rc = store_org_get(s, t->f.org_id, &o);

    json_decref(t->answer);
    t->answer = NULL;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no organization with this id");
    if (rc < 0)
        return rc;
    if (strcmp(o.kind, "jurisdiction") != 0) {
        rc = app_fail(&t->base, CM_ERR_GUARD_FAILED,
                      "facility_needs_jurisdiction",
                      "only a jurisdiction has facilities; this "
                      "organization is a %s",
                      o.kind);
        goto out_org;
    }
    t->f.timezone = (char *)(t->zone ? t->zone : o.timezone);
    rc = store_facility_insert(s, &t->f);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "name",
                      "this jurisdiction already has a facility of this "
                      "name");
    if (rc < 0)
        goto out_org;
    rc = app_audit(s, t->base.req, "facility.create", "facility", t->f.id, "ok",
                   NULL);
    if (rc < 0)
        goto out_org;
    t->answer = facility_json(&t->f);
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_org:
    t->f.timezone = NULL;
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_orgs_add_facility(struct http_req *req)
{
    struct facility_add_tx t;
    const char *name = NULL;
    int64_t now = app_now(app_of(req));
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_STR_MAX("name", &name, ORG_NAME_MAX, JSPEC_REQUIRED),
        JSPEC_STR_MAX("timezone", &t.zone, ZONEINFO_NAME_MAX, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("org_id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (name[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "give the facility's name");
    if (t.zone && !is_real_zone(t.zone))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "timezone",
                           "timezone must be an IANA time zone, e.g. "
                           "America/Denver");
    if (!h_users_is_id(http_req_param(req, "id")))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "no organization with this id");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    cm_id_new(t.f.id);
    (void)snprintf(t.f.org_id, sizeof t.f.org_id, "%s",
                   http_req_param(req, "id"));
    t.f.version = 1;
    t.f.created_at = t.f.updated_at = now;
    t.f.name = (char *)name;
    err = app_run(req, "facility_create", facility_add_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, 1);
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

struct facility_list_tx {
    struct app_tx base;
    const char *org_id; /* or NULL: every organization's, paged */
    const char *cursor;
    int limit;
    json_t *items;
};

static void
facility_list_cb(void *cls, const struct store_facility *f)
{
    (void)json_array_append_new(cls, facility_json(f));
}

static enum store_rc
facility_list_tx(struct store *s, void *ctx)
{
    struct facility_list_tx *t = ctx;
    struct store_facility f;
    enum store_rc rc;
    int n;

    json_array_clear(t->items);
    if (t->org_id) {
        n = store_facility_list_by_org(s, t->org_id, facility_list_cb,
                                       t->items);
        return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
    }
    if (t->cursor) {
        rc = store_facility_get(s, t->cursor, &f);
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "cursor",
                            "cursor must be a next_cursor value from a "
                            "previous page");
        if (rc < 0)
            return rc;
        store_facility_release(&f);
    }
    n = store_facility_list(s, t->cursor, t->limit + 1, facility_list_cb,
                            t->items);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

static enum cm_err
h_orgs_list_facilities(struct http_req *req)
{
    struct facility_list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.org_id = http_req_query(req, "org_id");
    if (t.org_id && !h_users_is_id(t.org_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "org_id",
                           "org_id must be an organization's id");
    err = app_page_params(req, &t.limit, &t.cursor);
    if (err != CM_ERR_OK)
        return err;
    if (t.cursor && (t.org_id || !h_users_is_id(t.cursor)))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "cursor",
                           "cursor must be a next_cursor value from a "
                           "previous page");
    if (t.org_id)
        t.limit = 1 << 30; /* one organization's: a single page */
    t.items = json_array();
    err = app_run_read(req, "facility_list", facility_list_tx, &t.base);
    if (err == CM_ERR_OK)
        return reply_json(req, 200, page_json(t.items, t.limit));
    json_decref(t.items);
    return err;
}

/* ---- jurisdiction policies ---------------------------------------------*/

static json_t *
policy_json(const struct store_policy *p, bool in_force)
{
    return json_pack(
        "{s:s, s:I, s:o, s:o, s:s, s:I, s:s, s:s, s:b, s:s, s:o, s:o, s:s, "
        "s:b}",
        "id", p->id, "version", (json_int_t)1, "created_at",
        app_json_time(p->created_at), "updated_at",
        app_json_time(p->created_at), "org_id", p->org_id, "version_no",
        (json_int_t)p->version_no, "effective_from", p->effective_from,
        "detainers", p->detainers, "release_notification",
        (int)p->release_notification, "subpoenas", p->subpoenas, "citation",
        app_json_str(p->citation), "summary", app_json_str(p->summary),
        "created_by", p->created_by, "in_force", (int)in_force);
}

/* Load org `id` into *o, refusing (404) when there is none. */
static enum store_rc
load_org(struct store *s,
         struct app_tx *tx,
         const char *id,
         struct store_org *o)
{
    enum store_rc rc = store_org_get(s, id, o);

    if (rc == STORE_NO_RESULTS)
        return app_fail(tx, CM_ERR_NOT_FOUND, NULL,
                        "no organization with this id");
    return rc;
}

/* The id of the policy of `o` in force today in its zone into `out`. */
static enum store_rc
policy_in_force_id(struct store *s,
                   const struct store_org *o,
                   int64_t now,
                   char out[STORE_ID_SIZE])
{
    struct store_policy p;
    char today[DATE_STR_SIZE];
    enum store_rc rc;

    date_format(app_today_in(o->timezone, now), today);
    out[0] = '\0';
    rc = store_policy_in_force(s, o->id, today, &p);
    if (rc == STORE_ONE_RESULT) {
        (void)snprintf(out, STORE_ID_SIZE, "%s", p.id);
        store_policy_release(&p);
    }
    return rc;
}

struct policy_add_tx {
    struct app_tx base;
    struct app_idem idem;
    struct store_policy p; /* strings borrowed */
    json_t *answer;
};

static enum store_rc
policy_add_tx(struct store *s, void *ctx)
{
    struct policy_add_tx *t = ctx;
    struct store_org o;
    char force[STORE_ID_SIZE];
    enum store_rc rc = load_org(s, &t->base, t->p.org_id, &o);

    json_decref(t->answer);
    t->answer = NULL;
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (strcmp(o.kind, "jurisdiction") != 0) {
        rc =
            app_fail(&t->base, CM_ERR_GUARD_FAILED, "policy_needs_jurisdiction",
                     "only a jurisdiction has a detainer and subpoena "
                     "policy; this organization is a %s",
                     o.kind);
        goto out_org;
    }
    rc = store_policy_insert(s, &t->p, &t->p.version_no);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the policy could not be recorded; try again");
    if (rc < 0)
        goto out_org;
    rc = policy_in_force_id(s, &o, t->p.created_at, force);
    if (rc < 0)
        goto out_org;
    rc = app_audit(s, t->base.req, "policy.create", "policy", t->p.id, "ok",
                   NULL);
    if (rc < 0)
        goto out_org;
    t->answer = policy_json(&t->p, strcmp(force, t->p.id) == 0);
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_org:
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_orgs_add_policy(struct http_req *req)
{
    struct policy_add_tx t;
    const char *from = NULL, *citation = NULL, *summary = NULL;
    int detainers = -1, subpoenas = -1;
    bool notify = false;
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_DATE("effective_from", &from, JSPEC_REQUIRED),
        JSPEC_ENUM("detainers", &detainers, detainer_names, JSPEC_REQUIRED),
        JSPEC_BOOL("release_notification", &notify, JSPEC_REQUIRED),
        JSPEC_ENUM("subpoenas", &subpoenas, subpoena_names, JSPEC_REQUIRED),
        JSPEC_STR_MAX("citation", &citation, 500, JSPEC_REQUIRED),
        JSPEC_STR_MAX("summary", &summary, 4000, JSPEC_REQUIRED),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("org_id"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("version_no"),
        JSPEC_FORBID("in_force"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("created_by"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (citation[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "citation",
                           "cite the ordinance, statute or rule that sets "
                           "the policy");
    if (summary[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "summary",
                           "summarize the policy");
    if (!h_users_is_id(http_req_param(req, "id")))
        return reply_error(req, CM_ERR_NOT_FOUND, NULL,
                           "no organization with this id");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    cm_id_new(t.p.id);
    (void)snprintf(t.p.org_id, sizeof t.p.org_id, "%s",
                   http_req_param(req, "id"));
    t.p.effective_from = (char *)from;
    t.p.detainers = (char *)detainer_names[detainers];
    t.p.release_notification = notify;
    t.p.subpoenas = (char *)subpoena_names[subpoenas];
    t.p.citation = (char *)citation;
    t.p.summary = (char *)summary;
    (void)snprintf(t.p.created_by, sizeof t.p.created_by, "%s",
                   req->caller.user_id);
    t.p.created_at = app_now(app_of(req));
    err = app_run(req, "policy_create", policy_add_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, 1);
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

struct policy_list_tx {
    struct app_tx base;
    const char *org_id;
    char in_force[STORE_ID_SIZE];
    json_t *items;
};

static void
policy_list_cb(void *cls, const struct store_policy *p)
{
    (void)json_array_append_new(cls, policy_json(p, false));
}

static enum store_rc
policy_list_tx(struct store *s, void *ctx)
{
    struct policy_list_tx *t = ctx;
    struct store_org o;
    enum store_rc rc = load_org(s, &t->base, t->org_id, &o);
    int n;

    json_array_clear(t->items);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = policy_in_force_id(s, &o, app_now(app_of(t->base.req)), t->in_force);
    if (rc < 0)
        goto out_org;
    n = store_policy_list_by_org(s, o.id, policy_list_cb, t->items);
    rc = n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
out_org:
    store_org_release(&o);
    return rc;
}

static enum cm_err
h_orgs_list_policies(struct http_req *req)
{
    struct policy_list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.org_id = http_req_param(req, "id");
    t.items = json_array();
    err = app_run_read(req, "policy_list", policy_list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    for (size_t i = 0; i < json_array_size(t.items); i++) {
        json_t *j = json_array_get(t.items, i);
        const char *id = json_string_value(json_object_get(j, "id"));

        if (id && strcmp(id, t.in_force) == 0)
            (void)json_object_set_new(j, "in_force", json_true());
    }
    return reply_json(req, 200,
                      json_pack("{s:o, s:o, s:o}", "items", t.items,
                                "next_cursor", json_null(), "in_force_id",
                                app_json_str(t.in_force)));
}
