/*
 * postgres_store.c: the PostgreSQL backend of the store: the connection,
 * transactions, migrations and the rows of store.h (organizations,
 * facilities, users, people, detainers, subpoenas, timelines, the audit
 * trail).
 *
 * One `struct pg_store` is one libpq connection, used by one thread at a
 * time. Write transactions run at READ COMMITTED: every update checks
 * the row's version in its WHERE clause (PostgreSQL re-checks it after
 * waiting for a concurrent writer, so two writers never both win), and
 * what must be linear takes a lock: the audit chain's head is read and
 * appended under a transaction-level advisory lock, so the chain stays
 * one line when several servers append at once; migrations take another.
 * Read transactions run at REPEATABLE READ (one snapshot). The statements
 * are those of the SQLite backend (sqlite_store.c) in PostgreSQL's
 * dialect; see pg_int.h for the plumbing.
 */
#include "store/postgres/postgres_store.h"

#include "store/postgres/pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"

/* Advisory lock keys (pg_advisory_xact_lock): the audit chain's head and
 * the migration runner. */
#define AUDIT_LOCK_KEY     "7212540301"
#define MIGRATION_LOCK_KEY "7212540302"

/* Seconds libpq waits for a server that does not answer, unless the URL
 * says otherwise. */
#define CONNECT_TIMEOUT "10"

/* ---- connection and transactions ---------------------------------------*/

static void
pg_close(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);

    PQfinish(ps->conn);
    buf_release(&ps->stage);
    cm_free(ps);
}

/* A write transaction takes the audit chain's lock first, before any row
 * lock. Nearly every write appends an audit record, and each append needs
 * that lock; taken at the append instead, a transaction holding it could
 * wait for a row (a case counter, a report aggregate) that another
 * server's transaction holds while that one waits for the lock: a deadlock
 * PostgreSQL needs deadlock_timeout (1 s) to see, and an HTTP writer group
 * that runs one member's audit before another member's counter made it
 * common (cluster.lb, 64 clients on three servers). One lock order, this
 * lock first, makes write transactions across servers take turns instead;
 * reads never wait for it. BEGIN and the lock go in one round trip. */
static enum store_rc
pg_begin(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);
    enum store_rc rc =
        pg_run_fixed(ps, "BEGIN ISOLATION LEVEL READ COMMITTED;"
                         " SELECT pg_advisory_xact_lock(" AUDIT_LOCK_KEY ")");

    /* BEGIN may have run when the lock did not: the caller's rollback then
     * ends the block. */
    if (rc >= 0 || (ps->conn && !ps->broken &&
                    PQtransactionStatus(ps->conn) != PQTRANS_IDLE)) {
        ps->in_block = true;
        ps->tx_write = true;
    }
    return rc;
}

static enum store_rc
pg_begin_read(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);
    enum store_rc rc =
        pg_run_fixed(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ");

    if (rc >= 0) {
        ps->in_block = true;
        ps->tx_write = false;
    }
    return rc;
}

static enum store_rc
pg_commit(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);
    enum store_rc rc;

    /* A connection lost inside the transaction lost the transaction: a
     * COMMIT on a new connection would commit nothing and say so with a
     * mere warning. */
    if (ps->broken)
        return STORE_SOFT_ERROR;
    rc = pg_run_fixed(ps, "COMMIT");
    if (rc == STORE_SOFT_ERROR && ps->broken) {
        /* The connection went while COMMIT ran: the server may have
         * committed. Soft (the client is told to try again) but never
         * rerun here, which could apply the transaction twice. */
        LOG_WARN("postgres: the connection was lost during COMMIT; "
                 "its outcome is unknown");
        s->is_commit_unknown = true;
    }
    if (rc >= 0) {
        ps->in_block = false;
        ps->tx_write = false;
    }
    return rc;
}

static void
pg_rollback(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);

    if (ps->in_block && !ps->broken &&
        PQtransactionStatus(ps->conn) != PQTRANS_IDLE)
        (void)pg_run_fixed(ps, "ROLLBACK");
    ps->in_block = false;
    ps->tx_write = false;
}

static enum store_rc
pg_group_savepoint(struct store *s)
{
    return pg_run_fixed(pg_to_pg(s), "SAVEPOINT group_member");
}

static enum store_rc
pg_group_release(struct store *s)
{
    return pg_run_fixed(pg_to_pg(s), "RELEASE group_member");
}

static enum store_rc
pg_group_rollback_to(struct store *s)
{
    return pg_run_fixed(pg_to_pg(s), "ROLLBACK TO group_member");
}

/* ---- migrations --------------------------------------------------------*/

static enum store_rc
pg_migration_prepare(struct store *s)
{
    return pg_run_fixed(pg_to_pg(s),
                        "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " name TEXT PRIMARY KEY,"
                        " applied_at BIGINT NOT NULL)");
}

static void
read_nothing(const PGresult *r, int row, void *ctx)
{
    (void)r;
    (void)row;
    (void)ctx;
}

static enum store_rc
pg_migration_is_applied(struct store *s, const char *name)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    enum store_rc rc;

    /* Two servers migrating at once: the second waits for the first's
     * transaction, then sees the migration applied. */
    if (ps->tx_write) {
        rc = pg_run_fixed(ps, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY
                              ")");
        if (rc < 0)
            return rc;
    }
    pg_bind_text(&p, name);
    return pg_run_read(ps, PG_STMT_MIGRATION_IS_APPLIED,
                       "SELECT 1 FROM schema_migrations WHERE name = $1", &p,
                       "migration_is_applied", read_nothing, NULL);
}

static enum store_rc
pg_migration_apply(struct store *s,
                   const char *name,
                   const char *sql,
                   int64_t now)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    PGresult *r = PQexec(ps->conn, sql);
    enum store_rc rc = STORE_ONE_RESULT;

    /* A file of several statements: the simple query protocol runs them
     * all and answers with the last one's status, or the first error. */
    if (r == NULL || PQresultStatus(r) == PGRES_FATAL_ERROR ||
        PQresultStatus(r) == PGRES_NONFATAL_ERROR ||
        PQresultStatus(r) == PGRES_BAD_RESPONSE) {
        LOG_ERROR("migration %s failed: %s", name,
                  r ? PQresultErrorMessage(r) : "no result");
        rc = PQstatus(ps->conn) == CONNECTION_OK ? STORE_HARD_ERROR
                                                 : STORE_SOFT_ERROR;
        if (rc == STORE_SOFT_ERROR)
            ps->broken = true;
    }
    PQclear(r);
    if (rc < 0)
        return rc;
    pg_bind_text(&p, name);
    pg_bind_int(&p, now);
    return pg_run_write(ps, PG_STMT_MIGRATION_RECORD,
                        "INSERT INTO schema_migrations (name, applied_at)"
                        " VALUES ($1, $2)",
                        &p, "migration_record");
}

