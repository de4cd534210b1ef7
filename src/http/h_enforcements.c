/*
 * h_enforcements.c: court enforcement cases over HTTP (API.md "Enforcement
 * cases", DESIGN.md "Enforcement case"): the scoped list, one case with its
 * court deadlines, derived `noncompliant` and civil-contempt accrual, its
 * history, and the court events recorded as actions.
 *
 * A case is created by the subpoena action `refer` (h_subpoenas.c); here
 * it moves from petition to order, compliance or contempt, purge and
 * close. Every action is one transaction: load, scope (out of scope is a
 * 404 like a missing id, audited), If-Match, the machine (403/409/422
 * with the guard's rule as the problem's field), the action's effects
 * and deadlines, a version-checked update (of two concurrent actions one
 * wins and the other gets 409), the timeline event and one audit record.
 *
 * "Today" for a case (noncompliant, accrual) is the date in the
 * respondent's time zone: the court's order binds the respondent where it
 * is. Court deadlines are counted on the federal calendar.
 *
 * Deadlines of an order (FRCP 6(a)(1) day counting, frcp6-days):
 *   compliance  compliance_days after entry (or a date the court gave);
 *   objection   14 days after service of the order (FRCP 72(a)); compel
 *               assumes service on the day of entry and says so;
 *   appeal      60 days after entry (FRAP 4(a)(1)(B): the United States
 *               is a party).
 * A denied order gets objection and appeal, no compliance deadline.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/enforcement.h"
#include "domain/perm.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/documents.h"
#include "http/h_imports.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_cases.h"

#define KIND "enforcement"

/* The longest list of kept items an order may name. */
#define ITEMS_KEPT_MAX 100

static enum cm_err h_enforcements_list(struct http_req *req);
static enum cm_err h_enforcements_get(struct http_req *req);
static enum cm_err h_enforcements_history(struct http_req *req);
static enum cm_err h_enforcements_act(struct http_req *req);

/* Every logged-in role may call these; scoping and the machine decide. */
static const struct route rows[] = {
    {"GET", "/api/v1/enforcements", h_enforcements_list, ROLE_ANY_BUT_ADMIN, 0,
     0},
    {"GET", "/api/v1/enforcements/{id}", h_enforcements_get, ROLE_ANY_BUT_ADMIN,
     0, 0},
    {"GET", "/api/v1/enforcements/{id}/history", h_enforcements_history,
     ROLE_ANY_BUT_ADMIN, 0, 0},
    /* The roles the enforcement machine gives any action to. */
    {"POST", "/api/v1/enforcements/{id}/actions/{action}", h_enforcements_act,
     ROLE_BIT(ROLE_DOJ_ATTORNEY) | ROLE_BIT(ROLE_RECIPIENT_COUNSEL) |
         ROLE_BIT(ROLE_AGENCY_COUNSEL),
     0, ROUTE_FLAG_JSON},
};

const struct route_group h_enforcements_group = ROUTE_GROUP(rows);

/* ---- helpers ------------------------------------------------------------*/

/* The store scope of the caller (store_cases.h, svc rules). */
static void
scope_of(const struct http_req *req, struct store_scope *out)
{
    const char *org = req->caller.org_id;
    role_set r = req->roles;

    memset(out, 0, sizeof *out);
    if (r & ROLE_BIT(ROLE_AUDITOR)) {
        out->all = true;
        return;
    }
    switch ((enum org_kind)req->caller.org_kind) {
    case ORG_KIND_AGENCY_OFFICE:
        if (r & (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) |
                 ROLE_BIT(ROLE_AGENCY_COUNSEL)))
            (void)snprintf(out->agency_org_id, sizeof out->agency_org_id, "%s",
                           org);
        break;
    case ORG_KIND_JURISDICTION:
        if (r & (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) |
                 ROLE_BIT(ROLE_RECIPIENT_COUNSEL)))
            (void)snprintf(out->jurisdiction_org_id,
                           sizeof out->jurisdiction_org_id, "%s", org);
        break;
    case ORG_KIND_DOJ_OFFICE:
        if (r & ROLE_BIT(ROLE_DOJ_ATTORNEY))
            (void)snprintf(out->doj_org_id, sizeof out->doj_org_id, "%s", org);
        break;
    case ORG_KIND__COUNT:
    default:
        break;
    }
}

/* True when the caller may see case `e` (perm.h). */
static bool
can_view(const struct http_req *req, const struct store_enforcement *e)
{
    struct perm_viewer v;
    struct perm_case c;
    enum enforcement_state st = ENFORCEMENT_STATE_REFERRED;

    (void)enforcement_state_parse(e->state ? e->state : "", &st);
    app_viewer(req, &v);
    memset(&c, 0, sizeof c);
    c.kind = PERM_CASE_KIND_ENFORCEMENT;
    c.state = (int)st;
    c.agency_org_id = e->agency_org_id[0] ? e->agency_org_id : NULL;
    c.recipient_org_id = e->respondent_org_id[0] ? e->respondent_org_id : NULL;
    c.doj_org_id = e->doj_org_id[0] ? e->doj_org_id : NULL;
    return perm_can_view(&v, &c);
}

/* Day number of a stored date, or -1 when absent or malformed. */
static int32_t
day_of(const char *date)
{
    int32_t d;

    if (!date || date_parse(date, &d) != CM_ERR_OK)
        return -1;
    return d;
}

