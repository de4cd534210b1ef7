/*
 * pg_cases.c: the PostgreSQL implementation of store_cases.h: scoped case
 * lists and counts, subpoena item outcomes, extensions, enforcement cases
 * and deadlines. The statements are those of sq_cases.c in PostgreSQL's
 * dialect, with the same orders, so that pages and counts are identical.
 *
 * Every list and count binds the same leading parameters, as on SQLite:
 *   $1 all, $2 agency org, $3 jurisdiction org, $4 DOJ org (the scope);
 *   $5 states (comma-separated), $6 recipient, $7 facility, $8 person,
 *   $9 agency filter, $10 number, $11 overdue_before (the filter);
 * lists then bind $12 cursor created_at, $13 cursor id, $14 limit.
 * PostgreSQL must know the type of every parameter, even one a statement
 * does not test (detainers have no recipient): each statement names them
 * all, typed, in a one-row subquery `q` that the planner folds into the
 * WHERE clause. The scope test is part of the SQL, so rows outside the
 * scope are never read.
 *
 * Several servers write these tables at once (READ COMMITTED): an
 * enforcement update names its version in the WHERE clause, so of two
 * servers updating one case from the same version the second waits for
 * the first's transaction, re-checks the row, finds the version gone and
 * changes nothing (STORE_NO_RESULTS); a deadline upsert is one
 * INSERT ... ON CONFLICT DO UPDATE, which PostgreSQL makes atomic (the
 * loser of a race for a new (case, kind) updates the winner's row); inserts
 * are ON CONFLICT DO NOTHING, so a taken id, number or subpoena answers
 * STORE_NO_RESULTS without aborting the caller's transaction.
 *
 * Extensions are listed in insertion order among equal times, as SQLite's
 * rowid does: the table has an identity column `rowid` for that.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/postgres/pg_int.h"

enum {
    PG_DETAINER_LIST = PG_STMT_BASE_CASES,
    PG_DETAINER_COUNT,
    PG_SUBPOENA_LIST,
    PG_SUBPOENA_LIST_AGENCY,
    PG_SUBPOENA_LIST_RECIPIENT,
    PG_SUBPOENA_COUNT,
    PG_ENFORCEMENT_LIST,
    PG_ENFORCEMENT_COUNT,
    PG_ENFORCEMENT_INSERT,
    PG_ENFORCEMENT_GET,
    PG_ENFORCEMENT_UPDATE,
    PG_SUBPOENA_ITEM_UPDATE,
    PG_EXTENSION_INSERT,
    PG_EXTENSION_LIST,
    PG_DEADLINE_UPSERT,
    PG_DEADLINE_DELETE,
    PG_DEADLINE_LIST_FOR_CASE,
    PG_DEADLINE_LIST_DUE,
    PG_DEADLINE_LIST_DUE_JURISDICTION,
    PG_DEADLINE_LIST_DUE_DOJ,
    PG_DISCLOSURE_INSERT,
    PG_DISCLOSURE_LIST,
    PG_CASES__END
};

_Static_assert((int)PG_CASES__END <= (int)PG_STMT_BASE_INFRA,
               "the cases statements overrun the next group's base");

/* The columns of the case rows, as postgres_store.c reads them. */
#define DETAINER_COLS                                                     \
    "d.id, d.version, d.created_at, d.updated_at, d.number, d.person_id," \
    " d.facility_id, d.agency_org_id, d.lodged_by, d.form, d.basis,"      \
    " d.hold_rule, d.state, d.outcome_source, d.decline_policy_id,"       \
    " d.reason, d.otherwise_release_at, d.max_hold_until, d.released_at," \
    " d.transferred_at, d.notice_given, d.acknowledged_at, d.decided_at," \
    " d.cancel_reason"

#define SUBPOENA_COLS                                                   \
    "p.id, p.version, p.created_at, p.updated_at, p.number,"            \
    " p.agency_org_id, p.recipient_org_id, p.person_id, p.detainer_id," \
    " p.purpose, p.state, p.drafted_by, p.signed_by, p.signed_at,"      \
    " p.served_at, p.service_method, p.served_to, p.return_date,"       \
    " p.original_return_date, p.responded_at, p.disposition,"           \
    " p.refusal_reason, p.withdrawal_reason, p.response_note,"          \
    " p.enforcement_id, p.acknowledged_at"

#define ENFORCEMENT_COLS                                                \
    "id, version, created_at, updated_at, number, subpoena_id,"         \
    " agency_org_id, respondent_org_id, doj_org_id, state, court,"      \
    " district, docket_number, filed_on, hearing_on, response_due,"     \
    " result, entered_on, compliance_due, items_kept, contempt_kind,"   \
    " per_day_cents, fixed_cents, starts_on, purged_on, closed_reason," \
    " closed_at"

#define ENFORCEMENT_COLS_E                                                  \
    "e.id, e.version, e.created_at, e.updated_at, e.number, e.subpoena_id," \
    " e.agency_org_id, e.respondent_org_id, e.doj_org_id, e.state,"         \
    " e.court, e.district, e.docket_number, e.filed_on, e.hearing_on,"      \
    " e.response_due, e.result, e.entered_on, e.compliance_due,"            \
    " e.items_kept, e.contempt_kind, e.per_day_cents, e.fixed_cents,"       \
    " e.starts_on, e.purged_on, e.closed_reason, e.closed_at"