/* ---- meta and case numbers ---------------------------------------------*/

static void
read_text0(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(char **)ctx = pg_col_text(&c);
}

static enum store_rc
pg_meta_get(struct store *s, const char *key, char **value)
{
    struct pg_params p = {0};

    pg_bind_text(&p, key);
    return pg_run_read(pg_to_pg(s), PG_STMT_META_GET,
                       "SELECT value FROM meta WHERE key = $1", &p, "meta_get",
                       read_text0, value);
}

/* PostgreSQL is backed up with its own tools (pg_basebackup and WAL
 * archiving, or pg_dump: docs/operations.md), which copy a running
 * cluster consistently; compel does not copy it itself. */
static enum store_rc
pg_backup(struct store *s, const char *path)
{
    (void)s;
    (void)path;
    LOG_WARN("postgres: backups are taken with PostgreSQL's own tools "
             "(pg_basebackup, pg_dump): docs/operations.md");
    return STORE_HARD_ERROR;
}

static enum store_rc
pg_meta_set(struct store *s, const char *key, const char *value)
{
    struct pg_params p = {0};

    pg_bind_text(&p, key);
    pg_bind_text(&p, value);
    return pg_run_write(
        pg_to_pg(s), PG_STMT_META_SET,
        "INSERT INTO meta (key, value) VALUES ($1, $2)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &p, "meta_set");
}

static void
read_int0(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(int64_t *)ctx = pg_col_int(&c);
}

static enum store_rc
pg_case_number_next(struct store *s,
                    const char *prefix,
                    int year,
                    char out[STORE_NUMBER_SIZE])
{
    struct pg_params p = {0};
    int64_t last = 0;
    enum store_rc rc;

    pg_bind_text(&p, prefix);
    pg_bind_int(&p, year);
    rc = pg_run_read(pg_to_pg(s), PG_STMT_CASE_NUMBER_NEXT,
                     "INSERT INTO case_counters AS c (kind, year, last)"
                     " VALUES ($1, $2, 1)"
                     " ON CONFLICT (kind, year) DO UPDATE SET last = c.last + 1"
                     " RETURNING last",
                     &p, "case_number_next", read_int0, &last);
    if (rc == STORE_ONE_RESULT)
        (void)snprintf(out, STORE_NUMBER_SIZE, "%s-%04d-%06" PRId64, prefix,
                       year, last);
    else if (rc == STORE_NO_RESULTS)
        rc = STORE_HARD_ERROR;
    return rc;
}

/* ---- organizations and facilities --------------------------------------*/

#define ORG_COLS                                                        \
    "id, version, created_at, updated_at, kind, name, state, timezone," \
    " requires_counsel_review"

#define FACILITY_COLS \
    "id, version, created_at, updated_at, org_id, name, timezone"

static void
read_org(const PGresult *r, int row, struct store_org *o)
{
    struct pg_cols c = {r, row, 0};

    memset(o, 0, sizeof *o);
    pg_col_id(&c, o->id, sizeof o->id);
    o->version = pg_col_int(&c);
    o->created_at = pg_col_int(&c);
    o->updated_at = pg_col_int(&c);
    o->kind = pg_col_text(&c);
    o->name = pg_col_text(&c);
    o->state = pg_col_text(&c);
    o->timezone = pg_col_text(&c);
    o->requires_counsel_review = pg_col_int(&c) != 0;
}

static void
read_org_row(const PGresult *r, int row, void *ctx)
{
    read_org(r, row, ctx);
}

struct list_ctx {
    void *cb;
    void *cls;
};

static void
org_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_org o;

    read_org(r, row, &o);
    ((store_org_cb)l->cb)(l->cls, &o);
    store_org_release(&o);
}

static enum store_rc
pg_org_insert(struct store *s, const struct store_org *o)
{
    struct pg_params p = {0};

    pg_bind_id(&p, o->id);
    pg_bind_int(&p, o->created_at);
    pg_bind_int(&p, o->updated_at);
    pg_bind_text(&p, o->kind);
    pg_bind_text(&p, o->name);
    pg_bind_text(&p, o->state);
    pg_bind_text(&p, o->timezone);
    pg_bind_int(&p, o->requires_counsel_review ? 1 : 0);
    return pg_run_write(pg_to_pg(s), PG_STMT_ORG_INSERT,
                        "INSERT INTO organizations (" ORG_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)"
                        " ON CONFLICT DO NOTHING",
                        &p, "org_insert");
}

static enum store_rc
pg_org_get(struct store *s, const char *id, struct store_org *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_STMT_ORG_GET,
                       "SELECT " ORG_COLS " FROM organizations WHERE id = $1",
                       &p, "org_get", read_org_row, out);
}

static int
pg_org_list(struct store *s,
            const char *after_id,
            int limit,
            store_org_cb cb,
            void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    if (after_id && *after_id) {
        pg_bind_text(&p, after_id);
        pg_bind_int(&p, limit);
        return pg_run_list(pg_to_pg(s), PG_STMT_ORG_LIST_AFTER,
                           "SELECT " ORG_COLS " FROM organizations"
                           " WHERE (created_at, id) >"
                           " (SELECT created_at, id FROM organizations"
                           "  WHERE id = $1)"
                           " ORDER BY created_at, id LIMIT $2",
                           &p, "org_list", org_row, &l);
    }
    pg_bind_int(&p, limit);
    return pg_run_list(pg_to_pg(s), PG_STMT_ORG_LIST,
                       "SELECT " ORG_COLS " FROM organizations"
                       " ORDER BY created_at, id LIMIT $1",
                       &p, "org_list", org_row, &l);
}

