/*
 * sq_admin.c: the SQLite implementation of store_admin.h: filtered
 * organization and facility lists, jurisdiction policies, delegations and
 * calendars. Adding a closure or a state holiday bumps the calendar's
 * version, records the version, and inserts the row, under a savepoint so
 * that the three are all or nothing even outside store_tx_run.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define POLICY_COLS                                                    \
    "id, org_id, policy_version, effective_from, detainers,"           \
    " release_notification, subpoenas, citation, summary, created_by," \
    " created_at"

#define DELEGATION_COLS                                                  \
    "id, user_id, authority, effective_from, effective_to, document_id," \
    " granted_by, created_at"

#define CALENDAR_COLS \
    "id, name, org_id, calendar_version, created_at, updated_at"

#define CLOSURE_COLS \
    "id, calendar_id, date, name, source, created_by, created_at, added_in"

#define HOLIDAY_COLS                                                       \
    "id, calendar_id, kind, month, day, weekday, nth, date, name, source," \
    " created_by, created_at, added_in"

/* ---- organizations and facilities --------------------------------------*/

struct org_list {
    store_org_cb cb;
    void *cls;
};

static void
org_row(sqlite3_stmt *st, void *ctx)
{
    struct org_list *l = ctx;
    struct store_org o;

    sq_read_org(st, &o);
    l->cb(l->cls, &o);
    store_org_release(&o);
}

static int
sq_org_list_by_kind(struct store *s,
                    const char *kind,
                    const char *after_id,
                    int limit,
                    store_org_cb cb,
                    void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_ORG_LIST_BY_KIND,
                    "SELECT " ORG_COLS " FROM organizations"
                    " WHERE (?1 IS NULL OR kind = ?1)"
                    " AND (?2 IS NULL OR (created_at, id) >"
                    "  (SELECT created_at, id FROM organizations"
                    "   WHERE id = ?2))"
                    " ORDER BY created_at, id LIMIT ?3"),
        0, SQLITE_OK};
    struct org_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_id(&b, kind);
    sq_bind_id(&b, after_id);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "org_list_by_kind", org_row, &l);
}

struct facility_list {
    store_facility_cb cb;
    void *cls;
};

static void
facility_row(sqlite3_stmt *st, void *ctx)
{
    struct facility_list *l = ctx;
    struct store_facility f;

    sq_read_facility(st, &f);
    l->cb(l->cls, &f);
    store_facility_release(&f);
}

static int
sq_facility_list(struct store *s,
                 const char *after_id,
                 int limit,
                 store_facility_cb cb,
                 void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_FACILITY_LIST,
                    "SELECT " FACILITY_COLS " FROM facilities"
                    " WHERE (?1 IS NULL OR (created_at, id) >"
                    "  (SELECT created_at, id FROM facilities WHERE id = ?1))"
                    " ORDER BY created_at, id LIMIT ?2"),
        0, SQLITE_OK};
    struct facility_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_id(&b, after_id);
    sq_bind_int(&b, limit);
    return sq_run_list(ss, &b, "facility_list", facility_row, &l);
}

/* ---- jurisdiction policies ---------------------------------------------*/

static void
read_policy(sqlite3_stmt *st, struct store_policy *p)
{
    struct sq_cols c = {st, 0};

    memset(p, 0, sizeof *p);
    sq_col_id(&c, p->id, sizeof p->id);
    sq_col_id(&c, p->org_id, sizeof p->org_id);
    p->version_no = sq_col_int(&c);
    p->effective_from = sq_col_text(&c);
    p->detainers = sq_col_text(&c);
    p->release_notification = sq_col_int(&c) != 0;
    p->subpoenas = sq_col_text(&c);
    p->citation = sq_col_text(&c);
    p->summary = sq_col_text(&c);
    sq_col_id(&c, p->created_by, sizeof p->created_by);
    p->created_at = sq_col_int(&c);
}

static enum store_rc
sq_policy_insert(struct store *s,
                 const struct store_policy *p,
                 int64_t *version_no)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_POLICY_INSERT,
                    "INSERT INTO jurisdiction_policies (id, version,"
                    " created_at, updated_at, org_id, policy_version,"
                    " effective_from, detainers, release_notification,"
                    " subpoenas, citation, summary, created_by)"
                    " SELECT ?1, 1, ?2, ?2, ?3,"
                    " coalesce(max(policy_version), 0) + 1, ?4, ?5, ?6, ?7,"
                    " ?8, ?9, ?10 FROM jurisdiction_policies"
                    " WHERE org_id = ?3"
                    " ON CONFLICT DO NOTHING RETURNING policy_version"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_id(&b, p->id);
    sq_bind_int(&b, p->created_at);
    sq_bind_id(&b, p->org_id);
    sq_bind_text(&b, p->effective_from);
    sq_bind_text(&b, p->detainers);
    sq_bind_int(&b, p->release_notification ? 1 : 0);
    sq_bind_text(&b, p->subpoenas);
    sq_bind_text(&b, p->citation);
    sq_bind_text(&b, p->summary);
    sq_bind_id(&b, p->created_by);
    rc = sq_run_read(ss, &b, "policy_insert");
    if (rc == STORE_ONE_RESULT)
        rc = sq_finish_returning(ss, b.st, "policy_insert", version_no);
    return rc;
}