#define EXTENSION_COLS                                           \
    "id, subpoena_id, old_return_date, new_return_date, reason," \
    " extended_by, extended_at"

#define DEADLINE_COLS                                               \
    "dl.id, dl.case_kind, dl.case_id, dl.kind, dl.due, dl.rule_id," \
    " dl.calendar_id, dl.calendar_version, dl.triggered_by,"        \
    " dl.explanation, dl.computed_at"

/* DEADLINE_COLS and the case's number and state (the due list). */
#define DEADLINE_DUE_COLS                                                   \
    DEADLINE_COLS ", CASE dl.case_kind"                                     \
                  " WHEN 'subpoena' THEN (SELECT x.number FROM subpoenas x" \
                  "  WHERE x.id = dl.case_id)"                              \
                  " WHEN 'detainer' THEN (SELECT x.number FROM detainers x" \
                  "  WHERE x.id = dl.case_id)"                              \
                  " ELSE (SELECT x.number FROM enforcements x"              \
                  "  WHERE x.id = dl.case_id) END,"                         \
                  " CASE dl.case_kind"                                      \
                  " WHEN 'subpoena' THEN (SELECT x.state FROM subpoenas x"  \
                  "  WHERE x.id = dl.case_id)"                              \
                  " WHEN 'detainer' THEN (SELECT x.state FROM detainers x"  \
                  "  WHERE x.id = dl.case_id)"                              \
                  " ELSE (SELECT x.state FROM enforcements x"               \
                  "  WHERE x.id = dl.case_id) END"

/* The typed parameters of every list and count ($1 to $11), and of the
 * cursor ($12, $13) for lists. */
#define Q_FIELDS                                                        \
    "$1::boolean AS is_all, $2::text AS agency,"                        \
    " $3::text AS jurisdiction, $4::text AS doj, $5::text AS states,"   \
    " $6::text AS recipient, $7::text AS facility, $8::text AS person," \
    " $9::text AS agency_filter, $10::text AS number,"                  \
    " $11::text AS overdue_before"

#define Q_COUNT " CROSS JOIN (SELECT " Q_FIELDS ") q"

#define Q_LIST                                                   \
    " CROSS JOIN (SELECT " Q_FIELDS ", $12::bigint AS after_at," \
    " $13::text AS after_id) q"

/* Whether q.states (a comma-separated list of states) names column
 * `col`. */
#define STATE_IN(col)                                                 \
    "(q.states IS NULL OR strpos(',' || q.states || ',', ',' || " col \
    " || ',') > 0)"

#define DETAINER_SCOPE                                                   \
    "(q.is_all OR (q.agency IS NOT NULL AND d.agency_org_id = q.agency)" \
    " OR (q.jurisdiction IS NOT NULL AND d.facility_id IN"               \
    "  (SELECT f.id FROM facilities f WHERE f.org_id = q.jurisdiction)))"

#define DETAINER_FILTER                                                   \
    STATE_IN("d.state")                                                   \
    " AND (q.facility IS NULL OR d.facility_id = q.facility)"             \
    " AND (q.person IS NULL OR d.person_id = q.person)"                   \
    " AND (q.agency_filter IS NULL OR d.agency_org_id = q.agency_filter)" \
    " AND (q.number IS NULL OR d.number = q.number)"

/* A jurisdiction sees a subpoena only once it has been served. */
#define SUBPOENA_SCOPE                                                        \
    "(q.is_all OR (q.agency IS NOT NULL AND p.agency_org_id = q.agency)"      \
    " OR (q.jurisdiction IS NOT NULL AND p.recipient_org_id = q.jurisdiction" \
    "     AND p.served_at IS NOT NULL)"                                       \
    " OR (q.doj IS NOT NULL AND p.id IN"                                      \
    "  (SELECT x.subpoena_id FROM enforcements x WHERE x.doj_org_id = q.doj)))"

#define SUBPOENA_FILTER                                                   \
    STATE_IN("p.state")                                                   \
    " AND (q.recipient IS NULL OR p.recipient_org_id = q.recipient)"      \
    " AND (q.person IS NULL OR p.person_id = q.person)"                   \
    " AND (q.agency_filter IS NULL OR p.agency_org_id = q.agency_filter)" \
    " AND (q.number IS NULL OR p.number = q.number)"                      \
    " AND (q.overdue_before IS NULL OR (p.state = 'served'"               \
    "      AND p.responded_at IS NULL"                                    \
    "      AND p.return_date < q.overdue_before))"

#define ENFORCEMENT_SCOPE                                                \
    "(q.is_all OR (q.agency IS NOT NULL AND e.agency_org_id = q.agency)" \
    " OR (q.jurisdiction IS NOT NULL"                                    \
    "     AND e.respondent_org_id = q.jurisdiction)"                     \
    " OR (q.doj IS NOT NULL AND e.doj_org_id = q.doj))"

#define ENFORCEMENT_FILTER                                                \
    STATE_IN("e.state")                                                   \
    " AND (q.recipient IS NULL OR e.respondent_org_id = q.recipient)"     \
    " AND (q.agency_filter IS NULL OR e.agency_org_id = q.agency_filter)" \
    " AND (q.number IS NULL OR e.number = q.number)"

/* Newest first, after the cursor (q.after_at, q.after_id); at most $14
 * rows. */