/* Today, for case `e`: the date in the respondent's time zone. */
static enum store_rc
case_today(struct store *s,
           struct http_req *req,
           const struct store_enforcement *e,
           int32_t *today)
{
    struct store_org org = {0};
    enum store_rc rc = store_org_get(s, e->respondent_org_id, &org);
    int64_t now = app_now(app_of(req));

    if (rc < 0)
        return rc;
    *today = app_today_in(rc == STORE_ONE_RESULT ? org.timezone : NULL, now);
    store_org_release(&org);
    return STORE_ONE_RESULT;
}

static enum enforcement_result
result_of(const struct store_enforcement *e)
{
    enum enforcement_result r = ENFORCEMENT_RESULT_NONE;

    if (e->result)
        (void)enforcement_result_parse(e->result, &r);
    return r;
}

static enum enforcement_state
state_of(const struct store_enforcement *e)
{
    enum enforcement_state st = ENFORCEMENT_STATE_REFERRED;

    (void)enforcement_state_parse(e->state ? e->state : "", &st);
    return st;
}

/* The guard facts of `e` on day `today`. */
static void
facts_of(const struct store_enforcement *e,
         int32_t today,
         struct guard_facts *f)
{
    int32_t due = day_of(e->compliance_due);

    memset(f, 0, sizeof *f);
    f->order_result = result_of(e);
    f->past_compliance_deadline = due >= 0 && today > due;
}

static bool
is_noncompliant(const struct store_enforcement *e, int32_t today)
{
    int32_t due = day_of(e->compliance_due);

    return due >= 0 &&
           enforcement_is_noncompliant(state_of(e), result_of(e), due, today);
}

static json_t *
cents_json(int64_t v)
{
    return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* The contempt object of `e`, or null; *accrued gets the civil accrual
 * (or null). */
static json_t *
contempt_json(const struct store_enforcement *e,
              int32_t today,
              json_t **accrued)
{
    enum enforcement_contempt_kind k;
    int64_t cents = 0;

    *accrued = json_null();
    if (!e->contempt_kind ||
        !enforcement_contempt_kind_parse(e->contempt_kind, &k))
        return json_null();
    if (k == ENFORCEMENT_CONTEMPT_KIND_CIVIL &&
        enforcement_accrued_cents(k, e->per_day_cents, 0, day_of(e->starts_on),
                                  day_of(e->purged_on), today,
                                  &cents) == CM_ERR_OK) {
        json_decref(*accrued);
        *accrued = json_integer((json_int_t)cents);
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "kind", e->contempt_kind,
                     "per_day_cents", cents_json(e->per_day_cents),
                     "fixed_cents", cents_json(e->fixed_cents), "starts_on",
                     app_json_str(e->starts_on), "purged_on",
                     app_json_str(e->purged_on));
}

static json_t *
items_kept_json(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;

    if (v && json_is_array(v))
        return v;
    json_decref(v);
    return json_null();
}

/* The case as the API shows it to the caller of `req`, on day `today`.
 * A new reference, or NULL on a store error. */
static json_t *
enforcement_json(struct store *s,
                 struct http_req *req,
                 const struct store_enforcement *e,
                 int32_t today)
{
    struct guard_facts f;
    json_t *deadlines = cases_deadlines_json(s, KIND, e->id);
    json_t *docs = documents_case_json(s, KIND, e->id);
    json_t *accrued = NULL;
    json_t *contempt;
    json_t *o;

    if (!deadlines || !docs) {
        json_decref(deadlines);
        json_decref(docs);
        return NULL;
    }
    facts_of(e, today, &f);
    contempt = contempt_json(e, today, &accrued);
    o = json_pack(
        "{s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o,"
        " s:o, s:o, s:o}",
        "id", e->id, "number", e->number, "version", (json_int_t)e->version,
        "created_at", app_json_time(e->created_at), "updated_at",
        app_json_time(e->updated_at), "state", e->state ? e->state : "",
        "subpoena_id", e->subpoena_id, "agency_org_id", e->agency_org_id,
        "respondent_org_id", e->respondent_org_id, "doj_org_id",
        app_json_str(e->doj_org_id), "court", app_json_str(e->court),
        "district", app_json_str(e->district), "docket_number",
        app_json_str(e->docket_number), "filed_on", app_json_str(e->filed_on),
        "hearing_on", app_json_str(e->hearing_on), "response_due",
        app_json_str(e->response_due));
    (void)json_object_set_new(o, "result", app_json_str(e->result));
    (void)json_object_set_new(o, "entered_on", app_json_str(e->entered_on));
    (void)json_object_set_new(o, "items_kept", items_kept_json(e->items_kept));
    (void)json_object_set_new(o, "compliance_due",
                              app_json_str(e->compliance_due));
    (void)json_object_set_new(o, "noncompliant",
                              json_boolean(is_noncompliant(e, today)));
    (void)json_object_set_new(o, "contempt", contempt);
    (void)json_object_set_new(o, "accrued_cents", accrued);
    (void)json_object_set_new(o, "closed_reason",
                              app_json_str(e->closed_reason));
    (void)json_object_set_new(o, "closed_at", app_json_time(e->closed_at));
    (void)json_object_set_new(o, "deadlines", deadlines);
    (void)json_object_set_new(o, "documents", docs);
    (void)json_object_set_new(o, "allowed_actions",
                              cases_allowed_json(&enforcement_machine,
                                                 (int)state_of(e), req->roles,
                                                 &f));
    return o;
}

/* Audit a refused request on case `id` in a transaction of its own. */
static void
audit_refusal(struct http_req *req,
              const char *action,
              const char *id,
              enum cm_err err)
{
    const char *outcome = "failed";

    if (err == CM_ERR_NOT_FOUND)
        outcome = "not_found";
    else if (err == CM_ERR_FORBIDDEN)
        outcome = "denied";
    app_audit_alone(req, NULL, action, KIND, id, outcome, cm_err_code(err));
}

/* Load case `id` visible to the caller, or app_fail NOT_FOUND (the same
 * answer for a missing id and one out of scope). */
static enum store_rc
load_visible(struct store *s,
             struct app_tx *tx,
             const char *id,
             struct store_enforcement *out)
{
    struct store_enforcement e = {0};
    enum store_rc rc = store_enforcement_get(s, id, &e);

    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || !can_view(tx->req, &e)) {
        store_enforcement_release(&e);
        return app_fail(tx, CM_ERR_NOT_FOUND, NULL,
                        "no enforcement case with this id");
    }
    *out = e;
    return STORE_ONE_RESULT;
}

