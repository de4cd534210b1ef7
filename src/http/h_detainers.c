/*
 * h_detainers.c: detainers (Form I-247A) over HTTP (API.md "Detainers",
 * DESIGN.md "Detainer", domain/detainer.h).
 *
 *   POST /api/v1/detainers                          officer
 *   GET  /api/v1/detainers[?state=&facility_id=&person_id=&limit=&cursor=]
 *   GET  /api/v1/detainers/{id}
 *   GET  /api/v1/detainers/{id}/history
 *   POST /api/v1/detainers/{id}/actions/{action}    booking, officer
 *
 * Lists are scoped in SQL (struct store_scope); one detainer is checked
 * with perm_can_view, and one out of scope answers 404 exactly as a
 * missing id, the attempt audited. An action runs in one transaction:
 * load, scope, If-Match, machine_apply, effects, version-checked update
 * (so of two concurrent actions exactly one wins), timeline event, audit
 * record; it answers the detainer as it now stands.
 *
 * The hold clock: set_release_time records when the person would
 * otherwise have been released and computes max_hold_until with the
 * detainer's hold rule, in the facility's time zone, on the calendar of
 * the facility's jurisdiction, stored as deadline `hold_max` with its
 * explanation. The default rule is 8 CFR 287.7(d)'s:
 * "48h-excluding-weekends-holidays".
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/zoneinfo.h"
#include "domain/date.h"
#include "domain/deadline.h"
#include "domain/detainer.h"
#include "domain/perm.h"
#include "domain/tz.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/documents.h"
#include "http/h_imports.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

static enum cm_err h_detainers_create(struct http_req *req);
static enum cm_err h_detainers_list(struct http_req *req);
static enum cm_err h_detainers_get(struct http_req *req);
static enum cm_err h_detainers_history(struct http_req *req);
static enum cm_err h_detainers_act(struct http_req *req);

#define DETAINER_ACTORS (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_BOOKING))

/* The rule of 8 CFR 287.7(d), used when a detainer names none. */
#define DETAINER_DEFAULT_HOLD_RULE "48h-excluding-weekends-holidays"
#define DETAINER_HOLD_HOURS        48

static const struct route rows[] = {
    {"POST", "/api/v1/detainers", h_detainers_create, ROLE_BIT(ROLE_OFFICER), 0,
     ROUTE_FLAG_JSON},
    {"GET", "/api/v1/detainers", h_detainers_list, ROLE_ANY_BUT_ADMIN, 0, 0},
    {"GET", "/api/v1/detainers/{id}", h_detainers_get, ROLE_ANY_BUT_ADMIN, 0,
     0},
    {"GET", "/api/v1/detainers/{id}/history", h_detainers_history,
     ROLE_ANY_BUT_ADMIN, 0, 0},
    {"POST", "/api/v1/detainers/{id}/actions/{action}", h_detainers_act,
     DETAINER_ACTORS, 0, ROUTE_FLAG_JSON},
};

const struct route_group h_detainers_group = ROUTE_GROUP(rows);

static const char *const form_names[] = {"I-247A", NULL};
static const char *const basis_names[] = {"final_order", "pending_proceedings",
                                          "biometric_match", "statements",
                                          NULL};
static const char *const hold_rule_names[] = {
    "48h-clock", "48h-excluding-weekends-holidays", "frcp6-hours", NULL};
static const char *const source_names[] = {"reported", "observed", "inferred",
                                           NULL};

/* ---- reading and showing a detainer ---------------------------------------*/

/* The guard facts of `d`. */
static void
detainer_facts(const struct store_detainer *d, struct guard_facts *f)
{
    memset(f, 0, sizeof *f);
    f->hold_clock_started = d->max_hold_until != 0;
}

static int
detainer_state_of(const struct store_detainer *d)
{
    enum detainer_state st = DETAINER_STATE_LODGED;

    (void)detainer_state_parse(d->state, &st);
    return (int)st;
}

/* True when the caller may see `d`, lodged at a facility of `fac_org`. */
static bool
can_view(const struct http_req *req,
         const struct store_detainer *d,
         const char *fac_org)
{
    struct perm_viewer v;
    struct perm_case c;

    app_viewer(req, &v);
    memset(&c, 0, sizeof c);
    c.kind = PERM_CASE_KIND_DETAINER;
    c.state = detainer_state_of(d);
    c.agency_org_id = d->agency_org_id;
    c.facility_org_id = fac_org;
    return perm_can_view(&v, &c);
}

/* The detainer as the API shows it to the caller of `req`; a new reference
 * in *out. `f` is its facility. */