static enum store_rc
policy_get_with(struct sqlite_store *ss,
                struct sq_binder *b,
                struct store_policy *out)
{
    enum store_rc rc = sq_run_read(ss, b, "policy_get");

    if (rc == STORE_ONE_RESULT) {
        read_policy(b->st, out);
        sq_stmt_done(b->st);
    }
    return rc;
}

static enum store_rc
sq_policy_get(struct store *s, const char *id, struct store_policy *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_POLICY_GET,
                                      "SELECT " POLICY_COLS
                                      " FROM jurisdiction_policies"
                                      " WHERE id = ?"),
                          0, SQLITE_OK};

    sq_bind_text(&b, id);
    return policy_get_with(ss, &b, out);
}

struct policy_list {
    store_policy_cb cb;
    void *cls;
};

static void
policy_row(sqlite3_stmt *st, void *ctx)
{
    struct policy_list *l = ctx;
    struct store_policy p;

    read_policy(st, &p);
    l->cb(l->cls, &p);
    store_policy_release(&p);
}

static int
sq_policy_list_by_org(struct store *s,
                      const char *org_id,
                      store_policy_cb cb,
                      void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_POLICY_LIST_BY_ORG,
                    "SELECT " POLICY_COLS " FROM jurisdiction_policies"
                    " WHERE org_id = ? ORDER BY policy_version"),
        0, SQLITE_OK};
    struct policy_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, org_id);
    return sq_run_list(ss, &b, "policy_list_by_org", policy_row, &l);
}

static enum store_rc
sq_policy_in_force(struct store *s,
                   const char *org_id,
                   const char *date,
                   struct store_policy *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_POLICY_IN_FORCE,
                    "SELECT " POLICY_COLS " FROM jurisdiction_policies"
                    " WHERE org_id = ? AND effective_from <= ?"
                    " ORDER BY effective_from DESC, policy_version DESC"
                    " LIMIT 1"),
        0, SQLITE_OK};

    sq_bind_text(&b, org_id);
    sq_bind_text(&b, date);
    return policy_get_with(ss, &b, out);
}

/* ---- delegations -------------------------------------------------------*/

static void
read_delegation(sqlite3_stmt *st, struct store_delegation *d)
{
    struct sq_cols c = {st, 0};

    memset(d, 0, sizeof *d);
    sq_col_id(&c, d->id, sizeof d->id);
    sq_col_id(&c, d->user_id, sizeof d->user_id);
    d->authority = sq_col_text(&c);
    d->effective_from = sq_col_text(&c);
    d->effective_to = sq_col_text(&c);
    sq_col_id(&c, d->document_id, sizeof d->document_id);
    sq_col_id(&c, d->created_by, sizeof d->created_by);
    d->created_at = sq_col_int(&c);
}

static enum store_rc
sq_delegation_insert(struct store *s, const struct store_delegation *d)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DELEGATION_INSERT,
                    "INSERT INTO delegations (id, version, created_at,"
                    " updated_at, user_id, authority, effective_from,"
                    " effective_to, document_id, granted_by)"
                    " VALUES (?1, 1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, d->id);
    sq_bind_int(&b, d->created_at);
    sq_bind_id(&b, d->user_id);
    sq_bind_text(&b, d->authority);
    sq_bind_text(&b, d->effective_from);
    sq_bind_text(&b, d->effective_to);
    sq_bind_id(&b, d->document_id);
    sq_bind_id(&b, d->created_by);
    return sq_run_write(ss, &b, "delegation_insert");
}

struct delegation_list {
    store_delegation_cb cb;
    void *cls;
};

static void
delegation_row(sqlite3_stmt *st, void *ctx)
{
    struct delegation_list *l = ctx;
    struct store_delegation d;

    read_delegation(st, &d);
    l->cb(l->cls, &d);
    store_delegation_release(&d);
}

