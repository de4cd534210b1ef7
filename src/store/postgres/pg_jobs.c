/*
 * pg_jobs.c: the PostgreSQL implementation of store_jobs.h: the job
 * queue, deliveries, webhooks and calendar feed tokens.
 *
 * Several servers claim from one queue at once, at READ COMMITTED. A
 * claim is one statement: a SELECT ... ORDER BY run_at, id LIMIT n FOR
 * UPDATE SKIP LOCKED picks the due jobs no other transaction holds, and
 * an UPDATE of exactly those rows writes the lease. A job another server
 * is claiming right now is skipped, not waited for; one it claimed and
 * committed since this statement's snapshot is re-read when locked
 * (PostgreSQL re-checks the WHERE clause on the newest row version) and
 * dropped because its lease is in force. So each job goes to exactly one
 * worker. A server that dies holding a claim releases it in one of two
 * ways: before its commit, PostgreSQL rolls the transaction back and the
 * row lock goes with it; after, the lease (claimed_until, the caller's
 * clock, as on SQLite) runs out and the job is due again. Completing and
 * failing check claimed_by in the WHERE clause, which PostgreSQL re-checks
 * after waiting for a concurrent claimer: a worker whose lease was taken
 * over changes nothing.
 *
 * Natural keys (jobs.unique_key, deliveries.key, the ids) are written
 * with ON CONFLICT DO NOTHING, so "already there" is STORE_NO_RESULTS,
 * also when two servers insert the same key at once (the second waits for
 * the first and then does nothing). The statements are those of
 * sqlite/sq_jobs.c in PostgreSQL's dialect; see pg_int.h for the plumbing.
 */
#include <string.h>

#include "store/postgres/pg_int.h"

enum {
    PG_JOB_INSERT = PG_STMT_BASE_JOBS,
    PG_JOB_GET,
    PG_JOB_CLAIM,
    PG_JOB_COMPLETE,
    PG_JOB_FAIL,
    PG_JOB_RETRY,
    PG_JOB_LIST_FIRST, /* 8 statements: 4 states x (no cursor, cursor) */
    PG_JOB_LIST_LAST = PG_JOB_LIST_FIRST + 7,
    PG_DELIVERY_INSERT,
    PG_DELIVERY_GET_BY_KEY,
    PG_WEBHOOK_INSERT,
    PG_WEBHOOK_GET,
    PG_WEBHOOK_LIST,
    PG_WEBHOOK_LIST_AFTER,
    PG_WEBHOOK_LIST_FOR_ORGS,
    PG_WEBHOOK_DELETE,
    PG_FEED_TOKEN_SET,
    PG_FEED_TOKEN_REVOKE,
    PG_FEED_TOKEN_USER,
    PG_JOBS__END
};

_Static_assert((int)PG_JOBS__END <= (int)PG_STMT_BASE_BULK,
               "the jobs statements overrun the next group's base");

#define JOB_COLS                                                         \
    "id, version, created_at, updated_at, kind, payload, unique_key,"    \
    " run_at, claimed_by, claimed_until, attempts, last_error, done_at," \
    " dead"

#define DELIVERY_COLS "id, key, job_id, channel, recipient_id, status, at"

#define WEBHOOK_COLS                                                    \
    "id, version, created_at, updated_at, org_id, url, events, secret," \
    " created_by, deleted_at"

/* ---- jobs --------------------------------------------------------------*/

static void
read_job(const PGresult *r, int row, struct store_job *j)
{
    struct pg_cols c = {r, row, 0};

    memset(j, 0, sizeof *j);
    pg_col_id(&c, j->id, sizeof j->id);
    j->version = pg_col_int(&c);
    j->created_at = pg_col_int(&c);
    j->updated_at = pg_col_int(&c);
    j->kind = pg_col_text(&c);
    j->payload = pg_col_text(&c);
    j->unique_key = pg_col_text(&c);
    j->run_at = pg_col_int(&c);
    j->claimed_by = pg_col_text(&c);
    j->claimed_until = pg_col_int(&c);
    j->attempts = pg_col_int(&c);
    j->last_error = pg_col_text(&c);
    j->done_at = pg_col_int(&c);
    j->dead = pg_col_int(&c) != 0;
}

static void
read_job_row(const PGresult *r, int row, void *ctx)
{
    read_job(r, row, ctx);
}