static enum store_rc
detainer_json(struct store *s,
              struct http_req *req,
              const struct store_detainer *d,
              const struct store_facility *f,
              json_t **out)
{
    struct store_policy pol;
    struct guard_facts facts;
    json_t *o;
    json_t *policy = json_null();
    json_t *deadlines;
    json_t *docs;
    int64_t now_s = app_now(app_of(req)) / 1000000;
    int state = detainer_state_of(d);
    enum store_rc rc;

    memset(&pol, 0, sizeof pol);
    if (d->decline_policy_id[0]) {
        rc = store_policy_get(s, d->decline_policy_id, &pol);
        if (rc < 0)
            return rc;
        if (rc == STORE_ONE_RESULT) {
            json_decref(policy);
            policy = json_pack("{s:s, s:I, s:s, s:o}", "id", pol.id,
                               "version_no", (json_int_t)pol.version_no,
                               "detainers", pol.detainers, "citation",
                               app_json_str(pol.citation));
        }
        store_policy_release(&pol);
    }
    deadlines = cases_deadlines_json(s, "detainer", d->id);
    docs = documents_case_json(s, "detainer", d->id);
    if (!deadlines || !docs) {
        json_decref(policy);
        json_decref(deadlines);
        json_decref(docs);
        return STORE_HARD_ERROR;
    }
    detainer_facts(d, &facts);
    o = json_pack(
        "{s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s},"
        " s:s, s:s, s:s, s:s}",
        "id", d->id, "number", d->number, "version", (json_int_t)d->version,
        "created_at", app_json_time(d->created_at), "updated_at",
        app_json_time(d->updated_at), "state", d->state, "person_id",
        d->person_id, "facility_id", d->facility_id, "facility", "id", f->id,
        "name", f->name, "org_id", f->org_id, "timezone", f->timezone,
        "agency_org_id", d->agency_org_id, "form", d->form, "basis", d->basis,
        "hold_rule", d->hold_rule);
    if (!o) {
        json_decref(policy);
        json_decref(deadlines);
        json_decref(docs);
        return STORE_HARD_ERROR;
    }
    (void)json_object_set_new(o, "outcome_source",
                              app_json_str(d->outcome_source));
    (void)json_object_set_new(o, "decline_reason", app_json_str(d->reason));
    (void)json_object_set_new(o, "cancel_reason",
                              app_json_str(d->cancel_reason));
    (void)json_object_set_new(o, "policy", policy);
    (void)json_object_set_new(o, "acknowledged_at",
                              app_json_time(d->acknowledged_at));
    (void)json_object_set_new(o, "decided_at", app_json_time(d->decided_at));
    (void)json_object_set_new(o, "otherwise_release_at",
                              app_json_time(d->otherwise_release_at));
    (void)json_object_set_new(o, "max_hold_until",
                              app_json_time(d->max_hold_until));
    (void)json_object_set_new(
        o, "over_detention",
        json_boolean(detainer_is_over_detained((enum detainer_state)state,
                                               d->max_hold_until != 0, now_s,
                                               d->max_hold_until / 1000000)));
    (void)json_object_set_new(o, "released_at", app_json_time(d->released_at));
    (void)json_object_set_new(
        o, "notice_given",
        d->notice_given < 0 ? json_null() : json_boolean(d->notice_given == 1));
    (void)json_object_set_new(o, "transferred_at",
                              app_json_time(d->transferred_at));
    (void)json_object_set_new(o, "deadlines", deadlines);
    (void)json_object_set_new(o, "documents", docs);
    (void)json_object_set_new(
        o, "allowed_actions",
        cases_allowed_json(&detainer_machine, state, req->roles, &facts));
    *out = o;
    return STORE_ONE_RESULT;
}

/*
 * Read detainer `id` and its facility and check the caller may see it.
 * STORE_ONE_RESULT with *d and *f filled (release both); STORE_NO_RESULTS
 * when missing or out of scope (nothing to release), or an error.
 */
static enum store_rc
load_visible(struct store *s,
             const struct http_req *req,
             const char *id,
             struct store_detainer *d,
             struct store_facility *f)
{
    enum store_rc rc = store_detainer_get(s, id, d);

    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = store_facility_get(s, d->facility_id, f);
    if (rc != STORE_ONE_RESULT)
        goto out_detainer;
    if (!can_view(req, d, f->org_id)) {
        rc = STORE_NO_RESULTS;
        goto out_facility;
    }
    return STORE_ONE_RESULT;
out_facility:
    store_facility_release(f);
out_detainer:
    store_detainer_release(d);
    return rc < 0 ? rc : STORE_NO_RESULTS;
}

