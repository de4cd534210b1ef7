/*
 * sq_cases.c: the SQLite implementation of store_cases.h: scoped case
 * lists and counts, subpoena item outcomes, extensions, enforcement cases
 * and deadlines.
 *
 * Every list and count binds the same leading parameters (bind_common):
 *   ?1 all, ?2 agency org, ?3 jurisdiction org, ?4 DOJ org (the scope);
 *   ?5 states (comma-separated), ?6 recipient, ?7 facility, ?8 person,
 *   ?9 agency filter, ?10 number, ?11 overdue_before (the filter);
 * lists then bind ?12 cursor created_at, ?13 cursor id, ?14 limit. A
 * statement that does not use the last of them simply has fewer
 * parameters; bind_common skips those. The scope test is part of the SQL,
 * so rows outside the scope are never read.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define ENFORCEMENT_COLS                                                \
    "id, version, created_at, updated_at, number, subpoena_id,"         \
    " agency_org_id, respondent_org_id, doj_org_id, state, court,"      \
    " district, docket_number, filed_on, hearing_on, response_due,"     \
    " result, entered_on, compliance_due, items_kept, contempt_kind,"   \
    " per_day_cents, fixed_cents, starts_on, purged_on, closed_reason," \
    " closed_at"

#define EXTENSION_COLS                                           \
    "id, subpoena_id, old_return_date, new_return_date, reason," \
    " extended_by, extended_at"

#define DEADLINE_COLS                                          \
    "id, case_kind, case_id, kind, due, rule_id, calendar_id," \
    " calendar_version, triggered_by, explanation, computed_at"

/* DEADLINE_COLS of `dl` and its case's number and state (the due list),
 * from DEADLINE_DUE_FROM. */
#define DEADLINE_DUE_COLS                                           \
    "dl.id, dl.case_kind, dl.case_id, dl.kind, dl.due, dl.rule_id," \
    " dl.calendar_id, dl.calendar_version, dl.triggered_by,"        \
    " dl.explanation, dl.computed_at, coalesce(p.number, d.number," \
    " e.number), coalesce(p.state, d.state, e.state)"

/* The deadlines, each with its case: one lookup by key in the table of
 * its kind (the other two joins test only the kind), which the scope test
 * and the number and state then share. */
#define DEADLINE_DUE_FROM                                       \
    " FROM deadlines dl"                                        \
    " LEFT JOIN subpoenas p ON dl.case_kind = 'subpoena'"       \
    "  AND p.id = dl.case_id"                                   \
    " LEFT JOIN detainers d ON dl.case_kind = 'detainer'"       \
    "  AND d.id = dl.case_id"                                   \
    " LEFT JOIN enforcements e ON dl.case_kind = 'enforcement'" \
    "  AND e.id = dl.case_id"

/* Whether ?5 (a comma-separated list of states) names column `col`. */
#define STATE_IN(col) \
    "(?5 IS NULL OR instr(',' || ?5 || ',', ',' || " col " || ',') > 0)"

#define DETAINER_SCOPE                                 \
    "(?1 OR (?2 IS NOT NULL AND d.agency_org_id = ?2)" \
    " OR (?3 IS NOT NULL AND d.facility_id IN"         \
    "  (SELECT f.id FROM facilities f WHERE f.org_id = ?3)))"

#define DETAINER_FILTER                         \
    STATE_IN("d.state")                         \
    " AND (?7 IS NULL OR d.facility_id = ?7)"   \
    " AND (?8 IS NULL OR d.person_id = ?8)"     \
    " AND (?9 IS NULL OR d.agency_org_id = ?9)" \
    " AND (?10 IS NULL OR d.number = ?10)"

/* A jurisdiction sees a subpoena only once it has been served. */
#define SUBPOENA_SCOPE                                 \
    "(?1 OR (?2 IS NOT NULL AND p.agency_org_id = ?2)" \
    " OR (?3 IS NOT NULL AND p.recipient_org_id = ?3"  \
    "     AND p.served_at IS NOT NULL)"                \
    " OR (?4 IS NOT NULL AND p.id IN"                  \
    "  (SELECT x.subpoena_id FROM enforcements x WHERE x.doj_org_id = ?4)))"

