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
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "domain/enforcement.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/jsonout.h"
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

/* One item of the queue, kept as plain C until the answer is written
 * (a thousand items as jansson objects cost more than reading them). */
struct item {
    const char *kind; /* "subpoena", "detainer" or "enforcement" */
    char id[STORE_ID_SIZE];
    char number[STORE_NUMBER_SIZE];
    char state[32];
    char task[64];
    char due[DATE_RFC3339_SIZE]; /* a date or an instant; "" when none */
    bool overdue;
    char *explain; /* a deadline's explanation (lines), or NULL */
};

/* A set of items by one of their keys: open addressing over indexes
 * into the queue's items (index + 1; 0 is an empty slot). */
struct item_set {
    uint32_t *slot;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

struct queue {
    struct item *items;
    size_t n, cap;
    /* What the queue holds, for has_item without a walk of the items:
     * by (id, task), and by (id, due date) for the items with a due. */
    struct item_set tasks;
    struct item_set dues;
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

/* `src` (NULL as "") into `dst` of `size` bytes, cut at its size. */
static void
copy_text(char *dst, size_t size, const char *src)
{
    size_t n = src ? strnlen(src, size - 1) : 0;

    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

/* FNV-1a of `id`, a separator and the first `len` bytes of `b`. */
static uint64_t
pair_hash(const char *id, const char *b, size_t len)
{
    uint64_t h = 14695981039346656037ull;

    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;
    for (size_t i = 0; i < len && b[i]; i++)
        h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
    return h;
}

/* The second key of item `it` in a set: its task, or its due date. */
static size_t
key_of(const struct item *it, bool by_due, const char **out)
{
    *out = by_due ? it->due : it->task;
    return by_due ? strnlen(it->due, 10) : strlen(it->task);
}

/* The slot of (id, b[0..len)) in `set`: the item's index + 1, or 0 when
 * it is not there (then *at is where it would go). */
static uint32_t
set_find(const struct queue *q,
         const struct item_set *set,
         bool by_due,
         const char *id,
         const char *b,
         size_t len,
         size_t *at)
{
    size_t mask = set->cap - 1;
    size_t i;

    if (set->cap == 0)
        return 0;
    for (i = (size_t)pair_hash(id, b, len) & mask; set->slot[i];
         i = (i + 1) & mask) {
        const struct item *it = &q->items[set->slot[i] - 1];
        const char *k;
        size_t klen = key_of(it, by_due, &k);

        if (klen == len && memcmp(k, b, len) == 0 && strcmp(it->id, id) == 0)
            return set->slot[i];
    }
    *at = i;
    return 0;
}

/* Put item `idx` of the queue into `set` (not there yet). */
static void
set_add(const struct queue *q, struct item_set *set, bool by_due, size_t idx)
{
    const struct item *it = &q->items[idx];
    const char *k;
    size_t len;
    size_t at = 0;

    if ((set->n + 1) * 2 > set->cap) {
        struct item_set grown = {0};

        grown.cap = set->cap ? set->cap * 2 : 64;
        grown.slot = cm_calloc(grown.cap, sizeof *grown.slot);
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slot[i]) {
                const struct item *o = &q->items[set->slot[i] - 1];

                len = key_of(o, by_due, &k);
                (void)set_find(q, &grown, by_due, o->id, k, len, &at);
                grown.slot[at] = set->slot[i];
                grown.n++;
            }
        }
        cm_free(set->slot);
        *set = grown;
    }
    len = key_of(it, by_due, &k);
    if (set_find(q, set, by_due, it->id, k, len, &at) == 0) {
        set->slot[at] = (uint32_t)(idx + 1);
        set->n++;
    }
}

/* True when the queue already holds an item for case `id` with `task`,
 * or (when `due` is not NULL) one for it due the same day. */
static bool
has_item(const struct queue *q,
         const char *id,
         const char *task,
         const char *due)
{
    size_t at;

    if (task && set_find(q, &q->tasks, false, id, task, strlen(task), &at))
        return true;
    return due && set_find(q, &q->dues, true, id, due, strnlen(due, 10), &at);
}

/* Add an item unless the queue has one for the case with the same task.
 * `due` is a date or an instant, or NULL; `explain` is taken (cm_free). */
static void
add_item(struct queue *q,
         const char *kind,
         const char *id,
         const char *number,
         const char *state,
         const char *task,
         const char *due,
         bool overdue,
         char *explain)
{
    struct item *it;

    if (has_item(q, id, task, NULL) || q->n >= UINT32_MAX - 1) {
        cm_free(explain);
        return;
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->items = cm_realloc(q->items, q->cap * sizeof *q->items);
    }
    it = &q->items[q->n];
    it->kind = kind;
    copy_text(it->id, sizeof it->id, id);
    copy_text(it->number, sizeof it->number, number);
    copy_text(it->state, sizeof it->state, state);
    copy_text(it->task, sizeof it->task, task);
    copy_text(it->due, sizeof it->due, due);
    it->overdue = overdue;
    it->explain = explain;
    q->n++;
    set_add(q, &q->tasks, false, q->n - 1);
    if (it->due[0])
        set_add(q, &q->dues, true, q->n - 1);
}

/* Empty the queue (a transaction run again starts over). */
static void
queue_clear(struct queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        cm_free(q->items[i].explain);
    q->n = 0;
    if (q->tasks.cap)
        memset(q->tasks.slot, 0, q->tasks.cap * sizeof *q->tasks.slot);
    if (q->dues.cap)
        memset(q->dues.slot, 0, q->dues.cap * sizeof *q->dues.slot);
    q->tasks.n = 0;
    q->dues.n = 0;
}

static void
queue_free(struct queue *q)
{
    queue_clear(q);
    cm_free(q->items);
    cm_free(q->tasks.slot);
    cm_free(q->dues.slot);
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
             st == SUBPOENA_STATE_SERVED ? sp->return_date : NULL, overdue,
             NULL);
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
    char due[DATE_RFC3339_SIZE] = "";
    bool overdue = false;

