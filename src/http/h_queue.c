/*
 * h_queue.c: GET /api/v1/queue, what the caller should do next.
 *
 * The queue is built from the caller's roles, each looking at the cases
 * its organization may see (the lists are scoped in SQL, so nothing from
 * another organization is ever read):
 *
 *   signer            subpoenas ready_to_sign of the office       sign
 *   agency_counsel    in_review subpoenas                         review
 *                     responded with a deficient disposition,
 *                     and served ones past their return date      refer
 *   officer           drafts (returned ones included)             submit
 *                     signed but not served                       serve
 *   custodian,        served subpoenas awaiting a response        respond
 *   recipient_counsel enforcement orders with a compliance date   comply
 *   booking           detainers lodged                            acknowledge
 *                     acknowledged                                decide
 *                     honored, with the hold's end                release
 *   doj_attorney      referred cases without a petition           file_petition
 *                     petition filed or show cause issued         enter_order
 *                     orders past compliance                      move_contempt
 *                     orders awaiting compliance await_compliance contempt
 * motions                            hold_in_contempt complied, purged,
 * dismissed, settled        close
 *
 * plus every deadline of a visible case due within the next 7 days (task
 * "deadline:<kind>", with its explanation). Items come overdue first, then
 * by due date, then the ones without a date. Auditors and admins act on
 * no case: their queue is empty. "Today" is the date in the caller's
 * organization's time zone. `due` is a date, except for a detainer hold,
 * whose end is an instant (RFC 3339, UTC): hold clocks run in hours.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/enforcement.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_cases.h"

/* How far ahead deadlines are listed, in days. */
#define QUEUE_DEADLINE_DAYS 7
/* Most rows read from one list. */
#define QUEUE_LIST_MAX 500

static enum cm_err h_queue_get(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/queue", h_queue_get, ROLE_ANY, 0, 0},
};

const struct route_group h_queue_group = ROUTE_GROUP(rows);

#define AGENCY_ROLES                                  \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL))
#define JURISDICTION_ROLES                               \
    (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

struct queue {
    struct http_req *req;
    json_t *items;
    /* What the queue holds, for has_item without a walk of the items
     * (quadratic with a thousand of them): "id task" and "id date" of each
     * item, as keys of two JSON objects (hash tables). */
    json_t *tasks;
    json_t *dues;
    int32_t today;
    char today_text[DATE_STR_SIZE];
    int64_t now;
    const char *task; /* the task of the list being read */
};

/* The caller's acting scope: its own organization for the roles that act
 * on cases (an auditor's "see everything" is not a to-do list). */
static void
acting_scope(const struct http_req *req, struct store_scope *out)
{
    const char *org = req->caller.org_id;

    memset(out, 0, sizeof *out);
    switch ((enum org_kind)req->caller.org_kind) {
    case ORG_KIND_AGENCY_OFFICE:
        if (req->roles & AGENCY_ROLES)
            (void)snprintf(out->agency_org_id, sizeof out->agency_org_id, "%s",
                           org);
        break;
    case ORG_KIND_JURISDICTION:
        if (req->roles & JURISDICTION_ROLES)
            (void)snprintf(out->jurisdiction_org_id,
                           sizeof out->jurisdiction_org_id, "%s", org);
        break;
    case ORG_KIND_DOJ_OFFICE:
        if (req->roles & ROLE_BIT(ROLE_DOJ_ATTORNEY))
            (void)snprintf(out->doj_org_id, sizeof out->doj_org_id, "%s", org);
        break;
    case ORG_KIND__COUNT:
    default:
        break;
    }
}

/* "a b" into `out` (a key of q->tasks or q->dues), cut at its size. */
static void
pair_key(char out[160], const char *a, const char *b, size_t b_len)
{
    (void)snprintf(out, 160, "%s %.*s", a, (int)b_len, b);
}

/* True when the queue already holds an item for case `id` with `task`,
 * or (when `due` is not NULL) one for it due the same day. */
static bool
has_item(const struct queue *q,
         const char *id,
         const char *task,
         const char *due)
{
    char key[160];

    pair_key(key, id, task, strlen(task));
    if (json_object_get(q->tasks, key))
        return true;
    if (!due)
        return false;
    pair_key(key, id, due, strnlen(due, 10));
    return json_object_get(q->dues, key) != NULL;
}

static void
add_item(struct queue *q,
         const char *kind,
         const char *id,
         const char *number,
         const char *state,
         const char *task,
         json_t *due,
         bool overdue,
         json_t *explain)
{
    if (has_item(q, id, task, NULL)) {
        json_decref(due);
        json_decref(explain);
        return;
    }
    {
        char key[160];
        const char *d = json_string_value(due);

        pair_key(key, id, task, strlen(task));
        (void)json_object_set_new(q->tasks, key, json_true());
        if (d) {
            pair_key(key, id, d, strnlen(d, 10));
            (void)json_object_set_new(q->dues, key, json_true());
        }
    }
    (void)json_array_append_new(
        q->items,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:o}", "kind", kind,
                  "id", id, "number", number, "state", state ? state : "",
                  "task", task, "due", due ? due : json_null(), "overdue",
                  overdue, "explain", explain ? explain : json_null()));
}