#define SUBPOENA_FILTER                                                   \
    STATE_IN("p.state")                                                   \
    " AND (?6 IS NULL OR p.recipient_org_id = ?6)"                        \
    " AND (?8 IS NULL OR p.person_id = ?8)"                               \
    " AND (?9 IS NULL OR p.agency_org_id = ?9)"                           \
    " AND (?10 IS NULL OR p.number = ?10)"                                \
    " AND (?11 IS NULL OR (p.state = 'served' AND p.responded_at IS NULL" \
    "      AND p.return_date < ?11))"

#define ENFORCEMENT_SCOPE                               \
    "(?1 OR (?2 IS NOT NULL AND e.agency_org_id = ?2)"  \
    " OR (?3 IS NOT NULL AND e.respondent_org_id = ?3)" \
    " OR (?4 IS NOT NULL AND e.doj_org_id = ?4))"

#define ENFORCEMENT_FILTER                          \
    STATE_IN("e.state")                             \
    " AND (?6 IS NULL OR e.respondent_org_id = ?6)" \
    " AND (?9 IS NULL OR e.agency_org_id = ?9)"     \
    " AND (?10 IS NULL OR e.number = ?10)"

/* Newest first, after the cursor ?12, ?13; at most ?14 rows. */
#define PAGE(t)                                                       \
    " AND (?12 IS NULL OR (" t ".created_at, " t ".id) < (?12, ?13))" \
    " ORDER BY " t ".created_at DESC, " t ".id DESC LIMIT ?14"

/* Bind text, or skip a parameter the statement does not have. */
static void
bind_opt(struct sq_binder *b, const char *v)
{
    if (b->st && b->i + 1 > sqlite3_bind_parameter_count(b->st)) {
        b->i++;
        return;
    }
    sq_bind_id(b, v);
}

static void
bind_common(struct sq_binder *b,
            const struct store_scope *scope,
            const struct store_case_filter *filter)
{
    static const struct store_case_filter none = {0};
    const struct store_case_filter *f = filter ? filter : &none;

    sq_bind_int(b, scope->all ? 1 : 0);
    bind_opt(b, scope->agency_org_id);
    bind_opt(b, scope->jurisdiction_org_id);
    bind_opt(b, scope->doj_org_id);
    bind_opt(b, f->state);
    bind_opt(b, f->recipient_org_id);
    bind_opt(b, f->facility_id);
    bind_opt(b, f->person_id);
    bind_opt(b, f->agency_org_id);
    bind_opt(b, f->number);
    bind_opt(b, f->overdue_before);
}

static void
bind_page(struct sq_binder *b, const struct store_cursor *after, int limit)
{
    if (after && after->id[0]) {
        sq_bind_int(b, after->created_at);
        sq_bind_text(b, after->id);
    } else {
        sq_bind_text(b, NULL);
        sq_bind_text(b, NULL);
    }
    sq_bind_int(b, limit);
}

/* Run a SELECT count(*) statement. */
static enum store_rc
run_count(struct sqlite_store *ss,
          struct sq_binder *b,
          const char *what,
          int64_t *n)
{
    enum store_rc rc = sq_run_read(ss, b, what);

    if (rc == STORE_ONE_RESULT) {
        *n = sqlite3_column_int64(b->st, 0);
        sq_stmt_done(b->st);
    } else if (rc == STORE_NO_RESULTS) {
        rc = STORE_HARD_ERROR; /* count(*) always gives a row */
    }
    return rc;
}

/* ---- detainers ---------------------------------------------------------*/

struct detainer_list {
    store_detainer_cb cb;
    void *cls;
};

static void
detainer_row(sqlite3_stmt *st, void *ctx)
{
    struct detainer_list *l = ctx;
    struct store_detainer d;

    sq_read_detainer(st, &d);
    l->cb(l->cls, &d);
    store_detainer_release(&d);
}

static int
sq_detainer_list(struct store *s,
                 const struct store_scope *scope,
                 const struct store_case_filter *filter,
                 const struct store_cursor *after,
                 int limit,
                 store_detainer_cb cb,
                 void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DETAINER_LIST,
                                      "SELECT " DETAINER_COLS
                                      " FROM detainers d WHERE " DETAINER_SCOPE
                                      " AND " DETAINER_FILTER PAGE("d")),
                          0, SQLITE_OK};
    struct detainer_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    bind_page(&b, after, limit);
    return sq_run_list(ss, &b, "detainer_list", detainer_row, &l);
}