static int
sq_delegation_list_by_user(struct store *s,
                           const char *user_id,
                           store_delegation_cb cb,
                           void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DELEGATION_LIST_BY_USER,
                    "SELECT " DELEGATION_COLS " FROM delegations"
                    " WHERE user_id = ? ORDER BY effective_from, id"),
        0, SQLITE_OK};
    struct delegation_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, user_id);
    return sq_run_list(ss, &b, "delegation_list_by_user", delegation_row, &l);
}

static enum store_rc
sq_delegation_in_force(struct store *s,
                       const char *user_id,
                       const char *date,
                       struct store_delegation *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DELEGATION_IN_FORCE,
                    "SELECT " DELEGATION_COLS " FROM delegations"
                    " WHERE user_id = ?1 AND revoked_at IS NULL"
                    " AND effective_from <= ?2"
                    " AND (effective_to IS NULL OR effective_to >= ?2)"
                    " ORDER BY effective_from DESC, id LIMIT 1"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, user_id);
    sq_bind_text(&b, date);
    rc = sq_run_read(ss, &b, "delegation_in_force");
    if (rc == STORE_ONE_RESULT) {
        read_delegation(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

/* ---- calendars ---------------------------------------------------------*/

static void
read_calendar(sqlite3_stmt *st, struct store_calendar *cal)
{
    struct sq_cols c = {st, 0};

    memset(cal, 0, sizeof *cal);
    sq_col_id(&c, cal->id, sizeof cal->id);
    cal->name = sq_col_text(&c);
    sq_col_id(&c, cal->org_id, sizeof cal->org_id);
    cal->version = sq_col_int(&c);
    cal->created_at = sq_col_int(&c);
    cal->updated_at = sq_col_int(&c);
}

static enum store_rc
sq_calendar_insert(struct store *s, const struct store_calendar *cal)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_CALENDAR_INSERT,
                    "INSERT INTO calendars (id, version, created_at,"
                    " updated_at, name, kind, org_id, calendar_version)"
                    " VALUES (?1, 1, ?2, ?3, ?4,"
                    " CASE WHEN ?5 IS NULL THEN 'federal' ELSE 'state' END,"
                    " ?5, 1) ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, cal->id);
    sq_bind_int(&b, cal->created_at);
    sq_bind_int(&b, cal->updated_at ? cal->updated_at : cal->created_at);
    sq_bind_text(&b, cal->name);
    sq_bind_id(&b, cal->org_id);
    return sq_run_write(ss, &b, "calendar_insert");
}

static enum store_rc
calendar_get_with(struct sqlite_store *ss,
                  sqlite3_stmt *st,
                  const char *key,
                  struct store_calendar *out)
{
    struct sq_binder b = {st, 0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, key);
    rc = sq_run_read(ss, &b, "calendar_get");
    if (rc == STORE_ONE_RESULT) {
        read_calendar(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_calendar_get(struct store *s, const char *id, struct store_calendar *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    return calendar_get_with(ss,
                             sq_stmt_get(ss, STMT_ID_CALENDAR_GET,
                                         "SELECT " CALENDAR_COLS
                                         " FROM calendars WHERE id = ?"),
                             id, out);
}

static enum store_rc
sq_calendar_get_by_org(struct store *s,
                       const char *org_id,
                       struct store_calendar *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    return calendar_get_with(
        ss,
        sq_stmt_get(ss, STMT_ID_CALENDAR_GET_BY_ORG,
                    "SELECT " CALENDAR_COLS " FROM calendars"
                    " WHERE org_id = ? ORDER BY created_at, id LIMIT 1"),
        org_id, out);
}

struct calendar_list {
    store_calendar_cb cb;
    void *cls;
};

static void
calendar_row(sqlite3_stmt *st, void *ctx)
{
    struct calendar_list *l = ctx;
    struct store_calendar c;

    read_calendar(st, &c);
    l->cb(l->cls, &c);
    store_calendar_release(&c);
}

static int
sq_calendar_list(struct store *s, store_calendar_cb cb, void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_CALENDAR_LIST,
                                      "SELECT " CALENDAR_COLS
                                      " FROM calendars ORDER BY name"),
                          0, SQLITE_OK};
    struct calendar_list l = {cb, cls};

    return sq_run_list(ss, &b, "calendar_list", calendar_row, &l);
}

/* Bump calendar `id`'s version and record it; *version = the new one. */
static enum store_rc
calendar_bump(struct sqlite_store *ss,
              const char *id,
              int64_t at,
              const char *by,
              const char *note,
              int64_t *version)
{
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_CALENDAR_BUMP,
                    "UPDATE calendars SET version = version + 1,"
                    " calendar_version = calendar_version + 1,"
                    " updated_at = ?1 WHERE id = ?2"
                    " RETURNING calendar_version"),
        0, SQLITE_OK};
    struct sq_binder v = {
        sq_stmt_get(ss, STMT_ID_CALENDAR_VERSION_INSERT,
                    "INSERT INTO calendar_versions (calendar_id,"
                    " calendar_version, created_at, created_by, note)"
                    " VALUES (?, ?, ?, ?, ?)"),
        0, SQLITE_OK};
    int64_t n = 0;
    enum store_rc rc;

    if (v.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_int(&b, at);
    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "calendar_bump");
    if (rc == STORE_ONE_RESULT)
        rc = sq_finish_returning(ss, b.st, "calendar_bump", &n);
    if (rc != STORE_ONE_RESULT)
        return rc;
    sq_bind_text(&v, id);
    sq_bind_int(&v, n);
    sq_bind_int(&v, at);
    sq_bind_id(&v, by);
    sq_bind_text(&v, note);
    rc = sq_run_write(ss, &v, "calendar_version_insert");
    if (rc == STORE_ONE_RESULT)
        *version = n;
    return rc;
}