/* Answer 404 for a detainer the caller may not see or that does not
 * exist, and audit the attempt. */
static enum cm_err
reply_not_found(struct http_req *req,
                const char *action,
                const char *id,
                const char *outcome)
{
    app_audit_alone(req, NULL, action, "detainer", id, outcome, NULL);
    return reply_error(req, CM_ERR_NOT_FOUND, NULL, NULL);
}

/* ---- POST /api/v1/detainers ---------------------------------------------*/

struct create_in {
    const char *person_id;
    const char *facility_id;
    int form;
    int basis;
    int hold_rule;
};

struct create_tx {
    struct app_tx base;
    const struct create_in *in;
    struct app_idem idem;
    json_t *out;
    int64_t version;
};

/* The year of `now_us` in zone `tz_name`, for case numbers. */
static int
year_in(const char *tz_name, int64_t now_us)
{
    int32_t y = 1970;
    int m = 1;
    int md = 1;

    date_to_ymd(app_today_in(tz_name, now_us), &y, &m, &md);
    return (int)y;
}

static enum store_rc
create_tx(struct store *s, void *ctx)
{
    struct create_tx *t = ctx;
    struct http_req *req = t->base.req;
    const struct create_in *in = t->in;
    struct store_person p;
    struct store_facility f;
    struct store_org org;
    struct store_detainer d;
    int64_t now = app_now(app_of(req));
    int to = DETAINER_STATE_LODGED;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    memset(&p, 0, sizeof p);
    memset(&f, 0, sizeof f);
    memset(&org, 0, sizeof org);
    memset(&d, 0, sizeof d);
    if (machine_apply(&detainer_machine, MACHINE_STATE_NONE,
                      DETAINER_ACTION_CREATE, req->roles, NULL, NULL, &to,
                      NULL) != CM_ERR_OK)
        return app_fail(&t->base, CM_ERR_FORBIDDEN, NULL,
                        "only an officer may lodge a detainer");
    rc = store_person_get(s, in->person_id, &p);
    store_person_release(&p);
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "person_id",
                        "no person with that id; create the person first");
    if (rc < 0)
        return rc;
    rc = store_facility_get(s, in->facility_id, &f);
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "facility_id",
                        "no facility with that id");
    if (rc < 0)
        return rc;
    rc = store_org_get(s, req->caller.org_id, &org);
    if (rc < 0)
        goto out_release;
    cm_id_new(d.id);
    d.version = 1;
    d.created_at = now;
    d.updated_at = now;
    rc = store_case_number_next(
        s, "DET", year_in(rc == STORE_ONE_RESULT ? org.timezone : NULL, now),
        d.number);
    if (rc < 0)
        goto out_release;
    (void)snprintf(d.person_id, sizeof d.person_id, "%s", in->person_id);
    (void)snprintf(d.facility_id, sizeof d.facility_id, "%s", in->facility_id);
    (void)snprintf(d.agency_org_id, sizeof d.agency_org_id, "%s",
                   req->caller.org_id);
    (void)snprintf(d.lodged_by, sizeof d.lodged_by, "%s", req->caller.user_id);
    d.form = (char *)form_names[in->form];
    d.basis = (char *)basis_names[in->basis];
    d.hold_rule = (char *)hold_rule_names[in->hold_rule];
    d.state = (char *)detainer_state_name((enum detainer_state)to);
    d.notice_given = -1;
    rc = store_detainer_insert(s, &d);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_ALREADY_EXISTS, NULL,
                      "that detainer exists already; send the request "
                      "again");
    if (rc < 0)
        goto out_release;
    rc = cases_event(s, req, "detainer", d.id, "create",
                     json_pack("{s:s, s:s, s:s}", "number", d.number,
                               "facility_id", d.facility_id, "state", d.state));
    if (rc < 0)
        goto out_release;
    rc = app_audit(s, req, "detainer.create", "detainer", d.id, "ok", d.number);
    if (rc < 0)
        goto out_release;
    rc = detainer_json(s, req, &d, &f, &t->out);
    if (rc < 0)
        goto out_release;
    t->version = d.version;
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->out);
out_release:
    store_org_release(&org);
    store_facility_release(&f);
    return rc;
}