#define PAGE(t)                                                \
    " AND (q.after_id IS NULL OR (" t ".created_at, " t ".id)" \
    "      < (q.after_at, q.after_id))"                        \
    " ORDER BY " t ".created_at DESC, " t ".id DESC LIMIT $14"

struct list_ctx {
    void *cb;
    void *cls;
};

static void
bind_common(struct pg_params *p,
            const struct store_scope *scope,
            const struct store_case_filter *filter)
{
    static const struct store_case_filter none = {0};
    const struct store_case_filter *f = filter ? filter : &none;

    pg_bind_int(p, scope->all ? 1 : 0);
    pg_bind_id(p, scope->agency_org_id);
    pg_bind_id(p, scope->jurisdiction_org_id);
    pg_bind_id(p, scope->doj_org_id);
    pg_bind_id(p, f->state);
    pg_bind_id(p, f->recipient_org_id);
    pg_bind_id(p, f->facility_id);
    pg_bind_id(p, f->person_id);
    pg_bind_id(p, f->agency_org_id);
    pg_bind_id(p, f->number);
    pg_bind_id(p, f->overdue_before);
}

static void
bind_page(struct pg_params *p, const struct store_cursor *after, int limit)
{
    if (after && after->id[0]) {
        pg_bind_int(p, after->created_at);
        pg_bind_text(p, after->id);
    } else {
        pg_bind_text(p, NULL);
        pg_bind_text(p, NULL);
    }
    pg_bind_int(p, limit);
}

static void
read_int0(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(int64_t *)ctx = pg_col_int(&c);
}

/* Run a SELECT count(*) statement into *n. */
static enum store_rc
run_count(struct pg_store *ps,
          int id,
          const char *sql,
          const struct pg_params *p,
          const char *what,
          int64_t *n)
{
    int64_t v = 0;
    enum store_rc rc = pg_run_read(ps, id, sql, p, what, read_int0, &v);

    if (rc == STORE_ONE_RESULT)
        *n = v;
    else if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR; /* count(*) always gives a row */
    return rc;
}

/* ---- detainers ---------------------------------------------------------*/

static void
read_detainer(const PGresult *r, int row, struct store_detainer *d)
{
    struct pg_cols c = {r, row, 0};
    bool is_notice_null;

    memset(d, 0, sizeof *d);
    pg_col_id(&c, d->id, sizeof d->id);
    d->version = pg_col_int(&c);
    d->created_at = pg_col_int(&c);
    d->updated_at = pg_col_int(&c);
    pg_col_id(&c, d->number, sizeof d->number);
    pg_col_id(&c, d->person_id, sizeof d->person_id);
    pg_col_id(&c, d->facility_id, sizeof d->facility_id);
    pg_col_id(&c, d->agency_org_id, sizeof d->agency_org_id);
    pg_col_id(&c, d->lodged_by, sizeof d->lodged_by);
    d->form = pg_col_text(&c);
    d->basis = pg_col_text(&c);
    d->hold_rule = pg_col_text(&c);
    d->state = pg_col_text(&c);
    d->outcome_source = pg_col_text(&c);
    pg_col_id(&c, d->decline_policy_id, sizeof d->decline_policy_id);
    d->reason = pg_col_text(&c);
    d->otherwise_release_at = pg_col_int(&c);
    d->max_hold_until = pg_col_int(&c);
    d->released_at = pg_col_int(&c);
    d->transferred_at = pg_col_int(&c);
    is_notice_null = pg_col_is_null(&c);
    d->notice_given = (int)pg_col_int(&c);
    if (is_notice_null)
        d->notice_given = -1;
    d->acknowledged_at = pg_col_int(&c);
    d->decided_at = pg_col_int(&c);
    d->cancel_reason = pg_col_text(&c);
}

static void
detainer_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_detainer d;

    read_detainer(r, row, &d);
    ((store_detainer_cb)l->cb)(l->cls, &d);
    store_detainer_release(&d);
}

static int
pg_detainer_list(struct store *s,
                 const struct store_scope *scope,
                 const struct store_case_filter *filter,
                 const struct store_cursor *after,
                 int limit,
                 store_detainer_cb cb,
                 void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    bind_common(&p, scope, filter);
    bind_page(&p, after, limit);
    return pg_run_list(pg_to_pg(s), PG_DETAINER_LIST,
                       "SELECT " DETAINER_COLS " FROM detainers d" Q_LIST
                       " WHERE " DETAINER_SCOPE
                       " AND " DETAINER_FILTER PAGE("d"),
                       &p, "detainer_list", detainer_row, &l);
}

static enum store_rc
pg_detainer_count(struct store *s,
                  const struct store_scope *scope,
                  const struct store_case_filter *filter,
                  int64_t *n)
{
    struct pg_params p = {0};

    bind_common(&p, scope, filter);
    return run_count(pg_to_pg(s), PG_DETAINER_COUNT,
                     "SELECT count(*) FROM detainers d" Q_COUNT
                     " WHERE " DETAINER_SCOPE " AND " DETAINER_FILTER,
                     &p, "detainer_count", n);
}

/* ---- subpoenas ---------------------------------------------------------*/