/* ---- GET one and its history ---------------------------------------------*/

struct get_tx {
    struct app_tx base;
    const char *id;
    bool history;
    json_t *out;
    int64_t version;
};

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    struct store_enforcement e = {0};
    int32_t today = 0;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    rc = load_visible(s, &t->base, t->id, &e);
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (t->history) {
        t->out = cases_history_json(s, KIND, e.id);
    } else {
        rc = case_today(s, t->base.req, &e, &today);
        if (rc < 0)
            goto out_release;
        t->out = enforcement_json(s, t->base.req, &e, today);
    }
    rc = t->out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
    t->version = e.version;
out_release:
    store_enforcement_release(&e);
    return rc;
}

static enum cm_err
get_common(struct http_req *req, bool history)
{
    struct get_tx t = {.id = http_req_param(req, "id"), .history = history};
    enum cm_err err = app_run_read(req, "enforcement.get", get_tx, &t.base);

    if (err != CM_ERR_OK) {
        json_decref(t.out);
        if (err == CM_ERR_NOT_FOUND)
            audit_refusal(req,
                          history ? "enforcement.history" : "enforcement.read",
                          t.id, err);
        return err;
    }
    if (!history)
        app_set_etag(req, t.version);
    return reply_json(req, 200, t.out);
}

static enum cm_err
h_enforcements_get(struct http_req *req)
{
    return get_common(req, false);
}

static enum cm_err
h_enforcements_history(struct http_req *req)
{
    return get_common(req, true);
}

/* ---- the list -------------------------------------------------------------*/

/* A copy of a listed row (the callback's row is borrowed). */
static char *
dup_or_null(const char *s)
{
    return s ? cm_strdup(s) : NULL;
}

static void
enforcement_copy(struct store_enforcement *dst,
                 const struct store_enforcement *src)
{
    *dst = *src;
    dst->state = dup_or_null(src->state);
    dst->court = dup_or_null(src->court);
    dst->district = dup_or_null(src->district);
    dst->docket_number = dup_or_null(src->docket_number);
    dst->filed_on = dup_or_null(src->filed_on);
    dst->hearing_on = dup_or_null(src->hearing_on);
    dst->response_due = dup_or_null(src->response_due);
    dst->result = dup_or_null(src->result);
    dst->entered_on = dup_or_null(src->entered_on);
    dst->compliance_due = dup_or_null(src->compliance_due);
    dst->items_kept = dup_or_null(src->items_kept);
    dst->contempt_kind = dup_or_null(src->contempt_kind);
    dst->starts_on = dup_or_null(src->starts_on);
    dst->purged_on = dup_or_null(src->purged_on);
    dst->closed_reason = dup_or_null(src->closed_reason);
}

struct rows {
    struct store_enforcement *v;
    size_t n;
    size_t cap;
};

static void
rows_cb(void *cls, const struct store_enforcement *e)
{
    struct rows *r = cls;

    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = cm_realloc(r->v, r->cap * sizeof *r->v);
    }
    enforcement_copy(&r->v[r->n++], e);
}

static void
rows_release(struct rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        store_enforcement_release(&r->v[i]);
    cm_free(r->v);
    memset(r, 0, sizeof *r);
}

struct list_tx {
    struct app_tx base;
    struct store_scope scope;
    struct store_case_filter filter;
    struct store_cursor after;
    bool has_after;
    int limit;
    json_t *out;
};

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    struct rows r = {0};
    json_t *items = json_array();
    json_t *next = json_null();
    char last_org[STORE_ID_SIZE] = "";
    int32_t today = 0;
    enum store_rc rc = STORE_ONE_RESULT;
    int n;

    json_decref(t->out);
    t->out = NULL;
    /* One more than asked says whether there is a next page. */
    n = store_enforcement_list(s, &t->scope, &t->filter,
                               t->has_after ? &t->after : NULL, t->limit + 1,
                               rows_cb, &r);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_release;
    }
    for (size_t i = 0; i < r.n && i < (size_t)t->limit; i++) {
        json_t *o;

        if (strcmp(last_org, r.v[i].respondent_org_id) != 0) {
            rc = case_today(s, t->base.req, &r.v[i], &today);
            if (rc < 0)
                goto out_release;
            (void)snprintf(last_org, sizeof last_org, "%s",
                           r.v[i].respondent_org_id);
        }
        o = enforcement_json(s, t->base.req, &r.v[i], today);
        if (!o) {
            rc = STORE_HARD_ERROR;
            goto out_release;
        }
        (void)json_array_append_new(items, o);
    }
    if (r.n > (size_t)t->limit) {
        const struct store_enforcement *last = &r.v[t->limit - 1];
        char cur[64];

        (void)snprintf(cur, sizeof cur, "%" PRId64 ".%s", last->created_at,
                       last->id);
        json_decref(next);
        next = json_string(cur);
    }
    t->out = json_pack("{s:O, s:O}", "items", items, "next_cursor", next);
    rc = STORE_ONE_RESULT;