static enum cm_err
h_detainers_create(struct http_req *req)
{
    struct create_in in;
    struct create_tx t;
    struct jspec spec[] = {
        JSPEC_STR_MAX("person_id", &in.person_id, 64, JSPEC_REQUIRED),
        JSPEC_STR_MAX("facility_id", &in.facility_id, 64, JSPEC_REQUIRED),
        JSPEC_ENUM("form", &in.form, form_names, JSPEC_REQUIRED),
        JSPEC_ENUM("basis", &in.basis, basis_names, JSPEC_REQUIRED),
        JSPEC_ENUM("hold_rule", &in.hold_rule, hold_rule_names, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("number"),
        JSPEC_FORBID("version"),
        JSPEC_FORBID("state"),
        JSPEC_FORBID("created_at"),
        JSPEC_FORBID("updated_at"),
        JSPEC_FORBID("agency_org_id"),
        JSPEC_FORBID("outcome_source"),
        JSPEC_FORBID("max_hold_until"),
        JSPEC_END};
    enum cm_err err;

    memset(&in, 0, sizeof in);
    memset(&t, 0, sizeof t);
    in.hold_rule = 1; /* DETAINER_DEFAULT_HOLD_RULE */
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    t.in = &in;
    err = app_run(req, "detainer_create", create_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    app_set_etag(req, t.version);
    err = reply_json(req, 201, t.out);
    t.out = NULL;
out_release:
    json_decref(t.out);
    return err;
}

/* ---- GET /api/v1/detainers/{id} and .../history ---------------------------*/

struct get_tx {
    struct app_tx base;
    const char *id;
    bool history;
    bool found;
    int64_t version;
    json_t *out;
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    struct store_detainer d;
    struct store_facility f;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    t->found = false;
    memset(&d, 0, sizeof d);
    memset(&f, 0, sizeof f);
    rc = load_visible(s, t->base.req, t->id, &d, &f);
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (t->history) {
        t->out = cases_history_json(s, "detainer", d.id);
        rc = t->out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
    } else {
        rc = detainer_json(s, t->base.req, &d, &f, &t->out);
    }
    t->version = d.version;
    t->found = rc == STORE_ONE_RESULT;
    store_detainer_release(&d);
    store_facility_release(&f);
    return rc;
}

static enum cm_err
get_common(struct http_req *req, bool history)
{
    struct get_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    t.history = history;
    err = app_run_read(req, "detainer_read", get_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (!t.found) {
        err = reply_not_found(req, "detainer.read", t.id, "not_found");
        goto out_release;
    }
    if (!history)
        app_set_etag(req, t.version);
    err = reply_json(req, 200, t.out);
    t.out = NULL;
out_release:
    json_decref(t.out);
    return err;
}

static enum cm_err
h_detainers_get(struct http_req *req)
{
    return get_common(req, false);
}

static enum cm_err
h_detainers_history(struct http_req *req)
{
    return get_common(req, true);
}

/* ---- GET /api/v1/detainers ------------------------------------------------*/

/* The scope of the caller (store_cases.h): auditor all; agency roles their
 * agency; jurisdiction roles their facilities; DOJ nothing for detainers
 * (the store gives them none); admin nothing. */
static void
caller_scope(const struct http_req *req, struct store_scope *scope)
{
    const role_set agency = ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |
                            ROLE_BIT(ROLE_AGENCY_COUNSEL);
    const role_set jurisdiction = ROLE_BIT(ROLE_BOOKING) |
                                  ROLE_BIT(ROLE_CUSTODIAN) |
                                  ROLE_BIT(ROLE_RECIPIENT_COUNSEL);

    memset(scope, 0, sizeof *scope);
    if (req->roles & ROLE_BIT(ROLE_AUDITOR))
        scope->all = true;
    if (req->roles & agency)
        (void)snprintf(scope->agency_org_id, sizeof scope->agency_org_id, "%s",
                       req->caller.org_id);
    if (req->roles & jurisdiction)
        (void)snprintf(scope->jurisdiction_org_id,
                       sizeof scope->jurisdiction_org_id, "%s",
                       req->caller.org_id);
    if (req->roles & ROLE_BIT(ROLE_DOJ_ATTORNEY))
        (void)snprintf(scope->doj_org_id, sizeof scope->doj_org_id, "%s",
                       req->caller.org_id);
}

/* Copy the strings of `d` into a detainer the caller owns. */
static void
detainer_copy(struct store_detainer *out, const struct store_detainer *d)
{
    *out = *d;
    out->form = d->form ? cm_strdup(d->form) : NULL;
    out->basis = d->basis ? cm_strdup(d->basis) : NULL;
    out->hold_rule = d->hold_rule ? cm_strdup(d->hold_rule) : NULL;
    out->state = d->state ? cm_strdup(d->state) : NULL;
    out->outcome_source =
        d->outcome_source ? cm_strdup(d->outcome_source) : NULL;
    out->reason = d->reason ? cm_strdup(d->reason) : NULL;
    out->cancel_reason = d->cancel_reason ? cm_strdup(d->cancel_reason) : NULL;
}

struct list_tx {
    struct app_tx base;
    struct store_scope scope;
    struct store_case_filter filter;
    struct store_cursor after;
    bool has_after;
    int limit;
    struct store_detainer *rows;
    size_t n_rows;
    json_t *out;
};

static void
list_cb(void *cls, const struct store_detainer *d)
{
    struct list_tx *t = cls;

    t->rows = cm_realloc(t->rows, (t->n_rows + 1) * sizeof *t->rows);
    detainer_copy(&t->rows[t->n_rows++], d);
}

static void
list_reset(struct list_tx *t)
{
    for (size_t i = 0; i < t->n_rows; i++)
        store_detainer_release(&t->rows[i]);
    cm_free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    json_decref(t->out);
    t->out = NULL;
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    json_t *items;
    size_t shown;
    int n;

    list_reset(t);
    /* One more row than asked tells whether a next page exists. */
    n = store_detainer_list(s, &t->scope, &t->filter,
                            t->has_after ? &t->after : NULL, t->limit + 1,
                            list_cb, t);
    if (n < 0)
        return (enum store_rc)n;
    items = json_array();
    t->out = json_pack("{s:o}", "items", items);
    shown = t->n_rows > (size_t)t->limit ? (size_t)t->limit : t->n_rows;
    for (size_t i = 0; i < shown; i++) {
        struct store_facility f;
        json_t *o = NULL;
        enum store_rc rc;

        memset(&f, 0, sizeof f);
        rc = store_facility_get(s, t->rows[i].facility_id, &f);
        if (rc != STORE_ONE_RESULT)
            return rc < 0 ? rc : STORE_HARD_ERROR;
        rc = detainer_json(s, t->base.req, &t->rows[i], &f, &o);
        store_facility_release(&f);
        if (rc < 0)
            return rc;
        (void)json_array_append_new(items, o);
    }
    if (t->n_rows > (size_t)t->limit) {
        const struct store_detainer *last = &t->rows[shown - 1];
        char cur[64];

        (void)snprintf(cur, sizeof cur, "%lld.%s", (long long)last->created_at,
                       last->id);
        (void)json_object_set_new(t->out, "next_cursor", json_string(cur));
    } else {
        (void)json_object_set_new(t->out, "next_cursor", json_null());
    }
    return STORE_ONE_RESULT;
}

/* Parse a cursor "<created_at_us>.<id>" strictly into `out`. */
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

/* True when `s` is one state name or several joined by commas. */
static bool
is_state_list(const char *s)
{
    char one[32];

    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        enum detainer_state st;

        if (n == 0 || n >= sizeof one)
            return false;
        memcpy(one, s, n);
        one[n] = '\0';
        if (!detainer_state_parse(one, &st))
            return false;
        s += n + (comma ? 1 : 0);
        if (comma && !*s)
            return false;
    }
    return true;
}

static enum cm_err
h_detainers_list(struct http_req *req)
{
    struct list_tx t;
    const char *cursor = NULL;
    enum cm_err err;

    memset(&t, 0, sizeof t);
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
    t.filter.state = http_req_query(req, "state");
    t.filter.facility_id = http_req_query(req, "facility_id");
    t.filter.person_id = http_req_query(req, "person_id");
    t.filter.number = http_req_query(req, "number");
    if (t.filter.state && *t.filter.state && !is_state_list(t.filter.state))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "state",
                           "state must be lodged, acknowledged, honored, "
                           "declined, released, transferred or cancelled "
                           "(several joined by commas)");
    caller_scope(req, &t.scope);
    if (h_imports_wants_csv(req))
        return h_imports_export_csv(req, BULK_EXPORT_KIND_DETAINERS, &t.scope,
                                    &t.filter);
    err = app_run_read(req, "detainer_list", list_tx, &t.base);
    if (err == CM_ERR_OK) {
        err = reply_json(req, 200, t.out);
        t.out = NULL;
    }
    list_reset(&t);
    return err;
}

/* ---- POST /api/v1/detainers/{id}/actions/{action} -------------------------*/

/* What an action's body may carry; absent fields stay NULL / -1. */
struct act_in {
    int action; /* enum detainer_action */
    int source; /* enum detainer_outcome_source, or -1 */
    const char *reason;
    const char *released_at;
    const char *transferred_at;
    const char *otherwise_release_at;
    bool notice_given;
    int64_t released_us;
    int64_t transferred_us;
    int64_t otherwise_us;
    int64_t if_match; /* -1: none sent */
};

struct act_tx {
    struct app_tx base;
    const char *id;
    struct act_in *in;
    bool found;
    int64_t version;
    json_t *out;
};

/* Parse the body of action `in->action`; replies a 400 itself. */
static enum cm_err
parse_action_body(struct http_req *req, struct act_in *in)
{
    struct jspec spec[6];
    size_t n = 0;
    const char *field = NULL;
    const char *text = NULL;
    int64_t *us = NULL;
    int64_t utc = 0;
    int32_t off = 0;
    json_t *body = NULL;
    struct jspec_error e;
    enum cm_err err;

    spec[n++] = (struct jspec)JSPEC_ENUM("outcome_source", &in->source,
                                         source_names, JSPEC_OPTIONAL);
    switch ((enum detainer_action)in->action) {
    case DETAINER_ACTION_DECLINE:
    case DETAINER_ACTION_CANCEL:
        spec[n++] = (struct jspec)JSPEC_STR_MAX("reason", &in->reason, 1000,
                                                JSPEC_REQUIRED);
        break;
    case DETAINER_ACTION_RELEASE:
        spec[n++] = (struct jspec)JSPEC_STR_MAX("released_at", &in->released_at,
                                                64, JSPEC_REQUIRED);
        spec[n++] = (struct jspec)JSPEC_BOOL("notice_given", &in->notice_given,
                                             JSPEC_REQUIRED);
        field = "released_at";
        us = &in->released_us;
        break;
    case DETAINER_ACTION_TRANSFER:
        spec[n++] = (struct jspec)JSPEC_STR_MAX(
            "transferred_at", &in->transferred_at, 64, JSPEC_REQUIRED);
        field = "transferred_at";
        us = &in->transferred_us;
        break;
    case DETAINER_ACTION_SET_RELEASE_TIME:
        spec[n++] = (struct jspec)JSPEC_STR_MAX("otherwise_release_at",
                                                &in->otherwise_release_at, 64,
                                                JSPEC_REQUIRED);
        field = "otherwise_release_at";
        us = &in->otherwise_us;
        break;
    default:
        break;
    }
    spec[n++] = (struct jspec)JSPEC_END;
    /* An action without fields may come without a body at all. */
    if (req->body.len == 0) {
        body = json_object();
        err = jspec_parse(body, spec, &e);
        json_decref(body);
        if (err != CM_ERR_OK)
            return reply_error(req, err, e.field[0] ? e.field : NULL, e.detail);
    } else {
        err = body_parse(req, spec);
        if (err != CM_ERR_OK)
            return err;
    }
    if (field) {
        text = in->released_at      ? in->released_at
               : in->transferred_at ? in->transferred_at
                                    : in->otherwise_release_at;
        if (date_time_parse_rfc3339(text, &utc, &off) != CM_ERR_OK)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, field,
                               "give an RFC 3339 instant such as "
                               "2020-01-17T22:00:00Z");
        *us = utc * 1000000;
    }
    return CM_ERR_OK;
}