static enum store_rc
sq_detainer_count(struct store *s,
                  const struct store_scope *scope,
                  const struct store_case_filter *filter,
                  int64_t *n)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DETAINER_COUNT,
                                      "SELECT count(*) FROM detainers d"
                                      " WHERE " DETAINER_SCOPE
                                      " AND " DETAINER_FILTER),
                          0, SQLITE_OK};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    return run_count(ss, &b, "detainer_count", n);
}

/* ---- subpoenas ---------------------------------------------------------*/

struct subpoena_list {
    store_subpoena_cb cb;
    void *cls;
};

static void
subpoena_row(sqlite3_stmt *st, void *ctx)
{
    struct subpoena_list *l = ctx;
    struct store_subpoena sp;

    sq_read_subpoena(st, &sp);
    l->cb(l->cls, &sp);
    store_subpoena_release(&sp);
}

/* One state of one organization's subpoenas (store_subpoena_list_is_keyed):
 * the same rows in the same order as the general list, through the index
 * on (organization, state, created_at, id). */
#define KEYED_TAIL                                                       \
    " AND p.state = ?2"                                                  \
    " AND (?3 IS NULL OR (p.state = 'served' AND p.responded_at IS NULL" \
    "      AND p.return_date < ?3))"                                     \
    " AND (?4 IS NULL OR (p.created_at, p.id) < (?4, ?5))"               \
    " ORDER BY p.created_at DESC, p.id DESC LIMIT ?6"

static int
subpoena_list_keyed(struct sqlite_store *ss,
                    const char *org,
                    bool as_recipient,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    struct subpoena_list *l)
{
    struct sq_binder b = {
        as_recipient ? sq_stmt_get(ss, STMT_ID_SUBPOENA_LIST_RECIPIENT,
                                   "SELECT " SUBPOENA_COLS " FROM subpoenas p"
                                   " WHERE p.recipient_org_id = ?1"
                                   " AND p.served_at IS NOT NULL" KEYED_TAIL)
                     : sq_stmt_get(ss, STMT_ID_SUBPOENA_LIST_AGENCY,
                                   "SELECT " SUBPOENA_COLS " FROM subpoenas p"
                                   " WHERE p.agency_org_id = ?1" KEYED_TAIL),
        0, SQLITE_OK};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, org);
    sq_bind_text(&b, filter->state);
    bind_opt(&b, filter->overdue_before);
    bind_page(&b, after, limit);
    return sq_run_list(ss, &b, "subpoena_list", subpoena_row, l);
}

static int
sq_subpoena_list(struct store *s,
                 const struct store_scope *scope,
                 const struct store_case_filter *filter,
                 const struct store_cursor *after,
                 int limit,
                 store_subpoena_cb cb,
                 void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct subpoena_list l = {cb, cls};
    const char *org = NULL;
    bool as_recipient = false;
    struct sq_binder b;

    if (store_subpoena_list_is_keyed(scope, filter, &org, &as_recipient))
        return subpoena_list_keyed(ss, org, as_recipient, filter, after, limit,
                                   &l);
    b = (struct sq_binder){sq_stmt_get(ss, STMT_ID_SUBPOENA_LIST,
                                       "SELECT " SUBPOENA_COLS
                                       " FROM subpoenas p WHERE " SUBPOENA_SCOPE
                                       " AND " SUBPOENA_FILTER PAGE("p")),
                           0, SQLITE_OK};
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    bind_page(&b, after, limit);
    return sq_run_list(ss, &b, "subpoena_list", subpoena_row, &l);
}

static enum store_rc
sq_subpoena_count(struct store *s,
                  const struct store_scope *scope,
                  const struct store_case_filter *filter,
                  int64_t *n)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SUBPOENA_COUNT,
                                      "SELECT count(*) FROM subpoenas p"
                                      " WHERE " SUBPOENA_SCOPE
                                      " AND " SUBPOENA_FILTER),
                          0, SQLITE_OK};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    return run_count(ss, &b, "subpoena_count", n);
}

/* ---- enforcement cases -------------------------------------------------*/

/* Money: a negative amount means none (NULL). */
static void
bind_cents(struct sq_binder *b, int64_t cents)
{
    if (cents < 0)
        sq_bind_text(b, NULL);
    else
        sq_bind_int(b, cents);
}

static int64_t
col_cents(struct sq_cols *c)
{
    bool is_null = sqlite3_column_type(c->st, c->i) == SQLITE_NULL;
    int64_t v = sq_col_int(c);

    return is_null ? -1 : v;
}

