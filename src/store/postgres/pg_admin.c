/*
 * pg_admin.c: the PostgreSQL implementation of store_admin.h: filtered
 * organization and facility lists, jurisdiction policies, delegations and
 * calendars, with the semantics of the SQLite backend (sq_admin.c).
 *
 * Two read-modify-writes need care when several servers write at once at
 * READ COMMITTED. A policy's version number is the org's highest + 1: the
 * insert first locks the organization's row (FOR NO KEY UPDATE, which
 * does not block the foreign-key checks of rows that reference it), so
 * that two servers adding a version to one org take turns, and the second
 * one's INSERT, a new statement with a new snapshot, sees the first one's
 * row. A calendar change bumps the calendar's version with UPDATE ...
 * RETURNING (the row lock serializes two changers and PostgreSQL
 * re-reads the bumped row for the second), records the version and
 * inserts the closure or holiday, all under pg_atomic_begin/end (a
 * savepoint in a transaction, else a transaction of its own), so a taken
 * id rolls the bump back. Inserts use ON CONFLICT DO NOTHING, never a
 * caught unique violation. See pg_int.h for the plumbing.
 */
#include <string.h>

#include "store/postgres/pg_int.h"

enum {
    PG_ADMIN_ORG_LIST_BY_KIND = PG_STMT_BASE_ADMIN,
    PG_ADMIN_ORG_LIST_BY_KIND_AFTER,
    PG_ADMIN_FACILITY_LIST,
    PG_ADMIN_FACILITY_LIST_AFTER,
    PG_ADMIN_ORG_LOCK,
    PG_ADMIN_POLICY_INSERT,
    PG_ADMIN_POLICY_GET,
    PG_ADMIN_POLICY_LIST_BY_ORG,
    PG_ADMIN_POLICY_IN_FORCE,
    PG_ADMIN_DELEGATION_INSERT,
    PG_ADMIN_DELEGATION_LIST_BY_USER,
    PG_ADMIN_DELEGATION_IN_FORCE,
    PG_ADMIN_CALENDAR_INSERT,
    PG_ADMIN_CALENDAR_GET,
    PG_ADMIN_CALENDAR_GET_BY_ORG,
    PG_ADMIN_CALENDAR_LIST,
    PG_ADMIN_CALENDAR_BUMP,
    PG_ADMIN_CALENDAR_VERSION_INSERT,
    PG_ADMIN_CLOSURE_INSERT,
    PG_ADMIN_CLOSURE_LIST,
    PG_ADMIN_STATE_HOLIDAY_INSERT,
    PG_ADMIN_STATE_HOLIDAY_LIST,
    PG_ADMIN__END
};

_Static_assert((int)PG_ADMIN__END <= (int)PG_STMT_BASE_CASES,
               "the admin statements overrun the next group's base");

#define ORG_COLS                                                        \
    "id, version, created_at, updated_at, kind, name, state, timezone," \
    " requires_counsel_review"

#define FACILITY_COLS \
    "id, version, created_at, updated_at, org_id, name, timezone"

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

/* A list's callback and its argument, for the row functions below. */
struct list_ctx {
    void *cb;
    void *cls;
};

static void
read_int0(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(int64_t *)ctx = pg_col_int(&c);
}

static void
read_nothing(const PGresult *r, int row, void *ctx)
{
    (void)r;
    (void)row;
    (void)ctx;
}

/* ---- organizations and facilities --------------------------------------*/

static void
org_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_org o;

    memset(&o, 0, sizeof o);
    pg_col_id(&c, o.id, sizeof o.id);
    o.version = pg_col_int(&c);
    o.created_at = pg_col_int(&c);
    o.updated_at = pg_col_int(&c);
    o.kind = pg_col_text(&c);
    o.name = pg_col_text(&c);
    o.state = pg_col_text(&c);
    o.timezone = pg_col_text(&c);
    o.requires_counsel_review = pg_col_int(&c) != 0;
    ((store_org_cb)l->cb)(l->cls, &o);
    store_org_release(&o);
}

/* The lists come in two statements, from the start and after a cursor,
 * so that a page after a cursor is an index range scan of (created_at,
 * id), not a scan from the start (a generic plan cannot drop an OR). */