static void
read_facility(const PGresult *r, int row, struct store_facility *f)
{
    struct pg_cols c = {r, row, 0};

    memset(f, 0, sizeof *f);
    pg_col_id(&c, f->id, sizeof f->id);
    f->version = pg_col_int(&c);
    f->created_at = pg_col_int(&c);
    f->updated_at = pg_col_int(&c);
    pg_col_id(&c, f->org_id, sizeof f->org_id);
    f->name = pg_col_text(&c);
    f->timezone = pg_col_text(&c);
}

static void
read_facility_row(const PGresult *r, int row, void *ctx)
{
    read_facility(r, row, ctx);
}

static void
facility_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_facility f;

    read_facility(r, row, &f);
    ((store_facility_cb)l->cb)(l->cls, &f);
    store_facility_release(&f);
}

static enum store_rc
pg_facility_insert(struct store *s, const struct store_facility *f)
{
    struct pg_params p = {0};

    pg_bind_id(&p, f->id);
    pg_bind_int(&p, f->created_at);
    pg_bind_int(&p, f->updated_at);
    pg_bind_id(&p, f->org_id);
    pg_bind_text(&p, f->name);
    pg_bind_text(&p, f->timezone);
    return pg_run_write(pg_to_pg(s), PG_STMT_FACILITY_INSERT,
                        "INSERT INTO facilities (" FACILITY_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6)"
                        " ON CONFLICT DO NOTHING",
                        &p, "facility_insert");
}

static enum store_rc
pg_facility_get(struct store *s, const char *id, struct store_facility *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_STMT_FACILITY_GET,
                       "SELECT " FACILITY_COLS " FROM facilities WHERE id = $1",
                       &p, "facility_get", read_facility_row, out);
}

static int
pg_facility_list_by_org(struct store *s,
                        const char *org_id,
                        store_facility_cb cb,
                        void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};

    pg_bind_text(&p, org_id);
    return pg_run_list(pg_to_pg(s), PG_STMT_FACILITY_LIST_BY_ORG,
                       "SELECT " FACILITY_COLS " FROM facilities"
                       " WHERE org_id = $1 ORDER BY created_at, id",
                       &p, "facility_list", facility_row, &l);
}

/* ---- users -------------------------------------------------------------*/

#define USER_COLS                                                             \
    "id, version, created_at, updated_at, email, name, org_id, roles, title," \
    " password_hash, disabled, failed_logins, first_failed_at, locked_at,"    \
    " totp_secret, totp_last_step, totp_enabled"

static void
read_user_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_user *u = ctx;

    memset(u, 0, sizeof *u);
    pg_col_id(&c, u->id, sizeof u->id);
    u->version = pg_col_int(&c);
    u->created_at = pg_col_int(&c);
    u->updated_at = pg_col_int(&c);
    u->email = pg_col_text(&c);
    u->name = pg_col_text(&c);
    pg_col_id(&c, u->org_id, sizeof u->org_id);
    u->roles = (unsigned)pg_col_int(&c);
    u->title = pg_col_text(&c);
    u->password_hash = pg_col_text(&c);
    u->disabled = pg_col_int(&c) != 0;
    u->failed_logins = pg_col_int(&c);
    u->first_failed_at = pg_col_int(&c);
    u->locked_at = pg_col_int(&c);
    u->totp_secret = pg_col_blob(&c);
    u->totp_last_step = pg_col_int(&c);
    u->totp_enabled = pg_col_int(&c) != 0;
}

static enum store_rc
pg_user_insert(struct store *s, const struct store_user *u)
{
    struct pg_params p = {0};

    pg_bind_id(&p, u->id);
    pg_bind_int(&p, u->created_at);
    pg_bind_int(&p, u->updated_at);
    pg_bind_text(&p, u->email);
    pg_bind_text(&p, u->name);
    pg_bind_id(&p, u->org_id);
    pg_bind_int(&p, (int64_t)u->roles);
    pg_bind_text(&p, u->title);
    pg_bind_text(&p, u->password_hash);
    pg_bind_int(&p, u->disabled ? 1 : 0);
    pg_bind_int(&p, u->failed_logins);
    pg_bind_time(&p, u->first_failed_at);
    pg_bind_time(&p, u->locked_at);
    pg_bind_blob(&p, &u->totp_secret);
    pg_bind_time(&p, u->totp_last_step);
    pg_bind_int(&p, u->totp_enabled ? 1 : 0);
    return pg_run_write(pg_to_pg(s), PG_STMT_USER_INSERT,
                        "INSERT INTO users (" USER_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13, $14, $15, $16)"
                        " ON CONFLICT DO NOTHING",
                        &p, "user_insert");
}

static enum store_rc
pg_user_get(struct store *s, const char *id, struct store_user *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_STMT_USER_GET,
                       "SELECT " USER_COLS " FROM users WHERE id = $1", &p,
                       "user_get", read_user_row, out);
}

static enum store_rc
pg_user_get_by_email(struct store *s, const char *email, struct store_user *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, email);
    return pg_run_read(pg_to_pg(s), PG_STMT_USER_GET_BY_EMAIL,
                       "SELECT " USER_COLS " FROM users"
                       " WHERE lower(email) = lower($1)",
                       &p, "user_get", read_user_row, out);
}

/* ---- people ------------------------------------------------------------*/

#define PERSON_COLS                                                     \
    "id, version, created_at, updated_at, family_name, given_names,"    \
    " date_of_birth, identifiers, aliases, family_name_bidx, dob_bidx," \
    " a_number_bidx, org_id"

static void
read_person(const PGresult *r, int row, struct store_person *p)
{
    struct pg_cols c = {r, row, 0};

    memset(p, 0, sizeof *p);
    pg_col_id(&c, p->id, sizeof p->id);
    p->version = pg_col_int(&c);
    p->created_at = pg_col_int(&c);
    p->updated_at = pg_col_int(&c);
    p->family_name = pg_col_blob(&c);
    p->given_names = pg_col_blob(&c);
    p->date_of_birth = pg_col_blob(&c);
    p->identifiers = pg_col_blob(&c);
    p->aliases = pg_col_blob(&c);
    p->family_name_bidx = pg_col_blob(&c);
    p->dob_bidx = pg_col_blob(&c);
    p->a_number_bidx = pg_col_blob(&c);
    pg_col_id(&c, p->org_id, sizeof p->org_id);
}

static void
read_person_row(const PGresult *r, int row, void *ctx)
{
    read_person(r, row, ctx);
}