struct job_list {
    store_job_cb cb;
    void *cls;
};

static void
job_row(const PGresult *r, int row, void *ctx)
{
    struct job_list *l = ctx;
    struct store_job j;

    read_job(r, row, &j);
    l->cb(l->cls, &j);
    store_job_release(&j);
}

static enum store_rc
pg_job_insert(struct store *s, const struct store_job *j)
{
    struct pg_params p = {0};

    pg_bind_id(&p, j->id);
    pg_bind_int(&p, j->created_at);
    pg_bind_int(&p, j->updated_at);
    pg_bind_text(&p, j->kind);
    pg_bind_text(&p, j->payload);
    pg_bind_text(&p, j->unique_key);
    pg_bind_int(&p, j->run_at);
    return pg_run_write(pg_to_pg(s), PG_JOB_INSERT,
                        "INSERT INTO jobs (id, version, created_at, updated_at,"
                        " kind, payload, unique_key, run_at, attempts, dead)"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, 0, 0)"
                        " ON CONFLICT DO NOTHING",
                        &p, "job_insert");
}

static enum store_rc
pg_job_get(struct store *s, const char *id, struct store_job *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_JOB_GET,
                       "SELECT " JOB_COLS " FROM jobs WHERE id = $1", &p,
                       "job_get", read_job_row, out);
}

/* See the top of this file for why each job goes to one worker. The rows
 * come back in claim order (run_at, id), as on SQLite. */
static int
pg_job_claim(struct store *s,
             const char *worker,
             int64_t now,
             int64_t lease_until,
             int limit,
             store_job_cb cb,
             void *cls)
{
    struct pg_params p = {0};
    struct job_list l = {cb, cls};

    pg_bind_text(&p, worker);
    pg_bind_int(&p, now);
    pg_bind_int(&p, lease_until);
    pg_bind_int(&p, limit);
    return pg_run_list(pg_to_pg(s), PG_JOB_CLAIM,
                       "WITH due AS ("
                       " SELECT id FROM jobs"
                       " WHERE done_at IS NULL AND dead = 0 AND run_at <= $2"
                       " AND (claimed_until IS NULL OR claimed_until <= $2)"
                       " ORDER BY run_at, id LIMIT $4"
                       " FOR UPDATE SKIP LOCKED),"
                       " claimed AS ("
                       " UPDATE jobs SET claimed_by = $1, claimed_until = $3,"
                       " version = jobs.version + 1, updated_at = $2"
                       " FROM due WHERE jobs.id = due.id"
                       " RETURNING jobs.*)"
                       " SELECT " JOB_COLS " FROM claimed ORDER BY run_at, id",
                       &p, "job_claim", job_row, &l);
}

static enum store_rc
pg_job_complete(struct store *s,
                const char *id,
                const char *worker,
                int64_t now)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    pg_bind_text(&p, worker);
    pg_bind_int(&p, now);
    return pg_run_write(pg_to_pg(s), PG_JOB_COMPLETE,
                        "UPDATE jobs SET done_at = $3, updated_at = $3,"
                        " claimed_by = NULL, claimed_until = NULL,"
                        " version = version + 1"
                        " WHERE id = $1 AND claimed_by = $2 AND done_at IS NULL"
                        " AND dead = 0",
                        &p, "job_complete");
}

static enum store_rc
pg_job_fail(struct store *s,
            const char *id,
            const char *worker,
            int64_t now,
            int64_t next_run_at,
            const char *error)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    pg_bind_text(&p, worker);
    pg_bind_int(&p, now);
    pg_bind_int(&p, next_run_at);
    pg_bind_text(&p, error);
    return pg_run_write(
        pg_to_pg(s), PG_JOB_FAIL,
        "UPDATE jobs SET attempts = attempts + 1,"
        " last_error = $5, updated_at = $3,"
        " claimed_by = NULL, claimed_until = NULL,"
        " run_at = CASE WHEN $4::BIGINT > 0 THEN $4::BIGINT ELSE run_at END,"
        " dead = CASE WHEN $4::BIGINT > 0 THEN 0 ELSE 1 END,"
        " version = version + 1"
        " WHERE id = $1 AND claimed_by = $2 AND done_at IS NULL"
        " AND dead = 0",
        &p, "job_fail");
}