out_release:
    json_decref(items);
    json_decref(next);
    rows_release(&r);
    return rc;
}

/* Parse a cursor "<created_at_us>.<id>"; false when malformed. */
static bool
parse_cursor(const char *c, struct store_cursor *out)
{
    char *end = NULL;
    long long at;
    size_t n;

    if (!c || *c < '0' || *c > '9')
        return false;
    at = strtoll(c, &end, 10);
    if (!end || *end != '.' || at < 0)
        return false;
    end++;
    n = strlen(end);
    if (n != CM_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = end[i];

        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
            return false;
    }
    *out = store_cursor_after((int64_t)at, end);
    return true;
}

/* True when `s` is one state name or several joined by commas. */
static bool
is_state_list(const char *s)
{
    char one[64];

    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        enum enforcement_state st;

        if (n == 0 || n >= sizeof one)
            return false;
        memcpy(one, s, n);
        one[n] = '\0';
        if (!enforcement_state_parse(one, &st))
            return false;
        s += n;
        if (comma) {
            s++;
            if (!*s)
                return false;
        }
    }
    return true;
}

static enum cm_err
h_enforcements_list(struct http_req *req)
{
    struct list_tx t;
    const char *cursor = NULL;
    const char *state = http_req_query(req, "state");
    const char *recipient = http_req_query(req, "recipient_org_id");
    const char *respondent = http_req_query(req, "respondent_org_id");
    const char *number = http_req_query(req, "number");
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
    if (state && !is_state_list(state))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "state",
                           "state must be enforcement states separated by "
                           "commas");
    if (!recipient)
        recipient = respondent;
    else if (respondent && strcmp(respondent, recipient) != 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "respondent_org_id",
                           "respondent_org_id and recipient_org_id name the "
                           "same filter; give one");
    if (recipient && strlen(recipient) != CM_ID_LEN)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "recipient_org_id",
                           "recipient_org_id must be an organization id");
    scope_of(req, &t.scope);
    t.filter.state = state;
    t.filter.recipient_org_id = recipient;
    t.filter.number = number;
    if (h_imports_wants_csv(req))
        return h_imports_export_csv(req, BULK_EXPORT_KIND_ENFORCEMENTS,
                                    &t.scope, &t.filter);
    err = app_run_read(req, "enforcement.list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        return err;
    }
    return reply_json(req, 200, t.out);
}

/* ---- actions
 * ----------------------------------------------------------------*/

static const char *const result_names[] = {"enforced", "enforced_in_part",
                                           "denied", NULL};
static const char *const kind_names[] = {"civil", "criminal", NULL};

/* What an action's body said (unused fields stay NULL / -1). */
struct act_input {
    const char *court;
    const char *district;
    const char *docket_number;
    const char *filed_on;
    const char *hearing_on;
    const char *response_due;
    int result; /* index in result_names, -1 none */
    const char *entered_on;
    long long compliance_days; /* -1 none */
    const char *compliance_due;
    /* enter_order: the id of a court_order document of the case */
    const char *order_document_id;
    json_t *items_kept; /* borrowed from the body, or NULL */
    int kind;           /* index in kind_names, -1 none */
    long long per_day_cents;
    long long fixed_cents;
    const char *starts_on;
    const char *purged_on;
    const char *reason;
};

/* Fields the server sets: a client sending them gets forbidden_field. */
#define FORBID_SERVER_FIELDS                                            \
    JSPEC_FORBID("id"), JSPEC_FORBID("state"), JSPEC_FORBID("version"), \
        JSPEC_FORBID("number"), JSPEC_FORBID("created_at"),             \
        JSPEC_FORBID("updated_at"), JSPEC_FORBID("noncompliant"),       \
        JSPEC_FORBID("accrued_cents"), JSPEC_FORBID("subpoena_id")

/* Parse the body of `action` into `in`; replies the 400 itself. */
static enum cm_err
parse_input(struct http_req *req,
            enum enforcement_action action,
            struct act_input *in)
{
    json_t *body = NULL;
    enum cm_err err = CM_ERR_OK;