static void
person_row(const PGresult *r, int row, void *ctx)
{
    struct list_ctx *l = ctx;
    struct store_person p;

    read_person(r, row, &p);
    ((store_person_cb)l->cb)(l->cls, &p);
    store_person_release(&p);
}

static enum store_rc
pg_person_insert(struct store *s, const struct store_person *p)
{
    struct pg_params q = {0};

    pg_bind_id(&q, p->id);
    pg_bind_int(&q, p->created_at);
    pg_bind_int(&q, p->updated_at);
    pg_bind_blob(&q, &p->family_name);
    pg_bind_blob(&q, &p->given_names);
    pg_bind_blob(&q, &p->date_of_birth);
    pg_bind_blob(&q, &p->identifiers);
    pg_bind_blob(&q, &p->aliases);
    pg_bind_blob(&q, &p->family_name_bidx);
    pg_bind_blob(&q, &p->dob_bidx);
    pg_bind_blob(&q, &p->a_number_bidx);
    pg_bind_id(&q, p->org_id);
    return pg_run_write(pg_to_pg(s), PG_STMT_PERSON_INSERT,
                        "INSERT INTO people (" PERSON_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12)"
                        " ON CONFLICT DO NOTHING",
                        &q, "person_insert");
}

static enum store_rc
pg_person_get(struct store *s, const char *id, struct store_person *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_STMT_PERSON_GET,
                       "SELECT " PERSON_COLS " FROM people WHERE id = $1", &p,
                       "person_get", read_person_row, out);
}

static int
pg_person_find(struct store *s,
               enum store_person_index index,
               const struct store_blob *key,
               store_person_cb cb,
               void *cls)
{
    struct pg_params p = {0};
    struct list_ctx l = {(void *)cb, cls};
    enum pg_stmt_id id = PG_STMT_PERSON_FIND_FAMILY_NAME;
    const char *sql = "SELECT " PERSON_COLS " FROM people"
                      " WHERE family_name_bidx = $1 ORDER BY created_at, id";

    switch (index) {
    case STORE_PERSON_INDEX_FAMILY_NAME:
        break;
    case STORE_PERSON_INDEX_DATE_OF_BIRTH:
        id = PG_STMT_PERSON_FIND_DOB;
        sql = "SELECT " PERSON_COLS " FROM people"
              " WHERE dob_bidx = $1 ORDER BY created_at, id";
        break;
    case STORE_PERSON_INDEX_A_NUMBER:
        id = PG_STMT_PERSON_FIND_A_NUMBER;
        sql = "SELECT " PERSON_COLS " FROM people"
              " WHERE a_number_bidx = $1 ORDER BY created_at, id";
        break;
    }
    pg_bind_blob(&p, key);
    return pg_run_list(pg_to_pg(s), (int)id, sql, &p, "person_find", person_row,
                       &l);
}

/* ---- detainers ---------------------------------------------------------*/

#define DETAINER_COLS                                                      \
    "id, version, created_at, updated_at, number, person_id, facility_id," \
    " agency_org_id, lodged_by, form, basis, hold_rule, state,"            \
    " outcome_source, decline_policy_id, reason, otherwise_release_at,"    \
    " max_hold_until, released_at, transferred_at, notice_given,"          \
    " acknowledged_at, decided_at, cancel_reason"

static void
read_detainer_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_detainer *d = ctx;
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

static enum store_rc
pg_detainer_insert(struct store *s, const struct store_detainer *d)
{
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_int(&p, d->created_at);
    pg_bind_int(&p, d->updated_at);
    pg_bind_id(&p, d->number);
    pg_bind_id(&p, d->person_id);
    pg_bind_id(&p, d->facility_id);
    pg_bind_id(&p, d->agency_org_id);
    pg_bind_id(&p, d->lodged_by);
    pg_bind_text(&p, d->form);
    pg_bind_text(&p, d->basis);
    pg_bind_text(&p, d->hold_rule);
    pg_bind_text(&p, d->state);
    pg_bind_text(&p, d->outcome_source);
    pg_bind_id(&p, d->decline_policy_id);
    pg_bind_text(&p, d->reason);
    pg_bind_time(&p, d->otherwise_release_at);
    pg_bind_time(&p, d->max_hold_until);
    pg_bind_time(&p, d->released_at);
    pg_bind_time(&p, d->transferred_at);
    pg_bind_notice(&p, d->notice_given);
    pg_bind_time(&p, d->acknowledged_at);
    pg_bind_time(&p, d->decided_at);
    pg_bind_text(&p, d->cancel_reason);
    return pg_run_write(pg_to_pg(s), PG_STMT_DETAINER_INSERT,
                        "INSERT INTO detainers (" DETAINER_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
                        " $21, $22, $23)"
                        " ON CONFLICT DO NOTHING",
                        &p, "detainer_insert");
}

static enum store_rc
pg_detainer_get(struct store *s, const char *id, struct store_detainer *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_STMT_DETAINER_GET,
                       "SELECT " DETAINER_COLS " FROM detainers WHERE id = $1",
                       &p, "detainer_get", read_detainer_row, out);
}

static enum store_rc
pg_detainer_update(struct store *s, const struct store_detainer *d)
{
    struct pg_params p = {0};

    pg_bind_int(&p, d->updated_at);
    pg_bind_text(&p, d->hold_rule);
    pg_bind_text(&p, d->state);
    pg_bind_text(&p, d->outcome_source);
    pg_bind_id(&p, d->decline_policy_id);
    pg_bind_text(&p, d->reason);
    pg_bind_time(&p, d->otherwise_release_at);
    pg_bind_time(&p, d->max_hold_until);
    pg_bind_time(&p, d->released_at);
    pg_bind_time(&p, d->transferred_at);
    pg_bind_notice(&p, d->notice_given);
    pg_bind_time(&p, d->acknowledged_at);
    pg_bind_time(&p, d->decided_at);
    pg_bind_text(&p, d->cancel_reason);
    pg_bind_text(&p, d->id);
    pg_bind_int(&p, d->version);
    return pg_run_write(
        pg_to_pg(s), PG_STMT_DETAINER_UPDATE,
        "UPDATE detainers SET version = version + 1,"
        " updated_at = $1, hold_rule = $2, state = $3,"
        " outcome_source = $4, decline_policy_id = $5, reason = $6,"
        " otherwise_release_at = $7, max_hold_until = $8,"
        " released_at = $9, transferred_at = $10, notice_given = $11,"
        " acknowledged_at = $12, decided_at = $13, cancel_reason = $14"
        " WHERE id = $15 AND version = $16",
        &p, "detainer_update");
}