static void
read_enforcement(sqlite3_stmt *st, struct store_enforcement *e)
{
    struct sq_cols c = {st, 0};

    memset(e, 0, sizeof *e);
    sq_col_id(&c, e->id, sizeof e->id);
    e->version = sq_col_int(&c);
    e->created_at = sq_col_int(&c);
    e->updated_at = sq_col_int(&c);
    sq_col_id(&c, e->number, sizeof e->number);
    sq_col_id(&c, e->subpoena_id, sizeof e->subpoena_id);
    sq_col_id(&c, e->agency_org_id, sizeof e->agency_org_id);
    sq_col_id(&c, e->respondent_org_id, sizeof e->respondent_org_id);
    sq_col_id(&c, e->doj_org_id, sizeof e->doj_org_id);
    e->state = sq_col_text(&c);
    e->court = sq_col_text(&c);
    e->district = sq_col_text(&c);
    e->docket_number = sq_col_text(&c);
    e->filed_on = sq_col_text(&c);
    e->hearing_on = sq_col_text(&c);
    e->response_due = sq_col_text(&c);
    e->result = sq_col_text(&c);
    e->entered_on = sq_col_text(&c);
    e->compliance_due = sq_col_text(&c);
    e->items_kept = sq_col_text(&c);
    e->contempt_kind = sq_col_text(&c);
    e->per_day_cents = col_cents(&c);
    e->fixed_cents = col_cents(&c);
    e->starts_on = sq_col_text(&c);
    e->purged_on = sq_col_text(&c);
    e->closed_reason = sq_col_text(&c);
    e->closed_at = sq_col_int(&c);
}

/* Bind the mutable fields, from doj_org_id to closed_at, in column
 * order. */
static void
bind_enforcement_fields(struct sq_binder *b, const struct store_enforcement *e)
{
    sq_bind_id(b, e->doj_org_id);
    sq_bind_text(b, e->state);
    sq_bind_text(b, e->court);
    sq_bind_text(b, e->district);
    sq_bind_text(b, e->docket_number);
    sq_bind_text(b, e->filed_on);
    sq_bind_text(b, e->hearing_on);
    sq_bind_text(b, e->response_due);
    sq_bind_text(b, e->result);
    sq_bind_text(b, e->entered_on);
    sq_bind_text(b, e->compliance_due);
    sq_bind_text(b, e->items_kept);
    sq_bind_text(b, e->contempt_kind);
    bind_cents(b, e->per_day_cents);
    bind_cents(b, e->fixed_cents);
    sq_bind_text(b, e->starts_on);
    sq_bind_text(b, e->purged_on);
    sq_bind_text(b, e->closed_reason);
    sq_bind_time(b, e->closed_at);
}

static enum store_rc
sq_enforcement_insert(struct store *s, const struct store_enforcement *e)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_ENFORCEMENT_INSERT,
                    "INSERT INTO enforcements (" ENFORCEMENT_COLS ")"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, e->id);
    sq_bind_int(&b, e->created_at);
    sq_bind_int(&b, e->updated_at);
    sq_bind_id(&b, e->number);
    sq_bind_id(&b, e->subpoena_id);
    sq_bind_id(&b, e->agency_org_id);
    sq_bind_id(&b, e->respondent_org_id);
    bind_enforcement_fields(&b, e);
    return sq_run_write(ss, &b, "enforcement_insert");
}

static enum store_rc
sq_enforcement_get(struct store *s,
                   const char *id,
                   struct store_enforcement *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_ENFORCEMENT_GET,
                                      "SELECT " ENFORCEMENT_COLS
                                      " FROM enforcements WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "enforcement_get");
    if (rc == STORE_ONE_RESULT) {
        read_enforcement(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_enforcement_update(struct store *s, const struct store_enforcement *e)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_ENFORCEMENT_UPDATE,
                    "UPDATE enforcements SET version = version + 1,"
                    " updated_at = ?, doj_org_id = ?, state = ?, court = ?,"
                    " district = ?, docket_number = ?, filed_on = ?,"
                    " hearing_on = ?, response_due = ?, result = ?,"
                    " entered_on = ?, compliance_due = ?, items_kept = ?,"
                    " contempt_kind = ?, per_day_cents = ?, fixed_cents = ?,"
                    " starts_on = ?, purged_on = ?, closed_reason = ?,"
                    " closed_at = ? WHERE id = ? AND version = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, e->updated_at);
    bind_enforcement_fields(&b, e);
    sq_bind_text(&b, e->id);
    sq_bind_int(&b, e->version);
    return sq_run_write(ss, &b, "enforcement_update");
}

struct enforcement_list {
    store_enforcement_cb cb;
    void *cls;
};

static void
enforcement_row(sqlite3_stmt *st, void *ctx)
{
    struct enforcement_list *l = ctx;
    struct store_enforcement e;

    read_enforcement(st, &e);
    l->cb(l->cls, &e);
    store_enforcement_release(&e);
}

static int
sq_enforcement_list(struct store *s,
                    const struct store_scope *scope,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    store_enforcement_cb cb,
                    void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_ENFORCEMENT_LIST,
                    "SELECT " ENFORCEMENT_COLS
                    " FROM enforcements e WHERE " ENFORCEMENT_SCOPE
                    " AND " ENFORCEMENT_FILTER PAGE("e")),
        0, SQLITE_OK};
    struct enforcement_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    bind_page(&b, after, limit);
    return sq_run_list(ss, &b, "enforcement_list", enforcement_row, &l);
}