/* The outcome source of this action: as given, else `reported` for the
 * jurisdiction's booking staff and `observed` for the agency's officer.
 * Only an officer may say `inferred` or `observed`. */
static enum store_rc
pick_source(struct act_tx *t, const char **out)
{
    const struct http_req *req = t->base.req;
    bool is_officer = app_has_role(req, ROLE_OFFICER);
    int src = t->in->source;

    if (src < 0)
        src = is_officer ? DETAINER_OUTCOME_SOURCE_OBSERVED
                         : DETAINER_OUTCOME_SOURCE_REPORTED;
    if (src != DETAINER_OUTCOME_SOURCE_REPORTED && !is_officer)
        return app_fail(&t->base, CM_ERR_FORBIDDEN, "outcome_source",
                        "only the agency's officer may record an outcome "
                        "as observed or inferred");
    *out = detainer_outcome_source_name((enum detainer_outcome_source)src);
    return STORE_ONE_RESULT;
}

/* Compute the hold clock of `d` from d->otherwise_release_at and store it
 * as deadline hold_max; writes d->max_hold_until. */
static enum store_rc
start_hold_clock(struct store *s,
                 struct act_tx *t,
                 struct store_detainer *d,
                 const struct store_facility *f)
{
    struct calendar cal;
    struct tz tz;
    struct deadline_result r;
    struct store_deadline dl;
    struct buf zone = BUF_INIT;
    struct buf why = BUF_INIT;
    struct buf explain = BUF_INIT;
    char cal_id[STORE_ID_SIZE];
    char due[DATE_RFC3339_SIZE];
    char when[DATE_RFC3339_SIZE];
    char trigger[DATE_RFC3339_SIZE + 32];
    int64_t cal_version = 0;
    enum store_rc rc;

    if (zoneinfo_read(f->timezone, &zone) != CM_ERR_OK ||
        tz_parse(zone.data, zone.len, f->timezone, &tz, NULL) != CM_ERR_OK) {
        buf_release(&zone);
        return app_fail(&t->base, CM_ERR_INTERNAL, NULL,
                        "the facility's time zone is unknown");
    }
    rc = cases_calendar(s, f->org_id, &cal, cal_id, &cal_version);
    if (rc != STORE_ONE_RESULT)
        goto out_tz;
    if (deadline_compute_hours(&cal, &tz, d->hold_rule,
                               d->otherwise_release_at / 1000000,
                               DETAINER_HOLD_HOURS, &r, &why) != CM_ERR_OK) {
        rc = app_fail(&t->base, CM_ERR_VALIDATION_FAILED,
                      "otherwise_release_at", "%s", buf_str(&why));
        goto out_cal;
    }
    d->max_hold_until = r.due_utc * 1000000;
    deadline_explain(&r, &explain);
    date_time_format_rfc3339(r.due_utc, 0, due);
    date_time_format_rfc3339(d->otherwise_release_at / 1000000, 0, when);
    (void)snprintf(trigger, sizeof trigger, "otherwise released %s", when);
    memset(&dl, 0, sizeof dl);
    cm_id_new(dl.id); /* used only when no hold_max exists yet */
    dl.case_kind = (char *)"detainer";
    (void)snprintf(dl.case_id, sizeof dl.case_id, "%s", d->id);
    dl.kind = (char *)"hold_max";
    dl.due = due;
    dl.rule_id = d->hold_rule;
    (void)snprintf(dl.calendar_id, sizeof dl.calendar_id, "%s", cal_id);
    dl.calendar_version = cal_version;
    dl.trigger = trigger;
    dl.explanation = (char *)buf_str(&explain);
    dl.computed_at = app_now(app_of(t->base.req));
    rc = store_deadline_upsert(s, &dl);
    deadline_result_release(&r);
out_cal:
    calendar_release(&cal);
out_tz:
    tz_release(&tz);
    buf_release(&zone);
    buf_release(&why);
    buf_release(&explain);
    return rc;
}