static int
pg_org_list_by_kind(struct store *s,
                    const char *kind,
                    const char *after_id,
                    int limit,
                    store_org_cb cb,
                    void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_id(&p, kind); /* "" as NULL: every kind */
    pg_bind_int(&p, limit);
    if (after_id && *after_id) {
        pg_bind_text(&p, after_id);
        return pg_run_list(pg_to_pg(s), PG_ADMIN_ORG_LIST_BY_KIND_AFTER,
                           "SELECT " ORG_COLS " FROM organizations"
                           " WHERE ($1::text IS NULL OR kind = $1::text)"
                           " AND (created_at, id) >"
                           "  (SELECT created_at, id FROM organizations"
                           "   WHERE id = $3)"
                           " ORDER BY created_at, id LIMIT $2",
                           &p, "org_list_by_kind", org_row, &l);
    }
    return pg_run_list(pg_to_pg(s), PG_ADMIN_ORG_LIST_BY_KIND,
                       "SELECT " ORG_COLS " FROM organizations"
                       " WHERE ($1::text IS NULL OR kind = $1::text)"
                       " ORDER BY created_at, id LIMIT $2",
                       &p, "org_list_by_kind", org_row, &l);
}

static void
facility_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_facility f;

    memset(&f, 0, sizeof f);
    pg_col_id(&c, f.id, sizeof f.id);
    f.version = pg_col_int(&c);
    f.created_at = pg_col_int(&c);
    f.updated_at = pg_col_int(&c);
    pg_col_id(&c, f.org_id, sizeof f.org_id);
    f.name = pg_col_text(&c);
    f.timezone = pg_col_text(&c);
    ((store_facility_cb)l->cb)(l->cls, &f);
    store_facility_release(&f);
}

static int
pg_facility_list(struct store *s,
                 const char *after_id,
                 int limit,
                 store_facility_cb cb,
                 void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_int(&p, limit);
    if (after_id && *after_id) {
        pg_bind_text(&p, after_id);
        return pg_run_list(pg_to_pg(s), PG_ADMIN_FACILITY_LIST_AFTER,
                           "SELECT " FACILITY_COLS " FROM facilities"
                           " WHERE (created_at, id) >"
                           "  (SELECT created_at, id FROM facilities"
                           "   WHERE id = $2)"
                           " ORDER BY created_at, id LIMIT $1",
                           &p, "facility_list", facility_row, &l);
    }
    return pg_run_list(pg_to_pg(s), PG_ADMIN_FACILITY_LIST,
                       "SELECT " FACILITY_COLS " FROM facilities"
                       " ORDER BY created_at, id LIMIT $1",
                       &p, "facility_list", facility_row, &l);
}

/* ---- jurisdiction policies ---------------------------------------------*/

static void
read_policy(const PGresult *r, int row, struct store_policy *p)
{
    struct pg_cols c = {r, row, 0};

    memset(p, 0, sizeof *p);
    pg_col_id(&c, p->id, sizeof p->id);
    pg_col_id(&c, p->org_id, sizeof p->org_id);
    p->version_no = pg_col_int(&c);
    p->effective_from = pg_col_text(&c);
    p->detainers = pg_col_text(&c);
    p->release_notification = pg_col_int(&c) != 0;
    p->subpoenas = pg_col_text(&c);
    p->citation = pg_col_text(&c);
    p->summary = pg_col_text(&c);
    pg_col_id(&c, p->created_by, sizeof p->created_by);
    p->created_at = pg_col_int(&c);
}

static void
read_policy_row(const PGresult *r, int row, void *ctx)
{
    read_policy(r, row, ctx);
}

static void
policy_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_policy p;

    read_policy(r, row, &p);
    ((store_policy_cb)l->cb)(l->cls, &p);
    store_policy_release(&p);
}

/* Lock the row of organization `org_id` until the end of the transaction
 * (nothing when it is unknown: the insert that follows then fails on its
 * foreign key, as on SQLite). */