static enum store_rc
sq_enforcement_count(struct store *s,
                     const struct store_scope *scope,
                     const struct store_case_filter *filter,
                     int64_t *n)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_ENFORCEMENT_COUNT,
                                      "SELECT count(*) FROM enforcements e"
                                      " WHERE " ENFORCEMENT_SCOPE
                                      " AND " ENFORCEMENT_FILTER),
                          0, SQLITE_OK};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    bind_common(&b, scope, filter);
    return run_count(ss, &b, "enforcement_count", n);
}

/* ---- subpoena items and extensions -------------------------------------*/

static enum store_rc
sq_subpoena_item_update(struct store *s,
                        const char *subpoena_id,
                        const struct store_subpoena_item *it)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SUBPOENA_ITEM_UPDATE,
                    "UPDATE subpoena_items SET version = version + 1,"
                    " updated_at = ?, outcome = ?, ground = ?, value = ?"
                    " WHERE id = ? AND subpoena_id = ?"),
        0, SQLITE_OK};

    sq_bind_int(&b, it->updated_at);
    sq_bind_text(&b, it->outcome);
    sq_bind_text(&b, it->ground);
    sq_bind_blob(&b, &it->value);
    sq_bind_text(&b, it->id);
    sq_bind_text(&b, subpoena_id);
    return sq_run_write(ss, &b, "subpoena_item_update");
}

static enum store_rc
sq_extension_insert(struct store *s, const struct store_extension *x)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_EXTENSION_INSERT,
                    "INSERT INTO extensions (created_at, " EXTENSION_COLS ")"
                    " VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, x->id);
    sq_bind_id(&b, x->subpoena_id);
    sq_bind_text(&b, x->old_return_date);
    sq_bind_text(&b, x->new_return_date);
    sq_bind_text(&b, x->reason);
    sq_bind_id(&b, x->by_user);
    sq_bind_int(&b, x->at);
    return sq_run_write(ss, &b, "extension_insert");
}

struct extension_list {
    store_extension_cb cb;
    void *cls;
};

static void
extension_row(sqlite3_stmt *st, void *ctx)
{
    struct extension_list *l = ctx;
    struct store_extension x;
    struct sq_cols c = {st, 0};

    memset(&x, 0, sizeof x);
    sq_col_id(&c, x.id, sizeof x.id);
    sq_col_id(&c, x.subpoena_id, sizeof x.subpoena_id);
    x.old_return_date = sq_col_text(&c);
    x.new_return_date = sq_col_text(&c);
    x.reason = sq_col_text(&c);
    sq_col_id(&c, x.by_user, sizeof x.by_user);
    x.at = sq_col_int(&c);
    l->cb(l->cls, &x);
    store_extension_release(&x);
}

static int
sq_extension_list(struct store *s,
                  const char *subpoena_id,
                  store_extension_cb cb,
                  void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_EXTENSION_LIST,
                    "SELECT " EXTENSION_COLS " FROM extensions"
                    " WHERE subpoena_id = ? ORDER BY extended_at, rowid"),
        0, SQLITE_OK};
    struct extension_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, subpoena_id);
    return sq_run_list(ss, &b, "extension_list", extension_row, &l);
}

/* ---- deadlines ---------------------------------------------------------*/