static enum store_rc
pg_job_retry(struct store *s, const char *id, int64_t now)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    pg_bind_int(&p, now);
    return pg_run_write(pg_to_pg(s), PG_JOB_RETRY,
                        "UPDATE jobs SET dead = 0, attempts = 0, run_at = $2,"
                        " updated_at = $2, claimed_by = NULL,"
                        " claimed_until = NULL, version = version + 1"
                        " WHERE id = $1 AND dead = 1 AND done_at IS NULL",
                        &p, "job_retry");
}

/* One statement per state, with and without a cursor, so that each has a
 * plan of its own (a generic plan of one statement covering every state
 * could not use the indexes). Indexed by state * 2 + has_cursor. */
#define JOB_LIST(where)                          \
    "SELECT " JOB_COLS " FROM jobs WHERE " where \
    " ORDER BY created_at DESC, id DESC LIMIT $1"
#define JOB_LIST_AFTER(where)                    \
    "SELECT " JOB_COLS " FROM jobs WHERE " where \
    " AND (created_at, id) < ($2, $3)"           \
    " ORDER BY created_at DESC, id DESC LIMIT $1"
#define JOB_PENDING "done_at IS NULL AND dead = 0"

static const char *const job_list_sql[] = {
    JOB_LIST("TRUE"),
    JOB_LIST_AFTER("TRUE"),
    JOB_LIST(JOB_PENDING),
    JOB_LIST_AFTER(JOB_PENDING),
    JOB_LIST("dead = 1"),
    JOB_LIST_AFTER("dead = 1"),
    JOB_LIST("done_at IS NOT NULL"),
    JOB_LIST_AFTER("done_at IS NOT NULL"),
};

_Static_assert(sizeof job_list_sql / sizeof job_list_sql[0] ==
                   PG_JOB_LIST_LAST - PG_JOB_LIST_FIRST + 1,
               "one job_list statement per state and cursor");

static int
pg_job_list(struct store *s,
            enum store_job_state state,
            const struct store_cursor *after,
            int limit,
            store_job_cb cb,
            void *cls)
{
    struct pg_params p = {0};
    struct job_list l = {cb, cls};
    int i;

    switch (state) {
    case STORE_JOB_STATE_ANY:
        i = 0;
        break;
    case STORE_JOB_STATE_PENDING:
        i = 2;
        break;
    case STORE_JOB_STATE_DEAD:
        i = 4;
        break;
    case STORE_JOB_STATE_DONE:
        i = 6;
        break;
    default:
        return 0; /* no such state: no rows, as on SQLite */
    }
    pg_bind_int(&p, limit);
    if (after && after->id[0]) {
        i++;
        pg_bind_int(&p, after->created_at);
        pg_bind_text(&p, after->id);
    }
    return pg_run_list(pg_to_pg(s), PG_JOB_LIST_FIRST + i, job_list_sql[i], &p,
                       "job_list", job_row, &l);
}

/* ---- deliveries --------------------------------------------------------*/

static enum store_rc
pg_delivery_insert(struct store *s, const struct store_delivery *d)
{
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_text(&p, d->key);
    pg_bind_id(&p, d->job_id);
    pg_bind_text(&p, d->channel);
    pg_bind_id(&p, d->recipient_id);
    pg_bind_text(&p, d->status);
    pg_bind_int(&p, d->at);
    return pg_run_write(pg_to_pg(s), PG_DELIVERY_INSERT,
                        "INSERT INTO deliveries (" DELIVERY_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT DO NOTHING",
                        &p, "delivery_insert");
}

static void
read_delivery_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_delivery *d = ctx;

    memset(d, 0, sizeof *d);
    pg_col_id(&c, d->id, sizeof d->id);
    d->key = pg_col_text(&c);
    pg_col_id(&c, d->job_id, sizeof d->job_id);
    d->channel = pg_col_text(&c);
    pg_col_id(&c, d->recipient_id, sizeof d->recipient_id);
    d->status = pg_col_text(&c);
    d->at = pg_col_int(&c);
}

static enum store_rc
pg_delivery_get_by_key(struct store *s,
                       const char *key,
                       struct store_delivery *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, key);
    return pg_run_read(pg_to_pg(s), PG_DELIVERY_GET_BY_KEY,
                       "SELECT " DELIVERY_COLS
                       " FROM deliveries WHERE key = $1",
                       &p, "delivery_get_by_key", read_delivery_row, out);
}