/* The row a calendar change adds, bound and written by `insert`. */
typedef enum store_rc (*calendar_row_fn)(struct sqlite_store *ss,
                                         const void *row,
                                         int64_t version);

/* Bump the calendar's version, then insert the row, all or nothing. */
static enum store_rc
calendar_change(struct sqlite_store *ss,
                const char *calendar_id,
                int64_t at,
                const char *by,
                const char *note,
                calendar_row_fn insert,
                const void *row,
                int64_t *version)
{
    int64_t n = 0;
    enum store_rc rc = sq_run_fixed(ss, STMT_ID_CALENDAR_SAVEPOINT,
                                    "SAVEPOINT calendar_change");

    if (rc < 0)
        return rc;
    rc = calendar_bump(ss, calendar_id, at, by, note, &n);
    if (rc == STORE_ONE_RESULT)
        rc = insert(ss, row, n);
    if (rc != STORE_ONE_RESULT)
        (void)sq_run_fixed(ss, STMT_ID_CALENDAR_ROLLBACK_TO,
                           "ROLLBACK TO calendar_change");
    if (sq_run_fixed(ss, STMT_ID_CALENDAR_RELEASE, "RELEASE calendar_change") <
            0 &&
        rc >= 0)
        rc = STORE_HARD_ERROR;
    if (rc == STORE_ONE_RESULT)
        *version = n;
    return rc;
}

static void
read_closure(sqlite3_stmt *st, struct store_closure *cl)
{
    struct sq_cols c = {st, 0};

    memset(cl, 0, sizeof *cl);
    sq_col_id(&c, cl->id, sizeof cl->id);
    sq_col_id(&c, cl->calendar_id, sizeof cl->calendar_id);
    cl->date = sq_col_text(&c);
    cl->name = sq_col_text(&c);
    cl->source = sq_col_text(&c);
    sq_col_id(&c, cl->created_by, sizeof cl->created_by);
    cl->created_at = sq_col_int(&c);
    cl->added_in = sq_col_int(&c);
}

static enum store_rc
closure_insert_row(struct sqlite_store *ss, const void *row, int64_t version)
{
    const struct store_closure *cl = row;
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_CLOSURE_INSERT,
                                      "INSERT INTO calendar_closures"
                                      " (" CLOSURE_COLS ")"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_id(&b, cl->id);
    sq_bind_id(&b, cl->calendar_id);
    sq_bind_text(&b, cl->date);
    sq_bind_text(&b, cl->name);
    sq_bind_text(&b, cl->source);
    sq_bind_id(&b, cl->created_by);
    sq_bind_int(&b, cl->created_at);
    sq_bind_int(&b, version);
    return sq_run_write(ss, &b, "closure_insert");
}

static enum store_rc
sq_closure_insert(struct store *s,
                  const struct store_closure *c,
                  int64_t *version)
{
    return calendar_change(sq_to_sqlite(s), c->calendar_id, c->created_at,
                           c->created_by, c->name, closure_insert_row, c,
                           version);
}

struct closure_list {
    store_closure_cb cb;
    void *cls;
};

static void
closure_row(sqlite3_stmt *st, void *ctx)
{
    struct closure_list *l = ctx;
    struct store_closure c;

    read_closure(st, &c);
    l->cb(l->cls, &c);
    store_closure_release(&c);
}