static enum store_rc
sq_deadline_upsert(struct store *s, const struct store_deadline *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(
            ss, STMT_ID_DEADLINE_UPSERT,
            "INSERT INTO deadlines (id, version, created_at,"
            " updated_at, case_kind, case_id, kind, due, rule_id,"
            " calendar_id, calendar_version, triggered_by,"
            " explanation, computed_at, jurisdiction_org_id)"
            /* the case's jurisdiction (0014-deadline-jurisdiction) */
            " VALUES (?1, 1, ?11, ?11, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
            " ?9, ?10, ?11,"
            " (CASE ?2 WHEN 'subpoena' THEN (SELECT p.recipient_org_id FROM"
            " subpoenas p WHERE p.id = ?3) WHEN 'detainer' THEN"
            " (SELECT f.org_id FROM detainers d JOIN facilities f"
            " ON f.id = d.facility_id WHERE d.id = ?3)"
            " WHEN 'enforcement' THEN (SELECT e.respondent_org_id"
            " FROM enforcements e WHERE e.id = ?3) END))"
            " ON CONFLICT (case_kind, case_id, kind) DO UPDATE SET"
            " version = version + 1, updated_at = excluded.updated_at,"
            " due = excluded.due, rule_id = excluded.rule_id,"
            " calendar_id = excluded.calendar_id,"
            " calendar_version = excluded.calendar_version,"
            " triggered_by = excluded.triggered_by,"
            " explanation = excluded.explanation,"
            " computed_at = excluded.computed_at,"
            " jurisdiction_org_id = excluded.jurisdiction_org_id"),
        0, SQLITE_OK};

    sq_bind_id(&b, d->id);
    sq_bind_text(&b, d->case_kind);
    sq_bind_id(&b, d->case_id);
    sq_bind_text(&b, d->kind);
    sq_bind_text(&b, d->due);
    sq_bind_text(&b, d->rule_id);
    sq_bind_id(&b, d->calendar_id);
    sq_bind_time(&b, d->calendar_version);
    sq_bind_text(&b, d->trigger);
    sq_bind_text(&b, d->explanation);
    sq_bind_int(&b, d->computed_at);
    return sq_run_write(ss, &b, "deadline_upsert");
}

static enum store_rc
sq_deadline_delete(struct store *s,
                   const char *case_kind,
                   const char *case_id,
                   const char *kind)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DEADLINE_DELETE,
                    "DELETE FROM deadlines"
                    " WHERE case_kind = ? AND case_id = ? AND kind = ?"),
        0, SQLITE_OK};

    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    sq_bind_text(&b, kind);
    return sq_run_write(ss, &b, "deadline_delete");
}

struct deadline_list {
    store_deadline_cb cb;
    void *cls;
};

static void
deadline_row(sqlite3_stmt *st, void *ctx)
{
    struct deadline_list *l = ctx;
    struct store_deadline d;
    struct sq_cols c = {st, 0};

    memset(&d, 0, sizeof d);
    sq_col_id(&c, d.id, sizeof d.id);
    d.case_kind = sq_col_text(&c);
    sq_col_id(&c, d.case_id, sizeof d.case_id);
    d.kind = sq_col_text(&c);
    d.due = sq_col_text(&c);
    d.rule_id = sq_col_text(&c);
    sq_col_id(&c, d.calendar_id, sizeof d.calendar_id);
    d.calendar_version = sq_col_int(&c);
    d.trigger = sq_col_text(&c);
    d.explanation = sq_col_text(&c);
    d.computed_at = sq_col_int(&c);
    if (sqlite3_column_count(st) > c.i) { /* DEADLINE_DUE_COLS */
        d.case_number = sq_col_text(&c);
        d.case_state = sq_col_text(&c);
    }
    l->cb(l->cls, &d);
    store_deadline_release(&d);
}

/* A case's deadlines, collected to be sorted here: a case has a handful,
 * and the only index that finds them (case_kind, case_id, kind) does not
 * hold their order, so SQLite would build a sorter per read. */
struct deadline_rows {
    struct store_deadline *v;
    size_t n, cap;
};

static void
deadline_keep(sqlite3_stmt *st, void *ctx)
{
    struct deadline_rows *r = ctx;
    struct store_deadline *d;
    struct sq_cols c = {st, 0};

    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->v = cm_realloc(r->v, r->cap * sizeof *r->v);
    }
    d = &r->v[r->n++];
    memset(d, 0, sizeof *d);
    sq_col_id(&c, d->id, sizeof d->id);
    d->case_kind = sq_col_text(&c);
    sq_col_id(&c, d->case_id, sizeof d->case_id);
    d->kind = sq_col_text(&c);
    d->due = sq_col_text(&c);
    d->rule_id = sq_col_text(&c);
    sq_col_id(&c, d->calendar_id, sizeof d->calendar_id);
    d->calendar_version = sq_col_int(&c);
    d->trigger = sq_col_text(&c);
    d->explanation = sq_col_text(&c);
    d->computed_at = sq_col_int(&c);
}