/* ---- webhooks ----------------------------------------------------------*/

static void
read_webhook(const PGresult *r, int row, struct store_webhook *w)
{
    struct pg_cols c = {r, row, 0};

    memset(w, 0, sizeof *w);
    pg_col_id(&c, w->id, sizeof w->id);
    w->version = pg_col_int(&c);
    w->created_at = pg_col_int(&c);
    w->updated_at = pg_col_int(&c);
    pg_col_id(&c, w->org_id, sizeof w->org_id);
    w->url = pg_col_text(&c);
    w->events = pg_col_text(&c);
    w->secret = pg_col_blob(&c);
    pg_col_id(&c, w->created_by, sizeof w->created_by);
    w->deleted_at = pg_col_int(&c);
}

static void
read_webhook_row(const PGresult *r, int row, void *ctx)
{
    read_webhook(r, row, ctx);
}

struct webhook_list {
    store_webhook_cb cb;
    void *cls;
};

static void
webhook_row(const PGresult *r, int row, void *ctx)
{
    struct webhook_list *l = ctx;
    struct store_webhook w;

    read_webhook(r, row, &w);
    l->cb(l->cls, &w);
    store_webhook_release(&w);
}

static enum store_rc
pg_webhook_insert(struct store *s, const struct store_webhook *w)
{
    struct pg_params p = {0};

    pg_bind_id(&p, w->id);
    pg_bind_int(&p, w->created_at);
    pg_bind_int(&p, w->updated_at);
    pg_bind_id(&p, w->org_id);
    pg_bind_text(&p, w->url);
    pg_bind_text(&p, w->events);
    pg_bind_blob(&p, &w->secret);
    pg_bind_id(&p, w->created_by);
    return pg_run_write(pg_to_pg(s), PG_WEBHOOK_INSERT,
                        "INSERT INTO webhooks (" WEBHOOK_COLS ")"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, NULL)"
                        " ON CONFLICT DO NOTHING",
                        &p, "webhook_insert");
}

static enum store_rc
pg_webhook_get(struct store *s, const char *id, struct store_webhook *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    return pg_run_read(pg_to_pg(s), PG_WEBHOOK_GET,
                       "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = $1",
                       &p, "webhook_get", read_webhook_row, out);
}

static int
pg_webhook_list(struct store *s,
                const struct store_cursor *after,
                int limit,
                store_webhook_cb cb,
                void *cls)
{
    struct pg_params p = {0};
    struct webhook_list l = {cb, cls};

    pg_bind_int(&p, limit);
    if (after && after->id[0]) {
        pg_bind_int(&p, after->created_at);
        pg_bind_text(&p, after->id);
        return pg_run_list(pg_to_pg(s), PG_WEBHOOK_LIST_AFTER,
                           "SELECT " WEBHOOK_COLS " FROM webhooks"
                           " WHERE deleted_at IS NULL"
                           " AND (created_at, id) < ($2, $3)"
                           " ORDER BY created_at DESC, id DESC LIMIT $1",
                           &p, "webhook_list", webhook_row, &l);
    }
    return pg_run_list(pg_to_pg(s), PG_WEBHOOK_LIST,
                       "SELECT " WEBHOOK_COLS " FROM webhooks"
                       " WHERE deleted_at IS NULL"
                       " ORDER BY created_at DESC, id DESC LIMIT $1",
                       &p, "webhook_list", webhook_row, &l);
}

static int
pg_webhook_list_for_orgs(struct store *s,
                         const char *org_a,
                         const char *org_b,
                         const char *org_c,
                         store_webhook_cb cb,
                         void *cls)
{
    struct pg_params p = {0};
    struct webhook_list l = {cb, cls};

    /* NULL or "" binds SQL NULL, which matches no org_id. */
    pg_bind_id(&p, org_a);
    pg_bind_id(&p, org_b);
    pg_bind_id(&p, org_c);
    return pg_run_list(pg_to_pg(s), PG_WEBHOOK_LIST_FOR_ORGS,
                       "SELECT " WEBHOOK_COLS " FROM webhooks"
                       " WHERE deleted_at IS NULL AND org_id IN ($1, $2, $3)"
                       " ORDER BY created_at, id",
                       &p, "webhook_list_for_orgs", webhook_row, &l);
}