/* Apply the effects of the action to `d` (state `to`). */
static enum store_rc
apply_effects(struct store *s,
              struct act_tx *t,
              struct store_detainer *d,
              const struct store_facility *f,
              int to)
{
    const struct act_in *in = t->in;
    int64_t now = app_now(app_of(t->base.req));
    enum store_rc rc = STORE_ONE_RESULT;

    switch ((enum detainer_action)in->action) {
    case DETAINER_ACTION_ACKNOWLEDGE:
        d->acknowledged_at = now;
        break;
    case DETAINER_ACTION_HONOR:
        d->decided_at = now;
        break;
    case DETAINER_ACTION_DECLINE: {
        struct store_policy pol;
        char today[DATE_STR_SIZE];

        /* The jurisdiction's policy in force on the day, in the facility's
         * zone, of the decline. */
        date_format(app_today_in(f->timezone, now), today);
        memset(&pol, 0, sizeof pol);
        rc = store_policy_in_force(s, f->org_id, today, &pol);
        if (rc < 0)
            return rc;
        (void)snprintf(d->decline_policy_id, sizeof d->decline_policy_id, "%s",
                       rc == STORE_ONE_RESULT ? pol.id : "");
        store_policy_release(&pol);
        d->decided_at = now;
        d->reason = (char *)in->reason;
        rc = STORE_ONE_RESULT;
        break;
    }
    case DETAINER_ACTION_SET_RELEASE_TIME:
        d->otherwise_release_at = in->otherwise_us;
        rc = start_hold_clock(s, t, d, f);
        break;
    case DETAINER_ACTION_RELEASE:
        d->released_at = in->released_us;
        d->notice_given = in->notice_given ? 1 : 0;
        break;
    case DETAINER_ACTION_TRANSFER:
        d->transferred_at = in->transferred_us;
        break;
    case DETAINER_ACTION_CANCEL:
        d->cancel_reason = (char *)in->reason;
        break;
    default:
        break;
    }
    d->state = (char *)detainer_state_name((enum detainer_state)to);
    d->updated_at = now;
    return rc;
}