/* ORDER BY due, kind as SQLite's BINARY collation orders text (NOT NULL
 * columns both). */
static int
deadline_order(const void *a, const void *b)
{
    const struct store_deadline *x = a;
    const struct store_deadline *y = b;
    int c = strcmp(x->due ? x->due : "", y->due ? y->due : "");

    return c != 0 ? c : strcmp(x->kind ? x->kind : "", y->kind ? y->kind : "");
}

static int
sq_deadline_list_for_case(struct store *s,
                          const char *case_kind,
                          const char *case_id,
                          store_deadline_cb cb,
                          void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_DEADLINE_LIST_FOR_CASE,
                                      "SELECT " DEADLINE_COLS " FROM deadlines"
                                      " WHERE case_kind = ? AND case_id = ?"),
                          0, SQLITE_OK};
    struct deadline_rows r = {NULL, 0, 0};
    int n;

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    n = sq_run_list(ss, &b, "deadline_list_for_case", deadline_keep, &r);
    if (n >= 0 && r.n > 1)
        qsort(r.v, r.n, sizeof *r.v, deadline_order);
    for (size_t i = 0; i < r.n; i++) {
        if (n >= 0)
            cb(cls, &r.v[i]);
        store_deadline_release(&r.v[i]);
    }
    cm_free(r.v);
    return n;
}

/* The due list after its first WHERE term: the window (a range on due, a
 * date or an instant whose date part is followed by 'T'; '~' sorts after
 * both; substr keeps the exact test), the caller's exact scope on the
 * deadline's case (joined by its key, DEADLINE_DUE_FROM, never the
 * scope's every case) and the list's order, which the indexes on
 * deadlines hold whole so that a walk stops at the limit. */
#define DUE_WINDOW_SCOPE_ORDER                           \
    " AND dl.due >= ?5 AND dl.due <= ?6 || '~'"          \
    " AND substr(dl.due, 1, 10) BETWEEN ?5 AND ?6 AND (" \
    " (d.id IS NOT NULL AND " DETAINER_SCOPE ")"         \
    " OR (p.id IS NOT NULL AND " SUBPOENA_SCOPE ")"      \
    " OR (e.id IS NOT NULL AND " ENFORCEMENT_SCOPE "))"  \
    " ORDER BY dl.due, dl.case_kind, dl.case_id, dl.kind LIMIT ?7"

static int
sq_deadline_list_due(struct store *s,
                     const struct store_scope *scope,
                     const char *from_date,
                     const char *to_date,
                     int limit,
                     store_deadline_cb cb,
                     void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {NULL, 0, SQLITE_OK};
    struct deadline_list l = {cb, cls};

    if (store_scope_is_jurisdiction(scope))
        /* One jurisdiction's deadlines (its booking staff, custodians and
         * counsel): through the (jurisdiction, due, ...) index, whatever
         * the number of every organization's deadlines in the window. */
        b.st = sq_stmt_get(
            ss, STMT_ID_DEADLINE_LIST_DUE_JURISDICTION,
            "SELECT " DEADLINE_DUE_COLS DEADLINE_DUE_FROM
            " WHERE dl.jurisdiction_org_id = ?3" DUE_WINDOW_SCOPE_ORDER);
    else if (store_scope_is_doj(scope))
        /* A DOJ office's: those of its enforcement cases and of their
         * subpoenas, found by key (the unique (case_kind, case_id, kind)
         * index), not among every organization's of the window. */
        b.st = sq_stmt_get(
            ss, STMT_ID_DEADLINE_LIST_DUE_DOJ,
            "SELECT " DEADLINE_DUE_COLS DEADLINE_DUE_FROM
            " WHERE dl.case_kind IN ('enforcement', 'subpoena')"
            " AND dl.case_id IN (SELECT x.id FROM"
            "  enforcements x WHERE x.doj_org_id = ?4"
            "  UNION ALL SELECT x.subpoena_id FROM"
            "  enforcements x WHERE x.doj_org_id = ?4)" DUE_WINDOW_SCOPE_ORDER);
    else
        b.st = sq_stmt_get(ss, STMT_ID_DEADLINE_LIST_DUE,
                           "SELECT " DEADLINE_DUE_COLS DEADLINE_DUE_FROM
                           " WHERE 1" DUE_WINDOW_SCOPE_ORDER);
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_int(&b, scope->all ? 1 : 0);
    sq_bind_id(&b, scope->agency_org_id);
    sq_bind_id(&b, scope->jurisdiction_org_id);
    sq_bind_id(&b, scope->doj_org_id);
    sq_bind_text(&b, from_date);
    sq_bind_text(&b, to_date);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "deadline_list_due", deadline_row, &l);
}