static enum store_rc
pg_webhook_delete(struct store *s, const char *id, int64_t now)
{
    struct pg_params p = {0};

    pg_bind_text(&p, id);
    pg_bind_int(&p, now);
    return pg_run_write(pg_to_pg(s), PG_WEBHOOK_DELETE,
                        "UPDATE webhooks SET deleted_at = $2, updated_at = $2,"
                        " version = version + 1"
                        " WHERE id = $1 AND deleted_at IS NULL",
                        &p, "webhook_delete");
}

/* ---- feed tokens -------------------------------------------------------*/

/*
 * One statement: insert or replace the user's row unless another row
 * (another user's, or the user's own current one) has the hash already,
 * which gives STORE_NO_RESULTS as on SQLite. ON CONFLICT can name one
 * arbiter only (user_id), so the hash is checked by NOT EXISTS; two users
 * given the same 32 random bytes at the same instant would still meet the
 * UNIQUE constraint, a hard error, which cannot happen but by a bug.
 */
static enum store_rc
pg_feed_token_set(struct store *s,
                  const char *user_id,
                  const unsigned char token_hash[STORE_HASH_SIZE],
                  int64_t now)
{
    struct pg_params p = {0};

    pg_bind_id(&p, user_id);
    pg_bind_bytes(&p, token_hash, STORE_HASH_SIZE);
    pg_bind_int(&p, now);
    return pg_run_write(pg_to_pg(s), PG_FEED_TOKEN_SET,
                        "INSERT INTO feed_tokens (user_id, token_hash,"
                        " created_at, revoked_at)"
                        " SELECT $1::TEXT, $2::BYTEA, $3::BIGINT, NULL::BIGINT"
                        " WHERE NOT EXISTS"
                        " (SELECT 1 FROM feed_tokens WHERE token_hash = $2)"
                        " ON CONFLICT (user_id) DO UPDATE SET"
                        " token_hash = excluded.token_hash,"
                        " created_at = excluded.created_at, revoked_at = NULL",
                        &p, "feed_token_set");
}

static enum store_rc
pg_feed_token_revoke(struct store *s, const char *user_id, int64_t now)
{
    struct pg_params p = {0};

    pg_bind_text(&p, user_id);
    pg_bind_int(&p, now);
    return pg_run_write(pg_to_pg(s), PG_FEED_TOKEN_REVOKE,
                        "UPDATE feed_tokens SET revoked_at = $2"
                        " WHERE user_id = $1 AND revoked_at IS NULL",
                        &p, "feed_token_revoke");
}

static void
read_user_id_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    pg_col_id(&c, ctx, STORE_ID_SIZE);
}

static enum store_rc
pg_feed_token_user(struct store *s,
                   const unsigned char token_hash[STORE_HASH_SIZE],
                   char user_id[STORE_ID_SIZE])
{
    struct pg_params p = {0};
    char id[STORE_ID_SIZE];
    enum store_rc rc;

    pg_bind_bytes(&p, token_hash, STORE_HASH_SIZE);
    rc = pg_run_read(pg_to_pg(s), PG_FEED_TOKEN_USER,
                     "SELECT user_id FROM feed_tokens"
                     " WHERE token_hash = $1 AND revoked_at IS NULL",
                     &p, "feed_token_user", read_user_id_row, id);
    if (rc == STORE_ONE_RESULT)
        memcpy(user_id, id, STORE_ID_SIZE);
    return rc;
}

const struct store_jobs_ops pg_jobs_ops = {
    .job_insert = pg_job_insert,
    .job_get = pg_job_get,
    .job_claim = pg_job_claim,
    .job_complete = pg_job_complete,
    .job_fail = pg_job_fail,
    .job_retry = pg_job_retry,
    .job_list = pg_job_list,
    .delivery_insert = pg_delivery_insert,
    .delivery_get_by_key = pg_delivery_get_by_key,
    .webhook_insert = pg_webhook_insert,
    .webhook_get = pg_webhook_get,
    .webhook_list = pg_webhook_list,
    .webhook_list_for_orgs = pg_webhook_list_for_orgs,
    .webhook_delete = pg_webhook_delete,
    .feed_token_set = pg_feed_token_set,
    .feed_token_revoke = pg_feed_token_revoke,
    .feed_token_user = pg_feed_token_user,
};