static enum store_rc
org_lock(struct pg_store *ps, const char *org_id)
{
    struct pg_params p = {0};
    enum store_rc rc;

    pg_bind_text(&p, org_id);
    rc = pg_run_read(ps, PG_ADMIN_ORG_LOCK,
                     "SELECT 1 FROM organizations WHERE id = $1"
                     " FOR NO KEY UPDATE",
                     &p, "org_lock", read_nothing, NULL);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
pg_policy_insert(struct store *s,
                 const struct store_policy *pol,
                 int64_t *version_no)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    int64_t n = 0;
    bool outer = false;
    enum store_rc end, rc = pg_atomic_begin(ps, &outer);

    if (rc < 0)
        return rc;
    /* Two servers adding a version to one org at once: the second waits
     * here for the first's commit, then its INSERT (a new snapshot) sees
     * the first one's version and takes the next. */
    rc = org_lock(ps, pol->org_id);
    if (rc == STORE_ONE_RESULT) {
        pg_bind_id(&p, pol->id);
        pg_bind_int(&p, pol->created_at);
        pg_bind_id(&p, pol->org_id);
        pg_bind_text(&p, pol->effective_from);
        pg_bind_text(&p, pol->detainers);
        pg_bind_int(&p, pol->release_notification ? 1 : 0);
        pg_bind_text(&p, pol->subpoenas);
        pg_bind_text(&p, pol->citation);
        pg_bind_text(&p, pol->summary);
        pg_bind_id(&p, pol->created_by);
        rc = pg_run_read(
            ps, PG_ADMIN_POLICY_INSERT,
            "INSERT INTO jurisdiction_policies (id, version, created_at,"
            " updated_at, org_id, policy_version, effective_from, detainers,"
            " release_notification, subpoenas, citation, summary, created_by)"
            " SELECT $1::text, 1, $2::bigint, $2::bigint, $3::text,"
            " coalesce(max(policy_version), 0) + 1, $4::text, $5::text,"
            " $6::bigint, $7::text, $8::text, $9::text, $10::text"
            " FROM jurisdiction_policies WHERE org_id = $3::text"
            " ON CONFLICT (id) DO NOTHING RETURNING policy_version",
            &p, "policy_insert", read_int0, &n);
    }
    end = pg_atomic_end(ps, outer, rc == STORE_ONE_RESULT);
    if (end < 0 && rc >= 0)
        rc = end;
    if (rc == STORE_ONE_RESULT)
        *version_no = n;
    return rc;
}

static enum store_rc
pg_policy_get(struct store *s, const char *id, struct store_policy *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_ADMIN_POLICY_GET,
                       "SELECT " POLICY_COLS " FROM jurisdiction_policies"
                       " WHERE id = $1",
                       &p, "policy_get", read_policy_row, out);
}

static int
pg_policy_list_by_org(struct store *s,
                      const char *org_id,
                      store_policy_cb cb,
                      void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, org_id);
    return pg_run_list(pg_to_pg(s), PG_ADMIN_POLICY_LIST_BY_ORG,
                       "SELECT " POLICY_COLS " FROM jurisdiction_policies"
                       " WHERE org_id = $1 ORDER BY policy_version",
                       &p, "policy_list_by_org", policy_row, &l);
}

static enum store_rc
pg_policy_in_force(struct store *s,
                   const char *org_id,
                   const char *date,
                   struct store_policy *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, org_id);
    pg_bind_text(&p, date);
    return pg_run_read(pg_to_pg(s), PG_ADMIN_POLICY_IN_FORCE,
                       "SELECT " POLICY_COLS " FROM jurisdiction_policies"
                       " WHERE org_id = $1 AND effective_from <= $2"
                       " ORDER BY effective_from DESC, policy_version DESC"
                       " LIMIT 1",
                       &p, "policy_in_force", read_policy_row, out);
}

/* ---- delegations -------------------------------------------------------*/

static void
read_delegation(const PGresult *r, int row, struct store_delegation *d)
{
    struct pg_cols c = {r, row, 0};

    memset(d, 0, sizeof *d);
    pg_col_id(&c, d->id, sizeof d->id);
    pg_col_id(&c, d->user_id, sizeof d->user_id);
    d->authority = pg_col_text(&c);
    d->effective_from = pg_col_text(&c);
    d->effective_to = pg_col_text(&c);
    pg_col_id(&c, d->document_id, sizeof d->document_id);
    pg_col_id(&c, d->created_by, sizeof d->created_by);
    d->created_at = pg_col_int(&c);
}

static void
read_delegation_row(const PGresult *r, int row, void *ctx)
{
    read_delegation(r, row, ctx);
}

static void
delegation_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_delegation d;

    read_delegation(r, row, &d);
    ((store_delegation_cb)l->cb)(l->cls, &d);
    store_delegation_release(&d);
}

static enum store_rc
pg_delegation_insert(struct store *s, const struct store_delegation *d)
{
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_int(&p, d->created_at);
    pg_bind_id(&p, d->user_id);
    pg_bind_text(&p, d->authority);
    pg_bind_text(&p, d->effective_from);
    pg_bind_text(&p, d->effective_to);
    pg_bind_id(&p, d->document_id);
    pg_bind_id(&p, d->created_by);
    return pg_run_write(pg_to_pg(s), PG_ADMIN_DELEGATION_INSERT,
                        "INSERT INTO delegations (id, version, created_at,"
                        " updated_at, user_id, authority, effective_from,"
                        " effective_to, document_id, granted_by)"
                        " VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8)"
                        " ON CONFLICT DO NOTHING",
                        &p, "delegation_insert");
}