/* ---- subpoenas ---------------------------------------------------------*/

#define SUBPOENA_COLS                                                        \
    "id, version, created_at, updated_at, number, agency_org_id,"            \
    " recipient_org_id, person_id, detainer_id, purpose, state, drafted_by," \
    " signed_by, signed_at, served_at, service_method, served_to,"           \
    " return_date, original_return_date, responded_at, disposition,"         \
    " refusal_reason, withdrawal_reason, response_note, enforcement_id,"     \
    " acknowledged_at"

#define ITEM_COLS                                                           \
    "id, version, created_at, updated_at, position, category, description," \
    " outcome, ground, value"

static enum store_rc
insert_items(struct pg_store *ps, const struct store_subpoena *sp)
{
    enum store_rc rc = STORE_ONE_RESULT;

    for (size_t i = 0; i < sp->n_items && rc == STORE_ONE_RESULT; i++) {
        const struct store_subpoena_item *it = &sp->items[i];
        struct pg_params p = {0};

        pg_bind_id(&p, sp->id);
        pg_bind_id(&p, it->id);
        pg_bind_int(&p, sp->created_at);
        pg_bind_int(&p, sp->updated_at);
        pg_bind_int(&p, (int64_t)i + 1);
        pg_bind_text(&p, it->category);
        pg_bind_text(&p, it->description);
        pg_bind_text(&p, it->outcome);
        pg_bind_text(&p, it->ground);
        pg_bind_blob(&p, &it->value);
        rc = pg_run_write(ps, PG_STMT_SUBPOENA_ITEM_INSERT,
                          "INSERT INTO subpoena_items (subpoena_id, " ITEM_COLS
                          ")"
                          " VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9,"
                          " $10)"
                          " ON CONFLICT DO NOTHING",
                          &p, "subpoena_item_insert");
    }
    return rc;
}

static enum store_rc
pg_subpoena_items_replace(struct store *s, const struct store_subpoena *sp)
{
    struct pg_store *ps = pg_to_pg(s);
    struct store_subpoena at = *sp;
    struct pg_params p = {0};
    bool outer = false;
    enum store_rc rc, erc;

    rc = pg_atomic_begin(ps, &outer);
    if (rc < 0)
        return rc;
    pg_bind_id(&p, sp->id);
    rc = pg_run_write(ps, PG_STMT_SUBPOENA_ITEMS_DELETE,
                      "DELETE FROM subpoena_items WHERE subpoena_id = $1", &p,
                      "subpoena_items_delete");
    /* A draft always has items, but deleting none is not an error. */
    if (rc == STORE_NO_RESULTS)
        rc = STORE_ONE_RESULT;
    at.created_at = sp->updated_at;
    if (rc == STORE_ONE_RESULT)
        rc = insert_items(ps, &at);
    erc = pg_atomic_end(ps, outer, rc == STORE_ONE_RESULT);
    if (erc < 0 && rc >= 0)
        rc = erc;
    return rc;
}

static enum store_rc
pg_subpoena_insert(struct store *s, const struct store_subpoena *sp)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    bool outer = false;
    enum store_rc rc, erc;

    /* The subpoena and its items are all or nothing even outside
     * store_tx_run. */
    rc = pg_atomic_begin(ps, &outer);
    if (rc < 0)
        return rc;
    pg_bind_id(&p, sp->id);
    pg_bind_int(&p, sp->created_at);
    pg_bind_int(&p, sp->updated_at);
    pg_bind_id(&p, sp->number);
    pg_bind_id(&p, sp->agency_org_id);
    pg_bind_id(&p, sp->recipient_org_id);
    pg_bind_id(&p, sp->person_id);
    pg_bind_id(&p, sp->detainer_id);
    pg_bind_text(&p, sp->purpose);
    pg_bind_text(&p, sp->state);
    pg_bind_id(&p, sp->drafted_by);
    pg_bind_id(&p, sp->signed_by);
    pg_bind_time(&p, sp->signed_at);
    pg_bind_time(&p, sp->served_at);
    pg_bind_text(&p, sp->service_method);
    pg_bind_text(&p, sp->served_to);
    pg_bind_text(&p, sp->return_date);
    pg_bind_text(&p, sp->original_return_date);
    pg_bind_time(&p, sp->responded_at);
    pg_bind_text(&p, sp->disposition);
    pg_bind_text(&p, sp->refusal_reason);
    pg_bind_text(&p, sp->withdrawal_reason);
    pg_bind_text(&p, sp->response_note);
    pg_bind_id(&p, sp->enforcement_id);
    pg_bind_time(&p, sp->acknowledged_at);
    rc = pg_run_write(ps, PG_STMT_SUBPOENA_INSERT,
                      "INSERT INTO subpoenas (" SUBPOENA_COLS ")"
                      " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                      " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
                      " $21, $22, $23, $24, $25)"
                      " ON CONFLICT DO NOTHING",
                      &p, "subpoena_insert");
    if (rc == STORE_ONE_RESULT)
        rc = insert_items(ps, sp);
    erc = pg_atomic_end(ps, outer, rc == STORE_ONE_RESULT);
    if (erc < 0 && rc >= 0)
        rc = erc;
    return rc;
}

static void
read_subpoena_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_subpoena *sp = ctx;

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
item_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_subpoena *sp = ctx;
    struct store_subpoena_item *it = &sp->items[sp->n_items++];

    memset(it, 0, sizeof *it);
    pg_col_id(&c, it->id, sizeof it->id);
    it->version = pg_col_int(&c);
    it->created_at = pg_col_int(&c);
    it->updated_at = pg_col_int(&c);
    it->position = pg_col_int(&c);
    it->category = pg_col_text(&c);
    it->description = pg_col_text(&c);
    it->outcome = pg_col_text(&c);
    it->ground = pg_col_text(&c);
    it->value = pg_col_blob(&c);
}