    memset(in, 0, sizeof *in);
    in->result = -1;
    in->compliance_days = -1;
    in->kind = -1;
    in->per_day_cents = -1;
    in->fixed_cents = -1;
    switch (action) {
    case ENFORCEMENT_ACTION_FILE_PETITION: {
        struct jspec spec[] = {
            JSPEC_STR_MAX("court", &in->court, 200, JSPEC_REQUIRED),
            JSPEC_STR_MAX("district", &in->district, 200, JSPEC_REQUIRED),
            JSPEC_STR_MAX("docket_number", &in->docket_number, 64,
                          JSPEC_REQUIRED),
            JSPEC_DATE("filed_on", &in->filed_on, JSPEC_REQUIRED),
            FORBID_SERVER_FIELDS,
            JSPEC_END};

        return body_parse(req, spec);
    }
    case ENFORCEMENT_ACTION_ISSUE_SHOW_CAUSE: {
        struct jspec spec[] = {
            JSPEC_DATE("hearing_on", &in->hearing_on, JSPEC_REQUIRED),
            JSPEC_DATE("response_due", &in->response_due, JSPEC_REQUIRED),
            FORBID_SERVER_FIELDS, JSPEC_END};

        return body_parse(req, spec);
    }
    case ENFORCEMENT_ACTION_ENTER_ORDER: {
        struct jspec spec[] = {
            JSPEC_ENUM("result", &in->result, result_names, JSPEC_REQUIRED),
            JSPEC_DATE("entered_on", &in->entered_on, JSPEC_REQUIRED),
            JSPEC_INT("compliance_days", &in->compliance_days, 1, 365,
                      JSPEC_OPTIONAL),
            JSPEC_DATE("compliance_due", &in->compliance_due, JSPEC_OPTIONAL),
            JSPEC_STR_MAX("order_document_id", &in->order_document_id, 64,
                          JSPEC_OPTIONAL),
            {.name = "items_kept",
             .type = JSPEC_TYPE_ANY,
             .presence = JSPEC_OPTIONAL},
            FORBID_SERVER_FIELDS,
            JSPEC_END};

        err = body_parse(req, spec);
        if (err != CM_ERR_OK)
            return err;
        (void)body_json(req, &body);
        in->items_kept = json_object_get(body, "items_kept");
        if (json_is_null(in->items_kept))
            in->items_kept = NULL;
        return CM_ERR_OK;
    }
    case ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT: {
        struct jspec spec[] = {
            JSPEC_ENUM("kind", &in->kind, kind_names, JSPEC_REQUIRED),
            JSPEC_INT("per_day_cents", &in->per_day_cents, 0, 100000000000LL,
                      JSPEC_OPTIONAL),
            JSPEC_INT("fixed_cents", &in->fixed_cents, 0, 100000000000LL,
                      JSPEC_OPTIONAL),
            JSPEC_DATE("starts_on", &in->starts_on, JSPEC_REQUIRED),
            FORBID_SERVER_FIELDS,
            JSPEC_END};

        return body_parse(req, spec);
    }
    case ENFORCEMENT_ACTION_PURGE: {
        struct jspec spec[] = {
            JSPEC_DATE("purged_on", &in->purged_on, JSPEC_REQUIRED),
            FORBID_SERVER_FIELDS, JSPEC_END};

        return body_parse(req, spec);
    }
    case ENFORCEMENT_ACTION_DISMISS:
    case ENFORCEMENT_ACTION_SETTLE:
    case ENFORCEMENT_ACTION_CLOSE: {
        struct jspec spec[] = {
            JSPEC_STR_MAX("reason", &in->reason, 1000, JSPEC_OPTIONAL),
            FORBID_SERVER_FIELDS, JSPEC_END};

        if (req->body.len == 0)
            return CM_ERR_OK;
        return body_parse(req, spec);
    }
    case ENFORCEMENT_ACTION_COMPLY:
    case ENFORCEMENT_ACTION_MOVE_CONTEMPT:
    case ENFORCEMENT_ACTION__COUNT:
    default: {
        struct jspec spec[] = {FORBID_SERVER_FIELDS, JSPEC_END};

        if (req->body.len == 0)
            return CM_ERR_OK;
        return body_parse(req, spec);
    }
    }
}

/* Checks of a body that need no store: replies the 400 itself. */
static enum cm_err
check_input(struct http_req *req,
            enum enforcement_action action,
            const struct act_input *in)
{
    if (action == ENFORCEMENT_ACTION_ISSUE_SHOW_CAUSE &&
        strcmp(in->response_due, in->hearing_on) > 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "response_due",
                           "the response is due on or before the hearing");
    if (action == ENFORCEMENT_ACTION_ENTER_ORDER) {
        bool denied = in->result == 2;

        if (denied && in->compliance_days >= 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "compliance_days",
                               "a denied order has no compliance deadline");
        if (denied && in->compliance_due)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "compliance_due",
                               "a denied order has no compliance deadline");
        if (!denied && in->compliance_days < 0 && !in->compliance_due)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "compliance_days",
                               "give compliance_days or compliance_due");
        if (in->compliance_days >= 0 && in->compliance_due)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "compliance_due",
                               "give compliance_days or compliance_due, "
                               "not both");
        if (in->compliance_due &&
            strcmp(in->compliance_due, in->entered_on) < 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "compliance_due",
                               "compliance cannot be due before the order "
                               "was entered");
        if (in->result == 1 && !in->items_kept)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "items_kept",
                               "an order enforced in part names the items "
                               "it keeps");
        if (in->result != 1 && in->items_kept)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "items_kept",
                               "only an order enforced in part keeps items");
        if (in->items_kept) {
            size_t n = json_array_size(in->items_kept);

            if (!json_is_array(in->items_kept) || n == 0 || n > ITEMS_KEPT_MAX)
                return reply_error(req, CM_ERR_VALIDATION_FAILED, "items_kept",
                                   "must be an array of 1 to 100 item ids");
            for (size_t i = 0; i < n; i++) {
                json_t *v = json_array_get(in->items_kept, i);

                if (!json_is_string(v) || json_string_length(v) != CM_ID_LEN) {
                    char f[32];

                    (void)snprintf(f, sizeof f, "items_kept[%zu]", i);
                    return reply_error(req, CM_ERR_VALIDATION_FAILED, f,
                                       "must be the id of an item of the "
                                       "subpoena");
                }
            }
        }
    }
    if (action == ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT) {
        bool civil = in->kind == 0;

        if (civil && in->per_day_cents <= 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "per_day_cents",
                               "civil contempt needs a per-day amount above "
                               "zero");
        if (civil && in->fixed_cents >= 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "fixed_cents",
                               "civil contempt accrues per day; a fixed "
                               "amount is criminal contempt");
        if (!civil && in->fixed_cents <= 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "fixed_cents",
                               "criminal contempt needs a fixed amount above "
                               "zero");
        if (!civil && in->per_day_cents >= 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "per_day_cents",
                               "criminal contempt is a fixed amount; a "
                               "per-day amount is civil contempt");
    }
    return CM_ERR_OK;
}