static void
read_subpoena(const PGresult *r, int row, struct store_subpoena *sp)
{
    struct pg_cols c = {r, row, 0};

    memset(sp, 0, sizeof *sp);
    pg_col_id(&c, sp->id, sizeof sp->id);
    sp->version = pg_col_int(&c);
    sp->created_at = pg_col_int(&c);
    sp->updated_at = pg_col_int(&c);
    pg_col_id(&c, sp->number, sizeof sp->number);
    pg_col_id(&c, sp->agency_org_id, sizeof sp->agency_org_id);
    pg_col_id(&c, sp->recipient_org_id, sizeof sp->recipient_org_id);
    pg_col_id(&c, sp->person_id, sizeof sp->person_id);
    pg_col_id(&c, sp->detainer_id, sizeof sp->detainer_id);
    sp->purpose = pg_col_text(&c);
    sp->state = pg_col_text(&c);
    pg_col_id(&c, sp->drafted_by, sizeof sp->drafted_by);
    pg_col_id(&c, sp->signed_by, sizeof sp->signed_by);
    sp->signed_at = pg_col_int(&c);
    sp->served_at = pg_col_int(&c);
    sp->service_method = pg_col_text(&c);
    sp->served_to = pg_col_text(&c);
    sp->return_date = pg_col_text(&c);
    sp->original_return_date = pg_col_text(&c);
    sp->responded_at = pg_col_int(&c);
    sp->disposition = pg_col_text(&c);
    sp->refusal_reason = pg_col_text(&c);
    sp->withdrawal_reason = pg_col_text(&c);
    sp->response_note = pg_col_text(&c);
    pg_col_id(&c, sp->enforcement_id, sizeof sp->enforcement_id);
    sp->acknowledged_at = pg_col_int(&c);
}

static void
subpoena_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_subpoena sp;

    read_subpoena(r, row, &sp);
    ((store_subpoena_cb)l->cb)(l->cls, &sp);
    store_subpoena_release(&sp);
}

/* One state of one organization's subpoenas (store_subpoena_list_is_keyed):
 * the same rows in the same order as the general list, through the index
 * on (organization, state, created_at, id), which the general statement's
 * OR of scopes keeps the planner from using. */
#define KEYED_TAIL                                                    \
    " AND p.state = $2::text"                                         \
    " AND ($3::text IS NULL OR (p.state = 'served'"                   \
    "      AND p.responded_at IS NULL AND p.return_date < $3::text))" \
    " AND ($5::text IS NULL OR (p.created_at, p.id)"                  \
    "      < ($4::bigint, $5::text))"                                 \
    " ORDER BY p.created_at DESC, p.id DESC LIMIT $6"

static int
subpoena_list_keyed(struct pg_store *ps,
                    const char *org,
                    bool as_recipient,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    struct list_ctx *l)
{
    struct pg_params p = {0};

    pg_bind_text(&p, org);
    pg_bind_text(&p, filter->state);
    pg_bind_id(&p, filter->overdue_before);
    bind_page(&p, after, limit);
    if (as_recipient)
        return pg_run_list(ps, PG_SUBPOENA_LIST_RECIPIENT,
                           "SELECT " SUBPOENA_COLS " FROM subpoenas p"
                           " WHERE p.recipient_org_id = $1::text"
                           " AND p.served_at IS NOT NULL" KEYED_TAIL,
                           &p, "subpoena_list", subpoena_row, l);
    return pg_run_list(ps, PG_SUBPOENA_LIST_AGENCY,
                       "SELECT " SUBPOENA_COLS " FROM subpoenas p"
                       " WHERE p.agency_org_id = $1::text" KEYED_TAIL,
                       &p, "subpoena_list", subpoena_row, l);
}

static int
pg_subpoena_list(struct store *s,
                 const struct store_scope *scope,
                 const struct store_case_filter *filter,
                 const struct store_cursor *after,
                 int limit,
                 store_subpoena_cb cb,
                 void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};
    const char *org = NULL;
    bool as_recipient = false;

    if (store_subpoena_list_is_keyed(scope, filter, &org, &as_recipient))
        return subpoena_list_keyed(pg_to_pg(s), org, as_recipient, filter,
                                   after, limit, &l);
    bind_common(&p, scope, filter);
    bind_page(&p, after, limit);
    return pg_run_list(pg_to_pg(s), PG_SUBPOENA_LIST,
                       "SELECT " SUBPOENA_COLS " FROM subpoenas p" Q_LIST
                       " WHERE " SUBPOENA_SCOPE
                       " AND " SUBPOENA_FILTER PAGE("p"),
                       &p, "subpoena_list", subpoena_row, &l);
}

static enum store_rc
pg_subpoena_count(struct store *s,
                  const struct store_scope *scope,
                  const struct store_case_filter *filter,
                  int64_t *n)
{
    struct pg_params p = {0};

    bind_common(&p, scope, filter);
    return run_count(pg_to_pg(s), PG_SUBPOENA_COUNT,
                     "SELECT count(*) FROM subpoenas p" Q_COUNT
                     " WHERE " SUBPOENA_SCOPE " AND " SUBPOENA_FILTER,
                     &p, "subpoena_count", n);
}

/* ---- enforcement cases -------------------------------------------------*/

/* Money: a negative amount means none (NULL). */
static void
bind_cents(struct pg_params *p, int64_t cents)
{
    if (cents < 0)
        pg_bind_text(p, NULL);
    else
        pg_bind_int(p, cents);
}