/* Read the items of sp->id into sp. */
static enum store_rc
read_items(struct pg_store *ps, struct store_subpoena *sp)
{
    struct pg_params p = {0};
    enum store_rc rc;
    PGresult *r;
    int n;

    pg_bind_text(&p, sp->id);
    r = pg_exec(ps, PG_STMT_SUBPOENA_ITEMS_GET,
                "SELECT " ITEM_COLS " FROM subpoena_items"
                " WHERE subpoena_id = $1 ORDER BY position",
                &p, "subpoena_items", 0, &rc);
    if (r == NULL)
        return rc;
    n = PQntuples(r);
    if (n > 0)
        sp->items = cm_calloc((size_t)n, sizeof *sp->items);
    for (int i = 0; i < n; i++)
        item_row(r, i, sp);
    PQclear(r);
    return STORE_ONE_RESULT;
}

static enum store_rc
pg_subpoena_get(struct store *s, const char *id, struct store_subpoena *out)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    struct store_subpoena sp;
    enum store_rc rc;

    pg_bind_text(&p, id);
    rc = pg_run_read(ps, PG_STMT_SUBPOENA_GET,
                     "SELECT " SUBPOENA_COLS " FROM subpoenas WHERE id = $1",
                     &p, "subpoena_get", read_subpoena_row, &sp);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = read_items(ps, &sp);
    if (rc < 0)
        goto out_release;
    *out = sp;
    return STORE_ONE_RESULT;
out_release:
    store_subpoena_release(&sp);
    return rc;
}

static enum store_rc
pg_subpoena_update(struct store *s, const struct store_subpoena *sp)
{
    struct pg_params p = {0};

    pg_bind_int(&p, sp->updated_at);
    pg_bind_id(&p, sp->recipient_org_id);
    pg_bind_id(&p, sp->person_id);
    pg_bind_id(&p, sp->detainer_id);
    pg_bind_text(&p, sp->purpose);
    pg_bind_text(&p, sp->state);
    pg_bind_id(&p, sp->signed_by);
    pg_bind_time(&p, sp->signed_at);
    pg_bind_time(&p, sp->served_at);
    pg_bind_text(&p, sp->service_method);
    pg_bind_text(&p, sp->served_to);
    pg_bind_text(&p, sp->return_date);
    pg_bind_text(&p, sp->original_return_date);
    pg_bind_time(&p, sp->responded_at);
    pg_bind_text(&p, sp->disposition);
    pg_bind_text(&p, sp->refusal_reason);
    pg_bind_text(&p, sp->withdrawal_reason);
    pg_bind_text(&p, sp->response_note);
    pg_bind_id(&p, sp->enforcement_id);
    pg_bind_time(&p, sp->acknowledged_at);
    pg_bind_text(&p, sp->id);
    pg_bind_int(&p, sp->version);
    return pg_run_write(
        pg_to_pg(s), PG_STMT_SUBPOENA_UPDATE,
        "UPDATE subpoenas SET version = version + 1,"
        " updated_at = $1, recipient_org_id = $2, person_id = $3,"
        " detainer_id = $4, purpose = $5, state = $6, signed_by = $7,"
        " signed_at = $8, served_at = $9, service_method = $10,"
        " served_to = $11, return_date = $12, original_return_date = $13,"
        " responded_at = $14, disposition = $15, refusal_reason = $16,"
        " withdrawal_reason = $17, response_note = $18,"
        " enforcement_id = $19, acknowledged_at = $20"
        " WHERE id = $21 AND version = $22",
        &p, "subpoena_update");
}

static enum store_rc
pg_subpoena_update_state(struct store *s,
                         const char *id,
                         int64_t version,
                         const char *state,
                         int64_t updated_at)
{
    struct pg_params p = {0};

    pg_bind_int(&p, updated_at);
    pg_bind_text(&p, state);
    pg_bind_text(&p, id);
    pg_bind_int(&p, version);
    return pg_run_write(pg_to_pg(s), PG_STMT_SUBPOENA_UPDATE_STATE,
                        "UPDATE subpoenas SET version = version + 1,"
                        " updated_at = $1, state = $2"
                        " WHERE id = $3 AND version = $4",
                        &p, "subpoena_update_state");
}

/* ---- events ------------------------------------------------------------*/

/* Run an INSERT ... RETURNING of one integer into *v; a primary-key
 * violation is a race with another writer (soft), and no row is a hard
 * error. */
static enum store_rc
insert_returning(struct pg_store *ps,
                 enum pg_stmt_id id,
                 const char *sql,
                 const struct pg_params *p,
                 const char *what,
                 int64_t *v)
{
    enum store_rc rc;
    PGresult *r =
        pg_exec(ps, (int)id, sql, p, what, PG_EXEC_KEY_RACE_IS_SOFT, &rc);

    if (r == NULL)
        return rc;
    if (PQntuples(r) == 1) {
        struct pg_cols c = {r, 0, 0};

        *v = pg_col_int(&c);
        rc = STORE_ONE_RESULT;
    } else {
        rc = STORE_HARD_ERROR;
    }
    PQclear(r);
    return rc;
}

static enum store_rc
pg_event_append(struct store *s, const struct store_event *ev, int64_t *seq)
{
    struct pg_params p = {0};

    pg_bind_text(&p, ev->case_kind);
    pg_bind_id(&p, ev->case_id);
    pg_bind_text(&p, ev->action);
    pg_bind_id(&p, ev->actor_id);
    pg_bind_text(&p, ev->role);
    pg_bind_int(&p, ev->at);
    pg_bind_text(&p, ev->details);
    return insert_returning(
        pg_to_pg(s), PG_STMT_EVENT_APPEND,
        "INSERT INTO events (case_kind, case_id, seq, action, actor_id,"
        " role, at, details)"
        " VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM events"
        "  WHERE case_kind = $1 AND case_id = $2), $3, $4, $5, $6, $7)"
        " RETURNING seq",
        &p, "event_append", seq);
}

struct event_list_ctx {
    store_event_cb cb;
    void *cls;
};

static void
event_row(const PGresult *r, int row, void *ctx)
{
    struct event_list_ctx *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_event ev;

    memset(&ev, 0, sizeof ev);
    ev.case_kind = pg_col_text(&c);
    pg_col_id(&c, ev.case_id, sizeof ev.case_id);
    ev.seq = pg_col_int(&c);
    ev.action = pg_col_text(&c);
    pg_col_id(&c, ev.actor_id, sizeof ev.actor_id);
    ev.role = pg_col_text(&c);
    ev.at = pg_col_int(&c);
    ev.details = pg_col_text(&c);
    l->cb(l->cls, &ev);
    store_event_release(&ev);
}