struct act_tx {
    struct app_tx base;
    const char *id;
    enum enforcement_action action;
    const struct act_input *in;
    int64_t if_match; /* -1: none */
    json_t *out;
    int64_t version;
};

static void
set_str(char **field, const char *v)
{
    cm_free(*field);
    *field = v ? cm_strdup(v) : NULL;
}

/* Store an order's deadlines and note them in `details` and `changes`. */
static enum store_rc
order_deadlines(struct store *s,
                struct act_tx *t,
                struct store_enforcement *e,
                json_t *details,
                struct buf *changes)
{
    const struct act_input *in = t->in;
    int64_t now = app_now(app_of(t->base.req));
    char trigger[200];
    char due_text[DATE_STR_SIZE];
    int32_t entered = day_of(in->entered_on);
    int32_t due = 0;
    enum store_rc rc;

    if (in->result != 2) {
        if (in->compliance_days >= 0) {
            (void)snprintf(trigger, sizeof trigger,
                           "order entered %s: comply within %lld days",
                           in->entered_on, in->compliance_days);
            rc = cases_deadline_days(
                s, &t->base, KIND, e->id, "compliance", NULL, "frcp6-days",
                entered, (int64_t)in->compliance_days, DEADLINE_DIRECTION_AFTER,
                trigger, "compliance_days", &due);
            if (rc < 0)
                return rc;
            date_format(due, due_text);
        } else {
            (void)snprintf(trigger, sizeof trigger,
                           "order entered %s: comply by the date the court "
                           "set",
                           in->entered_on);
            rc = cases_deadline_fixed(s, KIND, e->id, "compliance",
                                      in->compliance_due, trigger, now);
            if (rc < 0)
                return rc;
            (void)snprintf(due_text, sizeof due_text, "%s", in->compliance_due);
        }
        set_str(&e->compliance_due, due_text);
        (void)json_object_set_new(details, "compliance_due",
                                  json_string(due_text));
        buf_addf(changes, " compliance=%s", due_text);
    } else {
        rc = store_deadline_delete(s, KIND, e->id, "compliance");
        if (rc < 0)
            return rc;
        set_str(&e->compliance_due, NULL);
    }
    (void)snprintf(trigger, sizeof trigger,
                   "order entered %s; compel assumes the order was served "
                   "the day it was entered (FRCP 72(a): objections within "
                   "14 days after service)",
                   in->entered_on);
    rc = cases_deadline_days(
        s, &t->base, KIND, e->id, "objection", NULL, "frcp6-days", entered, 14,
        DEADLINE_DIRECTION_AFTER, trigger, "entered_on", &due);
    if (rc < 0)
        return rc;
    date_format(due, due_text);
    (void)json_object_set_new(details, "objection_due", json_string(due_text));
    buf_addf(changes, " objection=%s", due_text);
    (void)snprintf(trigger, sizeof trigger,
                   "order entered %s (FRAP 4(a)(1)(B): notice of appeal "
                   "within 60 days after entry; the United States is a "
                   "party)",
                   in->entered_on);
    rc = cases_deadline_days(
        s, &t->base, KIND, e->id, "appeal", NULL, "frcp6-days", entered, 60,
        DEADLINE_DIRECTION_AFTER, trigger, "entered_on", &due);
    if (rc < 0)
        return rc;
    date_format(due, due_text);
    (void)json_object_set_new(details, "appeal_due", json_string(due_text));
    buf_addf(changes, " appeal=%s", due_text);
    return STORE_ONE_RESULT;
}