static int64_t
col_cents(struct pg_cols *c)
{
    bool is_null = pg_col_is_null(c);
    int64_t v = pg_col_int(c);

    return is_null ? -1 : v;
}

static void
read_enforcement(const PGresult *r, int row, struct store_enforcement *e)
{
    struct pg_cols c = {r, row, 0};

    memset(e, 0, sizeof *e);
    pg_col_id(&c, e->id, sizeof e->id);
    e->version = pg_col_int(&c);
    e->created_at = pg_col_int(&c);
    e->updated_at = pg_col_int(&c);
    pg_col_id(&c, e->number, sizeof e->number);
    pg_col_id(&c, e->subpoena_id, sizeof e->subpoena_id);
    pg_col_id(&c, e->agency_org_id, sizeof e->agency_org_id);
    pg_col_id(&c, e->respondent_org_id, sizeof e->respondent_org_id);
    pg_col_id(&c, e->doj_org_id, sizeof e->doj_org_id);
    e->state = pg_col_text(&c);
    e->court = pg_col_text(&c);
    e->district = pg_col_text(&c);
    e->docket_number = pg_col_text(&c);
    e->filed_on = pg_col_text(&c);
    e->hearing_on = pg_col_text(&c);
    e->response_due = pg_col_text(&c);
    e->result = pg_col_text(&c);
    e->entered_on = pg_col_text(&c);
    e->compliance_due = pg_col_text(&c);
    e->items_kept = pg_col_text(&c);
    e->contempt_kind = pg_col_text(&c);
    e->per_day_cents = col_cents(&c);
    e->fixed_cents = col_cents(&c);
    e->starts_on = pg_col_text(&c);
    e->purged_on = pg_col_text(&c);
    e->closed_reason = pg_col_text(&c);
    e->closed_at = pg_col_int(&c);
}

static void
read_enforcement_row(const PGresult *r, int row, void *ctx)
{
    read_enforcement(r, row, ctx);
}

/* Bind the mutable fields, from doj_org_id to closed_at, in column
 * order. */
static void
bind_enforcement_fields(struct pg_params *p, const struct store_enforcement *e)
{
    pg_bind_id(p, e->doj_org_id);
    pg_bind_text(p, e->state);
    pg_bind_text(p, e->court);
    pg_bind_text(p, e->district);
    pg_bind_text(p, e->docket_number);
    pg_bind_text(p, e->filed_on);
    pg_bind_text(p, e->hearing_on);
    pg_bind_text(p, e->response_due);
    pg_bind_text(p, e->result);
    pg_bind_text(p, e->entered_on);
    pg_bind_text(p, e->compliance_due);
    pg_bind_text(p, e->items_kept);
    pg_bind_text(p, e->contempt_kind);
    bind_cents(p, e->per_day_cents);
    bind_cents(p, e->fixed_cents);
    pg_bind_text(p, e->starts_on);
    pg_bind_text(p, e->purged_on);
    pg_bind_text(p, e->closed_reason);
    pg_bind_time(p, e->closed_at);
}

/* ON CONFLICT DO NOTHING covers the id, the number and the one case per
 * subpoena: a second server inserting the same waits for the first's
 * transaction and then inserts nothing. */
static enum store_rc
pg_enforcement_insert(struct store *s, const struct store_enforcement *e)
{
    struct pg_params p = {0};

    pg_bind_id(&p, e->id);
    pg_bind_int(&p, e->created_at);
    pg_bind_int(&p, e->updated_at);
    pg_bind_id(&p, e->number);
    pg_bind_id(&p, e->subpoena_id);
    pg_bind_id(&p, e->agency_org_id);
    pg_bind_id(&p, e->respondent_org_id);
    bind_enforcement_fields(&p, e);
    return pg_run_write(pg_to_pg(s), PG_ENFORCEMENT_INSERT,
                        "INSERT INTO enforcements (" ENFORCEMENT_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
                        " $21, $22, $23, $24, $25, $26)"
                        " ON CONFLICT DO NOTHING",
                        &p, "enforcement_insert");
}

static enum store_rc
pg_enforcement_get(struct store *s,
                   const char *id,
                   struct store_enforcement *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_ENFORCEMENT_GET,
                       "SELECT " ENFORCEMENT_COLS
                       " FROM enforcements WHERE id = $1",
                       &p, "enforcement_get", read_enforcement_row, out);
}

/* Version-checked: see the top of the file for two servers at once. */
static enum store_rc
pg_enforcement_update(struct store *s, const struct store_enforcement *e)
{
    struct pg_params p = {0};

    pg_bind_int(&p, e->updated_at);
    bind_enforcement_fields(&p, e);
    pg_bind_text(&p, e->id);
    pg_bind_int(&p, e->version);
    return pg_run_write(
        pg_to_pg(s), PG_ENFORCEMENT_UPDATE,
        "UPDATE enforcements SET version = version + 1,"
        " updated_at = $1, doj_org_id = $2, state = $3, court = $4,"
        " district = $5, docket_number = $6, filed_on = $7,"
        " hearing_on = $8, response_due = $9, result = $10,"
        " entered_on = $11, compliance_due = $12, items_kept = $13,"
        " contempt_kind = $14, per_day_cents = $15, fixed_cents = $16,"
        " starts_on = $17, purged_on = $18, closed_reason = $19,"
        " closed_at = $20 WHERE id = $21 AND version = $22",
        &p, "enforcement_update");
}