static int
pg_delegation_list_by_user(struct store *s,
                           const char *user_id,
                           store_delegation_cb cb,
                           void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, user_id);
    return pg_run_list(pg_to_pg(s), PG_ADMIN_DELEGATION_LIST_BY_USER,
                       "SELECT " DELEGATION_COLS " FROM delegations"
                       " WHERE user_id = $1 ORDER BY effective_from, id",
                       &p, "delegation_list_by_user", delegation_row, &l);
}

static enum store_rc
pg_delegation_in_force(struct store *s,
                       const char *user_id,
                       const char *date,
                       struct store_delegation *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, user_id);
    pg_bind_text(&p, date);
    return pg_run_read(pg_to_pg(s), PG_ADMIN_DELEGATION_IN_FORCE,
                       "SELECT " DELEGATION_COLS " FROM delegations"
                       " WHERE user_id = $1 AND revoked_at IS NULL"
                       " AND effective_from <= $2"
                       " AND (effective_to IS NULL OR effective_to >= $2)"
                       " ORDER BY effective_from DESC, id LIMIT 1",
                       &p, "delegation_in_force", read_delegation_row, out);
}

/* ---- calendars ---------------------------------------------------------*/

static void
read_calendar(const PGresult *r, int row, struct store_calendar *cal)
{
    struct pg_cols c = {r, row, 0};

    memset(cal, 0, sizeof *cal);
    pg_col_id(&c, cal->id, sizeof cal->id);
    cal->name = pg_col_text(&c);
    pg_col_id(&c, cal->org_id, sizeof cal->org_id);
    cal->version = pg_col_int(&c);
    cal->created_at = pg_col_int(&c);
    cal->updated_at = pg_col_int(&c);
}

static void
read_calendar_row(const PGresult *r, int row, void *ctx)
{
    read_calendar(r, row, ctx);
}

static void
calendar_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_calendar c;

    read_calendar(r, row, &c);
    ((store_calendar_cb)l->cb)(l->cls, &c);
    store_calendar_release(&c);
}

static enum store_rc
pg_calendar_insert(struct store *s, const struct store_calendar *cal)
{
    struct pg_params p = {0};

    pg_bind_id(&p, cal->id);
    pg_bind_int(&p, cal->created_at);
    pg_bind_int(&p, cal->updated_at ? cal->updated_at : cal->created_at);
    pg_bind_text(&p, cal->name);
    pg_bind_id(&p, cal->org_id);
    /* No conflict target: a taken id or name both give no row. Two
     * servers inserting one name at once: the second waits for the first
     * and then inserts nothing. */
    return pg_run_write(
        pg_to_pg(s), PG_ADMIN_CALENDAR_INSERT,
        "INSERT INTO calendars (id, version, created_at, updated_at, name,"
        " kind, org_id, calendar_version)"
        " VALUES ($1, 1, $2, $3, $4,"
        " CASE WHEN $5::text IS NULL THEN 'federal' ELSE 'state' END,"
        " $5::text, 1) ON CONFLICT DO NOTHING",
        &p, "calendar_insert");
}

static enum store_rc
pg_calendar_get(struct store *s, const char *id, struct store_calendar *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_ADMIN_CALENDAR_GET,
                       "SELECT " CALENDAR_COLS " FROM calendars WHERE id = $1",
                       &p, "calendar_get", read_calendar_row, out);
}

static enum store_rc
pg_calendar_get_by_org(struct store *s,
                       const char *org_id,
                       struct store_calendar *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, org_id);
    return pg_run_read(pg_to_pg(s), PG_ADMIN_CALENDAR_GET_BY_ORG,
                       "SELECT " CALENDAR_COLS " FROM calendars"
                       " WHERE org_id = $1 ORDER BY created_at, id LIMIT 1",
                       &p, "calendar_get_by_org", read_calendar_row, out);
}

static int
pg_calendar_list(struct store *s, store_calendar_cb cb, void *cls)
{
    struct list_ctx l = {(void *)cb, cls};

    return pg_run_list(pg_to_pg(s), PG_ADMIN_CALENDAR_LIST,
                       "SELECT " CALENDAR_COLS " FROM calendars ORDER BY name",
                       NULL, "calendar_list", calendar_row, &l);
}