/* Answer a refusal of machine_apply inside the transaction. */
static enum store_rc
refuse(struct act_tx *t, enum cm_err err, enum guard g, const char *state)
{
    const char *action =
        detainer_action_name((enum detainer_action)t->in->action);

    if (err == CM_ERR_FORBIDDEN)
        return app_fail(&t->base, err, NULL, "your role may not %s a detainer",
                        action);
    if (err == CM_ERR_STATE_CONFLICT)
        return app_fail(&t->base, err, NULL,
                        "a detainer that is %s cannot take %s", state, action);
    if (err == CM_ERR_GUARD_FAILED)
        return app_fail(&t->base, err, machine_guard_code(g),
                        "%s is not allowed now: %s", action,
                        machine_guard_code(g));
    return app_fail(&t->base, err, NULL, NULL);
}

static enum store_rc
act_tx(struct store *s, void *ctx)
{
    struct act_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_detainer d;
    struct store_facility f;
    struct guard_facts facts;
    char from[32];
    char *saved[3];
    const char *source = NULL;
    enum guard g = GUARD_NONE;
    int to = 0;
    enum cm_err err;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    t->found = false;
    memset(&d, 0, sizeof d);
    memset(&f, 0, sizeof f);
    rc = load_visible(s, req, t->id, &d, &f);
    if (rc != STORE_ONE_RESULT)
        return rc;
    t->found = true;
    /* Borrowed strings set below replace these; free the originals at the
     * end, not the borrowed ones. */
    saved[0] = d.state;
    saved[1] = d.reason;
    saved[2] = d.cancel_reason;
    (void)snprintf(from, sizeof from, "%s", d.state);
    if (t->in->if_match >= 0 && t->in->if_match != d.version) {
        rc = app_fail(&t->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the detainer is at version %lld; read it again",
                      (long long)d.version);
        goto out_release;
    }
    detainer_facts(&d, &facts);
    err = machine_apply(&detainer_machine, detainer_state_of(&d), t->in->action,
                        req->roles, NULL, &facts, &to, &g);
    if (err != CM_ERR_OK) {
        rc = refuse(t, err, g, from);
        goto out_release;
    }
    rc = pick_source(t, &source);
    if (rc < 0)
        goto out_release;
    cm_free(d.outcome_source);
    d.outcome_source = cm_strdup(source);
    rc = apply_effects(s, t, &d, &f, to);
    if (rc < 0)
        goto out_release;
    rc = store_detainer_update(s, &d);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the detainer changed while you acted; read it again");
    if (rc < 0)
        goto out_release;
    d.version++;
    rc = cases_event(s, req, "detainer", d.id,
                     detainer_action_name((enum detainer_action)t->in->action),
                     json_pack("{s:s, s:s, s:s}", "from", from, "to", d.state,
                               "outcome_source", source));
    if (rc < 0)
        goto out_release;
    {
        char action[48];

        (void)snprintf(
            action, sizeof action, "detainer.%s",
            detainer_action_name((enum detainer_action)t->in->action));
        rc = app_audit(s, req, action, "detainer", d.id, "ok", NULL);
    }
    if (rc < 0)
        goto out_release;
    rc = detainer_json(s, req, &d, &f, &t->out);
    t->version = d.version;
out_release:
    d.state = saved[0];
    d.reason = saved[1];
    d.cancel_reason = saved[2];
    store_detainer_release(&d);
    store_facility_release(&f);
    return rc;
}

static enum cm_err
h_detainers_act(struct http_req *req)
{
    struct act_in in;
    struct act_tx t;
    enum detainer_action action;
    const char *name = http_req_param(req, "action");
    enum cm_err err;

    memset(&in, 0, sizeof in);
    memset(&t, 0, sizeof t);
    in.source = -1;
    if (!detainer_action_parse(name, &action) ||
        action == DETAINER_ACTION_CREATE)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "action",
                           "no such detainer action: acknowledge, honor, "
                           "decline, release, transfer, cancel or "
                           "set_release_time");
    in.action = (int)action;
    err = app_if_match(req, &in.if_match);
    if (err != CM_ERR_OK)
        return err;
    err = parse_action_body(req, &in);
    if (err != CM_ERR_OK)
        return err;
    t.id = http_req_param(req, "id");
    t.in = &in;
    err = app_run(req, "detainer_action", act_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (!t.found) {
        char audit_action[48];

        (void)snprintf(audit_action, sizeof audit_action, "detainer.%s", name);
        err = reply_not_found(req, audit_action, t.id, "not_found");
        goto out_release;
    }
    app_set_etag(req, t.version);
    err = reply_json(req, 200, t.out);
    t.out = NULL;
out_release:
    json_decref(t.out);
    return err;
}