static void
enforcement_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_enforcement e;

    read_enforcement(r, row, &e);
    ((store_enforcement_cb)l->cb)(l->cls, &e);
    store_enforcement_release(&e);
}

static int
pg_enforcement_list(struct store *s,
                    const struct store_scope *scope,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    store_enforcement_cb cb,
                    void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    bind_common(&p, scope, filter);
    bind_page(&p, after, limit);
    return pg_run_list(pg_to_pg(s), PG_ENFORCEMENT_LIST,
                       "SELECT " ENFORCEMENT_COLS_E
                       " FROM enforcements e" Q_LIST " WHERE " ENFORCEMENT_SCOPE
                       " AND " ENFORCEMENT_FILTER PAGE("e"),
                       &p, "enforcement_list", enforcement_row, &l);
}

static enum store_rc
pg_enforcement_count(struct store *s,
                     const struct store_scope *scope,
                     const struct store_case_filter *filter,
                     int64_t *n)
{
    struct pg_params p = {0};

    bind_common(&p, scope, filter);
    return run_count(pg_to_pg(s), PG_ENFORCEMENT_COUNT,
                     "SELECT count(*) FROM enforcements e" Q_COUNT
                     " WHERE " ENFORCEMENT_SCOPE " AND " ENFORCEMENT_FILTER,
                     &p, "enforcement_count", n);
}

/* ---- subpoena items and extensions -------------------------------------*/

static enum store_rc
pg_subpoena_item_update(struct store *s,
                        const char *subpoena_id,
                        const struct store_subpoena_item *it)
{
    struct pg_params p = {0};

    pg_bind_int(&p, it->updated_at);
    pg_bind_text(&p, it->outcome);
    pg_bind_text(&p, it->ground);
    pg_bind_blob(&p, &it->value);
    pg_bind_text(&p, it->id);
    pg_bind_text(&p, subpoena_id);
    return pg_run_write(pg_to_pg(s), PG_SUBPOENA_ITEM_UPDATE,
                        "UPDATE subpoena_items SET version = version + 1,"
                        " updated_at = $1, outcome = $2, ground = $3,"
                        " value = $4 WHERE id = $5 AND subpoena_id = $6",
                        &p, "subpoena_item_update");
}

static enum store_rc
pg_extension_insert(struct store *s, const struct store_extension *x)
{
    struct pg_params p = {0};

    pg_bind_id(&p, x->id);
    pg_bind_id(&p, x->subpoena_id);
    pg_bind_text(&p, x->old_return_date);
    pg_bind_text(&p, x->new_return_date);
    pg_bind_text(&p, x->reason);
    pg_bind_id(&p, x->by_user);
    pg_bind_int(&p, x->at);
    return pg_run_write(pg_to_pg(s), PG_EXTENSION_INSERT,
                        "INSERT INTO extensions (created_at, " EXTENSION_COLS
                        ") VALUES ($7, $1, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT DO NOTHING",
                        &p, "extension_insert");
}

static void
extension_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_extension x;
    struct pg_cols c = {r, row, 0};

    memset(&x, 0, sizeof x);
    pg_col_id(&c, x.id, sizeof x.id);
    pg_col_id(&c, x.subpoena_id, sizeof x.subpoena_id);
    x.old_return_date = pg_col_text(&c);
    x.new_return_date = pg_col_text(&c);
    x.reason = pg_col_text(&c);
    pg_col_id(&c, x.by_user, sizeof x.by_user);
    x.at = pg_col_int(&c);
    ((store_extension_cb)l->cb)(l->cls, &x);
    store_extension_release(&x);
}

static int
pg_extension_list(struct store *s,
                  const char *subpoena_id,
                  store_extension_cb cb,
                  void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, subpoena_id);
    return pg_run_list(pg_to_pg(s), PG_EXTENSION_LIST,
                       "SELECT " EXTENSION_COLS " FROM extensions"
                       " WHERE subpoena_id = $1 ORDER BY extended_at, rowid",
                       &p, "extension_list", extension_row, &l);
}

/* ---- deadlines ---------------------------------------------------------*/

static enum store_rc
pg_deadline_upsert(struct store *s, const struct store_deadline *d)
{
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_text(&p, d->case_kind);
    pg_bind_id(&p, d->case_id);
    pg_bind_text(&p, d->kind);
    pg_bind_text(&p, d->due);
    pg_bind_text(&p, d->rule_id);
    pg_bind_id(&p, d->calendar_id);
    pg_bind_time(&p, d->calendar_version);
    pg_bind_text(&p, d->trigger);
    pg_bind_text(&p, d->explanation);
    pg_bind_int(&p, d->computed_at);
    return pg_run_write(
        pg_to_pg(s), PG_DEADLINE_UPSERT,
        "INSERT INTO deadlines AS dl (id, version, created_at, updated_at,"
        " case_kind, case_id, kind, due, rule_id, calendar_id,"
        " calendar_version, triggered_by, explanation, computed_at,"
        " jurisdiction_org_id)"
        " VALUES ($1, 1, $11, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
        /* the case's jurisdiction (0006-deadline-jurisdiction) */
        " (CASE $2::text WHEN 'subpoena' THEN (SELECT p.recipient_org_id FROM"
        " subpoenas p WHERE p.id = $3) WHEN 'detainer' THEN"
        " (SELECT f.org_id FROM detainers d JOIN facilities f"
        " ON f.id = d.facility_id WHERE d.id = $3)"
        " WHEN 'enforcement' THEN (SELECT e.respondent_org_id"
        " FROM enforcements e WHERE e.id = $3) END))"
        " ON CONFLICT (case_kind, case_id, kind) DO UPDATE SET"
        " version = dl.version + 1, updated_at = excluded.updated_at,"
        " due = excluded.due, rule_id = excluded.rule_id,"
        " calendar_id = excluded.calendar_id,"
        " calendar_version = excluded.calendar_version,"
        " triggered_by = excluded.triggered_by,"
        " explanation = excluded.explanation,"
        " computed_at = excluded.computed_at,"
        " jurisdiction_org_id = excluded.jurisdiction_org_id",
        &p, "deadline_upsert");
}