    if (d->state && strcmp(d->state, "lodged") == 0) {
        task = "acknowledge";
    } else if (d->state && strcmp(d->state, "honored") == 0) {
        task = "release";
        if (d->max_hold_until) {
            date_time_format_rfc3339(d->max_hold_until / 1000000, 0, due);
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
    const char *due_text = NULL;

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
                 e->compliance_due, late, NULL);
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
            due_text = e->hearing_on;
        break;
    case ENFORCEMENT_STATE_ORDER_ENTERED:
        if (!is_enforced(e)) {
            task = "close";
            break;
        }
        task = late ? "move_contempt" : "await_compliance";
        due_text = e->compliance_due;
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
    add_item(q, "enforcement", e->id, e->number, e->state, task, due_text, late,
             NULL);
}

/* ---- deadlines
 * -------------------------------------------------------------*/

/* The static name of a case kind (items point at it). */
static const char *
case_kind_name(const char *kind)
{
    static const char *const kinds[] = {"subpoena", "detainer", "enforcement"};

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind && strcmp(kind, kinds[i]) == 0)
            return kinds[i];
    return NULL;
}

/* A deadline of a visible case, unless the queue already shows it as a
 * task's due date (the lists are read first). */
static void
deadline_cb(void *cls, const struct store_deadline *d)
{
    struct queue *q = cls;
    const char *kind = case_kind_name(d->case_kind);
    char task[64];

    /* the case's number and state, read with the deadline */
    if (!kind || !d->case_number || !d->case_state || !d->due ||
        has_item(q, d->case_id, NULL, d->due))
        return;
    (void)snprintf(task, sizeof task, "deadline:%s", d->kind ? d->kind : "");
    add_item(q, kind, d->case_id, d->case_number, d->case_state, task, d->due,
             false, cm_strdup(d->explanation ? d->explanation : ""));
}