/* ---- accounting of disclosures -----------------------------------------*/

#define DISCLOSURE_COLS                                            \
    "id, person_id, subpoena_id, source_org_id, recipient_org_id," \
    " disclosed_by, disclosed_at, nature, purpose"

static enum store_rc
sq_disclosure_insert(struct store *s, const struct store_disclosure *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DISCLOSURE_INSERT,
                    "INSERT INTO disclosures (" DISCLOSURE_COLS ")"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, d->id);
    sq_bind_id(&b, d->person_id);
    sq_bind_id(&b, d->subpoena_id);
    sq_bind_id(&b, d->source_org_id);
    sq_bind_id(&b, d->recipient_org_id);
    sq_bind_id(&b, d->disclosed_by);
    sq_bind_int(&b, d->disclosed_at);
    sq_bind_text(&b, d->nature);
    sq_bind_text(&b, d->purpose);
    return sq_run_write(ss, &b, "disclosure_insert");
}

struct disclosure_list {
    store_disclosure_cb cb;
    void *cls;
};

static void
disclosure_row(sqlite3_stmt *st, void *ctx)
{
    struct disclosure_list *l = ctx;
    struct store_disclosure d;
    struct sq_cols c = {st, 0};

    memset(&d, 0, sizeof d);
    sq_col_id(&c, d.id, sizeof d.id);
    sq_col_id(&c, d.person_id, sizeof d.person_id);
    sq_col_id(&c, d.subpoena_id, sizeof d.subpoena_id);
    sq_col_id(&c, d.source_org_id, sizeof d.source_org_id);
    sq_col_id(&c, d.recipient_org_id, sizeof d.recipient_org_id);
    sq_col_id(&c, d.disclosed_by, sizeof d.disclosed_by);
    d.disclosed_at = sq_col_int(&c);
    d.nature = sq_col_text(&c);
    d.purpose = sq_col_text(&c);
    l->cb(l->cls, &d);
    store_disclosure_release(&d);
}

static int
sq_disclosure_list(struct store *s,
                   const char *person_id,
                   const char *source_org_id,
                   const struct store_cursor *after,
                   int limit,
                   store_disclosure_cb cb,
                   void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DISCLOSURE_LIST,
                    "SELECT " DISCLOSURE_COLS " FROM disclosures"
                    " WHERE person_id = ?1"
                    " AND (?2 IS NULL OR source_org_id = ?2)"
                    " AND (?3 IS NULL OR (disclosed_at, id) < (?3, ?4))"
                    " ORDER BY disclosed_at DESC, id DESC LIMIT ?5"),
        0, SQLITE_OK};
    struct disclosure_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, person_id);
    sq_bind_id(&b, source_org_id);
    bind_page(&b, after, limit);
    return sq_run_list(ss, &b, "disclosure_list", disclosure_row, &l);
}

const struct store_cases_ops sq_cases_ops = {
    .detainer_list = sq_detainer_list,
    .detainer_count = sq_detainer_count,
    .subpoena_list = sq_subpoena_list,
    .subpoena_count = sq_subpoena_count,
    .enforcement_list = sq_enforcement_list,
    .enforcement_count = sq_enforcement_count,
    .subpoena_item_update = sq_subpoena_item_update,
    .extension_insert = sq_extension_insert,
    .extension_list = sq_extension_list,
    .enforcement_insert = sq_enforcement_insert,
    .enforcement_get = sq_enforcement_get,
    .enforcement_update = sq_enforcement_update,
    .deadline_upsert = sq_deadline_upsert,
    .deadline_delete = sq_deadline_delete,
    .deadline_list_for_case = sq_deadline_list_for_case,
    .deadline_list_due = sq_deadline_list_due,
    .disclosure_insert = sq_disclosure_insert,
    .disclosure_list = sq_disclosure_list,
};