static enum store_rc
pg_deadline_delete(struct store *s,
                   const char *case_kind,
                   const char *case_id,
                   const char *kind)
{
    struct pg_params p = {0};

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    pg_bind_text(&p, kind);
    return pg_run_write(pg_to_pg(s), PG_DEADLINE_DELETE,
                        "DELETE FROM deadlines"
                        " WHERE case_kind = $1 AND case_id = $2 AND kind = $3",
                        &p, "deadline_delete");
}

static void
deadline_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_deadline d;
    struct pg_cols c = {r, row, 0};

    memset(&d, 0, sizeof d);
    pg_col_id(&c, d.id, sizeof d.id);
    d.case_kind = pg_col_text(&c);
    pg_col_id(&c, d.case_id, sizeof d.case_id);
    d.kind = pg_col_text(&c);
    d.due = pg_col_text(&c);
    d.rule_id = pg_col_text(&c);
    pg_col_id(&c, d.calendar_id, sizeof d.calendar_id);
    d.calendar_version = pg_col_int(&c);
    d.trigger = pg_col_text(&c);
    d.explanation = pg_col_text(&c);
    d.computed_at = pg_col_int(&c);
    if (PQnfields(r) > c.i) { /* DEADLINE_DUE_COLS */
        d.case_number = pg_col_text(&c);
        d.case_state = pg_col_text(&c);
    }
    ((store_deadline_cb)l->cb)(l->cls, &d);
    store_deadline_release(&d);
}

static int
pg_deadline_list_for_case(struct store *s,
                          const char *case_kind,
                          const char *case_id,
                          store_deadline_cb cb,
                          void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    return pg_run_list(pg_to_pg(s), PG_DEADLINE_LIST_FOR_CASE,
                       "SELECT " DEADLINE_COLS " FROM deadlines dl"
                       " WHERE dl.case_kind = $1 AND dl.case_id = $2"
                       " ORDER BY dl.due, dl.kind",
                       &p, "deadline_list_for_case", deadline_row, &l);
}

/* The due list's parameters as columns (the scopes read q.*). */
#define DUE_PARAMS                                                   \
    " CROSS JOIN (SELECT $1::boolean AS is_all, $2::text AS agency," \
    "  $3::text AS jurisdiction, $4::text AS doj) q"

/* The due list after its first WHERE term: the window (a range on due, a
 * date or an instant whose date part comes first, up to the next day;
 * substr keeps the exact test), the caller's exact scope (each deadline's
 * case looked up by its key, never the scope's every case) and the list's
 * order, which the indexes on deadlines hold whole so that a walk stops at
 * the limit. */
#define DUE_WINDOW_SCOPE_ORDER                                              \
    " AND dl.due >= $5::text"                                               \
    " AND dl.due < to_char($6::date + 1, 'YYYY-MM-DD')"                     \
    " AND substr(dl.due, 1, 10) BETWEEN $5::text AND $6::text AND ("        \
    " (dl.case_kind = 'detainer' AND EXISTS (SELECT 1 FROM detainers d"     \
    "  WHERE d.id = dl.case_id AND " DETAINER_SCOPE "))"                    \
    " OR (dl.case_kind = 'subpoena' AND EXISTS (SELECT 1 FROM subpoenas p"  \
    "  WHERE p.id = dl.case_id AND " SUBPOENA_SCOPE "))"                    \
    " OR (dl.case_kind = 'enforcement' AND EXISTS (SELECT 1 FROM"           \
    "  enforcements e WHERE e.id = dl.case_id AND " ENFORCEMENT_SCOPE ")))" \
    " ORDER BY dl.due, dl.case_kind, dl.case_id, dl.kind LIMIT $7"