/* Bump calendar `id`'s version and record it; *version = the new one.
 * STORE_NO_RESULTS when the calendar is unknown. The UPDATE locks the
 * row: a second server bumping the same calendar waits for the first's
 * commit and then bumps the version that one made. */
static enum store_rc
calendar_bump(struct pg_store *ps,
              const char *id,
              int64_t at,
              const char *by,
              const char *note,
              int64_t *version)
{
    struct pg_params b = {0}, v = {0};
    int64_t n = 0;
    enum store_rc rc;

    pg_bind_int(&b, at);
    pg_bind_text(&b, id);
    rc = pg_run_read(ps, PG_ADMIN_CALENDAR_BUMP,
                     "UPDATE calendars SET version = version + 1,"
                     " calendar_version = calendar_version + 1,"
                     " updated_at = $1 WHERE id = $2"
                     " RETURNING calendar_version",
                     &b, "calendar_bump", read_int0, &n);
    if (rc != STORE_ONE_RESULT)
        return rc;
    pg_bind_text(&v, id);
    pg_bind_int(&v, n);
    pg_bind_int(&v, at);
    pg_bind_id(&v, by);
    pg_bind_text(&v, note);
    rc = pg_run_write(ps, PG_ADMIN_CALENDAR_VERSION_INSERT,
                      "INSERT INTO calendar_versions (calendar_id,"
                      " calendar_version, created_at, created_by, note)"
                      " VALUES ($1, $2, $3, $4, $5)",
                      &v, "calendar_version_insert");
    if (rc == STORE_ONE_RESULT)
        *version = n;
    return rc;
}

/* The row a calendar change adds, bound and written by `insert`. */
typedef enum store_rc (*calendar_row_fn)(struct pg_store *ps,
                                         const void *row,
                                         int64_t version);

/* Bump the calendar's version, then insert the row, all or nothing. */
static enum store_rc
calendar_change(struct pg_store *ps,
                const char *calendar_id,
                int64_t at,
                const char *by,
                const char *note,
                calendar_row_fn insert,
                const void *row,
                int64_t *version)
{
    int64_t n = 0;
    bool outer = false;
    enum store_rc end, rc = pg_atomic_begin(ps, &outer);

    if (rc < 0)
        return rc;
    rc = calendar_bump(ps, calendar_id, at, by, note, &n);
    if (rc == STORE_ONE_RESULT)
        rc = insert(ps, row, n);
    end = pg_atomic_end(ps, outer, rc == STORE_ONE_RESULT);
    if (end < 0 && rc >= 0)
        rc = end;
    if (rc == STORE_ONE_RESULT)
        *version = n;
    return rc;
}

static void
closure_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_closure cl;

    memset(&cl, 0, sizeof cl);
    pg_col_id(&c, cl.id, sizeof cl.id);
    pg_col_id(&c, cl.calendar_id, sizeof cl.calendar_id);
    cl.date = pg_col_text(&c);
    cl.name = pg_col_text(&c);
    cl.source = pg_col_text(&c);
    pg_col_id(&c, cl.created_by, sizeof cl.created_by);
    cl.created_at = pg_col_int(&c);
    cl.added_in = pg_col_int(&c);
    ((store_closure_cb)l->cb)(l->cls, &cl);
    store_closure_release(&cl);
}

static enum store_rc
closure_insert_row(struct pg_store *ps, const void *row, int64_t version)
{
    const struct store_closure *cl = row;
    struct pg_params p = {0};

    pg_bind_id(&p, cl->id);
    pg_bind_id(&p, cl->calendar_id);
    pg_bind_text(&p, cl->date);
    pg_bind_text(&p, cl->name);
    pg_bind_text(&p, cl->source);
    pg_bind_id(&p, cl->created_by);
    pg_bind_int(&p, cl->created_at);
    pg_bind_int(&p, version);
    return pg_run_write(ps, PG_ADMIN_CLOSURE_INSERT,
                        "INSERT INTO calendar_closures (" CLOSURE_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                        " ON CONFLICT DO NOTHING",
                        &p, "closure_insert");
}

static enum store_rc
pg_closure_insert(struct store *s,
                  const struct store_closure *c,
                  int64_t *version)
{
    return calendar_change(pg_to_pg(s), c->calendar_id, c->created_at,
                           c->created_by, c->name, closure_insert_row, c,
                           version);
}