/* Check items_kept against the subpoena's items and store them as JSON. */
static enum store_rc
order_items(struct store *s, struct act_tx *t, struct store_enforcement *e)
{
    struct store_subpoena sp = {0};
    json_t *kept = t->in->items_kept;
    enum store_rc rc;
    char *text;

    if (!kept) {
        set_str(&e->items_kept, NULL);
        return STORE_ONE_RESULT;
    }
    rc = store_subpoena_get(s, e->subpoena_id, &sp);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    for (size_t i = 0; i < json_array_size(kept); i++) {
        const char *want = json_string_value(json_array_get(kept, i));
        bool found = false;

        for (size_t j = 0; j < sp.n_items && !found; j++)
            found = strcmp(sp.items[j].id, want) == 0;
        for (size_t j = 0; j < i && found; j++)
            found =
                strcmp(json_string_value(json_array_get(kept, j)), want) != 0;
        if (!found) {
            rc = app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "items_kept",
                          "items_kept[%zu] is not an item of the subpoena, "
                          "or is named twice",
                          i);
            goto out_release;
        }
    }
    text = json_dumps(kept, JSON_COMPACT);
    set_str(&e->items_kept, text);
    free(text);
    rc = STORE_ONE_RESULT;
out_release:
    store_subpoena_release(&sp);
    return rc;
}

/* The effects of the action on `e` beyond its state. */
static enum store_rc
apply_effects(struct store *s,
              struct act_tx *t,
              struct store_enforcement *e,
              int32_t today,
              json_t *details,
              struct buf *changes)
{
    const struct act_input *in = t->in;
    int64_t now = app_now(app_of(t->base.req));
    char trigger[200];
    enum store_rc rc;

    switch (t->action) {
    case ENFORCEMENT_ACTION_FILE_PETITION:
        if (day_of(in->filed_on) > today)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "filed_on",
                            "a petition cannot be filed in the future");
        set_str(&e->court, in->court);
        set_str(&e->district, in->district);
        set_str(&e->docket_number, in->docket_number);
        set_str(&e->filed_on, in->filed_on);
        (void)json_object_set_new(details, "docket_number",
                                  json_string(in->docket_number));
        (void)json_object_set_new(details, "filed_on",
                                  json_string(in->filed_on));
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_ISSUE_SHOW_CAUSE:
        if (e->filed_on && strcmp(in->response_due, e->filed_on) < 0)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "response_due",
                            "the response cannot be due before the petition "
                            "was filed (%s)",
                            e->filed_on);
        set_str(&e->hearing_on, in->hearing_on);
        set_str(&e->response_due, in->response_due);
        (void)snprintf(trigger, sizeof trigger,
                       "order to show cause in %s: response due",
                       e->docket_number ? e->docket_number : "the case");
        rc = cases_deadline_fixed(s, KIND, e->id, "show_cause_response",
                                  in->response_due, trigger, now);
        if (rc < 0)
            return rc;
        (void)snprintf(trigger, sizeof trigger,
                       "order to show cause in %s: hearing",
                       e->docket_number ? e->docket_number : "the case");
        rc = cases_deadline_fixed(s, KIND, e->id, "show_cause_hearing",
                                  in->hearing_on, trigger, now);
        if (rc < 0)
            return rc;
        (void)json_object_set_new(details, "hearing_on",
                                  json_string(in->hearing_on));
        (void)json_object_set_new(details, "response_due",
                                  json_string(in->response_due));
        buf_addf(changes, " show_cause_response=%s show_cause_hearing=%s",
                 in->response_due, in->hearing_on);
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_ENTER_ORDER:
        if (e->filed_on && strcmp(in->entered_on, e->filed_on) < 0)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "entered_on",
                            "the order cannot precede the petition (filed "
                            "%s)",
                            e->filed_on);
        if (day_of(in->entered_on) > today)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "entered_on",
                            "an order cannot be entered in the future");
        rc = order_items(s, t, e);
        if (rc < 0)
            return rc;
        /* The order itself, uploaded to this case, must be on file
         * (checked once the body's own fields are known good). */
        rc = documents_find_required(s, in->order_document_id, "court_order",
                                     KIND, e->id);
        if (rc < 0)
            return rc;
        if (rc == STORE_NO_RESULTS)
            return app_fail(&t->base, CM_ERR_GUARD_FAILED,
                            "court_order_required",
                            "upload the court's order to this enforcement "
                            "case (kind court_order) and give its id as "
                            "order_document_id");
        (void)json_object_set_new(details, "order_document_id",
                                  json_string(in->order_document_id));
        if (e->entered_on) {
            /* An amended order: its trigger date may move, and every
             * deadline counted from it is recomputed below; the audit
             * record lists the old and new dates. */
            (void)json_object_set_new(details, "amends_order_of",
                                      json_string(e->entered_on));
            buf_addf(changes, " amended_from=%s", e->entered_on);
        }
        set_str(&e->result, result_names[in->result]);
        set_str(&e->entered_on, in->entered_on);
        (void)json_object_set_new(details, "result",
                                  json_string(result_names[in->result]));
        (void)json_object_set_new(details, "entered_on",
                                  json_string(in->entered_on));
        return order_deadlines(s, t, e, details, changes);
    case ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT:
        if (e->entered_on && strcmp(in->starts_on, e->entered_on) < 0)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "starts_on",
                            "contempt cannot start before the order was "
                            "entered (%s)",
                            e->entered_on);
        set_str(&e->contempt_kind, kind_names[in->kind]);
        e->per_day_cents = in->per_day_cents;
        e->fixed_cents = in->fixed_cents;
        set_str(&e->starts_on, in->starts_on);
        set_str(&e->purged_on, NULL);
        (void)json_object_set_new(details, "kind",
                                  json_string(kind_names[in->kind]));
        (void)json_object_set_new(details, "starts_on",
                                  json_string(in->starts_on));
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_PURGE:
        if (e->starts_on && strcmp(in->purged_on, e->starts_on) < 0)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "purged_on",
                            "the purge must be on or after the day contempt "
                            "started (%s)",
                            e->starts_on);
        set_str(&e->purged_on, in->purged_on);
        (void)json_object_set_new(details, "purged_on",
                                  json_string(in->purged_on));
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_DISMISS:
    case ENFORCEMENT_ACTION_SETTLE:
        if (in->reason)
            set_str(&e->closed_reason, in->reason);
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_CLOSE:
        if (in->reason)
            set_str(&e->closed_reason, in->reason);
        e->closed_at = now;
        return STORE_ONE_RESULT;
    case ENFORCEMENT_ACTION_COMPLY:
    case ENFORCEMENT_ACTION_MOVE_CONTEMPT:
    case ENFORCEMENT_ACTION__COUNT:
    default:
        return STORE_ONE_RESULT;
    }
}