static int
pg_deadline_list_due(struct store *s,
                     const struct store_scope *scope,
                     const char *from_date,
                     const char *to_date,
                     int limit,
                     store_deadline_cb cb,
                     void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_int(&p, scope->all ? 1 : 0);
    pg_bind_id(&p, scope->agency_org_id);
    pg_bind_id(&p, scope->jurisdiction_org_id);
    pg_bind_id(&p, scope->doj_org_id);
    pg_bind_text(&p, from_date);
    pg_bind_text(&p, to_date);
    pg_bind_int(&p, limit);
    /* One jurisdiction's deadlines (its booking staff, custodians and
     * counsel): through the (jurisdiction, due, ...) index, whatever the
     * number of every organization's deadlines in the window. */
    if (store_scope_is_jurisdiction(scope))
        return pg_run_list(
            pg_to_pg(s), PG_DEADLINE_LIST_DUE_JURISDICTION,
            "SELECT " DEADLINE_DUE_COLS " FROM deadlines dl" DUE_PARAMS
            " WHERE dl.jurisdiction_org_id = $3::text" DUE_WINDOW_SCOPE_ORDER,
            &p, "deadline_list_due_jurisdiction", deadline_row, &l);
    /* A DOJ office's: those of its enforcement cases and of their
     * subpoenas, found by key (the unique (case_kind, case_id, kind)
     * index), not among every organization's of the window. */
    if (store_scope_is_doj(scope))
        return pg_run_list(
            pg_to_pg(s), PG_DEADLINE_LIST_DUE_DOJ,
            "SELECT " DEADLINE_DUE_COLS " FROM deadlines dl" DUE_PARAMS
            " WHERE dl.case_kind IN ('enforcement', 'subpoena')"
            " AND dl.case_id IN (SELECT x.id FROM"
            "  enforcements x WHERE x.doj_org_id = $4::text"
            "  UNION ALL SELECT x.subpoena_id FROM"
            "  enforcements x WHERE x.doj_org_id = $4::text)" DUE_WINDOW_SCOPE_ORDER,
            &p, "deadline_list_due_doj", deadline_row, &l);
    return pg_run_list(pg_to_pg(s), PG_DEADLINE_LIST_DUE,
                       "SELECT " DEADLINE_DUE_COLS
                       " FROM deadlines dl" DUE_PARAMS
                       " WHERE TRUE" DUE_WINDOW_SCOPE_ORDER,
                       &p, "deadline_list_due", deadline_row, &l);
}

/* ---- accounting of disclosures -----------------------------------------*/

#define DISCLOSURE_COLS                                            \
    "id, person_id, subpoena_id, source_org_id, recipient_org_id," \
    " disclosed_by, disclosed_at, nature, purpose"

static enum store_rc
pg_disclosure_insert(struct store *s, const struct store_disclosure *d)
{
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_id(&p, d->person_id);
    pg_bind_id(&p, d->subpoena_id);
    pg_bind_id(&p, d->source_org_id);
    pg_bind_id(&p, d->recipient_org_id);
    pg_bind_id(&p, d->disclosed_by);
    pg_bind_int(&p, d->disclosed_at);
    pg_bind_text(&p, d->nature);
    pg_bind_text(&p, d->purpose);
    return pg_run_write(pg_to_pg(s), PG_DISCLOSURE_INSERT,
                        "INSERT INTO disclosures (" DISCLOSURE_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        " ON CONFLICT DO NOTHING",
                        &p, "disclosure_insert");
}

static void
disclosure_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_disclosure d;
    struct pg_cols c = {r, row, 0};

    memset(&d, 0, sizeof d);
    pg_col_id(&c, d.id, sizeof d.id);
    pg_col_id(&c, d.person_id, sizeof d.person_id);
    pg_col_id(&c, d.subpoena_id, sizeof d.subpoena_id);
    pg_col_id(&c, d.source_org_id, sizeof d.source_org_id);
    pg_col_id(&c, d.recipient_org_id, sizeof d.recipient_org_id);
    pg_col_id(&c, d.disclosed_by, sizeof d.disclosed_by);
    d.disclosed_at = pg_col_int(&c);
    d.nature = pg_col_text(&c);
    d.purpose = pg_col_text(&c);
    ((store_disclosure_cb)l->cb)(l->cls, &d);
    store_disclosure_release(&d);
}

static int
pg_disclosure_list(struct store *s,
                   const char *person_id,
                   const char *source_org_id,
                   const struct store_cursor *after,
                   int limit,
                   store_disclosure_cb cb,
                   void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, person_id);
    pg_bind_id(&p, source_org_id);
    bind_page(&p, after, limit);
    return pg_run_list(pg_to_pg(s), PG_DISCLOSURE_LIST,
                       "SELECT " DISCLOSURE_COLS " FROM disclosures"
                       " WHERE person_id = $1::text"
                       " AND ($2::text IS NULL OR source_org_id = $2::text)"
                       " AND ($4::text IS NULL OR (disclosed_at, id)"
                       "      < ($3::bigint, $4::text))"
                       " ORDER BY disclosed_at DESC, id DESC LIMIT $5::bigint",
                       &p, "disclosure_list", disclosure_row, &l);
}

const struct store_cases_ops pg_cases_ops = {
    .detainer_list = pg_detainer_list,
    .detainer_count = pg_detainer_count,
    .subpoena_list = pg_subpoena_list,
    .subpoena_count = pg_subpoena_count,
    .enforcement_list = pg_enforcement_list,
    .enforcement_count = pg_enforcement_count,
    .subpoena_item_update = pg_subpoena_item_update,
    .extension_insert = pg_extension_insert,
    .extension_list = pg_extension_list,
    .enforcement_insert = pg_enforcement_insert,
    .enforcement_get = pg_enforcement_get,
    .enforcement_update = pg_enforcement_update,
    .deadline_upsert = pg_deadline_upsert,
    .deadline_delete = pg_deadline_delete,
    .deadline_list_for_case = pg_deadline_list_for_case,
    .deadline_list_due = pg_deadline_list_due,
    .disclosure_insert = pg_disclosure_insert,
    .disclosure_list = pg_disclosure_list,
};