static int
pg_closure_list(struct store *s,
                const char *calendar_id,
                store_closure_cb cb,
                void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, calendar_id);
    return pg_run_list(pg_to_pg(s), PG_ADMIN_CLOSURE_LIST,
                       "SELECT " CLOSURE_COLS " FROM calendar_closures"
                       " WHERE calendar_id = $1 AND removed_in IS NULL"
                       " ORDER BY date, id",
                       &p, "closure_list", closure_row, &l);
}

static void
holiday_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_state_holiday h;

    memset(&h, 0, sizeof h);
    pg_col_id(&c, h.id, sizeof h.id);
    pg_col_id(&c, h.calendar_id, sizeof h.calendar_id);
    h.kind = pg_col_text(&c);
    h.month = (int)pg_col_int(&c);
    h.day = (int)pg_col_int(&c);
    h.weekday = (int)pg_col_int(&c);
    h.nth = (int)pg_col_int(&c);
    h.date = pg_col_text(&c);
    h.name = pg_col_text(&c);
    h.source = pg_col_text(&c);
    pg_col_id(&c, h.created_by, sizeof h.created_by);
    h.created_at = pg_col_int(&c);
    h.added_in = pg_col_int(&c);
    ((store_state_holiday_cb)l->cb)(l->cls, &h);
    store_state_holiday_release(&h);
}

static enum store_rc
holiday_insert_row(struct pg_store *ps, const void *row, int64_t version)
{
    const struct store_state_holiday *h = row;
    struct pg_params p = {0};
    bool has_weekday = strcmp(h->kind, "nth_weekday") == 0 ||
                       strcmp(h->kind, "last_weekday") == 0;

    pg_bind_id(&p, h->id);
    pg_bind_id(&p, h->calendar_id);
    pg_bind_text(&p, h->kind);
    pg_bind_time(&p, h->month); /* 0 (unused) as NULL */
    pg_bind_time(&p, h->day);
    /* Sunday is weekday 0, so the weekday is NULL only when unused. */
    if (has_weekday)
        pg_bind_int(&p, h->weekday);
    else
        pg_bind_text(&p, NULL);
    pg_bind_time(&p, h->nth);
    pg_bind_text(&p, h->date);
    pg_bind_text(&p, h->name);
    pg_bind_text(&p, h->source);
    pg_bind_id(&p, h->created_by);
    pg_bind_int(&p, h->created_at);
    pg_bind_int(&p, version);
    return pg_run_write(ps, PG_ADMIN_STATE_HOLIDAY_INSERT,
                        "INSERT INTO state_holidays (" HOLIDAY_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13)"
                        " ON CONFLICT DO NOTHING",
                        &p, "state_holiday_insert");
}

static enum store_rc
pg_state_holiday_insert(struct store *s,
                        const struct store_state_holiday *h,
                        int64_t *version)
{
    return calendar_change(pg_to_pg(s), h->calendar_id, h->created_at,
                           h->created_by, h->name, holiday_insert_row, h,
                           version);
}

static int
pg_state_holiday_list(struct store *s,
                      const char *calendar_id,
                      store_state_holiday_cb cb,
                      void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, calendar_id);
    return pg_run_list(pg_to_pg(s), PG_ADMIN_STATE_HOLIDAY_LIST,
                       "SELECT " HOLIDAY_COLS " FROM state_holidays"
                       " WHERE calendar_id = $1 AND removed_in IS NULL"
                       " ORDER BY created_at, id",
                       &p, "state_holiday_list", holiday_row, &l);
}

const struct store_admin_ops pg_admin_ops = {
    .org_list_by_kind = pg_org_list_by_kind,
    .facility_list = pg_facility_list,
    .policy_insert = pg_policy_insert,
    .policy_get = pg_policy_get,
    .policy_list_by_org = pg_policy_list_by_org,
    .policy_in_force = pg_policy_in_force,
    .delegation_insert = pg_delegation_insert,
    .delegation_list_by_user = pg_delegation_list_by_user,
    .delegation_in_force = pg_delegation_in_force,
    .calendar_insert = pg_calendar_insert,
    .calendar_get = pg_calendar_get,
    .calendar_get_by_org = pg_calendar_get_by_org,
    .calendar_list = pg_calendar_list,
    .closure_insert = pg_closure_insert,
    .closure_list = pg_closure_list,
    .state_holiday_insert = pg_state_holiday_insert,
    .state_holiday_list = pg_state_holiday_list,
};