static int
sq_closure_list(struct store *s,
                const char *calendar_id,
                store_closure_cb cb,
                void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_CLOSURE_LIST,
                    "SELECT " CLOSURE_COLS " FROM calendar_closures"
                    " WHERE calendar_id = ? AND removed_in IS NULL"
                    " ORDER BY date, id"),
        0, SQLITE_OK};
    struct closure_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, calendar_id);
    return sq_run_list(ss, &b, "closure_list", closure_row, &l);
}

static void
read_holiday(sqlite3_stmt *st, struct store_state_holiday *h)
{
    struct sq_cols c = {st, 0};

    memset(h, 0, sizeof *h);
    sq_col_id(&c, h->id, sizeof h->id);
    sq_col_id(&c, h->calendar_id, sizeof h->calendar_id);
    h->kind = sq_col_text(&c);
    h->month = (int)sq_col_int(&c);
    h->day = (int)sq_col_int(&c);
    h->weekday = (int)sq_col_int(&c);
    h->nth = (int)sq_col_int(&c);
    h->date = sq_col_text(&c);
    h->name = sq_col_text(&c);
    h->source = sq_col_text(&c);
    sq_col_id(&c, h->created_by, sizeof h->created_by);
    h->created_at = sq_col_int(&c);
    h->added_in = sq_col_int(&c);
}

static enum store_rc
holiday_insert_row(struct sqlite_store *ss, const void *row, int64_t version)
{
    const struct store_state_holiday *h = row;
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_STATE_HOLIDAY_INSERT,
                    "INSERT INTO state_holidays (" HOLIDAY_COLS ")"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};
    bool has_weekday = strcmp(h->kind, "nth_weekday") == 0 ||
                       strcmp(h->kind, "last_weekday") == 0;

    sq_bind_id(&b, h->id);
    sq_bind_id(&b, h->calendar_id);
    sq_bind_text(&b, h->kind);
    sq_bind_time(&b, h->month); /* 0 (unused) as NULL */
    sq_bind_time(&b, h->day);
    /* Sunday is weekday 0, so the weekday is NULL only when unused. */
    if (has_weekday)
        sq_bind_int(&b, h->weekday);
    else
        sq_bind_text(&b, NULL);
    sq_bind_time(&b, h->nth);
    sq_bind_text(&b, h->date);
    sq_bind_text(&b, h->name);
    sq_bind_text(&b, h->source);
    sq_bind_id(&b, h->created_by);
    sq_bind_int(&b, h->created_at);
    sq_bind_int(&b, version);
    return sq_run_write(ss, &b, "state_holiday_insert");
}

static enum store_rc
sq_state_holiday_insert(struct store *s,
                        const struct store_state_holiday *h,
                        int64_t *version)
{
    return calendar_change(sq_to_sqlite(s), h->calendar_id, h->created_at,
                           h->created_by, h->name, holiday_insert_row, h,
                           version);
}

struct holiday_list {
    store_state_holiday_cb cb;
    void *cls;
};

static void
holiday_row(sqlite3_stmt *st, void *ctx)
{
    struct holiday_list *l = ctx;
    struct store_state_holiday h;

    read_holiday(st, &h);
    l->cb(l->cls, &h);
    store_state_holiday_release(&h);
}

static int
sq_state_holiday_list(struct store *s,
                      const char *calendar_id,
                      store_state_holiday_cb cb,
                      void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_STATE_HOLIDAY_LIST,
                    "SELECT " HOLIDAY_COLS " FROM state_holidays"
                    " WHERE calendar_id = ? AND removed_in IS NULL"
                    " ORDER BY created_at, id"),
        0, SQLITE_OK};
    struct holiday_list l = {cb, cls};

    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, calendar_id);
    return sq_run_list(ss, &b, "state_holiday_list", holiday_row, &l);
}

const struct store_admin_ops sq_admin_ops = {
    .org_list_by_kind = sq_org_list_by_kind,
    .facility_list = sq_facility_list,
    .policy_insert = sq_policy_insert,
    .policy_get = sq_policy_get,
    .policy_list_by_org = sq_policy_list_by_org,
    .policy_in_force = sq_policy_in_force,
    .delegation_insert = sq_delegation_insert,
    .delegation_list_by_user = sq_delegation_list_by_user,
    .delegation_in_force = sq_delegation_in_force,
    .calendar_insert = sq_calendar_insert,
    .calendar_get = sq_calendar_get,
    .calendar_get_by_org = sq_calendar_get_by_org,
    .calendar_list = sq_calendar_list,
    .closure_insert = sq_closure_insert,
    .closure_list = sq_closure_list,
    .state_holiday_insert = sq_state_holiday_insert,
    .state_holiday_list = sq_state_holiday_list,
};