/* Run the machine; app_fail with the API's answer when it refuses. */
static enum store_rc
check_machine(struct act_tx *t,
              const struct store_enforcement *e,
              int32_t today,
              int *to)
{
    struct guard_facts f;
    enum guard g = GUARD_NONE;
    enum cm_err err;

    facts_of(e, today, &f);
    err = machine_apply(&enforcement_machine, (int)state_of(e), (int)t->action,
                        t->base.req->roles, NULL, &f, to, &g);
    switch (err) {
    case CM_ERR_OK:
        return STORE_ONE_RESULT;
    case CM_ERR_FORBIDDEN:
        return app_fail(&t->base, err, NULL, "your role may not %s this case",
                        enforcement_action_name(t->action));
    case CM_ERR_STATE_CONFLICT:
        return app_fail(&t->base, err, NULL,
                        "%s is not allowed while the case is %s",
                        enforcement_action_name(t->action), e->state);
    case CM_ERR_GUARD_FAILED:
        return app_fail(&t->base, err, machine_guard_code(g),
                        "the rule %s does not allow %s now",
                        machine_guard_code(g),
                        enforcement_action_name(t->action));
    default:
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "action",
                        "no such action");
    }
}

static enum store_rc
act_tx(struct store *s, void *ctx)
{
    struct act_tx *t = ctx;
    struct store_enforcement e = {0};
    struct buf changes = BUF_INIT;
    json_t *details = json_object();
    char audit_action[64];
    int32_t today = 0;
    int to = 0;
    enum store_rc rc;

    json_decref(t->out);
    t->out = NULL;
    rc = load_visible(s, &t->base, t->id, &e);
    if (rc != STORE_ONE_RESULT)
        goto out_details;
    if (t->if_match >= 0 && t->if_match != e.version) {
        rc = app_fail(&t->base, CM_ERR_PRECONDITION_FAILED, "If-Match",
                      "the case is at version %" PRId64 "; read it again",
                      e.version);
        goto out_release;
    }
    rc = case_today(s, t->base.req, &e, &today);
    if (rc < 0)
        goto out_release;
    rc = check_machine(t, &e, today, &to);
    if (rc < 0)
        goto out_release;
    rc = apply_effects(s, t, &e, today, details, &changes);
    if (rc < 0)
        goto out_release;
    (void)json_object_set_new(details, "from", json_string(e.state));
    set_str(&e.state, enforcement_state_name((enum enforcement_state)to));
    (void)json_object_set_new(details, "to", json_string(e.state));
    e.updated_at = app_now(app_of(t->base.req));
    rc = store_enforcement_update(s, &e);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the case changed meanwhile; read it again");
    if (rc < 0)
        goto out_release;
    e.version++;
    rc = cases_event(s, t->base.req, KIND, e.id,
                     enforcement_action_name(t->action), json_incref(details));
    if (rc < 0)
        goto out_release;
    (void)snprintf(audit_action, sizeof audit_action, "enforcement.%s",
                   enforcement_action_name(t->action));
    buf_addf(&changes, "%sstate=%s", changes.len ? " " : "", e.state);
    rc = app_audit(s, t->base.req, audit_action, KIND, e.id, "ok",
                   buf_str(&changes));
    if (rc < 0)
        goto out_release;
    t->out = enforcement_json(s, t->base.req, &e, today);
    t->version = e.version;
    rc = t->out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
out_release:
    store_enforcement_release(&e);
out_details:
    buf_release(&changes);
    json_decref(details);
    return rc;
}

static enum cm_err
h_enforcements_act(struct http_req *req)
{
    struct act_tx t;
    struct act_input in;
    const char *name = http_req_param(req, "action");
    enum enforcement_action action;
    char audit_action[64];
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.id = http_req_param(req, "id");
    if (!name || !enforcement_action_parse(name, &action))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "action",
                           "no such action on an enforcement case");
    err = parse_input(req, action, &in);
    if (err == CM_ERR_OK)
        err = check_input(req, action, &in);
    if (err == CM_ERR_OK)
        err = app_if_match(req, &t.if_match);
    if (err != CM_ERR_OK)
        return err;
    t.action = action;
    t.in = &in;
    err = app_run(req, "enforcement.act", act_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.out);
        (void)snprintf(audit_action, sizeof audit_action, "enforcement.%s",
                       name);
        audit_refusal(req, audit_action, t.id, err);
        return err;
    }
    app_set_etag(req, t.version);
    return reply_json(req, 200, t.out);
}