static int32_t
day_of(const char *date)
{
    int32_t d;

    if (!date || date_parse(date, &d) != CM_ERR_OK)
        return -1;
    return d;
}

/* ---- subpoenas
 * -------------------------------------------------------------*/

static void
subpoena_cb(void *cls, const struct store_subpoena *sp)
{
    struct queue *q = cls;
    const char *task = q->task;
    int32_t ret = day_of(sp->return_date);
    bool overdue = false;
    enum subpoena_state st = SUBPOENA_STATE_DRAFT;
    enum subpoena_disposition disp = SUBPOENA_DISPOSITION_NONE;

    (void)subpoena_state_parse(sp->state ? sp->state : "", &st);
    if (sp->disposition)
        (void)subpoena_disposition_parse(sp->disposition, &disp);
    if (strcmp(task, "refer") == 0) {
        if (sp->enforcement_id[0])
            return;
        if (st == SUBPOENA_STATE_RESPONDED &&
            !subpoena_disposition_is_deficient(disp))
            return;
    }
    if (st == SUBPOENA_STATE_SERVED && ret >= 0)
        overdue = subpoena_is_overdue(st, ret, sp->responded_at != 0, q->today);
    add_item(q, "subpoena", sp->id, sp->number, sp->state, task,
             st == SUBPOENA_STATE_SERVED ? app_json_str(sp->return_date) : NULL,
             overdue, NULL);
}

static int
list_subpoenas(struct store *s,
               struct queue *q,
               const struct store_scope *scope,
               const char *state,
               bool overdue_only,
               const char *task)
{
    struct store_case_filter f;

    memset(&f, 0, sizeof f);
    f.state = state;
    if (overdue_only)
        f.overdue_before = q->today_text;
    q->task = task;
    return store_subpoena_list(s, scope, &f, NULL, QUEUE_LIST_MAX, subpoena_cb,
                               q);
}

/* ---- detainers
 * -------------------------------------------------------------*/

static void
detainer_cb(void *cls, const struct store_detainer *d)
{
    struct queue *q = cls;
    const char *task = "decide";
    json_t *due = NULL;
    bool overdue = false;

    if (d->state && strcmp(d->state, "lodged") == 0) {
        task = "acknowledge";
    } else if (d->state && strcmp(d->state, "honored") == 0) {
        task = "release";
        if (d->max_hold_until) {
            due = app_json_time(d->max_hold_until);
            overdue = q->now > d->max_hold_until;
        }
    }
    add_item(q, "detainer", d->id, d->number, d->state, task, due, overdue,
             NULL);
}

/* ---- enforcements
 * ----------------------------------------------------------*/

static bool
is_enforced(const struct store_enforcement *e)
{
    return e->result && (strcmp(e->result, "enforced") == 0 ||
                         strcmp(e->result, "enforced_in_part") == 0);
}

static void
enforcement_cb(void *cls, const struct store_enforcement *e)
{
    struct queue *q = cls;
    enum enforcement_state st = ENFORCEMENT_STATE_REFERRED;
    enum enforcement_result res = ENFORCEMENT_RESULT_NONE;
    bool doj = strcmp(q->task, "doj") == 0;
    int32_t due = day_of(e->compliance_due);
    bool late = false;
    const char *task = NULL;
    json_t *due_json = NULL;

    (void)enforcement_state_parse(e->state ? e->state : "", &st);
    if (e->result)
        (void)enforcement_result_parse(e->result, &res);
    if (due >= 0)
        late = enforcement_is_noncompliant(st, res, due, q->today);
    if (!doj) {
        /* the respondent: orders it must comply with */
        if (!is_enforced(e) || due < 0 ||
            (st != ENFORCEMENT_STATE_ORDER_ENTERED &&
             st != ENFORCEMENT_STATE_CONTEMPT_MOTION &&
             st != ENFORCEMENT_STATE_IN_CONTEMPT))
            return;
        add_item(q, "enforcement", e->id, e->number, e->state, "comply",
                 app_json_str(e->compliance_due), late, NULL);
        return;
    }
    switch (st) {
    case ENFORCEMENT_STATE_REFERRED:
        task = "file_petition";
        break;
    case ENFORCEMENT_STATE_PETITION_FILED:
    case ENFORCEMENT_STATE_SHOW_CAUSE_ISSUED:
        task = "enter_order";
        if (e->hearing_on)
            due_json = app_json_str(e->hearing_on);
        break;
    case ENFORCEMENT_STATE_ORDER_ENTERED:
        if (!is_enforced(e)) {
            task = "close";
            break;
        }
        task = late ? "move_contempt" : "await_compliance";
        due_json = app_json_str(e->compliance_due);
        break;
    case ENFORCEMENT_STATE_CONTEMPT_MOTION:
        task = "hold_in_contempt";
        break;
    case ENFORCEMENT_STATE_COMPLIED:
    case ENFORCEMENT_STATE_PURGED:
    case ENFORCEMENT_STATE_DISMISSED:
    case ENFORCEMENT_STATE_SETTLED:
        task = "close";
        break;
    case ENFORCEMENT_STATE_IN_CONTEMPT:
    case ENFORCEMENT_STATE_CLOSED:
    case ENFORCEMENT_STATE__COUNT:
    default:
        return;
    }
    add_item(q, "enforcement", e->id, e->number, e->state, task, due_json, late,
             NULL);
}