static int
pg_event_list(struct store *s,
              const char *case_kind,
              const char *case_id,
              store_event_cb cb,
              void *cls)
{
    struct pg_params p = {0};
    struct event_list_ctx l = {cb, cls};

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    return pg_run_list(pg_to_pg(s), PG_STMT_EVENT_LIST,
                       "SELECT case_kind, case_id, seq, action, actor_id,"
                       " role, at, details FROM events"
                       " WHERE case_kind = $1 AND case_id = $2 ORDER BY seq",
                       &p, "event_list", event_row, &l);
}

/* ---- audit -------------------------------------------------------------*/

#define AUDIT_COLS                                                        \
    "seq, at, actor_id, org_id, role, session_hash, client_addr, action," \
    " object_kind, object_id, outcome, detail, prev_hash, hash"

static void
read_audit(const PGresult *r, int row, struct store_audit *a)
{
    struct pg_cols c = {r, row, 0};

    memset(a, 0, sizeof *a);
    a->seq = pg_col_int(&c);
    a->at = pg_col_int(&c);
    a->actor_id = pg_col_text(&c);
    a->org_id = pg_col_text(&c);
    a->role = pg_col_text(&c);
    a->session_hash = pg_col_text(&c);
    a->client_addr = pg_col_text(&c);
    a->action = pg_col_text(&c);
    a->object_kind = pg_col_text(&c);
    a->object_id = pg_col_text(&c);
    a->outcome = pg_col_text(&c);
    a->detail = pg_col_text(&c);
    pg_col_hash(&c, a->prev_hash);
    pg_col_hash(&c, a->hash);
}

static void
read_audit_row(const PGresult *r, int row, void *ctx)
{
    read_audit(r, row, ctx);
}

/* In a write transaction, take the chain's lock (held until the end of
 * the transaction), so that reading the head and appending to it are one
 * step for every server. */
static enum store_rc
pg_audit_append(struct store *s, const struct store_audit *a, int64_t *seq)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};

    /* Under the audit lock, taken by pg_begin. */
    pg_bind_int(&p, a->at);
    pg_bind_text(&p, a->actor_id);
    pg_bind_text(&p, a->org_id);
    pg_bind_text(&p, a->role);
    pg_bind_text(&p, a->session_hash);
    pg_bind_text(&p, a->client_addr);
    pg_bind_text(&p, a->action);
    pg_bind_text(&p, a->object_kind);
    pg_bind_text(&p, a->object_id);
    pg_bind_text(&p, a->outcome);
    pg_bind_text(&p, a->detail);
    pg_bind_bytes(&p, a->prev_hash, STORE_HASH_SIZE);
    pg_bind_bytes(&p, a->hash, STORE_HASH_SIZE);
    return insert_returning(
        ps, PG_STMT_AUDIT_APPEND,
        "INSERT INTO audit (seq, at, actor_id, org_id, role,"
        " session_hash, client_addr, action, object_kind,"
        " object_id, outcome, detail, prev_hash, hash)"
        " VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM audit),"
        " $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        " RETURNING seq",
        &p, "audit_append", seq);
}

static enum store_rc
pg_audit_get(struct store *s, int64_t seq, struct store_audit *out)
{
    struct pg_params p = {0};

    pg_bind_int(&p, seq);
    return pg_run_read(pg_to_pg(s), PG_STMT_AUDIT_GET,
                       "SELECT " AUDIT_COLS " FROM audit WHERE seq = $1", &p,
                       "audit_get", read_audit_row, out);
}

struct head_ctx {
    int64_t seq;
    unsigned char hash[STORE_HASH_SIZE];
};

static void
head_row(const PGresult *r, int row, void *ctx)
{
    struct head_ctx *h = ctx;
    struct pg_cols c = {r, row, 0};

    h->seq = pg_col_int(&c);
    pg_col_hash(&c, h->hash);
}