static enum store_rc
add_deadlines(struct store *s, struct queue *q, const struct store_scope *sc)
{
    char to[DATE_STR_SIZE];
    int n;

    date_format(q->today + QUEUE_DEADLINE_DAYS, to);
    n = store_deadline_list_due(s, sc, q->today_text, to, QUEUE_LIST_MAX,
                                deadline_cb, q);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* ---- the queue
 * -------------------------------------------------------------*/

struct queue_tx {
    struct app_tx base;
    struct queue q; /* kept here: a transaction run again starts over */
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
    struct queue *qp = &t->q;
    enum store_rc rc = STORE_ONE_RESULT;
    role_set r = req->roles;

    queue_clear(qp);
    qp->now = app_now(app_of(req));
    acting_scope(req, &sc);
    if (store_org_get(s, req->caller.org_id, &org) < 0)
        return STORE_HARD_ERROR;
    qp->today = app_today_in(org.timezone, qp->now);
    store_org_release(&org);
    date_format(qp->today, qp->today_text);
    if (!(r &
          (AGENCY_ROLES | JURISDICTION_ROLES | ROLE_BIT(ROLE_DOJ_ATTORNEY))))
        return STORE_ONE_RESULT;
    if (sc.agency_org_id[0]) {
        if ((r & ROLE_BIT(ROLE_SIGNER)) &&
            check(list_subpoenas(s, qp, &sc, "ready_to_sign", false, "sign"),
                  &rc) < 0)
            return rc;
        if ((r & ROLE_BIT(ROLE_AGENCY_COUNSEL)) &&
            (check(list_subpoenas(s, qp, &sc, "in_review", false, "review"),
                   &rc) < 0 ||
             check(list_subpoenas(s, qp, &sc, "served", true, "refer"), &rc) <
                 0 ||
             check(list_subpoenas(s, qp, &sc, "responded", false, "refer"),
                   &rc) < 0))
            return rc;
        if ((r & ROLE_BIT(ROLE_OFFICER)) &&
            (check(list_subpoenas(s, qp, &sc, "draft", false, "submit"), &rc) <
                 0 ||
             check(list_subpoenas(s, qp, &sc, "signed", false, "serve"), &rc) <
                 0))
            return rc;
    }
    if (sc.jurisdiction_org_id[0]) {
        if (r & (ROLE_BIT(ROLE_CUSTODIAN) | ROLE_BIT(ROLE_RECIPIENT_COUNSEL))) {
            if (check(list_subpoenas(s, qp, &sc, "served", false, "respond"),
                      &rc) < 0)
                return rc;
        }
        /* Complying with a court order is counsel's action (DESIGN.md):
         * the custodian gathers records but is not given the task. */
        if (r & ROLE_BIT(ROLE_RECIPIENT_COUNSEL)) {
            struct store_case_filter f;

            memset(&f, 0, sizeof f);
            f.state = "order_entered,contempt_motion,in_contempt";
            qp->task = "respondent";
            if (check(store_enforcement_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                             enforcement_cb, qp),
                      &rc) < 0)
                return rc;
        }
        if (r & ROLE_BIT(ROLE_BOOKING)) {
            struct store_case_filter f;

            memset(&f, 0, sizeof f);
            f.state = "lodged,acknowledged,honored";
            if (check(store_detainer_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                          detainer_cb, qp),
                      &rc) < 0)
                return rc;
        }
    }
    if (sc.doj_org_id[0]) {
        struct store_case_filter f;

        memset(&f, 0, sizeof f);
        f.state = "referred,petition_filed,show_cause_issued,order_entered,"
                  "contempt_motion,complied,purged,dismissed,settled";
        qp->task = "doj";
        if (check(store_enforcement_list(s, &sc, &f, NULL, QUEUE_LIST_MAX,
                                         enforcement_cb, qp),
                  &rc) < 0)
            return rc;
    }
    return add_deadlines(s, qp, &sc);
}

/* Overdue first, then by due date, then those without one; then by
 * number, so the order is stable. */
static int
item_cmp(const void *a, const void *b)
{
    const struct item *x = *(const struct item *const *)a;
    const struct item *y = *(const struct item *const *)b;
    int c;

    if (x->overdue != y->overdue)
        return x->overdue ? -1 : 1;
    if ((x->due[0] != '\0') != (y->due[0] != '\0'))
        return x->due[0] ? -1 : 1;
    if (x->due[0]) {
        c = strncmp(x->due, y->due, 10);
        if (c != 0)
            return c;
    }
    c = strcmp(x->number, y->number);
    if (c != 0)
        return c;
    return strcmp(x->task, y->task);
}

static void
add_field(struct buf *b, const char *name, const char *value)
{
    buf_adds(b, name);
    jsonout_add_string(b, value, strlen(value));
}

/* The answer, {"items":[...],"next_cursor":null}, written directly, the
 * items in the order of `order`. */
static void
write_items(struct buf *b, const struct queue *q, struct item *const *order)
{
    /* about 170 bytes an item: one allocation for most queues */
    buf_grow(b, 64 + q->n * 192);
    buf_adds(b, "{\"items\":[");
    for (size_t i = 0; i < q->n; i++) {
        const struct item *it = order[i];

        if (i)
            buf_addch(b, ',');
        add_field(b, "{\"kind\":", it->kind);
        add_field(b, ",\"id\":", it->id);
        add_field(b, ",\"number\":", it->number);
        add_field(b, ",\"state\":", it->state);
        add_field(b, ",\"task\":", it->task);
        if (it->due[0])
            add_field(b, ",\"due\":", it->due);
        else
            buf_adds(b, ",\"due\":null");
        buf_adds(b, it->overdue ? ",\"overdue\":true" : ",\"overdue\":false");
        buf_adds(b, ",\"explain\":");
        if (it->explain)
            jsonout_add_lines(b, it->explain);
        else
            buf_adds(b, "null");
        buf_addch(b, '}');
    }
    buf_adds(b, "],\"next_cursor\":null}");
}

static enum cm_err
h_queue_get(struct http_req *req)
{
    struct queue_tx t;
    struct buf text = BUF_INIT;
    struct item **order;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    err = app_run_read(req, "queue", queue_tx, &t.base);
    if (err == CM_ERR_OK) {
        /* sorted by address: an item is 200 bytes to move */
        order = cm_calloc(t.q.n ? t.q.n : 1, sizeof *order);
        for (size_t i = 0; i < t.q.n; i++)
            order[i] = &t.q.items[i];
        if (t.q.n)
            qsort(order, t.q.n, sizeof *order, item_cmp);
        write_items(&text, &t.q, order);
        cm_free(order);
        err = reply_json_text(req, 200, &text);
    }
    queue_free(&t.q);
    return err;
}