/* ---- deadlines
 * -------------------------------------------------------------*/

/* Split text into a JSON array of its lines. */
static json_t *
lines_json(const char *text)
{
    json_t *a = json_array();

    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);

        if (n > 0)
            (void)json_array_append_new(a, json_stringn(text, n));
        text += n + (nl ? 1 : 0);
    }
    return a;
}

static void
deadline_cb(void *cls, const struct store_deadline *d)
{
    json_t *pending = cls;
    char task[96];

    json_t *o;

    (void)snprintf(task, sizeof task, "deadline:%s", d->kind);
    o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "kind", d->case_kind, "id",
                  d->case_id, "task", task, "due", d->due, "explain",
                  lines_json(d->explanation));
    /* the case's number and state, read with the deadline */
    if (o && d->case_number && d->case_state) {
        json_object_set_new(o, "number", json_string(d->case_number));
        json_object_set_new(o, "state", json_string(d->case_state));
    }
    (void)json_array_append_new(pending, o);
}

static enum store_rc
add_deadlines(struct store *s, struct queue *q, const struct store_scope *sc)
{
    char to[DATE_STR_SIZE];
    json_t *pending = json_array();
    enum store_rc rc = STORE_ONE_RESULT;
    size_t i;
    json_t *d;
    int n;

    date_format(q->today + QUEUE_DEADLINE_DAYS, to);
    n = store_deadline_list_due(s, sc, q->today_text, to, QUEUE_LIST_MAX,
                                deadline_cb, pending);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_pending;
    }
    json_array_foreach (pending, i, d) {
        const char *kind = json_string_value(json_object_get(d, "kind"));
        const char *id = json_string_value(json_object_get(d, "id"));
        /* the case's number and state, read with the deadline */
        const char *number = json_string_value(json_object_get(d, "number"));
        const char *state = json_string_value(json_object_get(d, "state"));

        /* a deadline the queue already shows as a task's due date */
        if (!number || !state ||
            has_item(q, id, "", json_string_value(json_object_get(d, "due"))))
            continue;
        add_item(q, kind, id, number, state,
                 json_string_value(json_object_get(d, "task")),
                 json_incref(json_object_get(d, "due")), false,
                 json_incref(json_object_get(d, "explain")));
    }
    rc = STORE_ONE_RESULT;
out_pending:
    json_decref(pending);
    return rc;
}

/* ---- the queue
 * -------------------------------------------------------------*/

struct queue_tx {
    struct app_tx base;
    json_t *items;
    json_t *tasks; /* struct queue's sets, kept here to be freed once */
    json_t *dues;
};

static int
check(int n, enum store_rc *rc)
{
    if (n < 0)
        *rc = (enum store_rc)n;
    return n;
}