static enum store_rc
pg_audit_head(struct store *s,
              int64_t *seq,
              unsigned char hash[STORE_HASH_SIZE])
{
    struct pg_store *ps = pg_to_pg(s);
    struct head_ctx h;
    enum store_rc rc;

    /* In a write transaction, under the audit lock (pg_begin): the head
     * read is the one the append extends. */
    rc = pg_run_read(ps, PG_STMT_AUDIT_HEAD,
                     "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                     NULL, "audit_head", head_row, &h);
    if (rc == STORE_ONE_RESULT) {
        *seq = h.seq;
        memcpy(hash, h.hash, STORE_HASH_SIZE);
    }
    return rc;
}

struct audit_list_ctx {
    store_audit_cb cb;
    void *cls;
};

static void
audit_row(const PGresult *r, int row, void *ctx)
{
    struct audit_list_ctx *l = ctx;
    struct store_audit a;

    read_audit(r, row, &a);
    l->cb(l->cls, &a);
    store_audit_release(&a);
}

static int
pg_audit_range(struct store *s,
               int64_t from_seq,
               int64_t to_seq,
               store_audit_cb cb,
               void *cls)
{
    struct pg_params p = {0};
    struct audit_list_ctx l = {cb, cls};

    pg_bind_int(&p, from_seq);
    pg_bind_int(&p, to_seq);
    return pg_run_list(pg_to_pg(s), PG_STMT_AUDIT_RANGE,
                       "SELECT " AUDIT_COLS " FROM audit"
                       " WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
                       &p, "audit_range", audit_row, &l);
}

/* ---- the table and opening ---------------------------------------------*/

/* The groups of store_auth.h ... store_reports.h are not implemented on
 * PostgreSQL yet: their tables are NULL, and store.c answers every call
 * into them with STORE_HARD_ERROR ("not implemented on postgresql"). The
 * same holds for backup (use pg_dump). */
static const struct store_ops postgres_ops = {
    .name = "postgresql",
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .begin_read = pg_begin_read,
    .group_savepoint = pg_group_savepoint,
    .group_release = pg_group_release,
    .group_rollback_to = pg_group_rollback_to,
    .migrations = cm_migrations_postgres,
    .migration_prepare = pg_migration_prepare,
    .migration_is_applied = pg_migration_is_applied,
    .migration_apply = pg_migration_apply,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .backup = pg_backup,
    .case_number_next = pg_case_number_next,
    .org_insert = pg_org_insert,
    .org_get = pg_org_get,
    .org_list = pg_org_list,
    .facility_insert = pg_facility_insert,
    .facility_get = pg_facility_get,
    .facility_list_by_org = pg_facility_list_by_org,
    .user_insert = pg_user_insert,
    .user_get = pg_user_get,
    .user_get_by_email = pg_user_get_by_email,
    .person_insert = pg_person_insert,
    .person_get = pg_person_get,
    .person_find = pg_person_find,
    .detainer_insert = pg_detainer_insert,
    .detainer_get = pg_detainer_get,
    .detainer_update = pg_detainer_update,
    .subpoena_insert = pg_subpoena_insert,
    .subpoena_items_replace = pg_subpoena_items_replace,
    .subpoena_get = pg_subpoena_get,
    .subpoena_update = pg_subpoena_update,
    .subpoena_update_state = pg_subpoena_update_state,
    .event_append = pg_event_append,
    .event_list = pg_event_list,
    .audit_append = pg_audit_append,
    .audit_get = pg_audit_get,
    .audit_head = pg_audit_head,
    .audit_range = pg_audit_range,
    .auth = &pg_auth_ops,
    .admin = &pg_admin_ops,
    .cases = &pg_cases_ops,
    .infra = &pg_infra_ops,
    .jobs = &pg_jobs_ops,
    .bulk = &pg_bulk_ops,
    .docs = &pg_docs_ops,
    .sign = &pg_sign_ops,
    .reports = &pg_reports_ops,
    .copy = &pg_copy_ops,
    .retention = &pg_retention_ops,
    .keys = &pg_keys_ops,
};

/* Notices (e.g. "relation already exists, skipping") are not errors. */
static void
on_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Run a one-value query during configuration; false when it fails. */
static bool
query_text(PGconn *conn, const char *sql, char *out, size_t size)
{
    PGresult *r = PQexec(conn, sql);
    bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;

    if (ok)
        (void)snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok;
}

/* Check and configure a new connection; false with *why on failure. */
static bool
configure(PGconn *conn, enum cm_err *err, const char **why)
{
    char v[64];

    (void)PQsetNoticeProcessor(conn, on_notice, NULL);
    *err = CM_ERR_STORE_FAILURE;
    if (!query_text(conn, "SHOW server_encoding", v, sizeof v) ||
        strcmp(v, "UTF8") != 0) {
        *why = "the database's encoding must be UTF8";
        return false;
    }
    if (!query_text(conn,
                    "SELECT datcollate FROM pg_database"
                    " WHERE datname = current_database()",
                    v, sizeof v) ||
        (strcmp(v, "C") != 0 && strcmp(v, "POSIX") != 0)) {
        *why = "the database's collation must be C (createdb --locale=C"
               " --template=template0)";
        return false;
    }
    if (PQsetClientEncoding(conn, "UTF8") != 0) {
        *why = "cannot set the client encoding to UTF8";
        return false;
    }
    /* What is acknowledged must survive a crash: refuse a server that
     * gives that up (issue 7), and say which setting to change. */
    if (!query_text(conn, "SHOW fsync", v, sizeof v) || strcmp(v, "on") != 0) {
        *why = "the PostgreSQL server runs with fsync=off, which loses "
               "acknowledged writes in a crash: set fsync=on";
        return false;
    }
    if (!query_text(conn, "SHOW full_page_writes", v, sizeof v) ||
        strcmp(v, "on") != 0) {
        *why = "the PostgreSQL server runs with full_page_writes=off, which "
               "can corrupt pages in a crash: set full_page_writes=on";
        return false;
    }
    if (!query_text(conn, "SHOW synchronous_commit", v, sizeof v) ||
        strcmp(v, "off") == 0) {
        *why = "the PostgreSQL server runs with synchronous_commit=off, "
               "which loses acknowledged writes in a crash: set it to on";
        return false;
    }
    return true;
}

/* Whether the database holds an applied compel migration already. */
static bool
has_schema(PGconn *conn, bool *yes)
{
    char v[16];

    if (!query_text(conn, "SELECT to_regclass('schema_migrations') IS NOT NULL",
                    v, sizeof v))
        return false;
    if (strcmp(v, "t") != 0) {
        *yes = false;
        return true;
    }
    if (!query_text(conn, "SELECT count(*) > 0 FROM schema_migrations", v,
                    sizeof v))
        return false;
    *yes = strcmp(v, "t") == 0;
    return true;
}

enum cm_err
store_postgres_open(const char *url,
                    enum store_open_mode mode,
                    struct store **out,
                    const char **why)
{
    /* The URL is expanded in place of dbname; a connect_timeout in it
     * overrides the default before it. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {CONNECT_TIMEOUT, url, NULL};
    enum cm_err err = CM_ERR_STORE_FAILURE;
    const char *reason = "cannot connect to the PostgreSQL server";
    struct pg_store *ps;
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    bool exists = false;

    if (conn == NULL)
        goto out_fail;
    if (PQstatus(conn) != CONNECTION_OK) {
        const char *m = PQerrorMessage(conn);

        /* libpq reports a missing database only in its message. */
        if (m && strstr(m, "database \"") && strstr(m, "does not exist")) {
            err = CM_ERR_NOT_FOUND;
            reason = "the database does not exist (create it with createdb"
                     " --locale=C --template=template0)";
        } else if (m && strstr(m, "invalid")) {
            err = CM_ERR_USAGE;
            reason = "the postgresql:// URL is invalid";
        }
        goto out_finish;
    }
    if (!configure(conn, &err, &reason))
        goto out_finish;
    if (mode == STORE_OPEN_MODE_CREATE) {
        if (!has_schema(conn, &exists)) {
            reason = "cannot read the database's schema";
            goto out_finish;
        }
        if (exists) {
            err = CM_ERR_ALREADY_EXISTS;
            reason = "the database already holds a compel schema";
            goto out_finish;
        }
    }
    ps = cm_calloc(1, sizeof *ps);
    ps->base.ops = &postgres_ops;
    ps->conn = conn;
    *out = &ps->base;
    return CM_ERR_OK;
out_finish:
    PQfinish(conn);
out_fail:
    if (why)
        *why = reason;
    return err;
}