static enum store_rc
queue_tx(struct store *s, void *ctx)
{
    struct queue_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct store_scope sc;
    struct store_org org = {0};
    struct queue q;
    enum store_rc rc = STORE_ONE_RESULT;
    role_set r = req->roles;

    json_decref(t->items);
    t->items = json_array();
    memset(&q, 0, sizeof q);
    q.req = req;
    q.items = t->items;
    (void)json_object_clear(t->tasks); /* a transaction run again */
    (void)json_object_clear(t->dues);
    q.tasks = t->tasks;
    q.dues = t->dues;
    q.now = app_now(app_of(req));
    acting_scope(req, &sc);
    if (store_org_get(s, req->caller.org_id, &org) < 0)
        return STORE_HARD_ERROR;
    q.today = app_today_in(org.timezone, q.now);
    store_org_release(&org);
    date_format(q.today, q.today_text);
    if (!(r &
          (AGENCY_ROLES | JURISDICTION_ROLES | ROLE_BIT(ROLE_DOJ_ATTORNEY))))
        return STORE_ONE_RESULT;
    if (sc.agency_org_id[0]) {
        if ((r & ROLE_BIT(ROLE_SIGNER)) &&
            check(list_subpoenas(s, &q, &sc, "ready_to_sign", false, "sign"),
                  &rc) < 0)
            return rc;
        if ((r & ROLE_BIT(ROLE_AGENCY_COUNSEL)) &&
            (check(list_subpoenas(s, &q, &sc, "in_review", false, "review"),
                   &rc) < 0 ||
             check(list_subpoenas(s, &q, &sc, "served", true, "refer"), &rc) <
                 0 ||
             check(list_subpoenas(s, &q, &sc, "responded", false, "refer"),
                   &rc) < 0))
            return rc;
        if ((r & ROLE_BIT(ROLE_OFFICER)) &&
            (check(list_subpoenas(s, &q, &sc, "draft", false, "submit"), &rc) <
                 0 ||
             check(list_subpoenas(s, &q, &sc, "signed", false, "serve"), &rc) <
                 0))
            return rc;
    }
    if (sc.jurisdiction_org_id[0]) {
        if (r & (ROLE_BIT(ROLE_CUSTODIAN) | ROLE_BIT(ROLE_RECIPIENT_COUNSEL))) {
            if (check(list_subpoenas(s, &q, &sc, "served", false, "respond"),
                      &rc) < 0)
                return rc;
        }
        /* Complying with a court order is counsel's action (DESIGN.md):
         * the custodian gathers records but is not given the task. */
        if (r & ROLE_BIT(ROLE_RECIPIENT_COUNSEL)) {
            struct store_case_filter f;

            memset(&f, 0, sizeof f);
            f.state = "order_entered,contempt_motion,in_contempt";
            q.task = "respondent";
            if (check(store_enforcement_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                             enforcement_cb, &q),
                      &rc) < 0)
                return rc;
        }
        if (r & ROLE_BIT(ROLE_BOOKING)) {
            struct store_case_filter f;

            memset(&f, 0, sizeof f);
            f.state = "lodged,acknowledged,honored";
            if (check(store_detainer_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                          detainer_cb, &q),
                      &rc) < 0)
                return rc;
        }
    }
    if (sc.doj_org_id[0]) {
        struct store_case_filter f;

        memset(&f, 0, sizeof f);
        f.state = "referred,petition_filed,show_cause_issued,order_entered,"
                  "contempt_motion,complied,purged,dismissed,settled";
        q.task = "doj";
        if (check(store_enforcement_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                         enforcement_cb, &q),
                  &rc) < 0)
            return rc;
    }
    return add_deadlines(s, &q, &sc);
}

/* Overdue first, then by due date, then those without one; then by
 * number, so the order is stable. */
static int
item_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a;
    const json_t *y = *(json_t *const *)b;
    bool ox = json_is_true(json_object_get(x, "overdue"));
    bool oy = json_is_true(json_object_get(y, "overdue"));
    const char *dx = json_string_value(json_object_get(x, "due"));
    const char *dy = json_string_value(json_object_get(y, "due"));
    int c;

    if (ox != oy)
        return ox ? -1 : 1;
    if ((dx != NULL) != (dy != NULL))
        return dx ? -1 : 1;
    if (dx && dy) {
        c = strncmp(dx, dy, 10);
        if (c != 0)
            return c;
    }
    c = strcmp(json_string_value(json_object_get(x, "number")),
               json_string_value(json_object_get(y, "number")));
    if (c != 0)
        return c;
    return strcmp(json_string_value(json_object_get(x, "task")),
                  json_string_value(json_object_get(y, "task")));
}

static enum cm_err
h_queue_get(struct http_req *req)
{
    struct queue_tx t;
    json_t *sorted;
    json_t **v;
    size_t n;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.tasks = json_object();
    t.dues = json_object();
    err = app_run_read(req, "queue", queue_tx, &t.base);
    json_decref(t.tasks);
    json_decref(t.dues);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    n = json_array_size(t.items);
    v = n ? cm_calloc(n, sizeof *v) : NULL;
    sorted = json_array();
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(t.items, i);
    if (n)
        qsort(v, n, sizeof *v, item_cmp);
    for (size_t i = 0; i < n; i++)
        (void)json_array_append(sorted, v[i]);
    cm_free(v);
    json_decref(t.items);
    return reply_json(req, 200,
                      json_pack("{s:o, s:n}", "items", sorted, "next_cursor"));
}
